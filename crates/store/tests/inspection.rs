//! The inspection beyond the units' forms on both engines: the provincial office's own 4P
//! paper, the financial strategy document, and the inspection plan with its findings.

use raidai_domain::master::Role;
use raidai_store::governance::{AssessmentInput, ItemMark};
use raidai_store::inspection::{InspectionPlanInput, StrategyInput, criteria_for, pho_item_ids};
use raidai_store::master::Province;
use raidai_store::testkit::hc;
use raidai_store::testkit::{actor, seed_small};
use raidai_store::{Actor, Store, StoreError};
use std::collections::BTreeMap;

fn fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn other_province(store: &Store) {
    store
        .upsert_province(
            &Actor::system(),
            &Province {
                code: "98".into(),
                name_th: "จังหวัดอื่น".into(),
                name_en: "Otherprovince".into(),
            },
        )
        .await
        .unwrap();
}

async fn the_office_paper_is_the_province_s_own(store: &Store) {
    seed_small(store).await;
    other_province(store).await;
    let pho = actor(Role::Province, "99");
    let ids = pho_item_ids(criteria_for(2569));
    assert_eq!(ids.len(), 3);
    assert!(
        store
            .pho_paper(&pho, "99", 2569, 1)
            .await
            .unwrap()
            .is_none()
    );
    let mut input = AssessmentInput {
        assessor: "นางสาวตรวจ ราชการ".into(),
        assessed_on: Some("2026-02-10".into()),
        ..Default::default()
    };
    input.marks.insert(
        ids[0].clone(),
        ItemMark {
            mark: "2".into(),
            note: String::new(),
        },
    );
    input.marks.insert(
        ids[1].clone(),
        ItemMark {
            mark: "1".into(),
            note: "แนวทางยังไม่ครบ".into(),
        },
    );
    input.paper.answers = vec!["ทบทวนแผนทุกไตรมาส".into()];
    let saved = store
        .save_pho_paper(&pho, "99", 2569, 1, &input)
        .await
        .unwrap();
    assert_eq!(saved.input.marks.len(), 2);
    let back = store.pho_paper(&pho, "99", 2569, 1).await.unwrap().unwrap();
    assert_eq!(back.input, saved.input);
    assert_eq!(
        back.input.paper.answers,
        vec!["ทบทวนแผนทุกไตรมาส".to_string()]
    );

    // Items of the hospitals' part are not on the office's paper; a 4S4C mark is not a 4P mark.
    let mut bad = input.clone();
    bad.marks.insert(
        "4p.9".into(),
        ItemMark {
            mark: "2".into(),
            note: String::new(),
        },
    );
    bad.marks.insert(
        ids[2].clone(),
        ItemMark {
            mark: "3".into(),
            note: String::new(),
        },
    );
    let f = fields(
        store
            .save_pho_paper(&pho, "99", 2569, 1, &bad)
            .await
            .unwrap_err(),
    );
    assert!(
        f.contains(&"4p.9".to_string()) && f.contains(&ids[2]),
        "{f:?}"
    );
    assert_eq!(
        store
            .pho_paper(&pho, "99", 2569, 1)
            .await
            .unwrap()
            .unwrap()
            .input,
        saved.input,
        "nothing half-written"
    );
    assert!(matches!(
        store.save_pho_paper(&pho, "99", 2569, 3, &input).await,
        Err(StoreError::Invalid(_))
    ));

    // Another province's office and every unit or district user are kept out.
    assert!(matches!(
        store
            .pho_paper(&actor(Role::Province, "98"), "99", 2569, 1)
            .await,
        Err(StoreError::NotFound)
    ));
    for who in [
        actor(Role::UnitHead, "99001"),
        actor(Role::UnitRevenue, "99001"),
        actor(Role::District, "9901"),
    ] {
        assert!(matches!(
            store.pho_paper(&who, "99", 2569, 1).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.save_pho_paper(&who, "99", 2569, 1, &input).await,
            Err(StoreError::Forbidden)
        ));
    }
    assert!(
        store
            .pho_paper(&Actor::system(), "99", 2569, 1)
            .await
            .unwrap()
            .is_some()
    );
    assert!(matches!(
        store.pho_paper(&Actor::system(), "77", 2569, 1).await,
        Err(StoreError::NotFound)
    ));
}

const PDF: &[u8] = b"%PDF-1.4\n% strategy\n";

