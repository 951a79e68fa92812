//! The frame's configuration, passed by the loader in the URL fragment (never sent to a server).

use wasm_bindgen::JsValue;

#[derive(Clone, Debug)]
pub struct Config {
    pub publishable_key: String,
    pub client_secret: String,
    /// The host page's origin: the only origin the frame talks to.
    pub parent_origin: String,
    pub locale: String,
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

impl Config {
    pub fn from_location() -> Option<Config> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let mut pk = None;
        let mut cs = None;
        let mut origin = None;
        let mut locale = None;
        for pair in hash.trim_start_matches('#').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = decode(v);
            match k {
                "pk" => pk = Some(v),
                "cs" => cs = Some(v),
                "origin" => origin = Some(v),
                "locale" => locale = Some(v),
                _ => {}
            }
        }
        let locale = match locale.as_deref() {
            None | Some("") | Some("auto") => browser_locale(),
            Some(l) => l.to_owned(),
        };
        Some(Config { publishable_key: pk?, client_secret: cs?, parent_origin: origin?, locale })
    }

    /// The intent id inside the client secret.
    pub fn intent_id(&self) -> Option<String> {
        shared::ids::intent_of_client_secret(&self.client_secret).map(|id| id.to_string())
    }
}

fn browser_locale() -> String {
    web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &JsValue::from_str("language")).ok())
        .and_then(|l| l.as_string())
        .unwrap_or_else(|| "en".to_owned())
}
