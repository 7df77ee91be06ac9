//! Greedy-Dual-Size-Frequency (Cherkasova 1998) behind an adaptive TinyLFU admission filter,
//! weighted by bytes: the cache's policy in every tier.
//!
//! Each entry's priority is `clock + uses / weight^1.6`: what keeping it is worth per byte (the
//! exponent above 1 favours small entries a little more than plain GDSF, which serves more
//! requests from the same bytes). The lowest priority goes first and the clock rises to the
//! priority of each entry evicted, so an entry unused for a while falls behind newcomers: aging
//! without a recency list. A scan's one-use keys rank below every entry used twice.
//!
//! A newcomer that needs room is offered (`offer`) rather than inserted when the caller can do
//! without it (a memory copy of an entry stored elsewhere): it is let in only if a count-min
//! sketch of recent accesses values it at least as much as the entries it would push out
//! ([`Admission`]). Entries that must be held (`insert`) always are.
//!
//! `touch` is O(1) and writes one slot: it counts the use and marks the entry; the priority is
//! recomputed when the entry reaches the head of the queue (a lazy heap, as CLOCK is a lazy LRU),
//! which is sound because a use only ever raises it. The sketch counts arrivals at once and an
//! entry's uses when it leaves, so it sees every access without a hash per hit. Everything else
//! is O(log n).

use super::admission::Admission;
use super::replacement::Policy;
use super::sketch::FrequencySketch;
use crate::core::policy::slots::Slots;
use crate::core::types::Handle;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Sketch counters per entry held (it grows with the tier).
const SKETCH_PER_ENTRY: usize = 4;
/// The most victims a newcomer is weighed against; beyond them it is judged on these.
const MAX_WEIGHED_VICTIMS: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Slot {
    weight: u64,
    /// `weight^-1.6`, worked out once (a power costs more in wasm than the rest of an insert).
    per_byte: f64,
    key_hash: u64,
    stamp: u64,
    /// Its uses when its priority was computed: fewer than now means it was used since.
    queued_uses: u32,
}

/// Size-aware, frequency-aware replacement with admission (see the module's notes).
#[derive(Debug)]
pub struct Gdsf {
    budget: u64,
    weight: u64,
    slots: Slots<Slot>,
    /// (priority as ordered bits, stamp, handle), lowest first; stale stamps are skipped.
    queue: BinaryHeap<Reverse<(u64, u64, Handle)>>,
    clock: f64,
    /// Uses since each entry came in (a write of a held entry counts as one), by handle: a dense
    /// array that `touch` bumps without loading the slot. A free handle's value is stale and
    /// reset when the handle is held again.
    uses: Vec<u32>,
    sketch: FrequencySketch,
    admission: Admission,
    next_stamp: u64,
}

impl Gdsf {
    /// An empty policy holding at most `budget` bytes.
    pub fn new(budget: u64) -> Self {
        Self {
            budget,
            weight: 0,
            slots: Slots::default(),
            queue: BinaryHeap::new(),
            clock: 0.0,
            uses: Vec::new(),
            sketch: FrequencySketch::new(256),
            admission: Admission::default(),
            next_stamp: 0,
        }
    }

    /// Changes the budget; what no longer fits is evicted as an insert would evict it.
    pub fn set_budget(&mut self, budget: u64, evicted: &mut Vec<Handle>) {
        self.budget = budget;
        while self.weight > self.budget && self.evict_one(evicted) {}
    }

    /// `weight^-1.625`: how much more than linearly a larger weight lowers the priority, made of
    /// square roots (wasm has an instruction for them; `powf` is libm's, 1.5 KB of the wasm).
    fn per_byte(weight: u64) -> f64 {
        let w = weight.max(1) as f64;
        let eighth = w.sqrt().sqrt().sqrt();
        1.0 / (w * w.sqrt() * eighth)
    }

    /// What holding `weight` bytes (`per_byte` its power) of a key accessed `count` times lately
    /// is worth.
    fn worth(count: u32, per_byte: f64, weight: u64) -> f64 {
        f64::from(count) * per_byte * weight as f64
    }

    /// A held entry's recent accesses: those before it came in (the sketch) and its uses since.
    fn frequency(&self, handle: Handle, slot: &Slot) -> u32 {
        u32::from(self.sketch.estimate(slot.key_hash)) + self.uses_of(handle)
    }

