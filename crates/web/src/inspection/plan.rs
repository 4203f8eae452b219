//! The inspection plan: list, sample and schedule, results by place, the A4 report and the JSON twin.

use super::*;
use crate::error::hcode_of;

pub(super) struct PlanRow {
    province: String,
    province_name: String,
    fy: u16,
    fy_label: String,
    round: u8,
    places: i64,
}

#[derive(Template)]
#[template(path = "gov/inspections.html")]
pub(super) struct ListPage {
    l: Layout,
    rows: Vec<PlanRow>,
    provinces: Vec<(String, String)>,
    years: Vec<(u16, String)>,
    current: u16,
}

pub async fn list(State(st): State<AppState>, Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let provinces = st.store.list_provinces(&me).await?;
    let mut rows = Vec::new();
    for p in &provinces {
        for (fy, round, places) in st.store.inspections(&me, &p.code).await? {
            rows.push(PlanRow {
                province: p.code.clone(),
                province_name: p.name_th.clone(),
                fy,
                fy_label: fy_label(t, fy),
                round,
                places,
            });
        }
    }
    let now = crate::governance::current_fy();
    render(&ListPage {
        l: Layout::new(t, Some(&me), t.s("insp_list"), "governance"),
        rows,
        provinces: provinces.into_iter().map(|p| (p.code, p.name_th)).collect(),
        years: (now.saturating_sub(3)..=now + 1)
            .rev()
            .map(|y| (y, fy_label(t, y)))
            .collect(),
        current: now,
    })
}

#[derive(Deserialize)]
pub struct OpenQuery {
    pub province: Option<String>,
    pub fy: Option<u16>,
    pub round: Option<u8>,
}

pub async fn open(Me(me): Me, Query(q): Query<OpenQuery>) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let code: String = q
        .province
        .or_else(|| me.who.province_code.clone())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if code.is_empty() {
        return Ok(Redirect::to("/governance/inspections").into_response());
    }
    let fy = q.fy.unwrap_or_else(crate::governance::current_fy);
    Ok(Redirect::to(&format!(
        "/governance/inspections/{code}/{fy}/{}",
        q.round.unwrap_or(1)
    ))
    .into_response())
}

/// One place of the plan with what the inspection looks at.
#[derive(Serialize)]
pub struct PlaceView {
    /// '' for the provincial office.
    pub target: String,
    /// The path segment of the findings page ("pho" for the office).
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub visit_on: Option<String>,
    pub visit_on_be: String,
    pub four_p: Option<String>,
    pub four_p_passed: Option<bool>,
    pub four_p_url: String,
    /// Q2 plan vs actual: revenue %, expense %, each with its verdict key.
    pub q2_revenue: String,
    pub q2_revenue_met: &'static str,
    pub q2_expense: String,
    pub q2_expense_met: &'static str,
    /// The plan's approval state label key; '' for the office.
    pub plan_state: &'static str,
    pub has_plan: Option<bool>,
    pub strategy: Option<bool>,
    pub findings: Vec<(String, String, String, String)>,
    pub recommendation: String,
}

/// A hospital of the province, offered for the sample.
pub(super) struct Candidate {
    hcode: String,
    name: String,
    kind: &'static str,
    chosen: bool,
    visit_on: String,
}

/// Everything the plan page, the report and the JSON twin show.
#[derive(Serialize)]
pub struct InspectionView {
    pub province: String,
    pub province_name: String,
    pub fy: u16,
    pub round: u8,
    pub planned: bool,
    pub inspectors: String,
    pub summary: String,
    pub places: Vec<PlaceView>,
    /// (hospitals visited with 4P ≥ target, hospitals visited with a score).
    pub outcome: (usize, usize),
    /// (hospitals of the province with an approved plan, hospitals of the province).
    pub every_plan: (usize, usize),
    pub gaps: Vec<String>,
    pub updated: String,
}

