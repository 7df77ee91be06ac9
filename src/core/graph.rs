//! The dependency graph: which entries carry which tags, and which entries were derived from which
//! keys or tags (`dependsOn`). `closure` turns what was invalidated into every entry that must go,
//! transitively; its cost follows the number of entries removed and the edges that reach them,
//! not the size of the cache. Cycles terminate.

use super::types::Key;
use std::collections::{HashMap, HashSet, VecDeque};

/// Who depends on what: entries by tag, and dependents by the name they depend on.
#[derive(Debug, Default)]
pub struct Graph {
    /// tag -> entries carrying it
    tagged: HashMap<Key, HashSet<Key>>,
    /// key or tag -> entries that depend on it
    dependents: HashMap<Key, HashSet<Key>>,
}

fn link(map: &mut HashMap<Key, HashSet<Key>>, from: &str, to: &Key) {
    match map.get_mut(from) {
        Some(set) => {
            set.insert(to.clone());
        }
        None => {
            map.insert(Key::from(from), HashSet::from([to.clone()]));
        }
    }
}

fn unlink(map: &mut HashMap<Key, HashSet<Key>>, from: &str, to: &str) {
    if let Some(set) = map.get_mut(from) {
        set.remove(to);
        if set.is_empty() {
            map.remove(from);
        }
    }
}

impl Graph {
    /// Records the edges of an entry.
    pub fn add(&mut self, key: &Key, tags: &[String], depends_on: &[String]) {
        for tag in tags {
            link(&mut self.tagged, tag, key);
        }
        for name in depends_on {
            link(&mut self.dependents, name, key);
        }
    }

    /// Forgets the edges of an entry.
    pub fn remove(&mut self, key: &str, tags: &[String], depends_on: &[String]) {
        for tag in tags {
            unlink(&mut self.tagged, tag, key);
        }
        for name in depends_on {
            unlink(&mut self.dependents, name, key);
        }
    }

    /// The entries that depend on `name` (a key or a tag), in no particular order.
    pub fn dependents_of(&self, name: &str) -> impl Iterator<Item = &Key> {
        self.dependents.get(name).into_iter().flatten()
    }

    /// The entries tagged `name`, in no particular order.
    pub fn tagged_with(&self, name: &str) -> impl Iterator<Item = &Key> {
        self.tagged.get(name).into_iter().flatten()
    }

    /// Forgets every edge.
    pub fn clear(&mut self) {
        self.tagged.clear();
        self.dependents.clear();
    }

    /// Every entry that invalidating `seeds` (keys or tags) removes: an entry named by a seed,
    /// entries tagged with it, entries that depend on it, and so on from each removed entry.
    /// `entry` answers whether a name is the key of a cached entry (and gives the shared key).
    pub fn closure(&self, seeds: &[Key], entry: impl Fn(&str) -> Option<Key>) -> Vec<Key> {
        self.closure_keeping(seeds, entry, |_| false)
    }

    /// `closure`, where an entry for which `keep` holds (written after the invalidation, in
    /// another tab) is neither removed nor followed: what depends on it was not built on what
    /// was invalidated. Seeds are always followed.
    pub fn closure_keeping(
        &self,
        seeds: &[Key],
        entry: impl Fn(&str) -> Option<Key>,
        keep: impl Fn(&Key) -> bool,
    ) -> Vec<Key> {
        let mut removed: HashSet<Key> = HashSet::new();
        let mut seen: HashSet<Key> = HashSet::new();
        let mut queue: VecDeque<Key> = seeds.iter().cloned().collect();
        while let Some(name) = queue.pop_front() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(key) = entry(&name).filter(|k| !keep(k)) {
                removed.insert(key);
            }
            let reached = [self.tagged.get(&name), self.dependents.get(&name)];
            for key in reached.into_iter().flatten().flatten() {
                if !keep(key) && removed.insert(key.clone()) {
                    queue.push_back(key.clone());
                }
            }
        }
        let mut removed: Vec<Key> = removed.into_iter().collect();
        crate::core::sort::sort(&mut removed);
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str], &[&str])]) -> (Graph, HashSet<Key>) {
        let mut g = Graph::default();
        let mut keys = HashSet::new();
        for (key, tags, deps) in edges {
            let key = Key::from(*key);
            let tags: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
            let deps: Vec<String> = deps.iter().map(|s| s.to_string()).collect();
            g.add(&key, &tags, &deps);
            keys.insert(key);
        }
        (g, keys)
    }

    fn closure(g: &Graph, keys: &HashSet<Key>, seed: &str) -> Vec<String> {
        g.closure(&[Key::from(seed)], |name| keys.get(name).cloned())
            .iter()
            .map(|k| k.to_string())
            .collect()
    }

    #[test]
    fn a_payment_takes_its_list_and_the_company_page_with_it() {
        let (g, keys) = graph(&[
            ("payment:7", &["payments"], &[]),
            ("payments:company:42", &[], &["payment:7"]),
            ("company:42", &["company"], &["payments:company:42"]),
            ("company:43", &["company"], &[]),
        ]);
        assert_eq!(
            closure(&g, &keys, "payment:7"),
            ["company:42", "payment:7", "payments:company:42"]
        );
        assert_eq!(closure(&g, &keys, "company"), ["company:42", "company:43"]);
        assert_eq!(
            closure(&g, &keys, "payments"),
            ["company:42", "payment:7", "payments:company:42"]
        );
        assert!(closure(&g, &keys, "nothing").is_empty());
    }

    #[test]
    fn dependencies_on_keys_not_cached_still_cascade() {
        let (g, keys) = graph(&[("report", &[], &["payment:99"])]);
        assert_eq!(closure(&g, &keys, "payment:99"), ["report"]);
    }

    #[test]
    fn cycles_terminate() {
        let (g, keys) = graph(&[
            ("a", &[], &["b"]),
            ("b", &[], &["c"]),
            ("c", &[], &["a"]),
            ("d", &[], &[]),
        ]);
        assert_eq!(closure(&g, &keys, "b"), ["a", "b", "c"]);
    }

    #[test]
    fn removal_unlinks() {
        let (mut g, mut keys) = graph(&[("a", &["t"], &["x"]), ("b", &["t"], &[])]);
        g.remove("a", &["t".into()], &["x".into()]);
        keys.remove("a");
        assert_eq!(closure(&g, &keys, "t"), ["b"]);
        assert!(closure(&g, &keys, "x").is_empty());
        assert!(g.dependents.is_empty());
    }
}
