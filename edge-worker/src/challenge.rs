//! The sandbox issuer's 3-D Secure page. The widget shows it in a modal iframe; a server
//! integration redirects the shopper to it. Either way the shopper approves or fails it.

use crate::objects::Intent;
use shared::money::{to_decimal_string, Currency, MinorUnits};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub fn page(intent: &Intent, pending: bool) -> String {
    let amount = Currency::parse(&intent.currency)
        .map(|c| format!("{} {}", to_decimal_string(MinorUnits(intent.amount), c), c.code.to_ascii_uppercase()))
        .unwrap_or_default();
    let body = if pending {
        format!(
            r#"<h1>Tessera test bank</h1>
<p>Authenticate a payment of <strong data-testid="challenge-amount">{amount}</strong>.</p>
<p class="note">This is a test 3-D Secure page. Choose the outcome.</p>
<form method="post">
  <input type="hidden" name="client_secret" value="{secret}">
  <button name="result" value="approve" data-testid="challenge-approve" autofocus>Complete authentication</button>
  <button name="result" value="fail" data-testid="challenge-fail" class="fail">Fail authentication</button>
</form>"#,
            secret = escape(&intent.client_secret)
        )
    } else {
        format!(
            r#"<h1>Tessera test bank</h1><p data-testid="challenge-done">Authentication finished: {}.</p>"#,
            intent.status.as_str()
        )
    };
    // When shown inside the widget's modal, tell the widget (same origin) that the step is over.
    let notify = if pending {
        String::new()
    } else {
        format!(
            r#"<script>if (window.parent !== window) window.parent.postMessage({{tessera: 1, type: "challenge_complete", payment_intent: "{}"}}, location.origin);</script>"#,
            escape(&intent.id)
        )
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>3-D Secure test</title><style>
body{{font-family:system-ui,sans-serif;margin:24px;color:#1a1f36}}h1{{font-size:18px}}
button{{font:inherit;padding:10px 14px;margin:4px 8px 4px 0;border-radius:6px;border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}}
button.fail{{background:#fff;color:#df1b41;border-color:#df1b41}}.note{{color:#6b7280;font-size:14px}}
</style></head><body>{body}{notify}</body></html>"#
    )
}
