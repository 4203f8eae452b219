//! Which line of the posting map a visit belongs to: fund, setting, place and case.
//!
//! The rules, each a default to be confirmed with the provincial office [I]:
//!
//! * **Fund**: the fund of INS.INSCL (`raidai_domain::rights::main_right`), except that a visit
//!   with an AER line whose AETYPE is `V` (road-traffic act) or `B` (both acts) is posted to
//!   **PRB** (พ.ร.บ.): the act's insurer pays first (DOMAIN §3.2, A9/AETYPE V). INSCL `INS`
//!   maps to PRB directly, `CSH` to SELF (self-pay).
//! * **Setting**: OPD visit → OP, IPD admission → IP.
//! * **Place** (relative to the serving unit):
//!   * SSS: `network` when HOSPMAIN is the serving unit itself or the hospital of its CUP (the
//!     insured person's main hospital network), else `non_network`; blank HOSPMAIN counts as
//!     the serving unit's own.
//!   * every other fund: `in_cup` when HOSPMAIN is blank, is the serving unit, or belongs to the
//!     same CUP (same `cup_hcode` in the units table); `out_cup_prov` when HOSPMAIN is another
//!     unit of the same province; `out_cup_other` otherwise (a unit of another province; units
//!     outside MoPH cannot be told apart from the files and are treated the same).
//!
//!   Funds whose map lines use `any` ignore the place (the map lookup falls back to `any`).
//! * **Case**:
//!   * PRB and SELF: `normal`.
//!   * STP (บุคคลที่มีปัญหาสถานะและสิทธิ): `central` for every admission and for an OP visit of a
//!     patient registered in another province: the chart's only STP IP receivable is the one
//!     billed to the central fund (1102050101.704), and STP OP outside the province has no
//!     in-province account (1102050101.701/.702), so it is billed centrally too (.703). [I]
//!   * IP, SSS, with AER UCAE `A` (accident) or `E` (emergency): `h72` (SSS emergency, first
//!     72 hours).
//!   * OP refer-in from outside the CUP: `refer`, when ORF has REFERTYPE 1 (รับส่งต่อ), or OPD
//!     TYPEIN is 3 (รับส่งต่อ), or AER UCAE is `1`/`0` (OP refer in/cross province), and the
//!     place is not `in_cup` (a refer inside the CUP is paid like any in-CUP visit).
//!   * OP prevention and promotion: `pp` when the principal diagnosis (DXTYPE 1, else the first
//!     diagnosis) is a Z-code of health checks, screening, immunisation, contraception or
//!     antenatal care: Z00–Z13, Z23–Z30, Z32–Z36, Z39.
//!   * otherwise `normal`. `cr` (central reimbursement) and `central` lines stay in the map for
//!     manual posting: the 16 files do not say which items the central fund pays.
//!
//!   A case without its own map line falls back to the normal line of the same place
//!   (`post_visit`).

use raidai_domain::accounts::{Case, Place, Setting};
use raidai_domain::posting::{Bill, VisitClass};
use raidai_domain::rights::Fund;
use raidai_formats::Encounter;
use raidai_store::claims::UnitPlaces;
use std::collections::HashMap;

/// The serving unit and its province, as the place rule needs them.
#[derive(Debug, Clone)]
pub struct Places {
    pub hcode: String,
    pub cup_hcode: String,
    pub province_code: String,
    /// hcode → cup_hcode of every unit in the province.
    pub province_units: HashMap<String, String>,
}

impl From<UnitPlaces> for Places {
    fn from(u: UnitPlaces) -> Places {
        Places {
            hcode: u.hcode,
            cup_hcode: u.cup_hcode,
            province_code: u.province_code,
            province_units: u.province_units,
        }
    }
}

impl Places {
    fn place(&self, fund: Fund, hospmain: &str) -> Place {
        let own = hospmain.is_empty() || hospmain == self.hcode;
        if fund == Fund::Sss {
            return if own || hospmain == self.cup_hcode {
                Place::Network
            } else {
                Place::NonNetwork
            };
        }
        if own || hospmain == self.cup_hcode {
            return Place::InCup;
        }
        match self.province_units.get(hospmain) {
            Some(cup) if *cup == self.cup_hcode => Place::InCup,
            Some(_) => Place::OutCupProv,
            None => Place::OutCupOther,
        }
    }
}

fn is_pp_diagnosis(code: &str) -> bool {
    let c = code.as_bytes();
    if c.len() < 3 || c[0] != b'Z' || !c[1].is_ascii_digit() || !c[2].is_ascii_digit() {
        return false;
    }
    let n = (c[1] - b'0') * 10 + (c[2] - b'0');
    matches!(n, 0..=13 | 23..=30 | 32..=36 | 39)
}

/// The principal diagnosis: DXTYPE 1, else the first diagnosis, else blank.
pub fn principal_diagnosis(e: &Encounter) -> &str {
    match e {
        Encounter::Visit(v) => v
            .diagnoses
            .iter()
            .find(|d| d.dxtype.code() == "1")
            .or(v.diagnoses.first())
            .map(|d| d.diag.as_str())
            .unwrap_or(""),
        Encounter::Admission(a) => a
            .diagnoses
            .iter()
            .find(|d| d.dxtype.code() == "1")
            .or(a.diagnoses.first())
            .map(|d| d.diag.as_str())
            .unwrap_or(""),
    }
}

