//! Deterministic synthetic 16-file sets, in the exact exporter format, clean or deliberately
//! broken.
//!
//! * Same [`GenConfig`] (seed included) ⇒ same bytes. Every patient and every encounter draws
//!   from its own ChaCha8 stream, so any one of them can be regenerated without the others and
//!   generation needs no memory that grows with the set.
//! * **Synthetic identifiers:** citizen IDs start with `9`, a first digit no real Thai ID has
//!   (real ones start 0–8), followed by the seed mod 1000 (3 digits) and the patient number
//!   (8 digits), and a valid check digit. HNs are the patient number, 9 digits zero-padded; VN
//!   (= SEQ) is the BE `yymmddhhmmss` of the visit; AN is the BE 2-digit year + 7 digits.
//! * Doctors are `ว` + 5 digits from `90000`; drug and referral codes are synthetic.
//!
//! This file holds the configuration, the public entry points (generate, zip) and the
//! generator's shared types and helpers; `patient.rs` draws patients, rights and drugs,
//! `visit.rs` an outpatient visit, `admission.rs` an admission.

mod admission;
mod lists;
mod patient;
mod visit;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use raidai_domain::calendar::{BE_OFFSET, FiscalYear};
use raidai_domain::ids::{An, Cid, Hcode, Hn, Vn};
use raidai_domain::money::Satang;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::encoding::TextEncoding;
use crate::kind::{Col, FileKind, HeaderSet};
use crate::records::*;
use crate::reject::RejectCode;
use crate::visit::{Encounter, VisitKey};
use crate::writer::{Patch, SetWriter, WrittenFile};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// The serving unit: PAT/DRU/LAB HCODE and INS HCODE (FDH).
    pub unit: Hcode,
    /// OP visits.
    pub visits: usize,
    pub admissions: usize,
    /// Distinct patients; default ≈ 2.5 encounters per patient (at least 3).
    pub patients: Option<usize>,
    pub seed: u64,
    pub encoding: TextEncoding,
    pub headers: HeaderSet,
    /// All dates fall inside this fiscal year.
    pub fiscal_year: FiscalYear,
    /// HOSPMAIN choices for UC patients; the first is chosen most (in-CUP). Empty ⇒ `unit`.
    pub hospmain: Vec<Hcode>,
    /// HOSPSUB choices (รพ.สต.) for UC patients; empty ⇒ blank HOSPSUB.
    pub hospsub: Vec<Hcode>,
    /// CHANGWAT of the patients (2 digits).
    pub changwat: String,
    /// At most this many DRU lines per OP visit (twice for admissions): scales bytes per key.
    pub max_drugs: u32,
    /// Deliberate faults; the n-th one hits encounter n (OP visits first, then admissions).
    pub corruptions: Vec<Corruption>,
    /// The last this many admissions are still in hospital: IPD without DATEDSC/TIMEDSC.
    pub in_hospital: usize,
    /// Share of UC encounters with an Authen code in INS.PERMITNO (the rest have none: the
    /// Data Audit's AUTH01).
    pub authen_share: f64,
    /// Share of OP visits whose CLINIC has a department outside the standard list (CLN01).
    pub unknown_clinic_share: f64,
}

impl GenConfig {
    pub fn new(unit: Hcode, fiscal_year: FiscalYear, seed: u64) -> GenConfig {
        GenConfig {
            unit,
            visits: 100,
            admissions: 10,
            patients: None,
            seed,
            encoding: TextEncoding::Windows874,
            headers: HeaderSet::Classic,
            fiscal_year,
            hospmain: Vec::new(),
            hospsub: Vec::new(),
            changwat: "44".into(),
            max_drugs: 4,
            corruptions: Vec::new(),
            in_hospital: 0,
            authen_share: 0.9,
            unknown_clinic_share: 0.0,
        }
    }

    fn patient_count(&self) -> usize {
        self.patients
            .unwrap_or((self.visits + self.admissions) * 2 / 5)
            .max(3)
    }
}

