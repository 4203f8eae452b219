//! Claim-cycle screens: claim batches (build, list, download), REP/STM upload and the lines
//! each return matched or not, the C / Deny worklist with error meanings and follow-up, aging
//! of open receivables with the collection period per fund, and the province roll-up. The
//! cycle's rules live in `raidai_claims::cycle` and `raidai_domain::settlement`.

use crate::auth::{Me, Tr};
use crate::claims::{current_fy, date, download, enc, fund_name, fy_label, may_import, money};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::view::Layout;
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_claims::cycle::{self, CycleError};
use raidai_domain::money::format_int_thai;
use raidai_domain::periods::{add_days, days_between, ymd};
use raidai_returns::ErrorCodes;
use raidai_store::claims::{AGING_BUCKETS, BatchSpec, ClaimRow, WorkFilter};
use raidai_store::{Actor, FieldError};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("cy_batches", "ส่งเบิก (ชุดข้อมูลเบิก)", "Claim batches"),
    ("cy_batch", "ชุดที่", "Batch"),
    ("cy_new_batch", "สร้างชุดข้อมูลเบิก", "Build a claim batch"),
    (
        "cy_batch_help",
        "เลือกกองทุนและช่วงวันที่ (วันรับบริการ หรือวันจำหน่ายสำหรับผู้ป่วยใน) ระบบจะรวมรายการที่ตั้งลูกหนี้แล้วและยังไม่เคยส่ง หรือติด C รอส่งใหม่ เขียน 16 แฟ้มแบบ FDH (windows-874) เป็นไฟล์ zip",
        "Choose funds and dates (service, or discharge for IP). Posted visits never sent, or sent back as C, are written as the 16 files (FDH, windows-874) in a zip",
    ),
    ("cy_from", "ตั้งแต่วันที่", "From"),
    ("cy_to", "ถึงวันที่", "To"),
    (
        "cy_include_blocked",
        "รวมรายการที่มีข้อผิดพลาดระดับส่งเบิกไม่ได้ (ไม่แนะนำ)",
        "Include visits with blocking findings (not advised)",
    ),
    ("cy_headers", "รูปแบบแฟ้ม", "File layout"),
    ("cy_build", "สร้างและบันทึก", "Build and record"),
    ("cy_download", "ดาวน์โหลด zip", "Download zip"),
    ("cy_claimed", "ยอดเบิก", "Claimed"),
    ("cy_accepted", "ผ่าน", "Accepted"),
    ("cy_corrective", "ติด C", "C (to correct)"),
    ("cy_deny", "Deny", "Denied"),
    ("cy_received", "ได้รับเงิน", "Received"),
    ("cy_blocked", "มีข้อผิดพลาด", "With blocking findings"),
    ("cy_sent", "ส่งแล้ว", "Sent"),
    ("cy_status", "สถานะการเบิก", "Claim status"),
    ("cy_returns", "REP / Statement", "REP / Statement"),
    (
        "cy_upload_help",
        "นำเข้าไฟล์ REP (eclaim_…xls) หรือ Statement (STM_…xls หรือ XML ของ สกส.) ระบบจับคู่กับรายการด้วย TRAN_ID หรือ HN + SEQ / AN และยืนยันด้วยเลขประชาชนและวันที่ รายการที่จับคู่ไม่ได้จะแสดงไว้ ไม่ถูกทิ้ง Statement จะตัดลูกหนี้ด้วยรายการบัญชีที่สมดุล",
        "Import a REP (eclaim_…xls) or Statement (STM_…xls, or a CHI XML). Lines match by TRAN_ID or HN + SEQ / AN, confirmed by citizen ID and date; unmatched lines are listed, never dropped. A statement settles the receivables with balanced entries",
    ),
    ("cy_file", "ไฟล์", "File"),
    ("cy_upload", "นำเข้า", "Import"),
    ("cy_kind", "ประเภท", "Kind"),
    ("cy_lines", "รายการ", "Lines"),
    ("cy_matched", "จับคู่ได้", "Matched"),
    ("cy_unmatched", "จับคู่ไม่ได้", "Unmatched"),
    ("cy_rejects", "อ่านไม่ได้", "Unreadable"),
    ("cy_amount", "ยอดเงิน", "Amount"),
    ("cy_settled", "ตัดลูกหนี้", "Settled"),
    ("cy_match", "การจับคู่", "Match"),
    ("cy_outcome", "ผล", "Outcome"),
    ("cy_codes", "รหัสข้อผิดพลาด", "Error codes"),
    ("cy_worklist", "ติดตาม C / Deny", "C / Deny follow-up"),
    (
        "cy_worklist_help",
        "รายการที่ติด C (แก้ไขแล้วส่งใหม่ภายในกำหนด ตามระยะเวลาส่งเบิกของกองทุนในกฎ LATE01) หรือ Deny (อุทธรณ์หรือตัดหนี้) เรียงตามยอดลูกหนี้คงค้าง การตัดหนี้จะบันทึกบัญชีไปที่บัญชีส่วนต่างต่ำกว่าของกองทุน",
        "Claims sent back as C (fix and resend in time) or denied (appeal or write off), largest open receivable first. A write-off posts the open receivable to the fund's 'lower' adjustment account",
    ),
    ("cy_work", "การติดตาม", "Follow-up"),
    ("cy_work_to_fix", "รอแก้ไข", "To fix"),
    ("cy_work_resent", "ส่งใหม่แล้ว", "Resent"),
    ("cy_work_appealed", "อุทธรณ์แล้ว", "Appealed"),
    ("cy_work_written_off", "ตัดหนี้แล้ว", "Written off"),
    ("cy_note", "บันทึก / เหตุผล", "Note / reason"),
    ("cy_save", "บันทึก", "Save"),
    ("cy_deadline", "กำหนดส่งใหม่", "Resend by"),
    ("cy_overdue", "เกินกำหนด", "Overdue"),
    ("cy_outstanding", "คงค้าง", "Outstanding"),
    ("cy_late", "ส่งล่าช้า", "Late"),
    ("cy_aging", "อายุลูกหนี้", "Receivables aging"),
    (
        "cy_aging_help",
        "ลูกหนี้ค่ารักษาที่ยังค้างรับ นับอายุจากวันรับบริการ (ผู้ป่วยในนับจากวันจำหน่าย) ถึงวันนี้ ระยะเวลาเก็บหนี้ = ลูกหนี้คงค้าง ÷ ลูกหนี้ที่ตั้งใน 12 เดือนล่าสุด × 365 วัน (เป้าหมาย UC และข้าราชการ ≤ 60 วัน ประกันสังคม ≤ 120 วัน)",
        "Open patient receivables, aged from service (discharge for IP) to today. Collection period = open receivables ÷ receivables posted in the last 12 months × 365 days (targets: UC and CSMBS ≤ 60 days, SSS ≤ 120)",
    ),
    ("cy_account", "บัญชี", "Account"),
    ("cy_total", "รวม", "Total"),
    (
        "cy_collection",
        "ระยะเวลาเก็บหนี้ (วัน)",
        "Collection period (days)",
    ),
    ("cy_target", "เป้าหมาย", "Target"),
    (
        "cy_revenue",
        "ตั้งลูกหนี้ 12 เดือนล่าสุด",
        "Posted in the last 12 months",
    ),
    ("cy_days", "จำนวนวัน", "Days"),
    ("cy_rollup", "ผลการเบิกจ่ายรายหน่วย", "Claims per unit"),
    ("cy_receivable", "ตั้งลูกหนี้", "Receivable"),
    ("cy_written_down", "ปรับลด", "Written down"),
    ("cy_history", "ประวัติการเบิก", "Claim history"),
    ("cy_none", "ยังไม่มีรายการ", "Nothing yet"),
    ("cy_result", "ผลการนำเข้า", "Import result"),
    ("cy_appeal", "อุทธรณ์", "Appeal"),
    ("cy_expected", "ชดเชยสุทธิ (REP)", "Expected (REP)"),
    ("cy_codes_title", "รหัสข้อผิดพลาด สปสช.", "NHSO error codes"),
    (
        "cy_codes_help",
        "ความหมายและวิธีแก้ของรหัสที่ REP ส่งกลับ (C = แก้ไขแล้วส่งใหม่, D = Deny, V = ตรวจสอบ) ระบบมีรหัสพื้นฐานให้ สสจ. นำเข้ารายการเต็มของ สปสช. เป็น CSV หรือ TSV หัวตาราง code,type,th,en,fix_th ได้ รายการที่นำเข้าจะแทนที่รายการเดิมของจังหวัดทั้งหมด",
        "Meaning and fix of the codes REP files carry (C = correct and resend, D = Deny, V = verify). The shipped codes are built in; the province may load NHSO's full list as CSV or TSV with the header code,type,th,en,fix_th, replacing its earlier list",
    ),
    (
        "cy_codes_loaded",
        "รหัสที่จังหวัดนำเข้า",
        "Codes loaded by the province",
    ),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(
            M::GET,
            "/units/{hcode}/claims/batches",
            SignedIn,
            get(batches),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/batches",
            SignedIn,
            post(batch_create),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/batches/{no}",
            SignedIn,
            get(batch_page),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/batches/{no}/zip",
            SignedIn,
            get(batch_zip),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/returns",
            SignedIn,
            get(returns),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/returns",
            SignedIn,
            post(return_upload),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/returns/{no}",
            SignedIn,
            get(return_page),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/worklist",
            SignedIn,
            get(worklist),
        ),
        r(
            M::POST,
            "/units/{hcode}/claims/worklist",
            SignedIn,
            post(work_save),
        ),
        r(M::GET, "/units/{hcode}/claims/aging", SignedIn, get(aging)),
        r(M::GET, "/claims/cycle", SignedIn, get(rollup)),
        r(M::GET, "/claims/error-codes", SignedIn, get(codes_page)),
        r(M::POST, "/claims/error-codes", SignedIn, post(codes_upload)),
        r(M::GET, "/claims/cycle.xlsx", SignedIn, get(rollup_xlsx)),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/batches",
            SignedIn,
            get(batches_json),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/returns",
            SignedIn,
            get(returns_json),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/worklist",
            SignedIn,
            get(worklist_json),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/aging",
            SignedIn,
            get(aging_json),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/visits/{visit}/claim",
            SignedIn,
            get(claim_json),
        ),
        r(M::GET, "/api/v1/claims/cycle", SignedIn, get(rollup_json)),
    ]
}

