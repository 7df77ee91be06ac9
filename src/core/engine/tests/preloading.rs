//! Preloading through the engine: demand accesses (reads of the persistent tiers and the face's
//! memory hits) teach the predictor, preloads do not; preloads go in cold and are scored when a
//! demand access reads or joins them; the model survives a reload within the localStorage budget,
//! and a damaged or foreign one is discarded with a fault.

use super::*;
use crate::core::engine::options::PredictInput;
use crate::core::engine::store::units;
use crate::core::predict::{Reason, Surroundings};

fn predicting(
    edit: impl FnOnce(&mut CacheOptionsInput),
) -> (TestEngine, ManualClock, MemoryLocalStore, CacheConfig) {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let config = config(|c| {
        c.predict = Some(PredictInput::Switch(true));
        edit(c);
    });
    let mut engine = Engine::open(clock.clone(), config.clone(), local.clone());
    engine.set_idb_available(false, "not in this test");
    engine.drain_events().for_each(drop);
    engine.set_loader_prefixes(vec!["company:".into(), "payments:".into()]);
    (engine, clock, local, config)
}

/// A demand read of `key` a second after the last; a miss is loaded (stored as a load's result).
fn read(engine: &mut TestEngine, clock: &ManualClock, key: &str) -> bool {
    clock.advance(1_000);
    if matches!(engine.lookup(key).unwrap(), Lookup::Hit { .. }) {
        return true;
    }
    let token = engine.begin_load(key, &SetOptions::default());
    engine
        .store_loaded(token, key, &json_of(200), SetOptions::default())
        .unwrap();
    false
}

fn learn_company_then_payments(engine: &mut TestEngine, clock: &ManualClock) {
    for id in [1, 2, 3] {
        read(engine, clock, &format!("company:{id}"));
        read(engine, clock, &format!("payments:company:{id}"));
    }
}

/// Carries out a planned preload as the face does: it loads and is stored.
fn preload(engine: &mut TestEngine, planned: &crate::core::predict::Planned) {
    preload_sized(engine, planned, 300);
}

/// A planned preload begins, as the face begins it.
fn begin(engine: &mut TestEngine, planned: &crate::core::predict::Planned) -> u64 {
    engine.begin_preload(
        &planned.key,
        &SetOptions::default(),
        planned.reason,
        planned.guess,
        planned.probability,
    )
}

fn preload_sized(engine: &mut TestEngine, planned: &crate::core::predict::Planned, bytes: usize) {
    let token = begin(engine, planned);
    engine
        .store_loaded(token, &planned.key, &json_of(bytes), SetOptions::default())
        .unwrap();
}

#[test]
fn a_first_visit_to_a_company_preloads_its_payments_and_the_read_uses_it() {
    let (mut engine, clock, _, _) = predicting(|_| {});
    learn_company_then_payments(&mut engine, &clock);
    read(&mut engine, &clock, "company:99");
    let planned = engine.plan_preloads(&Surroundings::default());
    assert_eq!(planned.len(), 1, "{planned:?}");
    assert_eq!(planned[0].key, "payments:company:99");
    assert_eq!(planned[0].reason, Reason::Predicted);
    let contexts = engine.predictor.model().contexts();
    preload(&mut engine, &planned[0]);
    assert_eq!(
        engine.predictor.model().contexts(),
        contexts,
        "a preload teaches the model nothing"
    );
    assert!(events(&mut engine).contains(&"prefetch payments:company:99 predicted".to_string()));
    let stats = engine.stats();
    assert_eq!((stats.prefetched, stats.prefetch_hits), (1, 0));
    assert_eq!((stats.predict.issued, stats.predict.used), (1, 0));
    assert_eq!(stats.predict.wasted_bytes, json_of(300).len() as u64);
    assert!(!engine.needs_load("payments:company:99"), "fresh now");

    assert!(read(&mut engine, &clock, "payments:company:99"), "a hit");
    let stats = engine.stats();
    assert_eq!((stats.prefetched, stats.prefetch_hits), (1, 1));
    assert_eq!((stats.predict.used, stats.predict.wasted_bytes), (1, 0));
    assert!((stats.predict.precision - 1.0).abs() < 1e-9);
    // Of the accesses that missed or would have: 7 misses (learning, company:99), 1 covered.
    assert!(
        (stats.predict.coverage - 1.0 / 8.0).abs() < 1e-9,
        "{}",
        stats.predict.coverage
    );
    assert_eq!(stats.predict.mode, "on");
    // Read again, it is an ordinary hit: used once.
    read(&mut engine, &clock, "payments:company:99");
    assert_eq!(engine.stats().prefetch_hits, 1);
    let recent = engine.predictions(5).recent;
    assert_eq!(recent.len(), 1);
    assert_eq!(
        (recent[0].key.as_str(), recent[0].reason, recent[0].used),
        ("payments:company:99", Reason::Predicted, true)
    );
}

