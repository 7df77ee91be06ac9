//! Other tabs: what this engine tells them after a change, and how it applies what they tell it.
//!
//! Every write and removal carries a stamp (`Meta::stamp`, a hybrid logical clock with the
//! writer's id as tie-breaker), and every tab decides by it alone: the later write or removal
//! wins, whatever order the messages arrive in. A tab that learns of a winning write whose value
//! storage does not hold yet (or holds an older one) writes it there itself from the message, so
//! storage converges too. Invalidations are run again on the receiver's own graph, so edges the
//! sender never heard of are still followed.

use super::tombstones::Tombstones;
use super::{tiers, Engine, IdbOp, Key};
use crate::core::clock::Clock;
use crate::core::engine::event::{Event, RemovalCause};
use crate::core::engine::store::LocalStore;
use crate::core::format::record::{self, Meta};
use crate::core::policy::Policy;
use crate::core::types::Tier;

/// A change for the other tabs of this namespace and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broadcast {
    /// `key` was written to `home`, with this sealed metadata record (none for memory-only
    /// entries) and, for localStorage entries, the payload envelope.
    Set {
        /// The key written.
        key: String,
        /// The tier that holds it durably.
        home: Tier,
        /// Its sealed metadata record (none for memory-only entries).
        meta: Option<Vec<u8>>,
        /// Its payload envelope, for localStorage entries (receivers repair storage from it).
        payload: Option<Vec<u8>>,
        /// The write's stamp.
        stamp: u64,
        /// The writing engine's id, the tie-breaker of equal stamps.
        writer: u32,
    },
    /// `delete(key)`.
    Delete {
        /// The key deleted.
        key: String,
        /// The deletion's stamp.
        stamp: u64,
    },
    /// `invalidate(name)` (or, with `prefix`, `invalidatePrefix(name)`) removed these keys.
    Invalidate {
        /// The key or tag (or, with `prefix`, the prefix) invalidated.
        name: String,
        /// Whether `name` is a prefix.
        prefix: bool,
        /// What the sender removed (receivers run the invalidation on their own graph too).
        removed: Vec<String>,
        /// The invalidation's stamp: writes ordered before it are removed.
        stamp: u64,
    },
    /// `clear()`.
    Clear {
        /// The clear's stamp.
        stamp: u64,
    },
}

/// This tab's part in the order of writes that every tab agrees on, and what it tells the others.
#[derive(Debug, Default)]
pub(super) struct TabState {
    /// This engine's id, the tie-breaker of equal stamps.
    pub(super) writer: u32,
    /// The latest stamp made or seen here (a hybrid logical clock: milliseconds << 12, plus a
    /// counter), so that a write made after seeing another tab's is ordered after it.
    pub(super) last_stamp: u64,
    /// Changes for the other tabs, sent once storage holds them.
    pub(super) outgoing: Vec<Broadcast>,
    /// What this tab removed lately, and when.
    pub(super) tombstones: Tombstones,
    /// The names invalidated lately (keys, tags, prefixes), apart from plain deletions: a write
    /// of another tab that depends on one of them and was made before it is outdated too.
    pub(super) invalidations: Tombstones,
    /// While another tab's message is applied: handles freed then are quarantined.
    pub(super) applying: bool,
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    pub(super) fn broadcast(&mut self, message: Broadcast) {
        if self.config.cross_tab {
            self.tabs.outgoing.push(message);
        }
    }

    /// The changes to send to the other tabs, once what they describe is in storage.
    pub fn take_broadcasts(&mut self) -> Vec<Broadcast> {
        std::mem::take(&mut self.tabs.outgoing)
    }

    /// Drops this tab's entry for `key` without touching storage.
    pub(super) fn forget_remote(&mut self, key: &str) -> bool {
        let Some(&handle) = self.index.get(key) else {
            return false;
        };
        // Out of its tier's policy and made memory-only first, so that `forget` leaves storage.
        if let Some(entry) = self.entries.get_mut(handle) {
            match entry.home {
                Tier::Local => self.policies.local.remove(handle),
                Tier::IndexedDb => self.policies.idb.remove(handle),
                Tier::Memory => false,
            };
            entry.home = Tier::Memory;
        }
        self.forget(handle);
        true
    }

