//! Planfin (แผนทางการเงิน / maintenance-fund plan): plan lines by P-code (DOMAIN §5.3), plan
//! type check, plan vs actual per month and quarter, the ±5 % tolerance (TPS 1.1), the Q2 rule
//! (4P items 4.1/4.2) and the plan-review count (4P item 3).
//!
//! Months are fiscal months: index 0 = October … 11 = September.

use std::fmt;
use std::str::FromStr;

use raidai_domain::calendar;
use serde::{Deserialize, Serialize};

use crate::criteria::{PlanSide, PlanfinCriteria};
use crate::num::{Hundredths, Satang, format_baht_grouped};

/// Planfin line codes.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PlanCode {
    P04,
    P05,
    P06,
    P07,
    P61,
    P08,
    P09,
    P10,
    P11,
    P12,
    P13,
    P14,
    P15,
    P151,
    P16,
    P17,
    P18,
    P19,
    P20,
    P21,
    P22,
    P23,
    P24,
    P241,
    P25,
}

impl PlanCode {
    /// Every code, revenue first, in Planfin order.
    pub const ALL: [PlanCode; 25] = [
        PlanCode::P04,
        PlanCode::P05,
        PlanCode::P06,
        PlanCode::P07,
        PlanCode::P61,
        PlanCode::P08,
        PlanCode::P09,
        PlanCode::P10,
        PlanCode::P11,
        PlanCode::P12,
        PlanCode::P13,
        PlanCode::P14,
        PlanCode::P15,
        PlanCode::P151,
        PlanCode::P16,
        PlanCode::P17,
        PlanCode::P18,
        PlanCode::P19,
        PlanCode::P20,
        PlanCode::P21,
        PlanCode::P22,
        PlanCode::P23,
        PlanCode::P24,
        PlanCode::P241,
        PlanCode::P25,
    ];

    /// `"P04"` …
    pub fn code(self) -> &'static str {
        self.info().0
    }
    /// Revenue or expense.
    pub fn side(self) -> PlanSide {
        if self <= PlanCode::P13 {
            PlanSide::Revenue
        } else {
            PlanSide::Expense
        }
    }
    /// Thai name.
    pub fn name_th(self) -> &'static str {
        self.info().1
    }
    /// English name.
    pub fn name_en(self) -> &'static str {
        self.info().2
    }

    fn info(self) -> (&'static str, &'static str, &'static str) {
        use PlanCode::*;
        match self {
            P04 => ("P04", "รายได้ UC", "UC revenue"),
            P05 => ("P05", "รายได้ EMS", "EMS revenue"),
            P06 => (
                "P06",
                "ค่ารักษาเบิกต้นสังกัด",
                "Fees billed to the patient's agency",
            ),
            P07 => (
                "P07",
                "ค่ารักษาเบิกจ่ายตรงกรมบัญชีกลาง",
                "CSMBS direct billing (Comptroller General)",
            ),
            P61 => (
                "P61",
                "ค่ารักษา อปท.",
                "Local-government (อปท.) scheme revenue",
            ),
            P08 => ("P08", "รายได้ประกันสังคม", "Social-security revenue"),
            P09 => ("P09", "รายได้แรงงานต่างด้าว", "Migrant-worker revenue"),
            P10 => ("P10", "ค่ารักษาและบริการอื่น ๆ", "Other patient-service revenue"),
            P11 => ("P11", "รายได้งบประมาณส่วนบุคลากร", "Personnel budget revenue"),
            P12 => ("P12", "รายได้อื่น", "Other revenue"),
            P13 => ("P13", "รายได้งบลงทุน", "Capital budget revenue"),
            P14 => ("P14", "ต้นทุนยา", "Drugs"),
            P15 => (
                "P15",
                "ต้นทุนเวชภัณฑ์มิใช่ยา/วัสดุการแพทย์",
                "Non-drug medical supplies",
            ),
            P151 => ("P151", "ต้นทุนวัสดุทันตกรรม", "Dental supplies"),
            P16 => (
                "P16",
                "ต้นทุนวัสดุวิทยาศาสตร์การแพทย์",
                "Medical-science (lab) supplies",
            ),
            P17 => (
                "P17",
                "เงินเดือนและค่าจ้างประจำ",
                "Salaries and permanent wages",
            ),
            P18 => ("P18", "ค่าจ้างชั่วคราว/พกส./พนง.ราชการ", "Temporary wages"),
            P19 => ("P19", "ค่าตอบแทน", "Compensation"),
            P20 => ("P20", "ค่าใช้จ่ายบุคลากรอื่น", "Other personnel costs"),
            P21 => ("P21", "ค่าใช้สอย", "Operating costs"),
            P22 => ("P22", "ค่าสาธารณูปโภค", "Utilities"),
            P23 => ("P23", "วัสดุใช้ไป", "Materials used"),
            P24 => (
                "P24",
                "ค่าเสื่อมราคา/ตัดจำหน่าย",
                "Depreciation and amortisation",
            ),
            P241 => ("P241", "หนี้สูญและสงสัยจะสูญ", "Bad and doubtful debts"),
            P25 => ("P25", "ค่าใช้จ่ายอื่น", "Other expense"),
        }
    }
}

