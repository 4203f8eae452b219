//! Seed 004's inspection beyond the units' own forms (issue 14): the provincial office's own 4P
//! paper, each hospital's 3–5-year financial strategy, and the inspection plan per province,
//! fiscal year and round (sample, schedule, inspectors' findings per item) that the inspection
//! report prints.

use crate::audit::{Change, record};
use crate::governance::{
    ASSESSMENT_ROUNDS, AssessmentInput, EVIDENCE_MAX_BYTES, FormKind, ItemMark, PaperHeader,
    check_input, clean_filename, evidence_type, json,
};
use crate::sql::{Sql, get_i, get_os, get_s};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::master::{Role, UnitType};
use raidai_governance::CriteriaSet;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// The 4P group whose items are about the provincial office (items 1–3 of the seed's paper).
pub const PHO_GROUP: &str = "PHO";

/// The criteria set in force for a fiscal year.
pub fn criteria_for(fiscal_year: u16) -> &'static CriteriaSet {
    CriteriaSet::default_for(fiscal_year).unwrap_or_else(CriteriaSet::builtin)
}

/// The 4P items the provincial office's own paper holds, in printed order.
pub fn pho_item_ids(criteria: &CriteriaSet) -> Vec<String> {
    criteria
        .four_p
        .items
        .iter()
        .filter(|i| i.group == PHO_GROUP)
        .map(|i| i.id.clone())
        .collect()
}

/// The 4P items an inspector checks at a hospital (all but the provincial office's).
pub fn unit_item_ids(criteria: &CriteriaSet) -> Vec<String> {
    criteria
        .four_p
        .items
        .iter()
        .filter(|i| i.group != PHO_GROUP)
        .map(|i| i.id.clone())
        .collect()
}

fn check_year_round(fiscal_year: u16, round: u8) -> Result<(), StoreError> {
    let mut errs = Vec::new();
    if !(2500..=2700).contains(&fiscal_year) {
        errs.push(FieldError::new(
            "fiscal_year",
            "fiscal year must be a BE year such as 2569",
            "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
        ));
    }
    if !ASSESSMENT_ROUNDS.contains(&round) {
        errs.push(FieldError::new(
            "round",
            "round must be 1 or 2",
            "รอบการตรวจต้องเป็น 1 หรือ 2",
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errs))
    }
}

fn check_date(field: &str, d: Option<&str>) -> Option<FieldError> {
    let d = d.filter(|d| !d.is_empty())?;
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .is_err()
        .then(|| {
            FieldError::new(
                field,
                format!("date must be YYYY-MM-DD, got {d:?}"),
                "วันที่ไม่ถูกต้อง",
            )
        })
}

