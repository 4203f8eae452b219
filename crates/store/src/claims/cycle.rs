//! The claim cycle's storage: claim batches, the returns of the funds (REP and STM lines),
//! each visit's claim status, settlement and write-off entries in the journal, the C / Deny
//! worklist, aging and the roll-up. What a line means (matching, outcome, which accounts a
//! settlement uses) is decided in `raidai_claims::cycle`; this module reads and writes.

use super::*;

/// Keys per `IN (…)` lookup and rows per multi-row INSERT here.
const CHUNK: usize = 500;

/// What an officer chose for a claim batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchSpec {
    /// Posting-map funds (UC, OFC, …); at least one.
    pub funds: Vec<String>,
    /// Recognition dates (service; discharge for IP), `yyyymmdd`, inclusive.
    pub date_from: i64,
    pub date_to: i64,
    /// Also send visits with a blocking Data Audit finding.
    pub include_blocked: bool,
    /// `fdh` or `classic`.
    pub headers: String,
}

/// A visit that may be claimed, with whether a blocking finding stands on it.
#[derive(Debug, Clone)]
pub struct BatchCandidate {
    pub row: VisitRow,
    pub blocked: bool,
}

/// A claim batch as recorded (without its zip).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRecord {
    pub hcode: String,
    pub no: i64,
    pub funds: String,
    pub date_from: i64,
    pub date_to: i64,
    pub headers: String,
    pub include_blocked: bool,
    pub visits: i64,
    pub blocked: i64,
    pub amount: i64,
    pub files: serde_json::Value,
    pub zip_sha256: String,
    pub created_at: i64,
    pub created_by: String,
    /// Of its visits: accepted, corrective, denied (as they stand now) and Σ received.
    pub accepted: i64,
    pub corrective: i64,
    pub denied: i64,
    pub received: i64,
}

const BATCH_COLS: &str = "b.hcode, b.no, b.funds, b.date_from, b.date_to, b.headers, b.include_blocked, b.visits, b.blocked, b.amount, b.files_json, b.zip_sha256, b.created_at, b.created_by, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM claim_status s WHERE s.hcode = b.hcode AND s.batch_no = b.no AND s.status = 'accepted') AS n_accepted, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM claim_status s WHERE s.hcode = b.hcode AND s.batch_no = b.no AND s.status = 'corrective') AS n_corrective, \
    (SELECT CAST(COUNT(*) AS BIGINT) FROM claim_status s WHERE s.hcode = b.hcode AND s.batch_no = b.no AND s.status = 'deny') AS n_denied, \
    (SELECT CAST(COALESCE(SUM(s.received), 0) AS BIGINT) FROM claim_status s WHERE s.hcode = b.hcode AND s.batch_no = b.no) AS received";

fn batch_from_row(r: &AnyRow) -> Result<BatchRecord, StoreError> {
    Ok(BatchRecord {
        hcode: get_s(r, "hcode")?,
        no: get_i(r, "no")?,
        funds: get_s(r, "funds")?,
        date_from: get_i(r, "date_from")?,
        date_to: get_i(r, "date_to")?,
        headers: get_s(r, "headers")?,
        include_blocked: get_i(r, "include_blocked")? != 0,
        visits: get_i(r, "visits")?,
        blocked: get_i(r, "blocked")?,
        amount: get_i(r, "amount")?,
        files: serde_json::from_str(&get_s(r, "files_json")?).unwrap_or_default(),
        zip_sha256: get_s(r, "zip_sha256")?,
        created_at: get_i(r, "created_at")?,
        created_by: get_s(r, "created_by")?,
        accepted: get_i(r, "n_accepted")?,
        corrective: get_i(r, "n_corrective")?,
        denied: get_i(r, "n_denied")?,
        received: get_i(r, "received")?,
    })
}

/// SQL of a visit's recognition date (IP at discharge) for alias `v`.
const RECOGNISED_SQL: &str = "(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END)";

/// A blocking finding not accepted by the unit, on visit alias `v`.
const BLOCKED_SQL: &str = "EXISTS (SELECT 1 FROM claim_findings f WHERE f.hcode = v.hcode AND f.vkey = v.vkey AND f.severity = 'block' AND NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule))";

