//! Claim files from stored visits, on SQLite and (with RAIDAI_TEST_PG_URL) PostgreSQL: a
//! generated set is imported, its stored rows exported with both header sets, and the files
//! read back with the project's own reader; the FDH upload rules (DOMAIN §1.3) are checked on
//! the output and shown to fail on broken sets.
//!
//! Names and citizen IDs are synthetic here, and still never printed: assertions on them carry
//! their own messages.

use raidai_claims::export::{DEFAULT_HEADERS, ExportError, claim_files, fdh_check, unzip};
use raidai_claims::{ImportOptions, Maps, Places, encounter_row, import};
use raidai_domain::ids::Hcode;
use raidai_formats::generate::GenConfig;
use raidai_formats::{
    FileKind, HeaderSet, ReadAll, ReadOptions, RejectCode, Source, TextEncoding, read_all,
};
use raidai_store::claims::{VisitFacts, VisitRow};
use raidai_store::testkit::hc;
use raidai_store::testkit::seed_small;
use raidai_store::{Actor, Store};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

mod common;
use common::{import_generated, province_config, visits_of};

const UNIT: &str = "99001";
const VISITS: usize = 60;
const ADMISSIONS: usize = 12;

type Files = Vec<(String, Vec<u8>)>;

fn admin() -> Actor {
    Actor::system()
}

/// An FDH set (so it has LAB lines and invoice numbers), one admission still in hospital.
fn config(seed: u64) -> GenConfig {
    let mut cfg = province_config(UNIT, 2569, seed);
    cfg.visits = VISITS;
    cfg.admissions = ADMISSIONS;
    cfg.in_hospital = 1;
    cfg.headers = HeaderSet::Fdh;
    cfg
}

/// Generates and imports a set; returns the unit's stored rows with their detail.
async fn imported(store: &Store, seed: u64) -> Vec<VisitRow> {
    seed_small(store).await;
    let out = import_generated(store, &config(seed), UNIT).await;
    assert_eq!(out.record.totals.rejects, 0);
    let rows = stored_rows(store, UNIT).await;
    assert_eq!(rows.len(), VISITS + ADMISSIONS);
    rows
}

/// The stored rows of a unit with their detail, through the visit list and the visit page.
async fn stored_rows(store: &Store, hcode: &str) -> Vec<VisitRow> {
    let mut rows = Vec::new();
    for s in visits_of(store, hcode).await {
        let d = store
            .get_visit(&admin(), hc(hcode), &s.visit.vkey)
            .await
            .unwrap();
        let v = d.visit;
        rows.push(VisitRow {
            recognised: raidai_domain::periods::recognition_date(
                v.visit.setting == "IP",
                v.visit.date_serv,
                v.visit.date_dsc,
            ),
            visit: v.visit,
            facts: VisitFacts {
                fy: v.facts.fy,
                clinic: v.facts.clinic,
                pdx: v.facts.pdx,
                cid: v.facts.cid,
                patient_name: v.facts.patient_name,
                sex: v.facts.sex,
                dob: v.facts.dob,
                inscl: v.facts.inscl,
                subtype: v.facts.subtype,
                hospmain: v.facts.hospmain,
                permitno: v.facts.permitno,
                fund: v.facts.fund,
                place: v.facts.place,
                case: v.facts.case,
                total: v.facts.total,
                paid: v.facts.paid,
                claimable: v.facts.claimable,
                fund_amount: v.facts.fund_amount,
                patient_amount: v.facts.patient_amount,
                posted: v.facts.posted,
                unposted_reason: v.facts.unposted_reason,
                receivable: v.facts.receivable,
            },
            content_hash: String::new(),
            detail_json: d.detail_json,
            lines: Vec::new(),
            findings: Vec::new(),
        });
    }
    // The order of the files: by key, like an export of a unit would take them.
    rows.sort_by(|a, b| a.visit.vkey.cmp(&b.visit.vkey));
    rows
}

fn write_dir(files: &Files) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn read_back(source: &Source) -> ReadAll {
    read_all(
        source,
        &ReadOptions {
            unit: Some(Hcode::parse(UNIT).unwrap()),
            ..ReadOptions::default()
        },
    )
    .unwrap()
}

/// Reject codes and places only (a reject's value may be personal data).
fn reject_summary(r: &ReadAll) -> Vec<String> {
    r.rejects
        .iter()
        .map(|j| format!("{} line {} {} {:?}", j.file, j.line, j.field, j.code))
        .collect()
}

