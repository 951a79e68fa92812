//! The `Account` Durable Object: one per merchant account, owner of that account's intents,
//! payment methods, charges, refunds, vault and idempotency records.
//!
//! Every handler runs synchronously between loading and saving (SQLite calls in a Durable Object
//! are synchronous and the object is single-threaded), so two confirms of one intent can never
//! interleave: the second sees the first one's result. That is the exactly-once guarantee.

use crate::envelope::{Envelope, Principal, Reply};
use crate::objects::{Card, Challenge, Charge, Intent, PaymentMethod, Refund};
use crate::params::Params;
use crate::sandbox::{self, Behaviour};
use crate::store::{Page, Store, Table};
use crate::vault::{decode_hex, Vault};
use serde_json::{json, Map, Value};
use shared::api::{ApiError, ErrorType};
use shared::card::{self, CardNumber, YearMonth};
use shared::ids::{self, ChargeId, PaymentIntentId, PaymentMethodId, RefundId};
use shared::intent::{self, CaptureMethod, Event, Outcome, Status, TransitionError};
use shared::money::{self, Currency, MinorUnits};
use shared::webhook::constant_time_eq;
use worker::{durable_object, DurableObject, Env, Request, Response, State};

/// How long an unused CVC is kept after tokenization (it is deleted at its first use anyway).
const CVC_TTL_SECS: i64 = 60 * 60;

/// How long idempotency keys are remembered.
const IDEMPOTENCY_TTL_SECS: i64 = 24 * 60 * 60;

#[durable_object]
pub struct Account {
    state: State,
    env: Env,
    /// Schema migration runs once per object instance; a failure is reported on every request.
    migrated: Result<(), String>,
}

impl DurableObject for Account {
    fn new(state: State, env: Env) -> Self {
        let store = Store::new(state.storage().sql());
        let migrated = store
            .migrate()
            .and_then(|()| crate::webhooks::migrate(&store))
            .map_err(|e| e.to_string());
        Account { state, env, migrated }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let envelope: Envelope = req.json().await?;
        let store = Store::new(self.state.storage().sql());
        if let Err(e) = &self.migrated {
            return Reply::from(crate::store::storage_error(e)).into_response();
        }
        let reply = match self.vault() {
            Ok(vault) => {
                let hooks = crate::webhooks::Hosts::from_setting(self.env.var("TESSERA_WEBHOOK_ALLOW_LOOPBACK").map(|v| v.to_string()).ok().as_deref());
                let test_panic = crate::test_panic_enabled(&self.env);
                let ctx = Ctx { store: &store, vault: &vault, now: now_secs(), env: &envelope, hooks, test_panic };
                self.atomically(|| ctx.run())?
            }
            Err(e) => Reply::from(e),
        };
        // Deliveries queued by this request are committed with it; make sure the alarm will send them.
        if let Err(e) = self.schedule_deliveries(&store).await {
            worker::console_error!("scheduling webhook deliveries failed: {e}");
        }
        reply.into_response()
    }

    /// Drains the webhook outbox (see `webhooks`), then sets the alarm for the next due delivery.
    async fn alarm(&self) -> worker::Result<Response> {
        let store = Store::new(self.state.storage().sql());
        let retry_base_ms = self
            .env
            .var("TESSERA_WEBHOOK_RETRY_BASE_MS")
            .ok()
            .and_then(|v| v.to_string().parse().ok())
            .filter(|ms: &i64| *ms > 0)
            .unwrap_or(crate::webhooks::DEFAULT_RETRY_BASE_MS);
        if let Err(e) = crate::webhooks::deliver_due(&store, &crate::webhooks::Delivery { retry_base_ms }).await {
            worker::console_error!("webhook delivery run failed: {}", e.message);
        }
        let vault_key = self.env.secret("TESSERA_VAULT_KEY").map(|s| s.to_string()).unwrap_or_default();
        if let Err(e) = crate::webhooks::notify_processor_due(&store, &crate::sandbox::processor_secret(&vault_key)).await {
            worker::console_error!("sandbox processor notification run failed: {}", e.message);
        }
        self.schedule_deliveries(&store).await?;
        Response::ok("")
    }
}

/// `ctx.storage.transactionSync`, which worker 0.8.7 does not wrap. The callback is a stack
/// closure: it is only called during the call, so it may borrow the handler's state.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Object)]
    type TransactionalStorage;
    #[wasm_bindgen(method, catch, js_name = transactionSync)]
    fn transaction_sync(this: &TransactionalStorage, f: &mut dyn FnMut()) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

impl Account {
    /// Runs a handler in one SQLite transaction. If the handler faults (a panic aborts the
    /// WebAssembly instance, which surfaces as an exception through `transactionSync`), every
    /// write it made is rolled back: a payment is never left half-recorded (say a charge stored
    /// but its intent not updated), so a retry cannot charge twice.
    fn atomically(&self, handler: impl FnOnce() -> Reply) -> worker::Result<Reply> {
        use wasm_bindgen::JsCast;
        let storage: TransactionalStorage = js_sys::Reflect::get(self.state.as_raw(), &"storage".into())
            .map_err(|e| worker::Error::JsError(format!("{e:?}")))?
            .unchecked_into();
        let mut handler = Some(handler);
        let mut reply = None;
        storage
            .transaction_sync(&mut || reply = handler.take().map(|h| h()))
            .map_err(|e| worker::Error::JsError(format!("transaction failed: {e:?}")))?;
        reply.ok_or_else(|| worker::Error::RustError("the handler did not run".into()))
    }

    async fn schedule_deliveries(&self, store: &Store) -> worker::Result<()> {
        let Some(due) = crate::webhooks::next_due(store).map_err(|e| worker::Error::RustError(e.message))? else {
            return Ok(());
        };
        let storage = self.state.storage();
        let scheduled = storage.get_alarm().await?;
        if scheduled.is_none_or(|at| at > due) {
            storage.set_alarm((due - crate::now_ms()).max(0)).await?;
        }
        Ok(())
    }

    fn vault(&self) -> Result<Vault, ApiError> {
        let key = self.env.secret("TESSERA_VAULT_KEY").map(|s| s.to_string()).unwrap_or_default();
        Vault::from_hex(&key).map_err(|_| {
            ApiError::new(500, ErrorType::ApiError, None, None, "The gateway's vault key (TESSERA_VAULT_KEY) is missing or malformed.")
        })
    }
}

fn now_secs() -> i64 {
    crate::now_ms() / 1000
}

fn random<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // getrandom maps to crypto.getRandomValues on Workers, which does not fail for small buffers.
    if getrandom::getrandom(&mut buf).is_err() {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = (now_secs() as u8).wrapping_add(i as u8));
    }
    buf
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Ctx<'a> {
    store: &'a Store,
    vault: &'a Vault,
    now: i64,
    env: &'a Envelope,
    /// Which webhook hosts are accepted (loopback only in development and tests).
    hooks: crate::webhooks::Hosts,
    /// Test-only: the panic route exists (`TESSERA_TEST_PANIC=true`).
    test_panic: bool,
}

