//! Card number formatting, brand detection and validation (`shared::card`, `shared::input`).
//!
//! Input: the first byte drives the as-you-type edit (caret position, Backspace or not), the rest
//! is what the shopper typed or pasted. Checked on every input: formatting keeps exactly the
//! digits (up to the brand's longest length), puts single spaces at the brand's gaps and nowhere
//! else, and is a fixed point; brand detection ignores non-digits, agrees between
//! `detect_brand`, `credit_card_type` and `matching_brands`, and depends on the first 8 digits
//! only; Luhn agrees with a plain reference; a parsed `CardNumber` has a valid length and check
//! digit and never prints its digits; expiry formatting is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::card::{
    credit_card_type, detect_brand, digits_only, format_expiry, format_number, luhn_valid, matching_brands,
    parse_expiry, Brand, CardError, CardNumber,
};
use shared::input::reformat;

/// The longest braintree pattern has 8 digits ("63737423", Hiper).
const LONGEST_PATTERN: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else { return };
    let input = String::from_utf8_lossy(rest);
    let digits = digits_only(&input);
    let brand = detect_brand(&input);

    // Brand detection.
    assert_eq!(brand, detect_brand(&digits), "non-digits changed the brand");
    let types = credit_card_type(&input);
    let matching = matching_brands(&input);
    match types.as_slice() {
        [only] => assert_eq!(brand, *only),
        _ => assert_eq!(brand, Brand::Unknown),
    }
    assert!(!(digits.is_empty() && brand != Brand::Unknown));
    let mut rest_of_matching = matching.iter();
    for t in &types {
        assert!(rest_of_matching.any(|m| m == t), "credit_card_type {types:?} is not an ordered subset of {matching:?}");
    }
    if digits.len() > LONGEST_PATTERN {
        assert_eq!(brand, detect_brand(&digits[..LONGEST_PATTERN]), "digits past the 8th changed the brand");
    }
    if brand != Brand::Unknown {
        // A brand consistent with a number is consistent with every prefix of it.
        for k in 1..=digits.len().min(LONGEST_PATTERN) {
            assert!(matching_brands(&digits[..k]).contains(&brand), "{brand:?} not matching prefix {k}");
        }
    }

    // Formatting.
    let formatted = format_number(&input);
    let kept = digits.len().min(brand.max_length());
    assert_eq!(digits_only(&formatted), digits[..kept], "formatting changed the digits");
    let mut seen = 0;
    let mut previous_space = true;
    for c in formatted.chars() {
        if c == ' ' {
            assert!(!previous_space, "leading or double space in {formatted:?}");
            assert!(brand.gaps().contains(&seen), "space after {seen} digits for {brand:?}");
            previous_space = true;
        } else {
            assert!(c.is_ascii_digit(), "{c:?} in {formatted:?}");
            seen += 1;
            previous_space = false;
        }
    }
    assert!(formatted.is_empty() || !previous_space, "trailing space in {formatted:?}");
    let spaces = formatted.len() - kept;
    assert_eq!(spaces, brand.gaps().iter().filter(|&&g| g < kept).count(), "missing gap in {formatted:?}");
    assert_eq!(format_number(&formatted), formatted, "formatting is not a fixed point");
    assert_eq!(detect_brand(&formatted), brand);

    // The as-you-type edit around it: the value is always a formatted number, the caret inside it.
    let caret = usize::from(control >> 1);
    let backspace = control & 1 == 1;
    let previous = format_number(&digits[..digits.len() / 2]);
    let edited = reformat(&input, caret, &previous, backspace, format_number);
    assert_eq!(format_number(&edited.value), edited.value);
    assert!(edited.caret <= edited.value.len(), "caret {} past {:?}", edited.caret, edited.value);
    if !backspace {
        assert_eq!(edited.value, formatted);
    }

    // Luhn against a plain reference (digit strings only; anything else is never valid).
    assert_eq!(luhn_valid(&digits), !digits.is_empty() && reference_luhn(&digits));
    if input.bytes().any(|b| !b.is_ascii_digit()) {
        assert!(!luhn_valid(&input));
    }

    // Validation.
    match CardNumber::parse(&input) {
        Ok(card) => {
            assert!(input.chars().all(|c| c.is_ascii_digit() || c == '-' || c.is_whitespace()));
            assert_eq!(card.expose(), digits);
            assert_eq!(card.brand(), brand);
            assert!(brand.lengths().contains(&digits.len()), "{} digits accepted for {brand:?}", digits.len());
            assert!(!brand.uses_luhn() || luhn_valid(&digits), "Luhn-invalid number accepted");
            assert_eq!(card.last4(), &digits[digits.len() - 4..]);
            assert_eq!(card.bin(), &digits[..6]);
            for shown in [format!("{card:?}"), format!("{card}")] {
                assert!(!shown.contains(&digits[..digits.len() - 4]), "{shown} shows the number");
                assert!(shown.ends_with(card.last4()) || shown.ends_with(&format!("{})", card.last4())));
            }
        }
        Err(e) => assert!(
            matches!(e, CardError::InvalidNumber | CardError::IncompleteNumber),
            "number refused with {e:?}"
        ),
    }

    // Expiry: formatting settles in one step, parsing never panics and only yields real months.
    let expiry = format_expiry(&input);
    assert_eq!(format_expiry(&expiry), expiry, "expiry formatting is not a fixed point");
    if let Ok(ym) = parse_expiry(&input) {
        assert!((1..=12).contains(&ym.month));
    }
});

fn reference_luhn(digits: &str) -> bool {
    let sum: u64 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u64::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}