#[test]
fn memory_hits_the_face_reports_are_demand_accesses_too() {
    let (mut engine, clock, _, _) = predicting(|_| {});
    let mut ids = HashMap::new();
    for id in 1..=3 {
        for key in [format!("company:{id}"), format!("payments:company:{id}")] {
            ids.insert(
                key.clone(),
                engine
                    .set(&key, &json_of(50), SetOptions::default())
                    .unwrap()
                    .id,
            );
        }
    }
    // Every visit is a memory hit, served by the face and reported in one batch.
    let mut batch = Vec::new();
    for id in 1..=3 {
        batch.push(ids[&format!("company:{id}")]);
        batch.push(ids[&format!("payments:company:{id}")]);
    }
    let company4 = engine
        .set("company:4", &json_of(50), SetOptions::default())
        .unwrap()
        .id;
    batch.push(company4);
    clock.advance(1_000);
    engine.record_accesses(&batch, 0);
    let planned = engine.plan_preloads(&Surroundings::default());
    assert_eq!(
        planned.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        ["payments:company:4"]
    );
    // Preloaded, then read from memory (a hit the face serves): the devtools' list says used.
    let token = begin(&mut engine, &planned[0]);
    let stored = engine
        .store_loaded(
            token,
            "payments:company:4",
            &json_of(50),
            SetOptions::default(),
        )
        .unwrap()
        .unwrap();
    assert!(!engine.predictions(5).recent[0].used);
    engine.record_accesses(&[stored.id], 0);
    assert!(engine.predictions(5).recent[0].used);
}

#[test]
fn a_demand_access_joining_a_preload_uses_it_and_nothing_is_wasted() {
    let (mut engine, clock, _, _) = predicting(|_| {});
    learn_company_then_payments(&mut engine, &clock);
    read(&mut engine, &clock, "company:7");
    let planned = engine.plan_preloads(&Surroundings::default()).remove(0);
    let token = begin(&mut engine, &planned);
    // The user opens the payments before the preload is back: a miss that joins it.
    assert!(!engine.needs_load(&planned.key), "it is loading");
    assert_eq!(engine.lookup(&planned.key).unwrap(), Lookup::Miss);
    engine.preload_joined(token);
    engine.preload_joined(token);
    engine
        .store_loaded(token, &planned.key, &json_of(300), SetOptions::default())
        .unwrap();
    let stats = engine.stats();
    assert_eq!((stats.prefetched, stats.prefetch_hits), (1, 1));
    assert_eq!((stats.predict.used, stats.predict.wasted_bytes), (1, 0));
    assert!(
        (stats.predict.coverage - 1.0 / 8.0).abs() < 1e-9,
        "the joined miss was covered"
    );
}

