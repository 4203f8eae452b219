//! Financial-governance data: monthly financial positions per unit and period, the trial balances
//! they come from, and the account → ratio-item map (issue: governance workbench).
//!
//! The store keeps inputs only; every score is computed by `raidai_governance` when read, so a
//! corrected criteria set re-scores history without a migration.

use crate::audit::{Change, record};
use crate::sql::{Sql, get_i, get_s};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::calendar::FiscalPeriod;
use raidai_domain::master::Role;
use raidai_governance::planfin::{Actuals, Plan, PlanCode, PlanLine, PlanRevision};
use raidai_governance::risk_score::{RiskError, risk_score};
use raidai_governance::seven_plus::{Balance, SevenPlusInput, days_ytd_for_period};
use raidai_governance::tps::{TpsInput, TpsMedians, peer_medians};
use raidai_governance::{CriteriaSet, RiskInput, RiskResult, parse_satang};
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

/// One line of a trial balance (fiscal-YTD balances, satang).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TbLine {
    pub account_code: String,
    pub debit: i64,
    pub credit: i64,
}

/// A unit's financial position for one period: the Risk Score inputs and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub hcode: String,
    pub period: u32,
    pub current_assets: i64,
    pub current_liabilities: i64,
    pub quick_assets: i64,
    pub cash_and_equivalents: i64,
    pub revenue_ytd: i64,
    pub expense_ytd: i64,
    /// `trial_balance` or `ratio_items`.
    pub source: String,
    pub updated_at: i64,
}

impl Position {
    pub fn risk_input(&self) -> RiskInput {
        RiskInput {
            hcode: self.hcode.clone(),
            period: self.period,
            current_assets: self.current_assets,
            current_liabilities: self.current_liabilities,
            quick_assets: self.quick_assets,
            cash_and_equivalents: self.cash_and_equivalents,
            revenue_ytd: self.revenue_ytd,
            expense_ytd: self.expense_ytd,
        }
    }

    /// The Risk Score under the criteria in force for the period's fiscal year.
    pub fn score(&self) -> Result<RiskResult, RiskError> {
        let criteria = criteria_for_period(self.period);
        risk_score(&self.risk_input(), &criteria.risk_score)
    }
}

/// The criteria set in force for a period id (BE year × 100 + fiscal month).
pub fn criteria_for_period(period: u32) -> &'static CriteriaSet {
    let fy = u16::try_from(period / 100).unwrap_or(u16::MAX);
    CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin)
}

const POSITION_COLS: &str = "p.hcode, p.period, p.current_assets, p.current_liabilities, p.quick_assets, p.cash_and_equivalents, p.revenue_ytd, p.expense_ytd, p.source, p.updated_at";

fn position_from_row(r: &AnyRow) -> Result<Position, StoreError> {
    Ok(Position {
        hcode: get_s(r, "hcode")?,
        period: u32::try_from(get_i(r, "period")?)
            .map_err(|_| StoreError::Config("negative period in database".into()))?,
        current_assets: get_i(r, "current_assets")?,
        current_liabilities: get_i(r, "current_liabilities")?,
        quick_assets: get_i(r, "quick_assets")?,
        cash_and_equivalents: get_i(r, "cash_and_equivalents")?,
        revenue_ytd: get_i(r, "revenue_ytd")?,
        expense_ytd: get_i(r, "expense_ytd")?,
        source: get_s(r, "source")?,
        updated_at: get_i(r, "updated_at")?,
    })
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
    b.ok_or_else(|| overflow(&l.account_code))
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
    hcode: &str,
    period: u32,
    lines: &[TbLine],
    map: &[AccountMapRule],
) -> Result<(RiskInput, Vec<String>), StoreError> {
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
    let get = |i: RatioItem| sums.get(&i).copied().unwrap_or(0);
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

fn utf8(data: &[u8]) -> Result<&str, StoreError> {
    std::str::from_utf8(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)).map_err(|_| {
        StoreError::field(
            "file",
            "the file is not UTF-8 text (save it as CSV UTF-8)",
            "ไฟล์ไม่ใช่ข้อความ UTF-8 (ให้บันทึกเป็น CSV UTF-8)",
        )
    })
}

/// A CSV upload (UTF-8, BOM allowed) with a header line, read by column name.
pub(crate) struct CsvIn<'a> {
    pub(crate) rdr: csv::Reader<&'a [u8]>,
    headers: Vec<String>,
}

impl<'a> CsvIn<'a> {
    pub(crate) fn open(data: &'a [u8]) -> Result<Self, StoreError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(utf8(data)?.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| {
                StoreError::field(
                    "file",
                    format!("cannot read the header: {e}"),
                    "อ่านหัวตารางไม่ได้",
                )
            })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        Ok(CsvIn { rdr, headers })
    }

    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    pub(crate) fn require(&self, names: &[&str]) -> Result<(), StoreError> {
        let missing: Vec<FieldError> = names
            .iter()
            .filter(|c| self.col(c).is_none())
            .map(|c| {
                FieldError::new(
                    c,
                    format!("column {c} is missing from the header"),
                    format!("ไม่พบคอลัมน์ {c} ในหัวตาราง"),
                )
                .at_line(1)
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(missing))
        }
    }
}

fn money(
    rec: &csv::StringRecord,
    idx: Option<usize>,
    field: &str,
    line: usize,
    required: bool,
) -> Result<i64, FieldError> {
    let v = idx.and_then(|i| rec.get(i)).unwrap_or("").trim();
    if v.is_empty() && !required {
        return Ok(0);
    }
    parse_satang(v).map_err(|e| {
        FieldError::new(
            field,
            format!("{field} must be an amount in baht (e.g. 1234.56), got {v:?}: {e}"),
            format!("{field} ต้องเป็นจำนวนเงินบาท เช่น 1234.56"),
        )
        .at_line(line)
    })
}

/// Reads ratio items in the CLI format: `hcode, period, current_assets, current_liabilities,
/// quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd` (baht; other columns ignored).
/// Nothing is returned unless every line parses.
pub fn parse_positions_csv(data: &[u8]) -> Result<Vec<RiskInput>, StoreError> {
    let mut c = CsvIn::open(data)?;
    let mut required = vec!["hcode", "period"];
    required.extend(RatioItem::ALL.iter().map(|i| i.code()));
    c.require(&required)?;
    let idx: Vec<Option<usize>> = RatioItem::ALL.iter().map(|i| c.col(i.code())).collect();
    let (hi, pi) = (c.col("hcode"), c.col("period"));
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (n, rec) in c.rdr.records().enumerate() {
        let line = n + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(
                    FieldError::new("file", format!("unreadable row: {e}"), "อ่านแถวนี้ไม่ได้")
                        .at_line(line),
                );
                continue;
            }
        };
        let text = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let hcode = text(hi).to_string();
        let period_text = text(pi);
        let period = match period_text
            .parse::<u32>()
            .map_err(|_| ())
            .and_then(|p| check_period(p).map(|_| p).map_err(|_| ()))
        {
            Ok(p) => Some(p),
            Err(()) => {
                errs.push(
                    FieldError::new(
                        "period",
                        format!("period must be like 256909, got {period_text:?}"),
                        "งวดต้องอยู่ในรูป 256909 (ปี พ.ศ. + เดือนงบประมาณ)",
                    )
                    .at_line(line),
                );
                None
            }
        };
        let mut vals = [0i64; 6];
        let mut ok = period.is_some();
        for (k, item) in RatioItem::ALL.iter().enumerate() {
            match money(&rec, idx[k], item.code(), line, true) {
                Ok(v) => vals[k] = v,
                Err(e) => {
                    errs.push(e);
                    ok = false;
                }
            }
        }
        if ok {
            out.push(RiskInput {
                hcode,
                period: period.unwrap_or_default(),
                current_assets: vals[0],
                current_liabilities: vals[1],
                quick_assets: vals[2],
                cash_and_equivalents: vals[3],
                revenue_ytd: vals[4],
                expense_ytd: vals[5],
            });
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(out)
}

