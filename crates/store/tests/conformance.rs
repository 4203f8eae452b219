//! The storage conformance suite: every test runs on SQLite and, with RAIDAI_TEST_PG_URL, on
//! PostgreSQL, through the same `Store` interface.

use raidai_domain::master::Role;
use raidai_store::audit::AuditQuery;
use raidai_store::master::{UnitInput, UnitQuery, parse_units_csv};
use raidai_store::testkit::hc;
use raidai_store::testkit::{actor, seed_small};
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store, StoreError};

fn rpst(hcode: &str, district: &str, cup: &str) -> UnitInput {
    UnitInput {
        hcode: hcode.into(),
        name_th: format!("รพ.สต.{hcode}"),
        unit_type: "rpst".into(),
        district_code: district.into(),
        cup_hcode: cup.into(),
        peer_group: String::new(),
        island: false,
        beds: 0,
        active: true,
    }
}

fn fields(e: StoreError) -> Vec<(Option<usize>, String)> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| (f.line, f.field)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn migrations_are_idempotent(store: &Store) {
    assert!(store.migrate().await.unwrap().is_empty());
    store.ping().await.unwrap();
}

async fn master_data_round_trip(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let units = store.list_units(&sys, &UnitQuery::default()).await.unwrap();
    assert_eq!(units.len(), 4);
    // Hospitals sort before their รพ.สต.
    assert_eq!(
        units.iter().map(|u| u.hcode.as_str()).collect::<Vec<_>>(),
        ["99001", "99011", "99002", "99021"]
    );
    let u = store.get_unit(&sys, hc("99011")).await.unwrap();
    assert_eq!(u.cup_hcode, "99001");
    assert_eq!(u.province_code, "99");
    let h = store.get_unit(&sys, hc("99001")).await.unwrap();
    assert_eq!(h.cup_hcode, "99001", "a hospital is its own CUP");
    assert_eq!(h.peer_group.map(|p| p.code()), Some("F2"));

    let mut edit = rpst("99011", "9901", "99001");
    edit.name_th = "รพ.สต.บ้านใหม่".into();
    edit.island = true;
    let after = store.update_unit(&sys, hc("99011"), &edit).await.unwrap();
    assert_eq!(after.name_th, "รพ.สต.บ้านใหม่");
    assert!(after.island);

    let by_text = store
        .list_units(
            &sys,
            &UnitQuery {
                text: Some("บ้านใหม่".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_text.len(), 1);
    let by_cup = store
        .list_units(
            &sys,
            &UnitQuery {
                cup_hcode: Some("99002".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_cup.len(), 2);

    let overview = store.province_overview(&sys).await.unwrap();
    assert_eq!(overview.len(), 2);
    assert_eq!(overview[1].beds, 60);
    assert_eq!(overview[0].hospitals, 1);
    assert_eq!(overview[0].health_promoting, 1);
}

async fn tenancy_is_enforced_in_the_store(store: &Store) {
    seed_small(store).await;
    let unit_a = actor(Role::UnitRevenue, "99011");
    let mine = store
        .list_units(&unit_a, &UnitQuery::default())
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|u| u.hcode.as_str()).collect::<Vec<_>>(),
        ["99011"]
    );
    assert!(matches!(
        store.get_unit(&unit_a, hc("99021")).await,
        Err(StoreError::NotFound)
    ));
    assert!(
        matches!(
            store.get_unit(&unit_a, hc("99001")).await,
            Err(StoreError::NotFound)
        ),
        "not even its own CUP hospital"
    );
    assert!(matches!(
        store.get_district(&unit_a, "9902").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_districts(&unit_a).await.unwrap().len(), 1);

    let district = actor(Role::District, "9902");
    let seen = store
        .list_units(&district, &UnitQuery::default())
        .await
        .unwrap();
    assert_eq!(
        seen.iter().map(|u| u.hcode.as_str()).collect::<Vec<_>>(),
        ["99002", "99021"]
    );
    assert!(matches!(
        store.get_unit(&district, hc("99011")).await,
        Err(StoreError::NotFound)
    ));
    let overview = store.province_overview(&district).await.unwrap();
    assert_eq!(overview.len(), 1);

    let province = actor(Role::Province, "99");
    assert_eq!(
        store
            .list_units(&province, &UnitQuery::default())
            .await
            .unwrap()
            .len(),
        4
    );
    let other_province = actor(Role::Province, "98");
    assert!(
        store
            .list_units(&other_province, &UnitQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_provinces(&other_province)
            .await
            .unwrap()
            .is_empty()
    );

    // A role whose scope field is missing sees nothing, never everything.
    let mut broken = actor(Role::UnitHead, "99011");
    broken.who.hcode = None;
    assert!(
        store
            .list_units(&broken, &UnitQuery::default())
            .await
            .unwrap()
            .is_empty()
    );

    // Writes need an admin, whatever the unit.
    for a in [&unit_a, &district, &province] {
        assert!(matches!(
            store
                .update_unit(a, hc("99011"), &rpst("99011", "9901", "99001"))
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.create_unit(a, &rpst("99012", "9901", "99001")).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.list_audit(a, &AuditQuery::default()).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            store.list_users(a).await,
            Err(StoreError::Forbidden)
        ));
    }
    // Updating another unit: the unit is invisible, so it is not found rather than forbidden.
    assert!(matches!(
        store
            .update_unit(&unit_a, hc("99021"), &rpst("99021", "9902", "99002"))
            .await,
        Err(StoreError::Forbidden | StoreError::NotFound)
    ));
}

async fn bad_unit_input_names_the_field_and_writes_nothing(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let dup = store
        .create_unit(&sys, &rpst("99011", "9901", "99001"))
        .await
        .unwrap_err();
    assert_eq!(fields(dup), [(None, "hcode".to_string())]);

    let mut bad = rpst("9x01", "9999", "99011");
    bad.peer_group = "Z9".into();
    bad.beds = -1;
    let errs = fields(store.create_unit(&sys, &bad).await.unwrap_err());
    let names: Vec<&str> = errs.iter().map(|(_, f)| f.as_str()).collect();
    for f in ["hcode", "district_code", "peer_group", "beds", "cup_hcode"] {
        assert!(names.contains(&f), "{f} reported in {names:?}");
    }
    assert_eq!(
        store
            .list_units(&sys, &UnitQuery::default())
            .await
            .unwrap()
            .len(),
        4
    );
}

async fn csv_import_is_all_or_nothing(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let good = "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds\n99012,รพ.สต.ใหม่,รพ.สต.,9901,99001,,0,0\n99003,โรงพยาบาลสาม,รพช.,9902,,F3,1,30\n99031,รพ.สต.ของสาม,rpst,9902,99003,,0,0\n";
    let rows = parse_units_csv(good.as_bytes()).unwrap();
    assert_eq!(store.import_units(&sys, &rows, 2).await.unwrap(), 3);
    assert_eq!(
        store.get_unit(&sys, hc("99031")).await.unwrap().cup_hcode,
        "99003"
    );
    assert!(store.get_unit(&sys, hc("99003")).await.unwrap().island);

    let bad = "hcode,name_th,unit_type,district_code,cup_hcode\n99013,ดี,rpst,9901,99001\n99014,เสีย,rpst,0000,99001\n99015,,clinic,9901,99001\n";
    let rows = parse_units_csv(bad.as_bytes()).unwrap();
    let errs = fields(store.import_units(&sys, &rows, 2).await.unwrap_err());
    assert!(
        errs.contains(&(Some(3), "district_code".into())),
        "{errs:?}"
    );
    assert!(errs.contains(&(Some(4), "name_th".into())));
    assert!(errs.contains(&(Some(4), "unit_type".into())));
    assert!(
        matches!(
            store.get_unit(&sys, hc("99013")).await,
            Err(StoreError::NotFound)
        ),
        "the good line was not written either"
    );

    let not_csv = parse_units_csv(b"hcode,name_th\n99016,x\n").unwrap_err();
    assert!(fields(not_csv).contains(&(Some(1), "unit_type".into())));
    assert!(
        parse_units_csv(b"hcode,name_th,unit_type,district_code,beds\n1,a,rpst,9901,many\n")
            .is_err()
    );
    assert!(parse_units_csv(&[0xff, 0xfe, 0x00]).is_err());
}

async fn users_sessions_and_passwords(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let input = UserInput {
        username: "rev.99011".into(),
        display_name: "เจ้าหน้าที่".into(),
        role: "unit_revenue".into(),
        scope_code: "99011".into(),
        active: true,
        password: "correct horse".into(),
    };
    let u = store.create_user(&sys, &input).await.unwrap();
    assert_eq!(u.who.hcode.as_deref(), Some("99011"));
    assert_eq!(
        u.who.district_code.as_deref(),
        Some("9901"),
        "scope is completed from the unit"
    );
    let dup = store.create_user(&sys, &input).await.unwrap_err();
    assert_eq!(fields(dup), [(None, "username".to_string())]);

    let mut bad = input.clone();
    bad.username = "x".into();
    bad.password = "short".into();
    bad.scope_code = "99999".into();
    let names: Vec<String> = fields(store.create_user(&sys, &bad).await.unwrap_err())
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(names, ["username", "password", "scope_code"]);

    assert!(
        store
            .authenticate("rev.99011", "wrong password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .authenticate("nobody", "correct horse")
            .await
            .unwrap()
            .is_none()
    );
    let me = store
        .authenticate("rev.99011", "correct horse")
        .await
        .unwrap()
        .unwrap();
    let token = store.create_session(&me.id).await.unwrap();
    let actor = store.session_actor(&token).await.unwrap().unwrap();
    assert_eq!(actor.who.hcode.as_deref(), Some("99011"));
    assert!(store.session_actor("not-a-token").await.unwrap().is_none());

    // Changing one's own password keeps this session and ends every other one of the user.
    let other = store.create_session(&me.id).await.unwrap();
    store
        .change_own_password(&actor, "correct horse", "battery staple", Some(&token))
        .await
        .unwrap();
    assert!(store.session_actor(&token).await.unwrap().is_some());
    assert!(store.session_actor(&other).await.unwrap().is_none());
    assert!(
        store
            .authenticate("rev.99011", "battery staple")
            .await
            .unwrap()
            .is_some()
    );
    let wrong = store
        .change_own_password(&actor, "correct horse", "another one", Some(&token))
        .await
        .unwrap_err();
    assert_eq!(fields(wrong), [(None, "current_password".to_string())]);

    // Disabling the account ends its sessions and its logins.
    let mut off = input.clone();
    off.active = false;
    off.password.clear();
    store.update_user(&sys, &me.id, &off).await.unwrap();
    assert!(store.session_actor(&token).await.unwrap().is_none());
    assert!(
        store
            .authenticate("rev.99011", "battery staple")
            .await
            .unwrap()
            .is_none()
    );

    store.delete_session(&token).await.unwrap();
    let users = store.list_users(&sys).await.unwrap();
    assert_eq!(users.len(), 1);
    let json = serde_json::to_string(&users).unwrap();
    assert!(
        !json.contains("argon2"),
        "password hashes never leave the store"
    );
}

async fn audit_log_records_before_and_after(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let mut e = rpst("99011", "9901", "99001");
    e.beds = 2;
    store.update_unit(&sys, hc("99011"), &e).await.unwrap();
    // Saving the same values again changes nothing and logs nothing.
    store.update_unit(&sys, hc("99011"), &e).await.unwrap();
    let log = store
        .list_audit(
            &sys,
            &AuditQuery {
                entity: Some("unit".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let updates: Vec<_> = log.iter().filter(|a| a.action == "update").collect();
    assert_eq!(updates.len(), 1);
    let a = updates[0];
    assert_eq!(a.entity_key, "99011");
    assert_eq!(a.username, "system");
    assert!(a.before.as_deref().unwrap().contains("\"beds\":0"));
    assert!(a.after.as_deref().unwrap().contains("\"beds\":2"));
    assert_eq!(log.iter().filter(|a| a.action == "create").count(), 4);
    let by_unit = store
        .list_audit(
            &sys,
            &AuditQuery {
                hcode: Some("99011".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_unit.len(), 2);
}

/// A province's tables (posting map, audit catalogue, error codes) are set by its own officers
/// and admins: never by another province's office, a district or a unit.
async fn province_configuration_is_the_province_s_own(store: &Store) {
    seed_small(store).await;
    let codes = vec![[
        "A01".to_string(),
        "C".into(),
        "ทดสอบ".into(),
        "test".into(),
        "fix".into(),
    ]];
    for who in [
        actor(Role::Province, "98"),
        actor(Role::District, "9901"),
        actor(Role::UnitRevenue, "99001"),
    ] {
        let r = store.save_error_codes(&who, "99", &codes).await;
        assert!(
            matches!(r, Err(StoreError::Forbidden)),
            "{}",
            who.who.username
        );
        let r = store.save_audit_catalogue(&who, "99", 2569, "x").await;
        assert!(
            matches!(r, Err(StoreError::Forbidden)),
            "{}",
            who.who.username
        );
    }
    store
        .save_error_codes(&actor(Role::Province, "99"), "99", &codes)
        .await
        .unwrap();
    store
        .save_error_codes(&Actor::system(), "99", &codes)
        .await
        .unwrap();
}

raidai_store::conformance! {
    province_configuration_is_the_province_s_own;
    migrations_are_idempotent;
    master_data_round_trip;
    tenancy_is_enforced_in_the_store;
    bad_unit_input_names_the_field_and_writes_nothing;
    csv_import_is_all_or_nothing;
    users_sessions_and_passwords;
    audit_log_records_before_and_after;
}
