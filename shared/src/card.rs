//! Card rules shared by the widget (as-you-type feedback) and the gateway
//! (final validation): brand detection, Luhn, formatting, expiry and CVC.
//!
//! Brand detection reproduces braintree's `credit-card-type` 10.3.0 exactly:
//! the same pattern table in the same test order, the same partial-prefix
//! matching (`matches.ts`), the same per-brand "first matching pattern" rule
//! (`add-matching-cards-to-results.ts`) and the same best-match reduction
//! (`find-best-match.ts`). No brand or pattern of ours is added or removed.

use core::fmt;

/// A card network, as Stripe names it on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Brand {
    Visa,
    Mastercard,
    Amex,
    DinersClub,
    Discover,
    Jcb,
    UnionPay,
    Maestro,
    Elo,
    Mir,
    Hiper,
    Hipercard,
    Troy,
    Naranja,
    Verve,
    Unknown,
}

impl Brand {
    /// Every brand except `Unknown`.
    pub const ALL: [Brand; 15] = [
        Brand::Visa,
        Brand::Mastercard,
        Brand::Amex,
        Brand::DinersClub,
        Brand::Discover,
        Brand::Jcb,
        Brand::UnionPay,
        Brand::Maestro,
        Brand::Elo,
        Brand::Mir,
        Brand::Hiper,
        Brand::Hipercard,
        Brand::Troy,
        Brand::Naranja,
        Brand::Verve,
    ];

