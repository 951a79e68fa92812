//! The `postMessage` protocol between the loader (`www/tessera.js`, on the shop's page) and the
//! checkout frame (the widget, on the gateway's origin).
//!
//! Every message is a plain object `{tessera: VERSION, type, ...fields}`. Page → frame messages
//! are [`Command`]s, frame → page messages are [`Event`]s. Both sides accept a message only when
//! its `origin` is the one they expect ([`accepts`]) and its version is [`VERSION`]; anything else
//! is dropped without a reply, so a foreign page cannot drive the form or fake a payment result.
//!
//! Pure: messages are described as [`Value`] trees, which the widget converts to and from JS
//! objects. The loader mirrors the names here by hand; `www/tessera.d.ts` types them for shops.

/// Protocol version carried in the `tessera` field of every message.
pub const VERSION: u32 = 1;

/// The field holding the version; its presence also marks a message as ours.
pub const TAG: &str = "tessera";

/// A JSON-like value, enough for every field of every message.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Integers only: amounts are minor units, heights are whole pixels.
    Int(i64),
    Str(String),
    Obj(Vec<(&'static str, Value)>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// True when a message that claims to come from `actual_origin` may be acted on by a side that
/// only talks to `expected_origin`. Opaque origins (`"null"`) and empty ones never match.
fn accepts(expected_origin: &str, actual_origin: &str, version: Option<u32>) -> bool {
    !expected_origin.is_empty()
        && expected_origin != "null"
        && expected_origin == actual_origin
        && version == Some(VERSION)
}

/// Reads a page → frame message whose fields `get` returns (`None` when absent): a [`Command`]
/// only when the origins match ([`accepts`]), the `tessera` field is exactly the integer
/// [`VERSION`] (not `1.5`, not `"1"`, not 2^32 + 1) and `type` names a command with well-shaped
/// fields. A caller converting JS numbers must turn fractional ones into anything but
/// [`Value::Int`]; a plain `as u32` would read `1.5` as version 1.
pub fn decode_command(expected_origin: &str, actual_origin: &str, get: impl Fn(&str) -> Option<Value>) -> Option<Command> {
    let version = match get(TAG) {
        Some(Value::Int(v)) => u32::try_from(v).ok(),
        _ => None,
    };
    if !accepts(expected_origin, actual_origin, version) {
        return None;
    }
    let Some(Value::Str(kind)) = get("type") else { return None };
    Command::parse(&kind, get)
}

/// A field of the card form, as named in `focus`, `blur` and `change` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldName {
    Number,
    Expiry,
    Cvc,
    Name,
    PostalCode,
}

impl FieldName {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Number => "number",
            FieldName::Expiry => "expiry",
            FieldName::Cvc => "cvc",
            FieldName::Name => "name",
            FieldName::PostalCode => "postalCode",
        }
    }
}

/// Page → frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Validate, tokenize and confirm. `client_secret` is required when the checkout was mounted
    /// in deferred mode (amount + currency, no intent yet). The frame answers with
    /// [`Event::ConfirmResult`] carrying the same `request_id`.
    Confirm { request_id: i64, client_secret: Option<String> },
    /// Change appearance (a JSON text, validated by `appearance`) and/or locale in place.
    Update { appearance: Option<String>, locale: Option<String> },
    /// Move focus to the first field.
    Focus,
    /// Empty every field.
    Clear,
}

impl Command {
    pub fn kind(&self) -> &'static str {
        match self {
            Command::Confirm { .. } => "confirm",
            Command::Update { .. } => "update",
            Command::Focus => "focus",
            Command::Clear => "clear",
        }
    }

    /// Reads a command from its `type` and a field getter; `None` for unknown types or fields of
    /// the wrong shape, which the frame then ignores.
    pub fn parse(kind: &str, get: impl Fn(&str) -> Option<Value>) -> Option<Command> {
        let text = |key: &str| match get(key) {
            Some(Value::Str(s)) => Some(Some(s)),
            None | Some(Value::Null) => Some(None),
            Some(_) => None,
        };
        Some(match kind {
            "confirm" => {
                let Some(Value::Int(request_id)) = get("requestId") else { return None };
                Command::Confirm { request_id, client_secret: text("clientSecret")? }
            }
            "update" => Command::Update { appearance: text("appearance")?, locale: text("locale")? },
            "focus" => Command::Focus,
            "clear" => Command::Clear,
            _ => return None,
        })
    }

    /// The message fields after `tessera` and `type`.
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        match self {
            Command::Confirm { request_id, client_secret } => {
                vec![("requestId", Value::Int(*request_id)), ("clientSecret", client_secret.clone().into())]
            }
            Command::Update { appearance, locale } => {
                vec![("appearance", appearance.clone().into()), ("locale", locale.clone().into())]
            }
            Command::Focus | Command::Clear => Vec::new(),
        }
    }
}

