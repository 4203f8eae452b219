//! TPS FY2565: items, caps, grade boundaries, medians and the CSV batch.

use raidai_governance::BatchError;
use raidai_governance::criteria::{CriteriaSet, Grade, TpsCriteria};
use raidai_governance::num::{Hundredths, Satang};
use raidai_governance::tps::{
    TPS_INPUT_COLUMNS, TpsCosts, TpsInput, TpsItemResult, TpsMedians, fill_missing_medians,
    group_medians, median, peer_medians, tps_csv, tps_grade, tps_output_columns, tps_score,
};

fn h(v: &str) -> Hundredths {
    Hundredths::parse(v).unwrap()
}

const fn baht(n: i64) -> Satang {
    Satang(n * 100)
}

fn criteria() -> &'static TpsCriteria {
    &CriteriaSet::builtin().tps
}

/// The scored item `id` of unit `u`.
fn item(u: &TpsInput, id: &str) -> TpsItemResult {
    tps_score(u, criteria())
        .items
        .into_iter()
        .find(|i| i.id == id)
        .unwrap()
}

/// `u` with the six 1.3 costs taken from `c` (its medians left as they are).
fn with_costs(u: TpsInput, c: &TpsMedians) -> TpsInput {
    TpsInput {
        costs: c.costs,
        ..u
    }
}

/// The six 1.3 costs: the OP and IP unit costs, then labour and the three material costs
/// alike; the other medians unset.
fn cost_medians(op: Satang, ip: Satang, others: Satang) -> TpsMedians {
    TpsMedians {
        costs: TpsCosts {
            unit_cost_op: Some(op),
            unit_cost_ip: Some(ip),
            labour_cost: Some(others),
            mc_drug: Some(others),
            mc_lab: Some(others),
            mc_supplies: Some(others),
        },
        ..TpsMedians::default()
    }
}

/// Every item met.
fn perfect() -> TpsInput {
    let u = TpsInput {
        hcode: "10978".into(),
        period: "2565Q2".into(),
        peer_group: "F2".into(),
        plan_revenue: Some(baht(100_000)),
        actual_revenue: Some(baht(100_000)),
        plan_expense: Some(baht(100_000)),
        actual_expense: Some(baht(100_000)),
        payables_days: Some(45.0),
        cash_ratio: Some(h("1.2")),
        acp_uc_days: Some(40.0),
        acp_csmbs_days: Some(50.0),
        inventory_days: Some(55.0),
        island: false,
        accounting_check_passed: Some(true),
        bed_occupancy_pct: Some(90.0),
        sum_adjrw: Some(3000.0),
        sum_adjrw_last_year: Some(2000.0),
        operating_margin_pct: Some(5.0),
        roa_pct: Some(3.0),
        ebitda: Some(baht(1_000)),
        nwc: Some(baht(1_000)),
        medians: TpsMedians {
            sum_adjrw: Some(2500.0),
            operating_margin_pct: Some(1.0),
            roa_pct: Some(1.0),
            ..cost_medians(baht(600), baht(10_000), baht(2))
        },
        ..TpsInput::default()
    };
    with_costs(u, &cost_medians(baht(500), baht(9_000), baht(1)))
}

#[test]
fn perfect_unit_scores_15_with_1_3_capped() {
    let r = tps_score(&perfect(), criteria());
    assert!(
        r.items.iter().all(|i| i.met),
        "{:#?}",
        r.items.iter().filter(|i| !i.met).collect::<Vec<_>>()
    );
    assert_eq!(r.items.len(), 20);
    let g13 = r.groups.iter().find(|g| g.id == "1.3").unwrap();
    assert_eq!((g13.raw, g13.capped, g13.max), (h("7"), h("5"), h("5")));
    assert_eq!(r.raw_total, h("17"));
    assert_eq!(r.total, h("15"));
    assert_eq!(r.grade.grade, Grade::A);
    assert_eq!(r.grade.label_th, "ดีมาก");
}

#[test]
fn grade_boundaries() {
    let c = criteria();
    let cases = [
        ("15", Grade::A, "ดีมาก"),
        ("12", Grade::A, "ดีมาก"),
        ("11.99", Grade::B, "ดี"),
        ("11.5", Grade::B, "ดี"),
        ("10.5", Grade::B, "ดี"),
        ("10.49", Grade::C, "พอใช้"),
        ("10", Grade::C, "พอใช้"),
        ("9", Grade::C, "พอใช้"),
        ("8.99", Grade::D, "ต้องปรับปรุง"),
        ("8.5", Grade::D, "ต้องปรับปรุง"),
        ("7.5", Grade::D, "ต้องปรับปรุง"),
        ("7.49", Grade::F, "ไม่ผ่าน"),
        ("7", Grade::F, "ไม่ผ่าน"),
        ("0", Grade::F, "ไม่ผ่าน"),
    ];
    for (total, grade, th) in cases {
        let g = tps_grade(h(total), c);
        assert_eq!((g.grade, g.label_th.as_str()), (grade, th), "total {total}");
    }
}

