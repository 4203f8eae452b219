//! Importing a return (REP or STM) or a write-off: one transaction on the import connection that
//! stores the lines, sets the claims and writes the settlement entries.

use super::*;
use crate::claims::sums::{SHARE_COLS, STATUS_RETURNING, Share, SumDelta};

/// A REP or STM file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnMeta {
    /// `rep` or `stm`.
    pub kind: &'static str,
    pub file_name: String,
    pub doc_no: String,
    pub detail: String,
    pub sha256: String,
    pub bytes: u64,
}

/// An imported REP or STM file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRecord {
    pub hcode: String,
    pub no: i64,
    /// The import row of the return: its line rejects are listed and downloaded as that
    /// import's rejects.
    pub import_id: String,
    pub kind: String,
    pub file_name: String,
    pub doc_no: String,
    pub detail: String,
    pub sha256: String,
    pub import_no: i64,
    pub lines: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub rejects: i64,
    pub amount: i64,
    pub settled: i64,
    pub at: i64,
    pub username: String,
}

pub(super) fn return_from_row(r: &AnyRow) -> Result<ReturnRecord, StoreError> {
    Ok(ReturnRecord {
        hcode: get_s(r, "hcode")?,
        no: get_i(r, "no")?,
        import_id: get_s(r, "import_id")?,
        kind: get_s(r, "kind")?,
        file_name: get_s(r, "file_name")?,
        doc_no: get_s(r, "doc_no")?,
        detail: get_s(r, "detail")?,
        sha256: get_s(r, "sha256")?,
        import_no: get_i(r, "import_no")?,
        lines: get_i(r, "lines")?,
        matched: get_i(r, "matched")?,
        unmatched: get_i(r, "unmatched")?,
        rejects: get_i(r, "rejects")?,
        amount: get_i(r, "amount")?,
        settled: get_i(r, "settled")?,
        at: get_i(r, "at")?,
        username: get_s(r, "username")?,
    })
}

/// One line of a return as stored (matched or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnLineRow {
    pub row_no: i64,
    pub vkey: String,
    pub match_note: String,
    pub tran_id: String,
    pub rep_no: String,
    pub hn: String,
    pub seq_no: String,
    pub an: String,
    pub date_in: i64,
    pub outcome: String,
    pub error_codes: String,
    pub late: bool,
    pub claimed: i64,
    pub amount: i64,
}

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

pub(super) const RETURN_LINE_COLS: &str = "hcode, return_no, row_no, vkey, match_note, tran_id, rep_no, hn, seq_no, an, date_in, outcome, error_codes, late, claimed, amount";

pub(super) fn return_line(r: &AnyRow) -> Result<ReturnLineRow, StoreError> {
    Ok(ReturnLineRow {
        row_no: get_i(r, "row_no")?,
        vkey: get_s(r, "vkey")?,
        match_note: get_s(r, "match_note")?,
        tran_id: get_s(r, "tran_id")?,
        rep_no: get_s(r, "rep_no")?,
        hn: get_s(r, "hn")?,
        seq_no: get_s(r, "seq_no")?,
        an: get_s(r, "an")?,
        date_in: get_i(r, "date_in")?,
        outcome: get_s(r, "outcome")?,
        error_codes: get_s(r, "error_codes")?,
        late: get_i(r, "late")? != 0,
        claimed: get_i(r, "claimed")?,
        amount: get_i(r, "amount")?,
    })
}

/// Columns of [`StoredClaim`], in its field order (the native reader goes by position).
const STORED_CLAIM_COLS: &str = "v.vkey, v.setting, v.cid, v.date_serv, v.date_dsc, v.fund, v.receivable, v.fund_amount, v.posted, v.ver, \
     COALESCE(cs.status, '') AS status, COALESCE(cs.tran_id, '') AS tran_id, COALESCE(cs.cleared, 0) AS cleared, \
     COALESCE(cs.written_down, 0) AS written_down, COALESCE(cs.work, '') AS work, COALESCE(cs.expected, 0) AS expected \
     FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey";

/// What the matcher needs of a stored visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub vkey: String,
    pub setting: String,
    pub cid: String,
    pub date_serv: i64,
    pub date_dsc: i64,
    pub fund: String,
    pub receivable: String,
    pub fund_amount: i64,
    pub posted: bool,
    /// The visit's journal version (settlement lines carry it).
    pub ver: i64,
    pub status: String,
    pub tran_id: String,
    /// What the REP in force said the fund would pay.
    pub expected: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub work: String,
}

