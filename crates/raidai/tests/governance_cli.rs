//! `raidai governance …` as an operator uses it.

use std::path::Path;
mod common;
use common::{raidai, sh};

fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (head, rows)
}

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../governance/tests/data/risk_score_reference.csv"
);

#[test]
fn risk_score_reproduces_every_reference_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let (code, stdout, err) = raidai(&[
        "governance",
        "risk-score",
        "--input",
        REFERENCE,
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("1057 rows read"), "{stdout}");
    let (rh, rrows) = read_csv(Path::new(REFERENCE));
    let (oh, orows) = read_csv(&out);
    assert_eq!(rrows.len(), 1057);
    assert_eq!(orows.len(), rrows.len());
    let outputs = raidai_governance::risk_score::RISK_OUTPUT_COLUMNS;
    for col in outputs.iter().chain(&["hcode", "period"]) {
        let ri = rh.iter().position(|h| h == col).unwrap();
        let oi = oh.iter().position(|h| h == col).unwrap();
        for (n, (r, o)) in rrows.iter().zip(&orows).enumerate() {
            assert_eq!(o[oi], r[ri], "row {} column {col}", n + 2);
        }
    }
}

#[test]
fn bad_rows_are_reported_per_line_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n\
10670,256909,500000,1000000,400000,100000,9000000,9500000\n\
10671,256909,abc,1000000,400000,100000,9000000,9500000\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let (code, _, err) = sh(&format!(
        "governance risk-score --input {} --output {}",
        input.display(),
        out.display()
    ));
    assert_eq!(code, 1);
    assert!(err.contains("line 3: current_assets"), "{err}");
    let (_, rows) = read_csv(&out);
    assert_eq!(rows.len(), 1, "the good row is still written");
    assert_eq!(rows[0].last().unwrap(), "7");
}

#[test]
fn import_tb_stores_a_position_and_scores_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let (code, _, err) = sh(&format!("db migrate --database {db}"));
    assert_eq!(code, 0, "{err}");
    // The test province's units to import into.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let s = raidai_store::Store::connect(&db).await.unwrap();
        raidai_store::testkit::seed_small(&s).await;
        s.close().await;
    });
    let tb = dir.path().join("tb.csv");
    std::fs::write(
        &tb,
        "account_code,debit,credit\n1101010101.101,500000,0\n2101010101.101,0,1000000\n4301020105.201,0,900000\n5101010101.101,950000,0\n9999,1,0\n",
    )
    .unwrap();
    let (code, out, err) = sh(&format!(
        "governance import-tb --database {db} --unit 99001 --period 256903 {}",
        tb.display()
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("imported 5 accounts"), "{out}");
    assert!(out.contains("matched by no ratio item: 9999"), "{out}");
    assert!(out.contains("risk score 7"), "{out}");
    let (code, _, err) = sh(&format!(
        "governance import-tb --database {db} --unit 99001 --period 256913 {}",
        tb.display()
    ));
    assert_eq!(code, 1);
    assert!(err.contains("period"), "{err}");
}

#[test]
fn governance_commands_have_help() {
    for sub in ["risk-score", "tps", "import-tb", "import-positions"] {
        let (code, out, _) = raidai(&["governance", sub, "--help"]);
        assert_eq!(code, 0, "{sub}");
        assert!(out.contains("Usage:"), "{sub}");
    }
}
