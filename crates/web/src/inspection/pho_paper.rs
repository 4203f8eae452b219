//! The provincial office's own 4P paper, on the assessment form's template.

use super::*;

pub(super) type PaperPath = Path<(String, u16, u8)>;

#[allow(clippy::too_many_arguments)]
pub(super) async fn pho_paper_page(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round): (&str, u16, u8),
    draft: Option<raidai_store::governance::AssessmentInput>,
    errors: Vec<FieldError>,
    flash: String,
    print: bool,
) -> Result<AssessmentPage, AppError> {
    let stored = st.store.pho_paper(me, province, fy, round).await?;
    let exists = stored.is_some();
    let input = draft
        .or_else(|| stored.map(|p| p.input))
        .unwrap_or_default();
    let fp = paper_criteria(fy);
    let (sections, score) = four_p_sections(t, &fp, &input, &[])?;
    let (paper_fields, questions, counts) = paper_parts(t, &input);
    let criteria = criteria_for(fy);
    let name = province_name(st, me, province).await?;
    let title = t.s("insp_pho_paper").to_string();
    Ok(AssessmentPage {
        l: Layout::new(t, Some(me), format!("{title} · {name}"), "governance").with_flash(flash),
        subject_name: format!("{} {name}", t.s("insp_pho")),
        subject_code: province.to_string(),
        form_url: format!("/governance/pho/{province}/4p/{fy}/{round}"),
        list_url: format!("/governance/inspections/{province}/{fy}/{round}"),
        list_label: "insp_title",
        evidence_url: String::new(),
        can_attach: false,
        fy_label: fy_label(t, fy),
        round,
        title,
        is_four_p: true,
        marks: mark_choices(FormKind::FourP),
        sections,
        score,
        assessed_on_be: be_date(t, input.assessed_on.as_deref()),
        assessed_on: input.assessed_on.clone().unwrap_or_default(),
        paper_started: input.paper.started_on.clone(),
        paper_started_be: be_date(
            t,
            Some(input.paper.started_on.as_str()).filter(|d| !d.is_empty()),
        ),
        assessor: input.assessor,
        reviewer_summary: input.reviewer_summary,
        criteria: crate::governance::criteria_label(t, criteria),
        exists,
        can_write: may_inspect(me) && !print,
        errors: Errors::new(t, errors),
        print,
        item_choices: Vec::new(),
        paper_fields,
        questions,
        counts,
    })
}

pub async fn pho_paper(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PaperPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let flash = saved_flash(t, &q);
    show_stored(&st, t, &me, (&province, fy, round), flash, false).await
}

pub async fn pho_paper_print(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PaperPath,
) -> Result<Response, AppError> {
    show_stored(&st, t, &me, (&province, fy, round), String::new(), true).await
}

/// The paper as stored (no draft, no errors), on screen or for print.
async fn show_stored(
    st: &AppState,
    t: T,
    me: &Actor,
    (province, fy, round): (&str, u16, u8),
    flash: String,
    print: bool,
) -> Result<Response, AppError> {
    let page = pho_paper_page(st, t, me, (province, fy, round), None, vec![], flash, print);
    render(&page.await?)
}

pub async fn pho_paper_save(
    Ctx { st, t, me }: Ctx,
    Path((province, fy, round)): PaperPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let input = input_from_form(f);
    let saved = st
        .store
        .save_pho_paper(&me, &province, fy, round, &input)
        .await;
    let url = format!("/governance/pho/{province}/4p/{fy}/{round}?saved=1");
    saved_or_again(saved, &url, |errs| {
        pho_paper_page(
            &st,
            t,
            &me,
            (&province, fy, round),
            Some(input),
            errs,
            String::new(),
            false,
        )
    })
    .await
}
