//! Measures count over every unit in scope: a unit without data is not met, and is listed.

use raidai_governance::criteria::{count_in_scope, evaluate_share};

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
