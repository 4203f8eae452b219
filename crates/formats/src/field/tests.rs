use super::*;

fn p<T: Field>(s: &str) -> Result<T, RejectCode> {
    T::parse(s).map_err(|e| e.code)
}

#[test]
fn dates_are_yyyymmdd_ce_or_be() {
    let day = NaiveDate::from_ymd_opt(2026, 7, 19).unwrap();
    assert_eq!(p::<NaiveDate>("20260719"), Ok(day));
    // A year above 2400 can only be BE: read as the same day.
    assert_eq!(p::<NaiveDate>("25690719"), Ok(day));
    assert_eq!(p::<NaiveDate>("25690230"), Err(RejectCode::BadDate));
    assert_eq!(p::<NaiveDate>("17990719"), Err(RejectCode::BadDate));
    // Other forms some HIS exports write, when the day is certain.
    assert_eq!(p::<NaiveDate>("2026-07-19"), Ok(day));
    assert_eq!(p::<NaiveDate>("19/07/2569"), Ok(day));
    // With a CE year the slash form may be M/D/YYYY: refused, not guessed.
    assert_eq!(p::<NaiveDate>("19/07/2026"), Err(RejectCode::BadDate));
    assert_eq!(p::<NaiveDate>("07/08/2026"), Err(RejectCode::BadDate));
    assert_eq!(p::<NaiveDate>("20260230"), Err(RejectCode::BadDate));
    assert_eq!(p::<NaiveDate>("20261319"), Err(RejectCode::BadDate));
    for bad in ["2026719", "+1+1", "19.07.2026", "2026/07/19", "07/2026", ""] {
        assert_eq!(p::<NaiveDate>(bad), Err(RejectCode::BadDate), "{bad}");
    }
    let mut s = String::new();
    NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().write(&mut s);
    assert_eq!(s, "20260102");
}

#[test]
fn times_are_hhmm() {
    let t = NaiveTime::from_hms_opt(17, 5, 0).unwrap();
    assert_eq!(p::<NaiveTime>("1705"), Ok(t));
    assert_eq!(p::<NaiveTime>("17:05"), Ok(t));
    assert_eq!(p::<NaiveTime>("17:05:42"), Ok(t), "seconds dropped");
    assert_eq!(p::<NaiveTime>("2460"), Err(RejectCode::BadTime));
    assert_eq!(p::<NaiveTime>("17:5"), Err(RejectCode::BadTime));
    assert_eq!(p::<NaiveTime>("5pm"), Err(RejectCode::BadTime));
    // Six bare digits may be a date in the wrong column.
    assert_eq!(p::<NaiveTime>("200719"), Err(RejectCode::BadTime));
    let mut s = String::new();
    NaiveTime::from_hms_opt(7, 5, 0).unwrap().write(&mut s);
    assert_eq!(s, "0705");
}

#[test]
fn amounts() {
    assert_eq!(p::<Satang>("4615.00"), Ok(Satang(461_500)));
    // Thousands grouped by an exporter's FORMAT(): read when every group has three digits.
    assert_eq!(p::<Satang>("1,234.00"), Ok(Satang(123_400)));
    assert_eq!(p::<Satang>("-12,345,678.5"), Ok(Satang(-1_234_567_850)));
    for bad in [
        "1,23.00",
        "12,3456",
        ",123",
        "1,,234",
        "1234,567",
        "1.234,00",
        "1.2,5",
        "1,234.5,0",
    ] {
        assert_eq!(p::<Satang>(bad), Err(RejectCode::BadAmount), "{bad}");
    }
    assert_eq!(p::<Satang>("12.345"), Err(RejectCode::BadAmount));
    assert_eq!(p::<Satang>("abc"), Err(RejectCode::BadAmount));
}

#[test]
fn person_ids() {
    assert!(matches!(
        p::<PersonId>("1234567890121"),
        Ok(PersonId::Cid(_))
    ));
    assert!(matches!(
        p::<PersonId>("1234567890122"),
        Ok(PersonId::Other(_))
    ));
    assert_eq!(p::<PersonId>("123456789012"), Err(RejectCode::BadCid));
    assert!(matches!(p::<PersonId>("MA1234567"), Ok(PersonId::Other(_))));
}

