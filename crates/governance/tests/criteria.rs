//! Criteria as versioned data: the embedded FY2565 set, loading another year from text, and
//! validation.

use raidai_governance::criteria::{
    CriteriaError, CriteriaLibrary, CriteriaSet, FY2565_TOML, Grade, PlanSide, TpsRule,
};
use raidai_governance::num::{Hundredths, Satang};
use raidai_governance::risk_score::{RiskInput, risk_score};
use raidai_governance::tps::{TpsCosts, TpsInput, TpsMedians, tps_score};

fn h(v: &str) -> Hundredths {
    Hundredths::parse(v).unwrap()
}

#[test]
fn builtin_fy2565_holds_the_documented_numbers() {
    let c = CriteriaSet::builtin();
    assert_eq!(c.fiscal_year, 2565);
    let r = &c.risk_score;
    assert_eq!(
        (
            r.current_ratio_below,
            r.quick_ratio_below,
            r.cash_ratio_below
        ),
        (h("1.5"), h("1"), h("0.8"))
    );
    let rounds: Vec<_> = r
        .rounds
        .iter()
        .map(|t| (t.months, t.level7_max_pct, t.level6_max_pct))
        .collect();
    assert_eq!(
        rounds,
        vec![
            (3, h("0"), h("0")),
            (6, h("0"), h("0")),
            (9, h("1"), h("2")),
            (12, h("2"), h("4"))
        ]
    );
    assert_eq!(
        c.measures.len(),
        6,
        "five measures, Budgeting has two indicators"
    );
    let eff = c.measures.iter().find(|m| m.id == "efficiency").unwrap();
    assert_eq!(eff.unit_threshold, Some(h("10.5")));
    assert_eq!(eff.share.unwrap().pct, h("40"));
    // 40 of 100 units with TPS ≥ 10.5 meets "≥ 40 %"; 39 does not; qualitative measures give None.
    assert_eq!(eff.evaluate(40, 100).unwrap().met, Some(true));
    assert_eq!(eff.evaluate(39, 100).unwrap().met, Some(false));
    let competency = c.measures.iter().find(|m| m.id == "competency").unwrap();
    assert!(competency.evaluate(1, 1).is_none());

    let t = &c.tps;
    assert_eq!(t.max_total, h("15"));
    let caps: Vec<_> = t.groups.iter().map(|g| (g.id.as_str(), g.max)).collect();
    assert_eq!(
        caps,
        vec![
            ("1.1", h("2")),
            ("1.2", h("3")),
            ("1.3", h("5")),
            ("2.1", h("3")),
            ("2.2", h("2"))
        ]
    );
    assert_eq!(t.items.len(), 20);
    let raw_13: Hundredths = t
        .items
        .iter()
        .filter(|i| i.group == "1.3")
        .map(|i| i.weight)
        .sum();
    assert_eq!(raw_13, h("7"), "printed weights of 1.3 add to 7");
    let bands: Vec<_> = t
        .grades
        .iter()
        .map(|b| (b.grade, b.min, b.label_th.as_str()))
        .collect();
    assert_eq!(
        bands,
        vec![
            (Grade::A, h("12"), "ดีมาก"),
            (Grade::B, h("10.5"), "ดี"),
            (Grade::C, h("9"), "พอใช้"),
            (Grade::D, h("7.5"), "ต้องปรับปรุง"),
            (Grade::F, h("0"), "ไม่ผ่าน"),
        ]
    );
    assert!(t.items.iter().any(|i| matches!(
        i.rule,
        TpsRule::PayablesDays { max_days, max_days_low_cash, .. }
            if max_days == h("90") && max_days_low_cash == h("180")
    )));

    let sp = &c.seven_plus;
    assert_eq!(
        (
            sp.acp_uc_max_days,
            sp.acp_csmbs_max_days,
            sp.acp_sss_max_days
        ),
        (h("60"), h("60"), h("90"))
    );
    assert_eq!(
        (sp.inventory_max_days, sp.inventory_max_days_island),
        (h("60"), h("90"))
    );
    assert_eq!(
        (sp.payables_max_days, sp.payables_max_days_low_cash),
        (h("90"), h("180"))
    );

    let pf = &c.planfin;
    assert_eq!(pf.q2_threshold_pct, h("50"));
    assert_eq!(pf.min_reviews_per_year, 1);
    assert_eq!(pf.plan_tolerance_pct, h("5"));
    assert_eq!(pf.no_risk_plan_types, vec![1, 2, 3]);
    assert_eq!(c.four_p.target_pct, h("80"));
    assert_eq!(
        (
            c.four_p.marks.complete,
            c.four_p.marks.incomplete,
            c.four_p.marks.absent
        ),
        (2, 1, 0)
    );
    let rc = &c.revenue_centre;
    assert_eq!(rc.good_grades, vec![Grade::A, Grade::B]);
    assert_eq!(rc.good_share.pct, h("90"));
}

