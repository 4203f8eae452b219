//! Governance storage on both engines: positions, trial-balance import, tenancy.

use raidai_domain::master::Role;
use raidai_domain::money::Satang;
use raidai_governance::Hundredths;
use raidai_governance::assessment::{score_four_p, score_revenue_centre};
use raidai_store::claims::{ImportMeta, ImportTotals, VisitFacts, VisitRef, VisitRow};
use raidai_store::governance::{
    AmountKind, AssessmentInput, AssessmentKey, EVIDENCE_MAX_BYTES, FormKind, ItemMark, Position,
    parse_plan_csv, parse_positions_csv, parse_trial_balance_csv, position_from_trial_balance,
};
use raidai_store::testkit::{actor, op_visit, seed_small};
use raidai_store::{Actor, Store, StoreError};

const RATIO_CSV: &str = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd,note\n\
99001,256903,50000.00,100000.00,40000.00,10000.00,900000.00,950000.00,crisis\n\
99001,256906,29386448.00,3386138.00,28039407.00,23391196.00,22737430.00,10639682.00,healthy\n\
99002,256906,100.00,0,100.00,100.00,10.00,5.00,no liabilities\n";

fn lines(e: StoreError) -> Vec<(Option<usize>, String)> {
    match e {
        StoreError::Invalid(v) => v.into_iter().map(|f| (f.line, f.field)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000IHDR";

mod assessment;
mod planning;
mod positions;
mod seven_plus;
use assessment::*;
use planning::*;
use positions::*;
use seven_plus::*;

raidai_store::conformance! {
    ledger_collection_periods_per_fund;
    seven_plus_items_from_trial_balances_and_direct_entry;
    tps_inputs_round_trip_with_peer_medians;
    planfin_plan_actuals_revisions_and_q2;
    ratio_items_import_and_scores;
    positions_are_tenant_scoped;
    bad_ratio_rows_name_their_line;
    trial_balance_import_uses_the_account_map;
    assessments_round_trip_and_grade;
    evidence_is_type_checked_and_tenant_scoped;
}
