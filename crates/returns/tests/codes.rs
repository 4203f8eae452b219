//! The error-code table.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

use raidai_returns::{CodeType, ErrorCodes, Outcome};

#[test]
fn builtin_table_parses_and_holds_the_domain_codes() {
    let t = ErrorCodes::builtin();
    assert!(t.len() >= 40);
    for c in [
        "300", "301", "305", "306", "900", "902", "912", "913", "998", "999",
    ] {
        assert_eq!(t.kind_of(c), Some(CodeType::Corrective), "{c}");
    }
    for c in ["A01", "A03", "A06", "A10", "A12", "G40"] {
        assert_eq!(t.kind_of(c), Some(CodeType::Deny), "{c}");
    }
    for c in ["V215", "V216", "V217", "V218", "V219", "V220"] {
        assert_eq!(t.kind_of(c), Some(CodeType::Verify), "{c}");
    }
    for c in t.iter() {
        assert!(
            !c.th.is_empty() && !c.en.is_empty() && !c.fix_th.is_empty(),
            "{}",
            c.code
        );
    }
    assert_eq!(t.get(" 998 ").unwrap().en, "Sent after the deadline");
    assert_eq!(t.kind_of("NOPE"), None);
}

#[test]
fn csv_with_a_bad_type_names_its_line() {
    let csv = "code,type,th,en,fix_th\n300,C,ก,a,ข\n\"A01\",\"D\",\"ค, ง\",b,\n301,X,จ,c,ฉ\n";
    let e = ErrorCodes::parse_tsv_or_csv(csv).unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.to_string().contains("line 4"), "{e}");
    assert!(e.message_th.contains("301"));
    // Missing header columns, empty code, unclosed quote.
    assert_eq!(
        ErrorCodes::parse_tsv_or_csv("code,th\n1,x\n")
            .unwrap_err()
            .line,
        1
    );
    assert_eq!(
        ErrorCodes::parse_tsv_or_csv("code,type,th\n,C,x\n")
            .unwrap_err()
            .line,
        2
    );
    assert_eq!(
        ErrorCodes::parse_tsv_or_csv("code,type,th\n1,C,x\n2,C,\"open\n")
            .unwrap_err()
            .line,
        3
    );
    assert!(ErrorCodes::parse_tsv_or_csv("").is_err());
}

#[test]
fn full_list_words_and_merge() {
    // NHSO's own list spells the type out and leaves some blank (read as Corrective).
    let tsv = "\u{feff}code\ttype\tth\ten\tfix_th\n300\tDeny\tทดสอบ\t\t\nB001\t\tรอตรวจ\t\t\nV101\tVerify\tx\t\t\n";
    let p = ErrorCodes::parse_tsv_or_csv(tsv).unwrap();
    assert_eq!(p.len(), 3);
    assert_eq!(p.kind_of("B001"), Some(CodeType::Corrective));
    let m = ErrorCodes::builtin().merged(&p);
    assert_eq!(
        m.kind_of("300"),
        Some(CodeType::Deny),
        "the loaded list wins"
    );
    assert_eq!(m.kind_of("A01"), Some(CodeType::Deny));
    assert_eq!(m.len(), ErrorCodes::builtin().len() + 2);
}

#[test]
fn outcome_rule() {
    let t = ErrorCodes::builtin();
    let v = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(Outcome::classify(&v(&[]), false, t), Outcome::Accepted);
    assert_eq!(
        Outcome::classify(&v(&["V215"]), false, t),
        Outcome::Accepted
    );
    assert_eq!(
        Outcome::classify(&v(&["V215", "305"]), false, t),
        Outcome::Corrective
    );
    assert_eq!(
        Outcome::classify(&v(&["QQQ"]), false, t),
        Outcome::Corrective
    );
    assert_eq!(
        Outcome::classify(&v(&["305", "A01"]), false, t),
        Outcome::Deny
    );
    assert_eq!(Outcome::classify(&v(&[]), true, t), Outcome::Deny);
    assert_eq!(Outcome::Corrective.as_str(), "corrective");
}
