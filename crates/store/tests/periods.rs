//! Posting date vs service date, recognition at discharge, and closed months: nothing is dated
//! in a closed month, its balances never change, and corrections of a closed month post in the
//! first open month. Runs on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL.

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use raidai_domain::master::Role;
use raidai_store::audit::AuditQuery;
use raidai_store::claims::{DateBasis, ImportMeta, ImportTotals, VisitRef, VisitRow};
use raidai_store::periods::MonthTotals;
use raidai_store::testkit::hc;
use raidai_store::testkit::op_visit;
use raidai_store::testkit::{actor, seed_small};
use raidai_store::{Actor, Store, StoreError};
use std::collections::{BTreeMap, HashMap};

const UNIT: &str = "99001";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
}

/// An OP visit (or an admission when `dsc` is given) of `amount` satang owed by UC.
fn visit(vkey: &str, date: i64, dsc: Option<i64>, amount: i64) -> VisitRow {
    let recognised = dsc.unwrap_or(date);
    let v = op_visit(vkey, "UC", recognised, amount);
    VisitRow {
        visit: VisitRef {
            setting: if dsc.is_some() { "IP" } else { "OP" }.into(),
            seq: vkey.into(),
            date_serv: date,
            ..v.visit.clone()
        },
        content_hash: format!("{amount}-{date}-{recognised}"),
        ..v
    }
}

fn meta() -> ImportMeta {
    raidai_store::testkit::import_meta()
}

async fn land(store: &Store, rows: Vec<VisitRow>) {
    let mut s = store
        .begin_import(&Actor::system(), hc(UNIT), meta())
        .await
        .unwrap();
    s.write_visits(rows).await.unwrap();
    s.finish(ImportTotals::default(), true).await.unwrap();
}

/// Journal lines of a visit: (kind, post_date, date_serv, debit, credit) of its receivable.
async fn receivable_lines(store: &Store, vkey: &str) -> Vec<(String, i64, i64, i64, i64)> {
    let d = store
        .get_visit(&Actor::system(), hc(UNIT), vkey)
        .await
        .unwrap();
    d.journal
        .iter()
        .filter(|l| l.account.starts_with("1102"))
        .map(|l| (l.kind.clone(), l.post_date, l.date_serv, l.debit, l.credit))
        .collect()
}

async fn month_map(store: &Store) -> BTreeMap<i64, MonthTotals> {
    store
        .month_totals(&Actor::system(), hc(UNIT), 0, 99_999_999)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.month, m))
        .collect()
}

async fn admissions_are_recognised_at_discharge(store: &Store) {
    seed_small(store).await;
    // Admitted 30 Sep 2025 (FY2568), discharged 2 Oct 2025 (FY2569).
    land(store, vec![visit("I1", 20250930, Some(20251002), 10_000)]).await;
    let lines = receivable_lines(store, "I1").await;
    assert_eq!(lines, vec![("post".into(), 20251002, 20250930, 10_000, 0)]);
    let sys = Actor::system();
    let sept_posting = store
        .account_balances(&sys, hc(UNIT), 20250901, 20250930, DateBasis::Posting)
        .await
        .unwrap();
    assert!(sept_posting.is_empty(), "nothing is booked in September");
    let sept_service = store
        .account_balances(&sys, hc(UNIT), 20250901, 20250930, DateBasis::Service)
        .await
        .unwrap();
    assert!(
        !sept_service.is_empty(),
        "the service happened in September"
    );
    // The roll-up by fiscal year goes by the posting date.
    let rollup = store.claims_rollup(&sys, None).await.unwrap();
    assert_eq!(rollup.len(), 1);
    assert_eq!(rollup[0].fy, 2569);
}

