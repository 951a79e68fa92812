//! Prefixed object ids (`pi_…`, `pm_…`), as Stripe spells them.
//!
//! Each kind is its own type so a charge id can never be passed where an intent id is expected.

use std::fmt;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Longest id accepted from the wire; longer input is refused before any lookup.
pub const MAX_ID_LEN: usize = 64;

/// Encodes random bytes as base62 characters, one character per byte (bias is irrelevant for ids).
pub fn random_suffix(random: &[u8]) -> String {
    random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdError {
    pub expected_prefix: &'static str,
}

fn valid_body(body: &str) -> bool {
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_alphanumeric())
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id from random bytes supplied by the caller (24 bytes is Stripe-like).
            pub fn from_random(random: &[u8]) -> Self {
                Self(format!("{}{}", $prefix, random_suffix(random)))
            }

            /// Accepts only `<prefix><alphanumerics>`, at most [`MAX_ID_LEN`] long.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                match s.strip_prefix($prefix) {
                    Some(body) if s.len() <= MAX_ID_LEN && valid_body(body) => Ok(Self(s.to_owned())),
                    _ => Err(IdError { expected_prefix: $prefix }),
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

prefixed_id!(PaymentIntentId, "pi_");
prefixed_id!(PaymentMethodId, "pm_");
prefixed_id!(ChargeId, "ch_");
prefixed_id!(RefundId, "re_");
prefixed_id!(EventId, "evt_");
prefixed_id!(WebhookEndpointId, "we_");
prefixed_id!(RequestId, "req_");

/// `pi_…_secret_…`: lets a browser holding a publishable key read and confirm one intent.
pub fn client_secret(intent: &PaymentIntentId, random: &[u8]) -> String {
    format!("{}_secret_{}", intent.as_str(), random_suffix(random))
}

/// The intent a client secret belongs to, if it is shaped like one.
pub fn intent_of_client_secret(secret: &str) -> Option<PaymentIntentId> {
    let (intent, rest) = secret.split_once("_secret_")?;
    if !valid_body(rest) {
        return None;
    }
    PaymentIntentId::parse(intent).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_refuse_others() {
        let id = PaymentIntentId::from_random(&[1, 2, 3, 200]);
        assert!(id.as_str().starts_with("pi_"));
        assert_eq!(PaymentIntentId::parse(id.as_str()), Ok(id.clone()));
        for bad in ["pm_abc", "pi_", "pi_a-b", "pi_a b", "", "PI_abc"] {
            assert!(PaymentIntentId::parse(bad).is_err(), "{bad}");
        }
        assert!(PaymentIntentId::parse(&format!("pi_{}", "a".repeat(80))).is_err());
    }

    #[test]
    fn client_secret_names_its_intent() {
        let id = PaymentIntentId::from_random(&[7; 24]);
        let secret = client_secret(&id, &[9; 24]);
        assert_eq!(intent_of_client_secret(&secret), Some(id));
        assert_eq!(intent_of_client_secret("pi_abc_secret_"), None);
        assert_eq!(intent_of_client_secret("pi_abc"), None);
        assert_eq!(intent_of_client_secret("pm_abc_secret_x"), None);
    }
}
