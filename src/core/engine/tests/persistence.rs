//! The persistent tiers: placement, reloads, budgets, quota faults, versions, damaged values.

use super::*;

pub(super) fn persistence_fixture() -> (TestEngine, ManualClock, MemoryLocalStore, Idb, CacheConfig)
{
    with_idb(|_| {})
}

pub(super) fn with_idb(
    edit: impl FnOnce(&mut CacheOptionsInput),
) -> (TestEngine, ManualClock, MemoryLocalStore, Idb, CacheConfig) {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let config = config(edit);
    let idb = Idb::default();
    let engine = idb.reopen(&clock, config.clone(), &local);
    (engine, clock, local, idb, config)
}

pub(super) fn in_idb() -> SetOptions {
    opts(|o| o.tier = Some(TierChoice::IndexedDb))
}

pub(super) fn tier_of(engine: &mut TestEngine, key: &str) -> &'static str {
    engine
        .entries()
        .into_iter()
        .find(|e| e.key == key)
        .map_or("none", |e| e.tier)
}

#[test]
fn placement_follows_size_and_explicit_tiers() {
    let (mut engine, _, local, mut idb, _) = with_idb(|c| c.large_entry_bytes = Some(1_000.0));
    let big = noise(5_000);
    engine
        .set("small", &json_of(1), SetOptions::default())
        .unwrap();
    engine.set("large", &big, SetOptions::default()).unwrap();
    engine.set("pinned", &json_of(2), in_idb()).unwrap();
    engine.set("volatile", &json_of(3), memory_only()).unwrap();
    idb.flush(&mut engine);
    assert_eq!(tier_of(&mut engine, "small"), "local");
    assert_eq!(tier_of(&mut engine, "large"), "indexeddb");
    assert_eq!(tier_of(&mut engine, "pinned"), "indexeddb");
    assert_eq!(tier_of(&mut engine, "volatile"), "memory");
    assert_eq!(local.keys().len(), 1);
    assert_eq!(idb.records.keys().collect::<Vec<_>>(), ["large", "pinned"]);
    assert!(local.keys()[0].starts_with("smartcache:7:default:1:"));
}

#[test]
fn values_survive_a_reload_and_are_promoted_on_read() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|c| {
        // The company (35 stored bytes) stays small; the payments list (compressed) is large.
        c.large_entry_bytes = Some(40.0);
        c.compress_above_bytes = Some(64.0);
    });
    let large = format!(
        "[{}]",
        vec![r#"{"amount":100,"status":"paid"}"#; 20].join(",")
    );
    let large = large.as_bytes();
    engine
        .set(
            "company:42",
            br#"{"id":42,"name":"Acme"}"#,
            SetOptions::default(),
        )
        .unwrap();
    engine
        .set(
            "payments:company:42",
            large,
            opts(|o| o.tags = Some(vec!["payments".into()])),
        )
        .unwrap();
    engine.set("session", b"1", memory_only()).unwrap();
    idb.flush(&mut engine);

    let mut reloaded = idb.reopen(&clock, config, &local);
    assert_eq!(reloaded.stats().memory.entries, 0);
    assert_eq!(
        reloaded.entries().len(),
        2,
        "the memory-only entry did not survive"
    );
    assert_eq!(
        idb.get(&mut reloaded, "company:42").unwrap(),
        r#"{"id":42,"name":"Acme"}"#
    );
    assert_eq!(
        idb.get(&mut reloaded, "payments:company:42")
            .unwrap()
            .as_bytes(),
        large
    );
    assert_eq!(idb.get(&mut reloaded, "session"), None);
    let stats = reloaded.stats();
    assert_eq!(
        (stats.local.hits, stats.indexeddb.hits, stats.misses),
        (1, 1, 1)
    );
    assert_eq!(stats.memory.entries, 2);
    let payments = reloaded
        .entries()
        .into_iter()
        .find(|e| e.key == "payments:company:42")
        .unwrap();
    assert_eq!(payments.tags, ["payments"]);
    assert!(payments.in_memory && payments.compressed);
    assert!(stats.stored_bytes < stats.raw_bytes);
}

#[test]
fn a_read_before_the_flush_is_served_from_the_outbox() {
    let (mut engine, _, _, mut idb, _) = with_idb(|_| {});
    engine.set("big", &json_of(9), in_idb()).unwrap();
    assert_eq!(idb.get(&mut engine, "big").unwrap().as_bytes(), json_of(9));
}

