//! What only the benchmarks call, built with the `bench` feature into `pkg/wasm-bench/` and never
//! shipped: trace replay through the tiers' policies (the same code the cache runs, driven by a
//! trace) and the codec as the persistent tiers use it.

use super::convert;
use crate::core::error::{Corruption, Error};
use crate::core::format::{codec, record, text};
use crate::core::policy::{self, Gdsf, Lru, Policy};
use wasm_bindgen::prelude::*;

/// Ids the replay accepts: the policies size per-handle arrays by the largest id.
const MAX_TRACE_ID: u32 = 1 << 24;
/// The largest budget a policy can split into its queues without overflow (2^53: exact in f64).
const MAX_BUDGET: f64 = 9_007_199_254_740_992.0;

/// Encodes a value's JSON text, given in UTF-8 as a set hands it over (`jsonUtf8` in
/// `pkg/lib/json.js`), as the persistent tiers store it: enveloped, LZ4-compressed when larger
/// than `compress_above` and worth it, after its checksum (what a set seals into the entry's
/// metadata), packed at 15 bits per UTF-16 unit: the string's units (`textOfUnits` in
/// `pkg/lib/platform.js` makes the string, as a write to localStorage does).
#[wasm_bindgen(js_name = packValue)]
pub fn pack_value(json: &[u8], compress_above: usize) -> Vec<u16> {
    let envelope = codec::encode(json, compress_above);
    let mut bytes = record::payload_sum(&envelope).to_le_bytes().to_vec();
    bytes.extend_from_slice(&envelope);
    text::pack(&bytes)
}

/// The inverse of `packValue`, given the packed string's UTF-16 units as the cache reads them
/// from localStorage (`unitsOf` in `pkg/lib/platform.js`), as a get opens an entry's payload:
/// checked against the checksum before it, opened, its text checked as UTF-8. Anything
/// `packValue` did not make fails with code `CORRUPT_ENTRY`.
#[wasm_bindgen(js_name = unpackValue)]
pub fn unpack_value(packed: &[u16]) -> Result<js_sys::JsString, JsValue> {
    let raw = text::unpack(packed)
        .and_then(|bytes| {
            let (sum, envelope) = bytes
                .split_first_chunk::<4>()
                .ok_or(Error::Corrupt(Corruption::ShortEnvelope))?;
            record::open_payload(envelope, u32::from_le_bytes(*sum))
        })
        .map_err(convert::error)?;
    convert::text(&raw).ok_or_else(|| convert::error(Error::Corrupt(Corruption::PayloadNotUtf8)))
}

/// Replays `keys` (ids) with their `sizes` through `policy` ("gdsf", the cache's, or "lru") with
/// a byte `budget`, as `policy::replay` does. Returns the number of hits.
#[wasm_bindgen(js_name = replayTrace)]
pub fn replay_trace(
    policy: &str,
    budget: f64,
    keys: &[u32],
    sizes: &[u32],
) -> Result<f64, JsValue> {
    if keys.len() != sizes.len() {
        return Err(JsValue::from_str("keys and sizes differ in length"));
    }
    if keys.iter().any(|&k| k >= MAX_TRACE_ID) {
        return Err(JsValue::from_str("trace ids must be below 2^24"));
    }
    if !((0.0..=MAX_BUDGET).contains(&budget) && budget.fract() == 0.0) {
        return Err(JsValue::from_str("budget must be a whole number of bytes"));
    }
    let mut policy: Box<dyn Policy> = match policy {
        "gdsf" => Box::new(Gdsf::new(budget as u64)),
        "lru" => Box::new(Lru::new(budget as u64)),
        other => return Err(JsValue::from_str(&format!("unknown policy {other}"))),
    };
    Ok(policy::replay(policy.as_mut(), keys, sizes) as f64)
}
