//! An import session: begin (or re-post), write rejects and visits with their postings,
//! finish (summaries, history, audit) or abort.

use super::*;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

mod finish;
mod native;

impl Store {
    /// A transaction on the import connection that holds the unit's import lock: on PostgreSQL
    /// an advisory lock, so one import, re-audit or return per unit runs at a time (the next
    /// import number stays unique); SQLite has one writer anyway.
    pub(in crate::claims) async fn begin_unit_tx(
        &self,
        hcode: &str,
    ) -> Result<ImportTx, StoreError> {
        let mut tx = match &self.imports {
            ImportPool::Sqlite(pool) => ImportTx::Sqlite(pool.begin().await?),
            ImportPool::Postgres(pool) => ImportTx::Postgres(pool.begin().await?),
        };
        if self.engine() == Engine::Postgres {
            let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
            l.text(format!("raidai-import:{hcode}")).push("))");
            tx.exec(&l).await?;
        }
        Ok(tx)
    }

    /// Starts an import for `hcode`: only an admin or the unit's own staff may import for it.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn begin_import(
        &self,
        actor: &Actor,
        unit: Hcode,
        mut meta: ImportMeta,
    ) -> Result<ImportSession, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        // Names come from uploads and zip entries: no direction overrides or controls stored.
        meta.source_name = clean_file_name(&meta.source_name);
        for f in &mut meta.files {
            f.name = clean_file_name(&f.name);
        }
        if !actor.may_import(hcode) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.begin_unit_tx(hcode).await?;
        if self.engine() == Engine::Sqlite {
            // Take the write lock before anything is read: a deferred transaction that reads
            // first fails with SQLITE_BUSY_SNAPSHOT when another connection (a sign-in writing
            // its session) commits before the import's first write. (Not `BEGIN IMMEDIATE`:
            // sqlx refuses a custom BEGIN on a connection whose transaction an `OR ROLLBACK`
            // ended, and such a connection begins with a SAVEPOINT instead.)
            tx.exec(&Sql::new("DELETE FROM claim_imports WHERE 0 = 1"))
                .await?;
            // A larger page cache for this connection while the import runs: fewer pages
            // spilled to the WAL before commit (reset in `finish`).
            tx.exec(&Sql::new("PRAGMA cache_size = -32768")).await?;
            // Foreign keys checked at commit: an INSERT then cannot fail halfway on one, so
            // SQLite skips its statement journal (a copy of every page it touches). Any
            // failure aborts the whole import anyway. Resets when the transaction ends.
            tx.exec(&Sql::new("PRAGMA defer_foreign_keys = ON")).await?;
        }
        let mut c = Sql::new("SELECT month FROM claim_periods WHERE hcode = ");
        c.text(hcode);
        let closed = ClosedMonths::new(tx.rows(&c, |r| r.i("month")).await?);
        let mut s = Sql::new("SELECT vkey FROM claim_visits WHERE hcode = ");
        s.text(hcode).push(" LIMIT 1");
        let empty = tx.rows(&s, |r| r.s("vkey")).await?.is_empty();
        let mut n = Sql::new(
            "SELECT CAST(COALESCE(MAX(no), 0) + 1 AS BIGINT) AS no FROM claim_imports WHERE hcode = ",
        );
        n.text(hcode);
        let no = tx
            .rows(&n, |r| r.i("no"))
            .await?
            .first()
            .copied()
            .unwrap_or(1);
        Ok(ImportSession {
            tx,
            actor: actor.clone(),
            hcode: hcode.to_string(),
            id: uuid::Uuid::now_v7().to_string(),
            meta,
            started: std::time::Instant::now(),
            counts: ImportCounts::default(),
            rejects: 0,
            empty,
            engine: self.engine(),
            no,
            closed,
            kind: "import",
            cross_audit: None,
            recon: Reconciliation::default(),
            lines_written: 0,
            sums: sums::SumDelta::default(),
            analyze: match &self.imports {
                ImportPool::Postgres(p) => Some(p.clone()),
                ImportPool::Sqlite(_) => None,
            },
            imports: match &self.imports {
                ImportPool::Sqlite(p) => Some(p.clone()),
                ImportPool::Postgres(_) => None,
            },
        })
    }
}

