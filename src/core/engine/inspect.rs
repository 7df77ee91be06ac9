//! What the devtools ask of the engine: pages of entries (a cursor over the sorted keys, filtered
//! by key or tag and by tier; never the whole cache in one answer) and the dependency
//! neighbourhood of an entry, both ways: what it is built from and what would go with it.

use super::{Engine, Handle};
use crate::core::clock::Clock;
use crate::core::engine::stats::{EntriesPage, EntryInfo, GraphEdge, GraphNode, Neighbourhood};
use crate::core::engine::store::LocalStore;
use crate::core::policy::Policy;
use crate::core::types::{Key, Tier};
use std::collections::{HashSet, VecDeque};

/// Entries one page holds unless asked for fewer.
pub const DEFAULT_PAGE: usize = 100;
/// The most one page holds.
pub const MAX_PAGE: usize = 1_000;
/// Nodes a neighbourhood holds at most, however deep it is asked to go.
pub const MAX_NODES: usize = 200;

/// Which entries a page lists.
#[derive(Debug, Clone, Default)]
pub struct EntriesQuery {
    /// Only keys, or tags, containing this.
    pub filter: Option<String>,
    /// Only entries whose home is this tier (for memory: entries with a live copy too).
    pub tier: Option<Tier>,
    /// The page starts after this key.
    pub cursor: Option<String>,
    /// Entries per page (`DEFAULT_PAGE`, at most `MAX_PAGE`).
    pub limit: Option<usize>,
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    pub(super) fn entry_info(&self, handle: Handle) -> Option<EntryInfo> {
        let e = self.entries.get(handle)?;
        Some(EntryInfo {
            key: e.key.to_string(),
            tier: e.home.as_str(),
            in_memory: self.policies.memory.contains(handle),
            raw_bytes: e.meta.raw_bytes,
            stored_bytes: e.stored_bytes,
            compressed: e.meta.compressed && e.home != Tier::Memory,
            created_at: e.meta.created_at,
            expires_at: e.meta.expires_at,
            stale_at: e.meta.stale_at,
            tags: e.meta.tags.clone(),
            depends_on: e.meta.depends_on.clone(),
            hits: u64::from(self.hits[handle as usize]),
        })
    }

    fn matches(&self, handle: Handle, query: &EntriesQuery) -> bool {
        let Some(e) = self.entries.get(handle) else {
            return false;
        };
        let tier_ok = match query.tier {
            None => true,
            Some(Tier::Memory) => e.home == Tier::Memory || self.policies.memory.contains(handle),
            Some(tier) => e.home == tier,
        };
        let filter_ok = query
            .filter
            .as_deref()
            .is_none_or(|f| includes(&e.key, f) || e.meta.tags.iter().any(|t| includes(t, f)));
        tier_ok && filter_ok
    }

    /// A page of entries, sorted by key, after `query.cursor`; `next` is the cursor of the next
    /// page when there is one, `total` how many entries match in all.
    pub fn entries_page(&mut self, query: &EntriesQuery) -> EntriesPage {
        self.purge_expired();
        let limit = query.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let start = match &query.cursor {
            Some(after) => std::ops::Bound::Excluded(after.as_str()),
            None => std::ops::Bound::Unbounded,
        };
        let mut entries = Vec::new();
        let mut total = 0;
        let mut more = false;
        // Counting every match is a scan of the index, not a copy of it.
        for key in self.ordered.iter() {
            let Some(&handle) = self.index.get(key) else {
                continue;
            };
            if !self.matches(handle, query) {
                continue;
            }
            total += 1;
            let after_cursor = match start {
                std::ops::Bound::Excluded(after) => &**key > after,
                _ => true,
            };
            if !after_cursor {
                continue;
            }
            if entries.len() < limit {
                entries.extend(self.entry_info(handle));
            } else {
                more = true;
            }
        }
        let next = more
            .then(|| entries.last().map(|e| e.key.clone()))
            .flatten();
        EntriesPage {
            entries,
            total,
            next,
        }
    }

