//! What the JS face hands the core of the page (`pkg/lib/platform.js`): the start-up read of
//! localStorage and the IndexedDB driver. `SmartCache.open` passes that module to
//! `WasmCache.open`; the wasm-bindgen tests import it themselves.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The module `pkg/lib/platform.js` (any object with its functions).
    #[derive(Debug, Clone)]
    pub type Platform;

    /// `[keys, heads, lengths]`: every localStorage key starting with `prefix`, its value's
    /// length and first `units` units (see the JS: the keys as UTF-8).
    #[wasm_bindgen(method, js_name = readStorageHeads, catch)]
    pub fn read_storage_heads(
        this: &Platform,
        prefix: &str,
        units: u32,
    ) -> Result<JsValue, JsValue>;

    /// The localStorage keys that start with `prefix` but not with `kept`.
    #[wasm_bindgen(method, js_name = storageKeysBut, catch)]
    pub fn storage_keys_but(
        this: &Platform,
        prefix: &str,
        kept: &str,
    ) -> Result<Vec<String>, JsValue>;

    /// `[length, units]` of the value of `key` (its first `limit` UTF-16 units), or null.
    #[wasm_bindgen(method, js_name = readStoredUnits, catch)]
    pub fn read_stored_units(this: &Platform, key: &str, limit: u32) -> Result<JsValue, JsValue>;

    /// Stores the string of UTF-16 units `units` under `key`; throws what localStorage throws.
    #[wasm_bindgen(method, js_name = writeStoredUnits, catch)]
    pub fn write_stored_units(this: &Platform, key: &str, units: &[u16]) -> Result<(), JsValue>;

    /// Resolves to a `Database`; `on_lost` is called once if another page deletes or upgrades it.
    #[wasm_bindgen(method, js_name = openDatabase, catch)]
    pub fn open_database(
        this: &Platform,
        name: &str,
        timeout_ms: u32,
        on_lost: &JsValue,
    ) -> Result<Promise, JsValue>;

    /// One open database of the driver.
    #[derive(Debug, Clone)]
    pub type Database;

    /// Hands the journal's chunks to `compact`, which answers what to rewrite them as (see the JS).
    #[wasm_bindgen(method, js_name = loadMeta)]
    pub fn load_meta(this: &Database, version: f64, compact: &JsValue) -> Promise;

    /// A compare-and-set batch in one transaction (`batch`'s, when given: `early` marks the
    /// keys whose last write it added); `decide` answers per key and with the journal's chunk;
    /// resolves to the chunk's key (see the JS).
    #[wasm_bindgen(method)]
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        this: &Database,
        clear: bool,
        keys: &Array,
        metas: &Array,
        payloads: &Array,
        decide: &JsValue,
        batch: Option<&WriteBatch>,
        early: Option<Box<[u8]>>,
    ) -> Promise;

    /// A batch of writes begun ahead of its `apply` (see the JS); throws when the connection
    /// was closed.
    #[wasm_bindgen(method, catch)]
    pub fn begin(this: &Database) -> Result<WriteBatch, JsValue>;

    /// Writes started ahead of a batch's `apply`, in its transaction.
    #[derive(Debug, Clone)]
    pub type WriteBatch;

    /// Aborts the batch's transaction: nothing of it is kept.
    #[wasm_bindgen(method)]
    pub fn abandon(this: &WriteBatch);

    /// Puts a new entry's records under `key` unless something is stored there; throws when
    /// the batch's transaction is no longer active.
    #[wasm_bindgen(method, catch)]
    pub fn add(this: &WriteBatch, key: &str, meta: &[u8], payload: &[u8]) -> Result<(), JsValue>;

    /// Resolves to the payload envelopes stored under `keys`.
    #[wasm_bindgen(method, js_name = readMany)]
    pub fn read_many(this: &Database, keys: &Array) -> Promise;

    /// Releases the connection.
    #[wasm_bindgen(method)]
    pub fn close(this: &Database);
}

/// A record read back, if it is bytes.
pub(crate) fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}
