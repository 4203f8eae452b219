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
use crate::visit::{Admission, Encounter, Visit, VisitKey};

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
    report: ImportReport,
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
        imp: Import {
            files: (0..FileKind::ALL.len()).map(|_| None).collect(),
            keys: IndexMap::default(),
            hns: IndexMap::default(),
            batch_size: opts.batch_size.max(1),
            spans: vec![Vec::new(); FileKind::ALL.len()],
            report: ImportReport {
                ignored: listing.ignored.clone(),
                ..Default::default()
            },
        },
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

struct LineCtx<'a> {
    file: &'a str,
    line: u64,
    hn: &'a str,
    seq: &'a str,
    an: &'a str,
}

struct Scanner<'s> {
    /// In the main scanner, the index being built; in a linking scanner, only this scanner's
    /// files, spans and report (the keys live in `shared`).
    imp: Import,
    /// Linking scanners (files after OPD, IPD and PAT, read on parallel threads) look keys and
    /// HNs up here and keep what they learn in `states` and `tainted`, merged afterwards.
    shared: Option<&'s Import>,
    states: Vec<KeyState>,
    tainted: Vec<u32>,
    opts: &'s ReadOptions,
    sink: Sink<'s>,
    keybuf: Vec<u8>,
    /// Ordinal of the last key found (see [`Import::find`]).
    last_ord: usize,
    errs: FieldErrors,
    all_tainted: bool,
}

/// Where rejects go: straight to the caller, or kept (in order) for a merge.
enum Sink<'s> {
    Direct(&'s mut dyn FnMut(Reject)),
    Buffer(Vec<Reject>),
}

/// What a linking scanner found, to merge into the main scanner.
struct Linked {
    files: Vec<(FileKind, Vec<Reject>)>,
    imp: Import,
    states: Vec<KeyState>,
    tainted: Vec<u32>,
    all_tainted: bool,
}

enum Resolved {
    /// The line carries no usable key.
    NoKey,
    Unknown,
    Found(usize),
}

