//! 16-file imports, visits and admissions, the append-only receivables journal, and the
//! reports built on them (receivables by account and fund, province roll-up).
//!
//! An import is one transaction ([`ImportSession`]): visits are written in multi-row batches as
//! the reader produces them, and nothing is visible until [`ImportSession::finish`] commits.
//! Dropping the session (an error, a kill) rolls everything back. Each visit carries a content
//! hash: an unchanged visit is skipped (re-imports are idempotent); a changed visit is replaced,
//! its old posting reversed by a reversing entry, its new posting appended, and the change
//! recorded in the audit log.

use crate::audit::Change;
use crate::sql::{Cols, Sql, get_i, get_s, row_struct};
use crate::sqlite_raw::{NamedRow, Stmt, Val, insert_sql};
use crate::{Actor, Engine, ImportPool, Store, StoreError, now_ms};
use raidai_domain::accounts::{PostingRule, default_posting_map, parse_posting_map};
use raidai_domain::ids::Hcode;
use raidai_domain::ids::Personal;
use raidai_domain::periods::{ClosedMonths, fiscal_year_of, recognition_date};
use raidai_domain::text::clean_file_name;
use serde::Serialize;
use sqlx::Transaction;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod cycle;
pub(crate) mod sums;
pub use cycle::*;
pub use sums::SummaryDiff;

mod audit_session;
mod import;
mod posting_map;
mod queries;
mod rows;
pub use audit_session::*;
pub use queries::*;
use rows::*;

/// Rows per multi-row INSERT of rejects.
const LINE_CHUNK: usize = 1000;
/// Visits an import must insert or change before PostgreSQL's statistics are refreshed.
const ANALYZE_AFTER: i64 = 20_000;
/// Keys per `IN (…)` lookup of existing visits.
const LOOKUP_CHUNK: usize = 1000;

/// Runs a statement built with `$n` placeholders. On SQLite, large statements get anonymous `?`
/// placeholders instead (same order): SQLite looks a numbered parameter's name up by a linear
/// scan, which makes binding a multi-row INSERT quadratic in its parameter count (a 500-row
/// visit batch took 2 s with `$n`). Only for statements whose text holds no `$` of its own.
fn positional(engine: Engine, s: &mut Sql) {
    if engine != Engine::Sqlite {
        return;
    }
    let mut out = String::with_capacity(s.text.len());
    let mut chars = s.text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    s.text = out;
}

/// The first and last whole months (`yyyymm`) inside the days `from..=to` (`yyyymmdd`); the
/// first is after the last when none is whole.
fn whole_months(from: i64, to: i64) -> (i64, i64) {
    let next = |m: i64| {
        if m % 100 >= 12 {
            (m / 100 + 1) * 100 + 1
        } else {
            m + 1
        }
    };
    let prev = |m: i64| {
        if m % 100 <= 1 {
            (m / 100 - 1) * 100 + 12
        } else {
            m - 1
        }
    };
    let lo = if from % 100 <= 1 {
        from / 100
    } else {
        next(from / 100)
    };
    // `to` is the month's last day when the day after it is the next month's first.
    let hi = if to % 100 >= 31 || raidai_domain::periods::add_days(to, 1) % 100 == 1 {
        to / 100
    } else {
        prev(to / 100)
    };
    (lo, hi)
}

/// One file of an import, as shown in the import history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ImportFile {
    pub name: String,
    pub kind: String,
    pub bytes: u64,
    pub sha256: String,
    pub records: u64,
    pub encoding: String,
    pub layout: String,
}

/// What is known about an import before its visits are written.
#[derive(Debug, Clone, Default)]
pub struct ImportMeta {
    pub source_name: String,
    pub files: Vec<ImportFile>,
    pub strict: bool,
}

row_struct! {
/// One problem found by the reader (CIDs already masked in `value`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectRow {
    pub file: String,
    pub line: i64,
    pub field: String,
    pub value: String,
    pub code: String,
    pub reason_th: String,
    pub reason_en: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
}
}

impl RejectRow {
    /// The columns of a rejects report (CSV and XLSX, page and CLI), in order.
    pub const HEADER: [&'static str; 10] = [
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

    /// The row's cells in the order of [`RejectRow::HEADER`].
    pub fn fields(&self) -> [String; 10] {
        [
            self.file.clone(),
            self.line.to_string(),
            self.field.clone(),
            self.value.clone(),
            self.code.clone(),
            self.reason_th.clone(),
            self.reason_en.clone(),
            self.hn.clone(),
            self.seq.clone(),
            self.an.clone(),
        ]
    }
}

/// One journal line of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostLine {
    pub account: String,
    pub fund: String,
    pub debit: i64,
    pub credit: i64,
}