fn cycle_error(e: CycleError) -> AppError {
    match e {
        CycleError::Claims(raidai_claims::ClaimsError::Store(s)) => s.into(),
        other => {
            let th = other.message_th().unwrap_or_else(|| other.to_string());
            AppError::BadRequest(vec![FieldError::new("file", other.to_string(), th)])
        }
    }
}

fn today() -> i64 {
    raidai_claims::audit::today_ymd()
}

fn status_label(t: T, s: &str) -> String {
    match s {
        "sent" => t.s("cy_sent").into(),
        "accepted" => t.s("cy_accepted").into(),
        "corrective" => t.s("cy_corrective").into(),
        "deny" => t.s("cy_deny").into(),
        "" => "–".into(),
        other => other.into(),
    }
}

fn work_label(t: T, w: &str) -> String {
    match w {
        "to_fix" => t.s("cy_work_to_fix").into(),
        "resent" => t.s("cy_work_resent").into(),
        "appealed" => t.s("cy_work_appealed").into(),
        "written_off" => t.s("cy_work_written_off").into(),
        _ => String::new(),
    }
}

fn match_label(t: T, note: &str) -> String {
    let (th, en) = match note {
        "tran_id" => ("TRAN_ID", "TRAN_ID"),
        "hn_seq" => ("HN + SEQ", "HN + SEQ"),
        "an" => ("AN", "AN"),
        "no_visit" => ("ไม่พบรายการรับบริการ", "no such visit"),
        "pid_mismatch" => ("เลขประชาชนไม่ตรง", "citizen ID differs"),
        "date_mismatch" => ("วันที่รับบริการไม่ตรง", "service date differs"),
        "no_settlement_accounts" => (
            "ไม่มีบัญชีปรับปรุงของกองทุนนี้",
            "no settlement accounts for the fund",
        ),
        other => (other, other),
    };
    t.pick(th, en).to_string()
}

