//! smartcache: a client-side cache for data-heavy web apps.
//!
//! The [`core`] decides what to keep, where and for how long, and is platform-free; [`web`] is the
//! thin `wasm-bindgen` boundary that the npm package in `pkg/` drives.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod core;
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// The wasm's allocator: Talc, where the standard library's dlmalloc took 7 KB more of the
/// shipped module.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