pub(super) async fn hospitals(
    st: &AppState,
    me: &Actor,
    province: &str,
) -> Result<Vec<Unit>, AppError> {
    Ok(st
        .store
        .list_units(me, &UnitQuery::default())
        .await?
        .into_iter()
        .filter(|u| u.province_code == province && u.unit_type.is_hospital() && u.active)
        .collect())
}

pub(super) async fn inspection_view(
    st: &AppState,
    t: T,
    me: &Actor,
    province: &str,
    fy: u16,
    round: u8,
) -> Result<(InspectionView, Option<Inspection>, Vec<Unit>), AppError> {
    let plan = st.store.inspection(me, province, fy, round).await?;
    let units = hospitals(st, me, province).await?;
    let criteria = criteria_for(fy);
    let pho_fp = paper_criteria(fy);
    let unit_fp = hospital_criteria(fy);
    let plans = st.store.plan_states_in_scope(me, fy).await?;
    let strategies = st.store.strategy_units_in_scope(me, fy).await?;
    let item_text = |id: &str| {
        criteria
            .four_p
            .items
            .iter()
            .find(|i| i.id == id)
            .map(|i| (i.number.clone(), t.pick(&i.text_th, &i.text_en).to_string()))
            .unwrap_or_else(|| (id.to_string(), String::new()))
    };
    let mut places = Vec::new();
    let mut outcome = (0, 0);
    for v in plan.iter().flat_map(|p| &p.visits) {
        let base = PlaceView {
            target: v.target.clone(),
            slug: if v.target.is_empty() {
                "pho".into()
            } else {
                v.target.clone()
            },
            name: String::new(),
            kind: String::new(),
            visit_on: v.visit_on.clone(),
            visit_on_be: be_date(t, v.visit_on.as_deref()),
            four_p: None,
            four_p_passed: None,
            four_p_url: String::new(),
            q2_revenue: "–".into(),
            q2_revenue_met: "",
            q2_expense: "–".into(),
            q2_expense_met: "",
            plan_state: "",
            has_plan: None,
            strategy: None,
            findings: Vec::new(),
            recommendation: v.recommendation.clone(),
        };
        let mut place = base;
        let marks = if v.target.is_empty() {
            place.name = format!(
                "{} {}",
                t.s("insp_pho"),
                province_name(st, me, province).await?
            );
            place.kind = "สสจ.".into();
            place.four_p_url = format!("/governance/pho/{province}/4p/{fy}/{round}");
            let paper = st.store.pho_paper(me, province, fy, round).await?;
            let marks = paper.map(|p| p.input.marks).unwrap_or_default();
            if let Some((s, passed)) = four_p_score(&pho_fp, &marks) {
                place.four_p = Some(s);
                place.four_p_passed = passed;
            }
            marks
        } else {
            let u = st.store.get_unit(me, hcode_of(&v.target)?).await?;
            place.name = u.name_th.clone();
            place.kind = u.unit_type.abbr_th().into();
            let key = AssessmentKey {
                hcode: u.hcode.clone(),
                fiscal_year: fy,
                round,
                form: FormKind::FourP,
            };
            place.four_p_url = format!("/units/{}/assessments/{fy}/{round}/4p", u.hcode);
            let marks = st
                .store
                .get_assessment(me, &key)
                .await?
                .map(|a| a.input.marks)
                .unwrap_or_default();
            // The unit's paper scored as its own page scores it (every item it holds).
            if let Some((s, passed)) = four_p_score(&criteria.four_p, &marks) {
                place.four_p = Some(s);
                place.four_p_passed = passed;
                outcome.1 += 1;
                if passed == Some(true) {
                    outcome.0 += 1;
                }
            }
            if let Some(y) = st.store.get_plan_year(me, hcode_of(&u.hcode)?, fy).await? {
                let pva = plan_vs_actual(&y.plan, &y.actuals, &criteria.planfin);
                if let Some(q) = pva.q2 {
                    let limit = q.threshold_pct.as_f64();
                    place.q2_revenue = pct_beside(q.revenue_pct, limit);
                    place.q2_revenue_met = met_key(q.revenue_met);
                    place.q2_expense = pct_beside(q.expense_pct, limit);
                    place.q2_expense_met = met_key(q.expense_met);
                }
            }
            place.has_plan = Some(plans.contains_key(&u.hcode));
            place.plan_state = plans
                .get(&u.hcode)
                .map_or("gov_no_plan_short", |s| step_label(s));
            place.strategy = Some(strategies.contains(&u.hcode));
            marks
        };
        let ids: Vec<&str> = if v.target.is_empty() {
            pho_fp.items.iter().map(|i| i.id.as_str()).collect()
        } else {
            unit_fp.items.iter().map(|i| i.id.as_str()).collect()
        };
        place.findings = ids
            .into_iter()
            .filter_map(|id| {
                let f = v.findings.get(id)?;
                let (n, text) = item_text(id);
                let mark = mark_text(marks.get(id));
                Some((n, text, mark, f.clone()))
            })
            .collect();
        places.push(place);
    }
    let chosen: Vec<_> = units
        .iter()
        .filter(|u| places.iter().any(|p| p.target == u.hcode))
        .map(|u| u.unit_type)
        .collect();
    let gaps = sample_gaps(&chosen)
        .into_iter()
        .map(|(en, th)| t.pick(th, en).to_string())
        .collect();
    let with_plan = units
        .iter()
        .filter(|u| plans.contains_key(&u.hcode))
        .count();
    let view = InspectionView {
        province: province.to_string(),
        province_name: province_name(st, me, province).await?,
        fy,
        round,
        planned: plan.is_some(),
        inspectors: plan
            .as_ref()
            .map(|p| p.inspectors.clone())
            .unwrap_or_default(),
        summary: plan.as_ref().map(|p| p.summary.clone()).unwrap_or_default(),
        places,
        outcome,
        every_plan: (with_plan, units.len()),
        gaps,
        updated: plan
            .as_ref()
            .map(|p| format!("{} · {}", datetime(t, p.updated_at), p.updated_by))
            .unwrap_or_default(),
    };
    Ok((view, plan, units))
}