#[test]
fn default_for_falls_back_to_the_latest_earlier_year() {
    assert_eq!(CriteriaSet::default_for(2565).unwrap().fiscal_year, 2565);
    assert_eq!(CriteriaSet::default_for(2569).unwrap().fiscal_year, 2565);
    assert!(CriteriaSet::default_for(2564).is_none());
}

fn fy2566_text() -> String {
    // FY2566 as a pure data change: a stricter TPS grade B and a higher cash-ratio threshold.
    FY2565_TOML
        .replace("fiscal_year = 2565", "fiscal_year = 2566")
        .replace("version = \"2565.1\"", "version = \"2566.1\"")
        .replace("grade = \"B\"\nmin = 10.5", "grade = \"B\"\nmin = 11")
        .replace("cash_ratio_below = 0.8", "cash_ratio_below = 1.0")
}

/// A unit whose capped TPS total is exactly 10.5.
fn tps_10_5() -> TpsInput {
    TpsInput {
        plan_revenue: Some(Satang(100_000)),
        actual_revenue: Some(Satang(100_000)),
        plan_expense: Some(Satang(100_000)),
        actual_expense: Some(Satang(100_000)), // 1.1 → 2
        payables_days: Some(30.0),
        acp_uc_days: Some(30.0),
        acp_csmbs_days: Some(30.0),
        inventory_days: Some(30.0), // 1.2 → 3
        costs: TpsCosts {
            unit_cost_op: Some(Satang(100)),
            labour_cost: Some(Satang(100)),
            ..TpsCosts::default()
        },
        accounting_check_passed: Some(true),
        bed_occupancy_pct: Some(85.0), // 1.3 → 1 + 0.5 + 1 + 1 = 3.5
        ebitda: Some(Satang(1)),       // 2.1 → 1
        nwc: Some(Satang(1)),          // 2.2 → 1 (cash ratio 0.5 misses)
        cash_ratio: Some(h("0.5")),
        medians: TpsMedians {
            costs: TpsCosts {
                unit_cost_op: Some(Satang(100)),
                labour_cost: Some(Satang(200)),
                ..TpsCosts::default()
            },
            ..TpsMedians::default()
        },
        ..TpsInput::default()
    }
}

