//! S3-FIFO (Yang et al., SOSP 2023), weighted by bytes: three FIFO queues instead of a recency list.
//!
//! New entries enter the small queue (10% of the budget). One that is read again while there moves
//! to the main queue; one that is not (a scan, a one-hit wonder) leaves, and only its key's hash is
//! kept in the ghost queue so that, if it comes back soon, it goes straight to main. Main is a
//! CLOCK-like FIFO with a 2-bit frequency. The effect: scans cannot flush the hot set, which is
//! where LRU loses.
//!
//! Queues hold `(handle, stamp)`; a slot's stamp says which queue entry is current, so removal is
//! O(1) and stale queue entries are skipped (and compacted away when they pile up).

use super::replacement::Policy;
use crate::core::policy::slots::Slots;
use crate::core::types::Handle;
use std::collections::{HashMap, VecDeque};

const MAX_FREQ: u8 = 3;
const SMALL_SHARE: u64 = 10; // percent of the budget

#[derive(Debug, Clone, Copy)]
struct Slot {
    weight: u64,
    stamp: u64,
    key_hash: u64,
    in_main: bool,
}

#[derive(Debug, Default)]
struct Fifo {
    queue: VecDeque<(Handle, u64)>,
    weight: u64,
}

/// S3-FIFO: small, main and ghost FIFO queues (the cache's policy in every tier).
#[derive(Debug)]
pub struct S3Fifo {
    budget: u64,
    small_target: u64,
    slots: Slots<Slot>,
    /// Access frequencies (0..=3) by handle, apart from the slots: a dense array that `touch`
    /// updates without loading the slot. A free handle's value is stale and reset on insert.
    freqs: Vec<u8>,
    small: Fifo,
    main: Fifo,
    /// Key hashes and weights of entries recently evicted from `small`, oldest first.
    ghost: VecDeque<(u64, u64)>,
    ghost_index: HashMap<u64, u32>,
    ghost_weight: u64,
    next_stamp: u64,
}

