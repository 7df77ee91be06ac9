//! Cross-tab messages over a BroadcastChannel named after the namespace and version: the
//! engine's `Broadcast`s as plain objects, and back. Stamps travel as decimal strings (they
//! exceed the integers a JS number holds exactly).

use super::convert::{js_name, set as put};
use crate::core::engine::Broadcast;
use crate::core::types::Tier;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

#[derive(Debug)]
pub struct Tabs {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

/// One posted message carries every change of a tick, oldest first.
fn batch_to_js(batch: &[Broadcast]) -> JsValue {
    batch.iter().map(to_js).collect::<Array>().into()
}

fn field(message: &JsValue, name: &'static str) -> JsValue {
    Reflect::get(message, js_name(name)).unwrap_or(JsValue::UNDEFINED)
}

fn put_stamp(message: &JsValue, stamp: u64) {
    put(message, "stamp", &stamp.to_string().into());
}

fn stamp_of(message: &JsValue) -> Option<u64> {
    field(message, "stamp").as_string()?.parse().ok()
}

fn bytes_of(message: &JsValue, name: &'static str) -> Option<Vec<u8>> {
    field(message, name)
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
}

fn to_js(broadcast: &Broadcast) -> JsValue {
    let message: JsValue = js_sys::Object::new().into();
    let kind = match broadcast {
        Broadcast::Set {
            key,
            home,
            meta,
            payload,
            stamp,
            writer,
        } => {
            put(&message, "key", &key.as_str().into());
            put(&message, "home", js_name(home.as_str()));
            if let Some(meta) = meta {
                put(&message, "meta", &Uint8Array::from(meta.as_slice()));
            }
            if let Some(payload) = payload {
                put(&message, "payload", &Uint8Array::from(payload.as_slice()));
            }
            put_stamp(&message, *stamp);
            put(&message, "writer", &f64::from(*writer).into());
            "set"
        }
        Broadcast::Delete { key, stamp } => {
            put(&message, "key", &key.as_str().into());
            put_stamp(&message, *stamp);
            "delete"
        }
        Broadcast::Invalidate {
            name,
            prefix,
            removed,
            stamp,
        } => {
            put_stamp(&message, *stamp);
            put(&message, "key", &name.as_str().into());
            put(&message, "prefix", &(*prefix).into());
            let list: Array = removed.iter().map(|k| JsValue::from_str(k)).collect();
            put(&message, "removed", &list);
            "invalidate"
        }
        Broadcast::Clear { stamp } => {
            put_stamp(&message, *stamp);
            "clear"
        }
    };
    put(&message, "type", js_name(kind));
    message
}

/// A message from another tab; anything else on the channel is ignored.
fn from_js(message: &JsValue) -> Option<Broadcast> {
    let key = field(message, "key").as_string();
    match field(message, "type").as_string()?.as_str() {
        "set" => Some(Broadcast::Set {
            key: key?,
            home: Tier::named(&field(message, "home").as_string()?)?,
            meta: bytes_of(message, "meta"),
            payload: bytes_of(message, "payload"),
            stamp: stamp_of(message)?,
            writer: field(message, "writer").as_f64()? as u32,
        }),
        "delete" => Some(Broadcast::Delete {
            key: key?,
            stamp: stamp_of(message)?,
        }),
        "invalidate" => Some(Broadcast::Invalidate {
            name: key?,
            prefix: field(message, "prefix").as_bool().unwrap_or(false),
            removed: field(message, "removed")
                .dyn_into::<Array>()
                .ok()?
                .iter()
                .filter_map(|k| k.as_string())
                .collect(),
            stamp: stamp_of(message)?,
        }),
        "clear" => Some(Broadcast::Clear {
            stamp: stamp_of(message)?,
        }),
        _ => None,
    }
}

impl Tabs {
    /// Joins the namespace's channel; `receive` gets every well-formed message of another tab.
    /// `None` where BroadcastChannel is missing.
    pub fn join(
        namespace: &str,
        version: u64,
        mut receive: impl FnMut(Broadcast) + 'static,
    ) -> Option<Tabs> {
        let name = format!("smartcache:{namespace}:{version}");
        let channel = BroadcastChannel::new(&name).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Ok(batch) = event.data().dyn_into::<Array>() else {
                return;
            };
            for message in batch.iter().filter_map(|m| from_js(&m)) {
                receive(message);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Tabs {
            channel,
            _on_message: on_message,
        })
    }

    pub fn post(&self, batch: &[Broadcast]) {
        if !batch.is_empty() {
            // Throws only on a closed channel (the cache is closing) or data that cannot be cloned
            // (never: plain objects, strings and byte arrays): nothing to tell the app.
            let _ = self.channel.post_message(&batch_to_js(batch));
        }
    }

    pub fn leave(&self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