#[test]
fn a_stale_indexeddb_read_is_a_miss() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    engine.set("k", &json_of(1), in_idb()).unwrap();
    idb.flush(&mut engine);
    let mut engine = idb.reopen(&clock, config, &local);
    let Lookup::ReadIndexedDb { write } = engine.lookup("k").unwrap() else {
        panic!("expected a read")
    };
    engine.set("k", &json_of(2), in_idb()).unwrap();
    let payload = idb.records["k"].1.clone();
    assert_eq!(
        engine.ingest_indexed_db("k", write, Some(payload)).unwrap(),
        Lookup::Miss
    );
}

#[test]
fn the_local_budget_is_never_exceeded_and_overflow_moves_to_indexeddb() {
    let (mut engine, _, local, mut idb, _) = with_idb(|c| {
        c.local_storage_bytes = Some(20_000.0);
        c.compress_above_bytes = Some(1e9);
    });
    for i in 0..200 {
        engine
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
        idb.flush(&mut engine);
        assert!(
            local.used_units() * 2 <= 20_000,
            "{} units after {i}",
            local.used_units()
        );
    }
    let stats = engine.stats();
    assert_eq!(stats.local.bytes, local.used_units() as u64 * 2);
    assert_eq!(
        stats.local.entries + stats.indexeddb.entries,
        200,
        "nothing was lost"
    );
    assert_rows_readable(&mut idb, &mut engine, [0, 100, 199]);
}

fn assert_rows_readable(
    idb: &mut Idb,
    engine: &mut TestEngine,
    rows: impl IntoIterator<Item = usize>,
) {
    for i in rows {
        let found = idb.get(engine, &format!("row:{i}"));
        assert_eq!(
            found.as_deref().map(str::as_bytes),
            Some(json_of(i).as_slice()),
            "row {i}"
        );
    }
}

#[test]
fn a_real_quota_smaller_than_the_budget_is_handled_and_foreign_keys_are_left_alone() {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::with_quota(6_000);
    local.plant("app:settings", &"s".repeat(1_000));
    let mut engine = Engine::open(
        clock,
        config(|c| c.compress_above_bytes = Some(1e9)),
        local.clone(),
    );
    let mut idb = Idb::default();
    for i in 0..100 {
        engine
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
        idb.flush(&mut engine);
    }
    let log = events(&mut engine);
    assert!(
        log.iter().any(|e| e.starts_with("fault QUOTA_EXCEEDED")),
        "{log:?}"
    );
    assert!(engine.stats().faults > 0);
    assert_eq!(local.value("app:settings").unwrap(), "s".repeat(1_000));
    // IndexedDB is unavailable here: the newest entries stay readable from localStorage.
    assert_rows_readable(&mut idb, &mut engine, 95..100);
}

#[test]
fn with_indexeddb_unavailable_large_entries_stay_in_local_or_memory() {
    let clock = ManualClock::new(START);
    let mut engine = Engine::open(
        clock,
        config(|c| c.large_entry_bytes = Some(10.0)),
        MemoryLocalStore::default(),
    );
    engine.set_idb_available(false, "blocked");
    assert_eq!(events(&mut engine), ["fault UNAVAILABLE -"]);
    engine.set("k", &json_of(1), SetOptions::default()).unwrap();
    assert_eq!(tier_of(&mut engine, "k"), "local");
    assert!(engine.take_outbox().is_empty());
    engine.set("pinned", &json_of(1), in_idb()).unwrap();
    assert_eq!(tier_of(&mut engine, "pinned"), "local");
}

#[test]
fn expiry_survives_a_reload() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    engine.set("short", b"1", ttl(1_000.0)).unwrap();
    engine
        .set(
            "short-idb",
            b"1",
            opts(|o| {
                o.ttl_ms = Some(1_000.0);
                o.tier = Some(TierChoice::IndexedDb);
            }),
        )
        .unwrap();
    engine.set("long", b"2", ttl(60_000.0)).unwrap();
    idb.flush(&mut engine);
    clock.advance(500);
    let mut reloaded = idb.reopen(&clock, config.clone(), &local);
    assert_eq!(reloaded.entries().len(), 3);
    assert_eq!(reloaded.entries()[0].expires_at, Some(START + 60_000));
    clock.advance(500);
    assert!(!reloaded.has("short").unwrap());
    let mut reloaded = idb.reopen(&clock, config, &local);
    idb.flush(&mut reloaded);
    assert_eq!(reloaded.entries().len(), 1);
    assert_eq!(
        local.keys().len(),
        1,
        "the expired value was purged at start-up"
    );
    assert!(idb.records.is_empty());
}

