//! The engine: one owner for every rule about entries (validation, placement, budgets, expiry,
//! statistics, events) across the three tiers. It is generic over its clock and its localStorage
//! backend, so each rule is tested natively.
//!
//! - Memory: the live values sit in the JS face's `Map`; the engine keeps their weights in an
//!   S3-FIFO policy and tells the face, through events, which live values to drop. The face reports
//!   the hits it served itself in batches (`record_accesses`).
//! - localStorage: synchronous, written through at `set` (`tiers.rs`).
//! - IndexedDB: asynchronous, so the engine only decides: writes go to an outbox that the browser
//!   layer flushes in one transaction per batch, and reads come back through `ingest_indexed_db`.

mod broadcast;
pub mod event;
mod invalidate;
mod open;
pub mod options;
pub mod stats;
pub mod store;
mod tiers;
mod tombstones;

pub use broadcast::Broadcast;
pub use tiers::IdbOp;

use super::clock::Clock;
use super::error::{check_key, Corruption, Error, Result};
use super::format::codec;
use super::format::record::{self, Meta};
use super::graph::Graph;
use super::policy::{Policy, S3Fifo, Slots};
pub use super::types::{FaultCode, Handle, Key, Tier};
use event::{Event, RemovalCause};
use options::{CacheConfig, SetOptions, TierChoice};
use stats::{hit_rate, CacheStats, EntryInfo, TierStats};
use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::rc::Rc;
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

/// The answer of `lookup`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No tier holds the key.
    Miss,
    /// A persistent tier held it: its JSON text, and what the face keeps of it.
    Hit {
        /// The value's JSON text.
        json: Vec<u8>,
        /// What the face keeps for its live copy.
        stored: Stored,
    },
    /// The payload is in IndexedDB: read it and hand it to `ingest_indexed_db` with this `write`.
    ReadIndexedDb {
        /// The write the read is for: a read that comes back after a rewrite is ignored.
        write: u64,
    },
}

#[derive(Debug, Default)]
struct Counters {
    hits: u64,
    misses: u64,
    memory_hits: u64,
    local_hits: u64,
    idb_hits: u64,
    faults: u64,
}