impl<'s> Scanner<'s> {
    /// A scanner on a thread of its own: an empty index (or the shared one to link against),
    /// rejects kept for the merge.
    fn buffered(opts: &'s ReadOptions, shared: Option<&'s Import>) -> Scanner<'s> {
        Scanner {
            imp: Import {
                files: (0..FileKind::ALL.len()).map(|_| None).collect(),
                keys: IndexMap::default(),
                hns: IndexMap::default(),
                batch_size: opts.batch_size.max(1),
                spans: vec![Vec::new(); FileKind::ALL.len()],
                report: ImportReport::default(),
            },
            shared,
            states: Vec::new(),
            tainted: Vec::new(),
            opts,
            sink: Sink::Buffer(Vec::new()),
            keybuf: Vec::with_capacity(64),
            last_ord: 0,
            errs: Vec::new(),
            all_tainted: false,
        }
    }

    /// The rejects kept so far (buffered scanners).
    fn take_rejects(&mut self) -> Vec<Reject> {
        match &mut self.sink {
            Sink::Buffer(v) => std::mem::take(v),
            Sink::Direct(_) => Vec::new(),
        }
    }

    fn emit(&mut self, r: Reject) {
        self.imp.report.rejects += 1;
        *self.imp.report.rejects_by_code.entry(r.code).or_insert(0) += 1;
        match &mut self.sink {
            Sink::Direct(f) => f(r),
            Sink::Buffer(v) => v.push(r),
        }
    }

    /// The index of keys and HNs: the shared one when linking.
    fn index(&self) -> &Import {
        self.shared.unwrap_or(&self.imp)
    }

    /// The mutable state of encounter `ord` (flags, bill sums).
    fn state(&mut self, ord: usize) -> &mut KeyState {
        match self.shared {
            None => &mut self.imp.keys[ord].st,
            Some(sh) => {
                // Allocated on the first write: a thread reading only DRU (say) writes nothing
                // unless a line is rejected.
                if self.states.is_empty() {
                    self.states = vec![KeyState::default(); sh.keys.len()];
                }
                &mut self.states[ord]
            }
        }
    }

    fn file_reject(&mut self, file: &str, code: RejectCode, th: String, en: String) {
        self.emit(Reject {
            file: file.to_string(),
            line: 0,
            field: String::new(),
            value: String::new(),
            code,
            reason_th: th,
            reason_en: en,
            hn: String::new(),
            seq: String::new(),
            an: String::new(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn line_reject(
        &mut self,
        lc: &LineCtx<'_>,
        col: Option<Col>,
        field: &str,
        raw: &str,
        code: RejectCode,
        th: String,
        en: String,
    ) {
        self.emit(Reject {
            file: lc.file.to_string(),
            line: lc.line,
            field: field.to_string(),
            value: shown_value(col, raw),
            code,
            reason_th: th,
            reason_en: en,
            hn: lc.hn.to_string(),
            seq: lc.seq.to_string(),
            an: lc.an.to_string(),
        });
    }

    fn col_reject(&mut self, lc: &LineCtx<'_>, col: Col, raw: &str, e: FieldError) {
        self.line_reject(lc, Some(col), col.name(), raw, e.code, e.th, e.en);
    }

    fn resolve(&mut self, kind: FileKind, hn: &str, seq: &str, an: &str) -> Resolved {
        if !line_key(kind, hn, seq, an, &mut self.keybuf) {
            return Resolved::NoKey;
        }
        match self.index().find(&self.keybuf, self.last_ord) {
            None => Resolved::Unknown,
            Some(i) => {
                self.last_ord = i;
                Resolved::Found(i)
            }
        }
    }

    fn taint_hn(&mut self, hn: &str) {
        match self.shared {
            None => {
                if let Some(h) = self.imp.hns.get_mut(hn) {
                    h.tainted = true;
                }
            }
            Some(sh) => {
                if let Some(i) = sh.hns.get_index_of(hn) {
                    self.tainted.push(i as u32);
                }
            }
        }
    }

    fn span(&mut self, kind: FileKind, batch: usize, start: u64, line: u64, end: u64) {
        let spans = &mut self.imp.spans[kind as usize];
        if spans.len() <= batch {
            spans.resize(batch + 1, EMPTY_SPAN);
        }
        let s = &mut spans[batch];
        if start < s.start {
            s.start = start;
            s.start_line = line;
        }
        s.end = s.end.max(end);
    }

    fn register(&mut self, hn: &str, line: u64) -> usize {
        let ord = self.imp.keys.len();
        let hn_idx = match self.imp.hns.get_index_of(hn) {
            Some(i) => i,
            None => self.imp.hns.insert_full(hn.into(), HnInfo::default()).0,
        };
        self.imp.keys.insert(
            self.keybuf.clone().into_boxed_slice(),
            KeyInfo {
                hn: hn_idx as u32,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                ..Default::default()
            },
        );
        ord
    }

    fn sniff(&self, entry: &Entry) -> Result<Sniff, ReadError> {
        let io = |e| ReadError::io(entry.display_path(), e);
        let mut lines = Lines::new(entry.open_at(0)?, 0, 0);
        let mut s = Sniff::default();
        while let Some(l) = lines.next_line().map_err(io)? {
            let b = if l.no == 1 {
                strip_bom(l.bytes).0
            } else {
                l.bytes
            };
            s.add(classify(b));
        }
        Ok(s)
    }

    fn scan_file(&mut self, kind: FileKind, entry: Entry) -> Result<(), ReadError> {
        let io = |e| ReadError::io(entry.display_path(), e);
        let sniffed = match self.opts.encoding {
            EncodingChoice::Auto => Some(self.sniff(&entry)?),
            EncodingChoice::Declared(_) => None,
        };
        let encoding = match (self.opts.encoding, sniffed) {
            (EncodingChoice::Declared(e), _) => e,
            (_, Some(s)) => s.choose(),
            (_, None) => TextEncoding::Windows874,
        };
        let name = entry.name.clone();
        let mut rep = FileReport {
            kind,
            name: name.clone(),
            bytes: 0,
            layout: None,
            header: Vec::new(),
            unknown_columns: Vec::new(),
            missing_columns: Vec::new(),
            encoding,
            detected: Detected::Ascii,
            bom: false,
            records: 0,
            rejected_lines: 0,
            blank_lines: 0,
            replacement_chars: 0,
            crlf_lines: 0,
            lf_lines: 0,
            trailing_newline: false,
        };
        let mut lines = Lines::new(entry.open_at(0)?, 0, 0);

        // Header.
        let Some(header) = lines.next_line().map_err(io)? else {
            self.imp.report.files.push(rep);
            return Ok(());
        };
        count_eol(&mut rep, header.eol);
        let mut last_eol = header.eol;
        if header.bytes.starts_with(&[0xff, 0xfe]) || header.bytes.starts_with(&[0xfe, 0xff]) {
            self.all_tainted = true;
            self.file_reject(
                &name,
                RejectCode::Encoding,
                format!("แฟ้ม {kind} เป็น UTF-16 ซึ่งไม่รองรับ ให้ส่งออกเป็น windows-874 หรือ UTF-8"),
                format!("{kind} is UTF-16, which is not supported; export windows-874 or UTF-8"),
            );
            rep.bytes = entry_len(&mut lines).map_err(io)?;
            self.imp.report.files.push(rep);
            return Ok(());
        }
        let (hbytes, bom) = strip_bom(header.bytes);
        rep.bom = bom;
        let htext = String::from_utf8_lossy(hbytes);
        let names: Vec<&str> = htext.split('|').map(str::trim).collect();
        let cols: Vec<Option<Col>> = names
            .iter()
            .map(|n| Col::from_header(n).filter(|c| kind.knows(*c)))
            .collect();
        rep.header = names.iter().map(|s| s.to_string()).collect();
        rep.unknown_columns = names
            .iter()
            .zip(&cols)
            .filter(|(n, c)| c.is_none() && !n.is_empty())
            .map(|(n, _)| n.to_string())
            .collect();
        let map = ColumnMap::new(&cols);
        // Exact spelling first (DRUGPRICE vs DRUGPRIC map to one column), then by columns.
        let layouts = kind.layouts();
        rep.layout = layouts
            .iter()
            .find(|l| {
                l.header.len() == names.len()
                    && l.header
                        .iter()
                        .zip(&names)
                        .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .or_else(|| {
                layouts.iter().find(|l| {
                    l.header.len() == cols.len()
                        && l.columns().zip(&cols).all(|(a, b)| Some(a) == *b)
                })
            })
            .map(|l| l.name);
        let mut missing: Vec<Col> = required_columns(kind)
            .into_iter()
            .filter(|c| !map.has(*c))
            .collect();
        let mut unattributable = false;
        for group in key_columns(kind) {
            if !group.iter().any(|c| map.has(*c)) {
                unattributable = true;
                for c in group.iter() {
                    if !missing.contains(c) {
                        missing.push(*c);
                    }
                }
            }
        }
        rep.missing_columns = missing.iter().map(|c| c.name().to_string()).collect();
        if !missing.is_empty() {
            let list = rep.missing_columns.join(", ");
            let no_header = cols.iter().all(Option::is_none);
            let (th, en) = if no_header {
                (
                    format!("บรรทัดแรกของแฟ้ม {kind} ไม่ใช่หัวคอลัมน์"),
                    format!("the first line of {kind} is not a header line"),
                )
            } else {
                (
                    format!("หัวคอลัมน์ของแฟ้ม {kind} ไม่มี {list}"),
                    format!("the {kind} header lacks {list}"),
                )
            };
            self.file_reject(&name, RejectCode::MissingColumn, th, en);
        }
        let state = FileState {
            entry: entry.clone(),
            map,
            encoding,
        };

        // Body.
        let mut body_sniff = Sniff::default();
        let unit = self.opts.unit;
        while let Some(line) = lines.next_line().map_err(io)? {
            count_eol(&mut rep, line.eol);
            last_eol = line.eol;
            if is_blank(line.bytes) {
                rep.blank_lines += 1;
                continue;
            }
            rep.records += 1;
            let class = classify(line.bytes);
            body_sniff.add(class);
            let (text, bad_chars) = encoding.decode(line.bytes);
            rep.replacement_chars += u64::from(bad_chars);
            let fields: Vec<&str> = text.split('|').collect();
            let row = Row {
                fields: &fields,
                map: &state.map,
            };
            let (hn, seq, an) = (row.raw(Col::HN), row.raw(Col::SEQ), row.raw(Col::AN));
            let lc = LineCtx {
                file: &name,
                line: line.no,
                hn,
                seq,
                an,
            };
            let mut bad = false;
            let mut shape_ok = true;
            let mut rec = None;
            for (col, v) in [(Col::HN, hn), (Col::SEQ, seq), (Col::AN, an)] {
                if !v.is_ascii() {
                    bad = true;
                    self.line_reject(
                        &lc,
                        Some(col),
                        col.name(),
                        v,
                        RejectCode::BadKey,
                        format!("{col} ต้องเป็นตัวอักษรภาษาอังกฤษหรือตัวเลข"),
                        format!("{col} must be ASCII"),
                    );
                }
            }
            if line.overlong || fields.len() != state.map.width {
                bad = true;
                shape_ok = false;
                let (th, en) = if line.overlong {
                    ("บรรทัดยาวผิดปกติ".to_string(), "line is too long".to_string())
                } else if fields.len() < state.map.width {
                    (
                        format!(
                            "มี {} ช่อง น้อยกว่าหัวคอลัมน์ ({}) บรรทัดอาจถูกตัด",
                            fields.len(),
                            state.map.width
                        ),
                        format!(
                            "{} fields, fewer than the header's {}: truncated line?",
                            fields.len(),
                            state.map.width
                        ),
                    )
                } else {
                    (
                        format!(
                            "มี {} ช่อง มากกว่าหัวคอลัมน์ ({}) อาจมี | ในข้อมูล",
                            fields.len(),
                            state.map.width
                        ),
                        format!(
                            "{} fields, more than the header's {}: a '|' inside a value?",
                            fields.len(),
                            state.map.width
                        ),
                    )
                };
                let count = format!("{}/{}", fields.len(), state.map.width);
                self.line_reject(&lc, None, "", &count, RejectCode::FieldCount, th, en);
            } else {
                let wrong_script = encoding == TextEncoding::Windows874 && class == LineClass::Utf8;
                if bad_chars > 0 || wrong_script {
                    bad = true;
                    self.encoding_rejects(&lc, &row, &cols, encoding, bad_chars, wrong_script);
                }
                let mut errs = std::mem::take(&mut self.errs);
                errs.clear();
                rec = AnyRecord::parse(kind, &row, &mut errs);
                for (col, e) in errs.drain(..) {
                    bad = true;
                    if state.map.has(col) {
                        self.col_reject(&lc, col, row.raw(col), e);
                    }
                }
                self.errs = errs;
            }
            if let (Some(unit), Some(h)) = (&unit, rec.as_ref().and_then(record_hcode))
                && h != unit
            {
                bad = true;
                self.line_reject(
                    &lc,
                    Some(Col::HCODE),
                    "HCODE",
                    h.as_str(),
                    RejectCode::HcodeMismatch,
                    format!("HCODE ต้องเป็นรหัสหน่วยบริการที่นำเข้า ({unit})"),
                    format!("HCODE must be the importing unit's code {unit}"),
                );
            }
            if unattributable {
                self.all_tainted = true;
            }
            let bad = self.index_line(
                kind,
                &lc,
                rec.as_ref(),
                bad,
                shape_ok,
                (line.start, line.end),
            );
            if bad {
                rep.rejected_lines += 1;
            }
        }
        rep.bytes = lines.pos();
        rep.trailing_newline = last_eol != Eol::None;
        rep.detected = match sniffed {
            Some(s) => s.detected(),
            None => body_sniff.detected(),
        };
        if let (EncodingChoice::Declared(d), Some(actual)) =
            (self.opts.encoding, detected_encoding(rep.detected))
            && d != actual
        {
            self.file_reject(
                &name,
                RejectCode::Encoding,
                format!("แจ้งรหัสอักขระเป็น {d} แต่แฟ้ม {kind} เป็น {actual}"),
                format!("declared {d}, but {kind} is {actual}"),
            );
        }
        self.imp.report.files.push(rep);
        self.imp.files[kind as usize] = Some(state);
        Ok(())
    }

    fn encoding_rejects(
        &mut self,
        lc: &LineCtx<'_>,
        row: &Row<'_>,
        cols: &[Option<Col>],
        encoding: TextEncoding,
        bad_chars: u32,
        wrong_script: bool,
    ) {
        let (th, en) = if wrong_script {
            (
                "ข้อความเป็น UTF-8 แต่แฟ้มถูกอ่านเป็น windows-874 (รหัสอักขระไม่ตรง)".to_string(),
                "text is UTF-8 but the file is read as windows-874".to_string(),
            )
        } else {
            (
                format!("ถอดรหัสอักขระด้วย {encoding} ไม่ได้ ({bad_chars} ตัว) แฟ้มอาจใช้รหัสอักขระอื่น"),
                format!(
                    "{bad_chars} byte sequences are not valid {encoding}; the text may be in another encoding"
                ),
            )
        };
        let mut any = false;
        for (i, f) in row.fields.iter().enumerate() {
            let hit = if wrong_script {
                !f.is_ascii()
            } else {
                f.chars().any(is_bad_char)
            };
            if hit {
                any = true;
                let col = cols.get(i).copied().flatten();
                let field = col
                    .map(|c| c.name().to_string())
                    .unwrap_or_else(|| format!("#{}", i + 1));
                self.line_reject(
                    lc,
                    col,
                    &field,
                    f.trim(),
                    RejectCode::Encoding,
                    th.clone(),
                    en.clone(),
                );
            }
        }
        if !any {
            self.line_reject(lc, None, "", "", RejectCode::Encoding, th, en);
        }
    }

    fn index_line(
        &mut self,
        kind: FileKind,
        lc: &LineCtx<'_>,
        rec: Option<&AnyRecord>,
        mut bad: bool,
        shape_ok: bool,
        (start, end): (u64, u64),
    ) -> bool {
        let b = self.imp.batch_size;
        match kind {
            FileKind::Opd | FileKind::Ipd => {
                let resolved = self.resolve(kind, lc.hn, lc.seq, lc.an);
                match resolved {
                    Resolved::Found(ord) => {
                        bad = true;
                        let (code, th, en, col) = if kind == FileKind::Opd {
                            (
                                RejectCode::DuplicateVisit,
                                "HN และ SEQ ซ้ำในแฟ้ม OPD",
                                "(HN, SEQ) appears twice in OPD",
                                Col::SEQ,
                            )
                        } else {
                            (
                                RejectCode::DuplicateAdmission,
                                "AN ซ้ำในแฟ้ม IPD",
                                "AN appears twice in IPD",
                                Col::AN,
                            )
                        };
                        let raw = if kind == FileKind::Opd { lc.seq } else { lc.an };
                        self.line_reject(
                            lc,
                            Some(col),
                            col.name(),
                            raw,
                            code,
                            th.into(),
                            en.into(),
                        );
                        self.state(ord).flags |= REJECTED;
                    }
                    Resolved::Unknown => {
                        // Registered even when bad, so that it is listed as rejected.
                        let ord = self.register(lc.hn, lc.line);
                        if bad {
                            self.imp.keys[ord].flags |= REJECTED;
                        }
                        self.span(kind, ord / b, start, lc.line, end);
                    }
                    Resolved::NoKey => {
                        // SEQ or AN blank: rejected as Required by the parser.
                        self.taint_hn(lc.hn);
                    }
                }
            }
            FileKind::Pat => {
                if lc.hn.is_empty() {
                    return bad;
                }
                let h = match self.imp.hns.get_mut(lc.hn) {
                    Some(h) => h,
                    None => {
                        let (i, _) = self.imp.hns.insert_full(lc.hn.into(), HnInfo::default());
                        &mut self.imp.hns[i]
                    }
                };
                let dup = h.pat;
                if !dup {
                    h.pat = true;
                    h.pat_at = start;
                    h.pat_line = u32::try_from(lc.line).unwrap_or(u32::MAX);
                    if rec.is_some() {
                        self.imp.report.patients += 1;
                    }
                }
                if dup {
                    bad = true;
                    self.line_reject(
                        lc,
                        Some(Col::HN),
                        "HN",
                        lc.hn,
                        RejectCode::DuplicatePatient,
                        "HN ซ้ำในแฟ้ม PAT".into(),
                        "HN appears twice in PAT".into(),
                    );
                }
                if bad {
                    self.taint_hn(lc.hn);
                }
            }
            _ => {
                let resolved = self.resolve(kind, lc.hn, lc.seq, lc.an);
                if kind == FileKind::Ins
                    && !lc.hn.is_empty()
                    && self.index().hns.get(lc.hn).is_none_or(|h| !h.pat)
                {
                    bad = true;
                    self.line_reject(
                        lc,
                        Some(Col::HN),
                        "HN",
                        lc.hn,
                        RejectCode::PatientMissing,
                        "HN ในแฟ้ม INS ไม่มีในแฟ้ม PAT".into(),
                        "HN of INS is not in PAT".into(),
                    );
                }
                match resolved {
                    Resolved::NoKey => {
                        let seq_or_an = key_columns(kind).get(1).is_some_and(|g| g.len() > 1);
                        if shape_ok && seq_or_an && lc.seq.is_empty() && lc.an.is_empty() {
                            self.line_reject(
                                lc,
                                Some(Col::SEQ),
                                "SEQ/AN",
                                "",
                                RejectCode::Required,
                                format!("แฟ้ม {kind} ต้องมี SEQ หรือ AN"),
                                format!("{kind} needs SEQ or AN"),
                            );
                        }
                        bad = true;
                        self.taint_hn(lc.hn);
                    }
                    Resolved::Unknown => {
                        if shape_ok {
                            let (th, en) = if lc.an.is_empty() {
                                (
                                    format!("ไม่มีการรับบริการ HN {} SEQ {} ในแฟ้ม OPD", lc.hn, lc.seq),
                                    format!("no OPD visit HN {} SEQ {}", lc.hn, lc.seq),
                                )
                            } else {
                                (
                                    format!("ไม่มี AN {} ในแฟ้ม IPD", lc.an),
                                    format!("no IPD admission AN {}", lc.an),
                                )
                            };
                            let (col, raw) = if lc.an.is_empty() {
                                (Col::SEQ, lc.seq)
                            } else {
                                (Col::AN, lc.an)
                            };
                            self.line_reject(
                                lc,
                                Some(col),
                                col.name(),
                                raw,
                                RejectCode::NoVisit,
                                th,
                                en,
                            );
                        }
                        if !shape_ok {
                            self.taint_hn(lc.hn);
                        }
                        bad = true;
                    }
                    Resolved::Found(ord) => {
                        self.check_ip_hn(lc, ord, &mut bad);
                        self.account(kind, lc, ord, rec, &mut bad);
                        if bad {
                            self.state(ord).flags |= REJECTED;
                            if !shape_ok {
                                self.taint_hn(lc.hn);
                            }
                        }
                        self.span(kind, ord / b, start, lc.line, end);
                    }
                }
            }
        }
        bad
    }

    /// An admission's lines must carry the HN of its IPD line.
    fn check_ip_hn(&mut self, lc: &LineCtx<'_>, ord: usize, bad: &mut bool) {
        if lc.an.is_empty() || lc.hn.is_empty() {
            return;
        }
        let index = self.index();
        let hn_idx = index.keys[ord].hn as usize;
        let (ipd_hn, _) = index.hns.get_index(hn_idx).expect("hn index");
        if ipd_hn.as_ref() != lc.hn {
            let ipd_hn = ipd_hn.to_string();
            *bad = true;
            self.line_reject(
                lc,
                Some(Col::HN),
                "HN",
                lc.hn,
                RejectCode::HnMismatch,
                format!("HN ไม่ตรงกับ HN ของ AN {} ในแฟ้ม IPD ({ipd_hn})", lc.an),
                format!("HN differs from the IPD HN {ipd_hn} of AN {}", lc.an),
            );
        }
    }

    fn account(
        &mut self,
        kind: FileKind,
        lc: &LineCtx<'_>,
        ord: usize,
        rec: Option<&AnyRecord>,
        bad: &mut bool,
    ) {
        let k = self.state(ord);
        match (kind, rec) {
            (FileKind::Ins, _) => {
                if k.flags & IN_INS != 0 {
                    *bad = true;
                    self.line_reject(
                        lc,
                        None,
                        "",
                        "",
                        RejectCode::DuplicateRight,
                        "มีสิทธิ (INS) มากกว่าหนึ่งบรรทัดสำหรับการรับบริการนี้".into(),
                        "more than one INS line for this visit".into(),
                    );
                } else {
                    k.flags |= IN_INS;
                }
            }
            (FileKind::Cht, Some(AnyRecord::Cht(c))) => {
                if k.flags & HAS_CHT == 0 {
                    k.cht_line = u32::try_from(lc.line).unwrap_or(u32::MAX);
                }
                k.flags |= HAS_CHT;
                match k.cht_total.checked_add(c.total.0) {
                    Some(t) => k.cht_total = t,
                    None => k.flags |= MONEY_OVERFLOW,
                }
            }
            (FileKind::Cht, _) => {
                // A bad CHT line still proves the bill exists; the line itself is rejected.
                k.flags |= HAS_CHT;
            }
            (FileKind::Cha, Some(AnyRecord::Cha(c))) => match k.cha_sum.checked_add(c.amount.0) {
                Some(t) => k.cha_sum = t,
                None => k.flags |= MONEY_OVERFLOW,
            },
            _ => {}
        }
    }

    /// Takes in what the PAT scanner found: its rejects (after those of OPD and IPD), report,
    /// and its HNs, which extend the index in PAT order as a single thread would have.
    fn merge_patients(&mut self, mut p: Linked) {
        for (_, rejects) in std::mem::take(&mut p.files) {
            for r in rejects {
                match &mut self.sink {
                    Sink::Direct(f) => f(r),
                    Sink::Buffer(v) => v.push(r),
                }
            }
        }
        let rep = p.imp.report;
        self.imp.report.files.extend(rep.files);
        self.imp.report.rejects += rep.rejects;
        for (code, n) in &rep.rejects_by_code {
            *self.imp.report.rejects_by_code.entry(*code).or_insert(0) += n;
        }
        self.imp.report.patients += rep.patients;
        self.all_tainted |= p.all_tainted;
        let pat = FileKind::Pat as usize;
        self.imp.files[pat] = p.imp.files[pat].take();
        for (hn, info) in p.imp.hns {
            match self.imp.hns.get_mut(&hn) {
                Some(h) => {
                    h.pat = info.pat;
                    h.pat_at = info.pat_at;
                    h.pat_line = info.pat_line;
                    h.tainted |= info.tainted;
                }
                None => {
                    self.imp.hns.insert(hn, info);
                }
            }
        }
    }

    /// Takes in what the linking scanners found: rejects in scan order, file reports and states,
    /// spans, flags and sums, tainted HNs.
    fn merge(&mut self, linked: &mut [Linked]) {
        let mut files: Vec<(usize, FileKind, Vec<Reject>)> = Vec::new();
        for l in linked.iter_mut() {
            for (kind, rejects) in std::mem::take(&mut l.files) {
                let pos = SCAN_ORDER.iter().position(|k| *k == kind).unwrap_or(0);
                files.push((pos, kind, rejects));
            }
        }
        files.sort_by_key(|f| f.0);
        for (_, kind, rejects) in files {
            for r in rejects {
                match &mut self.sink {
                    Sink::Direct(f) => f(r),
                    Sink::Buffer(v) => v.push(r),
                }
            }
            for l in linked.iter_mut() {
                if let Some(rep) = l.imp.report.files.iter().position(|f| f.kind == kind) {
                    self.imp.report.files.push(l.imp.report.files.remove(rep));
                }
                if let Some(state) = l.imp.files[kind as usize].take() {
                    self.imp.files[kind as usize] = Some(state);
                    self.imp.spans[kind as usize] = std::mem::take(&mut l.imp.spans[kind as usize]);
                }
            }
        }
        for l in linked.iter_mut() {
            let rep = &l.imp.report;
            self.imp.report.rejects += rep.rejects;
            for (code, n) in &rep.rejects_by_code {
                *self.imp.report.rejects_by_code.entry(*code).or_insert(0) += n;
            }
            self.all_tainted |= l.all_tainted;
            for &i in &l.tainted {
                if let Some((_, h)) = self.imp.hns.get_index_mut(i as usize) {
                    h.tainted = true;
                }
            }
            for (k, st) in self.imp.keys.values_mut().zip(&l.states) {
                k.flags |= st.flags;
                if k.cht_line == 0 {
                    k.cht_line = st.cht_line;
                }
                match (
                    k.cht_total.checked_add(st.cht_total),
                    k.cha_sum.checked_add(st.cha_sum),
                ) {
                    (Some(t), Some(c)) => {
                        k.cht_total = t;
                        k.cha_sum = c;
                    }
                    _ => k.flags |= MONEY_OVERFLOW,
                }
            }
        }
    }

    fn finish(&mut self) {
        let batches = self.imp.keys.len().div_ceil(self.imp.batch_size);
        self.imp.report.batches = batches;
        let opd_name = self.file_name(FileKind::Opd);
        let ipd_name = self.file_name(FileKind::Ipd);
        let cht_name = self.file_name(FileKind::Cht);
        for ord in 0..self.imp.keys.len() {
            let (kb, info) = self.imp.keys.get_index(ord).expect("ordinal");
            let is_op = kb.first() == Some(&b'O');
            let info = info.clone();
            let mut rejected = info.flags & REJECTED != 0;
            let no_ins = info.flags & IN_INS == 0;
            let no_cht = info.flags & HAS_CHT == 0;
            let mismatch =
                !no_cht && (info.flags & MONEY_OVERFLOW != 0 || info.cha_sum != info.cht_total);
            // The texts of a reject are built only for an encounter that has one.
            if no_ins || no_cht || mismatch {
                let key = VisitKey::decode(kb);
                let (file, col) = match &key {
                    VisitKey::Op { .. } => (opd_name.as_str(), Col::SEQ),
                    VisitKey::Ip { .. } => (ipd_name.as_str(), Col::AN),
                };
                let (hn, seq, an) = match &key {
                    VisitKey::Op { hn, seq } => (hn.as_str(), seq.as_str(), ""),
                    VisitKey::Ip { an } => (
                        self.imp
                            .hns
                            .get_index(info.hn as usize)
                            .map(|(h, _)| h.as_ref())
                            .unwrap_or(""),
                        "",
                        an.as_str(),
                    ),
                };
                let (hn, seq, an) = (hn.to_string(), seq.to_string(), an.to_string());
                let raw = if seq.is_empty() {
                    an.clone()
                } else {
                    seq.clone()
                };
                let lc = LineCtx {
                    file,
                    line: u64::from(info.line),
                    hn: &hn,
                    seq: &seq,
                    an: &an,
                };
                if no_ins {
                    rejected = true;
                    self.line_reject(
                        &lc,
                        Some(col),
                        col.name(),
                        &raw,
                        RejectCode::RightMissing,
                        format!("ไม่มีข้อมูลสิทธิ (INS) ของ {key}"),
                        format!("{key} has no INS line"),
                    );
                }
                if no_cht {
                    rejected = true;
                    self.line_reject(
                        &lc,
                        Some(col),
                        col.name(),
                        &raw,
                        RejectCode::BillMissing,
                        format!("ไม่มีใบแจ้งหนี้ (CHT) ของ {key}"),
                        format!("{key} has no CHT line"),
                    );
                } else if mismatch {
                    rejected = true;
                    let (total, sum) = (
                        raidai_domain::money::Satang(info.cht_total),
                        raidai_domain::money::Satang(info.cha_sum),
                    );
                    let cht_lc = LineCtx {
                        file: &cht_name,
                        line: u64::from(info.cht_line),
                        hn: &hn,
                        seq: &seq,
                        an: &an,
                    };
                    self.line_reject(
                        &cht_lc,
                        Some(Col::TOTAL),
                        "TOTAL",
                        &total.to_string(),
                        RejectCode::ChargeMismatch,
                        format!("ผลรวม CHA.AMOUNT ({sum}) ไม่เท่ากับ CHT.TOTAL ({total})"),
                        format!("sum of CHA.AMOUNT {sum} differs from CHT.TOTAL {total}"),
                    );
                }
            }
            let hn_tainted = self
                .imp
                .hns
                .get_index(info.hn as usize)
                .is_some_and(|(_, h)| h.tainted);
            if hn_tainted || self.all_tainted {
                rejected = true;
            }
            let k = &mut self.imp.keys[ord];
            if rejected {
                k.flags |= REJECTED;
            }
            let tally = if is_op {
                &mut self.imp.report.visits
            } else {
                &mut self.imp.report.admissions
            };
            tally.total += 1;
            if rejected {
                tally.rejected += 1;
            } else {
                tally.importable += 1;
            }
        }
    }

    fn file_name(&self, kind: FileKind) -> String {
        self.imp.files[kind as usize]
            .as_ref()
            .map(|f| f.entry.name.clone())
            .unwrap_or_else(|| format!("{kind}.txt"))
    }
}

/// The key a line of `kind` links to: HN+SEQ for files of OP visits, AN for files of
/// admissions, and for files of both (INS, CHT, CHA, AER, ADP, DRU) AN when present, else
/// HN+SEQ. `false` when the line lacks it.
fn line_key(kind: FileKind, hn: &str, seq: &str, an: &str, out: &mut Vec<u8>) -> bool {
    use FileKind as K;
    match kind {
        K::Opd | K::Orf | K::Odx | K::Oop | K::Lab => VisitKey::encode_into(hn, seq, "", out),
        K::Ipd | K::Irf | K::Idx | K::Iop | K::Lvd => VisitKey::encode_into("", "", an, out),
        K::Ins | K::Cht | K::Cha | K::Aer | K::Adp | K::Dru | K::Pat => {
            VisitKey::encode_into(hn, seq, an, out)
        }
    }
}

fn record_hcode(r: &AnyRecord) -> Option<&Hcode> {
    match r {
        AnyRecord::Pat(p) => Some(&p.hcode),
        AnyRecord::Dru(d) => Some(&d.hcode),
        AnyRecord::Lab(l) => Some(&l.hcode),
        _ => None,
    }
}

fn detected_encoding(d: Detected) -> Option<TextEncoding> {
    match d {
        Detected::Utf8 => Some(TextEncoding::Utf8),
        Detected::Windows874 => Some(TextEncoding::Windows874),
        Detected::Ascii | Detected::Mixed => None,
    }
}

fn strip_bom(b: &[u8]) -> (&[u8], bool) {
    match b.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        Some(rest) => (rest, true),
        None => (b, false),
    }
}

fn count_eol(rep: &mut FileReport, eol: Eol) {
    match eol {
        Eol::Crlf => rep.crlf_lines += 1,
        Eol::Lf => rep.lf_lines += 1,
        Eol::None => {}
    }
}

fn entry_len(lines: &mut Lines<Reader>) -> std::io::Result<u64> {
    while lines.next_line()?.is_some() {}
    Ok(lines.pos())
}

// ---------------------------------------------------------------------------------------------
// Pass 2.

impl Import {
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// Every encounter in scan order (OPD lines, then IPD lines) with its fate.
    pub fn statuses(&self) -> impl Iterator<Item = EncounterStatus> + '_ {
        self.keys.iter().map(|(k, info)| EncounterStatus {
            key: VisitKey::decode(k),
            line: u64::from(info.line),
            importable: info.flags & REJECTED == 0,
        })
    }

    pub fn batch_count(&self) -> usize {
        self.report.batches
    }

    /// Pass 2: the importable encounters, one batch at a time.
    pub fn batches(&self) -> Batches<'_> {
        self.batches_from(0, 1)
    }

    /// Pass 2 over every `step`-th batch from `first`: several readers can share the batches
    /// (each keeps its own open files).
    pub fn batches_from(&self, first: usize, step: usize) -> Batches<'_> {
        Batches {
            imp: self,
            next: first,
            step: step.max(1),
            cursors: (0..FileKind::ALL.len()).map(|_| None).collect(),
            pat_file: None,
            line_buf: Vec::new(),
        }
    }

    /// The ordinal of `key`. Lines of the other files mostly come in OPD order, so the key of
    /// the previous line (`hint`) or the one after it are tried before hashing: a hashed
    /// lookup touches two random places of a large index, this touches neighbours.
    fn find(&self, key: &[u8], hint: usize) -> Option<usize> {
        for ord in [hint, hint + 1] {
            if let Some((k, _)) = self.keys.get_index(ord)
                && k.as_ref() == key
            {
                return Some(ord);
            }
        }
        self.keys.get_index_of(key)
    }

    fn importable(&self, ord: usize) -> bool {
        self.keys[ord].flags & REJECTED == 0
    }
}

/// Iterator over the batches of pass 2. Keeps each file open between batches.
pub struct Batches<'a> {
    imp: &'a Import,
    next: usize,
    step: usize,
    cursors: Vec<Option<Lines<Reader>>>,
    /// PAT opened for positioned reads (plain files only): the patients of a batch are spread
    /// over the whole file, and reading through it for every batch cost more than the batch.
    pat_file: Option<std::fs::File>,
    line_buf: Vec<u8>,
}

