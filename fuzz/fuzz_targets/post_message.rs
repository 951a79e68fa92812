//! The frame's `postMessage` decoder (`shared::protocol::decode_command`).
//!
//! Input: JSON `{"expected": <origin the frame trusts>, "origin": <event.origin>, "data": <message>}`.
//! Message fields are converted as the widget converts JS values (`bridge.rs`: fractional numbers
//! become `Null`, objects and arrays `Null`, `undefined` absent). Checked on every input: no
//! panic; a command is decoded only from the expected origin (never empty or opaque), with
//! `tessera` exactly 1 and `type` naming it; a decoded command re-encodes to the same command;
//! the same message with any other version, or from any other origin, decodes to nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value as Json};
use shared::protocol::{decode_command, Command, Value, TAG, VERSION};

fuzz_target!(|data: &[u8]| {
    let Ok(Json::Object(input)) = serde_json::from_slice::<Json>(data) else { return };
    let text = |k: &str| input.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
    let (expected, origin) = (text("expected"), text("origin"));
    let message = match input.get("data") {
        Some(Json::Object(m)) => m.clone(),
        _ => return,
    };

    let decoded = decode_command(&expected, &origin, getter(&message));
    if let Some(cmd) = &decoded {
        assert!(!expected.is_empty() && expected != "null" && expected == origin, "{expected:?} vs {origin:?}");
        assert_eq!(message.get(TAG).and_then(Json::as_f64), Some(f64::from(VERSION)), "wrong version accepted");
        assert_eq!(message.get("type").and_then(Json::as_str), Some(cmd.kind()));
        let fields = cmd.fields();
        let again = Command::parse(cmd.kind(), |k| fields.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()));
        assert_eq!(again.as_ref(), Some(cmd), "command did not round-trip");
        if let Command::Confirm { request_id, .. } = cmd {
            assert_eq!(getter(&message)("requestId"), Some(Value::Int(*request_id)));
        }
    }

    // The same message with any other version is dropped.
    let wrong_versions =
        [json!(0), json!(2), json!(-1), json!(1.5), json!(0.999), json!("1"), json!(null), json!(true), json!(4_294_967_297u64), json!([1]), json!({"v": 1})];
    for version in wrong_versions {
        let mut tampered = message.clone();
        tampered.insert(TAG.to_owned(), version.clone());
        assert_eq!(decode_command(&expected, &origin, getter(&tampered)), None, "version {version} accepted");
    }
    let mut unversioned = message.clone();
    unversioned.remove(TAG);
    assert_eq!(decode_command(&expected, &origin, getter(&unversioned)), None, "unversioned message accepted");

    // And so is it from any other origin, or when the frame trusts an opaque or empty origin.
    let mut shorter = origin.clone();
    shorter.pop();
    for other in [format!("{origin}.evil.example"), shorter] {
        if other != expected {
            assert_eq!(decode_command(&expected, &other, getter(&message)), None, "accepted from {other:?}");
        }
    }
    for opaque in ["null", ""] {
        assert_eq!(decode_command(opaque, opaque, getter(&message)), None);
    }
});

/// A field getter over the message, converting as `widget/src/bridge.rs`'s `from_js` does.
fn getter(message: &Map<String, Json>) -> impl Fn(&str) -> Option<Value> + '_ {
    move |key| {
        Some(match message.get(key)? {
            Json::Null | Json::Array(_) | Json::Object(_) => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::String(s) => Value::Str(s.clone()),
            Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Value::Int(i),
                // JS numbers: integral ones saturate into i64, fractional ones are malformed.
                (None, Some(f)) if f.fract() == 0.0 => Value::Int(f as i64),
                _ => Value::Null,
            },
        })
    }
}
