//! 16-file import, visits, receivables and province roll-ups.
//!
//! Handlers parse, call the store (tenancy is enforced there) or the import pipeline
//! (`raidai-claims`), and render. CIDs are always masked; names are masked in lists (PDPA).

mod imports;
mod posting_map;
mod receivables;
mod rollup;
mod visits;

pub use imports::*;
pub use posting_map::*;
pub use receivables::*;
pub use rollup::*;
pub use visits::*;

use crate::auth::{Ctx, Me};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::read_cache::scope_key;
use crate::view::{Layout, datetime};
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use raidai_claims::{mask_cid, mask_name};
use raidai_domain::calendar::{FiscalYear, format_be_short, format_en_short};
use raidai_domain::master::Role;
use raidai_domain::money::{Satang, format_int_thai};
use raidai_domain::rights::Fund;
use raidai_domain::text::csv_cell_bytes;
use raidai_store::Actor;
use raidai_store::claims::{
    DateBasis, IN_HOSPITAL, ImportRecord, NO_MAPPING, REFUSED_LINE, RejectRow, RollupRow,
    VisitQuery, VisitSummary,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Labels of these pages: (key, Thai, English), merged into the i18n table.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("cl_nav", "ลูกหนี้ค่ารักษา", "Claims & receivables"),
    ("cl_imports", "นำเข้า 16 แฟ้ม", "16-file imports"),
    ("cl_upload", "นำเข้าข้อมูล 16 แฟ้ม", "Import the 16 files"),
    (
        "cl_upload_help",
        "เลือกไฟล์ zip หรือเลือกแฟ้มทั้งหมด (INS, PAT, OPD, …) จากโปรแกรม HIS ระบบตรวจสอบทุกบรรทัด นำเข้าเฉพาะรายการที่ถูกต้อง และตั้งลูกหนี้ตามผังบัญชี สป. นำเข้าซ้ำได้โดยข้อมูลไม่ซ้ำ",
        "Choose the zip or all the files (INS, PAT, OPD, …) your HIS exported. Every line is checked; valid visits are imported and posted on the MoPH chart of accounts. Importing the same files again changes nothing.",
    ),
    ("cl_files", "ไฟล์", "Files"),
    (
        "cl_strict",
        "เข้มงวด: ไม่นำเข้าเลยหากมีรายการผิด",
        "Strict: import nothing if anything is rejected",
    ),
    ("cl_history", "ประวัติการนำเข้า", "Import history"),
    (
        "cl_coverage",
        "รายการที่ยังไม่ตั้งลูกหนี้ (ตรวจผังการตั้งลูกหนี้)",
        "Unposted visits (posting-map coverage)",
    ),
    (
        "cl_coverage_help",
        "รายการรับบริการที่ยังไม่ได้ตั้งลูกหนี้ แยกตามปีงบประมาณ กองทุน OP/IP ที่ตั้งสิทธิ และกรณี พร้อมจำนวนเงิน ถ้าผังการตั้งลูกหนี้ยังไม่มีบรรทัดสำหรับกลุ่มใด ให้ สสจ. เพิ่มบรรทัดในผัง",
        "Visits not posted, by fiscal year, fund, OP/IP, place and case, with amounts. Where the posting map has no line for a group, the provincial office adds one to the map",
    ),
    ("cl_fund_amount", "ยอดเรียกเก็บกองทุน", "Fund amount"),
    ("cl_reversed", "กลับรายการเดิม", "Reversed"),
    ("cl_net_change", "ลูกหนี้เปลี่ยนสุทธิ", "Net change of receivables"),
    ("cl_map_line_now", "บรรทัดในผังขณะนี้", "Map line now"),
    ("cl_no_line", "ไม่มี: ต้องเพิ่มในผัง", "none: add it to the map"),
    (
        "cl_fix_right",
        "แก้รหัสสิทธิ (INSCL) ในแฟ้ม INS แล้วนำเข้าใหม่ (RIGHT01)",
        "fix the right (INSCL) in INS and import again (RIGHT01)",
    ),
    (
        "cl_everything_posted",
        "ทุกรายการตั้งลูกหนี้แล้ว",
        "Every visit is posted",
    ),
    ("cl_when", "เมื่อ", "When"),
    ("cl_who", "ผู้นำเข้า", "By"),
    ("cl_source", "แหล่งข้อมูล", "Source"),
    ("cl_read", "อ่านได้", "Read"),
    ("cl_new", "ใหม่", "New"),
    ("cl_updated", "แก้ไข", "Updated"),
    ("cl_unchanged", "ไม่เปลี่ยน", "Unchanged"),
    ("cl_rejected", "รับบริการที่ถูกปฏิเสธ", "Visits rejected"),
    ("cl_rejects", "รายการที่ไม่ผ่านการตรวจสอบ", "Rejects"),
    ("cl_unposted", "ยังไม่ตั้งลูกหนี้", "Unposted"),
    ("cl_posted", "ตั้งลูกหนี้แล้ว", "Posted"),
    ("cl_status", "สถานะ", "Status"),
    ("cl_st_imported", "นำเข้าแล้ว", "Imported"),
    (
        "cl_st_rejected",
        "ไม่นำเข้า (โหมดเข้มงวด)",
        "Nothing imported (strict)",
    ),
    ("cl_import", "การนำเข้า", "Import"),
    ("cl_kind", "แฟ้ม", "File type"),
    ("cl_bytes", "ขนาด (ไบต์)", "Bytes"),
    ("cl_records", "จำนวนบรรทัด", "Records"),
    ("cl_encoding", "รหัสอักขระ", "Encoding"),
    ("cl_layout", "รุ่นหัวคอลัมน์", "Header generation"),
    ("cl_line", "บรรทัด", "Line"),
    ("cl_field", "ฟิลด์", "Field"),
    ("cl_value", "ค่า", "Value"),
    ("cl_code", "รหัส", "Code"),
    ("cl_reason", "เหตุผล", "Reason"),
    ("cl_download_csv", "ดาวน์โหลด CSV", "Download CSV"),
    ("cl_download_xlsx", "ดาวน์โหลด XLSX", "Download XLSX"),
    ("cl_visits", "รายการรับบริการ", "Visits"),
    ("cl_visit", "การรับบริการ", "Visit"),
    ("cl_from", "ตั้งแต่วันที่", "From"),
    ("cl_to", "ถึงวันที่", "To"),
    ("cl_in_hospital", "ยังไม่จำหน่าย", "still in hospital"),
    (
        "cl_fund_unknown",
        "ไม่ทราบกองทุน (สิทธิไม่อยู่ในรหัสมาตรฐาน)",
        "unknown (right not in the code table)",
    ),
    (
        "cl_refused_line",
        "รอแฟ้มที่แก้แล้ว: บรรทัดค่ารักษา/อุบัติเหตุ/ส่งต่อ/วินิจฉัยถูกปฏิเสธ",
        "waiting for corrected files: a charge, accident, refer or diagnosis line was refused",
    ),
    ("cl_post_date", "วันที่ลงบัญชี", "Posting date"),
    ("cl_serv_date", "วันที่รับบริการ", "Service date"),
    ("cl_posted_at", "บันทึกเมื่อ", "Recorded at"),
    (
        "cl_recon",
        "กระทบยอดค่ารักษา (CHT)",
        "Reconciliation of the bills (CHT)",
    ),
    ("cl_rc_total", "ค่ารักษารวม (CHT)", "CHT total"),
    ("cl_rc_fund", "ลูกหนี้กองทุน", "Fund receivable"),
    ("cl_rc_patient", "ลูกหนี้ผู้ป่วย", "Patient receivable"),
    ("cl_rc_paid", "ชำระแล้วที่จุดบริการ", "Paid at the counter"),
    (
        "cl_rc_unposted",
        "ยังไม่ตั้งลูกหนี้ (ไม่มีผัง หรือรอแฟ้มที่แก้)",
        "Unposted (no map line, or waiting for corrected files)",
    ),
    (
        "cl_rc_in_hospital",
        "ผู้ป่วยในยังไม่จำหน่าย",
        "In hospital (not discharged)",
    ),
    ("cl_rc_overpaid", "ชำระเกินค่ารักษา", "Paid above the bill"),
    ("cl_rc_ok", "ยอดรวมตรงกัน", "The parts add up"),
    ("cl_rc_diff", "ยอดไม่ตรงกัน", "The parts do not add up"),
    (
        "cl_kind_repost",
        "ลงบัญชีตามผังใหม่",
        "Re-post with the fixed map",
    ),
    ("cl_basis", "นับตาม", "By"),
    (
        "cl_basis_posting",
        "วันที่ลงบัญชี (งบการเงิน)",
        "Posting date (accounting)",
    ),
    (
        "cl_basis_service",
        "วันที่รับบริการ (สถิติบริการ)",
        "Service date (service statistics)",
    ),
    (
        "cl_basis_posting_help",
        "ยอดตามวันที่ลงบัญชี: ผู้ป่วยในรับรู้ ณ วันจำหน่าย และรายการที่แก้ไขหลังปิดงวดลงในงวดที่เปิดถัดไป",
        "Balances by posting date: admissions are recognised at discharge, and corrections after a closed month post in the next open month",
    ),
    (
        "cl_basis_service_help",
        "ยอดตามวันที่รับบริการ (วันที่มารับบริการ/วันที่รับไว้) ใช้เป็นสถิติบริการ ไม่ใช่ยอดในงบการเงินของงวด",
        "Balances by date of service (visit or admission date): service statistics, not the books of the period",
    ),
    ("cl_fund", "กองทุน", "Fund"),
    ("cl_right", "สิทธิ", "Right"),
    ("cl_setting", "ประเภท", "OP/IP"),
    ("cl_account", "บัญชี", "Account"),
    ("cl_posting", "การตั้งลูกหนี้", "Posting"),
    ("cl_date", "วันที่รับบริการ", "Date of service"),
    ("cl_patient", "ผู้ป่วย", "Patient"),
    ("cl_cid", "เลขประจำตัวประชาชน", "Citizen ID"),
    ("cl_total", "ค่ารักษาทั้งหมด", "Total charge"),
    ("cl_paid", "ชำระแล้ว", "Paid"),
    ("cl_claimable", "เบิกได้", "Claimable"),
    ("cl_fund_part", "ลูกหนี้กองทุน", "Fund part"),
    ("cl_patient_part", "ลูกหนี้ผู้ป่วย", "Patient part"),
    ("cl_place", "ที่ตั้งสิทธิ", "Place"),
    ("cl_case", "กรณี", "Case"),
    ("cl_hospmain", "หน่วยบริการหลัก", "Main unit"),
    ("cl_permit", "รหัส Authen/อนุมัติ", "Authen/permit code"),
    (
        "cl_dropped",
        "บรรทัดที่ถูกปฏิเสธ (ไม่ได้นำเข้า)",
        "Lines refused at import",
    ),
    (
        "cl_blanked",
        "บรรทัดที่มีช่องอ่านไม่ได้ (นำเข้าเป็นค่าว่าง)",
        "Lines with a field read as blank",
    ),
    ("cl_diagnoses", "การวินิจฉัย", "Diagnoses"),
    ("cl_procedures", "หัตถการ", "Procedures"),
    ("cl_charges", "ค่ารักษาตามหมวด", "Charges by category"),
    ("cl_drugs", "ยา", "Drugs"),
    ("cl_items", "รายการเพิ่มเติม (ADP)", "Additional items (ADP)"),
    ("cl_journal", "รายการบัญชี", "Journal"),
    ("cl_debit", "เดบิต", "Debit"),
    ("cl_credit", "เครดิต", "Credit"),
    ("cl_balance", "คงเหลือ", "Balance"),
    ("cl_reverse", "กลับรายการ", "Reversal"),
    ("cl_post", "ตั้งลูกหนี้", "Posting"),
    ("cl_receivables", "ลูกหนี้ตามผังบัญชี", "Receivables"),
    ("cl_by_account", "แยกตามบัญชี", "By account"),
    ("cl_by_fund", "แยกตามกองทุน", "By fund"),
    ("cl_visits_n", "จำนวนครั้ง", "Visits"),
    ("cl_rollup", "รายได้ค่ารักษาระดับจังหวัด", "Province roll-up"),
    ("cl_by_unit", "แยกตามหน่วยบริการ", "By unit"),
    ("cl_by_district", "แยกตามอำเภอ", "By district"),
    ("cl_fy", "ปีงบประมาณ", "Fiscal year"),
    ("cl_sum", "รวม", "Total"),
    ("cl_export_xlsx", "ส่งออก XLSX", "Export XLSX"),
    ("cl_prev", "ก่อนหน้า", "Previous"),
    ("cl_first", "หน้าแรก", "First page"),
    ("cl_rows_shown", "แสดงรายการที่", "Rows"),
    ("cl_entries_n", "รายการบันทึก (สุทธิ)", "Entries (net)"),
    ("cl_next", "ถัดไป", "Next"),
    ("cl_all_posted", "ทั้งหมด", "All"),
    (
        "cl_no_mapping",
        "ไม่มีบรรทัดในผังการตั้งลูกหนี้",
        "No posting-map line",
    ),
    ("cl_choose_files", "กรุณาเลือกไฟล์", "Choose the files"),
    ("cl_sha256", "SHA-256", "SHA-256"),
    (
        "cl_masked",
        "ปกปิดเลขประจำตัวและชื่อตาม PDPA",
        "IDs and names masked (PDPA)",
    ),
    ("cl_posting_map", "ผังการตั้งลูกหนี้", "Posting map"),
    (
        "cl_posting_map_help",
        "กำหนดว่าการรับบริการแต่ละแบบ (กองทุน OP/IP ที่ตั้งสิทธิ กรณี) ตั้งลูกหนี้และรายได้บัญชีใด แยกตามปีงบประมาณ (0 = ใช้กับทุกปีที่ไม่มีฉบับของตน) ใช้กับการนำเข้าครั้งต่อไป",
        "Which receivable and revenue accounts each kind of visit (fund, OP/IP, place, case) is posted to, per fiscal year (0 = every year without its own version). Applies to the next imports.",
    ),
    ("cl_province", "จังหวัด", "Province"),
    ("cl_receivable", "บัญชีลูกหนี้", "Receivable"),
    ("cl_revenue", "บัญชีรายได้", "Revenue"),
    ("cl_evidence", "หลักฐาน", "Evidence"),
    ("cl_tsv", "ผัง (คั่นด้วย Tab)", "Map (tab-separated)"),
    ("cl_save", "บันทึก", "Save"),
    ("cl_saved_n", "บันทึกแล้ว จำนวนบรรทัด", "Saved, rules:"),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(M::GET, "/units/{hcode}/claims", SignedIn, get(imports_page)),
        r(
            M::POST,
            "/units/{hcode}/claims/import",
            SignedIn,
            post(crate::import_jobs::upload),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/jobs/{job_id}",
            SignedIn,
            get(crate::import_jobs::job_page),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/jobs/{job_id}",
            SignedIn,
            get(crate::import_jobs::job_json),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/imports/{import_id}",
            SignedIn,
            get(import_detail),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/imports/{import_id}/rejects.csv",
            SignedIn,
            get(rejects_csv),
        ),
        r(
            M::GET,
            "/units/{hcode}/claims/imports/{import_id}/rejects.xlsx",
            SignedIn,
            get(rejects_xlsx),
        ),
        r(M::GET, "/units/{hcode}/visits", SignedIn, get(visits)),
        r(
            M::GET,
            "/units/{hcode}/claims/unposted",
            SignedIn,
            get(unposted_page),
        ),
        r(
            M::GET,
            "/api/v1/units/{hcode}/claims/unposted",
            SignedIn,
            get(unposted_json),
        ),
        r(
            M::GET,
            "/units/{hcode}/visits/{visit}",
            SignedIn,
            get(visit_detail),
        ),
        r(
            M::GET,
            "/units/{hcode}/receivables",
            SignedIn,
            get(receivables),
        ),
        r(M::GET, "/claims/rollup", SignedIn, get(rollup)),
        r(M::GET, "/claims/rollup.xlsx", SignedIn, get(rollup_xlsx)),
        r(
            M::GET,
            "/claims/posting-map",
            SignedIn,
            get(posting_map_page),
        ),
        r(
            M::POST,
            "/claims/posting-map",
            SignedIn,
            post(posting_map_save),
        ),
    ]
}

