//! Messages from the frame to the host page. Each one carries `tessera: 1` (the protocol version)
//! and is posted only to the host origin the loader named, never to `*`.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

pub const PROTOCOL_VERSION: u32 = 1;

fn message(kind: &str) -> Object {
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"tessera".into(), &JsValue::from(PROTOCOL_VERSION));
    let _ = Reflect::set(&msg, &"type".into(), &JsValue::from_str(kind));
    msg
}

pub fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// Posts `{tessera: 1, type: kind, ...fields}` to the host page at `origin`.
pub fn post(origin: &str, kind: &str, fill: impl FnOnce(&Object)) {
    let msg = message(kind);
    fill(&msg);
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&msg, origin);
    }
}

/// Used only when the frame has no configuration and so no known host origin: the message
/// carries no data beyond the failure itself.
pub fn post_to_parent_unchecked(kind: &str, text: &str) {
    post("*", kind, |m| set(m, "message", text));
}
