//! Timing of 100k-line files. Ignored by default (slow unoptimised); run with
//! `cargo test --release -p raidai-returns --test perf -- --ignored --nocapture`.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use std::time::Instant;

use raidai_returns::{Outcome, RepLayout, RepShares, read_rep, read_stm, write_rep, write_stm};

/// A `kB` line of /proc/self/status (0 where there is none).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets the peak RSS to the current RSS (Linux `clear_refs` 5); returns the current RSS in kB.
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kb("VmRSS")
}

/// Peak RSS in kB since the last [`reset_peak`].
fn peak_kb() -> u64 {
    status_kb("VmHWM")
}

#[test]
#[ignore]
fn hundred_thousand_lines() {
    let shares = RepShares {
        corrective_pct: 10,
        deny_pct: 5,
        paid_diff_pct: 20,
    };
    for (kind, ip) in [("OP", false), ("IPLGO", true)] {
        let visits = common::visits(100_000, ip, "UCS", 1);
        let t = Instant::now();
        let g = write_rep(
            "10670",
            kind,
            RepLayout::of_kind(kind),
            2025_01_22,
            1,
            &visits,
            &shares,
            1,
        );
        let gen_t = t.elapsed();
        let base = reset_peak();
        let t = Instant::now();
        let f = read_rep(&g.file_name, &g.bytes).unwrap();
        let read_t = t.elapsed();
        let peak = peak_kb();
        assert_eq!(f.lines, g.lines);
        println!(
            "REP {kind} 100k lines: generate {gen_t:.2?} ({:.1} MB), read {read_t:.2?}, \
             peak RSS during read {} MB over {} MB before",
            g.bytes.len() as f64 / 1e6,
            peak.saturating_sub(base) / 1024,
            base / 1024,
        );
        if kind == "OP" {
            let paid: Vec<_> = f
                .lines
                .into_iter()
                .filter(|l| l.outcome == Outcome::Accepted)
                .collect();
            let t = Instant::now();
            let s = write_stm("10670", "UCS", false, "256811", 1, &paid, 2, 5);
            let gen_t = t.elapsed();
            let base = reset_peak();
            let t = Instant::now();
            let r = read_stm(&s.file_name, &s.bytes).unwrap();
            let read_t = t.elapsed();
            println!(
                "STM {} lines: generate {gen_t:.2?}, read {read_t:.2?}, \
                 peak RSS during read {} MB over {} MB before",
                paid.len(),
                peak_kb().saturating_sub(base) / 1024,
                base / 1024,
            );
            assert_eq!(r.lines, s.lines);
        }
    }
}
