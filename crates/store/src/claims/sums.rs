//! Read models (migration 0012): the sums the pages show, changed in the same transaction as
//! the rows they sum. The journal's sums are added once per import from its own lines (the
//! journal is append-only); the claim sums move by the difference each write makes: the
//! touched visits' shares are read before the write (subtracted) and after it (added).

use super::*;
use crate::sqlite_raw::RawRow;

mod check;
pub use check::SummaryDiff;

/// The columns a visit's share of `claim_sum_cycle` and `claim_sum_recognised` needs, on
/// `claim_visits v LEFT JOIN claim_status cs`.
pub(crate) const SHARE_COLS: &str = "v.fund, v.fy, v.receivable, CAST(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END AS BIGINT) AS recognised, \
     CAST(v.posted AS BIGINT) AS posted, v.fund_amount, CAST(COALESCE(cs.batch_no, 0) AS BIGINT) AS batch_no, COALESCE(cs.status, '') AS status, \
     CAST(COALESCE(cs.expected, 0) AS BIGINT) AS expected, CAST(COALESCE(cs.received, 0) AS BIGINT) AS received, \
     CAST(COALESCE(cs.written_down, 0) AS BIGINT) AS written_down, CAST(COALESCE(cs.cleared, 0) AS BIGINT) AS cleared, \
     CAST(COALESCE(cs.late, 0) AS BIGINT) AS late, v.inscl, v.subtype, CAST(v.date_serv AS BIGINT) AS date_serv, \
     CAST(CASE WHEN v.permitno <> '' THEN 1 ELSE 0 END AS BIGINT) AS has_code, COALESCE(cs.stm_status, '') AS stm_status, COALESCE(cs.work, '') AS work, \
     v.vkey, CAST(COALESCE(cs.open_amount, 0) AS BIGINT) AS open_amount, \
     CAST(CASE WHEN v.fund_amount > 0 THEN v.fund_amount WHEN v.fund_amount + v.patient_amount > 0 THEN v.fund_amount + v.patient_amount ELSE 0 END AS BIGINT) AS at_stake";

/// One visit's claim as the sums see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Share {
    pub fund: String,
    pub fy: i64,
    pub account: String,
    pub recognised: i64,
    pub posted: bool,
    pub fund_amount: i64,
    pub batch_no: i64,
    pub status: String,
    pub expected: i64,
    pub received: i64,
    pub written_down: i64,
    pub cleared: i64,
    pub late: bool,
    pub inscl: String,
    pub subtype: String,
    pub date_serv: i64,
    pub has_code: bool,
    pub stm_status: String,
    /// The C / Deny follow-up state ('' when none).
    pub work: String,
    pub vkey: String,
    /// `claim_status.open_amount` as stored (the C / Deny worklist's order).
    pub open_amount: i64,
    /// What the fund would pay (AT_STAKE_SQL): LATE01's amount.
    pub at_stake: i64,
}

impl Share {
    fn from_row(r: &dyn Cols) -> Result<Share, sqlx::Error> {
        Ok(Share {
            fund: r.s("fund")?,
            fy: r.i("fy")?,
            account: r.s("receivable")?,
            recognised: r.i("recognised")?,
            posted: r.i("posted")? != 0,
            fund_amount: r.i("fund_amount")?,
            batch_no: r.i("batch_no")?,
            status: r.s("status")?,
            expected: r.i("expected")?,
            received: r.i("received")?,
            written_down: r.i("written_down")?,
            cleared: r.i("cleared")?,
            late: r.i("late")? == 1,
            inscl: r.s("inscl")?,
            subtype: r.s("subtype")?,
            date_serv: r.i("date_serv")?,
            has_code: r.i("has_code")? == 1,
            stm_status: r.s("stm_status")?,
            work: r.s("work")?,
            vkey: r.s("vkey")?,
            open_amount: r.i("open_amount")?,
            at_stake: r.i("at_stake")?,
        })
    }

