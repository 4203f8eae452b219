//! The inspection pages on both engines: the provincial office's own 4P paper, the inspection
//! plan with its findings, A4 report and JSON twin, and the unit's financial strategy.

mod common;

use axum::http::{StatusCode, header};
use common::{add_user, get, post_form, post_form_saved, post_multipart, sign_in};
use raidai_store::Store;
use raidai_store::governance::{AssessmentInput, AssessmentKey, FormKind, ItemMark};
use raidai_store::testkit::hc;
use raidai_store::testkit::{actor, seed_small};
use raidai_web::{AppState, router};

const PW: &str = "test-password";
const PDF: &[u8] = b"%PDF-1.4\n% a strategy\n";

async fn an_inspection_round_from_plan_to_report(store: &Store) {
    seed_small(store).await;
    add_user(store, "pho", "province", "99", PW).await;
    add_user(store, "head.a", "unit_head", "99001", PW).await;
    let app = router(AppState::new(store.clone()));
    let pho = sign_in(&app, "pho", PW).await;
    let head = sign_in(&app, "head.a", PW).await;

    let list = get(&app, "/governance/inspections", &pho).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("ยังไม่มีแผนการตรวจ"));
    let open = get(
        &app,
        "/governance/inspections/open?province=99&fy=2569&round=1",
        &pho,
    )
    .await;
    assert_eq!(open.location(), "/governance/inspections/99/2569/1");

    // The sample offers the province's hospitals, never a รพ.สต.
    let base = "/governance/inspections/99/2569/1";
    let page = get(&app, base, &pho).await.text();
    assert!(page.contains("99001") && page.contains("99002"));
    assert!(!page.contains("value=\"99011\""));
    let bad = post_form(
        &app,
        base,
        &pho,
        "unit=99001&unit=99011&date.pho=2026-02-10&inspectors=x",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("99011 ไม่ใช่โรงพยาบาล"), "{}", bad.text());
    post_form_saved(
        &app,
        base,
        &pho,
        "unit=99001&date.pho=2026-02-10&date.99001=2026-02-11&inspectors=%E0%B8%84%E0%B8%93%E0%B8%B0%E0%B8%97%E0%B8%B5%E0%B9%88+1",
    )
    .await;
    let page = get(&app, base, &pho).await.text();
    assert!(
        page.contains("แนวทางกำหนดให้ตรวจ รพศ./รพท. 1 แห่ง"),
        "the sample lacks a general hospital"
    );

    // The office's own paper: items 1–3 only, scored over them.
    let paper = "/governance/pho/99/4p/2569/1";
    post_form_saved(
        &app,
        paper,
        &pho,
        "assessor=%E0%B8%9C%E0%B8%B9%E0%B9%89%E0%B8%95%E0%B8%A3%E0%B8%A7%E0%B8%88&mark.4p.1=2&mark.4p.2=1&mark.4p.3=0&paper.doc_no=T01",
    )
    .await;
    let p = get(&app, paper, &pho).await.text();
    assert!(p.contains("3 / 6"), "{p}");
    assert!(
        !p.contains("mark.4p.9"),
        "the hospitals' items are not on the office's paper"
    );
    let wrong = post_form(&app, paper, &pho, "assessor=x&mark.4p.9=2").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&app, &format!("{paper}/print"), &pho).await.status,
        StatusCode::OK
    );
    // The dashboard's milestones about the office read its paper (item 1: 2, item 2: 1).
    let dash = get(&app, "/governance?fy=2569", &pho).await.text();
    assert!(dash.contains("คะแนนในกระดาษทำการ 4P ของ สสจ.: 2"), "{dash}");
    assert!(dash.contains("คะแนนในกระดาษทำการ 4P ของ สสจ.: 1"));

    // The hospital's own paper, all 2: it passes.
    let mut input = AssessmentInput {
        assessor: "ผู้ประเมิน".into(),
        ..Default::default()
    };
    for i in 4..=23 {
        input.marks.insert(
            format!("4p.{i}"),
            ItemMark {
                mark: "2".into(),
                note: String::new(),
            },
        );
    }
    input.marks.insert(
        "4p.4.1".into(),
        ItemMark {
            mark: "2".into(),
            note: String::new(),
        },
    );
    input.marks.insert(
        "4p.4.2".into(),
        ItemMark {
            mark: "x".into(),
            note: String::new(),
        },
    );
    input.marks.remove("4p.4");
    let key = AssessmentKey {
        hcode: "99001".into(),
        fiscal_year: 2569,
        round: 1,
        form: FormKind::FourP,
    };
    store
        .save_assessment(
            &actor(raidai_domain::master::Role::UnitHead, "99001"),
            &key,
            &input,
        )
        .await
        .unwrap();

    // Findings against the items: a hospital's, never the office's.
    let place = format!("{base}/places/99001");
    post_form_saved(
        &app,
        &place,
        &pho,
        "finding.4p.9=%E0%B8%AA%E0%B8%B8%E0%B9%88%E0%B8%A1+5+%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%81%E0%B8%B2%E0%B8%A3&recommendation=%E0%B8%97%E0%B8%B3%E0%B8%97%E0%B8%B0%E0%B9%80%E0%B8%9A%E0%B8%B5%E0%B8%A2%E0%B8%99",
    )
    .await;
    let refused = post_form(&app, &place, &pho, "finding.4p.1=x").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&app, &format!("{base}/places/99002"), &pho)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The report: schedule in BE dates, scores, findings, recommendation, the outcome share.
    let report = get(&app, &format!("{base}/report"), &pho).await;
    assert_eq!(report.status, StatusCode::OK);
    let rt = report.text();
    for want in [
        "11 กุมภาพันธ์ 2569",
        "10 กุมภาพันธ์ 2569",
        "สุ่ม 5 รายการ",
        "ทำทะเบียน",
        "คณะที่ 1",
        "1 / 1",
        "3 / 6",
    ] {
        assert!(rt.contains(want), "report shows {want}");
    }
    let json = get(&app, "/api/v1/governance/inspections/99/2569/1", &pho).await;
    assert_eq!(json.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json.text()).unwrap();
    assert_eq!(v["places"].as_array().unwrap().len(), 2);
    assert_eq!(v["outcome"], serde_json::json!([1, 1]));
    assert_eq!(v["places"][1]["findings"][0][3], "สุ่ม 5 รายการ");
    assert_eq!(
        get(&app, "/api/v1/governance/inspections/99/2569/2", &pho)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A unit's users see none of it.
    for uri in [
        base.to_string(),
        paper.to_string(),
        format!("{base}/report"),
        "/api/v1/governance/inspections/99/2569/1".into(),
        "/governance/inspections".into(),
    ] {
        assert_eq!(
            get(&app, &uri, &head).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    assert_eq!(
        post_form(&app, paper, &head, "assessor=x").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_unit_attaches_its_financial_strategy(store: &Store) {
    seed_small(store).await;
    add_user(store, "pho", "province", "99", PW).await;
    add_user(store, "head.a", "unit_head", "99001", PW).await;
    add_user(store, "head.b", "unit_head", "99002", PW).await;
    let app = router(AppState::new(store.clone()));
    let head = sign_in(&app, "head.a", PW).await;
    let other = sign_in(&app, "head.b", PW).await;
    let pho = sign_in(&app, "pho", PW).await;

    let before = get(&app, "/units/99001/planfin/2569", &head).await.text();
    assert!(before.contains("ยังไม่มีแผนกลยุทธ์ที่ครอบคลุมปีงบประมาณนี้"));
    let fields = [
        ("fy", "2569"),
        ("first_fy", "2568"),
        ("last_fy", "2569"),
        ("title", "แผนกลยุทธ์"),
        ("approved_on", "2025-01-15"),
    ];
    let short = post_multipart(
        &app,
        "/units/99001/strategies",
        &head,
        &fields,
        ("s.pdf", PDF),
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("3 ถึง 5 ปีงบประมาณ"));
    let mut fields = fields;
    fields[2] = ("last_fy", "2572");
    let r = post_multipart(
        &app,
        "/units/99001/strategies",
        &head,
        &fields,
        ("แผน.pdf", PDF),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let after = get(&app, r.location(), &head).await.text();
    assert!(
        after.contains("ครอบคลุมปีงบประมาณนี้") && after.contains("15 มกราคม 2568"),
        "{after}"
    );
    let id = store
        .strategies(
            &actor(raidai_domain::master::Role::UnitHead, "99001"),
            hc("99001"),
        )
        .await
        .unwrap()[0]
        .id
        .clone();
    let dl = get(&app, &format!("/units/99001/strategies/{id}"), &pho).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.body.as_ref() as &[u8], PDF);
    assert!(
        dl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("UTF-8''%E0%B9%81")
    );
    // Another unit neither downloads nor attaches; the province reads but does not attach.
    assert_eq!(
        get(&app, &format!("/units/99001/strategies/{id}"), &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (who, refused) in [
        (&other, StatusCode::NOT_FOUND),
        (&pho, StatusCode::FORBIDDEN),
    ] {
        let r = post_multipart(
            &app,
            "/units/99001/strategies",
            who,
            &fields,
            ("s.pdf", PDF),
        )
        .await;
        assert_eq!(r.status, refused);
    }
    // The dashboard counts it over every unit in scope and names those without one.
    let dash = get(&app, "/governance?fy=2569", &pho).await.text();
    assert!(dash.contains("แผนกลยุทธ์ทางการเงิน 3–5 ปี"), "{dash}");
}

raidai_store::conformance! {
    an_inspection_round_from_plan_to_report;
    a_unit_attaches_its_financial_strategy;
}
