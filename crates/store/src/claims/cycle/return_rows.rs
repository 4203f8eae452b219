//! The rows of a return: the file, its lines, the stored claim a line is matched against, and
//! what a REP line or a settlement writes to a claim (with their values in column order).

use super::*;
use crate::sql::row_struct;

/// A REP or STM file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnMeta {
    /// `rep` or `stm`.
    pub kind: &'static str,
    pub file_name: String,
    pub doc_no: String,
    pub detail: String,
    pub sha256: String,
    pub bytes: u64,
}

row_struct! {
/// An imported REP or STM file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRecord {
    pub hcode: String,
    pub no: i64,
    /// The import row of the return: its line rejects are listed and downloaded as that
    /// import's rejects.
    pub import_id: String,
    pub kind: String,
    pub file_name: String,
    pub doc_no: String,
    pub detail: String,
    pub sha256: String,
    pub import_no: i64,
    pub lines: i64,
    pub matched: i64,
    pub unmatched: i64,
    pub rejects: i64,
    pub amount: i64,
    pub settled: i64,
    pub at: i64,
    pub username: String,
}
}

/// One line of a return as stored (matched or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnLineRow {
    pub row_no: i64,
    pub vkey: String,
    pub match_note: String,
    pub tran_id: String,
    pub rep_no: String,
    pub hn: String,
    pub seq_no: String,
    pub an: String,
    pub date_in: i64,
    pub outcome: String,
    pub error_codes: String,
    pub late: bool,
    pub claimed: i64,
    pub amount: i64,
}

pub(super) const RETURN_LINE_COLS: &str = "hcode, return_no, row_no, vkey, match_note, tran_id, rep_no, hn, seq_no, an, date_in, outcome, error_codes, late, claimed, amount";

pub(super) fn return_line(r: &AnyRow) -> Result<ReturnLineRow, StoreError> {
    return_line_as(r, "amount")
}

/// A return line whose amount is read from column `amount_col`.
pub(super) fn return_line_as(r: &AnyRow, amount_col: &str) -> Result<ReturnLineRow, StoreError> {
    Ok(ReturnLineRow {
        row_no: get_i(r, "row_no")?,
        vkey: get_s(r, "vkey")?,
        match_note: get_s(r, "match_note")?,
        tran_id: get_s(r, "tran_id")?,
        rep_no: get_s(r, "rep_no")?,
        hn: get_s(r, "hn")?,
        seq_no: get_s(r, "seq_no")?,
        an: get_s(r, "an")?,
        date_in: get_i(r, "date_in")?,
        outcome: get_s(r, "outcome")?,
        error_codes: get_s(r, "error_codes")?,
        late: get_i(r, "late")? != 0,
        claimed: get_i(r, "claimed")?,
        amount: get_i(r, amount_col)?,
    })
}

/// What the matcher needs of a stored visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    pub vkey: String,
    pub setting: String,
    pub cid: Personal,
    pub date_serv: i64,
    pub date_dsc: i64,
    pub fund: String,
    pub receivable: String,
    pub fund_amount: i64,
    pub posted: bool,
    /// The visit's journal version (settlement lines carry it).
    pub ver: i64,
    pub status: String,
    pub tran_id: String,
    /// What the REP in force said the fund would pay.
    pub expected: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub work: String,
}

row_struct! {
/// What a REP said of a visit's claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepResult {
    pub tran_id: String,
    /// accepted, corrective, deny ('' never claimed, sent: in a batch with no REP yet).
    pub status: String,
    pub appeal: bool,
    pub rep_no: String,
    pub error_codes: String,
    pub late: bool,
    pub expected: i64,
    pub rep_date: i64,
}
}

/// A REP line's effect on a visit's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepStatus {
    pub vkey: String,
    pub rep: RepResult,
}

/// A journal entry on a visit's receivable (settlement or write-off) and what it does to the
/// visit's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleEntry {
    pub vkey: String,
    /// The visit's current journal version (settlement lines carry it).
    pub ver: i64,
    /// What the fund owes on the visit: the claim's open amount is this less what is cleared.
    pub fund_amount: i64,
    pub tran_id: String,
    pub date_serv: i64,
    /// Balanced lines (Σ debit = Σ credit).
    pub lines: Vec<PostLine>,
    pub received: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub written_up: i64,
    /// STM: matched or amount_diff; '' for a write-off.
    pub stm_status: String,
}

/// A return line's values in [`RETURN_LINE_COLS`] order.
pub(super) fn line_vals<'a>(hcode: &'a str, no: i64, l: &'a ReturnLineRow) -> [Val<'a>; 16] {
    [
        Val::Text(hcode),
        Val::Int(no),
        Val::Int(l.row_no),
        Val::Text(&l.vkey),
        Val::Text(&l.match_note),
        Val::Text(&l.tran_id),
        Val::Text(&l.rep_no),
        Val::Text(&l.hn),
        Val::Text(&l.seq_no),
        Val::Text(&l.an),
        Val::Int(l.date_in),
        Val::Text(&l.outcome),
        Val::Text(&l.error_codes),
        Val::Int(i64::from(l.late)),
        Val::Int(l.claimed),
        Val::Int(l.amount),
    ]
}

/// A REP line's claim in [`STATUS_COLS`] order then `open_amount` (a new claim's amounts are
/// zero; [`REP_CONFLICT`] keeps a stored claim's).
pub(super) fn rep_vals<'a>(hcode: &'a str, r: &'a RepStatus, now: i64) -> Vec<Val<'a>> {
    let work = if r.rep.status == "accepted" {
        ""
    } else {
        "to_fix"
    };
    vec![
        Val::Text(hcode),
        Val::Text(&r.vkey),
        Val::Int(0),
        Val::Text(&r.rep.tran_id),
        Val::Text(&r.rep.status),
        Val::Int(i64::from(r.rep.appeal)),
        Val::Text(&r.rep.rep_no),
        Val::Text(&r.rep.error_codes),
        Val::Int(i64::from(r.rep.late)),
        Val::Int(r.rep.expected),
        Val::Int(r.rep.rep_date),
        Val::Int(0),
        Val::Int(0),
        Val::Int(0),
        Val::Int(0),
        Val::Text(""),
        Val::Text(work),
        Val::Text(""),
        Val::Text(""),
        Val::Int(0),
        Val::Text(""),
        Val::Int(now),
        Val::Int(0),
    ]
}

/// A settlement's claim in [`STATUS_COLS`] order then `open_amount` ([`SETTLE_CONFLICT`] adds
/// the amounts to a stored claim's and appends the journal reference `r`).
pub(super) fn settle_vals<'a>(
    hcode: &'a str,
    e: &'a SettleEntry,
    r: &'a str,
    now: i64,
) -> Vec<Val<'a>> {
    vec![
        Val::Text(hcode),
        Val::Text(&e.vkey),
        Val::Int(0),
        Val::Text(&e.tran_id),
        Val::Text("accepted"),
        Val::Int(0),
        Val::Text(""),
        Val::Text(""),
        Val::Int(0),
        Val::Int(0),
        Val::Int(0),
        Val::Int(e.received),
        Val::Int(e.cleared),
        Val::Int(e.written_down),
        Val::Int(e.written_up),
        Val::Text(&e.stm_status),
        Val::Text(""),
        Val::Text(""),
        Val::Text(""),
        Val::Int(0),
        Val::Text(r),
        Val::Int(now),
        Val::Int(e.fund_amount - e.cleared),
    ]
}