    /// A visit as an import writes it, before any claim exists for it.
    pub fn of_new(v: &VisitRow) -> Share {
        Share {
            fund: v.facts.fund.clone(),
            fy: v.facts.fy,
            account: v.facts.receivable.clone(),
            recognised: if v.visit.setting == "IP" {
                v.visit.date_dsc
            } else {
                v.visit.date_serv
            },
            posted: v.facts.posted,
            fund_amount: v.facts.fund_amount,
            inscl: v.facts.inscl.clone(),
            subtype: v.facts.subtype.clone(),
            date_serv: v.visit.date_serv,
            vkey: v.visit.vkey.clone(),
            has_code: !v.facts.permitno.is_empty(),
            at_stake: if v.facts.fund_amount > 0 {
                v.facts.fund_amount
            } else {
                (v.facts.fund_amount + v.facts.patient_amount).max(0)
            },
            ..Share::default()
        }
    }
}

/// What a claim_status upsert returns for the sums: the claim's columns of a [`Share`], in the
/// order [`Share::with_status`] reads them.
pub(crate) const STATUS_RETURNING: &str = " RETURNING batch_no, status, expected, received, written_down, cleared, late, stm_status, work, open_amount";

impl Share {
    /// This visit's share with its claim as an upsert just returned it ([`STATUS_RETURNING`]);
    /// the visit's own columns are unchanged by a claim write.
    pub fn with_status(&self, r: &RawRow) -> Share {
        Share {
            batch_no: r.int(0),
            status: r.text(1),
            expected: r.int(2),
            received: r.int(3),
            written_down: r.int(4),
            cleared: r.int(5),
            late: r.int(6) == 1,
            stm_status: r.text(7),
            work: r.text(8),
            open_amount: r.int(9),
            ..self.clone()
        }
    }
}

/// `claim_sum_cycle` columns after the key, in order.
const CYCLE_COLS: [&str; 10] = [
    "visits",
    "receivable",
    "claimed",
    "accepted",
    "corrective",
    "denied",
    "received",
    "written_down",
    "outstanding",
    "late",
];
/// `claim_sum_recognised` columns after the key, in order.
const RECOG_COLS: [&str; 4] = ["visits", "amount", "open_visits", "outstanding"];

/// Changes to the claim sums a transaction has made so far.
#[derive(Debug, Default)]
pub(crate) struct SumDelta {
    cycle: HashMap<(String, i64), [i64; 10]>,
    recog: HashMap<(String, String, i64), [i64; 4]>,
    /// (fy, inscl, subtype, service month) → (visits, with an Authen code)
    visits: HashMap<(i64, String, String, i64), [i64; 2]>,
    /// batch → (accepted, corrective, denied, accepted awaiting a statement, received)
    batches: HashMap<i64, [i64; 5]>,
    /// (fund, recognition date) → (visits, at stake)
    due: HashMap<(String, i64), [i64; 2]>,
    /// (fund, claim status, follow-up) → (claims, outstanding)
    status: HashMap<(String, String, String), [i64; 2]>,
    /// Claims whose stored open amount is stale after the writes: vkey → fund amount - cleared
    /// (`None` once a later read finds it right).
    opens: HashMap<String, Option<i64>>,
    /// (account, fund, fy, posting month, service month) → (debit, credit, entries, lines) of
    /// the journal lines written from Rust (reversals are copied in SQL: see `reversed`).
    journal: HashMap<(String, String, i64, i64, i64), [i64; 4]>,
    /// (fund, fy) → (receivable debit - credit, entries) of those lines on receivable accounts.
    rollup: HashMap<(String, i64), [i64; 2]>,
    /// Reversing lines were copied in SQL: their sums are added from the journal at the end.
    pub reversed: bool,
}

