//! "7 Plus Efficiency Score" (DOMAIN §5.2): operating margin, ROA, payables days, collection
//! periods for UC / CSMBS / SSS and inventory days, each against its target.
//!
//! Day measures follow the general form `average balance ÷ flow for the period × days in the
//! period` with average = (opening + closing) / 2, fiscal-YTD flow and fiscal-YTD days (RH1 found
//! the monthly-days variant disagrees with TPS). Pass/fail is decided exactly from the integers;
//! the `f64` day values are for display.

use serde::{Deserialize, Serialize};

use crate::criteria::{Cmp, SevenPlusCriteria};
use crate::num::{Hundredths, Satang, fmt2};

/// Opening and closing balance of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Balance at the start of the fiscal year (or period).
    pub opening: Satang,
    /// Balance at the end of the period.
    pub closing: Satang,
}

/// `(opening + closing) / 2 ÷ flow × days`; `None` when `flow ≤ 0` (no revenue, purchases or
/// usage: the period is undefined, not zero).
pub fn collection_period_days(
    opening: Satang,
    closing: Satang,
    revenue_ytd: Satang,
    days_ytd: u32,
) -> Option<f64> {
    if !revenue_ytd.is_positive() {
        return None;
    }
    let avg = (opening.0 as f64 + closing.0 as f64) / 2.0;
    Some(avg / revenue_ytd.0 as f64 * f64::from(days_ytd))
}

/// Exact `collection_period_days(..) ≤ limit`; `None` when undefined.
pub fn days_at_most(
    opening: Satang,
    closing: Satang,
    flow_ytd: Satang,
    days_ytd: u32,
    limit: Hundredths,
) -> Option<bool> {
    if !flow_ytd.is_positive() {
        return None;
    }
    // (o+c)/2 / f × d ≤ L/100  ⇔  (o+c)·d·100 ≤ 2·L·f
    let lhs = (i128::from(opening.0) + i128::from(closing.0)) * i128::from(days_ytd) * 100;
    Some(lhs <= 2 * i128::from(limit.raw()) * i128::from(flow_ytd.0))
}

/// A day measure kept as the integers it is computed from, so that its verdict against a limit is
/// exact ([`days_at_most`]); [`DayMeasure::days`] is the `f64` for display.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayMeasure {
    /// Opening and closing balance.
    pub balance: Balance,
    /// Flow of the period (revenue, purchases or usage), fiscal YTD.
    pub flow_ytd: Satang,
    /// Days of the period.
    pub days_ytd: u32,
}

impl DayMeasure {
    /// [`collection_period_days`]: `None` when the flow is not positive.
    pub fn days(&self) -> Option<f64> {
        collection_period_days(
            self.balance.opening,
            self.balance.closing,
            self.flow_ytd,
            self.days_ytd,
        )
    }

    /// Exactly `days ≤ limit` ([`days_at_most`]): `None` when the flow is not positive.
    pub fn at_most(&self, limit: Hundredths) -> Option<bool> {
        days_at_most(
            self.balance.opening,
            self.balance.closing,
            self.flow_ytd,
            self.days_ytd,
            limit,
        )
    }
}

fn is_leap_ce(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days from 1 October to the end of fiscal month `fiscal_month` (Oct = 1 … Sep = 12) of fiscal
/// year `fiscal_year_be`; February follows the CE calendar (FY2567 includes 29 Feb 2024).
pub fn fiscal_days_ytd(fiscal_year_be: u16, fiscal_month: u8) -> Option<u32> {
    if !(1..=12).contains(&fiscal_month) {
        return None;
    }
    // Fiscal year N (BE) runs Oct (N-1) .. Sep N; its February is in CE year N - 543.
    let feb = if is_leap_ce(i32::from(fiscal_year_be) - 543) {
        29
    } else {
        28
    };
    let lengths = [31, 30, 31, 31, feb, 31, 30, 31, 30, 31, 31, 30];
    Some(lengths[..usize::from(fiscal_month)].iter().sum())
}

/// [`fiscal_days_ytd`] for a period id such as `256909`.
pub fn days_ytd_for_period(period: u32) -> Option<u32> {
    let fy = u16::try_from(period / 100).ok()?;
    fiscal_days_ytd(fy, (period % 100) as u8)
}

/// Inputs of one unit for one period (amounts in satang, flows fiscal-YTD).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SevenPlusInput {
    /// Days elapsed in the fiscal year to the period end ([`fiscal_days_ytd`]).
    pub days_ytd: u32,
    /// EBITDA (3330X − 3330Y).
    pub ebitda: Satang,
    /// Medical-service revenue (รายได้ค่ารักษา, 3200Y).
    pub operating_revenue: Satang,
    /// Net income YTD.
    pub net_income: Satang,
    /// Total assets (3210Y).
    pub total_assets: Satang,
    /// Trade payables for drugs and supplies (2600X).
    pub payables: Balance,
    /// Purchases on the credit side YTD (2600Y).
    pub purchases_ytd: Satang,
    /// UC receivable (2610X).
    pub receivable_uc: Balance,
    /// UC revenue YTD (2610Y).
    pub revenue_uc_ytd: Satang,
    /// CSMBS receivable (2620X).
    pub receivable_csmbs: Balance,
    /// CSMBS revenue YTD (2620Y).
    pub revenue_csmbs_ytd: Satang,
    /// SSS receivable (2630X).
    pub receivable_sss: Balance,
    /// SSS revenue YTD (2630Y).
    pub revenue_sss_ytd: Satang,
    /// Drugs and supplies inventory (2640X).
    pub inventory: Balance,
    /// Inventory usage YTD (2640Y).
    pub inventory_usage_ytd: Satang,
    /// Cash ratio (two places), which sets the payables limit; `None` uses the normal limit.
    pub cash_ratio: Option<Hundredths>,
    /// Island unit (longer inventory limit).
    pub island: bool,
    /// Peer-group median operating margin, %.
    pub median_operating_margin_pct: Option<f64>,
    /// Peer-group median ROA, %.
    pub median_roa_pct: Option<f64>,
}