fn visit_key(r: &ClaimRow) -> String {
    if r.setting == "IP" {
        format!("AN {}", r.an)
    } else {
        format!("HN {} · {}", r.hn, r.seq)
    }
}

const FUNDS: [&str; 6] = ["UC", "OFC", "LGO", "BKK", "SSS", "STP"];

// ---------------------------------------------------------------------------------------------
// Batches
// ---------------------------------------------------------------------------------------------

struct BatchView {
    href: String,
    no: i64,
    funds: String,
    range: String,
    visits: String,
    blocked: String,
    amount: String,
    accepted: String,
    corrective: String,
    denied: String,
    received: String,
    created: String,
}

fn batch_view(t: T, b: &raidai_store::claims::BatchRecord) -> BatchView {
    BatchView {
        href: format!("/units/{}/claims/batches/{}", b.hcode, b.no),
        no: b.no,
        funds: b
            .funds
            .split(',')
            .map(|f| fund_name(t, f))
            .collect::<Vec<_>>()
            .join(", "),
        range: format!("{} – {}", date(t, b.date_from), date(t, b.date_to)),
        visits: format_int_thai(b.visits),
        blocked: format_int_thai(b.blocked),
        amount: money(b.amount),
        accepted: format_int_thai(b.accepted),
        corrective: format_int_thai(b.corrective),
        denied: format_int_thai(b.denied),
        received: money(b.received),
        created: format!(
            "{} {}",
            crate::view::datetime(t, b.created_at),
            b.created_by
        ),
    }
}

#[derive(Template)]
#[template(path = "cycle/batches.html")]
struct BatchesPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    batches: Vec<BatchView>,
    funds: Vec<(String, String, bool)>,
    from: String,
    to: String,
    may_act: bool,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    fund: Vec<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    include_blocked: String,
    #[serde(default)]
    headers: String,
}

fn be_date(d: i64) -> String {
    format!("{:02}/{:02}/{}", d % 100, (d / 100) % 100, d / 10_000 + 543)
}

async fn batches_page(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    form: Option<&BatchForm>,
    error: String,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(me, hcode).await?;
    let list = st.store.list_batches(me, hcode).await?;
    let fy = raidai_domain::calendar::FiscalYear::new(current_fy() as u16);
    render(&BatchesPage {
        l: Layout::new(t, Some(me), t.s("cy_batches"), "claims"),
        batches: list.iter().map(|b| batch_view(t, b)).collect(),
        funds: FUNDS
            .iter()
            .map(|f| {
                let on = form.is_none_or(|x| x.fund.iter().any(|y| y == f));
                (f.to_string(), fund_name(t, f), on)
            })
            .collect(),
        from: form
            .map(|f| f.from.clone())
            .unwrap_or_else(|| be_date(ymd(fy.start()))),
        to: form
            .map(|f| f.to.clone())
            .unwrap_or_else(|| be_date(today())),
        may_act: may_import(me, hcode),
        error,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn batches(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    batches_page(&st, t, &me, &hcode, None, String::new()).await
}

fn parse_form_date(s: &str) -> Option<i64> {
    raidai_domain::calendar::parse_date(s).ok().map(ymd)
}

pub async fn batch_create(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    axum_extra_form: axum::extract::RawForm,
) -> Result<Response, AppError> {
    let f: BatchForm = serde_html_form(&axum_extra_form.0);
    let (Some(from), Some(to)) = (parse_form_date(&f.from), parse_form_date(&f.to)) else {
        return batches_page(
            &st,
            t,
            &me,
            &hcode,
            Some(&f),
            t.pick(
                "วันที่ไม่ถูกต้อง ใช้รูปแบบ วว/ดด/ปปปป (พ.ศ.)",
                "Bad date: use dd/mm/yyyy (BE or CE)",
            )
            .into(),
        )
        .await;
    };
    let funds: Vec<String> = f
        .fund
        .iter()
        .filter(|x| FUNDS.contains(&x.as_str()))
        .cloned()
        .collect();
    if funds.is_empty() {
        return batches_page(
            &st,
            t,
            &me,
            &hcode,
            Some(&f),
            t.pick("เลือกอย่างน้อยหนึ่งกองทุน", "Choose at least one fund")
                .into(),
        )
        .await;
    }
    let spec = BatchSpec {
        funds,
        date_from: from,
        date_to: to,
        include_blocked: f.include_blocked == "1",
        headers: if f.headers == "classic" {
            "classic".into()
        } else {
            "fdh".into()
        },
    };
    match cycle::create_batch(&st.store, &me, &hcode, &spec).await {
        Ok(b) => {
            Ok(Redirect::to(&format!("/units/{hcode}/claims/batches/{}", b.no)).into_response())
        }
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(s))) => Err(s.into()),
        Err(e) => {
            let msg = if t.is_en() {
                e.to_string()
            } else {
                e.message_th().unwrap_or_else(|| e.to_string())
            };
            batches_page(&st, t, &me, &hcode, Some(&f), msg).await
        }
    }
}

/// A urlencoded body with repeated keys (`fund=UC&fund=OFC`) into the batch form.
fn serde_html_form(body: &[u8]) -> BatchForm {
    let mut f = BatchForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "fund" => f.fund.push(v.into_owned()),
            "from" => f.from = v.into_owned(),
            "to" => f.to = v.into_owned(),
            "include_blocked" => f.include_blocked = v.into_owned(),
            "headers" => f.headers = v.into_owned(),
            _ => {}
        }
    }
    f
}