impl SumDelta {
    pub fn add(&mut self, s: &Share, sign: i64) {
        if sign > 0 && !s.status.is_empty() {
            // The last read after a write wins: a visit touched twice gets its final amount.
            let open = s.fund_amount - s.cleared;
            self.opens
                .insert(s.vkey.clone(), (s.open_amount != open).then_some(open));
        }
        let v = self
            .visits
            .entry((s.fy, s.inscl.clone(), s.subtype.clone(), s.date_serv / 100))
            .or_default();
        v[0] += sign;
        v[1] += sign * i64::from(s.has_code);
        let d = self.due.entry((s.fund.clone(), s.recognised)).or_default();
        d[0] += sign;
        d[1] += sign * s.at_stake;
        if !s.status.is_empty() {
            let c = self
                .status
                .entry((s.fund.clone(), s.status.clone(), s.work.clone()))
                .or_default();
            c[0] += sign;
            c[1] += sign * (s.fund_amount - s.cleared);
        }
        if s.batch_no > 0 {
            let b = self.batches.entry(s.batch_no).or_default();
            let vals = [
                i64::from(s.status == "accepted"),
                i64::from(s.status == "corrective"),
                i64::from(s.status == "deny"),
                i64::from(s.status == "accepted" && s.stm_status.is_empty()),
                s.received,
            ];
            for (a, x) in b.iter_mut().zip(vals) {
                *a += sign * x;
            }
        }
        if !s.posted {
            return;
        }
        let open = s.fund_amount - s.cleared;
        if s.fund_amount > 0 {
            let c = self.cycle.entry((s.fund.clone(), s.fy)).or_default();
            let vals = [
                1,
                s.fund_amount,
                if s.batch_no > 0 { s.fund_amount } else { 0 },
                if s.status == "accepted" {
                    s.expected
                } else {
                    0
                },
                if s.status == "corrective" {
                    s.fund_amount
                } else {
                    0
                },
                if s.status == "deny" { s.fund_amount } else { 0 },
                s.received,
                s.written_down,
                open,
                i64::from(s.late),
            ];
            for (a, b) in c.iter_mut().zip(vals) {
                *a += sign * b;
            }
        }
        let r = self
            .recog
            .entry((s.fund.clone(), s.account.clone(), s.recognised))
            .or_default();
        let vals = [
            1,
            s.fund_amount,
            i64::from(open > 0),
            if open > 0 { open } else { 0 },
        ];
        for (a, b) in r.iter_mut().zip(vals) {
            *a += sign * b;
        }
    }

    /// Adds a journal line written by this transaction to the journal and roll-up sums (as
    /// the SQL of `reversal_sums_sql` would, without reading the lines back).
    pub fn add_journal(&mut self, j: &JournalRow) {
        let entries = match j.kind {
            "post" => 1,
            "reverse" => -1,
            _ => 0,
        };
        let l = &j.line;
        let s = self
            .journal
            .entry((
                l.account.clone(),
                l.fund.clone(),
                j.fy,
                j.post_date / 100,
                j.date_serv / 100,
            ))
            .or_default();
        for (a, b) in s.iter_mut().zip([l.debit, l.credit, entries, 1]) {
            *a += b;
        }
        if l.account.starts_with("1102") {
            let r = self.rollup.entry((l.fund.clone(), j.fy)).or_default();
            r[0] += l.debit - l.credit;
            r[1] += entries;
        }
    }

    /// Statements reading the shares of `keys` of unit `hcode` (one per chunk of keys).
    pub fn share_queries(engine: Engine, hcode: &str, keys: &[&str]) -> Vec<Sql> {
        keys.chunks(LOOKUP_CHUNK)
            .map(|chunk| {
                // The key list bounds the claims too: inside a transaction that has just added
                // a quarter's claims, PostgreSQL's statistics still describe an empty table and
                // it hashed every claim of the unit for each chunk (4 s) unless told the keys.
                let mut s = Sql::new(&format!(
                    "SELECT {SHARE_COLS} FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey AND cs.vkey IN ("
                ));
                s.texts(chunk.iter().copied());
                s.push(") WHERE v.hcode = ");
                s.text(hcode).push(" AND v.vkey IN (");
                s.texts(chunk.iter().copied());
                s.push(")");
                positional(engine, &mut s);
                s
            })
            .collect()
    }

    /// The statement reading one visit's share (SQLite's native path: parameters hcode, vkey).
    pub fn share_point_query() -> String {
        format!(
            "SELECT {SHARE_COLS} FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey \
             WHERE v.hcode = ? AND v.vkey = ?"
        )
    }

