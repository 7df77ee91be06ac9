//! Preloading as the engine drives it: demand accesses feed the predictor, preloads are stored
//! cold (never pushing out what has proven hot) and marked until a demand access reads them, and
//! the model is kept in localStorage within its budget, sealed to its namespace.

use super::invalidate::{Loads, Preloading};
use super::{Engine, Entry, Handle, Key};
use crate::core::clock::Clock;
use crate::core::engine::event::Event;
use crate::core::engine::stats::{Predictions, RecentPreload};
use crate::core::engine::store::{charged_bytes, units, LocalStore, StoreError};
use crate::core::format::checksum::xxh32;
use crate::core::format::codec;
use crate::core::format::record::Meta;
use crate::core::format::text;
use crate::core::policy::Policy;
use crate::core::policy::Slots;
use crate::core::predict::{Load, Model, Planned, Reason, Surroundings};
use crate::core::types::{FaultCode, Tier};
use std::collections::HashMap;

/// Most bytes the saved model takes in localStorage, as the browser counts them.
pub const MAX_MODEL_BYTES: u64 = 64 * 1024;
/// The model is saved at most this often while it learns (and when the cache closes).
pub const SAVE_EVERY_MS: u64 = 5_000;
/// The saved model: its namespace's seal (u32 LE), then the body in the payload envelope of
/// `codec` (magic, format, length, checksum), never compressed so that its size is known before.
const MODEL_SEAL_LEN: usize = 4;
const MODEL_FRAME_LEN: usize = MODEL_SEAL_LEN + codec::HEADER_LEN;

/// Preloads the devtools list.
pub const RECENT_PRELOADS: usize = 50;

/// A preload no demand access has read yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unread {
    /// The scorer's id when the model guessed it.
    pub guess: Option<u64>,
}

impl<C: Clock, L: LocalStore> Engine<C, L> {
    /// A demand access of `key` (not a preload's): the predictor learns from it. Returns
    /// whether a shadow guess foresaw it.
    pub(super) fn demand(&mut self, key: &str) -> bool {
        let now = self.clock.now_ms();
        self.predictor.observe(key, now)
    }

    /// A demand access found entry `handle`: a preload it had not read is used now.
    pub(super) fn demand_hit(&mut self, handle: Handle) {
        let Some(entry) = self.entries.get_mut(handle) else {
            return;
        };
        let Some(unread) = entry.preload.take() else {
            return;
        };
        let bytes = entry.meta.raw_bytes;
        let key = entry.key.clone();
        self.counters.prefetch_hits += 1;
        self.predictor.preload_used(unread.guess, bytes);
        self.recent_preload_used(&key);
    }

    /// The latest preload of `key` in the devtools' list was used.
    fn recent_preload_used(&mut self, key: &str) {
        if let Some(recent) = self.recent_preloads.iter_mut().rev().find(|p| p.key == key) {
            recent.used = true;
        }
    }

    /// A demand access of `key` missed: unless a guess foresaw it or a preload of it is on its
    /// way (the caller will join it), that is a miss no preload covered.
    pub(super) fn demand_missed(&mut self, key: &str, foreseen: bool) {
        if !foreseen && !self.preloading(key) {
            self.predictor.missed();
        }
    }

    /// The accesses the face buffered (memory hits), as demand accesses.
    pub(super) fn demand_hits(&mut self, ids: &[Handle]) {
        let learns = self.predictor.learns();
        if !learns && self.counters.prefetched == 0 {
            return;
        }
        for &id in ids {
            let Some(key) = self.entries.get(id).map(|e| e.key.clone()) else {
                continue;
            };
            if learns {
                self.demand(&key);
            }
            self.demand_hit(id);
        }
    }

    /// Whether a preload of `key` is in flight.
    fn preloading(&self, key: &str) -> bool {
        self.loads.of(key).is_some_and(|l| l.preload.is_some())
    }

    /// Whether `key` lacks a fresh copy in every tier and nothing loads it: a preload may.
    pub fn needs_load(&mut self, key: &str) -> bool {
        self.purge_expired();
        lacks_fresh_copy(
            &self.index,
            &self.entries,
            &self.loads,
            key,
            self.clock.now_ms(),
        )
    }

    /// Whether the predictor learns (`predict` is 'on' or 'shadow').
    pub fn predicts(&self) -> bool {
        self.predictor.learns()
    }

