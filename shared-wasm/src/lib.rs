//! `shared`'s webhook verification and card rules as a wasm module for node
//! (`wasm-bindgen --target nodejs`), so `cargo xtask bench` can time the same
//! code the gateway and widget run against the npm libraries, in the same
//! process. Thin wrappers only: `shared` itself stays free of wasm-bindgen.

use shared::card::{self, CardNumber};
use shared::webhook::{self, DEFAULT_TOLERANCE_SECS};
use wasm_bindgen::prelude::*;

/// Unix seconds arrive as a JS number; whole seconds are exact in an f64.
fn secs(now_secs: f64) -> i64 {
    now_secs as i64
}

/// Verifies a `Stripe-Signature` header with one endpoint secret; returns the
/// signed timestamp or throws the verification error (as stripe-node's
/// `constructEvent` throws).
#[wasm_bindgen]
pub fn verify_stripe(
    payload: &str,
    header: &str,
    secret: &str,
    now_secs: f64,
) -> Result<f64, JsError> {
    webhook::stripe_verify(
        payload.as_bytes(),
        header,
        &[secret],
        secs(now_secs),
        DEFAULT_TOLERANCE_SECS,
    )
    .map(|t| t as f64)
    .map_err(|e| JsError::new(e.message()))
}

/// Verifies a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`); returns the signed timestamp or throws.
#[wasm_bindgen]
pub fn verify_standard(
    payload: &str,
    msg_id: &str,
    timestamp: &str,
    signature: &str,
    secret: &str,
    now_secs: f64,
) -> Result<f64, JsError> {
    webhook::standard_verify(
        payload.as_bytes(),
        msg_id,
        timestamp,
        signature,
        &[secret],
        secs(now_secs),
        DEFAULT_TOLERANCE_SECS,
    )
    .map(|t| t as f64)
    .map_err(|e| JsError::new(e.message()))
}

/// The brand shown while typing, as Stripe names it ("unknown" while ambiguous).
#[wasm_bindgen]
pub fn detect_brand(number: &str) -> String {
    card::detect_brand(number).code().to_owned()
}

/// braintree credit-card-type's answer: its `type` names, in its order.
#[wasm_bindgen]
pub fn credit_card_type(number: &str) -> Vec<String> {
    card::credit_card_type(number)
        .into_iter()
        .map(|b| b.braintree_type().to_owned())
        .collect()
}

/// Full number validation (brand, length, Luhn): the Stripe brand code when
/// the number is valid, otherwise the Stripe error code (`incomplete_number`
/// or `invalid_number`). The two sets of strings are disjoint.
#[wasm_bindgen]
pub fn validate_number(number: &str) -> String {
    match CardNumber::parse(number) {
        Ok(pan) => pan.brand().code().to_owned(),
        Err(e) => e.code().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_wrappers_answer_like_shared() {
        assert_eq!(validate_number("4242 4242 4242 4242"), "visa");
        assert_eq!(validate_number("4242 4242 4242 4241"), "invalid_number");
        assert_eq!(validate_number("4242"), "incomplete_number");
        assert_eq!(detect_brand("37"), "amex");
        assert_eq!(credit_card_type("37"), ["american-express"]);
        assert_eq!(
            credit_card_type("3"),
            ["american-express", "diners-club", "jcb"]
        );
    }
}
