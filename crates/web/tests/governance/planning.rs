//! Planfin plan against actual, TPS points and grades, and criteria sets.

use super::*;

pub(super) async fn planfin_page_compares_plan_and_actual(store: &Store) {
    let w = world(store).await;
    let base = "/units/99001/planfin/2569";
    let empty = get(&w.app, base, &w.hosp_a).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains("ยังไม่มีแผนของปีนี้"));
    let r = post_form(&w.app, base, &w.hosp_a, "plan_type=1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let months = (1..=12)
        .map(|m| format!("m{m:02}"))
        .collect::<Vec<_>>()
        .join(",");
    // Planned revenue below expense with a no-risk type: a warning, not a refusal.
    let plan = format!(
        "code,{months}\nP04,{}\nP16,{}\n",
        ["100"; 12].join(","),
        ["110"; 12].join(",")
    );
    let r = upload(
        &w.app,
        &format!("{base}/amounts"),
        &w.hosp_a,
        &[("kind", "plan")],
        &plan,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let six = |v: &str| {
        let mut m = vec![v; 6];
        m.extend([""; 6]);
        m.join(",")
    };
    let act = format!("code,{months}\nP04,{}\nP16,{}\n", six("100"), six("50"));
    let r = upload(
        &w.app,
        &format!("{base}/amounts"),
        &w.hosp_a,
        &[("kind", "actual")],
        &act,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The 4P form suggests marks for 4.1 and 4.2 from the Q2 rule; nothing is marked for the
    // assessor. Revenue Oct–Mar 600 of 1,200 = 50 % (met); expense 300 of 1,320 (not met).
    let fp = get(&w.app, "/units/99001/assessments/2569/1/4p", &w.hosp_a)
        .await
        .text();
    assert!(
        fp.contains("รายได้จริง ต.ค.–มี.ค. 50.00% ของแผนทั้งปี · เกณฑ์ ≥ 50% → คะแนนที่เสนอ 2"),
        "{fp}"
    );
    assert!(fp.contains("ค่าใช้จ่ายจริง ต.ค.–มี.ค. 22.73% ของแผนทั้งปี · เกณฑ์ ≥ 50% → คะแนนที่เสนอ 1"));
    assert!(
        !fp.contains("<option value=\"2\" selected>"),
        "the mark is still the assessor's"
    );
    // A mark against the measured one (0 where 2 is measured) needs the assessor's reason.
    let paper = "/units/99001/assessments/2569/1/4p";
    let r = post_form(
        &w.app,
        paper,
        &w.hosp_a,
        "assessor=x&mark.4p.4.1=0&note.4p.4.1=",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("ข้อ 4p.4.1: คะแนน 0 ต่างจากที่ระบบวัดได้ (2) ต้องระบุเหตุผลในหมายเหตุ"),
        "{}",
        r.text()
    );
    let r = post_form(
        &w.app,
        paper,
        &w.hosp_a,
        "assessor=x&mark.4p.4.1=0&note.4p.4.1=%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B9%84%E0%B8%94%E0%B9%89%E0%B8%84%E0%B9%89%E0%B8%B2%E0%B8%87%E0%B8%A3%E0%B8%B1%E0%B8%9A",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "kept with a reason");
    let kept = get(&w.app, paper, &w.hosp_a).await.text();
    assert!(kept.contains("คะแนนต่างจากค่าที่วัดได้"), "{kept}");
    assert!(!kept.contains("ต้องระบุเหตุผลในหมายเหตุ"));
    let r = post_form(
        &w.app,
        &format!("{base}/revisions"),
        &w.hosp_a,
        "revised_on=2026-04-01&note=ok",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The unit cannot approve its own revision; the province can.
    assert_eq!(
        post_form(
            &w.app,
            &format!("{base}/revisions/1/approve"),
            &w.hosp_a,
            ""
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_form(
            &w.app,
            &format!("{base}/revisions/1/approve"),
            &w.province,
            ""
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    // The plan's approval path: the unit submits; the province returns it (a comment is
    // required), the unit resubmits, the province reviews, then records the chief's approval
    // (the chief's name required). Steps out of order are refused.
    let steps = format!("{base}/steps");
    let step = |who: &str, body: &str| {
        let (app, who, body, steps) = (
            w.app.clone(),
            who.to_string(),
            body.to_string(),
            steps.clone(),
        );
        async move { post_form(&app, &steps, &who, &body).await }
    };
    assert_eq!(
        step(&w.province, "step=submitted").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&w.hosp_a, "step=reviewed").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&w.hosp_a, "step=submitted").await.status,
        StatusCode::SEE_OTHER
    );
    let r = step(&w.province, "step=approved&signer=").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "approval needs the chief's name"
    );
    let r = step(&w.province, "step=approved&signer=นพ.ทดสอบ").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not reviewed yet"
    );
    let r = step(&w.province, "step=returned").await;
    assert!(r.text().contains("การส่งกลับแก้ไขต้องระบุสิ่งที่ต้องแก้"));
    assert_eq!(
        step(&w.province, "step=returned&comment=RETURN-NOTE")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&w.hosp_a, "step=submitted").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&w.province, "step=reviewed").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&w.province, "step=approved&signer=CHIEF-NAME&comment=ok")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&w.hosp_a, "step=submitted").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = get(&w.app, base, &w.hosp_a).await.text();
    for want in [
        "นพ.สสจ. อนุมัติแล้ว",
        "CHIEF-NAME (pho)",
        "RETURN-NOTE",
        "ส่งกลับแก้ไข",
    ] {
        assert!(page.contains(want), "{want}: {page}");
    }
    // Every hospital with an approved plan: the dashboard's 3-month milestone counts it.
    let dash = get(&w.app, "/governance?fy=2569", &w.province).await.text();
    assert!(
        dash.contains("หน่วยบริการทุกแห่งมีแผนเงินบำรุงที่ นพ.สสจ. อนุมัติ</td><td>100%</td>\n    <td class=\"num nowrap\">1 / 3 (33.33%)"),
        "{dash}"
    );
    let page = get(&w.app, base, &w.province).await.text();
    assert!(
        page.contains("เป็นแบบไม่มีความเสี่ยง แต่แผนรายได้"),
        "derived-rule warning"
    );
    assert!(
        page.contains("1,200.00") && page.contains("1,320.00"),
        "annual totals"
    );
    assert!(
        page.contains("50.00%"),
        "Q2 revenue at half the annual plan"
    );
    assert!(page.contains("✓ อนุมัติแล้ว"));
    let bad = upload(
        &w.app,
        &format!("{base}/amounts"),
        &w.hosp_a,
        &[("kind", "plan")],
        "code,m01\nP04,1\n",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&w.app, base, &w.unit_a).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_form(&w.app, base, &w.district_a, "plan_type=1")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

