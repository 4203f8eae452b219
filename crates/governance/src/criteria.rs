//! Versioned governance criteria: every threshold, weight, cap, grade boundary and item catalogue
//! of one fiscal year (Buddhist Era) as data.
//!
//! FY2565 ships embedded (`criteria/fy2565.toml`). A later year is a data change: load it with
//! [`CriteriaSet::from_toml_str`] / [`CriteriaSet::from_json_str`] (a complete set in the same
//! shape) and keep it in a [`CriteriaLibrary`]. Loading validates the set ([`CriteriaSet::validate`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::num::Hundredths;

/// The embedded FY2565 criteria file.
pub const FY2565_TOML: &str = include_str!("../criteria/fy2565.toml");

/// Why a criteria set could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    /// The text is not valid TOML for a criteria set.
    #[error("criteria TOML: {0}")]
    Toml(String),
    /// The text is not valid JSON for a criteria set.
    #[error("criteria JSON: {0}")]
    Json(String),
    /// The set parsed but is inconsistent; one message per problem.
    #[error("criteria set is invalid: {}", .0.join("; "))]
    Invalid(Vec<String>),
}

/// Letter grade shared by TPS and the revenue-centre assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Best.
    A,
    /// Second.
    B,
    /// Third.
    C,
    /// Fourth.
    D,
    /// Failing.
    F,
}

impl Grade {
    /// `"A"` … `"F"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One grade band: totals `>= min` (and below the next band up) get `grade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeBand {
    /// The grade.
    pub grade: Grade,
    /// Inclusive lower bound.
    pub min: Hundredths,
    /// Thai name, e.g. ดีมาก.
    pub label_th: String,
    /// English name, e.g. Very good.
    pub label_en: String,
}

/// A grade with its names, as returned by the scoring functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeResult {
    /// The grade.
    pub grade: Grade,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
}

/// Picks the band for `total` from bands sorted by descending `min` (as validated). A total below
/// every band gets the lowest band; with no bands at all (only possible for hand-built, unvalidated
/// criteria) the result is `F` with empty names.
pub fn grade_for(bands: &[GradeBand], total: Hundredths) -> GradeResult {
    match bands.iter().find(|b| total >= b.min).or(bands.last()) {
        Some(band) => GradeResult {
            grade: band.grade,
            label_th: band.label_th.clone(),
            label_en: band.label_en.clone(),
        },
        None => GradeResult {
            grade: Grade::F,
            label_th: String::new(),
            label_en: String::new(),
        },
    }
}

/// Comparison of a share against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// share ≤ target
    AtMost,
    /// share ≥ target
    AtLeast,
    /// share > target
    GreaterThan,
}

impl Cmp {
    /// `"≤"`, `"≥"` or `">"`.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::AtMost => "≤",
            Cmp::AtLeast => "≥",
            Cmp::GreaterThan => ">",
        }
    }
}

/// "Share of units (%) `cmp` `pct`", e.g. level-7 units ≤ 2 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTarget {
    /// Direction of the comparison.
    pub cmp: Cmp,
    /// Target in percent.
    pub pct: Hundredths,
}

/// Result of comparing `count` out of `total` units with a [`ShareTarget`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareCheck {
    /// Units meeting the condition.
    pub count: usize,
    /// Units considered.
    pub total: usize,
    /// `count / total × 100`; `None` when `total` is 0.
    pub pct: Option<f64>,
    /// The target compared against.
    pub target: ShareTarget,
    /// Exact comparison; `None` when `total` is 0.
    pub met: Option<bool>,
}

/// Compares `count / total` with `target` exactly (no rounding of the share).
pub fn evaluate_share(count: usize, total: usize, target: ShareTarget) -> ShareCheck {
    if total == 0 {
        return ShareCheck {
            count,
            total,
            pct: None,
            target,
            met: None,
        };
    }
    // count/total*100 vs pct/100  ⇔  count*10000 vs pct_hundredths*total
    let lhs = count as i128 * 10_000;
    let rhs = i128::from(target.pct.raw()) * total as i128;
    let met = match target.cmp {
        Cmp::AtMost => lhs <= rhs,
        Cmp::AtLeast => lhs >= rhs,
        Cmp::GreaterThan => lhs > rhs,
    };
    ShareCheck {
        count,
        total,
        pct: Some(count as f64 * 100.0 / total as f64),
        target,
        met: Some(met),
    }
}

/// A share counted over every unit in scope: a unit without the data counts as not met and is
/// listed, so a measure never reads "1 / 1" when one hospital of thirteen reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedCount<K> {
    /// Units whose data meets the measure.
    pub met: usize,
    /// Every unit in scope (the denominator).
    pub total: usize,
    /// Units in scope without the data, in scope order.
    pub missing: Vec<K>,
}

