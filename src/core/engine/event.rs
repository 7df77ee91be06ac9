//! What the engine tells its observers. Removals carry their cause (moka's `RemovalCause`), so the
//! JS face can drop live values and the devtools can tell an eviction from an expiry.

use crate::core::predict::Reason;
use crate::core::types::{FaultCode, Key, Tier};

/// Why an entry left every tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalCause {
    /// Its `ttlMs` ran out.
    Expired,
    /// Removed by `delete`.
    Deleted,
    /// Another tab wrote a new value: this tab's copy is out of date.
    Replaced,
}

/// An event of the engine, for the face (live copies) and subscribers.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An entry was written.
    Set {
        /// Its key.
        key: Key,
        /// Its durable home.
        tier: Tier,
    },
    /// A read found the entry.
    Hit {
        /// Its key.
        key: Key,
        /// The tier that served it.
        tier: Tier,
    },
    /// A read found nothing.
    Miss {
        /// The key read.
        key: Key,
    },
    /// The entry left `tier` to make room there; it may live on in another tier.
    Evicted {
        /// Its key.
        key: Key,
        /// The tier it left.
        tier: Tier,
    },
    /// The entry is gone from every tier.
    Removed {
        /// Its key.
        key: Key,
        /// The tier that held it.
        tier: Tier,
        /// Why it went.
        cause: RemovalCause,
    },
    /// `invalidate(key)` or `invalidatePrefix(key)` removed these entries from every tier.
    Invalidated {
        /// The key, tag or prefix invalidated.
        key: Key,
        /// What this engine removed, sorted.
        removed: Vec<Key>,
    },
    /// A storage fault was handled (quota, corrupt entry, unavailable tier).
    Fault {
        /// The tier at fault.
        tier: Tier,
        /// What happened.
        code: FaultCode,
        /// Details for people.
        message: String,
        /// The entry concerned, when there is one.
        key: Option<Key>,
    },
    /// Everything in the namespace went at once.
    Cleared,
    /// A preload starts.
    Prefetch {
        /// The key preloaded.
        key: Key,
        /// The model's probability for it (1 for hints and `prefetch`).
        probability: f32,
        /// Why it is preloaded.
        reason: Reason,
    },
    /// Something the load `load` (a `begin_load` token) involves changed: it will store nothing,
    /// so the face aborts its signal and lets later callers start afresh. Not for subscribers.
    LoadSpoiled {
        /// The `begin_load` token of the load.
        load: u64,
    },
}

/// Which live copies of the JS face an event takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveDrop {
    /// The event's key.
    Key,
    /// Every key of the event's `removed` list.
    Removed,
    /// All of them.
    All,
}

impl LiveDrop {
    /// The name the face reads in an event's `drop` field.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveDrop::Key => "key",
            LiveDrop::Removed => "removed",
            LiveDrop::All => "all",
        }
    }
}

impl Event {
    /// The live copies the face must drop for this event: decided here, once.
    pub fn live_drop(&self) -> Option<LiveDrop> {
        match self {
            Event::Evicted {
                tier: Tier::Memory, ..
            }
            | Event::Removed { .. } => Some(LiveDrop::Key),
            Event::Invalidated { .. } => Some(LiveDrop::Removed),
            Event::Cleared => Some(LiveDrop::All),
            _ => None,
        }
    }

    /// Whether the face must drop its live copy of the event's key (or, for `Cleared`, of all keys).
    /// Such events reach the face even when nobody subscribes.
    pub fn drops_live_value(&self) -> bool {
        self.live_drop().is_some() || matches!(self, Event::LoadSpoiled { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_face_drops_live_values_for_removals_only() {
        let key = || Key::from("k");
        let drops = [
            Event::Evicted {
                key: key(),
                tier: Tier::Memory,
            },
            Event::Removed {
                key: key(),
                tier: Tier::Local,
                cause: RemovalCause::Expired,
            },
            Event::Invalidated {
                key: key(),
                removed: vec![key()],
            },
            Event::Cleared,
        ];
        let keeps = [
            Event::Evicted {
                key: key(),
                tier: Tier::Local,
            },
            Event::Set {
                key: key(),
                tier: Tier::Local,
            },
            Event::Hit {
                key: key(),
                tier: Tier::Local,
            },
            Event::Miss { key: key() },
            Event::Fault {
                tier: Tier::Local,
                code: FaultCode::QuotaExceeded,
                message: String::new(),
                key: None,
            },
        ];
        assert!(drops.iter().all(Event::drops_live_value));
        assert!(!keeps.iter().any(Event::drops_live_value));
    }
}
