//! The shapes of `stats()` and `entries()` (API.md), serialized as they are handed to JavaScript.

use crate::core::plain::{Fields, Plain, ToPlain};

/// One tier in `stats()`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TierStats {
    /// Entries the tier holds.
    pub entries: u64,
    /// Bytes it holds, as its budget counts them.
    pub bytes: u64,
    /// Reads it served.
    pub hits: u64,
}

/// `stats()` of API.md.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CacheStats {
    /// Reads that found a value.
    pub hits: u64,
    /// Reads that did not.
    pub misses: u64,
    /// hits / (hits + misses), 0 when none.
    pub hit_rate: f64,
    /// The memory tier.
    pub memory: TierStats,
    /// localStorage.
    pub local: TierStats,
    /// IndexedDB.
    pub indexeddb: TierStats,
    /// Persisted payload before compression.
    pub raw_bytes: u64,
    /// Persisted payload after compression.
    pub stored_bytes: u64,
    /// Preloads stored (predicted, hinted and `prefetch`ed).
    pub prefetched: u64,
    /// Preloaded entries a demand access then read (or joined while they loaded).
    pub prefetch_hits: u64,
    /// The predictor's own scores.
    pub predict: PredictStats,
    /// Storage faults handled.
    pub faults: u64,
}

/// `PredictStats` of API.md: the predicted preloads only (hints and `prefetch` are the app's).
#[derive(Debug, Clone, PartialEq)]
pub struct PredictStats {
    /// 'on', 'shadow', 'off', or 'paused' (precision fell below the floor).
    pub mode: &'static str,
    /// Preloads started (in shadow: guesses that would have been).
    pub issued: u64,
    /// Of those, read by a demand access.
    pub used: u64,
    /// used / issued over the recent window, 0 when none.
    pub precision: f64,
    /// Demand accesses served by a preload / demand accesses that would have missed.
    pub coverage: f64,
    /// Bytes preloaded and not read.
    pub wasted_bytes: u64,
}

impl Default for PredictStats {
    fn default() -> Self {
        PredictStats {
            mode: "off",
            issued: 0,
            used: 0,
            precision: 0.0,
            coverage: 0.0,
            wasted_bytes: 0,
        }
    }
}

/// One entry in `entries()`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryInfo {
    /// Its key.
    pub key: String,
    /// Its durable home.
    pub tier: &'static str,
    /// Whether the memory tier holds a live copy now.
    pub in_memory: bool,
    /// Bytes of its JSON text.
    pub raw_bytes: u64,
    /// Bytes it takes in its home tier.
    pub stored_bytes: u64,
    /// Whether its stored payload is LZ4-compressed.
    pub compressed: bool,
    /// When it was written, epoch ms.
    pub created_at: u64,
    /// When it expires.
    pub expires_at: Option<u64>,
    /// When it turns stale.
    pub stale_at: Option<u64>,
    /// Its tags.
    pub tags: Vec<String>,
    /// What it depends on.
    pub depends_on: Vec<String>,
    /// Reads it served.
    pub hits: u64,
}

/// hits / (hits + misses), 0 when there were none.
pub fn hit_rate(hits: u64, misses: u64) -> f64 {
    if hits + misses == 0 {
        0.0
    } else {
        hits as f64 / (hits + misses) as f64
    }
}

/// A preload the devtools list: what, why, how likely, and whether a demand access used it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentPreload {
    /// Its key.
    pub key: String,
    /// 'predicted', 'hint' or 'manual'.
    pub reason: crate::core::predict::Reason,
    /// The model's probability (1 for hints and `prefetch`).
    pub probability: f32,
    /// A demand access read it, or joined its load.
    pub used: bool,
}

/// What the devtools show of the predictor: its strongest transitions and the latest preloads.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Strongest first.
    pub transitions: Vec<crate::core::predict::Transition>,
    /// Newest last.
    pub recent: Vec<RecentPreload>,
}

/// What the devtools show of a cache's options.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Its namespace.
    pub namespace: String,
    /// Its version.
    pub version: u64,
    /// Whether it registers with the devtools hook.
    pub devtools: bool,
    /// Each tier's budget in bytes.
    pub budgets: Budgets,
}

