//! Financial-governance data: monthly financial positions per unit and period, the trial balances
//! they come from, and the account → ratio-item map (issue: governance workbench).
//!
//! The store keeps inputs only; every score is computed by `raidai_governance` when read, so a
//! corrected criteria set re-scores history without a migration.

mod assessment;
mod parsers;
mod planfin;
mod seven_plus;
mod tps;

pub use assessment::*;
pub use parsers::*;
pub use planfin::*;
pub use seven_plus::*;

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_s, row_struct};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::calendar::FiscalPeriod;
use raidai_domain::ids::Hcode;
use raidai_domain::master::Role;
use raidai_governance::planfin::{Actuals, Plan, PlanCode, PlanLine, PlanRevision};
use raidai_governance::risk_score::{RiskError, risk_score};
use raidai_governance::seven_plus::{Balance, DayMeasure, SevenPlusInput, days_ytd_for_period};
use raidai_governance::tps::{TpsInput, TpsMedians, peer_medians};
use raidai_governance::{CriteriaSet, RiskInput, RiskResult, Satang, parse_satang};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::BTreeMap;

/// The account map shipped with the schema (MoPH chart of accounts).
pub const DEFAULT_ACCOUNT_MAP: &str = "moph";

/// The Risk Score inputs a trial balance is summed into (DOMAIN §5.1 ratio items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum RatioItem {
    CurrentAssets,
    CurrentLiabilities,
    QuickAssets,
    CashAndEquivalents,
    RevenueYtd,
    ExpenseYtd,
}

impl RatioItem {
    pub const ALL: [RatioItem; 6] = [
        RatioItem::CurrentAssets,
        RatioItem::CurrentLiabilities,
        RatioItem::QuickAssets,
        RatioItem::CashAndEquivalents,
        RatioItem::RevenueYtd,
        RatioItem::ExpenseYtd,
    ];

    /// The column name used in the map, the CSV format and the database.
    pub fn code(self) -> &'static str {
        match self {
            RatioItem::CurrentAssets => "current_assets",
            RatioItem::CurrentLiabilities => "current_liabilities",
            RatioItem::QuickAssets => "quick_assets",
            RatioItem::CashAndEquivalents => "cash_and_equivalents",
            RatioItem::RevenueYtd => "revenue_ytd",
            RatioItem::ExpenseYtd => "expense_ytd",
        }
    }

    pub fn parse(s: &str) -> Option<RatioItem> {
        RatioItem::ALL.into_iter().find(|i| i.code() == s)
    }

    /// Liabilities and revenue carry credit balances; assets and expense debit balances.
    fn credit_normal(self) -> bool {
        matches!(self, RatioItem::CurrentLiabilities | RatioItem::RevenueYtd)
    }
}

/// One rule of an account map: accounts starting with `prefix` count towards `item`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountMapRule {
    pub prefix: String,
    pub item: RatioItem,
}

row_struct! {
/// One line of a trial balance (fiscal-YTD balances, satang).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TbLine {
    pub account_code: String,
    pub debit: Satang,
    pub credit: Satang,
}
}

row_struct! {
/// A unit's financial position for one period: the Risk Score inputs and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    #[serde(flatten)]
    pub input: RiskInput,
    /// `trial_balance` or `ratio_items`.
    pub source: String,
    pub updated_at: i64,
}
}

/// The Risk Score inputs of a position row, from the columns of their names.
impl crate::sql::FromCol for RiskInput {
    fn from_col(r: &dyn crate::sql::Cols, _: &str) -> Result<Self, sqlx::Error> {
        let money = |c: &str| Satang::from_col(r, c);
        Ok(RiskInput {
            hcode: r.s("hcode")?,
            period: u32::from_col(r, "period")?,
            current_assets: money("current_assets")?,
            current_liabilities: money("current_liabilities")?,
            quick_assets: money("quick_assets")?,
            cash_and_equivalents: money("cash_and_equivalents")?,
            revenue_ytd: money("revenue_ytd")?,
            expense_ytd: money("expense_ytd")?,
        })
    }
}