/// Counts `scope` by each unit's `outcome` (`None`: no data, counted as not met).
pub fn count_in_scope<K: Clone>(
    scope: &[K],
    outcome: impl Fn(&K) -> Option<bool>,
) -> ScopedCount<K> {
    let mut c = ScopedCount {
        met: 0,
        total: scope.len(),
        missing: Vec::new(),
    };
    for k in scope {
        match outcome(k) {
            Some(true) => c.met += 1,
            Some(false) => {}
            None => c.missing.push(k.clone()),
        }
    }
    c
}

/// How to show a percentage beside its verdict against `limit` (percent): the value and the
/// decimals to print. Two decimals, more when two would round onto or across the limit (49.99999 %
/// is not "50.00 %" beside "not met"); past six, the value is cut toward its own side.
pub fn shown_beside_limit(pct: f64, limit: f64) -> (f64, usize) {
    let side = pct.partial_cmp(&limit);
    for d in 2..=6 {
        let f = 10f64.powi(d as i32);
        let r = (pct * f).round() / f;
        if r.partial_cmp(&limit) == side {
            return (pct, d);
        }
    }
    let f = 1e6;
    let cut = if pct < limit {
        (pct * f).floor() / f
    } else {
        (pct * f).ceil() / f
    };
    (cut, 6)
}

/// Revenue or expense side of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanSide {
    /// รายได้ / รายรับ
    Revenue,
    /// ค่าใช้จ่าย / รายจ่าย
    Expense,
}

impl PlanSide {
    /// Thai name.
    pub fn label_th(self) -> &'static str {
        match self {
            PlanSide::Revenue => "รายได้",
            PlanSide::Expense => "ค่าใช้จ่าย",
        }
    }
    /// English name.
    pub fn label_en(self) -> &'static str {
        match self {
            PlanSide::Revenue => "revenue",
            PlanSide::Expense => "expense",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Risk score and the five measures
// ---------------------------------------------------------------------------------------------

/// Small-success target for one inspection round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRoundTarget {
    /// Round length in months: 3, 6, 9 or 12.
    pub months: u8,
    /// Maximum share (%) of units at level 7.
    pub level7_max_pct: Hundredths,
    /// Maximum share (%) of units at level 6.
    pub level6_max_pct: Hundredths,
}

/// Survival-point bands (DOMAIN §5.1), in months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthBands {
    /// Below this many months: the first band (2 points for the buffer, 0 for the refill).
    pub first_below: Hundredths,
    /// Below this many months (and not in the first band): 1 point.
    pub second_below: Hundredths,
}

/// MoPH Risk Score thresholds (DOMAIN §5.1) and the province targets per round (GOVERNANCE §C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskScoreCriteria {
    /// A point when the rounded current ratio is below this (1.5).
    pub current_ratio_below: Hundredths,
    /// A point when the rounded quick ratio is below this (1.0).
    pub quick_ratio_below: Hundredths,
    /// A point when the rounded cash ratio is below this (0.8).
    pub cash_ratio_below: Hundredths,
    /// NWC ≥ 0, NI < 0: months the buffer lasts → `< first_below`: 2, `< second_below`: 1, else 0.
    pub buffer_months: MonthBands,
    /// NWC < 0, NI ≥ 0: months to refill → `< first_below`: 0, `< second_below`: 1, else 2.
    pub refill_months: MonthBands,
    /// Score from which RH1 reports a unit as "วิกฤต" (5).
    pub crisis_from_score: u8,
    /// Targets per round.
    pub rounds: Vec<RiskRoundTarget>,
}

impl RiskScoreCriteria {
    /// The target for a round of `months` (3, 6, 9, 12).
    pub fn round(&self, months: u8) -> Option<&RiskRoundTarget> {
        self.rounds.iter().find(|r| r.months == months)
    }
}

/// One of the five measures (มาตรการ) of the financial-crisis indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureTarget {
    /// Stable id, e.g. `"budgeting.no_risk_plan"`.
    pub id: String,
    /// Measure name in Thai, e.g. พัฒนาระบบบัญชี.
    pub measure_th: String,
    /// Measure name in English, e.g. Accounting.
    pub measure_en: String,
    /// What is counted, Thai.
    pub indicator_th: String,
    /// What is counted, English.
    pub indicator_en: String,
    /// Share target, when the measure is a share of units.
    #[serde(default)]
    pub share: Option<ShareTarget>,
    /// Value a unit must reach to be counted (e.g. TPS ≥ 10.5), when applicable.
    #[serde(default)]
    pub unit_threshold: Option<Hundredths>,
    /// Qualitative target (reported by inspectors) when there is no share, Thai.
    #[serde(default)]
    pub qualitative_th: Option<String>,
    /// Qualitative target, English.
    #[serde(default)]
    pub qualitative_en: Option<String>,
}

