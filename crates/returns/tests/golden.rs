//! Generate → read round trips: every field of every line comes back as the generator says.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use raidai_returns::{
    Outcome, RepLayout, RepShares, read_rep, read_stm, write_rep, write_stm, write_stm_xml,
};

const SHARES: RepShares = RepShares {
    corrective_pct: 15,
    deny_pct: 8,
    paid_diff_pct: 25,
};

fn round_trip(kind: &str, ip: bool, fund: &str, n: usize, seed: u64) -> raidai_returns::RepFile {
    let layout = RepLayout::of_kind(kind);
    let visits = common::visits(n, ip, fund, seed);
    let g = write_rep(
        "10670",
        kind,
        layout,
        2025_01_22,
        205_506_156,
        &visits,
        &SHARES,
        seed,
    );
    assert!(
        g.file_name
            .starts_with(&format!("eclaim_10670_{kind}_25680122_")),
        "{}",
        g.file_name
    );
    let f = read_rep(&g.file_name, &g.bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
    assert!(f.rejects.is_empty(), "{kind}: {:?}", f.rejects);
    assert_eq!(f.lines.len(), g.lines.len());
    for (got, want) in f.lines.iter().zip(&g.lines) {
        assert_eq!(got, want, "{kind}");
    }
    assert_eq!(f.header.hcode, "10670");
    assert_eq!(f.header.kind, kind);
    assert_eq!(f.header.layout, layout);
    assert_eq!(f.header.appeal, kind.contains("APPEAL"));
    assert_eq!(f.header.issued, Some(2025_01_22));
    assert_eq!(f.header.doc_no, g.file_name.trim_end_matches(".xlsx"));
    // The shares produce every outcome in a file of this size.
    for o in [Outcome::Accepted, Outcome::Corrective, Outcome::Deny] {
        assert!(
            f.lines.iter().any(|l| l.outcome == o),
            "{kind}: no {o:?} line"
        );
    }
    assert!(
        f.lines
            .iter()
            .any(|l| l.outcome == Outcome::Accepted && l.expected != l.visit.claimed)
    );
    f
}

#[test]
fn ucs_op() {
    let f = round_trip("OP", false, "UCS", 400, 1);
    assert!(
        f.lines
            .iter()
            .all(|l| !l.ip && l.visit.an.is_empty() && l.fund == "OP")
    );
    assert_eq!(f.lines[0].visit.row, 8);
}

#[test]
fn ucs_ip() {
    let f = round_trip("IP", true, "UCS", 300, 2);
    assert!(f.lines.iter().all(|l| l.ip && !l.visit.an.is_empty()));
    assert!(f.lines.iter().any(|l| l.late));
}

#[test]
fn lgo_and_bkk_bmt() {
    let f = round_trip("IPLGO", true, "LGO", 300, 3);
    assert!(f.lines.iter().all(|l| l.fund == "IPLGO"));
    round_trip("OPBKK", false, "BKK", 200, 4);
    round_trip("OPBMT", false, "BMT", 200, 5);
}

#[test]
fn sss() {
    let f = round_trip("OPSSS", false, "SSS", 300, 6);
    assert!(f.lines.iter().all(|l| l.fund == "SSS"));
    round_trip("IPSSS", true, "SSS", 200, 7);
}

#[test]
fn appeals_and_orf() {
    let f = round_trip("IP_APPEAL", true, "UCS", 200, 8);
    assert!(f.header.appeal);
    round_trip("OP_APPEAL_CD", false, "UCS", 200, 9);
    let orf = round_trip("ORF", false, "UCS", 200, 10);
    assert!(
        orf.lines
            .iter()
            .all(|l| l.visit.date_out.is_none() && l.fund.is_empty())
    );
    assert_eq!(orf.lines[0].visit.row, 10);
}

#[test]
fn stm_xlsx() {
    let rep = round_trip("IP", true, "UCS", 300, 11);
    let paid: Vec<_> = rep
        .lines
        .into_iter()
        .filter(|l| l.outcome == Outcome::Accepted)
        .collect();
    let g = write_stm("10670", "UCS", true, "256811", 1, &paid, 11, 10);
    assert_eq!(g.file_name, "STM_10670_IPUCS256811_01.xlsx");
    let f = read_stm(&g.file_name, &g.bytes).unwrap();
    assert!(f.rejects.is_empty(), "{:?}", f.rejects);
    assert_eq!(f.lines, g.lines);
    assert_eq!(f.header.hcode, "10670");
    assert!(f.header.ip);
    assert_eq!(f.header.fund, "UCS");
    assert_eq!(f.header.period, "256811");
    assert_eq!(f.header.doc_no, "STM_10670_IPUCS256811_01");
    assert!(f.lines.iter().any(|l| l.paid != l.visit.claimed));
    for (s, r) in f.lines.iter().zip(&paid) {
        assert_eq!(s.visit.tran_id, r.visit.tran_id);
    }
    let op = write_stm("10670", "LGO", false, "256901", 2, &paid[..10], 12, 0);
    let f = read_stm(&op.file_name, &op.bytes).unwrap();
    assert_eq!(f.lines, op.lines);
    assert!(!f.header.ip);
}

#[test]
fn stm_xml() {
    let rep = round_trip("OP", false, "OFC", 200, 13);
    let paid: Vec<_> = rep
        .lines
        .into_iter()
        .filter(|l| l.outcome == Outcome::Accepted)
        .collect();
    let g = write_stm_xml("10670", "SOGN", false, "256512", &paid, 13, 10);
    assert_eq!(g.file_name, "10670_SOGNSTMP_202212.xml");
    let f = read_stm(&g.file_name, &g.bytes).unwrap();
    assert!(f.rejects.is_empty(), "{:?}", f.rejects);
    assert_eq!(f.lines, g.lines);
    assert_eq!(f.header.hcode, "10670");
    assert_eq!(f.header.fund, "SOGN");
    assert_eq!(f.header.period, "256512");
    assert_eq!(f.header.doc_no, "10670_SOGNSTMP_202212");
    assert!(!f.header.ip);
    assert!(
        f.lines
            .iter()
            .all(|l| l.visit.tran_id.is_empty() && !l.visit.seq_no.is_empty())
    );
    let text = String::from_utf8(g.bytes.clone()).unwrap();
    let first = text.lines().position(|l| l == "<TBill>").unwrap() as u32 + 1;
    assert_eq!(f.lines[0].visit.row, first);
}

#[test]
fn same_seed_same_bytes_and_lines() {
    let v = common::visits(50, false, "UCS", 99);
    let a = write_rep("10670", "OP", RepLayout::Ucs, 2025_03_01, 1, &v, &SHARES, 5);
    let b = write_rep("10670", "OP", RepLayout::Ucs, 2025_03_01, 1, &v, &SHARES, 5);
    assert_eq!(a.lines, b.lines);
    assert_eq!(a.bytes, b.bytes);
    let c = write_rep("10670", "OP", RepLayout::Ucs, 2025_03_01, 1, &v, &SHARES, 6);
    assert_ne!(a.lines, c.lines);
    // TRAN_IDs are 9 digits and unique.
    let mut ids: Vec<_> = a.lines.iter().map(|l| l.visit.tran_id.clone()).collect();
    assert!(
        ids.iter()
            .all(|t| t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()))
    );
    ids.dedup();
    assert_eq!(ids.len(), 50);
}

#[test]
fn empty_and_other_funds() {
    let g = write_rep(
        "10670",
        "OP",
        RepLayout::Ucs,
        2025_01_22,
        7,
        &[],
        &SHARES,
        1,
    );
    let f = read_rep(&g.file_name, &g.bytes).unwrap();
    assert!(f.lines.is_empty() && f.rejects.is_empty());
    let rep = round_trip("OPBKK", false, "BKK", 60, 21);
    let s = write_stm("10670", "BKK", false, "256801", 123, &rep.lines, 3, 50);
    assert_eq!(s.file_name, "STM_10670_OPBKK256801_123.xlsx");
    let f = read_stm(&s.file_name, &s.bytes).unwrap();
    assert_eq!((f.header.fund.as_str(), f.lines.len()), ("BKK", 60));
    assert_eq!(f.lines, s.lines);
}