/// Scored units landing exactly on each boundary and half a point below it.
#[test]
fn scored_units_on_the_boundaries() {
    // Start from a perfect unit (15) and knock items out; the 1.3 surplus of 2 absorbs the first
    // two points lost there, so knock out outcome/process items instead.
    let knock = |n_half_points: u32| {
        let mut u = perfect();
        let steps: [fn(&mut TpsInput); 9] = [
            |u| u.ebitda = Some(Satang(-1)),        // −1 (2.1)
            |u| u.roa_pct = Some(0.0),              // −1 (2.1)
            |u| u.operating_margin_pct = Some(0.0), // −1 (2.1)
            |u| u.nwc = Some(Satang(-1)),           // −1 (2.2)
            |u| u.cash_ratio = Some(h("0.79")),     // −1 (2.2)
            |u| u.actual_revenue = Some(Satang(1)), // −1 (1.1)
            |u| u.actual_expense = Some(Satang(1)), // −1 (1.1)
            |u| u.acp_uc_days = Some(61.0),         // −0.5 (1.2)
            |u| u.acp_csmbs_days = Some(61.0),      // −0.5 (1.2)
        ];
        let weights = [2, 2, 2, 2, 2, 2, 2, 1, 1];
        let mut left = n_half_points;
        for (step, w) in steps.iter().zip(weights) {
            if left >= w {
                step(&mut u);
                left -= w;
            }
        }
        assert_eq!(left, 0, "cannot remove exactly {n_half_points} half points");
        tps_score(&u, criteria())
    };
    let expect = [
        (6, "12", Grade::A),
        (7, "11.5", Grade::B),
        (9, "10.5", Grade::B),
        (10, "10", Grade::C),
        (12, "9", Grade::C),
        (13, "8.5", Grade::D),
        (15, "7.5", Grade::D),
        (16, "7", Grade::F),
    ];
    for (lost, total, grade) in expect {
        let r = knock(lost);
        assert_eq!(r.total, h(total), "lost {lost} half points");
        assert_eq!(r.grade.grade, grade, "total {total}");
    }
}

#[test]
fn group_cap_1_3_raw_7_capped_5() {
    let one = cost_medians(Satang(1), Satang(1), Satang(1));
    let u = TpsInput {
        accounting_check_passed: Some(true),
        bed_occupancy_pct: Some(80.0),
        sum_adjrw: Some(105.0),
        sum_adjrw_last_year: Some(100.0),
        medians: one.clone(),
        ..TpsInput::default()
    };
    let u = with_costs(u, &one);
    let r = tps_score(&u, criteria());
    let g = r.groups.iter().find(|g| g.id == "1.3").unwrap();
    assert_eq!((g.raw, g.capped), (h("7"), h("5")));
    assert_eq!(r.total, h("5"));
    assert_eq!(r.raw_total, h("7"));
    assert_eq!(r.grade.grade, Grade::F);
    // Exactly 80 % occupancy and exactly +5 % AdjRW are met (≥).
    assert!(r.items.iter().find(|i| i.id == "1.3.8").unwrap().met);
    assert!(r.items.iter().find(|i| i.id == "1.3.9").unwrap().met);
}

#[test]
fn item_rules_at_their_edges() {
    let mut u = perfect();
    // ±5 % inclusive.
    u.actual_revenue = Some(baht(105_000));
    assert!(item(&u, "1.1.1").met);
    u.actual_revenue = Some(Satang(9_499_999));
    assert!(!item(&u, "1.1.1").met);
    u.actual_expense = Some(baht(95_000));
    assert!(item(&u, "1.1.2").met);
    // Payables: 120 days fails at cash 0.8, passes when cash < 0.8 (180-day limit).
    u.payables_days = Some(120.0);
    u.cash_ratio = Some(h("0.8"));
    assert!(!item(&u, "1.2.1").met);
    u.cash_ratio = Some(h("0.79"));
    let it = item(&u, "1.2.1");
    assert!(it.met, "{}", it.explanation_en);
    assert!(it.explanation_en.contains("180-day limit"));
    u.payables_days = Some(180.0);
    assert!(item(&u, "1.2.1").met);
    u.payables_days = Some(180.01);
    assert!(!item(&u, "1.2.1").met);
    // Inventory: 75 days fails, passes on an island.
    u.inventory_days = Some(75.0);
    assert!(!item(&u, "1.2.4").met);
    u.island = true;
    assert!(item(&u, "1.2.4").met);
    // ACP exactly 60 passes.
    u.acp_uc_days = Some(60.0);
    assert!(item(&u, "1.2.2").met);
    // Unit cost equal to the median passes ("ไม่เกินค่ากลาง").
    u.costs.unit_cost_op = u.medians.costs.unit_cost_op;
    assert!(item(&u, "1.3.1").met);
    // AdjRW equal to the median is not "above"; +4.99 % is not up 5 %.
    u.sum_adjrw = Some(2500.0);
    u.sum_adjrw_last_year = Some(2400.0);
    assert!(!item(&u, "1.3.9").met);
    u.sum_adjrw_last_year = Some(2380.0);
    assert!(item(&u, "1.3.9").met, "2500 / 2380 = +5.04 %");
    // Cash ratio exactly 0.8 passes 2.2.2; EBITDA 0 passes.
    u.cash_ratio = Some(h("0.8"));
    assert!(item(&u, "2.2.2").met);
    u.ebitda = Some(Satang(0));
    assert!(item(&u, "2.1.3").met);
}

