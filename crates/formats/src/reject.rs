//! Rejects: every problem found while reading is a value naming the file, line and field, with a
//! reason in Thai (UI) and English (logs). Personal IDs are masked before they get here.

use serde::Serialize;
use std::fmt;
use std::io::{self, Write};

use crate::kind::Col;

/// Stable reject codes (also the CSV `code` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RejectCode {
    /// A mandatory file is absent (INS, PAT, CHT, OPD or IPD), or a file whose parent
    /// (OPD for ORF/ODX/OOP, IPD for IRF/IDX/IOP/LVD) is absent.
    MissingFile,
    /// The header line lacks a column this reader needs, or the file has no header.
    MissingColumn,
    /// The line has more or fewer fields than its header (e.g. a truncated last line).
    FieldCount,
    /// Bytes that do not decode in the file's encoding, or a line in another encoding.
    Encoding,
    /// A mandatory field is blank.
    Required,
    /// Not a `YYYYMMDD` Christian-Era date, or dates out of order.
    BadDate,
    /// Not an `HHMM` time.
    BadTime,
    /// Not a plain amount with at most two decimals (no thousands separator).
    BadAmount,
    /// Not a number where a number is expected.
    BadNumber,
    /// A citizen ID with the wrong length, non-digits or a failed checksum.
    BadCid,
    /// A 5-digit unit code (HCODE, HOSPMAIN, REFER …) of the wrong shape.
    BadHcode,
    /// PAT/DRU HCODE is not the importing unit's code.
    HcodeMismatch,
    /// A key (HN, AN, SEQ) that is too long or contains control characters.
    BadKey,
    /// A value outside its code set (CHRGITEM, DXTYPE, DISCHS, DISCHT, CLINIC, ICD …).
    BadCode,
    /// INS.INSCL cannot be a main-right code (a code the table does not know is kept).
    UnknownRight,
    /// (HN, SEQ) appears twice in OPD.
    DuplicateVisit,
    /// (HN, AN) / AN appears twice in IPD.
    DuplicateAdmission,
    /// HN appears twice in PAT.
    DuplicatePatient,
    /// More than one INS line for the same visit.
    DuplicateRight,
    /// An HN of INS is not in PAT.
    PatientMissing,
    /// A visit (HN+SEQ) or admission (AN) has no line in INS.
    RightMissing,
    /// A line refers to a visit or admission that is not in OPD/IPD (e.g. CHT without visit).
    NoVisit,
    /// A line's HN differs from the HN of its admission in IPD.
    HnMismatch,
    /// A visit or admission has no CHT line.
    BillMissing,
    /// Σ CHT.TOTAL or Σ CHA.AMOUNT of a visit or admission overflows. (A Σ CHA that merely
    /// differs from CHT.TOTAL is the Data Audit's CHG01 on a kept visit; imports before that
    /// change stored it under this code.)
    ChargeMismatch,
}

impl RejectCode {
    pub const ALL: [RejectCode; 25] = [
        RejectCode::MissingFile,
        RejectCode::MissingColumn,
        RejectCode::FieldCount,
        RejectCode::Encoding,
        RejectCode::Required,
        RejectCode::BadDate,
        RejectCode::BadTime,
        RejectCode::BadAmount,
        RejectCode::BadNumber,
        RejectCode::BadCid,
        RejectCode::BadHcode,
        RejectCode::HcodeMismatch,
        RejectCode::BadKey,
        RejectCode::BadCode,
        RejectCode::UnknownRight,
        RejectCode::DuplicateVisit,
        RejectCode::DuplicateAdmission,
        RejectCode::DuplicatePatient,
        RejectCode::DuplicateRight,
        RejectCode::PatientMissing,
        RejectCode::RightMissing,
        RejectCode::NoVisit,
        RejectCode::HnMismatch,
        RejectCode::BillMissing,
        RejectCode::ChargeMismatch,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::MissingFile => "MISSING_FILE",
            RejectCode::MissingColumn => "MISSING_COLUMN",
            RejectCode::FieldCount => "FIELD_COUNT",
            RejectCode::Encoding => "ENCODING",
            RejectCode::Required => "REQUIRED",
            RejectCode::BadDate => "BAD_DATE",
            RejectCode::BadTime => "BAD_TIME",
            RejectCode::BadAmount => "BAD_AMOUNT",
            RejectCode::BadNumber => "BAD_NUMBER",
            RejectCode::BadCid => "BAD_CID",
            RejectCode::BadHcode => "BAD_HCODE",
            RejectCode::HcodeMismatch => "HCODE_MISMATCH",
            RejectCode::BadKey => "BAD_KEY",
            RejectCode::BadCode => "BAD_CODE",
            RejectCode::UnknownRight => "UNKNOWN_RIGHT",
            RejectCode::DuplicateVisit => "DUPLICATE_VISIT",
            RejectCode::DuplicateAdmission => "DUPLICATE_ADMISSION",
            RejectCode::DuplicatePatient => "DUPLICATE_PATIENT",
            RejectCode::DuplicateRight => "DUPLICATE_RIGHT",
            RejectCode::PatientMissing => "PATIENT_MISSING",
            RejectCode::RightMissing => "RIGHT_MISSING",
            RejectCode::NoVisit => "NO_VISIT",
            RejectCode::HnMismatch => "HN_MISMATCH",
            RejectCode::BillMissing => "BILL_MISSING",
            RejectCode::ChargeMismatch => "CHARGE_MISMATCH",
        }
    }
}

