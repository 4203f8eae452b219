//! Seed 004's inspection (issue 14): the provincial office's own 4P paper, each hospital's
//! financial strategy document, and the inspection plan per province, fiscal year and round
//! (sample, schedule, findings per item) with its A4 report and JSON twin.

use crate::auth::{Me, Tr};
use crate::error::AppError;
use crate::governance::{
    AssessmentPage, be_date, file_size, four_p_sections, fy_label, input_from_form, mark_choices,
    met_key, multipart_upload, paper_parts, pct_beside, step_label,
};
use crate::i18n::T;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout, datetime};
use crate::{Access, AppState, RouteDef};
use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_domain::master::Role;
use raidai_governance::assessment::{FourPMark, score_four_p};
use raidai_governance::criteria::FourPCriteria;
use raidai_governance::planfin::plan_vs_actual;
use raidai_store::governance::{AssessmentKey, FormKind};
use raidai_store::inspection::{
    Inspection, InspectionPlanInput, PHO_GROUP, StrategyInput, criteria_for, sample_gaps,
};
use raidai_store::master::{Unit, UnitQuery};
use raidai_store::{Actor, FieldError, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "insp_title",
        "การตรวจราชการ ธรรมาภิบาล (แผนเงินบำรุง)",
        "Governance inspection (maintenance-fund plan)",
    ),
    ("insp_list", "แผนการตรวจราชการ", "Inspection plans"),
    ("insp_open", "เปิดแผนการตรวจ", "Open a plan"),
    ("insp_none", "ยังไม่มีแผนการตรวจ", "No inspection planned yet"),
    ("insp_places", "จำนวนหน่วยที่ตรวจ", "Places visited"),
    ("insp_sample", "หน่วยที่ตรวจและกำหนดการ", "Sample and schedule"),
    (
        "insp_sample_help",
        "แนวทางการตรวจราชการ รอบที่ 1–2: สำนักงานสาธารณสุขจังหวัด โรงพยาบาลศูนย์/ทั่วไป 1 แห่ง และโรงพยาบาลชุมชน 1 แห่ง ถ้านำหน่วยออกจากแผน ผลการตรวจที่บันทึกไว้ของหน่วยนั้นจะถูกลบ",
        "Rounds 1–2 of the guideline: the provincial health office, one regional or general hospital and one community hospital. Removing a place from the plan deletes the findings recorded there.",
    ),
    (
        "insp_pho",
        "สำนักงานสาธารณสุขจังหวัด",
        "Provincial health office",
    ),
    ("insp_visit_on", "วันที่ตรวจ", "Visit date"),
    ("insp_in_sample", "ตรวจ", "Visit"),
    ("insp_inspectors", "คณะผู้ตรวจ", "Inspectors"),
    (
        "insp_summary",
        "สรุปภาพรวมของจังหวัด",
        "Summary for the province",
    ),
    ("insp_results", "ผลการตรวจรายหน่วย", "Results by place"),
    ("insp_findings", "ผลการตรวจ", "Findings"),
    ("insp_record_findings", "บันทึกผลการตรวจ", "Record findings"),
    ("insp_recommendation", "ข้อเสนอแนะ", "Recommendations"),
    (
        "insp_report",
        "รายงานผลการตรวจ (พิมพ์ A4)",
        "Inspection report (A4)",
    ),
    (
        "insp_report_title",
        "รายงานผลการตรวจราชการ ประเด็นธรรมาภิบาล: แผนเงินบำรุง และการควบคุมการใช้จ่ายตามหลัก 4P",
        "Inspection report, good governance: the maintenance-fund plan and spending control (4P)",
    ),
    ("insp_4p_score", "คะแนน 4P", "4P score"),
    ("insp_q2_rev", "รายรับ ไตรมาส 2", "Q2 revenue"),
    ("insp_q2_exp", "รายจ่าย ไตรมาส 2", "Q2 expense"),
    ("insp_plan_state", "สถานะแผน", "Plan state"),
    ("insp_strategy", "แผนกลยุทธ์ทางการเงิน", "Financial strategy"),
    ("insp_finding_count", "ข้อที่มีผลการตรวจ", "Items with findings"),
    (
        "insp_outcome",
        "ประสิทธิภาพการใช้จ่ายเงินนอกงบประมาณ (เงินบำรุง) ผ่านเกณฑ์ (4P ≥ ร้อยละ 80)",
        "Non-budget spending efficiency passed (4P ≥ 80%)",
    ),
    (
        "insp_every_plan",
        "โรงพยาบาลทุกแห่งมีแผนเงินบำรุงที่อนุมัติแล้ว (ร้อยละ 100)",
        "Every hospital has an approved maintenance-fund plan (100%)",
    ),
    ("insp_no_paper", "ยังไม่ได้ประเมิน", "Not assessed"),
    ("insp_printed", "พิมพ์เมื่อ", "Printed"),
    ("insp_sign_lead", "หัวหน้าคณะผู้ตรวจ", "Lead inspector"),
    (
        "insp_sign_pho",
        "นายแพทย์สาธารณสุขจังหวัด",
        "Provincial chief medical officer",
    ),
    ("insp_item_mark", "คะแนนในกระดาษทำการ", "Mark on the paper"),
    ("insp_saved", "บันทึกแล้ว", "Saved"),
    (
        "insp_pho_paper",
        "กระดาษทำการ 4P ของ สสจ.",
        "The PHO's own 4P paper",
    ),
    (
        "insp_pho_paper_help",
        "ข้อ 1–3 ของกระดาษทำการ ตร.๐๑ เป็นเรื่องของสำนักงานสาธารณสุขจังหวัด จึงประเมินที่ สสจ.",
        "Items 1–3 of the working paper are about the provincial health office and are assessed there",
    ),
    (
        "insp_gaps",
        "ยังไม่ครบตามแนวทาง",
        "Not yet as the guideline asks",
    ),
    ("insp_province", "จังหวัด", "Province"),
    ("gov_no_plan_short", "ยังไม่มีแผน", "No plan"),
    (
        "strat_title",
        "แผนกลยุทธ์ทางการเงิน (3–5 ปี)",
        "Financial strategy (3–5 years)",
    ),
    (
        "strat_help",
        "นโยบาย: หน่วยบริการจัดทำแผนกลยุทธ์ทางการเงินระยะ 3–5 ปี รองรับสถานการณ์และครอบคลุมค่าใช้จ่าย และกรณีก่อหนี้ผูกพันเกิน 1 ปีต้องมีแผนกลยุทธ์รองรับ (กระดาษทำการข้อ 7)",
        "Policy: each unit keeps a 3–5-year financial strategy; multi-year commitments must be backed by one (working paper item 7)",
    ),
    (
        "strat_none",
        "ยังไม่มีแผนกลยุทธ์ที่ครอบคลุมปีงบประมาณนี้",
        "No strategy covers this fiscal year",
    ),
    (
        "strat_covers",
        "ครอบคลุมปีงบประมาณนี้",
        "Covers this fiscal year",
    ),
    ("strat_years", "ปีงบประมาณ", "Fiscal years"),
    ("strat_doc_title", "ชื่อเอกสาร", "Document title"),
    ("strat_approved_by", "ผู้อนุมัติ", "Approved by"),
    ("strat_approved_on", "วันที่อนุมัติ", "Approved on"),
    (
        "strat_file",
        "ไฟล์ (PDF, DOCX, XLSX, รูปภาพ ไม่เกิน 10 MB)",
        "File (PDF, DOCX, XLSX, image; at most 10 MB)",
    ),
    ("strat_upload", "แนบแผนกลยุทธ์", "Attach the strategy"),
    ("strat_added", "แนบแผนกลยุทธ์แล้ว", "Strategy attached"),
    (
        "strat_measure",
        "หน่วยบริการมีแผนกลยุทธ์ทางการเงิน 3–5 ปี ครอบคลุมปีนี้",
        "Units with a 3–5-year financial strategy covering the year",
    ),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        crate::r(M::GET, "/governance/inspections", SignedIn, get(list)),
        crate::r(M::GET, "/governance/inspections/open", SignedIn, get(open)),
        crate::r(
            M::GET,
            "/governance/inspections/{province}/{fy}/{round}",
            SignedIn,
            get(plan),
        ),
        crate::r(
            M::POST,
            "/governance/inspections/{province}/{fy}/{round}",
            SignedIn,
            post(plan_save),
        ),
        crate::r(
            M::GET,
            "/governance/inspections/{province}/{fy}/{round}/report",
            SignedIn,
            get(report),
        ),
        crate::r(
            M::GET,
            "/governance/inspections/{province}/{fy}/{round}/places/{target}",
            SignedIn,
            get(findings),
        ),
        crate::r(
            M::POST,
            "/governance/inspections/{province}/{fy}/{round}/places/{target}",
            SignedIn,
            post(findings_save),
        ),
        crate::r(
            M::GET,
            "/api/v1/governance/inspections/{province}/{fy}/{round}",
            SignedIn,
            get(inspection_json),
        ),
        crate::r(
            M::GET,
            "/governance/pho/{province}/4p/{fy}/{round}",
            SignedIn,
            get(pho_paper),
        ),
        crate::r(
            M::POST,
            "/governance/pho/{province}/4p/{fy}/{round}",
            SignedIn,
            post(pho_paper_save),
        ),
        crate::r(
            M::GET,
            "/governance/pho/{province}/4p/{fy}/{round}/print",
            SignedIn,
            get(pho_paper_print),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/strategies",
            SignedIn,
            post(strategy_upload),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/strategies/{strategy_id}",
            SignedIn,
            get(strategy_download),
        ),
    ]
}

