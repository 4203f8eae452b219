//! Reading the Data Audit: a unit's worklist of findings, a visit's findings, counts per rule,
//! the officer's acceptances, the clean-visit rate and Authen coverage per unit and month, and
//! the province's rule catalogue per fiscal year. Findings are written by imports and re-audits
//! (`claims/import.rs`, `claims/audit_session.rs`). A visit is clean when it has no blocking finding that is not accepted.

mod rollup;
mod worklist;

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_s, row_struct};
use crate::{Actor, Store, StoreError, now_ms};
use chrono::Datelike;
use futures_util::TryStreamExt;
use raidai_domain::audit::parse_catalogue;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Filters of the worklist.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub hcode: String,
    pub rule: Option<String>,
    pub fund: Option<String>,
    /// `block` or `warn`.
    pub severity: Option<String>,
    /// Service month `yyyymm`.
    pub month: Option<i64>,
    /// Satang.
    pub min_amount: Option<i64>,
    /// Include findings the unit accepted.
    pub include_accepted: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One finding of the worklist, with its visit (CID and name unmasked: the web masks them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingItem {
    pub vkey: String,
    pub rule: String,
    pub severity: String,
    pub amount: i64,
    pub setting: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
    pub date_serv: i64,
    pub fund: String,
    pub inscl: String,
    #[serde(skip)]
    pub cid: String,
    #[serde(skip)]
    pub patient_name: String,
    pub accepted_reason: Option<String>,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<i64>,
}

/// What the worklist's filters match: visits with stored findings, and apart from them (a
/// visit may be in both) visits past their fund's submission window (LATE01).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingTotals {
    /// Distinct visits with a stored finding (every rule but LATE01).
    pub visits: i64,
    /// Their amount at stake, satang.
    pub amount: i64,
    /// Visits past the submission window.
    pub late_visits: i64,
    pub late_amount: i64,
}

/// A page of the worklist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingPage {
    pub items: Vec<FindingItem>,
    pub totals: FindingTotals,
    /// Whether another page follows.
    pub more: bool,
}

row_struct! {
/// Findings of one rule over the units the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub visits: i64,
    pub amount: i64,
    pub accepted: i64,
}
}

row_struct! {
/// Clean visits and Authen coverage of one unit in one service month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitMonthAudit {
    pub hcode: String,
    pub unit_name: String,
    pub district_code: String,
    /// `yyyymm`
    pub month: i64,
    pub visits: i64,
    /// Visits without a blocking finding that is not accepted.
    pub clean: i64,
    /// Visits of rights that need an Authen code (UCS, WEL).
    pub authen_needed: i64,
    /// Of those, visits with a code.
    pub authen_has: i64,
}
}

row_struct! {
/// Authen coverage of a unit by right, sub-right and service month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenCoverage {
    pub inscl: String,
    pub subtype: String,
    pub month: i64,
    pub visits: i64,
    pub with_code: i64,
}
}

/// LATE01 is evaluated when read, not stored: whether a visit is past its fund's submission
/// window depends on the day the list is looked at (a stored flag would go stale, and at a
/// hospital-year it would be most of the findings written by every import).
#[derive(Debug, Clone)]
struct LateRule {
    severity: String,
    /// (fund, recognition dates before this `yyyymmdd` are late)
    cutoffs: Vec<(String, i64)>,
}

/// The audit date: today in Bangkok, unless a test fixed it.
static AUDIT_TODAY: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Fixes the audit date (`yyyymmdd`) for LATE01 at read time; 0 = today. For tests.
pub fn set_audit_today(ymd: i64) {
    AUDIT_TODAY.store(ymd, std::sync::atomic::Ordering::SeqCst);
}

/// The audit date as `yyyymmdd`.
pub fn audit_today() -> i64 {
    match AUDIT_TODAY.load(std::sync::atomic::Ordering::SeqCst) {
        0 => {
            let bangkok = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
            raidai_domain::periods::ymd(chrono::Utc::now().with_timezone(&bangkok).date_naive())
        }
        d => d,
    }
}

