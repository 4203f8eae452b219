//! Claims storage: imports as one transaction, idempotent re-import, reversing entries,
//! tenancy of reads and writes, reports. Runs on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL.

use raidai_domain::master::Role;
use raidai_store::claims::{
    ImportMeta, ImportTotals, RejectRow, VisitFacts, VisitQuery, VisitRef, VisitRow,
};
use raidai_store::testkit::hc;
use raidai_store::testkit::{actor, op_visit, seed_small};
use raidai_store::{Actor, Store, StoreError};

fn row(n: usize, fund: &str, amount: i64, hash: &str) -> VisitRow {
    let v = op_visit(
        &format!("O{n:09}/6901010800{n:02}"),
        fund,
        20251001 + (n as i64 % 28),
        amount,
    );
    VisitRow {
        visit: VisitRef {
            hn: format!("{n:09}"),
            ..v.visit.clone()
        },
        facts: VisitFacts {
            inscl: if fund == "UC" { "UCS" } else { "OFC" }.into(),
            ..v.facts.clone()
        },
        content_hash: hash.into(),
        ..v
    }
}

fn meta() -> ImportMeta {
    raidai_store::testkit::import_meta()
}

async fn land(
    store: &Store,
    who: &Actor,
    hcode: &str,
    rows: &[VisitRow],
) -> Result<String, StoreError> {
    let mut s = store.begin_import(who, hc(hcode), meta()).await?;
    s.write_visits(rows.to_vec()).await?;
    let r = s.finish(ImportTotals::default(), true).await?;
    Ok(r.id)
}

/// Visits of a unit the actor can see: (rows on the first page, total).
async fn visit_count(store: &Store, who: &Actor, hcode: &str) -> (usize, i64) {
    let q = VisitQuery {
        hcode: hcode.into(),
        ..Default::default()
    };
    let (list, total) = store.list_visits(who, &q).await.unwrap();
    (list.len(), total)
}

/// A unit's balance by account over all service dates, as a lookup (None: no such account).
async fn service_balances(store: &Store, hcode: &str) -> impl Fn(&str) -> Option<i64> {
    let bal = store
        .account_balances(
            &Actor::system(),
            hc(hcode),
            0,
            99999999,
            raidai_store::claims::DateBasis::Service,
        )
        .await
        .unwrap();
    move |a: &str| bal.iter().find(|b| b.account == a).map(|b| b.balance())
}