/// Province users and administrators plan inspections; nobody else sees them.
fn may_inspect(me: &Actor) -> bool {
    matches!(me.role, Role::Admin | Role::Province)
}

fn paper_criteria(fy: u16) -> FourPCriteria {
    let mut fp = criteria_for(fy).four_p.clone();
    fp.items.retain(|i| i.group == PHO_GROUP);
    fp
}

fn hospital_criteria(fy: u16) -> FourPCriteria {
    let mut fp = criteria_for(fy).four_p.clone();
    fp.items.retain(|i| i.group != PHO_GROUP);
    fp
}

/// A 4P score as "n / max (p%)", its pass flag; None when nothing was assessed.
fn four_p_score(
    fp: &FourPCriteria,
    marks: &BTreeMap<String, raidai_store::governance::ItemMark>,
) -> Option<(String, Option<bool>)> {
    let given: Vec<(String, FourPMark)> = marks
        .iter()
        .filter_map(|(id, m)| m.mark.parse().ok().map(|v| (id.clone(), v)))
        .filter(|(id, _)| fp.items.iter().any(|i| &i.id == id))
        .collect();
    if given.is_empty() {
        return None;
    }
    let r = score_four_p(fp, given).ok()?;
    Some((
        format!(
            "{} / {} ({})",
            r.sum,
            r.max_points,
            pct_beside(r.percent, r.target_pct.as_f64())
        ),
        r.passed,
    ))
}