    /// Stripe's wire name (`card.brand` / `payment_method.card.brand`).
    pub fn code(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "amex",
            Brand::DinersClub => "diners",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::UnionPay => "unionpay",
            Brand::Maestro => "maestro",
            Brand::Elo => "elo",
            Brand::Mir => "mir",
            Brand::Hiper => "hiper",
            Brand::Hipercard => "hipercard",
            Brand::Troy => "troy",
            Brand::Naranja => "naranja",
            Brand::Verve => "verve",
            Brand::Unknown => "unknown",
        }
    }

    /// Inverse of [`Brand::code`]; `None` for names Stripe would not send.
    pub fn from_code(code: &str) -> Option<Brand> {
        if code == "unknown" {
            return Some(Brand::Unknown);
        }
        Brand::ALL.into_iter().find(|b| b.code() == code)
    }

    /// credit-card-type's `type` string.
    pub fn braintree_type(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Amex => "american-express",
            Brand::DinersClub => "diners-club",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::UnionPay => "unionpay",
            Brand::Maestro => "maestro",
            Brand::Elo => "elo",
            Brand::Mir => "mir",
            Brand::Hiper => "hiper",
            Brand::Hipercard => "hipercard",
            Brand::Troy => "troy",
            Brand::Naranja => "naranja",
            Brand::Verve => "verve",
            Brand::Unknown => "unknown",
        }
    }

    /// credit-card-type's `niceType`.
    pub fn display_name(self) -> &'static str {
        match self {
            Brand::Visa => "Visa",
            Brand::Mastercard => "Mastercard",
            Brand::Amex => "American Express",
            Brand::DinersClub => "Diners Club",
            Brand::Discover => "Discover",
            Brand::Jcb => "JCB",
            Brand::UnionPay => "UnionPay",
            Brand::Maestro => "Maestro",
            Brand::Elo => "Elo",
            Brand::Mir => "Mir",
            Brand::Hiper => "Hiper",
            Brand::Hipercard => "Hipercard",
            Brand::Troy => "Troy",
            Brand::Naranja => "Naranja",
            Brand::Verve => "Verve",
            Brand::Unknown => "Unknown",
        }
    }

    /// Valid PAN lengths, ascending.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Visa | Brand::Verve => &[16, 18, 19],
            Brand::Mastercard
            | Brand::Elo
            | Brand::Hiper
            | Brand::Hipercard
            | Brand::Troy
            | Brand::Naranja => &[16],
            Brand::Amex => &[15],
            Brand::DinersClub => &[14, 16, 19],
            Brand::Discover => &[16, 19],
            Brand::Jcb | Brand::Mir => &[16, 17, 18, 19],
            Brand::UnionPay => &[14, 15, 16, 17, 18, 19],
            Brand::Maestro | Brand::Unknown => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    /// Digit positions before which a space is shown.
    pub fn gaps(self) -> &'static [usize] {
        match self {
            Brand::Amex | Brand::DinersClub => &[4, 10],
            _ => &[4, 8, 12],
        }
    }

    /// Security-code length (braintree's `code.size`).
    pub fn cvc_len(self) -> usize {
        match self {
            Brand::Amex => 4,
            _ => 3,
        }
    }

    /// What the network calls its security code (braintree's `code.name`).
    pub fn cvc_name(self) -> &'static str {
        match self {
            Brand::Visa
            | Brand::DinersClub
            | Brand::Jcb
            | Brand::Verve
            | Brand::Troy
            | Brand::Naranja => "CVV",
            Brand::Mastercard | Brand::Maestro | Brand::Hiper | Brand::Hipercard => "CVC",
            Brand::Amex | Brand::Discover => "CID",
            Brand::UnionPay => "CVN",
            Brand::Elo => "CVE",
            Brand::Mir => "CVP2",
            Brand::Unknown => "CVC",
        }
    }

    /// UnionPay issues PANs without a Luhn check digit, so it is exempt.
    pub fn uses_luhn(self) -> bool {
        self != Brand::UnionPay
    }

    pub fn max_length(self) -> usize {
        self.lengths().last().copied().unwrap_or(19)
    }

    fn min_length(self) -> usize {
        self.lengths().first().copied().unwrap_or(12)
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// One braintree pattern: a literal prefix, or an inclusive range whose
/// bounds have the same number of digits.
#[derive(Clone, Copy, Debug)]
enum Pattern {
    Prefix(&'static str),
    Range(&'static str, &'static str),
}

use Pattern::{Prefix as P, Range as R};

impl Pattern {
    /// braintree `matches.ts`: a partial number matches when it is
    /// consistent with the pattern on their common length.
    fn matches(self, digits: &str) -> bool {
        match self {
            P(prefix) => {
                let n = prefix.len().min(digits.len());
                prefix[..n] == digits[..n]
            }
            R(min, max) => {
                let sub = &digits[..min.len().min(digits.len())];
                let k = sub.len();
                let value = decimal(sub);
                value >= decimal(&min[..k.min(min.len())])
                    && value <= decimal(&max[..k.min(max.len())])
            }
        }
    }

    /// braintree's `matchStrength` candidate: the pattern's length (the
    /// range's lower bound for ranges).
    fn len(self) -> usize {
        match self {
            P(prefix) => prefix.len(),
            R(min, _) => min.len(),
        }
    }
}

/// Inputs are at most 8 ASCII digits here, so this cannot overflow.
fn decimal(s: &str) -> u64 {
    s.bytes().fold(0, |acc, b| acc * 10 + u64::from(b - b'0'))
}

/// credit-card-type 10.3.0 `card-types.ts`, in its test order
/// (`ORIGINAL_TEST_ORDER` in `index.ts`, which is not the order of the
/// `card-types.ts` object: there Troy precedes Discover and Naranja follows
/// Hipercard). The order matters: a tie on match strength goes to the earlier
/// brand (that is how braintree makes Verve win over Maestro on
/// 5060xx/5078xx, and Troy over Elo on 650923).
const BRAND_PATTERNS: [(Brand, &[Pattern]); 15] = [
    (Brand::Visa, &[P("4")]),
    (
        Brand::Mastercard,
        &[
            R("51", "55"),
            R("2221", "2229"),
            R("223", "229"),
            R("23", "26"),
            R("270", "271"),
            P("2720"),
        ],
    ),
    (Brand::Amex, &[P("34"), P("37")]),
    (
        Brand::DinersClub,
        &[R("300", "305"), P("36"), P("38"), P("39")],
    ),
    (Brand::Discover, &[P("6011"), R("644", "649"), P("65")]),
    // Troy's 65xxxx BINs sit inside Discover's "65": a complete Troy BIN
    // (6 or 8 digits) beats Discover's 2-digit pattern on strength.
    (
        Brand::Troy,
        &[
            P("9792"),
            P("650052"),
            R("650082", "650083"),
            P("650092"),
            P("650161"),
            P("650170"),
            P("650173"),
            P("650175"),
            P("650268"),
            P("650271"),
            R("650273", "650274"),
            R("650456", "650457"),
            P("650836"),
            R("650846", "650850"),
            P("650923"),
            P("650987"),
            P("650990"),
            P("654997"),
            P("657366"),
            P("657998"),
            P("658758"),
            R("658767", "658768"),
            R("65083700", "65083704"),
            R("65085800", "65085804"),
            R("65085900", "65085901"),
            P("65086000"),
            R("65086100", "65086105"),
            R("65086200", "65086203"),
            R("65875000", "65875003"),
            P("65875009"),
            R("65875101", "65875104"),
            P("65875200"),
            P("65875501"),
            P("65875601"),
            P("65875900"),
            R("65876000", "65876002"),
            R("65876100", "65876103"),
            P("65876110"),
            R("65876115", "65876116"),
            R("65876200", "65876201"),
            P("65876500"),
            R("65876504", "65876505"),
            R("65876600", "65876602"),
            R("65877100", "65877101"),
            R("65877600", "65877602"),
            P("65877700"),
            R("65877801", "65877802"),
            R("65878200", "65878202"),
            R("65878300", "65878311"),
            R("65878400", "65878405"),
            R("65878500", "65878505"),
            R("65878600", "65878601"),
            P("65879800"),
            P("65880800"),
            P("65880900"),
        ],
    ),
    (Brand::Jcb, &[P("2131"), P("1800"), R("3528", "3589")]),
    (
        Brand::UnionPay,
        &[
            P("620"),
            R("62100", "62182"),
            R("62184", "62187"),
            R("62185", "62197"),
            R("62200", "62205"),
            R("622010", "622999"),
            P("622018"),
            R("62207", "62209"),
            R("623", "626"),
            P("6270"),
            P("6272"),
            P("6276"),
            R("627700", "627779"),
            R("627781", "627799"),
            R("6282", "6289"),
            P("6291"),
            P("6292"),
            P("810"),
            R("8110", "8131"),
            R("8132", "8151"),
            R("8152", "8163"),
            R("8164", "8171"),
        ],
    ),
    // Naranja's BINs sit inside Visa, Mastercard and Maestro; their 6
    // digits outrank those brands' 1–2-digit patterns.
    (Brand::Naranja, &[P("589562"), P("402918"), P("527572")]),
    (
        Brand::Verve,
        &[
            R("506099", "506127"),
            P("506129"),
            R("506133", "506150"),
            R("506158", "506163"),
            P("506166"),
            P("506168"),
            P("506170"),
            P("506173"),
            R("506176", "506180"),
            P("506184"),
            R("506187", "506188"),
            P("506191"),
            P("506195"),
            P("506197"),
            P("507865"),
            P("507866"),
            R("507868", "507877"),
            R("507880", "507888"),
            P("507900"),
            P("507941"),
        ],
    ),
    (
        Brand::Maestro,
        &[
            P("493698"),
            R("500000", "504174"),
            R("504176", "506698"),
            R("506779", "508999"),
            R("56", "59"),
            P("63"),
            P("67"),
            P("6"),
        ],
    ),
    (
        Brand::Elo,
        &[
            P("401178"),
            P("401179"),
            P("438935"),
            P("457631"),
            P("457632"),
            P("431274"),
            P("451416"),
            P("457393"),
            P("504175"),
            R("506699", "506778"),
            R("509000", "509999"),
            P("627780"),
            P("636297"),
            P("636368"),
            R("650031", "650033"),
            R("650035", "650051"),
            R("650405", "650439"),
            R("650485", "650538"),
            R("650541", "650598"),
            R("650700", "650718"),
            R("650720", "650727"),
            R("650901", "650978"),
            R("651652", "651679"),
            R("655000", "655019"),
            R("655021", "655058"),
        ],
    ),
    (Brand::Mir, &[R("2200", "2204")]),
    (
        Brand::Hiper,
        &[
            P("637095"),
            P("63737423"),
            P("63743358"),
            P("637568"),
            P("637599"),
            P("637609"),
            P("637612"),
        ],
    ),
    (Brand::Hipercard, &[P("606282")]),
];

/// Per brand, its first matching pattern's strength: `Some(len)` once the
/// input is at least as long as that pattern, else `None` (braintree's
/// missing `matchStrength`).
fn candidates(digits: &str) -> Vec<(Brand, Option<usize>)> {
    BRAND_PATTERNS
        .iter()
        .filter_map(|&(brand, patterns)| {
            let pattern = patterns.iter().find(|p| p.matches(digits))?;
            let strength = (digits.len() >= pattern.len()).then(|| pattern.len());
            Some((brand, strength))
        })
        .collect()
}

/// Keeps ASCII digits only (pasted numbers arrive with spaces and dashes).
pub fn digits_only(input: &str) -> String {
    input.chars().filter(char::is_ascii_digit).collect()
}

/// credit-card-type's `creditCardType(number)` result: every brand for an
/// empty input, the single best match when the prefix is conclusive, and
/// otherwise every brand still consistent with it. Non-digits are ignored.
pub fn credit_card_type(digits_prefix: &str) -> Vec<Brand> {
    let digits = digits_only(digits_prefix);
    if digits.is_empty() {
        return BRAND_PATTERNS.iter().map(|&(b, _)| b).collect();
    }
    let found = candidates(&digits);
    // findBestMatch only decides once every candidate has a strength; the
    // strict `<` in its reduce keeps the earliest brand on a tie.
    let all_strong = !found.is_empty() && found.iter().all(|(_, s)| s.is_some());
    if all_strong {
        let mut best = found[0];
        for &c in &found[1..] {
            if best.1 < c.1 {
                best = c;
            }
        }
        return vec![best.0];
    }
    found.into_iter().map(|(b, _)| b).collect()
}

/// The brand to show while typing: the single braintree answer, or
/// `Unknown` while the prefix is still ambiguous (or matches nothing).
/// Equal strengths resolve to the earlier brand exactly as braintree does;
/// the table relies on it (Verve's BINs sit inside Maestro's ranges).
pub fn detect_brand(digits_prefix: &str) -> Brand {
    match credit_card_type(digits_prefix).as_slice() {
        [only] => *only,
        _ => Brand::Unknown,
    }
}

/// Every brand with a pattern consistent with the prefix, before
/// best-match reduction, in braintree's test order. Empty input is
/// consistent with every brand.
pub fn matching_brands(digits_prefix: &str) -> Vec<Brand> {
    let digits = digits_only(digits_prefix);
    if digits.is_empty() {
        return BRAND_PATTERNS.iter().map(|&(b, _)| b).collect();
    }
    candidates(&digits).into_iter().map(|(b, _)| b).collect()
}

/// Luhn mod-10 check. `false` for empty input or any non-digit.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // Reduced as it goes so arbitrarily long input cannot overflow.
    let sum = digits.bytes().rev().enumerate().fold(0u8, |acc, (i, b)| {
        let d = b - b'0';
        let d = if i % 2 == 1 { (d * 2) % 10 + d / 5 } else { d };
        (acc + d) % 10
    });
    sum == 0
}

/// As-you-type formatting: keeps digits only, truncates to the brand's max
/// length, inserts single spaces at the brand's gaps. No trailing space, so
/// backspace never has to delete an invisible character.
/// "4242424242424242" -> "4242 4242 4242 4242"; amex "378282246310005" ->
/// "3782 822463 10005".
pub fn format_number(input: &str) -> String {
    let mut digits = digits_only(input);
    let brand = detect_brand(&digits);
    digits.truncate(brand.max_length());
    let gaps = brand.gaps();
    let mut out = String::with_capacity(digits.len() + gaps.len());
    for (i, c) in digits.chars().enumerate() {
        if gaps.contains(&i) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A validated card number. Deliberately not `Debug`-derived: every
/// formatting path prints a mask so PANs cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// Accepts digits separated by whitespace or dashes. Unknown brands are
    /// accepted when 12–19 digits and Luhn-valid; refusing them is a
    /// gateway policy, not a card rule.
    pub fn parse(input: &str) -> Result<CardNumber, CardError> {
        let mut digits = String::with_capacity(input.len());
        for c in input.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else if !(c == '-' || c.is_whitespace()) {
                return Err(CardError::InvalidNumber);
            }
        }
        if digits.is_empty() {
            return Err(CardError::IncompleteNumber);
        }
        let brand = detect_brand(&digits);
        let len = digits.len();
        if len > brand.max_length() {
            return Err(CardError::InvalidNumber);
        }
        if len < brand.min_length() {
            return Err(CardError::IncompleteNumber);
        }
        if !brand.lengths().contains(&len) {
            return Err(CardError::InvalidNumber);
        }
        if brand.uses_luhn() && !luhn_valid(&digits) {
            return Err(CardError::InvalidNumber);
        }
        Ok(CardNumber(digits))
    }

    pub fn brand(&self) -> Brand {
        detect_brand(&self.0)
    }

    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The first six digits (the BIN/IIN Stripe reports as `iin`).
    pub fn bin(&self) -> &str {
        &self.0[..6]
    }

    /// The full PAN. Sensitive: only for the vault/processor hop.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber(****{})", self.last4())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "****{}", self.last4())
    }
}