/// Unit 99001 has no import in its history and nothing in its journal.
async fn assert_no_import_recorded(store: &Store) {
    let sys = Actor::system();
    assert!(
        store
            .list_imports(&sys, hc("99001"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.journal_totals(&sys, hc("99001")).await.unwrap(),
        (0, 0)
    );
}

async fn import_writes_visits_and_balanced_journal(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    // More rows than one INSERT chunk, to cover multi-statement batches.
    let rows: Vec<VisitRow> = (0..1203)
        .map(|n| {
            row(
                n,
                if n % 3 == 0 { "OFC" } else { "UC" },
                1000 + n as i64,
                "h1",
            )
        })
        .collect();
    let id = land(store, &sys, "99001", &rows).await.unwrap();
    let (list, total) = store
        .list_visits(
            &sys,
            &VisitQuery {
                hcode: "99001".into(),
                fund: Some("OFC".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 401);
    assert_eq!(list.len(), 10);
    let (d, c) = store.journal_totals(&sys, hc("99001")).await.unwrap();
    assert_eq!(d, c);
    assert_eq!(d, rows.iter().map(|r| r.facts.total).sum::<i64>());
    let bal = store
        .account_balances(
            &sys,
            hc("99001"),
            20251001,
            20251031,
            raidai_store::claims::DateBasis::Service,
        )
        .await
        .unwrap();
    let uc = bal.iter().find(|b| b.account == "1102050101.201").unwrap();
    assert_eq!(
        uc.balance(),
        rows.iter()
            .filter(|r| r.facts.fund == "UC")
            .map(|r| r.facts.total)
            .sum::<i64>()
    );
    let (by_account, n) = store
        .list_visits(
            &sys,
            &VisitQuery {
                hcode: "99001".into(),
                account: Some("1102050101.401".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(n, 401);
    assert!(by_account.iter().all(|v| v.facts.fund == "OFC"));
    let imports = store.list_imports(&sys, hc("99001"), 10).await.unwrap();
    assert_eq!(imports[0].id, id);
    assert_eq!(imports[0].counts.inserted, 1203);
    let roll = store.claims_rollup(&sys, Some(2569)).await.unwrap();
    assert_eq!(roll.iter().map(|r| r.amount).sum::<i64>(), d);
    assert_eq!(store.claims_years(&sys).await.unwrap(), vec![2569]);
}

async fn unchanged_is_skipped_and_changed_is_reversed(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    land(
        store,
        &sys,
        "99001",
        &[row(1, "UC", 5000, "a"), row(2, "UC", 700, "a")],
    )
    .await
    .unwrap();
    let mut s = store.begin_import(&sys, hc("99001"), meta()).await.unwrap();
    s.write_visits(vec![row(1, "UC", 5000, "a"), row(2, "OFC", 900, "b")])
        .await
        .unwrap();
    let rec = s.finish(ImportTotals::default(), true).await.unwrap();
    assert_eq!(
        (
            rec.counts.inserted,
            rec.counts.updated,
            rec.counts.unchanged
        ),
        (0, 1, 1)
    );
    // The correction posts 900 and reverses the earlier 700: the receivables change by +200.
    assert_eq!(
        (rec.counts.posted_amount, rec.counts.reversed_amount),
        (900, 700)
    );
    let listed = store.list_imports(&sys, hc("99001"), 1).await.unwrap();
    assert_eq!(listed[0].counts.reversed_amount, 700);
    let v = store
        .get_visit(&sys, hc("99001"), &row(2, "UC", 0, "").visit.vkey)
        .await
        .unwrap();
    assert_eq!(v.visit.facts.fund, "OFC");
    let kinds: Vec<(i64, &str)> = v.journal.iter().map(|l| (l.ver, l.kind.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (1, "post"),
            (1, "post"),
            (2, "reverse"),
            (2, "reverse"),
            (3, "post"),
            (3, "post")
        ]
    );
    let get = service_balances(store, "99001").await;
    assert_eq!(get("1102050101.201"), Some(5000));
    assert_eq!(get("1102050101.401"), Some(900));
    // Unposted (nothing owed now): reversed, and a later change does not reverse twice.
    land(store, &sys, "99001", &[row(2, "OFC", 0, "c")])
        .await
        .unwrap();
    land(store, &sys, "99001", &[row(2, "UC", 300, "d")])
        .await
        .unwrap();
    let get = service_balances(store, "99001").await;
    assert_eq!(get("1102050101.201"), Some(5300));
    assert_eq!(get("1102050101.401"), Some(0));
    let audit = store
        .list_audit(
            &sys,
            &raidai_store::audit::AuditQuery {
                entity: Some("claim_visit".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 3);
}

async fn abandoned_import_leaves_nothing(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let mut s = store.begin_import(&sys, hc("99001"), meta()).await.unwrap();
    s.write_visits(vec![row(1, "UC", 5000, "a")]).await.unwrap();
    s.write_rejects(&[RejectRow {
        file: "OPD.txt".into(),
        line: 3,
        field: "DATEOPD".into(),
        value: "25690101".into(),
        code: "BAD_DATE".into(),
        reason_th: "วันที่ผิด".into(),
        reason_en: "bad date".into(),
        hn: "1".into(),
        seq: "2".into(),
        an: String::new(),
    }])
    .await
    .unwrap();
    drop(s); // a crash or kill midway
    assert_eq!(visit_count(store, &sys, "99001").await, (0, 0));
    assert_no_import_recorded(store).await;
}

async fn tenancy_of_claims(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    land(store, &sys, "99021", &[row(1, "UC", 100, "a")])
        .await
        .unwrap();
    land(store, &sys, "99011", &[row(1, "UC", 200, "a")])
        .await
        .unwrap();
    // Writes: only the unit itself (or an admin).
    let own = actor(Role::UnitRevenue, "99011");
    assert!(
        land(store, &own, "99011", &[row(2, "UC", 1, "a")])
            .await
            .is_ok()
    );
    for (who, h) in [
        (actor(Role::UnitRevenue, "99011"), "99021"),
        (actor(Role::District, "9901"), "99011"),
        (actor(Role::Province, "99"), "99011"),
    ] {
        let r = store.begin_import(&who, hc(h), meta()).await;
        assert!(
            matches!(r, Err(StoreError::Forbidden | StoreError::NotFound)),
            "{:?} may not import for {h}",
            who.who.role
        );
    }
    // Reads: outside the scope is NotFound.
    let key = row(1, "UC", 0, "").visit.vkey;
    for who in [
        actor(Role::UnitRevenue, "99011"),
        actor(Role::District, "9901"),
    ] {
        assert!(matches!(
            store.get_visit(&who, hc("99021"), &key).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.list_imports(&who, hc("99021"), 10).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .account_balances(
                    &who,
                    hc("99021"),
                    0,
                    99999999,
                    raidai_store::claims::DateBasis::Service
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let roll = store.claims_rollup(&who, None).await.unwrap();
        assert!(roll.iter().all(|r| r.hcode != "99021"));
    }
    let province = store
        .claims_rollup(&actor(Role::Province, "99"), None)
        .await
        .unwrap();
    assert!(province.iter().any(|r| r.hcode == "99021"));
    assert!(province.iter().any(|r| r.hcode == "99011"));
}

async fn posting_map_is_versioned_data(store: &Store) {
    seed_small(store).await;
    let default = raidai_domain::accounts::default_posting_map();
    assert_eq!(store.posting_map("99", 2569).await.unwrap(), default);
    let tsv = "fund\tsetting\tplace\tcase\treceivable\trevenue\tsource\nUC\tOP\tany\tnormal\t1102050101.201\t4301020105.201\tC\n";
    assert!(matches!(
        store
            .save_posting_map(&actor(Role::District, "9901"), "99", 2569, tsv)
            .await,
        Err(StoreError::Forbidden)
    ));
    store
        .save_posting_map(&actor(Role::Province, "99"), "99", 2569, tsv)
        .await
        .unwrap();
    assert_eq!(store.posting_map("99", 2569).await.unwrap().len(), 1);
    assert_eq!(store.posting_map("99", 2570).await.unwrap(), default);
    assert!(matches!(
        store
            .save_posting_map(&Actor::system(), "99", 0, "UC\tOP\n")
            .await,
        Err(StoreError::Invalid(_))
    ));
}

/// A write that fails inside an import (here a key twice in one batch, which the reader never
/// sends) ends the import with an error, lands nothing, and leaves the store usable: on SQLite
/// the batch INSERTs are `OR ROLLBACK`, so the engine itself has already ended the transaction.
async fn failed_write_lands_nothing_and_the_store_goes_on(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let mut s = store.begin_import(&sys, hc("99001"), meta()).await.unwrap();
    let twice = vec![
        row(1, "UC", 5000, "a"),
        row(2, "UC", 700, "a"),
        row(1, "UC", 5000, "a"),
    ];
    assert!(s.write_visits(twice).await.is_err());
    drop(s);
    assert_no_import_recorded(store).await;
    // Every pooled connection still works and the next import lands whole.
    for _ in 0..6 {
        let rows: Vec<VisitRow> = (10..15).map(|n| row(n, "UC", 1000, "b")).collect();
        land(store, &sys, "99001", &rows).await.unwrap();
    }
    assert_eq!(visit_count(store, &sys, "99001").await.1, 5);
    assert_eq!(
        store.journal_totals(&sys, hc("99001")).await.unwrap(),
        (5000, 5000)
    );
}

/// Text is stored as given, whatever it holds: the bulk writes bind it (SQLite) or escape it
/// for COPY (PostgreSQL: backslash, tab, newline, carriage return).
async fn awkward_text_round_trips(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let mut r = row(1, "UC", 5000, "a");
    r.facts.patient_name = "นาย ก\\ข\tค\nง\rจ \\N".into();
    r.detail_json = r#"{"dru":[["1","ยา \"น้ำ\" \\ 5%","1",100]]}"#.into();
    r.facts.permitno = "\\N".into();
    land(store, &sys, "99001", std::slice::from_ref(&r))
        .await
        .unwrap();
    let got = store
        .get_visit(&sys, hc("99001"), &r.visit.vkey)
        .await
        .unwrap();
    assert_eq!(got.visit.facts.patient_name, r.facts.patient_name);
    assert_eq!(got.visit.facts.permitno, "\\N");
    assert_eq!(got.detail_json, r.detail_json);
    assert_eq!(got.journal.len(), 2);
}

/// A sign-in (a session row written on another connection) while an import is open must not
/// make the import fail: on SQLite a deferred import transaction that had read first would get
/// SQLITE_BUSY_SNAPSHOT at its first write.
async fn a_write_elsewhere_during_an_import_does_not_break_it(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let user = store
        .create_user(
            &sys,
            &raidai_store::users::UserInput {
                username: "rev.a".into(),
                display_name: "rev".into(),
                role: "unit_revenue".into(),
                scope_code: "99001".into(),
                active: true,
                password: "long-password".into(),
            },
        )
        .await
        .unwrap();
    let mut s = store.begin_import(&sys, hc("99001"), meta()).await.unwrap();
    let other = store.clone();
    let id = user.id.clone();
    let signing_in = tokio::spawn(async move { other.create_session(&id).await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    s.write_visits(vec![row(1, "UC", 5000, "a")]).await.unwrap();
    let rec = s.finish(ImportTotals::default(), true).await.unwrap();
    assert_eq!(rec.counts.inserted, 1);
    let token = signing_in.await.unwrap().unwrap();
    assert!(store.session_actor(&token).await.unwrap().is_some());
}

raidai_store::conformance! {
    a_write_elsewhere_during_an_import_does_not_break_it;
    awkward_text_round_trips;
    import_writes_visits_and_balanced_journal;
    unchanged_is_skipped_and_changed_is_reversed;
    abandoned_import_leaves_nothing;
    failed_write_lands_nothing_and_the_store_goes_on;
    tenancy_of_claims;
    posting_map_is_versioned_data;
}
