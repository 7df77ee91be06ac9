//! The engine: one owner for every rule about entries (validation, placement, budgets, expiry,
//! statistics, events) across the three tiers. It is generic over its clock and its localStorage
//! backend, so each rule is tested natively.
//!
//! - Memory: the live values sit in the JS face's `Map`; the engine keeps their weights in an
//!   size-aware policy (`Gdsf`, which may refuse a copy worth less than what it would push out)
//!   and tells the face, through events, which live values to drop. The face reports the hits it
//!   served itself in batches (`record_accesses`); they count in the home tier's policy too.
//! - localStorage: synchronous, written through at `set` (`tiers.rs`).
//! - IndexedDB: asynchronous, so the engine only decides: writes go to an outbox that the browser
//!   layer flushes in one transaction per batch, and reads come back through `ingest_indexed_db`.

mod broadcast;
pub mod event;
pub mod inspect;
mod invalidate;
mod open;
pub mod options;
mod preload;
mod read;
mod report;
pub mod stats;
pub mod store;
mod tiers;
mod tombstones;
mod wire;

pub use broadcast::Broadcast;
pub use tiers::{Claim, IdbOp};

use super::clock::Clock;
use super::error::{check_key, Error, Result};
use super::format::codec;
use super::format::record::{self, Meta};
use super::graph::Graph;
use super::policy::{Gdsf, Policy, Slots};
pub use super::types::{FaultCode, Handle, Key, Tier};
use event::{Event, RemovalCause};
use options::{CacheConfig, SetOptions, TierChoice};
use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use store::LocalStore;

/// One entry: its metadata, where it lives durably and what that costs there.
#[derive(Debug, Clone)]
struct Entry {
    key: Key,
    meta: Meta,
    /// Unique per write: stale expiries and IndexedDB reads of an earlier write are ignored.
    write: u64,
    home: Tier,
    /// Bytes as the home tier counts them (localStorage: 2 per UTF-16 unit, key included).
    stored_bytes: u64,
    /// A preload no demand access has read yet.
    preload: Option<preload::Unread>,
}

/// What `set` and a hit hand back to the face for its live copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// Names the entry in `record_accesses` until it is removed; then it may name another.
    pub id: Handle,
    /// When the entry expires (epoch ms), if it has a ttl.
    pub expires_at: Option<u64>,
    /// After this, the entry is stale: served, and reloaded in the background by `getOrLoad`.
    pub stale_at: Option<u64>,
    /// Whether the memory tier holds it: otherwise the face keeps no live copy.
    pub in_memory: bool,
}

/// What a write is given of the value: its JSON text, or (memory-only) just the text's size.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    Json(&'a [u8]),
    Sized(u64),
}

impl Text<'_> {
    fn len(self) -> u64 {
        match self {
            Text::Json(json) => json.len() as u64,
            Text::Sized(bytes) => bytes,
        }
    }
}

/// Who writes: the app (`set`), a load storing its result, or a preload nobody asked for yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteKind {
    /// `set`: loads of the key, and loads that read it, are out of date.
    Set,
    /// A load storing its own result.
    Load,
    /// A preload: stored cold, into free room only (memory: room of cold entries too).
    Preload,
}

/// The answer of `lookup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No tier holds the key.
    Miss,
    /// A persistent tier held it: its JSON text, and what the face keeps of it.
    Hit {
        /// The value's JSON text in UTF-8, as stored: the stored bytes matched the checksum
        /// sealed in the entry's metadata, so it is what was written unless storage was forged
        /// to match. The caller decodes it (the page's `TextDecoder` checks it as it decodes)
        /// and hands back what is not UTF-8 (`refuse_text`) or not JSON (`refuse_read`).
        json: Vec<u8>,
        /// What the face keeps for its live copy.
        stored: Stored,
    },
    /// The payload is in IndexedDB: read it and hand it to `ingest_indexed_db` with this `write`.
    ReadIndexedDb {
        /// The write the read is for: a read that comes back after a rewrite is ignored.
        write: u64,
    },
    /// Not in memory or localStorage, and IndexedDB's records are still loading: ask again once
    /// they are (nothing was counted).
    Incomplete,
}

#[derive(Debug, Default)]
struct Counters {
    hits: u64,
    misses: u64,
    memory_hits: u64,
    local_hits: u64,
    idb_hits: u64,
    faults: u64,
    prefetched: u64,
    prefetch_hits: u64,
}

