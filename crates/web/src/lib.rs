//! The web application: server-rendered Thai-first pages and a JSON API under `/api/v1`.
//!
//! Handlers stay thin: parse input, call the store with the caller's [`raidai_store::Actor`]
//! (tenancy is enforced there), render. Every route is declared once in [`route_defs`], so the
//! tenancy tests can enumerate the whole router.

pub mod admin;
pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod authen_page;
pub mod claims;
pub mod criteria_page;
pub mod cycle;
pub mod error;
pub mod governance;
pub mod i18n;
pub mod import_jobs;
pub mod inspection;
pub mod pages;
pub mod periods;
pub mod read_cache;
pub mod setup;
mod upload;
pub mod view;

use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use axum::{Router, middleware};
use raidai_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, OnResponse, TraceLayer};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub limiter: Arc<auth::LoginLimiter>,
    /// Adds `Secure` to cookies when served behind HTTPS.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Bounds on what an uploaded zip may expand to.
    pub zip_limits: raidai_formats::ZipLimits,
    /// Where 16-file uploads wait for their import job, and their size limit.
    pub uploads: Arc<import_jobs::Uploads>,
    /// The NHSO Authen connector (off by default).
    pub authen: Arc<AuthenRuntime>,
    /// The outcome of each unit's last background Authen lookup, as shown.
    pub authen_runs: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    /// Roll-ups computed from the read models, per read version.
    pub reads: Arc<read_cache::ReadCache>,
}

/// The NHSO Authen connector of the running server: its settings and client (none while the
/// kill switch is off).
#[derive(Default)]
pub struct AuthenRuntime {
    pub cfg: raidai_claims::authen::AuthenConfig,
    pub connector: Option<Arc<dyn raidai_authen::Connector>>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            limiter: Arc::default(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            zip_limits: raidai_formats::ZipLimits::default(),
            uploads: Arc::default(),
            authen: Arc::default(),
            authen_runs: Arc::default(),
            reads: Arc::default(),
        }
    }
}

/// Who may call a route before the store's own tenancy checks apply. `Admin` routes are
/// refused to everyone else by [`auth::require_admin`] before the handler runs, so their
/// handlers do not check the role again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    Admin,
}

pub struct RouteDef {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

fn r(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> RouteDef {
    RouteDef {
        method,
        path,
        access,
        handler,
    }
}

/// Every route of the application.
pub fn route_defs() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(M::GET, "/healthz", Public, get(pages::healthz)),
        r(M::GET, "/assets/{file}", Public, get(assets::serve)),
        r(M::GET, "/lang/{code}", Public, get(pages::switch_lang)),
        r(M::GET, "/login", Public, get(pages::login_page)),
        r(M::POST, "/login", Public, post(pages::login_submit)),
        r(M::POST, "/logout", SignedIn, post(pages::logout)),
        r(M::GET, "/", SignedIn, get(pages::home)),
        r(M::GET, "/province", SignedIn, get(pages::province)),
        r(M::GET, "/districts/new", Admin, get(pages::district_new)),
        r(M::POST, "/districts", Admin, post(pages::district_create)),
        r(
            M::GET,
            "/districts/{code}",
            SignedIn,
            get(pages::district_detail),
        ),
        r(
            M::GET,
            "/districts/{code}/edit",
            Admin,
            get(pages::district_edit),
        ),
        r(
            M::POST,
            "/districts/{code}",
            Admin,
            post(pages::district_update),
        ),
        r(M::GET, "/units", SignedIn, get(pages::units)),
        r(
            M::GET,
            "/units/export.csv",
            SignedIn,
            get(pages::units_export),
        ),
        r(M::GET, "/units/new", Admin, get(pages::unit_new)),
        r(M::POST, "/units", Admin, post(pages::unit_create)),
        r(
            M::GET,
            "/units/import",
            Admin,
            get(pages::units_import_page),
        ),
        r(M::POST, "/units/import", Admin, post(pages::units_import)),
        r(M::GET, "/units/{hcode}", SignedIn, get(pages::unit_detail)),
        r(M::GET, "/units/{hcode}/edit", Admin, get(pages::unit_edit)),
        r(M::POST, "/units/{hcode}", Admin, post(pages::unit_update)),
        r(
            M::GET,
            "/reference/accounts",
            SignedIn,
            get(pages::accounts),
        ),
        r(M::GET, "/reference/rights", SignedIn, get(pages::rights)),
        r(
            M::GET,
            "/account/password",
            SignedIn,
            get(pages::password_page),
        ),
        r(
            M::POST,
            "/account/password",
            SignedIn,
            post(pages::password_submit),
        ),
        r(M::GET, "/admin/users", Admin, get(admin::users)),
        r(M::GET, "/admin/users/new", Admin, get(admin::user_new)),
        r(M::POST, "/admin/users", Admin, post(admin::user_create)),
        r(
            M::GET,
            "/admin/users/{id}/edit",
            Admin,
            get(admin::user_edit),
        ),
        r(
            M::POST,
            "/admin/users/{id}",
            Admin,
            post(admin::user_update),
        ),
        r(M::GET, "/admin/audit", Admin, get(admin::audit)),
        r(M::GET, "/setup", Admin, get(setup::setup_page)),
        r(
            M::POST,
            "/setup/province",
            Admin,
            post(setup::setup_province),
        ),
        r(M::POST, "/setup/users", Admin, post(setup::users_import)),
        r(
            M::GET,
            "/setup/units-template.csv",
            Admin,
            get(setup::units_template_csv),
        ),
        r(
            M::GET,
            "/setup/units-template.xlsx",
            Admin,
            get(setup::units_template_xlsx),
        ),
        r(
            M::GET,
            "/setup/users-template.csv",
            Admin,
            get(setup::users_template_csv),
        ),
        r(M::GET, "/api/v1/openapi.json", Public, get(api::openapi)),
        r(M::POST, "/api/v1/login", Public, post(api::login)),
        r(M::GET, "/api/v1/me", SignedIn, get(api::me)),
        r(M::GET, "/api/v1/provinces", SignedIn, get(api::provinces)),
        r(M::GET, "/api/v1/districts", SignedIn, get(api::districts)),
        r(
            M::GET,
            "/api/v1/districts/{code}",
            SignedIn,
            get(api::district),
        ),
        r(M::GET, "/api/v1/units", SignedIn, get(api::units)),
        r(M::POST, "/api/v1/units", Admin, post(api::unit_create)),
        r(M::GET, "/api/v1/units/{hcode}", SignedIn, get(api::unit)),
        r(
            M::PUT,
            "/api/v1/units/{hcode}",
            Admin,
            put(api::unit_update),
        ),
        r(M::GET, "/api/v1/users", Admin, get(api::users)),
        r(M::GET, "/api/v1/audit", Admin, get(api::audit)),
    ]
    .into_iter()
    .chain(governance::routes())
    .chain(criteria_page::routes())
    .chain(inspection::routes())
    .chain(claims::routes())
    .chain(periods::routes())
    .chain(audit::routes())
    .chain(authen_page::routes())
    .chain(cycle::routes())
    .collect()
}