// ---------------------------------------------------------------------------------------------
// The provincial office's own 4P paper
// ---------------------------------------------------------------------------------------------

type PaperPath = Path<(String, u16, u8)>;

async fn province_name(st: &AppState, me: &Actor, code: &str) -> Result<String, AppError> {
    Ok(st
        .store
        .list_provinces(me)
        .await?
        .into_iter()
        .find(|p| p.code == code)
        .map(|p| p.name_th)
        .unwrap_or_else(|| code.to_string()))
}

#[allow(clippy::too_many_arguments)]
async fn pho_paper_page(
    st: &AppState,
    t: T,
    me: &Actor,
    province: &str,
    fy: u16,
    round: u8,
    draft: Option<raidai_store::governance::AssessmentInput>,
    errors: Vec<FieldError>,
    flash: String,
    print: bool,
) -> Result<AssessmentPage, AppError> {
    let stored = st.store.pho_paper(me, province, fy, round).await?;
    let exists = stored.is_some();
    let input = draft
        .or_else(|| stored.map(|p| p.input))
        .unwrap_or_default();
    let fp = paper_criteria(fy);
    let (sections, score) = four_p_sections(t, &fp, &input, &[])?;
    let (paper_fields, questions, counts) = paper_parts(t, &input);
    let criteria = criteria_for(fy);
    let name = province_name(st, me, province).await?;
    let title = t.s("insp_pho_paper").to_string();
    Ok(AssessmentPage {
        l: Layout::new(t, Some(me), format!("{title} · {name}"), "governance").with_flash(flash),
        subject_name: format!("{} {name}", t.s("insp_pho")),
        subject_code: province.to_string(),
        form_url: format!("/governance/pho/{province}/4p/{fy}/{round}"),
        list_url: format!("/governance/inspections/{province}/{fy}/{round}"),
        list_label: "insp_title",
        evidence_url: String::new(),
        can_attach: false,
        fy_label: fy_label(t, fy),
        round,
        title,
        is_four_p: true,
        marks: mark_choices(FormKind::FourP),
        sections,
        score,
        assessed_on_be: be_date(t, input.assessed_on.as_deref()),
        assessed_on: input.assessed_on.clone().unwrap_or_default(),
        paper_started: input.paper.started_on.clone(),
        paper_started_be: be_date(
            t,
            Some(input.paper.started_on.as_str()).filter(|d| !d.is_empty()),
        ),
        assessor: input.assessor,
        reviewer_summary: input.reviewer_summary,
        criteria: format!(
            "{} ({})",
            t.pick(&criteria.title_th, &criteria.title_en),
            criteria.version
        ),
        exists,
        can_write: may_inspect(me) && !print,
        errors: Errors::new(t, errors),
        print,
        item_choices: Vec::new(),
        paper_fields,
        questions,
        counts,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

fn saved_flash(t: T, q: &SavedQuery) -> String {
    if q.saved.is_some() {
        t.s("insp_saved").to_string()
    } else {
        String::new()
    }
}

pub async fn pho_paper(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PaperPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    render(
        &pho_paper_page(
            &st,
            t,
            &me,
            &province,
            fy,
            round,
            None,
            vec![],
            flash,
            false,
        )
        .await?,
    )
}

pub async fn pho_paper_print(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PaperPath,
) -> Result<Response, AppError> {
    render(
        &pho_paper_page(
            &st,
            t,
            &me,
            &province,
            fy,
            round,
            None,
            vec![],
            String::new(),
            true,
        )
        .await?,
    )
}

pub async fn pho_paper_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PaperPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = input_from_form(f);
    match st
        .store
        .save_pho_paper(&me, &province, fy, round, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/governance/pho/{province}/4p/{fy}/{round}?saved=1"
        ))
        .into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &pho_paper_page(
                &st,
                t,
                &me,
                &province,
                fy,
                round,
                Some(input),
                errs,
                String::new(),
                false,
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The inspection plan
// ---------------------------------------------------------------------------------------------

struct PlanRow {
    province: String,
    province_name: String,
    fy: u16,
    fy_label: String,
    round: u8,
    places: i64,
}

#[derive(Template)]
#[template(path = "gov/inspections.html")]
struct ListPage {
    l: Layout,
    rows: Vec<PlanRow>,
    provinces: Vec<(String, String)>,
    years: Vec<(u16, String)>,
    current: u16,
}

pub async fn list(State(st): State<AppState>, Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let provinces = st.store.list_provinces(&me).await?;
    let mut rows = Vec::new();
    for p in &provinces {
        for (fy, round, places) in st.store.inspections(&me, &p.code).await? {
            rows.push(PlanRow {
                province: p.code.clone(),
                province_name: p.name_th.clone(),
                fy,
                fy_label: fy_label(t, fy),
                round,
                places,
            });
        }
    }
    let now = crate::governance::current_fy();
    render(&ListPage {
        l: Layout::new(t, Some(&me), t.s("insp_list"), "governance"),
        rows,
        provinces: provinces.into_iter().map(|p| (p.code, p.name_th)).collect(),
        years: (now.saturating_sub(3)..=now + 1)
            .rev()
            .map(|y| (y, fy_label(t, y)))
            .collect(),
        current: now,
    })
}

#[derive(Deserialize)]
pub struct OpenQuery {
    pub province: Option<String>,
    pub fy: Option<u16>,
    pub round: Option<u8>,
}

pub async fn open(Me(me): Me, Query(q): Query<OpenQuery>) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let code: String = q
        .province
        .or_else(|| me.province_code.clone())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if code.is_empty() {
        return Ok(Redirect::to("/governance/inspections").into_response());
    }
    let fy = q.fy.unwrap_or_else(crate::governance::current_fy);
    Ok(Redirect::to(&format!(
        "/governance/inspections/{code}/{fy}/{}",
        q.round.unwrap_or(1)
    ))
    .into_response())
}

/// One place of the plan with what the inspection looks at.
#[derive(Serialize)]
pub struct PlaceView {
    /// '' for the provincial office.
    pub target: String,
    /// The path segment of the findings page ("pho" for the office).
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub visit_on: Option<String>,
    pub visit_on_be: String,
    pub four_p: Option<String>,
    pub four_p_passed: Option<bool>,
    pub four_p_url: String,
    /// Q2 plan vs actual: revenue %, expense %, each with its verdict key.
    pub q2_revenue: String,
    pub q2_revenue_met: &'static str,
    pub q2_expense: String,
    pub q2_expense_met: &'static str,
    /// The plan's approval state label key; '' for the office.
    pub plan_state: &'static str,
    pub has_plan: Option<bool>,
    pub strategy: Option<bool>,
    pub findings: Vec<(String, String, String, String)>,
    pub recommendation: String,
}

/// A hospital of the province, offered for the sample.
struct Candidate {
    hcode: String,
    name: String,
    kind: &'static str,
    chosen: bool,
    visit_on: String,
}

/// Everything the plan page, the report and the JSON twin show.
#[derive(Serialize)]
pub struct InspectionView {
    pub province: String,
    pub province_name: String,
    pub fy: u16,
    pub round: u8,
    pub planned: bool,
    pub inspectors: String,
    pub summary: String,
    pub places: Vec<PlaceView>,
    /// (hospitals visited with 4P ≥ target, hospitals visited with a score).
    pub outcome: (usize, usize),
    /// (hospitals of the province with an approved plan, hospitals of the province).
    pub every_plan: (usize, usize),
    pub gaps: Vec<String>,
    pub updated: String,
}

async fn hospitals(st: &AppState, me: &Actor, province: &str) -> Result<Vec<Unit>, AppError> {
    Ok(st
        .store
        .list_units(me, &UnitQuery::default())
        .await?
        .into_iter()
        .filter(|u| u.province_code == province && u.unit_type.is_hospital() && u.active)
        .collect())
}

async fn inspection_view(
    st: &AppState,
    t: T,
    me: &Actor,
    province: &str,
    fy: u16,
    round: u8,
) -> Result<(InspectionView, Option<Inspection>, Vec<Unit>), AppError> {
    let plan = st.store.inspection(me, province, fy, round).await?;
    let units = hospitals(st, me, province).await?;
    let criteria = criteria_for(fy);
    let pho_fp = paper_criteria(fy);
    let unit_fp = hospital_criteria(fy);
    let plans = st.store.plan_states_in_scope(me, fy).await?;
    let strategies = st.store.strategy_units_in_scope(me, fy).await?;
    let item_text = |id: &str| {
        criteria
            .four_p
            .items
            .iter()
            .find(|i| i.id == id)
            .map(|i| (i.number.clone(), t.pick(&i.text_th, &i.text_en).to_string()))
            .unwrap_or_else(|| (id.to_string(), String::new()))
    };
    let mut places = Vec::new();
    let mut outcome = (0, 0);
    for v in plan.iter().flat_map(|p| &p.visits) {
        let base = PlaceView {
            target: v.target.clone(),
            slug: if v.target.is_empty() {
                "pho".into()
            } else {
                v.target.clone()
            },
            name: String::new(),
            kind: String::new(),
            visit_on: v.visit_on.clone(),
            visit_on_be: be_date(t, v.visit_on.as_deref()),
            four_p: None,
            four_p_passed: None,
            four_p_url: String::new(),
            q2_revenue: "–".into(),
            q2_revenue_met: "",
            q2_expense: "–".into(),
            q2_expense_met: "",
            plan_state: "",
            has_plan: None,
            strategy: None,
            findings: Vec::new(),
            recommendation: v.recommendation.clone(),
        };
        let mut place = base;
        let marks = if v.target.is_empty() {
            place.name = format!(
                "{} {}",
                t.s("insp_pho"),
                province_name(st, me, province).await?
            );
            place.kind = "สสจ.".into();
            place.four_p_url = format!("/governance/pho/{province}/4p/{fy}/{round}");
            let paper = st.store.pho_paper(me, province, fy, round).await?;
            let marks = paper.map(|p| p.input.marks).unwrap_or_default();
            if let Some((s, passed)) = four_p_score(&pho_fp, &marks) {
                place.four_p = Some(s);
                place.four_p_passed = passed;
            }
            marks
        } else {
            let u = st.store.get_unit(me, &v.target).await?;
            place.name = u.name_th.clone();
            place.kind = u.unit_type.abbr_th().into();
            let key = AssessmentKey {
                hcode: u.hcode.clone(),
                fiscal_year: fy,
                round,
                form: FormKind::FourP,
            };
            place.four_p_url = format!("/units/{}/assessments/{fy}/{round}/4p", u.hcode);
            let marks = st
                .store
                .get_assessment(me, &key)
                .await?
                .map(|a| a.input.marks)
                .unwrap_or_default();
            // The unit's paper scored as its own page scores it (every item it holds).
            if let Some((s, passed)) = four_p_score(&criteria.four_p, &marks) {
                place.four_p = Some(s);
                place.four_p_passed = passed;
                outcome.1 += 1;
                if passed == Some(true) {
                    outcome.0 += 1;
                }
            }
            if let Some(y) = st.store.get_plan_year(me, &u.hcode, fy).await? {
                let pva = plan_vs_actual(&y.plan, &y.actuals, &criteria.planfin);
                if let Some(q) = pva.q2 {
                    let limit = q.threshold_pct.as_f64();
                    place.q2_revenue = pct_beside(q.revenue_pct, limit);
                    place.q2_revenue_met = met_key(q.revenue_met);
                    place.q2_expense = pct_beside(q.expense_pct, limit);
                    place.q2_expense_met = met_key(q.expense_met);
                }
            }
            place.has_plan = Some(plans.contains_key(&u.hcode));
            place.plan_state = plans
                .get(&u.hcode)
                .map_or("gov_no_plan_short", |s| step_label(s));
            place.strategy = Some(strategies.contains(&u.hcode));
            marks
        };
        let ids: Vec<&str> = if v.target.is_empty() {
            pho_fp.items.iter().map(|i| i.id.as_str()).collect()
        } else {
            unit_fp.items.iter().map(|i| i.id.as_str()).collect()
        };
        place.findings = ids
            .into_iter()
            .filter_map(|id| {
                let f = v.findings.get(id)?;
                let (n, text) = item_text(id);
                let mark = marks
                    .get(id)
                    .map(|m| {
                        if m.mark == "x" {
                            "n/a".into()
                        } else {
                            m.mark.clone()
                        }
                    })
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "–".into());
                Some((n, text, mark, f.clone()))
            })
            .collect();
        places.push(place);
    }
    let chosen: Vec<_> = units
        .iter()
        .filter(|u| places.iter().any(|p| p.target == u.hcode))
        .map(|u| u.unit_type)
        .collect();
    let gaps = sample_gaps(&chosen)
        .into_iter()
        .map(|(en, th)| t.pick(th, en).to_string())
        .collect();
    let with_plan = units
        .iter()
        .filter(|u| plans.contains_key(&u.hcode))
        .count();
    let view = InspectionView {
        province: province.to_string(),
        province_name: province_name(st, me, province).await?,
        fy,
        round,
        planned: plan.is_some(),
        inspectors: plan
            .as_ref()
            .map(|p| p.inspectors.clone())
            .unwrap_or_default(),
        summary: plan.as_ref().map(|p| p.summary.clone()).unwrap_or_default(),
        places,
        outcome,
        every_plan: (with_plan, units.len()),
        gaps,
        updated: plan
            .as_ref()
            .map(|p| format!("{} · {}", datetime(t, p.updated_at), p.updated_by))
            .unwrap_or_default(),
    };
    Ok((view, plan, units))
}

fn share(t: T, (n, d): (usize, usize), target: f64) -> (String, &'static str) {
    if d == 0 {
        return (t.s("no_data").to_string(), "");
    }
    let p = n as f64 * 100.0 / d as f64;
    (
        format!("{n} / {d} ({})", pct_beside(Some(p), target)),
        met_key(Some(p >= target)),
    )
}

#[derive(Template)]
#[template(path = "gov/inspection.html")]
struct PlanPage {
    l: Layout,
    v: InspectionView,
    fy_label: String,
    candidates: Vec<Candidate>,
    pho_visit_on: String,
    outcome: (String, &'static str),
    every_plan: (String, &'static str),
    errors: Errors,
}

async fn plan_page(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round): (&str, u16, u8),
    draft: Option<&InspectionPlanInput>,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlanPage, AppError> {
    if !may_inspect(me) {
        return Err(AppError::Forbidden);
    }
    let (mut v, _, units) = inspection_view(st, t, me, province, fy, round).await?;
    let date_of = |target: &str| -> Option<String> {
        match draft {
            Some(d) => d
                .visits
                .iter()
                .find(|(x, _)| x == target)
                .and_then(|(_, d)| d.clone()),
            None => v
                .places
                .iter()
                .find(|p| p.target == target)
                .and_then(|p| p.visit_on.clone()),
        }
    };
    let candidates = units
        .iter()
        .map(|u| Candidate {
            hcode: u.hcode.clone(),
            name: u.name_th.clone(),
            kind: u.unit_type.abbr_th(),
            chosen: match draft {
                Some(d) => d.visits.iter().any(|(x, _)| x == &u.hcode),
                None => v.places.iter().any(|p| p.target == u.hcode),
            },
            visit_on: date_of(&u.hcode).unwrap_or_default(),
        })
        .collect();
    let pho_visit_on = date_of("").unwrap_or_default();
    if let Some(d) = draft {
        v.inspectors = d.inspectors.clone();
        v.summary = d.summary.clone();
    }
    let target = criteria_for(fy).four_p.target_pct.as_f64();
    Ok(PlanPage {
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("insp_title"), v.province_name),
            "governance",
        )
        .with_flash(flash),
        fy_label: fy_label(t, fy),
        outcome: share(t, v.outcome, target),
        every_plan: share(t, v.every_plan, 100.0),
        v,
        candidates,
        pho_visit_on,
        errors: Errors::new(t, errors),
    })
}

type PlanPath = Path<(String, u16, u8)>;

pub async fn plan(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PlanPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    render(&plan_page(&st, t, &me, (&province, fy, round), None, vec![], flash).await?)
}

pub async fn plan_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PlanPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let mut input = InspectionPlanInput::default();
    let mut dates: BTreeMap<String, String> = BTreeMap::new();
    let mut chosen = Vec::new();
    for (k, v) in f {
        match k.as_str() {
            "inspectors" => input.inspectors = v,
            "summary" => input.summary = v,
            "unit" => chosen.push(v.trim().to_string()),
            _ => {
                if let Some(target) = k.strip_prefix("date.") {
                    let target = if target == "pho" { "" } else { target };
                    dates.insert(target.to_string(), v.trim().to_string());
                }
            }
        }
    }
    input.visits.push((
        String::new(),
        dates.get("").cloned().filter(|d| !d.is_empty()),
    ));
    for u in chosen {
        let d = dates.get(&u).cloned().filter(|d| !d.is_empty());
        input.visits.push((u, d));
    }
    match st
        .store
        .save_inspection_plan(&me, &province, fy, round, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/governance/inspections/{province}/{fy}/{round}?saved=1"
        ))
        .into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &plan_page(
                &st,
                t,
                &me,
                (&province, fy, round),
                Some(&input),
                errs,
                String::new(),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn inspection_json(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PlanPath,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let (v, plan, _) = inspection_view(&st, t, &me, &province, fy, round).await?;
    if plan.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Json(v).into_response())
}