/// A card expiry. Field order makes the derived `Ord` chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: u16,
    pub month: u8,
}

/// Parses what a shopper typed in an "MM / YY" field: "MM / YY", "MM/YY",
/// "MMYY", "MM / YYYY", "MMYYYY", "M/YY". Returns the month and a
/// four-digit year; two-digit years are 20YY. Only syntax and the month
/// range are checked here; [`validate_expiry`] needs today's date.
pub fn parse_expiry(input: &str) -> Result<YearMonth, CardError> {
    let trimmed = input.trim();
    let compact: String;
    let (month, year) = match trimmed.split_once('/') {
        Some((m, y)) => (m.trim(), y.trim()),
        None => {
            // Without a slash the month is always the first two characters.
            compact = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            match compact.char_indices().nth(2) {
                Some((at, _)) => compact.split_at(at),
                None => (compact.as_str(), ""),
            }
        }
    };

    if month.is_empty() {
        return Err(CardError::IncompleteExpiry);
    }
    if month.len() > 2 || !month.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidExpiryMonth);
    }
    let month_value = decimal(month);
    // A lone "0" is the start of "01".."09", not a wrong month.
    if month == "0" {
        return Err(CardError::IncompleteExpiry);
    }
    if !(1..=12).contains(&month_value) {
        return Err(CardError::InvalidExpiryMonth);
    }

    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidExpiryYear);
    }
    let year_value = match year.len() {
        0 | 1 | 3 => return Err(CardError::IncompleteExpiry),
        2 => 2000 + decimal(year),
        4 => decimal(year),
        _ => return Err(CardError::InvalidExpiryYear),
    };
    Ok(YearMonth {
        year: u16::try_from(year_value).map_err(|_| CardError::InvalidExpiryYear)?,
        month: u8::try_from(month_value).map_err(|_| CardError::InvalidExpiryMonth)?,
    })
}

/// As-you-type expiry formatting with an automatic " / ".
///
/// Without a slash in the input:
/// - "" -> "", "0" -> "0", "1" -> "1" (the month may still be 0X or 1X);
/// - a leading 2–9 is a whole month: "2" -> "02 / ";
/// - "1" followed by 3–9 cannot be a month, so the 1 is month 01:
///   "13" -> "01 / 3";
/// - otherwise two digits are the month: "12" -> "12 / ", "1234" -> "12 / 34".
///
/// With a slash the shopper chose the split: "1/2" -> "01 / 2",
/// "12/2025" -> "12 / 2025" (a month of "0" drops the slash: "0/" -> "0").
/// Years keep at most four digits. Output is stable under re-formatting;
/// deleting through the separator is the caller's job.
pub fn format_expiry(input: &str) -> String {
    match input.split_once('/') {
        None => format_expiry_digits(&digits_only(input)),
        Some((m, y)) => {
            let month = digits_only(m);
            let mut year = digits_only(y);
            year.truncate(4);
            match month.len() {
                0 => format_expiry_digits(&year),
                1 if month == "0" => month,
                1 => format!("0{month} / {year}"),
                _ => format!("{} / {year}", &month[..2]),
            }
        }
    }
}