impl Store {
    /// Starts a re-post of a unit's visits that wait for a posting-map line: recorded in the
    /// import history as kind `repost`, written like an import (one transaction, audited).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn begin_repost(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<ImportSession, StoreError> {
        let meta = ImportMeta {
            source_name: "re-post".into(),
            files: Vec::new(),
            strict: false,
        };
        let mut session = self.begin_import(actor, unit, meta).await?;
        session.kind = "repost";
        Ok(session)
    }
}

impl ImportSession {
    /// Up to `limit` of the unit's visits waiting for a posting-map line, in key order after
    /// `after` (read inside the session's transaction).
    pub async fn waiting_visits(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<VisitRow>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = "
        ));
        s.text(self.hcode.clone())
            .push(" AND posted = 0 AND unposted_reason = ")
            .text(NO_MAPPING)
            .push(" AND vkey > ")
            .text(after)
            .push(" ORDER BY vkey LIMIT ")
            .int(limit.max(1));
        self.tx.rows(&s, stored_row).await
    }
}

impl ImportSession {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn hcode(&self) -> &str {
        &self.hcode
    }
    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Runs the cross-visit Data Audit checks over the unit when the import lands.
    pub fn set_cross_audit(&mut self, sev: CrossAudit) {
        self.cross_audit = Some(sev);
    }

