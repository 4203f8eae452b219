//! The 4S4C/CSMBS and 4P forms: layout, scoring, measured suggestions, save and print.

mod evidence;
mod list;

pub use evidence::*;
pub use list::*;

use super::*;
use crate::error::hcode_of;

pub(crate) fn form_kind(code: &str) -> Result<FormKind, AppError> {
    FormKind::parse(code).ok_or(AppError::NotFound)
}

pub(crate) fn form_title(t: T, form: FormKind) -> &'static str {
    t.s(match form {
        FormKind::RevenueCentre => "gov_form_rc",
        FormKind::FourP => "gov_form_4p",
    })
}

pub(crate) fn be_date(t: T, iso: Option<&str>) -> String {
    iso.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| {
            if t.is_en() {
                raidai_domain::calendar::format_en_short(d)
            } else {
                raidai_domain::calendar::format_be_long(d)
            }
        })
        .unwrap_or_default()
}

pub(crate) fn file_size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", format_decimal_thai(n as f64 / 1_048_576.0, 1))
    } else {
        format!(
            "{} KB",
            format_decimal_thai((n as f64 / 1024.0).max(0.1), 1)
        )
    }
}

pub struct EvidenceView {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub uploaded: String,
}

/// One row of an assessment form as shown and printed.
pub struct ItemView {
    pub id: String,
    pub number: String,
    /// The parent heading, shown once above its first sub-item.
    pub heading: String,
    pub text: String,
    pub evidence_hint: String,
    pub mark: String,
    pub note: String,
    pub files: Vec<EvidenceView>,
    /// A measured figure and the mark it suggests (GOVERNANCE §E); the assessor still chooses.
    pub suggestion: String,
    /// The chosen mark is not the suggested one: shown, and kept only with a reason (the note).
    pub differs: bool,
}

pub struct GroupView {
    pub number: String,
    pub label: String,
    pub points: String,
    pub items: Vec<ItemView>,
}

pub struct SectionView {
    pub title: String,
    pub points: String,
    pub groups: Vec<GroupView>,
}

/// The scored summary line of a form.
pub struct ScoreView {
    pub total: String,
    pub percent: String,
    pub grade: String,
    pub passed: Option<bool>,
    pub unmarked: usize,
}

/// A 4P paper or 4S4C form as shown and printed: a unit's, or the provincial office's own.
#[derive(Template)]
#[template(path = "gov/assessment.html")]
pub(crate) struct AssessmentPage {
    pub(crate) l: Layout,
    pub(crate) subject_name: String,
    pub(crate) subject_code: String,
    /// The form's own URL (GET shows it, POST saves it, /print prints it).
    pub(crate) form_url: String,
    pub(crate) list_url: String,
    pub(crate) list_label: &'static str,
    /// Evidence files are fetched at `{evidence_url}/{id}`.
    pub(crate) evidence_url: String,
    pub(crate) can_attach: bool,
    pub(crate) fy_label: String,
    pub(crate) round: u8,
    pub(crate) title: String,
    pub(crate) is_four_p: bool,
    pub(crate) marks: Vec<(&'static str, &'static str)>,
    pub(crate) sections: Vec<SectionView>,
    pub(crate) score: ScoreView,
    pub(crate) assessor: String,
    pub(crate) assessed_on: String,
    pub(crate) assessed_on_be: String,
    pub(crate) reviewer_summary: String,
    pub(crate) criteria: String,
    pub(crate) exists: bool,
    pub(crate) can_write: bool,
    pub(crate) errors: Errors,
    pub(crate) print: bool,
    pub(crate) item_choices: Vec<(String, String)>,
    /// The 4P paper's header fields (name, label, value) and its three questions with answers.
    pub(crate) paper_fields: Vec<(&'static str, &'static str, String)>,
    pub(crate) paper_started: String,
    pub(crate) paper_started_be: String,
    pub(crate) questions: Vec<(usize, String, String)>,
    /// 4P counts: items marked 2 (n1), 1 (n2), 0 (n3), n/a.
    pub(crate) counts: Option<(usize, usize, usize, usize)>,
}

/// The 4P paper's header fields, its three questions with answers and its n1/n2/n3 counts.
pub(crate) type PaperParts = (
    Vec<(&'static str, &'static str, String)>,
    Vec<(usize, String, String)>,
    Option<(usize, usize, usize, usize)>,
);

