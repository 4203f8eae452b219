//! Route-level tests: every route of the router is checked for tenancy, on SQLite and (with
//! RAIDAI_TEST_PG_URL) PostgreSQL; plus login, CSRF, bad input, i18n and the OpenAPI document.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store};
use raidai_web::{Access, AppState, route_defs, router};
use tower::ServiceExt;

const PW: &str = "test-password";

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn req(method: Method, uri: &str, cookie: Option<&str>) -> axum::http::request::Builder {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b
}

async fn get(app: &Router, uri: &str, cookie: Option<&str>) -> Resp {
    send(
        app,
        req(Method::GET, uri, cookie).body(Body::empty()).unwrap(),
    )
    .await
}

async fn post_form(app: &Router, uri: &str, cookie: Option<&str>, form: &str) -> Resp {
    send(
        app,
        req(Method::POST, uri, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .unwrap(),
    )
    .await
}

async fn send_json(
    app: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    body: &str,
) -> Resp {
    send(
        app,
        req(method, uri, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn add_user(store: &Store, username: &str, role: &str, scope: &str) -> String {
    let u = store
        .create_user(
            &Actor::system(),
            &UserInput {
                username: username.into(),
                display_name: format!("ผู้ใช้ {username}"),
                role: role.into(),
                scope_code: scope.into(),
                active: true,
                password: PW.into(),
            },
        )
        .await
        .unwrap();
    u.id
}

async fn login(app: &Router, username: &str) -> String {
    let r = post_form(
        app,
        "/login",
        None,
        &format!("username={username}&password={PW}&next=/"),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "login {username}: {}",
        r.body
    );
    common::set_cookie(&r.headers)
}

struct World {
    app: Router,
    admin: String,
    province: String,
    district_a: String,
    unit_a: String,
    user_b_id: String,
}

async fn world(store: &Store) -> World {
    seed_small(store).await;
    add_user(store, "admin", "admin", "").await;
    add_user(store, "pho", "province", "99").await;
    add_user(store, "dho.a", "district", "9901").await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let user_b_id = add_user(store, "head.b", "unit_head", "99021").await;
    let app = router(AppState::new(store.clone()));
    World {
        admin: login(&app, "admin").await,
        province: login(&app, "pho").await,
        district_a: login(&app, "dho.a").await,
        unit_a: login(&app, "rev.a").await,
        user_b_id,
        app,
    }
}

/// The path with its parameters pointing at unit B / district B / user B.
fn target(path: &str, user_b: &str) -> String {
    path.replace("{hcode}", "99021")
        .replace("{code}", "9902")
        .replace("{id}", user_b)
        .replace("{file}", "app.css")
        .replace("{fy}", "2569")
        .replace("{round}", "1")
        .replace("{form}", "rc")
        .replace("{evidence_id}", "0190a1b2-0000-7000-8000-000000000000")
        .replace("{number}", "1")
        .replace("{quarter}", "2")
        .replace("{import_id}", "01900000-0000-7000-8000-000000000000")
        .replace("{job_id}", "01900000-0000-7000-8000-000000000001")
        .replace("{visit}", "O000000001%2F690101080000")
        .replace("{no}", "1")
        .replace("{seq}", "1")
        .replace("{province}", "99")
        .replace("{target}", "99021")
        .replace("{strategy_id}", "0190a1b2-0000-7000-8000-000000000001")
}

fn body_for(path: &str) -> (&'static str, String) {
    if path.starts_with("/api/") {
        ("application/json", r#"{"hcode":"99021","name_th":"ยึด","unit_type":"rpst","district_code":"9902","cup_hcode":"99002","peer_group":"","island":false,"beds":0,"active":true}"#.into())
    } else {
        (
            "application/x-www-form-urlencoded",
            "hcode=99021&name_th=%E0%B8%A2%E0%B8%B6%E0%B8%94&unit_type=rpst&district_code=9902&cup_hcode=99002&active=on&code=9902&province_code=99&username=head.b&display_name=x&role=admin&scope_code=&password=takeover-pass".into(),
        )
    }
}

async fn call(app: &Router, method: &Method, uri: &str, cookie: Option<&str>) -> Resp {
    if *method == Method::GET {
        return get(app, uri, cookie).await;
    }
    let (ct, body) = body_for(uri);
    send(
        app,
        req(method.clone(), uri, cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

const B_MARKERS: [&str; 3] = ["99021", "99002", "รพ.สต.บ้านสอง"];

async fn every_route_is_tenant_scoped(store: &Store) {
    let w = world(store).await;
    let before = store.get_unit(&Actor::system(), hc("99021")).await.unwrap();
    let mut checked = 0;
    for d in route_defs() {
        if d.access == Access::Public {
            continue;
        }
        let uri = target(d.path, &w.user_b_id);
        // Signed out: pages redirect to the login page, the API answers 401.
        let anon = call(&w.app, &d.method, &uri, None).await;
        if d.path.starts_with("/api/") {
            assert_eq!(
                anon.status,
                StatusCode::UNAUTHORIZED,
                "{} {} signed out",
                d.method,
                d.path
            );
        } else {
            assert_eq!(
                anon.status,
                StatusCode::SEE_OTHER,
                "{} {} signed out",
                d.method,
                d.path
            );
            assert!(
                anon.headers[header::LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/login")
            );
        }
        for (who, cookie) in [("unit A", &w.unit_a), ("district A", &w.district_a)] {
            if d.path == "/logout" {
                continue;
            }
            let r = call(&w.app, &d.method, &uri, Some(cookie)).await;
            let has_param = d.path.contains('{');
            if d.path == "/account/password" && d.method == Method::POST {
                // Self-service: acts only on the caller's own account, and needs its password.
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{who}: own password change without the current password"
                );
            } else if has_param || d.access == Access::Admin || d.method != Method::GET {
                assert!(
                    matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                    "{who}: {} {} gave {} (expected 403/404)",
                    d.method,
                    uri,
                    r.status
                );
            } else {
                assert!(
                    matches!(
                        r.status,
                        StatusCode::OK | StatusCode::FORBIDDEN | StatusCode::SEE_OTHER
                    ),
                    "{who}: {} {} gave {}",
                    d.method,
                    uri,
                    r.status
                );
            }
            for m in B_MARKERS {
                assert!(!r.body.contains(m), "{who}: {} {} leaks {m}", d.method, uri);
            }
            checked += 1;
        }
    }
    assert!(checked > 60, "checked {checked} route/user pairs");
    assert_eq!(
        store.get_unit(&Actor::system(), hc("99021")).await.unwrap(),
        before,
        "unit B unchanged"
    );
    assert!(
        store.authenticate("head.b", PW).await.unwrap().is_some(),
        "user B unchanged"
    );

    // The same pages do show unit A to its own users, and everything to the province.
    let mine = get(&w.app, "/units/99011", Some(&w.unit_a)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("รพ.สต.บ้านหนึ่ง"));
    let list = get(&w.app, "/units", Some(&w.district_a)).await;
    assert!(list.body.contains("99001") && list.body.contains("99011"));
    let prov = get(&w.app, "/units", Some(&w.province)).await;
    for m in B_MARKERS {
        assert!(prov.body.contains(m), "province sees {m}");
    }
    let api = get(&w.app, "/api/v1/units", Some(&w.province)).await;
    let units: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(units.as_array().unwrap().len(), 4);
    let d = get(&w.app, "/districts/9901", Some(&w.district_a)).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(
        get(&w.app, "/province", Some(&w.province)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&w.app, "/province", Some(&w.district_a)).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn login_errors_are_generic_and_rate_limited(store: &Store) {
    seed_small(store).await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    let app = router(AppState::new(store.clone()));
    let page = get(&app, "/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("เข้าสู่ระบบ"));
    // Asset URLs carry the build's version, so a new build's styles are fetched at once.
    let at = page
        .body
        .find("/assets/app.css?v=")
        .expect("versioned stylesheet");
    let url: String = page.body[at..].chars().take_while(|c| *c != '"').collect();
    assert!(url.len() > "/assets/app.css?v=".len());
    let css = get(&app, &url, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("font-family"));
    let wrong_pw = post_form(&app, "/login", None, "username=rev.a&password=nope").await;
    let no_user = post_form(&app, "/login", None, "username=ghost&password=nope").await;
    assert_eq!(wrong_pw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_user.status, StatusCode::UNAUTHORIZED);
    let msg = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง";
    assert!(
        wrong_pw.body.contains(msg) && no_user.body.contains(msg),
        "one message, no account enumeration"
    );
    for _ in 0..4 {
        post_form(&app, "/login", None, "username=rev.a&password=nope").await;
    }
    let limited = post_form(
        &app,
        "/login",
        None,
        &format!("username=rev.a&password={PW}"),
    )
    .await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let api = send_json(
        &app,
        Method::POST,
        "/api/v1/login",
        None,
        &format!(r#"{{"username":"rev.a","password":"{PW}"}}"#),
    )
    .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn csrf_and_bad_input(store: &Store) {
    let w = world(store).await;
    // Cross-site form posts are refused before any handler runs.
    let evil = send(
        &w.app,
        req(Method::POST, "/units", Some(&w.admin))
            .header(header::ORIGIN, "http://evil.example")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "hcode=99099&name_th=x&unit_type=rpst&district_code=9901&cup_hcode=99001",
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let fetch_meta = send(
        &w.app,
        req(Method::POST, "/logout", Some(&w.admin))
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(fetch_meta.status, StatusCode::FORBIDDEN);
    let same = send(
        &w.app,
        req(Method::POST, "/units", Some(&w.admin))
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("hcode=99012&name_th=%E0%B8%81&unit_type=rpst&district_code=9901&cup_hcode=99001&active=on"))
            .unwrap(),
    )
    .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER, "{}", same.body);

    // Duplicate code: a field error on the form, not a 500.
    let dup = post_form(
        &w.app,
        "/units",
        Some(&w.admin),
        "hcode=99012&name_th=x&unit_type=rpst&district_code=9901&cup_hcode=99001",
    )
    .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.body.contains("รหัสหน่วยบริการ 99012 มีอยู่แล้ว"));
    let beds = post_form(
        &w.app,
        "/units",
        Some(&w.admin),
        "hcode=99013&name_th=x&unit_type=rpst&district_code=9901&cup_hcode=99001&beds=many",
    )
    .await;
    assert_eq!(beds.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beds.body.contains("จำนวนเตียงต้องเป็นจำนวนเต็ม"));
    assert!(
        store.get_unit(&Actor::system(), hc("99013")).await.is_err(),
        "nothing written"
    );

    // Malformed JSON names the field.
    let missing = send_json(
        &w.app,
        Method::POST,
        "/api/v1/units",
        Some(&w.admin),
        r#"{"hcode":"99014"}"#,
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&missing.body).unwrap();
    assert_eq!(v["fields"][0]["field"], "name_th", "{}", missing.body);
    let wrong_type = send_json(&w.app, Method::POST, "/api/v1/units", Some(&w.admin), r#"{"hcode":"99014","name_th":"x","unit_type":"rpst","district_code":"9901","cup_hcode":"99001","peer_group":"","island":false,"beds":"many","active":true}"#).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    let broken = send_json(
        &w.app,
        Method::POST,
        "/api/v1/units",
        Some(&w.admin),
        "{not json",
    )
    .await;
    assert_eq!(
        broken.status,
        StatusCode::BAD_REQUEST
            .max(broken.status)
            .min(StatusCode::UNPROCESSABLE_ENTITY)
    );
    assert!(broken.status.is_client_error());
    let dup_api = send_json(&w.app, Method::POST, "/api/v1/units", Some(&w.admin), r#"{"hcode":"99012","name_th":"x","unit_type":"rpst","district_code":"9901","cup_hcode":"99001","peer_group":"","island":false,"beds":0,"active":true}"#).await;
    assert_eq!(dup_api.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&dup_api.body).unwrap();
    assert_eq!(v["fields"][0]["field"], "hcode");
    let created = send_json(&w.app, Method::POST, "/api/v1/units", Some(&w.admin), r#"{"hcode":"99015","name_th":"รพ.สต.ใหม่","unit_type":"rpst","district_code":"9901","cup_hcode":"99001","peer_group":"","island":false,"beds":0,"active":true}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // Unknown route: a Thai 404 page.
    let nf = get(&w.app, "/no/such/page", Some(&w.admin)).await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.body.contains("ไม่พบหน้าที่ต้องการ"));
    // A unit code that is not five digits names no unit: the same page, not a bare 400.
    for uri in [
        "/units/1234x/visits",
        "/units/123456/claims",
        "/api/v1/units/abc/claims/periods",
    ] {
        let r = get(&w.app, uri, Some(&w.admin)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let page = get(&w.app, "/units/1234x/visits", Some(&w.admin)).await;
    assert!(page.body.contains("ไม่พบหน้าที่ต้องการ"));
}

async fn admin_screens_work(store: &Store) {
    let w = world(store).await;
    for path in [
        "/province",
        "/units",
        "/units/new",
        "/units/import",
        "/units/99021",
        "/units/99021/edit",
        "/districts/9902",
        "/districts/new",
        "/districts/9902/edit",
        "/admin/users",
        "/admin/users/new",
        "/admin/audit",
        "/reference/accounts",
        "/reference/rights",
        "/account/password",
    ] {
        let r = get(&w.app, path, Some(&w.admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.contains("<html lang=\"th\">"), "{path} is Thai");
    }
    let edit = get(
        &w.app,
        &format!("/admin/users/{}/edit", w.user_b_id),
        Some(&w.admin),
    )
    .await;
    assert_eq!(edit.status, StatusCode::OK);

    let upd = post_form(&w.app, "/units/99021", Some(&w.admin), "name_th=%E0%B8%A3%E0%B8%9E.%E0%B8%AA%E0%B8%95.%E0%B9%83%E0%B8%AB%E0%B8%A1%E0%B9%88&unit_type=rpst&district_code=9902&cup_hcode=99002&beds=3&active=on").await;
    assert_eq!(upd.status, StatusCode::SEE_OTHER, "{}", upd.body);
    assert_eq!(
        store
            .get_unit(&Actor::system(), hc("99021"))
            .await
            .unwrap()
            .beds,
        3
    );

    // CSV upload through the page.
    let csv = "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n99022,รพ.สต.นำเข้า,rpst,9902,99002,,0,0\n";
    let upload = |csv: &str| {
        let boundary = "XBOUNDARYX";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        send(
            &w.app,
            req(Method::POST, "/units/import", Some(&w.admin))
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
    };
    let up = upload(csv).await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.body);
    assert!(up.body.contains("นำเข้าเรียบร้อย"));
    let bad_csv = "hcode,name_th,unit_type,district_code\n99023,x,rpst,0000\n";
    let bad = upload(bad_csv).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("district_code") && bad.body.contains("ไม่พบอำเภอที่ระบุ"));

    let audit = get(&w.app, "/admin/audit?entity=unit", Some(&w.admin)).await;
    assert!(audit.body.contains("unit 99021") && audit.body.contains("update"));
    let export = get(&w.app, "/units/export.csv", Some(&w.admin)).await;
    assert!(export.body.contains("99022,รพ.สต.นำเข้า,rpst,9902,99002"));

    // English switch.
    let sw = get(&w.app, "/lang/en", Some(&w.admin)).await;
    let lang_cookie = common::set_cookie(&sw.headers);
    let en = get(
        &w.app,
        "/units",
        Some(&format!("{}; {lang_cookie}", w.admin)),
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Export CSV"));

    let create_user = post_form(&w.app, "/admin/users", Some(&w.admin), "username=new.user&display_name=New&role=district&scope_code=9902&password=long-enough&active=on").await;
    assert_eq!(
        create_user.status,
        StatusCode::SEE_OTHER,
        "{}",
        create_user.body
    );
    let bad_user = post_form(
        &w.app,
        "/admin/users",
        Some(&w.admin),
        "username=new.user&display_name=New&role=district&scope_code=1234&password=long-enough",
    )
    .await;
    assert_eq!(bad_user.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_user.body.contains("ข้อมูลนี้มีอยู่แล้วในระบบ") || bad_user.body.contains("อำเภอ"));
}

raidai_store::conformance! {
    every_route_is_tenant_scoped;
    login_errors_are_generic_and_rate_limited;
    csrf_and_bad_input;
    admin_screens_work;
}

#[test]
fn openapi_documents_every_api_route() {
    let doc = raidai_web::api::openapi_doc();
    for d in route_defs() {
        if let Some(p) = d.path.strip_prefix("/api/v1") {
            let path = format!("/api/v1{p}");
            let method = d.method.as_str().to_lowercase();
            assert!(
                doc["paths"][&path][&method].is_object(),
                "{method} {path} is in the OpenAPI document"
            );
        }
    }
}

#[test]
fn every_label_used_in_templates_exists() {
    let all: Vec<_> = raidai_web::i18n::all_strings().collect();
    let keys: std::collections::HashSet<&str> = all.iter().map(|s| s.0).collect();
    assert_eq!(keys.len(), all.len(), "no duplicate keys");
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates")];
    let mut used = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            for part in text.split("t.s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(keys.contains(key), "label {key:?} is defined");
                used += 1;
            }
        }
    }
    assert!(used > 100);
    for (k, th, en) in all {
        assert!(!th.is_empty() && !en.is_empty(), "{k} has both languages");
    }
}
