//! generate → read gives back exactly the generated encounters, with no rejects.

use proptest::prelude::*;
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate_with, zip_dir};
use raidai_formats::{
    EncodingChoice, Encounter, HeaderSet, ReadOptions, Source, TextEncoding, read_all,
};

fn config(
    seed: u64,
    visits: usize,
    admissions: usize,
    enc: TextEncoding,
    headers: HeaderSet,
) -> GenConfig {
    let mut c = GenConfig::new(Hcode::parse("11001").unwrap(), FiscalYear::new(2569), seed);
    c.visits = visits;
    c.admissions = admissions;
    c.encoding = enc;
    c.headers = headers;
    c.hospmain = vec![
        Hcode::parse("11001").unwrap(),
        Hcode::parse("10707").unwrap(),
    ];
    c.hospsub = vec![
        Hcode::parse("03726").unwrap(),
        Hcode::parse("03727").unwrap(),
    ];
    c
}

fn round_trip(cfg: &GenConfig, batch_size: usize, zipped: bool) {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set");
    let mut expected: Vec<Encounter> = Vec::new();
    let summary = generate_with(cfg, &set, &mut |e| expected.push(e.clone())).unwrap();
    assert_eq!(expected.len(), cfg.visits + cfg.admissions);
    let source = if zipped {
        let z = dir.path().join("FDH_20260101-0800.zip");
        zip_dir(&set, &z).unwrap();
        Source::Zip(z)
    } else {
        Source::Dir(set)
    };
    let opts = ReadOptions {
        batch_size,
        unit: Some(cfg.unit),
        ..Default::default()
    };
    let got = read_all(&source, &opts).unwrap();
    assert!(
        got.rejects.is_empty(),
        "unexpected rejects: {:#?}",
        &got.rejects[..got.rejects.len().min(5)]
    );
    assert_eq!(got.encounters.len(), expected.len());
    for (g, e) in got.encounters.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    assert_eq!(got.report.visits.importable as usize, cfg.visits);
    assert_eq!(got.report.admissions.importable as usize, cfg.admissions);
    let total: raidai_domain::money::Satang = got.encounters.iter().map(Encounter::total).sum();
    assert_eq!(total, summary.total);
    for f in &got.report.files {
        let want = match cfg.encoding {
            TextEncoding::Utf8 => raidai_formats::Detected::Utf8,
            TextEncoding::Windows874 => raidai_formats::Detected::Windows874,
        };
        if f.detected != raidai_formats::Detected::Ascii {
            assert_eq!(f.detected, want, "{}", f.name);
        }
        assert!(f.encoding == cfg.encoding || f.detected == raidai_formats::Detected::Ascii);
        assert!(!f.trailing_newline, "{}", f.name);
        assert_eq!(f.lf_lines, 0);
        assert!(f.layout.is_some(), "{} layout", f.name);
    }
}

#[test]
fn classic_windows_874() {
    round_trip(
        &config(1, 40, 6, TextEncoding::Windows874, HeaderSet::Classic),
        7,
        false,
    );
}

#[test]
fn fdh_utf8_zip() {
    round_trip(
        &config(2, 40, 6, TextEncoding::Utf8, HeaderSet::Fdh),
        1000,
        true,
    );
}

#[test]
fn fdh_windows_874_declared() {
    let cfg = config(3, 25, 5, TextEncoding::Windows874, HeaderSet::Fdh);
    let dir = tempfile::tempdir().unwrap();
    generate_with(&cfg, dir.path(), &mut |_| {}).unwrap();
    let opts = ReadOptions {
        encoding: EncodingChoice::Declared(TextEncoding::Windows874),
        ..Default::default()
    };
    let got = read_all(&Source::Dir(dir.path().into()), &opts).unwrap();
    assert!(got.rejects.is_empty(), "{:?}", got.rejects.first());
    assert_eq!(got.encounters.len(), 30);
}

