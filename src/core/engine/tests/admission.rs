//! The memory tier's admission filter through the engine: a full memory refuses a copy worth
//! less than what it would push out, and the value is read from its home tier (and admitted
//! once it has earned it); an entry whose only home is memory is always held; uses served from
//! memory count in the home tier's policy, so what is read often survives there.

use super::*;

/// Ten hot entries fill a 1 KiB memory, each read often from memory.
fn hot_memory() -> (TestEngine, Vec<Handle>) {
    let (mut engine, _) = engine_with(1_000.0);
    let value = vec![b'1'; 100];
    let hot: Vec<Handle> = (0..10)
        .map(|k| {
            let stored = engine.set(&format!("hot:{k}"), &value, SetOptions::default());
            stored.unwrap().id
        })
        .collect();
    for _ in 0..4 {
        engine.record_accesses(&hot, 0);
    }
    assert_eq!(engine.stats().memory.entries, 10);
    (engine, hot)
}

#[test]
fn a_copy_worth_less_than_its_victims_is_read_from_its_home() {
    let (mut engine, _) = hot_memory();
    let stored = engine
        .set("cold", &[b'2'; 100], SetOptions::default())
        .unwrap();
    assert!(
        !stored.in_memory,
        "a key seen once does not push out hot ones"
    );
    assert_eq!(engine.stats().memory.entries, 10);
    // Its value is where the cache put it: localStorage.
    let Lookup::Hit { json, .. } = engine.lookup("cold").unwrap() else {
        panic!("the entry was kept in its home tier");
    };
    assert_eq!(json, "2".repeat(100).into_bytes());
    // Read again and again, it earns its place.
    let admitted = (0..10).any(|_| match engine.lookup("cold").unwrap() {
        Lookup::Hit { stored, .. } => stored.in_memory,
        _ => false,
    });
    assert!(admitted);
    assert_eq!(engine.stats().memory.entries, 10, "one hot entry made room");
}

#[test]
fn an_entry_whose_only_home_is_memory_is_always_held() {
    let (mut engine, _) = hot_memory();
    let stored = engine.set("only", &[b'3'; 100], memory_only()).unwrap();
    assert!(stored.in_memory);
    assert!(engine.entries().iter().any(|e| e.key == "only"));
}

#[test]
fn memory_hits_keep_an_entry_in_its_home_tier() {
    // localStorage holds about ten entries; one is read from memory all along, then ten
    // newcomers are written: the one read often is not what localStorage pushes out.
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let value = vec![b'4'; 300];
    let config = config(|c| {
        c.memory_bytes = Some(1e6);
        c.local_storage_bytes = Some(4_000.0);
    });
    let mut engine = Engine::open(clock, config, local);
    engine.set_idb_available(false, "not in this test");
    let favourite = engine
        .set("favourite", &value, SetOptions::default())
        .unwrap();
    for k in 0..30 {
        engine.record_accesses(&[favourite.id, favourite.id], 0);
        engine
            .set(&format!("new:{k}"), &value, SetOptions::default())
            .unwrap();
    }
    let info = engine.entries();
    let favourite = info.iter().find(|e| e.key == "favourite").unwrap();
    assert_eq!(favourite.tier, "local", "still in localStorage");
    assert!(info.iter().filter(|e| e.tier == "local").count() < 20);
}
