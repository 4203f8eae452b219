//! The Data Audit screens on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL: the worklist
//! lists a kept visit with an unknown clinic and the visits of a patient whose CID fails its
//! checksum, filters, exports XLSX and JSON; the officer accepts a finding on the visit page and
//! re-audits; the rules page counts; the province page shows units; other units see nothing.

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{add_user, get, post_form};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{Corruption, GenConfig, generate};
use raidai_store::Store;
use raidai_store::testkit::seed_small;
use raidai_web::{AppState, router};

async fn login(app: &Router, username: &str) -> String {
    common::sign_in(app, username, "audit-pass-12").await
}

/// Rewrites CLINIC of the first OPD data line.
fn unknown_clinic(dir: &std::path::Path) {
    let path = dir.join("OPD.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let header: Vec<&str> = lines[0].trim().split('|').collect();
    let at = header.iter().position(|h| *h == "CLINIC").unwrap();
    let mut f: Vec<String> = lines[1].split('|').map(str::to_string).collect();
    f[at] = "05000".into();
    lines[1] = f.join("|");
    std::fs::write(&path, lines.join("\n")).unwrap();
}

async fn worklist_through_the_pages(store: &Store) {
    seed_small(store).await;
    add_user(store, "admin", "admin", "", "audit-pass-12").await;
    add_user(store, "rev.a", "unit_revenue", "99001", "audit-pass-12").await;
    add_user(store, "rev.b", "unit_revenue", "99021", "audit-pass-12").await;
    add_user(store, "pho", "province", "99", "audit-pass-12").await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = GenConfig::new(Hcode::parse("99001").unwrap(), FiscalYear::new(2569), 5);
    cfg.visits = 50;
    cfg.admissions = 4;
    cfg.changwat = "99".into();
    cfg.corruptions = vec![Corruption::BadCid];
    generate(&cfg, dir.path()).unwrap();
    unknown_clinic(dir.path());
    let out = common::import_dir(store, "99001", dir.path()).await;
    assert_eq!(out.record.totals.rejects, 0);

    let app = router(AppState::new(store.clone()));
    let rev = login(&app, "rev.a").await;
    let page = get(&app, "/units/99001/audit", &rev).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("CLN01") && text.contains("CID01"),
        "rules listed"
    );
    assert!(text.contains("รหัสคลินิกไม่อยู่ในรหัสแผนกมาตรฐาน"));
    let page = get(&app, "/units/99001/audit?rule=CLN01", &rev)
        .await
        .text();
    let href_at = page.find("/units/99001/visits/").expect("a visit link");
    let href: String = page[href_at..].chars().take_while(|c| *c != '"').collect();
    // JSON and XLSX twins.
    let j = get(&app, "/api/v1/units/99001/audit/findings?rule=CLN01", &rev).await;
    assert_eq!(j.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
    assert_eq!(v["visits"], 1);
    assert_eq!(v["per_page"], 200);
    // Every finding of the unit: pages of 200, `more` until the last.
    let all = get(&app, "/api/v1/units/99001/audit/findings", &rev).await;
    let a: serde_json::Value = serde_json::from_slice(&all.body).unwrap();
    let n = a["findings"].as_array().unwrap().len();
    assert!(n <= 200 && n > 0);
    if n < 200 {
        assert_eq!(a["more"], false, "a short page is the last");
    }
    let vkey = v["findings"][0]["vkey"].as_str().unwrap().to_string();
    assert!(!j.text().contains("patient_name") && !j.text().contains("\"cid\""));
    let x = get(&app, "/units/99001/audit.xlsx?rule=CID01", &rev).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"));
    // Written row by row (constant memory): a spreadsheet reader sees the header and a row
    // per finding.
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x.body.clone())).unwrap();
        let sheet = book.worksheet_range("findings").unwrap();
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(rows[0][0].to_string(), "HN");
        assert_eq!(rows[0][6].to_string(), "rule");
        assert!(rows.len() > 1, "findings rows");
        assert!(rows[1..].iter().all(|r| r[6] == "CID01"));
    }
    // The visit page shows the finding; accept it with a reason.
    let visit = get(&app, &href, &rev).await.text();
    assert!(visit.contains("CLN01") && visit.contains("/audit/accept"));
    let r = post_form(
        &app,
        "/units/99001/audit/accept",
        &rev,
        &format!("vkey={}&rule=CLN01&reason=ok", urlencode(&vkey)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let j = get(&app, "/api/v1/units/99001/audit/findings?rule=CLN01", &rev).await;
    let v: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
    assert_eq!(v["visits"], 0, "accepted findings leave the worklist");
    let r = post_form(
        &app,
        "/units/99001/audit/accept",
        &rev,
        "vkey=x&rule=CLN01&reason=",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Re-audit keeps the acceptance.
    let r = post_form(&app, "/units/99001/audit/run", &rev, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let j = get(
        &app,
        "/api/v1/units/99001/audit/findings?rule=CLN01&accepted=1",
        &rev,
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
    assert_eq!(v["findings"][0]["accepted_by"], "rev.a");

    // Another unit sees nothing of it.
    let other = login(&app, "rev.b").await;
    assert_eq!(
        get(&app, "/units/99001/audit", &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_form(&app, "/units/99001/audit/run", &other, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let j = get(&app, "/api/v1/units/99001/audit/findings", &other).await;
    assert_eq!(j.status, StatusCode::NOT_FOUND);

    // Rules: counts, and the province edits the catalogue (a bad one named by line).
    let pho = login(&app, "pho").await;
    let rules = get(&app, "/claims/audit-rules", &pho).await.text();
    assert!(rules.contains("LATE01") && rules.contains("998"));
    let bad = post_form(
        &app,
        "/claims/audit-rules",
        &pho,
        "fy=0&tsv=AUTH01%09severe",
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = raidai_domain::audit::default_catalogue_text().replace("UC:30", "UC:45");
    let ok = post_form(
        &app,
        "/claims/audit-rules",
        &pho,
        &format!("fy=2569&tsv={}", urlencode(&text)),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    assert!(store.audit_catalogue_versions("99").await.unwrap()[&2569].contains("UC:45"));
    assert_eq!(
        post_form(
            &app,
            "/claims/audit-rules",
            &rev,
            &format!("fy=0&tsv={}", urlencode(&text))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // The province's view of units.
    let p = get(&app, "/claims/audit?fy=2569", &pho).await.text();
    assert!(p.contains("99001") && p.contains("ร้อยละพร้อมส่งเบิก"));
}

fn urlencode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                o.push(b as char)
            }
            _ => o.push_str(&format!("%{b:02X}")),
        }
    }
    o
}

raidai_store::conformance! {
    worklist_through_the_pages;
}