#[test]
fn a_modified_fy2566_set_loads_from_a_string_and_changes_results() {
    let fy66 = CriteriaSet::from_toml_str(&fy2566_text()).unwrap();
    assert_eq!(fy66.fiscal_year, 2566);
    let fy65 = CriteriaSet::builtin();

    let unit = tps_10_5();
    let a = tps_score(&unit, &fy65.tps);
    let b = tps_score(&unit, &fy66.tps);
    assert_eq!(a.total, h("10.5"));
    assert_eq!(b.total, h("10.5"));
    assert_eq!(a.grade.grade, Grade::B);
    assert_eq!(b.grade.grade, Grade::C, "B now starts at 11");

    // Cash ratio 0.90: no point under FY2565 (< 0.8 is risky), a point under FY2566 (< 1.0).
    let r = RiskInput {
        hcode: "10670".into(),
        period: 256603,
        current_assets: Satang(300),
        current_liabilities: Satang(100),
        quick_assets: Satang(200),
        cash_and_equivalents: Satang(90),
        revenue_ytd: Satang(10),
        expense_ytd: Satang(5),
    };
    assert_eq!(risk_score(&r, &fy65.risk_score).unwrap().risk_score, 0);
    assert_eq!(risk_score(&r, &fy66.risk_score).unwrap().risk_score, 1);

    let mut lib = CriteriaLibrary::with_builtins();
    assert!(lib.insert(fy66).is_none());
    assert_eq!(lib.years(), vec![2565, 2566]);
    assert_eq!(lib.for_year(2565).unwrap().fiscal_year, 2565);
    assert_eq!(lib.for_year(2568).unwrap().fiscal_year, 2566);
    assert!(lib.exact(2567).is_none());
    assert!(lib.for_year(2500).is_none());
}

#[test]
fn json_round_trip() {
    let json = CriteriaSet::builtin().to_json_string();
    let back = CriteriaSet::from_json_str(&json).unwrap();
    assert_eq!(&back, CriteriaSet::builtin());
    // JSON edits load too.
    let edited = json.replace("\"q2_threshold_pct\": 50", "\"q2_threshold_pct\": 80");
    assert_ne!(edited, json);
    let set = CriteriaSet::from_json_str(&edited).unwrap();
    assert_eq!(set.planfin.q2_threshold_pct, h("80"));
}

#[test]
fn inconsistent_sets_are_rejected_with_every_problem() {
    let text = FY2565_TOML
        .replace("[tps]\nmax_total = 15", "[tps]\nmax_total = 16")
        .replace(
            "no_risk_plan_types = [1, 2, 3]",
            "no_risk_plan_types = [1, 2, 9]",
        )
        .replace("grade = \"C\"\nmin = 61", "grade = \"C\"\nmin = 95");
    match CriteriaSet::from_toml_str(&text) {
        Err(CriteriaError::Invalid(problems)) => {
            assert!(
                problems.iter().any(|p| p.contains("max_total is 16")),
                "{problems:?}"
            );
            assert!(
                problems.iter().any(|p| p.contains("9 is not a plan type")),
                "{problems:?}"
            );
            assert!(
                problems.iter().any(|p| p.contains("descending")),
                "{problems:?}"
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    // A 4S4C item removed: its group no longer adds up.
    let start = FY2565_TOML.find("id = \"4s4c.6.4\"").unwrap();
    let block_start = FY2565_TOML[..start]
        .rfind("[[revenue_centre.forms.items]]")
        .unwrap();
    let block_end = start + FY2565_TOML[start..].find("[[").unwrap();
    let text = format!(
        "{}{}",
        &FY2565_TOML[..block_start],
        &FY2565_TOML[block_end..]
    );
    let err = CriteriaSet::from_toml_str(&text).unwrap_err().to_string();
    assert!(err.contains("group 4s4c.6 items add to 6"), "{err}");

    assert!(matches!(
        CriteriaSet::from_toml_str("fiscal_year = "),
        Err(CriteriaError::Toml(_))
    ));
    assert!(matches!(
        CriteriaSet::from_json_str("{}"),
        Err(CriteriaError::Json(_))
    ));
}

#[test]
fn four_p_q2_items_are_linked_to_plan_sides() {
    let items = &CriteriaSet::builtin().four_p.items;
    let q2: Vec<_> = items
        .iter()
        .filter_map(|i| i.q2_side.map(|s| (i.id.as_str(), s)))
        .collect();
    assert_eq!(
        q2,
        vec![("4p.4.1", PlanSide::Revenue), ("4p.4.2", PlanSide::Expense)]
    );
}
