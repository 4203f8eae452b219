//! Claim files: the 16 files (17 with the FDH LAB file) rebuilt from stored visits, zipped for
//! upload to the fund (DOMAIN §1).
//!
//! Every record is rebuilt from a stored [`VisitRow`] and its compact `detail_json` (written by
//! `row.rs`): PAT once per HN, INS/OPD or IPD/CHT once per visit, and ORF/IRF, ODX/IDX, OOP/IOP,
//! CHA, DRU, ADP, AER, LAB and LVD from the detail. The bytes are the DEW exporter's (header
//! line, `|`, CRLF before every record and none after the last, windows-874) through
//! [`FileWriter`].
//!
//! What the stored row does not keep stays blank (DATEIN, HOSPSUB, PTTYPE, doctors, vital signs,
//! prices per unit …), except where the reader and the FDH rules (§1.3, "bad date or time
//! formats are rejected") need a value; each derived value says why where it is made:
//!
//! * OPD.TIMEOPD: the time in the VN (SEQ) when it is a HOSxP-style `yymmddhhmmss` (BE) of the
//!   visit's date, else `0000`.
//! * IPD.TIMEADM and LVD.TIMEOUT/TIMEIN: `0000`.
//! * IPD.DISCHS/DISCHT: `2` (improved) and `1` (with approval), or DISCHT `4` (transfer) when the
//!   admission has a refer-out. **The stored row does not keep them**: they feed the DRG, so a
//!   dead or transferred patient exported this way is under-described until `row.rs` stores them.
//! * IOP.OPTYPE: `1` (principal) for the first procedure, `2` for the others (the detail keeps
//!   the file order, where the principal comes first).
//! * OPD/IPD.UUC: `2` (do not claim) for self-pay (INSCL `CSH`), else `1`.
//! * OPD.TYPEIN (FDH): `3` (referred) for a visit classified as a refer case, else blank.
//!
//! Names and citizen IDs are written into the files (the fund needs them) and nowhere else: no
//! error or log line of this module carries them.
//!
//! This file holds the set being written, the field helpers, [`claim_files`] and the zip;
//! `encounter.rs` writes one stored visit's records, `fdh.rs` checks a set against the FDH rules.

mod encounter;
mod fdh;

pub use fdh::fdh_check;

use encounter::write_encounter;

use crate::hex;
use raidai_domain::ids::Hcode;
use raidai_domain::money::Satang;
use raidai_domain::periods::date_of;
use raidai_formats::{Col, FileKind, FileWriter, HeaderSet, Layout, TextEncoding};
use raidai_store::claims::VisitRow;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Write};

/// The header set FDH uploads take (the default; [`HeaderSet::Classic`] for e-Claim).
pub const DEFAULT_HEADERS: HeaderSet = HeaderSet::Fdh;

/// A written claim set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimFiles {
    /// The files, flat (`INS.txt`, `PAT.txt`, …), deflated.
    pub zip: Vec<u8>,
    /// Each file of the zip, in [`FileKind::ALL`] order.
    pub files: Vec<ExportedFile>,
    /// Encounters written: OP visits plus admissions.
    pub visits: usize,
}

/// One file of a claim set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// `INS.txt`, `PAT.txt`, … (the names the reader and FDH take).
    pub name: String,
    /// Data lines (the header line not counted).
    pub records: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub bytes: u64,
    /// Characters windows-874 cannot hold, written as `?` (0 for Thai and ASCII text).
    pub unmappable: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the unit code must be 5 digits")]
    BadUnit,
    #[error("there are no visits to export")]
    Empty,
    /// Rows must be read with their detail (a visit list without it cannot be exported).
    #[error("{vkey}: the row carries no detail_json; read the rows with their detail")]
    MissingDetail { vkey: String },
    #[error("{vkey}: the stored detail cannot be read ({reason})")]
    BadDetail { vkey: String, reason: String },
    #[error("{vkey}: {what}")]
    BadRow { vkey: String, what: String },
    #[error("{vkey} is given twice")]
    Duplicate { vkey: String },
    /// The written set breaks an FDH upload rule (DOMAIN §1.3); nothing is returned.
    #[error("the claim files break FDH rules: {}", .0.join("; "))]
    Fdh(Vec<String>),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("zip: {0}")]
    Zip(String),
}

