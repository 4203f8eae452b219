//! Assessments: round trip and grades, and type-checked evidence within the tenancy.

use super::*;
use raidai_store::testkit::hc;

pub(super) fn rc_key(hcode: &str) -> AssessmentKey {
    AssessmentKey {
        hcode: hcode.into(),
        fiscal_year: 2569,
        round: 1,
        form: FormKind::RevenueCentre,
    }
}

pub(super) fn mark(m: &str) -> ItemMark {
    ItemMark {
        mark: m.into(),
        note: String::new(),
    }
}

pub(super) async fn assessments_round_trip_and_grade(store: &Store) {
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

pub(super) async fn evidence_is_type_checked_and_tenant_scoped(store: &Store) {
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
    assert_eq!(meta.file.content_type, "image/png");
    assert_eq!(meta.file.filename, "คำสั่ง.png");
    // Direction overrides that would disguise the name are not stored.
    let meta = store
        .add_evidence(&head_b, &key, &item, "scan\u{202E}gnp.\u{2066}png", PNG)
        .await
        .unwrap();
    assert_eq!(meta.file.filename, "scangnp.png");
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
    let (got, bytes) = store
        .get_evidence(&head_b, hc("99002"), &m2.id)
        .await
        .unwrap();
    assert_eq!(bytes, pdf);
    assert_eq!(got.file.content_type, "application/pdf");
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
            store.get_evidence(&other, hc("99002"), &m2.id).await,
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
        store
            .get_evidence(&Actor::system(), hc("99001"), &m2.id)
            .await,
        Err(StoreError::NotFound)
    ));
    let pho = actor(Role::Province, "99");
    assert!(store.get_evidence(&pho, hc("99002"), &m2.id).await.is_ok());
}