    pub fn row_share(r: &dyn Cols) -> Result<Share, sqlx::Error> {
        Share::from_row(r)
    }

    /// The upserts that apply the changes (nothing for keys whose sums did not move).
    pub fn flush(&mut self, engine: Engine, hcode: &str) -> Vec<Sql> {
        use KeyPart::{I, T};
        let mut out = Vec::new();
        // One upsert list a read-model table: the map taken, its keys as key parts.
        macro_rules! sums {
            ($field:ident, $table:literal, $keys:expr, $cols:expr, |$k:pat_param| $key:expr) => {
                let rows = std::mem::take(&mut self.$field).into_iter();
                let rows = rows.map(|($k, v)| ($key, v.to_vec()));
                upsert_sums(engine, &mut out, hcode, $table, $keys, $cols, rows);
            };
        }
        sums!(
            cycle,
            "claim_sum_cycle",
            &["fund", "fy"],
            &CYCLE_COLS,
            |(fund, fy)| vec![T(fund), I(fy)]
        );
        sums!(
            journal,
            "claim_sum_journal",
            &["account", "fund", "fy", "post_month", "serv_month"],
            &["debit", "credit", "entries", "lines"],
            |(account, fund, fy, post_month, serv_month)| vec![
                T(account),
                T(fund),
                I(fy),
                I(post_month),
                I(serv_month)
            ]
        );
        sums!(
            rollup,
            "claim_sum_rollup",
            &["fund", "fy"],
            &["amount", "entries"],
            |(fund, fy)| vec![T(fund), I(fy)]
        );
        sums!(
            recog,
            "claim_sum_recognised",
            &["fund", "account", "recognised"],
            &RECOG_COLS,
            |(fund, account, day)| vec![T(fund), T(account), I(day)]
        );
        sums!(
            visits,
            "claim_sum_visits",
            &["fy", "inscl", "subtype", "month"],
            &["visits", "with_code"],
            |(fy, inscl, subtype, month)| vec![I(fy), T(inscl), T(subtype), I(month)]
        );
        sums!(
            batches,
            "claim_sum_batches",
            &["batch_no"],
            &["accepted", "corrective", "denied", "awaiting", "received"],
            |no| vec![I(no)]
        );
        sums!(
            due,
            "claim_sum_due",
            &["fund", "recognised"],
            &["visits", "at_stake"],
            |(fund, day)| vec![T(fund), I(day)]
        );
        sums!(
            status,
            "claim_sum_status",
            &["fund", "status", "work"],
            &["visits", "outstanding"],
            |(fund, status, work)| vec![T(fund), T(status), T(work)]
        );
        let mut opens: Vec<(String, i64)> = std::mem::take(&mut self.opens)
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        opens.sort_unstable();
        for chunk in opens.chunks(200) {
            let mut u = Sql::new("UPDATE claim_status SET open_amount = CASE vkey");
            for (k, v) in chunk {
                u.push(" WHEN ").text(k.clone()).push(" THEN ").int(*v);
            }
            u.push(" ELSE open_amount END WHERE hcode = ")
                .text(hcode)
                .push(" AND vkey IN (");
            u.texts(chunk.iter().map(|(k, _)| k.clone()));
            u.push(")");
            positional(engine, &mut u);
            out.push(u);
        }
        out
    }
}

/// One key column's value of a read-model row.
pub(crate) enum KeyPart {
    T(String),
    I(i64),
}

