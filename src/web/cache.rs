//! `WasmCache`: the engine behind the `SmartCache` class of the JS face. The face keeps the live
//! values; this side keeps the rules, drives localStorage, and carries the engine's IndexedDB
//! decisions out asynchronously. Events go to one listener installed by the face.

use super::convert;
use super::options;
use super::tabs::Tabs;
use super::timer::sleep;
use super::DateClock;
use crate::core::engine::options::SetOptions;
use crate::core::engine::{Broadcast, Engine, Lookup, Stored};
use crate::store::idb::IdbStore;
use crate::store::local::BrowserLocalStore;
use futures_util::future::{select, Either};
use js_sys::{Array, Function, Promise};
use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local};

type JsResult<T> = Result<T, JsValue>;

/// How long `open` waits for a blocked IndexedDB before carrying on without it.
const IDB_OPEN_TIMEOUT_MS: i32 = 3_000;

/// A `get` waiting for its payload from IndexedDB.
struct PendingRead {
    key: String,
    write: u64,
    resolve: Function,
}

/// What the synchronous calls and the asynchronous IndexedDB work share.
struct Shared {
    engine: RefCell<Engine<DateClock, BrowserLocalStore>>,
    idb: Option<Rc<IdbStore>>,
    /// Reads asked for in this tick; they share one transaction.
    reads: RefCell<Vec<PendingRead>>,
    listener: RefCell<Option<Function>>,
    tabs: RefCell<Option<Tabs>>,
    /// Changes for the other tabs, posted together at the next task.
    outgoing: RefCell<Vec<Broadcast>>,
    /// Whether anybody subscribed: otherwise only events that drop live values are sent.
    verbose: Cell<bool>,
}

impl Shared {
    /// Hands the engine's events to the listener, outside any borrow of the engine (a listener
    /// may call back into the cache).
    fn flush_events(&self) {
        let verbose = self.verbose.get();
        let events: Vec<_> = self
            .engine
            .borrow_mut()
            .drain_events()
            .filter(|e| verbose || e.drops_live_value())
            .collect();
        let listener = self.listener.borrow().clone();
        if let Some(listener) = listener {
            for event in &events {
                // A throwing listener must not break the engine: the face guards its subscribers.
                let _ = listener.call1(&JsValue::NULL, &convert::event(event));
            }
        }
    }

    fn with_engine<T>(
        self: &Rc<Self>,
        f: impl FnOnce(&mut Engine<DateClock, BrowserLocalStore>) -> T,
    ) -> T {
        let result = f(&mut self.engine.borrow_mut());
        self.flush_events();
        self.tell_other_tabs();
        result
    }

    /// Sends the engine's changes to the other tabs once storage holds them (IndexedDB writes
    /// waiting for a flush hold the messages back), one message for all the changes made before
    /// the page next yields to its task queue.
    fn tell_other_tabs(self: &Rc<Self>) {
        let messages = {
            let mut engine = self.engine.borrow_mut();
            if engine.has_pending_writes() {
                return;
            }
            engine.take_broadcasts()
        };
        if messages.is_empty() || self.tabs.borrow().is_none() {
            return;
        }
        let first_of_task = self.outgoing.borrow().is_empty();
        self.outgoing.borrow_mut().extend(messages);
        if first_of_task {
            let shared = self.clone();
            spawn_local(async move {
                sleep(0).await;
                let batch = std::mem::take(&mut *shared.outgoing.borrow_mut());
                if let Some(tabs) = shared.tabs.borrow().as_ref() {
                    tabs.post(&batch);
                }
            });
        }
    }

    /// `[json, id, expiresAt, inMemory]` for a hit, `undefined` for a miss.
    fn lookup_to_js(lookup: Lookup) -> JsValue {
        match lookup {
            Lookup::Hit { json, stored } => {
                let row = stored_to_js(stored);
                row.unshift(&JsValue::from_str(&String::from_utf8_lossy(&json)));
                row.into()
            }
            Lookup::Miss | Lookup::ReadIndexedDb { .. } => JsValue::UNDEFINED,
        }
    }
}

/// Reads and checks a `SetOptions` object.
fn set_options(value: JsValue) -> JsResult<SetOptions> {
    options::set_options(value)
        .and_then(|input| input.validate())
        .map_err(convert::error)
}

/// `[id, expiresAt, inMemory, staleAt]` (0 = never for the times).
fn stored_to_js(stored: Stored) -> Array {
    let row = Array::new();
    row.push(&f64::from(stored.id).into());
    row.push(&stored.expires_at.map_or(0.0, |at| at as f64).into());
    row.push(&stored.in_memory.into());
    row.push(&stored.stale_at.map_or(0.0, |at| at as f64).into());
    row
}

