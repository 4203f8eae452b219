//! Reading a set of 16 files in two passes, memory bounded by the number of distinct keys.
//!
//! **Pass 1 ([`scan`])** streams every file once (twice with encoding sniffing), validates each
//! line, and keeps only small indexes: one entry per visit/admission key (ordinal, HN, flags,
//! Σ CHT.TOTAL, Σ CHA.AMOUNT, line numbers), one per HN (in PAT and where, tainted?), and
//! for every file and batch the byte range holding that batch's lines. All rejects go to the
//! caller's sink as they are found; nothing else is kept.
//!
//! **Pass 2 ([`Import::batches`])** assembles the importable encounters batch by batch, in
//! OPD-then-IPD order. For each batch it reads only the byte range recorded for it in each file,
//! keeping the files open between batches: when a file is ordered like OPD (the usual case) the
//! whole pass reads each file about once; an unordered file is re-read per batch, never held.
//! Patients visit all year, so PAT lines are fetched by the offset pass 1 kept per HN (a seek in
//! a folder; in a zip PAT is inflated again up to the last patient needed, once per batch).
//!
//! Memory: ~150 B per encounter and per HN for the indexes, plus one assembled batch (a few kB
//! per encounter), plus 64 KiB buffers per open file.

use indexmap::IndexMap;
use raidai_domain::ids::Hcode;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::encoding::{
    Detected, EncodingChoice, LineClass, Sniff, TextEncoding, classify, is_bad_char,
};
use crate::field::FieldError;
use crate::kind::{Col, FileKind};
use crate::lines::{Eol, Lines, is_blank};
use crate::records::*;
use crate::reject::{Reject, RejectCode, shown_value};
use crate::source::{CancelFlag, Entry, IgnoredFile, ReadError, Reader, Source, ZipLimits};
use crate::visit::{Admission, Encounter, RefusedLine, Visit, VisitKey};

/// How to read a set.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub encoding: EncodingChoice,
    /// The importing unit: when set, PAT/DRU/LAB HCODE must equal it (FDH rule).
    pub unit: Option<Hcode>,
    /// Encounters (visits + admissions, importable or not) per batch of pass 2. Default 2 000:
    /// an assembled batch takes a few kB per encounter.
    pub batch_size: usize,
    /// Threads reading the files after OPD, IPD and PAT in pass 1 (default 2). The result is
    /// the same for any number.
    pub threads: usize,
    /// Bounds on a zip's expansion.
    pub zip_limits: ZipLimits,
    /// Stops the read (pass 1 and pass 2) with [`ReadError::Cancelled`] once set.
    pub cancel: CancelFlag,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            encoding: EncodingChoice::Auto,
            unit: None,
            batch_size: 2_000,
            threads: LINK_THREADS,
            zip_limits: ZipLimits::default(),
            cancel: CancelFlag::default(),
        }
    }
}

/// What was found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    pub kind: FileKind,
    pub name: String,
    /// Bytes of (decompressed) content.
    pub bytes: u64,
    /// The header generation matched exactly, if any (`classic`, `fdh`, `adp17`, …).
    pub layout: Option<&'static str>,
    pub header: Vec<String>,
    /// Header names this reader does not know for the file (ignored).
    pub unknown_columns: Vec<String>,
    /// Columns the reader needs that the header lacks.
    pub missing_columns: Vec<String>,
    /// The encoding the file was read with.
    pub encoding: TextEncoding,
    /// What its bytes look like.
    pub detected: Detected,
    pub bom: bool,
    /// Data lines (blank lines excluded).
    pub records: u64,
    pub rejected_lines: u64,
    pub blank_lines: u64,
    /// Characters that show a decoding problem (U+FFFD or C1 controls).
    pub replacement_chars: u64,
    pub crlf_lines: u64,
    pub lf_lines: u64,
    pub trailing_newline: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub total: u64,
    pub importable: u64,
    pub rejected: u64,
}

/// Summary of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    pub ignored: Vec<IgnoredFile>,
    pub visits: Tally,
    pub admissions: Tally,
    /// Distinct HNs in PAT.
    pub patients: u64,
    pub rejects: u64,
    pub rejects_by_code: BTreeMap<RejectCode, u64>,
    pub batches: usize,
}

impl ImportReport {
    pub fn file(&self, kind: FileKind) -> Option<&FileReport> {
        self.files.iter().find(|f| f.kind == kind)
    }
}

/// Whether one encounter can be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EncounterStatus {
    pub key: VisitKey,
    /// Line of the encounter in OPD or IPD.
    pub line: u64,
    pub importable: bool,
}

