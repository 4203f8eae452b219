//! Imports a folder of 16 files into a database for one unit (seeded if missing) and prints
//! the time per phase: `cargo run --release -p raidai-claims --example import16 -- DIR [DB_URL] [HCODE]`.
//! `raidai bench import` is the full benchmark; this is the pipeline alone, for profiling.
use raidai_claims::{ImportOptions, import};
use raidai_formats::Source;
use raidai_store::{Actor, Store};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dir = a.get(1).expect("DIR").clone();
    let tmp = tempfile::tempdir().unwrap();
    let url = a
        .get(2)
        .filter(|u| !u.is_empty())
        .cloned()
        .unwrap_or_else(|| format!("sqlite://{}", tmp.path().join("i.db").display()));
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let hcode = a.get(3).cloned().unwrap_or_else(|| "99001".into());
    let sys = Actor::system();
    let unit = raidai_store::testkit::unit(&hcode, "โรงพยาบาล", "rpch", ("9901", ""), 30, "F1");
    raidai_store::testkit::seed_province(&store, "ท", &[("9901", "อ")], &[unit])
        .await
        .unwrap();
    let t = Instant::now();
    let out = import(
        &store,
        &sys,
        Source::Dir(dir.into()),
        ImportOptions::new(raidai_store::testkit::hc(&hcode)),
    )
    .await
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let n = out.record.totals.visits_read + out.record.totals.admissions_read;
    println!(
        "{} encounters in {secs:.1} s = {:.0}/s; pass 1 {:.1} s, writes {:.1} s; inserted {}",
        n,
        n as f64 / secs,
        out.scan_secs,
        out.write_secs,
        out.record.counts.inserted
    );
}