/// The engine of one cache (namespace and version): every rule, no browser.
pub struct Engine<C: Clock, L: LocalStore> {
    clock: C,
    config: CacheConfig,
    local: L,
    /// `smartcache:{namespace length}:{namespace}:` — every localStorage key of this namespace.
    namespace_prefix: String,
    /// `namespace_prefix` + `{version}:` — the keys of this version.
    local_prefix: String,
    idb_available: bool,
    memory: S3Fifo,
    local_policy: S3Fifo,
    idb_policy: S3Fifo,
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
    writes: u64,
    /// (expires_at, handle, write) of entries with a ttl, soonest first.
    expiries: BinaryHeap<Reverse<(u64, Handle, u64)>>,
    outbox: Vec<IdbOp>,
    broadcasts: Vec<Broadcast>,
    counters: Counters,
    events: Vec<Event>,
    closed: bool,
    /// `record::seal_seed` of this namespace and version: every record is sealed with it.
    seal: u32,
    /// This engine's id, the tie-breaker of equal stamps.
    writer: u32,
    /// The latest stamp made or seen here (a hybrid logical clock: milliseconds << 12, plus a
    /// counter), so that a write made after seeing another tab's is ordered after it.
    last_stamp: u64,
    /// While opening: localStorage entries over its budget, moved once IndexedDB has answered
    /// (`set_idb_available`), so that a smaller budget moves them rather than dropping them.
    deferred_demotions: Option<Vec<Handle>>,
    tombstones: tombstones::Tombstones,
    /// While another tab's message is applied: handles freed then are quarantined.
    applying_remote: bool,
    /// The names invalidated lately (keys, tags, prefixes), apart from plain deletions: a write
    /// of another tab that depends on one of them and was made before it is outdated too.
    invalidations: tombstones::Tombstones,
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
        self.seal
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
        self.write(key, json, options, true)
    }

    /// `set`; `spoils_loads` is false for a load storing its own result.
    fn write(
        &mut self,
        key: &str,
        json: &[u8],
        options: SetOptions,
        spoils_loads: bool,
    ) -> Result<Stored> {
        self.ensure_open()?;
        // The face reported its buffered accesses before this call: freed handles may be reused.
        self.entries.recycle();
        check_key(key)?;
        self.purge_expired();
        let now = self.clock.now_ms();
        // A memory-only entry is never encoded: its live value is the face's.
        let payload = match options.tier {
            TierChoice::Memory => Vec::new(),
            _ => codec::encode(json, self.config.compress_above_bytes as usize),
        };
        let stamp = self.next_stamp();
        let meta = Meta {
            key: key.to_string(),
            stamp,
            writer: self.writer,
            payload_sum: record::payload_sum(&payload),
            created_at: now,
            expires_at: options
                .ttl_ms
                .or(self.config.default_ttl_ms)
                .map(|ttl| now.saturating_add(ttl)),
            stale_at: options.stale_ms.map(|stale| now.saturating_add(stale)),
            raw_bytes: json.len() as u64,
            payload_bytes: payload.len() as u64,
            compressed: codec::is_compressed(&payload),
            tags: options.tags,
            depends_on: options.depends_on,
        };
        let homes = self.placement(options.tier, &meta, &payload)?;
        if spoils_loads {
            self.note_written(key);
        }
        if let Some(&old) = self.index.get(key) {
            self.forget(old);
        }
        let handle = self.register(meta, Tier::Memory, 0);
        let mut home = None;
        for tier in homes {
            let placed = match tier {
                Tier::Local => self.write_local(handle, &payload),
                Tier::IndexedDb => self.write_idb(handle, payload.clone()),
                Tier::Memory => self.memory.budget() >= self.entry(handle).meta.raw_bytes,
            };
            if placed {
                home = Some(tier);
                break;
            }
        }
        let Some(home) = home else {
            let key = self.entry(handle).key.clone();
            self.fault(
                Tier::Memory,
                FaultCode::NoRoom,
                "no tier could take the entry".into(),
                Some(key),
            );
            self.forget(handle);
            return Ok(Stored {
                id: handle,
                expires_at: None,
                stale_at: None,
                in_memory: false,
            });
        };
        let entry = self.entries.get_mut(handle).expect("allocated above");
        entry.home = home;
        let key = entry.key.clone();
        let (expires_at, stale_at) = (entry.meta.expires_at, entry.meta.stale_at);
        if home == Tier::Memory {
            entry.stored_bytes = entry.meta.raw_bytes;
        }
        let in_memory = self.admit_to_memory(handle);
        let meta = (home != Tier::Memory).then(|| self.entry(handle).meta.to_bytes(self.seal));
        // localStorage values travel with the message, so that the other tabs can put a winner
        // back in storage; IndexedDB's are too large to.
        let payload = (home == Tier::Local).then_some(payload);
        self.broadcast(Broadcast::Set {
            key: key.to_string(),
            home,
            meta,
            payload,
            stamp,
            writer: self.writer,
        });
        self.events.push(Event::Set { key, tier: home });
        Ok(Stored {
            id: handle,
            expires_at,
            stale_at,
            in_memory,
        })
    }

    /// The tiers an entry may go to, best first; `ENTRY_TOO_LARGE` when it fits none.
    fn placement(&self, choice: TierChoice, meta: &Meta, payload: &[u8]) -> Result<Vec<Tier>> {
        let fits = |tier: Tier| match tier {
            Tier::Memory => meta.raw_bytes <= self.memory.budget(),
            Tier::Local => self.local_cost(meta) <= self.local_policy.budget(),
            Tier::IndexedDb => {
                tiers::idb_cost(meta.record_len(), meta.payload_bytes) <= self.idb_policy.budget()
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
        let now = self.clock.now_ms().saturating_mul(1 << STAMP_SHIFT);
        self.last_stamp = now.max(self.last_stamp.saturating_add(1));
        self.last_stamp
    }

    /// Another tab's stamp: what this engine writes from now on is ordered after it. A stamp
    /// further ahead of this clock than tabs of one browser can drift is not followed (found by
    /// fuzzing: a stamp near 2^64 would have stopped the clock).
    fn observe_stamp(&mut self, stamp: u64) {
        let horizon = self
            .clock
            .now_ms()
            .saturating_add(MAX_CLOCK_DRIFT_MS)
            .saturating_mul(1 << STAMP_SHIFT);
        if stamp <= horizon {
            self.last_stamp = self.last_stamp.max(stamp);
        }
    }

    fn entry(&self, handle: Handle) -> &Entry {
        self.entries
            .get(handle)
            .expect("handles in the index name entries")
    }

    /// Gives the entry a live copy in memory when it fits; returns whether it is there.
    fn admit_to_memory(&mut self, handle: Handle) -> bool {
        let entry = self.entry(handle);
        let (hash, weight) = (key_hash(&entry.key), entry.meta.raw_bytes);
        let mut evicted = Vec::new();
        if !self.memory.insert(handle, hash, weight, &mut evicted) {
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

    /// Counts hits the face served from its live copies (by entry id) and misses it saw.
    pub fn record_accesses(&mut self, ids: &[Handle], misses: u64) {
        self.entries.recycle();
        self.counters.misses += misses;
        // Every access was a hit when it happened, even if the entry has gone since.
        self.counters.hits += ids.len() as u64;
        self.counters.memory_hits += ids.len() as u64;
        for &id in ids {
            if let Some(hits) = self.hits.get_mut(id as usize) {
                *hits = hits.saturating_add(1);
            }
            self.memory.touch(id);
        }
    }

    /// `get` after the face found no live value: reads the entry's durable home.
    pub fn lookup(&mut self, key: &str) -> Result<Lookup> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        let Some(&handle) = self.index.get(key) else {
            return Ok(self.missed(key));
        };
        let entry = self.entry(handle);
        match entry.home {
            Tier::Local => match self.read_local(handle) {
                Ok(Some(payload)) => Ok(self.finish_read(handle, Tier::Local, Ok(payload))),
                // Another tab's write not visible here yet, or superseded by a later one whose
                // message is on its way: a miss, and nothing in storage is touched.
                Ok(None) => {
                    self.forget_remote(key);
                    Ok(self.missed(key))
                }
                Err(e) => Ok(self.finish_read(handle, Tier::Local, Err(e))),
            },
            Tier::IndexedDb => match self.pending_idb_payload(&entry.meta.key) {
                Some(payload) => Ok(self.finish_read(handle, Tier::IndexedDb, Ok(payload))),
                None => Ok(Lookup::ReadIndexedDb { write: entry.write }),
            },
            // A memory-only entry without a live copy is gone: memory evictions remove them.
            Tier::Memory => {
                self.forget(handle);
                Ok(self.missed(key))
            }
        }
    }

    /// The payload read from IndexedDB for `lookup`'s `ReadIndexedDb { write }` (None: not there).
    pub fn ingest_indexed_db(
        &mut self,
        key: &str,
        write: u64,
        payload: Option<Vec<u8>>,
    ) -> Result<Lookup> {
        self.ensure_open()?;
        self.purge_expired();
        let current = self
            .index
            .get(key)
            .copied()
            .filter(|&h| self.entry(h).write == write);
        let Some(handle) = current else {
            // Deleted, expired or rewritten while the read was under way.
            return Ok(self.missed(key));
        };
        let payload = payload.ok_or(Error::Corrupt(Corruption::RecordMissing));
        Ok(self.finish_read(handle, Tier::IndexedDb, payload))
    }

    /// Decodes a payload read from `tier`, promotes the entry to memory, and counts the hit;
    /// a bad payload is a fault, and the entry goes.
    fn finish_read(&mut self, handle: Handle, tier: Tier, payload: Result<Vec<u8>>) -> Lookup {
        let meta = &self.entry(handle).meta;
        let (raw_bytes, sum) = (meta.raw_bytes, meta.payload_sum);
        let json = payload.and_then(|p| {
            // The payload must be the one this metadata was sealed with, not another entry's.
            if record::payload_sum(&p) != sum {
                return Err(Error::Corrupt(Corruption::ForeignPayload));
            }
            let json = codec::decode(&p)?;
            if json.len() as u64 != raw_bytes {
                return Err(Error::Corrupt(Corruption::PayloadLength));
            }
            std::str::from_utf8(&json).map_err(|_| Error::Corrupt(Corruption::PayloadNotUtf8))?;
            Ok(json)
        });
        let json = match json {
            Ok(json) => json,
            Err(e) => return self.corrupt(handle, tier, e),
        };
        let key = self.entry(handle).key.clone();
        let in_memory = self.admit_to_memory(handle);
        self.hits[handle as usize] = self.hits[handle as usize].saturating_add(1);
        let entry = self.entry(handle);
        let (expires_at, stale_at) = (entry.meta.expires_at, entry.meta.stale_at);
        self.counters.hits += 1;
        match tier {
            Tier::Local => self.counters.local_hits += 1,
            Tier::IndexedDb => self.counters.idb_hits += 1,
            Tier::Memory => self.counters.memory_hits += 1,
        }
        self.events.push(Event::Hit { key, tier });
        Lookup::Hit {
            json,
            stored: Stored {
                id: handle,
                expires_at,
                stale_at,
                in_memory,
            },
        }
    }

    fn corrupt(&mut self, handle: Handle, tier: Tier, error: Error) -> Lookup {
        let key = self.entry(handle).key.clone();
        self.fault(
            tier,
            FaultCode::CorruptEntry,
            error.to_string(),
            Some(key.clone()),
        );
        self.remove(handle, RemovalCause::Deleted);
        self.missed(&key)
    }

    fn missed(&mut self, key: &str) -> Lookup {
        self.counters.misses += 1;
        self.events.push(Event::Miss { key: Rc::from(key) });
        Lookup::Miss
    }

    /// The face could not parse the JSON text a hit returned (well sealed, yet not JSON): the
    /// entry goes as corrupt, and the read was a miss (the hit counted for it is taken back).
    pub fn refuse_read(&mut self, key: &str, why: &str) -> Result<()> {
        self.ensure_open()?;
        check_key(key)?;
        if let Some(&handle) = self.index.get(key) {
            let tier = self.entry(handle).home;
            self.counters.hits = self.counters.hits.saturating_sub(1);
            let tier_hits = match tier {
                Tier::Local => &mut self.counters.local_hits,
                Tier::IndexedDb => &mut self.counters.idb_hits,
                Tier::Memory => &mut self.counters.memory_hits,
            };
            *tier_hits = tier_hits.saturating_sub(1);
            let error = Error::Corrupt(Corruption::PayloadNotJson(why.to_string()));
            self.corrupt(handle, tier, error);
        }
        Ok(())
    }

    /// The face found its live value expired: purge it and count the miss.
    pub fn miss(&mut self, key: &str) -> Result<()> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        self.missed(key);
        Ok(())
    }

    /// Removes `key` from every tier; true when it was there.
    pub fn delete(&mut self, key: &str) -> Result<bool> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        let stamp = self.next_stamp();
        self.note_removed(key);
        self.tombstones.bury(key, stamp);
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
        for storage_key in self.local.keys_with_prefix(&self.namespace_prefix) {
            self.remove_local_key(&storage_key);
        }
        self.outbox.clear();
        self.outbox.push(IdbOp::Clear);
        self.reset_index();
        let stamp = self.next_stamp();
        self.tombstones.clear(stamp);
        self.invalidations.clear(stamp);
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
        self.memory.clear();
        self.local_policy.clear();
        self.idb_policy.clear();
    }

    /// Refuses every later call with `CLOSED`.
    pub fn close(&mut self) {
        self.closed = true;
    }

    /// Removes every entry whose ttl has run out.
    pub fn purge_expired(&mut self) {
        let now = self.clock.now_ms();
        while let Some(&Reverse((at, handle, write))) = self.expiries.peek() {
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
        let removed = if self.applying_remote {
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
        self.memory.remove(handle);
        match entry.home {
            Tier::Local => {
                self.local_policy.remove(handle);
                self.remove_local_upto(&entry.key, entry.meta.stamp);
            }
            Tier::IndexedDb => {
                self.idb_policy.remove(handle);
                self.outbox.push(IdbOp::Delete {
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

    /// Counters and sizes, as `stats()` of API.md.
    pub fn stats(&mut self) -> CacheStats {
        self.purge_expired();
        let c = &self.counters;
        let tier = |policy: &S3Fifo, hits| TierStats {
            entries: policy.len() as u64,
            bytes: policy.weight(),
            hits,
        };
        let persisted = self
            .index
            .values()
            .filter_map(|&h| self.entries.get(h))
            .filter(|e| e.home != Tier::Memory);
        let (raw_bytes, stored_bytes) = persisted.fold((0, 0), |(raw, stored), e| {
            (raw + e.meta.raw_bytes, stored + e.meta.payload_bytes)
        });
        CacheStats {
            hits: c.hits,
            misses: c.misses,
            hit_rate: hit_rate(c.hits, c.misses),
            memory: tier(&self.memory, c.memory_hits),
            local: tier(&self.local_policy, c.local_hits),
            indexeddb: tier(&self.idb_policy, c.idb_hits),
            raw_bytes,
            stored_bytes,
            faults: c.faults,
            ..CacheStats::default()
        }
    }

    /// Every entry, sorted by key.
    pub fn entries(&mut self) -> Vec<EntryInfo> {
        self.purge_expired();
        let mut list: Vec<EntryInfo> = self
            .index
            .values()
            .filter_map(|&handle| Some((handle, self.entries.get(handle)?)))
            .map(|(handle, e)| EntryInfo {
                key: e.key.to_string(),
                tier: e.home.as_str(),
                in_memory: self.memory.contains(handle),
                raw_bytes: e.meta.raw_bytes,
                stored_bytes: e.stored_bytes,
                compressed: e.meta.compressed && e.home != Tier::Memory,
                created_at: e.meta.created_at,
                expires_at: e.meta.expires_at,
                stale_at: e.meta.stale_at,
                tags: e.meta.tags.clone(),
                depends_on: e.meta.depends_on.clone(),
                hits: u64::from(self.hits[handle as usize]),
            })
            .collect();
        list.sort_by(|a, b| a.key.cmp(&b.key));
        list
    }

    /// Hands over the events since the last call, oldest first.
    pub fn drain_events(&mut self) -> std::vec::Drain<'_, Event> {
        self.events.drain(..)
    }
}

#[cfg(test)]
mod tests;
