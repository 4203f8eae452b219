//! The generator's random streams and its per-patient draws: the patient, the right of an
//! encounter, a dispensed drug.

use chrono::Duration;
use raidai_domain::ids::{An, Cid, Hn, Vn};
use raidai_domain::money::Satang;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::lists::*;
use super::{
    Drug, Gen, GenConfig, GenPatient, Payer, RIGHT_MIX, RightKind, STREAM_ENCOUNTER,
    STREAM_PATIENT, Where, code, num, one, pick,
};
use crate::kind::HeaderSet;
use crate::records::*;

impl<'a> Gen<'a> {
    pub(super) fn new(cfg: &'a GenConfig) -> Gen<'a> {
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

    pub(super) fn encounter_rng(&self, e: usize) -> ChaCha8Rng {
        self.rng(STREAM_ENCOUNTER + e as u64)
    }

    /// The patient of encounter `e` (its stream's first draw).
    pub(super) fn patient_of(&self, e: usize) -> usize {
        self.encounter_rng(e).random_range(0..self.patients)
    }

    pub(super) fn patient(&self, i: usize) -> GenPatient {
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

    pub(super) fn payer(&self, r: &mut ChaCha8Rng, p: &GenPatient) -> Payer {
        match r.random_range(0..100) {
            0..4 => Payer::SelfPay,
            4..6 => Payer::Prb,
            _ => Payer::Right(p.right),
        }
    }

    pub(super) fn right(
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

    pub(super) fn drug(
        &self,
        r: &mut ChaCha8Rng,
        p: &GenPatient,
        d: &Drug,
        at: &Where<'_>,
    ) -> DruRecord {
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
}
