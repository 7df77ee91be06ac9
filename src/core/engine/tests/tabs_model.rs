//! Model-based test of two tabs: two engines over one localStorage and one IndexedDB, their
//! messages delayed and delivered in batches at random points, with sets, deletes,
//! invalidations (by key, dependency and prefix) and loads raced by all of them, nested loads
//! included. Once every
//! message is delivered, both tabs and a fresh engine over the storage (a reload) agree on every
//! key, and no load spoiled by a change stored its value.

use super::*;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
enum TabOp {
    Set {
        tab: usize,
        key: u8,
        dep: Option<u8>,
        large: bool,
    },
    Delete {
        tab: usize,
        key: u8,
    },
    Invalidate {
        tab: usize,
        key: u8,
    },
    InvalidatePrefix {
        tab: usize,
    },
    Deliver {
        from: usize,
        count: u8,
    },
    Tick {
        ms: u8,
    },
    /// A load of `key` in `tab`, raced by an invalidation of `other` in the other tab that
    /// arrives before it ends.
    /// `outer`'s loader reads `inner` through the cache (a nested `getOrLoad` that misses and
    /// loads it with dependency `dep`) while the other tab invalidates `other`.
    NestedLoad {
        tab: usize,
        outer: u8,
        inner: u8,
        dep: u8,
        other: u8,
    },
    RacedLoad {
        tab: usize,
        key: u8,
        other: u8,
    },
}

fn tab_op() -> impl Strategy<Value = TabOp> {
    let tab = 0..2usize;
    let key = 0..6u8;
    prop_oneof![
        4 => (tab.clone(), key.clone(), proptest::option::of(0..6u8), any::<bool>())
            .prop_map(|(tab, key, dep, large)| TabOp::Set { tab, key, dep, large }),
        1 => (tab.clone(), key.clone()).prop_map(|(tab, key)| TabOp::Delete { tab, key }),
        2 => (tab.clone(), key.clone()).prop_map(|(tab, key)| TabOp::Invalidate { tab, key }),
        1 => tab.clone().prop_map(|tab| TabOp::InvalidatePrefix { tab }),
        3 => (tab.clone(), 0..4u8).prop_map(|(from, count)| TabOp::Deliver { from, count }),
        1 => (0..3u8).prop_map(|ms| TabOp::Tick { ms }),
        1 => (tab.clone(), key.clone(), key.clone()).prop_map(|(tab, key, other)| TabOp::RacedLoad { tab, key, other }),
        1 => (tab, key.clone(), key.clone(), key.clone(), key)
            .prop_map(|(tab, outer, inner, dep, other)| TabOp::NestedLoad { tab, outer, inner, dep, other }),
    ]
}

fn key_name(k: u8) -> String {
    if k < 3 {
        format!("a:{k}")
    } else {
        format!("b:{k}")
    }
}

struct Tabs {
    engines: [TestEngine; 2],
    queues: [VecDeque<Broadcast>; 2],
    idb: Idb,
}

impl Tabs {
    /// Flushes `tab`'s IndexedDB writes and queues its messages for the other tab.
    fn send(&mut self, tab: usize) {
        self.idb.flush(&mut self.engines[tab]);
        let messages = self.engines[tab].take_broadcasts();
        self.queues[tab].extend(messages);
    }

