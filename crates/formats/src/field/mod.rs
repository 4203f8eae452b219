//! Typed field values of the 16 files and their code sets (DOMAIN §1.1, §1.4, §6).
//! Each type parses one trimmed, non-blank field and writes it back in the file form.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};
use raidai_domain::ids::{An, Cid, Hcode, Hn, IdError, Vn};
use raidai_domain::money::Satang;
use std::fmt::Write as _;

use crate::reject::RejectCode;

/// Why one field was refused (the caller adds file, line, column and value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub code: RejectCode,
    pub th: String,
    pub en: String,
    /// An optional field read as blank: its record is kept (see `records::get`).
    pub blanked: bool,
}

impl FieldError {
    pub fn new(code: RejectCode, th: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            code,
            th: th.into(),
            en: en.into(),
            blanked: false,
        }
    }
}

/// A value that can be read from, and written to, one field.
pub(crate) trait Field: Sized {
    /// Parses a trimmed, non-blank value.
    fn parse(raw: &str) -> Result<Self, FieldError>;
    /// The value of a blank field; `None` means the field is required.
    fn blank() -> Option<Self> {
        None
    }
    /// Whether an optional field of this type that cannot be read may be taken as blank (an
    /// amount may not: a claim would carry 0 for it).
    fn may_blank() -> bool {
        true
    }
    fn write(&self, out: &mut String);
}

impl<T: Field> Field for Option<T> {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        T::parse(raw).map(Some)
    }
    fn blank() -> Option<Self> {
        Some(None)
    }
    fn may_blank() -> bool {
        T::may_blank()
    }
    fn write(&self, out: &mut String) {
        if let Some(v) = self {
            v.write(out);
        }
    }
}

/// Free text: any value, blank allowed.
impl Field for String {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        Ok(raw.to_string())
    }
    fn blank() -> Option<Self> {
        Some(String::new())
    }
    fn write(&self, out: &mut String) {
        out.push_str(self);
    }
}

fn key_error(name: &str, e: IdError) -> FieldError {
    FieldError::new(
        RejectCode::BadKey,
        format!("{name} ต้องมี 1–20 ตัวอักษรและไม่มีอักขระควบคุม"),
        format!("{name}: {e}"),
    )
}

macro_rules! key_field {
    ($t:ty, $name:literal) => {
        impl Field for $t {
            fn parse(raw: &str) -> Result<Self, FieldError> {
                <$t>::parse(raw).map_err(|e| key_error($name, e))
            }
            fn write(&self, out: &mut String) {
                out.push_str(self.as_str());
            }
        }
    };
}
key_field!(Hn, "HN");
key_field!(An, "AN");
key_field!(Vn, "SEQ");

impl Field for Hcode {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        Hcode::parse(raw).map_err(|_| {
            FieldError::new(
                RejectCode::BadHcode,
                "รหัสหน่วยบริการต้องเป็นตัวเลข 5 หลัก",
                "unit code must be 5 digits",
            )
        })
    }
    fn write(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

/// The 16 files write `YYYYMMDD` in the Christian Era, and raidai writes them so. Reading, it
/// also takes what some HIS exports write instead when the day is certain: a Buddhist Era year
/// (above 2400), `DD/MM/YYYY` with a BE year, and `YYYY-MM-DD` (a time after the date is
/// ignored).
impl Field for NaiveDate {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        use raidai_domain::calendar::{DateError, parse_date};
        let bad = || {
            FieldError::new(
                RejectCode::BadDate,
                "วันที่ต้องอยู่ในรูป YYYYMMDD (ปี ค.ศ. หรือ พ.ศ.)",
                "date must be YYYYMMDD (a CE or BE year)",
            )
        };
        // `DD/MM/YYYY` is certain only from a Thai locale, which writes a BE year; a CE year in
        // that form may come from an `M/D/YYYY` locale, so `07/08/2026` is refused, not guessed.
        let slash_year = raw
            .split('/')
            .nth(2)
            .and_then(|y| y.get(..4)?.parse::<i32>().ok());
        if slash_year.is_some_and(|y| y <= 2400) {
            return Err(FieldError::new(
                RejectCode::BadDate,
                "วันที่แบบ วว/ดด/ปปปป ต้องเป็นปี พ.ศ. (ปี ค.ศ. อาจเป็น ดด/วว) ใช้ YYYYMMDD",
                "a DD/MM/YYYY date must have a BE year (with a CE year it may be M/D/YYYY); use YYYYMMDD",
            ));
        }
        let date = parse_date(raw).map_err(|e| match e {
            DateError::Invalid(_) => FieldError::new(
                RejectCode::BadDate,
                "ไม่มีวันที่นี้ในปฏิทิน",
                "no such calendar date",
            ),
            _ => bad(),
        })?;
        if !(1800..=2200).contains(&date.year()) {
            return Err(bad());
        }
        Ok(date)
    }
    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:04}{:02}{:02}",
            self.year(),
            self.month(),
            self.day()
        );
    }
}

