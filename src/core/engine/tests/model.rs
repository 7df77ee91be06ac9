//! Model-based property test: random sequences of set (with random dependencies and tags), get,
//! load (with an invalidation racing it), invalidate, invalidatePrefix, delete, clock advance and
//! reload, against a plain reference model. No read may return a value that the model says was
//! invalidated, expired or deleted; with room to spare, every read returns the model's value.

use super::*;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone)]
enum Op {
    Set {
        key: u8,
        deps: Vec<u8>,
        tag: Option<u8>,
        ttl: Option<u16>,
        tier: u8,
    },
    Get(u8),
    Load {
        key: u8,
        deps: Vec<u8>,
        racing: Option<u8>,
    },
    Invalidate(u8),
    InvalidateTag(u8),
    InvalidatePrefix(u8),
    Delete(u8),
    Advance(u16),
    Reload,
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..12;
    prop_oneof![
        5 => (key.clone(), proptest::collection::vec(0u8..12, 0..3), proptest::option::of(0u8..3), proptest::option::of(1u16..500), 0u8..4)
            .prop_map(|(key, deps, tag, ttl, tier)| Op::Set { key, deps, tag, ttl, tier }),
        5 => key.clone().prop_map(Op::Get),
        // A racing invalidation: of a key (0..12), or of a prefix (12: company:, 13: payment:).
        2 => (key.clone(), proptest::collection::vec(0u8..12, 0..2), proptest::option::of(0u8..14))
            .prop_map(|(key, deps, racing)| Op::Load { key, deps, racing }),
        2 => key.clone().prop_map(Op::Invalidate),
        1 => (0u8..3).prop_map(Op::InvalidateTag),
        1 => (0u8..2).prop_map(Op::InvalidatePrefix),
        1 => key.prop_map(Op::Delete),
        1 => (1u16..400).prop_map(Op::Advance),
        1 => Just(Op::Reload),
    ]
}

fn name(k: u8) -> String {
    // Two prefixes, so that invalidatePrefix has something to choose between.
    format!(
        "{}:{k}",
        if k.is_multiple_of(2) {
            "company"
        } else {
            "payment"
        }
    )
}

#[derive(Debug, Clone)]
struct Modeled {
    value: String,
    expires_at: Option<u64>,
    deps: Vec<String>,
    tags: Vec<String>,
    persisted: bool,
}

#[derive(Default)]
struct Model {
    entries: BTreeMap<String, Modeled>,
}

impl Model {
    /// Fixpoint over all entries: the plain way, to check the graph's closure. Returns every
    /// name invalidated: the seeds and the keys removed.
    fn invalidate(&mut self, seeds: &[String]) -> Vec<String> {
        let mut gone: Vec<String> = seeds.to_vec();
        loop {
            let before = gone.len();
            for (key, e) in &self.entries {
                let hit =
                    gone.contains(key) || e.tags.iter().chain(&e.deps).any(|n| gone.contains(n));
                if hit && !gone.contains(key) {
                    gone.push(key.clone());
                }
            }
            if gone.len() == before {
                break;
            }
        }
        self.entries.retain(|k, _| !gone.contains(k));
        gone
    }

    fn live(&self, key: &str, now: u64) -> Option<&Modeled> {
        self.entries
            .get(key)
            .filter(|e| e.expires_at.is_none_or(|at| at > now))
    }
}

/// The JS face's side: live values, dropped as the engine's events say.
#[derive(Default)]
struct Face {
    live: HashMap<String, (String, Option<u64>)>,
}

impl Face {
    fn apply(&mut self, engine: &mut TestEngine) {
        for event in engine.drain_events().collect::<Vec<_>>() {
            match event {
                Event::Evicted {
                    key,
                    tier: Tier::Memory,
                }
                | Event::Removed { key, .. } => {
                    self.live.remove(&*key);
                }
                Event::Invalidated { removed, .. } => {
                    for key in removed {
                        self.live.remove(&*key);
                    }
                }
                Event::Cleared => self.live.clear(),
                _ => {}
            }
        }
    }

    fn keep(&mut self, key: &str, value: &str, stored: Stored) {
        if stored.in_memory {
            self.live
                .insert(key.into(), (value.into(), stored.expires_at));
        } else {
            self.live.remove(key);
        }
    }

    fn get(
        &mut self,
        engine: &mut TestEngine,
        idb: &mut Idb,
        key: &str,
        now: u64,
    ) -> Option<String> {
        if let Some((value, expires_at)) = self.live.get(key) {
            if expires_at.is_none_or(|at| at > now) {
                return Some(value.clone());
            }
        }
        let found = idb.read(engine, key);
        self.apply(engine);
        let (value, stored) = found?;
        self.keep(key, &value, stored);
        Some(value)
    }
}

