//! Times opening an engine over 1,000 persisted entries, natively (the start-up scan).
//!   cargo run --release --example startup

use smartcache::core::clock::ManualClock;
use smartcache::core::engine::options::{CacheOptionsInput, SetOptionsInput};
use smartcache::core::engine::Engine;
use smartcache::store::memory::MemoryLocalStore;
use std::time::Instant;

fn main() {
    let config = CacheOptionsInput::default().validate().unwrap();
    let local = MemoryLocalStore::default();
    let mut engine = Engine::open(ManualClock::new(0), config.clone(), local.clone());
    let value = format!(
        "{{\"id\":1,\"name\":\"Acme\",\"contacts\":[{}]}}",
        vec!["\"ada@example.com\""; 40].join(",")
    );
    for i in 0..1_000 {
        engine
            .set(
                &format!("company:{i}"),
                value.as_bytes(),
                SetOptionsInput::default().validate().unwrap(),
            )
            .unwrap();
    }
    let started = Instant::now();
    let reopened = Engine::open(ManualClock::new(0), config, local);
    let elapsed = started.elapsed();
    drop(reopened);
    println!(
        "opened over 1,000 persisted entries in {:.3} ms",
        elapsed.as_secs_f64() * 1e3
    );
}
