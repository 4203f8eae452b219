//! Accounting periods of the receivables journal: a unit's months (open or closed, with their
//! totals by posting date), closing a month (the unit's head, or the admin for every unit at
//! once), reopening (admin, with a reason; audit-logged), and the re-post of visits that
//! waited for a posting-map line. The rules are `raidai_domain::periods`; the store enforces
//! who may do what.

use crate::auth::Params;
use crate::auth::{Ctx, Me, require_unit};
use crate::claims::{current_fy, fy_label, money};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render_failed;
use crate::view::{Layout, datetime};
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_domain::calendar::{FiscalPeriod, FiscalYear};
use raidai_domain::ids::Hcode;
use raidai_domain::master::Role;
use raidai_domain::money::format_int_thai;
use raidai_domain::periods::{check_closable, ymd};
use raidai_store::Actor;
use raidai_store::StoreError;
use raidai_store::master::UnitQuery;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("pe_title", "งวดบัญชีลูกหนี้", "Accounting periods"),
    ("pe_forbidden", "ไม่มีสิทธิ์ทำรายการนี้", "Not allowed"),
    ("pe_baht", "บาท", "baht"),
    (
        "pe_help",
        "ยอดในตารางนับตามวันที่ลงบัญชี เดือนที่ปิดแล้วจะไม่มีรายการใดลงในเดือนนั้นอีก รายการแก้ไขของเดือนที่ปิดจะลงในงวดที่เปิดถัดไป ปิดได้เฉพาะเดือนที่สิ้นสุดแล้ว การเปิดงวดใหม่ทำได้โดยผู้ดูแลระบบและบันทึกเหตุผลไว้",
        "Figures by posting date. Nothing is posted into a closed month again; corrections of a closed month post in the next open month. Only a month that has ended can be closed; reopening is an admin action, logged with its reason",
    ),
    ("pe_month", "เดือน", "Month"),
    ("pe_state", "สถานะ", "State"),
    ("pe_open", "เปิด", "Open"),
    ("pe_closed", "ปิดงวดแล้ว", "Closed"),
    ("pe_closed_short", "ปิด", "Closed"),
    ("pe_closed_by", "ปิดโดย", "Closed by"),
    ("pe_lines", "รายการบัญชี", "Journal lines"),
    ("pe_net", "ลูกหนี้เพิ่ม (สุทธิ)", "Receivables (net)"),
    ("pe_close", "ปิดงวด", "Close month"),
    ("pe_reopen", "เปิดงวดใหม่", "Reopen"),
    ("pe_reason", "เหตุผล", "Reason"),
    ("pe_not_ended", "ยังไม่สิ้นเดือน", "Not ended"),
    ("pe_done_close", "ปิดงวดแล้ว", "Month closed"),
    ("pe_done_reopen", "เปิดงวดใหม่แล้ว", "Month reopened"),
    ("pe_province", "งวดบัญชีของทุกหน่วย", "Periods of every unit"),
    (
        "pe_close_all",
        "ปิดงวดเดือนนี้ให้ทุกหน่วยบริการ",
        "Close this month for every unit",
    ),
    ("pe_closed_n", "หน่วยที่ปิดงวดเพิ่ม", "Units closed now"),
    ("pe_unit", "หน่วยบริการ", "Unit"),
    ("pe_repost", "ลงบัญชีรายการที่รออยู่", "Post the waiting visits"),
    (
        "pe_repost_help",
        "เมื่อแก้ผังการตั้งลูกหนี้แล้ว กดปุ่มนี้เพื่อลงบัญชีรายการที่รอผังอยู่ด้วยผังที่ใช้ในปัจจุบัน (บันทึกในประวัติการนำเข้า)",
        "After the posting map is fixed, post the visits that waited for it with the map now in force (recorded in the import history)",
    ),
    (
        "pe_repost_none",
        "ยังไม่มีรายการที่รออยู่ที่ผังปัจจุบันลงบัญชีได้",
        "No waiting visit has a posting-map line yet",
    ),
    (
        "pe_in_hospital",
        "ผู้ป่วยในที่ยังไม่จำหน่าย",
        "Admissions still in hospital",
    ),
    (
        "pe_refused",
        "รายการที่รอแฟ้มที่แก้แล้ว (บรรทัดถูกปฏิเสธ)",
        "Visits waiting for corrected files (a line was refused)",
    ),
    (
        "pe_refused_help",
        "บรรทัดค่ารักษา อุบัติเหตุ ส่งต่อ หรือวินิจฉัยของรายการเหล่านี้อ่านไม่ได้ จึงยังไม่ตั้งลูกหนี้ (ยอดยังอยู่ในกระทบยอด) แก้ใน HIS แล้วนำเข้าใหม่ ระบบจะตั้งลูกหนี้ให้",
        "A charge, accident, refer or diagnosis line of these visits could not be read, so they are not posted yet (their amounts stay in the reconciliation): fix them in the HIS and import again to post them",
    ),
    (
        "pe_in_hospital_help",
        "ผู้ป่วยในรับรู้ลูกหนี้ ณ วันจำหน่าย รายการเหล่านี้จะลงบัญชีเมื่อนำเข้าข้อมูลที่มีวันจำหน่าย",
        "Admissions are recognised at discharge: these post when an import brings their discharge date",
    ),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(
            M::GET,
            "/units/{hcode}/claims/periods",
            SignedIn,
            get(unit_page),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/periods/close",
            SignedIn,
            post(unit_close),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/periods/reopen",
            Admin,
            post(unit_reopen),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/periods",
            SignedIn,
            get(unit_json),
        ),
        r(M::GET, "/claims/periods", SignedIn, get(province_page)),
        r(
            M::POST,
            "/claims/periods/close",
            Admin,
            post(province_close),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/repost",
            SignedIn,
            post(repost),
        ),
    ]
}