/// The part of a PaymentIntent the page may see (never card data).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntentSummary {
    pub id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
}

impl IntentSummary {
    pub fn to_value(&self) -> Value {
        Value::Obj(vec![
            ("id", self.id.as_str().into()),
            ("object", "payment_intent".into()),
            ("status", self.status.as_str().into()),
            ("amount", Value::Int(self.amount)),
            ("currency", self.currency.as_str().into()),
        ])
    }
}

/// An error shaped like Stripe.js's `{error}`: `type` is `card_error`, `validation_error`,
/// `invalid_request_error` or `api_connection_error`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaymentError {
    pub kind: String,
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: String,
    pub payment_intent: Option<IntentSummary>,
}

impl PaymentError {
    pub fn to_value(&self) -> Value {
        Value::Obj(vec![
            ("type", self.kind.as_str().into()),
            ("code", self.code.clone().into()),
            ("decline_code", self.decline_code.clone().into()),
            ("message", self.message.as_str().into()),
            ("payment_intent", self.payment_intent.as_ref().map_or(Value::Null, IntentSummary::to_value)),
        ])
    }
}

/// What the form reports on every edit: never the values, only their state.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeState {
    pub empty: bool,
    pub complete: bool,
    pub brand: &'static str,
    /// The first visible error message, if any.
    pub error: Option<String>,
}