    /// Writes the problems found by the reader (in multi-row batches).
    pub async fn write_rejects(&mut self, rejects: &[RejectRow]) -> Result<(), StoreError> {
        for chunk in rejects.chunks(LINE_CHUNK) {
            let mut s = Sql::new(
                "INSERT INTO claim_rejects (hcode, import_id, n, file, line, field, value, code, reason_th, reason_en, hn, seq, an) VALUES ",
            );
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                self.rejects += 1;
                s.push("(")
                    .list(binds![
                        self.hcode.clone(),
                        self.id.clone(),
                        self.rejects,
                        r.file.clone(),
                        r.line,
                        r.field.clone(),
                        r.value.clone(),
                        r.code.clone(),
                        r.reason_th.clone(),
                        r.reason_en.clone(),
                        r.hn.clone(),
                        r.seq.clone(),
                        r.an.clone()
                    ])
                    .push(")");
            }
            positional(self.engine, &mut s);
            self.tx.exec(&s).await?;
        }
        Ok(())
    }

    pub(crate) async fn existing(
        &mut self,
        rows: &[VisitRow],
    ) -> Result<HashMap<String, Existing>, StoreError> {
        let mut found = HashMap::new();
        if self.empty {
            return Ok(found);
        }
        for chunk in rows.chunks(LOOKUP_CHUNK) {
            let mut s = Sql::new(
                "SELECT vkey, content_hash, ver, posted_ver, post_date, post_import, post_n, post_lines, journal_refs, fund, inscl, total, paid, fund_amount, patient_amount, receivable, import_id, posted, unposted_reason, \
                 COALESCE((SELECT cs.cleared FROM claim_status cs WHERE cs.hcode = claim_visits.hcode AND cs.vkey = claim_visits.vkey), 0) AS cleared FROM claim_visits WHERE hcode = ",
            );
            s.text(self.hcode.clone()).push(" AND vkey IN (");
            s.texts(chunk.iter().map(|v| v.visit.vkey.clone()));
            s.push(")");
            positional(self.engine, &mut s);
            let rows = self
                .tx
                .rows(&s, |r| {
                    Ok((
                        r.s("vkey")?,
                        Existing {
                            hash: r.s("content_hash")?,
                            ver: r.i("ver")?,
                            posted_ver: r.i("posted_ver")?,
                            post_date: r.i("post_date")?,
                            posted: EntryRef {
                                import_no: r.i("post_import")?,
                                first_n: r.i("post_n")?,
                                lines: r.i("post_lines")?,
                            },
                            refs: r.s("journal_refs")?,
                            settled: (r.i("cleared")? != 0)
                                .then(|| -> Result<_, sqlx::Error> {
                                    Ok(SettledPosting {
                                        fund_amount: r.i("fund_amount")?,
                                        patient_amount: r.i("patient_amount")?,
                                        receivable: r.s("receivable")?,
                                        posted: r.i("posted")? != 0,
                                        unposted_reason: r.s("unposted_reason")?,
                                    })
                                })
                                .transpose()?,
                            summary: visit_summary(r)?,
                        },
                    ))
                })
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Writes one batch of visits with their postings: new visits are inserted, unchanged ones
    /// skipped, changed ones replaced with their old posting reversed and the change audited.
    ///
    /// The hot path binds owned values straight into multi-row INSERTs (no copies of the
    /// strings), with the statement text built once per batch shape.
    pub async fn write_visits(&mut self, rows: Vec<VisitRow>) -> Result<(), StoreError> {
        let existing = self.existing(&rows).await?;
        let now = now_ms();
        let mut to_insert: Vec<NewVisit> = Vec::with_capacity(rows.len());
        let mut journal: Vec<JournalRow> = Vec::with_capacity(rows.len() * 2);
        // (old posting, its reversal's first line number, version of the reversal, its date)
        let mut reversals: Vec<(EntryRef, i64, i64, i64)> = Vec::new();
        let mut replaced: Vec<String> = Vec::new();
        let mut findings: Vec<(String, FindingRow)> = Vec::new();
        for mut v in rows {
            self.recon.add(&v);
            for f in std::mem::take(&mut v.findings) {
                findings.push((v.visit.vkey.clone(), f));
            }
            let mut ver = 0;
            let mut refs = String::new();
            let mut frozen = None;
            if let Some(old) = existing.get(&v.visit.vkey) {
                if old.hash == v.content_hash {
                    self.counts.unchanged += 1;
                    continue;
                }
                ver = old.ver;
                refs = old.refs.clone();
                if let Some(p) = &old.settled {
                    // The fund has settled (or the unit written off) this claim: the changed
                    // bill is kept as data, but the posting and its amounts stay as settled,
                    // so the journal and the claim still agree to the satang.
                    v.lines.clear();
                    v.facts.fund_amount = p.fund_amount;
                    v.facts.patient_amount = p.patient_amount;
                    v.facts.receivable = p.receivable.clone();
                    v.facts.posted = p.posted;
                    v.facts.unposted_reason = p.unposted_reason.clone();
                    frozen = Some((old.posted_ver, old.posted, old.post_date));
                } else if old.posted_ver > 0 && old.posted.lines > 0 {
                    // Reversing entry of the current posting, at the next version.
                    ver += 1;
                    let first_n = self.lines_written + 1;
                    self.lines_written += old.posted.lines;
                    // Dated as the entry it reverses while that month is open; else in the
                    // first open month after it, so a closed month never changes.
                    let date = self.closed.posting_date(old.post_date);
                    reversals.push((old.posted, first_n, ver, date));
                    push_entry_ref(
                        &mut refs,
                        EntryRef {
                            import_no: self.no,
                            first_n,
                            lines: old.posted.lines,
                        },
                    );
                }
                replaced.push(v.visit.vkey.clone());
                let audit = Change::new("claim_visit", &v.visit.vkey, "update")
                    .unit(&self.hcode)
                    .before(old.summary.clone())
                    .after(row_summary(&v, &self.id))
                    .sql(&self.actor);
                self.tx.exec(&audit).await?;
                self.counts.updated += 1;
            } else {
                self.counts.inserted += 1;
            }
            let (mut posted_ver, mut posted, mut post_date) = frozen.unwrap_or((0, NO_ENTRY, 0));
            if !v.lines.is_empty() {
                post_date = self.closed.posting_date(v.recognised);
                let fy = fiscal_year_of(post_date);
                ver += 1;
                posted_ver = ver;
                posted = EntryRef {
                    import_no: self.no,
                    first_n: self.lines_written + 1,
                    lines: v.lines.len() as i64,
                };
                push_entry_ref(&mut refs, posted);
                for (i, line) in std::mem::take(&mut v.lines).into_iter().enumerate() {
                    self.counts.posted_amount += line.debit;
                    self.lines_written += 1;
                    journal.push(JournalRow {
                        n: self.lines_written,
                        vkey: v.visit.vkey.clone(),
                        ver,
                        line_no: i as i64 + 1,
                        date_serv: v.visit.date_serv,
                        post_date,
                        fy,
                        kind: "post",
                        line,
                    });
                }
            }
            if !v.facts.posted {
                self.counts.unposted += 1;
            }
            to_insert.push(NewVisit {
                row: v,
                ver,
                posted_ver,
                posted,
                post_date,
                refs,
            });
        }
        // On SQLite, OR ROLLBACK: a constraint failure ends the whole transaction (as the
        // import would anyway), so no statement journal is kept for these large INSERTs.
        let insert = match self.engine {
            Engine::Sqlite => "INSERT OR ROLLBACK INTO",
            Engine::Postgres => "INSERT INTO",
        };
        // Reversals: the old lines with debit and credit swapped, numbered in this import.
        for (old, first_n, new_ver, date) in &reversals {
            let mut s = Sql::new(&format!(
                "{insert} claim_journal (hcode, import_no, n, vkey, ver, line_no, kind, date_serv, post_date, fy, account, fund, debit, credit) SELECT hcode, "
            ));
            s.int(self.no)
                .push(", n + ")
                .int(first_n - old.first_n)
                .push(", vkey, ")
                .int(*new_ver)
                .push(", line_no, 'reverse', date_serv, ")
                .int(*date)
                .push(", ")
                .int(fiscal_year_of(*date))
                .push(", account, fund, credit, debit FROM claim_journal WHERE hcode = ")
                .text(self.hcode.clone())
                .push(" AND import_no = ")
                .int(old.import_no)
                .push(" AND n >= ")
                .int(old.first_n)
                .push(" AND n < ")
                .int(old.first_n + old.lines)
                .push(" ORDER BY n");
            self.counts.journal_lines += self.tx.exec(&s).await? as i64;
            self.sums.reversed = true;
        }
        let replaced_keys: Vec<&str> = replaced.iter().map(String::as_str).collect();
        self.load_shares(&replaced_keys, -1).await?;
        for chunk in replaced.chunks(LOOKUP_CHUNK) {
            let mut s = Sql::new("DELETE FROM claim_visits WHERE hcode = ");
            s.text(self.hcode.clone()).push(" AND vkey IN (");
            s.texts(chunk.iter().cloned());
            s.push(")");
            positional(self.engine, &mut s);
            self.tx.exec(&s).await?;
        }
        // Findings are re-evaluated on every import of a visit, changed or not.
        if !existing.is_empty() {
            let keys: Vec<&str> = existing.keys().map(String::as_str).collect();
            delete_findings(&mut self.tx, self.engine, &self.hcode, &keys).await?;
        }
        // In key order, each multi-row INSERT walks neighbouring index pages instead of
        // jumping across the whole B-tree for every row. Journal lines stay in the order of
        // their numbers: the journal's key grows with every line, so they are appended.
        // Sorted by index: moving the rows themselves (a kilobyte each) cost more than the sort.
        let mut order: Vec<usize> = (0..to_insert.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            to_insert[a]
                .row
                .visit
                .vkey
                .cmp(&to_insert[b].row.visit.vkey)
        });
        self.insert_rows(&to_insert, &order, &journal, &findings, now)
            .await?;
        self.counts.journal_lines += journal.len() as i64;
        // A visit seen for the first time has no claim yet: its share is what was written.
        for nv in &to_insert {
            if !existing.contains_key(&nv.row.visit.vkey) {
                self.sums.add(&sums::Share::of_new(&nv.row), 1);
            }
        }
        self.load_shares(&replaced_keys, 1).await?;
        Ok(())
    }

    /// Abandons the import: nothing it wrote remains.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
