//! One sort for the whole crate. The standard library's sorts are generic: each element type and
//! comparator got its own copy of driftsort or ipnsort in the wasm (1.5–5 KB each, 48 KB in all).
//! Here elements are ordered through their indices by a `dyn` comparator, so one copy serves
//! every call, for an index vector and an indirect call per comparison.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_indices(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i as usize].take()));
}

/// Sorts `items` by the key `key` gives each, stably.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order.
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// The indices `0..len` in the order `compare` gives them, stably (the crate's one sort
/// routine): a bottom-up merge sort, whose few hundred bytes of wasm replace the several
/// kilobytes of the standard library's sort; runs already in order are merged by a copy.
#[inline(never)]
fn sorted_indices(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    let mut merged = vec![0u32; len];
    let mut width = 1;
    while width < len {
        for start in (0..len).step_by(2 * width) {
            let mid = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            merge(
                &order[start..mid],
                &order[mid..end],
                &mut merged[start..end],
                compare,
            );
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// `left` and `right`, each in order, into `out` in order (`left`'s first among equals).
fn merge(left: &[u32], right: &[u32], out: &mut [u32], compare: &dyn Fn(usize, usize) -> Ordering) {
    let in_order = |a: u32, b: u32| compare(a as usize, b as usize) != Ordering::Greater;
    if let (Some(&last), Some(&first)) = (left.last(), right.first()) {
        if in_order(last, first) {
            out[..left.len()].copy_from_slice(left);
            out[left.len()..].copy_from_slice(right);
            return;
        }
    }
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        if j == right.len() || (i < left.len() && in_order(left[i], right[j])) {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort_does(items in proptest::collection::vec((0u8..8, any::<u16>()), 0..300)) {
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut theirs = items.clone();
            theirs.sort_by_key(|&(k, _)| k);
            prop_assert_eq!(ours, theirs);
            let mut ours = items.clone();
            sort(&mut ours);
            let mut theirs = items;
            theirs.sort();
            prop_assert_eq!(ours, theirs);
        }
    }
}
