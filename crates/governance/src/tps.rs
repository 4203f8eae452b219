//! TPS, Total Performance Score, FY2565 version (GOVERNANCE §C): 15 points.
//!
//! Each item is scored as printed (its weight when met, else 0); each group's raw points are then
//! capped at the group maximum (1.3 prints 7 points of items under a maximum of 5), so the total
//! never exceeds the sum of the group maxima. Missing data means "not met" and the explanation
//! says the data is missing.

use raidai_domain::text::csv_cell_bytes;
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::batch::{self, BatchError, BatchReport, Header, RowCtx, parse_f64, parse_flag};
use crate::criteria::{
    CostMeasure, DaysMeasure, GradeResult, MarginMeasure, NonNegativeMeasure, PlanSide,
    TpsCriteria, TpsItem, TpsRule, grade_for,
};
use crate::num::{
    Hundredths, Satang, div_round_half_away, fmt2, format_baht_grouped, parse_satang,
};
use crate::planfin::{percent_of_plan, within_tolerance};

/// Peer-group medians a unit is compared with (official medians, or [`peer_medians`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TpsMedians {
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
    /// Unit cost OP, satang.
    pub unit_cost_op: Option<Satang>,
    /// Unit cost IP, satang.
    pub unit_cost_ip: Option<Satang>,
    /// Labour cost, satang.
    pub labour_cost: Option<Satang>,
    /// MC drugs, satang.
    pub mc_drug: Option<Satang>,
    /// MC laboratory, satang.
    pub mc_lab: Option<Satang>,
    /// MC medical supplies, satang.
    pub mc_supplies: Option<Satang>,
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

struct Verdict {
    met: bool,
    missing: bool,
    th: String,
    en: String,
}

fn missing(what_th: &str, what_en: &str) -> Verdict {
    Verdict {
        met: false,
        missing: true,
        th: format!("ไม่มีข้อมูล{what_th} จึงไม่ได้คะแนน"),
        en: format!("no data for {what_en}: not met"),
    }
}

fn verdict(met: bool, th: String, en: String) -> Verdict {
    let (rth, ren) = if met {
        ("ผ่าน", "met")
    } else {
        ("ไม่ผ่าน", "not met")
    };
    Verdict {
        met,
        missing: false,
        th: format!("{th}: {rth}"),
        en: format!("{en}: {ren}"),
    }
}

fn cost_value(
    input: &TpsInput,
    m: CostMeasure,
) -> (Option<Satang>, Option<Satang>, &'static str, &'static str) {
    let md = &input.medians;
    match m {
        CostMeasure::UnitCostOp => (
            input.unit_cost_op,
            md.unit_cost_op,
            "ต้นทุนต่อหน่วย OP",
            "unit cost OP",
        ),
        CostMeasure::UnitCostIp => (
            input.unit_cost_ip,
            md.unit_cost_ip,
            "ต้นทุนต่อหน่วย IP",
            "unit cost IP",
        ),
        CostMeasure::LabourCost => (input.labour_cost, md.labour_cost, "LC ค่าแรง", "labour cost"),
        CostMeasure::McDrug => (input.mc_drug, md.mc_drug, "MC ค่ายา", "MC drugs"),
        CostMeasure::McLab => (input.mc_lab, md.mc_lab, "MC ค่า lab", "MC laboratory"),
        CostMeasure::McSupplies => (
            input.mc_supplies,
            md.mc_supplies,
            "MC ค่าเวชภัณฑ์",
            "MC medical supplies",
        ),
    }
}

