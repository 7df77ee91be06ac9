//! The persistent tiers as the engine drives them: localStorage written through (with quota
//! faults handled by evicting and retrying, then demoting), IndexedDB through an outbox of
//! operations that the browser layer flushes in one transaction per batch.

use super::{key_hash, Engine, Handle};
use crate::core::clock::Clock;
use crate::core::engine::event::Event;
use crate::core::engine::store::{charged_bytes, units, LocalStore, StoreError};
use crate::core::error::{Corruption, Error, Result};
use crate::core::format::record::payload_sum;
use crate::core::format::record::{self, Meta};
use crate::core::policy::Policy;
use crate::core::types::{FaultCode, Tier};

/// An IndexedDB operation waiting for the next flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdbOp {
    /// Store the metadata record and the payload envelope of `key`, unless the database holds
    /// a later write of it (`stamp`: the record's (stamp, writer)). Tabs share the database, so
    /// every put and delete is a compare-and-set in its transaction: it converges on the latest.
    Put {
        /// The key.
        key: String,
        /// Its sealed metadata record.
        meta: Vec<u8>,
        /// Its payload envelope.
        payload: Vec<u8>,
        /// The record's (stamp, writer).
        stamp: (u64, u32),
    },
    /// Remove `key`'s records unless they hold a write stamped after `upto`.
    Delete {
        /// The key.
        key: String,
        /// The latest stamp the removal covers.
        upto: u64,
    },
    /// Empty the namespace's database.
    Clear,
}

impl IdbOp {
    /// The key it is for (none for `Clear`).
    pub fn key(&self) -> Option<&str> {
        match self {
            IdbOp::Put { key, .. } | IdbOp::Delete { key, .. } => Some(key),
            IdbOp::Clear => None,
        }
    }

    /// What this operation claims over the stored records (its stamps, not its records).
    pub fn claim(&self) -> Claim {
        match self {
            IdbOp::Put { stamp, .. } => Claim::Write(*stamp),
            IdbOp::Delete { upto, .. } => Claim::Removal(*upto),
            IdbOp::Clear => Claim::Clear,
        }
    }

    /// `Claim::prevails_over` of this operation's claim.
    pub fn prevails_over(&self, stored: Option<(u64, u32)>) -> bool {
        self.claim().prevails_over(stored)
    }
}

/// What decides whether an IndexedDB operation may replace what is stored: a write's (stamp,
/// writer), a removal's latest covered stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// A put stamped (stamp, writer).
    Write((u64, u32)),
    /// A delete covering stamps up to this one.
    Removal(u64),
    /// Emptying the database.
    Clear,
}

impl Claim {
    /// The compare-and-set rule of both IndexedDB backends: whether this put or delete may
    /// replace a record whose sealed metadata holds `stored` (stamp, writer), or none.
    pub fn prevails_over(self, stored: Option<(u64, u32)>) -> bool {
        match self {
            Claim::Write(stamp) => stored.is_none_or(|s| s <= stamp),
            Claim::Removal(upto) => stored.is_none_or(|(s, _)| s <= upto),
            Claim::Clear => true,
        }
    }
}

/// A full localStorage frees 1/16 of its budget at once.
const DEMOTION_SLICE: u64 = 16;