fn format_expiry_digits(digits: &str) -> String {
    let bytes = digits.as_bytes();
    let (month, rest) = match bytes {
        [] => return String::new(),
        [b'0' | b'1'] => return digits.to_owned(),
        [b'2'..=b'9', ..] => (format!("0{}", &digits[..1]), &digits[1..]),
        [b'1', b'3'..=b'9', ..] => ("01".to_owned(), &digits[1..]),
        _ => (digits[..2].to_owned(), &digits[2..]),
    };
    format!("{month} / {}", &rest[..rest.len().min(4)])
}

/// Refuses past dates (a card is valid through the end of its expiry month)
/// and years more than 50 years ahead.
pub fn validate_expiry(exp: YearMonth, today: YearMonth) -> Result<(), CardError> {
    if !(1..=12).contains(&exp.month) {
        return Err(CardError::InvalidExpiryMonth);
    }
    if exp < today {
        return Err(CardError::ExpiryInPast);
    }
    if exp.year > today.year.saturating_add(50) {
        return Err(CardError::InvalidExpiryYear);
    }
    Ok(())
}

/// Digits only, exactly `brand.cvc_len()` long; for `Unknown`, 3 or 4.
pub fn validate_cvc(cvc: &str, brand: Brand) -> Result<(), CardError> {
    if !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidCvc);
    }
    let (min, max) = match brand {
        Brand::Unknown => (3, 4),
        b => (b.cvc_len(), b.cvc_len()),
    };
    if cvc.len() < min {
        Err(CardError::IncompleteCvc)
    } else if cvc.len() > max {
        Err(CardError::InvalidCvc)
    } else {
        Ok(())
    }
}

/// A card-field validation error, carrying Stripe's code, message and param.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardError {
    IncompleteNumber,
    InvalidNumber,
    IncompleteExpiry,
    InvalidExpiryMonth,
    InvalidExpiryYear,
    ExpiryInPast,
    IncompleteCvc,
    InvalidCvc,
}

impl CardError {
    pub fn code(self) -> &'static str {
        match self {
            CardError::IncompleteNumber => "incomplete_number",
            CardError::InvalidNumber => "invalid_number",
            CardError::IncompleteExpiry => "incomplete_expiry",
            CardError::InvalidExpiryMonth => "invalid_expiry_month",
            CardError::InvalidExpiryYear => "invalid_expiry_year",
            CardError::ExpiryInPast => "invalid_expiry_year_past",
            CardError::IncompleteCvc => "incomplete_cvc",
            CardError::InvalidCvc => "invalid_cvc",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            CardError::IncompleteNumber => "Your card number is incomplete.",
            CardError::InvalidNumber => "Your card number is invalid.",
            CardError::IncompleteExpiry => "Your card's expiration date is incomplete.",
            CardError::InvalidExpiryMonth => "Your card's expiration month is invalid.",
            CardError::InvalidExpiryYear => "Your card's expiration year is invalid.",
            CardError::ExpiryInPast => "Your card's expiration year is in the past.",
            CardError::IncompleteCvc => "Your card's security code is incomplete.",
            CardError::InvalidCvc => "Your card's security code is invalid.",
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            CardError::IncompleteNumber | CardError::InvalidNumber => "number",
            CardError::IncompleteExpiry | CardError::InvalidExpiryMonth => "exp_month",
            CardError::InvalidExpiryYear | CardError::ExpiryInPast => "exp_year",
            CardError::IncompleteCvc | CardError::InvalidCvc => "cvc",
        }
    }
}

impl fmt::Display for CardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CardError {}

#[cfg(test)]
mod tests {
    use super::*;
    use Brand::*;
    use CardError::*;