pub(super) fn share(t: T, (n, d): (usize, usize), target: f64) -> (String, &'static str) {
    if d == 0 {
        return (t.s("no_data").to_string(), "");
    }
    let p = n as f64 * 100.0 / d as f64;
    (
        format!("{n} / {d} ({})", pct_beside(Some(p), target)),
        met_key(Some(p >= target)),
    )
}

#[derive(Template)]
#[template(path = "gov/inspection.html")]
pub(super) struct PlanPage {
    l: Layout,
    v: InspectionView,
    fy_label: String,
    candidates: Vec<Candidate>,
    pho_visit_on: String,
    outcome: (String, &'static str),
    every_plan: (String, &'static str),
    errors: Errors,
}

pub(super) async fn plan_page(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round): (&str, u16, u8),
    draft: Option<&InspectionPlanInput>,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlanPage, AppError> {
    if !may_inspect(me) {
        return Err(AppError::Forbidden);
    }
    let (mut v, _, units) = inspection_view(st, t, me, province, fy, round).await?;
    let date_of = |target: &str| -> Option<String> {
        match draft {
            Some(d) => d
                .visits
                .iter()
                .find(|(x, _)| x == target)
                .and_then(|(_, d)| d.clone()),
            None => v
                .places
                .iter()
                .find(|p| p.target == target)
                .and_then(|p| p.visit_on.clone()),
        }
    };
    let candidates = units
        .iter()
        .map(|u| Candidate {
            hcode: u.hcode.clone(),
            name: u.name_th.clone(),
            kind: u.unit_type.abbr_th(),
            chosen: match draft {
                Some(d) => d.visits.iter().any(|(x, _)| x == &u.hcode),
                None => v.places.iter().any(|p| p.target == u.hcode),
            },
            visit_on: date_of(&u.hcode).unwrap_or_default(),
        })
        .collect();
    let pho_visit_on = date_of("").unwrap_or_default();
    if let Some(d) = draft {
        v.inspectors = d.inspectors.clone();
        v.summary = d.summary.clone();
    }
    let target = criteria_for(fy).four_p.target_pct.as_f64();
    Ok(PlanPage {
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("insp_title"), v.province_name),
            "governance",
        )
        .with_flash(flash),
        fy_label: fy_label(t, fy),
        outcome: share(t, v.outcome, target),
        every_plan: share(t, v.every_plan, 100.0),
        v,
        candidates,
        pho_visit_on,
        errors: Errors::new(t, errors),
    })
}

