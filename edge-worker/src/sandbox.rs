//! The built-in sandbox processor: Stripe's documented test cards and what each one does.

/// What the sandbox does with a card at confirm time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Approve,
    /// Declined with Stripe's `code` and, for `card_declined`, its `decline_code`.
    Decline { code: &'static str, decline_code: Option<&'static str> },
    /// 3-D Secure is required; after the shopper authenticates, approve or decline.
    ChallengeThen { approve: bool },
    /// The attempt stays `processing`; the processor settles it later by a signed notification
    /// to `/v1/inbound/sandbox` (Tessera's own sandbox card, not one of Stripe's).
    SettlesLater { approve: bool },
}

/// Tessera's sandbox card whose result arrives asynchronously (then succeeds).
pub const ASYNC_SUCCESS_CARD: &str = "4000000000007007";

/// The secret the sandbox processor signs its notifications with, derived from the vault key so
/// the gateway needs no second secret to verify them.
pub fn processor_secret(vault_key_hex: &str) -> String {
    let tag = shared::webhook::hmac_sha256(vault_key_hex.trim().as_bytes(), &[b"tessera sandbox processor v1"]);
    format!("whsec_{}", tag.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Looks a full card number up in Stripe's test-card table; any other valid number approves.
pub fn behaviour(pan: &str) -> Behaviour {
    use Behaviour::*;
    let decline = |code, decline_code| Decline { code, decline_code };
    match pan {
        "4000000000000002" => decline("card_declined", Some("generic_decline")),
        "4000000000009995" => decline("card_declined", Some("insufficient_funds")),
        "4000000000009987" => decline("card_declined", Some("lost_card")),
        "4000000000009979" => decline("card_declined", Some("stolen_card")),
        "4000000000000069" => decline("expired_card", None),
        "4000000000000127" => decline("incorrect_cvc", None),
        "4000000000000119" => decline("processing_error", None),
        "4000002760003184" | "4000000000003220" | "4000000000003063" | "4000002500003155" => ChallengeThen { approve: true },
        "4000008400001629" => ChallengeThen { approve: false },
        ASYNC_SUCCESS_CARD => SettlesLater { approve: true },
        _ => Approve,
    }
}

/// Card facts the sandbox reports for a number (funding type, issuing country).
pub fn card_facts(pan: &str) -> (&'static str, &'static str) {
    match pan {
        "4000056655665556" | "5200828282828210" => ("debit", "US"),
        "5105105105105100" => ("prepaid", "US"),
        "4000003440000004" => ("credit", "HK"),
        "4000001580000008" => ("credit", "TW"),
        "4000001560000002" => ("credit", "CN"),
        "4000003920000003" => ("credit", "JP"),
        "4000000760000002" => ("credit", "BR"),
        _ => ("credit", "US"),
    }
}

/// Stripe's documented test PaymentMethod ids and the card each stands for.
pub fn test_payment_method(id: &str) -> Option<&'static str> {
    Some(match id {
        "pm_card_visa" => "4242424242424242",
        "pm_card_visa_debit" => "4000056655665556",
        "pm_card_mastercard" => "5555555555554444",
        "pm_card_mastercard_debit" => "5200828282828210",
        "pm_card_mastercard_prepaid" => "5105105105105100",
        "pm_card_amex" => "378282246310005",
        "pm_card_discover" => "6011111111111117",
        "pm_card_diners" => "3056930009020004",
        "pm_card_jcb" => "3566002020360505",
        "pm_card_unionpay" => "6200000000000005",
        "pm_card_hk" => "4000003440000004",
        "pm_card_tw" => "4000001580000008",
        "pm_card_cn" => "4000001560000002",
        "pm_card_jp" => "4000003920000003",
        "pm_card_chargeDeclined" => "4000000000000002",
        "pm_card_chargeDeclinedInsufficientFunds" => "4000000000009995",
        "pm_card_chargeDeclinedLostCard" => "4000000000009987",
        "pm_card_chargeDeclinedStolenCard" => "4000000000009979",
        "pm_card_chargeDeclinedExpiredCard" => "4000000000000069",
        "pm_card_chargeDeclinedIncorrectCvc" => "4000000000000127",
        "pm_card_chargeDeclinedProcessingError" => "4000000000000119",
        "pm_card_authenticationRequired" => "4000002760003184",
        "pm_card_threeDSecure2Required" => "4000000000003220",
        "pm_card_threeDSecureRequired" => "4000000000003063",
        "pm_card_threeDSecureOptional" => "4000000000003055",
        _ => return None,
    })
}

/// Stripe's message for each decline `code`/`decline_code`.
pub fn decline_message(code: &str, decline_code: Option<&str>) -> &'static str {
    shared::api::decline_message(decline_code.unwrap_or(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_test_cards() {
        let table: &[(&str, Behaviour)] = &[
            ("4242424242424242", Behaviour::Approve),
            ("378282246310005", Behaviour::Approve),
            ("4000000000003055", Behaviour::Approve),
            ("4000000000000002", Behaviour::Decline { code: "card_declined", decline_code: Some("generic_decline") }),
            ("4000000000009995", Behaviour::Decline { code: "card_declined", decline_code: Some("insufficient_funds") }),
            ("4000000000000069", Behaviour::Decline { code: "expired_card", decline_code: None }),
            ("4000002760003184", Behaviour::ChallengeThen { approve: true }),
            ("4000008400001629", Behaviour::ChallengeThen { approve: false }),
        ];
        for (pan, want) in table {
            assert_eq!(behaviour(pan), *want, "{pan}");
        }
        assert_eq!(decline_message("card_declined", Some("insufficient_funds")), "Your card has insufficient funds.");
        assert_eq!(decline_message("card_declined", Some("generic_decline")), "Your card was declined.");
    }

    #[test]
    fn test_payment_methods_are_valid_cards() {
        for id in ["pm_card_visa", "pm_card_amex", "pm_card_unionpay", "pm_card_chargeDeclined", "pm_card_threeDSecureRequired"] {
            let pan = test_payment_method(id).unwrap();
            assert!(shared::card::CardNumber::parse(pan).is_ok(), "{id}");
        }
    }
}