/// The tiers' budgets, bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budgets {
    /// `memoryBytes`.
    pub memory: u64,
    /// `localStorageBytes`.
    pub local: u64,
    /// `indexedDbBytes`.
    pub indexeddb: u64,
}

/// A page of `entries()` for the devtools.
#[derive(Debug, Clone, PartialEq)]
pub struct EntriesPage {
    /// The page, sorted by key.
    pub entries: Vec<EntryInfo>,
    /// Entries matching the query in all.
    pub total: u64,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// A key, or a tag, in a dependency neighbourhood.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// The key or tag.
    pub key: String,
    /// The entry's home, when it names a cached entry.
    pub tier: Option<&'static str>,
}

/// `from` depends on `to` (`dependsOn`), or carries the tag `to` (`tag`).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    /// The dependent entry.
    pub from: String,
    /// What it depends on, or its tag.
    pub to: String,
    /// 'dependsOn' or 'tag'.
    pub kind: &'static str,
}

/// `graph(key, depth)` of the devtools handle.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbourhood {
    /// The key first, then what is reached, nearest first.
    pub nodes: Vec<GraphNode>,
    /// Every edge between them.
    pub edges: Vec<GraphEdge>,
}

impl ToPlain for TierStats {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("entries", &self.entries)
            .with("bytes", &self.bytes)
            .with("hits", &self.hits)
            .done()
    }
}

impl ToPlain for CacheStats {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("hits", &self.hits)
            .with("misses", &self.misses)
            .with("hitRate", &self.hit_rate)
            .with("memory", &self.memory)
            .with("local", &self.local)
            .with("indexeddb", &self.indexeddb)
            .with("rawBytes", &self.raw_bytes)
            .with("storedBytes", &self.stored_bytes)
            .with("prefetched", &self.prefetched)
            .with("prefetchHits", &self.prefetch_hits)
            .with("predict", &self.predict)
            .with("faults", &self.faults)
            .done()
    }
}

impl ToPlain for PredictStats {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("mode", &self.mode)
            .with("issued", &self.issued)
            .with("used", &self.used)
            .with("precision", &self.precision)
            .with("coverage", &self.coverage)
            .with("wastedBytes", &self.wasted_bytes)
            .done()
    }
}

impl ToPlain for EntryInfo {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("key", &self.key)
            .with("tier", &self.tier)
            .with("inMemory", &self.in_memory)
            .with("rawBytes", &self.raw_bytes)
            .with("storedBytes", &self.stored_bytes)
            .with("compressed", &self.compressed)
            .with("createdAt", &self.created_at)
            .maybe("expiresAt", &self.expires_at)
            .maybe("staleAt", &self.stale_at)
            .with("tags", &self.tags)
            .with("dependsOn", &self.depends_on)
            .with("hits", &self.hits)
            .done()
    }
}

impl ToPlain for RecentPreload {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("key", &self.key)
            .with("reason", &self.reason)
            .with("probability", &self.probability)
            .with("used", &self.used)
            .done()
    }
}

impl ToPlain for Predictions {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("transitions", &self.transitions)
            .with("recent", &self.recent)
            .done()
    }
}

impl ToPlain for Description {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("namespace", &self.namespace)
            .with("version", &self.version)
            .with("devtools", &self.devtools)
            .with("budgets", &self.budgets)
            .done()
    }
}

impl ToPlain for Budgets {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("memory", &self.memory)
            .with("local", &self.local)
            .with("indexeddb", &self.indexeddb)
            .done()
    }
}

impl ToPlain for EntriesPage {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("entries", &self.entries)
            .with("total", &self.total)
            .maybe("next", &self.next)
            .done()
    }
}

impl ToPlain for GraphNode {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("key", &self.key)
            .maybe("tier", &self.tier)
            .done()
    }
}

impl ToPlain for GraphEdge {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("from", &self.from)
            .with("to", &self.to)
            .with("kind", &self.kind)
            .done()
    }
}

impl ToPlain for Neighbourhood {
    fn to_plain(&self) -> Plain {
        Fields::new()
            .with("nodes", &self.nodes)
            .with("edges", &self.edges)
            .done()
    }
}
