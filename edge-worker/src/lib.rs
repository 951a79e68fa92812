//! Tessera's gateway: a Stripe-compatible payments API running as a Cloudflare Worker.
//!
//! The front Worker authenticates, parses and forwards each API request to the merchant account's
//! Durable Object ([`account::Account`]), which owns the account's state. Static files (the loader,
//! the widget's iframe page and wasm) are served by Workers static assets before this code runs.

mod account;
mod challenge;
mod envelope;
pub mod form;
mod objects;
pub mod params;
pub mod sandbox;
mod store;
pub mod vault;
mod webhooks;

pub use account::Account;

use envelope::{Envelope, Principal};
use shared::api::{ApiError, ErrorType};
use shared::ids::RequestId;
use shared::webhook::constant_time_eq;
use worker::{event, Context, Env, Headers, Method, Request, RequestInit, RequestRedirect, Response};

/// The API version this gateway speaks, stated on every response.
pub const API_VERSION: &str = "2025-09-30.clover";

/// Set by `entry.mjs` on every request (any value a client sent is replaced), so a fault that
/// never reaches Rust's answer still gets a 500 naming the same request id.
pub const REQUEST_ID_HEADER: &str = "Tessera-Request-Id";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let given = req.headers().get(REQUEST_ID_HEADER).ok().flatten().and_then(|id| RequestId::parse(&id).ok());
    let request_id = given.unwrap_or_else(|| {
        let mut random = [0u8; 14];
        let _ = getrandom::getrandom(&mut random);
        RequestId::from_random(&random)
    });
    let mut version = req.headers().get("Stripe-Version").ok().flatten();
    let response = match version.as_deref() {
        Some(v) if !valid_version(v) => {
            let message = format!("Invalid Stripe API version: {v}");
            version = None;
            error_response(&ApiError::new(400, ErrorType::InvalidRequestError, None, None, message))?
        }
        _ => match handle(req, &env, &request_id).await {
            Ok(response) => response,
            Err(error) => error_response(&error)?,
        },
    };
    // Responses from a Durable Object stub have immutable headers: copy them into a fresh set.
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    headers.set("Request-Id", request_id.as_str())?;
    headers.set("Stripe-Version", version.as_deref().unwrap_or(API_VERSION))?;
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Access-Control-Expose-Headers", "Request-Id, Stripe-Version, Idempotent-Replayed")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

/// `YYYY-MM-DD` with an optional release name (`2025-09-30.clover`), as Stripe's versions are.
/// Any well-formed version is accepted and stated back; the wire shapes are this gateway's.
fn valid_version(v: &str) -> bool {
    let (date, name) = v.split_once('.').unwrap_or((v, "a"));
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize, max: u32| s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    parts.len() == 3
        && number(parts[0], 4, 9999)
        && number(parts[1], 2, 12)
        && number(parts[2], 2, 31)
        && !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// Unix time in milliseconds from the Workers clock; every timestamp in the gateway comes from here.
pub(crate) fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// The one place a gateway error becomes an HTTP response.
fn error_response(error: &ApiError) -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    if error.status == 401 {
        headers.set("WWW-Authenticate", "Bearer realm=\"Tessera\"")?;
    }
    if error.status == 405 {
        // RFC 9110: a 405 names the methods the gateway does accept.
        headers.set("Allow", ALLOWED_METHODS)?;
    }
    Ok(Response::ok(error.to_body().to_string())?.with_status(error.status).with_headers(headers))
}

