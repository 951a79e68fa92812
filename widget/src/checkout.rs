//! The checkout: loads the intent (or shows a deferred amount), runs the card fields, and pays —
//! tokenize, confirm, and an in-page 3-D Secure step when the issuer asks for one. It is driven by
//! its own pay button or by the page's `confirmPayment` (a `confirm` command), and reports every
//! outcome to the page as `shared::protocol` events.

use crate::api::{self, form, i64_at, str_at};
use crate::bridge;
use crate::config::{intent_id, resolve_locale, Config};
use crate::fields::{
    check_cvc, check_expiry, check_name, check_number, check_postal, CardNumberField, CvcField, ExpiryField, Hooks, NameField,
    PayButton, PostalField,
};
use crate::i18n::{error_message, format_amount, text, Lang};
use crate::style;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::card;
use shared::protocol::{ChangeState, Command, Event, IntentSummary, PaymentError};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Ready,
    Processing,
    Challenge(String),
    Succeeded,
}

/// The message under the form: a code translated at render time (so a locale update re-renders
/// it), or the gateway's own text for problems that have no code.
#[derive(Clone, Debug, PartialEq)]
enum Notice {
    Code(String),
    Text(String),
}

/// Everything the pay flow reads and writes, `Copy` so closures can share it.
#[derive(Clone, Copy)]
struct Form {
    number: RwSignal<String>,
    expiry: RwSignal<String>,
    cvc: RwSignal<String>,
    name: RwSignal<String>,
    postal: RwSignal<String>,
    number_error: RwSignal<Option<&'static str>>,
    expiry_error: RwSignal<Option<&'static str>>,
    cvc_error: RwSignal<Option<&'static str>>,
    name_error: RwSignal<Option<&'static str>>,
    postal_error: RwSignal<Option<&'static str>>,
    notice: RwSignal<Option<Notice>>,
    phase: RwSignal<Phase>,
    amount: RwSignal<Option<(i64, String)>>,
    lang: RwSignal<Lang>,
    client_secret: RwSignal<Option<String>>,
    /// The page's `confirm` request awaiting an answer, if the payment was started by the page.
    pending: RwSignal<Option<i64>>,
    config: StoredValue<Config>,
}

impl Form {
    fn origin(&self) -> String {
        self.config.with_value(|c| c.parent_origin.clone())
    }

    fn post(&self, event: &Event) {
        bridge::post(&self.origin(), event);
    }

    fn message(&self, code: &str) -> &'static str {
        error_message(self.lang.get_untracked(), code)
    }
}

