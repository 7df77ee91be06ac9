//! Trace replay through the memory tier's policies, for the hit-ratio benchmark: the same code
//! the cache runs, driven by a trace instead of by pages.

use crate::core::memory::{Lru, Policy, S3Fifo};
use wasm_bindgen::prelude::*;

/// Replays `keys` (ids) with their `sizes` through `policy` ("s3fifo" or "lru") with a byte
/// `budget`; a miss inserts. Returns the number of hits.
#[wasm_bindgen(js_name = replayTrace)]
pub fn replay_trace(
    policy: &str,
    budget: f64,
    keys: &[u32],
    sizes: &[u32],
) -> Result<f64, JsValue> {
    let mut policy: Box<dyn Policy> = match policy {
        "s3fifo" => Box::new(S3Fifo::new(budget as u64)),
        "lru" => Box::new(Lru::new(budget as u64)),
        other => return Err(JsValue::from_str(&format!("unknown policy {other}"))),
    };
    let mut hits = 0u64;
    let mut evicted = Vec::new();
    for (&key, &size) in keys.iter().zip(sizes) {
        if policy.contains(key) {
            hits += 1;
            policy.touch(key);
        } else {
            policy.insert(key, u64::from(key), u64::from(size), &mut evicted);
            evicted.clear();
        }
    }
    Ok(hits as f64)
}
