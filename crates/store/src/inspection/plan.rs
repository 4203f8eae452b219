//! The inspection plan per province, fiscal year and round: sample, schedule, findings.

use super::*;
use crate::sql::binds;

/// One place visited: the office ('') or a unit, its date and the inspectors' findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InspectionVisit {
    /// '' is the provincial office, else the unit's hcode.
    pub target: String,
    /// ISO date (CE).
    pub visit_on: Option<String>,
    /// By 4P item id.
    pub findings: BTreeMap<String, String>,
    pub recommendation: String,
}

/// An inspection round's plan and results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub province_code: String,
    pub fiscal_year: u16,
    pub round: u8,
    pub inspectors: String,
    pub summary: String,
    /// The office first, then units by code.
    pub visits: Vec<InspectionVisit>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// What the plan form sends: the inspectors, the overall summary and the sample with dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionPlanInput {
    pub inspectors: String,
    pub summary: String,
    /// (target, date); the office is always visited and need not be listed.
    pub visits: Vec<(String, Option<String>)>,
}

/// What the seed's sample asks for that the chosen units lack: one รพศ./รพท. and one รพช.
/// Returned as (English, Thai) notes; empty when the sample matches.
pub fn sample_gaps(types: &[UnitType]) -> Vec<(&'static str, &'static str)> {
    let mut gaps = Vec::new();
    if !types
        .iter()
        .any(|t| matches!(t, UnitType::Rps | UnitType::Rpt))
    {
        gaps.push((
            "the seed's sample has one regional or general hospital (รพศ./รพท.)",
            "แนวทางกำหนดให้ตรวจ รพศ./รพท. 1 แห่ง",
        ));
    }
    if !types.contains(&UnitType::Rpch) {
        gaps.push((
            "the seed's sample has one community hospital (รพช.)",
            "แนวทางกำหนดให้ตรวจ รพช. 1 แห่ง",
        ));
    }
    gaps
}

