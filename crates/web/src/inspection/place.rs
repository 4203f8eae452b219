//! The inspectors' findings at one place, against the paper's items.

use super::*;

pub(super) struct FindingRow {
    id: String,
    number: String,
    group: String,
    text: String,
    mark: String,
    finding: String,
}

#[derive(Template)]
#[template(path = "gov/inspection_place.html")]
pub(super) struct PlacePage {
    l: Layout,
    province: String,
    fy: u16,
    round: u8,
    fy_label: String,
    slug: String,
    name: String,
    visit_on_be: String,
    four_p: String,
    four_p_url: String,
    rows: Vec<FindingRow>,
    recommendation: String,
    errors: Errors,
}

pub(super) type PlacePath = Path<(String, u16, u8, String)>;

#[allow(clippy::too_many_arguments)]
pub(super) async fn place_page(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round, slug): (&str, u16, u8, &str),
    draft: Option<(&BTreeMap<String, String>, &str)>,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlacePage, AppError> {
    if !may_inspect(me) {
        return Err(AppError::Forbidden);
    }
    let (v, plan, _) = inspection_view(st, t, me, province, fy, round).await?;
    let target = if slug == "pho" { "" } else { slug };
    let (Some(plan), Some(place)) = (plan, v.places.iter().find(|p| p.target == target)) else {
        return Err(AppError::NotFound);
    };
    let stored = plan
        .visits
        .iter()
        .find(|x| x.target == target)
        .cloned()
        .unwrap_or_default();
    let fp = if target.is_empty() {
        paper_criteria(fy)
    } else {
        hospital_criteria(fy)
    };
    let marks = if target.is_empty() {
        st.store
            .pho_paper(me, province, fy, round)
            .await?
            .map(|p| p.input.marks)
            .unwrap_or_default()
    } else {
        st.store
            .get_assessment(
                me,
                &AssessmentKey {
                    hcode: target.to_string(),
                    fiscal_year: fy,
                    round,
                    form: FormKind::FourP,
                },
            )
            .await?
            .map(|a| a.input.marks)
            .unwrap_or_default()
    };
    let rows = fp
        .items
        .iter()
        .map(|i| {
            let (th, en) = fp.group_label(&i.group);
            FindingRow {
                id: i.id.clone(),
                number: i.number.clone(),
                group: t.pick(th, en).to_string(),
                text: t.pick(&i.text_th, &i.text_en).to_string(),
                mark: mark_text(marks.get(&i.id)),
                finding: match draft {
                    Some((d, _)) => d.get(&i.id).cloned().unwrap_or_default(),
                    None => stored.findings.get(&i.id).cloned().unwrap_or_default(),
                },
            }
        })
        .collect();
    Ok(PlacePage {
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("insp_findings"), place.name),
            "governance",
        )
        .with_flash(flash),
        province: province.to_string(),
        fy,
        round,
        fy_label: fy_label(t, fy),
        slug: place.slug.clone(),
        name: place.name.clone(),
        visit_on_be: place.visit_on_be.clone(),
        four_p: place
            .four_p
            .clone()
            .unwrap_or_else(|| t.s("insp_no_paper").to_string()),
        four_p_url: place.four_p_url.clone(),
        rows,
        recommendation: match draft {
            Some((_, r)) => r.to_string(),
            None => stored.recommendation,
        },
        errors: Errors::new(t, errors),
    })
}

pub async fn findings(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round, slug)): PlacePath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    render(
        &place_page(
            &st,
            t,
            &me,
            (&province, fy, round, &slug),
            None,
            vec![],
            flash,
        )
        .await?,
    )
}

pub async fn findings_save(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round, slug)): PlacePath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    if !may_inspect(&me) {
        return Err(AppError::Forbidden);
    }
    let mut found = BTreeMap::new();
    let mut recommendation = String::new();
    for (k, v) in f {
        if k == "recommendation" {
            recommendation = v;
        } else if let Some(id) = k.strip_prefix("finding.") {
            found.insert(id.to_string(), v);
        }
    }
    let saved = st
        .store
        .save_inspection_findings(&me, &province, fy, round, &slug, &found, &recommendation)
        .await;
    let url = format!("/governance/inspections/{province}/{fy}/{round}/places/{slug}?saved=1");
    saved_or_again(saved, &url, |errs| {
        place_page(
            &st,
            t,
            &me,
            (&province, fy, round, &slug),
            Some((&found, &recommendation)),
            errs,
            String::new(),
        )
    })
    .await
}