    fn deliver(&mut self, from: usize, count: usize) {
        for _ in 0..count {
            let Some(message) = self.queues[from].pop_front() else {
                break;
            };
            self.engines[1 - from].apply_remote(message);
            self.send(1 - from);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn two_tabs_converge_and_never_store_a_spoiled_load(ops in proptest::collection::vec(tab_op(), 1..60)) {
        let clock = ManualClock::new(START);
        let local = MemoryLocalStore::default();
        let idb = Idb::default();
        let config = config(|c| c.large_entry_bytes = Some(200.0));
        let engines = [idb.reopen(&clock, config.clone(), &local), idb.reopen(&clock, config.clone(), &local)];
        let mut tabs = Tabs { engines, queues: [VecDeque::new(), VecDeque::new()], idb };
        let mut version = 0;
        for op in ops {
            match op {
                TabOp::Set { tab, key, dep, large } => {
                    version += 1;
                    let value = if large {
                        format!("{{\"v\":{version},\"pad\":\"{}\"}}", "x".repeat(300))
                    } else {
                        format!("{{\"v\":{version}}}")
                    };
                    let options = opts(|o| o.depends_on = dep.map(|d| vec![key_name(d)]));
                    tabs.engines[tab].set(&key_name(key), value.as_bytes(), options).unwrap();
                    tabs.send(tab);
                }
                TabOp::Delete { tab, key } => {
                    tabs.engines[tab].delete(&key_name(key)).unwrap();
                    tabs.send(tab);
                }
                TabOp::Invalidate { tab, key } => {
                    tabs.engines[tab].invalidate(&key_name(key)).unwrap();
                    tabs.send(tab);
                }
                TabOp::InvalidatePrefix { tab } => {
                    tabs.engines[tab].invalidate_prefix("a:").unwrap();
                    tabs.send(tab);
                }
                TabOp::Deliver { from, count } => tabs.deliver(from, count as usize),
                TabOp::Tick { ms } => clock.advance(u64::from(ms)),
                TabOp::NestedLoad { tab, outer, inner, dep, other } => {
                    if outer == inner {
                        continue;
                    }
                    let (outer, inner, dep, other) = (key_name(outer), key_name(inner), key_name(dep), key_name(other));
                    let none = SetOptions::default();
                    let outer_load = tabs.engines[tab].begin_load(&outer, &none);
                    // The nested getOrLoad: a read of `inner`, then its own load.
                    tabs.engines[tab].note_read(&inner);
                    let inner_options = opts(|o| o.depends_on = Some(vec![dep.clone()]));
                    let inner_load = tabs.engines[tab].begin_load(&inner, &inner_options);
                    tabs.engines[1 - tab].invalidate(&other).unwrap();
                    tabs.send(1 - tab);
                    let pending = tabs.queues[1 - tab].len();
                    tabs.deliver(1 - tab, pending);
                    let inner_spoiled = tabs.engines[tab].load_spoiled(inner_load);
                    let outer_spoiled = tabs.engines[tab].load_spoiled(outer_load);
                    prop_assert!(other != dep && other != inner || inner_spoiled, "{} read {} raced {}", inner, dep, other);
                    prop_assert!(!inner_spoiled || outer_spoiled, "{} read the spoiled {}", outer, inner);
                    let stored = tabs.engines[tab].store_loaded(inner_load, &inner, b"\"inner\"", inner_options).unwrap();
                    tabs.engines[tab].end_load(inner_load);
                    prop_assert_eq!(stored.is_none(), inner_spoiled);
                    let stored = tabs.engines[tab].store_loaded(outer_load, &outer, b"\"outer\"", none).unwrap();
                    tabs.engines[tab].end_load(outer_load);
                    prop_assert_eq!(stored.is_none(), outer_spoiled);
                    tabs.send(tab);
                }
                TabOp::RacedLoad { tab, key, other } => {
                    let (key, other) = (key_name(key), key_name(other));
                    let options = opts(|o| o.depends_on = Some(vec![other.clone()]));
                    let token = tabs.engines[tab].begin_load(&key, &options);
                    tabs.engines[1 - tab].invalidate(&other).unwrap();
                    tabs.send(1 - tab);
                    let pending = tabs.queues[1 - tab].len();
                    tabs.deliver(1 - tab, pending);
                    prop_assert!(tabs.engines[tab].load_spoiled(token), "{} depends on {}", key, other);
                    let stored = tabs.engines[tab].store_loaded(token, &key, b"\"stale\"", options).unwrap();
                    tabs.engines[tab].end_load(token);
                    prop_assert!(stored.is_none());
                    tabs.send(tab);
                }
            }
        }
        // Quiescence: every message delivered, both ways, until none is left.
        while !tabs.queues[0].is_empty() || !tabs.queues[1].is_empty() {
            tabs.deliver(0, usize::MAX);
            tabs.deliver(1, usize::MAX);
        }
        let mut fresh = tabs.idb.reopen(&clock, config, &local);
        for k in 0..6 {
            let key = key_name(k);
            let a = tabs.idb.get(&mut tabs.engines[0], &key);
            let b = tabs.idb.get(&mut tabs.engines[1], &key);
            let f = tabs.idb.get(&mut fresh, &key);
            prop_assert_eq!(&a, &b, "tabs disagree on {}", key);
            prop_assert_eq!(&a, &f, "a reload disagrees on {}", key);
            prop_assert!(a.as_deref() != Some("\"stale\""));
        }
    }
}
