//! Webhook signing and verification for the two schemes Tessera speaks:
//! Stripe's `Stripe-Signature` and Standard Webhooks (`webhook-*` headers).
//!
//! Pure: the caller passes `now` (unix seconds). Every signature comparison
//! is constant-time, and every parser is linear and panic-free on hostile
//! input; headers longer than [`MAX_HEADER_LEN`] are refused outright.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use core::fmt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Five minutes, the default of both stripe-node and Standard Webhooks.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Real headers carry a handful of signatures (a few hundred bytes); the
/// cap bounds the work an attacker can make us do per request.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A required header (or the message id) is absent or blank.
    MissingHeader,
    /// The header cannot be parsed (bad or missing timestamp, oversized).
    MalformedHeader,
    /// The header parsed but holds no well-formed `v1` signature.
    NoSignatures,
    SignatureMismatch,
    TimestampOutsideTolerance,
    /// No secret given, an empty one, or a Standard Webhooks secret that
    /// is not valid base64.
    InvalidSecret,
}

impl VerifyError {
    pub fn message(self) -> &'static str {
        match self {
            VerifyError::MissingHeader => "The webhook signature header is missing.",
            VerifyError::MalformedHeader => {
                "Unable to extract timestamp and signatures from the webhook signature header."
            }
            VerifyError::NoSignatures => "No signatures found with the expected scheme (v1).",
            VerifyError::SignatureMismatch => {
                "No signatures found matching the expected signature for the payload."
            }
            VerifyError::TimestampOutsideTolerance => {
                "The webhook timestamp is outside the tolerance zone."
            }
            VerifyError::InvalidSecret => "The webhook signing secret is missing or invalid.",
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for VerifyError {}

/// Length-checked, constant-time equality. The length itself is not
/// secret (signatures and key hashes have fixed sizes).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// HMAC-SHA256 over the concatenation of `parts`; also the gateway's one keyed-hash primitive
/// (vault fingerprints, the sandbox processor's secret).
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC hashes over-long keys and pads short ones, so any key length is
    // accepted and this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Unix seconds as sent on the wire: ASCII digits only, so the signed
/// string and the header agree byte-for-byte (no "+", spaces or signs).
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// |now - t| <= tolerance, without overflow for extreme values.
fn within_tolerance(timestamp: i64, now: i64, tolerance_secs: i64) -> bool {
    u64::try_from(tolerance_secs).is_ok_and(|tol| now.abs_diff(timestamp) <= tol)
}

fn check_secrets(secrets: &[&str]) -> Result<(), VerifyError> {
    if secrets.is_empty() || secrets.iter().any(|s| s.is_empty()) {
        return Err(VerifyError::InvalidSecret);
    }
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

fn hex_nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn hex_decode_32(s: &str) -> Option<[u8; 32]> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (hex_nibble(pair[0])? << 4) | hex_nibble(pair[1])?;
    }
    Some(out)
}

// ---------------------------------------------------------------- Stripe

/// A parsed `Stripe-Signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StripeSignatureHeader {
    pub timestamp: i64,
    pub v1: Vec<[u8; 32]>,
}

/// Parses `t=<unix>,v1=<hex>[,v1=<hex>…]`. Other schemes (`v0=`) and
/// unknown keys are ignored; the first `t` wins; a `v1` that is not 64 hex
/// digits is skipped.
pub fn parse_stripe_header(header: &str) -> Result<StripeSignatureHeader, VerifyError> {
    if header.trim().is_empty() {
        return Err(VerifyError::MissingHeader);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(VerifyError::MalformedHeader);
    }
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let Some((key, value)) = item.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(parse_timestamp(value).ok_or(VerifyError::MalformedHeader)?);
            }
            "v1" => v1.extend(hex_decode_32(value)),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::MalformedHeader)?;
    if v1.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    Ok(StripeSignatureHeader { timestamp, v1 })
}

/// HMAC-SHA256 keyed with the whole secret string (`whsec_…` included, as
/// Stripe does) over `"{t}.{payload}"`.
pub fn stripe_signature(secret: &str, timestamp: i64, payload: &[u8]) -> [u8; 32] {
    let t = timestamp.to_string();
    hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", payload])
}

/// `t=…,v1=…` with one `v1` per secret, so old and new secrets verify
/// together during a rotation.
pub fn stripe_header(secrets: &[&str], timestamp: i64, payload: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for secret in secrets {
        out.push_str(",v1=");
        out.push_str(&hex_encode(&stripe_signature(secret, timestamp, payload)));
    }
    out
}

