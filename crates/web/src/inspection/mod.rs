//! Seed 004's inspection (issue 14): the provincial office's own 4P paper, each hospital's
//! financial strategy document, and the inspection plan per province, fiscal year and round
//! (sample, schedule, findings per item) with its A4 report and JSON twin.

mod pho_paper;
mod place;
mod plan;
mod strategy;

pub use pho_paper::*;
pub use place::*;
pub use plan::*;
pub use strategy::*;

use crate::auth::{Ctx, Me, Tr, require_unit};
use crate::error::AppError;
use crate::governance::{
    AssessmentPage, be_date, file_size, four_p_sections, fy_label, input_from_form, mark_choices,
    met_key, multipart_upload, paper_parts, pct_beside, step_label,
};
use crate::i18n::T;
use crate::pages::{render, saved_or_again};
use crate::view::{Errors, Layout, datetime};
use crate::{Access, AppState, RouteDef};
use askama::Template;
use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{Method, header};
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
use raidai_store::{Actor, FieldError};
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
    matches!(me.who.role, Role::Admin | Role::Province)
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

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

/// An item's 4P mark as the findings show it: "n/a" for not applicable (x), "–" unmarked.
fn mark_text(m: Option<&raidai_store::governance::ItemMark>) -> String {
    m.map(|m| {
        if m.mark == "x" {
            "n/a".into()
        } else {
            m.mark.clone()
        }
    })
    .filter(|m| !m.is_empty())
    .unwrap_or_else(|| "–".into())
}

fn saved_flash(t: T, q: &SavedQuery) -> String {
    if q.saved.is_some() {
        t.s("insp_saved").to_string()
    } else {
        String::new()
    }
}
