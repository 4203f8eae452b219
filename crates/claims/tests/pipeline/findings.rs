//! Findings on kept visits and the Data Audit worklist pages.

use super::*;
use raidai_store::testkit::hc;

/// Imports the set in `dir`: nothing rejected, all `visits` kept, the ledger whole.
async fn imports_every_visit(store: &Store, dir: &std::path::Path, visits: usize) {
    let out = import_dir(store, dir, opts()).await;
    assert_eq!(out.record.totals.rejects, 0, "nothing rejected");
    assert_eq!(
        out.record.counts.inserted as usize, visits,
        "every visit kept"
    );
    check_ledger(store, UNIT).await;
}

/// The unit's findings of one rule.
fn rule_query(rule: &str) -> raidai_store::findings::FindingQuery {
    raidai_store::findings::FindingQuery {
        hcode: UNIT.into(),
        rule: Some(rule.into()),
        limit: 1000,
        ..Default::default()
    }
}

/// A seeded store's unit and a set generated for it in a temporary folder, with its keys.
async fn generated_set(
    store: &Store,
    seed: u64,
    visits: usize,
    admissions: usize,
) -> (tempfile::TempDir, Vec<String>) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut keys = Vec::new();
    generate_with(&config(seed, visits, admissions), dir.path(), &mut |e| {
        keys.push(vkey(e))
    })
    .unwrap();
    (dir, keys)
}

/// Sets `col` of data line `line` of the `kind` file to `value`.
#[track_caller]
fn edit_line_of(dir: &std::path::Path, kind: &str, col: &str, line: usize, value: &str) {
    assert_eq!(edit_column(dir, kind, col, |i| i == line, value), 1);
}

