//! Governance pages: unit finance, province dashboard, imports and XLSX, on both engines.

use axum::Router;
use axum::http::{StatusCode, header};
use raidai_store::governance::parse_positions_csv;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use raidai_web::{AppState, router};

#[path = "../common/mod.rs"]
mod common;
use common::{Resp, get, post_form, post_multipart, sign_in};

const PW: &str = "test-password";

/// A multipart form with text fields and one CSV `file`.
async fn upload(
    app: &Router,
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: &str,
) -> Resp {
    post_multipart(app, uri, cookie, fields, ("in.csv", file.as_bytes())).await
}

async fn add_user(store: &Store, username: &str, role: &str, scope: &str) {
    common::add_user(store, username, role, scope, PW).await
}

async fn login(app: &Router, username: &str) -> String {
    sign_in(app, username, PW).await
}

const RATIO_HEAD: &str = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd";

/// Hospital A healthy at 3 months and in crisis (level 7) at 6; hospital B healthy; รพ.สต. A
/// with no current liabilities.
fn ratio_csv() -> String {
    format!(
        "{RATIO_HEAD}\n\
99001,256903,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00\n\
99001,256906,500000,1000000,400000,100000,9000000,9500000\n\
99002,256906,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00\n\
99011,256906,1000,0,1000,1000,500,100\n"
    )
}

struct World {
    app: Router,
    province: String,
    district_a: String,
    unit_a: String,
    hosp_a: String,
}

async fn world(store: &Store) -> World {
    seed_small(store).await;
    add_user(store, "pho", "province", "99").await;
    add_user(store, "dho.a", "district", "9901").await;
    add_user(store, "rev.a", "unit_revenue", "99011").await;
    add_user(store, "head.h", "unit_head", "99001").await;
    let rows = parse_positions_csv(ratio_csv().as_bytes()).unwrap();
    store
        .import_positions(&Actor::system(), &rows, 2)
        .await
        .unwrap();
    let app = router(AppState::new(store.clone()));
    World {
        province: login(&app, "pho").await,
        district_a: login(&app, "dho.a").await,
        unit_a: login(&app, "rev.a").await,
        hosp_a: login(&app, "head.h").await,
        app,
    }
}

/// A multipart upload of raw bytes as `file`, with an `item_id`.
async fn upload_bytes(
    app: &Router,
    uri: &str,
    cookie: &str,
    item: &str,
    name: &str,
    data: &[u8],
) -> Resp {
    post_multipart(app, uri, cookie, &[("item_id", item)], (name, data)).await
}

mod assessment;
mod finance;
mod planning;
use assessment::*;
use finance::*;
use planning::*;

raidai_store::conformance! {
    criteria_sets_load_view_and_apply;
    tps_explains_every_point_and_grades;
    planfin_page_compares_plan_and_actual;
    assessment_forms_score_print_and_keep_evidence_in_the_tenancy;
    unit_finance_page_shows_the_trend;
    finance_page_shows_seven_plus_against_targets;
    trial_balance_upload_scores_the_month;
    province_dashboard_counts_levels_against_round_targets;
    ratio_items_upload_is_for_the_province;
}
