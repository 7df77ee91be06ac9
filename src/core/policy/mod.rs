//! Admission and eviction over entry handles and byte weights, for every tier: the engine holds
//! one policy per tier (memory: bytes of JSON text; localStorage and IndexedDB: stored bytes as
//! each counts them) and asks it which entries stay within the tier's budget.
//!
//! Entries are named by small integer handles that `Slots` hands out (the engine's slot indices)
//! and reuses once an entry is gone, so that recording an access is an array index, not a hash of
//! the key. `Gdsf` is the cache's policy; `Lru` is the plain reference that tests and benchmarks
//! hold it against (`replay` runs a trace through either).

mod admission;
mod gdsf;
mod lru;
mod replacement;
mod sketch;
pub mod slots;

pub use gdsf::Gdsf;
pub use lru::Lru;
pub use slots::Slots;

pub use crate::core::types::Handle;
pub use replacement::Policy;

/// Replays a trace of key ids (below 2^32, handles alike) with their sizes through `policy`, as
/// a tier sees it: a hit touches, a miss offers the entry. Returns the number of hits.
pub fn replay(policy: &mut dyn Policy, keys: &[u32], sizes: &[u32]) -> u64 {
    let mut hits = 0;
    let mut evicted = Vec::new();
    for (&key, &size) in keys.iter().zip(sizes) {
        if policy.contains(key) {
            hits += 1;
            policy.touch(key);
        } else {
            // Ids are dense small integers; a key's hash in the cache is not.
            let hash = u64::from(key)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(29);
            policy.offer(key, hash, u64::from(size), &mut evicted);
            evicted.clear();
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u64),
        Offer(u8, u64),
        Cold(u8, u64),
        Touch(u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<u8>(), 1u64..300).prop_map(|(k, w)| Op::Insert(k, w)),
            2 => (any::<u8>(), 1u64..300).prop_map(|(k, w)| Op::Offer(k, w)),
            1 => (any::<u8>(), 1u64..300).prop_map(|(k, w)| Op::Cold(k, w)),
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
                Op::Insert(k, w) | Op::Offer(k, w) | Op::Cold(k, w) => {
                    let handle = Handle::from(k);
                    let held = policy.contains(handle);
                    let fits = policy.weight() + w <= policy.budget();
                    let mut evicted = Vec::new();
                    let accepted = match op {
                        Op::Insert(..) => policy.insert(handle, u64::from(k), w, &mut evicted),
                        Op::Offer(..) => policy.offer(handle, u64::from(k), w, &mut evicted),
                        _ => policy.insert_cold(handle, u64::from(k), w, &mut evicted),
                    };
                    match op {
                        // What must be held is, whenever it fits the budget at all.
                        Op::Insert(..) => prop_assert_eq!(accepted, w <= policy.budget()),
                        // An offer may be refused, but not when held or in free room.
                        Op::Offer(..) if w > policy.budget() => prop_assert!(!accepted),
                        Op::Offer(..) if held || fits => {
                            prop_assert!(accepted, "held or in free room: taken")
                        }
                        // A guess takes free room, and never replaces what is held.
                        Op::Cold(..) if held || w > policy.budget() => prop_assert!(!accepted),
                        Op::Cold(..) if fits => prop_assert!(accepted, "free room: taken"),
                        _ => {}
                    }
                    if !accepted {
                        prop_assert!(evicted.is_empty(), "refused, yet pushed out entries");
                        prop_assert_eq!(policy.contains(handle), held);
                    }
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
        fn gdsf_invariants(budget in 1u64..3000, ops in proptest::collection::vec(op(), 0..400)) {
            check_invariants(Gdsf::new(budget), &ops)?;
        }

        #[test]
        fn lru_invariants(budget in 1u64..3000, ops in proptest::collection::vec(op(), 0..400)) {
            check_invariants(Lru::new(budget), &ops)?;
        }
    }
}