#[derive(Template)]
#[template(path = "gov/inspection_report.html")]
struct ReportPage {
    l: Layout,
    v: InspectionView,
    fy_label: String,
    outcome: (String, &'static str),
    every_plan: (String, &'static str),
    printed: String,
}

pub async fn report(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round)): PlanPath,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let (v, plan, _) = inspection_view(&st, t, &me, &province, fy, round).await?;
    if plan.is_none() {
        return Err(AppError::NotFound);
    }
    let target = criteria_for(fy).four_p.target_pct.as_f64();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    render(&ReportPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} · {}", t.s("insp_report"), v.province_name),
            "governance",
        ),
        fy_label: fy_label(t, fy),
        outcome: share(t, v.outcome, target),
        every_plan: share(t, v.every_plan, 100.0),
        printed: be_date(t, Some(&today)),
        v,
    })
}

// ---------------------------------------------------------------------------------------------
// Findings at one place
// ---------------------------------------------------------------------------------------------

struct FindingRow {
    id: String,
    number: String,
    group: String,
    text: String,
    mark: String,
    finding: String,
}

#[derive(Template)]
#[template(path = "gov/inspection_place.html")]
struct PlacePage {
    l: Layout,
    province: String,
    fy: u16,
    round: u8,
    fy_label: String,
    slug: String,
    name: String,
    visit_on_be: String,
    four_p: String,
    four_p_url: String,
    rows: Vec<FindingRow>,
    recommendation: String,
    errors: Errors,
}

