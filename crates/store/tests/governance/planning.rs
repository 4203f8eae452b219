//! Planfin plans, actuals, revisions and Q2; TPS inputs with peer medians.

use super::*;
use raidai_store::testkit::hc;

pub(super) async fn planfin_plan_actuals_revisions_and_q2(store: &Store) {
    use raidai_governance::planfin::{check_plan_type, plan_vs_actual, review_status};
    seed_small(store).await;
    let head = actor(Role::UnitHead, "99001");
    let months = (1..=12)
        .map(|m| format!("m{m:02}"))
        .collect::<Vec<_>>()
        .join(",");
    let plan = format!(
        "code,{months}\nP04,{r}\nP16,{e}\n",
        r = ["100"; 12].join(","),
        e = ["90"; 12].join(",")
    );
    let plan_lines = parse_plan_csv(plan.as_bytes()).unwrap();
    assert_eq!(plan_lines.len(), 2);
    // Amounts need a plan year first.
    assert!(matches!(
        store
            .save_plan_amounts(&head, hc("99001"), 2569, AmountKind::Plan, &plan_lines)
            .await,
        Err(StoreError::Invalid(_))
    ));
    store
        .save_plan_type(&head, hc("99001"), 2569, 2)
        .await
        .unwrap();
    assert!(
        store
            .save_plan_type(&head, hc("99001"), 2569, 8)
            .await
            .is_err()
    );
    store
        .save_plan_amounts(&head, hc("99001"), 2569, AmountKind::Plan, &plan_lines)
        .await
        .unwrap();
    // Six months of actuals: revenue 600 of 1,200 (50 %), expense 480 of 1,080.
    let six = |v: &str| {
        let mut m = vec![v; 6];
        m.extend([""; 6]);
        m.join(",")
    };
    let act = parse_plan_csv(
        format!("code,{months}\nP04,{}\nP16,{}\n", six("100"), six("80")).as_bytes(),
    )
    .unwrap();
    store
        .save_plan_amounts(&head, hc("99001"), 2569, AmountKind::Actual, &act)
        .await
        .unwrap();
    let n = store
        .add_plan_revision(
            &head,
            hc("99001"),
            2569,
            Some("2026-04-01".into()),
            "ปรับแผนรอบ 1",
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    // Only the province approves.
    assert!(matches!(
        store
            .approve_plan_revision(&head, hc("99001"), 2569, 1)
            .await,
        Err(StoreError::Forbidden)
    ));
    let pho = actor(Role::Province, "99");
    store
        .approve_plan_revision(&pho, hc("99001"), 2569, 1)
        .await
        .unwrap();
    assert!(matches!(
        store
            .approve_plan_revision(&pho, hc("99001"), 2569, 9)
            .await,
        Err(StoreError::NotFound)
    ));
    let y = store
        .get_plan_year(&pho, hc("99001"), 2569)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(y.actuals.months_closed, 6);
    assert_eq!(y.revisions[0].approved_by.as_deref(), Some("test-province"));
    let c = &raidai_governance::CriteriaSet::builtin().planfin;
    assert!(check_plan_type(&y.plan, c).is_empty());
    assert!(review_status(&y.plan, c).met);
    let pva = plan_vs_actual(&y.plan, &y.actuals, c);
    let q2 = pva.q2.unwrap();
    assert_eq!(q2.revenue_met, Some(true));
    assert_eq!(q2.expense_met, Some(false));
    // Tenancy.
    let other = actor(Role::UnitHead, "99002");
    assert!(matches!(
        store.get_plan_year(&other, hc("99001"), 2569).await,
        Err(StoreError::NotFound)
    ));
    let bad = parse_plan_csv(format!("code,{months}\nP99,1\nP04,x\n").as_bytes()).unwrap_err();
    assert_eq!(
        lines(bad),
        vec![(Some(2), "code".into()), (Some(3), "m01".into())]
    );
}

pub(super) async fn tps_inputs_round_trip_with_peer_medians(store: &Store) {
    use raidai_governance::tps::TpsInput;
    seed_small(store).await;
    let input = |hcode: &str, cost: i64| TpsInput {
        hcode: hcode.into(),
        period: "2569Q2".into(),
        peer_group: "F2".into(),
        costs: raidai_governance::tps::TpsCosts {
            unit_cost_op: Some(Satang(cost)),
            ..Default::default()
        },
        ..Default::default()
    };
    store
        .save_tps_input(
            &actor(Role::UnitHead, "99001"),
            2569,
            2,
            &input("99001", 30_000),
        )
        .await
        .unwrap();
    store
        .save_tps_input(
            &actor(Role::UnitHead, "99002"),
            2569,
            2,
            &input("99002", 50_000),
        )
        .await
        .unwrap();
    let head = actor(Role::UnitHead, "99001");
    let got = store
        .get_tps_input(&head, hc("99001"), 2569, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, input("99001", 30_000));
    // The peer median spans the province, but only the median leaves the store.
    let m = store
        .tps_peer_medians(&head, hc("99001"), 2569, 2)
        .await
        .unwrap();
    assert_eq!(m["F2"].costs.unit_cost_op, Some(Satang(40_000)));
    assert_eq!(
        store
            .tps_inputs_in_scope(&head, 2569, 2)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .tps_inputs_in_scope(&actor(Role::Province, "99"), 2569, 2)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(matches!(
        store.get_tps_input(&head, hc("99002"), 2569, 2).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_tps_input(&head, 2569, 2, &input("99002", 1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_tps_input(&head, 2569, 5, &input("99001", 1))
            .await,
        Err(StoreError::Invalid(_))
    ));
}
