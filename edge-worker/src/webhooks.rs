//! Webhook endpoints and the durable outbox of deliveries owed to them.
//!
//! An event is queued in the same synchronous step that changes state, so a state change and its
//! deliveries are committed together: nothing is announced that did not happen, and nothing that
//! happened goes unannounced. The Durable Object's alarm drains the outbox; a failed delivery is
//! retried with exponential backoff and jitter for up to three days.

use crate::envelope::Reply;
use crate::params::Params;
use crate::now_ms;
use crate::store::{storage_error, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use shared::api::ApiError;
use shared::ids::WebhookEndpointId;
use worker::{Headers, Method, Request, RequestInit, SqlStorageValue, Url};

/// How long a delivery may take before it counts as failed.
pub const DELIVERY_TIMEOUT_MS: u32 = 15_000;
/// Deliveries are retried until this long after the first attempt.
pub const RETRY_WINDOW_MS: i64 = 3 * 24 * 60 * 60 * 1000;
/// Longest wait between two attempts.
pub const MAX_BACKOFF_MS: i64 = 6 * 60 * 60 * 1000;
/// First retry delay unless `TESSERA_WEBHOOK_RETRY_BASE_MS` says otherwise (tests shorten it).
pub const DEFAULT_RETRY_BASE_MS: i64 = 60_000;
/// How long the old secret keeps signing after a rotation, unless `expires_in` says otherwise.
pub const DEFAULT_ROTATION_GRACE_SECS: i64 = 24 * 60 * 60;
/// Deliveries attempted per alarm run; the rest wait for the next run, moments later.
const BATCH: i64 = 25;

pub fn migrate(store: &Store) -> worker::Result<()> {
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS webhook_endpoints (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, \
         created INTEGER NOT NULL, status TEXT NOT NULL, events TEXT NOT NULL, data TEXT NOT NULL)",
        None,
    )?;
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, \
         event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, first_at INTEGER NOT NULL, next_at INTEGER NOT NULL, \
         state TEXT NOT NULL DEFAULT 'pending', UNIQUE(endpoint, event))",
        None,
    )?;
    store.sql.exec("CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_at)", None)?;
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS webhook_attempts (seq INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, \
         event TEXT NOT NULL, created INTEGER NOT NULL, attempt INTEGER NOT NULL, status_code INTEGER, \
         latency_ms INTEGER NOT NULL, error TEXT, next_retry_at INTEGER)",
        None,
    )?;
    store.sql.exec("CREATE INDEX IF NOT EXISTS webhook_attempts_endpoint ON webhook_attempts(endpoint, seq)", None)?;
    // The sandbox processor's own asynchronous notifications, and inbound ids already applied.
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS processor_outbox (id TEXT PRIMARY KEY, intent TEXT NOT NULL, kind TEXT NOT NULL, \
         url TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending')",
        None,
    )?;
    store.sql.exec("CREATE TABLE IF NOT EXISTS inbound_seen (id TEXT PRIMARY KEY, created INTEGER NOT NULL)", None)?;
    Ok(())
}

/// How deliveries to an endpoint are signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    /// `Stripe-Signature: t=…,v1=…`, verifiable by every Stripe library.
    Stripe,
    /// `webhook-id` / `webhook-timestamp` / `webhook-signature` (standardwebhooks.com).
    StandardWebhooks,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub created: i64,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub metadata: Map<String, Value>,
    /// `enabled` or `disabled`.
    pub status: String,
    pub scheme: Scheme,
    pub secret: String,
    /// Secrets still signing after a rotation, with the unix time each one stops.
    pub previous_secrets: Vec<(String, i64)>,
}

impl Endpoint {
    fn wire(&self, with_secret: bool) -> Value {
        let mut wire = json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": crate::API_VERSION,
            "application": null,
            "created": self.created,
            "description": self.description,
            "enabled_events": self.enabled_events,
            "livemode": false,
            "metadata": self.metadata,
            "signature_scheme": self.scheme,
            "status": self.status,
            "url": self.url,
        });
        if with_secret {
            wire["secret"] = json!(self.secret);
        }
        wire
    }

    /// Every secret that signs a delivery now: the current one and unexpired previous ones.
    fn signing_secrets(&self, now_secs: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        secrets.extend(self.previous_secrets.iter().filter(|(_, until)| *until > now_secs).map(|(s, _)| s.as_str()));
        secrets
    }
}

