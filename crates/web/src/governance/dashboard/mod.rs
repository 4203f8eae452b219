//! The province dashboard: crisis levels per round, measures, milestones, 4P and revenue-centre
//! indicators, each unit's latest figures; page, JSON and XLSX.

mod xlsx;

use super::*;
use crate::error::hcode_of;
use raidai_governance::criteria::{ShareCheck, ShareTarget};

use xlsx::dashboard_workbook;

#[derive(Deserialize, Default)]
pub struct FyQuery {
    pub fy: Option<u16>,
}

pub struct RoundRow {
    pub months: u8,
    pub period_label: String,
    pub units: String,
    pub unit_count: usize,
    pub l7: String,
    pub l7_target: String,
    pub l6: String,
    pub l6_target: String,
    /// "met", "not_met" or "" (no data).
    pub met: &'static str,
}

pub struct TrendCell {
    pub label: String,
    pub level: Option<u8>,
}

pub struct UnitRiskRow {
    pub hcode: String,
    pub name: String,
    pub district: String,
    pub latest_label: String,
    pub latest: Option<u8>,
    pub cr: String,
    pub ni: String,
    /// The same figures as numbers, for the XLSX (CR; NI in satang; 4P percent).
    pub cr_value: Option<f64>,
    pub ni_satang: Option<Satang>,
    pub four_p_value: Option<f64>,
    pub ni_neg: bool,
    pub undefined: bool,
    pub trend: Vec<TrendCell>,
    /// Latest round's 4S4C grade and total, linked to the form.
    pub rc_grade: String,
    pub rc_link: String,
    pub rc_good: bool,
    /// Latest round's 4P percentage, linked to the paper.
    pub four_p: String,
    pub four_p_link: String,
    pub four_p_passed: bool,
    /// TPS total and grade of the latest quarter, linked to the unit's TPS page.
    pub tps: String,
    pub tps_link: String,
    pub tps_good: bool,
    /// Planfin type of the year, with whether it is a no-risk type.
    pub plan_type: Option<u8>,
    pub plan_no_risk: bool,
}

/// One of the financial-crisis indicator's measures, with raidai's count where it has the data.
pub struct MeasureRow {
    pub name: String,
    pub indicator: String,
    pub target: String,
    pub result: String,
    pub met: &'static str,
    /// Units in scope without the data (counted as not met), "hcode name" each.
    pub missing: Vec<String>,
    pub id: String,
    pub nums: Option<Scoped>,
}

/// A count over the units in scope as numbers, for the API twin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scoped {
    pub met: usize,
    pub total: usize,
    /// Codes of the units in scope without the data (counted as not met).
    pub missing: Vec<String>,
}

pub(crate) fn scoped(c: &ScopedCount<(String, String)>) -> Scoped {
    Scoped {
        met: c.met,
        total: c.total,
        missing: c.missing.iter().map(|(h, _)| h.clone()).collect(),
    }
}

/// A small-success milestone of the year's plan: measured by raidai where it can be.
pub struct MilestoneRow {
    pub months: &'static str,
    pub indicator: String,
    pub target: String,
    /// Empty when the inspectors report it.
    pub result: String,
    pub met: &'static str,
    pub missing: Vec<String>,
    pub nums: Option<Scoped>,
}

/// One round's 4P pass rate: units with a paper of those in scope, and how many pass.
pub struct FourPRoundRow {
    pub round: u8,
    pub assessed: String,
    pub passed: String,
    /// Units in scope without a paper (or one where no item applies), "hcode name" each.
    pub missing: Vec<String>,
    pub nums: Scoped,
}

/// Indicator 2 (quality revenue-collection centres) for the year.
pub struct CentreIndicator {
    pub assessed: String,
    pub good: String,
    pub target: String,
    pub met: &'static str,
    /// Units in scope not assessed (counted as not good), "hcode name" each.
    pub missing: Vec<String>,
    pub nums: Scoped,
}

/// Everything the dashboard and its XLSX export show for one fiscal year.
pub(crate) struct Dashboard {
    fy: u16,
    years: Vec<u16>,
    criteria: String,
    rounds: Vec<RoundRow>,
    units: Vec<UnitRiskRow>,
    distribution: Vec<(u8, usize)>,
    any_undefined: bool,
    centres: CentreIndicator,
    four_p: Vec<FourPRoundRow>,
    four_p_target: String,
    milestones: Vec<MilestoneRow>,
    measures: Vec<MeasureRow>,
}