    /// The dependency neighbourhood of `key`, `depth` steps each way: upward what it is built
    /// from (the keys and tags it depends on, its tags, and theirs), downward what goes with it
    /// (what depends on it or on what depends on it: what `invalidate(key)` removes).
    pub fn neighbourhood(&mut self, key: &str, depth: usize) -> Neighbourhood {
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Way {
            Both,
            Up,
            Down,
        }
        self.purge_expired();
        let mut nodes: Vec<GraphNode> = Vec::new();
        let mut edges: Vec<GraphEdge> = Vec::new();
        let mut listed: HashSet<Key> = HashSet::new();
        // Every name listed or waiting to be: the bound counts them.
        let mut known: HashSet<Key> = HashSet::from([Key::from(key)]);
        // Per way (its index), the names followed that way. Sets of keys alone: each kind of
        // set is more code in the wasm.
        let mut seen: [HashSet<Key>; 3] = Default::default();
        let mut queue: VecDeque<(Key, usize, Way)> =
            VecDeque::from([(Key::from(key), 0, Way::Both)]);
        // Edges as "from\0to\0kind".
        let mut edge_seen: HashSet<Key> = HashSet::new();
        while let Some((name, at, way)) = queue.pop_front() {
            if !seen[way as usize].insert(name.clone()) {
                continue;
            }
            if listed.insert(name.clone()) {
                let tier = self
                    .index
                    .get(&name)
                    .and_then(|&h| self.entries.get(h))
                    .map(|e| e.home.as_str());
                nodes.push(GraphNode {
                    key: name.to_string(),
                    tier,
                });
            }
            if at == depth {
                continue;
            }
            let mut next: Vec<(Key, GraphEdge, Way)> = Vec::new();
            if way != Way::Down {
                if let Some(entry) = self.index.get(&name).and_then(|&h| self.entries.get(h)) {
                    for dep in &entry.meta.depends_on {
                        next.push((
                            Key::from(dep.as_str()),
                            edge(&name, dep, "dependsOn"),
                            Way::Up,
                        ));
                    }
                    for tag in &entry.meta.tags {
                        next.push((Key::from(tag.as_str()), edge(&name, tag, "tag"), Way::Up));
                    }
                }
            }
            if way != Way::Up {
                for dependent in self.graph.dependents_of(&name) {
                    next.push((
                        dependent.clone(),
                        edge(dependent, &name, "dependsOn"),
                        Way::Down,
                    ));
                }
                for tagged in self.graph.tagged_with(&name) {
                    next.push((tagged.clone(), edge(tagged, &name, "tag"), Way::Down));
                }
            }
            crate::core::sort::sort_by(&mut next, |a, b| a.0.cmp(&b.0));
            for (other, e, way) in next {
                if !known.contains(&other) {
                    if known.len() >= MAX_NODES {
                        continue;
                    }
                    known.insert(other.clone());
                }
                let id = [e.from.as_str(), e.to.as_str(), e.kind].join("\0");
                if edge_seen.insert(Key::from(id.as_str())) {
                    edges.push(e);
                }
                queue.push_back((other, at + 1, way));
            }
        }
        // Edges to nodes left out by the bound are left out too (`listed` names the nodes).
        edges.retain(|e| listed.contains(e.from.as_str()) && listed.contains(e.to.as_str()));
        Neighbourhood { nodes, edges }
    }
}

fn edge(from: &str, to: &str, kind: &'static str) -> GraphEdge {
    GraphEdge {
        from: from.to_string(),
        to: to.to_string(),
        kind,
    }
}

/// Whether `needle` occurs in `haystack`: a plain scan (filters are short; the standard library's
/// two-way search would weigh 2.3 KB of the wasm for this one use).
fn includes(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle)
}