async fn handle(mut req: Request, env: &Env, request_id: &RequestId) -> Result<Response, ApiError> {
    let url = req.url().map_err(|_| ApiError::invalid_request("url_invalid", None, "The request URL is malformed."))?;
    let path = url.path().to_owned();
    // `worker::Method` reads any method it does not know (QUERY, PROPFIND, …) as GET: refuse those
    // here, by their real name, rather than answer them as reads.
    let raw_method = req.inner().method();
    if !["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "REPORT"].contains(&raw_method.to_ascii_uppercase().as_str()) {
        let shown: String = raw_method.chars().filter(char::is_ascii_graphic).take(32).collect();
        return Err(ApiError::new(405, ErrorType::InvalidRequestError, Some("method_not_allowed"), None, format!("Method {shown} is not allowed.")));
    }
    let method = req.method();
    if method == Method::Options {
        return preflight().map_err(internal);
    }
    if path == "/v1/openapi.json" && method == Method::Get {
        return openapi().map_err(internal);
    }
    if path == "/v1/inbound/sandbox" && method == Method::Post {
        return inbound(req, env, request_id, &url).await;
    }
    let principal = if path.starts_with("/challenge/") {
        Principal::Anonymous
    } else if path == "/v1" || path.starts_with("/v1/") {
        authenticate(&req, env)?
    } else {
        return Err(ApiError::new(404, ErrorType::InvalidRequestError, Some("resource_missing"), None, format!("Unrecognized request URL ({method}: {path}).")));
    };
    let params = match method {
        Method::Get | Method::Delete => form::parse_form(url.query().unwrap_or(""))?,
        Method::Post => {
            let declared: Option<usize> = req.headers().get("Content-Length").ok().flatten().and_then(|v| v.parse().ok());
            if declared.is_some_and(|n| n > form::MAX_BODY_BYTES) {
                return Err(form::too_large());
            }
            let content_type = req.headers().get("Content-Type").ok().flatten();
            let body = req.bytes().await.map_err(|_| form::too_large())?;
            let body = String::from_utf8(body)
                .map_err(|_| ApiError::invalid_request("parameter_invalid", None, "The request body is not valid UTF-8."))?;
            let mut params = form::parse_body(content_type.as_deref(), &body)?;
            // Query parameters on a POST count too (Stripe accepts both).
            for (k, v) in form::parse_form(url.query().unwrap_or(""))? {
                params.entry(k).or_insert(v);
            }
            params
        }
        other => {
            return Err(ApiError::new(405, ErrorType::InvalidRequestError, Some("method_not_allowed"), None, format!("Method {other} is not allowed.")))
        }
    };
    if path == TEST_PANIC_PATH && test_panic_enabled(env) && principal == Principal::Secret {
        // Test-only (TESSERA_TEST_PANIC=true); `/v1/test/panic/object` panics in the object instead.
        panic!("test panic in the front Worker (request {request_id})");
    }
    let idempotency_key = req.headers().get("Idempotency-Key").ok().flatten();
    if idempotency_key.as_ref().is_some_and(|k| k.len() > 255) {
        return Err(ApiError::invalid_request("idempotency_key_too_long", None, "Idempotency keys can be at most 255 characters long."));
    }
    let envelope = Envelope {
        method: method.to_string(),
        path,
        principal,
        params,
        idempotency_key,
        origin: url.origin().ascii_serialization(),
        request_id: request_id.to_string(),
    };
    forward(env, &envelope).await
}

/// Hands an authenticated, parsed request to the account's Durable Object.
async fn forward(env: &Env, envelope: &Envelope) -> Result<Response, ApiError> {
    let body = serde_json::to_string(envelope).map_err(internal)?;
    let stub = env
        .durable_object("ACCOUNT")
        .and_then(|ns| ns.get_by_name(&account_name(env)))
        .map_err(internal)?;
    let mut init = RequestInit::new();
    // The object answers the challenge form with a 303 to the shop's return_url: hand that to the
    // shopper's browser instead of following it (a followed redirect would re-enter the object).
    init.with_method(Method::Post).with_body(Some(body.into())).with_redirect(RequestRedirect::Manual);
    // For entry.mjs's guard around the object: a fault there is reported under this id too.
    let headers = Headers::new();
    headers.set(REQUEST_ID_HEADER, &envelope.request_id).map_err(internal)?;
    init.with_headers(headers);
    let inner = Request::new_with_init("https://account.internal/", &init).map_err(internal)?;
    stub.fetch_with_request(inner).await.map_err(internal)
}

/// The OpenAPI 3.1 description of this API, served without a key (it holds no secrets).
const OPENAPI: &str = include_str!("../openapi.json");

fn openapi() -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    Ok(Response::ok(OPENAPI)?.with_headers(headers))
}

/// A processor's asynchronous notification: verified here at the edge, on the raw body, before
/// anything else reads it. A bad signature changes nothing.
async fn inbound(mut req: Request, env: &Env, request_id: &RequestId, url: &worker::Url) -> Result<Response, ApiError> {
    let bad = |message: &str| ApiError::invalid_request("signature_verification_failed", None, message);
    let body = req.bytes().await.map_err(|_| form::too_large())?;
    if body.len() > form::MAX_BODY_BYTES {
        return Err(form::too_large());
    }
    let header = req.headers().get("Tessera-Signature").ok().flatten().unwrap_or_default();
    let secret = sandbox::processor_secret(&configured(env, "TESSERA_VAULT_KEY"));
    let now = now_ms() / 1000;
    shared::webhook::stripe_verify(&body, &header, &[secret.as_str()], now, shared::webhook::DEFAULT_TOLERANCE_SECS)
        .map_err(|e| bad(e.message()))?;
    let text = String::from_utf8(body).map_err(|_| bad("The notification is not UTF-8."))?;
    let envelope = Envelope {
        method: "POST".into(),
        path: url.path().to_owned(),
        principal: Principal::Processor,
        params: form::parse_json(&text)?,
        idempotency_key: None,
        origin: url.origin().ascii_serialization(),
        request_id: request_id.to_string(),
    };
    forward(env, &envelope).await
}

/// Methods the API answers; anything else is a 405 that says so.
const ALLOWED_METHODS: &str = "GET, POST, DELETE, OPTIONS";

/// The route that panics on purpose in the front Worker (and, with `/object` appended, in the
/// Account object), for the panic-safety tests. It exists only when the deployment sets
/// `TESSERA_TEST_PANIC=true`; otherwise it is an unknown URL like any other.
pub(crate) const TEST_PANIC_PATH: &str = "/v1/test/panic";

pub(crate) fn test_panic_enabled(env: &Env) -> bool {
    env.var("TESSERA_TEST_PANIC").map(|v| v.to_string() == "true").unwrap_or(false)
}