fn today() -> chrono::NaiveDate {
    let bangkok = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    chrono::Utc::now().with_timezone(&bangkok).date_naive()
}

fn month_id(p: FiscalPeriod) -> i64 {
    i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month())
}

fn month_label(t: T, month: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1);
    match d.map(FiscalPeriod::of) {
        Some(p) if t.is_en() => p.label_en(),
        Some(p) => p.label_th(),
        None => month.to_string(),
    }
}

fn fiscal_year(s: &str) -> FiscalYear {
    let fy = s.trim().parse::<i64>().unwrap_or_else(|_| current_fy());
    FiscalYear::new(fy.clamp(2400, 2700) as u16)
}

fn error_text(t: T, e: &StoreError) -> String {
    match e {
        StoreError::Invalid(errs) => errs
            .iter()
            .map(|e| t.pick(&e.message_th, &e.message_en).to_string())
            .collect::<Vec<_>>()
            .join("; "),
        StoreError::Forbidden => t.s("pe_forbidden").to_string(),
        other => other.to_string(),
    }
}

/// One month of a unit, as the API and the page show it.
#[derive(Debug, Clone, Serialize)]
pub struct MonthView {
    /// `yyyymm` (CE).
    pub month: i64,
    pub label: String,
    pub closed: bool,
    pub closed_by: String,
    pub closed_at: String,
    pub lines: i64,
    /// Receivables debits − credits by posting date, in satang.
    pub receivable_net: i64,
    #[serde(skip)]
    pub net_text: String,
    #[serde(skip)]
    pub closable: bool,
}

