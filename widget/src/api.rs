//! Calls to the gateway (same origin as this frame) with the publishable key.

use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// A gateway answer: HTTP status and parsed JSON body.
pub struct Answer {
    pub status: u16,
    pub body: JsValue,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Reads `a.b.c` from a JSON value; `None` if any step is missing or not a string.
pub fn str_at(value: &JsValue, path: &[&str]) -> Option<String> {
    at(value, path)?.as_string()
}

pub fn at(value: &JsValue, path: &[&str]) -> Option<JsValue> {
    let mut cur = value.clone();
    for key in path {
        cur = Reflect::get(&cur, &JsValue::from_str(key)).ok()?;
        if cur.is_undefined() || cur.is_null() {
            return None;
        }
    }
    Some(cur)
}

pub fn i64_at(value: &JsValue, path: &[&str]) -> Option<i64> {
    // Amounts are integers below 2^53, exact in a JS number.
    at(value, path)?.as_f64().map(|n| n as i64)
}

/// Form-encodes `pairs` the way Stripe's API expects.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", js_sys::encode_uri_component(k), js_sys::encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn call(method: &str, path: &str, key: &str, body: Option<String>) -> Result<Answer, String> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| "headers".to_owned())?;
    let _ = headers.set("Authorization", &format!("Bearer {key}"));
    if let Some(body) = &body {
        let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(|_| "request".to_owned())?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| "network".to_owned())?
        .dyn_into()
        .map_err(|_| "response".to_owned())?;
    let text = JsFuture::from(response.text().map_err(|_| "body".to_owned())?)
        .await
        .map_err(|_| "body".to_owned())?
        .as_string()
        .unwrap_or_default();
    let body = JSON::parse(&text).unwrap_or(JsValue::NULL);
    Ok(Answer { status: response.status(), body })
}
