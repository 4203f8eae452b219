//! Criteria sets as files (issue 14): the province loads a set for a fiscal year, every user
//! views the sets in force and compares any of them with the built-in FY2565 set.

use crate::auth::{Ctx, Me, Tr};
use crate::error::AppError;
use crate::governance::multipart_for;
use crate::i18n::T;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout, datetime};
use crate::{Access, AppState, RouteDef};
use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_domain::master::Role;
use raidai_governance::CriteriaSet;
use raidai_store::criteria::{CRITERIA_YEARS, CriteriaMeta};
use raidai_store::{Actor, FieldError, StoreError};

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        crate::r(M::GET, "/governance/criteria", SignedIn, get(list)),
        crate::r(M::POST, "/governance/criteria", SignedIn, post(load)),
        crate::r(
            M::GET,
            "/governance/criteria/{fy}/{seq}",
            SignedIn,
            get(view),
        ),
    ]
}

/// What is shown of a loaded set, in the list and on its own page.
struct SetMeta {
    fy: u16,
    seq: i64,
    version: String,
    title: String,
    loaded_by: String,
    loaded_at: String,
}

impl SetMeta {
    fn new(t: T, m: &CriteriaMeta) -> Self {
        SetMeta {
            fy: m.fiscal_year,
            seq: m.seq,
            version: m.version.clone(),
            title: m.title.clone(),
            loaded_by: m.loaded_by.clone(),
            loaded_at: datetime(t, m.loaded_at),
        }
    }
}

#[derive(Template)]
#[template(path = "gov/criteria.html")]
struct ListPage {
    l: Layout,
    builtin: String,
    /// Each set with whether it is the newest of its year: in force from that year on.
    sets: Vec<(SetMeta, bool)>,
    can_load: bool,
    years: Vec<u16>,
    /// The fiscal year preselected: this one.
    current: u16,
    errors: Errors,
}

fn may_load(me: &Actor) -> bool {
    matches!(me.who.role, Role::Admin | Role::Province)
}

async fn list_page(
    st: &AppState,
    t: T,
    me: &Actor,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<ListPage, AppError> {
    let sets = st.store.list_criteria().await?;
    let b = CriteriaSet::builtin();
    Ok(ListPage {
        l: Layout::new(t, Some(me), t.s("gov_criteria_sets"), "governance").with_flash(flash),
        builtin: crate::governance::criteria_label(t, b),
        sets: rows(t, &sets),
        can_load: may_load(me),
        years: CRITERIA_YEARS.rev().collect(),
        current: crate::governance::current_fy(),
        errors: Errors::new(t, errors),
    })
}

fn rows(t: T, sets: &[CriteriaMeta]) -> Vec<(SetMeta, bool)> {
    let mut seen = std::collections::BTreeSet::new();
    // Listed newest first within a year.
    sets.iter()
        .map(|m| (SetMeta::new(t, m), seen.insert(m.fiscal_year)))
        .collect()
}

pub async fn list(State(st): State<AppState>, Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    render(&list_page(&st, t, &me, vec![], String::new()).await?)
}

pub async fn load(Ctx { st, t, me }: Ctx, req: Request) -> Result<Response, AppError> {
    if !may_load(&me) {
        return Err(AppError::Forbidden);
    }
    let (fields, file) = multipart_for(&st, req).await?;
    let fy: Option<u16> = fields.get("fy").and_then(|v| v.trim().parse().ok());
    let result = match (fy, std::str::from_utf8(&file)) {
        (None, _) => Err(StoreError::field(
            "fy",
            "choose the fiscal year",
            "กรุณาเลือกปีงบประมาณ",
        )),
        (_, _) if file.is_empty() => Err(StoreError::field(
            "file",
            "choose a criteria file (TOML)",
            "กรุณาเลือกไฟล์เกณฑ์ (TOML)",
        )),
        (_, Err(_)) => Err(StoreError::field(
            "file",
            "the criteria file must be UTF-8 text",
            "ไฟล์เกณฑ์ต้องเป็นข้อความ UTF-8",
        )),
        (Some(fy), Ok(text)) => st.store.load_criteria(&me, fy, text).await,
    };
    match result {
        Ok(m) => Ok(
            Redirect::to(&format!("/governance/criteria/{}/{}", m.fiscal_year, m.seq))
                .into_response(),
        ),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &list_page(&st, t, &me, errs, String::new()).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "gov/criteria_view.html")]
struct ViewPage {
    l: Layout,
    set: SetMeta,
    builtin: String,
    /// (key path, this set's value, the built-in value)
    diffs: Vec<(String, String, String)>,
    source: String,
}

pub async fn view(
    Ctx { st, t, me }: Ctx,
    Path((fy, seq)): Path<(u16, i64)>,
) -> Result<Response, AppError> {
    let (m, source) = st.store.get_criteria(fy, seq).await?;
    let mut set = CriteriaSet::from_toml_str(&source)
        .map_err(|e| AppError::unexpected_in(format!("stored criteria {fy}/{seq}"), e))?;
    set.fiscal_year = fy;
    let b = CriteriaSet::builtin();
    let diffs = set.differences(b);
    render(&ViewPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} · FY{fy} #{seq}", t.s("gov_criteria_sets")),
            "governance",
        ),
        set: SetMeta::new(t, &m),
        builtin: crate::governance::criteria_label(t, b),
        diffs,
        source,
    })
}