    /// (typed input, brand shown, formatted, CardNumber::parse outcome).
    /// Full numbers are Stripe's published test cards where Stripe has one,
    /// otherwise braintree's test prefixes completed with a Luhn digit.
    const NUMBERS: &[(&str, Brand, &str, Result<(), CardError>)] = &[
        ("4242424242424242", Visa, "4242 4242 4242 4242", Ok(())),
        ("4000056655665556", Visa, "4000 0566 5566 5556", Ok(())),
        ("4000002500001001", Visa, "4000 0025 0000 1001", Ok(())),
        (
            "4111111111111111110",
            Visa,
            "4111 1111 1111 1111110",
            Ok(()),
        ),
        (
            "5555555555554444",
            Mastercard,
            "5555 5555 5555 4444",
            Ok(()),
        ),
        (
            "2223003122003222",
            Mastercard,
            "2223 0031 2200 3222",
            Ok(()),
        ),
        (
            "5200828282828210",
            Mastercard,
            "5200 8282 8282 8210",
            Ok(()),
        ),
        (
            "5105105105105100",
            Mastercard,
            "5105 1051 0510 5100",
            Ok(()),
        ),
        ("378282246310005", Amex, "3782 822463 10005", Ok(())),
        ("371449635398431", Amex, "3714 496353 98431", Ok(())),
        ("6011111111111117", Discover, "6011 1111 1111 1117", Ok(())),
        ("6011000990139424", Discover, "6011 0009 9013 9424", Ok(())),
        ("6011981111111113", Discover, "6011 9811 1111 1113", Ok(())),
        ("6555900000604105", Discover, "6555 9000 0060 4105", Ok(())),
        ("3056930009020004", DinersClub, "3056 930009 020004", Ok(())),
        ("36227206271667", DinersClub, "3622 720627 1667", Ok(())),
        ("30569300090204", DinersClub, "3056 930009 0204", Ok(())),
        ("3566002020360505", Jcb, "3566 0020 2036 0505", Ok(())),
        ("35308796121637357", Jcb, "3530 8796 1216 37357", Ok(())),
        ("6200000000000005", UnionPay, "6200 0000 0000 0005", Ok(())),
        ("6200000000000047", UnionPay, "6200 0000 0000 0047", Ok(())),
        (
            "6205500000000000004",
            UnionPay,
            "6205 5000 0000 0000004",
            Ok(()),
        ),
        ("621234567890003", UnionPay, "6212 3456 7890 003", Ok(())),
        ("8100513433325374", UnionPay, "8100 5134 3332 5374", Ok(())),
        // Fails Luhn, but UnionPay is exempt.
        ("6200000000000001", UnionPay, "6200 0000 0000 0001", Ok(())),
        (
            "6200000000000",
            UnionPay,
            "6200 0000 0000 0",
            Err(IncompleteNumber),
        ),
        ("6304000000000000", Maestro, "6304 0000 0000 0000", Ok(())),
        (
            "6799990100000000019",
            Maestro,
            "6799 9901 0000 0000019",
            Ok(()),
        ),
        ("6767700000000005", Maestro, "6767 7000 0000 0005", Ok(())),
        ("5066991111111118", Elo, "5066 9911 1111 1118", Ok(())),
        ("4011780000000006", Elo, "4011 7800 0000 0006", Ok(())),
        ("6277800000000006", Elo, "6277 8000 0000 0006", Ok(())),
        ("6500310000000005", Elo, "6500 3100 0000 0005", Ok(())),
        ("2200000000000004", Mir, "2200 0000 0000 0004", Ok(())),
        ("2204123456789012343", Mir, "2204 1234 5678 9012343", Ok(())),
        ("6370950000000005", Hiper, "6370 9500 0000 0005", Ok(())),
        ("6376090000000004", Hiper, "6376 0900 0000 0004", Ok(())),
        ("6062820524845321", Hipercard, "6062 8205 2484 5321", Ok(())),
        ("6062820000000003", Hipercard, "6062 8200 0000 0003", Ok(())),
        ("9792000000000003", Troy, "9792 0000 0000 0003", Ok(())),
        // Troy's 65xxxx BINs outrank Discover's "65" (and Elo's range on 650923).
        ("6500520000000009", Troy, "6500 5200 0000 0009", Ok(())),
        ("6509230000000006", Troy, "6509 2300 0000 0006", Ok(())),
        ("6579980000000001", Troy, "6579 9800 0000 0001", Ok(())),
        ("6508370400000007", Troy, "6508 3704 0000 0007", Ok(())),
        ("6587500000000007", Troy, "6587 5000 0000 0007", Ok(())),
        ("6588090000000008", Troy, "6588 0900 0000 0008", Ok(())),
        (
            "65875000000000007",
            Troy,
            "6587 5000 0000 0000",
            Err(InvalidNumber),
        ),
        // Naranja's BINs sit inside Maestro, Visa and Mastercard.
        ("5895620000000002", Naranja, "5895 6200 0000 0002", Ok(())),
        ("4029180000000009", Naranja, "4029 1800 0000 0009", Ok(())),
        ("5275720000000000", Naranja, "5275 7200 0000 0000", Ok(())),
        (
            "4029180000000001",
            Naranja,
            "4029 1800 0000 0001",
            Err(InvalidNumber),
        ),
        (
            "402918000000000",
            Naranja,
            "4029 1800 0000 000",
            Err(IncompleteNumber),
        ),
        ("5061001234567892", Verve, "5061 0012 3456 7892", Ok(())),
        ("5060990000000008", Verve, "5060 9900 0000 0008", Ok(())),
        ("506100123456789010", Verve, "5061 0012 3456 789010", Ok(())),
        (
            "5079410000000000003",
            Verve,
            "5079 4100 0000 0000003",
            Ok(()),
        ),
        // No brand claims 9000…, but a Luhn-valid 16 digits is still a card.
        ("9000000000000001", Unknown, "9000 0000 0000 0001", Ok(())),
        // Pasted separators, typos, wrong lengths.
        ("4242 4242 4242 4242", Visa, "4242 4242 4242 4242", Ok(())),
        ("4242-4242-4242-4242", Visa, "4242 4242 4242 4242", Ok(())),
        (
            "4242 4242 4242 4241",
            Visa,
            "4242 4242 4242 4241",
            Err(InvalidNumber),
        ),
        ("4242abcd4242", Visa, "4242 4242", Err(InvalidNumber)),
        (
            "424242424242424",
            Visa,
            "4242 4242 4242 424",
            Err(IncompleteNumber),
        ),
        (
            "42424242424242426",
            Visa,
            "4242 4242 4242 42426",
            Err(InvalidNumber),
        ),
        (
            "42424242424242424242",
            Visa,
            "4242 4242 4242 4242424",
            Err(InvalidNumber),
        ),
        (
            "3782822463100050",
            Amex,
            "3782 822463 10005",
            Err(InvalidNumber),
        ),
        (
            "37828224631000",
            Amex,
            "3782 822463 1000",
            Err(IncompleteNumber),
        ),
        // Partial prefixes, as typed.
        ("", Unknown, "", Err(IncompleteNumber)),
        ("4", Unknown, "4", Err(IncompleteNumber)),
        ("42", Visa, "42", Err(IncompleteNumber)),
        ("42424", Visa, "4242 4", Err(IncompleteNumber)),
        ("3", Unknown, "3", Err(IncompleteNumber)),
        ("37", Amex, "37", Err(IncompleteNumber)),
        ("37828", Amex, "3782 8", Err(IncompleteNumber)),
        ("22", Unknown, "22", Err(IncompleteNumber)),
        ("220", Mir, "220", Err(IncompleteNumber)),
        ("2221", Mastercard, "2221", Err(IncompleteNumber)),
        ("6", Unknown, "6", Err(IncompleteNumber)),
        ("62", Unknown, "62", Err(IncompleteNumber)),
        ("620", UnionPay, "620", Err(IncompleteNumber)),
        ("6011", Discover, "6011", Err(IncompleteNumber)),
        ("9792", Troy, "9792", Err(IncompleteNumber)),
        ("65", Unknown, "65", Err(IncompleteNumber)),
        ("6587500", Unknown, "6587 500", Err(IncompleteNumber)),
        ("65875000", Troy, "6587 5000", Err(IncompleteNumber)),
        ("650084", Discover, "6500 84", Err(IncompleteNumber)),
        ("58956", Unknown, "5895 6", Err(IncompleteNumber)),
        ("589562", Naranja, "5895 62", Err(IncompleteNumber)),
        ("506099", Verve, "5060 99", Err(IncompleteNumber)),
        ("50794", Unknown, "5079 4", Err(IncompleteNumber)),
        ("1", Jcb, "1", Err(IncompleteNumber)),
        ("7", Unknown, "7", Err(IncompleteNumber)),
    ];

    #[test]
    fn number_table() {
        assert!(NUMBERS.len() >= 40);
        for &(input, brand, formatted, outcome) in NUMBERS {
            assert_eq!(detect_brand(input), brand, "brand of {input:?}");
            assert_eq!(format_number(input), formatted, "format of {input:?}");
            assert_eq!(
                format_number(formatted),
                formatted,
                "re-format of {input:?}"
            );
            let parsed = CardNumber::parse(input);
            assert_eq!(
                parsed.as_ref().map(|_| ()),
                outcome.as_ref().map(|_| ()),
                "parse of {input:?}"
            );
            if let Ok(card) = parsed {
                let digits = digits_only(input);
                assert_eq!(card.expose(), digits);
                assert_eq!(card.brand(), brand);
                assert_eq!(card.last4(), &digits[digits.len() - 4..]);
                assert_eq!(card.bin(), &digits[..6]);
                assert!(luhn_valid(&digits) || !brand.uses_luhn(), "{input:?}");
            }
        }
    }