/// One batch of pass 2: the importable encounters of `first .. first + size` in scan order,
/// and the keys of that range that were rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub index: usize,
    pub first: usize,
    pub encounters: Vec<Encounter>,
    pub rejected: Vec<VisitKey>,
}

const REJECTED: u8 = 1;
const IN_INS: u8 = 2;
const HAS_CHT: u8 = 4;
const MONEY_OVERFLOW: u8 = 8;

#[derive(Debug, Clone, Default)]
struct KeyInfo {
    hn: u32,
    // Line numbers as u32 keep the index of a million encounters 8 MB smaller; a file of more
    // than 4 billion lines is far beyond any export (saturated, only shown in messages).
    line: u32,
    st: KeyState,
}

/// What the files linking to an encounter say about it (kept apart by each pass-1 thread).
#[derive(Debug, Clone, Copy, Default)]
struct KeyState {
    cht_total: i64,
    cha_sum: i64,
    cht_line: u32,
    flags: u8,
}

impl std::ops::Deref for KeyInfo {
    type Target = KeyState;
    fn deref(&self) -> &KeyState {
        &self.st
    }
}

impl std::ops::DerefMut for KeyInfo {
    fn deref_mut(&mut self) -> &mut KeyState {
        &mut self.st
    }
}

#[derive(Debug, Clone, Default)]
struct HnInfo {
    pat: bool,
    tainted: bool,
    /// Where its PAT line starts, to fetch it directly in pass 2.
    pat_at: u64,
    pat_line: u32,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u64,
    start_line: u64,
    end: u64,
}

const EMPTY_SPAN: Span = Span {
    start: u64::MAX,
    start_line: 0,
    end: 0,
};

#[derive(Debug)]
struct FileState {
    entry: Entry,
    map: ColumnMap,
    encoding: TextEncoding,
}

/// The result of pass 1: indexes, report, and the way to pass 2.
#[derive(Debug)]
pub struct Import {
    files: Vec<Option<FileState>>,
    keys: IndexMap<Box<[u8]>, KeyInfo, FxBuildHasher>,
    hns: IndexMap<Box<str>, HnInfo, FxBuildHasher>,
    batch_size: usize,
    spans: Vec<Vec<Span>>,
    /// Per file kind: detail lines rejected alone (their encounters kept), by line number, with
    /// the ordinal of their encounter; pass 2 skips them.
    dropped: Vec<FxHashMap<u64, usize>>,
    report: ImportReport,
}

impl Import {
    /// An empty index reading in batches of `batch_size` (at least one), with `report`.
    fn empty(batch_size: usize, report: ImportReport) -> Import {
        Import {
            files: (0..FileKind::ALL.len()).map(|_| None).collect(),
            keys: IndexMap::default(),
            hns: IndexMap::default(),
            batch_size: batch_size.max(1),
            spans: vec![Vec::new(); FileKind::ALL.len()],
            dropped: vec![Default::default(); FileKind::ALL.len()],
            report,
        }
    }
}

/// Order of pass 1: OPD/IPD define the encounters, PAT before INS (INS.HN must be in PAT),
/// INS and CHT before the rest only for readable rejects.
const SCAN_ORDER: [FileKind; 17] = [
    FileKind::Opd,
    FileKind::Ipd,
    FileKind::Pat,
    FileKind::Ins,
    FileKind::Cht,
    FileKind::Cha,
    FileKind::Orf,
    FileKind::Odx,
    FileKind::Oop,
    FileKind::Irf,
    FileKind::Idx,
    FileKind::Iop,
    FileKind::Aer,
    FileKind::Adp,
    FileKind::Lvd,
    FileKind::Dru,
    FileKind::Lab,
];

