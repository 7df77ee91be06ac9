//! Backends of the core's store traits.

#[cfg(target_arch = "wasm32")]
pub mod idb;
#[cfg(target_arch = "wasm32")]
pub mod local;
pub mod memory;
#[cfg(target_arch = "wasm32")]
pub mod platform;

/// A thrown JS value as `name: message`, for fault messages (never its Debug form).
#[cfg(target_arch = "wasm32")]
pub(crate) fn describe(error: &wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    error
        .as_string()
        .unwrap_or_else(|| "an unknown error was thrown".into())
}
