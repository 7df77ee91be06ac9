//! Core values to JavaScript values: errors, stats and entries, events.

use crate::core::engine::event::{Event, RemovalCause};
use crate::core::engine::{Lookup, Stored};
use crate::core::error::Error;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A JS `Error` with the API's `code` on it.
pub fn error(e: Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    set(&js, "code", &e.code().into());
    js.into()
}

fn set(target: &JsValue, name: &str, value: &JsValue) {
    // Setting a plain data property on an object we just made cannot fail.
    let _ = js_sys::Reflect::set(target, &name.into(), value);
}

/// What the face keeps of a stored entry for its live copy, as one named object:
/// `{ id, expiresAt, staleAt, inMemory }` (0 = never for the times), and `json` for a hit.
pub fn stored(stored: Stored, json: Option<&[u8]>) -> JsValue {
    let js: JsValue = js_sys::Object::new().into();
    set(&js, "id", &f64::from(stored.id).into());
    set(
        &js,
        "expiresAt",
        &stored.expires_at.map_or(0.0, |at| at as f64).into(),
    );
    set(
        &js,
        "staleAt",
        &stored.stale_at.map_or(0.0, |at| at as f64).into(),
    );
    set(&js, "inMemory", &stored.in_memory.into());
    if let Some(json) = json {
        set(
            &js,
            "json",
            &JsValue::from_str(&String::from_utf8_lossy(json)),
        );
    }
    js
}

/// A lookup as the face reads it: a `stored` object with its `json` for a hit, else `undefined`.
pub fn lookup(lookup: Lookup) -> JsValue {
    match lookup {
        Lookup::Hit { json, stored: s } => stored(s, Some(&json)),
        Lookup::Miss | Lookup::ReadIndexedDb { .. } | Lookup::Incomplete => JsValue::UNDEFINED,
    }
}

/// Structs of the core (stats, entries) as plain JS objects; a value that cannot be represented
/// is an error thrown at the caller, never a silent `undefined`.
pub fn plain<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| js_sys::Error::new(&format!("smartcache: {e}")).into())
}

/// An engine event as the `CacheEvent` of API.md.
pub fn event(e: &Event) -> JsValue {
    let js: JsValue = js_sys::Object::new().into();
    let (kind, key, tier) = match e {
        Event::Set { key, tier } => ("set", Some(key), Some(tier)),
        Event::Hit { key, tier } => ("hit", Some(key), Some(tier)),
        Event::Miss { key } => ("miss", Some(key), None),
        Event::Evicted { key, tier } => ("evict", Some(key), Some(tier)),
        Event::Removed {
            key,
            tier,
            cause: RemovalCause::Expired,
        } => ("expire", Some(key), Some(tier)),
        Event::Removed {
            key,
            tier,
            cause: RemovalCause::Deleted,
        } => ("delete", Some(key), Some(tier)),
        // Another tab wrote the key.
        Event::Removed {
            key,
            tier,
            cause: RemovalCause::Replaced,
        } => {
            set(&js, "remote", &true.into());
            ("set", Some(key), Some(tier))
        }
        Event::Fault {
            tier,
            code,
            message,
            key,
        } => {
            set(&js, "code", &code.as_str().into());
            set(&js, "message", &message.as_str().into());
            ("fault", key.as_ref(), Some(tier))
        }
        Event::Invalidated { key, removed } => {
            let list: js_sys::Array = removed.iter().map(|k| JsValue::from_str(k)).collect();
            set(&js, "removed", &list);
            ("invalidate", Some(key), None)
        }
        Event::Cleared => ("clear", None, None),
        Event::Prefetch {
            key,
            probability,
            reason,
        } => {
            set(&js, "probability", &f64::from(*probability).into());
            set(&js, "reason", &reason.as_str().into());
            ("prefetch", Some(key), None)
        }
        Event::LoadSpoiled { load } => {
            set(&js, "load", &(*load as f64).into());
            ("spoiled", None, None)
        }
    };
    if let Some(drop) = e.live_drop() {
        set(&js, "drop", &drop.as_str().into());
    }
    set(&js, "type", &kind.into());
    if let Some(key) = key {
        set(&js, "key", &JsValue::from_str(key));
    }
    if let Some(tier) = tier {
        set(&js, "tier", &tier.as_str().into());
    }
    js
}
