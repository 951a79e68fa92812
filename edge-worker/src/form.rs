//! Request bodies: Stripe's `application/x-www-form-urlencoded` with bracket nesting
//! (`metadata[order_id]=1`, `expand[]=latest_charge`, `card[number]=…`) or JSON, both parsed into
//! one tree of strings so handlers read parameters one way.

use serde_json::{Map, Value};
use shared::api::{ApiError, ErrorType};

/// Largest body accepted, as Stripe's API does.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Deepest bracket nesting accepted; Stripe's own objects need at most four.
pub const MAX_DEPTH: usize = 5;
/// Most parameters in one request.
pub const MAX_PARAMS: usize = 1000;

fn invalid_body(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request("parameter_invalid", None, message)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one form component (`+` is a space). Broken escapes and non-UTF-8 are refused.
pub fn percent_decode(s: &str) -> Result<String, ApiError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let pair = bytes.get(i + 1).copied().and_then(hex).zip(bytes.get(i + 2).copied().and_then(hex));
                let (hi, lo) = pair.ok_or_else(|| invalid_body("The request body has an invalid percent-encoding."))?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| invalid_body("The request body is not valid UTF-8."))
}

/// Splits `a[b][c]` into `["a", "b", "c"]`; `a[]` gives an empty last segment (append).
fn key_path(key: &str) -> Result<Vec<&str>, ApiError> {
    let malformed = || invalid_body(format!("Invalid parameter name: {key}"));
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return Err(malformed());
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(malformed)?;
        let close = inner.find(']').ok_or_else(malformed)?;
        if inner[..close].contains('[') {
            return Err(malformed());
        }
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
        if path.len() > MAX_DEPTH {
            return Err(invalid_body(format!(
                "The parameter {head} is nested too deeply (more than {MAX_DEPTH} levels)."
            )));
        }
    }
    Ok(path)
}

fn insert(tree: &mut Map<String, Value>, path: &[&str], value: String, full_key: &str) -> Result<(), ApiError> {
    let conflict = || invalid_body(format!("Conflicting values given for parameter {full_key}."));
    let (first, rest) = path.split_first().ok_or_else(conflict)?;
    // `[]` appends to a list; on an object it would silently become the key "".
    if first.is_empty() {
        return Err(conflict());
    }
    if rest.is_empty() {
        return match tree.get(*first) {
            None => {
                tree.insert((*first).to_owned(), Value::String(value));
                Ok(())
            }
            // A repeated scalar keeps the last value, as Rack and Stripe do.
            Some(Value::String(_)) => {
                tree.insert((*first).to_owned(), Value::String(value));
                Ok(())
            }
            Some(_) => Err(conflict()),
        };
    }
    let child = tree.entry((*first).to_owned()).or_insert_with(|| {
        if rest[0].is_empty() || rest[0].bytes().all(|b| b.is_ascii_digit()) {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    });
    match child {
        Value::Array(items) => {
            let index = rest[0];
            if rest.len() == 1 {
                if index.is_empty() || index.parse::<usize>().ok() == Some(items.len()) {
                    items.push(Value::String(value));
                    return Ok(());
                }
                let i: usize = index.parse().map_err(|_| conflict())?;
                *items.get_mut(i).ok_or_else(conflict)? = Value::String(value);
                return Ok(());
            }
            // `items[0][price]=…`: index addresses an object inside the list.
            let i: usize = index.parse().map_err(|_| conflict())?;
            if i == items.len() {
                items.push(Value::Object(Map::new()));
            }
            match items.get_mut(i) {
                Some(Value::Object(map)) => insert(map, &rest[1..], value, full_key),
                _ => Err(conflict()),
            }
        }
        Value::Object(map) => insert(map, rest, value, full_key),
        _ => Err(conflict()),
    }
}

/// Parses a form-encoded body into a JSON object whose leaves are strings.
pub fn parse_form(body: &str) -> Result<Map<String, Value>, ApiError> {
    let mut tree = Map::new();
    for (n, pair) in body.split('&').filter(|p| !p.is_empty()).enumerate() {
        if n >= MAX_PARAMS {
            return Err(invalid_body(format!("Too many parameters (more than {MAX_PARAMS}).")));
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(raw_key)?;
        let value = percent_decode(raw_value)?;
        let path = key_path(&key)?;
        insert(&mut tree, &path, value, &key)?;
    }
    Ok(tree)
}

/// Parses a JSON body into the same tree: numbers and booleans become strings, so a handler
/// reading `amount` sees `"1000"` whichever encoding the client used.
pub fn parse_json(body: &str) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_str(body).map_err(|e| invalid_body(format!("Invalid JSON body: {e}")))?;
    match stringify(value, 0)? {
        Value::Object(map) => Ok(map),
        _ => Err(invalid_body("The JSON body must be an object.")),
    }
}

fn stringify(value: Value, depth: usize) -> Result<Value, ApiError> {
    if depth > MAX_DEPTH {
        return Err(invalid_body(format!("The JSON body is nested too deeply (more than {MAX_DEPTH} levels).")));
    }
    Ok(match value {
        Value::Null => Value::String(String::new()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::String(s) => Value::String(s),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| stringify(v, depth + 1)).collect::<Result<_, _>>()?)
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| Ok((k, stringify(v, depth + 1)?)))
                .collect::<Result<_, ApiError>>()?,
        ),
    })
}