impl fmt::Display for PlanCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An unknown P-code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Planfin code {0:?}")]
pub struct UnknownPlanCode(pub String);

impl FromStr for PlanCode {
    type Err = UnknownPlanCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        PlanCode::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownPlanCode(s.to_owned()))
    }
}

/// Amounts of one P-code per fiscal month (index 0 = October).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    /// Line code.
    pub code: PlanCode,
    /// Satang per fiscal month.
    pub months: [Satang; 12],
}

/// One approved (or pending) revision of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRevision {
    /// Revision number (1 = first revision after the original plan).
    pub number: u32,
    /// ISO date `YYYY-MM-DD` of approval, when known.
    pub date: Option<String>,
    /// Approved by the authority (only approved revisions count as reviews).
    pub approved: bool,
    /// Free note.
    pub note: String,
}

/// A unit's plan for one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Unit code.
    pub hcode: String,
    /// Fiscal year, BE.
    pub fiscal_year: u16,
    /// Plan type 1–7 as entered (the documents do not define the types; see [`check_plan_type`]).
    pub plan_type: u8,
    /// Plan lines.
    pub lines: Vec<PlanLine>,
    /// Revisions (reviews) of the year.
    pub revisions: Vec<PlanRevision>,
}

fn side_months(lines: &[PlanLine], side: PlanSide) -> [i128; 12] {
    let mut out = [0i128; 12];
    for line in lines.iter().filter(|l| l.code.side() == side) {
        for (o, v) in out.iter_mut().zip(line.months) {
            *o += i128::from(v.0);
        }
    }
    out
}

