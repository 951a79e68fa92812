//! The checkout: loads the intent, runs the card fields, and pays — tokenize, confirm, and an
//! in-page 3-D Secure step when the issuer asks for one.

use crate::api::{self, form, i64_at, str_at, Answer};
use crate::bridge;
use crate::config::Config;
use crate::fields::{check_cvc, check_expiry, check_number, CardNumberField, CvcField, ExpiryField, PayButton};
use crate::i18n::{error_message, format_amount, text, Lang};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::card::Brand;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Ready,
    Processing,
    Challenge(String),
    Succeeded,
}

/// Everything the pay flow reads and writes, `Copy` so closures can share it.
#[derive(Clone, Copy)]
struct Form {
    number: RwSignal<String>,
    expiry: RwSignal<String>,
    cvc: RwSignal<String>,
    number_error: RwSignal<Option<&'static str>>,
    expiry_error: RwSignal<Option<&'static str>>,
    cvc_error: RwSignal<Option<&'static str>>,
    form_error: RwSignal<Option<String>>,
    phase: RwSignal<Phase>,
    amount: RwSignal<Option<(i64, String)>>,
}

#[component]
pub fn Checkout(config: Config) -> impl IntoView {
    let lang = Lang::from_tag(&config.locale);
    let t = text(lang);
    set_document_language(lang);
    let f = Form {
        number: RwSignal::new(String::new()),
        expiry: RwSignal::new(String::new()),
        cvc: RwSignal::new(String::new()),
        number_error: RwSignal::new(None),
        expiry_error: RwSignal::new(None),
        cvc_error: RwSignal::new(None),
        form_error: RwSignal::new(None),
        phase: RwSignal::new(Phase::Loading),
        amount: RwSignal::new(None),
    };
    let config = StoredValue::new(config);

    spawn_local(load_intent(config.get_value(), f, lang));
    watch_size(config.get_value().parent_origin);
    listen_for_challenge(config, f, lang);

    let busy = Signal::derive(move || matches!(f.phase.get(), Phase::Processing | Phase::Challenge(_) | Phase::Succeeded | Phase::Loading));
    let pay_label = Signal::derive(move || match (f.phase.get(), f.amount.get()) {
        (Phase::Processing | Phase::Challenge(_), _) => t.processing.to_owned(),
        (_, Some((amount, currency))) => format!("{} {}", t.pay, format_amount(lang, amount, &currency)),
        (_, None) => t.pay.to_owned(),
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if let Some(card) = validate_all(f, lang) {
            f.phase.set(Phase::Processing);
            f.form_error.set(None);
            spawn_local(pay(config.get_value(), f, lang, card));
        }
    };

    view! {
        <form class="Checkout" data-testid="checkout" novalidate on:submit=on_submit
            aria-busy=move || if busy.get() { "true" } else { "false" }>
            <Show when=move || f.phase.get() != Phase::Succeeded
                fallback=move || view! {
                    <div class="Success" data-testid="payment-success" role="status">{t.succeeded}</div>
                }>
                <CardNumberField value=f.number error=f.number_error lang=lang label=t.card_number disabled=busy />
                <div class="Row">
                    <ExpiryField value=f.expiry error=f.expiry_error lang=lang label=t.expiry placeholder=t.expiry_placeholder disabled=busy />
                    <CvcField value=f.cvc error=f.cvc_error number=f.number lang=lang label=t.cvc disabled=busy />
                </div>
                <div class="FormError" data-testid="form-error" role="alert" aria-live="assertive">
                    {move || f.form_error.get().unwrap_or_default()}
                </div>
                <PayButton label=pay_label busy=busy />
            </Show>
            {move || match f.phase.get() {
                Phase::Challenge(url) => Some(view! {
                    <div class="Modal" role="dialog" aria-modal="true" aria-label=t.challenge_title data-testid="challenge-modal">
                        <iframe class="ModalFrame" src=url title=t.challenge_title data-testid="challenge-frame"></iframe>
                    </div>
                }),
                _ => None,
            }}
        </form>
    }
}

/// The card as validated at submit time.
struct CardInput {
    number: String,
    exp_month: String,
    exp_year: String,
    cvc: String,
}

/// Validates every field, shows each error, and focuses the first invalid field.
fn validate_all(f: Form, lang: Lang) -> Option<CardInput> {
    let number = check_number(&f.number.get_untracked());
    let brand = number.as_ref().map(|n| n.brand()).unwrap_or(Brand::Unknown);
    let expiry = check_expiry(&f.expiry.get_untracked());
    let cvc = check_cvc(&f.cvc.get_untracked(), brand);
    let msg = |e: shared::card::CardError| Some(error_message(lang, e.code()));
    f.number_error.set(number.as_ref().err().and_then(|e| msg(*e)));
    f.expiry_error.set(expiry.as_ref().err().and_then(|e| msg(*e)));
    f.cvc_error.set(cvc.as_ref().err().and_then(|e| msg(*e)));
    let first_invalid = [("card-number", number.is_err()), ("card-expiry", expiry.is_err()), ("card-cvc", cvc.is_err())]
        .into_iter()
        .find(|(_, bad)| *bad);
    if let Some((id, _)) = first_invalid {
        focus(id);
        return None;
    }
    let (number, expiry) = (number.ok()?, expiry.ok()?);
    Some(CardInput {
        number: number.expose().to_owned(),
        exp_month: expiry.month.to_string(),
        exp_year: expiry.year.to_string(),
        cvc: shared::card::digits_only(&f.cvc.get_untracked()),
    })
}

fn focus(id: &str) {
    if let Some(el) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

fn set_document_language(lang: Lang) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

async fn load_intent(config: Config, f: Form, lang: Lang) {
    let Some(id) = config.intent_id() else {
        f.form_error.set(Some(error_message(lang, "invalid_client_secret").to_owned()));
        bridge::post(&config.parent_origin, "loaderror", |m| bridge::set(m, "message", "Invalid client secret."));
        return;
    };
    let path = format!("/v1/payment_intents/{id}?client_secret={}", js_sys::encode_uri_component(&config.client_secret));
    match api::call("GET", &path, &config.publishable_key, None).await {
        Ok(answer) if answer.ok() => {
            let amount = i64_at(&answer.body, &["amount"]).unwrap_or(0);
            let currency = str_at(&answer.body, &["currency"]).unwrap_or_default();
            f.amount.set(Some((amount, currency)));
            let done = matches!(str_at(&answer.body, &["status"]).as_deref(), Some("succeeded" | "requires_capture" | "processing"));
            f.phase.set(if done { Phase::Succeeded } else { Phase::Ready });
            let height = document().document_element().map(|e| e.scroll_height()).unwrap_or(0);
            bridge::post(&config.parent_origin, "ready", |m| bridge::set(m, "height", height));
        }
        Ok(answer) => {
            let message = str_at(&answer.body, &["error", "message"]).unwrap_or_default();
            f.form_error.set(Some(message.clone()));
            bridge::post(&config.parent_origin, "loaderror", |m| bridge::set(m, "message", message));
        }
        Err(_) => {
            f.form_error.set(Some(text(lang).network_error.to_owned()));
            bridge::post(&config.parent_origin, "loaderror", |m| bridge::set(m, "message", "network"));
        }
    }
}

async fn pay(config: Config, f: Form, lang: Lang, card: CardInput) {
    let pm_body = form(&[
        ("type", "card"),
        ("card[number]", &card.number),
        ("card[exp_month]", &card.exp_month),
        ("card[exp_year]", &card.exp_year),
        ("card[cvc]", &card.cvc),
    ]);
    let pm = match api::call("POST", "/v1/payment_methods", &config.publishable_key, Some(pm_body)).await {
        Ok(answer) if answer.ok() => answer,
        Ok(answer) => return fail(&config, f, lang, &answer),
        Err(_) => return network_failure(&config, f, lang),
    };
    let pm_id = str_at(&pm.body, &["id"]).unwrap_or_default();
    let Some(intent_id) = config.intent_id() else { return };
    let body = form(&[("client_secret", &config.client_secret), ("payment_method", &pm_id)]);
    let path = format!("/v1/payment_intents/{intent_id}/confirm");
    match api::call("POST", &path, &config.publishable_key, Some(body)).await {
        Ok(answer) if answer.ok() => settle(&config, f, lang, &answer.body),
        Ok(answer) => fail(&config, f, lang, &answer),
        Err(_) => network_failure(&config, f, lang),
    }
}

/// Acts on an intent returned by confirm or retrieve.
fn settle(config: &Config, f: Form, lang: Lang, intent: &JsValue) {
    match str_at(intent, &["status"]).as_deref() {
        Some("succeeded" | "requires_capture" | "processing") => {
            f.phase.set(Phase::Succeeded);
            let summary = intent_summary(intent);
            bridge::post(&config.parent_origin, "payment_succeeded", |m| bridge::set(m, "paymentIntent", summary));
        }
        Some("requires_action") => match str_at(intent, &["next_action", "redirect_to_url", "url"]) {
            Some(url) => f.phase.set(Phase::Challenge(url)),
            None => show_error(config, f, lang, "card_declined", None, intent),
        },
        _ => {
            let code = str_at(intent, &["last_payment_error", "decline_code"])
                .or_else(|| str_at(intent, &["last_payment_error", "code"]))
                .unwrap_or_else(|| "card_declined".to_owned());
            show_error(config, f, lang, &code, str_at(intent, &["last_payment_error", "code"]), intent);
        }
    }
}

fn intent_summary(intent: &JsValue) -> js_sys::Object {
    let summary = js_sys::Object::new();
    for key in ["id", "status", "amount", "currency"] {
        if let Some(v) = api::at(intent, &[key]) {
            bridge::set(&summary, key, v);
        }
    }
    summary
}

fn fail(config: &Config, f: Form, lang: Lang, answer: &Answer) {
    let code = str_at(&answer.body, &["error", "decline_code"])
        .or_else(|| str_at(&answer.body, &["error", "code"]))
        .unwrap_or_default();
    let intent = api::at(&answer.body, &["error", "payment_intent"]).unwrap_or(JsValue::NULL);
    // Field-level problems found by the gateway go back onto the field.
    match str_at(&answer.body, &["error", "param"]).as_deref() {
        Some("card[number]") => f.number_error.set(Some(error_message(lang, "incorrect_number"))),
        Some("card[exp_month]" | "card[exp_year]") => f.expiry_error.set(Some(error_message(lang, &code))),
        Some("card[cvc]") => f.cvc_error.set(Some(error_message(lang, &code))),
        _ => {}
    }
    show_error(config, f, lang, &code, str_at(&answer.body, &["error", "code"]), &intent);
}

fn show_error(config: &Config, f: Form, lang: Lang, code: &str, error_code: Option<String>, intent: &JsValue) {
    let message = error_message(lang, code);
    f.form_error.set(Some(message.to_owned()));
    f.phase.set(Phase::Ready);
    let error = js_sys::Object::new();
    bridge::set(&error, "type", "card_error");
    bridge::set(&error, "code", error_code.unwrap_or_else(|| code.to_owned()));
    bridge::set(&error, "decline_code", code);
    bridge::set(&error, "message", message);
    let summary = if intent.is_null() { JsValue::NULL } else { intent_summary(intent).into() };
    bridge::post(&config.parent_origin, "payment_failed", |m| {
        bridge::set(m, "error", error);
        bridge::set(m, "paymentIntent", summary);
    });
}

fn network_failure(config: &Config, f: Form, lang: Lang) {
    f.form_error.set(Some(text(lang).network_error.to_owned()));
    f.phase.set(Phase::Ready);
    bridge::post(&config.parent_origin, "payment_failed", |m| {
        let error = js_sys::Object::new();
        bridge::set(&error, "type", "api_connection_error");
        bridge::set(&error, "message", text(lang).network_error);
        bridge::set(m, "error", error);
    });
}

/// The challenge page (same origin as this frame) reports completion; anything from another
/// origin is ignored.
fn listen_for_challenge(config: StoredValue<Config>, f: Form, lang: Lang) {
    let own_origin = window().location().origin().unwrap_or_default();
    let handle = window_event_listener(leptos::ev::message, move |ev: web_sys::MessageEvent| {
        if ev.origin() != own_origin || !matches!(f.phase.get_untracked(), Phase::Challenge(_)) {
            return;
        }
        if str_at(&ev.data(), &["type"]).as_deref() != Some("challenge_complete") {
            return;
        }
        let config = config.get_value();
        spawn_local(async move {
            let Some(id) = config.intent_id() else { return };
            let path = format!("/v1/payment_intents/{id}?client_secret={}", js_sys::encode_uri_component(&config.client_secret));
            match api::call("GET", &path, &config.publishable_key, None).await {
                Ok(answer) if answer.ok() => settle(&config, f, lang, &answer.body),
                Ok(answer) => fail(&config, f, lang, &answer),
                Err(_) => network_failure(&config, f, lang),
            }
        });
    });
    // The listener lives as long as the frame.
    std::mem::forget(handle);
}

/// Tells the host page the frame's content height whenever it changes, so the iframe never
/// scrolls and never jumps.
fn watch_size(parent_origin: String) {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |_entries: JsValue| {
        let height = document().document_element().map(|e| e.scroll_height()).unwrap_or(0);
        bridge::post(&parent_origin, "resize", |m| bridge::set(m, "height", height));
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        if let Some(root) = document().document_element() {
            observer.observe(&root);
        }
    }
    callback.forget();
}