fn file<'a>(files: &'a Files, name: &str) -> &'a [u8] {
    &files.iter().find(|(n, _)| n == name).unwrap().1
}

/// Data lines of a file as fields (by header name), ASCII fields only are looked at.
fn table(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split("\r\n");
    let header = lines
        .next()
        .unwrap()
        .split('|')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(bytes: &[u8], name: &str) -> Vec<String> {
    let (header, rows) = table(bytes);
    let i = header.iter().position(|h| h == name).unwrap();
    rows.into_iter().map(|r| r[i].clone()).collect()
}

/// The detail as JSON without the keys a set does not carry.
fn detail_without(json: &str, keys: &[&str]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    for k in keys {
        v.as_object_mut().unwrap().remove(*k);
    }
    v
}

/// 1. Both header sets read back with zero rejects: the same visits and admissions, bills,
///    charges, diagnoses, patients and rights; the FDH set re-imported changes nothing.
async fn exported_sets_read_back_without_rejects(store: &Store) {
    let rows = imported(store, 71).await;
    let unit_places = store.unit_places(&admin(), hc(UNIT)).await.unwrap();
    let maps = Maps::new(
        store
            .posting_map_versions(&unit_places.province_code)
            .await
            .unwrap(),
    );
    let places = Places::from(unit_places);
    let by_key: BTreeMap<&str, &VisitRow> =
        rows.iter().map(|r| (r.visit.vkey.as_str(), r)).collect();
    let n_ip = rows.iter().filter(|r| r.visit.setting == "IP").count();
    assert_eq!(n_ip, ADMISSIONS);
    assert!(
        rows.iter()
            .any(|r| r.visit.setting == "IP" && r.visit.date_dsc == 0)
    );

    for headers in [HeaderSet::Fdh, HeaderSet::Classic] {
        let out = claim_files(UNIT, &rows, headers).unwrap();
        assert_eq!(out.visits, rows.len());
        let files = unzip(&out.zip).unwrap();
        // The files listed are the files of the zip, with their sizes, hashes and records.
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let listed: Vec<&str> = out.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, listed);
        for (f, (_, bytes)) in out.files.iter().zip(&files) {
            assert_eq!(f.bytes, bytes.len() as u64, "{}", f.name);
            let hash: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(f.sha256, hash, "{}", f.name);
            assert_eq!(f.records, table(bytes).1.len() as u64, "{}", f.name);
            assert_eq!(f.unmappable, 0, "{}", f.name);
        }
        let expected: BTreeSet<&str> = match headers {
            // Every file of the set, header only when empty, as DEW writes them.
            HeaderSet::Classic => FileKind::ALL
                .iter()
                .filter(|k| **k != FileKind::Lab)
                .map(|k| k.code())
                .collect(),
            // The mandatory files and the ones with records (at most 16 per upload).
            HeaderSet::Fdh => out
                .files
                .iter()
                .filter(|f| {
                    f.records > 0 || ["INS.txt", "PAT.txt", "CHT.txt"].contains(&f.name.as_str())
                })
                .map(|f| &f.name[..3])
                .collect(),
        };
        let got: BTreeSet<&str> = names.iter().map(|n| &n[..3]).collect();
        assert_eq!(got, expected, "{headers:?}");
        if headers == HeaderSet::Fdh {
            assert!(out.files.iter().all(|f| f.records > 0));
            assert!(got.contains("LAB") && got.contains("IPD") && got.contains("OPD"));
        }
        assert_eq!(fdh_check(&files, UNIT), Vec::<String>::new(), "{headers:?}");

        // Read back from a folder and from the zip itself: no reject, the same encounters.
        let dir = write_dir(&files);
        let zip_path = dir.path().join("claim.zip");
        std::fs::write(&zip_path, &out.zip).unwrap();
        let from_zip = read_back(&Source::Zip(zip_path.clone()));
        std::fs::remove_file(&zip_path).unwrap();
        let back = read_back(&Source::Dir(dir.path().into()));
        for r in [&back, &from_zip] {
            assert!(r.rejects.is_empty(), "{headers:?}: {:?}", reject_summary(r));
            assert_eq!(r.report.visits.total, (rows.len() - n_ip) as u64);
            assert_eq!(r.report.visits.importable, (rows.len() - n_ip) as u64);
            assert_eq!(r.report.admissions.total, n_ip as u64);
            assert_eq!(r.report.admissions.importable, n_ip as u64);
            assert_eq!(r.encounters.len(), rows.len());
        }
        let patients: BTreeSet<&str> = rows.iter().map(|r| r.visit.hn.as_str()).collect();
        assert_eq!(back.report.patients, patients.len() as u64);

        for e in &back.encounters {
            let again = encounter_row(e, &places, &maps);
            let was = by_key[again.visit.vkey.as_str()];
            // Bills and charges.
            assert_eq!(
                again.facts.total, was.facts.total,
                "{} CHT total",
                was.visit.vkey
            );
            assert_eq!(
                again.facts.paid, was.facts.paid,
                "{} CHT paid",
                was.visit.vkey
            );
            assert_eq!(e.bills().len(), 1, "{} one CHT", was.visit.vkey);
            let cha: i64 = e.charges().iter().map(|c| c.amount.0).sum();
            assert_eq!(cha, was.facts.total, "{} Σ CHA", was.visit.vkey);
            assert_eq!(
                again.facts.claimable, was.facts.claimable,
                "{} claimable",
                was.visit.vkey
            );
            // Diagnoses, in order with their types.
            let dx = |json: &str| detail_without(json, &[])["dx"].clone();
            assert_eq!(
                dx(&again.detail_json),
                dx(&was.detail_json),
                "{}",
                was.visit.vkey
            );
            assert_eq!(again.facts.pdx, was.facts.pdx, "{}", was.visit.vkey);
            // The rest of the detail: FDH keeps everything, classic has no LAB and no invoice.
            let dropped: &[&str] = match headers {
                HeaderSet::Fdh => &[],
                HeaderSet::Classic => &["lab", "inv"],
            };
            assert_eq!(
                detail_without(&again.detail_json, dropped),
                detail_without(&was.detail_json, dropped),
                "{} detail",
                was.visit.vkey
            );
            // Keys, dates, right and classification.
            let facts = |r: &VisitRow| {
                (
                    (
                        r.visit.setting.clone(),
                        r.visit.hn.clone(),
                        r.visit.seq.clone(),
                        r.visit.an.clone(),
                    ),
                    (
                        r.visit.date_serv,
                        r.visit.date_dsc,
                        r.facts.clinic.clone(),
                        r.facts.sex.clone(),
                        r.facts.dob,
                    ),
                    (
                        r.facts.inscl.clone(),
                        r.facts.subtype.clone(),
                        r.facts.hospmain.clone(),
                        r.facts.permitno.clone(),
                    ),
                    (
                        r.facts.fund.clone(),
                        r.facts.place.clone(),
                        r.facts.case.clone(),
                    ),
                    (
                        r.facts.fund_amount,
                        r.facts.patient_amount,
                        r.facts.posted,
                        r.facts.receivable.clone(),
                    ),
                )
            };
            assert_eq!(facts(&again), facts(was), "{}", was.visit.vkey);
            // Personal data: compared, never printed.
            assert!(
                again.facts.patient_name == was.facts.patient_name,
                "{}: the patient's name differs",
                was.visit.vkey
            );
            assert!(
                again.facts.cid == was.facts.cid,
                "{}: the CID differs",
                was.visit.vkey
            );
        }
        if headers == HeaderSet::Classic {
            assert!(!files.iter().any(|(n, _)| n == "LAB.txt"));
        }
    }

    // Re-importing the FDH export into the unit it came from changes nothing: every visit's
    // content hash (everything stored, postings included) is the same.
    let out = claim_files(UNIT, &rows, DEFAULT_HEADERS).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("FDH_claim.zip");
    std::fs::write(&zip_path, &out.zip).unwrap();
    let again = import(
        store,
        &admin(),
        Source::Zip(zip_path),
        ImportOptions::new(hc(UNIT)),
    )
    .await
    .unwrap();
    assert_eq!(again.record.totals.rejects, 0);
    let c = again.record.counts;
    assert_eq!(
        (c.inserted, c.updated, c.unchanged),
        (0, 0, rows.len() as i64),
        "{c:?}"
    );
}