/// `HHMM` as the 16 files write it; `HH:MM` and `HH:MM:SS` (seconds dropped) are read too.
impl Field for NaiveTime {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        // Six bare digits could be a date shifted into the column (`200719`): not a time here.
        let bare_six = raw.len() == 6 && !raw.contains(':');
        let parsed = raidai_domain::calendar::parse_time_hhmm(raw)
            .ok()
            .filter(|_| !bare_six);
        let t = parsed.ok_or_else(|| {
            FieldError::new(
                RejectCode::BadTime,
                "เวลาต้องอยู่ในรูป HHMM (00:00–23:59)",
                "time must be HHMM (00:00–23:59)",
            )
        })?;
        Ok(t.with_second(0).unwrap_or(t))
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{:02}{:02}", self.hour(), self.minute());
    }
}

/// Baht, at most two decimals. The 16 files have no thousands separator (raidai writes none);
/// an exporter that groups thousands (`1,250.00`, MySQL `FORMAT()`) is read when every group
/// after the first has three digits ([`Satang::parse`] checks the groups).
impl Field for Satang {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        Satang::parse(raw).map_err(|e| {
            FieldError::new(
                RejectCode::BadAmount,
                "จำนวนเงินต้องเป็นตัวเลข ทศนิยมไม่เกิน 2 ตำแหน่ง",
                e.to_string(),
            )
        })
    }
    fn may_blank() -> bool {
        false
    }
    fn write(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

/// A person identifier: a 13-digit Thai ID whose checksum holds, or anything else kept as
/// written (a passport-like number, or a 13-digit ID with a wrong check digit, which the Data
/// Audit flags). An all-digit value that is not 13 digits long is taken for a broken citizen ID
/// and refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PersonId {
    Cid(Cid),
    Other(String),
}

impl PersonId {
    pub fn as_str(&self) -> &str {
        match self {
            PersonId::Cid(c) => c.as_str(),
            PersonId::Other(s) => s,
        }
    }
    pub fn cid(&self) -> Option<&Cid> {
        match self {
            PersonId::Cid(c) => Some(c),
            PersonId::Other(_) => None,
        }
    }
}