/// Reads a trial balance: `account_code` with `debit` and `credit`, or with a signed `balance`
/// (debit positive). Amounts in baht. Repeated accounts are added up.
pub fn parse_trial_balance_csv(data: &[u8]) -> Result<Vec<TbLine>, StoreError> {
    let mut c = CsvIn::open(data)?;
    c.require(&["account_code"])?;
    let (ai, di, ci, bi) = (
        c.col("account_code"),
        c.col("debit"),
        c.col("credit"),
        c.col("balance"),
    );
    if bi.is_none() && (di.is_none() || ci.is_none()) {
        return Err(StoreError::Invalid(vec![
            FieldError::new(
                "balance",
                "the header needs debit and credit columns, or a balance column",
                "หัวตารางต้องมีคอลัมน์ debit และ credit หรือคอลัมน์ balance",
            )
            .at_line(1),
        ]));
    }
    let mut by_account: BTreeMap<String, TbLine> = BTreeMap::new();
    let mut errs = Vec::new();
    for (n, rec) in c.rdr.records().enumerate() {
        let line = n + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(
                    FieldError::new("file", format!("unreadable row: {e}"), "อ่านแถวนี้ไม่ได้")
                        .at_line(line),
                );
                continue;
            }
        };
        let code: String = ai.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string();
        // MoPH codes are written `1102050101.102`; the map matches on the leading digits.
        if !code.starts_with(|c: char| c.is_ascii_digit())
            || !code.chars().all(|c| c.is_ascii_digit() || c == '.')
            || code.len() > 20
        {
            errs.push(
                FieldError::new(
                    "account_code",
                    format!("account code must be digits (and dots), got {code:?}"),
                    "รหัสบัญชีต้องเป็นตัวเลข (คั่นด้วยจุดได้)",
                )
                .at_line(line),
            );
            continue;
        }
        let amounts = if di.is_some() && ci.is_some() {
            money(&rec, di, "debit", line, false)
                .and_then(|d| money(&rec, ci, "credit", line, false).map(|c| (d, c)))
        } else {
            money(&rec, bi, "balance", line, true).map(|b| if b >= 0 { (b, 0) } else { (0, -b) })
        };
        match amounts {
            Ok((d, cr)) => {
                let e = by_account.entry(code.clone()).or_insert(TbLine {
                    account_code: code,
                    debit: 0,
                    credit: 0,
                });
                match (e.debit.checked_add(d), e.credit.checked_add(cr)) {
                    (Some(d), Some(c)) => (e.debit, e.credit) = (d, c),
                    _ => errs.push(
                        FieldError::new(
                            "balance",
                            format!(
                                "account {} appears again and its amounts add up beyond the largest amount raidai holds",
                                e.account_code
                            ),
                            format!(
                                "บัญชี {} ซ้ำ และยอดรวมเกินจำนวนสูงสุดที่ระบบรองรับ",
                                e.account_code
                            ),
                        )
                        .at_line(line),
                    ),
                }
            }
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    if by_account.is_empty() {
        return Err(StoreError::field(
            "file",
            "the trial balance has no lines",
            "งบทดลองไม่มีรายการ",
        ));
    }
    Ok(by_account.into_values().collect())
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
        self.get_unit(actor, hcode).await?;
        if actor.role == Role::District {
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
        s.text(r.hcode.clone())
            .push(", ")
            .int(i64::from(r.period))
            .push(", ")
            .int(r.current_assets)
            .push(", ")
            .int(r.current_liabilities)
            .push(", ")
            .int(r.quick_assets)
            .push(", ")
            .int(r.cash_and_equivalents)
            .push(", ")
            .int(r.revenue_ytd)
            .push(", ")
            .int(r.expense_ytd)
            .push(", ")
            .text(source)
            .push(", ")
            .int(now_ms())
            .push(", ")
            .text(actor.username.clone())
            .push(
                ") ON CONFLICT (hcode, period) DO UPDATE SET current_assets = excluded.current_assets, current_liabilities = excluded.current_liabilities, quick_assets = excluded.quick_assets, cash_and_equivalents = excluded.cash_and_equivalents, revenue_ytd = excluded.revenue_ytd, expense_ytd = excluded.expense_ytd, source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut **tx).await?;
        record(
            tx,
            actor,
            Change {
                hcode: Some(&r.hcode),
                entity: "gov_position",
                key: &format!("{}/{}", r.hcode, r.period),
                action: "import",
                before: None,
                after: json(r),
            },
        )
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
        hcode: &str,
        period: u32,
        lines: &[TbLine],
    ) -> Result<TbImport, StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        check_period(period).map_err(|e| StoreError::Invalid(vec![e]))?;
        let map = self.account_map(DEFAULT_ACCOUNT_MAP).await?;
        let (input, unmapped) = position_from_trial_balance(hcode, period, lines, &map)?;
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
            s.text(hcode)
                .push(", ")
                .int(i64::from(period))
                .push(", ")
                .text(l.account_code.clone())
                .push(", ")
                .int(l.debit)
                .push(", ")
                .int(l.credit)
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
            .list_positions(actor, hcode)
            .await?
            .into_iter()
            .find(|p| p.period == period);
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
        hcode: &str,
        period: u32,
    ) -> Result<Vec<TbLine>, StoreError> {
        let mut s = Sql::new(
            "SELECT t.account_code, t.debit, t.credit FROM gov_trial_balances t JOIN units u ON u.hcode = t.hcode WHERE t.hcode = ",
        );
        s.text(hcode)
            .push(" AND t.period = ")
            .int(i64::from(period));
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY t.account_code");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(TbLine {
                    account_code: get_s(r, "account_code")?,
                    debit: get_i(r, "debit")?,
                    credit: get_i(r, "credit")?,
                })
            })
            .collect()
    }

    /// A visible unit's positions, oldest first; `NotFound` for a unit outside the tenancy.
    pub async fn list_positions(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Vec<Position>, StoreError> {
        self.get_unit(actor, hcode).await?;
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

// ---------------------------------------------------------------------------------------------
// 7 Plus Efficiency inputs (DOMAIN §5.2)
// ---------------------------------------------------------------------------------------------

/// The 7 Plus ratio items beyond the Risk Score six, with whether each carries a credit balance.
pub const SEVEN_PLUS_ITEMS: [(&str, bool); 14] = [
    ("total_assets", false),
    ("ebitda_revenue", true),
    ("ebitda_expense", false),
    ("medical_revenue", true),
    ("receivable_uc", false),
    ("revenue_uc_ytd", true),
    ("receivable_csmbs", false),
    ("revenue_csmbs_ytd", true),
    ("receivable_sss", false),
    ("revenue_sss_ytd", true),
    ("payables", true),
    ("purchases_ytd", false),
    ("inventory", false),
    ("inventory_usage_ytd", false),
];

/// Sums a trial balance into the 7 Plus items with `rules` (prefix, item); items no account
/// feeds are absent.
pub fn seven_plus_items_from_trial_balance(
    lines: &[TbLine],
    rules: &[(String, String)],
) -> Result<BTreeMap<String, i64>, StoreError> {
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for l in lines {
        let mut items: Vec<&str> = rules
            .iter()
            .filter(|(p, _)| l.account_code.starts_with(p.as_str()))
            .map(|(_, i)| i.as_str())
            .collect();
        items.sort_unstable();
        items.dedup();
        for item in items {
            let credit = SEVEN_PLUS_ITEMS
                .iter()
                .find(|(c, _)| *c == item)
                .is_some_and(|(_, cr)| *cr);
            let balance = normal_balance(l, credit)?;
            let sum = sums.entry(item.to_string()).or_default();
            *sum = sum
                .checked_add(balance)
                .ok_or_else(|| overflow(&l.account_code))?;
        }
    }
    Ok(sums)
}

async fn write_ratio_items(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    hcode: &str,
    period: u32,
    items: &BTreeMap<String, i64>,
) -> Result<(), StoreError> {
    let mut del = Sql::new("DELETE FROM gov_ratio_items WHERE hcode = ");
    del.text(hcode)
        .push(" AND period = ")
        .int(i64::from(period));
    del.query().execute(&mut **tx).await?;
    for (item, amount) in items {
        let mut s = Sql::new("INSERT INTO gov_ratio_items (hcode, period, item, amount) VALUES (");
        s.text(hcode)
            .push(", ")
            .int(i64::from(period))
            .push(", ")
            .text(item.clone())
            .push(", ")
            .int(*amount)
            .push(")");
        s.query().execute(&mut **tx).await?;
    }
    record(
        tx,
        actor,
        Change {
            hcode: Some(hcode),
            entity: "gov_ratio_items",
            key: &format!("{hcode}/{period}"),
            action: "save",
            before: None,
            after: json(items),
        },
    )
    .await?;
    Ok(())
}

/// The figures behind one unit's 7 Plus indicators for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SevenPlusFigures {
    pub period: u32,
    pub input: SevenPlusInput,
    /// False when no position of the previous fiscal year's last month is stored and the
    /// period's closing balances stand in for the opening ones.
    pub has_opening: bool,
    /// Items found for the period (closing).
    pub items: BTreeMap<String, i64>,
}

/// Operating margin and ROA (%) of one unit from its items and position.
fn margin_and_roa(
    items: &BTreeMap<String, i64>,
    net_income: Option<i64>,
) -> (Option<f64>, Option<f64>) {
    let g = |k: &str| items.get(k).copied().unwrap_or(0);
    let pct = |n: i64, d: i64| (d > 0).then(|| n as f64 * 100.0 / d as f64);
    (
        pct(
            g("ebitda_revenue") - g("ebitda_expense"),
            g("medical_revenue"),
        ),
        net_income.and_then(|ni| pct(ni, g("total_assets"))),
    )
}

impl Store {
    /// Peer-group medians of operating margin and ROA for a period: every unit of the unit's
    /// province and peer group with 7 Plus items for the period. Only the medians leave the
    /// store (the caller has already been allowed to see `unit`).
    async fn seven_plus_peer_medians(
        &self,
        unit: &crate::master::Unit,
        period: u32,
    ) -> Result<(Option<f64>, Option<f64>), StoreError> {
        let Some(pg) = unit.peer_group else {
            return Ok((None, None));
        };
        let mut s = Sql::new(
            "SELECT r.hcode, r.item, r.amount FROM gov_ratio_items r JOIN units u ON u.hcode = r.hcode WHERE u.province_code = ",
        );
        s.text(unit.province_code.clone())
            .push(" AND u.peer_group = ")
            .text(pg.code())
            .push(" AND r.period = ")
            .int(i64::from(period));
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut by_unit: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for r in &rows {
            by_unit
                .entry(get_s(r, "hcode")?)
                .or_default()
                .insert(get_s(r, "item")?, get_i(r, "amount")?);
        }
        let mut p = Sql::new(
            "SELECT p.hcode, p.revenue_ytd, p.expense_ytd FROM gov_positions p JOIN units u ON u.hcode = p.hcode WHERE u.province_code = ",
        );
        p.text(unit.province_code.clone())
            .push(" AND u.peer_group = ")
            .text(pg.code())
            .push(" AND p.period = ")
            .int(i64::from(period));
        let mut ni: BTreeMap<String, i64> = BTreeMap::new();
        for r in &p.query().fetch_all(self.pool()).await? {
            ni.insert(
                get_s(r, "hcode")?,
                get_i(r, "revenue_ytd")? - get_i(r, "expense_ytd")?,
            );
        }
        let (mut margins, mut roas) = (Vec::new(), Vec::new());
        for (h, items) in &by_unit {
            let (m, r) = margin_and_roa(items, ni.get(h).copied());
            margins.extend(m);
            roas.extend(r);
        }
        Ok((
            raidai_governance::tps::median(&margins),
            raidai_governance::tps::median(&roas),
        ))
    }

    /// The (prefix, item) rules of an account map that feed the 7 Plus items.
    pub async fn seven_plus_map(
        &self,
        map_name: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut s = Sql::new("SELECT prefix, item FROM gov_account_map WHERE map_name = ");
        s.text(map_name).push(" ORDER BY prefix, item");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in &rows {
            let item = get_s(r, "item")?;
            if SEVEN_PLUS_ITEMS.iter().any(|(c, _)| *c == item) {
                out.push((get_s(r, "prefix")?, item));
            }
        }
        Ok(out)
    }

    /// Stores the 7 Plus items of a unit and period (replacing earlier ones), for provinces
    /// that enter the figures directly. Unknown items are refused.
    pub async fn save_ratio_items(
        &self,
        actor: &Actor,
        hcode: &str,
        period: u32,
        items: &BTreeMap<String, i64>,
    ) -> Result<(), StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        check_period(period).map_err(|e| StoreError::Invalid(vec![e]))?;
        if let Some(bad) = items
            .keys()
            .find(|k| !SEVEN_PLUS_ITEMS.iter().any(|(c, _)| c == k))
        {
            return Err(StoreError::field(
                "item",
                format!("unknown ratio item {bad:?}"),
                format!("ไม่รู้จักรายการ {bad}"),
            ));
        }
        let mut tx = self.pool().begin().await?;
        write_ratio_items(&mut tx, actor, hcode, period, items).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A visible unit's 7 Plus items for a period; `NotFound` outside the tenancy.
    pub async fn ratio_items(
        &self,
        actor: &Actor,
        hcode: &str,
        period: u32,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT r.item, r.amount FROM gov_ratio_items r JOIN units u ON u.hcode = r.hcode WHERE r.hcode = ",
        );
        s.text(hcode)
            .push(" AND r.period = ")
            .int(i64::from(period));
        actor.push_unit_scope(&mut s, "u");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_s(r, "item")?, get_i(r, "amount")?)))
            .collect()
    }

    /// The 7 Plus input of a unit for a period: balances at the period end, opening balances
    /// from the previous fiscal year's month 12 (else the closing ones), net income and the
    /// cash ratio from the period's position. `None` when the period has neither position nor
    /// items.
    pub async fn seven_plus_figures(
        &self,
        actor: &Actor,
        hcode: &str,
        period: u32,
    ) -> Result<Option<SevenPlusFigures>, StoreError> {
        let unit = self.get_unit(actor, hcode).await?;
        let closing = self.ratio_items(actor, hcode, period).await?;
        let opening_period = (period / 100 - 1) * 100 + 12;
        let opening = self.ratio_items(actor, hcode, opening_period).await?;
        let position = self
            .list_positions(actor, hcode)
            .await?
            .into_iter()
            .find(|p| p.period == period);
        if closing.is_empty() && position.is_none() {
            return Ok(None);
        }
        let has_opening = !opening.is_empty();
        let c = |k: &str| closing.get(k).copied().unwrap_or(0);
        let bal = |k: &str| Balance {
            opening: if has_opening {
                opening.get(k).copied().unwrap_or(0)
            } else {
                c(k)
            },
            closing: c(k),
        };
        let cash_ratio = position
            .as_ref()
            .and_then(|p| p.score().ok().and_then(|r| r.cash_ratio));
        let input = SevenPlusInput {
            days_ytd: days_ytd_for_period(period).unwrap_or(0),
            ebitda: c("ebitda_revenue") - c("ebitda_expense"),
            operating_revenue: c("medical_revenue"),
            net_income: position
                .as_ref()
                .map_or(0, |p| p.revenue_ytd - p.expense_ytd),
            total_assets: c("total_assets"),
            payables: bal("payables"),
            purchases_ytd: c("purchases_ytd"),
            receivable_uc: bal("receivable_uc"),
            revenue_uc_ytd: c("revenue_uc_ytd"),
            receivable_csmbs: bal("receivable_csmbs"),
            revenue_csmbs_ytd: c("revenue_csmbs_ytd"),
            receivable_sss: bal("receivable_sss"),
            revenue_sss_ytd: c("revenue_sss_ytd"),
            inventory: bal("inventory"),
            inventory_usage_ytd: c("inventory_usage_ytd"),
            cash_ratio,
            island: unit.island,
            median_operating_margin_pct: None,
            median_roa_pct: None,
        };
        let (m, r) = self.seven_plus_peer_medians(&unit, period).await?;
        let input = SevenPlusInput {
            median_operating_margin_pct: m,
            median_roa_pct: r,
            ..input
        };
        Ok(Some(SevenPlusFigures {
            period,
            input,
            has_opening,
            items: closing,
        }))
    }
}

