//! Relationship-based invalidation, and the loads under way: each knows its key, the names it
//! will be stored under (dependencies, tags) and the keys read through the cache while it ran.
//! A change to any of them spoils it: it stores nothing, later callers do not join it, and the
//! face aborts its signal. Nothing is remembered past the loads in flight, so the bookkeeping is
//! bounded by them.

use super::{Broadcast, Engine, Key, Stored, Text, WriteKind};
use crate::core::clock::Clock;
use crate::core::engine::event::Event;
use crate::core::engine::options::SetOptions;
use crate::core::engine::store::LocalStore;
use crate::core::error::{check_key, Result};
use crate::core::predict::Reason;
use std::collections::{HashMap, HashSet};

/// Reads remembered per load; a load that reads more is spoiled rather than tracked further.
const MAX_READS_PER_LOAD: usize = 4_096;

/// What a load in flight is, when it is a preload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preloading {
    /// Why it was started.
    pub reason: Reason,
    /// The scorer's id when the model guessed it.
    pub guess: Option<u64>,
    /// A demand access joined it: what it loads is used already.
    pub joined: bool,
}

#[derive(Debug)]
pub(super) struct Load {
    key: Key,
    /// Dependencies and tags it will be stored with.
    names: Vec<Key>,
    /// Keys read through the cache while it ran (every load in flight is credited with a read).
    reads: HashSet<Key>,
    pub(super) spoiled: bool,
    /// What it is when it is a preload.
    pub(super) preload: Option<Preloading>,
}

impl Load {
    fn involves(&self, name: &str) -> bool {
        &*self.key == name || self.names.iter().any(|n| &**n == name) || self.reads.contains(name)
    }

    fn involves_prefix(&self, prefix: &str) -> bool {
        self.key.starts_with(prefix)
            || self.names.iter().any(|n| n.starts_with(prefix))
            || self.reads.iter().any(|n| n.starts_with(prefix))
    }
}

/// The loads under way, by token.
#[derive(Debug, Default)]
pub(super) struct Loads {
    next: u64,
    in_flight: HashMap<u64, Load>,
}

impl Loads {
    /// The live (unspoiled) load of `key`, if one is under way.
    pub(super) fn of(&self, key: &str) -> Option<&Load> {
        self.in_flight
            .values()
            .find(|l| !l.spoiled && &*l.key == key)
    }

    pub(super) fn count(&self, matches: impl Fn(&Load) -> bool) -> usize {
        self.in_flight.values().filter(|l| matches(l)).count()
    }

    /// The key the load `token` loads.
    pub(super) fn key_of(&self, token: u64) -> Option<Key> {
        self.in_flight.get(&token).map(|l| l.key.clone())
    }

    pub(super) fn mark_preload(&mut self, token: u64, preload: Preloading) {
        if let Some(load) = self.in_flight.get_mut(&token) {
            load.preload = Some(preload);
        }
    }

    pub(super) fn preload_mut(&mut self, token: u64) -> Option<&mut Preloading> {
        self.in_flight.get_mut(&token)?.preload.as_mut()
    }
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// Removes `name`'s entry, every entry tagged `name`, and every entry that depends on any
    /// removed one, transitively, in every tier; returns the removed keys, sorted.
    pub fn invalidate(&mut self, name: &str) -> Result<Vec<String>> {
        self.ensure_open()?;
        check_key(name)?;
        self.purge_expired();
        let stamp = self.next_stamp();
        let removed = self.invalidate_from(name, &[Key::from(name)], stamp);
        self.broadcast(Broadcast::Invalidate {
            name: name.to_string(),
            prefix: false,
            removed: removed.clone(),
            stamp,
        });
        Ok(removed)
    }

    /// `invalidate` for every key that starts with `prefix`.
    pub fn invalidate_prefix(&mut self, prefix: &str) -> Result<Vec<String>> {
        self.ensure_open()?;
        check_key(prefix)?;
        self.purge_expired();
        let stamp = self.next_stamp();
        let seeds = self.keys_with_prefix(prefix);
        self.spoil_loads_under(prefix);
        self.tabs.tombstones.bury_prefix(prefix, stamp);
        self.tabs.invalidations.bury_prefix(prefix, stamp);
        let removed = self.invalidate_from(prefix, &seeds, stamp);
        self.broadcast(Broadcast::Invalidate {
            name: prefix.to_string(),
            prefix: true,
            removed: removed.clone(),
            stamp,
        });
        Ok(removed)
    }