async fn strategies_are_checked_and_cover_years(store: &Store) {
    seed_small(store).await;
    let head = actor(Role::UnitHead, "99001");
    let input = StrategyInput {
        first_fy: 2568,
        last_fy: 2572,
        title: "แผนกลยุทธ์ทางการเงิน 2568–2572".into(),
        approved_by: "ผู้อำนวยการโรงพยาบาลหนึ่ง".into(),
        approved_on: Some("2024-12-20".into()),
    };
    let s = store
        .add_strategy(&head, hc("99001"), &input, "plan.pdf", PDF)
        .await
        .unwrap();
    assert!(s.covers(2569) && !s.covers(2573));
    let (meta, data) = store
        .strategy_file(&head, hc("99001"), &s.id)
        .await
        .unwrap();
    assert_eq!((meta.file.size, data.as_slice()), (PDF.len() as i64, PDF));

    // Two years is not a strategy; a text file is not a document; nothing is stored.
    let mut short = input.clone();
    short.last_fy = 2569;
    assert_eq!(
        fields(
            store
                .add_strategy(&head, hc("99001"), &short, "plan.pdf", PDF)
                .await
                .unwrap_err()
        ),
        vec!["last_fy"]
    );
    assert_eq!(
        fields(
            store
                .add_strategy(&head, hc("99001"), &input, "plan.txt", b"hello")
                .await
                .unwrap_err()
        ),
        vec!["file"]
    );
    assert_eq!(store.strategies(&head, hc("99001")).await.unwrap().len(), 1);

    // Tenancy: another unit neither reads nor writes it; the province sees which units have one.
    let other = actor(Role::UnitHead, "99002");
    assert!(matches!(
        store.strategy_file(&other, hc("99001"), &s.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .add_strategy(&other, hc("99001"), &input, "plan.pdf", PDF)
            .await,
        Err(StoreError::NotFound)
    ));
    let pho = actor(Role::Province, "99");
    let covered = store.strategy_units_in_scope(&pho, 2569).await.unwrap();
    assert_eq!(
        covered.into_iter().collect::<Vec<_>>(),
        vec!["99001".to_string()]
    );
    assert!(
        store
            .strategy_units_in_scope(&pho, 2573)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .strategy_units_in_scope(&other, 2569)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_inspection_plan_samples_hospitals_and_keeps_findings(store: &Store) {
    seed_small(store).await;
    other_province(store).await;
    let pho = actor(Role::Province, "99");
    let plan = |units: &[&str]| InspectionPlanInput {
        inspectors: "ผู้ตรวจราชการ เขตสุขภาพที่ 99".into(),
        summary: String::new(),
        visits: units
            .iter()
            .map(|u| (u.to_string(), Some("2026-02-15".to_string())))
            .collect(),
    };
    // A รพ.สต. is not in the seed's sample; nor is a unit that does not exist.
    let f = fields(
        store
            .save_inspection_plan(&pho, "99", 2569, 1, &plan(&["99001", "99011", "12345"]))
            .await
            .unwrap_err(),
    );
    assert_eq!(f, vec!["visit.99011", "visit.12345"]);
    assert!(
        store
            .inspection(&pho, "99", 2569, 1)
            .await
            .unwrap()
            .is_none()
    );

    let saved = store
        .save_inspection_plan(&pho, "99", 2569, 1, &plan(&["99001", "99002"]))
        .await
        .unwrap();
    let targets: Vec<&str> = saved.visits.iter().map(|v| v.target.as_str()).collect();
    assert_eq!(
        targets,
        vec!["", "99001", "99002"],
        "the office is always visited"
    );

    let mut findings = BTreeMap::new();
    findings.insert("4p.9".to_string(), "สุ่ม 5 รายการ อยู่ในแผนจัดซื้อครบ".to_string());
    findings.insert("4p.10".to_string(), "  ".to_string());
    let v = store
        .save_inspection_findings(
            &pho,
            "99",
            2569,
            1,
            "99001",
            &findings,
            "ให้จัดทำทะเบียนคุมเจ้าหนี้",
        )
        .await
        .unwrap();
    assert_eq!(v.findings.len(), 1, "blank findings are not kept");
    // Item 1 is the office's, not the hospital's.
    let mut wrong = BTreeMap::new();
    wrong.insert("4p.1".to_string(), "x".to_string());
    assert_eq!(
        fields(
            store
                .save_inspection_findings(&pho, "99", 2569, 1, "99001", &wrong, "")
                .await
                .unwrap_err()
        ),
        vec!["finding.4p.1"]
    );
    store
        .save_inspection_findings(&pho, "99", 2569, 1, "pho", &wrong, "")
        .await
        .unwrap();
    // A place outside the plan has no findings to record.
    assert!(matches!(
        store
            .save_inspection_findings(&pho, "99", 2569, 1, "99011", &findings, "")
            .await,
        Err(StoreError::NotFound)
    ));

    // Re-planning keeps the findings of the places kept and drops the place removed.
    let again = store
        .save_inspection_plan(&pho, "99", 2569, 1, &plan(&["99001"]))
        .await
        .unwrap();
    assert_eq!(again.visits.len(), 2);
    assert_eq!(again.visits[1].findings.len(), 1);
    assert_eq!(again.visits[1].recommendation, "ให้จัดทำทะเบียนคุมเจ้าหนี้");
    assert_eq!(again.visits[0].findings.len(), 1);
    assert_eq!(
        store.inspections(&pho, "99").await.unwrap(),
        vec![(2569, 1, 2)]
    );

    // Other provinces and unit users are kept out.
    assert!(matches!(
        store
            .inspection(&actor(Role::Province, "98"), "99", 2569, 1)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .inspection(&actor(Role::UnitHead, "99001"), "99", 2569, 1)
            .await,
        Err(StoreError::Forbidden)
    ));
    // A hospital of another province cannot be sampled by this one.
    store
        .save_inspection_plan(&Actor::system(), "98", 2569, 1, &plan(&[]))
        .await
        .unwrap();
    assert_eq!(
        fields(
            store
                .save_inspection_plan(&Actor::system(), "98", 2569, 1, &plan(&["99001"]))
                .await
                .unwrap_err()
        ),
        vec!["visit.99001"]
    );
}

raidai_store::conformance! {
    the_office_paper_is_the_province_s_own;
    strategies_are_checked_and_cover_years;
    the_inspection_plan_samples_hospitals_and_keeps_findings;
}
