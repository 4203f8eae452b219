//! Each broken input produces the documented reject, its encounter is not importable (or, for
//! an unreadable detail line, is kept without that line), and the rest of the set still is.

mod common;

use common::*;
use raidai_domain::ids::Hcode;
use raidai_formats::{
    Detected, EncodingChoice, FileKind, ReadAll, ReadOptions, RejectCode as C, Source,
    TextEncoding, VisitKey, read_all, write_rejects_csv,
};
use std::path::Path;

const P1: &str = "9000001000016";
const P2: &str = "9000001000024";

fn v1() -> VisitKey {
    VisitKey::op("000100001", "681105093012")
}
fn v2() -> VisitKey {
    VisitKey::op("000100002", "690210141500")
}
fn a1() -> VisitKey {
    VisitKey::ip("690000123")
}

fn read_with(dir: &Path, opts: &ReadOptions) -> ReadAll {
    read_all(&Source::Dir(dir.to_path_buf()), opts).unwrap()
}

/// Copies the classic fixture, applies `mutate`, reads it, and checks that a reject with
/// `code` (in `file` at `line`/`field` when given) exists, that exactly `rejected` are not
/// importable, and that every other encounter is.
#[track_caller]
fn case(
    mutate: impl Fn(&Path),
    opts: ReadOptions,
    code: C,
    at: Option<(&str, u64, &str)>,
    rejected: &[VisitKey],
) -> ReadAll {
    let tmp = tempfile::tempdir().unwrap();
    copy_set(&fixtures().join("classic"), tmp.path(), str::to_string);
    mutate(tmp.path());
    let got = read_with(tmp.path(), &opts);
    let hit = got.rejects.iter().find(|r| {
        r.code == code && at.is_none_or(|(f, l, c)| r.file == f && r.line == l && r.field == c)
    });
    assert!(
        hit.is_some(),
        "no {code:?} at {at:?}; rejects: {:#?}",
        got.rejects
    );
    let not_importable: Vec<VisitKey> = got
        .statuses
        .iter()
        .filter(|s| !s.importable)
        .map(|s| s.key.clone())
        .collect();
    let mut want = rejected.to_vec();
    want.sort();
    let mut have = not_importable.clone();
    have.sort();
    assert_eq!(have, want, "rejects: {:#?}", got.rejects);
    let imported: Vec<VisitKey> = got.encounters.iter().map(|e| e.key()).collect();
    for k in &imported {
        assert!(!rejected.contains(k));
    }
    assert_eq!(imported.len(), got.statuses.len() - rejected.len());
    got
}

/// Copies the classic fixture, applies `mutate`, reads it and checks that nothing was refused.
#[track_caller]
fn read_clean(mutate: impl Fn(&Path)) -> ReadAll {
    let tmp = tempfile::tempdir().unwrap();
    copy_set(&fixtures().join("classic"), tmp.path(), str::to_string);
    mutate(tmp.path());
    let got = read_with(tmp.path(), &d());
    assert!(got.rejects.is_empty(), "{:#?}", got.rejects);
    got
}

/// The kept encounter of `key`.
#[track_caller]
fn kept<'a>(got: &'a ReadAll, key: &VisitKey) -> &'a raidai_formats::Encounter {
    got.encounters
        .iter()
        .find(|e| &e.key() == key)
        .unwrap_or_else(|| panic!("{key} is not kept"))
}

/// The lines of `key`'s kept encounter that were refused and left out (`kept` false) or kept
/// with fields read as blank, as (file, line).
#[track_caller]
fn refused(got: &ReadAll, key: &VisitKey, kept_line: bool) -> Vec<(FileKind, u64)> {
    kept(got, key)
        .refused()
        .iter()
        .filter(|r| r.kept == kept_line)
        .map(|r| (r.file, r.line))
        .collect()
}

