//! What the engine reports about itself: `stats()` and `entries()`.

use super::Engine;
use crate::core::clock::Clock;
use crate::core::engine::stats::{
    hit_rate, Budgets, CacheStats, Description, EntryInfo, PredictStats, TierStats,
};
use crate::core::engine::store::LocalStore;
use crate::core::policy::{Gdsf, Policy};
use crate::core::types::Tier;

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// Counters and sizes, as `stats()` of API.md.
    pub fn stats(&mut self) -> CacheStats {
        self.purge_expired();
        let c = &self.counters;
        let tier = |policy: &Gdsf, hits| TierStats {
            entries: policy.len() as u64,
            bytes: policy.weight(),
            hits,
        };
        let persisted = self
            .index
            .values()
            .filter_map(|&h| self.entries.get(h))
            .filter(|e| e.home != Tier::Memory);
        let (raw_bytes, stored_bytes) = persisted.fold((0, 0), |(raw, stored), e| {
            (raw + e.meta.raw_bytes, stored + e.meta.payload_bytes)
        });
        CacheStats {
            hits: c.hits,
            misses: c.misses,
            hit_rate: hit_rate(c.hits, c.misses),
            memory: tier(&self.policies.memory, c.memory_hits),
            // The predictor's saved model counts against localStorage's budget.
            local: TierStats {
                bytes: self.policies.local.weight() + self.model_cost,
                ..tier(&self.policies.local, c.local_hits)
            },
            indexeddb: tier(&self.policies.idb, c.idb_hits),
            raw_bytes,
            stored_bytes,
            faults: c.faults,
            prefetched: c.prefetched,
            prefetch_hits: c.prefetch_hits,
            predict: {
                let scores = self.predictor.scores();
                PredictStats {
                    mode: self.predictor.mode_name(),
                    issued: scores.issued,
                    used: scores.used,
                    precision: scores.precision,
                    coverage: scores.coverage,
                    wasted_bytes: scores.wasted_bytes,
                }
            },
        }
    }

    /// What the devtools show of the options.
    pub fn describe(&self) -> Description {
        let c = &self.config;
        Description {
            namespace: c.namespace.clone(),
            version: c.version,
            devtools: c.devtools,
            budgets: Budgets {
                memory: c.memory_bytes,
                local: c.local_storage_bytes,
                indexeddb: c.indexed_db_bytes,
            },
        }
    }

    /// Every entry, sorted by key.
    pub fn entries(&mut self) -> Vec<EntryInfo> {
        self.purge_expired();
        // `ordered` holds the keys sorted.
        self.ordered
            .iter()
            .filter_map(|key| self.entry_info(*self.index.get(key)?))
            .collect()
    }
}