/// The funds whose collection periods 7 Plus measures, as (indicator code, journal fund).
pub const COLLECTION_FUNDS: [(&str, &str); 3] = [("UC", "UC"), ("CSMBS", "OFC"), ("SSS", "SSS")];

/// One fund's figures from raidai's own receivable ledger (DOMAIN §5.2 from the journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerFund {
    /// `UC`, `CSMBS` or `SSS`.
    pub fund: &'static str,
    /// Receivable balance (debit − credit on `1102…` accounts of the fund) before 1 October.
    pub opening: i64,
    /// The same balance at the end of the period.
    pub closing: i64,
    /// Revenue of the fund (credit − debit on `4…` accounts) from 1 October to the period end.
    pub revenue_ytd: i64,
}

/// A unit's receivable-ledger figures for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerCollection {
    pub period: u32,
    /// Visits of the unit in the period's fiscal year held in raidai (0: no ledger to measure).
    pub visits: i64,
    pub days_ytd: u32,
    pub funds: Vec<LedgerFund>,
}

impl LedgerCollection {
    /// Collection period in days of a fund (`None` without revenue).
    pub fn days(&self, fund: &str) -> Option<f64> {
        let f = self.funds.iter().find(|f| f.fund == fund)?;
        raidai_governance::seven_plus::collection_period_days(
            f.opening,
            f.closing,
            f.revenue_ytd,
            self.days_ytd,
        )
    }
}

