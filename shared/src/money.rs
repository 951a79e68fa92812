//! Money as integer minor units with an ISO 4217 currency. No floats anywhere.

use std::fmt;

/// An amount in the currency's smallest unit (cents, yen, fils).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct MinorUnits(pub i64);

impl MinorUnits {
    pub const ZERO: MinorUnits = MinorUnits(0);

    pub fn checked_add(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_add(other.0).map(MinorUnits)
    }

    pub fn checked_sub(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_sub(other.0).map(MinorUnits)
    }
}

/// One row of the currency table.
#[derive(Debug, PartialEq, Eq)]
pub struct Currency {
    /// Lower-case ISO 4217 code, as on Stripe's wire.
    pub code: &'static str,
    /// Digits after the decimal point (JPY 0, USD 2, KWD 3).
    pub exponent: u8,
    /// Smallest charge accepted, in minor units (Stripe's published minimums where it has one).
    pub minimum: i64,
}

/// Largest amount accepted for any currency: Stripe's 8-digit limit.
pub const MAXIMUM_AMOUNT: i64 = 99_999_999;

const fn c(code: &'static str, exponent: u8, minimum: i64) -> Currency {
    Currency { code, exponent, minimum }
}

/// The currencies the gateway accepts. Minimums follow Stripe's table; where Stripe publishes
/// none the minimum is roughly USD 0.50.
pub static CURRENCIES: &[Currency] = &[
    c("aed", 2, 200),
    c("aud", 2, 50),
    c("bhd", 3, 200),
    c("brl", 2, 50),
    c("cad", 2, 50),
    c("chf", 2, 50),
    c("clp", 0, 400),
    c("cny", 2, 400),
    c("czk", 2, 1500),
    c("dkk", 2, 250),
    c("eur", 2, 50),
    c("gbp", 2, 30),
    c("hkd", 2, 400),
    c("huf", 2, 17500),
    c("idr", 2, 800000),
    c("inr", 2, 50),
    c("jod", 3, 400),
    c("jpy", 0, 50),
    c("krw", 0, 700),
    c("kwd", 3, 200),
    c("mop", 2, 400),
    c("mxn", 2, 1000),
    c("myr", 2, 200),
    c("nok", 2, 300),
    c("nzd", 2, 50),
    c("omr", 3, 200),
    c("php", 2, 2500),
    c("pln", 2, 200),
    c("ron", 2, 200),
    c("sek", 2, 300),
    c("sgd", 2, 50),
    c("thb", 2, 1000),
    c("tnd", 3, 1500),
    c("twd", 2, 1500),
    c("usd", 2, 50),
    c("vnd", 0, 12500),
];

impl Currency {
    /// Looks a code up case-insensitively; `None` for anything not in the table.
    pub fn parse(code: &str) -> Option<&'static Currency> {
        if code.len() != 3 {
            return None;
        }
        CURRENCIES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// Why an amount is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    NotPositive,
    BelowMinimum { minimum: i64 },
    AboveMaximum,
}

/// Checks a charge amount against the currency's limits.
pub fn check_charge_amount(amount: MinorUnits, currency: &Currency) -> Result<(), AmountError> {
    if amount.0 <= 0 {
        Err(AmountError::NotPositive)
    } else if amount.0 < currency.minimum {
        Err(AmountError::BelowMinimum { minimum: currency.minimum })
    } else if amount.0 > MAXIMUM_AMOUNT {
        Err(AmountError::AboveMaximum)
    } else {
        Ok(())
    }
}

/// Plain decimal rendering, e.g. `1234 hkd` → `"12.34"`, `500 jpy` → `"500"`, `-5 kwd` → `"-0.005"`.
/// Locale-aware display belongs to the browser's `Intl`; this is for logs, messages and tests.
pub fn to_decimal_string(amount: MinorUnits, currency: &Currency) -> String {
    let sign = if amount.0 < 0 { "-" } else { "" };
    let abs = amount.0.unsigned_abs();
    if currency.exponent == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(u32::from(currency.exponent));
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = usize::from(currency.exponent)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_follow_iso_4217() {
        let table = [("jpy", 0), ("krw", 0), ("usd", 2), ("hkd", 2), ("twd", 2), ("cny", 2), ("kwd", 3), ("bhd", 3)];
        for (code, exp) in table {
            assert_eq!(Currency::parse(code).map(|c| c.exponent), Some(exp), "{code}");
        }
        assert_eq!(Currency::parse("HKD").map(|c| c.code), Some("hkd"));
        assert!(Currency::parse("xyz").is_none());
        assert!(Currency::parse("hkdd").is_none());
    }

    #[test]
    fn decimal_strings() {
        let p = |c| Currency::parse(c).unwrap();
        assert_eq!(to_decimal_string(MinorUnits(1234), p("hkd")), "12.34");
        assert_eq!(to_decimal_string(MinorUnits(5), p("usd")), "0.05");
        assert_eq!(to_decimal_string(MinorUnits(500), p("jpy")), "500");
        assert_eq!(to_decimal_string(MinorUnits(-5), p("kwd")), "-0.005");
        assert_eq!(to_decimal_string(MinorUnits(i64::MIN), p("usd")), "-92233720368547758.08");
    }

    #[test]
    fn amount_limits() {
        let usd = Currency::parse("usd").unwrap();
        assert_eq!(check_charge_amount(MinorUnits(0), usd), Err(AmountError::NotPositive));
        assert_eq!(check_charge_amount(MinorUnits(-1), usd), Err(AmountError::NotPositive));
        assert_eq!(check_charge_amount(MinorUnits(49), usd), Err(AmountError::BelowMinimum { minimum: 50 }));
        assert_eq!(check_charge_amount(MinorUnits(50), usd), Ok(()));
        assert_eq!(check_charge_amount(MinorUnits(MAXIMUM_AMOUNT + 1), usd), Err(AmountError::AboveMaximum));
    }
}
