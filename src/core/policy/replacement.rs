//! The trait every tier's replacement policy implements.

use crate::core::types::Handle;

/// A byte-budgeted replacement policy.
pub trait Policy {
    /// Inserts `handle`, or re-weighs it if held. `key_hash` identifies the key across handles
    /// (for policies that remember evicted keys). Handles pushed out to make room are appended to
    /// `evicted` (never `handle` itself). Returns false, changing nothing, when `weight` exceeds
    /// the budget.
    fn insert(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool;
    /// Inserts `handle` as `insert` does when it is held or fits in free room; otherwise a policy
    /// with an admission filter may refuse it (false, nothing pushed out) when what it would push
    /// out is worth more. For entries the caller can do without (a copy kept elsewhere too). The
    /// default admits as `insert` does.
    fn offer(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        self.insert(handle, key_hash, weight, evicted)
    }
    /// Inserts `handle` as a guess rather than a use (a preload): only into free room, or room
    /// made by evicting entries the policy holds to be cold. Entries that have proven hot stay,
    /// and false (changing nothing) says there was no such room. The default takes free room only.
    fn insert_cold(
        &mut self,
        handle: Handle,
        key_hash: u64,
        weight: u64,
        evicted: &mut Vec<Handle>,
    ) -> bool {
        if self.contains(handle) || self.weight() + weight > self.budget() {
            return false;
        }
        self.insert(handle, key_hash, weight, evicted)
    }
    /// Evicts one entry chosen by the policy, appending it to `evicted`; false when empty.
    fn evict_one(&mut self, evicted: &mut Vec<Handle>) -> bool;
    /// Records one access; unknown handles are ignored.
    fn touch(&mut self, handle: Handle);
    /// Forgets `handle`; returns whether it was held.
    fn remove(&mut self, handle: Handle) -> bool;
    /// Whether `handle` is held.
    fn contains(&self, handle: Handle) -> bool;
    /// Sum of the weights held; never above `budget()`.
    fn weight(&self) -> u64;
    /// The most the weights may sum to.
    fn budget(&self) -> u64;
    /// Handles held.
    fn len(&self) -> usize;
    /// Whether nothing is held.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Forgets everything.
    fn clear(&mut self);
}