type PlacePath = Path<(String, u16, u8, String)>;

#[allow(clippy::too_many_arguments)]
async fn place_page(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round, slug): (&str, u16, u8, &str),
    draft: Option<(&BTreeMap<String, String>, &str)>,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlacePage, AppError> {
    if !may_inspect(me) {
        return Err(AppError::Forbidden);
    }
    let (v, plan, _) = inspection_view(st, t, me, province, fy, round).await?;
    let target = if slug == "pho" { "" } else { slug };
    let (Some(plan), Some(place)) = (plan, v.places.iter().find(|p| p.target == target)) else {
        return Err(AppError::NotFound);
    };
    let stored = plan
        .visits
        .iter()
        .find(|x| x.target == target)
        .cloned()
        .unwrap_or_default();
    let fp = if target.is_empty() {
        paper_criteria(fy)
    } else {
        hospital_criteria(fy)
    };
    let marks = if target.is_empty() {
        st.store
            .pho_paper(me, province, fy, round)
            .await?
            .map(|p| p.input.marks)
            .unwrap_or_default()
    } else {
        st.store
            .get_assessment(
                me,
                &AssessmentKey {
                    hcode: target.to_string(),
                    fiscal_year: fy,
                    round,
                    form: FormKind::FourP,
                },
            )
            .await?
            .map(|a| a.input.marks)
            .unwrap_or_default()
    };
    let rows = fp
        .items
        .iter()
        .map(|i| {
            let (th, en) = fp.group_label(&i.group);
            FindingRow {
                id: i.id.clone(),
                number: i.number.clone(),
                group: t.pick(th, en).to_string(),
                text: t.pick(&i.text_th, &i.text_en).to_string(),
                mark: marks
                    .get(&i.id)
                    .map(|m| {
                        if m.mark == "x" {
                            "n/a".into()
                        } else {
                            m.mark.clone()
                        }
                    })
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "–".into()),
                finding: match draft {
                    Some((d, _)) => d.get(&i.id).cloned().unwrap_or_default(),
                    None => stored.findings.get(&i.id).cloned().unwrap_or_default(),
                },
            }
        })
        .collect();
    Ok(PlacePage {
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("insp_findings"), place.name),
            "governance",
        )
        .with_flash(flash),
        province: province.to_string(),
        fy,
        round,
        fy_label: fy_label(t, fy),
        slug: place.slug.clone(),
        name: place.name.clone(),
        visit_on_be: place.visit_on_be.clone(),
        four_p: place
            .four_p
            .clone()
            .unwrap_or_else(|| t.s("insp_no_paper").to_string()),
        four_p_url: place.four_p_url.clone(),
        rows,
        recommendation: match draft {
            Some((_, r)) => r.to_string(),
            None => stored.recommendation,
        },
        errors: Errors::new(t, errors),
    })
}