#[test]
fn preloads_go_in_cold_and_never_push_out_hot_entries() {
    // Memory holds five 100-byte entries; localStorage has no room beyond what is set here.
    let (mut engine, clock, _, _) = predicting(|c| {
        c.memory_bytes = Some(500.0);
        c.local_storage_bytes = Some(0.0);
    });
    let mut hot = Vec::new();
    for n in 0..5 {
        let key = format!("company:{n}");
        let id = engine.set(&key, &json_of(100), memory_only()).unwrap().id;
        hot.push(id);
    }
    clock.advance(1);
    engine.record_accesses(&hot, 0);
    let hint = |engine: &mut TestEngine, key: &str| {
        engine.hint(key).unwrap();
        engine.plan_preloads(&Surroundings::default())
    };
    let planned = hint(&mut engine, "company:50");
    assert_eq!(planned[0].reason, Reason::Hint);
    preload_sized(&mut engine, &planned[0], 100);
    assert!(
        !engine.has("company:50").unwrap(),
        "no cold room anywhere: not stored"
    );
    for n in 0..5 {
        assert!(
            engine.has(&format!("company:{n}")).unwrap(),
            "hot company:{n} stayed"
        );
    }
    assert_eq!(engine.stats().prefetched, 0);
    // An unread entry is cold: a preload may take its place, and the next preload takes the
    // unread preload's.
    engine.delete("company:4").unwrap();
    engine
        .set("company:5", &json_of(100), memory_only())
        .unwrap();
    let planned = hint(&mut engine, "company:51");
    preload_sized(&mut engine, &planned[0], 100);
    assert!(engine.has("company:51").unwrap() && !engine.has("company:5").unwrap());
    let planned = hint(&mut engine, "company:52");
    preload_sized(&mut engine, &planned[0], 100);
    assert!(engine.has("company:52").unwrap() && !engine.has("company:51").unwrap());
    for n in 0..4 {
        assert!(engine.has(&format!("company:{n}")).unwrap());
    }
}

#[test]
fn preloading_respects_fresh_copies_loaders_and_the_page() {
    let (mut engine, clock, _, _) = predicting(|_| {});
    learn_company_then_payments(&mut engine, &clock);
    // A fresh copy is not preloaded; a stale one is.
    engine
        .set(
            "payments:company:8",
            &json_of(10),
            opts(|o| o.stale_ms = Some(500.0)),
        )
        .unwrap();
    read(&mut engine, &clock, "company:8");
    let planned = engine.plan_preloads(&Surroundings::default());
    assert_eq!(planned.len(), 1, "stale by now: {planned:?}");
    engine
        .set("payments:company:9", &json_of(10), SetOptions::default())
        .unwrap();
    read(&mut engine, &clock, "company:9");
    assert!(engine.plan_preloads(&Surroundings::default()).is_empty());
    // A hidden page or saveData: nothing, not even hints.
    read(&mut engine, &clock, "company:10");
    engine.hint("company:11").unwrap();
    let hidden = Surroundings {
        hidden: true,
        ..Default::default()
    };
    assert!(engine.plan_preloads(&hidden).is_empty());
    // Without a loader for payments, guesses for them are not preloads.
    engine.set_loader_prefixes(vec!["company:".into()]);
    let planned = engine.plan_preloads(&Surroundings::default());
    assert_eq!(
        planned.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        ["company:11"],
        "the hint waited; the guess has no loader"
    );
    // An invalidation during a preload spoils it: nothing stored.
    engine.set_loader_prefixes(vec!["company:".into(), "payments:".into()]);
    read(&mut engine, &clock, "company:12");
    let planned = engine.plan_preloads(&Surroundings::default()).remove(0);
    let token = begin(&mut engine, &planned);
    engine.invalidate(&planned.key).unwrap();
    assert_eq!(
        engine
            .store_loaded(token, &planned.key, &json_of(5), SetOptions::default())
            .unwrap(),
        None
    );
    engine.end_load(token);
}

