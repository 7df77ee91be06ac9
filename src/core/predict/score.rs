//! The predictor scoring itself: of the preloads it started (or, in shadow, would have), how many a
//! demand access used, over a recent window; how much of what would have missed they covered; how
//! many bytes they fetched for nothing. Below a precision floor it pauses preloading and goes on
//! guessing in shadow until its guesses are good again.

use std::collections::VecDeque;

/// Preloads the precision is measured over.
pub const WINDOW: usize = 50;
/// A full window below this precision pauses preloading.
pub const PAUSE_BELOW: f32 = 0.3;
/// Paused, shadow guesses at or above this precision resume preloading: above the floor, so that
/// a predictor hovering at it does not flap.
pub const RESUME_AT: f32 = 0.4;
/// Shadow guesses a paused predictor makes before it may resume.
pub const MIN_GUESSES_TO_RESUME: usize = 20;

/// What the scores say.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Guesses made (preloads started, or shadow guesses).
    pub issued: u64,
    /// Of those, used by a demand access.
    pub used: u64,
    /// used / issued over the window, 0 when none.
    pub precision: f64,
    /// Demand accesses served by a guess / demand accesses that would have missed.
    pub coverage: f64,
    /// Bytes preloaded and not read.
    pub wasted_bytes: u64,
}

/// The scores of one predictor.
#[derive(Debug, Default)]
pub struct Scorer {
    /// The latest guesses, oldest first: (id, used).
    window: VecDeque<(u64, bool)>,
    next_id: u64,
    issued: u64,
    used: u64,
    covered: u64,
    uncovered: u64,
    preloaded_bytes: u64,
    used_bytes: u64,
    paused: bool,
}

impl Scorer {
    /// A guess is made; its id names it in `used`.
    pub fn issue(&mut self) -> u64 {
        self.next_id += 1;
        self.issued += 1;
        self.window.push_back((self.next_id, false));
        if self.window.len() > WINDOW {
            self.window.pop_front();
        }
        self.review();
        self.next_id
    }

    /// A demand access used guess `id` (a preload read, or a shadow guess that came true).
    pub fn used(&mut self, id: u64) {
        self.used += 1;
        self.covered += 1;
        if let Some(slot) = self.window.iter_mut().find(|(i, _)| *i == id) {
            slot.1 = true;
        }
        self.review();
    }

    /// A demand access missed, with no guess to serve it.
    pub fn missed(&mut self) {
        self.uncovered += 1;
    }

    /// A demand access was served by a preload nobody guessed (a hint, `prefetch`).
    pub fn covered(&mut self) {
        self.covered += 1;
    }

    /// A guessed preload stored `bytes`.
    pub fn preloaded(&mut self, bytes: u64) {
        self.preloaded_bytes += bytes;
    }

    /// A demand access read `bytes` of a guessed preload.
    pub fn read(&mut self, bytes: u64) {
        self.used_bytes += bytes;
    }

    /// used / issued over the window, 0 when none.
    pub fn precision(&self) -> f64 {
        if self.window.is_empty() {
            return 0.0;
        }
        let used = self.window.iter().filter(|(_, u)| *u).count();
        used as f64 / self.window.len() as f64
    }

    /// Whether precision fell below the floor and has not recovered.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Pauses on a full window below the floor; resumes once enough shadow guesses reach
    /// `RESUME_AT`. Either way the window starts afresh, so each state is judged on its own guesses.
    fn review(&mut self) {
        let precision = self.precision() as f32;
        let turn = if self.paused {
            self.window.len() >= MIN_GUESSES_TO_RESUME && precision >= RESUME_AT
        } else {
            self.window.len() >= WINDOW && precision < PAUSE_BELOW
        };
        if turn {
            self.paused = !self.paused;
            self.window.clear();
        }
    }

    /// The scores now.
    pub fn scores(&self) -> Scores {
        let would_miss = self.covered + self.uncovered;
        Scores {
            issued: self.issued,
            used: self.used,
            precision: self.precision(),
            coverage: if would_miss == 0 {
                0.0
            } else {
                self.covered as f64 / would_miss as f64
            },
            wasted_bytes: self.preloaded_bytes.saturating_sub(self.used_bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_counts_the_window_and_coverage_what_would_have_missed() {
        let mut s = Scorer::default();
        let ids: Vec<u64> = (0..4).map(|_| s.issue()).collect();
        s.used(ids[0]);
        s.used(ids[2]);
        s.missed();
        s.missed();
        s.preloaded(1_000);
        s.read(400);
        let scores = s.scores();
        assert_eq!((scores.issued, scores.used), (4, 2));
        assert!((scores.precision - 0.5).abs() < 1e-9);
        assert!((scores.coverage - 0.5).abs() < 1e-9);
        assert_eq!(scores.wasted_bytes, 600);
        assert_eq!(Scorer::default().scores().precision, 0.0);
    }

    #[test]
    fn a_bad_window_pauses_and_good_shadow_guesses_resume() {
        let mut s = Scorer::default();
        for _ in 0..WINDOW - 1 {
            s.issue();
        }
        assert!(!s.paused(), "a window not yet full never pauses");
        s.issue();
        assert!(s.paused(), "50 unused guesses: precision 0 < {PAUSE_BELOW}");
        // Shadow guesses, all right: after MIN_GUESSES_TO_RESUME it resumes.
        for n in 1..=MIN_GUESSES_TO_RESUME {
            let id = s.issue();
            s.used(id);
            assert_eq!(s.paused(), n < MIN_GUESSES_TO_RESUME, "after {n}");
        }
        // Resumed with a fresh window: one bad guess does not pause again.
        s.issue();
        assert!(!s.paused());
    }

    #[test]
    fn a_middling_predictor_stays_on() {
        let mut s = Scorer::default();
        for i in 0..500 {
            let id = s.issue();
            if i % 3 == 0 {
                s.used(id);
            }
        }
        assert!(!s.paused(), "a third used stays above the floor");
    }
}
