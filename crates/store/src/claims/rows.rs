//! Row mappings and bulk-write helpers shared by imports and the Data Audit.

use super::*;

pub(crate) const STORED_ROW_COLS: &str = "vkey, setting, hn, seq, an, date_serv, date_dsc, fy, clinic, pdx, cid, patient_name, sex, dob, inscl, subtype, hospmain, permitno, fund, place, vcase AS \"case\", total, paid, claimable, fund_amount, patient_amount, posted, unposted_reason, receivable, content_hash, detail_json";

/// [`stored_row`] from a native SQLite row (columns in the order of `STORED_ROW_COLS`).
pub(crate) fn raw_stored_row(r: &crate::sqlite_raw::RawRow) -> VisitRow {
    let setting = r.text(1);
    let (date_serv, date_dsc) = (r.int(5), r.int(6));
    VisitRow {
        recognised: recognition_date(setting == "IP", date_serv, date_dsc),
        visit: VisitRef {
            vkey: r.text(0),
            setting,
            hn: r.text(2),
            seq: r.text(3),
            an: r.text(4),
            date_serv,
            date_dsc,
        },
        facts: VisitFacts {
            fy: r.int(7),
            clinic: r.text(8),
            pdx: r.text(9),
            cid: r.text(10).into(),
            patient_name: r.text(11).into(),
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
        },
        content_hash: r.text(29),
        detail_json: r.text(30),
        lines: Vec::new(),
        findings: Vec::new(),
    }
}

/// A stored visit as a [`VisitRow`] (no lines, no findings), from `STORED_ROW_COLS`.
pub(crate) fn stored_row(r: &dyn Cols) -> Result<VisitRow, sqlx::Error> {
    let visit = VisitRef::from_row(r)?;
    Ok(VisitRow {
        recognised: recognition_date(visit.setting == "IP", visit.date_serv, visit.date_dsc),
        visit,
        facts: VisitFacts::from_row(r)?,
        content_hash: r.s("content_hash")?,
        detail_json: r.s("detail_json")?,
        lines: Vec::new(),
        findings: Vec::new(),
    })
}

/// Inserts findings inside `tx` (SQLite: a prepared statement; PostgreSQL: COPY).
pub(crate) async fn insert_findings(
    tx: &mut ImportTx,
    hcode: &str,
    findings: &[(String, FindingRow)],
) -> Result<(), StoreError> {
    let rows = findings
        .iter()
        .map(|(vkey, f)| finding_vals(hcode, vkey, f));
    tx.insert_each("claim_findings", FINDING_COLS, rows).await
}