impl MeasureTarget {
    /// Compares `count` of `total` units with the share target; `None` for a qualitative measure.
    pub fn evaluate(&self, count: usize, total: usize) -> Option<ShareCheck> {
        self.share.map(|t| evaluate_share(count, total, t))
    }
}

// ---------------------------------------------------------------------------------------------
// 7 Plus
// ---------------------------------------------------------------------------------------------

/// "7 Plus Efficiency Score" targets (DOMAIN §5.2). Days may carry two decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SevenPlusCriteria {
    /// Payables (drugs and supplies) at most this many days (90).
    pub payables_max_days: Hundredths,
    /// … or this many when the cash ratio is low (180).
    pub payables_max_days_low_cash: Hundredths,
    /// "Low" cash ratio: below this (0.8).
    pub low_cash_ratio_below: Hundredths,
    /// UC collection period at most (60).
    pub acp_uc_max_days: Hundredths,
    /// CSMBS collection period at most (60).
    pub acp_csmbs_max_days: Hundredths,
    /// SSS collection period at most (90 in 7 Plus).
    pub acp_sss_max_days: Hundredths,
    /// Inventory days at most (60).
    pub inventory_max_days: Hundredths,
    /// Inventory days at most on an island (90).
    pub inventory_max_days_island: Hundredths,
}

// ---------------------------------------------------------------------------------------------
// TPS
// ---------------------------------------------------------------------------------------------

/// A TPS group (1.1 … 2.2) with its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsGroup {
    /// `"1.1"` …
    pub id: String,
    /// `"process"` or `"outcome"`.
    pub dimension: String,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
    /// Group maximum; raw points above it are capped.
    pub max: Hundredths,
}

/// Money measures compared with the peer-group median ("ไม่เกินค่ากลาง").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostMeasure {
    /// Unit cost per OP visit.
    UnitCostOp,
    /// Unit cost per IP AdjRW.
    UnitCostIp,
    /// Labour cost.
    LabourCost,
    /// Material cost: drugs.
    McDrug,
    /// Material cost: laboratory / medical science supplies.
    McLab,
    /// Material cost: medical (non-drug) supplies.
    McSupplies,
}

/// Percentage measures compared with the peer-group median ("≥ ค่ากลาง").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarginMeasure {
    /// EBITDA / operating revenue × 100.
    OperatingMargin,
    /// NI / total assets × 100.
    Roa,
}

/// Collection-period measures with a fixed day limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaysMeasure {
    /// UC collection period.
    AcpUc,
    /// CSMBS collection period.
    AcpCsmbs,
}

/// Money measures that must be ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonNegativeMeasure {
    /// EBITDA.
    Ebitda,
    /// Net working capital.
    Nwc,
}

/// How a TPS item is decided. The kinds are code; their numbers are data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TpsRule {
    /// Actual within ±`tolerance_pct` % of plan (inclusive).
    PlanTolerance {
        /// Revenue or expense.
        side: PlanSide,
        /// Tolerance in percent (5).
        tolerance_pct: Hundredths,
    },
    /// Payables days ≤ `max_days`, or ≤ `max_days_low_cash` when cash ratio < `low_cash_ratio_below`.
    PayablesDays {
        /// Normal limit (90).
        max_days: Hundredths,
        /// Limit when cash is low (180).
        max_days_low_cash: Hundredths,
        /// Cash ratio below which the longer limit applies (0.8).
        low_cash_ratio_below: Hundredths,
    },
    /// A collection period ≤ `max_days`.
    MaxDays {
        /// Which collection period.
        measure: DaysMeasure,
        /// Limit (60).
        max_days: Hundredths,
    },
    /// Inventory days ≤ `max_days` (island units: ≤ `max_days_island`).
    InventoryDays {
        /// Limit (60).
        max_days: Hundredths,
        /// Island limit (90).
        max_days_island: Hundredths,
    },
    /// Value ≤ peer-group median.
    AtMostMedian {
        /// Which cost.
        measure: CostMeasure,
    },
    /// Value ≥ peer-group median.
    AtLeastMedian {
        /// Which margin.
        measure: MarginMeasure,
    },
    /// The preliminary accounting (trial-balance) check passed.
    AccountingCheck,
    /// Bed occupancy ≥ `min_pct` %.
    BedOccupancy {
        /// Minimum (80).
        min_pct: Hundredths,
    },
    /// Sum AdjRW above the peer-group median, or up at least `growth_pct` % on last year.
    SumAdjRw {
        /// Growth that also earns the point (5).
        growth_pct: Hundredths,
    },
    /// Value ≥ 0.
    NonNegative {
        /// Which amount.
        measure: NonNegativeMeasure,
    },
    /// Cash ratio ≥ `min`.
    CashRatio {
        /// Minimum (0.8).
        min: Hundredths,
    },
}