/// Bytes an entry takes in IndexedDB: its metadata record twice (beside the payload, and in the
/// journal start-up replays) and its payload envelope.
pub(super) fn idb_cost(meta_len: usize, payload_bytes: u64) -> u64 {
    2 * meta_len as u64 + payload_bytes
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    pub(super) fn local_key(&self, key: &str) -> String {
        format!("{}{key}", self.stores.local_prefix)
    }

    /// Bytes an entry takes in localStorage, as the browser counts them: 2 per UTF-16 unit of
    /// its storage key and its value.
    pub(super) fn local_cost(&self, meta: &Meta) -> u64 {
        // Exact from sizes (packed text has a fixed number of units) without building the value.
        let meta_units = crate::core::format::text::packed_units(
            crate::core::format::codec::HEADER_LEN + meta.record_len(),
        );
        let value_units = record::HEAD_UNITS
            + meta_units
            + crate::core::format::text::packed_units(meta.payload_bytes as usize);
        charged_bytes(
            units(&self.stores.local_prefix) + units(&meta.key),
            value_units,
        )
    }

    /// Removes a localStorage key; a refusal is an `UNAVAILABLE` fault (the value may linger, and
    /// reads check what they find).
    pub(super) fn remove_local_key(&mut self, storage_key: &str) {
        let why = match self.stores.local.remove(storage_key) {
            Ok(()) => return,
            Err(StoreError::Unavailable(why)) => why,
            Err(StoreError::Quota) => "localStorage refused a removal (quota)".into(),
        };
        let message = format!("could not remove {storage_key}: {why}");
        self.fault(Tier::Local, FaultCode::Unavailable, message, None);
    }

    /// Removes `key`'s localStorage value unless it holds a write stamped after `upto` (another
    /// tab's, which this tab has not heard of yet).
    pub(super) fn remove_local_upto(&mut self, key: &str, upto: u64) {
        if self.stored_local_meta(key).is_some_and(|m| m.stamp > upto) {
            return;
        }
        let storage_key = self.local_key(key);
        self.remove_local_key(&storage_key);
    }

    /// Writes an entry to localStorage; false when it cannot live there (the caller falls back).
    pub(super) fn write_local(&mut self, handle: Handle, payload: &[u8]) -> bool {
        let entry = self.entry(handle);
        let (key, hash) = (entry.key.clone(), key_hash(&entry.key));
        let value = record::local_value(&entry.meta, self.stores.seal, payload);
        let cost = self.local_cost(&entry.meta);
        let storage_key = self.local_key(&key);
        if cost > self.policies.local.budget() {
            return false;
        }
        let mut evicted = Vec::new();
        // A full tier frees a slice of its budget at once, so that demotions come in batches
        // (one IndexedDB transaction for many) rather than one per write.
        if self.policies.local.weight() + cost > self.policies.local.budget() {
            let target =
                self.policies.local.budget() - self.policies.local.budget() / DEMOTION_SLICE;
            while self.policies.local.weight() + cost > target
                && self.policies.local.evict_one(&mut evicted)
            {}
        }
        self.policies.local.insert(handle, hash, cost, &mut evicted);
        self.demote_all(evicted);
        let mut quota_hit = false;
        loop {
            match self.stores.local.set(&storage_key, &value) {
                Ok(()) => break,
                Err(StoreError::Quota) => {
                    // The origin's real quota is smaller than the budget (or shared with the app):
                    // make room among our own entries and try again.
                    quota_hit = true;
                    self.policies.local.remove(handle);
                    let mut victims = Vec::new();
                    if !self.policies.local.evict_one(&mut victims) {
                        let message =
                            "localStorage quota is full even without this cache's entries";
                        self.fault(
                            Tier::Local,
                            FaultCode::QuotaExceeded,
                            message.into(),
                            Some(key),
                        );
                        return false;
                    }
                    self.demote_all(victims);
                    let mut more = Vec::new();
                    self.policies.local.insert(handle, hash, cost, &mut more);
                    self.demote_all(more);
                }
                Err(StoreError::Unavailable(why)) => {
                    self.policies.local.remove(handle);
                    self.fault(Tier::Local, FaultCode::Unavailable, why, Some(key));
                    return false;
                }
            }
        }
        if quota_hit {
            let message = "localStorage quota reached: older entries made room".to_string();
            self.fault(Tier::Local, FaultCode::QuotaExceeded, message, Some(key));
        }
        if let Some(entry) = self.entries.get_mut(handle) {
            entry.stored_bytes = cost;
        }
        true
    }

    /// The payload envelope of a localStorage entry, checked against its metadata. `None` when
    /// storage holds no value, or another write of the key: another tab's, not visible here yet
    /// or later than this tab knows of. Neither is corruption.
    pub(super) fn read_local(&self, handle: Handle) -> Result<Option<Vec<u8>>> {
        let entry = self.entry(handle);
        let Some(value) = self.stores.local.get(&self.local_key(&entry.key)) else {
            return Ok(None);
        };
        let meta = record::parse_local_meta(&value, self.stores.seal)?;
        if meta != entry.meta {
            if (meta.stamp, meta.writer) != (entry.meta.stamp, entry.meta.writer) {
                return Ok(None);
            }
            return Err(Error::Corrupt(Corruption::Edited));
        }
        record::local_payload(&value).map(Some)
    }

    /// Moves entries pushed out of localStorage to IndexedDB when it has room; an entry that
    /// cannot move lives on in memory if it is there, and is dropped with `NO_ROOM` otherwise.
    pub(super) fn demote_all(&mut self, victims: Vec<Handle>) {
        for victim in victims {
            let Some(entry) = self.entries.get(victim) else {
                continue;
            };
            let key = entry.key.clone();
            let payload = self.read_local(victim);
            let storage_key = self.local_key(&key);
            self.remove_local_key(&storage_key);
            self.events.push(Event::Evicted {
                key: key.clone(),
                tier: Tier::Local,
            });
            let moved = match payload {
                Ok(Some(payload)) => self.write_idb(victim, payload),
                Ok(None) | Err(_) => false,
            };
            if !moved {
                self.orphan(victim, Some(Tier::Local));
            }
        }
    }

    /// An entry that lost its durable home (already out of that tier's policy and store):
    /// memory-only if memory holds it, else gone. `lost_from` names the tier when no other had
    /// room for it: that is a `NO_ROOM` fault, not an ordinary eviction of the last tier.
    fn orphan(&mut self, handle: Handle, lost_from: Option<Tier>) {
        let in_memory = self.policies.memory.contains(handle);
        let Some(entry) = self.entries.get_mut(handle) else {
            return;
        };
        entry.home = Tier::Memory;
        entry.stored_bytes = entry.meta.raw_bytes;
        let key = entry.key.clone();
        if let Some(tier) = lost_from {
            let message = if in_memory {
                "no tier had room: kept in memory only, lost at reload"
            } else {
                "no tier had room: dropped"
            };
            self.fault(tier, FaultCode::NoRoom, message.into(), Some(key));
        }
        if !in_memory {
            self.forget(handle);
        }
    }

    /// Takes entries pushed out by IndexedDB's budget out of it (the last tier: they live on in
    /// memory when they are there).
    pub(super) fn evict_from_idb(&mut self, victims: Vec<Handle>) {
        for victim in victims {
            let Some(entry) = self.entries.get(victim) else {
                continue;
            };
            let victim_key = entry.key.clone();
            let upto = entry.meta.stamp;
            self.stores.outbox.push(IdbOp::Delete {
                key: victim_key.to_string(),
                upto,
            });
            self.events.push(Event::Evicted {
                key: victim_key,
                tier: Tier::IndexedDb,
            });
            self.orphan(victim, None);
        }
    }

    /// Queues an entry for IndexedDB; false when the tier is unavailable or has no room.
    pub(super) fn write_idb(&mut self, handle: Handle, payload: Vec<u8>) -> bool {
        if !self.stores.idb_available && !self.stores.idb_opening {
            return false;
        }
        let entry = self.entry(handle);
        let (key, hash) = (entry.key.clone(), key_hash(&entry.key));
        let meta = entry.meta.to_bytes(self.stores.seal);
        let cost = idb_cost(meta.len(), payload.len() as u64);
        let mut evicted = Vec::new();
        if !self.policies.idb.insert(handle, hash, cost, &mut evicted) {
            return false;
        }
        self.evict_from_idb(evicted);
        if let Some(entry) = self.entries.get_mut(handle) {
            entry.home = Tier::IndexedDb;
            entry.stored_bytes = cost;
        }
        let stamp = (
            self.entry(handle).meta.stamp,
            self.entry(handle).meta.writer,
        );
        self.stores.outbox.push(IdbOp::Put {
            key: key.to_string(),
            meta,
            payload,
            stamp,
        });
        true
    }

    /// A payload still waiting in the outbox (written, not flushed yet).
    pub(super) fn pending_idb_payload(&self, key: &str) -> Option<Vec<u8>> {
        self.stores.outbox.iter().rev().find_map(|op| match op {
            IdbOp::Put {
                key: k, payload, ..
            } if k == key => Some(Some(payload.clone())),
            IdbOp::Delete { key: k, .. } if k == key => Some(None),
            IdbOp::Clear => Some(None),
            _ => None,
        })?
    }

    /// Whether IndexedDB operations wait for the next flush.
    pub fn has_pending_writes(&self) -> bool {
        !self.stores.outbox.is_empty()
    }

    /// A read of IndexedDB failed (the entry it was for reads as a miss).
    pub fn report_idb_fault(&mut self, why: &str) {
        self.fault(
            Tier::IndexedDb,
            FaultCode::ReadFailed,
            why.to_string(),
            None,
        );
    }

    /// Hands the pending IndexedDB operations to the browser layer, oldest first.
    pub fn take_outbox(&mut self) -> Vec<IdbOp> {
        std::mem::take(&mut self.stores.outbox)
    }

    /// Takes the puts of the outbox that may reach IndexedDB ahead of the rest of it, as the
    /// browser layer starts them while the page goes on (`IdbStore::begin`): those of keys that
    /// no operation waiting before them names, while no `Clear` waits. The rest stays, in its
    /// order, for the flush, which applies the puts taken first: each key's operations keep
    /// their order, and only operations of different keys change places.
    pub fn take_early_puts(&mut self) -> Vec<IdbOp> {
        if self
            .stores
            .outbox
            .iter()
            .any(|op| matches!(op, IdbOp::Clear))
        {
            return Vec::new();
        }
        let mut early = Vec::new();
        let mut kept: Vec<IdbOp> = Vec::new();
        for op in std::mem::take(&mut self.stores.outbox) {
            let named_before = kept.iter().any(|k| k.key() == op.key());
            match op {
                IdbOp::Put { .. } if !named_before => early.push(op),
                _ => kept.push(op),
            }
        }
        self.stores.outbox = kept;
        early
    }

    /// Puts `take_early_puts` handed out that could not be started go back ahead of the outbox.
    pub fn return_early_puts(&mut self, mut ops: Vec<IdbOp>) {
        ops.append(&mut self.stores.outbox);
        self.stores.outbox = ops;
    }

    /// A flush of `ops` failed: the entries it was to store move to localStorage when it has
    /// room, and are kept in memory (`NO_ROOM`) when it has not.
    pub fn idb_write_failed(&mut self, ops: &[IdbOp], why: &str) {
        for op in ops {
            let IdbOp::Put { key, payload, .. } = op else {
                continue;
            };
            let Some(&handle) = self.index.get(key.as_str()) else {
                continue;
            };
            let entry = self.entry(handle);
            // Only the write this op carried: a later rewrite of the key has its own op.
            if entry.home != Tier::IndexedDb || entry.meta.payload_sum != payload_sum(payload) {
                continue;
            }
            let key = entry.key.clone();
            self.policies.idb.remove(handle);
            self.fault(
                Tier::IndexedDb,
                FaultCode::WriteFailed,
                why.to_string(),
                Some(key),
            );
            if !self.write_local(handle, payload) {
                self.orphan(handle, Some(Tier::IndexedDb));
            } else if let Some(entry) = self.entries.get_mut(handle) {
                entry.home = Tier::Local;
            }
        }
    }

    /// IndexedDB went away under the cache (another page deleted or upgraded the database): the
    /// writes still waiting for it move to localStorage, and the entries it held live on in
    /// memory only, where memory holds them. The cache carries on without IndexedDB.
    pub fn idb_lost(&mut self, why: &str) {
        self.set_idb_available(false, why);
        let pending = std::mem::take(&mut self.stores.outbox);
        self.idb_write_failed(&pending, why);
        let homed: Vec<Handle> = self
            .index
            .values()
            .copied()
            .filter(|&h| self.entry(h).home == Tier::IndexedDb)
            .collect();
        for handle in homed {
            self.policies.idb.remove(handle);
            self.orphan(handle, None);
        }
    }

    /// IndexedDB is being opened: until `set_idb_available`, the cache serves what memory and
    /// localStorage hold, queues writes for IndexedDB, and answers `Lookup::Incomplete` for keys
    /// it cannot place yet.
    pub fn begin_idb_open(&mut self) {
        self.stores.idb_opening = true;
    }

    /// Whether IndexedDB can be used; when it cannot, the cache carries on without it. The
    /// first call ends opening: localStorage entries found over its budget move on now.
    pub fn set_idb_available(&mut self, available: bool, why: &str) {
        self.stores.idb_available = available;
        self.stores.idb_opening = false;
        if !available {
            self.fault(
                Tier::IndexedDb,
                FaultCode::Unavailable,
                why.to_string(),
                None,
            );
        }
        if let Some(deferred) = self.stores.deferred_demotions.take() {
            self.demote_all(deferred);
        }
    }
}
