//! The card fields. Each is a small component owning nothing but its view: the value and error
//! code live in signals the checkout passes in, and every card rule comes from `shared::card`.

use crate::i18n::{error_message, text, Lang, Text};
use leptos::prelude::*;
use shared::card::{self, Brand, CardNumber, YearMonth};
use shared::input;
use shared::protocol::{Event, FieldName};

/// Today's year and month from the browser clock, for refusing past expiry dates.
pub fn today() -> YearMonth {
    let now = js_sys::Date::new_0();
    YearMonth { year: now.get_full_year() as u16, month: (now.get_month() + 1) as u8 }
}

/// Each check returns the error code to show (keys of `i18n::error_message`), or the value.
pub fn check_number(input: &str) -> Result<CardNumber, &'static str> {
    CardNumber::parse(input).map_err(|e| e.code())
}

pub fn check_expiry(input: &str) -> Result<YearMonth, &'static str> {
    let exp = card::parse_expiry(input).map_err(|e| e.code())?;
    card::validate_expiry(exp, today()).map_err(|e| e.code())?;
    Ok(exp)
}

pub fn check_cvc(input: &str, number: &str) -> Result<(), &'static str> {
    card::validate_cvc(input, card::detect_brand(&card::digits_only(number))).map_err(|e| e.code())
}

pub fn check_name(input: &str) -> Result<(), &'static str> {
    if input.trim().is_empty() { Err("incomplete_name") } else { Ok(()) }
}

/// Postal codes vary by country; this only refuses what no country uses.
pub fn check_postal(input: &str) -> Result<(), &'static str> {
    let v = input.trim();
    if v.is_empty() {
        Err("incomplete_zip")
    } else if v.len() > 10 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') {
        Err("invalid_zip")
    } else {
        Ok(())
    }
}

/// How fields tell the checkout about focus and blur.
#[derive(Clone, Copy)]
pub struct Hooks {
    pub emit: Callback<Event>,
}

/// One labelled input with its error line, tied together for screen readers.
#[component]
fn Field(
    id: &'static str,
    field: FieldName,
    /// Picks the label, and below the placeholder, from the current language's strings.
    label: fn(&Text) -> &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: RwSignal<Lang>,
    hooks: Hooks,
    autocomplete: &'static str,
    placeholder: fn(&Text) -> &'static str,
    #[prop(default = "numeric")] inputmode: &'static str,
    #[prop(into)] disabled: Signal<bool>,
    format: fn(&str) -> String,
    validate: Callback<String, Option<&'static str>>,
    /// The card number's brand, shown as a badge inside the field.
    #[prop(optional)] brand: Option<Memo<Brand>>,
) -> impl IntoView {
    let emit = move |e: Event| hooks.emit.run(e);
    let error_id = format!("{id}-error");
    view! {
        <div class="Field" class:Field--invalid=move || error.get().is_some()>
            <label class="Label" for=id>{move || label(&text(lang.get()))}</label>
            <div class="InputWrap">
                <input
                    id=id
                    class="Input"
                    class:Input--invalid=move || error.get().is_some()
                    data-testid=id
                    type="text"
                    inputmode=inputmode
                    autocomplete=autocomplete
                    placeholder=move || placeholder(&text(lang.get()))
                    spellcheck="false"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    prop:disabled=move || disabled.get()
                    on:input=move |ev| {
                        let input = event_target::<web_sys::HtmlInputElement>(&ev);
                        let raw = input.value();
                        let formatted = if inputmode == "numeric" {
                            let backspace = js_sys::Reflect::get(&ev, &"inputType".into())
                                .ok()
                                .and_then(|t| t.as_string())
                                .is_some_and(|t| t == "deleteContentBackward");
                            let caret = input.selection_start().ok().flatten().unwrap_or(0) as usize;
                            let edited = input::reformat(&raw, caret, &value.get_untracked(), backspace, format);
                            // Keep the element in step even when the signal's value is unchanged.
                            if edited.value != raw {
                                input.set_value(&edited.value);
                            }
                            // Only for the shopper's own typing: autofill must not move focus.
                            let focused = document().active_element().is_some_and(|a| a == **input);
                            if focused {
                                let caret = edited.caret as u32;
                                let _ = input.set_selection_range(caret, caret);
                            }
                            edited.value
                        } else {
                            let formatted = format(&raw);
                            if formatted != raw {
                                input.set_value(&formatted);
                            }
                            formatted
                        };
                        value.set(formatted);
                        // Clear a shown error as soon as the field becomes valid.
                        if error.get_untracked().is_some() && validate.run(value.get_untracked()).is_none() {
                            error.set(None);
                        }
                    }
                    on:focus=move |_| emit(Event::Focus { field })
                    on:blur=move |_| {
                        let v = value.get_untracked();
                        error.set(if v.is_empty() { None } else { validate.run(v) });
                        emit(Event::Blur { field });
                    }
                />
                {brand.map(|brand| view! {
                    // Logos are separate small files, fetched once a brand shows: they stay off
                    // the path to `ready`.
                    <img class="Brand" data-testid="card-brand" data-brand=move || brand.get().code() alt="" aria-hidden="true"
                        title=move || match brand.get() { Brand::Unknown => "", b => b.display_name() } src=move || format!("/brands/{}.svg", brand.get().code()) />
                })}
            </div>
            <div class="Error" id=error_id data-testid=format!("{id}-error") role="alert">
                {move || error.get().map(|c| error_message(lang.get(), c)).unwrap_or("")}
            </div>
        </div>
    }
}

