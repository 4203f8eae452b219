//! Logs are structured and never carry passwords, citizen IDs or names (PDPA).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, header};
use raidai_store::Actor;
use raidai_store::testkit::{TestDb, seed_small};
use raidai_store::users::UserInput;
use raidai_web::{AppState, router};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn sign_in_and_browsing_log_no_personal_data() {
    let buf = Buf::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let db = TestDb::sqlite().await;
    seed_small(&db.store).await;
    let display_name = "สมชาย ใจดี";
    db.store
        .create_user(
            &Actor::system(),
            &UserInput {
                username: "rev.a".into(),
                display_name: display_name.into(),
                role: "unit_revenue".into(),
                scope_code: "99011".into(),
                active: true,
                password: "secret-Passw0rd".into(),
            },
        )
        .await
        .unwrap();
    let app = router(AppState::new(db.store.clone()));
    let login = |user: &str, pw: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("username={user}&password={pw}")))
            .unwrap()
    };
    app.clone()
        .oneshot(login("1234567890121", "wrong-Passw0rd"))
        .await
        .unwrap();
    let ok = app
        .clone()
        .oneshot(login("rev.a", "secret-Passw0rd"))
        .await
        .unwrap();
    let cookie = common::set_cookie(ok.headers());
    let page = Request::builder()
        .uri("/units?q=1234567890121")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(page).await.unwrap();
    let unit = Request::builder()
        .uri("/units/99011")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(unit).await.unwrap();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("signed in"), "the sign-in is logged: {logs}");
    assert!(
        logs.contains("status=200") || logs.contains("status=303"),
        "responses are logged with their status: {logs}"
    );
    // Each request's span names the route it matched, not the path it asked for.
    assert!(
        logs.contains("path=/units/{hcode} status=200"),
        "the request span has the matched route and status: {logs}"
    );
    for secret in [
        "secret-Passw0rd",
        "wrong-Passw0rd",
        "1234567890121",
        display_name,
        &cookie[cookie.find('=').unwrap() + 1..],
    ] {
        assert!(!logs.contains(secret), "logs contain {secret:?}:\n{logs}");
    }
}