#[test]
fn measured_values_meet_their_limits_exactly() {
    let item = |u: &TpsInput, id: &str| item(u, id).met;
    let mut u = perfect();
    // Day limits are inclusive to the hundredth: 60 and 90 (island) pass, 0.01 more does not.
    for (days, met) in [(60.0, true), (60.01, false)] {
        u.acp_uc_days = Some(days);
        u.acp_csmbs_days = Some(days);
        u.inventory_days = Some(days);
        assert_eq!(item(&u, "1.2.2"), met, "{days}");
        assert_eq!(item(&u, "1.2.3"), met, "{days}");
        assert_eq!(item(&u, "1.2.4"), met, "{days}");
    }
    u.island = true;
    u.inventory_days = Some(90.0);
    assert!(item(&u, "1.2.4"));
    u.inventory_days = Some(90.01);
    assert!(!item(&u, "1.2.4"));
    u.cash_ratio = Some(h("1.0"));
    u.payables_days = Some(90.0);
    assert!(item(&u, "1.2.1"));
    u.payables_days = Some(90.01);
    assert!(!item(&u, "1.2.1"));
    // Bed occupancy ≥ 80 %.
    u.bed_occupancy_pct = Some(80.0);
    assert!(item(&u, "1.3.8"));
    u.bed_occupancy_pct = Some(79.99);
    assert!(!item(&u, "1.3.8"));
    // AdjRW up exactly 5 %: 1000.12 × 1.05 = 1050.126, which f64 multiplication put short.
    u.medians.sum_adjrw = None;
    u.sum_adjrw_last_year = Some(1000.12);
    let (v, base) = std::hint::black_box((1050.126f64, 1000.12f64));
    assert!(v * 100.0 < base * 105.0, "the f64 products disagree");
    u.sum_adjrw = Some(1050.126);
    assert!(item(&u, "1.3.9"));
    u.sum_adjrw = Some(1050.125);
    assert!(!item(&u, "1.3.9"));
}

#[test]
fn missing_data_is_not_met_and_explained() {
    let r = tps_score(&TpsInput::default(), criteria());
    assert_eq!(r.total, Hundredths::ZERO);
    assert!(r.items.iter().all(|i| !i.met && i.missing_data));
    let it = &r.items[0];
    assert!(
        it.explanation_th.contains("ไม่มีข้อมูล"),
        "{}",
        it.explanation_th
    );
    assert!(
        it.explanation_en.starts_with("no data"),
        "{}",
        it.explanation_en
    );
    let mut u = perfect();
    u.medians.roa_pct = None;
    let roa = item(&u, "2.1.2");
    assert!(!roa.met && roa.missing_data);
    assert!(roa.explanation_en.contains("median"));
    // A met item explains itself in both languages.
    let ok = &tps_score(&perfect(), criteria()).items[2];
    assert!(ok.explanation_th.ends_with("ผ่าน") && ok.explanation_en.ends_with("met"));
}

#[test]
fn medians() {
    assert_eq!(median::<i64>(&[]), None);
    assert_eq!(median(&[3i64, 1, 2]), Some(2));
    assert_eq!(
        median(&[4i64, 1, 2, 3]),
        Some(3),
        "2.5 satang rounds half away from zero"
    );
    assert_eq!(median(&[-4i64, -1, -2, -3]), Some(-3));
    assert_eq!(median(&[1.0f64, 2.0, f64::NAN, 4.0]), Some(2.0));
    let m = group_medians(&[("F2", 10i64), ("F2", 30), ("F2", 20), ("M1", 5), ("M1", 7)]);
    assert_eq!(m.get("F2"), Some(&20));
    assert_eq!(m.get("M1"), Some(&6));

    let mut units = vec![perfect(), perfect(), perfect()];
    for (i, u) in units.iter_mut().enumerate() {
        u.medians = TpsMedians::default();
        u.costs.unit_cost_op = Some(Satang(100 * (i as i64 + 1)));
        u.roa_pct = Some(i as f64);
    }
    units[2].peer_group = "M1".into();
    let pm = peer_medians(&units);
    assert_eq!(pm["F2"].costs.unit_cost_op, Some(Satang(150)));
    assert_eq!(pm["M1"].costs.unit_cost_op, Some(Satang(300)));
    assert_eq!(pm["F2"].roa_pct, Some(0.5));
    units[0].medians.costs.unit_cost_op = Some(Satang(999));
    fill_missing_medians(&mut units);
    assert_eq!(
        units[0].medians.costs.unit_cost_op,
        Some(Satang(999)),
        "given medians are kept"
    );
    assert_eq!(units[1].medians.costs.unit_cost_op, Some(Satang(150)));
}

