//! `LocalStore` over the page's `window.localStorage`. When storage is disabled or throws on
//! access, every read misses and every write reports `Unavailable`, and the cache carries on.

use super::platform::Platform;
use crate::core::engine::store::{LocalStore, StoreError, StoredHead};
use js_sys::{Array, Uint16Array, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::Storage;

/// The page's localStorage, when there is one.
#[derive(Debug)]
pub struct BrowserLocalStore {
    storage: Option<Storage>,
    /// Whose `readStorageHeads` is start-up's one call, `readStoredUnits` every value read and
    /// `writeStoredUnits` every write.
    platform: Platform,
}

impl BrowserLocalStore {
    /// The window's localStorage (none when it is missing or refused), read through `platform`.
    pub fn new(platform: Platform) -> Self {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Self { storage, platform }
    }
}

/// The entries `readStorageHeads` found (see there; its keys decoded from UTF-8); None if they do
/// not parse.
fn unpack_heads(keys: &str, heads: &[u16], lengths: &[u32]) -> Option<Vec<StoredHead>> {
    // The next `units` UTF-16 units of `keys` from `at`, and the NUL after them. (A lone
    // surrogate crossed as U+FFFD: one unit still.)
    fn key<'a>(keys: &'a str, at: &mut usize, units: u32) -> Option<&'a str> {
        let rest = keys.get(*at..)?;
        let (mut counted, mut end) = (0, 0);
        let mut chars = rest.chars();
        while counted < units as usize {
            let c = chars.next()?;
            counted += c.len_utf16();
            end += c.len_utf8();
        }
        if counted != units as usize || chars.next() != Some('\0') {
            return None;
        }
        *at += end + 1;
        rest.get(..end)
    }
    let (mut at, mut head_at) = (0, 0);
    let found = lengths
        .chunks_exact(3)
        .map(|entry| {
            let head = heads.get(head_at..head_at + entry[2] as usize)?.to_vec();
            head_at += head.len();
            Some(StoredHead {
                storage_key: key(keys, &mut at, entry[0])?.to_string(),
                total_units: entry[1] as usize,
                head,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let whole = at == keys.len() && head_at == heads.len() && lengths.len().is_multiple_of(3);
    whole.then_some(found)
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

    fn keys_with_prefix_but(&self, prefix: &str, kept: &str) -> Vec<String> {
        // One call: the keys cross only when there are some (usually none).
        match &self.storage {
            Some(_) => self
                .platform
                .storage_keys_but(prefix, kept)
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn heads_with_prefix(&self, prefix: &str, units: usize) -> Vec<StoredHead> {
        if self.storage.is_none() {
            return Vec::new();
        }
        let found = self
            .platform
            .read_storage_heads(prefix, units as u32)
            .ok()
            .and_then(|found| {
                let found: Array = found.dyn_into().ok()?;
                let keys: Uint8Array = found.get(0).dyn_into().ok()?;
                let keys = String::from_utf8(keys.to_vec()).ok()?;
                let heads: Uint16Array = found.get(1).dyn_into().ok()?;
                let lengths: Uint32Array = found.get(2).dyn_into().ok()?;
                unpack_heads(&keys, &heads.to_vec(), &lengths.to_vec())
            });
        found.unwrap_or_default()
    }

    fn head(&self, key: &str, units: usize) -> Option<(usize, Vec<u16>)> {
        self.storage.as_ref()?;
        let limit = u32::try_from(units).unwrap_or(u32::MAX);
        let found: Array = self
            .platform
            .read_stored_units(key, limit)
            .ok()?
            .dyn_into()
            .ok()?;
        let length = found.get(0).as_f64()? as usize;
        let units: Uint16Array = found.get(1).dyn_into().ok()?;
        Some((length, units.to_vec()))
    }

    fn get(&self, key: &str) -> Option<Vec<u16>> {
        self.head(key, usize::MAX).map(|(_, units)| units)
    }

    fn set(&mut self, key: &str, value: &[u16]) -> Result<(), StoreError> {
        if self.storage.is_none() {
            return Err(StoreError::Unavailable(
                "localStorage is not available".into(),
            ));
        }
        self.platform.write_stored_units(key, value).map_err(|e| {
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
