//! Engine rules on the manual clock and the in-process localStorage; IndexedDB's side of the
//! outbox is played by a map (`Idb`) that applies flushed operations as the browser layer does.

use super::*;
use crate::core::clock::ManualClock;
use crate::core::engine::options::{CacheOptionsInput, SetOptionsInput};
use crate::core::engine::stats::TierStats;
use crate::store::memory::{MemoryIdb, MemoryLocalStore};
use proptest::prelude::*;

type TestEngine = Engine<ManualClock, MemoryLocalStore>;

const START: u64 = 1_700_000_000_000;

fn config(edit: impl FnOnce(&mut CacheOptionsInput)) -> CacheConfig {
    let mut input = CacheOptionsInput::default();
    edit(&mut input);
    input.validate().unwrap()
}

fn engine_with(memory_bytes: f64) -> (TestEngine, ManualClock) {
    let clock = ManualClock::new(START);
    let engine = Engine::open(
        clock.clone(),
        config(|c| c.memory_bytes = Some(memory_bytes)),
        MemoryLocalStore::default(),
    );
    (engine, clock)
}

fn opts(edit: impl FnOnce(&mut SetOptionsInput)) -> SetOptions {
    let mut input = SetOptionsInput::default();
    edit(&mut input);
    input.validate().unwrap()
}

fn ttl(ms: f64) -> SetOptions {
    opts(|o| o.ttl_ms = Some(ms))
}

fn memory_only() -> SetOptions {
    opts(|o| o.tier = Some(TierChoice::Memory))
}

/// The in-process IndexedDB of `store/memory.rs`.
type Idb = MemoryIdb;

fn events(engine: &mut TestEngine) -> Vec<String> {
    engine
        .drain_events()
        .map(|e| match e {
            Event::Set { key, tier } => format!("set {key} {}", tier.as_str()),
            Event::Hit { key, tier } => format!("hit {key} {}", tier.as_str()),
            Event::Miss { key } => format!("miss {key}"),
            Event::Evicted { key, tier } => format!("evict {key} {}", tier.as_str()),
            Event::Removed { key, cause, .. } => format!("{cause:?} {key}").to_lowercase(),
            Event::Fault { code, key, .. } => {
                format!("fault {} {}", code.as_str(), key.as_deref().unwrap_or("-"))
            }
            Event::Invalidated { key, removed } => {
                format!("invalidate {key} {}", removed.join(","))
            }
            Event::Cleared => "clear".into(),
            Event::LoadSpoiled { load } => format!("spoiled {load}"),
            Event::Prefetch { key, reason, .. } => format!("prefetch {key} {}", reason.as_str()),
        })
        .collect()
}

/// Bytes that LZ4 cannot shrink.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b'a' + (state % 26) as u8
        })
        .collect()
}

fn json_of(n: usize) -> Vec<u8> {
    format!(
        r#"{{"id":{n},"rows":[{}]}}"#,
        vec![format!("{n}"); 20].join(",")
    )
    .into_bytes()
}

#[test]
fn set_reports_the_entry_and_counts_hits() {
    let (mut engine, _) = engine_with(1e6);
    let stored = engine
        .set("company:42", br#"{"id":42}"#, SetOptions::default())
        .unwrap();
    assert!(stored.in_memory);
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
    assert_eq!(stats.local.entries, 1);
    let info = &engine.entries()[0];
    assert_eq!(
        (info.key.as_str(), info.tier, info.in_memory, info.hits),
        ("company:42", "local", true, 2)
    );
    assert_eq!(events(&mut engine), ["set company:42 local"]);
}

#[test]
fn a_rewrite_starts_counting_afresh() {
    let (mut engine, _) = engine_with(1e6);
    let first = engine.set("k", b"1", SetOptions::default()).unwrap();
    engine.record_accesses(&[first.id], 0);
    engine.set("k", b"22", SetOptions::default()).unwrap();
    assert_eq!(engine.entries()[0].hits, 0);
    assert_eq!(engine.stats().hits, 1);
    assert_eq!(engine.stats().memory.bytes, 2);
    assert_eq!(engine.stats().local.entries, 1);
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
fn memory_only_entries_stay_within_budget_and_go_when_evicted() {
    let (mut engine, _) = engine_with(1_000.0);
    for i in 0..50 {
        engine
            .set(&format!("k{i}"), &[b'x'; 100], memory_only())
            .unwrap();
    }
    let stats = engine.stats();
    assert!(stats.memory.bytes <= 1_000);
    assert_eq!(stats.memory.entries, 10);
    assert_eq!(stats.local.entries, 0);
    let evicted: Vec<_> = events(&mut engine)
        .into_iter()
        .filter(|e| e.starts_with("evict"))
        .collect();
    assert_eq!(evicted.len(), 40);
    assert!(evicted.iter().all(|e| e.ends_with(" memory")));
    assert_eq!(engine.entries().len(), 10);
}

#[test]
fn persisted_entries_evicted_from_memory_are_read_back_from_their_tier() {
    let (mut engine, _) = engine_with(1_000.0);
    let mut idb = Idb::default();
    for i in 0..20 {
        engine
            .set(&format!("k{i}"), &[b'7'; 100], SetOptions::default())
            .unwrap();
    }
    assert_eq!(engine.entries().len(), 20);
    assert_eq!(engine.stats().memory.entries, 10);
    let evicted = engine.entries().into_iter().find(|e| !e.in_memory).unwrap();
    assert_eq!(idb.get(&mut engine, &evicted.key).unwrap(), "7".repeat(100));
    assert!(
        engine
            .entries()
            .iter()
            .find(|e| e.key == evicted.key)
            .unwrap()
            .in_memory
    );
    assert_eq!(engine.stats().local.hits, 1);
}

#[test]
fn an_entry_larger_than_every_tier_is_refused_and_nothing_changes() {
    let clock = ManualClock::new(START);
    let small = config(|c| {
        c.memory_bytes = Some(100.0);
        c.local_storage_bytes = Some(200.0);
        c.indexed_db_bytes = Some(0.0);
    });
    let mut engine = Engine::open(clock, small, MemoryLocalStore::default());
    engine.set("small", b"{}", SetOptions::default()).unwrap();
    // Incompressible, so that no tier's stored size is small.
    let noise = noise(400);
    let err = engine
        .set("big", &noise, SetOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), "ENTRY_TOO_LARGE");
    let err = engine
        .set("small", &noise[..150], memory_only())
        .unwrap_err();
    assert_eq!(err.code(), "ENTRY_TOO_LARGE");
    assert!(engine.has("small").unwrap());
    assert!(!engine.has("big").unwrap());
    assert_eq!(
        engine.entries()[0].raw_bytes,
        2,
        "the refused rewrite left the old value"
    );
}

#[test]
fn entries_expire_on_the_clock() {
    let (mut engine, clock) = engine_with(1e6);
    let stored = engine.set("k", b"1", ttl(1_000.0)).unwrap();
    assert_eq!(stored.expires_at, Some(START + 1_000));
    engine.set("forever", b"2", SetOptions::default()).unwrap();
    clock.advance(999);
    assert!(engine.has("k").unwrap());
    events(&mut engine);
    clock.advance(1);
    assert!(!engine.has("k").unwrap());
    assert_eq!(events(&mut engine), ["expired k"]);
    assert!(engine.has("forever").unwrap());
    assert_eq!(engine.stats().local.entries, 1);
}

#[test]
fn default_ttl_applies_unless_a_ttl_is_given() {
    let clock = ManualClock::new(0);
    let mut engine = Engine::open(
        clock,
        config(|c| c.default_ttl_ms = Some(100.0)),
        MemoryLocalStore::default(),
    );
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
        assert_eq!(engine.lookup(key).unwrap_err().code(), "INVALID_KEY");
    }
    assert!(engine.set("ok", b"1", SetOptions::default()).is_ok());
}