fn evaluate(input: &TpsInput, rule: &TpsRule) -> Verdict {
    match rule {
        TpsRule::PlanTolerance {
            side,
            tolerance_pct,
        } => {
            let (plan, actual) = match side {
                PlanSide::Revenue => (input.plan_revenue, input.actual_revenue),
                PlanSide::Expense => (input.plan_expense, input.actual_expense),
            };
            let (Some(plan), Some(actual)) = (plan, actual) else {
                return missing(
                    &format!("แผนหรือผล{}", side.label_th()),
                    &format!("planned or actual {}", side.label_en()),
                );
            };
            let tol = tolerance_pct.to_plain_string();
            match (
                within_tolerance(plan, actual, *tolerance_pct),
                percent_of_plan(plan, actual),
            ) {
                (Some(ok), Some(pct)) => {
                    let dev = fmt2(pct - 100.0);
                    verdict(
                        ok,
                        format!(
                            "{}จริง {} บาท เทียบแผน {} บาท (ต่างจากแผน {dev}%, เกณฑ์ ±{tol}%)",
                            side.label_th(),
                            format_baht_grouped(actual),
                            format_baht_grouped(plan)
                        ),
                        format!(
                            "actual {} {} baht vs plan {} baht ({dev}% off plan, limit ±{tol}%)",
                            side.label_en(),
                            format_baht_grouped(actual),
                            format_baht_grouped(plan)
                        ),
                    )
                }
                _ => missing(
                    &format!("แผน{} (แผนต้องมากกว่า 0)", side.label_th()),
                    &format!("a positive {} plan", side.label_en()),
                ),
            }
        }
        TpsRule::PayablesDays {
            max_days,
            max_days_low_cash,
            low_cash_ratio_below,
        } => {
            let Some(days) = input.payables_days else {
                return missing("ระยะเวลาชำระหนี้", "payables days");
            };
            let low = input.cash_ratio.is_some_and(|c| c < *low_cash_ratio_below);
            let limit = if low { *max_days_low_cash } else { *max_days };
            let why_th = if low {
                format!(
                    " (Cash ratio < {} ใช้เกณฑ์ {} วัน)",
                    low_cash_ratio_below.to_plain_string(),
                    limit.to_plain_string()
                )
            } else if input.cash_ratio.is_none() {
                " (ไม่มีข้อมูล Cash ratio ใช้เกณฑ์ปกติ)".to_owned()
            } else {
                String::new()
            };
            let why_en = if low {
                format!(
                    " (cash ratio < {}, so the {}-day limit applies)",
                    low_cash_ratio_below.to_plain_string(),
                    limit.to_plain_string()
                )
            } else if input.cash_ratio.is_none() {
                " (no cash ratio: normal limit)".to_owned()
            } else {
                String::new()
            };
            verdict(
                days <= limit.as_f64(),
                format!(
                    "ระยะเวลาชำระหนี้ {} วัน เกณฑ์ ≤ {} วัน{why_th}",
                    fmt2(days),
                    limit.to_plain_string()
                ),
                format!(
                    "payables {} days, limit ≤ {} days{why_en}",
                    fmt2(days),
                    limit.to_plain_string()
                ),
            )
        }
        TpsRule::MaxDays { measure, max_days } => {
            let (v, th, en) = match measure {
                DaysMeasure::AcpUc => (
                    input.acp_uc_days,
                    "ระยะเวลาเรียกเก็บหนี้ UC",
                    "UC collection period",
                ),
                DaysMeasure::AcpCsmbs => (
                    input.acp_csmbs_days,
                    "ระยะเวลาเรียกเก็บหนี้ CSMBS",
                    "CSMBS collection period",
                ),
            };
            let Some(days) = v else {
                return missing(th, en);
            };
            verdict(
                days <= max_days.as_f64(),
                format!(
                    "{th} {} วัน เกณฑ์ ≤ {} วัน",
                    fmt2(days),
                    max_days.to_plain_string()
                ),
                format!(
                    "{en} {} days, limit ≤ {} days",
                    fmt2(days),
                    max_days.to_plain_string()
                ),
            )
        }
        TpsRule::InventoryDays {
            max_days,
            max_days_island,
        } => {
            let Some(days) = input.inventory_days else {
                return missing("สินค้าคงคลัง", "inventory days");
            };
            let limit = if input.island {
                *max_days_island
            } else {
                *max_days
            };
            let (ith, ien) = if input.island {
                (" (พื้นที่เกาะ)", " (island unit)")
            } else {
                ("", "")
            };
            verdict(
                days <= limit.as_f64(),
                format!(
                    "สินค้าคงคลัง {} วัน เกณฑ์ ≤ {} วัน{ith}",
                    fmt2(days),
                    limit.to_plain_string()
                ),
                format!(
                    "inventory {} days, limit ≤ {} days{ien}",
                    fmt2(days),
                    limit.to_plain_string()
                ),
            )
        }
        TpsRule::AtMostMedian { measure } => {
            let (v, median, th, en) = cost_value(input, *measure);
            let Some(v) = v else { return missing(th, en) };
            let Some(median) = median else {
                return missing(
                    &format!("ค่ากลางกลุ่มของ{th}"),
                    &format!("the peer-group median of {en}"),
                );
            };
            verdict(
                v <= median,
                format!(
                    "{th} {} บาท ค่ากลางกลุ่ม {} บาท (ต้องไม่เกินค่ากลาง)",
                    format_baht_grouped(v),
                    format_baht_grouped(median)
                ),
                format!(
                    "{en} {} baht, peer median {} baht (must not exceed it)",
                    format_baht_grouped(v),
                    format_baht_grouped(median)
                ),
            )
        }
        TpsRule::AtLeastMedian { measure } => {
            let (v, median, th, en) = match measure {
                MarginMeasure::OperatingMargin => (
                    input.operating_margin_pct,
                    input.medians.operating_margin_pct,
                    "Operating Margin",
                    "operating margin",
                ),
                MarginMeasure::Roa => (input.roa_pct, input.medians.roa_pct, "ROA", "ROA"),
            };
            let Some(v) = v else { return missing(th, en) };
            let Some(median) = median else {
                return missing(
                    &format!("ค่ากลางกลุ่มของ {th}"),
                    &format!("the peer-group median of {en}"),
                );
            };
            verdict(
                v >= median,
                format!(
                    "{th} {}% ค่ากลางกลุ่ม {}% (ต้อง ≥ ค่ากลาง)",
                    fmt2(v),
                    fmt2(median)
                ),
                format!(
                    "{en} {}%, peer median {}% (must be ≥ median)",
                    fmt2(v),
                    fmt2(median)
                ),
            )
        }
        TpsRule::AccountingCheck => match input.accounting_check_passed {
            None => missing("ผลตรวจสอบงบทดลองเบื้องต้น", "the preliminary accounting check"),
            Some(ok) => verdict(
                ok,
                format!(
                    "ผลตรวจสอบงบทดลองเบื้องต้น{}",
                    if ok {
                        "ผ่าน"
                    } else {
                        "ไม่ผ่าน"
                    }
                ),
                format!(
                    "preliminary accounting check {}",
                    if ok { "passed" } else { "failed" }
                ),
            ),
        },
        TpsRule::BedOccupancy { min_pct } => {
            let Some(v) = input.bed_occupancy_pct else {
                return missing("อัตราครองเตียง", "bed occupancy");
            };
            verdict(
                v >= min_pct.as_f64(),
                format!(
                    "อัตราครองเตียง {}% เกณฑ์ ≥ {}%",
                    fmt2(v),
                    min_pct.to_plain_string()
                ),
                format!(
                    "bed occupancy {}%, target ≥ {}%",
                    fmt2(v),
                    min_pct.to_plain_string()
                ),
            )
        }
        TpsRule::SumAdjRw { growth_pct } => {
            let Some(v) = input.sum_adjrw else {
                return missing("Sum AdjRW", "sum of AdjRW");
            };
            let above = input.medians.sum_adjrw.map(|m| v > m);
            let g = growth_pct.as_f64();
            // v ≥ last × (1 + g/100), kept in one multiplication so 5 % growth on round numbers is exact.
            let grew = input
                .sum_adjrw_last_year
                .filter(|&l| l > 0.0)
                .map(|l| v * 100.0 >= l * (100.0 + g));
            if above.is_none() && grew.is_none() {
                return missing(
                    "ค่ากลางกลุ่มและ Sum AdjRW ปีก่อน",
                    "the peer median and last year's sum of AdjRW",
                );
            }
            let met = above == Some(true) || grew == Some(true);
            let median_th = input.medians.sum_adjrw.map_or("ไม่มีข้อมูล".to_owned(), fmt2);
            let median_en = input.medians.sum_adjrw.map_or("n/a".to_owned(), fmt2);
            let growth = match input.sum_adjrw_last_year.filter(|&l| l > 0.0) {
                Some(l) => fmt2((v / l - 1.0) * 100.0) + "%",
                None => "-".to_owned(),
            };
            let gp = growth_pct.to_plain_string();
            verdict(
                met,
                format!(
                    "Sum AdjRW {} ค่ากลางกลุ่ม {median_th} เพิ่มขึ้นจากปีก่อน {growth} (เกณฑ์: เกินค่ากลาง หรือเพิ่มขึ้น ≥ {gp}%)",
                    fmt2(v)
                ),
                format!(
                    "sum of AdjRW {}, peer median {median_en}, change on last year {growth} (above median, or up ≥ {gp}%)",
                    fmt2(v)
                ),
            )
        }
        TpsRule::NonNegative { measure } => {
            let (v, th, en) = match measure {
                NonNegativeMeasure::Ebitda => (input.ebitda, "EBITDA", "EBITDA"),
                NonNegativeMeasure::Nwc => (input.nwc, "ทุนสำรองสุทธิ (NWC)", "NWC"),
            };
            let Some(v) = v else { return missing(th, en) };
            verdict(
                v >= 0,
                format!("{th} {} บาท (เกณฑ์ ≥ 0)", format_baht_grouped(v)),
                format!("{en} {} baht (must be ≥ 0)", format_baht_grouped(v)),
            )
        }
        TpsRule::CashRatio { min } => {
            let Some(c) = input.cash_ratio else {
                return missing("Cash ratio", "cash ratio");
            };
            verdict(
                c >= *min,
                format!("Cash ratio {} เกณฑ์ ≥ {}", c, min.to_plain_string()),
                format!("cash ratio {}, target ≥ {}", c, min.to_plain_string()),
            )
        }
    }
}

