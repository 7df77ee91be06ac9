//! What follows what: a variable-order (1 and 2) model over key templates, whose successors carry
//! where each parameter comes from (a parameter of a recent access, or a literal), so that
//! `company:{a}` → `payments:company:{a}` learned on company 42 predicts `payments:company:99`
//! after a first visit to company 99. Beside it, transitions between concrete keys for what
//! templates cannot say (the company a user opens after another). Counts halve once a context has
//! seen enough (recent behaviour wins), and the model stays within fixed bounds.

use super::template::{abstract_key, instantiate, Abstracted};
use crate::core::plain::{Fields, Plain, ToPlain};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

/// Accesses further apart than this belong to different sessions: no transition between them.
pub const SESSION_GAP_MS: u64 = 30 * 60 * 1000;
/// Contexts kept (templates and concrete keys together); the least recently used go first.
pub const MAX_CONTEXTS: usize = 2_000;
/// Successors kept per context; a new one replaces the least counted.
pub const MAX_SUCCESSORS: usize = 8;
/// An order-2 context speaks once it has seen this many transitions; before, order 1 does.
pub const MIN_ORDER2_COUNT: f32 = 3.0;
/// A context's counts halve when their sum passes this: the last few dozen visits decide.
pub(super) const DECAY_AT: f32 = 32.0;
/// Successors whose count halves below this are dropped.
pub(super) const FORGET_BELOW: f32 = 0.25;
/// Accesses remembered as context.
pub(super) const ORDER: usize = 2;

/// Where a parameter of the next key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Source {
    /// Parameter `param` of the access `back` steps ago (0 = the latest).
    Recent {
        /// Accesses back (0 = the latest).
        back: u8,
        /// Which of its parameters.
        param: u8,
    },
    /// Always this value.
    Literal(Rc<str>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Successor {
    pub(super) template: Rc<str>,
    pub(super) params: Vec<Source>,
}

#[derive(Debug, Default)]
pub(super) struct Context {
    pub(super) successors: Vec<(Successor, f32)>,
    pub(super) total: f32,
    /// The tick it last learned at (the least recently used go first).
    pub(super) used: u64,
}

impl Context {
    fn learn(&mut self, next: Successor, tick: u64) {
        self.used = tick;
        self.total += 1.0;
        if let Some(slot) = self.successors.iter_mut().find(|(s, _)| *s == next) {
            slot.1 += 1.0;
        } else if self.successors.len() < MAX_SUCCESSORS {
            self.successors.push((next, 1.0));
        } else if let Some(least) = self
            .successors
            .iter_mut()
            .min_by(|a, b| a.1.total_cmp(&b.1))
        {
            // The least counted makes room; what it had counted still weighs in the total.
            *least = (next, 1.0);
        }
        if self.total > DECAY_AT {
            for slot in &mut self.successors {
                slot.1 /= 2.0;
            }
            self.successors.retain(|(_, count)| *count >= FORGET_BELOW);
            self.total = self.successors.iter().map(|(_, c)| c).sum();
        }
    }
}

/// One access of the recent context.
#[derive(Debug, Clone)]
pub(super) struct Access {
    pub(super) key: Rc<str>,
    pub(super) abstracted: Abstracted,
}

impl Access {
    pub(super) fn of(key: &str) -> Access {
        Access {
            key: Rc::from(key),
            abstracted: abstract_key(key),
        }
    }
}

/// What a context may be: the latest template (order 1), the two latest (order 2), or the
/// latest concrete key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ContextKey {
    Order1(Rc<str>),
    Order2(Rc<str>, Rc<str>),
    Concrete(Rc<str>),
}

/// A key likely to be needed next, with the model's probability for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The key to preload.
    pub key: String,
    /// Of the context that predicts it, the share of transitions that went to it, with room
    /// kept for the unseen (count / (total + distinct successors)).
    pub probability: f32,
}

/// A transition the model knows, as the devtools show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The context: a template, two of them ("a → b"), or a concrete key.
    pub after: String,
    /// What followed it.
    pub next: String,
    /// Its probability now.
    pub probability: f32,
    /// Its (decayed) count.
    pub seen: f32,
}

