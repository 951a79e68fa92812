//! The shopper-facing strings in each supported language. Card-rule and decline messages are
//! keyed by the stable codes that `shared` and the gateway produce.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhHk,
    ZhTw,
    ZhHans,
    Ja,
}

impl Lang {
    /// Picks the closest supported language for a BCP 47 tag (`zh-Hant-HK`, `zh-CN`, `ja-JP` …).
    pub fn from_tag(tag: &str) -> Lang {
        let t = tag.to_ascii_lowercase();
        if t.starts_with("zh") {
            if t.contains("hk") || t.contains("mo") {
                Lang::ZhHk
            } else if t.contains("tw") || t.contains("hant") {
                Lang::ZhTw
            } else {
                Lang::ZhHans
            }
        } else if t.starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// The tag handed to `Intl` and set as the document language.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhHk => "zh-HK",
            Lang::ZhTw => "zh-TW",
            Lang::ZhHans => "zh-Hans",
            Lang::Ja => "ja",
        }
    }
}

#[derive(Clone, Copy)]
pub struct Text {
    pub card_number: &'static str,
    pub expiry: &'static str,
    pub expiry_placeholder: &'static str,
    pub cvc: &'static str,
    pub pay: &'static str,
    pub processing: &'static str,
    pub succeeded: &'static str,
    pub challenge_title: &'static str,
    pub name: &'static str,
    pub postal_code: &'static str,
}

pub fn text(lang: Lang) -> Text {
    match lang {
        Lang::En => Text {
            card_number: "Card number",
            expiry: "Expiration date",
            expiry_placeholder: "MM / YY",
            cvc: "Security code",
            pay: "Pay",
            processing: "Processing…",
            succeeded: "Payment successful",
            challenge_title: "Confirm this payment with your bank",
            name: "Name on card",
            postal_code: "Postal code",
        },
        Lang::ZhHk => Text {
            card_number: "卡號",
            expiry: "到期日",
            expiry_placeholder: "月 / 年",
            cvc: "安全碼",
            pay: "付款",
            processing: "處理中…",
            succeeded: "付款成功",
            challenge_title: "請向銀行確認此付款",
            name: "持卡人姓名",
            postal_code: "郵政編碼",
        },
        Lang::ZhTw => Text {
            card_number: "卡號",
            expiry: "到期日",
            expiry_placeholder: "月 / 年",
            cvc: "安全碼",
            pay: "付款",
            processing: "處理中…",
            succeeded: "付款成功",
            challenge_title: "請向銀行確認此筆付款",
            name: "持卡人姓名",
            postal_code: "郵遞區號",
        },
        Lang::ZhHans => Text {
            card_number: "卡号",
            expiry: "有效期",
            expiry_placeholder: "月 / 年",
            cvc: "安全码",
            pay: "支付",
            processing: "处理中…",
            succeeded: "支付成功",
            challenge_title: "请向银行确认此笔付款",
            name: "持卡人姓名",
            postal_code: "邮政编码",
        },
        Lang::Ja => Text {
            card_number: "カード番号",
            expiry: "有効期限",
            expiry_placeholder: "月 / 年",
            cvc: "セキュリティコード",
            pay: "支払う",
            processing: "処理中…",
            succeeded: "お支払いが完了しました",
            challenge_title: "カード会社でこのお支払いを確認してください",
            name: "カード名義人",
            postal_code: "郵便番号",
        },
    }
}