async fn unit_months(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: FiscalYear,
) -> Result<Vec<MonthView>, StoreError> {
    let closed: HashMap<i64, raidai_store::periods::ClosedMonth> = st
        .store
        .closed_months(me, unit_code)
        .await?
        .into_iter()
        .map(|c| (c.month, c))
        .collect();
    let totals = st
        .store
        .month_totals(me, unit_code, ymd(fy.start()), ymd(fy.end()))
        .await?;
    let today = today();
    Ok(fy
        .periods()
        .map(|p| {
            let m = month_id(p);
            let c = closed.get(&m);
            let tot = totals.iter().find(|x| x.month == m);
            let net = tot.map_or(0, |x| x.receivable_net);
            MonthView {
                month: m,
                label: month_label(t, m),
                closed: c.is_some(),
                closed_by: c.map(|c| c.closed_by.clone()).unwrap_or_default(),
                closed_at: c.map(|c| datetime(t, c.closed_at)).unwrap_or_default(),
                lines: tot.map_or(0, |x| x.lines),
                receivable_net: net,
                net_text: money(net),
                closable: check_closable(m, today).is_ok(),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "claims/periods.html")]
struct UnitPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    fy: i64,
    years: Vec<(i64, String)>,
    months: Vec<MonthView>,
    may_close: bool,
    is_admin: bool,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct FyQuery {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    done: String,
}

fn may_close(me: &Actor, unit_code: Hcode) -> bool {
    let hcode = unit_code.as_str();
    me.who.role == Role::Admin
        || (me.who.role == Role::UnitHead && me.who.hcode.as_deref() == Some(hcode))
}

fn year_options(t: T, fy: i64) -> Vec<(i64, String)> {
    let now = current_fy();
    let mut years: Vec<i64> = (now - 3..=now).rev().collect();
    if !years.contains(&fy) {
        years.push(fy);
    }
    years.into_iter().map(|y| (y, fy_label(t, y))).collect()
}

async fn unit_render(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: FiscalYear,
    flash: String,
    error: String,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(me, unit_code).await?;
    let months = unit_months(st, t, me, unit_code, fy).await?;
    let fyn = i64::from(fy.be());
    let failed = !error.is_empty();
    render_failed(
        failed,
        &UnitPage {
            l: Layout::new(t, Some(me), t.s("pe_title"), "claims").with_flash(flash),
            hcode: unit.hcode,
            unit_name: unit.name_th,
            fy: fyn,
            years: year_options(t, fyn),
            months,
            may_close: may_close(me, unit_code),
            is_admin: me.is_admin(),
            error,
        },
    )
}

pub async fn unit_page(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    let flash = match q.done.as_str() {
        "close" => t.s("pe_done_close").to_string(),
        "reopen" => t.s("pe_done_reopen").to_string(),
        _ => String::new(),
    };
    unit_render(&st, t, &me, hcode, fiscal_year(&q.fy), flash, String::new()).await
}

/// API twin: the months of a fiscal year with their state and totals by posting date.
pub async fn unit_json(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    match unit_months(&st, t, &me, hcode, fiscal_year(&q.fy)).await {
        Ok(m) => Ok(axum::Json(m).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MonthForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    reason: String,
}

fn parse_month(s: &str) -> Result<i64, StoreError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| raidai_domain::periods::is_month(*m))
        .ok_or_else(|| StoreError::field("month", "not a month (yyyymm)", "เดือนไม่ถูกต้อง"))
}

fn fy_of_month(month: i64) -> FiscalYear {
    chrono::NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1)
        .map(FiscalYear::of)
        .unwrap_or_else(|| FiscalYear::new(current_fy() as u16))
}

pub async fn unit_close(
    ctx: Ctx,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<MonthForm>,
) -> Result<Response, AppError> {
    unit_month(ctx, hcode, f, "close").await
}

pub async fn unit_reopen(
    ctx: Ctx,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<MonthForm>,
) -> Result<Response, AppError> {
    unit_month(ctx, hcode, f, "reopen").await
}

/// Closes (`done` "close") or reopens a month of the unit.
async fn unit_month(
    Ctx { st, t, me }: Ctx,
    hcode: Hcode,
    f: MonthForm,
    done: &str,
) -> Result<Response, AppError> {
    let result = async {
        let m = parse_month(&f.month)?;
        if done == "close" {
            st.store.close_month(&me, hcode, m, today()).await?;
        } else {
            st.store.reopen_month(&me, hcode, m, &f.reason).await?;
        }
        Ok::<_, StoreError>(m)
    }
    .await;
    unit_month_done(&st, t, &me, hcode, &f.month, result, done).await
}

/// After closing or reopening `month_text`: back to its year with `done`, or the page again
/// with the error when the input was refused.
async fn unit_month_done(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    month_text: &str,
    result: Result<i64, StoreError>,
    done: &str,
) -> Result<Response, AppError> {
    let hcode = unit_code.as_str();
    match result {
        Ok(m) => Ok(Redirect::to(&format!(
            "/units/{hcode}/claims/periods?fy={}&done={done}",
            fy_of_month(m).be()
        ))
        .into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let fy = fy_of_form(month_text);
            unit_render(st, t, me, unit_code, fy, String::new(), error_text(t, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The year to show a refused month form in: the month's own, else the current one.
fn fy_of_form(month_text: &str) -> FiscalYear {
    parse_month(month_text).map_or_else(|_| FiscalYear::new(current_fy() as u16), fy_of_month)
}

#[derive(Template)]
#[template(path = "claims/periods_province.html")]
struct ProvincePage {
    l: Layout,
    fy: i64,
    years: Vec<(i64, String)>,
    /// (yyyymm, label, closable)
    months: Vec<(i64, String, bool)>,
    /// (hcode, name, closed flag per month)
    units: Vec<(String, String, Vec<bool>)>,
    is_admin: bool,
    error: String,
}

async fn province_render(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: FiscalYear,
    flash: String,
    error: String,
) -> Result<Response, AppError> {
    let months: Vec<i64> = fy.periods().map(month_id).collect();
    let closed = st
        .store
        .closed_months_all(me, months[0], months[months.len() - 1])
        .await?;
    let units = st.store.list_units(me, &UnitQuery::default()).await?;
    let today = today();
    let fyn = i64::from(fy.be());
    let failed = !error.is_empty();
    render_failed(
        failed,
        &ProvincePage {
            l: Layout::new(t, Some(me), t.s("pe_province"), "claims").with_flash(flash),
            fy: fyn,
            years: year_options(t, fyn),
            months: months
                .iter()
                .map(|m| (*m, month_label(t, *m), check_closable(*m, today).is_ok()))
                .collect(),
            units: units
                .iter()
                .map(|u| {
                    let flags = months
                        .iter()
                        .map(|m| closed.iter().any(|c| c.hcode == u.hcode && c.month == *m))
                        .collect();
                    (u.hcode.clone(), u.name_th.clone(), flags)
                })
                .collect(),
            is_admin: me.is_admin(),
            error,
        },
    )
}

/// The province's view: which months each unit has closed, and (admin) closing a month for all.
pub async fn province_page(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !matches!(me.who.role, Role::Admin | Role::Province | Role::District) {
        return Err(AppError::Forbidden);
    }
    let flash = match q.done.parse::<i64>() {
        Ok(n) => format!(
            "{} {}: {}",
            t.s("pe_done_close"),
            t.s("pe_closed_n"),
            format_int_thai(n)
        ),
        Err(_) => String::new(),
    };
    province_render(&st, t, &me, fiscal_year(&q.fy), flash, String::new()).await
}

pub async fn province_close(
    Ctx { st, t, me }: Ctx,
    axum::Form(f): axum::Form<MonthForm>,
) -> Result<Response, AppError> {
    let result = match parse_month(&f.month) {
        Ok(m) => st
            .store
            .close_month_all(&me, m, today())
            .await
            .map(|n| (m, n)),
        Err(e) => Err(e),
    };
    match result {
        Ok((m, n)) => Ok(Redirect::to(&format!(
            "/claims/periods?fy={}&done={n}",
            fy_of_month(m).be()
        ))
        .into_response()),
        Err(e @ StoreError::Invalid(_)) => {
            let fy = fy_of_form(&f.month);
            province_render(&st, t, &me, fy, String::new(), error_text(t, &e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Posts the unit's visits that waited for a posting-map line; shows the new history entry.
pub async fn repost(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    let to = match raidai_claims::repost(&st.store, &me, hcode).await? {
        Some(rec) => format!("/units/{hcode}/claims/imports/{}", rec.id),
        None => format!("/units/{hcode}/claims/unposted?repost=none"),
    };
    Ok(Redirect::to(&to).into_response())
}
