//! generate → read keeps every satang, whatever the amounts and outcomes.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use proptest::prelude::*;
use raidai_returns::{
    Outcome, RepLayout, RepShares, Satang, read_rep, read_stm, write_rep, write_stm, write_stm_xml,
};

const KINDS: &[&str] = &["OP", "IP", "IPLGO", "OPSSS", "ORF", "OP_APPEAL"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn satang_survive(
        amounts in prop::collection::vec(-100_000_000i64..100_000_000_000i64, 1..40),
        kind in 0..KINDS.len(),
        corrective in 0u32..60,
        deny in 0u32..40,
        diff in 0u32..=100,
        seed in any::<u64>(),
    ) {
        let kind = KINDS[kind];
        let ip = kind.starts_with("IP");
        let mut visits = common::visits(amounts.len(), ip, "UCS", seed);
        for (v, a) in visits.iter_mut().zip(&amounts) {
            v.claimed = Satang(*a);
        }
        let shares = RepShares { corrective_pct: corrective, deny_pct: deny, paid_diff_pct: diff };
        let g = write_rep("10670", kind, RepLayout::of_kind(kind), 2025_06_30, seed % 1000, &visits, &shares, seed);
        let f = read_rep(&g.file_name, &g.bytes).unwrap();
        prop_assert!(f.rejects.is_empty());
        prop_assert_eq!(&f.lines, &g.lines);
        for (l, a) in f.lines.iter().zip(&amounts) {
            prop_assert_eq!(l.visit.claimed, Satang(*a));
            if l.outcome != Outcome::Accepted {
                prop_assert_eq!(l.expected, Satang::ZERO);
            }
        }
        let s = write_stm("10670", "UCS", ip, "256806", 1, &f.lines, seed, diff);
        let back = read_stm(&s.file_name, &s.bytes).unwrap();
        prop_assert_eq!(&back.lines, &s.lines);
        let x = write_stm_xml("10670", "SOGN", ip, "256806", &f.lines, seed, diff);
        let back = read_stm(&x.file_name, &x.bytes).unwrap();
        prop_assert_eq!(&back.lines, &x.lines);
    }
}