pub(crate) fn visit_summary(r: &dyn Cols) -> Result<serde_json::Value, sqlx::Error> {
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

pub(crate) fn row_summary(v: &VisitRow, import_id: &str) -> serde_json::Value {
    serde_json::json!({
        "fund": v.facts.fund,
        "inscl": v.facts.inscl,
        "total": v.facts.total,
        "paid": v.facts.paid,
        "fund_amount": v.facts.fund_amount,
        "patient_amount": v.facts.patient_amount,
        "receivable": v.facts.receivable,
        "import_id": import_id,
    })
}

/// The values of a visit row, in the order of `VISIT_COLS`.
pub(crate) fn visit_vals<'a>(
    hcode: &'a str,
    import_id: &'a str,
    now: i64,
    nv: &'a NewVisit,
) -> [Val<'a>; VISIT_COL_COUNT] {
    let v = &nv.row;
    [
        Val::Text(hcode),
        Val::Text(&v.visit.vkey),
        Val::Text(&v.visit.setting),
        Val::Text(&v.visit.hn),
        Val::Text(&v.visit.seq),
        Val::Text(&v.visit.an),
        Val::Int(v.visit.date_serv),
        Val::Int(v.visit.date_dsc),
        Val::Int(v.facts.fy),
        Val::Text(&v.facts.clinic),
        Val::Text(&v.facts.pdx),
        Val::Text(v.facts.cid.as_str()),
        Val::Text(v.facts.patient_name.as_str()),
        Val::Text(&v.facts.sex),
        Val::Int(v.facts.dob),
        Val::Text(&v.facts.inscl),
        Val::Text(&v.facts.subtype),
        Val::Text(&v.facts.hospmain),
        Val::Text(&v.facts.permitno),
        Val::Text(&v.facts.fund),
        Val::Text(&v.facts.place),
        Val::Text(&v.facts.case),
        Val::Int(v.facts.total),
        Val::Int(v.facts.paid),
        Val::Int(v.facts.claimable),
        Val::Int(v.facts.fund_amount),
        Val::Int(v.facts.patient_amount),
        Val::Int(i64::from(v.facts.posted)),
        Val::Text(&v.facts.unposted_reason),
        Val::Text(&v.facts.receivable),
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
pub(crate) fn journal_vals<'a>(
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
pub(crate) fn finding_vals<'a>(
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
/// `head` followed by `(…), (…)`, one parenthesised list of bound values per row: the multi-row
/// statement PostgreSQL takes where COPY cannot serve (an upsert).
pub(crate) fn values_sql<'a>(head: &str, rows: impl Iterator<Item = &'a [Val<'a>]>) -> Sql {
    let mut s = Sql::new(head);
    for (i, row) in rows.enumerate() {
        s.push(if i == 0 { "(" } else { ", (" });
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                s.push(", ");
            }
            match v {
                Val::Text(t) => s.text(*t),
                Val::Int(n) => s.int(*n),
            };
        }
        s.push(")");
    }
    s
}

/// SQLite: `rows` inserted into `table` by one prepared statement, values bound in place.
pub(crate) fn insert_each<'a, const N: usize>(
    db: std::ptr::NonNull<libsqlite3_sys::sqlite3>,
    table: &str,
    cols: &str,
    rows: impl Iterator<Item = [Val<'a>; N]>,
) -> Result<(), sqlx::Error> {
    let mut st = Stmt::prepare(db, &insert_sql(table, cols, N))?;
    for r in rows {
        st.run(&r)?;
    }
    Ok(())
}

/// PostgreSQL: `rows` sent to `table` by one COPY in text format (`buf` reused; nothing sent
/// when there are no rows): no statement to parse or plan, no parameter limit.
pub(crate) async fn copy_each<'a, const N: usize>(
    t: &mut Transaction<'static, sqlx::Postgres>,
    buf: &mut Vec<u8>,
    table: &str,
    cols: &str,
    rows: impl Iterator<Item = [Val<'a>; N]>,
) -> Result<(), sqlx::Error> {
    buf.clear();
    for r in rows {
        copy_row(buf, &r);
    }
    if buf.is_empty() {
        return Ok(());
    }
    let mut copy = t
        .copy_in_raw(&format!("COPY {table} ({cols}) FROM STDIN"))
        .await?;
    copy.send(buf.as_slice()).await?;
    copy.finish().await?;
    Ok(())
}

impl ImportTx {
    /// `rows` inserted into `table` in this transaction: [`insert_each`] on SQLite,
    /// [`copy_each`] on PostgreSQL.
    pub(crate) async fn insert_each<'a, const N: usize>(
        &mut self,
        table: &str,
        cols: &str,
        rows: impl Iterator<Item = [Val<'a>; N]>,
    ) -> Result<(), StoreError> {
        match self {
            ImportTx::Sqlite(t) => {
                let mut handle = t.lock_handle().await?;
                insert_each(handle.as_raw_handle(), table, cols, rows)?;
            }
            ImportTx::Postgres(t) => copy_each(t, &mut Vec::new(), table, cols, rows).await?,
        }
        Ok(())
    }
}

pub(crate) fn copy_row(out: &mut Vec<u8>, vals: &[Val<'_>]) {
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
