//! 16-file import, visits, receivables and province roll-ups.
//!
//! Handlers parse, call the store (tenancy is enforced there) or the import pipeline
//! (`raidai-claims`), and render. CIDs are always masked; names are masked in lists (PDPA).

use crate::auth::{Me, Tr};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::read_cache::scope_key;
use crate::view::{Layout, datetime};
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::{Path, Query, State};
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
    DateBasis, IN_HOSPITAL, ImportRecord, NO_MAPPING, RejectRow, RollupRow, VisitQuery,
    VisitSummary,
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
    ("cl_rejected", "ถูกปฏิเสธ", "Rejected"),
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
        "ยังไม่ตั้งลูกหนี้ (ไม่มีผัง)",
        "Unposted (no map line)",
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
        None => code.to_string(),
    }
}

fn account_name(code: &str) -> String {
    raidai_domain::accounts::account(code)
        .map(|a| a.name_th.clone())
        .unwrap_or_default()
}

/// Whether the caller may import for (and act on the claims of) a unit: the store's own rule.
pub(crate) fn may_import(me: &Actor, hcode: &str) -> bool {
    raidai_store::claims::can_import(me, hcode)
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

// ---------------------------------------------------------------------------------------------
// Imports.

struct ImportView {
    id: String,
    when: String,
    who: String,
    source: String,
    files: usize,
    read: String,
    inserted: String,
    updated: String,
    unchanged: String,
    rejected: String,
    rejects: String,
    unposted: String,
    posted: String,
    /// Earlier postings reversed (corrected visits) and the net change of the receivables.
    reversed: String,
    net: String,
    ok: bool,
    repost: bool,
    /// (label, amount) of the reconciliation: CHT total and where it went; `recon_ok` when
    /// the parts add up to the total.
    recon: Vec<(&'static str, String)>,
    recon_total: String,
    recon_ok: bool,
}

fn import_view(t: T, r: &ImportRecord) -> ImportView {
    ImportView {
        id: r.id.clone(),
        when: datetime(t, r.at),
        who: r.username.clone(),
        source: r.source_name.clone(),
        files: r.files.len(),
        read: format_int_thai(r.totals.visits_read + r.totals.admissions_read),
        inserted: format_int_thai(r.counts.inserted),
        updated: format_int_thai(r.counts.updated),
        unchanged: format_int_thai(r.counts.unchanged),
        rejected: format_int_thai(r.totals.rejected_encounters),
        rejects: format_int_thai(r.totals.rejects),
        unposted: format_int_thai(r.counts.unposted),
        posted: money(r.counts.posted_amount),
        reversed: money(r.counts.reversed_amount),
        net: {
            let n = r.counts.posted_amount - r.counts.reversed_amount;
            format!("{}{}", if n > 0 { "+" } else { "" }, money(n))
        },
        ok: r.status == "imported",
        repost: r.kind == "repost",
        recon: {
            let c = &r.recon;
            let mut v = vec![
                (t.s("cl_rc_fund"), money(c.fund_posted)),
                (t.s("cl_rc_patient"), money(c.patient_posted)),
                (t.s("cl_rc_paid"), money(c.paid)),
                (t.s("cl_rc_unposted"), money(c.unposted)),
                (t.s("cl_rc_in_hospital"), money(c.in_hospital)),
            ];
            if c.overpaid != 0 {
                v.push((t.s("cl_rc_overpaid"), money(-c.overpaid)));
            }
            v
        },
        recon_total: money(r.recon.cht_total),
        recon_ok: r.recon.parts() == r.recon.cht_total,
    }
}

#[derive(Template)]
#[template(path = "claims/imports.html")]
struct ImportsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    can_import: bool,
    error: String,
    rows: Vec<ImportView>,
    jobs: Vec<crate::import_jobs::JobView>,
    /// The upload limit, in bytes and as shown.
    max_bytes: u64,
    max_mb: String,
}

struct CoverageView {
    fy: String,
    fund: String,
    setting: String,
    place: String,
    case: String,
    visits: String,
    amount: String,
    line_now: String,
    missing: bool,
}

#[derive(Template)]
#[template(path = "claims/unposted.html")]
struct UnpostedPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    rows: Vec<CoverageView>,
    total: String,
    /// Some group waits only for the re-post (the map has a line now).
    waiting: bool,
    may_repost: bool,
    in_hospital_n: String,
    in_hospital_amount: String,
    has_in_hospital: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct UnpostedQuery {
    #[serde(default)]
    repost: String,
}

/// The map coverage worklist of a unit: unposted visits by posting-map key, with amounts.
pub async fn unposted_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(q): Query<UnpostedQuery>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let rows = raidai_claims::coverage(&st.store, &me, &hcode).await?;
    let total: i64 = rows.iter().map(|r| r.group.fund_amount).sum();
    let in_hospital: Vec<_> = st
        .store
        .unposted_groups(&me, &hcode)
        .await?
        .into_iter()
        .filter(|g| g.reason == IN_HOSPITAL)
        .collect();
    let flash = if q.repost == "none" {
        t.s("pe_repost_none")
    } else {
        ""
    };
    render(&UnpostedPage {
        l: Layout::new(t, Some(&me), t.s("cl_coverage"), "claims").with_flash(flash),
        waiting: rows.iter().any(|r| r.receivable_now.is_some()),
        may_repost: may_import(&me, &hcode),
        has_in_hospital: !in_hospital.is_empty(),
        in_hospital_n: format_int_thai(in_hospital.iter().map(|g| g.visits).sum()),
        in_hospital_amount: money(
            in_hospital
                .iter()
                .map(|g| g.fund_amount + g.patient_amount)
                .sum(),
        ),
        hcode: unit.hcode,
        unit_name: unit.name_th,
        total: money(total),
        rows: rows
            .iter()
            .map(|r| CoverageView {
                fy: r.group.fy.to_string(),
                fund: fund_name(t, &r.group.fund),
                setting: r.group.setting.clone(),
                place: r.group.place.clone(),
                case: r.group.case.clone(),
                visits: format_int_thai(r.group.visits),
                amount: money(r.group.fund_amount),
                line_now: r
                    .receivable_now
                    .clone()
                    .unwrap_or_else(|| t.s("cl_no_line").to_string()),
                missing: r.receivable_now.is_none(),
            })
            .collect(),
    })
}

