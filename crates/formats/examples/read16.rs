//! Reads a folder or zip of 16 files in batches and prints what was found, the speed and the
//! peak memory of the process:
//! `cargo run --release -p raidai-formats --example read16 -- PATH [batch_size] [max_rejects_shown]`
use raidai_formats::{ReadOptions, Source, scan};
use std::time::Instant;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process (load on a shared machine does not change it).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of /proc/PID/stat (1-based), clock ticks at the usual 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let path = a.get(1).expect("PATH");
    let batch_size = a.get(2).map(|s| s.parse().unwrap()).unwrap_or(2_000);
    let show: usize = a.get(3).map(|s| s.parse().unwrap()).unwrap_or(20);
    let source = Source::from_path(path).expect("source");
    let opts = ReadOptions {
        batch_size,
        ..Default::default()
    };
    let c0 = cpu_seconds();
    let t0 = Instant::now();
    let mut shown = 0;
    let imp = scan(&source, &opts, &mut |r| {
        if shown < show {
            println!("reject {r}");
            shown += 1;
        }
    })
    .expect("scan");
    let t1 = Instant::now();
    let c1 = cpu_seconds();
    let rss_scan = peak_rss_kib();
    let (mut encounters, mut lines) = (0u64, 0u64);
    for b in imp.batches() {
        let b = b.expect("batch");
        for e in &b.encounters {
            encounters += 1;
            lines += 4 + (e.charges().len() + e.drugs().len() + e.bills().len()) as u64;
        }
    }
    let t2 = Instant::now();
    let c2 = cpu_seconds();
    let r = imp.report();
    let rows: u64 = r.files.iter().map(|f| f.records).sum();
    let bytes: u64 = r.files.iter().map(|f| f.bytes).sum();
    for f in &r.files {
        println!(
            "{:4} {:>10} rows {:>12} bytes {:>12} {:?} layout={:?} rejected={}",
            f.kind.code(),
            f.records,
            f.bytes,
            f.encoding.label(),
            f.detected,
            f.layout,
            f.rejected_lines
        );
    }
    println!(
        "visits {:?} admissions {:?} rejects {} by code {:?}",
        r.visits, r.admissions, r.rejects, r.rejects_by_code
    );
    let s1 = (t1 - t0).as_secs_f64();
    let s2 = (t2 - t1).as_secs_f64();
    println!(
        "input: {rows} rows, {:.1} MiB in {} batches",
        bytes as f64 / 1048576.0,
        r.batches
    );
    println!(
        "pass 1 (scan+validate): {s1:.2} s = {:.0} rows/s, {:.1} MiB/s",
        rows as f64 / s1,
        bytes as f64 / 1048576.0 / s1
    );
    println!(
        "pass 2 (assemble): {s2:.2} s, {encounters} encounters (~{lines} records) = {:.0} rows/s",
        rows as f64 / s2
    );
    println!(
        "total {:.2} s = {:.0} rows/s",
        s1 + s2,
        rows as f64 / (s1 + s2)
    );
    println!(
        "CPU time: pass 1 {:.2} s ({:.0} rows/CPU-s), pass 2 {:.2} s, total {:.2} s ({:.0} rows/CPU-s)",
        c1 - c0,
        rows as f64 / (c1 - c0),
        c2 - c1,
        c2 - c0,
        rows as f64 / (c2 - c0)
    );
    println!(
        "peak RSS after pass 1: {} MiB, after pass 2: {} MiB",
        rss_scan / 1024,
        peak_rss_kib() / 1024
    );
}
