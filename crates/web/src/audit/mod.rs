//! Data Audit screens: the unit's worklist of visits not ready to claim (filters, amounts, XLSX,
//! JSON), re-audit and acceptance; the rule catalogue with counts (the province edits it per
//! fiscal year); the district/province view of clean visits and Authen coverage per unit and
//! month. Rules and checks live in `raidai_domain::audit` and `raidai_claims::audit`.

mod province;
mod rules;
mod worklist;

pub use province::*;
pub use rules::*;
pub use worklist::*;

use crate::auth::{Ctx, Me, require_unit};
use crate::claims::{current_fy, date, download, enc, fund_name, fy_label, money};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::view::Layout;
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_claims::mask_cid;
use raidai_domain::audit::{Catalogue, default_catalogue, default_catalogue_text, parse_catalogue};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_domain::money::format_int_thai;
use raidai_domain::periods::ymd;
use raidai_store::findings::{FindingItem, FindingQuery};
use raidai_store::{Actor, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "au_title",
        "ตรวจสอบข้อมูลก่อนส่งเบิก (Data Audit)",
        "Data Audit before claiming",
    ),
    ("au_nav", "ตรวจสอบก่อนเบิก", "Data Audit"),
    (
        "au_help",
        "รายการรับบริการที่ยังไม่พร้อมส่งเบิก เรียงตามยอดเงินที่เสี่ยง แก้ไขใน HIS แล้วนำเข้าใหม่ รายการจะหายไปเอง หรือกด \"ยอมรับ\" พร้อมเหตุผลเมื่อข้อมูลถูกต้องแล้ว",
        "Visits not ready to claim, largest amount at stake first. Fix them in the HIS and re-import: the list shrinks. Or accept a finding with a reason when the data is right",
    ),
    ("au_rule", "กฎตรวจสอบ", "Rule"),
    ("au_severity", "ระดับ", "Severity"),
    ("au_block", "ส่งเบิกไม่ได้", "Blocks the claim"),
    ("au_warn", "เตือน", "Warning"),
    (
        "au_nhso",
        "ข้อผิดพลาด สปสช. ที่คาดว่าจะได้",
        "NHSO error expected",
    ),
    ("au_fix", "วิธีแก้", "How to fix"),
    ("au_amount", "ยอดเงินที่เสี่ยง", "Amount at stake"),
    ("au_visits", "รายการ", "Visits"),
    (
        "au_late_total",
        "เกินกำหนดส่ง (LATE01)",
        "Past the submission window (LATE01)",
    ),
    (
        "au_late_apart",
        "นับแยก: บางรายการอาจมีข้อผิดพลาดอื่นด้วย",
        "counted apart: a visit may have other findings too",
    ),
    ("au_accepted", "ยอมรับแล้ว", "Accepted"),
    ("au_accept", "ยอมรับ", "Accept"),
    ("au_reason", "เหตุผล", "Reason"),
    ("au_show_accepted", "แสดงรายการที่ยอมรับแล้ว", "Show accepted"),
    ("au_min_amount", "ยอดเงินตั้งแต่ (บาท)", "Amount from (baht)"),
    ("au_month", "เดือนที่รับบริการ", "Service month"),
    ("au_run", "ตรวจสอบใหม่ทั้งหมด", "Re-audit every visit"),
    ("au_ran", "ตรวจสอบใหม่แล้ว", "Re-audited"),
    ("au_findings", "ข้อตรวจพบ", "Findings"),
    ("au_clean", "พร้อมส่งเบิก", "Ready to claim"),
    ("au_clean_rate", "ร้อยละพร้อมส่งเบิก", "Clean visits %"),
    ("au_authen", "Authen Code ครอบคลุม", "Authen coverage"),
    ("au_target", "เป้าหมาย 100%", "Target 100 %"),
    ("au_below", "หน่วยที่ต่ำกว่าเป้าหมาย", "Units below target"),
    ("au_rules_title", "กฎตรวจสอบข้อมูล", "Audit rules"),
    (
        "au_rules_help",
        "รายการกฎเป็นข้อมูล แยกตามปีงบประมาณ (0 = ใช้ทุกปีที่ไม่มีฉบับของตนเอง) สสจ. แก้ไขระดับ ข้อความ และระยะเวลาส่งเบิกของ LATE01 ได้ การนำเข้าครั้งต่อไปหรือ \"ตรวจสอบใหม่\" ใช้ฉบับที่บันทึก",
        "The rules are data, per fiscal year (0 = every year without its own). The province edits severities, texts and LATE01's submission windows; the next import or re-audit uses them",
    ),
    ("au_catalogue_tsv", "รายการกฎ (TSV)", "Catalogue (TSV)"),
    ("au_saved", "บันทึกกฎแล้ว", "Rules saved"),
    ("au_xlsx", "ส่งออก XLSX", "Export XLSX"),
    (
        "au_visit_findings",
        "ข้อตรวจพบของรายการนี้",
        "Findings of this visit",
    ),
    (
        "au_none",
        "ไม่พบข้อผิดพลาด พร้อมส่งเบิก",
        "No findings: ready to claim",
    ),
    (
        "au_province",
        "คุณภาพข้อมูลก่อนส่งเบิกรายหน่วย",
        "Data quality per unit",
    ),
    (
        "au_by_right",
        "Authen Code ตามสิทธิและสิทธิย่อย",
        "Authen coverage by right and sub-right",
    ),
    ("au_all", "ทั้งหมด", "All"),
    ("au_unit", "หน่วยบริการ", "Unit"),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(M::GET, "/units/{hcode}/audit", SignedIn, get(worklist)),
        r(
            M::GET,
            "/units/{hcode}/audit.xlsx",
            SignedIn,
            get(worklist_xlsx),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/audit/findings",
            SignedIn,
            get(worklist_json),
        ),
        r(M::POST, "/units/{hcode}/audit/run", SignedIn, post(run)),
        r(
            M::POST,
            "/units/{hcode}/audit/accept",
            SignedIn,
            post(accept),
        ),
        r(M::GET, "/claims/audit-rules", SignedIn, get(rules_page)),
        r(M::POST, "/claims/audit-rules", SignedIn, post(rules_save)),
        r(M::GET, "/claims/audit", SignedIn, get(province_page)),
    ]
}

