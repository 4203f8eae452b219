//! Append-only audit log: who changed what, when, before → after.

use crate::sql::binds;
use crate::sql::{Sql, get_i, get_os, get_s};
use crate::{Actor, Store, StoreError, now_ms};
use serde::Serialize;
use sqlx::{Any, Transaction};

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub username: String,
    pub hcode: Option<String>,
    pub entity: String,
    pub entity_key: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub hcode: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One change to record inside the transaction that makes it.
pub(crate) struct Change<'a> {
    pub hcode: Option<&'a str>,
    pub entity: &'a str,
    pub key: &'a str,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// `action` on `entity` `key`, of no unit, with nothing before or after yet.
    pub fn new(entity: &'a str, key: &'a str, action: &'a str) -> Self {
        Change {
            hcode: None,
            entity,
            key,
            action,
            before: None,
            after: None,
        }
    }

    /// The change is to unit `hcode`'s data.
    pub fn unit(self, hcode: &'a str) -> Self {
        self.hcode(Some(hcode))
    }

    pub fn hcode(mut self, hcode: Option<&'a str>) -> Self {
        self.hcode = hcode;
        self
    }

    pub fn before(self, v: serde_json::Value) -> Self {
        self.before_opt(Some(v))
    }

    pub fn before_opt(mut self, v: Option<serde_json::Value>) -> Self {
        self.before = v;
        self
    }

    pub fn after(self, v: serde_json::Value) -> Self {
        self.after_opt(Some(v))
    }

    pub fn after_opt(mut self, v: Option<serde_json::Value>) -> Self {
        self.after = v;
        self
    }

    /// The entry's INSERT, for callers that run it on their own connection.
    pub fn sql(self, actor: &Actor) -> Sql {
        change_sql(actor, self)
    }

    /// Writes the entry in `tx`, the transaction that makes the change.
    pub async fn record(
        self,
        tx: &mut Transaction<'static, Any>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        change_sql(actor, self).query().execute(&mut **tx).await?;
        Ok(())
    }

    /// Writes the entry in `tx`, the transaction that makes the change, and commits it.
    pub async fn record_and_commit(
        self,
        mut tx: Transaction<'static, Any>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.record(&mut tx, actor).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The INSERT of one audit-log entry, for callers that run it on their own connection.
fn change_sql(actor: &Actor, c: Change<'_>) -> Sql {
    let mut s = Sql::new(
        "INSERT INTO audit_log (id, at, user_id, username, hcode, entity, entity_key, action, before_json, after_json) VALUES (",
    );
    s.list(binds![
        uuid::Uuid::now_v7().to_string(),
        now_ms(),
        actor.user_id.clone(),
        actor.who.username.clone(),
        c.hcode.map(str::to_string),
        c.entity,
        c.key,
        c.action,
        c.before.map(|v| v.to_string()),
        c.after.map(|v| v.to_string())
    ])
    .push(")");
    s
}

impl Store {
    /// The audit log, newest first. Admins only.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_audit(
        &self,
        actor: &Actor,
        q: &AuditQuery,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let mut s = Sql::new(
            "SELECT id, at, username, hcode, entity, entity_key, action, before_json, after_json FROM audit_log WHERE 1 = 1",
        );
        if let Some(e) = &q.entity {
            s.push(" AND entity = ").text(e.clone());
        }
        if let Some(h) = &q.hcode {
            s.push(" AND hcode = ").text(h.clone());
        }
        let limit = if q.limit <= 0 { 100 } else { q.limit.min(1000) };
        s.push(" ORDER BY at DESC, id DESC LIMIT ")
            .int(limit)
            .push(" OFFSET ")
            .int(q.offset.max(0));
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: get_s(r, "id")?,
                    at: get_i(r, "at")?,
                    username: get_s(r, "username")?,
                    hcode: get_os(r, "hcode")?,
                    entity: get_s(r, "entity")?,
                    entity_key: get_s(r, "entity_key")?,
                    action: get_s(r, "action")?,
                    before: get_os(r, "before_json")?,
                    after: get_os(r, "after_json")?,
                })
            })
            .collect()
    }
}
