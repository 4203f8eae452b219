//! Thai-first labels with an English switch. Keys are checked by a test against the templates.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn from_code(s: &str) -> Lang {
        if s.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Th
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }
}

/// (key, Thai, English)
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app_name", "รายได้", "raidai"),
    (
        "app_tagline",
        "ระบบจัดเก็บรายได้และธรรมาภิบาลการเงิน",
        "Revenue collection and financial governance",
    ),
    ("login", "เข้าสู่ระบบ", "Sign in"),
    ("logout", "ออกจากระบบ", "Sign out"),
    ("username", "ชื่อผู้ใช้", "Username"),
    ("password", "รหัสผ่าน", "Password"),
    (
        "login_failed",
        "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
        "Wrong username or password",
    ),
    (
        "login_limited",
        "พยายามเข้าสู่ระบบหลายครั้งเกินไป กรุณารอ 15 นาทีแล้วลองใหม่",
        "Too many sign-in attempts; wait 15 minutes and try again",
    ),
    (
        "offline_note",
        "ทำงานได้บนเครือข่ายภายในโรงพยาบาล ไม่ต้องใช้อินเทอร์เน็ต",
        "Works on the hospital intranet, no internet needed",
    ),
    ("nav_province", "ภาพรวมจังหวัด", "Province overview"),
    ("nav_setup", "ตั้งค่าเริ่มต้น", "Setup"),
    ("job_title", "งานนำเข้า 16 แฟ้ม", "16-file import job"),
    ("job_queued", "รอคิว", "Queued"),
    ("job_running", "กำลังนำเข้า", "Running"),
    ("job_done", "เสร็จแล้ว", "Done"),
    ("job_failed", "ไม่สำเร็จ", "Failed"),
    (
        "job_phase_waiting",
        "รอการนำเข้าก่อนหน้าของหน่วยนี้",
        "waiting for this unit's earlier import",
    ),
    ("job_phase_scanning", "ตรวจสอบแฟ้ม", "checking the files"),
    ("job_phase_writing", "บันทึกและตั้งลูกหนี้", "saving and posting"),
    ("job_phase_finished", "จบแล้ว", "finished"),
    ("job_rows", "รายการที่บันทึก", "Encounters saved"),
    ("job_rate", "รายการต่อวินาที", "Encounters per second"),
    ("job_eta", "เหลือเวลาประมาณ (นาที:วินาที)", "Time left (min:s)"),
    (
        "job_can_close",
        "ปิดหน้านี้ได้ การนำเข้ายังทำงานต่อ ดูผลได้ที่ประวัติการนำเข้า",
        "You may close this page: the import goes on; its result appears in the import history",
    ),
    ("job_open_import", "ดูผลการนำเข้า", "Open the import"),
    (
        "job_open",
        "งานที่ยังไม่เสร็จหรือไม่สำเร็จ",
        "Jobs running, queued or failed",
    ),
    ("upload_progress", "กำลังอัปโหลด", "Uploading"),
    ("upload_limit", "ขนาดรวมไม่เกิน", "Total size at most"),
    ("setup_title", "ตั้งค่าระบบครั้งแรก", "First-run setup"),
    ("setup_checklist", "สิ่งที่ต้องทำ", "Checklist"),
    (
        "setup_complete",
        "ตั้งค่าครบแล้ว ทุกหน่วยเริ่มใช้งานได้",
        "Setup is complete: every office can start",
    ),
    (
        "setup_incomplete",
        "ยังตั้งค่าระบบไม่ครบ",
        "Setup is not finished",
    ),
    (
        "setup_step_province",
        "เลือกจังหวัดที่ดูแล",
        "Choose the province this installation serves",
    ),
    (
        "setup_step_units",
        "นำเข้าหน่วยบริการ",
        "Import the health service units",
    ),
    ("setup_step_users", "สร้างผู้ใช้งาน", "Create the users"),
    (
        "setup_step_province_user",
        "ผู้ใช้ระดับจังหวัด (สสจ.) อย่างน้อย 1 คน",
        "At least one provincial user",
    ),
    (
        "setup_step_district_users",
        "ผู้ใช้ระดับอำเภอ (สสอ.)",
        "District users",
    ),
    ("setup_step_unit_users", "ผู้ใช้ของหน่วยบริการ", "Unit users"),
    ("setup_choose", "ใช้จังหวัดนี้", "Use this province"),
    (
        "setup_districts_loaded",
        "อำเภอที่นำเข้าจากข้อมูลเขตการปกครอง:",
        "Districts loaded from the administrative geography:",
    ),
    (
        "setup_units_help",
        "ดาวน์โหลดแบบฟอร์ม กรอกหน่วยบริการ (รหัส 5 หลักเป็นข้อความ ชื่อ ประเภท รหัสอำเภอ รหัส CUP กลุ่มระดับ เตียง) แล้วนำเข้า ระบบจะแจ้งบรรทัดที่ผิด",
        "Download the template, fill in the units (5-digit code as text, name, type, district code, CUP hospital code, peer group, beds) and import it; errors name the line",
    ),
    (
        "setup_users_help",
        "นำเข้าผู้ใช้จากไฟล์ (username, display_name, role, scope_code, password) หรือเพิ่มทีละคน ถ้าเว้น password ว่าง ระบบจะสร้างรหัสผ่านให้และแสดงครั้งเดียว",
        "Import users from a file (username, display_name, role, scope_code, password) or add them one by one; an empty password gets a generated one, shown once",
    ),
    (
        "setup_users_file",
        "ไฟล์ผู้ใช้ (CSV หรือ XLSX)",
        "Users file (CSV or XLSX)",
    ),
    (
        "setup_users_created",
        "สร้างผู้ใช้แล้ว จดรหัสผ่านที่ระบบสร้างให้ไว้ จะไม่แสดงอีก",
        "Users created. Note the generated passwords: they are not shown again",
    ),
    (
        "setup_password_once",
        "รหัสผ่าน (แสดงครั้งเดียว)",
        "Password (shown once)",
    ),
    ("setup_template_xlsx", "แบบฟอร์ม Excel", "Excel template"),
    ("setup_template_csv", "แบบฟอร์ม CSV", "CSV template"),
    ("setup_add_one_user", "เพิ่มผู้ใช้ทีละคน", "Add one user"),
    ("setup_open", "ไปที่หน้าตั้งค่า", "Open the setup page"),
    ("nav_units", "หน่วยบริการ", "Units"),
    ("nav_districts", "อำเภอ", "Districts"),
    ("nav_accounts", "ผังบัญชีลูกหนี้", "Chart of accounts"),
    ("nav_rights", "สิทธิการรักษา", "Rights"),
    ("nav_users", "ผู้ใช้งาน", "Users"),
    ("nav_audit", "บันทึกการเปลี่ยนแปลง", "Audit log"),
    ("nav_password", "เปลี่ยนรหัสผ่าน", "Change password"),
    ("nav_my_unit", "หน่วยบริการของฉัน", "My unit"),
    ("fiscal_year", "ปีงบประมาณ", "Fiscal year"),
    ("province", "จังหวัด", "Province"),
    ("district", "อำเภอ", "District"),
    ("districts", "อำเภอ", "Districts"),
    ("unit", "หน่วยบริการ", "Unit"),
    ("units", "หน่วยบริการ", "Units"),
    ("hcode", "รหัสหน่วยบริการ", "Unit code"),
    ("name", "ชื่อ", "Name"),
    ("name_th", "ชื่อ (ไทย)", "Name (Thai)"),
    ("name_en", "ชื่อ (อังกฤษ)", "Name (English)"),
    ("code", "รหัส", "Code"),
    ("unit_type", "ประเภท", "Type"),
    ("cup", "CUP (โรงพยาบาลแม่ข่าย)", "CUP (contracting hospital)"),
    ("peer_group", "กลุ่มระดับบริการ", "Peer group"),
    ("island", "พื้นที่เกาะ", "Island"),
    ("beds", "จำนวนเตียง", "Beds"),
    ("active", "ใช้งาน", "Active"),
    ("inactive", "ยกเลิกใช้งาน", "Inactive"),
    ("yes", "ใช่", "Yes"),
    ("no", "ไม่ใช่", "No"),
    ("hospitals", "โรงพยาบาล", "Hospitals"),
    ("health_promoting", "รพ.สต.", "Health promoting hospitals"),
    ("other_units", "หน่วยอื่น", "Other units"),
    ("total", "รวม", "Total"),
    ("search", "ค้นหา", "Search"),
    ("filter", "กรอง", "Filter"),
    ("all", "ทั้งหมด", "All"),
    ("save", "บันทึก", "Save"),
    ("cancel", "ยกเลิก", "Cancel"),
    ("edit", "แก้ไข", "Edit"),
    ("add_unit", "เพิ่มหน่วยบริการ", "Add unit"),
    ("edit_unit", "แก้ไขหน่วยบริการ", "Edit unit"),
    (
        "import_units",
        "นำเข้าหน่วยบริการ (CSV/Excel)",
        "Import units (CSV/Excel)",
    ),
    ("export_csv", "ส่งออก CSV", "Export CSV"),
    ("import", "นำเข้า", "Import"),
    (
        "csv_file",
        "ไฟล์ CSV (UTF-8) หรือ Excel (.xlsx)",
        "CSV (UTF-8) or Excel (.xlsx) file",
    ),
    (
        "csv_help",
        "หัวตาราง: hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds,active — นำเข้าทั้งไฟล์หรือไม่นำเข้าเลยหากมีข้อผิดพลาด",
        "Header: hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds,active — the whole file is imported, or nothing if any line is wrong",
    ),
    (
        "imported_n",
        "นำเข้าเรียบร้อย จำนวนหน่วยบริการ",
        "Imported units",
    ),
    (
        "fix_errors",
        "กรุณาแก้ไขข้อผิดพลาดต่อไปนี้ ยังไม่มีการบันทึกข้อมูลใด ๆ",
        "Please fix the following; nothing was saved",
    ),
    ("line", "บรรทัด", "Line"),
    ("field", "ช่องข้อมูล", "Field"),
    ("problem", "ปัญหา", "Problem"),
    ("add_district", "เพิ่มอำเภอ", "Add district"),
    ("edit_district", "แก้ไขอำเภอ", "Edit district"),
    (
        "units_in_district",
        "หน่วยบริการในอำเภอ",
        "Units in the district",
    ),
    ("cup_units", "หน่วยบริการในเครือข่าย CUP", "Units in this CUP"),
    ("unit_detail", "ข้อมูลหน่วยบริการ", "Unit details"),
    ("updated_at", "ปรับปรุงล่าสุด", "Last updated"),
    ("users", "ผู้ใช้งาน", "Users"),
    ("add_user", "เพิ่มผู้ใช้งาน", "Add user"),
    ("edit_user", "แก้ไขผู้ใช้งาน", "Edit user"),
    ("display_name", "ชื่อที่แสดง", "Display name"),
    ("role", "บทบาท", "Role"),
    ("scope", "ขอบเขตข้อมูล", "Scope"),
    (
        "scope_code_help",
        "รหัสจังหวัด (2 หลัก) สำหรับ สสจ., รหัสอำเภอ (4 หลัก) สำหรับ สสอ., รหัสหน่วยบริการ (5 หลัก) สำหรับเจ้าหน้าที่หน่วยบริการ",
        "Province code (2 digits) for provincial officers, district code (4 digits) for district officers, unit code (5 digits) for unit staff",
    ),
    (
        "new_password_help",
        "เว้นว่างไว้หากไม่ต้องการเปลี่ยนรหัสผ่าน (อย่างน้อย 8 ตัวอักษร)",
        "Leave empty to keep the password (at least 8 characters)",
    ),
    ("created_at", "สร้างเมื่อ", "Created"),
    ("audit_log", "บันทึกการเปลี่ยนแปลง", "Audit log"),
    ("when", "เวลา", "When"),
    ("who", "ผู้ดำเนินการ", "Who"),
    ("what", "รายการ", "What"),
    ("action", "การกระทำ", "Action"),
    ("before", "ก่อน", "Before"),
    ("after", "หลัง", "After"),
    ("older", "ก่อนหน้า", "Older"),
    ("newer", "ถัดไป", "Newer"),
    ("change_password", "เปลี่ยนรหัสผ่าน", "Change password"),
    ("current_password", "รหัสผ่านปัจจุบัน", "Current password"),
    ("new_password", "รหัสผ่านใหม่", "New password"),
    (
        "password_changed",
        "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว",
        "Password changed",
    ),
    ("saved", "บันทึกเรียบร้อยแล้ว", "Saved"),
    (
        "accounts_title",
        "ผังบัญชีลูกหนี้และรายได้ สป.สธ.",
        "MoPH chart of accounts (receivables and revenue)",
    ),
    ("account_code", "รหัสบัญชี", "Account code"),
    ("account_name", "ชื่อบัญชี", "Account name"),
    ("usage", "จำนวน รพ. ที่ใช้ชื่อนี้", "Hospitals using this name"),
    (
        "rights_title",
        "สิทธิการรักษาหลักและสิทธิย่อย (สปสช.)",
        "Main rights and NHSO sub-rights",
    ),
    ("main_right", "สิทธิหลัก", "Main right"),
    ("sub_right", "สิทธิย่อย", "Sub-right"),
    ("fund", "กองทุน", "Fund"),
    ("expiry_rule", "การหมดอายุ", "Expiry"),
    ("overview_units", "หน่วยบริการทั้งหมด", "All units"),
    ("no_data", "ไม่มีข้อมูล", "No data"),
    ("not_found_title", "ไม่พบหน้าที่ต้องการ", "Page not found"),
    ("back_home", "กลับหน้าหลัก", "Back to the start page"),
    ("count", "จำนวน", "Count"),
    ("unit_link_visits", "รายการรับบริการ", "Visits"),
    ("unit_link_imports", "นำเข้า 16 แฟ้ม", "16-file imports"),
    ("unit_link_receivables", "ลูกหนี้ค่ารักษา", "Receivables"),
    (
        "unit_link_finance",
        "สถานะการเงิน (Risk Score)",
        "Financial position (Risk Score)",
    ),
    (
        "unit_link_assessments",
        "ประเมินศูนย์จัดเก็บรายได้ / 4P",
        "Revenue-centre and 4P assessments",
    ),
];

/// Every label of the app: the shared ones and each feature module's own.
pub fn all_strings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    STRINGS
        .iter()
        .chain(crate::governance::STRINGS)
        .chain(crate::claims::STRINGS)
        .chain(crate::periods::STRINGS)
        .chain(crate::audit::STRINGS)
        .chain(crate::authen_page::STRINGS)
        .chain(crate::cycle::STRINGS)
        .chain(crate::inspection::STRINGS)
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| all_strings().map(|(k, th, en)| (*k, (*th, *en))).collect())
}

/// Label lookup handed to every template as `t`.
#[derive(Debug, Clone, Copy, Default)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn s(&self, key: &str) -> &'static str {
        match table().get(key) {
            Some((th, en)) => {
                if self.lang == Lang::En {
                    en
                } else {
                    th
                }
            }
            None => "??",
        }
    }
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
    /// Picks the Thai or English variant of a pair of strings coming from data.
    pub fn pick<'a>(&self, th: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En && !en.is_empty() {
            en
        } else {
            th
        }
    }
}