/// A unit's latest scored forms of a year: the revenue centre and the 4P paper.
pub(crate) type LatestForms = (
    Option<(AssessmentKey, RevenueCentreScore)>,
    Option<(AssessmentKey, FourPResult)>,
);

/// The latest round's scores of each unit's assessments in a fiscal year, by unit.
/// Each round's 4P verdicts by unit (`None`: no item applies).
pub(crate) type FourPByRound = BTreeMap<u8, BTreeMap<String, Option<bool>>>;

pub(crate) async fn latest_assessments(
    st: &AppState,
    me: &Actor,
    fy: u16,
) -> Result<(BTreeMap<String, LatestForms>, FourPByRound), AppError> {
    let mut out: BTreeMap<String, LatestForms> = BTreeMap::new();
    let mut rounds = FourPByRound::new();
    // Newest round first, so the first seen per unit and form is the latest.
    for s in st.store.list_assessments(me, None, Some(fy)).await? {
        let entry = out.entry(s.key.hcode.clone()).or_default();
        let taken = match s.key.form {
            FormKind::RevenueCentre => entry.0.is_some(),
            // Every round's 4P paper counts toward that round's pass rate.
            FormKind::FourP => false,
        };
        if taken {
            continue;
        }
        let Some(a) = st.store.get_assessment(me, &s.key).await? else {
            continue;
        };
        let criteria = s.key.criteria();
        match s.key.form {
            FormKind::RevenueCentre => {
                let rc = &criteria.revenue_centre;
                let marks = a.rc_marks();
                let of_form = |form: &str| -> Vec<(String, u8)> {
                    let f = rc.form(form);
                    marks
                        .iter()
                        .filter(|(id, _)| f.is_some_and(|f| f.items.iter().any(|i| &i.id == id)))
                        .cloned()
                        .collect()
                };
                if let Ok(score) =
                    score_revenue_centre(rc, of_form(FORM_4S4C), of_form(FORM_CSMBS_SURVEY))
                {
                    entry.0 = Some((s.key.clone(), score));
                }
            }
            FormKind::FourP => {
                if let Ok(r) = score_four_p(&criteria.four_p, a.four_p_marks()) {
                    rounds
                        .entry(s.key.round)
                        .or_default()
                        .insert(s.key.hcode.clone(), r.passed);
                    if entry.1.is_none() {
                        entry.1 = Some((s.key.clone(), r));
                    }
                }
            }
        }
    }
    Ok((out, rounds))
}

pub(crate) fn form_link(k: &AssessmentKey) -> String {
    format!(
        "/units/{}/assessments/{}/{}/{}",
        k.hcode,
        k.fiscal_year,
        k.round,
        k.form.code()
    )
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|p| format!("{}%", format_decimal_thai(p, 2)))
        .unwrap_or_else(|| "–".into())
}

/// A percentage shown beside its verdict against `limit` %: never rounded onto or across it.
pub(crate) fn pct_beside(v: Option<f64>, limit: f64) -> String {
    v.map(|p| {
        let (x, d) = shown_beside_limit(p, limit);
        format!("{}%", format_decimal_thai(x, d))
    })
    .unwrap_or_else(|| "–".into())
}

/// Units counted beside their share, e.g. "3 (2.5%)".
fn share_count(c: &ShareCheck) -> String {
    format!(
        "{} ({})",
        format_int_thai(c.count as i64),
        pct_beside(c.pct, c.target.pct.as_f64())
    )
}

/// A share target as its comparison and whole percent, e.g. "≤ 2%".
fn share_target(target: &ShareTarget) -> String {
    format!(
        "{} {}%",
        target.cmp.symbol(),
        format_decimal_thai(target.pct.as_f64(), 0)
    )
}

pub(crate) fn round_row(t: T, fy: u16, s: &ProvinceRiskSummary) -> RoundRow {
    RoundRow {
        months: s.round_months,
        period_label: period_label(t, u32::from(fy) * 100 + u32::from(s.round_months)),
        units: format_int_thai(s.units as i64),
        unit_count: s.units,
        l7: share_count(&s.level7),
        l7_target: share_target(&s.level7.target),
        l6: share_count(&s.level6),
        l6_target: share_target(&s.level6.target),
        met: met_key(s.met),
    }
}