/// Sums are taken in `i128` and saturate at the satang range when brought back (never wrap).
fn clamp(v: i128) -> Satang {
    Satang(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

impl Plan {
    /// Annual planned total of one side.
    pub fn total(&self, side: PlanSide) -> Satang {
        clamp(side_months(&self.lines, side).iter().sum())
    }
    /// Planned total of one side per fiscal month.
    pub fn monthly(&self, side: PlanSide) -> [Satang; 12] {
        side_months(&self.lines, side).map(clamp)
    }
}

/// Actual amounts by P-code, with how many fiscal months are closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actuals {
    /// Actual lines (months after `months_closed` are ignored).
    pub lines: Vec<PlanLine>,
    /// Fiscal months with actual figures (0..=12; 6 = Oct–Mar closed).
    pub months_closed: u8,
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// A warning about a plan (shown to the user, does not block saving).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanWarning {
    /// The plan type is not 1..=max.
    TypeOutOfRange {
        /// Type entered.
        plan_type: u8,
        /// Highest type.
        max: u8,
    },
    /// A "no risk" type whose planned revenue is below planned expense.
    NoRiskTypeWithDeficit {
        /// Type entered.
        plan_type: u8,
        /// Planned revenue.
        revenue: Satang,
        /// Planned expense.
        expense: Satang,
    },
}

impl PlanWarning {
    /// Message in Thai. The deficit rule is derived, not official: the UI should say so.
    pub fn message_th(&self) -> String {
        match self {
            PlanWarning::TypeOutOfRange { plan_type, max } => {
                format!("แผนแบบที่ {plan_type} ไม่มีในเกณฑ์ (มีแบบที่ 1–{max})")
            }
            PlanWarning::NoRiskTypeWithDeficit {
                plan_type,
                revenue,
                expense,
            } => format!(
                "แผนแบบที่ {plan_type} เป็นแบบไม่มีความเสี่ยง แต่แผนรายได้ {} บาท ต่ำกว่าแผนค่าใช้จ่าย {} บาท \
                 (ตรวจตามกฎที่อนุมานได้: แผนไม่มีความเสี่ยงต้องมีรายได้ ≥ ค่าใช้จ่าย; ยังไม่มีนิยามแบบแผนทางการ)",
                format_baht_grouped(*revenue),
                format_baht_grouped(*expense)
            ),
        }
    }
    /// Message in English.
    pub fn message_en(&self) -> String {
        match self {
            PlanWarning::TypeOutOfRange { plan_type, max } => {
                format!("plan type {plan_type} does not exist (types 1–{max})")
            }
            PlanWarning::NoRiskTypeWithDeficit {
                plan_type,
                revenue,
                expense,
            } => format!(
                "plan type {plan_type} is a no-risk type but planned revenue {} baht is below planned expense {} baht \
                 (derived rule: a no-risk plan needs revenue ≥ expense; the official type definitions are not loaded)",
                format_baht_grouped(*revenue),
                format_baht_grouped(*expense)
            ),
        }
    }
}

/// Checks the entered plan type against the one rule derivable from the documents: a no-risk
/// type (1–3) needs planned revenue ≥ planned expense. Empty when nothing is wrong.
pub fn check_plan_type(plan: &Plan, criteria: &PlanfinCriteria) -> Vec<PlanWarning> {
    let t = plan.plan_type;
    if t == 0 || t > criteria.plan_type_max {
        return vec![PlanWarning::TypeOutOfRange {
            plan_type: t,
            max: criteria.plan_type_max,
        }];
    }
    let (revenue, expense) = (plan.total(PlanSide::Revenue), plan.total(PlanSide::Expense));
    if criteria.no_risk_plan_types.contains(&t) && revenue < expense {
        return vec![PlanWarning::NoRiskTypeWithDeficit {
            plan_type: t,
            revenue,
            expense,
        }];
    }
    Vec::new()
}

/// True when the plan type is one of the "no risk" types (for the Budgeting measure).
pub fn is_no_risk_type(plan_type: u8, criteria: &PlanfinCriteria) -> bool {
    criteria.no_risk_plan_types.contains(&plan_type)
}

/// `actual` vs `plan` within ±`tolerance_pct` %, inclusive: `|actual − plan| ≤ tol × plan`.
/// `None` when the plan is not positive (no plan to compare with).
pub fn within_tolerance(plan: Satang, actual: Satang, tolerance_pct: Hundredths) -> Option<bool> {
    if !plan.is_positive() {
        return None;
    }
    let dev = (i128::from(actual.0) - i128::from(plan.0)).abs();
    Some(dev * 10_000 <= i128::from(tolerance_pct.raw()) * i128::from(plan.0))
}

/// `actual` reaches at least `pct` % of `plan` (exact). `None` when the plan is not positive.
pub fn reaches_share(plan: Satang, actual: Satang, pct: Hundredths) -> Option<bool> {
    if !plan.is_positive() {
        return None;
    }
    Some(i128::from(actual.0) * 10_000 >= i128::from(pct.raw()) * i128::from(plan.0))
}

/// `actual / plan × 100`; `None` when the plan is not positive.
pub fn percent_of_plan(plan: Satang, actual: Satang) -> Option<f64> {
    plan.is_positive()
        .then(|| actual.0 as f64 * 100.0 / plan.0 as f64)
}

/// One side compared for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideComparison {
    /// Planned.
    pub plan: Satang,
    /// Actual.
    pub actual: Satang,
    /// Actual − plan.
    pub variance: Satang,
    /// Actual as % of plan; `None` without a positive plan.
    pub pct_of_plan: Option<f64>,
    /// Within the ±tolerance; `None` without a positive plan.
    pub within_tolerance: Option<bool>,
}