/// Accepts when any secret matches any `v1`; returns the signed timestamp.
/// The tolerance is checked after a signature matches (as stripe-node
/// does, so a stale-but-genuine event is reported as such) and in both
/// directions: `|now - t| > tolerance_secs` is refused.
pub fn stripe_verify(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, VerifyError> {
    check_secrets(secrets)?;
    let parsed = parse_stripe_header(header)?;
    let mut matched = false;
    for secret in secrets {
        let expected = stripe_signature(secret, parsed.timestamp, payload);
        for candidate in &parsed.v1 {
            // No early exit: timing reveals neither which secret nor which
            // signature matched.
            matched |= constant_time_eq(&expected, candidate);
        }
    }
    if !matched {
        return Err(VerifyError::SignatureMismatch);
    }
    if !within_tolerance(parsed.timestamp, now, tolerance_secs) {
        return Err(VerifyError::TimestampOutsideTolerance);
    }
    Ok(parsed.timestamp)
}

// ------------------------------------------------------ Standard Webhooks

/// The `v1` signatures of a `webhook-signature` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardSignatures(pub Vec<[u8; 32]>);

/// Parses `v1,<base64> [v1,<base64> …]` (space-separated). Other versions
/// (`v1a,…`) and entries that are not padded standard base64 of 32 bytes
/// are skipped.
pub fn parse_standard_signature_header(header: &str) -> Result<StandardSignatures, VerifyError> {
    if header.trim().is_empty() {
        return Err(VerifyError::MissingHeader);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(VerifyError::MalformedHeader);
    }
    let signatures: Vec<[u8; 32]> = header
        .split_whitespace()
        .filter_map(|entry| {
            let (version, sig) = entry.split_once(',')?;
            if version != "v1" {
                return None;
            }
            STANDARD.decode(sig).ok()?.try_into().ok()
        })
        .collect();
    if signatures.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    Ok(StandardSignatures(signatures))
}

/// The HMAC key: base64 after the `whsec_` prefix (or the whole string
/// when there is no prefix).
pub fn standard_key(secret: &str) -> Result<Vec<u8>, VerifyError> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    match STANDARD.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        _ => Err(VerifyError::InvalidSecret),
    }
}

/// HMAC-SHA256 over `"{msg_id}.{timestamp}.{payload}"`.
pub fn standard_signature(key: &[u8], msg_id: &str, timestamp: i64, payload: &[u8]) -> [u8; 32] {
    let t = timestamp.to_string();
    hmac_sha256(key, &[msg_id.as_bytes(), b".", t.as_bytes(), b".", payload])
}