fn set_options(deps: &[String], tag: Option<u8>, ttl: Option<u16>, tier: u8) -> SetOptions {
    opts(|o| {
        o.depends_on = Some(deps.to_vec());
        o.tags = tag.map(|t| vec![format!("tag{t}")]);
        o.ttl_ms = ttl.map(f64::from);
        o.tier = Some(
            [
                TierChoice::Auto,
                TierChoice::Memory,
                TierChoice::Local,
                TierChoice::IndexedDb,
            ][tier as usize],
        );
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn reads_never_return_what_the_model_removed(ops in proptest::collection::vec(op(), 1..120)) {
        let clock = ManualClock::new(START);
        let local = MemoryLocalStore::default();
        let config = config(|c| c.large_entry_bytes = Some(30.0));
        let mut idb = Idb::default();
        let mut engine = idb.reopen(&clock, config.clone(), &local);
        let mut face = Face::default();
        let mut model = Model::default();
        let mut version = 0u32;
        for op in ops {
            let now = clock.now_ms();
            // Expiry removes just the entry (it is not an invalidation: nothing cascades).
            model.entries.retain(|_, e| e.expires_at.is_none_or(|at| at > now));
            match op {
                Op::Set { key, deps, tag, ttl, tier } => {
                    version += 1;
                    let (key, value) = (name(key), format!("\"v{version}\""));
                    let deps: Vec<String> = deps.into_iter().map(name).collect();
                    let options = set_options(&deps, tag, ttl, tier);
                    let stored = engine.set(&key, value.as_bytes(), options.clone()).unwrap();
                    face.apply(&mut engine);
                    face.keep(&key, &value, stored);
                    let modeled = Modeled {
                        value, expires_at: options.ttl_ms.map(|t| now + t), deps, tags: options.tags, persisted: tier != 1,
                    };
                    model.entries.insert(key, modeled);
                }
                Op::Get(key) => {
                    let key = name(key);
                    let got = face.get(&mut engine, &mut idb, &key, now);
                    let expected = model.live(&key, now).map(|e| e.value.clone());
                    prop_assert_eq!(got, expected, "get {}", key);
                }
                Op::Load { key, deps, racing } => {
                    version += 1;
                    let (key, value) = (name(key), format!("\"v{version}\""));
                    let deps: Vec<String> = deps.into_iter().map(name).collect();
                    let options = set_options(&deps, None, None, 0);
                    let token = engine.begin_load(&key, &options);
                    let mut spoiled = false;
                    if let Some(other) = racing {
                        let gone = if other < 12 {
                            let other = name(other);
                            engine.invalidate(&other).unwrap();
                            model.invalidate(std::slice::from_ref(&other))
                        } else {
                            let prefix = if other == 12 { "company:" } else { "payment:" };
                            engine.invalidate_prefix(prefix).unwrap();
                            let seeds: Vec<String> = model.entries.keys().filter(|k| k.starts_with(prefix)).cloned().collect();
                            let mut gone = model.invalidate(&seeds);
                            // Keys under the prefix count as invalidated even when not cached.
                            gone.extend((0..12).map(name).filter(|k| k.starts_with(prefix)));
                            gone
                        };
                        face.apply(&mut engine);
                        spoiled = gone.contains(&key) || deps.iter().any(|d| gone.contains(d));
                    }
                    let stored = engine.store_loaded(token, &key, value.as_bytes(), options).unwrap();
                    engine.end_load(token);
                    face.apply(&mut engine);
                    prop_assert_eq!(stored.is_none(), spoiled, "load of {} raced {:?}", key, racing);
                    if let Some(stored) = stored {
                        face.keep(&key, &value, stored);
                        model.entries.insert(key, Modeled { value, expires_at: None, deps, tags: vec![], persisted: true });
                    }
                }
                Op::Invalidate(key) => {
                    let key = name(key);
                    let removed = engine.invalidate(&key).unwrap();
                    face.apply(&mut engine);
                    let before: Vec<String> = model.entries.keys().cloned().collect();
                    model.invalidate(std::slice::from_ref(&key));
                    let mut gone: Vec<String> = before.into_iter().filter(|k| !model.entries.contains_key(k)).collect();
                    gone.sort();
                    prop_assert_eq!(removed, gone);
                }
                Op::InvalidateTag(tag) => {
                    let tag = format!("tag{tag}");
                    engine.invalidate(&tag).unwrap();
                    face.apply(&mut engine);
                    model.invalidate(&[tag]);
                }
                Op::InvalidatePrefix(which) => {
                    let prefix = if which == 0 { "company:" } else { "payment:" };
                    engine.invalidate_prefix(prefix).unwrap();
                    face.apply(&mut engine);
                    let seeds: Vec<String> = model.entries.keys().filter(|k| k.starts_with(prefix)).cloned().collect();
                    model.invalidate(&seeds);
                }
                Op::Delete(key) => {
                    let key = name(key);
                    engine.delete(&key).unwrap();
                    face.apply(&mut engine);
                    model.entries.remove(&key);
                }
                Op::Advance(ms) => clock.advance(u64::from(ms)),
                Op::Reload => {
                    idb.flush(&mut engine);
                    engine = idb.reopen(&clock, config.clone(), &local);
                    face = Face::default();
                    model.entries.retain(|_, e| e.persisted);
                }
            }
            idb.flush(&mut engine);
        }
    }
}