/// Rewrites every field of a generated set with `f(column, value)` (files as bytes: the
/// rewritten fields are ASCII) and returns how many fields changed.
fn rewrite_set(dir: &std::path::Path, f: impl Fn(&str, &str) -> Option<String>) -> usize {
    let mut rewritten = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap();
        let mut lines = text.split(|b| *b == b'\n');
        let header = lines.next().unwrap().to_vec();
        let names: Vec<String> = String::from_utf8_lossy(&header)
            .trim_end()
            .split('|')
            .map(str::to_string)
            .collect();
        let mut out = header;
        for line in lines {
            out.push(b'\n');
            let mut fields: Vec<Vec<u8>> = line.split(|b| *b == b'|').map(<[u8]>::to_vec).collect();
            for (name, field) in names.iter().zip(fields.iter_mut()) {
                let cr = field.last() == Some(&b'\r');
                let v = String::from_utf8_lossy(field).trim_end().to_string();
                if let Some(new) = f(name, &v) {
                    *field = new.into_bytes();
                    if cr {
                        field.push(b'\r');
                    }
                    rewritten += 1;
                }
            }
            out.extend(fields.join(&b'|'));
        }
        std::fs::write(&path, out).unwrap();
    }
    rewritten
}

/// Generates a set, rewrites it with `f`, and checks it reads back as the same encounters, with
/// no rejects.
fn reads_the_same_after(seed: u64, f: impl Fn(&str, &str) -> Option<String>) -> usize {
    let cfg = config(seed, 40, 6, TextEncoding::Windows874, HeaderSet::Fdh);
    let dir = tempfile::tempdir().unwrap();
    let mut expected: Vec<Encounter> = Vec::new();
    generate_with(&cfg, dir.path(), &mut |e| expected.push(e.clone())).unwrap();
    let rewritten = rewrite_set(dir.path(), f);
    let got = read_all(&Source::Dir(dir.path().into()), &ReadOptions::default()).unwrap();
    assert!(got.rejects.is_empty(), "{:?}", got.rejects.first());
    assert_eq!(got.encounters, expected);
    rewritten
}

fn is_date(name: &str, v: &str) -> bool {
    (name.contains("DATE") || name == "DOB")
        && v.len() == 8
        && v.bytes().all(|b| b.is_ascii_digit())
}

/// A HIS that writes its dates in the Buddhist Era (`25690719`) loses nothing.
#[test]
fn be_dates_read_as_the_same_encounters() {
    let n = reads_the_same_after(4, |name, v| {
        is_date(name, v).then(|| format!("{}{}", v[..4].parse::<i32>().unwrap() + 543, &v[4..]))
    });
    assert!(n > 200, "{n} dates rewritten");
}

/// Nor one that writes `DD/MM/YYYY` (BE), `HH:MM`, ICD codes with their dot and amounts with
/// thousands separators: the same visits, bills and codes.
#[test]
fn other_export_forms_read_as_the_same_encounters() {
    let n = reads_the_same_after(5, |name, v| {
        if is_date(name, v) {
            let be = v[..4].parse::<i32>().unwrap() + 543;
            return Some(format!("{}/{}/{be}", &v[6..8], &v[4..6]));
        }
        if name.starts_with("TIME") && v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("{}:{}", &v[..2], &v[2..]));
        }
        // The dot where each code has it: ICD-10 after three characters, ICD-9-CM after two.
        if name == "DIAG" && v.len() > 3 {
            return Some(format!("{}.{}", &v[..3], &v[3..]));
        }
        if name == "OPER" && v.len() > 2 {
            return Some(format!("{}.{}", &v[..2], &v[2..]));
        }
        if matches!(name, "TOTAL" | "PAID" | "AMOUNT") {
            let (int, frac) = v.split_once('.')?;
            if int.len() <= 3 || int.starts_with('-') {
                return None;
            }
            let cut = int.len() - 3;
            return Some(format!("{},{}.{frac}", &int[..cut], &int[cut..]));
        }
        None
    });
    assert!(n > 400, "{n} fields rewritten");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn any_seed_round_trips(seed in any::<u64>(), visits in 0usize..25, admissions in 0usize..5,
                            utf8 in any::<bool>(), fdh in any::<bool>(), batch in 1usize..9, zipped in any::<bool>()) {
        prop_assume!(visits + admissions > 0);
        let enc = if utf8 { TextEncoding::Utf8 } else { TextEncoding::Windows874 };
        let headers = if fdh { HeaderSet::Fdh } else { HeaderSet::Classic };
        round_trip(&config(seed, visits, admissions, enc, headers), batch, zipped);
    }
}
