//! An encounter as a stored row: patient, right, classification, bill, posting and a compact
//! JSON detail (diagnoses, procedures, refers, charges, drugs, items, accidents, labs, leaves).

use crate::classify::{Places, bill_of, classify, principal_diagnosis};
use crate::{Maps, hex};
use raidai_domain::accounts::{Case, Place, Setting};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::money::Satang;
use raidai_domain::periods::{fiscal_year_of, recognition_date, ymd};
use raidai_domain::posting::{Bill, Unposted, VisitClass, post_visit};
use raidai_domain::rights::Fund;
use raidai_formats::Encounter;
use raidai_formats::FileKind;
use raidai_formats::records::PatRecord;
use raidai_store::claims::{IN_HOSPITAL, NO_MAPPING, PostLine, REFUSED_LINE, VisitFacts, VisitRow};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The stored key of an encounter: `O<hn>/<seq>` or `I<an>`.
pub fn vkey(e: &Encounter) -> String {
    match e {
        Encounter::Visit(v) => format!("O{}/{}", v.opd.hn.as_str(), v.opd.seq.as_str()),
        Encounter::Admission(a) => format!("I{}", a.ipd.an.as_str()),
    }
}

pub use raidai_domain::ids::{mask_cid, mask_name};

fn patient_name(p: &PatRecord) -> String {
    let parts = [p.title.trim(), p.fname.trim(), p.lname.trim()];
    if parts[1].is_empty() && parts[2].is_empty() {
        return p.namepat.trim().to_string();
    }
    parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Serialize)]