/// One TPS item as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsItem {
    /// `"1.1.1"` …
    pub id: String,
    /// Group id.
    pub group: String,
    /// Thai label as printed.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// Printed target, Thai (e.g. "≤ 60 วัน").
    pub target_th: String,
    /// Printed target, English.
    pub target_en: String,
    /// Points when met.
    pub weight: Hundredths,
    /// Decision rule.
    pub rule: TpsRule,
}

/// Total Performance Score version of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsCriteria {
    /// Full score (15); the sum of the group maxima.
    pub max_total: Hundredths,
    /// Groups with caps.
    pub groups: Vec<TpsGroup>,
    /// Items in printed order.
    pub items: Vec<TpsItem>,
    /// Grade bands, highest first.
    pub grades: Vec<GradeBand>,
}

// ---------------------------------------------------------------------------------------------
// Revenue-collection centre (4S4C + CSMBS survey)
// ---------------------------------------------------------------------------------------------

/// A fund whose collection period an item checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionFund {
    /// UC (บัตรทอง).
    Uc,
    /// CSMBS (ข้าราชการ / ชรก.).
    Csmbs,
    /// Social security (ปกส.).
    Sss,
}

/// A check the system can make from its own data and offer as a suggested mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AutoCheck {
    /// Collection period of `fund` ≤ `max_days` (4S4C 2.4).
    CollectionDays {
        /// The fund.
        fund: CollectionFund,
        /// Limit in days.
        max_days: Hundredths,
    },
}

/// A group of an assessment form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentGroup {
    /// `"4s4c.1"` …
    pub id: String,
    /// Printed number, `"1"`.
    pub number: String,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
    /// Group maximum; equals the sum of its items' maxima.
    pub max: u32,
}

/// One 0/2 item of an assessment form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentItem {
    /// Stable id, e.g. `"4s4c.1.1.1"`.
    pub id: String,
    /// Group id.
    pub group: String,
    /// Printed number, e.g. `"1.1(1)"`.
    pub number: String,
    /// Parent heading of a numbered sub-item, Thai.
    #[serde(default)]
    pub heading_th: Option<String>,
    /// Parent heading, English.
    #[serde(default)]
    pub heading_en: Option<String>,
    /// Item text, Thai.
    pub text_th: String,
    /// Item text, English.
    pub text_en: String,
    /// Mark when met (2); the only other mark is 0.
    pub max: u8,
    /// Evidence that proves the item, Thai.
    pub evidence_th: String,
    /// Evidence, English.
    pub evidence_en: String,
    /// A check the system can compute itself.
    #[serde(default)]
    pub auto_check: Option<AutoCheck>,
}

/// An assessment form: 4S4C (72) or the CSMBS on-site survey (28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentForm {
    /// `"4s4c"` or `"csmbs"`.
    pub id: String,
    /// Thai title.
    pub title_th: String,
    /// English title.
    pub title_en: String,
    /// Full score of the form.
    pub max: u32,
    /// Groups.
    pub groups: Vec<AssessmentGroup>,
    /// Items in printed order.
    pub items: Vec<AssessmentItem>,
}

/// Quality revenue-collection centre criteria (GOVERNANCE §D).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueCentreCriteria {
    /// Grades that count as "good or very good" for the indicator.
    pub good_grades: Vec<Grade>,
    /// Share of units with a good grade (> 90 %).
    pub good_share: ShareTarget,
    /// Grade bands on the 100-point total, highest first.
    pub grades: Vec<GradeBand>,
    /// The forms (4S4C and the CSMBS survey).
    pub forms: Vec<AssessmentForm>,
}

impl RevenueCentreCriteria {
    /// The form with this id.
    pub fn form(&self, id: &str) -> Option<&AssessmentForm> {
        self.forms.iter().find(|f| f.id == id)
    }
    /// Full score over all forms (100).
    pub fn max_total(&self) -> u32 {
        self.forms.iter().map(|f| f.max).sum()
    }
}

