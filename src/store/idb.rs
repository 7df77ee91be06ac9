//! The IndexedDB backend: one database per namespace and version (`database_name`), opened and
//! written by the face's driver (`pkg/lib/platform.js`: an `entries` store of one record an entry,
//! its metadata record and payload envelope together; a `journal` store of what each batch
//! changed, `format::journal`, which start-up replays; an `info` store of the cache version). The
//! engine decides; this says what to carry out, decides the compare-and-set of each batch and
//! writes and replays the journal.

use super::platform::{bytes, Database, Platform, WriteBatch};
use crate::core::engine::{Claim, IdbOp};
use crate::core::format::{journal, record};
use crate::core::sort;
use js_sys::{Array, Promise, Uint8Array};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How long an open may wait for a blocked IndexedDB before the cache carries on without it.
pub const OPEN_TIMEOUT_MS: u32 = 3_000;

/// Every this many journal chunks (counted by the journal's key, whichever tab appended them),
/// the batch that appended one also rewrites the journal as one chunk; start-up always does.
pub const COMPACT_EVERY: u32 = 128;

/// One namespace and version's database.
#[derive(Debug)]
pub struct IdbStore {
    /// None once closed (by the cache, or because another page deleted or upgraded the
    /// database): every later operation fails with `Closed`, and the caller falls back.
    db: RefCell<Option<Database>>,
    /// The cache version it was opened for (what a compaction's load checks).
    version: u64,
    /// The seed of its namespace and version's seals (what start-up checks the journal with).
    seal: u32,
    /// What the driver calls when another page deletes or upgrades the database.
    on_lost: RefCell<Option<Closure<dyn FnMut()>>>,
}

/// What start-up learns from the journal.
#[derive(Debug, Default)]
pub struct LoadedMeta {
    /// Every metadata record, by key.
    pub records: Vec<(String, Vec<u8>)>,
    /// How many journal chunks did not decode, and metadata records in them did not open.
    pub damaged: usize,
    /// How many entries the journal no longer named were found by their own records.
    pub recovered: usize,
}

/// `smartcache:{namespace length}:{namespace}:{version}`, unambiguous whatever the namespace holds.
pub fn database_name(namespace: &str, version: u64) -> String {
    let units = namespace.encode_utf16().count();
    format!("smartcache:{units}:{namespace}:{version}")
}

/// Why an IndexedDB operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdbError {
    /// The connection was closed (by the cache, or because another page deleted the database).
    #[error("IndexedDB: the connection was closed")]
    Closed,
    /// A request or transaction failed.
    #[error("IndexedDB: {0}")]
    Failed(String),
}

async fn settled(promise: Promise) -> Result<JsValue, IdbError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| IdbError::Failed(super::describe(&e)))
}

impl Drop for IdbStore {
    /// A store dropped unclosed (its records failed to load) releases its connection too.
    fn drop(&mut self) {
        self.close();
    }
}

impl IdbStore {
    /// Opens (creating) the namespace's database, or fails when IndexedDB is missing, refuses or
    /// stays blocked for `OPEN_TIMEOUT_MS`. The open is asked for at the call; the future waits
    /// for it. `lost` is called (once, the store closed first) when another page deletes or
    /// upgrades the database.
    pub fn open(
        platform: &Platform,
        namespace: &str,
        version: u64,
        lost: impl FnOnce() + 'static,
    ) -> impl Future<Output = Result<Rc<IdbStore>, IdbError>> {
        let store = Rc::new(IdbStore {
            db: RefCell::new(None),
            version,
            seal: record::seal_seed(namespace, version),
            on_lost: RefCell::new(None),
        });
        let weak = Rc::downgrade(&store);
        let mut lost = Some(lost);
        let on_lost = Closure::<dyn FnMut()>::new(move || {
            if let Some(store) = weak.upgrade() {
                store.close();
            }
            if let Some(lost) = lost.take() {
                lost();
            }
        });
        let opening = platform
            .open_database(
                &database_name(namespace, version),
                OPEN_TIMEOUT_MS,
                on_lost.as_ref(),
            )
            .map_err(|e| IdbError::Failed(super::describe(&e)));
        async move {
            let db: Database = settled(opening?).await?.unchecked_into();
            *store.db.borrow_mut() = Some(db);
            *store.on_lost.borrow_mut() = Some(on_lost);
            Ok(store)
        }
    }

