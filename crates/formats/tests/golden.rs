//! Golden files: every file type in every header generation, in UTF-8 and windows-874, read
//! into the expected encounters and written back byte for byte.

mod common;

use common::*;
use raidai_domain::ids::Hcode;
use raidai_formats::{
    Detected, EncodingChoice, FileKind, Layout, ReadOptions, SetWriter, Source, TextEncoding,
    read_all,
};
use std::path::Path;

/// Reads `dir`, checks it is clean, compares with the golden dump, and rewrites it with the
/// layouts it was detected to have: the bytes must be identical.
fn check_set(dir: &Path, golden_name: &str, enc: TextEncoding, layouts: &[(FileKind, &str)]) {
    let opts = ReadOptions {
        unit: Some(Hcode::parse("11001").unwrap()),
        batch_size: 2,
        ..Default::default()
    };
    let got = read_all(&Source::Dir(dir.to_path_buf()), &opts).unwrap();
    assert!(got.rejects.is_empty(), "{golden_name}: {:#?}", got.rejects);
    assert_eq!(got.report.visits.importable, 2);
    assert_eq!(got.report.admissions.importable, 1);
    assert!(got.statuses.iter().all(|s| s.importable));
    golden(golden_name, &dump(&got.encounters));

    for f in &got.report.files {
        let want = layouts
            .iter()
            .find(|(k, _)| *k == f.kind)
            .map(|(_, l)| *l)
            .unwrap_or_else(|| {
                if f.kind.layouts().len() == 1 {
                    f.kind.layouts()[0].name
                } else {
                    "classic"
                }
            });
        assert_eq!(f.layout, Some(want), "{golden_name} {}", f.name);
        assert!(f.unknown_columns.is_empty() && f.missing_columns.is_empty());
        assert_eq!(
            (f.lf_lines, f.trailing_newline, f.bom),
            (0, false, false),
            "{}",
            f.name
        );
        if f.detected != Detected::Ascii {
            assert_eq!(f.encoding, enc, "{}", f.name);
        }
    }

    // Writer: same layouts, same encoding ⇒ same bytes.
    let out = tempfile::tempdir().unwrap();
    let chosen: Vec<&Layout> = got
        .report
        .files
        .iter()
        .map(|f| Layout::find(f.kind, f.layout.unwrap()).unwrap())
        .collect();
    let mut w = SetWriter::with_layouts(out.path(), &chosen, enc).unwrap();
    for p in unique_patients(&got.encounters) {
        w.patient(&p).unwrap();
    }
    for e in &got.encounters {
        w.encounter(e).unwrap();
    }
    for written in w.finish().unwrap() {
        let original = got.report.file(written.kind).unwrap();
        let a = std::fs::read(&written.path).unwrap();
        let b = std::fs::read(dir.join(&original.name)).unwrap();
        assert!(
            a == b,
            "{golden_name}: rewritten {} differs:\n{}\n---\n{}",
            original.name,
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
    }
}

fn both_encodings(src: &[&Path], golden_name: &str, layouts: &[(FileKind, &str)]) {
    for enc in [TextEncoding::Utf8, TextEncoding::Windows874] {
        let tmp = tempfile::tempdir().unwrap();
        for s in src {
            copy_set(s, tmp.path(), str::to_string);
        }
        if enc == TextEncoding::Windows874 {
            to_cp874(tmp.path());
        }
        check_set(tmp.path(), golden_name, enc, layouts);
    }
}

#[test]
fn classic_set() {
    both_encodings(
        &[&fixtures().join("classic")],
        "classic",
        &[(FileKind::Adp, "adp17")],
    );
}

#[test]
fn fdh_set() {
    let fdh: Vec<(FileKind, &str)> = FileKind::ALL.iter().map(|k| (*k, "fdh")).collect();
    let mut fdh: Vec<(FileKind, &str)> = fdh
        .into_iter()
        .filter(|(k, _)| Layout::find(*k, "fdh").is_some())
        .collect();
    fdh.push((FileKind::Adp, "fdh"));
    both_encodings(&[&fixtures().join("fdh")], "fdh", &fdh);
}

#[test]
fn every_other_generation() {
    let variants = [
        ("hcode", FileKind::Ins),
        ("adp26", FileKind::Adp),
        ("adp26_escreen", FileKind::Adp),
        ("sss_billmaud", FileKind::Adp),
        ("drugprice", FileKind::Dru),
        ("drugtype", FileKind::Dru),
    ];
    for (name, kind) in variants {
        let mut layouts = vec![(kind, name)];
        if kind != FileKind::Adp {
            layouts.push((FileKind::Adp, "adp17"));
        }
        both_encodings(
            &[
                &fixtures().join("classic"),
                &fixtures().join("variants").join(name),
            ],
            &format!("classic_{name}"),
            &layouts,
        );
    }
}

/// Every layout of the crate has a fixture file with exactly its header.
#[test]
fn all_layouts_have_a_fixture() {
    let mut dirs = vec![fixtures().join("classic"), fixtures().join("fdh")];
    for e in std::fs::read_dir(fixtures().join("variants")).unwrap() {
        dirs.push(e.unwrap().path());
    }
    for k in FileKind::ALL {
        for l in k.layouts() {
            let found = dirs.iter().any(|d| {
                std::fs::read_to_string(d.join(format!("{k}.txt")))
                    .is_ok_and(|t| t.split("\r\n").next() == Some(&l.header.join("|")))
            });
            assert!(found, "no fixture for {k} {}", l.name);
        }
    }
}

/// LF endings, a trailing newline, a UTF-8 BOM and period-suffixed, mixed-case names read the
/// same as the canonical files.
#[test]
fn lf_bom_trailing_newline_and_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    copy_set(&fixtures().join("classic"), tmp.path(), |n| {
        let (stem, _) = n.split_once('.').unwrap();
        match stem {
            "INS" => "ins6907.txt".into(),
            "PAT" => "PAT256907.TXT".into(),
            "CHA" => "cha.Txt".into(),
            _ => n.to_string(),
        }
    });
    std::fs::write(tmp.path().join("INS6907.cds"), "x").unwrap();
    for e in std::fs::read_dir(tmp.path()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().unwrap() == "cds" {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap().replace("\r\n", "\n") + "\n";
        std::fs::write(&p, format!("\u{feff}{text}")).unwrap();
    }
    let got = read_all(&Source::Dir(tmp.path().into()), &ReadOptions::default()).unwrap();
    assert!(got.rejects.is_empty(), "{:#?}", got.rejects);
    golden("classic", &dump(&got.encounters));
    let ins = got.report.file(FileKind::Ins).unwrap();
    assert_eq!(ins.name, "ins6907.txt");
    assert!(ins.bom && ins.trailing_newline && ins.crlf_lines == 0 && ins.lf_lines == 4);
    assert_eq!(got.report.ignored.len(), 1);
}

/// The same set inside a zip (with a folder, as exporters zip it) reads the same.
#[test]
fn zip_with_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let zpath = tmp.path().join("FDH_20260305-1010.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut names: Vec<_> = std::fs::read_dir(fixtures().join("fdh"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for (i, p) in names.iter().enumerate() {
        let name = format!(
            "FDH_20260305-1010/{}",
            p.file_name().unwrap().to_string_lossy()
        );
        z.start_file(name, if i % 2 == 0 { opts } else { stored })
            .unwrap();
        std::io::Write::write_all(&mut z, &std::fs::read(p).unwrap()).unwrap();
    }
    z.finish().unwrap();
    let got = read_all(
        &Source::from_path(&zpath).unwrap(),
        &ReadOptions {
            batch_size: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(got.rejects.is_empty(), "{:#?}", got.rejects);
    golden("fdh", &dump(&got.encounters));
}

/// The same set held in memory and read on one thread (what the fuzz target does) reads the same.
#[test]
fn memory_source_one_thread() {
    let mut files: Vec<(String, std::sync::Arc<[u8]>)> = std::fs::read_dir(fixtures().join("fdh"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap().into())
        })
        .collect();
    files.sort();
    let got = read_all(
        &Source::Memory(files),
        &ReadOptions {
            batch_size: 1,
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(got.rejects.is_empty(), "{:#?}", got.rejects);
    golden("fdh", &dump(&got.encounters));
}

/// A declared encoding that matches reads like sniffing does.
#[test]
fn declared_encoding_matches_sniffing() {
    let tmp = tempfile::tempdir().unwrap();
    copy_set(&fixtures().join("fdh"), tmp.path(), str::to_string);
    to_cp874(tmp.path());
    let opts = ReadOptions {
        encoding: EncodingChoice::Declared(TextEncoding::Windows874),
        ..Default::default()
    };
    let got = read_all(&Source::Dir(tmp.path().into()), &opts).unwrap();
    assert!(got.rejects.is_empty());
    golden("fdh", &dump(&got.encounters));
}

/// Files not ordered like OPD (here: the admission's lines first) need re-reading per batch;
/// the result is the same, from a folder and from a zip.
#[test]
fn unordered_files() {
    let tmp = tempfile::tempdir().unwrap();
    let set = tmp.path().join("set");
    copy_set(&fixtures().join("classic"), &set, str::to_string);
    for (kind, first_ip_line) in [("CHA", 9), ("CHT", 4), ("INS", 4), ("DRU", 4)] {
        let p = set.join(format!("{kind}.txt"));
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        let mut out = vec![lines[0]];
        out.extend(&lines[first_ip_line - 1..]);
        out.extend(&lines[1..first_ip_line - 1]);
        std::fs::write(&p, out.join("\r\n")).unwrap();
    }
    let zpath = tmp.path().join("set.zip");
    raidai_formats::generate::zip_dir(&set, &zpath).unwrap();
    for source in [Source::Dir(set.clone()), Source::Zip(zpath)] {
        let got = read_all(
            &source,
            &ReadOptions {
                batch_size: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(got.rejects.is_empty(), "{:#?}", got.rejects);
        golden("classic", &dump(&got.encounters));
    }
}
