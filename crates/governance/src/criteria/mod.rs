//! Versioned governance criteria: every threshold, weight, cap, grade boundary and item catalogue
//! of one fiscal year (Buddhist Era) as data.
//!
//! FY2565 ships embedded (`criteria/fy2565.toml`). A later year is a data change: load it with
//! [`CriteriaSet::from_toml_str`] / [`CriteriaSet::from_json_str`] (a complete set in the same
//! shape) and keep it in a [`CriteriaLibrary`]. Loading validates the set ([`CriteriaSet::validate`]).
//!
//! This file holds the types every instrument shares (grades, share targets, plan sides);
//! `sections.rs` the criteria of each instrument (Risk Score and measures, 7 Plus, TPS,
//! revenue centre, 4P, Planfin); `set.rs` the set of a year, its loading, validation and library.

mod sections;
mod set;

pub use sections::{
    AssessmentForm, AssessmentGroup, AssessmentItem, AutoCheck, CollectionFund, CostMeasure,
    DaysMeasure, FourPCriteria, FourPGroup, FourPItem, FourPMarks, MarginMeasure, MeasureTarget,
    MonthBands, NonNegativeMeasure, PlanfinCriteria, RevenueCentreCriteria, RiskRoundTarget,
    RiskScoreCriteria, SevenPlusCriteria, TpsCriteria, TpsGroup, TpsItem, TpsRule,
};
pub use set::{CriteriaLibrary, CriteriaSet};

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::num::Hundredths;

/// The embedded FY2565 criteria file.
pub const FY2565_TOML: &str = include_str!("../../criteria/fy2565.toml");

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
