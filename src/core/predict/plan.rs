//! When to preload, and what: the predictor between the model and the loads. It feeds the model
//! demand accesses, keeps the hints the app gives, and, when the page is idle, picks what to load
//! within the options' limits (probability threshold by connection, per trigger, in flight, bytes
//! per minute). In shadow, or paused by its scores, it only notes what it would have loaded.

use super::model::Model;
use super::score::{Scorer, Scores};
use crate::core::plain::{Fields, Plain, ToPlain};
use std::collections::VecDeque;
use std::rc::Rc;

/// What `predict` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Learn, score and preload.
    On,
    /// Learn and score; load nothing.
    Shadow,
    /// Nothing: no learning, no model kept.
    #[default]
    Off,
}

/// Least probability for a preload, unless the options say otherwise.
pub const DEFAULT_THRESHOLD: f32 = 0.3;
/// Preloads one demand access may start.
pub const DEFAULT_MAX_PER_TRIGGER: u32 = 2;
/// Preloads in flight at once.
pub const DEFAULT_MAX_CONCURRENT: u32 = 2;
/// Preloaded bytes per minute: about a dozen company pages of the demo CRM.
pub const DEFAULT_BYTES_PER_MINUTE: u64 = 4 * 1024 * 1024;
/// On a 3G connection a preload needs at least this probability.
pub const THRESHOLD_3G: f32 = 0.5;
/// On 2G it needs this much: a wrong guess costs the user seconds.
pub const THRESHOLD_2G: f32 = 0.8;
/// Hints remembered until they can be loaded; older ones give way.
const MAX_HINTS: usize = 16;
/// Demand accesses a shadow guess waits to come true.
pub const SHADOW_HORIZON: u32 = 16;
/// The window of `bytes_per_minute`.
const MINUTE_MS: u64 = 60_000;

/// `PredictOptions`, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictConfig {
    /// What is asked for.
    pub mode: Mode,
    /// Least probability for a preload.
    pub threshold: f32,
    /// Preloads one demand access may start.
    pub max_per_trigger: u32,
    /// Preloads in flight at once.
    pub max_concurrent: u32,
    /// Preloaded bytes per minute, at most.
    pub bytes_per_minute: u64,
}

impl Default for PredictConfig {
    fn default() -> Self {
        PredictConfig {
            mode: Mode::Off,
            threshold: DEFAULT_THRESHOLD,
            max_per_trigger: DEFAULT_MAX_PER_TRIGGER,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            bytes_per_minute: DEFAULT_BYTES_PER_MINUTE,
        }
    }
}

/// The page's circumstances, as the browser tells them (`navigator.connection`, visibility).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Surroundings {
    /// `navigator.connection.effectiveType`: '4g', '3g', '2g', 'slow-2g', or none (unknown).
    pub effective_type: Option<String>,
    /// `navigator.connection.saveData`.
    pub save_data: bool,
    /// The document is hidden.
    pub hidden: bool,
    /// `navigator.onLine` is false.
    pub offline: bool,
}

impl Surroundings {
    /// The least probability a preload needs here, or None when nothing may be preloaded.
    pub fn threshold(&self, asked: f32) -> Option<f32> {
        if self.save_data || self.hidden || self.offline {
            return None;
        }
        Some(match self.effective_type.as_deref() {
            Some("3g") => asked.max(THRESHOLD_3G),
            Some("2g" | "slow-2g") => asked.max(THRESHOLD_2G),
            _ => asked,
        })
    }
}

/// Why a preload starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The model guessed it.
    Predicted,
    /// The app hinted at it (hover, focus).
    Hint,
    /// The app asked for it (`prefetch`).
    Manual,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 3] = [Reason::Predicted, Reason::Hint, Reason::Manual];

    /// The reason the `prefetch` event names `name`, if any.
    pub fn named(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// As the `prefetch` event names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Predicted => "predicted",
            Reason::Hint => "hint",
            Reason::Manual => "manual",
        }
    }
}

/// A preload to start now (as the face reads it: `{ key, probability, reason, guess? }`).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Its key.
    pub key: String,
    /// The model's probability for it (1 for hints).
    pub probability: f32,
    /// Why.
    pub reason: Reason,
    /// The scorer's id of the guess (predicted preloads only).
    pub guess: Option<u64>,
}

impl ToPlain for Reason {
    fn to_plain(&self) -> Plain {
        Plain::Name(self.as_str())
    }
}

impl ToPlain for Planned {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("key", &self.key)
            .with("probability", &self.probability)
            .with("reason", &self.reason)
            .maybe("guess", &self.guess)
            .done()
    }
}