fn score_item(input: &TpsInput, item: &TpsItem) -> TpsItemResult {
    let v = evaluate(input, &item.rule);
    TpsItemResult {
        id: item.id.clone(),
        group: item.group.clone(),
        label_th: item.label_th.clone(),
        label_en: item.label_en.clone(),
        weight: item.weight,
        met: v.met,
        points: if v.met { item.weight } else { Hundredths::ZERO },
        missing_data: v.missing,
        explanation_th: v.th,
        explanation_en: v.en,
    }
}

/// Scores one unit.
pub fn tps_score(input: &TpsInput, criteria: &TpsCriteria) -> TpsResult {
    let items: Vec<TpsItemResult> = criteria
        .items
        .iter()
        .map(|i| score_item(input, i))
        .collect();
    let groups: Vec<TpsGroupResult> = criteria
        .groups
        .iter()
        .map(|g| {
            let raw: Hundredths = items
                .iter()
                .filter(|i| i.group == g.id)
                .map(|i| i.points)
                .sum();
            TpsGroupResult {
                id: g.id.clone(),
                label_th: g.label_th.clone(),
                label_en: g.label_en.clone(),
                max: g.max,
                raw,
                capped: raw.min(g.max),
            }
        })
        .collect();
    let raw_total = groups.iter().map(|g| g.raw).sum();
    let total = groups
        .iter()
        .map(|g| g.capped)
        .sum::<Hundredths>()
        .min(criteria.max_total);
    TpsResult {
        hcode: input.hcode.clone(),
        period: input.period.clone(),
        items,
        groups,
        raw_total,
        total,
        max_total: criteria.max_total,
        grade: grade_for(&criteria.grades, total),
    }
}

