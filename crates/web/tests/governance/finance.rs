//! Finance pages: the trend, 7 Plus against targets, trial-balance uploads, the province dashboard and ratio items.

use super::*;
use raidai_store::testkit::hc;

pub(super) async fn unit_finance_page_shows_the_trend(store: &Store) {
    let w = world(store).await;
    let r = get(&w.app, "/units/99001/finance", &w.hosp_a).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    assert!(
        body.contains("มี.ค. 2569") && body.contains("ธ.ค. 2568"),
        "BE month labels"
    );
    assert!(body.contains("8.68"), "CR of the healthy month");
    assert!(
        body.contains("-500,000.00"),
        "NI of the crisis month, Thai grouping"
    );
    assert!(body.contains(r#"<span class="lvl lvl7">7</span>"#));
    assert!(!body.contains("99002"), "no other unit");
    // Zero current liabilities are stated, not divided by.
    let z = get(&w.app, "/units/99011/finance", &w.unit_a).await.text();
    assert!(z.contains("หนี้สินหมุนเวียนเป็นศูนย์ — คำนวณอัตราส่วนไม่ได้"));
    // Other units' pages are not found.
    assert_eq!(
        get(&w.app, "/units/99001/finance", &w.unit_a).await.status,
        StatusCode::NOT_FOUND
    );
    // The unit's people are sent from the dashboard to their own figures.
    let r = get(&w.app, "/governance", &w.unit_a).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/units/99011/finance");
}

pub(super) async fn finance_page_shows_seven_plus_against_targets(store: &Store) {
    let w = world(store).await;
    let items: std::collections::BTreeMap<String, i64> = [
        ("receivable_uc", 60_000_000),
        ("revenue_uc_ytd", 182_000_000),
        ("inventory", 100_000_000),
        ("inventory_usage_ytd", 182_000_000),
        ("medical_revenue", 100_000_000),
        ("ebitda_revenue", 100_000_000),
        ("ebitda_expense", 90_000_000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    store
        .save_ratio_items(&Actor::system(), hc("99001"), 256906, &items)
        .await
        .unwrap();
    let r = get(&w.app, "/units/99001/finance?period=256906", &w.hosp_a).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    assert!(body.contains("ประสิทธิภาพทางการเงิน 7 Plus"));
    assert!(body.contains("ระยะเวลาเรียกเก็บหนี้ UC"));
    // 600,000 / 1,820,000 × 182 days = 60 days, at the 60-day limit: passed.
    assert!(body.contains("60.00 วัน"), "{body}");
    assert!(
        body.contains("≤ 60.00 วัน") || body.contains("&lt;= 60.00"),
        "target shown"
    );
    // 1,000,000 / 1,820,000 × 182 = 100 days of inventory: failed.
    assert!(body.contains("100.00 วัน"));
    assert!(body.contains("ไม่ผ่าน") && body.contains(">ผ่าน<"));
    // Social security's 90 days here and 120 on the 4S4C form: the page says why.
    assert!(
        body.contains(
            "7 Plus Efficiency ใช้ ≤ 90 วัน ส่วนแบบประเมินศูนย์จัดเก็บรายได้ (4S4C ข้อ 2.4) ใช้ ≤ 120 วัน"
        ),
        "{body}"
    );
    // Operating margin 10 % is the only one in its peer group: its own median.
    assert!(body.contains("10.00%"));
    assert!(
        body.contains("ใช้ยอดปลายงวดแทนยอดต้นงวด"),
        "no opening balances noted"
    );
    // Collection periods side by side; no visits in raidai yet: stated.
    assert!(body.contains("งบทดลองเทียบบัญชีลูกหนี้ของ raidai"));
    assert!(body.contains("ยังไม่มีข้อมูลบริการ (16 แฟ้ม) ใน raidai"));
    // One UC visit of 1,820 baht on 1 Oct 2025 still owed: (0 + 1,820) / 2 / 1,820 × 182 = 91 days.
    let visit = raidai_store::testkit::op_visit("O000000001/1", "UC", 20251001, 182_000);
    let mut imp = store
        .begin_import(
            &Actor::system(),
            hc("99001"),
            raidai_store::claims::ImportMeta {
                source_name: "t.zip".into(),
                files: Vec::new(),
                strict: false,
            },
        )
        .await
        .unwrap();
    imp.write_visits(vec![visit]).await.unwrap();
    imp.finish(Default::default(), true).await.unwrap();
    let body = get(&w.app, "/units/99001/finance?period=256906", &w.hosp_a)
        .await
        .text();
    assert!(!body.contains("ยังไม่มีข้อมูลบริการ (16 แฟ้ม) ใน raidai"));
    assert!(body.contains("91.00 วัน"), "ledger UC collection period");
    assert!(body.contains("910.00"), "average receivable");
    // The 4S4C form shows the measured UC collection period beside item 2.4 (1) with the
    // suggested mark: 60 days from the trial balance of Mar 2569 meets the 60-day limit.
    let form = get(&w.app, "/units/99001/assessments/2569/1/rc", &w.hosp_a)
        .await
        .text();
    assert!(
        form.contains("ระยะเวลาเรียกเก็บหนี้ UC 60.00 วัน เกณฑ์ ≤ 60 วัน (มี.ค. 2569) → คะแนนที่เสนอ 2"),
        "{form}"
    );
    // CSMBS has no trial-balance revenue: the ledger is used (no CSMBS visits: no suggestion).
    assert_eq!(form.matches("คะแนนที่เสนอ").count(), 1);
    // An earlier period with a position but no items: indicators not computable.
    let early = get(&w.app, "/units/99001/finance?period=256903", &w.hosp_a)
        .await
        .text();
    assert!(early.contains("ประเมินไม่ได้"));
    // Another unit's user cannot read it.
    assert_eq!(
        get(&w.app, "/units/99001/finance?period=256906", &w.unit_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

pub(super) async fn trial_balance_upload_scores_the_month(store: &Store) {
    let w = world(store).await;
    // The period is chosen by its calendar month: fiscal month 9 of 2569 is June.
    let page = get(&w.app, "/units/99001/finance", &w.hosp_a).await.text();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    let last_fy = raidai_domain::calendar::FiscalYear::of(today).be() - 1;
    assert!(
        page.contains(&format!(
            "<option value=\"{last_fy}09\">มิ.ย. {last_fy} · งวดที่ 9 "
        )),
        "{page}"
    );
    // The last finished month is chosen.
    let last = raidai_domain::calendar::FiscalPeriod::of(today).prev().id();
    assert!(page.contains(&format!("<option value=\"{last}\" selected>")));
    let tb = "account_code,debit,credit\n1101010101.101,2000000,0\n1102050101.102,1000000,0\n2101010101.101,0,1000000\n4301020105.201,0,900000\n5101010101.101,800000,0\n7777,5,0\n";
    let r = upload(
        &w.app,
        "/units/99001/finance/trial-balance",
        &w.hosp_a,
        &[("period", "256909")],
        tb,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.text();
    assert!(body.contains("มิ.ย. 2569"));
    assert!(body.contains("<code>7777</code>"), "unmapped account shown");
    assert!(body.contains("3.00"), "CR 3,000,000 / 1,000,000");
    // A bad period is a field error on the page, nothing stored.
    let bad = upload(
        &w.app,
        "/units/99001/finance/trial-balance",
        &w.hosp_a,
        &[("period", "256913")],
        tb,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("256909"));
    // District officers inspect only; unit A cannot write hospital A.
    for (who, c, want) in [
        ("district", &w.district_a, StatusCode::FORBIDDEN),
        ("unit A", &w.unit_a, StatusCode::NOT_FOUND),
    ] {
        let r = upload(
            &w.app,
            "/units/99001/finance/trial-balance",
            c,
            &[("period", "256910")],
            tb,
        )
        .await;
        assert_eq!(r.status, want, "{who}");
    }
    let ps = store
        .list_positions(&Actor::system(), hc("99001"))
        .await
        .unwrap();
    assert_eq!(
        ps.iter().map(|p| p.input.period).collect::<Vec<_>>(),
        vec![256903, 256906, 256909]
    );
}

pub(super) async fn province_dashboard_counts_levels_against_round_targets(store: &Store) {
    let w = world(store).await;
    let r = get(&w.app, "/governance?fy=2569", &w.province).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.text();
    assert!(body.contains("ปีงบประมาณ 2569") || body.contains("2569"));
    // 6-month round: 3 units with data, one at level 7 (33.33 %) against ≤ 0 %.
    assert!(body.contains("1 (33.33%)"), "{body}");
    assert!(body.contains("✗ ไม่ผ่าน"));
    // 3-month round: one unit, healthy: met.
    assert!(body.contains("✓ ผ่าน"));
    for h in ["99001", "99002", "99011"] {
        assert!(body.contains(h), "{h} listed");
    }
    // Measures count every unit in scope (both hospitals and the รพ.สต. with data): surplus in
    // 2 of 3; no unit has a plan, so the no-risk-plan measure is 0 of 3 with all three listed
    // as without data, never "0 / 0".
    assert!(body.contains("2 / 3 (66.67%)"), "{body}");
    assert!(body.contains("0 / 3 (0.00%)"), "{body}");
    assert!(
        body.contains(
            "ไม่มีข้อมูล (นับว่าไม่ผ่าน) 3: 99001 โรงพยาบาลหนึ่ง, 99011 รพ.สต.บ้านหนึ่ง, 99002 โรงพยาบาลสอง"
        ),
        "{body}"
    );
    assert!(!body.contains(" / 0 "), "{body}");
    assert!(!body.contains("??"), "every label has its text: {body}");
    // The API twin: the same counts as numbers, with the codes of the units without data.
    let j = get(&w.app, "/api/v1/governance/dashboard?fy=2569", &w.province).await;
    assert_eq!(j.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
    let plan = v["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "budgeting.no_risk_plan")
        .unwrap();
    assert_eq!(plan["counted"]["met"], 0);
    assert_eq!(plan["counted"]["total"], 3);
    assert_eq!(plan["met"], false);
    assert_eq!(
        plan["counted"]["missing"],
        serde_json::json!(["99001", "99011", "99002"])
    );
    let surplus = v["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "budgeting.surplus")
        .unwrap();
    assert_eq!(
        (
            surplus["counted"]["met"].as_u64(),
            surplus["counted"]["total"].as_u64()
        ),
        (Some(2), Some(3))
    );
    assert_eq!(
        get(&w.app, "/api/v1/governance/dashboard", &w.unit_a)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Small success at 3 months: every unit has a plan — none does, all three listed.
    assert!(
        body.contains("หน่วยบริการทุกแห่งมีแผนเงินบำรุงที่ นพ.สสจ. อนุมัติ</td><td>100%</td>"),
        "{body}"
    );
    // English: English labels and CE month names.
    let en = get(
        &w.app,
        "/governance?fy=2569",
        &format!("{}; raidai_lang=en", w.province),
    )
    .await
    .text();
    assert!(
        en.contains("Inspection: financial crisis") && en.contains("Mar 2026"),
        "English page"
    );
    // The district sees its own units only.
    let d = get(&w.app, "/governance", &w.district_a).await.text();
    assert!(d.contains("99001") && !d.contains("99002"));

    let x = get(&w.app, "/governance/export.xlsx?fy=2569", &w.province).await;
    assert_eq!(x.status, StatusCode::OK);
    assert_eq!(
        x.headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(x.body.starts_with(b"PK"), "a zip container");
    assert!(x.body.len() > 2000);
    // Figures are numbers, not text: hospital A's CR 0.50 and NI -500,000 baht at 256906.
    {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let sheet = book.worksheet_range("หน่วยบริการ").unwrap();
        let row = sheet
            .rows()
            .find(|r| r[0] == "99001")
            .expect("hospital A's row");
        assert_eq!(row[5], Data::Float(0.5));
        assert_eq!(row[6], Data::Float(-500_000.0));
        let ind = book.worksheet_range("ตัวชี้วัด").unwrap();
        assert!(
            ind.rows().any(|r| r
                .iter()
                .any(|c| c.to_string().starts_with("ไม่มีข้อมูล (นับว่าไม่ผ่าน) (3): 99001"))),
            "units without data listed in the workbook: {:?}",
            ind.rows().collect::<Vec<_>>()
        );
    }
}

pub(super) async fn ratio_items_upload_is_for_the_province(store: &Store) {
    let w = world(store).await;
    let csv = format!("{RATIO_HEAD}\n99002,256909,100,50,100,100,10,5\n");
    let r = upload(
        &w.app,
        "/governance/positions/import",
        &w.province,
        &[],
        &csv,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("นำเข้าแล้ว (แถว) 1"));
    let bad = format!("{RATIO_HEAD}\n99002,256909,x,50,100,100,10,5\n");
    let r = upload(
        &w.app,
        "/governance/positions/import",
        &w.province,
        &[],
        &bad,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("current_assets"));
    for c in [&w.district_a, &w.unit_a, &w.hosp_a] {
        let r = upload(&w.app, "/governance/positions/import", c, &[], &csv).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}