pub(crate) async fn build_dashboard(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: Option<u16>,
) -> Result<Dashboard, AppError> {
    let mut years = st.store.position_years(me).await?;
    let fy = fy
        .or_else(|| years.first().copied())
        .unwrap_or_else(current_fy);
    if !years.contains(&fy) {
        years.push(fy);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let first = u32::from(fy) * 100 + 1;
    let positions = st.store.positions_in_scope(me, first, first + 11).await?;
    let criteria = criteria_for_period(first);
    let mut by_unit: BTreeMap<String, Vec<(u32, RiskResult)>> = BTreeMap::new();
    for p in &positions {
        if let Ok(r) = p.score() {
            by_unit
                .entry(p.input.hcode.clone())
                .or_default()
                .push((p.input.period, r));
        }
    }
    let rounds = criteria
        .risk_score
        .rounds
        .iter()
        .map(|round| {
            let period = first - 1 + u32::from(round.months);
            let results: Vec<RiskResult> = by_unit
                .values()
                .filter_map(|v| v.iter().find(|(p, _)| *p == period).map(|(_, r)| r.clone()))
                .collect();
            round_row(t, fy, &province_levels(&results, round))
        })
        .collect();
    let units = st.store.list_units(me, &UnitQuery::default()).await?;
    let districts: BTreeMap<String, String> = st
        .store
        .list_districts(me)
        .await?
        .into_iter()
        .map(|d| (d.code.clone(), t.pick(&d.name_th, &d.name_en).to_string()))
        .collect();
    let (assessed, four_p_rounds) = latest_assessments(st, me, fy).await?;
    let plans = st.store.plan_types_in_scope(me, fy).await?;
    // TPS of the latest quarter with inputs.
    let mut tps: BTreeMap<String, (u8, raidai_governance::tps::TpsResult)> = BTreeMap::new();
    for q in (1..=4u8).rev() {
        let inputs = st.store.tps_inputs_in_scope(me, fy, q).await?;
        if inputs.is_empty() {
            continue;
        }
        for mut i in inputs {
            // The same province-wide peer medians as the unit's own TPS page.
            let peers = st
                .store
                .tps_peer_medians(me, hcode_of(&i.hcode)?, fy, q)
                .await?;
            if let Some(m) = peers.get(&i.peer_group) {
                i.medians.fill_from(m);
            }
            tps.insert(i.hcode.clone(), (q, tps_score(&i, &criteria.tps)));
        }
        break;
    }
    let efficiency_min = criteria
        .measures
        .iter()
        .find(|m| m.id == "efficiency")
        .and_then(|m| m.unit_threshold);
    let mut distribution = [0usize; 8];
    let mut rows = Vec::new();
    // Every unit a measure is counted over: the hospitals in scope and any unit with data.
    let mut scope: Vec<(String, String)> = Vec::new();
    for u in &units {
        let results = by_unit.get(&u.hcode);
        let forms = assessed.get(&u.hcode);
        if results.is_none()
            && forms.is_none()
            && !plans.contains_key(&u.hcode)
            && !tps.contains_key(&u.hcode)
            && !u.unit_type.is_hospital()
        {
            continue;
        }
        scope.push((u.hcode.clone(), u.name_th.clone()));
        let rc = forms.and_then(|f| f.0.as_ref());
        let fp = forms.and_then(|f| f.1.as_ref());
        let latest = results.and_then(|v| v.last());
        if let Some((_, r)) = latest {
            distribution[usize::from(r.risk_score.min(7))] += 1;
        }
        let trend = (1..=12u32)
            .map(|m| {
                let period = first - 1 + m;
                TrendCell {
                    label: period_label(t, period),
                    level: results
                        .and_then(|v| v.iter().find(|(p, _)| *p == period))
                        .map(|(_, r)| r.risk_score),
                }
            })
            .collect();
        rows.push(UnitRiskRow {
            hcode: u.hcode.clone(),
            name: u.name_th.clone(),
            district: districts.get(&u.district_code).cloned().unwrap_or_default(),
            latest_label: latest.map(|(p, _)| period_label(t, *p)).unwrap_or_default(),
            latest: latest.map(|(_, r)| r.risk_score),
            cr: ratio(latest.and_then(|(_, r)| r.cr)),
            ni: latest
                .map(|(_, r)| baht(r.ni))
                .unwrap_or_else(|| "–".into()),
            cr_value: latest.and_then(|(_, r)| r.cr).map(|h| h.as_f64()),
            ni_satang: latest.map(|(_, r)| r.ni),
            four_p_value: fp.and_then(|(_, r)| r.percent),
            ni_neg: latest.is_some_and(|(_, r)| r.ni.is_negative()),
            undefined: latest.is_some_and(|(_, r)| r.ratios_undefined),
            trend,
            rc_grade: rc
                .map(|(_, s)| format!("{} ({})", s.grade.grade, s.total))
                .unwrap_or_default(),
            rc_link: rc.map(|(k, _)| form_link(k)).unwrap_or_default(),
            rc_good: rc.is_some_and(|(_, s)| s.good_or_better),
            four_p: fp
                .map(|(_, r)| pct_beside(r.percent, criteria.four_p.target_pct.as_f64()))
                .unwrap_or_default(),
            four_p_link: fp.map(|(k, _)| form_link(k)).unwrap_or_default(),
            four_p_passed: fp.is_some_and(|(_, r)| r.passed == Some(true)),
            tps: tps
                .get(&u.hcode)
                .map(|(_, r)| format!("{} ({})", r.grade.grade, r.total.to_fixed_string()))
                .unwrap_or_default(),
            tps_link: tps
                .get(&u.hcode)
                .map(|(q, _)| format!("/units/{}/tps/{fy}/{q}", u.hcode))
                .unwrap_or_default(),
            tps_good: tps
                .get(&u.hcode)
                .is_some_and(|(_, r)| efficiency_min.is_some_and(|min| r.total >= min)),
            plan_type: plans.get(&u.hcode).copied(),
            plan_no_risk: plans
                .get(&u.hcode)
                .is_some_and(|pt| is_no_risk_type(*pt, &criteria.planfin)),
        });
    }
    let named = |c: &ScopedCount<(String, String)>| -> Vec<String> {
        c.missing.iter().map(|(h, n)| format!("{h} {n}")).collect()
    };
    let rc = count_in_scope(&scope, |(h, _)| {
        assessed
            .get(h)
            .and_then(|f| f.0.as_ref())
            .map(|(_, s)| s.good_or_better)
    });
    let share = evaluate_share(rc.met, rc.total, criteria.revenue_centre.good_share);
    let centres = CentreIndicator {
        assessed: format!(
            "{} / {}",
            format_int_thai((rc.total - rc.missing.len()) as i64),
            format_int_thai(rc.total as i64)
        ),
        good: share_count(&share),
        target: share_target(&share.target),
        met: met_key(share.met),
        missing: named(&rc),
        nums: scoped(&rc),
    };
    // 4P: the share of units whose paper passes (≥ the paper's target), per round.
    let four_p_target = criteria.four_p.target_pct.as_f64();
    let four_p = ASSESSMENT_ROUNDS
        .map(|round| {
            let by_unit = four_p_rounds.get(&round);
            let c = count_in_scope(&scope, |(h, _)| {
                by_unit.and_then(|m| m.get(h).copied().flatten())
            });
            let share = (c.total > 0).then(|| c.met as f64 * 100.0 / c.total as f64);
            FourPRoundRow {
                round,
                assessed: format!(
                    "{} / {}",
                    format_int_thai((c.total - c.missing.len()) as i64),
                    format_int_thai(c.total as i64)
                ),
                passed: format!("{} ({})", format_int_thai(c.met as i64), pct(share)),
                missing: named(&c),
                nums: scoped(&c),
            }
        })
        .collect();
    // Small-success milestones of the plan (seed 004): at 3 months every unit has a plan; at
    // 12 months the units' spending passes the 4P paper (its last round). The 6–9-month ones
    // are processes the inspectors report.
    // A plan counts once the chief approved it; a plan not yet approved is "not met".
    let plan_states = st.store.plan_states_in_scope(me, fy).await?;
    let has_plan = count_in_scope(&scope, |(h, _)| {
        plan_states.get(h).map(|state| state == "approved")
    });
    // The 3–5-year financial strategy (policy of seed 004): a unit without one is listed.
    let strategies = st.store.strategy_units_in_scope(me, fy).await?;
    let has_strategy = count_in_scope(&scope, |(h, _)| strategies.contains(h).then_some(true));
    let last_round = *ASSESSMENT_ROUNDS.end();
    let passing = count_in_scope(&scope, |(h, _)| {
        four_p_rounds
            .get(&last_round)
            .and_then(|m| m.get(h).copied().flatten())
    });
    // target: the share of units that must meet it (%), when the plan names one.
    let milestone = |months: &'static str,
                     key: &'static str,
                     c: Option<&ScopedCount<(String, String)>>,
                     target: Option<u32>| {
        let share = c.and_then(|c| (c.total > 0).then(|| c.met as f64 * 100.0 / c.total as f64));
        let limit = f64::from(target.unwrap_or(0));
        MilestoneRow {
            months,
            indicator: t.s(key).to_string(),
            target: target.map(|p| format!("{p}%")).unwrap_or_default(),
            result: c
                .map(|c| {
                    format!(
                        "{} / {} ({})",
                        format_int_thai(c.met as i64),
                        format_int_thai(c.total as i64),
                        pct_beside(share, limit)
                    )
                })
                .unwrap_or_default(),
            met: met_key(c.zip(target).and_then(|(c, p)| {
                (c.total > 0).then(|| c.met as u64 * 100 >= c.total as u64 * u64::from(p))
            })),
            missing: c.map(named).unwrap_or_default(),
            nums: c.map(scoped),
        }
    };
    // The office's own items (1: a person reviews the plans, 2: a process follows plan vs
    // actual) come from its 4P paper, for a province user (one office in scope); the latest
    // round with a mark counts.
    let pho_marks: Vec<BTreeMap<String, raidai_store::governance::ItemMark>> =
        match (&me.who.role, &me.who.province_code) {
            (Role::Province, Some(p)) => {
                let mut out = Vec::new();
                for round in ASSESSMENT_ROUNDS.rev() {
                    if let Some(paper) = st.store.pho_paper(me, p, fy, round).await? {
                        out.push(paper.input.marks);
                    }
                }
                out
            }
            _ => Vec::new(),
        };
    let pho_milestone = |months: &'static str, key: &'static str, item: &str| {
        let mark = pho_marks
            .iter()
            .find_map(|m| m.get(item).filter(|m| !m.mark.is_empty()));
        let mut row = milestone(months, key, None, None);
        if let Some(m) = mark {
            row.result = format!(
                "{} {}",
                t.s("gov_pho_paper_mark"),
                if m.mark == "x" { "n/a" } else { &m.mark }
            );
            row.met = met_key(Some(m.mark == "2"));
        }
        row
    };
    let milestones = vec![
        milestone("3", "gov_ms_every_unit_plan", Some(&has_plan), Some(100)),
        pho_milestone("3", "gov_ms_pho_owner", "4p.1"),
        pho_milestone("6–9", "gov_ms_pho_process", "4p.2"),
        milestone("6–9", "gov_ms_plan_vs_actual", None, None),
        milestone("12", "gov_ms_spending_passes", Some(&passing), None),
        milestone("–", "strat_measure", Some(&has_strategy), Some(100)),
    ];
    // The measures raidai can count, over every unit in scope (no data = not met): surplus
    // from the latest positions, TPS, no-risk plans from Planfin; the others are reported by
    // inspectors.
    let measures = criteria
        .measures
        .iter()
        .map(|m| {
            let counted = match m.id.as_str() {
                "budgeting.surplus" => Some(count_in_scope(&scope, |(h, _)| {
                    by_unit
                        .get(h)
                        .and_then(|v| v.last())
                        .map(|(_, r)| r.ni.is_positive())
                })),
                "efficiency" => efficiency_min.map(|min| {
                    count_in_scope(&scope, |(h, _)| tps.get(h).map(|(_, r)| r.total >= min))
                }),
                "budgeting.no_risk_plan" => Some(count_in_scope(&scope, |(h, _)| {
                    plans
                        .get(h)
                        .map(|pt| is_no_risk_type(*pt, &criteria.planfin))
                })),
                _ => None,
            };
            let check = counted.as_ref().and_then(|c| m.evaluate(c.met, c.total));
            MeasureRow {
                name: t.pick(&m.measure_th, &m.measure_en).to_string(),
                indicator: t.pick(&m.indicator_th, &m.indicator_en).to_string(),
                target: match (&m.share, &m.qualitative_th) {
                    (Some(sh), _) => share_target(sh),
                    (None, Some(q)) => t
                        .pick(q, m.qualitative_en.as_deref().unwrap_or(""))
                        .to_string(),
                    _ => String::new(),
                },
                result: match &check {
                    Some(c) => format!(
                        "{} / {} ({})",
                        format_int_thai(c.count as i64),
                        format_int_thai(c.total as i64),
                        pct_beside(c.pct, c.target.pct.as_f64())
                    ),
                    None => String::new(),
                },
                met: met_key(check.as_ref().and_then(|c| c.met)),
                missing: counted.as_ref().map(named).unwrap_or_default(),
                id: m.id.clone(),
                nums: counted.as_ref().map(scoped),
            }
        })
        .collect();
    // Worst first: that is where an inspector starts.
    rows.sort_by(|a, b| b.latest.cmp(&a.latest).then(a.hcode.cmp(&b.hcode)));
    Ok(Dashboard {
        fy,
        years,
        criteria: crate::governance::criteria_label(t, criteria),
        rounds,
        distribution: (0..8u8)
            .map(|l| (l, distribution[usize::from(l)]))
            .collect(),
        any_undefined: rows.iter().any(|r| r.undefined),
        units: rows,
        centres,
        four_p,
        milestones,
        four_p_target: format!("≥ {}%", format_decimal_thai(four_p_target, 0)),
        measures,
    })
}

#[derive(Template)]
#[template(path = "gov/dashboard.html")]
pub(crate) struct DashboardPage {
    l: Layout,
    d: Dashboard,
    fy_label: String,
    years: Vec<(u16, String)>,
    can_import: bool,
    errors: Errors,
    imported: String,
}

pub(crate) fn sees_dashboard(me: &Actor) -> bool {
    matches!(me.who.role, Role::Admin | Role::Province | Role::District)
}

pub(crate) async fn dashboard_page(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: Option<u16>,
    errors: Vec<FieldError>,
    imported: String,
) -> Result<DashboardPage, AppError> {
    let d = build_dashboard(st, t, me, fy).await?;
    Ok(DashboardPage {
        l: Layout::new(t, Some(me), t.s("gov_title"), "governance"),
        fy_label: fy_label(t, d.fy),
        years: d.years.iter().map(|y| (*y, fy_label(t, *y))).collect(),
        can_import: matches!(me.who.role, Role::Admin | Role::Province),
        errors: Errors::new(t, errors),
        imported,
        d,
    })
}

pub async fn dashboard(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        // A unit's own people go to their unit's figures.
        return match &me.who.hcode {
            Some(h) => Ok(Redirect::to(&format!("/units/{h}/finance")).into_response()),
            None => Err(AppError::Forbidden),
        };
    }
    render(&dashboard_page(&st, t, &me, q.fy, vec![], String::new()).await?)
}

