//! Server-rendered pages for everyone: login, province, districts, units, reference data.

mod master;
mod reference;

pub use master::*;
pub use reference::*;

use crate::AppState;
use crate::auth::{
    ClientIp, Ctx, LANG_COOKIE, Me, SESSION_COOKIE, Tr, clear_session_cookie, cookie, safe_next,
    session_cookie,
};
use crate::error::AppError;
use crate::i18n::T;
use crate::view::{Errors, Layout, datetime};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use raidai_domain::master::{PeerGroup, Role, UnitType};
use raidai_domain::money::format_int_thai;
use raidai_domain::text::csv_cell_bytes;
use raidai_store::master::{
    District, DistrictSummary, Unit, UnitInput, UnitQuery, parse_units_csv,
};
use raidai_store::{Actor, FieldError, StoreError};
use serde::Deserialize;

/// A form's answer after its save: 303 to `url` when saved; with field errors, the form again
/// (422) as `page` draws it with them; other errors as they are.
pub(crate) async fn saved_or_again<S, P, Fut>(
    saved: Result<S, StoreError>,
    url: &str,
    page: impl FnOnce(Vec<FieldError>) -> Fut,
) -> Result<Response, AppError>
where
    P: Template,
    Fut: std::future::Future<Output = Result<P, AppError>>,
{
    match saved {
        Ok(_) => Ok(Redirect::to(url).into_response()),
        Err(StoreError::Invalid(errs)) => {
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(errs).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn render(t: &impl Template) -> Result<Response, AppError> {
    t.render()
        .map(|h| Html(h).into_response())
        .map_err(|e| AppError::unexpected_in("template", e))
}

pub(crate) fn render_status(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    render(t).map(|r| (status, r).into_response())
}

/// A page drawn again with its error message answers 422, as a form with field errors does.
pub(crate) fn render_failed(failed: bool, t: &impl Template) -> Result<Response, AppError> {
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(status, t)
}

pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    l: Layout,
}

pub async fn not_found(Tr(t): Tr) -> Response {
    let l = Layout::new(t, None, t.s("not_found_title"), "");
    render_status(StatusCode::NOT_FOUND, &NotFoundPage { l }).unwrap_or_else(|e| e.into_response())
}

pub async fn switch_lang(Path(code): Path<String>, headers: HeaderMap) -> Response {
    let lang = crate::i18n::Lang::from_code(&code);
    // Only same-site paths are valid return targets.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    (
        [(
            header::SET_COOKIE,
            format!(
                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                lang.code()
            ),
        )],
        Redirect::to(&back),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(Tr(t): Tr, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    render(&LoginPage {
        l: Layout::new(t, None, t.s("login"), ""),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    State(st): State<AppState>,
    Tr(t): Tr,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(f.next.as_deref());
    let page = |status, error: &str| {
        render_status(
            status,
            &LoginPage {
                l: Layout::new(t, None, t.s("login"), ""),
                next: next.clone(),
                username: f.username.clone(),
                error: error.to_string(),
            },
        )
    };
    if st.limiter.is_blocked(&ip, &f.username) {
        tracing::warn!(client = %ip, "login rate-limited");
        return page(StatusCode::TOO_MANY_REQUESTS, t.s("login_limited"));
    }
    match st.store.authenticate(&f.username, &f.password).await? {
        Some(user) => {
            st.limiter.succeeded(&ip, &f.username);
            let token = st.store.create_session(&user.id).await?;
            tracing::info!(user_id = %user.id, "signed in");
            Ok((
                [(
                    header::SET_COOKIE,
                    session_cookie(&token, st.secure_cookies),
                )],
                Redirect::to(&next),
            )
                .into_response())
        }
        None => {
            st.limiter.failed(&ip, &f.username);
            tracing::info!(client = %ip, "sign-in failed");
            page(StatusCode::UNAUTHORIZED, t.s("login_failed"))
        }
    }
}

pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    Me(_): Me,
) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        st.store.delete_session(token).await?;
    }
    Ok((
        [(header::SET_COOKIE, clear_session_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

pub async fn home(Me(me): Me) -> Redirect {
    match (me.who.role, &me.who.hcode, &me.who.district_code) {
        (Role::UnitHead | Role::UnitRevenue, Some(h), _) => Redirect::to(&format!("/units/{h}")),
        (Role::District, _, Some(d)) => Redirect::to(&format!("/districts/{d}")),
        _ => Redirect::to("/province"),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    errors: Errors,
    done: bool,
}

pub async fn password_page(Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    render(&PasswordPage {
        l: Layout::new(t, Some(&me), t.s("change_password"), "password"),
        errors: Errors::new(t, vec![]),
        done: false,
    })
}

/// No `Debug`: it holds passwords.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn password_submit(
    Ctx { st, t, me }: Ctx,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    // The current-password check is a password guess like a sign-in: same limiter.
    let (errors, done, status) = if st.limiter.is_blocked(&ip, &me.who.username) {
        tracing::warn!(client = %ip, "password change rate-limited");
        (
            vec![FieldError::new(
                "current_password",
                "too many wrong passwords; wait 15 minutes",
                t.s("login_limited"),
            )],
            false,
            StatusCode::TOO_MANY_REQUESTS,
        )
    } else {
        let res = st
            .store
            .change_own_password(
                &me,
                &f.current_password,
                &f.new_password,
                cookie(&headers, SESSION_COOKIE),
            )
            .await;
        match res {
            Ok(()) => (vec![], true, StatusCode::OK),
            Err(StoreError::Invalid(e)) => {
                if e.iter().any(|e| e.field == "current_password") {
                    st.limiter.failed(&ip, &me.who.username);
                }
                (e, false, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => return Err(e.into()),
        }
    };
    render_status(
        status,
        &PasswordPage {
            l: Layout::new(t, Some(&me), t.s("change_password"), "password"),
            errors: Errors::new(t, errors),
            done,
        },
    )
}