/// Card number with live grouping by brand (Amex 4-6-5, others 4-4-4-4…) and a brand badge.
#[component]
pub fn CardNumberField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: RwSignal<Lang>,
    hooks: Hooks,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let brand = Memo::new(move |_| card::detect_brand(&card::digits_only(&value.get())));
    view! {
        <Field id="card-number" field=FieldName::Number label=|t| t.card_number value=value error=error lang=lang hooks=hooks
            autocomplete="cc-number" placeholder=|_| "1234 1234 1234 1234" disabled=disabled
            format=card::format_number
            validate=Callback::new(move |v: String| check_number(&v).err())
            brand=brand />
    }
}

/// Expiry as `MM / YY` with the slash added automatically; past dates refused.
#[component]
pub fn ExpiryField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: RwSignal<Lang>,
    hooks: Hooks,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <Field id="card-expiry" field=FieldName::Expiry label=|t| t.expiry value=value error=error lang=lang hooks=hooks
            autocomplete="cc-exp" placeholder=|t| t.expiry_placeholder disabled=disabled
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
    lang: RwSignal<Lang>,
    hooks: Hooks,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    fn four_digits(s: &str) -> String {
        card::digits_only(s).chars().take(4).collect()
    }
    view! {
        <Field id="card-cvc" field=FieldName::Cvc label=|t| t.cvc value=value error=error lang=lang hooks=hooks
            autocomplete="cc-csc" placeholder=|_| "CVC" disabled=disabled
            format=four_digits
            validate=Callback::new(move |v: String| check_cvc(&v, &number.get_untracked()).err()) />
    }
}

/// Cardholder name, shown when the page asks for it.
#[component]
pub fn NameField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: RwSignal<Lang>,
    hooks: Hooks,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    fn limit(s: &str) -> String {
        s.chars().take(100).collect()
    }
    view! {
        <Field id="card-name" field=FieldName::Name label=|t| t.name value=value error=error lang=lang hooks=hooks
            autocomplete="cc-name" placeholder=|_| "" inputmode="text" disabled=disabled
            format=limit
            validate=Callback::new(move |v: String| check_name(&v).err()) />
    }
}

/// Billing postal code, shown when the page asks for it.
#[component]
pub fn PostalField(
    value: RwSignal<String>,
    error: RwSignal<Option<&'static str>>,
    lang: RwSignal<Lang>,
    hooks: Hooks,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    fn limit(s: &str) -> String {
        s.chars().take(10).collect::<String>().to_ascii_uppercase()
    }
    view! {
        <Field id="card-postal" field=FieldName::PostalCode label=|t| t.postal_code value=value error=error lang=lang hooks=hooks
            autocomplete="postal-code" placeholder=|_| "" inputmode="text" disabled=disabled
            format=limit
            validate=Callback::new(move |v: String| check_postal(&v).err()) />
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
