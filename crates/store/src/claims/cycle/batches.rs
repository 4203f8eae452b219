//! Claim batches: the visits a batch would send, recording one (visits, files, zip), reading them.

use super::*;
use crate::claims::sums::SumDelta;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

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
    /// Accepted by the REP, no statement has paid them yet (missing_stm).
    pub awaiting_payment: i64,
    pub received: i64,
}

const BATCH_COLS: &str = "b.hcode, b.no, b.funds, b.date_from, b.date_to, b.headers, b.include_blocked, b.visits, b.blocked, b.amount, b.files_json, b.zip_sha256, b.created_at, b.created_by, \
    CAST(COALESCE(sb.accepted, 0) AS BIGINT) AS n_accepted, CAST(COALESCE(sb.corrective, 0) AS BIGINT) AS n_corrective, \
    CAST(COALESCE(sb.denied, 0) AS BIGINT) AS n_denied, CAST(COALESCE(sb.awaiting, 0) AS BIGINT) AS n_awaiting, \
    CAST(COALESCE(sb.received, 0) AS BIGINT) AS received";

/// The batch table with its claims' read model (`BATCH_COLS` reads both).
const BATCH_FROM: &str =
    "claim_batches b LEFT JOIN claim_sum_batches sb ON sb.hcode = b.hcode AND sb.batch_no = b.no";

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
        awaiting_payment: get_i(r, "n_awaiting")?,
        received: get_i(r, "received")?,
    })
}

