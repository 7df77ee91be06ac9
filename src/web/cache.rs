//! `WasmCache`: the engine behind the `SmartCache` class of the JS face. The face keeps the live
//! values; this class is the boundary only: it reads arguments, calls the engine through the
//! driver (`driver.rs`), and shapes the answers (`convert.rs`).

use super::convert;
use super::driver::{flush, read_batch, PendingRead, Shared};
use super::options;
use crate::core::engine::inspect::EntriesQuery;
use crate::core::engine::options::SetOptions;
use crate::core::engine::Lookup;
use crate::core::error::Error;
use crate::core::predict::{Reason, Surroundings};
use crate::core::types::Tier;
use crate::store::platform::Platform;
use js_sys::{Array, Function, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

type JsResult<T> = Result<T, JsValue>;

/// Reads and checks a `SetOptions` object.
fn set_options(value: JsValue) -> JsResult<SetOptions> {
    options::set_options(value)
        .and_then(|input| input.validate())
        .map_err(convert::error)
}

fn strings(list: Vec<String>) -> Array {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

/// A read: the stored entry or undefined, or a promise of it when IndexedDB must be read (or
/// its records are still loading and the key may be among them).
fn get(shared: &Rc<Shared>, key: &str) -> JsResult<JsValue> {
    let lookup = shared
        .with_engine_unindexed(|e| e.lookup(key))
        .map_err(convert::error)?;
    match lookup {
        Lookup::Incomplete => {
            let (shared, key) = (shared.clone(), key.to_string());
            Ok(future_to_promise(async move {
                shared.until_loaded().await;
                let answer = get(&shared, &key)?;
                match answer.dyn_into::<Promise>() {
                    Ok(read) => JsFuture::from(read).await,
                    Err(found) => Ok(found),
                }
            })
            .into())
        }
        Lookup::ReadIndexedDb { write } if shared.idb.borrow().is_some() || !shared.is_loaded() => {
            let first_of_tick = shared.reads.borrow().is_empty();
            let promise = Promise::new(&mut |resolve, _reject| {
                let read = PendingRead {
                    key: key.to_string(),
                    write,
                    resolve,
                };
                shared.reads.borrow_mut().push(read);
            });
            if first_of_tick {
                // Runs once the current JavaScript task yields, with every read asked for until then.
                spawn_local(read_batch(shared.clone()));
            }
            Ok(promise.into())
        }
        other => Ok(shared.answer(key, other)),
    }
}

/// One cache, as the JS face drives it.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmCache {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl WasmCache {
    /// Opens the cache: localStorage entries are served at once (indexed by `indexLocal`, or
    /// before anything that needs them all); IndexedDB is opened
    /// and its metadata loaded in the background (`loaded`), or, if that fails, the cache carries
    /// on without it and reports a fault. `platform` is the face's `pkg/lib/platform.js`: the
    /// start-up read of localStorage and the IndexedDB driver.
    pub fn open(options: JsValue, platform: Platform) -> JsResult<WasmCache> {
        let mut config = options::cache_options(options)
            .and_then(|input| input.validate())
            .map_err(convert::error)?;
        // Random, so that two tabs writing in the same millisecond are still ordered alike.
        config.writer = (js_sys::Math::random() * f64::from(u32::MAX)) as u32 | 1;
        let shared = Shared::open(config, platform);
        Ok(WasmCache { shared })
    }

    /// Indexes what localStorage holds, which `open` leaves for later so that the first reads
    /// need not wait for it (the face asks for it in its next task; anything that needs every
    /// entry known does it first).
    #[wasm_bindgen(js_name = indexLocal)]
    pub fn index_local(&self) {
        self.shared.with_engine(|_| ());
    }

    /// Resolves once IndexedDB's records are loaded (or the cache does without them): from then
    /// on `has`, `entries`, `stats` and removals know every entry.
    pub fn loaded(&self) -> Promise {
        self.shared.loaded()
    }

    /// Whether `loaded` has resolved.
    #[wasm_bindgen(js_name = isLoaded)]
    pub fn is_loaded(&self) -> bool {
        self.shared.is_loaded()
    }

    /// What the devtools show of the cache's options: `{ namespace, version, devtools, budgets:
    /// { memory, local, indexeddb } }`.
    pub fn describe(&self) -> JsValue {
        convert::plain(&self.shared.engine.borrow().describe())
    }

    /// The name of this cache's IndexedDB database.
    #[wasm_bindgen(js_name = databaseName)]
    pub fn database_name(&self) -> String {
        let engine = self.shared.engine.borrow();
        let config = engine.config();
        crate::store::idb::database_name(&config.namespace, config.version)
    }

    /// Where engine events go; `verbose` adds set/hit/miss/fault events to those that drop live
    /// values. Events from opening are delivered now.
    #[wasm_bindgen(js_name = setListener)]
    pub fn set_listener(&self, listener: Function, verbose: bool) {
        *self.shared.listener.borrow_mut() = Some(listener);
        self.shared.verbose.set(verbose);
        self.shared.flush_events();
    }

    /// Stores a value's JSON text (UTF-8); returns what the face keeps for the live copy
    /// (`convert::stored`). IndexedDB writes wait in the outbox for `flush`.
    pub fn set(&self, key: &str, json: &[u8], options: JsValue) -> JsResult<JsValue> {
        let options = set_options(options)?;
        let stored = self.shared.with_engine(|e| e.set(key, json, options));
        self.shared.put_early();
        Ok(convert::stored(stored.map_err(convert::error)?))
    }

    /// `set` with `tier: 'memory'`, given the size in UTF-8 bytes of the value's JSON text
    /// rather than the text (the face keeps the value; nothing is encoded).
    #[wasm_bindgen(js_name = setInMemory)]
    pub fn set_in_memory(&self, key: &str, json_bytes: f64, options: JsValue) -> JsResult<JsValue> {
        let options = set_options(options)?;
        let stored = self
            .shared
            .with_engine(|e| e.set_in_memory(key, json_bytes as u64, options));
        Ok(convert::stored(stored.map_err(convert::error)?))
    }

    /// `get` after the face found no live value: `{ json, stored }` (`convert::lookup`), `undefined`,
    /// or a Promise of either when the value must be read from IndexedDB.
    pub fn get(&self, key: &str) -> JsResult<JsValue> {
        get(&self.shared, key)
    }

    /// Checks `SetOptions` without storing anything (a load validates them before it starts).
    #[wasm_bindgen(js_name = checkOptions)]
    pub fn check_options(&self, options: JsValue) -> JsResult<()> {
        set_options(options).map(|_| ())
    }

    /// `invalidate(keyOrTag)`: the removed keys, sorted.
    pub fn invalidate(&self, name: &str) -> JsResult<Array> {
        let removed = self.shared.with_engine(|e| e.invalidate(name));
        removed.map(strings).map_err(convert::error)
    }

    /// `invalidatePrefix(prefix)`: the removed keys, sorted.
    #[wasm_bindgen(js_name = invalidatePrefix)]
    pub fn invalidate_prefix(&self, prefix: &str) -> JsResult<Array> {
        let removed = self.shared.with_engine(|e| e.invalidate_prefix(prefix));
        removed.map(strings).map_err(convert::error)
    }

    /// A load of `key`, to be stored with `options`, begins; the token goes to `storeLoaded`
    /// and `loadSpoiled`, and `endLoad` follows in every case.
    #[wasm_bindgen(js_name = beginLoad)]
    pub fn begin_load(&self, key: &str, options: JsValue) -> JsResult<f64> {
        let options = set_options(options)?;
        Ok(self.shared.engine.borrow_mut().begin_load(key, &options) as f64)
    }

    /// The load `token` is over, stored or not.
    #[wasm_bindgen(js_name = endLoad)]
    pub fn end_load(&self, token: f64) {
        self.shared.engine.borrow_mut().end_load(token as u64);
    }

    /// Whether something the load `token` involves changed since it began.
    #[wasm_bindgen(js_name = loadSpoiled)]
    pub fn load_spoiled(&self, token: f64) -> bool {
        self.shared.engine.borrow().load_spoiled(token as u64)
    }

    /// `key` was read while loads were under way (they may have built on it).
    #[wasm_bindgen(js_name = noteRead)]
    pub fn note_read(&self, key: &str) {
        self.shared.with_engine(|e| e.note_read(key));
    }

    /// Stores a loaded value unless something it depends on was invalidated since `token`:
    /// the `stored` object, or `undefined` when it was not stored.
    #[wasm_bindgen(js_name = storeLoaded)]
    pub fn store_loaded(
        &self,
        token: f64,
        key: &str,
        json: &[u8],
        options: JsValue,
    ) -> JsResult<JsValue> {
        let options = set_options(options)?;
        let stored = self
            .shared
            .with_engine(|e| e.store_loaded(token as u64, key, json, options));
        self.shared.put_early();
        Ok(stored
            .map_err(convert::error)?
            .map_or(JsValue::UNDEFINED, convert::stored))
    }

    /// Whether IndexedDB operations wait for `flush`.
    #[wasm_bindgen(js_name = hasPendingWrites)]
    pub fn has_pending_writes(&self) -> bool {
        self.shared.has_pending_writes()
    }

    /// Carries out the pending IndexedDB operations in one transaction. Never rejects: a failed
    /// write becomes a fault, and the entries it was for live on in memory.
    pub fn flush(&self) -> Promise {
        let shared = self.shared.clone();
        future_to_promise(async move {
            flush(shared).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Counts hits the face served (entry ids) and misses of `peek`.
    #[wasm_bindgen(js_name = recordAccesses)]
    pub fn record_accesses(&self, ids: &[u32], misses: u32) {
        self.shared
            .engine
            .borrow_mut()
            .record_accesses(ids, u64::from(misses));
    }

    /// The JSON text of a hit on `key` did not parse: the entry goes as corrupt.
    #[wasm_bindgen(js_name = refuseRead)]
    pub fn refuse_read(&self, key: &str, why: &str) -> JsResult<()> {
        self.shared
            .with_engine(|e| e.refuse_read(key, why))
            .map_err(convert::error)
    }

    /// The face's live value of `key` expired.
    pub fn miss(&self, key: &str) -> JsResult<()> {
        self.shared
            .with_engine(|e| e.miss(key))
            .map_err(convert::error)
    }

    /// Whether some tier holds `key`.
    pub fn has(&self, key: &str) -> JsResult<bool> {
        self.shared
            .with_engine(|e| e.has(key))
            .map_err(convert::error)
    }

    /// Removes `key` from every tier; whether it was there.
    pub fn delete(&self, key: &str) -> JsResult<bool> {
        self.shared
            .with_engine(|e| e.delete(key))
            .map_err(convert::error)
    }

    /// Empties this namespace in every tier.
    pub fn clear(&self) -> JsResult<()> {
        self.shared
            .with_engine(|e| e.clear())
            .map_err(convert::error)
    }

    /// `stats()` as a plain object.
    pub fn stats(&self) -> JsValue {
        convert::plain(&self.shared.with_engine(|e| e.stats()))
    }

    /// `entries()` as plain objects.
    pub fn entries(&self) -> JsValue {
        convert::plain(&self.shared.with_engine(|e| e.entries()))
    }

    /// A page of entries for the devtools: `{ entries, total, next? }`, sorted by key, after
    /// `cursor`, only keys or tags containing `filter` and entries of `tier` when given.
    #[wasm_bindgen(js_name = entriesPage)]
    pub fn entries_page(
        &self,
        filter: Option<String>,
        tier: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> JsResult<JsValue> {
        let tier = match tier.as_deref() {
            None => None,
            Some(name) => Some(Tier::named(name).ok_or_else(|| {
                convert::error(Error::InvalidOption(format!(
                    "tier must be 'memory', 'local' or 'indexeddb', got {}",
                    crate::core::error::quoted(name)
                )))
            })?),
        };
        let query = EntriesQuery {
            filter,
            tier,
            cursor,
            limit: limit.map(|l| l as usize),
        };
        Ok(convert::plain(
            &self.shared.with_engine(|e| e.entries_page(&query)),
        ))
    }

    /// What the devtools show of the predictor: `{ transitions: [{ after, next, probability,
    /// seen }], recent: [{ key, reason, probability, used }] }`.
    pub fn predictions(&self, limit: u32) -> JsValue {
        convert::plain(&self.shared.engine.borrow().predictions(limit as usize))
    }

    /// The dependency neighbourhood of `key` for the devtools: `{ nodes, edges }`.
    pub fn graph(&self, key: &str, depth: u32) -> JsValue {
        convert::plain(
            &self
                .shared
                .with_engine(|e| e.neighbourhood(key, depth as usize)),
        )
    }

    /// Whether the predictor learns (predict is 'on' or 'shadow'): the face then plans preloads
    /// when the page is idle after demand accesses.
    pub fn predicting(&self) -> bool {
        self.shared.engine.borrow().predicts()
    }

    /// The prefixes of the registered loaders: only their keys are preloaded.
    #[wasm_bindgen(js_name = setLoaderPrefixes)]
    pub fn set_loader_prefixes(&self, prefixes: Vec<String>) {
        self.shared
            .engine
            .borrow_mut()
            .set_loader_prefixes(prefixes);
    }

    /// The app hints at `key` (hover, focus): it goes ahead of the guesses at the next plan.
    pub fn hint(&self, key: &str) -> JsResult<()> {
        self.shared
            .with_engine(|e| e.hint(key))
            .map_err(convert::error)
    }

    /// Whether `key` lacks a fresh copy in every tier and nothing loads it.
    #[wasm_bindgen(js_name = needsLoad)]
    pub fn needs_load(&self, key: &str) -> bool {
        self.shared.with_engine(|e| e.needs_load(key))
    }

    /// What to preload now, given the page's circumstances: `[{ key, probability, reason, guess? }]`
    /// (`guess`: the scorer's id, for predicted preloads). Saves the model when due.
    #[wasm_bindgen(js_name = planPreloads)]
    pub fn plan_preloads(
        &self,
        effective_type: Option<String>,
        save_data: bool,
        hidden: bool,
        offline: bool,
    ) -> JsResult<JsValue> {
        let around = Surroundings {
            effective_type,
            save_data,
            hidden,
            offline,
        };
        Ok(convert::plain(
            &self.shared.with_engine(|e| e.plan_preloads(&around)),
        ))
    }

    /// A preload of `key` begins (`reason`: 'predicted', 'hint' or 'manual'; `guess` as
    /// `planPreloads` gave it); the token works as `beginLoad`'s does.
    #[wasm_bindgen(js_name = beginPreload)]
    pub fn begin_preload(
        &self,
        key: &str,
        options: JsValue,
        reason: &str,
        guess: Option<f64>,
        probability: f64,
    ) -> JsResult<f64> {
        let options = set_options(options)?;
        let reason = Reason::named(reason).unwrap_or(Reason::Manual);
        let guess = guess.map(|g| g as u64);
        let token = self
            .shared
            .with_engine(|e| e.begin_preload(key, &options, reason, guess, probability as f32));
        Ok(token as f64)
    }

    /// A demand access joined the preload `token`.
    #[wasm_bindgen(js_name = preloadJoined)]
    pub fn preload_joined(&self, token: f64) {
        self.shared.engine.borrow_mut().preload_joined(token as u64);
    }

    /// Saves the predictor's model now (the face calls it when the page is hidden or closes).
    #[wasm_bindgen(js_name = saveModel)]
    pub fn save_model(&self) {
        self.shared.with_engine(|e| e.save_model(true));
    }

    /// Closes the cache (saving the predictor's model first): releases IndexedDB and the
    /// channel; later calls fail with `CLOSED`.
    pub fn close(&self) {
        self.shared.with_engine(|e| e.save_model(true));
        self.shared.engine.borrow_mut().close();
        if let Some(idb) = self.shared.idb.borrow().as_ref() {
            idb.close();
        }
        *self.shared.listener.borrow_mut() = None;
        if let Some(tabs) = self.shared.tabs.borrow_mut().take() {
            tabs.leave();
        }
    }
}