fn too_long(field: &str, v: &str, max: usize) -> Option<FieldError> {
    (v.chars().count() > max).then(|| {
        FieldError::new(
            field,
            format!("{field} is limited to {max} characters"),
            format!("ข้อความยาวเกิน {max} ตัวอักษร"),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// The provincial office's own 4P paper
// ---------------------------------------------------------------------------------------------

/// The provincial office's 4P paper for a fiscal year and round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoPaper {
    pub province_code: String,
    pub fiscal_year: u16,
    pub round: u8,
    pub criteria_version: String,
    pub input: AssessmentInput,
    pub updated_at: i64,
    pub updated_by: String,
}

/// An inspection's place: the provincial office or a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Office,
    Unit(&'a str),
}

impl<'a> Target<'a> {
    /// '' is the office (the column's value), else a unit's code.
    pub fn parse(s: &'a str) -> Target<'a> {
        if s.is_empty() || s.eq_ignore_ascii_case("pho") {
            Target::Office
        } else {
            Target::Unit(s)
        }
    }

    fn column(self) -> &'a str {
        match self {
            Target::Office => "",
            Target::Unit(h) => h,
        }
    }
}

impl Store {
    /// The provincial office's papers and plans belong to its province: the province's own
    /// users and the administrators see them; a district or unit user never does. Writing
    /// takes the same roles.
    async fn check_province(&self, actor: &Actor, code: &str) -> Result<(), StoreError> {
        match actor.role {
            Role::Admin => {}
            Role::Province if actor.province_code.as_deref() == Some(code) => {}
            Role::Province => return Err(StoreError::NotFound),
            _ => return Err(StoreError::Forbidden),
        }
        let mut s = Sql::new("SELECT code FROM provinces WHERE code = ");
        s.text(code);
        match s.query().fetch_optional(self.pool()).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound),
        }
    }

    /// The office's paper, if saved.
    pub async fn pho_paper(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
    ) -> Result<Option<PhoPaper>, StoreError> {
        self.check_province(actor, province).await?;
        let mut s = Sql::new(
            "SELECT criteria_version, assessor, assessed_on, reviewer_summary, marks_json, paper_json, updated_at, updated_by FROM gov_pho_papers WHERE province_code = ",
        );
        s.text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round));
        let Some(r) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let marks: BTreeMap<String, ItemMark> =
            serde_json::from_str(&get_s(&r, "marks_json")?).unwrap_or_default();
        let paper: PaperHeader =
            serde_json::from_str(&get_s(&r, "paper_json")?).unwrap_or_default();
        Ok(Some(PhoPaper {
            province_code: province.to_string(),
            fiscal_year,
            round,
            criteria_version: get_s(&r, "criteria_version")?,
            input: AssessmentInput {
                assessor: get_s(&r, "assessor")?,
                assessed_on: get_os(&r, "assessed_on")?,
                reviewer_summary: get_s(&r, "reviewer_summary")?,
                marks,
                paper,
            },
            updated_at: get_i(&r, "updated_at")?,
            updated_by: get_s(&r, "updated_by")?,
        }))
    }

    /// Saves the office's paper: the same checks as a unit's 4P paper, over the office's items.
    pub async fn save_pho_paper(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
        input: &AssessmentInput,
    ) -> Result<PhoPaper, StoreError> {
        self.check_province(actor, province).await?;
        check_year_round(fiscal_year, round)?;
        let criteria = criteria_for(fiscal_year);
        let errs = check_input(FormKind::FourP, &pho_item_ids(criteria), input);
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.pho_paper(actor, province, fiscal_year, round).await?;
        let marks: BTreeMap<&String, &ItemMark> = input
            .marks
            .iter()
            .filter(|(_, m)| !m.mark.is_empty() || !m.note.trim().is_empty())
            .collect();
        let at = now_ms();
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_pho_papers (province_code, fiscal_year, round, criteria_version, assessor, assessed_on, reviewer_summary, marks_json, paper_json, updated_at, updated_by) VALUES (",
        );
        s.text(province)
            .push(", ")
            .int(i64::from(fiscal_year))
            .push(", ")
            .int(i64::from(round))
            .push(", ")
            .text(criteria.version.clone())
            .push(", ")
            .text(input.assessor.trim())
            .push(", ")
            .opt_text(input.assessed_on.clone().filter(|d| !d.is_empty()))
            .push(", ")
            .text(input.reviewer_summary.trim())
            .push(", ")
            .text(serde_json::to_string(&marks).unwrap_or_else(|_| "{}".into()))
            .push(", ")
            .text(serde_json::to_string(&input.paper).unwrap_or_else(|_| "{}".into()))
            .push(", ")
            .int(at)
            .push(", ")
            .text(actor.username.clone())
            .push(
                ") ON CONFLICT (province_code, fiscal_year, round) DO UPDATE SET criteria_version = excluded.criteria_version, assessor = excluded.assessor, assessed_on = excluded.assessed_on, reviewer_summary = excluded.reviewer_summary, marks_json = excluded.marks_json, paper_json = excluded.paper_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut *tx).await?;
        let saved = PhoPaper {
            province_code: province.to_string(),
            fiscal_year,
            round,
            criteria_version: criteria.version.clone(),
            input: AssessmentInput {
                assessor: input.assessor.trim().to_string(),
                assessed_on: input.assessed_on.clone().filter(|d| !d.is_empty()),
                reviewer_summary: input.reviewer_summary.trim().to_string(),
                marks: marks
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                paper: input.paper.clone(),
            },
            updated_at: at,
            updated_by: actor.username.clone(),
        };
        record(
            &mut tx,
            actor,
            Change {
                hcode: None,
                entity: "gov_pho_paper",
                key: &format!("{province}/{fiscal_year}/{round}"),
                action: if before.is_some() { "update" } else { "create" },
                before: before.as_ref().and_then(|b| json(&b.input)),
                after: json(&saved.input),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }
}

// ---------------------------------------------------------------------------------------------
// The financial strategy (แผนกลยุทธ์ทางการเงิน 3–5 ปี)
// ---------------------------------------------------------------------------------------------

/// A strategy's span in fiscal years (seed 004: "ระยะเวลา ๓ ปี ถึง ๕ ปี").
pub const STRATEGY_YEARS: std::ops::RangeInclusive<u16> = 3..=5;

/// What the unit enters with its strategy document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StrategyInput {
    pub first_fy: u16,
    pub last_fy: u16,
    pub title: String,
    /// Who approved the strategy (the hospital's director or board), as signed.
    pub approved_by: String,
    /// ISO date (CE).
    pub approved_on: Option<String>,
}

/// A stored strategy document (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strategy {
    pub id: String,
    pub hcode: String,
    pub first_fy: u16,
    pub last_fy: u16,
    pub title: String,
    pub approved_by: String,
    pub approved_on: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
    pub uploaded_by: String,
}