/// First and last service date (`yyyymmdd` CE) of the fiscal year to the end of `period`.
fn period_dates(period: u32) -> Option<(i64, i64)> {
    let fy = i64::from(period / 100);
    let m = i64::from(period % 100);
    if !(1..=12).contains(&m) {
        return None;
    }
    let start = (fy - 544) * 10000 + 1001;
    let cal_month = (m + 8) % 12 + 1;
    let year = if cal_month >= 10 { fy - 544 } else { fy - 543 };
    Some((start, (year * 100 + cal_month) * 100 + 31))
}

impl Store {
    /// Receivable-ledger figures per fund (UC, CSMBS, SSS) of a visible unit for the fiscal
    /// year to the end of `period`, from the claims journal by posting date; `NotFound`
    /// outside the tenancy.
    pub async fn ledger_collection(
        &self,
        actor: &Actor,
        hcode: &str,
        period: u32,
    ) -> Result<LedgerCollection, StoreError> {
        self.get_unit(actor, hcode).await?;
        let (start, end) = period_dates(period)
            .ok_or_else(|| StoreError::field("period", "not a period id", "งวดไม่ถูกต้อง"))?;
        // Read models: the fiscal year's visits, and the journal by month of posting (the
        // period runs from the year's first day to its month's last).
        let mut v = Sql::new(
            "SELECT CAST(COALESCE(SUM(v.visits), 0) AS BIGINT) AS n FROM claim_sum_visits v JOIN units u ON u.hcode = v.hcode WHERE v.hcode = ",
        );
        v.text(hcode)
            .push(" AND v.fy = ")
            .int(i64::from(period / 100));
        actor.push_unit_scope(&mut v, "u");
        let visits = get_i(&v.query().fetch_one(self.pool()).await?, "n")?;
        let mut s = Sql::new(
            "SELECT j.fund, CAST(SUM(CASE WHEN j.account LIKE '1102%' AND j.post_month < ",
        );
        s.int(start / 100)
            .push(" THEN j.debit - j.credit ELSE 0 END) AS BIGINT) AS opening, CAST(SUM(CASE WHEN j.account LIKE '1102%' THEN j.debit - j.credit ELSE 0 END) AS BIGINT) AS closing, CAST(SUM(CASE WHEN j.account LIKE '4%' AND j.post_month >= ")
            .int(start / 100)
            .push(" THEN j.credit - j.debit ELSE 0 END) AS BIGINT) AS revenue FROM claim_sum_journal j JOIN units u ON u.hcode = j.hcode WHERE j.hcode = ")
            .text(hcode)
            .push(" AND j.post_month <= ")
            .int(end / 100);
        actor.push_unit_scope(&mut s, "u");
        s.push(" GROUP BY j.fund");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut by_fund: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
        for r in &rows {
            by_fund.insert(
                get_s(r, "fund")?,
                (
                    get_i(r, "opening")?,
                    get_i(r, "closing")?,
                    get_i(r, "revenue")?,
                ),
            );
        }
        let funds = COLLECTION_FUNDS
            .iter()
            .map(|(code, journal_fund)| {
                let (opening, closing, revenue_ytd) =
                    by_fund.get(*journal_fund).copied().unwrap_or_default();
                LedgerFund {
                    fund: code,
                    opening,
                    closing,
                    revenue_ytd,
                }
            })
            .collect();
        Ok(LedgerCollection {
            period,
            visits,
            days_ytd: days_ytd_for_period(period).unwrap_or(0),
            funds,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Assessments: 4S4C + CSMBS survey, and the 4P working paper
// ---------------------------------------------------------------------------------------------

/// Inspection rounds per fiscal year that an assessment may belong to.
pub const ASSESSMENT_ROUNDS: std::ops::RangeInclusive<u8> = 1..=2;

/// Largest evidence file accepted.
pub const EVIDENCE_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Which assessment a form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FormKind {
    /// Quality revenue-collection centre: 4S4C (72) + CSMBS on-site survey (28).
    RevenueCentre,
    /// 4P working paper (ตร.๐๑).
    FourP,
}

impl FormKind {
    pub const ALL: [FormKind; 2] = [FormKind::RevenueCentre, FormKind::FourP];

    pub fn code(self) -> &'static str {
        match self {
            FormKind::RevenueCentre => "rc",
            FormKind::FourP => "4p",
        }
    }

    pub fn parse(s: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The item ids of this form under `criteria`, in printed order.
    pub fn item_ids(self, criteria: &CriteriaSet) -> Vec<String> {
        match self {
            FormKind::RevenueCentre => criteria
                .revenue_centre
                .forms
                .iter()
                .flat_map(|f| f.items.iter().map(|i| i.id.clone()))
                .collect(),
            FormKind::FourP => criteria.four_p.items.iter().map(|i| i.id.clone()).collect(),
        }
    }

    /// Whether `mark` is a mark of this form ('0'/'2', or '2'/'1'/'0'/'x').
    fn accepts(self, mark: &str) -> bool {
        match self {
            FormKind::RevenueCentre => matches!(mark, "0" | "2"),
            FormKind::FourP => matches!(mark, "0" | "1" | "2" | "x"),
        }
    }
}

/// Identifies one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentKey {
    pub hcode: String,
    pub fiscal_year: u16,
    pub round: u8,
    pub form: FormKind,
}

impl AssessmentKey {
    fn audit_key(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.hcode,
            self.fiscal_year,
            self.round,
            self.form.code()
        )
    }

    fn check(&self) -> Result<(), StoreError> {
        let mut errs = Vec::new();
        if !(2500..=2700).contains(&self.fiscal_year) {
            errs.push(FieldError::new(
                "fiscal_year",
                "fiscal year must be a BE year such as 2569",
                "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
            ));
        }
        if !ASSESSMENT_ROUNDS.contains(&self.round) {
            errs.push(FieldError::new(
                "round",
                "round must be 1 or 2",
                "รอบการประเมินต้องเป็น 1 หรือ 2",
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(errs))
        }
    }

    /// The criteria set in force for the key's fiscal year.
    pub fn criteria(&self) -> &'static CriteriaSet {
        CriteriaSet::default_for(self.fiscal_year).unwrap_or_else(CriteriaSet::builtin)
    }
}

/// One item's mark and note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ItemMark {
    /// Empty when unmarked.
    pub mark: String,
    pub note: String,
}

/// The 4P working paper's header (หมายเลขเอกสาร, แก้ไขครั้งที่, หน่วยรับผิดชอบ, ผู้รับผิดชอบ,
/// งวดที่ตรวจพบ) and the reviewer's answers to its three questions (สรุปผลการสอบทาน).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaperHeader {
    pub doc_no: String,
    pub revision: String,
    /// ISO date (CE) the paper came into use (เริ่มใช้).
    pub started_on: String,
    pub responsible_unit: String,
    pub responsible_person: String,
    pub period: String,
    /// One answer per question of [`PAPER_QUESTIONS`].
    pub answers: Vec<String>,
}