#[derive(Debug)]
struct ShadowGuess {
    key: Rc<str>,
    id: u64,
    left: u32,
}

/// What the engine knows that the plan needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    /// Preloads in flight.
    pub preloads: u32,
    /// Demand loads in flight: predictions wait for them.
    pub demand: u32,
}

/// The predictor of one cache.
#[derive(Debug, Default)]
pub struct Predictor {
    config: PredictConfig,
    model: Model,
    scorer: Scorer,
    shadow: VecDeque<ShadowGuess>,
    /// Guesses the latest demand access may still start.
    trigger_left: u32,
    hints: VecDeque<String>,
    /// (when, bytes) of the preloads stored in the last minute.
    spent: VecDeque<(u64, u64)>,
    /// Prefixes with a registered loader: only their keys can be preloaded.
    loader_prefixes: Vec<String>,
    /// Learned something since the model was last saved.
    dirty: bool,
}

impl Predictor {
    /// A predictor with nothing learned.
    pub fn new(config: PredictConfig) -> Self {
        Predictor {
            config,
            ..Default::default()
        }
    }

    /// Whether it learns at all.
    pub fn learns(&self) -> bool {
        self.config.mode != Mode::Off
    }

    /// What it learned, to be saved.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Takes a saved model in place of what it knows.
    pub fn adopt(&mut self, model: Model) {
        self.model = model;
    }

    /// Whether it learned since `saved` was last called.
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// The model was saved.
    pub fn saved(&mut self) {
        self.dirty = false;
    }

    /// The prefixes that have a registered loader.
    pub fn set_loader_prefixes(&mut self, prefixes: Vec<String>) {
        self.loader_prefixes = prefixes;
    }

    /// Whether `key` has a registered loader.
    pub fn has_loader(&self, key: &str) -> bool {
        self.loader_prefixes.iter().any(|p| key.starts_with(p))
    }

    /// A demand access. Returns whether a shadow guess foresaw it (it counts as covered then).
    pub fn observe(&mut self, key: &str, now: u64) -> bool {
        if !self.learns() {
            return false;
        }
        if !self.model.observe(key, now) {
            return false;
        }
        self.dirty = true;
        self.trigger_left = self.config.max_per_trigger;
        let mut foreseen = false;
        let scorer = &mut self.scorer;
        self.shadow.retain_mut(|guess| {
            if *guess.key == *key {
                scorer.used(guess.id);
                foreseen = true;
                return false;
            }
            guess.left -= 1;
            guess.left > 0
        });
        foreseen
    }

    /// A demand access missed and no guess is on its way to serve it.
    pub fn missed(&mut self) {
        if self.learns() {
            self.scorer.missed();
        }
    }

    /// A demand access used a preload: a guess (`Some(id)`, with its bytes) or a hint or
    /// `prefetch` (None).
    pub fn preload_used(&mut self, guess: Option<u64>, bytes: u64) {
        match guess {
            Some(id) => {
                self.scorer.used(id);
                self.scorer.read(bytes);
            }
            None if self.learns() => self.scorer.covered(),
            None => {}
        }
    }

    /// A preload stored `bytes` at `now` (`guess`: it was the model's).
    pub fn preloaded(&mut self, guess: bool, bytes: u64, now: u64) {
        self.spent.push_back((now, bytes));
        if guess {
            self.scorer.preloaded(bytes);
        }
    }

    /// The app hints at `key`: it goes ahead of the guesses.
    pub fn hint(&mut self, key: &str) {
        if self.hints.iter().any(|k| k == key) {
            return;
        }
        if self.hints.len() == MAX_HINTS {
            self.hints.pop_front();
        }
        self.hints.push_back(key.to_string());
    }

    fn spent_in_last_minute(&mut self, now: u64) -> u64 {
        while self
            .spent
            .front()
            .is_some_and(|(at, _)| now.saturating_sub(*at) >= MINUTE_MS)
        {
            self.spent.pop_front();
        }
        self.spent.iter().map(|(_, b)| b).sum()
    }

