//! The claim cycle through the browser routes, on SQLite and (with RAIDAI_TEST_PG_URL)
//! PostgreSQL: the revenue officer builds a batch and downloads its zip, uploads the REP and
//! the Statement the funds sent back, follows a Deny on the worklist and writes it off; aging
//! and the province roll-up show the result; another unit's officer sees none of it.

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{add_user, get, post_files, post_form};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::GenConfig;
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, router};

async fn login(app: &Router, username: &str) -> String {
    common::sign_in(app, username, "cycle-pass-1").await
}

/// Uploads one REP or Statement file to unit 99001's returns page.
async fn upload_return(app: &Router, cookie: &str, name: &str, bytes: &[u8]) -> common::Resp {
    common::upload(app, "/units/99001/claims/returns", cookie, name, bytes).await
}

async fn claim_cycle_through_the_pages(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99001", "cycle-pass-1").await;
    add_user(store, "rev.b", "unit_revenue", "99021", "cycle-pass-1").await;
    add_user(store, "pho", "province", "99", "cycle-pass-1").await;
    let mut cfg = GenConfig::new(Hcode::parse("99001").unwrap(), FiscalYear::new(2569), 3);
    cfg.visits = 200;
    cfg.admissions = 20;
    cfg.changwat = "99".into();
    common::import_generated(store, "99001", &cfg).await;
    let app = router(AppState::new(store.clone()));
    let rev = login(&app, "rev.a").await;
    let other = login(&app, "rev.b").await;
    let pho = login(&app, "pho").await;

    // A bad date is named in Thai, nothing recorded.
    let r = post_form(
        &app,
        "/units/99001/claims/batches",
        &rev,
        "fund=UC&from=99/99/2569&to=30/09/2569",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("วันที่ไม่ถูกต้อง"));
    // The batch, with BE dates as the officer types them.
    let r = post_form(
        &app,
        "/units/99001/claims/batches",
        &rev,
        "fund=UC&fund=OFC&fund=LGO&fund=SSS&fund=BKK&from=01/10/2568&to=30/09/2569&include_blocked=1&headers=fdh",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), "/units/99001/claims/batches/1");
    let page = get(&app, "/units/99001/claims/batches/1", &rev).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("INS.txt"));
    let zip = get(&app, "/units/99001/claims/batches/1/zip", &rev).await;
    assert_eq!(zip.status, StatusCode::OK);
    assert!(zip.body.starts_with(b"PK"));
    // Another unit's officer sees neither the batch nor its zip.
    assert_eq!(
        get(&app, "/units/99001/claims/batches/1/zip", &other)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The funds' returns, uploaded through the page.
    let files = raidai_claims::cycle::synth_returns(
        store,
        &Actor::system(),
        hc("99001"),
        1,
        &raidai_returns::RepShares {
            corrective_pct: 10,
            deny_pct: 10,
            paid_diff_pct: 30,
        },
        9,
        20261110,
    )
    .await
    .unwrap();
    for (name, bytes) in files.iter().filter(|f| f.0.starts_with("eclaim_")) {
        let r = upload_return(&app, &rev, name, bytes).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(r.text().contains("ผลการนำเข้า"), "{name}");
    }
    // The same file again: refused in Thai.
    let (name, bytes) = files.iter().find(|f| f.0.starts_with("eclaim_")).unwrap();
    let r = upload_return(&app, &rev, name, bytes).await;
    assert!(r.text().contains("ไฟล์นี้นำเข้าแล้ว"));
    // A file that is no workbook: a Thai message, nothing recorded.
    let before = store
        .list_returns(&Actor::system(), hc("99001"))
        .await
        .unwrap()
        .len();
    let r = upload_return(&app, &rev, "eclaim_99001_OP_25691110_9.xls", b"garbage").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("alert"));
    assert_eq!(
        store
            .list_returns(&Actor::system(), hc("99001"))
            .await
            .unwrap()
            .len(),
        before
    );
    // The statements in one upload, with a broken file among them: each file is imported on
    // its own (the broken one refused, the others landed), every file named on the page.
    let mut upload: Vec<(&str, &[u8])> = files
        .iter()
        .filter(|f| f.0.starts_with("STM_"))
        .map(|f| (f.0.as_str(), f.1.as_slice()))
        .collect();
    let stm_count = upload.len();
    assert!(stm_count >= 2, "several statements: {stm_count}");
    upload.insert(1, ("STM_99001_OPUCS256911_99.xlsx", b"garbage".as_slice()));
    let r = post_files(&app, "/units/99001/claims/returns", &rev, "file", &upload).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    for (name, _) in upload.iter().filter(|f| f.1 != b"garbage") {
        assert!(
            page.contains(&format!("<code>{name}</code></a>")),
            "{name} listed with a link to its lines"
        );
    }
    assert_eq!(
        page.matches("ไม่ได้นำเข้า").count(),
        1,
        "only the broken file refused"
    );
    assert!(page.contains("STM_99001_OPUCS256911_99.xlsx"));
    // Over the 64 MiB request limit: the app's own 413 page in Thai, and nothing stored.
    let stored = store
        .list_returns(&Actor::system(), hc("99001"))
        .await
        .unwrap()
        .len();
    let huge = vec![b'x'; 65 * 1024 * 1024];
    let r = post_files(
        &app,
        "/units/99001/claims/returns",
        &rev,
        "file",
        &[("STM_99001_OPUCS256911_98.xlsx", huge.as_slice())],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("ข้อมูลที่ส่งเกิน 64 MB"), "{}", r.text());
    let after_huge = store
        .list_returns(&Actor::system(), hc("99001"))
        .await
        .unwrap()
        .len();
    assert_eq!(after_huge, stored);
    let after = store
        .list_returns(&Actor::system(), hc("99001"))
        .await
        .unwrap();
    assert_eq!(
        after.len(),
        before + stm_count,
        "the good statements landed"
    );
    assert_eq!(after.iter().filter(|x| x.kind == "stm").count(), stm_count);
    // A REP with an unreadable amount: the line is a reject (sheet, row, field), kept with the
    // return and downloadable like the 16 files' rejects; the other line is kept unmatched.
    let odd = hand_built_rep();
    let r = upload_return(&app, &rev, "eclaim_99001_OP_25691110_000000777.xlsx", &odd).await;
    assert_eq!(r.status, StatusCode::OK);
    let rec = store
        .list_returns(&Actor::system(), hc("99001"))
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.file_name.contains("777"))
        .unwrap();
    assert_eq!((rec.lines, rec.rejects, rec.unmatched), (1, 1, 1));
    let page = get(
        &app,
        &format!("/units/99001/claims/returns/{}", rec.no),
        &rev,
    )
    .await;
    assert!(page.text().contains("12x"), "the rejected value is shown");
    let csv = get(
        &app,
        &format!("/units/99001/claims/imports/{}/rejects.csv", rec.import_id),
        &rev,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text().contains("RETURN_LINE") && csv.text().contains("Detail"),
        "{}",
        csv.text()
    );
    // Another unit's officer cannot upload here.
    let r = upload_return(&app, &other, name, bytes).await;
    assert!(matches!(
        r.status,
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
    ));

    // The worklist holds the C and Deny; a Deny is written off with a reason.
    let wl = get(
        &app,
        "/api/v1/units/99001/claims/worklist?status=deny",
        &rev,
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&wl.body).unwrap();
    let deny = v["items"][0]["vkey"].as_str().unwrap().to_string();
    let owed = v["items"][0]["outstanding"].as_i64().unwrap();
    assert!(owed > 0);
    // Pages of 200 with the total and whether more follow.
    let n = v["items"].as_array().unwrap().len() as i64;
    assert_eq!(v["per_page"], 200);
    assert_eq!(v["more"], v["claims"].as_i64().unwrap() > n);
    assert!(n <= 200 && n == v["claims"].as_i64().unwrap().min(200));
    let page = get(&app, "/units/99001/claims/worklist", &rev).await;
    assert!(page.text().contains("Deny"));
    let r = post_form(
        &app,
        "/units/99001/claims/worklist",
        &rev,
        &format!("vkey={}&work=written_off&note=%E0%B9%84%E0%B8%A1%E0%B9%88%E0%B8%AD%E0%B8%B8%E0%B8%97%E0%B8%98%E0%B8%A3%E0%B8%93%E0%B9%8C", urlencode(&deny)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let c = get(
        &app,
        &format!(
            "/api/v1/units/99001/claims/visits/{}/claim",
            urlencode(&deny)
        ),
        &rev,
    )
    .await;
    let c: serde_json::Value = serde_json::from_slice(&c.body).unwrap();
    assert_eq!(c["outstanding"], 0);
    assert_eq!(c["claim"]["work"], "written_off");
    let visit = get(
        &app,
        &format!("/units/99001/visits/{}", urlencode(&deny)),
        &rev,
    )
    .await;
    assert!(visit.text().contains("ประวัติการเบิก"));

    // Aging, the province roll-up, and their API twins.
    let aging = get(&app, "/units/99001/claims/aging", &rev).await;
    assert_eq!(aging.status, StatusCode::OK);
    assert!(aging.text().contains("ระยะเวลาเก็บหนี้"));
    assert_eq!(
        get(&app, "/units/99001/claims/aging", &other).await.status,
        StatusCode::NOT_FOUND
    );
    let roll = get(&app, "/api/v1/claims/cycle?fy=2569", &pho).await;
    let roll: serde_json::Value = serde_json::from_slice(&roll.body).unwrap();
    let received: i64 = roll["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["received"].as_i64().unwrap())
        .sum();
    assert!(received > 0);
    let theirs = get(&app, "/api/v1/claims/cycle?fy=2569", &other).await;
    let theirs: serde_json::Value = serde_json::from_slice(&theirs.body).unwrap();
    assert!(
        theirs["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["hcode"] == "99021")
    );
    let x = get(&app, "/claims/cycle.xlsx?fy=2569", &pho).await;
    assert!(x.body.starts_with(b"PK"));
    assert_eq!(
        get(&app, "/claims/cycle?fy=2569", &pho).await.status,
        StatusCode::OK
    );
}

/// A UCS REP for unit 99001 with two lines: one for a visit the unit does not have, one whose
/// claimed amount is not a number.
fn hand_built_rep() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Detail").unwrap();
    ws.write_string(0, 0, "ออกรายงานวันที่ 10/11/2569 เวลา 10:15")
        .unwrap();
    ws.write_string(1, 3, "หน่วยบริการ : 99001 โรงพยาบาลทดสอบ")
        .unwrap();
    // UCS columns are read by position: the header row is found by its key headings alone.
    for (c, h) in [
        (0u16, "REP No."),
        (2, "TRAN_ID"),
        (3, "HN"),
        (40, "เรียกเก็บ (1.3)"),
        (117, "SEQ NO"),
    ] {
        ws.write_string(2, c, h).unwrap();
    }
    for (row, (tran, hn, amount)) in [
        ("900000001", "NO-SUCH", "100.00"),
        ("900000002", "NO-SUCH-2", "12x"),
    ]
    .iter()
    .enumerate()
    {
        let r = 3 + row as u32;
        for (c, v) in [
            (0u16, "691100001"),
            (2, *tran),
            (3, *hn),
            (4, "-"),
            (7, "OP"),
            (8, "01/10/2569"),
            (9, "01/10/2569"),
            (10, "100.00"),
            (13, "-"),
            (14, "UCS"),
            (40, *amount),
            (117, "691001080000"),
        ] {
            ws.write_string(r, c, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn urlencode(s: &str) -> String {
    s.replace('/', "%2F")
}

raidai_store::conformance! {
    claim_cycle_through_the_pages;
}