/// The reviewer's three questions of the 4P paper, (Thai, English).
pub const PAPER_QUESTIONS: [(&str, &str); 3] = [
    (
        "การกำกับ ติดตามแผนเงินบำรุง ในระดับสำนักงานสาธารณสุขจังหวัด (อย่างไร) อธิบาย",
        "How does the provincial health office oversee and follow the maintenance-fund plan? Explain",
    ),
    (
        "การควบคุม กำกับการใช้จ่ายเงิน ตามแผนเงินบำรุง ในระดับ รพท./รพช. อย่างไร (อธิบาย)",
        "How do the hospitals control spending against the maintenance-fund plan? Explain",
    ),
    (
        "การใช้เงินนอกงบประมาณ มีขั้นตอน/กระบวนการถูกต้องเป็นไปตามระเบียบ กฎหมาย (สรุป)",
        "Does non-budget spending follow the regulations and the law? Summarise",
    ),
];

/// What a user enters on an assessment form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AssessmentInput {
    pub assessor: String,
    /// ISO date (CE), e.g. 2026-03-15; shown as BE.
    pub assessed_on: Option<String>,
    pub reviewer_summary: String,
    /// By item id.
    pub marks: BTreeMap<String, ItemMark>,
    /// The 4P paper's header and answers (empty for other forms).
    pub paper: PaperHeader,
}

/// A stored assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub key: AssessmentKey,
    pub criteria_version: String,
    pub input: AssessmentInput,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Assessment {
    /// Marks in the engine's form for a revenue-centre assessment: (item id, 0|2).
    pub fn rc_marks(&self) -> Vec<(String, u8)> {
        self.input
            .marks
            .iter()
            .filter_map(|(id, m)| m.mark.parse::<u8>().ok().map(|v| (id.clone(), v)))
            .collect()
    }

    /// Marks for the 4P working paper.
    pub fn four_p_marks(&self) -> Vec<(String, raidai_governance::assessment::FourPMark)> {
        self.input
            .marks
            .iter()
            .filter_map(|(id, m)| m.mark.parse().ok().map(|v| (id.clone(), v)))
            .collect()
    }
}

/// Every problem with a form's input: the assessor, dates, the paper's header and answers,
/// and each mark and note against the form's `ids`.
pub(crate) fn check_input(
    form: FormKind,
    ids: &[String],
    input: &AssessmentInput,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if input.assessor.trim().is_empty() || input.assessor.chars().count() > 200 {
        errs.push(FieldError::new(
            "assessor",
            "the assessor's name is required (at most 200 characters)",
            "ต้องระบุชื่อผู้ประเมิน (ไม่เกิน 200 ตัวอักษร)",
        ));
    }
    if let Some(d) = input.assessed_on.as_deref().filter(|d| !d.is_empty())
        && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
    {
        errs.push(FieldError::new(
            "assessed_on",
            format!("date must be YYYY-MM-DD, got {d:?}"),
            "วันที่ประเมินไม่ถูกต้อง",
        ));
    }
    let p = &input.paper;
    for (field, v) in [
        ("paper.doc_no", &p.doc_no),
        ("paper.revision", &p.revision),
        ("paper.responsible_unit", &p.responsible_unit),
        ("paper.responsible_person", &p.responsible_person),
        ("paper.period", &p.period),
    ] {
        if v.chars().count() > 200 {
            errs.push(FieldError::new(
                field,
                format!("{field} is limited to 200 characters"),
                "ข้อความหัวกระดาษทำการต้องไม่เกิน 200 ตัวอักษร",
            ));
        }
    }
    if !p.started_on.is_empty()
        && chrono::NaiveDate::parse_from_str(&p.started_on, "%Y-%m-%d").is_err()
    {
        errs.push(FieldError::new(
            "paper.started_on",
            format!("date must be YYYY-MM-DD, got {:?}", p.started_on),
            "วันที่เริ่มใช้ไม่ถูกต้อง",
        ));
    }
    if p.answers.len() > PAPER_QUESTIONS.len()
        || p.answers.iter().any(|a| a.chars().count() > 5_000)
    {
        errs.push(FieldError::new(
            "paper.answers",
            "three answers of at most 5,000 characters each",
            "คำตอบสรุปผลการสอบทานมี 3 ข้อ ข้อละไม่เกิน 5,000 ตัวอักษร",
        ));
    }
    if input.reviewer_summary.chars().count() > 10_000 {
        errs.push(FieldError::new(
            "reviewer_summary",
            "the summary is limited to 10,000 characters",
            "สรุปของผู้ตรวจต้องไม่เกิน 10,000 ตัวอักษร",
        ));
    }
    for (id, m) in &input.marks {
        if !ids.contains(id) {
            errs.push(FieldError::new(
                id,
                format!("unknown item {id}"),
                format!("ไม่มีข้อ {id} ในแบบประเมินนี้"),
            ));
        } else if !m.mark.is_empty() && !form.accepts(&m.mark) {
            errs.push(FieldError::new(
                id,
                format!("mark {:?} is not allowed for this form", m.mark),
                "คะแนนไม่ถูกต้องสำหรับแบบประเมินนี้",
            ));
        }
        if m.note.chars().count() > 2000 {
            errs.push(FieldError::new(
                id,
                "a note is limited to 2,000 characters",
                "หมายเหตุต้องไม่เกิน 2,000 ตัวอักษร",
            ));
        }
    }
    errs
}

/// An evidence file's description (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceMeta {
    pub id: String,
    pub hcode: String,
    pub item_id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
    pub uploaded_by: String,
}

/// The file types accepted as evidence, recognised by their first bytes (never by the name or
/// the browser's claim): PDF, PNG, JPEG, and Office Open XML workbooks and documents.
pub fn evidence_type(filename: &str, data: &[u8]) -> Option<&'static str> {
    let lower = filename.to_ascii_lowercase();
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if data.starts_with(b"PK\x03\x04") {
        // A zip: only OOXML, told apart by the part names it holds.
        let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
        if !has(b"[Content_Types].xml") {
            None
        } else if lower.ends_with(".xlsx") && has(b"xl/") {
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        } else if lower.ends_with(".docx") && has(b"word/") {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        } else {
            None
        }
    } else {
        None
    }
}

/// A file name safe to store and to put in a Content-Disposition header.
pub(crate) fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|&c| {
            !c.is_control()
                && !raidai_domain::text::is_bidi_control(c)
                && !matches!(c, '"' | ';' | '\\')
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

const EVIDENCE_COLS: &str = "e.id, e.hcode, e.item_id, e.filename, e.content_type, e.size, e.sha256, e.uploaded_at, e.uploaded_by";

fn evidence_from_row(r: &AnyRow) -> Result<EvidenceMeta, StoreError> {
    Ok(EvidenceMeta {
        id: get_s(r, "id")?,
        hcode: get_s(r, "hcode")?,
        item_id: get_s(r, "item_id")?,
        filename: get_s(r, "filename")?,
        content_type: get_s(r, "content_type")?,
        size: get_i(r, "size")?,
        sha256: get_s(r, "sha256")?,
        uploaded_at: get_i(r, "uploaded_at")?,
        uploaded_by: get_s(r, "uploaded_by")?,
    })
}

/// One row of the assessment list: enough to score and link it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentSummary {
    pub key: AssessmentKey,
    pub assessed_on: Option<String>,
    pub updated_at: i64,
}

fn push_key(s: &mut Sql, alias: &str, k: &AssessmentKey) {
    s.push(&format!(" AND {alias}.hcode = "))
        .text(k.hcode.clone())
        .push(&format!(" AND {alias}.fiscal_year = "))
        .int(i64::from(k.fiscal_year))
        .push(&format!(" AND {alias}.round = "))
        .int(i64::from(k.round))
        .push(&format!(" AND {alias}.form = "))
        .text(k.form.code());
}

