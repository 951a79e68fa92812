//! Tessera's checkout element: card fields that format and validate as the shopper types,
//! tokenize with the gateway, confirm the payment, run a 3-D Secure step in-page, and report to
//! the host page by `postMessage` (`shared::protocol`). It runs inside an iframe on the gateway's
//! origin, so the host page never sees card data.

mod api;
mod bridge;
mod checkout;
mod config;
mod fields;
mod i18n;
mod style;

#[cfg(not(test))]
use wasm_bindgen::prelude::*;

#[cfg_attr(not(test), wasm_bindgen(start))]
pub fn start() {
    let Some(config) = config::Config::from_location() else {
        bridge::post_to_parent_unchecked("The checkout frame was opened without its configuration.");
        return;
    };
    leptos::mount::mount_to_body(move || leptos::view! { <checkout::Checkout config=config /> });
}
