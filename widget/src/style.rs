//! Applies the Appearance API inside the frame: the JSON the page sent goes through
//! `shared::appearance`, which refuses anything unsafe, and only its output reaches the DOM.

use js_sys::{Array, Object, JSON};
use shared::appearance::{compile, Node};
use wasm_bindgen::{JsCast, JsValue};

fn node(value: &JsValue) -> Node {
    if let Some(s) = value.as_string() {
        Node::Str(s)
    } else if value.as_f64().is_some() {
        // Numbers keep JS's own spelling (`16`, `1.5`), with no float maths here.
        Node::Str(js_sys::JsString::from(value.clone()).into())
    } else if Array::is_array(value) {
        Node::List(Array::from(value).iter().map(|v| node(&v)).collect())
    } else if value.is_object() {
        let entries = Object::entries(value.unchecked_ref());
        Node::Map(
            entries
                .iter()
                .filter_map(|pair| {
                    let pair = Array::from(&pair);
                    Some((pair.get(0).as_string()?, node(&pair.get(1))))
                })
                .collect(),
        )
    } else {
        Node::Other
    }
}

/// Replaces the frame's appearance with the one described by `json` (an empty string resets it).
pub fn apply(json: &str) {
    let value = if json.is_empty() { JsValue::NULL } else { JSON::parse(json).unwrap_or(JsValue::NULL) };
    let compiled = compile(&node(&value));
    for w in &compiled.warnings {
        web_sys::console::warn_1(&JsValue::from_str(w));
    }
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(head) = doc.head() else { return };
    let style = match doc.get_element_by_id("tessera-appearance") {
        Some(el) => el,
        None => {
            let Ok(el) = doc.create_element("style") else { return };
            el.set_id("tessera-appearance");
            let _ = head.append_child(&el);
            el
        }
    };
    style.set_text_content(Some(&compiled.css));
    for href in &compiled.stylesheets {
        if let Ok(link) = doc.create_element("link") {
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", href);
            let _ = head.insert_before(&link, Some(&style));
        }
    }
}
