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

use crate::hex;
use raidai_domain::ids::Hcode;
use raidai_domain::money::Satang;
use raidai_domain::periods::date_of;
use raidai_formats::{Col, FileKind, FileWriter, HeaderSet, Layout, TextEncoding};
use raidai_store::claims::VisitRow;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// The reader (and the fund) refuse a visit whose CHA lines do not add up to its CHT total.
    #[error("{vkey}: the charges of the stored detail add up to {cha}, the bill is {total}")]
    ChargeMismatch {
        vkey: String,
        cha: Satang,
        total: Satang,
    },
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
        vkey: row.vkey.clone(),
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
        if !seen.insert(r.vkey.as_str()) {
            return Err(ExportError::Duplicate {
                vkey: r.vkey.clone(),
            });
        }
        if r.hn.trim().is_empty() {
            return Err(bad(r, "the row has no HN"));
        }
        match latest.get(r.hn.as_str()) {
            None => {
                patients.push(&r.hn);
                latest.insert(&r.hn, r);
            }
            Some(prev) if r.date_serv > prev.date_serv => {
                latest.insert(&r.hn, r);
            }
            Some(_) => {}
        }
    }
    for hn in &patients {
        let r = latest[hn];
        let (title, fname, lname) = split_name(&r.patient_name);
        let pat = Rec::new()
            // FDH rejects a PAT whose HCODE is not the uploader's (§1.3).
            .s(Col::HCODE, hcode)
            .s(Col::HN, *hn)
            .s(Col::DOB, date(r.dob).unwrap_or_default())
            .s(Col::SEX, r.sex.as_str())
            .s(Col::PERSON_ID, r.cid.as_str())
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

fn write_encounter(set: &mut Set, r: &VisitRow, hcode: &str) -> Result<(), ExportError> {
    if r.detail_json.trim().is_empty() {
        return Err(ExportError::MissingDetail {
            vkey: r.vkey.clone(),
        });
    }
    // The error's own text, not serde's message: that may quote the stored value.
    let d: Detail = serde_json::from_str(&r.detail_json).map_err(|e| ExportError::BadDetail {
        vkey: r.vkey.clone(),
        reason: format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    let cha_sum: i64 = d.cha.iter().map(|c| c.1).sum();
    if cha_sum != r.total {
        return Err(ExportError::ChargeMismatch {
            vkey: r.vkey.clone(),
            cha: Satang(cha_sum),
            total: Satang(r.total),
        });
    }
    let ip = match r.setting.as_str() {
        "OP" if !r.seq.trim().is_empty() => false,
        "IP" if !r.an.trim().is_empty() => true,
        "OP" => return Err(bad(r, "an OP visit without SEQ")),
        "IP" => return Err(bad(r, "an admission without AN")),
        _ => return Err(bad(r, "setting is neither OP nor IP")),
    };
    let serv = date(r.date_serv).ok_or_else(|| bad(r, "the date of service is not a date"))?;
    let dsc = if r.date_dsc == 0 {
        None
    } else {
        Some(date(r.date_dsc).ok_or_else(|| bad(r, "the discharge date is not a date"))?)
    };
    // CHT/CHA date: the discharge (the bill's date) for an admission, while in hospital its
    // admission; the visit's date for OP.
    let bill_date = if ip {
        dsc.clone().unwrap_or_else(|| serv.clone())
    } else {
        serv.clone()
    };
    let (seq, an) = if ip {
        ("", r.an.as_str())
    } else {
        (r.seq.as_str(), "")
    };
    let hn = r.hn.as_str();
    let cid = r.cid.as_str();
    // An OP line's CLINIC; an admission's row keeps its department (2 digits), not a CLINIC.
    let clinic = if ip { "" } else { r.clinic.as_str() };
    // UUC 1 = claim the right, 2 = do not: only a self-pay visit has nothing to claim.
    let uuc = if r.inscl == "CSH" { "2" } else { "1" };
    // Every line of a visit carries HN and SEQ, of an admission HN and AN (§1.3).
    let keyed = || Rec::new().s(Col::HN, hn).s(Col::SEQ, seq).s(Col::AN, an);

    let ins = keyed()
        .s(Col::INSCL, r.inscl.as_str())
        .s(Col::SUBTYPE, r.subtype.as_str())
        .s(Col::CID, cid)
        .s(Col::HCODE, hcode)
        .s(Col::HOSPMAIN, r.hospmain.as_str())
        .s(Col::PERMITNO, r.permitno.as_str());
    set.put(FileKind::Ins, &ins)?;

    if ip {
        let refer_out = d.refer.iter().any(|(_, t)| t == "2");
        let ipd = Rec::new()
            .s(Col::HN, hn)
            .s(Col::AN, an)
            .s(Col::DATEADM, serv.clone())
            // No time is stored; the reader and FDH need a well-formed one.
            .s(Col::TIMEADM, "0000")
            .s(Col::DATEDSC, dsc.clone().unwrap_or_default())
            // Required by the reader and not stored: see the module documentation.
            .s(Col::DISCHS, "2")
            .s(Col::DISCHT, if refer_out { "4" } else { "1" })
            .s(Col::DEPT, r.clinic.as_str())
            .s(Col::UUC, uuc);
        set.put(FileKind::Ipd, &ipd)?;
        for (refer, refertype) in &d.refer {
            let irf = Rec::new()
                .s(Col::AN, an)
                .s(Col::REFER, refer.as_str())
                .s(Col::REFERTYPE, refertype.as_str());
            set.put(FileKind::Irf, &irf)?;
        }
        for (diag, dxtype) in &d.dx {
            let idx = Rec::new()
                .s(Col::AN, an)
                .s(Col::DIAG, diag.as_str())
                .s(Col::DXTYPE, dxtype.as_str());
            set.put(FileKind::Idx, &idx)?;
        }
        for (i, oper) in d.px.iter().enumerate() {
            // OPTYPE is required and not stored: the first procedure is the principal one.
            let iop = Rec::new()
                .s(Col::AN, an)
                .s(Col::OPER, oper.as_str())
                .s(Col::OPTYPE, if i == 0 { "1" } else { "2" });
            set.put(FileKind::Iop, &iop)?;
        }
    } else {
        let opd = Rec::new()
            .s(Col::HN, hn)
            .s(Col::CLINIC, clinic)
            .s(Col::DATEOPD, serv.clone())
            .s(Col::TIMEOPD, time_of_visit(seq, r.date_serv))
            .s(Col::SEQ, seq)
            .s(Col::UUC, uuc)
            // Keeps the classification of a refer-in visit (FDH only has TYPEIN).
            .s(Col::TYPEIN, if r.case == "refer" { "3" } else { "" });
        set.put(FileKind::Opd, &opd)?;
        for (refer, refertype) in &d.refer {
            let orf = keyed()
                .s(Col::DATEOPD, serv.clone())
                .s(Col::CLINIC, clinic)
                .s(Col::REFER, refer.as_str())
                .s(Col::REFERTYPE, refertype.as_str());
            set.put(FileKind::Orf, &orf)?;
        }
        for (diag, dxtype) in &d.dx {
            let odx = keyed()
                .s(Col::DATEDX, serv.clone())
                .s(Col::CLINIC, clinic)
                .s(Col::DIAG, diag.as_str())
                .s(Col::DXTYPE, dxtype.as_str())
                .s(Col::PERSON_ID, cid);
            set.put(FileKind::Odx, &odx)?;
        }
        for oper in &d.px {
            let oop = keyed()
                .s(Col::DATEOPD, serv.clone())
                .s(Col::CLINIC, clinic)
                .s(Col::OPER, oper.as_str())
                .s(Col::PERSON_ID, cid);
            set.put(FileKind::Oop, &oop)?;
        }
        for (labtest, result) in &d.lab {
            // FDH rejects a LAB/DRU whose HCODE is not the uploader's.
            let lab = keyed()
                .s(Col::HCODE, hcode)
                .s(Col::PERSON_ID, cid)
                .s(Col::DATESERV, serv.clone())
                .s(Col::LABTEST, labtest.as_str())
                .s(Col::LABRESULT, result.as_str());
            set.put(FileKind::Lab, &lab)?;
        }
    }

    // One bill per visit: the stored total and paid; the first invoice number (FDH only).
    let cht = keyed()
        .s(Col::DATE, bill_date.clone())
        .s(Col::TOTAL, money(r.total))
        .s(Col::PAID, money(r.paid))
        .s(Col::PERSON_ID, cid)
        .s(Col::INVOICE_NO, d.inv.first().cloned().unwrap_or_default());
    set.put(FileKind::Cht, &cht)?;
    for (item, amount) in &d.cha {
        let cha = keyed()
            .s(Col::DATE, bill_date.clone())
            .s(Col::CHRGITEM, item.as_str())
            .s(Col::AMOUNT, money(*amount))
            .s(Col::PERSON_ID, cid);
        set.put(FileKind::Cha, &cha)?;
    }
    for (aetype, ucae, authae) in &d.aer {
        let aer = keyed()
            .s(Col::DATEOPD, serv.clone())
            .s(Col::AUTHAE, authae.as_str())
            .s(Col::AETYPE, aetype.as_str())
            .s(Col::UCAE, ucae.as_str());
        set.put(FileKind::Aer, &aer)?;
    }
    for (item_type, code, qty, rate) in &d.adp {
        let adp = keyed()
            .s(Col::DATEOPD, serv.clone())
            .s(Col::TYPE, item_type.as_str())
            .s(Col::CODE, code.as_str())
            .s(Col::QTY, qty.as_str())
            .s(Col::RATE, money(*rate))
            .s(Col::CLINIC, clinic);
        set.put(FileKind::Adp, &adp)?;
    }
    for (i, (out, back)) in d.lvd.iter().enumerate() {
        let dateout = date(*out).ok_or_else(|| bad(r, "a leave's date out is not a date"))?;
        let datein = date(*back).ok_or_else(|| bad(r, "a leave's date in is not a date"))?;
        // SEQLVD and the times are required and not stored: numbered in order, at midnight.
        let lvd = Rec::new()
            .s(Col::SEQLVD, (i + 1).to_string())
            .s(Col::AN, an)
            .s(Col::DATEOUT, dateout)
            .s(Col::TIMEOUT, "0000")
            .s(Col::DATEIN, datein)
            .s(Col::TIMEIN, "0000");
        set.put(FileKind::Lvd, &lvd)?;
    }
    for (did, name, amount, total) in &d.dru {
        let dru = keyed()
            .s(Col::HCODE, hcode)
            .s(Col::CLINIC, clinic)
            .s(Col::PERSON_ID, cid)
            .s(Col::DATE_SERV, serv.clone())
            .s(Col::DID, did.as_str())
            .s(Col::DIDNAME, name.as_str())
            .s(Col::AMOUNT, amount.as_str())
            .s(Col::TOTAL, money(*total));
        set.put(FileKind::Dru, &dru)?;
    }
    Ok(())
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

/// One file of a set, split into lines and fields (bytes: `|` is one byte in windows-874 and
/// UTF-8 alike, and every field the rules look at is ASCII).
struct Parsed<'a> {
    name: &'a str,
    cols: Vec<Option<Col>>,
    /// (line number, fields)
    lines: Vec<(usize, Vec<&'a [u8]>)>,
}

impl Parsed<'_> {
    fn has(&self, col: Col) -> bool {
        self.cols.contains(&Some(col))
    }
    fn get<'f>(&self, fields: &'f [&[u8]], col: Col) -> &'f str {
        self.cols
            .iter()
            .position(|c| *c == Some(col))
            .and_then(|i| fields.get(i))
            .and_then(|f| std::str::from_utf8(f).ok())
            .map(str::trim)
            .unwrap_or("")
    }
}

fn parse_file<'a>(name: &'a str, bytes: &'a [u8]) -> Parsed<'a> {
    let mut lines = bytes
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate();
    let cols = lines
        .next()
        .map(|(_, h)| {
            h.split(|b| *b == b'|')
                .map(|n| Col::from_header(&String::from_utf8_lossy(n)))
                .collect()
        })
        .unwrap_or_default();
    Parsed {
        name,
        cols,
        lines: lines
            .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
            .map(|(i, l)| (i + 1, l.split(|b| *b == b'|').collect()))
            .collect(),
    }
}

const DATE_COLS: &[Col] = &[
    Col::DATEIN,
    Col::DATEEXP,
    Col::DOB,
    Col::DATEOPD,
    Col::REFERDATE,
    Col::DATEDX,
    Col::DATEADM,
    Col::DATEDSC,
    Col::DATEOUT,
    Col::DATE,
    Col::AEDATE,
    Col::DALERT,
    Col::LMP,
    Col::DATE_SERV,
    Col::DATESERV,
];
const TIME_COLS: &[Col] = &[
    Col::TIMEOPD,
    Col::TIMEADM,
    Col::TIMEDSC,
    Col::TIMEIN,
    Col::TIMEOUT,
    Col::AETIME,
    Col::TALERT,
];

/// `YYYYMMDD` in the Christian Era, a calendar date.
fn date_ok(s: &str) -> bool {
    s.len() == 8
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[..4]
            .parse::<i64>()
            .is_ok_and(|y| (1800..=2400).contains(&y))
        && s.parse::<i64>().ok().and_then(date_of).is_some()
}

/// `HHMM`.
fn time_ok(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && s[2..].parse::<u32>().is_ok_and(|m| m < 60)
}

/// The FDH upload rules of DOMAIN §1.3 checked on a set of files (name, bytes), for unit
/// `hcode`; one message per problem (none: FDH would not reject the set on these rules).
/// Messages name files, lines, HN/SEQ/AN and codes, never a name or a citizen ID.
///
/// * INS, PAT and CHT are present, and OPD or IPD; ORF/ODX/OOP come with OPD and
///   IRF/IDX/IOP/LVD with IPD;
/// * every line has as many fields as its header;
/// * HN is present in INS, PAT, OPD, ORF, ODX, OOP, IPD, CHT, CHA, AER, ADP, DRU and LAB; SEQ or
///   AN in INS, CHT, CHA, AER, ADP and DRU; SEQ in OPD/ORF/ODX/OOP/LAB; AN in
///   IPD/IRF/IDX/IOP/LVD;
/// * no HN twice in PAT; (HN, SEQ) unique in OPD; (HN, AN) unique in IPD;
/// * every HN of INS is in PAT; every HN of the other files is in INS; every HN+SEQ or HN+AN
///   of a line is in INS; every AN of IRF/IDX/IOP/LVD is in IPD; every visit and admission has
///   a CHT line;
/// * dates are `YYYYMMDD` (CE) and times `HHMM`;
/// * HCODE of PAT, DRU and LAB is `hcode`.
pub fn fdh_check(files: &[(String, Vec<u8>)], hcode: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_kind: BTreeMap<FileKind, Parsed<'_>> = BTreeMap::new();
    for (name, bytes) in files {
        match FileKind::from_file_name(name) {
            Some(Ok(kind)) => match by_kind.entry(kind) {
                std::collections::btree_map::Entry::Occupied(_) => {
                    out.push(format!("{kind} is given twice ({name})"));
                }
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(parse_file(name, bytes));
                }
            },
            _ => out.push(format!("{name} is not one of the 16 files")),
        }
    }
    use FileKind as K;
    for k in [K::Ins, K::Pat, K::Cht] {
        if !by_kind.contains_key(&k) {
            out.push(format!("{k}.txt is missing (mandatory)"));
        }
    }
    let (has_opd, has_ipd) = (by_kind.contains_key(&K::Opd), by_kind.contains_key(&K::Ipd));
    if !has_opd && !has_ipd {
        out.push("neither OPD.txt nor IPD.txt is present".into());
    }
    for k in by_kind.keys() {
        if k.requires_opd() && !has_opd {
            out.push(format!("{k}.txt needs OPD.txt, which is missing"));
        }
        if k.requires_ipd() && !has_ipd {
            out.push(format!("{k}.txt needs IPD.txt, which is missing"));
        }
    }

    // Keys of PAT, INS, IPD and CHT first: every line is checked against them.
    let mut pat_hns: HashSet<&str> = HashSet::new();
    let mut ins_hns: HashSet<&str> = HashSet::new();
    // (HN, SEQ) of visits and (HN, AN) of admissions, in INS and in CHT.
    let mut ins_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut cht_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut ipd_ans: HashSet<&str> = HashSet::new();
    for (kind, p) in &by_kind {
        if p.cols.iter().all(Option::is_none) {
            out.push(format!("{}: no header line", p.name));
            continue;
        }
        let width = p.cols.len();
        for (line, fields) in &p.lines {
            let at = format!("{} line {line}", p.name);
            if fields.len() != width {
                out.push(format!(
                    "{at}: {} fields, the header has {width}",
                    fields.len()
                ));
                continue;
            }
            let hn = p.get(fields, Col::HN);
            let seq = p.get(fields, Col::SEQ);
            let an = p.get(fields, Col::AN);
            let needs_hn = !matches!(kind, K::Irf | K::Idx | K::Iop | K::Lvd);
            if needs_hn && hn.is_empty() {
                out.push(format!("{at}: HN is blank"));
            }
            match kind {
                K::Ins | K::Cht | K::Cha | K::Aer | K::Adp | K::Dru
                    if seq.is_empty() && an.is_empty() =>
                {
                    out.push(format!("{at}: neither SEQ nor AN"));
                }
                K::Opd | K::Orf | K::Odx | K::Oop | K::Lab if seq.is_empty() => {
                    out.push(format!("{at}: SEQ is blank"));
                }
                K::Ipd | K::Irf | K::Idx | K::Iop | K::Lvd if an.is_empty() => {
                    out.push(format!("{at}: AN is blank"));
                }
                _ => {}
            }
            for col in DATE_COLS.iter().filter(|c| p.has(**c)) {
                let v = p.get(fields, *col);
                if !v.is_empty() && !date_ok(v) {
                    // A birth date is personal: named, not shown.
                    let shown = if *col == Col::DOB {
                        String::new()
                    } else {
                        format!(" {v:?}")
                    };
                    out.push(format!("{at}: {col}{shown} is not a YYYYMMDD (CE) date"));
                }
            }
            for col in TIME_COLS.iter().filter(|c| p.has(**c)) {
                let v = p.get(fields, *col);
                if !v.is_empty() && !time_ok(v) {
                    out.push(format!("{at}: {col} {v:?} is not an HHMM time"));
                }
            }
            if matches!(kind, K::Pat | K::Dru | K::Lab) {
                let h = p.get(fields, Col::HCODE);
                if h != hcode {
                    out.push(format!("{at}: HCODE {h:?} is not the unit's {hcode}"));
                }
            }
            match kind {
                K::Pat if !hn.is_empty() && !pat_hns.insert(hn) => {
                    out.push(format!("{at}: HN {hn} is twice in PAT"));
                }
                K::Ins => {
                    ins_hns.insert(hn);
                    for k in [seq, an].into_iter().filter(|k| !k.is_empty()) {
                        ins_keys.insert((hn, k));
                    }
                }
                K::Cht => {
                    cht_keys.insert((hn, if an.is_empty() { seq } else { an }));
                }
                K::Ipd => {
                    ipd_ans.insert(an);
                }
                _ => {}
            }
        }
    }

    let mut opd_keys: HashSet<(&str, &str)> = HashSet::new();
    let mut ipd_keys: HashSet<(&str, &str)> = HashSet::new();
    for (kind, p) in &by_kind {
        let width = p.cols.len();
        if p.cols.iter().all(Option::is_none) {
            continue;
        }
        for (line, fields) in p.lines.iter().filter(|(_, f)| f.len() == width) {
            let at = format!("{} line {line}", p.name);
            let hn = p.get(fields, Col::HN);
            let seq = p.get(fields, Col::SEQ);
            let an = p.get(fields, Col::AN);
            // The line's visit: HN+AN for an admission, else HN+SEQ.
            let key = if an.is_empty() { seq } else { an };
            let unlinked = match kind {
                K::Pat => None,
                K::Ins => (!pat_hns.contains(hn)).then(|| format!("HN {hn} of INS is not in PAT")),
                K::Irf | K::Idx | K::Iop | K::Lvd => (!an.is_empty() && !ipd_ans.contains(an))
                    .then(|| format!("AN {an} is not in IPD")),
                _ if hn.is_empty() => None,
                _ if !ins_hns.contains(hn) => Some(format!("HN {hn} is not in INS")),
                _ if !key.is_empty() && !ins_keys.contains(&(hn, key)) => {
                    Some(format!("HN {hn} with SEQ/AN {key} is not in INS"))
                }
                _ => None,
            };
            if let Some(u) = unlinked {
                out.push(format!("{at}: {u}"));
            }
            match kind {
                K::Opd => {
                    if !opd_keys.insert((hn, seq)) {
                        out.push(format!("{at}: HN {hn} SEQ {seq} is twice in OPD"));
                    }
                    if !cht_keys.contains(&(hn, seq)) {
                        out.push(format!("{at}: HN {hn} SEQ {seq} has no CHT line"));
                    }
                }
                K::Ipd => {
                    if !ipd_keys.insert((hn, an)) {
                        out.push(format!("{at}: HN {hn} AN {an} is twice in IPD"));
                    }
                    if !cht_keys.contains(&(hn, an)) {
                        out.push(format!("{at}: HN {hn} AN {an} has no CHT line"));
                    }
                }
                _ => {}
            }
        }
    }
    out
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

    #[test]
    fn dates_and_times() {
        assert!(date_ok("20260719") && !date_ok("25690719") && !date_ok("20260230"));
        assert!(!date_ok("2026071") && !date_ok("2026-07-1"));
        assert!(time_ok("0000") && time_ok("2359") && !time_ok("2400") && !time_ok("17:05"));
    }
}
