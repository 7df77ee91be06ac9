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
