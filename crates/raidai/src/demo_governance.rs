//! Governance data for the demo province: a fiscal year of monthly financial positions for every
//! demo hospital, with a spread of Risk Score levels from healthy to crisis. Synthetic and
//! deterministic: the same figures on every run.

use anyhow::Result;
use raidai_domain::ids::Hcode;
use raidai_domain::master::UnitType;
use raidai_governance::planfin::{PlanCode, PlanLine};
use raidai_governance::tps::TpsInput;
use raidai_governance::{RiskInput, Satang};
use raidai_store::governance::{AmountKind, AssessmentInput, AssessmentKey, FormKind, ItemMark};
use raidai_store::{Actor, Store};
use std::collections::BTreeMap;

/// The fiscal year (BE) the demo positions cover.
pub const DEMO_FY: u32 = 2569;

/// How a hospital's finances move over the year: (start, end) of the current ratio, the cash
/// ratio and the net margin on revenue. The Risk Score itself is computed by the engine.
struct Profile {
    cr: (f64, f64),
    cash: (f64, f64),
    margin: (f64, f64),
}

const PROFILES: &[Profile] = &[
    // healthy: level 0 all year
    Profile {
        cr: (3.0, 3.2),
        cash: (1.8, 2.0),
        margin: (0.10, 0.12),
    },
    // comfortable, cash thinning late in the year
    Profile {
        cr: (2.2, 1.9),
        cash: (1.1, 0.75),
        margin: (0.06, 0.04),
    },
    // tight liquidity
    Profile {
        cr: (1.7, 1.35),
        cash: (0.9, 0.6),
        margin: (0.04, 0.01),
    },
    // liquidity tight and slipping into a loss
    Profile {
        cr: (1.45, 1.2),
        cash: (0.7, 0.5),
        margin: (0.02, -0.02),
    },
    // loss-making with a short buffer
    Profile {
        cr: (1.3, 1.15),
        cash: (0.6, 0.4),
        margin: (0.0, -0.05),
    },
    // buffer nearly gone
    Profile {
        cr: (1.2, 1.05),
        cash: (0.5, 0.3),
        margin: (-0.01, -0.05),
    },
    // crisis: negative working capital and losses
    Profile {
        cr: (1.45, 0.85),
        cash: (0.7, 0.2),
        margin: (0.02, -0.06),
    },
];

/// Profile per hospital, in the order of the demo's districts (most hospitals are sound).
const HOSPITAL_PROFILES: [usize; 13] = [1, 0, 2, 0, 3, 0, 1, 4, 0, 5, 2, 0, 6];

fn lerp((a, b): (f64, f64), month: u32) -> f64 {
    a + (b - a) * f64::from(month - 1) / 11.0
}

/// The positions for one hospital: monthly revenue scales with beds.
fn positions(hcode: &str, beds: i64, profile: &Profile) -> Vec<RiskInput> {
    // ≈ 55,000 baht of revenue per bed per month, in satang; a floor for small hospitals.
    let monthly_revenue = (beds.max(30) * 55_000 * 100) as f64;
    (1..=12u32)
        .map(|m| {
            let revenue_ytd = monthly_revenue * f64::from(m);
            let expense_ytd = revenue_ytd * (1.0 - lerp(profile.margin, m));
            // Current liabilities ≈ one and a half months of revenue.
            let cl = monthly_revenue * 1.5;
            let ca = cl * lerp(profile.cr, m);
            let cash = cl * lerp(profile.cash, m);
            let quick = (ca * 0.88).max(cash);
            RiskInput {
                hcode: hcode.to_string(),
                period: DEMO_FY * 100 + m,
                current_assets: Satang(ca.round() as i64),
                current_liabilities: Satang(cl.round() as i64),
                quick_assets: Satang(quick.round() as i64),
                cash_and_equivalents: Satang(cash.round() as i64),
                revenue_ytd: Satang(revenue_ytd.round() as i64),
                expense_ytd: Satang(expense_ytd.round() as i64),
            }
        })
        .collect()
}