    /// What to start now: hints first, then guesses for the latest demand access. `needs_load`
    /// says whether a key lacks a fresh copy and is not being loaded.
    pub fn plan(
        &mut self,
        around: &Surroundings,
        now: u64,
        load: Load,
        needs_load: impl Fn(&str) -> bool,
    ) -> Vec<Planned> {
        let mut out = Vec::new();
        let Some(threshold) = around.threshold(self.config.threshold) else {
            return out;
        };
        let mut slots = self.config.max_concurrent.saturating_sub(load.preloads);
        while slots > 0 {
            let Some(key) = self.hints.pop_front() else {
                break;
            };
            if self.has_loader(&key) && needs_load(&key) {
                out.push(Planned {
                    key,
                    probability: 1.0,
                    reason: Reason::Hint,
                    guess: None,
                });
                slots -= 1;
            }
        }
        if !self.learns() || load.demand > 0 || self.trigger_left == 0 {
            return out;
        }
        let shadow = self.config.mode == Mode::Shadow || self.scorer.paused();
        if !shadow && (slots == 0 || self.spent_in_last_minute(now) >= self.config.bytes_per_minute)
        {
            return out;
        }
        for prediction in self.model.predict() {
            if self.trigger_left == 0 || prediction.probability < threshold {
                break;
            }
            let key = prediction.key;
            if !self.has_loader(&key) || !needs_load(&key) {
                continue;
            }
            if shadow {
                if self.shadow.iter().any(|g| *g.key == *key) {
                    continue;
                }
                let id = self.scorer.issue();
                self.shadow.push_back(ShadowGuess {
                    key: Rc::from(key.as_str()),
                    id,
                    left: SHADOW_HORIZON,
                });
            } else {
                if slots == 0 {
                    break;
                }
                slots -= 1;
                let id = self.scorer.issue();
                out.push(Planned {
                    key,
                    probability: prediction.probability,
                    reason: Reason::Predicted,
                    guess: Some(id),
                });
            }
            self.trigger_left -= 1;
        }
        out
    }