/// Adds `rows` (key after `hcode`, values) to `table`'s sums, 200 rows a statement; rows whose
/// values are all zero are skipped.
pub(crate) fn upsert_sums(
    engine: Engine,
    out: &mut Vec<Sql>,
    hcode: &str,
    table: &str,
    keys: &[&str],
    cols: &[&str],
    rows: impl Iterator<Item = (Vec<KeyPart>, Vec<i64>)>,
) {
    let rows: Vec<_> = rows.filter(|(_, v)| v.iter().any(|x| *x != 0)).collect();
    for chunk in rows.chunks(200) {
        let mut s = Sql::new(&format!(
            "INSERT INTO {table} (hcode, {}, {}) VALUES ",
            keys.join(", "),
            cols.join(", ")
        ));
        for (i, (key, vals)) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(").text(hcode);
            for k in key {
                match k {
                    KeyPart::T(t) => s.push(", ").text(t.clone()),
                    KeyPart::I(n) => s.push(", ").int(*n),
                };
            }
            for v in vals {
                s.push(", ").int(*v);
            }
            s.push(")");
        }
        s.push(&format!(
            " ON CONFLICT (hcode, {}) DO UPDATE SET ",
            keys.join(", ")
        ));
        push_sums(&mut s, table, cols);
        positional(engine, &mut s);
        out.push(s);
    }
}

fn push_sums(s: &mut Sql, table: &str, cols: &[&str]) {
    let set: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    s.push(&set.join(", "));
}

/// Adds the reversing lines an import copied in SQL to `claim_sum_journal` and, for receivable
/// accounts, to `claim_sum_rollup` (the lines written from Rust are summed as they are written).
pub(crate) fn reversal_sums_sql(engine: Engine, hcode: &str, import_no: i64) -> Vec<Sql> {
    let mut s = Sql::new(
        "INSERT INTO claim_sum_journal (hcode, account, fund, fy, post_month, serv_month, debit, credit, entries, lines) \
         SELECT hcode, account, fund, fy, post_date / 100, date_serv / 100, SUM(debit), SUM(credit), \
         SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END), COUNT(*) FROM claim_journal WHERE kind = 'reverse' AND hcode = ",
    );
    s.text(hcode)
        .push(" AND import_no = ")
        .int(import_no)
        .push(" GROUP BY hcode, account, fund, fy, post_date / 100, date_serv / 100 ON CONFLICT (hcode, account, fund, fy, post_month, serv_month) DO UPDATE SET ");
    push_sums(
        &mut s,
        "claim_sum_journal",
        &["debit", "credit", "entries", "lines"],
    );
    positional(engine, &mut s);
    let mut r = Sql::new(
        "INSERT INTO claim_sum_rollup (hcode, fund, fy, amount, entries) \
         SELECT hcode, fund, fy, SUM(debit - credit), SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END) \
         FROM claim_journal WHERE kind = 'reverse' AND account LIKE '1102%' AND hcode = ",
    );
    r.text(hcode)
        .push(" AND import_no = ")
        .int(import_no)
        .push(" GROUP BY hcode, fund, fy ON CONFLICT (hcode, fund, fy) DO UPDATE SET ");
    push_sums(&mut r, "claim_sum_rollup", &["amount", "entries"]);
    positional(engine, &mut r);
    vec![s, r]
}

/// Recomputes the unit's findings sums (after its findings were rewritten).
pub(crate) fn findings_sums_sql(engine: Engine, hcode: &str) -> Vec<Sql> {
    let mut d = Sql::new("DELETE FROM claim_sum_findings WHERE hcode = ");
    d.text(hcode);
    let mut i = Sql::new(
        "INSERT INTO claim_sum_findings (hcode, rule, severity, findings, amount, accepted) \
         SELECT f.hcode, f.rule, f.severity, COUNT(*), SUM(f.amount), \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule) THEN 1 ELSE 0 END) \
         FROM claim_findings f WHERE f.hcode = ",
    );
    i.text(hcode).push(" GROUP BY f.hcode, f.rule, f.severity");
    let mut da = Sql::new("DELETE FROM claim_sum_audit WHERE hcode = ");
    da.text(hcode);
    let mut ia = Sql::new(&format!(
        "INSERT INTO claim_sum_audit (hcode, month, flagged, at_stake, blocked) \
         SELECT v.hcode, v.date_serv / 100, COUNT(*), SUM(x.amount), SUM(x.blocked) FROM ({FLAGGED_VISITS} AND f.hcode = "
    ));
    ia.text(hcode).push(
        " GROUP BY f.hcode, f.vkey) x JOIN claim_visits v ON v.hcode = x.hcode AND v.vkey = x.vkey GROUP BY v.hcode, v.date_serv / 100",
    );
    let mut out = vec![d, i, da, ia];
    for q in &mut out {
        positional(engine, q);
    }
    out
}