/// The grade of a TPS total.
pub fn tps_grade(total: Hundredths, criteria: &TpsCriteria) -> GradeResult {
    grade_for(&criteria.grades, total)
}

// ---------------------------------------------------------------------------------------------
// Medians
// ---------------------------------------------------------------------------------------------

/// A value whose median can be taken.
pub trait MedianValue: Copy + PartialOrd {
    /// The middle of two values (even-sized groups).
    fn midpoint(a: Self, b: Self) -> Self;
    /// Values that take part (finite numbers).
    fn usable(self) -> bool {
        true
    }
}

impl MedianValue for i64 {
    /// Rounded to the nearest satang, halves away from zero.
    fn midpoint(a: Self, b: Self) -> Self {
        div_round_half_away(i128::from(a) + i128::from(b), 2).map_or(a, |v| v as i64)
    }
}

impl MedianValue for f64 {
    fn midpoint(a: Self, b: Self) -> Self {
        (a + b) / 2.0
    }
    fn usable(self) -> bool {
        self.is_finite()
    }
}

/// Median of `values` (middle value, or the midpoint of the two middle values); `None` if empty.
pub fn median<V: MedianValue>(values: &[V]) -> Option<V> {
    let mut v: Vec<V> = values.iter().copied().filter(|x| x.usable()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("usable values are ordered"));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        V::midpoint(v[n / 2 - 1], v[n / 2])
    })
}

