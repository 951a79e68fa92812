//! Standard Webhooks verification (`webhook-id`, `webhook-timestamp`, `webhook-signature`;
//! `shared::webhook`).
//!
//! Input: `<webhook-id>\n<webhook-timestamp>\n<webhook-signature>\n<payload>`; missing lines are
//! empty. Checked on every input: no panic; the signature-header parser agrees with a small
//! independent reading of the format; a delivery is accepted only if its header carries the
//! genuine HMAC of this id, timestamp and payload; a genuine header verifies with either secret
//! of a rotation and stops verifying when the payload, the id, the secret or the clock changes.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
mod tamper;

use libfuzzer_sys::fuzz_target;
use tamper::tamperings;
use shared::webhook::{
    parse_standard_signature_header, standard_key, standard_signature, standard_signature_header, standard_verify,
    VerifyError, DEFAULT_TOLERANCE_SECS, MAX_HEADER_LEN,
};

/// `whsec_` + base64 of "fuzz-current-key" and "fuzz-previous-key".
const SECRET: &str = "whsec_ZnV6ei1jdXJyZW50LWtleQ==";
const OLD_SECRET: &str = "whsec_ZnV6ei1wcmV2aW91cy1rZXk=";
const NOW: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(4, '\n');
    let msg_id = lines.next().unwrap_or("");
    let timestamp = lines.next().unwrap_or("");
    let header = lines.next().unwrap_or("");
    let payload = lines.next().unwrap_or("").as_bytes();

    let parsed = parse_standard_signature_header(header);
    assert_eq!(parsed.clone().map(|s| s.0), reference_parse(header), "{header:?}");

    // Any line may also be tried as a secret: a key is never empty.
    for candidate in [msg_id, timestamp, header] {
        if let Ok(key) = standard_key(candidate) {
            assert!(!key.is_empty());
        }
    }

    // Forgery: acceptance means the header holds the real MAC for this id, timestamp and payload.
    let now = timestamp.trim().parse::<i64>().unwrap_or(NOW);
    let key = standard_key(SECRET).expect("valid secret");
    match standard_verify(payload, msg_id, timestamp, header, &[SECRET], now, DEFAULT_TOLERANCE_SECS) {
        Ok(t) => {
            let digits = timestamp.trim();
            assert!(digits.bytes().all(|b| b.is_ascii_digit()), "timestamp {timestamp:?} accepted");
            assert_eq!(digits.parse::<i64>(), Ok(t));
            let genuine = standard_signature(&key, msg_id, t, payload);
            assert!(parsed.expect("verified header parses").0.contains(&genuine), "accepted without the genuine signature");
        }
        Err(e) => assert_ne!(e, VerifyError::InvalidSecret, "the secret is valid"),
    }

    // Genuine deliveries, signed with both secrets of a rotation.
    let id = if msg_id.trim().is_empty() { "msg_fuzz" } else { msg_id };
    let t = now.rem_euclid(4_102_444_800);
    let ts = t.to_string();
    let signed = standard_signature_header(&[SECRET, OLD_SECRET], id, t, payload).expect("valid secrets");
    let verify = |payload: &[u8], id: &str, secrets: &[&str], now: i64| {
        standard_verify(payload, id, &ts, &signed, secrets, now, DEFAULT_TOLERANCE_SECS)
    };
    assert_eq!(verify(payload, id, &[SECRET], t), Ok(t));
    assert_eq!(verify(payload, id, &[OLD_SECRET], t - 300), Ok(t));
    assert_eq!(verify(payload, id, &["whsec_b3RoZXI="], t), Err(VerifyError::SignatureMismatch));
    assert_eq!(verify(payload, id, &[SECRET], t + 301), Err(VerifyError::TimestampOutsideTolerance));
    assert_eq!(verify(payload, id, &[SECRET, "not base64!"], t), Err(VerifyError::InvalidSecret));
    assert_eq!(verify(payload, &format!("{id}x"), &[SECRET, OLD_SECRET], t), Err(VerifyError::SignatureMismatch));
    for tampered in tamperings(payload) {
        assert_eq!(verify(&tampered, id, &[SECRET, OLD_SECRET], t), Err(VerifyError::SignatureMismatch), "a changed payload verified");
    }
    // The fuzzed header's entries next to the genuine ones change nothing (within the size cap).
    if signed.len() + 1 + header.len() <= MAX_HEADER_LEN {
        let noisy = format!("{header} {signed}");
        assert_eq!(standard_verify(payload, id, &ts, &noisy, &[SECRET], t, 300), Ok(t), "{noisy:?}");
    }
});

/// The format as the Standard Webhooks spec gives it, read independently: whitespace-separated
/// `version,signature` entries; `v1` entries whose signature is padded standard base64 of exactly
/// 32 bytes are kept, everything else is skipped.
fn reference_parse(header: &str) -> Result<Vec<[u8; 32]>, VerifyError> {
    if header.trim().is_empty() {
        return Err(VerifyError::MissingHeader);
    }
    if header.len() > MAX_HEADER_LEN {
        return Err(VerifyError::MalformedHeader);
    }
    let mut out = Vec::new();
    for entry in header.split_whitespace() {
        let Some(sig) = entry.strip_prefix("v1,") else { continue };
        // 32 bytes are 44 characters with one `=` of padding.
        if sig.len() != 44 || !sig.ends_with('=') {
            continue;
        }
        if let Ok(bytes) = STANDARD.decode(sig) {
            out.push(<[u8; 32]>::try_from(bytes.as_slice()).expect("44 characters are 32 bytes"));
        }
    }
    if out.is_empty() {
        return Err(VerifyError::NoSignatures);
    }
    Ok(out)
}