pub(crate) fn money(x: i64) -> String {
    Satang(x).format_thai()
}

fn ymd_date(x: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        (x / 10_000) as i32,
        ((x / 100) % 100) as u32,
        (x % 100) as u32,
    )
}

pub(crate) fn date(t: T, x: i64) -> String {
    match ymd_date(x) {
        Some(d) if t.is_en() => format_en_short(d),
        Some(d) => format_be_short(d),
        None => String::new(),
    }
}

pub(crate) fn fund_name(t: T, code: &str) -> String {
    match Fund::parse(code) {
        Some(f) => t.pick(f.name_th(), f.name_en()).to_string(),
        // A visit whose right no table knows has no fund (RIGHT01).
        None if code.is_empty() => t.s("cl_fund_unknown").to_string(),
        None => code.to_string(),
    }
}

fn account_name(code: &str) -> String {
    raidai_domain::accounts::account(code)
        .map(|a| a.name_th.clone())
        .unwrap_or_default()
}

pub(crate) fn current_fy() -> i64 {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
        .date_naive();
    i64::from(FiscalYear::of(today).be())
}

pub(crate) fn fy_label(t: T, fy: i64) -> String {
    let f = FiscalYear::new(fy as u16);
    if t.is_en() {
        f.label_en()
    } else {
        f.label_th()
    }
}

/// Minimal percent-encoding for a path segment or query value.
pub(crate) fn enc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_dates_accept_be_and_ce_and_show_be() {
        assert_eq!(parse_day("31/01/2569"), Some(20260131));
        assert_eq!(parse_day("31/01/2026"), Some(20260131));
        assert_eq!(parse_day("2026-01-31"), Some(20260131));
        assert_eq!(parse_day("25690131"), Some(20260131));
        assert_eq!(parse_day("31/02/2569"), None);
        assert_eq!(parse_day(""), None);
        assert_eq!(ymd_be(20260131), "31/01/2569");
        assert_eq!(parse_day(&ymd_be(20251001)), Some(20251001));
    }
}
