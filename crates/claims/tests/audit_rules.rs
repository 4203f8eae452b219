//! Every Data Audit rule on both engines: one stored visit per rule (the examples table of
//! `raidai_claims::audit`, written as an import writes them, detail as JSON), re-audited from
//! the store: each visit carries its rule, the clean visit carries none. Runs on SQLite and
//! (with RAIDAI_TEST_PG_URL) PostgreSQL.

use raidai_claims::audit::examples::{TODAY, cases, clean, detail_json};
use raidai_store::claims::{ImportMeta, ImportTotals, VisitRow};
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};

const UNIT: &str = "99001";

fn stored(i: usize, mut v: VisitRow, d: &raidai_claims::audit::AuditDetail) -> VisitRow {
    v.visit.vkey = format!("O{i:09}/1");
    v.visit.hn = format!("{i:09}");
    v.visit.seq = format!("{i}");
    // Distinct Authen codes and patients: no cross-visit finding between the examples.
    if v.facts.permitno.starts_with("PP") {
        v.facts.permitno = format!("PP{:010}", 1_000 + i);
    }
    v.detail_json = detail_json(d);
    v.content_hash = format!("h{i}");
    v.lines.clear();
    v
}

async fn every_rule_from_stored_visits(store: &Store) {
    // LATE01 is evaluated on the examples' audit date when read.
    raidai_store::findings::set_audit_today(TODAY);
    seed_small(store).await;
    let sys = Actor::system();
    let (c, cd) = clean();
    let mut rows = vec![stored(0, c, &cd)];
    let table = cases();
    for (i, (_, change)) in table.iter().enumerate() {
        let (mut v, mut d) = clean();
        change(&mut v, &mut d);
        rows.push(stored(i + 1, v, &d));
    }
    let mut s = store
        .begin_import(
            &sys,
            hc(UNIT),
            ImportMeta {
                source_name: "examples".into(),
                files: Vec::new(),
                strict: false,
            },
        )
        .await
        .unwrap();
    s.write_visits(rows).await.unwrap();
    s.finish(ImportTotals::default(), true).await.unwrap();
    let summary = raidai_claims::audit_unit_on(store, &sys, hc(UNIT), TODAY)
        .await
        .unwrap();
    assert_eq!(summary.visits as usize, table.len() + 1);
    let clean_findings = store
        .visit_findings(&sys, hc(UNIT), "O000000000/1")
        .await
        .unwrap();
    assert!(clean_findings.is_empty(), "{clean_findings:?}");
    for (i, (rule, _)) in table.iter().enumerate() {
        let got: Vec<String> = store
            .visit_findings(&sys, hc(UNIT), &format!("O{:09}/1", i + 1))
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.rule)
            .collect();
        assert!(got.iter().any(|r| r == rule), "{rule}: {got:?}");
    }
}

raidai_store::conformance! {
    every_rule_from_stored_visits;
}
