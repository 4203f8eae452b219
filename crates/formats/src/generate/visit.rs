//! One outpatient visit: OPD with its ORF, ODX, OOP, CHT, CHA, ADP, AER, DRU and LAB records.

use chrono::{Duration, NaiveTime};
use raidai_domain::ids::Hcode;
use raidai_domain::money::Satang;
use rand::Rng;

use super::lists::*;
use super::{
    BillOf, Charges, Gen, Payer, RightKind, WORK_SECONDS, Where, bill, code, hhmm, num, one, pick,
    vn_of,
};
use crate::kind::HeaderSet;
use crate::records::*;
use crate::visit::{Encounter, Visit};

impl Gen<'_> {
    pub(super) fn visit(&self, j: usize) -> (Encounter, usize) {
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
            charges.add_drug(&dru, d.5);
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
        let (bills, charges) = bill(
            &p.rec.hn,
            BillOf::Visit(&seq),
            date,
            &person,
            payer,
            charges,
            fdh,
        );
        let opd = OpdRecord {
            hn: p.rec.hn.clone(),
            clinic: Some(clinic),
            dateopd: date,
            timeopd: Some(time),
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
            refused: Vec::new(),
        };
        (Encounter::Visit(Box::new(visit)), pi)
    }
}