#[test]
fn the_model_survives_a_reload_within_the_local_budget() {
    let (mut engine, clock, local, config) = predicting(|_| {});
    learn_company_then_payments(&mut engine, &clock);
    let before = engine.stats().local.bytes;
    engine.save_model(true);
    let key = "smartcache-predict:7:default";
    let units_held = local
        .value(key)
        .map(|v| units(key) + units(&v))
        .expect("saved");
    let cost = 2 * units_held as u64;
    assert_eq!(
        engine.stats().local.bytes,
        before + cost,
        "counted in localStorage's bytes"
    );
    assert_eq!(engine.policies.local.budget(), 4 * options::MIB - cost);

    // A reload: the first visit to a new company predicts at once.
    let mut engine = Engine::open(clock.clone(), config.clone(), local.clone());
    assert_eq!(engine.stats().faults, 0);
    engine.set_idb_available(false, "not in this test");
    engine.set_loader_prefixes(vec!["payments:".into()]);
    assert_eq!(engine.stats().local.bytes, before + cost);
    read(&mut engine, &clock, "company:40");
    let planned = engine.plan_preloads(&Surroundings::default());
    assert_eq!(
        planned.first().map(|p| p.key.as_str()),
        Some("payments:company:40")
    );

    // Prediction off: the saved model is forgotten.
    let off = CacheConfig {
        predict: Default::default(),
        ..config.clone()
    };
    let mut engine = Engine::open(clock.clone(), off, local.clone());
    assert!(local.value(key).is_none());
    assert_eq!(engine.stats().predict.mode, "off");
}

#[test]
fn a_damaged_or_foreign_model_is_discarded_with_a_fault() {
    let (mut engine, clock, local, config) = predicting(|_| {});
    learn_company_then_payments(&mut engine, &clock);
    engine.save_model(true);
    let key = "smartcache-predict:7:default";
    let good = local.value(key).unwrap();
    let mut damaged: Vec<char> = good.chars().collect();
    let at = damaged.len() / 2;
    damaged[at] = char::from_u32(damaged[at] as u32 ^ 1).unwrap();
    let foreign_key = "smartcache-predict:5:other";
    let other = CacheConfig {
        namespace: "other".into(),
        ..config.clone()
    };
    for (store_key, value, cfg) in [
        (key, damaged.into_iter().collect::<String>(), config.clone()),
        (key, "not a model".to_string(), config.clone()),
        // The default namespace's model copied under another namespace.
        (foreign_key, good.clone(), other),
    ] {
        local.plant(store_key, &value);
        let mut engine = Engine::open(clock.clone(), cfg, local.clone());
        let faults: Vec<String> = events(&mut engine)
            .into_iter()
            .filter(|e| e.starts_with("fault"))
            .collect();
        assert_eq!(faults, ["fault CORRUPT_ENTRY -"], "{value:.20}");
        assert!(local.value(store_key).is_none(), "removed");
        engine.set_idb_available(false, "not in this test");
        engine.set_loader_prefixes(vec!["payments:".into()]);
        read(&mut engine, &clock, "company:40");
        assert!(
            engine.plan_preloads(&Surroundings::default()).is_empty(),
            "nothing trusted"
        );
    }
}

#[test]
fn the_saved_model_stays_within_its_bound_and_the_free_room() {
    let (mut engine, clock, local, _) = predicting(|_| {});
    // Thousands of distinct names: far more than 64 KiB of contexts.
    for n in 0..3_000 {
        clock.advance(1_000);
        engine
            .lookup(&format!("quarterly-revenue-report-{n}:summary-by-region"))
            .unwrap();
        clock.advance(1_000);
        engine
            .lookup(&format!("quarterly-revenue-chart-{n}:series-by-month"))
            .unwrap();
    }
    engine.save_model(true);
    let key = "smartcache-predict:7:default";
    let value = local.value(key).unwrap();
    let cost = 2 * (units(key) + units(&value)) as u64;
    assert!(cost <= preload::MAX_MODEL_BYTES, "{cost}");
    assert!(
        cost > preload::MAX_MODEL_BYTES - 1_024,
        "it uses what it may: {cost}"
    );
    // With little free room in localStorage, it takes only that.
    let (mut small, clock, local, _) = predicting(|c| c.local_storage_bytes = Some(30_000.0));
    small
        .set("big", &noise(10_000), SetOptions::default())
        .unwrap();
    for n in 0..300 {
        // Misses teach it too; nothing is stored.
        clock.advance(1_000);
        small.lookup(&format!("report-{n}:summary")).unwrap();
    }
    small.save_model(true);
    let value = local.value(key).unwrap();
    let used = small.policies.local.weight() + 2 * (units(key) + units(&value)) as u64;
    assert!(used <= 30_000, "{used}");
    assert!(small.has("big").unwrap(), "no entry made room for it");
}
