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

mod lists;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use raidai_domain::calendar::{BE_OFFSET, FiscalYear};
use raidai_domain::ids::{An, Cid, Hcode, Hn, Vn};
use raidai_domain::money::Satang;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::encoding::TextEncoding;
use crate::kind::{Col, FileKind, HeaderSet};
use crate::records::*;
use crate::reject::RejectCode;
use crate::visit::{Admission, Encounter, Visit, VisitKey};
use crate::writer::{Patch, SetWriter, WrittenFile};
use lists::*;

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
    /// OPD.DATEOPD (IPD.DATEADM) written in BE → `BadDate`.
    BadDate,
    /// The patient's PAT.PERSON_ID gets a wrong check digit: no reject (the encounters are
    /// kept, with the ID as written, for the Data Audit to flag).
    BadCid,
    /// The OPD (IPD) line is written twice → `DuplicateVisit` (`DuplicateAdmission`).
    DuplicateHnSeq,
    /// An extra CHT line for a SEQ that is in no file → `NoVisit`; no encounter is lost.
    ChtWithoutVisit,
    /// INS.INSCL `ZZZ` → `UnknownRight`.
    UnknownRight,
    /// The file is not written. INS, PAT, CHT → `MissingFile` and every encounter rejected;
    /// OPD/IPD → `MissingFile` (their dependants are refused, their encounters vanish);
    /// any other file is optional and causes no reject.
    MissingFile(FileKind),
    /// The last CHA line loses everything after its DATE → `FieldCount`; all encounters of
    /// that line's patient.
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
                    value: be_date(&enc),
                }),
                Corruption::BadDate => Some(Patch {
                    kind: FileKind::Ipd,
                    col: Col::DATEADM,
                    value: be_date(&enc),
                }),
                Corruption::UnknownRight => Some(Patch {
                    kind: FileKind::Ins,
                    col: Col::INSCL,
                    value: "ZZZ".into(),
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
                    date: cfg.fiscal_year.start(),
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
                let last = index
                    .last()
                    .map(|(p, _)| of_patient(*p))
                    .unwrap_or_default();
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

fn be_date(e: &Encounter) -> String {
    let d = match e {
        Encounter::Visit(v) => v.opd.dateopd,
        Encounter::Admission(a) => a.ipd.dateadm,
    };
    format!("{:04}{:02}{:02}", d.year() + BE_OFFSET, d.month(), d.day())
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
    fn total(&self) -> Satang {
        self.0.values().copied().sum()
    }
}

impl<'a> Gen<'a> {
    fn new(cfg: &'a GenConfig) -> Gen<'a> {
        let start = cfg.fiscal_year.start();
        let days = (cfg.fiscal_year.end() - start).num_days() + 1;
        let doctors = (0..20).map(|i| format!("ว{}", 90_000 + i * 37)).collect();
        Gen {
            cfg,
            patients: cfg.patient_count(),
            start,
            days,
            doctors,
        }
    }

    fn rng(&self, stream: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(self.cfg.seed);
        r.set_stream(stream);
        r
    }

    fn encounter_rng(&self, e: usize) -> ChaCha8Rng {
        self.rng(STREAM_ENCOUNTER + e as u64)
    }

    /// The patient of encounter `e` (its stream's first draw).
    fn patient_of(&self, e: usize) -> usize {
        self.encounter_rng(e).random_range(0..self.patients)
    }

    fn patient(&self, i: usize) -> GenPatient {
        let cfg = self.cfg;
        let mut r = self.rng(STREAM_PATIENT + i as u64);
        let age: i64 = match r.random_range(0..100) {
            0..20 => r.random_range(0..15),
            20..75 => r.random_range(15..60),
            _ => r.random_range(60..95),
        };
        let male = r.random_bool(0.48);
        let mut right = *pick(&mut r, RIGHT_MIX);
        if right == RightKind::Sss && !(18..60).contains(&age) {
            right = RightKind::Ucs;
        }
        if right == RightKind::Ucs && !(12..60).contains(&age) {
            right = RightKind::Wel;
        }
        let subtype = match right {
            RightKind::Ucs => "89",
            RightKind::Wel if age >= 60 => "77",
            RightKind::Wel if age < 12 => "71",
            RightKind::Wel => *one(&mut r, &["74", "72", "82"]),
            RightKind::Ofc => *one(&mut r, &["O1", "O2", "O3", "O4", "O5"]),
            RightKind::Sss => "S1",
            RightKind::Lgo => *one(&mut r, &["L1", "L2", "L3"]),
            RightKind::Nrh => {
                if age <= 7 {
                    "N1"
                } else {
                    "N2"
                }
            }
            RightKind::Stp => "ST",
        };
        let foreign = right == RightKind::Nrh;
        let fname = if foreign {
            *one(&mut r, FOREIGN_NAMES)
        } else if male {
            *one(&mut r, MALE_NAMES)
        } else {
            *one(&mut r, FEMALE_NAMES)
        };
        let lname = if foreign {
            *one(&mut r, FOREIGN_SURNAMES)
        } else {
            *one(&mut r, SURNAMES)
        };
        let title = match (male, age) {
            (true, 0..15) => "ด.ช.",
            (false, 0..15) => "ด.ญ.",
            (true, _) => "นาย",
            (false, 15..25) => "น.ส.",
            (false, _) => *one(&mut r, &["นาง", "น.ส."]),
        };
        let dob = self.start - Duration::days(age * 365 + r.random_range(0..365));
        let cid = Cid::from_first12(&format!("9{:03}{:08}", cfg.seed % 1000, i % 100_000_000))
            .expect("12 digits");
        let marriage = if age < 18 {
            "1"
        } else {
            *one(&mut r, &["1", "2", "2", "2", "3", "4"])
        };
        let hospmain = if matches!(right, RightKind::Ucs | RightKind::Wel) {
            Some(
                if cfg.hospmain.is_empty() || r.random_bool(0.15) && cfg.hospmain.len() > 1 {
                    if cfg.hospmain.len() > 1 {
                        cfg.hospmain[r.random_range(1..cfg.hospmain.len())]
                    } else {
                        cfg.unit
                    }
                } else {
                    cfg.hospmain[0]
                },
            )
        } else {
            None
        };
        let hospsub =
            (hospmain.is_some() && !cfg.hospsub.is_empty()).then(|| *one(&mut r, &cfg.hospsub));
        let hn = Hn::parse(&format!("{:09}", i + 1)).expect("HN shape");
        let occupation = one::<&str>(&mut r, OCCUPATIONS);
        let rec = PatRecord {
            hcode: cfg.unit,
            hn,
            changwat: Digits2::new(&cfg.changwat),
            amphur: Digits2::new(&format!("{:02}", r.random_range(1..14))),
            dob: Some(dob),
            sex: Some(code(Sex::new, if male { "1" } else { "2" })),
            marriage: Some(code(Marriage::new, marriage)),
            occupa: Digits::new(occupation),
            nation: Digits3::new(if foreign { "048" } else { "099" }),
            person_id: Some(PersonId::Cid(cid)),
            namepat: format!("{fname} {lname},{title}"),
            title: title.to_string(),
            fname: fname.to_string(),
            lname: lname.to_string(),
            idtype: Some(code(IdType::new, if foreign { "3" } else { "1" })),
        };
        let since = self.start - Duration::days(r.random_range(30..3650));
        GenPatient {
            rec,
            cid,
            right,
            subtype,
            hospmain,
            hospsub,
            since,
        }
    }

    fn payer(&self, r: &mut ChaCha8Rng, p: &GenPatient) -> Payer {
        match r.random_range(0..100) {
            0..4 => Payer::SelfPay,
            4..6 => Payer::Prb,
            _ => Payer::Right(p.right),
        }
    }

    fn right(
        &self,
        r: &mut ChaCha8Rng,
        p: &GenPatient,
        payer: Payer,
        an: Option<&An>,
        seq: Option<&Vn>,
    ) -> InsRecord {
        let cfg = self.cfg;
        let permitno = if payer.is_uc() && r.random_bool(cfg.authen_share.clamp(0.0, 1.0)) {
            format!("PP{:010}", r.random_range(0..10_000_000_000u64))
        } else if payer == Payer::Right(RightKind::Ofc) && r.random_bool(0.4) {
            format!("{}", r.random_range(100_000_000..1_000_000_000u64))
        } else {
            String::new()
        };
        let uc = payer.is_uc();
        InsRecord {
            hn: p.rec.hn.clone(),
            inscl: Inscl::new(payer.inscl()).expect("known right"),
            subtype: if matches!(payer, Payer::Right(_)) {
                p.subtype.to_string()
            } else {
                String::new()
            },
            cid: Some(PersonId::Cid(p.cid)),
            hcode: (cfg.headers == HeaderSet::Fdh).then_some(cfg.unit),
            datein: Some(p.since),
            dateexp: None,
            hospmain: if uc { p.hospmain } else { None },
            hospsub: if uc { p.hospsub } else { None },
            govcode: String::new(),
            govname: String::new(),
            permitno,
            docno: String::new(),
            ownrpid: None,
            ownname: String::new(),
            an: an.cloned(),
            seq: seq.cloned(),
            subinscl: String::new(),
            relinscl: String::new(),
            htype: uc.then(|| {
                code(
                    Htype::new,
                    if p.hospmain.as_ref() == Some(&cfg.unit) {
                        "1"
                    } else {
                        "2"
                    },
                )
            }),
        }
    }

    fn drug(&self, r: &mut ChaCha8Rng, p: &GenPatient, d: &Drug, at: &Where<'_>) -> DruRecord {
        let Where {
            date,
            clinic,
            key,
            doctor,
        } = *at;
        let (did, name, unit, price, std, in_hospital) = *d;
        let qty: i64 = match unit {
            "TAB" | "CAP" => *one(r, &[10, 15, 20, 30, 60]),
            "SACHET" => 5,
            _ => 1,
        };
        let fdh = self.cfg.headers == HeaderSet::Fdh;
        DruRecord {
            hcode: self.cfg.unit,
            hn: p.rec.hn.clone(),
            an: key.1.cloned(),
            clinic: Some(clinic.clone()),
            person_id: Some(PersonId::Cid(p.cid)),
            date_serv: date,
            did: Text::new(did).expect("non-blank"),
            didname: name.to_string(),
            amount: num(qty.to_string()),
            drugpric: Some(Satang(price)),
            drugcost: Some(Satang(price * 6 / 10)),
            didstd: std.to_string(),
            unit: unit.to_string(),
            unit_pack: unit.to_string(),
            seq: key.0.cloned(),
            drugtype: String::new(),
            drugremark: String::new(),
            pa_no: String::new(),
            totcopay: Some(Satang::ZERO),
            use_status: Some(code(UseStatus::new, if in_hospital { "1" } else { "2" })),
            total: Some(Satang(price * qty)),
            sigcode: String::new(),
            sigtext: if in_hospital {
                String::new()
            } else {
                one(r, SIGTEXT).to_string()
            },
            provider: doctor.to_string(),
            sp_item: if fdh { "1".into() } else { String::new() },
        }
    }

    fn visit(&self, j: usize) -> (Encounter, usize) {
        let cfg = self.cfg;
        let mut r = self.encounter_rng(j);
        let pi = r.random_range(0..self.patients);
        let p = self.patient(pi);
        let fdh = cfg.headers == HeaderSet::Fdh;

        // Time: spread over the fiscal year's working hours, strictly increasing ⇒ unique VN.
        let window = self.days * WORK_SECONDS;
        let step = (window / cfg.visits.max(1) as i64).max(1);
        let at = j as i64 * step + r.random_range(0..(step / 2).max(1));
        let dt = self.start.and_time(NaiveTime::MIN)
            + Duration::days(at / WORK_SECONDS)
            + Duration::seconds(7 * 3600 + at % WORK_SECONDS);
        let date = dt.date();
        let time = hhmm(dt.time());
        let seq = vn_of(dt);

        let payer = self.payer(&mut r, &p);
        let clinic_code = if payer == Payer::Prb {
            "01200"
        } else {
            *pick(&mut r, OP_CLINICS)
        };
        // Drawn only when asked for, so sets without it stay as they were for a seed.
        let clinic = if self.cfg.unknown_clinic_share > 0.0
            && r.random_bool(self.cfg.unknown_clinic_share.min(1.0))
        {
            Clinic::new("05000").expect("5-digit clinic")
        } else {
            Clinic::new(clinic_code).expect("clinic")
        };
        let dental = clinic_code == "01100";
        let er = clinic_code == "01200";
        let doctor = one(&mut r, &self.doctors).clone();
        let person = Some(PersonId::Cid(p.cid));

        let principal = if payer == Payer::Prb {
            *one(&mut r, &["S010", "S610", "S934", "T140", "S828"])
        } else if dental {
            *one(&mut r, &["K021", "K029", "K040", "K047", "K050", "K051"])
        } else {
            *pick(&mut r, ICD10)
        };
        let odx = |diag: &str, dxtype: &str| OdxRecord {
            hn: p.rec.hn.clone(),
            datedx: date,
            clinic: Some(clinic.clone()),
            diag: Icd10::new(diag).expect("ICD-10"),
            dxtype: code(DxType::new, dxtype),
            drdx: doctor.clone(),
            person_id: person.clone(),
            seq: seq.clone(),
        };
        let mut diagnoses = vec![odx(principal, "1")];
        if payer == Payer::Prb {
            diagnoses.push(odx(one::<&str>(&mut r, EXTERNAL), "5"));
        } else if r.random_bool(0.3) {
            let c = *one(&mut r, COMORBID);
            if c != principal {
                diagnoses.push(odx(c, "2"));
            }
        }

        let mut charges = Charges::default();
        let mut procedures = Vec::new();
        let proc_code = if payer == Payer::Prb || (er && r.random_bool(0.5)) {
            Some(("8659", 30_000))
        } else if dental {
            Some(("2311", 50_000))
        } else if r.random_bool(0.08) {
            Some(*one(&mut r, &ICD9[..12]))
        } else {
            None
        };
        if let Some((oper, price)) = proc_code {
            procedures.push(OopRecord {
                hn: p.rec.hn.clone(),
                dateopd: date,
                clinic: Some(clinic.clone()),
                oper: Icd9cm::new(oper).expect("ICD-9-CM"),
                dropid: doctor.clone(),
                person_id: person.clone(),
                seq: seq.clone(),
                servprice: fdh.then_some(Satang(price)),
            });
            let cat = if dental {
                ChargeCategory::Dental
            } else {
                ChargeCategory::Procedure
            };
            charges.add(cat, true, Satang(price));
        }

        let n_drugs = if dental {
            1
        } else {
            r.random_range(0..=cfg.max_drugs)
        };
        let mut drugs = Vec::new();
        for _ in 0..n_drugs {
            let d = if er && r.random_bool(0.3) {
                one(&mut r, &DRUGS[18..])
            } else {
                one(&mut r, &DRUGS[..18])
            };
            let at = Where {
                date,
                clinic: &clinic,
                key: (Some(&seq), None),
                doctor: &doctor,
            };
            let dru = self.drug(&mut r, &p, d, &at);
            let cat = if d.5 {
                ChargeCategory::DrugInHospital
            } else {
                ChargeCategory::DrugHome
            };
            charges.add(cat, true, dru.total.unwrap_or_default());
            drugs.push(dru);
        }
        charges.add(ChargeCategory::Nursing, true, Satang(5_000));
        let chronic = matches!(principal, "I10" | "E119" | "E118" | "E785" | "N185");
        if chronic || r.random_bool(0.1) {
            charges.add(
                ChargeCategory::Lab,
                true,
                Satang(r.random_range(1..9) * 5_000),
            );
        }
        if r.random_bool(0.06) {
            charges.add(
                ChargeCategory::Radiology,
                true,
                Satang(r.random_range(1..5) * 5_000),
            );
        }
        if payer == Payer::Right(RightKind::Ofc) && r.random_bool(0.15) {
            charges.add(
                ChargeCategory::DrugHome,
                false,
                Satang(r.random_range(1..20) * 1_000),
            );
        }
        let mut items = Vec::new();
        if r.random_bool(0.03) {
            let rate = Satang(25_000);
            items.push(AdpRecord {
                hn: p.rec.hn.clone(),
                an: None,
                dateopd: date,
                billmaud: String::new(),
                item_type: Digits::new("2").expect("digits"),
                code: Text::new("SYN4603").expect("non-blank"),
                qty: num("1".into()),
                rate,
                seq: Some(seq.clone()),
                cagcode: String::new(),
                dose: String::new(),
                ca_type: String::new(),
                serialno: String::new(),
                totcopay: Some(Satang::ZERO),
                use_status: None,
                total: Some(rate),
                qtyday: None,
                tmltcode: String::new(),
                status1: String::new(),
                bi: String::new(),
                clinic: fdh.then(|| clinic.clone()),
                itemsrc: if fdh { "1".into() } else { String::new() },
                provider: if fdh { doctor.clone() } else { String::new() },
                gravida: None,
                ga_week: None,
                dcip: String::new(),
                lmp: None,
                sp_item: String::new(),
            });
            charges.add(ChargeCategory::Prosthesis, true, rate);
        }

        let mut accidents = Vec::new();
        let aer = |aetype: Option<&str>, ucae: &str| AerRecord {
            hn: p.rec.hn.clone(),
            an: None,
            dateopd: Some(date),
            authae: String::new(),
            aedate: Some(date),
            aetime: Some(time),
            aetype: aetype.map(|t| code(AeType::new, t)),
            refer_no: String::new(),
            refmaini: None,
            ireftype: String::new(),
            refmaino: None,
            oreftype: String::new(),
            ucae: Some(code(Ucae::new, ucae)),
            emtype: String::new(),
            seq: Some(seq.clone()),
            aestatus: String::new(),
            dalert: None,
            talert: None,
        };
        if payer == Payer::Prb {
            accidents.push(aer(Some("V"), "A"));
        } else if er && payer.is_uc() && r.random_bool(0.5) {
            accidents.push(aer(None, "E"));
        }

        let mut refers = Vec::new();
        if !dental && r.random_bool(0.03) {
            refers.push(OrfRecord {
                hn: p.rec.hn.clone(),
                dateopd: date,
                clinic: Some(clinic.clone()),
                refer: Hcode::parse(one::<&str>(&mut r, REFER_TO)).expect("hcode"),
                refertype: code(ReferType::new, "2"),
                seq: seq.clone(),
                referdate: fdh.then_some(date),
            });
        }

        let mut labs = Vec::new();
        if fdh && principal.starts_with("E11") {
            for (test, result) in [
                ("01", format!("{}", r.random_range(90..220))),
                (
                    "03",
                    format!("{}.{}", r.random_range(5..11), r.random_range(0..10)),
                ),
            ] {
                labs.push(LabRecord {
                    hcode: cfg.unit,
                    hn: p.rec.hn.clone(),
                    person_id: person.clone(),
                    dateserv: date,
                    seq: seq.clone(),
                    labtest: code(LabTest::new, test),
                    labresult: result,
                });
            }
        }

        let right = self.right(&mut r, &p, payer, None, Some(&seq));
        let total = charges.total();
        let bills = vec![ChtRecord {
            hn: p.rec.hn.clone(),
            an: None,
            date,
            total,
            paid: if payer == Payer::SelfPay {
                total
            } else {
                Satang::ZERO
            },
            pttype: payer.pttype().to_string(),
            person_id: person.clone(),
            seq: Some(seq.clone()),
            opd_memo: String::new(),
            invoice_no: if fdh {
                format!("INV{}", seq.as_str())
            } else {
                String::new()
            },
            invoice_lt: String::new(),
        }];
        let charges = charges
            .0
            .into_iter()
            .map(|(item, amount)| ChaRecord {
                hn: p.rec.hn.clone(),
                an: None,
                date,
                chrgitem: item,
                amount,
                person_id: person.clone(),
                seq: Some(seq.clone()),
            })
            .collect();
        let opd = OpdRecord {
            hn: p.rec.hn.clone(),
            clinic,
            dateopd: date,
            timeopd: time,
            seq,
            uuc: Some(code(
                Uuc::new,
                if payer == Payer::SelfPay { "2" } else { "1" },
            )),
            detail: if fdh {
                one(&mut r, COMPLAINTS).to_string()
            } else {
                String::new()
            },
            btemp: fdh.then(|| {
                num(format!(
                    "{}.{}",
                    r.random_range(36..39),
                    r.random_range(0..10)
                ))
            }),
            sbp: fdh.then(|| num(r.random_range(100..165).to_string())),
            dbp: fdh.then(|| num(r.random_range(60..100).to_string())),
            pr: fdh.then(|| num(r.random_range(60..110).to_string())),
            rr: fdh.then(|| num(r.random_range(16..24).to_string())),
            optype: fdh.then(|| {
                code(
                    OpdType::new,
                    if p.hospmain.as_ref() == Some(&cfg.unit) {
                        "5"
                    } else {
                        "7"
                    },
                )
            }),
            typein: fdh.then(|| code(TypeIn::new, if r.random_bool(0.3) { "2" } else { "1" })),
            typeout: fdh.then(|| code(TypeOut::new, if refers.is_empty() { "1" } else { "3" })),
        };
        let visit = Visit {
            opd,
            patient: p.rec.clone(),
            right,
            diagnoses,
            procedures,
            refers,
            bills,
            charges,
            drugs,
            items,
            accidents,
            labs,
        };
        (Encounter::Visit(Box::new(visit)), pi)
    }

    fn admission(&self, k: usize) -> (Encounter, usize) {
        let cfg = self.cfg;
        let mut r = self.encounter_rng(cfg.visits + k);
        let pi = r.random_range(0..self.patients);
        let p = self.patient(pi);
        let fdh = cfg.headers == HeaderSet::Fdh;

        let window = (self.days - 10).max(1) * 86_400;
        let step = (window / cfg.admissions.max(1) as i64).max(1);
        let at = k as i64 * step + r.random_range(0..(step / 2).max(1));
        let adm = self.start.and_time(NaiveTime::MIN) + Duration::seconds(at);
        let los = r.random_range(1..8);
        let dsc = (adm.date() + Duration::days(los))
            .and_hms_opt(r.random_range(9..15), r.random_range(0..60), 0)
            .expect("time");
        // Written with a discharge unless among the last `in_hospital` admissions.
        let discharged = k + cfg.in_hospital < cfg.admissions;
        let an = An::parse(&format!(
            "{:02}{:07}",
            (adm.year() + BE_OFFSET) % 100,
            k + 1
        ))
        .expect("AN");
        let payer = match r.random_range(0..100) {
            0..3 => Payer::SelfPay,
            _ => Payer::Right(p.right),
        };
        let clinic = Clinic::new(pick::<&str>(&mut r, IP_CLINICS)).expect("clinic");
        let doctor = one(&mut r, &self.doctors).clone();
        let person = Some(PersonId::Cid(p.cid));

        let principal = *one(
            &mut r,
            &[
                "J189", "A090", "K359", "I639", "E871", "N390", "O800", "J441", "A419",
            ],
        );
        let mut diagnoses = vec![IdxRecord {
            an: an.clone(),
            diag: Icd10::new(principal).expect("ICD-10"),
            dxtype: code(DxType::new, "1"),
            drdx: doctor.clone(),
        }];
        for _ in 0..r.random_range(0..3) {
            let c = *one(&mut r, COMORBID);
            if diagnoses.iter().all(|d| d.diag.as_str() != c) {
                diagnoses.push(IdxRecord {
                    an: an.clone(),
                    diag: Icd10::new(c).expect("ICD-10"),
                    dxtype: code(DxType::new, "2"),
                    drdx: doctor.clone(),
                });
            }
        }
        let mut charges = Charges::default();
        let mut procedures = Vec::new();
        let surgery = match principal {
            "K359" => Some(("4701", 800_000)),
            "O800" => Some(("7359", 150_000)),
            _ if r.random_bool(0.3) => Some(*one(&mut r, &ICD9[..12])),
            _ => None,
        };
        if let Some((oper, price)) = surgery {
            let start = adm + Duration::hours(r.random_range(2..20));
            let end = start + Duration::minutes(r.random_range(20..180));
            procedures.push(IopRecord {
                an: an.clone(),
                oper: Icd9cm::new(oper).expect("ICD-9-CM"),
                optype: code(ProcType::new, "1"),
                dropid: doctor.clone(),
                datein: Some(start.date()),
                timein: Some(hhmm(start.time())),
                dateout: Some(end.date()),
                timeout: Some(hhmm(end.time())),
            });
            charges.add(ChargeCategory::OperatingRoom, true, Satang(price));
            charges.add(ChargeCategory::ProfessionalFee, true, Satang(price / 2));
        }
        charges.add(ChargeCategory::Room, true, Satang(40_000 * los));
        charges.add(ChargeCategory::Nursing, true, Satang(30_000 * los));
        charges.add(
            ChargeCategory::Lab,
            true,
            Satang(r.random_range(2..20) * 5_000),
        );
        if payer == Payer::Right(RightKind::Ofc) || r.random_bool(0.1) {
            // Special room: the excess over the right's room rate is not claimable.
            charges.add(ChargeCategory::Room, false, Satang(50_000 * los));
        }
        let mut drugs = Vec::new();
        for _ in 0..r.random_range(1..=cfg.max_drugs.max(1) * 2) {
            let d = one(&mut r, DRUGS);
            let at = Where {
                date: adm.date(),
                clinic: &clinic,
                key: (None, Some(&an)),
                doctor: &doctor,
            };
            let dru = self.drug(&mut r, &p, d, &at);
            let cat = if d.5 {
                ChargeCategory::DrugInHospital
            } else {
                ChargeCategory::DrugHome
            };
            charges.add(cat, true, dru.total.unwrap_or_default());
            drugs.push(dru);
        }
        let mut refers = Vec::new();
        if r.random_bool(0.05) {
            refers.push(IrfRecord {
                an: an.clone(),
                refer: Hcode::parse(one::<&str>(&mut r, REFER_TO)).expect("hcode"),
                refertype: code(ReferType::new, "2"),
            });
        }
        let mut leaves = Vec::new();
        if los >= 3 && r.random_bool(0.1) {
            let d = adm.date() + Duration::days(1);
            leaves.push(LvdRecord {
                seqlvd: Text::new("1").expect("non-blank"),
                an: an.clone(),
                dateout: d,
                timeout: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
                datein: d,
                timein: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
                qtyday: fdh.then(|| Digits::new("0").expect("digits")),
            });
        }
        let right = self.right(&mut r, &p, payer, Some(&an), None);
        let total = charges.total();
        let bills = vec![ChtRecord {
            hn: p.rec.hn.clone(),
            an: Some(an.clone()),
            date: dsc.date(),
            total,
            paid: if payer == Payer::SelfPay {
                total
            } else {
                Satang::ZERO
            },
            pttype: payer.pttype().to_string(),
            person_id: person.clone(),
            seq: None,
            opd_memo: String::new(),
            invoice_no: if fdh {
                format!("INV{}", an.as_str())
            } else {
                String::new()
            },
            invoice_lt: String::new(),
        }];
        let charges = charges
            .0
            .into_iter()
            .map(|(item, amount)| ChaRecord {
                hn: p.rec.hn.clone(),
                an: Some(an.clone()),
                date: dsc.date(),
                chrgitem: item,
                amount,
                person_id: person.clone(),
                seq: None,
            })
            .collect();
        let ipd = IpdRecord {
            hn: p.rec.hn.clone(),
            an,
            dateadm: adm.date(),
            timeadm: hhmm(adm.time()),
            datedsc: discharged.then(|| dsc.date()),
            timedsc: discharged.then(|| hhmm(dsc.time())),
            dischs: code(Dischs::new, if r.random_bool(0.8) { "2" } else { "1" }),
            discht: code(Discht::new, if refers.is_empty() { "1" } else { "4" }),
            warddsc: format!("{:02}", r.random_range(1..6)),
            dept: clinic.as_str()[1..3].to_string(),
            adm_w: Some(num("0.000".into())),
            uuc: Some(code(
                Uuc::new,
                if payer == Payer::SelfPay { "2" } else { "1" },
            )),
            svctype: Some(code(SvcType::new, "I")),
        };
        let adm = Admission {
            ipd,
            patient: p.rec.clone(),
            right,
            diagnoses,
            procedures,
            refers,
            leaves,
            bills,
            charges,
            drugs,
            items: Vec::new(),
            accidents: Vec::new(),
        };
        (Encounter::Admission(Box::new(adm)), pi)
    }
}
