//! MoPH Risk Score (วิกฤตทางการเงิน ระดับ 0–7), DOMAIN §5.1, and the province summary against the
//! round targets (GOVERNANCE §C).
//!
//! Ratios are rounded to two places **before** they are compared with their thresholds, as HFO
//! does: `round(CA/CL, 2)` with halves away from zero, computed exactly from the satang integers.
//! This reproduces all 1,057 rows of the HFO reference file.
//!
//! Zero current liabilities: the three ratios are undefined. HFO's own pipeline drops such units;
//! here they are scored with **no liquidity point for an undefined ratio** (a unit owing nothing
//! short-term has no liquidity risk) and [`RiskResult::ratios_undefined`] is set so the UI can say
//! so. The status and survival points are computed as usual.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::batch::{self, BatchError, BatchReport, Header, RowCtx};
use crate::criteria::{
    CriteriaSet, RiskRoundTarget, RiskScoreCriteria, ShareCheck, ShareTarget, evaluate_share,
};
use crate::num::{Hundredths, Satang, format_baht, parse_satang};

/// Inputs of one unit for one period; amounts in satang, fiscal-YTD for revenue and expense.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInput {
    /// 5-digit MoPH unit code, kept as text (leading zeros matter).
    pub hcode: String,
    /// Period id: BE year × 100 + fiscal month (256909 = fiscal month 9 of FY2569).
    pub period: u32,
    /// Current assets (1001X).
    pub current_assets: Satang,
    /// Current liabilities (1001Y).
    pub current_liabilities: Satang,
    /// Quick assets (1002X).
    pub quick_assets: Satang,
    /// Cash and equivalents (1003X).
    pub cash_and_equivalents: Satang,
    /// Total revenue, fiscal YTD (3006Y).
    pub revenue_ytd: Satang,
    /// Total expense, fiscal YTD (3010X).
    pub expense_ytd: Satang,
}

/// How the survival points were reached, for display.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "case", rename_all = "snake_case")]
pub enum Survival {
    /// NWC ≥ 0 and NI ≥ 0.
    Healthy,
    /// NWC < 0 and NI < 0.
    BothNegative,
    /// NWC ≥ 0, NI < 0: the buffer lasts `months` at the current monthly loss.
    BufferMonths {
        /// NWC ÷ (|NI| ÷ fiscal month), for display (the points use an exact comparison).
        months: f64,
    },
    /// NWC < 0, NI > 0: `months` of the current monthly profit refill the hole.
    RefillMonths {
        /// −NWC ÷ (NI ÷ fiscal month), for display.
        months: f64,
    },
    /// NWC < 0, NI = 0: nothing refills the hole (scored as the longest band, 2 points).
    NoIncomeToRefill,
}

/// Risk Score of one unit for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskResult {
    /// Unit code.
    pub hcode: String,
    /// Period id.
    pub period: u32,
    /// Fiscal month (Oct = 1 … Sep = 12) = period % 100.
    pub fiscal_month: u8,
    /// Current ratio rounded to two places; `None` when current liabilities are 0.
    pub cr: Option<Hundredths>,
    /// Quick ratio rounded to two places; `None` when current liabilities are 0.
    pub qr: Option<Hundredths>,
    /// Cash ratio rounded to two places; `None` when current liabilities are 0.
    pub cash_ratio: Option<Hundredths>,
    /// True when current liabilities are 0: the ratios are undefined and earn no points.
    pub ratios_undefined: bool,
    /// Net working capital = CA − CL.
    pub nwc: Satang,
    /// Net income YTD = revenue − expense.
    pub ni: Satang,
    /// Liquidity points 0..=3.
    pub liquidity_points: u8,
    /// Status points 0..=2.
    pub status_points: u8,
    /// Survival points 0..=2.
    pub survival_points: u8,
    /// Sum of the three, 0..=7.
    pub risk_score: u8,
    /// How the survival points were reached.
    pub survival: Survival,
}

impl RiskResult {
    /// True when the score is at or above the "วิกฤต" reporting level (≥ 5 in FY2565).
    pub fn is_crisis(&self, criteria: &RiskScoreCriteria) -> bool {
        self.risk_score >= criteria.crisis_from_score
    }
}

/// Why a Risk Score could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    /// The period's last two digits are not a fiscal month 1..=12.
    #[error("period {0} does not end in a fiscal month 01-12")]
    InvalidPeriod(u32),
    /// NWC or NI does not fit in 64 bits.
    #[error("{0} overflows")]
    Overflow(&'static str),
}