/// Message for a card-rule or decline code, in the shopper's language.
pub fn error_message(lang: Lang, code: &str) -> &'static str {
    let (en, hk, tw, hans, ja) = match code {
        "incomplete_number" => ("Your card number is incomplete.", "卡號不完整。", "卡號不完整。", "卡号不完整。", "カード番号が不完全です。"),
        "invalid_number" | "incorrect_number" => ("Your card number is invalid.", "卡號無效。", "卡號無效。", "卡号无效。", "カード番号が無効です。"),
        "incomplete_expiry" => ("Your card's expiration date is incomplete.", "到期日不完整。", "到期日不完整。", "有效期不完整。", "有効期限が不完全です。"),
        "invalid_expiry_month" => ("Your card's expiration month is invalid.", "到期月份無效。", "到期月份無效。", "有效期月份无效。", "有効期限の月が無効です。"),
        "invalid_expiry_year" => ("Your card's expiration year is invalid.", "到期年份無效。", "到期年份無效。", "有效期年份无效。", "有効期限の年が無効です。"),
        "invalid_expiry_year_past" => ("Your card's expiration date is in the past.", "卡的到期日已過。", "卡片到期日已過。", "卡的有效期已过。", "有効期限が過ぎています。"),
        "incomplete_cvc" => ("Your card's security code is incomplete.", "安全碼不完整。", "安全碼不完整。", "安全码不完整。", "セキュリティコードが不完全です。"),
        "invalid_cvc" | "incorrect_cvc" => ("Your card's security code is incorrect.", "安全碼不正確。", "安全碼不正確。", "安全码不正确。", "セキュリティコードが正しくありません。"),
        "insufficient_funds" => ("Your card has insufficient funds.", "你的卡餘額不足。", "您的卡片餘額不足。", "您的卡余额不足。", "カードの残高が不足しています。"),
        "expired_card" => ("Your card has expired.", "你的卡已過期。", "您的卡片已過期。", "您的卡已过期。", "カードの有効期限が切れています。"),
        "processing_error" => (
            "An error occurred while processing your card. Try again in a little bit.",
            "處理你的卡時發生錯誤，請稍後再試。",
            "處理您的卡片時發生錯誤，請稍後再試。",
            "处理您的卡时出错，请稍后再试。",
            "カードの処理中にエラーが発生しました。しばらくしてからもう一度お試しください。",
        ),
        "payment_intent_authentication_failure" | "authentication_failed" => (
            "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            "無法驗證你的付款方式，請選擇其他付款方式後重試。",
            "無法驗證您的付款方式，請選擇其他付款方式後重試。",
            "无法验证您的付款方式，请选择其他付款方式后重试。",
            "お支払い方法を認証できませんでした。別のお支払い方法を選んで、もう一度お試しください。",
        ),
        "incomplete_name" => ("Enter the name on your card.", "請輸入持卡人姓名。", "請輸入持卡人姓名。", "请输入持卡人姓名。", "カード名義人を入力してください。"),
        "incomplete_zip" => ("Your postal code is incomplete.", "郵政編碼不完整。", "郵遞區號不完整。", "邮政编码不完整。", "郵便番号が不完全です。"),
        "invalid_zip" => ("Your postal code is invalid.", "郵政編碼無效。", "郵遞區號無效。", "邮政编码无效。", "郵便番号が無効です。"),
        "network" => (
            "We could not reach the payment service. Check your connection and try again.",
            "無法連接付款服務，請檢查網絡後重試。",
            "無法連線至付款服務，請檢查網路後重試。",
            "无法连接支付服务，请检查网络后重试。",
            "決済サービスに接続できませんでした。接続を確認して、もう一度お試しください。",
        ),
        "invalid_client_secret" | "missing_client_secret" => (
            "This checkout could not be loaded. Refresh the page and try again.",
            "無法載入此付款表格，請重新整理頁面後再試。",
            "無法載入此付款表單，請重新整理頁面後再試。",
            "无法加载此付款表单，请刷新页面后重试。",
            "この決済フォームを読み込めませんでした。ページを再読み込みしてください。",
        ),
        "payment_in_progress" => ("A payment is already in progress.", "付款正在處理中。", "付款正在處理中。", "付款正在处理中。", "お支払いを処理中です。"),
        "payment_intent_unexpected_state" => (
            "This payment has already been completed or cancelled.",
            "此付款已完成或已取消。",
            "此筆付款已完成或已取消。",
            "此付款已完成或已取消。",
            "このお支払いはすでに完了またはキャンセルされています。",
        ),
        // generic_decline, lost_card, stolen_card, card_declined and anything unknown.
        _ => ("Your card was declined.", "你的卡被拒絕。", "您的卡片遭拒。", "您的卡被拒绝。", "カードが拒否されました。"),
    };
    match lang {
        Lang::En => en,
        Lang::ZhHk => hk,
        Lang::ZhTw => tw,
        Lang::ZhHans => hans,
        Lang::Ja => ja,
    }
}

/// Formats minor units with the browser's `Intl`, from a decimal string so no float is involved.
pub fn format_amount(lang: Lang, amount: i64, currency_code: &str) -> String {
    let Some(currency) = shared::money::Currency::parse(currency_code) else {
        return format!("{amount} {}", currency_code.to_ascii_uppercase());
    };
    let decimal = shared::money::to_decimal_string(shared::money::MinorUnits(amount), currency);
    let options = js_sys::Object::new();
    let set = |k: &str, v: wasm_bindgen::JsValue| {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v);
    };
    set("style", "currency".into());
    set("currency", currency.code.to_ascii_uppercase().into());
    // Whole amounts in TWD and CNY are shown without decimals, as shoppers there expect.
    let whole = decimal.ends_with(".00");
    if currency.exponent == 0 || (whole && matches!(currency.code, "twd" | "cny" | "hkd")) {
        set("minimumFractionDigits", 0.into());
        set("maximumFractionDigits", 0.into());
    }
    let locales = js_sys::Array::of1(&lang.tag().into());
    let fmt = js_sys::Intl::NumberFormat::new(&locales, &options);
    fmt.format()
        .call1(&wasm_bindgen::JsValue::UNDEFINED, &decimal.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(decimal_with_code(amount, currency))
}

fn decimal_with_code(amount: i64, currency: &shared::money::Currency) -> String {
    format!("{} {}", shared::money::to_decimal_string(shared::money::MinorUnits(amount), currency), currency.code.to_ascii_uppercase())
}
