//! The browser backends in headless Chromium: localStorage's head read (what start-up relies on)
//! and IndexedDB's apply (compare-and-set on stamps, order within a batch), read_many, load_meta
//! and close. Native tests drive the engine against in-process fakes of these; this proves the
//! real ones behave the same way.
#![cfg(target_arch = "wasm32")]

use smartcache::core::engine::store::{LocalStore, StoredHead};
use smartcache::core::engine::IdbOp;
use smartcache::core::format::record::{seal_seed, Meta};
use smartcache::core::format::text::utf16_units;
use smartcache::store::idb::{IdbError, IdbStore};
use smartcache::store::local::BrowserLocalStore;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod support;

fn local() -> BrowserLocalStore {
    let store = BrowserLocalStore::new(support::platform());
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    store
}

#[wasm_bindgen_test]
fn local_storage_head_reads_the_length_and_the_first_units_of_packed_text() {
    let mut store = local();
    // Packed text is non-ASCII: each unit is one UTF-16 unit and three UTF-8 bytes.
    let value: String = "\u{4e00}\u{4e01}\u{4e02}\u{4e03}".repeat(100);
    store
        .set("smartcache:1:t:1:k", &utf16_units(&value))
        .unwrap();
    store.set("other:k", &utf16_units("x")).unwrap();
    let (total, head) = store.head("smartcache:1:t:1:k", 6).unwrap();
    assert_eq!(total, 400);
    assert_eq!(
        head,
        utf16_units("\u{4e00}\u{4e01}\u{4e02}\u{4e03}\u{4e00}\u{4e01}")
    );
    let (total, head) = store.head("other:k", 10).unwrap();
    assert_eq!((total, head), (1, utf16_units("x")));
    assert_eq!(store.head("missing", 2), None);
    // A whole value, astral and lone-surrogate-free, unit for unit.
    store
        .set("other:e", &utf16_units("a\u{1f600}\u{4e00}"))
        .unwrap();
    assert_eq!(
        store.get("other:e"),
        Some(utf16_units("a\u{1f600}\u{4e00}"))
    );
    assert_eq!(
        store.keys_with_prefix("smartcache:1:t:"),
        ["smartcache:1:t:1:k"]
    );
    // Another version's keys, as an open purges them (in one call).
    store.set("smartcache:1:t:2:k", &utf16_units("y")).unwrap();
    assert_eq!(
        store.keys_with_prefix_but("smartcache:1:t:", "smartcache:1:t:1:"),
        ["smartcache:1:t:2:k"]
    );
    store.remove("smartcache:1:t:2:k").unwrap();
    store.remove("smartcache:1:t:1:k").unwrap();
    assert_eq!(store.get("smartcache:1:t:1:k"), None);
}

#[wasm_bindgen_test]
fn local_storage_heads_are_read_in_one_call_as_head_reads_them_one_by_one() {
    let mut store = local();
    let packed: String = "\u{4e00}\u{4e01}\u{d7ff}\u{e000}".repeat(50);
    // A key longer than 65,535 units and a value longer than 65,535 (lengths take two units).
    let long_key = format!("smartcache:1:t:1:{}", "k".repeat(70_000));
    let long_value = "\u{4e00}".repeat(70_000);
    let planted = [
        ("smartcache:1:t:1:a", packed.as_str()),
        ("smartcache:1:t:1:short", "ab"),
        ("smartcache:1:t:1:", ""),
        ("smartcache:1:t:1:\u{1f600} emoji", packed.as_str()),
        (long_key.as_str(), long_value.as_str()),
        ("smartcache:1:t:2:older", "xyz"),
    ];
    for (key, value) in planted {
        store.set(key, &utf16_units(value)).unwrap();
    }
    store
        .set("other:smartcache:1:t:1:a", &utf16_units("x"))
        .unwrap();
    store.set("smartcache:1:u:1:a", &utf16_units("x")).unwrap();
    let mut heads = store.heads_with_prefix("smartcache:1:t:", 6);
    heads.sort_by(|a, b| a.storage_key.cmp(&b.storage_key));
    let mut expected: Vec<StoredHead> = planted
        .iter()
        .map(|(key, _)| {
            let (total_units, head) = store.head(key, 6).unwrap();
            StoredHead {
                storage_key: key.to_string(),
                total_units,
                head,
            }
        })
        .collect();
    expected.sort_by(|a, b| a.storage_key.cmp(&b.storage_key));
    assert_eq!(heads, expected);
    let long = heads.iter().find(|h| h.storage_key == long_key).unwrap();
    assert_eq!(long.total_units, 70_000);
    assert_eq!(long.head, utf16_units(&"\u{4e00}".repeat(6)));
    let emoji = heads
        .iter()
        .find(|h| h.storage_key.ends_with("emoji"))
        .unwrap();
    assert_eq!(emoji.head, utf16_units(&packed)[..6]);
    assert_eq!(store.heads_with_prefix("nothing:", 6), Vec::new());
}