/// A deliberate fault and the reject it must cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// OPD.DATEOPD (IPD.DATEADM) written with month 13 (`20261319`) → `BadDate`. (A BE year
    /// or `19/07/2026` is no fault: the reader takes the day they name.)
    BadDate,
    /// The patient's PAT.PERSON_ID gets a wrong check digit: no reject (the encounters are
    /// kept, with the ID as written, for the Data Audit to flag).
    BadCid,
    /// The OPD (IPD) line is written twice → `DuplicateVisit` (`DuplicateAdmission`).
    DuplicateHnSeq,
    /// An extra CHT line for a SEQ that is in no file → `NoVisit`; no encounter is lost.
    ChtWithoutVisit,
    /// INS.INSCL `UC/OFC`, which cannot be a right code → `UnknownRight`. (A code of the
    /// right shape that no table knows, `ZZZ`, is kept for the Data Audit's RIGHT01.)
    UnknownRight,
    /// The file is not written. INS, PAT, CHT → `MissingFile` and every encounter rejected;
    /// OPD/IPD → `MissingFile` (their dependants are refused, their encounters vanish);
    /// any other file is optional and causes no reject.
    MissingFile(FileKind),
    /// The last CHA line loses everything after its DATE → `FieldCount`. An admission's line
    /// keeps its AN: only the line is refused (its admission kept without it). A visit's line
    /// loses its SEQ: all encounters of that line's patient.
    TruncatedLastLine,
    /// The patient's PAT line is written in the other encoding (a mixed file; needs at least
    /// 3 patients so the rest is the majority) → `Encoding`; all their encounters.
    WrongEncoding,
}

/// A fault as applied: the file it is in, the reject code expected, and the encounters that
/// must not be importable because of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub corruption: Corruption,
    pub file: FileKind,
    pub code: Option<RejectCode>,
    pub rejected: Vec<VisitKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    pub files: Vec<WrittenFile>,
    pub patients: usize,
    pub visits: usize,
    pub admissions: usize,
    /// Σ CHT.TOTAL.
    pub total: Satang,
    pub applied: Vec<Applied>,
}

/// Writes a set into `out_dir` (created if needed).
pub fn generate(cfg: &GenConfig, out_dir: &Path) -> io::Result<GenSummary> {
    generate_with(cfg, out_dir, &mut |_| {})
}