fn preflight() -> worker::Result<Response> {
    let headers = Headers::new();
    headers.set("Access-Control-Allow-Methods", ALLOWED_METHODS)?;
    headers.set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Stripe-Version")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, ErrorType::ApiError, None, None, format!("An internal error occurred: {e}"))
}

fn configured(env: &Env, name: &str) -> String {
    env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string())).unwrap_or_default()
}

/// The Durable Object name of the (single, configured) merchant account.
fn account_name(env: &Env) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(configured(env, "TESSERA_SECRET_KEY").as_bytes());
    format!("acct_{}", digest[..8].iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Reads `Authorization: Bearer <key>` or HTTP Basic with the key as user, and compares it in
/// constant time with the configured keys.
fn authenticate(req: &Request, env: &Env) -> Result<Principal, ApiError> {
    let header = req.headers().get("Authorization").ok().flatten().unwrap_or_default();
    // The scheme is case-insensitive (RFC 9110).
    let (scheme, credentials) = header.trim().split_once(' ').unwrap_or(("", ""));
    let key = if scheme.eq_ignore_ascii_case("Bearer") {
        credentials.trim().to_owned()
    } else if scheme.eq_ignore_ascii_case("Basic") {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD.decode(credentials.trim()).unwrap_or_default();
        let text = String::from_utf8(decoded).unwrap_or_default();
        text.split(':').next().unwrap_or("").to_owned()
    } else {
        String::new()
    };
    if key.is_empty() {
        return Err(ApiError::new(
            401,
            ErrorType::InvalidRequestError,
            Some("api_key_missing"),
            None,
            "You did not provide an API key. Provide it in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ));
    }
    let secret = configured(env, "TESSERA_SECRET_KEY");
    let publishable = configured(env, "TESSERA_PUBLISHABLE_KEY");
    // Both comparisons always run, so timing does not reveal which key type matched; they compare
    // SHA-256 digests, so neither the keys' contents nor their lengths show in the timing.
    let given = digest(&key);
    let is_secret = !secret.is_empty() & constant_time_eq(&given, &digest(&secret));
    let is_publishable = !publishable.is_empty() & constant_time_eq(&given, &digest(&publishable));
    match (is_secret, is_publishable) {
        (true, _) => Ok(Principal::Secret),
        (false, true) => Ok(Principal::Publishable),
        _ => Err(ApiError::new(
            401,
            ErrorType::InvalidRequestError,
            Some("api_key_invalid"),
            None,
            format!("Invalid API Key provided: {}", mask_key(&key)),
        )),
    }
}

fn digest(text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}

/// `sk_test_****wxyz`: enough to recognise a key in a log, never enough to use it. The prefix is
/// everything up to the last `_` of a Stripe-style key (`sk_test_`, `pk_live_`, `rk_test_`).
fn mask_key(key: &str) -> String {
    if key.chars().count() < 12 || !key.is_ascii() {
        return "****".to_owned();
    }
    let known = ["sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_"];
    let prefix = known.iter().find(|p| key.starts_with(**p)).copied().unwrap_or("");
    let tail = &key[key.len() - 4..];
    format!("{prefix}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::{mask_key, OPENAPI};

    #[test]
    fn openapi_document_is_json_3_1() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], super::API_VERSION);
        for path in ["/v1/payment_intents", "/v1/payment_intents/{intent}/confirm", "/v1/refunds", "/v1/charges/{charge}"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
    }

    /// The hand-written schema lists every brand the card rules can report, so a new brand
    /// cannot make responses fail their own schema.
    #[test]
    fn openapi_card_brands_are_the_card_rules_brands() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let mut listed: Vec<&str> = doc["components"]["schemas"]["PaymentMethodCard"]["properties"]["brand"]["enum"]
            .as_array()
            .expect("brand enum")
            .iter()
            .map(|v| v.as_str().expect("string"))
            .collect();
        let mut codes: Vec<&str> = shared::card::Brand::ALL.iter().map(|b| b.code()).chain(["unknown"]).collect();
        listed.sort_unstable();
        codes.sort_unstable();
        assert_eq!(listed, codes);
    }

    #[test]
    fn api_versions() {
        for ok in ["2025-09-30.clover", "2024-06-20", "2026-10-28.endive", "2020-08-27"] {
            assert!(super::valid_version(ok), "{ok}");
        }
        for bad in ["", "garbage", "2019-2-19", "2019-13-01", "2019-02-19.", "2019-02-19.Clover", "2019-02-19, 2019-12-03", "2019-02-00"] {
            assert!(!super::valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn masks_keys_like_stripe() {
        assert_eq!(mask_key("sk_test_wrongwrongwrong"), "sk_test_****rong");
        assert_eq!(mask_key("pk_live_abcdefghijkl"), "pk_live_****ijkl");
        assert_eq!(mask_key("whatever-secret-value"), "****alue");
        assert_eq!(mask_key("short"), "****");
        assert_eq!(mask_key("sk_test_ÿÿÿÿÿÿÿÿÿÿ"), "****");
    }
}
