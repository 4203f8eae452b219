//! Records grouped per visit (OP: HN+SEQ) and per admission (IP: AN).

use raidai_domain::ids::Hn;
use raidai_domain::money::Satang;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

use crate::kind::FileKind;
use crate::records::*;

/// What links lines of the 16 files together (DOMAIN §1.1): HN+SEQ for an OP visit, AN for an
/// admission.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum VisitKey {
    Op { hn: String, seq: String },
    Ip { an: String },
}

impl VisitKey {
    pub fn op(hn: &str, seq: &str) -> VisitKey {
        VisitKey::Op {
            hn: hn.to_string(),
            seq: seq.to_string(),
        }
    }
    pub fn ip(an: &str) -> VisitKey {
        VisitKey::Ip { an: an.to_string() }
    }

    /// Compact form used by the indexes: `O<hn>\x1f<seq>` or `I<an>`.
    pub(crate) fn encode_into(hn: &str, seq: &str, an: &str, out: &mut Vec<u8>) -> bool {
        out.clear();
        if !an.is_empty() {
            out.push(b'I');
            out.extend_from_slice(an.as_bytes());
            true
        } else if !seq.is_empty() && !hn.is_empty() {
            out.push(b'O');
            out.extend_from_slice(hn.as_bytes());
            out.push(0x1f);
            out.extend_from_slice(seq.as_bytes());
            true
        } else {
            false
        }
    }

    pub(crate) fn decode(bytes: &[u8]) -> VisitKey {
        let s = String::from_utf8_lossy(&bytes[1..]);
        if bytes[0] == b'I' {
            VisitKey::Ip { an: s.into_owned() }
        } else {
            let (hn, seq) = s.split_once('\x1f').unwrap_or((&s, ""));
            VisitKey::op(hn, seq)
        }
    }
}

impl fmt::Display for VisitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VisitKey::Op { hn, seq } => write!(f, "HN {hn} SEQ {seq}"),
            VisitKey::Ip { an } => write!(f, "AN {an}"),
        }
    }
}

/// An outpatient visit with everything the files say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub opd: OpdRecord,
    pub patient: PatRecord,
    /// INS: INSCL, SUBTYPE, PERMITNO (Authen code), HOSPMAIN, HOSPSUB …
    pub right: InsRecord,
    pub diagnoses: Vec<OdxRecord>,
    pub procedures: Vec<OopRecord>,
    pub refers: Vec<OrfRecord>,
    /// CHT lines (usually one).
    pub bills: Vec<ChtRecord>,
    /// CHA lines: charges per CHRGITEM.
    pub charges: Vec<ChaRecord>,
    pub drugs: Vec<DruRecord>,
    /// ADP lines.
    pub items: Vec<AdpRecord>,
    /// AER lines (accident, emergency, refer).
    pub accidents: Vec<AerRecord>,
    pub labs: Vec<LabRecord>,
    /// Lines of this visit refused at import, whole (detail lines left out of the lists above)
    /// or in part (fields read as blank).
    pub refused: Vec<RefusedLine>,
}

/// An admission with everything the files say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    pub ipd: IpdRecord,
    pub patient: PatRecord,
    pub right: InsRecord,
    pub diagnoses: Vec<IdxRecord>,
    pub procedures: Vec<IopRecord>,
    pub refers: Vec<IrfRecord>,
    pub leaves: Vec<LvdRecord>,
    pub bills: Vec<ChtRecord>,
    pub charges: Vec<ChaRecord>,
    pub drugs: Vec<DruRecord>,
    pub items: Vec<AdpRecord>,
    pub accidents: Vec<AerRecord>,
    /// Lines of this admission refused at import, whole or in part (see [`Visit::refused`]).
    pub refused: Vec<RefusedLine>,
}

/// A line of an encounter that was refused at import (listed with the rejects) while the
/// encounter was kept: a detail line (see [`FileKind::is_detail`]) that could not be read is
/// left out (`kept` false); a line with an optional field that could not be read is kept with
/// the field blank (`kept` true). Either way a claim would miss what the line said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefusedLine {
    pub file: FileKind,
    pub line: u64,
    pub kept: bool,
    /// A kept line whose blank field is one the posting classifies by (HOSPMAIN, TYPEIN,
    /// AETYPE, UCAE).
    pub classifying: bool,
}

/// A visit or an admission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encounter {
    Visit(Box<Visit>),
    Admission(Box<Admission>),
}

impl Encounter {
    pub fn key(&self) -> VisitKey {
        match self {
            Encounter::Visit(v) => VisitKey::op(v.opd.hn.as_str(), v.opd.seq.as_str()),
            Encounter::Admission(a) => VisitKey::ip(a.ipd.an.as_str()),
        }
    }
    pub fn hn(&self) -> &Hn {
        match self {
            Encounter::Visit(v) => &v.opd.hn,
            Encounter::Admission(a) => &a.ipd.hn,
        }
    }
    pub fn patient(&self) -> &PatRecord {
        match self {
            Encounter::Visit(v) => &v.patient,
            Encounter::Admission(a) => &a.patient,
        }
    }
    pub fn right(&self) -> &InsRecord {
        match self {
            Encounter::Visit(v) => &v.right,
            Encounter::Admission(a) => &a.right,
        }
    }
    pub fn bills(&self) -> &[ChtRecord] {
        match self {
            Encounter::Visit(v) => &v.bills,
            Encounter::Admission(a) => &a.bills,
        }
    }
    pub fn charges(&self) -> &[ChaRecord] {
        match self {
            Encounter::Visit(v) => &v.charges,
            Encounter::Admission(a) => &a.charges,
        }
    }
    pub fn drugs(&self) -> &[DruRecord] {
        match self {
            Encounter::Visit(v) => &v.drugs,
            Encounter::Admission(a) => &a.drugs,
        }
    }
    pub fn items(&self) -> &[AdpRecord] {
        match self {
            Encounter::Visit(v) => &v.items,
            Encounter::Admission(a) => &a.items,
        }
    }
    pub fn accidents(&self) -> &[AerRecord] {
        match self {
            Encounter::Visit(v) => &v.accidents,
            Encounter::Admission(a) => &a.accidents,
        }
    }

    /// Σ CHT.TOTAL (Σ CHA.AMOUNT may differ: the Data Audit's CHG01).
    pub fn total(&self) -> Satang {
        self.bills().iter().map(|b| b.total).sum()
    }
    /// Σ CHT.PAID.
    pub fn paid(&self) -> Satang {
        self.bills().iter().map(|b| b.paid).sum()
    }
    /// Charges summed per CHRGITEM, in code order.
    pub fn charges_by_item(&self) -> BTreeMap<ChargeItem, Satang> {
        let mut m = BTreeMap::new();
        for c in self.charges() {
            *m.entry(c.chrgitem).or_insert(Satang::ZERO) += c.amount;
        }
        m
    }
    /// Σ of claimable charges (CHRGITEM second digit 1).
    pub fn claimable(&self) -> Satang {
        self.charges()
            .iter()
            .filter(|c| c.chrgitem.claimable)
            .map(|c| c.amount)
            .sum()
    }
    /// The lines refused while the encounter was kept (see [`RefusedLine`]).
    pub fn refused(&self) -> &[RefusedLine] {
        match self {
            Encounter::Visit(v) => &v.refused,
            Encounter::Admission(a) => &a.refused,
        }
    }
    /// The Authen code in INS.PERMITNO, if any.
    pub fn authen_code(&self) -> Option<&str> {
        self.right().authen_code()
    }
}