fn meta(key: &str, stamp: u64, seed: u32) -> Vec<u8> {
    Meta {
        key: key.into(),
        stamp,
        writer: 1,
        ..Meta::default()
    }
    .to_bytes(seed)
}

fn put(key: &str, stamp: u64, payload: &[u8], seed: u32) -> IdbOp {
    IdbOp::Put {
        key: key.into(),
        meta: meta(key, stamp, seed),
        payload: payload.to_vec(),
        stamp: (stamp, 1),
    }
}

fn delete(key: &str, upto: u64) -> IdbOp {
    IdbOp::Delete {
        key: key.into(),
        upto,
    }
}

/// Empties the database and stores "a" and "b" at stamp 10.
async fn store_a10_b10(store: &IdbStore, seed: u32) {
    let ops = [
        IdbOp::Clear,
        put("a", 10, b"a10", seed),
        put("b", 10, b"b10", seed),
    ];
    store.apply(&ops, seed, None).await.unwrap();
}

/// The keys whose metadata start-up learns from the journal (version 1).
async fn journaled_keys(store: &IdbStore) -> Vec<String> {
    let loaded = store.load_meta(1).await.unwrap();
    loaded.records.into_iter().map(|(k, _)| k).collect()
}

/// The namespace's database (version 1), and the seed its records are sealed with.
async fn open_idb(namespace: &str) -> (Rc<IdbStore>, u32) {
    let store = IdbStore::open(&support::platform(), namespace, 1, || {})
        .await
        .unwrap();
    (store, seal_seed(namespace, 1))
}

#[wasm_bindgen_test]
async fn indexeddb_apply_is_compare_and_set_on_stamps_and_reads_come_back() {
    let (store, seed) = open_idb("browser-stores").await;
    assert_eq!(store.load_meta(1).await.unwrap().records, Vec::new());
    store_a10_b10(&store, seed).await;
    // An older write never overwrites a newer one; a newer one does.
    store
        .apply(
            &[put("a", 5, b"a5", seed), put("b", 20, b"b20", seed)],
            seed,
            None,
        )
        .await
        .unwrap();
    let read = store
        .read_many(&["a".into(), "b".into(), "c".into()])
        .await
        .unwrap();
    assert_eq!(read, [Some(b"a10".to_vec()), Some(b"b20".to_vec()), None]);
    // A removal covering an older stamp leaves a newer write; one covering it removes it.
    store
        .apply(&[delete("a", 9), delete("b", 20)], seed, None)
        .await
        .unwrap();
    let read = store.read_many(&["a".into(), "b".into()]).await.unwrap();
    assert_eq!(read, [Some(b"a10".to_vec()), None]);
    // Within one batch, the last operation on a key is what stays.
    store
        .apply(
            &[
                put("c", 30, b"c30", seed),
                delete("c", 30),
                put("d", 30, b"d", seed),
            ],
            seed,
            None,
        )
        .await
        .unwrap();
    assert_eq!(journaled_keys(&store).await, ["a", "d"]);
    // Another version empties the database.
    assert_eq!(store.load_meta(2).await.unwrap().records, Vec::new());
    store.close();
    assert_eq!(store.read_many(&["a".into()]).await, Err(IdbError::Closed));
}