#[component]
pub fn Checkout(config: Config) -> impl IntoView {
    let lang = RwSignal::new(Lang::from_tag(&config.locale));
    if let Some(ap) = &config.appearance {
        style::apply(ap);
    }
    if let Some(root) = document().document_element() {
        if config.rtl {
            let _ = root.set_attribute("dir", "rtl");
        }
    }
    // The static skeleton in checkout.html held the form's height until now.
    if let Some(skeleton) = document().get_element_by_id("skeleton") {
        skeleton.remove();
    }
    let (collect_name, collect_postal, show_button) = (config.collect_name, config.collect_postal, config.show_button);
    let f = Form {
        number: RwSignal::new(String::new()),
        expiry: RwSignal::new(String::new()),
        cvc: RwSignal::new(String::new()),
        name: RwSignal::new(String::new()),
        postal: RwSignal::new(String::new()),
        number_error: RwSignal::new(None),
        expiry_error: RwSignal::new(None),
        cvc_error: RwSignal::new(None),
        name_error: RwSignal::new(None),
        postal_error: RwSignal::new(None),
        notice: RwSignal::new(None),
        phase: RwSignal::new(Phase::Loading),
        amount: RwSignal::new(config.deferred.clone()),
        lang,
        client_secret: RwSignal::new(config.client_secret.clone()),
        pending: RwSignal::new(None),
        config: StoredValue::new(config),
    };
    let hooks = Hooks { emit: Callback::new(move |e: Event| f.post(&e)) };
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.get().tag());
        }
    });

    if f.client_secret.get_untracked().is_some() {
        spawn_local(load_intent(f));
    } else {
        f.phase.set(Phase::Ready);
        announce_ready(f);
    }
    watch_size(f);
    listen_for_messages(f);
    report_changes(f, collect_name, collect_postal);

    // A plain closure, not a signal: `text` is a cheap lookup, and fewer signal types keep the
    // wasm small.
    let t = move || text(lang.get());
    let challenge = Memo::new(move |_| match f.phase.get() {
        Phase::Challenge(url) => Some(url),
        _ => None,
    });
    let succeeded = Memo::new(move |_| f.phase.get() == Phase::Succeeded);
    // The shopper may type while the intent loads; only paying waits for it.
    let locked = Signal::derive(move || matches!(f.phase.get(), Phase::Processing | Phase::Challenge(_) | Phase::Succeeded));
    let busy = Signal::derive(move || locked.get() || f.phase.get() == Phase::Loading);
    let pay_label = Signal::derive(move || match (f.phase.get(), f.amount.get()) {
        (Phase::Processing | Phase::Challenge(_), _) => t().processing.to_owned(),
        (_, Some((amount, currency))) => format!("{} {}", t().pay, format_amount(lang.get(), amount, &currency)),
        (_, None) => t().pay.to_owned(),
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start_payment(f, None);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            f.post(&Event::Escape);
        }
    };

    view! {
        <form class="Checkout" class:Checkout--challenge=move || matches!(f.phase.get(), Phase::Challenge(_))
            data-testid="checkout" novalidate on:submit=on_submit on:keydown=on_keydown
            aria-busy=move || if busy.get() { "true" } else { "false" }>
            // Both parts stay mounted and swap with `hidden`, which is smaller in the wasm than a
            // conditional view and keeps the fields' DOM (and focus) stable.
            <div class="Success" data-testid="payment-success" role="status" hidden=move || !succeeded.get()>
                {move || if succeeded.get() { t().succeeded } else { "" }}
            </div>
            <div class="Fields" hidden=move || succeeded.get()>
                {collect_name.then(|| view! {
                    <NameField value=f.name error=f.name_error lang=lang hooks=hooks disabled=locked />
                })}
                <CardNumberField value=f.number error=f.number_error lang=lang hooks=hooks disabled=locked />
                <div class="Row">
                    <ExpiryField value=f.expiry error=f.expiry_error lang=lang hooks=hooks disabled=locked />
                    <CvcField value=f.cvc error=f.cvc_error number=f.number lang=lang hooks=hooks disabled=locked />
                </div>
                {collect_postal.then(|| view! {
                    <PostalField value=f.postal error=f.postal_error lang=lang hooks=hooks disabled=locked />
                })}
                <div class="FormError" data-testid="form-error" role="alert" aria-live="assertive">
                    {move || match f.notice.get() {
                        Some(Notice::Code(code)) => error_message(lang.get(), &code).to_owned(),
                        Some(Notice::Text(text)) => text,
                        None => String::new(),
                    }}
                </div>
                {show_button.then(|| view! { <PayButton label=pay_label busy=busy /> })}
            </div>
            <div class="Modal" role="dialog" aria-modal="true" aria-label=move || t().challenge_title data-testid="challenge-modal"
                hidden=move || challenge.get().is_none()>
                <iframe class="ModalFrame" src=move || challenge.get().unwrap_or_else(|| "about:blank".to_owned())
                    title=move || t().challenge_title data-testid="challenge-frame"
                    on:load=|ev| { let _ = event_target::<web_sys::HtmlElement>(&ev).focus(); }></iframe>
            </div>
        </form>
    }
}

/// Tells the page the form is interactive, once the browser has laid it out.
fn announce_ready(f: Form) {
    request_animation_frame(move || f.post(&Event::Ready { height: content_height() }));
}

/// Sends a `change` event (state only, never values) whenever the form's state changes.
fn report_changes(f: Form, collect_name: bool, collect_postal: bool) {
    Effect::new(move |prev: Option<ChangeState>| {
        let (number, expiry, cvc) = (f.number.get(), f.expiry.get(), f.cvc.get());
        let (name, postal) = (f.name.get(), f.postal.get());
        let complete = check_number(&number).is_ok()
            && check_expiry(&expiry).is_ok()
            && check_cvc(&cvc, &number).is_ok()
            && (!collect_name || check_name(&name).is_ok())
            && (!collect_postal || check_postal(&postal).is_ok());
        let error = [f.name_error, f.number_error, f.expiry_error, f.cvc_error, f.postal_error]
            .iter()
            .find_map(|e| e.get())
            .map(|code| error_message(f.lang.get_untracked(), code).to_owned());
        let state = ChangeState {
            empty: number.is_empty() && expiry.is_empty() && cvc.is_empty() && name.is_empty() && postal.is_empty(),
            complete,
            brand: card::detect_brand(&card::digits_only(&number)).code(),
            error,
        };
        if prev.as_ref().is_some_and(|p| *p != state) {
            f.post(&Event::Change(state.clone()));
        }
        state
    });
}