/// API twin of the coverage worklist.
pub async fn unposted_json(
    State(st): State<AppState>,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    match raidai_claims::coverage(&st.store, &me, &hcode).await {
        Ok(rows) => Ok(axum::Json(rows).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn imports_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let rows = st.store.list_imports(&me, &hcode, 100).await?;
    let jobs = st.store.list_open_import_jobs(&me, &hcode, 20).await?;
    render(&ImportsPage {
        l: Layout::new(t, Some(&me), t.s("cl_imports"), "claims"),
        can_import: may_import(&me, &hcode),
        hcode: unit.hcode,
        unit_name: unit.name_th,
        error: String::new(),
        rows: rows.iter().map(|r| import_view(t, r)).collect(),
        jobs: jobs
            .into_iter()
            .map(|j| crate::import_jobs::job_view(t, &st.uploads.with_live(j)))
            .collect(),
        max_bytes: st.uploads.max_bytes,
        max_mb: crate::import_jobs::size_mb(st.uploads.max_bytes),
    })
}

struct FileView {
    name: String,
    kind: String,
    bytes: String,
    records: String,
    encoding: String,
    layout: String,
    sha256: String,
}

struct RejectView {
    file: String,
    line: i64,
    field: String,
    value: String,
    code: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "claims/import.html")]
struct ImportDetailPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    imp: ImportView,
    files: Vec<FileView>,
    rejects: Vec<RejectView>,
    more_rejects: String,
}

