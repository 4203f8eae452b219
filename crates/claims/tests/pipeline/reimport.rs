//! Re-imports, tenancy, and the stored rows against the pure pipeline.

use super::*;
use raidai_store::testkit::hc;

/// Re-importing the same files changes nothing; a changed visit is updated, its old posting
/// reversed, and the change audited.
pub(super) async fn reimport_is_idempotent_and_changes_are_audited(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(21, 25, 3);
    let mut first: Option<Encounter> = None;
    generate_with(&cfg, dir.path(), &mut |e| {
        if first.is_none() {
            first = Some(e.clone());
        }
    })
    .unwrap();
    let a = import_dir(store, dir.path(), opts()).await;
    assert_eq!(a.record.counts.inserted, 28);
    let totals = store.journal_totals(&admin(), hc(UNIT)).await.unwrap();
    let b = import_dir(store, dir.path(), opts()).await;
    assert_eq!(change_counts(&b), (0, 0, 28));
    assert_eq!(
        store.journal_totals(&admin(), hc(UNIT)).await.unwrap(),
        totals
    );

    // Change the right of the first visit: UCS ↔ OFC in INS.
    let first = first.unwrap();
    let key = vkey(&first);
    let ins = file_of_kind(dir.path(), "INS");
    let bytes = std::fs::read(&ins).unwrap();
    let text: Vec<u8> = bytes.clone();
    let header_end = text.iter().position(|b| *b == b'\n').unwrap();
    let header = String::from_utf8_lossy(&text[..header_end])
        .trim()
        .to_string();
    let col = header.split('|').position(|h| h == "INSCL").unwrap();
    let hn = first.hn().as_str().to_string();
    let mut out = Vec::new();
    let mut changed = false;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut fields: Vec<Vec<u8>> = line.split(|b| *b == b'|').map(|f| f.to_vec()).collect();
        let seq_match = match &first {
            Encounter::Visit(v) => line
                .split(|b| *b == b'|')
                .any(|f| f == v.opd.seq.as_str().as_bytes()),
            Encounter::Admission(x) => line
                .split(|b| *b == b'|')
                .any(|f| f == x.ipd.an.as_str().as_bytes()),
        };
        if !changed
            && i > 0
            && fields.first().map(|f| f.as_slice()) == Some(hn.as_bytes())
            && seq_match
        {
            let new = if fields[col] == b"OFC" {
                b"UCS".to_vec()
            } else {
                b"OFC".to_vec()
            };
            fields[col] = new;
            changed = true;
        }
        out.extend(fields.join(&b'|'));
    }
    assert!(changed, "INS line of the first visit found");
    std::fs::write(&ins, out).unwrap();
    let before = store.get_visit(&admin(), hc(UNIT), &key).await.unwrap();
    let c = import_dir(store, dir.path(), opts()).await;
    assert_eq!(change_counts(&c), (0, 1, 27));
    let after = store.get_visit(&admin(), hc(UNIT), &key).await.unwrap();
    assert_ne!(before.visit.facts.inscl, after.visit.facts.inscl);
    if !before.journal.is_empty() {
        assert!(after.journal.iter().any(|l| l.kind == "reverse"));
    }
    // Append-only: every old line is still there.
    assert!(after.journal.len() >= before.journal.len());
    check_ledger(store, UNIT).await;
    let audit = store
        .list_audit(
            &admin(),
            &raidai_store::audit::AuditQuery {
                entity: Some("claim_visit".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entity_key == key && a.action == "update")
    );
}

/// A unit imports only for itself; district and province users import for nobody; the province
/// sees every unit's roll-up, a district only its own.
pub(super) async fn tenancy(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    generate(&config(31, 10, 1), dir.path()).unwrap();
    for who in [
        actor(Role::UnitRevenue, "99011"),
        actor(Role::UnitHead, "99002"),
        actor(Role::District, "9901"),
        actor(Role::Province, "99"),
    ] {
        let r = import(store, &who, Source::Dir(dir.path().into()), opts()).await;
        assert!(
            matches!(
                r,
                Err(raidai_claims::ClaimsError::Store(
                    StoreError::Forbidden | StoreError::NotFound
                ))
            ),
            "{:?} imported for {UNIT}",
            who.who.role
        );
    }
    assert!(visits_of(store, UNIT).await.is_empty());
    let own = actor(Role::UnitRevenue, UNIT);
    let out = import(store, &own, Source::Dir(dir.path().into()), opts())
        .await
        .unwrap();
    assert_eq!(out.record.counts.inserted, 11);
    let province = store
        .claims_rollup(&actor(Role::Province, "99"), None)
        .await
        .unwrap();
    assert!(province.iter().any(|r| r.hcode == UNIT));
    let other = store
        .claims_rollup(&actor(Role::District, "9902"), None)
        .await
        .unwrap();
    assert!(other.is_empty());
    assert!(matches!(
        store
            .list_visits(
                &actor(Role::UnitRevenue, "99021"),
                &VisitQuery {
                    hcode: UNIT.into(),
                    ..Default::default()
                }
            )
            .await,
        Err(StoreError::NotFound)
    ));
}

/// Classification and posting of generated encounters agree with what is stored.
pub(super) async fn stored_rows_match_the_pure_pipeline(store: &Store) {
    seed_small(store).await;
    let dir = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    generate_with(&config(41, 30, 5), dir.path(), &mut |e| {
        seen.push(e.clone())
    })
    .unwrap();
    let zip = dir.path().join("set.zip");
    let sub = dir.path().join("files");
    std::fs::create_dir(&sub).unwrap();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() && p.extension().is_some_and(|x| x == "txt") {
            std::fs::rename(&p, sub.join(p.file_name().unwrap())).unwrap();
        }
    }
    raidai_formats::generate::zip_dir(&sub, &zip).unwrap();
    let out = import(store, &admin(), Source::Zip(zip), opts())
        .await
        .unwrap();
    assert_eq!(out.record.totals.rejects, 0);
    assert!(
        out.record
            .files
            .iter()
            .any(|f| f.kind == "ZIP" && f.sha256.len() == 64)
    );
    let places = Places::from(store.unit_places(&admin(), hc(UNIT)).await.unwrap());
    let maps = raidai_claims::Maps::new(BTreeMap::new());
    let stored: HashMap<String, _> = visits_of(store, UNIT)
        .await
        .into_iter()
        .map(|v| (v.visit.vkey.clone(), v))
        .collect();
    for e in &seen {
        let row = encounter_row(e, &places, &maps);
        let s = &stored[&row.visit.vkey];
        assert_eq!(
            (
                &s.facts.fund,
                &s.facts.place,
                &s.facts.case,
                s.facts.fund_amount,
                s.facts.patient_amount
            ),
            (
                &row.facts.fund,
                &row.facts.place,
                &row.facts.case,
                row.facts.fund_amount,
                row.facts.patient_amount
            )
        );
    }
}
