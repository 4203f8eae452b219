//! Query plans of the pages (issue 13): every GET page of the route table is opened by an
//! admin, a provincial officer and a unit's revenue officer on a province with imports, a
//! claim batch, its REP and Statement; each statement the pages sent that reads the journal or
//! the visits is explained by the engine, and none may scan either table whole. SQLite, then
//! PostgreSQL (with RAIDAI_TEST_PG_URL).

mod common;

use common::{add_user, get, land, sign_in};
use raidai_claims::cycle::{create_batch, import_rep, import_stm_on, synth_returns};
use raidai_returns::RepShares;
use raidai_store::claims::{BatchSpec, VisitQuery};
use raidai_store::testkit::hc;
use raidai_store::testkit::{TestDb, explain_recorded, record_statements, seed_small};
use raidai_store::{Actor, Store};
use raidai_web::{Access, AppState, route_defs, router};

const PW: &str = "test-password";

async fn world(store: &Store) -> (axum::Router, Vec<String>, String, String, String) {
    seed_small(store).await;
    land(store, "99001", 1, 120).await;
    land(store, "99002", 2, 120).await;
    let sys = Actor::system();
    let spec = BatchSpec {
        funds: ["UC", "OFC", "LGO", "SSS", "BKK"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        date_from: 20241001,
        date_to: 20260930,
        include_blocked: true,
        headers: "fdh".into(),
    };
    let batch = create_batch(store, &sys, hc("99001"), &spec).await.unwrap();
    let shares = RepShares {
        corrective_pct: 10,
        deny_pct: 5,
        paid_diff_pct: 30,
    };
    let files = synth_returns(store, &sys, hc("99001"), batch.no, &shares, 1, 20261101)
        .await
        .unwrap();
    for (name, bytes) in files.iter().filter(|f| f.0.starts_with("eclaim_")) {
        import_rep(store, &sys, hc("99001"), name, bytes)
            .await
            .unwrap();
    }
    for (name, bytes) in files.iter().filter(|f| f.0.starts_with("STM_")) {
        import_stm_on(store, &sys, hc("99001"), name, bytes, 20261201)
            .await
            .unwrap();
    }
    add_user(store, "admin99", "admin", "", PW).await;
    add_user(store, "pho99", "province", "99", PW).await;
    add_user(store, "rev99001", "unit_revenue", "99001", PW).await;
    let app = router(AppState::new(store.clone()));
    let cookies = vec![
        sign_in(&app, "admin99", PW).await,
        sign_in(&app, "pho99", PW).await,
        sign_in(&app, "rev99001", PW).await,
    ];
    let import_id = store.list_imports(&sys, hc("99001"), 1).await.unwrap()[0]
        .id
        .clone();
    let (visits, _) = store
        .page_visits(
            &sys,
            &VisitQuery {
                hcode: "99001".into(),
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let user_id = store
        .list_users(&sys)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.who.username == "rev99001")
        .unwrap()
        .id;
    (
        app,
        cookies,
        import_id,
        visits[0].visit.vkey.clone(),
        user_id,
    )
}

/// Opens every GET page as each user while the statements are recorded; returns the plans.
async fn page_plans(store: &Store) -> Vec<(String, String, bool)> {
    let (app, cookies, import_id, vkey, user_id) = world(store).await;
    record_statements(true);
    let mut pages = 0;
    for d in route_defs() {
        if d.method.as_str() != "GET"
            || d.access == Access::Public
            || d.path.contains("{job_id}")
            || d.path.contains("{evidence_id}")
        {
            continue;
        }
        let uri = d
            .path
            .replace("{hcode}", "99001")
            .replace("{code}", "9901")
            .replace("{fy}", "2569")
            .replace("{quarter}", "1")
            .replace("{round}", "1")
            .replace("{form}", "4s4c")
            .replace("{no}", "1")
            .replace("{import_id}", &import_id)
            .replace("{visit}", &vkey)
            .replace("{id}", &user_id);
        for c in &cookies {
            get(&app, &uri, c).await;
            pages += 1;
        }
    }
    record_statements(false);
    assert!(pages > 150, "{pages} page requests");
    explain_recorded(store).await
}

fn check(engine: &str, plans: &[(String, String, bool)]) {
    // A sanity floor: most pages read the read models and never reach these tables.
    assert!(
        plans.len() > 15,
        "{engine}: only {} statements",
        plans.len()
    );
    let scans: Vec<String> = plans
        .iter()
        .filter(|p| p.2)
        .map(|(sql, plan, _)| format!("{sql}\n  => {plan}"))
        .collect();
    assert!(
        scans.is_empty(),
        "{engine}: {} page statements scan the journal or the visits whole:\n{}",
        scans.len(),
        scans.join("\n\n")
    );
}

// One test for both engines: the statement recorder is process-wide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_scans_the_journal_or_the_visits() {
    let db = TestDb::sqlite().await;
    let plans = page_plans(&db.store).await;
    check("sqlite", &plans);
    drop(db);
    if let Some(db) = TestDb::postgres("no_page_scans_the_journal_or_the_visits (postgres)").await {
        let plans = page_plans(&db.store).await;
        check("postgres", &plans);
    }
}
