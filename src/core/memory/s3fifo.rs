//! S3-FIFO (Yang et al., SOSP 2023), weighted by bytes: three FIFO queues instead of a recency list.
//!
//! New keys enter the small queue (10% of the budget). A key that is read again while there moves to
//! the main queue; one that is not (a scan, a one-hit wonder) leaves, and only its hash is kept in the
//! ghost queue so that, if it comes back soon, it goes straight to main. Main is a CLOCK-like FIFO
//! with a 2-bit frequency. The effect: scans cannot flush the hot set, which is where LRU loses.
//!
//! Queues hold `(key, stamp)`; a slot's stamp says which queue entry is current, so removal is O(1)
//! and stale queue entries are skipped (and compacted away when they pile up).

use super::{Key, Policy};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

const MAX_FREQ: u8 = 3;
const SMALL_SHARE: u64 = 10; // percent of the budget

#[derive(Debug, Clone, Copy)]
struct Slot {
    weight: u64,
    stamp: u64,
    freq: u8,
    in_main: bool,
}

#[derive(Debug, Default)]
struct Fifo {
    queue: VecDeque<(Key, u64)>,
    weight: u64,
}

#[derive(Debug)]
pub struct S3Fifo {
    budget: u64,
    small_target: u64,
    slots: HashMap<Key, Slot>,
    small: Fifo,
    main: Fifo,
    /// Hashes and weights of keys recently evicted from `small`, oldest first.
    ghost: VecDeque<(u64, u64)>,
    ghost_index: HashMap<u64, u32>,
    ghost_weight: u64,
    next_stamp: u64,
}

fn hash_key(key: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl S3Fifo {
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            small_target: (budget * SMALL_SHARE / 100).max(1),
            slots: HashMap::new(),
            small: Fifo::default(),
            main: Fifo::default(),
            ghost: VecDeque::new(),
            ghost_index: HashMap::new(),
            ghost_weight: 0,
            next_stamp: 0,
        }
    }

    fn weight_total(&self) -> u64 {
        self.small.weight + self.main.weight
    }

    fn enqueue(&mut self, key: &Key, in_main: bool) {
        self.next_stamp += 1;
        let stamp = self.next_stamp;
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        slot.stamp = stamp;
        slot.in_main = in_main;
        let fifo = if in_main {
            &mut self.main
        } else {
            &mut self.small
        };
        fifo.queue.push_back((key.clone(), stamp));
        fifo.weight += slot.weight;
        Self::compact(fifo, &self.slots);
    }

    /// Drops stale queue entries once they outnumber live ones, keeping memory proportional.
    fn compact(fifo: &mut Fifo, slots: &HashMap<Key, Slot>) {
        if fifo.queue.len() > 64 && fifo.queue.len() > 2 * slots.len() {
            fifo.queue
                .retain(|(key, stamp)| slots.get(key).is_some_and(|s| s.stamp == *stamp));
        }
    }

    /// Pops the oldest live entry of a queue, with its slot, leaving the slot in `slots`.
    fn pop_live(fifo: &mut Fifo, slots: &HashMap<Key, Slot>) -> Option<(Key, Slot)> {
        while let Some((key, stamp)) = fifo.queue.pop_front() {
            if let Some(slot) = slots.get(&key).filter(|s| s.stamp == stamp) {
                fifo.weight -= slot.weight;
                return Some((key, *slot));
            }
        }
        None
    }

    fn remember_ghost(&mut self, key: &str, weight: u64) {
        let hash = hash_key(key);
        self.ghost.push_back((hash, weight));
        *self.ghost_index.entry(hash).or_insert(0) += 1;
        self.ghost_weight += weight;
        while self.ghost_weight > self.budget {
            let Some((old, w)) = self.ghost.pop_front() else {
                break;
            };
            self.forget_ghost_once(old);
            self.ghost_weight -= w;
        }
    }

    fn forget_ghost_once(&mut self, hash: u64) {
        if let Some(count) = self.ghost_index.get_mut(&hash) {
            *count -= 1;
            if *count == 0 {
                self.ghost_index.remove(&hash);
            }
        }
    }

    /// Evicts one key, moving survivors between queues as it goes; false when nothing is left.
    fn evict_one(&mut self, evicted: &mut Vec<Key>) -> bool {
        loop {
            if self.small.weight > self.small_target || self.main.weight == 0 {
                if let Some((key, slot)) = Self::pop_live(&mut self.small, &self.slots) {
                    if slot.freq > 0 {
                        self.set_freq(&key, 0);
                        self.enqueue(&key, true);
                        continue;
                    }
                    self.slots.remove(&key);
                    self.remember_ghost(&key, slot.weight);
                    evicted.push(key);
                    return true;
                }
            }
            let Some((key, slot)) = Self::pop_live(&mut self.main, &self.slots) else {
                return false;
            };
            if slot.freq > 0 {
                self.set_freq(&key, slot.freq - 1);
                self.enqueue(&key, true);
                continue;
            }
            self.slots.remove(&key);
            evicted.push(key);
            return true;
        }
    }

    fn set_freq(&mut self, key: &Key, freq: u8) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.freq = freq;
        }
    }

    /// Removes a key's slot and its weight; its queue entry goes stale.
    fn take(&mut self, key: &str) -> Option<Slot> {
        let slot = self.slots.remove(key)?;
        let fifo = if slot.in_main {
            &mut self.main
        } else {
            &mut self.small
        };
        fifo.weight -= slot.weight;
        Self::compact(fifo, &self.slots);
        Some(slot)
    }
}