struct ClaimView {
    href: String,
    key: String,
    date: String,
    fund: String,
    status: String,
    status_code: String,
    codes: Vec<(String, String, String)>,
    amount: String,
    expected: String,
    received: String,
    outstanding: String,
    work: String,
    work_code: String,
    work_note: String,
    vkey: String,
    deadline: String,
    overdue: bool,
    late: bool,
}

/// Days a C may take to be resent, per fund: the province's submission windows (the LATE01
/// rule's parameter on the audit-rules page), 30 days where it names none.
async fn resend_windows(
    st: &AppState,
    me: &Actor,
    hcode: &str,
) -> Result<BTreeMap<String, i64>, AppError> {
    let cat = crate::audit::catalogue_for(st, me, hcode).await?;
    Ok(FUNDS
        .iter()
        .map(|f| {
            let days = cat
                .get("LATE01")
                .and_then(|r| r.window_days(f))
                .unwrap_or(30);
            (f.to_string(), days)
        })
        .collect())
}

fn claim_view(
    t: T,
    hcode: &str,
    codes: &ErrorCodes,
    windows: &BTreeMap<String, i64>,
    r: &ClaimRow,
) -> ClaimView {
    let deadline = if r.status == "corrective" && r.rep_date > 0 {
        add_days(r.rep_date, windows.get(&r.fund).copied().unwrap_or(30))
    } else {
        0
    };
    ClaimView {
        href: format!("/units/{hcode}/visits/{}", enc(&r.vkey)),
        key: visit_key(r),
        date: date(t, r.date_serv),
        fund: fund_name(t, &r.fund),
        status: status_label(t, &r.status),
        status_code: r.status.clone(),
        codes: r
            .error_codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| match codes.get(c) {
                Some(e) => (
                    c.to_string(),
                    t.pick(&e.th, &e.en).to_string(),
                    e.fix_th.clone(),
                ),
                None => (c.to_string(), String::new(), String::new()),
            })
            .collect(),
        amount: money(r.fund_amount),
        expected: money(r.expected),
        received: money(r.received),
        outstanding: money(r.outstanding()),
        work: work_label(t, &r.work),
        work_code: r.work.clone(),
        work_note: r.work_note.clone(),
        vkey: r.vkey.clone(),
        deadline: if deadline > 0 {
            date(t, deadline)
        } else {
            String::new()
        },
        overdue: deadline > 0 && deadline < today() && r.work == "to_fix",
        late: r.late,
    }
}

#[derive(Template)]
#[template(path = "cycle/batch.html")]
struct BatchPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    b: BatchView,
    files: Vec<(String, String, String)>,
    zip_sha: String,
    zip_href: String,
    rows: Vec<ClaimView>,
    more: bool,
}

pub async fn batch_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, no)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let b = st.store.get_batch(&me, &hcode, no).await?;
    let limit = 500;
    let rows = st.store.batch_visits(&me, &hcode, no, limit + 1).await?;
    let codes = codes_for(&st, &me, &hcode).await?;
    let windows = resend_windows(&st, &me, &hcode).await?;
    let files = b
        .files
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap_or_default().to_string(),
                        format_int_thai(f["records"].as_i64().unwrap_or(0)),
                        f["sha256"]
                            .as_str()
                            .unwrap_or_default()
                            .chars()
                            .take(16)
                            .collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(&BatchPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {}", t.s("cy_batch"), no),
            "claims",
        ),
        zip_href: format!("/units/{hcode}/claims/batches/{no}/zip"),
        zip_sha: b.zip_sha256.clone(),
        files,
        more: rows.len() as i64 > limit,
        rows: rows
            .iter()
            .take(limit as usize)
            .map(|r| claim_view(t, &hcode, &codes, &windows, r))
            .collect(),
        b: batch_view(t, &b),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn batch_zip(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, no)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let b = st.store.get_batch(&me, &hcode, no).await?;
    let zip = st.store.batch_zip(&me, &hcode, no).await?;
    Ok(download("application/zip", &cycle::batch_zip_name(&b), zip))
}

