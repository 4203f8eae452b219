//! The rows an import or a return writes through the native connection handles (SQLite
//! prepared statements, PostgreSQL COPY), and the read-model shares read around them.

use super::super::*;

impl ImportSession {
    /// Adds (`sign` 1) or subtracts (-1) the read-model shares of these visits as they stand
    /// now in the transaction.
    pub(crate) async fn load_shares(&mut self, keys: &[&str], sign: i64) -> Result<(), StoreError> {
        // Each visit once: a claim on two lines of a file is one share.
        let mut unique = keys.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let keys = unique.as_slice();
        if matches!(self.tx, ImportTx::Sqlite(_)) {
            for share in self.share_map(keys).await?.values() {
                self.sums.add(share, sign);
            }
            return Ok(());
        }
        for q in sums::SumDelta::share_queries(self.engine, &self.hcode, keys) {
            for share in self.tx.rows(&q, sums::SumDelta::row_share).await? {
                self.sums.add(&share, sign);
            }
        }
        Ok(())
    }

    /// SQLite: the read-model shares of these visits as they stand now, by visit key. Point
    /// lookups on one prepared statement: the IN-list query through sqlx decoded every row
    /// twice and was most of a return file's time.
    pub(crate) async fn share_map(
        &mut self,
        keys: &[&str],
    ) -> Result<HashMap<String, sums::Share>, StoreError> {
        let ImportTx::Sqlite(t) = &mut self.tx else {
            return Err(StoreError::Config("not a SQLite import".into()));
        };
        let mut handle = t.lock_handle().await?;
        let mut st = Stmt::prepare(handle.as_raw_handle(), &sums::SumDelta::share_point_query())?;
        let names = st.column_names();
        let mut out = HashMap::with_capacity(keys.len());
        let mut failed = None;
        for k in keys {
            st.query(
                &[Val::Text(&self.hcode), Val::Text(k)],
                |r| match sums::SumDelta::row_share(&NamedRow {
                    row: r,
                    names: &names,
                }) {
                    Ok(share) => {
                        out.insert(share.vkey.clone(), share);
                    }
                    Err(e) => failed = Some(e),
                },
            )?;
        }
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(out),
        }
    }

    /// The rows of a batch (visits in `order`, journal lines, findings), their journal lines
    /// added to the sums: one prepared INSERT per table on SQLite, one COPY per table on
    /// PostgreSQL.
    pub(crate) async fn insert_rows(
        &mut self,
        visits: &[NewVisit],
        order: &[usize],
        journal: &[JournalRow],
        findings: &[(String, FindingRow)],
        now: i64,
    ) -> Result<(), StoreError> {
        for j in journal {
            self.sums.add_journal(j);
        }
        let (hcode, id, no) = (self.hcode.as_str(), self.id.as_str(), self.no);
        let visit_rows = || {
            order
                .iter()
                .map(|&i| visit_vals(hcode, id, now, &visits[i]))
        };
        let journal_rows = || journal.iter().map(|j| journal_vals(hcode, no, j));
        let finding_rows = || findings.iter().map(|(k, f)| finding_vals(hcode, k, f));
        match &mut self.tx {
            ImportTx::Sqlite(tx) => {
                let mut handle = tx.lock_handle().await?;
                let db = handle.as_raw_handle();
                let write = || -> Result<(), sqlx::Error> {
                    insert_each(db, "claim_visits", VISIT_COLS, visit_rows())?;
                    insert_each(db, "claim_journal", JOURNAL_COLS, journal_rows())?;
                    if !findings.is_empty() {
                        insert_each(db, "claim_findings", FINDING_COLS, finding_rows())?;
                    }
                    Ok(())
                };
                // SQLite works on this thread: tell a multi-threaded runtime so it moves
                // other tasks.
                let multi = tokio::runtime::Handle::try_current().is_ok_and(|h| {
                    h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
                });
                if multi {
                    tokio::task::block_in_place(write)?;
                } else {
                    write()?;
                }
            }
            ImportTx::Postgres(tx) => {
                let mut buf = Vec::with_capacity(visits.len() * 1024);
                copy_each(tx, &mut buf, "claim_visits", VISIT_COLS, visit_rows()).await?;
                copy_each(tx, &mut buf, "claim_journal", JOURNAL_COLS, journal_rows()).await?;
                copy_each(tx, &mut buf, "claim_findings", FINDING_COLS, finding_rows()).await?;
            }
        }
        Ok(())
    }
}
