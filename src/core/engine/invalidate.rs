//! Relationship-based invalidation, and the generation check that keeps a load which started
//! before an invalidation from writing its stale result back.

use super::{Broadcast, Engine, Key, Stored};
use crate::core::clock::Clock;
use crate::core::error::{check_key, Result};
use crate::core::event::Event;
use crate::core::options::SetOptions;
use crate::core::store::LocalStore;
use std::collections::HashMap;

/// Loads under way, and when each name (key or tag) was last invalidated, in a counter that
/// moves on every invalidation. Forgotten whenever no load is under way.
#[derive(Debug, Default)]
pub(super) struct Loads {
    in_flight: u32,
    epoch: u64,
    invalidated_at: HashMap<Key, u64>,
    /// Prefixes invalidated while loads were under way: a load of any key under one is stale.
    prefixes_invalidated_at: Vec<(Key, u64)>,
    cleared_at: u64,
}

impl Loads {
    fn mark(&mut self, name: &str) {
        if self.in_flight > 0 {
            self.epoch += 1;
            self.invalidated_at.insert(Key::from(name), self.epoch);
        }
    }

    fn mark_prefix(&mut self, prefix: &str) {
        if self.in_flight > 0 {
            self.epoch += 1;
            self.prefixes_invalidated_at
                .push((Key::from(prefix), self.epoch));
        }
    }

    pub(super) fn invalidate_all(&mut self) {
        self.epoch += 1;
        self.cleared_at = self.epoch;
    }

    /// Whether anything a load that began at `token` depends on was invalidated since.
    fn stale(&self, token: u64, names: impl IntoIterator<Item = impl AsRef<str>>) -> bool {
        let changed = |name: &str| {
            self.invalidated_at.get(name).is_some_and(|&at| at > token)
                || self
                    .prefixes_invalidated_at
                    .iter()
                    .any(|(prefix, at)| *at > token && name.starts_with(&**prefix))
        };
        self.cleared_at > token || names.into_iter().any(|n| changed(n.as_ref()))
    }
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// Removes `name`'s entry, every entry tagged `name`, and every entry that depends on any
    /// removed one, transitively, in every tier; returns the removed keys, sorted.
    pub fn invalidate(&mut self, name: &str) -> Result<Vec<String>> {
        self.ensure_open()?;
        check_key(name)?;
        self.purge_expired();
        let removed = self.invalidate_from(name, [name]);
        self.broadcast(Broadcast::Invalidate {
            name: name.to_string(),
            prefix: false,
            removed: removed.clone(),
        });
        Ok(removed)
    }

    /// `invalidate` for every key that starts with `prefix`.
    pub fn invalidate_prefix(&mut self, prefix: &str) -> Result<Vec<String>> {
        self.ensure_open()?;
        check_key(prefix)?;
        self.purge_expired();
        let seeds: Vec<Key> = self
            .ordered
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        self.loads.mark_prefix(prefix);
        let removed = self.invalidate_from(prefix, seeds.iter().map(|k| &**k));
        self.broadcast(Broadcast::Invalidate {
            name: prefix.to_string(),
            prefix: true,
            removed: removed.clone(),
        });
        Ok(removed)
    }

    fn invalidate_from<'a>(
        &mut self,
        name: &str,
        seeds: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Vec<String> {
        for seed in seeds.clone() {
            self.loads.mark(seed);
        }
        let removed = self.graph.closure(seeds, |n| {
            self.index.get_key_value(n).map(|(k, _)| k.clone())
        });
        for key in &removed {
            self.loads.mark(key);
            if let Some(&handle) = self.index.get(key) {
                self.forget(handle);
            }
        }
        self.events.push(Event::Invalidated {
            key: Key::from(name),
            removed: removed.clone(),
        });
        removed.iter().map(|k| k.to_string()).collect()
    }

    /// A load of some key begins: the token to hand to `store_loaded`.
    pub fn begin_load(&mut self) -> u64 {
        self.loads.in_flight += 1;
        self.loads.epoch
    }

    /// A load ends, whether or not its result was stored.
    pub fn end_load(&mut self) {
        self.loads.in_flight = self.loads.in_flight.saturating_sub(1);
        if self.loads.in_flight == 0 {
            self.loads.invalidated_at.clear();
            self.loads.prefixes_invalidated_at.clear();
        }
    }

    /// Stores the result of a load that began at `token`, unless the key, one of its
    /// dependencies or tags was invalidated, deleted or rewritten since: then nothing is stored
    /// (the caller still gets its value) and `None` comes back.
    pub fn store_loaded(
        &mut self,
        token: u64,
        key: &str,
        json: &[u8],
        options: SetOptions,
    ) -> Result<Option<Stored>> {
        self.ensure_open()?;
        check_key(key)?;
        let names = std::iter::once(key)
            .chain(options.depends_on.iter().map(String::as_str))
            .chain(options.tags.iter().map(String::as_str));
        if self.loads.stale(token, names) {
            return Ok(None);
        }
        self.set(key, json, options).map(Some)
    }

    /// Another tab invalidated a prefix: loads under it that are under way here are stale.
    pub(super) fn note_prefix_invalidated(&mut self, prefix: &str) {
        self.loads.mark_prefix(prefix);
    }

    /// A write, deletion or expiry of `key` makes loads of it that are under way stale.
    pub(super) fn note_changed(&mut self, key: &str) {
        self.loads.mark(key);
    }
}
