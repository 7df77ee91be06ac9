//! Waiting on the browser's task queue (setTimeout), from windows and workers alike.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        // setTimeout is on the global object of windows and workers alike.
        let global = js_sys::global();
        if let Ok(set_timeout) = js_sys::Reflect::get(&global, &"setTimeout".into()) {
            let set_timeout: js_sys::Function = set_timeout.unchecked_into();
            // setTimeout does not throw for a function and a number.
            let _ = set_timeout.call2(&global, &resolve, &ms.into());
        }
    });
    // The promise only ever resolves.
    let _ = JsFuture::from(promise).await;
}
