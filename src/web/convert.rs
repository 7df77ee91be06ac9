//! Core values to JavaScript values: errors, hits (their text decoded by the browser), stats and
//! entries, events.

use crate::core::engine::event::{Event, RemovalCause};
use crate::core::engine::Stored;
use crate::core::error::Error;
use crate::core::plain::{Plain, ToPlain};
use js_sys::JsString;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

#[wasm_bindgen]
extern "C" {
    /// A `TextDecoder` (`text` makes a fatal one: it throws on bytes that are not UTF-8).
    #[wasm_bindgen(js_name = TextDecoder)]
    type Utf8Decoder;

    #[wasm_bindgen(constructor, js_class = TextDecoder)]
    fn new(label: &str, options: &JsValue) -> Utf8Decoder;

    /// Decodes bytes of wasm memory, which cross as a view (no copy).
    #[wasm_bindgen(method, catch, js_class = TextDecoder)]
    fn decode(this: &Utf8Decoder, bytes: &[u8]) -> Result<JsString, JsValue>;
}

thread_local! {
    static UTF8: Utf8Decoder = {
        let options: JsValue = js_sys::Object::new().into();
        set(&options, "fatal", &JsValue::TRUE);
        set(&options, "ignoreBOM", &JsValue::TRUE);
        Utf8Decoder::new("utf-8", &options)
    };
}

/// The text of UTF-8 bytes, decoded and checked in one pass by the browser; None when they are
/// not UTF-8.
pub fn text(bytes: &[u8]) -> Option<JsString> {
    UTF8.with(|decoder| decoder.decode(bytes).ok())
}

/// A JS `Error` with the API's `code` on it.
pub fn error(e: Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    set(&js, "code", &e.code().into());
    js.into()
}

/// Sets a data property on a plain object made here (which cannot fail).
pub(super) fn set(target: &JsValue, name: &'static str, value: &JsValue) {
    let _ = js_sys::Reflect::set(target, js_name(name), value);
}

thread_local! {
    /// Property names and name-like values as JS strings, made once each (a bounded set of a
    /// few dozen `&'static str`s, found by a scan: a map of its own was more wasm): decoding them
    /// from wasm memory at every crossing cost more than the rest of a memory-tier `set`.
    static NAMES: RefCell<Vec<(&'static str, &'static JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// `name` as a JS string.
pub fn js_name(name: &'static str) -> &'static JsValue {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(&(_, js)) = names.iter().find(|(known, _)| *known == name) {
            return js;
        }
        let js: &'static JsValue = Box::leak(Box::new(JsValue::from_str(name)));
        names.push((name, js));
        js
    })
}

/// What the face keeps of a stored entry for its live copy: `[id, expiresAt, staleAt, inMemory]`
/// as a Float64Array (0 = never for the times; 1 or 0), one copy out of wasm memory where an
/// object would take a crossing per field.
pub fn stored(stored: Stored) -> JsValue {
    let fields = [
        f64::from(stored.id),
        stored.expires_at.map_or(0.0, |at| at as f64),
        stored.stale_at.map_or(0.0, |at| at as f64),
        f64::from(u8::from(stored.in_memory)),
    ];
    js_sys::Float64Array::from(&fields[..]).into()
}

/// A hit as the face reads it: `{ json, stored }`.
pub fn hit(json: &JsString, s: Stored) -> JsValue {
    let js: JsValue = js_sys::Object::new().into();
    set(&js, "json", json);
    set(&js, "stored", &stored(s));
    js
}

/// Shapes of the core (stats, entries, the graph, predictions, plans) as plain JS objects.
pub fn plain(value: &impl ToPlain) -> JsValue {
    js_of(&value.to_plain())
}

fn js_of(value: &Plain) -> JsValue {
    match value {
        Plain::Number(n) => JsValue::from_f64(*n),
        Plain::Bool(b) => JsValue::from_bool(*b),
        Plain::Text(text) => JsValue::from_str(text),
        Plain::Name(name) => js_name(name).clone(),
        Plain::List(items) => items.iter().map(js_of).collect::<js_sys::Array>().into(),
        Plain::Object(fields) => {
            let object: JsValue = js_sys::Object::new().into();
            for (name, value) in fields {
                set(&object, name, &js_of(value));
            }
            object
        }
    }
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
        set(&js, "drop", js_name(drop.as_str()));
    }
    set(&js, "type", js_name(kind));
    if let Some(key) = key {
        set(&js, "key", &JsValue::from_str(key));
    }
    if let Some(tier) = tier {
        set(&js, "tier", js_name(tier.as_str()));
    }
    js
}
