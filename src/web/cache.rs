//! `WasmCache`: the engine behind the `SmartCache` class of the JS face. The face keeps the live
//! values; this side keeps the rules. Events go to one listener installed by the face.

use super::convert;
use super::DateClock;
use crate::core::engine::Engine;
use crate::core::options::{CacheOptionsInput, SetOptionsInput};
use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct WasmCache {
    engine: Engine<DateClock>,
    listener: Option<Function>,
    /// Whether anybody subscribed: otherwise only removals (which the face must apply) are sent.
    verbose: bool,
}

type JsResult<T> = Result<T, JsValue>;

#[wasm_bindgen]
impl WasmCache {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<WasmCache> {
        let input: CacheOptionsInput = convert::options(options)?;
        let config = input.validate().map_err(convert::error)?;
        Ok(WasmCache {
            engine: Engine::new(DateClock, config),
            listener: None,
            verbose: false,
        })
    }

    /// Where engine events go; `verbose` adds set/hit/miss events to the removals.
    #[wasm_bindgen(js_name = setListener)]
    pub fn set_listener(&mut self, listener: Function, verbose: bool) {
        self.listener = Some(listener);
        self.verbose = verbose;
    }

    /// Stores a value's JSON text; returns `[id, expiresAt]` (0 for no expiry) for the live copy.
    pub fn set(&mut self, key: &str, json: &str, options: JsValue) -> JsResult<Box<[f64]>> {
        let options = convert::options::<SetOptionsInput>(options)?
            .validate()
            .map_err(convert::error);
        let result = options.and_then(|o| {
            self.engine
                .set(key, json.as_bytes(), o)
                .map_err(convert::error)
        });
        self.flush_events();
        let stored = result?;
        Ok(Box::new([
            f64::from(stored.id),
            stored.expires_at.map_or(0.0, |at| at as f64),
        ]))
    }

    /// Counts hits the face served (entry ids) and misses of `peek`.
    #[wasm_bindgen(js_name = recordAccesses)]
    pub fn record_accesses(&mut self, ids: &[u32], misses: u32) {
        self.engine.record_accesses(ids, u64::from(misses));
    }

    /// The face has no live value for `key`.
    pub fn miss(&mut self, key: &str) -> JsResult<()> {
        let result = self.engine.miss(key).map_err(convert::error);
        self.flush_events();
        result
    }

    pub fn has(&mut self, key: &str) -> JsResult<bool> {
        let result = self.engine.has(key).map_err(convert::error);
        self.flush_events();
        result
    }

    pub fn delete(&mut self, key: &str) -> JsResult<bool> {
        let result = self.engine.delete(key).map_err(convert::error);
        self.flush_events();
        result
    }

    pub fn clear(&mut self) -> JsResult<()> {
        let result = self.engine.clear().map_err(convert::error);
        self.flush_events();
        result
    }

    pub fn stats(&mut self) -> JsValue {
        let stats = self.engine.stats();
        self.flush_events();
        convert::plain(&stats)
    }

    pub fn entries(&mut self) -> JsValue {
        let entries = self.engine.entries();
        self.flush_events();
        convert::plain(&entries)
    }

    pub fn close(&mut self) {
        self.engine.close();
        self.listener = None;
    }

    fn flush_events(&mut self) {
        let verbose = self.verbose;
        let listener = self.listener.as_ref();
        for event in self.engine.drain_events() {
            if let Some(listener) = listener.filter(|_| verbose || event.removes_live_value()) {
                // A throwing listener must not break the engine: the face guards its subscribers.
                let _ = listener.call1(&JsValue::NULL, &convert::event(&event));
            }
        }
    }
}