// ---------------------------------------------------------------------------------------------
// 4P working paper and Planfin
// ---------------------------------------------------------------------------------------------

/// Mark values of the 4P working paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourPMarks {
    /// มี/สมบูรณ์ (2).
    pub complete: u8,
    /// มี/ไม่สมบูรณ์ (1).
    pub incomplete: u8,
    /// ไม่มี (0).
    pub absent: u8,
}

/// One 4P item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourPItem {
    /// `"4p.1"` … `"4p.23"`; item 4 is `"4p.4.1"` and `"4p.4.2"`.
    pub id: String,
    /// Printed number, `"4.1"`.
    pub number: String,
    /// Group (PHO, PLAN, PROCUREMENT, PORT, PAY …).
    pub group: String,
    /// Thai text.
    pub text_th: String,
    /// English text.
    pub text_en: String,
    /// For items 4.1/4.2: which side of the Q2 plan-vs-actual rule suggests the mark.
    #[serde(default)]
    pub q2_side: Option<PlanSide>,
}

/// A group of 4P items with the name the paper prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourPGroup {
    /// The items' `group` code (PHO, PLAN, …).
    pub id: String,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
}

/// 4P working paper (ตร.๐๑).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourPCriteria {
    /// Target percent (80).
    pub target_pct: Hundredths,
    /// Mark values.
    pub marks: FourPMarks,
    /// Names of the item groups; every item's group must be named here.
    pub groups: Vec<FourPGroup>,
    /// Items in printed order.
    pub items: Vec<FourPItem>,
}

/// Planfin rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanfinCriteria {
    /// Q2 rule: actual Oct–Mar ≥ this % of the annual plan (50; the summary slide says 80).
    pub q2_threshold_pct: Hundredths,
    /// Fiscal months counted by the Q2 rule (6 = Oct–Mar).
    pub q2_months: u8,
    /// Plan reviews required per year (1; the working paper says 3).
    pub min_reviews_per_year: u32,
    /// TPS 1.1 / plan-vs-actual tolerance in percent (5).
    pub plan_tolerance_pct: Hundredths,
    /// Highest plan type number (7).
    pub plan_type_max: u8,
    /// Plan types called "no risk" (1, 2, 3).
    pub no_risk_plan_types: Vec<u8>,
}

// ---------------------------------------------------------------------------------------------
// The set
// ---------------------------------------------------------------------------------------------

/// All criteria of one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaSet {
    /// Fiscal year, Buddhist Era (2565).
    pub fiscal_year: u16,
    /// Version label of this data, e.g. `"2565.1"`.
    pub version: String,
    /// Thai title.
    pub title_th: String,
    /// English title.
    pub title_en: String,
    /// Where the numbers come from.
    pub source: String,
    /// Risk Score and round targets.
    pub risk_score: RiskScoreCriteria,
    /// The five measures.
    pub measures: Vec<MeasureTarget>,
    /// 7 Plus targets.
    pub seven_plus: SevenPlusCriteria,
    /// TPS.
    pub tps: TpsCriteria,
    /// Revenue-collection centre (4S4C + survey).
    pub revenue_centre: RevenueCentreCriteria,
    /// 4P working paper.
    pub four_p: FourPCriteria,
    /// Planfin.
    pub planfin: PlanfinCriteria,
}

/// Sets loaded at run time by fiscal year (see [`CriteriaSet::install`]).
fn loaded_sets() -> &'static std::sync::RwLock<BTreeMap<u16, &'static CriteriaSet>> {
    static SETS: OnceLock<std::sync::RwLock<BTreeMap<u16, &'static CriteriaSet>>> = OnceLock::new();
    SETS.get_or_init(Default::default)
}

