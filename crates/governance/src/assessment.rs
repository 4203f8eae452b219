//! Self-assessments: the quality revenue-collection centre (4S4C, 72 points, plus the CSMBS
//! on-site survey, 28 points; GOVERNANCE §D) and the 4P working paper (GOVERNANCE §B).
//!
//! Catalogues (item ids, Thai/English texts, evidence) live in the criteria data. Marks are given
//! as `(item id, mark)` pairs. An item without a mark scores 0 and is listed in `unmarked`, so a
//! partly filled form can still be previewed; unknown ids, duplicates and invalid marks are errors.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::criteria::{
    AssessmentForm, AutoCheck, CollectionFund, FourPCriteria, GradeResult, PlanSide,
    RevenueCentreCriteria, ShareCheck, evaluate_share, grade_for,
};
use crate::num::{Hundredths, Satang, at_most};
use crate::planfin::{percent_of_plan, reaches_share};
use crate::seven_plus::DayMeasure;

/// Form id of the 4S4C assessment.
pub const FORM_4S4C: &str = "4s4c";
/// Form id of the CSMBS on-site survey.
pub const FORM_CSMBS_SURVEY: &str = "csmbs";

/// Why marks were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    /// The item id is not in the form.
    #[error("unknown item {id:?} for form {form:?}")]
    UnknownItem {
        /// Form id.
        form: String,
        /// Item id given.
        id: String,
    },
    /// The same item was marked twice.
    #[error("item {0:?} is marked more than once")]
    DuplicateItem(String),
    /// A mark other than 0 or the item maximum (2).
    #[error("item {id:?}: mark {mark} is not allowed (only 0 or {max})")]
    InvalidMark {
        /// Item id.
        id: String,
        /// Mark given.
        mark: u8,
        /// The item's maximum.
        max: u8,
    },
    /// The criteria have no form with this id.
    #[error("the criteria have no assessment form {0:?}")]
    UnknownForm(String),
}

/// One item's mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    /// Item id.
    pub id: String,
    /// Group id.
    pub group: String,
    /// Mark given; `None` when unmarked (scores 0).
    pub mark: Option<u8>,
    /// Item maximum.
    pub max: u8,
}

/// A group's subtotal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupScore {
    /// Group id.
    pub id: String,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
    /// Points.
    pub points: u32,
    /// Maximum.
    pub max: u32,
}

/// A form's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormScore {
    /// Form id.
    pub form: String,
    /// Points.
    pub points: u32,
    /// Maximum.
    pub max: u32,
    /// Per group.
    pub groups: Vec<GroupScore>,
    /// Per item, in printed order.
    pub items: Vec<ItemScore>,
    /// Items without a mark (counted as 0).
    pub unmarked: Vec<String>,
}

/// Marks by item id (trimmed). Each mark is first checked by `check` (known item, valid mark);
/// an id given twice is an error.
fn collect_marks<I, S, M>(
    marks: I,
    mut check: impl FnMut(&str, &M) -> Result<(), AssessmentError>,
) -> Result<BTreeMap<String, M>, AssessmentError>
where
    I: IntoIterator<Item = (S, M)>,
    S: AsRef<str>,
{
    let mut given = BTreeMap::new();
    for (id, mark) in marks {
        let id = id.as_ref().trim();
        check(id, &mark)?;
        if given.insert(id.to_owned(), mark).is_some() {
            return Err(AssessmentError::DuplicateItem(id.to_owned()));
        }
    }
    Ok(given)
}

/// The item ids (in printed order) that were given no mark.
fn unmarked<'a, M>(
    given: &BTreeMap<String, M>,
    ids: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    ids.filter(|id| !given.contains_key(*id)).cloned().collect()
}

