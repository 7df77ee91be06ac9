//! The `wasm-bindgen` boundary: the smallest adapter between the engine and the JS face in `pkg/`.
//! Errors become JS `Error`s carrying the API `code`; the face turns them into `SmartCacheError`.

#[cfg(feature = "bench")]
mod bench;
mod cache;
mod convert;
mod driver;
mod options;
mod tabs;
mod timer;

#[cfg(feature = "bench")]
pub use bench::{pack_value, replay_trace, unpack_value};
pub use cache::WasmCache;

/// Time in the browser: `Date.now()`, the same clock the face compares expiry against.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateClock;

impl crate::core::clock::Clock for DateClock {
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }
}