pub async fn import_detail(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, import_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let rec = st.store.get_import(&me, &hcode, &import_id).await?;
    let shown = 500;
    let rejects = st
        .store
        .first_rejects(&me, &hcode, &import_id, shown as i64)
        .await?;
    let all_rejects = rec.totals.rejects.max(rejects.len() as i64);
    render(&ImportDetailPage {
        l: Layout::new(t, Some(&me), t.s("cl_import"), "claims"),
        hcode: rec.hcode.clone(),
        unit_name: rec.unit_name.clone(),
        imp: import_view(t, &rec),
        files: rec
            .files
            .iter()
            .map(|f| FileView {
                name: f.name.clone(),
                kind: f.kind.clone(),
                bytes: format_int_thai(f.bytes as i64),
                records: format_int_thai(f.records as i64),
                encoding: f.encoding.clone(),
                layout: f.layout.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
        more_rejects: if all_rejects > shown as i64 {
            format_int_thai(all_rejects - shown as i64)
        } else {
            String::new()
        },
        rejects: rejects
            .iter()
            .take(shown)
            .map(|r| RejectView {
                file: r.file.clone(),
                line: r.line,
                field: r.field.clone(),
                value: r.value.clone(),
                code: r.code.clone(),
                reason: t.pick(&r.reason_th, &r.reason_en).to_string(),
            })
            .collect(),
    })
}

const REJECT_HEADER: [&str; 10] = [
    "file",
    "line",
    "field",
    "value",
    "code",
    "reason_th",
    "reason_en",
    "hn",
    "seq",
    "an",
];

fn reject_fields(r: &RejectRow) -> [String; 10] {
    [
        r.file.clone(),
        r.line.to_string(),
        r.field.clone(),
        r.value.clone(),
        r.code.clone(),
        r.reason_th.clone(),
        r.reason_en.clone(),
        r.hn.clone(),
        r.seq.clone(),
        r.an.clone(),
    ]
}

pub(crate) fn download(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn rejects_csv(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, import_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let rows = st.store.list_rejects(&me, &hcode, &import_id).await?;
    // UTF-8 with BOM so Excel shows Thai correctly.
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record(REJECT_HEADER).map_err(err)?;
    for r in &rows {
        w.write_record(
            reject_fields(r)
                .iter()
                .map(|c| csv_cell_bytes(c.as_bytes())),
        )
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("rejects-{hcode}-{import_id}.csv"),
        bytes,
    ))
}

pub async fn rejects_xlsx(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, import_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let rows = st.store.list_rejects(&me, &hcode, &import_id).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name("rejects")?;
        for (c, h) in REJECT_HEADER.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, v) in reject_fields(r).iter().enumerate() {
                if c == 1 {
                    ws.write_number(row, 1, r.line as f64)?;
                } else {
                    ws.write_string(row, c as u16, v)?;
                }
            }
        }
        ws.set_column_width(5, 40)?;
        ws.set_column_width(6, 40)?;
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("rejects-{hcode}-{import_id}.xlsx"),
        bytes,
    ))
}

// ---------------------------------------------------------------------------------------------
// Visits.

#[derive(Debug, Default, Deserialize)]
pub struct VisitFilter {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    posted: String,
    /// `no_mapping` or `in_hospital`.
    #[serde(default)]
    reason: String,
    #[serde(default)]
    import: String,
    /// Pages shown before this one (for the row numbers).
    #[serde(default)]
    page: i64,
    /// Keyset cursor `yyyymmdd.vkey` of the last row of the previous page.
    #[serde(default)]
    after: String,
}

/// `yyyy-mm-dd` (CE, from a date input) or `yyyymmdd` → `yyyymmdd`.
/// A filter date as officers type it: `31/01/2569` (BE), `31/01/2026`, `2026-01-31` or `25690131`.
fn parse_day(s: &str) -> Option<i64> {
    let d = raidai_domain::calendar::parse_date(s).ok()?;
    d.format("%Y%m%d").to_string().parse().ok()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

struct VisitView {
    href: String,
    date: String,
    setting: String,
    hn: String,
    key: String,
    cid: String,
    name: String,
    inscl: String,
    fund: String,
    pdx: String,
    total: String,
    fund_part: String,
    patient_part: String,
    receivable: String,
    posted: bool,
}

#[derive(Template)]
#[template(path = "claims/visits.html")]
struct VisitsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    f: VisitFilter,
    funds: Vec<(String, String)>,
    count: String,
    rows: Vec<VisitView>,
    prev: String,
    next: String,
}

fn visit_view(t: T, hcode: &str, v: &VisitSummary) -> VisitView {
    VisitView {
        href: format!("/units/{}/visits/{}", hcode, enc(&v.vkey)),
        date: date(t, v.date_serv),
        setting: v.setting.clone(),
        hn: v.hn.clone(),
        key: if v.setting == "IP" {
            v.an.clone()
        } else {
            v.seq.clone()
        },
        cid: mask_cid(&v.cid),
        name: mask_name(&v.patient_name),
        inscl: v.inscl.clone(),
        fund: v.fund.clone(),
        pdx: v.pdx.clone(),
        total: money(v.total),
        fund_part: money(v.fund_amount),
        patient_part: money(v.patient_amount),
        receivable: v.receivable.clone(),
        posted: v.posted,
    }
}

