//! The IndexedDB backend, through rexie: one database per namespace and version (`database_name`)
//! with a `meta` store (each
//! entry's metadata record), a `data` store (its payload envelope) and an `info` store (the cache
//! version the data was written under). The engine decides; this only carries out.

use crate::core::engine::IdbOp;
use crate::core::format::record;
use futures_util::future::join_all;
use js_sys::Uint8Array;
use rexie::{ObjectStore, Rexie, TransactionMode};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const META: &str = "meta";
const DATA: &str = "data";
const INFO: &str = "info";

/// One namespace and version's database.
#[derive(Debug)]
pub struct IdbStore {
    /// None once closed: every later operation fails, and the caller falls back.
    db: RefCell<Option<Rexie>>,
    /// A second connection that only listens for `versionchange` (rexie keeps its database's
    /// handlers to itself): another page deleting or upgrading the database closes both, so
    /// it is never blocked by this cache, and the cache is told (`listen`).
    listener: RefCell<Option<Listener>>,
}

#[derive(Debug)]
struct Listener {
    db: web_sys::IdbDatabase,
    _on_change: Closure<dyn FnMut()>,
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

impl From<rexie::Error> for IdbError {
    fn from(e: rexie::Error) -> Self {
        IdbError::Failed(e.to_string())
    }
}

fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec)
}

/// A plain connection to an existing database at version 1, or None.
async fn open_raw(name: &str) -> Option<web_sys::IdbDatabase> {
    let factory: web_sys::IdbFactory = js_sys::Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let request = factory.open_with_u32(name, 1).ok()?;
    let opened = js_sys::Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    JsFuture::from(opened).await.ok()?;
    request.set_onsuccess(None);
    request.set_onerror(None);
    request.result().ok()?.dyn_into().ok()
}

impl IdbStore {
    /// Opens (creating) the namespace's database. Fails when IndexedDB is missing or refuses; the
    /// caller bounds how long a blocked open may take.
    pub async fn open(namespace: &str, version: u64) -> Result<IdbStore, IdbError> {
        let db = Rexie::builder(&database_name(namespace, version))
            .version(1)
            .add_object_store(ObjectStore::new(META))
            .add_object_store(ObjectStore::new(DATA))
            .add_object_store(ObjectStore::new(INFO))
            .build()
            .await?;
        Ok(IdbStore {
            db: RefCell::new(Some(db)),
            listener: RefCell::new(None),
        })
    }