#[track_caller]
fn dropped(got: &ReadAll, key: &VisitKey) -> Vec<(FileKind, u64)> {
    refused(got, key, false)
}

fn f(dir: &Path, kind: &str) -> std::path::PathBuf {
    dir.join(format!("{kind}.txt"))
}

fn d() -> ReadOptions {
    ReadOptions::default()
}

#[test]
fn bad_date_is_malformed_or_impossible() {
    case(
        |p| set_field(&f(p, "OPD"), 2, 2, "2568/11/05"),
        d(),
        C::BadDate,
        Some(("OPD.txt", 2, "DATEOPD")),
        &[v1()],
    );
    // A detail line with a bad date is refused alone: its visit is kept without it (the Data
    // Audit's LINE01, and CHG01 as its charges no longer add up to the bill).
    let got = case(
        |p| set_field(&f(p, "CHA"), 6, 2, "10-02-2026"),
        d(),
        C::BadDate,
        Some(("CHA.txt", 6, "DATE")),
        &[],
    );
    assert_eq!(dropped(&got, &v2()), [(FileKind::Cha, 6)]);
    assert!(dropped(&got, &v1()).is_empty());
    let v2_charges = kept(&got, &v2());
    assert_ne!(
        v2_charges
            .charges()
            .iter()
            .map(|c| c.amount)
            .sum::<raidai_domain::money::Satang>(),
        v2_charges.total()
    );
    case(
        |p| set_field(&f(p, "IPD"), 2, 4, "20260228"),
        d(),
        C::BadDate,
        Some(("IPD.txt", 2, "DATEDSC")),
        &[a1()],
    );
}

#[test]
fn bad_time() {
    // The visit's time is not needed to know it: reported, read as blank, the visit kept.
    let got = case(
        |p| set_field(&f(p, "OPD"), 3, 3, "2460"),
        d(),
        C::BadTime,
        Some(("OPD.txt", 3, "TIMEOPD")),
        &[],
    );
    assert_eq!(refused(&got, &v2(), true), [(FileKind::Opd, 3)]);
}

#[test]
fn a_wrong_check_digit_is_kept_and_a_broken_cid_is_masked_and_read_as_blank() {
    // A 13-digit ID whose check digit is wrong still identifies the patient (FDH cancelled its
    // PERSON_ID rules in 2566): kept as written, for the Data Audit to flag.
    let got = read_clean(|p| {
        set_field(&f(p, "PAT"), 2, 9, "9000001000017");
        set_field(&f(p, "CHA"), 9, 5, "9000001000017");
    });
    assert!(got.encounters.iter().any(|e| {
        e.patient().person_id.as_ref().map(|p| p.as_str()) == Some("9000001000017")
            && e.patient()
                .person_id
                .as_ref()
                .and_then(|p| p.cid())
                .is_none()
    }));
    // One that is not 13 digits cannot be used: masked in the report and read as blank, the
    // patient's encounters kept (each noting the PAT line) for the Data Audit (CID02, FLD01).
    let got = case(
        |p| set_field(&f(p, "PAT"), 2, 9, "900000100001"),
        d(),
        C::BadCid,
        Some(("PAT.txt", 2, "PERSON_ID")),
        &[],
    );
    let r = got.rejects.iter().find(|r| r.code == C::BadCid).unwrap();
    assert!(!r.value.contains("900000100001"), "{}", r.value);
    for key in [v1(), a1()] {
        assert_eq!(refused(&got, &key, true), [(FileKind::Pat, 2)], "{key}");
        assert_eq!(kept(&got, &key).patient().person_id, None);
    }
    assert!(refused(&got, &v2(), true).is_empty());
    // The same on a charge line or INS: the line is kept, the ID blank.
    let got = case(
        |p| set_field(&f(p, "CHA"), 9, 5, "900000100001"),
        d(),
        C::BadCid,
        Some(("CHA.txt", 9, "PERSON_ID")),
        &[],
    );
    assert_eq!(refused(&got, &a1(), true), [(FileKind::Cha, 9)]);
    assert!(dropped(&got, &a1()).is_empty());
    let got = case(
        |p| set_field(&f(p, "INS"), 2, 3, "900000100001"),
        d(),
        C::BadCid,
        Some(("INS.txt", 2, "CID")),
        &[],
    );
    assert_eq!(refused(&got, &v1(), true), [(FileKind::Ins, 2)]);
}