/// A REP line's effect on a visit's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepStatus {
    pub vkey: String,
    pub tran_id: String,
    /// accepted, corrective, deny
    pub status: String,
    pub appeal: bool,
    pub rep_no: String,
    pub error_codes: String,
    pub late: bool,
    pub expected: i64,
    pub rep_date: i64,
}

/// A journal entry on a visit's receivable (settlement or write-off) and what it does to the
/// visit's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleEntry {
    pub vkey: String,
    /// The visit's current journal version (settlement lines carry it).
    pub ver: i64,
    /// What the fund owes on the visit: the claim's open amount is this less what is cleared.
    pub fund_amount: i64,
    pub tran_id: String,
    pub date_serv: i64,
    /// Balanced lines (Σ debit = Σ credit).
    pub lines: Vec<PostLine>,
    pub received: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub written_up: i64,
    /// STM: matched or amount_diff; '' for a write-off.
    pub stm_status: String,
}

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
    pub async fn begin_return(
        &self,
        actor: &Actor,
        hcode: &str,
        meta: ReturnMeta,
    ) -> Result<ReturnSession, StoreError> {
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
                hcode,
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
        Ok(ReturnSession {
            inner,
            meta,
            lines: 0,
            matched: 0,
            unmatched: 0,
            amount: 0,
            settled: 0,
            befores: HashMap::new(),
        })
    }

    /// Starts a write-off of denied claims (journal only, no file).
    pub async fn begin_writeoff(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<ReturnSession, StoreError> {
        let mut inner = self
            .begin_import(
                actor,
                hcode,
                ImportMeta {
                    source_name: "write-off".into(),
                    files: Vec::new(),
                    strict: false,
                },
            )
            .await?;
        inner.kind = "writeoff";
        Ok(ReturnSession {
            inner,
            meta: ReturnMeta {
                kind: "writeoff",
                file_name: String::new(),
                doc_no: String::new(),
                detail: String::new(),
                sha256: String::new(),
                bytes: 0,
            },
            lines: 0,
            matched: 0,
            unmatched: 0,
            amount: 0,
            settled: 0,
            befores: HashMap::new(),
        })
    }
}

