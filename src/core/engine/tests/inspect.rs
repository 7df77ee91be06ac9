//! The devtools' view of the engine: pages of entries over a cursor, filtered by key, tag and
//! tier, and an entry's dependency neighbourhood both ways.

use super::*;
use crate::core::engine::inspect::EntriesQuery;

#[test]
fn entries_come_in_pages_over_a_cursor_with_filters() {
    let (mut engine, _) = engine_with(1_000_000.0);
    for n in 0..250 {
        let tags = if n % 10 == 0 {
            vec!["vip".to_string()]
        } else {
            vec![]
        };
        let tier = if n % 2 == 0 {
            TierChoice::Memory
        } else {
            TierChoice::Auto
        };
        let options = opts(|o| {
            o.tags = Some(tags);
            o.tier = Some(tier);
        });
        engine
            .set(&format!("company:{n:03}"), &json_of(n), options)
            .unwrap();
    }
    engine
        .set("dashboard", &json_of(1), SetOptions::default())
        .unwrap();
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let page = engine.entries_page(&EntriesQuery {
            cursor: cursor.clone(),
            limit: Some(100),
            ..Default::default()
        });
        assert_eq!(page.total, 251);
        assert!(page.entries.len() <= 100);
        keys.extend(page.entries.iter().map(|e| e.key.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 251, "every entry once");

    let vip = engine.entries_page(&EntriesQuery {
        filter: Some("vip".into()),
        ..Default::default()
    });
    assert_eq!(vip.total, 25, "by tag");
    let by_key = engine.entries_page(&EntriesQuery {
        filter: Some("company:24".into()),
        ..Default::default()
    });
    assert_eq!(
        by_key
            .entries
            .iter()
            .map(|e| e.key.as_str())
            .collect::<Vec<_>>(),
        [
            "company:240",
            "company:241",
            "company:242",
            "company:243",
            "company:244",
            "company:245",
            "company:246",
            "company:247",
            "company:248",
            "company:249"
        ]
    );
    let local = engine.entries_page(&EntriesQuery {
        tier: Some(Tier::Local),
        limit: Some(5_000),
        ..Default::default()
    });
    assert_eq!(local.total, 126, "the odd companies and the dashboard");
    assert_eq!(local.entries.len(), 126);
    assert!(local.entries.iter().all(|e| e.tier == "local"));
    let memory = engine.entries_page(&EntriesQuery {
        tier: Some(Tier::Memory),
        ..Default::default()
    });
    assert_eq!(memory.total, 251, "every entry has a live copy");
}

#[test]
fn the_neighbourhood_shows_what_an_entry_is_built_from_and_what_goes_with_it() {
    let (mut engine, _) = engine_with(1_000_000.0);
    let deps =
        |d: &[&str]| opts(|o| o.depends_on = Some(d.iter().map(|s| s.to_string()).collect()));
    engine
        .set(
            "payment:7",
            &json_of(7),
            opts(|o| o.tags = Some(vec!["payments".into()])),
        )
        .unwrap();
    engine
        .set("payments:company:42", &json_of(1), deps(&["payment:7"]))
        .unwrap();
    engine
        .set(
            "company:42",
            &json_of(2),
            deps(&["payments:company:42", "contacts:company:42"]),
        )
        .unwrap();
    engine
        .set("dashboard", &json_of(3), deps(&["payments"]))
        .unwrap();
    let g = engine.neighbourhood("payments:company:42", 1);
    let edges: Vec<(String, String, &str)> = g
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.kind))
        .collect();
    assert_eq!(
        edges,
        [
            (
                "company:42".to_string(),
                "payments:company:42".to_string(),
                "dependsOn"
            ),
            (
                "payments:company:42".to_string(),
                "payment:7".to_string(),
                "dependsOn"
            ),
        ]
    );
    assert_eq!(g.nodes[0].key, "payments:company:42");
    assert_eq!(g.nodes[0].tier, Some("local"));
    let g = engine.neighbourhood("payment:7", 2);
    let mut keys: Vec<&str> = g.nodes.iter().map(|n| n.key.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["company:42", "payment:7", "payments", "payments:company:42"],
        "the dashboard depends on the tag, not on this payment"
    );
    assert!(g
        .edges
        .iter()
        .any(|e| e.from == "payment:7" && e.to == "payments" && e.kind == "tag"));
    assert!(
        g.nodes
            .iter()
            .any(|n| n.key == "payments" && n.tier.is_none()),
        "a tag is a node without a tier"
    );
    // Downward from a key is what invalidating it removes.
    let mut goes: Vec<String> = g
        .nodes
        .iter()
        .filter(|n| n.tier.is_some())
        .map(|n| n.key.clone())
        .collect();
    goes.sort();
    assert_eq!(engine.invalidate("payment:7").unwrap(), goes);
    // From a tag, downward: what carries it and what depends on it.
    let g = engine.neighbourhood("payments", 1);
    assert!(g
        .edges
        .iter()
        .any(|e| e.from == "dashboard" && e.to == "payments" && e.kind == "dependsOn"));
}

#[test]
fn a_neighbourhood_is_bounded() {
    let (mut engine, _) = engine_with(100_000_000.0);
    engine
        .set("root", &json_of(0), SetOptions::default())
        .unwrap();
    for n in 0..1_000 {
        engine
            .set(
                &format!("leaf:{n}"),
                &json_of(n),
                opts(|o| o.depends_on = Some(vec!["root".into()])),
            )
            .unwrap();
    }
    let g = engine.neighbourhood("root", 3);
    assert_eq!(g.nodes.len(), crate::core::engine::inspect::MAX_NODES);
    assert_eq!(g.edges.len(), crate::core::engine::inspect::MAX_NODES - 1);
}