#[test]
fn another_version_purges_older_entries() {
    let (mut engine, clock, local, mut idb, _) = with_idb(|_| {});
    engine.set("k", b"1", SetOptions::default()).unwrap();
    idb.flush(&mut engine);
    let v2 = config(|c| c.version = Some(2.0));
    let mut reloaded = idb.reopen(&clock, v2, &local);
    assert!(local.keys().is_empty());
    assert_eq!(idb.get(&mut reloaded, "k"), None);
}

#[test]
fn damaged_or_foreign_values_read_as_misses_with_a_fault() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    for key in ["truncated", "edited", "moved", "json", "late"] {
        engine.set(key, &json_of(7), SetOptions::default()).unwrap();
    }
    let stored = |key: &str| format!("smartcache:7:default:1:{key}");
    let good = local.value(&stored("truncated")).unwrap();
    let cut: String = good.chars().take(good.chars().count() - 2).collect();
    local.plant(&stored("truncated"), &cut);
    let mut edited: Vec<char> = local.value(&stored("edited")).unwrap().chars().collect();
    let last = edited.len() - 1;
    edited[last] = char::from_u32(edited[last] as u32 ^ 1).unwrap();
    local.plant(&stored("edited"), &edited.into_iter().collect::<String>());
    local.plant(&stored("moved"), &local.value(&stored("json")).unwrap());
    local.plant(&stored("json"), r#"{"id":7}"#);

    // Read now: each reads as a miss, is removed, and counts as a fault.
    for key in ["edited", "json"] {
        assert_eq!(idb.get(&mut engine, key), None, "{key}");
        assert!(local.value(&stored(key)).is_none());
    }
    assert_eq!(engine.stats().faults, 2);
    // Or found at start-up.
    let mut reloaded = idb.reopen(&clock, config, &local);
    let log = events(&mut reloaded);
    assert_eq!(
        log.iter()
            .filter(|e| e.starts_with("fault CORRUPT_ENTRY"))
            .count(),
        2,
        "{log:?}"
    );
    for key in ["truncated", "moved"] {
        assert_eq!(idb.get(&mut reloaded, key), None, "{key}");
    }
    assert_eq!(
        idb.get(&mut reloaded, "late").unwrap().as_bytes(),
        json_of(7)
    );
    assert_eq!(local.keys(), [stored("late")]);
}

#[test]
fn clear_leaves_other_namespaces_and_foreign_keys() {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    local.plant("app:token", "abc");
    let mut a = Engine::open(
        clock.clone(),
        config(|c| c.namespace = Some("a".into())),
        local.clone(),
    );
    // A namespace that starts like the other one's keys must not collide with it.
    let mut b = Engine::open(
        clock,
        config(|c| c.namespace = Some("a:1".into())),
        local.clone(),
    );
    a.set("k", b"1", SetOptions::default()).unwrap();
    b.set("k", b"2", SetOptions::default()).unwrap();
    a.clear().unwrap();
    assert_eq!(local.keys(), ["app:token", "smartcache:3:a:1:1:k"]);
    assert!(b.has("k").unwrap());
}

#[test]
fn damaged_indexeddb_records_are_faults_not_panics() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    for key in ["bad-meta", "bad-payload", "missing", "moved", "fine"] {
        engine.set(key, &json_of(3), in_idb()).unwrap();
    }
    idb.flush(&mut engine);
    idb.records.get_mut("bad-meta").unwrap().0.truncate(5);
    let payload = &mut idb.records.get_mut("bad-payload").unwrap().1;
    let last = payload.len() - 1;
    payload[last] ^= 0x20;
    idb.records.get_mut("missing").unwrap().1.clear();
    let fine_meta = idb.records["fine"].0.clone();
    idb.records.get_mut("moved").unwrap().0 = fine_meta;

    let mut reloaded = idb.reopen(&clock, config, &local);
    // Two records are refused at start-up: unreadable metadata, and metadata of another key.
    assert_eq!(reloaded.stats().faults, 2);
    assert_eq!(reloaded.entries().len(), 3);
    for key in ["bad-meta", "bad-payload", "missing", "moved"] {
        assert_eq!(idb.get(&mut reloaded, key), None, "{key}");
    }
    assert_eq!(
        idb.get(&mut reloaded, "fine").unwrap().as_bytes(),
        json_of(3)
    );
    assert_eq!(reloaded.stats().faults, 4);
    idb.flush(&mut reloaded);
    assert_eq!(idb.records.keys().collect::<Vec<_>>(), ["fine"]);
}