row_struct! {
/// Which visit a row is about: its key, setting, HN / SEQ / AN and dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRef {
    /// `O<hn>/<seq>` or `I<an>`.
    pub vkey: String,
    /// `OP` or `IP`.
    pub setting: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
    /// Date of service (admission date for IP), `yyyymmdd` CE.
    pub date_serv: i64,
    /// Discharge date (IP; 0 while in hospital) or the date of service (OP).
    pub date_dsc: i64,
}
}

row_struct! {
/// What a visit says beyond its identity: patient, right, bill and how it was posted. Stored
/// with the visit (import) and listed with it (pages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitFacts {
    /// Fiscal year (BE) of the recognition date (of the admission while in hospital).
    pub fy: i64,
    pub clinic: String,
    /// Principal diagnosis.
    pub pdx: String,
    pub cid: Personal,
    pub patient_name: Personal,
    pub sex: String,
    pub dob: i64,
    pub inscl: String,
    pub subtype: String,
    pub hospmain: String,
    pub permitno: String,
    pub fund: String,
    pub place: String,
    pub case: String,
    pub total: i64,
    pub paid: i64,
    pub claimable: i64,
    pub fund_amount: i64,
    pub patient_amount: i64,
    pub posted: bool,
    pub unposted_reason: String,
    /// Receivable account of the fund part ('' when none).
    pub receivable: String,
}
}

/// A visit (OP) or admission (IP) ready to store, with its posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRow {
    #[serde(flatten)]
    pub visit: VisitRef,
    /// The date the receivable is recognised on: discharge (IP) or service (OP); 0 while the
    /// patient is still in hospital (then nothing is posted).
    pub recognised: i64,
    #[serde(flatten)]
    pub facts: VisitFacts,
    pub content_hash: String,
    pub detail_json: String,
    pub lines: Vec<PostLine>,
    /// Data Audit findings of the visit (not part of its content hash: they follow the
    /// catalogue and the audit date, and are rewritten on every import of the visit).
    pub findings: Vec<FindingRow>,
}

/// One Data Audit finding on a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    pub rule: String,
    /// `block` or `warn`.
    pub severity: String,
    /// Satang at stake.
    pub amount: i64,
}

/// Which date of a journal line a report goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateBasis {
    /// The posting date: accounting (what the books said in that period).
    #[default]
    Posting,
    /// The service date: service statistics (what was provided in that period).
    Service,
}

impl DateBasis {
    fn column(self) -> &'static str {
        match self {
            DateBasis::Posting => "post_date",
            DateBasis::Service => "date_serv",
        }
    }
    pub fn parse(s: &str) -> Option<DateBasis> {
        match s {
            "posting" => Some(DateBasis::Posting),
            "service" => Some(DateBasis::Service),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            DateBasis::Posting => "posting",
            DateBasis::Service => "service",
        }
    }
}

/// `unposted_reason` of a visit with no posting-map line for its class.
pub const NO_MAPPING: &str = "no_mapping";
/// `unposted_reason` of an admission not yet discharged (recognised at discharge).
pub const IN_HOSPITAL: &str = "in_hospital";
/// `unposted_reason` of a visit kept without a line the posting reads (a charge, accident,
/// refer or diagnosis line refused at import): posted when a corrected file is imported.
pub const REFUSED_LINE: &str = "refused_line";

/// Counts of an import so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub unposted: i64,
    /// Σ debits of the postings written (new and re-posted visits).
    pub posted_amount: i64,
    /// Σ debits of the postings reversed (corrected visits): the net change of the receivables
    /// is `posted_amount - reversed_amount`.
    pub reversed_amount: i64,
    pub journal_lines: i64,
}

/// Where the money of the visits read went: CHT total = fund receivable + patient receivable,
/// plus paid at the counter, unposted (no map line) and in hospital (not yet discharged), less
/// what was paid above the bill. Every satang of the bills is in exactly one of the parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub cht_total: i64,
    pub fund_posted: i64,
    pub patient_posted: i64,
    pub paid: i64,
    pub unposted: i64,
    pub in_hospital: i64,
    /// Paid at the counter beyond the bill (nothing is owed on such a visit).
    pub overpaid: i64,
}

