//! Cross-tab messages over a BroadcastChannel named after the namespace and version: each
//! message is one byte array carrying every `Broadcast` of a tick (`Broadcast::encode_batch`).

use crate::core::engine::Broadcast;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

#[derive(Debug)]
pub struct Tabs {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
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
            // Anything else on the channel is ignored.
            let Ok(bytes) = event.data().dyn_into::<Uint8Array>() else {
                return;
            };
            for message in Broadcast::decode_batch(&bytes.to_vec()).unwrap_or_default() {
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
            // Throws only on a closed channel (the cache is closing): nothing to tell the app.
            let bytes = Uint8Array::from(Broadcast::encode_batch(batch).as_slice());
            let _ = self.channel.post_message(&bytes);
        }
    }

    pub fn leave(&self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