/// Median per peer group of `(peer_group, value)` pairs.
pub fn group_medians<G: Ord + Clone, V: MedianValue>(units: &[(G, V)]) -> BTreeMap<G, V> {
    let mut by: BTreeMap<G, Vec<V>> = BTreeMap::new();
    for (g, v) in units {
        by.entry(g.clone()).or_default().push(*v);
    }
    by.into_iter()
        .filter_map(|(g, vs)| median(&vs).map(|m| (g, m)))
        .collect()
}

/// All TPS medians per peer group, computed across the units given.
pub fn peer_medians(inputs: &[TpsInput]) -> BTreeMap<String, TpsMedians> {
    fn col<V: MedianValue>(
        inputs: &[TpsInput],
        f: impl Fn(&TpsInput) -> Option<V>,
    ) -> BTreeMap<String, V> {
        let pairs: Vec<(String, V)> = inputs
            .iter()
            .filter_map(|i| f(i).map(|v| (i.peer_group.clone(), v)))
            .collect();
        group_medians(&pairs)
    }
    let op = col(inputs, |i| i.unit_cost_op);
    let ip = col(inputs, |i| i.unit_cost_ip);
    let lc = col(inputs, |i| i.labour_cost);
    let drug = col(inputs, |i| i.mc_drug);
    let lab = col(inputs, |i| i.mc_lab);
    let sup = col(inputs, |i| i.mc_supplies);
    let rw = col(inputs, |i| i.sum_adjrw);
    let om = col(inputs, |i| i.operating_margin_pct);
    let roa = col(inputs, |i| i.roa_pct);
    let mut out = BTreeMap::new();
    for i in inputs {
        let g = &i.peer_group;
        out.entry(g.clone()).or_insert_with(|| TpsMedians {
            unit_cost_op: op.get(g).copied(),
            unit_cost_ip: ip.get(g).copied(),
            labour_cost: lc.get(g).copied(),
            mc_drug: drug.get(g).copied(),
            mc_lab: lab.get(g).copied(),
            mc_supplies: sup.get(g).copied(),
            sum_adjrw: rw.get(g).copied(),
            operating_margin_pct: om.get(g).copied(),
            roa_pct: roa.get(g).copied(),
        });
    }
    out
}

