//! Regression tests of the holes a hostile user found (issue 9): open redirect, sessions after a
//! password change, password-check rate limit, limiter behind a proxy, Origin scheme, CSV
//! formula cells, unreadable and hostile uploads, cancellation, file names. SQLite and (with
//! RAIDAI_TEST_PG_URL) PostgreSQL where data is involved.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use common::{Resp, get_req, post_file, send};
use raidai_claims::{ImportOptions, import};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate, zip_dir};
use raidai_formats::{CancelFlag, Source};
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::auth::{client_address, safe_next};
use raidai_web::{AppState, router};
use std::net::{IpAddr, SocketAddr};

const PW: &str = "test-password";

/// A form POST from `peer` (the TCP peer address), with extra headers.
fn form(uri: &str, body: &str, peer: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    let mut r = b.body(Body::from(body.to_string())).unwrap();
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    r.extensions_mut().insert(ConnectInfo(addr));
    r
}

async fn add_user(store: &Store, username: &str, role: &str, scope: &str) {
    common::add_user(store, username, role, scope, PW).await
}

async fn login_from(app: &Router, username: &str, peer: &str) -> String {
    let r = send(
        app,
        form(
            "/login",
            &format!("username={username}&password={PW}"),
            peer,
            &[],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.cookie()
}

#[test]
fn next_accepts_only_paths_of_this_site() {
    for (input, want) in [
        ("/units/99011?fy=2569", "/units/99011?fy=2569"),
        ("/", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\\/evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        (" /x", "/"),
        ("/a b", "/"),
        ("", "/"),
        ("/%09/evil.example", "/%09/evil.example"),
    ] {
        assert_eq!(safe_next(Some(input)), want, "{input:?}");
    }
    assert_eq!(safe_next(None), "/");
}

#[test]
fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let proxy: IpAddr = "10.0.0.2".parse().unwrap();
    let mut h = HeaderMap::new();
    h.insert("x-forwarded-for", "1.2.3.4, 192.168.1.50".parse().unwrap());
    // From the proxy: the right-most address the proxy saw.
    assert_eq!(client_address(Some(proxy), &h, &[proxy]), "192.168.1.50");
    // From anyone else the header is ignored.
    let other: IpAddr = "192.168.1.9".parse().unwrap();
    assert_eq!(client_address(Some(other), &h, &[proxy]), "192.168.1.9");
    assert_eq!(client_address(Some(proxy), &h, &[]), "10.0.0.2");
    // Garbage in the header: the proxy's own address.
    let mut bad = HeaderMap::new();
    bad.insert("x-forwarded-for", "not-an-ip".parse().unwrap());
    assert_eq!(client_address(Some(proxy), &bad, &[proxy]), "10.0.0.2");
    assert_eq!(client_address(None, &h, &[proxy]), "local");
}

async fn login_redirects_only_inside_the_site(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let app = router(AppState::new(store.clone()));
    for next in [
        "/%09/evil.example",
        "/%0D%0A/evil.example",
        "//evil.example",
        "/%5Cevil.example",
    ] {
        let r = send(
            &app,
            form(
                "/login",
                &format!("username=rev.a&password={PW}&next={next}"),
                "127.0.0.1",
                &[],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}: {}", r.text());
        assert_eq!(r.location(), "/", "{next}");
    }
    let page = send(&app, get_req("/login?next=/%09/evil.example", "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains(r#"name="next" value="/""#),
        "{}",
        page.text()
    );
    let ok = send(
        &app,
        form(
            "/login",
            &format!("username=rev.a&password={PW}&next=/units/99011"),
            "127.0.0.1",
            &[],
        ),
    )
    .await;
    assert_eq!(ok.location(), "/units/99011");
}

async fn own_password_change_ends_other_sessions_and_is_rate_limited(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let app = router(AppState::new(store.clone()));
    let here = login_from(&app, "rev.a", "127.0.0.1").await;
    let stolen = login_from(&app, "rev.a", "127.0.0.1").await;
    let change = |cookie: &str, current: &str, new: &str| {
        let mut r = form(
            "/account/password",
            &format!("current_password={current}&new_password={new}"),
            "127.0.0.1",
            &[],
        );
        r.headers_mut()
            .insert(header::COOKIE, cookie.parse().unwrap());
        r
    };
    let r = send(&app, change(&here, PW, "a-new-long-password")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        send(&app, get_req("/account/password", &here)).await.status,
        StatusCode::OK,
        "the session that changed the password stays"
    );
    let other = send(&app, get_req("/account/password", &stolen)).await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "every other session ended"
    );
    assert!(other.location().starts_with("/login"));

    // Wrong current passwords are counted like failed sign-ins: after 5, even the right one waits.
    for _ in 0..5 {
        let r = send(&app, change(&here, "wrong-guess", "another-long-one")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = send(
        &app,
        change(&here, "a-new-long-password", "another-long-one"),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert!(
        store
            .authenticate("rev.a", "a-new-long-password")
            .await
            .unwrap()
            .is_some(),
        "the limited request changed nothing"
    );
}

async fn one_client_behind_a_proxy_locks_out_only_itself(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    add_user(store, "pho", "province", "99").await;
    let mut state = AppState::new(store.clone());
    state.trusted_proxies = vec!["10.0.0.2".parse().unwrap()];
    let app = router(state);
    let via_proxy = |user: &str, pw: &str, client: &str| {
        form(
            "/login",
            &format!("username={user}&password={pw}"),
            "10.0.0.2",
            &[("x-forwarded-for", client)],
        )
    };
    // A bad client guesses 25 times across made-up usernames: its own address is locked out.
    for i in 0..25 {
        send(&app, via_proxy(&format!("ghost{i}"), "x", "192.168.1.66")).await;
    }
    let r = send(&app, via_proxy("pho", PW, "192.168.1.66")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Everyone else behind the same proxy still signs in.
    let r = send(&app, via_proxy("pho", PW, "192.168.1.10")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Without the proxy being trusted, its own address would have been the one locked.
    // Guessing one account from many addresses hits the per-username limit.
    for i in 0..20 {
        send(
            &app,
            via_proxy("rev.a", "x", &format!("172.16.0.{}", i / 4 + 1)),
        )
        .await;
    }
    let r = send(&app, via_proxy("rev.a", PW, "192.168.1.11")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let r = send(&app, via_proxy("pho", PW, "192.168.1.11")).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "other accounts are not affected"
    );
}

async fn origin_scheme_must_match(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    for secure in [false, true] {
        let mut state = AppState::new(store.clone());
        state.secure_cookies = secure;
        let app = router(state);
        let cookie = login_from(&app, "rev.a", "127.0.0.1").await;
        let (good, bad) = if secure {
            ("https://raidai.local", "http://raidai.local")
        } else {
            ("http://raidai.local", "https://raidai.local")
        };
        let post = |origin: &str| {
            let mut r = form(
                "/logout",
                "",
                "127.0.0.1",
                &[("origin", origin), ("host", "raidai.local")],
            );
            r.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
            r
        };
        assert_eq!(send(&app, post(bad)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(send(&app, post(good)).await.status, StatusCode::SEE_OTHER);
    }
    // Behind a trusted proxy the forwarded scheme counts.
    let mut state = AppState::new(store.clone());
    state.trusted_proxies = vec!["10.0.0.2".parse().unwrap()];
    let app = router(state);
    let r = send(
        &app,
        form(
            "/login",
            &format!("username=rev.a&password={PW}"),
            "10.0.0.2",
            &[
                ("origin", "https://raidai.local"),
                ("host", "raidai.local"),
                ("x-forwarded-proto", "https"),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

async fn upload(app: &Router, cookie: &str, name: &str, data: &[u8]) -> Resp {
    post_file(
        app,
        "/units/99011/claims/import",
        cookie,
        "files",
        name,
        data,
    )
    .await
}

async fn visit_count(store: &Store) -> i64 {
    common::visit_total(store, "99011").await
}

fn gen_files(dir: &std::path::Path, visits: usize) {
    let mut cfg = GenConfig::new(Hcode::parse("99011").unwrap(), FiscalYear::new(2569), 11);
    cfg.visits = visits;
    cfg.admissions = 2;
    generate(&cfg, dir).unwrap();
}

async fn unreadable_and_hostile_uploads_are_422(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let mut state = AppState::new(store.clone());
    state.zip_limits.max_total_bytes = 2_000;
    let app = router(state);
    let cookie = login_from(&app, "rev.a", "127.0.0.1").await;
    let random: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let r = upload(&app, &cookie, "x.zip", &random).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("ไม่ใช่ zip ที่อ่านได้"), "{}", r.text());

    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    gen_files(&files, 30);
    let zip = dir.path().join("set.zip");
    zip_dir(&files, &zip).unwrap();
    let r = upload(&app, &cookie, "set.zip", &std::fs::read(&zip).unwrap()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("ปฏิเสธเพื่อความปลอดภัย"), "{}", r.text());
    assert_eq!(visit_count(store).await, 0, "nothing landed");
}

async fn a_cancelled_or_dropped_import_lands_nothing(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    gen_files(dir.path(), 400);
    let opts = ImportOptions::new(hc("99011"));
    opts.cancel.cancel();
    let e = import(
        store,
        &Actor::system(),
        Source::Dir(dir.path().into()),
        opts,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            e,
            raidai_claims::ClaimsError::Read(raidai_formats::ReadError::Cancelled)
        ),
        "{e}"
    );
    assert_eq!(visit_count(store).await, 0);
    // A request that goes away (timeout, closed tab) drops the import's future: the reader
    // threads are told to stop rather than scanning on.
    let flag = CancelFlag::default();
    let mut opts = ImportOptions::new(hc("99011"));
    opts.cancel = flag.clone();
    let system = Actor::system();
    let fut = import(store, &system, Source::Dir(dir.path().into()), opts);
    let r = tokio::time::timeout(std::time::Duration::from_millis(1), fut).await;
    assert!(r.is_err(), "the import cannot finish in 1 ms");
    assert!(flag.is_cancelled());
}

/// A cell a spreadsheet would evaluate: starts with = @ tab CR, or + - without being a number.
fn formula_like(cell: &str) -> bool {
    let number = cell.parse::<f64>().is_ok();
    cell.starts_with(['=', '@', '\t', '\r']) || (cell.starts_with(['+', '-']) && !number)
}

async fn exported_csv_cells_never_run_as_formulas(store: &Store) {
    seed_small(store).await;
    add_user(store, "admin", "admin", "").await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let app = router(AppState::new(store.clone()));
    let admin = login_from(&app, "admin", "127.0.0.1").await;
    // A unit named like a formula.
    let u = store.get_unit(&Actor::system(), hc("99011")).await.unwrap();
    let input = raidai_store::master::UnitInput {
        hcode: u.hcode.to_string(),
        name_th: "=HYPERLINK(\"http://evil.example\",\"คลิก\")".into(),
        unit_type: u.unit_type.code().into(),
        district_code: u.district_code.clone(),
        cup_hcode: u.cup_hcode.clone(),
        peer_group: String::new(),
        island: false,
        beds: 0,
        active: true,
    };
    store
        .update_unit(&Actor::system(), hc("99011"), &input)
        .await
        .unwrap();
    let csv = send(&app, get_req("/units/export.csv", &admin))
        .await
        .text();
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(!csv.contains(",\"=HYPERLINK"), "{csv}");

    // HIS values in the rejects: CLINIC and DATEOPD of one OPD line written as formulas.
    let dir = tempfile::tempdir().unwrap();
    gen_files(dir.path(), 20);
    let opd = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().to_uppercase() == "OPD.TXT")
        .unwrap();
    let text = std::fs::read(&opd).unwrap();
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let head: Vec<&[u8]> = lines[0].split(|&b| b == b'|').collect();
    let col = |name: &[u8]| head.iter().position(|h| h.trim_ascii() == name).unwrap();
    let (clinic, date) = (col(b"CLINIC"), col(b"DATEOPD"));
    let mut fields: Vec<Vec<u8>> = lines[1].split(|&b| b == b'|').map(<[u8]>::to_vec).collect();
    fields[clinic] = b"@SUM(1+1)*cmd".to_vec();
    fields[date] = b"+1+1".to_vec();
    lines[1] = fields.join(&b'|');
    std::fs::write(&opd, lines.join(&b'\n')).unwrap();
    let out = common::import_dir(store, "99011", dir.path()).await;
    let rev = login_from(&app, "rev.a", "127.0.0.1").await;
    let csv = send(
        &app,
        get_req(
            &format!("/units/99011/claims/imports/{}/rejects.csv", out.record.id),
            &rev,
        ),
    )
    .await
    .text();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut cells = 0;
    for rec in reader.records() {
        for cell in rec.unwrap().iter() {
            cells += 1;
            assert!(!formula_like(cell), "formula cell {cell:?} in {csv}");
        }
    }
    assert!(cells > 0 && csv.contains("'@SUM(1+1)*cmd"), "{csv}");
}

async fn stored_file_names_have_no_direction_overrides(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    gen_files(dir.path(), 5);
    let mut opts = ImportOptions::new(hc("99011"));
    opts.source_name = "export\u{202E}piz.exe".into();
    let out = import(
        store,
        &Actor::system(),
        Source::Dir(dir.path().into()),
        opts,
    )
    .await
    .unwrap();
    assert_eq!(out.record.source_name, "exportpiz.exe");
}

async fn uploads_over_the_limit_and_jobs_cut_by_a_restart(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let up_dir = tempfile::tempdir().unwrap();
    let mut state = AppState::new(store.clone());
    state.uploads = std::sync::Arc::new(raidai_web::import_jobs::Uploads::new(
        up_dir.path().into(),
        3_000_000,
    ));
    let app = router(state);
    let cookie = login_from(&app, "rev.a", "127.0.0.1").await;
    let r = upload(&app, &cookie, "big.zip", &vec![b'x'; 3_500_000]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    assert!(
        r.text().contains("ไม่เกิน 3 MB"),
        "the limit is stated: {}",
        r.text()
    );
    assert_eq!(
        std::fs::read_dir(up_dir.path()).unwrap().count(),
        0,
        "nothing left on disk"
    );
    // A job left running by a stopped server is marked failed at the next start.
    let job = store
        .create_import_job(&Actor::system(), hc("99011"), "set.zip", false, 10)
        .await
        .unwrap();
    store
        .update_import_job(hc("99011"), &job.id, "writing", 5, 10)
        .await
        .unwrap();
    assert_eq!(store.fail_interrupted_import_jobs().await.unwrap(), 1);
    let j = store
        .get_import_job(&Actor::system(), hc("99011"), &job.id)
        .await
        .unwrap();
    assert_eq!(j.state, "failed");
    assert!(j.error_th.contains("เซิร์ฟเวอร์เริ่มใหม่"));
    let page = send(
        &app,
        get_req(&format!("/units/99011/claims/jobs/{}", job.id), &cookie),
    )
    .await
    .text();
    assert!(
        page.contains("ไม่สำเร็จ") && page.contains("เซิร์ฟเวอร์เริ่มใหม่"),
        "{page}"
    );
    let history = send(&app, get_req("/units/99011/claims", &cookie))
        .await
        .text();
    assert!(
        history.contains(&job.id),
        "failed jobs are listed in the history"
    );
    assert_eq!(visit_count(store).await, 0);
}

raidai_store::conformance! {
    uploads_over_the_limit_and_jobs_cut_by_a_restart;
    login_redirects_only_inside_the_site;
    own_password_change_ends_other_sessions_and_is_rate_limited;
    one_client_behind_a_proxy_locks_out_only_itself;
    origin_scheme_must_match;
    unreadable_and_hostile_uploads_are_422;
    a_cancelled_or_dropped_import_lands_nothing;
    exported_csv_cells_never_run_as_formulas;
    stored_file_names_have_no_direction_overrides;
}