/// Appends the findings as a table `f` (hcode, vkey, rule, severity, amount): the stored ones
/// and LATE01 computed for the audit date; narrowed to a unit and a visit when given.
fn push_findings_table(
    s: &mut Sql,
    hcode: Option<&str>,
    vkey: Option<&str>,
    late: &Option<LateRule>,
) {
    s.push("(SELECT hcode, vkey, rule, severity, amount FROM claim_findings WHERE 1 = 1");
    if let Some(h) = hcode {
        s.push(" AND hcode = ").text(h);
    }
    if let Some(k) = vkey {
        s.push(" AND vkey = ").text(k);
    }
    if let Some(l) = late.as_ref().filter(|l| !l.cutoffs.is_empty()) {
        s.push(" AND rule <> 'LATE01' UNION ALL SELECT v.hcode, v.vkey, 'LATE01', ")
            .text(l.severity.clone())
            .push(", ")
            .push(crate::claims::AT_STAKE_SQL)
            .push(" FROM claim_visits v WHERE 1 = 1");
        match hcode {
            Some(h) => {
                s.push(" AND v.hcode = ").text(h);
            }
            // Unit by unit: each unit's late visits come from its recognition-date index.
            None => {
                s.push(" AND v.hcode IN (SELECT hcode FROM units)");
            }
        }
        if let Some(k) = vkey {
            s.push(" AND v.vkey = ").text(k);
        }
        push_late_predicate(s, l);
    }
    s.push(") f");
}

/// ` AND (<visit v is late>)`.
fn push_late_predicate(s: &mut Sql, l: &LateRule) {
    push_late_days(
        s,
        l,
        "v.fund",
        "(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END)",
    );
}

/// ` AND (<fund and recognition day are late>)` for the given columns.
fn push_late_days(s: &mut Sql, l: &LateRule, fund: &str, day: &str) {
    s.push(" AND (");
    for (i, (f, before)) in l.cutoffs.iter().enumerate() {
        if i > 0 {
            s.push(" OR ");
        }
        s.push(&format!("({fund} = "))
            .text(f.clone())
            .push(&format!(" AND {day} BETWEEN 1 AND "))
            .int(*before - 1)
            .push(")");
    }
    s.push(")");
}

/// What the fund would pay for visit `v` (LATE01's amount).
const AT_STAKE: &str = crate::claims::AT_STAKE_SQL;

const LATE_NOT_ACCEPTED: &str = "NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = v.hcode AND a.vkey = v.vkey AND a.rule = 'LATE01')";

const NOT_ACCEPTED: &str = "NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule)";

impl Store {
    /// LATE01 for a province on the audit date, from its catalogue of the current fiscal year.
    async fn late_rule(&self, province: Option<&str>) -> Result<Option<LateRule>, StoreError> {
        use raidai_domain::audit::{default_catalogue, parse_catalogue};
        let today = audit_today();
        let fy = raidai_domain::periods::fiscal_year_of(today);
        let versions = match province {
            Some(p) => self.audit_catalogue_versions(p).await?,
            None => Default::default(),
        };
        let cat = versions
            .get(&fy)
            .or_else(|| versions.get(&0))
            .and_then(|t| parse_catalogue(t).ok())
            .unwrap_or_else(default_catalogue);
        let Some(rule) = cat.get("LATE01") else {
            return Ok(None);
        };
        let Some(day) = raidai_domain::periods::date_of(today) else {
            return Ok(None);
        };
        let cutoffs = rule
            .param
            .split_whitespace()
            .filter_map(|p| {
                let (fund, days) = p.split_once(':')?;
                let days: i64 = days.parse().ok()?;
                Some((
                    fund.to_string(),
                    raidai_domain::periods::ymd(day - chrono::Duration::days(days)),
                ))
            })
            .collect();
        Ok(Some(LateRule {
            severity: rule.severity.code().to_string(),
            cutoffs,
        }))
    }

