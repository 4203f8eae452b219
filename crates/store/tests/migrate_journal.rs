//! Migration 0005 (journal keyed in append order) on a database written by the earlier schema:
//! every journal line is kept with its version and import, each visit finds its entries, and
//! the next import reverses the migrated posting. SQLite and (with RAIDAI_TEST_PG_URL)
//! PostgreSQL.

use raidai_store::claims::{ImportMeta, ImportTotals, VisitFacts, VisitQuery, VisitRow};
use raidai_store::testkit::hc;
use raidai_store::testkit::{TestDb, exec, op_visit, seed_small};
use raidai_store::{Actor, Store};

const BEFORE: &str = "0004_seven_plus";

/// Two imports in the old layout: visit 1 posted (UC, 50.00) in import A, changed in import B
/// (reversed at version 2, posted again at version 3 for 70.00); visit 2 posted in B (12.00).
async fn old_data(store: &Store) {
    seed_small(store).await;
    exec(
        store,
        "INSERT INTO claim_imports (hcode, id, at, username, source_name, files_json, status) VALUES \
         ('99001', '0190000a-0000-7000-8000-000000000000', 1000, 'rev', 'a.zip', '[]', 'imported'), \
         ('99001', '0190000b-0000-7000-8000-000000000000', 2000, 'rev', 'b.zip', '[]', 'imported')",
    )
    .await;
    let visit = |vkey: &str, seq: &str, total: i64, ver: i64, import: &str| {
        format!(
            "('99001', '{vkey}', 'OP', '000000001', '{seq}', '', 20251001, 20251001, 2569, '00100', 'I10', \
             '9001000000011', 'x', '1', 19800101, 'UCS', '', '99001', '', 'UC', 'in_cup', 'normal', \
             {total}, 0, {total}, {total}, 0, 1, '', '1102050101.201', {ver}, {ver}, '{import}', 'h', '{{}}', 1)"
        )
    };
    exec(
        store,
        &format!(
            "INSERT INTO claim_visits (hcode, vkey, setting, hn, seq, an, date_serv, date_dsc, fy, clinic, pdx, cid, \
             patient_name, sex, dob, inscl, subtype, hospmain, permitno, fund, place, vcase, total, paid, claimable, \
             fund_amount, patient_amount, posted, unposted_reason, receivable, ver, posted_ver, import_id, \
             content_hash, detail_json, updated_at) VALUES {}, {}",
            visit("O000000001/1", "1", 7000, 3, "0190000b-0000-7000-8000-000000000000"),
            visit("O000000001/2", "2", 1200, 1, "0190000b-0000-7000-8000-000000000000"),
        ),
    )
    .await;
    let line = |vkey: &str,
                ver: i64,
                no: i64,
                kind: &str,
                imp: char,
                acct: &str,
                d: i64,
                c: i64| {
        format!(
            "('99001', '{vkey}', {ver}, {no}, '{kind}', '0190000{imp}-0000-7000-8000-000000000000', 20251001, 2569, '{acct}', 'UC', {d}, {c})"
        )
    };
    let (recv, rev) = ("1102050101.201", "4301020105.201");
    let lines = [
        line("O000000001/1", 1, 1, "post", 'a', recv, 5000, 0),
        line("O000000001/1", 1, 2, "post", 'a', rev, 0, 5000),
        line("O000000001/1", 2, 1, "reverse", 'b', recv, 0, 5000),
        line("O000000001/1", 2, 2, "reverse", 'b', rev, 5000, 0),
        line("O000000001/1", 3, 1, "post", 'b', recv, 7000, 0),
        line("O000000001/1", 3, 2, "post", 'b', rev, 0, 7000),
        line("O000000001/2", 1, 1, "post", 'b', recv, 1200, 0),
        line("O000000001/2", 1, 2, "post", 'b', rev, 0, 1200),
    ];
    exec(
        store,
        &format!(
            "INSERT INTO claim_journal (hcode, vkey, ver, line_no, kind, import_id, date_serv, fy, account, fund, debit, credit) VALUES {}",
            lines.join(", ")
        ),
    )
    .await;
}