/// Classifies an encounter for the posting map (rules in the module documentation).
pub fn classify(e: &Encounter, places: &Places) -> VisitClass {
    let right = e.right();
    let accidents = e.accidents();
    let road_act = accidents
        .iter()
        .any(|a| a.aetype.is_some_and(|t| matches!(t.code(), "V" | "B")));
    // A right the table does not know has no fund: classified as self-pay here, and the
    // row leaves it unposted without a fund (`row::encounter_row`).
    let fund = if road_act {
        Fund::Prb
    } else {
        right.inscl.right().map_or(Fund::SelfPay, |r| r.fund)
    };
    let setting = match e {
        Encounter::Visit(_) => Setting::Op,
        Encounter::Admission(_) => Setting::Ip,
    };
    let hospmain = right.hospmain.as_ref().map(|h| h.as_str()).unwrap_or("");
    let place = places.place(fund, hospmain);
    let ucae = |codes: &[&str]| {
        accidents
            .iter()
            .any(|a| a.ucae.is_some_and(|u| codes.contains(&u.code())))
    };
    let case = match (fund, e) {
        (Fund::Prb | Fund::SelfPay, _) => Case::Normal,
        (Fund::Stp, Encounter::Admission(_)) => Case::Central,
        (Fund::Stp, Encounter::Visit(_)) if place == Place::OutCupOther => Case::Central,
        (Fund::Sss, Encounter::Admission(_)) if ucae(&["A", "E"]) => Case::H72,
        (_, Encounter::Admission(_)) => Case::Normal,
        (_, Encounter::Visit(v)) => {
            let refer_in = v.refers.iter().any(|r| r.refertype.code() == "1")
                || v.opd.typein.is_some_and(|t| t.code() == "3")
                || ucae(&["1", "0"]);
            if refer_in && place != Place::InCup && place != Place::Network {
                Case::Refer
            } else if is_pp_diagnosis(principal_diagnosis(e)) {
                Case::Pp
            } else {
                Case::Normal
            }
        }
    };
    VisitClass {
        fund,
        setting,
        place,
        case,
    }
}

/// The bill: Σ CHT.TOTAL, Σ CHT.PAID and the claimable charges (CHA categories `…1`).
pub fn bill_of(e: &Encounter) -> Bill {
    Bill {
        total: e.total(),
        paid: e.paid(),
        claimable_charges: e.claimable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        let mut m = HashMap::new();
        for (h, c) in [
            ("99001", "99001"),
            ("99011", "99001"),
            ("99002", "99002"),
            ("99021", "99002"),
        ] {
            m.insert(h.to_string(), c.to_string());
        }
        Places {
            hcode: "99011".into(),
            cup_hcode: "99001".into(),
            province_code: "99".into(),
            province_units: m,
        }
    }

    #[test]
    fn place_rule() {
        let p = places();
        assert_eq!(p.place(Fund::Uc, ""), Place::InCup);
        assert_eq!(p.place(Fund::Uc, "99011"), Place::InCup);
        assert_eq!(p.place(Fund::Uc, "99001"), Place::InCup);
        assert_eq!(p.place(Fund::Uc, "99021"), Place::OutCupProv);
        assert_eq!(p.place(Fund::Uc, "10670"), Place::OutCupOther);
        assert_eq!(p.place(Fund::Sss, "99001"), Place::Network);
        assert_eq!(p.place(Fund::Sss, "99002"), Place::NonNetwork);
    }

    /// Every (fund, setting, place, case) the rules above can produce, written out from them.
    fn producible() -> Vec<VisitClass> {
        let mut out = Vec::new();
        for fund in Fund::ALL.iter().copied() {
            let places: &[Place] = if fund == Fund::Sss {
                &[Place::Network, Place::NonNetwork]
            } else {
                &[Place::InCup, Place::OutCupProv, Place::OutCupOther]
            };
            for &place in places {
                let mut add = |setting, case| {
                    out.push(VisitClass {
                        fund,
                        setting,
                        place,
                        case,
                    })
                };
                match fund {
                    Fund::Prb | Fund::SelfPay => {
                        add(Setting::Op, Case::Normal);
                        add(Setting::Ip, Case::Normal);
                    }
                    Fund::Stp => {
                        add(Setting::Ip, Case::Central);
                        if place == Place::OutCupOther {
                            add(Setting::Op, Case::Central);
                        } else {
                            for c in [Case::Normal, Case::Pp, Case::Refer] {
                                add(Setting::Op, c);
                            }
                        }
                    }
                    _ => {
                        add(Setting::Ip, Case::Normal);
                        if fund == Fund::Sss {
                            add(Setting::Ip, Case::H72);
                        }
                        for c in [Case::Normal, Case::Pp, Case::Refer] {
                            add(Setting::Op, c);
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_class_the_rules_produce_posts_with_the_default_map() {
        let map = raidai_domain::accounts::default_posting_map();
        let bill = Bill {
            total: raidai_domain::money::Satang(10_000),
            paid: raidai_domain::money::Satang(0),
            claimable_charges: raidai_domain::money::Satang(10_000),
        };
        let classes = producible();
        assert!(classes.len() > 60);
        let unposted: Vec<String> = classes
            .iter()
            .filter(|c| raidai_domain::posting::post_visit(&map, **c, &bill).is_err())
            .map(|c| format!("{:?}", c))
            .collect();
        assert!(unposted.is_empty(), "no map line for {unposted:#?}");
    }

    #[test]
    fn pp_codes() {
        for c in ["Z000", "Z131", "Z235", "Z300", "Z348", "Z390"] {
            assert!(is_pp_diagnosis(c), "{c}");
        }
        for c in ["Z14", "Z31", "Z37", "I10", "Z", ""] {
            assert!(!is_pp_diagnosis(c), "{c}");
        }
    }
}