fn severity_label(t: T, s: &str) -> &'static str {
    if s == "block" {
        t.s("au_block")
    } else {
        t.s("au_warn")
    }
}

fn rule_text(t: T, c: &Catalogue, code: &str) -> (String, String, String) {
    match c.get(code) {
        Some(r) => (
            t.pick(&r.text_th, &r.text_en).to_string(),
            t.pick(&r.fix_th, &r.fix_en).to_string(),
            format!("{} {}", r.nhso_class, r.nhso_code)
                .trim()
                .to_string(),
        ),
        None => (code.to_string(), String::new(), String::new()),
    }
}

/// The catalogue in force now for the unit's province.
pub(crate) async fn catalogue_for(
    st: &AppState,
    me: &Actor,
    unit_code: Hcode,
) -> Result<Catalogue, AppError> {
    let places = st.store.unit_places(me, unit_code).await?;
    let ctx = raidai_claims::audit::AuditContext::new(
        st.store
            .audit_catalogue_versions(&places.province_code)
            .await?,
        raidai_claims::audit::today_ymd(),
    );
    Ok(ctx.catalogue(current_fy()).clone())
}

#[derive(Debug, Default, Deserialize)]
pub struct WorklistFilter {
    #[serde(default)]
    rule: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    severity: String,
    /// `yyyymm` (CE)
    #[serde(default)]
    month: String,
    /// Baht.
    #[serde(default)]
    min: String,
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    page: i64,
    #[serde(default)]
    done: String,
}

