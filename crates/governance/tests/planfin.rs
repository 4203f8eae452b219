//! Planfin: codes, plan type, tolerance, Q2 rule, reviews, plan vs actual; 7 Plus helpers.

use raidai_governance::criteria::{CriteriaSet, PlanSide, PlanfinCriteria};
use raidai_governance::num::{Hundredths, Satang};
use raidai_governance::planfin::{
    Actuals, Plan, PlanCode, PlanLine, PlanRevision, PlanWarning, check_plan_type, is_no_risk_type,
    plan_vs_actual, q2_check, review_status, within_tolerance,
};
use raidai_governance::seven_plus::{
    Balance, SevenPlusIndicator, SevenPlusInput, collection_period_days, days_at_most,
    days_ytd_for_period, fiscal_days_ytd, seven_plus,
};

fn pf() -> &'static PlanfinCriteria {
    &CriteriaSet::builtin().planfin
}

fn line(code: PlanCode, monthly: i64) -> PlanLine {
    PlanLine {
        code,
        months: [Satang(monthly); 12],
    }
}

fn plan(plan_type: u8, revenue_monthly: i64, expense_monthly: i64) -> Plan {
    Plan {
        hcode: "10978".into(),
        fiscal_year: 2565,
        plan_type,
        lines: vec![
            line(PlanCode::P04, revenue_monthly),
            line(PlanCode::P14, expense_monthly),
        ],
        revisions: Vec::new(),
    }
}

/// A balance that closes where it opened, so its average is the balance itself.
fn unchanged(satang: i64) -> Balance {
    Balance {
        opening: Satang(satang),
        closing: Satang(satang),
    }
}

#[test]
fn plan_codes() {
    assert_eq!(PlanCode::ALL.len(), 25);
    let revenue: Vec<_> = PlanCode::ALL
        .iter()
        .filter(|c| c.side() == PlanSide::Revenue)
        .map(|c| c.code())
        .collect();
    assert_eq!(
        revenue,
        [
            "P04", "P05", "P06", "P07", "P61", "P08", "P09", "P10", "P11", "P12", "P13"
        ]
    );
    assert_eq!(PlanCode::P151.side(), PlanSide::Expense);
    assert_eq!(PlanCode::P241.name_th(), "หนี้สูญและสงสัยจะสูญ");
    assert_eq!("p61".parse::<PlanCode>(), Ok(PlanCode::P61));
    assert!("P99".parse::<PlanCode>().is_err());
    assert!(
        PlanCode::ALL
            .iter()
            .all(|c| !c.name_th().is_empty() && !c.name_en().is_empty())
    );
}

#[test]
fn plan_type_check() {
    assert!(
        check_plan_type(&plan(1, 100, 100), pf()).is_empty(),
        "revenue = expense is fine"
    );
    let w = check_plan_type(&plan(2, 99, 100), pf());
    assert!(matches!(
        w.as_slice(),
        [PlanWarning::NoRiskTypeWithDeficit {
            plan_type: 2,
            revenue: Satang(1188),
            expense: Satang(1200)
        }]
    ));
    assert!(w[0].message_th().contains("อนุมาน") && w[0].message_en().contains("derived rule"));
    assert!(
        check_plan_type(&plan(5, 99, 100), pf()).is_empty(),
        "risky types may run a deficit"
    );
    assert!(matches!(
        check_plan_type(&plan(8, 1, 1), pf()).as_slice(),
        [PlanWarning::TypeOutOfRange { .. }]
    ));
    assert!(matches!(
        check_plan_type(&plan(0, 1, 1), pf()).as_slice(),
        [PlanWarning::TypeOutOfRange { .. }]
    ));
    assert!(is_no_risk_type(3, pf()) && !is_no_risk_type(4, pf()));
}

#[test]
fn tolerance_exactly_at_5_percent() {
    let five = Hundredths::from_int(5);
    assert_eq!(
        within_tolerance(Satang(1_000_000), Satang(1_050_000), five),
        Some(true)
    );
    assert_eq!(
        within_tolerance(Satang(1_000_000), Satang(950_000), five),
        Some(true)
    );
    assert_eq!(
        within_tolerance(Satang(1_000_000), Satang(1_050_001), five),
        Some(false)
    );
    assert_eq!(
        within_tolerance(Satang(1_000_000), Satang(949_999), five),
        Some(false)
    );
    assert_eq!(within_tolerance(Satang(0), Satang(0), five), None);
    // A non-integral boundary: plan 333 satang, 5 % = 16.65 → 349 ok (dev 16), 350 not (dev 17).
    assert_eq!(within_tolerance(Satang(333), Satang(349), five), Some(true));
    assert_eq!(
        within_tolerance(Satang(333), Satang(350), five),
        Some(false)
    );
}

