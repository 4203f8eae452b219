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

    /// The rows of a batch through the native SQLite handle: one prepared INSERT per table,
    /// values bound in place.
    pub(crate) async fn insert_sqlite(
        &mut self,
        visits: &[NewVisit],
        order: &[usize],
        journal: &[JournalRow],
        findings: &[(String, FindingRow)],
        now: i64,
    ) -> Result<(), StoreError> {
        let ImportTx::Sqlite(tx) = &mut self.tx else {
            return Err(StoreError::Config("not a SQLite import".into()));
        };
        for j in journal {
            self.sums.add_journal(j);
        }
        let (hcode, id, no) = (self.hcode.as_str(), self.id.as_str(), self.no);
        let mut handle = tx.lock_handle().await?;
        let db = handle.as_raw_handle();
        let write = || -> Result<(), sqlx::Error> {
            let mut st =
                Stmt::prepare(db, &insert_sql("claim_visits", VISIT_COLS, VISIT_COL_COUNT))?;
            for nv in order.iter().map(|&i| &visits[i]) {
                st.run(&visit_vals(hcode, id, now, nv))?;
            }
            drop(st);
            let mut st = Stmt::prepare(
                db,
                &insert_sql("claim_journal", JOURNAL_COLS, JOURNAL_COL_COUNT),
            )?;
            for j in journal {
                st.run(&journal_vals(hcode, no, j))?;
            }
            drop(st);
            if !findings.is_empty() {
                let mut st = Stmt::prepare(
                    db,
                    &insert_sql("claim_findings", FINDING_COLS, FINDING_COL_COUNT),
                )?;
                for (vkey, f) in findings {
                    st.run(&finding_vals(hcode, vkey, f))?;
                }
            }
            Ok(())
        };
        // SQLite works on this thread: tell a multi-threaded runtime so it moves other tasks.
        let multi = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let done = if multi {
            tokio::task::block_in_place(write)
        } else {
            write()
        };
        drop(handle);
        done?;
        Ok(())
    }

    /// The rows of a batch as two COPYs (text format): no statement to parse or plan per
    /// batch, no parameter limit.
    pub(crate) async fn insert_pg(
        &mut self,
        visits: &[NewVisit],
        order: &[usize],
        journal: &[JournalRow],
        findings: &[(String, FindingRow)],
        now: i64,
    ) -> Result<(), StoreError> {
        let ImportTx::Postgres(tx) = &mut self.tx else {
            return Err(StoreError::Config("not a PostgreSQL import".into()));
        };
        for j in journal {
            self.sums.add_journal(j);
        }
        let (hcode, id, no) = (self.hcode.as_str(), self.id.as_str(), self.no);
        let mut buf = Vec::with_capacity(visits.len() * 1024);
        for nv in order.iter().map(|&i| &visits[i]) {
            copy_row(&mut buf, &visit_vals(hcode, id, now, nv));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_visits ({VISIT_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        buf.clear();
        for j in journal {
            copy_row(&mut buf, &journal_vals(hcode, no, j));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_journal ({JOURNAL_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        buf.clear();
        for (vkey, f) in findings {
            copy_row(&mut buf, &finding_vals(hcode, vkey, f));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_findings ({FINDING_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        Ok(())
    }
}
