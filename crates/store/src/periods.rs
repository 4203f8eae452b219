//! Closed months of a unit's receivables journal. Closing is done by the unit's head or an
//! admin (one unit, or every unit of the province at once); reopening only by an admin. Both
//! are audit-logged. A close waits for a running import of the unit (PostgreSQL: the import's
//! advisory lock; SQLite: the single writer), so an import never posts into a month closed
//! while it ran. The dating rule itself is `raidai_domain::periods`.

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_s, row_struct};
use crate::{Actor, Engine, Store, StoreError, now_ms};
use chrono::NaiveDate;
use raidai_domain::ids::Hcode;
use raidai_domain::master::Role;
use raidai_domain::periods::{CloseError, check_closable};
use serde::Serialize;

row_struct! {
/// A closed month of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedMonth {
    pub hcode: String,
    /// `yyyymm` (CE).
    pub month: i64,
    pub closed_at: i64,
    pub closed_by: String,
}
}

row_struct! {
/// Journal totals of one month by posting date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthTotals {
    /// `yyyymm` (CE).
    pub month: i64,
    pub lines: i64,
    pub debit: i64,
    pub credit: i64,
    /// Receivables (accounts 1102…) debits minus credits.
    pub receivable_net: i64,
}
}

fn may_close(actor: &Actor, hcode: &str) -> bool {
    match actor.who.role {
        Role::Admin => true,
        Role::UnitHead => actor.who.hcode.as_deref() == Some(hcode),
        _ => false,
    }
}

fn close_error(e: CloseError) -> StoreError {
    match e {
        CloseError::NotAMonth => {
            StoreError::field("month", "not a month (yyyymm)", "เดือนไม่ถูกต้อง (ปปปปดด)")
        }
        CloseError::NotEnded => StoreError::field(
            "month",
            "only a month that has ended can be closed",
            "ปิดงวดได้เฉพาะเดือนที่สิ้นสุดแล้ว",
        ),
    }
}

impl Store {
    /// The closed months of a unit, oldest first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn closed_months(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<ClosedMonth>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT p.hcode, p.month, p.closed_at, p.closed_by FROM claim_periods p JOIN units u ON u.hcode = p.hcode WHERE p.hcode = ",
        );
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY p.month");
        s.all(self.pool(), ClosedMonth::from_row).await
    }

    /// The closed months between two `yyyymm` months (inclusive) of every unit the caller may see.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn closed_months_all(
        &self,
        actor: &Actor,
        from: i64,
        to: i64,
    ) -> Result<Vec<ClosedMonth>, StoreError> {
        let mut s = Sql::new(
            "SELECT p.hcode, p.month, p.closed_at, p.closed_by FROM claim_periods p JOIN units u ON u.hcode = p.hcode WHERE p.month >= ",
        );
        s.int(from).push(" AND p.month <= ").int(to);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY p.hcode, p.month");
        s.all(self.pool(), ClosedMonth::from_row).await
    }

    /// Closes `month` (yyyymm) for the given units (each must be visible and closable by the
    /// caller); months already closed stay as they were. Returns how many units it closed.
    async fn close_units(
        &self,
        actor: &Actor,
        hcodes: &[String],
        month: i64,
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        check_closable(month, today).map_err(close_error)?;
        let mut tx = self.pool().begin().await?;
        let mut closed = 0;
        for hcode in hcodes {
            if self.engine() == Engine::Postgres {
                // Waits for a running import of the unit (it holds this lock to its commit).
                let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
                l.text(format!("raidai-import:{hcode}")).push("))");
                l.query().execute(&mut *tx).await?;
            }
            let mut q = Sql::new("SELECT month FROM claim_periods WHERE hcode = ");
            q.text(hcode.clone()).push(" AND month = ").int(month);
            if q.query().fetch_optional(&mut *tx).await?.is_some() {
                continue;
            }
            let mut s =
                Sql::new("INSERT INTO claim_periods (hcode, month, closed_at, closed_by) VALUES (");
            s.list(binds![
                hcode.clone(),
                month,
                now_ms(),
                actor.who.username.clone()
            ])
            .push(")");
            s.query().execute(&mut *tx).await?;
            Change::new("claim_period", &month.to_string(), "close")
                .unit(hcode)
                .after(serde_json::json!({ "month": month }))
                .record(&mut tx, actor)
                .await?;
            closed += 1;
        }
        tx.commit().await?;
        Ok(closed)
    }

    /// Closes `month` (yyyymm) of one unit: its head or an admin; only a month that has ended.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn close_month(
        &self,
        actor: &Actor,
        unit: Hcode,
        month: i64,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        if !may_close(actor, hcode) {
            return Err(StoreError::Forbidden);
        }
        Ok(self
            .close_units(actor, &[hcode.to_string()], month, today)
            .await?
            > 0)
    }

    /// Closes `month` for every unit (admin): the province closes the month for all at once.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn close_month_all(
        &self,
        actor: &Actor,
        month: i64,
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let mut s = Sql::new("SELECT u.hcode FROM units u WHERE 1 = 1");
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY u.hcode");
        let hcodes = s
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get_s(r, "hcode"))
            .collect::<Result<Vec<_>, _>>()?;
        self.close_units(actor, &hcodes, month, today).await
    }

    /// Reopens a closed month of a unit (admin only, audit-logged). Returns whether it was closed.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn reopen_month(
        &self,
        actor: &Actor,
        unit: Hcode,
        month: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::field(
                "reason",
                "a reason is required to reopen a month",
                "กรุณาระบุเหตุผลการเปิดงวด",
            ));
        }
        let mut tx = self.pool().begin().await?;
        if self.engine() == Engine::Postgres {
            let mut l = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
            l.text(format!("raidai-import:{hcode}")).push("))");
            l.query().execute(&mut *tx).await?;
        }
        let mut d = Sql::new("DELETE FROM claim_periods WHERE hcode = ");
        d.text(hcode).push(" AND month = ").int(month);
        let n = d.query().execute(&mut *tx).await?.rows_affected();
        if n > 0 {
            Change::new("claim_period", &month.to_string(), "reopen")
                .unit(hcode)
                .before(serde_json::json!({ "month": month }))
                .after(serde_json::json!({ "reason": reason }))
                .record(&mut tx, actor)
                .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Journal totals per month by posting date between two `yyyymmdd` dates (inclusive).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn month_totals(
        &self,
        actor: &Actor,
        unit: Hcode,
        from: i64,
        to: i64,
    ) -> Result<Vec<MonthTotals>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT CAST(j.post_month AS BIGINT) AS month, CAST(SUM(j.lines) AS BIGINT) AS lines, CAST(SUM(j.debit) AS BIGINT) AS debit, CAST(SUM(j.credit) AS BIGINT) AS credit, CAST(SUM(CASE WHEN j.account LIKE '1102%' THEN j.debit - j.credit ELSE 0 END) AS BIGINT) AS receivable_net FROM claim_sum_journal j JOIN units u ON u.hcode = j.hcode WHERE j.hcode = ",
        );
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        // Whole months of the read model: the months `from` and `to` fall in.
        s.push(" AND j.post_month >= ")
            .int(from / 100)
            .push(" AND j.post_month <= ")
            .int(to / 100)
            .push(" GROUP BY j.post_month HAVING SUM(j.lines) > 0 ORDER BY month");
        s.all(self.pool(), MonthTotals::from_row).await
    }
}
