//! The upload parsers on hostile bytes, inside `cargo test`: a bounded proptest harness per fuzz
//! target (the long runs are `scripts/fuzz.sh`, figures in docs/SECURITY.md), and a replay of
//! every input kept in `fuzz/regressions/<target>/` (crashes found by fuzzing, once fixed).
//! Each parser must return (a value or an error), never panic or hang.

use proptest::prelude::*;
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate, zip_dir};
use raidai_formats::{ReadOptions, Source, read_all};
use raidai_store::governance::{
    AccountMapRule, RatioItem, parse_plan_csv, parse_positions_csv, parse_trial_balance_csv,
    position_from_trial_balance, seven_plus_items_from_trial_balance,
};
use raidai_store::master::parse_units_csv;
use raidai_store::testkit::hc;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const NAMES: [&str; 9] = [
    "INS.txt", "PAT.txt", "OPD.txt", "CHT.txt", "CHA.txt", "ODX.txt", "IPD.txt", "ADP.txt",
    "DRU.txt",
];

fn opts() -> ReadOptions {
    ReadOptions {
        batch_size: 7,
        threads: 1,
        ..ReadOptions::default()
    }
}

/// Same shape as fuzz/fuzz_targets/read16.rs: NUL-separated files.
fn read16(data: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, part) in NAMES.iter().zip(data.split(|&b| b == 0)) {
        std::fs::write(dir.path().join(name), part).unwrap();
    }
    let _ = read_all(&Source::Dir(dir.path().into()), &opts());
}

fn zip(data: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("upload.zip");
    std::fs::write(&p, data).unwrap();
    let _ = read_all(&Source::Zip(p), &opts());
}

fn csvs(data: &[u8]) {
    let _ = parse_units_csv(data);
    let _ = parse_positions_csv(data);
    let _ = parse_plan_csv(data);
    if let Ok(lines) = parse_trial_balance_csv(data) {
        let map: Vec<AccountMapRule> = RatioItem::ALL
            .iter()
            .map(|&item| AccountMapRule {
                prefix: "1".into(),
                item,
            })
            .collect();
        let _ = position_from_trial_balance(hc("11001"), 256906, &lines, &map);
        let _ = seven_plus_items_from_trial_balance(
            &lines,
            &[("1".to_string(), "current_assets".to_string())],
        );
    }
}

/// A small generated set: NUL-joined files and its zip, the seeds mutations start from.
fn seeds() -> &'static (Vec<u8>, Vec<u8>) {
    static SEEDS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("set");
        let mut cfg = GenConfig::new(Hcode::parse("11001").unwrap(), FiscalYear::new(2569), 9);
        cfg.visits = 6;
        cfg.admissions = 1;
        generate(&cfg, &files).unwrap();
        let mut joined = Vec::new();
        for n in NAMES {
            let stem = &n[..3];
            if let Some(p) = std::fs::read_dir(&files)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_stem()
                        .is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(stem))
                })
            {
                joined.extend(std::fs::read(p).unwrap());
            }
            joined.push(0);
        }
        let z = dir.path().join("set.zip");
        zip_dir(&files, &z).unwrap();
        (joined, std::fs::read(z).unwrap())
    })
}

/// Flips, inserts and deletes bytes of `seed` at the given positions.
fn mutate(seed: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(pos, op, byte) in edits {
        if v.is_empty() {
            v.push(byte);
            continue;
        }
        let i = pos % v.len();
        match op % 4 {
            0 => v[i] = byte,
            1 => v.insert(i, byte),
            2 => {
                v.remove(i);
            }
            _ => v[i] ^= 1 << (byte % 8),
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reader_survives_mutated_files(edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..40)) {
        read16(&mutate(&seeds().0, &edits));
    }

    #[test]
    fn reader_survives_mutated_zips(edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..20)) {
        zip(&mutate(&seeds().1, &edits));
    }

    #[test]
    fn reader_survives_random_bytes(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        read16(&data);
        zip(&data);
    }

    #[test]
    fn csv_parsers_survive_arbitrary_text(
        header in prop::sample::select(vec![
            "hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds",
            "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd",
            "account_code,debit,credit",
            "account_code,balance",
            "code,m01,m02,m03,m04,m05,m06,m07,m08,m09,m10,m11,m12",
        ]),
        rows in prop::collection::vec("[0-9a-zA-Zก-ฮ.,\"=+@ \\-\t\r\n]{0,60}", 0..8),
    ) {
        let mut text = String::from(header);
        for r in rows {
            text.push('\n');
            text.push_str(&r);
        }
        csvs(text.as_bytes());
    }

    #[test]
    fn csv_parsers_survive_raw_bytes(data in prop::collection::vec(any::<u8>(), 0..512)) {
        csvs(&data);
    }
}

/// Every kept input of `fuzz/regressions/<target>/` still parses without a crash.
#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    for (target, run) in [
        ("read16", read16 as fn(&[u8])),
        ("zip", zip),
        ("units_csv", csvs),
        ("positions_csv", csvs),
        ("trial_balance", csvs),
    ] {
        let dir: PathBuf = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md") {
                continue;
            }
            run(&std::fs::read(&p).unwrap());
            replayed += 1;
        }
    }
    eprintln!("replayed {replayed} fuzz regression inputs");
}