#[test]
fn duplicates() {
    case(
        |p| append_line(&f(p, "OPD"), "000100001|01600|20251105|0930|681105093012|1"),
        d(),
        C::DuplicateVisit,
        Some(("OPD.txt", 4, "SEQ")),
        &[v1()],
    );
    case(
        |p| {
            append_line(
                &f(p, "IPD"),
                "000100001|690000123|20260301|0815|20260304|1100|2|1|03|01|0.000|1|I",
            )
        },
        d(),
        C::DuplicateAdmission,
        Some(("IPD.txt", 3, "AN")),
        &[a1()],
    );
    case(
        |p| {
            append_line(
                &f(p, "PAT"),
                &format!(
                    "11001|000100002|44|07|19910823|2|1|013|099|{P2}|มาลี ศรีสุข,น.ส.|น.ส.|มาลี|ศรีสุข|1"
                ),
            )
        },
        d(),
        C::DuplicatePatient,
        Some(("PAT.txt", 4, "HN")),
        &[v2()],
    );
    case(
        |p| {
            append_line(
                &f(p, "INS"),
                &format!(
                    "000100001|UCS|89|{P1}|20200101||11001|03726|||PP0000001234|||||681105093012|||1"
                ),
            )
        },
        d(),
        C::DuplicateRight,
        Some(("INS.txt", 5, "")),
        &[v1()],
    );
}

#[test]
fn links_between_files() {
    case(
        |p| remove_line(&f(p, "PAT"), 3),
        d(),
        C::PatientMissing,
        Some(("INS.txt", 3, "HN")),
        &[v2()],
    );
    case(
        |p| remove_line(&f(p, "INS"), 3),
        d(),
        C::RightMissing,
        Some(("OPD.txt", 3, "SEQ")),
        &[v2()],
    );
    case(
        |p| remove_line(&f(p, "INS"), 4),
        d(),
        C::RightMissing,
        Some(("IPD.txt", 2, "AN")),
        &[a1()],
    );
    case(
        |p| remove_line(&f(p, "CHT"), 2),
        d(),
        C::BillMissing,
        Some(("OPD.txt", 2, "SEQ")),
        &[v1()],
    );
    // CHT without a visit: reported, nothing lost.
    case(
        |p| {
            append_line(
                &f(p, "CHT"),
                &format!("000100002||20260211|10.00|0.00|UC|{P2}|690211000000"),
            )
        },
        d(),
        C::NoVisit,
        Some(("CHT.txt", 5, "SEQ")),
        &[],
    );
    case(
        |p| set_field(&f(p, "CHA"), 9, 0, "000100002"),
        d(),
        C::HnMismatch,
        Some(("CHA.txt", 9, "HN")),
        &[a1()],
    );
}

#[test]
fn charges_that_do_not_add_up_keep_their_visit() {
    // Σ CHA ≠ CHT still tells the visit and its bill (CHT): kept, for the Data Audit's CHG01.
    let got = read_clean(|p| set_field(&f(p, "CHA"), 2, 4, "121.00"));
    let v = kept(&got, &v1());
    assert_eq!(v.total().to_string(), "250.00");
    let cha: raidai_domain::money::Satang = v.charges().iter().map(|c| c.amount).sum();
    assert_eq!(cha.to_string(), "251.00");
    assert!(v.refused().is_empty());
    // An unreadable bill leaves the visit without one: refused.
    case(
        |p| set_field(&f(p, "CHT"), 4, 3, "2,98.50"),
        d(),
        C::BadAmount,
        Some(("CHT.txt", 4, "TOTAL")),
        &[a1()],
    );
}

