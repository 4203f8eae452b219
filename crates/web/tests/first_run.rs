//! A fresh installation set up by its admin through the browser routes, from an empty database
//! on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL: choose province 44, download and import
//! a units file, import users; then each role sees its scope.

mod common;

use axum::http::{StatusCode, header};
use common::{get, post_form, sign_in, upload};
use raidai_store::testkit::hc;
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, router};

const UNITS: &str = "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n\
10707,โรงพยาบาลมหาสารคาม,rpt,4401,,M1,0,580\n\
11001,โรงพยาบาลโกสุมพิสัย,rpch,4403,,F1,0,120\n\
03726,รพ.สต.บ้านหนองบัว,rpst,4403,11001,,0,0\n\
03701,รพ.สต.บ้านแก่งเลิงจาน,rpst,4401,10707,,0,0\n";

async fn a_new_office_sets_itself_up(store: &Store) {
    // An empty database (migrated) with one admin, as after `db migrate` and `user add`.
    store
        .create_user(
            &Actor::system(),
            &UserInput {
                username: "admin".into(),
                display_name: "ผู้ดูแลระบบ".into(),
                role: "admin".into(),
                scope_code: String::new(),
                active: true,
                password: "first-admin-pass".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.geo_provinces().await.unwrap().len(), 77);
    let app = router(AppState::new(store.clone()));
    let admin = sign_in(&app, "admin", "first-admin-pass").await;

    // The province page says what is missing and sends the admin to the setup page.
    let p = get(&app, "/province", &admin).await.text();
    assert!(
        p.contains("ยังตั้งค่าระบบไม่ครบ") && p.contains("href=\"/setup\""),
        "{p}"
    );
    let s = get(&app, "/setup", &admin).await;
    assert_eq!(s.status, StatusCode::OK);
    assert!(
        s.text()
            .contains("<option value=\"44\">44 มหาสารคาม</option>")
    );

    // A wrong code is a field error; 44 brings its 13 districts.
    let bad = post_form(&app, "/setup/province", &admin, "province_code=99").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("ไม่พบรหัสจังหวัดนี้"));
    let ok = post_form(&app, "/setup/province", &admin, "province_code=44").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let s = get(&app, "/setup", &admin).await.text();
    assert!(s.contains("โกสุมพิสัย") && s.contains("4413"), "{s}");
    assert_eq!(
        store.list_districts(&Actor::system()).await.unwrap().len(),
        13
    );
    // The district form now offers the province.
    let form = get(&app, "/districts/new", &admin).await.text();
    assert!(form.contains("value=\"44\""), "{form}");

    // Templates: CSV and XLSX with the unit columns.
    let csv = get(&app, "/setup/units-template.csv", &admin).await;
    assert!(
        csv.text()
            .contains("hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds")
    );
    let xlsx = get(&app, "/setup/units-template.xlsx", &admin).await;
    assert!(xlsx.body.starts_with(b"PK"));
    // The XLSX template itself imports (its example rows), keeping 03726's leading zero.
    let r = upload(&app, "/units/import", &admin, "units.xlsx", &xlsx.body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(store.get_unit(&Actor::system(), hc("03726")).await.is_ok());

    // A units file with a bad line: the line is named, nothing lands.
    let broken = format!("{UNITS}99999,x,rpst,9999,11001,,0,0\n");
    let r = upload(
        &app,
        "/units/import",
        &admin,
        "units.csv",
        broken.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(">6<"), "line 6 named: {}", r.text());
    assert!(store.get_unit(&Actor::system(), hc("10707")).await.is_err());
    let r = upload(&app, "/units/import", &admin, "units.csv", UNITS.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Users from a file: two with passwords, two generated (shown once).
    let users = "username,display_name,role,scope_code,password\n\
pho.fin,งานการเงิน สสจ.,province,44,province-pass-1\n\
dho.kosum,สสอ.โกสุมพิสัย,district,4403,district-pass-1\n\
rev.11001,งานรายได้,unit_revenue,11001,\n\
rev.03726,รพ.สต.,unit_revenue,03726,\n";
    let bad_users = format!("{users}x,bad,district,9999,\n");
    let r = upload(
        &app,
        "/setup/users",
        &admin,
        "users.csv",
        bad_users.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains(">6<"), "{}", r.text());
    assert!(
        store
            .authenticate("pho.fin", "province-pass-1")
            .await
            .unwrap()
            .is_none(),
        "all or nothing"
    );
    let r = upload(&app, "/setup/users", &admin, "users.csv", users.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    let page = r.text();
    let generated: Vec<String> = page
        .split("<td><code>")
        .skip(1)
        .map(|p| p.split("</code>").next().unwrap().to_string())
        .filter(|p| p.len() == 16)
        .collect();
    assert_eq!(generated.len(), 2, "{page}");
    let s = get(&app, "/setup", &admin).await.text();
    assert!(s.contains("ตั้งค่าครบแล้ว"), "{s}");
    assert!(
        !s.contains(&generated[0]),
        "generated passwords are shown once"
    );
    let p = get(&app, "/province", &admin).await.text();
    assert!(!p.contains("ยังตั้งค่าระบบไม่ครบ"));

    // Each role sees its scope.
    let pho = sign_in(&app, "pho.fin", "province-pass-1").await;
    let units = get(&app, "/api/v1/units", &pho).await.text();
    assert!(
        units.contains("10707") && units.contains("03726"),
        "{units}"
    );
    let dho = sign_in(&app, "dho.kosum", "district-pass-1").await;
    let units = get(&app, "/api/v1/units", &dho).await.text();
    assert!(
        units.contains("11001") && units.contains("03726") && !units.contains("10707"),
        "{units}"
    );
    let rev = sign_in(&app, "rev.03726", &generated[1]).await;
    let units = get(&app, "/api/v1/units", &rev).await.text();
    assert!(
        units.contains("03726") && !units.contains("\"hcode\":\"11001\""),
        "{units}"
    );
    assert_eq!(
        get(&app, "/setup", &pho).await.status,
        StatusCode::FORBIDDEN
    );
}

raidai_store::conformance! {
    a_new_office_sets_itself_up;
}