impl Store {
    /// Saves an assessment (creating or replacing its marks). Marks are checked against the
    /// criteria of the key's fiscal year; nothing is written unless all are valid.
    pub async fn save_assessment(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
        input: &AssessmentInput,
    ) -> Result<Assessment, StoreError> {
        self.check_unit_writable(actor, &key.hcode).await?;
        key.check()?;
        let criteria = key.criteria();
        let errs = check_input(key.form, &key.form.item_ids(criteria), input);
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.get_assessment(actor, key).await?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_assessments (hcode, fiscal_year, round, form, criteria_version, assessor, assessed_on, reviewer_summary, paper_json, updated_at, updated_by) VALUES (",
        );
        s.text(key.hcode.clone())
            .push(", ")
            .int(i64::from(key.fiscal_year))
            .push(", ")
            .int(i64::from(key.round))
            .push(", ")
            .text(key.form.code())
            .push(", ")
            .text(criteria.version.clone())
            .push(", ")
            .text(input.assessor.trim())
            .push(", ")
            .opt_text(input.assessed_on.clone().filter(|d| !d.is_empty()))
            .push(", ")
            .text(input.reviewer_summary.trim())
            .push(", ")
            .text(serde_json::to_string(&input.paper).unwrap_or_else(|_| "{}".into()))
            .push(", ")
            .int(now_ms())
            .push(", ")
            .text(actor.username.clone())
            .push(") ON CONFLICT (hcode, fiscal_year, round, form) DO UPDATE SET criteria_version = excluded.criteria_version, assessor = excluded.assessor, assessed_on = excluded.assessed_on, reviewer_summary = excluded.reviewer_summary, paper_json = excluded.paper_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        // No alias on a DELETE target (SQLite): qualify with the table name.
        let mut del = Sql::new("DELETE FROM gov_assessment_marks WHERE 1 = 1");
        push_key(&mut del, "gov_assessment_marks", key);
        del.query().execute(&mut *tx).await?;
        for (id, m) in &input.marks {
            if m.mark.is_empty() && m.note.trim().is_empty() {
                continue;
            }
            let mut s = Sql::new(
                "INSERT INTO gov_assessment_marks (hcode, fiscal_year, round, form, item_id, mark, note) VALUES (",
            );
            s.text(key.hcode.clone())
                .push(", ")
                .int(i64::from(key.fiscal_year))
                .push(", ")
                .int(i64::from(key.round))
                .push(", ")
                .text(key.form.code())
                .push(", ")
                .text(id.clone())
                .push(", ")
                .text(m.mark.clone())
                .push(", ")
                .text(m.note.trim())
                .push(")");
            s.query().execute(&mut *tx).await?;
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(&key.hcode),
                entity: "gov_assessment",
                key: &key.audit_key(),
                action: if before.is_some() { "update" } else { "create" },
                before: before.as_ref().and_then(|b| json(&b.input)),
                after: json(input),
            },
        )
        .await?;
        tx.commit().await?;
        self.get_assessment(actor, key)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// An assessment of a visible unit, or `None` when not yet started; `NotFound` for a unit
    /// outside the tenancy.
    pub async fn get_assessment(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
    ) -> Result<Option<Assessment>, StoreError> {
        self.get_unit(actor, &key.hcode).await?;
        let mut s = Sql::new(
            "SELECT a.criteria_version, a.assessor, a.assessed_on, a.reviewer_summary, a.paper_json, a.updated_at, a.updated_by FROM gov_assessments a JOIN units u ON u.hcode = a.hcode WHERE 1 = 1",
        );
        push_key(&mut s, "a", key);
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut m =
            Sql::new("SELECT m.item_id, m.mark, m.note FROM gov_assessment_marks m WHERE 1 = 1");
        push_key(&mut m, "m", key);
        let marks = m
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    get_s(r, "item_id")?,
                    ItemMark {
                        mark: get_s(r, "mark")?,
                        note: get_s(r, "note")?,
                    },
                ))
            })
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        Ok(Some(Assessment {
            key: key.clone(),
            criteria_version: get_s(&row, "criteria_version")?,
            input: AssessmentInput {
                assessor: get_s(&row, "assessor")?,
                assessed_on: crate::sql::get_os(&row, "assessed_on")?,
                reviewer_summary: get_s(&row, "reviewer_summary")?,
                marks,
                paper: serde_json::from_str(&get_s(&row, "paper_json")?).unwrap_or_default(),
            },
            updated_at: get_i(&row, "updated_at")?,
            updated_by: get_s(&row, "updated_by")?,
        }))
    }

    /// Assessments of the visible units (optionally one unit), newest year and round first.
    pub async fn list_assessments(
        &self,
        actor: &Actor,
        hcode: Option<&str>,
        fiscal_year: Option<u16>,
    ) -> Result<Vec<AssessmentSummary>, StoreError> {
        if let Some(h) = hcode {
            self.get_unit(actor, h).await?;
        }
        let mut s = Sql::new(
            "SELECT a.hcode, a.fiscal_year, a.round, a.form, a.assessed_on, a.updated_at FROM gov_assessments a JOIN units u ON u.hcode = a.hcode WHERE 1 = 1",
        );
        if let Some(h) = hcode {
            s.push(" AND a.hcode = ").text(h);
        }
        if let Some(fy) = fiscal_year {
            s.push(" AND a.fiscal_year = ").int(i64::from(fy));
        }
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY a.fiscal_year DESC, a.round DESC, a.hcode, a.form");
        let rows = s.query().fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in &rows {
            // A form code this build does not know (a later version's) is skipped, not an error.
            let Some(form) = FormKind::parse(&get_s(r, "form")?) else {
                continue;
            };
            out.push(AssessmentSummary {
                key: AssessmentKey {
                    hcode: get_s(r, "hcode")?,
                    fiscal_year: u16::try_from(get_i(r, "fiscal_year")?).unwrap_or_default(),
                    round: u8::try_from(get_i(r, "round")?).unwrap_or_default(),
                    form,
                },
                assessed_on: crate::sql::get_os(r, "assessed_on")?,
                updated_at: get_i(r, "updated_at")?,
            });
        }
        Ok(out)
    }

    /// Attaches an evidence file to an item of an assessment (which must exist). The file must
    /// be at most [`EVIDENCE_MAX_BYTES`] and of a type [`evidence_type`] recognises.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
        item_id: &str,
        filename: &str,
        data: &[u8],
    ) -> Result<EvidenceMeta, StoreError> {
        self.check_unit_writable(actor, &key.hcode).await?;
        key.check()?;
        if !key
            .form
            .item_ids(key.criteria())
            .iter()
            .any(|i| i == item_id)
        {
            return Err(StoreError::field(
                "item_id",
                format!("unknown item {item_id}"),
                "ไม่มีข้อนี้ในแบบประเมิน",
            ));
        }
        if self.get_assessment(actor, key).await?.is_none() {
            return Err(StoreError::field(
                "item_id",
                "save the form before attaching evidence",
                "กรุณาบันทึกแบบประเมินก่อนแนบหลักฐาน",
            ));
        }
        if data.is_empty() || data.len() > EVIDENCE_MAX_BYTES {
            return Err(StoreError::field(
                "file",
                "evidence must be a non-empty file of at most 10 MB",
                "ไฟล์หลักฐานต้องไม่ว่างและมีขนาดไม่เกิน 10 MB",
            ));
        }
        let filename = clean_filename(filename);
        let Some(content_type) = evidence_type(&filename, data) else {
            return Err(StoreError::field(
                "file",
                "evidence must be a PDF, PNG, JPEG, XLSX or DOCX file",
                "ไฟล์หลักฐานต้องเป็น PDF, PNG, JPEG, XLSX หรือ DOCX",
            ));
        };
        let id = uuid::Uuid::now_v7().to_string();
        let sha = {
            use sha2::Digest;
            let d = sha2::Sha256::digest(data);
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let at = now_ms();
        let mut tx = self.pool().begin().await?;
        // Bytes need a binary bind, which the small builder does not carry.
        sqlx::query(
            "INSERT INTO gov_evidence (hcode, id, fiscal_year, round, form, item_id, filename, content_type, size, sha256, data, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(key.hcode.clone())
        .bind(id.clone())
        .bind(i64::from(key.fiscal_year))
        .bind(i64::from(key.round))
        .bind(key.form.code())
        .bind(item_id.to_string())
        .bind(filename.clone())
        .bind(content_type)
        .bind(data.len() as i64)
        .bind(sha.clone())
        .bind(data.to_vec())
        .bind(at)
        .bind(actor.username.clone())
        .execute(&mut *tx)
        .await?;
        let meta = EvidenceMeta {
            id,
            hcode: key.hcode.clone(),
            item_id: item_id.to_string(),
            filename,
            content_type: content_type.to_string(),
            size: data.len() as i64,
            sha256: sha,
            uploaded_at: at,
            uploaded_by: actor.username.clone(),
        };
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(&key.hcode),
                entity: "gov_evidence",
                key: &format!("{}/{}", key.audit_key(), meta.id),
                action: "upload",
                before: None,
                after: json(&meta),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(meta)
    }

    /// The evidence files of an assessment, by item then upload time.
    pub async fn list_evidence(
        &self,
        actor: &Actor,
        key: &AssessmentKey,
    ) -> Result<Vec<EvidenceMeta>, StoreError> {
        self.get_unit(actor, &key.hcode).await?;
        let mut s = Sql::new(&format!(
            "SELECT {EVIDENCE_COLS} FROM gov_evidence e JOIN units u ON u.hcode = e.hcode WHERE 1 = 1"
        ));
        push_key(&mut s, "e", key);
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY e.item_id, e.uploaded_at");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(evidence_from_row).collect()
    }

    /// One evidence file with its bytes, checked against the caller's tenancy on every call.
    pub async fn get_evidence(
        &self,
        actor: &Actor,
        hcode: &str,
        id: &str,
    ) -> Result<(EvidenceMeta, Vec<u8>), StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {EVIDENCE_COLS}, e.data FROM gov_evidence e JOIN units u ON u.hcode = e.hcode WHERE e.hcode = "
        ));
        s.text(hcode).push(" AND e.id = ").text(id);
        actor.push_unit_scope(&mut s, "u");
        let row = s
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let data: Vec<u8> = sqlx::Row::try_get(&row, "data")?;
        Ok((evidence_from_row(&row)?, data))
    }
}

