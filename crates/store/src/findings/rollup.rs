//! The province's view: clean-visit rate and Authen coverage per unit and month.

use super::*;
use raidai_domain::ids::Hcode;

impl Store {
    /// Clean visits and Authen coverage per unit and service month between two `yyyymmdd`
    /// dates, over the units the caller may see.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn audit_rollup(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<UnitMonthAudit>, StoreError> {
        let province = self.province_of(actor, None).await?;
        let late = self
            .late_rule(province.as_deref())
            .await?
            .filter(|l| l.severity == "block" && !l.cutoffs.is_empty());
        let whole_months = from % 100 == 1
            && raidai_domain::periods::date_of(to)
                .is_some_and(|d| d.succ_opt().is_some_and(|n| n.day0() == 0));
        if late.is_none() && whole_months {
            return self
                .audit_rollup_sums(actor, hcode, from / 100, to / 100)
                .await;
        }
        // A blocking LATE01 or part of a month: from the visits themselves.
        let mut s = Sql::new(&format!(
            "SELECT v.hcode, u.name_th AS unit_name, u.district_code, CAST(v.date_serv / 100 AS BIGINT) AS month, CAST(COUNT(*) AS BIGINT) AS visits, CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM claim_findings f WHERE f.hcode = v.hcode AND f.vkey = v.vkey AND f.severity = 'block' AND {NOT_ACCEPTED})"
        ));
        if let Some(l) = &late {
            // LATE01 made blocking by the province: a late visit not accepted is not clean.
            s.push(" OR (NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = v.hcode AND a.vkey = v.vkey AND a.rule = 'LATE01') AND 1 = 1");
            push_late_predicate(&mut s, l);
            s.push(")");
        }
        s.push(" THEN 0 ELSE 1 END) AS BIGINT) AS clean, CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN 1 ELSE 0 END) AS BIGINT) AS authen_needed, CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') AND v.permitno <> '' THEN 1 ELSE 0 END) AS BIGINT) AS authen_has FROM claim_visits v JOIN units u ON u.hcode = v.hcode WHERE v.date_serv >= ");
        s.int(from).push(" AND v.date_serv <= ").int(to);
        match hcode {
            Some(h) => {
                s.push(" AND v.hcode = ").text(h);
            }
            // Unit by unit on the (hcode, date_serv) index, not the whole table.
            None => {
                s.push(" AND v.hcode IN (SELECT hcode FROM units)");
            }
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.hcode, u.name_th, u.district_code, CAST(v.date_serv / 100 AS BIGINT) ORDER BY u.district_code, v.hcode, month");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(UnitMonthAudit::from_row(r)?))
            .collect()
    }

    /// `audit_rollup` over whole service months, from the read models: visits and Authen
    /// coverage from `claim_sum_visits`, visits blocked from `claim_sum_audit`.
    async fn audit_rollup_sums(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        from_month: i64,
        to_month: i64,
    ) -> Result<Vec<UnitMonthAudit>, StoreError> {
        let mut s = Sql::new(
            "SELECT v.hcode, u.name_th AS unit_name, u.district_code, CAST(v.month AS BIGINT) AS month, CAST(SUM(v.visits) AS BIGINT) AS visits, \
             CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN v.visits ELSE 0 END) AS BIGINT) AS authen_needed, \
             CAST(SUM(CASE WHEN v.inscl IN ('UCS', 'WEL') THEN v.with_code ELSE 0 END) AS BIGINT) AS authen_has \
             FROM claim_sum_visits v JOIN units u ON u.hcode = v.hcode WHERE v.month >= ",
        );
        s.int(from_month).push(" AND v.month <= ").int(to_month);
        let mut b = Sql::new(
            "SELECT a.hcode, CAST(a.month AS BIGINT) AS month, CAST(a.blocked AS BIGINT) AS blocked FROM claim_sum_audit a JOIN units u ON u.hcode = a.hcode WHERE a.blocked <> 0 AND a.month >= ",
        );
        b.int(from_month).push(" AND a.month <= ").int(to_month);
        if let Some(h) = hcode {
            s.push(" AND v.hcode = ").text(h);
            b.push(" AND a.hcode = ").text(h);
        }
        actor.push_unit_scope(&mut s, "u");
        actor.push_unit_scope(&mut b, "u");
        s.push(" GROUP BY v.hcode, u.name_th, u.district_code, v.month HAVING SUM(v.visits) > 0 ORDER BY u.district_code, v.hcode, month");
        let mut blocked: HashMap<(String, i64), i64> = HashMap::new();
        for r in b.query().fetch_all(self.pool()).await? {
            blocked.insert(
                (get_s(&r, "hcode")?, get_i(&r, "month")?),
                get_i(&r, "blocked")?,
            );
        }
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let (h, month, visits) =
                    (get_s(r, "hcode")?, get_i(r, "month")?, get_i(r, "visits")?);
                let blocked = blocked.get(&(h.clone(), month)).copied().unwrap_or(0);
                Ok(UnitMonthAudit {
                    unit_name: get_s(r, "unit_name")?,
                    district_code: get_s(r, "district_code")?,
                    month,
                    visits,
                    clean: visits - blocked,
                    authen_needed: get_i(r, "authen_needed")?,
                    authen_has: get_i(r, "authen_has")?,
                    hcode: h,
                })
            })
            .collect()
    }

    /// Authen coverage of one unit by right, sub-right and service month.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn authen_coverage(
        &self,
        actor: &Actor,
        unit: Hcode,
        from: i64,
        to: i64,
    ) -> Result<Vec<AuthenCoverage>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        // The read model, by whole service months (`from` and `to` name the first and last).
        let mut s = Sql::new(
            "SELECT v.inscl, v.subtype, CAST(v.month AS BIGINT) AS month, CAST(SUM(v.visits) AS BIGINT) AS visits, CAST(SUM(v.with_code) AS BIGINT) AS with_code FROM claim_sum_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = ",
        );
        s.text(hcode)
            .push(" AND v.inscl IN ('UCS', 'WEL') AND v.month >= ")
            .int(from / 100)
            .push(" AND v.month <= ")
            .int(to / 100);
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY v.inscl, v.subtype, v.month HAVING SUM(v.visits) > 0 ORDER BY v.inscl, v.subtype, month");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(AuthenCoverage::from_row(r)?))
            .collect()
    }
}