    /// Calls `lost` (once) when another page deletes or upgrades the database; both connections
    /// are closed first. Without a listening connection (it failed to open) nothing is called.
    pub async fn listen(self: &Rc<Self>, name: &str, lost: impl FnOnce() + 'static) {
        let Some(db) = open_raw(name).await else {
            return;
        };
        let store = Rc::downgrade(self);
        let mut lost = Some(lost);
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if let Some(store) = store.upgrade() {
                store.close();
            }
            if let Some(lost) = lost.take() {
                lost();
            }
        });
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        *self.listener.borrow_mut() = Some(Listener {
            db,
            _on_change: on_change,
        });
    }

    /// Releases the connection (once its transactions finish), so that other pages may delete or
    /// upgrade the database.
    pub fn close(&self) {
        if let Some(db) = self.db.borrow_mut().take() {
            db.close();
        }
        if let Some(listener) = self.listener.borrow_mut().take() {
            listener.db.set_onversionchange(None);
            listener.db.close();
        }
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<rexie::Transaction, IdbError> {
        let db = self.db.borrow();
        let db = db.as_ref().ok_or(IdbError::Closed)?;
        Ok(db.transaction(stores, mode)?)
    }

    /// Every metadata record, by key, in one transaction that first empties the database when
    /// it was written under another cache version.
    pub async fn load_meta(&self, version: u64) -> Result<Vec<(String, Vec<u8>)>, IdbError> {
        let tx = self.transaction(&[META, DATA, INFO], TransactionMode::ReadWrite)?;
        let (meta, info) = (tx.store(META)?, tx.store(INFO)?);
        let stored = info.get(JsValue::from_str("version")).await?;
        let records = if stored.and_then(|v| v.as_f64()) == Some(version as f64) {
            // Both come back in key order.
            let keys = meta.get_all_keys(None, None).await?;
            let values = meta.get_all(None, None).await?;
            keys.iter()
                .zip(values.iter())
                .map(|(k, v)| {
                    (
                        k.as_string().unwrap_or_default(),
                        bytes(v).unwrap_or_default(),
                    )
                })
                .collect()
        } else {
            meta.clear().await?;
            tx.store(DATA)?.clear().await?;
            let value = JsValue::from_f64(version as f64);
            info.put(&value, Some(&JsValue::from_str("version")))
                .await?;
            Vec::new()
        };
        tx.done().await?;
        Ok(records)
    }

    /// Carries out a batch of operations in one transaction. Puts and deletes are
    /// compare-and-set on the stamps of the stored metadata (`seal` opens them): a record of a
    /// later write, made by another tab, is never overwritten or removed.
    pub async fn apply(&self, ops: &[IdbOp], seal: u32) -> Result<(), IdbError> {
        // What the batch leaves behind, per key: a record (metadata, payload, stamp), or a removal.
        let mut clear = false;
        let mut last: BTreeMap<&str, &IdbOp> = BTreeMap::new();
        for op in ops {
            match op {
                IdbOp::Clear => {
                    clear = true;
                    last.clear();
                }
                IdbOp::Put { key, .. } | IdbOp::Delete { key, .. } => {
                    last.insert(key, op);
                }
            }
        }
        let tx = self.transaction(&[META, DATA], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let data = tx.store(DATA)?;
        if clear {
            meta.clear().await?;
            data.clear().await?;
        }
        // The stamps stored now, all asked for at once.
        let keys: Vec<JsValue> = last.keys().map(|k| JsValue::from_str(k)).collect();
        let stored = join_all(keys.iter().map(|k| meta.get(k.clone()))).await;
        let (mut metas, mut payloads, mut removals) = (Vec::new(), Vec::new(), Vec::new());
        for (((_, change), key), stored) in last.iter().zip(keys).zip(stored) {
            let stored = stored?;
            let stored = stored
                .as_ref()
                .and_then(bytes)
                .and_then(|m| record::sealed_stamp(&m, seal));
            if !change.prevails_over(stored) {
                continue;
            }
            match change {
                IdbOp::Put {
                    meta: m,
                    payload: p,
                    ..
                } => {
                    metas.push((Uint8Array::from(&m[..]).into(), Some(key.clone())));
                    payloads.push((Uint8Array::from(&p[..]).into(), Some(key)));
                }
                IdbOp::Delete { .. } => removals.push(key),
                IdbOp::Clear => {}
            }
        }
        // Issued at once, awaited together: one round trip for the writes of the batch.
        let deletes = removals
            .iter()
            .flat_map(|key| [meta.delete(key.clone()), data.delete(key.clone())]);
        for deleted in join_all(deletes).await {
            deleted?;
        }
        meta.put_all(metas.into_iter()).await?;
        data.put_all(payloads.into_iter()).await?;
        tx.done().await?;
        Ok(())
    }

    /// The payload envelopes stored for `keys`, read in one transaction.
    pub async fn read_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, IdbError> {
        let tx = self.transaction(&[DATA], TransactionMode::ReadOnly)?;
        let store = tx.store(DATA)?;
        // All requests are issued before any is awaited.
        let reads = keys.iter().map(|key| store.get(JsValue::from_str(key)));
        let values = join_all(reads).await;
        values
            .into_iter()
            .map(|value| Ok(value?.as_ref().and_then(bytes)))
            .collect()
    }
}