/// The engine of one cache (namespace and version): every rule, no browser.
pub struct Engine<C: Clock, L: LocalStore> {
    clock: C,
    config: CacheConfig,
    /// The persistent tiers: localStorage, what is known of IndexedDB, and the seal.
    stores: Stores<L>,
    /// Every tier's replacement policy, by handle.
    policies: Policies,
    /// Entries by handle; the handle is also the entry's name in each tier's policy.
    entries: Slots<Entry>,
    /// Hits by handle, apart from the entries: a dense array that `record_accesses` updates
    /// without loading the entry. A free handle's count is stale and reset when it is reused.
    hits: Vec<u32>,
    index: HashMap<Key, Handle>,
    /// The same keys in order, for prefix scans.
    ordered: BTreeSet<Key>,
    graph: Graph,
    loads: invalidate::Loads,
    /// Counts writes: stale expiries and IndexedDB reads of an earlier write are ignored.
    writes: u64,
    /// (expires_at, write, handle) of entries with a ttl, soonest first (the shape of the
    /// policy's queue: one heap's code in the wasm).
    expiries: BinaryHeap<Reverse<(u64, u64, Handle)>>,
    /// This tab's part in the order of writes all tabs agree on, and what it tells them.
    tabs: broadcast::TabState,
    counters: Counters,
    events: Vec<Event>,
    /// What to preload, learned from demand accesses.
    predictor: crate::core::predict::Predictor,
    /// Bytes the predictor's saved model takes in localStorage (out of its budget).
    model_cost: u64,
    /// When the model was last saved (epoch ms).
    model_saved_at: u64,
    /// The latest preloads, for the devtools (`preload::RECENT_PRELOADS` of them).
    recent_preloads: std::collections::VecDeque<stats::RecentPreload>,
    closed: bool,
}

/// The replacement policy of each tier.
#[derive(Debug)]
struct Policies {
    memory: Gdsf,
    local: Gdsf,
    idb: Gdsf,
}

impl<C: Clock, L: LocalStore> std::fmt::Debug for Engine<C, L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("namespace", &self.config.namespace)
            .field("version", &self.config.version)
            .field("entries", &self.index.len())
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

/// The persistent tiers as the engine drives them.
#[derive(Debug)]
struct Stores<L> {
    local: L,
    /// `smartcache:{namespace length}:{namespace}:` — every localStorage key of this namespace.
    namespace_prefix: String,
    /// `namespace_prefix` + `{version}:` — the keys of this version.
    local_prefix: String,
    /// `record::seal_seed` of this namespace and version: every record is sealed with it.
    seal: u32,
    idb_available: bool,
    /// IndexedDB is being opened and its records loaded (`begin_idb_open`, until
    /// `set_idb_available`): writes may go to it (they wait in the outbox), and a key the
    /// index does not hold may still be there.
    idb_opening: bool,
    /// IndexedDB operations waiting for the browser layer's next flush.
    outbox: Vec<IdbOp>,
    /// While opening: localStorage entries over its budget, moved once IndexedDB has answered
    /// (`set_idb_available`), so that a smaller budget moves them rather than dropping them.
    deferred_demotions: Option<Vec<Handle>>,
    /// Opened by `open_unindexed` and not yet indexed (`index_local`): `lookup` indexes the one
    /// key it reads.
    local_unindexed: bool,
}

/// Bits of a stamp below its milliseconds: room for 4,096 writes in one millisecond.
const STAMP_SHIFT: u32 = 12;
/// How far another tab's clock may run ahead of this one's and still be followed.
const MAX_CLOCK_DRIFT_MS: u64 = 60 * 60 * 1000;

