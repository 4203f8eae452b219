//! 16-file imports, visits and admissions, the append-only receivables journal, and the
//! reports built on them (receivables by account and fund, province roll-up).
//!
//! An import is one transaction ([`ImportSession`]): visits are written in multi-row batches as
//! the reader produces them, and nothing is visible until [`ImportSession::finish`] commits.
//! Dropping the session (an error, a kill) rolls everything back. Each visit carries a content
//! hash: an unchanged visit is skipped (re-imports are idempotent); a changed visit is replaced,
//! its old posting reversed by a reversing entry, its new posting appended, and the change
//! recorded in the audit log.

use crate::audit::{Change, change_sql, record};
use crate::sql::{Cols, Sql, get_i, get_s};
use crate::sqlite_raw::{Stmt, Val, insert_sql};
use crate::{Actor, Engine, ImportPool, Store, StoreError, now_ms};
use raidai_domain::accounts::{PostingRule, default_posting_map, parse_posting_map};
use raidai_domain::master::Role;
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

/// One journal line of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostLine {
    pub account: String,
    pub fund: String,
    pub debit: i64,
    pub credit: i64,
}

/// A visit (OP) or admission (IP) ready to store, with its posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRow {
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
    /// The date the receivable is recognised on: discharge (IP) or service (OP); 0 while the
    /// patient is still in hospital (then nothing is posted).
    pub recognised: i64,
    /// Fiscal year (BE) of the recognition date (of the admission while in hospital).
    pub fy: i64,
    pub clinic: String,
    /// Principal diagnosis.
    pub pdx: String,
    pub cid: String,
    pub patient_name: String,
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
        let owed = v.fund_amount + v.patient_amount;
        self.cht_total += v.total;
        self.paid += v.paid;
        if v.posted {
            self.fund_posted += v.fund_amount;
            self.patient_posted += v.patient_amount;
        } else if v.unposted_reason == IN_HOSPITAL {
            self.in_hospital += owed;
        } else {
            self.unposted += owed;
        }
        self.overpaid += owed + v.paid - v.total;
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

