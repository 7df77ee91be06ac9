//! The platform-free core: no web-sys, no js-sys. Everything here compiles and is tested natively.
//! Dependencies point down the list: `types`, `sort` and `plain` import nothing; `format`,
//! `policy` and `graph` import only `types`, `error` and `sort`; `predict` imports only `sort` and
//! `plain`; the `engine` imports them all.

pub mod clock;
pub mod engine;
pub mod error;
pub mod format;
pub mod graph;
pub mod plain;
pub mod policy;
pub mod predict;
pub mod sort;
pub mod types;
