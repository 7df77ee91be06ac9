//! Times the invalidation of a 1,000-entry cascade inside a 100,000-entry cache, natively.
//!   cargo run --release --example cascade

use smartcache::core::clock::ManualClock;
use smartcache::core::engine::options::{CacheOptionsInput, SetOptionsInput, TierChoice};
use smartcache::core::engine::Engine;
use smartcache::store::memory::MemoryLocalStore;
use std::time::Instant;

fn main() {
    let config = CacheOptionsInput {
        local_storage_bytes: Some(64e6),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut engine = Engine::open(ManualClock::new(0), config, MemoryLocalStore::default());
    let memory = SetOptionsInput {
        tier: Some(TierChoice::Memory),
        ..Default::default()
    };
    for i in 0..99_000 {
        engine
            .set(
                &format!("company:{i}"),
                br#"{"id":1,"name":"Acme"}"#,
                memory.clone().validate().unwrap(),
            )
            .unwrap();
    }
    // A tree: payment:root <- 10 lists <- 989 company pages, persisted in localStorage.
    engine
        .set(
            "payment:root",
            b"1",
            SetOptionsInput::default().validate().unwrap(),
        )
        .unwrap();
    for list in 0..10 {
        let options = SetOptionsInput {
            depends_on: Some(vec!["payment:root".into()]),
            ..Default::default()
        };
        engine
            .set(
                &format!("payments:list:{list}"),
                b"[1]",
                options.validate().unwrap(),
            )
            .unwrap();
    }
    for page in 0..989 {
        let options = SetOptionsInput {
            depends_on: Some(vec![format!("payments:list:{}", page % 10)]),
            ..Default::default()
        };
        engine
            .set(&format!("page:{page}"), b"{}", options.validate().unwrap())
            .unwrap();
    }
    assert_eq!(engine.entries().len(), 100_000);
    let started = Instant::now();
    let removed = engine.invalidate("payment:root").unwrap();
    let elapsed = started.elapsed();
    assert_eq!(removed.len(), 1_000);
    println!(
        "invalidated a {}-entry cascade in a 100,000-entry cache in {:.3} ms",
        removed.len(),
        elapsed.as_secs_f64() * 1e3
    );
}