    /// Releases the connection (once its transactions finish), so that other pages may delete or
    /// upgrade the database.
    pub fn close(&self) {
        if let Some(db) = self.db.borrow_mut().take() {
            db.close();
        }
        // Dropped later than the call that may be running it.
        if let Some(on_lost) = self.on_lost.borrow_mut().take() {
            wasm_bindgen_futures::spawn_local(async move { drop(on_lost) });
        }
    }

    fn db(&self) -> Result<Database, IdbError> {
        self.db.borrow().clone().ok_or(IdbError::Closed)
    }

    /// Every metadata record, by key, from one transaction that first empties the database when
    /// it was written under another cache version, and rewrites the journal as one chunk. Where a
    /// chunk does not decode, or a metadata record in it does not open under the seal, the
    /// entries the journal no longer names are found by their own records (the driver reads
    /// their metadata) and the rewrite names them.
    pub async fn load_meta(&self, version: u64) -> Result<LoadedMeta, IdbError> {
        let loaded = Rc::new(RefCell::new(LoadedMeta::default()));
        let state = loaded.clone();
        let seal = self.seal;
        let mut replayed = false;
        let compact = Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
            move |first: JsValue, second: JsValue| -> JsValue {
                let mut state = state.borrow_mut();
                if !std::mem::replace(&mut replayed, true) {
                    // `first`: the chunks, in the order they were appended.
                    let chunks: Vec<Vec<u8>> = Array::from(&first)
                        .iter()
                        .filter_map(|c| bytes(&c))
                        .collect();
                    let found = journal::replay(chunks.iter().map(Vec::as_slice));
                    let before = found.live.len();
                    state.records = found.live;
                    state
                        .records
                        .retain(|(_, meta)| record::sealed_stamp(meta, seal).is_some());
                    state.damaged = found.damaged + (before - state.records.len());
                    if state.damaged > 0 {
                        // The keys it still names: the driver looks for the others.
                        let named: Array = state
                            .records
                            .iter()
                            .map(|(k, _)| JsValue::from_str(k))
                            .collect();
                        return named.into();
                    }
                    return match chunks.len() > 1 {
                        true => Uint8Array::from(&journal::snapshot(&state.records)[..]).into(),
                        false => JsValue::UNDEFINED,
                    };
                }
                // `first`: the stored keys the journal lost; `second`: their metadata records.
                let found: Vec<(String, Vec<u8>)> = Array::from(&first)
                    .iter()
                    .zip(Array::from(&second).iter())
                    .filter_map(|(key, meta)| Some((key.as_string()?, bytes(&meta)?)))
                    .collect();
                state.recovered = found.len();
                let named = std::mem::take(&mut state.records);
                state.records = journal::recovered(named, found);
                Uint8Array::from(&journal::snapshot(&state.records)[..]).into()
            },
        );
        settled(self.db()?.load_meta(version as f64, compact.as_ref())).await?;
        drop(compact);
        Ok(loaded.take())
    }

    /// Begins a batch whose puts of new entries go to the database at once
    /// (`Engine::take_early_puts`); `apply` completes it.
    pub fn begin(&self) -> Result<WriteBatch, IdbError> {
        self.db()?
            .begin()
            .map_err(|e| IdbError::Failed(super::describe(&e)))
    }

    /// Carries out a batch of operations in one transaction. Puts and deletes are
    /// compare-and-set on the stamps of the stored metadata (`seal` opens them): a record of a
    /// later write, made by another tab, is never overwritten or removed. With `begun`, in that
    /// batch's transaction: the first of `ops` are the puts it added.
    pub async fn apply(
        &self,
        ops: &[IdbOp],
        seal: u32,
        begun: Option<(&WriteBatch, usize)>,
    ) -> Result<(), IdbError> {
        // What the batch leaves behind, per key: a record (metadata, payload, stamp), or a
        // removal, and whether it is one of the puts added ahead.
        let added = begun.map_or(0, |(_, added)| added);
        let cleared = ops.iter().rposition(|op| matches!(op, IdbOp::Clear));
        let clear = cleared.is_some();
        let after = cleared.map_or(0, |at| at + 1);
        // By key, stably (a key's operations stay in order); then the last of each key.
        let mut sorted: Vec<(&str, &IdbOp, bool)> = ops[after..]
            .iter()
            .enumerate()
            .filter_map(|(i, op)| Some((op.key()?, op, after + i < added)))
            .collect();
        sort::sort_by(&mut sorted, |a, b| a.0.cmp(b.0));
        let last: Vec<(&str, &IdbOp, bool)> = (0..sorted.len())
            .filter(|&i| sorted.get(i + 1).is_none_or(|next| next.0 != sorted[i].0))
            .map(|i| sorted[i])
            .collect();
        let db = self.db().inspect_err(|_| {
            if let Some((batch, _)) = begun {
                batch.abandon();
            }
        })?;
        let (keys, metas, payloads) = (Array::new(), Array::new(), Array::new());
        let early: Vec<u8> = last.iter().map(|&(.., early)| u8::from(early)).collect();
        // Per key, what `decide` needs: its claim, and the metadata the journal names if applied.
        let mut changes: Vec<(Claim, String, Option<Vec<u8>>)> = Vec::with_capacity(last.len());
        for &(key, op, early) in &last {
            keys.push(&JsValue::from_str(key));
            let meta = if let IdbOp::Put { meta, payload, .. } = op {
                // A put added ahead: the batch holds its records.
                let (meta_js, payload_js): (JsValue, JsValue) = match early {
                    true => (JsValue::UNDEFINED, JsValue::UNDEFINED),
                    false => (
                        Uint8Array::from(&meta[..]).into(),
                        Uint8Array::from(&payload[..]).into(),
                    ),
                };
                metas.push(&meta_js);
                payloads.push(&payload_js);
                Some(meta.clone())
            } else {
                metas.push(&JsValue::UNDEFINED);
                payloads.push(&JsValue::UNDEFINED);
                None
            };
            changes.push((op.claim(), key.to_string(), meta));
        }
        let decide = Closure::once(move |stored: Array| -> Array {
            let actions: Vec<u8> = changes
                .iter()
                .zip(stored.iter())
                .map(|((claim, ..), stored)| {
                    let stored = bytes(&stored).and_then(|m| record::sealed_stamp(&m, seal));
                    match claim {
                        _ if !claim.prevails_over(stored) => 0,
                        Claim::Write(_) => 1,
                        _ => 2,
                    }
                })
                .collect();
            let applied: Vec<journal::Change<'_>> = changes
                .iter()
                .zip(&actions)
                .filter(|(_, &action)| action != 0)
                .map(|((_, key, meta), _)| (key.as_str(), meta.as_deref()))
                .collect();
            let chunk = match applied.is_empty() {
                true => JsValue::UNDEFINED,
                false => Uint8Array::from(&journal::chunk(&applied)[..]).into(),
            };
            Array::of2(&Uint8Array::from(&actions[..]), &chunk)
        });
        let applied = db.apply(
            clear,
            &keys,
            &metas,
            &payloads,
            decide.as_ref(),
            begun.map(|(batch, _)| batch),
            begun.map(|_| early.into_boxed_slice()),
        );
        let appended = settled(applied).await?.as_f64().unwrap_or(0.0) as u32;
        drop(decide);
        if appended != 0 && appended.is_multiple_of(COMPACT_EVERY) {
            // A journal left long only slows the next start-up: a failure here loses nothing.
            let _ = self.load_meta(self.version).await;
        }
        Ok(())
    }

    /// The payload envelopes stored for `keys`, read in one transaction.
    pub async fn read_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, IdbError> {
        let asked: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
        let found: Array = settled(self.db()?.read_many(&asked))
            .await?
            .unchecked_into();
        Ok(found.iter().map(|v| bytes(&v)).collect())
    }
}
