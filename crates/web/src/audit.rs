//! Data Audit screens: the unit's worklist of visits not ready to claim (filters, amounts, XLSX,
//! JSON), re-audit and acceptance; the rule catalogue with counts (the province edits it per
//! fiscal year); the district/province view of clean visits and Authen coverage per unit and
//! month. Rules and checks live in `raidai_domain::audit` and `raidai_claims::audit`.

use crate::auth::{Me, Tr};
use crate::claims::{current_fy, date, download, enc, fund_name, fy_label, money};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::view::Layout;
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_claims::mask_cid;
use raidai_domain::audit::{Catalogue, default_catalogue, default_catalogue_text, parse_catalogue};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::master::Role;
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
    hcode: &str,
) -> Result<Catalogue, AppError> {
    let places = st.store.unit_places(me, hcode).await?;
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

fn query_of(hcode: &str, f: &WorklistFilter, limit: i64) -> FindingQuery {
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

fn item_view(t: T, hcode: &str, c: &Catalogue, f: &FindingItem) -> ItemView {
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
    hcode: &str,
    vkey: &str,
) -> Result<Vec<VisitFinding>, AppError> {
    let list = st.store.visit_findings(me, hcode, vkey).await?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let cat = catalogue_for(st, me, hcode).await?;
    Ok(list
        .iter()
        .map(|f| {
            let v = item_view(t, hcode, &cat, f);
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

pub async fn worklist(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let cat = catalogue_for(&st, &me, &hcode).await?;
    let per_page = 100;
    let q = query_of(&hcode, &f, per_page);
    let list = st.store.list_findings(&me, &q).await?;
    let (items, totals) = (list.items, list.totals);
    let counts = st.store.rule_counts(&me, Some(&hcode)).await?;
    let fy = FiscalYear::new(current_fy() as u16);
    let (from, to) = (ymd(fy.prev().start()), ymd(fy.end()));
    let roll = st.store.audit_rollup(&me, Some(&hcode), from, to).await?;
    let authen = st.store.authen_coverage(&me, &hcode, from, to).await?;
    let mut by_right: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for a in &authen {
        let e = by_right
            .entry((a.inscl.clone(), a.subtype.clone()))
            .or_default();
        e.0 += a.visits;
        e.1 += a.with_code;
    }
    let base = format!("/units/{hcode}/audit?{}", filter_qs(&f));
    let page = f.page.max(0);
    let flash = if f.done == "run" {
        t.s("au_ran").to_string()
    } else {
        crate::authen_page::expiry_notice(&st, t, &me, &hcode).await
    };
    render(&WorklistPage {
        l: Layout::new(t, Some(&me), t.s("au_title"), "claims").with_flash(flash),
        rules: counts
            .iter()
            .map(|c| {
                let (text, _, _) = rule_text(t, &cat, &c.rule);
                let sev = cat.severity(&c.rule).code();
                (
                    c.rule.clone(),
                    text,
                    severity_label(t, sev).to_string(),
                    sev == "block",
                    format_int_thai(c.visits - c.accepted),
                    money(c.amount),
                    format!("/units/{hcode}/audit?rule={}", enc(&c.rule)),
                )
            })
            .collect(),
        items: items
            .iter()
            .map(|i| item_view(t, &hcode, &cat, i))
            .collect(),
        count: format_int_thai(totals.visits),
        total: money(totals.amount),
        late_count: format_int_thai(totals.late_visits),
        late_total: money(totals.late_amount),
        late: totals.late_visits != 0,
        may_act: me.may_import(&hcode),
        prev: if page > 0 {
            format!("{base}&page={}", page - 1)
        } else {
            String::new()
        },
        next: if list.more {
            format!("{base}&page={}", page + 1)
        } else {
            String::new()
        },
        xlsx: format!("/units/{hcode}/audit.xlsx?{}", filter_qs(&f)),
        months: roll
            .iter()
            .filter(|r| r.hcode == hcode)
            .map(|r| {
                (
                    month_label(t, r.month),
                    format_int_thai(r.visits),
                    pct(r.clean, r.visits),
                    pct(r.authen_has, r.authen_needed),
                )
            })
            .collect(),
        authen: by_right
            .into_iter()
            .map(|((i, s), (n, has))| {
                (
                    i,
                    if s.is_empty() { "–".into() } else { s },
                    format_int_thai(n),
                    format_int_thai(has),
                    pct(has, n),
                )
            })
            .collect(),
        funds: ["UC", "OFC", "SSS", "LGO", "BKK", "STP", "PRB", "SELF"]
            .iter()
            .map(|c| (c.to_string(), fund_name(t, c)))
            .collect(),
        f,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

fn month_label(t: T, month: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1);
    match d.map(raidai_domain::calendar::FiscalPeriod::of) {
        Some(p) if t.is_en() => p.label_en(),
        Some(p) => p.label_th(),
        None => month.to_string(),
    }
}

/// API twin of the worklist (200 per page, `page` from 0; 1,000 took 80–105 ms at a hospital's
/// year on PostgreSQL).
pub async fn worklist_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let per_page = 200;
    let q = query_of(&hcode, &f, per_page);
    match st.store.list_findings(&me, &q).await {
        Ok(page) => Ok(axum::Json(serde_json::json!({
            "per_page": per_page,
            "visits": page.totals.visits,
            "amount": page.totals.amount,
            "late_visits": page.totals.late_visits,
            "late_amount": page.totals.late_amount,
            "more": page.more,
            "findings": page.items,
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn worklist_xlsx(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let cat = catalogue_for(&st, &me, &hcode).await?;
    let q = query_of(&hcode, &f, 100_000);
    let items = st.store.list_findings(&me, &q).await?.items;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let money_fmt = Format::new().set_num_format("#,##0.00");
        // Rows go to a temporary file as they are written: a unit's hundred thousand findings
        // took the server's memory from 150 to 480 MB when the sheet was kept whole.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name("findings")?;
        ws.set_column_width(9, 50)?;
        ws.set_column_width(10, 50)?;
        let header = [
            "HN",
            "SEQ",
            "AN",
            "date",
            "fund",
            "CID (masked)",
            "rule",
            "severity",
            "NHSO",
            "finding",
            "fix",
            "amount (baht)",
            "accepted",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, it) in items.iter().enumerate() {
            let row = i as u32 + 1;
            let v = item_view(t, &hcode, &cat, it);
            for (c, s) in [
                it.hn.as_str(),
                it.seq.as_str(),
                it.an.as_str(),
                v.date.as_str(),
                it.fund.as_str(),
                v.cid.as_str(),
                it.rule.as_str(),
                it.severity.as_str(),
                v.nhso.as_str(),
                v.rule_text.as_str(),
                v.fix.as_str(),
            ]
            .iter()
            .enumerate()
            {
                let cell = raidai_domain::text::csv_cell(s);
                ws.write_string(row, c as u16, cell.as_ref())?;
            }
            ws.write_number_with_format(row, 11, it.amount as f64 / 100.0, &money_fmt)?;
            ws.write_string(row, 12, raidai_domain::text::csv_cell(&v.accepted).as_ref())?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("audit-{hcode}.xlsx"),
        bytes,
    ))
}

/// Re-evaluates the unit's findings now (its staff or an admin).
pub async fn run(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    if !me.may_import(&hcode) {
        return Err(AppError::Forbidden);
    }
    match raidai_claims::audit_unit(&st.store, &me, &hcode).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{hcode}/audit?done=run")).into_response()),
        Err(raidai_claims::ClaimsError::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    vkey: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    reason: String,
}

/// Accepts one finding with a reason; back to the visit.
pub async fn accept(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
    axum::Form(f): axum::Form<AcceptForm>,
) -> Result<Response, AppError> {
    st.store
        .accept_finding(&me, &hcode, &f.vkey, &f.rule, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/units/{hcode}/visits/{}", enc(&f.vkey))).into_response())
}

struct RuleRow {
    code: String,
    severity: String,
    block: bool,
    nhso: String,
    param: String,
    text: String,
    fix: String,
    visits: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "audit/rules.html")]
struct RulesPage {
    l: Layout,
    rules: Vec<RuleRow>,
    province: String,
    fy: i64,
    years: Vec<(i64, String)>,
    may_edit: bool,
    tsv: String,
    saved: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    saved: String,
}

pub(crate) fn province_of(me: &Actor) -> String {
    me.province_code.clone().unwrap_or_default()
}

async fn rules_render(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: i64,
    saved: String,
    error: String,
    tsv: Option<String>,
) -> Result<Response, AppError> {
    // An admin edits the province of the installation (its units' province).
    let province = match province_of(me) {
        p if !p.is_empty() => p,
        _ => installation_province(st, me).await?,
    };
    let versions = st.store.audit_catalogue_versions(&province).await?;
    let text = versions
        .get(&fy)
        .or_else(|| versions.get(&0))
        .cloned()
        .unwrap_or_else(|| default_catalogue_text().to_string());
    let cat = parse_catalogue(&text).unwrap_or_else(|_| default_catalogue());
    let counts: BTreeMap<String, (i64, i64)> = st
        .store
        .rule_counts(me, None)
        .await?
        .into_iter()
        .map(|c| (c.rule, (c.visits, c.amount)))
        .collect();
    let failed = !error.is_empty();
    let mut years: Vec<(i64, String)> = vec![(0, t.s("au_all").to_string())];
    let now = current_fy();
    for y in [now - 1, now, now + 1] {
        years.push((y, fy_label(t, y)));
    }
    let page = render(&RulesPage {
        l: Layout::new(t, Some(me), t.s("au_rules_title"), "claims"),
        rules: cat
            .rules()
            .map(|r| {
                let (n, a) = counts.get(&r.code).copied().unwrap_or((0, 0));
                RuleRow {
                    code: r.code.clone(),
                    severity: severity_label(t, r.severity.code()).to_string(),
                    block: r.severity.code() == "block",
                    nhso: format!("{} {}", r.nhso_class, r.nhso_code)
                        .trim()
                        .to_string(),
                    param: r.param.clone(),
                    text: t.pick(&r.text_th, &r.text_en).to_string(),
                    fix: t.pick(&r.fix_th, &r.fix_en).to_string(),
                    visits: format_int_thai(n),
                    amount: money(a),
                }
            })
            .collect(),
        may_edit: me.is_admin() || me.role == Role::Province,
        tsv: tsv.unwrap_or(text),
        province,
        fy,
        years,
        saved,
        error,
    })?;
    Ok(if failed {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page
    })
}

/// The province of the installation for an admin (the province of its first unit).
pub(crate) async fn installation_province(st: &AppState, me: &Actor) -> Result<String, AppError> {
    let units = st.store.list_units(me, &Default::default()).await?;
    match units.first() {
        Some(u) => Ok(st.store.unit_places(me, &u.hcode).await?.province_code),
        None => Ok(String::new()),
    }
}

pub async fn rules_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<RulesQuery>,
) -> Result<Response, AppError> {
    let fy = q.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let saved = if q.saved.is_empty() {
        String::new()
    } else {
        t.s("au_saved").to_string()
    };
    rules_render(&st, t, &me, fy, saved, String::new(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    tsv: String,
}

pub async fn rules_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    axum::Form(f): axum::Form<RulesForm>,
) -> Result<Response, AppError> {
    let fy = f.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let province = match province_of(&me) {
        p if !p.is_empty() => p,
        _ => installation_province(&st, &me).await?,
    };
    match st
        .store
        .save_audit_catalogue(&me, &province, fy, &f.tsv)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/audit-rules?fy={fy}&saved=1")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let msg = errs
                .iter()
                .map(|e| {
                    let line = e.line.map(|l| format!("{l}: ")).unwrap_or_default();
                    format!("{line}{}", t.pick(&e.message_th, &e.message_en))
                })
                .collect::<Vec<_>>()
                .join("; ");
            rules_render(&st, t, &me, fy, String::new(), msg, Some(f.tsv)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "audit/province.html")]
struct ProvincePage {
    l: Layout,
    fy: i64,
    years: Vec<(i64, String)>,
    months: Vec<String>,
    /// (hcode, name, per month (clean %, authen %, clean bar width, authen bar width), clean %
    /// for the year, authen % for the year)
    units: Vec<UnitRow>,
    below: Vec<UnitRow>,
}

#[derive(Clone)]
struct UnitRow {
    hcode: String,
    name: String,
    cells: Vec<(String, String, u32, u32)>,
    clean: String,
    authen: String,
    clean_w: u32,
    authen_w: u32,
}

#[derive(Debug, Default, Deserialize)]
pub struct FyQuery {
    #[serde(default)]
    fy: String,
}

/// District and province: clean visits and Authen coverage per unit and month, with bars, and
/// the units below the 100 % target.
pub async fn province_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    let fy_n =
        q.fy.trim()
            .parse::<i64>()
            .unwrap_or_else(|_| current_fy())
            .clamp(2400, 2700);
    let fy = FiscalYear::new(fy_n as u16);
    // Kept per read version (and day: a blocking LATE01 moves with it), like the other roll-ups.
    let roll = st
        .reads
        .get(
            &st.store,
            format!(
                "audit:{fy_n}:{}:{}",
                raidai_store::findings::audit_today(),
                crate::read_cache::scope_key(&me)
            ),
            || async {
                Ok(st
                    .store
                    .audit_rollup(&me, None, ymd(fy.start()), ymd(fy.end()))
                    .await?)
            },
        )
        .await?;
    let months: Vec<i64> = fy
        .periods()
        .map(|p| i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month()))
        .collect();
    let mut order: Vec<(String, String)> = Vec::new();
    for r in roll.iter() {
        if !order.iter().any(|(h, _)| h == &r.hcode) {
            order.push((r.hcode.clone(), r.unit_name.clone()));
        }
    }
    let width = |n: i64, d: i64| {
        if d == 0 {
            0
        } else {
            ((n * 100) / d).clamp(0, 100) as u32
        }
    };
    let units: Vec<UnitRow> = order
        .into_iter()
        .map(|(h, name)| {
            let mine: Vec<_> = roll.iter().filter(|r| r.hcode == h).collect();
            let (v, c, an, ah) = mine.iter().fold((0, 0, 0, 0), |a, r| {
                (
                    a.0 + r.visits,
                    a.1 + r.clean,
                    a.2 + r.authen_needed,
                    a.3 + r.authen_has,
                )
            });
            UnitRow {
                cells: months
                    .iter()
                    .map(|m| match mine.iter().find(|r| r.month == *m) {
                        Some(r) => (
                            pct(r.clean, r.visits),
                            pct(r.authen_has, r.authen_needed),
                            width(r.clean, r.visits),
                            width(r.authen_has, r.authen_needed),
                        ),
                        None => ("–".into(), "–".into(), 0, 0),
                    })
                    .collect(),
                clean: pct(c, v),
                authen: pct(ah, an),
                clean_w: width(c, v),
                authen_w: width(ah, an),
                hcode: h,
                name,
            }
        })
        .collect();
    let below = units
        .iter()
        .filter(|u| u.clean_w < 100 || u.authen_w < 100)
        .cloned()
        .collect();
    let now = current_fy();
    render(&ProvincePage {
        l: Layout::new(t, Some(&me), t.s("au_province"), "claims"),
        fy: fy_n,
        years: (now - 3..=now).rev().map(|y| (y, fy_label(t, y))).collect(),
        months: months.iter().map(|m| month_label(t, *m)).collect(),
        units,
        below,
    })
}