    /// The metadata localStorage holds for `key` now, if it is readable.
    pub(super) fn stored_local_meta(&self, key: &str) -> Option<Meta> {
        self.read_local_head(&self.local_key(key), key)
            .ok()
            .map(|(meta, _)| meta)
    }

    /// Whether this tab holds a write of `key` ordered after (stamp, writer).
    fn newer_here(&self, key: &str, stamp: u64, writer: u32) -> bool {
        self.index.get(key).is_some_and(|&h| {
            let meta = &self.entry(h).meta;
            (meta.stamp, meta.writer) > (stamp, writer)
        })
    }

    /// Applies a change made by another tab.
    pub fn apply_remote(&mut self, message: Broadcast) {
        if self.closed {
            return;
        }
        self.tabs.applying = true;
        self.apply_remote_message(message);
        self.tabs.applying = false;
    }

    fn apply_remote_message(&mut self, message: Broadcast) {
        match message {
            Broadcast::Set {
                key,
                home,
                meta,
                payload,
                stamp,
                writer,
            } => self.apply_remote_set(key, home, meta, payload, stamp, writer),
            Broadcast::Delete { key, stamp } => {
                self.observe_stamp(stamp);
                self.tabs.tombstones.bury(&key, stamp);
                if self
                    .index
                    .get(key.as_str())
                    .is_some_and(|&h| self.entry(h).meta.stamp > stamp)
                {
                    return;
                }
                self.note_removed(&key);
                // Removed from storage here too: this tab's copy may sit in another tier than
                // the one the deleting tab knew of (`forget` keeps a later write in storage).
                if let Some(&handle) = self.index.get(key.as_str()) {
                    self.forget(handle);
                    self.events.push(Event::Removed {
                        key: Key::from(key.as_str()),
                        tier: Tier::Memory,
                        cause: RemovalCause::Deleted,
                    });
                }
            }
            Broadcast::Invalidate {
                name,
                prefix,
                removed,
                stamp,
            } => {
                self.observe_stamp(stamp);
                let mut seeds: Vec<Key> = removed.iter().map(|k| Key::from(k.as_str())).collect();
                if prefix {
                    self.spoil_loads_under(&name);
                    self.tabs.tombstones.bury_prefix(&name, stamp);
                    self.tabs.invalidations.bury_prefix(&name, stamp);
                    seeds.extend(self.keys_with_prefix(&name));
                } else {
                    seeds.push(Key::from(name.as_str()));
                }
                let gone = self.invalidate_from(&name, &seeds, stamp);
                let more: Vec<String> = gone.into_iter().filter(|k| !removed.contains(k)).collect();
                self.echo_removals(&name, more, stamp);
            }
            Broadcast::Clear { stamp } => {
                self.observe_stamp(stamp);
                self.reset_index();
                self.tabs.tombstones.clear(stamp);
                self.tabs.invalidations.clear(stamp);
                self.events.push(Event::Cleared);
            }
        }
    }

    fn apply_remote_set(
        &mut self,
        key: String,
        home: Tier,
        meta: Option<Vec<u8>>,
        payload: Option<Vec<u8>>,
        stamp: u64,
        writer: u32,
    ) {
        self.observe_stamp(stamp);
        let meta = meta
            .and_then(|bytes| Meta::from_bytes(&bytes, self.stores.seal).ok())
            .filter(|m| m.key == key && m.stamp == stamp && m.writer == writer);
        // Removed here after it was written, or built from something invalidated after it was.
        let invalidated_under = meta.as_ref().and_then(|m| self.invalidated_under(m));
        if let Some(at) = invalidated_under {
            // The invalidation took this entry too, as it would have here had the entry been
            // known: entries later built on it, as old as the invalidation, go as well.
            self.tabs.tombstones.bury(&key, at);
            self.tabs.invalidations.bury(&key, at);
        }
        // (An invalidation the write was built on has just been buried at or after its stamp.)
        let outdated = self.tabs.tombstones.outdates(&key, stamp);
        if outdated {
            self.remove_stored_write(&key, home, stamp);
        }
        if let Some(at) = invalidated_under {
            // Invalidated after it was written: so is this tab's copy if older, and whatever here
            // was built on the key before the invalidation (even when this tab's copy is newer).
            let gone = self.invalidate_from(&key, &[Key::from(key.as_str())], at);
            self.echo_removals(&key, gone, at);
            return;
        }
        if self.newer_here(&key, stamp, writer) {
            // A later write of this tab wins; the other tab repairs storage when it hears of it.
            return;
        }
        if outdated {
            // It superseded this tab's copy and was itself removed after: neither stays.
            if let Some(&handle) = self.index.get(key.as_str()) {
                self.note_removed(&key);
                self.forget(handle);
                self.events.push(Event::Removed {
                    key: Key::from(key.as_str()),
                    tier: home,
                    cause: RemovalCause::Replaced,
                });
            }
            return;
        }
        self.adopt_remote_write(&key, home, meta, payload);
    }