    pub(super) fn keys_with_prefix(&self, prefix: &str) -> Vec<Key> {
        self.ordered
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Removes the closure of `seeds` (written at or before `stamp`) and reports it under `name`.
    pub(super) fn invalidate_from(&mut self, name: &str, seeds: &[Key], stamp: u64) -> Vec<String> {
        for seed in seeds {
            self.note_removed(seed);
            self.tabs.tombstones.bury(seed, stamp);
            self.tabs.invalidations.bury(seed, stamp);
        }
        // A write ordered after the invalidation (another tab's, seen first) stays, and so does
        // what was built on it.
        let removed = self.graph.closure_keeping(
            seeds,
            |n| self.index.get_key_value(n).map(|(k, _)| k.clone()),
            |k| {
                self.index
                    .get(k)
                    .is_some_and(|&h| self.entry(h).meta.stamp > stamp)
            },
        );
        let mut gone = Vec::with_capacity(removed.len());
        for key in removed {
            let Some(&handle) = self.index.get(&key) else {
                continue;
            };
            self.note_removed(&key);
            self.tabs.tombstones.bury(&key, stamp);
            self.tabs.invalidations.bury(&key, stamp);
            // Its stamp is at most the invalidation's (later ones are kept above), and `forget` leaves
            // a later write another tab made in storage.
            self.forget(handle);
            gone.push(key);
        }
        self.events.push(Event::Invalidated {
            key: Key::from(name),
            removed: gone.clone(),
        });
        gone.iter().map(|k| k.to_string()).collect()
    }

    /// A load of `key` begins, to be stored with `options`: the token for `store_loaded`,
    /// `load_spoiled` and `end_load`.
    pub fn begin_load(&mut self, key: &str, options: &SetOptions) -> u64 {
        self.loads.next += 1;
        let names = options
            .depends_on
            .iter()
            .chain(&options.tags)
            .map(|n| Key::from(n.as_str()))
            .collect();
        let load = Load {
            key: Key::from(key),
            names,
            reads: HashSet::new(),
            spoiled: false,
            preload: None,
        };
        self.loads.in_flight.insert(self.loads.next, load);
        self.loads.next
    }

    /// A load ends, whether or not its result was stored.
    pub fn end_load(&mut self, token: u64) {
        self.loads.in_flight.remove(&token);
    }

    /// Whether something the load began at `token` involves changed since (or it is unknown).
    pub fn load_spoiled(&self, token: u64) -> bool {
        self.loads.in_flight.get(&token).is_none_or(|l| l.spoiled)
    }

    /// Loads in flight (their bookkeeping is all the engine keeps about loads).
    pub fn loads_in_flight(&self) -> usize {
        self.loads.in_flight.len()
    }

    /// `key` was read through the cache: every load under way may have built on it.
    pub fn note_read(&mut self, key: &str) {
        let mut overflow = Vec::new();
        for (&token, load) in self.loads.in_flight.iter_mut() {
            if load.spoiled || load.reads.contains(key) {
                continue;
            }
            if load.reads.len() >= MAX_READS_PER_LOAD {
                overflow.push(token);
            } else {
                load.reads.insert(Key::from(key));
            }
        }
        self.spoil(overflow);
    }

    /// Stores the result of the load `token` unless it was spoiled: then nothing is stored (the
    /// caller still gets its value) and `None` comes back.
    pub fn store_loaded(
        &mut self,
        token: u64,
        key: &str,
        json: &[u8],
        options: SetOptions,
    ) -> Result<Option<Stored>> {
        self.ensure_open()?;
        check_key(key)?;
        if self.load_spoiled(token) {
            return Ok(None);
        }
        let preload = self.loads.in_flight.remove(&token).and_then(|l| l.preload);
        // Loads that read this key read it while it was being loaded: the value they get now is
        // this one, so they stay good. A preload nobody joined goes in cold.
        let kind = match preload {
            Some(p) if !p.joined => WriteKind::Preload,
            _ => WriteKind::Load,
        };
        let stored = self.write(key, Text::Json(json), options, kind)?;
        if let Some(preload) = preload {
            self.preload_stored(key, preload);
        }
        Ok(Some(stored))
    }

    /// A removal (deletion, invalidation, expiry, another tab's change) of `name`.
    pub(super) fn note_removed(&mut self, name: &str) {
        let hit = self.loads_where(|l| l.involves(name));
        self.spoil(hit);
    }

    /// A write of `key` other than by its own load: loads of it, and loads that read it, are out
    /// of date.
    pub(super) fn note_written(&mut self, key: &str) {
        self.note_removed(key);
    }

    pub(super) fn spoil_loads_under(&mut self, prefix: &str) {
        let hit = self.loads_where(|l| l.involves_prefix(prefix));
        self.spoil(hit);
    }

    pub(super) fn spoil_all_loads(&mut self) {
        let all = self.loads_where(|_| true);
        self.spoil(all);
    }

    fn loads_where(&self, matches: impl Fn(&Load) -> bool) -> Vec<u64> {
        self.loads
            .in_flight
            .iter()
            .filter(|(_, l)| !l.spoiled && matches(l))
            .map(|(&t, _)| t)
            .collect()
    }

    /// Spoils these loads and, transitively, the loads that read what they were loading.
    fn spoil(&mut self, mut tokens: Vec<u64>) {
        while let Some(token) = tokens.pop() {
            let Some(load) = self.loads.in_flight.get_mut(&token) else {
                continue;
            };
            if load.spoiled {
                continue;
            }
            load.spoiled = true;
            let key = load.key.clone();
            self.events.push(Event::LoadSpoiled { load: token });
            tokens.extend(self.loads_where(|l| l.reads.contains(&key)));
        }
    }
}
