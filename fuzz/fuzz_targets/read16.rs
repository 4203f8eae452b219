//! The 16-file reader on arbitrary files: the input is split on NUL bytes into the files
//! below, written to a RAM folder, and read in full (pass 1 and pass 2).
#![no_main]
use libfuzzer_sys::fuzz_target;
use raidai_formats::{ReadOptions, Source, read_all};

const NAMES: [&str; 9] = [
    "INS.txt", "PAT.txt", "OPD.txt", "CHT.txt", "CHA.txt", "ODX.txt", "IPD.txt", "ADP.txt",
    "DRU.txt",
];

fuzz_target!(|data: &[u8]| {
    let dir = std::path::PathBuf::from(format!("/dev/shm/raidai-fuzz-read16-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, part) in NAMES.iter().zip(data.split(|&b| b == 0)) {
        std::fs::write(dir.join(name), part).unwrap();
    }
    let opts = ReadOptions {
        batch_size: 7,
        threads: 1,
        ..ReadOptions::default()
    };
    let _ = read_all(&Source::Dir(dir), &opts);
});