fn key_hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// The options the engine was opened with.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The seal of this namespace and version (`record::seal_seed`), for the IndexedDB backend's
    /// compare-and-set.
    pub fn seal(&self) -> u32 {
        self.stores.seal
    }

    fn ensure_open(&self) -> Result<()> {
        if self.closed {
            Err(Error::Closed)
        } else {
            Ok(())
        }
    }

    /// Stores `json` (the value's JSON text) under `key`, in memory and in its durable home.
    ///
    /// Handles of removed entries are reused here, so the face must report the accesses it
    /// buffered (`record_accesses`) before it calls `set`.
    pub fn set(&mut self, key: &str, json: &[u8], options: SetOptions) -> Result<Stored> {
        self.write(key, Text::Json(json), options, WriteKind::Set)
    }

    /// `set` with `tier: 'memory'`, given only the size of the value's JSON text in UTF-8: a
    /// memory-only entry is never encoded, so the face need not hand its text over.
    pub fn set_in_memory(
        &mut self,
        key: &str,
        json_bytes: u64,
        mut options: SetOptions,
    ) -> Result<Stored> {
        options.tier = TierChoice::Memory;
        self.write(key, Text::Sized(json_bytes), options, WriteKind::Set)
    }

    /// Stores an entry for `set`, a load or a preload. A preload that finds no room stores
    /// nothing (the answer says it is not in memory, and the index lacks it).
    fn write(
        &mut self,
        key: &str,
        text: Text<'_>,
        options: SetOptions,
        kind: WriteKind,
    ) -> Result<Stored> {
        self.ensure_open()?;
        // The face reported its buffered accesses before this call: freed handles may be reused.
        self.entries.recycle();
        check_key(key)?;
        self.purge_expired();
        // A memory-only entry is never encoded: its live value is the face's.
        let (payload, json_bytes) = match (options.tier, text) {
            (TierChoice::Memory, text) => (Vec::new(), text.len()),
            (_, Text::Json(json)) => (
                codec::encode(json, self.config.compress_above_bytes as usize),
                json.len() as u64,
            ),
            (_, Text::Sized(_)) => unreachable!("only memory-only entries come without their text"),
        };
        let choice = options.tier;
        let meta = self.new_meta(key, json_bytes, &payload, options);
        let mut homes = self.placement(choice, &meta, &payload)?;
        let cold = kind == WriteKind::Preload;
        let gone = |id| Stored {
            id,
            expires_at: None,
            stale_at: None,
            in_memory: false,
        };
        if cold {
            homes.retain(|&tier| self.has_free_room(tier, &meta));
            if homes.is_empty() {
                return Ok(gone(0));
            }
        }
        if kind == WriteKind::Set {
            self.note_written(key);
        }
        if let Some(&old) = self.index.get(key) {
            self.forget(old);
        }
        let handle = self.register(meta, Tier::Memory, 0);
        let Some(home) = self.place(handle, homes, &payload) else {
            if !cold {
                let key = self.entry(handle).key.clone();
                let message = "no tier could take the entry".into();
                self.fault(Tier::Memory, FaultCode::NoRoom, message, Some(key));
            }
            self.forget(handle);
            return Ok(gone(handle));
        };
        let in_memory = self.admit_to_memory(handle, cold);
        if cold && home == Tier::Memory && !in_memory {
            // Memory was its only place, and only hot entries were there.
            self.forget(handle);
            return Ok(gone(handle));
        }
        self.announce_write(handle, home, payload);
        let meta = &self.entry(handle).meta;
        Ok(Stored {
            id: handle,
            expires_at: meta.expires_at,
            stale_at: meta.stale_at,
            in_memory,
        })
    }

    /// The metadata of a write made now, stamped after everything this engine has seen.
    fn new_meta(
        &mut self,
        key: &str,
        json_bytes: u64,
        payload: &[u8],
        options: SetOptions,
    ) -> Meta {
        let now = self.clock.now_ms();
        Meta {
            key: key.to_string(),
            stamp: self.stamp_at(now),
            writer: self.tabs.writer,
            payload_sum: record::payload_sum(payload),
            created_at: now,
            expires_at: options
                .ttl_ms
                .or(self.config.default_ttl_ms)
                .map(|ttl| now.saturating_add(ttl)),
            stale_at: options.stale_ms.map(|stale| now.saturating_add(stale)),
            raw_bytes: json_bytes,
            payload_bytes: payload.len() as u64,
            compressed: codec::is_compressed(payload),
            tags: options.tags,
            depends_on: options.depends_on,
        }
    }

    /// Writes the entry to the first of `homes` that takes it; its durable home, or none.
    fn place(&mut self, handle: Handle, homes: Vec<Tier>, payload: &[u8]) -> Option<Tier> {
        let home = homes.into_iter().find(|&tier| match tier {
            Tier::Local => self.write_local(handle, payload),
            Tier::IndexedDb => self.write_idb(handle, payload.to_vec()),
            Tier::Memory => self.policies.memory.budget() >= self.entry(handle).meta.raw_bytes,
        })?;
        let entry = self
            .entries
            .get_mut(handle)
            .expect("registered by the caller");
        entry.home = home;
        if home == Tier::Memory {
            entry.stored_bytes = entry.meta.raw_bytes;
        }
        Some(home)
    }

    /// Tells the subscribers and the other tabs of a write that storage holds.
    fn announce_write(&mut self, handle: Handle, home: Tier, payload: Vec<u8>) {
        let entry = self.entry(handle);
        let (key, stamp) = (entry.key.clone(), entry.meta.stamp);
        if !self.config.cross_tab {
            // Nobody to tell: the message is not built at all.
            self.events.push(Event::Set { key, tier: home });
            return;
        }
        let meta = (home != Tier::Memory).then(|| entry.meta.to_bytes(self.stores.seal));
        // localStorage values travel with the message, so that the other tabs can put a winner
        // back in storage; IndexedDB's are too large to.
        let payload = (home == Tier::Local).then_some(payload);
        self.broadcast(Broadcast::Set {
            key: key.to_string(),
            home,
            meta,
            payload,
            stamp,
            writer: self.tabs.writer,
        });
        self.events.push(Event::Set { key, tier: home });
    }

    /// The tiers an entry may go to, best first; `ENTRY_TOO_LARGE` when it fits none.
    fn placement(&self, choice: TierChoice, meta: &Meta, payload: &[u8]) -> Result<Vec<Tier>> {
        let fits = |tier: Tier| match tier {
            Tier::Memory => meta.raw_bytes <= self.policies.memory.budget(),
            Tier::Local => self.local_cost(meta) <= self.policies.local.budget(),
            Tier::IndexedDb => {
                tiers::idb_cost(meta.record_len(), meta.payload_bytes) <= self.policies.idb.budget()
            }
        };
        let large = payload.len() as u64 > self.config.large_entry_bytes;
        let (wanted, fallbacks): (Tier, &[Tier]) = match choice {
            TierChoice::Memory => (Tier::Memory, &[]),
            // A persistent tier that fails at run time (quota, unavailable) falls back to the other.
            TierChoice::Local => (Tier::Local, &[Tier::IndexedDb, Tier::Memory]),
            TierChoice::IndexedDb => (Tier::IndexedDb, &[Tier::Local, Tier::Memory]),
            TierChoice::Auto if large => (Tier::IndexedDb, &[Tier::Local, Tier::Memory]),
            TierChoice::Auto => (Tier::Local, &[Tier::IndexedDb, Tier::Memory]),
        };
        let explicit = choice != TierChoice::Auto;
        if explicit && !fits(wanted)
            || !explicit && ![wanted].iter().chain(fallbacks).any(|&t| fits(t))
        {
            let size = match wanted {
                Tier::Memory => meta.raw_bytes,
                _ => payload.len() as u64,
            };
            return Err(Error::EntryTooLarge { size });
        }
        Ok([wanted]
            .into_iter()
            .chain(fallbacks.iter().copied())
            .filter(|&t| fits(t))
            .collect())
    }

    /// A stamp later than every one made or seen here.
    fn next_stamp(&mut self) -> u64 {
        let now = self.clock.now_ms();
        self.stamp_at(now)
    }

    /// `next_stamp` for a caller that has read the clock (`now_ms`) already.
    fn stamp_at(&mut self, now_ms: u64) -> u64 {
        let now = now_ms.saturating_mul(1 << STAMP_SHIFT);
        self.tabs.last_stamp = now.max(self.tabs.last_stamp.saturating_add(1));
        self.tabs.last_stamp
    }

    /// Another tab's stamp: what this engine writes from now on is ordered after it. A stamp
    /// further ahead of this clock than tabs of one browser can drift is not followed (found by
    /// fuzzing: a stamp near 2^64 would have stopped the clock).
    fn observe_stamp(&mut self, stamp: u64) {
        if stamp <= self.tabs.last_stamp {
            // Nothing to follow, and no clock to read (start-up observes every stored stamp).
            return;
        }
        let horizon = self
            .clock
            .now_ms()
            .saturating_add(MAX_CLOCK_DRIFT_MS)
            .saturating_mul(1 << STAMP_SHIFT);
        if stamp <= horizon {
            self.tabs.last_stamp = self.tabs.last_stamp.max(stamp);
        }
    }

    fn entry(&self, handle: Handle) -> &Entry {
        self.entries
            .get(handle)
            .expect("handles in the index name entries")
    }

    /// Gives the entry a live copy in memory when it fits (`cold`: a preload, only where no hot
    /// entry must go); returns whether it is there.
    fn admit_to_memory(&mut self, handle: Handle, cold: bool) -> bool {
        let entry = self.entry(handle);
        let (hash, weight) = (key_hash(&entry.key), entry.meta.raw_bytes);
        let copy_only = entry.home != Tier::Memory;
        let mut evicted = Vec::new();
        let memory = &mut self.policies.memory;
        let admitted = if cold {
            memory.insert_cold(handle, hash, weight, &mut evicted)
        } else if copy_only {
            // Its value lives in its home tier too: memory may refuse a copy worth less than
            // what it would push out (it is read from its home until it earns a place).
            memory.offer(handle, hash, weight, &mut evicted)
        } else {
            memory.insert(handle, hash, weight, &mut evicted)
        };
        if !admitted {
            return false;
        }
        for victim in evicted {
            let Some(entry) = self.entries.get(victim) else {
                continue;
            };
            let key = entry.key.clone();
            if entry.home == Tier::Memory {
                self.forget(victim);
            }
            self.events.push(Event::Evicted {
                key,
                tier: Tier::Memory,
            });
        }
        true
    }

    /// Removes `key` from every tier; true when it was there.
    pub fn delete(&mut self, key: &str) -> Result<bool> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        let stamp = self.next_stamp();
        self.note_removed(key);
        self.tabs.tombstones.bury(key, stamp);
        self.broadcast(Broadcast::Delete {
            key: key.to_string(),
            stamp,
        });
        Ok(match self.index.get(key) {
            Some(&handle) => self.remove(handle, RemovalCause::Deleted),
            None => false,
        })
    }

    /// Whether some tier holds `key` (unexpired).
    pub fn has(&mut self, key: &str) -> Result<bool> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        Ok(self.index.contains_key(key))
    }

    /// Empties this namespace in every tier (other namespaces and foreign keys stay).
    pub fn clear(&mut self) -> Result<()> {
        self.ensure_open()?;
        for storage_key in self
            .stores
            .local
            .keys_with_prefix(&self.stores.namespace_prefix)
        {
            self.remove_local_key(&storage_key);
        }
        self.stores.outbox.clear();
        self.stores.outbox.push(IdbOp::Clear);
        self.reset_index();
        let stamp = self.next_stamp();
        self.tabs.tombstones.clear(stamp);
        self.tabs.invalidations.clear(stamp);
        self.broadcast(Broadcast::Clear { stamp });
        self.events.push(Event::Cleared);
        Ok(())
    }

    /// Forgets every entry, touching no storage.
    fn reset_index(&mut self) {
        self.entries.clear();
        self.hits.clear();
        self.index.clear();
        self.ordered.clear();
        self.graph.clear();
        self.spoil_all_loads();
        self.expiries.clear();
        self.policies.memory.clear();
        self.policies.local.clear();
        self.policies.idb.clear();
    }

    /// Refuses every later call with `CLOSED`.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Removes every entry whose ttl has run out.
    pub fn purge_expired(&mut self) {
        if self.expiries.is_empty() {
            return; // nothing expires: no need to ask the clock
        }
        let now = self.clock.now_ms();
        while let Some(&Reverse((at, write, handle))) = self.expiries.peek() {
            if at > now {
                break;
            }
            self.expiries.pop();
            // An expiry spoils no load: what was read before it was valid when read.
            if self.entries.get(handle).is_some_and(|e| e.write == write) {
                self.remove(handle, RemovalCause::Expired);
            }
        }
    }

    /// Removes an entry from every tier, with an event.
    fn remove(&mut self, handle: Handle, cause: RemovalCause) -> bool {
        let Some(entry) = self.entries.get(handle) else {
            return false;
        };
        let (key, tier) = (entry.key.clone(), entry.home);
        self.forget(handle);
        self.events.push(Event::Removed { key, tier, cause });
        true
    }

    /// Drops an entry from every tier and the index, silently (the caller reports why).
    fn forget(&mut self, handle: Handle) {
        // The face may hold accesses under this handle recorded before another tab's message
        // removed the entry: its handle waits until the face has reported them.
        let removed = if self.tabs.applying {
            self.entries.quarantine(handle)
        } else {
            self.entries.release(handle)
        };
        let Some(entry) = removed else {
            return;
        };
        self.index.remove(&entry.key);
        self.ordered.remove(&entry.key);
        self.graph
            .remove(&entry.key, &entry.meta.tags, &entry.meta.depends_on);
        self.policies.memory.remove(handle);
        match entry.home {
            Tier::Local => {
                self.policies.local.remove(handle);
                self.remove_local_upto(&entry.key, entry.meta.stamp);
            }
            Tier::IndexedDb => {
                self.policies.idb.remove(handle);
                self.stores.outbox.push(IdbOp::Delete {
                    key: entry.key.to_string(),
                    upto: entry.meta.stamp,
                });
            }
            Tier::Memory => {}
        }
    }

    fn fault(&mut self, tier: Tier, code: FaultCode, message: String, key: Option<Key>) {
        self.counters.faults += 1;
        self.events.push(Event::Fault {
            tier,
            code,
            message,
            key,
        });
    }

    /// Hands over the events since the last call, oldest first.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }
}

#[cfg(test)]
mod tests;