/// Reads the line starting at `offset` of `file` into `buf` (without its terminator);
/// `None` at end of file.
fn line_at(file: &std::fs::File, offset: u64, buf: &mut Vec<u8>) -> std::io::Result<Option<()>> {
    use std::os::unix::fs::FileExt;
    buf.clear();
    let mut chunk = [0u8; 512];
    loop {
        let n = file.read_at(&mut chunk, offset + buf.len() as u64)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &chunk[..n]) {
            buf.extend_from_slice(&chunk[..i]);
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > crate::lines::MAX_LINE {
            break;
        }
    }
    if buf.is_empty() && file.metadata()?.len() <= offset {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(()))
}

#[derive(Default)]
struct Slot {
    opd: Option<OpdRecord>,
    ipd: Option<IpdRecord>,
    right: Option<InsRecord>,
    odx: Vec<OdxRecord>,
    oop: Vec<OopRecord>,
    orf: Vec<OrfRecord>,
    idx: Vec<IdxRecord>,
    iop: Vec<IopRecord>,
    irf: Vec<IrfRecord>,
    lvd: Vec<LvdRecord>,
    cht: Vec<ChtRecord>,
    cha: Vec<ChaRecord>,
    dru: Vec<DruRecord>,
    adp: Vec<AdpRecord>,
    aer: Vec<AerRecord>,
    lab: Vec<LabRecord>,
}

