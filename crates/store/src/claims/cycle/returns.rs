//! Importing a return (REP or STM) or a write-off: one transaction on the import connection that
//! stores the lines, sets the claims and writes the settlement entries.

use super::*;
use crate::claims::sums::{SHARE_COLS, STATUS_RETURNING, Share, SumDelta};
use crate::sql::binds;
use raidai_domain::ids::Hcode;

/// A REP line's claim status over the stored one (a later REP supersedes; a C or Deny goes to
/// the worklist as `to_fix` unless already being handled).
const REP_CONFLICT: &str = " ON CONFLICT (hcode, vkey) DO UPDATE SET tran_id = excluded.tran_id, status = excluded.status, appeal = excluded.appeal, \
     rep_no = excluded.rep_no, error_codes = excluded.error_codes, late = excluded.late, expected = excluded.expected, \
     rep_date = excluded.rep_date, updated_at = excluded.updated_at, \
     work = CASE WHEN excluded.status = 'accepted' AND claim_status.work <> 'written_off' THEN '' \
                 WHEN claim_status.work IN ('', 'resent') THEN 'to_fix' ELSE claim_status.work END";

/// A settlement's amounts added to the claim, its journal reference appended.
const SETTLE_CONFLICT: &str = " ON CONFLICT (hcode, vkey) DO UPDATE SET received = claim_status.received + excluded.received, \
     cleared = claim_status.cleared + excluded.cleared, written_down = claim_status.written_down + excluded.written_down, \
     written_up = claim_status.written_up + excluded.written_up, updated_at = excluded.updated_at, \
     open_amount = excluded.open_amount - claim_status.cleared, \
     tran_id = CASE WHEN claim_status.tran_id = '' THEN excluded.tran_id ELSE claim_status.tran_id END, \
     stm_status = CASE WHEN excluded.stm_status = '' THEN claim_status.stm_status ELSE excluded.stm_status END, \
     journal_refs = CASE WHEN claim_status.journal_refs = '' THEN excluded.journal_refs \
                         WHEN excluded.journal_refs = '' THEN claim_status.journal_refs \
                         ELSE claim_status.journal_refs || ' ' || excluded.journal_refs END";

/// Columns of [`StoredClaim`], in its field order (the native reader goes by position).
const STORED_CLAIM_COLS: &str = "v.vkey, v.setting, v.cid, v.date_serv, v.date_dsc, v.fund, v.receivable, v.fund_amount, v.posted, v.ver, \
     COALESCE(cs.status, '') AS status, COALESCE(cs.tran_id, '') AS tran_id, COALESCE(cs.cleared, 0) AS cleared, \
     COALESCE(cs.written_down, 0) AS written_down, COALESCE(cs.work, '') AS work, COALESCE(cs.expected, 0) AS expected \
     FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey";

/// A return being imported (or a write-off): one transaction on the import connection,
/// numbered in the unit's import sequence so its journal lines have their own entry refs.
pub struct ReturnSession {
    inner: ImportSession,
    meta: ReturnMeta,
    lines: i64,
    matched: i64,
    unmatched: i64,
    amount: i64,
    settled: i64,
    /// SQLite: read-model shares of visits read by `visits` since the last claim write, taken
    /// by the next `upsert_claims_sqlite` as the claims' shares before it.
    befores: HashMap<String, Share>,
}

impl Store {
    /// Starts importing a return. The same file twice is refused (nothing changes).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn begin_return(
        &self,
        actor: &Actor,
        unit: Hcode,
        meta: ReturnMeta,
    ) -> Result<ReturnSession, StoreError> {
        let hcode = unit.as_str();
        let mut dup = Sql::new(
            "SELECT r.no, r.at FROM claim_returns r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        dup.text(hcode)
            .push(" AND r.sha256 = ")
            .text(meta.sha256.clone());
        actor.push_unit_scope(&mut dup, "u");
        if let Some(r) = dup.query().fetch_optional(self.pool()).await? {
            let no = get_i(&r, "no")?;
            return Err(StoreError::field(
                "file",
                format!("this file was already imported (return no. {no}); nothing changed"),
                format!("ไฟล์นี้นำเข้าแล้ว (ครั้งที่ {no}) ไม่มีการเปลี่ยนแปลง"),
            ));
        }
        let files = vec![ImportFile {
            name: meta.file_name.clone(),
            kind: meta.kind.to_uppercase(),
            bytes: meta.bytes,
            sha256: meta.sha256.clone(),
            records: 0,
            encoding: String::new(),
            layout: meta.detail.clone(),
        }];
        let mut inner = self
            .begin_import(
                actor,
                unit,
                ImportMeta {
                    source_name: meta.file_name.clone(),
                    files,
                    strict: false,
                },
            )
            .await?;
        inner.kind = meta.kind;
        if inner.engine == Engine::Postgres {
            // A batch just committed may have added a quarter's claims: plan the lookups of
            // this return on statistics that know them.
            inner.tx.exec(&Sql::new("ANALYZE claim_status")).await?;
        }
        Ok(ReturnSession::new(inner, meta))
    }

    /// Starts a write-off of denied claims (journal only, no file).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn begin_writeoff(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<ReturnSession, StoreError> {
        let mut inner = self
            .begin_import(
                actor,
                unit,
                ImportMeta {
                    source_name: "write-off".into(),
                    files: Vec::new(),
                    strict: false,
                },
            )
            .await?;
        inner.kind = "writeoff";
        let meta = ReturnMeta {
            kind: "writeoff",
            file_name: String::new(),
            doc_no: String::new(),
            detail: String::new(),
            sha256: String::new(),
            bytes: 0,
        };
        Ok(ReturnSession::new(inner, meta))
    }
}

