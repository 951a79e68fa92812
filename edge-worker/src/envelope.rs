//! What the front Worker hands the account's Durable Object (an authenticated, parsed request),
//! and what comes back. Keeping HTTP parsing in the Worker keeps the object's work synchronous.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use shared::api::ApiError;
use worker::{Headers, Response};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Principal {
    /// `sk_…`: the merchant's server.
    Secret,
    /// `pk_…`: a browser; limited to its own intents via client secrets.
    Publishable,
    /// No key: only the 3-D Secure challenge page, guarded by the client secret.
    Anonymous,
    /// The sandbox processor, whose notification signature the front Worker verified.
    Processor,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub method: String,
    pub path: String,
    pub principal: Principal,
    pub params: Map<String, Value>,
    pub idempotency_key: Option<String>,
    /// The gateway's public origin, for links it hands out (the challenge page).
    pub origin: String,
    /// `req_…`, also stated on the response and on events this request causes.
    pub request_id: String,
}

impl Envelope {
    /// Identifies "the same request" for idempotency: method, path, key type and parameters.
    /// `serde_json::Map` keeps keys sorted, so equal parameters hash equally in any order.
    pub fn request_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.method.as_bytes());
        hasher.update(b" ");
        hasher.update(self.path.as_bytes());
        hasher.update(format!(" {:?} ", self.principal).as_bytes());
        hasher.update(Value::Object(self.params.clone()).to_string().as_bytes());
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A handler's answer: JSON by default, or a page or redirect for the challenge flow.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
    pub redirect: Option<String>,
    pub html: Option<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply { status: 200, body, replayed: false, redirect: None, html: None }
    }

    pub fn html(page: String) -> Self {
        Reply { status: 200, body: Value::Null, replayed: false, redirect: None, html: Some(page) }
    }

    pub fn into_response(self) -> worker::Result<Response> {
        let headers = Headers::new();
        if self.replayed {
            headers.set("Idempotent-Replayed", "true")?;
        }
        if let Some(location) = &self.redirect {
            headers.set("Location", location)?;
            return Ok(Response::empty()?.with_status(self.status).with_headers(headers));
        }
        if let Some(page) = self.html {
            headers.set("Content-Type", "text/html; charset=utf-8")?;
            return Ok(Response::ok(page)?.with_status(self.status).with_headers(headers));
        }
        headers.set("Content-Type", "application/json")?;
        Ok(Response::ok(self.body.to_string())?.with_status(self.status).with_headers(headers))
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Reply { status: e.status, body: e.to_body(), replayed: false, redirect: None, html: None }
    }
}