fn strings(list: Vec<String>) -> Array {
    list.iter().map(|s| JsValue::from_str(s)).collect()
}

/// Carries out the pending IndexedDB operations, then tells the other tabs what changed.
async fn flush(shared: Rc<Shared>) {
    let ops = shared.engine.borrow_mut().take_outbox();
    if !ops.is_empty() {
        if let Some(idb) = &shared.idb {
            let seal = shared.engine.borrow().seal();
            if let Err(why) = idb.apply(&ops, seal).await {
                shared.with_engine(|e| e.idb_write_failed(&ops, &why));
            }
        }
    }
    shared.tell_other_tabs();
}

/// Reads the payloads of the pending `get`s in one transaction and answers each.
async fn read_batch(shared: Rc<Shared>) {
    let reads = std::mem::take(&mut *shared.reads.borrow_mut());
    let keys: Vec<String> = reads.iter().map(|r| r.key.clone()).collect();
    let payloads = match &shared.idb {
        Some(idb) => idb.read_many(&keys).await,
        None => Err("IndexedDB is not open".into()),
    };
    for (i, read) in reads.iter().enumerate() {
        let found = shared.with_engine(|e| match &payloads {
            Ok(payloads) => e.ingest_indexed_db(&read.key, read.write, payloads[i].clone()),
            Err(why) => {
                // The entry may be fine: the read failed, so this get misses and the entry stays.
                e.report_idb_fault(why);
                e.miss(&read.key).map(|()| Lookup::Miss)
            }
        });
        let answer = found
            .map(Shared::lookup_to_js)
            .unwrap_or(JsValue::UNDEFINED);
        let _ = read.resolve.call1(&JsValue::NULL, &answer);
    }
}

/// Opens the database, or gives up after `IDB_OPEN_TIMEOUT_MS` (another page holds it blocked).
async fn open_idb(namespace: &str, version: u64) -> Result<IdbStore, String> {
    let open = IdbStore::open(namespace, version);
    match select(pin!(open), pin!(sleep(IDB_OPEN_TIMEOUT_MS))).await {
        Either::Left((opened, _)) => opened,
        Either::Right(_) => Err(format!(
            "IndexedDB did not open within {IDB_OPEN_TIMEOUT_MS} ms (blocked?)"
        )),
    }
}