// ---------------------------------------------------------------------------------------------
// Planfin: plan, actuals and revisions
// ---------------------------------------------------------------------------------------------

/// Plan or actual amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AmountKind {
    Plan,
    Actual,
}

impl AmountKind {
    pub fn code(self) -> &'static str {
        match self {
            AmountKind::Plan => "plan",
            AmountKind::Actual => "actual",
        }
    }
    pub fn parse(s: &str) -> Option<AmountKind> {
        match s {
            "plan" => Some(AmountKind::Plan),
            "actual" => Some(AmountKind::Actual),
            _ => None,
        }
    }
}

/// A revision of a plan as stored, with who approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRevision {
    pub revision: PlanRevision,
    pub approved_by: Option<String>,
}

/// A unit's Planfin year: the engine's plan and actuals, and the revision details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanYear {
    pub plan: Plan,
    pub actuals: Actuals,
    pub revisions: Vec<StoredRevision>,
    pub updated_at: i64,
}

/// Reads plan or actual lines: `code` (P04 …) then one column per fiscal month, `m01` (October)
/// … `m12` (September), in baht; empty cells are 0. A code may appear once.
pub fn parse_plan_csv(data: &[u8]) -> Result<Vec<PlanLine>, StoreError> {
    let mut c = CsvIn::open(data)?;
    let months: Vec<String> = (1..=12).map(|m| format!("m{m:02}")).collect();
    let mut required = vec!["code"];
    required.extend(months.iter().map(String::as_str));
    c.require(&required)?;
    let ci = c.col("code");
    let mi: Vec<Option<usize>> = months.iter().map(|m| c.col(m)).collect();
    let mut out: Vec<PlanLine> = Vec::new();
    let mut errs = Vec::new();
    for (n, rec) in c.rdr.records().enumerate() {
        let line = n + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(
                    FieldError::new("file", format!("unreadable row: {e}"), "อ่านแถวนี้ไม่ได้")
                        .at_line(line),
                );
                continue;
            }
        };
        let code_text = ci.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let code = match code_text.parse::<PlanCode>() {
            Ok(c) => c,
            Err(e) => {
                errs.push(
                    FieldError::new(
                        "code",
                        e.to_string(),
                        format!("ไม่รู้จักรหัสรายการแผน {code_text:?}"),
                    )
                    .at_line(line),
                );
                continue;
            }
        };
        if out.iter().any(|l| l.code == code) {
            errs.push(
                FieldError::new(
                    "code",
                    format!("{code} appears twice"),
                    format!("รหัส {code} ซ้ำ"),
                )
                .at_line(line),
            );
            continue;
        }
        let mut amounts = [0i64; 12];
        let mut ok = true;
        for (k, idx) in mi.iter().enumerate() {
            match money(&rec, *idx, &months[k], line, false) {
                Ok(v) => amounts[k] = v,
                Err(e) => {
                    errs.push(e);
                    ok = false;
                }
            }
        }
        if ok {
            out.push(PlanLine {
                code,
                months: amounts,
            });
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(out)
}

fn check_fy(fy: u16) -> Result<(), StoreError> {
    if (2500..=2700).contains(&fy) {
        Ok(())
    } else {
        Err(StoreError::field(
            "fiscal_year",
            "fiscal year must be a BE year such as 2569",
            "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
        ))
    }
}

