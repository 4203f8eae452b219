//! Measures count over every unit in scope: a unit without data is not met, and is listed.

use raidai_governance::criteria::{count_in_scope, evaluate_share, shown_beside_limit};

#[test]
fn units_without_data_count_as_not_met_and_are_listed() {
    let scope: Vec<&str> = (1..=13).map(|i| if i == 1 { "a" } else { "x" }).collect();
    // One hospital of thirteen has a plan, and it is a no-risk plan.
    let c = count_in_scope(&scope, |h| (*h == "a").then_some(true));
    assert_eq!((c.met, c.total, c.missing.len()), (1, 13, 12));
    let share = raidai_governance::CriteriaSet::builtin()
        .measures
        .iter()
        .find(|m| m.id == "budgeting.no_risk_plan")
        .and_then(|m| m.evaluate(c.met, c.total))
        .unwrap();
    assert_eq!(share.met, Some(false), "1 of 13 is not 100 %");
    // Data that does not meet the measure is not "missing".
    let c = count_in_scope(&["a", "b", "c"], |h| match *h {
        "a" => Some(true),
        "b" => Some(false),
        _ => None,
    });
    assert_eq!((c.met, c.total, c.missing), (1, 3, vec!["c"]));
    // Nothing in scope: no percentage, neither met nor not met.
    let c = count_in_scope::<&str>(&[], |_| Some(true));
    assert_eq!(c.total, 0);
    assert_eq!(evaluate_share(c.met, c.total, share.target).met, None);
}

#[test]
fn a_percentage_never_rounds_across_its_limit() {
    assert_eq!(shown_beside_limit(66.666_666, 95.0), (66.666_666, 2));
    // 49.99999 beside 50: "50.00" would contradict "not met"; five decimals do not (49.99999).
    assert_eq!(shown_beside_limit(49.999_99, 50.0).1, 5);
    assert_eq!(shown_beside_limit(50.000_4, 50.0).1, 4);
    assert_eq!(shown_beside_limit(50.0, 50.0), (50.0, 2));
    // Closer than six decimals: cut toward its own side.
    let (v, d) = shown_beside_limit(49.999_999_9, 50.0);
    assert_eq!(d, 6);
    assert!((49.999_999..50.0).contains(&v));
    let (v, _) = shown_beside_limit(80.000_000_1, 80.0);
    assert!(v > 80.0);
}

#[test]
fn differing_collection_limits_are_explained() {
    use raidai_governance::criteria::CollectionFund;
    let c = raidai_governance::CriteriaSet::builtin();
    let (th, en) = c.collection_limit_note(CollectionFund::Sss).unwrap();
    assert!(th.contains("≤ 90 วัน") && th.contains("≤ 120 วัน"), "{th}");
    assert!(en.contains("90 days") || en.contains("≤ 90"), "{en}");
    // UC and CSMBS use 60 days on both: nothing to explain.
    assert_eq!(c.collection_limit_note(CollectionFund::Uc), None);
    assert_eq!(c.collection_limit_note(CollectionFund::Csmbs), None);
}

#[test]
fn a_loaded_set_with_impossible_values_is_refused_with_each_named() {
    use raidai_governance::criteria::FY2565_TOML;
    let bad = FY2565_TOML
        .replace("q2_threshold_pct = 50", "q2_threshold_pct = -5")
        .replace("min_reviews_per_year = 1", "min_reviews_per_year = 0")
        .replace("acp_sss_max_days = 90", "acp_sss_max_days = -1");
    let err = raidai_governance::CriteriaSet::from_toml_str(&bad)
        .unwrap_err()
        .to_string();
    for want in [
        "planfin.q2_threshold_pct -5",
        "planfin.min_reviews_per_year 0",
        "seven_plus.acp_sss_max_days -1",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    // The moved values themselves are fine.
    let moved = FY2565_TOML
        .replace("q2_threshold_pct = 50", "q2_threshold_pct = 80")
        .replace("min_reviews_per_year = 1", "min_reviews_per_year = 3");
    let set = raidai_governance::CriteriaSet::from_toml_str(&moved).unwrap();
    assert_eq!(set.planfin.min_reviews_per_year, 3);
    assert_eq!(
        set.differences(raidai_governance::CriteriaSet::builtin())
            .len(),
        2
    );
}