impl ToPlain for Transition {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("after", &self.after)
            .with("next", &self.next)
            .with("probability", &self.probability)
            .with("seen", &self.seen)
            .done()
    }
}

/// The model. Feed it demand accesses (`observe`), ask what comes next (`predict`).
#[derive(Debug, Default)]
pub struct Model {
    pub(super) contexts: HashMap<ContextKey, Context>,
    /// The latest accesses, newest first.
    pub(super) recent: VecDeque<Access>,
    pub(super) last_at: Option<u64>,
    pub(super) tick: u64,
}

impl Model {
    /// A demand access of `key` at `now_ms` (never a preload: the model would learn its own
    /// guesses). Returns whether it is a new visit: a key read again at once (a re-render) is not.
    pub fn observe(&mut self, key: &str, now_ms: u64) -> bool {
        if self
            .last_at
            .is_some_and(|at| now_ms.saturating_sub(at) > SESSION_GAP_MS)
        {
            self.recent.clear();
        }
        self.last_at = Some(now_ms);
        // A key read again at once (a re-render) is the same visit.
        if self.recent.front().is_some_and(|a| &*a.key == key) {
            return false;
        }
        let access = Access::of(key);
        if !self.recent.is_empty() {
            self.learn(&access);
        }
        self.recent.push_front(access);
        self.recent.truncate(ORDER);
        true
    }

    fn learn(&mut self, next: &Access) {
        self.tick += 1;
        let successor = self.successor_of(next);
        let bound = successor
            .params
            .iter()
            .all(|p| matches!(p, Source::Recent { .. }));
        // From one entity to another of its kind (company 42, then company 17): which one comes
        // is the concrete keys' knowledge, not the template's ("after any company, company 17").
        let same_kind = !bound && *successor.template == *self.template(0);
        let mut contexts = Vec::new();
        if !same_kind {
            contexts.push(ContextKey::Order1(self.template(0)));
            if self.recent.len() >= 2 {
                contexts.push(ContextKey::Order2(self.template(1), self.template(0)));
            }
        }
        if !bound {
            // Templates cannot say which value comes (a company opened after another): the
            // concrete keys can, for next time.
            contexts.push(ContextKey::Concrete(self.recent[0].key.clone()));
        }
        for context in contexts {
            let learned = match context {
                ContextKey::Concrete(_) => Successor {
                    template: next.key.clone(),
                    params: Vec::new(),
                },
                _ => successor.clone(),
            };
            let tick = self.tick;
            self.contexts
                .entry(context)
                .or_default()
                .learn(learned, tick);
        }
        if self.contexts.len() > MAX_CONTEXTS {
            self.evict();
        }
    }

    fn template(&self, back: usize) -> Rc<str> {
        Rc::from(self.recent[back].abstracted.template.as_str())
    }

    /// `next` as a template whose parameters say where they come from.
    fn successor_of(&self, next: &Access) -> Successor {
        let params = next
            .abstracted
            .params
            .iter()
            .map(|value| {
                self.recent
                    .iter()
                    .enumerate()
                    .find_map(|(back, access)| {
                        let param = access.abstracted.params.iter().position(|p| p == value)?;
                        Some(Source::Recent {
                            back: back as u8,
                            param: param as u8,
                        })
                    })
                    .unwrap_or_else(|| Source::Literal(Rc::from(value.as_str())))
            })
            .collect();
        Successor {
            template: Rc::from(next.abstracted.template.as_str()),
            params,
        }
    }

    /// Drops the least recently used tenth of the contexts.
    fn evict(&mut self) {
        let mut ticks: Vec<u64> = self.contexts.values().map(|c| c.used).collect();
        crate::core::sort::sort(&mut ticks);
        let cut = ticks[ticks.len() / 10];
        self.contexts.retain(|_, c| c.used > cut);
    }

