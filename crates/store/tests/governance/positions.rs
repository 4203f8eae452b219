//! Financial positions: ratio items, tenancy, line-named rejects and the trial balance through the account map.

use super::*;
use raidai_store::testkit::hc;

pub(super) async fn ratio_items_import_and_scores(store: &Store) {
    seed_small(store).await;
    let rows = parse_positions_csv(RATIO_CSV.as_bytes()).unwrap();
    let pho = actor(Role::Province, "99");
    assert_eq!(store.import_positions(&pho, &rows, 2).await.unwrap(), 3);
    let ps: Vec<Position> = store.list_positions(&pho, hc("99001")).await.unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].input.period, 256903);
    assert_eq!(ps[0].input.current_assets.0, 5_000_000, "satang");
    let worst = ps[0].score().unwrap();
    assert_eq!(worst.risk_score, 7);
    let best = ps[1].score().unwrap();
    assert_eq!(best.risk_score, 0);
    assert_eq!(best.cr.unwrap().to_fixed_string(), "8.68");
    // Zero current liabilities: no crash, ratios undefined.
    let z = store.list_positions(&pho, hc("99002")).await.unwrap()[0]
        .score()
        .unwrap();
    assert!(z.ratios_undefined && z.cr.is_none());

    // Re-import replaces, never duplicates.
    store.import_positions(&pho, &rows[..1], 2).await.unwrap();
    assert_eq!(
        store.list_positions(&pho, hc("99001")).await.unwrap().len(),
        2
    );

    let all = store
        .positions_in_scope(&pho, 256901, 256912)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(store.position_years(&pho).await.unwrap(), vec![2569]);
}

