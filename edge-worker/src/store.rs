//! SQLite-backed storage for one account's objects. Every object is a JSON document keyed by id,
//! with a monotonically increasing `seq` that orders lists newest first.

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;
use shared::api::ApiError;
use worker::{SqlStorage, SqlStorageValue};

pub struct Store {
    pub(crate) sql: SqlStorage,
}

/// Tables holding JSON documents; names are fixed strings, never user input.
#[derive(Clone, Copy, Debug)]
pub enum Table {
    PaymentIntents,
    PaymentMethods,
    Charges,
    Refunds,
    Events,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::PaymentIntents => "payment_intents",
            Table::PaymentMethods => "payment_methods",
            Table::Charges => "charges",
            Table::Refunds => "refunds",
            Table::Events => "events",
        }
    }
}

#[derive(Deserialize)]
struct DataRow {
    data: String,
}

#[derive(Deserialize)]
struct SeqRow {
    seq: i64,
}

#[derive(Deserialize)]
pub struct IdempotencyRow {
    pub request_hash: String,
    pub status: i64,
    pub body: String,
}

/// A storage failure is the gateway's fault, never the caller's: it maps to a 500 `api_error`.
pub fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, shared::api::ErrorType::ApiError, None, None, format!("Storage error: {e}"))
}

/// Page parameters of a list request, already validated.
pub struct Page {
    pub limit: i64,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lte: Option<i64>,
    /// Optional equality filter on the `parent` column (e.g. refunds of one intent).
    pub parent: Option<String>,
}

impl Store {
    pub fn new(sql: SqlStorage) -> Self {
        Store { sql }
    }

    pub fn migrate(&self) -> worker::Result<()> {
        for table in [Table::PaymentIntents, Table::PaymentMethods, Table::Charges, Table::Refunds, Table::Events] {
            self.sql.exec(
                &format!(
                    "CREATE TABLE IF NOT EXISTS {t} (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, \
                     created INTEGER NOT NULL, parent TEXT, data TEXT NOT NULL)",
                    t = table.name()
                ),
                None,
            )?;
            self.sql.exec(&format!("CREATE INDEX IF NOT EXISTS {t}_parent ON {t}(parent)", t = table.name()), None)?;
            // For `created[gte|lte]` filters and the CVC expiry sweep.
            self.sql.exec(&format!("CREATE INDEX IF NOT EXISTS {t}_created ON {t}(created)", t = table.name()), None)?;
        }
        // The vault: sealed card numbers and, until their one use, sealed CVCs.
        self.sql.exec("CREATE TABLE IF NOT EXISTS vault (pm TEXT PRIMARY KEY, pan TEXT NOT NULL, cvc TEXT)", None)?;
        self.sql.exec(
            "CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, \
             status INTEGER NOT NULL, body TEXT NOT NULL, created INTEGER NOT NULL)",
            None,
        )?;
        // Expired keys are purged on every keyed POST: keep that a range delete, not a scan.
        self.sql.exec("CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency(created)", None)?;
        Ok(())
    }