/// Like [`generate`], handing every encounter (as written, before any fault) to `seen`.
pub fn generate_with(
    cfg: &GenConfig,
    out_dir: &Path,
    seen: &mut dyn FnMut(&Encounter),
) -> io::Result<GenSummary> {
    let g = Gen::new(cfg);
    let mut set = SetWriter::create(out_dir, cfg.headers, cfg.encoding)?;
    let targets: Vec<(Corruption, usize)> = cfg
        .corruptions
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();
    let target_patient = |c: Corruption| {
        targets
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, e)| g.patient_of(*e))
    };
    let bad_cid = target_patient(Corruption::BadCid);
    let wrong_enc = target_patient(Corruption::WrongEncoding);
    let other = match cfg.encoding {
        TextEncoding::Utf8 => TextEncoding::Windows874,
        TextEncoding::Windows874 => TextEncoding::Utf8,
    };
    for i in 0..g.patients {
        let p = g.patient(i);
        let w = set.file(FileKind::Pat).expect("PAT is in every set");
        if wrong_enc == Some(i) {
            w.set_encoding(other);
        }
        if bad_cid == Some(i) {
            let cid = p.cid.as_str();
            let last = (cid.as_bytes()[12] - b'0' + 1) % 10;
            w.write_override(&p.rec, Col::PERSON_ID, &format!("{}{last}", &cid[..12]))?;
        } else {
            w.write(&p.rec)?;
        }
        w.set_encoding(cfg.encoding);
    }

    let keep_index = !cfg.corruptions.is_empty();
    let mut index: Vec<(usize, VisitKey)> = Vec::new();
    let mut total = Satang::ZERO;
    let n = cfg.visits + cfg.admissions;
    for e in 0..n {
        let (enc, patient) = if e < cfg.visits {
            g.visit(e)
        } else {
            g.admission(e - cfg.visits)
        };
        let is_visit = matches!(enc, Encounter::Visit(_));
        let patch = targets.iter().find_map(|(c, t)| {
            (*t == e).then_some(()).and_then(|_| match c {
                Corruption::BadDate if is_visit => Some(Patch {
                    kind: FileKind::Opd,
                    col: Col::DATEOPD,
                    value: impossible_date(&enc),
                }),
                Corruption::BadDate => Some(Patch {
                    kind: FileKind::Ipd,
                    col: Col::DATEADM,
                    value: impossible_date(&enc),
                }),
                Corruption::UnknownRight => Some(Patch {
                    kind: FileKind::Ins,
                    col: Col::INSCL,
                    value: "UC/OFC".into(),
                }),
                _ => None,
            })
        });
        set.encounter_with(&enc, patch.as_ref())?;
        if targets.contains(&(Corruption::DuplicateHnSeq, e)) {
            match &enc {
                Encounter::Visit(v) => set.file(FileKind::Opd).expect("OPD").write(&v.opd)?,
                Encounter::Admission(a) => set.file(FileKind::Ipd).expect("IPD").write(&a.ipd)?,
            }
        }
        total += enc.total();
        if keep_index {
            index.push((patient, enc.key()));
        }
        if bad_cid == Some(patient) {
            // What the reader will see: the ID as written in PAT.
            let mut enc = enc;
            let p = match &mut enc {
                Encounter::Visit(v) => &mut v.patient,
                Encounter::Admission(a) => &mut a.patient,
            };
            if let Some(id) = p.person_id.as_ref().map(|i| i.as_str().to_string()) {
                let last = (id.as_bytes()[12] - b'0' + 1) % 10;
                p.person_id = Some(PersonId::Other(format!("{}{last}", &id[..12])));
            }
            seen(&enc);
        } else {
            seen(&enc);
        }
    }

    let mut applied = Vec::new();
    let of_patient = |p: usize| -> Vec<VisitKey> {
        index
            .iter()
            .filter(|(q, _)| *q == p)
            .map(|(_, k)| k.clone())
            .collect()
    };
    for &(c, t) in &targets {
        let key = index.get(t).map(|(_, k)| k.clone());
        let is_visit = t < cfg.visits;
        let (file, code, rejected) = match c {
            Corruption::BadDate => (
                if is_visit {
                    FileKind::Opd
                } else {
                    FileKind::Ipd
                },
                Some(RejectCode::BadDate),
                key.into_iter().collect(),
            ),
            Corruption::UnknownRight => (
                FileKind::Ins,
                Some(RejectCode::UnknownRight),
                key.into_iter().collect(),
            ),
            Corruption::DuplicateHnSeq => (
                if is_visit {
                    FileKind::Opd
                } else {
                    FileKind::Ipd
                },
                Some(if is_visit {
                    RejectCode::DuplicateVisit
                } else {
                    RejectCode::DuplicateAdmission
                }),
                key.into_iter().collect(),
            ),
            // Kept: a wrong check digit is a Data Audit finding, not a reject.
            Corruption::BadCid => (FileKind::Pat, None, Vec::new()),
            Corruption::WrongEncoding => (
                FileKind::Pat,
                Some(RejectCode::Encoding),
                of_patient(g.patient_of(t)),
            ),
            Corruption::ChtWithoutVisit => {
                let p = g.patient(0);
                let cht = ChtRecord {
                    hn: p.rec.hn.clone(),
                    an: None,
                    date: Some(cfg.fiscal_year.start()),
                    total: Satang(10_000),
                    paid: Satang::ZERO,
                    pttype: "UC".into(),
                    person_id: Some(PersonId::Cid(p.cid)),
                    seq: Some(Vn::parse("999999999999").expect("literal")),
                    opd_memo: String::new(),
                    invoice_no: String::new(),
                    invoice_lt: String::new(),
                };
                set.file(FileKind::Cht).expect("CHT").write(&cht)?;
                (FileKind::Cht, Some(RejectCode::NoVisit), Vec::new())
            }
            Corruption::TruncatedLastLine => {
                let last = match index.last() {
                    Some((_, VisitKey::Ip { .. })) => Vec::new(),
                    Some((p, _)) => of_patient(*p),
                    None => Vec::new(),
                };
                (FileKind::Cha, Some(RejectCode::FieldCount), last)
            }
            Corruption::MissingFile(kind) => {
                let (code, rejected) = match kind {
                    FileKind::Ins | FileKind::Pat | FileKind::Cht => (
                        Some(RejectCode::MissingFile),
                        index.iter().map(|(_, k)| k.clone()).collect(),
                    ),
                    FileKind::Opd if cfg.visits > 0 => (Some(RejectCode::MissingFile), Vec::new()),
                    FileKind::Ipd if cfg.admissions > 0 => {
                        (Some(RejectCode::MissingFile), Vec::new())
                    }
                    _ => (None, Vec::new()),
                };
                (kind, code, rejected)
            }
        };
        applied.push(Applied {
            corruption: c,
            file,
            code,
            rejected,
        });
    }

    let mut files = set.finish()?;
    for a in &applied {
        match a.corruption {
            Corruption::TruncatedLastLine => {
                if let Some(f) = files.iter().find(|f| f.kind == FileKind::Cha) {
                    truncate_last_line(&f.path)?;
                }
            }
            Corruption::MissingFile(kind) => {
                if let Some(pos) = files.iter().position(|f| f.kind == kind) {
                    std::fs::remove_file(&files[pos].path)?;
                    files.remove(pos);
                }
            }
            _ => {}
        }
    }
    Ok(GenSummary {
        files,
        patients: g.patients,
        visits: cfg.visits,
        admissions: cfg.admissions,
        total,
        applied,
    })
}