/// The visits with stored findings not accepted, one row each (`hcode, vkey, amount, blocked`),
/// open at `WHERE …` for more conditions and to be closed by `GROUP BY f.hcode, f.vkey`.
const FLAGGED_VISITS: &str = "SELECT f.hcode, f.vkey, MAX(f.amount) AS amount, MAX(CASE WHEN f.severity = 'block' THEN 1 ELSE 0 END) AS blocked \
     FROM claim_findings f WHERE NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule)";

/// One visit's row of `claim_sum_audit` (month, 1, at stake, blocked), or none when it has no
/// stored finding left to fix: read before and after a change to the visit's findings.
pub(crate) fn audit_share_sql(engine: Engine, hcode: &str, vkey: &str) -> Sql {
    let mut s = Sql::new(&format!(
        "SELECT CAST(v.date_serv / 100 AS BIGINT) AS month, CAST(x.amount AS BIGINT) AS amount, CAST(x.blocked AS BIGINT) AS blocked FROM ({FLAGGED_VISITS} AND f.hcode = "
    ));
    s.text(hcode).push(" AND f.vkey = ").text(vkey).push(
        " GROUP BY f.hcode, f.vkey) x JOIN claim_visits v ON v.hcode = x.hcode AND v.vkey = x.vkey",
    );
    positional(engine, &mut s);
    s
}

/// Reads a visit's audit share again with `share` and moves `claim_sum_audit` from `before`
/// (read with the same statement before the change) to it, in `tx`.
pub(crate) async fn move_audit_share(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    engine: Engine,
    hcode: &str,
    share: &Sql,
    before: Option<AnyRow>,
) -> Result<(), StoreError> {
    let after = share.query().fetch_optional(&mut **tx).await?;
    for q in audit_share_moves(engine, hcode, before, after)? {
        q.query().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The upserts that move `claim_sum_audit` from a visit's share before a change to its share
/// after (each read with `audit_share_sql`; none when the visit has no finding to fix).
pub(crate) fn audit_share_moves(
    engine: Engine,
    hcode: &str,
    before: Option<AnyRow>,
    after: Option<AnyRow>,
) -> Result<Vec<Sql>, StoreError> {
    // One row per month: PostgreSQL refuses a statement that upserts one key twice.
    let mut by_month: BTreeMap<i64, [i64; 3]> = BTreeMap::new();
    for (share, sign) in [(before, -1), (after, 1)] {
        if let Some(r) = share {
            let m = by_month.entry(get_i(&r, "month")?).or_default();
            m[0] += sign;
            m[1] += sign * get_i(&r, "amount")?;
            m[2] += sign * get_i(&r, "blocked")?;
        }
    }
    let rows = by_month
        .into_iter()
        .map(|(month, v)| (vec![KeyPart::I(month)], v.to_vec()));
    let mut out = Vec::new();
    upsert_sums(
        engine,
        &mut out,
        hcode,
        "claim_sum_audit",
        &["month"],
        &["flagged", "at_stake", "blocked"],
        rows,
    );
    Ok(out)
}

/// Takes one stored finding off the findings sums (run before deleting it).
pub(crate) fn finding_removed_sql(engine: Engine, hcode: &str, vkey: &str, rule: &str) -> Sql {
    let mut s = Sql::new(
        "UPDATE claim_sum_findings SET findings = claim_sum_findings.findings - 1, amount = claim_sum_findings.amount - f.amount, \
         accepted = claim_sum_findings.accepted - (CASE WHEN EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule) THEN 1 ELSE 0 END) \
         FROM claim_findings f WHERE f.hcode = ",
    );
    s.text(hcode)
        .push(" AND f.vkey = ")
        .text(vkey)
        .push(" AND f.rule = ")
        .text(rule)
        .push(" AND claim_sum_findings.hcode = f.hcode AND claim_sum_findings.rule = f.rule AND claim_sum_findings.severity = f.severity");
    positional(engine, &mut s);
    s
}