#[test]
fn fields_not_needed_to_know_the_visit_are_read_as_blank() {
    // (file, line, column, value, field): each reported, its line and visit kept.
    let cases = [
        ("CHT", 2, 2, "5/11/68", "DATE", v1()),
        ("OPD", 2, 3, "9:7", "TIMEOPD", v1()),
        ("IPD", 2, 3, "-", "TIMEADM", a1()),
        ("IPD", 2, 11, "0", "UUC", a1()),
        ("INS", 2, 4, "2020-13-01", "DATEIN", v1()),
    ];
    for (file, line, col, value, field, key) in cases {
        let got = case(
            |p| set_field(&f(p, file), line, col, value),
            d(),
            got_code(field),
            Some((&format!("{file}.txt"), line as u64, field)),
            &[],
        );
        let kind = FileKind::ALL.iter().find(|k| k.code() == file).unwrap();
        assert_eq!(
            refused(&got, &key, true),
            [(*kind, line as u64)],
            "{file}.{field}"
        );
    }
    // A field the posting classifies by is read as blank too, and the line says so (the
    // visit then waits unposted for the corrected file).
    let got = case(
        |p| set_field(&f(p, "INS"), 2, 6, "11O01"),
        d(),
        C::BadHcode,
        Some(("INS.txt", 2, "HOSPMAIN")),
        &[],
    );
    let v = kept(&got, &v1());
    let [r] = v.refused() else {
        panic!("{:?}", v.refused())
    };
    assert_eq!(
        (r.file, r.line, r.kept, r.classifying),
        (FileKind::Ins, 2, true, true)
    );
    let got = case(
        |p| set_field(&f(p, "OPD"), 3, 3, "2460"),
        d(),
        C::BadTime,
        Some(("OPD.txt", 3, "TIMEOPD")),
        &[],
    );
    assert!(
        got.encounters
            .iter()
            .all(|e| e.refused().iter().all(|r| !r.classifying))
    );
    // Nor an amount: a drug line whose total cannot be read is refused whole.
    let got = case(
        |p| set_field(&f(p, "DRU"), 2, 19, "1,2,3"),
        d(),
        C::BadAmount,
        Some(("DRU.txt", 2, "TOTAL")),
        &[],
    );
    assert_eq!(dropped(&got, &v1()), [(FileKind::Dru, 2)]);
    // A right in small letters is the right.
    let got = read_clean(|p| set_field(&f(p, "INS"), 2, 1, "ucs"));
    assert_eq!(kept(&got, &v1()).right().inscl.as_str(), "UCS");
}

fn got_code(field: &str) -> C {
    match field {
        "DATE" | "DATEIN" => C::BadDate,
        "TIMEOPD" | "TIMEADM" => C::BadTime,
        _ => C::BadCode,
    }
}

#[test]
fn an_admission_still_in_hospital_has_blank_discharge_fields() {
    let got = read_clean(|p| {
        for col in 4..=7 {
            set_field(&f(p, "IPD"), 2, col, "");
        }
    });
    let raidai_formats::Encounter::Admission(a) = kept(&got, &a1()) else {
        panic!("an admission")
    };
    assert_eq!(
        (a.ipd.datedsc, a.ipd.dischs, a.ipd.discht),
        (None, None, None)
    );
}