impl Iterator for Batches<'_> {
    type Item = Result<Batch, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.imp.report.batches {
            return None;
        }
        let b = self.next;
        self.next += self.step;
        Some(self.assemble(b))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self
            .imp
            .report
            .batches
            .saturating_sub(self.next)
            .div_ceil(self.step);
        (n, Some(n))
    }
}

impl<'a> Batches<'a> {
    /// The cursor of `kind` positioned at `offset` (a line start numbered `line`): the open file
    /// moves forward when it can, otherwise it is reopened there.
    fn cursor_at(
        &mut self,
        kind: FileKind,
        state: &FileState,
        offset: u64,
        line: u64,
    ) -> Result<&mut Lines<Reader>, ReadError> {
        let cursor = &mut self.cursors[kind as usize];
        let forward = cursor.as_ref().is_some_and(|c| {
            c.pos() <= offset && (!state.entry.seekable() || offset - c.pos() < 1 << 20)
        });
        match cursor {
            Some(c) if forward => {
                c.skip_to(offset, line)
                    .map_err(|e| ReadError::io(state.entry.display_path(), e))?;
            }
            _ => {
                *cursor = Some(Lines::new(
                    state.entry.open_at(offset)?,
                    offset,
                    line.saturating_sub(1),
                ))
            }
        }
        Ok(cursor.as_mut().expect("cursor set above"))
    }

