//! Admin pages: users and the audit log.

use crate::AppState;
use crate::auth::{Ctx, Me, Tr};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout, datetime};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use raidai_domain::master::Role;
use raidai_store::audit::AuditQuery;
use raidai_store::users::{User, UserInput};
use raidai_store::{Actor, FieldError, StoreError};
use serde::Deserialize;

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope: String,
    pub active: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<UserRow>,
}

fn scope_of(u: &User) -> String {
    match u.who.role {
        Role::Admin => "*".into(),
        Role::Province => u.who.province_code.clone().unwrap_or_default(),
        Role::District => u.who.district_code.clone().unwrap_or_default(),
        Role::UnitHead | Role::UnitRevenue => u.who.hcode.clone().unwrap_or_default(),
    }
}

pub async fn users(Ctx { st, t, me }: Ctx) -> Result<Response, AppError> {
    let users = st.store.list_users(&me).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            username: u.who.username.clone(),
            display_name: u.who.display_name.clone(),
            role: t
                .pick(u.who.role.name_th(), u.who.role.name_en())
                .to_string(),
            scope: scope_of(u),
            active: u.active,
            created: datetime(t, u.created_at),
        })
        .collect();
    render(&UsersPage {
        l: Layout::new(t, Some(&me), t.s("users"), "users"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormPage {
    l: Layout,
    is_new: bool,
    id: String,
    v: UserInput,
    roles: Vec<(String, String)>,
    errors: Errors,
}

fn user_form(
    t: T,
    me: &Actor,
    id: Option<String>,
    v: UserInput,
    errors: Vec<FieldError>,
) -> UserFormPage {
    let is_new = id.is_none();
    UserFormPage {
        l: Layout::new(
            t,
            Some(me),
            t.s(if is_new { "add_user" } else { "edit_user" }),
            "users",
        ),
        is_new,
        id: id.unwrap_or_default(),
        v,
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.code().to_string(),
                    t.pick(r.name_th(), r.name_en()).to_string(),
                )
            })
            .collect(),
        errors: Errors::new(t, errors),
    }
}

/// The user form as posted; the store validates role and scope into field errors.
/// No `Debug`: it holds a password.
#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope_code: String,
    /// A checkbox: ticked when present at all.
    active: Option<String>,
    /// Taken as typed, spaces included.
    #[serde(default)]
    password: String,
}

impl From<UserForm> for UserInput {
    fn from(f: UserForm) -> Self {
        UserInput {
            username: f.username.trim().to_string(),
            display_name: f.display_name.trim().to_string(),
            role: f.role.trim().to_string(),
            scope_code: f.scope_code.trim().to_string(),
            active: f.active.is_some(),
            password: f.password,
        }
    }
}

pub async fn user_new(Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    let v = UserInput {
        role: Role::UnitRevenue.code().into(),
        active: true,
        ..Default::default()
    };
    render(&user_form(t, &me, None, v, vec![]))
}

pub async fn user_edit(
    Ctx { st, t, me }: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let u = st.store.get_user(&me, &id).await?;
    let v = UserInput {
        username: u.who.username.clone(),
        display_name: u.who.display_name.clone(),
        role: u.who.role.code().into(),
        scope_code: if u.who.role == Role::Admin {
            String::new()
        } else {
            scope_of(&u)
        },
        active: u.active,
        password: String::new(),
    };
    render(&user_form(t, &me, Some(id), v, vec![]))
}

async fn save_user(
    st: AppState,
    t: T,
    me: Actor,
    id: Option<String>,
    f: UserForm,
) -> Result<Response, AppError> {
    let v = UserInput::from(f);
    let res = match &id {
        Some(id) => st.store.update_user(&me, id, &v).await,
        None => st.store.create_user(&me, &v).await,
    };
    match res {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(StoreError::Invalid(errs)) => {
            let mut v = v;
            v.password.clear();
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &user_form(t, &me, id, v, errs),
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn user_create(
    Ctx { st, t, me }: Ctx,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    save_user(st, t, me, None, f).await
}

pub async fn user_update(
    Ctx { st, t, me }: Ctx,
    Path(id): Path<String>,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    st.store.get_user(&me, &id).await?;
    save_user(st, t, me, Some(id), f).await
}

pub struct AuditRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub action: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    entity: String,
    page: i64,
    has_more: bool,
}

#[derive(Deserialize)]
pub struct AuditParams {
    entity: Option<String>,
    page: Option<i64>,
}

pub const AUDIT_PAGE: i64 = 50;

pub async fn audit(
    Ctx { st, t, me }: Ctx,
    Query(p): Query<AuditParams>,
) -> Result<Response, AppError> {
    let page = p.page.unwrap_or(0).max(0);
    let entity = p.entity.filter(|e| !e.is_empty());
    let entries = st
        .store
        .list_audit(
            &me,
            &AuditQuery {
                entity: entity.clone(),
                hcode: None,
                limit: AUDIT_PAGE + 1,
                offset: page * AUDIT_PAGE,
            },
        )
        .await?;
    let has_more = entries.len() as i64 > AUDIT_PAGE;
    let rows = entries
        .into_iter()
        .take(AUDIT_PAGE as usize)
        .map(|e| AuditRow {
            when: datetime(t, e.at),
            who: e.username,
            what: format!("{} {}", e.entity, e.entity_key),
            action: e.action,
            before: e.before.unwrap_or_default(),
            after: e.after.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        l: Layout::new(t, Some(&me), t.s("audit_log"), "audit"),
        rows,
        entity: entity.unwrap_or_default(),
        page,
        has_more,
    })
}