/// Every demo hospital's positions for [`DEMO_FY`].
pub fn demo_positions() -> Vec<RiskInput> {
    crate::demo::units()
        .iter()
        .filter(|u| UnitType::parse(&u.unit_type).is_some_and(|t| t.is_hospital()))
        .enumerate()
        .flat_map(|(i, u)| {
            let p = &PROFILES[HOSPITAL_PROFILES[i % HOSPITAL_PROFILES.len()]];
            positions(&u.hcode, u.beds, p)
        })
        .collect()
}

/// Days of each hospital's balances (UC, CSMBS, SSS receivables; payables; inventory): most
/// within the FY2565 limits, some over, so the 7 Plus page shows passes and failures.
const DAY_PROFILES: [[f64; 5]; 5] = [
    [38.0, 45.0, 40.0, 70.0, 50.0],
    [55.0, 70.0, 48.0, 95.0, 65.0],
    [72.0, 95.0, 66.0, 130.0, 80.0],
    [44.0, 58.0, 52.0, 85.0, 58.0],
    [90.0, 120.0, 75.0, 160.0, 95.0],
];

/// The 7 Plus ratio items of every demo hospital and month, consistent with its positions:
/// medical-service revenue is 85 % of revenue (UC 45 %, CSMBS 20 %, social security 10 % of it),
/// purchases 30 % and materials used 28 % of expense; balances follow [`DAY_PROFILES`].
pub fn demo_ratio_items() -> Vec<(String, u32, BTreeMap<String, i64>)> {
    demo_positions()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let hospital = i / 12;
            let dp = DAY_PROFILES[hospital % DAY_PROFILES.len()];
            let days = f64::from(
                raidai_governance::seven_plus::days_ytd_for_period(p.period).unwrap_or(365),
            );
            let rev = p.revenue_ytd.0 as f64;
            let exp = p.expense_ytd.0 as f64;
            let medical = rev * 0.85;
            let (uc, csmbs, sss) = (medical * 0.45, medical * 0.20, medical * 0.10);
            let purchases = exp * 0.30;
            let usage = exp * 0.28;
            let bal = |flow: f64, d: f64| (flow / days * d).round() as i64;
            let items: BTreeMap<String, i64> = [
                (
                    "total_assets",
                    (p.current_assets.0 as f64 * 2.4).round() as i64,
                ),
                ("ebitda_revenue", p.revenue_ytd.0),
                ("ebitda_expense", (exp * 0.94).round() as i64),
                ("medical_revenue", medical.round() as i64),
                ("revenue_uc_ytd", uc.round() as i64),
                ("receivable_uc", bal(uc, dp[0])),
                ("revenue_csmbs_ytd", csmbs.round() as i64),
                ("receivable_csmbs", bal(csmbs, dp[1])),
                ("revenue_sss_ytd", sss.round() as i64),
                ("receivable_sss", bal(sss, dp[2])),
                ("purchases_ytd", purchases.round() as i64),
                ("payables", bal(purchases, dp[3])),
                ("inventory_usage_ytd", usage.round() as i64),
                ("inventory", bal(usage, dp[4])),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            (p.hcode, p.period, items)
        })
        .collect()
}

/// Items each hospital has not met on the revenue-centre form (round 1): a spread of grades
/// from A to F (100 − 2 × n points).
const RC_GAPS: [usize; 13] = [2, 0, 6, 1, 10, 3, 4, 14, 2, 22, 8, 1, 27];

/// The demo hospitals' codes, in district order.
fn hospitals() -> Vec<String> {
    crate::demo::units()
        .into_iter()
        .filter(|u| UnitType::parse(&u.unit_type).is_some_and(|t| t.is_hospital()))
        .map(|u| u.hcode)
        .collect()
}