/// Whether an endpoint's `enabled_events` (comma-separated, or `*`) includes `kind`.
pub fn subscribed(enabled: &str, kind: &str) -> bool {
    enabled.split(',').any(|e| e == "*" || e == kind)
}

/// Every event type the gateway emits; `enabled_events` must name these or `*`.
pub const EVENT_TYPES: &[&str] = &[
    "payment_intent.created",
    "payment_intent.requires_action",
    "payment_intent.amount_capturable_updated",
    "payment_intent.processing",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.succeeded",
    "charge.failed",
    "charge.captured",
    "charge.refunded",
    "refund.created",
];

#[derive(Deserialize)]
struct EndpointRow {
    id: String,
    events: String,
}

#[derive(Deserialize)]
struct DataRow {
    data: String,
}

/// Queues `event` for every enabled endpoint subscribed to `kind`; returns how many.
pub fn enqueue(store: &Store, event: &str, kind: &str, now_ms: i64) -> Result<i64, ApiError> {
    let endpoints: Vec<EndpointRow> = store
        .sql
        .exec("SELECT id, events FROM webhook_endpoints WHERE status = 'enabled'", None)
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    let mut queued = 0;
    for endpoint in endpoints.iter().filter(|e| subscribed(&e.events, kind)) {
        queue(store, &endpoint.id, event, now_ms)?;
        queued += 1;
    }
    Ok(queued)
}

fn queue(store: &Store, endpoint: &str, event: &str, now_ms: i64) -> Result<(), ApiError> {
    store
        .sql
        .exec(
            "INSERT INTO outbox (endpoint, event, first_at, next_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT(endpoint, event) DO UPDATE SET state = 'pending', attempts = 0, first_at = excluded.first_at, next_at = excluded.next_at",
            vec![endpoint.into(), event.into(), now_ms.into(), now_ms.into()],
        )
        .map(|_| ())
        .map_err(storage_error)
}

/// Where webhook endpoints may point, from `TESSERA_WEBHOOK_ALLOW_LOOPBACK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hosts {
    /// Production: public hosts only.
    Public,
    /// Development (`true`): public hosts and this machine (the demo shop's receiver).
    PublicAndLoopback,
    /// Sandboxed test runs (`only`), e.g. fuzzing: this machine only, so no generated URL is
    /// ever sent a delivery elsewhere.
    LoopbackOnly,
}

impl Hosts {
    pub fn from_setting(value: Option<&str>) -> Self {
        match value {
            Some("true") => Hosts::PublicAndLoopback,
            Some("only") => Hosts::LoopbackOnly,
            _ => Hosts::Public,
        }
    }
}

/// Refuses anything but http(s) to a public host. Loopback is allowed only in development
/// (`TESSERA_WEBHOOK_ALLOW_LOOPBACK=true`), so a merchant cannot aim deliveries at the network
/// the gateway runs in.
pub fn check_url(raw: &str, hosts: Hosts) -> Result<Url, ApiError> {
    let bad = |why: &str| ApiError::invalid_param("url", format!("Invalid URL: {why}."));
    let url = Url::parse(raw).map_err(|_| bad("it must be an absolute http or https URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https URLs can receive webhooks"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("credentials in the URL are not allowed"));
    }
    let (loopback, private) = match url.host() {
        None => return Err(bad("it has no host")),
        Some(worker::url::Host::Ipv4(ip)) => {
            let [a, b, ..] = ip.octets();
            let cgnat = a == 100 && (64..128).contains(&b);
            (ip.is_loopback(), ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast() || cgnat || a == 0)
        }
        Some(worker::url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            let mapped_private = ip.to_ipv4_mapped().is_some_and(|v4| v4.is_private() || v4.is_loopback() || v4.is_link_local());
            (ip.is_loopback(), ip.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || mapped_private)
        }
        Some(worker::url::Host::Domain(host)) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            let loopback = host == "localhost" || host.ends_with(".localhost");
            let private = host.ends_with(".local") || host.ends_with(".internal") || !host.contains('.');
            (loopback, private && !loopback)
        }
    };
    if loopback && hosts == Hosts::Public {
        return Err(bad("loopback addresses cannot receive webhooks"));
    }
    if !loopback && hosts == Hosts::LoopbackOnly {
        return Err(bad("this gateway delivers webhooks to loopback addresses only (TESSERA_WEBHOOK_ALLOW_LOOPBACK=only)"));
    }
    if private {
        return Err(bad("private network addresses cannot receive webhooks"));
    }
    Ok(url)
}