/// The seven indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SevenPlusIndicator {
    /// EBITDA ÷ operating revenue × 100.
    OperatingMargin,
    /// NI ÷ total assets × 100.
    Roa,
    /// Payables days (drugs and supplies).
    PayablesDays,
    /// UC collection period.
    AcpUc,
    /// CSMBS collection period.
    AcpCsmbs,
    /// SSS collection period.
    AcpSss,
    /// Inventory days.
    InventoryDays,
}

impl SevenPlusIndicator {
    /// All seven in sheet order.
    pub const ALL: [SevenPlusIndicator; 7] = [
        SevenPlusIndicator::OperatingMargin,
        SevenPlusIndicator::Roa,
        SevenPlusIndicator::PayablesDays,
        SevenPlusIndicator::AcpUc,
        SevenPlusIndicator::AcpCsmbs,
        SevenPlusIndicator::AcpSss,
        SevenPlusIndicator::InventoryDays,
    ];
    /// Thai name.
    pub fn label_th(self) -> &'static str {
        match self {
            Self::OperatingMargin => "อัตรากำไรจากการดำเนินงาน (Operating Margin)",
            Self::Roa => "อัตราผลตอบแทนจากสินทรัพย์ (ROA)",
            Self::PayablesDays => "ระยะเวลาชำระหนี้การค้า ค่ายาและเวชภัณฑ์",
            Self::AcpUc => "ระยะเวลาเรียกเก็บหนี้ UC",
            Self::AcpCsmbs => "ระยะเวลาเรียกเก็บหนี้ CSMBS (ข้าราชการ)",
            Self::AcpSss => "ระยะเวลาเรียกเก็บหนี้ ประกันสังคม",
            Self::InventoryDays => "ระยะเวลาสินค้าคงคลัง",
        }
    }
    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::OperatingMargin => "Operating margin",
            Self::Roa => "Return on assets",
            Self::PayablesDays => "Payables period (drugs and supplies)",
            Self::AcpUc => "UC collection period",
            Self::AcpCsmbs => "CSMBS collection period",
            Self::AcpSss => "Social-security collection period",
            Self::InventoryDays => "Inventory days",
        }
    }
    /// `"%"` or `"days"`.
    pub fn unit(self) -> &'static str {
        match self {
            Self::OperatingMargin | Self::Roa => "%",
            _ => "days",
        }
    }
}

/// One indicator's value and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    /// Which indicator.
    pub indicator: SevenPlusIndicator,
    /// Value (% or days); `None` when the denominator is 0 or negative.
    pub value: Option<f64>,
    /// Target the value was compared with (median or day limit); `None` when no median is known.
    pub target: Option<f64>,
    /// At least the median for margins, at most the limit for day measures.
    pub comparison: Cmp,
    /// Verdict; `None` when the value or the target is missing.
    pub passed: Option<bool>,
}

/// All seven indicators of a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SevenPlusResult {
    /// In [`SevenPlusIndicator::ALL`] order.
    pub indicators: Vec<IndicatorResult>,
    /// Indicators passed.
    pub passed: usize,
    /// Indicators with a verdict.
    pub evaluated: usize,
}

impl SevenPlusResult {
    /// The result of one indicator (always present in a result from [`seven_plus`]).
    pub fn get(&self, indicator: SevenPlusIndicator) -> Option<&IndicatorResult> {
        self.indicators.iter().find(|r| r.indicator == indicator)
    }
}

