//! Tessera's pure core, shared by the gateway (`edge-worker`) and the checkout element (`widget`).
//!
//! Architecture invariant: this crate does no I/O, reads no clock and draws no randomness. Callers
//! pass time and random bytes in, so every rule here is testable natively without sleeping.

pub mod api;
pub mod appearance;
pub mod card;
pub mod ids;
pub mod input;
pub mod intent;
pub mod money;
pub mod protocol;
pub mod webhook;