pub async fn visits(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(f): Query<VisitFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let per_page = 100;
    let page = f.page.max(0);
    let q = VisitQuery {
        hcode: hcode.clone(),
        from: parse_day(&f.from),
        to: parse_day(&f.to),
        fund: opt(&f.fund),
        inscl: None,
        setting: opt(&f.setting).filter(|s| s == "OP" || s == "IP"),
        account: opt(&f.account),
        posted: match f.posted.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        unposted_reason: opt(&f.reason).filter(|r| r == NO_MAPPING || r == IN_HOSPITAL),
        import_id: opt(&f.import),
        limit: per_page,
        offset: 0,
        after: f
            .after
            .split_once('.')
            .and_then(|(d, k)| Some((d.parse::<i64>().ok()?, k.to_string()))),
    };
    let (list, next) = st.store.page_visits(&me, &q).await?;
    let base = format!(
        "/units/{}/visits?from={}&to={}&fund={}&setting={}&account={}&posted={}&import={}",
        hcode,
        enc(&f.from),
        enc(&f.to),
        enc(&f.fund),
        enc(&f.setting),
        enc(&f.account),
        enc(&f.posted),
        enc(&f.import)
    );
    let first_row = if q.after.is_some() {
        page * per_page
    } else {
        0
    };
    render(&VisitsPage {
        l: Layout::new(t, Some(&me), t.s("cl_visits"), "claims"),
        funds: Fund::ALL
            .iter()
            .map(|x| (x.code().to_string(), fund_name(t, x.code())))
            .collect(),
        count: if list.is_empty() {
            "0".into()
        } else {
            format!(
                "{}–{}{}",
                format_int_thai(first_row + 1),
                format_int_thai(first_row + list.len() as i64),
                if next.is_some() { " …" } else { "" }
            )
        },
        rows: list.iter().map(|v| visit_view(t, &hcode, v)).collect(),
        prev: if q.after.is_some() {
            base.clone()
        } else {
            String::new()
        },
        next: match &next {
            Some((d, k)) => format!(
                "{base}&page={}&after={}",
                if q.after.is_some() { page + 1 } else { 1 },
                enc(&format!("{d}.{k}"))
            ),
            None => String::new(),
        },
        hcode: unit.hcode,
        unit_name: unit.name_th,
        f,
    })
}

struct JournalView {
    kind: String,
    ver: i64,
    post_date: String,
    date_serv: String,
    posted_at: String,
    account: String,
    account_name: String,
    fund: String,
    debit: String,
    credit: String,
}

#[derive(Template)]
#[template(path = "claims/visit.html")]
struct VisitPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    v: VisitView,
    name: String,
    facts: Vec<(String, String)>,
    diagnoses: Vec<(String, String)>,
    procedures: Vec<String>,
    charges: Vec<(String, String)>,
    drugs: Vec<(String, String, String, String)>,
    items: Vec<(String, String, String, String)>,
    journal: Vec<JournalView>,
    findings: Vec<crate::audit::VisitFinding>,
    claim: Option<crate::cycle::VisitClaim>,
    may_accept: bool,
    vkey: String,
}

#[derive(Deserialize, Default)]
struct Detail {
    #[serde(default)]
    dx: Vec<(String, String)>,
    #[serde(default)]
    px: Vec<String>,
    #[serde(default)]
    cha: Vec<(String, i64)>,
    #[serde(default)]
    dru: Vec<(String, String, String, i64)>,
    #[serde(default)]
    adp: Vec<(String, String, String, i64)>,
}