impl Store {
    /// Creates the plan year or changes its type (1..=7 per the criteria; the derivable
    /// no-risk rule is a warning shown with the plan, not a refusal).
    pub async fn save_plan_type(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        plan_type: u8,
    ) -> Result<(), StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        check_fy(fiscal_year)?;
        let max = CriteriaSet::default_for(fiscal_year)
            .unwrap_or_else(CriteriaSet::builtin)
            .planfin
            .plan_type_max;
        if !(1..=max).contains(&plan_type) {
            return Err(StoreError::field(
                "plan_type",
                format!("plan type must be 1 to {max}"),
                format!("แบบแผนต้องเป็น 1 ถึง {max}"),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_plans (hcode, fiscal_year, plan_type, updated_at, updated_by) VALUES (",
        );
        s.text(hcode)
            .push(", ")
            .int(i64::from(fiscal_year))
            .push(", ")
            .int(i64::from(plan_type))
            .push(", ")
            .int(now_ms())
            .push(", ")
            .text(actor.username.clone())
            .push(") ON CONFLICT (hcode, fiscal_year) DO UPDATE SET plan_type = excluded.plan_type, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "gov_plan",
                key: &format!("{hcode}/{fiscal_year}"),
                action: "plan_type",
                before: None,
                after: Some(serde_json::json!({ "plan_type": plan_type })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the plan or the actual amounts of a plan year (which must exist).
    pub async fn save_plan_amounts(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        kind: AmountKind,
        lines: &[PlanLine],
    ) -> Result<(), StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        if self
            .get_plan_year(actor, hcode, fiscal_year)
            .await?
            .is_none()
        {
            return Err(StoreError::field(
                "plan_type",
                "enter the plan type first",
                "กรุณาระบุแบบแผนก่อน",
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut del = Sql::new("DELETE FROM gov_plan_amounts WHERE hcode = ");
        del.text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND kind = ")
            .text(kind.code());
        del.query().execute(&mut *tx).await?;
        for l in lines {
            for (m, amount) in l.months.iter().enumerate() {
                if *amount == 0 {
                    continue;
                }
                let mut s = Sql::new(
                    "INSERT INTO gov_plan_amounts (hcode, fiscal_year, kind, code, month, amount) VALUES (",
                );
                s.text(hcode)
                    .push(", ")
                    .int(i64::from(fiscal_year))
                    .push(", ")
                    .text(kind.code())
                    .push(", ")
                    .text(l.code.code())
                    .push(", ")
                    .int(m as i64 + 1)
                    .push(", ")
                    .int(*amount)
                    .push(")");
                s.query().execute(&mut *tx).await?;
            }
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "gov_plan",
                key: &format!("{hcode}/{fiscal_year}"),
                action: kind.code(),
                before: None,
                after: json(&lines),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a revision (review) of the plan; it counts once the province approves it.
    pub async fn add_plan_revision(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        revised_on: Option<String>,
        note: &str,
    ) -> Result<u32, StoreError> {
        self.check_unit_writable(actor, hcode).await?;
        let Some(year) = self.get_plan_year(actor, hcode, fiscal_year).await? else {
            return Err(StoreError::field(
                "plan_type",
                "enter the plan type first",
                "กรุณาระบุแบบแผนก่อน",
            ));
        };
        if let Some(d) = revised_on.as_deref()
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err(StoreError::field(
                "revised_on",
                format!("date must be YYYY-MM-DD, got {d:?}"),
                "วันที่ไม่ถูกต้อง",
            ));
        }
        let number = year.revisions.len() as u32 + 1;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_plan_revisions (hcode, fiscal_year, number, revised_on, note, approved) VALUES (",
        );
        s.text(hcode)
            .push(", ")
            .int(i64::from(fiscal_year))
            .push(", ")
            .int(i64::from(number))
            .push(", ")
            .opt_text(revised_on)
            .push(", ")
            .text(note.trim())
            .push(", 0)");
        s.query().execute(&mut *tx).await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "gov_plan_revision",
                key: &format!("{hcode}/{fiscal_year}/{number}"),
                action: "create",
                before: None,
                after: Some(serde_json::json!({ "note": note.trim() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// The province's approval of a revision (PHO review before the chief signs).
    pub async fn approve_plan_revision(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        number: u32,
    ) -> Result<(), StoreError> {
        self.get_unit(actor, hcode).await?;
        if !matches!(actor.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE gov_plan_revisions SET approved = 1, approved_by = ");
        s.text(actor.username.clone())
            .push(", approved_at = ")
            .int(now_ms())
            .push(" WHERE hcode = ")
            .text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND number = ")
            .int(i64::from(number));
        if s.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(hcode),
                entity: "gov_plan_revision",
                key: &format!("{hcode}/{fiscal_year}/{number}"),
                action: "approve",
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A visible unit's plan year, or `None` when no plan was entered.
    pub async fn get_plan_year(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
    ) -> Result<Option<PlanYear>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT p.plan_type, p.updated_at FROM gov_plans p JOIN units u ON u.hcode = p.hcode WHERE p.hcode = ",
        );
        s.text(hcode)
            .push(" AND p.fiscal_year = ")
            .int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut a = Sql::new(
            "SELECT a.kind, a.code, a.month, a.amount FROM gov_plan_amounts a WHERE a.hcode = ",
        );
        a.text(hcode)
            .push(" AND a.fiscal_year = ")
            .int(i64::from(fiscal_year));
        let mut plan_lines: BTreeMap<PlanCode, [i64; 12]> = BTreeMap::new();
        let mut actual_lines: BTreeMap<PlanCode, [i64; 12]> = BTreeMap::new();
        let mut months_closed = 0u8;
        for r in a.query().fetch_all(self.pool()).await? {
            let Ok(code) = get_s(&r, "code")?.parse::<PlanCode>() else {
                continue;
            };
            let month = usize::try_from(get_i(&r, "month")?).unwrap_or(0);
            if !(1..=12).contains(&month) {
                continue;
            }
            let target = if get_s(&r, "kind")? == "actual" {
                months_closed = months_closed.max(month as u8);
                &mut actual_lines
            } else {
                &mut plan_lines
            };
            target.entry(code).or_insert([0; 12])[month - 1] = get_i(&r, "amount")?;
        }
        let mut rv = Sql::new(
            "SELECT r.number, r.revised_on, r.note, r.approved, r.approved_by FROM gov_plan_revisions r WHERE r.hcode = ",
        );
        rv.text(hcode)
            .push(" AND r.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" ORDER BY r.number");
        let revisions = rv
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(StoredRevision {
                    revision: PlanRevision {
                        number: u32::try_from(get_i(r, "number")?).unwrap_or_default(),
                        date: crate::sql::get_os(r, "revised_on")?,
                        approved: get_i(r, "approved")? != 0,
                        note: get_s(r, "note")?,
                    },
                    approved_by: crate::sql::get_os(r, "approved_by")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let to_lines = |m: BTreeMap<PlanCode, [i64; 12]>| -> Vec<PlanLine> {
            m.into_iter()
                .map(|(code, months)| PlanLine { code, months })
                .collect()
        };
        Ok(Some(PlanYear {
            plan: Plan {
                hcode: hcode.to_string(),
                fiscal_year,
                plan_type: u8::try_from(get_i(&row, "plan_type")?).unwrap_or_default(),
                lines: to_lines(plan_lines),
                revisions: revisions.iter().map(|r| r.revision.clone()).collect(),
            },
            actuals: Actuals {
                lines: to_lines(actual_lines),
                months_closed,
            },
            revisions,
            updated_at: get_i(&row, "updated_at")?,
        }))
    }
}

impl Store {
    /// Plan types of the visible units' plans for a fiscal year, by unit.
    pub async fn plan_types_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
    ) -> Result<BTreeMap<String, u8>, StoreError> {
        let mut s = Sql::new(
            "SELECT p.hcode, p.plan_type FROM gov_plans p JOIN units u ON u.hcode = p.hcode WHERE p.fiscal_year = ",
        );
        s.int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_s(r, "hcode")?,
                    u8::try_from(get_i(r, "plan_type")?).unwrap_or_default(),
                ))
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// TPS inputs
// ---------------------------------------------------------------------------------------------

fn check_quarter(q: u8) -> Result<(), StoreError> {
    if (1..=4).contains(&q) {
        Ok(())
    } else {
        Err(StoreError::field(
            "quarter",
            "quarter must be 1 to 4",
            "ไตรมาสต้องเป็น 1 ถึง 4",
        ))
    }
}

impl Store {
    /// Saves a unit's TPS inputs for a fiscal year and quarter (replacing earlier ones).
    pub async fn save_tps_input(
        &self,
        actor: &Actor,
        fiscal_year: u16,
        quarter: u8,
        input: &TpsInput,
    ) -> Result<(), StoreError> {
        self.check_unit_writable(actor, &input.hcode).await?;
        check_fy(fiscal_year)?;
        check_quarter(quarter)?;
        let text = serde_json::to_string(input)
            .map_err(|e| StoreError::Config(format!("TPS input: {e}")))?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_tps_inputs (hcode, fiscal_year, quarter, input_json, updated_at, updated_by) VALUES (",
        );
        s.text(input.hcode.clone())
            .push(", ")
            .int(i64::from(fiscal_year))
            .push(", ")
            .int(i64::from(quarter))
            .push(", ")
            .text(text)
            .push(", ")
            .int(now_ms())
            .push(", ")
            .text(actor.username.clone())
            .push(") ON CONFLICT (hcode, fiscal_year, quarter) DO UPDATE SET input_json = excluded.input_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        record(
            &mut tx,
            actor,
            Change {
                hcode: Some(&input.hcode),
                entity: "gov_tps_input",
                key: &format!("{}/{fiscal_year}/{quarter}", input.hcode),
                action: "save",
                before: None,
                after: json(input),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A visible unit's TPS inputs, or `None` when none were entered.
    pub async fn get_tps_input(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<Option<TpsInput>, StoreError> {
        self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE t.hcode = ",
        );
        s.text(hcode)
            .push(" AND t.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        serde_json::from_str(&get_s(&row, "input_json")?)
            .map(Some)
            .map_err(|e| StoreError::Config(format!("stored TPS input: {e}")))
    }

    /// The group medians of a visible unit's peers for a quarter: every unit of the unit's
    /// province with TPS inputs, pooled by peer group. Only the medians leave the store, never
    /// another unit's figures.
    pub async fn tps_peer_medians(
        &self,
        actor: &Actor,
        hcode: &str,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<BTreeMap<String, TpsMedians>, StoreError> {
        let unit = self.get_unit(actor, hcode).await?;
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE u.province_code = ",
        );
        s.text(unit.province_code)
            .push(" AND t.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        let rows = s.query().fetch_all(self.pool()).await?;
        let inputs: Vec<TpsInput> = rows
            .iter()
            .filter_map(|r| get_s(r, "input_json").ok())
            .filter_map(|j| serde_json::from_str(&j).ok())
            .collect();
        Ok(peer_medians(&inputs))
    }
}

impl Store {
    /// TPS inputs of every visible unit for a fiscal year and quarter.
    pub async fn tps_inputs_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
        quarter: u8,
    ) -> Result<Vec<TpsInput>, StoreError> {
        let mut s = Sql::new(
            "SELECT t.input_json FROM gov_tps_inputs t JOIN units u ON u.hcode = t.hcode WHERE t.fiscal_year = ",
        );
        s.int(i64::from(fiscal_year))
            .push(" AND t.quarter = ")
            .int(i64::from(quarter));
        actor.push_unit_scope(&mut s, "u");
        s.push(" ORDER BY t.hcode");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                serde_json::from_str(&get_s(r, "input_json")?)
                    .map_err(|e| StoreError::Config(format!("stored TPS input: {e}")))
            })
            .collect()
    }
}
