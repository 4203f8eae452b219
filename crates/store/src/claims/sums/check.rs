//! Every read model described once (recomputation, stored rows, columns): what
//! `raidai db check-summaries` compares and `rebuild-summaries` rewrites.

use super::*;

/// A read model: how to recompute it from its sources and read it as stored, both in one shape
/// (`hcode, account, fund, k1, k2, k3, a0…`: text keys, integer keys, values), and how a
/// recomputed row is written back (`cols` of the table from `pick` of that shape).
struct ReadModel {
    table: &'static str,
    recompute: String,
    stored: &'static str,
    values: usize,
    cols: &'static str,
    pick: &'static str,
    /// A fourth text key column of both shapes, when three are not enough.
    text_key: Option<&'static str>,
    /// A column kept on a source table rather than a table of its own: rebuilt by this
    /// statement instead of a delete and insert.
    rewrite: Option<&'static str>,
}

/// Every read model. Claim sums are recomputed by visit, journal sums by line; rows of all
/// zeros are absent from a recomputation and ignored when stored.
fn read_models() -> Vec<ReadModel> {
    vec![
        ReadModel {
            table: "claim_sum_journal",
            recompute: "SELECT hcode, account, fund, CAST(fy AS BIGINT) AS k1, CAST(post_date / 100 AS BIGINT) AS k2, CAST(date_serv / 100 AS BIGINT) AS k3, \
         CAST(SUM(debit) AS BIGINT) AS a0, CAST(SUM(credit) AS BIGINT) AS a1, \
         CAST(SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END) AS BIGINT) AS a2, CAST(COUNT(*) AS BIGINT) AS a3 \
         FROM claim_journal GROUP BY hcode, account, fund, fy, post_date / 100, date_serv / 100".into(),
            stored: "SELECT hcode, account, fund, CAST(fy AS BIGINT) AS k1, CAST(post_month AS BIGINT) AS k2, CAST(serv_month AS BIGINT) AS k3, \
     CAST(debit AS BIGINT) AS a0, CAST(credit AS BIGINT) AS a1, CAST(entries AS BIGINT) AS a2, CAST(lines AS BIGINT) AS a3 FROM claim_sum_journal",
            values: 4,
            cols: "hcode, account, fund, fy, post_month, serv_month, debit, credit, entries, lines",
            pick: "hcode, account, fund, k1, k2, k3, a0, a1, a2, a3",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_cycle",
            recompute: "SELECT v.hcode AS hcode, '' AS account, v.fund AS fund, CAST(v.fy AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(v.fund_amount) AS BIGINT) AS a1, \
         CAST(SUM(CASE WHEN cs.batch_no > 0 THEN v.fund_amount ELSE 0 END) AS BIGINT) AS a2, \
         CAST(SUM(CASE WHEN cs.status = 'accepted' THEN cs.expected ELSE 0 END) AS BIGINT) AS a3, \
         CAST(SUM(CASE WHEN cs.status = 'corrective' THEN v.fund_amount ELSE 0 END) AS BIGINT) AS a4, \
         CAST(SUM(CASE WHEN cs.status = 'deny' THEN v.fund_amount ELSE 0 END) AS BIGINT) AS a5, \
         CAST(SUM(COALESCE(cs.received, 0)) AS BIGINT) AS a6, CAST(SUM(COALESCE(cs.written_down, 0)) AS BIGINT) AS a7, \
         CAST(SUM(v.fund_amount - COALESCE(cs.cleared, 0)) AS BIGINT) AS a8, \
         CAST(SUM(CASE WHEN cs.late = 1 THEN 1 ELSE 0 END) AS BIGINT) AS a9 \
         FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey \
         WHERE v.posted = 1 AND v.fund_amount > 0 GROUP BY v.hcode, v.fund, v.fy".into(),
            stored: "SELECT hcode, '' AS account, fund, CAST(fy AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(visits AS BIGINT) AS a0, CAST(receivable AS BIGINT) AS a1, CAST(claimed AS BIGINT) AS a2, CAST(accepted AS BIGINT) AS a3, \
     CAST(corrective AS BIGINT) AS a4, CAST(denied AS BIGINT) AS a5, CAST(received AS BIGINT) AS a6, CAST(written_down AS BIGINT) AS a7, \
     CAST(outstanding AS BIGINT) AS a8, CAST(late AS BIGINT) AS a9 FROM claim_sum_cycle",
            values: 10,
            cols: "hcode, fund, fy, visits, receivable, claimed, accepted, corrective, denied, received, written_down, outstanding, late",
            pick: "hcode, fund, k1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_recognised",
            recompute: "SELECT v.hcode AS hcode, v.receivable AS account, v.fund AS fund, CAST(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END AS BIGINT) AS k1, \
         CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(v.fund_amount) AS BIGINT) AS a1, \
         CAST(SUM(CASE WHEN v.fund_amount - COALESCE(cs.cleared, 0) > 0 THEN 1 ELSE 0 END) AS BIGINT) AS a2, \
         CAST(SUM(CASE WHEN v.fund_amount - COALESCE(cs.cleared, 0) > 0 THEN v.fund_amount - COALESCE(cs.cleared, 0) ELSE 0 END) AS BIGINT) AS a3 \
         FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey \
         WHERE v.posted = 1 GROUP BY v.hcode, v.fund, v.receivable, CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END".into(),
            stored: "SELECT hcode, account, fund, CAST(recognised AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(visits AS BIGINT) AS a0, CAST(amount AS BIGINT) AS a1, CAST(open_visits AS BIGINT) AS a2, CAST(outstanding AS BIGINT) AS a3 FROM claim_sum_recognised",
            values: 4,
            cols: "hcode, account, fund, recognised, visits, amount, open_visits, outstanding",
            pick: "hcode, account, fund, k1, a0, a1, a2, a3",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_rollup",
            recompute: "SELECT hcode, '' AS account, fund, CAST(fy AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(SUM(debit - credit) AS BIGINT) AS a0, \
         CAST(SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END) AS BIGINT) AS a1 \
         FROM claim_journal WHERE account LIKE '1102%' GROUP BY hcode, fund, fy".into(),
            stored: "SELECT hcode, '' AS account, fund, CAST(fy AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(amount AS BIGINT) AS a0, CAST(entries AS BIGINT) AS a1 FROM claim_sum_rollup",
            values: 2,
            cols: "hcode, fund, fy, amount, entries",
            pick: "hcode, fund, k1, a0, a1",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_visits",
            recompute: "SELECT hcode, inscl AS account, subtype AS fund, CAST(fy AS BIGINT) AS k1, CAST(date_serv / 100 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(CASE WHEN permitno <> '' THEN 1 ELSE 0 END) AS BIGINT) AS a1 \
         FROM claim_visits GROUP BY hcode, fy, inscl, subtype, date_serv / 100".into(),
            stored: "SELECT hcode, inscl AS account, subtype AS fund, CAST(fy AS BIGINT) AS k1, CAST(month AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(visits AS BIGINT) AS a0, CAST(with_code AS BIGINT) AS a1 FROM claim_sum_visits",
            values: 2,
            cols: "hcode, fy, inscl, subtype, month, visits, with_code",
            pick: "hcode, k1, account, fund, k2, a0, a1",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_findings",
            recompute: "SELECT f.hcode AS hcode, f.rule AS account, f.severity AS fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(f.amount) AS BIGINT) AS a1, \
         CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule) THEN 1 ELSE 0 END) AS BIGINT) AS a2 \
         FROM claim_findings f GROUP BY f.hcode, f.rule, f.severity".into(),
            stored: "SELECT hcode, rule AS account, severity AS fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(findings AS BIGINT) AS a0, CAST(amount AS BIGINT) AS a1, CAST(accepted AS BIGINT) AS a2 FROM claim_sum_findings",
            values: 3,
            cols: "hcode, rule, severity, findings, amount, accepted",
            pick: "hcode, account, fund, a0, a1, a2",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_batches",
            recompute: "SELECT cs.hcode AS hcode, '' AS account, '' AS fund, CAST(cs.batch_no AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
         CAST(SUM(CASE WHEN cs.status = 'accepted' THEN 1 ELSE 0 END) AS BIGINT) AS a0, \
         CAST(SUM(CASE WHEN cs.status = 'corrective' THEN 1 ELSE 0 END) AS BIGINT) AS a1, \
         CAST(SUM(CASE WHEN cs.status = 'deny' THEN 1 ELSE 0 END) AS BIGINT) AS a2, \
         CAST(SUM(CASE WHEN cs.status = 'accepted' AND cs.stm_status = '' THEN 1 ELSE 0 END) AS BIGINT) AS a3, \
         CAST(SUM(cs.received) AS BIGINT) AS a4 \
         FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey \
         WHERE cs.batch_no > 0 GROUP BY cs.hcode, cs.batch_no".into(),
            stored: "SELECT hcode, '' AS account, '' AS fund, CAST(batch_no AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
     CAST(accepted AS BIGINT) AS a0, CAST(corrective AS BIGINT) AS a1, CAST(denied AS BIGINT) AS a2, CAST(awaiting AS BIGINT) AS a3, \
     CAST(received AS BIGINT) AS a4 FROM claim_sum_batches",
            values: 5,
            cols: "hcode, batch_no, accepted, corrective, denied, awaiting, received",
            pick: "hcode, k1, a0, a1, a2, a3, a4",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_audit",
            recompute: format!(
                "SELECT v.hcode AS hcode, '' AS account, '' AS fund, CAST(v.date_serv / 100 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                 CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(x.amount) AS BIGINT) AS a1, CAST(SUM(x.blocked) AS BIGINT) AS a2 \
                 FROM ({FLAGGED_VISITS} GROUP BY f.hcode, f.vkey) x JOIN claim_visits v ON v.hcode = x.hcode AND v.vkey = x.vkey \
                 GROUP BY v.hcode, v.date_serv / 100"
            ),
            stored: "SELECT hcode, '' AS account, '' AS fund, CAST(month AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                     CAST(flagged AS BIGINT) AS a0, CAST(at_stake AS BIGINT) AS a1, CAST(blocked AS BIGINT) AS a2 FROM claim_sum_audit",
            values: 3,
            cols: "hcode, month, flagged, at_stake, blocked",
            pick: "hcode, k1, a0, a1, a2",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_due",
            recompute: format!(
                "SELECT v.hcode AS hcode, '' AS account, v.fund AS fund, CAST(CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END AS BIGINT) AS k1, \
                 CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM({AT_STAKE_SQL}) AS BIGINT) AS a1 \
                 FROM claim_visits v GROUP BY v.hcode, v.fund, CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END"
            ),
            stored: "SELECT hcode, '' AS account, fund, CAST(recognised AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                     CAST(visits AS BIGINT) AS a0, CAST(at_stake AS BIGINT) AS a1 FROM claim_sum_due",
            values: 2,
            cols: "hcode, fund, recognised, visits, at_stake",
            pick: "hcode, fund, k1, a0, a1",
            text_key: None,
            rewrite: None,
        },
        ReadModel {
            table: "claim_sum_status",
            recompute: "SELECT cs.hcode AS hcode, cs.status AS account, v.fund AS fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                 CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(v.fund_amount - cs.cleared) AS BIGINT) AS a1, cs.work AS work \
                 FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey GROUP BY cs.hcode, v.fund, cs.status, cs.work".into(),
            stored: "SELECT hcode, status AS account, fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                     CAST(visits AS BIGINT) AS a0, CAST(outstanding AS BIGINT) AS a1, work FROM claim_sum_status",
            values: 2,
            cols: "hcode, fund, status, work, visits, outstanding",
            pick: "hcode, fund, account, work, a0, a1",
            text_key: Some("work"),
            rewrite: None,
        },
        ReadModel {
            table: "claim_status.open_amount",
            recompute: "SELECT cs.hcode AS hcode, '' AS account, '' AS fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                 CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(v.fund_amount - cs.cleared) AS BIGINT) AS a1, CAST(0 AS BIGINT) AS a2 \
                 FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey GROUP BY cs.hcode".into(),
            // a2: claims whose stored amount is not their own (a sum alone could hide two).
            stored: "SELECT cs.hcode AS hcode, '' AS account, '' AS fund, CAST(0 AS BIGINT) AS k1, CAST(0 AS BIGINT) AS k2, CAST(0 AS BIGINT) AS k3, \
                     CAST(COUNT(*) AS BIGINT) AS a0, CAST(SUM(cs.open_amount) AS BIGINT) AS a1, \
                     CAST(SUM(CASE WHEN cs.open_amount <> v.fund_amount - cs.cleared THEN 1 ELSE 0 END) AS BIGINT) AS a2 \
                     FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey GROUP BY cs.hcode",
            values: 3,
            cols: "",
            pick: "",
            text_key: None,
            rewrite: Some(
                "UPDATE claim_status SET open_amount = COALESCE((SELECT v.fund_amount FROM claim_visits v \
                 WHERE v.hcode = claim_status.hcode AND v.vkey = claim_status.vkey), 0) - cleared",
            ),
        },
    ]
}

