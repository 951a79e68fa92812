//! The payment-intent state machine, as a pure `apply(state, event)`.
//!
//! The gateway's Durable Object loads an intent, applies one event, and saves the result; every
//! legality rule lives here, so the rules are tested natively and the shell stays thin.

use crate::money::MinorUnits;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Succeeded,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::RequiresPaymentMethod => "requires_payment_method",
            Status::RequiresConfirmation => "requires_confirmation",
            Status::RequiresAction => "requires_action",
            Status::Processing => "processing",
            Status::RequiresCapture => "requires_capture",
            Status::Succeeded => "succeeded",
            Status::Canceled => "canceled",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureMethod {
    Automatic,
    Manual,
}

/// What the processor said about one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Funds authorized: captured at once (automatic) or held (manual).
    Authorized,
    /// Refused; the shopper may try another payment method.
    Declined,
    /// The issuer wants the shopper to authenticate (3-D Secure).
    ActionRequired,
    /// The result arrives later, asynchronously.
    Pending,
}

/// The money-bearing part of an intent that the rules read and write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntentState {
    pub status: Status,
    pub amount: MinorUnits,
    pub amount_capturable: MinorUnits,
    pub amount_received: MinorUnits,
    pub capture_method: CaptureMethod,
    pub has_payment_method: bool,
}

