//! Webhook endpoints and the durable outbox of deliveries owed to them.
//!
//! An event is queued in the same synchronous step that changes state, so a state change and its
//! deliveries are committed together: nothing is announced that did not happen, and nothing that
//! happened goes unannounced.

use crate::store::{storage_error, Store};
use serde::Deserialize;
use shared::api::ApiError;

pub fn migrate(store: &Store) -> worker::Result<()> {
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS webhook_endpoints (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, \
         created INTEGER NOT NULL, parent TEXT, data TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'enabled', \
         events TEXT NOT NULL DEFAULT '*')",
        None,
    )?;
    store.sql.exec(
        "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, \
         event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, \
         state TEXT NOT NULL DEFAULT 'pending', UNIQUE(endpoint, event))",
        None,
    )?;
    Ok(())
}

#[derive(Deserialize)]
struct EndpointRow {
    id: String,
    events: String,
}

/// Whether an endpoint's `enabled_events` (a comma-separated list, or `*`) includes `kind`.
pub fn subscribed(enabled: &str, kind: &str) -> bool {
    enabled.split(',').any(|e| e == "*" || e == kind)
}

/// Queues `event` for every enabled endpoint subscribed to `kind`; returns how many.
pub fn enqueue(store: &Store, event: &str, kind: &str, now: i64) -> Result<i64, ApiError> {
    let endpoints: Vec<EndpointRow> = store
        .sql
        .exec("SELECT id, events FROM webhook_endpoints WHERE status = 'enabled'", None)
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    let mut queued = 0;
    for endpoint in endpoints.iter().filter(|e| subscribed(&e.events, kind)) {
        store
            .sql
            .exec(
                "INSERT OR IGNORE INTO outbox (endpoint, event, next_at) VALUES (?, ?, ?)",
                vec![endpoint.id.as_str().into(), event.into(), now.into()],
            )
            .map_err(storage_error)?;
        queued += 1;
    }
    Ok(queued)
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
}