impl ReturnSession {
    fn new(inner: ImportSession, meta: ReturnMeta) -> ReturnSession {
        ReturnSession {
            inner,
            meta,
            lines: 0,
            matched: 0,
            unmatched: 0,
            amount: 0,
            settled: 0,
            befores: HashMap::new(),
        }
    }

    pub fn hcode(&self) -> &str {
        &self.inner.hcode
    }

    /// The posting date of an entry made today (`today`, yyyymmdd): today, or the first open
    /// month after it when today's month is closed.
    pub fn posting_date(&self, today: i64) -> i64 {
        self.inner.closed.posting_date(today)
    }

    /// The visits known by these TRAN_IDs (`tran_id → vkey`).
    pub async fn by_tran_id(
        &mut self,
        tran_ids: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut out = HashMap::new();
        let ids = distinct(tran_ids);
        if let ImportTx::Sqlite(t) = &mut self.inner.tx {
            // Point lookups on one prepared statement: cheaper than IN lists through sqlx.
            let mut handle = t.lock_handle().await?;
            let mut st = Stmt::prepare(
                handle.as_raw_handle(),
                "SELECT vkey FROM claim_status WHERE hcode = ? AND tran_id = ?",
            )?;
            for id in ids {
                st.query(&[Val::Text(&self.inner.hcode), Val::Text(id)], |r| {
                    out.insert(id.clone(), r.text(0));
                })?;
            }
            return Ok(out);
        }
        for chunk in ids.chunks(CHUNK) {
            let mut s = Sql::new("SELECT tran_id, vkey FROM claim_status WHERE hcode = ");
            s.text(self.inner.hcode.clone()).push(" AND tran_id IN (");
            s.texts(chunk.iter().map(|t| (*t).clone()));
            s.push(")");
            positional(self.inner.engine, &mut s);
            for (t, v) in self
                .inner
                .tx
                .rows(&s, |r| Ok((r.s("tran_id")?, r.s("vkey")?)))
                .await?
            {
                out.insert(t, v);
            }
        }
        Ok(out)
    }

