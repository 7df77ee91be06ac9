use super::*;
use crate::core::clock::ManualClock;
use crate::core::options::{CacheOptionsInput, SetOptionsInput};
use proptest::prelude::*;

fn engine_with(memory_bytes: f64) -> (Engine<ManualClock>, ManualClock) {
    let clock = ManualClock::new(1_700_000_000_000);
    let config = CacheOptionsInput {
        memory_bytes: Some(memory_bytes),
        ..Default::default()
    }
    .validate()
    .unwrap();
    (Engine::new(clock.clone(), config), clock)
}

fn ttl(ms: f64) -> SetOptions {
    SetOptionsInput {
        ttl_ms: Some(ms),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn removals(engine: &mut Engine<ManualClock>) -> Vec<(String, RemovalCause)> {
    engine
        .drain_events()
        .filter_map(|e| match e {
            Event::Removed { key, cause, .. } => Some((key.to_string(), cause)),
            _ => None,
        })
        .collect()
}

#[test]
fn set_reports_the_entry_and_counts_hits() {
    let (mut engine, _) = engine_with(1e6);
    let stored = engine
        .set("company:42", br#"{"id":42}"#, SetOptions::default())
        .unwrap();
    engine.record_accesses(&[stored.id, stored.id], 1);
    let stats = engine.stats();
    assert_eq!((stats.hits, stats.misses), (2, 1));
    assert!((stats.hit_rate - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        stats.memory,
        TierStats {
            entries: 1,
            bytes: 9,
            hits: 2
        }
    );
    let info = &engine.entries()[0];
    assert_eq!(
        (info.key.as_str(), info.tier, info.in_memory, info.hits),
        ("company:42", "memory", true, 2)
    );
    assert!(matches!(
        engine.drain_events().next(),
        Some(Event::Set {
            tier: Tier::Memory,
            ..
        })
    ));
}

#[test]
fn a_rewrite_keeps_the_handle_and_starts_counting_afresh() {
    let (mut engine, _) = engine_with(1e6);
    let first = engine.set("k", b"1", SetOptions::default()).unwrap();
    engine.record_accesses(&[first.id], 0);
    let second = engine.set("k", b"22", SetOptions::default()).unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(engine.entries()[0].hits, 0);
    assert_eq!(engine.stats().hits, 1);
    assert_eq!(engine.stats().memory.bytes, 2);
}

#[test]
fn handles_of_removed_entries_are_reused_and_accesses_to_them_ignored() {
    let (mut engine, _) = engine_with(1e6);
    let a = engine.set("a", b"1", SetOptions::default()).unwrap();
    engine.set("b", b"1", SetOptions::default()).unwrap();
    engine.delete("a").unwrap();
    // A hit buffered before the delete still counts for the cache, but for no entry.
    engine.record_accesses(&[a.id], 0);
    assert_eq!(engine.stats().hits, 1);
    assert!(engine.entries().iter().all(|e| e.hits == 0));
    let c = engine.set("c", b"1", SetOptions::default()).unwrap();
    assert_eq!(c.id, a.id);
    assert_eq!(engine.entries().len(), 2);
}

#[test]
fn memory_stays_within_budget_and_reports_evictions() {
    let (mut engine, _) = engine_with(1_000.0);
    for i in 0..50 {
        engine
            .set(&format!("k{i}"), &[b'x'; 100], SetOptions::default())
            .unwrap();
    }
    let stats = engine.stats();
    assert!(stats.memory.bytes <= 1_000);
    assert_eq!(stats.memory.entries, 10);
    let evicted = removals(&mut engine);
    assert_eq!(evicted.len(), 40);
    assert!(evicted
        .iter()
        .all(|(_, cause)| *cause == RemovalCause::Evicted));
    assert_eq!(engine.entries().len(), 10);
}

#[test]
fn an_entry_larger_than_every_tier_is_refused_and_nothing_changes() {
    let (mut engine, _) = engine_with(100.0);
    engine.set("small", b"{}", SetOptions::default()).unwrap();
    let err = engine
        .set("big", &[b'x'; 101], SetOptions::default())
        .unwrap_err();
    assert_eq!(err, Error::EntryTooLarge { size: 101 });
    assert_eq!(err.code(), "ENTRY_TOO_LARGE");
    assert!(engine.has("small").unwrap());
    assert!(!engine.has("big").unwrap());
}

#[test]
fn entries_expire_on_the_clock() {
    let (mut engine, clock) = engine_with(1e6);
    let stored = engine.set("k", b"1", ttl(1_000.0)).unwrap();
    assert_eq!(stored.expires_at, Some(clock.now_ms() + 1_000));
    engine.set("forever", b"2", SetOptions::default()).unwrap();
    clock.advance(999);
    assert!(engine.has("k").unwrap());
    removals(&mut engine);
    clock.advance(1);
    assert!(!engine.has("k").unwrap());
    assert_eq!(
        removals(&mut engine),
        [("k".to_string(), RemovalCause::Expired)]
    );
    assert!(engine.has("forever").unwrap());
    assert_eq!(engine.stats().memory.entries, 1);
}

#[test]
fn default_ttl_applies_unless_a_ttl_is_given() {
    let clock = ManualClock::new(0);
    let config = CacheOptionsInput {
        default_ttl_ms: Some(100.0),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut engine = Engine::new(clock.clone(), config);
    assert_eq!(
        engine
            .set("a", b"1", SetOptions::default())
            .unwrap()
            .expires_at,
        Some(100)
    );
    assert_eq!(
        engine.set("b", b"1", ttl(5_000.0)).unwrap().expires_at,
        Some(5_000)
    );
}

#[test]
fn a_rewrite_drops_the_old_expiry() {
    let (mut engine, clock) = engine_with(1e6);
    engine.set("k", b"1", ttl(10.0)).unwrap();
    engine.set("k", b"2", SetOptions::default()).unwrap();
    clock.advance(50);
    assert!(engine.has("k").unwrap());
}

#[test]
fn delete_clear_and_close() {
    let (mut engine, _) = engine_with(1e6);
    engine.set("a", b"1", SetOptions::default()).unwrap();
    engine.set("b", b"1", SetOptions::default()).unwrap();
    assert!(engine.delete("a").unwrap());
    assert!(!engine.delete("a").unwrap());
    engine.clear().unwrap();
    assert!(engine.entries().is_empty());
    assert_eq!(engine.stats().memory.bytes, 0);
    engine.close();
    assert_eq!(
        engine.set("c", b"1", SetOptions::default()).unwrap_err(),
        Error::Closed
    );
    assert_eq!(engine.delete("b").unwrap_err().code(), "CLOSED");
}

#[test]
fn bad_keys_are_refused_everywhere() {
    let (mut engine, _) = engine_with(1e6);
    let long = "k".repeat(1025);
    for key in ["", long.as_str()] {
        assert_eq!(
            engine
                .set(key, b"1", SetOptions::default())
                .unwrap_err()
                .code(),
            "INVALID_KEY"
        );
        assert_eq!(engine.delete(key).unwrap_err().code(), "INVALID_KEY");
        assert_eq!(engine.has(key).unwrap_err().code(), "INVALID_KEY");
        assert_eq!(engine.miss(key).unwrap_err().code(), "INVALID_KEY");
    }
    assert!(engine.set("ok", b"1", SetOptions::default()).is_ok());
}

proptest! {
    /// Whatever the sequence, the memory tier holds exactly the entries the engine lists, within budget.
    #[test]
    fn memory_and_metadata_agree(ops in proptest::collection::vec((0u8..40, 1usize..400, 0u8..6), 1..300)) {
        let (mut engine, clock) = engine_with(2_000.0);
        let mut ids = Vec::new();
        for (k, size, what) in ops {
            let key = format!("k{k}");
            match what {
                0 => { let _ = engine.delete(&key); }
                1 => clock.advance(size as u64),
                2 => ids.push(engine.set(&key, &vec![b'x'; size], ttl(300.0)).unwrap().id),
                3 => {
                    let before = engine.entries();
                    prop_assert!(engine.set(&key, &vec![b'x'; 2_001], SetOptions::default()).is_err());
                    prop_assert_eq!(engine.entries(), before);
                }
                4 => {
                    // The face drains its buffer before every set.
                    engine.record_accesses(&ids, 0);
                    ids.clear();
                }
                _ => ids.push(engine.set(&key, &vec![b'x'; size], SetOptions::default()).unwrap().id),
            }
            let listed = engine.entries();
            let stats = engine.stats();
            prop_assert!(stats.memory.bytes <= 2_000);
            prop_assert_eq!(stats.memory.entries as usize, listed.len());
            prop_assert_eq!(stats.memory.bytes, listed.iter().map(|e| e.raw_bytes).sum::<u64>());
            let now = clock.now_ms();
            prop_assert!(listed.iter().all(|e| e.in_memory && e.expires_at.is_none_or(|at| at > now)));
        }
    }
}