pub(crate) struct Detail<'a> {
    /// (ICD-10, DXTYPE)
    pub(crate) dx: Vec<(&'a str, &'static str)>,
    /// ICD-9-CM
    pub(crate) px: Vec<&'a str>,
    /// (REFER, REFERTYPE)
    pub(crate) refer: Vec<(&'a str, &'static str)>,
    /// (CHRGITEM, satang)
    pub(crate) cha: Vec<(String, i64)>,
    /// (DID, name, quantity, total satang)
    pub(crate) dru: Vec<(&'a str, &'a str, &'a str, i64)>,
    /// (TYPE, CODE, QTY, RATE satang)
    pub(crate) adp: Vec<(&'a str, &'a str, &'a str, i64)>,
    /// (AETYPE, UCAE, AUTHAE)
    pub(crate) aer: Vec<(&'static str, &'static str, &'a str)>,
    /// (LABTEST, result)
    pub(crate) lab: Vec<(&'static str, &'a str)>,
    /// (date out, date in)
    pub(crate) lvd: Vec<(i64, i64)>,
    /// CHT invoice numbers
    pub(crate) inv: Vec<&'a str>,
    /// Detail lines refused at import and left out, (file, line); absent when none (like
    /// `blanked`), so the content hash of a complete visit is what it was before these existed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) dropped: Vec<(&'static str, u64)>,
    /// Lines kept with an optional field read as blank, (file, line).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) blanked: Vec<(&'static str, u64)>,
}

/// The refused lines of `e` that were kept (`kept`) or left out, as (file, line).
fn refused(e: &Encounter, kept: bool) -> Vec<(&'static str, u64)> {
    e.refused()
        .iter()
        .filter(|r| r.kept == kept)
        .map(|r| (r.file.code(), r.line))
        .collect()
}

/// The detail of an encounter that is stored as `detail_json` (and that the audit reads).
pub(crate) fn detail(e: &Encounter) -> Detail<'_> {
    let mut d = Detail {
        dx: Vec::new(),
        px: Vec::new(),
        refer: Vec::new(),
        cha: e
            .charges()
            .iter()
            .map(|c| (c.chrgitem.code(), c.amount.0))
            .collect(),
        dru: e
            .drugs()
            .iter()
            .map(|r| {
                (
                    r.did.as_str(),
                    r.didname.as_str(),
                    r.amount.as_str(),
                    r.total.map(|t| t.0).unwrap_or(0),
                )
            })
            .collect(),
        adp: e
            .items()
            .iter()
            .map(|r| {
                (
                    r.item_type.as_str(),
                    r.code.as_str(),
                    r.qty.as_str(),
                    r.rate.0,
                )
            })
            .collect(),
        aer: e
            .accidents()
            .iter()
            .map(|a| {
                (
                    a.aetype.map(|t| t.code()).unwrap_or(""),
                    a.ucae.map(|t| t.code()).unwrap_or(""),
                    a.authae.as_str(),
                )
            })
            .collect(),
        lab: Vec::new(),
        lvd: Vec::new(),
        inv: e
            .bills()
            .iter()
            .map(|b| b.invoice_no.as_str())
            .filter(|s| !s.is_empty())
            .collect(),
        dropped: refused(e, false),
        blanked: refused(e, true),
    };
    match e {
        Encounter::Visit(v) => {
            d.dx = v
                .diagnoses
                .iter()
                .map(|x| (x.diag.as_str(), x.dxtype.code()))
                .collect();
            d.px = v.procedures.iter().map(|x| x.oper.as_str()).collect();
            d.refer = v
                .refers
                .iter()
                .map(|x| (x.refer.as_str(), x.refertype.code()))
                .collect();
            d.lab = v
                .labs
                .iter()
                .map(|x| (x.labtest.code(), x.labresult.as_str()))
                .collect();
        }
        Encounter::Admission(a) => {
            d.dx = a
                .diagnoses
                .iter()
                .map(|x| (x.diag.as_str(), x.dxtype.code()))
                .collect();
            d.px = a.procedures.iter().map(|x| x.oper.as_str()).collect();
            d.refer = a
                .refers
                .iter()
                .map(|x| (x.refer.as_str(), x.refertype.code()))
                .collect();
            d.lvd = a
                .leaves
                .iter()
                .map(|x| (ymd(x.dateout), ymd(x.datein)))
                .collect();
        }
    }
    d
}

/// Builds the stored row of an encounter: classification, bill, posting (or the reason it is
/// unposted), detail and content hash.
pub fn encounter_row(e: &Encounter, places: &Places, maps: &Maps) -> VisitRow {
    let class = classify(e, places);
    let unknown_right = e.right().inscl.right().is_none() && class.fund == Fund::SelfPay;
    let bill = bill_of(e);
    let (setting, seq, an, date_serv, date_dsc, clinic) = match e {
        Encounter::Visit(v) => (
            "OP",
            v.opd.seq.as_str().to_string(),
            String::new(),
            v.opd.dateopd,
            ymd(v.opd.dateopd),
            v.opd
                .clinic
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
        ),
        Encounter::Admission(a) => (
            "IP",
            String::new(),
            a.ipd.an.as_str().to_string(),
            a.ipd.dateadm,
            a.ipd.datedsc.map(ymd).unwrap_or(0),
            a.ipd.dept.clone(),
        ),
    };
    // The receivable belongs to the fiscal year of its recognition (discharge for IP); an
    // admission still in hospital is listed under its admission's year until then.
    let recognised = recognition_date(setting == "IP", ymd(date_serv), date_dsc);
    let fy = match recognised {
        0 => i64::from(FiscalYear::of(date_serv).be()),
        d => fiscal_year_of(d),
    };
    let (fund_part, patient_part) = bill.split(class.fund);
    let patient = e.patient();
    let right = e.right();
    let cid = patient
        .person_id
        .as_ref()
        .or(right.cid.as_ref())
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let detail_json = serde_json::to_string(&detail(e)).unwrap_or_else(|_| "{}".into());
    let mut row = VisitRow {
        visit: raidai_store::claims::VisitRef {
            vkey: vkey(e),
            setting: setting.into(),
            hn: e.hn().as_str().to_string(),
            seq,
            an,
            date_serv: ymd(date_serv),
            date_dsc,
        },
        recognised,
        facts: VisitFacts {
            fy,
            clinic,
            pdx: principal_diagnosis(e).to_string(),
            cid: cid.into(),
            patient_name: patient_name(patient).into(),
            sex: patient.sex.map(|s| s.code()).unwrap_or("").to_string(),
            dob: patient.dob.map(ymd).unwrap_or(0),
            inscl: right.inscl.as_str().to_string(),
            subtype: right.subtype.clone(),
            hospmain: right
                .hospmain
                .as_ref()
                .map(|h| h.as_str().to_string())
                .unwrap_or_default(),
            permitno: right.permitno.clone(),
            fund: if unknown_right {
                String::new()
            } else {
                class.fund.code().into()
            },
            place: class.place.code().into(),
            case: class.case.code().into(),
            total: bill.total.0,
            paid: bill.paid.0,
            claimable: bill.claimable_charges.0,
            fund_amount: fund_part.0,
            patient_amount: patient_part.0,
            posted: false,
            unposted_reason: String::new(),
            receivable: String::new(),
        },
        content_hash: String::new(),
        detail_json,
        lines: Vec::new(),
        findings: Vec::new(),
    };
    // Charges, accidents, refers and diagnoses decide the fund's share and the accounts, and
    // HOSPMAIN, TYPEIN, AETYPE and UCAE the class: a visit refused one of those lines, or with
    // one of those fields read as blank, waits, listed, for the corrected file. A right no table knows
    // has no fund and no map line (RIGHT01 says what to fix).
    let refused = e.refused().iter().any(|r| {
        r.classifying
            || !r.kept
                && matches!(
                    r.file,
                    FileKind::Cha
                        | FileKind::Aer
                        | FileKind::Orf
                        | FileKind::Irf
                        | FileKind::Odx
                        | FileKind::Idx
                )
    });
    let hold = if unknown_right {
        Some(NO_MAPPING)
    } else {
        refused.then_some(REFUSED_LINE)
    };
    post_row(&mut row, class, &bill, maps, hold);
    row
}

/// Posts a row with the map in force for its fiscal year (or says why it stays unposted),
/// then seals it with its content hash. An admission still in hospital is not posted, nor a
/// visit held for a reason (`hold`).
fn post_row(
    row: &mut VisitRow,
    class: VisitClass,
    bill: &Bill,
    maps: &Maps,
    hold: Option<&'static str>,
) {
    let (lines, posted, reason) = if row.recognised == 0 {
        (Vec::new(), false, IN_HOSPITAL)
    } else if let Some(reason) = hold {
        (Vec::new(), false, reason)
    } else {
        match post_visit(maps.for_fy(row.facts.fy), class, bill) {
            Ok(lines) => (lines, true, ""),
            Err(Unposted::NoMapping) => (Vec::new(), false, NO_MAPPING),
        }
    };
    row.facts.receivable = if row.facts.fund_amount != 0 {
        lines
            .first()
            .map(|l| l.account.as_str().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    row.facts.posted = posted;
    row.facts.unposted_reason = reason.to_string();
    row.lines = lines
        .iter()
        .map(|l| PostLine {
            account: l.account.as_str().to_string(),
            fund: l.fund.code().to_string(),
            debit: l.debit.0,
            credit: l.credit.0,
        })
        .collect();
    row.content_hash = content_hash(row);
}

/// A stored visit waiting for a posting-map line, posted again with the map now in force.
/// Returns `None` when it still has no line (or its stored class is not readable).
pub fn repost_row(mut row: VisitRow, maps: &Maps) -> Option<VisitRow> {
    let class = VisitClass {
        fund: Fund::parse(&row.facts.fund)?,
        setting: Setting::parse(&row.visit.setting)?,
        place: Place::parse(&row.facts.place)?,
        case: Case::parse(&row.facts.case)?,
    };
    let bill = Bill {
        total: Satang(row.facts.total),
        paid: Satang(row.facts.paid),
        claimable_charges: Satang(row.facts.claimable),
    };
    post_row(&mut row, class, &bill, maps, None);
    row.facts.posted.then_some(row)
}

/// The detail as the content hash sees it: the numbers of refused lines left out (a line added
/// above them in the file moves them; the visit is the same).
fn hashed_detail(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.contains("\"dropped\"") && !json.contains("\"blanked\"") {
        return json.into();
    }
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.into();
    };
    for key in ["dropped", "blanked"] {
        if let Some(lines) = v.get_mut(key).and_then(|l| l.as_array_mut()) {
            for l in lines.iter_mut().filter_map(|l| l.as_array_mut()) {
                l.truncate(1);
            }
        }
    }
    v.to_string().into()
}

/// SHA-256 over everything stored for the visit, including its posting: a changed file line or
/// a changed posting map both make the visit "changed".
fn content_hash(r: &VisitRow) -> String {
    let detail = hashed_detail(&r.detail_json);
    let mut h = Sha256::new();
    for s in [
        &r.visit.vkey,
        &r.visit.setting,
        &r.visit.hn,
        &r.visit.seq,
        &r.visit.an,
        &r.facts.clinic,
        &r.facts.pdx,
        r.facts.cid.as_str(),
        r.facts.patient_name.as_str(),
        &r.facts.sex,
        &r.facts.inscl,
        &r.facts.subtype,
        &r.facts.hospmain,
        &r.facts.permitno,
        &r.facts.fund,
        &r.facts.place,
        &r.facts.case,
        &r.facts.unposted_reason,
        &r.facts.receivable,
        detail.as_ref(),
    ] {
        h.update(s.as_bytes());
        h.update([0x1f]);
    }
    for n in [
        r.visit.date_serv,
        r.visit.date_dsc,
        r.facts.dob,
        r.facts.total,
        r.facts.paid,
        r.facts.claimable,
        r.facts.fund_amount,
        r.facts.patient_amount,
    ] {
        h.update(n.to_le_bytes());
    }
    for l in &r.lines {
        h.update(l.account.as_bytes());
        h.update(l.fund.as_bytes());
        h.update(l.debit.to_le_bytes());
        h.update(l.credit.to_le_bytes());
    }
    hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_line_numbers_do_not_change_the_hash() {
        let with = |dropped: &str| {
            hashed_detail(&format!(
                r#"{{"dx":[],"cha":[["11",100]],"dropped":[{dropped}],"blanked":[["OPD",4]]}}"#
            ))
            .into_owned()
        };
        assert_eq!(with(r#"["DRU",12]"#), with(r#"["DRU",13]"#));
        assert_ne!(with(r#"["DRU",12]"#), with(r#"["CHA",12]"#));
        assert!(
            !with(r#"["DRU",12]"#).contains('4'),
            "{}",
            with(r#"["DRU",12]"#)
        );
        let plain = r#"{"dx":[],"cha":[["11",100]]}"#;
        assert!(matches!(hashed_detail(plain), std::borrow::Cow::Borrowed(p) if p == plain));
    }

    #[test]
    fn masks() {
        assert_eq!(mask_name("นาย สมชาย ใจดี"), "น** ส**** ใ***");
        assert_eq!(mask_cid("1234567890121"), "1-2345-xxxxx-xx-1");
        assert_eq!(mask_cid("AB1234567"), "ABxxxxx67");
    }
}
