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
