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

/// A HIS that writes its dates in the Buddhist Era (`25690719`) loses nothing: every date
/// column of every file rewritten in BE reads back as the same encounters, with no rejects.
#[test]
fn be_dates_read_as_the_same_encounters() {
    let cfg = config(4, 40, 6, TextEncoding::Windows874, HeaderSet::Fdh);
    let dir = tempfile::tempdir().unwrap();
    let mut expected: Vec<Encounter> = Vec::new();
    generate_with(&cfg, dir.path(), &mut |e| expected.push(e.clone())).unwrap();
    let mut rewritten = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
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
                let v = String::from_utf8_lossy(field).trim_end().to_string();
                let date_column = name.contains("DATE") || name == "DOB";
                if date_column && v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
                    let year: i32 = v[..4].parse().unwrap();
                    let be = format!("{}{}", year + 543, &v[4..]);
                    field.splice(..8, be.into_bytes());
                    rewritten += 1;
                }
            }
            out.extend(fields.join(&b'|'));
        }
        std::fs::write(&path, out).unwrap();
    }
    assert!(rewritten > 200, "{rewritten} dates rewritten");
    let got = read_all(&Source::Dir(dir.path().into()), &ReadOptions::default()).unwrap();
    assert!(got.rejects.is_empty(), "{:?}", got.rejects.first());
    assert_eq!(got.encounters, expected);
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