#[test]
fn q2_rule_exactly_at_50_percent() {
    let x = pf().q2_threshold_pct;
    let q = q2_check(Satang(1_200), Satang(600), Satang(1_000), Satang(500), x);
    assert_eq!((q.revenue_met, q.expense_met), (Some(true), Some(true)));
    assert_eq!((q.revenue_pct, q.expense_pct), (Some(50.0), Some(50.0)));
    let q = q2_check(Satang(1_200), Satang(599), Satang(1_000), Satang(499), x);
    assert_eq!((q.revenue_met, q.expense_met), (Some(false), Some(false)));
    let q = q2_check(Satang(0), Satang(599), Satang(1_000), Satang(501), x);
    assert_eq!((q.revenue_met, q.expense_met), (None, Some(true)));
}

#[test]
fn review_count_against_minimum() {
    let mut p = plan(1, 1, 1);
    let r = review_status(&p, pf());
    assert_eq!((r.approved, r.required, r.met), (0, 1, false));
    p.revisions.push(PlanRevision {
        number: 1,
        date: Some("2565-01-15".into()),
        approved: false,
        note: String::new(),
    });
    assert!(
        !review_status(&p, pf()).met,
        "an unapproved revision does not count"
    );
    p.revisions[0].approved = true;
    let r = review_status(&p, pf());
    assert_eq!((r.approved, r.pending, r.met), (1, 0, true));
    let mut strict = pf().clone();
    strict.min_reviews_per_year = 3; // the working paper's reading
    assert!(!review_status(&p, &strict).met);
}

#[test]
fn plan_vs_actual_by_month_quarter_and_ytd() {
    let p = plan(1, 1_000, 800); // 12,000 revenue, 9,600 expense a year
    let mut actual_rev = line(PlanCode::P04, 1_000);
    actual_rev.months[0] = Satang(1_100); // Oct +10 %
    actual_rev.months[11] = Satang(99_999); // Sep, not closed: ignored
    let actual = Actuals {
        lines: vec![actual_rev, line(PlanCode::P14, 800)],
        months_closed: 7,
    };
    let r = plan_vs_actual(&p, &actual, pf());
    assert_eq!(r.months.len(), 7);
    assert_eq!(r.months[0].label_th, "ต.ค.");
    assert_eq!(r.months[0].revenue.variance, Satang(100));
    assert_eq!(r.months[0].revenue.within_tolerance, Some(false));
    assert_eq!(r.months[1].revenue.within_tolerance, Some(true));
    assert_eq!(r.quarters.len(), 3);
    assert_eq!(
        (r.quarters[0].revenue.plan, r.quarters[0].revenue.actual),
        (Satang(3_000), Satang(3_100))
    );
    assert!(r.quarters[1].complete);
    assert!(!r.quarters[2].complete, "Q3 has only April closed");
    assert_eq!((r.quarters[2].from_month, r.quarters[2].to_month), (7, 7));
    assert_eq!(
        (r.ytd.revenue.plan, r.ytd.revenue.actual),
        (Satang(7_000), Satang(7_100))
    );
    assert_eq!(r.ytd.revenue.within_tolerance, Some(true), "+1.43 % YTD");
    let q2 = r.q2.unwrap();
    assert_eq!(
        (q2.plan_revenue, q2.actual_revenue),
        (Satang(12_000), Satang(6_100))
    );
    assert_eq!(q2.revenue_met, Some(true));
    assert_eq!(q2.expense_met, Some(true), "4,800 of 9,600 is exactly 50 %");
    assert_eq!(r.lines.len(), 2);
    assert_eq!(
        (
            r.lines[0].code,
            r.lines[0].plan_annual,
            r.lines[0].actual_ytd
        ),
        (PlanCode::P04, Satang(12_000), Satang(7_100))
    );

    let early = plan_vs_actual(
        &p,
        &Actuals {
            lines: actual.lines.clone(),
            months_closed: 5,
        },
        pf(),
    );
    assert!(early.q2.is_none(), "Q2 rule waits for March");
    let none = plan_vs_actual(
        &p,
        &Actuals {
            lines: Vec::new(),
            months_closed: 0,
        },
        pf(),
    );
    assert!(none.months.is_empty() && none.quarters.is_empty());
}