/// Fills every median an input lacks with the median of its peer group across `inputs`.
/// Medians already given (official ones) are kept.
pub fn fill_missing_medians(inputs: &mut [TpsInput]) {
    let computed = peer_medians(inputs);
    for i in inputs.iter_mut() {
        if let Some(c) = computed.get(&i.peer_group) {
            i.medians.fill_from(c);
        }
    }
}

impl TpsMedians {
    /// Takes from `other` every median this one lacks.
    pub fn fill_from(&mut self, other: &TpsMedians) {
        self.unit_cost_op = self.unit_cost_op.or(other.unit_cost_op);
        self.unit_cost_ip = self.unit_cost_ip.or(other.unit_cost_ip);
        self.labour_cost = self.labour_cost.or(other.labour_cost);
        self.mc_drug = self.mc_drug.or(other.mc_drug);
        self.mc_lab = self.mc_lab.or(other.mc_lab);
        self.mc_supplies = self.mc_supplies.or(other.mc_supplies);
        self.sum_adjrw = self.sum_adjrw.or(other.sum_adjrw);
        self.operating_margin_pct = self.operating_margin_pct.or(other.operating_margin_pct);
        self.roa_pct = self.roa_pct.or(other.roa_pct);
    }
}

// ---------------------------------------------------------------------------------------------
// CSV batch
// ---------------------------------------------------------------------------------------------

/// Required input columns of [`tps_csv`]. Cells may be empty (= no data) except `hcode`.
///
/// Money columns are baht (`1234.56`); `*_days`, `*_pct`, `sum_adjrw*` are decimals; `cash_ratio`
/// has at most two decimals; `island` and `accounting_check_passed` are 1/0, true/false or yes/no
/// (`island` empty = no).
pub const TPS_INPUT_COLUMNS: [&str; 27] = [
    "hcode",
    "period",
    "peer_group",
    "plan_revenue",
    "actual_revenue",
    "plan_expense",
    "actual_expense",
    "payables_days",
    "cash_ratio",
    "acp_uc_days",
    "acp_csmbs_days",
    "inventory_days",
    "island",
    "unit_cost_op",
    "unit_cost_ip",
    "labour_cost",
    "mc_drug",
    "mc_lab",
    "mc_supplies",
    "accounting_check_passed",
    "bed_occupancy_pct",
    "sum_adjrw",
    "sum_adjrw_last_year",
    "operating_margin_pct",
    "roa_pct",
    "ebitda",
    "nwc",
];

/// Optional input columns: official peer-group medians. Where a column is absent or a cell is
/// empty, the median of the rows of the same `peer_group` in the file is used.
pub const TPS_MEDIAN_COLUMNS: [&str; 9] = [
    "median_unit_cost_op",
    "median_unit_cost_ip",
    "median_labour_cost",
    "median_mc_drug",
    "median_mc_lab",
    "median_mc_supplies",
    "median_sum_adjrw",
    "median_operating_margin_pct",
    "median_roa_pct",
];

/// Output columns appended by [`tps_csv`] for `criteria`: `pts_<item id with _>` per item (e.g.
/// `pts_1_3_1`), then `raw_<group>` and `grp_<group>` per group (raw and capped), then
/// `tps_raw_total`, `tps_total`, `tps_grade`, `tps_grade_th`. Points print with two decimals.
pub fn tps_output_columns(criteria: &TpsCriteria) -> Vec<String> {
    let us = |s: &str| s.replace('.', "_");
    let mut cols: Vec<String> = criteria
        .items
        .iter()
        .map(|i| format!("pts_{}", us(&i.id)))
        .collect();
    for g in &criteria.groups {
        cols.push(format!("raw_{}", us(&g.id)));
        cols.push(format!("grp_{}", us(&g.id)));
    }
    cols.extend(["tps_raw_total", "tps_total", "tps_grade", "tps_grade_th"].map(String::from));
    cols
}