/// Scores one form. Marks must be 0 or the item's maximum (2).
pub fn score_form<I, S>(form: &AssessmentForm, marks: I) -> Result<FormScore, AssessmentError>
where
    I: IntoIterator<Item = (S, u8)>,
    S: AsRef<str>,
{
    let given =
        collect_marks(marks, |id, &mark| {
            let item = form.items.iter().find(|i| i.id == id).ok_or_else(|| {
                AssessmentError::UnknownItem {
                    form: form.id.clone(),
                    id: id.to_owned(),
                }
            })?;
            if mark != 0 && mark != item.max {
                return Err(AssessmentError::InvalidMark {
                    id: id.to_owned(),
                    mark,
                    max: item.max,
                });
            }
            Ok(())
        })?;
    let items: Vec<ItemScore> = form
        .items
        .iter()
        .map(|i| ItemScore {
            id: i.id.clone(),
            group: i.group.clone(),
            mark: given.get(&i.id).copied(),
            max: i.max,
        })
        .collect();
    let groups: Vec<GroupScore> = form
        .groups
        .iter()
        .map(|g| GroupScore {
            id: g.id.clone(),
            label_th: g.label_th.clone(),
            label_en: g.label_en.clone(),
            points: items
                .iter()
                .filter(|i| i.group == g.id)
                .map(|i| u32::from(i.mark.unwrap_or(0)))
                .sum(),
            max: g.max,
        })
        .collect();
    Ok(FormScore {
        form: form.id.clone(),
        points: items.iter().map(|i| u32::from(i.mark.unwrap_or(0))).sum(),
        max: form.max,
        groups,
        unmarked: unmarked(&given, form.items.iter().map(|i| &i.id)),
        items,
    })
}

/// A unit's revenue-centre result: both forms, the 100-point total and the grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueCentreScore {
    /// 4S4C (72).
    pub four_s_four_c: FormScore,
    /// CSMBS on-site survey (28).
    pub csmbs_survey: FormScore,
    /// Sum of both (integer, 0..=100).
    pub total: u32,
    /// Full score (100).
    pub max: u32,
    /// Grade on the total.
    pub grade: GradeResult,
    /// The grade counts as good or very good for the indicator.
    pub good_or_better: bool,
}

/// Scores both forms and grades the total.
pub fn score_revenue_centre<I1, I2, S1, S2>(
    criteria: &RevenueCentreCriteria,
    marks_4s4c: I1,
    marks_csmbs_survey: I2,
) -> Result<RevenueCentreScore, AssessmentError>
where
    I1: IntoIterator<Item = (S1, u8)>,
    I2: IntoIterator<Item = (S2, u8)>,
    S1: AsRef<str>,
    S2: AsRef<str>,
{
    let form = |id: &str| {
        criteria
            .form(id)
            .ok_or_else(|| AssessmentError::UnknownForm(id.to_owned()))
    };
    let a = score_form(form(FORM_4S4C)?, marks_4s4c)?;
    let b = score_form(form(FORM_CSMBS_SURVEY)?, marks_csmbs_survey)?;
    let total = a.points + b.points;
    let grade = revenue_centre_grade(total, criteria);
    Ok(RevenueCentreScore {
        good_or_better: criteria.good_grades.contains(&grade.grade),
        four_s_four_c: a,
        csmbs_survey: b,
        total,
        max: criteria.max_total(),
        grade,
    })
}

/// Grade of an integer total (A 91–100, B 81–90, C 61–80, D 51–60, F ≤ 50 in FY2565).
pub fn revenue_centre_grade(total: u32, criteria: &RevenueCentreCriteria) -> GradeResult {
    grade_for(&criteria.grades, Hundredths::from_int(i64::from(total)))
}

/// Indicator 2: share of units graded good or better against the target (> 90 %).
pub fn revenue_centre_indicator(
    scores: &[RevenueCentreScore],
    criteria: &RevenueCentreCriteria,
) -> ShareCheck {
    let good = scores.iter().filter(|s| s.good_or_better).count();
    evaluate_share(good, scores.len(), criteria.good_share)
}

/// A mark the system suggests from its own data, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedMark {
    /// Item id.
    pub item_id: String,
    /// Suggested mark (0 or the item maximum).
    pub mark: u8,
    /// Reason, Thai.
    pub reason_th: String,
    /// Reason, English.
    pub reason_en: String,
}

/// A fund's collection period: measured from its balances, or a figure given in days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Days {
    /// From the balances and revenue ([`crate::seven_plus`]): the verdict is exact.
    Measured(DayMeasure),
    /// A figure as given, read as the decimal it prints as ([`at_most`]).
    Given(f64),
}

