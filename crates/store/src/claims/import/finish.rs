//! The end of an import: its read models, history row and audit entry, then the commit.

use super::super::*;
use crate::sql::binds;

impl ImportSession {
    /// Records the import in the history and commits everything. `landed = false` (strict mode
    /// with rejects) records the attempt and its rejects only.
    pub async fn finish(
        mut self,
        totals: ImportTotals,
        landed: bool,
    ) -> Result<ImportRecord, StoreError> {
        let elapsed_ms = self.started.elapsed().as_millis() as i64;
        let at = now_ms();
        let status = if landed { "imported" } else { "rejected" };
        if landed && self.counts.updated > 0 {
            // The reversing lines swap debit and credit: their debits are the reversed total.
            let mut q = Sql::new(
                "SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT) AS amount FROM claim_journal WHERE hcode = ",
            );
            q.text(self.hcode.clone())
                .push(" AND import_no = ")
                .int(self.no)
                .push(" AND kind = 'reverse'");
            self.counts.reversed_amount = self
                .tx
                .rows(&q, |r| r.i("amount"))
                .await?
                .first()
                .copied()
                .unwrap_or(0);
        }
        if landed && let Some(sev) = self.cross_audit.take() {
            if self.engine == Engine::Postgres
                && self.counts.inserted + self.counts.updated >= ANALYZE_AFTER
            {
                // The cross-visit checks join the unit's visits with themselves: planned on
                // statistics that do not know this import's rows they took 30–65 s for a
                // hospital's year. ANALYZE counts the transaction's own rows.
                self.tx.exec(&Sql::new("ANALYZE claim_visits")).await?;
            }
            write_cross_findings(&mut self.tx, &self.hcode, &sev).await?;
        }
        // The read models move with what this transaction wrote, whatever it was.
        if self.sums.reversed {
            for q in sums::reversal_sums_sql(self.engine, &self.hcode, self.no) {
                self.tx.exec(&q).await?;
            }
        }
        for q in self.sums.flush(self.engine, &self.hcode) {
            self.tx.exec(&q).await?;
        }
        // Imports and re-posts rewrite findings (returns and write-offs touch none).
        if matches!(self.kind, "import" | "repost") {
            for q in sums::findings_sums_sql(self.engine, &self.hcode) {
                self.tx.exec(&q).await?;
            }
        }
        let files_json = serde_json::to_string(&self.meta.files).unwrap_or_else(|_| "[]".into());
        let mut s = Sql::new(
            "INSERT INTO claim_imports (hcode, id, no, at, user_id, username, source_name, files_json, strict, status, visits_read, admissions_read, inserted, updated, unchanged, rejected_encounters, rejects, unposted, posted_amount, reversed_amount, elapsed_ms, kind, cht_total, paid_total, fund_posted, patient_posted, unposted_amount, in_hospital_amount, overpaid) VALUES (",
        );
        s.list(binds![
            self.hcode.clone(),
            self.id.clone(),
            self.no,
            at,
            self.actor.user_id.clone(),
            self.actor.who.username.clone(),
            self.meta.source_name.clone(),
            files_json,
            i64::from(self.meta.strict),
            status,
            totals.visits_read,
            totals.admissions_read,
            self.counts.inserted,
            self.counts.updated,
            self.counts.unchanged,
            totals.rejected_encounters,
            totals.rejects.max(self.rejects),
            self.counts.unposted,
            self.counts.posted_amount,
            self.counts.reversed_amount,
            elapsed_ms,
            self.kind,
            self.recon.cht_total,
            self.recon.paid,
            self.recon.fund_posted,
            self.recon.patient_posted,
            self.recon.unposted,
            self.recon.in_hospital,
            self.recon.overpaid
        ])
        .push(")");
        self.tx.exec(&s).await?;
        let audit = Change::new("claim_import", &self.id, status).unit(&self.hcode).after(serde_json::json!({ "source": self.meta.source_name, "inserted": self.counts.inserted, "updated": self.counts.updated, "unchanged": self.counts.unchanged, "rejects": totals.rejects, })).sql(&self.actor);
        self.tx.exec(&audit).await?;
        self.tx.exec(&crate::bump_read_version()).await?;
        if self.engine == Engine::Sqlite {
            self.tx.exec(&Sql::new("PRAGMA cache_size = -2000")).await?;
        }
        let pg = matches!(self.tx, ImportTx::Postgres(_));
        self.tx.commit().await?;
        if pg && self.counts.inserted + self.counts.updated >= ANALYZE_AFTER {
            // A large import leaves PostgreSQL's statistics describing a much smaller table:
            // with them, the claim lookups of the next REP (hcode + vkey) were planned on the
            // wrong index (1.2 s per thousand claims instead of milliseconds).
            if let Some(conn) = self.analyze.take() {
                let _ = sqlx::raw_sql("ANALYZE claim_visits; ANALYZE claim_journal; ANALYZE claim_findings; ANALYZE claim_status")
                    .execute(&conn)
                    .await
                    .inspect_err(|e| tracing::warn!(error = %e, "ANALYZE after import failed"));
            }
        }
        if let Some(pool) = self.imports.clone() {
            // The WAL now holds the whole import: copy it into the database in the background
            // (the import connection does not checkpoint at commit). The next import waits
            // for it, as the import pool has one connection.
            tokio::spawn(async move {
                match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    // Closed: the process is ending, and closing checkpoints by itself.
                    Ok(_) | Err(sqlx::Error::PoolClosed) => {}
                    Err(e) => tracing::warn!(error = %e, "checkpoint after import failed"),
                }
            });
        }
        Ok(ImportRecord {
            hcode: self.hcode,
            unit_name: String::new(),
            id: self.id,
            at,
            username: self.actor.who.username,
            source_name: self.meta.source_name,
            files: self.meta.files,
            strict: self.meta.strict,
            status: status.into(),
            kind: self.kind.into(),
            totals,
            counts: self.counts,
            recon: self.recon,
            elapsed_ms,
        })
    }
}
