//! The engine: one owner for every rule about entries (validation, placement, budgets, expiry,
//! statistics, events). It is generic over its clock and its memory policy, so each rule is tested
//! natively with a manual clock.
//!
//! The live values of the memory tier are held by the JS face, next to the page; the engine holds
//! each entry's metadata and tells the face, through removal events, which live values must go.
//! The face reports hits of values it served itself in batches (`record_accesses`).

use super::clock::Clock;
use super::error::{check_key, Error, Result};
use super::event::{Event, RemovalCause};
use super::memory::{Handle, Policy, S3Fifo};
use super::options::{CacheConfig, SetOptions, Tier};
use super::slots::Slots;
use super::stats::{hit_rate, CacheStats, EntryInfo, TierStats};
use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::rc::Rc;

/// Keys are shared between the index, the entries and the events.
pub type Key = Rc<str>;

/// Metadata of one entry.
#[derive(Debug, Clone)]
struct Entry {
    key: Key,
    /// Unique per write, so a stale expiry of an earlier entry at the same handle is ignored.
    write: u64,
    home: Tier,
    raw_bytes: u64,
    created_at: u64,
    expires_at: Option<u64>,
    stale_at: Option<u64>,
    tags: Vec<String>,
    depends_on: Vec<String>,
    hits: u64,
}

/// What `set` hands back to the face for its live copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    /// Names the entry in `record_accesses` until it is removed; then it may name another.
    pub id: Handle,
    pub expires_at: Option<u64>,
}

#[derive(Debug, Default)]
struct Counters {
    hits: u64,
    misses: u64,
    memory_hits: u64,
}

pub struct Engine<C: Clock, P: Policy = S3Fifo> {
    clock: C,
    config: CacheConfig,
    memory: P,
    /// Entries by handle; the handle is also the entry's name in the memory policy.
    entries: Slots<Entry>,
    index: HashMap<Key, Handle>,
    free: Vec<Handle>,
    writes: u64,
    /// (expires_at, handle, write) of entries with a ttl, soonest first.
    expiries: BinaryHeap<Reverse<(u64, Handle, u64)>>,
    counters: Counters,
    events: Vec<Event>,
    closed: bool,
}