impl From<f64> for Days {
    fn from(v: f64) -> Self {
        Days::Given(v)
    }
}

impl From<DayMeasure> for Days {
    fn from(m: DayMeasure) -> Self {
        Days::Measured(m)
    }
}

impl Days {
    /// The days, for display; `None` when undefined (no revenue) or not finite.
    pub fn value(&self) -> Option<f64> {
        match self {
            Days::Measured(m) => m.days(),
            Days::Given(v) => Some(*v),
        }
        .filter(|v| v.is_finite())
    }

    /// `days ≤ limit`, exactly; `None` when undefined.
    pub fn at_most(&self, limit: Hundredths) -> Option<bool> {
        match self {
            Days::Measured(m) => m.at_most(limit),
            Days::Given(v) => Some(at_most(*v, limit)),
        }
    }
}

/// Collection periods per fund.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CollectionDays {
    /// UC.
    pub uc: Option<Days>,
    /// CSMBS.
    pub csmbs: Option<Days>,
    /// Social security.
    pub sss: Option<Days>,
}

/// Suggests marks for every item with an automatic check (4S4C 2.4: UC ≤ 60, CSMBS ≤ 60,
/// SSS ≤ 120 days). Items whose period is unknown get no suggestion.
pub fn suggest_marks(criteria: &RevenueCentreCriteria, days: CollectionDays) -> Vec<SuggestedMark> {
    let mut out = Vec::new();
    for item in criteria.forms.iter().flat_map(|f| &f.items) {
        let Some(AutoCheck::CollectionDays { fund, max_days }) = &item.auto_check else {
            continue;
        };
        let (value, th, en) = match fund {
            CollectionFund::Uc => (days.uc, "UC", "UC"),
            CollectionFund::Csmbs => (days.csmbs, "ชรก.", "CSMBS"),
            CollectionFund::Sss => (days.sss, "ปกส.", "social security"),
        };
        let Some((v, met)) = value.and_then(|d| Some((d.value()?, d.at_most(*max_days)?))) else {
            continue;
        };
        let limit = max_days.to_plain_string();
        out.push(SuggestedMark {
            item_id: item.id.clone(),
            mark: if met { item.max } else { 0 },
            reason_th: format!("ระยะเวลาเรียกเก็บหนี้ {th} {v:.2} วัน เกณฑ์ ≤ {limit} วัน"),
            reason_en: format!("{en} collection period {v:.2} days, limit ≤ {limit} days"),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 4P working paper
// ---------------------------------------------------------------------------------------------

/// A 4P mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FourPMark {
    /// มี/สมบูรณ์ (2).
    Complete,
    /// มี/ไม่สมบูรณ์ (1).
    Incomplete,
    /// ไม่มี (0).
    Absent,
    /// n/a: not applicable, excluded from the denominator.
    NotApplicable,
}

impl FourPMark {
    /// Points under `criteria` (`None` for n/a).
    pub fn points(self, criteria: &FourPCriteria) -> Option<u8> {
        match self {
            FourPMark::Complete => Some(criteria.marks.complete),
            FourPMark::Incomplete => Some(criteria.marks.incomplete),
            FourPMark::Absent => Some(criteria.marks.absent),
            FourPMark::NotApplicable => None,
        }
    }
}

impl fmt::Display for FourPMark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FourPMark::Complete => "2",
            FourPMark::Incomplete => "1",
            FourPMark::Absent => "0",
            FourPMark::NotApplicable => "x",
        })
    }
}

/// A 4P mark that is not 2, 1, 0 or n/a.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid 4P mark {0:?} (use 2, 1, 0 or x/n/a)")]
pub struct InvalidFourPMark(pub String);

impl FromStr for FourPMark {
    type Err = InvalidFourPMark;
    /// `2`/`๒`, `1`/`๑`, `0`/`๐`, or `x`/`n/a`/`na` for not applicable.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "2" | "๒" => Ok(FourPMark::Complete),
            "1" | "๑" => Ok(FourPMark::Incomplete),
            "0" | "๐" => Ok(FourPMark::Absent),
            "x" | "n/a" | "na" => Ok(FourPMark::NotApplicable),
            _ => Err(InvalidFourPMark(s.to_owned())),
        }
    }
}

