//! Hostile zips: entries sharing their data, entries that expand too far, inputs over the total
//! limit, entries longer than declared, damaged archives; and cancellation of a running read.

use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::{GenConfig, generate, zip_dir};
use raidai_formats::{CancelFlag, ReadError, ReadOptions, Source, ZipLimits, scan};
use std::io::Write;
use std::path::Path;

fn scan_err(source: &Source, opts: &ReadOptions) -> ReadError {
    match scan(source, opts, &mut |_| {}) {
        Ok(_) => panic!("the input was read"),
        Err(e) => e,
    }
}

/// A stored (uncompressed) zip whose central directory lists `names`, every one of them
/// pointing at the same local header and data: the shape of an overlapping-entries bomb.
fn overlapping_zip(path: &Path, names: &[&str], data: &[u8]) {
    let crc = crc32fast::hash(data);
    let first = names[0].as_bytes();
    let mut out = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    // Local file header of the one real entry.
    le32(&mut out, 0x0403_4b50);
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, 0); // stored
    le16(&mut out, 0);
    le16(&mut out, 0);
    le32(&mut out, crc);
    le32(&mut out, data.len() as u32);
    le32(&mut out, data.len() as u32);
    le16(&mut out, first.len() as u16);
    le16(&mut out, 0);
    out.extend_from_slice(first);
    out.extend_from_slice(data);
    let cd_start = out.len() as u32;
    for n in names {
        le32(&mut out, 0x0201_4b50);
        le16(&mut out, 20);
        le16(&mut out, 20);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le32(&mut out, crc);
        le32(&mut out, data.len() as u32);
        le32(&mut out, data.len() as u32);
        le16(&mut out, n.len() as u16);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le16(&mut out, 0);
        le32(&mut out, 0);
        le32(&mut out, 0); // every entry at offset 0
        out.extend_from_slice(n.as_bytes());
    }
    let cd_len = out.len() as u32 - cd_start;
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, names.len() as u16);
    le16(&mut out, names.len() as u16);
    le32(&mut out, cd_len);
    le32(&mut out, cd_start);
    le16(&mut out, 0);
    std::fs::write(path, out).unwrap();
}

#[test]
fn entries_sharing_data_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bomb.zip");
    overlapping_zip(
        &zip,
        &[
            "OPD.txt", "ODX.txt", "OOP.txt", "CHT.txt", "CHA.txt", "ADP.txt",
        ],
        b"HN|CLINIC|DATEOPD|TIMEOPD|SEQ|UUC\r\n",
    );
    let e = scan_err(&Source::Zip(zip), &ReadOptions::default());
    assert!(matches!(e, ReadError::ZipLimit { .. }), "{e}");
    assert!(e.to_string().contains("share the same data"), "{e}");
    assert!(e.message_th().contains("ปฏิเสธ"), "{}", e.message_th());
}

#[test]
fn an_entry_expanding_beyond_the_ratio_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("ratio.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip).unwrap());
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("OPD.txt", o).unwrap();
    w.write_all(&vec![b'0'; 8 << 20]).unwrap();
    w.finish().unwrap();
    let e = scan_err(&Source::Zip(zip.clone()), &ReadOptions::default());
    assert!(e.to_string().contains("the limit is 200×"), "{e}");
    // A higher configured ratio lets the same entry through to the reader.
    let opts = ReadOptions {
        zip_limits: ZipLimits {
            max_ratio: 10_000,
            ..ZipLimits::default()
        },
        ..ReadOptions::default()
    };
    assert!(scan(&Source::Zip(zip), &opts, &mut |_| {}).is_ok());
}

fn generated_zip(dir: &Path) -> std::path::PathBuf {
    let files = dir.join("files");
    let mut cfg = GenConfig::new(Hcode::parse("11001").unwrap(), FiscalYear::new(2569), 3);
    cfg.visits = 30;
    cfg.admissions = 2;
    generate(&cfg, &files).unwrap();
    let zip = dir.join("set.zip");
    zip_dir(&files, &zip).unwrap();
    zip
}

#[test]
fn the_total_uncompressed_size_is_limited() {
    let dir = tempfile::tempdir().unwrap();
    let zip = generated_zip(dir.path());
    let opts = ReadOptions {
        zip_limits: ZipLimits {
            max_total_bytes: 4_000,
            ..ZipLimits::default()
        },
        ..ReadOptions::default()
    };
    let e = scan_err(&Source::Zip(zip.clone()), &opts);
    assert!(e.to_string().contains("4000 bytes"), "{e}");
    assert!(scan(&Source::Zip(zip), &ReadOptions::default(), &mut |_| {}).is_ok());
}

#[test]
fn damaged_archives_are_a_read_error_with_a_thai_message() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("x.zip");
    std::fs::write(
        &zip,
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let e = scan_err(&Source::Zip(zip), &ReadOptions::default());
    assert!(matches!(e, ReadError::Zip { .. }), "{e}");
    assert!(e.message_th().contains("x.zip"), "{}", e.message_th());
    assert!(
        !e.message_th().contains(dir.path().to_str().unwrap()),
        "no server paths"
    );
}

#[test]
fn a_cancelled_read_stops_with_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let zip = generated_zip(dir.path());
    for source in [Source::Zip(zip), Source::Dir(dir.path().join("files"))] {
        let cancel = CancelFlag::default();
        cancel.cancel();
        let opts = ReadOptions {
            cancel,
            ..ReadOptions::default()
        };
        let e = scan_err(&source, &opts);
        assert!(matches!(e, ReadError::Cancelled), "{e}");
    }
}