pub async fn batches_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    match st.store.list_batches(&me, &hcode).await {
        Ok(list) => Ok(axum::Json(serde_json::json!({ "batches": list })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

async fn codes_for(st: &AppState, me: &Actor, hcode: &str) -> Result<ErrorCodes, AppError> {
    let places = st.store.unit_places(me, hcode).await?;
    cycle::error_codes(&st.store, &places.province_code)
        .await
        .map_err(cycle_error)
}

// ---------------------------------------------------------------------------------------------
// Returns (REP / STM)
// ---------------------------------------------------------------------------------------------

struct ReturnView {
    href: String,
    no: i64,
    kind: String,
    file: String,
    detail: String,
    lines: String,
    matched: String,
    unmatched: String,
    unmatched_n: i64,
    rejects: String,
    amount: String,
    settled: String,
    at: String,
}

fn return_view(t: T, r: &raidai_store::claims::ReturnRecord) -> ReturnView {
    ReturnView {
        href: format!("/units/{}/claims/returns/{}", r.hcode, r.no),
        no: r.no,
        kind: r.kind.to_uppercase(),
        file: r.file_name.clone(),
        detail: r.detail.clone(),
        lines: format_int_thai(r.lines),
        matched: format_int_thai(r.matched),
        unmatched: format_int_thai(r.unmatched),
        unmatched_n: r.unmatched,
        rejects: format_int_thai(r.rejects),
        amount: money(r.amount),
        settled: money(r.settled),
        at: format!("{} {}", crate::view::datetime(t, r.at), r.username),
    }
}

/// What an import just did: the return, (label, figure) lines, and line rejects
/// (sheet, row, field, value, message).
type ImportResult = (ReturnView, Vec<(String, String)>, Vec<[String; 5]>);

#[derive(Template)]
#[template(path = "cycle/returns.html")]
struct ReturnsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    list: Vec<ReturnView>,
    may_act: bool,
    error: String,
    /// Result of the import just done: (summary lines, rejects (sheet, row, field, value, message)).
    result: Option<ImportResult>,
}

async fn returns_page(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    error: String,
    result: Option<ImportResult>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(me, hcode).await?;
    let list = st.store.list_returns(me, hcode).await?;
    render(&ReturnsPage {
        l: Layout::new(t, Some(me), t.s("cy_returns"), "claims"),
        list: list.iter().map(|r| return_view(t, r)).collect(),
        may_act: may_import(me, hcode),
        error,
        result,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn returns(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    returns_page(&st, t, &me, &hcode, String::new(), None).await
}

pub async fn return_upload(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    if !may_import(&me, &hcode) {
        return Err(raidai_store::StoreError::Forbidden.into());
    }
    let mut mp = Multipart::from_request(req, &st).await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("expected a file upload: {e}"),
            "ต้องแนบไฟล์",
        )])
    })?;
    let (mut name, mut bytes) = (String::new(), Vec::new());
    while let Some(f) = mp.next_field().await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("upload failed: {e}"),
            "อัปโหลดไฟล์ไม่สำเร็จ",
        )])
    })? {
        if f.name() == Some("file") {
            name = f.file_name().unwrap_or_default().to_string();
            bytes = f
                .bytes()
                .await
                .map_err(|e| {
                    AppError::BadRequest(vec![FieldError::new(
                        "file",
                        format!("upload failed: {e}"),
                        "อัปโหลดไฟล์ไม่สำเร็จ",
                    )])
                })?
                .to_vec();
        }
    }
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string();
    if bytes.is_empty() || base.is_empty() {
        return returns_page(
            &st,
            t,
            &me,
            &hcode,
            t.pick("กรุณาเลือกไฟล์", "Choose a file").into(),
            None,
        )
        .await;
    }
    let is_stm =
        base.to_ascii_uppercase().starts_with("STM") || base.to_ascii_lowercase().ends_with(".xml");
    let res = if is_stm {
        cycle::import_stm(&st.store, &me, &hcode, &base, &bytes).await
    } else {
        cycle::import_rep(&st.store, &me, &hcode, &base, &bytes).await
    };
    match res {
        Ok(out) => {
            let mut summary = Vec::new();
            if out.record.kind == "rep" {
                summary.push((
                    t.s("cy_accepted").to_string(),
                    format_int_thai(out.accepted),
                ));
                summary.push((
                    t.s("cy_corrective").to_string(),
                    format_int_thai(out.corrective),
                ));
                summary.push((t.s("cy_deny").to_string(), format_int_thai(out.denied)));
            } else {
                summary.push(("amount_diff".into(), format_int_thai(out.amount_diff)));
                summary.push(("missing_rep".into(), format_int_thai(out.missing_rep)));
                summary.push((t.s("cy_settled").to_string(), money(out.record.settled)));
            }
            let rejects = out
                .rejects
                .iter()
                .map(|r| {
                    [
                        r.sheet.clone(),
                        r.row.to_string(),
                        r.field.clone(),
                        r.value.clone(),
                        t.pick(&r.message_th, &r.message).to_string(),
                    ]
                })
                .collect();
            returns_page(
                &st,
                t,
                &me,
                &hcode,
                String::new(),
                Some((return_view(t, &out.record), summary, rejects)),
            )
            .await
        }
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(
            raidai_store::StoreError::Invalid(errs),
        ))) => {
            let msg = errs
                .iter()
                .map(|e| t.pick(&e.message_th, &e.message_en).to_string())
                .collect::<Vec<_>>()
                .join(" ");
            returns_page(&st, t, &me, &hcode, msg, None).await
        }
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(s))) => Err(s.into()),
        Err(e) => {
            tracing::info!(hcode = %hcode, error = %e, "return refused");
            let msg = if t.is_en() {
                e.to_string()
            } else {
                e.message_th().unwrap_or_else(|| e.to_string())
            };
            returns_page(&st, t, &me, &hcode, msg, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "cycle/return.html")]
struct ReturnPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    r: ReturnView,
    /// (row, visit href, visit key, match, tran_id, rep no, outcome, codes, claimed, amount)
    lines: Vec<[String; 10]>,
    more: bool,
}

