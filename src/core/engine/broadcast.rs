//! Other tabs: what this engine tells them after a change, and how it applies what they tell it.
//! The tab that made a change has already written storage, so applying a remote change touches
//! only this tab's index and live copies, never storage.

use super::{tiers, Engine, Key};
use crate::core::clock::Clock;
use crate::core::event::{Event, RemovalCause};
use crate::core::memory::Policy;
use crate::core::options::Tier;
use crate::core::record::Meta;
use crate::core::store::LocalStore;

/// A change for the other tabs of this namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broadcast {
    /// `key` was written to `home`, with this metadata record (none for memory-only entries).
    Set {
        key: String,
        home: Tier,
        meta: Option<Vec<u8>>,
    },
    Delete {
        key: String,
    },
    /// `invalidate(name)` (or, with `prefix`, `invalidatePrefix(name)`) removed these keys.
    Invalidate {
        name: String,
        prefix: bool,
        removed: Vec<String>,
    },
    Clear,
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    pub(super) fn broadcast(&mut self, message: Broadcast) {
        if self.config.cross_tab {
            self.broadcasts.push(message);
        }
    }

    /// The changes to send to the other tabs, once what they describe is in storage.
    pub fn take_broadcasts(&mut self) -> Vec<Broadcast> {
        std::mem::take(&mut self.broadcasts)
    }

    /// Drops this tab's entry for `key` without touching storage.
    fn forget_remote(&mut self, key: &str) -> bool {
        let Some(&handle) = self.index.get(key) else {
            return false;
        };
        // The other tab already changed storage: forget as a memory-only entry would.
        if let Some(entry) = self.entries.get_mut(handle) {
            match entry.home {
                Tier::Local => self.local_policy.remove(handle),
                Tier::IndexedDb => self.idb_policy.remove(handle),
                Tier::Memory => false,
            };
            entry.home = Tier::Memory;
        }
        self.forget(handle);
        true
    }

    /// Whether this tab's entry for `key` was written after the remote write described by `remote`
    /// (messages arrive late, so a remote write can be older than a local one). For localStorage
    /// the stored value decides: whoever wrote last is in storage.
    fn newer_here(&self, key: &str, remote: Option<&Meta>) -> bool {
        let Some(&handle) = self.index.get(key) else {
            return false;
        };
        let local = &self.entry(handle).meta;
        if self.entry(handle).home == Tier::Local {
            let stored = self
                .read_local_head(&self.local_key(key), key)
                .ok()
                .map(|(meta, _)| meta);
            if let Some(stored) = stored {
                return &stored == local && remote != Some(local);
            }
        }
        remote.is_some_and(|remote| local.created_at > remote.created_at)
    }

    /// Applies a change made by another tab.
    pub fn apply_remote(&mut self, message: Broadcast) {
        if self.closed {
            return;
        }
        match message {
            Broadcast::Set { key, home, meta } => {
                let meta = meta
                    .and_then(|bytes| Meta::from_bytes(&bytes, self.seal).ok())
                    .filter(|m| m.key == key);
                if self.newer_here(&key, meta.as_ref()) {
                    // The message was overtaken by a later write in this tab.
                    return;
                }
                self.note_changed(&key);
                self.forget_remote(&key);
                if let Some(meta) = meta {
                    let cost = match home {
                        Tier::Local => self.local_cost(&meta),
                        _ => tiers::idb_cost(meta.record_len(), meta.payload_bytes),
                    };
                    self.adopt(meta, home, cost);
                }
                self.events.push(Event::Removed {
                    key: Key::from(key.as_str()),
                    tier: home,
                    cause: RemovalCause::Replaced,
                });
            }
            Broadcast::Delete { key } => {
                self.note_changed(&key);
                if self.forget_remote(&key) {
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
            } => {
                if prefix {
                    self.note_prefix_invalidated(&name);
                }
                self.note_changed(&name);
                for key in &removed {
                    self.note_changed(key);
                    self.forget_remote(key);
                }
                let removed = removed.iter().map(|k| Key::from(k.as_str())).collect();
                self.events.push(Event::Invalidated {
                    key: Key::from(name.as_str()),
                    removed,
                });
            }
            Broadcast::Clear => {
                self.reset_index();
                self.events.push(Event::Cleared);
            }
        }
    }
}
