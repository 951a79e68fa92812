//! `Stripe-Signature` parsing and verification (`shared::webhook`).
//!
//! Input: `<header>\n<payload>` (no newline: all header, empty payload). Checked on every input:
//! no panic; the parser agrees with a small independent reading of the format; a header is
//! accepted only if it carries the genuine HMAC of this payload under the secret (nothing can be
//! forged); a genuine header for the payload verifies, with either secret of a rotation, and
//! stops verifying when the payload, the secret or the clock changes.
#![no_main]

mod tamper;

use libfuzzer_sys::fuzz_target;
use tamper::tamperings;
use shared::webhook::{
    parse_stripe_header, stripe_header, stripe_signature, stripe_verify, VerifyError, DEFAULT_TOLERANCE_SECS,
    MAX_HEADER_LEN,
};

const SECRET: &str = "whsec_fuzz_current";
const OLD_SECRET: &str = "whsec_fuzz_previous";
/// A clock for inputs whose header has no usable timestamp.
const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (header, payload) = text.split_once('\n').unwrap_or((&text, ""));
    let payload = payload.as_bytes();

    let parsed = parse_stripe_header(header);
    assert_eq!(parsed.clone().map(|h| (h.timestamp, h.v1)), reference_parse(header), "{header:?}");

    // Forgery: whatever the header, acceptance means it holds the real MAC for its timestamp.
    let now = parsed.as_ref().map_or(NOW, |h| h.timestamp);
    match stripe_verify(payload, header, &[SECRET], now, DEFAULT_TOLERANCE_SECS) {
        Ok(t) => {
            let genuine = hex(&stripe_signature(SECRET, t, payload));
            assert!(header.to_ascii_lowercase().contains(&genuine), "accepted without the genuine signature");
            assert_eq!(Ok(t), parsed.map(|h| h.timestamp));
        }
        Err(e) => {
            if let Err(parse_error) = parsed {
                assert_eq!(e, parse_error, "verify and parse disagree on why");
            }
        }
    }
    assert_eq!(stripe_verify(payload, header, &[], now, 300), Err(VerifyError::InvalidSecret));
    assert_eq!(stripe_verify(payload, header, &[SECRET, ""], now, 300), Err(VerifyError::InvalidSecret));

    // Genuine headers, signed now with both secrets of a rotation.
    let t = now.rem_euclid(4_102_444_800);
    let signed = stripe_header(&[SECRET, OLD_SECRET], t, payload);
    assert_eq!(stripe_verify(payload, &signed, &[SECRET], t, DEFAULT_TOLERANCE_SECS), Ok(t));
    assert_eq!(stripe_verify(payload, &signed, &[OLD_SECRET], t + 300, DEFAULT_TOLERANCE_SECS), Ok(t));
    assert_eq!(stripe_verify(payload, &signed, &["whsec_other"], t, 300), Err(VerifyError::SignatureMismatch));
    assert_eq!(stripe_verify(payload, &signed, &[SECRET], t + 301, 300), Err(VerifyError::TimestampOutsideTolerance));
    assert_eq!(stripe_verify(payload, &signed, &[SECRET], t - 301, 300), Err(VerifyError::TimestampOutsideTolerance));
    for tampered in tamperings(payload) {
        assert_eq!(
            stripe_verify(&tampered, &signed, &[SECRET, OLD_SECRET], t, DEFAULT_TOLERANCE_SECS),
            Err(VerifyError::SignatureMismatch),
            "a changed payload verified"
        );
    }
    // Junk items after a genuine header change nothing, unless they push it over the size cap.
    if signed.len() + 1 + header.len() <= MAX_HEADER_LEN {
        let noisy = format!("{signed},{}", header.replace("t=", "x="));
        assert_eq!(stripe_verify(payload, &noisy, &[SECRET], t, DEFAULT_TOLERANCE_SECS), Ok(t), "{noisy:?}");
    }
});

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The format as Stripe documents it, read independently: comma-separated `key=value` items,
/// the first `t` is the timestamp (1 to 18 ASCII digits), every `v1` of 64 hex digits a signature.
fn reference_parse(header: &str) -> Result<(i64, Vec<[u8; 32]>), VerifyError> {
    if header.trim().is_empty() {
        return Err(VerifyError::MissingHeader);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(VerifyError::MalformedHeader);
    }
    let items: Vec<(&str, &str)> = header.split(',').filter_map(|i| i.trim().split_once('=')).collect();
    let t = items.iter().find(|(k, _)| *k == "t").ok_or(VerifyError::MalformedHeader)?.1;
    if t.is_empty() || t.len() > 18 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::MalformedHeader);
    }
    let timestamp: i64 = t.parse().map_err(|_| VerifyError::MalformedHeader)?;
    let v1: Vec<[u8; 32]> = items
        .iter()
        .filter(|(k, v)| *k == "v1" && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|(_, v)| {
            let mut sig = [0u8; 32];
            for (i, byte) in sig.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&v[2 * i..2 * i + 2], 16).expect("checked hex");
            }
            sig
        })
        .collect();
    if v1.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    Ok((timestamp, v1))
}