impl Strategy {
    pub fn covers(&self, fiscal_year: u16) -> bool {
        (self.first_fy..=self.last_fy).contains(&fiscal_year)
    }
}

const STRATEGY_COLS: &str = "g.id, g.hcode, g.first_fy, g.last_fy, g.title, g.approved_by, g.approved_on, g.filename, g.content_type, g.size, g.sha256, g.uploaded_at, g.uploaded_by";

fn strategy_from_row(r: &AnyRow) -> Result<Strategy, StoreError> {
    Ok(Strategy {
        id: get_s(r, "id")?,
        hcode: get_s(r, "hcode")?,
        first_fy: u16::try_from(get_i(r, "first_fy")?).unwrap_or(0),
        last_fy: u16::try_from(get_i(r, "last_fy")?).unwrap_or(0),
        title: get_s(r, "title")?,
        approved_by: get_s(r, "approved_by")?,
        approved_on: get_os(r, "approved_on")?,
        filename: get_s(r, "filename")?,
        content_type: get_s(r, "content_type")?,
        size: get_i(r, "size")?,
        sha256: get_s(r, "sha256")?,
        uploaded_at: get_i(r, "uploaded_at")?,
        uploaded_by: get_s(r, "uploaded_by")?,
    })
}

/// Every problem with a strategy's description.
pub fn check_strategy(input: &StrategyInput) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, fy) in [("first_fy", input.first_fy), ("last_fy", input.last_fy)] {
        if !(2500..=2700).contains(&fy) {
            errs.push(FieldError::new(
                field,
                "fiscal year must be a BE year such as 2569",
                "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
            ));
        }
    }
    if errs.is_empty() {
        let span = input.last_fy.saturating_sub(input.first_fy) + 1;
        if input.last_fy < input.first_fy || !STRATEGY_YEARS.contains(&span) {
            errs.push(FieldError::new(
                "last_fy",
                format!(
                    "a financial strategy covers 3 to 5 fiscal years; {}–{} is not that",
                    input.first_fy, input.last_fy
                ),
                "แผนกลยุทธ์ทางการเงินต้องครอบคลุม 3 ถึง 5 ปีงบประมาณ",
            ));
        }
    }
    if input.title.trim().is_empty() {
        errs.push(FieldError::new(
            "title",
            "the document's title is required",
            "ต้องระบุชื่อเอกสาร",
        ));
    }
    errs.extend(too_long("title", &input.title, 200));
    errs.extend(too_long("approved_by", &input.approved_by, 200));
    errs.extend(check_date("approved_on", input.approved_on.as_deref()));
    errs
}

