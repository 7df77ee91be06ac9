//! The driver of the engine in the browser: what the synchronous calls of `WasmCache` and the
//! asynchronous work (IndexedDB batches and reads, other tabs' messages, the IndexedDB listener)
//! share, and that asynchronous work itself. The engine decides; this carries out.

use super::convert;
use super::tabs::Tabs;
use super::timer::sleep;
use super::DateClock;
use crate::core::engine::options::CacheConfig;
use crate::core::engine::{Broadcast, Engine, IdbOp, Lookup};
use crate::store::idb::{IdbError, IdbStore};
use crate::store::local::BrowserLocalStore;
use crate::store::platform::Platform;
use crate::store::platform::WriteBatch;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// A `get` waiting for its payload from IndexedDB.
#[derive(Debug)]
pub(super) struct PendingRead {
    pub(super) key: String,
    pub(super) write: u64,
    pub(super) resolve: Function,
}

/// What the synchronous calls and the asynchronous IndexedDB work share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) engine: RefCell<Engine<DateClock, BrowserLocalStore>>,
    /// The database, once opened and its records loaded (None before, and without IndexedDB).
    pub(super) idb: RefCell<Option<Rc<IdbStore>>>,
    /// Resolves once IndexedDB has been opened and its records loaded, or given up on.
    loaded: Promise,
    /// Until then: the other tabs' messages, applied once the engine knows every entry.
    held_messages: RefCell<Option<Vec<Broadcast>>>,
    /// Reads asked for in this tick; they share one transaction.
    pub(super) reads: RefCell<Vec<PendingRead>>,
    pub(super) listener: RefCell<Option<Function>>,
    pub(super) tabs: RefCell<Option<Tabs>>,
    /// Changes for the other tabs, posted together at the next task.
    pub(super) outgoing: RefCell<Vec<Broadcast>>,
    /// Resolves when the latest flush has finished: flushes run one after another.
    last_flush: RefCell<Option<Promise>>,
    /// Whether anybody subscribed: otherwise only events that drop live values are sent.
    pub(super) verbose: Cell<bool>,
    /// The tick's batch, begun by its first put of a new entry (`put_early`), and the puts it
    /// has started; the tick's flush completes it.
    batch: RefCell<Option<(WriteBatch, Vec<IdbOp>)>>,
    /// How many flushes are under way.
    flushes: Cell<u32>,
}

impl Shared {
    /// Opens the engine over localStorage, joins the other tabs, and opens IndexedDB in the
    /// background (`loaded`): what memory and localStorage hold is served meanwhile, so the
    /// first reads do not wait for the database (5-45 ms in Chromium). localStorage is scanned
    /// on the first operation that needs every entry (the face asks in its next task), while
    /// the browser opens the database: reads before it read their own key.
    pub(super) fn open(config: CacheConfig, platform: Platform) -> Rc<Shared> {
        let version = config.version;
        let namespace = config.namespace.clone();
        let cross_tab = config.cross_tab;
        let mut done = None;
        let loaded = Promise::new(&mut |resolve, _reject| done = Some(resolve));
        let mut opening = None;
        let shared = Rc::new_cyclic(|weak: &std::rc::Weak<Shared>| {
            let weak = weak.clone();
            let lost = move || {
                let Some(shared) = weak.upgrade() else { return };
                shared.with_engine(|e| {
                    e.idb_lost("IndexedDB: another page deleted or upgraded the database")
                });
            };
            opening = Some(IdbStore::open(&platform, &namespace, version, lost));
            let local = BrowserLocalStore::new(platform);
            let mut engine = Engine::open_unindexed(DateClock, config, local);
            engine.begin_idb_open();
            Shared {
                engine: RefCell::new(engine),
                idb: RefCell::new(None),
                loaded,
                held_messages: RefCell::new(Some(Vec::new())),
                reads: RefCell::new(Vec::new()),
                listener: RefCell::new(None),
                tabs: RefCell::new(None),
                outgoing: RefCell::new(Vec::new()),
                last_flush: RefCell::new(None),
                verbose: Cell::new(false),
                batch: RefCell::new(None),
                flushes: Cell::new(0),
            }
        });
        if cross_tab {
            let weak = Rc::downgrade(&shared);
            let tabs = Tabs::join(&namespace, version, move |message| {
                let Some(shared) = weak.upgrade() else { return };
                if let Some(held) = shared.held_messages.borrow_mut().as_mut() {
                    held.push(message);
                    return;
                }
                shared.take_message(message);
            });
            *shared.tabs.borrow_mut() = tabs;
        }
        if let (Some(done), Some(opening)) = (done, opening) {
            spawn_local(load_idb(shared.clone(), opening, version, done));
        }
        shared
    }