pub async fn visit_detail(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, visit)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let d = st.store.get_visit(&me, &hcode, &visit).await?;
    let v = &d.visit;
    let detail: Detail = serde_json::from_str(&d.detail_json).unwrap_or_default();
    let facts = vec![
        (t.s("cl_date").to_string(), {
            let a = date(t, v.date_serv);
            if v.date_dsc != v.date_serv {
                format!("{a} – {}", date(t, v.date_dsc))
            } else {
                a
            }
        }),
        (t.s("cl_cid").to_string(), mask_cid(&v.cid)),
        (
            t.s("cl_right").to_string(),
            format!("{} {}", v.inscl, v.subtype),
        ),
        (t.s("cl_fund").to_string(), fund_name(t, &v.fund)),
        (t.s("cl_hospmain").to_string(), v.hospmain.clone()),
        (t.s("cl_place").to_string(), v.place.clone()),
        (t.s("cl_case").to_string(), v.case.clone()),
        (t.s("cl_permit").to_string(), v.permitno.clone()),
        (t.s("cl_total").to_string(), money(v.total)),
        (t.s("cl_paid").to_string(), money(v.paid)),
        (t.s("cl_claimable").to_string(), money(v.claimable)),
        (t.s("cl_fund_part").to_string(), money(v.fund_amount)),
        (t.s("cl_patient_part").to_string(), money(v.patient_amount)),
        (
            t.s("cl_posting").to_string(),
            if v.posted {
                t.s("cl_posted").to_string()
            } else if v.unposted_reason == IN_HOSPITAL {
                format!("{} ({})", t.s("cl_unposted"), t.s("cl_in_hospital"))
            } else {
                format!("{} ({})", t.s("cl_unposted"), t.s("cl_no_mapping"))
            },
        ),
    ];
    let findings = crate::audit::visit_findings(&st, t, &me, &hcode, &v.vkey).await?;
    let claim = crate::cycle::visit_claim(&st, t, &me, &hcode, &v.vkey).await?;
    render(&VisitPage {
        l: Layout::new(t, Some(&me), t.s("cl_visit"), "claims"),
        findings,
        claim,
        may_accept: may_import(&me, &hcode),
        vkey: v.vkey.clone(),
        name: v.patient_name.clone(),
        facts,
        diagnoses: detail.dx,
        procedures: detail.px,
        charges: detail
            .cha
            .iter()
            .map(|(c, a)| (c.clone(), money(*a)))
            .collect(),
        drugs: detail
            .dru
            .iter()
            .map(|(a, b, c, d)| (a.clone(), b.clone(), c.clone(), money(*d)))
            .collect(),
        items: detail
            .adp
            .iter()
            .map(|(a, b, c, d)| (a.clone(), b.clone(), c.clone(), money(*d)))
            .collect(),
        journal: d
            .journal
            .iter()
            .map(|j| JournalView {
                kind: t
                    .s(if j.kind == "reverse" {
                        "cl_reverse"
                    } else {
                        "cl_post"
                    })
                    .to_string(),
                ver: j.ver,
                post_date: date(t, j.post_date),
                date_serv: date(t, j.date_serv),
                posted_at: datetime(t, j.posted_at),
                account_name: account_name(&j.account),
                account: j.account.clone(),
                fund: j.fund.clone(),
                debit: if j.debit != 0 {
                    money(j.debit)
                } else {
                    String::new()
                },
                credit: if j.credit != 0 {
                    money(j.credit)
                } else {
                    String::new()
                },
            })
            .collect(),
        v: visit_view(t, &hcode, v),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

// ---------------------------------------------------------------------------------------------
// Receivables.

#[derive(Debug, Default, Deserialize)]
pub struct PeriodFilter {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    fy: String,
    /// `posting` (default) or `service`.
    #[serde(default)]
    basis: String,
}

struct BalanceView {
    account: String,
    name: String,
    fund: String,
    debit: String,
    credit: String,
    balance: String,
    visits: String,
    href: String,
}

#[derive(Template)]
#[template(path = "claims/receivables.html")]
struct ReceivablesPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    basis: &'static str,
    from: String,
    to: String,
    years: Vec<(i64, String)>,
    fy: i64,
    accounts: Vec<BalanceView>,
    funds: Vec<(String, String, String)>,
    total: String,
}

/// A date for a filter field: `31/01/2569` (BE), which [`parse_day`] reads back.
fn ymd_be(x: i64) -> String {
    ymd_date(x)
        .map(raidai_domain::calendar::format_be_numeric)
        .unwrap_or_default()
}

pub async fn receivables(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(f): Query<PeriodFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, &hcode).await?;
    let years = st.store.claims_years(&me).await?;
    let fy =
        f.fy.parse::<i64>()
            .ok()
            .or(years.first().copied())
            .unwrap_or_else(current_fy);
    let fyv = FiscalYear::new(fy.clamp(2400, 2700) as u16);
    let ymd = |d: NaiveDate| {
        use chrono::Datelike;
        i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
    };
    let from = parse_day(&f.from).unwrap_or_else(|| ymd(fyv.start()));
    let to = parse_day(&f.to).unwrap_or_else(|| ymd(fyv.end()));
    let basis = DateBasis::parse(&f.basis).unwrap_or_default();
    let balances = st
        .store
        .account_balances(&me, &hcode, from, to, basis)
        .await?;
    let mut by_fund: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0;
    let accounts: Vec<BalanceView> = balances
        .iter()
        .filter(|b| b.account.starts_with("1102"))
        .map(|b| {
            *by_fund.entry(b.fund.clone()).or_insert(0) += b.balance();
            total += b.balance();
            BalanceView {
                account: b.account.clone(),
                name: account_name(&b.account),
                fund: b.fund.clone(),
                debit: money(b.debit),
                credit: money(b.credit),
                balance: money(b.balance()),
                visits: format_int_thai(b.visits),
                href: format!(
                    "/units/{}/visits?account={}&from={}&to={}",
                    hcode,
                    enc(&b.account),
                    from,
                    to
                ),
            }
        })
        .collect();
    let mut year_opts: Vec<(i64, String)> = years.iter().map(|y| (*y, fy_label(t, *y))).collect();
    if !years.contains(&fy) {
        year_opts.push((fy, fy_label(t, fy)));
    }
    render(&ReceivablesPage {
        l: Layout::new(t, Some(&me), t.s("cl_receivables"), "claims"),
        basis: basis.code(),
        from: ymd_be(from),
        to: ymd_be(to),
        years: year_opts,
        fy,
        funds: by_fund
            .into_iter()
            .map(|(code, v)| {
                (
                    format!(
                        "/units/{}/visits?fund={}&from={}&to={}",
                        hcode,
                        enc(&code),
                        from,
                        to
                    ),
                    fund_name(t, &code),
                    money(v),
                )
            })
            .collect(),
        total: money(total),
        accounts,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

// ---------------------------------------------------------------------------------------------
// Province roll-up.

#[derive(Debug, Default, Deserialize)]
pub struct RollupFilter {
    #[serde(default)]
    fy: String,
}

struct RollupTable {
    title: String,
    /// (label, link, per-fund amounts, total)
    rows: Vec<(String, String, Vec<String>, String)>,
    totals: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "claims/rollup.html")]
struct RollupPage {
    l: Layout,
    fy: String,
    years: Vec<(String, String)>,
    funds: Vec<String>,
    tables: Vec<RollupTable>,
    xlsx: String,
}

/// One pivoted line: label, link, amount per fund, total.
type PivotLine = (String, String, Vec<i64>, i64);
/// Pivoted lines, totals per fund, grand total.
type Pivot = (Vec<PivotLine>, Vec<i64>, i64);
/// How a roll-up row is keyed: (sort key, label, link).
type RollupKey = Box<dyn Fn(&RollupRow) -> (String, String, String)>;

/// Pivots roll-up rows: one line per key, one column per fund, with totals.
fn pivot(
    rows: &[RollupRow],
    funds: &[String],
    key: impl Fn(&RollupRow) -> (String, String, String),
) -> Pivot {
    let mut m: BTreeMap<String, (String, String, Vec<i64>)> = BTreeMap::new();
    let mut totals = vec![0; funds.len()];
    for r in rows {
        let (sort, label, link) = key(r);
        let e = m
            .entry(sort)
            .or_insert_with(|| (label, link, vec![0; funds.len()]));
        if let Some(i) = funds.iter().position(|f| *f == r.fund) {
            e.2[i] += r.amount;
            totals[i] += r.amount;
        }
    }
    let total = totals.iter().sum();
    (
        m.into_values()
            .map(|(l, h, v)| {
                let s = v.iter().sum();
                (l, h, v, s)
            })
            .collect(),
        totals,
        total,
    )
}

async fn rollup_data(
    st: &AppState,
    me: &Actor,
    f: &RollupFilter,
) -> Result<
    (
        Option<i64>,
        Vec<i64>,
        std::sync::Arc<Vec<RollupRow>>,
        Vec<String>,
    ),
    AppError,
> {
    let years = st
        .reads
        .get(&st.store, format!("years:{}", scope_key(me)), || async {
            Ok(st.store.claims_years(me).await?)
        })
        .await?
        .as_ref()
        .clone();
    let fy = if f.fy == "all" {
        None
    } else {
        f.fy.parse::<i64>().ok().or(years.first().copied())
    };
    let rows = st
        .reads
        .get(
            &st.store,
            format!("rollup:{fy:?}:{}", scope_key(me)),
            || async { Ok(st.store.claims_rollup(me, fy).await?) },
        )
        .await?;
    let mut funds: Vec<String> = rows.iter().map(|r| r.fund.clone()).collect();
    funds.sort_by_key(|c| Fund::parse(c).map(|f| f as usize).unwrap_or(usize::MAX));
    funds.dedup();
    Ok((fy, years, rows, funds))
}

fn rollup_tables(t: T, rows: &[RollupRow], funds: &[String]) -> Vec<RollupTable> {
    let fmt = |(r, totals, total): Pivot, title: &str| RollupTable {
        title: title.to_string(),
        rows: r
            .into_iter()
            .map(|(l, h, v, s)| (l, h, v.into_iter().map(money).collect(), money(s)))
            .collect(),
        totals: totals.into_iter().map(money).collect(),
        total: money(total),
    };
    vec![
        fmt(
            pivot(rows, funds, |r| {
                (
                    format!("{}{}", r.district_code, r.hcode),
                    format!("{} {}", r.hcode, r.unit_name),
                    format!("/units/{}/receivables?fy={}", r.hcode, r.fy),
                )
            }),
            t.s("cl_by_unit"),
        ),
        fmt(
            pivot(rows, funds, |r| {
                (
                    r.district_code.clone(),
                    format!("{} {}", r.district_code, r.district_name),
                    format!("/districts/{}", r.district_code),
                )
            }),
            t.s("cl_by_district"),
        ),
        fmt(
            pivot(rows, funds, |r| {
                (r.fy.to_string(), fy_label(t, r.fy), String::new())
            }),
            t.s("cl_fy"),
        ),
    ]
}

pub async fn rollup(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(f): Query<RollupFilter>,
) -> Result<Response, AppError> {
    let (fy, years, rows, funds) = rollup_data(&st, &me, &f).await?;
    let mut year_opts: Vec<(String, String)> = years
        .iter()
        .map(|y| (y.to_string(), fy_label(t, *y)))
        .collect();
    year_opts.push(("all".into(), t.s("cl_all_posted").into()));
    render(&RollupPage {
        l: Layout::new(t, Some(&me), t.s("cl_rollup"), "claims"),
        fy: fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into()),
        years: year_opts,
        tables: rollup_tables(t, &rows, &funds),
        funds: funds.iter().map(|c| fund_name(t, c)).collect(),
        xlsx: format!(
            "/claims/rollup.xlsx?fy={}",
            fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into())
        ),
    })
}

