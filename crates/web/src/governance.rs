//! Governance workbench pages and API: Risk Score, 7 Plus, Planfin, TPS, 4S4C, 4P.
//!
//! Handlers only gather positions from the store and hand them to `raidai_governance`; every
//! threshold and target comes from the criteria set of the fiscal year concerned.

use crate::auth::{Me, Tr};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout, datetime};
use crate::{Access, AppState, RouteDef};
use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use raidai_domain::calendar::{FiscalPeriod, FiscalYear};
use raidai_domain::master::Role;
use raidai_domain::money::{Satang, format_decimal_thai, format_int_thai};
use raidai_governance::CriteriaSet;
use raidai_governance::assessment::{
    CollectionDays, FORM_4S4C, FORM_CSMBS_SURVEY, FourPMark, FourPResult, RevenueCentreScore,
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
use raidai_governance::seven_plus::seven_plus;
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

/// Labels of these pages: (key, Thai, English), merged into the i18n table.
pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "gov_nav_governance",
        "ธรรมาภิบาลการเงิน",
        "Financial governance",
    ),
    ("gov_nav_finance", "สถานะการเงิน", "Financial position"),
    ("gov_suggested_mark", "คะแนนที่เสนอ", "suggested mark"),
    (
        "gov_q2_revenue",
        "รายได้จริง ต.ค.–มี.ค.",
        "Actual revenue Oct–Mar",
    ),
    (
        "gov_q2_expense",
        "ค่าใช้จ่ายจริง ต.ค.–มี.ค.",
        "Actual expense Oct–Mar",
    ),
    ("gov_q2_of_plan", "ของแผนทั้งปี", "of the annual plan"),
    ("gov_measured", "ค่าที่วัดได้", "Measured"),
    ("gov_paper_doc_no", "หมายเลขเอกสาร", "Document no."),
    ("gov_paper_revision", "แก้ไขครั้งที่", "Revision"),
    ("gov_paper_started", "เริ่มใช้", "In use from"),
    (
        "gov_paper_responsible_unit",
        "หน่วยรับผิดชอบ",
        "Responsible unit",
    ),
    (
        "gov_paper_responsible_person",
        "ผู้รับผิดชอบ",
        "Responsible person",
    ),
    ("gov_paper_period", "งวดที่ตรวจพบ", "Period audited"),
    ("gov_paper_counts", "ผลรวมจำนวนข้อ", "Items by mark"),
    ("gov_plan_path", "การอนุมัติแผน", "Plan approval"),
    ("gov_plan_state", "สถานะแผน", "Plan state"),
    ("gov_plan_draft", "ร่าง (ยังไม่ส่ง)", "Draft (not submitted)"),
    (
        "gov_pho_paper_mark",
        "คะแนนในกระดาษทำการ 4P ของ สสจ.:",
        "Mark on the PHO's 4P paper:",
    ),
    (
        "gov_plan_submitted",
        "ส่ง สสจ. สอบทานแล้ว",
        "Submitted to the provincial office",
    ),
    ("gov_plan_returned", "ส่งกลับแก้ไข", "Returned for changes"),
    (
        "gov_plan_reviewed",
        "สสจ. สอบทานแล้ว เสนอ นพ.สสจ.",
        "Reviewed by the provincial office",
    ),
    (
        "gov_plan_approved",
        "นพ.สสจ. อนุมัติแล้ว",
        "Approved by the provincial chief",
    ),
    (
        "gov_plan_signer",
        "ชื่อผู้อนุมัติ (นพ.สสจ.)",
        "Approver's name (provincial chief)",
    ),
    ("gov_plan_comment", "ความเห็น", "Comment"),
    ("gov_plan_by", "โดย", "By"),
    (
        "gov_do_submit",
        "ส่งแผนให้ สสจ. สอบทาน",
        "Submit to the provincial office",
    ),
    (
        "gov_do_review",
        "สอบทานแล้ว เสนอ นพ.สสจ.",
        "Reviewed: to the provincial chief",
    ),
    ("gov_do_return", "ส่งกลับแก้ไข", "Return for changes"),
    (
        "gov_do_approve",
        "บันทึกการอนุมัติของ นพ.สสจ.",
        "Record the chief's approval",
    ),
    ("gov_criteria_sets", "ชุดเกณฑ์การประเมิน", "Criteria sets"),
    (
        "gov_criteria_builtin",
        "ชุดเกณฑ์ที่มากับระบบ (ใช้เมื่อไม่ได้โหลดชุดของปีนั้น)",
        "Built-in set (used when no set is loaded for a year)",
    ),
    (
        "gov_criteria_loaded",
        "ชุดเกณฑ์ที่จังหวัดโหลด",
        "Sets the province loaded",
    ),
    (
        "gov_criteria_none",
        "ยังไม่ได้โหลดชุดเกณฑ์ ใช้ชุดที่มากับระบบทุกปี",
        "No set loaded: the built-in set applies to every year",
    ),
    (
        "gov_criteria_load",
        "โหลดชุดเกณฑ์ (TOML)",
        "Load a criteria set (TOML)",
    ),
    (
        "gov_criteria_load_help",
        "ไฟล์รูปแบบเดียวกับชุดที่มากับระบบ (raidai governance criteria builtin) ใช้ตั้งแต่ปีงบประมาณที่เลือกเป็นต้นไป ตรวจทุกค่าก่อนบันทึก และบันทึกประวัติทุกครั้ง",
        "Same layout as the built-in set (raidai governance criteria builtin); in force from the chosen fiscal year on; every value is checked before it is stored, and every load is logged",
    ),
    ("gov_criteria_in_force", "ใช้อยู่", "In force"),
    ("gov_criteria_superseded", "ถูกแทนที่แล้ว", "Superseded"),
    (
        "gov_criteria_from_fy",
        "ใช้ตั้งแต่ปีงบประมาณ",
        "From fiscal year",
    ),
    ("gov_criteria_version", "รุ่น", "Version"),
    ("gov_criteria_loaded_by", "โหลดโดย", "Loaded by"),
    (
        "gov_criteria_diffs",
        "ค่าที่ต่างจากชุดที่มากับระบบ",
        "Values that differ from the built-in set",
    ),
    (
        "gov_criteria_same",
        "ทุกค่าเหมือนชุดที่มากับระบบ",
        "Every value equals the built-in set",
    ),
    ("gov_criteria_key", "รายการ", "Key"),
    ("gov_criteria_this", "ชุดนี้", "This set"),
    ("gov_criteria_source", "ไฟล์ที่โหลด", "The file as loaded"),
    (
        "gov_small_success",
        "Small Success: แผนเงินบำรุง",
        "Small success: the maintenance-fund plan",
    ),
    ("gov_ms_months", "เดือนที่", "Months"),
    (
        "gov_ms_every_unit_plan",
        "หน่วยบริการทุกแห่งมีแผนเงินบำรุงที่ นพ.สสจ. อนุมัติ",
        "Every unit has a maintenance-fund plan approved by the provincial chief",
    ),
    (
        "gov_ms_pho_owner",
        "มีผู้รับผิดชอบกำกับ ติดตามแผนเงินบำรุงในระดับจังหวัด",
        "A provincial owner follows the plans",
    ),
    (
        "gov_ms_pho_process",
        "มีกระบวนการกำกับ ติดตามแผนเงินบำรุงในระดับจังหวัด ให้สอดคล้องกับสถานะการเงินของหน่วยบริการ",
        "A provincial process follows the plans against each unit's finances",
    ),
    (
        "gov_ms_plan_vs_actual",
        "มีกระบวนการประเมินแผน-ผลการดำเนินงานของหน่วยบริการ และผลเป็นไปตามกฎหมาย ระเบียบ",
        "Plan vs actual of the units is assessed, within the law and regulations",
    ),
    (
        "gov_ms_spending_passes",
        "ประสิทธิภาพการใช้จ่ายเงินนอกงบประมาณผ่านเกณฑ์ (4P ≥ 80% รอบสุดท้าย)",
        "Non-budget spending passes (4P ≥ 80%, last round)",
    ),
    (
        "gov_four_p_pass_rate",
        "4P: หน่วยบริการที่ผ่านเกณฑ์การใช้จ่ายเงินตามแผนเงินบำรุง",
        "4P: units passing the maintenance-fund spending paper",
    ),
    (
        "gov_papers_marked",
        "กระดาษทำการที่ประเมินครบ",
        "Papers fully marked",
    ),
    ("gov_units_passing", "ผ่านเกณฑ์", "Passing"),
    ("gov_paper_review", "สรุปผลการสอบทาน", "Review summary"),
    (
        "gov_sign_reviewer_4p",
        "ลงชื่อ ผู้สอบทาน",
        "Signature, reviewer",
    ),
    (
        "gov_mark_differs",
        "คะแนนต่างจากค่าที่วัดได้",
        "Mark differs from the measured one",
    ),
    (
        "gov_mark_differs_reason",
        "ต้องระบุเหตุผลในหมายเหตุ",
        "give the reason in the note",
    ),
    (
        "gov_sp_title",
        "ประสิทธิภาพทางการเงิน 7 Plus",
        "7 Plus Efficiency",
    ),
    (
        "gov_acp_title",
        "ระยะเวลาเรียกเก็บหนี้รายกองทุน: งบทดลองเทียบบัญชีลูกหนี้ของ raidai",
        "Collection period per fund: trial balance beside raidai's receivable ledger",
    ),
    ("gov_acp_fund", "กองทุน", "Fund"),
    ("gov_acp_tb", "จากงบทดลอง", "From the trial balance"),
    (
        "gov_acp_ledger",
        "จากบัญชีลูกหนี้ raidai",
        "From raidai's ledger",
    ),
    (
        "gov_acp_avg",
        "ลูกหนี้เฉลี่ย (บัญชี raidai)",
        "Average receivable (raidai ledger)",
    ),
    (
        "gov_acp_revenue",
        "รายได้สะสม (บัญชี raidai)",
        "Revenue YTD (raidai ledger)",
    ),
    (
        "gov_acp_visits",
        "จำนวนครั้งบริการในปีงบประมาณใน raidai",
        "Visits of the fiscal year in raidai",
    ),
    (
        "gov_acp_no_visits",
        "หน่วยบริการนี้ยังไม่มีข้อมูลบริการ (16 แฟ้ม) ใน raidai สำหรับปีงบประมาณนี้ จึงคำนวณจากบัญชีลูกหนี้ไม่ได้",
        "This unit has no visits (16 files) in raidai for this fiscal year, so the ledger column cannot be measured",
    ),
    (
        "gov_acp_help",
        "บัญชีลูกหนี้ของ raidai: ยอดลูกหนี้ (บัญชี 1102…) ของกองทุน ณ ต้นปีงบประมาณและสิ้นงวด ตามวันที่รับบริการ ÷ 2 ÷ รายได้ของกองทุนตั้งแต่ต้นปี × จำนวนวัน",
        "raidai's ledger: the fund's receivable balance (accounts 1102…) at the start of the fiscal year and at the period end, by date of service, ÷ 2 ÷ the fund's revenue since 1 October × days",
    ),
    ("gov_sp_indicator", "ตัวชี้วัด", "Indicator"),
    ("gov_sp_value", "ค่าที่ได้", "Value"),
    ("gov_sp_target", "เกณฑ์", "Target"),
    ("gov_sp_result", "ผล", "Result"),
    ("gov_sp_pass", "ผ่าน", "Passed"),
    ("gov_sp_fail", "ไม่ผ่าน", "Failed"),
    ("gov_sp_na", "ประเมินไม่ได้", "No verdict"),
    ("gov_sp_days", "วัน", "days"),
    ("gov_sp_passed", "ผ่าน", "Passed"),
    ("gov_sp_of", "จากที่ประเมินได้", "of those assessed"),
    ("gov_sp_period", "งวด", "Period"),
    ("gov_sp_show", "แสดง", "Show"),
    (
        "gov_sp_days_ytd",
        "จำนวนวันตั้งแต่ต้นปีงบประมาณ",
        "Days since the start of the fiscal year",
    ),
    (
        "gov_sp_no_median",
        "ยังไม่มีค่ากลางกลุ่ม",
        "No peer-group median yet",
    ),
    (
        "gov_sp_no_opening",
        "ไม่มียอดสิ้นปีงบประมาณก่อน จึงใช้ยอดปลายงวดแทนยอดต้นงวดในการหายอดเฉลี่ย",
        "No balances for the end of the previous fiscal year: the closing balances stand in for the opening ones in the averages",
    ),
    (
        "gov_sp_help",
        "อัตรากำไรและ ROA เทียบค่ากลางของหน่วยบริการกลุ่มเดียวกันในจังหวัด ระยะเวลาคิดจากยอดเฉลี่ย (ต้นงวด + ปลายงวด) ÷ 2 ÷ ยอดสะสมตั้งแต่ต้นปี × จำนวนวัน",
        "Margins and ROA are compared with the median of the province's units of the same peer group; periods are (opening + closing) ÷ 2 ÷ the fiscal-YTD flow × days",
    ),
    (
        "gov_sp_none",
        "ยังไม่มีข้อมูล 7 Plus ของงวดนี้ (นำเข้างบทดลองเพื่อคำนวณ)",
        "No 7 Plus figures for this period yet (import a trial balance)",
    ),
    (
        "gov_title",
        "ตรวจราชการ: วิกฤตการเงิน",
        "Inspection: financial crisis",
    ),
    (
        "gov_finance_title",
        "สถานะการเงินรายเดือน",
        "Monthly financial position",
    ),
    ("gov_period", "งวด", "Period"),
    ("gov_current_assets", "สินทรัพย์หมุนเวียน", "Current assets"),
    (
        "gov_current_liabilities",
        "หนี้สินหมุนเวียน",
        "Current liabilities",
    ),
    ("gov_cr", "CR", "CR"),
    ("gov_qr", "QR", "QR"),
    ("gov_cash_ratio", "Cash ratio", "Cash ratio"),
    ("gov_nwc", "ทุนหมุนเวียนสุทธิ (NWC)", "Net working capital (NWC)"),
    ("gov_ni", "กำไร(ขาดทุน)สุทธิ (NI)", "Net income (NI)"),
    ("gov_liquidity_points", "คะแนนสภาพคล่อง", "Liquidity points"),
    ("gov_status_points", "คะแนนสถานะ", "Status points"),
    ("gov_survival_points", "คะแนนระยะอยู่รอด", "Survival points"),
    ("gov_risk_level", "ระดับวิกฤต (0–7)", "Risk level (0–7)"),
    (
        "gov_ratios_undefined",
        "หนี้สินหมุนเวียนเป็นศูนย์ — คำนวณอัตราส่วนไม่ได้",
        "Current liabilities are zero — ratios undefined",
    ),
    ("gov_source", "ที่มา", "Source"),
    ("gov_source_trial_balance", "งบทดลอง", "Trial balance"),
    ("gov_source_ratio_items", "รายการอัตราส่วน", "Ratio items"),
    ("gov_import_tb", "นำเข้างบทดลอง", "Import a trial balance"),
    (
        "gov_import_tb_help",
        "ไฟล์ CSV UTF-8 คอลัมน์ account_code, debit, credit (หรือ balance) เป็นยอดสะสมตั้งแต่ต้นปีงบประมาณ หน่วยเป็นบาท",
        "CSV UTF-8 with account_code, debit, credit (or balance): fiscal-YTD balances in baht",
    ),
    (
        "gov_import_ratio",
        "นำเข้ารายการอัตราส่วน",
        "Import ratio items",
    ),
    (
        "gov_import_ratio_help",
        "ไฟล์ CSV คอลัมน์ hcode, period, current_assets, current_liabilities, quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd (บาท) ตามไฟล์ที่ HFO เผยแพร่",
        "CSV with hcode, period, current_assets, current_liabilities, quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd (baht), as HFO publishes them",
    ),
    (
        "gov_period_id",
        "งวดบัญชี (เดือนของปีงบประมาณ)",
        "Period (month of the fiscal year)",
    ),
    ("gov_fiscal_month", "งวดที่", "fiscal month"),
    ("gov_imported_rows", "นำเข้าแล้ว (แถว)", "Rows imported"),
    (
        "gov_unmapped_accounts",
        "บัญชีที่ไม่ได้จับคู่กับรายการใด",
        "Accounts matched by no item",
    ),
    ("gov_round", "รอบ", "Round"),
    ("gov_round_months", "รอบ {n} เดือน", "{n}-month round"),
    ("gov_units_counted", "หน่วยที่มีข้อมูล", "Units with data"),
    ("gov_level7_share", "ระดับ 7", "Level 7"),
    ("gov_level6_share", "ระดับ 6", "Level 6"),
    ("gov_target", "เป้าหมาย", "Target"),
    ("gov_result", "ผล", "Result"),
    ("gov_met", "ผ่าน", "Met"),
    ("gov_not_met", "ไม่ผ่าน", "Not met"),
    ("gov_latest", "ล่าสุด", "Latest"),
    ("gov_trend", "แนวโน้ม ต.ค.–ก.ย.", "Trend Oct–Sep"),
    (
        "gov_distribution",
        "จำนวนหน่วยตามระดับ (ล่าสุด)",
        "Units by level (latest)",
    ),
    ("gov_export_xlsx", "ส่งออก XLSX", "Export XLSX"),
    ("gov_criteria_used", "เกณฑ์ที่ใช้", "Criteria applied"),
    (
        "gov_indicator_crisis",
        "ตัวชี้วัด: สัดส่วนหน่วยบริการที่ประสบภาวะวิกฤตทางการเงิน",
        "Indicator: share of units in financial crisis",
    ),
    (
        "gov_no_positions",
        "ยังไม่มีข้อมูลสถานะการเงิน",
        "No financial positions yet",
    ),
    ("gov_open", "เปิด", "Open"),
    ("gov_level", "ระดับ", "Level"),
    (
        "gov_assessments",
        "แบบประเมิน 4S4C และ 4P",
        "4S4C and 4P assessments",
    ),
    (
        "gov_form_rc",
        "ศูนย์จัดเก็บรายได้คุณภาพ (4S4C + CSMBS)",
        "Quality revenue-collection centre (4S4C + CSMBS)",
    ),
    (
        "gov_form_4p",
        "กระดาษทำการ 4P (ตร.๐๑)",
        "4P working paper (TR.01)",
    ),
    ("gov_round_n", "รอบที่", "Round"),
    ("gov_form", "แบบประเมิน", "Form"),
    ("gov_open_form", "เปิดแบบประเมิน", "Open the form"),
    ("gov_item", "ข้อ", "Item"),
    ("gov_item_text", "ประเด็นการประเมิน", "Criterion"),
    ("gov_mark", "คะแนน", "Mark"),
    ("gov_note", "หมายเหตุ", "Note"),
    ("gov_evidence", "หลักฐาน", "Evidence"),
    ("gov_evidence_hint", "หลักฐานที่ใช้", "Evidence expected"),
    ("gov_attach", "แนบไฟล์หลักฐาน", "Attach evidence"),
    (
        "gov_attach_help",
        "PDF, PNG, JPEG, XLSX หรือ DOCX ไม่เกิน 10 MB ดาวน์โหลดได้เฉพาะผู้มีสิทธิ์ในหน่วยบริการนี้",
        "PDF, PNG, JPEG, XLSX or DOCX up to 10 MB; downloadable only by people of this unit's tenancy",
    ),
    ("gov_evidence_added", "แนบหลักฐานแล้ว:", "Evidence attached:"),
    (
        "gov_save_first",
        "บันทึกแบบประเมินก่อน จึงแนบหลักฐานได้",
        "Save the form before attaching evidence",
    ),
    ("gov_assessor", "ผู้ประเมิน", "Assessor"),
    ("gov_assessed_on", "วันที่ประเมิน", "Date assessed"),
    (
        "gov_reviewer_summary",
        "สรุปผลการตรวจของผู้ตรวจ",
        "Reviewer's summary",
    ),
    ("gov_total", "คะแนนรวม", "Total"),
    ("gov_percent", "ร้อยละ", "Percent"),
    ("gov_grade", "ระดับผลการประเมิน", "Grade"),
    (
        "gov_unmarked",
        "ข้อที่ยังไม่ให้คะแนน (นับเป็น 0)",
        "Items not yet marked (count as 0)",
    ),
    ("gov_print", "ฉบับพิมพ์", "Printable version"),
    ("gov_saved", "บันทึกแล้ว", "Saved"),
    ("gov_sign_assessor", "ลงชื่อ ผู้ประเมิน", "Signature, assessor"),
    ("gov_sign_reviewer", "ลงชื่อ ผู้ตรวจ", "Signature, reviewer"),
    ("gov_not_started", "ยังไม่ได้ประเมิน", "Not assessed yet"),
    ("gov_rc_grade", "เกรด 4S4C", "4S4C grade"),
    ("gov_measures", "มาตรการ", "Measures"),
    ("gov_measure", "มาตรการ", "Measure"),
    ("gov_counted", "ตัวชี้วัด", "Counted"),
    (
        "gov_reported_by_inspectors",
        "ผู้ตรวจรายงาน",
        "Reported by inspectors",
    ),
    ("gov_plan_type_short", "แบบแผน", "Plan type"),
    (
        "gov_planfin",
        "แผนเงินบำรุง (Planfin)",
        "Maintenance-fund plan (Planfin)",
    ),
    ("gov_plan_type", "แผนแบบที่", "Plan type"),
    (
        "gov_plan_type_help",
        "เอกสารกำหนดให้แบบที่ 1–3 เป็นแผนไม่มีความเสี่ยง แต่ยังไม่มีนิยามแบบแผนอย่างเป็นทางการ ระบบจึงบันทึกแบบตามที่ระบุ และตรวจเฉพาะกฎที่อนุมานได้: แผนไม่มีความเสี่ยงต้องมีรายได้ ≥ ค่าใช้จ่าย",
        "The documents call types 1–3 no-risk but do not define the types: the type is recorded as entered and checked only against the derivable rule that a no-risk plan needs revenue ≥ expense",
    ),
    ("gov_no_risk", "ไม่มีความเสี่ยง", "No risk"),
    ("gov_plan_revenue", "แผนรายได้", "Planned revenue"),
    ("gov_plan_expense", "แผนค่าใช้จ่าย", "Planned expense"),
    (
        "gov_plan_balance",
        "รายได้สูง(ต่ำ)กว่าค่าใช้จ่าย",
        "Revenue over (under) expense",
    ),
    (
        "gov_reviews",
        "การทบทวนแผนที่อนุมัติแล้ว / ที่กำหนด",
        "Approved reviews / required",
    ),
    (
        "gov_q2",
        "ผลการดำเนินงานไตรมาส 2 (ต.ค.–มี.ค.) เทียบแผนทั้งปี",
        "Q2 (Oct–Mar) actual against the annual plan",
    ),
    ("gov_revenue", "รายได้", "Revenue"),
    ("gov_expense", "ค่าใช้จ่าย", "Expense"),
    ("gov_plan", "แผน", "Plan"),
    ("gov_actual", "ผล", "Actual"),
    ("gov_within", "ภายใน ±", "Within ±"),
    (
        "gov_by_quarter",
        "แผน-ผล รายไตรมาส",
        "Plan vs actual by quarter",
    ),
    ("gov_by_month", "แผน-ผล รายเดือน", "Plan vs actual by month"),
    (
        "gov_by_line",
        "แผน-ผล รายรายการ (สะสม)",
        "Plan vs actual by line (YTD)",
    ),
    ("gov_months_closed", "เดือนที่มีผลแล้ว", "Months with actuals"),
    ("gov_revisions", "การทบทวน/ปรับแผน", "Plan revisions"),
    ("gov_revision_no", "ครั้งที่", "No."),
    (
        "gov_tps",
        "TPS (Total Performance Score)",
        "TPS (Total Performance Score)",
    ),
    ("gov_quarter", "ไตรมาส", "Quarter"),
    ("gov_tps_inputs", "ข้อมูลนำเข้า TPS", "TPS inputs"),
    (
        "gov_tps_inputs_help",
        "ค่าที่ว่างถือว่าไม่มีข้อมูลและข้อนั้นไม่ได้คะแนน แผน-ผล และ Cash ratio/NWC เติมจาก Planfin และสถานะการเงินของ raidai เมื่อยังไม่ได้บันทึก ค่ากลางกลุ่มที่ไม่ได้กรอกคำนวณจากหน่วยบริการในจังหวัดที่อยู่กลุ่มระดับเดียวกัน",
        "Empty means no data and the item is not met. Plan/actual and cash ratio/NWC are prefilled from raidai's Planfin and positions until saved. Medians not entered are computed from the province's units of the same peer group",
    ),
    ("gov_points", "คะแนน", "Points"),
    ("gov_weight", "น้ำหนัก", "Weight"),
    ("gov_raw", "คะแนนดิบ", "Raw"),
    ("gov_capped", "คะแนนหลังจำกัดเพดาน", "Capped"),
    ("gov_no_data", "ไม่มีข้อมูล", "No data"),
    (
        "gov_not_saved",
        "ยังไม่ได้บันทึก: แสดงผลจากข้อมูลที่ raidai มี",
        "Not saved yet: scored from what raidai already holds",
    ),
    ("gov_revised_on", "วันที่ปรับแผน", "Date revised"),
    ("gov_approved", "อนุมัติแล้ว", "Approved"),
    ("gov_pending", "รอ สสจ. สอบทาน", "Awaiting PHO review"),
    ("gov_approve", "สอบทานและอนุมัติ", "Review and approve"),
    ("gov_add_revision", "บันทึกการทบทวนแผน", "Record a revision"),
    (
        "gov_import_plan",
        "นำเข้าแผน/ผล (CSV)",
        "Import plan or actuals (CSV)",
    ),
    (
        "gov_import_plan_help",
        "คอลัมน์ code (P04 …) และ m01 (ต.ค.) … m12 (ก.ย.) หน่วยบาท นำเข้าใหม่จะแทนที่ข้อมูลชุดเดิม",
        "Columns code (P04 …) and m01 (Oct) … m12 (Sep) in baht; a new import replaces the previous one",
    ),
    ("gov_kind", "ชนิดข้อมูล", "Kind"),
    (
        "gov_no_plan",
        "ยังไม่มีแผนของปีนี้ เริ่มโดยระบุแบบแผน",
        "No plan for this year yet: start by entering the plan type",
    ),
    (
        "gov_indicator_centres",
        "ตัวชี้วัด: ร้อยละของหน่วยบริการที่มีศูนย์จัดเก็บรายได้คุณภาพระดับดีขึ้นไป (A หรือ B)",
        "Indicator: share of units whose revenue-collection centre is graded good or better (A or B)",
    ),
    ("gov_assessed_units", "หน่วยที่ประเมินแล้ว", "Units assessed"),
    (
        "gov_no_data_units",
        "ไม่มีข้อมูล (นับว่าไม่ผ่าน)",
        "No data (counted as not met)",
    ),
    (
        "gov_good_centres",
        "ระดับดีขึ้นไป (A/B)",
        "Good or better (A/B)",
    ),
    ("gov_four_p_pct", "4P %", "4P %"),
    (
        "gov_marks_help_rc",
        "ให้คะแนน 2 เมื่อมีและครบถ้วน 0 เมื่อไม่มี (คะแนนเต็ม 100 = 4S4C 72 + CSMBS 28)",
        "Mark 2 when in place, 0 when not (100 = 4S4C 72 + CSMBS 28)",
    ),
    (
        "gov_marks_help_4p",
        "2 = มี/สมบูรณ์, 1 = มี/ไม่สมบูรณ์, 0 = ไม่มี, n/a = ไม่เกี่ยวข้อง (ไม่นับในตัวหาร)",
        "2 = has and complete, 1 = has but incomplete, 0 = none, n/a = not applicable (left out of the denominator)",
    ),
];

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

