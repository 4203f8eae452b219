//! The unit's financial strategy document: upload, download, the Planfin page's list.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

/// A strategy as the Planfin page lists it.
pub struct StrategyView {
    pub id: String,
    pub years: String,
    pub title: String,
    pub approved: String,
    pub file: String,
    pub covers: bool,
}

/// The unit's strategies for the Planfin page of `fy`.
pub async fn strategy_views(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: u16,
) -> Result<Vec<StrategyView>, AppError> {
    Ok(st
        .store
        .strategies(me, unit_code)
        .await?
        .into_iter()
        .map(|s| StrategyView {
            years: format!("{}–{}", fy_label(t, s.first_fy), s.last_fy),
            approved: [s.approved_by.clone(), be_date(t, s.approved_on.as_deref())]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
            file: format!("{} ({})", s.file.filename, file_size(s.file.size)),
            covers: s.covers(fy),
            title: s.title,
            id: s.id,
        })
        .collect())
}

pub async fn strategy_upload(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    req: Request,
) -> Result<Response, AppError> {
    require_unit(
        &st,
        &me,
        hcode,
        matches!(
            me.who.role,
            Role::Admin | Role::UnitHead | Role::UnitRevenue
        ),
    )
    .await?;
    let (fields, filename, data) = multipart_upload(&st, req).await?;
    let year = |k: &str| {
        fields
            .get(k)
            .and_then(|v| v.trim().parse::<u16>().ok())
            .unwrap_or(0)
    };
    let input = StrategyInput {
        first_fy: year("first_fy"),
        last_fy: year("last_fy"),
        title: fields.get("title").cloned().unwrap_or_default(),
        approved_by: fields.get("approved_by").cloned().unwrap_or_default(),
        approved_on: fields
            .get("approved_on")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
    };
    let fy = year("fy");
    let fy = if fy == 0 {
        crate::governance::current_fy()
    } else {
        fy
    };
    let saved = st
        .store
        .add_strategy(&me, hcode, &input, &filename, &data)
        .await;
    let url = format!("/units/{hcode}/planfin/{fy}?strategy=1");
    saved_or_again(saved, &url, |errs| {
        crate::governance::planfin_page(&st, t, &me, hcode, fy, errs, String::new())
    })
    .await
}

pub async fn strategy_download(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let (meta, data) = st.store.strategy_file(&me, hcode, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                crate::governance::attachment_disposition(&meta.file.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}