// ------------------------------------------------------------------------------------------------
// 7 Plus helpers
// ------------------------------------------------------------------------------------------------

#[test]
fn fiscal_days() {
    assert_eq!(fiscal_days_ytd(2565, 1), Some(31));
    assert_eq!(fiscal_days_ytd(2565, 6), Some(182)); // Oct 2021 – Mar 2022
    assert_eq!(fiscal_days_ytd(2565, 12), Some(365));
    assert_eq!(fiscal_days_ytd(2567, 12), Some(366)); // Feb 2024
    assert_eq!(days_ytd_for_period(256706), Some(183));
    assert_eq!(fiscal_days_ytd(2565, 13), None);
}

#[test]
fn collection_period_formula() {
    // avg (100 + 140)/2 = 120 ÷ 730 revenue × 365 days = 60 days.
    assert_eq!(
        collection_period_days(Satang(100), Satang(140), Satang(730), 365),
        Some(60.0)
    );
    assert_eq!(
        days_at_most(
            Satang(100),
            Satang(140),
            Satang(730),
            365,
            Hundredths::from_int(60)
        ),
        Some(true)
    );
    assert_eq!(
        days_at_most(
            Satang(100),
            Satang(141),
            Satang(730),
            365,
            Hundredths::from_int(60)
        ),
        Some(false)
    );
    assert_eq!(
        collection_period_days(Satang(100), Satang(140), Satang(0), 365),
        None
    );
    assert_eq!(
        days_at_most(
            Satang(100),
            Satang(140),
            Satang(-5),
            365,
            Hundredths::from_int(60)
        ),
        None
    );
}

#[test]
fn seven_plus_indicators() {
    let c = &CriteriaSet::builtin().seven_plus;
    let input = SevenPlusInput {
        days_ytd: 182,
        ebitda: Satang(50),
        operating_revenue: Satang(1_000),
        net_income: Satang(20),
        total_assets: Satang(1_000),
        payables: Balance {
            opening: Satang(100),
            closing: Satang(140),
        },
        purchases_ytd: Satang(182), // avg 120 / 182 × 182 = 120 days
        receivable_uc: unchanged(60),
        revenue_uc_ytd: Satang(182), // 60 days
        receivable_csmbs: unchanged(61),
        revenue_csmbs_ytd: Satang(182), // 61 days
        receivable_sss: unchanged(90),
        revenue_sss_ytd: Satang(182), // 90 days
        inventory: unchanged(70),
        inventory_usage_ytd: Satang(182), // 70 days
        cash_ratio: Some(Hundredths::parse("0.79").unwrap()),
        island: true,
        median_operating_margin_pct: Some(5.0),
        median_roa_pct: None,
    };
    let r = seven_plus(&input, c);
    let v = |i| r.get(i).unwrap().passed;
    assert_eq!(
        v(SevenPlusIndicator::OperatingMargin),
        Some(true),
        "5 % ≥ median 5 %"
    );
    assert_eq!(v(SevenPlusIndicator::Roa), None, "no median");
    assert_eq!(
        v(SevenPlusIndicator::PayablesDays),
        Some(true),
        "120 ≤ 180 with cash < 0.8"
    );
    assert_eq!(v(SevenPlusIndicator::AcpUc), Some(true));
    assert_eq!(v(SevenPlusIndicator::AcpCsmbs), Some(false));
    assert_eq!(v(SevenPlusIndicator::AcpSss), Some(true));
    assert_eq!(
        v(SevenPlusIndicator::InventoryDays),
        Some(true),
        "island limit 90"
    );
    assert_eq!((r.passed, r.evaluated), (5, 6));
    let payables = r.get(SevenPlusIndicator::PayablesDays).unwrap();
    assert_eq!(payables.target, Some(180.0));
    assert!(payables.explain_en().contains("120.00 days"));
    assert!(
        r.get(SevenPlusIndicator::AcpCsmbs)
            .unwrap()
            .explain_th()
            .contains("ไม่ผ่าน")
    );

    let normal = SevenPlusInput {
        cash_ratio: Some(Hundredths::parse("0.8").unwrap()),
        island: false,
        ..input
    };
    let r = seven_plus(&normal, c);
    assert_eq!(
        r.get(SevenPlusIndicator::PayablesDays).unwrap().passed,
        Some(false)
    );
    assert_eq!(
        r.get(SevenPlusIndicator::InventoryDays).unwrap().passed,
        Some(false)
    );
}
