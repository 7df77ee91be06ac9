//! Serving before IndexedDB's records have loaded (`begin_idb_open`): memory and localStorage
//! answer, keys the index does not hold are `Incomplete` (nothing counted), writes queue for
//! IndexedDB, and a record loaded late never wins over a write made meanwhile.

use super::persistence::{in_idb, tier_of, with_idb};
use super::*;

#[test]
fn before_indexeddb_loads_local_entries_serve_and_unknown_keys_wait() {
    let (mut engine, clock, local, mut idb, config) =
        with_idb(|c| c.large_entry_bytes = Some(1_000.0));
    engine
        .set("small", &json_of(1), SetOptions::default())
        .unwrap();
    engine
        .set("large", &noise(5_000), SetOptions::default())
        .unwrap();
    engine.set("rewritten", &json_of(2), in_idb()).unwrap();
    idb.flush(&mut engine);

    // A reload whose IndexedDB is still opening.
    let mut engine = Engine::open(clock.clone(), config, local.clone());
    engine.begin_idb_open();
    assert!(matches!(
        engine.lookup("small").unwrap(),
        Lookup::Hit { .. }
    ));
    assert!(matches!(
        engine.lookup("large").unwrap(),
        Lookup::Incomplete
    ));
    assert!(matches!(
        engine.lookup("nowhere").unwrap(),
        Lookup::Incomplete
    ));
    assert_eq!(
        engine.stats().misses,
        0,
        "an incomplete lookup is not a miss"
    );

    // Writes meanwhile: one rewrites a key IndexedDB holds, one goes to IndexedDB new.
    clock.advance(5);
    engine.set("rewritten", &json_of(3), in_idb()).unwrap();
    engine
        .set("new", &noise(6_000), SetOptions::default())
        .unwrap();
    assert!(
        engine.has_pending_writes(),
        "queued for IndexedDB while it opens"
    );

    // The records arrive (read before the queued writes are carried out).
    engine.set_idb_available(true, "");
    for (key, (meta, _)) in idb.records.clone() {
        engine.load_idb_record(&key, &meta);
    }
    idb.flush(&mut engine);
    assert_eq!(
        idb.get(&mut engine, "rewritten").unwrap().as_bytes(),
        &json_of(3)[..],
        "the write made meanwhile wins"
    );
    assert_eq!(
        idb.get(&mut engine, "large").unwrap().as_bytes(),
        &noise(5_000)[..]
    );
    assert_eq!(
        idb.get(&mut engine, "new").unwrap().as_bytes(),
        &noise(6_000)[..]
    );
    assert_eq!(tier_of(&mut engine, "new"), "indexeddb");
    assert!(matches!(engine.lookup("nowhere").unwrap(), Lookup::Miss));
    assert_eq!(
        idb.records.keys().collect::<Vec<_>>(),
        ["large", "new", "rewritten"]
    );
}

#[test]
fn writes_queued_for_an_indexeddb_that_fails_to_open_move_to_local_storage() {
    let (_, clock, local, _, config) = with_idb(|c| c.large_entry_bytes = Some(1_000.0));
    let mut engine = Engine::open(clock.clone(), config.clone(), local.clone());
    engine.begin_idb_open();
    engine
        .set("large", &noise(5_000), SetOptions::default())
        .unwrap();
    assert!(engine.has_pending_writes());
    engine.idb_lost("did not open");
    assert!(!engine.has_pending_writes());
    assert_eq!(tier_of(&mut engine, "large"), "local");
    assert!(matches!(engine.lookup("nowhere").unwrap(), Lookup::Miss));
    let mut reloaded = Engine::open(clock, config, local);
    reloaded.set_idb_available(false, "gone");
    let mut idb = Idb::default();
    assert_eq!(
        idb.get(&mut reloaded, "large").unwrap().as_bytes(),
        &noise(5_000)[..]
    );
}