/// The stored detail of a visit (`row.rs` `Detail`); fields an older row lacks read as empty.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct Detail {
    /// (ICD-10, DXTYPE)
    dx: Vec<(String, String)>,
    /// ICD-9-CM
    px: Vec<String>,
    /// (REFER, REFERTYPE)
    refer: Vec<(String, String)>,
    /// (CHRGITEM, satang)
    cha: Vec<(String, i64)>,
    /// (DID, DIDNAME, AMOUNT, TOTAL satang)
    dru: Vec<(String, String, String, i64)>,
    /// (TYPE, CODE, QTY, RATE satang)
    adp: Vec<(String, String, String, i64)>,
    /// (AETYPE, UCAE, AUTHAE)
    aer: Vec<(String, String, String)>,
    /// (LABTEST, LABRESULT)
    lab: Vec<(String, String)>,
    /// (DATEOUT, DATEIN) `yyyymmdd`
    lvd: Vec<(i64, i64)>,
    /// CHT invoice numbers
    inv: Vec<String>,
}

/// One record: values by column; columns a layout has and the record lacks stay blank.
#[derive(Default)]
struct Rec(Vec<(Col, String)>);

impl Rec {
    fn new() -> Rec {
        Rec(Vec::with_capacity(12))
    }
    fn s(mut self, col: Col, value: impl Into<String>) -> Rec {
        self.0.push((col, value.into()));
        self
    }
    fn get(&self, col: Col) -> &str {
        self.0
            .iter()
            .find(|(c, _)| *c == col)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

struct OutFile {
    kind: FileKind,
    cols: Vec<Col>,
    w: FileWriter<Vec<u8>>,
}

/// The files of a set being written, in memory.
struct Set {
    files: Vec<Option<OutFile>>,
}

impl Set {
    fn new(headers: HeaderSet) -> std::io::Result<Set> {
        let mut files = Vec::with_capacity(FileKind::ALL.len());
        for kind in FileKind::ALL {
            files.push(match headers.layout(kind) {
                Some(layout) => Some(open(kind, layout)?),
                None => None,
            });
        }
        Ok(Set { files })
    }

    fn put(&mut self, kind: FileKind, rec: &Rec) -> std::io::Result<()> {
        // A kind the header set lacks (LAB in the classic set) is not written.
        let Some(f) = self.files[kind as usize].as_mut() else {
            return Ok(());
        };
        let values: Vec<&str> = f.cols.iter().map(|c| rec.get(*c)).collect();
        f.w.write_fields(&values)
    }
}

fn open(kind: FileKind, layout: &'static Layout) -> std::io::Result<OutFile> {
    Ok(OutFile {
        kind,
        cols: layout.columns().collect(),
        w: FileWriter::new(Vec::new(), layout, TextEncoding::Windows874)?,
    })
}

/// `yyyymmdd` as the files write it, if it is a calendar date.
fn date(ymd: i64) -> Option<String> {
    date_of(ymd).map(|_| format!("{ymd:08}"))
}

fn money(satang: i64) -> String {
    Satang(satang).to_string()
}

/// OPD.TIMEOPD from a HOSxP-style VN `yymmddhhmmss` (BE year) of the visit's own date; `0000`
/// when the VN is not one. The row keeps no time, and the reader and FDH need a well-formed one.
fn time_of_visit(seq: &str, date_serv: i64) -> String {
    let b = seq.as_bytes();
    if b.len() == 12 && b.iter().all(u8::is_ascii_digit) {
        let n = |i: usize| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0');
        let (y, m, d) = (date_serv / 10_000, (date_serv / 100) % 100, date_serv % 100);
        let (hh, mi) = (n(6), n(8));
        if n(0) == (y + i64::from(raidai_domain::calendar::BE_OFFSET)) % 100
            && n(2) == m
            && n(4) == d
            && hh < 24
            && mi < 60
        {
            return seq[6..10].to_string();
        }
    }
    "0000".into()
}

/// Words of a name that are a title: the common Thai and English ones, and any abbreviation
/// ending in a dot (`ด.ช.`, `น.ส.`, `พ.ต.ท.`).
fn is_title(word: &str) -> bool {
    const TITLES: &[&str] = &[
        "นาย",
        "นาง",
        "นางสาว",
        "เด็กชาย",
        "เด็กหญิง",
        "ด.ช.",
        "ด.ญ.",
        "น.ส.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Miss",
        "Mr",
        "Mrs",
        "Ms",
    ];
    TITLES.contains(&word) || (word.ends_with('.') && word.chars().count() > 1)
}

/// (TITLE, FNAME, LNAME) of the stored name (`title fname lname`, as `row.rs` joins them): the
/// reader joins them back into the same name.
fn split_name(name: &str) -> (String, String, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    let (title, rest) = match words.split_first() {
        Some((t, rest)) if !rest.is_empty() && is_title(t) => (t.to_string(), rest),
        _ => (String::new(), &words[..]),
    };
    let fname = rest.first().map(|s| s.to_string()).unwrap_or_default();
    let lname = rest.get(1..).map(|r| r.join(" ")).unwrap_or_default();
    (title, fname, lname)
}

/// NAMEPAT as real files write it: `<fname> <lname>,<title>`.
fn namepat(title: &str, fname: &str, lname: &str) -> String {
    let mut s = [fname, lname]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !title.is_empty() {
        s.push(',');
        s.push_str(title);
    }
    s
}

fn bad(row: &VisitRow, what: &str) -> ExportError {
    ExportError::BadRow {
        vkey: row.visit.vkey.clone(),
        what: what.to_string(),
    }
}

/// Writes the claim files of `rows` (stored visits of unit `hcode`, each with its detail_json)
/// with the header generation `headers` ([`DEFAULT_HEADERS`] = FDH), windows-874, CRLF as the
/// DEW exporter writes them, and zips them (deflate).
///
/// * The classic set has all 16 files, each with its header even when it has no record (as
///   DEW writes them). The FDH set leaves out files with no record except INS, PAT and CHT
///   (FDH takes at most 16 files per upload and the reader needs only INS, PAT, CHT and OPD or
///   IPD); a set with only admissions has no OPD, one with only visits no IPD.
/// * The classic set has no LAB file: lab results are not written there.
/// * Lines are in the order of `rows`; PAT has one line per HN, with the demographics of the
///   HN's latest visit.
/// * The output is checked with [`fdh_check`] before it is returned.
pub fn claim_files(
    hcode: &str,
    rows: &[VisitRow],
    headers: HeaderSet,
) -> Result<ClaimFiles, ExportError> {
    let unit = Hcode::parse(hcode).map_err(|_| ExportError::BadUnit)?;
    let hcode = unit.as_str();
    if rows.is_empty() {
        return Err(ExportError::Empty);
    }
    let fdh = headers == HeaderSet::Fdh;
    let mut set = Set::new(headers)?;

    // PAT: one line per HN, from the HN's latest visit; first-seen order.
    let mut patients: Vec<&str> = Vec::new();
    let mut latest: HashMap<&str, &VisitRow> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for r in rows {
        if !seen.insert(r.visit.vkey.as_str()) {
            return Err(ExportError::Duplicate {
                vkey: r.visit.vkey.clone(),
            });
        }
        if r.visit.hn.trim().is_empty() {
            return Err(bad(r, "the row has no HN"));
        }
        match latest.get(r.visit.hn.as_str()) {
            None => {
                patients.push(&r.visit.hn);
                latest.insert(&r.visit.hn, r);
            }
            Some(prev) if r.visit.date_serv > prev.visit.date_serv => {
                latest.insert(&r.visit.hn, r);
            }
            Some(_) => {}
        }
    }
    for hn in &patients {
        let r = latest[hn];
        let (title, fname, lname) = split_name(r.facts.patient_name.as_str());
        let pat = Rec::new()
            // FDH rejects a PAT whose HCODE is not the uploader's (§1.3).
            .s(Col::HCODE, hcode)
            .s(Col::HN, *hn)
            .s(Col::DOB, date(r.facts.dob).unwrap_or_default())
            .s(Col::SEX, r.facts.sex.as_str())
            .s(Col::PERSON_ID, r.facts.cid.as_str())
            .s(Col::NAMEPAT, namepat(&title, &fname, &lname))
            .s(Col::TITLE, title)
            .s(Col::FNAME, fname)
            .s(Col::LNAME, lname);
        set.put(FileKind::Pat, &pat)?;
    }

    for r in rows {
        write_encounter(&mut set, r, hcode)?;
    }

    let mut files = Vec::new();
    let mut contents = Vec::new();
    for f in set.files.into_iter().flatten() {
        let mandatory = matches!(f.kind, FileKind::Ins | FileKind::Pat | FileKind::Cht);
        if fdh && !mandatory && f.w.records() == 0 {
            continue;
        }
        let (records, unmappable) = (f.w.records(), f.w.unmappable());
        let bytes = f.w.finish()?;
        let name = format!("{}.txt", f.kind);
        files.push(ExportedFile {
            name: name.clone(),
            records,
            sha256: hex(&Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
            unmappable,
        });
        contents.push((name, bytes));
    }
    let problems = fdh_check(&contents, hcode);
    if !problems.is_empty() {
        return Err(ExportError::Fdh(problems));
    }
    Ok(ClaimFiles {
        zip: zip_files(&contents)?,
        files,
        visits: rows.len(),
    })
}

fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, ExportError> {
    let zip_err = |e: zip::result::ZipError| ExportError::Zip(e.to_string());
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed timestamp: the same rows give the same bytes.
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in files {
        zip.start_file(name.as_str(), opts).map_err(zip_err)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}

/// The files of a zip, flat: (name without folders, bytes), in the zip's order.
pub fn unzip(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
    let zip_err = |e: zip::result::ZipError| ExportError::Zip(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(zip_err)?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(zip_err)?;
        if f.is_dir() {
            continue;
        }
        let full = f.name().map_err(zip_err)?.into_owned();
        let name = full.rsplit(['/', '\\']).next().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)?;
        out.push((name, bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_and_join_back() {
        for (name, parts) in [
            ("นาย สมชาย ใจดี", ("นาย", "สมชาย", "ใจดี")),
            ("ด.ญ. มะลิ ศรีสุข", ("ด.ญ.", "มะลิ", "ศรีสุข")),
            ("สมชาย ใจดี", ("", "สมชาย", "ใจดี")),
            ("Mr. John van Dijk", ("Mr.", "John", "van Dijk")),
            ("หม่อง", ("", "หม่อง", "")),
            ("", ("", "", "")),
        ] {
            let (t, f, l) = split_name(name);
            assert_eq!((t.as_str(), f.as_str(), l.as_str()), parts);
            let joined: Vec<&str> = [t.as_str(), f.as_str(), l.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(joined.join(" "), name);
        }
        assert_eq!(namepat("นาย", "สมชาย", "ใจดี"), "สมชาย ใจดี,นาย");
        assert_eq!(namepat("", "หม่อง", ""), "หม่อง");
    }

    #[test]
    fn visit_time_from_a_hosxp_vn() {
        // 2026-07-19 is 2569 BE: VN 690719170512 is 17:05:12 on that day.
        assert_eq!(time_of_visit("690719170512", 20260719), "1705");
        assert_eq!(time_of_visit("690719170512", 20260720), "0000");
        assert_eq!(time_of_visit("690719250512", 20260719), "0000");
        assert_eq!(time_of_visit("12345", 20260719), "0000");
    }
}