/// 413: the body is over [`MAX_BODY_BYTES`].
pub fn too_large() -> ApiError {
    ApiError::new(
        413,
        ErrorType::InvalidRequestError,
        Some("request_too_large"),
        None,
        format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
    )
}

/// Picks the parser from the `Content-Type` header.
pub fn parse_body(content_type: Option<&str>, body: &str) -> Result<Map<String, Value>, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    let mime = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match mime.as_str() {
        _ if body.trim().is_empty() => Ok(Map::new()),
        "application/json" => parse_json(body),
        "application/x-www-form-urlencoded" | "" => parse_form(body),
        other => Err(ApiError::new(
            415,
            ErrorType::InvalidRequestError,
            Some("invalid_content_type"),
            None,
            format!("Unsupported Content-Type {other}; send application/x-www-form-urlencoded or application/json."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_brackets_and_lists() {
        let tree = parse_form(
            "amount=1000&currency=hkd&metadata[order_id]=A%2012&expand[]=latest_charge&expand[]=payment_method\
             &payment_method_data[card][number]=4242+4242&items[0][id]=a&items[1][id]=b",
        )
        .unwrap();
        assert_eq!(
            Value::Object(tree),
            json!({
                "amount": "1000", "currency": "hkd", "metadata": {"order_id": "A 12"},
                "expand": ["latest_charge", "payment_method"],
                "payment_method_data": {"card": {"number": "4242 4242"}},
                "items": [{"id": "a"}, {"id": "b"}]
            })
        );
    }

    #[test]
    fn json_leaves_become_strings() {
        let tree = parse_json(r#"{"amount": 1000, "confirm": true, "metadata": {"k": "v"}}"#).unwrap();
        assert_eq!(Value::Object(tree), json!({"amount": "1000", "confirm": "true", "metadata": {"k": "v"}}));
    }

    #[test]
    fn bad_bodies_are_refused_not_panicked() {
        let bad = [
            "a=%ZZ",
            "a=%E",
            "a=%FF%FE",
            "[x]=1",
            "a[b=1",
            "a]=1",
            "a[b][c][d][e][f][g]=1",
            "a=1&a[b]=2",
            "a[b]=1&a=2",
            "a[]=1&a[x]=2",
            "a[5]=1",
        ];
        for body in bad {
            let err = parse_form(body).expect_err(body);
            assert_eq!(err.status, 400, "{body}");
        }
        assert!(parse_json("[1]").is_err());
        assert!(parse_json("{").is_err());
        let deep = format!("{}{}", "{\"a\":".repeat(10), "1}".to_owned() + &"}".repeat(9));
        assert!(parse_json(&deep).is_err());
        assert_eq!(parse_body(Some("text/plain"), "a=1").unwrap_err().status, 415);
        assert_eq!(parse_body(None, &"a".repeat(MAX_BODY_BYTES + 1)).unwrap_err().status, 413);
    }

    #[test]
    fn append_brackets_on_an_object_are_refused() {
        // Found by the form_body fuzz target: the reverse of `a[]=1&a[x]=2`, and `[]` inside a
        // list item, used to give objects with the key "".
        for body in ["expand[exp]=x&expand[]=y", "items[0][]=1", "items[0][a]=1&items[0][]=2"] {
            assert_eq!(parse_form(body).expect_err(body).status, 400, "{body}");
        }
        assert_eq!(Value::Object(parse_form("items[0][a]=1&items[]=2").unwrap()), json!({"items": [{"a": "1"}, "2"]}));
    }

    #[test]
    fn content_type_picks_parser() {
        assert_eq!(parse_body(Some("application/json; charset=utf-8"), "{\"a\":1}").unwrap()["a"], "1");
        assert_eq!(parse_body(Some("application/x-www-form-urlencoded"), "a=1").unwrap()["a"], "1");
        assert!(parse_body(Some("application/json"), "").unwrap().is_empty());
    }
}