    /// The province of a unit (or of the caller's scope when no unit is named).
    async fn province_of(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let mut s = Sql::new("SELECT u.province_code FROM units u WHERE 1 = 1");
        if let Some(h) = hcode {
            s.push(" AND u.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY u.hcode LIMIT 1");
        let row = s.query().fetch_optional(self.pool()).await?;
        row.map(|r| get_s(&r, "province_code"))
            .transpose()
            .map_err(Into::into)
    }

    /// The province's catalogue texts by fiscal year (0 = its default for every year).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn audit_catalogue_versions(
        &self,
        province_code: &str,
    ) -> Result<BTreeMap<i64, String>, StoreError> {
        let mut s = Sql::new("SELECT fy, tsv FROM claim_audit_rules WHERE province_code = ");
        s.text(province_code);
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_i(r, "fy")?, get_s(r, "tsv")?)))
            .collect()
    }

    /// Replaces the province's catalogue of a fiscal year (province officers of it and admins);
    /// validated in full, audit-logged.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_audit_catalogue(
        &self,
        actor: &Actor,
        province_code: &str,
        fy: i64,
        catalogue_tsv: &str,
    ) -> Result<usize, StoreError> {
        let tsv = catalogue_tsv;
        let mut tx = self
            .begin_province_replace(actor, "claim_audit_rules", province_code, fy)
            .await?;
        let cat = parse_catalogue(tsv).map_err(|e| {
            StoreError::table_line("catalogue", e.line, &e.message, "รายการกฎตรวจสอบไม่ถูกต้อง")
        })?;
        let mut s = Sql::new(
            "INSERT INTO claim_audit_rules (province_code, fy, tsv, updated_at, updated_by) VALUES (",
        );
        s.list(binds![
            province_code,
            fy,
            tsv,
            now_ms(),
            actor.who.username.clone()
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        Change::new(
            "audit_catalogue",
            &format!("{province_code}/{fy}"),
            "replace",
        )
        .after(serde_json::json!({ "rules": cat.rules().count() }))
        .record_and_commit(tx, actor)
        .await?;
        Ok(cat.rules().count())
    }

    /// The filters on visit `v`'s fund, service month and amount at stake `amount`.
    fn push_finding_visit_filters(s: &mut Sql, q: &FindingQuery, amount: &str) {
        if let Some(f) = &q.fund {
            s.push(" AND v.fund = ").text(f.clone());
        }
        if let Some(m) = q.month {
            s.push(" AND v.date_serv >= ")
                .int(m * 100)
                .push(" AND v.date_serv <= ")
                .int(m * 100 + 99);
        }
        if let Some(a) = q.min_amount {
            s.push(&format!(" AND {amount} >= ")).int(a);
        }
    }

    /// The filters on stored finding `f` and its visit `v`.
    fn push_finding_filters(s: &mut Sql, q: &FindingQuery) {
        if let Some(r) = &q.rule {
            s.push(" AND f.rule = ").text(r.clone());
        }
        if let Some(sev) = &q.severity {
            s.push(" AND f.severity = ").text(sev.clone());
        }
        Self::push_finding_visit_filters(s, q, "f.amount");
        if !q.include_accepted {
            s.push(" AND ").push(NOT_ACCEPTED);
        }
    }
}

fn item(r: &sqlx::any::AnyRow) -> Result<FindingItem, StoreError> {
    use sqlx::Row;
    Ok(FindingItem {
        vkey: get_s(r, "vkey")?,
        rule: get_s(r, "rule")?,
        severity: get_s(r, "severity")?,
        amount: get_i(r, "amount")?,
        setting: get_s(r, "setting")?,
        hn: get_s(r, "hn")?,
        seq: get_s(r, "seq")?,
        an: get_s(r, "an")?,
        date_serv: get_i(r, "date_serv")?,
        fund: get_s(r, "fund")?,
        inscl: get_s(r, "inscl")?,
        cid: get_s(r, "cid")?,
        patient_name: get_s(r, "patient_name")?,
        accepted_reason: r.try_get::<Option<String>, _>("reason")?,
        accepted_by: r.try_get::<Option<String>, _>("accepted_by")?,
        accepted_at: r.try_get::<Option<i64>, _>("accepted_at")?,
    })
}