#[test]
fn a_quota_too_small_for_the_entry_demotes_it_to_indexeddb() {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::with_quota(50);
    let mut idb = Idb::default();
    let mut engine = idb.reopen(&clock, config(|_| {}), &local);
    engine
        .set("row:1", &json_of(1), SetOptions::default())
        .unwrap();
    idb.flush(&mut engine);
    assert_eq!(tier_of(&mut engine, "row:1"), "indexeddb");
    assert!(events(&mut engine)
        .iter()
        .any(|e| e == "fault QUOTA_EXCEEDED row:1"));
    assert_rows_readable(&mut idb, &mut engine, [1]);
}

#[test]
fn an_entry_with_long_metadata_is_read_back_at_start_up() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    let tags: Vec<String> = (0..30)
        .map(|i| format!("a-rather-long-tag-name-{i}"))
        .collect();
    engine
        .set("tagged", &json_of(5), opts(|o| o.tags = Some(tags.clone())))
        .unwrap();
    let mut reloaded = idb.reopen(&clock, config, &local);
    let mut expected = tags;
    expected.sort();
    assert_eq!(reloaded.entries()[0].tags, expected);
    assert_eq!(
        idb.get(&mut reloaded, "tagged").unwrap().as_bytes(),
        json_of(5)
    );
    assert_eq!(reloaded.stats().faults, 0);
}

#[test]
fn an_indexeddb_entry_weighs_its_metadata_twice_and_its_payload() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    engine.set("big", &json_of(9), in_idb()).unwrap();
    idb.flush(&mut engine);
    // The metadata is stored beside the payload and again in the journal.
    let (meta, payload) = idb.records["big"].clone();
    let expected = 2 * meta.len() as u64 + payload.len() as u64;
    assert_eq!(engine.stats().indexeddb.bytes, expected);
    let mut reloaded = idb.reopen(&clock, config, &local);
    assert_eq!(reloaded.stats().indexeddb.bytes, expected);
}

#[test]
fn reads_before_the_scan_of_local_storage_find_what_it_would() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    for key in ["a", "b", "short", "damaged"] {
        engine.set(key, b"1", SetOptions::default()).unwrap();
    }
    engine.set("short", b"2", ttl(1_000.0)).unwrap();
    idb.flush(&mut engine);
    let damaged = "smartcache:7:default:1:damaged";
    let mut edited: Vec<char> = local.value(damaged).unwrap().chars().collect();
    let last = edited.len() - 1;
    edited[last] = char::from_u32(edited[last] as u32 ^ 1).unwrap();
    local.plant(damaged, &edited.into_iter().collect::<String>());
    clock.advance(1_000);

    let mut reloaded = Engine::open_unindexed(clock.clone(), config, local.clone());
    reloaded.set_idb_available(true, "");
    // Each read indexes its own key only: found, expired (purged), damaged (purged, a fault),
    // absent.
    assert_eq!(idb.get(&mut reloaded, "a").as_deref(), Some("1"));
    assert_eq!(idb.get(&mut reloaded, "short"), None);
    assert_eq!(idb.get(&mut reloaded, "damaged"), None);
    assert_eq!(idb.get(&mut reloaded, "missing"), None);
    assert_eq!(
        local.keys().len(),
        2,
        "the expired and the damaged value are purged"
    );
    let log = events(&mut reloaded);
    assert_eq!(
        log.iter()
            .filter(|e| e.starts_with("fault CORRUPT_ENTRY"))
            .count(),
        1
    );
    assert_eq!(reloaded.stats().faults, 1);
    // The scan then indexes the rest, once, and `a` is not indexed twice.
    reloaded.index_local();
    reloaded.index_local();
    let keys: Vec<_> = reloaded.entries().into_iter().map(|e| e.key).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.contains(&"a".to_string()) && keys.contains(&"b".to_string()));
    assert_eq!(reloaded.stats().faults, 1);
    assert_eq!(idb.get(&mut reloaded, "b").as_deref(), Some("1"));
}