pub(super) type PlanPath = Path<(String, u16, u8)>;

pub async fn plan(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PlanPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    render(&plan_page(&st, t, &me, (&province, fy, round), None, vec![], flash).await?)
}

pub async fn plan_save(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PlanPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let mut input = InspectionPlanInput::default();
    let mut dates: BTreeMap<String, String> = BTreeMap::new();
    let mut chosen = Vec::new();
    for (k, v) in f {
        match k.as_str() {
            "inspectors" => input.inspectors = v,
            "summary" => input.summary = v,
            "unit" => chosen.push(v.trim().to_string()),
            _ => {
                if let Some(target) = k.strip_prefix("date.") {
                    let target = if target == "pho" { "" } else { target };
                    dates.insert(target.to_string(), v.trim().to_string());
                }
            }
        }
    }
    input.visits.push((
        String::new(),
        dates.get("").cloned().filter(|d| !d.is_empty()),
    ));
    for u in chosen {
        let d = dates.get(&u).cloned().filter(|d| !d.is_empty());
        input.visits.push((u, d));
    }
    let saved = st
        .store
        .save_inspection_plan(&me, &province, fy, round, &input)
        .await;
    let url = format!("/governance/inspections/{province}/{fy}/{round}?saved=1");
    saved_or_again(saved, &url, |errs| {
        plan_page(
            &st,
            t,
            &me,
            (&province, fy, round),
            Some(&input),
            errs,
            String::new(),
        )
    })
    .await
}

pub async fn inspection_json(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PlanPath,
) -> Result<Response, AppError> {
    let v = planned_inspection(&st, t, &me, (&province, fy, round)).await?;
    Ok(Json(v).into_response())
}

/// The round's inspection for those who inspect; 404 until it has a plan.
async fn planned_inspection(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round): (&str, u16, u8),
) -> Result<InspectionView, AppError> {
    if !may_inspect(me) {
        return Err(AppError::Forbidden);
    }
    let (v, plan, _) = inspection_view(st, t, me, province, fy, round).await?;
    if plan.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

#[derive(Template)]
#[template(path = "gov/inspection_report.html")]
pub(super) struct ReportPage {
    l: Layout,
    v: InspectionView,
    fy_label: String,
    outcome: (String, &'static str),
    every_plan: (String, &'static str),
    printed: String,
}

pub async fn report(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PlanPath,
) -> Result<Response, AppError> {
    let v = planned_inspection(&st, t, &me, (&province, fy, round)).await?;
    let target = criteria_for(fy).four_p.target_pct.as_f64();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    render(&ReportPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} · {}", t.s("insp_report"), v.province_name),
            "governance",
        ),
        fy_label: fy_label(t, fy),
        outcome: share(t, v.outcome, target),
        every_plan: share(t, v.every_plan, 100.0),
        printed: be_date(t, Some(&today)),
        v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_counted_over_every_hospital() {
        let t = T::default();
        assert_eq!(share(t, (1, 2), 80.0).1, "gov_not_met");
        assert_eq!(share(t, (2, 2), 100.0).1, "gov_met");
        assert_eq!(share(t, (0, 0), 80.0).1, "");
    }
}
