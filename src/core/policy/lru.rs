//! Plain least-recently-used, byte-budgeted: the reference the cache's policy must beat.

use super::replacement::Policy;
use crate::core::policy::slots::Slots;
use crate::core::types::Handle;
use std::collections::BTreeMap;

/// Least recently used: the reference the cache's policy (`Gdsf`) is measured against.
#[derive(Debug)]
pub struct Lru {
    budget: u64,
    weight: u64,
    tick: u64,
    /// handle -> (last use, weight)
    slots: Slots<(u64, u64)>,
    by_use: BTreeMap<u64, Handle>,
}

impl Lru {
    /// An empty policy holding at most `budget` bytes.
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            weight: 0,
            tick: 0,
            slots: Slots::default(),
            by_use: BTreeMap::new(),
        }
    }

    fn bump(&mut self, handle: Handle) -> u64 {
        self.tick += 1;
        self.by_use.insert(self.tick, handle);
        self.tick
    }
}

impl Policy for Lru {
    fn insert(
        &mut self,
        handle: Handle,
        _key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        if weight > self.budget {
            return false;
        }
        self.remove(handle);
        while self.weight + weight > self.budget && self.evict_one(evicted) {}
        let used = self.bump(handle);
        self.slots.insert(handle, (used, weight));
        self.weight += weight;
        true
    }

    fn evict_one(&mut self, evicted: &mut Vec<Handle>) -> bool {
        let Some((_, victim)) = self.by_use.pop_first() else {
            return false;
        };
        if let Some((_, w)) = self.slots.remove(victim) {
            self.weight -= w;
        }
        evicted.push(victim);
        true
    }

    fn touch(&mut self, handle: Handle) {
        let Some(&(used, weight)) = self.slots.get(handle) else {
            return;
        };
        self.by_use.remove(&used);
        let used = self.bump(handle);
        self.slots.insert(handle, (used, weight));
    }

    fn remove(&mut self, handle: Handle) -> bool {
        let Some((used, weight)) = self.slots.remove(handle) else {
            return false;
        };
        self.by_use.remove(&used);
        self.weight -= weight;
        true
    }

    fn contains(&self, handle: Handle) -> bool {
        self.slots.get(handle).is_some()
    }

    fn weight(&self) -> u64 {
        self.weight
    }

    fn budget(&self) -> u64 {
        self.budget
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.by_use.clear();
        self.weight = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut lru = Lru::new(30);
        let mut evicted = Vec::new();
        for handle in 0..3 {
            lru.insert(handle, 0, 10, &mut evicted);
        }
        lru.touch(0);
        lru.insert(3, 0, 10, &mut evicted);
        assert_eq!(evicted, vec![1]);
        assert!(lru.contains(0) && lru.contains(2) && lru.contains(3));
    }
}