impl Store {
    /// The unit's visits a batch for `spec` would send: posted with a fund amount, of the
    /// funds, recognised in the range, never sent or sent back as C (to resend).
    pub async fn batch_candidates(
        &self,
        actor: &Actor,
        hcode: &str,
        spec: &BatchSpec,
    ) -> Result<Vec<BatchCandidate>, StoreError> {
        self.get_unit(actor, hcode).await?;
        if spec.funds.is_empty() {
            return Ok(Vec::new());
        }
        let mut s = Sql::new(&format!(
            "SELECT {}, CASE WHEN {BLOCKED_SQL} THEN 1 ELSE 0 END AS blocked FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE v.hcode = ",
            STORED_ROW_COLS
                .split(", ")
                .map(|c| format!("v.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        s.text(hcode)
            .push(" AND v.posted = 1 AND v.fund_amount > 0 AND v.fund IN (");
        for (i, f) in spec.funds.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.text(f.clone());
        }
        s.push(&format!(") AND {RECOGNISED_SQL} >= "))
            .int(spec.date_from)
            .push(&format!(" AND {RECOGNISED_SQL} <= "))
            .int(spec.date_to)
            .push(" AND (cs.vkey IS NULL OR cs.status = 'corrective') ORDER BY v.vkey");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(BatchCandidate {
                    row: stored_row(r)?,
                    blocked: get_i(r, "blocked")? != 0,
                })
            })
            .collect()
    }

    /// Records a batch: its visits, files and zip; each visit's claim becomes `sent` (a C
    /// being fixed becomes `resent` in the worklist).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_batch(
        &self,
        actor: &Actor,
        hcode: &str,
        spec: &BatchSpec,
        visits: &[(String, i64, bool)],
        files_json: String,
        zip: Vec<u8>,
        zip_sha256: String,
    ) -> Result<BatchRecord, StoreError> {
        self.get_unit(actor, hcode).await?;
        if !can_import(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        if self.engine() == Engine::Postgres {
            let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
            l.text(format!("raidai-batch:{hcode}")).push("))");
            l.query().execute(&mut *tx).await?;
        }
        let mut n = Sql::new(
            "SELECT CAST(COALESCE(MAX(no), 0) + 1 AS BIGINT) AS no FROM claim_batches WHERE hcode = ",
        );
        n.text(hcode);
        let no = get_i(&n.query().fetch_one(&mut *tx).await?, "no")?;
        let amount: i64 = visits.iter().map(|v| v.1).sum();
        let blocked = visits.iter().filter(|v| v.2).count() as i64;
        // Bytes need a binary bind, which the small builder does not carry.
        sqlx::query(
            "INSERT INTO claim_batches (hcode, no, funds, date_from, date_to, headers, include_blocked, visits, blocked, amount, files_json, zip_sha256, zip, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(hcode.to_string())
        .bind(no)
        .bind(spec.funds.join(","))
        .bind(spec.date_from)
        .bind(spec.date_to)
        .bind(spec.headers.clone())
        .bind(i64::from(spec.include_blocked))
        .bind(visits.len() as i64)
        .bind(blocked)
        .bind(amount)
        .bind(files_json)
        .bind(zip_sha256)
        .bind(zip)
        .bind(now)
        .bind(actor.username.clone())
        .execute(&mut *tx)
        .await?;
        for chunk in visits.chunks(CHUNK) {
            let mut s =
                Sql::new("INSERT INTO claim_batch_visits (hcode, batch_no, vkey, amount) VALUES ");
            for (i, (vkey, amt, _)) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.push("(")
                    .text(hcode)
                    .push(", ")
                    .int(no)
                    .push(", ")
                    .text(vkey.clone())
                    .push(", ")
                    .int(*amt)
                    .push(")");
            }
            s.query().execute(&mut *tx).await?;
            let mut u = Sql::new(&format!("INSERT INTO claim_status ({STATUS_COLS}) VALUES "));
            for (i, (vkey, _, _)) in chunk.iter().enumerate() {
                if i > 0 {
                    u.push(", ");
                }
                u.push("(")
                    .text(hcode)
                    .push(", ")
                    .text(vkey.clone())
                    .push(", ")
                    .int(no)
                    .push(", '', 'sent', 0, '', '', 0, 0, 0, 0, 0, 0, 0, '', '', '', '', 0, '', ")
                    .int(now)
                    .push(")");
            }
            u.push(" ON CONFLICT (hcode, vkey) DO UPDATE SET batch_no = excluded.batch_no, status = 'sent', updated_at = excluded.updated_at, work = CASE WHEN claim_status.work = 'to_fix' THEN 'resent' ELSE claim_status.work END");
            u.query().execute(&mut *tx).await?;
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "claim_batch",
                key: &no.to_string(),
                action: "create",
                before: None,
                after: Some(serde_json::json!({
                    "funds": spec.funds, "from": spec.date_from, "to": spec.date_to,
                    "visits": visits.len(), "amount": amount, "blocked": blocked,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_batch(actor, hcode, no).await
    }

    /// The citizen IDs of these visits (for synthetic returns; never shown).
    pub async fn visit_cids(
        &self,
        actor: &Actor,
        hcode: &str,
        vkeys: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut out = HashMap::new();
        for chunk in vkeys.chunks(CHUNK) {
            let mut s = Sql::new("SELECT vkey, cid FROM claim_visits WHERE hcode = ");
            s.text(hcode).push(" AND vkey IN (");
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.text(k.clone());
            }
            s.push(")");
            positional(self.engine(), &mut s);
            for r in s.query().fetch_all(self.pool()).await? {
                out.insert(get_s(&r, "vkey")?, get_s(&r, "cid")?);
            }
        }
        Ok(out)
    }

    /// Each visit's balance (debit - credit) on its own receivable account, from the journal:
    /// what a recomputation of [`ClaimRow::outstanding`] gives.
    pub async fn receivable_balances(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<HashMap<String, i64>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT j.vkey, CAST(SUM(j.debit - j.credit) AS BIGINT) AS b FROM claim_journal j JOIN claim_visits v ON v.hcode = j.hcode AND v.vkey = j.vkey AND v.receivable = j.account WHERE j.hcode = ",
        );
        s.text(hcode).push(" GROUP BY j.vkey");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_s(r, "vkey")?, get_i(r, "b")?)))
            .collect()
    }