pub(super) async fn tps_explains_every_point_and_grades(store: &Store) {
    let w = world(store).await;
    let base = "/units/99001/tps/2569/2";
    // Before saving: scored from raidai's own figures (the 256906 position), the rest missing.
    let first = get(&w.app, base, &w.hosp_a).await;
    assert_eq!(first.status, StatusCode::OK);
    let body = first.text();
    assert!(body.contains("ยังไม่ได้บันทึก: แสดงผล"));
    assert!(
        body.contains("value=\"0.10\""),
        "cash ratio prefilled from the position"
    );
    assert!(body.contains("F (ไม่ผ่าน)"));
    // A unit with nothing to score (no input, no position) reads "no data", not "0.00 … F".
    let none = get(&w.app, "/units/99002/tps/2568/1", &w.province)
        .await
        .text();
    assert!(
        none.contains("<span class=\"kpi-v muted\">ไม่มีข้อมูล</span>"),
        "{none}"
    );
    assert!(!none.contains("F (ไม่ผ่าน)"), "{none}");
    let form = "plan_revenue=1000&actual_revenue=1020&plan_expense=900&actual_expense=930\
&payables_days=80&cash_ratio=1.20&acp_uc_days=45&acp_csmbs_days=50&inventory_days=40\
&unit_cost_op=300&unit_cost_ip=9000&labour_cost=100&mc_drug=50&mc_lab=20&mc_supplies=10\
&accounting_check_passed=1&bed_occupancy_pct=85&sum_adjrw=1000&sum_adjrw_last_year=900\
&operating_margin_pct=5&roa_pct=3&ebitda=100&nwc=500\
&median_unit_cost_op=350&median_unit_cost_ip=9500&median_operating_margin_pct=4&median_roa_pct=2";
    let r = post_form(&w.app, base, &w.hosp_a, form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = get(&w.app, base, &w.province).await.text();
    assert!(!page.contains("ยังไม่ได้บันทึก: แสดงผล"));
    assert!(page.contains("value=\"1.20\""));
    // Raw points above the group caps are shown next to the capped ones.
    assert!(page.contains("คะแนนดิบ") && page.contains("คะแนนหลังจำกัดเพดาน"));
    assert!(page.contains("A (") || page.contains("B ("), "{page}");
    let bad = post_form(&w.app, base, &w.hosp_a, "cash_ratio=1.234&mc_drug=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("cash_ratio") && bad.text().contains("mc_drug"));
    assert_eq!(
        post_form(&w.app, base, &w.district_a, form).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&w.app, base, &w.unit_a).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&w.app, "/units/99001/tps/2569/5", &w.hosp_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// A province loads its own criteria for a year in the browser: checked, versioned, logged,
/// compared with the built-in set, and in force for that year's pages. (FY2590: no other test
/// reads that year, and a loaded set is in force for the whole process.)
pub(super) async fn criteria_sets_load_view_and_apply(store: &Store) {
    let w = world(store).await;
    let list = get(&w.app, "/governance/criteria", &w.province).await;
    assert_eq!(list.status, StatusCode::OK);
    let builtin = raidai_governance::criteria::FY2565_TOML;
    // A bad value is refused with the key named; nothing stored.
    let bad = builtin.replace("q2_threshold_pct = 50", "q2_threshold_pct = \"many\"");
    let r = upload(
        &w.app,
        "/governance/criteria",
        &w.province,
        &[("fy", "2590")],
        &bad,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("ไฟล์เกณฑ์ไม่ถูกต้อง") && r.text().contains("q2_threshold_pct"),
        "{}",
        r.text()
    );
    // An inconsistent set (a band out of order) is refused by the validation.
    let r = upload(
        &w.app,
        "/governance/criteria",
        &w.province,
        &[("fy", "2590")],
        "not = [toml",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Units cannot load criteria.
    let r = upload(
        &w.app,
        "/governance/criteria",
        &w.hosp_a,
        &[("fy", "2590")],
        builtin,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The Q2 check at 80 % and three plan reviews a year, from FY2590 on.
    let mine = builtin
        .replace("version = \"2565.1\"", "version = \"2590.1\"")
        .replace("q2_threshold_pct = 50", "q2_threshold_pct = 80")
        .replace("min_reviews_per_year = 1", "min_reviews_per_year = 3");
    let r = upload(
        &w.app,
        "/governance/criteria",
        &w.province,
        &[("fy", "2590")],
        &mine,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let at = r.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(at.starts_with("/governance/criteria/2590/"), "{at}");
    let view = get(&w.app, &at, &w.district_a).await.text();
    for want in [
        "planfin.q2_threshold_pct",
        "planfin.min_reviews_per_year",
        "2590.1",
    ] {
        assert!(view.contains(want), "{want}: {view}");
    }
    assert!(
        !view.contains("tps.max_total"),
        "unchanged values are not listed"
    );
    let list = get(&w.app, "/governance/criteria", &w.province)
        .await
        .text();
    assert!(list.contains("2590.1") && list.contains("ใช้อยู่"), "{list}");
    // In force for FY2590 (and only from it on).
    let set = raidai_governance::CriteriaSet::default_for(2590).unwrap();
    assert_eq!(set.version, "2590.1");
    assert_eq!(set.planfin.min_reviews_per_year, 3);
    assert_eq!(
        raidai_governance::CriteriaSet::default_for(2569)
            .unwrap()
            .version,
        "2565.1"
    );
    let dash = get(&w.app, "/governance?fy=2590", &w.province).await.text();
    assert!(dash.contains("(2590.1)"), "{dash}");
    // Logged.
    let log = store
        .list_audit(
            &Actor::system(),
            &raidai_store::audit::AuditQuery {
                entity: Some("gov_criteria_set".into()),
                hcode: None,
                limit: 10,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert!(!log.is_empty());
}