    pub fn get<T: DeserializeOwned>(&self, table: Table, id: &str) -> Result<Option<T>, ApiError> {
        let rows: Vec<DataRow> = self
            .sql
            .exec(&format!("SELECT data FROM {} WHERE id = ?", table.name()), vec![id.into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        match rows.into_iter().next() {
            None => Ok(None),
            Some(row) => serde_json::from_str(&row.data).map(Some).map_err(storage_error),
        }
    }

    pub fn insert<T: Serialize>(&self, table: Table, id: &str, created: i64, parent: Option<&str>, doc: &T) -> Result<(), ApiError> {
        let data = serde_json::to_string(doc).map_err(storage_error)?;
        let parent = parent.map(|p| SqlStorageValue::from(p.to_owned())).unwrap_or(SqlStorageValue::Null);
        self.sql
            .exec(
                &format!("INSERT INTO {} (id, created, parent, data) VALUES (?, ?, ?, ?)", table.name()),
                vec![id.into(), created.into(), parent, data.into()],
            )
            .map(|_| ())
            .map_err(storage_error)
    }

    pub fn update<T: Serialize>(&self, table: Table, id: &str, doc: &T) -> Result<(), ApiError> {
        let data = serde_json::to_string(doc).map_err(storage_error)?;
        self.sql
            .exec(&format!("UPDATE {} SET data = ? WHERE id = ?", table.name()), vec![data.into(), id.into()])
            .map(|_| ())
            .map_err(storage_error)
    }

    fn seq_of(&self, table: Table, id: &str) -> Result<Option<i64>, ApiError> {
        let rows: Vec<SeqRow> = self
            .sql
            .exec(&format!("SELECT seq FROM {} WHERE id = ?", table.name()), vec![id.into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.first().map(|r| r.seq))
    }

    /// Newest first; returns the page and whether more exist beyond it.
    pub fn list(&self, table: Table, page: &Page) -> Result<(Vec<Value>, bool), ApiError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<SqlStorageValue> = Vec::new();
        let backwards = page.ending_before.is_some();
        for (cursor, param, op) in [(&page.starting_after, "starting_after", "<"), (&page.ending_before, "ending_before", ">")] {
            if let Some(id) = cursor {
                let seq = self
                    .seq_of(table, id)?
                    .ok_or_else(|| ApiError::resource_missing(param, "object", id))?;
                clauses.push(format!("seq {op} ?"));
                binds.push(seq.into());
            }
        }
        if let Some(gte) = page.created_gte {
            clauses.push("created >= ?".into());
            binds.push(gte.into());
        }
        if let Some(lte) = page.created_lte {
            clauses.push("created <= ?".into());
            binds.push(lte.into());
        }
        if let Some(parent) = &page.parent {
            clauses.push("parent = ?".into());
            binds.push(parent.clone().into());
        }
        let filter = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let order = if backwards { "ASC" } else { "DESC" };
        binds.push((page.limit + 1).into());
        let rows: Vec<DataRow> = self
            .sql
            .exec(&format!("SELECT data FROM {} {filter} ORDER BY seq {order} LIMIT ?", table.name()), binds)
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        let has_more = rows.len() as i64 > page.limit;
        let mut docs: Vec<Value> = rows
            .into_iter()
            .take(page.limit as usize)
            .map(|r| serde_json::from_str(&r.data).map_err(storage_error))
            .collect::<Result<_, _>>()?;
        if backwards {
            docs.reverse();
        }
        Ok((docs, has_more))
    }

    pub fn vault_put(&self, pm: &str, pan_sealed: &str, cvc_sealed: Option<&str>) -> Result<(), ApiError> {
        let cvc = cvc_sealed.map(|c| SqlStorageValue::from(c.to_owned())).unwrap_or(SqlStorageValue::Null);
        self.sql
            .exec("INSERT INTO vault (pm, pan, cvc) VALUES (?, ?, ?)", vec![pm.into(), pan_sealed.into(), cvc])
            .map(|_| ())
            .map_err(storage_error)
    }

    /// The sealed number and, if still held, the sealed CVC.
    pub fn vault_get(&self, pm: &str) -> Result<Option<(String, Option<String>)>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            pan: String,
            cvc: Option<String>,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT pan, cvc FROM vault WHERE pm = ?", vec![pm.into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.into_iter().next().map(|r| (r.pan, r.cvc)))
    }

    /// CVCs are used once, then forgotten.
    /// Drops the CVCs of payment methods created before `before` that were never used: a CVC is
    /// kept only for a confirm that follows soon after tokenization.
    pub fn vault_expire_cvcs(&self, before: i64) -> Result<(), ApiError> {
        self.sql
            .exec(
                "UPDATE vault SET cvc = NULL WHERE cvc IS NOT NULL AND pm IN (SELECT id FROM payment_methods WHERE created < ?)",
                vec![before.into()],
            )
            .map(|_| ())
            .map_err(storage_error)
    }

    pub fn vault_forget_cvc(&self, pm: &str) -> Result<(), ApiError> {
        self.sql
            .exec("UPDATE vault SET cvc = NULL WHERE pm = ?", vec![pm.into()])
            .map(|_| ())
            .map_err(storage_error)
    }

    pub fn idempotency_get(&self, key: &str, not_before: i64) -> Result<Option<IdempotencyRow>, ApiError> {
        self.sql
            .exec("DELETE FROM idempotency WHERE created < ?", vec![not_before.into()])
            .map_err(storage_error)?;
        let rows: Vec<IdempotencyRow> = self
            .sql
            .exec("SELECT request_hash, status, body FROM idempotency WHERE key = ?", vec![key.into()])
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.into_iter().next())
    }

    pub fn idempotency_put(&self, key: &str, request_hash: &str, status: u16, body: &str, now: i64) -> Result<(), ApiError> {
        self.sql
            .exec(
                "INSERT OR REPLACE INTO idempotency (key, request_hash, status, body, created) VALUES (?, ?, ?, ?, ?)",
                vec![key.into(), request_hash.into(), i64::from(status).into(), body.into(), now.into()],
            )
            .map(|_| ())
            .map_err(storage_error)
    }
}
