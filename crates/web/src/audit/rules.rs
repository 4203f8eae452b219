//! The province's rule catalogue per fiscal year: view and edit.

use super::*;
use crate::error::hcode_of;
use crate::pages::render_failed;

pub(crate) struct RuleRow {
    code: String,
    severity: String,
    block: bool,
    nhso: String,
    param: String,
    text: String,
    fix: String,
    visits: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "audit/rules.html")]
pub(crate) struct RulesPage {
    l: Layout,
    rules: Vec<RuleRow>,
    province: String,
    fy: i64,
    years: Vec<(i64, String)>,
    may_edit: bool,
    tsv: String,
    saved: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesQuery {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    saved: String,
}

pub(crate) fn province_of(me: &Actor) -> String {
    me.who.province_code.clone().unwrap_or_default()
}

pub(crate) async fn rules_render(
    st: &AppState,
    t: T,
    me: &Actor,
    fy: i64,
    saved: String,
    error: String,
    tsv: Option<String>,
) -> Result<Response, AppError> {
    // An admin edits the province of the installation (its units' province).
    let province = match province_of(me) {
        p if !p.is_empty() => p,
        _ => installation_province(st, me).await?,
    };
    let versions = st.store.audit_catalogue_versions(&province).await?;
    let text = versions
        .get(&fy)
        .or_else(|| versions.get(&0))
        .cloned()
        .unwrap_or_else(|| default_catalogue_text().to_string());
    let cat = parse_catalogue(&text).unwrap_or_else(|_| default_catalogue());
    let counts: BTreeMap<String, (i64, i64)> = st
        .store
        .rule_counts(me, None)
        .await?
        .into_iter()
        .map(|c| (c.rule, (c.visits, c.amount)))
        .collect();
    let failed = !error.is_empty();
    let mut years: Vec<(i64, String)> = vec![(0, t.s("au_all").to_string())];
    let now = current_fy();
    for y in [now - 1, now, now + 1] {
        years.push((y, fy_label(t, y)));
    }
    render_failed(
        failed,
        &RulesPage {
            l: Layout::new(t, Some(me), t.s("au_rules_title"), "claims"),
            rules: cat
                .rules()
                .map(|r| {
                    let (n, a) = counts.get(&r.code).copied().unwrap_or((0, 0));
                    RuleRow {
                        code: r.code.clone(),
                        severity: severity_label(t, r.severity.code()).to_string(),
                        block: r.severity.code() == "block",
                        nhso: format!("{} {}", r.nhso_class, r.nhso_code)
                            .trim()
                            .to_string(),
                        param: r.param.clone(),
                        text: t.pick(&r.text_th, &r.text_en).to_string(),
                        fix: t.pick(&r.fix_th, &r.fix_en).to_string(),
                        visits: format_int_thai(n),
                        amount: money(a),
                    }
                })
                .collect(),
            may_edit: me.may_configure_province(&province),
            tsv: tsv.unwrap_or(text),
            province,
            fy,
            years,
            saved,
            error,
        },
    )
}

/// The province of the installation for an admin (the province of its first unit).
pub(crate) async fn installation_province(st: &AppState, me: &Actor) -> Result<String, AppError> {
    let units = st.store.list_units(me, &Default::default()).await?;
    match units.first() {
        Some(u) => Ok(st
            .store
            .unit_places(me, hcode_of(&u.hcode)?)
            .await?
            .province_code),
        None => Ok(String::new()),
    }
}

pub async fn rules_page(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<RulesQuery>,
) -> Result<Response, AppError> {
    let fy = q.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let saved = if q.saved.is_empty() {
        String::new()
    } else {
        t.s("au_saved").to_string()
    };
    rules_render(&st, t, &me, fy, saved, String::new(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    tsv: String,
}

pub async fn rules_save(
    Ctx { st, t, me }: Ctx,
    axum::Form(f): axum::Form<RulesForm>,
) -> Result<Response, AppError> {
    let fy = f.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let province = match province_of(&me) {
        p if !p.is_empty() => p,
        _ => installation_province(&st, &me).await?,
    };
    match st
        .store
        .save_audit_catalogue(&me, &province, fy, &f.tsv)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/audit-rules?fy={fy}&saved=1")).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let msg = crate::view::line_errors_text(t, &errs);
            rules_render(&st, t, &me, fy, String::new(), msg, Some(f.tsv)).await
        }
        Err(e) => Err(e.into()),
    }
}