#[test]
fn code_sets() {
    // A code outside its set on a detail line refuses that line; the visit is kept without it.
    let got = case(
        |p| set_field(&f(p, "CHA"), 3, 3, "33"),
        d(),
        C::BadCode,
        Some(("CHA.txt", 3, "CHRGITEM")),
        &[],
    );
    assert_eq!(dropped(&got, &v1()), [(FileKind::Cha, 3)]);
    let got = case(
        |p| set_field(&f(p, "ODX"), 4, 4, "7"),
        d(),
        C::BadCode,
        Some(("ODX.txt", 4, "DXTYPE")),
        &[],
    );
    assert_eq!(dropped(&got, &v2()), [(FileKind::Odx, 4)]);
    let got = case(
        |p| set_field(&f(p, "ODX"), 2, 3, "11.9E"),
        d(),
        C::BadCode,
        Some(("ODX.txt", 2, "DIAG")),
        &[],
    );
    assert_eq!(dropped(&got, &v1()), [(FileKind::Odx, 2)]);
    // An optional field outside its code set is reported and read as blank: the line and its
    // encounter are kept (the Data Audit's FLD01).
    for (col, value, field) in [(6, "0", "DISCHS"), (7, "6", "DISCHT")] {
        let got = case(
            |p| set_field(&f(p, "IPD"), 2, col, value),
            d(),
            C::BadCode,
            Some(("IPD.txt", 2, field)),
            &[],
        );
        assert_eq!(refused(&got, &a1(), true), [(FileKind::Ipd, 2)]);
        let r = got.rejects.iter().find(|r| r.field == field).unwrap();
        assert!(
            r.reason_en.ends_with("(read as blank; the line is kept)"),
            "{}",
            r.reason_en
        );
        assert!(r.reason_th.contains("อ่านเป็นค่าว่าง"), "{}", r.reason_th);
    }
    // A CLINIC that is not five digits is kept as written for the Data Audit (CLN01); one that
    // cannot be a clinic (over 16 characters, or not letters and digits) is read as blank.
    let got = case(
        |p| set_field(&f(p, "OPD"), 2, 1, "MEDICINE-ROOM-3-FLOOR-2"),
        d(),
        C::BadCode,
        Some(("OPD.txt", 2, "CLINIC")),
        &[],
    );
    assert_eq!(refused(&got, &v1(), true), [(FileKind::Opd, 2)]);
    let v = kept(&got, &v1());
    let raidai_formats::Encounter::Visit(v) = v else {
        panic!("a visit")
    };
    assert_eq!(v.opd.clinic, None);
    // A right code the table does not know is kept (the Data Audit's RIGHT01, the visit left
    // unposted); a value that cannot be a right code is refused.
    let got = read_clean(|p| set_field(&f(p, "INS"), 3, 1, "XYZ"));
    assert_eq!(kept(&got, &v2()).right().inscl.as_str(), "XYZ");
    case(
        |p| set_field(&f(p, "INS"), 3, 1, "UC/OFC"),
        d(),
        C::UnknownRight,
        Some(("INS.txt", 3, "INSCL")),
        &[v2()],
    );
}

#[test]
fn field_counts() {
    // A truncated last detail line that keeps HN and AN still names its admission: the line
    // is refused, the admission kept without it.
    let got = case(
        |p| {
            let path = f(p, "DRU");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, &text[..text.len() - 60]).unwrap();
        },
        d(),
        C::FieldCount,
        Some(("DRU.txt", 5, "")),
        &[],
    );
    assert_eq!(dropped(&got, &a1()), [(FileKind::Dru, 5)]);
    // A '|' inside a drug's name: the same.
    let got = case(
        |p| {
            edit_line(&f(p, "DRU"), 2, |l| {
                let mut fields: Vec<String> = l.split('|').map(str::to_string).collect();
                fields[8] = format!("{} | 500 mg", fields[8]);
                fields.join("|")
            })
        },
        d(),
        C::FieldCount,
        Some(("DRU.txt", 2, "")),
        &[],
    );
    assert_eq!(got.encounters.len(), 3);
    assert_eq!(dropped(&got, &v1()), [(FileKind::Dru, 2)]);
    case(
        |p| set_field(&f(p, "PAT"), 3, 10, "มาลี | ศรีสุข,น.ส."),
        d(),
        C::FieldCount,
        Some(("PAT.txt", 3, "")),
        &[v2()],
    );
    // A line over 64 KiB is cut where the reader stops: refused, and the reason says so. The
    // cut loses its SEQ, so every encounter of its HN is out, as for a truncated line.
    let got = case(
        |p| set_field(&f(p, "CHA"), 3, 4, &"9".repeat(70 * 1024)),
        d(),
        C::FieldCount,
        Some(("CHA.txt", 3, "")),
        &[v1(), a1()],
    );
    let r = got
        .rejects
        .iter()
        .find(|r| r.code == C::FieldCount)
        .unwrap();
    assert!(r.reason_en.contains("64 KiB"), "{}", r.reason_en);
    assert!(r.reason_th.contains("64 KiB"), "{}", r.reason_th);
}

