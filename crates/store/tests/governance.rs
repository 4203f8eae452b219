//! Governance storage on both engines: positions, trial-balance import, tenancy.

use raidai_domain::master::Role;
use raidai_domain::money::Satang;
use raidai_governance::Hundredths;
use raidai_governance::assessment::{score_four_p, score_revenue_centre};
use raidai_store::claims::{ImportMeta, ImportTotals, PostLine, VisitRow};
use raidai_store::governance::{
    AmountKind, AssessmentInput, AssessmentKey, EVIDENCE_MAX_BYTES, FormKind, ItemMark, Position,
    parse_plan_csv, parse_positions_csv, parse_trial_balance_csv, position_from_trial_balance,
};
use raidai_store::testkit::{actor, seed_small};
use raidai_store::{Actor, Store, StoreError};

const RATIO_CSV: &str = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd,note\n\
99001,256903,50000.00,100000.00,40000.00,10000.00,900000.00,950000.00,crisis\n\
99001,256906,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00,healthy\n\
99002,256906,100.00,0,100.00,100.00,10.00,5.00,no liabilities\n";

fn lines(e: StoreError) -> Vec<(Option<usize>, String)> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| (f.line, f.field)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn ratio_items_import_and_scores(store: &Store) {
    seed_small(store).await;
    let rows = parse_positions_csv(RATIO_CSV.as_bytes()).unwrap();
    let pho = actor(Role::Province, "99");
    assert_eq!(store.import_positions(&pho, &rows, 2).await.unwrap(), 3);
    let ps: Vec<Position> = store.list_positions(&pho, "99001").await.unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[0].period, 256903);
    assert_eq!(ps[0].current_assets, 5_000_000, "satang");
    let worst = ps[0].score().unwrap();
    assert_eq!(worst.risk_score, 7);
    let best = ps[1].score().unwrap();
    assert_eq!(best.risk_score, 0);
    assert_eq!(best.cr.unwrap().to_fixed_string(), "8.68");
    // Zero current liabilities: no crash, ratios undefined.
    let z = store.list_positions(&pho, "99002").await.unwrap()[0]
        .score()
        .unwrap();
    assert!(z.ratios_undefined && z.cr.is_none());

    // Re-import replaces, never duplicates.
    store.import_positions(&pho, &rows[..1], 2).await.unwrap();
    assert_eq!(store.list_positions(&pho, "99001").await.unwrap().len(), 2);

    let all = store
        .positions_in_scope(&pho, 256901, 256912)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(store.position_years(&pho).await.unwrap(), vec![2569]);
}

async fn positions_are_tenant_scoped(store: &Store) {
    seed_small(store).await;
    let rows = parse_positions_csv(RATIO_CSV.as_bytes()).unwrap();
    store
        .import_positions(&Actor::system(), &rows, 2)
        .await
        .unwrap();
    let dho_a = actor(Role::District, "9901");
    let unit_a = actor(Role::UnitRevenue, "99011");
    assert!(matches!(
        store.list_positions(&dho_a, "99002").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.list_positions(&unit_a, "99001").await,
        Err(StoreError::NotFound)
    ));
    let seen = store
        .positions_in_scope(&dho_a, 256901, 256912)
        .await
        .unwrap();
    assert!(seen.iter().all(|p| p.hcode == "99001"), "{seen:?}");
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
            .import_trial_balance(&unit_a, "99021", 256901, &tb)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn bad_ratio_rows_name_their_line(store: &Store) {
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

async fn trial_balance_import_uses_the_account_map(store: &Store) {
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
        .import_trial_balance(&unit_b, "99002", 256906, &tb)
        .await
        .unwrap();
    assert_eq!(imp.unmapped, vec!["1206010101.101".to_string()]);
    let p = imp.position.unwrap();
    assert_eq!(p.source, "trial_balance");
    assert_eq!(p.cash_and_equivalents, 175_000_000);
    assert_eq!(p.quick_assets, 275_000_000);
    assert_eq!(p.current_assets, 325_000_000);
    assert_eq!(p.current_liabilities, 120_000_000);
    assert_eq!(p.revenue_ytd, 900_000_000);
    assert_eq!(p.expense_ytd, 950_000_000);
    let r = p.score().unwrap();
    assert_eq!(r.cr.unwrap().to_fixed_string(), "2.71");
    assert_eq!(r.ni, Satang(-50_000_000));
    assert_eq!(
        store
            .trial_balance(&unit_b, "99002", 256906)
            .await
            .unwrap()
            .len(),
        7
    );
    // Re-importing the period replaces the old lines.
    let tb2 = parse_trial_balance_csv(b"account_code,balance\n2101010101.101,-10\n").unwrap();
    store
        .import_trial_balance(&unit_b, "99002", 256906, &tb2)
        .await
        .unwrap();
    let again = store.trial_balance(&unit_b, "99002", 256906).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].credit, 1000);
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
        position_from_trial_balance("99002", 256906, &tb_huge, &map_all),
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
    let (input, _) = position_from_trial_balance("99002", 256906, &tb, &map).unwrap();
    assert_eq!(input.current_assets, Satang(325_000_000));
}