/// Zips the files of a folder (deflate), flat, as exporters do.
pub fn zip_dir(dir: &Path, zip_path: &Path) -> io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    names.sort();
    let mut zip = zip::ZipWriter::new(File::create(zip_path)?);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for p in names {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        zip.start_file(name, opts).map_err(io::Error::other)?;
        io::copy(&mut File::open(&p)?, &mut zip)?;
    }
    zip.finish().map_err(io::Error::other)?;
    Ok(())
}

/// Cuts the last line of a file just after the start of its third field's value (DATE in CHA),
/// keeping HN and AN readable; works from the tail so the file is never loaded whole.
fn truncate_last_line(path: &Path) -> io::Result<()> {
    let mut f = OpenOptions::new().read(true).write(true).open(path)?;
    let len = f.metadata()?.len();
    let tail_len = len.min(64 * 1024);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::new();
    f.read_to_end(&mut tail)?;
    let start = tail
        .windows(2)
        .rposition(|w| w == b"\r\n")
        .map(|i| i + 2)
        .unwrap_or(0);
    let line = &tail[start..];
    let cut = line
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'|')
        .nth(1)
        .map(|(i, _)| i + 5)
        .unwrap_or(line.len() / 2)
        .min(line.len().saturating_sub(1));
    f.set_len(len - tail_len + (start + cut) as u64)?;
    f.flush()
}

fn impossible_date(e: &Encounter) -> String {
    let d = match e {
        Encounter::Visit(v) => v.opd.dateopd,
        Encounter::Admission(a) => a.ipd.dateadm,
    };
    format!("{:04}13{:02}", d.year(), d.day())
}

fn pick<'a, T>(r: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = r.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

fn one<'a, T>(r: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[r.random_range(0..items.len())]
}

fn num(s: String) -> Num {
    Num::new(&s).expect("generated numbers are valid")
}

fn code<T>(f: fn(&str) -> Option<T>, c: &str) -> T {
    f(c).expect("generated codes are valid")
}

fn vn_of(dt: NaiveDateTime) -> Vn {
    let s = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}",
        (dt.year() + BE_OFFSET) % 100,
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    Vn::parse(&s).expect("VN shape")
}

fn hhmm(t: NaiveTime) -> NaiveTime {
    NaiveTime::from_hms_opt(t.hour(), t.minute(), 0).expect("valid time")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RightKind {
    Ucs,
    Wel,
    Ofc,
    Sss,
    Lgo,
    Nrh,
    Stp,
}

const RIGHT_MIX: &[(RightKind, u32)] = &[
    (RightKind::Ucs, 47),
    (RightKind::Wel, 25),
    (RightKind::Ofc, 10),
    (RightKind::Sss, 10),
    (RightKind::Lgo, 3),
    (RightKind::Nrh, 3),
    (RightKind::Stp, 2),
];

/// Per-visit situations that override the patient's right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payer {
    Right(RightKind),
    SelfPay,
    /// พ.ร.บ.ผู้ประสบภัยจากรถ (road-accident act).
    Prb,
}

