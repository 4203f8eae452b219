//! The province's posting map: view, edit as TSV, versions per fiscal year.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct PostingMapQuery {
    #[serde(default)]
    province: String,
    #[serde(default)]
    fy: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PostingMapForm {
    #[serde(default)]
    province: String,
    #[serde(default)]
    fy: String,
    #[serde(default)]
    tsv: String,
}

#[derive(Template)]
#[template(path = "claims/posting_map.html")]
pub(crate) struct PostingMapPage {
    l: Layout,
    province: String,
    fy: i64,
    versions: String,
    rules: Vec<[String; 7]>,
    tsv: String,
    saved: String,
    error: String,
}

/// The province whose map the caller works on: their own, or (admins) the one asked for.
pub(crate) async fn map_province(
    st: &AppState,
    me: &Actor,
    asked: &str,
) -> Result<String, AppError> {
    match me.who.role {
        Role::Province => me.who.province_code.clone().ok_or(AppError::Forbidden),
        Role::Admin => {
            if !asked.is_empty() {
                return Ok(asked.to_string());
            }
            let p = st.store.list_provinces(me).await?;
            p.first().map(|p| p.code.clone()).ok_or(AppError::NotFound)
        }
        _ => Err(AppError::Forbidden),
    }
}

pub(crate) fn map_tsv(rules: &[raidai_domain::accounts::PostingRule]) -> String {
    let mut t = String::from("fund\tsetting\tplace\tcase\treceivable\trevenue\tsource\n");
    for r in rules {
        t.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            r.fund, r.setting, r.place, r.case, r.receivable, r.revenue, r.source
        ));
    }
    t
}

/// What the posting-map page shows besides the stored map.
pub(crate) struct MapState {
    province: String,
    fy: i64,
    saved: String,
    error: String,
    tsv: Option<String>,
}

pub(crate) async fn posting_map_render(
    st: &AppState,
    t: T,
    me: &Actor,
    m: MapState,
) -> Result<Response, AppError> {
    let versions = st.store.posting_map_versions(&m.province).await?;
    let rules = st.store.posting_map(&m.province, m.fy).await?;
    let status = if m.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PostingMapPage {
        l: Layout::new(t, Some(me), t.s("cl_posting_map"), "claims"),
        versions: versions
            .keys()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        tsv: m.tsv.unwrap_or_else(|| map_tsv(&rules)),
        rules: rules
            .iter()
            .map(|r| {
                [
                    r.fund.to_string(),
                    r.setting.to_string(),
                    r.place.to_string(),
                    r.case.to_string(),
                    r.receivable.to_string(),
                    r.revenue.to_string(),
                    r.source.to_string(),
                ]
            })
            .collect(),
        province: m.province,
        fy: m.fy,
        saved: m.saved,
        error: m.error,
    };
    render(&page).map(|r| (status, r).into_response())
}

pub async fn posting_map_page(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<PostingMapQuery>,
) -> Result<Response, AppError> {
    let province = map_province(&st, &me, &q.province).await?;
    let fy = q.fy.parse::<i64>().unwrap_or_else(|_| current_fy());
    let m = MapState {
        province,
        fy,
        saved: String::new(),
        error: String::new(),
        tsv: None,
    };
    posting_map_render(&st, t, &me, m).await
}

pub async fn posting_map_save(
    Ctx { st, t, me }: Ctx,
    axum::Form(f): axum::Form<PostingMapForm>,
) -> Result<Response, AppError> {
    let province = map_province(&st, &me, &f.province).await?;
    let fy = f.fy.trim().parse::<i64>().unwrap_or(0).clamp(0, 2700);
    let mut m = MapState {
        province: province.clone(),
        fy,
        saved: String::new(),
        error: String::new(),
        tsv: None,
    };
    match st.store.save_posting_map(&me, &province, fy, &f.tsv).await {
        Ok(n) => m.saved = format_int_thai(n as i64),
        Err(raidai_store::StoreError::Invalid(errs)) => {
            m.error = crate::view::line_errors_text(t, &errs);
            m.tsv = Some(f.tsv);
        }
        Err(e) => return Err(e.into()),
    }
    posting_map_render(&st, t, &me, m).await
}
