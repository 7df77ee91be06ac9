//! The `LocalStore` trait: how the engine touches a synchronous string store that counts the way
//! localStorage does (UTF-16 units of keys and values against an origin-wide quota). Values are
//! read as their UTF-16 units, which is what packed text is made of (no UTF-8 copy in between).
//! Backends live in `crate::store`: localStorage in the browser, an in-process map for native tests.

/// Why a store refused a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The origin's quota is full (`QuotaExceededError`).
    Quota,
    /// The store cannot be used at all (disabled storage, security errors).
    Unavailable(String),
}

/// A stored value's length and first units, as start-up reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    /// The key in the store (prefix included).
    pub storage_key: String,
    /// The whole value's length in UTF-16 units.
    pub total_units: usize,
    /// The value's first units (all of it when shorter).
    pub head: Vec<u16>,
}

/// A synchronous string store that counts like localStorage.
pub trait LocalStore {
    /// Every key that starts with `prefix`, in no particular order.
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String>;
    /// The keys that start with `prefix` but not with `kept` (which starts with `prefix`).
    fn keys_with_prefix_but(&self, prefix: &str, kept: &str) -> Vec<String> {
        let mut keys = self.keys_with_prefix(prefix);
        keys.retain(|key| !key.starts_with(kept));
        keys
    }
    /// `head` of every key that starts with `prefix`, in no particular order: start-up's one read.
    fn heads_with_prefix(&self, prefix: &str, units: usize) -> Vec<StoredHead>;
    /// The value's length in UTF-16 units and its first `units` units.
    fn head(&self, key: &str, units: usize) -> Option<(usize, Vec<u16>)>;
    /// The whole value of `key`, as its UTF-16 units.
    fn get(&self, key: &str) -> Option<Vec<u16>>;
    /// Writes the string of UTF-16 units `value` under `key`, or says why the store refused.
    fn set(&mut self, key: &str, value: &[u16]) -> Result<(), StoreError>;
    /// Removes `key`; an error says why the store refused (the value may still be there).
    fn remove(&mut self, key: &str) -> Result<(), StoreError>;
}

/// Bytes localStorage charges for a value of `value_units` UTF-16 units under a key of
/// `key_units`: 2 per unit of both.
pub fn charged_bytes(key_units: usize, value_units: usize) -> u64 {
    2 * (key_units + value_units) as u64
}

/// UTF-16 units of a string, as localStorage counts them.
pub fn units(s: &str) -> usize {
    // ASCII (storage keys, mostly) has one unit per byte. Packed values are never ASCII: every
    // packed unit is 3 UTF-8 bytes and one UTF-16 unit, which `encode_utf16` counts.
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}
