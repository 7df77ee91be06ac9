//! An in-process `LocalStore` with a quota counted like localStorage's, for native tests. Clones
//! share one map, so a test can reopen an engine on the same data (a reload) or run two at once
//! (two tabs), and can plant foreign or damaged values.

use crate::core::engine::store::{units, LocalStore, StoreError};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Default)]
struct Inner {
    items: BTreeMap<String, String>,
    quota_units: Option<usize>,
}

/// localStorage in a map, for native tests; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryLocalStore(Rc<RefCell<Inner>>);

impl MemoryLocalStore {
    /// A store that refuses writes past `quota_units` UTF-16 units of keys and values.
    pub fn with_quota(quota_units: usize) -> Self {
        let store = Self::default();
        store.0.borrow_mut().quota_units = Some(quota_units);
        store
    }

    /// UTF-16 units of every key and value held.
    pub fn used_units(&self) -> usize {
        self.0
            .borrow()
            .items
            .iter()
            .map(|(k, v)| units(k) + units(v))
            .sum()
    }

    /// Every key held, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.0.borrow().items.keys().cloned().collect()
    }

    /// Writes past the quota, as another program would.
    pub fn plant(&self, key: &str, value: &str) {
        self.0.borrow_mut().items.insert(key.into(), value.into());
    }
}

impl LocalStore for MemoryLocalStore {
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let inner = self.0.borrow();
        inner
            .items
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect()
    }

    fn head(&self, key: &str, n: usize) -> Option<(usize, String)> {
        let inner = self.0.borrow();
        let value = inner.items.get(key)?;
        let head: Vec<u16> = value.encode_utf16().take(n).collect();
        Some((units(value), String::from_utf16_lossy(&head)))
    }

    fn get(&self, key: &str) -> Option<String> {
        self.0.borrow().items.get(key).cloned()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut inner = self.0.borrow_mut();
        if let Some(quota) = inner.quota_units {
            let others: usize = inner
                .items
                .iter()
                .filter(|(k, _)| *k != key)
                .map(|(k, v)| units(k) + units(v))
                .sum();
            if others + units(key) + units(value) > quota {
                return Err(StoreError::Quota);
            }
        }
        inner.items.insert(key.into(), value.into());
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().items.remove(key);
        Ok(())
    }
}