/// Round-1 assessments of every demo hospital: the revenue-centre form and the 4P paper.
pub fn demo_assessments() -> Vec<(AssessmentKey, AssessmentInput)> {
    let mut out = Vec::new();
    for (i, hcode) in hospitals().into_iter().enumerate() {
        let key = |form| AssessmentKey {
            hcode: hcode.clone(),
            fiscal_year: DEMO_FY as u16,
            round: 1,
            form,
        };
        let base = |day: usize| AssessmentInput {
            assessor: "คณะกรรมการประเมินระดับจังหวัด".into(),
            assessed_on: Some(format!("2026-03-{:02}", 2 + day % 20)),
            reviewer_summary: String::new(),
            marks: Default::default(),
            paper: Default::default(),
        };
        let rc_key = key(FormKind::RevenueCentre);
        let ids = rc_key.form.item_ids(rc_key.criteria());
        let gaps = RC_GAPS[i % RC_GAPS.len()];
        // Spread the unmet items over the form (a stride coprime to the 50 items).
        let unmet: Vec<usize> = (0..gaps).map(|k| (k * 7 + i) % ids.len()).collect();
        let mut rc = base(i);
        for (n, id) in ids.iter().enumerate() {
            let met = !unmet.contains(&n);
            rc.marks.insert(
                id.clone(),
                ItemMark {
                    mark: if met { "2" } else { "0" }.into(),
                    note: if met {
                        String::new()
                    } else {
                        "ยังไม่มีหลักฐาน".into()
                    },
                },
            );
        }
        rc.reviewer_summary = if gaps <= 9 {
            "ระบบจัดเก็บรายได้ครบถ้วน มีหลักฐานตามเกณฑ์".into()
        } else {
            "ควรทบทวนคำสั่งและผังการไหลของงาน ติดตามข้อที่ยังไม่ผ่านในรอบที่ 2".into()
        };
        out.push((rc_key, rc));

        let fp_key = key(FormKind::FourP);
        let mut fp = base(i + 3);
        for (n, id) in fp_key
            .form
            .item_ids(fp_key.criteria())
            .into_iter()
            .enumerate()
        {
            // Items 1–3 concern the PHO: n/a at a hospital; the rest mostly complete.
            let mark = if n < 3 {
                "x"
            } else if (n + i) % 9 == 0 {
                "0"
            } else if (n * 3 + i) % 5 == 0 {
                "1"
            } else {
                "2"
            };
            // The Q2 items carry the assessor's reading of the plan-vs-actual report, which the
            // paper asks for when a mark differs from the measured one.
            let note = if id.starts_with("4p.4.") {
                "พิจารณาจากรายงานแผน-ผลไตรมาส 2 ที่ผู้บริหารรับรอง".to_string()
            } else {
                String::new()
            };
            fp.marks.insert(
                id,
                ItemMark {
                    mark: mark.into(),
                    note,
                },
            );
        }
        fp.reviewer_summary = "สอบทานแผนเงินบำรุงและการจัดซื้อจัดจ้างตามกระดาษทำการ".into();
        fp.paper = raidai_store::governance::PaperHeader {
            doc_no: "ตร.๐๑".into(),
            revision: "1".into(),
            started_on: "2025-10-01".into(),
            responsible_unit: "กลุ่มงานบริหารทั่วไป".into(),
            responsible_person: "หัวหน้ากลุ่มงานบริหารทั่วไป".into(),
            period: "ต.ค. 2568 – มี.ค. 2569".into(),
            answers: vec![
                "สสจ. สอบทานแผนก่อนเสนออนุมัติ และติดตามแผน-ผลทุกไตรมาส".into(),
                "โรงพยาบาลรายงานแผน-ผลต่อคณะกรรมการบริหารทุกเดือน".into(),
                "การจัดซื้อจัดจ้างที่สุ่มตรวจเป็นไปตามระเบียบ".into(),
            ],
        };
        out.push((fp_key, fp));
    }
    out
}

/// A demo hospital's Planfin year: (hcode, plan type, plan lines, actual lines for Oct–Jun).
pub type DemoPlan = (String, u8, Vec<PlanLine>, Vec<PlanLine>);

