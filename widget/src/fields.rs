//! The card fields. Each is a small component owning nothing but its view: the value and error
//! live in signals the checkout passes in, and every rule comes from `shared::card`.

use crate::i18n::{error_message, Lang};
use leptos::prelude::*;
use shared::card::{self, Brand, CardError, CardNumber, YearMonth};

/// Today's year and month from the browser clock, for refusing past expiry dates.
pub fn today() -> YearMonth {
    let now = js_sys::Date::new_0();
    YearMonth { year: now.get_full_year() as u16, month: (now.get_month() + 1) as u8 }
}

pub fn check_number(input: &str) -> Result<CardNumber, CardError> {
    CardNumber::parse(input)
}

pub fn check_expiry(input: &str) -> Result<YearMonth, CardError> {
    let exp = card::parse_expiry(input)?;
    card::validate_expiry(exp, today())?;
    Ok(exp)
}

pub fn check_cvc(input: &str, brand: Brand) -> Result<(), CardError> {
    card::validate_cvc(input, brand)
}

/// One labelled input with its error line, tied together for screen readers.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: Lang,
    autocomplete: &'static str,
    placeholder: &'static str,
    #[prop(into)] disabled: Signal<bool>,
    format: fn(&str) -> String,
    validate: Callback<String, Option<CardError>>,
    #[prop(optional)] trailing: Option<AnyView>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="Field" class:Field--invalid=move || error.get().is_some()>
            <label class="Label" for=id>{label}</label>
            <div class="InputWrap">
                <input
                    id=id
                    class="Input"
                    class:Input--invalid=move || error.get().is_some()
                    data-testid=id
                    type="text"
                    inputmode="numeric"
                    autocomplete=autocomplete
                    placeholder=placeholder
                    spellcheck="false"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    prop:disabled=move || disabled.get()
                    on:input=move |ev| {
                        let formatted = format(&event_target_value(&ev));
                        value.set(formatted);
                        // Clear a shown error as soon as the field becomes valid.
                        if error.get_untracked().is_some() && validate.run(value.get_untracked()).is_none() {
                            error.set(None);
                        }
                    }
                    on:blur=move |_| {
                        let v = value.get_untracked();
                        error.set(if v.is_empty() { None } else { validate.run(v).map(|e| error_message(lang, e.code())) });
                    }
                />
                {trailing}
            </div>
            <div class="Error" id=error_id data-testid=format!("{id}-error") role="alert">
                {move || error.get().unwrap_or("")}
            </div>
        </div>
    }
}

/// Card number with live grouping by brand and a brand badge.
#[component]
pub fn CardNumberField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: Lang,
    label: &'static str,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let brand = Memo::new(move |_| card::detect_brand(&card::digits_only(&value.get())));
    let badge = view! {
        <span class="Brand" data-testid="card-brand" data-brand=move || brand.get().code() aria-hidden="true">
            {move || match brand.get() { Brand::Unknown => "", b => b.display_name() }}
        </span>
    }
    .into_any();
    view! {
        <Field id="card-number" label=label value=value error=error lang=lang
            autocomplete="cc-number" placeholder="1234 1234 1234 1234" disabled=disabled
            format=card::format_number
            validate=Callback::new(move |v: String| check_number(&v).err())
            trailing=badge />
    }
}

/// Expiry as `MM / YY` with the slash added automatically; past dates refused.
#[component]
pub fn ExpiryField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: Lang,
    label: &'static str,
    placeholder: &'static str,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <Field id="card-expiry" label=label value=value error=error lang=lang
            autocomplete="cc-exp" placeholder=placeholder disabled=disabled
            format=card::format_expiry
            validate=Callback::new(move |v: String| check_expiry(&v).err()) />
    }
}

/// CVC: three or four digits depending on the brand typed in the number field.
#[component]
pub fn CvcField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    number: RwSignal<String>,
    lang: Lang,
    label: &'static str,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    fn four_digits(s: &str) -> String {
        card::digits_only(s).chars().take(4).collect()
    }
    view! {
        <Field id="card-cvc" label=label value=value error=error lang=lang
            autocomplete="cc-csc" placeholder="CVC" disabled=disabled
            format=four_digits
            validate=Callback::new(move |v: String| {
                let brand = card::detect_brand(&card::digits_only(&number.get_untracked()));
                check_cvc(&v, brand).err()
            }) />
    }
}

/// The submit button; shows the formatted amount, and a processing state that cannot be pressed.
#[component]
pub fn PayButton(#[prop(into)] label: Signal<String>, #[prop(into)] busy: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="Button" data-testid="pay-button"
            prop:disabled=move || busy.get() aria-busy=move || if busy.get() { "true" } else { "false" }>
            {move || label.get()}
        </button>
    }
}
