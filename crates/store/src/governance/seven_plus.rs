//! 7 Plus Efficiency inputs (DOMAIN §5.2) and the receivable ledger's collection periods.

use super::*;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

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

pub(crate) async fn write_ratio_items(
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
        s.list(binds![hcode, i64::from(period), item.clone(), *amount])
            .push(")");
        s.query().execute(&mut **tx).await?;
    }
    Change::new("gov_ratio_items", &format!("{hcode}/{period}"), "save")
        .unit(hcode)
        .after_opt(json(items))
        .record(tx, actor)
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
pub(crate) fn margin_and_roa(
    items: &BTreeMap<String, i64>,
    net_income: Option<i64>,
) -> (Option<f64>, Option<f64>) {
    let g = |k: &str| items.get(k).copied().unwrap_or(0);
    let pct = |n: i64, d: i64| (d > 0).then(|| n as f64 * 100.0 / d as f64);
    (
        // An EBITDA beyond the satang range has no margin (never a wrapped one).
        g("ebitda_revenue")
            .checked_sub(g("ebitda_expense"))
            .and_then(|e| pct(e, g("medical_revenue"))),
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
            // A peer whose NI overflows is left out of the ROA median rather than wrapped.
            if let Some(v) = get_i(r, "revenue_ytd")?.checked_sub(get_i(r, "expense_ytd")?) {
                ni.insert(get_s(r, "hcode")?, v);
            }
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
        unit: Hcode,
        period: u32,
        items: &BTreeMap<String, i64>,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
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
        unit: Hcode,
        period: u32,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
        unit: Hcode,
        period: u32,
    ) -> Result<Option<SevenPlusFigures>, StoreError> {
        let hcode = unit.as_str();
        let unit_row = self.get_unit(actor, unit).await?;
        let closing = self.ratio_items(actor, unit, period).await?;
        let opening_period = (period / 100 - 1) * 100 + 12;
        let opening = self.ratio_items(actor, unit, opening_period).await?;
        let position = self
            .list_positions(actor, unit)
            .await?
            .into_iter()
            .find(|p| p.input.period == period);
        if closing.is_empty() && position.is_none() {
            return Ok(None);
        }
        let has_opening = !opening.is_empty();
        let c = |k: &str| Satang(closing.get(k).copied().unwrap_or(0));
        let bal = |k: &str| Balance {
            opening: if has_opening {
                Satang(opening.get(k).copied().unwrap_or(0))
            } else {
                c(k)
            },
            closing: c(k),
        };
        let too_large = |what: &str| {
            StoreError::field(
                "amount",
                format!("{what} of {hcode} {period} is beyond the largest amount raidai holds"),
                format!("{what} ของ {hcode} งวด {period} เกินจำนวนสูงสุดที่ระบบรองรับ"),
            )
        };
        let ebitda = c("ebitda_revenue")
            .checked_sub(c("ebitda_expense"))
            .ok_or_else(|| too_large("EBITDA"))?;
        let net_income = match &position {
            Some(p) => p
                .input
                .revenue_ytd
                .checked_sub(p.input.expense_ytd)
                .ok_or_else(|| too_large("net income"))?,
            None => Satang::ZERO,
        };
        let cash_ratio = position
            .as_ref()
            .and_then(|p| p.score().ok().and_then(|r| r.cash_ratio));
        let input = SevenPlusInput {
            days_ytd: days_ytd_for_period(period).unwrap_or(0),
            ebitda,
            operating_revenue: c("medical_revenue"),
            net_income,
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
            island: unit_row.island,
            median_operating_margin_pct: None,
            median_roa_pct: None,
        };
        let (m, r) = self.seven_plus_peer_medians(&unit_row, period).await?;
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
    pub opening: Satang,
    /// The same balance at the end of the period.
    pub closing: Satang,
    /// Revenue of the fund (credit − debit on `4…` accounts) from 1 October to the period end.
    pub revenue_ytd: Satang,
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
    /// A fund's collection period as its integers, for exact verdicts.
    pub fn measure(&self, fund: &str) -> Option<DayMeasure> {
        let f = self.funds.iter().find(|f| f.fund == fund)?;
        Some(DayMeasure {
            balance: Balance {
                opening: f.opening,
                closing: f.closing,
            },
            flow_ytd: f.revenue_ytd,
            days_ytd: self.days_ytd,
        })
    }

    /// Collection period in days of a fund (`None` without revenue).
    pub fn days(&self, fund: &str) -> Option<f64> {
        self.measure(fund)?.days()
    }
}

/// First and last service date (`yyyymmdd` CE) of the fiscal year to the end of `period`.
pub(crate) fn period_dates(period: u32) -> Option<(i64, i64)> {
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
        unit: Hcode,
        period: u32,
    ) -> Result<LedgerCollection, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
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
                    opening: Satang(opening),
                    closing: Satang(closing),
                    revenue_ytd: Satang(revenue_ytd),
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