pub async fn return_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, no)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let limit = 1000;
    let (rec, lines) = st.store.get_return(&me, &hcode, no, limit + 1).await?;
    render(&ReturnPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {}", rec.kind.to_uppercase(), rec.file_name),
            "claims",
        ),
        more: lines.len() as i64 > limit,
        lines: lines
            .iter()
            .take(limit as usize)
            .map(|l| {
                [
                    l.row_no.to_string(),
                    if l.vkey.is_empty() {
                        String::new()
                    } else {
                        format!("/units/{hcode}/visits/{}", enc(&l.vkey))
                    },
                    if l.an.is_empty() {
                        format!("HN {} · {}", l.hn, l.seq_no)
                    } else {
                        format!("AN {}", l.an)
                    },
                    match_label(t, &l.match_note),
                    l.tran_id.clone(),
                    l.rep_no.clone(),
                    status_label(t, &l.outcome),
                    l.error_codes.clone(),
                    money(l.claimed),
                    money(l.amount),
                ]
            })
            .collect(),
        r: return_view(t, &rec),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn returns_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    match st.store.list_returns(&me, &hcode).await {
        Ok(list) => Ok(axum::Json(serde_json::json!({ "returns": list })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

// ---------------------------------------------------------------------------------------------
// C / Deny worklist
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    page: i64,
}

fn work_filter(q: &WorkQuery, limit: i64) -> WorkFilter {
    WorkFilter {
        status: q.status.clone(),
        work: q.work.clone(),
        fund: q.fund.clone(),
        code: q.code.trim().to_string(),
        limit,
        offset: q.page.max(0) * limit,
    }
}

#[derive(Template)]
#[template(path = "cycle/worklist.html")]
struct WorklistPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    q: WorkQuery,
    rows: Vec<ClaimView>,
    count: String,
    may_act: bool,
    funds: Vec<(String, String)>,
    works: Vec<(String, String)>,
    prev: String,
    next: String,
}

pub async fn worklist(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let per = 100;
    let (rows, total) = st
        .store
        .claim_worklist(&me, &hcode, &work_filter(&q, per))
        .await?;
    let codes = codes_for(&st, &me, &hcode).await?;
    let windows = resend_windows(&st, &me, &hcode).await?;
    let base = format!(
        "/units/{hcode}/claims/worklist?status={}&work={}&fund={}&code={}",
        enc(&q.status),
        enc(&q.work),
        enc(&q.fund),
        enc(&q.code)
    );
    let page = q.page.max(0);
    render(&WorklistPage {
        l: Layout::new(t, Some(&me), t.s("cy_worklist"), "claims"),
        rows: rows
            .iter()
            .map(|r| claim_view(t, &hcode, &codes, &windows, r))
            .collect(),
        count: format_int_thai(total),
        may_act: may_import(&me, &hcode),
        funds: FUNDS
            .iter()
            .map(|f| (f.to_string(), fund_name(t, f)))
            .collect(),
        works: cycle::WORK_STATES
            .iter()
            .map(|w| (w.to_string(), work_label(t, w)))
            .collect(),
        prev: if page > 0 {
            format!("{base}&page={}", page - 1)
        } else {
            String::new()
        },
        next: if (page + 1) * per < total {
            format!("{base}&page={}", page + 1)
        } else {
            String::new()
        },
        q,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkForm {
    #[serde(default)]
    vkey: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    note: String,
}

pub async fn work_save(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
    axum::Form(f): axum::Form<WorkForm>,
) -> Result<Response, AppError> {
    // Tenancy and permission before the form is looked at.
    st.store.get_unit(&me, &hcode).await?;
    if !may_import(&me, &hcode) {
        return Err(raidai_store::StoreError::Forbidden.into());
    }
    cycle::set_work(&st.store, &me, &hcode, &f.vkey, &f.work, &f.note)
        .await
        .map_err(cycle_error)?;
    Ok(Redirect::to(&format!("/units/{hcode}/claims/worklist")).into_response())
}

pub async fn worklist_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    match st
        .store
        .claim_worklist(&me, &hcode, &work_filter(&q, 1000))
        .await
    {
        Ok((rows, total)) => Ok(axum::Json(serde_json::json!({
            "claims": total,
            "items": rows.iter().map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["outstanding"] = r.outstanding().into();
                v
            }).collect::<Vec<_>>(),
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn claim_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, visit)): Path<(String, String)>,
) -> Result<Response, AppError> {
    match st.store.claim_history(&me, &hcode, &visit).await {
        Ok((claim, lines, batches)) => Ok(axum::Json(serde_json::json!({
            "claim": claim,
            "outstanding": claim.outstanding(),
            "batches": batches,
            "returns": lines.iter().map(|(r, l)| serde_json::json!({"return": r.no, "kind": r.kind, "file": r.file_name, "line": l})).collect::<Vec<_>>(),
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

/// The claim section of the visit page: (status, codes with meaning, batches, history rows).
pub(crate) struct VisitClaim {
    pub status: String,
    pub work: String,
    pub tran_id: String,
    pub expected: String,
    pub received: String,
    pub outstanding: String,
    pub batches: String,
    /// (file, outcome, codes, amount)
    pub history: Vec<[String; 4]>,
}

pub(crate) async fn visit_claim(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    vkey: &str,
) -> Result<Option<VisitClaim>, AppError> {
    let (c, lines, batches) = st.store.claim_history(me, hcode, vkey).await?;
    if c.status.is_empty() && lines.is_empty() {
        return Ok(None);
    }
    Ok(Some(VisitClaim {
        status: status_label(t, &c.status),
        work: work_label(t, &c.work),
        tran_id: c.tran_id.clone(),
        expected: money(c.expected),
        received: money(c.received),
        outstanding: money(c.outstanding()),
        batches: batches
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        history: lines
            .iter()
            .map(|(r, l)| {
                [
                    format!("{} {}", r.kind.to_uppercase(), r.file_name),
                    status_label(t, &l.outcome),
                    l.error_codes.clone(),
                    money(l.amount),
                ]
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Aging and collection period
// ---------------------------------------------------------------------------------------------

/// Collection-period targets (days) per fund, DOMAIN §5.2.
fn collection_target(fund: &str) -> Option<i64> {
    match fund {
        "UC" | "OFC" => Some(60),
        "SSS" => Some(120),
        _ => None,
    }
}

struct AgingView {
    fund: String,
    account: String,
    cells: Vec<String>,
    total: String,
}

/// (fund, open, posted this FY, days, period, target, over target)
type CollectionRow = (String, String, String, String, String, String, bool);

async fn aging_data(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: Option<&str>,
) -> Result<(Vec<AgingView>, Vec<String>, Vec<CollectionRow>), AppError> {
    let now = today();
    let rows = st.store.aging(me, hcode, now).await?;
    let mut by: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    let mut totals = vec![0i64; AGING_BUCKETS.len() + 1];
    let mut open_by_fund: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let e = by
            .entry((r.fund.clone(), r.account.clone()))
            .or_insert_with(|| vec![0; AGING_BUCKETS.len() + 1]);
        e[r.bucket] += r.outstanding;
        e[AGING_BUCKETS.len()] += r.outstanding;
        totals[r.bucket] += r.outstanding;
        totals[AGING_BUCKETS.len()] += r.outstanding;
        *open_by_fund.entry(r.fund.clone()).or_default() += r.outstanding;
    }
    // Over the last twelve months: early in a fiscal year its own months say little.
    let start = add_days(now, -364);
    let days = days_between(start, now) + 1;
    let revenue = st.store.fund_revenue(me, hcode, start, now).await?;
    let mut rev_by_fund: BTreeMap<String, i64> = BTreeMap::new();
    for (_, f, a) in revenue {
        *rev_by_fund.entry(f).or_default() += a;
    }
    let collection = open_by_fund
        .iter()
        .map(|(f, open)| {
            let rev = rev_by_fund.get(f).copied().unwrap_or(0);
            let period = (rev > 0).then(|| *open as f64 / rev as f64 * days as f64);
            let target = collection_target(f);
            (
                fund_name(t, f),
                money(*open),
                money(rev),
                format_int_thai(days),
                period
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_else(|| "–".into()),
                target.map(|x| format!("≤ {x}")).unwrap_or_default(),
                // Compared in whole satang-days, no float at the limit.
                target.is_some_and(|x| rev > 0 && *open * days > x * rev),
            )
        })
        .collect();
    Ok((
        by.into_iter()
            .map(|((f, a), v)| AgingView {
                fund: fund_name(t, &f),
                account: a,
                total: money(v[AGING_BUCKETS.len()]),
                cells: v[..AGING_BUCKETS.len()].iter().map(|x| money(*x)).collect(),
            })
            .collect(),
        totals.iter().map(|x| money(*x)).collect(),
        collection,
    ))
}

fn bucket_labels(t: T) -> Vec<String> {
    let mut prev = 0;
    AGING_BUCKETS
        .iter()
        .map(|&b| {
            let s = if b == i64::MAX {
                format!("> {prev} {}", t.pick("วัน", "days"))
            } else {
                format!(
                    "{}–{b} {}",
                    if prev == 0 { 0 } else { prev + 1 },
                    t.pick("วัน", "days")
                )
            };
            prev = b;
            s
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cycle/aging.html")]
struct AgingPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    buckets: Vec<String>,
    rows: Vec<AgingView>,
    totals: Vec<String>,
    collection: Vec<CollectionRow>,
    today: String,
}

pub async fn aging(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let (rows, totals, collection) = aging_data(&st, t, &me, Some(&hcode)).await?;
    render(&AgingPage {
        l: Layout::new(t, Some(&me), t.s("cy_aging"), "claims"),
        buckets: bucket_labels(t),
        rows,
        totals,
        collection,
        today: date(t, today()),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn aging_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    match st.store.aging(&me, Some(&hcode), today()).await {
        Ok(rows) => Ok(axum::Json(serde_json::json!({
            "today": today(),
            "buckets_days": AGING_BUCKETS.iter().map(|b| if *b == i64::MAX { None } else { Some(*b) }).collect::<Vec<_>>(),
            "rows": rows,
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

// ---------------------------------------------------------------------------------------------
// Province roll-up
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct RollupQuery {
    #[serde(default)]
    fy: String,
}

#[derive(Template)]
#[template(path = "cycle/rollup.html")]
struct RollupPage {
    l: Layout,
    fy: i64,
    years: Vec<(i64, String)>,
    /// (unit href, unit, fund, receivable, claimed, accepted, C, denied, received, written down, outstanding, late)
    rows: Vec<[String; 12]>,
    totals: [String; 8],
    xlsx: String,
}

fn rollup_fy(q: &RollupQuery) -> i64 {
    q.fy.parse().unwrap_or_else(|_| current_fy())
}

pub async fn rollup(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let years = st.store.claims_years(&me).await?;
    // The latest year with visits when none is asked for (early in a year, the last one).
    let fy = q.fy.parse().unwrap_or_else(|_| {
        let now = current_fy();
        if years.contains(&now) {
            now
        } else {
            years.iter().copied().max().unwrap_or(now)
        }
    });
    let rows = st.store.cycle_rollup(&me, Some(fy)).await?;
    let mut tot = [0i64; 8];
    for r in &rows {
        for (i, v) in [
            r.receivable,
            r.claimed,
            r.accepted,
            r.corrective,
            r.denied,
            r.received,
            r.written_down,
            r.outstanding,
        ]
        .iter()
        .enumerate()
        {
            tot[i] += v;
        }
    }
    render(&RollupPage {
        l: Layout::new(t, Some(&me), t.s("cy_rollup"), "claims"),
        years: years.iter().map(|y| (*y, fy_label(t, *y))).collect(),
        rows: rows
            .iter()
            .map(|r| {
                [
                    format!("/units/{}/claims/aging", r.hcode),
                    format!("{} {}", r.hcode, r.unit_name),
                    fund_name(t, &r.fund),
                    money(r.receivable),
                    money(r.claimed),
                    money(r.accepted),
                    money(r.corrective),
                    money(r.denied),
                    money(r.received),
                    money(r.written_down),
                    money(r.outstanding),
                    format_int_thai(r.late),
                ]
            })
            .collect(),
        totals: tot.map(money),
        xlsx: format!("/claims/cycle.xlsx?fy={fy}"),
        fy,
    })
}

pub async fn rollup_json(
    State(st): State<AppState>,
    Me(me): Me,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let fy = q.fy.parse().ok();
    match st.store.cycle_rollup(&me, fy).await {
        Ok(rows) => Ok(axum::Json(serde_json::json!({ "rows": rows })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn rollup_xlsx(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let fy = rollup_fy(&q);
    let rows = st.store.cycle_rollup(&me, Some(fy)).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let bold = Format::new().set_bold();
        let money_fmt = Format::new().set_num_format("#,##0.00");
        let heads = [
            t.s("au_unit"),
            "",
            t.s("cl_fund"),
            "FY",
            t.s("cy_receivable"),
            t.s("cy_claimed"),
            t.s("cy_accepted"),
            t.s("cy_corrective"),
            t.s("cy_deny"),
            t.s("cy_received"),
            t.s("cy_written_down"),
            t.s("cy_outstanding"),
            t.s("cy_late"),
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &r.hcode)?;
            ws.write_string(row, 1, &r.unit_name)?;
            ws.write_string(row, 2, &r.fund)?;
            ws.write_number(row, 3, r.fy as f64)?;
            for (j, v) in [
                r.receivable,
                r.claimed,
                r.accepted,
                r.corrective,
                r.denied,
                r.received,
                r.written_down,
                r.outstanding,
            ]
            .iter()
            .enumerate()
            {
                ws.write_number_with_format(row, 4 + j as u16, *v as f64 / 100.0, &money_fmt)?;
            }
            ws.write_number(row, 12, r.late as f64)?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("claims-cycle-{fy}.xlsx"),
        bytes,
    ))
}

// ---------------------------------------------------------------------------------------------
// NHSO error codes (the province's list over the shipped one)
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cycle/codes.html")]
struct CodesPage {
    l: Layout,
    /// (code, type letter, th, en, fix)
    codes: Vec<[String; 5]>,
    loaded: String,
    may_edit: bool,
    error: String,
    saved: bool,
}

async fn province_for(st: &AppState, me: &Actor) -> Result<String, AppError> {
    Ok(match crate::audit::province_of(me) {
        p if !p.is_empty() => p,
        _ => crate::audit::installation_province(st, me).await?,
    })
}

async fn codes_render(
    st: &AppState,
    t: T,
    me: &Actor,
    error: String,
    saved: bool,
) -> Result<Response, AppError> {
    let province = province_for(st, me).await?;
    let loaded = st.store.error_code_overrides(&province).await?.len();
    let table = cycle::error_codes(&st.store, &province)
        .await
        .map_err(cycle_error)?;
    let mut codes: Vec<[String; 5]> = table
        .iter()
        .map(|c| {
            [
                c.code.clone(),
                c.kind.letter().to_string(),
                c.th.clone(),
                c.en.clone(),
                c.fix_th.clone(),
            ]
        })
        .collect();
    codes.sort();
    render(&CodesPage {
        l: Layout::new(t, Some(me), t.s("cy_codes_title"), "claims"),
        codes,
        loaded: format_int_thai(loaded as i64),
        may_edit: matches!(
            me.role,
            raidai_domain::master::Role::Admin | raidai_domain::master::Role::Province
        ),
        error,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CodesQuery {
    #[serde(default)]
    saved: String,
}

pub async fn codes_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<CodesQuery>,
) -> Result<Response, AppError> {
    codes_render(&st, t, &me, String::new(), q.saved == "1").await
}

pub async fn codes_upload(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    req: Request,
) -> Result<Response, AppError> {
    if !matches!(
        me.role,
        raidai_domain::master::Role::Admin | raidai_domain::master::Role::Province
    ) {
        return Err(raidai_store::StoreError::Forbidden.into());
    }
    let mut mp = Multipart::from_request(req, &st).await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("expected a file upload: {e}"),
            "ต้องแนบไฟล์",
        )])
    })?;
    let mut bytes = Vec::new();
    while let Ok(Some(f)) = mp.next_field().await {
        if f.name() == Some("file") {
            bytes = f.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return codes_render(
            &st,
            t,
            &me,
            t.pick(
                "ไฟล์ต้องเป็นข้อความ UTF-8 (CSV หรือ TSV)",
                "The file must be UTF-8 text (CSV or TSV)",
            )
            .into(),
            false,
        )
        .await;
    };
    let parsed = match ErrorCodes::parse_tsv_or_csv(&text) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!(
                "{} {}: {}",
                t.pick("บรรทัด", "line"),
                e.line,
                t.pick(&e.message_th, &e.message)
            );
            return codes_render(&st, t, &me, msg, false).await;
        }
    };
    let rows: Vec<[String; 5]> = parsed
        .iter()
        .map(|c| {
            [
                c.code.clone(),
                c.kind.letter().to_string(),
                c.th.clone(),
                c.en.clone(),
                c.fix_th.clone(),
            ]
        })
        .collect();
    let province = province_for(&st, &me).await?;
    st.store.save_error_codes(&me, &province, &rows).await?;
    Ok(Redirect::to("/claims/error-codes?saved=1").into_response())
}
