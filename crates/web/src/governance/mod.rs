//! Governance workbench pages and API: Risk Score, 7 Plus, Planfin, TPS, 4S4C, 4P.
//!
//! Handlers only gather positions from the store and hand them to `raidai_governance`; every
//! threshold and target comes from the criteria set of the fiscal year concerned.

mod assessment;
mod dashboard;
mod finance;
mod planfin;
mod strings;
mod tps;

pub use assessment::*;
pub use dashboard::*;
pub use finance::*;
pub use planfin::*;
pub use strings::STRINGS;
pub use tps::*;

use crate::auth::{Ctx, Me, require_unit};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout, datetime};
use crate::{Access, AppState, RouteDef};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use raidai_domain::calendar::{FiscalPeriod, FiscalYear};
use raidai_domain::master::Role;
use raidai_domain::money::{Satang, format_decimal_thai, format_int_thai};
use raidai_governance::CriteriaSet;
use raidai_governance::assessment::{
    CollectionDays, Days, FORM_4S4C, FORM_CSMBS_SURVEY, FourPMark, FourPResult, RevenueCentreScore,
    score_four_p, score_revenue_centre, suggest_marks, suggest_q2_mark,
};
use raidai_governance::criteria::{
    AutoCheck, CollectionFund, FourPCriteria, PlanSide, ScopedCount, count_in_scope,
    evaluate_share, shown_beside_limit,
};
use raidai_governance::parse_satang;
use raidai_governance::planfin::{
    PeriodComparison, check_plan_type, is_no_risk_type, plan_vs_actual, review_status,
};
use raidai_governance::risk_score::{ProvinceRiskSummary, province_levels};
use raidai_governance::seven_plus::{Balance, DayMeasure, seven_plus};
use raidai_governance::tps::{TpsInput, tps_score};
use raidai_governance::{Hundredths, RiskResult};
use raidai_store::governance::{
    ASSESSMENT_ROUNDS, AmountKind, AssessmentInput, AssessmentKey, EvidenceMeta, FormKind,
    LedgerCollection, PAPER_QUESTIONS, Position, SevenPlusFigures, criteria_for_period,
    parse_plan_csv, parse_positions_csv, parse_trial_balance_csv,
};
use raidai_store::master::{Unit, UnitQuery};
use raidai_store::{Actor, FieldError, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        crate::r(M::GET, "/governance", SignedIn, get(dashboard)),
        crate::r(
            M::GET,
            "/api/v1/governance/dashboard",
            SignedIn,
            get(dashboard_json),
        ),
        crate::r(
            M::GET,
            "/governance/export.xlsx",
            SignedIn,
            get(dashboard_xlsx),
        ),
        crate::r(
            M::POST,
            "/governance/positions/import",
            SignedIn,
            post(import_ratio_items),
        ),
        crate::r(M::GET, "/units/{hcode}/finance", SignedIn, get(finance)),
        crate::r(
            M::POST,
            "/units/{hcode}/finance/trial-balance",
            SignedIn,
            post(import_tb),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/assessments",
            SignedIn,
            get(assessments),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/assessments/open",
            SignedIn,
            get(assessment_open),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/assessments/{fy}/{round}/{form}",
            SignedIn,
            get(assessment),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/assessments/{fy}/{round}/{form}",
            SignedIn,
            post(assessment_save),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/assessments/{fy}/{round}/{form}/print",
            SignedIn,
            get(assessment_print),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/assessments/{fy}/{round}/{form}/evidence",
            SignedIn,
            post(evidence_upload),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/evidence/{evidence_id}",
            SignedIn,
            get(evidence_download),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/planfin/{fy}",
            SignedIn,
            get(planfin),
        ),
        crate::r(
            M::GET,
            "/units/{hcode}/tps/{fy}/{quarter}",
            SignedIn,
            get(tps),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/tps/{fy}/{quarter}",
            SignedIn,
            post(tps_save),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/planfin/{fy}",
            SignedIn,
            post(planfin_type),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/planfin/{fy}/amounts",
            SignedIn,
            post(planfin_amounts),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/planfin/{fy}/revisions",
            SignedIn,
            post(planfin_revision),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/planfin/{fy}/revisions/{number}/approve",
            SignedIn,
            post(planfin_approve),
        ),
        crate::r(
            M::POST,
            "/units/{hcode}/planfin/{fy}/steps",
            SignedIn,
            post(planfin_step),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Shared view helpers
// ---------------------------------------------------------------------------------------------

fn period_label(t: T, period: u32) -> String {
    match FiscalPeriod::from_id(period) {
        Ok(p) if t.is_en() => p.label_en(),
        Ok(p) => p.label_th(),
        Err(_) => period.to_string(),
    }
}

pub(crate) fn fy_label(t: T, fy: u16) -> String {
    let y = FiscalYear::new(fy);
    if t.is_en() {
        y.label_en()
    } else {
        y.label_th()
    }
}

fn ratio(v: Option<Hundredths>) -> String {
    v.map(|h| format_decimal_thai(h.as_f64(), 2))
        .unwrap_or_else(|| "–".into())
}

fn baht(s: Satang) -> String {
    s.format_thai()
}

pub(crate) fn current_fy() -> u16 {
    let today = Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
        .date_naive();
    FiscalYear::of(today).be()
}

/// One month of a unit's trend table.
pub struct PositionRow {
    pub period: u32,
    pub label: String,
    pub current_assets: String,
    pub current_liabilities: String,
    pub cr: String,
    pub qr: String,
    pub cash: String,
    pub nwc: String,
    pub nwc_neg: bool,
    pub ni: String,
    pub ni_neg: bool,
    pub liquidity: u8,
    pub status: u8,
    pub survival: u8,
    pub level: u8,
    pub undefined: bool,
    pub source: String,
    pub error: String,
}

fn position_row(t: T, p: &Position) -> PositionRow {
    let source = t
        .s(if p.source == "trial_balance" {
            "gov_source_trial_balance"
        } else {
            "gov_source_ratio_items"
        })
        .to_string();
    let label = period_label(t, p.input.period);
    match p.score() {
        Ok(r) => PositionRow {
            period: p.input.period,
            label,
            current_assets: baht(p.input.current_assets),
            current_liabilities: baht(p.input.current_liabilities),
            cr: ratio(r.cr),
            qr: ratio(r.qr),
            cash: ratio(r.cash_ratio),
            nwc: baht(r.nwc),
            nwc_neg: r.nwc.is_negative(),
            ni: baht(r.ni),
            ni_neg: r.ni.is_negative(),
            liquidity: r.liquidity_points,
            status: r.status_points,
            survival: r.survival_points,
            level: r.risk_score,
            undefined: r.ratios_undefined,
            source,
            error: String::new(),
        },
        Err(e) => PositionRow {
            period: p.input.period,
            label,
            current_assets: baht(p.input.current_assets),
            current_liabilities: baht(p.input.current_liabilities),
            cr: "–".into(),
            qr: "–".into(),
            cash: "–".into(),
            nwc: "–".into(),
            nwc_neg: false,
            ni: "–".into(),
            ni_neg: false,
            liquidity: 0,
            status: 0,
            survival: 0,
            level: 0,
            undefined: false,
            source,
            error: e.to_string(),
        },
    }
}

/// A criteria set as pages name it: its title and, in brackets, its version.
pub(crate) fn criteria_label(t: T, c: &CriteriaSet) -> String {
    format!("{} ({})", t.pick(&c.title_th, &c.title_en), c.version)
}

async fn read_multipart(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, Vec<u8>), AppError> {
    let bad = crate::upload::upload_failed;
    let mut fields = BTreeMap::new();
    let mut file = Vec::new();
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        let name = f.name().unwrap_or_default().to_string();
        if name == "file" {
            file = f.bytes().await.map_err(bad)?.to_vec();
        } else {
            fields.insert(name, f.text().await.map_err(bad)?);
        }
    }
    Ok((fields, file))
}

/// Reads the upload only after the caller may write: a refused request never parses a body.
pub(crate) async fn multipart_for(
    st: &AppState,
    req: Request,
) -> Result<(BTreeMap<String, String>, Vec<u8>), AppError> {
    let mp = crate::upload::open_multipart(st, req).await?;
    read_multipart(mp).await
}

/// The posted CSV file through its parser; no file at all is the form's "choose a file" error.
pub(crate) fn parse_csv_upload<R>(
    file: &[u8],
    parse: fn(&[u8]) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    if file.is_empty() {
        return Err(StoreError::field(
            "file",
            "choose a CSV file",
            "กรุณาเลือกไฟล์ CSV",
        ));
    }
    parse(file)
}