fn header() -> String {
    TPS_INPUT_COLUMNS.join(",")
}

#[test]
fn csv_batch_scores_and_computes_medians_per_peer_group() {
    let c = criteria();
    // Two F2 units: medians from the file; unit A is cheaper (passes ≤ median at the median).
    let row_a = "10001,2565Q2,F2,1000,1000,1000,1000,45,1.20,40,50,55,0,500,9000,1,1,1,1,1,90,3000,2000,5,3,1000,1000";
    let row_b = "10002,2565Q2,F2,1000,1200,1000,1000,100,0.50,70,70,75,1,700,9500,3,3,3,3,0,60,2000,2000,1,1,-5,-5";
    let input = format!("{},note\n{row_a},ok\n{row_b},\n", header());
    let mut out = Vec::new();
    let report = tps_csv(input.as_bytes(), &mut out, c).unwrap();
    assert!(report.is_clean(), "{:?}", report.errors);
    assert_eq!(report.rows_written, 2);
    let text = String::from_utf8(out).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let expected_tail = tps_output_columns(c);
    assert_eq!(
        headers
            .iter()
            .skip(TPS_INPUT_COLUMNS.len() + 1)
            .collect::<Vec<_>>(),
        expected_tail.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(expected_tail.contains(&"pts_1_3_1".to_owned()));
    assert!(expected_tail.contains(&"grp_1_3".to_owned()));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let get = |r: &csv::StringRecord, name: &str| {
        r[headers.iter().position(|x| x == name).unwrap()].to_owned()
    };
    // Unit A: unit cost OP 500 ≤ median 600 (midpoint of 500 and 700).
    assert_eq!(get(&rows[0], "pts_1_3_1"), "1.00");
    assert_eq!(get(&rows[1], "pts_1_3_1"), "0.00");
    assert_eq!(get(&rows[0], "note"), "ok");
    // Unit B: revenue +20 % misses 1.1.1; island 75 days passes 1.2.4; payables 100 at cash 0.5 passes.
    assert_eq!(get(&rows[1], "pts_1_1_1"), "0.00");
    assert_eq!(get(&rows[1], "pts_1_2_4"), "1.00");
    assert_eq!(get(&rows[1], "pts_1_2_1"), "1.00");
    let total: f64 = get(&rows[0], "tps_total").parse().unwrap();
    assert!(total <= 15.0);
    assert_eq!(
        get(&rows[0], "tps_grade_th"),
        tps_grade(h(&get(&rows[0], "tps_total")), c).label_th
    );
}

#[test]
fn csv_batch_uses_given_medians_and_reports_bad_rows() {
    let c = criteria();
    let head = format!("{},median_unit_cost_op", header());
    let good = "10001,2565Q2,F2,1000,1000,1000,1000,45,1.20,40,50,55,no,650,9000,1,1,1,1,yes,90,3000,2000,5,3,1000,1000,600";
    let bad = "10002,2565Q2,F2,abc,1000,1000,1000,45,1.234,40,50,55,maybe,500,9000,1,1,1,1,1,90,3000,2000,5,3,1000,1000,";
    let input = format!("{head}\n{good}\n{bad}\n");
    let mut out = Vec::new();
    let report = tps_csv(input.as_bytes(), &mut out, c).unwrap();
    assert_eq!((report.rows_read, report.rows_written), (2, 1));
    let fields: Vec<&str> = report.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["plan_revenue", "island", "cash_ratio"]);
    assert!(report.errors.iter().all(|e| e.line == 3));
    let text = String::from_utf8(out).unwrap();
    // 650 > the given median 600 although it is the only (hence median) value in the file.
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    assert_eq!(
        &row[headers.iter().position(|x| x == "pts_1_3_1").unwrap()],
        "0.00"
    );

    let missing = "hcode,period,peer_group\n";
    match tps_csv(missing.as_bytes(), Vec::new(), c) {
        Err(BatchError::MissingColumn { column }) => assert_eq!(column, "plan_revenue"),
        other => panic!("{other:?}"),
    }
}
