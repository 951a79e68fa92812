//! Typed reads of a parsed request body, each failure a Stripe-shaped error naming the param.

use serde_json::{Map, Value};
use shared::api::ApiError;

/// Stripe's metadata limits.
const METADATA_MAX_KEYS: usize = 50;
const METADATA_MAX_KEY_LEN: usize = 40;
const METADATA_MAX_VALUE_LEN: usize = 500;

#[derive(Clone, Debug, Default)]
pub struct Params {
    map: Map<String, Value>,
    /// Dotted prefix for nested params, so errors name `card[number]`, not `number`.
    prefix: String,
}

impl Params {
    pub fn new(map: Map<String, Value>) -> Self {
        Params { map, prefix: String::new() }
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    /// The full wire name of `key` here, e.g. `payment_method_data[card][number]`.
    pub fn name(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}[{key}]", self.prefix)
        }
    }

    /// Refuses any top-level key not in `allowed`, as Stripe does.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => Err(ApiError::unknown_param(&self.name(unknown))),
            None => Ok(()),
        }
    }

    /// A parameter as parsed, for list-or-string params like `enabled_events[]`.
    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn str(&self, key: &str) -> Result<Option<&str>, ApiError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::invalid_param(&self.name(key), format!("Invalid string: {} must be a string.", self.name(key)))),
        }
    }

    pub fn required_str(&self, key: &str) -> Result<&str, ApiError> {
        match self.str(key)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(ApiError::missing_param(&self.name(key))),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => {
                let digits = s.strip_prefix('-').unwrap_or(s);
                if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::invalid_request("parameter_invalid_integer", Some(&self.name(key)), format!("Invalid integer: {s}")));
                }
                s.parse::<i64>()
                    .map(Some)
                    .map_err(|_| ApiError::invalid_request("parameter_invalid_integer", Some(&self.name(key)), format!("Invalid integer: {s}")))
            }
        }
    }

    pub fn required_int(&self, key: &str) -> Result<i64, ApiError> {
        self.int(key)?.ok_or_else(|| ApiError::missing_param(&self.name(key)))
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_request(
                "parameter_invalid_boolean",
                Some(&self.name(key)),
                format!("Invalid boolean: {other}"),
            )),
        }
    }

    /// One of a fixed set of values.
    pub fn one_of<'a>(&self, key: &str, allowed: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => allowed.iter().find(|a| **a == s).map(|a| Some(*a)).ok_or_else(|| {
                ApiError::invalid_param(
                    &self.name(key),
                    format!("Invalid {}: must be one of {}", self.name(key), allowed.join(", ")),
                )
            }),
        }
    }

    pub fn object(&self, key: &str) -> Result<Option<Params>, ApiError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Params { map: map.clone(), prefix: self.name(key) })),
            Some(_) => Err(ApiError::invalid_param(&self.name(key), format!("Invalid object: {} must be an object.", self.name(key)))),
        }
    }

    /// `expand[]=a&expand[]=b`.
    pub fn expand(&self) -> Result<Vec<String>, ApiError> {
        match self.map.get("expand") {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| ApiError::invalid_param("expand", "Invalid array: expand must hold strings.")))
                .collect(),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(_) => Err(ApiError::invalid_param("expand", "Invalid array: expand must be an array of strings.")),
        }
    }

    /// Merges `metadata[...]` into `existing`; an empty value unsets a key, an empty
    /// `metadata=` clears everything, as Stripe does.
    pub fn merge_metadata(&self, existing: &mut Map<String, Value>) -> Result<(), ApiError> {
        match self.map.get("metadata") {
            None => Ok(()),
            Some(Value::String(s)) if s.is_empty() => {
                existing.clear();
                Ok(())
            }
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    let Value::String(v) = v else {
                        return Err(ApiError::invalid_param(&format!("metadata[{k}]"), "Metadata values must be strings."));
                    };
                    if k.is_empty() || k.chars().count() > METADATA_MAX_KEY_LEN {
                        return Err(ApiError::invalid_param(
                            "metadata",
                            format!("Metadata keys must be 1 to {METADATA_MAX_KEY_LEN} characters long."),
                        ));
                    }
                    if v.chars().count() > METADATA_MAX_VALUE_LEN {
                        return Err(ApiError::invalid_param(
                            &format!("metadata[{k}]"),
                            format!("Metadata values can have up to {METADATA_MAX_VALUE_LEN} characters."),
                        ));
                    }
                    if v.is_empty() {
                        existing.remove(k);
                    } else {
                        existing.insert(k.clone(), Value::String(v.clone()));
                    }
                }
                if existing.len() > METADATA_MAX_KEYS {
                    return Err(ApiError::invalid_param("metadata", format!("Metadata can have up to {METADATA_MAX_KEYS} keys.")));
                }
                Ok(())
            }
            Some(_) => Err(ApiError::invalid_param("metadata", "Invalid object: metadata must be an object of strings.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::parse_form;

    fn p(body: &str) -> Params {
        Params::new(parse_form(body).unwrap())
    }

    #[test]
    fn reads_and_errors_name_the_param() {
        let params = p("amount=12x&card[exp_month]=ab&confirm=yes&ok=1");
        assert_eq!(params.int("amount").unwrap_err().param.as_deref(), Some("amount"));
        let card = params.object("card").unwrap().unwrap();
        assert_eq!(card.int("exp_month").unwrap_err().param.as_deref(), Some("card[exp_month]"));
        assert_eq!(params.bool("confirm").unwrap_err().code.as_deref(), Some("parameter_invalid_boolean"));
        assert_eq!(params.int("ok").unwrap(), Some(1));
        assert_eq!(params.allow_only(&["amount", "card", "confirm"]).unwrap_err().param.as_deref(), Some("ok"));
        assert!(p("amount=99999999999999999999").int("amount").is_err());
    }

    #[test]
    fn metadata_merges_and_unsets() {
        let mut md = Map::new();
        p("metadata[a]=1&metadata[b]=2").merge_metadata(&mut md).unwrap();
        p("metadata[a]=").merge_metadata(&mut md).unwrap();
        assert_eq!(serde_json::Value::Object(md.clone()), serde_json::json!({"b": "2"}));
        p("metadata=").merge_metadata(&mut md).unwrap();
        assert!(md.is_empty());
        let long_key = format!("metadata[{}]=1", "k".repeat(41));
        assert!(p(&long_key).merge_metadata(&mut md).is_err());
    }
}
