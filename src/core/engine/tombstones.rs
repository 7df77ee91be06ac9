//! What this tab removed lately, with the stamp of the removal, so that another tab's write that
//! was made before it but arrives after it is recognised as older and not brought back. Bounded:
//! messages arrive within moments, so the latest `MAX_TOMBSTONES` removals are enough.

use crate::core::types::Key;
use std::collections::{HashMap, VecDeque};

const MAX_TOMBSTONES: usize = 2_048;

#[derive(Debug, Default)]
pub(super) struct Tombstones {
    order: VecDeque<(Key, u64)>,
    latest: HashMap<Key, u64>,
    /// The stamp of the latest `clear`: every write ordered before it is gone.
    cleared_at: u64,
    /// Prefixes invalidated lately, with their stamps (a key under one, written before it, is gone).
    prefixes: VecDeque<(Key, u64)>,
}

/// Prefix invalidations remembered; they are rarer than key removals.
const MAX_PREFIXES: usize = 256;

impl Tombstones {
    pub(super) fn bury(&mut self, key: &str, stamp: u64) {
        let key = Key::from(key);
        let at = self.latest.entry(key.clone()).or_insert(stamp);
        *at = (*at).max(stamp);
        self.order.push_back((key, stamp));
        while self.order.len() > MAX_TOMBSTONES {
            let Some((old, stamp)) = self.order.pop_front() else {
                break;
            };
            if self.latest.get(&old) == Some(&stamp) {
                self.latest.remove(&old);
            }
        }
    }

    pub(super) fn bury_prefix(&mut self, prefix: &str, stamp: u64) {
        self.prefixes.push_back((Key::from(prefix), stamp));
        if self.prefixes.len() > MAX_PREFIXES {
            self.prefixes.pop_front();
        }
    }

    pub(super) fn clear(&mut self, stamp: u64) {
        self.order.clear();
        self.latest.clear();
        self.prefixes.clear();
        self.cleared_at = self.cleared_at.max(stamp);
    }

    /// Whether a write of `key` at `stamp` was removed here afterwards.
    pub(super) fn outdates(&self, key: &str, stamp: u64) -> bool {
        self.removed_at(key).is_some_and(|at| stamp <= at)
    }

    /// The stamp of the latest removal here that covers `key` (by name, prefix or clear).
    pub(super) fn removed_at(&self, key: &str) -> Option<u64> {
        let by_prefix = self
            .prefixes
            .iter()
            .filter(|(prefix, _)| key.starts_with(&**prefix))
            .map(|&(_, at)| at);
        let cleared = (self.cleared_at > 0).then_some(self.cleared_at);
        self.latest
            .get(key)
            .copied()
            .into_iter()
            .chain(by_prefix)
            .chain(cleared)
            .max()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_outdate_older_writes_and_stay_bounded() {
        let mut t = Tombstones::default();
        t.bury("k", 10);
        assert!(t.outdates("k", 9) && t.outdates("k", 10) && !t.outdates("k", 11));
        assert!(!t.outdates("other", 1));
        for i in 0..10_000 {
            t.bury(&format!("x{i}"), 20 + i);
        }
        assert_eq!(t.len(), MAX_TOMBSTONES);
        assert!(!t.outdates("k", 9), "the oldest removals are forgotten");
        t.clear(100);
        assert!(t.outdates("any", 100) && !t.outdates("any", 101));
    }
}