impl fmt::Display for RejectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in the input. `line` is the physical line (1 = header); 0 means the whole file.
/// `hn`/`seq`/`an` are the keys read from the line (blank when unknown), to find the visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    pub field: String,
    /// The offending value; citizen IDs are masked.
    pub value: String,
    pub code: RejectCode,
    pub reason_th: String,
    pub reason_en: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if !self.field.is_empty() {
            write!(f, " {}", self.field)?;
        }
        if !self.value.is_empty() {
            write!(f, "={:?}", self.value)?;
        }
        write!(f, " [{}] {}", self.code, self.reason_en)
    }
}

/// Masks a personal ID for display. A 13-digit value keeps the shape of
/// `raidai_domain::ids::Cid::masked` (`1-2345-xxxxx-xx-1`); anything else keeps only its first
/// and last character.
pub fn mask_id(raw: &str) -> String {
    let t = raw.trim();
    let chars: Vec<char> = t.chars().collect();
    if chars.len() == 13 && t.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}-{}-xxxxx-xx-{}", &t[0..1], &t[1..5], &t[12..13]);
    }
    match chars.len() {
        0 => String::new(),
        1 | 2 => "x".repeat(chars.len()),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            s.extend(std::iter::repeat_n('x', n - 2));
            s.push(chars[n - 1]);
            s
        }
    }
}

/// The value to show for `col`: masked for personal IDs, shortened when very long.
pub(crate) fn shown_value(col: Option<Col>, raw: &str) -> String {
    if col.is_some_and(Col::is_personal_id) {
        return mask_id(raw);
    }
    const MAX: usize = 80;
    if raw.chars().count() > MAX {
        let mut s: String = raw.chars().take(MAX).collect();
        s.push('…');
        s
    } else {
        raw.to_string()
    }
}

/// Column order of the rejects CSV.
pub const REJECT_CSV_HEADER: [&str; 10] = [
    "file",
    "line",
    "field",
    "value",
    "code",
    "hn",
    "seq",
    "an",
    "reason_th",
    "reason_en",
];

/// Streams rejects to CSV (UTF-8 with BOM, so spreadsheet programs show the Thai reasons).
pub struct RejectCsvWriter<W: Write> {
    inner: csv::Writer<W>,
    written: u64,
}

impl<W: Write> RejectCsvWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        inner
            .write_record(REJECT_CSV_HEADER)
            .map_err(io::Error::other)?;
        Ok(RejectCsvWriter { inner, written: 0 })
    }

    pub fn write(&mut self, r: &Reject) -> io::Result<()> {
        let line = r.line.to_string();
        // Values come from the HIS files: neutralise anything a spreadsheet would run.
        self.inner
            .write_record(
                [
                    r.file.as_str(),
                    line.as_str(),
                    r.field.as_str(),
                    r.value.as_str(),
                    r.code.as_str(),
                    r.hn.as_str(),
                    r.seq.as_str(),
                    r.an.as_str(),
                    r.reason_th.as_str(),
                    r.reason_en.as_str(),
                ]
                .map(|c| raidai_domain::text::csv_cell_bytes(c.as_bytes())),
            )
            .map_err(io::Error::other)?;
        self.written += 1;
        Ok(())
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn finish(self) -> io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Writes all `rejects` as CSV; see [`RejectCsvWriter`].
pub fn write_rejects_csv<'a, W: Write>(
    out: W,
    rejects: impl IntoIterator<Item = &'a Reject>,
) -> io::Result<W> {
    let mut w = RejectCsvWriter::new(out)?;
    for r in rejects {
        w.write(r)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_ids() {
        assert_eq!(mask_id("1234567890121"), "1-2345-xxxxx-xx-1");
        assert_eq!(mask_id("1234567890122"), "1-2345-xxxxx-xx-2");
        assert_eq!(mask_id("AB12345"), "Axxxxx5");
        assert_eq!(mask_id("12"), "xx");
        assert_eq!(
            shown_value(Some(Col::PERSON_ID), "123456789012"),
            "1xxxxxxxxxx2"
        );
        assert_eq!(shown_value(Some(Col::HN), "000123"), "000123");
    }

    #[test]
    fn csv_has_bom_header_and_quotes() {
        let r = Reject {
            file: "CHA.txt".into(),
            line: 3,
            field: "AMOUNT".into(),
            value: "1,234.00".into(),
            code: RejectCode::BadAmount,
            reason_th: "จำนวนเงินมีเครื่องหมายจุลภาค".into(),
            reason_en: "amount has a thousands separator".into(),
            hn: "000000001".into(),
            seq: "690101080000".into(),
            an: String::new(),
        };
        let out = write_rejects_csv(Vec::new(), [&r]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "\u{feff}file,line,field,value,code,hn,seq,an,reason_th,reason_en\r\n"
            )
        );
        assert!(text.contains("CHA.txt,3,AMOUNT,\"1,234.00\",BAD_AMOUNT,000000001,690101080000,,"));
    }
}