impl Store {
    /// Attaches a strategy document to a unit. The file is checked as evidence is (type by its
    /// first bytes, at most 10 MB).
    pub async fn add_strategy(
        &self,
        actor: &Actor,
        hcode: &str,
        input: &StrategyInput,
        filename: &str,
        data: &[u8],
    ) -> Result<Strategy, StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        let mut errs = check_strategy(input);
        let filename = clean_filename(filename);
        let content_type = evidence_type(&filename, data);
        if data.is_empty() || data.len() > EVIDENCE_MAX_BYTES {
            errs.push(FieldError::new(
                "file",
                "the document must be a non-empty file of at most 10 MB",
                "ไฟล์ต้องไม่ว่างและมีขนาดไม่เกิน 10 MB",
            ));
        } else if content_type.is_none() {
            errs.push(FieldError::new(
                "file",
                "the document must be a PDF, PNG, JPEG, XLSX or DOCX file",
                "ไฟล์ต้องเป็น PDF, PNG, JPEG, XLSX หรือ DOCX",
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let sha = {
            use sha2::Digest;
            sha2::Sha256::digest(data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let meta = Strategy {
            id: uuid::Uuid::now_v7().to_string(),
            hcode: hcode.to_string(),
            first_fy: input.first_fy,
            last_fy: input.last_fy,
            title: input.title.trim().to_string(),
            approved_by: input.approved_by.trim().to_string(),
            approved_on: input.approved_on.clone().filter(|d| !d.is_empty()),
            filename,
            content_type: content_type.unwrap_or_default().to_string(),
            size: data.len() as i64,
            sha256: sha,
            uploaded_at: now_ms(),
            uploaded_by: actor.username.clone(),
        };
        let mut tx = self.pool().begin().await?;
        // Bytes need a binary bind, which the small builder does not carry.
        sqlx::query(
            "INSERT INTO gov_strategies (hcode, id, first_fy, last_fy, title, approved_by, approved_on, filename, content_type, size, sha256, data, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(meta.hcode.clone())
        .bind(meta.id.clone())
        .bind(i64::from(meta.first_fy))
        .bind(i64::from(meta.last_fy))
        .bind(meta.title.clone())
        .bind(meta.approved_by.clone())
        .bind(meta.approved_on.clone())
        .bind(meta.filename.clone())
        .bind(meta.content_type.clone())
        .bind(meta.size)
        .bind(meta.sha256.clone())
        .bind(data.to_vec())
        .bind(meta.uploaded_at)
        .bind(meta.uploaded_by.clone())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "gov_strategy",
                key: &format!("{hcode}/{}", meta.id),
                action: "upload",
                before: None,
                after: json(&meta),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(meta)
    }

    /// A unit's strategy documents, newest span first.
    pub async fn strategies(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Vec<Strategy>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {STRATEGY_COLS} FROM gov_strategies g WHERE g.hcode = "
        ));
        s.text(hcode)
            .push(" ORDER BY g.last_fy DESC, g.uploaded_at DESC");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(strategy_from_row)
            .collect()
    }

    /// One strategy document with its bytes, checked against the caller's tenancy.
    pub async fn strategy_file(
        &self,
        actor: &Actor,
        hcode: &str,
        id: &str,
    ) -> Result<(Strategy, Vec<u8>), StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {STRATEGY_COLS}, g.data FROM gov_strategies g WHERE g.hcode = "
        ));
        s.text(hcode).push(" AND g.id = ").text(id);
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let data: Vec<u8> = sqlx::Row::try_get(&row, "data")?;
        Ok((strategy_from_row(&row)?, data))
    }

    /// The visible units with a strategy covering `fiscal_year`.
    pub async fn strategy_units_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
    ) -> Result<BTreeSet<String>, StoreError> {
        let mut s = Sql::new(
            "SELECT DISTINCT g.hcode FROM gov_strategies g JOIN units u ON u.hcode = g.hcode WHERE g.first_fy <= ",
        );
        s.int(i64::from(fiscal_year))
            .push(" AND g.last_fy >= ")
            .int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(get_s(r, "hcode")?))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The inspection plan: sample, schedule, findings
