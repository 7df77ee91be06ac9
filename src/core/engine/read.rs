//! Reads: `get` after the face found no live copy (localStorage now, IndexedDB through
//! `ingest_indexed_db`), promotion to memory, the face's own hits and misses, and what a read
//! refuses (a payload that is not this entry's, not UTF-8, or not JSON) as corruption.

use super::{Engine, Lookup, Stored};
use crate::core::clock::Clock;
use crate::core::engine::event::{Event, RemovalCause};
use crate::core::engine::store::LocalStore;
use crate::core::error::{check_key, Corruption, Error, Result};
use crate::core::format::record;
use crate::core::policy::Policy;
use crate::core::types::{FaultCode, Handle, Key, Tier};

impl<C: Clock, L: LocalStore> Engine<C, L> {
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
            self.policies.memory.touch(id);
            self.touch_home(id);
        }
        self.demand_hits(ids);
    }

    /// A use of the entry counts in its durable home's policy (for a memory hit too: what is read
    /// often stays in localStorage, and so survives a reload, even while memory serves it). A
    /// policy ignores handles it does not hold, so no lookup of the home is needed.
    fn touch_home(&mut self, handle: Handle) {
        self.policies.local.touch(handle);
        self.policies.idb.touch(handle);
    }

    /// `get` after the face found no live value: reads the entry's durable home.
    pub fn lookup(&mut self, key: &str) -> Result<Lookup> {
        self.ensure_open()?;
        check_key(key)?;
        self.index_local_key(key);
        self.purge_expired();
        if self.stores.idb_opening && !self.index.contains_key(key) {
            return Ok(Lookup::Incomplete);
        }
        let foreseen = self.demand(key);
        let found = self.read_tiers(key);
        if found == Lookup::Miss {
            self.demand_missed(key, foreseen);
        }
        Ok(found)
    }

    /// `lookup` of a key that the index holds, or that no tier holds.
    fn read_tiers(&mut self, key: &str) -> Lookup {
        let Some(&handle) = self.index.get(key) else {
            return self.missed(key);
        };
        let entry = self.entry(handle);
        match entry.home {
            Tier::Local => match self.read_local(handle) {
                Ok(Some(payload)) => self.finish_read(handle, Tier::Local, Ok(payload)),
                // Another tab's write not visible here yet, or superseded by a later one whose
                // message is on its way: a miss, and nothing in storage is touched.
                Ok(None) => {
                    self.forget_remote(key);
                    self.missed(key)
                }
                Err(e) => self.finish_read(handle, Tier::Local, Err(e)),
            },
            Tier::IndexedDb => match self.pending_idb_payload(&entry.meta.key) {
                Some(payload) => self.finish_read(handle, Tier::IndexedDb, Ok(payload)),
                None => Lookup::ReadIndexedDb { write: entry.write },
            },
            // A memory-only entry without a live copy is gone: memory evictions remove them.
            Tier::Memory => {
                self.forget(handle);
                self.missed(key)
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
            let json = record::open_payload(&p, sum)?;
            if json.len() as u64 != raw_bytes {
                return Err(Error::Corrupt(Corruption::PayloadLength));
            }
            // Checked as UTF-8 by whoever decodes it (see `Lookup::Hit`): once, not twice.
            Ok(json)
        });
        let json = match json {
            Ok(json) => json,
            Err(e) => return self.corrupt(handle, tier, e),
        };
        let key = self.entry(handle).key.clone();
        self.touch_home(handle);
        let in_memory = self.admit_to_memory(handle, false);
        self.demand_hit(handle);
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
        self.events.push(Event::Miss {
            key: Key::from(key),
        });
        Lookup::Miss
    }

    /// The face could not parse the JSON text a hit returned (well sealed, yet not JSON): the
    /// entry goes as corrupt, and the read was a miss (the hit counted for it is taken back).
    pub fn refuse_read(&mut self, key: &str, why: &str) -> Result<()> {
        self.refuse(key, Corruption::PayloadNotJson(why.to_string()))
    }

    /// `refuse_read` for a hit whose bytes did not decode as UTF-8.
    pub fn refuse_text(&mut self, key: &str) -> Result<()> {
        self.refuse(key, Corruption::PayloadNotUtf8)
    }

    fn refuse(&mut self, key: &str, why: Corruption) -> Result<()> {
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
            self.corrupt(handle, tier, Error::Corrupt(why));
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
}