impl Store {
    /// The province's inspection rounds: (fiscal year, round, places), newest first.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn inspections(
        &self,
        actor: &Actor,
        province: &str,
    ) -> Result<Vec<(u16, u8, i64)>, StoreError> {
        self.check_province(actor, province).await?;
        let mut s = Sql::new(
            "SELECT i.fiscal_year, i.round, (SELECT COUNT(*) FROM gov_inspection_visits v WHERE v.province_code = i.province_code AND v.fiscal_year = i.fiscal_year AND v.round = i.round) AS places FROM gov_inspections i WHERE i.province_code = ",
        );
        s.text(province)
            .push(" ORDER BY i.fiscal_year DESC, i.round DESC");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    u16::try_from(get_i(r, "fiscal_year")?).unwrap_or(0),
                    u8::try_from(get_i(r, "round")?).unwrap_or(0),
                    get_i(r, "places")?,
                ))
            })
            .collect()
    }

    /// One round's plan with its visits, if planned.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn inspection(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
    ) -> Result<Option<Inspection>, StoreError> {
        self.check_province(actor, province).await?;
        let mut s = Sql::new(
            "SELECT inspectors, summary, updated_at, updated_by FROM gov_inspections WHERE province_code = ",
        );
        s.push_round_key(province, fiscal_year, round);
        let Some(r) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut v = Sql::new(
            "SELECT target, visit_on, findings_json, recommendation FROM gov_inspection_visits WHERE province_code = ",
        );
        v.push_round_key(province, fiscal_year, round)
            .push(" ORDER BY target");
        let visits = v
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(InspectionVisit {
                    target: get_s(r, "target")?,
                    visit_on: get_os(r, "visit_on")?,
                    findings: serde_json::from_str(&get_s(r, "findings_json")?).unwrap_or_default(),
                    recommendation: get_s(r, "recommendation")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(Inspection {
            province_code: province.to_string(),
            fiscal_year,
            round,
            inspectors: get_s(&r, "inspectors")?,
            summary: get_s(&r, "summary")?,
            visits,
            updated_at: get_i(&r, "updated_at")?,
            updated_by: get_s(&r, "updated_by")?,
        }))
    }

    /// Saves a round's plan. Every sampled unit must be a hospital of the province; the office
    /// is always in the sample. Findings of places kept stay; a place dropped from the sample
    /// loses its findings (the page says so before saving).
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_inspection_plan(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
        plan: &InspectionPlanInput,
    ) -> Result<Inspection, StoreError> {
        self.check_province(actor, province).await?;
        check_year_round(fiscal_year, round)?;
        let mut errs = Vec::new();
        errs.extend(too_long("inspectors", &plan.inspectors, 1000));
        errs.extend(too_long("summary", &plan.summary, 10_000));
        let mut dates: BTreeMap<String, Option<String>> = BTreeMap::new();
        dates.insert(String::new(), None);
        for (target, date) in &plan.visits {
            let target = target.trim();
            let field = format!("visit.{}", if target.is_empty() { "pho" } else { target });
            errs.extend(check_date(&field, date.as_deref()));
            if let Target::Unit(hcode) = Target::parse(target) {
                let mut s = Sql::new("SELECT unit_type, province_code FROM units WHERE hcode = ");
                s.text(hcode);
                let ok = match s.query().fetch_optional(self.pool()).await? {
                    Some(r) => {
                        get_s(&r, "province_code")? == province
                            && UnitType::parse(&get_s(&r, "unit_type")?)
                                .is_some_and(UnitType::is_hospital)
                    }
                    None => false,
                };
                if !ok {
                    errs.push(FieldError::new(
                        &field,
                        format!(
                            "{hcode} is not a hospital (รพศ./รพท./รพช.) of province {province}"
                        ),
                        format!("{hcode} ไม่ใช่โรงพยาบาล (รพศ./รพท./รพช.) ในจังหวัดนี้"),
                    ));
                }
            }
            dates.insert(
                Target::parse(target).column().to_string(),
                date.clone().filter(|d| !d.is_empty()),
            );
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.inspection(actor, province, fiscal_year, round).await?;
        let at = now_ms();
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_inspections (province_code, fiscal_year, round, inspectors, summary, updated_at, updated_by) VALUES (",
        );
        s.list(binds![province, i64::from(fiscal_year), i64::from(round), plan.inspectors.trim(), plan.summary.trim(), at, actor.who.username.clone()])
            .push(
                ") ON CONFLICT (province_code, fiscal_year, round) DO UPDATE SET inspectors = excluded.inspectors, summary = excluded.summary, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut *tx).await?;
        let kept: Vec<&InspectionVisit> = before
            .as_ref()
            .map(|b| b.visits.iter().collect())
            .unwrap_or_default();
        let mut d = Sql::new("DELETE FROM gov_inspection_visits WHERE province_code = ");
        d.push_round_key(province, fiscal_year, round);
        d.query().execute(&mut *tx).await?;
        for (target, date) in &dates {
            let old = kept.iter().find(|v| &v.target == target);
            let mut s = Sql::new(
                "INSERT INTO gov_inspection_visits (province_code, fiscal_year, round, target, visit_on, findings_json, recommendation) VALUES (",
            );
            s.list(binds![
                province,
                i64::from(fiscal_year),
                i64::from(round),
                target.clone(),
                date.clone(),
                old.map(|o| serde_json::to_string(&o.findings).unwrap_or_default())
                    .unwrap_or_else(|| "{}".into()),
                old.map(|o| o.recommendation.clone()).unwrap_or_default()
            ])
            .push(")");
            s.query().execute(&mut *tx).await?;
        }
        Change::new(
            "gov_inspection",
            &format!("{province}/{fiscal_year}/{round}"),
            if before.is_some() { "update" } else { "create" },
        )
        .before_opt(before.as_ref().and_then(json))
        .after(serde_json::json!({ "inspectors": plan.inspectors.trim(), "sample": dates, }))
        .record_and_commit(tx, actor)
        .await?;
        self.inspection(actor, province, fiscal_year, round)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Records the inspectors' findings at one place of the plan, against the paper's items
    /// (the office's items at the office, the others at a hospital).
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_inspection_findings(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
        target: &str,
        findings: &BTreeMap<String, String>,
        recommendation: &str,
    ) -> Result<InspectionVisit, StoreError> {
        self.check_province(actor, province).await?;
        check_year_round(fiscal_year, round)?;
        let target = Target::parse(target);
        let Some(plan) = self.inspection(actor, province, fiscal_year, round).await? else {
            return Err(StoreError::NotFound);
        };
        let Some(before) = plan.visits.iter().find(|v| v.target == target.column()) else {
            return Err(StoreError::NotFound);
        };
        let criteria = criteria_for(fiscal_year);
        let ids = match target {
            Target::Office => pho_item_ids(criteria),
            Target::Unit(_) => unit_item_ids(criteria),
        };
        let mut errs = Vec::new();
        for (id, text) in findings {
            if !ids.contains(id) {
                errs.push(FieldError::new(
                    &format!("finding.{id}"),
                    format!("item {id} is not checked at this place"),
                    format!("ข้อ {id} ไม่ใช่ข้อที่ตรวจที่หน่วยนี้"),
                ));
            }
            errs.extend(too_long(&format!("finding.{id}"), text, 2000));
        }
        errs.extend(too_long("recommendation", recommendation, 5000));
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let kept: BTreeMap<&String, &str> = findings
            .iter()
            .map(|(k, v)| (k, v.trim()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE gov_inspection_visits SET findings_json = ");
        s.text(serde_json::to_string(&kept).unwrap_or_else(|_| "{}".into()))
            .push(", recommendation = ")
            .text(recommendation.trim())
            .push(" WHERE province_code = ")
            .push_round_key(province, fiscal_year, round)
            .push(" AND target = ")
            .text(target.column());
        s.query().execute(&mut *tx).await?;
        let after = InspectionVisit {
            target: target.column().to_string(),
            visit_on: before.visit_on.clone(),
            findings: kept
                .into_iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            recommendation: recommendation.trim().to_string(),
        };
        Change::new(
            "gov_inspection_findings",
            &format!("{province}/{fiscal_year}/{round}/{}", target.column()),
            "update",
        )
        .hcode(match target {
            Target::Office => None,
            Target::Unit(h) => Some(h),
        })
        .before_opt(json(before))
        .after_opt(json(&after))
        .record_and_commit(tx, actor)
        .await?;
        Ok(after)
    }
}
