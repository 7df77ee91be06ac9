//! What the wasm-bindgen tests share: the face's platform module, as `SmartCache.open` hands it
//! to the core.

use js_sys::{Function, Object, Reflect};
use smartcache::store::platform::Platform;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg/lib/platform.js")]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = readStorageHeads)]
    static READ_STORAGE_HEADS: Function;
    #[wasm_bindgen(thread_local_v2, js_name = storageKeysBut)]
    static STORAGE_KEYS_BUT: Function;
    #[wasm_bindgen(thread_local_v2, js_name = readStoredUnits)]
    static READ_STORED_UNITS: Function;
    #[wasm_bindgen(thread_local_v2, js_name = writeStoredUnits)]
    static WRITE_STORED_UNITS: Function;
    #[wasm_bindgen(thread_local_v2, js_name = openDatabase)]
    static OPEN_DATABASE: Function;
}

/// `pkg/lib/platform.js`'s functions on one object, as the module is.
pub fn platform() -> Platform {
    let platform = Object::new();
    for (name, function) in [
        ("readStorageHeads", READ_STORAGE_HEADS.with(Function::clone)),
        ("storageKeysBut", STORAGE_KEYS_BUT.with(Function::clone)),
        ("readStoredUnits", READ_STORED_UNITS.with(Function::clone)),
        ("writeStoredUnits", WRITE_STORED_UNITS.with(Function::clone)),
        ("openDatabase", OPEN_DATABASE.with(Function::clone)),
    ] {
        Reflect::set(&platform, &name.into(), &function).expect("a plain object takes properties");
    }
    platform.unchecked_into()
}

/// Resolves after `ms` milliseconds (a timer of the page: what a later task sees).
#[allow(dead_code, reason = "not every test file waits")]
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("the page has setTimeout")
            .unchecked_into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(ms))
            .expect("setTimeout takes a function");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("a timer resolves");
}