impl CriteriaSet {
    /// Parses and validates a set from TOML.
    pub fn from_toml_str(text: &str) -> Result<Self, CriteriaError> {
        let set: CriteriaSet =
            toml::from_str(text).map_err(|e| CriteriaError::Toml(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// Parses and validates a set from JSON.
    pub fn from_json_str(text: &str) -> Result<Self, CriteriaError> {
        let set: CriteriaSet =
            serde_json::from_str(text).map_err(|e| CriteriaError::Json(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// Serialises the set as pretty JSON (e.g. to store it in a database).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).expect("criteria always serialise")
    }

    /// The embedded FY2565 set.
    pub fn builtin() -> &'static CriteriaSet {
        static SET: OnceLock<CriteriaSet> = OnceLock::new();
        SET.get_or_init(|| {
            CriteriaSet::from_toml_str(FY2565_TOML).expect("embedded FY2565 criteria are valid")
        })
    }

    /// Every embedded set, oldest first.
    pub fn builtins() -> &'static [CriteriaSet] {
        std::slice::from_ref(CriteriaSet::builtin())
    }

    /// The embedded set in force for fiscal year `fy` (BE): the latest embedded year not after
    /// `fy`. Later years fall back to FY2565 until their data is loaded; check `fiscal_year` of the
    /// result to tell the user which year's criteria were applied. `None` before 2565.
    pub fn default_for(fy: u16) -> Option<&'static CriteriaSet> {
        // A set the province loaded for a year wins over an embedded one of the same year.
        let loaded = loaded_sets()
            .read()
            .ok()
            .and_then(|m| m.range(..=fy).next_back().map(|(_, s)| *s));
        let embedded = CriteriaSet::builtins()
            .iter()
            .filter(|s| s.fiscal_year <= fy)
            .max_by_key(|s| s.fiscal_year);
        match (loaded, embedded) {
            (Some(l), Some(e)) if e.fiscal_year > l.fiscal_year => Some(e),
            (Some(l), _) => Some(l),
            (None, e) => e,
        }
    }

    /// Puts a loaded set in force for its fiscal year (and the years after it until another is
    /// loaded), for every later [`CriteriaSet::default_for`] in this process.
    pub fn install(set: CriteriaSet) -> &'static CriteriaSet {
        // Loaded a handful of times a year: leaking each keeps `&'static` for the readers.
        let set: &'static CriteriaSet = Box::leak(Box::new(set));
        if let Ok(mut m) = loaded_sets().write() {
            m.insert(set.fiscal_year, set);
        }
        set
    }

    /// Key paths (`tps.max_total`, `measures[2].share.pct`, …) whose values differ from
    /// `other`'s, with both values as text; ids, titles and sources are compared too.
    pub fn differences(&self, other: &CriteriaSet) -> Vec<(String, String, String)> {
        fn flat(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        flat(&p, x, out);
                    }
                }
                serde_json::Value::Array(a) => {
                    for (i, x) in a.iter().enumerate() {
                        flat(&format!("{prefix}[{i}]"), x, out);
                    }
                }
                serde_json::Value::String(s) => {
                    out.insert(prefix.to_string(), s.clone());
                }
                other => {
                    out.insert(prefix.to_string(), other.to_string());
                }
            }
        }
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        flat("", &serde_json::to_value(self).unwrap_or_default(), &mut a);
        flat("", &serde_json::to_value(other).unwrap_or_default(), &mut b);
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        keys.into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| {
                (
                    k.clone(),
                    a.get(k).cloned().unwrap_or_default(),
                    b.get(k).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Checks internal consistency; every problem is listed.
    pub fn validate(&self) -> Result<(), CriteriaError> {
        let mut p = Vec::new();
        if self.fiscal_year < 2400 {
            p.push(format!(
                "fiscal_year {} is not a Buddhist Era year",
                self.fiscal_year
            ));
        }
        validate_risk(&self.risk_score, &mut p);
        unique(
            self.measures.iter().map(|m| m.id.as_str()),
            "measure",
            &mut p,
        );
        validate_tps(&self.tps, &mut p);
        validate_revenue_centre(&self.revenue_centre, &mut p);
        validate_four_p(&self.four_p, &mut p);
        let pf = &self.planfin;
        if pf.q2_months == 0 || pf.q2_months > 12 {
            p.push(format!("planfin.q2_months {} is not 1..=12", pf.q2_months));
        }
        if pf.plan_type_max == 0 {
            p.push("planfin.plan_type_max must be at least 1".to_owned());
        }
        if !(1..=12).contains(&pf.min_reviews_per_year) {
            p.push(format!(
                "planfin.min_reviews_per_year {} is not 1..=12",
                pf.min_reviews_per_year
            ));
        }
        // Every percentage a rule compares with is a share: 0 to 100.
        let mut pct = |name: String, h: Hundredths| {
            if !(0..=10_000).contains(&h.raw()) {
                p.push(format!(
                    "{name} {} is not a percentage (0 to 100)",
                    h.to_plain_string()
                ));
            }
        };
        pct("planfin.q2_threshold_pct".into(), pf.q2_threshold_pct);
        pct("planfin.plan_tolerance_pct".into(), pf.plan_tolerance_pct);
        pct("four_p.target_pct".into(), self.four_p.target_pct);
        pct(
            "revenue_centre.good_share.pct".into(),
            self.revenue_centre.good_share.pct,
        );
        for (i, m) in self.measures.iter().enumerate() {
            if let Some(sh) = m.share {
                pct(format!("measures[{i}] ({}).share.pct", m.id), sh.pct);
            }
        }
        for (i, r) in self.risk_score.rounds.iter().enumerate() {
            pct(
                format!("risk_score.rounds[{i}].level7_max_pct"),
                r.level7_max_pct,
            );
            pct(
                format!("risk_score.rounds[{i}].level6_max_pct"),
                r.level6_max_pct,
            );
        }
        let sp = &self.seven_plus;
        for (name, d) in [
            ("payables_max_days", sp.payables_max_days),
            ("payables_max_days_low_cash", sp.payables_max_days_low_cash),
            ("acp_uc_max_days", sp.acp_uc_max_days),
            ("acp_csmbs_max_days", sp.acp_csmbs_max_days),
            ("acp_sss_max_days", sp.acp_sss_max_days),
            ("inventory_max_days", sp.inventory_max_days),
            ("inventory_max_days_island", sp.inventory_max_days_island),
        ] {
            if d.raw() < 0 {
                p.push(format!(
                    "seven_plus.{name} {} is negative",
                    d.to_plain_string()
                ));
            }
        }
        for t in &pf.no_risk_plan_types {
            if *t == 0 || *t > pf.plan_type_max {
                p.push(format!(
                    "planfin.no_risk_plan_types: {t} is not a plan type"
                ));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(CriteriaError::Invalid(p))
        }
    }
}

fn unique<'a>(ids: impl Iterator<Item = &'a str>, what: &str, p: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            p.push(format!("duplicate {what} id {id:?}"));
        }
    }
}