    /// The unit's batches, newest first.
    pub async fn list_batches(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Vec<BatchRecord>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {BATCH_COLS} FROM claim_batches b JOIN units u ON u.hcode = b.hcode WHERE b.hcode = "
        ));
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY b.no DESC");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(batch_from_row).collect()
    }

    pub async fn get_batch(
        &self,
        actor: &Actor,
        hcode: &str,
        no: i64,
    ) -> Result<BatchRecord, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {BATCH_COLS} FROM claim_batches b JOIN units u ON u.hcode = b.hcode WHERE b.hcode = "
        ));
        s.text(hcode).push(" AND b.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        batch_from_row(&row)
    }

    /// The batch's zip as sent.
    pub async fn batch_zip(
        &self,
        actor: &Actor,
        hcode: &str,
        no: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let mut s = Sql::new(
            "SELECT b.zip FROM claim_batches b JOIN units u ON u.hcode = b.hcode WHERE b.hcode = ",
        );
        s.text(hcode).push(" AND b.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(sqlx::Row::try_get(&row, "zip")?)
    }

    /// The visits of a batch with their claim as it stands.
    pub async fn batch_visits(
        &self,
        actor: &Actor,
        hcode: &str,
        no: i64,
        limit: i64,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        self.get_batch(actor, hcode, no).await?;
        let mut s = Sql::new(&format!(
            "SELECT {CLAIM_ROW_COLS} FROM claim_batch_visits bv JOIN claim_visits v ON v.hcode = bv.hcode AND v.vkey = bv.vkey LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE bv.hcode = "
        ));
        s.text(hcode)
            .push(" AND bv.batch_no = ")
            .int(no)
            .push(" ORDER BY v.vkey LIMIT ")
            .int(limit.clamp(1, 100_000));
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(claim_row).collect()
    }
}

const STATUS_COLS: &str = "hcode, vkey, batch_no, tran_id, status, appeal, rep_no, error_codes, late, expected, rep_date, received, cleared, written_down, written_up, stm_status, work, work_note, work_by, work_at, journal_refs, updated_at";