/// Scores a CSV of units (the CLI's `raidai governance tps --input IN.csv --output OUT.csv`).
///
/// Input: [`TPS_INPUT_COLUMNS`] (any order) plus optional [`TPS_MEDIAN_COLUMNS`]; other columns
/// are copied through. Output: the input columns (except ones named like an output column) then
/// [`tps_output_columns`]. Bad rows are reported and skipped; medians computed from the file use
/// the good rows only.
pub fn tps_csv<R: Read, W: Write>(
    input: R,
    output: W,
    criteria: &TpsCriteria,
) -> Result<BatchReport, BatchError> {
    let mut rdr = batch::reader(input);
    let header = Header::read(&mut rdr)?;
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for name in TPS_INPUT_COLUMNS {
        idx.insert(name, header.require(name)?);
    }
    let med_idx: Vec<Option<usize>> = TPS_MEDIAN_COLUMNS.iter().map(|c| header.find(c)).collect();
    let out_cols = tps_output_columns(criteria);
    let out_refs: Vec<&str> = out_cols.iter().map(String::as_str).collect();
    let echoed = header.echoed(&out_refs);

    let mut report = BatchReport::default();
    let mut rows: Vec<(csv::ByteRecord, TpsInput)> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut record)? {
        report.rows_read += 1;
        let line = record.position().map_or(0, |p| p.line());
        let mut ctx = RowCtx::new(line, &record);
        if record.len() != header.len() {
            let (want, got) = (header.len(), record.len());
            ctx.error("(row)", "", format!("expected {want} fields, found {got}"));
            report.errors.append(&mut ctx.errors);
            continue;
        }
        match parse_tps_row(&mut ctx, &idx, &med_idx) {
            Some(input) => rows.push((record.clone(), input)),
            None => report.errors.append(&mut ctx.errors),
        }
    }
    report.errors.sort_by_key(|e| e.line);

    let inputs: Vec<TpsInput> = rows.iter().map(|(_, i)| i.clone()).collect();
    let computed = peer_medians(&inputs);
    let mut wtr = batch::writer(output);
    let mut head: Vec<&[u8]> = echoed.iter().map(|&i| &header.raw[i]).collect();
    head.extend(out_cols.iter().map(|s| s.as_bytes()));
    wtr.write_record(head.iter().map(|c| csv_cell_bytes(c)))?;
    for (record, mut input) in rows {
        if let Some(c) = computed.get(&input.peer_group) {
            input.medians.fill_from(c);
        }
        let r = tps_score(&input, criteria);
        let mut computed_cells: Vec<String> =
            r.items.iter().map(|i| i.points.to_string()).collect();
        for g in &r.groups {
            computed_cells.push(g.raw.to_string());
            computed_cells.push(g.capped.to_string());
        }
        computed_cells.push(r.raw_total.to_string());
        computed_cells.push(r.total.to_string());
        computed_cells.push(r.grade.grade.to_string());
        computed_cells.push(r.grade.label_th.clone());
        let mut row: Vec<&[u8]> = echoed.iter().map(|&i| &record[i]).collect();
        row.extend(computed_cells.iter().map(|s| s.as_bytes()));
        wtr.write_record(row.iter().map(|c| csv_cell_bytes(c)))?;
        report.rows_written += 1;
    }
    wtr.flush()?;
    Ok(report)
}

