//! Reading the Data Audit: a unit's worklist of findings, a visit's findings, counts per rule,
//! the officer's acceptances, the clean-visit rate and Authen coverage per unit and month, and
//! the province's rule catalogue per fiscal year. Findings are written by imports and re-audits
//! (`claims/import.rs`, `claims/audit_session.rs`). A visit is clean when it has no blocking finding that is not accepted.

use crate::audit::{Change, record};
use crate::sql::{Sql, get_i, get_s};
use crate::{Actor, Store, StoreError, now_ms};
use chrono::Datelike;
use futures_util::TryStreamExt;
use raidai_domain::audit::parse_catalogue;
use raidai_domain::master::Role;
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

/// Findings of one rule over the units the caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub visits: i64,
    pub amount: i64,
    pub accepted: i64,
}

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

/// Authen coverage of a unit by right, sub-right and service month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenCoverage {
    pub inscl: String,
    pub subtype: String,
    pub month: i64,
    pub visits: i64,
    pub with_code: i64,
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
    pub async fn save_audit_catalogue(
        &self,
        actor: &Actor,
        province_code: &str,
        fy: i64,
        tsv: &str,
    ) -> Result<usize, StoreError> {
        let allowed = actor.is_admin()
            || (actor.role == Role::Province
                && actor.province_code.as_deref() == Some(province_code));
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let cat = parse_catalogue(tsv).map_err(|e| {
            StoreError::Invalid(vec![
                crate::FieldError::new(
                    "catalogue",
                    e.message.clone(),
                    format!("รายการกฎตรวจสอบไม่ถูกต้อง: {}", e.message),
                )
                .at_line(e.line),
            ])
        })?;
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new("DELETE FROM claim_audit_rules WHERE province_code = ");
        d.text(province_code).push(" AND fy = ").int(fy);
        d.query().execute(&mut *tx).await?;
        let mut s = Sql::new(
            "INSERT INTO claim_audit_rules (province_code, fy, tsv, updated_at, updated_by) VALUES (",
        );
        s.text(province_code)
            .push(", ")
            .int(fy)
            .push(", ")
            .text(tsv)
            .push(", ")
            .int(now_ms())
            .push(", ")
            .text(actor.username.clone())
            .push(")");
        s.query().execute(&mut *tx).await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: None,
                entity: "audit_catalogue",
                key: &format!("{province_code}/{fy}"),
                action: "replace",
                before: None,
                after: Some(serde_json::json!({ "rules": cat.rules().count() })),
            },
        )
        .await?;
        tx.commit().await?;
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

    /// The worklist: findings of a unit, blocking ones first, then by amount, a page at a time;
    /// with the visits and amounts the filters match. Stored findings and LATE01's late visits
    /// are read in that order from their own indexes and merged (a page reads a page of each);
    /// the unfiltered totals come from the read models.
    pub async fn list_findings(
        &self,
        actor: &Actor,
        q: &FindingQuery,
    ) -> Result<FindingPage, StoreError> {
        self.get_unit(actor, &q.hcode).await?;
        let province = self.province_of(actor, Some(&q.hcode)).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| !l.cutoffs.is_empty())
            .filter(|_| q.rule.as_deref().is_none_or(|r| r == "LATE01"))
            .filter(|l| q.severity.as_deref().is_none_or(|s| s == l.severity));
        let stored = q.rule.as_deref() != Some("LATE01");
        let limit = if q.limit <= 0 {
            100
        } else {
            q.limit.min(100_000)
        };
        let offset = q.offset.max(0);
        let unfiltered =
            q.fund.is_none() && q.month.is_none() && q.min_amount.is_none() && !q.include_accepted;
        let mut totals = FindingTotals::default();
        let mut items: Vec<FindingItem> = Vec::new();
        let cols = "v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.fund, v.inscl, v.cid, v.patient_name, ac.reason, ac.accepted_by, ac.accepted_at";
        if stored {
            if unfiltered && q.rule.is_none() && q.severity.is_none() {
                let mut t = Sql::new(
                    "SELECT CAST(COALESCE(SUM(a.flagged), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(a.at_stake), 0) AS BIGINT) AS amount FROM claim_sum_audit a JOIN units u ON u.hcode = a.hcode WHERE a.hcode = ",
                );
                t.text(q.hcode.clone());
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.visits, totals.amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            } else {
                let mut t = Sql::new(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(x.amount), 0) AS BIGINT) AS amount FROM (SELECT f.vkey, MAX(f.amount) AS amount FROM claim_findings f JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode WHERE f.hcode = ",
                );
                t.text(q.hcode.clone());
                actor.push_unit_scope(&mut t, "u");
                Self::push_finding_filters(&mut t, q);
                t.push(" GROUP BY f.vkey) x");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.visits, totals.amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            }
            let mut s = Sql::new(&format!(
                "SELECT f.rule, f.severity, f.amount, {cols} FROM claim_findings f JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode LEFT JOIN claim_finding_accepts ac ON ac.hcode = f.hcode AND ac.vkey = f.vkey AND ac.rule = f.rule WHERE f.hcode = "
            ));
            s.text(q.hcode.clone());
            actor.push_unit_scope(&mut s, "u");
            Self::push_finding_filters(&mut s, q);
            // The order of claim_findings_order: what blocks a claim first, then the largest
            // amount at stake.
            s.push(" ORDER BY CASE WHEN f.severity = 'block' THEN 0 ELSE 1 END, f.amount DESC, f.vkey, f.rule LIMIT ")
                .int(offset + limit + 1);
            // Row by row into items (an export reads 100,000 of them; whole result sets of
            // database rows took the server past 1 GB).
            let mut rows = s.query().fetch(self.pool());
            while let Some(r) = rows.try_next().await? {
                items.push(item(&r)?);
            }
        }
        if let Some(l) = &late {
            if unfiltered {
                let mut t = Sql::new(
                    "SELECT CAST(COALESCE(SUM(d.visits), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(d.at_stake), 0) AS BIGINT) AS amount FROM claim_sum_due d JOIN units u ON u.hcode = d.hcode WHERE d.hcode = ",
                );
                t.text(q.hcode.clone());
                push_late_days(&mut t, l, "d.fund", "d.recognised");
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                // Driven by the (few) acceptances: each looks its visit up by key.
                let mut a = Sql::new(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM((SELECT {AT_STAKE} FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey)), 0) AS BIGINT) AS amount FROM claim_finding_accepts ac WHERE ac.rule = 'LATE01' AND ac.hcode = "
                ));
                a.text(q.hcode.clone())
                    .push(" AND EXISTS (SELECT 1 FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey");
                push_late_predicate(&mut a, l);
                a.push(")");
                let acc = a.query().fetch_one(self.pool()).await?;
                totals.late_visits = get_i(&r, "n")? - get_i(&acc, "n")?;
                totals.late_amount = get_i(&r, "amount")? - get_i(&acc, "amount")?;
            } else {
                let mut t = Sql::new(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM({AT_STAKE}), 0) AS BIGINT) AS amount FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
                ));
                t.text(q.hcode.clone());
                push_late_predicate(&mut t, l);
                Self::push_finding_visit_filters(&mut t, q, AT_STAKE);
                if !q.include_accepted {
                    t.push(" AND ").push(LATE_NOT_ACCEPTED);
                }
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.late_visits, totals.late_amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            }
            // Fund by fund, each read by amount from claim_visits_due.
            for (fund, before) in &l.cutoffs {
                if q.fund.as_ref().is_some_and(|f| f != fund) {
                    continue;
                }
                let mut s = Sql::new("SELECT 'LATE01' AS rule, ");
                s.text(l.severity.clone()).push(&format!(
                    " AS severity, {AT_STAKE} AS amount, {cols} FROM claim_visits v LEFT JOIN claim_finding_accepts ac ON ac.hcode = v.hcode AND ac.vkey = v.vkey AND ac.rule = 'LATE01' WHERE (v.hcode || '/' || v.fund) = "
                ));
                s.text(format!("{}/{fund}", q.hcode))
                    .push(" AND (CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END) BETWEEN 1 AND ")
                    .int(before - 1);
                Self::push_finding_visit_filters(&mut s, q, AT_STAKE);
                if !q.include_accepted {
                    s.push(" AND ac.hcode IS NULL");
                }
                // No join to the caller's units here (get_unit checked the unit above): from
                // `u.hcode = ?` SQLite derives `v.hcode = ?` and sorts the unit's late visits
                // read by date instead of walking claim_visits_due (0.66 s against 3 ms).
                s.push(&format!(" ORDER BY {AT_STAKE} DESC, v.vkey LIMIT "))
                    .int(offset + limit + 1);
                let mut rows = s.query().fetch(self.pool());
                while let Some(r) = rows.try_next().await? {
                    items.push(item(&r)?);
                }
            }
        }
        items.sort_by(|a, b| {
            (a.severity != "block", -a.amount, &a.vkey, &a.rule).cmp(&(
                b.severity != "block",
                -b.amount,
                &b.vkey,
                &b.rule,
            ))
        });
        let more = items.len() as i64 > offset + limit;
        let items = items
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(FindingPage {
            items,
            totals,
            more,
        })
    }

    /// The findings of one visit (accepted ones included).
    pub async fn visit_findings(
        &self,
        actor: &Actor,
        hcode: &str,
        vkey: &str,
    ) -> Result<Vec<FindingItem>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut s = Sql::new(
            "SELECT f.vkey, f.rule, f.severity, f.amount, v.setting, v.hn, v.seq, v.an, v.date_serv, v.fund, v.inscl, v.cid, v.patient_name, ac.reason, ac.accepted_by, ac.accepted_at FROM ",
        );
        push_findings_table(&mut s, Some(hcode), Some(vkey), &late);
        s.push(" JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode LEFT JOIN claim_finding_accepts ac ON ac.hcode = f.hcode AND ac.vkey = f.vkey AND ac.rule = f.rule WHERE f.hcode = ");
        s.text(hcode).push(" AND f.vkey = ").text(vkey);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY f.severity, f.rule");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(item).collect()
    }

    /// Findings per rule over the units the caller may see (`hcode` narrows to one unit): the
    /// stored findings from their read model, LATE01 (evaluated against today) from the visits'
    /// recognition-date index.
    pub async fn rule_counts(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
    ) -> Result<Vec<RuleCount>, StoreError> {
        if let Some(h) = hcode {
            self.get_unit(actor, h).await?;
        }
        let province = self.province_of(actor, hcode).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| !l.cutoffs.is_empty());
        let mut s = Sql::new(
            "SELECT f.rule, CAST(SUM(f.findings) AS BIGINT) AS visits, CAST(SUM(f.amount) AS BIGINT) AS amount, CAST(SUM(f.accepted) AS BIGINT) AS accepted FROM claim_sum_findings f JOIN units u ON u.hcode = f.hcode WHERE f.findings <> 0",
        );
        if let Some(h) = hcode {
            s.push(" AND f.hcode = ").text(h);
        }
        if late.is_some() {
            s.push(" AND f.rule <> 'LATE01'");
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY f.rule");
        let mut rows = s.query().fetch_all(self.pool()).await?;
        if let Some(l) = &late {
            // LATE01 from the visits' sums by recognition day, less the late ones accepted.
            let mut q = Sql::new(
                "SELECT 'LATE01' AS rule, CAST(COALESCE(SUM(d.visits), 0) AS BIGINT) AS visits, CAST(COALESCE(SUM(d.at_stake), 0) AS BIGINT) AS amount, CAST(0 AS BIGINT) AS accepted FROM claim_sum_due d JOIN units u ON u.hcode = d.hcode WHERE 1 = 1",
            );
            // Driven by the (few) acceptances: each looks its visit up by key.
            let mut a = Sql::new(
                "SELECT 'LATE01' AS rule, CAST(0 AS BIGINT) AS visits, CAST(0 AS BIGINT) AS amount, CAST(COUNT(*) AS BIGINT) AS accepted FROM claim_finding_accepts ac JOIN units u ON u.hcode = ac.hcode WHERE ac.rule = 'LATE01'",
            );
            if let Some(h) = hcode {
                q.push(" AND d.hcode = ").text(h);
                a.push(" AND ac.hcode = ").text(h);
            }
            push_late_days(&mut q, l, "d.fund", "d.recognised");
            a.push(" AND EXISTS (SELECT 1 FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey");
            push_late_predicate(&mut a, l);
            a.push(")");
            actor.push_unit_scope(&mut q, "u");
            actor.push_unit_scope(&mut a, "u");
            let (n, acc) = (
                q.query().fetch_one(self.pool()).await?,
                a.query().fetch_one(self.pool()).await?,
            );
            rows.push(n);
            rows.push(acc);
        }
        let mut out: Vec<RuleCount> = rows
            .iter()
            .map(|r| {
                Ok(RuleCount {
                    rule: get_s(r, "rule")?,
                    visits: get_i(r, "visits")?,
                    amount: get_i(r, "amount")?,
                    accepted: get_i(r, "accepted")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        out.sort_by(|a, b| a.rule.cmp(&b.rule));
        // LATE01's count and its acceptances come as two rows.
        out.dedup_by(|b, a| {
            let same = a.rule == b.rule;
            if same {
                a.visits += b.visits;
                a.amount += b.amount;
                a.accepted += b.accepted;
            }
            same
        });
        out.retain(|r| r.visits != 0);
        Ok(out)
    }

    /// Findings per rule of one unit for visits served between two `yyyymmdd` dates.
    pub async fn rule_counts_between(
        &self,
        actor: &Actor,
        hcode: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<RuleCount>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut s = Sql::new(
            "SELECT f.rule, CAST(COUNT(*) AS BIGINT) AS visits, CAST(SUM(f.amount) AS BIGINT) AS amount, CAST(SUM(CASE WHEN ",
        );
        s.push(NOT_ACCEPTED)
            .push(" THEN 0 ELSE 1 END) AS BIGINT) AS accepted FROM ");
        push_findings_table(&mut s, Some(hcode), None, &late);
        s.push(" JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode WHERE f.hcode = ");
        s.text(hcode)
            .push(" AND v.date_serv >= ")
            .int(from)
            .push(" AND v.date_serv <= ")
            .int(to);
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY f.rule ORDER BY f.rule");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(RuleCount {
                    rule: get_s(r, "rule")?,
                    visits: get_i(r, "visits")?,
                    amount: get_i(r, "amount")?,
                    accepted: get_i(r, "accepted")?,
                })
            })
            .collect()
    }

    /// Marks a finding accepted (the unit's staff or an admin), with a reason; audit-logged.
    /// A re-audit keeps the acceptance while the finding stands.
    pub async fn accept_finding(
        &self,
        actor: &Actor,
        hcode: &str,
        vkey: &str,
        rule: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.get_unit(actor, hcode).await?;
        if !actor.may_import(hcode) {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::field(
                "reason",
                "a reason is required",
                "กรุณาระบุเหตุผล",
            ));
        }
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut q = Sql::new("SELECT f.rule, f.severity FROM ");
        push_findings_table(&mut q, Some(hcode), Some(vkey), &late);
        q.push(" WHERE f.rule = ").text(rule);
        let Some(found) = q.query().fetch_optional(self.pool()).await? else {
            return Err(StoreError::NotFound);
        };
        let severity = get_s(&found, "severity")?;
        use crate::claims::sums::{audit_share_moves, audit_share_sql};
        let mut tx = self.pool().begin().await?;
        // The read models move by this visit's difference (a unit-wide recount took seconds
        // per click at a hospital's year).
        let share = audit_share_sql(self.engine(), hcode, vkey);
        let before = share.query().fetch_optional(&mut *tx).await?;
        let mut d = Sql::new("DELETE FROM claim_finding_accepts WHERE hcode = ");
        d.text(hcode)
            .push(" AND vkey = ")
            .text(vkey)
            .push(" AND rule = ")
            .text(rule);
        let replaced = d.query().execute(&mut *tx).await?.rows_affected() > 0;
        let mut s = Sql::new(
            "INSERT INTO claim_finding_accepts (hcode, vkey, rule, reason, accepted_by, accepted_at) VALUES (",
        );
        s.text(hcode)
            .push(", ")
            .text(vkey)
            .push(", ")
            .text(rule)
            .push(", ")
            .text(reason)
            .push(", ")
            .text(actor.username.clone())
            .push(", ")
            .int(now_ms())
            .push(")");
        s.query().execute(&mut *tx).await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "claim_finding",
                key: &format!("{vkey}/{rule}"),
                action: "accept",
                before: None,
                after: Some(serde_json::json!({ "reason": reason })),
            },
        )
        .await?;
        if !replaced && rule != "LATE01" {
            let mut u =
                Sql::new("UPDATE claim_sum_findings SET accepted = accepted + 1 WHERE hcode = ");
            u.text(hcode)
                .push(" AND rule = ")
                .text(rule)
                .push(" AND severity = ")
                .text(severity);
            u.query().execute(&mut *tx).await?;
        }
        let after = share.query().fetch_optional(&mut *tx).await?;
        for q in audit_share_moves(self.engine(), hcode, before, after)? {
            q.query().execute(&mut *tx).await?;
        }
        crate::bump_read_version().query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Clean visits and Authen coverage per unit and service month between two `yyyymmdd`
    /// dates, over the units the caller may see.
    pub async fn audit_rollup(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<UnitMonthAudit>, StoreError> {
        let province = self.province_of(actor, None).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| l.severity == "block" && !l.cutoffs.is_empty());
        let whole_months = from % 100 == 1
            && raidai_domain::periods::date_of(to)
                .is_some_and(|d| d.succ_opt().is_some_and(|n| n.day0() == 0));
        if late.is_none() && whole_months {
            return self
                .audit_rollup_sums(actor, hcode, from / 100, to / 100)
                .await;
        }
        // A blocking LATE01 or part of a month: from the visits themselves.
        let mut s = Sql::new(&format!(
            "SELECT v.hcode, u.name_th AS unit_name, u.district_code, CAST(v.date_serv / 100 AS BIGINT) AS month, CAST(COUNT(*) AS BIGINT) AS visits, CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM claim_findings f WHERE f.hcode = v.hcode AND f.vkey = v.vkey AND f.severity = 'block' AND {NOT_ACCEPTED})"
        ));
        if let Some(l) = &late {
            // LATE01 made blocking by the province: a late visit not accepted is not clean.
            s.push(" OR (NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = v.hcode AND a.vkey = v.vkey AND a.rule = 'LATE01') AND 1 = 1");
            push_late_predicate(&mut s, l);
            s.push(")");
        }
        s.push(" THEN 0 ELSE 1 END) AS BIGINT) AS clean, CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN 1 ELSE 0 END) AS BIGINT) AS authen_needed, CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') AND v.permitno <> '' THEN 1 ELSE 0 END) AS BIGINT) AS authen_has FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.date_serv >= ");
        s.int(from).push(" AND v.date_serv <= ").int(to);
        match hcode {
            Some(h) => {
                s.push(" AND v.hcode = ").text(h);
            }
            // Unit by unit on the (hcode, date_serv) index, not the whole table.
            None => {
                s.push(" AND v.hcode IN (SELECT hcode FROM units)");
            }
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.hcode, u.name_th, u.district_code, CAST(v.date_serv / 100 AS BIGINT) ORDER BY u.district_code, v.hcode, month");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(UnitMonthAudit {
                    hcode: get_s(r, "hcode")?,
                    unit_name: get_s(r, "unit_name")?,
                    district_code: get_s(r, "district_code")?,
                    month: get_i(r, "month")?,
                    visits: get_i(r, "visits")?,
                    clean: get_i(r, "clean")?,
                    authen_needed: get_i(r, "authen_needed")?,
                    authen_has: get_i(r, "authen_has")?,
                })
            })
            .collect()
    }

    /// `audit_rollup` over whole service months, from the read models: visits and Authen
    /// coverage from `claim_sum_visits`, visits blocked from `claim_sum_audit`.
    async fn audit_rollup_sums(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from_month: i64,
        to_month: i64,
    ) -> Result<Vec<UnitMonthAudit>, StoreError> {
        let mut s = Sql::new(
            "SELECT v.hcode, u.name_th AS unit_name, u.district_code, CAST(v.month AS BIGINT) AS month, CAST(SUM(v.visits) AS BIGINT) AS visits, \
             CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN v.visits ELSE 0 END) AS BIGINT) AS authen_needed, \
             CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN v.with_code ELSE 0 END) AS BIGINT) AS authen_has \
             FROM claim_sum_visits v JOIN units u ON u.hcode = v.hcode WHERE v.month >= ",
        );
        s.int(from_month).push(" AND v.month <= ").int(to_month);
        let mut b = Sql::new(
            "SELECT a.hcode, CAST(a.month AS BIGINT) AS month, CAST(a.blocked AS BIGINT) AS blocked FROM claim_sum_audit a JOIN units u ON u.hcode = a.hcode WHERE a.blocked <> 0 AND a.month >= ",
        );
        b.int(from_month).push(" AND a.month <= ").int(to_month);
        if let Some(h) = hcode {
            s.push(" AND v.hcode = ").text(h);
            b.push(" AND a.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        actor.push_unit_scope(&mut b, "u");
        s.push(" GROUP BY v.hcode, u.name_th, u.district_code, v.month HAVING SUM(v.visits) > 0 ORDER BY u.district_code, v.hcode, month");
        let mut blocked: HashMap<(String, i64), i64> = HashMap::new();
        for r in b.query().fetch_all(self.pool()).await? {
            blocked.insert(
                (get_s(&r, "hcode")?, get_i(&r, "month")?),
                get_i(&r, "blocked")?,
            );
        }
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let (h, month, visits) =
                    (get_s(r, "hcode")?, get_i(r, "month")?, get_i(r, "visits")?);
                let blocked = blocked.get(&(h.clone(), month)).copied().unwrap_or(0);
                Ok(UnitMonthAudit {
                    unit_name: get_s(r, "unit_name")?,
                    district_code: get_s(r, "district_code")?,
                    month,
                    visits,
                    clean: visits - blocked,
                    authen_needed: get_i(r, "authen_needed")?,
                    authen_has: get_i(r, "authen_has")?,
                    hcode: h,
                })
            })
            .collect()
    }

    /// Authen coverage of one unit by right, sub-right and service month.
    pub async fn authen_coverage(
        &self,
        actor: &Actor,
        hcode: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<AuthenCoverage>, StoreError> {
        self.get_unit(actor, hcode).await?;
        // The read model, by whole service months (`from` and `to` name the first and last).
        let mut s = Sql::new(
            "SELECT v.inscl, v.subtype, CAST(v.month AS BIGINT) AS month, CAST(SUM(v.visits) AS BIGINT) AS visits, CAST(SUM(v.with_code) AS BIGINT) AS with_code FROM claim_sum_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = ",
        );
        s.text(hcode)
            .push(" AND v.inscl IN ('UCS', 'WEL') AND v.month >= ")
            .int(from / 100)
            .push(" AND v.month <= ")
            .int(to / 100);
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.inscl, v.subtype, v.month HAVING SUM(v.visits) > 0 ORDER BY v.inscl, v.subtype, month");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(AuthenCoverage {
                    inscl: get_s(r, "inscl")?,
                    subtype: get_s(r, "subtype")?,
                    month: get_i(r, "month")?,
                    visits: get_i(r, "visits")?,
                    with_code: get_i(r, "with_code")?,
                })
            })
            .collect()
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
