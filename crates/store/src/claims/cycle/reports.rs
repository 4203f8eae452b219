//! Reading the cycle: the C / Deny worklist, a claim's history, the returns, aging, the roll-up, and
//! the province's NHSO error codes.

use super::return_rows::{RETURN_LINE_COLS, return_line, return_line_as};
use super::*;
use crate::sql::row_struct;
use raidai_domain::ids::Hcode;

/// A visit's claim, the return lines about it with their returns, and the batches it was sent in.
pub type ClaimHistory = (ClaimRow, Vec<(ReturnRecord, ReturnLineRow)>, Vec<i64>);

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

row_struct! {
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
}

impl Store {
    /// The unit's C and Deny claims, largest amount first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn claim_worklist(
        &self,
        actor: &Actor,
        unit: Hcode,
        f: &WorkFilter,
    ) -> Result<(Vec<ClaimRow>, i64), StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let push_where = |w: &mut Sql| {
            w.push(" FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey WHERE cs.hcode = ")
                .text(hcode);
            // Always the partial index's own condition (claim_status_open), then the choice.
            w.push(" AND cs.status IN ('corrective', 'deny')");
            if matches!(f.status.as_str(), "corrective" | "deny") {
                w.push(" AND cs.status = ").text(f.status.clone());
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
        let total = if f.code.is_empty() {
            // The claim sums hold every filter but the error code.
            let mut c = Sql::new(
                "SELECT CAST(COALESCE(SUM(visits), 0) AS BIGINT) AS n FROM claim_sum_status WHERE hcode = ",
            );
            c.text(hcode);
            match f.status.as_str() {
                "corrective" | "deny" => c.push(" AND status = ").text(f.status.clone()),
                _ => c.push(" AND status IN ('corrective', 'deny')"),
            };
            if f.work.is_empty() {
                c.push(" AND work <> 'written_off'");
            } else {
                c.push(" AND work = ").text(f.work.clone());
            }
            if !f.fund.is_empty() {
                c.push(" AND fund = ").text(f.fund.clone());
            }
            get_i(&c.query().fetch_one(self.pool()).await?, "n")?
        } else {
            let mut c = Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n");
            push_where(&mut c);
            get_i(&c.query().fetch_one(self.pool()).await?, "n")?
        };
        let mut s = Sql::new(&format!("SELECT {CLAIM_ROW_COLS}"));
        push_where(&mut s);
        s.push(" ORDER BY cs.open_amount DESC, cs.vkey LIMIT ")
            .int(f.limit.clamp(1, 100_000))
            .push(" OFFSET ")
            .int(f.offset.max(0));
        let rows = s.query().fetch_all(self.pool()).await?;
        Ok((
            rows.iter()
                .map(|r| ClaimRow::from_row(r))
                .collect::<Result<_, _>>()?,
            total,
        ))
    }

    /// A visit's claim and every return line about it (oldest first).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn claim_history(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkey: &str,
    ) -> Result<ClaimHistory, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {CLAIM_ROW_COLS} FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey WHERE v.hcode = "
        ));
        s.text(hcode).push(" AND v.vkey = ").text(vkey);
        let row = s.one(self.pool()).await?;
        let claim = ClaimRow::from_row(&row)?;
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
            // The line's amount is aliased: the return row has an `amount` of its own.
            lines.push((
                ReturnRecord::from_row(&r)?,
                return_line_as(&r, "line_amount")?,
            ));
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn list_returns(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<ReturnRecord>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT r.* FROM claim_returns r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY r.no DESC LIMIT 500");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(ReturnRecord::from_row(r)?))
            .collect()
    }

    /// One return with its lines (unmatched first).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_return(
        &self,
        actor: &Actor,
        unit: Hcode,
        no: i64,
        limit: i64,
    ) -> Result<(ReturnRecord, Vec<ReturnLineRow>), StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(
            "SELECT r.* FROM claim_returns r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        s.text(hcode).push(" AND r.no = ").int(no);
        actor.push_unit_scope(&mut s, "u");
        let row = s.one(self.pool()).await?;
        let rec = ReturnRecord::from_row(&row)?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn aging(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        today: i64,
    ) -> Result<Vec<AgingRow>, StoreError> {
        if let Some(h) = hcode {
            self.unit_by_code(actor, h).await?;
        }
        let cuts: Vec<i64> = AGING_BUCKETS[..AGING_BUCKETS.len() - 1]
            .iter()
            .map(|d| raidai_domain::periods::add_days(today, -d))
            .collect();
        let mut case = String::from("CASE");
        for (i, c) in cuts.iter().enumerate() {
            case.push_str(&format!(" WHEN r.recognised >= {c} THEN {i}"));
        }
        case.push_str(&format!(" ELSE {} END", cuts.len()));
        let mut s = Sql::new(&format!(
            "SELECT r.hcode, r.fund, r.account AS receivable, {case} AS bucket, CAST(SUM(r.open_visits) AS BIGINT) AS n, \
             CAST(SUM(r.outstanding) AS BIGINT) AS outstanding \
             FROM claim_sum_recognised r JOIN units u ON u.hcode = r.hcode WHERE r.open_visits > 0"
        ));
        if let Some(h) = hcode {
            s.push(" AND r.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY r.hcode, r.fund, r.account, bucket ORDER BY r.hcode, r.fund, r.account, bucket");
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
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn fund_revenue(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let mut s = Sql::new(
            "SELECT r.hcode, r.fund, CAST(SUM(r.amount) AS BIGINT) AS amount FROM claim_sum_recognised r JOIN units u ON u.hcode = r.hcode WHERE r.recognised >= ",
        );
        s.int(from).push(" AND r.recognised <= ").int(to);
        if let Some(h) = hcode {
            s.push(" AND r.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY r.hcode, r.fund");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_s(r, "hcode")?, get_s(r, "fund")?, get_i(r, "amount")?)))
            .collect()
    }

    /// Claimed / accepted / paid / denied / outstanding per unit, fund and fiscal year of the
    /// units the caller sees.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn cycle_rollup(
        &self,
        actor: &Actor,
        fy: Option<i64>,
    ) -> Result<Vec<CycleRollupRow>, StoreError> {
        let mut s = Sql::new(
            "SELECT c.hcode, u.name_th AS unit_name, u.district_code, c.fund, CAST(c.fy AS BIGINT) AS fy, \
             CAST(c.receivable AS BIGINT) AS receivable, CAST(c.claimed AS BIGINT) AS claimed, CAST(c.accepted AS BIGINT) AS accepted, \
             CAST(c.corrective AS BIGINT) AS corrective, CAST(c.denied AS BIGINT) AS denied, CAST(c.received AS BIGINT) AS received, \
             CAST(c.written_down AS BIGINT) AS written_down, CAST(c.outstanding AS BIGINT) AS outstanding, CAST(c.late AS BIGINT) AS late \
             FROM claim_sum_cycle c JOIN units u ON u.hcode = c.hcode WHERE c.visits > 0",
        );
        if let Some(fy) = fy {
            s.push(" AND c.fy = ").int(fy);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY u.district_code, c.hcode, c.fund, c.fy");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(CycleRollupRow::from_row(r)?))
            .collect()
    }

    /// The province's NHSO error codes loaded over the shipped table, as `code,type,th,en,fix_th`
    /// rows.
    #[tracing::instrument(level = "debug", skip_all)]
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

    /// Replaces the province's loaded error codes (that province's officers and admins).
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_error_codes(
        &self,
        actor: &Actor,
        province_code: &str,
        rows: &[[String; 5]],
    ) -> Result<(), StoreError> {
        if !actor.may_configure_province(province_code) {
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
        Change::new("claim_error_codes", province_code, "replace")
            .after(serde_json::json!({ "codes": rows.len() }))
            .record_and_commit(tx, actor)
            .await?;
        Ok(())
    }
}
