//! Scoring one unit: each item's verdict, the capped groups, the total and its grade.

use crate::criteria::{
    CostMeasure, DaysMeasure, GradeResult, MarginMeasure, NonNegativeMeasure, PlanSide,
    TpsCriteria, TpsItem, TpsRule, grade_for,
};
use crate::num::{Hundredths, Satang, at_least, at_most, fmt2, format_baht_grouped, grew_at_least};
use crate::planfin::{percent_of_plan, within_tolerance};

use super::{TpsGroupResult, TpsInput, TpsItemResult, TpsResult};

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
            input.costs.unit_cost_op,
            md.costs.unit_cost_op,
            "ต้นทุนต่อหน่วย OP",
            "unit cost OP",
        ),
        CostMeasure::UnitCostIp => (
            input.costs.unit_cost_ip,
            md.costs.unit_cost_ip,
            "ต้นทุนต่อหน่วย IP",
            "unit cost IP",
        ),
        CostMeasure::LabourCost => (
            input.costs.labour_cost,
            md.costs.labour_cost,
            "LC ค่าแรง",
            "labour cost",
        ),
        CostMeasure::McDrug => (input.costs.mc_drug, md.costs.mc_drug, "MC ค่ายา", "MC drugs"),
        CostMeasure::McLab => (
            input.costs.mc_lab,
            md.costs.mc_lab,
            "MC ค่า lab",
            "MC laboratory",
        ),
        CostMeasure::McSupplies => (
            input.costs.mc_supplies,
            md.costs.mc_supplies,
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
                at_most(days, limit),
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
                at_most(days, *max_days),
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
                at_most(days, limit),
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
            // Two measured values, no arithmetic: their f64 order is the order of their decimals.
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
                at_least(v, *min_pct),
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
            // Two measured values, no arithmetic: their f64 order is the order of their decimals.
            let above = input.medians.sum_adjrw.map(|m| v > m);
            let grew = input
                .sum_adjrw_last_year
                .filter(|&l| l > 0.0)
                .map(|l| grew_at_least(v, l, *growth_pct));
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
                !v.is_negative(),
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