/// A fresh `whsec_…` secret whose tail is base64, so it works for both signature schemes.
fn new_secret(random: &[u8]) -> String {
    use base64::Engine;
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(random))
}

fn parse_enabled_events(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let raw = match params.raw("enabled_events") {
        None => return Ok(None),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(s)) => vec![Value::String(s.clone())],
        Some(_) => return Err(ApiError::invalid_param("enabled_events", "enabled_events must be a list of event types.")),
    };
    let mut events = Vec::new();
    for item in raw {
        let Some(kind) = item.as_str() else {
            return Err(ApiError::invalid_param("enabled_events", "enabled_events must be a list of event types."));
        };
        if kind != "*" && !EVENT_TYPES.contains(&kind) {
            return Err(ApiError::invalid_param("enabled_events", format!("Invalid event type: {kind}")));
        }
        events.push(kind.to_owned());
    }
    if events.is_empty() {
        return Err(ApiError::invalid_param("enabled_events", "enabled_events must name at least one event type."));
    }
    Ok(Some(events))
}

/// What the endpoint handlers need from the Durable Object.
pub struct Api<'a> {
    pub store: &'a Store,
    pub params: Params,
    pub now: i64,
    pub hosts: Hosts,
    pub random: &'a dyn Fn() -> [u8; 24],
}

type Handled = Result<Reply, ApiError>;