/// Pass 1: validates the whole set, sending every reject to `sink` as it is found.
pub fn scan(
    source: &Source,
    opts: &ReadOptions,
    sink: &mut dyn FnMut(Reject),
) -> Result<Import, ReadError> {
    let listing = source.list(&opts.zip_limits, &opts.cancel)?;
    let mut s = Scanner {
        imp: Import::empty(
            opts.batch_size,
            ImportReport {
                ignored: listing.ignored.clone(),
                ..Default::default()
            },
        ),
        shared: None,
        states: Vec::new(),
        tainted: Vec::new(),
        opts,
        sink: Sink::Direct(sink),
        keybuf: Vec::with_capacity(64),
        last_ord: 0,
        errs: Vec::new(),
        all_tainted: false,
    };
    for kind in [FileKind::Ins, FileKind::Pat, FileKind::Cht] {
        if listing.get(kind).is_none() {
            s.file_reject(
                &format!("{kind}.txt"),
                RejectCode::MissingFile,
                format!("ไม่มีแฟ้ม {kind} ซึ่งต้องส่งทุกครั้ง"),
                format!("mandatory file {kind} is missing"),
            );
        }
    }
    let has_opd = listing.get(FileKind::Opd).is_some();
    let has_ipd = listing.get(FileKind::Ipd).is_some();
    if !has_opd && !has_ipd {
        s.file_reject(
            "OPD.txt",
            RejectCode::MissingFile,
            "ต้องมีแฟ้ม OPD หรือ IPD อย่างน้อยหนึ่งแฟ้ม".into(),
            "neither OPD nor IPD is present: there is nothing to import".into(),
        );
    }
    for (parent, present) in [(FileKind::Opd, has_opd), (FileKind::Ipd, has_ipd)] {
        let orphans: Vec<&str> = FileKind::ALL
            .iter()
            .filter(|k| {
                if parent == FileKind::Opd {
                    k.requires_opd()
                } else {
                    k.requires_ipd()
                }
            })
            .filter(|k| listing.get(**k).is_some())
            .map(|k| k.code())
            .collect();
        if !present && (has_opd || has_ipd) && !orphans.is_empty() {
            let list = orphans.join(", ");
            s.file_reject(
                &format!("{parent}.txt"),
                RejectCode::MissingFile,
                format!("ไม่มีแฟ้ม {parent} แต่มีแฟ้ม {list} ซึ่งต้องใช้คู่กัน จึงไม่ได้อ่านแฟ้มเหล่านั้น"),
                format!("{parent} is missing but {list} need it; they were not read"),
            );
        }
    }
    // Size the indexes once from the line counts of plain files: growing a table of a million
    // keys doubles it, and old and new copies briefly coexist (a third more peak memory).
    // Counted here, not in each file's sniffing pass: OPD already registers the HNs, so the
    // PAT count is needed before OPD is read (measured: +25 MiB peak when taken later).
    let lines_of = |kind: FileKind| {
        listing
            .get(kind)
            .and_then(|e| e.plain_path())
            .and_then(|p| count_newlines(p).ok())
            .unwrap_or(0)
    };
    s.imp
        .keys
        .reserve(lines_of(FileKind::Opd) + lines_of(FileKind::Ipd));
    let pat_lines = lines_of(FileKind::Pat);
    s.imp.hns.reserve(pat_lines);
    let mut building: Vec<(FileKind, Entry)> = Vec::new();
    let mut patients: Option<Entry> = None;
    let mut linking: Vec<(FileKind, Entry, u64)> = Vec::new();
    for kind in SCAN_ORDER {
        let Some(entry) = listing.get(kind) else {
            continue;
        };
        if (kind.requires_opd() && !has_opd) || (kind.requires_ipd() && !has_ipd) {
            continue;
        }
        if !has_opd && !has_ipd && !matches!(kind, FileKind::Opd | FileKind::Ipd) {
            continue;
        }
        if kind == FileKind::Pat {
            patients = Some(entry.clone());
        } else if BUILDS_INDEX.contains(&kind) {
            building.push((kind, entry.clone()));
        } else {
            let cost = entry.plain_path().map_or(1, scan_cost);
            linking.push((kind, entry.clone(), cost));
        }
    }
    // OPD and IPD register the encounters while another thread reads PAT into an HN index of
    // its own, merged afterwards as if PAT had been read after them.
    // With one thread asked for, the same work runs in order on this one (no thread started).
    let patients = if opts.threads <= 1 {
        for (kind, entry) in building {
            s.scan_file(kind, entry)?;
        }
        patients
            .map(|e| scan_patients(opts, e, pat_lines))
            .transpose()?
    } else {
        std::thread::scope(|scope| {
            let pat = patients.map(|e| scope.spawn(move || scan_patients(opts, e, pat_lines)));
            for (kind, entry) in building {
                s.scan_file(kind, entry)?;
            }
            pat.map(|h| h.join().expect("PAT thread panicked"))
                .transpose()
        })?
    };
    if let Some(p) = patients {
        s.merge_patients(p);
    }
    // The other files only look keys up: two threads take them, balanced by cost, and what
    // they find is merged in file order (rejects come out as a single thread would emit them).
    let groups = split_by_size(&linking, opts.threads.max(1));
    let linked: Vec<Result<Linked, ReadError>> = if groups.len() <= 1 {
        let shared = &s.imp;
        groups
            .into_iter()
            .map(|group| link_files(shared, opts, group))
            .collect()
    } else {
        let shared = &s.imp;
        std::thread::scope(|scope| {
            let handles: Vec<_> = groups
                .into_iter()
                .map(|group| scope.spawn(move || link_files(shared, opts, group)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("pass-1 thread panicked"))
                .collect()
        })
    };
    let mut linked = linked.into_iter().collect::<Result<Vec<_>, _>>()?;
    s.merge(&mut linked);
    drop(linked);
    s.finish();
    Ok(s.imp)
}

/// Files read by the main scanner: they register the encounters (OPD, IPD) and patients (PAT)
/// that every other file links to.
const BUILDS_INDEX: [FileKind; 3] = [FileKind::Opd, FileKind::Ipd, FileKind::Pat];
const LINK_THREADS: usize = 2;

/// Expected pass-1 work for a file: its bytes plus 30 per line (measured on the 1M-visit set:
/// a line costs about as much as 30 bytes of it), lines estimated from the first 64 KiB.
fn scan_cost(path: &std::path::Path) -> u64 {
    use std::io::Read;
    let Ok(meta) = std::fs::metadata(path) else {
        return 1;
    };
    let mut head = vec![0u8; 64 * 1024];
    let n = std::fs::File::open(path)
        .and_then(|f| f.take(head.len() as u64).read(&mut head))
        .unwrap_or(0);
    let newlines = memchr::memchr_iter(b'\n', &head[..n]).count().max(1) as u64;
    let lines = meta.len() * newlines / (n.max(1) as u64);
    meta.len() + 30 * lines
}

/// Splits files (kind, entry, cost) into `n` groups of similar total cost; each group keeps
/// the scan order.
fn split_by_size(files: &[(FileKind, Entry, u64)], n: usize) -> Vec<Vec<(FileKind, Entry)>> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].2));
    let mut load = vec![0u64; n];
    let mut member = vec![0usize; files.len()];
    for i in order {
        let g = (0..n).min_by_key(|&g| load[g]).unwrap_or(0);
        load[g] += files[i].2;
        member[i] = g;
    }
    (0..n)
        .map(|g| {
            files
                .iter()
                .zip(&member)
                .filter(|(_, m)| **m == g)
                .map(|((k, e, _), _)| (*k, e.clone()))
                .collect()
        })
        .collect()
}