pub(crate) fn paper_parts(t: T, input: &AssessmentInput) -> PaperParts {
    let p = &input.paper;
    let fields = vec![
        (
            "paper.doc_no",
            "gov_paper_doc_no",
            if p.doc_no.is_empty() {
                "ตร.๐๑".to_string()
            } else {
                p.doc_no.clone()
            },
        ),
        ("paper.revision", "gov_paper_revision", p.revision.clone()),
        (
            "paper.responsible_unit",
            "gov_paper_responsible_unit",
            p.responsible_unit.clone(),
        ),
        (
            "paper.responsible_person",
            "gov_paper_responsible_person",
            p.responsible_person.clone(),
        ),
        ("paper.period", "gov_paper_period", p.period.clone()),
    ];
    let questions = PAPER_QUESTIONS
        .iter()
        .enumerate()
        .map(|(i, (th, en))| {
            (
                i + 1,
                t.pick(th, en).to_string(),
                p.answers.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let n = |m: &str| input.marks.values().filter(|x| x.mark == m).count();
    (fields, questions, Some((n("2"), n("1"), n("0"), n("x"))))
}

/// The form's fields as a user sent them (marks, notes, the paper's header and answers).
pub(crate) fn input_from_form(f: Vec<(String, String)>) -> AssessmentInput {
    let mut input = AssessmentInput::default();
    for (k, v) in f {
        match k.as_str() {
            "assessor" => input.assessor = v,
            "assessed_on" => {
                input.assessed_on = Some(v.trim().to_string()).filter(|d| !d.is_empty())
            }
            "reviewer_summary" => input.reviewer_summary = v,
            "paper.doc_no" => input.paper.doc_no = v.trim().to_string(),
            "paper.revision" => input.paper.revision = v.trim().to_string(),
            "paper.started_on" => input.paper.started_on = v.trim().to_string(),
            "paper.responsible_unit" => input.paper.responsible_unit = v.trim().to_string(),
            "paper.responsible_person" => input.paper.responsible_person = v.trim().to_string(),
            "paper.period" => input.paper.period = v.trim().to_string(),
            _ if k.starts_with("answer.") => {
                // answer.1 … answer.3, in order.
                let i: usize = k[7..].parse().unwrap_or(0);
                if (1..=PAPER_QUESTIONS.len()).contains(&i) {
                    if input.paper.answers.len() < i {
                        input.paper.answers.resize(i, String::new());
                    }
                    input.paper.answers[i - 1] = v.trim().to_string();
                }
            }
            _ => {
                if let Some(id) = k.strip_prefix("mark.") {
                    input.marks.entry(id.to_string()).or_default().mark = v.trim().to_string();
                } else if let Some(id) = k.strip_prefix("note.") {
                    input.marks.entry(id.to_string()).or_default().note = v;
                }
            }
        }
    }
    input
}

/// The marks a form offers.
pub(crate) fn mark_choices(form: FormKind) -> Vec<(&'static str, &'static str)> {
    match form {
        FormKind::RevenueCentre => vec![("2", "2"), ("0", "0")],
        FormKind::FourP => vec![("2", "2"), ("1", "1"), ("0", "0"), ("x", "n/a")],
    }
}

pub(crate) fn files_for(t: T, files: &[EvidenceMeta], id: &str) -> Vec<EvidenceView> {
    files
        .iter()
        .filter(|f| f.item_id == id)
        .map(|f| EvidenceView {
            id: f.id.clone(),
            filename: f.file.filename.clone(),
            size: file_size(f.file.size),
            uploaded: datetime(t, f.file.uploaded_at),
        })
        .collect()
}

/// Lays out the form from the criteria and scores it with the engine.
pub(crate) fn assessment_view(
    t: T,
    key: &AssessmentKey,
    input: &AssessmentInput,
    files: &[EvidenceMeta],
) -> Result<(Vec<SectionView>, ScoreView), AppError> {
    let criteria = key.criteria();
    let get = |id: &str| input.marks.get(id).cloned().unwrap_or_default();
    match key.form {
        FormKind::RevenueCentre => {
            let rc = &criteria.revenue_centre;
            // A draft being corrected may hold refused marks: score only the valid ones.
            let marks: Vec<(String, u8)> = input
                .marks
                .iter()
                .filter_map(|(id, m)| m.mark.parse::<u8>().ok().map(|v| (id.clone(), v)))
                .filter(|(id, v)| {
                    rc.forms
                        .iter()
                        .flat_map(|f| &f.items)
                        .any(|i| &i.id == id && (*v == 0 || *v == i.max))
                })
                .collect();
            let of_form = |form: &str| -> Vec<(String, u8)> {
                let ids: Vec<&str> = rc
                    .form(form)
                    .map(|f| f.items.iter().map(|i| i.id.as_str()).collect())
                    .unwrap_or_default();
                marks
                    .iter()
                    .filter(|(id, _)| ids.contains(&id.as_str()))
                    .cloned()
                    .collect()
            };
            let score = score_revenue_centre(rc, of_form(FORM_4S4C), of_form(FORM_CSMBS_SURVEY))
                .map_err(|e| AppError::unexpected_in("revenue-centre score", e))?;
            let sections = [
                (&score.four_s_four_c, FORM_4S4C),
                (&score.csmbs_survey, FORM_CSMBS_SURVEY),
            ]
            .into_iter()
            .filter_map(|(fs, id)| {
                let form = rc.form(id)?;
                Some(SectionView {
                    title: t.pick(&form.title_th, &form.title_en).to_string(),
                    points: format!("{} / {}", fs.points, fs.max),
                    groups: form
                        .groups
                        .iter()
                        .map(|g| {
                            let gs = fs.groups.iter().find(|x| x.id == g.id);
                            let mut last_heading = String::new();
                            GroupView {
                                number: g.number.clone(),
                                label: t.pick(&g.label_th, &g.label_en).to_string(),
                                points: format!("{} / {}", gs.map_or(0, |x| x.points), g.max),
                                items: form
                                    .items
                                    .iter()
                                    .filter(|i| i.group == g.id)
                                    .map(|i| {
                                        let h = t
                                            .pick(
                                                i.heading_th.as_deref().unwrap_or(""),
                                                i.heading_en.as_deref().unwrap_or(""),
                                            )
                                            .to_string();
                                        let heading = if h != last_heading {
                                            last_heading = h.clone();
                                            h
                                        } else {
                                            String::new()
                                        };
                                        let m = get(&i.id);
                                        ItemView {
                                            id: i.id.clone(),
                                            number: i.number.clone(),
                                            heading,
                                            text: t.pick(&i.text_th, &i.text_en).to_string(),
                                            evidence_hint: t
                                                .pick(&i.evidence_th, &i.evidence_en)
                                                .to_string(),
                                            mark: m.mark,
                                            note: m.note,
                                            files: files_for(t, files, &i.id),
                                            suggestion: String::new(),
                                            differs: false,
                                        }
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                })
            })
            .collect();
            Ok((
                sections,
                ScoreView {
                    total: format!("{} / {}", score.total, score.max),
                    percent: format!(
                        "{}%",
                        format_decimal_thai(
                            f64::from(score.total) * 100.0 / f64::from(score.max.max(1)),
                            2
                        )
                    ),
                    grade: format!(
                        "{} ({})",
                        score.grade.grade,
                        t.pick(&score.grade.label_th, &score.grade.label_en)
                    ),
                    passed: Some(score.good_or_better),
                    unmarked: score.four_s_four_c.unmarked.len()
                        + score.csmbs_survey.unmarked.len(),
                },
            ))
        }
        FormKind::FourP => four_p_sections(t, &criteria.four_p, input, files),
    }
}

/// Lays out a 4P paper over `fp`'s items (all of them, or the provincial office's) and scores it.
pub(crate) fn four_p_sections(
    t: T,
    fp: &FourPCriteria,
    input: &AssessmentInput,
    files: &[EvidenceMeta],
) -> Result<(Vec<SectionView>, ScoreView), AppError> {
    let get = |id: &str| input.marks.get(id).cloned().unwrap_or_default();
    let marks: Vec<(String, FourPMark)> = input
        .marks
        .iter()
        .filter_map(|(id, m)| m.mark.parse().ok().map(|v| (id.clone(), v)))
        .filter(|(id, _)| fp.items.iter().any(|i| &i.id == id))
        .collect();
    let r = score_four_p(fp, marks).map_err(|e| AppError::unexpected_in("4P score", e))?;
    let mut groups: Vec<GroupView> = Vec::new();
    for i in &fp.items {
        let (th, en) = fp.group_label(&i.group);
        let label = t.pick(th, en).to_string();
        if groups.last().is_none_or(|g| g.label != label) {
            groups.push(GroupView {
                number: String::new(),
                label,
                points: String::new(),
                items: Vec::new(),
            });
        }
        let m = get(&i.id);
        if let Some(g) = groups.last_mut() {
            g.items.push(ItemView {
                id: i.id.clone(),
                number: i.number.clone(),
                heading: String::new(),
                text: t.pick(&i.text_th, &i.text_en).to_string(),
                evidence_hint: String::new(),
                mark: m.mark,
                note: m.note,
                files: files_for(t, files, &i.id),
                suggestion: String::new(),
                differs: false,
            });
        }
    }
    Ok((
        vec![SectionView {
            title: form_title(t, FormKind::FourP).to_string(),
            points: format!("{} / {}", r.sum, r.max_points),
            groups,
        }],
        ScoreView {
            total: format!("{} / {}", r.sum, r.max_points),
            percent: pct_beside(r.percent, r.target_pct.as_f64()),
            grade: format!(
                "{} ≥ {}%",
                t.s("gov_target"),
                format_decimal_thai(r.target_pct.as_f64(), 0)
            ),
            passed: r.passed,
            unmarked: r.unmarked.len(),
        },
    ))
}

/// Suggested marks for the 4S4C collection-period items (2.4) from the unit's measured
/// collection days: the trial balance of the latest period of the round (month ≤ 6 × round),
/// else raidai's receivable ledger for that period. Keyed by item id.
pub(crate) async fn collection_suggestions(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    let fy = u32::from(key.fiscal_year);
    let last = fy * 100 + u32::from(key.round) * 6;
    let Some(period) = st
        .store
        .list_positions(me, hcode_of(&key.hcode)?)
        .await?
        .into_iter()
        .map(|p| p.input.period)
        .filter(|p| p / 100 == fy && *p <= last)
        .max()
    else {
        return Ok(BTreeMap::new());
    };
    let Some(f) = st
        .store
        .seven_plus_figures(me, hcode_of(&key.hcode)?, period)
        .await?
    else {
        return Ok(BTreeMap::new());
    };
    let ledger = st
        .store
        .ledger_collection(me, hcode_of(&key.hcode)?, period)
        .await?;
    // The trial balance's period, else the ledger's; kept as integers so the verdict is exact.
    let i = &f.input;
    let tb = |balance: Balance, flow_ytd: Satang| DayMeasure {
        balance,
        flow_ytd,
        days_ytd: i.days_ytd,
    };
    let pick = |m: DayMeasure, fund: &str| {
        if m.days().is_some() {
            Some(Days::from(m))
        } else if ledger.visits > 0 {
            ledger
                .measure(fund)
                .filter(|m| m.days().is_some())
                .map(Days::from)
        } else {
            None
        }
    };
    let days = CollectionDays {
        uc: pick(tb(i.receivable_uc, i.revenue_uc_ytd), "UC"),
        csmbs: pick(tb(i.receivable_csmbs, i.revenue_csmbs_ytd), "CSMBS"),
        sss: pick(tb(i.receivable_sss, i.revenue_sss_ytd), "SSS"),
    };
    let label = period_label(t, period);
    let sss_note = key
        .criteria()
        .collection_limit_note(CollectionFund::Sss)
        .map(|(th, en)| t.pick(&th, &en).to_string());
    let sss_items: Vec<&str> = key
        .criteria()
        .revenue_centre
        .forms
        .iter()
        .flat_map(|f| &f.items)
        .filter(|i| {
            matches!(
                i.auto_check,
                Some(AutoCheck::CollectionDays {
                    fund: CollectionFund::Sss,
                    ..
                })
            )
        })
        .map(|i| i.id.as_str())
        .collect();
    Ok(suggest_marks(&key.criteria().revenue_centre, days)
        .into_iter()
        .map(|s| {
            let mut reason = t.pick(&s.reason_th, &s.reason_en).to_string();
            if let Some(n) = sss_note
                .as_ref()
                .filter(|_| sss_items.contains(&s.item_id.as_str()))
            {
                reason = format!("{reason} ({n})");
            }
            (
                s.item_id,
                (
                    format!(
                        "{} ({label}) → {} {}",
                        reason,
                        t.s("gov_suggested_mark"),
                        s.mark
                    ),
                    s.mark,
                ),
            )
        })
        .collect())
}

/// Measured suggestions by item id: the text shown and the mark suggested.
pub(crate) type Suggestions = BTreeMap<String, (String, u8)>;

pub(crate) async fn suggestions_for(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    match key.form {
        FormKind::RevenueCentre => collection_suggestions(st, t, me, key).await,
        FormKind::FourP => q2_suggestions(st, t, me, key).await,
    }
}

/// A chosen mark (`"2"`, `"x"` for n/a, `""` unmarked) that is not the measured one.
pub(crate) fn mark_differs(chosen: &str, suggested: u8) -> bool {
    !chosen.is_empty() && chosen.parse::<u8>().ok() != Some(suggested)
}

/// Suggested marks for 4P items 4.1 (revenue) and 4.2 (expense) from the unit's Planfin plan
/// and actuals: the Q2 rule, once the Q2 months are closed. Keyed by item id.
pub(crate) async fn q2_suggestions(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
) -> Result<Suggestions, AppError> {
    let Some(y) = st
        .store
        .get_plan_year(me, hcode_of(&key.hcode)?, key.fiscal_year)
        .await?
    else {
        return Ok(BTreeMap::new());
    };
    let c = &key.criteria().planfin;
    let Some(q2) = plan_vs_actual(&y.plan, &y.actuals, c).q2 else {
        return Ok(BTreeMap::new());
    };
    let mut out = BTreeMap::new();
    for (id, side, plan, actual, label) in [
        (
            "4p.4.1",
            PlanSide::Revenue,
            q2.plan_revenue,
            q2.actual_revenue,
            "gov_q2_revenue",
        ),
        (
            "4p.4.2",
            PlanSide::Expense,
            q2.plan_expense,
            q2.actual_expense,
            "gov_q2_expense",
        ),
    ] {
        let s = suggest_q2_mark(side, plan, actual, q2.threshold_pct);
        let (Some(pct), Some(points)) = (s.pct_of_plan, s.mark.points(&key.criteria().four_p))
        else {
            continue;
        };
        out.insert(
            id.to_string(),
            (
                format!(
                    "{} {}% {} · {} ≥ {}% → {} {}",
                    t.s(label),
                    pct_beside(Some(pct), s.threshold_pct.as_f64()).trim_end_matches('%'),
                    t.s("gov_q2_of_plan"),
                    t.s("gov_sp_target"),
                    format_decimal_thai(s.threshold_pct.as_f64(), 0),
                    t.s("gov_suggested_mark"),
                    s.mark
                ),
                points,
            ),
        );
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn assessment_page(
    st: &AppState,
    t: T,
    me: &Actor,
    key: &AssessmentKey,
    draft: Option<AssessmentInput>,
    errors: Vec<FieldError>,
    flash: String,
    print: bool,
) -> Result<AssessmentPage, AppError> {
    let u = st.store.get_unit(me, hcode_of(&key.hcode)?).await?;
    let stored = st.store.get_assessment(me, key).await?;
    let files = st.store.list_evidence(me, key).await?;
    let exists = stored.is_some();
    let input = draft
        .or_else(|| stored.map(|a| a.input))
        .unwrap_or_default();
    let (mut sections, score) = assessment_view(t, key, &input, &files)?;
    let criteria = key.criteria();
    {
        let suggestions = suggestions_for(st, t, me, key).await?;
        for it in sections
            .iter_mut()
            .flat_map(|s| s.groups.iter_mut().flat_map(|g| g.items.iter_mut()))
        {
            if let Some((text, mark)) = suggestions.get(&it.id) {
                it.suggestion = text.clone();
                it.differs = mark_differs(&it.mark, *mark);
            }
        }
    }
    let item_choices = sections
        .iter()
        .flat_map(|s| s.groups.iter().flat_map(|g| g.items.iter()))
        .map(|i| (i.id.clone(), format!("{} {}", i.number, i.text)))
        .collect();
    let title = form_title(t, key.form);
    let p = &input.paper;
    let is_four_p = key.form == FormKind::FourP;
    let (paper_fields, questions, counts) = if is_four_p {
        paper_parts(t, &input)
    } else {
        (Vec::new(), Vec::new(), None)
    };
    let form_url = format!(
        "/units/{}/assessments/{}/{}/{}",
        key.hcode,
        key.fiscal_year,
        key.round,
        key.form.code()
    );
    Ok(AssessmentPage {
        paper_started: p.started_on.clone(),
        paper_started_be: be_date(t, Some(p.started_on.as_str()).filter(|d| !d.is_empty())),
        paper_fields,
        questions,
        counts,
        l: Layout::new(t, Some(me), format!("{title} · {}", u.name_th), "finance")
            .with_flash(flash),
        fy_label: fy_label(t, key.fiscal_year),
        round: key.round,
        title: title.to_string(),
        is_four_p,
        marks: mark_choices(key.form),
        subject_name: u.name_th.clone(),
        subject_code: u.hcode.clone(),
        form_url,
        list_url: format!("/units/{}/assessments", u.hcode),
        list_label: "gov_assessments",
        evidence_url: format!("/units/{}/evidence", u.hcode),
        can_attach: true,
        sections,
        score,
        assessed_on_be: be_date(t, input.assessed_on.as_deref()),
        assessed_on: input.assessed_on.clone().unwrap_or_default(),
        assessor: input.assessor,
        reviewer_summary: input.reviewer_summary,
        criteria: crate::governance::criteria_label(t, criteria),
        exists,
        can_write: me.may_write_governance() && !print,
        errors: Errors::new(t, errors),
        print,
        item_choices,
    })
}

pub(crate) type KeyPath = Path<(String, u16, u8, String)>;

pub(crate) fn key_of(Path((hcode, fy, round, form)): KeyPath) -> Result<AssessmentKey, AppError> {
    Ok(AssessmentKey {
        hcode,
        fiscal_year: fy,
        round,
        form: form_kind(&form)?,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

pub async fn assessment(
    Ctx { st, t, me }: Ctx,
    path: KeyPath,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    let flash = if q.saved.is_some() {
        t.s("gov_saved").to_string()
    } else {
        String::new()
    };
    render(&assessment_page(&st, t, &me, &key, None, vec![], flash, false).await?)
}

pub async fn assessment_print(Ctx { st, t, me }: Ctx, path: KeyPath) -> Result<Response, AppError> {
    let key = key_of(path)?;
    render(&assessment_page(&st, t, &me, &key, None, vec![], String::new(), true).await?)
}

pub async fn assessment_save(
    Ctx { st, t, me }: Ctx,
    path: KeyPath,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    let input = input_from_form(f);
    // A mark against what raidai measured is kept only with the assessor's reason.
    st.store.get_unit(&me, hcode_of(&key.hcode)?).await?;
    let suggestions = suggestions_for(&st, t, &me, &key).await?;
    let unexplained: Vec<FieldError> = input
        .marks
        .iter()
        .filter_map(|(id, m)| {
            let (_, mark) = suggestions.get(id)?;
            (mark_differs(&m.mark, *mark) && m.note.trim().is_empty()).then(|| {
                FieldError::new(
                    &format!("note.{id}"),
                    format!("item {id}: mark {} differs from the measured {mark}; give the reason in the note", m.mark),
                    format!(
                        "ข้อ {id}: คะแนน {} ต่างจากที่ระบบวัดได้ ({mark}) ต้องระบุเหตุผลในหมายเหตุ",
                        m.mark
                    ),
                )
            })
        })
        .collect();
    let saved = if unexplained.is_empty() {
        st.store.save_assessment(&me, &key, &input).await
    } else {
        Err(StoreError::Invalid(unexplained))
    };
    match saved {
        Ok(_) => {
            let url = format!(
                "/units/{}/assessments/{}/{}/{}?saved=1",
                key.hcode,
                key.fiscal_year,
                key.round,
                key.form.code()
            );
            Ok(Redirect::to(&url).into_response())
        }
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &assessment_page(&st, t, &me, &key, Some(input), errs, String::new(), false).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