/// (table, key, stored values, recomputed values) for a read-model row that disagrees.
pub type SummaryDiff = (String, String, Vec<i64>, Vec<i64>);

type SumKey = (String, String, String, i64, i64, i64, String);

impl Store {
    async fn sum_rows(
        &self,
        sql: &str,
        n: usize,
        text_key: Option<&str>,
    ) -> Result<BTreeMap<SumKey, Vec<i64>>, StoreError> {
        let rows = Sql::new(sql).query().fetch_all(self.pool()).await?;
        let mut out = BTreeMap::new();
        for r in &rows {
            let key = (
                get_s(r, "hcode")?,
                get_s(r, "account")?,
                get_s(r, "fund")?,
                get_i(r, "k1")?,
                get_i(r, "k2")?,
                get_i(r, "k3")?,
                match text_key {
                    Some(c) => get_s(r, c)?,
                    None => String::new(),
                },
            );
            let vals = (0..n)
                .map(|i| get_i(r, &format!("a{i}")))
                .collect::<Result<Vec<_>, _>>()?;
            if vals.iter().any(|v| *v != 0) {
                out.insert(key, vals);
            }
        }
        Ok(out)
    }

    /// Recomputes every read model from the journal, the visits and their claims, and lists
    /// the rows that differ from what is stored (empty: the read models are right).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn check_summaries(&self) -> Result<Vec<SummaryDiff>, StoreError> {
        let mut diffs = Vec::new();
        for m in read_models() {
            let table = m.table;
            let want = self.sum_rows(&m.recompute, m.values, m.text_key).await?;
            let have = self.sum_rows(m.stored, m.values, m.text_key).await?;
            let keys: BTreeSet<&SumKey> = want.keys().chain(have.keys()).collect();
            for k in keys {
                let (a, b) = (have.get(k), want.get(k));
                if a != b {
                    diffs.push((
                        table.to_string(),
                        format!("{}/{}/{}/{}/{}/{}/{}", k.0, k.1, k.2, k.3, k.4, k.5, k.6),
                        a.cloned().unwrap_or_default(),
                        b.cloned().unwrap_or_default(),
                    ));
                }
            }
        }
        Ok(diffs)
    }

    /// Rewrites every read model from its sources, in one transaction (pages keep reading the
    /// old sums until it commits).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rebuild_summaries(&self) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for m in read_models() {
            if let Some(sql) = m.rewrite {
                Sql::new(sql).query().execute(&mut *tx).await?;
                continue;
            }
            Sql::new(&format!("DELETE FROM {}", m.table))
                .query()
                .execute(&mut *tx)
                .await?;
            Sql::new(&format!(
                "INSERT INTO {} ({}) SELECT {} FROM ({}) r",
                m.table, m.cols, m.pick, m.recompute
            ))
            .query()
            .execute(&mut *tx)
            .await?;
        }
        crate::bump_read_version().query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