impl Store {
    /// The unit's visits a batch for `spec` would send: posted with a fund amount, of the
    /// funds, recognised in the range, never sent or sent back as C (to resend).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn batch_candidates(
        &self,
        actor: &Actor,
        unit: Hcode,
        spec: &BatchSpec,
    ) -> Result<Vec<BatchCandidate>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
        s.texts(spec.funds.iter().cloned());
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn save_batch(
        &self,
        actor: &Actor,
        unit: Hcode,
        spec: &BatchSpec,
        visits: &[(String, i64, bool)],
        files_json: String,
        zip: Vec<u8>,
        zip_sha256: String,
    ) -> Result<BatchRecord, StoreError> {
        let hcode = unit.as_str();
        self.unit_for_import(actor, unit).await?;
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
        .bind(actor.who.username.clone())
        .execute(&mut *tx)
        .await?;
        // The claims' shares before (all of them), the writes, then the shares after: every
        // lookup is planned on statistics that describe the table it reads.
        let mut delta = SumDelta::default();
        for chunk in visits.chunks(CHUNK) {
            let keys: Vec<&str> = chunk.iter().map(|v| v.0.as_str()).collect();
            for q in SumDelta::share_queries(self.engine(), hcode, &keys) {
                for r in q.query().fetch_all(&mut *tx).await? {
                    delta.add(&SumDelta::row_share(&r)?, -1);
                }
            }
        }
        for chunk in visits.chunks(CHUNK) {
            let mut s =
                Sql::new("INSERT INTO claim_batch_visits (hcode, batch_no, vkey, amount) VALUES ");
            for (i, (vkey, amt, _)) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.push("(")
                    .list(binds![hcode, no, vkey.clone(), *amt])
                    .push(")");
            }
            s.query().execute(&mut *tx).await?;
            let mut u = Sql::new(&format!("INSERT INTO claim_status ({STATUS_COLS}) VALUES "));
            for (i, (vkey, _, _)) in chunk.iter().enumerate() {
                if i > 0 {
                    u.push(", ");
                }
                u.push("(")
                    .list(binds![hcode, vkey.clone(), no])
                    .push(", '', 'sent', 0, '', '', 0, 0, 0, 0, 0, 0, 0, '', '', '', '', 0, '', ")
                    .int(now)
                    .push(")");
            }
            u.push(" ON CONFLICT (hcode, vkey) DO UPDATE SET batch_no = excluded.batch_no, status = 'sent', updated_at = excluded.updated_at, work = CASE WHEN claim_status.work = 'to_fix' THEN 'resent' ELSE claim_status.work END");
            u.query().execute(&mut *tx).await?;
        }
        if self.engine() == Engine::Postgres {
            // Counts this transaction's own new claims (a first batch adds a quarter's worth
            // to a table the statistics still call empty).
            Sql::new("ANALYZE claim_status")
                .query()
                .execute(&mut *tx)
                .await?;
        }
        for chunk in visits.chunks(CHUNK) {
            let keys: Vec<&str> = chunk.iter().map(|v| v.0.as_str()).collect();
            for q in SumDelta::share_queries(self.engine(), hcode, &keys) {
                for r in q.query().fetch_all(&mut *tx).await? {
                    delta.add(&SumDelta::row_share(&r)?, 1);
                }
            }
        }
        for q in delta.flush(self.engine(), hcode) {
            q.query().execute(&mut *tx).await?;
        }
        Change::new("claim_batch", &no.to_string(), "create").unit(hcode).after(serde_json::json!({ "funds": spec.funds, "from": spec.date_from, "to": spec.date_to, "visits": visits.len(), "amount": amount, "blocked": blocked, })).record(&mut tx, actor).await?;
        crate::bump_read_version().query().execute(&mut *tx).await?;
        tx.commit().await?;
        self.get_batch(actor, unit, no).await
    }

    /// The citizen IDs of these visits (for synthetic returns; never shown).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn visit_cids(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkeys: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut out = HashMap::new();
        for chunk in vkeys.chunks(CHUNK) {
            let mut s = Sql::new("SELECT vkey, cid FROM claim_visits WHERE hcode = ");
            s.text(hcode).push(" AND vkey IN (");
            s.texts(chunk.iter().cloned());
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn receivable_balances(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<HashMap<String, i64>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn list_batches(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<BatchRecord>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {BATCH_COLS} FROM {BATCH_FROM} JOIN units u ON u.hcode = b.hcode WHERE b.hcode = "
        ));
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY b.no DESC");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(batch_from_row).collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_batch(
        &self,
        actor: &Actor,
        unit: Hcode,
        no: i64,
    ) -> Result<BatchRecord, StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(&format!(
            "SELECT {BATCH_COLS} FROM {BATCH_FROM} JOIN units u ON u.hcode = b.hcode WHERE b.hcode = "
        ));
        s.text(hcode).push(" AND b.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s.one(self.pool()).await?;
        batch_from_row(&row)
    }

    /// The batch's zip as sent.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn batch_zip(
        &self,
        actor: &Actor,
        unit: Hcode,
        no: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(
            "SELECT b.zip FROM claim_batches b JOIN units u ON u.hcode = b.hcode WHERE b.hcode = ",
        );
        s.text(hcode).push(" AND b.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s.one(self.pool()).await?;
        Ok(sqlx::Row::try_get(&row, "zip")?)
    }

    /// The visits of a batch with their claim as it stands.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn batch_visits(
        &self,
        actor: &Actor,
        unit: Hcode,
        no: i64,
        limit: i64,
    ) -> Result<Vec<ClaimRow>, StoreError> {
        let hcode = unit.as_str();
        self.get_batch(actor, unit, no).await?;
        let mut s = Sql::new(&format!(
            "SELECT {CLAIM_ROW_COLS} FROM claim_batch_visits bv JOIN claim_visits v ON v.hcode = bv.hcode AND v.vkey = bv.vkey LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE bv.hcode = "
        ));
        s.text(hcode)
            .push(" AND bv.batch_no = ")
            .int(no)
            // The batch's own key order: a page of it reads a page, not the whole batch.
            .push(" ORDER BY bv.vkey LIMIT ")
            .int(limit.clamp(1, 100_000));
        s.all(self.pool(), ClaimRow::from_row).await
    }
}
