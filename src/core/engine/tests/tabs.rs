//! Two tabs of one origin: two engines over the same storage, the messages of one applied to the other.

use super::*;

fn deliver(from: &mut TestEngine, to: &mut TestEngine, idb: &mut Idb) {
    idb.flush(from);
    for message in from.take_broadcasts() {
        to.apply_remote(message);
    }
}

fn two_tabs() -> (TestEngine, TestEngine, Idb) {
    let (a, b, idb, _) = two_tabs_with_clock();
    (a, b, idb)
}

fn two_tabs_with_clock() -> (TestEngine, TestEngine, Idb, ManualClock) {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let idb = Idb::default();
    let config = config(|c| c.large_entry_bytes = Some(40.0));
    let a = idb.reopen(&clock, config.clone(), &local);
    let b = idb.reopen(&clock, config, &local);
    (a, b, idb, clock)
}

#[test]
fn a_write_in_one_tab_replaces_the_other_tabs_copy() {
    let (mut a, mut b, mut idb) = two_tabs();
    b.set("company:42", br#"{"v":1}"#, SetOptions::default())
        .unwrap();
    deliver(&mut b, &mut a, &mut idb);
    events(&mut b);
    let large = format!("[{}]", vec!["1234567890"; 20].join(","));
    a.set("company:42", br#"{"v":2}"#, SetOptions::default())
        .unwrap();
    a.set(
        "payments:company:42",
        large.as_bytes(),
        SetOptions::default(),
    )
    .unwrap();
    a.set("session", b"1", memory_only()).unwrap();
    deliver(&mut a, &mut b, &mut idb);
    let log = events(&mut b);
    assert!(log.contains(&"replaced company:42".to_string()), "{log:?}");
    assert_eq!(idb.get(&mut b, "company:42").unwrap(), r#"{"v":2}"#);
    assert_eq!(idb.get(&mut b, "payments:company:42").unwrap(), large);
    assert_eq!(
        idb.get(&mut b, "session"),
        None,
        "memory-only values stay in their tab"
    );
}

#[test]
fn invalidations_deletes_and_clears_reach_the_other_tab() {
    let (mut a, mut b, mut idb) = two_tabs();
    a.set("payment:7", b"7", SetOptions::default()).unwrap();
    a.set(
        "payments:company:42",
        b"[7]",
        opts(|o| o.depends_on = Some(vec!["payment:7".into()])),
    )
    .unwrap();
    a.set("other", b"1", SetOptions::default()).unwrap();
    a.set("last", b"1", SetOptions::default()).unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(b.entries().len(), 4);
    events(&mut b);

    a.invalidate("payment:7").unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(
        events(&mut b),
        ["invalidate payment:7 payment:7,payments:company:42"]
    );
    assert_eq!(idb.get(&mut b, "payments:company:42"), None);

    a.delete("other").unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert!(!b.has("other").unwrap());

    a.clear().unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert!(b.entries().is_empty());
    assert_eq!(events(&mut b).last().unwrap(), "clear");
}

#[test]
fn another_tabs_invalidation_spoils_a_load_under_way() {
    let (mut a, mut b, mut idb) = two_tabs();
    let token = b.begin_load("company:42", &SetOptions::default());
    a.invalidate("company:42").unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(
        b.store_loaded(token, "company:42", b"1", SetOptions::default())
            .unwrap(),
        None
    );
    b.end_load(token);
    let token = b.begin_load("company:9", &SetOptions::default());
    a.invalidate_prefix("company:").unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(
        b.store_loaded(token, "company:9", b"1", SetOptions::default())
            .unwrap(),
        None
    );
    b.end_load(token);
}

#[test]
fn without_cross_tab_nothing_is_sent() {
    let clock = ManualClock::new(START);
    let mut engine = Engine::open(
        clock,
        config(|c| c.cross_tab = Some(false)),
        MemoryLocalStore::default(),
    );
    engine.set("k", b"1", SetOptions::default()).unwrap();
    engine.invalidate("k").unwrap();
    assert!(engine.take_broadcasts().is_empty());
}

#[test]
fn a_late_message_does_not_undo_a_newer_local_write() {
    let (mut a, mut b, mut idb, clock) = two_tabs_with_clock();
    // A writes first, but its message arrives after B's own, later write (same millisecond).
    a.set("company:42", br#"{"v":"a"}"#, SetOptions::default())
        .unwrap();
    b.set(
        "company:42",
        br#"{"v":"b"}"#,
        opts(|o| o.depends_on = Some(vec!["payment:7".into()])),
    )
    .unwrap();
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(idb.get(&mut b, "company:42").unwrap(), r#"{"v":"b"}"#);
    assert_eq!(b.invalidate("payment:7").unwrap(), ["company:42"]);
    assert_eq!(b.stats().faults, 0);
    // In IndexedDB the later creation time decides.
    a.set(
        "big",
        br#"{"v":"a"}"#,
        opts(|o| o.tier = Some(TierChoice::IndexedDb)),
    )
    .unwrap();
    idb.flush(&mut a);
    clock.advance(5);
    b.set(
        "big",
        br#"{"v":"b"}"#,
        opts(|o| o.tier = Some(TierChoice::IndexedDb)),
    )
    .unwrap();
    idb.flush(&mut b);
    deliver(&mut a, &mut b, &mut idb);
    assert_eq!(idb.get(&mut b, "big").unwrap(), r#"{"v":"b"}"#);
}

#[test]
fn a_stamp_near_the_end_of_time_from_another_tab_does_not_stop_the_clock() {
    // Found by fuzzing (fuzz/fuzz_targets/tab_message.rs): the next stamp overflowed.
    let (mut a, _b, _idb) = two_tabs();
    a.apply_remote(Broadcast::Delete {
        key: "k".into(),
        stamp: u64::MAX,
    });
    a.set("k", b"1", SetOptions::default()).unwrap();
    a.set("k", b"2", SetOptions::default()).unwrap();
    assert_eq!(a.entries().len(), 1);
}

#[test]
fn a_write_announced_before_it_is_visible_here_is_not_corruption() {
    // Chromium may deliver the BroadcastChannel message before this renderer sees the other
    // tab's localStorage write: here, the value is simply not in storage yet.
    let clock = ManualClock::new(START);
    let (shared, mut b_view) = (MemoryLocalStore::default(), MemoryLocalStore::default());
    let idb = Idb::default();
    let mut a = idb.reopen(&clock, config(|_| {}), &shared);
    let mut b = idb.reopen(&clock, config(|_| {}), &b_view);
    a.set("company:42", br#"{"v":1}"#, SetOptions::default())
        .unwrap();
    for message in a.take_broadcasts() {
        b.apply_remote(message);
    }
    let mut idb = idb;
    // b writes the announced value itself, from the message: its reads hit, nothing is a fault.
    assert_eq!(idb.get(&mut b, "company:42").unwrap(), r#"{"v":1}"#);
    assert_eq!(b.stats().faults, 0);
    // And a value that is still not there (no payload travelled, e.g. IndexedDB's) is a miss
    // without a fault, and storage is left alone.
    b_view.remove("smartcache:7:default:1:company:42").unwrap();
    assert_eq!(idb.get(&mut b, "company:42"), None);
    assert_eq!(b.stats().faults, 0);
    assert!(shared.get("smartcache:7:default:1:company:42").is_some());
}

#[test]
fn a_handle_freed_by_another_tab_is_not_reused_before_the_face_reports_its_accesses() {
    let (mut a, mut b, mut idb) = two_tabs();
    b.set("x", b"1", SetOptions::default()).unwrap();
    let x = *b.index.get("x").unwrap();
    // b's face served a hit on x from its live copy and holds it in its buffer.
    a.delete("x").unwrap();
    a.set("y", b"2", SetOptions::default()).unwrap();
    deliver(&mut a, &mut b, &mut idb);
    let y = *b.index.get("y").unwrap();
    assert_ne!(
        y, x,
        "x's handle was handed to y while a hit on x was still buffered"
    );
    b.record_accesses(&[x], 0);
    let hits: Vec<(String, u64)> = b.entries().into_iter().map(|e| (e.key, e.hits)).collect();
    assert_eq!(hits, [("y".to_string(), 0)]);
}