/// Plans for [`DEMO_FY`]: revenue and expense lines sized by beds, the type following the
/// hospital's profile (sound hospitals types 1–3, weak ones 4–6), actuals for nine months
/// that track the plan more or less closely.
pub fn demo_plans() -> Vec<DemoPlan> {
    const SPLIT: [(PlanCode, f64); 8] = [
        (PlanCode::P04, 0.55),
        (PlanCode::P08, 0.15),
        (PlanCode::P10, 0.20),
        (PlanCode::P12, 0.10),
        (PlanCode::P14, 0.25),
        (PlanCode::P18, 0.30),
        (PlanCode::P21, 0.25),
        (PlanCode::P23, 0.20),
    ];
    let units = crate::demo::units();
    let beds: std::collections::HashMap<String, i64> =
        units.iter().map(|u| (u.hcode.clone(), u.beds)).collect();
    hospitals()
        .into_iter()
        .enumerate()
        .map(|(i, hcode)| {
            let profile = HOSPITAL_PROFILES[i % HOSPITAL_PROFILES.len()];
            let p = &PROFILES[profile];
            let monthly = (beds[&hcode].max(30) * 55_000 * 100) as f64;
            // The plan assumes the year's average margin; weak hospitals plan a deficit.
            let margin = (p.margin.0 + p.margin.1) / 2.0;
            let plan_type = [1u8, 2, 3, 4, 5, 5, 6][profile];
            let mut plan = Vec::new();
            let mut actual = Vec::new();
            for (code, share) in SPLIT {
                let revenue = code.side() == raidai_governance::criteria::PlanSide::Revenue;
                let base = if revenue {
                    monthly * share
                } else {
                    monthly * (1.0 - margin) * share
                };
                plan.push(PlanLine {
                    code,
                    months: [Satang(base.round() as i64); 12],
                });
                let mut months = [Satang::ZERO; 12];
                for (m, v) in months.iter_mut().enumerate().take(9) {
                    // Actuals wobble around the plan, more for weaker hospitals.
                    let wobble = ((m + i) % 5) as f64 / 100.0 * (1.0 + profile as f64);
                    let factor = if revenue {
                        1.0 - wobble / 2.0
                    } else {
                        1.0 + wobble / 3.0
                    };
                    *v = Satang((base * factor).round() as i64);
                }
                actual.push(PlanLine { code, months });
            }
            (hcode, plan_type, plan, actual)
        })
        .collect()
}

