//! The 16-file reader on arbitrary files: the input is split on NUL bytes into the files
//! below, held in memory (no file system work per run), and read in full (pass 1 and pass 2).
#![no_main]
use libfuzzer_sys::fuzz_target;
use raidai_formats::{ReadOptions, Source, read_all};

const NAMES: [&str; 9] = [
    "INS.txt", "PAT.txt", "OPD.txt", "CHT.txt", "CHA.txt", "ODX.txt", "IPD.txt", "ADP.txt",
    "DRU.txt",
];

fuzz_target!(|data: &[u8]| {
    let files = NAMES
        .iter()
        .zip(data.split(|&b| b == 0))
        .map(|(name, part)| (name.to_string(), std::sync::Arc::<[u8]>::from(part)))
        .collect();
    let opts = ReadOptions {
        batch_size: 7,
        threads: 1,
        ..ReadOptions::default()
    };
    let _ = read_all(&Source::Memory(files), &opts);
});
