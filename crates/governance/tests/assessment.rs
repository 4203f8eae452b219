//! 4S4C + CSMBS survey catalogues and grading; the 4P working paper.

use raidai_governance::assessment::{
    AssessmentError, CollectionDays, FORM_4S4C, FORM_CSMBS_SURVEY, FourPMark, revenue_centre_grade,
    revenue_centre_indicator, score_form, score_four_p, score_revenue_centre, suggest_marks,
    suggest_q2_mark,
};
use raidai_governance::criteria::{CriteriaSet, Grade, PlanSide, RevenueCentreCriteria};
use raidai_governance::num::{Hundredths, Satang};
use raidai_governance::seven_plus::{Balance, DayMeasure};

fn rc() -> &'static RevenueCentreCriteria {
    &CriteriaSet::builtin().revenue_centre
}

#[test]
fn catalogues_add_up_to_72_and_28() {
    let four = rc().form(FORM_4S4C).unwrap();
    let survey = rc().form(FORM_CSMBS_SURVEY).unwrap();
    let sum = |f: &raidai_governance::criteria::AssessmentForm| {
        f.items.iter().map(|i| u32::from(i.max)).sum::<u32>()
    };
    assert_eq!(sum(four), 72);
    assert_eq!(sum(survey), 28);
    assert_eq!((four.max, survey.max, rc().max_total()), (72, 28, 100));
    // Every numbered sub-item is one 0/2 item: 36 + 14.
    assert_eq!((four.items.len(), survey.items.len()), (36, 14));
    assert!(four.items.iter().chain(&survey.items).all(|i| i.max == 2));
    let groups = |f: &raidai_governance::criteria::AssessmentForm| {
        f.groups
            .iter()
            .map(|g| {
                let items: u32 = f
                    .items
                    .iter()
                    .filter(|i| i.group == g.id)
                    .map(|i| u32::from(i.max))
                    .sum();
                assert_eq!(items, g.max, "group {}", g.id);
                g.max
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(groups(four), vec![20, 20, 8, 8, 8, 8]);
    assert_eq!(groups(survey), vec![6, 8, 8, 4, 2]);
    // Stable ids and texts in both languages with evidence.
    let first = &four.items[0];
    assert_eq!(first.id, "4s4c.1.1.1");
    assert_eq!(first.number, "1.1(1)");
    assert!(first.text_th.contains("เวชระเบียน"));
    assert!(!first.evidence_th.is_empty() && !first.evidence_en.is_empty());
    assert_eq!(four.items.last().unwrap().id, "4s4c.6.4");
    assert_eq!(survey.items.last().unwrap().id, "csmbs.5.1");
}

fn all(form: &str, mark: u8) -> Marks {
    rc().form(form)
        .unwrap()
        .items
        .iter()
        .map(|i| (i.id.clone(), mark))
        .collect()
}

/// Marks giving an exact total: the first `n` items (4S4C then survey) at 2.
type Marks = Vec<(String, u8)>;

fn total_of(points: u32) -> (Marks, Marks) {
    assert!(points.is_multiple_of(2));
    let mut left = points / 2;
    let mut take = |form: &str| {
        all(form, 0)
            .into_iter()
            .map(|(id, _)| {
                let m = if left > 0 {
                    left -= 1;
                    2
                } else {
                    0
                };
                (id, m)
            })
            .collect::<Vec<_>>()
    };
    let a = take(FORM_4S4C);
    let b = take(FORM_CSMBS_SURVEY);
    (a, b)
}

#[test]
fn grade_boundaries_on_integer_totals() {
    let cases = [
        (100, Grade::A, "ดีมาก"),
        (91, Grade::A, "ดีมาก"),
        (90, Grade::B, "ดี"),
        (81, Grade::B, "ดี"),
        (80, Grade::C, "ปานกลาง"),
        (61, Grade::C, "ปานกลาง"),
        (60, Grade::D, "พอใช้"),
        (51, Grade::D, "พอใช้"),
        (50, Grade::F, "ปรับปรุง"),
        (0, Grade::F, "ปรับปรุง"),
    ];
    for (total, grade, th) in cases {
        let g = revenue_centre_grade(total, rc());
        assert_eq!((g.grade, g.label_th.as_str()), (grade, th), "total {total}");
    }
    // Totals from real marks are even; the even neighbours of each boundary.
    for (points, grade) in [
        (92, Grade::A),
        (90, Grade::B),
        (82, Grade::B),
        (80, Grade::C),
        (62, Grade::C),
        (60, Grade::D),
        (52, Grade::D),
        (50, Grade::F),
    ] {
        let (a, b) = total_of(points);
        let s = score_revenue_centre(rc(), a, b).unwrap();
        assert_eq!(s.total, points);
        assert_eq!(s.grade.grade, grade, "total {points}");
        assert_eq!(s.good_or_better, matches!(grade, Grade::A | Grade::B));
    }
}

#[test]
fn full_marks_and_subtotals() {
    let s = score_revenue_centre(rc(), all(FORM_4S4C, 2), all(FORM_CSMBS_SURVEY, 2)).unwrap();
    assert_eq!(
        (
            s.four_s_four_c.points,
            s.csmbs_survey.points,
            s.total,
            s.max
        ),
        (72, 28, 100, 100)
    );
    assert_eq!(s.grade.grade, Grade::A);
    assert!(s.four_s_four_c.unmarked.is_empty());
    let s = score_revenue_centre(rc(), [("4s4c.2.4.1", 2u8)], Vec::<(&str, u8)>::new()).unwrap();
    assert_eq!(s.total, 2);
    assert_eq!(s.four_s_four_c.groups[1].points, 2);
    assert_eq!(s.four_s_four_c.unmarked.len(), 35);
    assert_eq!(s.csmbs_survey.unmarked.len(), 14);
}

#[test]
fn only_0_or_2_and_known_items() {
    let form = rc().form(FORM_4S4C).unwrap();
    for bad in [1u8, 3, 4] {
        assert_eq!(
            score_form(form, [("4s4c.1.2", bad)]),
            Err(AssessmentError::InvalidMark {
                id: "4s4c.1.2".into(),
                mark: bad,
                max: 2
            })
        );
    }
    assert!(matches!(
        score_form(form, [("csmbs.5.1", 2u8)]),
        Err(AssessmentError::UnknownItem { .. })
    ));
    assert_eq!(
        score_form(form, [("4s4c.1.2", 2u8), ("4s4c.1.2", 0)]),
        Err(AssessmentError::DuplicateItem("4s4c.1.2".into()))
    );
}

#[test]
fn indicator_share_must_exceed_90_percent() {
    let good = score_revenue_centre(rc(), all(FORM_4S4C, 2), all(FORM_CSMBS_SURVEY, 2)).unwrap();
    let (a, b) = total_of(60);
    let poor = score_revenue_centre(rc(), a, b).unwrap();
    let mut units = vec![good.clone(); 9];
    units.push(poor.clone());
    // 9 of 10 = 90 %, not > 90 %.
    assert_eq!(revenue_centre_indicator(&units, rc()).met, Some(false));
    let mut units = vec![good; 10];
    units.push(poor);
    assert_eq!(revenue_centre_indicator(&units, rc()).met, Some(true));
}

#[test]
fn collection_period_suggestions() {
    let s = suggest_marks(
        rc(),
        CollectionDays {
            uc: Some(60.0.into()),
            csmbs: Some(60.01.into()),
            sss: Some(120.0.into()),
        },
    );
    let got: Vec<_> = s.iter().map(|m| (m.item_id.as_str(), m.mark)).collect();
    assert_eq!(
        got,
        vec![("4s4c.2.4.1", 2), ("4s4c.2.4.2", 0), ("4s4c.2.4.3", 2)]
    );
    assert!(s[2].reason_en.contains("≤ 120 days"));
    assert!(suggest_marks(rc(), CollectionDays::default()).is_empty());
}

#[test]
fn measured_collection_periods_meet_the_limit_exactly() {
    // (40 + 80) / 2 ÷ 29 × 29 is exactly 60 days; f64 makes it 60.00000000000001.
    let m = |closing: i64| DayMeasure {
        balance: Balance {
            opening: Satang(40),
            closing: Satang(closing),
        },
        flow_ytd: Satang(29),
        days_ytd: 29,
    };
    assert!(
        m(80).days().unwrap() > 60.0,
        "the f64 display value overshoots"
    );
    let marks = |closing: i64| {
        let days = CollectionDays {
            uc: Some(m(closing).into()),
            ..CollectionDays::default()
        };
        suggest_marks(rc(), days)
            .iter()
            .map(|s| (s.item_id.clone(), s.mark))
            .collect::<Vec<_>>()
    };
    assert_eq!(marks(80), vec![("4s4c.2.4.1".to_owned(), 2)]);
    assert_eq!(marks(81), vec![("4s4c.2.4.1".to_owned(), 0)]);
    // No revenue: no period, no suggestion.
    let none = DayMeasure {
        flow_ytd: Satang::ZERO,
        ..m(80)
    };
    let days = CollectionDays {
        uc: Some(none.into()),
        ..CollectionDays::default()
    };
    assert!(suggest_marks(rc(), days).is_empty());
}

// ------------------------------------------------------------------------------------------------
// 4P
// ------------------------------------------------------------------------------------------------

fn four_p_ids() -> Vec<String> {
    CriteriaSet::builtin()
        .four_p
        .items
        .iter()
        .map(|i| i.id.clone())
        .collect()
}

#[test]
fn four_p_catalogue() {
    let ids = four_p_ids();
    assert_eq!(
        ids.len(),
        24,
        "23 numbered items, item 4 marked as 4.1 and 4.2"
    );
    assert_eq!(ids[0], "4p.1");
    assert_eq!(&ids[3..5], ["4p.4.1", "4p.4.2"]);
    assert_eq!(ids.last().unwrap(), "4p.23");
    // Every group prints a Thai name, never its code.
    let fp = &CriteriaSet::builtin().four_p;
    for i in &fp.items {
        let (th, en) = fp.group_label(&i.group);
        assert!(th != i.group && en != i.group, "{} unnamed", i.group);
    }
    assert_eq!(fp.group_label("PORT").0, "Port: การควบคุมพัสดุและคลัง");
    // A set whose item names an unknown group is refused with the item named.
    let mut bad = CriteriaSet::builtin().clone();
    bad.four_p.items[0].group = "NOPE".into();
    let err = bad.validate().unwrap_err().to_string();
    assert!(err.contains("4p.1") && err.contains("NOPE"), "{err}");
}

#[test]
fn four_p_percent_with_na_items() {
    let c = &CriteriaSet::builtin().four_p;
    let ids = four_p_ids();
    // All complete: 48/48.
    let r = score_four_p(c, ids.iter().map(|i| (i, FourPMark::Complete))).unwrap();
    assert_eq!(
        (r.sum, r.applicable, r.max_points, r.percent, r.passed),
        (48, 24, 48, Some(100.0), Some(true))
    );
    // 20 complete, 4 n/a: the denominator shrinks to 40 → 100 %.
    let marks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            (
                id.clone(),
                if k < 4 {
                    FourPMark::NotApplicable
                } else {
                    FourPMark::Complete
                },
            )
        })
        .collect();
    let r = score_four_p(c, marks).unwrap();
    assert_eq!((r.sum, r.applicable, r.max_points), (40, 20, 40));
    assert_eq!(r.percent, Some(100.0));
    // Exactly 80 %: 10 applicable items, 16 points (6 complete + 4 incomplete) → 16/20 = 80 % → pass.
    let marks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let m = match k {
                0..=5 => FourPMark::Complete,
                6..=9 => FourPMark::Incomplete,
                _ => FourPMark::NotApplicable,
            };
            (id.clone(), m)
        })
        .collect();
    let r = score_four_p(c, marks.clone()).unwrap();
    assert_eq!(
        (r.sum, r.max_points, r.percent, r.passed),
        (16, 20, Some(80.0), Some(true))
    );
    // One incomplete → absent: 15/20 = 75 % → fail.
    let mut worse = marks;
    worse[9].1 = FourPMark::Absent;
    let r = score_four_p(c, worse).unwrap();
    assert_eq!((r.percent, r.passed), (Some(75.0), Some(false)));
    // All n/a: no percent.
    let r = score_four_p(c, ids.iter().map(|i| (i, FourPMark::NotApplicable))).unwrap();
    assert_eq!((r.applicable, r.percent, r.passed), (0, None, None));
    // Unmarked items count as absent and are listed.
    let r = score_four_p(c, [("4p.1", FourPMark::Complete)]).unwrap();
    assert_eq!((r.sum, r.applicable, r.unmarked.len()), (2, 24, 23));
    // Errors.
    assert!(matches!(
        score_four_p(c, [("4p.4", FourPMark::Complete)]),
        Err(AssessmentError::UnknownItem { .. })
    ));
}

#[test]
fn four_p_marks_parse() {
    for (s, m) in [
        ("2", FourPMark::Complete),
        ("๑", FourPMark::Incomplete),
        ("0", FourPMark::Absent),
        ("x", FourPMark::NotApplicable),
        ("N/A", FourPMark::NotApplicable),
    ] {
        assert_eq!(s.parse::<FourPMark>(), Ok(m), "{s}");
    }
    assert!("3".parse::<FourPMark>().is_err());
}

#[test]
fn q2_mark_suggestion_at_exactly_50_percent() {
    let x = CriteriaSet::builtin().planfin.q2_threshold_pct;
    assert_eq!(x, Hundredths::from_int(50));
    let s = suggest_q2_mark(PlanSide::Revenue, Satang(1_000_000), Satang(500_000), x);
    assert_eq!((s.mark, s.pct_of_plan), (FourPMark::Complete, Some(50.0)));
    assert_eq!(
        suggest_q2_mark(PlanSide::Expense, Satang(1_000_000), Satang(499_999), x).mark,
        FourPMark::Incomplete
    );
    assert_eq!(
        suggest_q2_mark(PlanSide::Expense, Satang(0), Satang(499_999), x).mark,
        FourPMark::Absent
    );
}