/// API twin of the dashboard: every count over the units in scope as numbers, with the codes of
/// the units without data.
pub async fn dashboard_json(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        return Ok(AppError::Forbidden.into_json());
    }
    let d = build_dashboard(&st, t, &me, q.fy).await?;
    Ok(axum::Json(serde_json::json!({
        "fy": d.fy,
        "criteria": d.criteria,
        "measures": d.measures.iter().map(|m| serde_json::json!({
            "id": m.id, "name": m.name, "indicator": m.indicator, "target": m.target,
            "met": verdict(m.met),
            "counted": m.nums,
        })).collect::<Vec<_>>(),
        "revenue_centres": d.centres.nums,
        "four_p": d.four_p.iter().map(|r| serde_json::json!({ "round": r.round, "passing": r.nums })).collect::<Vec<_>>(),
        "milestones": d.milestones.iter().map(|m| serde_json::json!({
            "months": m.months, "indicator": m.indicator, "target": m.target,
            "met": verdict(m.met),
            "counted": m.nums,
        })).collect::<Vec<_>>(),
        "units": d.units.iter().map(|u| serde_json::json!({
            "hcode": u.hcode, "risk_level": u.latest, "cr": u.cr_value, "ni_satang": u.ni_satang,
            "four_p_percent": u.four_p_value, "plan_type": u.plan_type,
        })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// Ratio items for many units at once (HFO's published figures), by the province or an admin.
pub async fn import_ratio_items(
    Ctx { st, t, me }: Ctx,
    req: Request,
) -> Result<Response, AppError> {
    if !matches!(me.who.role, Role::Admin | Role::Province) {
        return Err(AppError::Forbidden);
    }
    let (_, file) = multipart_for(&st, req).await?;
    let result = match parse_csv_upload(&file, parse_positions_csv) {
        Ok(rows) => st.store.import_positions(&me, &rows, 2).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => {
            render(&dashboard_page(&st, t, &me, None, vec![], format_int_thai(n as i64)).await?)
        }
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &dashboard_page(&st, t, &me, None, errs, String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// The dashboard as a workbook: the indicator per round and every unit's monthly levels.
pub async fn dashboard_xlsx(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    if !sees_dashboard(&me) {
        return Err(AppError::Forbidden);
    }
    let d = build_dashboard(&st, t, &me, q.fy).await?;
    let bytes = dashboard_workbook(t, &d).map_err(|e| AppError::unexpected_in("xlsx", e))?;
    let name = format!("risk-score-{}.xlsx", d.fy);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