fn baht(s: i64) -> String {
    Satang(s).format_thai()
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
    let label = period_label(t, p.period);
    match p.score() {
        Ok(r) => PositionRow {
            period: p.period,
            label,
            current_assets: baht(p.current_assets),
            current_liabilities: baht(p.current_liabilities),
            cr: ratio(r.cr),
            qr: ratio(r.qr),
            cash: ratio(r.cash_ratio),
            nwc: baht(r.nwc),
            nwc_neg: r.nwc < 0,
            ni: baht(r.ni),
            ni_neg: r.ni < 0,
            liquidity: r.liquidity_points,
            status: r.status_points,
            survival: r.survival_points,
            level: r.risk_score,
            undefined: r.ratios_undefined,
            source,
            error: String::new(),
        },
        Err(e) => PositionRow {
            period: p.period,
            label,
            current_assets: baht(p.current_assets),
            current_liabilities: baht(p.current_liabilities),
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

async fn read_multipart(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, Vec<u8>), AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("upload failed: {e}"),
            "อัปโหลดไฟล์ไม่สำเร็จ",
        )])
    };
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
    let mp = Multipart::from_request(req, st).await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("expected a file upload: {e}"),
            "ต้องแนบไฟล์",
        )])
    })?;
    read_multipart(mp).await
}

// ---------------------------------------------------------------------------------------------
// Unit finance page
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "gov/finance.html")]
struct FinancePage {
    l: Layout,
    u: Unit,
    rows: Vec<PositionRow>,
    can_write: bool,
    errors: Errors,
    imported: String,
    unmapped: Vec<String>,
    criteria: String,
    updated: String,
    /// The fiscal year of the latest position, for the Planfin link.
    planfin_fy: u16,
    /// Periods with a position, newest first, for the 7 Plus period choice.
    periods: Vec<(u32, String)>,
    /// Fiscal months a trial balance can be for (this fiscal year and the two before, newest
    /// first, none in the future), each named by its calendar month: "256909" is June, not
    /// September. The last finished month is chosen.
    tb_periods: Vec<(u32, String)>,
    tb_default: u32,
    seven: Option<SevenPlusView>,
}

/// One 7 Plus indicator on the finance page.
struct SevenPlusRow {
    name: String,
    value: String,
    target: String,
    /// `pass`, `fail` or empty (no verdict).
    verdict: &'static str,
    explain: String,
}

/// 7 Plus Efficiency of one period.
struct SevenPlusView {
    period: u32,
    label: String,
    rows: Vec<SevenPlusRow>,
    passed: String,
    evaluated: String,
    has_opening: bool,
    days_ytd: String,
    /// Collection periods per fund: trial balance beside the receivable ledger.
    ledger: Vec<LedgerRow>,
    /// The unit has visits in raidai for the fiscal year.
    ledger_visits: String,
    has_ledger: bool,
}

struct LedgerRow {
    fund: &'static str,
    target: String,
    tb_days: String,
    ledger_days: String,
    ledger_avg: String,
    ledger_revenue: String,
}

