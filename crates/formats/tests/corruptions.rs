//! Deliberately broken generated sets: each fault gives its documented reject, the encounters
//! it touches are not importable, and every other encounter still reads back unchanged.

use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{Corruption, GenConfig, generate, generate_with};
use raidai_formats::{
    EncodingChoice, Encounter, FileKind, HeaderSet, ReadOptions, RejectCode, Source, TextEncoding,
    VisitKey, read_all,
};

fn config(
    seed: u64,
    corruptions: Vec<Corruption>,
    enc: TextEncoding,
    headers: HeaderSet,
) -> GenConfig {
    let mut c = GenConfig::new(Hcode::parse("11001").unwrap(), FiscalYear::new(2569), seed);
    c.visits = 14;
    c.admissions = 4;
    c.patients = Some(6);
    c.encoding = enc;
    c.headers = headers;
    c.corruptions = corruptions;
    c
}

fn check(cfg: &GenConfig) {
    let dir = tempfile::tempdir().unwrap();
    let mut expected: Vec<Encounter> = Vec::new();
    let summary = generate_with(cfg, dir.path(), &mut |e| expected.push(e.clone())).unwrap();
    let got = read_all(
        &Source::Dir(dir.path().into()),
        &ReadOptions {
            batch_size: 5,
            ..Default::default()
        },
    )
    .unwrap();
    // Pass 1 reads the linking files on parallel threads: one thread finds the same.
    let single = read_all(
        &Source::Dir(dir.path().into()),
        &ReadOptions {
            batch_size: 5,
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        single.rejects, got.rejects,
        "rejects differ with one thread"
    );
    assert_eq!(single.statuses, got.statuses);
    assert_eq!(single.report, got.report);
    assert_eq!(single.encounters, got.encounters);
    let mut out: Vec<VisitKey> = Vec::new();
    for a in &summary.applied {
        if let Some(code) = a.code {
            assert!(
                got.rejects
                    .iter()
                    .any(|r| r.code == code && r.file.starts_with(a.file.code())),
                "{:?}: no {code:?} in {}: {:#?}",
                a.corruption,
                a.file,
                got.rejects
            );
        }
        for k in &a.rejected {
            let s = got
                .statuses
                .iter()
                .find(|s| &s.key == k)
                .unwrap_or_else(|| panic!("{k} missing"));
            assert!(!s.importable, "{:?}: {k} importable", a.corruption);
        }
        out.extend(a.rejected.iter().cloned());
    }
    let missing_opd = cfg
        .corruptions
        .contains(&Corruption::MissingFile(FileKind::Opd));
    let survivors: Vec<&Encounter> = expected
        .iter()
        .filter(|e| !out.contains(&e.key()))
        .filter(|e| !(missing_opd && matches!(e, Encounter::Visit(_))))
        .collect();
    assert_eq!(
        got.encounters.len(),
        survivors.len(),
        "{:?} rejects: {:#?}",
        cfg.corruptions,
        got.rejects
    );
    for (g, e) in got.encounters.iter().zip(survivors) {
        if g.refused().is_empty() {
            assert_eq!(g, e);
            continue;
        }
        // The admission whose last CHA line was cut: kept without that line.
        assert!(cfg.corruptions.contains(&Corruption::TruncatedLastLine));
        let mut want = e.clone();
        let Encounter::Admission(a) = &mut want else {
            panic!(
                "only an admission keeps its key in a cut CHA line: {}",
                g.key()
            )
        };
        a.charges.pop();
        let [cut] = g.refused() else {
            panic!("one refused line: {:?}", g.refused())
        };
        assert_eq!((cut.file, cut.kept), (FileKind::Cha, false));
        a.refused = vec![*cut];
        assert_eq!(g, &want);
    }
}

#[test]
fn each_corruption_alone() {
    let all = [
        Corruption::BadDate,
        Corruption::BadCid,
        Corruption::DuplicateHnSeq,
        Corruption::ChtWithoutVisit,
        Corruption::UnknownRight,
        Corruption::MissingFile(FileKind::Ins),
        Corruption::MissingFile(FileKind::Pat),
        Corruption::MissingFile(FileKind::Cht),
        Corruption::MissingFile(FileKind::Opd),
        Corruption::MissingFile(FileKind::Lvd),
        Corruption::TruncatedLastLine,
        Corruption::WrongEncoding,
    ];
    for (i, c) in all.into_iter().enumerate() {
        for (enc, headers) in [
            (TextEncoding::Windows874, HeaderSet::Classic),
            (TextEncoding::Utf8, HeaderSet::Fdh),
        ] {
            check(&config(100 + i as u64, vec![c], enc, headers));
        }
    }
}

#[test]
fn several_corruptions_at_once() {
    let c = vec![
        Corruption::UnknownRight,
        Corruption::BadDate,
        Corruption::DuplicateHnSeq,
        Corruption::ChtWithoutVisit,
        Corruption::BadCid,
        Corruption::TruncatedLastLine,
        Corruption::WrongEncoding,
    ];
    check(&config(
        7,
        c.clone(),
        TextEncoding::Windows874,
        HeaderSet::Fdh,
    ));
    check(&config(8, c, TextEncoding::Utf8, HeaderSet::Classic));
}

#[test]
fn corruption_on_an_admission() {
    // With no OP visits the first faults land on admissions (IPD instead of OPD).
    let mut cfg = config(
        9,
        vec![Corruption::BadDate, Corruption::DuplicateHnSeq],
        TextEncoding::Utf8,
        HeaderSet::Fdh,
    );
    cfg.visits = 0;
    check(&cfg);
    let dir = tempfile::tempdir().unwrap();
    let s = generate(&cfg, dir.path()).unwrap();
    assert_eq!(s.applied[1].code, Some(RejectCode::DuplicateAdmission));
}

#[test]
fn declared_encoding_wrong_for_a_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(11, vec![], TextEncoding::Windows874, HeaderSet::Classic);
    generate(&cfg, dir.path()).unwrap();
    let opts = ReadOptions {
        encoding: EncodingChoice::Declared(TextEncoding::Utf8),
        ..Default::default()
    };
    let got = read_all(&Source::Dir(dir.path().into()), &opts).unwrap();
    assert!(got.encounters.is_empty());
    assert_eq!(got.report.visits.rejected, 14);
    let bad: u64 = got.report.files.iter().map(|f| f.replacement_chars).sum();
    assert!(bad > 0);
    assert!(got.report.rejects_by_code[&RejectCode::Encoding] > 0);
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let read = |seed| {
        let dir = tempfile::tempdir().unwrap();
        generate(
            &config(seed, vec![], TextEncoding::Windows874, HeaderSet::Fdh),
            dir.path(),
        )
        .unwrap();
        FileKind::ALL
            .iter()
            .map(|k| std::fs::read(dir.path().join(format!("{k}.txt"))).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(read(5), read(5));
    assert_ne!(read(5), read(6));
}
