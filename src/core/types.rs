//! The core's shared vocabulary: what every other module names and this one imports nothing for.

use std::rc::Rc;

/// A cache key, shared between the index, the entries and the events.
pub type Key = Rc<str>;

/// Names an entry inside the engine and every tier's policy: a small integer (a slot index), so
/// that recording an access is an array index rather than a hash of the key.
pub type Handle = u32;

/// Where an entry lives durably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Never persisted: lives as long as the page, within the memory budget.
    Memory,
    /// localStorage: synchronous, small, survives reloads.
    Local,
    /// IndexedDB: asynchronous, large.
    IndexedDb,
}

impl Tier {
    /// Every tier, nearest first.
    pub const ALL: [Tier; 3] = [Tier::Memory, Tier::Local, Tier::IndexedDb];

    /// The tier API.md names `name`, if any.
    pub fn named(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The name API.md gives the tier.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Memory => "memory",
            Tier::Local => "local",
            Tier::IndexedDb => "indexeddb",
        }
    }
}

/// A storage fault the cache handled, as a `fault` event reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultCode {
    /// The browser's quota was reached: older entries made room, or the entry moved on.
    QuotaExceeded,
    /// A stored value failed its checks (damaged, edited, copied from elsewhere): read as a miss.
    CorruptEntry,
    /// A tier could not be used (missing, refused, taken away).
    Unavailable,
    /// A write to a tier failed; the entry moved to another.
    WriteFailed,
    /// A read from a tier failed; the read was a miss.
    ReadFailed,
    /// No tier had room for an entry the cache had accepted.
    NoRoom,
}

impl FaultCode {
    /// Every code, in the order API.md lists them.
    pub const ALL: [FaultCode; 6] = [
        FaultCode::QuotaExceeded,
        FaultCode::CorruptEntry,
        FaultCode::Unavailable,
        FaultCode::WriteFailed,
        FaultCode::ReadFailed,
        FaultCode::NoRoom,
    ];

    /// The code as API.md spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultCode::QuotaExceeded => "QUOTA_EXCEEDED",
            FaultCode::CorruptEntry => "CORRUPT_ENTRY",
            FaultCode::Unavailable => "UNAVAILABLE",
            FaultCode::WriteFailed => "WRITE_FAILED",
            FaultCode::ReadFailed => "READ_FAILED",
            FaultCode::NoRoom => "NO_ROOM",
        }
    }
}
