//! A unit's findings: the worklist page, a visit's findings, counts per rule, acceptances.

use super::*;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

impl Store {
    /// The worklist: findings of a unit, blocking ones first, then by amount, a page at a time;
    /// with the visits and amounts the filters match. Stored findings and LATE01's late visits
    /// are read in that order from their own indexes and merged (a page reads a page of each);
    /// the unfiltered totals come from the read models.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_findings(
        &self,
        actor: &Actor,
        q: &FindingQuery,
    ) -> Result<FindingPage, StoreError> {
        self.unit_by_code(actor, &q.hcode).await?;
        let province = self.province_of(actor, Some(&q.hcode)).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| !l.cutoffs.is_empty())
            .filter(|_| q.rule.as_deref().is_none_or(|r| r == "LATE01"))
            .filter(|l| q.severity.as_deref().is_none_or(|s| s == l.severity));
        let stored = q.rule.as_deref() != Some("LATE01");
        let limit = if q.limit <= 0 {
            100
        } else {
            q.limit.min(100_000)
        };
        let offset = q.offset.max(0);
        let unfiltered =
            q.fund.is_none() && q.month.is_none() && q.min_amount.is_none() && !q.include_accepted;
        let mut totals = FindingTotals::default();
        let mut items: Vec<FindingItem> = Vec::new();
        let cols = "v.vkey, v.setting, v.hn, v.seq, v.an, v.date_serv, v.fund, v.inscl, v.cid, v.patient_name, ac.reason, ac.accepted_by, ac.accepted_at";
        if stored {
            if unfiltered && q.rule.is_none() && q.severity.is_none() {
                let mut t = Sql::new(
                    "SELECT CAST(COALESCE(SUM(a.flagged), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(a.at_stake), 0) AS BIGINT) AS amount FROM claim_sum_audit a JOIN units u ON u.hcode = a.hcode WHERE a.hcode = ",
                );
                t.text(q.hcode.clone());
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.visits, totals.amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            } else {
                let mut t = Sql::new(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(x.amount), 0) AS BIGINT) AS amount FROM (SELECT f.vkey, MAX(f.amount) AS amount FROM claim_findings f JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode WHERE f.hcode = ",
                );
                t.text(q.hcode.clone());
                actor.push_unit_scope(&mut t, "u");
                Self::push_finding_filters(&mut t, q);
                t.push(" GROUP BY f.vkey) x");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.visits, totals.amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            }
            let mut s = Sql::new(&format!(
                "SELECT f.rule, f.severity, f.amount, {cols} FROM claim_findings f JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode LEFT JOIN claim_finding_accepts ac ON ac.hcode = f.hcode AND ac.vkey = f.vkey AND ac.rule = f.rule WHERE f.hcode = "
            ));
            s.text(q.hcode.clone());
            actor.push_unit_scope(&mut s, "u");
            Self::push_finding_filters(&mut s, q);
            // The order of claim_findings_order: what blocks a claim first, then the largest
            // amount at stake.
            s.push(" ORDER BY CASE WHEN f.severity = 'block' THEN 0 ELSE 1 END, f.amount DESC, f.vkey, f.rule LIMIT ")
                .int(offset + limit + 1);
            // Row by row into items (an export reads 100,000 of them; whole result sets of
            // database rows took the server past 1 GB).
            let mut rows = s.query().fetch(self.pool());
            while let Some(r) = rows.try_next().await? {
                items.push(item(&r)?);
            }
        }
        if let Some(l) = &late {
            if unfiltered {
                let mut t = Sql::new(
                    "SELECT CAST(COALESCE(SUM(d.visits), 0) AS BIGINT) AS n, CAST(COALESCE(SUM(d.at_stake), 0) AS BIGINT) AS amount FROM claim_sum_due d JOIN units u ON u.hcode = d.hcode WHERE d.hcode = ",
                );
                t.text(q.hcode.clone());
                push_late_days(&mut t, l, "d.fund", "d.recognised");
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                // Driven by the (few) acceptances: each looks its visit up by key.
                let mut a = Sql::new(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM((SELECT {AT_STAKE} FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey)), 0) AS BIGINT) AS amount FROM claim_finding_accepts ac WHERE ac.rule = 'LATE01' AND ac.hcode = "
                ));
                a.text(q.hcode.clone())
                    .push(" AND EXISTS (SELECT 1 FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey");
                push_late_predicate(&mut a, l);
                a.push(")");
                let acc = a.query().fetch_one(self.pool()).await?;
                totals.late_visits = get_i(&r, "n")? - get_i(&acc, "n")?;
                totals.late_amount = get_i(&r, "amount")? - get_i(&acc, "amount")?;
            } else {
                let mut t = Sql::new(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM({AT_STAKE}), 0) AS BIGINT) AS amount FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = "
                ));
                t.text(q.hcode.clone());
                push_late_predicate(&mut t, l);
                Self::push_finding_visit_filters(&mut t, q, AT_STAKE);
                if !q.include_accepted {
                    t.push(" AND ").push(LATE_NOT_ACCEPTED);
                }
                actor.push_unit_scope(&mut t, "u");
                let r = t.query().fetch_one(self.pool()).await?;
                (totals.late_visits, totals.late_amount) = (get_i(&r, "n")?, get_i(&r, "amount")?);
            }
            // Fund by fund, each read by amount from claim_visits_due.
            for (fund, before) in &l.cutoffs {
                if q.fund.as_ref().is_some_and(|f| f != fund) {
                    continue;
                }
                let mut s = Sql::new("SELECT 'LATE01' AS rule, ");
                s.text(l.severity.clone()).push(&format!(
                    " AS severity, {AT_STAKE} AS amount, {cols} FROM claim_visits v LEFT JOIN claim_finding_accepts ac ON ac.hcode = v.hcode AND ac.vkey = v.vkey AND ac.rule = 'LATE01' WHERE (v.hcode || '/' || v.fund) = "
                ));
                s.text(format!("{}/{fund}", q.hcode))
                    .push(" AND (CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END) BETWEEN 1 AND ")
                    .int(before - 1);
                Self::push_finding_visit_filters(&mut s, q, AT_STAKE);
                if !q.include_accepted {
                    s.push(" AND ac.hcode IS NULL");
                }
                // No join to the caller's units here (get_unit checked the unit above): from
                // `u.hcode = ?` SQLite derives `v.hcode = ?` and sorts the unit's late visits
                // read by date instead of walking claim_visits_due (0.66 s against 3 ms).
                s.push(&format!(" ORDER BY {AT_STAKE} DESC, v.vkey LIMIT "))
                    .int(offset + limit + 1);
                let mut rows = s.query().fetch(self.pool());
                while let Some(r) = rows.try_next().await? {
                    items.push(item(&r)?);
                }
            }
        }
        items.sort_by(|a, b| {
            (a.severity != "block", -a.amount, &a.vkey, &a.rule).cmp(&(
                b.severity != "block",
                -b.amount,
                &b.vkey,
                &b.rule,
            ))
        });
        let more = items.len() as i64 > offset + limit;
        let items = items
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok(FindingPage {
            items,
            totals,
            more,
        })
    }

    /// The findings of one visit (accepted ones included).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn visit_findings(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkey: &str,
    ) -> Result<Vec<FindingItem>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut s = Sql::new(
            "SELECT f.vkey, f.rule, f.severity, f.amount, v.setting, v.hn, v.seq, v.an, v.date_serv, v.fund, v.inscl, v.cid, v.patient_name, ac.reason, ac.accepted_by, ac.accepted_at FROM ",
        );
        push_findings_table(&mut s, Some(hcode), Some(vkey), &late);
        s.push(" JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode LEFT JOIN claim_finding_accepts ac ON ac.hcode = f.hcode AND ac.vkey = f.vkey AND ac.rule = f.rule WHERE f.hcode = ");
        s.text(hcode).push(" AND f.vkey = ").text(vkey);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY f.severity, f.rule");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(item).collect()
    }

    /// Findings per rule over the units the caller may see (`hcode` narrows to one unit): the
    /// stored findings from their read model, LATE01 (evaluated against today) from the visits'
    /// recognition-date index.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn rule_counts(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
    ) -> Result<Vec<RuleCount>, StoreError> {
        if let Some(h) = hcode {
            self.unit_by_code(actor, h).await?;
        }
        let province = self.province_of(actor, hcode).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| !l.cutoffs.is_empty());
        let mut s = Sql::new(
            "SELECT f.rule, CAST(SUM(f.findings) AS BIGINT) AS visits, CAST(SUM(f.amount) AS BIGINT) AS amount, CAST(SUM(f.accepted) AS BIGINT) AS accepted FROM claim_sum_findings f JOIN units u ON u.hcode = f.hcode WHERE f.findings <> 0",
        );
        if let Some(h) = hcode {
            s.push(" AND f.hcode = ").text(h);
        }
        if late.is_some() {
            s.push(" AND f.rule <> 'LATE01'");
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY f.rule");
        let mut rows = s.query().fetch_all(self.pool()).await?;
        if let Some(l) = &late {
            // LATE01 from the visits' sums by recognition day, less the late ones accepted.
            let mut q = Sql::new(
                "SELECT 'LATE01' AS rule, CAST(COALESCE(SUM(d.visits), 0) AS BIGINT) AS visits, CAST(COALESCE(SUM(d.at_stake), 0) AS BIGINT) AS amount, CAST(0 AS BIGINT) AS accepted FROM claim_sum_due d JOIN units u ON u.hcode = d.hcode WHERE 1 = 1",
            );
            // Driven by the (few) acceptances: each looks its visit up by key.
            let mut a = Sql::new(
                "SELECT 'LATE01' AS rule, CAST(0 AS BIGINT) AS visits, CAST(0 AS BIGINT) AS amount, CAST(COUNT(*) AS BIGINT) AS accepted FROM claim_finding_accepts ac JOIN units u ON u.hcode = ac.hcode WHERE ac.rule = 'LATE01'",
            );
            if let Some(h) = hcode {
                q.push(" AND d.hcode = ").text(h);
                a.push(" AND ac.hcode = ").text(h);
            }
            push_late_days(&mut q, l, "d.fund", "d.recognised");
            a.push(" AND EXISTS (SELECT 1 FROM claim_visits v WHERE v.hcode = ac.hcode AND v.vkey = ac.vkey");
            push_late_predicate(&mut a, l);
            a.push(")");
            actor.push_unit_scope(&mut q, "u");
            actor.push_unit_scope(&mut a, "u");
            let (n, acc) = (
                q.query().fetch_one(self.pool()).await?,
                a.query().fetch_one(self.pool()).await?,
            );
            rows.push(n);
            rows.push(acc);
        }
        let mut out: Vec<RuleCount> = rows
            .iter()
            .map(|r| RuleCount::from_row(r))
            .collect::<Result<_, _>>()?;
        out.sort_by(|a, b| a.rule.cmp(&b.rule));
        // LATE01's count and its acceptances come as two rows.
        out.dedup_by(|b, a| {
            let same = a.rule == b.rule;
            if same {
                a.visits += b.visits;
                a.amount += b.amount;
                a.accepted += b.accepted;
            }
            same
        });
        out.retain(|r| r.visits != 0);
        Ok(out)
    }

    /// Findings per rule of one unit for visits served between two `yyyymmdd` dates.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn rule_counts_between(
        &self,
        actor: &Actor,
        unit: Hcode,
        from: i64,
        to: i64,
    ) -> Result<Vec<RuleCount>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut s = Sql::new(
            "SELECT f.rule, CAST(COUNT(*) AS BIGINT) AS visits, CAST(SUM(f.amount) AS BIGINT) AS amount, CAST(SUM(CASE WHEN ",
        );
        s.push(NOT_ACCEPTED)
            .push(" THEN 0 ELSE 1 END) AS BIGINT) AS accepted FROM ");
        push_findings_table(&mut s, Some(hcode), None, &late);
        s.push(" JOIN claim_visits v ON v.hcode = f.hcode AND v.vkey = f.vkey JOIN units u ON u.hcode = f.hcode WHERE f.hcode = ");
        s.text(hcode)
            .push(" AND v.date_serv >= ")
            .int(from)
            .push(" AND v.date_serv <= ")
            .int(to);
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY f.rule ORDER BY f.rule");
        s.all(self.pool(), RuleCount::from_row).await
    }

    /// Marks a finding accepted (the unit's staff or an admin), with a reason; audit-logged.
    /// A re-audit keeps the acceptance while the finding stands.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn accept_finding(
        &self,
        actor: &Actor,
        unit: Hcode,
        vkey: &str,
        rule: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.unit_for_import(actor, unit).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::field(
                "reason",
                "a reason is required",
                "กรุณาระบุเหตุผล",
            ));
        }
        let province = self.province_of(actor, Some(hcode)).await?;
        let late = self.late_rule(province.as_deref()).await?;
        let mut q = Sql::new("SELECT f.rule, f.severity FROM ");
        push_findings_table(&mut q, Some(hcode), Some(vkey), &late);
        q.push(" WHERE f.rule = ").text(rule);
        let Some(found) = q.query().fetch_optional(self.pool()).await? else {
            return Err(StoreError::NotFound);
        };
        let severity = get_s(&found, "severity")?;
        use crate::claims::sums::{audit_share_sql, move_audit_share};
        let mut tx = self.pool().begin().await?;
        // The read models move by this visit's difference (a unit-wide recount took seconds
        // per click at a hospital's year).
        let share = audit_share_sql(self.engine(), hcode, vkey);
        let before = share.query().fetch_optional(&mut *tx).await?;
        let mut d = Sql::new("DELETE FROM claim_finding_accepts WHERE hcode = ");
        d.text(hcode)
            .push(" AND vkey = ")
            .text(vkey)
            .push(" AND rule = ")
            .text(rule);
        let replaced = d.query().execute(&mut *tx).await?.rows_affected() > 0;
        let mut s = Sql::new(
            "INSERT INTO claim_finding_accepts (hcode, vkey, rule, reason, accepted_by, accepted_at) VALUES (",
        );
        s.list(binds![
            hcode,
            vkey,
            rule,
            reason,
            actor.who.username.clone(),
            now_ms()
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        Change::new("claim_finding", &format!("{vkey}/{rule}"), "accept")
            .unit(hcode)
            .after(serde_json::json!({ "reason": reason }))
            .record(&mut tx, actor)
            .await?;
        if !replaced && rule != "LATE01" {
            let mut u =
                Sql::new("UPDATE claim_sum_findings SET accepted = accepted + 1 WHERE hcode = ");
            u.text(hcode)
                .push(" AND rule = ")
                .text(rule)
                .push(" AND severity = ")
                .text(severity);
            u.query().execute(&mut *tx).await?;
        }
        move_audit_share(&mut tx, self.engine(), hcode, &share, before).await?;
        crate::bump_read_version().query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
