//! End-to-end tests against a fake NHSO server on 127.0.0.1 (never the real service).

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use raidai_authen::{
    AuthenError, AuthenStatus, CHECK_PATH, Connector, Credentials, HttpConnector, Lookup, Query,
    Settings, batch, code_for, today_th,
};
use tokio::time::Instant;

const CID: &str = "3100700512345";
const TOKEN: &str = "tok-SECRET-7f3a9c";

fn found_body() -> String {
    format!(
        r#"{{"pid":"{CID}","firstName":"สมหญิง","lastName":"รักไทย",
            "mainInscl":{{"id":"UCS","name":"สิทธิหลักประกันสุขภาพแห่งชาติ"}},
            "subInscl":{{"id":"89","name":"ช่วงอายุ 12-59 ปี"}},
            "serviceHistories":[{{"claimCode":"PP1234567890",
              "service":{{"code":"PG0060001","name":"เข้ารับบริการรักษาทั่วไป"}},
              "serviceDateTime":"2025-03-01T08:15:00","sourceChannel":"KIOSK",
              "hospital":{{"hcode":"10670","hname":"รพ.ทดสอบ"}}}}]}}"#
    )
}

fn empty_body() -> String {
    format!(r#"{{"pid":"{CID}","firstName":"สมหญิง","lastName":"รักไทย","serviceHistories":[]}}"#)
}

/// What the fake answers to its n-th request (the last step repeats).
#[derive(Clone)]
struct Step {
    status: u16,
    body: String,
    retry_after: Option<&'static str>,
    delay: Duration,
}

fn step(status: u16, body: impl Into<String>) -> Step {
    Step {
        status,
        body: body.into(),
        retry_after: None,
        delay: Duration::ZERO,
    }
}

#[derive(Debug, Clone)]
struct Hit {
    at: Instant,
    auth: Option<String>,
    query: HashMap<String, String>,
}

#[derive(Clone)]
struct Fake {
    script: Arc<Vec<Step>>,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Fake {
    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits lock").clone()
    }
    fn count(&self) -> usize {
        self.hits.lock().expect("hits lock").len()
    }
}

async fn handler(
    State(fake): State<Fake>,
    headers: HeaderMap,
    UrlQuery(query): UrlQuery<HashMap<String, String>>,
) -> Response {
    let n = {
        let mut hits = fake.hits.lock().expect("hits lock");
        hits.push(Hit {
            at: Instant::now(),
            auth: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            query,
        });
        hits.len() - 1
    };
    let s = fake.script[n.min(fake.script.len() - 1)].clone();
    tokio::time::sleep(s.delay).await;
    let mut resp = (
        StatusCode::from_u16(s.status).expect("status"),
        [(header::CONTENT_TYPE, "application/json")],
        s.body,
    )
        .into_response();
    if let Some(ra) = s.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, ra.parse().expect("header"));
    }
    resp
}

async fn start(script: Vec<Step>) -> (String, Fake) {
    let fake = Fake {
        script: Arc::new(script),
        hits: Arc::default(),
    };
    let app = Router::new()
        .route(CHECK_PATH, get(handler))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), fake)
}

/// A local URL whose port was just freed, so a connection to it is refused.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

fn settings(base_url: &str) -> Settings {
    Settings {
        enabled: true,
        base_url: base_url.to_owned(),
        timeout: Duration::from_secs(2),
        max_retries: 3,
        min_interval: Duration::ZERO,
        backoff_base: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        ..Settings::default()
    }
}

fn connector(s: Settings) -> HttpConnector {
    HttpConnector::new(s).expect("connector")
}

fn cred() -> Credentials {
    Credentials::new(TOKEN, today_th() + chrono::Days::new(30))
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 1).expect("date")
}

fn assert_clean(text: &str) {
    for secret in [CID, TOKEN, "สมหญิง", "รักไทย"] {
        assert!(!text.contains(secret), "leaked {secret:?} in: {text}");
    }
}