// ---------------------------------------------------------------------------------------------

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
        s.text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round));
        let Some(r) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut v = Sql::new(
            "SELECT target, visit_on, findings_json, recommendation FROM gov_inspection_visits WHERE province_code = ",
        );
        v.text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round))
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
        s.text(province)
            .push(", ")
            .int(i64::from(fiscal_year))
            .push(", ")
            .int(i64::from(round))
            .push(", ")
            .text(plan.inspectors.trim())
            .push(", ")
            .text(plan.summary.trim())
            .push(", ")
            .int(at)
            .push(", ")
            .text(actor.username.clone())
            .push(
                ") ON CONFLICT (province_code, fiscal_year, round) DO UPDATE SET inspectors = excluded.inspectors, summary = excluded.summary, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut *tx).await?;
        let kept: Vec<&InspectionVisit> = before
            .as_ref()
            .map(|b| b.visits.iter().collect())
            .unwrap_or_default();
        let mut d = Sql::new("DELETE FROM gov_inspection_visits WHERE province_code = ");
        d.text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round));
        d.query().execute(&mut *tx).await?;
        for (target, date) in &dates {
            let old = kept.iter().find(|v| &v.target == target);
            let mut s = Sql::new(
                "INSERT INTO gov_inspection_visits (province_code, fiscal_year, round, target, visit_on, findings_json, recommendation) VALUES (",
            );
            s.text(province)
                .push(", ")
                .int(i64::from(fiscal_year))
                .push(", ")
                .int(i64::from(round))
                .push(", ")
                .text(target.clone())
                .push(", ")
                .opt_text(date.clone())
                .push(", ")
                .text(
                    old.map(|o| serde_json::to_string(&o.findings).unwrap_or_default())
                        .unwrap_or_else(|| "{}".into()),
                )
                .push(", ")
                .text(old.map(|o| o.recommendation.clone()).unwrap_or_default())
                .push(")");
            s.query().execute(&mut *tx).await?;
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: None,
                entity: "gov_inspection",
                key: &format!("{province}/{fiscal_year}/{round}"),
                action: if before.is_some() { "update" } else { "create" },
                before: before.as_ref().and_then(json),
                after: Some(serde_json::json!({
                    "inspectors": plan.inspectors.trim(),
                    "sample": dates,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.inspection(actor, province, fiscal_year, round)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Records the inspectors' findings at one place of the plan, against the paper's items
    /// (the office's items at the office, the others at a hospital).
    #[allow(clippy::too_many_arguments)]
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
            .text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round))
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
        record(
            &mut tx,
            actor,
            Change {
                hcode: match target {
                    Target::Office => None,
                    Target::Unit(h) => Some(h),
                },
                entity: "gov_inspection_findings",
                key: &format!("{province}/{fiscal_year}/{round}/{}", target.column()),
                action: "update",
                before: json(before),
                after: json(&after),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_sample_needs_one_general_and_one_community_hospital() {
        assert!(sample_gaps(&[UnitType::Rpt, UnitType::Rpch]).is_empty());
        assert!(sample_gaps(&[UnitType::Rps, UnitType::Rpch, UnitType::Rpch]).is_empty());
        assert_eq!(sample_gaps(&[UnitType::Rpch]).len(), 1);
        assert_eq!(sample_gaps(&[UnitType::Rps]).len(), 1);
        assert_eq!(sample_gaps(&[]).len(), 2);
    }

    #[test]
    fn a_strategy_spans_three_to_five_years() {
        let s = |a, b| StrategyInput {
            first_fy: a,
            last_fy: b,
            title: "แผนกลยุทธ์ทางการเงิน".into(),
            ..Default::default()
        };
        assert!(check_strategy(&s(2568, 2570)).is_empty());
        assert!(check_strategy(&s(2568, 2572)).is_empty());
        assert!(!check_strategy(&s(2568, 2569)).is_empty());
        assert!(!check_strategy(&s(2568, 2573)).is_empty());
        assert!(!check_strategy(&s(2570, 2568)).is_empty());
        assert!(!check_strategy(&s(68, 70)).is_empty());
        let mut no_title = s(2568, 2570);
        no_title.title = " ".into();
        assert_eq!(check_strategy(&no_title)[0].field, "title");
    }

    #[test]
    fn the_office_paper_holds_items_one_to_three() {
        let c = CriteriaSet::builtin();
        let pho = pho_item_ids(c);
        assert_eq!(pho.len(), 3);
        assert_eq!(pho.len() + unit_item_ids(c).len(), c.four_p.items.len());
    }
}
