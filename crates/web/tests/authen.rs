//! The NHSO Authen connector through the unit's page, against a local fake NHSO server (never
//! the real service), on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL: the head saves a
//! token (sealed at rest), the officer starts a lookup, codes found fill the visits and clear
//! their AUTH01 findings; wrong credentials stop the batch; expired credentials and the kill
//! switch refuse before any call.

mod common;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use common::{add_user, get, import_generated, post_form, sign_in};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::GenConfig;
use raidai_store::findings::FindingQuery;
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, AuthenRuntime, router};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const TOKEN: &str = "tok-GOOD-93c1";

/// The fake check-authen-status: a code for any CID on the asked day at unit 99001, with the
/// right bearer token; 401 otherwise.
async fn fake(
    State(hits): State<Arc<AtomicUsize>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> axum::response::Response {
    hits.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("Bearer {TOKEN}") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let day = q.get("serviceDate").cloned().unwrap_or_default();
    let n: u64 = q
        .get("personalId")
        .map(|c| c.bytes().map(u64::from).sum())
        .unwrap_or(0);
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(
            r#"{{"firstName":"ทดสอบ","lastName":"ระบบ","mainInscl":{{"id":"UCS","name":"UC"}},"serviceHistories":[{{"claimCode":"PP{n:010}","service":{{"code":"PG0060001","name":"x"}},"serviceDateTime":"{day}T09:00:00","sourceChannel":"KIOSK","hospital":{{"hcode":"99001","hname":"x"}}}}]}}"#
        ),
    )
        .into_response()
}

async fn start_fake() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .route(raidai_authen::CHECK_PATH, axum::routing::get(fake))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hits)
}

fn state(store: &Store, base: &str, enabled: bool) -> AppState {
    let mut st = AppState::new(store.clone());
    let http = raidai_authen::Settings {
        enabled,
        base_url: base.to_string(),
        min_interval: std::time::Duration::ZERO,
        max_retries: 0,
        ..raidai_authen::Settings::default()
    };
    st.authen = Arc::new(AuthenRuntime {
        cfg: raidai_claims::authen::AuthenConfig {
            enabled,
            key: Some([7u8; 32]),
        },
        connector: enabled.then(|| {
            Arc::new(raidai_authen::HttpConnector::new(http).unwrap())
                as Arc<dyn raidai_authen::Connector>
        }),
    });
    st
}