type Handled = Result<Reply, ApiError>;

impl Ctx<'_> {
    fn run(&self) -> Reply {
        let key = self.env.idempotency_key.as_deref().filter(|_| self.env.method == "POST");
        let Some(key) = key else {
            return self.checked_route().unwrap_or_else(Reply::from);
        };
        let hash = self.env.request_hash();
        match self.store.idempotency_get(key, self.now - IDEMPOTENCY_TTL_SECS) {
            Err(e) => return Reply::from(e),
            Ok(Some(saved)) if constant_time_eq(saved.request_hash.as_bytes(), hash.as_bytes()) => {
                let body = serde_json::from_str(&saved.body).unwrap_or(Value::Null);
                return Reply { status: saved.status as u16, body, replayed: true, redirect: None, html: None };
            }
            Ok(Some(_)) => {
                return Reply::from(ApiError::new(
                    400,
                    ErrorType::IdempotencyError,
                    Some("idempotency_key_reused"),
                    None,
                    format!(
                        "Keys for idempotent requests can only be used with the same parameters they were first used with. \
                         Try using a key other than '{key}' if you meant to execute a different request."
                    ),
                ))
            }
            Ok(None) => {}
        }
        let reply = self.checked_route().unwrap_or_else(Reply::from);
        // As at Stripe, a result is remembered only once the endpoint ran: successes and card
        // declines (402). Validation and state errors, and server faults, are not, so a retry with
        // corrected parameters under the same key executes. Pages and redirects (the challenge
        // flow) are not JSON results and are not kept.
        let ran = reply.status < 400 || reply.status == 402;
        if ran && reply.redirect.is_none() && reply.html.is_none() {
            if let Err(e) = self.store.idempotency_put(key, &hash, reply.status, &reply.body.to_string(), self.now) {
                return Reply::from(e);
            }
        }
        reply
    }

    /// Refuses an unknown `expand[]` before the handler runs, so a bad expansion can never follow
    /// a payment attempt that already happened (the error would hide the charge).
    fn checked_route(&self) -> Handled {
        let requested = self.params().expand()?;
        if !requested.is_empty() {
            let segments: Vec<&str> = self.env.path.trim_matches('/').split('/').collect();
            let expandable: &[&str] = match (self.env.method.as_str(), segments.as_slice()) {
                ("POST", ["v1", "payment_intents"]) | (_, ["v1", "payment_intents", _, ..]) => &["latest_charge", "payment_method"],
                ("GET", ["v1", "payment_intents"]) => &["data.latest_charge", "data.payment_method"],
                _ => &[],
            };
            if let Some(field) = requested.iter().find(|f| !expandable.contains(&f.as_str())) {
                return Err(ApiError::invalid_param(
                    "expand",
                    format!("This property cannot be expanded ({field}). Expandable here: {}.", if expandable.is_empty() { "none".to_owned() } else { expandable.join(", ") }),
                ));
            }
        }
        self.route().map_err(|e| self.with_intent(e))
    }

    /// Unexpected-state errors carry the intent as it is now, as Stripe's do.
    fn with_intent(&self, e: ApiError) -> ApiError {
        if e.code.as_deref() != Some("payment_intent_unexpected_state") || e.payment_intent.is_some() {
            return e;
        }
        let id = match self.env.path.trim_matches('/').split('/').collect::<Vec<_>>().as_slice() {
            ["v1", "payment_intents", id, ..] => (*id).to_owned(),
            _ => return e,
        };
        match self.store.get::<Intent>(Table::PaymentIntents, &id) {
            Ok(Some(intent)) => e.with_payment_intent(intent.wire()),
            _ => e,
        }
    }

    fn params(&self) -> Params {
        Params::new(self.env.params.clone())
    }

    fn require_secret(&self) -> Result<(), ApiError> {
        match self.env.principal {
            Principal::Secret => Ok(()),
            _ => Err(ApiError::new(
                403,
                ErrorType::InvalidRequestError,
                Some("secret_key_required"),
                None,
                "This API call cannot be made with a publishable API key. Please use a secret API key.",
            )),
        }
    }

    fn route(&self) -> Handled {
        let segments: Vec<&str> = self.env.path.trim_matches('/').split('/').collect();
        let method = self.env.method.as_str();
        let webhooks_api = matches!(segments.as_slice(), ["v1", "webhook_endpoints", ..] | ["v1", "events", _, "retry"]);
        if webhooks_api {
            self.require_secret()?;
            let api = crate::webhooks::Api {
                store: self.store,
                params: self.params(),
                now: self.now,
                hosts: self.hooks,
                random: &random::<24>,
            };
            if let Some(handled) = api.route(method, &segments) {
                return handled;
            }
        }
        match (method, segments.as_slice()) {
            ("POST", ["v1", "payment_intents"]) => self.create_intent(),
            ("GET", ["v1", "payment_intents"]) => self.list(Table::PaymentIntents, &[]),
            ("GET", ["v1", "payment_intents", id]) => self.retrieve_intent(id),
            ("POST", ["v1", "payment_intents", id]) => self.update_intent(id),
            ("POST", ["v1", "payment_intents", id, "confirm"]) => self.confirm_intent(id),
            ("POST", ["v1", "payment_intents", id, "capture"]) => self.capture_intent(id),
            ("POST", ["v1", "payment_intents", id, "cancel"]) => self.cancel_intent(id),
            ("POST", ["v1", "payment_methods"]) => self.create_payment_method(),
            ("GET", ["v1", "payment_methods", id]) => self.retrieve_payment_method(id),
            ("GET", ["v1", "charges"]) => self.list(Table::Charges, &["payment_intent"]),
            ("GET", ["v1", "charges", id]) => self.retrieve_charge(id),
            ("POST", ["v1", "refunds"]) => self.create_refund(),
            ("GET", ["v1", "refunds"]) => self.list(Table::Refunds, &["payment_intent"]),
            ("GET", ["v1", "refunds", id]) => self.retrieve_refund(id),
            ("GET", ["v1", "events"]) => self.list(Table::Events, &["type"]),
            ("GET", ["v1", "events", id]) => self.retrieve_event(id),
            ("POST", ["v1", "inbound", "sandbox"]) => self.inbound(),
            ("POST", ["v1", "test", "panic", "object"]) if self.test_panic => self.test_panic(),
            ("GET", ["challenge", id]) => self.challenge_page(id),
            ("POST", ["challenge", id]) => self.challenge_complete(id),
            _ => Err(not_found(method, &self.env.path)),
        }
    }

    /// Test-only: writes an intent (and its event), then panics before answering, so the tests
    /// can see that a fault mid-handler leaves nothing half-done.
    fn test_panic(&self) -> Handled {
        self.require_secret()?;
        self.create_intent()?;
        panic!("test panic in the Account object (request {})", self.env.request_id)
    }

    // ----- payment intents -----

    fn load_intent(&self, id: &str, param: &str) -> Result<Intent, ApiError> {
        let missing = || ApiError::resource_missing(param, "payment_intent", id);
        PaymentIntentId::parse(id).map_err(|_| missing())?;
        self.store.get(Table::PaymentIntents, id)?.ok_or_else(missing)
    }

    /// A publishable key may touch an intent only together with its client secret.
    fn authorize_intent(&self, intent: &Intent, params: &Params) -> Result<(), ApiError> {
        if self.env.principal == Principal::Secret {
            return Ok(());
        }
        let given = params.str("client_secret")?.ok_or_else(|| ApiError::missing_param("client_secret"))?;
        if constant_time_eq(given.as_bytes(), intent.client_secret.as_bytes()) {
            Ok(())
        } else {
            Err(ApiError::invalid_request(
                "parameter_invalid",
                Some("client_secret"),
                "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
            ))
        }
    }

    fn intent_reply(&self, intent: &Intent, params: &Params) -> Handled {
        Ok(Reply::ok(self.expand_intent(intent.wire(), &params.expand()?)?))
    }

    fn expand_intent(&self, mut wire: Value, expand: &[String]) -> Result<Value, ApiError> {
        for field in expand {
            match field.as_str() {
                "latest_charge" => {
                    if let Some(id) = wire["latest_charge"].as_str().map(str::to_owned) {
                        if let Some(ch) = self.store.get::<Charge>(Table::Charges, &id)? {
                            wire["latest_charge"] = ch.wire();
                        }
                    }
                }
                "payment_method" => {
                    if let Some(id) = wire["payment_method"].as_str().map(str::to_owned) {
                        if let Some(pm) = self.store.get::<PaymentMethod>(Table::PaymentMethods, &id)? {
                            wire["payment_method"] = pm.wire();
                        }
                    }
                }
                other => {
                    return Err(ApiError::invalid_param(
                        "expand",
                        format!("This property cannot be expanded ({other}). Expandable: latest_charge, payment_method."),
                    ))
                }
            }
        }
        Ok(wire)
    }

    fn parse_amount(&self, params: &Params, currency: &Currency) -> Result<i64, ApiError> {
        let amount = params.required_int("amount")?;
        money::check_charge_amount(MinorUnits(amount), currency).map_err(|e| match e {
            money::AmountError::NotPositive => {
                ApiError::invalid_request("parameter_invalid_integer", Some("amount"), "This value must be greater than or equal to 1.")
            }
            money::AmountError::BelowMinimum { minimum } => ApiError::invalid_request(
                "amount_too_small",
                Some("amount"),
                format!(
                    "Amount must be at least {} {}",
                    money::to_decimal_string(MinorUnits(minimum), currency),
                    currency.code
                ),
            ),
            money::AmountError::AboveMaximum => ApiError::invalid_request(
                "amount_too_large",
                Some("amount"),
                format!("Amount must be no more than {}", money::MAXIMUM_AMOUNT),
            ),
        })?;
        Ok(amount)
    }

    fn parse_currency(params: &Params) -> Result<&'static Currency, ApiError> {
        let code = params.required_str("currency")?;
        Currency::parse(code).ok_or_else(|| {
            ApiError::invalid_request("parameter_invalid", Some("currency"), format!("Invalid currency: {}.", code.to_ascii_lowercase()))
        })
    }

    fn create_intent(&self) -> Handled {
        self.require_secret()?;
        let params = self.params();
        params.allow_only(&[
            "amount", "currency", "capture_method", "confirm", "payment_method", "payment_method_data",
            "payment_method_types", "automatic_payment_methods", "metadata", "description", "receipt_email",
            "return_url", "expand", "statement_descriptor", "statement_descriptor_suffix", "confirmation_method",
        ])?;
        let currency = Self::parse_currency(&params)?;
        let amount = self.parse_amount(&params, currency)?;
        let capture_method = match params.one_of("capture_method", &["automatic", "automatic_async", "manual"])? {
            Some("manual") => CaptureMethod::Manual,
            _ => CaptureMethod::Automatic,
        };
        params.one_of("confirmation_method", &["automatic", "manual"])?;
        match self.env.params.get("payment_method_types") {
            None => {}
            Some(Value::Array(types)) if types.iter().all(|t| t.as_str() == Some("card")) => {}
            Some(_) => return Err(ApiError::invalid_param("payment_method_types", "The only payment method type supported is card.")),
        }
        let confirm = params.bool("confirm")?.unwrap_or(false);
        let mut metadata = Map::new();
        params.merge_metadata(&mut metadata)?;
        let id = PaymentIntentId::from_random(&random::<24>());
        let mut intent = Intent {
            client_secret: ids::client_secret(&id, &random::<24>()),
            id: id.to_string(),
            created: self.now,
            amount,
            currency: currency.code.to_owned(),
            status: Status::RequiresPaymentMethod,
            capture_method,
            amount_capturable: 0,
            amount_received: 0,
            payment_method: None,
            latest_charge: None,
            last_payment_error: None,
            next_action: None,
            cancellation_reason: None,
            canceled_at: None,
            description: params.str("description")?.map(str::to_owned),
            receipt_email: params.str("receipt_email")?.map(str::to_owned),
            return_url: None,
            metadata,
            challenge: None,
        };
        if let Some(url) = params.str("return_url")? {
            intent.return_url = Some(check_return_url(url)?);
        }
        // The payment method is resolved before the intent is stored, so `confirm=true` with an
        // unknown or invalid method (or none) creates nothing.
        if params.has("payment_method") || params.has("payment_method_data") {
            let pm = self.resolve_payment_method(&params)?;
            intent.set_state(intent::apply(intent.state(), Event::AttachPaymentMethod).map_err(transition_error)?);
            intent.payment_method = Some(pm.id);
        } else if confirm {
            return Err(ApiError::invalid_request(
                "payment_intent_unexpected_state",
                Some("payment_method"),
                "You cannot confirm this PaymentIntent because it's missing a payment method. Pass payment_method or payment_method_data.",
            ));
        }
        self.store.insert(Table::PaymentIntents, &intent.id, intent.created, None, &intent)?;
        self.emit("payment_intent.created", intent.wire())?;
        if confirm {
            // The method is attached already: confirm uses it instead of resolving it again.
            let mut rest = params.clone().into_map();
            rest.remove("payment_method");
            rest.remove("payment_method_data");
            return self.confirm(intent, &Params::new(rest));
        }
        self.intent_reply(&intent, &params)
    }

    fn retrieve_intent(&self, id: &str) -> Handled {
        let params = self.params();
        params.allow_only(&["client_secret", "expand"])?;
        let intent = self.load_intent(id, "intent")?;
        self.authorize_intent(&intent, &params)?;
        self.intent_reply(&intent, &params)
    }

    fn update_intent(&self, id: &str) -> Handled {
        self.require_secret()?;
        let params = self.params();
        params.allow_only(&["amount", "currency", "capture_method", "description", "metadata", "payment_method", "receipt_email", "expand"])?;
        let mut intent = self.load_intent(id, "intent")?;
        if params.has("amount") || params.has("currency") {
            let currency = match params.str("currency")? {
                Some(_) => Self::parse_currency(&params)?,
                None => Currency::parse(&intent.currency).ok_or_else(|| ApiError::invalid_param("currency", "Invalid currency."))?,
            };
            let amount = if params.has("amount") { self.parse_amount(&params, currency)? } else { intent.amount };
            intent.set_state(intent::apply(intent.state(), Event::UpdateAmount(MinorUnits(amount))).map_err(transition_error)?);
            intent.currency = currency.code.to_owned();
        }
        if let Some(method) = params.one_of("capture_method", &["automatic", "automatic_async", "manual"])? {
            intent::apply(intent.state(), Event::UpdateAmount(MinorUnits(intent.amount))).map_err(transition_error)?;
            intent.capture_method = if method == "manual" { CaptureMethod::Manual } else { CaptureMethod::Automatic };
        }
        if params.has("payment_method") {
            let pm = self.resolve_payment_method(&params)?;
            let next = intent::apply(intent.state(), Event::AttachPaymentMethod).map_err(transition_error)?;
            intent.payment_method = Some(pm.id);
            intent.set_state(next);
            // A new method supersedes any 3-D Secure step of the previous attempt.
            intent.next_action = None;
            intent.challenge = None;
        }
        if let Some(d) = params.str("description")? {
            intent.description = Some(d.to_owned()).filter(|d| !d.is_empty());
        }
        if let Some(e) = params.str("receipt_email")? {
            intent.receipt_email = Some(e.to_owned()).filter(|e| !e.is_empty());
        }
        params.merge_metadata(&mut intent.metadata)?;
        self.store.update(Table::PaymentIntents, &intent.id, &intent)?;
        self.intent_reply(&intent, &params)
    }

    fn confirm_intent(&self, id: &str) -> Handled {
        let params = self.params();
        let mut allowed = vec!["client_secret", "payment_method", "payment_method_data", "return_url", "expand", "receipt_email", "use_stripe_sdk", "off_session"];
        if self.env.principal == Principal::Secret {
            allowed.push("capture_method");
        }
        params.allow_only(&allowed)?;
        let mut intent = self.load_intent(id, "intent")?;
        self.authorize_intent(&intent, &params)?;
        if let Some(method) = params.one_of("capture_method", &["automatic", "automatic_async", "manual"])? {
            intent.capture_method = if method == "manual" { CaptureMethod::Manual } else { CaptureMethod::Automatic };
        }
        self.confirm(intent, &params)
    }

    /// Runs one payment attempt. Legality is checked before anything is created.
    fn confirm(&self, mut intent: Intent, params: &Params) -> Handled {
        intent::apply(
            IntentState { has_payment_method: true, ..intent.state() },
            Event::Confirmed(Outcome::Pending),
        )
        .map_err(transition_error)?;
        if let Some(url) = params.str("return_url")? {
            intent.return_url = Some(check_return_url(url)?);
        }
        if let Some(e) = params.str("receipt_email")? {
            intent.receipt_email = Some(e.to_owned()).filter(|e| !e.is_empty());
        }
        let pm = if params.has("payment_method") || params.has("payment_method_data") {
            self.resolve_payment_method(params)?
        } else {
            let id = intent.payment_method.clone().ok_or_else(|| {
                ApiError::invalid_request(
                    "payment_intent_unexpected_state",
                    Some("payment_method"),
                    "You cannot confirm this PaymentIntent because it's missing a payment method. Update it with a payment_method or pass one to confirm.",
                )
            })?;
            self.store
                .get::<PaymentMethod>(Table::PaymentMethods, &id)?
                .ok_or_else(|| ApiError::resource_missing("payment_method", "PaymentMethod", &id))?
        };
        intent.payment_method = Some(pm.id.clone());
        intent.last_payment_error = None;
        intent.next_action = None;
        intent.challenge = None;

        let (pan, cvc_given) = self.unseal(&pm)?;
        // The CVC has had its one use.
        self.store.vault_forget_cvc(&pm.id)?;
        let cvc_check = if cvc_given { Some("pass") } else { None };
        let reply = match sandbox::behaviour(&pan) {
            Behaviour::Approve => {
                let charge = self.new_charge(&intent, &pm, cvc_check, None)?;
                self.record_charge(&charge)?;
                intent.latest_charge = Some(charge.id.clone());
                self.settle(&mut intent, Event::Confirmed(Outcome::Authorized))?;
                self.intent_reply(&intent, params)?
            }
            Behaviour::Decline { code, decline_code } => self.decline(&mut intent, &pm, cvc_check, code, decline_code, Event::Confirmed(Outcome::Declined))?,
            Behaviour::ChallengeThen { approve } => {
                self.settle(&mut intent, Event::Confirmed(Outcome::ActionRequired))?;
                intent.challenge = Some(Challenge { approve_after: approve });
                let url = format!("{}/challenge/{}?client_secret={}", self.env.origin, intent.id, intent.client_secret);
                intent.next_action = Some(json!({
                    "type": "redirect_to_url",
                    "redirect_to_url": { "url": url, "return_url": intent.return_url },
                }));
                self.store.update(Table::PaymentIntents, &intent.id, &intent)?;
                self.intent_reply(&intent, params)?
            }
            Behaviour::SettlesLater { approve } => {
                self.settle(&mut intent, Event::Confirmed(Outcome::Pending))?;
                let notification = format!("ntf_{}", ids::random_suffix(&random::<24>()));
                let url = format!("{}/v1/inbound/sandbox", self.env.origin);
                let kind = if approve { "payment.succeeded" } else { "payment.failed" };
                crate::webhooks::queue_processor_notification(self.store, &notification, &intent.id, kind, &url)?;
                self.intent_reply(&intent, params)?
            }
        };
        Ok(reply)
    }

    /// The sandbox processor settles a `processing` attempt. The signature was verified by the
    /// front Worker; here duplicates are dropped by notification id and the result goes through
    /// the same state machine as every other change.
    fn inbound(&self) -> Handled {
        if self.env.principal != Principal::Processor {
            return Err(not_found("POST", &self.env.path));
        }
        let params = self.params();
        params.allow_only(&["id", "object", "type", "payment_intent", "created"])?;
        let id = params.required_str("id")?;
        let kind = params.one_of("type", &["payment.succeeded", "payment.failed"])?.ok_or_else(|| ApiError::missing_param("type"))?;
        if !crate::webhooks::first_sighting(self.store, id, self.now)? {
            return Ok(Reply::ok(json!({ "received": true, "duplicate": true })));
        }
        let mut intent = self.load_intent(params.required_str("payment_intent")?, "payment_intent")?;
        if intent.status != Status::Processing {
            return Ok(Reply::ok(json!({ "received": true, "ignored": format!("payment intent is {}", intent.status.as_str()) })));
        }
        let pm_id = intent.payment_method.clone().unwrap_or_default();
        let pm = self
            .store
            .get::<PaymentMethod>(Table::PaymentMethods, &pm_id)?
            .ok_or_else(|| ApiError::resource_missing("payment_method", "PaymentMethod", &pm_id))?;
        if kind == "payment.succeeded" {
            let charge = self.new_charge(&intent, &pm, None, None)?;
            self.record_charge(&charge)?;
            intent.latest_charge = Some(charge.id.clone());
            self.settle(&mut intent, Event::ProcessorSettled(Outcome::Authorized))?;
        } else {
            self.decline(&mut intent, &pm, None, "card_declined", Some("generic_decline"), Event::ProcessorSettled(Outcome::Declined))?;
        }
        Ok(Reply::ok(json!({ "received": true, "payment_intent": intent.id, "status": intent.status })))
    }

    /// Applies a processor outcome, saves, and announces the intent's new status.
    fn settle(&self, intent: &mut Intent, event: Event) -> Result<(), ApiError> {
        let pm = intent.payment_method.clone();
        let next = intent::apply(IntentState { has_payment_method: pm.is_some(), ..intent.state() }, event).map_err(transition_error)?;
        intent.set_state(next);
        self.store.update(Table::PaymentIntents, &intent.id, intent)?;
        let kind = match intent.status {
            Status::RequiresAction => "payment_intent.requires_action",
            Status::RequiresCapture => "payment_intent.amount_capturable_updated",
            Status::Succeeded => "payment_intent.succeeded",
            Status::Processing => "payment_intent.processing",
            Status::RequiresPaymentMethod => "payment_intent.payment_failed",
            Status::RequiresConfirmation | Status::Canceled => return Ok(()),
        };
        self.emit(kind, intent.wire())
    }

    /// Stores a new charge and announces it.
    fn record_charge(&self, charge: &Charge) -> Result<(), ApiError> {
        self.store.insert(Table::Charges, &charge.id, charge.created, Some(&charge.payment_intent), charge)?;
        let kind = if charge.status == "succeeded" { "charge.succeeded" } else { "charge.failed" };
        self.emit(kind, charge.wire())
    }

    /// Records an event (kept for listing and retries) and queues it for every webhook endpoint
    /// subscribed to its type.
    fn emit(&self, kind: &str, object: Value) -> Result<(), ApiError> {
        let id = ids::EventId::from_random(&random::<24>()).to_string();
        let mut event = json!({
            "id": id,
            "object": "event",
            "api_version": crate::API_VERSION,
            "created": self.now,
            "data": { "object": object },
            "livemode": false,
            "pending_webhooks": 0,
            "request": { "id": self.env.request_id, "idempotency_key": self.env.idempotency_key },
            "type": kind,
        });
        let pending = crate::webhooks::enqueue(self.store, &id, kind, crate::now_ms())?;
        event["pending_webhooks"] = json!(pending);
        self.store.insert(Table::Events, &id, self.now, Some(kind), &event)
    }

    /// Records a failed attempt and answers 402 with the intent, as Stripe does.
    fn decline(
        &self,
        intent: &mut Intent,
        pm: &PaymentMethod,
        cvc_check: Option<&str>,
        code: &str,
        decline_code: Option<&str>,
        event: Event,
    ) -> Handled {
        let message = sandbox::decline_message(code, decline_code);
        let charge = self.new_charge(intent, pm, cvc_check, Some((code, decline_code, message)))?;
        self.record_charge(&charge)?;
        intent.latest_charge = Some(charge.id.clone());
        let mut error = json!({
            "type": "card_error",
            "code": code,
            "message": message,
            "charge": charge.id,
            "payment_method": pm.wire(),
            "doc_url": format!("https://docs.stripe.com/error-codes/{}", code.replace('_', "-")),
        });
        if let Some(dc) = decline_code {
            error["decline_code"] = json!(dc);
        }
        if code == "incorrect_cvc" {
            error["param"] = json!("cvc");
        }
        intent.last_payment_error = Some(error.clone());
        self.settle(intent, event)?;
        error["payment_intent"] = intent.wire();
        Ok(Reply { status: 402, body: json!({ "error": error }), replayed: false, redirect: None, html: None })
    }

    fn new_charge(&self, intent: &Intent, pm: &PaymentMethod, cvc_check: Option<&str>, failure: Option<(&str, Option<&str>, &str)>) -> Result<Charge, ApiError> {
        let succeeded = failure.is_none();
        let captured = succeeded && intent.capture_method == CaptureMethod::Automatic;
        Ok(Charge {
            id: ChargeId::from_random(&random::<24>()).to_string(),
            created: self.now,
            amount: intent.amount,
            amount_captured: if captured { intent.amount } else { 0 },
            amount_refunded: 0,
            captured,
            currency: intent.currency.clone(),
            payment_intent: intent.id.clone(),
            payment_method: pm.id.clone(),
            card: pm.card.clone(),
            cvc_check: cvc_check.map(str::to_owned),
            status: if succeeded { "succeeded" } else { "failed" }.to_owned(),
            failure_code: failure.map(|f| f.0.to_owned()),
            failure_message: failure.map(|f| f.2.to_owned()),
            decline_code: failure.and_then(|f| f.1.map(str::to_owned)),
            metadata: Map::new(),
        })
    }

    fn capture_intent(&self, id: &str) -> Handled {
        self.require_secret()?;
        let params = self.params();
        params.allow_only(&["amount_to_capture", "expand", "metadata"])?;
        let mut intent = self.load_intent(id, "intent")?;
        let amount = params.int("amount_to_capture")?.unwrap_or(intent.amount_capturable);
        if params.has("amount_to_capture") && amount < 1 {
            return Err(ApiError::invalid_request(
                "parameter_invalid_integer",
                Some("amount_to_capture"),
                "This value must be greater than or equal to 1.",
            ));
        }
        let next = intent::apply(intent.state(), Event::Capture(MinorUnits(amount))).map_err(|e| match e {
            TransitionError::InvalidCaptureAmount { capturable } => ApiError::invalid_request(
                "amount_too_large",
                Some("amount_to_capture"),
                format!("The amount to capture ({amount}) must be between 1 and the capturable amount ({}).", capturable.0),
            ),
            other => transition_error(other),
        })?;
        intent.set_state(next);
        params.merge_metadata(&mut intent.metadata)?;
        if let Some(ch_id) = &intent.latest_charge {
            if let Some(mut charge) = self.store.get::<Charge>(Table::Charges, ch_id)? {
                charge.captured = true;
                charge.amount_captured = amount;
                self.store.update(Table::Charges, ch_id, &charge)?;
                self.emit("charge.captured", charge.wire())?;
            }
        }
        self.store.update(Table::PaymentIntents, &intent.id, &intent)?;
        self.emit("payment_intent.succeeded", intent.wire())?;
        self.intent_reply(&intent, &params)
    }

    fn cancel_intent(&self, id: &str) -> Handled {
        self.require_secret()?;
        let params = self.params();
        params.allow_only(&["cancellation_reason", "expand"])?;
        let reason = params.one_of("cancellation_reason", &["duplicate", "fraudulent", "requested_by_customer", "abandoned"])?;
        let mut intent = self.load_intent(id, "intent")?;
        let was_held = intent.status == Status::RequiresCapture;
        let next = intent::apply(intent.state(), Event::Cancel).map_err(transition_error)?;
        intent.set_state(next);
        // Cancelling a held authorization releases it: Stripe marks the uncaptured charge refunded.
        if let (true, Some(ch_id)) = (was_held, &intent.latest_charge) {
            if let Some(mut charge) = self.store.get::<Charge>(Table::Charges, ch_id)? {
                charge.amount_refunded = charge.amount;
                self.store.update(Table::Charges, ch_id, &charge)?;
                self.emit("charge.refunded", charge.wire())?;
            }
        }
        intent.cancellation_reason = reason.map(str::to_owned);
        intent.canceled_at = Some(self.now);
        intent.next_action = None;
        intent.challenge = None;
        self.store.update(Table::PaymentIntents, &intent.id, &intent)?;
        self.emit("payment_intent.canceled", intent.wire())?;
        self.intent_reply(&intent, &params)
    }

    // ----- 3-D Secure challenge -----

    fn challenge_intent(&self, id: &str, params: &Params) -> Result<Intent, ApiError> {
        let intent = self.load_intent(id, "intent")?;
        let given = params.str("client_secret")?.unwrap_or("");
        if !constant_time_eq(given.as_bytes(), intent.client_secret.as_bytes()) {
            return Err(ApiError::resource_missing("intent", "payment_intent", id));
        }
        Ok(intent)
    }

    fn challenge_page(&self, id: &str) -> Handled {
        let params = self.params();
        let intent = self.challenge_intent(id, &params)?;
        let pending = intent.status == Status::RequiresAction && intent.challenge.is_some();
        Ok(Reply::html(crate::challenge::page(&intent, pending)))
    }

    fn challenge_complete(&self, id: &str) -> Handled {
        let params = self.params();
        let mut intent = self.challenge_intent(id, &params)?;
        let approved = params.one_of("result", &["approve", "fail"])? == Some("approve");
        // Only a challenge still awaited completes an attempt (not one superseded by an update).
        let awaiting = intent.status == Status::RequiresAction;
        let Some(challenge) = intent.challenge.take().filter(|_| awaiting) else {
            return Ok(Reply::html(crate::challenge::page(&intent, false)));
        };
        let pm_id = intent.payment_method.clone().unwrap_or_default();
        let pm = self
            .store
            .get::<PaymentMethod>(Table::PaymentMethods, &pm_id)?
            .ok_or_else(|| ApiError::resource_missing("payment_method", "PaymentMethod", &pm_id))?;
        intent.next_action = None;
        if !approved {
            let message = shared::api::decline_message("payment_intent_authentication_failure");
            intent.last_payment_error = Some(json!({
                "type": "invalid_request_error",
                "code": "payment_intent_authentication_failure",
                "message": message,
                "payment_method": pm.wire(),
            }));
            self.settle(&mut intent, Event::ActionCompleted(Outcome::Declined))?;
        } else if challenge.approve_after {
            let charge = self.new_charge(&intent, &pm, None, None)?;
            self.record_charge(&charge)?;
            intent.latest_charge = Some(charge.id);
            self.settle(&mut intent, Event::ActionCompleted(Outcome::Authorized))?;
        } else {
            self.decline(&mut intent, &pm, None, "card_declined", Some("generic_decline"), Event::ActionCompleted(Outcome::Declined))?;
        }
        let status = if intent.status == Status::RequiresPaymentMethod { "failed" } else { "succeeded" };
        if let Some(return_url) = &intent.return_url {
            let sep = if return_url.contains('?') { '&' } else { '?' };
            let location = format!(
                "{return_url}{sep}payment_intent={}&payment_intent_client_secret={}&redirect_status={status}",
                intent.id, intent.client_secret
            );
            return Ok(Reply { status: 303, body: Value::Null, replayed: false, redirect: Some(location), html: None });
        }
        Ok(Reply::html(crate::challenge::page(&intent, false)))
    }

    // ----- payment methods -----

    fn create_payment_method(&self) -> Handled {
        let params = self.params();
        params.allow_only(&["type", "card", "billing_details", "metadata", "expand"])?;
        match params.str("type")? {
            None | Some("") => return Err(ApiError::missing_param("type")),
            Some("card") => {}
            Some(other) => return Err(ApiError::invalid_param("type", format!("Invalid type: {other}. The only supported type is card."))),
        }
        let card = params.object("card")?.ok_or_else(|| ApiError::missing_param("card"))?;
        let pm = self.store_card(&card, params.object("billing_details")?.as_ref(), &params)?;
        Ok(Reply::ok(pm.wire()))
    }

    fn retrieve_payment_method(&self, id: &str) -> Handled {
        self.require_secret()?;
        let missing = || ApiError::resource_missing("payment_method", "PaymentMethod", id);
        PaymentMethodId::parse(id).map_err(|_| missing())?;
        let pm: PaymentMethod = self.store.get(Table::PaymentMethods, id)?.ok_or_else(missing)?;
        Ok(Reply::ok(pm.wire()))
    }

    /// `payment_method` (an id, or one of Stripe's test ids) or `payment_method_data` (a new card).
    fn resolve_payment_method(&self, params: &Params) -> Result<PaymentMethod, ApiError> {
        if let Some(data) = params.object("payment_method_data")? {
            data.allow_only(&["type", "card", "billing_details", "metadata"])?;
            if data.str("type")? != Some("card") {
                return Err(ApiError::invalid_param("payment_method_data[type]", "payment_method_data[type] must be card."));
            }
            let card = data.object("card")?.ok_or_else(|| ApiError::missing_param("payment_method_data[card]"))?;
            return self.store_card(&card, data.object("billing_details")?.as_ref(), &data);
        }
        let id = params.required_str("payment_method")?;
        if let Some(pan) = sandbox::test_payment_method(id) {
            let mut card = Map::new();
            let next_year = 1970 + self.now / 31_556_952 + 3;
            card.insert("number".into(), json!(pan));
            card.insert("exp_month".into(), json!("12"));
            card.insert("exp_year".into(), json!(next_year.to_string()));
            return self.store_card(&Params::new(card), None, &Params::default());
        }
        let missing = || ApiError::resource_missing("payment_method", "PaymentMethod", id);
        PaymentMethodId::parse(id).map_err(|_| missing())?;
        self.store.get(Table::PaymentMethods, id)?.ok_or_else(missing)
    }

    fn store_card(&self, card: &Params, billing: Option<&Params>, owner: &Params) -> Result<PaymentMethod, ApiError> {
        card.allow_only(&["number", "exp_month", "exp_year", "cvc"])?;
        let number = card.str("number")?.ok_or_else(|| ApiError::missing_param(&card.name("number")))?;
        let number = CardNumber::parse(number).map_err(|e| card_error(e, &card.name("number")))?;
        let exp_month = card.int("exp_month")?.ok_or_else(|| ApiError::missing_param(&card.name("exp_month")))?;
        let exp_year = card.int("exp_year")?.ok_or_else(|| ApiError::missing_param(&card.name("exp_year")))?;
        if !(1..=12).contains(&exp_month) {
            return Err(card_error(card::CardError::InvalidExpiryMonth, &card.name("exp_month")));
        }
        let exp_year = if (0..100).contains(&exp_year) { exp_year + 2000 } else { exp_year };
        let exp = YearMonth {
            year: u16::try_from(exp_year).map_err(|_| card_error(card::CardError::InvalidExpiryYear, &card.name("exp_year")))?,
            month: exp_month as u8,
        };
        card::validate_expiry(exp, today(self.now)).map_err(|e| card_error(e, &card.name("exp_year")))?;
        let cvc = card.str("cvc")?.filter(|c| !c.is_empty());
        if let Some(cvc) = cvc {
            card::validate_cvc(cvc, number.brand()).map_err(|e| card_error(e, &card.name("cvc")))?;
        }
        let id = PaymentMethodId::from_random(&random::<24>()).to_string();
        let (funding, country) = sandbox::card_facts(number.expose());
        let mut metadata = Map::new();
        owner.merge_metadata(&mut metadata)?;
        let pm = PaymentMethod {
            id: id.clone(),
            created: self.now,
            card: Card {
                brand: number.brand().code().to_owned(),
                last4: number.last4().to_owned(),
                exp_month: exp.month,
                exp_year: exp.year,
                funding: funding.to_owned(),
                country: country.to_owned(),
                fingerprint: self.vault.fingerprint(number.expose()),
            },
            billing_name: billing.map(|b| b.str("name")).transpose()?.flatten().map(str::to_owned),
            billing_email: billing.map(|b| b.str("email")).transpose()?.flatten().map(str::to_owned),
            billing_postal_code: billing
                .map(|b| b.object("address"))
                .transpose()?
                .flatten()
                .map(|a| a.str("postal_code").map(|p| p.map(str::to_owned)))
                .transpose()?
                .flatten(),
            metadata,
        };
        let pan_sealed = to_hex(&self.vault.seal(number.expose().as_bytes(), id.as_bytes(), random::<12>()));
        let cvc_sealed = cvc.map(|c| to_hex(&self.vault.seal(c.as_bytes(), format!("{id}/cvc").as_bytes(), random::<12>())));
        self.store.vault_expire_cvcs(self.now - CVC_TTL_SECS)?;
        self.store.vault_put(&id, &pan_sealed, cvc_sealed.as_deref())?;
        self.store.insert(Table::PaymentMethods, &id, self.now, None, &pm)?;
        Ok(pm)
    }

    /// The card number, and whether a CVC was still held for this attempt.
    fn unseal(&self, pm: &PaymentMethod) -> Result<(String, bool), ApiError> {
        let vault_fault = || ApiError::new(500, ErrorType::ApiError, None, None, "The card vault could not open this payment method.");
        let (pan_hex, cvc_hex) = self.store.vault_get(&pm.id)?.ok_or_else(vault_fault)?;
        let pan = decode_hex(&pan_hex).and_then(|b| self.vault.open(&b, pm.id.as_bytes()).ok()).ok_or_else(vault_fault)?;
        Ok((String::from_utf8(pan).map_err(|_| vault_fault())?, cvc_hex.is_some()))
    }

    // ----- charges and refunds -----

    fn retrieve_charge(&self, id: &str) -> Handled {
        self.require_secret()?;
        let missing = || ApiError::resource_missing("id", "charge", id);
        ChargeId::parse(id).map_err(|_| missing())?;
        let charge: Charge = self.store.get(Table::Charges, id)?.ok_or_else(missing)?;
        Ok(Reply::ok(charge.wire()))
    }

    fn retrieve_refund(&self, id: &str) -> Handled {
        self.require_secret()?;
        let missing = || ApiError::resource_missing("id", "refund", id);
        RefundId::parse(id).map_err(|_| missing())?;
        let refund: Refund = self.store.get(Table::Refunds, id)?.ok_or_else(missing)?;
        Ok(Reply::ok(refund.wire()))
    }

    fn create_refund(&self) -> Handled {
        self.require_secret()?;
        let params = self.params();
        params.allow_only(&["payment_intent", "charge", "amount", "reason", "metadata", "expand"])?;
        let reason = params.one_of("reason", &["duplicate", "fraudulent", "requested_by_customer"])?;
        let charge_id = match (params.str("charge")?, params.str("payment_intent")?) {
            (Some(ch), None) => ch.to_owned(),
            (None, Some(pi)) => {
                let intent = self.load_intent(pi, "payment_intent")?;
                if intent.status != Status::Succeeded {
                    return Err(ApiError::invalid_request(
                        "charge_not_refundable",
                        Some("payment_intent"),
                        format!("This PaymentIntent ({pi}) does not have a successful charge to refund (status {}).", intent.status.as_str()),
                    ));
                }
                intent.latest_charge.unwrap_or_default()
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_param("charge", "You may pass either charge or payment_intent, not both."))
            }
            (None, None) => return Err(ApiError::missing_param("payment_intent")),
        };
        let missing = || ApiError::resource_missing("charge", "charge", &charge_id);
        ChargeId::parse(&charge_id).map_err(|_| missing())?;
        let mut charge: Charge = self.store.get(Table::Charges, &charge_id)?.ok_or_else(missing)?;
        if charge.status != "succeeded" || !charge.captured {
            return Err(ApiError::invalid_request(
                "charge_not_refundable",
                Some("charge"),
                format!("Charge {charge_id} has not been captured or did not succeed, so it cannot be refunded."),
            ));
        }
        let remaining = charge.amount_captured - charge.amount_refunded;
        if remaining <= 0 {
            return Err(ApiError::invalid_request("charge_already_refunded", Some("charge"), format!("Charge {charge_id} has already been refunded.")));
        }
        let amount = params.int("amount")?.unwrap_or(remaining);
        if amount <= 0 {
            return Err(ApiError::invalid_request("parameter_invalid_integer", Some("amount"), "This value must be greater than or equal to 1."));
        }
        if amount > remaining {
            return Err(ApiError::invalid_request(
                "amount_too_large",
                Some("amount"),
                format!("Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})."),
            ));
        }
        let mut metadata = Map::new();
        params.merge_metadata(&mut metadata)?;
        let refund = Refund {
            id: RefundId::from_random(&random::<24>()).to_string(),
            created: self.now,
            amount,
            charge: charge.id.clone(),
            currency: charge.currency.clone(),
            payment_intent: charge.payment_intent.clone(),
            reason: reason.map(str::to_owned),
            metadata,
        };
        charge.amount_refunded += amount;
        self.store.update(Table::Charges, &charge.id, &charge)?;
        self.store.insert(Table::Refunds, &refund.id, refund.created, Some(&refund.payment_intent), &refund)?;
        self.emit("refund.created", refund.wire())?;
        self.emit("charge.refunded", charge.wire())?;
        Ok(Reply::ok(refund.wire()))
    }

    fn retrieve_event(&self, id: &str) -> Handled {
        self.require_secret()?;
        let missing = || ApiError::resource_missing("id", "event", id);
        ids::EventId::parse(id).map_err(|_| missing())?;
        let event: Value = self.store.get(Table::Events, id)?.ok_or_else(missing)?;
        Ok(Reply::ok(event))
    }

    // ----- lists -----

    fn list(&self, table: Table, filters: &[&str]) -> Handled {
        self.require_secret()?;
        let params = self.params();
        let mut allowed = vec!["limit", "starting_after", "ending_before", "created", "expand"];
        allowed.extend_from_slice(filters);
        params.allow_only(&allowed)?;
        let limit = params.int("limit")?.unwrap_or(10);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::invalid_request("parameter_invalid_integer", Some("limit"), "This value must be between 1 and 100."));
        }
        let starting_after = params.str("starting_after")?.map(str::to_owned);
        let ending_before = params.str("ending_before")?.map(str::to_owned);
        if starting_after.is_some() && ending_before.is_some() {
            return Err(ApiError::invalid_param("ending_before", "You may only specify one of these parameters: starting_after, ending_before."));
        }
        let (created_gte, created_lte) = match params.object("created")? {
            Some(c) => {
                c.allow_only(&["gte", "gt", "lte", "lt"])?;
                let gte = c.int("gte")?.or(c.int("gt")?.map(|v| v.saturating_add(1)));
                let lte = c.int("lte")?.or(c.int("lt")?.map(|v| v.saturating_sub(1)));
                (gte, lte)
            }
            None => match params.int("created")? {
                Some(exact) => (Some(exact), Some(exact)),
                None => (None, None),
            },
        };
        let parent = match filters.first() {
            Some(f) => params.str(f)?.map(str::to_owned),
            None => None,
        };
        let page = Page { limit, starting_after, ending_before, created_gte, created_lte, parent };
        let (docs, has_more) = self.store.list(table, &page)?;
        let data: Vec<Value> = match table {
            Table::PaymentIntents => docs.into_iter().map(|d| serde_json::from_value::<Intent>(d).map(|i| i.wire())).collect::<Result<_, _>>(),
            Table::Charges => docs.into_iter().map(|d| serde_json::from_value::<Charge>(d).map(|c| c.wire())).collect::<Result<_, _>>(),
            Table::Refunds => docs.into_iter().map(|d| serde_json::from_value::<Refund>(d).map(|r| r.wire())).collect::<Result<_, _>>(),
            Table::PaymentMethods => docs.into_iter().map(|d| serde_json::from_value::<PaymentMethod>(d).map(|p| p.wire())).collect::<Result<_, _>>(),
            Table::Events => Ok(docs),
        }
        .map_err(crate::store::storage_error)?;
        // `expand[]=data.latest_charge` expands inside every listed intent (checked in checked_route).
        let inner: Vec<String> = params.expand()?.iter().filter_map(|f| f.strip_prefix("data.").map(str::to_owned)).collect();
        let data = if inner.is_empty() {
            data
        } else {
            data.into_iter().map(|wire| self.expand_intent(wire, &inner)).collect::<Result<_, _>>()?
        };
        Ok(Reply::ok(json!({ "object": "list", "url": self.env.path, "has_more": has_more, "data": data })))
    }
}

