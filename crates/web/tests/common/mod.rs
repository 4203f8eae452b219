//! Request helpers shared by the web test binaries (each binary uses a subset).
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use raidai_store::testkit::hc;
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store};
use tower::ServiceExt;

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn location(&self) -> &str {
        self.headers[header::LOCATION].to_str().unwrap()
    }
    /// The `name=value` of the Set-Cookie header.
    pub fn cookie(&self) -> String {
        set_cookie(&self.headers)
    }
}

/// The `name=value` of a response's Set-Cookie header, as the browser sends it back.
pub fn set_cookie(headers: &HeaderMap) -> String {
    let c = headers[header::SET_COOKIE].to_str().unwrap();
    c.split(';').next().unwrap().to_string()
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

pub fn get_req(uri: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

pub async fn get(app: &Router, uri: &str, cookie: &str) -> Resp {
    send(app, get_req(uri, cookie)).await
}

pub async fn post_form(app: &Router, uri: &str, cookie: &str, body: &str) -> Resp {
    let form = "application/x-www-form-urlencoded";
    post(app, uri, cookie, form, body.as_bytes().to_vec()).await
}

/// A POST of `body` as `content_type`, with its length as a browser sends it (the body limit
/// refuses an oversized upload up front).
/// A form POST that must be accepted: asserts the 303 that follows a save.
pub async fn post_form_saved(app: &Router, uri: &str, cookie: &str, body: &str) -> Resp {
    let r = post_form(app, uri, cookie, body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r
}

pub async fn post(
    app: &Router,
    uri: &str,
    cookie: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Resp {
    send(
        app,
        Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A multipart POST of one file in form field `field`.
pub async fn post_file(
    app: &Router,
    uri: &str,
    cookie: &str,
    field: &str,
    name: &str,
    data: &[u8],
) -> Resp {
    post_files(app, uri, cookie, field, &[(name, data)]).await
}

/// A multipart POST of one file in the field `file`, as the single-file upload forms name it.
pub async fn upload(app: &Router, uri: &str, cookie: &str, name: &str, data: &[u8]) -> Resp {
    post_file(app, uri, cookie, "file", name, data).await
}

/// Several files in one multipart field, as `<input type=file multiple>` sends them.
pub async fn post_files(
    app: &Router,
    uri: &str,
    cookie: &str,
    field: &str,
    files: &[(&str, &[u8])],
) -> Resp {
    let boundary = "----raidaitestboundary";
    let mut body = Vec::new();
    for (name, data) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let kind = format!("multipart/form-data; boundary={boundary}");
    post(app, uri, cookie, &kind, body).await
}

pub async fn post_multipart(
    app: &Router,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    (name, data): (&str, &[u8]),
) -> Resp {
    let b = "----raidaitestmultipart";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    post(
        app,
        uri,
        cookie,
        &format!("multipart/form-data; boundary={b}"),
        body,
    )
    .await
}

pub async fn add_user(store: &Store, username: &str, role: &str, scope: &str, password: &str) {
    store
        .create_user(
            &Actor::system(),
            &UserInput {
                username: username.into(),
                display_name: username.into(),
                role: role.into(),
                scope_code: scope.into(),
                active: true,
                password: password.into(),
            },
        )
        .await
        .unwrap();
}

/// Signs in through the login form and returns the session cookie (asserts the 303).
pub async fn sign_in(app: &Router, username: &str, password: &str) -> String {
    let r = send(
        app,
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username={username}&password={password}"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{username}: {}", r.text());
    r.cookie()
}

/// How many visits unit `hcode` has stored.
pub async fn visit_total(store: &Store, hcode: &str) -> i64 {
    let q = raidai_store::claims::VisitQuery {
        hcode: hcode.into(),
        ..Default::default()
    };
    store.list_visits(&Actor::system(), &q).await.unwrap().1
}

/// Imports the files in `dir` for `hcode` as the system.
pub async fn import_dir(
    store: &Store,
    hcode: &str,
    dir: &std::path::Path,
) -> raidai_claims::ImportOutcome {
    raidai_claims::import(
        store,
        &Actor::system(),
        raidai_formats::Source::Dir(dir.into()),
        raidai_claims::ImportOptions::new(hc(hcode)),
    )
    .await
    .unwrap()
}

/// Generates the set `cfg` describes and imports it for its unit `hcode` as the system.
pub async fn import_generated(
    store: &Store,
    hcode: &str,
    cfg: &raidai_formats::generate::GenConfig,
) -> raidai_claims::ImportOutcome {
    let dir = tempfile::tempdir().unwrap();
    raidai_formats::generate::generate(cfg, dir.path()).unwrap();
    import_dir(store, hcode, dir.path()).await
}

/// Imports a generated year (FY2569) of `visits` visits and a few admissions for `hcode`.
pub async fn land(store: &Store, hcode: &str, seed: u64, visits: usize) {
    use raidai_domain::{calendar::FiscalYear, ids::Hcode};
    use raidai_formats::generate::GenConfig;
    let mut cfg = GenConfig::new(Hcode::parse(hcode).unwrap(), FiscalYear::new(2569), seed);
    cfg.visits = visits;
    cfg.admissions = visits / 15;
    cfg.changwat = "99".into();
    import_generated(store, hcode, &cfg).await;
}