async fn wait_for_run(st: &AppState, hcode: &str) -> String {
    for _ in 0..200 {
        if let Some(t) = st.authen_runs.lock().unwrap().get(hcode).cloned() {
            return t;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the lookup did not finish");
}

async fn lookups_through_the_page(store: &Store) {
    seed_small(store).await;
    for (u, role, scope) in [
        ("head.a", "unit_head", "99001"),
        ("rev.a", "unit_revenue", "99001"),
        ("rev.b", "unit_revenue", "99021"),
    ] {
        add_user(store, u, role, scope, "authen-pass-1").await;
    }
    let mut cfg = GenConfig::new(Hcode::parse("99001").unwrap(), FiscalYear::new(2569), 9);
    cfg.visits = 60;
    cfg.admissions = 2;
    cfg.changwat = "99".into();
    cfg.authen_share = 0.5;
    import_generated(store, "99001", &cfg).await;
    let sys = Actor::system();
    let auth01 = || FindingQuery {
        hcode: "99001".into(),
        rule: Some("AUTH01".into()),
        ..Default::default()
    };
    let lacking = store
        .authen_lookup_summary(&sys, hc("99001"))
        .await
        .unwrap()
        .lacking;
    assert!(lacking > 0, "the set has UC visits without a code");
    assert!(
        store
            .list_findings(&sys, &auth01())
            .await
            .unwrap()
            .totals
            .visits
            > 0
    );

    let (base, hits) = start_fake().await;
    let st = state(store, &base, true);
    let app = router(st.clone());
    let head = sign_in(&app, "head.a", "authen-pass-1").await;
    let rev = sign_in(&app, "rev.a", "authen-pass-1").await;
    // Only the head (or an admin) sets credentials; the token is sealed at rest.
    let r = post_form(
        &app,
        "/units/99001/authen/credentials",
        &rev,
        "token=x&expires=31/12/2599&enabled=on",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_form(
        &app,
        "/units/99001/authen/credentials",
        &head,
        &format!("token={TOKEN}&expires=31/12/2599&enabled=on"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let stored = store.unit_authen(&sys, hc("99001")).await.unwrap().unwrap();
    assert!(!stored.sealed_token.contains(TOKEN));
    assert!(!format!("{stored:?}").contains(&stored.sealed_token));
    let page = get(&app, "/units/99001/authen", &rev).await.text();
    assert!(page.contains("31/12/2599") && !page.contains(TOKEN));

    // The lookup fills the codes and clears AUTH01.
    let r = post_form(
        &app,
        "/units/99001/authen/check",
        &rev,
        "from=01/10/2568&to=30/09/2569&limit=1000",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let run = wait_for_run(&st, "99001").await;
    assert!(run.contains("พบรหัส"), "{run}");
    let sum = store
        .authen_lookup_summary(&sys, hc("99001"))
        .await
        .unwrap();
    assert_eq!(sum.found, lacking, "{sum:?}");
    assert_eq!(sum.lacking, 0);
    assert_eq!(hits.load(Ordering::SeqCst) as i64, lacking);
    assert_eq!(
        store
            .list_findings(&sys, &auth01())
            .await
            .unwrap()
            .totals
            .visits,
        0
    );
    // Nothing left to look up: no call.
    st.authen_runs.lock().unwrap().clear();
    post_form(&app, "/units/99001/authen/check", &rev, "limit=10").await;
    wait_for_run(&st, "99001").await;
    assert_eq!(hits.load(Ordering::SeqCst) as i64, lacking);
    // The codes found moved the Authen coverage read model with them.
    let diffs = store.check_summaries().await.unwrap();
    assert!(diffs.is_empty(), "read models differ: {diffs:?}");

    // Expired credentials: refused before any call, with a Thai message; the page warns.
    let r = post_form(
        &app,
        "/units/99001/authen/credentials",
        &head,
        "token=&expires=01/01/2000&enabled=on",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = get(&app, "/units/99001/authen", &rev).await.text();
    assert!(page.contains("หมดอายุแล้ว"), "warning shown");
    let worklist = get(&app, "/units/99001/audit", &rev).await.text();
    assert!(worklist.contains("หมดอายุแล้ว"), "and on the worklist");

    // Another unit cannot touch it.
    let other = sign_in(&app, "rev.b", "authen-pass-1").await;
    assert_eq!(
        get(&app, "/units/99001/authen", &other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_form(&app, "/units/99001/authen/check", &other, "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The kill switch: the page says so and a lookup is refused at once.
    let off = state(store, &base, false);
    let app_off = router(off.clone());
    let rev_off = sign_in(&app_off, "rev.a", "authen-pass-1").await;
    let r = post_form(&app_off, "/units/99001/authen/check", &rev_off, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("kill switch") || r.text().contains("ปิดการเชื่อมต่อ"),
        "{}",
        r.text()
    );
}

/// Wrong credentials stop the batch at the first answer.
async fn wrong_credentials_stop_the_batch(store: &Store) {
    seed_small(store).await;
    add_user(store, "head.a", "unit_head", "99001", "authen-pass-1").await;
    let mut cfg = GenConfig::new(Hcode::parse("99001").unwrap(), FiscalYear::new(2569), 10);
    cfg.visits = 40;
    cfg.admissions = 0;
    cfg.authen_share = 0.0;
    import_generated(store, "99001", &cfg).await;
    let (base, hits) = start_fake().await;
    let st = state(store, &base, true);
    let app = router(st.clone());
    let head = sign_in(&app, "head.a", "authen-pass-1").await;
    post_form(
        &app,
        "/units/99001/authen/credentials",
        &head,
        "token=wrong&expires=31/12/2599&enabled=on",
    )
    .await;
    post_form(
        &app,
        "/units/99001/authen/check",
        &head,
        "from=01/10/2568&to=30/09/2569",
    )
    .await;
    let run = wait_for_run(&st, "99001").await;
    assert!(run.contains("ไม่ถูกต้อง"), "{run}");
    assert_eq!(hits.load(Ordering::SeqCst), 1, "no hammering after a 401");
}

raidai_store::conformance! {
    lookups_through_the_page;
    wrong_credentials_stop_the_batch;
}