use shared::intent::IntentState;

fn today(now: i64) -> YearMonth {
    // Civil date from Unix days (Howard Hinnant's algorithm), integer-only.
    let days = now.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    YearMonth { year: year as u16, month: month as u8 }
}

fn card_error(e: card::CardError, param: &str) -> ApiError {
    // The API speaks Stripe's API codes; the finer Elements codes (`incomplete_cvc`,
    // `invalid_expiry_year_past`) stay in the widget.
    use card::CardError::*;
    let (code, message) = match e {
        InvalidNumber | IncompleteNumber => ("incorrect_number", "Your card number is incorrect."),
        IncompleteExpiry | InvalidExpiryMonth => ("invalid_expiry_month", "Your card's expiration month is invalid."),
        InvalidExpiryYear | ExpiryInPast => ("invalid_expiry_year", "Your card's expiration year is invalid."),
        IncompleteCvc | InvalidCvc => ("invalid_cvc", "Your card's security code is invalid."),
    };
    ApiError::new(402, ErrorType::CardError, Some(code), Some(param), message)
}

fn transition_error(e: TransitionError) -> ApiError {
    match e {
        TransitionError::UnexpectedState { message, .. } => {
            ApiError::invalid_request("payment_intent_unexpected_state", None, message)
        }
        TransitionError::MissingPaymentMethod => ApiError::invalid_request(
            "payment_intent_unexpected_state",
            Some("payment_method"),
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
        ),
        TransitionError::InvalidCaptureAmount { capturable } => ApiError::invalid_request(
            "amount_too_large",
            Some("amount_to_capture"),
            format!("The amount to capture must be between 1 and {}.", capturable.0),
        ),
    }
}

fn check_return_url(url: &str) -> Result<String, ApiError> {
    if (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= 2048 && !url.contains(char::is_whitespace) {
        Ok(url.to_owned())
    } else {
        Err(ApiError::invalid_param("return_url", "return_url must be an absolute http(s) URL."))
    }
}

fn not_found(method: &str, path: &str) -> ApiError {
    ApiError::new(
        404,
        ErrorType::InvalidRequestError,
        Some("resource_missing"),
        None,
        format!("Unrecognized request URL ({method}: {path})."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(today(0), YearMonth { year: 1970, month: 1 });
        assert_eq!(today(1_700_000_000), YearMonth { year: 2023, month: 11 });
        assert_eq!(today(1_709_251_200), YearMonth { year: 2024, month: 3 }); // 2024-03-01
        assert_eq!(today(1_709_251_199), YearMonth { year: 2024, month: 2 });
    }
}
