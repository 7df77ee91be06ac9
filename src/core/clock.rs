//! Time, as the engine sees it: epoch milliseconds from a `Clock`. The browser clock reads
//! `Date.now()` (std's `Instant` panics on wasm32); tests drive a `ManualClock` and never sleep.

use std::cell::Cell;
use std::rc::Rc;

/// A source of wall-clock time in epoch milliseconds.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// A clock that moves only when told to. Clones share one time, so a test keeps a handle
/// while the engine owns another.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Rc<Cell<u64>>);

impl ManualClock {
    /// A clock that reads `start_ms` until advanced.
    pub fn new(start_ms: u64) -> Self {
        Self(Rc::new(Cell::new(start_ms)))
    }

    /// Moves time on by `ms` for every clone.
    pub fn advance(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_time() {
        let clock = ManualClock::new(1_000);
        let engine_side = clock.clone();
        clock.advance(250);
        assert_eq!(engine_side.now_ms(), 1_250);
    }
}