fn query_of(unit_code: Hcode, f: &WorklistFilter, limit: i64) -> FindingQuery {
    let hcode = unit_code.as_str();
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    FindingQuery {
        hcode: hcode.to_string(),
        rule: opt(&f.rule),
        fund: opt(&f.fund),
        severity: opt(&f.severity).filter(|s| s == "block" || s == "warn"),
        month: f.month.trim().parse().ok(),
        min_amount: raidai_domain::money::Satang::parse(f.min.trim())
            .ok()
            .map(|s| s.0),
        include_accepted: f.accepted == "1",
        limit,
        offset: f.page.max(0) * limit,
    }
}

struct ItemView {
    href: String,
    key: String,
    date: String,
    fund: String,
    cid: String,
    rule: String,
    rule_text: String,
    fix: String,
    nhso: String,
    block: bool,
    amount: String,
    accepted: String,
}

fn item_view(t: T, unit_code: Hcode, c: &Catalogue, f: &FindingItem) -> ItemView {
    let hcode = unit_code.as_str();
    let (text, fix, nhso) = rule_text(t, c, &f.rule);
    ItemView {
        href: format!("/units/{hcode}/visits/{}", enc(&f.vkey)),
        key: if f.setting == "IP" {
            format!("AN {}", f.an)
        } else {
            format!("HN {} · {}", f.hn, f.seq)
        },
        date: date(t, f.date_serv),
        fund: fund_name(t, &f.fund),
        cid: mask_cid(&f.cid),
        rule: f.rule.clone(),
        rule_text: text,
        fix,
        nhso,
        block: f.severity == "block",
        amount: money(f.amount),
        accepted: f
            .accepted_reason
            .as_ref()
            .map(|r| format!("{} ({})", r, f.accepted_by.clone().unwrap_or_default()))
            .unwrap_or_default(),
    }
}

/// A finding as the visit page shows it: (rule, text, fix, NHSO, blocks, amount, accepted).
pub(crate) struct VisitFinding {
    pub rule: String,
    pub text: String,
    pub fix: String,
    pub nhso: String,
    pub block: bool,
    pub amount: String,
    pub accepted: String,
}

/// The findings of one visit, for the visit page.
pub(crate) async fn visit_findings(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    vkey: &str,
) -> Result<Vec<VisitFinding>, AppError> {
    let list = st.store.visit_findings(me, unit_code, vkey).await?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let cat = catalogue_for(st, me, unit_code).await?;
    Ok(list
        .iter()
        .map(|f| {
            let v = item_view(t, unit_code, &cat, f);
            VisitFinding {
                rule: v.rule,
                text: v.rule_text,
                fix: v.fix,
                nhso: v.nhso,
                block: v.block,
                amount: v.amount,
                accepted: v.accepted,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "audit/worklist.html")]
struct WorklistPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    f: WorklistFilter,
    /// (code, text, severity label, block, visits, amount, href)
    rules: Vec<(String, String, String, bool, String, String, String)>,
    items: Vec<ItemView>,
    count: String,
    total: String,
    late_count: String,
    late_total: String,
    late: bool,
    may_act: bool,
    prev: String,
    next: String,
    xlsx: String,
    /// (month label, visits, clean %, authen %)
    months: Vec<(String, String, String, String)>,
    /// (right, sub-right, visits, with code, %)
    authen: Vec<(String, String, String, String, String)>,
    funds: Vec<(String, String)>,
}

fn pct(n: i64, d: i64) -> String {
    if d == 0 {
        "–".into()
    } else {
        format!("{:.1}", n as f64 * 100.0 / d as f64)
    }
}

fn filter_qs(f: &WorklistFilter) -> String {
    format!(
        "rule={}&fund={}&severity={}&month={}&min={}&accepted={}",
        enc(&f.rule),
        enc(&f.fund),
        enc(&f.severity),
        enc(&f.month),
        enc(&f.min),
        enc(&f.accepted)
    )
}
