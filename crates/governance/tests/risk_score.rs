//! Risk Score: conformance with the 1,057 official HFO results, the CSV batch, edge cases and
//! the province summary.

use raidai_governance::criteria::CriteriaSet;
use raidai_governance::num::{Hundredths, Satang, format_baht, parse_satang};
use raidai_governance::risk_score::{
    RISK_OUTPUT_COLUMNS, RiskInput, RiskResult, Survival, province_levels, risk_score,
    risk_score_csv,
};
use raidai_governance::{BatchError, RowError};

const REFERENCE: &str = include_str!("data/risk_score_reference.csv");

fn input(ca: i64, cl: i64, quick: i64, cash: i64, rev: i64, exp: i64, period: u32) -> RiskInput {
    RiskInput {
        hcode: "10670".into(),
        period,
        current_assets: Satang(ca),
        current_liabilities: Satang(cl),
        quick_assets: Satang(quick),
        cash_and_equivalents: Satang(cash),
        revenue_ytd: Satang(rev),
        expense_ytd: Satang(exp),
    }
}

fn ratio(r: Option<Hundredths>) -> String {
    r.map(Hundredths::to_short_string).unwrap_or_default()
}

#[test]
fn reproduces_every_reference_row() {
    let mut rdr = csv::Reader::from_reader(REFERENCE.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let criteria = &CriteriaSet::builtin().risk_score;
    let mut rows = 0;
    let mut mismatches = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let amount = |name: &str| parse_satang(&rec[col(name)]).unwrap();
        let inp = RiskInput {
            hcode: rec[col("hcode")].to_owned(),
            period: rec[col("period")].parse().unwrap(),
            current_assets: amount("current_assets"),
            current_liabilities: amount("current_liabilities"),
            quick_assets: amount("quick_assets"),
            cash_and_equivalents: amount("cash_and_equivalents"),
            revenue_ytd: amount("revenue_ytd"),
            expense_ytd: amount("expense_ytd"),
        };
        let r = risk_score(&inp, criteria).unwrap();
        let got = [
            ratio(r.cr),
            ratio(r.qr),
            ratio(r.cash_ratio),
            format_baht(r.nwc),
            format_baht(r.ni),
            r.liquidity_points.to_string(),
            r.status_points.to_string(),
            r.survival_points.to_string(),
            r.risk_score.to_string(),
        ];
        for (name, value) in RISK_OUTPUT_COLUMNS.iter().zip(&got) {
            if rec[col(name)] != *value {
                mismatches.push(format!(
                    "{} {} {name}: expected {} got {value}",
                    inp.hcode,
                    inp.period,
                    &rec[col(name)]
                ));
            }
        }
        assert_eq!(
            r.risk_score,
            r.liquidity_points + r.status_points + r.survival_points
        );
        rows += 1;
    }
    assert_eq!(rows, 1057);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn batch_reproduces_the_reference_file() {
    let mut out = Vec::new();
    let report = risk_score_csv(REFERENCE.as_bytes(), &mut out).unwrap();
    assert_eq!(report.rows_read, 1057);
    assert_eq!(report.rows_written, 1057);
    assert!(report.is_clean(), "{:?}", report.errors);
    // The reference output columns are recomputed (not echoed twice), so the file comes back
    // byte for byte apart from line endings.
    assert_eq!(
        String::from_utf8(out).unwrap(),
        REFERENCE.replace("\r\n", "\n")
    );
}

#[test]
fn batch_accepts_any_column_order_and_keeps_extra_columns() {
    let csv_in = "\u{feff}Province,expense_ytd,revenue_ytd,cash_and_equivalents,quick_assets,current_liabilities,current_assets,period,HCODE\n\
                  พังงา,100.00,90.00,10,40,100,50,256906,01234\n";
    let mut out = Vec::new();
    let report = risk_score_csv(csv_in.as_bytes(), &mut out).unwrap();
    assert!(report.is_clean());
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    // The BOM is dropped (the csv reader strips it), so the header matches by name.
    assert_eq!(
        lines.next().unwrap(),
        "Province,expense_ytd,revenue_ytd,cash_and_equivalents,quick_assets,current_liabilities,current_assets,period,HCODE,cr,qr,cash_ratio,nwc,ni,liquidity_points,status_points,survival_points,risk_score"
    );
    // CR 0.5, QR 0.4, cash 0.1 → 3; NWC −50, NI −10 → 2 + 2 = 7.
    assert_eq!(
        lines.next().unwrap(),
        "พังงา,100.00,90.00,10,40,100,50,256906,01234,0.5,0.4,0.1,-50.00,-10.00,3,2,2,7"
    );
}

#[test]
fn batch_missing_column_names_it() {
    let csv_in =
        "hcode,period,current_assets,current_liabilities,quick_assets,revenue_ytd,expense_ytd\n";
    let err = risk_score_csv(csv_in.as_bytes(), Vec::new()).unwrap_err();
    match err {
        BatchError::MissingColumn { column } => assert_eq!(column, "cash_and_equivalents"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err_text(csv_in).contains("cash_and_equivalents"),
        "message names the column"
    );
}

fn err_text(csv_in: &str) -> String {
    risk_score_csv(csv_in.as_bytes(), Vec::new())
        .unwrap_err()
        .to_string()
}

#[test]
fn batch_reports_bad_rows_and_writes_good_ones() {
    let csv_in = "hcode,period,current_assets,current_liabilities,quick_assets,cash_and_equivalents,revenue_ytd,expense_ytd\n\
                  10001,256901,100,50,80,40,10,5\n\
                  10002,256913,100,50,80,40,10,5\n\
                  10003,256902,1x0,50,80,40,10,5.555\n\
                  10004,256903,100,-50,80,40,10,5\n\
                  10005,256904,100\n\
                  10006,256905,100,0,80,40,10,5\n";
    let mut out = Vec::new();
    let report = risk_score_csv(csv_in.as_bytes(), &mut out).unwrap();
    assert_eq!(report.rows_read, 6);
    assert_eq!(report.rows_written, 2);
    assert_eq!(report.rows_skipped(), 4);
    let find = |line: u64, field: &str| -> &RowError {
        report
            .errors
            .iter()
            .find(|e| e.line == line && e.field == field)
            .unwrap_or_else(|| panic!("no error for line {line} {field}: {:?}", report.errors))
    };
    assert!(find(3, "period").reason.contains("fiscal month"));
    let e = find(4, "current_assets");
    assert_eq!(e.value, "1x0");
    assert!(e.reason.contains("baht amount"), "{}", e.reason);
    assert!(find(4, "expense_ytd").reason.contains("2 decimal places"));
    assert!(find(5, "current_liabilities").reason.contains("negative"));
    assert!(
        find(6, "(row)")
            .reason
            .contains("expected 8 fields, found 3")
    );

    let text = String::from_utf8(out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[1].starts_with("10001,"));
    // Zero current liabilities: empty ratios, no liquidity points.
    assert_eq!(
        rows[2],
        "10006,256905,100,0,80,40,10,5,,,,100.00,5.00,0,0,0,0"
    );
}

#[test]
fn zero_current_liabilities_is_flagged_not_a_crash() {
    let r = input(1_000, 0, 500, 100, 0, 100, 256903).score().unwrap();
    assert!(r.ratios_undefined);
    assert_eq!((r.cr, r.qr, r.cash_ratio), (None, None, None));
    assert_eq!(r.liquidity_points, 0);
    // NWC ≥ 0, NI < 0: buffer 1000 / (100/3) = 30 months → 0 survival points, 1 status point.
    assert_eq!(
        (r.status_points, r.survival_points, r.risk_score),
        (1, 0, 1)
    );
    assert!(
        !input(1, 1, 1, 1, 0, 0, 256901)
            .score()
            .unwrap()
            .ratios_undefined
    );
}

#[test]
fn survival_point_branches() {
    let s = |nwc_plus_cl: i64, rev: i64, exp: i64, period: u32| {
        // CL = 100 so NWC = CA − 100; the ratios don't matter here.
        let r = input(nwc_plus_cl + 100, 100, 0, 0, rev, exp, period)
            .score()
            .unwrap();
        (r.survival_points, r.survival)
    };
    // Both non-negative → 0; both negative → 2.
    assert_eq!(s(0, 10, 10, 256906).0, 0);
    assert_eq!(s(-1, 0, 1, 256906), (2, Survival::BothNegative));
    // NWC ≥ 0, NI < 0, month 6: buffer = NWC / (|NI|/6).
    // |NI| = 600 → 100 per month. NWC 299 → 2.99 months → 2; 300 → exactly 3 → 1;
    // 599 → 1; 600 → exactly 6 → 0.
    assert_eq!(s(299, 0, 600, 256906).0, 2);
    assert_eq!(s(300, 0, 600, 256906).0, 1);
    assert_eq!(s(599, 0, 600, 256906).0, 1);
    assert_eq!(s(600, 0, 600, 256906).0, 0);
    assert_eq!(s(0, 0, 600, 256906).0, 2);
    match s(450, 0, 600, 256906).1 {
        Survival::BufferMonths { months } => assert!((months - 4.5).abs() < 1e-9),
        other => panic!("{other:?}"),
    }
    // NWC < 0, NI > 0: refill = −NWC / (NI/6); NI = 600 → 100 per month.
    assert_eq!(s(-299, 600, 0, 256906).0, 0);
    assert_eq!(s(-300, 600, 0, 256906).0, 1);
    assert_eq!(s(-599, 600, 0, 256906).0, 1);
    assert_eq!(s(-600, 600, 0, 256906).0, 2);
    // NWC < 0, NI = 0: never refilled → 2 (RH1 divides by a zero rate and lands in the top band).
    assert_eq!(s(-1, 5, 5, 256906), (2, Survival::NoIncomeToRefill));
    // The fiscal month scales the monthly rate: month 12, NI 1200 → 100 per month again.
    assert_eq!(s(300, 0, 1200, 256912).0, 1);
}

#[test]
fn liquidity_thresholds_are_strict_on_rounded_ratios() {
    // CR exactly 1.50 → no point; 1.49 → point (CL = 10000 satang).
    let base = |ca: i64, quick: i64, cash: i64| {
        input(ca, 10_000, quick, cash, 1, 0, 256901)
            .score()
            .unwrap()
    };
    assert_eq!(base(15_000, 10_000, 8_000).liquidity_points, 0);
    assert_eq!(base(14_949, 10_000, 8_000).liquidity_points, 1);
    // 1.4950 rounds up to 1.50 → no point.
    assert_eq!(base(14_950, 10_000, 8_000).liquidity_points, 0);
    assert_eq!(base(15_000, 9_949, 8_000).liquidity_points, 1);
    assert_eq!(base(15_000, 10_000, 7_949).liquidity_points, 1);
    assert_eq!(base(15_000, 10_000, 7_950).liquidity_points, 0);
}

#[test]
fn province_summary_against_round_targets() {
    let criteria = &CriteriaSet::builtin().risk_score;
    let make = |score_sevens: usize, score_sixes: usize, total: usize| -> Vec<RiskResult> {
        let seven = input(50, 100, 40, 10, 90, 100, 256906).score().unwrap();
        // Level 6: CR 0.5/QR 0.4/cash 0.1 (3) + NWC<0 (1) + NI ≥ 0 with a long refill (2) = 6.
        let six = input(50, 100, 40, 10, 1, 0, 256906).score().unwrap();
        let zero = input(1_000, 100, 1_000, 1_000, 10, 0, 256906)
            .score()
            .unwrap();
        assert_eq!(
            (seven.risk_score, six.risk_score, zero.risk_score),
            (7, 6, 0)
        );
        let mut v = vec![seven; score_sevens];
        v.extend(std::iter::repeat_n(six, score_sixes));
        v.extend(std::iter::repeat_n(
            zero,
            total - score_sevens - score_sixes,
        ));
        v
    };
    let r12 = criteria.round(12).unwrap();
    // 2 of 100 at level 7 is exactly 2 % → met; 4 of 100 at level 6 is exactly 4 % → met.
    let s = province_levels(&make(2, 4, 100), r12);
    assert_eq!(s.distribution[7], 2);
    assert_eq!(s.level7.met, Some(true));
    assert_eq!(s.level6.met, Some(true));
    assert_eq!(s.met, Some(true));
    assert_eq!(s.periods, vec![256906]);
    // 3 of 100 → 3 % > 2 %.
    let s = province_levels(&make(3, 0, 100), r12);
    assert_eq!(s.level7.met, Some(false));
    assert_eq!(s.met, Some(false));
    // The 6-month round allows none.
    let s = province_levels(&make(0, 1, 50), criteria.round(6).unwrap());
    assert_eq!(s.level7.met, Some(true));
    assert_eq!(s.level6.met, Some(false));
    assert_eq!(s.level6.pct, Some(2.0));
    // No units: no verdict.
    let s = province_levels(&[], r12);
    assert_eq!(s.met, None);
}