    /// Whether IndexedDB's records are loaded (or the cache does without them).
    pub(super) fn is_loaded(&self) -> bool {
        self.held_messages.borrow().is_none()
    }

    pub(super) fn loaded(&self) -> Promise {
        self.loaded.clone()
    }

    /// Waits until IndexedDB's records are loaded.
    pub(super) async fn until_loaded(&self) {
        if !self.is_loaded() {
            // Resolved, never rejected.
            let _ = JsFuture::from(self.loaded.clone()).await;
        }
    }

    /// Whether IndexedDB writes wait for a flush, in the outbox or started in the tick's batch.
    pub(super) fn has_pending_writes(&self) -> bool {
        self.batch.borrow().is_some() || self.engine.borrow().has_pending_writes()
    }

    /// Starts the outbox's puts of new entries (`Engine::take_early_puts`) in the tick's batch,
    /// so that the database writes them while the page goes on making the tick's other writes
    /// (the flush applies the rest and the journal's chunk in the same transaction). Only once
    /// IndexedDB's records are loaded and while no flush is under way: the flush that follows
    /// in this task completes the batch.
    pub(super) fn put_early(&self) {
        if self.flushes.get() != 0 || !self.is_loaded() {
            return;
        }
        let Some(idb) = self.idb.borrow().clone() else {
            return;
        };
        let mut batch = self.batch.borrow_mut();
        if batch.is_none() {
            // A closed connection: the flush's failure moves the writes on.
            let Ok(begun) = idb.begin() else { return };
            *batch = Some((begun, Vec::new()));
        }
        let Some((begun, started)) = batch.as_mut() else {
            return;
        };
        let mut early = self.engine.borrow_mut().take_early_puts().into_iter();
        while let Some(op) = early.next() {
            if let IdbOp::Put {
                key, meta, payload, ..
            } = &op
            {
                if begun.add(key, meta, payload).is_err() {
                    // The transaction is no longer active: the rest waits for the flush.
                    let rest = std::iter::once(op).chain(early).collect();
                    self.engine.borrow_mut().return_early_puts(rest);
                    return;
                }
            }
            started.push(op);
        }
    }

    fn take_message(self: &Rc<Self>, message: Broadcast) {
        self.with_engine(|e| e.apply_remote(message));
        if self.has_pending_writes() {
            spawn_local(flush(self.clone()));
        }
    }