/// The visits with a finding of `rule`, each once and sorted, with its severity.
async fn flagged(store: &Store, rule: &str) -> Vec<(String, String)> {
    let page = store
        .list_findings(&admin(), &rule_query(rule))
        .await
        .unwrap();
    let mut out: Vec<(String, String)> = page
        .items
        .into_iter()
        .map(|f| (f.vkey, f.severity))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A clinic that is missing or not five digits does not drop the visit: it is kept, posted,
/// and carries the blocking CLN01 finding with the clinic as written.
pub(super) async fn malformed_clinics_are_findings_on_kept_visits(store: &Store) {
    let (dir, keys) = generated_set(store, 89, 40, 2).await;
    let odd = ["", "0010", "ZZ999", "1"];
    for (line, value) in odd.iter().enumerate() {
        assert_eq!(
            edit_column(dir.path(), "OPD", "CLINIC", |i| i == line + 1, value),
            1
        );
    }
    imports_every_visit(store, dir.path(), keys.len()).await;
    let page = store
        .list_findings(&admin(), &rule_query("CLN01"))
        .await
        .unwrap();
    assert_eq!(page.totals.visits, odd.len() as i64);
    let mut clinics = Vec::new();
    for f in &page.items {
        assert_eq!(f.severity, "block");
        let v = store.get_visit(&admin(), hc(UNIT), &f.vkey).await.unwrap();
        assert!(
            v.visit.facts.posted || v.visit.facts.fund_amount + v.visit.facts.patient_amount == 0
        );
        clinics.push(v.visit.facts.clinic.clone());
    }
    clinics.sort();
    let mut want: Vec<String> = odd.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(clinics, want);
}

/// The stored key (`O<hn>/<seq>` or `I<an>`) of data line `line` (1 = the first after the
/// header) of the `kind` file in `dir`.
fn line_vkey(dir: &std::path::Path, kind: &str, line: usize) -> String {
    let text = std::fs::read(file_of_kind(dir, kind)).unwrap();
    let text = String::from_utf8_lossy(&text);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().trim().split('|').collect();
    let fields: Vec<&str> = lines.nth(line - 1).unwrap().split('|').collect();
    let get = |c: &str| {
        header
            .iter()
            .position(|h| *h == c)
            .map_or("", |i| fields[i].trim())
    };
    match get("AN") {
        "" => format!("O{}/{}", get("HN"), get("SEQ")),
        an => format!("I{an}"),
    }
}

/// An unreadable detail line (a drug's date, a charge's category) is refused alone: its visit
/// is kept and posted in full from its bill, with LINE01 (and CHG01 when a charge is missing)
/// blocking the claim, and the import lists the line. An unreadable optional field (a visit's
/// time) is read as blank: the visit kept with FLD01.
pub(super) async fn a_bad_detail_line_keeps_its_visit(store: &Store) {
    let (dir, keys) = generated_set(store, 90, 40, 2).await;
    edit_line_of(dir.path(), "DRU", "DATE_SERV", 1, "20261345");
    edit_line_of(dir.path(), "CHA", "CHRGITEM", 2, "Q9");
    edit_line_of(dir.path(), "OPD", "TIMEOPD", 3, "2575");
    let drug_visit = line_vkey(dir.path(), "DRU", 1);
    let charge_visit = line_vkey(dir.path(), "CHA", 2);
    let timeless_visit = line_vkey(dir.path(), "OPD", 3);
    let out = import_dir(store, dir.path(), opts()).await;
    assert_eq!(
        out.record.totals.rejects, 3,
        "the three fields, nothing else"
    );
    assert_eq!(
        out.record.counts.inserted as usize,
        keys.len(),
        "every visit kept"
    );
    check_ledger(store, UNIT).await;
    let rejects = store
        .list_rejects(&admin(), hc(UNIT), &out.record.id)
        .await
        .unwrap();
    let mut fields: Vec<(&str, &str)> = rejects
        .iter()
        .map(|r| (r.file.get(..3).unwrap_or(""), r.field.as_str()))
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("CHA", "CHRGITEM"),
            ("DRU", "DATE_SERV"),
            ("OPD", "TIMEOPD")
        ]
    );
    let mut want: Vec<(String, String)> = [&drug_visit, &charge_visit]
        .map(|v| (v.clone(), "block".into()))
        .into();
    want.sort();
    want.dedup();
    assert_eq!(flagged(store, "LINE01").await, want);
    assert!(
        flagged(store, "CHG01")
            .await
            .iter()
            .any(|(v, _)| *v == charge_visit)
    );
    // A charge line decides the fund's share: the visit waits unposted, listed with what it
    // owes, until the corrected file comes; nothing of its bill is lost.
    let v = store
        .get_visit(&admin(), hc(UNIT), &charge_visit)
        .await
        .unwrap();
    let f = &v.visit.facts;
    assert!(!f.posted, "{charge_visit} waits");
    assert_eq!(f.unposted_reason, raidai_store::claims::REFUSED_LINE);
    assert!(v.journal.is_empty());
    assert!(out.record.recon.unposted >= f.fund_amount + f.patient_amount);
    assert!(f.fund_amount + f.patient_amount > 0);
    assert_eq!(out.record.recon.parts(), out.record.recon.cht_total);
    // A drug line does not: that visit is posted.
    if drug_visit != charge_visit {
        let d = store
            .get_visit(&admin(), hc(UNIT), &drug_visit)
            .await
            .unwrap();
        assert!(d.visit.facts.posted, "{drug_visit} posted");
    }
    assert!(
        v.detail_json.contains("\"dropped\":[[\"CHA\","),
        "{}",
        v.detail_json
    );
    assert_eq!(
        flagged(store, "FLD01").await,
        [(timeless_visit, "warn".to_string())]
    );
}

