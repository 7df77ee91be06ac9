//! When a full tier lets a newcomer in: TinyLFU's rule (the newcomer's recent frequency against
//! that of the entries it would push out), with a threshold that adapts to the trace.
//!
//! Two small ghosts remember key hashes: keys refused lately, and keys pushed out lately to admit
//! a newcomer. A refused key that comes back says the filter was too strict (the threshold
//! falls); a displaced one that comes back says it let in the wrong keys (the threshold rises).
//! On a trace whose new keys return soon (a CRM session revisiting companies) the filter opens;
//! on Zipf or a scan it closes. Both ghosts hold about as many keys as the tier holds entries.

use std::collections::{HashMap, VecDeque};

/// How far one returning ghost moves the threshold (a factor of 1 ± STEP).
const STEP: f64 = 0.05;
const MIN_THRESHOLD: f64 = 0.05;
const MAX_THRESHOLD: f64 = 20.0;
/// Ghosts hold at least this many keys, however few entries the tier holds.
const MIN_GHOST: usize = 16;

/// The adaptive admission threshold and the ghosts it learns from.
#[derive(Debug)]
pub struct Admission {
    threshold: f64,
    refused: Ghost,
    displaced: Ghost,
}

impl Default for Admission {
    fn default() -> Self {
        Self {
            threshold: 1.0,
            refused: Ghost::default(),
            displaced: Ghost::default(),
        }
    }
}

impl Admission {
    /// A key not held arrives: learn from whether a ghost remembers it.
    pub fn arrival(&mut self, key_hash: u64) {
        if self.refused.take(key_hash) {
            self.threshold = (self.threshold * (1.0 - STEP)).max(MIN_THRESHOLD);
        }
        if self.displaced.take(key_hash) {
            self.threshold = (self.threshold * (1.0 + STEP)).min(MAX_THRESHOLD);
        }
    }

    /// Whether a newcomer worth `candidate` may push out entries worth `victims` in all.
    pub fn admits(&self, candidate: f64, victims: f64) -> bool {
        candidate >= victims * self.threshold
    }

    /// The newcomer `key_hash` was refused; the tier holds `held` entries.
    pub fn refused(&mut self, key_hash: u64, held: usize) {
        self.refused.remember(key_hash, held.max(MIN_GHOST));
    }

    /// `key_hash` was pushed out for a newcomer; the tier holds `held` entries.
    pub fn displaced(&mut self, key_hash: u64, held: usize) {
        self.displaced.remember(key_hash, held.max(MIN_GHOST));
    }
}

/// A bounded first-in first-out set of key hashes.
#[derive(Debug, Default)]
struct Ghost {
    order: VecDeque<u64>,
    counts: HashMap<u64, u32>,
}

impl Ghost {
    fn remember(&mut self, key_hash: u64, capacity: usize) {
        self.order.push_back(key_hash);
        *self.counts.entry(key_hash).or_insert(0) += 1;
        while self.order.len() > capacity {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(count) = self.counts.get_mut(&old) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(&old);
                }
            }
        }
    }

    /// Whether `key_hash` was remembered; it is forgotten (its queue places age out unread).
    fn take(&mut self, key_hash: u64) -> bool {
        self.counts.remove(&key_hash).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returning_refusals_open_the_filter_and_returning_victims_close_it() {
        let mut admission = Admission::default();
        assert!(admission.admits(1.0, 1.0));
        admission.refused(7, 0);
        admission.arrival(7);
        assert!(admission.admits(0.96, 1.0), "a refused key came back");
        admission.arrival(7);
        assert!(
            !admission.admits(0.94, 1.0),
            "remembered once, learned once"
        );
        for k in 0..3 {
            admission.displaced(k, 0);
            admission.arrival(k);
        }
        assert!(!admission.admits(1.0, 1.0), "three victims came back");
    }

    #[test]
    fn a_ghost_forgets_beyond_its_capacity() {
        let mut admission = Admission::default();
        for k in 0..=MIN_GHOST as u64 {
            admission.refused(k, 0);
        }
        admission.arrival(0);
        assert!(!admission.admits(0.96, 1.0), "key 0 was forgotten");
        admission.arrival(MIN_GHOST as u64);
        assert!(admission.admits(0.96, 1.0));
    }
}
