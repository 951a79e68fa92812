//! The frame's configuration, passed by the loader in the URL fragment (never sent to a server).
//!
//! Fragment keys: `pk` publishable key, `origin` the host page's origin, `cs` client secret (or,
//! for a deferred intent, `amount` in minor units + `currency`), `locale`, `dir`, `ap` the
//! appearance as JSON, and flags `button=0` (the page confirms), `name=1`, `postal=1`.

use wasm_bindgen::JsValue;

#[derive(Clone, Debug)]
pub struct Config {
    pub publishable_key: String,
    /// `None` in deferred mode: the page passes it to `confirmPayment` later.
    pub client_secret: Option<String>,
    /// Deferred mode's amount and currency, shown before any intent exists.
    pub deferred: Option<(i64, String)>,
    /// The host page's origin: the only origin the frame talks to.
    pub parent_origin: String,
    pub locale: String,
    pub rtl: bool,
    pub appearance: Option<String>,
    pub show_button: bool,
    pub collect_name: bool,
    pub collect_postal: bool,
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(&s.replace('+', " ")).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

impl Config {
    pub fn from_location() -> Option<Config> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let mut c = Config {
            publishable_key: String::new(),
            client_secret: None,
            deferred: None,
            parent_origin: String::new(),
            locale: String::new(),
            rtl: false,
            appearance: None,
            show_button: true,
            collect_name: false,
            collect_postal: false,
        };
        let (mut amount, mut currency) = (None, None);
        for pair in hash.trim_start_matches('#').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            match k {
                "pk" => c.publishable_key = v,
                "cs" if !v.is_empty() => c.client_secret = Some(v),
                "origin" => c.parent_origin = v,
                "locale" => c.locale = v,
                "dir" => c.rtl = v == "rtl",
                "ap" if !v.is_empty() => c.appearance = Some(v),
                "button" => c.show_button = v != "0",
                "name" => c.collect_name = v == "1",
                "postal" => c.collect_postal = v == "1",
                "amount" => amount = v.parse::<i64>().ok(),
                "currency" => currency = Some(v),
                _ => {}
            }
        }
        if c.client_secret.is_none() {
            c.deferred = Some((amount?, currency?));
            // Without an intent the frame cannot pay by itself; the page calls confirmPayment.
            c.show_button = false;
        }
        if c.publishable_key.is_empty() || c.parent_origin.is_empty() {
            return None;
        }
        c.locale = resolve_locale(&c.locale);
        Some(c)
    }
}

/// `auto` (or nothing) means the browser's language.
pub fn resolve_locale(tag: &str) -> String {
    match tag {
        "" | "auto" => browser_locale(),
        l => l.to_owned(),
    }
}

/// The intent id inside a client secret.
pub fn intent_id(client_secret: &str) -> Option<String> {
    shared::ids::intent_of_client_secret(client_secret).map(|id| id.to_string())
}

fn browser_locale() -> String {
    web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("language")).ok())
        .and_then(|l| l.as_string())
        .unwrap_or_else(|| "en".to_owned())
}