/// Fiscal month of a period id (`256909` → 9); `None` unless 1..=12.
pub fn fiscal_month(period: u32) -> Option<u8> {
    let m = (period % 100) as u8;
    (1..=12).contains(&m).then_some(m)
}

impl RiskInput {
    /// Scores with the embedded FY2565 thresholds (the MoPH formula has not changed since).
    pub fn score(&self) -> Result<RiskResult, RiskError> {
        risk_score(self, &CriteriaSet::builtin().risk_score)
    }

    /// Problems a batch rejects before scoring: `(field, reason)`. Balances are absolute amounts,
    /// as HFO sums them; a negative one is almost always a sign error in the export.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.hcode.trim().is_empty() {
            out.push(("hcode", "unit code is empty".to_owned()));
        }
        if fiscal_month(self.period).is_none() {
            out.push((
                "period",
                "must be BE year × 100 + fiscal month 01-12, e.g. 256909".to_owned(),
            ));
        }
        for (field, v) in [
            ("current_assets", self.current_assets),
            ("current_liabilities", self.current_liabilities),
            ("quick_assets", self.quick_assets),
            ("cash_and_equivalents", self.cash_and_equivalents),
            ("revenue_ytd", self.revenue_ytd),
            ("expense_ytd", self.expense_ytd),
        ] {
            if v.is_negative() {
                out.push((
                    field,
                    "must not be negative (give the balance as a positive amount)".to_owned(),
                ));
            }
        }
        out
    }
}

/// Computes the Risk Score of `input` with `criteria` (DOMAIN §5.1).
///
/// Any amounts are accepted (negative ones are used as given); only an invalid period or an
/// overflowing NWC/NI is an error.
pub fn risk_score(
    input: &RiskInput,
    criteria: &RiskScoreCriteria,
) -> Result<RiskResult, RiskError> {
    let mo = fiscal_month(input.period).ok_or(RiskError::InvalidPeriod(input.period))?;
    let cl = input.current_liabilities;
    let cr = Hundredths::ratio_rounded(input.current_assets.0, cl.0);
    let qr = Hundredths::ratio_rounded(input.quick_assets.0, cl.0);
    let cash = Hundredths::ratio_rounded(input.cash_and_equivalents.0, cl.0);
    let below = |r: Option<Hundredths>, t: Hundredths| u8::from(r.is_some_and(|r| r < t));
    let liquidity = below(cr, criteria.current_ratio_below)
        + below(qr, criteria.quick_ratio_below)
        + below(cash, criteria.cash_ratio_below);

    let nwc = input
        .current_assets
        .checked_sub(cl)
        .ok_or(RiskError::Overflow("NWC"))?;
    let ni = input
        .revenue_ytd
        .checked_sub(input.expense_ytd)
        .ok_or(RiskError::Overflow("NI"))?;
    let status = u8::from(nwc.is_negative()) + u8::from(ni.is_negative());
    let (survival_points, survival) = survival(nwc, ni, mo, criteria);

    Ok(RiskResult {
        hcode: input.hcode.clone(),
        period: input.period,
        fiscal_month: mo,
        cr,
        qr,
        cash_ratio: cash,
        ratios_undefined: cl.is_zero(),
        nwc,
        ni,
        liquidity_points: liquidity,
        status_points: status,
        survival_points,
        risk_score: liquidity + status + survival_points,
        survival,
    })
}

/// `amount × mo / per < months` exactly: `amount·mo·100 < months_hundredths·per` (per > 0).
fn months_below(amount: i128, mo: u8, per: i128, months: Hundredths) -> bool {
    amount * i128::from(mo) * 100 < i128::from(months.raw()) * per
}