impl Reconciliation {
    pub fn add(&mut self, v: &VisitRow) {
        let owed = v.facts.fund_amount + v.facts.patient_amount;
        self.cht_total += v.facts.total;
        self.paid += v.facts.paid;
        if v.facts.posted {
            self.fund_posted += v.facts.fund_amount;
            self.patient_posted += v.facts.patient_amount;
        } else if v.facts.unposted_reason == IN_HOSPITAL {
            self.in_hospital += owed;
        } else {
            self.unposted += owed;
        }
        self.overpaid += owed + v.facts.paid - v.facts.total;
    }

    /// The parts added up: equals `cht_total` when nothing is lost.
    pub fn parts(&self) -> i64 {
        self.fund_posted + self.patient_posted + self.paid + self.unposted + self.in_hospital
            - self.overpaid
    }
}

/// What the reader found, recorded with the import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportTotals {
    pub visits_read: i64,
    pub admissions_read: i64,
    pub rejected_encounters: i64,
    pub rejects: i64,
}

/// A row of the import history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    pub hcode: String,
    pub unit_name: String,
    pub id: String,
    pub at: i64,
    pub username: String,
    pub source_name: String,
    pub files: Vec<ImportFile>,
    pub strict: bool,
    /// `imported`, or `rejected` (strict mode with rejects: nothing landed).
    pub status: String,
    /// `import` (16 files) or `repost` (waiting visits posted with a fixed map).
    pub kind: String,
    pub totals: ImportTotals,
    pub counts: ImportCounts,
    pub recon: Reconciliation,
    pub elapsed_ms: i64,
}

/// An import in progress: one transaction for the whole import.
pub struct ImportSession {
    tx: ImportTx,
    actor: Actor,
    hcode: String,
    id: String,
    meta: ImportMeta,
    started: std::time::Instant,
    counts: ImportCounts,
    rejects: i64,
    /// The unit had no visits when the import began: no lookups are needed.
    empty: bool,
    engine: Engine,
    /// This import's number within its unit (1, 2, …): the journal key's second part.
    no: i64,
    /// The unit's closed months as the import began (closing waits for a running import).
    closed: ClosedMonths,
    /// `import` or `repost`.
    kind: &'static str,
    /// Set by the pipeline: run the cross-visit checks when the import lands.
    cross_audit: Option<CrossAudit>,
    recon: Reconciliation,
    /// Journal lines written so far by this import (the last line number used).
    lines_written: i64,
    /// SQLite: the import connections, for the checkpoint after commit.
    imports: Option<sqlx::SqlitePool>,
    /// What this transaction has changed in the claim read models so far.
    sums: sums::SumDelta,
    /// PostgreSQL: the import pool, to refresh the planner's statistics after a large import.
    analyze: Option<sqlx::PgPool>,
}

/// The import's transaction, on a native connection: SQLite's handle takes the bulk INSERTs
/// directly, PostgreSQL takes them as COPY.
enum ImportTx {
    Postgres(Transaction<'static, sqlx::Postgres>),
    Sqlite(Transaction<'static, sqlx::Sqlite>),
}

impl ImportTx {
    async fn exec(&mut self, s: &Sql) -> Result<u64, StoreError> {
        Ok(match self {
            ImportTx::Postgres(t) => s.query_pg().execute(&mut **t).await?.rows_affected(),
            ImportTx::Sqlite(t) => s.query_sqlite().execute(&mut **t).await?.rows_affected(),
        })
    }

    /// The rows of `s`, each read by `f`.
    async fn rows<T>(
        &mut self,
        s: &Sql,
        f: impl Fn(&dyn Cols) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            ImportTx::Postgres(t) => s
                .query_pg()
                .fetch_all(&mut **t)
                .await?
                .iter()
                .map(|r| f(r))
                .collect::<Result<_, _>>()?,
            ImportTx::Sqlite(t) => s
                .query_sqlite()
                .fetch_all(&mut **t)
                .await?
                .iter()
                .map(|r| f(r))
                .collect::<Result<_, _>>()?,
        })
    }