impl Api<'_> {
    pub fn route(&self, method: &str, segments: &[&str]) -> Option<Handled> {
        Some(match (method, segments) {
            ("POST", ["v1", "webhook_endpoints"]) => self.create(),
            ("GET", ["v1", "webhook_endpoints"]) => self.list(),
            ("GET", ["v1", "webhook_endpoints", id]) => self.load(id).map(|e| Reply::ok(e.wire(false))),
            ("POST", ["v1", "webhook_endpoints", id]) => self.update(id),
            ("DELETE", ["v1", "webhook_endpoints", id]) => self.delete(id),
            ("POST", ["v1", "webhook_endpoints", id, "rotate_secret"]) => self.rotate(id),
            ("GET", ["v1", "webhook_endpoints", id, "attempts"]) => self.attempts(id),
            ("POST", ["v1", "events", id, "retry"]) => self.retry(id),
            _ => return None,
        })
    }

    fn load(&self, id: &str) -> Result<Endpoint, ApiError> {
        let missing = || ApiError::resource_missing("id", "webhook_endpoint", id);
        WebhookEndpointId::parse(id).map_err(|_| missing())?;
        load_endpoint(self.store, id)?.ok_or_else(missing)
    }

    fn save(&self, endpoint: &Endpoint, insert: bool) -> Result<(), ApiError> {
        let data = serde_json::to_string(endpoint).map_err(storage_error)?;
        let events = endpoint.enabled_events.join(",");
        let sql = if insert {
            "INSERT INTO webhook_endpoints (status, events, data, created, id) VALUES (?, ?, ?, ?, ?)"
        } else {
            "UPDATE webhook_endpoints SET status = ?, events = ?, data = ?, created = ? WHERE id = ?"
        };
        self.store
            .sql
            .exec(sql, vec![endpoint.status.as_str().into(), events.into(), data.into(), endpoint.created.into(), endpoint.id.as_str().into()])
            .map(|_| ())
            .map_err(storage_error)
    }

    fn create(&self) -> Handled {
        let p = &self.params;
        p.allow_only(&["url", "enabled_events", "description", "metadata", "signature_scheme", "api_version", "expand"])?;
        let url = check_url(p.required_str("url")?, self.hosts)?;
        let enabled_events = parse_enabled_events(p)?.ok_or_else(|| ApiError::missing_param("enabled_events"))?;
        let scheme = match p.one_of("signature_scheme", &["stripe", "standard_webhooks"])? {
            Some("standard_webhooks") => Scheme::StandardWebhooks,
            _ => Scheme::Stripe,
        };
        let mut metadata = Map::new();
        p.merge_metadata(&mut metadata)?;
        let endpoint = Endpoint {
            id: WebhookEndpointId::from_random(&(self.random)()).to_string(),
            created: self.now,
            url: url.to_string(),
            enabled_events,
            description: p.str("description")?.map(str::to_owned),
            metadata,
            status: "enabled".into(),
            scheme,
            secret: new_secret(&(self.random)()),
            previous_secrets: Vec::new(),
        };
        self.save(&endpoint, true)?;
        // The secret is shown once, at creation, as Stripe does.
        Ok(Reply::ok(endpoint.wire(true)))
    }

    fn update(&self, id: &str) -> Handled {
        let p = &self.params;
        p.allow_only(&["url", "enabled_events", "description", "metadata", "disabled", "expand"])?;
        let mut endpoint = self.load(id)?;
        if let Some(url) = p.str("url")? {
            endpoint.url = check_url(url, self.hosts)?.to_string();
        }
        if let Some(events) = parse_enabled_events(p)? {
            endpoint.enabled_events = events;
        }
        if let Some(d) = p.str("description")? {
            endpoint.description = Some(d.to_owned()).filter(|d| !d.is_empty());
        }
        if let Some(disabled) = p.bool("disabled")? {
            endpoint.status = if disabled { "disabled" } else { "enabled" }.into();
        }
        p.merge_metadata(&mut endpoint.metadata)?;
        self.save(&endpoint, false)?;
        Ok(Reply::ok(endpoint.wire(false)))
    }

    fn delete(&self, id: &str) -> Handled {
        let endpoint = self.load(id)?;
        self.store.sql.exec("DELETE FROM webhook_endpoints WHERE id = ?", vec![id.into()]).map_err(storage_error)?;
        self.store
            .sql
            .exec("UPDATE outbox SET state = 'canceled' WHERE endpoint = ? AND state = 'pending'", vec![id.into()])
            .map_err(storage_error)?;
        Ok(Reply::ok(json!({ "id": endpoint.id, "object": "webhook_endpoint", "deleted": true })))
    }

    /// New secret now; the old one keeps signing alongside it for `expires_in` seconds.
    fn rotate(&self, id: &str) -> Handled {
        let p = &self.params;
        p.allow_only(&["expires_in"])?;
        let grace = p.int("expires_in")?.unwrap_or(DEFAULT_ROTATION_GRACE_SECS);
        if !(0..=7 * 24 * 60 * 60).contains(&grace) {
            return Err(ApiError::invalid_param("expires_in", "expires_in must be between 0 and 604800 seconds."));
        }
        let mut endpoint = self.load(id)?;
        let old = std::mem::replace(&mut endpoint.secret, new_secret(&(self.random)()));
        endpoint.previous_secrets.retain(|(_, until)| *until > self.now);
        if grace > 0 {
            endpoint.previous_secrets.push((old, self.now + grace));
        }
        self.save(&endpoint, false)?;
        Ok(Reply::ok(endpoint.wire(true)))
    }

    fn list(&self) -> Handled {
        self.params.allow_only(&["limit"])?;
        let limit = self.limit()?;
        let rows: Vec<DataRow> = self
            .store
            .sql
            .exec("SELECT data FROM webhook_endpoints ORDER BY seq DESC LIMIT ?", vec![(limit + 1).into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        let has_more = rows.len() as i64 > limit;
        let data = rows
            .iter()
            .take(limit as usize)
            .map(|r| serde_json::from_str::<Endpoint>(&r.data).map(|e| e.wire(false)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage_error)?;
        Ok(Reply::ok(json!({ "object": "list", "url": "/v1/webhook_endpoints", "has_more": has_more, "data": data })))
    }

    fn limit(&self) -> Result<i64, ApiError> {
        let limit = self.params.int("limit")?.unwrap_or(10);
        if (1..=100).contains(&limit) {
            Ok(limit)
        } else {
            Err(ApiError::invalid_request("parameter_invalid_integer", Some("limit"), "This value must be between 1 and 100."))
        }
    }

    /// Every delivery attempt to one endpoint, newest first.
    fn attempts(&self, id: &str) -> Handled {
        self.params.allow_only(&["limit", "event"])?;
        self.load(id)?;
        let limit = self.limit()?;
        #[derive(Deserialize)]
        struct Row {
            event: String,
            created: i64,
            attempt: i64,
            status_code: Option<i64>,
            latency_ms: i64,
            error: Option<String>,
            next_retry_at: Option<i64>,
        }
        let mut binds: Vec<SqlStorageValue> = vec![id.into()];
        let mut filter = String::new();
        if let Some(event) = self.params.str("event")? {
            filter = " AND event = ?".into();
            binds.push(event.into());
        }
        binds.push((limit + 1).into());
        let rows: Vec<Row> = self
            .store
            .sql
            .exec(
                &format!(
                    "SELECT event, created, attempt, status_code, latency_ms, error, next_retry_at FROM webhook_attempts \
                     WHERE endpoint = ?{filter} ORDER BY seq DESC LIMIT ?"
                ),
                binds,
            )
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        let has_more = rows.len() as i64 > limit;
        let data: Vec<Value> = rows
            .iter()
            .take(limit as usize)
            .map(|r| {
                json!({
                    "object": "webhook_attempt", "webhook_endpoint": id, "event": r.event, "created": r.created,
                    "attempt": r.attempt, "status_code": r.status_code, "latency_ms": r.latency_ms,
                    "error": r.error, "next_retry_at": r.next_retry_at,
                    "succeeded": r.status_code.is_some_and(|s| (200..300).contains(&s)),
                })
            })
            .collect();
        Ok(Reply::ok(json!({ "object": "list", "url": format!("/v1/webhook_endpoints/{id}/attempts"), "has_more": has_more, "data": data })))
    }

    /// Queues an event again: for one endpoint, or for every enabled endpoint subscribed to it.
    fn retry(&self, event_id: &str) -> Handled {
        self.params.allow_only(&["webhook_endpoint"])?;
        let missing = || ApiError::resource_missing("id", "event", event_id);
        shared::ids::EventId::parse(event_id).map_err(|_| missing())?;
        let event: Value = self.store.get(crate::store::Table::Events, event_id)?.ok_or_else(missing)?;
        let kind = event["type"].as_str().unwrap_or_default();
        let now_ms = self.now * 1000;
        let queued = match self.params.str("webhook_endpoint")? {
            Some(endpoint) => {
                let endpoint = self.load(endpoint)?;
                if endpoint.status != "enabled" {
                    return Err(ApiError::invalid_request(
                        "webhook_endpoint_disabled",
                        Some("webhook_endpoint"),
                        "This webhook endpoint is disabled; enable it before resending events to it.",
                    ));
                }
                queue(self.store, &endpoint.id, event_id, now_ms)?;
                1
            }
            None => enqueue(self.store, event_id, kind, now_ms)?,
        };
        refresh_pending(self.store, event_id)?;
        Ok(Reply::ok(json!({ "object": "event_retry", "event": event_id, "queued": queued })))
    }
}

/// Keeps `pending_webhooks` on a stored event equal to its undelivered deliveries.
fn refresh_pending(store: &Store, event: &str) -> Result<(), ApiError> {
    store
        .sql
        .exec(
            "UPDATE events SET data = json_set(data, '$.pending_webhooks', \
             (SELECT COUNT(*) FROM outbox WHERE event = ?1 AND state = 'pending')) WHERE id = ?1",
            vec![event.into()],
        )
        .map(|_| ())
        .map_err(storage_error)
}

/// The earliest moment (unix ms) a pending delivery is due, if any.
pub fn next_due(store: &Store) -> Result<Option<i64>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        due: Option<i64>,
    }
    let rows: Vec<Row> = store
        .sql
        .exec(
            "SELECT MIN(due) AS due FROM (SELECT MIN(next_at) AS due FROM outbox WHERE state = 'pending' \
             UNION ALL SELECT MIN(next_at) FROM processor_outbox WHERE state = 'pending')",
            None,
        )
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    Ok(rows.into_iter().next().and_then(|r| r.due))
}