fn validate_bands(bands: &[GradeBand], what: &str, p: &mut Vec<String>) {
    if bands.is_empty() {
        p.push(format!("{what}: no grade bands"));
        return;
    }
    if bands.windows(2).any(|w| w[0].min <= w[1].min) {
        p.push(format!(
            "{what}: grade bands must be in strictly descending order of min"
        ));
    }
    if bands.last().is_some_and(|b| b.min != Hundredths::ZERO) {
        p.push(format!("{what}: the lowest grade band must start at 0"));
    }
}

fn validate_risk(r: &RiskScoreCriteria, p: &mut Vec<String>) {
    for (name, b) in [
        ("buffer_months", &r.buffer_months),
        ("refill_months", &r.refill_months),
    ] {
        if b.first_below > b.second_below {
            p.push(format!(
                "risk_score.{name}: first_below exceeds second_below"
            ));
        }
    }
    if r.rounds.is_empty() {
        p.push("risk_score.rounds is empty".to_owned());
    }
    let mut seen = BTreeSet::new();
    for round in &r.rounds {
        if !seen.insert(round.months) {
            p.push(format!(
                "risk_score.rounds: duplicate round {}",
                round.months
            ));
        }
    }
}

fn validate_tps(t: &TpsCriteria, p: &mut Vec<String>) {
    unique(t.groups.iter().map(|g| g.id.as_str()), "TPS group", p);
    unique(t.items.iter().map(|i| i.id.as_str()), "TPS item", p);
    let groups: BTreeSet<&str> = t.groups.iter().map(|g| g.id.as_str()).collect();
    for item in &t.items {
        if !groups.contains(item.group.as_str()) {
            p.push(format!(
                "TPS item {} names unknown group {}",
                item.id, item.group
            ));
        }
        if item.weight < Hundredths::ZERO {
            p.push(format!("TPS item {} has a negative weight", item.id));
        }
    }
    let sum: Hundredths = t.groups.iter().map(|g| g.max).sum();
    if sum != t.max_total {
        p.push(format!(
            "TPS group maxima add to {} but max_total is {}",
            sum.to_plain_string(),
            t.max_total.to_plain_string()
        ));
    }
    validate_bands(&t.grades, "tps.grades", p);
}

fn validate_revenue_centre(rc: &RevenueCentreCriteria, p: &mut Vec<String>) {
    validate_bands(&rc.grades, "revenue_centre.grades", p);
    unique(rc.forms.iter().map(|f| f.id.as_str()), "assessment form", p);
    unique(
        rc.forms
            .iter()
            .flat_map(|f| f.items.iter().map(|i| i.id.as_str())),
        "assessment item",
        p,
    );
    for form in &rc.forms {
        unique(
            form.groups.iter().map(|g| g.id.as_str()),
            "assessment group",
            p,
        );
        let mut per_group: BTreeMap<&str, u32> = BTreeMap::new();
        for item in &form.items {
            if item.max == 0 {
                p.push(format!("item {} has max 0", item.id));
            }
            if !form.groups.iter().any(|g| g.id == item.group) {
                p.push(format!(
                    "item {} names unknown group {}",
                    item.id, item.group
                ));
            }
            *per_group.entry(item.group.as_str()).or_default() += u32::from(item.max);
        }
        for g in &form.groups {
            let got = per_group.get(g.id.as_str()).copied().unwrap_or(0);
            if got != g.max {
                p.push(format!(
                    "group {} items add to {got} but the group maximum is {}",
                    g.id, g.max
                ));
            }
        }
        let groups_total: u32 = form.groups.iter().map(|g| g.max).sum();
        if groups_total != form.max {
            p.push(format!(
                "form {} groups add to {groups_total} but the form maximum is {}",
                form.id, form.max
            ));
        }
    }
}