fn compare(plan: i128, actual: i128, tol: Hundredths) -> SideComparison {
    let (plan, actual) = (clamp(plan), clamp(actual));
    SideComparison {
        plan,
        actual,
        variance: clamp(i128::from(actual.0) - i128::from(plan.0)),
        pct_of_plan: percent_of_plan(plan, actual),
        within_tolerance: within_tolerance(plan, actual, tol),
    }
}

/// Plan vs actual for a month, a quarter or the year to date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodComparison {
    /// `"ต.ค."`/`"Oct"` for a month, `"Q1"` for a quarter, `"YTD"`.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// First fiscal month (1-based).
    pub from_month: u8,
    /// Last fiscal month included (1-based; only closed months are compared).
    pub to_month: u8,
    /// Every month of the period is closed.
    pub complete: bool,
    /// Revenue side.
    pub revenue: SideComparison,
    /// Expense side.
    pub expense: SideComparison,
}

/// The Q2 rule for both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Q2Check {
    /// Threshold applied, %.
    pub threshold_pct: Hundredths,
    /// Annual planned revenue.
    pub plan_revenue: Satang,
    /// Actual revenue over the Q2 months.
    pub actual_revenue: Satang,
    /// Actual revenue as % of the annual plan.
    pub revenue_pct: Option<f64>,
    /// Revenue reaches the threshold; `None` without a positive plan.
    pub revenue_met: Option<bool>,
    /// Annual planned expense.
    pub plan_expense: Satang,
    /// Actual expense over the Q2 months.
    pub actual_expense: Satang,
    /// Actual expense as % of the annual plan.
    pub expense_pct: Option<f64>,
    /// Expense reaches the threshold; `None` without a positive plan.
    pub expense_met: Option<bool>,
}

/// Q2 rule: actual Oct–Mar revenue ≥ X % of the annual revenue plan, and the same for expense.
pub fn q2_check(
    plan_revenue: Satang,
    actual_revenue: Satang,
    plan_expense: Satang,
    actual_expense: Satang,
    threshold_pct: Hundredths,
) -> Q2Check {
    Q2Check {
        threshold_pct,
        plan_revenue,
        actual_revenue,
        revenue_pct: percent_of_plan(plan_revenue, actual_revenue),
        revenue_met: reaches_share(plan_revenue, actual_revenue, threshold_pct),
        plan_expense,
        actual_expense,
        expense_pct: percent_of_plan(plan_expense, actual_expense),
        expense_met: reaches_share(plan_expense, actual_expense, threshold_pct),
    }
}

/// Plan-review count against the required minimum (4P item 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewStatus {
    /// Approved revisions.
    pub approved: u32,
    /// Revisions not (yet) approved.
    pub pending: u32,
    /// Required per year.
    pub required: u32,
    /// `approved ≥ required`.
    pub met: bool,
}

/// Counts approved revisions against `criteria.min_reviews_per_year`.
pub fn review_status(plan: &Plan, criteria: &PlanfinCriteria) -> ReviewStatus {
    let approved = plan.revisions.iter().filter(|r| r.approved).count() as u32;
    let pending = plan.revisions.len() as u32 - approved;
    ReviewStatus {
        approved,
        pending,
        required: criteria.min_reviews_per_year,
        met: approved >= criteria.min_reviews_per_year,
    }
}

/// Per-line year-to-date comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineComparison {
    /// Line code.
    pub code: PlanCode,
    /// Annual plan of the line.
    pub plan_annual: Satang,
    /// Plan over the closed months.
    pub plan_ytd: Satang,
    /// Actual over the closed months.
    pub actual_ytd: Satang,
    /// Actual YTD as % of plan YTD.
    pub pct_of_plan_ytd: Option<f64>,
}

