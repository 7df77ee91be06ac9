//! The predictor's saved model: its body decoded directly (what it accepts must predict
//! probabilities in (0, 1]), and any text planted under the model's localStorage key for an
//! engine with prediction on to find at start-up, which must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use smartcache::core::clock::ManualClock;
use smartcache::core::engine::options::{CacheOptionsInput, PredictInput};
use smartcache::core::engine::Engine;
use smartcache::core::predict::{Model, Surroundings};
use smartcache::store::memory::MemoryLocalStore;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::decode(data) {
        for p in model.predict() {
            assert!(p.probability > 0.0 && p.probability <= 1.0 + 1e-3, "{p:?}");
        }
        let _ = Model::decode(&model.encode(64 * 1024)).expect("its own bytes decode");
    }
    let local = MemoryLocalStore::default();
    local.plant("smartcache-predict:7:default", &String::from_utf8_lossy(data));
    let config = CacheOptionsInput {
        predict: Some(PredictInput::Switch(true)),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut engine = Engine::open(ManualClock::new(1), config, local);
    engine.set_idb_available(false, "fuzz");
    engine.set_loader_prefixes(vec![String::new()]);
    let _ = engine.lookup("company:1");
    let _ = engine.plan_preloads(&Surroundings::default());
});
