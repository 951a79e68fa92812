//! Wire-level error shape shared by the gateway (which produces it) and the widget (which reads
//! `code`/`decline_code` to pick a message in the shopper's language).

use serde::{Deserialize, Serialize};

/// Stripe's `error.type` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    ApiError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
}

/// A Stripe-shaped error: `{"error": {type, code, param, message, decline_code}}` plus an HTTP status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    pub message: String,
    /// The intent in its current state, on errors about a PaymentIntent (as Stripe sends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<Box<serde_json::Value>>,
    #[serde(skip)]
    pub status: u16,
}

impl ApiError {
    pub fn new(status: u16, kind: ErrorType, code: Option<&str>, param: Option<&str>, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            code: code.map(str::to_owned),
            decline_code: None,
            param: param.map(str::to_owned),
            message: message.into(),
            payment_intent: None,
            status,
        }
    }

    pub fn invalid_request(code: &str, param: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(400, ErrorType::InvalidRequestError, Some(code), param, message)
    }

    pub fn missing_param(param: &str) -> Self {
        Self::invalid_request("parameter_missing", Some(param), format!("Missing required param: {param}."))
    }

    pub fn invalid_param(param: &str, message: impl Into<String>) -> Self {
        Self::invalid_request("parameter_invalid", Some(param), message)
    }

    pub fn unknown_param(param: &str) -> Self {
        Self::invalid_request("parameter_unknown", Some(param), format!("Received unknown parameter: {param}"))
    }

    pub fn resource_missing(param: &str, kind: &str, id: &str) -> Self {
        Self::new(404, ErrorType::InvalidRequestError, Some("resource_missing"), Some(param), format!("No such {kind}: '{id}'"))
    }

    /// Attaches the intent the error is about.
    pub fn with_payment_intent(mut self, intent: serde_json::Value) -> Self {
        self.payment_intent = Some(Box::new(intent));
        self
    }

    /// The JSON body as Stripe sends it.
    pub fn to_body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}

/// Human decline messages keyed by Stripe's `decline_code`/`code`, in English; the widget
/// carries its own translations keyed the same way.
pub fn decline_message(code: &str) -> &'static str {
    match code {
        "insufficient_funds" => "Your card has insufficient funds.",
        "lost_card" | "stolen_card" | "generic_decline" | "card_declined" => "Your card was declined.",
        "expired_card" => "Your card has expired.",
        "incorrect_cvc" => "Your card's security code is incorrect.",
        "processing_error" => "An error occurred while processing your card. Try again in a little bit.",
        "incorrect_number" => "Your card number is incorrect.",
        "authentication_failed" | "payment_intent_authentication_failure" => {
            "We are unable to authenticate your payment method. Please choose a different payment method and try again."
        }
        _ => "Your card was declined.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_is_stripe_shaped() {
        let body = ApiError::missing_param("amount").to_body();
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], "parameter_missing");
        assert_eq!(body["error"]["param"], "amount");
        assert!(body["error"].get("status").is_none());
        assert!(body["error"].get("decline_code").is_none());
    }
}