pub async fn findings(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round, slug)): PlacePath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    render(
        &place_page(
            &st,
            t,
            &me,
            (&province, fy, round, &slug),
            None,
            vec![],
            flash,
        )
        .await?,
    )
}

pub async fn findings_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((province, fy, round, slug)): PlacePath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let mut found = BTreeMap::new();
    let mut recommendation = String::new();
    for (k, v) in f {
        if k == "recommendation" {
            recommendation = v;
        } else if let Some(id) = k.strip_prefix("finding.") {
            found.insert(id.to_string(), v);
        }
    }
    match st
        .store
        .save_inspection_findings(&me, &province, fy, round, &slug, &found, &recommendation)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/governance/inspections/{province}/{fy}/{round}/places/{slug}?saved=1"
        ))
        .into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &place_page(
                &st,
                t,
                &me,
                (&province, fy, round, &slug),
                Some((&found, &recommendation)),
                errs,
                String::new(),
            )
            .await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The financial strategy document
// ---------------------------------------------------------------------------------------------

/// A strategy as the Planfin page lists it.
pub struct StrategyView {
    pub id: String,
    pub years: String,
    pub title: String,
    pub approved: String,
    pub file: String,
    pub covers: bool,
}

/// The unit's strategies for the Planfin page of `fy`.
pub async fn strategy_views(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    fy: u16,
) -> Result<Vec<StrategyView>, AppError> {
    Ok(st
        .store
        .strategies(me, hcode)
        .await?
        .into_iter()
        .map(|s| StrategyView {
            years: format!("{}–{}", fy_label(t, s.first_fy), s.last_fy),
            approved: [s.approved_by.clone(), be_date(t, s.approved_on.as_deref())]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            file: format!("{} ({})", s.filename, file_size(s.size)),
            covers: s.covers(fy),
            title: s.title,
            id: s.id,
        })
        .collect())
}

