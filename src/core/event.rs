//! What the engine tells its observers. Removals carry their cause (moka's `RemovalCause`), so the
//! JS face can drop live values and the devtools can tell an eviction from an expiry.

use super::engine::Key;
use super::options::Tier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalCause {
    /// Pushed out to keep a tier within its budget.
    Evicted,
    /// Its `ttlMs` ran out.
    Expired,
    /// Removed by `delete`.
    Deleted,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Set {
        key: Key,
        tier: Tier,
    },
    Hit {
        key: Key,
        tier: Tier,
    },
    Miss {
        key: Key,
    },
    Removed {
        key: Key,
        tier: Tier,
        cause: RemovalCause,
    },
    /// Everything in the namespace went at once.
    Cleared,
}

impl Event {
    /// Removal events must reach the JS face even when nobody subscribes: it holds live values.
    pub fn removes_live_value(&self) -> bool {
        matches!(self, Event::Removed { .. } | Event::Cleared)
    }
}
