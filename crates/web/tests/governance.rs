//! Governance pages: unit finance, province dashboard, imports and XLSX, on both engines.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use raidai_store::governance::parse_positions_csv;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, router};

mod common;
use common::{Resp, get, post_multipart, send, sign_in};

const PW: &str = "test-password";

/// A multipart form with text fields and one CSV `file`.
async fn upload(
    app: &Router,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: &str,
) -> Resp {
    post_multipart(app, uri, cookie, fields, ("in.csv", file.as_bytes())).await
}

async fn add_user(store: &Store, username: &str, role: &str, scope: &str) {
    common::add_user(store, username, role, scope, PW).await
}

async fn login(app: &Router, username: &str) -> String {
    sign_in(app, username, PW).await
}

const RATIO_HEAD: &str = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd";

/// Hospital A healthy at 3 months and in crisis (level 7) at 6; hospital B healthy; รพ.สต. A
/// with no current liabilities.
fn ratio_csv() -> String {
    format!(
        "{RATIO_HEAD}\n\
99001,256903,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00\n\
99001,256906,500000,1000000,400000,100000,9000000,9500000\n\
99002,256906,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00\n\
99011,256906,1000,0,1000,1000,500,100\n"
    )
}

struct World {
    app: Router,
    province: String,
    district_a: String,
    unit_a: String,
    hosp_a: String,
}

async fn world(store: &Store) -> World {
    seed_small(store).await;
    add_user(store, "pho", "province", "99").await;
    add_user(store, "dho.a", "district", "9901").await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    add_user(store, "head.h", "unit_head", "99001").await;
    let rows = parse_positions_csv(ratio_csv().as_bytes()).unwrap();
    store
        .import_positions(&Actor::system(), &rows, 2)
        .await
        .unwrap();
    let app = router(AppState::new(store.clone()));
    World {
        province: login(&app, "pho").await,
        district_a: login(&app, "dho.a").await,
        unit_a: login(&app, "rev.a").await,
        hosp_a: login(&app, "head.h").await,
        app,
    }
}

async fn unit_finance_page_shows_the_trend(store: &Store) {
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

async fn finance_page_shows_seven_plus_against_targets(store: &Store) {
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
        .save_ratio_items(&Actor::system(), "99001", 256906, &items)
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
    let line = |account: &str, debit: i64, credit: i64| raidai_store::claims::PostLine {
        account: account.into(),
        fund: "UC".into(),
        debit,
        credit,
    };
    let visit = raidai_store::claims::VisitRow {
        vkey: "O000000001/1".into(),
        setting: "OP".into(),
        hn: "000000001".into(),
        seq: "1".into(),
        an: String::new(),
        date_serv: 20251001,
        date_dsc: 20251001,
        recognised: 20251001,
        fy: 2569,
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
        fund: "UC".into(),
        place: "in_cup".into(),
        case: "normal".into(),
        total: 182_000,
        paid: 0,
        claimable: 182_000,
        fund_amount: 182_000,
        patient_amount: 0,
        posted: true,
        unposted_reason: String::new(),
        receivable: "1102050101.201".into(),
        content_hash: "h".into(),
        detail_json: "{}".into(),
        lines: vec![
            line("1102050101.201", 182_000, 0),
            line("4301020105.201", 0, 182_000),
        ],
        findings: Vec::new(),
    };
    let mut imp = store
        .begin_import(
            &Actor::system(),
            "99001",
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

async fn trial_balance_upload_scores_the_month(store: &Store) {
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
        .list_positions(&Actor::system(), "99001")
        .await
        .unwrap();
    assert_eq!(
        ps.iter().map(|p| p.period).collect::<Vec<_>>(),
        vec![256903, 256906, 256909]
    );
}

async fn province_dashboard_counts_levels_against_round_targets(store: &Store) {
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

async fn ratio_items_upload_is_for_the_province(store: &Store) {
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

async fn post_form(app: &Router, uri: &str, cookie: &str, form: &str) -> Resp {
    send(
        app,
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap(),
    )
    .await
}

/// A multipart upload of raw bytes as `file`, with an `item_id`.
async fn upload_bytes(
    app: &Router,
    uri: &str,
    cookie: &str,
    item: &str,
    name: &str,
    data: &[u8],
) -> Resp {
    post_multipart(app, uri, cookie, &[("item_id", item)], (name, data)).await
}

async fn assessment_forms_score_print_and_keep_evidence_in_the_tenancy(store: &Store) {
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

async fn planfin_page_compares_plan_and_actual(store: &Store) {
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

async fn tps_explains_every_point_and_grades(store: &Store) {
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
async fn criteria_sets_load_view_and_apply(store: &Store) {
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

raidai_store::conformance! {
    criteria_sets_load_view_and_apply;
    tps_explains_every_point_and_grades;
    planfin_page_compares_plan_and_actual;
    assessment_forms_score_print_and_keep_evidence_in_the_tenancy;
    unit_finance_page_shows_the_trend;
    finance_page_shows_seven_plus_against_targets;
    trial_balance_upload_scores_the_month;
    province_dashboard_counts_levels_against_round_targets;
    ratio_items_upload_is_for_the_province;
}