pub async fn rollup_xlsx(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(f): Query<RollupFilter>,
) -> Result<Response, AppError> {
    let (fy, _, rows, funds) = rollup_data(&st, &me, &f).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format("#,##0.00");
        let tables: [(&str, RollupKey); 3] = [
            (
                if t.is_en() {
                    "By unit"
                } else {
                    "หน่วยบริการ"
                },
                Box::new(|r: &RollupRow| {
                    (
                        format!("{}{}", r.district_code, r.hcode),
                        format!("{} {}", r.hcode, r.unit_name),
                        String::new(),
                    )
                }),
            ),
            (
                if t.is_en() {
                    "By district"
                } else {
                    "อำเภอ"
                },
                Box::new(|r: &RollupRow| {
                    (
                        r.district_code.clone(),
                        format!("{} {}", r.district_code, r.district_name),
                        String::new(),
                    )
                }),
            ),
            (
                if t.is_en() {
                    "By fiscal year"
                } else {
                    "ปีงบประมาณ"
                },
                Box::new(|r: &RollupRow| (r.fy.to_string(), r.fy.to_string(), String::new())),
            ),
        ];
        for (name, key) in tables.iter() {
            let ws = wb.add_worksheet();
            ws.set_name(*name)?;
            ws.write_string_with_format(0, 0, *name, &bold)?;
            for (c, code) in funds.iter().enumerate() {
                ws.write_string_with_format(0, c as u16 + 1, fund_name(t, code), &bold)?;
            }
            ws.write_string_with_format(0, funds.len() as u16 + 1, t.s("cl_sum"), &bold)?;
            let (lines, totals, total) = pivot(&rows, &funds, key);
            for (i, (label, _, v, s)) in lines.iter().enumerate() {
                let row = i as u32 + 1;
                ws.write_string(row, 0, label)?;
                for (c, x) in v.iter().enumerate() {
                    ws.write_number_with_format(row, c as u16 + 1, *x as f64 / 100.0, &num)?;
                }
                ws.write_number_with_format(row, v.len() as u16 + 1, *s as f64 / 100.0, &num)?;
            }
            let row = lines.len() as u32 + 1;
            ws.write_string_with_format(row, 0, t.s("cl_sum"), &bold)?;
            for (c, x) in totals.iter().enumerate() {
                ws.write_number_with_format(row, c as u16 + 1, *x as f64 / 100.0, &num)?;
            }
            ws.write_number_with_format(row, totals.len() as u16 + 1, total as f64 / 100.0, &num)?;
            ws.set_column_width(0, 40)?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name = format!(
        "claims-rollup-{}.xlsx",
        fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into())
    );
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        bytes,
    ))
}