    /// The stored visits of these keys, with their claims.
    pub async fn visits(
        &mut self,
        vkeys: &[String],
    ) -> Result<HashMap<String, StoredClaim>, StoreError> {
        let mut out = HashMap::new();
        let keys = distinct(vkeys);
        if let ImportTx::Sqlite(t) = &mut self.inner.tx {
            let mut handle = t.lock_handle().await?;
            // The same row also gives each visit's read-model share before this chunk's
            // writes, kept for `upsert_claims_sqlite` (which would otherwise read it again).
            let (stored, share) = STORED_CLAIM_COLS
                .split_once(" FROM ")
                .expect("a FROM clause");
            let mut st = Stmt::prepare(
                handle.as_raw_handle(),
                &format!(
                    "SELECT {stored}, {SHARE_COLS} FROM {share} WHERE v.hcode = ? AND v.vkey = ?"
                ),
            )?;
            // The share's columns by name, after the 16 of the stored claim.
            let mut names = st.column_names();
            for n in names.iter_mut().take(16) {
                n.clear();
            }
            let shares = &mut self.befores;
            let mut failed = None;
            for k in keys {
                st.query(&[Val::Text(&self.inner.hcode), Val::Text(k)], |r| {
                    match SumDelta::row_share(&NamedRow {
                        row: r,
                        names: &names,
                    }) {
                        Ok(s) => {
                            shares.insert(s.vkey.clone(), s);
                        }
                        Err(e) => failed = Some(e),
                    }
                    let c = StoredClaim {
                        vkey: r.text(0),
                        setting: r.text(1),
                        cid: r.text(2).into(),
                        date_serv: r.int(3),
                        date_dsc: r.int(4),
                        fund: r.text(5),
                        receivable: r.text(6),
                        fund_amount: r.int(7),
                        posted: r.int(8) != 0,
                        ver: r.int(9),
                        status: r.text(10),
                        tran_id: r.text(11),
                        cleared: r.int(12),
                        written_down: r.int(13),
                        work: r.text(14),
                        expected: r.int(15),
                    };
                    out.insert(c.vkey.clone(), c);
                })?;
            }
            if let Some(e) = failed {
                return Err(e.into());
            }
            return Ok(out);
        }
        for chunk in keys.chunks(CHUNK) {
            let mut s = Sql::new(&format!("SELECT {STORED_CLAIM_COLS} WHERE v.hcode = "));
            s.text(self.inner.hcode.clone()).push(" AND v.vkey IN (");
            s.texts(chunk.iter().map(|k| (*k).clone()));
            s.push(")");
            positional(self.inner.engine, &mut s);
            let rows = self
                .inner
                .tx
                .rows(&s, |r| {
                    Ok(StoredClaim {
                        vkey: r.s("vkey")?,
                        setting: r.s("setting")?,
                        cid: r.s("cid")?.into(),
                        date_serv: r.i("date_serv")?,
                        date_dsc: r.i("date_dsc")?,
                        fund: r.s("fund")?,
                        receivable: r.s("receivable")?,
                        fund_amount: r.i("fund_amount")?,
                        posted: r.i("posted")? != 0,
                        ver: r.i("ver")?,
                        status: r.s("status")?,
                        tran_id: r.s("tran_id")?,
                        expected: r.i("expected")?,
                        cleared: r.i("cleared")?,
                        written_down: r.i("written_down")?,
                        work: r.s("work")?,
                    })
                })
                .await?;
            for c in rows {
                out.insert(c.vkey.clone(), c);
            }
        }
        Ok(out)
    }

    /// Records the lines the reader could not use, as the import's reject rows.
    pub async fn write_rejects(&mut self, rejects: &[RejectRow]) -> Result<(), StoreError> {
        self.inner.write_rejects(rejects).await
    }

    /// Stores the lines of the return (all of them, matched or not): one prepared INSERT
    /// stepped per line on SQLite (values bound in place), a COPY on PostgreSQL.
    pub async fn write_lines(&mut self, lines: &[ReturnLineRow]) -> Result<(), StoreError> {
        self.lines += lines.len() as i64;
        self.matched += lines.iter().filter(|l| !l.vkey.is_empty()).count() as i64;
        self.unmatched += lines.iter().filter(|l| l.vkey.is_empty()).count() as i64;
        self.amount += lines.iter().map(|l| l.amount).sum::<i64>();
        let (hcode, no) = (self.inner.hcode.as_str(), self.inner.no);
        let rows = lines.iter().map(|l| line_vals(hcode, no, l));
        self.inner
            .tx
            .insert_each("claim_return_lines", RETURN_LINE_COLS, rows)
            .await?;
        Ok(())
    }

