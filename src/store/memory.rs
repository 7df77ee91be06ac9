//! In-process stores for native tests: a `LocalStore` counting like localStorage, and an IndexedDB
//! (`MemoryIdb`) that carries out the engine's outbox as the browser backend does.
//!
//! An in-process `LocalStore` with a quota counted like localStorage's, for native tests. Clones
//! share one map, so a test can reopen an engine on the same data (a reload) or run two at once
//! (two tabs), and can plant foreign or damaged values.

use crate::core::clock::{Clock, ManualClock};
use crate::core::engine::options::CacheConfig;
use crate::core::engine::store::{units, LocalStore, StoreError, StoredHead};
use crate::core::engine::{Engine, IdbOp, Lookup, Stored};
use crate::core::format::record;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Default)]
struct Inner {
    items: BTreeMap<String, String>,
    quota_units: Option<usize>,
}

/// localStorage in a map, for native tests; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryLocalStore(Rc<RefCell<Inner>>);

impl MemoryLocalStore {
    /// A store that refuses writes past `quota_units` UTF-16 units of keys and values.
    pub fn with_quota(quota_units: usize) -> Self {
        let store = Self::default();
        store.0.borrow_mut().quota_units = Some(quota_units);
        store
    }

    /// UTF-16 units of every key and value held.
    pub fn used_units(&self) -> usize {
        self.0
            .borrow()
            .items
            .iter()
            .map(|(k, v)| units(k) + units(v))
            .sum()
    }

    /// Every key held, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.0.borrow().items.keys().cloned().collect()
    }

    /// Writes past the quota, as another program would.
    pub fn plant(&self, key: &str, value: &str) {
        self.0.borrow_mut().items.insert(key.into(), value.into());
    }

    /// The value stored under `key`, as the string it is (tests read and edit it).
    pub fn value(&self, key: &str) -> Option<String> {
        self.0.borrow().items.get(key).cloned()
    }
}

impl LocalStore for MemoryLocalStore {
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let inner = self.0.borrow();
        inner
            .items
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }

    fn heads_with_prefix(&self, prefix: &str, units: usize) -> Vec<StoredHead> {
        self.keys_with_prefix(prefix)
            .into_iter()
            .filter_map(|storage_key| {
                let (total_units, head) = self.head(&storage_key, units)?;
                Some(StoredHead {
                    storage_key,
                    total_units,
                    head,
                })
            })
            .collect()
    }

    fn head(&self, key: &str, n: usize) -> Option<(usize, Vec<u16>)> {
        let inner = self.0.borrow();
        let value = inner.items.get(key)?;
        Some((units(value), value.encode_utf16().take(n).collect()))
    }

    fn get(&self, key: &str) -> Option<Vec<u16>> {
        self.head(key, usize::MAX).map(|(_, units)| units)
    }

    fn set(&mut self, key: &str, value: &[u16]) -> Result<(), StoreError> {
        let mut inner = self.0.borrow_mut();
        if let Some(quota) = inner.quota_units {
            let others: usize = inner
                .items
                .iter()
                .filter(|(k, _)| *k != key)
                .map(|(k, v)| units(k) + units(v))
                .sum();
            if others + units(key) + value.len() > quota {
                return Err(StoreError::Quota);
            }
        }
        inner
            .items
            .insert(key.into(), String::from_utf16_lossy(value));
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().items.remove(key);
        Ok(())
    }
}

/// IndexedDB as the browser layer keeps it: one record of metadata and payload per key, with the
/// same compare-and-set on stamps as `store/idb.rs` (its journal, which only start-up reads, is
/// what `reopen` feeds the engine).
#[derive(Debug, Default)]
pub struct MemoryIdb {
    /// Metadata record and payload envelope by key.
    pub records: BTreeMap<String, (Vec<u8>, Vec<u8>)>,
}

impl MemoryIdb {
    /// Carries out the engine's outbox as `IdbStore::apply` does.
    pub fn flush<C: Clock, L: LocalStore>(&mut self, engine: &mut Engine<C, L>) {
        let seal = engine.seal();
        self.apply(engine.take_outbox(), seal);
    }

    /// Carries out `ops` in order, each a compare-and-set on the stamps its `seal` opens.
    pub fn apply(&mut self, ops: Vec<IdbOp>, seal: u32) {
        for op in ops {
            let stored = self
                .records
                .get(op.key().unwrap_or_default())
                .and_then(|(meta, _)| record::sealed_stamp(meta, seal));
            if !op.prevails_over(stored) {
                continue;
            }
            match op {
                IdbOp::Put {
                    key, meta, payload, ..
                } => {
                    self.records.insert(key, (meta, payload));
                }
                IdbOp::Delete { key, .. } => {
                    self.records.remove(&key);
                }
                IdbOp::Clear => self.records.clear(),
            }
        }
    }

    /// A page load: a new engine over the same localStorage, fed this database's metadata.
    pub fn reopen(
        &self,
        clock: &ManualClock,
        config: CacheConfig,
        local: &MemoryLocalStore,
    ) -> Engine<ManualClock, MemoryLocalStore> {
        let mut engine = Engine::open(clock.clone(), config, local.clone());
        engine.set_idb_available(true, "");
        for (key, (meta, _)) in &self.records {
            engine.load_idb_record(key, meta);
        }
        engine
    }

    /// `get` as the face does it: memory is the face's, so this reads the durable tiers.
    pub fn get<C: Clock, L: LocalStore>(
        &mut self,
        engine: &mut Engine<C, L>,
        key: &str,
    ) -> Option<String> {
        self.read(engine, key).map(|(json, _)| json)
    }

    /// The value found in a durable tier, with what the face keeps of it.
    pub fn read<C: Clock, L: LocalStore>(
        &mut self,
        engine: &mut Engine<C, L>,
        key: &str,
    ) -> Option<(String, Stored)> {
        let found = match engine.lookup(key).unwrap() {
            Lookup::ReadIndexedDb { write } => {
                let payload = self.records.get(key).map(|(_, p)| p.clone());
                engine.ingest_indexed_db(key, write, payload).unwrap()
            }
            other => other,
        };
        let Lookup::Hit { json, stored } = found else {
            return None;
        };
        // As the page decodes a hit: what is not UTF-8 goes back to the engine as corrupt.
        match String::from_utf8(json) {
            Ok(json) => Some((json, stored)),
            Err(_) => {
                engine.refuse_text(key).unwrap();
                None
            }
        }
    }
}
