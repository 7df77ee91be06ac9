//! The platform-free core: no web-sys, no js-sys. Everything here compiles and is tested natively.

pub mod checksum;
pub mod clock;
pub mod codec;
pub mod engine;
pub mod error;
pub mod event;
pub mod graph;
pub mod memory;
pub mod options;
pub mod record;
pub mod slots;
pub mod stats;
pub mod store;
pub mod text;
