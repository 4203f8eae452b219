//! Posting: the default map, the coverage worklist and admissions still in hospital.

use super::*;
use raidai_store::testkit::hc;

/// A generated year with every right (STP included) and patients of this CUP, another CUP of
/// the province and another province: no visit with an amount for its fund is left unposted by
/// the default map (STP admissions and STP OP from another province go to the central lines).
pub(super) async fn no_visit_is_left_unposted_by_the_default_map(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    generate(&config(31, 1500, 150), dir.path()).unwrap();
    let out = import_dir(store, dir.path(), opts()).await;
    let (rows, n) = store
        .list_visits(
            &admin(),
            &raidai_store::claims::VisitQuery {
                hcode: UNIT.into(),
                posted: Some(false),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let unexplained: Vec<String> = rows
        .iter()
        .filter(|v| v.facts.fund_amount != 0)
        .map(|v| {
            format!(
                "{} {} {} {} {}",
                v.facts.fund, v.visit.setting, v.facts.place, v.facts.case, v.facts.fund_amount
            )
        })
        .collect();
    assert!(
        unexplained.is_empty(),
        "{n} unposted of {}: {unexplained:#?}",
        out.record.counts.inserted
    );
    let (stp, _) = store
        .list_visits(
            &admin(),
            &raidai_store::claims::VisitQuery {
                hcode: UNIT.into(),
                fund: Some("STP".into()),
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        stp.iter()
            .any(|v| v.visit.setting == "IP" && v.facts.case == "central" && v.facts.posted)
    );
}

/// The coverage check lists the (fiscal year, fund, setting, place, case) groups a map without
/// lines leaves unposted, with their amounts, and sees when the map has a line for them again.
pub(super) async fn coverage_lists_what_the_map_misses(store: &Store) {
    seed_small(store).await;
    // The province's map for FY 2569 without the UC lines.
    let full = include_str!("../../../domain/data/posting_map.tsv");
    let no_uc: String = full
        .lines()
        .filter(|l| !l.starts_with("UC\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    store
        .save_posting_map(&admin(), "99", 2569, &no_uc)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    generate(&config(33, 300, 20), dir.path()).unwrap();
    import_dir(store, dir.path(), opts()).await;
    let rows = coverage_gaps(store).await;
    let uc: Vec<_> = rows.iter().filter(|r| r.group.fund == "UC").collect();
    assert!(!uc.is_empty(), "{rows:#?}");
    assert!(
        uc.iter()
            .all(|r| r.receivable_now.is_none() && r.group.fy == 2569)
    );
    assert!(uc.iter().map(|r| r.group.fund_amount).sum::<i64>() > 0);
    let visits: i64 = uc.iter().map(|r| r.group.visits).sum();
    let (_, unposted) = store
        .list_visits(
            &admin(),
            &raidai_store::claims::VisitQuery {
                hcode: UNIT.into(),
                fund: Some("UC".into()),
                posted: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(visits, unposted, "every unposted UC visit is in a group");
    // Once the map has the lines again, the groups only wait to be re-posted.
    store
        .save_posting_map(&admin(), "99", 2569, full)
        .await
        .unwrap();
    let rows = coverage_gaps(store).await;
    assert!(rows.iter().filter(|r| r.group.fund == "UC").all(|r| {
        r.receivable_now
            .as_deref()
            .is_some_and(|a| a.starts_with("1102050"))
    }));
    // Another unit's officer cannot read it, nor re-post it; a district officer cannot re-post.
    let other = raidai_store::testkit::actor(raidai_domain::master::Role::UnitRevenue, "99021");
    assert!(
        raidai_claims::coverage(store, &other, hc(UNIT))
            .await
            .is_err()
    );
    assert!(
        raidai_claims::repost(store, &other, hc(UNIT))
            .await
            .is_err()
    );
    let district = raidai_store::testkit::actor(raidai_domain::master::Role::District, "9901");
    assert!(
        raidai_claims::repost(store, &district, hc(UNIT))
            .await
            .is_err()
    );
    // The re-post posts every waiting visit, in one entry of the import history.
    let waiting = visits;
    let head = raidai_store::testkit::actor(raidai_domain::master::Role::UnitRevenue, UNIT);
    let rec = raidai_claims::repost(store, &head, hc(UNIT))
        .await
        .unwrap()
        .expect("visits re-posted");
    assert_eq!(rec.kind, "repost");
    assert_eq!(rec.counts.updated, waiting);
    assert!(rec.counts.posted_amount > 0);
    assert_eq!(rec.recon.parts(), rec.recon.cht_total);
    assert!(coverage_gaps(store).await.is_empty());
    check_ledger(store, UNIT).await;
    let history = store.list_imports(&admin(), hc(UNIT), 10).await.unwrap();
    assert!(history.iter().any(|r| r.id == rec.id && r.kind == "repost"));
    // Nothing waits any more: nothing is recorded.
    assert!(
        raidai_claims::repost(store, &head, hc(UNIT))
            .await
            .unwrap()
            .is_none()
    );
    // Re-importing the same files after the re-post changes nothing.
    let again = import_dir(store, dir.path(), opts()).await;
    assert_eq!(again.record.counts.updated, 0);
    check_ledger(store, UNIT).await;
}

/// The unit's coverage worklist: visits whose right the posting map cannot place.
async fn coverage_gaps(store: &Store) -> Vec<raidai_claims::CoverageRow> {
    raidai_claims::coverage(store, &admin(), hc(UNIT))
        .await
        .unwrap()
}

/// The file of `kind` in `dir`, by name prefix whatever the name's case.
pub(super) fn file_of_kind(dir: &Path, kind: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .to_uppercase()
                .starts_with(kind)
        })
        .unwrap()
}

/// Rewrites column `col` of the data lines of the file of `kind` (by name prefix) where
/// `pick(line_index)` says so; returns how many lines were changed.
pub(super) fn edit_column(
    dir: &Path,
    kind: &str,
    col: &str,
    pick: impl Fn(usize) -> bool,
    value: &str,
) -> usize {
    let path = file_of_kind(dir, kind);
    let text = std::fs::read(&path).unwrap();
    let header_end = text.iter().position(|b| *b == b'\n').unwrap();
    let header = String::from_utf8_lossy(&text[..header_end])
        .trim()
        .to_string();
    let at = header.split('|').position(|h| h == col).unwrap();
    let mut out = Vec::new();
    let mut changed = 0;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut fields: Vec<Vec<u8>> = line.split(|b| *b == b'|').map(|f| f.to_vec()).collect();
        if i > 0 && fields.len() > at && pick(i) {
            fields[at] = value.as_bytes().to_vec();
            changed += 1;
        }
        out.extend(fields.join(&b'|'));
    }
    std::fs::write(&path, out).unwrap();
    changed
}

/// An admission without a discharge date is kept, listed as in hospital and not posted; once
/// an import brings its discharge date it posts, dated at discharge. Each import reconciles:
/// CHT total = fund + patient receivable + paid + unposted + in hospital (− paid above the bill).
pub(super) async fn admissions_in_hospital_wait_for_discharge(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    generate(&config(41, 40, 6), dir.path()).unwrap();
    let original = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, original.path().join(p.file_name().unwrap())).unwrap();
    }
    assert_eq!(edit_column(dir.path(), "IPD", "DATEDSC", |i| i <= 2, ""), 2);
    assert_eq!(edit_column(dir.path(), "IPD", "TIMEDSC", |i| i <= 2, ""), 2);
    let out = import_dir(store, dir.path(), opts()).await;
    assert_eq!(
        out.record.totals.rejected_encounters, 0,
        "kept, not rejected"
    );
    let (waiting, n) = store
        .list_visits(
            &admin(),
            &VisitQuery {
                hcode: UNIT.into(),
                unposted_reason: Some(raidai_store::claims::IN_HOSPITAL.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        waiting
            .iter()
            .all(|v| v.visit.setting == "IP" && !v.facts.posted && v.visit.date_dsc == 0)
    );
    let owed: i64 = waiting
        .iter()
        .map(|v| v.facts.fund_amount + v.facts.patient_amount)
        .sum();
    let rc = out.record.recon;
    assert_eq!(rc.in_hospital, owed);
    assert_eq!(rc.parts(), rc.cht_total, "{rc:?}");
    let all = visits_of(store, UNIT).await;
    assert_eq!(rc.cht_total, all.iter().map(|v| v.facts.total).sum::<i64>());
    assert_eq!(
        rc.fund_posted + rc.patient_posted,
        all.iter()
            .filter(|v| v.facts.posted)
            .map(|v| v.facts.fund_amount + v.facts.patient_amount)
            .sum::<i64>()
    );
    // Not a map problem: the coverage worklist does not list them.
    assert!(coverage_gaps(store).await.is_empty());
    check_ledger(store, UNIT).await;
    // Discharged: the next import posts them at their discharge date.
    let later = import_dir(store, original.path(), opts()).await;
    assert_eq!(later.record.counts.updated, 2);
    assert_eq!(later.record.recon.in_hospital, 0);
    for v in &waiting {
        let d = store
            .get_visit(&admin(), hc(UNIT), &v.visit.vkey)
            .await
            .unwrap();
        assert!(d.visit.facts.posted);
        assert!(d.visit.visit.date_dsc >= d.visit.visit.date_serv);
        assert!(
            d.journal
                .iter()
                .all(|l| l.post_date == d.visit.visit.date_dsc)
        );
        assert!(
            d.journal
                .iter()
                .all(|l| l.date_serv == d.visit.visit.date_serv)
        );
    }
    check_ledger(store, UNIT).await;
}