/// A page load that indexes IndexedDB's records before it scans localStorage, as the browser
/// layer does.
fn reopen_idb_first(
    idb: &Idb,
    clock: &ManualClock,
    config: CacheConfig,
    local: &MemoryLocalStore,
) -> TestEngine {
    let mut engine = Engine::open_unindexed(clock.clone(), config, local.clone());
    engine.set_idb_available(true, "");
    for (key, (meta, _)) in &idb.records {
        engine.load_idb_record(key, meta);
    }
    engine
}

#[test]
fn the_newer_of_two_copies_wins_when_local_storage_is_scanned_after_indexed_db() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    let stored = "smartcache:7:default:1:";
    // "old-local": localStorage holds an older copy than IndexedDB (a page closed before it
    // removed it); "old-idb": the other way round.
    engine
        .set("old-local", b"1", SetOptions::default())
        .unwrap();
    let older_local = local.value(&format!("{stored}old-local")).unwrap();
    engine.set("old-idb", b"1", in_idb()).unwrap();
    idb.flush(&mut engine);
    let older_record = idb.records["old-idb"].clone();
    clock.advance(1);
    engine.set("old-local", b"2", in_idb()).unwrap();
    engine.set("old-idb", b"2", SetOptions::default()).unwrap();
    idb.flush(&mut engine);
    local.plant(&format!("{stored}old-local"), &older_local);
    idb.records.insert("old-idb".into(), older_record.clone());

    for read_first in [true, false] {
        let mut reloaded = reopen_idb_first(&idb, &clock, config.clone(), &local);
        if read_first {
            assert_eq!(idb.get(&mut reloaded, "old-local").as_deref(), Some("2"));
            assert_eq!(idb.get(&mut reloaded, "old-idb").as_deref(), Some("2"));
        }
        reloaded.index_local();
        assert_eq!(tier_of(&mut reloaded, "old-local"), "indexeddb");
        assert_eq!(tier_of(&mut reloaded, "old-idb"), "local");
        assert_eq!(reloaded.entries().len(), 2);
        assert_eq!(idb.get(&mut reloaded, "old-local").as_deref(), Some("2"));
        assert_eq!(idb.get(&mut reloaded, "old-idb").as_deref(), Some("2"));
        // The older copies are gone from storage.
        assert!(local.value(&format!("{stored}old-local")).is_none());
        idb.flush(&mut reloaded);
        assert!(!idb.records.contains_key("old-idb"));
        // Put them back for the next round.
        local.plant(&format!("{stored}old-local"), &older_local);
        idb.records.insert("old-idb".into(), older_record.clone());
    }
}

/// What a batch does to the database whatever puts went ahead of it (`take_early_puts`, taken
/// between the writes as the browser layer takes them): `(action, key)` with 0 a set, 1 a delete,
/// 2 a clear, 3 a taking of the early puts.
fn stored_after(actions: &[(u8, usize)], take_early: bool) -> Vec<(String, Vec<u8>)> {
    let (mut engine, _, _, mut idb, _) = with_idb(|_| {});
    let mut early = Vec::new();
    for (n, &(action, key)) in actions.iter().enumerate() {
        let key = format!("k{key}");
        match action {
            0 => drop(engine.set(&key, &json_of(n), in_idb()).unwrap()),
            1 => drop(engine.delete(&key).unwrap()),
            2 => engine.clear().unwrap(),
            _ if take_early => early.extend(engine.take_early_puts()),
            _ => {}
        }
    }
    early.extend(engine.take_outbox());
    idb.apply(early, engine.seal());
    let stored = idb.records.iter();
    stored
        .map(|(k, (_, payload))| (k.clone(), payload.clone()))
        .collect()
}

#[test]
fn puts_taken_ahead_of_the_batch_leave_what_the_batch_in_order_would() {
    // A delete, then a put of the same key: the put waits behind it.
    let actions = [(0, 1), (3, 0), (1, 1), (0, 1), (3, 0), (0, 2)];
    assert_eq!(stored_after(&actions, true), stored_after(&actions, false));
    assert_eq!(stored_after(&actions, true).len(), 2);
    // A clear waiting: nothing goes ahead of it.
    let actions = [(0, 1), (2, 0), (0, 2), (3, 0), (0, 3)];
    assert_eq!(stored_after(&actions, true), stored_after(&actions, false));
    assert_eq!(stored_after(&actions, true).len(), 2);
}

proptest! {
    #[test]
    fn any_batch_leaves_the_same_records_whatever_went_ahead(actions in proptest::collection::vec((0u8..4, 0usize..4), 0..24)) {
        prop_assert_eq!(stored_after(&actions, true), stored_after(&actions, false));
    }
}