fn pct(num: Satang, den: Satang) -> Option<f64> {
    den.is_positive()
        .then(|| num.0 as f64 * 100.0 / den.0 as f64)
}

/// Evaluates the 7 Plus indicators of `input` with `criteria`.
pub fn seven_plus(input: &SevenPlusInput, criteria: &SevenPlusCriteria) -> SevenPlusResult {
    let d = input.days_ytd;
    let margin = |indicator, value: Option<f64>, median: Option<f64>| {
        // The median is itself a margin of the peer group computed by the same formula, so a
        // unit at the median compares equal; an exact verdict would need exact medians.
        let passed = match (value, median) {
            (Some(v), Some(m)) => Some(v >= m),
            _ => None,
        };
        IndicatorResult {
            indicator,
            value,
            target: median,
            comparison: Cmp::AtLeast,
            passed,
        }
    };
    let days = |indicator, bal: Balance, flow: Satang, limit: Hundredths| IndicatorResult {
        indicator,
        value: collection_period_days(bal.opening, bal.closing, flow, d),
        target: Some(limit.as_f64()),
        comparison: Cmp::AtMost,
        passed: days_at_most(bal.opening, bal.closing, flow, d, limit),
    };
    let low_cash = input
        .cash_ratio
        .is_some_and(|c| c < criteria.low_cash_ratio_below);
    let payables_limit = if low_cash {
        criteria.payables_max_days_low_cash
    } else {
        criteria.payables_max_days
    };
    let inventory_limit = if input.island {
        criteria.inventory_max_days_island
    } else {
        criteria.inventory_max_days
    };
    let indicators = vec![
        margin(
            SevenPlusIndicator::OperatingMargin,
            pct(input.ebitda, input.operating_revenue),
            input.median_operating_margin_pct,
        ),
        margin(
            SevenPlusIndicator::Roa,
            pct(input.net_income, input.total_assets),
            input.median_roa_pct,
        ),
        days(
            SevenPlusIndicator::PayablesDays,
            input.payables,
            input.purchases_ytd,
            payables_limit,
        ),
        days(
            SevenPlusIndicator::AcpUc,
            input.receivable_uc,
            input.revenue_uc_ytd,
            criteria.acp_uc_max_days,
        ),
        days(
            SevenPlusIndicator::AcpCsmbs,
            input.receivable_csmbs,
            input.revenue_csmbs_ytd,
            criteria.acp_csmbs_max_days,
        ),
        days(
            SevenPlusIndicator::AcpSss,
            input.receivable_sss,
            input.revenue_sss_ytd,
            criteria.acp_sss_max_days,
        ),
        days(
            SevenPlusIndicator::InventoryDays,
            input.inventory,
            input.inventory_usage_ytd,
            inventory_limit,
        ),
    ];
    let passed = indicators.iter().filter(|r| r.passed == Some(true)).count();
    let evaluated = indicators.iter().filter(|r| r.passed.is_some()).count();
    SevenPlusResult {
        indicators,
        passed,
        evaluated,
    }
}

impl IndicatorResult {
    /// One-line explanation, Thai.
    pub fn explain_th(&self) -> String {
        let name = self.indicator.label_th();
        match (self.value, self.target) {
            (None, _) => format!("{name}: คำนวณไม่ได้ (ตัวหารเป็นศูนย์หรือติดลบ)"),
            (Some(v), None) => format!("{name} {} {}: ยังไม่มีค่ากลางกลุ่ม", fmt2(v), self.unit_th()),
            (Some(v), Some(t)) => format!(
                "{name} {} {} เกณฑ์ {} {} {}: {}",
                fmt2(v),
                self.unit_th(),
                self.comparison.symbol(),
                fmt2(t),
                self.unit_th(),
                if self.passed == Some(true) {
                    "ผ่าน"
                } else {
                    "ไม่ผ่าน"
                }
            ),
        }
    }

    /// One-line explanation, English.
    pub fn explain_en(&self) -> String {
        let name = self.indicator.label_en();
        let unit = self.indicator.unit();
        match (self.value, self.target) {
            (None, _) => format!("{name}: not computable (zero or negative denominator)"),
            (Some(v), None) => format!("{name} {} {unit}: no peer-group median yet", fmt2(v)),
            (Some(v), Some(t)) => format!(
                "{name} {} {unit}, target {} {} {unit}: {}",
                fmt2(v),
                self.comparison.symbol(),
                fmt2(t),
                if self.passed == Some(true) {
                    "passed"
                } else {
                    "failed"
                }
            ),
        }
    }

    fn unit_th(&self) -> &'static str {
        match self.indicator.unit() {
            "%" => "%",
            _ => "วัน",
        }
    }
}
