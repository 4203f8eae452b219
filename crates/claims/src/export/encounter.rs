//! The records of one stored visit or admission, rebuilt from its row and its detail.

use raidai_formats::{Col, FileKind};
use raidai_store::claims::VisitRow;

use super::{Detail, ExportError, Rec, Set, bad, date, money, time_of_visit};

pub(super) fn write_encounter(set: &mut Set, r: &VisitRow, hcode: &str) -> Result<(), ExportError> {
    if r.detail_json.trim().is_empty() {
        return Err(ExportError::MissingDetail {
            vkey: r.visit.vkey.clone(),
        });
    }
    // The error's own text, not serde's message: that may quote the stored value.
    let d: Detail = serde_json::from_str(&r.detail_json).map_err(|e| ExportError::BadDetail {
        vkey: r.visit.vkey.clone(),
        reason: format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })?;
    // Charges that do not add up to the bill (CHG01) are written as stored: such a visit is
    // sent only when the officer includes blocked visits, and the reader keeps it.
    let ip = match r.visit.setting.as_str() {
        "OP" if !r.visit.seq.trim().is_empty() => false,
        "IP" if !r.visit.an.trim().is_empty() => true,
        "OP" => return Err(bad(r, "an OP visit without SEQ")),
        "IP" => return Err(bad(r, "an admission without AN")),
        _ => return Err(bad(r, "setting is neither OP nor IP")),
    };
    let serv =
        date(r.visit.date_serv).ok_or_else(|| bad(r, "the date of service is not a date"))?;
    let dsc = if r.visit.date_dsc == 0 {
        None
    } else {
        Some(date(r.visit.date_dsc).ok_or_else(|| bad(r, "the discharge date is not a date"))?)
    };
    // CHT/CHA date: the discharge (the bill's date) for an admission, while in hospital its
    // admission; the visit's date for OP.
    let bill_date = if ip {
        dsc.clone().unwrap_or_else(|| serv.clone())
    } else {
        serv.clone()
    };
    let (seq, an) = if ip {
        ("", r.visit.an.as_str())
    } else {
        (r.visit.seq.as_str(), "")
    };
    let hn = r.visit.hn.as_str();
    let cid = r.facts.cid.as_str();
    // An OP line's CLINIC; an admission's row keeps its department (2 digits), not a CLINIC.
    let clinic = if ip { "" } else { r.facts.clinic.as_str() };
    // UUC 1 = claim the right, 2 = do not: only a self-pay visit has nothing to claim.
    let uuc = if r.facts.inscl == "CSH" { "2" } else { "1" };
    // Every line of a visit carries HN and SEQ, of an admission HN and AN (§1.3).
    let keyed = || Rec::new().s(Col::HN, hn).s(Col::SEQ, seq).s(Col::AN, an);

    let ins = keyed()
        .s(Col::INSCL, r.facts.inscl.as_str())
        .s(Col::SUBTYPE, r.facts.subtype.as_str())
        .s(Col::CID, cid)
        .s(Col::HCODE, hcode)
        .s(Col::HOSPMAIN, r.facts.hospmain.as_str())
        .s(Col::PERMITNO, r.facts.permitno.as_str());
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
            .s(Col::DEPT, r.facts.clinic.as_str())
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
            .s(Col::TIMEOPD, time_of_visit(seq, r.visit.date_serv))
            .s(Col::SEQ, seq)
            .s(Col::UUC, uuc)
            // Keeps the classification of a refer-in visit (FDH only has TYPEIN).
            .s(Col::TYPEIN, if r.facts.case == "refer" { "3" } else { "" });
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
        .s(Col::TOTAL, money(r.facts.total))
        .s(Col::PAID, money(r.facts.paid))
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