    /// What the devtools show of the predictor: its `limit` strongest transitions, and the
    /// latest preloads with whether each was used.
    pub fn predictions(&self, limit: usize) -> Predictions {
        Predictions {
            transitions: self.predictor.model().transitions(limit),
            recent: self.recent_preloads.iter().cloned().collect(),
        }
    }

    /// The prefixes of the face's registered loaders: only their keys are preloaded.
    pub fn set_loader_prefixes(&mut self, prefixes: Vec<String>) {
        self.predictor.set_loader_prefixes(prefixes);
    }

    /// The app hints that `key` is needed soon: it goes ahead of the guesses.
    pub fn hint(&mut self, key: &str) -> crate::core::error::Result<()> {
        self.ensure_open()?;
        crate::core::error::check_key(key)?;
        self.predictor.hint(key);
        Ok(())
    }

    /// What to preload now (the face calls it when the page is idle): hints, then guesses for
    /// the latest demand access. Saves the model when it is due.
    pub fn plan_preloads(&mut self, around: &Surroundings) -> Vec<Planned> {
        if self.closed || self.stores.idb_opening {
            // Until IndexedDB's records are in, a key may have a fresh copy nobody knows of.
            return Vec::new();
        }
        self.save_model(false);
        self.purge_expired();
        let load = Load {
            preloads: self.loads.count(|l| !l.spoiled && l.preload.is_some()) as u32,
            demand: self.loads.count(|l| !l.spoiled && l.preload.is_none()) as u32,
        };
        let now = self.clock.now_ms();
        let (index, entries, loads) = (&self.index, &self.entries, &self.loads);
        self.predictor.plan(around, now, load, |key| {
            lacks_fresh_copy(index, entries, loads, key, now)
        })
    }

    /// A preload of `key` begins; like `begin_load`, with why and how likely.
    pub fn begin_preload(
        &mut self,
        key: &str,
        options: &super::options::SetOptions,
        reason: Reason,
        guess: Option<u64>,
        probability: f32,
    ) -> u64 {
        let token = self.begin_load(key, options);
        self.loads.mark_preload(
            token,
            Preloading {
                reason,
                guess,
                joined: false,
            },
        );
        self.events.push(Event::Prefetch {
            key: Key::from(key),
            probability,
            reason,
        });
        if self.recent_preloads.len() == RECENT_PRELOADS {
            self.recent_preloads.pop_front();
        }
        self.recent_preloads.push_back(RecentPreload {
            key: key.to_string(),
            reason,
            probability,
            used: false,
        });
        token
    }

    /// A demand access joined the preload `token`: what it loads is used.
    pub fn preload_joined(&mut self, token: u64) {
        let Some(preload) = self.loads.preload_mut(token) else {
            return;
        };
        if preload.joined {
            return;
        }
        preload.joined = true;
        let guess = preload.guess;
        self.counters.prefetch_hits += 1;
        self.predictor.preload_used(guess, 0);
        if let Some(key) = self.loads.key_of(token) {
            self.recent_preload_used(&key);
        }
    }

    /// A preload was stored as `handle` (or went nowhere: no tier had cold room).
    pub(super) fn preload_stored(&mut self, key: &str, preload: Preloading) {
        let Some(&handle) = self.index.get(key) else {
            return;
        };
        let now = self.clock.now_ms();
        self.counters.prefetched += 1;
        let entry = self
            .entries
            .get_mut(handle)
            .expect("handles in the index name entries");
        let bytes = entry.meta.raw_bytes;
        if !preload.joined {
            entry.preload = Some(Unread {
                guess: preload.guess,
            });
        }
        let unread_guess = preload.guess.is_some() && !preload.joined;
        self.predictor.preloaded(unread_guess, bytes, now);
    }

    /// Whether `tier` has free room for an entry, with nothing pushed out: where a preload may go.
    pub(super) fn has_free_room(&self, tier: Tier, meta: &Meta) -> bool {
        match tier {
            Tier::Local => {
                self.policies.local.weight() + self.local_cost(meta) <= self.policies.local.budget()
            }
            Tier::IndexedDb => {
                let cost = super::tiers::idb_cost(meta.record_len(), meta.payload_bytes);
                self.policies.idb.weight() + cost <= self.policies.idb.budget()
            }
            // Memory takes a guess into free room or the room of cold entries (`insert_cold`).
            Tier::Memory => true,
        }
    }

    fn model_key(&self) -> String {
        let namespace = &self.config.namespace;
        format!("smartcache-predict:{}:{namespace}", units(namespace))
    }

