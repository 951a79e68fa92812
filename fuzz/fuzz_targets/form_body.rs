//! The gateway's request-body parser (`edge-worker/src/form.rs`): Stripe's bracket-nested form
//! encoding and JSON.
//!
//! Input: the first byte picks the Content-Type, the rest is the body. Checked on every input:
//! no panic; every refusal is a Stripe-shaped 400/413/415 `invalid_request_error`; an accepted
//! tree has only string leaves, at most `MAX_DEPTH` levels and at most `MAX_PARAMS` leaves (form);
//! `[]` appends to a list and never names an object key; an accepted form body re-encodes to a
//! form body and to JSON that both parse back to the same tree. Some inputs are padded past
//! `MAX_BODY_BYTES`, which must give 413.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use shared::api::ErrorType;

// form.rs needs only `shared` and `serde_json`, so it is compiled here from the gateway's own
// source rather than by depending on edge-worker, which would build the whole `worker` crate
// with coverage instrumentation for nothing.
#[allow(dead_code)]
#[path = "../../edge-worker/src/form.rs"]
mod form;

const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/x-www-form-urlencoded"),
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
    Some(" Application/X-WWW-Form-Urlencoded ;charset=utf-8"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let body = String::from_utf8_lossy(rest);
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];

    // One input in 64 is padded past the limit: the size check must come before any parsing.
    if selector >= 252 {
        let mut big = body.into_owned();
        let pad = "&pad=1".repeat((form::MAX_BODY_BYTES - big.len().min(form::MAX_BODY_BYTES)) / 6 + 1);
        big.push_str(&pad);
        let err = form::parse_body(content_type, &big).expect_err("oversized body accepted");
        assert_eq!(err.status, 413);
        assert_eq!(err.code.as_deref(), Some("request_too_large"));
        return;
    }

    match form::parse_body(content_type, &body) {
        Ok(tree) => check_tree(&tree),
        Err(err) => {
            assert!(matches!(err.status, 400 | 413 | 415), "status {}", err.status);
            assert_eq!(err.kind, ErrorType::InvalidRequestError);
            assert!(err.code.is_some());
            assert!(!err.message.is_empty());
        }
    }

    // The form parser on its own, whatever the Content-Type said.
    if let Ok(tree) = form::parse_form(&body) {
        check_tree(&tree);
        assert!(!has_empty_key(&Value::Object(tree.clone())), "`[]` (append to a list) made an object key");
        assert!(leaves(&Value::Object(tree.clone())) <= form::MAX_PARAMS);
        let again = form::parse_form(&encode_form(&tree)).expect("re-encoded form body refused");
        assert_eq!(again, tree, "form body did not round-trip");
        let json = serde_json::to_string(&tree).expect("tree serializes");
        let from_json = form::parse_json(&json).expect("JSON of an accepted form body refused");
        assert_eq!(from_json, tree, "form and JSON parsers disagree");
    }
});

fn check_tree(tree: &Map<String, Value>) {
    fn walk(v: &Value, depth: usize) {
        assert!(depth <= form::MAX_DEPTH, "accepted a body nested {depth} levels");
        match v {
            Value::String(_) => {}
            Value::Array(items) => items.iter().for_each(|i| walk(i, depth + 1)),
            Value::Object(map) => map.values().for_each(|i| walk(i, depth + 1)),
            other => panic!("non-string leaf {other}"),
        }
    }
    tree.values().for_each(|v| walk(v, 1));
}

fn has_empty_key(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().any(has_empty_key),
        Value::Object(map) => map.iter().any(|(k, v)| k.is_empty() || has_empty_key(v)),
        _ => false,
    }
}

fn leaves(v: &Value) -> usize {
    match v {
        Value::Array(items) => items.iter().map(leaves).sum(),
        Value::Object(map) => map.values().map(leaves).sum(),
        _ => 1,
    }
}

/// Every byte outside [A-Za-z0-9] is escaped, brackets included: the parser decodes a key
/// before splitting it, so escaped brackets still nest.
fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Encodes a parsed tree back into `a[b][0]=v` pairs. Within an object, keys that are not list
/// indices go first, so a child keeps the container kind the parser first gave it.
fn encode_form(tree: &Map<String, Value>) -> String {
    fn object(prefix: &str, map: &Map<String, Value>, out: &mut Vec<String>) {
        let is_index = |k: &str| k.is_empty() || k.bytes().all(|b| b.is_ascii_digit());
        let named = map.iter().filter(|(k, _)| !is_index(k));
        let indexed = map.iter().filter(|(k, _)| is_index(k));
        for (k, v) in named.chain(indexed) {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}[{k}]") };
            value(&key, v, out);
        }
    }
    fn value(key: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(format!("{}={}", escape(key), escape(s))),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    value(&format!("{key}[{i}]"), item, out);
                }
            }
            Value::Object(map) => object(key, map, out),
            other => panic!("non-string leaf {other}"),
        }
    }
    let mut out = Vec::new();
    object("", tree, &mut out);
    out.join("&")
}