pub(super) async fn positions_are_tenant_scoped(store: &Store) {
    seed_small(store).await;
    let rows = parse_positions_csv(RATIO_CSV.as_bytes()).unwrap();
    store
        .import_positions(&Actor::system(), &rows, 2)
        .await
        .unwrap();
    let dho_a = actor(Role::District, "9901");
    let unit_a = actor(Role::UnitRevenue, "99011");
    assert!(matches!(
        store.list_positions(&dho_a, hc("99002")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.list_positions(&unit_a, hc("99001")).await,
        Err(StoreError::NotFound)
    ));
    let seen = store
        .positions_in_scope(&dho_a, 256901, 256912)
        .await
        .unwrap();
    assert!(seen.iter().all(|p| p.input.hcode == "99001"), "{seen:?}");
    assert!(
        store
            .positions_in_scope(&unit_a, 256901, 256912)
            .await
            .unwrap()
            .is_empty()
    );
    // A unit user may not write another unit's figures; the row is named, nothing written.
    let e = store.import_positions(&unit_a, &rows, 2).await.unwrap_err();
    assert_eq!(
        lines(e),
        vec![
            (Some(2), "hcode".into()),
            (Some(3), "hcode".into()),
            (Some(4), "hcode".into())
        ]
    );
    // District officers inspect, they do not enter figures.
    assert!(matches!(
        store.import_positions(&dho_a, &rows[..1], 2).await,
        Err(StoreError::Forbidden)
    ));
    let tb = parse_trial_balance_csv(b"account_code,balance\n1101010101.101,5\n").unwrap();
    assert!(matches!(
        store
            .import_trial_balance(&unit_a, hc("99021"), 256901, &tb)
            .await,
        Err(StoreError::NotFound)
    ));
}

pub(super) async fn bad_ratio_rows_name_their_line(store: &Store) {
    seed_small(store).await;
    let bad = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n\
99001,256913,1,1,1,1,1,1\n\
99001,256901,abc,1,1,1,1,1\n\
99001,256902,1,1,1,1,1,1\n";
    let e = parse_positions_csv(bad.as_bytes()).unwrap_err();
    assert_eq!(
        lines(e),
        vec![
            (Some(2), "period".into()),
            (Some(3), "current_assets".into())
        ]
    );
    let missing = parse_positions_csv(b"hcode,period\n").unwrap_err();
    assert_eq!(lines(missing).len(), 6);
    let dup = parse_positions_csv(
        "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n99001,256901,1,1,1,1,1,1\n99001,256901,1,1,1,1,1,1\n".as_bytes(),
    )
    .unwrap();
    let e = store
        .import_positions(&Actor::system(), &dup, 2)
        .await
        .unwrap_err();
    assert_eq!(lines(e), vec![(Some(3), "period".into())]);
}

pub(super) async fn trial_balance_import_uses_the_account_map(store: &Store) {
    seed_small(store).await;
    let csv = "account_code,debit,credit\n\
1101010101.101,2000000.00,0\n\
1102050101.102,1000000.00,0\n\
1105010101.101,500000.00,0\n\
2101010101.101,0,1200000.00\n\
4301020105.201,0,9000000.00\n\
5101010101.101,9500000.00,0\n\
1206010101.101,7000000.00,0\n\
1101010101.101,0,250000.00\n";
    let tb = parse_trial_balance_csv(csv.as_bytes()).unwrap();
    assert_eq!(tb.len(), 7, "repeated accounts are added up");
    let unit_b = actor(Role::UnitHead, "99002");
    let imp = store
        .import_trial_balance(&unit_b, hc("99002"), 256906, &tb)
        .await
        .unwrap();
    assert_eq!(imp.unmapped, vec!["1206010101.101".to_string()]);
    let p = imp.position.unwrap();
    assert_eq!(p.source, "trial_balance");
    assert_eq!(p.input.cash_and_equivalents.0, 175_000_000);
    assert_eq!(p.input.quick_assets.0, 275_000_000);
    assert_eq!(p.input.current_assets.0, 325_000_000);
    assert_eq!(p.input.current_liabilities.0, 120_000_000);
    assert_eq!(p.input.revenue_ytd.0, 900_000_000);
    assert_eq!(p.input.expense_ytd.0, 950_000_000);
    let r = p.score().unwrap();
    assert_eq!(r.cr.unwrap().to_fixed_string(), "2.71");
    assert_eq!(r.ni, Satang(-50_000_000));
    assert_eq!(
        store
            .trial_balance(&unit_b, hc("99002"), 256906)
            .await
            .unwrap()
            .len(),
        7
    );
    // Re-importing the period replaces the old lines.
    let tb2 = parse_trial_balance_csv(b"account_code,balance\n2101010101.101,-10\n").unwrap();
    store
        .import_trial_balance(&unit_b, hc("99002"), 256906, &tb2)
        .await
        .unwrap();
    let again = store
        .trial_balance(&unit_b, hc("99002"), 256906)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].credit.0, 1000);
    // Amounts that add up beyond i64 are a clear error on the line, never a wrapped sum.
    let huge = "account_code,balance\n1101010101.101,92233720368547758.07\n1101010101.101,92233720368547758.07\n";
    let e = parse_trial_balance_csv(huge.as_bytes()).unwrap_err();
    let StoreError::Invalid(errs) = e else {
        panic!("{e}")
    };
    assert_eq!(errs[0].line, Some(3), "{errs:?}");
    assert!(errs[0].message_en.contains("beyond the largest amount"));
    let apart = "account_code,balance\n1101010101.101,92233720368547758.07\n1101010102.101,92233720368547758.07\n";
    let tb_huge = parse_trial_balance_csv(apart.as_bytes()).unwrap();
    let map_all = vec![raidai_store::governance::AccountMapRule {
        prefix: "11".into(),
        item: raidai_store::governance::RatioItem::CurrentAssets,
    }];
    assert!(matches!(
        position_from_trial_balance(hc("99002"), 256906, &tb_huge, &map_all),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        raidai_store::governance::seven_plus_items_from_trial_balance(
            &tb_huge,
            &[("11".to_string(), "current_assets".to_string())]
        ),
        Err(StoreError::Invalid(_))
    ));
    // A balance of -92233720368547758.08 has no credit counterpart in i64: refused, not wrapped.
    let e =
        parse_trial_balance_csv(b"account_code,balance\n2101,-92233720368547758.08\n").unwrap_err();
    assert_eq!(lines(e), vec![(Some(2), "balance".into())]);
    let bad = parse_trial_balance_csv(b"account_code,debit\n1101,1\n").unwrap_err();
    assert_eq!(lines(bad), vec![(Some(1), "balance".into())]);
    let map = store.account_map("moph").await.unwrap();
    let (input, _) = position_from_trial_balance(hc("99002"), 256906, &tb, &map).unwrap();
    assert_eq!(input.current_assets, Satang(325_000_000));
}
