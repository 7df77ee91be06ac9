//! The memory tier's admission and eviction policy, over keys and byte weights (the entry's
//! serialized size). The live values themselves sit in a JavaScript `Map` next to the page; this
//! module decides which keys stay there within the byte budget.
//!
//! `S3Fifo` is the cache's policy; `Lru` is the plain reference that tests and benchmarks hold
//! it against.

mod lru;
mod s3fifo;

pub use lru::Lru;
pub use s3fifo::S3Fifo;

use std::rc::Rc;

/// Keys are shared between the policy's index and its queues.
pub type Key = Rc<str>;

/// A byte-budgeted replacement policy.
pub trait Policy {
    /// Inserts or re-weighs `key`. Keys pushed out to make room are appended to `evicted`
    /// (never `key` itself). Returns false, changing nothing, when `weight` exceeds the budget.
    fn insert(&mut self, key: &Key, weight: u64, evicted: &mut Vec<Key>) -> bool;
    /// Records one access to `key`; unknown keys are ignored.
    fn touch(&mut self, key: &str);
    /// Forgets `key`; returns whether it was held.
    fn remove(&mut self, key: &str) -> bool;
    fn contains(&self, key: &str) -> bool;
    /// Sum of the weights held; never above `budget()`.
    fn weight(&self) -> u64;
    fn budget(&self) -> u64;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn clear(&mut self);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u64),
        Touch(u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<u8>(), 1u64..300).prop_map(|(k, w)| Op::Insert(k, w)),
            4 => any::<u8>().prop_map(Op::Touch),
            1 => any::<u8>().prop_map(Op::Remove),
        ]
    }

    /// Replays `ops` against `policy` and a map of what it must hold, checking the invariants
    /// after every step: never over budget, weights add up, evicted keys are really gone, and a
    /// key is held exactly when the model says so.
    fn check_invariants(
        mut policy: impl Policy,
        ops: &[Op],
    ) -> std::result::Result<(), TestCaseError> {
        let mut model: HashMap<Key, u64> = HashMap::new();
        for op in ops {
            match *op {
                Op::Insert(k, w) => {
                    let key: Key = Rc::from(format!("k{k}"));
                    let mut evicted = Vec::new();
                    let accepted = policy.insert(&key, w, &mut evicted);
                    prop_assert_eq!(accepted, w <= policy.budget());
                    for gone in &evicted {
                        prop_assert!(gone != &key, "evicted the key being inserted");
                        prop_assert!(
                            model.remove(gone).is_some(),
                            "evicted a key it did not hold"
                        );
                    }
                    if accepted {
                        model.insert(key, w);
                    }
                }
                Op::Touch(k) => policy.touch(&format!("k{k}")),
                Op::Remove(k) => {
                    let key = format!("k{k}");
                    prop_assert_eq!(policy.remove(&key), model.remove(key.as_str()).is_some());
                }
            }
            prop_assert!(policy.weight() <= policy.budget());
            prop_assert_eq!(policy.weight(), model.values().sum::<u64>());
            prop_assert_eq!(policy.len(), model.len());
            for key in model.keys() {
                prop_assert!(policy.contains(key));
            }
        }
        policy.clear();
        prop_assert_eq!((policy.len(), policy.weight()), (0, 0));
        Ok(())
    }

    proptest! {
        #[test]
        fn s3fifo_invariants(budget in 1u64..3000, ops in proptest::collection::vec(op(), 0..400)) {
            check_invariants(S3Fifo::new(budget), &ops)?;
        }

        #[test]
        fn lru_invariants(budget in 1u64..3000, ops in proptest::collection::vec(op(), 0..400)) {
            check_invariants(Lru::new(budget), &ops)?;
        }
    }
}
