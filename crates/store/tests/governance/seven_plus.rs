//! The 7 Plus items from trial balances and direct entry, and collection periods from the ledger.

use super::*;
use raidai_store::testkit::hc;

pub(super) async fn seven_plus_items_from_trial_balances_and_direct_entry(store: &Store) {
    seed_small(store).await;
    let unit_b = actor(Role::UnitHead, "99002");
    // FY2568 year end: the opening balances of FY2569.
    let opening = parse_trial_balance_csv(
        b"account_code,debit,credit\n1102050101.201,400000.00,0\n1105010103.102,100000.00,0\n",
    )
    .unwrap();
    store
        .import_trial_balance(&unit_b, hc("99002"), 256812, &opening)
        .await
        .unwrap();
    let csv = "account_code,debit,credit\n\
1101010101.101,1000000.00,0\n\
1102050101.201,600000.00,0\n\
1102050101.301,50000.00,0\n\
1102050101.401,80000.00,0\n\
1105010103.102,300000.00,0\n\
2101010101.101,0,500000.00\n\
4301020105.201,0,1820000.00\n\
4301020106.301,0,364000.00\n\
4301020104.401,0,728000.00\n\
4301010101.101,0,88000.00\n\
5101010101.101,2000000.00,0\n\
5104010101.101,730000.00,0\n\
5105010101.101,100000.00,0\n";
    let tb = parse_trial_balance_csv(csv.as_bytes()).unwrap();
    store
        .import_trial_balance(&unit_b, hc("99002"), 256906, &tb)
        .await
        .unwrap();
    let items = store
        .ratio_items(&unit_b, hc("99002"), 256906)
        .await
        .unwrap();
    assert_eq!(items["total_assets"], 203_000_000);
    assert_eq!(items["receivable_uc"], 60_000_000);
    assert_eq!(items["receivable_sss"], 5_000_000);
    assert_eq!(items["receivable_csmbs"], 8_000_000);
    assert_eq!(items["revenue_uc_ytd"], 182_000_000);
    assert_eq!(items["revenue_csmbs_ytd"], 72_800_000);
    assert_eq!(items["medical_revenue"], 291_200_000);
    assert_eq!(items["ebitda_revenue"], 300_000_000);
    assert_eq!(
        items["ebitda_expense"], 273_000_000,
        "depreciation (5105) left out"
    );
    assert_eq!(items["payables"], 50_000_000);
    assert_eq!(items["inventory_usage_ytd"], 73_000_000);
    assert!(
        !items.contains_key("purchases_ytd"),
        "no account feeds purchases"
    );

    let f = store
        .seven_plus_figures(&unit_b, hc("99002"), 256906)
        .await
        .unwrap()
        .unwrap();
    assert!(f.has_opening);
    assert_eq!(f.input.days_ytd, 182);
    assert_eq!(f.input.receivable_uc.opening, Satang(40_000_000));
    assert_eq!(f.input.receivable_uc.closing, Satang(60_000_000));
    assert_eq!(f.input.net_income, Satang(300_000_000 - 283_000_000));
    let c = &raidai_store::governance::criteria_for_period(256906).seven_plus;
    let r = raidai_governance::seven_plus::seven_plus(&f.input, c);
    use raidai_governance::seven_plus::SevenPlusIndicator as I;
    // (400,000 + 600,000) / 2 / 1,820,000 × 182 = 50 days.
    assert!((r.get(I::AcpUc).unwrap().value.unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(r.get(I::AcpUc).unwrap().passed, Some(true));
    // (100,000 + 300,000) / 2 / 730,000 × 182 ≈ 49.9 days.
    assert_eq!(r.get(I::InventoryDays).unwrap().passed, Some(true));
    // No purchases: payables days undefined, not zero.
    assert_eq!(r.get(I::PayablesDays).unwrap().value, None);
    // Alone in its peer group so far: its own margin is the median.
    let own = 27_000_000.0 * 100.0 / 291_200_000.0;
    assert!((f.input.median_operating_margin_pct.unwrap() - own).abs() < 1e-9);

    // A period without the previous year's end falls back to the closing balances.
    let pho = actor(Role::Province, "99");
    let direct: std::collections::BTreeMap<String, i64> = [
        ("ebitda_revenue", 100_000_000),
        ("ebitda_expense", 90_000_000),
        ("medical_revenue", 100_000_000),
        ("purchases_ytd", 36_500_000),
        ("payables", 10_000_000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    store
        .save_ratio_items(&pho, hc("99001"), 256906, &direct)
        .await
        .unwrap();
    let f1 = store
        .seven_plus_figures(&pho, hc("99001"), 256906)
        .await
        .unwrap()
        .unwrap();
    assert!(!f1.has_opening);
    assert_eq!(f1.input.payables.opening, Satang(10_000_000));
    assert_eq!(f1.input.purchases_ytd, Satang(36_500_000));
    // Two units of peer group F2 now: the median is the midpoint of 10 % and `own`.
    let f = store
        .seven_plus_figures(&unit_b, hc("99002"), 256906)
        .await
        .unwrap()
        .unwrap();
    assert!((f.input.median_operating_margin_pct.unwrap() - (10.0 + own) / 2.0).abs() < 1e-9);
    assert!(
        store
            .seven_plus_figures(&pho, hc("99001"), 256905)
            .await
            .unwrap()
            .is_none()
    );

    // Unknown items are refused; tenancy on reads and writes.
    let mut bad = direct.clone();
    bad.insert("goodwill".into(), 1);
    assert!(matches!(
        store
            .save_ratio_items(&pho, hc("99001"), 256906, &bad)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let unit_a = actor(Role::UnitRevenue, "99001");
    assert!(matches!(
        store.ratio_items(&unit_a, hc("99002"), 256906).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.seven_plus_figures(&unit_a, hc("99002"), 256906).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_ratio_items(&unit_a, hc("99002"), 256906, &direct)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_ratio_items(&actor(Role::District, "9902"), hc("99002"), 256906, &direct)
            .await,
        Err(StoreError::Forbidden)
    ));
}

pub(super) fn ledger_visit(n: usize, fund: &str, date: i64, fy: i64, amount: i64) -> VisitRow {
    let v = op_visit(&format!("O{n:09}/{n}"), fund, date, amount);
    VisitRow {
        visit: VisitRef {
            hn: format!("{n:09}"),
            ..v.visit.clone()
        },
        facts: VisitFacts {
            fy,
            posted: true,
            ..v.facts.clone()
        },
        ..v
    }
}

pub(super) async fn ledger_collection_periods_per_fund(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let rows = vec![
        ledger_visit(1, "UC", 20250915, 2568, 100_000),
        ledger_visit(2, "UC", 20251015, 2569, 300_000),
        ledger_visit(3, "OFC", 20251101, 2569, 200_000),
        ledger_visit(4, "SSS", 20260401, 2569, 50_000),
        ledger_visit(5, "UC", 20260331, 2569, 100_000),
    ];
    let mut imp = store
        .begin_import(
            &sys,
            hc("99001"),
            ImportMeta {
                source_name: "t.zip".into(),
                files: Vec::new(),
                strict: false,
            },
        )
        .await
        .unwrap();
    imp.write_visits(rows).await.unwrap();
    imp.finish(ImportTotals::default(), true).await.unwrap();

    let head = actor(Role::UnitHead, "99001");
    let l = store
        .ledger_collection(&head, hc("99001"), 256906)
        .await
        .unwrap();
    assert_eq!(l.visits, 4, "visits of FY2569");
    assert_eq!(l.days_ytd, 182);
    let uc = &l.funds[0];
    assert_eq!(
        (uc.fund, uc.opening.0, uc.closing.0, uc.revenue_ytd.0),
        ("UC", 100_000, 500_000, 400_000)
    );
    // (1,000 + 5,000) / 2 / 4,000 × 182 = 136.5 days.
    assert!((l.days("UC").unwrap() - 136.5).abs() < 1e-9);
    // The same period as integers, for an exact verdict at its limit.
    let uc = l.measure("UC").unwrap();
    assert_eq!(uc.at_most(Hundredths(13_650)), Some(true));
    assert_eq!(uc.at_most(Hundredths(13_649)), Some(false));
    assert!((l.days("CSMBS").unwrap() - 91.0).abs() < 1e-9);
    assert_eq!(l.days("SSS"), None, "April is after the period");
    let sss = store
        .ledger_collection(&head, hc("99001"), 256907)
        .await
        .unwrap();
    assert_eq!(sss.funds[2].revenue_ytd.0, 50_000);
    // A unit without visits in raidai; tenancy.
    let other = store
        .ledger_collection(&sys, hc("99002"), 256906)
        .await
        .unwrap();
    assert_eq!(other.visits, 0);
    assert!(other.funds.iter().all(|f| f.closing.0 == 0));
    assert!(matches!(
        store
            .ledger_collection(&actor(Role::UnitRevenue, "99011"), hc("99001"), 256906)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.ledger_collection(&head, hc("99001"), 256913).await,
        Err(StoreError::Invalid(_))
    ));
}