impl IntentState {
    pub fn new(amount: MinorUnits, capture_method: CaptureMethod) -> Self {
        IntentState {
            status: Status::RequiresPaymentMethod,
            amount,
            amount_capturable: MinorUnits::ZERO,
            amount_received: MinorUnits::ZERO,
            capture_method,
            has_payment_method: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A payment method was attached (by update or by confirm's `payment_method`).
    AttachPaymentMethod,
    /// The amount changed (only before any attempt has started).
    UpdateAmount(MinorUnits),
    /// A confirm ran an attempt with this outcome.
    Confirmed(Outcome),
    /// The shopper finished (or failed) the challenge; `Outcome` is the attempt's final result.
    ActionCompleted(Outcome),
    /// A processing attempt settled asynchronously.
    ProcessorSettled(Outcome),
    /// Capture of a held authorization, up to `amount_capturable`.
    Capture(MinorUnits),
    Cancel,
}

impl Event {
    /// The verb used in error messages, as Stripe words them.
    fn verb(self) -> &'static str {
        match self {
            Event::AttachPaymentMethod => "update the payment method of",
            Event::UpdateAmount(_) => "update",
            Event::Confirmed(_) => "confirm",
            Event::ActionCompleted(_) => "complete the next action of",
            Event::ProcessorSettled(_) => "settle",
            Event::Capture(_) => "capture",
            Event::Cancel => "cancel",
        }
    }

    /// Statuses from which this event is legal (used for the error message too).
    fn allowed_from(self) -> &'static [Status] {
        use Status::*;
        match self {
            Event::AttachPaymentMethod | Event::UpdateAmount(_) => {
                &[RequiresPaymentMethod, RequiresConfirmation, RequiresAction]
            }
            Event::Confirmed(_) => &[RequiresPaymentMethod, RequiresConfirmation, RequiresAction],
            Event::ActionCompleted(_) => &[RequiresAction],
            Event::ProcessorSettled(_) => &[Processing],
            Event::Capture(_) => &[RequiresCapture],
            Event::Cancel => &[RequiresPaymentMethod, RequiresConfirmation, RequiresAction, RequiresCapture],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// The event is not legal in the intent's current status (`payment_intent_unexpected_state`).
    UnexpectedState { status: Status, message: String },
    /// Confirm without any payment method attached.
    MissingPaymentMethod,
    /// Capture of more than is capturable, or of nothing.
    InvalidCaptureAmount { capturable: MinorUnits },
}

fn unexpected(status: Status, event: Event) -> TransitionError {
    let allowed: Vec<&str> = event.allowed_from().iter().map(|s| s.as_str()).collect();
    TransitionError::UnexpectedState {
        status,
        message: format!(
            "You cannot {} this PaymentIntent because it has a status of {}. Only a PaymentIntent with one of the following statuses may be accepted: {}.",
            event.verb(),
            status.as_str(),
            allowed.join(", ")
        ),
    }
}

/// Applies one event; returns the new state or why the event is illegal. Never panics.
pub fn apply(state: IntentState, event: Event) -> Result<IntentState, TransitionError> {
    if !event.allowed_from().contains(&state.status) {
        return Err(unexpected(state.status, event));
    }
    let mut next = state;
    match event {
        Event::AttachPaymentMethod => {
            next.has_payment_method = true;
            next.status = Status::RequiresConfirmation;
        }
        Event::UpdateAmount(amount) => next.amount = amount,
        Event::Confirmed(outcome) => {
            if !state.has_payment_method {
                return Err(TransitionError::MissingPaymentMethod);
            }
            next = settle(next, outcome);
        }
        Event::ActionCompleted(outcome) | Event::ProcessorSettled(outcome) => next = settle(next, outcome),
        Event::Capture(amount) => {
            if amount.0 <= 0 || amount > state.amount_capturable {
                return Err(TransitionError::InvalidCaptureAmount { capturable: state.amount_capturable });
            }
            next.amount_received = amount;
            next.amount_capturable = MinorUnits::ZERO;
            next.status = Status::Succeeded;
        }
        Event::Cancel => {
            next.amount_capturable = MinorUnits::ZERO;
            next.status = Status::Canceled;
        }
    }
    Ok(next)
}

fn settle(mut next: IntentState, outcome: Outcome) -> IntentState {
    match outcome {
        Outcome::Authorized => match next.capture_method {
            CaptureMethod::Automatic => {
                next.amount_received = next.amount;
                next.status = Status::Succeeded;
            }
            CaptureMethod::Manual => {
                next.amount_capturable = next.amount;
                next.status = Status::RequiresCapture;
            }
        },
        Outcome::Declined => {
            // Stripe detaches the failed method so the shopper must supply a new one.
            next.has_payment_method = false;
            next.status = Status::RequiresPaymentMethod;
        }
        Outcome::ActionRequired => next.status = Status::RequiresAction,
        Outcome::Pending => next.status = Status::Processing,
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn intent(capture: CaptureMethod) -> IntentState {
        IntentState::new(MinorUnits(1000), capture)
    }

    fn run(capture: CaptureMethod, events: &[Event]) -> Result<IntentState, TransitionError> {
        events.iter().try_fold(intent(capture), |s, e| apply(s, *e))
    }

    #[test]
    fn transition_table() {
        use CaptureMethod::*;
        use Event::*;
        use Outcome::*;
        let cases: &[(CaptureMethod, &[Event], Option<Status>)] = &[
            (Automatic, &[AttachPaymentMethod, Confirmed(Authorized)], Some(Succeeded)),
            (Manual, &[AttachPaymentMethod, Confirmed(Authorized)], Some(RequiresCapture)),
            (Manual, &[AttachPaymentMethod, Confirmed(Authorized), Capture(MinorUnits(400))], Some(Succeeded)),
            (Automatic, &[AttachPaymentMethod, Confirmed(Declined)], Some(RequiresPaymentMethod)),
            (Automatic, &[AttachPaymentMethod, Confirmed(Declined), AttachPaymentMethod, Confirmed(Authorized)], Some(Succeeded)),
            (Automatic, &[AttachPaymentMethod, Confirmed(ActionRequired)], Some(RequiresAction)),
            (Automatic, &[AttachPaymentMethod, Confirmed(ActionRequired), ActionCompleted(Authorized)], Some(Succeeded)),
            (Automatic, &[AttachPaymentMethod, Confirmed(ActionRequired), ActionCompleted(Declined)], Some(RequiresPaymentMethod)),
            (Automatic, &[AttachPaymentMethod, Confirmed(Pending)], Some(Processing)),
            (Automatic, &[AttachPaymentMethod, Confirmed(Pending), ProcessorSettled(Authorized)], Some(Succeeded)),
            (Automatic, &[Cancel], Some(Canceled)),
            (Manual, &[AttachPaymentMethod, Confirmed(Authorized), Cancel], Some(Canceled)),
            // Illegal ones.
            (Automatic, &[Confirmed(Authorized)], None),
            (Automatic, &[AttachPaymentMethod, Confirmed(Authorized), Confirmed(Authorized)], None),
            (Automatic, &[AttachPaymentMethod, Confirmed(Authorized), Cancel], None),
            (Automatic, &[AttachPaymentMethod, Confirmed(Authorized), Capture(MinorUnits(1))], None),
            (Manual, &[AttachPaymentMethod, Confirmed(Authorized), Capture(MinorUnits(1001))], None),
            (Manual, &[AttachPaymentMethod, Confirmed(Authorized), Capture(MinorUnits(0))], None),
            (Automatic, &[Cancel, AttachPaymentMethod], None),
            (Automatic, &[AttachPaymentMethod, Confirmed(Pending), Cancel], None),
            (Automatic, &[ActionCompleted(Authorized)], None),
            (Automatic, &[ProcessorSettled(Authorized)], None),
        ];
        for (capture, events, want) in cases {
            let got = run(*capture, events);
            assert_eq!(got.as_ref().ok().map(|s| s.status), *want, "{capture:?} {events:?} → {got:?}");
        }
    }

    #[test]
    fn amounts_follow_capture() {
        let s = run(CaptureMethod::Manual, &[Event::AttachPaymentMethod, Event::Confirmed(Outcome::Authorized)]).unwrap();
        assert_eq!((s.amount_capturable, s.amount_received), (MinorUnits(1000), MinorUnits(0)));
        let s = apply(s, Event::Capture(MinorUnits(600))).unwrap();
        assert_eq!((s.amount_capturable, s.amount_received), (MinorUnits(0), MinorUnits(600)));
    }

    #[test]
    fn unexpected_state_names_current_status() {
        let s = run(CaptureMethod::Automatic, &[Event::AttachPaymentMethod, Event::Confirmed(Outcome::Authorized)]).unwrap();
        match apply(s, Event::Confirmed(Outcome::Authorized)) {
            Err(TransitionError::UnexpectedState { status, message }) => {
                assert_eq!(status, Succeeded);
                assert!(message.contains("status of succeeded"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
