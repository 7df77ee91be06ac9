//! Opening an engine over what earlier page loads persisted: the localStorage entries of this
//! namespace and version are read by their heads (metadata only), older versions and damaged
//! values are purged; IndexedDB's metadata records arrive afterwards through `load_idb_record`.

use super::broadcast::TabState;
use super::{key_hash, Engine, Entry, Handle, Key, Policies, Reverse, Stores};
use crate::core::clock::Clock;
use crate::core::engine::options::CacheConfig;
use crate::core::engine::store::{charged_bytes, units, LocalStore, StoredHead};
use crate::core::error::{quoted, Corruption, Error};
use crate::core::format::record::{self, Meta};
use crate::core::format::text;
use crate::core::graph::Graph;
use crate::core::policy::slots::Slots;
use crate::core::policy::{Gdsf, Policy};
use crate::core::sort::sort_by_key;
use crate::core::types::{FaultCode, Tier};
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Units of a localStorage value read first: the header and the metadata of nearly every entry
/// (a longer one, with many tags or dependencies, takes a second read).
const HEAD_READ_UNITS: usize = record::HEAD_UNITS + 96;

/// Expiry records beyond twice the live entries that trigger a compaction of the heap.
const EXPIRY_SLACK: usize = 64;

/// Outside the browser (tests, native examples) engines of one process get distinct writer ids.
fn next_native_writer() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// An engine over `local`, with the entries it holds for this namespace and version.
    /// IndexedDB counts as unavailable until the browser layer says otherwise.
    pub fn open(clock: C, config: CacheConfig, local: L) -> Self {
        let mut engine = Self::open_unindexed(clock, config, local);
        engine.index_local();
        engine
    }

    /// `open`, leaving the scan of localStorage (about 10 us an entry in a browser) for later, so
    /// that the first reads need not wait for it: `lookup` reads the key it is asked for, and
    /// the caller runs `index_local` before anything else (writes, removals, stats, another
    /// tab's changes, IndexedDB's records), all of which need every entry known.
    pub fn open_unindexed(clock: C, config: CacheConfig, local: L) -> Self {
        let namespace = &config.namespace;
        let namespace_prefix = format!("smartcache:{}:{namespace}:", units(namespace));
        let local_prefix = format!("{namespace_prefix}{}:", config.version);
        let seal = record::seal_seed(namespace, config.version);
        let writer = match config.writer {
            0 => next_native_writer(),
            id => id,
        };
        let predictor = crate::core::predict::Predictor::new(config.predict);
        let mut engine = Self {
            policies: Policies {
                memory: Gdsf::new(config.memory_bytes),
                local: Gdsf::new(config.local_storage_bytes),
                idb: Gdsf::new(config.indexed_db_bytes),
            },
            stores: Stores {
                local,
                namespace_prefix,
                local_prefix,
                seal,
                idb_available: false,
                idb_opening: false,
                outbox: Vec::new(),
                deferred_demotions: Some(Vec::new()),
                local_unindexed: true,
            },
            tabs: TabState {
                writer,
                ..TabState::default()
            },
            clock,
            config,
            entries: Slots::default(),
            hits: Vec::new(),
            index: HashMap::new(),
            ordered: BTreeSet::new(),
            graph: Graph::default(),
            loads: Default::default(),
            writes: 0,
            expiries: BinaryHeap::new(),
            counters: Default::default(),
            events: Vec::new(),
            predictor,
            model_cost: 0,
            model_saved_at: 0,
            recent_preloads: Default::default(),
            closed: false,
        };
        // The model, whose bytes the entries' budget leaves room for, before any entry.
        engine.load_model();
        engine.purge_other_versions();
        engine
    }

    /// Removes what other versions of this namespace stored: never readable again (the scan
    /// would, but it may come later, and the space is this version's).
    fn purge_other_versions(&mut self) {
        let stores = &self.stores;
        let keys = stores
            .local
            .keys_with_prefix_but(&stores.namespace_prefix, &stores.local_prefix);
        for key in keys {
            self.remove_local_key(&key);
        }
    }

    /// Indexes what localStorage holds, once (see `open_unindexed`).
    pub fn index_local(&mut self) {
        if std::mem::take(&mut self.stores.local_unindexed) {
            self.load_local();
        }
    }

    /// Before `index_local`: indexes `key` if localStorage holds it, as the scan would have.
    pub(super) fn index_local_key(&mut self, key: &str) {
        if !self.stores.local_unindexed || self.indexed_in_local(key) {
            return;
        }
        let storage_key = format!("{}{key}", self.stores.local_prefix);
        let Some((total_units, head)) = self.stores.local.head(&storage_key, HEAD_READ_UNITS)
        else {
            return;
        };
        let now = self.clock.now_ms();
        if let Some((meta, value_units)) =
            self.check_local_head(&storage_key, key, total_units, head, now)
        {
            if self.supersedes_indexed(&storage_key, &meta) {
                self.adopt_local(meta, value_units);
            }
        }
    }

    /// Whether the index holds `key` from localStorage (read before the scan).
    fn indexed_in_local(&self, key: &str) -> bool {
        self.index
            .get(key)
            .is_some_and(|&handle| self.entry(handle).home == Tier::Local)
    }

    /// A localStorage entry found after IndexedDB's records were indexed: when IndexedDB holds
    /// the key too (a page closed between a write and the removal of the older copy), the
    /// newer write wins and the other copy goes. Whether the localStorage entry is to be indexed.
    fn supersedes_indexed(&mut self, storage_key: &str, meta: &Meta) -> bool {
        let Some(&existing) = self.index.get(meta.key.as_str()) else {
            return true;
        };
        if meta.newer_than(&self.entry(existing).meta) {
            self.forget(existing);
            true
        } else {
            self.remove_local_key(storage_key);
            false
        }
    }

    fn load_local(&mut self) {
        let now = self.clock.now_ms();
        let mut found = Vec::new();
        let heads = self
            .stores
            .local
            .heads_with_prefix(&self.stores.namespace_prefix, HEAD_READ_UNITS);
        for StoredHead {
            storage_key,
            total_units,
            head,
        } in heads
        {
            let Some(key) = storage_key.strip_prefix(&self.stores.local_prefix) else {
                // Written under another version since the open (by an older page in another tab).
                self.remove_local_key(&storage_key);
                continue;
            };
            // Indexed already by a read before the scan.
            if self.indexed_in_local(key) {
                continue;
            }
            if let Some((meta, value_units)) =
                self.check_local_head(&storage_key, key, total_units, head, now)
            {
                if self.supersedes_indexed(&storage_key, &meta) {
                    found.push((meta, value_units));
                }
            }
        }
        // Oldest first, so that a budget smaller than what is stored keeps the newest.
        sort_by_key(&mut found, |(meta, _)| meta.created_at);
        // The latest stamp first: adopting the others then reads no clock.
        if let Some(latest) = found.iter().map(|(meta, _)| meta.stamp).max() {
            self.observe_stamp(latest);
        }
        for (meta, value_units) in found {
            self.adopt_local(meta, value_units);
        }
    }

    /// The metadata and length of a stored value found at start-up, or None when it is purged:
    /// expired, of the previous format, or damaged (a fault).
    fn check_local_head(
        &mut self,
        storage_key: &str,
        key: &str,
        total_units: usize,
        head: Vec<u16>,
        now: u64,
    ) -> Option<(Meta, usize)> {
        match self.parse_local_head(storage_key, key, total_units, head) {
            Ok((meta, value_units)) if !meta.expired(now) => return Some((meta, value_units)),
            Ok(_) | Err(Error::Outdated(_)) => self.remove_local_key(storage_key),
            Err(why) => {
                self.remove_local_key(storage_key);
                let message = format!("purged at start-up: {why}");
                self.fault(
                    Tier::Local,
                    FaultCode::CorruptEntry,
                    message,
                    Some(Rc::from(key)),
                );
            }
        }
        None
    }

    /// Indexes a localStorage entry found at start-up.
    fn adopt_local(&mut self, meta: Meta, value_units: usize) {
        let cost = charged_bytes(
            units(&self.stores.local_prefix) + units(&meta.key),
            value_units,
        );
        self.adopt(meta, Tier::Local, cost);
    }

    /// Indexes an entry already stored in `home` (found at start-up, or written by another tab).
    /// What that tier's budget then cannot hold moves on as on any other path: localStorage's
    /// overflow to IndexedDB (after opening: once IndexedDB has answered), IndexedDB's out.
    pub(super) fn adopt(&mut self, meta: Meta, home: Tier, cost: u64) {
        self.observe_stamp(meta.stamp);
        let hash = key_hash(&meta.key);
        let handle = self.register(meta, home, cost);
        let mut evicted = Vec::new();
        match home {
            Tier::Local => {
                self.policies.local.insert(handle, hash, cost, &mut evicted);
                match &mut self.stores.deferred_demotions {
                    Some(deferred) => deferred.extend(evicted),
                    None => self.demote_all(evicted),
                }
            }
            Tier::IndexedDb => {
                self.policies.idb.insert(handle, hash, cost, &mut evicted);
                self.evict_from_idb(evicted);
            }
            Tier::Memory => {}
        }
    }

    /// Metadata and total length (in units) of a stored value, checked for consistency.
    pub(super) fn read_local_head(
        &self,
        storage_key: &str,
        key: &str,
    ) -> Result<(Meta, usize), Error> {
        let (total, head) = self
            .stores
            .local
            .head(storage_key, HEAD_READ_UNITS)
            .ok_or(Error::Corrupt(Corruption::ValueVanished))?;
        self.parse_local_head(storage_key, key, total, head)
    }

    /// `read_local_head` of a value whose length and first `HEAD_READ_UNITS` units were read.
    fn parse_local_head(
        &self,
        storage_key: &str,
        key: &str,
        total: usize,
        mut head: Vec<u16>,
    ) -> Result<(Meta, usize), Error> {
        let meta_units = record::local_meta_units(&head)?;
        if record::HEAD_UNITS + meta_units > HEAD_READ_UNITS {
            // Many tags or dependencies: a second read.
            head = self
                .stores
                .local
                .head(storage_key, record::HEAD_UNITS + meta_units)
                .ok_or(Error::Corrupt(Corruption::ValueVanished))?
                .1;
        }
        let meta = record::parse_local_meta(&head, self.stores.seal)?;
        if meta.key != key {
            return Err(Error::Corrupt(Corruption::ForeignKey));
        }
        let payload_units = text::packed_units(meta.payload_bytes as usize);
        if total != record::HEAD_UNITS + meta_units + payload_units {
            return Err(Error::Corrupt(Corruption::ValueLength));
        }
        Ok((meta, total))
    }

    /// Adds an entry to the index (written now, or found at start-up).
    pub(super) fn register(&mut self, meta: Meta, home: Tier, stored_bytes: u64) -> Handle {
        self.writes += 1;
        let key: Key = Rc::from(meta.key.as_str());
        self.index_key(&key, &meta);
        let expires_at = meta.expires_at;
        let handle = self.entries.allocate(Entry {
            key: key.clone(),
            meta,
            write: self.writes,
            home,
            stored_bytes,
            preload: None,
        });
        self.index.insert(key, handle);
        if let Some(at) = expires_at {
            self.expiries.push(Reverse((at, self.writes, handle)));
            // Records of deleted or rewritten entries wait for their time to pass: drop them
            // once they outnumber the live entries, so the heap stays bounded by those.
            if self.expiries.len() > 2 * self.index.len() + EXPIRY_SLACK {
                let entries = &self.entries;
                self.expiries
                    .retain(|Reverse((_, w, h))| entries.get(*h).is_some_and(|e| e.write == *w));
            }
        }
        let at = handle as usize;
        if at >= self.hits.len() {
            self.hits.resize(at + 1, 0);
        }
        self.hits[at] = 0;
        handle
    }

    /// The key's place in the prefix order and the dependency graph.
    fn index_key(&mut self, key: &Key, meta: &Meta) {
        self.ordered.insert(key.clone());
        self.graph.add(key, &meta.tags, &meta.depends_on);
    }

    /// IndexedDB's journal held `damaged` chunks that did not decode or metadata records that did
    /// not open: the entries it no longer named were looked for by their own records
    /// (`recovered` found), which are checked as any other record is.
    pub fn idb_journal_damaged(&mut self, damaged: usize, recovered: usize) {
        let message = format!(
            "the journal was damaged in {damaged} place(s): {recovered} entries found by their own records"
        );
        self.fault(Tier::IndexedDb, FaultCode::CorruptEntry, message, None);
    }

    /// The metadata records read from IndexedDB at start-up (the clock read once for them all).
    pub fn load_idb_records(&mut self, records: &[(String, Vec<u8>)]) {
        let now = self.clock.now_ms();
        for (key, meta_bytes) in records {
            self.load_idb_record_at(key, meta_bytes, now);
        }
    }

    /// One metadata record read from IndexedDB at start-up.
    pub fn load_idb_record(&mut self, key: &str, meta_bytes: &[u8]) {
        let now = self.clock.now_ms();
        self.load_idb_record_at(key, meta_bytes, now);
    }

    fn load_idb_record_at(&mut self, key: &str, meta_bytes: &[u8], now: u64) {
        // What a purge may delete: this record, never a later write another tab made meanwhile.
        let upto = record::sealed_stamp(meta_bytes, self.stores.seal).map_or(u64::MAX, |(s, _)| s);
        let meta = match Meta::from_bytes(meta_bytes, self.stores.seal) {
            Ok(meta) if meta.key == key => meta,
            Err(Error::Outdated(_)) => {
                self.stores.outbox.push(super::IdbOp::Delete {
                    key: key.to_string(),
                    upto,
                });
                return;
            }
            other => {
                self.stores.outbox.push(super::IdbOp::Delete {
                    key: key.to_string(),
                    upto,
                });
                let why = match other {
                    Ok(meta) => format!("it names another key ({})", quoted(&meta.key)),
                    Err(e) => e.to_string(),
                };
                let message = format!("purged at start-up: unreadable metadata: {why}");
                self.fault(
                    Tier::IndexedDb,
                    FaultCode::CorruptEntry,
                    message,
                    Some(Rc::from(key)),
                );
                return;
            }
        };
        if meta.expired(now) {
            self.stores.outbox.push(super::IdbOp::Delete {
                key: key.to_string(),
                upto,
            });
            return;
        }
        if let Some(&existing) = self.index.get(key) {
            // Both tiers hold the key (a page closed between a write and the removal of the
            // older copy): the newer write wins.
            if !meta.newer_than(&self.entry(existing).meta) {
                self.stores.outbox.push(super::IdbOp::Delete {
                    key: key.to_string(),
                    upto,
                });
                return;
            }
            self.forget(existing);
        }
        let cost = super::tiers::idb_cost(meta_bytes.len(), meta.payload_bytes);
        self.adopt(meta, Tier::IndexedDb, cost);
    }
}
