//! Stored data is bound to the namespace, version and key it was written under (issue 8, part 1):
//! copies, splices, swaps and undecodable payloads read as misses with `CORRUPT_ENTRY`, and the
//! previous release's format is purged without a fault.

use super::persistence::persistence_fixture;
use super::*;
use crate::core::format::{codec, text};

fn stored(namespace: &str, version: u64, key: &str) -> String {
    format!("smartcache:{}:{namespace}:{version}:{key}", namespace.len())
}

fn faults(engine: &mut TestEngine) -> Vec<String> {
    events(engine)
        .into_iter()
        .filter(|e| e.starts_with("fault"))
        .collect()
}

fn open_as(
    clock: &ManualClock,
    local: &MemoryLocalStore,
    namespace: &str,
    version: f64,
) -> TestEngine {
    let config = config(|c| {
        c.namespace = Some(namespace.into());
        c.version = Some(version);
    });
    let mut engine = Engine::open(clock.clone(), config, local.clone());
    engine.set_idb_available(true, "");
    engine
}

#[test]
fn a_value_copied_to_another_namespace_or_version_is_a_miss_and_a_fault() {
    let clock = ManualClock::new(START);
    let local = MemoryLocalStore::default();
    let mut a = open_as(&clock, &local, "crm", 1.0);
    a.set("company:42", &json_of(42), SetOptions::default())
        .unwrap();
    let value = local.value(&stored("crm", 1, "company:42")).unwrap();
    local.plant(&stored("hr", 1, "company:42"), &value);
    local.plant(&stored("crm", 2, "company:42"), &value);

    let mut idb = Idb::default();
    for (namespace, version) in [("hr", 1.0), ("crm", 2.0)] {
        let mut other = open_as(&clock, &local, namespace, version);
        assert_eq!(
            idb.get(&mut other, "company:42"),
            None,
            "{namespace} v{version}"
        );
        let log = faults(&mut other);
        assert!(
            namespace == "crm" || log == ["fault CORRUPT_ENTRY company:42"],
            "{namespace}: {log:?}"
        );
    }
    // The copy under crm v2 was purged as another version's, the hr copy as corrupt.
    assert!(local.value(&stored("hr", 1, "company:42")).is_none());
    assert!(local.value(&stored("crm", 2, "company:42")).is_none());
}

