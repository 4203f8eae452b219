//! Reading: imports, rejects, visits, balances and the province roll-up.

use super::*;
use crate::sql::row_struct;
use raidai_domain::ids::Hcode;

/// A page of visits and the cursor (service date, key) of the next page, if any.
pub type VisitPage = (Vec<VisitSummary>, Option<(i64, String)>);

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

row_struct! {
/// A visit as listed (the web masks CIDs and names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitSummary {
    pub hcode: String,
    #[serde(flatten)]
    pub visit: VisitRef,
    #[serde(flatten)]
    pub facts: VisitFacts,
    pub import_id: String,
}
}

/// A visit with its detail and every journal line ever written for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitDetail {
    pub visit: VisitSummary,
    pub detail_json: String,
    pub journal: Vec<JournalEntryLine>,
}

row_struct! {
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

row_struct! {
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
}

const SUMMARY_COLS: &str = "v.hcode, v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.date_dsc, v.fy, v.clinic, v.pdx, v.cid, v.patient_name, v.sex, v.dob, v.inscl, v.subtype, v.hospmain, v.permitno, v.fund, v.place, v.vcase AS \"case\", v.total, v.paid, v.claimable, v.fund_amount, v.patient_amount, v.posted, v.unposted_reason, v.receivable, v.import_id";

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

row_struct! {
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
}

impl Store {
    /// The unposted visits of a unit the caller may see, grouped by (fiscal year, fund,
    /// setting, place, case), largest fund amount first: the map coverage worklist.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn unposted_groups(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<UnpostedGroup>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT unposted_reason AS reason, fy, fund, setting, place, vcase AS \"case\", CAST(COUNT(*) AS BIGINT) AS visits, CAST(SUM(fund_amount) AS BIGINT) AS fund_amount, CAST(SUM(patient_amount) AS BIGINT) AS patient_amount FROM claim_visits WHERE posted = 0 AND hcode = ",
        );
        s.text(hcode).push(
            " GROUP BY unposted_reason, fy, fund, setting, place, vcase ORDER BY unposted_reason DESC, SUM(fund_amount) DESC, fy, fund, setting, place, vcase",
        );
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(UnpostedGroup::from_row(r)?))
            .collect()
    }

    /// Import history of a unit the caller may see, newest first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn list_imports(
        &self,
        actor: &Actor,
        unit: Hcode,
        limit: i64,
    ) -> Result<Vec<ImportRecord>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_import(
        &self,
        actor: &Actor,
        unit: Hcode,
        id: &str,
    ) -> Result<ImportRecord, StoreError> {
        let hcode = unit.as_str();
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn list_rejects(
        &self,
        actor: &Actor,
        unit: Hcode,
        import_id: &str,
    ) -> Result<Vec<RejectRow>, StoreError> {
        self.first_rejects(actor, unit, import_id, i64::MAX).await
    }

    /// The first `limit` rejects of an import in file order (a page shows these; the
    /// downloads take them all).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn first_rejects(
        &self,
        actor: &Actor,
        unit: Hcode,
        import_id: &str,
        limit: i64,
    ) -> Result<Vec<RejectRow>, StoreError> {
        let hcode = unit.as_str();
        self.get_import(actor, unit, import_id).await?;
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
        s.all(self.pool(), RejectRow::from_row).await
    }

    pub(crate) fn push_visit_filters(s: &mut Sql, q: &VisitQuery) {
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
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_visits(
        &self,
        actor: &Actor,
        q: &VisitQuery,
    ) -> Result<(Vec<VisitSummary>, i64), StoreError> {
        self.unit_by_code(actor, &q.hcode).await?;
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
            .map(|r| VisitSummary::from_row(r))
            .collect::<Result<_, _>>()?;
        Ok((list, total))
    }

    /// One page of a unit's visits, newest first by (service date, key), after the cursor
    /// `q.after`; with the cursor of the next page when there is one. Walks the
    /// `(hcode, date_serv, vkey)` index: no count and no offset, whatever the unit's size.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn page_visits(
        &self,
        actor: &Actor,
        q: &VisitQuery,
    ) -> Result<VisitPage, StoreError> {
        self.unit_by_code(actor, &q.hcode).await?;
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
            .map(|r| VisitSummary::from_row(r))
            .collect::<Result<_, _>>()?;
        let next = if list.len() as i64 > limit {
            list.truncate(limit as usize);
            list.last()
                .map(|v| (v.visit.date_serv, v.visit.vkey.clone()))
        } else {
            None
        };
        Ok((list, next))
    }

    /// One visit with its detail and journal.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_visit(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkey: &str,
    ) -> Result<VisitDetail, StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(&format!(
            "SELECT {SUMMARY_COLS}, v.detail_json, v.journal_refs || COALESCE((SELECT ' ' || cs.journal_refs FROM claim_status cs WHERE cs.hcode = v.hcode AND cs.vkey = v.vkey), '') AS journal_refs FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
        ));
        s.text(hcode).push(" AND v.vkey = ").text(vkey);
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Err(StoreError::NotFound);
        };
        let visit = VisitSummary::from_row(&row)?;
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
            .map(|r| JournalEntryLine::from_row(r))
            .collect::<Result<Vec<JournalEntryLine>, _>>()?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn account_balances(
        &self,
        actor: &Actor,
        unit: Hcode,
        from: i64,
        to: i64,
        basis: DateBasis,
    ) -> Result<Vec<AccountBalance>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn journal_totals(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<(i64, i64), StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
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
        s.all(self.pool(), RollupRow::from_row).await
    }

    /// Fiscal years with journal lines among the units the caller may see, newest first.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
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
