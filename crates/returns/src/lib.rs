//! raidai returns: reading (and synthesising) what NHSO sends back to a hospital.
//!
//! * **REP** (`eclaim_{HCODE}_{TYPE}_{YYYYMMDD BE}_{seq}.xls`, DOMAIN §2.1): the claim-by-claim
//!   report of the `Detail` sheet, read by [`read_rep`] into [`RepLine`]s. Rows 0–4 are the
//!   report header (issue date, region, province, hospital, document no.); the column-header row
//!   is found by searching the top rows for `TRAN_ID` / `REP No.` / `REP`, and sub-header rows
//!   below it are skipped. Three layout families ([`RepLayout`]):
//!   * **UCS** (OP, IP, appeals): 120 columns read **by position** (ORF: its own 113 positions);
//!     expected payment = ชดเชยสุทธิ สปสช. + หน่วยงาน (cols 10+11), claimed = เรียกเก็บ (col 40);
//!   * **LGO** (also BKK, BMT): **by header name**; claimed = `เบิกได้`, expected = `ชดเชยสุทธิ`;
//!   * **SSS**: by header name; claimed = `ขอเบิกค่าบริการ`, expected = `รวมเงินค่าบริการทั้งหมด`.
//! * **STM** statements ([`read_stm`]): the NHSO workbook (`STM_{HCODE}_{IP|OP}{FUND}{YYYYMM}_{nn}`,
//!   sheet รายละเอียด, by header name) and the CHI/สกส. XML statement (`STMSTMP`, bills under
//!   `TBills/…/TBill`). REP and STM lines join on TRAN_ID (XML: HN + invoice number).
//!
//! **Outcome rule** ([`Outcome::classify`]): a line is **Deny** if any of its error codes is of
//! type D or a Deny cell is filled; else **Corrective** if any code is of type C *or unknown to
//! the code table* (an unknown code still needs someone to fix it); else **Accepted** (Verify
//! codes alone are paid, subject to audit). Codes come from `Error Code` and the Deny cells,
//! split on `,` `;` and spaces. The table is [`ErrorCodes::builtin`], optionally merged with a
//! province's full list ([`ErrorCodes::parse_tsv_or_csv`], [`read_rep_with`]).
//!
//! Amounts are exact [`Satang`]: numeric cells are read from their shortest decimal form and
//! rounded half away from zero at two places (1234.5 → 123450, 0.1+0.2 → 30); text may carry
//! thousands separators; `-` is zero. Dates are returned as CE `YYYYMMDD`; a year above 2400
//! is BE. A line that cannot be read becomes a [`ReturnReject`] naming sheet, row, column and
//! value, and the rest of the file is kept; a problem with the whole file is a [`ReturnsError`].
//!
//! [`write_rep`], [`write_stm`] and [`write_stm_xml`] generate synthetic files in these layouts
//! (deterministic from a seed) together with the lines a reader must give back.
//!
//! An .xlsx sheet is read row by row (the top rows are kept for the headers), so memory grows
//! with the lines returned, not with the sheet's width × height: by the tag scanner of
//! `xlsx_scan` (a window of the inflated sheet at a time), or calamine's cell stream for what
//! the scanner does not read; an .xls sheet (no streaming reader) is loaded whole by calamine
//! and walked the same way.
//!
//! Pure: the readers take bytes and return values; no files, no database. (The generator
//! streams its large sheets through a temporary file, rust_xlsxwriter's constant-memory mode,
//! when one can be made, and builds them in memory otherwise.)

mod cells;
mod codes;
mod error;
mod generate;
mod generate_stm;
mod layout;
mod rep;
mod sheet;
#[cfg(test)]
mod sheet_tests;
mod stm;
mod xlsx_scan;

/// What a REP line and a statement line both say of their visit: where the line stands in
/// the file, the keys it is matched by and what the hospital claimed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineVisit {
    /// 1-based spreadsheet row (as Excel shows it).
    pub row: u32,
    pub rep_no: String,
    /// Empty when none (XML statements have none).
    pub tran_id: String,
    pub hn: String,
    /// Empty when none.
    pub an: String,
    pub pid: String,
    /// YYYYMMDD (CE).
    pub date_in: Option<i64>,
    pub date_out: Option<i64>,
    /// เรียกเก็บ: what the hospital claimed.
    pub claimed: Satang,
    /// SEQ NO (the HIS visit or invoice number).
    pub seq_no: String,
}

pub use codes::{CodeType, CodesError, ErrorCode, ErrorCodes};
pub use error::{ReturnReject, ReturnsError};
pub use generate::{ClaimedVisit, GeneratedRep, RepShares, write_rep};
pub use generate_stm::{GeneratedStm, write_stm, write_stm_xml};
pub use raidai_domain::money::Satang;
pub use rep::{
    Outcome, REP_KINDS, RepFile, RepHeader, RepLayout, RepLine, read_rep, read_rep_with,
};
pub use stm::{StmFile, StmHeader, StmLine, read_stm};
