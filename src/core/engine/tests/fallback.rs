//! No write lost while a tier has room (issue 8, part 2): on every path — a failed IndexedDB
//! write, a budget shrunk between page loads, entries learned from another tab — what leaves a
//! tier goes to the next one with room, and only with no room anywhere it is dropped with a
//! `NO_ROOM` fault naming its key.

use super::persistence::{in_idb, tier_of, with_idb};
use super::*;

fn count(log: &[String], prefix: &str) -> usize {
    log.iter().filter(|e| e.starts_with(prefix)).count()
}

#[test]
fn a_failed_indexeddb_write_moves_the_entry_to_local_storage() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    let large = noise(70_000);
    engine.set("big", &large, SetOptions::default()).unwrap();
    assert_eq!(tier_of(&mut engine, "big"), "indexeddb");
    let ops = engine.take_outbox();
    engine.idb_write_failed(&ops, "QuotaExceededError");
    assert_eq!(tier_of(&mut engine, "big"), "local");
    let log = events(&mut engine);
    assert_eq!(count(&log, "fault WRITE_FAILED big"), 1, "{log:?}");
    assert_eq!(count(&log, "fault NO_ROOM"), 0, "{log:?}");
    // It survives a reload.
    let mut reloaded = idb.reopen(&clock, config, &local);
    assert_eq!(idb.get(&mut reloaded, "big").unwrap().as_bytes(), large);
}

#[test]
fn a_failed_indexeddb_write_with_no_room_in_local_storage_is_no_room() {
    let (mut engine, _, _, _, _) = with_idb(|c| c.local_storage_bytes = Some(0.0));
    engine.set("k", &json_of(1), in_idb()).unwrap();
    let ops = engine.take_outbox();
    engine.idb_write_failed(&ops, "QuotaExceededError");
    assert_eq!(tier_of(&mut engine, "k"), "memory");
    let log = events(&mut engine);
    assert_eq!(count(&log, "fault NO_ROOM k"), 1, "{log:?}");
}

#[test]
fn a_failure_of_an_older_write_leaves_the_newer_one_alone() {
    let (mut engine, _, _, mut idb, _) = with_idb(|_| {});
    engine.set("k", &json_of(1), in_idb()).unwrap();
    let old = engine.take_outbox();
    engine.set("k", &json_of(2), in_idb()).unwrap();
    engine.idb_write_failed(&old, "AbortError");
    idb.flush(&mut engine);
    assert_eq!(tier_of(&mut engine, "k"), "indexeddb");
    assert_eq!(idb.get(&mut engine, "k").unwrap().as_bytes(), json_of(2));
}

#[test]
fn a_smaller_budget_at_reopen_moves_the_overflow_to_indexeddb() {
    let (mut engine, clock, local, mut idb, _) = with_idb(|_| {});
    for i in 0..1_000 {
        engine
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
    }
    assert_eq!(engine.stats().local.entries, 1_000);
    let smaller = config(|c| c.local_storage_bytes = Some(100_000.0));
    let mut reopened = idb.reopen(&clock, smaller, &local);
    idb.flush(&mut reopened);
    let stats = reopened.stats();
    assert!(stats.local.bytes <= 100_000);
    assert!(stats.indexeddb.entries > 400, "{stats:?}");
    assert_eq!(stats.local.entries + stats.indexeddb.entries, 1_000);
    assert_eq!(count(&events(&mut reopened), "fault"), 0);
    for i in [0, 499, 999] {
        let got = idb.get(&mut reopened, &format!("row:{i}")).unwrap();
        assert_eq!(got.as_bytes(), json_of(i), "row:{i}");
    }
}

#[test]
fn a_smaller_budget_without_indexeddb_drops_the_overflow_with_no_room() {
    let (mut engine, clock, local, _, _) = with_idb(|_| {});
    for i in 0..100 {
        engine
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
    }
    let smaller = config(|c| c.local_storage_bytes = Some(10_000.0));
    let mut reopened = Engine::open(clock.clone(), smaller, local.clone());
    reopened.set_idb_available(false, "IndexedDB is missing");
    let kept = reopened.stats().local.entries;
    let log = events(&mut reopened);
    assert_eq!(
        count(&log, "fault NO_ROOM row:"),
        100 - kept as usize,
        "{log:?}"
    );
}

#[test]
fn entries_learned_from_another_tab_over_the_budget_move_to_indexeddb() {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let mut idb = Idb::default();
    let config = config(|c| c.local_storage_bytes = Some(60_000.0));
    let mut a = idb.reopen(&clock, config.clone(), &local);
    let mut b = idb.reopen(&clock, config.clone(), &local);
    for i in 0..300 {
        let (writer, reader) = if i % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        writer
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
        idb.flush(writer);
        for message in writer.take_broadcasts() {
            reader.apply_remote(message);
        }
        idb.flush(reader);
    }
    let mut reopened = idb.reopen(&clock, config, &local);
    idb.flush(&mut reopened);
    let missing: Vec<usize> = (0..300)
        .filter(|i| idb.get(&mut reopened, &format!("row:{i}")).is_none())
        .collect();
    assert_eq!(missing, Vec::<usize>::new());
    assert!(local.used_units() * 2 <= 60_000);
}

#[test]
fn a_full_local_storage_demotes_in_batches() {
    let (mut engine, _, _, mut idb, _) = with_idb(|c| c.local_storage_bytes = Some(64_000.0));
    let mut flushes_with_demotions = 0;
    for i in 0..2_000 {
        engine
            .set(&format!("row:{i}"), &json_of(i), SetOptions::default())
            .unwrap();
        if engine.has_pending_writes() {
            flushes_with_demotions += 1;
        }
        idb.flush(&mut engine);
    }
    // About 1/16 of the budget per batch: far fewer transactions than demoted entries.
    let demoted = engine.stats().indexeddb.entries;
    assert!(demoted > 1_000, "{demoted}");
    assert!(
        flushes_with_demotions * 10 < demoted,
        "{flushes_with_demotions} of {demoted}"
    );
}

#[test]
fn indexeddb_taken_away_moves_pending_writes_to_local_storage() {
    let (mut engine, clock, local, mut idb, config) = with_idb(|_| {});
    engine
        .set("flushed", &noise(70_000), SetOptions::default())
        .unwrap();
    idb.flush(&mut engine);
    let pending = noise(80_000);
    engine
        .set("pending", &pending, SetOptions::default())
        .unwrap();
    assert!(engine.has_pending_writes());
    engine.idb_lost("another page deleted the database");
    idb.records.clear();
    assert_eq!(tier_of(&mut engine, "pending"), "local");
    // Later large writes go to localStorage while it has room.
    engine
        .set("later", &noise(90_000), SetOptions::default())
        .unwrap();
    assert_eq!(tier_of(&mut engine, "later"), "local");
    let log = events(&mut engine);
    assert_eq!(count(&log, "fault UNAVAILABLE"), 1, "{log:?}");
    let mut reloaded = Engine::open(clock.clone(), config, local.clone());
    reloaded.set_idb_available(false, "gone");
    assert_eq!(
        idb.get(&mut reloaded, "pending").unwrap().as_bytes(),
        pending
    );
    assert!(idb.get(&mut reloaded, "later").is_some());
}
