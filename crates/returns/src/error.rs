//! Whole-file errors ([`ReturnsError`]) and line-level problems ([`ReturnReject`]).

/// One line of a return file that could not be read. The line is left out of the result;
/// the rest of the file is still read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReturnReject {
    /// Sheet name as shown in Excel ("Detail", "รายละเอียด"), or "XML" for an XML statement.
    pub sheet: String,
    /// 1-based row as Excel shows it (for XML: the line of the `<TBill>` element).
    pub row: u32,
    /// The column header as written in the file (or the element name in XML).
    pub field: String,
    /// The cell's text as read.
    pub value: String,
    /// English explanation.
    pub message: String,
    /// Thai explanation.
    pub message_th: String,
}

/// A problem with the whole file: nothing in it can be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnsError {
    /// The bytes are not an Excel workbook (.xls/.xlsx) nor an XML statement.
    #[error("{file_name}: not a spreadsheet (.xls or .xlsx) that can be opened: {detail}")]
    NotSpreadsheet { file_name: String, detail: String },
    /// The workbook opened but has no sheet of the expected name.
    #[error("{file_name}: no sheet named \"{wanted}\" (sheets found: {})", found.join(", "))]
    NoSheet {
        file_name: String,
        wanted: String,
        found: Vec<String>,
    },
    /// No column-header row (one with TRAN_ID / REP No. / REP) in the first rows of the sheet.
    #[error(
        "{file_name}: sheet \"{sheet}\" has no column header row (a row with TRAN_ID or REP No.) in its first {searched} rows"
    )]
    NoHeaderRow {
        file_name: String,
        sheet: String,
        searched: u32,
    },
    /// A column this layout needs is not in the header row.
    #[error("{file_name}: sheet \"{sheet}\" has no column \"{column}\"")]
    MissingColumn {
        file_name: String,
        sheet: String,
        column: String,
    },
    /// The report header rows do not name the hospital (5-digit code).
    #[error(
        "{file_name}: the report header (rows above the column headers) does not give the hospital code"
    )]
    MissingHospitalCode { file_name: String },
    /// The hospital code in the report header differs from the one in the file name.
    #[error(
        "{file_name}: the file name is for hospital {name_hcode} but the report header says {header_hcode}"
    )]
    HospitalMismatch {
        file_name: String,
        name_hcode: String,
        header_hcode: String,
    },
    /// The file name is not an e-Claim REP/STM name and the header does not give the document number.
    #[error(
        "{file_name}: not a {expected} file name (e.g. {example}) and the report header does not give the document number"
    )]
    UnknownFileName {
        file_name: String,
        expected: &'static str,
        example: &'static str,
    },
    /// An XML statement that is not well-formed or lacks its required elements.
    #[error("{file_name}: XML statement cannot be read: {detail}")]
    BadXml { file_name: String, detail: String },
}

impl ReturnsError {
    /// The same message in Thai, for users.
    pub fn message_th(&self) -> String {
        match self {
            ReturnsError::NotSpreadsheet { file_name, .. } => {
                format!("{file_name}: ไม่ใช่ไฟล์ Excel (.xls หรือ .xlsx) ที่เปิดอ่านได้")
            }
            ReturnsError::NoSheet {
                file_name,
                wanted,
                found,
            } => format!(
                "{file_name}: ไม่พบแผ่นงาน (sheet) ชื่อ \"{wanted}\" (มีแผ่นงาน: {})",
                found.join(", ")
            ),
            ReturnsError::NoHeaderRow {
                file_name,
                sheet,
                searched,
            } => format!(
                "{file_name}: แผ่นงาน \"{sheet}\" ไม่มีแถวหัวคอลัมน์ (แถวที่มี TRAN_ID หรือ REP No.) ใน {searched} แถวแรก"
            ),
            ReturnsError::MissingColumn {
                file_name,
                sheet,
                column,
            } => format!("{file_name}: แผ่นงาน \"{sheet}\" ไม่มีคอลัมน์ \"{column}\""),
            ReturnsError::MissingHospitalCode { file_name } => {
                format!("{file_name}: ส่วนหัวรายงาน (แถวเหนือหัวคอลัมน์) ไม่ระบุรหัสหน่วยบริการ 5 หลัก")
            }
            ReturnsError::HospitalMismatch {
                file_name,
                name_hcode,
                header_hcode,
            } => format!(
                "{file_name}: ชื่อไฟล์เป็นของหน่วยบริการ {name_hcode} แต่ส่วนหัวรายงานระบุ {header_hcode}"
            ),
            ReturnsError::UnknownFileName {
                file_name,
                expected,
                example,
            } => format!(
                "{file_name}: ชื่อไฟล์ไม่ใช่รูปแบบ {expected} (เช่น {example}) และส่วนหัวรายงานไม่ระบุเลขที่เอกสาร"
            ),
            ReturnsError::BadXml { file_name, detail } => {
                format!("{file_name}: อ่านไฟล์ Statement แบบ XML ไม่ได้ ({detail})")
            }
        }
    }
}