#[test]
fn bookkeeping_stays_bounded_by_live_entries_and_loads() {
    let (mut engine, _) = engine_with(1e6);
    let pending = engine.begin_load("never:settles", &SetOptions::default());
    for i in 0..100_000 {
        let key = format!("k:{i}");
        engine.set(&key, b"1", ttl(3_600_000.0)).unwrap();
        engine.delete(&key).unwrap();
        engine.invalidate(&format!("other:{i}")).unwrap();
    }
    assert!(
        engine.expiries.len() <= 2 * engine.index.len() + 65,
        "{}",
        engine.expiries.len()
    );
    assert_eq!(engine.loads_in_flight(), 1);
    engine.end_load(pending);
    assert_eq!(engine.loads_in_flight(), 0);
}

mod admission;
mod binding;
mod fallback;
mod inspect;
mod invalidation;
mod model;
mod opening;
mod persistence;
mod preloading;
mod tabs;
mod tabs_model;
use persistence::persistence_fixture;

proptest! {
    /// Whatever the sequence, each tier holds exactly the entries the engine lists, within budget.
    #[test]
    fn tiers_and_metadata_agree(ops in proptest::collection::vec((0u8..40, 1usize..400, 0u8..7), 1..300)) {
        let clock = ManualClock::new(START);
        let small = config(|c| {
            c.memory_bytes = Some(2_000.0);
            c.local_storage_bytes = Some(6_000.0);
            c.indexed_db_bytes = Some(8_000.0);
            c.large_entry_bytes = Some(200.0);
            c.compress_above_bytes = Some(100_000.0);
        });
        let mut engine = Engine::open(clock.clone(), small, MemoryLocalStore::default());
        engine.set_idb_available(true, "");
        let mut idb = Idb::default();
        let mut ids = Vec::new();
        for (k, size, what) in ops {
            let key = format!("k{k}");
            match what {
                0 => { let _ = engine.delete(&key); }
                1 => clock.advance(size as u64),
                2 => ids.push(engine.set(&key, &vec![b'x'; size], ttl(300.0)).unwrap().id),
                3 => {
                    let before = engine.entries();
                    prop_assert!(engine.set(&key, &vec![b'x'; 9_000], memory_only()).is_err());
                    prop_assert_eq!(engine.entries(), before);
                }
                4 => {
                    // The face drains its buffer before every set.
                    engine.record_accesses(&ids, 0);
                    ids.clear();
                }
                5 => { idb.get(&mut engine, &key); }
                _ => ids.push(engine.set(&key, &vec![b'x'; size], SetOptions::default()).unwrap().id),
            }
            engine.purge_expired();
            idb.flush(&mut engine);
            let listed = engine.entries();
            let stats = engine.stats();
            prop_assert!(stats.memory.bytes <= 2_000);
            prop_assert!(stats.local.bytes <= 6_000);
            prop_assert!(stats.indexeddb.bytes <= 8_000);
            let in_tier = |tier: &str| listed.iter().filter(|e| e.tier == tier).count() as u64;
            prop_assert_eq!(stats.local.entries, in_tier("local"));
            prop_assert_eq!(stats.indexeddb.entries, in_tier("indexeddb"));
            prop_assert_eq!(stats.memory.entries, listed.iter().filter(|e| e.in_memory).count() as u64);
            prop_assert!(listed.iter().all(|e| e.tier != "memory" || e.in_memory));
            prop_assert_eq!(idb.records.len() as u64, stats.indexeddb.entries);
            let now = clock.now_ms();
            prop_assert!(listed.iter().all(|e| e.expires_at.is_none_or(|at| at > now)));
        }
    }
}
