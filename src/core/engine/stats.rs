//! The shapes of `stats()` and `entries()` (API.md), serialized as they are handed to JavaScript.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TierStats {
    pub entries: u64,
    pub bytes: u64,
    pub hits: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub hit_rate: f64,
    pub memory: TierStats,
    pub local: TierStats,
    pub indexeddb: TierStats,
    pub raw_bytes: u64,
    pub stored_bytes: u64,
    pub prefetched: u64,
    pub prefetch_hits: u64,
    pub faults: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryInfo {
    pub key: String,
    pub tier: &'static str,
    pub in_memory: bool,
    pub raw_bytes: u64,
    pub stored_bytes: u64,
    pub compressed: bool,
    pub created_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_at: Option<u64>,
    pub tags: Vec<String>,
    pub depends_on: Vec<String>,
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
