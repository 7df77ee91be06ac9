//! Admission and eviction over entry handles and byte weights, for every tier: the engine holds
//! one policy per tier (memory: bytes of JSON text; localStorage and IndexedDB: stored bytes as
//! each counts them) and asks it which entries stay within the tier's budget.
//!
//! Entries are named by small integer handles that `Slots` hands out (the engine's slot indices)
//! and reuses once an entry is gone, so that recording an access is an array index, not a hash of
//! the key. `S3Fifo` is the cache's policy; `Lru` is the plain reference that tests and benchmarks
//! hold it against.

mod lru;
mod replacement;
mod s3fifo;
pub mod slots;

pub use lru::Lru;
pub use s3fifo::S3Fifo;
pub use slots::Slots;

pub use crate::core::types::Handle;
pub use replacement::Policy;

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
    /// after every step: never over budget, weights add up, evicted handles are really gone, and a
    /// handle is held exactly when the model says so.
    fn check_invariants(
        mut policy: impl Policy,
        ops: &[Op],
    ) -> std::result::Result<(), TestCaseError> {
        let mut model: HashMap<Handle, u64> = HashMap::new();
        for op in ops {
            match *op {
                Op::Insert(k, w) => {
                    let handle = Handle::from(k);
                    let mut evicted = Vec::new();
                    let accepted = policy.insert(handle, u64::from(k), w, &mut evicted);
                    prop_assert_eq!(accepted, w <= policy.budget());
                    for gone in &evicted {
                        prop_assert!(*gone != handle, "evicted the handle being inserted");
                        prop_assert!(
                            model.remove(gone).is_some(),
                            "evicted a handle it did not hold"
                        );
                    }
                    if accepted {
                        model.insert(handle, w);
                    }
                }
                Op::Touch(k) => policy.touch(Handle::from(k)),
                Op::Remove(k) => {
                    prop_assert_eq!(
                        policy.remove(Handle::from(k)),
                        model.remove(&Handle::from(k)).is_some()
                    );
                }
            }
            prop_assert!(policy.weight() <= policy.budget());
            prop_assert_eq!(policy.weight(), model.values().sum::<u64>());
            prop_assert_eq!(policy.len(), model.len());
            for k in 0..=u8::MAX {
                prop_assert_eq!(
                    policy.contains(Handle::from(k)),
                    model.contains_key(&Handle::from(k))
                );
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