    /// The keys likely to come next, most likely first, each once, never the latest key.
    pub fn predict(&self) -> Vec<Prediction> {
        let Some(latest) = self.recent.front() else {
            return Vec::new();
        };
        let order2 = (self.recent.len() >= 2)
            .then(|| ContextKey::Order2(self.template(1), self.template(0)))
            .and_then(|k| self.contexts.get(&k))
            .filter(|c| c.total >= MIN_ORDER2_COUNT);
        let by_template =
            order2.or_else(|| self.contexts.get(&ContextKey::Order1(self.template(0))));
        let concrete = self.contexts.get(&ContextKey::Concrete(latest.key.clone()));
        let mut out: Vec<Prediction> = Vec::new();
        for context in [by_template, concrete].into_iter().flatten() {
            for (successor, count) in &context.successors {
                let Some(key) = self.instantiate(successor) else {
                    continue;
                };
                if key == *latest.key {
                    continue;
                }
                // PPM's escape (method D, Howard 1993): each distinct successor gives half a
                // count to the successors a context has not seen yet, so one seen once or twice
                // is not taken for certain, and one seen often is not held down by the others.
                let probability = (count - 0.5).max(0.0) / context.total;
                if probability == 0.0 {
                    continue;
                }
                match out.iter_mut().find(|p| p.key == key) {
                    Some(p) => p.probability = p.probability.max(probability),
                    None => out.push(Prediction { key, probability }),
                }
            }
        }
        crate::core::sort::sort_by(&mut out, |a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then_with(|| a.key.cmp(&b.key))
        });
        out
    }

    fn instantiate(&self, successor: &Successor) -> Option<String> {
        let params: Option<Vec<String>> = successor
            .params
            .iter()
            .map(|source| match source {
                Source::Recent { back, param } => self
                    .recent
                    .get(usize::from(*back))?
                    .abstracted
                    .params
                    .get(usize::from(*param))
                    .cloned(),
                Source::Literal(value) => Some(value.to_string()),
            })
            .collect();
        instantiate(&successor.template, &params?)
    }

    /// The strongest transitions it knows, strongest first: what it has seen follow what, for
    /// people to read (`{}` stands for a parameter; `{=}` for one taken from the context).
    pub fn transitions(&self, limit: usize) -> Vec<Transition> {
        let mut out: Vec<Transition> = Vec::new();
        for (context, c) in &self.contexts {
            let after = match context {
                ContextKey::Order1(t) | ContextKey::Concrete(t) => t.to_string(),
                ContextKey::Order2(a, b) => format!("{a} → {b}"),
            };
            for (successor, count) in &c.successors {
                let mut params = successor.params.iter();
                let next: Vec<String> = successor
                    .template
                    .split(':')
                    .map(
                        |segment| match (segment == "{}").then(|| params.next()).flatten() {
                            Some(Source::Recent { .. }) => "{=}".to_string(),
                            Some(Source::Literal(value)) => value.to_string(),
                            None => segment.to_string(),
                        },
                    )
                    .collect();
                out.push(Transition {
                    after: after.clone(),
                    next: next.join(":"),
                    probability: count / (c.total + c.successors.len() as f32),
                    seen: *count,
                });
            }
        }
        crate::core::sort::sort_by(&mut out, |a, b| {
            b.seen
                .total_cmp(&a.seen)
                .then_with(|| a.after.cmp(&b.after))
                .then_with(|| a.next.cmp(&b.next))
        });
        out.truncate(limit);
        out
    }

    /// Contexts held (for the bounds).
    pub fn contexts(&self) -> usize {
        self.contexts.len()
    }

    /// The most successors any context holds (for the bounds).
    pub fn widest(&self) -> usize {
        self.contexts
            .values()
            .map(|c| c.successors.len())
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60_000;

    /// Feeds `keys` a second apart from `*now`.
    fn visit(model: &mut Model, now: &mut u64, keys: &[&str]) {
        for key in keys {
            *now += 1_000;
            model.observe(key, *now);
        }
    }

    fn first(model: &Model) -> Option<(String, f32)> {
        model
            .predict()
            .first()
            .map(|p| (p.key.clone(), p.probability))
    }

    #[test]
    fn a_pattern_learned_on_some_companies_predicts_for_a_new_one() {
        let mut model = Model::default();
        let mut now = 0;
        for id in [42, 7, 13] {
            visit(
                &mut model,
                &mut now,
                &[
                    "companies:list",
                    &format!("company:{id}"),
                    &format!("payments:company:{id}"),
                ],
            );
        }
        visit(&mut model, &mut now, &["companies:list", "company:99"]);
        // Three of three visits: (3 - 1/2) / 3, room kept for what it has not seen.
        assert_eq!(
            first(&model),
            Some(("payments:company:99".into(), 2.5 / 3.0))
        );
    }

    #[test]
    fn order_two_tells_apart_what_order_one_mixes_and_backs_off_while_young() {
        let mut model = Model::default();
        let mut now = 0;
        // From the list a company leads to its payments; from the dashboard, to its contacts.
        visit(
            &mut model,
            &mut now,
            &["list", "company:1", "payments:company:1"],
        );
        visit(
            &mut model,
            &mut now,
            &["dashboard", "company:2", "contacts:company:2"],
        );
        // Order 2 has seen each context once (young): order 1 answers, mixed.
        visit(&mut model, &mut now, &["list", "company:3"]);
        let mixed = model.predict();
        assert_eq!(mixed.len(), 2, "{mixed:?}");
        assert!((mixed[0].probability - 0.25).abs() < 1e-6, "(1 - 1/2) / 2");
        for id in 4..10 {
            visit(
                &mut model,
                &mut now,
                &[
                    "list",
                    &format!("company:{id}"),
                    &format!("payments:company:{id}"),
                ],
            );
            visit(
                &mut model,
                &mut now,
                &[
                    "dashboard",
                    &format!("company:{}", id + 100),
                    &format!("contacts:company:{}", id + 100),
                ],
            );
        }
        visit(&mut model, &mut now, &["list", "company:50"]);
        assert_eq!(
            first(&model).map(|p| p.0),
            Some("payments:company:50".into())
        );
        visit(&mut model, &mut now, &["dashboard", "company:60"]);
        assert_eq!(
            first(&model).map(|p| p.0),
            Some("contacts:company:60".into())
        );
    }

    #[test]
    fn literals_and_concrete_keys_say_what_templates_cannot() {
        let mut model = Model::default();
        let mut now = 0;
        for _ in 0..3 {
            // The list is always followed by the dashboard; company 42 by company 17.
            visit(
                &mut model,
                &mut now,
                &["companies:list", "dashboard", "company:42", "company:17"],
            );
            now += 31 * MINUTE;
        }
        visit(&mut model, &mut now, &["companies:list"]);
        assert_eq!(first(&model).map(|p| p.0), Some("dashboard".into()));
        visit(&mut model, &mut now, &["dashboard", "company:42"]);
        assert_eq!(
            first(&model),
            Some(("company:17".into(), 2.5 / 3.0)),
            "3 of 3, half a count of escape"
        );
        // The first page of a payments table is always page 1: a literal the template keeps.
        for id in [1, 2, 3] {
            visit(
                &mut model,
                &mut now,
                &[
                    &format!("company:{id}"),
                    &format!("payments:company:{id}:page:1"),
                ],
            );
        }
        visit(&mut model, &mut now, &["company:8"]);
        assert_eq!(
            first(&model).map(|p| p.0),
            Some("payments:company:8:page:1".into())
        );
    }

    #[test]
    fn transitions_read_as_people_would_say_them() {
        let mut model = Model::default();
        let mut now = 0;
        for id in [1, 2, 3] {
            visit(
                &mut model,
                &mut now,
                &[
                    "list",
                    &format!("company:{id}"),
                    &format!("payments:company:{id}:page:1"),
                ],
            );
        }
        let top = model.transitions(3);
        assert_eq!(top.len(), 3);
        // On company 1 the page number 1 looked bound to the id as well: two visits say it is a literal.
        assert!(
            top.iter().any(|t| t.after == "company:{}"
                && t.next == "payments:company:{=}:page:1"
                && t.seen == 2.0),
            "{top:?}"
        );
        assert!(top.windows(2).all(|w| w[0].seen >= w[1].seen));
    }

    #[test]
    fn recent_behaviour_outweighs_old_counts() {
        let mut model = Model::default();
        let mut now = 0;
        for id in 0..40 {
            visit(
                &mut model,
                &mut now,
                &[&format!("company:{id}"), &format!("payments:company:{id}")],
            );
        }
        for id in 100..120 {
            visit(
                &mut model,
                &mut now,
                &[&format!("company:{id}"), &format!("contacts:company:{id}")],
            );
        }
        visit(&mut model, &mut now, &["company:500"]);
        assert_eq!(
            first(&model).map(|p| p.0),
            Some("contacts:company:500".into())
        );
    }

    #[test]
    fn no_transition_crosses_a_session_gap_and_re_reads_are_one_visit() {
        let mut model = Model::default();
        let mut now = 0;
        for id in 0..5 {
            visit(&mut model, &mut now, &[&format!("company:{id}")]);
            now += SESSION_GAP_MS + 1;
            visit(&mut model, &mut now, &[&format!("payments:company:{id}")]);
            now += SESSION_GAP_MS + 1;
        }
        visit(&mut model, &mut now, &["company:9"]);
        assert_eq!(
            model.predict(),
            Vec::new(),
            "nothing learned across sessions"
        );
        // Reading the same key over and over (renders) learns no self-transition.
        visit(
            &mut model,
            &mut now,
            &[
                "company:9",
                "company:9",
                "payments:company:9",
                "payments:company:9",
            ],
        );
        visit(&mut model, &mut now, &["company:10"]);
        assert_eq!(first(&model), Some(("payments:company:10".into(), 0.5)));
    }

    proptest::proptest! {
        /// Whatever it is fed: within bounds, probabilities in (0, 1], each key once, never the
        /// latest key, and a prediction is a key of a template it has seen.
        #[test]
        fn predictions_are_well_formed(accesses in proptest::collection::vec((0u8..6, 0u16..50, 0u64..4_000_000), 1..400)) {
            let kinds = ["company:{}", "payments:company:{}", "contacts:company:{}", "dashboard", "list", "company:{}:page:{}"];
            let mut model = Model::default();
            let mut now = 0;
            for (kind, id, gap) in accesses {
                now += gap;
                let key = kinds[usize::from(kind)].replace("{}", &id.to_string());
                model.observe(&key, now);
                let predictions = model.predict();
                proptest::prop_assert!(model.contexts() <= MAX_CONTEXTS && model.widest() <= MAX_SUCCESSORS);
                let mut seen = std::collections::HashSet::new();
                for p in &predictions {
                    proptest::prop_assert!(p.probability > 0.0 && p.probability <= 1.0 + 1e-6, "{p:?}");
                    proptest::prop_assert!(seen.insert(p.key.clone()));
                    proptest::prop_assert_ne!(&p.key, &key);
                    let template = abstract_key(&p.key).template;
                    proptest::prop_assert!(kinds.contains(&template.as_str()), "{}", p.key);
                }
            }
        }
    }

    #[test]
    fn the_model_stays_within_its_bounds() {
        let mut model = Model::default();
        let mut now = 0;
        for i in 0..20_000u64 {
            // Ever new templates (names, not ids) and fan-out from one hub.
            visit(
                &mut model,
                &mut now,
                &["hub", &format!("page-{}", i % 5_000)],
            );
            visit(
                &mut model,
                &mut now,
                &[&format!("name-{i}"), &format!("other-{i}")],
            );
        }
        assert!(model.contexts() <= MAX_CONTEXTS, "{}", model.contexts());
        assert!(model.widest() <= MAX_SUCCESSORS);
        assert!(model.predict().len() <= 2 * MAX_SUCCESSORS);
    }
}