/// The largest request body of every route but the 16-file import (a month of REP and STM
/// workbooks fits several times over).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// A body over [`BODY_LIMIT`] answers with the app's own 413 (the Thai error page, or JSON on
/// the API) instead of the limit layer's bare text.
async fn over_body_limit(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let ours = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(b"text/html") || v.as_bytes().starts_with(b"application/json")
        });
    if res.status() != axum::http::StatusCode::PAYLOAD_TOO_LARGE || ours {
        return res;
    }
    let e = error::AppError::TooLarge(vec![raidai_store::FieldError::new(
        "file",
        "the request is over 64 MiB: send fewer or smaller files at a time",
        "ข้อมูลที่ส่งเกิน 64 MB กรุณาส่งไฟล์ให้น้อยลงหรือเล็กลงในแต่ละครั้ง",
    )]);
    if api {
        e.into_json()
    } else {
        e.into_response()
    }
}

pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    for d in route_defs() {
        // Only the 16-file import takes large bodies: it streams them to disk and enforces its
        // own configured limit with a Thai message. Everything else stays under 64 MiB.
        let handler = if d.path == "/units/{hcode}/claims/import" {
            d.handler
        } else {
            d.handler
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
                .layer(middleware::from_fn(over_body_limit))
        }
        .layer(axum::extract::DefaultBodyLimit::disable());
        let handler = if d.access == Access::Admin {
            handler.route_layer(middleware::from_fn_with_state(
                state.clone(),
                auth::require_admin,
            ))
        } else {
            handler
        };
        app = app.route(d.path, handler);
    }
    app.fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::security_headers,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(response_done),
        )
        .with_state(state)
}

/// One span per request: its method, the route it matched and, once answered, the status.
/// The route's template (`/units/{hcode}`), never the request's own path, query or body: those
/// may carry visit keys or search text. A request no route matched has no `path`.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| tracing::field::display(p.as_str()));
    tracing::info_span!(
        "http",
        method = %req.method(),
        path,
        status = tracing::field::Empty
    )
}

fn response_done(
    res: &axum::http::Response<axum::body::Body>,
    latency: Duration,
    span: &tracing::Span,
) {
    span.record("status", res.status().as_u16());
    DefaultOnResponse::new()
        .level(tracing::Level::INFO)
        .on_response(res, latency, span);
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .expect("signal handler");
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        })
        .await
}