fn validate_four_p(f: &FourPCriteria, p: &mut Vec<String>) {
    unique(f.items.iter().map(|i| i.id.as_str()), "4P item", p);
    let m = &f.marks;
    if !(m.complete > m.incomplete && m.incomplete > m.absent) {
        p.push("four_p.marks must satisfy complete > incomplete > absent".to_owned());
    }
    if f.items.is_empty() {
        p.push("four_p.items is empty".to_owned());
    }
    unique(f.groups.iter().map(|g| g.id.as_str()), "4P group", p);
    for i in &f.items {
        if !f.groups.iter().any(|g| g.id == i.group) {
            p.push(format!(
                "four_p.items {}: group {} has no [[four_p.groups]] entry",
                i.id, i.group
            ));
        }
    }
}

impl FourPCriteria {
    /// The printed name of an item group (its code when unnamed).
    pub fn group_label<'a>(&'a self, id: &'a str) -> (&'a str, &'a str) {
        self.groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| (g.label_th.as_str(), g.label_en.as_str()))
            .unwrap_or((id, id))
    }
}

impl CriteriaSet {
    /// Why the 7 Plus page and the 4S4C form hold a fund's collection period to different
    /// limits (social security: 90 and 120 days): `(th, en)`, or `None` when they agree.
    pub fn collection_limit_note(&self, fund: CollectionFund) -> Option<(String, String)> {
        let sp = &self.seven_plus;
        let seven = match fund {
            CollectionFund::Uc => sp.acp_uc_max_days,
            CollectionFund::Csmbs => sp.acp_csmbs_max_days,
            CollectionFund::Sss => sp.acp_sss_max_days,
        };
        let form = self
            .revenue_centre
            .forms
            .iter()
            .flat_map(|f| &f.items)
            .find_map(|i| match &i.auto_check {
                Some(AutoCheck::CollectionDays { fund: f, max_days }) if *f == fund => {
                    Some(*max_days)
                }
                _ => None,
            })?;
        (form != seven).then(|| {
            let (a, b) = (seven.to_plain_string(), form.to_plain_string());
            (
                format!(
                    "คนละเครื่องมือ คนละเกณฑ์: 7 Plus Efficiency ใช้ ≤ {a} วัน ส่วนแบบประเมินศูนย์จัดเก็บรายได้ (4S4C ข้อ 2.4) ใช้ ≤ {b} วัน"
                ),
                format!(
                    "Two instruments, two limits: 7 Plus Efficiency uses ≤ {a} days, the revenue-centre form (4S4C item 2.4) ≤ {b} days"
                ),
            )
        })
    }
}

/// Criteria sets by fiscal year: the embedded ones plus any loaded at run time (which replace an
/// embedded set of the same year).
#[derive(Debug, Clone, Default)]
pub struct CriteriaLibrary {
    sets: BTreeMap<u16, CriteriaSet>,
}

impl CriteriaLibrary {
    /// An empty library.
    pub fn new() -> Self {
        Self::default()
    }

    /// A library holding the embedded sets.
    pub fn with_builtins() -> Self {
        let mut lib = Self::new();
        for set in CriteriaSet::builtins() {
            lib.insert(set.clone());
        }
        lib
    }

    /// Adds or replaces the set of its fiscal year; returns the one replaced.
    pub fn insert(&mut self, set: CriteriaSet) -> Option<CriteriaSet> {
        self.sets.insert(set.fiscal_year, set)
    }

    /// The set of exactly `fy`.
    pub fn exact(&self, fy: u16) -> Option<&CriteriaSet> {
        self.sets.get(&fy)
    }

    /// The set in force for `fy`: exact, else the latest earlier year.
    pub fn for_year(&self, fy: u16) -> Option<&CriteriaSet> {
        self.sets.range(..=fy).next_back().map(|(_, s)| s)
    }

    /// Fiscal years held, ascending.
    pub fn years(&self) -> Vec<u16> {
        self.sets.keys().copied().collect()
    }
}
