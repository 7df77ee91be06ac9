//! The `wasm-bindgen` boundary: the smallest adapter between the engine and the JS face in `pkg/`.
//! Errors become JS `Error`s carrying the API `code`; the face turns them into `SmartCacheError`.

mod cache;
mod convert;
mod options;
mod replay;
mod tabs;

pub use cache::WasmCache;
pub use replay::replay_trace;

use crate::core::{codec, text};
use wasm_bindgen::prelude::*;

/// Time in the browser: `Date.now()`, the same clock the face compares expiry against.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateClock;

impl crate::core::clock::Clock for DateClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}

/// Encodes a value's JSON text as the persistent tiers store it: enveloped, LZ4-compressed when
/// larger than `compress_above` and worth it, packed at 15 bits per UTF-16 unit.
#[wasm_bindgen(js_name = packValue)]
pub fn pack_value(json: &str, compress_above: usize) -> String {
    text::pack(&codec::encode(json.as_bytes(), compress_above))
}

/// The inverse of `packValue`; anything it did not make fails with code `CORRUPT_ENTRY`.
#[wasm_bindgen(js_name = unpackValue)]
pub fn unpack_value(packed: &str) -> Result<String, JsValue> {
    let raw = text::unpack(packed)
        .and_then(|bytes| codec::decode(&bytes))
        .map_err(convert::error)?;
    String::from_utf8(raw).map_err(|_| {
        convert::error(crate::core::error::Error::Corrupt(
            "payload is not UTF-8 text".into(),
        ))
    })
}