/// Frame → page.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The form is interactive; `height` is its content height in CSS pixels.
    Ready { height: i64 },
    /// The content height changed; the loader resizes the iframe so nothing scrolls.
    Resize { height: i64 },
    Change(ChangeState),
    Focus { field: FieldName },
    Blur { field: FieldName },
    /// Escape was pressed inside the form.
    Escape,
    LoadError { message: String },
    PaymentSucceeded { intent: IntentSummary },
    PaymentFailed { error: PaymentError },
    /// The answer to [`Command::Confirm`]: exactly one of an intent or an error.
    ConfirmResult { request_id: i64, result: Result<IntentSummary, PaymentError> },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Ready { .. } => "ready",
            Event::Resize { .. } => "resize",
            Event::Change(_) => "change",
            Event::Focus { .. } => "focus",
            Event::Blur { .. } => "blur",
            Event::Escape => "escape",
            Event::LoadError { .. } => "loaderror",
            Event::PaymentSucceeded { .. } => "payment_succeeded",
            Event::PaymentFailed { .. } => "payment_failed",
            Event::ConfirmResult { .. } => "confirm_result",
        }
    }

    /// The message fields after `tessera` and `type`.
    pub fn fields(&self) -> Vec<(&'static str, Value)> {
        match self {
            Event::Ready { height } | Event::Resize { height } => vec![("height", Value::Int(*height))],
            Event::Change(s) => vec![
                ("empty", Value::Bool(s.empty)),
                ("complete", Value::Bool(s.complete)),
                ("brand", s.brand.into()),
                ("error", s.error.as_ref().map_or(Value::Null, |m| Value::Obj(vec![("message", m.as_str().into())]))),
            ],
            Event::Focus { field } | Event::Blur { field } => vec![("field", field.as_str().into())],
            Event::Escape => Vec::new(),
            Event::LoadError { message } => {
                vec![("error", Value::Obj(vec![("type", "invalid_request_error".into()), ("message", message.as_str().into())]))]
            }
            Event::PaymentSucceeded { intent } => vec![("paymentIntent", intent.to_value())],
            Event::PaymentFailed { error } => vec![
                ("error", error.to_value()),
                ("paymentIntent", error.payment_intent.as_ref().map_or(Value::Null, IntentSummary::to_value)),
            ],
            Event::ConfirmResult { request_id, result } => {
                let mut v = vec![("requestId", Value::Int(*request_id))];
                match result {
                    Ok(intent) => v.push(("paymentIntent", intent.to_value())),
                    Err(error) => v.push(("error", error.to_value())),
                }
                v
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn getter(fields: Vec<(&'static str, Value)>) -> impl Fn(&str) -> Option<Value> {
        move |k| fields.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn origin_and_version_must_both_match() {
        assert!(accepts("https://shop.example", "https://shop.example", Some(1)));
        assert!(!accepts("https://shop.example", "https://evil.example", Some(1)));
        assert!(!accepts("https://shop.example", "https://shop.example", Some(2)));
        assert!(!accepts("https://shop.example", "https://shop.example", None));
        assert!(!accepts("null", "null", Some(1)));
        assert!(!accepts("", "", Some(1)));
    }

    #[test]
    fn decode_takes_only_the_exact_version_from_the_expected_origin() {
        let shop = "https://shop.example";
        let message = |tag: Value| getter(vec![(TAG, tag), ("type", "confirm".into()), ("requestId", Value::Int(3))]);
        let confirm = Some(Command::Confirm { request_id: 3, client_secret: None });
        assert_eq!(decode_command(shop, shop, message(Value::Int(1))), confirm);
        assert_eq!(decode_command(shop, "https://evil.example", message(Value::Int(1))), None);
        // What a JS caller sees for 1.5 (fractional numbers become Null), "1", 2, and 2^32 + 1,
        // which a wrapping cast would turn into 1.
        for tag in [Value::Null, Value::Str("1".into()), Value::Int(2), Value::Int((1 << 32) + 1), Value::Bool(true)] {
            assert_eq!(decode_command(shop, shop, message(tag.clone())), None, "{tag:?}");
        }
        assert_eq!(decode_command(shop, shop, getter(vec![(TAG, Value::Int(1)), ("requestId", Value::Int(3))])), None, "no type");
    }

    #[test]
    fn commands_round_trip_through_their_fields() {
        let cmds = [
            Command::Confirm { request_id: 7, client_secret: Some("pi_1_secret_x".into()) },
            Command::Confirm { request_id: 8, client_secret: None },
            Command::Update { appearance: Some("{\"theme\":\"night\"}".into()), locale: None },
            Command::Focus,
            Command::Clear,
        ];
        for cmd in cmds {
            assert_eq!(Command::parse(cmd.kind(), getter(cmd.fields())), Some(cmd));
        }
    }

    #[test]
    fn malformed_commands_are_ignored() {
        assert_eq!(Command::parse("confirm", getter(vec![])), None, "no request id");
        assert_eq!(Command::parse("confirm", getter(vec![("requestId", "1".into())])), None);
        assert_eq!(Command::parse("confirm", getter(vec![("requestId", Value::Int(1)), ("clientSecret", Value::Int(3))])), None);
        assert_eq!(Command::parse("payment_succeeded", getter(vec![])), None, "events are not commands");
        assert_eq!(Command::parse("eval", getter(vec![])), None);
    }

    #[test]
    fn confirm_result_carries_either_intent_or_error() {
        let ok = Event::ConfirmResult {
            request_id: 1,
            result: Ok(IntentSummary { id: "pi_1".into(), status: "succeeded".into(), amount: 12000, currency: "hkd".into() }),
        };
        let names: Vec<_> = ok.fields().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["requestId", "paymentIntent"]);
        let err = Event::ConfirmResult {
            request_id: 2,
            result: Err(PaymentError { kind: "card_error".into(), message: "Your card was declined.".into(), ..Default::default() }),
        };
        let names: Vec<_> = err.fields().iter().map(|(k, _)| *k).collect();
        assert_eq!(names, ["requestId", "error"]);
    }

    #[test]
    fn change_events_never_carry_field_values() {
        let e = Event::Change(ChangeState { empty: false, complete: true, brand: "visa", error: None });
        let keys: Vec<_> = e.fields().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["empty", "complete", "brand", "error"]);
        assert_eq!(e.kind(), "change");
    }
}