#[test]
fn required_fields() {
    let got = case(
        |p| set_field(&f(p, "CHA"), 2, 6, ""),
        d(),
        C::Required,
        Some(("CHA.txt", 2, "SEQ/AN")),
        &[v1(), a1()],
    );
    assert!(got.rejects.iter().all(|r| r.code != C::ChargeMismatch));
    case(
        |p| set_field(&f(p, "INS"), 2, 1, ""),
        d(),
        C::Required,
        Some(("INS.txt", 2, "INSCL")),
        &[v1()],
    );
}

#[test]
fn missing_files() {
    let all = [v1(), v2(), a1()];
    for kind in ["INS", "PAT", "CHT"] {
        case(
            |p| std::fs::remove_file(f(p, kind)).unwrap(),
            d(),
            C::MissingFile,
            Some((&format!("{kind}.txt"), 0, "")),
            &all,
        );
    }
    // Without OPD its visits do not exist; ODX/ORF/OOP are refused; the admission imports.
    let got = case(
        |p| std::fs::remove_file(f(p, "OPD")).unwrap(),
        d(),
        C::MissingFile,
        Some(("OPD.txt", 0, "")),
        &[],
    );
    let r = got
        .rejects
        .iter()
        .find(|r| r.code == C::MissingFile)
        .unwrap();
    assert!(r.reason_en.contains("ORF, ODX, OOP"), "{}", r.reason_en);
    assert_eq!(got.statuses.len(), 1);
    assert!(
        got.rejects
            .iter()
            .any(|r| r.code == C::NoVisit && r.file == "CHT.txt")
    );
    let got = case(
        |p| {
            std::fs::remove_file(f(p, "OPD")).unwrap();
            std::fs::remove_file(f(p, "IPD")).unwrap();
        },
        d(),
        C::MissingFile,
        Some(("OPD.txt", 0, "")),
        &[],
    );
    assert!(got.statuses.is_empty() && got.encounters.is_empty());
}

#[test]
fn headers() {
    // A detail file without a column it needs: every line of it is refused (the file's reject
    // names the column), the encounters are kept without them.
    let got = case(
        |p| edit_line(&f(p, "CHA"), 1, |h| h.replace("CHRGITEM", "CHRGITEMX")),
        d(),
        C::MissingColumn,
        Some(("CHA.txt", 0, "")),
        &[],
    );
    assert!(
        got.encounters
            .iter()
            .all(|e| e.charges().is_empty() && !e.refused().is_empty())
    );
    let cha = got.report.file(FileKind::Cha).unwrap();
    assert_eq!(cha.unknown_columns, ["CHRGITEMX"]);
    assert_eq!(cha.missing_columns, ["CHRGITEM"]);
    // Without its key column a file cannot be attributed: nothing is importable.
    case(
        |p| edit_line(&f(p, "ODX"), 1, |h| h.replace("SEQ", "SEQX")),
        d(),
        C::MissingColumn,
        Some(("ODX.txt", 0, "")),
        &[v1(), v2(), a1()],
    );
}