pub async fn strategy_upload(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    if !matches!(me.role, Role::Admin | Role::UnitHead | Role::UnitRevenue) {
        return Err(AppError::Forbidden);
    }
    let (fields, filename, data) = multipart_upload(&st, req).await?;
    let year = |k: &str| {
        fields
            .get(k)
            .and_then(|v| v.trim().parse::<u16>().ok())
            .unwrap_or(0)
    };
    let input = StrategyInput {
        first_fy: year("first_fy"),
        last_fy: year("last_fy"),
        title: fields.get("title").cloned().unwrap_or_default(),
        approved_by: fields.get("approved_by").cloned().unwrap_or_default(),
        approved_on: fields
            .get("approved_on")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
    };
    let fy = year("fy");
    let fy = if fy == 0 {
        crate::governance::current_fy()
    } else {
        fy
    };
    match st
        .store
        .add_strategy(&me, &hcode, &input, &filename, &data)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/units/{hcode}/planfin/{fy}?strategy=1")).into_response())
        }
        Err(StoreError::Invalid(errs)) => {
            crate::governance::planfin_with_errors(&st, t, &me, &hcode, fy, errs).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn strategy_download(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (meta, data) = st.store.strategy_file(&me, &hcode, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                crate::governance::attachment_disposition(&meta.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_counted_over_every_hospital() {
        let t = T::default();
        assert_eq!(share(t, (1, 2), 80.0).1, "gov_not_met");
        assert_eq!(share(t, (2, 2), 100.0).1, "gov_met");
        assert_eq!(share(t, (0, 0), 80.0).1, "");
    }
}