    async fn commit(self) -> Result<(), StoreError> {
        match self {
            ImportTx::Postgres(t) => t.commit().await?,
            ImportTx::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }

    async fn rollback(self) -> Result<(), StoreError> {
        match self {
            ImportTx::Postgres(t) => t.rollback().await?,
            ImportTx::Sqlite(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl std::fmt::Debug for ImportSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSession")
            .field("hcode", &self.hcode)
            .field("id", &self.id)
            .finish()
    }
}

/// Province code and CUP of a unit, plus the units of its province (for the place rule).
#[derive(Debug, Clone)]
pub struct UnitPlaces {
    pub hcode: String,
    pub cup_hcode: String,
    pub province_code: String,
    /// hcode → cup_hcode of every unit in the same province.
    pub province_units: HashMap<String, String>,
}

const VISIT_COLS: &str = "hcode, vkey, setting, hn, seq, an, date_serv, date_dsc, fy, clinic, pdx, cid, patient_name, sex, dob, inscl, subtype, hospmain, permitno, fund, place, vcase, total, paid, claimable, fund_amount, patient_amount, posted, unposted_reason, receivable, ver, posted_ver, import_id, content_hash, detail_json, updated_at, post_import, post_n, post_lines, journal_refs, post_date";
const VISIT_COL_COUNT: usize = 41;
const JOURNAL_COLS: &str = "hcode, import_no, n, vkey, ver, line_no, kind, date_serv, post_date, fy, account, fund, debit, credit";
const JOURNAL_COL_COUNT: usize = 14;
const FINDING_COLS: &str = "hcode, vkey, rule, severity, amount";
const FINDING_COL_COUNT: usize = 5;

/// The severities of the checks that compare visits, run over the whole unit when an import
/// or an audit finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossAudit {
    /// DUP01: the same patient, more than one OP visit on one day.
    pub dup01: String,
    /// AUTH03: one Authen code on more than one visit.
    pub auth03: String,
}

/// Amount at stake of a visit row in SQL (what the fund would pay, else what is owed).
pub(crate) const AT_STAKE_SQL: &str = "CASE WHEN v.fund_amount > 0 THEN v.fund_amount WHEN v.fund_amount + v.patient_amount > 0 THEN v.fund_amount + v.patient_amount ELSE 0 END";

/// Replaces the cross-visit findings (DUP01, AUTH03) of a unit inside `tx`.
async fn write_cross_findings(
    tx: &mut ImportTx,
    hcode: &str,
    sev: &CrossAudit,
) -> Result<(), StoreError> {
    let mut d = Sql::new("DELETE FROM claim_findings WHERE hcode = ");
    d.text(hcode).push(" AND rule IN ('DUP01', 'AUTH03')");
    tx.exec(&d).await?;
    if let ImportTx::Postgres(_) = tx {
        // One pass over the unit's visits with a window count. The join of the visits to their
        // grouped duplicates below was planned as a nested loop that regrouped the unit for
        // each visit when the statistics did not know the unit yet (7 s for a รพ.สต.'s 9,000
        // visits after a hospital's year was imported).
        for (rule, sev, filter, partition) in [
            ("DUP01", &sev.dup01, "v.setting = 'OP'", "v.hn, v.date_serv"),
            (
                "AUTH03",
                &sev.auth03,
                "v.inscl IN ('UCS', 'WEL') AND v.permitno <> ''",
                "v.permitno",
            ),
        ] {
            let mut q = Sql::new(&format!(
                "INSERT INTO claim_findings ({FINDING_COLS}) SELECT x.hcode, x.vkey, '{rule}', "
            ));
            q.text(sev.clone())
                .push(&format!(", x.amount FROM (SELECT v.hcode, v.vkey, {AT_STAKE_SQL} AS amount, COUNT(*) OVER (PARTITION BY {partition}) AS n FROM claim_visits v WHERE v.hcode = "))
                .text(hcode)
                .push(&format!(" AND {filter}) x WHERE x.n > 1"));
            tx.exec(&q).await?;
        }
        return Ok(());
    }
    let mut dup = Sql::new(&format!(
        "INSERT INTO claim_findings ({FINDING_COLS}) SELECT v.hcode, v.vkey, 'DUP01', "
    ));
    dup.text(sev.dup01.clone())
        .push(&format!(", {AT_STAKE_SQL} FROM claim_visits v JOIN (SELECT hn, date_serv FROM claim_visits WHERE hcode = "))
        .text(hcode)
        .push(" AND setting = 'OP' GROUP BY hn, date_serv HAVING COUNT(*) > 1) d ON d.hn = v.hn AND d.date_serv = v.date_serv WHERE v.hcode = ")
        .text(hcode)
        .push(" AND v.setting = 'OP'");
    tx.exec(&dup).await?;
    let mut auth = Sql::new(&format!(
        "INSERT INTO claim_findings ({FINDING_COLS}) SELECT v.hcode, v.vkey, 'AUTH03', "
    ));
    auth.text(sev.auth03.clone())
        .push(&format!(", {AT_STAKE_SQL} FROM claim_visits v JOIN (SELECT permitno FROM claim_visits WHERE hcode = "))
        .text(hcode)
        .push(" AND inscl IN ('UCS', 'WEL') AND permitno <> '' GROUP BY permitno HAVING COUNT(*) > 1) p ON p.permitno = v.permitno WHERE v.hcode = ")
        .text(hcode)
        .push(" AND v.inscl IN ('UCS', 'WEL')");
    tx.exec(&auth).await?;
    Ok(())
}

/// Deletes the findings of the given visits inside `tx`.
async fn delete_findings(
    tx: &mut ImportTx,
    engine: Engine,
    hcode: &str,
    keys: &[&str],
) -> Result<(), StoreError> {
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        // The cross-visit findings are replaced as a whole by `write_cross_findings`.
        let mut s = Sql::new("DELETE FROM claim_findings WHERE hcode = ");
        s.text(hcode)
            .push(" AND rule NOT IN ('DUP01', 'AUTH03') AND vkey IN (");
        s.texts(chunk.iter().copied());
        s.push(")");
        positional(engine, &mut s);
        tx.exec(&s).await?;
    }
    Ok(())
}

/// Where a journal entry (one version of a visit's posting or its reversal) lies: lines
/// `first_n .. first_n + lines` of import `import_no` of the visit's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef {
    pub import_no: i64,
    pub first_n: i64,
    pub lines: i64,
}