/// 2. The FDH rules of DOMAIN §1.3 hold on the output, each checked on its own; the checker
///    fails on sets broken one rule at a time (and the reader agrees where it checks the rule).
async fn fdh_rules_hold_and_broken_sets_fail(store: &Store) {
    let rows = imported(store, 72).await;
    let files = unzip(&claim_files(UNIT, &rows, HeaderSet::Fdh).unwrap().zip).unwrap();
    let names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();

    // INS, PAT, CHT present; OPD or IPD present.
    for f in ["INS.txt", "PAT.txt", "CHT.txt"] {
        assert!(names.contains(f), "{f}");
    }
    assert!(names.contains("OPD.txt") || names.contains("IPD.txt"));
    // No duplicate HN in PAT; every HN of INS (and of every other file) in PAT.
    let pat_hns = column(file(&files, "PAT.txt"), "HN");
    let pat_set: BTreeSet<&String> = pat_hns.iter().collect();
    assert_eq!(pat_set.len(), pat_hns.len(), "an HN twice in PAT");
    for hn in column(file(&files, "INS.txt"), "HN") {
        assert!(pat_set.contains(&hn), "INS HN {hn} not in PAT");
    }
    // (HN, SEQ) unique in OPD, (HN, AN) in IPD; SEQ/AN present where required.
    let pairs = |name: &str, key: &str| {
        let (hns, keys) = (
            column(file(&files, name), "HN"),
            column(file(&files, name), key),
        );
        assert!(keys.iter().all(|k| !k.is_empty()), "{name} {key} blank");
        let all: Vec<(String, String)> = hns.into_iter().zip(keys).collect();
        let set: BTreeSet<&(String, String)> = all.iter().collect();
        assert_eq!(set.len(), all.len(), "{name} (HN,{key}) twice");
    };
    pairs("OPD.txt", "SEQ");
    pairs("IPD.txt", "AN");
    for name in [
        "INS.txt", "CHT.txt", "CHA.txt", "AER.txt", "ADP.txt", "DRU.txt",
    ] {
        if !names.contains(name) {
            continue;
        }
        let (seq, an) = (
            column(file(&files, name), "SEQ"),
            column(file(&files, name), "AN"),
        );
        assert!(
            seq.iter()
                .zip(&an)
                .all(|(s, a)| !s.is_empty() || !a.is_empty()),
            "{name}: a line without SEQ and AN"
        );
    }
    for (name, key) in [
        ("ODX.txt", "SEQ"),
        ("IDX.txt", "AN"),
        ("IOP.txt", "AN"),
        ("LAB.txt", "SEQ"),
    ] {
        assert!(
            column(file(&files, name), key)
                .iter()
                .all(|k| !k.is_empty())
        );
    }
    // HCODE of PAT, DRU and LAB is the unit; INS carries it too in the FDH set.
    for name in ["PAT.txt", "DRU.txt", "LAB.txt", "INS.txt"] {
        let h = column(file(&files, name), "HCODE");
        assert!(!h.is_empty() && h.iter().all(|h| h == UNIT), "{name} HCODE");
    }
    // Dates YYYYMMDD (CE) and times HHMM.
    for (name, col, len) in [
        ("OPD.txt", "DATEOPD", 8),
        ("OPD.txt", "TIMEOPD", 4),
        ("IPD.txt", "DATEADM", 8),
        ("IPD.txt", "TIMEADM", 4),
        ("CHT.txt", "DATE", 8),
        ("CHA.txt", "DATE", 8),
        ("DRU.txt", "DATE_SERV", 8),
        ("PAT.txt", "DOB", 8),
    ] {
        for v in column(file(&files, name), col) {
            assert!(
                v.len() == len && v.bytes().all(|b| b.is_ascii_digit()),
                "{name} {col} {v}"
            );
            if len == 8 {
                assert!(v[..4].parse::<i32>().unwrap() < 2400, "{name} {col} in BE");
            }
        }
    }
    assert_eq!(fdh_check(&files, UNIT), Vec::<String>::new());

    // Broken one rule at a time: the checker names the break.
    let first_line = |name: &str| {
        let b = file(&files, name);
        let text = b.split(|c| *c == b'\n').nth(1).unwrap();
        text.strip_suffix(b"\r").unwrap_or(text).to_vec()
    };
    let with = |name: &str, bytes: Vec<u8>| -> Files {
        files
            .iter()
            .map(|(n, b)| (n.clone(), if n == name { bytes.clone() } else { b.clone() }))
            .collect()
    };
    let appended = |name: &str, line: &[u8]| {
        let mut b = file(&files, name).to_vec();
        b.extend_from_slice(b"\r\n");
        b.extend_from_slice(line);
        with(name, b)
    };
    // The first data line of a file with some of its fields replaced.
    let edited = |name: &str, fields: &[(&str, &str)]| {
        let (header, mut lines) = table(file(&files, name));
        for (col, value) in fields {
            let i = header.iter().position(|h| h == col).unwrap();
            lines[0][i] = value.to_string();
        }
        // The ASCII fields are what the rules look at; the lossy text is fine for them.
        let mut out = header.join("|");
        for l in lines {
            out.push_str("\r\n");
            out.push_str(&l.join("|"));
        }
        with(name, out.into_bytes())
    };
    let without = |drop: &[&str]| -> Files {
        files
            .iter()
            .filter(|(n, _)| !drop.contains(&n.as_str()))
            .cloned()
            .collect()
    };
    let broken: Vec<(&str, Files, &str)> = vec![
        (
            "duplicate HN in PAT",
            appended("PAT.txt", &first_line("PAT.txt")),
            "twice in PAT",
        ),
        (
            "PAT HCODE",
            edited("PAT.txt", &[("HCODE", "99002")]),
            "HCODE \"99002\"",
        ),
        (
            "DRU HCODE",
            edited("DRU.txt", &[("HCODE", "99002")]),
            "HCODE \"99002\"",
        ),
        (
            "duplicate OPD",
            appended("OPD.txt", &first_line("OPD.txt")),
            "twice in OPD",
        ),
        (
            "duplicate IPD",
            appended("IPD.txt", &first_line("IPD.txt")),
            "twice in IPD",
        ),
        (
            "INS HN not in PAT",
            edited("INS.txt", &[("HN", "X99999999")]),
            "of INS is not in PAT",
        ),
        (
            "OPD HN not in INS",
            edited("OPD.txt", &[("HN", "X99999999")]),
            "is not in INS",
        ),
        ("no CHT", without(&["CHT.txt"]), "CHT.txt is missing"),
        ("no INS", without(&["INS.txt"]), "INS.txt is missing"),
        ("no PAT", without(&["PAT.txt"]), "PAT.txt is missing"),
        (
            "no OPD, no IPD",
            without(&["OPD.txt", "IPD.txt"]),
            "neither OPD.txt nor IPD.txt",
        ),
        (
            "ODX without OPD",
            without(&["OPD.txt"]),
            "ODX.txt needs OPD.txt",
        ),
        (
            "IDX without IPD",
            without(&["IPD.txt"]),
            "IDX.txt needs IPD.txt",
        ),
        (
            "OPD without SEQ",
            edited("OPD.txt", &[("SEQ", "")]),
            "SEQ is blank",
        ),
        (
            "IPD without AN",
            edited("IPD.txt", &[("AN", "")]),
            "AN is blank",
        ),
        (
            "CHA without SEQ/AN",
            edited("CHA.txt", &[("SEQ", ""), ("AN", "")]),
            "neither SEQ nor AN",
        ),
        (
            "BE date",
            edited("OPD.txt", &[("DATEOPD", "25690101")]),
            "not a YYYYMMDD",
        ),
        (
            "no such date",
            edited("CHT.txt", &[("DATE", "20260230")]),
            "not a YYYYMMDD",
        ),
        (
            "bad time",
            edited("OPD.txt", &[("TIMEOPD", "2460")]),
            "not an HHMM",
        ),
        (
            "admission without bill",
            edited("CHT.txt", &[("AN", "990000999")]),
            "has no CHT line",
        ),
    ];
    for (what, set, expect) in &broken {
        let problems = fdh_check(set, UNIT);
        assert!(
            problems.iter().any(|p| p.contains(expect)),
            "{what}: expected {expect:?} in {problems:?}"
        );
    }
    // The project's reader refuses the duplicate PAT HN and the foreign HCODE too.
    for (what, set, code) in [
        (&broken[0], &broken[0].1, RejectCode::DuplicatePatient),
        (&broken[1], &broken[1].1, RejectCode::HcodeMismatch),
        (&broken[3], &broken[3].1, RejectCode::DuplicateVisit),
    ] {
        let dir = write_dir(set);
        let back = read_back(&Source::Dir(dir.path().into()));
        assert!(
            back.rejects.iter().any(|r| r.code == code),
            "{}: {:?}",
            what.0,
            reject_summary(&back)
        );
    }

    // The exporter refuses rows it cannot write faithfully.
    let mut twice = rows.clone();
    twice.push(rows[0].clone());
    assert!(matches!(
        claim_files(UNIT, &twice, HeaderSet::Fdh),
        Err(ExportError::Duplicate { .. })
    ));
    let mut bare = rows.clone();
    bare[0].detail_json.clear();
    assert!(matches!(
        claim_files(UNIT, &bare, HeaderSet::Fdh),
        Err(ExportError::MissingDetail { .. })
    ));
    // Charges that do not add up to the bill (CHG01, sent only with the blocked visits) are
    // written as stored; the reader keeps the visit with its bill.
    let mut off = rows.clone();
    off[0].facts.total += 100;
    let files = unzip(&claim_files(UNIT, &off, HeaderSet::Fdh).unwrap().zip).unwrap();
    let dir = write_dir(&files);
    let back = read_back(&Source::Dir(dir.path().to_path_buf()));
    assert!(back.rejects.is_empty(), "{:?}", reject_summary(&back));
    assert_eq!(back.encounters.len(), off.len());
    let total = |e: &raidai_formats::Encounter| e.total().0;
    assert_eq!(
        back.encounters.iter().map(total).sum::<i64>(),
        off.iter().map(|r| r.facts.total).sum::<i64>()
    );
    assert!(matches!(
        claim_files("9900", &rows, HeaderSet::Fdh),
        Err(ExportError::BadUnit)
    ));
    assert!(matches!(
        claim_files(UNIT, &[], HeaderSet::Fdh),
        Err(ExportError::Empty)
    ));
}