    /// The mode as `PredictStats` names it.
    pub fn mode_name(&self) -> &'static str {
        match self.config.mode {
            Mode::Off => "off",
            Mode::Shadow => "shadow",
            Mode::On if self.scorer.paused() => "paused",
            Mode::On => "on",
        }
    }

    /// The scores now.
    pub fn scores(&self) -> Scores {
        self.scorer.scores()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> Predictor {
        let mut p = Predictor::new(PredictConfig {
            mode: Mode::On,
            ..Default::default()
        });
        p.set_loader_prefixes(vec!["company:".into(), "payments:".into()]);
        p
    }

    /// Visits company `id` then its payments, a second apart.
    fn visit(p: &mut Predictor, now: &mut u64, id: u32) {
        for key in [format!("company:{id}"), format!("payments:company:{id}")] {
            *now += 1_000;
            p.observe(&key, *now);
        }
    }

    fn keys(plan: &[Planned]) -> Vec<&str> {
        plan.iter().map(|p| p.key.as_str()).collect()
    }

    #[test]
    fn guesses_come_once_per_trigger_within_the_slots_and_after_demand_loads() {
        let mut p = on();
        let mut now = 0;
        for id in 1..4 {
            visit(&mut p, &mut now, id);
        }
        p.observe("company:9", now + 1_000);
        let fresh = |_: &str| true;
        let busy = Load {
            preloads: 0,
            demand: 1,
        };
        assert!(p
            .plan(&Surroundings::default(), now, busy, fresh)
            .is_empty());
        let plan = p.plan(&Surroundings::default(), now, Load::default(), fresh);
        assert_eq!(keys(&plan), ["payments:company:9"]);
        assert_eq!(plan[0].reason, Reason::Predicted);
        // The same trigger guesses nothing else (its guess is loading now).
        let loading = |k: &str| k != "payments:company:9";
        assert!(p
            .plan(&Surroundings::default(), now, Load::default(), loading)
            .is_empty());
        // A key with a fresh copy, or without a loader, is never guessed.
        p.observe("company:10", now + 2_000);
        let cached = |k: &str| k != "payments:company:10";
        assert!(p
            .plan(&Surroundings::default(), now, Load::default(), cached)
            .is_empty());
        p.set_loader_prefixes(vec!["company:".into()]);
        p.observe("company:11", now + 3_000);
        assert!(p
            .plan(&Surroundings::default(), now, Load::default(), fresh)
            .is_empty());
    }

    #[test]
    fn slots_bytes_and_surroundings_hold_guesses_back() {
        let mut p = on();
        let mut now = 0;
        for id in 1..4 {
            visit(&mut p, &mut now, id);
        }
        let fresh = |_: &str| true;
        p.observe("company:20", now);
        let full = Load {
            preloads: DEFAULT_MAX_CONCURRENT,
            demand: 0,
        };
        assert!(p
            .plan(&Surroundings::default(), now, full, fresh)
            .is_empty());
        // Once a slot frees, the same trigger may still start its guess.
        assert_eq!(
            p.plan(&Surroundings::default(), now, Load::default(), fresh)
                .len(),
            1
        );
        p.preloaded(true, DEFAULT_BYTES_PER_MINUTE, now);
        p.observe("company:21", now + 1);
        assert!(
            p.plan(&Surroundings::default(), now + 1, Load::default(), fresh)
                .is_empty(),
            "the minute's bytes are spent"
        );
        assert_eq!(
            p.plan(
                &Surroundings::default(),
                now + MINUTE_MS,
                Load::default(),
                fresh
            )
            .len(),
            1,
            "a minute later they are not"
        );
        for around in [
            Surroundings {
                save_data: true,
                ..Default::default()
            },
            Surroundings {
                hidden: true,
                ..Default::default()
            },
            Surroundings {
                offline: true,
                ..Default::default()
            },
        ] {
            p.observe(&format!("company:{}", now), now);
            now += 1;
            p.hint("company:77");
            assert!(p.plan(&around, now, Load::default(), fresh).is_empty());
        }
        let slow = Surroundings {
            effective_type: Some("2g".into()),
            ..Default::default()
        };
        assert_eq!(slow.threshold(0.3), Some(THRESHOLD_2G));
        assert_eq!(
            Surroundings {
                effective_type: Some("3g".into()),
                ..Default::default()
            }
            .threshold(0.9),
            Some(0.9)
        );
    }

    #[test]
    fn hints_go_first_even_with_prediction_off() {
        let mut p = Predictor::new(PredictConfig::default());
        p.set_loader_prefixes(vec!["company:".into()]);
        p.hint("company:1");
        p.hint("company:1");
        p.hint("other:1");
        p.hint("company:2");
        p.hint("company:3");
        let plan = p.plan(
            &Surroundings::default(),
            0,
            Load {
                preloads: 0,
                demand: 3,
            },
            |_| true,
        );
        assert_eq!(keys(&plan), ["company:1", "company:2"], "two slots");
        assert!(plan.iter().all(|p| p.reason == Reason::Hint));
        let plan = p.plan(&Surroundings::default(), 0, Load::default(), |_| true);
        assert_eq!(keys(&plan), ["company:3"]);
        // Off: nothing learned, no guesses.
        p.observe("company:1", 1);
        assert_eq!(p.model().contexts(), 0);
    }

    /// Opens company `id`, lets the predictor plan, then reads its payments if `read`.
    fn visit_planning(p: &mut Predictor, now: &mut u64, id: u32, read: bool) -> Vec<Planned> {
        *now += 1_000;
        p.observe(&format!("company:{id}"), *now);
        let plan = p.plan(&Surroundings::default(), *now, Load::default(), |_| true);
        if read {
            *now += 1_000;
            p.observe(&format!("payments:company:{id}"), *now);
        }
        plan
    }

    #[test]
    fn shadow_guesses_are_scored_without_loading() {
        let mut p = on();
        p.config.mode = Mode::Shadow;
        let mut now = 0;
        for id in 1..4 {
            visit(&mut p, &mut now, id);
        }
        assert!(visit_planning(&mut p, &mut now, 50, true).is_empty());
        let scores = p.scores();
        assert_eq!((scores.issued, scores.used), (1, 1));
        assert!((scores.precision - 1.0).abs() < 1e-9);
        // A guess that does not come true within the horizon stays unused.
        assert!(visit_planning(&mut p, &mut now, 51, false).is_empty());
        for id in 0..SHADOW_HORIZON {
            now += 1_000;
            p.observe(&format!("dashboard:{id}"), now);
        }
        now += 1_000;
        assert!(!p.observe("payments:company:51", now), "too late");
        assert_eq!((p.scores().issued, p.scores().used), (2, 1));
        assert_eq!(p.mode_name(), "shadow");
    }

    #[test]
    fn unused_guesses_pause_and_shadow_resumes() {
        let mut p = on();
        let mut now = 0;
        for id in 1..4 {
            visit(&mut p, &mut now, id);
        }
        // Companies visited, payments never read: every guess goes unused.
        let mut id = 100;
        while p.mode_name() == "on" {
            id += 1;
            assert_eq!(visit_planning(&mut p, &mut now, id, false).len(), 1);
            assert!(id < 200, "never paused");
        }
        assert_eq!(p.scores().issued, super::super::score::WINDOW as u64);
        // Paused: guesses are shadow ones; once they come true, preloading resumes.
        let mut shadow_visits = 0;
        while p.mode_name() == "paused" {
            id += 1;
            shadow_visits += 1;
            assert!(visit_planning(&mut p, &mut now, id, true).is_empty());
            assert!(shadow_visits <= 40, "never resumed");
        }
        assert_eq!(p.mode_name(), "on");
        assert_eq!(
            shadow_visits,
            super::super::score::MIN_GUESSES_TO_RESUME,
            "every shadow guess came true"
        );
        assert_eq!(visit_planning(&mut p, &mut now, id + 1, true).len(), 1);
    }
}