/// `v1,<b64> v1,<b64>`: one signature per secret, for rotation.
pub fn standard_signature_header(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> Result<String, VerifyError> {
    check_secrets(secrets)?;
    let entries = secrets
        .iter()
        .map(|secret| {
            let key = standard_key(secret)?;
            Ok(format!(
                "v1,{}",
                STANDARD.encode(standard_signature(&key, msg_id, timestamp, payload))
            ))
        })
        .collect::<Result<Vec<_>, VerifyError>>()?;
    Ok(entries.join(" "))
}

/// Verifies a Standard Webhooks delivery; returns the signed timestamp.
/// Like the reference libraries, the timestamp is checked before the
/// signature (both directions, `|now - t| > tolerance_secs` is refused).
pub fn standard_verify(
    payload: &[u8],
    msg_id: &str,
    timestamp_header: &str,
    signature_header: &str,
    secrets: &[&str],
    now: i64,
    tolerance_secs: i64,
) -> Result<i64, VerifyError> {
    check_secrets(secrets)?;
    let keys = secrets
        .iter()
        .map(|s| standard_key(s))
        .collect::<Result<Vec<_>, _>>()?;
    if msg_id.trim().is_empty() || timestamp_header.trim().is_empty() {
        return Err(VerifyError::MissingHeader);
    }
    let timestamp = parse_timestamp(timestamp_header.trim()).ok_or(VerifyError::MalformedHeader)?;
    let signatures = parse_standard_signature_header(signature_header)?;
    if !within_tolerance(timestamp, now, tolerance_secs) {
        return Err(VerifyError::TimestampOutsideTolerance);
    }
    let mut matched = false;
    for key in &keys {
        let expected = standard_signature(key, msg_id, timestamp, payload);
        for candidate in &signatures.0 {
            matched |= constant_time_eq(&expected, candidate);
        }
    }
    if matched {
        Ok(timestamp)
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRIPE_SECRET: &str = "whsec_test_secret";
    const STRIPE_T: i64 = 1_700_000_000;
    const STRIPE_BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    const STRIPE_HEADER: &str =
        "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";

    const STD_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const STD_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const STD_T: i64 = 1_649_367_553;
    const STD_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const STD_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn stripe(payload: &[u8], header: &str, now: i64) -> Result<i64, VerifyError> {
        stripe_verify(
            payload,
            header,
            &[STRIPE_SECRET],
            now,
            DEFAULT_TOLERANCE_SECS,
        )
    }

    fn standard(
        payload: &[u8],
        id: &str,
        t: &str,
        sig: &str,
        now: i64,
    ) -> Result<i64, VerifyError> {
        standard_verify(
            payload,
            id,
            t,
            sig,
            &[STD_SECRET],
            now,
            DEFAULT_TOLERANCE_SECS,
        )
    }

    #[test]
    fn stripe_reference_vector() {
        assert_eq!(
            stripe_header(&[STRIPE_SECRET], STRIPE_T, STRIPE_BODY),
            STRIPE_HEADER
        );
        assert_eq!(
            hex_encode(&stripe_signature(STRIPE_SECRET, STRIPE_T, STRIPE_BODY)),
            "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
        );
        assert_eq!(stripe(STRIPE_BODY, STRIPE_HEADER, STRIPE_T), Ok(STRIPE_T));
        // Uppercase hex, extra schemes and whitespace around items are tolerated.
        let noisy = format!(
            "v0=abc, t=1700000000 ,v1={}, foo=bar",
            "D95C6B7477FBD7E9F90B1B0EF5F9C7AC25ABCA5382460E0D988C2B2A5B71B990"
        );
        assert_eq!(stripe(STRIPE_BODY, &noisy, STRIPE_T), Ok(STRIPE_T));
    }

    #[test]
    fn standard_reference_vector() {
        let header = standard_signature_header(&[STD_SECRET], STD_ID, STD_T, STD_BODY);
        assert_eq!(header.as_deref(), Ok(STD_SIGNATURE));
        assert_eq!(
            standard(STD_BODY, STD_ID, "1649367553", STD_SIGNATURE, STD_T),
            Ok(STD_T)
        );
        // Other versions next to v1 are ignored.
        let mixed = format!("v1a,AAAA {STD_SIGNATURE} v2,xyz");
        assert_eq!(
            standard(STD_BODY, STD_ID, "1649367553", &mixed, STD_T),
            Ok(STD_T)
        );
        // The key is the base64 after the prefix; without a prefix, all of it.
        let key = standard_key(STD_SECRET).expect("valid secret");
        assert_eq!(key.len(), 24);
        assert_eq!(
            standard_key("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").as_ref(),
            Ok(&key)
        );
    }

    #[test]
    fn rotation_accepts_either_secret() {
        let old = "whsec_old";
        let new = "whsec_new";
        let both = stripe_header(&[old, new], STRIPE_T, STRIPE_BODY);
        assert_eq!(both.matches(",v1=").count(), 2);
        for secrets in [&[old][..], &[new], &[new, old], &[old, "whsec_other"]] {
            assert_eq!(
                stripe_verify(STRIPE_BODY, &both, secrets, STRIPE_T, 300),
                Ok(STRIPE_T)
            );
        }
        assert_eq!(
            stripe_verify(STRIPE_BODY, &both, &["whsec_other"], STRIPE_T, 300),
            Err(VerifyError::SignatureMismatch)
        );
        let only_old = stripe_header(&[old], STRIPE_T, STRIPE_BODY);
        assert_eq!(
            stripe_verify(STRIPE_BODY, &only_old, &[new, old], STRIPE_T, 300),
            Ok(STRIPE_T)
        );

        let std_old = STD_SECRET;
        let std_new = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let header = standard_signature_header(&[std_old, std_new], STD_ID, STD_T, STD_BODY)
            .expect("valid secrets");
        assert_eq!(header.split(' ').count(), 2);
        assert!(header.starts_with(STD_SIGNATURE));
        for secrets in [&[std_old][..], &[std_new], &[std_new, std_old]] {
            assert_eq!(
                standard_verify(STD_BODY, STD_ID, "1649367553", &header, secrets, STD_T, 300),
                Ok(STD_T)
            );
        }
        assert_eq!(
            standard_verify(
                STD_BODY,
                STD_ID,
                "1649367553",
                STD_SIGNATURE,
                &[std_new],
                STD_T,
                300
            ),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn tolerance_in_both_directions() {
        use VerifyError::TimestampOutsideTolerance as Outside;
        for (now, expected) in [
            (STRIPE_T, Ok(STRIPE_T)),
            (STRIPE_T + 300, Ok(STRIPE_T)),
            (STRIPE_T - 300, Ok(STRIPE_T)),
            (STRIPE_T + 301, Err(Outside)),
            (STRIPE_T - 301, Err(Outside)),
            (i64::MAX, Err(Outside)),
            (i64::MIN, Err(Outside)),
        ] {
            assert_eq!(
                stripe(STRIPE_BODY, STRIPE_HEADER, now),
                expected,
                "now={now}"
            );
        }
        let t = "1649367553";
        for (now, expected) in [
            (STD_T + 300, Ok(STD_T)),
            (STD_T - 300, Ok(STD_T)),
            (STD_T + 301, Err(Outside)),
            (STD_T - 301, Err(Outside)),
        ] {
            assert_eq!(
                standard(STD_BODY, STD_ID, t, STD_SIGNATURE, now),
                expected,
                "now={now}"
            );
        }
        // A negative tolerance accepts nothing; zero means "this second".
        assert_eq!(
            stripe_verify(STRIPE_BODY, STRIPE_HEADER, &[STRIPE_SECRET], STRIPE_T, -1),
            Err(Outside)
        );
        assert_eq!(
            stripe_verify(STRIPE_BODY, STRIPE_HEADER, &[STRIPE_SECRET], STRIPE_T, 0),
            Ok(STRIPE_T)
        );
        // Stripe reports a forged signature before a stale timestamp;
        // Standard Webhooks checks the timestamp first.
        let forged = STRIPE_HEADER.replace("v1=d9", "v1=d8");
        assert_eq!(
            stripe(STRIPE_BODY, &forged, STRIPE_T + 10_000),
            Err(VerifyError::SignatureMismatch)
        );
        assert_eq!(
            standard(b"forged", STD_ID, t, STD_SIGNATURE, STD_T + 10_000),
            Err(Outside)
        );
    }

    /// Flips one byte of the body, one digit of the timestamp, or one
    /// character of the signature at every position: always rejected.
    #[test]
    fn stripe_tampering_is_always_rejected() {
        let mismatch = Err(VerifyError::SignatureMismatch);
        for i in 0..STRIPE_BODY.len() {
            for mask in [0x01u8, 0x20, 0x80] {
                let mut body = STRIPE_BODY.to_vec();
                body[i] ^= mask;
                assert_eq!(
                    stripe(&body, STRIPE_HEADER, STRIPE_T),
                    mismatch,
                    "body byte {i}"
                );
            }
        }
        let mut longer = STRIPE_BODY.to_vec();
        longer.push(b' ');
        assert_eq!(stripe(&longer, STRIPE_HEADER, STRIPE_T), mismatch);
        assert_eq!(stripe(&STRIPE_BODY[1..], STRIPE_HEADER, STRIPE_T), mismatch);

        let t_digits = 2..12; // "1700000000" inside the header
        for i in t_digits {
            for &d in b"0123456789" {
                let mut header = STRIPE_HEADER.as_bytes().to_vec();
                if header[i] == d {
                    continue;
                }
                header[i] = d;
                let header = String::from_utf8(header).expect("ascii");
                let tampered_t: i64 = header[2..12].parse().expect("digits");
                // `now` follows the forged timestamp so only the HMAC can refuse it.
                assert_eq!(
                    stripe(STRIPE_BODY, &header, tampered_t),
                    mismatch,
                    "{header}"
                );
            }
        }

        let sig_start = STRIPE_HEADER.len() - 64;
        for i in sig_start..STRIPE_HEADER.len() {
            for &c in HEX {
                let mut header = STRIPE_HEADER.as_bytes().to_vec();
                if header[i] == c {
                    continue;
                }
                header[i] = c;
                let header = String::from_utf8(header).expect("ascii");
                assert_eq!(stripe(STRIPE_BODY, &header, STRIPE_T), mismatch, "{header}");
            }
        }
        let truncated = &STRIPE_HEADER[..STRIPE_HEADER.len() - 1];
        assert_eq!(
            stripe(STRIPE_BODY, truncated, STRIPE_T),
            Err(VerifyError::NoSignatures)
        );
        assert_eq!(
            stripe_verify(
                STRIPE_BODY,
                STRIPE_HEADER,
                &["whsec_test_secreT"],
                STRIPE_T,
                300
            ),
            mismatch
        );
    }

    #[test]
    fn standard_tampering_is_always_rejected() {
        let mismatch = Err(VerifyError::SignatureMismatch);
        let t = "1649367553";
        for i in 0..STD_BODY.len() {
            for mask in [0x01u8, 0x20, 0x80] {
                let mut body = STD_BODY.to_vec();
                body[i] ^= mask;
                assert_eq!(
                    standard(&body, STD_ID, t, STD_SIGNATURE, STD_T),
                    mismatch,
                    "body byte {i}"
                );
            }
        }
        for i in 0..STD_ID.len() {
            let mut id = STD_ID.as_bytes().to_vec();
            id[i] ^= 0x01;
            let id = String::from_utf8(id).expect("ascii");
            assert_eq!(
                standard(STD_BODY, &id, t, STD_SIGNATURE, STD_T),
                mismatch,
                "{id}"
            );
        }
        for i in 0..t.len() {
            for &d in b"0123456789" {
                let mut forged = t.as_bytes().to_vec();
                if forged[i] == d || (i == 0 && d == b'0') {
                    continue;
                }
                forged[i] = d;
                let forged = String::from_utf8(forged).expect("ascii");
                let forged_t: i64 = forged.parse().expect("digits");
                assert_eq!(
                    standard(STD_BODY, STD_ID, &forged, STD_SIGNATURE, forged_t),
                    mismatch,
                    "{forged}"
                );
                // Unmoved clock: refused either way.
                assert!(standard(STD_BODY, STD_ID, &forged, STD_SIGNATURE, STD_T).is_err());
            }
        }
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let b64_start = "v1,".len();
        let b64_end = STD_SIGNATURE.len() - 1; // keep the '=' pad
        for i in b64_start..b64_end {
            for &c in alphabet {
                let mut sig = STD_SIGNATURE.as_bytes().to_vec();
                if sig[i] == c {
                    continue;
                }
                sig[i] = c;
                let sig = String::from_utf8(sig).expect("ascii");
                let got = standard(STD_BODY, STD_ID, t, &sig, STD_T);
                // Flips in the last character may leave non-zero padding
                // bits, which strict base64 refuses before any HMAC check.
                assert!(
                    got == mismatch || (i == b64_end - 1 && got == Err(VerifyError::NoSignatures)),
                    "{sig}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn garbled_stripe_headers() {
        use VerifyError::*;
        let good_sig = &STRIPE_HEADER["t=1700000000,v1=".len()..];
        let huge = "x".repeat(100_000);
        let huge_repeated = format!("{STRIPE_HEADER},").repeat(2_000);
        let v0_only = format!("t=1700000000,v0={good_sig}");
        let no_t = format!("v1={good_sig}");
        let overflow = format!("t=99999999999999999999,v1={good_sig}");
        let negative = format!("t=-1700000000,v1={good_sig}");
        let plus = format!("t=+1700000000,v1={good_sig}");
        let short_hex = format!("t=1700000000,v1={}", &good_sig[1..]);
        let non_hex = format!("t=1700000000,v1={}g", &good_sig[1..]);
        let cases: &[(&str, VerifyError)] = &[
            ("", MissingHeader),
            ("  \t ", MissingHeader),
            ("t=", MalformedHeader),
            ("t", MalformedHeader),
            ("=", MalformedHeader),
            (",,,,", MalformedHeader),
            ("t=abc,v1=zz", MalformedHeader),
            ("t=١٧٠٠,v1=zz", MalformedHeader),
            ("t=1700000000,v1=zz", NoSignatures),
            ("t=1700000000", NoSignatures),
            ("t=1700000000,v1=", NoSignatures),
            (&huge, MalformedHeader),
            (&huge_repeated, MalformedHeader),
            (&v0_only, NoSignatures),
            (&no_t, MalformedHeader),
            (&overflow, MalformedHeader),
            (&negative, MalformedHeader),
            (&plus, MalformedHeader),
            (&short_hex, NoSignatures),
            (&non_hex, NoSignatures),
        ];
        for &(header, expected) in cases {
            let shown = &header[..header.len().min(60)];
            assert_eq!(
                parse_stripe_header(header).map(|_| ()),
                Err(expected),
                "{shown}"
            );
            assert_eq!(
                stripe(STRIPE_BODY, header, STRIPE_T),
                Err(expected),
                "{shown}"
            );
        }

        // Duplicate t: the first one is signed, later ones are ignored.
        let dup = format!("t=1700000000,t=abc,t=5,v1={good_sig}");
        assert_eq!(stripe(STRIPE_BODY, &dup, STRIPE_T), Ok(STRIPE_T));
        let dup_wrong_first = format!("t=5,t=1700000000,v1={good_sig}");
        assert_eq!(
            stripe(STRIPE_BODY, &dup_wrong_first, 5),
            Err(SignatureMismatch)
        );
        // Bad v1 entries are skipped, not fatal.
        let mixed = format!("t=1700000000,v1=zz,v1={},v1={good_sig}", "0".repeat(64));
        let parsed = parse_stripe_header(&mixed).expect("parses");
        assert_eq!((parsed.timestamp, parsed.v1.len()), (STRIPE_T, 2));
        assert_eq!(stripe(STRIPE_BODY, &mixed, STRIPE_T), Ok(STRIPE_T));

        assert_eq!(
            stripe_verify(STRIPE_BODY, STRIPE_HEADER, &[], STRIPE_T, 300),
            Err(InvalidSecret)
        );
        assert_eq!(
            stripe_verify(STRIPE_BODY, STRIPE_HEADER, &[""], STRIPE_T, 300),
            Err(InvalidSecret)
        );
    }

    #[test]
    fn garbled_standard_headers() {
        use VerifyError::*;
        let t = "1649367553";
        let huge = "v1,".repeat(40_000);
        let sig_cases: &[(&str, VerifyError)] = &[
            ("", MissingHeader),
            ("   ", MissingHeader),
            ("v1", NoSignatures),
            ("v1,", NoSignatures),
            (
                "v1a,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
                NoSignatures,
            ),
            (
                "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw",
                NoSignatures,
            ),
            ("v1,!!!!", NoSignatures),
            ("v1,AAAA", NoSignatures),
            ("garbage", NoSignatures),
            (&huge, MalformedHeader),
        ];
        for &(header, expected) in sig_cases {
            let shown = &header[..header.len().min(60)];
            assert_eq!(
                parse_standard_signature_header(header).map(|_| ()),
                Err(expected),
                "{shown}"
            );
            assert_eq!(
                standard(STD_BODY, STD_ID, t, header, STD_T),
                Err(expected),
                "{shown}"
            );
        }
        for (timestamp, expected) in [
            ("", MissingHeader),
            ("abc", MalformedHeader),
            ("-1", MalformedHeader),
            ("1.5", MalformedHeader),
        ] {
            assert_eq!(
                standard(STD_BODY, STD_ID, timestamp, STD_SIGNATURE, STD_T),
                Err(expected),
                "{timestamp:?}"
            );
        }
        assert_eq!(
            standard(STD_BODY, "", t, STD_SIGNATURE, STD_T),
            Err(MissingHeader)
        );
        for bad in ["whsec_!!!", "whsec_", "", "whsec_abc"] {
            assert_eq!(standard_key(bad), Err(InvalidSecret), "{bad:?}");
            assert_eq!(
                standard_verify(STD_BODY, STD_ID, t, STD_SIGNATURE, &[bad], STD_T, 300),
                Err(InvalidSecret)
            );
            assert_eq!(
                standard_signature_header(&[STD_SECRET, bad], STD_ID, STD_T, STD_BODY),
                Err(InvalidSecret)
            );
        }
        assert_eq!(
            standard_signature_header(&[], STD_ID, STD_T, STD_BODY),
            Err(InvalidSecret)
        );
        assert_eq!(
            standard_verify(STD_BODY, STD_ID, t, STD_SIGNATURE, &[], STD_T, 300),
            Err(InvalidSecret)
        );
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"sk_test_123", b"sk_test_123"));
        assert!(!constant_time_eq(b"sk_test_123", b"sk_test_124"));
        assert!(!constant_time_eq(b"sk_test_123", b"sk_test_12"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    #[test]
    fn messages_are_distinct_sentences() {
        use VerifyError::*;
        let all = [
            MissingHeader,
            MalformedHeader,
            NoSignatures,
            SignatureMismatch,
            TimestampOutsideTolerance,
            InvalidSecret,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.message().ends_with('.'));
            assert_eq!(a.to_string(), a.message());
            for b in &all[i + 1..] {
                assert_ne!(a.message(), b.message());
            }
        }
    }
}