impl Policy for S3Fifo {
    fn insert(&mut self, key: &Key, weight: u64, evicted: &mut Vec<Key>) -> bool {
        if weight > self.budget {
            return false;
        }
        // Make room with the key itself out of the way, so it can never be its own victim.
        let (freq, in_main) = match self.take(key) {
            // A new value for a held key keeps its place in the hierarchy; the write counts as a use.
            Some(old) => ((old.freq + 1).min(MAX_FREQ), old.in_main),
            None => {
                let hash = hash_key(key);
                let seen_recently = self.ghost_index.contains_key(&hash);
                if seen_recently {
                    self.forget_ghost_once(hash);
                }
                (0, seen_recently)
            }
        };
        while self.weight_total() + weight > self.budget && self.evict_one(evicted) {}
        self.slots.insert(
            key.clone(),
            Slot {
                weight,
                stamp: 0,
                freq,
                in_main,
            },
        );
        self.enqueue(key, in_main);
        true
    }

    fn touch(&mut self, key: &str) {
        if let Some(slot) = self.slots.get_mut(key) {
            slot.freq = (slot.freq + 1).min(MAX_FREQ);
        }
    }

    fn remove(&mut self, key: &str) -> bool {
        self.take(key).is_some()
    }

    fn contains(&self, key: &str) -> bool {
        self.slots.contains_key(key)
    }

    fn weight(&self) -> u64 {
        self.weight_total()
    }

    fn budget(&self) -> u64 {
        self.budget
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn clear(&mut self) {
        self.slots.clear();
        self.small = Fifo::default();
        self.main = Fifo::default();
        self.ghost.clear();
        self.ghost_index.clear();
        self.ghost_weight = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::memory::Lru;
    use std::rc::Rc;

    fn key(i: u32) -> Key {
        Rc::from(format!("k{i}"))
    }

    /// Hit ratio of `policy` on a trace of (key, weight) where a miss inserts.
    fn hit_ratio(policy: &mut dyn Policy, trace: &[u32]) -> f64 {
        let mut hits = 0;
        let mut evicted = Vec::new();
        for &k in trace {
            let name = format!("k{k}");
            if policy.contains(&name) {
                hits += 1;
                policy.touch(&name);
            } else {
                policy.insert(&key(k), 100, &mut evicted);
            }
        }
        hits as f64 / trace.len() as f64
    }

    #[test]
    fn one_hit_scan_does_not_flush_the_hot_set() {
        // A hot set of 50 keys read over and over, interleaved with a scan over 5,000 cold keys.
        let mut trace = Vec::new();
        let mut cold = 1_000;
        for round in 0..200 {
            for hot in 0..80 {
                trace.push(hot);
                if hot % 2 == round % 2 {
                    trace.push(cold);
                    cold += 1;
                }
            }
        }
        let budget = 100 * 100; // room for 100 entries
        let s3 = hit_ratio(&mut S3Fifo::new(budget), &trace);
        let lru = hit_ratio(&mut Lru::new(budget), &trace);
        assert!(s3 > lru + 0.05, "S3-FIFO {s3:.3} vs LRU {lru:.3}");
    }

    #[test]
    fn a_key_seen_again_soon_after_eviction_goes_to_main() {
        let mut s3 = S3Fifo::new(1_000);
        let mut evicted = Vec::new();
        for i in 0..30 {
            s3.insert(&key(i), 100, &mut evicted);
        }
        // Ten fit; the ghost remembers the last budget's worth of evicted keys.
        assert!(evicted.contains(&key(15)));
        s3.insert(&key(15), 100, &mut evicted);
        assert!(s3.slots[&key(15)].in_main);
        s3.insert(&key(0), 100, &mut evicted);
        assert!(
            !s3.slots[&key(0)].in_main,
            "forgotten by the ghost long ago"
        );
    }

    #[test]
    fn a_large_new_entry_is_not_evicted_by_its_own_insert() {
        let mut s3 = S3Fifo::new(1_000);
        let mut evicted = Vec::new();
        for i in 0..9 {
            s3.insert(&key(i), 100, &mut evicted);
            s3.touch(&format!("k{i}"));
        }
        assert!(s3.insert(&key(99), 900, &mut evicted));
        assert!(s3.contains("k99"));
        assert!(s3.weight() <= 1_000);
        assert!(!evicted.contains(&key(99)));
    }
}