fn parse_tps_row(
    ctx: &mut RowCtx<'_>,
    idx: &HashMap<&str, usize>,
    med_idx: &[Option<usize>],
) -> Option<TpsInput> {
    let mut ok = true;
    let hcode = ctx.required(idx["hcode"], "hcode", "unit code", |s| {
        Ok::<_, String>(s.to_owned())
    });
    let period = ctx.text(idx["period"], "period");
    let peer_group = ctx.text(idx["peer_group"], "peer_group");
    let mut money = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "baht amount", parse_satang)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let plan_revenue = money(ctx, "plan_revenue");
    let actual_revenue = money(ctx, "actual_revenue");
    let plan_expense = money(ctx, "plan_expense");
    let actual_expense = money(ctx, "actual_expense");
    let unit_cost_op = money(ctx, "unit_cost_op");
    let unit_cost_ip = money(ctx, "unit_cost_ip");
    let labour_cost = money(ctx, "labour_cost");
    let mc_drug = money(ctx, "mc_drug");
    let mc_lab = money(ctx, "mc_lab");
    let mc_supplies = money(ctx, "mc_supplies");
    let ebitda = money(ctx, "ebitda");
    let nwc = money(ctx, "nwc");
    let mut num = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "number", parse_f64)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let payables_days = num(ctx, "payables_days");
    let acp_uc_days = num(ctx, "acp_uc_days");
    let acp_csmbs_days = num(ctx, "acp_csmbs_days");
    let inventory_days = num(ctx, "inventory_days");
    let bed_occupancy_pct = num(ctx, "bed_occupancy_pct");
    let sum_adjrw = num(ctx, "sum_adjrw");
    let sum_adjrw_last_year = num(ctx, "sum_adjrw_last_year");
    let operating_margin_pct = num(ctx, "operating_margin_pct");
    let roa_pct = num(ctx, "roa_pct");
    let mut flag = |ctx: &mut RowCtx<'_>, name: &str| {
        ctx.optional(Some(idx[name]), name, "yes/no flag", parse_flag)
            .unwrap_or_else(|()| {
                ok = false;
                None
            })
    };
    let island = flag(ctx, "island").unwrap_or(false);
    let accounting_check_passed = flag(ctx, "accounting_check_passed");
    let cash_ratio = ctx
        .optional(
            Some(idx["cash_ratio"]),
            "cash_ratio",
            "ratio with at most 2 decimals",
            Hundredths::parse,
        )
        .unwrap_or_else(|()| {
            ok = false;
            None
        });

    let mut medians = TpsMedians::default();
    for (k, col) in TPS_MEDIAN_COLUMNS.iter().enumerate() {
        let res = if k < 6 {
            ctx.optional(med_idx[k], col, "baht amount", parse_satang)
                .map(|v| {
                    let slot = match k {
                        0 => &mut medians.unit_cost_op,
                        1 => &mut medians.unit_cost_ip,
                        2 => &mut medians.labour_cost,
                        3 => &mut medians.mc_drug,
                        4 => &mut medians.mc_lab,
                        _ => &mut medians.mc_supplies,
                    };
                    *slot = v;
                })
        } else {
            ctx.optional(med_idx[k], col, "number", parse_f64).map(|v| {
                let slot = match k {
                    6 => &mut medians.sum_adjrw,
                    7 => &mut medians.operating_margin_pct,
                    _ => &mut medians.roa_pct,
                };
                *slot = v;
            })
        };
        if res.is_err() {
            ok = false;
        }
    }
    let (hcode, period, peer_group) = (hcode?, period?, peer_group?);
    if !ok {
        return None;
    }
    Some(TpsInput {
        hcode,
        period,
        peer_group,
        plan_revenue,
        actual_revenue,
        plan_expense,
        actual_expense,
        payables_days,
        cash_ratio,
        acp_uc_days,
        acp_csmbs_days,
        inventory_days,
        island,
        unit_cost_op,
        unit_cost_ip,
        labour_cost,
        mc_drug,
        mc_lab,
        mc_supplies,
        accounting_check_passed,
        bed_occupancy_pct,
        sum_adjrw,
        sum_adjrw_last_year,
        operating_margin_pct,
        roa_pct,
        ebitda,
        nwc,
        medians,
    })
}
