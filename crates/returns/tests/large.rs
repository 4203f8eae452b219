//! A large REP read line by line: 100,000 UCS OP lines (120 columns) come back complete.
//! Ignored by default (about 40 s unoptimised, 5 s optimised); run with
//! `cargo test --release -p raidai-returns --test large -- --ignored`.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use raidai_returns::{RepLayout, RepShares, read_rep, write_rep};

#[test]
#[ignore]
fn hundred_thousand_line_ucs_op_rep() {
    let shares = RepShares {
        corrective_pct: 10,
        deny_pct: 5,
        paid_diff_pct: 20,
    };
    let visits = common::visits(100_000, false, "UCS", 7);
    let g = write_rep(
        "10670",
        "OP",
        RepLayout::Ucs,
        2025_01_22,
        1,
        &visits,
        &shares,
        7,
    );
    let f = read_rep(&g.file_name, &g.bytes).unwrap();
    assert!(
        f.rejects.is_empty(),
        "{:?}",
        &f.rejects[..f.rejects.len().min(3)]
    );
    assert_eq!(f.lines.len(), 100_000);
    assert_eq!(f.lines.first(), g.lines.first());
    assert_eq!(f.lines.last(), g.lines.last());
    assert_eq!(
        f.lines.last().map(|l| l.visit.row),
        g.lines.last().map(|l| l.visit.row)
    );
}