    fn uses_of(&self, handle: Handle) -> u32 {
        self.uses.get(handle as usize).copied().unwrap_or(0)
    }

    /// Takes an evicted entry out; its uses go into the sketch, which outlives it.
    fn evict(&mut self, handle: Handle, evicted: &mut Vec<Handle>) -> Option<Slot> {
        let slot = self.take(handle)?;
        self.sketch.add(slot.key_hash, self.uses_of(handle));
        evicted.push(handle);
        Some(slot)
    }

    fn enqueue(&mut self, handle: Handle) {
        let clock = self.clock;
        self.next_stamp += 1;
        let stamp = self.next_stamp;
        let uses = self.uses_of(handle);
        let Some(slot) = self.slots.get_mut(handle) else {
            return;
        };
        slot.stamp = stamp;
        slot.queued_uses = uses;
        let priority = clock + f64::from(uses + 1) * slot.per_byte;
        self.queue
            .push(Reverse((priority.to_bits(), stamp, handle)));
        if self.queue.len() > 64 && self.queue.len() > 2 * self.slots.len() {
            let slots = &self.slots;
            self.queue
                .retain(|&Reverse((_, stamp, handle))| Self::is_current(slots, handle, stamp));
        }
    }

    fn is_current(slots: &Slots<Slot>, handle: Handle, stamp: u64) -> bool {
        slots.get(handle).is_some_and(|s| s.stamp == stamp)
    }

    /// Counts one access of `key_hash`, first growing the sketch if the tier has outgrown it.
    fn count(&mut self, key_hash: u64) {
        let wanted = self.slots.len().saturating_mul(SKETCH_PER_ENTRY);
        if wanted > 2 * self.sketch.width() {
            self.sketch.resize(wanted);
        }
        self.sketch.increment(key_hash);
    }

    fn take(&mut self, handle: Handle) -> Option<Slot> {
        let slot = self.slots.remove(handle)?;
        self.weight -= slot.weight;
        Some(slot)
    }

    /// The lowest-priority entry; stale queue entries are dropped and touched ones requeued
    /// with their new priority on the way.
    fn head(&mut self) -> Option<(f64, Handle)> {
        while let Some(&Reverse((bits, stamp, handle))) = self.queue.peek() {
            match self.slots.get(handle) {
                Some(slot) if slot.stamp == stamp => {
                    if self.uses_of(handle) == slot.queued_uses {
                        return Some((f64::from_bits(bits), handle));
                    }
                    self.queue.pop();
                    self.enqueue(handle);
                }
                _ => {
                    self.queue.pop();
                }
            }
        }
        None
    }

    /// Holds a new entry of `weight` (room made), with `uses` uses so far.
    fn hold(&mut self, handle: Handle, key_hash: u64, weight: u64, uses: u32) {
        let slot = Slot {
            weight,
            per_byte: Self::per_byte(weight),
            key_hash,
            stamp: 0,
            queued_uses: uses,
        };
        let at = handle as usize;
        if at >= self.uses.len() {
            self.uses.resize(at + 1, 0);
        }
        self.uses[at] = uses;
        self.slots.insert(handle, slot);
        self.weight += weight;
        self.enqueue(handle);
    }

    /// A new key arrives (not held): the sketch counts it, the admission filter learns from it.
    fn arrive(&mut self, key_hash: u64) {
        self.admission.arrival(key_hash);
        self.count(key_hash);
    }

    /// The entries that go, lowest priority first, if `need` bytes must be freed: taken off
    /// the queue (the caller puts them back or evicts them), with what the sketch says they
    /// are worth.
    fn victims_for(&mut self, need: u64) -> (Vec<(u64, u64, Handle)>, f64) {
        let mut victims = Vec::new();
        let (mut freed, mut worth) = (0, 0.0);
        while freed < need && victims.len() < MAX_WEIGHED_VICTIMS {
            let Some((priority, handle)) = self.head() else {
                break;
            };
            let Some(Reverse(item)) = self.queue.pop() else {
                break;
            };
            debug_assert_eq!((item.0, item.2), (priority.to_bits(), handle));
            let slot = self.slots.get(handle).copied().expect("head is held");
            freed += slot.weight;
            worth += Self::worth(self.frequency(handle, &slot), slot.per_byte, slot.weight);
            victims.push(item);
        }
        (victims, worth)
    }
}

