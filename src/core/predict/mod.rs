//! The access-pattern model behind predictive preloading: keys abstracted to templates with
//! parameters (`template.rs`), and a variable-order model of what follows what (`model.rs`), with
//! parameter binding so that a pattern learned on one company predicts for the next. It learns
//! only from the demand accesses it is shown (never from preloads) and stays within fixed bounds.

pub mod model;
pub mod template;

pub use model::{Model, Prediction};
pub use template::Abstracted;
