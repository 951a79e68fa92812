//! Stored records and their Stripe wire shapes.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use shared::intent::{CaptureMethod, IntentState, Status};
use shared::money::MinorUnits;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub currency: String,
    pub status: Status,
    pub capture_method: CaptureMethod,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub client_secret: String,
    pub payment_method: Option<String>,
    pub latest_charge: Option<String>,
    pub last_payment_error: Option<Value>,
    pub next_action: Option<Value>,
    pub cancellation_reason: Option<String>,
    pub canceled_at: Option<i64>,
    pub description: Option<String>,
    pub receipt_email: Option<String>,
    pub return_url: Option<String>,
    pub metadata: Map<String, Value>,
    /// A 3-D Secure step in progress: whether the issuer approves after authentication.
    pub challenge: Option<Challenge>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Challenge {
    pub approve_after: bool,
}

impl Intent {
    pub fn state(&self) -> IntentState {
        IntentState {
            status: self.status,
            amount: MinorUnits(self.amount),
            amount_capturable: MinorUnits(self.amount_capturable),
            amount_received: MinorUnits(self.amount_received),
            capture_method: self.capture_method,
            has_payment_method: self.payment_method.is_some(),
        }
    }

    /// Copies the rule engine's result back; `payment_method` is dropped when the engine says so.
    pub fn set_state(&mut self, s: IntentState) {
        self.status = s.status;
        self.amount = s.amount.0;
        self.amount_capturable = s.amount_capturable.0;
        self.amount_received = s.amount_received.0;
        self.capture_method = s.capture_method;
        if !s.has_payment_method {
            self.payment_method = None;
        }
    }

    pub fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_capturable": self.amount_capturable,
            "amount_received": self.amount_received,
            "automatic_payment_methods": null,
            "canceled_at": self.canceled_at,
            "cancellation_reason": self.cancellation_reason,
            "capture_method": self.capture_method,
            "client_secret": self.client_secret,
            "confirmation_method": "automatic",
            "created": self.created,
            "currency": self.currency,
            "customer": null,
            "description": self.description,
            "last_payment_error": self.last_payment_error,
            "latest_charge": self.latest_charge,
            "livemode": false,
            "metadata": self.metadata,
            "next_action": self.next_action,
            "payment_method": self.payment_method,
            "payment_method_types": ["card"],
            "receipt_email": self.receipt_email,
            "status": self.status,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Card {
    pub brand: String,
    pub last4: String,
    pub exp_month: u8,
    pub exp_year: u16,
    pub funding: String,
    pub country: String,
    pub fingerprint: String,
}

impl Card {
    pub fn wire(&self, cvc_check: Option<&str>) -> Value {
        json!({
            "brand": self.brand,
            "checks": { "address_line1_check": null, "address_postal_code_check": null, "cvc_check": cvc_check },
            "country": self.country,
            "display_brand": self.brand,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
            "fingerprint": self.fingerprint,
            "funding": self.funding,
            "last4": self.last4,
            "networks": { "available": [self.brand], "preferred": null },
            "three_d_secure_usage": { "supported": true },
            "wallet": null,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    pub created: i64,
    pub card: Card,
    pub billing_name: Option<String>,
    pub billing_postal_code: Option<String>,
    pub billing_email: Option<String>,
    pub metadata: Map<String, Value>,
}

impl PaymentMethod {
    pub fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "object": "payment_method",
            "billing_details": {
                "address": { "city": null, "country": null, "line1": null, "line2": null,
                             "postal_code": self.billing_postal_code, "state": null },
                "email": self.billing_email,
                "name": self.billing_name,
                "phone": null,
            },
            "card": self.card.wire(None),
            "created": self.created,
            "customer": null,
            "livemode": false,
            "metadata": self.metadata,
            "type": "card",
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Charge {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub amount_captured: i64,
    pub amount_refunded: i64,
    pub captured: bool,
    pub currency: String,
    pub payment_intent: String,
    pub payment_method: String,
    pub card: Card,
    pub cvc_check: Option<String>,
    /// `succeeded` or `failed`.
    pub status: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub decline_code: Option<String>,
    pub metadata: Map<String, Value>,
}

impl Charge {
    pub fn wire(&self) -> Value {
        let paid = self.status == "succeeded";
        let outcome = if paid {
            json!({"network_status": "approved_by_network", "reason": null, "risk_level": "normal",
                   "seller_message": "Payment complete.", "type": "authorized"})
        } else {
            json!({"network_status": "declined_by_network", "reason": self.decline_code.as_ref().or(self.failure_code.as_ref()),
                   "risk_level": "normal", "seller_message": "The bank did not return any further details with this decline.",
                   "type": "issuer_declined"})
        };
        json!({
            "id": self.id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount_captured,
            "amount_refunded": self.amount_refunded,
            "balance_transaction": null,
            "captured": self.captured,
            "created": self.created,
            "currency": self.currency,
            "failure_code": self.failure_code,
            "failure_message": self.failure_message,
            "livemode": false,
            "metadata": self.metadata,
            "outcome": outcome,
            "paid": paid,
            "payment_intent": self.payment_intent,
            "payment_method": self.payment_method,
            "payment_method_details": { "card": self.card.wire(self.cvc_check.as_deref()), "type": "card" },
            "refunded": self.amount_refunded > 0 && self.amount_refunded >= self.amount_captured,
            "status": self.status,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub created: i64,
    pub amount: i64,
    pub charge: String,
    pub currency: String,
    pub payment_intent: String,
    pub reason: Option<String>,
    pub metadata: Map<String, Value>,
}

impl Refund {
    pub fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "object": "refund",
            "amount": self.amount,
            "balance_transaction": null,
            "charge": self.charge,
            "created": self.created,
            "currency": self.currency,
            "metadata": self.metadata,
            "payment_intent": self.payment_intent,
            "reason": self.reason,
            "status": "succeeded",
        })
    }
}