    /// Fetches the PAT line of every HN of the batch, in file order, straight from the offsets
    /// pass 1 recorded (patients visit all year: a byte range per batch would be all of PAT).
    fn read_patients<'h>(
        &mut self,
        state: &FileState,
        needed: &mut FxHashMap<&'h str, Option<PatRecord>>,
    ) -> Result<(), ReadError>
    where
        'a: 'h,
    {
        let imp = self.imp;
        let mut at: Vec<(u64, u64)> = needed
            .keys()
            .filter_map(|hn| imp.hns.get(*hn))
            .filter(|h| h.pat)
            .map(|h| (h.pat_at, u64::from(h.pat_line)))
            .collect();
        at.sort_unstable();
        let io = |e| ReadError::io(state.entry.display_path(), e);
        let mut errs = FieldErrors::new();
        if self.pat_file.is_none()
            && let Some(path) = state.entry.plain_path()
        {
            self.pat_file = Some(std::fs::File::open(path).map_err(io)?);
        }
        let mut buf = std::mem::take(&mut self.line_buf);
        for (offset, line_no) in at {
            let bytes: &[u8] = match &self.pat_file {
                Some(f) => {
                    line_at(f, offset, &mut buf)
                        .map_err(io)?
                        .ok_or_else(|| changed(state, line_no))?;
                    &buf
                }
                None => {
                    let lines = self.cursor_at(FileKind::Pat, state, offset, line_no)?;
                    let line = lines
                        .next_line()
                        .map_err(io)?
                        .ok_or_else(|| changed(state, line_no))?;
                    buf.clear();
                    buf.extend_from_slice(line.bytes);
                    &buf
                }
            };
            let (text, _) = state.encoding.decode(bytes);
            let fields: Vec<&str> = text.split('|').collect();
            let row = Row {
                fields: &fields,
                map: &state.map,
            };
            errs.clear();
            let p = PatRecord::parse(&row, &mut errs).ok_or_else(|| changed(state, line_no))?;
            match needed.get_mut(p.hn.as_str()) {
                Some(slot) => *slot = Some(p),
                None => return Err(changed(state, line_no)),
            }
        }
        self.line_buf = buf;
        Ok(())
    }

    fn assemble(&mut self, b: usize) -> Result<Batch, ReadError> {
        let imp = self.imp;
        let lo = b * imp.batch_size;
        let hi = (lo + imp.batch_size).min(imp.keys.len());
        let mut slots: Vec<Option<Slot>> = (lo..hi)
            .map(|o| imp.importable(o).then(Slot::default))
            .collect();
        let mut needed_hns: FxHashMap<&str, Option<PatRecord>> = FxHashMap::default();
        for o in lo..hi {
            if imp.importable(o) {
                let hn = imp
                    .hns
                    .get_index(imp.keys[o].hn as usize)
                    .map(|(h, _)| h.as_ref())
                    .unwrap_or("");
                needed_hns.insert(hn, None);
            }
        }
        let mut keybuf = Vec::with_capacity(64);
        let mut errs = FieldErrors::new();
        for kind in SCAN_ORDER {
            let Some(state) = &imp.files[kind as usize] else {
                continue;
            };
            if kind == FileKind::Pat {
                self.read_patients(state, &mut needed_hns)?;
                continue;
            }
            let Some(span) = imp.spans[kind as usize].get(b).copied() else {
                continue;
            };
            if span.start == u64::MAX {
                continue;
            }
            let io = |e| ReadError::io(state.entry.display_path(), e);
            let mut last = lo;
            let lines = self.cursor_at(kind, state, span.start, span.start_line)?;
            while lines.pos() < span.end {
                let Some(line) = lines.next_line().map_err(io)? else {
                    return Err(changed(state, 0));
                };
                if is_blank(line.bytes) {
                    continue;
                }
                // Keys are ASCII in both encodings: decide from the raw bytes whether the line
                // belongs to this batch before paying for decoding and parsing it.
                let key = |col| raw_field(line.bytes, state.map.index(col));
                let (Some(hn), Some(seq), Some(an)) = (key(Col::HN), key(Col::SEQ), key(Col::AN))
                else {
                    continue;
                };
                if !line_key(kind, hn, seq, an, &mut keybuf) {
                    continue;
                }
                let Some(ord) = imp.find(&keybuf, last) else {
                    continue;
                };
                last = ord;
                if !(lo..hi).contains(&ord) || slots[ord - lo].is_none() {
                    continue;
                }
                let (text, _) = state.encoding.decode(line.bytes);
                let fields: Vec<&str> = text.split('|').collect();
                if fields.len() != state.map.width {
                    continue;
                }
                let row = Row {
                    fields: &fields,
                    map: &state.map,
                };
                let slot = slots[ord - lo].as_mut().expect("checked above");
                errs.clear();
                // Each record is parsed straight into its slot: through `AnyRecord` (592 bytes)
                // every record was moved twice more.
                let line_no = line.no;
                let lost = || changed(state, line_no);
                fn one<T: ParseRecord>(
                    row: &Row<'_>,
                    errs: &mut FieldErrors,
                    lost: impl Fn() -> ReadError,
                ) -> Result<T, ReadError> {
                    T::parse(row, errs).ok_or_else(lost)
                }
                let e = &mut errs;
                match kind {
                    FileKind::Opd => slot.opd = Some(one(&row, e, lost)?),
                    FileKind::Ipd => slot.ipd = Some(one(&row, e, lost)?),
                    FileKind::Ins => slot.right = Some(one(&row, e, lost)?),
                    FileKind::Odx => slot.odx.push(one(&row, e, lost)?),
                    FileKind::Oop => slot.oop.push(one(&row, e, lost)?),
                    FileKind::Orf => slot.orf.push(one(&row, e, lost)?),
                    FileKind::Idx => slot.idx.push(one(&row, e, lost)?),
                    FileKind::Iop => slot.iop.push(one(&row, e, lost)?),
                    FileKind::Irf => slot.irf.push(one(&row, e, lost)?),
                    FileKind::Lvd => slot.lvd.push(one(&row, e, lost)?),
                    FileKind::Cht => slot.cht.push(one(&row, e, lost)?),
                    FileKind::Cha => slot.cha.push(one(&row, e, lost)?),
                    FileKind::Dru => slot.dru.push(one(&row, e, lost)?),
                    FileKind::Adp => slot.adp.push(one(&row, e, lost)?),
                    FileKind::Aer => slot.aer.push(one(&row, e, lost)?),
                    FileKind::Lab => slot.lab.push(one(&row, e, lost)?),
                    FileKind::Pat => {}
                }
            }
        }
        let mut encounters = Vec::with_capacity(slots.len());
        let mut rejected = Vec::new();
        for (i, slot) in slots.into_iter().enumerate() {
            let ord = lo + i;
            let (kb, info) = imp.keys.get_index(ord).expect("ordinal");
            let Some(s) = slot else {
                rejected.push(VisitKey::decode(kb));
                continue;
            };
            let hn = imp
                .hns
                .get_index(info.hn as usize)
                .map(|(h, _)| h.as_ref())
                .unwrap_or("");
            let lost = || ReadError::Changed {
                file: VisitKey::decode(kb).to_string(),
                line: u64::from(info.line),
            };
            let patient = needed_hns.get(hn).and_then(Clone::clone).ok_or_else(lost)?;
            let right = s.right.ok_or_else(lost)?;
            let enc = if let Some(opd) = s.opd {
                Encounter::Visit(Box::new(Visit {
                    opd,
                    patient,
                    right,
                    diagnoses: s.odx,
                    procedures: s.oop,
                    refers: s.orf,
                    bills: s.cht,
                    charges: s.cha,
                    drugs: s.dru,
                    items: s.adp,
                    accidents: s.aer,
                    labs: s.lab,
                }))
            } else {
                Encounter::Admission(Box::new(Admission {
                    ipd: s.ipd.ok_or_else(lost)?,
                    patient,
                    right,
                    diagnoses: s.idx,
                    procedures: s.iop,
                    refers: s.irf,
                    leaves: s.lvd,
                    bills: s.cht,
                    charges: s.cha,
                    drugs: s.dru,
                    items: s.adp,
                    accidents: s.aer,
                }))
            };
            encounters.push(enc);
        }
        Ok(Batch {
            index: b,
            first: lo,
            encounters,
            rejected,
        })
    }
}

/// Field `idx` of a raw line, trimmed, when it is ASCII (keys always are); `Some("")` for a
/// column the file does not have.
fn raw_field(line: &[u8], idx: Option<usize>) -> Option<&str> {
    let Some(idx) = idx else { return Some("") };
    let ends = memchr::memchr_iter(b'|', line).chain(std::iter::once(line.len()));
    let mut start = 0;
    for (n, end) in ends.enumerate() {
        if n == idx {
            let f = line[start..end].trim_ascii();
            return if f.is_ascii() {
                std::str::from_utf8(f).ok()
            } else {
                None
            };
        }
        start = end + 1;
    }
    Some("")
}

fn changed(state: &FileState, line: u64) -> ReadError {
    ReadError::Changed {
        file: state.entry.name.clone(),
        line,
    }
}