pub fn can_import(actor: &Actor, hcode: &str) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::UnitHead | Role::UnitRevenue => actor.hcode.as_deref() == Some(hcode),
        Role::Province | Role::District => false,
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
        for (i, k) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.text(*k);
        }
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
    pub async fn unit_places(&self, actor: &Actor, hcode: &str) -> Result<UnitPlaces, StoreError> {
        let unit = self.get_unit(actor, hcode).await?;
        if !can_import(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
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

    /// Every version of a province's posting map: fiscal year (BE; 0 = the default for every
    /// year without its own version) → rules. Empty when the province never edited its map.
    pub async fn posting_map_versions(
        &self,
        province_code: &str,
    ) -> Result<BTreeMap<i64, Vec<PostingRule>>, StoreError> {
        let mut s = Sql::new(
            "SELECT fy, fund, setting, place, vcase, receivable, revenue, source FROM claim_posting_map WHERE province_code = ",
        );
        s.text(province_code)
            .push(" ORDER BY fy, fund, setting, place, vcase");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut tsv: BTreeMap<i64, String> = BTreeMap::new();
        for r in &rows {
            tsv.entry(get_i(r, "fy")?).or_default().push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                get_s(r, "fund")?,
                get_s(r, "setting")?,
                get_s(r, "place")?,
                get_s(r, "vcase")?,
                get_s(r, "receivable")?,
                get_s(r, "revenue")?,
                get_s(r, "source")?
            ));
        }
        tsv.into_iter()
            .map(|(fy, t)| {
                parse_posting_map(&t)
                    .map(|m| (fy, m))
                    .map_err(|e| StoreError::Config(e.to_string()))
            })
            .collect()
    }

    /// The posting map in force for a province and fiscal year (BE): the province's version for
    /// that year, else its default version (fy 0), else the shipped default map.
    pub async fn posting_map(
        &self,
        province_code: &str,
        fy: i64,
    ) -> Result<Vec<PostingRule>, StoreError> {
        let mut v = self.posting_map_versions(province_code).await?;
        Ok(v.remove(&fy)
            .or_else(|| v.remove(&0))
            .unwrap_or_else(default_posting_map))
    }

    /// Replaces a province's posting map for a fiscal year (0 = default for every year), from
    /// the `posting_map.tsv` layout. Province officers of that province and admins; audited.
    pub async fn save_posting_map(
        &self,
        actor: &Actor,
        province_code: &str,
        fy: i64,
        tsv: &str,
    ) -> Result<usize, StoreError> {
        let allowed = actor.is_admin()
            || (actor.role == Role::Province
                && actor.province_code.as_deref() == Some(province_code));
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let rules = parse_posting_map(tsv).map_err(|e| {
            StoreError::Invalid(vec![
                crate::FieldError::new(
                    "posting_map",
                    e.message.clone(),
                    format!("ผังการตั้งลูกหนี้ไม่ถูกต้อง: {}", e.message),
                )
                .at_line(e.line),
            ])
        })?;
        let mut tx = self.pool().begin().await?;
        let mut d = Sql::new("DELETE FROM claim_posting_map WHERE province_code = ");
        d.text(province_code).push(" AND fy = ").int(fy);
        d.query().execute(&mut *tx).await?;
        let now = now_ms();
        for r in &rules {
            let mut s = Sql::new(
                "INSERT INTO claim_posting_map (province_code, fy, fund, setting, place, vcase, receivable, revenue, source, updated_at) VALUES (",
            );
            s.text(province_code)
                .push(", ")
                .int(fy)
                .push(", ")
                .text(r.fund.code())
                .push(", ")
                .text(r.setting.code())
                .push(", ")
                .text(r.place.code())
                .push(", ")
                .text(r.case.code())
                .push(", ")
                .text(r.receivable.as_str())
                .push(", ")
                .text(r.revenue.as_str())
                .push(", ")
                .text(r.source.code())
                .push(", ")
                .int(now)
                .push(")");
            s.query().execute(&mut *tx).await?;
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: None,
                entity: "posting_map",
                key: &format!("{province_code}/{fy}"),
                action: "replace",
                before: None,
                after: Some(serde_json::json!({ "rules": rules.len() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(rules.len())
    }

    /// Starts an import for `hcode`: only an admin or the unit's own staff may import for it.
    pub async fn begin_import(
        &self,
        actor: &Actor,
        hcode: &str,
        mut meta: ImportMeta,
    ) -> Result<ImportSession, StoreError> {
        self.get_unit(actor, hcode).await?;
        // Names come from uploads and zip entries: no direction overrides or controls stored.
        meta.source_name = clean_file_name(&meta.source_name);
        for f in &mut meta.files {
            f.name = clean_file_name(&f.name);
        }
        if !can_import(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = match &self.imports {
            ImportPool::Sqlite(pool) => ImportTx::Sqlite(pool.begin().await?),
            ImportPool::Postgres(pool) => ImportTx::Postgres(pool.begin().await?),
        };
        if self.engine() == Engine::Postgres {
            // One import per unit at a time: the next import number below stays unique.
            let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
            l.text(format!("raidai-import:{hcode}")).push("))");
            tx.exec(&l).await?;
        }
        if self.engine() == Engine::Sqlite {
            // Take the write lock before anything is read: a deferred transaction that reads
            // first fails with SQLITE_BUSY_SNAPSHOT when another connection (a sign-in writing
            // its session) commits before the import's first write. (Not `BEGIN IMMEDIATE`:
            // sqlx refuses a custom BEGIN on a connection whose transaction an `OR ROLLBACK`
            // ended, and such a connection begins with a SAVEPOINT instead.)
            tx.exec(&Sql::new("DELETE FROM claim_imports WHERE 0 = 1"))
                .await?;
            // A larger page cache for this connection while the import runs: fewer pages
            // spilled to the WAL before commit (reset in `finish`).
            tx.exec(&Sql::new("PRAGMA cache_size = -32768")).await?;
            // Foreign keys checked at commit: an INSERT then cannot fail halfway on one, so
            // SQLite skips its statement journal (a copy of every page it touches). Any
            // failure aborts the whole import anyway. Resets when the transaction ends.
            tx.exec(&Sql::new("PRAGMA defer_foreign_keys = ON")).await?;
        }
        let mut c = Sql::new("SELECT month FROM claim_periods WHERE hcode = ");
        c.text(hcode);
        let closed = ClosedMonths::new(tx.rows(&c, |r| r.i("month")).await?);
        let mut s = Sql::new("SELECT vkey FROM claim_visits WHERE hcode = ");
        s.text(hcode).push(" LIMIT 1");
        let empty = tx.rows(&s, |r| r.s("vkey")).await?.is_empty();
        let mut n = Sql::new(
            "SELECT CAST(COALESCE(MAX(no), 0) + 1 AS BIGINT) AS no FROM claim_imports WHERE hcode = ",
        );
        n.text(hcode);
        let no = tx
            .rows(&n, |r| r.i("no"))
            .await?
            .first()
            .copied()
            .unwrap_or(1);
        Ok(ImportSession {
            tx,
            actor: actor.clone(),
            hcode: hcode.to_string(),
            id: uuid::Uuid::now_v7().to_string(),
            meta,
            started: std::time::Instant::now(),
            counts: ImportCounts::default(),
            rejects: 0,
            empty,
            engine: self.engine(),
            no,
            closed,
            kind: "import",
            cross_audit: None,
            recon: Reconciliation::default(),
            lines_written: 0,
            sums: sums::SumDelta::default(),
            analyze: match &self.imports {
                ImportPool::Postgres(p) => Some(p.clone()),
                ImportPool::Sqlite(_) => None,
            },
            imports: match &self.imports {
                ImportPool::Sqlite(p) => Some(p.clone()),
                ImportPool::Postgres(_) => None,
            },
        })
    }
}

impl Store {
    /// Starts a re-post of a unit's visits that wait for a posting-map line: recorded in the
    /// import history as kind `repost`, written like an import (one transaction, audited).
    pub async fn begin_repost(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<ImportSession, StoreError> {
        let meta = ImportMeta {
            source_name: "re-post".into(),
            files: Vec::new(),
            strict: false,
        };
        let mut session = self.begin_import(actor, hcode, meta).await?;
        session.kind = "repost";
        Ok(session)
    }
}

impl ImportSession {
    /// Up to `limit` of the unit's visits waiting for a posting-map line, in key order after
    /// `after` (read inside the session's transaction).
    pub async fn waiting_visits(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<VisitRow>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = "
        ));
        s.text(self.hcode.clone())
            .push(" AND posted = 0 AND unposted_reason = ")
            .text(NO_MAPPING)
            .push(" AND vkey > ")
            .text(after)
            .push(" ORDER BY vkey LIMIT ")
            .int(limit.max(1));
        self.tx.rows(&s, stored_row).await
    }
}

const STORED_ROW_COLS: &str = "vkey, setting, hn, seq, an, date_serv, date_dsc, fy, clinic, pdx, cid, patient_name, sex, dob, inscl, subtype, hospmain, permitno, fund, place, vcase, total, paid, claimable, fund_amount, patient_amount, posted, unposted_reason, receivable, content_hash, detail_json";

/// [`stored_row`] from a native SQLite row (columns in the order of `STORED_ROW_COLS`).
fn raw_stored_row(r: &crate::sqlite_raw::RawRow) -> VisitRow {
    let setting = r.text(1);
    let (date_serv, date_dsc) = (r.int(5), r.int(6));
    VisitRow {
        vkey: r.text(0),
        recognised: recognition_date(setting == "IP", date_serv, date_dsc),
        setting,
        hn: r.text(2),
        seq: r.text(3),
        an: r.text(4),
        date_serv,
        date_dsc,
        fy: r.int(7),
        clinic: r.text(8),
        pdx: r.text(9),
        cid: r.text(10),
        patient_name: r.text(11),
        sex: r.text(12),
        dob: r.int(13),
        inscl: r.text(14),
        subtype: r.text(15),
        hospmain: r.text(16),
        permitno: r.text(17),
        fund: r.text(18),
        place: r.text(19),
        case: r.text(20),
        total: r.int(21),
        paid: r.int(22),
        claimable: r.int(23),
        fund_amount: r.int(24),
        patient_amount: r.int(25),
        posted: r.int(26) != 0,
        unposted_reason: r.text(27),
        receivable: r.text(28),
        content_hash: r.text(29),
        detail_json: r.text(30),
        lines: Vec::new(),
        findings: Vec::new(),
    }
}

/// A stored visit as a [`VisitRow`] (no lines, no findings), from `STORED_ROW_COLS`.
fn stored_row(r: &dyn Cols) -> Result<VisitRow, sqlx::Error> {
    let setting = r.s("setting")?;
    let (date_serv, date_dsc) = (r.i("date_serv")?, r.i("date_dsc")?);
    Ok(VisitRow {
        vkey: r.s("vkey")?,
        recognised: recognition_date(setting == "IP", date_serv, date_dsc),
        setting,
        hn: r.s("hn")?,
        seq: r.s("seq")?,
        an: r.s("an")?,
        date_serv,
        date_dsc,
        fy: r.i("fy")?,
        clinic: r.s("clinic")?,
        pdx: r.s("pdx")?,
        cid: r.s("cid")?,
        patient_name: r.s("patient_name")?,
        sex: r.s("sex")?,
        dob: r.i("dob")?,
        inscl: r.s("inscl")?,
        subtype: r.s("subtype")?,
        hospmain: r.s("hospmain")?,
        permitno: r.s("permitno")?,
        fund: r.s("fund")?,
        place: r.s("place")?,
        case: r.s("vcase")?,
        total: r.i("total")?,
        paid: r.i("paid")?,
        claimable: r.i("claimable")?,
        fund_amount: r.i("fund_amount")?,
        patient_amount: r.i("patient_amount")?,
        posted: r.i("posted")? != 0,
        unposted_reason: r.s("unposted_reason")?,
        receivable: r.s("receivable")?,
        content_hash: r.s("content_hash")?,
        detail_json: r.s("detail_json")?,
        lines: Vec::new(),
        findings: Vec::new(),
    })
}

/// Inserts findings inside `tx` (SQLite: a prepared statement; PostgreSQL: COPY).
async fn insert_findings(
    tx: &mut ImportTx,
    hcode: &str,
    findings: &[(String, FindingRow)],
) -> Result<(), StoreError> {
    if findings.is_empty() {
        return Ok(());
    }
    match tx {
        ImportTx::Sqlite(t) => {
            let mut handle = t.lock_handle().await?;
            let db = handle.as_raw_handle();
            let write = || -> Result<(), sqlx::Error> {
                let mut st = Stmt::prepare(
                    db,
                    &insert_sql("claim_findings", FINDING_COLS, FINDING_COL_COUNT),
                )?;
                for (vkey, f) in findings {
                    st.run(&finding_vals(hcode, vkey, f))?;
                }
                Ok(())
            };
            write()?;
        }
        ImportTx::Postgres(t) => {
            let mut buf = Vec::with_capacity(findings.len() * 64);
            for (vkey, f) in findings {
                copy_row(&mut buf, &finding_vals(hcode, vkey, f));
            }
            let mut copy = t
                .copy_in_raw(&format!("COPY claim_findings ({FINDING_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
    }
    Ok(())
}

/// A re-evaluation of a unit's Data Audit: one transaction; the unit's findings are replaced.
pub struct AuditSession {
    tx: ImportTx,
    actor: Actor,
    hcode: String,
    visits: i64,
    findings: i64,
    started: std::time::Instant,
}

/// What a re-audit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub visits: i64,
    pub findings: i64,
    pub elapsed_ms: i64,
}

impl Store {
    /// Starts re-evaluating the findings of a unit (its staff or an admin).
    pub async fn begin_audit(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<AuditSession, StoreError> {
        self.get_unit(actor, hcode).await?;
        if !can_import(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = match &self.imports {
            ImportPool::Sqlite(pool) => ImportTx::Sqlite(pool.begin().await?),
            ImportPool::Postgres(pool) => ImportTx::Postgres(pool.begin().await?),
        };
        if self.engine() == Engine::Postgres {
            let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
            l.text(format!("raidai-import:{hcode}")).push("))");
            tx.exec(&l).await?;
        } else {
            // The whole table is read once: mapped pages spare a copy of each (half the
            // re-audit's system time at 1M visits); set back in `finish`.
            tx.exec(&Sql::new("PRAGMA mmap_size = 4294967296")).await?;
        }
        // The cross-visit findings depend on the visits only, which a re-audit does not change:
        // they stay, and take the catalogue's severity in `finish`.
        let mut d = Sql::new("DELETE FROM claim_findings WHERE hcode = ");
        d.text(hcode).push(" AND rule NOT IN ('DUP01', 'AUTH03')");
        tx.exec(&d).await?;
        Ok(AuditSession {
            tx,
            actor: actor.clone(),
            hcode: hcode.to_string(),
            visits: 0,
            findings: 0,
            started: std::time::Instant::now(),
        })
    }
}

impl AuditSession {
    fn engine(&self) -> Engine {
        match self.tx {
            ImportTx::Sqlite(_) => Engine::Sqlite,
            ImportTx::Postgres(_) => Engine::Postgres,
        }
    }

    /// Up to `limit` visits of the unit in key order after `after`.
    pub async fn visits(&mut self, after: &str, limit: i64) -> Result<Vec<VisitRow>, StoreError> {
        if let ImportTx::Sqlite(t) = &mut self.tx {
            // Through the handle: sqlx's row decoding of every column cost most of a re-audit.
            let sql = format!(
                "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = ? AND vkey > ? ORDER BY vkey LIMIT ?"
            );
            let mut handle = t.lock_handle().await?;
            let db = handle.as_raw_handle();
            let mut rows = Vec::with_capacity(limit.max(1) as usize);
            let mut st = Stmt::prepare(db, &sql)?;
            st.query(
                &[
                    Val::Text(&self.hcode),
                    Val::Text(after),
                    Val::Int(limit.max(1)),
                ],
                |r| rows.push(raw_stored_row(r)),
            )?;
            drop(st);
            drop(handle);
            self.visits += rows.len() as i64;
            return Ok(rows);
        }
        let mut s = Sql::new(&format!(
            "SELECT {STORED_ROW_COLS} FROM claim_visits WHERE hcode = "
        ));
        s.text(self.hcode.clone())
            .push(" AND vkey > ")
            .text(after)
            .push(" ORDER BY vkey LIMIT ")
            .int(limit.max(1));
        let rows = self.tx.rows(&s, stored_row).await?;
        self.visits += rows.len() as i64;
        Ok(rows)
    }

    pub async fn write_findings(
        &mut self,
        findings: &[(String, FindingRow)],
    ) -> Result<(), StoreError> {
        insert_findings(&mut self.tx, &self.hcode, findings).await?;
        self.findings += findings.len() as i64;
        Ok(())
    }

    /// The cross-visit findings take the catalogue's severities; an audit-log entry; the commit.
    pub async fn finish(mut self, cross: &CrossAudit) -> Result<AuditSummary, StoreError> {
        let mut n = Sql::new(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM claim_findings WHERE rule IN ('DUP01', 'AUTH03') AND hcode = ",
        );
        n.text(self.hcode.clone());
        let cross_rows = self.tx.rows(&n, |r| r.i("n")).await?;
        if cross_rows.first().copied().unwrap_or(0) == 0 {
            // None kept (a database from before the audit, or a clean unit): compute them.
            write_cross_findings(&mut self.tx, &self.hcode, cross).await?;
        }
        for (rule, sev) in [("DUP01", &cross.dup01), ("AUTH03", &cross.auth03)] {
            let mut u = Sql::new("UPDATE claim_findings SET severity = ");
            u.text(sev.clone())
                .push(" WHERE hcode = ")
                .text(self.hcode.clone())
                .push(" AND rule = ")
                .text(rule)
                .push(" AND severity <> ")
                .text(sev.clone());
            self.tx.exec(&u).await?;
        }
        let mut c =
            Sql::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM claim_findings WHERE hcode = ");
        c.text(self.hcode.clone());
        let findings = self
            .tx
            .rows(&c, |r| r.i("n"))
            .await?
            .first()
            .copied()
            .unwrap_or(0);
        let summary = AuditSummary {
            visits: self.visits,
            findings,
            elapsed_ms: self.started.elapsed().as_millis() as i64,
        };
        let audit = change_sql(
            &self.actor,
            Change {
                hcode: Some(&self.hcode),
                entity: "claim_audit",
                key: &self.hcode,
                action: "reaudit",
                before: None,
                after: Some(serde_json::json!({ "visits": summary.visits, "findings": findings })),
            },
        );
        self.tx.exec(&audit).await?;
        for q in sums::findings_sums_sql(self.engine(), &self.hcode) {
            self.tx.exec(&q).await?;
        }
        self.tx.exec(&crate::bump_read_version()).await?;
        if let ImportTx::Sqlite(_) = &self.tx {
            self.tx.exec(&Sql::new("PRAGMA mmap_size = 0")).await?;
        }
        self.tx.commit().await?;
        Ok(summary)
    }
}

struct Existing {
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
struct SettledPosting {
    fund_amount: i64,
    patient_amount: i64,
    receivable: String,
    posted: bool,
    unposted_reason: String,
}

fn visit_summary(r: &dyn Cols) -> Result<serde_json::Value, sqlx::Error> {
    Ok(serde_json::json!({
        "fund": r.s("fund")?,
        "inscl": r.s("inscl")?,
        "total": r.i("total")?,
        "paid": r.i("paid")?,
        "fund_amount": r.i("fund_amount")?,
        "patient_amount": r.i("patient_amount")?,
        "receivable": r.s("receivable")?,
        "import_id": r.s("import_id")?,
    }))
}

fn row_summary(v: &VisitRow, import_id: &str) -> serde_json::Value {
    serde_json::json!({
        "fund": v.fund,
        "inscl": v.inscl,
        "total": v.total,
        "paid": v.paid,
        "fund_amount": v.fund_amount,
        "patient_amount": v.patient_amount,
        "receivable": v.receivable,
        "import_id": import_id,
    })
}

struct JournalRow {
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
struct NewVisit {
    row: VisitRow,
    ver: i64,
    posted_ver: i64,
    posted: EntryRef,
    post_date: i64,
    refs: String,
}

const NO_ENTRY: EntryRef = EntryRef {
    import_no: 0,
    first_n: 0,
    lines: 0,
};

/// The values of a visit row, in the order of `VISIT_COLS`.
fn visit_vals<'a>(
    hcode: &'a str,
    import_id: &'a str,
    now: i64,
    nv: &'a NewVisit,
) -> [Val<'a>; VISIT_COL_COUNT] {
    let v = &nv.row;
    [
        Val::Text(hcode),
        Val::Text(&v.vkey),
        Val::Text(&v.setting),
        Val::Text(&v.hn),
        Val::Text(&v.seq),
        Val::Text(&v.an),
        Val::Int(v.date_serv),
        Val::Int(v.date_dsc),
        Val::Int(v.fy),
        Val::Text(&v.clinic),
        Val::Text(&v.pdx),
        Val::Text(&v.cid),
        Val::Text(&v.patient_name),
        Val::Text(&v.sex),
        Val::Int(v.dob),
        Val::Text(&v.inscl),
        Val::Text(&v.subtype),
        Val::Text(&v.hospmain),
        Val::Text(&v.permitno),
        Val::Text(&v.fund),
        Val::Text(&v.place),
        Val::Text(&v.case),
        Val::Int(v.total),
        Val::Int(v.paid),
        Val::Int(v.claimable),
        Val::Int(v.fund_amount),
        Val::Int(v.patient_amount),
        Val::Int(i64::from(v.posted)),
        Val::Text(&v.unposted_reason),
        Val::Text(&v.receivable),
        Val::Int(nv.ver),
        Val::Int(nv.posted_ver),
        Val::Text(import_id),
        Val::Text(&v.content_hash),
        Val::Text(&v.detail_json),
        Val::Int(now),
        Val::Int(nv.posted.import_no),
        Val::Int(nv.posted.first_n),
        Val::Int(nv.posted.lines),
        Val::Text(&nv.refs),
        Val::Int(nv.post_date),
    ]
}

/// The values of a posting line, in the order of `JOURNAL_COLS`.
fn journal_vals<'a>(
    hcode: &'a str,
    import_no: i64,
    j: &'a JournalRow,
) -> [Val<'a>; JOURNAL_COL_COUNT] {
    [
        Val::Text(hcode),
        Val::Int(import_no),
        Val::Int(j.n),
        Val::Text(&j.vkey),
        Val::Int(j.ver),
        Val::Int(j.line_no),
        Val::Text(j.kind),
        Val::Int(j.date_serv),
        Val::Int(j.post_date),
        Val::Int(j.fy),
        Val::Text(&j.line.account),
        Val::Text(&j.line.fund),
        Val::Int(j.line.debit),
        Val::Int(j.line.credit),
    ]
}

/// The values of a finding, in the order of `FINDING_COLS`.
fn finding_vals<'a>(
    hcode: &'a str,
    vkey: &'a str,
    f: &'a FindingRow,
) -> [Val<'a>; FINDING_COL_COUNT] {
    [
        Val::Text(hcode),
        Val::Text(vkey),
        Val::Text(&f.rule),
        Val::Text(&f.severity),
        Val::Int(f.amount),
    ]
}

/// Appends one row in COPY's text format: tab-separated, backslash escapes, newline-ended.
fn copy_row(out: &mut Vec<u8>, vals: &[Val<'_>]) {
    use std::io::Write;
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            Val::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Val::Text(s) => {
                for b in s.bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

impl ImportSession {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn hcode(&self) -> &str {
        &self.hcode
    }
    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Runs the cross-visit Data Audit checks over the unit when the import lands.
    pub fn set_cross_audit(&mut self, sev: CrossAudit) {
        self.cross_audit = Some(sev);
    }

    /// Writes the problems found by the reader (in multi-row batches).
    pub async fn write_rejects(&mut self, rejects: &[RejectRow]) -> Result<(), StoreError> {
        for chunk in rejects.chunks(LINE_CHUNK) {
            let mut s = Sql::new(
                "INSERT INTO claim_rejects (hcode, import_id, n, file, line, field, value, code, reason_th, reason_en, hn, seq, an) VALUES ",
            );
            for (i, r) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                self.rejects += 1;
                s.push("(")
                    .text(self.hcode.clone())
                    .push(", ")
                    .text(self.id.clone())
                    .push(", ")
                    .int(self.rejects)
                    .push(", ")
                    .text(r.file.clone())
                    .push(", ")
                    .int(r.line)
                    .push(", ")
                    .text(r.field.clone())
                    .push(", ")
                    .text(r.value.clone())
                    .push(", ")
                    .text(r.code.clone())
                    .push(", ")
                    .text(r.reason_th.clone())
                    .push(", ")
                    .text(r.reason_en.clone())
                    .push(", ")
                    .text(r.hn.clone())
                    .push(", ")
                    .text(r.seq.clone())
                    .push(", ")
                    .text(r.an.clone())
                    .push(")");
            }
            positional(self.engine, &mut s);
            self.tx.exec(&s).await?;
        }
        Ok(())
    }

    async fn existing(
        &mut self,
        rows: &[VisitRow],
    ) -> Result<HashMap<String, Existing>, StoreError> {
        let mut found = HashMap::new();
        if self.empty {
            return Ok(found);
        }
        for chunk in rows.chunks(LOOKUP_CHUNK) {
            let mut s = Sql::new(
                "SELECT vkey, content_hash, ver, posted_ver, post_date, post_import, post_n, post_lines, journal_refs, fund, inscl, total, paid, fund_amount, patient_amount, receivable, import_id, posted, unposted_reason, \
                 COALESCE((SELECT cs.cleared FROM claim_status cs WHERE cs.hcode = claim_visits.hcode AND cs.vkey = claim_visits.vkey), 0) AS cleared FROM claim_visits WHERE hcode = ",
            );
            s.text(self.hcode.clone()).push(" AND vkey IN (");
            for (i, v) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.text(v.vkey.clone());
            }
            s.push(")");
            positional(self.engine, &mut s);
            let rows = self
                .tx
                .rows(&s, |r| {
                    Ok((
                        r.s("vkey")?,
                        Existing {
                            hash: r.s("content_hash")?,
                            ver: r.i("ver")?,
                            posted_ver: r.i("posted_ver")?,
                            post_date: r.i("post_date")?,
                            posted: EntryRef {
                                import_no: r.i("post_import")?,
                                first_n: r.i("post_n")?,
                                lines: r.i("post_lines")?,
                            },
                            refs: r.s("journal_refs")?,
                            settled: (r.i("cleared")? != 0)
                                .then(|| -> Result<_, sqlx::Error> {
                                    Ok(SettledPosting {
                                        fund_amount: r.i("fund_amount")?,
                                        patient_amount: r.i("patient_amount")?,
                                        receivable: r.s("receivable")?,
                                        posted: r.i("posted")? != 0,
                                        unposted_reason: r.s("unposted_reason")?,
                                    })
                                })
                                .transpose()?,
                            summary: visit_summary(r)?,
                        },
                    ))
                })
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Writes one batch of visits with their postings: new visits are inserted, unchanged ones
    /// skipped, changed ones replaced with their old posting reversed and the change audited.
    ///
    /// The hot path binds owned values straight into multi-row INSERTs (no copies of the
    /// strings), with the statement text built once per batch shape.
    pub async fn write_visits(&mut self, rows: Vec<VisitRow>) -> Result<(), StoreError> {
        let existing = self.existing(&rows).await?;
        let now = now_ms();
        let mut to_insert: Vec<NewVisit> = Vec::with_capacity(rows.len());
        let mut journal: Vec<JournalRow> = Vec::with_capacity(rows.len() * 2);
        // (old posting, its reversal's first line number, version of the reversal, its date)
        let mut reversals: Vec<(EntryRef, i64, i64, i64)> = Vec::new();
        let mut replaced: Vec<String> = Vec::new();
        let mut findings: Vec<(String, FindingRow)> = Vec::new();
        for mut v in rows {
            self.recon.add(&v);
            for f in std::mem::take(&mut v.findings) {
                findings.push((v.vkey.clone(), f));
            }
            let mut ver = 0;
            let mut refs = String::new();
            let mut frozen = None;
            if let Some(old) = existing.get(&v.vkey) {
                if old.hash == v.content_hash {
                    self.counts.unchanged += 1;
                    continue;
                }
                ver = old.ver;
                refs = old.refs.clone();
                if let Some(p) = &old.settled {
                    // The fund has settled (or the unit written off) this claim: the changed
                    // bill is kept as data, but the posting and its amounts stay as settled,
                    // so the journal and the claim still agree to the satang.
                    v.lines.clear();
                    v.fund_amount = p.fund_amount;
                    v.patient_amount = p.patient_amount;
                    v.receivable = p.receivable.clone();
                    v.posted = p.posted;
                    v.unposted_reason = p.unposted_reason.clone();
                    frozen = Some((old.posted_ver, old.posted, old.post_date));
                } else if old.posted_ver > 0 && old.posted.lines > 0 {
                    // Reversing entry of the current posting, at the next version.
                    ver += 1;
                    let first_n = self.lines_written + 1;
                    self.lines_written += old.posted.lines;
                    // Dated as the entry it reverses while that month is open; else in the
                    // first open month after it, so a closed month never changes.
                    let date = self.closed.posting_date(old.post_date);
                    reversals.push((old.posted, first_n, ver, date));
                    push_entry_ref(
                        &mut refs,
                        EntryRef {
                            import_no: self.no,
                            first_n,
                            lines: old.posted.lines,
                        },
                    );
                }
                replaced.push(v.vkey.clone());
                let audit = change_sql(
                    &self.actor,
                    Change {
                        hcode: Some(&self.hcode),
                        entity: "claim_visit",
                        key: &v.vkey,
                        action: "update",
                        before: Some(old.summary.clone()),
                        after: Some(row_summary(&v, &self.id)),
                    },
                );
                self.tx.exec(&audit).await?;
                self.counts.updated += 1;
            } else {
                self.counts.inserted += 1;
            }
            let (mut posted_ver, mut posted, mut post_date) = frozen.unwrap_or((0, NO_ENTRY, 0));
            if !v.lines.is_empty() {
                post_date = self.closed.posting_date(v.recognised);
                let fy = fiscal_year_of(post_date);
                ver += 1;
                posted_ver = ver;
                posted = EntryRef {
                    import_no: self.no,
                    first_n: self.lines_written + 1,
                    lines: v.lines.len() as i64,
                };
                push_entry_ref(&mut refs, posted);
                for (i, line) in std::mem::take(&mut v.lines).into_iter().enumerate() {
                    self.counts.posted_amount += line.debit;
                    self.lines_written += 1;
                    journal.push(JournalRow {
                        n: self.lines_written,
                        vkey: v.vkey.clone(),
                        ver,
                        line_no: i as i64 + 1,
                        date_serv: v.date_serv,
                        post_date,
                        fy,
                        kind: "post",
                        line,
                    });
                }
            }
            if !v.posted {
                self.counts.unposted += 1;
            }
            to_insert.push(NewVisit {
                row: v,
                ver,
                posted_ver,
                posted,
                post_date,
                refs,
            });
        }
        // On SQLite, OR ROLLBACK: a constraint failure ends the whole transaction (as the
        // import would anyway), so no statement journal is kept for these large INSERTs.
        let insert = match self.engine {
            Engine::Sqlite => "INSERT OR ROLLBACK INTO",
            Engine::Postgres => "INSERT INTO",
        };
        // Reversals: the old lines with debit and credit swapped, numbered in this import.
        for (old, first_n, new_ver, date) in &reversals {
            let mut s = Sql::new(&format!(
                "{insert} claim_journal (hcode, import_no, n, vkey, ver, line_no, kind, date_serv, post_date, fy, account, fund, debit, credit) SELECT hcode, "
            ));
            s.int(self.no)
                .push(", n + ")
                .int(first_n - old.first_n)
                .push(", vkey, ")
                .int(*new_ver)
                .push(", line_no, 'reverse', date_serv, ")
                .int(*date)
                .push(", ")
                .int(fiscal_year_of(*date))
                .push(", account, fund, credit, debit FROM claim_journal WHERE hcode = ")
                .text(self.hcode.clone())
                .push(" AND import_no = ")
                .int(old.import_no)
                .push(" AND n >= ")
                .int(old.first_n)
                .push(" AND n < ")
                .int(old.first_n + old.lines)
                .push(" ORDER BY n");
            self.counts.journal_lines += self.tx.exec(&s).await? as i64;
        }
        let replaced_keys: Vec<&str> = replaced.iter().map(String::as_str).collect();
        self.load_shares(&replaced_keys, -1).await?;
        for chunk in replaced.chunks(LOOKUP_CHUNK) {
            let mut s = Sql::new("DELETE FROM claim_visits WHERE hcode = ");
            s.text(self.hcode.clone()).push(" AND vkey IN (");
            for (i, k) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.text(k.clone());
            }
            s.push(")");
            positional(self.engine, &mut s);
            self.tx.exec(&s).await?;
        }
        // Findings are re-evaluated on every import of a visit, changed or not.
        if !existing.is_empty() {
            let keys: Vec<&str> = existing.keys().map(String::as_str).collect();
            delete_findings(&mut self.tx, self.engine, &self.hcode, &keys).await?;
        }
        // In key order, each multi-row INSERT walks neighbouring index pages instead of
        // jumping across the whole B-tree for every row. Journal lines stay in the order of
        // their numbers: the journal's key grows with every line, so they are appended.
        // Sorted by index: moving the rows themselves (a kilobyte each) cost more than the sort.
        let mut order: Vec<usize> = (0..to_insert.len()).collect();
        order.sort_unstable_by(|&a, &b| to_insert[a].row.vkey.cmp(&to_insert[b].row.vkey));
        if matches!(self.tx, ImportTx::Sqlite(_)) {
            self.insert_sqlite(&to_insert, &order, &journal, &findings, now)
                .await?;
        } else {
            self.insert_pg(&to_insert, &order, &journal, &findings, now)
                .await?;
        }
        self.counts.journal_lines += journal.len() as i64;
        // A visit seen for the first time has no claim yet: its share is what was written.
        for nv in &to_insert {
            if !existing.contains_key(&nv.row.vkey) {
                self.sums.add(&sums::Share::of_new(&nv.row), 1);
            }
        }
        self.load_shares(&replaced_keys, 1).await?;
        Ok(())
    }

    /// Adds (`sign` 1) or subtracts (-1) the read-model shares of these visits as they stand
    /// now in the transaction.
    pub(crate) async fn load_shares(&mut self, keys: &[&str], sign: i64) -> Result<(), StoreError> {
        for q in sums::SumDelta::share_queries(self.engine, &self.hcode, keys) {
            for share in self.tx.rows(&q, sums::SumDelta::row_share).await? {
                self.sums.add(&share, sign);
            }
        }
        Ok(())
    }

    /// The rows of a batch through the native SQLite handle: one prepared INSERT per table,
    /// values bound in place.
    async fn insert_sqlite(
        &mut self,
        visits: &[NewVisit],
        order: &[usize],
        journal: &[JournalRow],
        findings: &[(String, FindingRow)],
        now: i64,
    ) -> Result<(), StoreError> {
        let ImportTx::Sqlite(tx) = &mut self.tx else {
            return Err(StoreError::Config("not a SQLite import".into()));
        };
        let (hcode, id, no) = (self.hcode.as_str(), self.id.as_str(), self.no);
        let mut handle = tx.lock_handle().await?;
        let db = handle.as_raw_handle();
        let write = || -> Result<(), sqlx::Error> {
            let mut st =
                Stmt::prepare(db, &insert_sql("claim_visits", VISIT_COLS, VISIT_COL_COUNT))?;
            for nv in order.iter().map(|&i| &visits[i]) {
                st.run(&visit_vals(hcode, id, now, nv))?;
            }
            drop(st);
            let mut st = Stmt::prepare(
                db,
                &insert_sql("claim_journal", JOURNAL_COLS, JOURNAL_COL_COUNT),
            )?;
            for j in journal {
                st.run(&journal_vals(hcode, no, j))?;
            }
            drop(st);
            if !findings.is_empty() {
                let mut st = Stmt::prepare(
                    db,
                    &insert_sql("claim_findings", FINDING_COLS, FINDING_COL_COUNT),
                )?;
                for (vkey, f) in findings {
                    st.run(&finding_vals(hcode, vkey, f))?;
                }
            }
            Ok(())
        };
        // SQLite works on this thread: tell a multi-threaded runtime so it moves other tasks.
        let multi = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        let done = if multi {
            tokio::task::block_in_place(write)
        } else {
            write()
        };
        drop(handle);
        done?;
        Ok(())
    }

    /// The rows of a batch as two COPYs (text format): no statement to parse or plan per
    /// batch, no parameter limit.
    async fn insert_pg(
        &mut self,
        visits: &[NewVisit],
        order: &[usize],
        journal: &[JournalRow],
        findings: &[(String, FindingRow)],
        now: i64,
    ) -> Result<(), StoreError> {
        let ImportTx::Postgres(tx) = &mut self.tx else {
            return Err(StoreError::Config("not a PostgreSQL import".into()));
        };
        let (hcode, id, no) = (self.hcode.as_str(), self.id.as_str(), self.no);
        let mut buf = Vec::with_capacity(visits.len() * 1024);
        for nv in order.iter().map(|&i| &visits[i]) {
            copy_row(&mut buf, &visit_vals(hcode, id, now, nv));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_visits ({VISIT_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        buf.clear();
        for j in journal {
            copy_row(&mut buf, &journal_vals(hcode, no, j));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_journal ({JOURNAL_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        buf.clear();
        for (vkey, f) in findings {
            copy_row(&mut buf, &finding_vals(hcode, vkey, f));
        }
        if !buf.is_empty() {
            let mut copy = tx
                .copy_in_raw(&format!("COPY claim_findings ({FINDING_COLS}) FROM STDIN"))
                .await?;
            copy.send(buf.as_slice()).await?;
            copy.finish().await?;
        }
        Ok(())
    }

    /// Records the import in the history and commits everything. `landed = false` (strict mode
    /// with rejects) records the attempt and its rejects only.
    pub async fn finish(
        mut self,
        totals: ImportTotals,
        landed: bool,
    ) -> Result<ImportRecord, StoreError> {
        let elapsed_ms = self.started.elapsed().as_millis() as i64;
        let at = now_ms();
        let status = if landed { "imported" } else { "rejected" };
        if landed && self.counts.updated > 0 {
            // The reversing lines swap debit and credit: their debits are the reversed total.
            let mut q = Sql::new(
                "SELECT CAST(COALESCE(SUM(debit), 0) AS BIGINT) AS amount FROM claim_journal WHERE hcode = ",
            );
            q.text(self.hcode.clone())
                .push(" AND import_no = ")
                .int(self.no)
                .push(" AND kind = 'reverse'");
            self.counts.reversed_amount = self
                .tx
                .rows(&q, |r| r.i("amount"))
                .await?
                .first()
                .copied()
                .unwrap_or(0);
        }
        if landed && let Some(sev) = self.cross_audit.take() {
            if self.engine == Engine::Postgres
                && self.counts.inserted + self.counts.updated >= ANALYZE_AFTER
            {
                // The cross-visit checks join the unit's visits with themselves: planned on
                // statistics that do not know this import's rows they took 30–65 s for a
                // hospital's year. ANALYZE counts the transaction's own rows.
                self.tx.exec(&Sql::new("ANALYZE claim_visits")).await?;
            }
            write_cross_findings(&mut self.tx, &self.hcode, &sev).await?;
        }
        // The read models move with what this transaction wrote, whatever it was.
        if self.lines_written > 0 {
            for q in sums::journal_sums_sql(self.engine, &self.hcode, self.no) {
                self.tx.exec(&q).await?;
            }
        }
        for q in self.sums.flush(self.engine, &self.hcode) {
            self.tx.exec(&q).await?;
        }
        // Imports and re-posts rewrite findings (returns and write-offs touch none).
        if matches!(self.kind, "import" | "repost") {
            for q in sums::findings_sums_sql(self.engine, &self.hcode) {
                self.tx.exec(&q).await?;
            }
        }
        let files_json = serde_json::to_string(&self.meta.files).unwrap_or_else(|_| "[]".into());
        let mut s = Sql::new(
            "INSERT INTO claim_imports (hcode, id, no, at, user_id, username, source_name, files_json, strict, status, visits_read, admissions_read, inserted, updated, unchanged, rejected_encounters, rejects, unposted, posted_amount, reversed_amount, elapsed_ms, kind, cht_total, paid_total, fund_posted, patient_posted, unposted_amount, in_hospital_amount, overpaid) VALUES (",
        );
        s.text(self.hcode.clone())
            .push(", ")
            .text(self.id.clone())
            .push(", ")
            .int(self.no)
            .push(", ")
            .int(at)
            .push(", ")
            .opt_text(self.actor.user_id.clone())
            .push(", ")
            .text(self.actor.username.clone())
            .push(", ")
            .text(self.meta.source_name.clone())
            .push(", ")
            .text(files_json)
            .push(", ")
            .int(i64::from(self.meta.strict))
            .push(", ")
            .text(status)
            .push(", ")
            .int(totals.visits_read)
            .push(", ")
            .int(totals.admissions_read)
            .push(", ")
            .int(self.counts.inserted)
            .push(", ")
            .int(self.counts.updated)
            .push(", ")
            .int(self.counts.unchanged)
            .push(", ")
            .int(totals.rejected_encounters)
            .push(", ")
            .int(totals.rejects.max(self.rejects))
            .push(", ")
            .int(self.counts.unposted)
            .push(", ")
            .int(self.counts.posted_amount)
            .push(", ")
            .int(self.counts.reversed_amount)
            .push(", ")
            .int(elapsed_ms)
            .push(", ")
            .text(self.kind)
            .push(", ")
            .int(self.recon.cht_total)
            .push(", ")
            .int(self.recon.paid)
            .push(", ")
            .int(self.recon.fund_posted)
            .push(", ")
            .int(self.recon.patient_posted)
            .push(", ")
            .int(self.recon.unposted)
            .push(", ")
            .int(self.recon.in_hospital)
            .push(", ")
            .int(self.recon.overpaid)
            .push(")");
        self.tx.exec(&s).await?;
        let audit = change_sql(
            &self.actor,
            Change {
                hcode: Some(&self.hcode),
                entity: "claim_import",
                key: &self.id,
                action: status,
                before: None,
                after: Some(serde_json::json!({
                    "source": self.meta.source_name,
                    "inserted": self.counts.inserted,
                    "updated": self.counts.updated,
                    "unchanged": self.counts.unchanged,
                    "rejects": totals.rejects,
                })),
            },
        );
        self.tx.exec(&audit).await?;
        self.tx.exec(&crate::bump_read_version()).await?;
        if self.engine == Engine::Sqlite {
            self.tx.exec(&Sql::new("PRAGMA cache_size = -2000")).await?;
        }
        let pg = matches!(self.tx, ImportTx::Postgres(_));
        self.tx.commit().await?;
        if pg && self.counts.inserted + self.counts.updated >= ANALYZE_AFTER {
            // A large import leaves PostgreSQL's statistics describing a much smaller table:
            // with them, the claim lookups of the next REP (hcode + vkey) were planned on the
            // wrong index (1.2 s per thousand claims instead of milliseconds).
            if let Some(conn) = self.analyze.take() {
                let _ = sqlx::raw_sql("ANALYZE claim_visits; ANALYZE claim_journal; ANALYZE claim_findings; ANALYZE claim_status")
                    .execute(&conn)
                    .await
                    .inspect_err(|e| tracing::warn!(error = %e, "ANALYZE after import failed"));
            }
        }
        if let Some(pool) = self.imports.clone() {
            // The WAL now holds the whole import: copy it into the database in the background
            // (the import connection does not checkpoint at commit). The next import waits
            // for it, as the import pool has one connection.
            tokio::spawn(async move {
                match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    // Closed: the process is ending, and closing checkpoints by itself.
                    Ok(_) | Err(sqlx::Error::PoolClosed) => {}
                    Err(e) => tracing::warn!(error = %e, "checkpoint after import failed"),
                }
            });
        }
        Ok(ImportRecord {
            hcode: self.hcode,
            unit_name: String::new(),
            id: self.id,
            at,
            username: self.actor.username,
            source_name: self.meta.source_name,
            files: self.meta.files,
            strict: self.meta.strict,
            status: status.into(),
            kind: self.kind.into(),
            totals,
            counts: self.counts,
            recon: self.recon,
            elapsed_ms,
        })
    }

    /// Abandons the import: nothing it wrote remains.
    pub async fn abort(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Filters of the visit list. Dates are `yyyymmdd` CE, inclusive.
#[derive(Debug, Clone, Default)]
pub struct VisitQuery {
    pub hcode: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub fund: Option<String>,
    pub inscl: Option<String>,
    /// `OP` or `IP`.
    pub setting: Option<String>,
    /// Receivable account of the fund part.
    pub account: Option<String>,
    pub posted: Option<bool>,
    /// Why unposted: [`NO_MAPPING`] or [`IN_HOSPITAL`].
    pub unposted_reason: Option<String>,
    pub import_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// Keyset cursor of [`Store::page_visits`]: the (date_serv, vkey) of the last row shown.
    pub after: Option<(i64, String)>,
}

/// A visit as listed (the web masks CIDs and names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitSummary {
    pub hcode: String,
    pub vkey: String,
    pub setting: String,
    pub hn: String,
    pub seq: String,
    pub an: String,
    pub date_serv: i64,
    pub date_dsc: i64,
    pub fy: i64,
    pub clinic: String,
    pub pdx: String,
    pub cid: String,
    pub patient_name: String,
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
    pub receivable: String,
    pub import_id: String,
}

/// A visit with its detail and every journal line ever written for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitDetail {
    pub visit: VisitSummary,
    pub detail_json: String,
    pub journal: Vec<JournalEntryLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntryLine {
    pub ver: i64,
    pub line_no: i64,
    pub kind: String,
    pub import_id: String,
    /// When raidai wrote the line (the import's time, epoch ms).
    pub posted_at: i64,
    /// The accounting date of the line (`yyyymmdd`).
    pub post_date: i64,
    /// The visit's service date (`yyyymmdd`).
    pub date_serv: i64,
    pub account: String,
    pub fund: String,
    pub debit: i64,
    pub credit: i64,
}

/// Balance of one account (and fund) over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountBalance {
    pub account: String,
    pub fund: String,
    pub debit: i64,
    pub credit: i64,
    /// Visits with a line on this account in the period.
    pub visits: i64,
}

impl AccountBalance {
    pub fn balance(&self) -> i64 {
        self.debit - self.credit
    }
}

/// One row of the province roll-up: receivables posted (net of reversals) per unit, fund and
/// fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollupRow {
    pub district_code: String,
    pub district_name: String,
    pub hcode: String,
    pub unit_name: String,
    pub fund: String,
    pub fy: i64,
    pub visits: i64,
    pub amount: i64,
}

const SUMMARY_COLS: &str = "v.hcode, v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.date_dsc, v.fy, v.clinic, v.pdx, v.cid, v.patient_name, v.sex, v.dob, v.inscl, v.subtype, v.hospmain, v.permitno, v.fund, v.place, v.vcase, v.total, v.paid, v.claimable, v.fund_amount, v.patient_amount, v.posted, v.unposted_reason, v.receivable, v.import_id";

fn summary_from_row(r: &AnyRow) -> Result<VisitSummary, StoreError> {
    Ok(VisitSummary {
        hcode: get_s(r, "hcode")?,
        vkey: get_s(r, "vkey")?,
        setting: get_s(r, "setting")?,
        hn: get_s(r, "hn")?,
        seq: get_s(r, "seq")?,
        an: get_s(r, "an")?,
        date_serv: get_i(r, "date_serv")?,
        date_dsc: get_i(r, "date_dsc")?,
        fy: get_i(r, "fy")?,
        clinic: get_s(r, "clinic")?,
        pdx: get_s(r, "pdx")?,
        cid: get_s(r, "cid")?,
        patient_name: get_s(r, "patient_name")?,
        sex: get_s(r, "sex")?,
        dob: get_i(r, "dob")?,
        inscl: get_s(r, "inscl")?,
        subtype: get_s(r, "subtype")?,
        hospmain: get_s(r, "hospmain")?,
        permitno: get_s(r, "permitno")?,
        fund: get_s(r, "fund")?,
        place: get_s(r, "place")?,
        case: get_s(r, "vcase")?,
        total: get_i(r, "total")?,
        paid: get_i(r, "paid")?,
        claimable: get_i(r, "claimable")?,
        fund_amount: get_i(r, "fund_amount")?,
        patient_amount: get_i(r, "patient_amount")?,
        posted: get_i(r, "posted")? != 0,
        unposted_reason: get_s(r, "unposted_reason")?,
        receivable: get_s(r, "receivable")?,
        import_id: get_s(r, "import_id")?,
    })
}

fn import_from_row(r: &AnyRow) -> Result<ImportRecord, StoreError> {
    let files: Vec<ImportFile> = serde_json::from_str(&get_s(r, "files_json")?).unwrap_or_default();
    Ok(ImportRecord {
        hcode: get_s(r, "hcode")?,
        unit_name: get_s(r, "unit_name")?,
        id: get_s(r, "id")?,
        at: get_i(r, "at")?,
        username: get_s(r, "username")?,
        source_name: get_s(r, "source_name")?,
        files,
        strict: get_i(r, "strict")? != 0,
        status: get_s(r, "status")?,
        kind: get_s(r, "kind")?,
        recon: Reconciliation {
            cht_total: get_i(r, "cht_total")?,
            fund_posted: get_i(r, "fund_posted")?,
            patient_posted: get_i(r, "patient_posted")?,
            paid: get_i(r, "paid_total")?,
            unposted: get_i(r, "unposted_amount")?,
            in_hospital: get_i(r, "in_hospital_amount")?,
            overpaid: get_i(r, "overpaid")?,
        },
        totals: ImportTotals {
            visits_read: get_i(r, "visits_read")?,
            admissions_read: get_i(r, "admissions_read")?,
            rejected_encounters: get_i(r, "rejected_encounters")?,
            rejects: get_i(r, "rejects")?,
        },
        counts: ImportCounts {
            inserted: get_i(r, "inserted")?,
            updated: get_i(r, "updated")?,
            unchanged: get_i(r, "unchanged")?,
            unposted: get_i(r, "unposted")?,
            posted_amount: get_i(r, "posted_amount")?,
            reversed_amount: get_i(r, "reversed_amount")?,
            journal_lines: 0,
        },
        elapsed_ms: get_i(r, "elapsed_ms")?,
    })
}

/// Unposted visits of a unit grouped by fiscal year and posting-map key, with their amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpostedGroup {
    /// [`NO_MAPPING`] or [`IN_HOSPITAL`].
    pub reason: String,
    pub fy: i64,
    pub fund: String,
    pub setting: String,
    pub place: String,
    pub case: String,
    pub visits: i64,
    pub fund_amount: i64,
    pub patient_amount: i64,
}

impl Store {
    /// The unposted visits of a unit the caller may see, grouped by (fiscal year, fund,
    /// setting, place, case), largest fund amount first: the map coverage worklist.
    pub async fn unposted_groups(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Vec<UnpostedGroup>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT unposted_reason, fy, fund, setting, place, vcase, CAST(COUNT(*) AS BIGINT) AS n, CAST(SUM(fund_amount) AS BIGINT) AS fa, CAST(SUM(patient_amount) AS BIGINT) AS pa FROM claim_visits WHERE posted = 0 AND hcode = ",
        );
        s.text(hcode).push(
            " GROUP BY unposted_reason, fy, fund, setting, place, vcase ORDER BY unposted_reason DESC, fa DESC, fy, fund, setting, place, vcase",
        );
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(UnpostedGroup {
                    reason: get_s(r, "unposted_reason")?,
                    fy: get_i(r, "fy")?,
                    fund: get_s(r, "fund")?,
                    setting: get_s(r, "setting")?,
                    place: get_s(r, "place")?,
                    case: get_s(r, "vcase")?,
                    visits: get_i(r, "n")?,
                    fund_amount: get_i(r, "fa")?,
                    patient_amount: get_i(r, "pa")?,
                })
            })
            .collect()
    }

    /// Import history of a unit the caller may see, newest first.
    pub async fn list_imports(
        &self,
        actor: &Actor,
        hcode: &str,
        limit: i64,
    ) -> Result<Vec<ImportRecord>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT i.*, u.name_th AS unit_name FROM claim_imports i JOIN units u ON u.hcode = i.hcode WHERE i.kind IN ('import', 'repost') AND i.hcode = ",
        );
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY i.at DESC, i.id DESC LIMIT ")
            .int(limit.clamp(1, 1000));
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(import_from_row).collect()
    }

    /// One import of a unit the caller may see.
    pub async fn get_import(
        &self,
        actor: &Actor,
        hcode: &str,
        id: &str,
    ) -> Result<ImportRecord, StoreError> {
        let mut s = Sql::new(
            "SELECT i.*, u.name_th AS unit_name FROM claim_imports i JOIN units u ON u.hcode = i.hcode WHERE i.hcode = ",
        );
        s.text(hcode).push(" AND i.id = ").text(id);
        actor.push_unit_scope(&mut s, "u");
        let row = s.query().fetch_optional(self.pool()).await?;
        row.as_ref()
            .map(import_from_row)
            .unwrap_or(Err(StoreError::NotFound))
    }

    /// The rejects of an import, in the order found.
    pub async fn list_rejects(
        &self,
        actor: &Actor,
        hcode: &str,
        import_id: &str,
    ) -> Result<Vec<RejectRow>, StoreError> {
        self.first_rejects(actor, hcode, import_id, i64::MAX).await
    }

    /// The first `limit` rejects of an import in file order (a page shows these; the
    /// downloads take them all).
    pub async fn first_rejects(
        &self,
        actor: &Actor,
        hcode: &str,
        import_id: &str,
        limit: i64,
    ) -> Result<Vec<RejectRow>, StoreError> {
        self.get_import(actor, hcode, import_id).await?;
        let mut s = Sql::new(
            "SELECT file, line, field, value, code, reason_th, reason_en, hn, seq, an FROM claim_rejects WHERE hcode = ",
        );
        s.text(hcode)
            .push(" AND import_id = ")
            .text(import_id)
            .push(" ORDER BY n");
        if limit < i64::MAX {
            s.push(" LIMIT ").int(limit);
        }
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(RejectRow {
                    file: get_s(r, "file")?,
                    line: get_i(r, "line")?,
                    field: get_s(r, "field")?,
                    value: get_s(r, "value")?,
                    code: get_s(r, "code")?,
                    reason_th: get_s(r, "reason_th")?,
                    reason_en: get_s(r, "reason_en")?,
                    hn: get_s(r, "hn")?,
                    seq: get_s(r, "seq")?,
                    an: get_s(r, "an")?,
                })
            })
            .collect()
    }

    fn push_visit_filters(s: &mut Sql, q: &VisitQuery) {
        if let Some(f) = q.from {
            s.push(" AND v.date_serv >= ").int(f);
        }
        if let Some(t) = q.to {
            s.push(" AND v.date_serv <= ").int(t);
        }
        if let Some(f) = &q.fund {
            s.push(" AND v.fund = ").text(f.clone());
        }
        if let Some(f) = &q.inscl {
            s.push(" AND v.inscl = ").text(f.clone());
        }
        if let Some(f) = &q.setting {
            s.push(" AND v.setting = ").text(f.clone());
        }
        if let Some(a) = &q.account {
            s.push(" AND EXISTS (SELECT 1 FROM claim_journal j WHERE j.hcode = v.hcode AND j.import_no = v.post_import AND j.n >= v.post_n AND j.n < v.post_n + v.post_lines AND j.account = ")
                .text(a.clone())
                .push(")");
        }
        if let Some(p) = q.posted {
            s.push(" AND v.posted = ").int(i64::from(p));
        }
        if let Some(r) = &q.unposted_reason {
            s.push(" AND v.unposted_reason = ").text(r.clone());
        }
        if let Some(i) = &q.import_id {
            s.push(" AND v.import_id = ").text(i.clone());
        }
    }

    /// Visits of a unit the caller may see, filtered; newest first. Returns the page and the
    /// number of matching visits.
    pub async fn list_visits(
        &self,
        actor: &Actor,
        q: &VisitQuery,
    ) -> Result<(Vec<VisitSummary>, i64), StoreError> {
        self.get_unit(actor, &q.hcode).await?;
        let mut c = Sql::new(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = ",
        );
        c.text(q.hcode.clone());
        actor.push_unit_scope(&mut c, "u");
        Self::push_visit_filters(&mut c, q);
        let total = get_i(&c.query().fetch_one(self.pool()).await?, "n")?;
        let mut s = Sql::new(&format!(
            "SELECT {SUMMARY_COLS} FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
        ));
        s.text(q.hcode.clone());
        actor.push_unit_scope(&mut s, "u");
        Self::push_visit_filters(&mut s, q);
        let limit = if q.limit <= 0 { 100 } else { q.limit.min(1000) };
        s.push(" ORDER BY v.date_serv DESC, v.vkey LIMIT ")
            .int(limit)
            .push(" OFFSET ")
            .int(q.offset.max(0));
        let rows = s.query().fetch_all(self.pool()).await?;
        let list = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<_, _>>()?;
        Ok((list, total))
    }

    /// One page of a unit's visits, newest first by (service date, key), after the cursor
    /// `q.after`; with the cursor of the next page when there is one. Walks the
    /// `(hcode, date_serv, vkey)` index: no count and no offset, whatever the unit's size.
    pub async fn page_visits(
        &self,
        actor: &Actor,
        q: &VisitQuery,
    ) -> Result<(Vec<VisitSummary>, Option<(i64, String)>), StoreError> {
        self.get_unit(actor, &q.hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {SUMMARY_COLS} FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
        ));
        s.text(q.hcode.clone());
        actor.push_unit_scope(&mut s, "u");
        Self::push_visit_filters(&mut s, q);
        if let Some((d, k)) = &q.after {
            s.push(" AND (v.date_serv < ")
                .int(*d)
                .push(" OR (v.date_serv = ")
                .int(*d)
                .push(" AND v.vkey < ")
                .text(k.clone())
                .push("))");
        }
        let limit = if q.limit <= 0 { 100 } else { q.limit.min(1000) };
        s.push(" ORDER BY v.date_serv DESC, v.vkey DESC LIMIT ")
            .int(limit + 1);
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut list: Vec<VisitSummary> = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<_, _>>()?;
        let next = if list.len() as i64 > limit {
            list.truncate(limit as usize);
            list.last().map(|v| (v.date_serv, v.vkey.clone()))
        } else {
            None
        };
        Ok((list, next))
    }

    /// One visit with its detail and journal.
    pub async fn get_visit(
        &self,
        actor: &Actor,
        hcode: &str,
        vkey: &str,
    ) -> Result<VisitDetail, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {SUMMARY_COLS}, v.detail_json, v.journal_refs || COALESCE((SELECT ' ' || cs.journal_refs FROM claim_status cs WHERE cs.hcode = v.hcode AND cs.vkey = v.vkey), '') AS journal_refs FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
        ));
        s.text(hcode).push(" AND v.vkey = ").text(vkey);
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Err(StoreError::NotFound);
        };
        let visit = summary_from_row(&row)?;
        let detail_json = get_s(&row, "detail_json")?;
        // Every entry ever written for the visit, found through its references (the journal is
        // keyed in the order lines were written, not by visit).
        let refs = parse_entry_refs(&get_s(&row, "journal_refs")?);
        let mut rows = Vec::new();
        for chunk in refs.chunks(50) {
            let mut j = Sql::new(
                "SELECT j.ver, j.line_no, j.kind, COALESCE(i.id, '') AS import_id, COALESCE(i.at, 0) AS posted_at, j.post_date, j.date_serv, j.account, j.fund, j.debit, j.credit FROM claim_journal j LEFT JOIN claim_imports i ON i.hcode = j.hcode AND i.no = j.import_no WHERE j.hcode = ",
            );
            j.text(hcode)
                .push(" AND j.vkey = ")
                .text(vkey)
                .push(" AND (");
            for (k, r) in chunk.iter().enumerate() {
                if k > 0 {
                    j.push(" OR ");
                }
                j.push("(j.import_no = ")
                    .int(r.import_no)
                    .push(" AND j.n >= ")
                    .int(r.first_n)
                    .push(" AND j.n < ")
                    .int(r.first_n + r.lines)
                    .push(")");
            }
            j.push(")");
            rows.extend(j.query().fetch_all(self.pool()).await?);
        }
        let mut journal = rows
            .iter()
            .map(|r| {
                Ok(JournalEntryLine {
                    ver: get_i(r, "ver")?,
                    line_no: get_i(r, "line_no")?,
                    kind: get_s(r, "kind")?,
                    import_id: get_s(r, "import_id")?,
                    posted_at: get_i(r, "posted_at")?,
                    post_date: get_i(r, "post_date")?,
                    date_serv: get_i(r, "date_serv")?,
                    account: get_s(r, "account")?,
                    fund: get_s(r, "fund")?,
                    debit: get_i(r, "debit")?,
                    credit: get_i(r, "credit")?,
                })
            })
            .collect::<Result<Vec<JournalEntryLine>, StoreError>>()?;
        journal.sort_by_key(|l| (l.ver, l.line_no));
        Ok(VisitDetail {
            visit,
            detail_json,
            journal,
        })
    }

    /// Journal balances per account and fund of a unit for lines dated `from..=to`
    /// (`yyyymmdd`) by posting or service date, receivables and revenue alike (net of
    /// reversals). Whole months come from the read model; only the days of a partial month at
    /// either end are summed from the journal (on its date indexes).
    pub async fn account_balances(
        &self,
        actor: &Actor,
        hcode: &str,
        from: i64,
        to: i64,
        basis: DateBasis,
    ) -> Result<Vec<AccountBalance>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let (m_lo, m_hi) = whole_months(from, to);
        let mut sums: BTreeMap<(String, String), [i64; 3]> = BTreeMap::new();
        let mut add = |r: &AnyRow| -> Result<(), StoreError> {
            let e = sums
                .entry((get_s(r, "account")?, get_s(r, "fund")?))
                .or_default();
            e[0] += get_i(r, "debit")?;
            e[1] += get_i(r, "credit")?;
            e[2] += get_i(r, "entries")?;
            Ok(())
        };
        let col = basis.column();
        // Day ranges summed from the journal: the whole range when it holds no whole month.
        let mut day_ranges = Vec::new();
        if m_lo <= m_hi {
            let month_col = match basis {
                DateBasis::Posting => "post_month",
                DateBasis::Service => "serv_month",
            };
            let mut s = Sql::new(
                "SELECT account, fund, CAST(SUM(debit) AS BIGINT) AS debit, CAST(SUM(credit) AS BIGINT) AS credit, CAST(SUM(entries) AS BIGINT) AS entries FROM claim_sum_journal WHERE hcode = ",
            );
            s.text(hcode)
                .push(&format!(" AND {month_col} >= "))
                .int(m_lo)
                .push(&format!(" AND {month_col} <= "))
                .int(m_hi)
                .push(" GROUP BY account, fund");
            for r in s.query().fetch_all(self.pool()).await? {
                add(&r)?;
            }
            if from < m_lo * 100 {
                day_ranges.push((from, m_lo * 100));
            }
            if to > m_hi * 100 + 99 {
                day_ranges.push((m_hi * 100 + 100, to));
            }
        } else {
            day_ranges.push((from, to));
        }
        for (lo, hi) in day_ranges {
            let mut s = Sql::new(
                "SELECT account, fund, CAST(SUM(debit) AS BIGINT) AS debit, CAST(SUM(credit) AS BIGINT) AS credit, \
                 CAST(SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END) AS BIGINT) AS entries FROM claim_journal WHERE hcode = ",
            );
            s.text(hcode)
                .push(&format!(" AND {col} >= "))
                .int(lo)
                .push(&format!(" AND {col} <= "))
                .int(hi)
                .push(" GROUP BY account, fund");
            for r in s.query().fetch_all(self.pool()).await? {
                add(&r)?;
            }
        }
        Ok(sums
            .into_iter()
            .filter(|(_, v)| v.iter().any(|x| *x != 0))
            .map(
                |((account, fund), [debit, credit, entries])| AccountBalance {
                    account,
                    fund,
                    debit,
                    credit,
                    visits: entries,
                },
            )
            .collect())
    }

    /// Σ debits and Σ credits of a unit's whole journal.
    pub async fn journal_totals(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<(i64, i64), StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT CAST(COALESCE(SUM(j.debit), 0) AS BIGINT) AS d, CAST(COALESCE(SUM(j.credit), 0) AS BIGINT) AS c FROM claim_journal j WHERE j.hcode = ",
        );
        s.text(hcode);
        let r = s.query().fetch_one(self.pool()).await?;
        Ok((get_i(&r, "d")?, get_i(&r, "c")?))
    }

    /// Receivables posted (debits minus credits on receivable accounts 1102…) per unit, fund
    /// and fiscal year, over the units the caller may see; `fy` narrows to one fiscal year.
    /// `visits` counts postings net of their reversals. Read from the read model.
    pub async fn claims_rollup(
        &self,
        actor: &Actor,
        fy: Option<i64>,
    ) -> Result<Vec<RollupRow>, StoreError> {
        let mut s = Sql::new(
            "SELECT u.district_code, d.name_th AS district_name, u.hcode, u.name_th AS unit_name, j.fund, CAST(j.fy AS BIGINT) AS fy, CAST(j.entries AS BIGINT) AS visits, CAST(j.amount AS BIGINT) AS amount FROM claim_sum_rollup j JOIN units u ON u.hcode = j.hcode JOIN districts d ON d.code = u.district_code WHERE (j.entries <> 0 OR j.amount <> 0)",
        );
        actor.push_unit_scope(&mut s, "u");
        if let Some(fy) = fy {
            s.push(" AND j.fy = ").int(fy);
        }
        s.push(" ORDER BY u.district_code, u.hcode, j.fy, j.fund");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(RollupRow {
                    district_code: get_s(r, "district_code")?,
                    district_name: get_s(r, "district_name")?,
                    hcode: get_s(r, "hcode")?,
                    unit_name: get_s(r, "unit_name")?,
                    fund: get_s(r, "fund")?,
                    fy: get_i(r, "fy")?,
                    visits: get_i(r, "visits")?,
                    amount: get_i(r, "amount")?,
                })
            })
            .collect()
    }

    /// Fiscal years with journal lines among the units the caller may see, newest first.
    pub async fn claims_years(&self, actor: &Actor) -> Result<Vec<i64>, StoreError> {
        let mut s = Sql::new(
            "SELECT DISTINCT CAST(j.fy AS BIGINT) AS fy FROM claim_sum_rollup j JOIN units u ON u.hcode = j.hcode WHERE 1 = 1",
        );
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY j.fy DESC");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(get_i(r, "fy")?)).collect()
    }
}