/// Scans PAT on the calling thread into a fresh HN index.
fn scan_patients(opts: &ReadOptions, entry: Entry, lines: usize) -> Result<Linked, ReadError> {
    let mut s = Scanner::buffered(opts, None);
    s.imp.hns.reserve(lines);
    s.scan_file(FileKind::Pat, entry)?;
    Ok(Linked {
        files: vec![(FileKind::Pat, s.take_rejects())],
        imp: s.imp,
        states: Vec::new(),
        tainted: Vec::new(),
        all_tainted: s.all_tainted,
    })
}

/// Scans `files` (none of OPD, IPD, PAT) against the index `shared` on the calling thread.
fn link_files(
    shared: &Import,
    opts: &ReadOptions,
    files: Vec<(FileKind, Entry)>,
) -> Result<Linked, ReadError> {
    let mut s = Scanner::buffered(opts, Some(shared));
    let mut out = Vec::with_capacity(files.len());
    for (kind, entry) in files {
        s.scan_file(kind, entry)?;
        out.push((kind, s.take_rejects()));
    }
    Ok(Linked {
        files: out,
        imp: s.imp,
        states: s.states,
        tainted: s.tainted,
        all_tainted: s.all_tainted,
    })
}

fn count_newlines(path: &std::path::Path) -> std::io::Result<usize> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        n += memchr::memchr_iter(b'\n', &buf[..k]).count();
    }
}

/// Everything a small input holds, read in one call: pass 1 and every batch of pass 2.
#[derive(Debug, Clone)]
pub struct ReadAll {
    pub encounters: Vec<Encounter>,
    pub rejects: Vec<Reject>,
    pub statuses: Vec<EncounterStatus>,
    pub report: ImportReport,
}

pub fn read_all(source: &Source, opts: &ReadOptions) -> Result<ReadAll, ReadError> {
    let mut rejects = Vec::new();
    let imp = scan(source, opts, &mut |r| rejects.push(r))?;
    let mut encounters = Vec::new();
    for b in imp.batches() {
        encounters.extend(b?.encounters);
    }
    Ok(ReadAll {
        encounters,
        rejects,
        statuses: imp.statuses().collect(),
        report: imp.report,
    })
}

mod batches;
mod index;
mod scanner;

pub use batches::Batches;
use scanner::*;