/// One 4P item's mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FourPItemScore {
    /// Item id.
    pub id: String,
    /// Printed number.
    pub number: String,
    /// Group.
    pub group: String,
    /// Mark; `None` when unmarked (counted as absent, 0).
    pub mark: Option<FourPMark>,
}

/// The 4P working-paper result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FourPResult {
    /// Items in printed order.
    pub items: Vec<FourPItemScore>,
    /// Sum of marks (N = n1·2 + n2·1 + n3·0).
    pub sum: u32,
    /// Items not n/a.
    pub applicable: u32,
    /// `2 × applicable`.
    pub max_points: u32,
    /// `sum / max_points × 100`; `None` when every item is n/a.
    pub percent: Option<f64>,
    /// Target percent.
    pub target_pct: Hundredths,
    /// `percent ≥ target` (exact); `None` when every item is n/a.
    pub passed: Option<bool>,
    /// Items with no mark (counted as 0).
    pub unmarked: Vec<String>,
}

/// Scores the 4P working paper: percent = sum / (2 × non-n/a items) × 100, target ≥ 80 %.
pub fn score_four_p<I, S>(
    criteria: &FourPCriteria,
    marks: I,
) -> Result<FourPResult, AssessmentError>
where
    I: IntoIterator<Item = (S, FourPMark)>,
    S: AsRef<str>,
{
    let given = collect_marks(marks, |id, _| {
        if !criteria.items.iter().any(|i| i.id == id) {
            return Err(AssessmentError::UnknownItem {
                form: "4p".to_owned(),
                id: id.to_owned(),
            });
        }
        Ok(())
    })?;
    let items: Vec<FourPItemScore> = criteria
        .items
        .iter()
        .map(|i| FourPItemScore {
            id: i.id.clone(),
            number: i.number.clone(),
            group: i.group.clone(),
            mark: given.get(&i.id).copied(),
        })
        .collect();
    let mut sum = 0u32;
    let mut applicable = 0u32;
    for it in &items {
        let mark = it.mark.unwrap_or(FourPMark::Absent);
        if let Some(p) = mark.points(criteria) {
            sum += u32::from(p);
            applicable += 1;
        }
    }
    let max_points = applicable * u32::from(criteria.marks.complete);
    let (percent, passed) = if max_points == 0 {
        (None, None)
    } else {
        // sum/max×100 ≥ target  ⇔  sum·10000 ≥ target_hundredths·max
        let ok = i64::from(sum) * 10_000 >= criteria.target_pct.raw() * i64::from(max_points);
        (
            Some(f64::from(sum) * 100.0 / f64::from(max_points)),
            Some(ok),
        )
    };
    Ok(FourPResult {
        unmarked: unmarked(&given, criteria.items.iter().map(|i| &i.id)),
        items,
        sum,
        applicable,
        max_points,
        percent,
        target_pct: criteria.target_pct,
        passed,
    })
}

/// Suggested mark for 4P items 4.1/4.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Q2Suggestion {
    /// Revenue (4.1) or expense (4.2).
    pub side: PlanSide,
    /// Actual Oct–Mar as % of the annual plan; `None` without a plan.
    pub pct_of_plan: Option<f64>,
    /// Threshold applied.
    pub threshold_pct: Hundredths,
    /// Suggested mark.
    pub mark: FourPMark,
}

/// Suggests the mark of item 4.1 (revenue) or 4.2 (expense) from the annual plan and the actual
/// total for Oct–Mar: reaching `threshold_pct` of the plan → complete (2); a plan exists but the
/// share is not reached → incomplete (1: the comparison was made, the target not met); no positive
/// plan → absent (0).
pub fn suggest_q2_mark(
    side: PlanSide,
    annual_plan: Satang,
    actual_h1: Satang,
    threshold_pct: Hundredths,
) -> Q2Suggestion {
    let mark = match reaches_share(annual_plan, actual_h1, threshold_pct) {
        Some(true) => FourPMark::Complete,
        Some(false) => FourPMark::Incomplete,
        None => FourPMark::Absent,
    };
    Q2Suggestion {
        side,
        pct_of_plan: percent_of_plan(annual_plan, actual_h1),
        threshold_pct,
        mark,
    }
}
