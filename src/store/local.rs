//! `LocalStore` over the page's `window.localStorage`. When storage is disabled or throws on
//! access, every read misses and every write reports `Unavailable`, and the cache carries on.

use crate::core::engine::store::{LocalStore, StoreError};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use web_sys::Storage;

#[wasm_bindgen]
extern "C" {
    /// The same `Storage` object, with a `getItem` that hands back the JS string unconverted:
    /// start-up only needs each value's length and head, not its UTF-8 copy.
    #[wasm_bindgen(extends = js_sys::Object)]
    type RawStorage;

    #[wasm_bindgen(method, js_name = getItem, catch)]
    fn get_item(this: &RawStorage, key: &str) -> Result<Option<JsString>, JsValue>;
}

/// The page's localStorage, when there is one.
#[derive(Debug)]
pub struct BrowserLocalStore {
    storage: Option<Storage>,
}

impl BrowserLocalStore {
    /// The window's localStorage; none when it is missing or refused.
    pub fn new() -> Self {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Self { storage }
    }
}

impl Default for BrowserLocalStore {
    fn default() -> Self {
        Self::new()
    }
}

fn is_quota_error(error: &JsValue) -> bool {
    error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError" || e.code() == 22)
}

impl LocalStore for BrowserLocalStore {
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let Some(storage) = &self.storage else {
            return Vec::new();
        };
        let count = storage.length().unwrap_or(0);
        (0..count)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(prefix))
            .collect()
    }

    fn head(&self, key: &str, units: usize) -> Option<(usize, String)> {
        let raw: &RawStorage = self.storage.as_ref()?.unchecked_ref();
        let value = raw.get_item(key).ok().flatten()?;
        let len = value.length() as usize;
        let head = value.slice(0, units.min(len) as u32);
        Some((len, String::from(head)))
    }

    fn get(&self, key: &str) -> Option<String> {
        self.storage.as_ref()?.get_item(key).ok().flatten()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let Some(storage) = &self.storage else {
            return Err(StoreError::Unavailable(
                "localStorage is not available".into(),
            ));
        };
        storage.set_item(key, value).map_err(|e| {
            if is_quota_error(&e) {
                StoreError::Quota
            } else {
                StoreError::Unavailable(super::describe(&e))
            }
        })
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        match &self.storage {
            Some(storage) => storage
                .remove_item(key)
                .map_err(|e| StoreError::Unavailable(super::describe(&e))),
            None => Ok(()),
        }
    }
}
