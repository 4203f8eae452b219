//! Streaming: the reader's memory grows with the number of distinct keys (a small index entry
//! per visit, admission and HN), not with the bytes of the files. Measured with a counting
//! allocator; this binary holds a single test so nothing else allocates meanwhile.

use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate};
use raidai_formats::{HeaderSet, ReadOptions, Source, TextEncoding, scan};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CURRENT.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated while scanning and assembling every batch (batches are dropped).
fn peak_while_reading(dir: &std::path::Path) -> (usize, u64) {
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let opts = ReadOptions {
        batch_size: 200,
        ..Default::default()
    };
    let mut rejects = 0;
    let imp = scan(&Source::Dir(dir.into()), &opts, &mut |_| rejects += 1).unwrap();
    let mut n = 0;
    for b in imp.batches() {
        n += b.unwrap().encounters.len();
    }
    assert_eq!(rejects, 0);
    assert_eq!(
        n as u64,
        imp.report().visits.importable + imp.report().admissions.importable
    );
    let bytes = imp.report().files.iter().map(|f| f.bytes).sum();
    drop(imp);
    (PEAK.load(Relaxed) - base, bytes)
}

#[test]
fn memory_grows_with_keys_not_bytes() {
    let gen_set = |visits: usize| {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = GenConfig::new(Hcode::parse("11001").unwrap(), FiscalYear::new(2569), 42);
        cfg.visits = visits;
        cfg.admissions = visits / 20;
        cfg.headers = HeaderSet::Fdh;
        cfg.encoding = TextEncoding::Windows874;
        generate(&cfg, dir.path()).unwrap();
        dir
    };
    let small = gen_set(1_000);
    let large = gen_set(4_000);
    let (peak_s, bytes_s) = peak_while_reading(small.path());
    let (peak_l, bytes_l) = peak_while_reading(large.path());
    let keys = (4_000 + 200 - 1_000 - 50) as f64;
    let per_key = (peak_l as f64 - peak_s as f64) / keys;
    let bytes_per_key = (bytes_l - bytes_s) as f64 / keys;
    eprintln!(
        "peak {peak_s} B for {bytes_s} B of files, {peak_l} B for {bytes_l} B: +{per_key:.0} B per encounter \
         against +{bytes_per_key:.0} B of file per encounter"
    );
    // The index costs a couple of hundred bytes per key, a fraction of the file bytes per
    // encounter; buffers and one batch are a constant.
    assert!(per_key < 400.0, "{per_key} B per encounter");
    assert!(per_key < bytes_per_key / 2.0);
}