fn seven_plus_view(t: T, f: &SevenPlusFigures, ledger: &LedgerCollection) -> SevenPlusView {
    let criteria = criteria_for_period(f.period);
    let r = seven_plus(&f.input, &criteria.seven_plus);
    let days = |v: Option<f64>| {
        v.map(|x| format!("{} {}", format_decimal_thai(x, 2), t.s("gov_sp_days")))
            .unwrap_or_else(|| "–".into())
    };
    use raidai_governance::seven_plus::SevenPlusIndicator as I;
    let ledger_rows = [("UC", I::AcpUc), ("CSMBS", I::AcpCsmbs), ("SSS", I::AcpSss)]
        .into_iter()
        .map(|(fund, ind)| {
            let tb = r.get(ind);
            let lf = ledger.funds.iter().find(|x| x.fund == fund);
            LedgerRow {
                fund,
                target: tb
                    .and_then(|i| i.target)
                    .map(|x| format!("≤ {}", days(Some(x))))
                    .unwrap_or_default(),
                tb_days: days(tb.and_then(|i| i.value)),
                ledger_days: days(ledger.days(fund)),
                ledger_avg: lf
                    .map(|x| baht((x.opening + x.closing) / 2))
                    .unwrap_or_default(),
                ledger_revenue: lf.map(|x| baht(x.revenue_ytd)).unwrap_or_default(),
            }
        })
        .collect();
    let rows = r
        .indicators
        .iter()
        .map(|i| {
            let unit = if i.indicator.unit() == "%" {
                "%".to_string()
            } else {
                format!(" {}", t.s("gov_sp_days"))
            };
            let num = |v: Option<f64>| {
                v.map(|x| format!("{}{unit}", format_decimal_thai(x, 2)))
                    .unwrap_or_else(|| "–".into())
            };
            SevenPlusRow {
                name: t
                    .pick(i.indicator.label_th(), i.indicator.label_en())
                    .to_string(),
                value: num(i.value),
                target: i
                    .target
                    .map(|_| format!("{} {}", i.comparison.symbol(), num(i.target)))
                    .unwrap_or_else(|| t.s("gov_sp_no_median").to_string()),
                verdict: match i.passed {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "",
                },
                explain: {
                    let mut e = if t.is_en() {
                        i.explain_en()
                    } else {
                        i.explain_th()
                    };
                    if i.indicator == I::AcpSss
                        && let Some((th, en)) = criteria.collection_limit_note(CollectionFund::Sss)
                    {
                        e = format!("{e} · {}", t.pick(&th, &en));
                    }
                    e
                },
            }
        })
        .collect();
    SevenPlusView {
        period: f.period,
        label: period_label(t, f.period),
        rows,
        passed: format_int_thai(r.passed as i64),
        evaluated: format_int_thai(r.evaluated as i64),
        has_opening: f.has_opening,
        days_ytd: format_int_thai(i64::from(f.input.days_ytd)),
        ledger: ledger_rows,
        ledger_visits: format_int_thai(ledger.visits),
        has_ledger: ledger.visits > 0,
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub period: Option<u32>,
}

fn can_write(me: &Actor) -> bool {
    me.role != Role::District
}

#[allow(clippy::too_many_arguments)]
async fn finance_page(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    errors: Vec<FieldError>,
    imported: String,
    unmapped: Vec<String>,
    period: Option<u32>,
) -> Result<FinancePage, AppError> {
    let u = st.store.get_unit(me, hcode).await?;
    let positions = st.store.list_positions(me, hcode).await?;
    let periods: Vec<(u32, String)> = positions
        .iter()
        .rev()
        .map(|p| (p.period, period_label(t, p.period)))
        .collect();
    let now = FiscalPeriod::of(
        Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
            .date_naive(),
    );
    let mut tb_periods = Vec::new();
    let mut p = now;
    for _ in 0..(24 + now.id() % 100) {
        tb_periods.push((
            p.id(),
            format!(
                "{} · {} {} {}",
                period_label(t, p.id()),
                t.s("gov_fiscal_month"),
                p.id() % 100,
                fy_label(t, (p.id() / 100) as u16)
            ),
        ));
        p = p.prev();
    }
    let tb_default = now.prev().id();
    let chosen = period
        .filter(|p| periods.iter().any(|(q, _)| q == p))
        .or_else(|| periods.first().map(|(p, _)| *p));
    let seven = match chosen {
        Some(p) => match st.store.seven_plus_figures(me, hcode, p).await? {
            Some(f) => {
                let ledger = st.store.ledger_collection(me, hcode, p).await?;
                Some(seven_plus_view(t, &f, &ledger))
            }
            None => None,
        },
        None => None,
    };
    let mut rows: Vec<PositionRow> = positions.iter().map(|p| position_row(t, p)).collect();
    rows.reverse(); // newest first
    let criteria = positions
        .last()
        .map(|p| {
            let c = criteria_for_period(p.period);
            format!("{} ({})", t.pick(&c.title_th, &c.title_en), c.version)
        })
        .unwrap_or_default();
    let updated = positions
        .iter()
        .map(|p| p.updated_at)
        .max()
        .map(|ms| datetime(t, ms))
        .unwrap_or_default();
    let planfin_fy = positions.last().map_or_else(current_fy, |p| {
        u16::try_from(p.period / 100).unwrap_or_else(|_| current_fy())
    });
    Ok(FinancePage {
        planfin_fy,
        tb_periods,
        tb_default,
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("gov_finance_title"), u.name_th),
            "finance",
        ),
        u,
        rows,
        can_write: can_write(me),
        errors: Errors::new(t, errors),
        imported,
        unmapped,
        criteria,
        updated,
        periods,
        seven,
    })
}

pub async fn finance(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    render(&finance_page(&st, t, &me, &hcode, vec![], String::new(), vec![], q.period).await?)
}