/// Delay before attempt `n + 1` after `n` failures: base·2^(n−1), capped, ±20 % jitter
/// (`jitter` is a uniform random number in 0..=1000), and never sooner than `Retry-After`.
pub fn backoff_ms(failures: i64, base_ms: i64, jitter: u16, retry_after_ms: Option<i64>) -> i64 {
    let exponent = failures.clamp(1, 30) - 1;
    let raw = base_ms.saturating_mul(1i64 << exponent).min(MAX_BACKOFF_MS);
    let jittered = raw + raw * (i64::from(jitter.min(1000)) - 500) / 2500;
    jittered.max(retry_after_ms.unwrap_or(0)).max(1)
}

/// `Retry-After` in seconds (the HTTP-date form is rare for webhooks and is ignored).
pub fn parse_retry_after(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok().filter(|s| *s >= 0).map(|s| s.saturating_mul(1000))
}

#[derive(Deserialize)]
struct DueRow {
    id: i64,
    endpoint: String,
    event: String,
    attempts: i64,
    first_at: i64,
}

/// How one attempt went.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    retry_after_ms: Option<i64>,
}

/// Delivery settings read from the Worker's environment.
pub struct Delivery {
    pub retry_base_ms: i64,
}

/// Sends every due delivery once, records each attempt, and schedules what failed.
pub async fn deliver_due(store: &Store, settings: &Delivery) -> Result<(), ApiError> {
    let started_run = now_ms();
    let due: Vec<DueRow> = store
        .sql
        .exec(
            "SELECT id, endpoint, event, attempts, first_at FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?",
            vec![started_run.into(), BATCH.into()],
        )
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    for row in due {
        let endpoint = load_endpoint(store, &row.endpoint)?;
        let body = store
            .sql
            .exec("SELECT data FROM events WHERE id = ?", vec![row.event.as_str().into()])
            .and_then(|c| c.to_array::<DataRow>())
            .map_err(storage_error)?
            .into_iter()
            .next()
            .map(|r| r.data);
        let (Some(endpoint), Some(body)) = (endpoint.filter(|e| e.status == "enabled"), body) else {
            store.sql.exec("UPDATE outbox SET state = 'canceled' WHERE id = ?", vec![row.id.into()]).map_err(storage_error)?;
            continue;
        };
        let started = now_ms();
        let outcome = send(&endpoint, &row.event, &body).await;
        let latency = now_ms() - started;
        let attempt = row.attempts + 1;
        let finished_at = now_ms();
        let (state, next_at) = match outcome.status {
            Some(s) if (200..300).contains(&s) => ("delivered", None),
            Some(410) => ("canceled", None),
            _ => {
                let delay = backoff_ms(attempt, settings.retry_base_ms, jitter(), outcome.retry_after_ms);
                if finished_at + delay > row.first_at + RETRY_WINDOW_MS {
                    ("failed", None)
                } else {
                    ("pending", Some(finished_at + delay))
                }
            }
        };
        store
            .sql
            .exec(
                "INSERT INTO webhook_attempts (endpoint, event, created, attempt, status_code, latency_ms, error, next_retry_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    endpoint.id.as_str().into(),
                    row.event.as_str().into(),
                    (finished_at / 1000).into(),
                    attempt.into(),
                    outcome.status.map(|s| SqlStorageValue::from(i64::from(s))).unwrap_or(SqlStorageValue::Null),
                    latency.into(),
                    outcome.error.map(SqlStorageValue::from).unwrap_or(SqlStorageValue::Null),
                    next_at.map(|t| SqlStorageValue::from(t / 1000)).unwrap_or(SqlStorageValue::Null),
                ],
            )
            .map_err(storage_error)?;
        store
            .sql
            .exec(
                "UPDATE outbox SET state = ?, attempts = ?, next_at = ? WHERE id = ?",
                vec![state.into(), attempt.into(), next_at.unwrap_or(finished_at).into(), row.id.into()],
            )
            .map_err(storage_error)?;
        if outcome.status == Some(410) {
            // 410 Gone: the merchant removed the endpoint; stop sending to it.
            let mut disabled = endpoint.clone();
            disabled.status = "disabled".into();
            let data = serde_json::to_string(&disabled).map_err(storage_error)?;
            store
                .sql
                .exec("UPDATE webhook_endpoints SET status = 'disabled', data = ? WHERE id = ?", vec![data.into(), endpoint.id.as_str().into()])
                .map_err(storage_error)?;
            store
                .sql
                .exec("UPDATE outbox SET state = 'canceled' WHERE endpoint = ? AND state = 'pending'", vec![endpoint.id.as_str().into()])
                .map_err(storage_error)?;
        }
        refresh_pending(store, &row.event)?;
    }
    Ok(())
}

