//! Synthetic visits for the tests (no real patient data).
#![allow(dead_code, clippy::inconsistent_digit_grouping)]

use raidai_returns::{ClaimedVisit, Satang};

/// `n` visits, deterministic from `seed`; IP visits get an AN and a stay of a few days.
pub fn visits(n: usize, ip: bool, fund: &str, seed: u64) -> Vec<ClaimedVisit> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |m: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    (0..n)
        .map(|i| {
            let day = 1 + next(28) as i64;
            let month = 1 + next(12) as i64;
            let date_in = 2025_00_00 + month * 100 + day;
            let stay = if ip { next(5) as i64 } else { 0 };
            let date_out = if day + stay <= 28 {
                date_in + stay
            } else {
                date_in
            };
            ClaimedVisit {
                hn: format!("{:07}", 1000 + next(900_000)),
                seq: format!("68{:02}{:02}{:06}", month, day, i),
                an: if ip {
                    format!("68{:07}", 100 + i)
                } else {
                    String::new()
                },
                pid: format!("{:013}", 1_100_000_000_000 + next(899_999_999_999)),
                name: format!("ผู้ป่วยทดสอบ {i}"),
                ip,
                date_in,
                date_out,
                claimed: Satang(next(5_000_000) as i64 + if i % 17 == 0 { 0 } else { 1 }),
                fund: fund.to_string(),
            }
        })
        .collect()
}