/// A right no table knows keeps its visit: stored without a fund, unposted (no map line can
/// serve it), its amount in the reconciliation, RIGHT01 saying what to fix. A HOSPMAIN that
/// cannot be read keeps its visit unposted too, waiting for the corrected file.
pub(super) async fn an_unknown_right_keeps_its_visit_unposted(store: &Store) {
    let (dir, keys) = generated_set(store, 91, 30, 2).await;
    edit_line_of(dir.path(), "INS", "INSCL", 2, "XYZ");
    edit_line_of(dir.path(), "INS", "HOSPMAIN", 4, "1-100");
    let odd = line_vkey(dir.path(), "INS", 2);
    let no_hospmain = line_vkey(dir.path(), "INS", 4);
    let out = import_dir(store, dir.path(), opts()).await;
    assert_eq!(
        out.record.counts.inserted as usize,
        keys.len(),
        "every visit kept"
    );
    assert_eq!(out.record.totals.rejects, 1, "the HOSPMAIN read as blank");
    check_ledger(store, UNIT).await;
    // A HOSPMAIN that cannot be read decides the place: the visit waits for the corrected file.
    let h = store
        .get_visit(&admin(), hc(UNIT), &no_hospmain)
        .await
        .unwrap();
    assert!(!h.visit.facts.posted);
    assert_eq!(
        h.visit.facts.unposted_reason,
        raidai_store::claims::REFUSED_LINE
    );
    let v = store.get_visit(&admin(), hc(UNIT), &odd).await.unwrap();
    let f = &v.visit.facts;
    assert_eq!((f.inscl.as_str(), f.fund.as_str()), ("XYZ", ""));
    assert!(!f.posted);
    assert_eq!(f.unposted_reason, raidai_store::claims::NO_MAPPING);
    assert!(v.journal.is_empty());
    assert_eq!(
        flagged(store, "RIGHT01").await,
        [(odd, "block".to_string())]
    );
}

/// How many visits the finding query `q` lists as still open.
async fn open_visits(store: &Store, q: &raidai_store::findings::FindingQuery) -> i64 {
    let page = store.list_findings(&admin(), q).await.unwrap();
    page.totals.visits
}