/// The card as validated at submit time.
struct CardInput {
    number: String,
    exp_month: String,
    exp_year: String,
    cvc: String,
    name: Option<String>,
    postal: Option<String>,
}

/// Validates every field, shows each error, and focuses the first invalid field. On failure
/// returns the first error's code.
fn validate_all(f: Form) -> Result<CardInput, &'static str> {
    let (collect_name, collect_postal) = f.config.with_value(|c| (c.collect_name, c.collect_postal));
    let number_text = f.number.get_untracked();
    let number = check_number(&number_text);
    let expiry = check_expiry(&f.expiry.get_untracked());
    let cvc = check_cvc(&f.cvc.get_untracked(), &number_text);
    let name = if collect_name { check_name(&f.name.get_untracked()) } else { Ok(()) };
    let postal = if collect_postal { check_postal(&f.postal.get_untracked()) } else { Ok(()) };
    f.number_error.set(number.as_ref().err().copied());
    f.expiry_error.set(expiry.as_ref().err().copied());
    f.cvc_error.set(cvc.err());
    f.name_error.set(name.err());
    f.postal_error.set(postal.err());
    let order = [("card-name", name.err()), ("card-number", number.as_ref().err().copied()), ("card-expiry", expiry.as_ref().err().copied()), ("card-cvc", cvc.err()), ("card-postal", postal.err())];
    if let Some((id, Some(code))) = order.into_iter().find(|(_, e)| e.is_some()) {
        focus(id);
        return Err(code);
    }
    let (number, expiry) = (number?, expiry?);
    Ok(CardInput {
        number: number.expose().to_owned(),
        exp_month: expiry.month.to_string(),
        exp_year: expiry.year.to_string(),
        cvc: card::digits_only(&f.cvc.get_untracked()),
        name: collect_name.then(|| f.name.get_untracked().trim().to_owned()),
        postal: collect_postal.then(|| f.postal.get_untracked().trim().to_owned()),
    })
}

fn focus(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// The form's own height, which the iframe must match (the document's would include the
/// iframe's current viewport and so never shrink).
fn content_height() -> i64 {
    document().body().map(|b| i64::from(b.offset_height())).unwrap_or(0)
}

fn summary(intent: &JsValue) -> IntentSummary {
    IntentSummary {
        id: str_at(intent, &["id"]).unwrap_or_default(),
        status: str_at(intent, &["status"]).unwrap_or_default(),
        amount: i64_at(intent, &["amount"]).unwrap_or(0),
        currency: str_at(intent, &["currency"]).unwrap_or_default(),
    }
}

fn retrieve_path(client_secret: &str) -> Option<String> {
    let id = intent_id(client_secret)?;
    Some(format!("/v1/payment_intents/{id}?client_secret={}", js_sys::encode_uri_component(client_secret)))
}

async fn load_intent(f: Form) {
    let cs = f.client_secret.get_untracked().unwrap_or_default();
    let key = f.config.with_value(|c| c.publishable_key.clone());
    let Some(path) = retrieve_path(&cs) else {
        f.notice.set(Some(Notice::Code("invalid_client_secret".into())));
        return f.post(&Event::LoadError { message: "Invalid client secret.".into() });
    };
    match api::call("GET", &path, &key, None).await {
        Ok(answer) if answer.ok() => {
            let amount = i64_at(&answer.body, &["amount"]).unwrap_or(0);
            let currency = str_at(&answer.body, &["currency"]).unwrap_or_default();
            f.amount.set(Some((amount, currency)));
            let done = matches!(str_at(&answer.body, &["status"]).as_deref(), Some("succeeded" | "requires_capture" | "processing"));
            f.phase.set(if done { Phase::Succeeded } else { Phase::Ready });
            announce_ready(f);
        }
        Ok(answer) => {
            let message = str_at(&answer.body, &["error", "message"]).unwrap_or_default();
            f.notice.set(Some(Notice::Text(message.clone())));
            f.post(&Event::LoadError { message });
        }
        Err(_) => {
            f.notice.set(Some(Notice::Code("network".into())));
            f.post(&Event::LoadError { message: "network".into() });
        }
    }
}

/// Starts a payment from the pay button (`request_id` None) or the page's `confirm` command.
/// A second start while one is running is refused, so nothing is ever charged twice.
fn start_payment(f: Form, request_id: Option<i64>) {
    let refuse = |kind: &str, code: &'static str| {
        if let Some(id) = request_id {
            let error = PaymentError { kind: kind.into(), code: Some(code.into()), message: f.message(code).into(), ..Default::default() };
            f.post(&Event::ConfirmResult { request_id: id, result: Err(error) });
        }
    };
    match f.phase.get_untracked() {
        Phase::Ready => {}
        Phase::Succeeded => return refuse("invalid_request_error", "payment_intent_unexpected_state"),
        _ => return refuse("invalid_request_error", "payment_in_progress"),
    }
    let Some(cs) = f.client_secret.get_untracked() else {
        return refuse("invalid_request_error", "missing_client_secret");
    };
    match validate_all(f) {
        Ok(card) => {
            f.pending.set(request_id);
            f.phase.set(Phase::Processing);
            f.notice.set(None);
            spawn_local(pay(f, cs, card));
        }
        Err(code) => refuse("validation_error", code),
    }
}