    /// Hands the engine's events to the listener, outside any borrow of the engine (a listener
    /// may call back into the cache).
    pub(super) fn flush_events(&self) {
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

    /// A lookup as the face reads it: `{ json, stored }` for a hit, else `undefined`. The hit's
    /// bytes are checked as UTF-8 as the browser decodes them; bytes that are not go back to the
    /// engine as a corrupt entry, and the read misses.
    pub(super) fn answer(self: &Rc<Self>, key: &str, lookup: Lookup) -> JsValue {
        let Lookup::Hit { json, stored } = lookup else {
            return JsValue::UNDEFINED;
        };
        match convert::text(&json) {
            Some(text) => convert::hit(&text, stored),
            None => {
                // The key was just read, so it is well-formed and the engine open.
                let _ = self.with_engine(|e| e.refuse_text(key));
                JsValue::UNDEFINED
            }
        }
    }

    /// Runs `f` on the engine with every stored entry indexed, then delivers its events and
    /// tells the other tabs of its changes.
    pub(super) fn with_engine<T>(
        self: &Rc<Self>,
        f: impl FnOnce(&mut Engine<DateClock, BrowserLocalStore>) -> T,
    ) -> T {
        self.with_engine_unindexed(|e| {
            e.index_local();
            f(e)
        })
    }

    /// `with_engine` for a read of one key (`Engine::lookup`), which need not wait for the scan
    /// of localStorage: the engine indexes the key it reads.
    pub(super) fn with_engine_unindexed<T>(
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
    pub(super) fn tell_other_tabs(self: &Rc<Self>) {
        if self.has_pending_writes() {
            return;
        }
        let messages = self.engine.borrow_mut().take_broadcasts();
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
}

/// Carries out the pending IndexedDB operations, then tells the other tabs what changed.
pub(super) async fn flush(shared: Rc<Shared>) {
    // One after another: a flush that finds the outbox taken by one still applying it must not
    // resolve before that one has (its caller's write may be among those operations).
    shared.flushes.set(shared.flushes.get() + 1);
    let mut done = None;
    let mine = Promise::new(&mut |resolve, _reject| done = Some(resolve));
    if let Some(previous) = shared.last_flush.replace(Some(mine)) {
        // Resolved, never rejected.
        let _ = JsFuture::from(previous).await;
    }
    // Writes made while IndexedDB opened wait for it (if it fails, the engine moved them).
    shared.until_loaded().await;
    // The puts the tick's batch started come first (`Engine::take_early_puts`).
    let (batch, mut ops) = match shared.batch.take() {
        Some((batch, started)) => (Some(batch), started),
        None => (None, Vec::new()),
    };
    let started = ops.len();
    ops.append(&mut shared.engine.borrow_mut().take_outbox());
    let idb = shared.idb.borrow().clone();
    if !ops.is_empty() {
        if let Some(idb) = idb {
            let seal = shared.engine.borrow().seal();
            let begun = batch.as_ref().map(|batch| (batch, started));
            if let Err(why) = idb.apply(&ops, seal, begun).await {
                shared.with_engine(|e| e.idb_write_failed(&ops, &why.to_string()));
            }
        }
    }
    shared.flushes.set(shared.flushes.get() - 1);
    shared.tell_other_tabs();
    if let Some(done) = done {
        // Calling a promise's own resolver cannot throw.
        let _ = done.call0(&JsValue::NULL);
    }
}

/// Reads the payloads of the pending `get`s in one transaction and answers each.
pub(super) async fn read_batch(shared: Rc<Shared>) {
    shared.until_loaded().await;
    let reads = std::mem::take(&mut *shared.reads.borrow_mut());
    let keys: Vec<String> = reads.iter().map(|r| r.key.clone()).collect();
    let idb = shared.idb.borrow().clone();
    let payloads = match &idb {
        Some(idb) => idb.read_many(&keys).await,
        None => Err(IdbError::Closed),
    };
    for (i, read) in reads.iter().enumerate() {
        let found = shared.with_engine(|e| match &payloads {
            Ok(payloads) => e.ingest_indexed_db(&read.key, read.write, payloads[i].clone()),
            Err(why) => {
                // The entry may be fine: the read failed, so this get misses and the entry stays.
                e.report_idb_fault(&why.to_string());
                e.miss(&read.key).map(|()| Lookup::Miss)
            }
        });
        let answer = found.map_or(JsValue::UNDEFINED, |found| shared.answer(&read.key, found));
        // Resolving a promise's own resolver cannot throw.
        let _ = read.resolve.call1(&JsValue::NULL, &answer);
    }
}

/// Waits for the database to open (`opening`), loads its records into the engine, or carries on
/// without it; then applies the other tabs' messages held meanwhile, and resolves
/// `Shared::loaded` (`done`).
async fn load_idb(
    shared: Rc<Shared>,
    opening: impl Future<Output = Result<Rc<IdbStore>, IdbError>>,
    version: u64,
    done: Function,
) {
    let opened = match opening.await {
        Ok(store) => store.load_meta(version).await.map(|loaded| (store, loaded)),
        Err(why) => Err(why),
    };
    match opened {
        Ok((store, loaded)) => {
            // localStorage's scan may come later: the newer of two copies of a key wins either way.
            shared.with_engine_unindexed(|e| {
                e.set_idb_available(true, "");
                if loaded.damaged > 0 {
                    e.idb_journal_damaged(loaded.damaged, loaded.recovered);
                }
                e.load_idb_records(&loaded.records);
            });
            *shared.idb.borrow_mut() = Some(store);
        }
        // Writes queued for it meanwhile move to localStorage, as when it goes away later.
        Err(why) => shared.with_engine(|e| e.idb_lost(&why.to_string())),
    }
    let held = shared.held_messages.borrow_mut().take().unwrap_or_default();
    for message in held {
        shared.take_message(message);
    }
    if shared.has_pending_writes() {
        spawn_local(flush(shared.clone()));
    }
    // Calling a promise's own resolver cannot throw.
    let _ = done.call0(&JsValue::NULL);
}