/// Parses `journal_refs` ("import_no:first_n:lines" separated by spaces); malformed parts are
/// skipped.
pub fn parse_entry_refs(s: &str) -> Vec<EntryRef> {
    s.split_ascii_whitespace()
        .filter_map(|r| {
            let mut it = r.split(':').map(|p| p.parse::<i64>().ok());
            match (it.next(), it.next(), it.next(), it.next()) {
                (Some(Some(import_no)), Some(Some(first_n)), Some(Some(lines)), None) => {
                    Some(EntryRef {
                        import_no,
                        first_n,
                        lines,
                    })
                }
                _ => None,
            }
        })
        .collect()
}

fn push_entry_ref(refs: &mut String, r: EntryRef) {
    use std::fmt::Write;
    if !refs.is_empty() {
        refs.push(' ');
    }
    let _ = write!(refs, "{}:{}:{}", r.import_no, r.first_n, r.lines);
}

impl Store {
    /// The importing unit's CUP and province, and the units of its province. The caller must
    /// be allowed to import for `hcode` (admin, or that unit's own staff).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn unit_places(&self, actor: &Actor, unit: Hcode) -> Result<UnitPlaces, StoreError> {
        let unit = self.unit_for_import(actor, unit).await?;
        let mut s = Sql::new("SELECT hcode, cup_hcode FROM units WHERE province_code = ");
        s.text(unit.province_code.clone());
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut province_units = HashMap::new();
        for r in &rows {
            province_units.insert(get_s(r, "hcode")?, get_s(r, "cup_hcode")?);
        }
        Ok(UnitPlaces {
            hcode: unit.hcode,
            cup_hcode: unit.cup_hcode,
            province_code: unit.province_code,
            province_units,
        })
    }
}

pub(crate) struct Existing {
    hash: String,
    ver: i64,
    posted_ver: i64,
    /// Posting date of the current posting.
    post_date: i64,
    posted: EntryRef,
    refs: String,
    /// Its receivable was settled or written off (claim_status.cleared ≠ 0): the posting as it stands.
    settled: Option<SettledPosting>,
    summary: serde_json::Value,
}

/// The posting of a visit whose claim has been settled.
pub(crate) struct SettledPosting {
    fund_amount: i64,
    patient_amount: i64,
    receivable: String,
    posted: bool,
    unposted_reason: String,
}

pub(crate) struct JournalRow {
    n: i64,
    vkey: String,
    ver: i64,
    line_no: i64,
    date_serv: i64,
    post_date: i64,
    /// Fiscal year of the posting date.
    fy: i64,
    /// post, settle, writeoff (reversals are copied in SQL).
    kind: &'static str,
    line: PostLine,
}

/// A visit ready to insert: its row, last version, posted version and journal entries.
pub(crate) struct NewVisit {
    row: VisitRow,
    ver: i64,
    posted_ver: i64,
    posted: EntryRef,
    post_date: i64,
    refs: String,
}

pub(crate) const NO_ENTRY: EntryRef = EntryRef {
    import_no: 0,
    first_n: 0,
    lines: 0,
};
