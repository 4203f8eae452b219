//! An uploaded zip: listed (limits, overlap), then read in full.
#![no_main]
use libfuzzer_sys::fuzz_target;
use raidai_formats::{ReadOptions, Source, read_all};

fuzz_target!(|data: &[u8]| {
    let path = std::path::PathBuf::from(format!("/dev/shm/raidai-fuzz-zip-{}.zip", std::process::id()));
    std::fs::write(&path, data).unwrap();
    let opts = ReadOptions {
        batch_size: 7,
        threads: 1,
        ..ReadOptions::default()
    };
    let _ = read_all(&Source::Zip(path), &opts);
});