async fn pay(f: Form, client_secret: String, card: CardInput) {
    let key = f.config.with_value(|c| c.publishable_key.clone());
    let mut fields = vec![
        ("type", "card"),
        ("card[number]", card.number.as_str()),
        ("card[exp_month]", card.exp_month.as_str()),
        ("card[exp_year]", card.exp_year.as_str()),
        ("card[cvc]", card.cvc.as_str()),
    ];
    if let Some(name) = &card.name {
        fields.push(("billing_details[name]", name));
    }
    if let Some(postal) = &card.postal {
        fields.push(("billing_details[address][postal_code]", postal));
    }
    let pm = match api::call("POST", "/v1/payment_methods", &key, Some(form(&fields))).await {
        Ok(answer) if answer.ok() => answer,
        Ok(answer) => return fail(f, &answer.body),
        Err(_) => return network_failure(f),
    };
    let pm_id = str_at(&pm.body, &["id"]).unwrap_or_default();
    let Some(intent) = intent_id(&client_secret) else {
        return finish(f, Err(error_for(f, "invalid_request_error", "invalid_client_secret", None)));
    };
    let body = form(&[("client_secret", &client_secret), ("payment_method", &pm_id)]);
    match api::call("POST", &format!("/v1/payment_intents/{intent}/confirm"), &key, Some(body)).await {
        Ok(answer) if answer.ok() => settle(f, &answer.body),
        Ok(answer) => fail(f, &answer.body),
        Err(_) => network_failure(f),
    }
}

/// Acts on an intent returned by confirm or retrieve.
fn settle(f: Form, intent: &JsValue) {
    if let (Some(amount), Some(currency)) = (i64_at(intent, &["amount"]), str_at(intent, &["currency"])) {
        f.amount.set(Some((amount, currency)));
    }
    match str_at(intent, &["status"]).as_deref() {
        Some("succeeded" | "requires_capture" | "processing") => finish(f, Ok(summary(intent))),
        Some("requires_action") => match str_at(intent, &["next_action", "redirect_to_url", "url"]) {
            Some(url) => f.phase.set(Phase::Challenge(url)),
            None => finish(f, Err(error_for(f, "card_error", "card_declined", Some(intent)))),
        },
        _ => {
            let code = str_at(intent, &["last_payment_error", "decline_code"])
                .or_else(|| str_at(intent, &["last_payment_error", "code"]))
                .unwrap_or_else(|| "card_declined".to_owned());
            let mut error = error_for(f, "card_error", &code, Some(intent));
            error.code = str_at(intent, &["last_payment_error", "code"]).or(error.code);
            finish(f, Err(error));
        }
    }
}

fn error_for(f: Form, kind: &str, code: &str, intent: Option<&JsValue>) -> PaymentError {
    PaymentError {
        kind: kind.into(),
        code: Some(code.into()),
        decline_code: (kind == "card_error").then(|| code.to_owned()),
        message: f.message(code).into(),
        payment_intent: intent.filter(|i| !i.is_null()).map(summary),
    }
}