impl Payer {
    fn inscl(self) -> &'static str {
        match self {
            Payer::Right(RightKind::Ucs) => "UCS",
            Payer::Right(RightKind::Wel) => "WEL",
            Payer::Right(RightKind::Ofc) => "OFC",
            Payer::Right(RightKind::Sss) => "SSS",
            Payer::Right(RightKind::Lgo) => "LGO",
            Payer::Right(RightKind::Nrh) => "NRH",
            Payer::Right(RightKind::Stp) => "STP",
            Payer::SelfPay => "CSH",
            Payer::Prb => "INS",
        }
    }
    /// HIS pttype (hospital-local; these follow common HOSxP usage and SV_CHT_PTTYPE).
    fn pttype(self) -> &'static str {
        match self {
            Payer::Right(RightKind::Ucs) => "UC",
            Payer::Right(RightKind::Wel) => "AA",
            Payer::Right(RightKind::Ofc) => "A2",
            Payer::Right(RightKind::Sss) => "A7",
            Payer::Right(RightKind::Lgo) => "L1",
            Payer::Right(RightKind::Nrh) => "N1",
            Payer::Right(RightKind::Stp) => "ST",
            Payer::SelfPay => "A1",
            Payer::Prb => "A9",
        }
    }
    fn is_uc(self) -> bool {
        matches!(self, Payer::Right(RightKind::Ucs | RightKind::Wel))
    }
}

/// (local DID, DIDNAME, UNIT, unit price in satang, DIDSTD, used in hospital?)
type Drug = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    bool,
);

/// Where and for which encounter a drug is dispensed.
#[derive(Clone, Copy)]
struct Where<'x> {
    date: NaiveDate,
    clinic: &'x Clinic,
    key: (Option<&'x Vn>, Option<&'x An>),
    doctor: &'x str,
}

struct GenPatient {
    rec: PatRecord,
    cid: Cid,
    right: RightKind,
    subtype: &'static str,
    hospmain: Option<Hcode>,
    hospsub: Option<Hcode>,
    since: NaiveDate,
}

struct Gen<'a> {
    cfg: &'a GenConfig,
    patients: usize,
    start: NaiveDate,
    days: i64,
    doctors: Vec<String>,
}

const STREAM_PATIENT: u64 = 1 << 40;
const STREAM_ENCOUNTER: u64 = 2 << 40;
const WORK_SECONDS: i64 = 13 * 3600;

/// Charges of one encounter, merged per CHRGITEM.
/// Which encounter a bill is of: a visit (its SEQ) or an admission (its AN).
enum BillOf<'a> {
    Visit(&'a Vn),
    Admission(&'a An),
}

/// An encounter's bill (CHT) and its charge lines (CHA): paid in full by a self-paying patient,
/// with an invoice number in FDH sets.
fn bill(
    hn: &Hn,
    of: BillOf<'_>,
    date: NaiveDate,
    person: &Option<PersonId>,
    payer: Payer,
    charges: Charges,
    fdh: bool,
) -> (Vec<ChtRecord>, Vec<ChaRecord>) {
    let (an, seq, key) = match of {
        BillOf::Visit(seq) => (None, Some(seq.clone()), seq.as_str()),
        BillOf::Admission(an) => (Some(an.clone()), None, an.as_str()),
    };
    let total = charges.total();
    let cht = ChtRecord {
        hn: hn.clone(),
        an: an.clone(),
        date: Some(date),
        total,
        paid: if payer == Payer::SelfPay {
            total
        } else {
            Satang::ZERO
        },
        pttype: payer.pttype().to_string(),
        person_id: person.clone(),
        seq: seq.clone(),
        opd_memo: String::new(),
        invoice_no: if fdh {
            format!("INV{key}")
        } else {
            String::new()
        },
        invoice_lt: String::new(),
    };
    let cha = charges
        .0
        .into_iter()
        .map(|(item, amount)| ChaRecord {
            hn: hn.clone(),
            an: an.clone(),
            date,
            chrgitem: item,
            amount,
            person_id: person.clone(),
            seq: seq.clone(),
        })
        .collect();
    (vec![cht], cha)
}

#[derive(Default)]
struct Charges(BTreeMap<ChargeItem, Satang>);

impl Charges {
    fn add(&mut self, cat: ChargeCategory, claimable: bool, amount: Satang) {
        if amount.0 > 0 {
            *self
                .0
                .entry(ChargeItem::new(cat, claimable))
                .or_insert(Satang::ZERO) += amount;
        }
    }
    /// A drug line's price, as drugs used in hospital or taken home.
    fn add_drug(&mut self, dru: &DruRecord, in_hospital: bool) {
        let cat = if in_hospital {
            ChargeCategory::DrugInHospital
        } else {
            ChargeCategory::DrugHome
        };
        self.add(cat, true, dru.total.unwrap_or_default());
    }

    fn total(&self) -> Satang {
        self.0.values().copied().sum()
    }
}
