//! The assessment forms: scoring, printing and evidence within the tenancy.

use super::*;

pub(super) async fn assessment_forms_score_print_and_keep_evidence_in_the_tenancy(store: &Store) {
    let w = world(store).await;
    let base = "/units/99001/assessments/2569/1/rc";
    let empty = get(&w.app, base, &w.hosp_a).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.text().contains("บันทึกแบบประเมินก่อน"),
        "evidence needs a saved form"
    );
    // 4S4C: every item met except two → 96 → A.
    let key = raidai_store::governance::AssessmentKey {
        hcode: "99001".into(),
        fiscal_year: 2569,
        round: 1,
        form: raidai_store::governance::FormKind::RevenueCentre,
    };
    let ids = key.form.item_ids(key.criteria());
    let mut form = String::from(
        "assessor=%E0%B8%99%E0%B8%B2%E0%B8%87%E0%B8%AA%E0%B8%B2%E0%B8%A7+%E0%B8%97%E0%B8%94%E0%B8%AA%E0%B8%AD%E0%B8%9A&assessed_on=2026-03-15&reviewer_summary=ok",
    );
    for (i, id) in ids.iter().enumerate() {
        form.push_str(&format!("&mark.{id}={}", if i < 2 { 0 } else { 2 }));
    }
    form.push_str(&format!("&note.{}=order+12%2F2569", ids[0]));
    let r = post_form(&w.app, base, &w.hosp_a, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = get(&w.app, &format!("{base}?saved=1"), &w.hosp_a)
        .await
        .text();
    assert!(page.contains("96 / 100"), "total");
    assert!(page.contains("A (ดีมาก)"), "grade");
    assert!(page.contains("15 มีนาคม 2569"), "BE date");
    assert!(page.contains("order 12/2569"));
    // A mark the form does not have is a field error, not a 500.
    let bad = post_form(
        &w.app,
        base,
        &w.hosp_a,
        &format!("assessor=x&mark.{}=1", ids[0]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Evidence: checked by content, downloadable within the tenancy only.
    let png = b"\x89PNG\r\n\x1a\n0000IHDRdata";
    let up = upload_bytes(
        &w.app,
        &format!("{base}/evidence"),
        &w.hosp_a,
        &ids[0],
        "order.png",
        png,
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.text());
    let meta = store
        .list_evidence(&Actor::system(), &key)
        .await
        .unwrap()
        .pop()
        .unwrap();
    let link = format!("/units/99001/evidence/{}", meta.id);
    assert!(up.text().contains(&link));
    let dl = get(&w.app, &link, &w.hosp_a).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(dl.body, png);
    assert!(
        dl.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        get(&w.app, &link, &w.district_a).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&w.app, &link, &w.unit_a).await.status,
        StatusCode::NOT_FOUND
    );
    let disguised = upload_bytes(
        &w.app,
        &format!("{base}/evidence"),
        &w.hosp_a,
        &ids[0],
        "x.pdf",
        b"<script>",
    )
    .await;
    assert_eq!(disguised.status, StatusCode::UNPROCESSABLE_ENTITY);
    // District officers read but do not write.
    assert_eq!(
        get(&w.app, base, &w.district_a).await.status,
        StatusCode::OK
    );
    assert_eq!(
        post_form(&w.app, base, &w.district_a, "assessor=x")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        upload_bytes(
            &w.app,
            &format!("{base}/evidence"),
            &w.district_a,
            &ids[0],
            "a.png",
            png
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The printable page: no inputs, signatures, the marks.
    let print = get(&w.app, &format!("{base}/print"), &w.province)
        .await
        .text();
    assert!(print.contains("class=\"signatures\""));
    assert!(!print.contains("<select name=\"mark."));
    assert!(print.contains("96 / 100"));
    let list = get(&w.app, "/units/99001/assessments", &w.hosp_a)
        .await
        .text();
    assert!(list.contains("A (ดีมาก)") && list.contains("/units/99001/assessments/2569/1/rc/print"));
    let open = get(
        &w.app,
        "/units/99001/assessments/open?fy=2569&round=2&form=4p",
        &w.hosp_a,
    )
    .await;
    assert_eq!(
        open.headers[header::LOCATION],
        "/units/99001/assessments/2569/2/4p"
    );
    // 4P with an n/a item: it leaves the denominator.
    let r = post_form(
        &w.app,
        "/units/99001/assessments/2569/2/4p",
        &w.hosp_a,
        "assessor=x&mark.4p.1=2&mark.4p.2=1&mark.4p.3=x",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let four = get(&w.app, "/units/99001/assessments/2569/2/4p", &w.hosp_a)
        .await
        .text();
    // 24 marks, one n/a: 23 applicable items, max 46; unmarked ones count as 0.
    assert!(four.contains("3 / 46"), "{four}");
    // The paper's counts: one item at 2 (n1), one at 1 (n2), none at 0, one n/a.
    assert!(
        four.contains("<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">2</td>"),
        "{four}"
    );
    assert!(
        four.contains("ตร.๐๑"),
        "the document number defaults to the paper's"
    );
    // Header and the reviewer's three answers are kept and printed.
    let r = post_form(
        &w.app,
        "/units/99001/assessments/2569/2/4p",
        &w.hosp_a,
        "assessor=x&mark.4p.1=2&mark.4p.2=1&mark.4p.3=x&paper.doc_no=DOC-7&paper.revision=2&paper.started_on=2026-01-15&paper.responsible_unit=UNIT-Z&paper.responsible_person=PERSON-Y&paper.period=Q2-2569&answer.1=ANS-ONE&answer.3=ANS-THREE",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let printed = get(
        &w.app,
        "/units/99001/assessments/2569/2/4p/print",
        &w.hosp_a,
    )
    .await
    .text();
    for want in [
        "DOC-7",
        "UNIT-Z",
        "PERSON-Y",
        "Q2-2569",
        "ANS-ONE",
        "ANS-THREE",
        "15 มกราคม 2569",
        "การใช้เงินนอกงบประมาณ มีขั้นตอน/กระบวนการถูกต้องเป็นไปตามระเบียบ กฎหมาย (สรุป)",
        "ลงชื่อ ผู้สอบทาน",
    ] {
        assert!(printed.contains(want), "{want}: {printed}");
    }
    let bad = post_form(
        &w.app,
        "/units/99001/assessments/2569/2/4p",
        &w.hosp_a,
        "assessor=x&paper.started_on=15/01/2569",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("วันที่เริ่มใช้ไม่ถูกต้อง"));
    let four = get(&w.app, "/units/99001/assessments/2569/2/4p", &w.hosp_a)
        .await
        .text();
    // The dashboard's 4P pass rate per round, over every unit in scope: round 1 has one
    // passing paper (every item complete), round 2 one that does not pass (unmarked items
    // count 0).
    let ids: Vec<String> = (1..=23)
        .flat_map(|i| {
            if i == 4 {
                vec!["4p.4.1".to_string(), "4p.4.2".to_string()]
            } else {
                vec![format!("4p.{i}")]
            }
        })
        .collect();
    let all: String = ids.iter().map(|id| format!("&mark.{id}=2")).collect();
    let r = post_form(
        &w.app,
        "/units/99001/assessments/2569/1/4p",
        &w.hosp_a,
        &format!("assessor=x{all}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let dash = get(&w.app, "/governance?fy=2569", &w.province).await.text();
    assert!(
        dash.contains(
            "<td>รอบที่ 1</td><td class=\"num\">1 / 3</td><td class=\"num\">1 (33.33%)</td>"
        ),
        "{dash}"
    );
    assert!(
        dash.contains(
            "<td>รอบที่ 2</td><td class=\"num\">1 / 3</td><td class=\"num\">0 (0.00%)</td>"
        ),
        "{dash}"
    );
    // Groups print their names, not their codes.
    assert!(four.contains("Port: การควบคุมพัสดุและคลัง"), "{four}");
    for code in [" PORT<", " PLAN_VS_ACTUAL<", " PHO<", " REPORTING<"] {
        assert!(!four.contains(code), "{code} shown raw");
    }
}