async fn a_correction_of_a_closed_month_posts_in_the_first_open_month(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    land(store, vec![visit("O1", 20251015, None, 10_000)]).await;
    // October and November closed: the correction lands on 1 December.
    store
        .close_month(&sys, hc(UNIT), 202510, today())
        .await
        .unwrap();
    store
        .close_month(&sys, hc(UNIT), 202511, today())
        .await
        .unwrap();
    let before = month_map(store).await;
    land(store, vec![visit("O1", 20251015, None, 12_500)]).await;
    let lines = receivable_lines(store, "O1").await;
    assert_eq!(
        lines,
        vec![
            ("post".into(), 20251015, 20251015, 10_000, 0),
            ("reverse".into(), 20251201, 20251015, 0, 10_000),
            ("post".into(), 20251201, 20251015, 12_500, 0),
        ]
    );
    let after = month_map(store).await;
    assert_eq!(
        before[&202510], after[&202510],
        "a closed month never changes"
    );
    assert_eq!(after[&202512].receivable_net, 2_500);
    // A new visit of a closed month posts in the first open month too.
    land(store, vec![visit("O2", 20251120, None, 700)]).await;
    assert_eq!(receivable_lines(store, "O2").await[0].1, 20251201);
    // Reopening November (admin, with a reason) lets a correction land in November again.
    assert!(matches!(
        store.reopen_month(&sys, hc(UNIT), 202511, " ").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store
            .reopen_month(&sys, hc(UNIT), 202511, "แก้ไขรายการตกหล่น")
            .await
            .unwrap()
    );
    land(store, vec![visit("O3", 20251110, None, 300)]).await;
    assert_eq!(receivable_lines(store, "O3").await[0].1, 20251110);
    let audit = store
        .list_audit(
            &sys,
            &AuditQuery {
                entity: Some("claim_period".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, vec!["reopen", "close", "close"]);
    let (d, c) = store.journal_totals(&sys, hc(UNIT)).await.unwrap();
    assert_eq!(d, c);
}

async fn who_may_close_and_reopen(store: &Store) {
    seed_small(store).await;
    let head = actor(Role::UnitHead, UNIT);
    let revenue = actor(Role::UnitRevenue, UNIT);
    let other_head = actor(Role::UnitHead, "99021");
    let province = actor(Role::Province, "99");
    assert!(matches!(
        store.close_month(&revenue, hc(UNIT), 202510, today()).await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store
            .close_month(&province, hc(UNIT), 202510, today())
            .await,
        Err(StoreError::Forbidden)
    ));
    assert!(matches!(
        store
            .close_month(&other_head, hc(UNIT), 202510, today())
            .await,
        Err(StoreError::NotFound)
    ));
    // Only a month that has ended; a real month.
    assert!(matches!(
        store.close_month(&head, hc(UNIT), 202612, today()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.close_month(&head, hc(UNIT), 202513, today()).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store
            .close_month(&head, hc(UNIT), 202510, today())
            .await
            .unwrap()
    );
    assert!(
        !store
            .close_month(&head, hc(UNIT), 202510, today())
            .await
            .unwrap()
    );
    assert!(matches!(
        store.reopen_month(&head, hc(UNIT), 202510, "x").await,
        Err(StoreError::Forbidden)
    ));
    assert_eq!(
        store
            .closed_months(&other_head, hc("99021"))
            .await
            .unwrap()
            .len(),
        0
    );
    assert!(matches!(
        store.closed_months(&other_head, hc(UNIT)).await,
        Err(StoreError::NotFound)
    ));
    // The admin closes a month for every unit at once.
    let sys = Actor::system();
    assert_eq!(
        store.close_month_all(&sys, 202511, today()).await.unwrap(),
        4
    );
    assert!(matches!(
        store.close_month_all(&province, 202511, today()).await,
        Err(StoreError::Forbidden)
    ));
    let all = store
        .closed_months_all(&actor(Role::District, "9902"), 202510, 202609)
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "district 9902 sees its two units only");
    assert!(all.iter().all(|c| c.hcode == "99002" || c.hcode == "99021"));
}

#[derive(Debug, Clone)]
enum Step {
    /// (visit key, amount in satang, month index 0..3, day)
    Import(Vec<(u8, i64, usize, i64)>),
    Close(usize),
}

const MONTHS: [i64; 3] = [202510, 202511, 202512];

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let import = proptest::collection::vec((0u8..10, 0i64..50_000, 0usize..3, 1i64..29), 1..8)
        .prop_map(Step::Import);
    let close = (0usize..3).prop_map(Step::Close);
    proptest::collection::vec(prop_oneof![3 => import, 1 => close], 1..10)
}

/// Generated sequences of imports (new visits and corrections) and month closings: after every
/// step Σ debit = Σ credit, every closed month's totals are as they were when it was closed,
/// no line written after a close is dated in a closed month, and the receivables equal what
/// the visits owe now.
/// (debit, credit, entries) per account and fund over `from..=to`.
async fn by_account(
    store: &Store,
    from: i64,
    to: i64,
    basis: DateBasis,
) -> BTreeMap<(String, String), (i64, i64, i64)> {
    store
        .account_balances(&Actor::system(), hc(UNIT), from, to, basis)
        .await
        .unwrap()
        .into_iter()
        .map(|b| ((b.account, b.fund), (b.debit, b.credit, b.visits)))
        .filter(|(_, v)| *v != (0, 0, 0))
        .collect()
}

async fn generated_sequences_never_touch_a_closed_month(store: &Store) {
    seed_small(store).await;
    let sys = Actor::system();
    let mut runner = TestRunner::new(Config {
        cases: 12,
        ..Config::default()
    });
    let mut owed: HashMap<String, i64> = HashMap::new();
    let mut frozen: BTreeMap<i64, Option<MonthTotals>> = BTreeMap::new();
    for case in 0..12 {
        let seq = steps().new_tree(&mut runner).unwrap().current();
        for step in seq {
            match step {
                Step::Close(i) => {
                    let m = MONTHS[i];
                    store.close_month(&sys, hc(UNIT), m, today()).await.unwrap();
                    let now = month_map(store).await;
                    frozen.entry(m).or_insert_with(|| now.get(&m).cloned());
                }
                Step::Import(visits) => {
                    let mut rows: BTreeMap<String, VisitRow> = BTreeMap::new();
                    for (k, amount, mi, day) in visits {
                        let key = format!("O{case:03}-{k:02}");
                        let date = MONTHS[mi] * 100 + day;
                        rows.insert(key.clone(), visit(&key, date, None, amount));
                    }
                    for (k, r) in &rows {
                        owed.insert(k.clone(), r.facts.fund_amount);
                    }
                    land(store, rows.into_values().collect()).await;
                }
            }
            let (d, c) = store.journal_totals(&sys, hc(UNIT)).await.unwrap();
            assert_eq!(d, c, "balanced");
            let now = month_map(store).await;
            for (m, snapshot) in &frozen {
                assert_eq!(now.get(m), snapshot.as_ref(), "closed month {m} changed");
            }
            let receivables: i64 = store
                .account_balances(&sys, hc(UNIT), 0, 99_999_999, DateBasis::Posting)
                .await
                .unwrap()
                .iter()
                .filter(|b| b.account.starts_with("1102"))
                .map(|b| b.balance())
                .sum();
            assert_eq!(receivables, owed.values().sum::<i64>(), "nothing lost");
            let diffs = store.check_summaries().await.unwrap();
            assert!(diffs.is_empty(), "read models differ: {diffs:?}");
            // Balances over a range equal those of its two halves, however the cut falls
            // against month ends (whole months come from the read model, days from the journal).
            let (from, cut, to) = (
                MONTHS[0] * 100 + (case as i64 % 28) + 1,
                MONTHS[1] * 100 + 15 + (case as i64 % 16),
                MONTHS[2] * 100 + 31,
            );
            for basis in [DateBasis::Posting, DateBasis::Service] {
                let whole = by_account(store, from, to, basis).await;
                let mut halves = by_account(store, from, cut, basis).await;
                let after = raidai_domain::periods::add_days(cut, 1);
                for (k, v) in by_account(store, after, to, basis).await {
                    let e = halves.entry(k).or_default();
                    e.0 += v.0;
                    e.1 += v.1;
                    e.2 += v.2;
                }
                halves.retain(|_, v| *v != (0, 0, 0));
                assert_eq!(whole, halves, "{from}..{cut}..{to} by {basis:?}");
            }
        }
    }
    assert!(!frozen.is_empty() || owed.is_empty());
}

/// The cross-visit checks: the same patient twice on one OP day (DUP01), one Authen code on
/// two visits (AUTH03); findings written with the visits are replaced on re-import.
async fn cross_visit_findings(store: &Store) {
    use raidai_store::claims::{CrossAudit, FindingRow};
    use raidai_store::findings::FindingQuery;
    seed_small(store).await;
    let mut a = visit("O1", 20251015, None, 1_000);
    let mut b = visit("O2", 20251015, None, 2_000);
    let mut c = visit("O3", 20251016, None, 3_000);
    a.facts.permitno = "PP1234567890".into();
    b.facts.permitno = "PP0000000001".into();
    c.facts.permitno = "PP1234567890".into();
    c.visit.hn = "000000002".into();
    a.findings = vec![FindingRow {
        rule: "CLN01".into(),
        severity: "block".into(),
        amount: 1_000,
    }];
    let mut s = store
        .begin_import(&Actor::system(), hc(UNIT), meta())
        .await
        .unwrap();
    s.set_cross_audit(CrossAudit {
        dup01: "warn".into(),
        auth03: "block".into(),
    });
    s.write_visits(vec![a.clone(), b, c]).await.unwrap();
    s.finish(ImportTotals::default(), true).await.unwrap();
    let sys = Actor::system();
    let q = |rule: &str| FindingQuery {
        hcode: UNIT.into(),
        rule: Some(rule.into()),
        ..Default::default()
    };
    let dup = store.list_findings(&sys, &q("DUP01")).await.unwrap().items;
    let mut keys: Vec<&str> = dup.iter().map(|f| f.vkey.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["O1", "O2"]);
    assert!(dup.iter().all(|f| f.severity == "warn"));
    let auth = store.list_findings(&sys, &q("AUTH03")).await.unwrap().items;
    let mut keys: Vec<&str> = auth.iter().map(|f| f.vkey.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["O1", "O3"]);
    assert_eq!(cln01_visits(store).await, 1);
    // Re-imported without the finding: it is gone (findings follow every import of a visit).
    a.findings.clear();
    land(store, vec![a]).await;
    assert_eq!(cln01_visits(store).await, 0);
    // Counts per rule; tenancy.
    let counts = store.rule_counts(&sys, Some(UNIT)).await.unwrap();
    assert!(counts.iter().any(|c| c.rule == "AUTH03" && c.visits == 2));
    let other = actor(Role::UnitRevenue, "99021");
    assert!(matches!(
        store.list_findings(&other, &q("DUP01")).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.rule_counts(&other, None).await.unwrap().is_empty());
}

/// How many of the unit's visits have an open CLN01 finding.
async fn cln01_visits(store: &Store) -> i64 {
    let q = raidai_store::findings::FindingQuery {
        hcode: UNIT.into(),
        rule: Some("CLN01".into()),
        ..Default::default()
    };
    let page = store.list_findings(&Actor::system(), &q).await.unwrap();
    page.totals.visits
}

raidai_store::conformance! {
    cross_visit_findings;
    admissions_are_recognised_at_discharge;
    a_correction_of_a_closed_month_posts_in_the_first_open_month;
    who_may_close_and_reopen;
    generated_sequences_never_touch_a_closed_month;
}
