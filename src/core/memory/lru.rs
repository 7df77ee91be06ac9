//! Plain least-recently-used, byte-budgeted: the reference the S3-FIFO policy must beat.

use super::{Key, Policy};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug)]
pub struct Lru {
    budget: u64,
    weight: u64,
    tick: u64,
    /// key -> (last use, weight)
    slots: HashMap<Key, (u64, u64)>,
    by_use: BTreeMap<u64, Key>,
}

impl Lru {
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            weight: 0,
            tick: 0,
            slots: HashMap::new(),
            by_use: BTreeMap::new(),
        }
    }

    fn bump(&mut self, key: &Key) -> u64 {
        self.tick += 1;
        self.by_use.insert(self.tick, key.clone());
        self.tick
    }
}

impl Policy for Lru {
    fn insert(&mut self, key: &Key, weight: u64, evicted: &mut Vec<Key>) -> bool {
        if weight > self.budget {
            return false;
        }
        if let Some((used, old)) = self.slots.remove(key) {
            self.by_use.remove(&used);
            self.weight -= old;
        }
        while self.weight + weight > self.budget {
            let Some((_, victim)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((_, w)) = self.slots.remove(&victim) {
                self.weight -= w;
            }
            evicted.push(victim);
        }
        let used = self.bump(key);
        self.slots.insert(key.clone(), (used, weight));
        self.weight += weight;
        true
    }

    fn touch(&mut self, key: &str) {
        let Some((shared, &(used, weight))) = self.slots.get_key_value(key) else {
            return;
        };
        let shared = shared.clone();
        self.by_use.remove(&used);
        let used = self.bump(&shared);
        self.slots.insert(shared, (used, weight));
    }

    fn remove(&mut self, key: &str) -> bool {
        let Some((used, weight)) = self.slots.remove(key) else {
            return false;
        };
        self.by_use.remove(&used);
        self.weight -= weight;
        true
    }

    fn contains(&self, key: &str) -> bool {
        self.slots.contains_key(key)
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
    use std::rc::Rc;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut lru = Lru::new(30);
        let keys: Vec<Key> = ["a", "b", "c", "d"].iter().map(|k| Rc::from(*k)).collect();
        let mut evicted = Vec::new();
        for key in &keys[..3] {
            lru.insert(key, 10, &mut evicted);
        }
        lru.touch("a");
        lru.insert(&keys[3], 10, &mut evicted);
        assert_eq!(evicted, vec![keys[1].clone()]);
        assert!(lru.contains("a") && lru.contains("c") && lru.contains("d"));
    }
}