impl Position {
    pub fn risk_input(&self) -> RiskInput {
        self.input.clone()
    }

    /// The Risk Score under the criteria in force for the period's fiscal year.
    pub fn score(&self) -> Result<RiskResult, RiskError> {
        let criteria = criteria_for_period(self.input.period);
        risk_score(&self.input, &criteria.risk_score)
    }
}

/// The criteria set in force for a period id (BE year × 100 + fiscal month).
pub fn criteria_for_period(period: u32) -> &'static CriteriaSet {
    let fy = u16::try_from(period / 100).unwrap_or(u16::MAX);
    CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin)
}

const POSITION_COLS: &str = "p.hcode, p.period, p.current_assets, p.current_liabilities, p.quick_assets, p.cash_and_equivalents, p.revenue_ytd, p.expense_ytd, p.source, p.updated_at";

fn position_from_row(r: &AnyRow) -> Result<Position, StoreError> {
    Ok(Position::from_row(r)?)
}

/// Checks a period id: a real fiscal month of a plausible BE year.
pub fn check_period(period: u32) -> Result<FiscalPeriod, FieldError> {
    FiscalPeriod::from_id(period)
        .ok()
        .filter(|p| (2500..=2700).contains(&(p.id() / 100)))
        .ok_or_else(|| {
            FieldError::new(
                "period",
                format!("period must be BE year × 100 + fiscal month (e.g. 256909), got {period}"),
                "งวดต้องอยู่ในรูป ปี พ.ศ. ตามด้วยเดือนงบประมาณ 2 หลัก เช่น 256909",
            )
        })
}

/// The balance of a line on an item's normal side, checked: a sum beyond ±92 quadrillion baht
/// is an error, never a wrapped amount.
fn normal_balance(l: &TbLine, credit_normal: bool) -> Result<i64, StoreError> {
    let b = if credit_normal {
        l.credit.checked_sub(l.debit)
    } else {
        l.debit.checked_sub(l.credit)
    };
    b.map(|b| b.0).ok_or_else(|| overflow(&l.account_code))
}

fn overflow(account: &str) -> StoreError {
    StoreError::field(
        "file",
        format!("the amounts of account {account} add up beyond the largest amount raidai holds"),
        format!("ยอดเงินของบัญชี {account} รวมกันเกินจำนวนสูงสุดที่ระบบรองรับ"),
    )
}

/// Sums a trial balance into the Risk Score inputs with `map`. Returns the inputs and the account
/// codes that no rule matched (shown to the user: they may reveal a wrong map).
pub fn position_from_trial_balance(
    unit: Hcode,
    period: u32,
    lines: &[TbLine],
    map: &[AccountMapRule],
) -> Result<(RiskInput, Vec<String>), StoreError> {
    let hcode = unit.as_str();
    let mut sums: BTreeMap<RatioItem, i64> = BTreeMap::new();
    let mut unmapped = Vec::new();
    for l in lines {
        let mut items: Vec<RatioItem> = map
            .iter()
            .filter(|r| l.account_code.starts_with(&r.prefix))
            .map(|r| r.item)
            .collect();
        items.sort();
        items.dedup();
        if items.is_empty() {
            unmapped.push(l.account_code.clone());
        }
        for item in items {
            let balance = normal_balance(l, item.credit_normal())?;
            let sum = sums.entry(item).or_default();
            *sum = sum
                .checked_add(balance)
                .ok_or_else(|| overflow(&l.account_code))?;
        }
    }
    let get = |i: RatioItem| Satang(sums.get(&i).copied().unwrap_or(0));
    Ok((
        RiskInput {
            hcode: hcode.to_string(),
            period,
            current_assets: get(RatioItem::CurrentAssets),
            current_liabilities: get(RatioItem::CurrentLiabilities),
            quick_assets: get(RatioItem::QuickAssets),
            cash_and_equivalents: get(RatioItem::CashAndEquivalents),
            revenue_ytd: get(RatioItem::RevenueYtd),
            expense_ytd: get(RatioItem::ExpenseYtd),
        },
        unmapped,
    ))
}