pub async fn import_tb(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    req: Request,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    if !can_write(&me) {
        return Err(AppError::Forbidden);
    }
    let (fields, file) = multipart_for(&st, req).await?;
    let period = fields
        .get("period")
        .map(|p| p.trim())
        .unwrap_or_default()
        .parse::<u32>()
        .ok();
    let result = match (period, file.is_empty()) {
        (None, _) => Err(StoreError::field(
            "period",
            "enter the period as BE year and fiscal month, e.g. 256909",
            "กรุณาระบุงวด เช่น 256909",
        )),
        (_, true) => Err(StoreError::field(
            "file",
            "choose a CSV file",
            "กรุณาเลือกไฟล์ CSV",
        )),
        (Some(period), false) => match parse_trial_balance_csv(&file) {
            Ok(lines) => {
                st.store
                    .import_trial_balance(&me, &hcode, period, &lines)
                    .await
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(imp) => render(
            &finance_page(
                &st,
                t,
                &me,
                &hcode,
                vec![],
                format_int_thai(imp.lines as i64),
                imp.unmapped,
                None,
            )
            .await?,
        ),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &finance_page(&st, t, &me, &hcode, errs, String::new(), vec![], None).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Province dashboard
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct FyQuery {
    pub fy: Option<u16>,
}

pub struct RoundRow {
    pub months: u8,
    pub period_label: String,
    pub units: String,
    pub unit_count: usize,
    pub l7: String,
    pub l7_target: String,
    pub l6: String,
    pub l6_target: String,
    /// "met", "not_met" or "" (no data).
    pub met: &'static str,
}

pub struct TrendCell {
    pub label: String,
    pub level: Option<u8>,
}

pub struct UnitRiskRow {
    pub hcode: String,
    pub name: String,
    pub district: String,
    pub latest_label: String,
    pub latest: Option<u8>,
    pub cr: String,
    pub ni: String,
    /// The same figures as numbers, for the XLSX (CR; NI in satang; 4P percent).
    pub cr_value: Option<f64>,
    pub ni_satang: Option<i64>,
    pub four_p_value: Option<f64>,
    pub ni_neg: bool,
    pub undefined: bool,
    pub trend: Vec<TrendCell>,
    /// Latest round's 4S4C grade and total, linked to the form.
    pub rc_grade: String,
    pub rc_link: String,
    pub rc_good: bool,
    /// Latest round's 4P percentage, linked to the paper.
    pub four_p: String,
    pub four_p_link: String,
    pub four_p_passed: bool,
    /// TPS total and grade of the latest quarter, linked to the unit's TPS page.
    pub tps: String,
    pub tps_link: String,
    pub tps_good: bool,
    /// Planfin type of the year, with whether it is a no-risk type.
    pub plan_type: Option<u8>,
    pub plan_no_risk: bool,
}

/// One of the financial-crisis indicator's measures, with raidai's count where it has the data.
pub struct MeasureRow {
    pub name: String,
    pub indicator: String,
    pub target: String,
    pub result: String,
    pub met: &'static str,
    /// Units in scope without the data (counted as not met), "hcode name" each.
    pub missing: Vec<String>,
    pub id: String,
    pub nums: Option<Scoped>,
}

/// A count over the units in scope as numbers, for the API twin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scoped {
    pub met: usize,
    pub total: usize,
    /// Codes of the units in scope without the data (counted as not met).
    pub missing: Vec<String>,
}

fn scoped(c: &ScopedCount<(String, String)>) -> Scoped {
    Scoped {
        met: c.met,
        total: c.total,
        missing: c.missing.iter().map(|(h, _)| h.clone()).collect(),
    }
}

/// A small-success milestone of the year's plan: measured by raidai where it can be.
pub struct MilestoneRow {
    pub months: &'static str,
    pub indicator: String,
    pub target: String,
    /// Empty when the inspectors report it.
    pub result: String,
    pub met: &'static str,
    pub missing: Vec<String>,
    pub nums: Option<Scoped>,
}

/// One round's 4P pass rate: units with a paper of those in scope, and how many pass.
pub struct FourPRoundRow {
    pub round: u8,
    pub assessed: String,
    pub passed: String,
    /// Units in scope without a paper (or one where no item applies), "hcode name" each.
    pub missing: Vec<String>,
    pub nums: Scoped,
}

/// Indicator 2 (quality revenue-collection centres) for the year.
pub struct CentreIndicator {
    pub assessed: String,
    pub good: String,
    pub target: String,
    pub met: &'static str,
    /// Units in scope not assessed (counted as not good), "hcode name" each.
    pub missing: Vec<String>,
    pub nums: Scoped,
}

/// Everything the dashboard and its XLSX export show for one fiscal year.
struct Dashboard {
    fy: u16,
    years: Vec<u16>,
    criteria: String,
    rounds: Vec<RoundRow>,
    units: Vec<UnitRiskRow>,
    distribution: Vec<(u8, usize)>,
    any_undefined: bool,
    centres: CentreIndicator,
    four_p: Vec<FourPRoundRow>,
    four_p_target: String,
    milestones: Vec<MilestoneRow>,
    measures: Vec<MeasureRow>,
}

/// A unit's latest scored forms of a year: the revenue centre and the 4P paper.
type LatestForms = (
    Option<(AssessmentKey, RevenueCentreScore)>,
    Option<(AssessmentKey, FourPResult)>,
);

/// The latest round's scores of each unit's assessments in a fiscal year, by unit.
/// Each round's 4P verdicts by unit (`None`: no item applies).
type FourPByRound = BTreeMap<u8, BTreeMap<String, Option<bool>>>;

async fn latest_assessments(
    st: &AppState,
    me: &Actor,
    fy: u16,
) -> Result<(BTreeMap<String, LatestForms>, FourPByRound), AppError> {
    let mut out: BTreeMap<String, LatestForms> = BTreeMap::new();
    let mut rounds = FourPByRound::new();
    // Newest round first, so the first seen per unit and form is the latest.
    for s in st.store.list_assessments(me, None, Some(fy)).await? {
        let entry = out.entry(s.key.hcode.clone()).or_default();
        let taken = match s.key.form {
            FormKind::RevenueCentre => entry.0.is_some(),
            // Every round's 4P paper counts toward that round's pass rate.
            FormKind::FourP => false,
        };
        if taken {
            continue;
        }
        let Some(a) = st.store.get_assessment(me, &s.key).await? else {
            continue;
        };
        let criteria = s.key.criteria();
        match s.key.form {
            FormKind::RevenueCentre => {
                let rc = &criteria.revenue_centre;
                let marks = a.rc_marks();
                let of_form = |form: &str| -> Vec<(String, u8)> {
                    let f = rc.form(form);
                    marks
                        .iter()
                        .filter(|(id, _)| f.is_some_and(|f| f.items.iter().any(|i| &i.id == id)))
                        .cloned()
                        .collect()
                };
                if let Ok(score) =
                    score_revenue_centre(rc, of_form(FORM_4S4C), of_form(FORM_CSMBS_SURVEY))
                {
                    entry.0 = Some((s.key.clone(), score));
                }
            }
            FormKind::FourP => {
                if let Ok(r) = score_four_p(&criteria.four_p, a.four_p_marks()) {
                    rounds
                        .entry(s.key.round)
                        .or_default()
                        .insert(s.key.hcode.clone(), r.passed);
                    if entry.1.is_none() {
                        entry.1 = Some((s.key.clone(), r));
                    }
                }
            }
        }
    }
    Ok((out, rounds))
}

fn form_link(k: &AssessmentKey) -> String {
    format!(
        "/units/{}/assessments/{}/{}/{}",
        k.hcode,
        k.fiscal_year,
        k.round,
        k.form.code()
    )
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{}%", format_decimal_thai(p, 2)))
        .unwrap_or_else(|| "–".into())
}

/// A percentage shown beside its verdict against `limit` %: never rounded onto or across it.
pub(crate) fn pct_beside(v: Option<f64>, limit: f64) -> String {
    v.map(|p| {
        let (x, d) = shown_beside_limit(p, limit);
        format!("{}%", format_decimal_thai(x, d))
    })
    .unwrap_or_else(|| "–".into())
}

fn round_row(t: T, fy: u16, s: &ProvinceRiskSummary) -> RoundRow {
    RoundRow {
        months: s.round_months,
        period_label: period_label(t, u32::from(fy) * 100 + u32::from(s.round_months)),
        units: format_int_thai(s.units as i64),
        unit_count: s.units,
        l7: format!(
            "{} ({})",
            format_int_thai(s.level7.count as i64),
            pct_beside(s.level7.pct, s.level7.target.pct.as_f64())
        ),
        l7_target: format!(
            "{} {}%",
            s.level7.target.cmp.symbol(),
            format_decimal_thai(s.level7.target.pct.as_f64(), 0)
        ),
        l6: format!(
            "{} ({})",
            format_int_thai(s.level6.count as i64),
            pct_beside(s.level6.pct, s.level6.target.pct.as_f64())
        ),
        l6_target: format!(
            "{} {}%",
            s.level6.target.cmp.symbol(),
            format_decimal_thai(s.level6.target.pct.as_f64(), 0)
        ),
        met: match s.met {
            Some(true) => "gov_met",
            Some(false) => "gov_not_met",
            None => "",
        },
    }
}

async fn build_dashboard(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: Option<u16>,
) -> Result<Dashboard, AppError> {
    let mut years = st.store.position_years(me).await?;
    let fy = fy
        .or_else(|| years.first().copied())
        .unwrap_or_else(current_fy);
    if !years.contains(&fy) {
        years.push(fy);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let first = u32::from(fy) * 100 + 1;
    let positions = st.store.positions_in_scope(me, first, first + 11).await?;
    let criteria = criteria_for_period(first);
    let mut by_unit: BTreeMap<String, Vec<(u32, RiskResult)>> = BTreeMap::new();
    for p in &positions {
        if let Ok(r) = p.score() {
            by_unit
                .entry(p.hcode.clone())
                .or_default()
                .push((p.period, r));
        }
    }
    let rounds = criteria
        .risk_score
        .rounds
        .iter()
        .map(|round| {
            let period = first - 1 + u32::from(round.months);
            let results: Vec<RiskResult> = by_unit
                .values()
                .filter_map(|v| v.iter().find(|(p, _)| *p == period).map(|(_, r)| r.clone()))
                .collect();
            round_row(t, fy, &province_levels(&results, round))
        })
        .collect();
    let units = st.store.list_units(me, &UnitQuery::default()).await?;
    let districts: BTreeMap<String, String> = st
        .store
        .list_districts(me)
        .await?
        .into_iter()
        .map(|d| (d.code.clone(), t.pick(&d.name_th, &d.name_en).to_string()))
        .collect();
    let (assessed, four_p_rounds) = latest_assessments(st, me, fy).await?;
    let plans = st.store.plan_types_in_scope(me, fy).await?;
    // TPS of the latest quarter with inputs.
    let mut tps: BTreeMap<String, (u8, raidai_governance::tps::TpsResult)> = BTreeMap::new();
    for q in (1..=4u8).rev() {
        let inputs = st.store.tps_inputs_in_scope(me, fy, q).await?;
        if inputs.is_empty() {
            continue;
        }
        for mut i in inputs {
            // The same province-wide peer medians as the unit's own TPS page.
            let peers = st.store.tps_peer_medians(me, &i.hcode, fy, q).await?;
            if let Some(m) = peers.get(&i.peer_group) {
                i.medians.fill_from(m);
            }
            tps.insert(i.hcode.clone(), (q, tps_score(&i, &criteria.tps)));
        }
        break;
    }
    let efficiency_min = criteria
        .measures
        .iter()
        .find(|m| m.id == "efficiency")
        .and_then(|m| m.unit_threshold);
    let mut distribution = [0usize; 8];
    let mut rows = Vec::new();
    // Every unit a measure is counted over: the hospitals in scope and any unit with data.
    let mut scope: Vec<(String, String)> = Vec::new();
    for u in &units {
        let results = by_unit.get(&u.hcode);
        let forms = assessed.get(&u.hcode);
        if results.is_none()
            && forms.is_none()
            && !plans.contains_key(&u.hcode)
            && !tps.contains_key(&u.hcode)
            && !u.unit_type.is_hospital()
        {
            continue;
        }
        scope.push((u.hcode.clone(), u.name_th.clone()));
        let rc = forms.and_then(|f| f.0.as_ref());
        let fp = forms.and_then(|f| f.1.as_ref());
        let latest = results.and_then(|v| v.last());
        if let Some((_, r)) = latest {
            distribution[usize::from(r.risk_score.min(7))] += 1;
        }
        let trend = (1..=12u32)
            .map(|m| {
                let period = first - 1 + m;
                TrendCell {
                    label: period_label(t, period),
                    level: results
                        .and_then(|v| v.iter().find(|(p, _)| *p == period))
                        .map(|(_, r)| r.risk_score),
                }
            })
            .collect();
        rows.push(UnitRiskRow {
            hcode: u.hcode.clone(),
            name: u.name_th.clone(),
            district: districts.get(&u.district_code).cloned().unwrap_or_default(),
            latest_label: latest.map(|(p, _)| period_label(t, *p)).unwrap_or_default(),
            latest: latest.map(|(_, r)| r.risk_score),
            cr: ratio(latest.and_then(|(_, r)| r.cr)),
            ni: latest
                .map(|(_, r)| baht(r.ni))
                .unwrap_or_else(|| "–".into()),
            cr_value: latest.and_then(|(_, r)| r.cr).map(|h| h.as_f64()),
            ni_satang: latest.map(|(_, r)| r.ni),
            four_p_value: fp.and_then(|(_, r)| r.percent),
            ni_neg: latest.is_some_and(|(_, r)| r.ni < 0),
            undefined: latest.is_some_and(|(_, r)| r.ratios_undefined),
            trend,
            rc_grade: rc
                .map(|(_, s)| format!("{} ({})", s.grade.grade, s.total))
                .unwrap_or_default(),
            rc_link: rc.map(|(k, _)| form_link(k)).unwrap_or_default(),
            rc_good: rc.is_some_and(|(_, s)| s.good_or_better),
            four_p: fp
                .map(|(_, r)| pct_beside(r.percent, criteria.four_p.target_pct.as_f64()))
                .unwrap_or_default(),
            four_p_link: fp.map(|(k, _)| form_link(k)).unwrap_or_default(),
            four_p_passed: fp.is_some_and(|(_, r)| r.passed == Some(true)),
            tps: tps
                .get(&u.hcode)
                .map(|(_, r)| format!("{} ({})", r.grade.grade, r.total.to_fixed_string()))
                .unwrap_or_default(),
            tps_link: tps
                .get(&u.hcode)
                .map(|(q, _)| format!("/units/{}/tps/{fy}/{q}", u.hcode))
                .unwrap_or_default(),
            tps_good: tps
                .get(&u.hcode)
                .is_some_and(|(_, r)| efficiency_min.is_some_and(|min| r.total >= min)),
            plan_type: plans.get(&u.hcode).copied(),
            plan_no_risk: plans
                .get(&u.hcode)
                .is_some_and(|pt| is_no_risk_type(*pt, &criteria.planfin)),
        });
    }
    let named = |c: &ScopedCount<(String, String)>| -> Vec<String> {
        c.missing.iter().map(|(h, n)| format!("{h} {n}")).collect()
    };
    let rc = count_in_scope(&scope, |(h, _)| {
        assessed
            .get(h)
            .and_then(|f| f.0.as_ref())
            .map(|(_, s)| s.good_or_better)
    });
    let share = evaluate_share(rc.met, rc.total, criteria.revenue_centre.good_share);
    let centres = CentreIndicator {
        assessed: format!(
            "{} / {}",
            format_int_thai((rc.total - rc.missing.len()) as i64),
            format_int_thai(rc.total as i64)
        ),
        good: format!(
            "{} ({})",
            format_int_thai(share.count as i64),
            pct_beside(share.pct, share.target.pct.as_f64())
        ),
        target: format!(
            "{} {}%",
            share.target.cmp.symbol(),
            format_decimal_thai(share.target.pct.as_f64(), 0)
        ),
        met: match share.met {
            Some(true) => "gov_met",
            Some(false) => "gov_not_met",
            None => "",
        },
        missing: named(&rc),
        nums: scoped(&rc),
    };
    // 4P: the share of units whose paper passes (≥ the paper's target), per round.
    let four_p_target = criteria.four_p.target_pct.as_f64();
    let four_p = ASSESSMENT_ROUNDS
        .map(|round| {
            let by_unit = four_p_rounds.get(&round);
            let c = count_in_scope(&scope, |(h, _)| {
                by_unit.and_then(|m| m.get(h).copied().flatten())
            });
            let share = (c.total > 0).then(|| c.met as f64 * 100.0 / c.total as f64);
            FourPRoundRow {
                round,
                assessed: format!(
                    "{} / {}",
                    format_int_thai((c.total - c.missing.len()) as i64),
                    format_int_thai(c.total as i64)
                ),
                passed: format!("{} ({})", format_int_thai(c.met as i64), pct(share)),
                missing: named(&c),
                nums: scoped(&c),
            }
        })
        .collect();
    // Small-success milestones of the plan (seed 004): at 3 months every unit has a plan; at
    // 12 months the units' spending passes the 4P paper (its last round). The 6–9-month ones
    // are processes the inspectors report.
    // A plan counts once the chief approved it; a plan not yet approved is "not met".
    let plan_states = st.store.plan_states_in_scope(me, fy).await?;
    let has_plan = count_in_scope(&scope, |(h, _)| {
        plan_states.get(h).map(|state| state == "approved")
    });
    // The 3–5-year financial strategy (policy of seed 004): a unit without one is listed.
    let strategies = st.store.strategy_units_in_scope(me, fy).await?;
    let has_strategy = count_in_scope(&scope, |(h, _)| strategies.contains(h).then_some(true));
    let last_round = *ASSESSMENT_ROUNDS.end();
    let passing = count_in_scope(&scope, |(h, _)| {
        four_p_rounds
            .get(&last_round)
            .and_then(|m| m.get(h).copied().flatten())
    });
    // target: the share of units that must meet it (%), when the plan names one.
    let milestone = |months: &'static str,
                     key: &'static str,
                     c: Option<&ScopedCount<(String, String)>>,
                     target: Option<u32>| {
        let share = c.and_then(|c| (c.total > 0).then(|| c.met as f64 * 100.0 / c.total as f64));
        let limit = f64::from(target.unwrap_or(0));
        MilestoneRow {
            months,
            indicator: t.s(key).to_string(),
            target: target.map(|p| format!("{p}%")).unwrap_or_default(),
            result: c
                .map(|c| {
                    format!(
                        "{} / {} ({})",
                        format_int_thai(c.met as i64),
                        format_int_thai(c.total as i64),
                        pct_beside(share, limit)
                    )
                })
                .unwrap_or_default(),
            met: met_key(c.zip(target).and_then(|(c, p)| {
                (c.total > 0).then(|| c.met as u64 * 100 >= c.total as u64 * u64::from(p))
            })),
            missing: c.map(named).unwrap_or_default(),
            nums: c.map(scoped),
        }
    };
    // The office's own items (1: a person reviews the plans, 2: a process follows plan vs
    // actual) come from its 4P paper, for a province user (one office in scope); the latest
    // round with a mark counts.
    let pho_marks: Vec<BTreeMap<String, raidai_store::governance::ItemMark>> =
        match (&me.role, &me.province_code) {
            (Role::Province, Some(p)) => {
                let mut out = Vec::new();
                for round in ASSESSMENT_ROUNDS.rev() {
                    if let Some(paper) = st.store.pho_paper(me, p, fy, round).await? {
                        out.push(paper.input.marks);
                    }
                }
                out
            }
            _ => Vec::new(),
        };
    let pho_milestone = |months: &'static str, key: &'static str, item: &str| {
        let mark = pho_marks
            .iter()
            .find_map(|m| m.get(item).filter(|m| !m.mark.is_empty()));
        let mut row = milestone(months, key, None, None);
        if let Some(m) = mark {
            row.result = format!(
                "{} {}",
                t.s("gov_pho_paper_mark"),
                if m.mark == "x" { "n/a" } else { &m.mark }
            );
            row.met = met_key(Some(m.mark == "2"));
        }
        row
    };
    let milestones = vec![
        milestone("3", "gov_ms_every_unit_plan", Some(&has_plan), Some(100)),
        pho_milestone("3", "gov_ms_pho_owner", "4p.1"),
        pho_milestone("6–9", "gov_ms_pho_process", "4p.2"),
        milestone("6–9", "gov_ms_plan_vs_actual", None, None),
        milestone("12", "gov_ms_spending_passes", Some(&passing), None),
        milestone("–", "strat_measure", Some(&has_strategy), Some(100)),
    ];
    // The measures raidai can count, over every unit in scope (no data = not met): surplus
    // from the latest positions, TPS, no-risk plans from Planfin; the others are reported by
    // inspectors.
    let measures = criteria
        .measures
        .iter()
        .map(|m| {
            let counted = match m.id.as_str() {
                "budgeting.surplus" => Some(count_in_scope(&scope, |(h, _)| {
                    by_unit.get(h).and_then(|v| v.last()).map(|(_, r)| r.ni > 0)
                })),
                "efficiency" => efficiency_min.map(|min| {
                    count_in_scope(&scope, |(h, _)| tps.get(h).map(|(_, r)| r.total >= min))
                }),
                "budgeting.no_risk_plan" => Some(count_in_scope(&scope, |(h, _)| {
                    plans
                        .get(h)
                        .map(|pt| is_no_risk_type(*pt, &criteria.planfin))
                })),
                _ => None,
            };
            let check = counted.as_ref().and_then(|c| m.evaluate(c.met, c.total));
            MeasureRow {
                name: t.pick(&m.measure_th, &m.measure_en).to_string(),
                indicator: t.pick(&m.indicator_th, &m.indicator_en).to_string(),
                target: match (&m.share, &m.qualitative_th) {
                    (Some(sh), _) => format!(
                        "{} {}%",
                        sh.cmp.symbol(),
                        format_decimal_thai(sh.pct.as_f64(), 0)
                    ),
                    (None, Some(q)) => t
                        .pick(q, m.qualitative_en.as_deref().unwrap_or(""))
                        .to_string(),
                    _ => String::new(),
                },
                result: match &check {
                    Some(c) => format!(
                        "{} / {} ({})",
                        format_int_thai(c.count as i64),
                        format_int_thai(c.total as i64),
                        pct_beside(c.pct, c.target.pct.as_f64())
                    ),
                    None => String::new(),
                },
                met: met_key(check.as_ref().and_then(|c| c.met)),
                missing: counted.as_ref().map(named).unwrap_or_default(),
                id: m.id.clone(),
                nums: counted.as_ref().map(scoped),
            }
        })
        .collect();
    // Worst first: that is where an inspector starts.
    rows.sort_by(|a, b| b.latest.cmp(&a.latest).then(a.hcode.cmp(&b.hcode)));
    Ok(Dashboard {
        fy,
        years,
        criteria: format!(
            "{} ({})",
            t.pick(&criteria.title_th, &criteria.title_en),
            criteria.version
        ),
        rounds,
        distribution: (0..8u8)
            .map(|l| (l, distribution[usize::from(l)]))
            .collect(),
        any_undefined: rows.iter().any(|r| r.undefined),
        units: rows,
        centres,
        four_p,
        milestones,
        four_p_target: format!("≥ {}%", format_decimal_thai(four_p_target, 0)),
        measures,
    })
}

#[derive(Template)]
#[template(path = "gov/dashboard.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
    fy_label: String,
    years: Vec<(u16, String)>,
    can_import: bool,
    errors: Errors,
    imported: String,
}

fn sees_dashboard(me: &Actor) -> bool {
    matches!(me.role, Role::Admin | Role::Province | Role::District)
}

async fn dashboard_page(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: Option<u16>,
    errors: Vec<FieldError>,
    imported: String,
) -> Result<DashboardPage, AppError> {
    let d = build_dashboard(st, t, me, fy).await?;
    Ok(DashboardPage {
        l: Layout::new(t, Some(me), t.s("gov_title"), "governance"),
        fy_label: fy_label(t, d.fy),
        years: d.years.iter().map(|y| (*y, fy_label(t, *y))).collect(),
        can_import: matches!(me.role, Role::Admin | Role::Province),
        errors: Errors::new(t, errors),
        imported,
        d,
    })
}

pub async fn dashboard(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        // A unit's own people go to their unit's figures.
        return match &me.hcode {
            Some(h) => Ok(Redirect::to(&format!("/units/{h}/finance")).into_response()),
            None => Err(AppError::Forbidden),
        };
    }
    render(&dashboard_page(&st, t, &me, q.fy, vec![], String::new()).await?)
}

/// API twin of the dashboard: every count over the units in scope as numbers, with the codes of
/// the units without data.
pub async fn dashboard_json(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        return Ok(AppError::Forbidden.into_json());
    }
    let d = build_dashboard(&st, t, &me, q.fy).await?;
    Ok(axum::Json(serde_json::json!({
        "fy": d.fy,
        "criteria": d.criteria,
        "measures": d.measures.iter().map(|m| serde_json::json!({
            "id": m.id, "name": m.name, "indicator": m.indicator, "target": m.target,
            "met": verdict(m.met),
            "counted": m.nums,
        })).collect::<Vec<_>>(),
        "revenue_centres": d.centres.nums,
        "four_p": d.four_p.iter().map(|r| serde_json::json!({ "round": r.round, "passing": r.nums })).collect::<Vec<_>>(),
        "milestones": d.milestones.iter().map(|m| serde_json::json!({
            "months": m.months, "indicator": m.indicator, "target": m.target,
            "met": verdict(m.met),
            "counted": m.nums,
        })).collect::<Vec<_>>(),
        "units": d.units.iter().map(|u| serde_json::json!({
            "hcode": u.hcode, "risk_level": u.latest, "cr": u.cr_value, "ni_satang": u.ni_satang,
            "four_p_percent": u.four_p_value, "plan_type": u.plan_type,
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// Ratio items for many units at once (HFO's published figures), by the province or an admin.
pub async fn import_ratio_items(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    req: Request,
) -> Result<Response, AppError> {
    if !matches!(me.role, Role::Admin | Role::Province) {
        return Err(AppError::Forbidden);
    }
    let (_, file) = multipart_for(&st, req).await?;
    let result = if file.is_empty() {
        Err(StoreError::field(
            "file",
            "choose a CSV file",
            "กรุณาเลือกไฟล์ CSV",
        ))
    } else {
        match parse_positions_csv(&file) {
            Ok(rows) => st.store.import_positions(&me, &rows, 2).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(n) => {
            render(&dashboard_page(&st, t, &me, None, vec![], format_int_thai(n as i64)).await?)
        }
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &dashboard_page(&st, t, &me, None, errs, String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The dashboard as a workbook: the indicator per round and every unit's monthly levels.
pub async fn dashboard_xlsx(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        return Err(AppError::Forbidden);
    }
    let d = build_dashboard(&st, t, &me, q.fy).await?;
    let bytes = dashboard_workbook(t, &d).map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    let name = format!("risk-score-{}.xlsx", d.fy);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn dashboard_workbook(t: T, d: &Dashboard) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let two_dp = Format::new().set_num_format("0.00");
    let money = Format::new().set_num_format("#,##0.00");
    let percent = Format::new().set_num_format("0.00%");
    let ind = wb.add_worksheet();
    ind.set_name(if t.is_en() {
        "Indicator"
    } else {
        "ตัวชี้วัด"
    })?;
    ind.write_string_with_format(0, 0, t.s("gov_indicator_crisis"), &bold)?;
    ind.write_string(1, 0, format!("{} · {}", fy_label(t, d.fy), d.criteria))?;
    let head = [
        t.s("gov_round"),
        t.s("gov_period"),
        t.s("gov_units_counted"),
        t.s("gov_level7_share"),
        t.s("gov_target"),
        t.s("gov_level6_share"),
        t.s("gov_target"),
        t.s("gov_result"),
    ];
    for (c, h) in head.iter().enumerate() {
        ind.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    for (i, r) in d.rounds.iter().enumerate() {
        let row = 4 + i as u32;
        ind.write_number(row, 0, f64::from(r.months))?;
        ind.write_string(row, 1, &r.period_label)?;
        ind.write_number(row, 2, r.unit_count as f64)?;
        ind.write_string(row, 3, &r.l7)?;
        ind.write_string(row, 4, &r.l7_target)?;
        ind.write_string(row, 5, &r.l6)?;
        ind.write_string(row, 6, &r.l6_target)?;
        ind.write_string(row, 7, if r.met.is_empty() { "–" } else { t.s(r.met) })?;
    }
    let row = 5 + d.rounds.len() as u32;
    ind.write_string_with_format(row, 0, t.s("gov_indicator_centres"), &bold)?;
    ind.write_string(row + 1, 0, t.s("gov_assessed_units"))?;
    ind.write_string(row + 1, 2, &d.centres.assessed)?;
    ind.write_string(row + 2, 0, t.s("gov_good_centres"))?;
    ind.write_string(row + 2, 2, &d.centres.good)?;
    ind.write_string(row + 2, 4, &d.centres.target)?;
    ind.write_string(
        row + 2,
        7,
        if d.centres.met.is_empty() {
            "–"
        } else {
            t.s(d.centres.met)
        },
    )?;
    if !d.centres.missing.is_empty() {
        ind.write_string(
            row + 3,
            0,
            format!(
                "{} ({}): {}",
                t.s("gov_no_data_units"),
                d.centres.missing.len(),
                d.centres.missing.join(", ")
            ),
        )?;
    }
    let mut row = row + 4;
    ind.write_string_with_format(
        row,
        0,
        format!("{} ({})", t.s("gov_four_p_pass_rate"), d.four_p_target),
        &bold,
    )?;
    for r in &d.four_p {
        row += 1;
        ind.write_string(row, 0, format!("{} {}", t.s("gov_round_n"), r.round))?;
        ind.write_string(row, 2, &r.assessed)?;
        ind.write_string(row, 3, &r.passed)?;
        if !r.missing.is_empty() {
            ind.write_string(
                row,
                4,
                format!(
                    "{} ({}): {}",
                    t.s("gov_no_data_units"),
                    r.missing.len(),
                    r.missing.join(", ")
                ),
            )?;
        }
    }
    row += 2;
    ind.write_string_with_format(row, 0, t.s("gov_measures"), &bold)?;
    for m in &d.measures {
        row += 1;
        ind.write_string(row, 0, &m.name)?;
        ind.write_string(row, 1, &m.indicator)?;
        ind.write_string(row, 4, &m.target)?;
        ind.write_string(
            row,
            5,
            if m.result.is_empty() {
                t.s("gov_reported_by_inspectors")
            } else {
                &m.result
            },
        )?;
        if !m.met.is_empty() {
            ind.write_string(row, 7, t.s(m.met))?;
        }
        if !m.missing.is_empty() {
            ind.write_string(
                row,
                8,
                format!(
                    "{} ({}): {}",
                    t.s("gov_no_data_units"),
                    m.missing.len(),
                    m.missing.join(", ")
                ),
            )?;
        }
    }
    ind.set_column_width(0, 10)?;
    ind.set_column_width(1, 14)?;
    ind.set_column_width(3, 14)?;
    ind.set_column_width(5, 14)?;

    let units = wb.add_worksheet();
    units.set_name(if t.is_en() {
        "Units"
    } else {
        "หน่วยบริการ"
    })?;
    let mut head: Vec<String> = vec![
        t.s("hcode").into(),
        t.s("name").into(),
        t.s("district").into(),
        t.s("gov_latest").into(),
        t.s("gov_risk_level").into(),
        t.s("gov_cr").into(),
        t.s("gov_ni").into(),
        t.s("gov_rc_grade").into(),
        t.s("gov_four_p_pct").into(),
    ];
    if let Some(first) = d.units.first() {
        head.extend(first.trend.iter().map(|c| c.label.clone()));
    }
    for (c, h) in head.iter().enumerate() {
        units.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (i, u) in d.units.iter().enumerate() {
        let row = 1 + i as u32;
        units.write_string(row, 0, &u.hcode)?;
        units.write_string(row, 1, &u.name)?;
        units.write_string(row, 2, &u.district)?;
        units.write_string(row, 3, &u.latest_label)?;
        if let Some(l) = u.latest {
            units.write_number(row, 4, f64::from(l))?;
        }
        // Figures as numbers (a spreadsheet sums and sorts them), formatted as on the page.
        if let Some(cr) = u.cr_value {
            units.write_number_with_format(row, 5, cr, &two_dp)?;
        }
        if let Some(ni) = u.ni_satang {
            units.write_number_with_format(row, 6, ni as f64 / 100.0, &money)?;
        }
        units.write_string(row, 7, &u.rc_grade)?;
        if let Some(p) = u.four_p_value {
            units.write_number_with_format(row, 8, p / 100.0, &percent)?;
        }
        for (k, c) in u.trend.iter().enumerate() {
            if let Some(l) = c.level {
                units.write_number(row, 9 + k as u16, f64::from(l))?;
            }
        }
    }
    units.set_column_width(1, 32)?;
    units.set_column_width(2, 18)?;
    units.set_column_width(6, 16)?;
    wb.save_to_buffer()
}

// ---------------------------------------------------------------------------------------------
// Assessments: 4S4C + CSMBS survey and 4P, with evidence
// ---------------------------------------------------------------------------------------------

fn form_kind(code: &str) -> Result<FormKind, AppError> {
    FormKind::parse(code).ok_or(AppError::NotFound)
}

fn form_title(t: T, form: FormKind) -> &'static str {
    t.s(match form {
        FormKind::RevenueCentre => "gov_form_rc",
        FormKind::FourP => "gov_form_4p",
    })
}

pub(crate) fn be_date(t: T, iso: Option<&str>) -> String {
    iso.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| {
            if t.is_en() {
                raidai_domain::calendar::format_en_short(d)
            } else {
                raidai_domain::calendar::format_be_long(d)
            }
        })
        .unwrap_or_default()
}

pub(crate) fn file_size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", format_decimal_thai(n as f64 / 1_048_576.0, 1))
    } else {
        format!(
            "{} KB",
            format_decimal_thai((n as f64 / 1024.0).max(0.1), 1)
        )
    }
}

pub struct EvidenceView {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub uploaded: String,
}

/// One row of an assessment form as shown and printed.
pub struct ItemView {
    pub id: String,
    pub number: String,
    /// The parent heading, shown once above its first sub-item.
    pub heading: String,
    pub text: String,
    pub evidence_hint: String,
    pub mark: String,
    pub note: String,
    pub files: Vec<EvidenceView>,
    /// A measured figure and the mark it suggests (GOVERNANCE §E); the assessor still chooses.
    pub suggestion: String,
    /// The chosen mark is not the suggested one: shown, and kept only with a reason (the note).
    pub differs: bool,
}

pub struct GroupView {
    pub number: String,
    pub label: String,
    pub points: String,
    pub items: Vec<ItemView>,
}

pub struct SectionView {
    pub title: String,
    pub points: String,
    pub groups: Vec<GroupView>,
}

/// The scored summary line of a form.
pub struct ScoreView {
    pub total: String,
    pub percent: String,
    pub grade: String,
    pub passed: Option<bool>,
    pub unmarked: usize,
}

/// A 4P paper or 4S4C form as shown and printed: a unit's, or the provincial office's own.
#[derive(Template)]
#[template(path = "gov/assessment.html")]
pub(crate) struct AssessmentPage {
    pub(crate) l: Layout,
    pub(crate) subject_name: String,
    pub(crate) subject_code: String,
    /// The form's own URL (GET shows it, POST saves it, /print prints it).
    pub(crate) form_url: String,
    pub(crate) list_url: String,
    pub(crate) list_label: &'static str,
    /// Evidence files are fetched at `{evidence_url}/{id}`.
    pub(crate) evidence_url: String,
    pub(crate) can_attach: bool,
    pub(crate) fy_label: String,
    pub(crate) round: u8,
    pub(crate) title: String,
    pub(crate) is_four_p: bool,
    pub(crate) marks: Vec<(&'static str, &'static str)>,
    pub(crate) sections: Vec<SectionView>,
    pub(crate) score: ScoreView,
    pub(crate) assessor: String,
    pub(crate) assessed_on: String,
    pub(crate) assessed_on_be: String,
    pub(crate) reviewer_summary: String,
    pub(crate) criteria: String,
    pub(crate) exists: bool,
    pub(crate) can_write: bool,
    pub(crate) errors: Errors,
    pub(crate) print: bool,
    pub(crate) item_choices: Vec<(String, String)>,
    /// The 4P paper's header fields (name, label, value) and its three questions with answers.
    pub(crate) paper_fields: Vec<(&'static str, &'static str, String)>,
    pub(crate) paper_started: String,
    pub(crate) paper_started_be: String,
    pub(crate) questions: Vec<(usize, String, String)>,
    /// 4P counts: items marked 2 (n1), 1 (n2), 0 (n3), n/a.
    pub(crate) counts: Option<(usize, usize, usize, usize)>,
}

/// The 4P paper's header fields, its three questions with answers and its n1/n2/n3 counts.
pub(crate) type PaperParts = (
    Vec<(&'static str, &'static str, String)>,
    Vec<(usize, String, String)>,
    Option<(usize, usize, usize, usize)>,
);

pub(crate) fn paper_parts(t: T, input: &AssessmentInput) -> PaperParts {
    let p = &input.paper;
    let fields = vec![
        (
            "paper.doc_no",
            "gov_paper_doc_no",
            if p.doc_no.is_empty() {
                "ตร.๐๑".to_string()
            } else {
                p.doc_no.clone()
            },
        ),
        ("paper.revision", "gov_paper_revision", p.revision.clone()),
        (
            "paper.responsible_unit",
            "gov_paper_responsible_unit",
            p.responsible_unit.clone(),
        ),
        (
            "paper.responsible_person",
            "gov_paper_responsible_person",
            p.responsible_person.clone(),
        ),
        ("paper.period", "gov_paper_period", p.period.clone()),
    ];
    let questions = PAPER_QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, (th, en))| {
            (
                i + 1,
                t.pick(th, en).to_string(),
                p.answers.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let n = |m: &str| input.marks.values().filter(|x| x.mark == m).count();
    (fields, questions, Some((n("2"), n("1"), n("0"), n("x"))))
}

/// The form's fields as a user sent them (marks, notes, the paper's header and answers).
pub(crate) fn input_from_form(f: Vec<(String, String)>) -> AssessmentInput {
    let mut input = AssessmentInput::default();
    for (k, v) in f {
        match k.as_str() {
            "assessor" => input.assessor = v,
            "assessed_on" => {
                input.assessed_on = Some(v.trim().to_string()).filter(|d| !d.is_empty())
            }
            "reviewer_summary" => input.reviewer_summary = v,
            "paper.doc_no" => input.paper.doc_no = v.trim().to_string(),
            "paper.revision" => input.paper.revision = v.trim().to_string(),
            "paper.started_on" => input.paper.started_on = v.trim().to_string(),
            "paper.responsible_unit" => input.paper.responsible_unit = v.trim().to_string(),
            "paper.responsible_person" => input.paper.responsible_person = v.trim().to_string(),
            "paper.period" => input.paper.period = v.trim().to_string(),
            _ if k.starts_with("answer.") => {
                // answer.1 … answer.3, in order.
                let i: usize = k[7..].parse().unwrap_or(0);
                if (1..=PAPER_QUESTIONS.len()).contains(&i) {
                    if input.paper.answers.len() < i {
                        input.paper.answers.resize(i, String::new());
                    }
                    input.paper.answers[i - 1] = v.trim().to_string();
                }
            }
            _ => {
                if let Some(id) = k.strip_prefix("mark.") {
                    input.marks.entry(id.to_string()).or_default().mark = v.trim().to_string();
                } else if let Some(id) = k.strip_prefix("note.") {
                    input.marks.entry(id.to_string()).or_default().note = v;
                }
            }
        }
    }
    input
}

/// The marks a form offers.
pub(crate) fn mark_choices(form: FormKind) -> Vec<(&'static str, &'static str)> {
    match form {
        FormKind::RevenueCentre => vec![("2", "2"), ("0", "0")],
        FormKind::FourP => vec![("2", "2"), ("1", "1"), ("0", "0"), ("x", "n/a")],
    }
}

fn files_for(t: T, files: &[EvidenceMeta], id: &str) -> Vec<EvidenceView> {
    files
        .iter()
        .filter(|f| f.item_id == id)
        .map(|f| EvidenceView {
            id: f.id.clone(),
            filename: f.filename.clone(),
            size: file_size(f.size),
            uploaded: datetime(t, f.uploaded_at),
        })
        .collect()
}

/// Lays out the form from the criteria and scores it with the engine.
fn assessment_view(
    t: T,
    key: &AssessmentKey,
    input: &AssessmentInput,
    files: &[EvidenceMeta],
) -> Result<(Vec<SectionView>, ScoreView), AppError> {
    let criteria = key.criteria();
    let get = |id: &str| input.marks.get(id).cloned().unwrap_or_default();
    match key.form {
        FormKind::RevenueCentre => {
            let rc = &criteria.revenue_centre;
            // A draft being corrected may hold refused marks: score only the valid ones.
            let marks: Vec<(String, u8)> = input
                .marks
                .iter()
                .filter_map(|(id, m)| m.mark.parse::<u8>().ok().map(|v| (id.clone(), v)))
                .filter(|(id, v)| {
                    rc.forms
                        .iter()
                        .flat_map(|f| &f.items)
                        .any(|i| &i.id == id && (*v == 0 || *v == i.max))
                })
                .collect();
            let of_form = |form: &str| -> Vec<(String, u8)> {
                let ids: Vec<&str> = rc
                    .form(form)
                    .map(|f| f.items.iter().map(|i| i.id.as_str()).collect())
                    .unwrap_or_default();
                marks
                    .iter()
                    .filter(|(id, _)| ids.contains(&id.as_str()))
                    .cloned()
                    .collect()
            };
            let score = score_revenue_centre(rc, of_form(FORM_4S4C), of_form(FORM_CSMBS_SURVEY))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let sections = [
                (&score.four_s_four_c, FORM_4S4C),
                (&score.csmbs_survey, FORM_CSMBS_SURVEY),
            ]
            .into_iter()
            .filter_map(|(fs, id)| {
                let form = rc.form(id)?;
                Some(SectionView {
                    title: t.pick(&form.title_th, &form.title_en).to_string(),
                    points: format!("{} / {}", fs.points, fs.max),
                    groups: form
                        .groups
                        .iter()
                        .map(|g| {
                            let gs = fs.groups.iter().find(|x| x.id == g.id);
                            let mut last_heading = String::new();
                            GroupView {
                                number: g.number.clone(),
                                label: t.pick(&g.label_th, &g.label_en).to_string(),
                                points: format!("{} / {}", gs.map_or(0, |x| x.points), g.max),
                                items: form
                                    .items
                                    .iter()
                                    .filter(|i| i.group == g.id)
                                    .map(|i| {
                                        let h = t
                                            .pick(
                                                i.heading_th.as_deref().unwrap_or(""),
                                                i.heading_en.as_deref().unwrap_or(""),
                                            )
                                            .to_string();
                                        let heading = if h != last_heading {
                                            last_heading = h.clone();
                                            h
                                        } else {
                                            String::new()
                                        };
                                        let m = get(&i.id);
                                        ItemView {
                                            id: i.id.clone(),
                                            number: i.number.clone(),
                                            heading,
                                            text: t.pick(&i.text_th, &i.text_en).to_string(),
                                            evidence_hint: t
                                                .pick(&i.evidence_th, &i.evidence_en)
                                                .to_string(),
                                            mark: m.mark,
                                            note: m.note,
                                            files: files_for(t, files, &i.id),
                                            suggestion: String::new(),
                                            differs: false,
                                        }
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                })
            })
            .collect();
            Ok((
                sections,
                ScoreView {
                    total: format!("{} / {}", score.total, score.max),
                    percent: format!(
                        "{}%",
                        format_decimal_thai(
                            f64::from(score.total) * 100.0 / f64::from(score.max.max(1)),
                            2
                        )
                    ),
                    grade: format!(
                        "{} ({})",
                        score.grade.grade,
                        t.pick(&score.grade.label_th, &score.grade.label_en)
                    ),
                    passed: Some(score.good_or_better),
                    unmarked: score.four_s_four_c.unmarked.len()
                        + score.csmbs_survey.unmarked.len(),
                },
            ))
        }
        FormKind::FourP => four_p_sections(t, &criteria.four_p, input, files),
    }
}

/// Lays out a 4P paper over `fp`'s items (all of them, or the provincial office's) and scores it.
pub(crate) fn four_p_sections(
    t: T,
    fp: &FourPCriteria,
    input: &AssessmentInput,
    files: &[EvidenceMeta],
) -> Result<(Vec<SectionView>, ScoreView), AppError> {
    let get = |id: &str| input.marks.get(id).cloned().unwrap_or_default();
    let marks: Vec<(String, FourPMark)> = input
        .marks
        .iter()
        .filter_map(|(id, m)| m.mark.parse().ok().map(|v| (id.clone(), v)))
        .filter(|(id, _)| fp.items.iter().any(|i| &i.id == id))
        .collect();
    let r = score_four_p(fp, marks).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut groups: Vec<GroupView> = Vec::new();
    for i in &fp.items {
        let (th, en) = fp.group_label(&i.group);
        let label = t.pick(th, en).to_string();
        if groups.last().is_none_or(|g| g.label != label) {
            groups.push(GroupView {
                number: String::new(),
                label,
                points: String::new(),
                items: Vec::new(),
            });
        }
        let m = get(&i.id);
        if let Some(g) = groups.last_mut() {
            g.items.push(ItemView {
                id: i.id.clone(),
                number: i.number.clone(),
                heading: String::new(),
                text: t.pick(&i.text_th, &i.text_en).to_string(),
                evidence_hint: String::new(),
                mark: m.mark,
                note: m.note,
                files: files_for(t, files, &i.id),
                suggestion: String::new(),
                differs: false,
            });
        }
    }
    Ok((
        vec![SectionView {
            title: form_title(t, FormKind::FourP).to_string(),
            points: format!("{} / {}", r.sum, r.max_points),
            groups,
        }],
        ScoreView {
            total: format!("{} / {}", r.sum, r.max_points),
            percent: pct_beside(r.percent, r.target_pct.as_f64()),
            grade: format!(
                "{} ≥ {}%",
                t.s("gov_target"),
                format_decimal_thai(r.target_pct.as_f64(), 0)
            ),
            passed: r.passed,
            unmarked: r.unmarked.len(),
        },
    ))
}

/// Suggested marks for the 4S4C collection-period items (2.4) from the unit's measured
/// collection days: the trial balance of the latest period of the round (month ≤ 6 × round),
/// else raidai's receivable ledger for that period. Keyed by item id.
async fn collection_suggestions(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    let fy = u32::from(key.fiscal_year);
    let last = fy * 100 + u32::from(key.round) * 6;
    let Some(period) = st
        .store
        .list_positions(me, &key.hcode)
        .await?
        .into_iter()
        .map(|p| p.period)
        .filter(|p| p / 100 == fy && *p <= last)
        .max()
    else {
        return Ok(BTreeMap::new());
    };
    let Some(f) = st.store.seven_plus_figures(me, &key.hcode, period).await? else {
        return Ok(BTreeMap::new());
    };
    let r = seven_plus(&f.input, &criteria_for_period(period).seven_plus);
    let ledger = st.store.ledger_collection(me, &key.hcode, period).await?;
    use raidai_governance::seven_plus::SevenPlusIndicator as I;
    let pick = |ind: I, fund: &str| {
        r.get(ind).and_then(|i| i.value).or_else(|| {
            if ledger.visits > 0 {
                ledger.days(fund)
            } else {
                None
            }
        })
    };
    let days = CollectionDays {
        uc: pick(I::AcpUc, "UC"),
        csmbs: pick(I::AcpCsmbs, "CSMBS"),
        sss: pick(I::AcpSss, "SSS"),
    };
    let label = period_label(t, period);
    let sss_note = key
        .criteria()
        .collection_limit_note(CollectionFund::Sss)
        .map(|(th, en)| t.pick(&th, &en).to_string());
    let sss_items: Vec<&str> = key
        .criteria()
        .revenue_centre
        .forms
        .iter()
        .flat_map(|f| &f.items)
        .filter(|i| {
            matches!(
                i.auto_check,
                Some(AutoCheck::CollectionDays {
                    fund: CollectionFund::Sss,
                    ..
                })
            )
        })
        .map(|i| i.id.as_str())
        .collect();
    Ok(suggest_marks(&key.criteria().revenue_centre, days)
        .into_iter()
        .map(|s| {
            let mut reason = t.pick(&s.reason_th, &s.reason_en).to_string();
            if let Some(n) = sss_note
                .as_ref()
                .filter(|_| sss_items.contains(&s.item_id.as_str()))
            {
                reason = format!("{reason} ({n})");
            }
            (
                s.item_id,
                (
                    format!(
                        "{} ({label}) → {} {}",
                        reason,
                        t.s("gov_suggested_mark"),
                        s.mark
                    ),
                    s.mark,
                ),
            )
        })
        .collect())
}

/// Measured suggestions by item id: the text shown and the mark suggested.
type Suggestions = BTreeMap<String, (String, u8)>;

async fn suggestions_for(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    match key.form {
        FormKind::RevenueCentre => collection_suggestions(st, t, me, key).await,
        FormKind::FourP => q2_suggestions(st, t, me, key).await,
    }
}

/// A chosen mark (`"2"`, `"x"` for n/a, `""` unmarked) that is not the measured one.
fn mark_differs(chosen: &str, suggested: u8) -> bool {
    !chosen.is_empty() && chosen.parse::<u8>().ok() != Some(suggested)
}

/// Suggested marks for 4P items 4.1 (revenue) and 4.2 (expense) from the unit's Planfin plan
/// and actuals: the Q2 rule, once the Q2 months are closed. Keyed by item id.
async fn q2_suggestions(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    let Some(y) = st
        .store
        .get_plan_year(me, &key.hcode, key.fiscal_year)
        .await?
    else {
        return Ok(BTreeMap::new());
    };
    let c = &key.criteria().planfin;
    let Some(q2) = plan_vs_actual(&y.plan, &y.actuals, c).q2 else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (id, side, plan, actual, label) in [
        (
            "4p.4.1",
            PlanSide::Revenue,
            q2.plan_revenue,
            q2.actual_revenue,
            "gov_q2_revenue",
        ),
        (
            "4p.4.2",
            PlanSide::Expense,
            q2.plan_expense,
            q2.actual_expense,
            "gov_q2_expense",
        ),
    ] {
        let s = suggest_q2_mark(side, plan, actual, q2.threshold_pct);
        let (Some(pct), Some(points)) = (s.pct_of_plan, s.mark.points(&key.criteria().four_p))
        else {
            continue;
        };
        out.insert(
            id.to_string(),
            (
                format!(
                    "{} {}% {} · {} ≥ {}% → {} {}",
                    t.s(label),
                    pct_beside(Some(pct), s.threshold_pct.as_f64()).trim_end_matches('%'),
                    t.s("gov_q2_of_plan"),
                    t.s("gov_sp_target"),
                    format_decimal_thai(s.threshold_pct.as_f64(), 0),
                    t.s("gov_suggested_mark"),
                    s.mark
                ),
                points,
            ),
        );
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn assessment_page(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
    draft: Option<AssessmentInput>,
    errors: Vec<FieldError>,
    flash: String,
    print: bool,
) -> Result<AssessmentPage, AppError> {
    let u = st.store.get_unit(me, &key.hcode).await?;
    let stored = st.store.get_assessment(me, key).await?;
    let files = st.store.list_evidence(me, key).await?;
    let exists = stored.is_some();
    let input = draft
        .or_else(|| stored.map(|a| a.input))
        .unwrap_or_default();
    let (mut sections, score) = assessment_view(t, key, &input, &files)?;
    let criteria = key.criteria();
    {
        let suggestions = suggestions_for(st, t, me, key).await?;
        for it in sections
            .iter_mut()
            .flat_map(|s| s.groups.iter_mut().flat_map(|g| g.items.iter_mut()))
        {
            if let Some((text, mark)) = suggestions.get(&it.id) {
                it.suggestion = text.clone();
                it.differs = mark_differs(&it.mark, *mark);
            }
        }
    }
    let item_choices = sections
        .iter()
        .flat_map(|s| s.groups.iter().flat_map(|g| g.items.iter()))
        .map(|i| (i.id.clone(), format!("{} {}", i.number, i.text)))
        .collect();
    let title = form_title(t, key.form);
    let p = &input.paper;
    let is_four_p = key.form == FormKind::FourP;
    let (paper_fields, questions, counts) = if is_four_p {
        paper_parts(t, &input)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let form_url = format!(
        "/units/{}/assessments/{}/{}/{}",
        key.hcode,
        key.fiscal_year,
        key.round,
        key.form.code()
    );
    Ok(AssessmentPage {
        paper_started: p.started_on.clone(),
        paper_started_be: be_date(t, Some(p.started_on.as_str()).filter(|d| !d.is_empty())),
        paper_fields,
        questions,
        counts,
        l: Layout::new(t, Some(me), format!("{title} · {}", u.name_th), "finance")
            .with_flash(flash),
        fy_label: fy_label(t, key.fiscal_year),
        round: key.round,
        title: title.to_string(),
        is_four_p,
        marks: mark_choices(key.form),
        subject_name: u.name_th.clone(),
        subject_code: u.hcode.clone(),
        form_url,
        list_url: format!("/units/{}/assessments", u.hcode),
        list_label: "gov_assessments",
        evidence_url: format!("/units/{}/evidence", u.hcode),
        can_attach: true,
        sections,
        score,
        assessed_on_be: be_date(t, input.assessed_on.as_deref()),
        assessed_on: input.assessed_on.clone().unwrap_or_default(),
        assessor: input.assessor,
        reviewer_summary: input.reviewer_summary,
        criteria: format!(
            "{} ({})",
            t.pick(&criteria.title_th, &criteria.title_en),
            criteria.version
        ),
        exists,
        can_write: can_write(me) && !print,
        errors: Errors::new(t, errors),
        print,
        item_choices,
    })
}

type KeyPath = Path<(String, u16, u8, String)>;

fn key_of(Path((hcode, fy, round, form)): KeyPath) -> Result<AssessmentKey, AppError> {
    Ok(AssessmentKey {
        hcode,
        fiscal_year: fy,
        round,
        form: form_kind(&form)?,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn assessment(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    path: KeyPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    let flash = if q.saved.is_some() {
        t.s("gov_saved").to_string()
    } else {
        String::new()
    };
    render(&assessment_page(&st, t, &me, &key, None, vec![], flash, false).await?)
}

pub async fn assessment_print(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    path: KeyPath,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    render(&assessment_page(&st, t, &me, &key, None, vec![], String::new(), true).await?)
}

pub async fn assessment_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    path: KeyPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    let input = input_from_form(f);
    // A mark against what raidai measured is kept only with the assessor's reason.
    st.store.get_unit(&me, &key.hcode).await?;
    let suggestions = suggestions_for(&st, t, &me, &key).await?;
    let unexplained: Vec<FieldError> = input
        .marks
        .iter()
        .filter_map(|(id, m)| {
            let (_, mark) = suggestions.get(id)?;
            (mark_differs(&m.mark, *mark) && m.note.trim().is_empty()).then(|| {
                FieldError::new(
                    &format!("note.{id}"),
                    format!("item {id}: mark {} differs from the measured {mark}; give the reason in the note", m.mark),
                    format!(
                        "ข้อ {id}: คะแนน {} ต่างจากที่ระบบวัดได้ ({mark}) ต้องระบุเหตุผลในหมายเหตุ",
                        m.mark
                    ),
                )
            })
        })
        .collect();
    let saved = if unexplained.is_empty() {
        st.store.save_assessment(&me, &key, &input).await
    } else {
        Err(StoreError::Invalid(unexplained))
    };
    match saved {
        Ok(_) => {
            let url = format!(
                "/units/{}/assessments/{}/{}/{}?saved=1",
                key.hcode,
                key.fiscal_year,
                key.round,
                key.form.code()
            );
            Ok(Redirect::to(&url).into_response())
        }
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &assessment_page(&st, t, &me, &key, Some(input), errs, String::new(), false).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn evidence_upload(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    path: KeyPath,
    req: Request,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    st.store.get_unit(&me, &key.hcode).await?;
    if !can_write(&me) {
        return Err(AppError::Forbidden);
    }
    let (fields, filename, data) = multipart_upload(&st, req).await?;
    let item = fields.get("item_id").cloned().unwrap_or_default();
    match st
        .store
        .add_evidence(&me, &key, &item, &filename, &data)
        .await
    {
        Ok(m) => render(
            &assessment_page(
                &st,
                t,
                &me,
                &key,
                None,
                vec![],
                format!("{} {}", t.s("gov_evidence_added"), m.filename),
                false,
            )
            .await?,
        ),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &assessment_page(&st, t, &me, &key, None, errs, String::new(), false).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A multipart upload's text fields, file name and bytes (call only after the caller may write).
pub(crate) async fn multipart_upload(
    st: &AppState,
    req: Request,
) -> Result<(BTreeMap<String, String>, String, Vec<u8>), AppError> {
    let mp = Multipart::from_request(req, st).await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("expected a file upload: {e}"),
            "ต้องแนบไฟล์",
        )])
    })?;
    read_upload(mp).await
}

/// Text fields, the file's name and its bytes; the body limit of the router bounds the size,
/// the store checks the 10 MB evidence limit.
async fn read_upload(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, String, Vec<u8>), AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("upload failed: {e}"),
            "อัปโหลดไฟล์ไม่สำเร็จ",
        )])
    };
    let mut fields = BTreeMap::new();
    let (mut name, mut data) = (String::new(), Vec::new());
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        let field = f.name().unwrap_or_default().to_string();
        if field == "file" {
            name = f.file_name().unwrap_or_default().to_string();
            data = f.bytes().await.map_err(bad)?.to_vec();
        } else {
            fields.insert(field, f.text().await.map_err(bad)?);
        }
    }
    Ok((fields, name, data))
}

/// A download's Content-Disposition: RFC 5987 name for Thai file names, the plain fallback
/// ASCII only.
pub(crate) fn attachment_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
}

/// Serves an evidence file; the store checks the caller's tenancy on every request.
pub async fn evidence_download(
    State(st): State<AppState>,
    Me(me): Me,
    Path((hcode, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (meta, data) = st.store.get_evidence(&me, &hcode, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                attachment_disposition(&meta.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}

pub struct AssessmentRow {
    pub fy: u16,
    pub fy_label: String,
    pub round: u8,
    pub form: &'static str,
    pub title: String,
    pub total: String,
    pub percent: String,
    pub grade: String,
    pub passed: Option<bool>,
    pub assessed_on: String,
}

#[derive(Template)]
#[template(path = "gov/assessments.html")]
struct AssessmentsPage {
    l: Layout,
    u: Unit,
    rows: Vec<AssessmentRow>,
    years: Vec<(u16, String)>,
    rounds: Vec<u8>,
}

/// Scores a stored assessment for lists and the dashboard.
async fn score_row(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Option<ScoreView>, AppError> {
    let Some(a) = st.store.get_assessment(me, key).await? else {
        return Ok(None);
    };
    Ok(Some(assessment_view(t, key, &a.input, &[])?.1))
}

pub async fn assessments(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, &hcode).await?;
    let mut rows = Vec::new();
    for s in st.store.list_assessments(&me, Some(&hcode), None).await? {
        let Some(score) = score_row(&st, t, &me, &s.key).await? else {
            continue;
        };
        rows.push(AssessmentRow {
            fy: s.key.fiscal_year,
            fy_label: fy_label(t, s.key.fiscal_year),
            round: s.key.round,
            form: s.key.form.code(),
            title: form_title(t, s.key.form).to_string(),
            total: score.total,
            percent: score.percent,
            grade: if s.key.form == FormKind::RevenueCentre {
                score.grade
            } else {
                String::new()
            },
            passed: score.passed,
            assessed_on: be_date(t, s.assessed_on.as_deref()),
        });
    }
    let now = current_fy();
    render(&AssessmentsPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} · {}", t.s("gov_assessments"), u.name_th),
            "finance",
        ),
        u,
        rows,
        years: (now.saturating_sub(2)..=now)
            .rev()
            .map(|y| (y, fy_label(t, y)))
            .collect(),
        rounds: ASSESSMENT_ROUNDS.collect(),
    })
}

#[derive(Deserialize)]
pub struct NewAssessment {
    pub fy: Option<u16>,
    pub round: Option<u8>,
    pub form: Option<String>,
}

/// The "open a form" picker: a GET that only redirects to the form's own address.
pub async fn assessment_open(
    Me(me): Me,
    State(st): State<AppState>,
    Path(hcode): Path<String>,
    Query(q): Query<NewAssessment>,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    let form = form_kind(q.form.as_deref().unwrap_or_default())?;
    Ok(Redirect::to(&format!(
        "/units/{hcode}/assessments/{}/{}/{}",
        q.fy.unwrap_or_else(current_fy),
        q.round.unwrap_or(1),
        form.code()
    ))
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// Planfin
// ---------------------------------------------------------------------------------------------

/// The inverse of [`met_key`], for the API.
fn verdict(key: &str) -> Option<bool> {
    match key {
        "gov_met" => Some(true),
        "gov_not_met" => Some(false),
        _ => None,
    }
}

pub(crate) fn met_key(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "gov_met",
        Some(false) => "gov_not_met",
        None => "",
    }
}

pub struct PeriodView {
    pub label: String,
    pub complete: bool,
    pub rev_plan: String,
    pub rev_actual: String,
    pub rev_pct: String,
    pub rev_ok: &'static str,
    pub exp_plan: String,
    pub exp_actual: String,
    pub exp_pct: String,
    pub exp_ok: &'static str,
}

fn period_view(t: T, p: &PeriodComparison) -> PeriodView {
    PeriodView {
        label: t.pick(&p.label_th, &p.label_en).to_string(),
        complete: p.complete,
        rev_plan: baht(p.revenue.plan),
        rev_actual: baht(p.revenue.actual),
        rev_pct: pct(p.revenue.pct_of_plan),
        rev_ok: met_key(p.revenue.within_tolerance),
        exp_plan: baht(p.expense.plan),
        exp_actual: baht(p.expense.actual),
        exp_pct: pct(p.expense.pct_of_plan),
        exp_ok: met_key(p.expense.within_tolerance),
    }
}

pub struct LineView {
    pub code: String,
    pub name: String,
    pub side: String,
    pub annual: String,
    pub plan_ytd: String,
    pub actual_ytd: String,
    pub pct: String,
}

pub struct RevisionView {
    pub number: u32,
    pub date: String,
    pub note: String,
    pub approved: bool,
    pub approved_by: String,
}

#[derive(Template)]
#[template(path = "gov/planfin.html")]
struct PlanfinPage {
    l: Layout,
    u: Unit,
    fy: u16,
    fy_label: String,
    exists: bool,
    plan_type: u8,
    type_max: u8,
    no_risk: bool,
    warnings: Vec<String>,
    rev_total: String,
    exp_total: String,
    balance: String,
    balance_neg: bool,
    reviews: String,
    reviews_met: bool,
    q2: Option<(String, String, &'static str, String, &'static str)>,
    tolerance: String,
    months_closed: u8,
    quarters: Vec<PeriodView>,
    months: Vec<PeriodView>,
    ytd: Option<PeriodView>,
    lines: Vec<LineView>,
    revisions: Vec<RevisionView>,
    can_write: bool,
    can_approve: bool,
    errors: Errors,
    years: Vec<(u16, String)>,
    /// The approval path: state label key, steps (label, signer, when, comment), and the steps
    /// this user may take now (step, label key).
    state: &'static str,
    steps: Vec<(String, String, String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    /// The unit's financial strategy documents (3–5 years) and whether one covers `fy`.
    strategies: Vec<crate::inspection::StrategyView>,
    strategy_covered: bool,
    can_attach_strategy: bool,
}

pub(crate) fn step_label(step: &str) -> &'static str {
    match step {
        "submitted" => "gov_plan_submitted",
        "returned" => "gov_plan_returned",
        "reviewed" => "gov_plan_reviewed",
        "approved" => "gov_plan_approved",
        _ => "gov_plan_draft",
    }
}

async fn planfin_page(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    fy: u16,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlanfinPage, AppError> {
    let u = st.store.get_unit(me, hcode).await?;
    let year = st.store.get_plan_year(me, hcode, fy).await?;
    let criteria = CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin);
    let c = &criteria.planfin;
    let now = current_fy();
    let years = (now.saturating_sub(3)..=now)
        .rev()
        .map(|y| (y, fy_label(t, y)))
        .collect();
    let mut page = PlanfinPage {
        l: Layout::new(t, Some(me), format!("Planfin · {}", u.name_th), "finance")
            .with_flash(flash),
        fy,
        fy_label: fy_label(t, fy),
        exists: year.is_some(),
        plan_type: 0,
        type_max: c.plan_type_max,
        no_risk: false,
        warnings: vec![],
        rev_total: String::new(),
        exp_total: String::new(),
        balance: String::new(),
        balance_neg: false,
        reviews: String::new(),
        reviews_met: false,
        q2: None,
        tolerance: format_decimal_thai(c.plan_tolerance_pct.as_f64(), 0),
        months_closed: 0,
        quarters: vec![],
        months: vec![],
        ytd: None,
        lines: vec![],
        revisions: vec![],
        can_write: can_write(me),
        can_approve: matches!(me.role, Role::Admin | Role::Province),
        errors: Errors::new(t, errors),
        years,
        state: "gov_plan_draft",
        steps: vec![],
        actions: vec![],
        strategy_covered: false,
        strategies: vec![],
        can_attach_strategy: matches!(me.role, Role::Admin | Role::UnitHead | Role::UnitRevenue),
        u,
    };
    page.strategies = crate::inspection::strategy_views(st, t, me, hcode, fy).await?;
    page.strategy_covered = page.strategies.iter().any(|s| s.covers);
    let Some(y) = year else {
        return Ok(page);
    };
    let steps = st.store.plan_steps(me, hcode, fy).await?;
    let state = steps.last().map(|s| s.step.as_str()).unwrap_or("");
    page.state = step_label(state);
    page.actions = raidai_store::plan_approval::next_steps(state)
        .iter()
        .filter(|s| {
            if **s == "submitted" {
                matches!(me.role, Role::UnitHead | Role::UnitRevenue | Role::Admin)
            } else {
                page.can_approve
            }
        })
        .map(|s| {
            (
                *s,
                match *s {
                    "submitted" => "gov_do_submit",
                    "reviewed" => "gov_do_review",
                    "returned" => "gov_do_return",
                    _ => "gov_do_approve",
                },
            )
        })
        .collect();
    page.steps = steps
        .iter()
        .map(|s| {
            (
                t.s(step_label(&s.step)).to_string(),
                if s.signer == s.username {
                    s.signer.clone()
                } else {
                    format!("{} ({})", s.signer, s.username)
                },
                datetime(t, s.at),
                s.comment.clone(),
            )
        })
        .collect();
    let rev = y.plan.total(PlanSide::Revenue);
    let exp = y.plan.total(PlanSide::Expense);
    let pva = plan_vs_actual(&y.plan, &y.actuals, c);
    let rs = review_status(&y.plan, c);
    page.plan_type = y.plan.plan_type;
    page.no_risk = is_no_risk_type(y.plan.plan_type, c);
    page.warnings = check_plan_type(&y.plan, c)
        .iter()
        .map(|w| {
            if t.is_en() {
                w.message_en()
            } else {
                w.message_th()
            }
        })
        .collect();
    page.rev_total = baht(rev);
    page.exp_total = baht(exp);
    page.balance = baht(rev - exp);
    page.balance_neg = rev < exp;
    page.reviews = format!("{} / {}", rs.approved, rs.required);
    page.reviews_met = rs.met;
    page.q2 = pva.q2.as_ref().map(|q| {
        (
            format!("≥ {}%", format_decimal_thai(q.threshold_pct.as_f64(), 0)),
            pct_beside(q.revenue_pct, q.threshold_pct.as_f64()),
            met_key(q.revenue_met),
            pct_beside(q.expense_pct, q.threshold_pct.as_f64()),
            met_key(q.expense_met),
        )
    });
    page.months_closed = pva.months_closed;
    page.quarters = pva.quarters.iter().map(|p| period_view(t, p)).collect();
    page.months = pva.months.iter().map(|p| period_view(t, p)).collect();
    page.ytd = Some(period_view(t, &pva.ytd));
    page.lines = pva
        .lines
        .iter()
        .map(|l| LineView {
            code: l.code.code().to_string(),
            name: t.pick(l.code.name_th(), l.code.name_en()).to_string(),
            side: t
                .pick(l.code.side().label_th(), l.code.side().label_en())
                .to_string(),
            annual: baht(l.plan_annual),
            plan_ytd: baht(l.plan_ytd),
            actual_ytd: baht(l.actual_ytd),
            pct: pct(l.pct_of_plan_ytd),
        })
        .collect();
    page.revisions = y
        .revisions
        .iter()
        .map(|r| RevisionView {
            number: r.revision.number,
            date: be_date(t, r.revision.date.as_deref()),
            note: r.revision.note.clone(),
            approved: r.revision.approved,
            approved_by: r.approved_by.clone().unwrap_or_default(),
        })
        .collect();
    Ok(page)
}

#[derive(Deserialize)]
pub struct PlanfinQuery {
    /// Set after a strategy document was attached.
    pub strategy: Option<String>,
}

pub async fn planfin(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy)): Path<(String, u16)>,
    Query(q): Query<PlanfinQuery>,
) -> Result<Response, AppError> {
    let flash = if q.strategy.is_some() {
        t.s("strat_added").to_string()
    } else {
        String::new()
    };
    render(&planfin_page(&st, t, &me, &hcode, fy, vec![], flash).await?)
}

/// The Planfin page with a refused form's errors (422).
pub(crate) async fn planfin_with_errors(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    fy: u16,
    errs: Vec<FieldError>,
) -> Result<Response, AppError> {
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &planfin_page(st, t, me, hcode, fy, errs, String::new()).await?,
    )
}

async fn planfin_result(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    fy: u16,
    r: Result<(), StoreError>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/units/{hcode}/planfin/{fy}")).into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &planfin_page(st, t, me, hcode, fy, errs, String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn planfin_step(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy)): Path<(String, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let r = st
        .store
        .plan_step(&me, &hcode, fy, get("step"), get("signer"), get("comment"))
        .await
        .map(|_| ());
    planfin_result(&st, t, &me, &hcode, fy, r).await
}

pub async fn planfin_type(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy)): Path<(String, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let r = match f.get("plan_type").and_then(|v| v.trim().parse::<u8>().ok()) {
        Some(pt) => st.store.save_plan_type(&me, &hcode, fy, pt).await,
        None => {
            st.store.get_unit(&me, &hcode).await?;
            if !can_write(&me) {
                return Err(AppError::Forbidden);
            }
            Err(StoreError::field(
                "plan_type",
                "choose the plan type",
                "กรุณาเลือกแบบแผน",
            ))
        }
    };
    planfin_result(&st, t, &me, &hcode, fy, r).await
}

pub async fn planfin_amounts(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy)): Path<(String, u16)>,
    req: Request,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    if !can_write(&me) {
        return Err(AppError::Forbidden);
    }
    let (fields, file) = multipart_for(&st, req).await?;
    let kind = fields
        .get("kind")
        .and_then(|k| AmountKind::parse(k))
        .unwrap_or(AmountKind::Plan);
    let r = if file.is_empty() {
        Err(StoreError::field(
            "file",
            "choose a CSV file",
            "กรุณาเลือกไฟล์ CSV",
        ))
    } else {
        match parse_plan_csv(&file) {
            Ok(lines) => {
                st.store
                    .save_plan_amounts(&me, &hcode, fy, kind, &lines)
                    .await
            }
            Err(e) => Err(e),
        }
    };
    planfin_result(&st, t, &me, &hcode, fy, r).await
}

pub async fn planfin_revision(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy)): Path<(String, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let date = f
        .get("revised_on")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    let note = f.get("note").cloned().unwrap_or_default();
    let r = st
        .store
        .add_plan_revision(&me, &hcode, fy, date, &note)
        .await
        .map(|_| ());
    planfin_result(&st, t, &me, &hcode, fy, r).await
}

pub async fn planfin_approve(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy, number)): Path<(String, u16, u32)>,
) -> Result<Response, AppError> {
    let r = st
        .store
        .approve_plan_revision(&me, &hcode, fy, number)
        .await;
    planfin_result(&st, t, &me, &hcode, fy, r).await
}

// ---------------------------------------------------------------------------------------------
// TPS
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum TpsKind {
    Money,
    Decimal,
    Ratio,
    Flag,
}

/// The TPS input fields as a form: (name, kind, Thai, English).
const TPS_FIELDS: &[(&str, TpsKind, &str, &str)] = &[
    (
        "plan_revenue",
        TpsKind::Money,
        "แผนรายได้ (ช่วงเดียวกับผล)",
        "Planned revenue (same span as actual)",
    ),
    (
        "actual_revenue",
        TpsKind::Money,
        "รายได้จริง",
        "Actual revenue",
    ),
    (
        "plan_expense",
        TpsKind::Money,
        "แผนค่าใช้จ่าย (ช่วงเดียวกับผล)",
        "Planned expense (same span as actual)",
    ),
    (
        "actual_expense",
        TpsKind::Money,
        "ค่าใช้จ่ายจริง",
        "Actual expense",
    ),
    (
        "payables_days",
        TpsKind::Decimal,
        "ระยะเวลาชำระเจ้าหนี้ยาและเวชภัณฑ์ (วัน)",
        "Payables period, drugs and supplies (days)",
    ),
    ("cash_ratio", TpsKind::Ratio, "Cash ratio", "Cash ratio"),
    (
        "acp_uc_days",
        TpsKind::Decimal,
        "ระยะเวลาเรียกเก็บหนี้ UC (วัน)",
        "UC collection period (days)",
    ),
    (
        "acp_csmbs_days",
        TpsKind::Decimal,
        "ระยะเวลาเรียกเก็บหนี้ ชรก. (วัน)",
        "CSMBS collection period (days)",
    ),
    (
        "inventory_days",
        TpsKind::Decimal,
        "ระยะเวลาสินค้าคงคลัง (วัน)",
        "Inventory days",
    ),
    (
        "unit_cost_op",
        TpsKind::Money,
        "Unit cost ผู้ป่วยนอก (บาท)",
        "Unit cost OP (baht)",
    ),
    (
        "unit_cost_ip",
        TpsKind::Money,
        "Unit cost ผู้ป่วยใน (บาท)",
        "Unit cost IP (baht)",
    ),
    (
        "labour_cost",
        TpsKind::Money,
        "LC ต้นทุนค่าแรง",
        "LC labour cost",
    ),
    ("mc_drug", TpsKind::Money, "MC ยา", "MC drugs"),
    ("mc_lab", TpsKind::Money, "MC วัสดุวิทยาศาสตร์", "MC lab"),
    (
        "mc_supplies",
        TpsKind::Money,
        "MC เวชภัณฑ์มิใช่ยา",
        "MC medical supplies",
    ),
    (
        "accounting_check_passed",
        TpsKind::Flag,
        "ผ่านการตรวจสอบบัญชีเบื้องต้น",
        "Preliminary accounting check passed",
    ),
    (
        "bed_occupancy_pct",
        TpsKind::Decimal,
        "อัตราครองเตียง (%)",
        "Bed occupancy (%)",
    ),
    ("sum_adjrw", TpsKind::Decimal, "Sum AdjRW", "Sum AdjRW"),
    (
        "sum_adjrw_last_year",
        TpsKind::Decimal,
        "Sum AdjRW ปีก่อน",
        "Sum AdjRW last year",
    ),
    (
        "operating_margin_pct",
        TpsKind::Decimal,
        "Operating margin (%)",
        "Operating margin (%)",
    ),
    ("roa_pct", TpsKind::Decimal, "ROA (%)", "ROA (%)"),
    ("ebitda", TpsKind::Money, "EBITDA (บาท)", "EBITDA (baht)"),
    (
        "nwc",
        TpsKind::Money,
        "ทุนหมุนเวียนสุทธิ NWC (บาท)",
        "Net working capital (baht)",
    ),
    (
        "median_unit_cost_op",
        TpsKind::Money,
        "ค่ากลางกลุ่ม Unit cost OP (ถ้าประกาศ)",
        "Peer median unit cost OP (if published)",
    ),
    (
        "median_unit_cost_ip",
        TpsKind::Money,
        "ค่ากลางกลุ่ม Unit cost IP (ถ้าประกาศ)",
        "Peer median unit cost IP (if published)",
    ),
    (
        "median_operating_margin_pct",
        TpsKind::Decimal,
        "ค่ากลางกลุ่ม Operating margin % (ถ้าประกาศ)",
        "Peer median operating margin % (if published)",
    ),
    (
        "median_roa_pct",
        TpsKind::Decimal,
        "ค่ากลางกลุ่ม ROA % (ถ้าประกาศ)",
        "Peer median ROA % (if published)",
    ),
];

/// A TPS field's value as text for the form.
fn tps_value(i: &TpsInput, name: &str) -> String {
    let money = |v: Option<i64>| v.map(raidai_governance::format_baht).unwrap_or_default();
    let dec = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    match name {
        "plan_revenue" => money(i.plan_revenue),
        "actual_revenue" => money(i.actual_revenue),
        "plan_expense" => money(i.plan_expense),
        "actual_expense" => money(i.actual_expense),
        "payables_days" => dec(i.payables_days),
        "cash_ratio" => i
            .cash_ratio
            .map(|h| h.to_fixed_string())
            .unwrap_or_default(),
        "acp_uc_days" => dec(i.acp_uc_days),
        "acp_csmbs_days" => dec(i.acp_csmbs_days),
        "inventory_days" => dec(i.inventory_days),
        "unit_cost_op" => money(i.unit_cost_op),
        "unit_cost_ip" => money(i.unit_cost_ip),
        "labour_cost" => money(i.labour_cost),
        "mc_drug" => money(i.mc_drug),
        "mc_lab" => money(i.mc_lab),
        "mc_supplies" => money(i.mc_supplies),
        "accounting_check_passed" => match i.accounting_check_passed {
            Some(true) => "1".into(),
            Some(false) => "0".into(),
            None => String::new(),
        },
        "bed_occupancy_pct" => dec(i.bed_occupancy_pct),
        "sum_adjrw" => dec(i.sum_adjrw),
        "sum_adjrw_last_year" => dec(i.sum_adjrw_last_year),
        "operating_margin_pct" => dec(i.operating_margin_pct),
        "roa_pct" => dec(i.roa_pct),
        "ebitda" => money(i.ebitda),
        "nwc" => money(i.nwc),
        "median_unit_cost_op" => money(i.medians.unit_cost_op),
        "median_unit_cost_ip" => money(i.medians.unit_cost_ip),
        "median_operating_margin_pct" => dec(i.medians.operating_margin_pct),
        "median_roa_pct" => dec(i.medians.roa_pct),
        _ => String::new(),
    }
}

/// Reads the form into the engine's input; every bad field is named.
fn tps_from_form(
    base: TpsInput,
    f: &BTreeMap<String, String>,
) -> Result<TpsInput, Vec<FieldError>> {
    let mut i = base;
    let mut errs = Vec::new();
    for (name, kind, th, _) in TPS_FIELDS {
        let v = f.get(*name).map(|s| s.trim()).unwrap_or_default();
        let bad = |what: &str| {
            FieldError::new(
                name,
                format!("{name}: {what}, got {v:?}"),
                format!("{th}: ค่าไม่ถูกต้อง"),
            )
        };
        let money = if *kind == TpsKind::Money && !v.is_empty() {
            match parse_satang(v) {
                Ok(x) => Some(x),
                Err(_) => {
                    errs.push(bad("expected an amount in baht"));
                    continue;
                }
            }
        } else {
            None
        };
        let dec = if *kind == TpsKind::Decimal && !v.is_empty() {
            match v.replace(',', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    errs.push(bad("expected a number"));
                    continue;
                }
            }
        } else {
            None
        };
        match *name {
            "plan_revenue" => i.plan_revenue = money,
            "actual_revenue" => i.actual_revenue = money,
            "plan_expense" => i.plan_expense = money,
            "actual_expense" => i.actual_expense = money,
            "payables_days" => i.payables_days = dec,
            "cash_ratio" => {
                i.cash_ratio = if v.is_empty() {
                    None
                } else {
                    match Hundredths::parse(v) {
                        Ok(h) => Some(h),
                        Err(_) => {
                            errs.push(bad("expected a ratio with at most two decimals"));
                            continue;
                        }
                    }
                }
            }
            "acp_uc_days" => i.acp_uc_days = dec,
            "acp_csmbs_days" => i.acp_csmbs_days = dec,
            "inventory_days" => i.inventory_days = dec,
            "unit_cost_op" => i.unit_cost_op = money,
            "unit_cost_ip" => i.unit_cost_ip = money,
            "labour_cost" => i.labour_cost = money,
            "mc_drug" => i.mc_drug = money,
            "mc_lab" => i.mc_lab = money,
            "mc_supplies" => i.mc_supplies = money,
            "accounting_check_passed" => {
                i.accounting_check_passed = match v {
                    "" => None,
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => {
                        errs.push(bad("expected 1 or 0"));
                        continue;
                    }
                }
            }
            "bed_occupancy_pct" => i.bed_occupancy_pct = dec,
            "sum_adjrw" => i.sum_adjrw = dec,
            "sum_adjrw_last_year" => i.sum_adjrw_last_year = dec,
            "operating_margin_pct" => i.operating_margin_pct = dec,
            "roa_pct" => i.roa_pct = dec,
            "ebitda" => i.ebitda = money,
            "nwc" => i.nwc = money,
            "median_unit_cost_op" => i.medians.unit_cost_op = money,
            "median_unit_cost_ip" => i.medians.unit_cost_ip = money,
            "median_operating_margin_pct" => i.medians.operating_margin_pct = dec,
            "median_roa_pct" => i.medians.roa_pct = dec,
            _ => {}
        }
    }
    if errs.is_empty() { Ok(i) } else { Err(errs) }
}

/// What raidai already knows for a quarter: Planfin YTD and the quarter-end position.
async fn tps_defaults(
    st: &AppState,
    me: &Actor,
    u: &Unit,
    fy: u16,
    quarter: u8,
) -> Result<TpsInput, AppError> {
    let mut i = TpsInput {
        hcode: u.hcode.clone(),
        period: format!("{fy}Q{quarter}"),
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        ..Default::default()
    };
    let end = u32::from(fy) * 100 + u32::from(quarter) * 3;
    if let Some(p) = st
        .store
        .list_positions(me, &u.hcode)
        .await?
        .into_iter()
        .find(|p| p.period == end)
        && let Ok(r) = p.score()
    {
        i.cash_ratio = r.cash_ratio;
        i.nwc = Some(r.nwc);
    }
    if let Some(y) = st.store.get_plan_year(me, &u.hcode, fy).await? {
        // Plan and actual over the same closed months (the engine compares like with like).
        let months = usize::from((quarter * 3).min(y.actuals.months_closed));
        if months > 0 {
            let sum = |lines: &[raidai_governance::planfin::PlanLine], side: PlanSide| -> i64 {
                lines
                    .iter()
                    .filter(|l| l.code.side() == side)
                    .map(|l| l.months[..months].iter().sum::<i64>())
                    .sum()
            };
            i.plan_revenue = Some(sum(&y.plan.lines, PlanSide::Revenue));
            i.actual_revenue = Some(sum(&y.actuals.lines, PlanSide::Revenue));
            i.plan_expense = Some(sum(&y.plan.lines, PlanSide::Expense));
            i.actual_expense = Some(sum(&y.actuals.lines, PlanSide::Expense));
        }
    }
    Ok(i)
}

pub struct TpsFieldView {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub flag: bool,
}

pub struct TpsItemView {
    pub label: String,
    pub weight: String,
    pub points: String,
    pub met: bool,
    pub missing: bool,
    pub explanation: String,
}

pub struct TpsGroupView {
    pub label: String,
    pub raw: String,
    pub capped: String,
    pub max: String,
    pub items: Vec<TpsItemView>,
}

#[derive(Template)]
#[template(path = "gov/tps.html")]
struct TpsPage {
    l: Layout,
    u: Unit,
    fy: u16,
    fy_label: String,
    quarter: u8,
    saved: bool,
    groups: Vec<TpsGroupView>,
    no_data: bool,
    raw_total: String,
    total: String,
    max_total: String,
    grade: String,
    fields: Vec<TpsFieldView>,
    can_write: bool,
    errors: Errors,
    criteria: String,
}

#[allow(clippy::too_many_arguments)]
async fn tps_page(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: &str,
    fy: u16,
    quarter: u8,
    draft: Option<TpsInput>,
    errors: Vec<FieldError>,
) -> Result<TpsPage, AppError> {
    if !(1..=4).contains(&quarter) {
        return Err(AppError::NotFound);
    }
    let u = st.store.get_unit(me, hcode).await?;
    let stored = st.store.get_tps_input(me, hcode, fy, quarter).await?;
    let saved = stored.is_some();
    let mut input = match (draft, stored) {
        (Some(d), _) => d,
        (None, Some(s)) => s,
        (None, None) => tps_defaults(st, me, &u, fy, quarter).await?,
    };
    let fields = TPS_FIELDS
        .iter()
        .map(|(name, kind, th, en)| TpsFieldView {
            name,
            label: t.pick(th, en).to_string(),
            value: tps_value(&input, name),
            flag: *kind == TpsKind::Flag,
        })
        .collect();
    // Medians not entered come from the province's units of the same peer group.
    let peers = st.store.tps_peer_medians(me, hcode, fy, quarter).await?;
    if let Some(m) = peers.get(&input.peer_group) {
        input.medians.fill_from(m);
    }
    let criteria = CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin);
    let r = tps_score(&input, &criteria.tps);
    let groups = r
        .groups
        .iter()
        .map(|g| TpsGroupView {
            label: t.pick(&g.label_th, &g.label_en).to_string(),
            raw: g.raw.to_fixed_string(),
            capped: g.capped.to_fixed_string(),
            max: g.max.to_fixed_string(),
            items: r
                .items
                .iter()
                .filter(|i| i.group == g.id)
                .map(|i| TpsItemView {
                    label: t.pick(&i.label_th, &i.label_en).to_string(),
                    weight: i.weight.to_fixed_string(),
                    points: i.points.to_fixed_string(),
                    met: i.met,
                    missing: i.missing_data,
                    explanation: t.pick(&i.explanation_th, &i.explanation_en).to_string(),
                })
                .collect(),
        })
        .collect();
    Ok(TpsPage {
        l: Layout::new(t, Some(me), format!("TPS · {}", u.name_th), "finance"),
        fy,
        fy_label: fy_label(t, fy),
        quarter,
        saved,
        groups,
        // Nothing to score (no input saved, none found in the unit's data): "no data", not
        // "0.00 / 15.00 F".
        no_data: r.items.iter().all(|i| i.missing_data),
        raw_total: r.raw_total.to_fixed_string(),
        total: r.total.to_fixed_string(),
        max_total: r.max_total.to_fixed_string(),
        grade: format!(
            "{} ({})",
            r.grade.grade,
            t.pick(&r.grade.label_th, &r.grade.label_en)
        ),
        fields,
        can_write: can_write(me),
        errors: Errors::new(t, errors),
        criteria: format!(
            "{} ({})",
            t.pick(&criteria.title_th, &criteria.title_en),
            criteria.version
        ),
        u,
    })
}

pub async fn tps(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy, quarter)): Path<(String, u16, u8)>,
) -> Result<Response, AppError> {
    render(&tps_page(&st, t, &me, &hcode, fy, quarter, None, vec![]).await?)
}

pub async fn tps_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy, quarter)): Path<(String, u16, u8)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, &hcode).await?;
    if !can_write(&me) {
        return Err(AppError::Forbidden);
    }
    let base = TpsInput {
        hcode: u.hcode.clone(),
        period: format!("{fy}Q{quarter}"),
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        ..Default::default()
    };
    let result = match tps_from_form(base, &f) {
        Ok(input) => st.store.save_tps_input(&me, fy, quarter, &input).await,
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/units/{hcode}/tps/{fy}/{quarter}")).into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &tps_page(&st, t, &me, &hcode, fy, quarter, None, errs).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