fn survival(nwc: Satang, ni: Satang, mo: u8, c: &RiskScoreCriteria) -> (u8, Survival) {
    let (nwc, ni) = (i128::from(nwc.0), i128::from(ni.0));
    let display = |num: i128, den: i128| num as f64 * f64::from(mo) / den as f64;
    match (nwc >= 0, ni >= 0) {
        (true, true) => (0, Survival::Healthy),
        (false, false) => (2, Survival::BothNegative),
        (true, false) => {
            let loss = -ni;
            let b = &c.buffer_months;
            let points = if months_below(nwc, mo, loss, b.first_below) {
                2
            } else if months_below(nwc, mo, loss, b.second_below) {
                1
            } else {
                0
            };
            (
                points,
                Survival::BufferMonths {
                    months: display(nwc, loss),
                },
            )
        }
        (false, true) => {
            if ni == 0 {
                return (2, Survival::NoIncomeToRefill);
            }
            let hole = -nwc;
            let r = &c.refill_months;
            let points = if months_below(hole, mo, ni, r.first_below) {
                0
            } else if months_below(hole, mo, ni, r.second_below) {
                1
            } else {
                2
            };
            (
                points,
                Survival::RefillMonths {
                    months: display(hole, ni),
                },
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Province summary
// ---------------------------------------------------------------------------------------------

/// Share of units at levels 7 and 6 against one round's targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceRiskSummary {
    /// Round length in months.
    pub round_months: u8,
    /// Units counted (one result each).
    pub units: usize,
    /// Units per score 0..=7.
    pub distribution: [usize; 8],
    /// Units at exactly level 7 vs the level-7 target.
    pub level7: ShareCheck,
    /// Units at exactly level 6 vs the level-6 target.
    pub level6: ShareCheck,
    /// Both targets met; `None` when there are no units.
    pub met: Option<bool>,
    /// Distinct periods among the results (more than one usually means mixed months).
    pub periods: Vec<u32>,
}

/// Summarises one result per unit against `round` (obtain it with
/// [`RiskScoreCriteria::round`]). Levels 6 and 7 are counted separately, each against its own
/// ceiling, as the indicator states them.
pub fn province_levels(results: &[RiskResult], round: &RiskRoundTarget) -> ProvinceRiskSummary {
    let mut distribution = [0usize; 8];
    for r in results {
        distribution[usize::from(r.risk_score.min(7))] += 1;
    }
    let at_most = |pct| ShareTarget {
        cmp: crate::criteria::Cmp::AtMost,
        pct,
    };
    let level7 = evaluate_share(
        distribution[7],
        results.len(),
        at_most(round.level7_max_pct),
    );
    let level6 = evaluate_share(
        distribution[6],
        results.len(),
        at_most(round.level6_max_pct),
    );
    let met = match (level7.met, level6.met) {
        (Some(a), Some(b)) => Some(a && b),
        _ => None,
    };
    let mut periods: Vec<u32> = results.iter().map(|r| r.period).collect();
    periods.sort_unstable();
    periods.dedup();
    ProvinceRiskSummary {
        round_months: round.months,
        units: results.len(),
        distribution,
        level7,
        level6,
        met,
        periods,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV batch
// ---------------------------------------------------------------------------------------------

/// Input columns of [`risk_score_csv`] (any order; other columns are copied through).
pub const RISK_INPUT_COLUMNS: [&str; 8] = [
    "hcode",
    "period",
    "current_assets",
    "current_liabilities",
    "quick_assets",
    "cash_and_equivalents",
    "revenue_ytd",
    "expense_ytd",
];

/// Columns appended by [`risk_score_csv`]. Ratios print like the HFO file (`8.68`, `14.3`, `4.0`)
/// and are empty when current liabilities are 0; `nwc`/`ni` print as baht with two decimals.
pub const RISK_OUTPUT_COLUMNS: [&str; 9] = [
    "cr",
    "qr",
    "cash_ratio",
    "nwc",
    "ni",
    "liquidity_points",
    "status_points",
    "survival_points",
    "risk_score",
];

/// Scores a CSV of units with the embedded thresholds; see [`risk_score_csv_with`].
pub fn risk_score_csv<R: Read, W: Write>(input: R, output: W) -> Result<BatchReport, BatchError> {
    risk_score_csv_with(input, output, &CriteriaSet::builtin().risk_score)
}

/// Scores a CSV of units.
///
/// Input: a header with [`RISK_INPUT_COLUMNS`] in any order (amounts in baht, e.g. `1234.56`).
/// Output: every input column in input order (except columns named like an output column, which
/// are recomputed) followed by [`RISK_OUTPUT_COLUMNS`]. Rows with bad values are reported in the
/// [`BatchReport`] and skipped.
pub fn risk_score_csv_with<R: Read, W: Write>(
    input: R,
    output: W,
    criteria: &RiskScoreCriteria,
) -> Result<BatchReport, BatchError> {
    let mut rdr = batch::reader(input);
    let header = Header::read(&mut rdr)?;
    let mut idx = [0usize; 8];
    for (slot, name) in idx.iter_mut().zip(RISK_INPUT_COLUMNS) {
        *slot = header.require(name)?;
    }
    let echoed = header.echoed(&RISK_OUTPUT_COLUMNS);
    let mut wtr = batch::writer(output);
    batch::write_echoed(&mut wtr, &header.raw, &echoed, &RISK_OUTPUT_COLUMNS)?;

    let mut report = BatchReport::default();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record)? {
        let Some(mut ctx) = report.start_row(&header, &record) else {
            continue;
        };
        let Some(input) = parse_row(&mut ctx, &idx) else {
            report.errors.append(&mut ctx.errors);
            continue;
        };
        let result = match risk_score(&input, criteria) {
            Ok(r) => r,
            Err(e) => {
                ctx.error("(row)", "", e.to_string());
                report.errors.append(&mut ctx.errors);
                continue;
            }
        };
        let ratio = |r: Option<Hundredths>| r.map(Hundredths::to_short_string).unwrap_or_default();
        let computed = [
            ratio(result.cr),
            ratio(result.qr),
            ratio(result.cash_ratio),
            format_baht(result.nwc),
            format_baht(result.ni),
            result.liquidity_points.to_string(),
            result.status_points.to_string(),
            result.survival_points.to_string(),
            result.risk_score.to_string(),
        ];
        batch::write_echoed(&mut wtr, &record, &echoed, &computed)?;
        report.rows_written += 1;
    }
    wtr.flush()?;
    Ok(report)
}

fn parse_row(ctx: &mut RowCtx<'_>, idx: &[usize; 8]) -> Option<RiskInput> {
    let hcode = ctx.text(idx[0], "hcode");
    let period = ctx.required(idx[1], "period", "period id (e.g. 256909)", |s| {
        s.parse::<u32>()
            .map_err(|_| "expected digits such as 256909")
    });
    let mut amounts = [Satang::ZERO; 6];
    let mut ok = true;
    for (k, amount) in amounts.iter_mut().enumerate() {
        let name = RISK_INPUT_COLUMNS[k + 2];
        match ctx.required(idx[k + 2], name, "baht amount", parse_satang) {
            Some(v) => *amount = v,
            None => ok = false,
        }
    }
    let (hcode, period) = (hcode?, period?);
    if !ok {
        return None;
    }
    let input = RiskInput {
        hcode,
        period,
        current_assets: amounts[0],
        current_liabilities: amounts[1],
        quick_assets: amounts[2],
        cash_and_equivalents: amounts[3],
        revenue_ytd: amounts[4],
        expense_ytd: amounts[5],
    };
    let problems = input.problems();
    if problems.is_empty() {
        return Some(input);
    }
    for (field, reason) in problems {
        let k = RISK_INPUT_COLUMNS
            .iter()
            .position(|c| *c == field)
            .unwrap_or(0);
        let value = ctx.text(idx[k], field).unwrap_or_default();
        ctx.error(field, &value, reason);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(ca: i64, cl: i64, q: i64, cash: i64, rev: i64, exp: i64, period: u32) -> RiskInput {
        RiskInput {
            hcode: "10670".into(),
            period,
            current_assets: Satang(ca),
            current_liabilities: Satang(cl),
            quick_assets: Satang(q),
            cash_and_equivalents: Satang(cash),
            revenue_ytd: Satang(rev),
            expense_ytd: Satang(exp),
        }
    }

    #[test]
    fn rounding_happens_before_comparison() {
        // QR 0.996 rounds to 1.00, which is not below 1.0 (the Chiang Klang 256908 case in RH1).
        let res = input(2000, 1000, 996, 1000, 1, 0, 256908).score().unwrap();
        assert_eq!(res.qr, Some(Hundredths(100)));
        assert_eq!(res.liquidity_points, 0);
        // 0.994 rounds to 0.99 and earns the point.
        let res = input(2000, 1000, 994, 1000, 1, 0, 256908).score().unwrap();
        assert_eq!(res.liquidity_points, 1);
    }

    #[test]
    fn invalid_period_is_an_error() {
        let r = input(1, 1, 1, 1, 1, 1, 256913);
        assert_eq!(r.score(), Err(RiskError::InvalidPeriod(256913)));
        assert_eq!(
            input(1, 1, 1, 1, 1, 1, 256900).score(),
            Err(RiskError::InvalidPeriod(256900))
        );
    }
}
