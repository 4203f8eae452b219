//! A re-evaluation of a unit's Data Audit in one transaction.

use super::*;
use raidai_domain::ids::Hcode;

/// A re-evaluation of a unit's Data Audit: one transaction; the unit's findings are replaced.
pub struct AuditSession {
    tx: ImportTx,
    actor: Actor,
    hcode: String,
    visits: i64,
    findings: i64,
    started: std::time::Instant,
}

/// What a re-audit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub visits: i64,
    pub findings: i64,
    pub elapsed_ms: i64,
}

impl Store {
    /// Starts re-evaluating the findings of a unit (its staff or an admin).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn begin_audit(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<AuditSession, StoreError> {
        let hcode = unit.as_str();
        self.unit_for_import(actor, unit).await?;
        let mut tx = self.begin_unit_tx(hcode).await?;
        if self.engine() == Engine::Sqlite {
            // The whole table is read once: mapped pages spare a copy of each (half the
            // re-audit's system time at 1M visits); set back in `finish`.
            tx.exec(&Sql::new("PRAGMA mmap_size = 4294967296")).await?;
        }
        // The cross-visit findings depend on the visits only, which a re-audit does not change:
        // they stay, and take the catalogue's severity in `finish`.
        let mut d = Sql::new("DELETE FROM claim_findings WHERE hcode = ");
        d.text(hcode).push(" AND rule NOT IN ('DUP01', 'AUTH03')");
        tx.exec(&d).await?;
        Ok(AuditSession {
            tx,
            actor: actor.clone(),
            hcode: hcode.to_string(),
            visits: 0,
            findings: 0,
            started: std::time::Instant::now(),
        })
    }
}

impl AuditSession {
    pub(crate) fn engine(&self) -> Engine {
        match self.tx {
            ImportTx::Sqlite(_) => Engine::Sqlite,
            ImportTx::Postgres(_) => Engine::Postgres,
        }
    }

    /// Up to `limit` visits of the unit in key order after `after`.
    pub async fn visits(&mut self, after: &str, limit: i64) -> Result<Vec<VisitRow>, StoreError> {
        if let ImportTx::Sqlite(t) = &mut self.tx {
            // Through the handle: sqlx's row decoding of every column cost most of a re-audit.
            let sql = format!(
                "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = ? AND vkey > ? ORDER BY vkey LIMIT ?"
            );
            let mut handle = t.lock_handle().await?;
            let db = handle.as_raw_handle();
            let mut rows = Vec::with_capacity(limit.max(1) as usize);
            let mut st = Stmt::prepare(db, &sql)?;
            st.query(
                &[
                    Val::Text(&self.hcode),
                    Val::Text(after),
                    Val::Int(limit.max(1)),
                ],
                |r| rows.push(raw_stored_row(r)),
            )?;
            drop(st);
            drop(handle);
            self.visits += rows.len() as i64;
            return Ok(rows);
        }
        let mut s = Sql::new(&format!(
            "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = "
        ));
        s.text(self.hcode.clone())
            .push(" AND vkey > ")
            .text(after)
            .push(" ORDER BY vkey LIMIT ")
            .int(limit.max(1));
        let rows = self.tx.rows(&s, stored_row).await?;
        self.visits += rows.len() as i64;
        Ok(rows)
    }

    pub async fn write_findings(
        &mut self,
        findings: &[(String, FindingRow)],
    ) -> Result<(), StoreError> {
        insert_findings(&mut self.tx, &self.hcode, findings).await?;
        self.findings += findings.len() as i64;
        Ok(())
    }

    /// The cross-visit findings take the catalogue's severities; an audit-log entry; the commit.
    pub async fn finish(mut self, cross: &CrossAudit) -> Result<AuditSummary, StoreError> {
        let mut n = Sql::new(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM claim_findings WHERE rule IN ('DUP01', 'AUTH03') AND hcode = ",
        );
        n.text(self.hcode.clone());
        let cross_rows = self.tx.rows(&n, |r| r.i("n")).await?;
        if cross_rows.first().copied().unwrap_or(0) == 0 {
            // None kept (a database from before the audit, or a clean unit): compute them.
            write_cross_findings(&mut self.tx, &self.hcode, cross).await?;
        }
        for (rule, sev) in [("DUP01", &cross.dup01), ("AUTH03", &cross.auth03)] {
            let mut u = Sql::new("UPDATE claim_findings SET severity = ");
            u.text(sev.clone())
                .push(" WHERE hcode = ")
                .text(self.hcode.clone())
                .push(" AND rule = ")
                .text(rule)
                .push(" AND severity <> ")
                .text(sev.clone());
            self.tx.exec(&u).await?;
        }
        let mut c =
            Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM claim_findings WHERE hcode = ");
        c.text(self.hcode.clone());
        let findings = self
            .tx
            .rows(&c, |r| r.i("n"))
            .await?
            .first()
            .copied()
            .unwrap_or(0);
        let summary = AuditSummary {
            visits: self.visits,
            findings,
            elapsed_ms: self.started.elapsed().as_millis() as i64,
        };
        let audit = Change::new("claim_audit", &self.hcode, "reaudit")
            .unit(&self.hcode)
            .after(serde_json::json!({ "visits": summary.visits, "findings": findings }))
            .sql(&self.actor);
        self.tx.exec(&audit).await?;
        for q in sums::findings_sums_sql(self.engine(), &self.hcode) {
            self.tx.exec(&q).await?;
        }
        self.tx.exec(&crate::bump_read_version()).await?;
        if let ImportTx::Sqlite(_) = &self.tx {
            self.tx.exec(&Sql::new("PRAGMA mmap_size = 0")).await?;
        }
        self.tx.commit().await?;
        Ok(summary)
    }
}
