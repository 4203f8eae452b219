//! The import pipeline end to end, on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL.

use proptest::prelude::*;
use raidai_claims::{ImportOptions, Places, encounter_row, import, vkey};
use raidai_domain::accounts::{Case, Place, Setting, find_posting_rule};
use raidai_domain::master::Role;
use raidai_domain::rights::Fund;
use raidai_formats::generate::{Corruption, GenConfig, generate, generate_with};
use raidai_formats::{EncodingChoice, Encounter, FileKind, Source, TextEncoding};
use raidai_store::claims::VisitQuery;
use raidai_store::testkit::hc;
use raidai_store::testkit::{actor, seed_small};
use raidai_store::{Actor, Store, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[path = "../common/mod.rs"]
mod common;
use common::{province_config, visits_of};

const UNIT: &str = "99001";

fn config(seed: u64, visits: usize, admissions: usize) -> GenConfig {
    let mut cfg = province_config(UNIT, 2569, seed);
    cfg.visits = visits;
    cfg.admissions = admissions;
    cfg
}

fn opts() -> ImportOptions {
    ImportOptions::new(hc(UNIT))
}

fn admin() -> Actor {
    Actor::system()
}

/// Receivable balance per account from the journal.
async fn receivables(store: &Store, hcode: &str) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for b in store
        .account_balances(
            &admin(),
            hc(hcode),
            0,
            99_999_999,
            raidai_store::claims::DateBasis::Service,
        )
        .await
        .unwrap()
    {
        if b.account.starts_with("1102") {
            *m.entry(b.account.clone()).or_insert(0) += b.balance();
        }
    }
    m.retain(|_, v| *v != 0);
    m
}

/// What the visits say is owed: the fund part on the visit's receivable, the patient part on
/// the self-pay receivable of its setting.
fn expected(visits: &[raidai_store::claims::VisitSummary]) -> BTreeMap<String, i64> {
    let map = raidai_domain::accounts::default_posting_map();
    let mut m = BTreeMap::new();
    for v in visits.iter().filter(|v| v.facts.posted) {
        if v.facts.fund_amount != 0 {
            *m.entry(v.facts.receivable.clone()).or_insert(0) += v.facts.fund_amount;
        }
        if v.facts.patient_amount != 0 {
            let setting = if v.visit.setting == "IP" {
                Setting::Ip
            } else {
                Setting::Op
            };
            let rule =
                find_posting_rule(&map, Fund::SelfPay, setting, Place::Any, Case::Normal).unwrap();
            *m.entry(rule.receivable.as_str().to_string()).or_insert(0) += v.facts.patient_amount;
        }
    }
    m.retain(|_, v| *v != 0);
    m
}

async fn check_ledger(store: &Store, hcode: &str) {
    let (d, c) = store.journal_totals(&admin(), hc(hcode)).await.unwrap();
    assert_eq!(d, c, "Σ debits = Σ credits");
    let visits = visits_of(store, hcode).await;
    let got = receivables(store, hcode).await;
    let want = expected(&visits);
    if got != want {
        for v in &visits {
            let d = store
                .get_visit(&admin(), hc(hcode), &v.visit.vkey)
                .await
                .unwrap();
            let net: i64 = d
                .journal
                .iter()
                .filter(|l| l.account.starts_with("1102"))
                .map(|l| l.debit - l.credit)
                .sum();
            let owed = if v.facts.posted {
                v.facts.fund_amount + v.facts.patient_amount
            } else {
                0
            };
            if net != owed {
                eprintln!(
                    "{} posted={} owed={owed} net={net} {:?}",
                    v.visit.vkey, v.facts.posted, d.journal
                );
            }
        }
    }
    assert_eq!(got, want);
}

/// For any generated data set: Σ debits = Σ credits, and the receivable balance per account
/// equals the sum of the claimable amounts of the visits mapped to it. Successive sets land in
/// the same database, so re-posting of changed visits is covered too.
async fn property_ledger_balances(store: &Store) {
    seed_small(store).await;
    let handle = tokio::runtime::Handle::current();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(0u64..10_000, 1usize..40, 0usize..8, any::<bool>()),
            |(seed, visits, admissions, utf8)| {
                tokio::task::block_in_place(|| {
                    handle.block_on(async {
                        let dir = tempfile::tempdir().unwrap();
                        let mut cfg = config(seed, visits, admissions);
                        if utf8 {
                            cfg.encoding = TextEncoding::Utf8;
                        }
                        let mut seen = Vec::new();
                        generate_with(&cfg, dir.path(), &mut |e| seen.push(vkey(e))).unwrap();
                        let out = import(store, &admin(), Source::Dir(dir.path().into()), opts())
                            .await
                            .unwrap();
                        assert_eq!(out.record.totals.rejects, 0, "{:?}", out.report);
                        for k in &seen {
                            store.get_visit(&admin(), hc(UNIT), k).await.unwrap();
                        }
                        check_ledger(store, UNIT).await;
                    })
                });
                Ok(())
            },
        )
        .unwrap();
}

async fn import_dir(store: &Store, dir: &Path, o: ImportOptions) -> raidai_claims::ImportOutcome {
    import(store, &admin(), Source::Dir(dir.into()), o)
        .await
        .unwrap()
}

/// An import's (inserted, updated, unchanged) visit counts.
fn change_counts(o: &raidai_claims::ImportOutcome) -> (i64, i64, i64) {
    let c = &o.record.counts;
    (c.inserted, c.updated, c.unchanged)
}

mod findings;
mod posting;
mod reimport;
mod rejects;
use findings::*;
use posting::*;
use reimport::*;
use rejects::*;

raidai_store::conformance! {
    findings_on_kept_visits;
    malformed_clinics_are_findings_on_kept_visits;
    a_bad_detail_line_keeps_its_visit;
    an_unknown_right_keeps_its_visit_unposted;
    worklist_pages_match_every_visits_findings;
    a_missing_mandatory_file_fails_the_import;
    a_wrong_cid_check_digit_keeps_the_visits;
    admissions_in_hospital_wait_for_discharge;
    coverage_lists_what_the_map_misses;
    no_visit_is_left_unposted_by_the_default_map;
    property_ledger_balances;
    broken_inputs_are_rejected;
    strict_lands_nothing;
    reimport_is_idempotent_and_changes_are_audited;
    tenancy;
    stored_rows_match_the_pure_pipeline;
}
