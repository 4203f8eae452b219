//! The criteria of each instrument: Risk Score and the five measures, 7 Plus, TPS, the
//! revenue-collection centre forms, the 4P working paper and Planfin.

use serde::{Deserialize, Serialize};

use super::{Grade, GradeBand, PlanSide, ShareCheck, ShareTarget, evaluate_share};
use crate::num::Hundredths;

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