/// A 4xx from the gateway: field problems go back onto their field, declines under the form.
fn fail(f: Form, body: &JsValue) {
    let code = str_at(body, &["error", "decline_code"]).or_else(|| str_at(body, &["error", "code"])).unwrap_or_default();
    match str_at(body, &["error", "param"]).as_deref() {
        Some("card[number]") => f.number_error.set(Some("incorrect_number")),
        Some("card[exp_month]" | "card[exp_year]") => f.expiry_error.set(Some("invalid_expiry_year")),
        Some("card[cvc]") => f.cvc_error.set(Some("incorrect_cvc")),
        _ => {}
    }
    let kind = str_at(body, &["error", "type"]).unwrap_or_else(|| "card_error".into());
    let mut error = error_for(f, &kind, &code, api::at(body, &["error", "payment_intent"]).as_ref());
    error.code = str_at(body, &["error", "code"]).or(error.code);
    error.decline_code = str_at(body, &["error", "decline_code"]);
    finish(f, Err(error));
}

fn network_failure(f: Form) {
    let mut error = error_for(f, "api_connection_error", "network", None);
    error.code = None;
    finish(f, Err(error));
}

/// Shows the outcome and reports it: the long-standing `payment_succeeded` / `payment_failed`
/// events, plus the answer to the page's `confirm` request when it started this payment.
fn finish(f: Form, result: Result<IntentSummary, PaymentError>) {
    match &result {
        Ok(intent) => {
            f.phase.set(Phase::Succeeded);
            f.post(&Event::PaymentSucceeded { intent: intent.clone() });
        }
        Err(error) => {
            let code = error.decline_code.clone().or_else(|| error.code.clone()).unwrap_or_else(|| "card_declined".into());
            f.notice.set(Some(Notice::Code(code)));
            f.phase.set(Phase::Ready);
            f.post(&Event::PaymentFailed { error: error.clone() });
        }
    }
    if let Some(request_id) = f.pending.get_untracked() {
        f.pending.set(None);
        f.post(&Event::ConfirmResult { request_id, result });
    }
}

/// Commands from the host page (its origin and window only) and the challenge page's completion
/// (this frame's own origin, while a challenge is open). Everything else is ignored.
fn listen_for_messages(f: Form) {
    let own_origin = window().location().origin().unwrap_or_default();
    let parent_origin = f.origin();
    let handle = window_event_listener(leptos::ev::message, move |ev: web_sys::MessageEvent| {
        if ev.origin() == own_origin && matches!(f.phase.get_untracked(), Phase::Challenge(_)) {
            if str_at(&ev.data(), &["type"]).as_deref() == Some("challenge_complete") {
                spawn_local(after_challenge(f));
            }
            return;
        }
        let Some(command) = bridge::command(&ev, &parent_origin) else { return };
        match command {
            Command::Confirm { request_id, client_secret } => {
                if let Some(cs) = client_secret {
                    let configured = f.config.with_value(|c| c.client_secret.clone());
                    if configured.as_ref().is_some_and(|c| *c != cs) {
                        let error = error_for(f, "invalid_request_error", "invalid_client_secret", None);
                        return f.post(&Event::ConfirmResult { request_id, result: Err(error) });
                    }
                    f.client_secret.set(Some(cs));
                }
                start_payment(f, Some(request_id));
            }
            Command::Update { appearance, locale } => {
                if let Some(ap) = appearance {
                    style::apply(&ap);
                }
                if let Some(locale) = locale {
                    f.lang.set(Lang::from_tag(&resolve_locale(&locale)));
                }
            }
            Command::Focus => focus(if f.config.with_value(|c| c.collect_name) { "card-name" } else { "card-number" }),
            Command::Clear => {
                for s in [f.number, f.expiry, f.cvc, f.name, f.postal] {
                    s.set(String::new());
                }
                for e in [f.number_error, f.expiry_error, f.cvc_error, f.name_error, f.postal_error] {
                    e.set(None);
                }
            }
        }
    });
    // The listener lives as long as the frame.
    std::mem::forget(handle);
}

async fn after_challenge(f: Form) {
    let key = f.config.with_value(|c| c.publishable_key.clone());
    let Some(path) = f.client_secret.get_untracked().as_deref().and_then(retrieve_path) else { return };
    match api::call("GET", &path, &key, None).await {
        Ok(answer) if answer.ok() => settle(f, &answer.body),
        Ok(answer) => fail(f, &answer.body),
        Err(_) => network_failure(f),
    }
}

/// Tells the host page the form's height whenever it changes, so the iframe never scrolls.
fn watch_size(f: Form) {
    let origin = f.origin();
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |_entries: JsValue| {
        bridge::post(&origin, &Event::Resize { height: content_height() });
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        if let Some(body) = document().body() {
            observer.observe(&body);
        }
    }
    callback.forget();
}