async fn seven_plus_items_from_trial_balances_and_direct_entry(store: &Store) {
    seed_small(store).await;
    let unit_b = actor(Role::UnitHead, "99002");
    // FY2568 year end: the opening balances of FY2569.
    let opening = parse_trial_balance_csv(
        b"account_code,debit,credit\n1102050101.201,400000.00,0\n1105010103.102,100000.00,0\n",
    )
    .unwrap();
    store
        .import_trial_balance(&unit_b, "99002", 256812, &opening)
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
        .import_trial_balance(&unit_b, "99002", 256906, &tb)
        .await
        .unwrap();
    let items = store.ratio_items(&unit_b, "99002", 256906).await.unwrap();
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
        .seven_plus_figures(&unit_b, "99002", 256906)
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
        .save_ratio_items(&pho, "99001", 256906, &direct)
        .await
        .unwrap();
    let f1 = store
        .seven_plus_figures(&pho, "99001", 256906)
        .await
        .unwrap()
        .unwrap();
    assert!(!f1.has_opening);
    assert_eq!(f1.input.payables.opening, Satang(10_000_000));
    assert_eq!(f1.input.purchases_ytd, Satang(36_500_000));
    // Two units of peer group F2 now: the median is the midpoint of 10 % and `own`.
    let f = store
        .seven_plus_figures(&unit_b, "99002", 256906)
        .await
        .unwrap()
        .unwrap();
    assert!((f.input.median_operating_margin_pct.unwrap() - (10.0 + own) / 2.0).abs() < 1e-9);
    assert!(
        store
            .seven_plus_figures(&pho, "99001", 256905)
            .await
            .unwrap()
            .is_none()
    );

    // Unknown items are refused; tenancy on reads and writes.
    let mut bad = direct.clone();
    bad.insert("goodwill".into(), 1);
    assert!(matches!(
        store.save_ratio_items(&pho, "99001", 256906, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    let unit_a = actor(Role::UnitRevenue, "99001");
    assert!(matches!(
        store.ratio_items(&unit_a, "99002", 256906).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.seven_plus_figures(&unit_a, "99002", 256906).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_ratio_items(&unit_a, "99002", 256906, &direct)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_ratio_items(&actor(Role::District, "9902"), "99002", 256906, &direct)
            .await,
        Err(StoreError::Forbidden)
    ));
}

fn ledger_visit(n: usize, fund: &str, date: i64, fy: i64, amount: i64) -> VisitRow {
    let (recv, rev) = match fund {
        "UC" => ("1102050101.201", "4301020105.201"),
        "SSS" => ("1102050101.301", "4301020106.301"),
        _ => ("1102050101.401", "4301020104.401"),
    };
    VisitRow {
        vkey: format!("O{n:09}/{n}"),
        setting: "OP".into(),
        hn: format!("{n:09}"),
        seq: format!("{n}"),
        an: String::new(),
        date_serv: date,
        date_dsc: date,
        recognised: date,
        fy,
        clinic: "01".into(),
        pdx: "I10".into(),
        cid: "9001000000011".into(),
        patient_name: "นาย ทดสอบ ระบบ".into(),
        sex: "1".into(),
        dob: 19800101,
        inscl: "UCS".into(),
        subtype: String::new(),
        hospmain: "99001".into(),
        permitno: String::new(),
        fund: fund.into(),
        place: "in_cup".into(),
        case: "normal".into(),
        total: amount,
        paid: 0,
        claimable: amount,
        fund_amount: amount,
        patient_amount: 0,
        posted: true,
        unposted_reason: String::new(),
        receivable: recv.into(),
        content_hash: "h".into(),
        detail_json: "{}".into(),
        lines: vec![
            PostLine {
                account: recv.into(),
                fund: fund.into(),
                debit: amount,
                credit: 0,
            },
            PostLine {
                account: rev.into(),
                fund: fund.into(),
                debit: 0,
                credit: amount,
            },
        ],
        findings: Vec::new(),
    }
}

async fn ledger_collection_periods_per_fund(store: &Store) {
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
            "99001",
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
        .ledger_collection(&head, "99001", 256906)
        .await
        .unwrap();
    assert_eq!(l.visits, 4, "visits of FY2569");
    assert_eq!(l.days_ytd, 182);
    let uc = &l.funds[0];
    assert_eq!(
        (uc.fund, uc.opening, uc.closing, uc.revenue_ytd),
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
        .ledger_collection(&head, "99001", 256907)
        .await
        .unwrap();
    assert_eq!(sss.funds[2].revenue_ytd, 50_000);
    // A unit without visits in raidai; tenancy.
    let other = store
        .ledger_collection(&sys, "99002", 256906)
        .await
        .unwrap();
    assert_eq!(other.visits, 0);
    assert!(other.funds.iter().all(|f| f.closing == 0));
    assert!(matches!(
        store
            .ledger_collection(&actor(Role::UnitRevenue, "99011"), "99001", 256906)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.ledger_collection(&head, "99001", 256913).await,
        Err(StoreError::Invalid(_))
    ));
}

fn rc_key(hcode: &str) -> AssessmentKey {
    AssessmentKey {
        hcode: hcode.into(),
        fiscal_year: 2569,
        round: 1,
        form: FormKind::RevenueCentre,
    }
}

fn mark(m: &str) -> ItemMark {
    ItemMark {
        mark: m.into(),
        note: String::new(),
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000IHDR";

async fn assessments_round_trip_and_grade(store: &Store) {
    seed_small(store).await;
    let head = actor(Role::UnitHead, "99001");
    let key = rc_key("99001");
    assert!(store.get_assessment(&head, &key).await.unwrap().is_none());
    // 41 of the 50 items met: 82 points → B.
    let ids = key.form.item_ids(key.criteria());
    assert_eq!(ids.len(), 50);
    let mut input = AssessmentInput {
        assessor: "นางสาวทดสอบ ประเมิน".into(),
        assessed_on: Some("2026-03-15".into()),
        reviewer_summary: "ระบบครบถ้วน".into(),
        marks: Default::default(),
        paper: Default::default(),
    };
    for (i, id) in ids.iter().enumerate() {
        input
            .marks
            .insert(id.clone(), mark(if i < 41 { "2" } else { "0" }));
    }
    input.marks.get_mut(&ids[0]).unwrap().note = "คำสั่งที่ 12/2569".into();
    let a = store.save_assessment(&head, &key, &input).await.unwrap();
    assert_eq!(a.criteria_version, key.criteria().version);
    assert_eq!(a.input, input);
    let rc = &key.criteria().revenue_centre;
    let marks = a.rc_marks();
    let split = |form: &str| -> Vec<(String, u8)> {
        let f = rc.form(form).unwrap();
        marks
            .iter()
            .filter(|(id, _)| f.items.iter().any(|i| &i.id == id))
            .cloned()
            .collect()
    };
    let score = score_revenue_centre(rc, split("4s4c"), split("csmbs")).unwrap();
    assert_eq!(score.total, 82);
    assert_eq!(score.grade.grade.as_str(), "B");

    // Saving again replaces the marks.
    input.marks.clear();
    input.marks.insert(ids[1].clone(), mark("2"));
    let a = store.save_assessment(&head, &key, &input).await.unwrap();
    assert_eq!(a.input.marks.len(), 1);

    // 4P: n.a. items leave the denominator.
    let key4 = AssessmentKey {
        form: FormKind::FourP,
        ..key.clone()
    };
    let mut four = AssessmentInput {
        assessor: "ผู้ตรวจ".into(),
        ..Default::default()
    };
    for (i, id) in key4.form.item_ids(key4.criteria()).iter().enumerate() {
        four.marks.insert(
            id.clone(),
            mark(match i % 4 {
                0 => "x",
                1 => "1",
                _ => "2",
            }),
        );
    }
    let a4 = store.save_assessment(&head, &key4, &four).await.unwrap();
    let r = score_four_p(&key4.criteria().four_p, a4.four_p_marks()).unwrap();
    assert_eq!(r.applicable, 18);
    assert_eq!(r.sum, 6 + 24);
    let list = store
        .list_assessments(&head, Some("99001"), None)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);

    // Bad marks, unknown items, a missing assessor: field errors, nothing written.
    let mut bad = AssessmentInput::default();
    bad.marks.insert(ids[0].clone(), mark("1"));
    bad.marks.insert("4s4c.9.9".into(), mark("2"));
    let e = store
        .save_assessment(&head, &rc_key("99001"), &bad)
        .await
        .unwrap_err();
    let mut f: Vec<String> = lines(e).into_iter().map(|(_, f)| f).collect();
    f.sort();
    assert_eq!(
        f,
        vec![ids[0].clone(), "4s4c.9.9".into(), "assessor".into()]
    );
    let wrong_round = AssessmentKey {
        round: 3,
        ..key.clone()
    };
    assert!(matches!(
        store.save_assessment(&head, &wrong_round, &input).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn evidence_is_type_checked_and_tenant_scoped(store: &Store) {
    seed_small(store).await;
    let head_b = actor(Role::UnitHead, "99002");
    let key = rc_key("99002");
    let item = key.form.item_ids(key.criteria())[0].clone();
    // The form must exist first.
    assert!(matches!(
        store.add_evidence(&head_b, &key, &item, "a.png", PNG).await,
        Err(StoreError::Invalid(_))
    ));
    let input = AssessmentInput {
        assessor: "ผู้ประเมิน".into(),
        ..Default::default()
    };
    store.save_assessment(&head_b, &key, &input).await.unwrap();
    let meta = store
        .add_evidence(&head_b, &key, &item, "C:\\docs\\คำสั่ง\".png", PNG)
        .await
        .unwrap();
    assert_eq!(meta.content_type, "image/png");
    assert_eq!(meta.filename, "คำสั่ง.png");
    // Direction overrides that would disguise the name are not stored.
    let meta = store
        .add_evidence(&head_b, &key, &item, "scan\u{202E}gnp.\u{2066}png", PNG)
        .await
        .unwrap();
    assert_eq!(meta.filename, "scangnp.png");
    for (name, data) in [
        ("x.pdf", b"<html>not a pdf</html>".as_slice()),
        ("x.xlsx", b"PK\x03\x04 just a zip".as_slice()),
        ("x.exe", b"MZ\x90\x00".as_slice()),
        ("x.pdf", b"".as_slice()),
    ] {
        assert!(
            matches!(
                store.add_evidence(&head_b, &key, &item, name, data).await,
                Err(StoreError::Invalid(_))
            ),
            "{name} refused"
        );
    }
    let big = vec![0u8; EVIDENCE_MAX_BYTES + 1];
    assert!(
        store
            .add_evidence(&head_b, &key, &item, "big.pdf", &big)
            .await
            .is_err()
    );
    let pdf = b"%PDF-1.7 evidence".to_vec();
    let m2 = store
        .add_evidence(&head_b, &key, &item, "minutes.pdf", &pdf)
        .await
        .unwrap();
    let (got, bytes) = store.get_evidence(&head_b, "99002", &m2.id).await.unwrap();
    assert_eq!(bytes, pdf);
    assert_eq!(got.content_type, "application/pdf");
    assert_eq!(
        store.list_evidence(&head_b, &key).await.unwrap().len(),
        3,
        "two pngs and a pdf"
    );
    // Another unit or district: not found, even with the right id; and no uploads.
    for other in [
        actor(Role::UnitHead, "99001"),
        actor(Role::District, "9901"),
    ] {
        assert!(matches!(
            store.get_evidence(&other, "99002", &m2.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.list_evidence(&other, &key).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.add_evidence(&other, &key, &item, "a.png", PNG).await,
            Err(StoreError::NotFound)
        ));
    }
    // The id alone does not open it under another unit's code.
    assert!(matches!(
        store.get_evidence(&Actor::system(), "99001", &m2.id).await,
        Err(StoreError::NotFound)
    ));
    let pho = actor(Role::Province, "99");
    assert!(store.get_evidence(&pho, "99002", &m2.id).await.is_ok());
}

async fn planfin_plan_actuals_revisions_and_q2(store: &Store) {
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
            .save_plan_amounts(&head, "99001", 2569, AmountKind::Plan, &plan_lines)
            .await,
        Err(StoreError::Invalid(_))
    ));
    store.save_plan_type(&head, "99001", 2569, 2).await.unwrap();
    assert!(store.save_plan_type(&head, "99001", 2569, 8).await.is_err());
    store
        .save_plan_amounts(&head, "99001", 2569, AmountKind::Plan, &plan_lines)
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
        .save_plan_amounts(&head, "99001", 2569, AmountKind::Actual, &act)
        .await
        .unwrap();
    let n = store
        .add_plan_revision(
            &head,
            "99001",
            2569,
            Some("2026-04-01".into()),
            "ปรับแผนรอบ 1",
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    // Only the province approves.
    assert!(matches!(
        store.approve_plan_revision(&head, "99001", 2569, 1).await,
        Err(StoreError::Forbidden)
    ));
    let pho = actor(Role::Province, "99");
    store
        .approve_plan_revision(&pho, "99001", 2569, 1)
        .await
        .unwrap();
    assert!(matches!(
        store.approve_plan_revision(&pho, "99001", 2569, 9).await,
        Err(StoreError::NotFound)
    ));
    let y = store
        .get_plan_year(&pho, "99001", 2569)
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
        store.get_plan_year(&other, "99001", 2569).await,
        Err(StoreError::NotFound)
    ));
    let bad = parse_plan_csv(format!("code,{months}\nP99,1\nP04,x\n").as_bytes()).unwrap_err();
    assert_eq!(
        lines(bad),
        vec![(Some(2), "code".into()), (Some(3), "m01".into())]
    );
}

async fn tps_inputs_round_trip_with_peer_medians(store: &Store) {
    use raidai_governance::tps::TpsInput;
    seed_small(store).await;
    let input = |hcode: &str, cost: i64| TpsInput {
        hcode: hcode.into(),
        period: "2569Q2".into(),
        peer_group: "F2".into(),
        unit_cost_op: Some(Satang(cost)),
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
        .get_tps_input(&head, "99001", 2569, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, input("99001", 30_000));
    // The peer median spans the province, but only the median leaves the store.
    let m = store
        .tps_peer_medians(&head, "99001", 2569, 2)
        .await
        .unwrap();
    assert_eq!(m["F2"].unit_cost_op, Some(Satang(40_000)));
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
        store.get_tps_input(&head, "99002", 2569, 2).await,
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

raidai_store::conformance! {
    ledger_collection_periods_per_fund;
    seven_plus_items_from_trial_balances_and_direct_entry;
    tps_inputs_round_trip_with_peer_medians;
    planfin_plan_actuals_revisions_and_q2;
    ratio_items_import_and_scores;
    positions_are_tenant_scoped;
    bad_ratio_rows_name_their_line;
    trial_balance_import_uses_the_account_map;
    assessments_round_trip_and_grade;
    evidence_is_type_checked_and_tenant_scoped;
}
