//! The claim cycle's storage: claim batches, the returns of the funds (REP and STM lines),
//! each visit's claim status, settlement and write-off entries in the journal, the C / Deny
//! worklist, aging and the roll-up. What a line means (matching, outcome, which accounts a
//! settlement uses) is decided in `raidai_claims::cycle`; this module reads and writes.

use super::*;
use crate::sql::row_struct;

/// Keys per `IN (…)` lookup and rows per multi-row INSERT here.
const CHUNK: usize = 500;

mod batches;
mod reports;
mod return_rows;
mod returns;

pub use batches::*;
pub use reports::*;
pub use return_rows::*;
use return_rows::{line_vals, rep_vals, settle_vals};
pub use returns::*;

/// SQL of a visit's recognition date (IP at discharge) for alias `v`.
const RECOGNISED_SQL: &str = "(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END)";

/// A blocking finding not accepted by the unit, on visit alias `v`.
const BLOCKED_SQL: &str = "EXISTS (SELECT 1 FROM claim_findings f WHERE f.hcode = v.hcode AND f.vkey = v.vkey AND f.severity = 'block' AND NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule))";

const STATUS_COLS: &str = "hcode, vkey, batch_no, tran_id, status, appeal, rep_no, error_codes, late, expected, rep_date, received, cleared, written_down, written_up, stm_status, work, work_note, work_by, work_at, journal_refs, updated_at";
const STATUS_COL_COUNT: usize = 22;

row_struct! {
/// A visit with its claim, for the worklist, batch detail and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    #[serde(flatten)]
    pub visit: VisitRef,
    pub fund: String,
    pub inscl: String,
    pub receivable: String,
    /// The receivable posted for the fund.
    pub fund_amount: i64,
    pub batch_no: i64,
    /// What the REP in force said ('' status: never claimed; sent: in a batch, no REP yet).
    #[serde(flatten)]
    pub rep: RepResult,
    pub received: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub written_up: i64,
    pub stm_status: String,
    pub work: String,
    pub work_note: String,
    pub work_by: String,
    pub work_at: i64,
}
}

impl ClaimRow {
    /// What is still owed on the visit's receivable.
    pub fn outstanding(&self) -> i64 {
        self.fund_amount - self.cleared
    }
}

const CLAIM_ROW_COLS: &str = "v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.date_dsc, v.fund, v.inscl, v.receivable, v.fund_amount, \
    COALESCE(cs.batch_no, 0) AS batch_no, COALESCE(cs.tran_id, '') AS tran_id, COALESCE(cs.status, '') AS status, COALESCE(cs.appeal, 0) AS appeal, \
    COALESCE(cs.rep_no, '') AS rep_no, COALESCE(cs.error_codes, '') AS error_codes, COALESCE(cs.late, 0) AS late, COALESCE(cs.expected, 0) AS expected, \
    COALESCE(cs.rep_date, 0) AS rep_date, COALESCE(cs.received, 0) AS received, COALESCE(cs.cleared, 0) AS cleared, COALESCE(cs.written_down, 0) AS written_down, \
    COALESCE(cs.written_up, 0) AS written_up, COALESCE(cs.stm_status, '') AS stm_status, COALESCE(cs.work, '') AS work, COALESCE(cs.work_note, '') AS work_note, \
    COALESCE(cs.work_by, '') AS work_by, COALESCE(cs.work_at, 0) AS work_at";
