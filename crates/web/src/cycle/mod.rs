//! Claim-cycle screens: claim batches (build, list, download), REP/STM upload and the lines
//! each return matched or not, the C / Deny worklist with error meanings and follow-up, aging
//! of open receivables with the collection period per fund, and the province roll-up. The
//! cycle's rules live in `raidai_claims::cycle` and `raidai_domain::settlement`.

use crate::auth::{Ctx, Me, require_unit};
use crate::claims::{current_fy, date, download, enc, fund_name, fy_label, money};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::view::Layout;
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Query, Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_claims::cycle::{self, CycleError};
use raidai_domain::ids::Hcode;
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
    (
        "cy_awaiting",
        "ผ่านแล้ว รอ Statement",
        "Accepted, awaiting statement",
    ),
    ("cy_blocked", "มีข้อผิดพลาด", "With blocking findings"),
    ("cy_sent", "ส่งแล้ว", "Sent"),
    ("cy_status", "สถานะการเบิก", "Claim status"),
    ("cy_returns", "REP / Statement", "REP / Statement"),
    (
        "cy_upload_help",
        "นำเข้าไฟล์ REP (eclaim_…xls) หรือ Statement (STM_…xls หรือ XML ของ สกส.) ระบบจับคู่กับรายการด้วย TRAN_ID หรือ HN + SEQ / AN และยืนยันด้วยเลขประชาชนและวันที่ รายการที่จับคู่ไม่ได้จะแสดงไว้ ไม่ถูกทิ้ง Statement จะตัดลูกหนี้ด้วยรายการบัญชีที่สมดุล เลือกได้หลายไฟล์พร้อมกัน: ระบบนำเข้า REP ก่อน แล้วจึง Statement ทีละไฟล์ ไฟล์ที่ผิดจะไม่กระทบไฟล์อื่น",
        "Import a REP (eclaim_…xls) or Statement (STM_…xls, or a CHI XML). Lines match by TRAN_ID or HN + SEQ / AN, confirmed by citizen ID and date; unmatched lines are listed, never dropped. A statement settles the receivables with balanced entries. Several files may be chosen at once: the REPs are imported first, then the statements, each file on its own; a refused file does not affect the others",
    ),
    ("cy_file", "ไฟล์", "File"),
    ("cy_amount_diff", "ยอดจ่ายไม่ตรง REP", "Paid differs from REP"),
    ("cy_missing_rep", "ไม่พบ REP", "No REP"),
    ("cy_files_done", "นำเข้าแล้ว", "Imported"),
    ("cy_files_refused", "ไม่ได้นำเข้า", "Not imported"),
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
    if r.visit.setting == "IP" {
        format!("AN {}", r.visit.an)
    } else {
        format!("HN {} · {}", r.visit.hn, r.visit.seq)
    }
}

const FUNDS: [&str; 6] = ["UC", "OFC", "LGO", "BKK", "SSS", "STP"];

mod aging;
mod batches;
mod codes;
mod returns;
mod rollup;
mod worklist;

use aging::*;
use batches::*;
use codes::*;
use returns::*;
use rollup::*;
use worklist::*;
pub(crate) use worklist::{VisitClaim, visit_claim};

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
    unit_code: Hcode,
) -> Result<BTreeMap<String, i64>, AppError> {
    let cat = crate::audit::catalogue_for(st, me, unit_code).await?;
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
    unit_code: Hcode,
    codes: &ErrorCodes,
    windows: &BTreeMap<String, i64>,
    r: &ClaimRow,
) -> ClaimView {
    let hcode = unit_code.as_str();
    let deadline = if r.rep.status == "corrective" && r.rep.rep_date > 0 {
        add_days(r.rep.rep_date, windows.get(&r.fund).copied().unwrap_or(30))
    } else {
        0
    };
    ClaimView {
        href: format!("/units/{hcode}/visits/{}", enc(&r.visit.vkey)),
        key: visit_key(r),
        date: date(t, r.visit.date_serv),
        fund: fund_name(t, &r.fund),
        status: status_label(t, &r.rep.status),
        status_code: r.rep.status.clone(),
        codes: r
            .rep
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
        expected: money(r.rep.expected),
        received: money(r.received),
        outstanding: money(r.outstanding()),
        work: work_label(t, &r.work),
        work_code: r.work.clone(),
        work_note: r.work_note.clone(),
        vkey: r.visit.vkey.clone(),
        deadline: if deadline > 0 {
            date(t, deadline)
        } else {
            String::new()
        },
        overdue: deadline > 0 && deadline < today() && r.work == "to_fix",
        late: r.rep.late,
    }
}

async fn codes_for(st: &AppState, me: &Actor, unit_code: Hcode) -> Result<ErrorCodes, AppError> {
    let places = st.store.unit_places(me, unit_code).await?;
    cycle::error_codes(&st.store, &places.province_code)
        .await
        .map_err(cycle_error)
}