/// An unknown clinic and a wrong CID check digit are findings on kept, posted visits; the
/// worklist lists them with amounts; an acceptance survives a re-audit; cross-visit checks run.
pub(super) async fn findings_on_kept_visits(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(88, 60, 4);
    cfg.corruptions = vec![Corruption::BadCid];
    let mut keys = Vec::new();
    generate_with(&cfg, dir.path(), &mut |e| keys.push(vkey(e))).unwrap();
    assert_eq!(
        edit_column(dir.path(), "OPD", "CLINIC", |i| i == 1, "05000"),
        1
    );
    imports_every_visit(store, dir.path(), keys.len()).await;
    let list = rule_query;
    let page = store.list_findings(&admin(), &list("CLN01")).await.unwrap();
    let (cln, n, amount) = (page.items, page.totals.visits, page.totals.amount);
    assert_eq!(n, 1);
    assert_eq!(cln[0].severity, "block");
    let v = store
        .get_visit(&admin(), hc(UNIT), &cln[0].vkey)
        .await
        .unwrap();
    assert_eq!(v.visit.facts.clinic, "05000");
    assert!(v.visit.facts.posted || v.visit.facts.fund_amount + v.visit.facts.patient_amount == 0);
    assert_eq!(amount, cln[0].amount);
    let cid = store
        .list_findings(&admin(), &list("CID01"))
        .await
        .unwrap()
        .items;
    assert!(!cid.is_empty(), "the patient's visits carry CID01");
    // Accepting needs a reason; it hides the finding from the worklist and survives a re-audit.
    let rev = actor(Role::UnitRevenue, UNIT);
    assert!(matches!(
        store
            .accept_finding(&rev, hc(UNIT), &cln[0].vkey, "CLN01", " ")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let other = actor(Role::UnitRevenue, "99021");
    assert!(
        store
            .accept_finding(&other, hc(UNIT), &cln[0].vkey, "CLN01", "x")
            .await
            .is_err()
    );
    store
        .accept_finding(
            &rev,
            hc(UNIT),
            &cln[0].vkey,
            "CLN01",
            "แผนกใหม่ รอ สปสช. เพิ่มรหัส",
        )
        .await
        .unwrap();
    // The findings' read model followed the import and the acceptance.
    let diffs = store.check_summaries().await.unwrap();
    assert!(diffs.is_empty(), "read models differ: {diffs:?}");
    let cln_count = store
        .rule_counts(&admin(), Some(UNIT))
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.rule == "CLN01")
        .unwrap();
    assert_eq!(cln_count.accepted, 1);
    assert_eq!(open_visits(store, &list("CLN01")).await, 0);
    let before = store.rule_counts(&admin(), Some(UNIT)).await.unwrap();
    let summary = raidai_claims::audit_unit(store, &rev, hc(UNIT))
        .await
        .unwrap();
    assert_eq!(summary.visits as usize, keys.len());
    let after = store.rule_counts(&admin(), Some(UNIT)).await.unwrap();
    assert_eq!(before, after, "a re-audit of the same data finds the same");
    let diffs = store.check_summaries().await.unwrap();
    assert!(
        diffs.is_empty(),
        "read models differ after the re-audit: {diffs:?}"
    );
    assert_eq!(open_visits(store, &list("CLN01")).await, 0);
    let mut all = list("CLN01");
    all.include_accepted = true;
    let acc = store.list_findings(&admin(), &all).await.unwrap().items;
    assert_eq!(
        acc[0].accepted_by.as_deref(),
        Some(rev.who.username.as_str())
    );
    // The other unit's officer cannot re-audit or read this unit.
    assert!(
        raidai_claims::audit_unit(store, &other, hc(UNIT))
            .await
            .is_err()
    );
    assert!(store.list_findings(&other, &list("CLN01")).await.is_err());
    // The clean-visit rate counts the accepted finding as clean.
    let roll = store
        .audit_rollup(&admin(), None, 20241001, 20270930)
        .await
        .unwrap();
    let visits: i64 = roll.iter().map(|r| r.visits).sum();
    assert_eq!(visits as usize, keys.len());
    assert!(
        roll.iter()
            .all(|r| r.clean <= r.visits && r.authen_has <= r.authen_needed)
    );
}

/// The worklist read a page at a time from its indexes and read models equals, page by page and
/// in its totals, every visit's own findings (the live evaluation, LATE01 included) sorted
/// blocking first, then by amount; so do the rule counts and the clean-visit rate.
pub(super) async fn worklist_pages_match_every_visits_findings(store: &Store) {
    use raidai_store::findings::{FindingItem, FindingQuery};
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(31, 240, 16);
    cfg.corruptions = vec![Corruption::BadCid];
    generate(&cfg, dir.path()).unwrap();
    edit_column(dir.path(), "OPD", "CLINIC", |i| i % 9 == 1, "05000");
    let out = import_dir(store, dir.path(), opts()).await;
    assert_eq!(out.record.totals.rejects, 0);
    let visits = visits_of(store, UNIT).await;
    let mut every: Vec<FindingItem> = Vec::new();
    for v in &visits {
        every.extend(
            store
                .visit_findings(&admin(), hc(UNIT), &v.visit.vkey)
                .await
                .unwrap(),
        );
    }
    // UC visits of FY2569 are past UC's 30-day window on any day after 2026-10-31.
    let late: Vec<&FindingItem> = every.iter().filter(|f| f.rule == "LATE01").collect();
    assert!(
        !late.is_empty() && late.len() < visits.len(),
        "{}",
        late.len()
    );
    assert!(every.iter().any(|f| f.severity == "block"));
    // One stored finding and one late visit accepted.
    let rev = actor(Role::UnitRevenue, UNIT);
    let stored = every.iter().find(|f| f.rule != "LATE01").unwrap().clone();
    store
        .accept_finding(&rev, hc(UNIT), &stored.vkey, &stored.rule, "ตรวจแล้ว")
        .await
        .unwrap();
    store
        .accept_finding(&rev, hc(UNIT), &late[0].vkey, "LATE01", "ส่งแล้ว")
        .await
        .unwrap();
    let accepted = |f: &FindingItem| {
        (f.vkey == stored.vkey && f.rule == stored.rule)
            || (f.vkey == late[0].vkey && f.rule == "LATE01")
    };
    let key = |f: &FindingItem| {
        (
            f.severity != "block",
            -f.amount,
            f.vkey.clone(),
            f.rule.clone(),
        )
    };
    let check = |q: FindingQuery, keep: &dyn Fn(&FindingItem) -> bool| {
        let mut want: Vec<&FindingItem> = every
            .iter()
            .filter(|f| keep(f) && (q.include_accepted || !accepted(f)))
            .collect();
        want.sort_by_key(|f| key(f));
        let mut per_visit: BTreeMap<&str, i64> = BTreeMap::new();
        for f in want.iter().filter(|f| f.rule != "LATE01") {
            let a = per_visit.entry(f.vkey.as_str()).or_default();
            *a = (*a).max(f.amount);
        }
        let late: Vec<_> = want.iter().filter(|f| f.rule == "LATE01").collect();
        let totals = raidai_store::findings::FindingTotals {
            visits: per_visit.len() as i64,
            amount: per_visit.values().sum(),
            late_visits: late.len() as i64,
            late_amount: late.iter().map(|f| f.amount).sum(),
        };
        let want: Vec<_> = want.iter().map(|f| key(f)).collect();
        (q, want, totals)
    };
    let base = FindingQuery {
        hcode: UNIT.into(),
        limit: 13,
        ..Default::default()
    };
    let month = visits[visits.len() / 2].visit.date_serv / 100;
    let mut cases = vec![
        check(base.clone(), &|_| true),
        check(
            FindingQuery {
                include_accepted: true,
                ..base.clone()
            },
            &|_| true,
        ),
        check(
            FindingQuery {
                fund: Some("UC".into()),
                ..base.clone()
            },
            &|f| f.fund == "UC",
        ),
        check(
            FindingQuery {
                month: Some(month),
                ..base.clone()
            },
            &|f| f.date_serv / 100 == month,
        ),
        check(
            FindingQuery {
                min_amount: Some(50_000),
                ..base.clone()
            },
            &|f| f.amount >= 50_000,
        ),
    ];
    for rule in ["LATE01", "CLN01"] {
        let q = FindingQuery {
            rule: Some(rule.into()),
            ..base.clone()
        };
        cases.push(check(q, &|f| f.rule == rule));
    }
    for severity in ["block", "warn"] {
        let q = FindingQuery {
            severity: Some(severity.into()),
            ..base.clone()
        };
        cases.push(check(q, &|f| f.severity == severity));
    }
    for (q, want, totals) in cases {
        let mut got = Vec::new();
        let mut page = 0;
        loop {
            let p = store
                .list_findings(
                    &admin(),
                    &FindingQuery {
                        offset: page * q.limit,
                        ..q.clone()
                    },
                )
                .await
                .unwrap();
            assert_eq!(p.totals, totals, "{q:?}");
            got.extend(p.items.iter().map(key));
            if !p.more {
                break;
            }
            page += 1;
        }
        assert_eq!(got, want, "{q:?}");
    }
    // Rule counts: LATE01 from the sums by recognition day equals the live evaluation.
    let counts = store.rule_counts(&admin(), Some(UNIT)).await.unwrap();
    let late01 = counts.iter().find(|c| c.rule == "LATE01").unwrap();
    assert_eq!(late01.visits, late.len() as i64);
    assert_eq!(late01.amount, late.iter().map(|f| f.amount).sum::<i64>());
    assert_eq!(late01.accepted, 1);
    let province = store.rule_counts(&admin(), None).await.unwrap();
    assert_eq!(province.iter().find(|c| c.rule == "LATE01"), Some(late01));
    // The clean-visit rate from the read models: a visit is clean without a blocking finding
    // left to fix.
    let roll = store
        .audit_rollup(&admin(), Some(UNIT), 20241001, 20270930)
        .await
        .unwrap();
    let mut want: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for v in &visits {
        let blocked = every
            .iter()
            .any(|f| f.vkey == v.visit.vkey && f.severity == "block" && !accepted(f));
        let e = want.entry(v.visit.date_serv / 100).or_default();
        e.0 += 1;
        e.1 += i64::from(!blocked);
    }
    let got: BTreeMap<i64, (i64, i64)> = roll
        .iter()
        .map(|r| (r.month, (r.visits, r.clean)))
        .collect();
    assert_eq!(got, want);
    assert!(store.check_summaries().await.unwrap().is_empty());
    // A damaged read model is found by the check and mended by the rebuild.
    raidai_store::testkit::exec(store, "DELETE FROM claim_sum_audit").await;
    raidai_store::testkit::exec(store, "UPDATE claim_sum_due SET visits = visits + 1").await;
    let diffs = store.check_summaries().await.unwrap();
    for table in ["claim_sum_audit", "claim_sum_due"] {
        assert!(diffs.iter().any(|d| d.0 == table), "{table}: {diffs:?}");
    }
    store.rebuild_summaries().await.unwrap();
    assert!(store.check_summaries().await.unwrap().is_empty());
}
