//! Overload (issue 13): when every database connection stays busy, a request waits the pool's
//! short wait and then gets a 503 with a Thai "busy, try again" page (JSON on the API), never
//! a 500; once connections come free the same request answers. SQLite and (with
//! RAIDAI_TEST_PG_URL) PostgreSQL.

mod common;

use axum::http::{StatusCode, header};
use common::{add_user, get, sign_in};
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

raidai_store::conformance! {
    an_exhausted_pool_answers_503_not_500;
}