/// Full plan-vs-actual report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanVsActual {
    /// Months closed.
    pub months_closed: u8,
    /// One entry per closed month.
    pub months: Vec<PeriodComparison>,
    /// One entry per quarter with at least one closed month.
    pub quarters: Vec<PeriodComparison>,
    /// Year to date (closed months) — its `within_tolerance` is the TPS 1.1 check.
    pub ytd: PeriodComparison,
    /// Q2 rule, once the Q2 months are closed.
    pub q2: Option<Q2Check>,
    /// Per P-code, YTD.
    pub lines: Vec<LineComparison>,
}

/// Compares a plan with actuals month by month, by quarter and YTD, and applies the Q2 rule.
pub fn plan_vs_actual(plan: &Plan, actual: &Actuals, criteria: &PlanfinCriteria) -> PlanVsActual {
    let closed = actual.months_closed.min(12);
    let tol = criteria.plan_tolerance_pct;
    let (p_rev, p_exp) = (
        side_months(&plan.lines, PlanSide::Revenue),
        side_months(&plan.lines, PlanSide::Expense),
    );
    let (a_rev, a_exp) = (
        side_months(&actual.lines, PlanSide::Revenue),
        side_months(&actual.lines, PlanSide::Expense),
    );
    let period = |from: u8, to: u8, full_to: u8, th: String, en: String| {
        let r = usize::from(from - 1)..usize::from(to);
        PeriodComparison {
            label_th: th,
            label_en: en,
            from_month: from,
            to_month: to,
            complete: to == full_to,
            revenue: compare(
                p_rev[r.clone()].iter().sum(),
                a_rev[r.clone()].iter().sum(),
                tol,
            ),
            expense: compare(p_exp[r.clone()].iter().sum(), a_exp[r].iter().sum(), tol),
        }
    };
    let months = (1..=closed)
        .map(|m| {
            let i = calendar::calendar_month_of_fiscal(m) as usize - 1;
            let (th, en) = (calendar::THAI_MONTHS_SHORT[i], calendar::EN_MONTHS_SHORT[i]);
            period(m, m, m, th.to_owned(), en.to_owned())
        })
        .collect();
    let quarters = (0..4u8)
        .filter(|q| q * 3 < closed)
        .map(|q| {
            let (from, full_to) = (q * 3 + 1, q * 3 + 3);
            let label = format!("Q{}", q + 1);
            period(
                from,
                full_to.min(closed),
                full_to,
                format!("ไตรมาส {}", q + 1),
                label,
            )
        })
        .collect();
    let ytd = if closed == 0 {
        PeriodComparison {
            label_th: "สะสม".into(),
            label_en: "YTD".into(),
            from_month: 1,
            to_month: 0,
            complete: false,
            revenue: compare(0, 0, tol),
            expense: compare(0, 0, tol),
        }
    } else {
        period(1, closed, closed, "สะสม".into(), "YTD".into())
    };
    let q2m = usize::from(criteria.q2_months.min(12));
    let q2 = (closed >= criteria.q2_months).then(|| {
        q2_check(
            plan.total(PlanSide::Revenue),
            clamp(a_rev[..q2m].iter().sum()),
            plan.total(PlanSide::Expense),
            clamp(a_exp[..q2m].iter().sum()),
            criteria.q2_threshold_pct,
        )
    });
    let c = usize::from(closed);
    let lines = PlanCode::ALL
        .into_iter()
        .filter(|code| {
            plan.lines.iter().any(|l| l.code == *code)
                || actual.lines.iter().any(|l| l.code == *code)
        })
        .map(|code| {
            let sum = |lines: &[PlanLine], to: usize| -> i128 {
                lines
                    .iter()
                    .filter(|l| l.code == code)
                    .map(|l| l.months[..to].iter().map(|v| i128::from(v.0)).sum::<i128>())
                    .sum()
            };
            let (plan_ytd, actual_ytd) = (clamp(sum(&plan.lines, c)), clamp(sum(&actual.lines, c)));
            LineComparison {
                code,
                plan_annual: clamp(sum(&plan.lines, 12)),
                plan_ytd,
                actual_ytd,
                pct_of_plan_ytd: percent_of_plan(plan_ytd, actual_ytd),
            }
        })
        .collect();
    PlanVsActual {
        months_closed: closed,
        months,
        quarters,
        ytd,
        q2,
        lines,
    }
}
