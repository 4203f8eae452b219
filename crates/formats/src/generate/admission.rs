//! One admission: IPD with its IRF, IDX, IOP, CHT, CHA, DRU and LVD records.

use chrono::{Datelike, Duration, NaiveTime};
use raidai_domain::calendar::BE_OFFSET;
use raidai_domain::ids::{An, Hcode};
use raidai_domain::money::Satang;
use rand::Rng;

use super::lists::*;
use super::{BillOf, Charges, Gen, Payer, RightKind, Where, bill, code, hhmm, num, one, pick};
use crate::kind::HeaderSet;
use crate::records::*;
use crate::visit::{Admission, Encounter};

impl Gen<'_> {
    pub(super) fn admission(&self, k: usize) -> (Encounter, usize) {
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
            charges.add_drug(&dru, d.5);
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
        let (bills, charges) = bill(
            &p.rec.hn,
            BillOf::Admission(&an),
            dsc.date(),
            &person,
            payer,
            charges,
            fdh,
        );
        let ipd = IpdRecord {
            hn: p.rec.hn.clone(),
            an,
            dateadm: adm.date(),
            timeadm: Some(hhmm(adm.time())),
            datedsc: discharged.then(|| dsc.date()),
            timedsc: discharged.then(|| hhmm(dsc.time())),
            // Blank while in hospital, as HIS exports write them (drawn either way, so the
            // rest of the set stays the same).
            dischs: Some(code(
                Dischs::new,
                if r.random_bool(0.8) { "2" } else { "1" },
            ))
            .filter(|_| discharged),
            discht: Some(code(Discht::new, if refers.is_empty() { "1" } else { "4" }))
                .filter(|_| discharged),
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
            refused: Vec::new(),
        };
        (Encounter::Admission(Box::new(adm)), pi)
    }
}