impl S3Fifo {
    /// An empty policy holding at most `budget` bytes.
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            small_target: (budget * SMALL_SHARE / 100).max(1),
            slots: Slots::default(),
            freqs: Vec::new(),
            small: Fifo::default(),
            main: Fifo::default(),
            ghost: VecDeque::new(),
            ghost_index: HashMap::new(),
            ghost_weight: 0,
            next_stamp: 0,
        }
    }

    /// Changes the budget; what no longer fits is evicted as an insert would evict it.
    pub fn set_budget(&mut self, budget: u64, evicted: &mut Vec<Handle>) {
        self.budget = budget;
        self.small_target = (budget * SMALL_SHARE / 100).max(1);
        while self.weight_total() > self.budget && self.evict_one(evicted) {}
    }

    fn weight_total(&self) -> u64 {
        self.small.weight + self.main.weight
    }

    fn enqueue(&mut self, handle: Handle, in_main: bool) {
        self.next_stamp += 1;
        let stamp = self.next_stamp;
        let Some(slot) = self.slots.get_mut(handle) else {
            return;
        };
        slot.stamp = stamp;
        slot.in_main = in_main;
        let fifo = if in_main {
            &mut self.main
        } else {
            &mut self.small
        };
        fifo.queue.push_back((handle, stamp));
        fifo.weight += slot.weight;
        Self::compact(fifo, &self.slots);
    }

    fn is_current(slots: &Slots<Slot>, handle: Handle, stamp: u64) -> bool {
        slots.get(handle).is_some_and(|s| s.stamp == stamp)
    }

    /// Drops stale queue entries once they outnumber live ones, keeping memory proportional.
    fn compact(fifo: &mut Fifo, slots: &Slots<Slot>) {
        if fifo.queue.len() > 64 && fifo.queue.len() > 2 * slots.len() {
            fifo.queue
                .retain(|&(handle, stamp)| Self::is_current(slots, handle, stamp));
        }
    }

    /// Pops the oldest live entry of a queue, with its slot, leaving the slot in `slots`.
    fn pop_live(fifo: &mut Fifo, slots: &Slots<Slot>) -> Option<(Handle, Slot)> {
        while let Some((handle, stamp)) = fifo.queue.pop_front() {
            if let Some(slot) = slots.get(handle).filter(|s| s.stamp == stamp) {
                fifo.weight -= slot.weight;
                return Some((handle, *slot));
            }
        }
        None
    }

    fn remember_ghost(&mut self, key_hash: u64, weight: u64) {
        self.ghost.push_back((key_hash, weight));
        *self.ghost_index.entry(key_hash).or_insert(0) += 1;
        self.ghost_weight += weight;
        while self.ghost_weight > self.budget {
            let Some((old, w)) = self.ghost.pop_front() else {
                break;
            };
            self.forget_ghost_once(old);
            self.ghost_weight -= w;
        }
    }

    fn forget_ghost_once(&mut self, key_hash: u64) {
        if let Some(count) = self.ghost_index.get_mut(&key_hash) {
            *count -= 1;
            if *count == 0 {
                self.ghost_index.remove(&key_hash);
            }
        }
    }

    fn freq(&self, handle: Handle) -> u8 {
        self.freqs.get(handle as usize).copied().unwrap_or(0)
    }

    fn set_freq(&mut self, handle: Handle, freq: u8) {
        let at = handle as usize;
        if at >= self.freqs.len() {
            self.freqs.resize(at + 1, 0);
        }
        self.freqs[at] = freq;
    }

    /// Removes a slot and its weight; its queue entry goes stale.
    fn take(&mut self, handle: Handle) -> Option<Slot> {
        let slot = self.slots.remove(handle)?;
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
    fn insert(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        if weight > self.budget {
            return false;
        }
        // Make room with the entry itself out of the way, so it can never be its own victim.
        let (freq, in_main) = match self.take(handle) {
            // A new value for a held entry keeps its place in the hierarchy; the write counts as a use.
            Some(old) => ((self.freq(handle) + 1).min(MAX_FREQ), old.in_main),
            None => {
                let seen_recently = self.ghost_index.contains_key(&key_hash);
                if seen_recently {
                    self.forget_ghost_once(key_hash);
                }
                (0, seen_recently)
            }
        };
        while self.weight_total() + weight > self.budget && self.evict_one(evicted) {}
        let slot = Slot {
            weight,
            stamp: 0,
            key_hash,
            in_main,
        };
        self.set_freq(handle, freq);
        self.slots.insert(handle, slot);
        self.enqueue(handle, in_main);
        true
    }

    /// Cold victims are the small queue's entries not read since they came in (one-hit wonders
    /// and unread preloads), oldest first; the main queue and anything read again stay.
    fn insert_cold(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        if self.contains(handle) || weight > self.budget {
            return false;
        }
        let need = (self.weight_total() + weight).saturating_sub(self.budget);
        let mut victims = Vec::new();
        let mut freed = 0;
        for &(victim, stamp) in &self.small.queue {
            if freed >= need {
                break;
            }
            if Self::is_current(&self.slots, victim, stamp) && self.freq(victim) == 0 {
                freed += self.slots.get(victim).map_or(0, |s| s.weight);
                victims.push(victim);
            }
        }
        if freed < need {
            return false;
        }
        for victim in victims {
            if let Some(slot) = self.take(victim) {
                self.remember_ghost(slot.key_hash, slot.weight);
                evicted.push(victim);
            }
        }
        // The room is made. It enters the small queue unread, even when the ghost remembers its
        // key: a guess has not earned the main queue.
        self.set_freq(handle, 0);
        let slot = Slot {
            weight,
            stamp: 0,
            key_hash,
            in_main: false,
        };
        self.slots.insert(handle, slot);
        self.enqueue(handle, false);
        true
    }

    /// Moves survivors between queues as it goes.
    fn evict_one(&mut self, evicted: &mut Vec<Handle>) -> bool {
        loop {
            if self.small.weight > self.small_target || self.main.weight == 0 {
                if let Some((handle, slot)) = Self::pop_live(&mut self.small, &self.slots) {
                    if self.freq(handle) > 0 {
                        self.set_freq(handle, 0);
                        self.enqueue(handle, true);
                        continue;
                    }
                    self.slots.remove(handle);
                    self.remember_ghost(slot.key_hash, slot.weight);
                    evicted.push(handle);
                    return true;
                }
            }
            let Some((handle, _)) = Self::pop_live(&mut self.main, &self.slots) else {
                return false;
            };
            let freq = self.freq(handle);
            if freq > 0 {
                self.set_freq(handle, freq - 1);
                self.enqueue(handle, true);
                continue;
            }
            self.slots.remove(handle);
            evicted.push(handle);
            return true;
        }
    }

    fn touch(&mut self, handle: Handle) {
        if let Some(freq) = self.freqs.get_mut(handle as usize) {
            *freq = (*freq + 1).min(MAX_FREQ);
        }
    }

    fn remove(&mut self, handle: Handle) -> bool {
        self.take(handle).is_some()
    }

    fn contains(&self, handle: Handle) -> bool {
        self.slots.get(handle).is_some()
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
        self.freqs.clear();
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
    use crate::core::policy::Lru;

    /// Hit ratio of `policy` on a trace of keys (handle = key) where a miss inserts 100 bytes.
    fn hit_ratio(policy: &mut dyn Policy, trace: &[u32]) -> f64 {
        let mut hits = 0;
        let mut evicted = Vec::new();
        for &k in trace {
            if policy.contains(k) {
                hits += 1;
                policy.touch(k);
            } else {
                policy.insert(k, u64::from(k), 100, &mut evicted);
            }
        }
        hits as f64 / trace.len() as f64
    }

    #[test]
    fn one_hit_scan_does_not_flush_the_hot_set() {
        // A hot set of 80 keys read over and over, interleaved with a scan over cold keys.
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
    fn a_cold_insert_takes_only_unread_small_entries() {
        let mut s3 = S3Fifo::new(1_000);
        let mut evicted = Vec::new();
        // Ten entries fill it; 0..5 are read again (hot), 5..10 are not.
        for k in 0..10 {
            s3.insert(k, u64::from(k), 100, &mut evicted);
        }
        for k in 0..5 {
            s3.touch(k);
        }
        assert!(s3.insert_cold(50, 50, 200, &mut evicted));
        assert_eq!(evicted, [5, 6], "the oldest unread ones, no more");
        assert!(!s3.slots.get(50).unwrap().in_main);
        // 700 would need more than every unread entry (7, 8, 9 and the guess 50): refused, and
        // nothing changes; 300 takes the three oldest unread ones.
        evicted.clear();
        assert!(!s3.insert_cold(51, 51, 700, &mut evicted));
        assert!(evicted.is_empty() && s3.len() == 9 && s3.weight() == 1_000);
        assert!(s3.insert_cold(52, 52, 300, &mut evicted));
        assert_eq!(evicted, [7, 8, 9]);
        for hot in 0..5 {
            assert!(s3.contains(hot), "hot entry {hot} stayed");
        }
        assert!(!s3.insert_cold(52, 52, 10, &mut evicted), "held already");
    }

    #[test]
    fn a_key_seen_again_soon_after_eviction_goes_to_main() {
        let mut s3 = S3Fifo::new(1_000);
        let mut evicted = Vec::new();
        for k in 0..30 {
            s3.insert(k, u64::from(k), 100, &mut evicted);
        }
        // Ten fit; the ghost remembers the last budget's worth of evicted keys, by key hash,
        // whatever handle the key comes back under.
        assert!(evicted.contains(&15));
        s3.insert(115, 15, 100, &mut evicted);
        assert!(s3.slots.get(115).unwrap().in_main);
        s3.insert(100, 0, 100, &mut evicted);
        assert!(
            !s3.slots.get(100).unwrap().in_main,
            "forgotten by the ghost long ago"
        );
    }

    #[test]
    fn a_large_new_entry_is_not_evicted_by_its_own_insert() {
        let mut s3 = S3Fifo::new(1_000);
        let mut evicted = Vec::new();
        for k in 0..9 {
            s3.insert(k, u64::from(k), 100, &mut evicted);
            s3.touch(k);
        }
        assert!(s3.insert(99, 99, 900, &mut evicted));
        assert!(s3.contains(99));
        assert!(s3.weight() <= 1_000);
        assert!(!evicted.contains(&99));
    }
}