fn changed_visit_1(amount: i64) -> VisitRow {
    let v = op_visit("O000000001/1", "UC", 20251001, amount);
    VisitRow {
        facts: VisitFacts {
            clinic: "00100".into(),
            patient_name: "x".into(),
            posted: true,
            ..v.facts.clone()
        },
        content_hash: "changed".into(),
        ..v
    }
}

async fn journal_migrates(store: &Store) {
    let sys = Actor::system();
    old_data(store).await;
    store.migrate().await.unwrap();
    // The read models' migrations filled them from the data already there.
    let diffs = store.check_summaries().await.unwrap();
    assert!(diffs.is_empty(), "read models after migration: {diffs:?}");

    assert_eq!(
        store.journal_totals(&sys, hc("99001")).await.unwrap(),
        (5000 + 5000 + 7000 + 1200, 5000 + 5000 + 7000 + 1200)
    );
    let v1 = store
        .get_visit(&sys, hc("99001"), "O000000001/1")
        .await
        .unwrap();
    let got: Vec<(i64, i64, &str, &str, i64, i64)> = v1
        .journal
        .iter()
        .map(|l| {
            (
                l.ver,
                l.line_no,
                l.kind.as_str(),
                &l.import_id[..8],
                l.debit,
                l.credit,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 1, "post", "0190000a", 5000, 0),
            (1, 2, "post", "0190000a", 0, 5000),
            (2, 1, "reverse", "0190000b", 0, 5000),
            (2, 2, "reverse", "0190000b", 5000, 0),
            (3, 1, "post", "0190000b", 7000, 0),
            (3, 2, "post", "0190000b", 0, 7000),
        ]
    );
    let v2 = store
        .get_visit(&sys, hc("99001"), "O000000001/2")
        .await
        .unwrap();
    assert_eq!(v2.journal.len(), 2);

    // The account filter finds visits through their current posting.
    let q = VisitQuery {
        hcode: "99001".into(),
        account: Some("4301020105.201".into()),
        ..Default::default()
    };
    assert_eq!(store.list_visits(&sys, &q).await.unwrap().1, 2);

    // A new import numbers itself after the migrated ones and reverses the migrated posting.
    let mut s = store
        .begin_import(
            &sys,
            hc("99001"),
            ImportMeta {
                source_name: "c.zip".into(),
                files: Vec::new(),
                strict: false,
            },
        )
        .await
        .unwrap();
    s.write_visits(vec![changed_visit_1(9000)]).await.unwrap();
    let rec = s.finish(ImportTotals::default(), true).await.unwrap();
    assert_eq!(rec.counts.updated, 1);
    let v1 = store
        .get_visit(&sys, hc("99001"), "O000000001/1")
        .await
        .unwrap();
    let tail: Vec<(i64, &str, i64, i64)> = v1.journal[6..]
        .iter()
        .map(|l| (l.ver, l.kind.as_str(), l.debit, l.credit))
        .collect();
    assert_eq!(
        tail,
        vec![
            (4, "reverse", 0, 7000),
            (4, "reverse", 7000, 0),
            (5, "post", 9000, 0),
            (5, "post", 0, 9000),
        ]
    );
    assert!(v1.journal[6..].iter().all(|l| l.import_id == rec.id));
    let (d, c) = store.journal_totals(&sys, hc("99001")).await.unwrap();
    assert_eq!(d, c);
    let balances = store
        .account_balances(
            &sys,
            hc("99001"),
            20251001,
            20251001,
            raidai_store::claims::DateBasis::Service,
        )
        .await
        .unwrap();
    let receivable: i64 = balances
        .iter()
        .filter(|b| b.account.starts_with("1102"))
        .map(|b| b.balance())
        .sum();
    assert_eq!(receivable, 9000 + 1200);
    let diffs = store.check_summaries().await.unwrap();
    assert!(
        diffs.is_empty(),
        "read models after a new import: {diffs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_journal_migrates() {
    let db = TestDb::sqlite_until(Some(BEFORE)).await;
    journal_migrates(&db.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_journal_migrates() {
    if let Some(db) = TestDb::postgres_until("postgres::journal_migrates", Some(BEFORE)).await {
        journal_migrates(&db.store).await;
    }
}
