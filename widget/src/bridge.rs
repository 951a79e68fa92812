//! The frame's side of `shared::protocol`: events go to the host page only at the origin the
//! loader named (never `*`), and commands are read only from that origin and that window.

use js_sys::{Object, Reflect};
use shared::protocol::{self, Command, Event, Value};
use wasm_bindgen::{JsCast, JsValue};

fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        // Heights and amounts are integers below 2^53, exact in a JS number.
        Value::Int(n) => JsValue::from(*n as f64),
        Value::Str(s) => JsValue::from_str(s),
        Value::Obj(fields) => object(fields).into(),
    }
}

fn object(fields: &[(&str, Value)]) -> Object {
    let obj = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), &to_js(v));
    }
    obj
}

fn from_js(value: JsValue) -> Option<Value> {
    if value.is_undefined() {
        return None;
    }
    Some(if value.is_null() {
        Value::Null
    } else if let Some(s) = value.as_string() {
        Value::Str(s)
    } else if let Some(b) = value.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = value.as_f64() {
        // Request ids are small integers; anything fractional is malformed.
        if n.fract() != 0.0 {
            return Some(Value::Null);
        }
        Value::Int(n as i64)
    } else {
        Value::Null
    })
}

/// Posts `{tessera: VERSION, type, ...fields}` to the host page at `origin`.
pub fn post(origin: &str, event: &Event) {
    let msg = object(&event.fields());
    let _ = Reflect::set(&msg, &protocol::TAG.into(), &JsValue::from(protocol::VERSION));
    let _ = Reflect::set(&msg, &"type".into(), &JsValue::from_str(event.kind()));
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&msg, origin);
    }
}

/// Used only when the frame has no configuration and so no known host origin: the message
/// carries nothing beyond the failure itself.
pub fn post_to_parent_unchecked(text: &str) {
    post("*", &Event::LoadError { message: text.to_owned() });
}

/// Reads a command from a `message` event, or `None` when it is not from `parent_origin`, not
/// from the parent window, not our protocol version, or not a command.
pub fn command(ev: &web_sys::MessageEvent, parent_origin: &str) -> Option<Command> {
    let parent: JsValue = web_sys::window()?.parent().ok()??.into();
    let source: JsValue = ev.source()?.unchecked_into();
    if !js_sys::Object::is(&parent, &source) {
        return None;
    }
    let data = ev.data();
    // The origin, version and field checks live in `shared` (and its fuzz target), not here.
    protocol::decode_command(parent_origin, &ev.origin(), |k| Reflect::get(&data, &JsValue::from_str(k)).ok().and_then(from_js))
}