/// TPS inputs for the fourth quarter of [`DEMO_FY`], in line with each hospital's profile
/// (the plan/actual and cash figures are the ones seeded above; medians come from the peers).
pub fn demo_tps() -> Vec<TpsInput> {
    let units = crate::demo::units();
    let plans = demo_plans();
    let positions = demo_positions();
    hospitals()
        .into_iter()
        .enumerate()
        .map(|(i, hcode)| {
            let profile = HOSPITAL_PROFILES[i % HOSPITAL_PROFILES.len()];
            let weak = profile as f64 / 6.0; // 0 (sound) … 1 (crisis)
            let u = units.iter().find(|u| u.hcode == hcode).expect("hospital");
            let (_, _, plan, actual) = plans.iter().find(|p| p.0 == hcode).expect("plan");
            let sum = |lines: &[PlanLine], revenue: bool| -> Satang {
                lines
                    .iter()
                    .filter(|l| {
                        (l.code.side() == raidai_governance::criteria::PlanSide::Revenue) == revenue
                    })
                    .map(|l| l.months[..9].iter().sum::<Satang>())
                    .sum()
            };
            let year_end = positions
                .iter()
                .find(|p| p.hcode == hcode && p.period == DEMO_FY * 100 + 12)
                .expect("position")
                .score()
                .expect("score");
            let beds = u.beds.max(30) as f64;
            let money = |baht: f64| Some(Satang((baht * 100.0).round() as i64));
            // Two decimals, as the figures are published.
            let d2 = |x: f64| Some((x * 100.0).round() / 100.0);
            TpsInput {
                hcode: hcode.clone(),
                period: format!("{DEMO_FY}Q4"),
                peer_group: u.peer_group.clone(),
                plan_revenue: Some(sum(plan, true)),
                actual_revenue: Some(sum(actual, true)),
                plan_expense: Some(sum(plan, false)),
                actual_expense: Some(sum(actual, false)),
                payables_days: d2(60.0 + 90.0 * weak),
                cash_ratio: year_end.cash_ratio,
                acp_uc_days: d2(35.0 + 40.0 * weak),
                acp_csmbs_days: d2(40.0 + 35.0 * weak),
                inventory_days: d2(45.0 + 30.0 * weak),
                island: u.island,
                costs: raidai_governance::tps::TpsCosts {
                    unit_cost_op: money(380.0 + 120.0 * weak + (i % 3) as f64 * 15.0),
                    unit_cost_ip: money(14_000.0 + 4_000.0 * weak + (i % 4) as f64 * 300.0),
                    labour_cost: money(180.0 + 60.0 * weak),
                    mc_drug: money(90.0 + 30.0 * weak + (i % 2) as f64 * 5.0),
                    mc_lab: money(25.0 + 10.0 * weak),
                    mc_supplies: money(20.0 + 8.0 * weak),
                },
                accounting_check_passed: Some(profile < 5),
                bed_occupancy_pct: d2(92.0 - 25.0 * weak),
                sum_adjrw: d2(beds * 30.0 * (1.05 - 0.1 * weak)),
                sum_adjrw_last_year: d2(beds * 30.0),
                operating_margin_pct: d2(10.0 - 16.0 * weak),
                roa_pct: d2(6.0 - 9.0 * weak),
                ebitda: Some(Satang(((12.0 - 20.0 * weak) * beds * 10_000.0) as i64)),
                nwc: Some(year_end.nwc),
                medians: Default::default(),
            }
        })
        .collect()
}

