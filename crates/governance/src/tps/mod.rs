//! TPS, Total Performance Score, FY2565 version (GOVERNANCE §C): 15 points.
//!
//! Each item is scored as printed (its weight when met, else 0); each group's raw points are then
//! capped at the group maximum (1.3 prints 7 points of items under a maximum of 5), so the total
//! never exceeds the sum of the group maxima. Missing data means "not met" and the explanation
//! says the data is missing.
//!
//! This file holds the inputs and results; `score.rs` scores a unit, `medians.rs` takes the
//! peer-group medians, `csv.rs` is the CSV batch.

mod csv;
mod medians;
mod score;

pub use csv::{TPS_INPUT_COLUMNS, TPS_MEDIAN_COLUMNS, tps_csv, tps_output_columns};
pub use medians::{MedianValue, fill_missing_medians, group_medians, median, peer_medians};
pub use score::{tps_grade, tps_score};

use serde::{Deserialize, Serialize};

use crate::criteria::GradeResult;
use crate::num::{Hundredths, Satang};

/// The six costs of item 1.3 (satang): a unit's own, or its peer group's medians.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsCosts {
    /// Unit cost per OP visit, satang.
    pub unit_cost_op: Option<Satang>,
    /// Unit cost per IP AdjRW, satang.
    pub unit_cost_ip: Option<Satang>,
    /// Labour cost, satang.
    pub labour_cost: Option<Satang>,
    /// MC drugs, satang.
    pub mc_drug: Option<Satang>,
    /// MC laboratory, satang.
    pub mc_lab: Option<Satang>,
    /// MC medical supplies, satang.
    pub mc_supplies: Option<Satang>,
}

/// Peer-group medians a unit is compared with (official medians, or [`peer_medians`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TpsMedians {
    /// Medians of the six costs of item 1.3.
    #[serde(flatten)]
    pub costs: TpsCosts,
    /// Sum AdjRW.
    pub sum_adjrw: Option<f64>,
    /// Operating margin, %.
    pub operating_margin_pct: Option<f64>,
    /// ROA, %.
    pub roa_pct: Option<f64>,
}

/// Inputs of one unit for one TPS period. `None` = no data (the item is not met).
///
/// Plan/actual are the comparable figures of the period (the caller prorates the plan to the
/// period if the actuals are year-to-date).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TpsInput {
    /// Unit code.
    pub hcode: String,
    /// Period label, e.g. `"2565Q2"`.
    pub period: String,
    /// Peer group (A, S, M1, M2, F1, F2, F3 …), used for medians.
    pub peer_group: String,
    /// Planned revenue, satang.
    pub plan_revenue: Option<Satang>,
    /// Actual revenue, satang.
    pub actual_revenue: Option<Satang>,
    /// Planned expense, satang.
    pub plan_expense: Option<Satang>,
    /// Actual expense, satang.
    pub actual_expense: Option<Satang>,
    /// Trade payables period (drugs and supplies), days.
    pub payables_days: Option<f64>,
    /// Cash ratio, two places.
    pub cash_ratio: Option<Hundredths>,
    /// UC collection period, days.
    pub acp_uc_days: Option<f64>,
    /// CSMBS collection period, days.
    pub acp_csmbs_days: Option<f64>,
    /// Inventory days.
    pub inventory_days: Option<f64>,
    /// Island unit (longer inventory limit).
    pub island: bool,
    /// Unit costs, labour cost and MC costs.
    #[serde(flatten)]
    pub costs: TpsCosts,
    /// Preliminary accounting (trial balance) check passed.
    pub accounting_check_passed: Option<bool>,
    /// Bed occupancy, %.
    pub bed_occupancy_pct: Option<f64>,
    /// Sum of AdjRW this period.
    pub sum_adjrw: Option<f64>,
    /// Sum of AdjRW of the same period last year.
    pub sum_adjrw_last_year: Option<f64>,
    /// Operating margin, %.
    pub operating_margin_pct: Option<f64>,
    /// ROA, %.
    pub roa_pct: Option<f64>,
    /// EBITDA, satang.
    pub ebitda: Option<Satang>,
    /// Net working capital, satang.
    pub nwc: Option<Satang>,
    /// Medians of the unit's peer group.
    pub medians: TpsMedians,
}

/// One item's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TpsItemResult {
    /// Item id, `"1.2.4"`.
    pub id: String,
    /// Group id.
    pub group: String,
    /// Thai label.
    pub label_th: String,
    /// English label.
    pub label_en: String,
    /// Weight as printed.
    pub weight: Hundredths,
    /// Met.
    pub met: bool,
    /// `weight` when met, else 0.
    pub points: Hundredths,
    /// Some input was missing.
    pub missing_data: bool,
    /// Why, in Thai.
    pub explanation_th: String,
    /// Why, in English.
    pub explanation_en: String,
}

/// One group's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TpsGroupResult {
    /// Group id.
    pub id: String,
    /// Thai name.
    pub label_th: String,
    /// English name.
    pub label_en: String,
    /// Cap.
    pub max: Hundredths,
    /// Sum of the items' points.
    pub raw: Hundredths,
    /// `min(raw, max)`.
    pub capped: Hundredths,
}

/// A unit's TPS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TpsResult {
    /// Unit code.
    pub hcode: String,
    /// Period label.
    pub period: String,
    /// Items in printed order.
    pub items: Vec<TpsItemResult>,
    /// Groups in printed order.
    pub groups: Vec<TpsGroupResult>,
    /// Sum of raw group points (may exceed the maximum).
    pub raw_total: Hundredths,
    /// Sum of capped group points (≤ `max_total`).
    pub total: Hundredths,
    /// Full score.
    pub max_total: Hundredths,
    /// Grade with Thai/English names.
    pub grade: GradeResult,
}