#[tokio::test]
async fn success_returns_code_without_names() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let c = connector(settings(&base));
    let status = c
        .check(&cred(), Lookup::new(CID, day()).service(Some("PG0060001")))
        .await
        .expect("ok");

    assert_eq!(status.main_inscl.as_deref(), Some("UCS"));
    assert_eq!(status.sub_inscl.as_deref(), Some("89"));
    let code = code_for(&status, day(), Some("10670")).expect("code for the day");
    assert_eq!(code.claim_code, "PP1234567890");
    assert_eq!(code.service_code.as_deref(), Some("PG0060001"));
    assert_eq!(code.source_channel.as_deref(), Some("KIOSK"));
    assert_clean(&format!("{status:?}"));
    assert_clean(&serde_json::to_string(&status).expect("json"));

    let hits = fake.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].auth.as_deref(), Some(&*format!("Bearer {TOKEN}")));
    assert_eq!(
        hits[0].query.get("personalId").map(String::as_str),
        Some(CID)
    );
    assert_eq!(
        hits[0].query.get("serviceDate").map(String::as_str),
        Some("2025-03-01")
    );
    assert_eq!(
        hits[0].query.get("serviceCode").map(String::as_str),
        Some("PG0060001")
    );
}

#[tokio::test]
async fn no_code_that_day() {
    let (base, fake) = start(vec![step(200, empty_body())]).await;
    let c = connector(settings(&base));
    let status = c.check(&cred(), Lookup::new(CID, day())).await.expect("ok");
    assert_eq!(status, AuthenStatus::default());
    assert!(code_for(&status, day(), None).is_none());
    let hits = fake.hits();
    assert!(!hits[0].query.contains_key("serviceCode"));

    // serviceHistories missing entirely means the same.
    let (base, _) = start(vec![step(200, r#"{"firstName":"x"}"#)]).await;
    let status = connector(settings(&base))
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect("ok");
    assert!(status.codes.is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_not_retried() {
    for code in [401, 403] {
        let (base, fake) = start(vec![step(code, r#"{"message":"invalid token"}"#)]).await;
        let err = connector(settings(&base))
            .check(&cred(), Lookup::new(CID, day()))
            .await
            .expect_err("unauthorized");
        assert_eq!(err, AuthenError::Unauthorized);
        assert_eq!(err.message_th(), "รหัสผ่าน/โทเคนเข้าระบบ สปสช. ไม่ถูกต้อง");
        assert_eq!(fake.count(), 1, "HTTP {code} must not be retried");
    }
}

#[tokio::test]
async fn other_4xx_is_rejected_without_retry() {
    let (base, fake) = start(vec![step(404, "{}")]).await;
    let err = connector(settings(&base))
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("rejected");
    assert_eq!(err, AuthenError::Rejected { status: 404 });
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn expired_credentials_refused_locally() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let c = connector(settings(&base));
    for expires_on in [today_th(), today_th() - chrono::Days::new(1)] {
        let err = c
            .check(
                &Credentials::new(TOKEN, expires_on),
                Lookup::new(CID, day()),
            )
            .await
            .expect_err("expired");
        assert_eq!(err, AuthenError::CredentialsExpired);
        assert_eq!(err.message_th(), "รหัสผ่านเข้าระบบ สปสช. หมดอายุแล้ว กรุณาต่ออายุ");
    }
    assert_eq!(fake.count(), 0);
}

#[tokio::test]
async fn rate_limited_then_ok_honours_retry_after() {
    let mut limited = step(429, "{}");
    limited.retry_after = Some("1");
    let (base, fake) = start(vec![limited, step(200, found_body())]).await;
    let c = connector(settings(&base));
    let started = Instant::now();
    let status = c
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect("ok after retry");
    assert_eq!(status.codes.len(), 1);
    let hits = fake.hits();
    assert_eq!(hits.len(), 2);
    let gap = hits[1].at - hits[0].at;
    // Backoff alone would be 20 ms; Retry-After asks for 1 s.
    assert!(gap >= Duration::from_millis(950), "gap {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn retry_after_is_capped() {
    let mut limited = step(429, "{}");
    limited.retry_after = Some("3600");
    let (base, fake) = start(vec![limited, step(200, empty_body())]).await;
    let mut s = settings(&base);
    s.max_retry_after = Duration::from_millis(300);
    let started = Instant::now();
    connector(s)
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect("ok after capped wait");
    assert_eq!(fake.count(), 2);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn persistent_429_is_rate_limited() {
    let (base, fake) = start(vec![step(429, "{}")]).await;
    let mut s = settings(&base);
    s.max_retries = 2;
    let err = connector(s)
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("429");
    assert_eq!(err, AuthenError::RateLimited);
    assert_eq!(fake.count(), 3);
}

#[tokio::test]
async fn persistent_503_is_unavailable_after_all_attempts() {
    let (base, fake) = start(vec![step(503, "down")]).await;
    let s = settings(&base);
    let expected_attempts = s.max_retries as usize + 1;
    let err = connector(s)
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("503");
    assert_eq!(err, AuthenError::Unavailable { status: 503 });
    assert_eq!(
        err.message_th(),
        "บริการตรวจสอบสิทธิ สปสช. ไม่พร้อมใช้งาน (HTTP 503) กรุณาลองใหม่ภายหลัง"
    );
    assert_eq!(fake.count(), expected_attempts);
    // Exponential backoff: 20, 40, 80 ms between the four attempts.
    let hits = fake.hits();
    assert!(hits[3].at - hits[2].at >= Duration::from_millis(75));
}

#[tokio::test]
async fn slow_server_times_out() {
    let mut slow = step(200, found_body());
    slow.delay = Duration::from_secs(3);
    let (base, fake) = start(vec![slow]).await;
    let mut s = settings(&base);
    s.timeout = Duration::from_millis(300);
    s.max_retries = 1;
    let started = Instant::now();
    let err = connector(s)
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("timeout");
    assert_eq!(err, AuthenError::Timeout);
    assert_eq!(fake.count(), 2);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn closed_port_is_network_error() {
    let mut s = settings(&closed_port_url().await);
    s.max_retries = 1;
    let err = connector(s)
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("refused");
    assert_eq!(err, AuthenError::Network);
}

#[tokio::test]
async fn kill_switch_makes_no_request() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let mut s = settings(&base);
    s.enabled = false;
    let c = connector(s);
    let err = c
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("off");
    assert_eq!(err, AuthenError::Disabled);
    assert_eq!(err.message_th(), "ปิดการเชื่อมต่อ สปสช. อยู่ (kill switch)");
    assert_eq!(fake.count(), 0);

    c.set_enabled(true);
    c.check(&cred(), Lookup::new(CID, day()))
        .await
        .expect("on again");
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn malformed_json_is_bad_response() {
    let (base, fake) = start(vec![step(200, format!("{{\"pid\": {CID}, oops"))]).await;
    let err = connector(settings(&base))
        .check(&cred(), Lookup::new(CID, day()))
        .await
        .expect_err("bad json");
    assert!(matches!(err, AuthenError::BadResponse(_)), "{err:?}");
    assert_clean(&err.to_string());
    assert_eq!(fake.count(), 1, "a bad body is not retried");
}

#[tokio::test]
async fn invalid_input_makes_no_request() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let c = connector(settings(&base));
    for cid in ["", "310070051234", "31007005123456", "310070051234x"] {
        let err = c
            .check(&cred(), Lookup::new(cid, day()))
            .await
            .expect_err(cid);
        assert!(matches!(err, AuthenError::InvalidInput(_)), "{err:?}");
    }
    let err = c
        .check(&cred(), Lookup::new(CID, day()).service(Some("PG006&x=1")))
        .await
        .expect_err("service code");
    assert!(matches!(err, AuthenError::InvalidInput(_)));
    assert_eq!(fake.count(), 0);
}

fn queries(n: usize) -> Vec<Query> {
    (0..n)
        .map(|i| Query {
            key: format!("VN-{i}"),
            cid: CID.to_owned(),
            service_date: day(),
        })
        .collect()
}

#[tokio::test]
async fn batch_counts_and_stops_on_unauthorized() {
    let (base, fake) = start(vec![
        step(200, found_body()),
        step(200, empty_body()),
        step(401, "{}"),
        step(200, found_body()),
    ])
    .await;
    let c = connector(settings(&base));
    let mut seen = Vec::new();
    let summary = batch(&c, &cred(), queries(6), |key, result| {
        seen.push((key.to_owned(), result.map(|s| s.codes.len())));
    })
    .await;
    assert_eq!(
        (
            summary.found,
            summary.not_found,
            summary.failed,
            summary.skipped
        ),
        (1, 1, 1, 3)
    );
    assert_eq!(summary.stopped, Some(AuthenError::Unauthorized));
    assert_eq!(fake.count(), 3, "no request after the 401");
    assert_eq!(
        seen,
        vec![
            ("VN-0".to_owned(), Ok(1)),
            ("VN-1".to_owned(), Ok(0)),
            ("VN-2".to_owned(), Err(AuthenError::Unauthorized)),
        ]
    );
}

#[tokio::test]
async fn batch_with_dyn_connector_stops_when_disabled() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let mut s = settings(&base);
    s.enabled = false;
    let c: Arc<dyn Connector> = Arc::new(connector(s));
    let summary = batch(&c, &cred(), queries(3), |_, _| {}).await;
    assert_eq!(summary.stopped, Some(AuthenError::Disabled));
    assert_eq!((summary.failed, summary.skipped), (1, 2));
    assert_eq!(fake.count(), 0);
}

#[tokio::test]
async fn min_interval_spaces_requests() {
    let (base, fake) = start(vec![step(200, found_body())]).await;
    let mut s = settings(&base);
    s.min_interval = Duration::from_millis(150);
    let c = connector(s);
    let summary = batch(&c, &cred(), queries(4), |_, _| {}).await;
    assert_eq!(summary.found, 4);

    // Concurrent callers share the same pacing.
    let cr = cred();
    let (a, b) = tokio::join!(
        c.check(&cr, Lookup::new(CID, day())),
        c.check(&cr, Lookup::new(CID, day()))
    );
    assert!(a.is_ok() && b.is_ok());

    let hits = fake.hits();
    assert_eq!(hits.len(), 6);
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(120),
            "gap {gap:?} below min_interval"
        );
    }
}

/// Collects everything the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}

#[tokio::test]
async fn logs_and_errors_never_contain_cid_token_or_names() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // The process-wide subscriber, not a thread's: other tests of this binary run the same
    // connector on other threads at the same time, and a callsite they registered while only a
    // thread-local subscriber existed elsewhere cached "never" (CI twice saw the first lookup's
    // line missing). Their lines land here too, which only widens what must stay clean.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
    tracing::callsite::rebuild_interest_cache();

    let mut texts = Vec::new();
    let mut record = |r: &Result<AuthenStatus, AuthenError>| match r {
        Ok(s) => texts.push(format!("{s:?}")),
        Err(e) => texts.extend([e.to_string(), format!("{e:?}"), e.message_th()]),
    };

    // Success, no code, then unauthorized (batch logs key + outcome).
    let (base, _) = start(vec![
        step(200, found_body()),
        step(200, empty_body()),
        step(401, format!(r#"{{"error":"bad token {TOKEN} for {CID}"}}"#)),
    ])
    .await;
    let c = connector(settings(&base));
    let mut queries = queries(3);
    queries[0].key = format!("visit-{CID}"); // a careless key is masked in logs
    batch(&c, &cred(), queries, |_, r| record(&r)).await;

    // Failures with retries: 503, timeout, malformed body, refused connection.
    let mut slow = step(200, found_body());
    slow.delay = Duration::from_secs(2);
    for script in [
        vec![step(503, format!("down {CID}"))],
        vec![slow],
        vec![step(
            200,
            format!(r#"{{"pid": "{CID}", "serviceHistories": "{CID}"}}"#),
        )],
    ] {
        let (base, _) = start(script).await;
        let mut s = settings(&base);
        s.timeout = Duration::from_millis(200);
        s.max_retries = 1;
        record(&connector(s).check(&cred(), Lookup::new(CID, day())).await);
    }
    let mut s = settings(&closed_port_url().await);
    s.max_retries = 1;
    record(&connector(s).check(&cred(), Lookup::new(CID, day())).await);
    // Local refusals.
    let expired = Credentials::new(TOKEN, today_th());
    record(&c.check(&expired, Lookup::new(CID, day())).await);
    record(&c.check(&cred(), Lookup::new("123", day())).await);

    let out = logs.text();
    assert!(
        out.contains("VN-1") && out.contains("not_found"),
        "logs: {out}"
    );
    assert!(out.contains("visit-3-1007-xxxxx-xx-5"), "logs: {out}");
    assert!(
        out.contains("retrying") && out.contains("expired"),
        "logs: {out}"
    );
    assert_clean(&out);
    assert_eq!(texts.len(), 2 + 3 * 7, "2 successes and 7 errors recorded");
    for t in &texts {
        assert_clean(t);
    }
    assert_clean(&format!("{:?}", cred()));
}