/// Seeds the governance demo data (called once, when the province is seeded).
pub async fn seed(store: &Store) -> Result<()> {
    let sys = Actor::system();
    store.import_positions(&sys, &demo_positions(), 1).await?;
    for (hcode, period, items) in demo_ratio_items() {
        store
            .save_ratio_items(&sys, Hcode::parse(&hcode)?, period, &items)
            .await?;
    }
    for (key, input) in demo_assessments() {
        store.save_assessment(&sys, &key, &input).await?;
    }
    let fy = DEMO_FY as u16;
    for (i, (hcode, plan_type, plan, actual)) in demo_plans().into_iter().enumerate() {
        store
            .save_plan_type(&sys, Hcode::parse(&hcode)?, fy, plan_type)
            .await?;
        store
            .save_plan_amounts(&sys, Hcode::parse(&hcode)?, fy, AmountKind::Plan, &plan)
            .await?;
        store
            .save_plan_amounts(&sys, Hcode::parse(&hcode)?, fy, AmountKind::Actual, &actual)
            .await?;
        // Most plans went the whole approval path at the start of the year; one in five is
        // still with the province, one returned for changes.
        let path: &[(&str, &str, &str)] = match i % 5 {
            0 => &[("submitted", "", "")],
            1 => &[
                ("submitted", "", ""),
                ("returned", "", "แผนรายจ่ายค่ายาสูงกว่าปีก่อนมาก ขอคำอธิบาย"),
            ],
            _ => &[
                ("submitted", "", ""),
                ("reviewed", "", "สอดคล้องกับแผนปฏิบัติการ"),
                ("approved", "นายแพทย์สาธารณสุขจังหวัด", "อนุมัติ"),
            ],
        };
        for (step, signer, comment) in path {
            store
                .plan_step(&sys, Hcode::parse(&hcode)?, fy, step, signer, comment)
                .await?;
        }
        // Most plans were reviewed once in April and approved by the province.
        if i % 4 != 3 {
            let n = store
                .add_plan_revision(
                    &sys,
                    Hcode::parse(&hcode)?,
                    fy,
                    Some("2026-04-20".into()),
                    "ปรับแผนกลางปี",
                )
                .await?;
            if i % 3 != 2 {
                store
                    .approve_plan_revision(&sys, Hcode::parse(&hcode)?, fy, n)
                    .await?;
            }
        }
    }
    for input in demo_tps() {
        store.save_tps_input(&sys, fy, 4, &input).await?;
    }
    crate::demo_inspection::seed(store).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_year_end_levels_are_spread_from_healthy_to_crisis() {
        let all = demo_positions();
        assert_eq!(all.len(), 13 * 12);
        let year_end: Vec<u8> = all
            .iter()
            .filter(|p| p.period == DEMO_FY * 100 + 12)
            .map(|p| p.score().unwrap().risk_score)
            .collect();
        let levels: BTreeSet<u8> = year_end.iter().copied().collect();
        assert!(levels.len() >= 5, "{year_end:?}");
        assert!(levels.contains(&0) && levels.contains(&7), "{year_end:?}");
        assert!(
            year_end.iter().filter(|l| **l <= 2).count() >= 7,
            "most hospitals are sound: {year_end:?}"
        );
        // Deterministic.
        assert_eq!(demo_positions(), all);
    }

    #[test]
    fn the_seven_plus_items_give_passes_and_failures() {
        use raidai_governance::seven_plus::{Balance, SevenPlusInput, seven_plus};
        let c = &raidai_governance::CriteriaSet::builtin().seven_plus;
        let mut passed = BTreeSet::new();
        for (_, period, items) in demo_ratio_items() {
            if period != DEMO_FY * 100 + 12 {
                continue;
            }
            let b = |k: &str| Balance {
                opening: Satang(items[k]),
                closing: Satang(items[k]),
            };
            let input = SevenPlusInput {
                days_ytd: 365,
                receivable_uc: b("receivable_uc"),
                revenue_uc_ytd: Satang(items["revenue_uc_ytd"]),
                inventory: b("inventory"),
                inventory_usage_ytd: Satang(items["inventory_usage_ytd"]),
                ..Default::default()
            };
            let r = seven_plus(&input, c);
            passed.insert(r.passed);
        }
        assert!(passed.len() >= 2, "{passed:?}");
    }

    #[test]
    fn tps_grades_are_spread() {
        use raidai_governance::tps::{fill_missing_medians, tps_score};
        let mut inputs = demo_tps();
        fill_missing_medians(&mut inputs);
        let tps = &raidai_governance::CriteriaSet::builtin().tps;
        let grades: BTreeSet<String> = inputs
            .iter()
            .map(|i| tps_score(i, tps).grade.grade.as_str().to_string())
            .collect();
        assert!(grades.len() >= 3, "{grades:?}");
    }

    #[test]
    fn the_revenue_centre_grades_are_spread() {
        use raidai_governance::assessment::score_revenue_centre;
        let mut grades = BTreeSet::new();
        for (key, input) in demo_assessments() {
            if key.form != FormKind::RevenueCentre {
                continue;
            }
            let rc = &key.criteria().revenue_centre;
            let marks: Vec<(String, u8)> = input
                .marks
                .iter()
                .map(|(id, m)| (id.clone(), m.mark.parse().unwrap()))
                .collect();
            let split = |f: &str| -> Vec<(String, u8)> {
                let form = rc.form(f).unwrap();
                marks
                    .iter()
                    .filter(|(id, _)| form.items.iter().any(|i| &i.id == id))
                    .cloned()
                    .collect()
            };
            let s = score_revenue_centre(rc, split("4s4c"), split("csmbs")).unwrap();
            grades.insert(s.grade.grade.as_str());
        }
        assert_eq!(
            grades.into_iter().collect::<Vec<_>>(),
            ["A", "B", "C", "D", "F"]
        );
    }
}