#[wasm_bindgen_test]
async fn large_batches_are_compare_and_set_too_however_their_keys_lie() {
    let (store, seed) = open_idb("browser-stores-large").await;
    store.load_meta(1).await.unwrap();
    // 200 keys stored at stamp 10, and two among a run of new keys.
    let mut first = vec![IdbOp::Clear];
    first.extend((0..200).map(|i| put(&format!("k{i:03}"), 10, b"10", seed)));
    first.extend([10, 20].map(|i| put(&format!("n{i:03}"), 10, b"10", seed)));
    store.apply(&first, seed, None).await.unwrap();
    // Every fifth of the 200 (more keys between its least and greatest than the driver reads
    // by range), and a run of 40 mostly new keys: each at an older stamp, then at a newer one.
    let spread: Vec<String> = (0..200).step_by(5).map(|i| format!("k{i:03}")).collect();
    let run: Vec<String> = (0..40).map(|i| format!("n{i:03}")).collect();
    for keys in [&spread, &run] {
        let older: Vec<IdbOp> = keys.iter().map(|k| put(k, 5, b"5", seed)).collect();
        store.apply(&older, seed, None).await.unwrap();
        let read = store.read_many(keys).await.unwrap();
        for (key, found) in keys.iter().zip(read) {
            let stored_before = key.starts_with('k') || key == "n010" || key == "n020";
            let expected: &[u8] = if stored_before { b"10" } else { b"5" };
            assert_eq!(found.as_deref(), Some(expected), "{key}");
        }
        let newer: Vec<IdbOp> = keys.iter().map(|k| put(k, 20, b"20", seed)).collect();
        store.apply(&newer, seed, None).await.unwrap();
        let read = store.read_many(keys).await.unwrap();
        assert!(read
            .iter()
            .all(|found| found.as_deref() == Some(&b"20"[..])));
    }
    store.close();
}

/// The records and the journal after `ops`, of which the first `early` were added by a batch
/// begun first; `wait_ms` passes between the adds and the batch's `apply`.
async fn applied_ahead(
    namespace: &str,
    ops: &[IdbOp],
    early: usize,
    wait_ms: u32,
) -> Vec<(String, Option<Vec<u8>>)> {
    let (store, seed) = open_idb(namespace).await;
    store.load_meta(1).await.unwrap();
    let batch = store.begin().unwrap();
    for op in &ops[..early] {
        let IdbOp::Put {
            key, meta, payload, ..
        } = op
        else {
            unreachable!()
        };
        batch.add(key, meta, payload).unwrap();
    }
    if wait_ms > 0 {
        support::sleep_ms(wait_ms).await;
    }
    store.apply(ops, seed, Some((&batch, early))).await.unwrap();
    let keys = ["a", "b", "c", "d"].map(String::from);
    let read = store.read_many(&keys).await.unwrap();
    let journal = journaled_keys(&store).await;
    store.close();
    // What start-up learns is what is stored.
    let stored: Vec<String> = keys
        .iter()
        .zip(&read)
        .filter(|(_, r)| r.is_some())
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(journal, stored);
    keys.into_iter().zip(read).collect()
}

#[wasm_bindgen_test]
async fn puts_added_ahead_of_their_batch_are_compare_and_set_and_journaled_with_it() {
    for (namespace, wait_ms) in [
        ("browser-stores-ahead", 0),
        ("browser-stores-ahead-late", 30),
    ] {
        let (store, seed) = open_idb(namespace).await;
        store.load_meta(1).await.unwrap();
        store_a10_b10(&store, seed).await;
        store.close();
        // Ahead: "a" older than stored (left), "b" newer (written), "c" new, "d" new and then
        // removed by the rest of the batch.
        let ops = [
            put("a", 5, b"a5", seed),
            put("b", 20, b"b20", seed),
            put("c", 20, b"c20", seed),
            put("d", 20, b"d20", seed),
            delete("d", 20),
        ];
        let after = applied_ahead(namespace, &ops, 4, wait_ms).await;
        let expected = [
            ("a", Some(&b"a10"[..])),
            ("b", Some(b"b20")),
            ("c", Some(b"c20")),
            ("d", None),
        ];
        for ((key, found), (want_key, want)) in after.iter().zip(expected) {
            assert_eq!(
                (key.as_str(), found.as_deref()),
                (want_key, want),
                "waited {wait_ms} ms"
            );
        }
    }
}