fn load_endpoint(store: &Store, id: &str) -> Result<Option<Endpoint>, ApiError> {
        let rows: Vec<DataRow> = store
            .sql
            .exec("SELECT data FROM webhook_endpoints WHERE id = ?", vec![id.into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        rows.into_iter().next().map(|r| serde_json::from_str(&r.data).map_err(storage_error)).transpose()
}

/// One signed POST with a deadline.
async fn send(endpoint: &Endpoint, event_id: &str, body: &str) -> Outcome {
    let failed = |error: String| Outcome { status: None, error: Some(error), retry_after_ms: None };
    let timestamp = now_ms() / 1000;
    let secrets = endpoint.signing_secrets(timestamp);
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|e| e.to_string());
    let signed = (|| {
        set("Content-Type", "application/json; charset=utf-8")?;
        set("User-Agent", "Tessera/1.0 (+webhooks)")?;
        match endpoint.scheme {
            Scheme::Stripe => set("Stripe-Signature", &shared::webhook::stripe_header(&secrets, timestamp, body.as_bytes())),
            Scheme::StandardWebhooks => {
                let signature = shared::webhook::standard_signature_header(&secrets, event_id, timestamp, body.as_bytes())
                    .map_err(|e| e.message().to_owned())?;
                set("webhook-id", event_id)?;
                set("webhook-timestamp", &timestamp.to_string())?;
                set("webhook-signature", &signature)
            }
        }
    })();
    if let Err(e) = signed {
        return failed(format!("signing failed: {e}"));
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
    let request = match Request::new_with_init(&endpoint.url, &init) {
        Ok(r) => r,
        Err(e) => return failed(format!("bad request: {e}")),
    };
    let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(DELIVERY_TIMEOUT_MS).into();
    match worker::Fetch::Request(request).send_with_signal(&signal).await {
        Ok(response) => {
            let retry_after = response.headers().get("Retry-After").ok().flatten().and_then(|v| parse_retry_after(&v));
            let status = response.status_code();
            let error = (!(200..300).contains(&status)).then(|| format!("HTTP {status}"));
            Outcome { status: Some(status), error, retry_after_ms: retry_after }
        }
        Err(e) => {
            let message = e.to_string();
            if message.contains("abort") || message.contains("timeout") || signal.aborted() {
                failed(format!("timed out after {} ms", DELIVERY_TIMEOUT_MS))
            } else {
                failed(format!("connection failed: {message}"))
            }
        }
    }
}

/// How long the sandbox processor takes to settle an attempt, and how often it retries.
const PROCESSOR_DELAY_MS: i64 = 1_000;
const PROCESSOR_MAX_ATTEMPTS: i64 = 20;

/// Queues the sandbox processor's notification that settles `intent` later.
pub fn queue_processor_notification(store: &Store, id: &str, intent: &str, kind: &str, url: &str) -> Result<(), ApiError> {
    store
        .sql
        .exec(
            "INSERT INTO processor_outbox (id, intent, kind, url, next_at) VALUES (?, ?, ?, ?, ?)",
            vec![id.into(), intent.into(), kind.into(), url.into(), (now_ms() + PROCESSOR_DELAY_MS).into()],
        )
        .map(|_| ())
        .map_err(storage_error)
}

/// Records an inbound notification id; false if it was seen before (a duplicate to drop).
pub fn first_sighting(store: &Store, id: &str, now: i64) -> Result<bool, ApiError> {
    let cursor = store
        .sql
        .exec("INSERT OR IGNORE INTO inbound_seen (id, created) VALUES (?, ?)", vec![id.into(), now.into()])
        .map_err(storage_error)?;
    Ok(cursor.rows_written() > 0)
}

/// Sends the sandbox processor's due notifications to the gateway's inbound endpoint, signed
/// like a real processor's would be.
pub async fn notify_processor_due(store: &Store, secret: &str) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
        intent: String,
        kind: String,
        url: String,
        attempts: i64,
    }
    let due: Vec<Row> = store
        .sql
        .exec(
            "SELECT id, intent, kind, url, attempts FROM processor_outbox WHERE state = 'pending' AND next_at <= ? LIMIT ?",
            vec![now_ms().into(), BATCH.into()],
        )
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    for row in due {
        let body = json!({ "id": row.id, "object": "notification", "type": row.kind, "payment_intent": row.intent, "created": now_ms() / 1000 }).to_string();
        let headers = Headers::new();
        let signature = shared::webhook::stripe_header(&[secret], now_ms() / 1000, body.as_bytes());
        let delivered = async {
            headers.set("Content-Type", "application/json").ok()?;
            headers.set("Tessera-Signature", &signature).ok()?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post).with_headers(headers).with_body(Some(body.as_str().into()));
            let request = Request::new_with_init(&row.url, &init).ok()?;
            let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(DELIVERY_TIMEOUT_MS).into();
            let response = worker::Fetch::Request(request).send_with_signal(&signal).await.ok()?;
            (200..300).contains(&response.status_code()).then_some(())
        }
        .await
        .is_some();
        let attempts = row.attempts + 1;
        let state = if delivered {
            "delivered"
        } else if attempts >= PROCESSOR_MAX_ATTEMPTS {
            "failed"
        } else {
            "pending"
        };
        store
            .sql
            .exec(
                "UPDATE processor_outbox SET state = ?, attempts = ?, next_at = ? WHERE id = ?",
                vec![state.into(), attempts.into(), (now_ms() + PROCESSOR_DELAY_MS * attempts).into(), row.id.as_str().into()],
            )
            .map_err(storage_error)?;
    }
    Ok(())
}