    #[test]
    fn card_number_never_prints_the_pan() {
        let card = CardNumber::parse("4242 4242 4242 4242").expect("valid test card");
        let debug = format!("{card:?}");
        let display = format!("{card}");
        assert_eq!(debug, "CardNumber(****4242)");
        assert_eq!(display, "****4242");
        for shown in [
            debug,
            display,
            format!("{card:#?}"),
            format!("{:?}", Some(card.clone())),
        ] {
            assert!(!shown.contains("4242424242424242"), "{shown}");
            assert!(!shown.contains("42424242"), "{shown}");
        }
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4242424242424242"));
        assert!(luhn_valid("79927398713"));
        assert!(luhn_valid("0"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("4242 4242 4242 4242"));
        assert!(!luhn_valid("42424242424242a2"));
        // Every single-digit change of a valid number breaks the check.
        let valid = b"4242424242424242";
        for i in 0..valid.len() {
            for d in b'0'..=b'9' {
                if d == valid[i] {
                    continue;
                }
                let mut changed = *valid;
                changed[i] = d;
                assert!(!luhn_valid(core::str::from_utf8(&changed).expect("ascii")));
            }
        }
    }

    /// braintree's own `__tests__/index.ts` expectations, plus what
    /// credit-card-type 10.3.0 answers for Troy and Naranja prefixes.
    #[test]
    fn braintree_conformance() {
        let single: &[(&str, &str)] = &[
            ("411", "visa"),
            ("4111111111111111", "visa"),
            ("4222222222222", "visa"),
            ("431274", "elo"),
            ("451416", "elo"),
            ("457393", "elo"),
            ("401178", "elo"),
            ("438935", "elo"),
            ("4576321111111111", "elo"),
            ("5066991111111118", "elo"),
            ("504175", "elo"),
            ("6277809", "elo"),
            ("650033", "elo"),
            ("2221", "mastercard"),
            ("2229", "mastercard"),
            ("223", "mastercard"),
            ("23", "mastercard"),
            ("27", "mastercard"),
            ("272", "mastercard"),
            ("2720", "mastercard"),
            ("506099", "verve"),
            ("506127", "verve"),
            ("506195", "verve"),
            ("507865", "verve"),
            ("507941", "verve"),
            ("5061001234567890123", "verve"),
            ("51", "mastercard"),
            ("55", "mastercard"),
            ("34", "american-express"),
            ("341", "american-express"),
            ("30", "diners-club"),
            ("300", "diners-club"),
            ("36", "diners-club"),
            ("38", "diners-club"),
            ("39", "diners-club"),
            ("6011", "discover"),
            ("644", "discover"),
            ("649", "discover"),
            ("62123456789002", "unionpay"),
            ("622018111111111111", "unionpay"),
            ("6221260000000000", "unionpay"),
            ("6229250000000000", "unionpay"),
            ("6240000000000000", "unionpay"),
            ("6260000000000000000", "unionpay"),
            ("6282000000000000", "unionpay"),
            ("8", "unionpay"),
            ("8168524506870054", "unionpay"),
            ("56", "maestro"),
            ("59", "maestro"),
            ("67", "maestro"),
            ("62183", "maestro"),
            ("1", "jcb"),
            ("35", "jcb"),
            ("2131", "jcb"),
            ("18002", "jcb"),
            ("353445444300732639", "jcb"),
            ("220", "mir"),
            ("2204", "mir"),
            ("6062820000", "hipercard"),
            ("637095", "hiper"),
            ("63737423", "hiper"),
            ("63743358", "hiper"),
            ("9", "troy"),
            ("97", "troy"),
            ("9792", "troy"),
            ("650052", "troy"),
            ("650082", "troy"),
            ("650083", "troy"),
            ("650923", "troy"),
            ("6549970", "troy"),
            ("657998", "troy"),
            ("65083700", "troy"),
            ("65086000", "troy"),
            ("65875000", "troy"),
            ("65876115", "troy"),
            ("65880900", "troy"),
            ("6500520000000005", "troy"),
            ("650084", "discover"),
            ("6578", "discover"),
            ("6580", "discover"),
            ("6011000990139424", "discover"),
            ("6555900000604105", "discover"),
            ("6500310000000005", "elo"),
            ("589562", "naranja"),
            ("402918", "naranja"),
            ("527572", "naranja"),
            ("5895620000000002", "naranja"),
        ];
        for &(number, expected) in single {
            let got: Vec<_> = credit_card_type(number)
                .iter()
                .map(|b| b.braintree_type())
                .collect();
            assert_eq!(got, [expected], "{number}");
        }

        let ambiguous: &[(&str, &[&str])] = &[
            (
                "",
                &[
                    "visa",
                    "mastercard",
                    "american-express",
                    "diners-club",
                    "discover",
                    "troy",
                    "jcb",
                    "unionpay",
                    "naranja",
                    "verve",
                    "maestro",
                    "elo",
                    "mir",
                    "hiper",
                    "hipercard",
                ],
            ),
            ("2", &["mastercard", "jcb", "mir"]),
            ("3", &["american-express", "diners-club", "jcb"]),
            ("5", &["mastercard", "naranja", "verve", "maestro", "elo"]),
            ("50", &["verve", "maestro", "elo"]),
            (
                "6",
                &[
                    "discover",
                    "troy",
                    "unionpay",
                    "maestro",
                    "elo",
                    "hiper",
                    "hipercard",
                ],
            ),
            ("60", &["discover", "maestro", "hipercard"]),
            ("601", &["discover", "maestro"]),
            ("64", &["discover", "maestro"]),
            ("62", &["unionpay", "maestro", "elo"]),
            ("4", &["visa", "naranja", "maestro", "elo"]),
            ("40291", &["visa", "naranja"]),
            ("52757", &["mastercard", "naranja"]),
            ("58956", &["naranja", "maestro"]),
            ("43127", &["visa", "elo"]),
            ("45763", &["visa", "elo"]),
            ("50794", &["verve", "maestro"]),
            ("6277", &["unionpay", "maestro", "elo"]),
            ("63", &["maestro", "elo", "hiper"]),
            ("63629", &["maestro", "elo"]),
            ("637374", &["maestro", "hiper"]),
            ("606", &["maestro", "hipercard"]),
            ("65", &["discover", "troy", "maestro", "elo"]),
            ("65005", &["discover", "troy", "maestro", "elo"]),
            ("658", &["discover", "troy", "maestro"]),
            ("6508370", &["discover", "troy", "maestro"]),
            ("6587500", &["discover", "troy", "maestro"]),
            ("658809", &["discover", "troy", "maestro"]),
            ("655", &["discover", "maestro", "elo"]),
            ("65502", &["discover", "maestro", "elo"]),
        ];
        for &(number, expected) in ambiguous {
            let got: Vec<_> = credit_card_type(number)
                .into_iter()
                .map(Brand::braintree_type)
                .collect();
            assert_eq!(got, expected, "{number:?}");
            if !number.is_empty() {
                assert_eq!(detect_brand(number), Unknown, "{number}");
            }
        }

        // braintree's list, less "9": 10.3.0's Troy (9792) claims it.
        for number in [
            "0", "12", "123", "181", "1802", "221", "222099", "2721", "212", "2132", "306", "31",
            "32", "33", "7", "98", "9793",
        ] {
            assert!(credit_card_type(number).is_empty(), "{number}");
            assert!(matching_brands(number).is_empty(), "{number}");
            assert_eq!(detect_brand(number), Unknown);
        }
    }

    #[test]
    fn security_code_metadata_matches_braintree() {
        let expected: &[(Brand, usize, &str)] = &[
            (Visa, 3, "CVV"),
            (Mastercard, 3, "CVC"),
            (Amex, 4, "CID"),
            (DinersClub, 3, "CVV"),
            (Discover, 3, "CID"),
            (Jcb, 3, "CVV"),
            (UnionPay, 3, "CVN"),
            (Maestro, 3, "CVC"),
            (Elo, 3, "CVE"),
            (Mir, 3, "CVP2"),
            (Hiper, 3, "CVC"),
            (Hipercard, 3, "CVC"),
            (Troy, 3, "CVV"),
            (Naranja, 3, "CVV"),
            (Verve, 3, "CVV"),
        ];
        for &(brand, size, name) in expected {
            assert_eq!(
                (brand.cvc_len(), brand.cvc_name()),
                (size, name),
                "{brand:?}"
            );
        }
        assert_eq!(Unknown.cvc_len(), 3);
    }

    #[test]
    fn brand_metadata() {
        assert_eq!(Brand::ALL.len(), 15);
        assert_eq!(BRAND_PATTERNS.len(), Brand::ALL.len());
        assert!(Brand::ALL
            .iter()
            .all(|b| BRAND_PATTERNS.iter().any(|(p, _)| p == b)));
        assert!(!Brand::ALL.contains(&Unknown));
        for brand in Brand::ALL.into_iter().chain([Unknown]) {
            assert_eq!(Brand::from_code(brand.code()), Some(brand));
            let lengths = brand.lengths();
            assert!(lengths.windows(2).all(|w| w[0] < w[1]), "{brand:?}");
            assert_eq!(brand.max_length(), *lengths.last().expect("non-empty"));
            assert!(brand.gaps().iter().all(|&g| g < brand.max_length()));
        }
        assert_eq!(Brand::from_code("american-express"), None);
        assert_eq!(Unknown.lengths(), (12..=19).collect::<Vec<_>>().as_slice());
        assert_eq!(Unknown.max_length(), 19);
        assert_eq!(Visa.gaps(), [4, 8, 12]);
        assert_eq!(Amex.gaps(), [4, 10]);
        assert_eq!(DinersClub.gaps(), [4, 10]);
        assert_eq!(DinersClub.code(), "diners");
        assert_eq!(Amex.code(), "amex");
        assert_eq!(Amex.display_name(), "American Express");
        assert_eq!(Jcb.display_name(), "JCB");
        assert_eq!(
            (
                Naranja.code(),
                Naranja.braintree_type(),
                Naranja.display_name()
            ),
            ("naranja", "naranja", "Naranja")
        );
        assert_eq!(
            (Troy.lengths(), Troy.gaps(), Troy.cvc_len()),
            (&[16][..], &[4, 8, 12][..], 3)
        );
        assert_eq!(
            (Naranja.lengths(), Naranja.gaps(), Naranja.cvc_len()),
            (&[16][..], &[4, 8, 12][..], 3)
        );
        // Ranges compare prefixes numerically, so both bounds need one width.
        for &(brand, patterns) in &BRAND_PATTERNS {
            for p in patterns {
                if let R(lo, hi) = p {
                    assert_eq!(lo.len(), hi.len(), "{brand:?} {lo}-{hi}");
                    assert!(decimal(lo) <= decimal(hi), "{brand:?} {lo}-{hi}");
                }
            }
        }
        assert!(!UnionPay.uses_luhn());
        assert!(Brand::ALL.iter().filter(|b| !b.uses_luhn()).eq([&UnionPay]));
        // Every brand in the table is reachable from its first pattern.
        for &(brand, patterns) in &BRAND_PATTERNS {
            let first = match patterns[0] {
                P(p) | R(p, _) => p,
            };
            let bin = format!("{first:0<8}");
            assert_eq!(detect_brand(&bin), brand, "{bin}");
        }
    }

    /// Over every prefix up to five digits: the braintree answer is drawn
    /// from the consistent brands, and the displayed brand is Unknown
    /// exactly when that answer is not a single brand.
    #[test]
    fn detection_is_consistent_for_all_short_prefixes() {
        for len in 1..=5u32 {
            for n in 0..10u32.pow(len) {
                let prefix = format!("{n:0width$}", width = len as usize);
                let all = matching_brands(&prefix);
                let answer = credit_card_type(&prefix);
                assert!(answer.iter().all(|b| all.contains(b)), "{prefix}");
                let shown = detect_brand(&prefix);
                match answer.as_slice() {
                    [only] => assert_eq!(shown, *only, "{prefix}"),
                    _ => assert_eq!(shown, Unknown, "{prefix}"),
                }
            }
        }
        assert_eq!(matching_brands("").len(), 15);
        assert_eq!(matching_brands("6011"), [Discover, Maestro]);
        assert_eq!(matching_brands("4 0-1"), [Visa, Elo]);
        assert_eq!(matching_brands("4"), [Visa, Naranja, Maestro, Elo]);
        assert_eq!(matching_brands("6500520"), [Discover, Troy, Maestro]);
        assert_eq!(detect_brand("4242 4242"), Visa);
        assert_eq!(detect_brand("abc"), Unknown);
    }

    #[test]
    fn digits_only_strips_everything_else() {
        assert_eq!(digits_only(" 4242-4242\t4242 4242 "), "4242424242424242");
        assert_eq!(digits_only("４２"), "");
        assert_eq!(digits_only(""), "");
    }

    #[test]
    fn expiry_parsing() {
        let ym = |year, month| Ok(YearMonth { year, month });
        let cases: &[(&str, Result<YearMonth, CardError>)] = &[
            ("12 / 34", ym(2034, 12)),
            ("12/34", ym(2034, 12)),
            ("1234", ym(2034, 12)),
            ("12 / 2034", ym(2034, 12)),
            ("122034", ym(2034, 12)),
            ("1/30", ym(2030, 1)),
            ("01 / 30", ym(2030, 1)),
            ("  09/29  ", ym(2029, 9)),
            ("", Err(IncompleteExpiry)),
            ("   ", Err(IncompleteExpiry)),
            ("0", Err(IncompleteExpiry)),
            ("1", Err(IncompleteExpiry)),
            ("12", Err(IncompleteExpiry)),
            ("12 / ", Err(IncompleteExpiry)),
            ("12 / 3", Err(IncompleteExpiry)),
            ("123", Err(IncompleteExpiry)),
            ("12 / 203", Err(IncompleteExpiry)),
            ("/ 30", Err(IncompleteExpiry)),
            ("00 / 30", Err(InvalidExpiryMonth)),
            ("13 / 30", Err(InvalidExpiryMonth)),
            ("13", Err(InvalidExpiryMonth)),
            ("123/30", Err(InvalidExpiryMonth)),
            ("ab / 30", Err(InvalidExpiryMonth)),
            ("12 / ab", Err(InvalidExpiryYear)),
            ("12 / 20345", Err(InvalidExpiryYear)),
            ("12203456", Err(InvalidExpiryYear)),
            ("12/30/1", Err(InvalidExpiryYear)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_expiry(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn expiry_formatting() {
        let cases = [
            ("", ""),
            ("0", "0"),
            ("1", "1"),
            ("2", "02 / "),
            ("9", "09 / "),
            ("12", "12 / "),
            ("123", "12 / 3"),
            ("1234", "12 / 34"),
            ("122034", "12 / 2034"),
            ("12203456", "12 / 2034"),
            ("13", "01 / 3"),
            ("05", "05 / "),
            ("10", "10 / "),
            ("1/", "01 / "),
            ("1/2", "01 / 2"),
            ("0/", "0"),
            ("12/", "12 / "),
            ("12 / ", "12 / "),
            ("12 / 3", "12 / 3"),
            ("12/2034", "12 / 2034"),
            ("/25", "02 / 5"),
            ("a1b2", "12 / "),
        ];
        for (input, expected) in cases {
            assert_eq!(format_expiry(input), expected, "{input:?}");
            assert_eq!(format_expiry(expected), expected, "re-format of {input:?}");
        }
        // Whatever the formatter completes, the parser reads back.
        assert_eq!(
            parse_expiry(&format_expiry("1234")),
            Ok(YearMonth {
                year: 2034,
                month: 12
            })
        );
        assert_eq!(
            parse_expiry(&format_expiry("330")),
            Ok(YearMonth {
                year: 2030,
                month: 3
            })
        );
    }

    #[test]
    fn expiry_validation() {
        let ym = |year, month| YearMonth { year, month };
        let today = ym(2025, 12);
        assert_eq!(
            validate_expiry(ym(2025, 12), today),
            Ok(()),
            "valid through its month"
        );
        assert_eq!(validate_expiry(ym(2026, 1), today), Ok(()));
        assert_eq!(validate_expiry(ym(2025, 11), today), Err(ExpiryInPast));
        assert_eq!(validate_expiry(ym(2024, 12), today), Err(ExpiryInPast));
        // December → January: last month's cards expire on New Year's Day.
        let january = ym(2026, 1);
        assert_eq!(validate_expiry(ym(2025, 12), january), Err(ExpiryInPast));
        assert_eq!(validate_expiry(ym(2026, 1), january), Ok(()));
        assert_eq!(validate_expiry(ym(2026, 12), january), Ok(()));
        // At most 50 years ahead.
        assert_eq!(validate_expiry(ym(2075, 12), today), Ok(()));
        assert_eq!(validate_expiry(ym(2076, 1), today), Err(InvalidExpiryYear));
        assert_eq!(validate_expiry(ym(u16::MAX, 1), ym(u16::MAX, 1)), Ok(()));
        assert_eq!(validate_expiry(ym(2030, 0), today), Err(InvalidExpiryMonth));
        assert_eq!(
            validate_expiry(ym(2030, 13), today),
            Err(InvalidExpiryMonth)
        );
        let parsed = parse_expiry("12/25").expect("well-formed");
        assert_eq!(validate_expiry(parsed, today), Ok(()));
        assert_eq!(validate_expiry(parsed, january), Err(ExpiryInPast));
    }

    #[test]
    fn cvc_by_brand() {
        assert_eq!(validate_cvc("123", Visa), Ok(()));
        assert_eq!(validate_cvc("1234", Amex), Ok(()));
        assert_eq!(validate_cvc("123", Amex), Err(IncompleteCvc));
        assert_eq!(validate_cvc("1234", Visa), Err(InvalidCvc));
        assert_eq!(validate_cvc("", Mastercard), Err(IncompleteCvc));
        assert_eq!(validate_cvc("12", UnionPay), Err(IncompleteCvc));
        assert_eq!(validate_cvc("12a", Visa), Err(InvalidCvc));
        assert_eq!(validate_cvc("1 3", Visa), Err(InvalidCvc));
        assert_eq!(validate_cvc("123", Unknown), Ok(()));
        assert_eq!(validate_cvc("1234", Unknown), Ok(()));
        assert_eq!(validate_cvc("12", Unknown), Err(IncompleteCvc));
        assert_eq!(validate_cvc("12345", Unknown), Err(InvalidCvc));
        for brand in Brand::ALL {
            let ok = "1234"[..brand.cvc_len()].to_owned();
            assert_eq!(validate_cvc(&ok, brand), Ok(()), "{brand:?}");
        }
    }

    #[test]
    fn error_wire_fields() {
        let expected = [
            (
                IncompleteNumber,
                "incomplete_number",
                "Your card number is incomplete.",
                "number",
            ),
            (
                InvalidNumber,
                "invalid_number",
                "Your card number is invalid.",
                "number",
            ),
            (
                IncompleteExpiry,
                "incomplete_expiry",
                "Your card's expiration date is incomplete.",
                "exp_month",
            ),
            (
                InvalidExpiryMonth,
                "invalid_expiry_month",
                "Your card's expiration month is invalid.",
                "exp_month",
            ),
            (
                InvalidExpiryYear,
                "invalid_expiry_year",
                "Your card's expiration year is invalid.",
                "exp_year",
            ),
            (
                ExpiryInPast,
                "invalid_expiry_year_past",
                "Your card's expiration year is in the past.",
                "exp_year",
            ),
            (
                IncompleteCvc,
                "incomplete_cvc",
                "Your card's security code is incomplete.",
                "cvc",
            ),
            (
                InvalidCvc,
                "invalid_cvc",
                "Your card's security code is invalid.",
                "cvc",
            ),
        ];
        for (err, code, message, param) in expected {
            assert_eq!(
                (err.code(), err.message(), err.param()),
                (code, message, param)
            );
            assert_eq!(err.to_string(), message);
        }
    }
}
