//! A unit's list of assessments and the form opener.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

pub struct AssessmentRow {
    pub fy: u16,
    pub fy_label: String,
    pub round: u8,
    pub form: &'static str,
    pub title: String,
    pub total: String,
    pub percent: String,
    pub grade: String,
    pub passed: Option<bool>,
    pub assessed_on: String,
}

#[derive(Template)]
#[template(path = "gov/assessments.html")]
pub(crate) struct AssessmentsPage {
    l: Layout,
    u: Unit,
    rows: Vec<AssessmentRow>,
    years: Vec<(u16, String)>,
    rounds: Vec<u8>,
}

/// Scores a stored assessment for lists and the dashboard.
pub(crate) async fn score_row(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Option<ScoreView>, AppError> {
    let Some(a) = st.store.get_assessment(me, key).await? else {
        return Ok(None);
    };
    Ok(Some(assessment_view(t, key, &a.input, &[])?.1))
}

pub async fn assessments(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, hcode).await?;
    let mut rows = Vec::new();
    for s in st
        .store
        .list_assessments(&me, Some(hcode.as_str()), None)
        .await?
    {
        let Some(score) = score_row(&st, t, &me, &s.key).await? else {
            continue;
        };
        rows.push(AssessmentRow {
            fy: s.key.fiscal_year,
            fy_label: fy_label(t, s.key.fiscal_year),
            round: s.key.round,
            form: s.key.form.code(),
            title: form_title(t, s.key.form).to_string(),
            total: score.total,
            percent: score.percent,
            grade: if s.key.form == FormKind::RevenueCentre {
                score.grade
            } else {
                String::new()
            },
            passed: score.passed,
            assessed_on: be_date(t, s.assessed_on.as_deref()),
        });
    }
    let now = current_fy();
    render(&AssessmentsPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} · {}", t.s("gov_assessments"), u.name_th),
            "finance",
        ),
        u,
        rows,
        years: (now.saturating_sub(2)..=now)
            .rev()
            .map(|y| (y, fy_label(t, y)))
            .collect(),
        rounds: ASSESSMENT_ROUNDS.collect(),
    })
}

#[derive(Deserialize)]
pub struct NewAssessment {
    pub fy: Option<u16>,
    pub round: Option<u8>,
    pub form: Option<String>,
}

/// The "open a form" picker: a GET that only redirects to the form's own address.
pub async fn assessment_open(
    Me(me): Me,
    State(st): State<AppState>,
    Params(hcode): Params<Hcode>,
    Query(q): Query<NewAssessment>,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, hcode).await?;
    let form = form_kind(q.form.as_deref().unwrap_or_default())?;
    Ok(Redirect::to(&format!(
        "/units/{hcode}/assessments/{}/{}/{}",
        q.fy.unwrap_or_else(current_fy),
        q.round.unwrap_or(1),
        form.code()
    ))
    .into_response())
}