fn jitter() -> u16 {
    let mut b = [0u8; 2];
    let _ = getrandom::getrandom(&mut b);
    u16::from_le_bytes(b) % 1001
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_matching() {
        assert!(subscribed("*", "charge.succeeded"));
        assert!(subscribed("payment_intent.succeeded,charge.succeeded", "charge.succeeded"));
        assert!(!subscribed("payment_intent.succeeded", "charge.succeeded"));
        assert!(!subscribed("", "charge.succeeded"));
    }

    #[test]
    fn url_policy() {
        let ok = ["https://shop.example.com/hooks", "http://93.184.216.34/x", "https://[2606:4700::1111]/h"];
        for url in ok {
            assert!(check_url(url, Hosts::Public).is_ok(), "{url}");
        }
        let refused = [
            "ftp://shop.example.com/", "javascript:alert(1)", "https://user:pw@shop.example.com/", "not a url",
            "http://127.0.0.1:8080/", "http://localhost/", "http://api.localhost/", "http://10.0.0.5/", "http://172.16.3.4/",
            "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/", "http://0.0.0.0/",
            "http://[::1]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[::ffff:10.0.0.1]/", "http://printer.local/",
            "http://metadata.google.internal/", "http://intranet/",
        ];
        for url in refused {
            let err = check_url(url, Hosts::Public).expect_err(url);
            assert_eq!(err.param.as_deref(), Some("url"), "{url}");
        }
        assert!(check_url("http://127.0.0.1:8080/hook", Hosts::PublicAndLoopback).is_ok());
        assert!(check_url("http://[::1]:8080/hook", Hosts::PublicAndLoopback).is_ok());
        assert!(check_url("http://10.0.0.5/", Hosts::PublicAndLoopback).is_err(), "dev mode allows loopback only");
        assert!(check_url("https://example.com/hook", Hosts::PublicAndLoopback).is_ok());
        // Sandboxed runs: this machine only, so a generated public URL is never delivered to.
        assert!(check_url("http://127.0.0.1:8080/hook", Hosts::LoopbackOnly).is_ok());
        assert!(check_url("http://localhost/hook", Hosts::LoopbackOnly).is_ok());
        assert!(check_url("https://example.com/hook", Hosts::LoopbackOnly).is_err());
        assert!(check_url("http://10.0.0.5/", Hosts::LoopbackOnly).is_err());
    }

    #[test]
    fn backoff_grows_caps_jitters_and_honours_retry_after() {
        let base = 60_000;
        assert_eq!(backoff_ms(1, base, 500, None), 60_000);
        assert_eq!(backoff_ms(2, base, 500, None), 120_000);
        assert_eq!(backoff_ms(3, base, 500, None), 240_000);
        assert_eq!(backoff_ms(20, base, 500, None), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(1, base, 0, None), 48_000);
        assert_eq!(backoff_ms(1, base, 1000, None), 72_000);
        assert_eq!(backoff_ms(1, base, 500, Some(600_000)), 600_000);
        assert_eq!(backoff_ms(i64::MAX, i64::MAX, 1000, None), MAX_BACKOFF_MS + MAX_BACKOFF_MS / 5);
        assert_eq!(parse_retry_after(" 120 "), Some(120_000));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn the_default_schedule_spans_three_days() {
        let (mut at, mut n) = (0i64, 0);
        while at + backoff_ms(n + 1, DEFAULT_RETRY_BASE_MS, 500, None) <= RETRY_WINDOW_MS {
            n += 1;
            at += backoff_ms(n, DEFAULT_RETRY_BASE_MS, 500, None);
        }
        assert!((15..=25).contains(&n), "{n} retries");
        assert!(at > RETRY_WINDOW_MS - MAX_BACKOFF_MS);
    }

    #[test]
    fn secrets_work_for_both_schemes() {
        let secret = new_secret(&[7; 24]);
        assert!(secret.starts_with("whsec_"));
        assert!(shared::webhook::standard_key(&secret).is_ok());
    }
}