#[test]
fn code_sets_and_shapes() {
    assert!(p::<Clinic>("00100").is_ok());
    assert!(p::<Clinic>("10100").is_ok());
    assert!(p::<Clinic>("00012").is_ok());
    assert!(p::<Clinic>("20100").is_ok());
    assert!(!clinic_known("20100") && !clinic_known("05000") && clinic_known("00100"));
    // A malformed or missing clinic is kept for the Data Audit (CLN01); only a value that cannot
    // be a clinic at all (a shifted column, a control character) is refused.
    for odd in ["0010", "1", "ZZ999", "00100A"] {
        assert!(p::<Clinic>(odd).is_ok() && !clinic_known(odd), "{odd}");
    }
    assert_eq!(
        p::<Clinic>("อายุรกรรม ห้องตรวจที่ 3 ชั้น 2"),
        Err(RejectCode::BadCode)
    );
    assert_eq!(p::<Clinic>("001\u{7}0"), Err(RejectCode::BadCode));
    assert_eq!(p::<Clinic>("=1+1"), Err(RejectCode::BadCode));
    assert!(p::<Clinic>("04500").is_ok() && !clinic_known("04500"));
    assert!(p::<Icd10>("A415").is_ok());
    // Written with the dot or in small letters: the same code, kept without the dot.
    assert_eq!(
        p::<Icd10>("A41.5").map(|c| c.to_string()),
        Ok("A415".into())
    );
    assert_eq!(
        p::<Icd10>("e11.9").map(|c| c.to_string()),
        Ok("E119".into())
    );
    assert_eq!(
        p::<Icd9cm>("87.44").map(|c| c.to_string()),
        Ok("8744".into())
    );
    assert_eq!(p::<Icd10>("11.9E"), Err(RejectCode::BadCode));
    // A dot where the code has none is a damaged code: `4.43` is 04.43 without its zero.
    for bad in ["E1.19", "E11.", "E11.9.1"] {
        assert_eq!(p::<Icd10>(bad), Err(RejectCode::BadCode), "{bad}");
    }
    for bad in ["4.43", "874.4", "8.7.4.4"] {
        assert_eq!(p::<Icd9cm>(bad), Err(RejectCode::BadCode), "{bad}");
    }
    assert_eq!(p::<Icd10>("E1"), Err(RejectCode::BadCode));
    assert_eq!(p::<DxType>("6"), Err(RejectCode::BadCode));
    assert_eq!(p::<Discht>("6"), Err(RejectCode::BadCode));
    assert!(p::<Discht>("9").is_ok());
    assert_eq!(
        p::<Inscl>("UCS").map(|i| i.right().map(|r| r.code)),
        Ok(Some("UCS"))
    );
    // A code the table does not know is kept (RIGHT01); one that cannot be a code is refused.
    assert_eq!(p::<Inscl>("XYZ").map(|i| i.right().is_none()), Ok(true));
    assert_eq!(p::<Inscl>("UC/OFC"), Err(RejectCode::UnknownRight));
    // Small letters are the same right; an alias is kept as written.
    assert_eq!(
        p::<Inscl>("ucs").map(|i| i.as_str().to_string()),
        Ok("UCS".into())
    );
    let nrd = p::<Inscl>("NRD").unwrap();
    assert_eq!(
        (nrd.as_str(), nrd.right().map(|r| r.code)),
        ("NRD", Some("NRH"))
    );
}

#[test]
fn charge_items() {
    let c = p::<ChargeItem>("31").unwrap();
    assert_eq!(
        (c.category, c.claimable),
        (ChargeCategory::DrugInHospital, true)
    );
    let c = p::<ChargeItem>("B2").unwrap();
    assert_eq!(
        (c.category, c.claimable),
        (ChargeCategory::Procedure, false)
    );
    assert!(p::<ChargeItem>("K1").is_ok());
    assert_eq!(p::<ChargeItem>("K2"), Err(RejectCode::BadCode));
    assert_eq!(p::<ChargeItem>("33"), Err(RejectCode::BadCode));
    assert_eq!(p::<ChargeItem>("L1"), Err(RejectCode::BadCode));
    assert_eq!(p::<ChargeItem>("0"), Err(RejectCode::BadCode));
    assert_eq!(c.code(), "B2");
}