#[test]
fn a_header_spliced_onto_another_entrys_payload_of_the_same_length_is_a_miss() {
    let (mut engine, _clock, local, mut idb, _config) = persistence_fixture();
    // Same length, different values.
    engine
        .set("a", br#"{"v":"aaaa"}"#, SetOptions::default())
        .unwrap();
    engine
        .set("b", br#"{"v":"bbbb"}"#, SetOptions::default())
        .unwrap();
    let (va, vb) = (
        local.value(&stored("default", 1, "a")).unwrap(),
        local.value(&stored("default", 1, "b")).unwrap(),
    );
    assert_eq!(va.len(), vb.len());
    // Header and metadata of a, then b's payload envelope (both end with equal-length payloads).
    // In bytes of the UTF-8 strings: 3 a unit.
    let payload_len = 3 * text::pack(&codec::encode(br#"{"v":"bbbb"}"#, 512)).len();
    let spliced = format!(
        "{}{}",
        &va[..va.len() - payload_len],
        &vb[vb.len() - payload_len..]
    );
    local.plant(&stored("default", 1, "a"), &spliced);
    assert_eq!(idb.get(&mut engine, "a"), None);
    assert_eq!(faults(&mut engine), ["fault CORRUPT_ENTRY a"]);
    assert!(local.value(&stored("default", 1, "a")).is_none());
    assert_eq!(idb.get(&mut engine, "b").unwrap(), r#"{"v":"bbbb"}"#);
}

/// Two same-size entries in IndexedDB, flushed; then a reload once `swap` has edited the records.
fn reload_after_swapping(swap: impl FnOnce(&mut Idb)) -> (TestEngine, Idb) {
    let (mut engine, clock, local, mut idb, config) = persistence_fixture();
    let in_idb = opts(|o| o.tier = Some(TierChoice::IndexedDb));
    engine.set("x", br#"{"v":"xxxx"}"#, in_idb.clone()).unwrap();
    engine.set("y", br#"{"v":"yyyy"}"#, in_idb).unwrap();
    idb.flush(&mut engine);
    swap(&mut idb);
    let reloaded = idb.reopen(&clock, config, &local);
    (reloaded, idb)
}

#[test]
fn swapped_indexeddb_data_records_read_as_misses() {
    let (mut reloaded, mut idb) = reload_after_swapping(|idb| {
        let px = idb.records["x"].1.clone();
        let py = std::mem::replace(&mut idb.records.get_mut("y").unwrap().1, px);
        idb.records.get_mut("x").unwrap().1 = py;
    });
    events(&mut reloaded);
    assert_eq!(idb.get(&mut reloaded, "x"), None);
    assert_eq!(idb.get(&mut reloaded, "y"), None);
    assert_eq!(
        faults(&mut reloaded),
        ["fault CORRUPT_ENTRY x", "fault CORRUPT_ENTRY y"]
    );
    // Swapped metadata records fail their key check at start-up.
    idb.flush(&mut reloaded);
    assert!(idb.records.is_empty());
}

#[test]
fn swapped_indexeddb_metadata_records_are_purged_at_start_up() {
    let (mut reloaded, mut idb) = reload_after_swapping(|idb| {
        let mx = idb.records["x"].0.clone();
        let my = std::mem::replace(&mut idb.records.get_mut("y").unwrap().0, mx);
        idb.records.get_mut("x").unwrap().0 = my;
    });
    assert_eq!(faults(&mut reloaded).len(), 2);
    assert_eq!(idb.get(&mut reloaded, "x"), None);
}

#[test]
fn a_well_sealed_payload_that_is_not_utf8_reads_as_a_miss() {
    let (mut engine, _clock, local, mut idb, _config) = persistence_fixture();
    let not_text = [0xff, 0xfe, 0x7b, 0x7d];
    engine.set("bin", &not_text, SetOptions::default()).unwrap();
    assert!(local.value(&stored("default", 1, "bin")).is_some());
    assert_eq!(idb.get(&mut engine, "bin"), None);
    assert_eq!(faults(&mut engine), ["fault CORRUPT_ENTRY bin"]);
    let stats = engine.stats();
    assert_eq!((stats.hits, stats.misses, stats.local.hits), (0, 1, 0));
    assert!(local.value(&stored("default", 1, "bin")).is_none());
}

#[test]
fn the_previous_releases_format_is_purged_without_a_fault() {
    let (mut engine, clock, local, mut idb, config) = persistence_fixture();
    engine
        .set("old", &json_of(1), SetOptions::default())
        .unwrap();
    engine
        .set(
            "old-idb",
            &json_of(2),
            opts(|o| o.tier = Some(TierChoice::IndexedDb)),
        )
        .unwrap();
    idb.flush(&mut engine);
    // Rewrite both as format 1 did: format bytes 1 in the metadata envelope and record.
    let key = stored("default", 1, "old");
    let value = local.value(&key).unwrap();
    let (head, rest) = value.split_at(record::HEAD_UNITS * 3);
    let meta_units = record::local_meta_units(&text::utf16_units(head)).unwrap();
    let (meta_text, payload_text) = rest.split_at(meta_units * 3);
    let mut envelope = text::unpack(&text::utf16_units(meta_text)).unwrap();
    envelope[2] = 1;
    local.plant(
        &key,
        &format!(
            "{head}{}{payload_text}",
            String::from_utf16_lossy(&text::pack(&envelope))
        ),
    );
    idb.records.get_mut("old-idb").unwrap().0[0] = 1;

    let mut reloaded = idb.reopen(&clock, config, &local);
    assert_eq!(faults(&mut reloaded), Vec::<String>::new());
    assert_eq!(idb.get(&mut reloaded, "old"), None);
    assert_eq!(idb.get(&mut reloaded, "old-idb"), None);
    idb.flush(&mut reloaded);
    assert!(local.value(&key).is_none());
    assert!(idb.records.is_empty());
    assert_eq!(reloaded.stats().faults, 0);
}

#[test]
fn a_hit_the_face_cannot_parse_is_taken_back_as_a_corrupt_miss() {
    let (mut engine, _clock, local, mut idb, _config) = persistence_fixture();
    // Well sealed, UTF-8, but not JSON: only the face's JSON.parse can tell.
    engine
        .set("k", b"{not json", SetOptions::default())
        .unwrap();
    events(&mut engine);
    assert!(idb.get(&mut engine, "k").is_some());
    assert_eq!(engine.stats().hits, 1);
    engine
        .refuse_read("k", "SyntaxError: Unexpected token n")
        .unwrap();
    assert_eq!(faults(&mut engine), ["fault CORRUPT_ENTRY k"]);
    let stats = engine.stats();
    assert_eq!((stats.hits, stats.misses, stats.local.hits), (0, 1, 0));
    assert!(local.value(&stored("default", 1, "k")).is_none());
    assert!(!engine.has("k").unwrap());
}