    /// Upserts claims, one row of [`STATUS_COLS`] and `open_amount` per claim, resolving a
    /// conflict by `conflict`, and moves the claim sums by each claim's share before and after.
    /// SQLite steps one prepared statement per row; PostgreSQL sends multi-row statements of
    /// [`CHUNK`] rows between share reads.
    async fn upsert_claims(
        &mut self,
        conflict: &str,
        rows: Vec<(&str, Vec<Val<'_>>)>,
    ) -> Result<(), StoreError> {
        let cols = format!("{STATUS_COLS}, open_amount");
        if matches!(self.inner.tx, ImportTx::Sqlite(_)) {
            let marks = vec!["?"; STATUS_COL_COUNT + 1].join(", ");
            let sql = format!(
                "INSERT INTO claim_status ({cols}) VALUES ({marks}){conflict}{STATUS_RETURNING}"
            );
            return self.upsert_claims_sqlite(&sql, &rows).await;
        }
        // One statement may not touch a claim twice (PostgreSQL refuses it): a claim given
        // again (a return file that repeats a visit) starts the next statement, in order.
        let mut groups: Vec<&[(&str, Vec<Val<'_>>)]> = Vec::new();
        let (mut from, mut keys) = (0, std::collections::HashSet::new());
        for (i, (k, _)) in rows.iter().enumerate() {
            if i - from == CHUNK || !keys.insert(*k) {
                groups.push(&rows[from..i]);
                from = i;
                keys.clear();
                keys.insert(*k);
            }
        }
        groups.push(&rows[from..]);
        for chunk in groups.into_iter().filter(|g| !g.is_empty()) {
            let keys: Vec<&str> = chunk.iter().map(|(k, _)| *k).collect();
            self.inner.load_shares(&keys, -1).await?;
            let mut u = values_sql(
                &format!("INSERT INTO claim_status ({cols}) VALUES "),
                chunk.iter().map(|(_, v)| v.as_slice()),
            );
            u.push(conflict);
            positional(self.inner.engine, &mut u);
            self.inner.tx.exec(&u).await?;
            self.inner.load_shares(&keys, 1).await?;
        }
        Ok(())
    }

    /// SQLite: runs `sql`, a claim_status upsert ending in `STATUS_RETURNING`, once per row
    /// (values bound in place) and moves the claim sums by each claim's share before the
    /// rows and as the last write of it returned it: one read per claim instead of two.
    async fn upsert_claims_sqlite(
        &mut self,
        sql: &str,
        rows: &[(&str, Vec<Val<'_>>)],
    ) -> Result<(), StoreError> {
        let mut keys: Vec<&str> = rows.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut seen = std::mem::take(&mut self.befores);
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| !seen.contains_key(*k))
            .collect();
        let mut befores = self.inner.share_map(&missing).await?;
        for k in &keys {
            if let Some(s) = seen.remove(*k) {
                befores.insert(s.vkey.clone(), s);
            }
        }
        for share in befores.values() {
            self.inner.sums.add(share, -1);
        }
        let mut afters: HashMap<&str, crate::claims::sums::Share> =
            HashMap::with_capacity(befores.len());
        {
            let ImportTx::Sqlite(t) = &mut self.inner.tx else {
                return Err(StoreError::Config("not a SQLite return".into()));
            };
            let mut handle = t.lock_handle().await?;
            let mut st = Stmt::prepare(handle.as_raw_handle(), sql)?;
            for (vkey, vals) in rows {
                let vkey = *vkey;
                // A claim with no visit row has no share (as the SQL loader would find none).
                let before = befores.get(vkey);
                st.query(vals, |r| {
                    if let Some(b) = before {
                        afters.insert(vkey, b.with_status(r));
                    }
                })?;
            }
        }
        for share in afters.values() {
            self.inner.sums.add(share, 1);
        }
        Ok(())
    }

    /// Applies REP results to the visits' claims (a later REP supersedes; the lines keep the
    /// history). A C or Deny goes to the worklist as `to_fix` unless already being handled.
    pub async fn apply_rep(&mut self, updates: &[RepStatus]) -> Result<(), StoreError> {
        let now = now_ms();
        let hcode = self.inner.hcode.clone();
        let rows = updates
            .iter()
            .map(|r| (r.vkey.as_str(), rep_vals(&hcode, r, now)))
            .collect();
        self.upsert_claims(REP_CONFLICT, rows).await
    }

    /// Writes settlement or write-off entries: journal lines on today's posting date, their
    /// references and the amounts on the claims (multi-row statements: a statement may settle a
    /// hundred thousand claims).
    pub async fn settle(&mut self, entries: &[SettleEntry], today: i64) -> Result<(), StoreError> {
        let post_date = self.inner.closed.posting_date(today);
        let fy = fiscal_year_of(post_date);
        let kind = if self.inner.kind == "writeoff" {
            "writeoff"
        } else {
            "settle"
        };
        let now = now_ms();
        let mut journal = Vec::new();
        // (entry, its new reference or '')
        let mut refs: Vec<(&SettleEntry, String)> = Vec::with_capacity(entries.len());
        for e in entries {
            let mut r = String::new();
            if !e.lines.is_empty() {
                let debit: i64 = e.lines.iter().map(|l| l.debit).sum();
                let credit: i64 = e.lines.iter().map(|l| l.credit).sum();
                if debit != credit {
                    return Err(StoreError::Config(format!(
                        "unbalanced settlement entry for {}: debit {debit} credit {credit}",
                        e.vkey
                    )));
                }
                // Settlement lines carry the visit's current version: they are not postings
                // and a later re-import numbers its own versions on.
                let entry = EntryRef {
                    import_no: self.inner.no,
                    first_n: self.inner.lines_written + 1,
                    lines: e.lines.len() as i64,
                };
                push_entry_ref(&mut r, entry);
                for (i, line) in e.lines.iter().enumerate() {
                    self.inner.lines_written += 1;
                    journal.push(JournalRow {
                        n: self.inner.lines_written,
                        vkey: e.vkey.clone(),
                        ver: e.ver,
                        line_no: i as i64 + 1,
                        date_serv: e.date_serv,
                        post_date,
                        fy,
                        kind,
                        line: line.clone(),
                    });
                }
            }
            refs.push((e, r));
        }
        self.settled += entries.iter().map(|e| e.received).sum::<i64>();
        let hcode = self.inner.hcode.clone();
        let rows = refs
            .iter()
            .map(|(e, r)| (e.vkey.as_str(), settle_vals(&hcode, e, r, now)))
            .collect();
        self.upsert_claims(SETTLE_CONFLICT, rows).await?;
        self.inner.insert_rows(&[], &[], &journal, &[], now).await?;
        self.inner.counts.journal_lines += journal.len() as i64;
        self.inner.counts.posted_amount += journal.iter().map(|j| j.line.debit).sum::<i64>();
        Ok(())
    }

    /// Marks a claim's follow-up (to_fix, resent, appealed, written_off) with a note.
    pub async fn set_work(&mut self, vkey: &str, work: &str, note: &str) -> Result<(), StoreError> {
        // claim_sum_status counts claims per follow-up state.
        self.befores.clear();
        self.inner.load_shares(&[vkey], -1).await?;
        let mut u = Sql::new("UPDATE claim_status SET work = ");
        u.text(work)
            .push(", work_note = ")
            .text(note)
            .push(", work_by = ")
            .text(self.inner.actor.who.username.clone())
            .push(", work_at = ")
            .int(now_ms())
            .push(" WHERE hcode = ")
            .text(self.inner.hcode.clone())
            .push(" AND vkey = ")
            .text(vkey);
        if self.inner.tx.exec(&u).await? == 0 {
            return Err(StoreError::NotFound);
        }
        self.inner.load_shares(&[vkey], 1).await?;
        let audit = Change::new("claim_status", vkey, "work")
            .unit(&self.inner.hcode)
            .after(serde_json::json!({ "work": work, "note": note }))
            .sql(&self.inner.actor);
        self.inner.tx.exec(&audit).await?;
        Ok(())
    }

    /// Records the return (a write-off records none) and commits everything.
    pub async fn finish(mut self, rejects: i64) -> Result<ReturnRecord, StoreError> {
        let at = now_ms();
        if self.meta.kind != "writeoff" {
            let mut s = Sql::new(
                "INSERT INTO claim_returns (hcode, no, import_id, kind, file_name, doc_no, detail, sha256, import_no, lines, matched, unmatched, rejects, amount, settled, at, username) VALUES (",
            );
            s.list(binds![
                self.inner.hcode.clone(),
                self.inner.no,
                self.inner.id.clone(),
                self.meta.kind,
                clean_file_name(&self.meta.file_name),
                self.meta.doc_no.clone(),
                self.meta.detail.clone(),
                self.meta.sha256.clone(),
                self.inner.no,
                self.lines,
                self.matched,
                self.unmatched,
                rejects,
                self.amount,
                self.settled,
                at,
                self.inner.actor.who.username.clone()
            ])
            .push(")");
            self.inner.tx.exec(&s).await?;
        }
        self.inner.rejects = rejects;
        let record = ReturnRecord {
            hcode: self.inner.hcode.clone(),
            no: self.inner.no,
            import_id: self.inner.id.clone(),
            kind: self.meta.kind.to_string(),
            file_name: clean_file_name(&self.meta.file_name),
            doc_no: self.meta.doc_no.clone(),
            detail: self.meta.detail.clone(),
            sha256: self.meta.sha256.clone(),
            import_no: self.inner.no,
            lines: self.lines,
            matched: self.matched,
            unmatched: self.unmatched,
            rejects,
            amount: self.amount,
            settled: self.settled,
            at,
            username: self.inner.actor.who.username.clone(),
        };
        self.inner
            .finish(
                ImportTotals {
                    rejects,
                    ..ImportTotals::default()
                },
                true,
            )
            .await?;
        Ok(record)
    }

    /// Abandons the return: nothing it wrote remains.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.inner.abort().await
    }
}

/// The non-empty values, sorted, each once: the keys a chunk looks up.
fn distinct(values: &[String]) -> Vec<&String> {
    let mut out: Vec<&String> = values.iter().filter(|v| !v.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}
