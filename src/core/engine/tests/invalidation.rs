//! Invalidation across tiers and reloads, and loads that must not write back stale results.

use super::*;

fn deps(list: &[&str]) -> SetOptions {
    opts(|o| o.depends_on = Some(list.iter().map(|s| s.to_string()).collect()))
}

fn tagged(list: &[&str]) -> SetOptions {
    opts(|o| o.tags = Some(list.iter().map(|s| s.to_string()).collect()))
}

/// payment:7 (IndexedDB) <- payments:company:42 (localStorage) <- company:42 (memory only).
fn crm(engine: &mut TestEngine) {
    engine
        .set(
            "payment:7",
            br#"{"amount":10}"#,
            opts(|o| {
                o.tier = Some(TierChoice::IndexedDb);
                o.tags = Some(vec!["payments".into()]);
            }),
        )
        .unwrap();
    engine
        .set("payments:company:42", br#"[7]"#, deps(&["payment:7"]))
        .unwrap();
    engine
        .set(
            "company:42",
            br#"{"id":42}"#,
            opts(|o| {
                o.tier = Some(TierChoice::Memory);
                o.depends_on = Some(vec!["payments:company:42".into()]);
            }),
        )
        .unwrap();
    engine
        .set("company:43", br#"{"id":43}"#, SetOptions::default())
        .unwrap();
}

#[test]
fn invalidating_a_payment_removes_its_list_and_the_company_in_every_tier() {
    let (mut engine, _, local, mut idb, _) = persistence_fixture();
    crm(&mut engine);
    idb.flush(&mut engine);
    events(&mut engine);
    let removed = engine.invalidate("payment:7").unwrap();
    assert_eq!(removed, ["company:42", "payment:7", "payments:company:42"]);
    assert_eq!(
        events(&mut engine),
        ["invalidate payment:7 company:42,payment:7,payments:company:42"]
    );
    idb.flush(&mut engine);
    assert!(idb.records.is_empty());
    assert_eq!(local.keys(), ["smartcache:7:default:1:company:43"]);
    assert_eq!(engine.entries().len(), 1);
    assert_eq!(
        engine.invalidate("payment:7").unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn the_graph_survives_a_reload() {
    let (mut engine, clock, local, mut idb, config) = persistence_fixture();
    crm(&mut engine);
    idb.flush(&mut engine);
    let mut reloaded = idb.reopen(&clock, config, &local);
    // The memory-only company did not survive; the persisted chain did, with its edges.
    assert_eq!(
        reloaded.invalidate("payments").unwrap(),
        ["payment:7", "payments:company:42"]
    );
    idb.flush(&mut reloaded);
    assert!(idb.records.is_empty());
}

#[test]
fn tags_and_prefixes() {
    let (mut engine, _) = engine_with(1e6);
    engine.set("company:1", b"1", tagged(&["company"])).unwrap();
    engine
        .set("company:2", b"2", tagged(&["company", "vip"]))
        .unwrap();
    engine.set("report:vip", b"3", deps(&["vip"])).unwrap();
    engine
        .set("payments:company:1", b"4", SetOptions::default())
        .unwrap();
    assert_eq!(
        engine.invalidate("vip").unwrap(),
        ["company:2", "report:vip"]
    );
    assert_eq!(engine.invalidate_prefix("company:").unwrap(), ["company:1"]);
    assert_eq!(engine.entries().len(), 1);
    assert_eq!(
        engine.invalidate_prefix("payments:").unwrap(),
        ["payments:company:1"]
    );
    assert_eq!(engine.invalidate("").unwrap_err().code(), "INVALID_KEY");
}

#[test]
fn cost_follows_what_is_removed_not_the_cache_size() {
    // Not a timing test: the closure only ever visits the names it reaches.
    let (mut engine, _) = engine_with(1e9);
    for i in 0..2_000 {
        engine
            .set(&format!("other:{i}"), b"1", memory_only())
            .unwrap();
    }
    engine.set("root", b"1", memory_only()).unwrap();
    for i in 0..10 {
        engine
            .set(
                &format!("child:{i}"),
                b"1",
                opts(|o| {
                    o.tier = Some(TierChoice::Memory);
                    o.depends_on = Some(vec!["root".into()]);
                }),
            )
            .unwrap();
    }
    assert_eq!(engine.invalidate("root").unwrap().len(), 11);
    assert_eq!(engine.entries().len(), 2_000);
}

#[test]
fn a_load_that_began_before_an_invalidation_is_not_stored() {
    let (mut engine, _) = engine_with(1e6);
    for (what, invalidate) in [
        (
            "key",
            &mut (|e: &mut TestEngine| drop(e.invalidate("company:42")))
                as &mut dyn FnMut(&mut TestEngine),
        ),
        ("tag", &mut |e: &mut TestEngine| {
            drop(e.invalidate("company"))
        }),
        ("prefix", &mut |e: &mut TestEngine| {
            drop(e.invalidate_prefix("company:"))
        }),
        ("dependency", &mut |e: &mut TestEngine| {
            drop(e.invalidate("payments:company:42"))
        }),
        ("delete", &mut |e: &mut TestEngine| {
            drop(e.delete("company:42"))
        }),
        ("clear", &mut |e: &mut TestEngine| e.clear().unwrap()),
    ] {
        let options = opts(|o| {
            o.tags = Some(vec!["company".into()]);
            o.depends_on = Some(vec!["payments:company:42".into()]);
        });
        engine.set("company:42", b"old", options.clone()).unwrap();
        let token = engine.begin_load("company:42", &options);
        invalidate(&mut engine);
        assert_eq!(
            engine
                .store_loaded(token, "company:42", b"new", options)
                .unwrap(),
            None,
            "{what}"
        );
        engine.end_load(token);
        assert!(!engine.has("company:42").unwrap(), "{what}");
    }
    // Without an invalidation, the result is stored; and a load that began after one is too.
    engine.invalidate("company:42").unwrap();
    let token = engine.begin_load("company:42", &SetOptions::default());
    assert!(engine
        .store_loaded(token, "company:42", b"new", SetOptions::default())
        .unwrap()
        .is_some());
    engine.end_load(token);
    assert!(engine.has("company:42").unwrap());
}

#[test]
fn an_unrelated_invalidation_does_not_spoil_a_load() {
    let (mut engine, _) = engine_with(1e6);
    let token = engine.begin_load("company:42", &deps(&["payment:7"]));
    engine.invalidate("company:43").unwrap();
    assert!(engine
        .store_loaded(token, "company:42", b"1", deps(&["payment:7"]))
        .unwrap()
        .is_some());
    engine.end_load(token);
}
