//! Accounting periods through the browser routes, on SQLite and (with RAIDAI_TEST_PG_URL)
//! PostgreSQL: the unit's head closes a month, the revenue officer may not, a month that has not
//! ended is refused with a Thai message, the admin reopens with a reason and closes a month for
//! every unit; the re-post button and the receivables' date basis.

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{add_user, get, post_form};
use raidai_store::Store;
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_web::{AppState, router};

async fn login(app: &Router, username: &str) -> String {
    common::sign_in(app, username, "periods-pass-1").await
}

async fn periods_through_the_pages(store: &Store) {
    seed_small(store).await;
    add_user(store, "admin", "admin", "", "periods-pass-1").await;
    add_user(store, "head.a", "unit_head", "99001", "periods-pass-1").await;
    add_user(store, "rev.a", "unit_revenue", "99001", "periods-pass-1").await;
    let app = router(AppState::new(store.clone()));
    let admin = login(&app, "admin").await;
    let head = login(&app, "head.a").await;
    let rev = login(&app, "rev.a").await;

    let page = get(&app, "/units/99001/claims/periods?fy=2569", &head).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("ปิดงวด"));
    assert!(page.text().contains("ต.ค. 2568"), "months named in BE");

    // The revenue officer may look but not close.
    let r = post_form(
        &app,
        "/units/99001/claims/periods/close",
        &rev,
        "month=202510",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The head closes October 2025.
    let r = post_form(
        &app,
        "/units/99001/claims/periods/close",
        &head,
        "month=202510",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().contains("done=close"));
    let page = get(&app, r.location(), &head).await.text();
    assert!(page.contains("ปิดงวดแล้ว"));
    // A month that has not ended: a Thai message, nothing closed.
    let r = post_form(
        &app,
        "/units/99001/claims/periods/close",
        &head,
        "month=209912",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("ปิดงวดได้เฉพาะเดือนที่สิ้นสุดแล้ว"));
    let r = post_form(
        &app,
        "/units/99001/claims/periods/close",
        &head,
        "month=abc",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("เดือนไม่ถูกต้อง"));

    // The API twin.
    let j = get(&app, "/api/v1/units/99001/claims/periods?fy=2569", &rev).await;
    assert_eq!(j.status, StatusCode::OK);
    let months: serde_json::Value = serde_json::from_slice(&j.body).unwrap();
    let oct = months
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == 202510)
        .unwrap();
    assert_eq!(oct["closed"], true);
    assert_eq!(oct["closed_by"], "head.a");
    assert_eq!(months.as_array().unwrap().len(), 12);

    // Reopening: admin only, with a reason.
    let r = post_form(
        &app,
        "/units/99001/claims/periods/reopen",
        &head,
        "month=202510&reason=x",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_form(
        &app,
        "/units/99001/claims/periods/reopen",
        &admin,
        "month=202510&reason=",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("เหตุผล"));
    let r = post_form(
        &app,
        "/units/99001/claims/periods/reopen",
        &admin,
        "month=202510&reason=%E0%B9%81%E0%B8%81%E0%B9%89%E0%B9%84%E0%B8%82",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        store
            .closed_months(&raidai_store::Actor::system(), hc("99001"))
            .await
            .unwrap()
            .is_empty()
    );

    // The province view; the admin closes November for every unit.
    assert_eq!(
        get(&app, "/claims/periods", &rev).await.status,
        StatusCode::FORBIDDEN
    );
    let p = get(&app, "/claims/periods?fy=2569", &admin).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.text().contains("99021"));
    let r = post_form(&app, "/claims/periods/close", &admin, "month=202511").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("done=4"), "{}", r.location());
    assert_eq!(
        post_form(&app, "/claims/periods/close", &head, "month=202511")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Re-post with nothing waiting: back to the worklist, saying so.
    let r = post_form(&app, "/units/99001/claims/repost", &rev, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("repost=none"));
    let w = get(&app, r.location(), &rev).await.text();
    assert!(w.contains("ยังไม่มีรายการที่รออยู่"));

    // Receivables say which date they go by.
    let p = get(&app, "/units/99001/receivables?basis=service", &rev)
        .await
        .text();
    assert!(p.contains("สถิติบริการ"));
    let p = get(&app, "/units/99001/receivables", &rev).await.text();
    assert!(p.contains("ผู้ป่วยในรับรู้ ณ วันจำหน่าย"));
}

raidai_store::conformance! {
    periods_through_the_pages;
}
