//! One definition of what the JS face and `index.d.ts` share with the core: the constants the
//! face needs are rendered from Rust into `pkg/lib/contract.js` (this test fails when the file
//! drifts; `UPDATE_CONTRACT=1 cargo test --test contract` rewrites it), and the types of
//! `pkg/index.d.ts` that describe core shapes are checked against the Rust definitions.
#![cfg(not(target_arch = "wasm32"))]

use smartcache::core::engine::event::LiveDrop;
use smartcache::core::engine::stats::{CacheStats, EntryInfo};
use smartcache::core::error::{ERROR_CODES, MAX_KEY_UNITS};
use smartcache::core::plain::{Plain, ToPlain};
use smartcache::core::types::{FaultCode, Tier};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn pkg(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("pkg")
        .join(file)
}

fn list(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|s| format!("'{}'", s.as_ref()))
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn render() -> String {
    let tiers = Tier::ALL.map(Tier::as_str);
    let faults = FaultCode::ALL.map(FaultCode::as_str);
    let drops = [LiveDrop::Key, LiveDrop::Removed, LiveDrop::All].map(LiveDrop::as_str);
    format!(
        "// Rendered from the Rust core by tests/contract.rs: do not edit by hand.\n\
         // `UPDATE_CONTRACT=1 cargo test --test contract` writes it again.\n\n\
         /** Longest key, in UTF-16 units. */\n\
         export const MAX_KEY_UNITS = {MAX_KEY_UNITS};\n\n\
         /** The codes of SmartCacheError. */\n\
         export const ERROR_CODES = {};\n\n\
         /** The codes of `fault` events. */\n\
         export const FAULT_CODES = {};\n\n\
         /** The tiers, as events and entries name them. */\n\
         export const TIERS = {};\n\n\
         /** What an event's `drop` field may say: which live copies it takes away. */\n\
         export const LIVE_DROPS = {};\n\n\
         /** `stats()` of a cache that holds nothing (the default instance before it opens). */\n\
         export const EMPTY_STATS = {};\n",
        list(ERROR_CODES),
        list(faults),
        list(tiers),
        list(drops),
        CacheStats::default().to_plain().to_json(),
    )
}

#[test]
fn the_face_constants_are_rendered_from_rust() {
    let path = pkg("lib/contract.js");
    let wanted = render();
    if std::env::var_os("UPDATE_CONTRACT").is_some() {
        std::fs::write(&path, &wanted).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        on_disk, wanted,
        "pkg/lib/contract.js drifted from the Rust core: run UPDATE_CONTRACT=1 cargo test --test contract"
    );
}

/// The string members of `export type {name} = 'a' | 'b' ...;` (comments inside skipped).
fn union(dts: &str, name: &str) -> BTreeSet<String> {
    let start = dts
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("index.d.ts has no type {name}"));
    let body = &dts[start..start + dts[start..].find(';').unwrap()];
    body.lines()
        .map(|l| l.split("/**").next().unwrap())
        .flat_map(|l| {
            l.split('\'')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The field names of `export interface {name} { ... }`.
fn fields(dts: &str, name: &str) -> BTreeSet<String> {
    let start = dts
        .find(&format!("export interface {name} {{"))
        .unwrap_or_else(|| panic!("index.d.ts has no interface {name}"));
    let body = &dts[start..start + dts[start..].find("\n}").unwrap()];
    body.lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.starts_with("/**") && !l.starts_with('*') && l.contains(':'))
        .map(|l| l.split([':', '?']).next().unwrap().trim().to_string())
        .collect()
}

/// The field names of a value's plain object.
fn plain_fields(value: &impl ToPlain) -> BTreeSet<String> {
    let Plain::Object(fields) = value.to_plain() else {
        panic!("not an object");
    };
    fields.iter().map(|(k, _)| k.to_string()).collect()
}

#[test]
fn index_d_ts_matches_the_rust_definitions() {
    let dts = std::fs::read_to_string(pkg("index.d.ts")).unwrap();
    let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(union(&dts, "SmartCacheErrorCode"), set(&ERROR_CODES));
    assert_eq!(
        union(&dts, "FaultCode"),
        set(&FaultCode::ALL.map(FaultCode::as_str))
    );
    assert_eq!(union(&dts, "TierName"), set(&Tier::ALL.map(Tier::as_str)));
    let stats = CacheStats::default();
    assert_eq!(fields(&dts, "TierStats"), plain_fields(&stats.memory));
    assert_eq!(fields(&dts, "PredictStats"), plain_fields(&stats.predict));
    assert_eq!(fields(&dts, "CacheStats"), plain_fields(&stats));
    let entry = EntryInfo {
        key: "k".into(),
        tier: "local",
        in_memory: true,
        raw_bytes: 1,
        stored_bytes: 1,
        compressed: false,
        created_at: 1,
        expires_at: Some(2),
        stale_at: Some(2),
        tags: vec![],
        depends_on: vec![],
        hits: 0,
    };
    assert_eq!(fields(&dts, "EntryInfo"), plain_fields(&entry));
}