pub(crate) fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TbImport {
    pub position: Option<Position>,
    /// Accounts no map rule matched (counted in no item).
    pub unmapped: Vec<String>,
    pub lines: usize,
}

impl Store {
    /// Refuses writes to units outside the caller's tenancy (`NotFound`) and by roles that only
    /// inspect (district officers: `Forbidden`).
    pub(crate) async fn check_unit_writable(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<(), StoreError> {
        self.unit_by_code(actor, hcode).await?;
        if !actor.may_write_governance() {
            return Err(StoreError::Forbidden);
        }
        Ok(())
    }

    /// The rules of an account map, by prefix.
    pub async fn account_map(&self, map_name: &str) -> Result<Vec<AccountMapRule>, StoreError> {
        let mut s = Sql::new("SELECT prefix, item FROM gov_account_map WHERE map_name = ");
        s.text(map_name).push(" ORDER BY prefix, item");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .filter(|r| {
                get_s(r, "item").is_ok_and(|i| !SEVEN_PLUS_ITEMS.iter().any(|(c, _)| *c == i))
            })
            .map(|r| {
                let item = get_s(r, "item")?;
                Ok(AccountMapRule {
                    prefix: get_s(r, "prefix")?,
                    item: RatioItem::parse(&item).ok_or_else(|| {
                        StoreError::Config(format!("unknown ratio item {item} in account map"))
                    })?,
                })
            })
            .collect()
    }

    async fn upsert_position(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        actor: &Actor,
        r: &RiskInput,
        source: &str,
    ) -> Result<(), StoreError> {
        let mut s = Sql::new(
            "INSERT INTO gov_positions (hcode, period, current_assets, current_liabilities, quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd, source, updated_at, updated_by) VALUES (",
        );
        s.list(binds![r.hcode.clone(), i64::from(r.period), r.current_assets.0, r.current_liabilities.0, r.quick_assets.0, r.cash_and_equivalents.0, r.revenue_ytd.0, r.expense_ytd.0, source, now_ms(), actor.who.username.clone()])
            .push(
                ") ON CONFLICT (hcode, period) DO UPDATE SET current_assets = excluded.current_assets, current_liabilities = excluded.current_liabilities, quick_assets = excluded.quick_assets, cash_and_equivalents = excluded.cash_and_equivalents, revenue_ytd = excluded.revenue_ytd, expense_ytd = excluded.expense_ytd, source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut **tx).await?;
        Change::new(
            "gov_position",
            &format!("{}/{}", r.hcode, r.period),
            "import",
        )
        .unit(&r.hcode)
        .after_opt(json(r))
        .record(tx, actor)
        .await?;
        Ok(())
    }

    /// Imports ratio items for any units the caller may write, all or nothing. `first_line` is
    /// the file line of `rows[0]`, for error messages.
    pub async fn import_positions(
        &self,
        actor: &Actor,
        rows: &[RiskInput],
        first_line: usize,
    ) -> Result<usize, StoreError> {
        let mut errs = Vec::new();
        let mut checked: BTreeMap<String, bool> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            let line = first_line + i;
            if !checked.contains_key(&r.hcode) {
                let ok = match self.check_unit_writable(actor, &r.hcode).await {
                    Ok(()) => true,
                    Err(StoreError::NotFound) => false,
                    Err(e) => return Err(e),
                };
                checked.insert(r.hcode.clone(), ok);
            }
            if !checked[&r.hcode] {
                errs.push(
                    FieldError::new(
                        "hcode",
                        format!("unit {:?} is not one you may enter data for", r.hcode),
                        format!("ไม่มีหน่วยบริการ {} ในขอบเขตที่ท่านบันทึกได้", r.hcode),
                    )
                    .at_line(line),
                );
            }
            if let Err(e) = check_period(r.period) {
                errs.push(e.at_line(line));
            }
            if !seen.insert((r.hcode.clone(), r.period)) {
                errs.push(
                    FieldError::new(
                        "period",
                        format!("unit {} period {} appears twice", r.hcode, r.period),
                        format!("หน่วยบริการ {} งวด {} ซ้ำกัน", r.hcode, r.period),
                    )
                    .at_line(line),
                );
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let mut tx = self.pool().begin().await?;
        for r in rows {
            self.upsert_position(&mut tx, actor, r, "ratio_items")
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Stores a unit's trial balance for a period (replacing an earlier one) and the position
    /// summed from it with the default account map.
    pub async fn import_trial_balance(
        &self,
        actor: &Actor,
        unit: Hcode,
        period: u32,
        lines: &[TbLine],
    ) -> Result<TbImport, StoreError> {
        let hcode = unit.as_str();
        self.check_unit_writable(actor, hcode).await?;
        check_period(period).map_err(|e| StoreError::Invalid(vec![e]))?;
        let map = self.account_map(DEFAULT_ACCOUNT_MAP).await?;
        let (input, unmapped) = position_from_trial_balance(unit, period, lines, &map)?;
        let mut tx = self.pool().begin().await?;
        let mut del = Sql::new("DELETE FROM gov_trial_balances WHERE hcode = ");
        del.text(hcode)
            .push(" AND period = ")
            .int(i64::from(period));
        del.query().execute(&mut *tx).await?;
        for l in lines {
            let mut s = Sql::new(
                "INSERT INTO gov_trial_balances (hcode, period, account_code, debit, credit) VALUES (",
            );
            s.list(binds![
                hcode,
                i64::from(period),
                l.account_code.clone(),
                l.debit.0,
                l.credit.0
            ])
            .push(")");
            s.query().execute(&mut *tx).await?;
        }
        self.upsert_position(&mut tx, actor, &input, "trial_balance")
            .await?;
        let rules = self.seven_plus_map(DEFAULT_ACCOUNT_MAP).await?;
        let items = seven_plus_items_from_trial_balance(lines, &rules)?;
        write_ratio_items(&mut tx, actor, hcode, period, &items).await?;
        tx.commit().await?;
        let position = self
            .list_positions(actor, unit)
            .await?
            .into_iter()
            .find(|p| p.input.period == period);
        Ok(TbImport {
            position,
            unmapped,
            lines: lines.len(),
        })
    }

    /// A unit's trial balance for a period, by account.
    pub async fn trial_balance(
        &self,
        actor: &Actor,
        unit: Hcode,
        period: u32,
    ) -> Result<Vec<TbLine>, StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new(
            "SELECT t.account_code, t.debit, t.credit FROM gov_trial_balances t JOIN units u ON u.hcode = t.hcode WHERE t.hcode = ",
        );
        s.text(hcode)
            .push(" AND t.period = ")
            .int(i64::from(period));
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY t.account_code");
        s.all(self.pool(), TbLine::from_row).await
    }

    /// A visible unit's positions, oldest first; `NotFound` for a unit outside the tenancy.
    pub async fn list_positions(
        &self,
        actor: &Actor,
        unit: Hcode,
    ) -> Result<Vec<Position>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {POSITION_COLS} FROM gov_positions p JOIN units u ON u.hcode = p.hcode WHERE p.hcode = "
        ));
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY p.period");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(position_from_row).collect()
    }

    /// Positions of every unit the caller may see with `from <= period <= to`, by unit and period.
    pub async fn positions_in_scope(
        &self,
        actor: &Actor,
        from: u32,
        to: u32,
    ) -> Result<Vec<Position>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {POSITION_COLS} FROM gov_positions p JOIN units u ON u.hcode = p.hcode WHERE p.period >= "
        ));
        s.int(i64::from(from))
            .push(" AND p.period <= ")
            .int(i64::from(to));
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY p.hcode, p.period");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(position_from_row).collect()
    }

    /// Fiscal years (BE) with any position the caller may see, newest first.
    pub async fn position_years(&self, actor: &Actor) -> Result<Vec<u16>, StoreError> {
        let mut s = Sql::new(
            "SELECT DISTINCT CAST(p.period / 100 AS BIGINT) AS fy FROM gov_positions p JOIN units u ON u.hcode = p.hcode WHERE 1 = 1",
        );
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY fy DESC");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok(u16::try_from(get_i(r, "fy")?).unwrap_or_default()))
            .collect()
    }
}
