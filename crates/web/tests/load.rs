//! Overload (issue 13): when every database connection stays busy, a request waits the pool's
//! short wait and then gets a 503 with a Thai "busy, try again" page (JSON on the API), never
//! a 500; once connections come free the same request answers. SQLite and (with
//! RAIDAI_TEST_PG_URL) PostgreSQL.

mod common;

use axum::http::{StatusCode, header};
use common::{add_user, get, land, sign_in};
use raidai_store::Store;
use raidai_store::testkit::{exhaust_pool, seed_small};
use raidai_web::{AppState, router};

const PW: &str = "test-password";

async fn an_exhausted_pool_answers_503_not_500(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev99001", "unit_revenue", "99001", PW).await;
    let app = router(AppState::new(store.clone()));
    let cookie = sign_in(&app, "rev99001", PW).await;
    let page = "/units/99001/receivables";
    assert_eq!(get(&app, page, &cookie).await.status, StatusCode::OK);

    let held = exhaust_pool(store).await;
    let r = get(&app, page, &cookie).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
    assert!(r.text().contains("กรุณาลองใหม่"), "{}", r.text());
    assert_eq!(r.headers[header::RETRY_AFTER], "2");
    let api = get(&app, "/api/v1/units/99001/claims/aging", &cookie).await;
    assert_eq!(
        api.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        api.text()
    );
    assert!(api.text().contains("busy"), "{}", api.text());

    drop(held);
    assert_eq!(get(&app, page, &cookie).await.status, StatusCode::OK);
}

/// Imports a small generated year for `hcode`.
/// The province roll-ups are kept per read version: each write that changes the read models
/// bumps it in its own transaction, so a page after an import shows the import.
async fn cached_rollups_follow_every_write(store: &Store) {
    seed_small(store).await;
    add_user(store, "pho99", "province", "99", PW).await;
    let app = router(AppState::new(store.clone()));
    let cookie = sign_in(&app, "pho99", PW).await;
    land(store, "99001", 1, 40).await;
    let first = get(&app, "/claims/rollup?fy=all", &cookie).await.text();
    assert!(
        first.contains("99001") && !first.contains("99002"),
        "{first}"
    );
    let cycle = get(&app, "/claims/cycle?fy=2569", &cookie).await.text();
    assert!(!cycle.contains("99002"));
    let audit = get(&app, "/claims/audit?fy=2569", &cookie).await.text();
    assert!(audit.contains("99001") && !audit.contains("99002"));
    // Same version: served again, the same page.
    assert_eq!(
        get(&app, "/claims/rollup?fy=all", &cookie).await.text(),
        first
    );
    land(store, "99002", 2, 40).await;
    let after = get(&app, "/claims/rollup?fy=all", &cookie).await.text();
    assert!(
        after.contains("99002"),
        "the new unit shows after its import"
    );
    assert!(
        get(&app, "/claims/cycle?fy=2569", &cookie)
            .await
            .text()
            .contains("99002")
    );
    assert!(
        get(&app, "/claims/audit?fy=2569", &cookie)
            .await
            .text()
            .contains("99002")
    );
    // Another scope never sees a cached page of a wider one.
    add_user(store, "rev99001", "unit_revenue", "99001", PW).await;
    let unit = sign_in(&app, "rev99001", PW).await;
    let own = get(&app, "/claims/rollup?fy=all", &unit).await;
    assert!(!own.text().contains("99002"), "{}", own.status);
}

raidai_store::conformance! {
    an_exhausted_pool_answers_503_not_500;
    cached_rollups_follow_every_write;
}