impl Field for PersonId {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            if raw.len() != 13 {
                return Err(FieldError::new(
                    RejectCode::BadCid,
                    "เลขประจำตัวประชาชนต้องมี 13 หลัก",
                    "citizen ID must have 13 digits",
                ));
            }
            // A wrong check digit still identifies the record (FDH cancelled its PERSON_ID
            // rules in 2566): kept as written, and the Data Audit flags it on the visit.
            return Ok(match Cid::parse(raw) {
                Ok(c) => PersonId::Cid(c),
                Err(_) => PersonId::Other(raw.to_string()),
            });
        }
        if raw.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(
                RejectCode::BadCid,
                "เลขประจำตัวมีอักขระที่ไม่ถูกต้อง",
                "ID contains control characters",
            ));
        }
        Ok(PersonId::Other(raw.to_string()))
    }
    fn write(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

/// Defines a newtype over a validated string (a shape, not a list); with `normalise`, the value
/// is brought to its written form first (what raidai writes is always the normal form).
macro_rules! shaped {
    ($(#[$m:meta])* $name:ident, $check:expr, $code:expr, $th:literal, $en:literal) => {
        shaped!($(#[$m])* $name, normalise = |s: &str| std::borrow::Cow::Borrowed(s), $check, $code, $th, $en);
    };
    ($(#[$m:meta])* $name:ident, normalise = $norm:expr, $check:expr, $code:expr, $th:literal, $en:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Validates `s` like the reader does.
            pub fn new(s: &str) -> Option<$name> {
                <$name as Field>::parse(s.trim()).ok()
            }
        }
        impl Field for $name {
            fn parse(raw: &str) -> Result<Self, FieldError> {
                let check: fn(&str) -> bool = $check;
                let norm: fn(&str) -> std::borrow::Cow<'_, str> = $norm;
                let value = norm(raw);
                if check(&value) {
                    Ok($name(value.into_owned()))
                } else {
                    Err(FieldError::new($code, $th, $en))
                }
            }
            fn write(&self, out: &mut String) {
                out.push_str(&self.0);
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once('.') {
        Some((i, f)) => digits(i) && digits(f),
        None => digits(s),
    }
}

/// Departments (digits 2–3 of CLINIC) listed in DOMAIN §1.4.
const CLINIC_DEPTS: &[&str] = &[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25", "99",
];

/// A CLINIC the reader keeps: a short code of letters and digits (a local code may add `-`, `.`,
/// `_` or spaces). Whether it is five digits of a department of DOMAIN §1.4 is a Data Audit
/// question ([`clinic_known`], CLN01): a malformed or unknown clinic still tells us the visit and
/// its bill. Anything else (a shifted column, a formula, control characters) is no clinic code.
fn clinic_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CLINIC_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b' '))
}

/// Longer than any clinic code a HIS writes (five digits, or a local code of a few more); a
/// longer value is a shifted column, not a clinic.
const MAX_CLINIC_CHARS: usize = 16;

/// Five digits; digit 1 is 0 (OPD) or 1 (IPD) and digits 2–3 a department of DOMAIN §1.4
/// (`000xx` for a รพ.สต.).
pub fn clinic_known(s: &str) -> bool {
    if s.len() != 5 || !digits(s) {
        return false;
    }
    let (kind, dept) = (&s[0..1], &s[1..3]);
    (kind == "0" || kind == "1") && (CLINIC_DEPTS.contains(&dept) || (kind == "0" && dept == "00"))
}

fn icd10_ok(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

shaped!(
    /// CLINIC as written: normally 5 digits, digit 1 is 0 (OPD) or 1 (IPD), digits 2–3 a
    /// department of DOMAIN §1.4 (`000xx` for a รพ.สต.); [`clinic_known`] says whether it is.
    Clinic,
    clinic_ok,
    RejectCode::BadCode,
    "รหัสคลินิกต้องเป็นตัวอักษรภาษาอังกฤษหรือตัวเลข ไม่เกิน 16 ตัว",
    "CLINIC must be at most 16 letters or digits"
);
/// An ICD code as the 16 files write it: no dot, capitals. Some HIS exports keep the dot where
/// the code has it (`E11.9` after three characters, `87.44` after two digits); a dot anywhere
/// else is a damaged code (`4.43` is 04.43 without its zero, not 44.3) and stays refused.
fn undotted(s: &str, dot_at: usize) -> std::borrow::Cow<'_, str> {
    let dotted = s.find('.');
    if dotted.is_some_and(|i| i != dot_at || s[i + 1..].contains('.') || i + 1 == s.len()) {
        return std::borrow::Cow::Borrowed(s);
    }
    if dotted.is_some() || s.bytes().any(|b| b.is_ascii_lowercase()) {
        std::borrow::Cow::Owned(s.replacen('.', "", 1).to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

shaped!(
    /// ICD-10 without the dot (`A415`, `I10`, `E119`); `E11.9` and `e119` read as `E119`.
    Icd10,
    normalise = |s| undotted(s, 3),
    icd10_ok,
    RejectCode::BadCode,
    "รหัส ICD-10 ไม่ถูกต้อง (ตัวอักษรตามด้วยตัวเลข ไม่มีจุด)",
    "ICD-10 code must be a letter and 2–6 characters, without the dot"
);
shaped!(
    /// ICD-9-CM procedure without the dot, 2–7 digits (Thai extension codes are 7); `87.44`
    /// reads as `8744`.
    Icd9cm,
    normalise = |s| undotted(s, 2),
    |s| (2..=7).contains(&s.len()) && digits(s),
    RejectCode::BadCode,
    "รหัสหัตถการ ICD-9-CM ต้องเป็นตัวเลข 2–7 หลัก ไม่มีจุด",
    "ICD-9-CM code must be 2–7 digits, without the dot"
);
shaped!(
    /// A decimal number kept as written (vital signs, quantities, weights).
    Num,
    decimal,
    RejectCode::BadNumber,
    "ต้องเป็นตัวเลข",
    "must be a number"
);
shaped!(
    /// Digits only, kept as written (leading zeros matter in codes).
    Digits,
    digits,
    RejectCode::BadNumber,
    "ต้องเป็นตัวเลขเท่านั้น",
    "must be digits only"
);
shaped!(
    /// Non-blank free text (the blank case is refused before this check).
    Text,
    |_| true,
    RejectCode::Required,
    "ต้องมีข้อมูล",
    "must not be blank"
);
shaped!(
    /// Two digits (CHANGWAT, AMPHUR).
    Digits2,
    |s| s.len() == 2 && digits(s),
    RejectCode::BadCode,
    "ต้องเป็นตัวเลข 2 หลัก",
    "must be 2 digits"
);
shaped!(
    /// Three digits (NATION).
    Digits3,
    |s| s.len() == 3 && digits(s),
    RejectCode::BadCode,
    "ต้องเป็นตัวเลข 3 หลัก",
    "must be 3 digits"
);

/// A main right (INSCL): a code known to `raidai_domain::rights` (NHSO MAININSCL plus the
/// HIS-side CSH self-pay and INS road-accident act), or a code of the right shape the table does
/// not know, kept for the Data Audit (RIGHT01) with its visit unposted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Inscl(String);

impl Inscl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The right, when the table knows the code.
    pub fn right(&self) -> Option<&'static raidai_domain::rights::MainRight> {
        raidai_domain::rights::main_right(&self.0)
    }
    pub fn new(code: &str) -> Option<Inscl> {
        <Inscl as Field>::parse(code.trim()).ok()
    }
}

impl Field for Inscl {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        // Any code the table knows, in capitals (`ucs` → `UCS`); an alias (NRD for NRH) is
        // kept as written. A short code of letters and digits the table does not know is kept
        // too (a newer right, a local one): the visit is known, its right is what needs fixing.
        if raw.len() <= 6 && raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Inscl(raw.to_ascii_uppercase()))
        } else {
            Err(FieldError::new(
                RejectCode::UnknownRight,
                "INSCL ต้องเป็นรหัสสิทธิหลัก (ตัวอักษรหรือตัวเลขไม่เกิน 6 ตัว)",
                "INSCL must be a main-right code (up to 6 letters or digits)",
            ))
        }
    }
    fn write(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// Defines a code-set newtype: the code as written plus its Thai meaning.
macro_rules! code_set {
    ($(#[$m:meta])* $name:ident, $col:literal, [$(($code:literal, $th:literal)),* $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(&'static str);
        impl $name {
            /// (code, Thai meaning) of every member.
            pub const ALL: &'static [(&'static str, &'static str)] = &[$(($code, $th)),*];
            pub fn code(self) -> &'static str {
                self.0
            }
            pub fn meaning_th(self) -> &'static str {
                Self::ALL.iter().find(|(c, _)| *c == self.0).map(|(_, t)| *t).unwrap_or("")
            }
            pub fn new(code: &str) -> Option<$name> {
                Self::ALL.iter().find(|(c, _)| *c == code.trim()).map(|(c, _)| $name(c))
            }
        }
        impl Field for $name {
            fn parse(raw: &str) -> Result<Self, FieldError> {
                $name::new(raw).ok_or_else(|| {
                    let list: Vec<&str> = Self::ALL.iter().map(|(c, _)| *c).collect();
                    FieldError::new(
                        RejectCode::BadCode,
                        format!("{} ต้องเป็นหนึ่งใน {}", $col, list.join(", ")),
                        format!("{} must be one of {}", $col, list.join(", ")),
                    )
                })
            }
            fn write(&self, out: &mut String) {
                out.push_str(self.0);
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
    };
}

code_set!(
    /// DXTYPE.
    DxType, "DXTYPE",
    [("1", "โรคหลัก"), ("2", "โรคร่วม"), ("3", "โรคแทรก"), ("4", "อื่นๆ"), ("5", "สาเหตุภายนอก")]
);
code_set!(
    /// OPTYPE of IOP (procedure rank).
    ProcType, "OPTYPE",
    [("1", "หัตถการหลัก"), ("2", "หัตถการรอง"), ("3", "อื่นๆ")]
);
code_set!(
    /// OPTYPE of OPD (service type).
    OpdType, "OPTYPE",
    [
        ("0", "Refer ในบัญชีเครือข่าย"), ("1", "Refer นอกบัญชีเครือข่าย"), ("2", "AE ในบัญชีเครือข่าย"),
        ("3", "AE นอกบัญชีเครือข่าย"), ("4", "OP พิการ"), ("5", "OP บัตรตัวเอง"),
        ("6", "Clearing House"), ("7", "OP อื่นๆ"), ("8", "ผู้ป่วยกึ่ง OP/IP"), ("9", "แพทย์แผนไทย"),
    ]
);
code_set!(
    /// DISCHS (discharge status).
    Dischs, "DISCHS",
    [
        ("1", "หายขาด"), ("2", "ทุเลา"), ("3", "ไม่ทุเลา"), ("4", "คลอดปกติ"), ("5", "ยังไม่คลอด"),
        ("6", "เด็กปกติจำหน่ายพร้อมมารดา"), ("7", "เด็กปกติจำหน่ายแยก"), ("8", "ตายคลอด"), ("9", "ตาย"),
    ]
);
code_set!(
    /// DISCHT (discharge type).
    Discht, "DISCHT",
    [
        ("1", "แพทย์อนุญาต"), ("2", "ไม่สมัครอยู่"), ("3", "หนี"), ("4", "ส่งต่อ"), ("5", "อื่นๆ"),
        ("8", "ตาย ชันสูตร"), ("9", "ตาย ไม่ชันสูตร"),
    ]
);
code_set!(
    /// UUC.
    Uuc, "UUC",
    [("1", "ใช้สิทธิ"), ("2", "ไม่ใช้สิทธิ")]
);
code_set!(
    /// SVCTYPE of IPD.
    SvcType, "SVCTYPE",
    [("I", "ผู้ป่วยใน"), ("A", "Ambulatory care")]
);
code_set!(Sex, "SEX", [("1", "ชาย"), ("2", "หญิง")]);
code_set!(
    Marriage,
    "MARRIAGE",
    [
        ("1", "โสด"),
        ("2", "คู่"),
        ("3", "หม้าย"),
        ("4", "หย่า"),
        ("5", "แยกกันอยู่"),
        ("6", "สมณะ"),
        ("9", "ไม่ทราบ"),
    ]
);
code_set!(
    /// IDTYPE of PAT.
    IdType, "IDTYPE",
    [
        ("1", "บัตรประชาชน"), ("2", "หนังสือเดินทาง"), ("3", "บัตรต่างด้าว"), ("4", "อื่นๆ"),
        ("5", "บัตรแรงงานต่างด้าว สปส."), ("6", "บัตรคนพิการ"),
    ]
);
code_set!(
    Htype,
    "HTYPE",
    [
        ("1", "หน่วยบริการหลัก"),
        ("2", "หน่วยบริการรอง"),
        ("3", "หน่วยบริการระดับสูง"),
        ("4", "หน่วยบริการเฉพาะ"),
        ("5", "super-tertiary")
    ]
);
code_set!(
    /// REFERTYPE: 1 refer in, 2 refer out (as exporters use it [I]).
    ReferType, "REFERTYPE",
    [("1", "รับส่งต่อ"), ("2", "ส่งต่อ")]
);
code_set!(
    /// TYPEIN of OPD.
    TypeIn, "TYPEIN",
    [("1", "มาเอง"), ("2", "นัด"), ("3", "รับส่งต่อ"), ("4", "EMS")]
);
code_set!(
    /// TYPEOUT of OPD.
    TypeOut, "TYPEOUT",
    [
        ("1", "กลับบ้าน"), ("2", "รับไว้รักษา"), ("3", "ส่งต่อ"), ("4", "เสียชีวิต"), ("5", "เสียชีวิตก่อนมาถึง"),
        ("6", "เสียชีวิตระหว่างส่งต่อ"), ("7", "ปฏิเสธการรักษา"), ("8", "หนีกลับ"),
    ]
);
code_set!(
    /// AETYPE. `0` is accepted as printed in the manual (probably the letter O) [I].
    AeType, "AETYPE",
    [("V", "พ.ร.บ.ผู้ประสบภัยจากรถ"), ("O", "กองทุนเงินทดแทน"), ("0", "กองทุนเงินทดแทน"), ("B", "ทั้งสองกรณี")]
);
code_set!(
    /// UCAE (blank = neither).
    Ucae, "UCAE",
    [
        ("A", "อุบัติเหตุ"), ("E", "ฉุกเฉิน"), ("1", "OP refer ในจังหวัด"), ("0", "OP refer ข้ามจังหวัด"),
        ("C", "ย้ายหน่วยเกิดสิทธิทันที"), ("Z", "บริการเชิงรุก"),
    ]
);
code_set!(
    /// USE_STATUS of DRU/ADP.
    UseStatus, "USE_STATUS",
    [("1", "ใช้ในโรงพยาบาล"), ("2", "ใช้ที่บ้าน"), ("3", "ใช้ที่บ้านเกิน 2 สัปดาห์"), ("4", "ยาโรคเรื้อรังใช้ที่บ้าน")]
);
code_set!(
    /// LABTEST of the FDH LAB file.
    LabTest, "LABTEST",
    [
        ("01", "FBS (venous)"), ("02", "FBS (capillary)"), ("03", "HbA1c"), ("04", "Triglyceride"),
        ("05", "Total cholesterol"), ("06", "HDL"), ("07", "LDL"), ("08", "BUN"), ("09", "Creatinine"),
        ("10", "Micro-albumin"), ("11", "eGFR (CKD-EPI)"), ("12", "Hb"), ("13", "LABTEST 13"),
        ("14", "LABTEST 14"), ("15", "LABTEST 15"), ("16", "LABTEST 16"),
    ]
);

mod charge;
pub use charge::*;

#[cfg(test)]
mod tests;