fn key_hash(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl<C: Clock> Engine<C> {
    pub fn new(clock: C, config: CacheConfig) -> Self {
        let memory = S3Fifo::new(config.memory_bytes);
        Self::with_policy(clock, config, memory)
    }
}

impl<C: Clock, P: Policy> Engine<C, P> {
    pub fn with_policy(clock: C, config: CacheConfig, memory: P) -> Self {
        Self {
            clock,
            config,
            memory,
            entries: Slots::default(),
            index: HashMap::new(),
            free: Vec::new(),
            writes: 0,
            expiries: BinaryHeap::new(),
            counters: Counters::default(),
            events: Vec::new(),
            closed: false,
        }
    }

    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    fn ensure_open(&self) -> Result<()> {
        if self.closed {
            Err(Error::Closed)
        } else {
            Ok(())
        }
    }

    /// Stores `raw` (the value's JSON text) under `key`.
    ///
    /// Handles of removed entries are reused here, so the face must report the accesses it
    /// buffered (`record_accesses`) before it calls `set`.
    pub fn set(&mut self, key: &str, raw: &[u8], options: SetOptions) -> Result<Stored> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        let weight = raw.len() as u64;
        // Until the persistent tiers land, every entry's home is the memory tier.
        let home = Tier::Memory;
        let existing = self.index.get(key).copied();
        // Handles in use are 0..len when none is free, so len is the next fresh one.
        let (handle, reused) = match existing.or_else(|| self.free.pop()) {
            Some(handle) => (handle, existing.is_none()),
            None => (self.index.len() as Handle, false),
        };
        let mut evicted = Vec::new();
        if !self
            .memory
            .insert(handle, key_hash(key), weight, &mut evicted)
        {
            if reused {
                self.free.push(handle);
            }
            return Err(Error::EntryTooLarge { size: weight });
        }
        for victim in evicted {
            self.remove_entry(victim, RemovalCause::Evicted);
        }
        let now = self.clock.now_ms();
        let expires_at = options
            .ttl_ms
            .or(self.config.default_ttl_ms)
            .map(|ttl| now.saturating_add(ttl));
        self.writes += 1;
        if let Some(at) = expires_at {
            self.expiries.push(Reverse((at, handle, self.writes)));
        }
        let key: Key = match existing.and_then(|h| self.entries.get(h)) {
            Some(entry) => entry.key.clone(),
            None => Rc::from(key),
        };
        self.entries.insert(
            handle,
            Entry {
                key: key.clone(),
                write: self.writes,
                home,
                raw_bytes: weight,
                created_at: now,
                expires_at,
                stale_at: options.stale_ms.map(|stale| now.saturating_add(stale)),
                tags: options.tags,
                depends_on: options.depends_on,
                hits: 0,
            },
        );
        self.index.insert(key.clone(), handle);
        self.events.push(Event::Set { key, tier: home });
        Ok(Stored {
            id: handle,
            expires_at,
        })
    }

    /// Counts hits the face served from its live copies (by entry id) and misses it saw.
    pub fn record_accesses(&mut self, ids: &[u32], misses: u64) {
        self.counters.misses += misses;
        // Every access was a hit when it happened, even if the entry has gone since.
        self.counters.hits += ids.len() as u64;
        self.counters.memory_hits += ids.len() as u64;
        for &id in ids {
            if let Some(entry) = self.entries.get_mut(id) {
                entry.hits += 1;
                self.memory.touch(id);
            }
        }
    }

    /// The face found no live value for `key`: purge it if it expired, and count the miss.
    pub fn miss(&mut self, key: &str) -> Result<()> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        self.counters.misses += 1;
        self.events.push(Event::Miss { key: Rc::from(key) });
        Ok(())
    }

    /// Removes `key` from every tier; true when it was there.
    pub fn delete(&mut self, key: &str) -> Result<bool> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        Ok(match self.index.get(key) {
            Some(&handle) => self.remove_entry(handle, RemovalCause::Deleted),
            None => false,
        })
    }

    pub fn has(&mut self, key: &str) -> Result<bool> {
        self.ensure_open()?;
        check_key(key)?;
        self.purge_expired();
        Ok(self.index.contains_key(key))
    }

    /// Empties this namespace.
    pub fn clear(&mut self) -> Result<()> {
        self.ensure_open()?;
        self.entries.clear();
        self.index.clear();
        self.free.clear();
        self.expiries.clear();
        self.memory.clear();
        self.events.push(Event::Cleared);
        Ok(())
    }

    pub fn close(&mut self) {
        self.closed = true;
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Removes every entry whose ttl has run out.
    pub fn purge_expired(&mut self) {
        let now = self.clock.now_ms();
        while let Some(&Reverse((at, handle, write))) = self.expiries.peek() {
            if at > now {
                break;
            }
            self.expiries.pop();
            if self.entries.get(handle).is_some_and(|e| e.write == write) {
                self.remove_entry(handle, RemovalCause::Expired);
            }
        }
    }

    fn remove_entry(&mut self, handle: Handle, cause: RemovalCause) -> bool {
        let Some(entry) = self.entries.remove(handle) else {
            return false;
        };
        self.index.remove(&entry.key);
        self.memory.remove(handle);
        self.free.push(handle);
        self.events.push(Event::Removed {
            key: entry.key,
            tier: entry.home,
            cause,
        });
        true
    }

    pub fn stats(&mut self) -> CacheStats {
        self.purge_expired();
        let c = &self.counters;
        CacheStats {
            hits: c.hits,
            misses: c.misses,
            hit_rate: hit_rate(c.hits, c.misses),
            memory: TierStats {
                entries: self.memory.len() as u64,
                bytes: self.memory.weight(),
                hits: c.memory_hits,
            },
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
                raw_bytes: e.raw_bytes,
                stored_bytes: e.raw_bytes,
                compressed: false,
                created_at: e.created_at,
                expires_at: e.expires_at,
                stale_at: e.stale_at,
                tags: e.tags.clone(),
                depends_on: e.depends_on.clone(),
                hits: e.hits,
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
