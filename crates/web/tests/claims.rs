//! Claims screens: upload, history, rejects downloads, visits (masked), receivables, roll-up;
//! tenancy with real data in both units. SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{Corruption, GenConfig, generate, zip_dir};
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, router};

mod common;
use common::{Resp, add_user, get, send, sign_in};

const PW: &str = "test-password";

async fn login(store: &Store, app: &Router, username: &str, role: &str, scope: &str) -> String {
    add_user(store, username, role, scope, PW).await;
    sign_in(app, username, PW).await
}

fn gen_set(unit: &str, seed: u64, dir: &std::path::Path, corrupt: bool) {
    let mut cfg = GenConfig::new(Hcode::parse(unit).unwrap(), FiscalYear::new(2569), seed);
    cfg.visits = 40;
    cfg.admissions = 3;
    if corrupt {
        cfg.corruptions = vec![Corruption::BadDate];
    }
    generate(&cfg, dir).unwrap();
}

fn multipart(zip: &[u8], strict: bool) -> (String, Vec<u8>) {
    let boundary = "----raidaiclaimsboundary";
    let mut body = Vec::new();
    if strict {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"strict\"\r\n\r\n1\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"FDH_set.zip\"\r\nContent-Type: application/zip\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(zip);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &Router, hcode: &str, cookie: &str, zip: &[u8], strict: bool) -> Resp {
    let (ct, body) = multipart(zip, strict);
    send(
        app,
        Request::builder()
            .method(Method::POST)
            .uri(format!("/units/{hcode}/claims/import"))
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Follows an upload's redirect to its job and waits for the job to finish.
async fn finish(store: &Store, r: &Resp) -> raidai_store::jobs::ImportJob {
    let loc = r.headers[header::LOCATION].to_str().unwrap();
    let (hcode, id) = loc
        .strip_prefix("/units/")
        .and_then(|l| l.split_once("/claims/jobs/"))
        .unwrap_or_else(|| panic!("not a job page: {loc}"));
    raidai_web::import_jobs::wait_for_job(store, hc(hcode), id).await
}

async fn screens_and_tenancy(store: &Store) {
    seed_small(store).await;
    let app = router(AppState::new(store.clone()));
    let unit_a = login(store, &app, "rev.a", "unit_revenue", "99011").await;
    let district_a = login(store, &app, "dho.a", "district", "9901").await;
    let province = login(store, &app, "pho", "province", "99").await;

    // Unit B's data, imported from the CLI side.
    let dir_b = tempfile::tempdir().unwrap();
    gen_set("99021", 5, dir_b.path(), false);
    let b = common::import_dir(store, "99021", dir_b.path()).await;
    let b_visit = store
        .list_visits(
            &Actor::system(),
            &raidai_store::claims::VisitQuery {
                hcode: "99021".into(),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .0
        .remove(0);

    // Unit A uploads a zip with one bad CID: the valid visits land, the rejects are listed.
    let dir_a = tempfile::tempdir().unwrap();
    let files = dir_a.path().join("files");
    gen_set("99011", 6, &files, true);
    let zip_path = dir_a.path().join("set.zip");
    zip_dir(&files, &zip_path).unwrap();
    let zip = std::fs::read(&zip_path).unwrap();

    // Strict first: nothing lands.
    let r = upload(&app, "99011", &unit_a, &zip, true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let job = finish(store, &r).await;
    assert_eq!(job.state, "done");
    assert_eq!(common::visit_total(store, "99011").await, 0);

    let r = upload(&app, "99011", &unit_a, &zip, false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let job_uri = r.headers[header::LOCATION].to_str().unwrap().to_string();
    let job = finish(store, &r).await;
    // The job page and its API twin show the finished job and link to the import.
    let page = get(&app, &job_uri, &unit_a).await.text();
    assert!(page.contains("เสร็จแล้ว") && page.contains(job.import_id.as_deref().unwrap()));
    let api = get(&app, &format!("/api/v1{job_uri}"), &unit_a).await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.text().contains("\"state\":\"done\""));
    let detail_uri = format!(
        "/units/99011/claims/imports/{}",
        job.import_id.as_deref().unwrap()
    );
    let d = get(&app, &detail_uri, &unit_a).await;
    assert_eq!(d.status, StatusCode::OK);
    let page = d.text();
    assert!(page.contains("BAD_DATE") && page.contains("FDH_set.zip"));
    assert!(page.contains("ลูกหนี้เปลี่ยนสุทธิ"), "net change shown");
    let csv = get(&app, &format!("{detail_uri}/rejects.csv"), &unit_a).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().contains("BAD_DATE"));
    let xlsx = get(&app, &format!("{detail_uri}/rejects.xlsx"), &unit_a).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"));

    let history = get(&app, "/units/99011/claims", &unit_a).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(history.text().contains("rev.a"));

    // Visits: CIDs and names masked in the list.
    let list = get(&app, "/units/99011/visits", &unit_a).await;
    assert_eq!(list.status, StatusCode::OK);
    let text = list.text();
    assert!(text.contains("-xxxxx-xx-"));
    let a_visit = store
        .list_visits(
            &Actor::system(),
            &raidai_store::claims::VisitQuery {
                hcode: "99011".into(),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .0
        .remove(0);
    assert!(
        !text.contains(a_visit.facts.cid.as_str()),
        "full CID in the list"
    );
    assert!(
        !text.contains(a_visit.facts.patient_name.as_str()),
        "full name in the list"
    );
    let href = format!(
        "/units/99011/visits/{}",
        a_visit.visit.vkey.replace('/', "%2F")
    );
    let one = get(&app, &href, &unit_a).await;
    assert_eq!(one.status, StatusCode::OK, "{href}");
    assert!(!one.text().contains(a_visit.facts.cid.as_str()));
    for uri in [
        "/units/99011/visits?setting=IP&posted=1",
        "/units/99011/visits?from=2024-10-01&to=2026-09-30&fund=UC",
        "/units/99011/receivables",
        "/units/99011/receivables?fy=2569",
    ] {
        assert_eq!(
            get(&app, uri, &unit_a).await.status,
            StatusCode::OK,
            "{uri}"
        );
    }
    let cov = get(&app, "/units/99011/claims/unposted", &unit_a).await;
    assert_eq!(cov.status, StatusCode::OK);
    assert!(cov.text().contains("รายการที่ยังไม่ตั้งลูกหนี้"));
    let cov = get(&app, "/api/v1/units/99011/claims/unposted", &unit_a).await;
    assert_eq!(cov.status, StatusCode::OK);
    assert!(cov.text().starts_with('['), "{}", cov.text());
    let rec = get(&app, "/units/99011/receivables?fy=2569", &unit_a)
        .await
        .text();
    assert!(rec.contains("1102050"));

    // Unit A and district A never reach unit B's data, even by its real ids.
    let b_uris = [
        "/units/99021/claims".to_string(),
        format!("/units/99021/claims/imports/{}", b.record.id),
        format!("/units/99021/claims/imports/{}/rejects.csv", b.record.id),
        format!("/units/99021/claims/imports/{}/rejects.xlsx", b.record.id),
        "/units/99021/visits".to_string(),
        format!(
            "/units/99021/visits/{}",
            b_visit.visit.vkey.replace('/', "%2F")
        ),
        "/units/99021/receivables".to_string(),
    ];
    for cookie in [&unit_a, &district_a] {
        for uri in &b_uris {
            let r = get(&app, uri, cookie).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        }
        let r = upload(&app, "99021", cookie, &zip, false).await;
        assert!(matches!(
            r.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ));
        let roll = get(&app, "/claims/rollup", cookie).await;
        assert_eq!(roll.status, StatusCode::OK);
        let t = roll.text();
        assert!(!t.contains("99021") && !t.contains("รพ.สต.บ้านสอง"));
    }
    // The district sees its own unit but may not import for it.
    let r = upload(&app, "99011", &district_a, &zip, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The province sees every unit, and exports the roll-up.
    let roll = get(&app, "/claims/rollup?fy=2569", &province).await;
    assert_eq!(roll.status, StatusCode::OK);
    let t = roll.text();
    assert!(t.contains("99021") && t.contains("99011"));
    let x = get(&app, "/claims/rollup.xlsx?fy=all", &province).await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"));
    assert_eq!(
        get(&app, "/units/99021/visits", &province).await.status,
        StatusCode::OK
    );

    // The posting map: the province edits it as data, versioned by fiscal year; others may not.
    let page = get(&app, "/claims/posting-map?fy=2570", &province).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("1102050101.201"));
    for cookie in [&unit_a, &district_a] {
        assert_eq!(
            get(&app, "/claims/posting-map", cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let form = |tsv: &str| {
        format!(
            "province=99&fy=2570&tsv={}",
            tsv.replace('\t', "%09")
                .replace('\n', "%0A")
                .replace(' ', "+")
        )
    };
    let post = |cookie: &str, body: String| {
        Request::builder()
            .method(Method::POST)
            .uri("/claims/posting-map")
            .header(header::COOKIE, cookie.to_string())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let good = "UC\tOP\tany\tnormal\t1102050101.201\t4301020105.201\tC\n";
    let r = send(&app, post(&unit_a, form(good))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(&app, post(&province, form("UC\tOP\n"))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = send(&app, post(&province, form(good))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(store.posting_map("99", 2570).await.unwrap().len(), 1);
    assert_eq!(store.posting_map("99", 2569).await.unwrap().len(), 40);
}

raidai_store::conformance! {
    screens_and_tenancy;
}
