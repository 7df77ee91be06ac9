//! Predictive preloading, learned on the device. Keys are abstracted to templates with parameters
//! (`template.rs`); a variable-order model learns what follows what, binding parameters to the
//! recent context, so that a pattern learned on one company predicts for the next (`model.rs`);
//! it is kept across page loads as bounded bytes (`persist.rs`). The predictor decides what to
//! load and when (`plan.rs`) and scores itself, pausing when its guesses go unused (`score.rs`).
//! It learns only from the demand accesses it is shown, never from its own preloads.

pub mod model;
pub mod persist;
pub mod plan;
pub mod score;
pub mod template;

pub use model::{Model, Prediction, Transition};
pub use plan::{Load, Mode, Planned, PredictConfig, Predictor, Reason, Surroundings};
pub use score::Scores;
pub use template::Abstracted;