impl ReturnSession {
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
        let mut ids: Vec<&String> = tran_ids.iter().filter(|t| !t.is_empty()).collect();
        ids.sort();
        ids.dedup();
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
            for (i, t) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.text((*t).clone());
            }
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
        let mut keys: Vec<&String> = vkeys.iter().filter(|k| !k.is_empty()).collect();
        keys.sort();
        keys.dedup();
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
                        cid: r.text(2),
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
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.text((*k).clone());
            }
            s.push(")");
            positional(self.inner.engine, &mut s);
            let rows = self
                .inner
                .tx
                .rows(&s, |r| {
                    Ok(StoredClaim {
                        vkey: r.s("vkey")?,
                        setting: r.s("setting")?,
                        cid: r.s("cid")?,
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

    /// Stores the lines of the return (all of them, matched or not).
    pub async fn write_lines(&mut self, lines: &[ReturnLineRow]) -> Result<(), StoreError> {
        self.lines += lines.len() as i64;
        self.matched += lines.iter().filter(|l| !l.vkey.is_empty()).count() as i64;
        self.unmatched += lines.iter().filter(|l| l.vkey.is_empty()).count() as i64;
        self.amount += lines.iter().map(|l| l.amount).sum::<i64>();
        if let ImportTx::Sqlite(t) = &mut self.inner.tx {
            // One prepared INSERT stepped per line (values bound in place): the multi-row
            // statements through sqlx converted every value twice.
            let (hcode, no) = (self.inner.hcode.as_str(), self.inner.no);
            let mut handle = t.lock_handle().await?;
            let mut st = Stmt::prepare(
                handle.as_raw_handle(),
                &insert_sql("claim_return_lines", RETURN_LINE_COLS, 16),
            )?;
            for l in lines {
                st.run(&[
                    Val::Text(hcode),
                    Val::Int(no),
                    Val::Int(l.row_no),
                    Val::Text(&l.vkey),
                    Val::Text(&l.match_note),
                    Val::Text(&l.tran_id),
                    Val::Text(&l.rep_no),
                    Val::Text(&l.hn),
                    Val::Text(&l.seq_no),
                    Val::Text(&l.an),
                    Val::Int(l.date_in),
                    Val::Text(&l.outcome),
                    Val::Text(&l.error_codes),
                    Val::Int(i64::from(l.late)),
                    Val::Int(l.claimed),
                    Val::Int(l.amount),
                ])?;
            }
            return Ok(());
        }
        for chunk in lines.chunks(CHUNK) {
            let mut s = Sql::new(&format!(
                "INSERT INTO claim_return_lines ({RETURN_LINE_COLS}) VALUES "
            ));
            for (i, l) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.push("(")
                    .text(self.inner.hcode.clone())
                    .push(", ")
                    .int(self.inner.no)
                    .push(", ")
                    .int(l.row_no)
                    .push(", ")
                    .text(l.vkey.clone())
                    .push(", ")
                    .text(l.match_note.clone())
                    .push(", ")
                    .text(l.tran_id.clone())
                    .push(", ")
                    .text(l.rep_no.clone())
                    .push(", ")
                    .text(l.hn.clone())
                    .push(", ")
                    .text(l.seq_no.clone())
                    .push(", ")
                    .text(l.an.clone())
                    .push(", ")
                    .int(l.date_in)
                    .push(", ")
                    .text(l.outcome.clone())
                    .push(", ")
                    .text(l.error_codes.clone())
                    .push(", ")
                    .int(i64::from(l.late))
                    .push(", ")
                    .int(l.claimed)
                    .push(", ")
                    .int(l.amount)
                    .push(")");
            }
            positional(self.inner.engine, &mut s);
            self.inner.tx.exec(&s).await?;
        }
        Ok(())
    }

    /// SQLite: runs `sql`, a claim_status upsert ending in `STATUS_RETURNING`, once per row
    /// (values bound in place) and moves the claim sums by each claim's share before the
    /// rows and as the last write of it returned it: one read per claim instead of two.
    async fn upsert_claims_sqlite<'v>(
        &mut self,
        sql: &str,
        rows: impl Iterator<Item = (&'v str, Vec<Val<'v>>)> + Clone,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<&str> = rows.clone().map(|(k, _)| k).collect();
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
                // A claim with no visit row has no share (as the SQL loader would find none).
                let before = befores.get(vkey);
                st.query(&vals, |r| {
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
        let work_of = |r: &RepStatus| if r.status == "accepted" { "" } else { "to_fix" };
        if matches!(self.inner.tx, ImportTx::Sqlite(_)) {
            let hcode = self.inner.hcode.clone();
            let sql = format!(
                "INSERT INTO claim_status ({STATUS_COLS}) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, '', ?, '', '', 0, '', ?){REP_CONFLICT}{STATUS_RETURNING}"
            );
            let rows = updates.iter().map(|r| {
                (
                    r.vkey.as_str(),
                    vec![
                        Val::Text(&hcode),
                        Val::Text(&r.vkey),
                        Val::Text(&r.tran_id),
                        Val::Text(&r.status),
                        Val::Int(i64::from(r.appeal)),
                        Val::Text(&r.rep_no),
                        Val::Text(&r.error_codes),
                        Val::Int(i64::from(r.late)),
                        Val::Int(r.expected),
                        Val::Int(r.rep_date),
                        Val::Text(work_of(r)),
                        Val::Int(now),
                    ],
                )
            });
            return self.upsert_claims_sqlite(&sql, rows).await;
        }
        for chunk in updates.chunks(CHUNK) {
            let keys: Vec<&str> = chunk.iter().map(|r| r.vkey.as_str()).collect();
            self.inner.load_shares(&keys, -1).await?;
            let mut u = Sql::new(&format!("INSERT INTO claim_status ({STATUS_COLS}) VALUES "));
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    u.push(", ");
                }
                u.push("(")
                    .text(self.inner.hcode.clone())
                    .push(", ")
                    .text(r.vkey.clone())
                    .push(", 0, ")
                    .text(r.tran_id.clone())
                    .push(", ")
                    .text(r.status.clone())
                    .push(", ")
                    .int(i64::from(r.appeal))
                    .push(", ")
                    .text(r.rep_no.clone())
                    .push(", ")
                    .text(r.error_codes.clone())
                    .push(", ")
                    .int(i64::from(r.late))
                    .push(", ")
                    .int(r.expected)
                    .push(", ")
                    .int(r.rep_date)
                    .push(", 0, 0, 0, 0, '', ")
                    .text(work_of(r))
                    .push(", '', '', 0, '', ")
                    .int(now)
                    .push(")");
            }
            u.push(REP_CONFLICT);
            positional(self.inner.engine, &mut u);
            self.inner.tx.exec(&u).await?;
            self.inner.load_shares(&keys, 1).await?;
        }
        Ok(())
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
        if matches!(self.inner.tx, ImportTx::Sqlite(_)) {
            let hcode = self.inner.hcode.clone();
            let sql = format!(
                "INSERT INTO claim_status ({STATUS_COLS}, open_amount) VALUES (?, ?, 0, ?, 'accepted', 0, '', '', 0, 0, 0, ?, ?, ?, ?, ?, '', '', '', 0, ?, ?, ?){SETTLE_CONFLICT}{STATUS_RETURNING}"
            );
            let rows = refs.iter().map(|(e, r)| {
                (
                    e.vkey.as_str(),
                    vec![
                        Val::Text(&hcode),
                        Val::Text(&e.vkey),
                        Val::Text(&e.tran_id),
                        Val::Int(e.received),
                        Val::Int(e.cleared),
                        Val::Int(e.written_down),
                        Val::Int(e.written_up),
                        Val::Text(&e.stm_status),
                        Val::Text(r),
                        Val::Int(now),
                        Val::Int(e.fund_amount - e.cleared),
                    ],
                )
            });
            self.upsert_claims_sqlite(&sql, rows).await?;
        } else {
            for chunk in refs.chunks(CHUNK) {
                let keys: Vec<&str> = chunk.iter().map(|(e, _)| e.vkey.as_str()).collect();
                self.inner.load_shares(&keys, -1).await?;
                let mut u = Sql::new(&format!(
                    "INSERT INTO claim_status ({STATUS_COLS}, open_amount) VALUES "
                ));
                for (i, (e, r)) in chunk.iter().enumerate() {
                    if i > 0 {
                        u.push(", ");
                    }
                    u.push("(")
                        .text(self.inner.hcode.clone())
                        .push(", ")
                        .text(e.vkey.clone())
                        .push(", 0, ")
                        .text(e.tran_id.clone())
                        .push(", 'accepted', 0, '', '', 0, 0, 0, ")
                        .int(e.received)
                        .push(", ")
                        .int(e.cleared)
                        .push(", ")
                        .int(e.written_down)
                        .push(", ")
                        .int(e.written_up)
                        .push(", ")
                        .text(e.stm_status.clone())
                        .push(", '', '', '', 0, ")
                        .text(r.clone())
                        .push(", ")
                        .int(now)
                        .push(", ")
                        .int(e.fund_amount - e.cleared)
                        .push(")");
                }
                u.push(SETTLE_CONFLICT);
                positional(self.inner.engine, &mut u);
                self.inner.tx.exec(&u).await?;
                self.inner.load_shares(&keys, 1).await?;
            }
        }
        if matches!(self.inner.tx, ImportTx::Sqlite(_)) {
            self.inner
                .insert_sqlite(&[], &[], &journal, &[], now)
                .await?;
        } else {
            self.inner.insert_pg(&[], &[], &journal, &[], now).await?;
        }
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
            .text(self.inner.actor.username.clone())
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
        let audit = change_sql(
            &self.inner.actor,
            Change {
                hcode: Some(&self.inner.hcode),
                entity: "claim_status",
                key: vkey,
                action: "work",
                before: None,
                after: Some(serde_json::json!({ "work": work, "note": note })),
            },
        );
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
            s.text(self.inner.hcode.clone())
                .push(", ")
                .int(self.inner.no)
                .push(", ")
                .text(self.inner.id.clone())
                .push(", ")
                .text(self.meta.kind)
                .push(", ")
                .text(clean_file_name(&self.meta.file_name))
                .push(", ")
                .text(self.meta.doc_no.clone())
                .push(", ")
                .text(self.meta.detail.clone())
                .push(", ")
                .text(self.meta.sha256.clone())
                .push(", ")
                .int(self.inner.no)
                .push(", ")
                .int(self.lines)
                .push(", ")
                .int(self.matched)
                .push(", ")
                .int(self.unmatched)
                .push(", ")
                .int(rejects)
                .push(", ")
                .int(self.amount)
                .push(", ")
                .int(self.settled)
                .push(", ")
                .int(at)
                .push(", ")
                .text(self.inner.actor.username.clone())
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
            username: self.inner.actor.username.clone(),
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
