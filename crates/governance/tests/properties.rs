//! Property tests: score ranges and invariants over arbitrary inputs.

use proptest::prelude::*;
use raidai_governance::criteria::CriteriaSet;
use raidai_governance::num::{Hundredths, Satang, format_baht, parse_satang};
use raidai_governance::risk_score::{RiskInput, risk_score, risk_score_csv};
use raidai_governance::tps::{TpsCosts, TpsInput, TpsMedians, tps_score};

/// Amounts up to ±10^15 satang (10 trillion baht), far beyond any unit's balance sheet.
fn amount() -> impl Strategy<Value = Satang> {
    prop_oneof![
        Just(0i64),
        -1_000_000_000_000_000i64..1_000_000_000_000_000,
        -1_000i64..1_000,
    ]
    .prop_map(Satang)
}

fn period() -> impl Strategy<Value = u32> {
    (2560u32..2600, 1u32..=12).prop_map(|(y, m)| y * 100 + m)
}

prop_compose! {
    fn risk_input()(ca in amount(), cl in amount(), q in amount(), cash in amount(),
                    rev in amount(), exp in amount(), period in period()) -> RiskInput {
        RiskInput {
            hcode: "10670".into(), period,
            current_assets: ca, current_liabilities: cl, quick_assets: q,
            cash_and_equivalents: cash, revenue_ytd: rev, expense_ytd: exp,
        }
    }
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)].boxed()
}

prop_compose! {
    fn tps_input()(
        money in proptest::collection::vec(opt(amount()), 20),
        days in proptest::collection::vec(opt(-10.0f64..400.0), 4),
        pcts in proptest::collection::vec(opt(-50.0f64..150.0), 6),
        adj in proptest::collection::vec(opt(0.0f64..50_000.0), 3),
        cash in opt((-100i64..500).prop_map(Hundredths)),
        flags in proptest::collection::vec(opt(any::<bool>()), 1),
        island in any::<bool>(),
    ) -> TpsInput {
        TpsInput {
            plan_revenue: money[0], actual_revenue: money[1], plan_expense: money[2],
            actual_expense: money[3],
            costs: TpsCosts {
                unit_cost_op: money[4], unit_cost_ip: money[5], labour_cost: money[6],
                mc_drug: money[7], mc_lab: money[8], mc_supplies: money[9],
            },
            ebitda: money[10], nwc: money[11],
            payables_days: days[0], acp_uc_days: days[1], acp_csmbs_days: days[2], inventory_days: days[3],
            bed_occupancy_pct: pcts[0], operating_margin_pct: pcts[1], roa_pct: pcts[2],
            sum_adjrw: adj[0], sum_adjrw_last_year: adj[1],
            cash_ratio: cash, island, accounting_check_passed: flags[0],
            medians: TpsMedians {
                costs: TpsCosts {
                    unit_cost_op: money[12], unit_cost_ip: money[13], labour_cost: money[14],
                    mc_drug: money[15], mc_lab: money[16], mc_supplies: money[17],
                },
                sum_adjrw: adj[2], operating_margin_pct: pcts[3], roa_pct: pcts[4],
            },
            ..TpsInput::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn risk_score_is_0_to_7_and_the_sum_of_its_parts(input in risk_input()) {
        let r = risk_score(&input, &CriteriaSet::builtin().risk_score).unwrap();
        prop_assert!(r.risk_score <= 7);
        prop_assert!(r.liquidity_points <= 3 && r.status_points <= 2 && r.survival_points <= 2);
        prop_assert_eq!(r.risk_score, r.liquidity_points + r.status_points + r.survival_points);
        prop_assert_eq!(r.ratios_undefined, input.current_liabilities == Satang::ZERO);
        prop_assert_eq!(r.nwc, input.current_assets - input.current_liabilities);
        prop_assert_eq!(r.ni, input.revenue_ytd - input.expense_ytd);
        // Survival points follow the signs of NWC and NI.
        if r.nwc >= Satang::ZERO && r.ni >= Satang::ZERO { prop_assert_eq!(r.survival_points, 0); }
        if r.nwc < Satang::ZERO && r.ni < Satang::ZERO { prop_assert_eq!(r.survival_points, 2); }
    }

    #[test]
    fn tps_total_never_exceeds_15(input in tps_input()) {
        let c = &CriteriaSet::builtin().tps;
        let r = tps_score(&input, c);
        prop_assert!(r.total <= Hundredths::from_int(15));
        prop_assert!(r.total >= Hundredths::ZERO);
        prop_assert!(r.total <= r.raw_total);
        for g in &r.groups {
            prop_assert!(g.capped <= g.max);
            prop_assert_eq!(g.capped, g.raw.min(g.max));
        }
        let capped: Hundredths = r.groups.iter().map(|g| g.capped).sum();
        prop_assert_eq!(r.total, capped);
        prop_assert_eq!(r.grade.grade, raidai_governance::tps::tps_grade(r.total, c).grade);
    }

    #[test]
    fn satang_text_round_trips(v in any::<i64>()) {
        prop_assert_eq!(parse_satang(&format_baht(Satang(v))), Ok(Satang(v)));
    }

    #[test]
    fn ratio_rounding_is_within_half_a_hundredth(num in -1_000_000_000i64..1_000_000_000, den in 1i64..1_000_000_000) {
        let r = Hundredths::ratio_rounded(num, den).unwrap();
        // |r/100 − num/den| ≤ 1/200  ⇔  2·|r·den − 100·num| ≤ den
        let diff = (i128::from(r.raw()) * i128::from(den) - 100 * i128::from(num)).abs();
        prop_assert!(2 * diff <= i128::from(den));
    }

    #[test]
    fn risk_batch_never_panics(body in "[0-9a-z,.\\-\n ]{0,200}") {
        let text = format!("hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n{body}");
        let mut out = Vec::new();
        let report = risk_score_csv(text.as_bytes(), &mut out).unwrap();
        prop_assert_eq!(report.rows_read, report.rows_written + report.rows_skipped());
    }
}