/// For errors that should read as the store's.
impl From<raidai_claims::ClaimsError> for AppError {
    fn from(e: raidai_claims::ClaimsError) -> Self {
        match e {
            raidai_claims::ClaimsError::Store(s) => s.into(),
            other => AppError::Internal(other.to_string()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Posting map (province officers and admins).

#[derive(Debug, Default, Deserialize)]
pub struct PostingMapQuery {
    #[serde(default)]
    province: String,
    #[serde(default)]
    fy: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PostingMapForm {
    #[serde(default)]
    province: String,
    #[serde(default)]
    fy: String,
    #[serde(default)]
    tsv: String,
}

#[derive(Template)]
#[template(path = "claims/posting_map.html")]
struct PostingMapPage {
    l: Layout,
    province: String,
    fy: i64,
    versions: String,
    rules: Vec<[String; 7]>,
    tsv: String,
    saved: String,
    error: String,
}

/// The province whose map the caller works on: their own, or (admins) the one asked for.
async fn map_province(st: &AppState, me: &Actor, asked: &str) -> Result<String, AppError> {
    match me.role {
        Role::Province => me.province_code.clone().ok_or(AppError::Forbidden),
        Role::Admin => {
            if !asked.is_empty() {
                return Ok(asked.to_string());
            }
            let p = st.store.list_provinces(me).await?;
            p.first().map(|p| p.code.clone()).ok_or(AppError::NotFound)
        }
        _ => Err(AppError::Forbidden),
    }
}

fn map_tsv(rules: &[raidai_domain::accounts::PostingRule]) -> String {
    let mut t = String::from("fund\tsetting\tplace\tcase\treceivable\trevenue\tsource\n");
    for r in rules {
        t.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.fund, r.setting, r.place, r.case, r.receivable, r.revenue, r.source
        ));
    }
    t
}

/// What the posting-map page shows besides the stored map.
struct MapState {
    province: String,
    fy: i64,
    saved: String,
    error: String,
    tsv: Option<String>,
}

async fn posting_map_render(
    st: &AppState,
    t: T,
    me: &Actor,
    m: MapState,
) -> Result<Response, AppError> {
    let versions = st.store.posting_map_versions(&m.province).await?;
    let rules = st.store.posting_map(&m.province, m.fy).await?;
    let status = if m.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PostingMapPage {
        l: Layout::new(t, Some(me), t.s("cl_posting_map"), "claims"),
        versions: versions
            .keys()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        tsv: m.tsv.unwrap_or_else(|| map_tsv(&rules)),
        rules: rules
            .iter()
            .map(|r| {
                [
                    r.fund.to_string(),
                    r.setting.to_string(),
                    r.place.to_string(),
                    r.case.to_string(),
                    r.receivable.to_string(),
                    r.revenue.to_string(),
                    r.source.to_string(),
                ]
            })
            .collect(),
        province: m.province,
        fy: m.fy,
        saved: m.saved,
        error: m.error,
    };
    render(&page).map(|r| (status, r).into_response())
}

pub async fn posting_map_page(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<PostingMapQuery>,
) -> Result<Response, AppError> {
    let province = map_province(&st, &me, &q.province).await?;
    let fy = q.fy.parse::<i64>().unwrap_or_else(|_| current_fy());
    let m = MapState {
        province,
        fy,
        saved: String::new(),
        error: String::new(),
        tsv: None,
    };
    posting_map_render(&st, t, &me, m).await
}

pub async fn posting_map_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    axum::Form(f): axum::Form<PostingMapForm>,
) -> Result<Response, AppError> {
    let province = map_province(&st, &me, &f.province).await?;
    let fy = f.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let mut m = MapState {
        province: province.clone(),
        fy,
        saved: String::new(),
        error: String::new(),
        tsv: None,
    };
    match st.store.save_posting_map(&me, &province, fy, &f.tsv).await {
        Ok(n) => m.saved = format_int_thai(n as i64),
        Err(raidai_store::StoreError::Invalid(errs)) => {
            m.error = errs
                .iter()
                .map(|e| {
                    let line = e.line.map(|l| format!("{l}: ")).unwrap_or_default();
                    format!("{line}{}", t.pick(&e.message_th, &e.message_en))
                })
                .collect::<Vec<_>>()
                .join("; ");
            m.tsv = Some(f.tsv);
        }
        Err(e) => return Err(e.into()),
    }
    posting_map_render(&st, t, &me, m).await
}

#[cfg(test)]
mod tests {
    use super::{parse_day, ymd_be};

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