    /// Another tab's write won: it replaces this tab's copy, in the index and where needed in
    /// storage (a copy in another tier goes; localStorage gets the winner if it lacks it).
    fn adopt_remote_write(
        &mut self,
        key: &str,
        home: Tier,
        meta: Option<Meta>,
        payload: Option<Vec<u8>>,
    ) {
        self.note_written(key);
        match self.index.get(key).copied() {
            // This tab's older copy lives in another tier than the winner: remove it there, or
            // a reload would find it again once the winner is gone.
            Some(handle) if ![home, Tier::Memory].contains(&self.entry(handle).home) => {
                self.forget(handle);
            }
            _ => {
                self.forget_remote(key);
            }
        }
        if let Some(meta) = meta {
            if let (Tier::Local, Some(payload)) = (home, &payload) {
                self.repair_local(&meta, payload);
            }
            let cost = match home {
                Tier::Local => self.local_cost(&meta),
                _ => tiers::idb_cost(meta.record_len(), meta.payload_bytes),
            };
            self.adopt(meta, home, cost);
        }
        self.events.push(Event::Removed {
            key: Key::from(key),
            tier: home,
            cause: RemovalCause::Replaced,
        });
    }

    /// The stamp of the latest invalidation here of something `meta` is built on (a dependency or
    /// a tag) that came after the write.
    fn invalidated_under(&self, meta: &Meta) -> Option<u64> {
        meta.depends_on
            .iter()
            .chain(&meta.tags)
            .filter_map(|name| self.tabs.invalidations.removed_at(name))
            .filter(|&at| meta.stamp <= at)
            .max()
    }

    /// Removes another tab's outdated write of `key` (at `stamp`) from storage, where it is.
    fn remove_stored_write(&mut self, key: &str, home: Tier, stamp: u64) {
        match home {
            Tier::Local => {
                if self
                    .stored_local_meta(key)
                    .is_some_and(|m| m.stamp == stamp)
                {
                    let storage_key = self.local_key(key);
                    self.remove_local_key(&storage_key);
                }
            }
            Tier::IndexedDb => self.stores.outbox.push(IdbOp::Delete {
                key: key.to_string(),
                upto: stamp,
            }),
            Tier::Memory => {}
        }
    }

    /// Tells the other tabs what this tab removed for an invalidation (at `stamp`) beyond what
    /// they told it: edges only this tab knew of. Every tab applies every tab's removals, so
    /// all end with the same entries whatever each knew when it cascaded; each echo removes
    /// something, so echoes end.
    fn echo_removals(&mut self, name: &str, removed: Vec<String>, stamp: u64) {
        if !removed.is_empty() {
            self.broadcast(Broadcast::Invalidate {
                name: name.to_string(),
                prefix: false,
                removed,
                stamp,
            });
        }
    }

    /// Writes a winning remote value to localStorage when storage lacks it or holds an older
    /// write (the other tab's write not visible here yet, or undone by this tab's own).
    fn repair_local(&mut self, meta: &Meta, payload: &[u8]) {
        if record::payload_sum(payload) != meta.payload_sum {
            return;
        }
        let stored = self.stored_local_meta(&meta.key);
        if stored.is_some_and(|s| !meta.newer_than(&s)) {
            return;
        }
        let value = record::local_value(meta, self.stores.seal, payload);
        let storage_key = self.local_key(&meta.key);
        // A full quota here is the writer's to handle: it placed the entry.
        let _ = self.stores.local.set(&storage_key, &value);
    }
}