/// A visit with its claim, for the worklist, batch detail and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    pub vkey: String,
    pub setting: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
    pub date_serv: i64,
    pub date_dsc: i64,
    pub fund: String,
    pub inscl: String,
    pub receivable: String,
    /// The receivable posted for the fund.
    pub fund_amount: i64,
    pub batch_no: i64,
    pub tran_id: String,
    /// '' (never claimed), sent, accepted, corrective, deny.
    pub status: String,
    pub appeal: bool,
    pub rep_no: String,
    pub error_codes: String,
    pub late: bool,
    pub expected: i64,
    pub rep_date: i64,
    pub received: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub written_up: i64,
    pub stm_status: String,
    pub work: String,
    pub work_note: String,
    pub work_by: String,
    pub work_at: i64,
}

impl ClaimRow {
    /// What is still owed on the visit's receivable.
    pub fn outstanding(&self) -> i64 {
        self.fund_amount - self.cleared
    }
}

const CLAIM_ROW_COLS: &str = "v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.date_dsc, v.fund, v.inscl, v.receivable, v.fund_amount, \
    COALESCE(cs.batch_no, 0) AS batch_no, COALESCE(cs.tran_id, '') AS tran_id, COALESCE(cs.status, '') AS status, COALESCE(cs.appeal, 0) AS appeal, \
    COALESCE(cs.rep_no, '') AS rep_no, COALESCE(cs.error_codes, '') AS error_codes, COALESCE(cs.late, 0) AS late, COALESCE(cs.expected, 0) AS expected, \
    COALESCE(cs.rep_date, 0) AS rep_date, COALESCE(cs.received, 0) AS received, COALESCE(cs.cleared, 0) AS cleared, COALESCE(cs.written_down, 0) AS written_down, \
    COALESCE(cs.written_up, 0) AS written_up, COALESCE(cs.stm_status, '') AS stm_status, COALESCE(cs.work, '') AS work, COALESCE(cs.work_note, '') AS work_note, \
    COALESCE(cs.work_by, '') AS work_by, COALESCE(cs.work_at, 0) AS work_at";

fn claim_row(r: &AnyRow) -> Result<ClaimRow, StoreError> {
    Ok(ClaimRow {
        vkey: get_s(r, "vkey")?,
        setting: get_s(r, "setting")?,
        hn: get_s(r, "hn")?,
        seq: get_s(r, "seq")?,
        an: get_s(r, "an")?,
        date_serv: get_i(r, "date_serv")?,
        date_dsc: get_i(r, "date_dsc")?,
        fund: get_s(r, "fund")?,
        inscl: get_s(r, "inscl")?,
        receivable: get_s(r, "receivable")?,
        fund_amount: get_i(r, "fund_amount")?,
        batch_no: get_i(r, "batch_no")?,
        tran_id: get_s(r, "tran_id")?,
        status: get_s(r, "status")?,
        appeal: get_i(r, "appeal")? != 0,
        rep_no: get_s(r, "rep_no")?,
        error_codes: get_s(r, "error_codes")?,
        late: get_i(r, "late")? != 0,
        expected: get_i(r, "expected")?,
        rep_date: get_i(r, "rep_date")?,
        received: get_i(r, "received")?,
        cleared: get_i(r, "cleared")?,
        written_down: get_i(r, "written_down")?,
        written_up: get_i(r, "written_up")?,
        stm_status: get_s(r, "stm_status")?,
        work: get_s(r, "work")?,
        work_note: get_s(r, "work_note")?,
        work_by: get_s(r, "work_by")?,
        work_at: get_i(r, "work_at")?,
    })
}

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