    fn model_seal(&self) -> u32 {
        xxh32(format!("predict:{}", self.config.namespace).as_bytes(), 0)
    }

    /// Reads the saved model at opening; a damaged or foreign one is discarded with a fault.
    /// With prediction off, a saved model is forgotten.
    pub(super) fn load_model(&mut self) {
        let key = self.model_key();
        let Some(value) = self.stores.local.get(&key) else {
            return;
        };
        if !self.predictor.learns() {
            self.remove_local_key(&key);
            return;
        }
        match self.decode_model(&value) {
            Ok(model) => {
                self.predictor.adopt(model);
                let cost = charged_bytes(units(&key), value.len());
                if cost <= self.config.local_storage_bytes {
                    self.reserve_for_model(cost);
                } else {
                    // A smaller budget than when it was saved: saved again, smaller, later.
                    self.remove_local_key(&key);
                }
            }
            Err(why) => {
                self.remove_local_key(&key);
                let message = format!("the predictor's saved model was discarded: {why}");
                self.fault(Tier::Local, FaultCode::CorruptEntry, message, None);
            }
        }
    }

    fn decode_model(&self, value: &[u16]) -> Result<Model, String> {
        let bytes = text::unpack(value).map_err(|e| e.to_string())?;
        let (seal, envelope) = bytes
            .split_first_chunk::<MODEL_SEAL_LEN>()
            .ok_or("not a saved model")?;
        if u32::from_le_bytes(*seal) != self.model_seal() {
            return Err("it belongs to another namespace".into());
        }
        let body = codec::decode(envelope).map_err(|e| e.to_string())?;
        Model::decode(&body).map_err(String::from)
    }

    /// The model takes `cost` bytes of localStorage: the entries' budget is what remains.
    fn reserve_for_model(&mut self, cost: u64) {
        self.model_cost = cost;
        let mut evicted = Vec::new();
        self.policies
            .local
            .set_budget(self.config.local_storage_bytes - cost, &mut evicted);
        self.demote_all(evicted);
    }

    /// Saves the model if it learned since it was last saved and `SAVE_EVERY_MS` has passed
    /// (`now`: whatever the time). It takes at most `MAX_MODEL_BYTES` and only room the entries
    /// leave free: the least recently used contexts stay out when it would be larger.
    pub fn save_model(&mut self, now: bool) {
        let at = self.clock.now_ms();
        if self.closed
            || !self.predictor.learns()
            || !self.predictor.dirty()
            || !now && at.saturating_sub(self.model_saved_at) < SAVE_EVERY_MS
        {
            return;
        }
        self.model_saved_at = at;
        let key = self.model_key();
        let free = self.config.local_storage_bytes - self.policies.local.weight();
        let room_units = (free.min(MAX_MODEL_BYTES) / 2).saturating_sub(units(&key) as u64);
        // Units of the packed value: one header unit, then 15 bits each.
        let body_limit =
            (room_units.saturating_sub(1) * 15 / 8).saturating_sub(MODEL_FRAME_LEN as u64);
        if body_limit == 0 {
            self.remove_local_key(&key);
            self.reserve_for_model(0);
            return;
        }
        let body = self.predictor.model().encode(body_limit as usize);
        let mut frame = self.model_seal().to_le_bytes().to_vec();
        frame.extend(codec::encode(&body, usize::MAX));
        let value = text::pack(&frame);
        match self.stores.local.set(&key, &value) {
            Ok(()) => {
                self.predictor.saved();
                self.reserve_for_model(charged_bytes(units(&key), value.len()));
            }
            Err(StoreError::Quota) => {
                let message = "the predictor's model was not saved: localStorage is full".into();
                self.fault(Tier::Local, FaultCode::QuotaExceeded, message, None);
            }
            Err(StoreError::Unavailable(why)) => {
                let message = format!("the predictor's model was not saved: {why}");
                self.fault(Tier::Local, FaultCode::Unavailable, message, None);
            }
        }
    }
}

/// Whether `key` lacks a fresh copy in every tier and nothing loads it (over the parts of the
/// engine it reads, so that the predictor can ask while it plans).
fn lacks_fresh_copy(
    index: &HashMap<Key, Handle>,
    entries: &Slots<Entry>,
    loads: &Loads,
    key: &str,
    now: u64,
) -> bool {
    let fresh = index
        .get(key)
        .and_then(|&h| entries.get(h))
        .is_some_and(|e| !e.meta.expired(now) && e.meta.stale_at.is_none_or(|at| at > now));
    !fresh && loads.of(key).is_none()
}
