//! The crate as other crates see it: serialised forms and cross-module agreement.

use raidai_domain::accounts::{self, AccountCode, PostingRule};
use raidai_domain::calendar::{FiscalPeriod, FiscalYear, parse_date};
use raidai_domain::ids::{Cid, Hcode, Hn};
use raidai_domain::money::Satang;
use raidai_domain::rights::{self, Fund};
use serde_json::{from_str, json, to_value};

#[test]
fn serialised_forms() {
    assert_eq!(to_value(Satang(123_450)).unwrap(), json!(123_450));
    assert_eq!(
        to_value(Hcode::parse("03879").unwrap()).unwrap(),
        json!("03879")
    );
    let cid = Cid::parse("1234567890121").unwrap();
    assert_eq!(to_value(cid).unwrap(), json!("1234567890121"));
    assert_eq!(to_value(Hn::parse("0001").unwrap()).unwrap(), json!("0001"));
    assert_eq!(to_value(FiscalYear::new(2569)).unwrap(), json!(2569));
    assert_eq!(
        to_value(FiscalPeriod::from_id(256909).unwrap()).unwrap(),
        json!(256909)
    );
    assert_eq!(to_value(Fund::OtherDirect).unwrap(), json!("OTHER_DIRECT"));
    let code = AccountCode::parse("1102050101.201").unwrap();
    assert_eq!(to_value(code).unwrap(), json!("1102050101.201"));
}

#[test]
fn deserialising_validates() {
    assert!(from_str::<Cid>("\"1234567890121\"").is_ok());
    assert!(from_str::<Cid>("\"1234567890122\"").is_err());
    assert!(from_str::<Hcode>("\"3879\"").is_err());
    assert!(from_str::<Hn>("\"a|b\"").is_err());
    assert!(from_str::<FiscalPeriod>("256913").is_err());
    assert!(from_str::<AccountCode>("\"1102050101201\"").is_err());
    assert_eq!(from_str::<Fund>("\"uc\"").unwrap(), Fund::Uc);
    assert!(from_str::<Fund>("\"UCS\"").is_err());
}

#[test]
fn posting_rules_round_trip_through_json() {
    let map = accounts::default_posting_map();
    let text = serde_json::to_string(&map).unwrap();
    assert!(text.contains(r#""fund":"UC","setting":"OP","place":"in_cup","case":"normal""#));
    let back: Vec<PostingRule> = from_str(&text).unwrap();
    assert_eq!(back, map);
}

#[test]
fn every_main_right_of_a_sub_right_has_a_fund_with_postings() {
    let map = accounts::default_posting_map();
    for s in rights::sub_rights() {
        let fund = s.main_right().unwrap().fund;
        assert!(map.iter().any(|r| r.fund == fund), "{}", s.code);
    }
}

#[test]
fn fiscal_period_of_parsed_be_dates() {
    let d = parse_date("30/09/2569").unwrap();
    assert_eq!(FiscalPeriod::of(d).id(), 256912);
    let d = parse_date("25681001").unwrap();
    assert_eq!(FiscalPeriod::of(d).id(), 256901);
    assert_eq!(FiscalPeriod::of(d).label_th(), "ต.ค. 2568");
}