impl Policy for Gdsf {
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
        let uses = match self.take(handle) {
            Some(_) => {
                self.count(key_hash);
                self.uses_of(handle).saturating_add(1)
            }
            None => {
                self.arrive(key_hash);
                0
            }
        };
        while self.weight + weight > self.budget && self.evict_one(evicted) {}
        self.hold(handle, key_hash, weight, uses);
        true
    }

    fn offer(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        if self.contains(handle) || self.weight + weight <= self.budget || weight > self.budget {
            return self.insert(handle, key_hash, weight, evicted);
        }
        self.arrive(key_hash);
        let (victims, worth) = self.victims_for(self.weight + weight - self.budget);
        let count = u32::from(self.sketch.estimate(key_hash));
        let candidate = Self::worth(count, Self::per_byte(weight), weight);
        if !self.admission.admits(candidate, worth) {
            self.queue.extend(victims.into_iter().map(Reverse));
            self.admission.refused(key_hash, self.slots.len());
            return false;
        }
        for (bits, _, victim) in victims {
            if let Some(slot) = self.evict(victim, evicted) {
                self.clock = self.clock.max(f64::from_bits(bits));
                self.admission.displaced(slot.key_hash, self.slots.len());
            }
        }
        while self.weight + weight > self.budget && self.evict_one(evicted) {}
        self.hold(handle, key_hash, weight, 0);
        true
    }

    /// Cold victims are entries never used since they came in (one-use keys and unread
    /// preloads), lowest priority first; anything used stays. The guess itself is not a use.
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
        let need = (self.weight + weight).saturating_sub(self.budget);
        if need > 0 {
            let (slots, uses) = (&self.slots, &self.uses);
            let mut unused: Vec<(u64, Handle, u64)> = self
                .queue
                .iter()
                .filter_map(|&Reverse((bits, stamp, h))| {
                    let slot = slots.get(h).filter(|s| s.stamp == stamp)?;
                    (uses.get(h as usize) == Some(&0)).then_some((bits, h, slot.weight))
                })
                .collect();
            crate::core::sort::sort(&mut unused);
            let mut freed = 0;
            let mut chosen = Vec::new();
            for (_, victim, w) in unused {
                if freed >= need {
                    break;
                }
                freed += w;
                chosen.push(victim);
            }
            if freed < need {
                return false;
            }
            for victim in chosen {
                self.evict(victim, evicted);
            }
        }
        self.hold(handle, key_hash, weight, 0);
        true
    }

    fn evict_one(&mut self, evicted: &mut Vec<Handle>) -> bool {
        let Some((priority, handle)) = self.head() else {
            return false;
        };
        self.queue.pop();
        self.evict(handle, evicted);
        self.clock = self.clock.max(priority);
        true
    }

    fn touch(&mut self, handle: Handle) {
        if let Some(uses) = self.uses.get_mut(handle as usize) {
            *uses = uses.saturating_add(1);
        }
    }

    fn remove(&mut self, handle: Handle) -> bool {
        self.take(handle).is_some()
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
        self.queue.clear();
        self.uses.clear();
        self.weight = 0;
        self.clock = 0.0;
        self.sketch.clear();
        self.admission = Admission::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::{replay, Lru};

    fn ratio(policy: &mut dyn Policy, trace: &[(u32, u32)]) -> f64 {
        let (keys, sizes): (Vec<u32>, Vec<u32>) = trace.iter().copied().unzip();
        replay(policy, &keys, &sizes) as f64 / trace.len() as f64
    }

    #[test]
    fn one_use_scan_does_not_flush_the_hot_set() {
        // A hot set of 80 keys read over and over, interleaved with a scan over cold keys.
        let mut trace = Vec::new();
        let mut cold = 1_000;
        for round in 0..200 {
            for hot in 0..80 {
                trace.push((hot, 100));
                if hot % 2 == round % 2 {
                    trace.push((cold, 100));
                    cold += 1;
                }
            }
        }
        let budget = 100 * 100; // room for 100 entries
        let ours = ratio(&mut Gdsf::new(budget), &trace);
        let lru = ratio(&mut Lru::new(budget), &trace);
        assert!(
            ours > 0.6 && ours > lru + 0.3,
            "GDSF {ours:.3} vs LRU {lru:.3}"
        );
    }

    #[test]
    fn many_small_entries_outrank_one_large_one_used_as_often() {
        // Twenty 100-byte keys and one 2,000-byte key, each read in turn, in 2,000 bytes: the
        // large one is what goes, so twenty of twenty-one keys hit.
        let mut trace = Vec::new();
        for _ in 0..50 {
            trace.extend((0..20).map(|k| (k, 100)));
            trace.push((99, 2_000));
        }
        let ours = ratio(&mut Gdsf::new(2_000), &trace);
        let lru = ratio(&mut Lru::new(2_000), &trace);
        assert!(ours > 0.9, "GDSF {ours:.3}");
        assert!(lru < 0.01, "LRU thrashes: {lru:.3}");
    }

    /// Ten 100-byte entries filling 1,000 bytes; those in `used` read `uses` times each.
    fn ten_entries(used: std::ops::Range<u32>, uses: usize) -> Gdsf {
        let mut policy = Gdsf::new(1_000);
        for k in 0..10 {
            policy.insert(k, u64::from(k), 100, &mut Vec::new());
        }
        for k in used {
            (0..uses).for_each(|_| policy.touch(k));
        }
        policy
    }

    #[test]
    fn an_offer_that_is_worth_less_than_its_victims_is_refused() {
        let mut policy = ten_entries(0..10, 3);
        let mut evicted = Vec::new();
        // Seen once, it would push out a key used four times.
        assert!(!policy.offer(50, 50, 100, &mut evicted));
        assert!(evicted.is_empty() && policy.len() == 10 && !policy.contains(50));
        // Seen often (as the sketch counts offers too), it is let in.
        let admitted = (0..8).any(|_| policy.offer(50, 50, 100, &mut evicted));
        assert!(admitted && policy.contains(50) && evicted.len() == 1);
        // What must be held is held, whatever it pushes out.
        assert!(policy.insert(60, 60, 500, &mut evicted));
        assert!(policy.contains(60) && policy.weight() <= 1_000);
    }

    #[test]
    fn a_cold_insert_takes_only_unused_entries() {
        // Ten entries fill it; 0..5 are read again (hot), 5..10 are not.
        let mut policy = ten_entries(0..5, 1);
        let mut evicted = Vec::new();
        assert!(policy.insert_cold(50, 50, 200, &mut evicted));
        assert_eq!(evicted.len(), 2);
        assert!(evicted.iter().all(|&k| (5..10).contains(&k)));
        // 700 would need more than every unused entry (three left and the guess 50): refused,
        // and nothing changes; 400 takes the guess (larger, so worth less a byte) and two more.
        evicted.clear();
        assert!(!policy.insert_cold(51, 51, 700, &mut evicted));
        assert!(evicted.is_empty() && policy.len() == 9 && policy.weight() == 1_000);
        assert!(policy.insert_cold(52, 52, 400, &mut evicted));
        assert_eq!(evicted.len(), 3);
        assert!(evicted.contains(&50));
        for hot in 0..5 {
            assert!(policy.contains(hot), "hot entry {hot} stayed");
        }
        assert!(
            !policy.insert_cold(52, 52, 10, &mut evicted),
            "held already"
        );
    }

    #[test]
    fn a_large_new_entry_is_not_evicted_by_its_own_insert() {
        let mut policy = Gdsf::new(1_000);
        let mut evicted = Vec::new();
        for k in 0..9 {
            policy.insert(k, u64::from(k), 100, &mut evicted);
            policy.touch(k);
        }
        assert!(policy.insert(99, 99, 900, &mut evicted));
        assert!(policy.contains(99));
        assert!(policy.weight() <= 1_000);
        assert!(!evicted.contains(&99));
    }

    #[test]
    fn unused_entries_age_out_behind_newcomers() {
        // A key used often long ago loses its place once the clock has passed its priority.
        let mut policy = Gdsf::new(1_000);
        let mut evicted = Vec::new();
        policy.insert(0, 0, 100, &mut evicted);
        for _ in 0..5 {
            policy.touch(0);
        }
        for k in 1..2_000 {
            policy.insert(k, u64::from(k), 100, &mut evicted);
            policy.touch(k);
        }
        assert!(
            !policy.contains(0),
            "stale popularity does not last forever"
        );
    }
}