fn return_from_row(r: &AnyRow) -> Result<ReturnRecord, StoreError> {
    Ok(ReturnRecord {
        hcode: get_s(r, "hcode")?,
        no: get_i(r, "no")?,
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

const RETURN_LINE_COLS: &str = "hcode, return_no, row_no, vkey, match_note, tran_id, rep_no, hn, seq_no, an, date_in, outcome, error_codes, late, claimed, amount";

fn return_line(r: &AnyRow) -> Result<ReturnLineRow, StoreError> {
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
    /// Last journal version and the entry references (settlement appends to both).
    pub ver: i64,
    pub refs: String,
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
        Ok(ReturnSession {
            inner,
            meta,
            lines: 0,
            matched: 0,
            unmatched: 0,
            amount: 0,
            settled: 0,
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
        for chunk in keys.chunks(CHUNK) {
            let mut s = Sql::new(
                "SELECT v.vkey, v.setting, v.cid, v.date_serv, v.date_dsc, v.fund, v.receivable, v.fund_amount, v.posted, v.ver, v.journal_refs, \
                 COALESCE(cs.status, '') AS status, COALESCE(cs.tran_id, '') AS tran_id, COALESCE(cs.cleared, 0) AS cleared, \
                 COALESCE(cs.written_down, 0) AS written_down, COALESCE(cs.work, '') AS work, COALESCE(cs.expected, 0) AS expected \
                 FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE v.hcode = ",
            );
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
                        refs: r.s("journal_refs")?,
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

    /// Stores the lines of the return (all of them, matched or not).
    pub async fn write_lines(&mut self, lines: &[ReturnLineRow]) -> Result<(), StoreError> {
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
            self.lines += chunk.len() as i64;
            self.matched += chunk.iter().filter(|l| !l.vkey.is_empty()).count() as i64;
            self.unmatched += chunk.iter().filter(|l| l.vkey.is_empty()).count() as i64;
            self.amount += chunk.iter().map(|l| l.amount).sum::<i64>();
        }
        Ok(())
    }

    /// Applies REP results to the visits' claims (a later REP supersedes; the lines keep the
    /// history). A C or Deny goes to the worklist as `to_fix` unless already being handled.
    pub async fn apply_rep(&mut self, updates: &[RepStatus]) -> Result<(), StoreError> {
        let now = now_ms();
        for chunk in updates.chunks(CHUNK) {
            let mut u = Sql::new(&format!("INSERT INTO claim_status ({STATUS_COLS}) VALUES "));
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    u.push(", ");
                }
                let work = if r.status == "accepted" { "" } else { "to_fix" };
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
                    .text(work)
                    .push(", '', '', 0, '', ")
                    .int(now)
                    .push(")");
            }
            u.push(
                " ON CONFLICT (hcode, vkey) DO UPDATE SET tran_id = excluded.tran_id, status = excluded.status, appeal = excluded.appeal, \
                 rep_no = excluded.rep_no, error_codes = excluded.error_codes, late = excluded.late, expected = excluded.expected, \
                 rep_date = excluded.rep_date, updated_at = excluded.updated_at, \
                 work = CASE WHEN excluded.status = 'accepted' AND claim_status.work <> 'written_off' THEN '' \
                             WHEN claim_status.work IN ('', 'resent') THEN 'to_fix' ELSE claim_status.work END",
            );
            positional(self.inner.engine, &mut u);
            self.inner.tx.exec(&u).await?;
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
        for chunk in refs.chunks(CHUNK) {
            let mut u = Sql::new(&format!("INSERT INTO claim_status ({STATUS_COLS}) VALUES "));
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
                    .push(")");
                self.settled += e.received;
            }
            u.push(
                " ON CONFLICT (hcode, vkey) DO UPDATE SET received = claim_status.received + excluded.received, \
                 cleared = claim_status.cleared + excluded.cleared, written_down = claim_status.written_down + excluded.written_down, \
                 written_up = claim_status.written_up + excluded.written_up, updated_at = excluded.updated_at, \
                 tran_id = CASE WHEN claim_status.tran_id = '' THEN excluded.tran_id ELSE claim_status.tran_id END, \
                 stm_status = CASE WHEN excluded.stm_status = '' THEN claim_status.stm_status ELSE excluded.stm_status END, \
                 journal_refs = CASE WHEN claim_status.journal_refs = '' THEN excluded.journal_refs \
                                     WHEN excluded.journal_refs = '' THEN claim_status.journal_refs \
                                     ELSE claim_status.journal_refs || ' ' || excluded.journal_refs END",
            );
            positional(self.inner.engine, &mut u);
            self.inner.tx.exec(&u).await?;
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
                "INSERT INTO claim_returns (hcode, no, kind, file_name, doc_no, detail, sha256, import_no, lines, matched, unmatched, rejects, amount, settled, at, username) VALUES (",
            );
            s.text(self.inner.hcode.clone())
                .push(", ")
                .int(self.inner.no)
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

/// Filters of the C / Deny worklist.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkFilter {
    /// corrective or deny (both when empty).
    pub status: String,
    /// to_fix, resent, appealed, written_off ('' = all open: not written off).
    pub work: String,
    pub fund: String,
    /// An error code the claim carries.
    pub code: String,
    pub limit: i64,
    pub offset: i64,
}

/// Aging of open receivables: one row per fund, account and bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgingRow {
    pub hcode: String,
    pub fund: String,
    pub account: String,
    /// Index into [`AGING_BUCKETS`].
    pub bucket: usize,
    pub visits: i64,
    pub outstanding: i64,
}

/// Upper bounds (days, inclusive) of the aging buckets; the last is open-ended.
pub const AGING_BUCKETS: [i64; 6] = [30, 60, 90, 180, 365, i64::MAX];

/// Per unit, fund and fiscal year: what was claimed and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleRollupRow {
    pub hcode: String,
    pub unit_name: String,
    pub district_code: String,
    pub fund: String,
    pub fy: i64,
    /// Receivables posted for the fund (Σ fund amounts of posted visits).
    pub receivable: i64,
    pub claimed: i64,
    pub accepted: i64,
    pub corrective: i64,
    pub denied: i64,
    pub received: i64,
    pub written_down: i64,
    pub outstanding: i64,
    /// Visits with error 998 or the late flag.
    pub late: i64,
}

impl Store {
    /// The unit's C and Deny claims, largest amount first.
    pub async fn claim_worklist(
        &self,
        actor: &Actor,
        hcode: &str,
        f: &WorkFilter,
    ) -> Result<(Vec<ClaimRow>, i64), StoreError> {
        self.get_unit(actor, hcode).await?;
        let push_where = |w: &mut Sql| {
            w.push(" FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey WHERE cs.hcode = ")
                .text(hcode);
            match f.status.as_str() {
                "corrective" | "deny" => {
                    w.push(" AND cs.status = ").text(f.status.clone());
                }
                _ => {
                    w.push(" AND cs.status IN ('corrective', 'deny')");
                }
            }
            if f.work.is_empty() {
                w.push(" AND cs.work <> 'written_off'");
            } else {
                w.push(" AND cs.work = ").text(f.work.clone());
            }
            if !f.fund.is_empty() {
                w.push(" AND v.fund = ").text(f.fund.clone());
            }
            if !f.code.is_empty() {
                w.push(" AND (',' || cs.error_codes || ',') LIKE ")
                    .text(format!("%,{},%", f.code.replace(['%', '_'], "")));
            }
        };
        let mut c = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n");
        push_where(&mut c);
        let total = get_i(&c.query().fetch_one(self.pool()).await?, "n")?;
        let mut s = Sql::new(&format!("SELECT {CLAIM_ROW_COLS}"));
        push_where(&mut s);
        s.push(" ORDER BY v.fund_amount - cs.cleared DESC, v.vkey LIMIT ")
            .int(f.limit.clamp(1, 100_000))
            .push(" OFFSET ")
            .int(f.offset.max(0));
        let rows = s.query().fetch_all(self.pool()).await?;
        Ok((rows.iter().map(claim_row).collect::<Result<_, _>>()?, total))
    }

    /// A visit's claim and every return line about it (oldest first).
    pub async fn claim_history(
        &self,
        actor: &Actor,
        hcode: &str,
        vkey: &str,
    ) -> Result<(ClaimRow, Vec<(ReturnRecord, ReturnLineRow)>, Vec<i64>), StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {CLAIM_ROW_COLS} FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE v.hcode = "
        ));
        s.text(hcode).push(" AND v.vkey = ").text(vkey);
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let claim = claim_row(&row)?;
        let mut l = Sql::new(
            "SELECT r.*, l.row_no, l.vkey, l.match_note, l.tran_id, l.rep_no, l.hn, l.seq_no, l.an, l.date_in, l.outcome, l.error_codes, l.late, l.claimed, l.amount AS line_amount \
             FROM claim_return_lines l JOIN claim_returns r ON r.hcode = l.hcode AND r.no = l.return_no WHERE l.hcode = ",
        );
        l.text(hcode)
            .push(" AND l.vkey = ")
            .text(vkey)
            .push(" ORDER BY r.no, l.row_no");
        let mut lines = Vec::new();
        for r in l.query().fetch_all(self.pool()).await? {
            let mut line = return_line_aliased(&r)?;
            line.amount = get_i(&r, "line_amount")?;
            lines.push((return_from_row(&r)?, line));
        }
        let mut b = Sql::new("SELECT batch_no FROM claim_batch_visits WHERE hcode = ");
        b.text(hcode)
            .push(" AND vkey = ")
            .text(vkey)
            .push(" ORDER BY batch_no");
        let batches = b
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get_i(r, "batch_no"))
            .collect::<Result<_, _>>()?;
        Ok((claim, lines, batches))
    }

    /// The unit's imported returns, newest first.
    pub async fn list_returns(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Vec<ReturnRecord>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT r.* FROM claim_returns r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY r.no DESC LIMIT 500");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(return_from_row).collect()
    }

    /// One return with its lines (unmatched first).
    pub async fn get_return(
        &self,
        actor: &Actor,
        hcode: &str,
        no: i64,
        limit: i64,
    ) -> Result<(ReturnRecord, Vec<ReturnLineRow>), StoreError> {
        let mut s = Sql::new(
            "SELECT r.* FROM claim_returns r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        s.text(hcode).push(" AND r.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let rec = return_from_row(&row)?;
        let mut l = Sql::new(&format!(
            "SELECT {RETURN_LINE_COLS} FROM claim_return_lines WHERE hcode = "
        ));
        l.text(hcode)
            .push(" AND return_no = ")
            .int(no)
            .push(" ORDER BY CASE WHEN vkey = '' THEN 0 ELSE 1 END, row_no LIMIT ")
            .int(limit.clamp(1, 100_000));
        let lines = l
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(return_line)
            .collect::<Result<_, _>>()?;
        Ok((rec, lines))
    }

    /// Open receivables by fund, account and age bucket, for one unit or every unit the
    /// caller sees (`hcode` = None). Age runs from the recognition date to `today`.
    pub async fn aging(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        today: i64,
    ) -> Result<Vec<AgingRow>, StoreError> {
        if let Some(h) = hcode {
            self.get_unit(actor, h).await?;
        }
        let cuts: Vec<i64> = AGING_BUCKETS[..AGING_BUCKETS.len() - 1]
            .iter()
            .map(|d| raidai_domain::periods::add_days(today, -d))
            .collect();
        let mut case = String::from("CASE");
        for (i, c) in cuts.iter().enumerate() {
            case.push_str(&format!(" WHEN {RECOGNISED_SQL} >= {c} THEN {i}"));
        }
        case.push_str(&format!(" ELSE {} END", cuts.len()));
        let mut s = Sql::new(&format!(
            "SELECT v.hcode, v.fund, v.receivable, {case} AS bucket, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(SUM(v.fund_amount - COALESCE(cs.cleared, 0)) AS BIGINT) AS outstanding \
             FROM claim_visits v JOIN units u ON u.hcode = v.hcode LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey \
             WHERE v.posted = 1 AND v.fund_amount - COALESCE(cs.cleared, 0) > 0"
        ));
        if let Some(h) = hcode {
            s.push(" AND v.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.hcode, v.fund, v.receivable, bucket ORDER BY v.hcode, v.fund, v.receivable, bucket");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AgingRow {
                    hcode: get_s(r, "hcode")?,
                    fund: get_s(r, "fund")?,
                    account: get_s(r, "receivable")?,
                    bucket: get_i(r, "bucket")?.clamp(0, AGING_BUCKETS.len() as i64 - 1) as usize,
                    visits: get_i(r, "n")?,
                    outstanding: get_i(r, "outstanding")?,
                })
            })
            .collect()
    }

    /// Receivables posted (fund amounts) per unit and fund recognised from `from` to `to`
    /// (yyyymmdd), for the collection period.
    pub async fn fund_revenue(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT v.hcode, v.fund, CAST(SUM(v.fund_amount) AS BIGINT) AS amount FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.posted = 1 AND {RECOGNISED_SQL} >= "
        ));
        s.int(from)
            .push(&format!(" AND {RECOGNISED_SQL} <= "))
            .int(to);
        if let Some(h) = hcode {
            s.push(" AND v.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.hcode, v.fund");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_s(r, "hcode")?, get_s(r, "fund")?, get_i(r, "amount")?)))
            .collect()
    }

    /// Claimed / accepted / paid / denied / outstanding per unit, fund and fiscal year of the
    /// units the caller sees.
    pub async fn cycle_rollup(
        &self,
        actor: &Actor,
        fy: Option<i64>,
    ) -> Result<Vec<CycleRollupRow>, StoreError> {
        let mut s = Sql::new(
            "SELECT v.hcode, u.name_th, u.district_code, v.fund, v.fy, \
             CAST(SUM(v.fund_amount) AS BIGINT) AS receivable, \
             CAST(SUM(CASE WHEN cs.batch_no > 0 THEN v.fund_amount ELSE 0 END) AS BIGINT) AS claimed, \
             CAST(SUM(CASE WHEN cs.status = 'accepted' THEN cs.expected ELSE 0 END) AS BIGINT) AS accepted, \
             CAST(SUM(CASE WHEN cs.status = 'corrective' THEN v.fund_amount ELSE 0 END) AS BIGINT) AS corrective, \
             CAST(SUM(CASE WHEN cs.status = 'deny' THEN v.fund_amount ELSE 0 END) AS BIGINT) AS denied, \
             CAST(SUM(COALESCE(cs.received, 0)) AS BIGINT) AS received, \
             CAST(SUM(COALESCE(cs.written_down, 0)) AS BIGINT) AS written_down, \
             CAST(SUM(v.fund_amount - COALESCE(cs.cleared, 0)) AS BIGINT) AS outstanding, \
             CAST(SUM(CASE WHEN cs.late = 1 THEN 1 ELSE 0 END) AS BIGINT) AS late \
             FROM claim_visits v JOIN units u ON u.hcode = v.hcode LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey \
             WHERE v.posted = 1 AND v.fund_amount > 0",
        );
        if let Some(fy) = fy {
            s.push(" AND v.fy = ").int(fy);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.hcode, u.name_th, u.district_code, v.fund, v.fy ORDER BY u.district_code, v.hcode, v.fund, v.fy");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(CycleRollupRow {
                    hcode: get_s(r, "hcode")?,
                    unit_name: get_s(r, "name_th")?,
                    district_code: get_s(r, "district_code")?,
                    fund: get_s(r, "fund")?,
                    fy: get_i(r, "fy")?,
                    receivable: get_i(r, "receivable")?,
                    claimed: get_i(r, "claimed")?,
                    accepted: get_i(r, "accepted")?,
                    corrective: get_i(r, "corrective")?,
                    denied: get_i(r, "denied")?,
                    received: get_i(r, "received")?,
                    written_down: get_i(r, "written_down")?,
                    outstanding: get_i(r, "outstanding")?,
                    late: get_i(r, "late")?,
                })
            })
            .collect()
    }

    /// The province's NHSO error codes loaded over the shipped table, as `code,type,th,en,fix_th`
    /// rows.
    pub async fn error_code_overrides(
        &self,
        province_code: &str,
    ) -> Result<Vec<[String; 5]>, StoreError> {
        let mut s = Sql::new(
            "SELECT code, type, th, en, fix_th FROM claim_error_codes WHERE province_code = ",
        );
        s.text(province_code).push(" ORDER BY code");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok([
                    get_s(r, "code")?,
                    get_s(r, "type")?,
                    get_s(r, "th")?,
                    get_s(r, "en")?,
                    get_s(r, "fix_th")?,
                ])
            })
            .collect()
    }

    /// Replaces the province's loaded error codes (province admins and admins).
    pub async fn save_error_codes(
        &self,
        actor: &Actor,
        province_code: &str,
        rows: &[[String; 5]],
    ) -> Result<(), StoreError> {
        if !matches!(actor.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new("DELETE FROM claim_error_codes WHERE province_code = ");
        d.text(province_code);
        d.query().execute(&mut *tx).await?;
        for chunk in rows.chunks(CHUNK) {
            let mut s = Sql::new(
                "INSERT INTO claim_error_codes (province_code, code, type, th, en, fix_th) VALUES ",
            );
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.push("(").text(province_code);
                for v in r {
                    s.push(", ").text(v.clone());
                }
                s.push(")");
            }
            s.query().execute(&mut *tx).await?;
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: None,
                entity: "claim_error_codes",
                key: province_code,
                action: "replace",
                before: None,
                after: Some(serde_json::json!({ "codes": rows.len() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn return_line_aliased(r: &AnyRow) -> Result<ReturnLineRow, StoreError> {
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
        amount: 0,
    })
}