#[test]
fn unit_code_must_be_the_importers() {
    let opts = ReadOptions {
        unit: Some(Hcode::parse("11002").unwrap()),
        ..Default::default()
    };
    case(
        |_| {},
        opts,
        C::HcodeMismatch,
        Some(("PAT.txt", 2, "HCODE")),
        &[v1(), v2(), a1()],
    );
}

#[test]
fn utf16_is_refused() {
    case(
        |p| {
            let text = std::fs::read_to_string(f(p, "LVD")).unwrap();
            let mut bytes = vec![0xff, 0xfe];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            std::fs::write(f(p, "LVD"), bytes).unwrap();
        },
        d(),
        C::Encoding,
        Some(("LVD.txt", 0, "")),
        &[v1(), v2(), a1()],
    );
}

#[test]
fn declared_utf8_on_windows_874_files() {
    let opts = ReadOptions {
        encoding: EncodingChoice::Declared(TextEncoding::Utf8),
        ..Default::default()
    };
    let got = case(
        to_cp874,
        opts,
        C::Encoding,
        Some(("PAT.txt", 2, "NAMEPAT")),
        &[v1(), v2(), a1()],
    );
    let pat = got.report.file(FileKind::Pat).unwrap();
    assert!(pat.replacement_chars > 0);
    assert_eq!(pat.detected, Detected::Windows874);
    assert!(
        got.rejects
            .iter()
            .any(|r| r.code == C::Encoding && r.line == 0 && r.file == "PAT.txt")
    );
}

#[test]
fn declared_windows_874_on_utf8_files() {
    let opts = ReadOptions {
        encoding: EncodingChoice::Declared(TextEncoding::Windows874),
        ..Default::default()
    };
    let got = case(
        |_| {},
        opts,
        C::Encoding,
        Some(("PAT.txt", 3, "FNAME")),
        &[v1(), v2(), a1()],
    );
    assert_eq!(
        got.report.file(FileKind::Pat).unwrap().detected,
        Detected::Utf8
    );
}

#[test]
fn a_line_in_another_encoding() {
    // Two non-ASCII lines, one of each: a tie, read as windows-874, so the UTF-8 line is out.
    let got = case(
        |p| {
            let path = f(p, "PAT");
            let text = std::fs::read_to_string(&path).unwrap();
            let (head, last) = text.rsplit_once("\r\n").unwrap();
            let mut bytes = head.as_bytes().to_vec();
            bytes.extend_from_slice(b"\r\n");
            TextEncoding::Windows874.encode_into(last, &mut bytes);
            std::fs::write(&path, bytes).unwrap();
        },
        d(),
        C::Encoding,
        Some(("PAT.txt", 2, "NAMEPAT")),
        &[v1(), a1()],
    );
    assert_eq!(
        got.report.file(FileKind::Pat).unwrap().detected,
        Detected::Mixed
    );
}

#[test]
fn rejects_csv_never_shows_a_full_cid() {
    let tmp = tempfile::tempdir().unwrap();
    copy_set(&fixtures().join("classic"), tmp.path(), str::to_string);
    set_field(&f(tmp.path(), "PAT"), 2, 9, "900000100001");
    set_field(&f(tmp.path(), "INS"), 3, 3, "123");
    remove_line(&f(tmp.path(), "CHT"), 2);
    let got = read_with(tmp.path(), &d());
    let csv = String::from_utf8(write_rejects_csv(Vec::new(), &got.rejects).unwrap()).unwrap();
    assert!(
        csv.starts_with("\u{feff}file,line,field,value,code,hn,seq,an,reason_th,reason_en\r\n")
    );
    assert!(csv.contains("BAD_CID"));
    assert!(csv.contains("BILL_MISSING"));
    for id in ["900000100001", P1, P2, ",123,"] {
        assert!(!csv.contains(id), "{id} leaked:\n{csv}");
    }
    assert_eq!(csv.lines().count(), got.rejects.len() + 1);
}