#[wasm_bindgen]
pub struct WasmCache {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl WasmCache {
    /// Opens the cache: localStorage entries are indexed at once; IndexedDB is opened and its
    /// metadata loaded, or, if it fails, the cache carries on without it and reports a fault.
    pub async fn open(options: JsValue) -> JsResult<WasmCache> {
        let mut config = options::cache_options(options)
            .and_then(|input| input.validate())
            .map_err(convert::error)?;
        // Random, so that two tabs writing in the same millisecond are still ordered alike.
        config.writer = (js_sys::Math::random() * f64::from(u32::MAX)) as u32 | 1;
        let version = config.version;
        let idb = open_idb(&config.namespace, version).await;
        let mut engine = Engine::open(DateClock, config, BrowserLocalStore::new());
        let idb = match idb {
            Ok(store) => match store.load_meta(version).await {
                Ok(records) => {
                    engine.set_idb_available(true, "");
                    for (key, meta) in records {
                        engine.load_idb_record(&key, &meta);
                    }
                    Some(Rc::new(store))
                }
                Err(why) => {
                    engine.set_idb_available(false, &why);
                    None
                }
            },
            Err(why) => {
                engine.set_idb_available(false, &why);
                None
            }
        };
        let database = crate::store::idb::database_name(&engine.config().namespace, version);
        let cross_tab = engine.config().cross_tab;
        let namespace = engine.config().namespace.clone();
        let shared = Rc::new(Shared {
            engine: RefCell::new(engine),
            idb,
            reads: RefCell::new(Vec::new()),
            listener: RefCell::new(None),
            tabs: RefCell::new(None),
            outgoing: RefCell::new(Vec::new()),
            verbose: Cell::new(false),
        });
        if let Some(idb) = shared.idb.clone() {
            let weak = Rc::downgrade(&shared);
            spawn_local(async move {
                idb.listen(&database, move || {
                    let Some(shared) = weak.upgrade() else { return };
                    shared.with_engine(|e| {
                        e.idb_lost("IndexedDB: another page deleted or upgraded the database")
                    });
                })
                .await;
            });
        }
        if cross_tab {
            let weak = Rc::downgrade(&shared);
            let tabs = Tabs::join(&namespace, version, move |message| {
                let Some(shared) = weak.upgrade() else { return };
                shared.with_engine(|e| e.apply_remote(message));
                if shared.engine.borrow().has_pending_writes() {
                    spawn_local(flush(shared));
                }
            });
            *shared.tabs.borrow_mut() = tabs;
        }
        Ok(WasmCache { shared })
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

    /// Stores a value's JSON text; returns `[id, expiresAt, inMemory, staleAt]` for the live copy.
    /// IndexedDB writes wait in the outbox for `flush`.
    pub fn set(&self, key: &str, json: &str, options: JsValue) -> JsResult<Array> {
        let options = set_options(options)?;
        let stored = self
            .shared
            .with_engine(|e| e.set(key, json.as_bytes(), options));
        Ok(stored_to_js(stored.map_err(convert::error)?))
    }

    /// `get` after the face found no live value: `[json, id, expiresAt, inMemory, staleAt]`, `undefined`,
    /// or a Promise of either when the value must be read from IndexedDB.
    pub fn get(&self, key: &str) -> JsResult<JsValue> {
        let lookup = self
            .shared
            .with_engine(|e| e.lookup(key))
            .map_err(convert::error)?;
        let (Lookup::ReadIndexedDb { write }, Some(_)) = (&lookup, &self.shared.idb) else {
            return Ok(Shared::lookup_to_js(lookup));
        };
        let write = *write;
        let first_of_tick = self.shared.reads.borrow().is_empty();
        let promise = Promise::new(&mut |resolve, _reject| {
            let read = PendingRead {
                key: key.to_string(),
                write,
                resolve,
            };
            self.shared.reads.borrow_mut().push(read);
        });
        if first_of_tick {
            // Runs once the current JavaScript task yields, with every read asked for until then.
            spawn_local(read_batch(self.shared.clone()));
        }
        Ok(promise.into())
    }

    /// Checks `SetOptions` without storing anything (a load validates them before it starts).
    #[wasm_bindgen(js_name = checkOptions)]
    pub fn check_options(&self, options: JsValue) -> JsResult<()> {
        set_options(options).map(|_| ())
    }

    pub fn invalidate(&self, name: &str) -> JsResult<Array> {
        let removed = self.shared.with_engine(|e| e.invalidate(name));
        removed.map(strings).map_err(convert::error)
    }

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

    /// Bookkeeping the engine holds for loads (for tests of boundedness).
    #[wasm_bindgen(js_name = loadsInFlight)]
    pub fn loads_in_flight(&self) -> u32 {
        self.shared.engine.borrow().loads_in_flight() as u32
    }

    /// Stores a loaded value unless something it depends on was invalidated since `token`:
    /// `[id, expiresAt, inMemory, staleAt]`, or `undefined` when it was not stored.
    #[wasm_bindgen(js_name = storeLoaded)]
    pub fn store_loaded(
        &self,
        token: f64,
        key: &str,
        json: &str,
        options: JsValue,
    ) -> JsResult<JsValue> {
        let options = set_options(options)?;
        let stored = self
            .shared
            .with_engine(|e| e.store_loaded(token as u64, key, json.as_bytes(), options));
        Ok(stored
            .map_err(convert::error)?
            .map_or(JsValue::UNDEFINED, |s| stored_to_js(s).into()))
    }

    /// Whether IndexedDB operations wait for `flush`.
    #[wasm_bindgen(js_name = hasPendingWrites)]
    pub fn has_pending_writes(&self) -> bool {
        self.shared.engine.borrow().has_pending_writes()
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

    pub fn has(&self, key: &str) -> JsResult<bool> {
        self.shared
            .with_engine(|e| e.has(key))
            .map_err(convert::error)
    }

    pub fn delete(&self, key: &str) -> JsResult<bool> {
        self.shared
            .with_engine(|e| e.delete(key))
            .map_err(convert::error)
    }

    pub fn clear(&self) -> JsResult<()> {
        self.shared
            .with_engine(|e| e.clear())
            .map_err(convert::error)
    }

    pub fn stats(&self) -> JsValue {
        convert::plain(&self.shared.with_engine(|e| e.stats()))
    }

    pub fn entries(&self) -> JsValue {
        convert::plain(&self.shared.with_engine(|e| e.entries()))
    }

    pub fn close(&self) {
        self.shared.engine.borrow_mut().close();
        if let Some(idb) = &self.shared.idb {
            idb.close();
        }
        *self.shared.listener.borrow_mut() = None;
        if let Some(tabs) = self.shared.tabs.borrow_mut().take() {
            tabs.leave();
        }
    }
}
