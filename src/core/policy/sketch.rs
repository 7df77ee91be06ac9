//! A count-min sketch of access frequencies with aging (TinyLFU, Einziger et al. 2017): four
//! 4-bit counters a key, the estimate is their minimum, and every counter is halved once the
//! increments reach ten times the width, so that old popularity fades.

const DEPTH: usize = 4;
const MAX_COUNT: u8 = 15;
const SAMPLE_FACTOR: usize = 10;
const SEEDS: [u64; DEPTH] = [
    0x9E37_79B9_7F4A_7C15,
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0x85EB_CA77_C2B2_AE63,
];

/// Approximate access counts by key hash, over a recent window.
#[derive(Debug)]
pub struct FrequencySketch {
    counters: Vec<u8>,
    mask: usize,
    increments: usize,
}

impl FrequencySketch {
    /// A sketch for about `keys` keys (rounded up to a power of two, at least 64).
    pub fn new(keys: usize) -> Self {
        let width = keys.max(64).next_power_of_two();
        Self {
            counters: vec![0; width * DEPTH],
            mask: width - 1,
            increments: 0,
        }
    }

    /// How many keys it is sized for.
    pub fn width(&self) -> usize {
        self.mask + 1
    }

    fn slot(&self, key_hash: u64, row: usize) -> usize {
        let mixed = (key_hash ^ SEEDS[row]).wrapping_mul(SEEDS[(row + 1) % DEPTH]);
        row * self.width() + ((mixed >> 32) as usize & self.mask)
    }

    /// The estimated count of `key_hash` (never below the truth within the window, up to 15).
    pub fn estimate(&self, key_hash: u64) -> u8 {
        (0..DEPTH)
            .map(|row| self.counters[self.slot(key_hash, row)])
            .min()
            .unwrap_or(0)
    }

    /// Counts one access of `key_hash`.
    pub fn increment(&mut self, key_hash: u64) {
        self.add(key_hash, 1);
    }

    /// Counts `n` accesses of `key_hash` (up to the cap).
    pub fn add(&mut self, key_hash: u64, n: u32) {
        let slots: [usize; DEPTH] = std::array::from_fn(|row| self.slot(key_hash, row));
        let least = slots.iter().map(|&s| self.counters[s]).min().unwrap_or(0);
        let raised = (u32::from(least) + n).min(u32::from(MAX_COUNT)) as u8;
        if raised == least {
            return;
        }
        // Conservative update: only the counters below the new estimate grow, to it.
        for s in slots {
            self.counters[s] = self.counters[s].max(raised);
        }
        self.increments += usize::from(raised - least);
        if self.increments >= SAMPLE_FACTOR * self.width() {
            self.age();
        }
    }

    /// Halves every count.
    fn age(&mut self) {
        for c in &mut self.counters {
            *c >>= 1;
        }
        self.increments /= 2;
    }

    /// Resizes for about `keys` keys, forgetting every count.
    pub fn resize(&mut self, keys: usize) {
        *self = Self::new(keys);
    }

    /// Forgets every count.
    pub fn clear(&mut self) {
        self.counters.fill(0);
        self.increments = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_never_underestimated_and_halve_with_age() {
        let mut sketch = FrequencySketch::new(64);
        let hash = |k: u64| k.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        for k in 0..40u64 {
            for _ in 0..(k % 8) {
                sketch.increment(hash(k));
            }
        }
        for k in 0..40u64 {
            assert!(sketch.estimate(hash(k)) >= (k % 8) as u8, "key {k}");
        }
        for _ in 0..20 {
            sketch.increment(hash(999));
        }
        assert_eq!(sketch.estimate(hash(999)), MAX_COUNT, "capped");
        // Ten increments per counter column age the whole sketch: the cap halves.
        let mut k = 1_000;
        while sketch.estimate(hash(999)) == MAX_COUNT {
            sketch.increment(hash(k));
            k += 1;
        }
        assert_eq!(sketch.estimate(hash(999)), MAX_COUNT / 2);
        assert!(k - 1_000 <= (SAMPLE_FACTOR * sketch.width()) as u64);
    }
}