/// 3. Thai names are windows-874 bytes; lines end in CRLF, with none after the last record.
async fn thai_is_windows_874_and_lines_end_in_crlf(store: &Store) {
    let rows = imported(store, 73).await;
    for headers in [HeaderSet::Fdh, HeaderSet::Classic] {
        let out = claim_files(UNIT, &rows, headers).unwrap();
        let files = unzip(&out.zip).unwrap();
        let pat = file(&files, "PAT.txt");
        assert!(std::str::from_utf8(pat).is_err(), "PAT is not UTF-8");
        let (text, bad) = TextEncoding::Windows874.decode(pat);
        assert_eq!(bad, 0);
        let mut thai = 0;
        for r in &rows {
            for word in r.facts.patient_name.as_str().split_whitespace() {
                let mut enc = Vec::new();
                assert_eq!(TextEncoding::Windows874.encode_into(word, &mut enc), 0);
                assert!(
                    pat.windows(enc.len()).any(|w| w == enc.as_slice()),
                    "{}: a word of the name is not in PAT as windows-874",
                    r.visit.vkey
                );
                assert!(
                    text.contains(word),
                    "{}: the name does not decode",
                    r.visit.vkey
                );
                if word.chars().any(|c| ('\u{0e01}'..='\u{0e5b}').contains(&c)) {
                    thai += 1;
                    // Thai characters are one byte each (0xA1–0xFB), never UTF-8's three.
                    assert_eq!(enc.len(), word.chars().count());
                    assert!(enc.iter().any(|b| (0xa1..=0xfb).contains(b)));
                }
            }
        }
        assert!(thai > 0, "the set has Thai names");
        for (name, bytes) in &files {
            let records = out.files.iter().find(|f| &f.name == name).unwrap().records;
            let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count() as u64;
            let lf = bytes.iter().filter(|b| **b == b'\n').count() as u64;
            let cr = bytes.iter().filter(|b| **b == b'\r').count() as u64;
            assert_eq!((crlf, lf, cr), (records, records, records), "{name}");
            assert!(
                !bytes.ends_with(b"\r\n"),
                "{name}: no newline after the last line"
            );
            let header = bytes.split(|b| *b == b'\r').next().unwrap();
            let layout = headers
                .layout(FileKind::from_file_name(name).unwrap().unwrap())
                .unwrap();
            assert_eq!(header, layout.header.join("|").as_bytes(), "{name}");
        }
    }
}

raidai_store::conformance! {
    exported_sets_read_back_without_rejects;
    fdh_rules_hold_and_broken_sets_fail;
    thai_is_windows_874_and_lines_end_in_crlf;
}
