//! Sessions, the current-user extractor, CSRF origin checks and login rate limiting.

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{Lang, T};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use raidai_domain::ids::Hcode;
use raidai_store::Actor;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "raidai_session";
pub const LANG_COOKIE: &str = "raidai_lang";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        raidai_store::users::SESSION_TTL_MS / 1000,
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The signed-in user. Pages redirect to the login page without one; the API answers 401.
pub struct Me(pub Actor);

impl FromRequestParts<AppState> for Me {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE) {
            match state.store.session_actor(token).await {
                Ok(Some(actor)) => return Ok(Me(actor)),
                Ok(None) => {}
                Err(e) => return Err(AppError::from(e).into_response()),
            }
        }
        if parts.uri.path().starts_with("/api/") {
            return Err(AppError::Unauthorized.into_json());
        }
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
    }
}

/// The language chosen with the switch (Thai unless the cookie says English).
pub struct Tr(pub T);

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = cookie(&parts.headers, LANG_COOKIE)
            .map(Lang::from_code)
            .unwrap_or_default();
        Ok(Tr(T { lang }))
    }
}

/// What most pages take: the app state, the reader's language and the signed-in user. A
/// visitor who is not signed in is turned away as [`Me`] does (login page, or 401 on the API).
pub struct Ctx {
    pub st: AppState,
    pub t: T,
    pub me: Actor,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(Tr(t)) = Tr::from_request_parts(parts, st).await;
        let Me(me) = Me::from_request_parts(parts, st).await?;
        Ok(Ctx {
            st: st.clone(),
            t,
            me,
        })
    }
}

/// The client's address: the peer, or, when the peer is a configured trusted proxy, the
/// address that proxy forwarded. Tests without connect info get "local".
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(client_address(
            peer,
            &parts.headers,
            &st.trusted_proxies,
        )))
    }
}

/// The address a request comes from. `X-Forwarded-For` is believed only when the peer is a
/// trusted proxy, and then its right-most entry that is not itself a trusted proxy is the
/// client (entries further left are written by the client and can be forged).
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else {
        return "local".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(&peer)
        .to_string()
}

/// The scheme the browser used: the trusted proxy's `X-Forwarded-Proto`, else https when the
/// server is configured for secure cookies, else http.
fn request_scheme(parts_headers: &HeaderMap, from_trusted_proxy: bool, secure: bool) -> &str {
    if from_trusted_proxy
        && let Some(p) = parts_headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
    {
        return if p.trim().eq_ignore_ascii_case("https") {
            "https"
        } else {
            "http"
        };
    }
    if secure { "https" } else { "http" }
}

/// Where to go after signing in: only a path of this site (`/…`, not `//host`), with no
/// control characters, spaces or backslashes (browsers drop tabs and newlines, turning
/// `/\t/evil.example` into `//evil.example`); anything else goes to the start page.
pub fn safe_next(n: Option<&str>) -> String {
    let ok = |p: &str| {
        let b = p.as_bytes();
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
            && p.chars().all(|c| c.is_ascii_graphic() && c != '\\')
            && p.parse::<axum::http::uri::PathAndQuery>().is_ok()
    };
    match n {
        Some(p) if ok(p) => p.to_string(),
        _ => "/".into(),
    }
}

pub fn urlencode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_./~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Refuses state-changing requests that a browser marks as cross-site. Together with
/// SameSite=Strict session cookies this is the CSRF defence; non-browser clients send neither
/// header and carry no ambient cookies.
pub async fn csrf_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        let h = req.headers();
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let from_proxy = peer.is_some_and(|p| st.trusted_proxies.contains(&p));
        let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if let Some(site) = site
            && !matches!(site, "same-origin" | "none")
        {
            return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        }
        if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = h
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            // Scheme and host must both match: http://host is another origin than https://host.
            let (origin_scheme, origin_host) = origin.split_once("://").unwrap_or(("", ""));
            let scheme = request_scheme(h, from_proxy, st.secure_cookies);
            if origin == "null"
                || origin_host != host
                || !origin_scheme.eq_ignore_ascii_case(scheme)
            {
                return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
            }
        }
    }
    next.run(req).await
}

/// Failed password checks (sign-in and the current password of a password change) per
/// (address, username), per address and per username from any address. One client is stopped
/// at 5 guesses for an account, so it alone cannot reach the per-username limit and lock the
/// account out for everyone; behind a proxy the address is the forwarded one (see
/// [`client_address`]), so one bad client does not lock out everyone behind the proxy.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
pub const MAX_FAILURES_PER_USERNAME: u32 = 20;
pub const LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);

impl LoginLimiter {
    fn keys(ip: &str, username: &str) -> [(String, u32); 3] {
        let user = username.trim().to_lowercase();
        [
            (format!("{ip}|{user}"), MAX_FAILURES_PER_ACCOUNT),
            (format!("addr:{ip}"), MAX_FAILURES_PER_ADDRESS),
            (format!("user:{user}"), MAX_FAILURES_PER_USERNAME),
        ]
    }

    pub fn is_blocked(&self, ip: &str, username: &str) -> bool {
        let mut m = self.failures.lock().expect("limiter lock");
        let now = Instant::now();
        m.retain(|_, (_, since)| now.duration_since(*since) < LIMIT_WINDOW);
        Self::keys(ip, username)
            .iter()
            .any(|(k, max)| m.get(k).is_some_and(|(n, _)| n >= max))
    }

    pub fn failed(&self, ip: &str, username: &str) {
        let mut m = self.failures.lock().expect("limiter lock");
        for (k, _) in Self::keys(ip, username) {
            m.entry(k).or_insert((0, Instant::now())).0 += 1;
        }
    }

    pub fn succeeded(&self, ip: &str, username: &str) {
        let mut m = self.failures.lock().expect("limiter lock");
        m.remove(&Self::keys(ip, username)[0].0);
    }
}

/// Adds security headers to every response.
pub async fn security_headers(State(_): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", "nosniff".parse().expect("static"));
    h.insert("x-frame-options", "DENY".parse().expect("static"));
    h.insert("referrer-policy", "same-origin".parse().expect("static"));
    h.insert(
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
            .parse()
            .expect("static"),
    );
    res
}

/// Route-level guard for admin routes, applied before any body is parsed; the store checks again.
pub async fn require_admin(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    match Me::from_request_parts(&mut parts, &st).await {
        Ok(Me(me)) if me.is_admin() => next.run(Request::from_parts(parts, body)).await,
        Ok(_) if parts.uri.path().starts_with("/api/") => AppError::Forbidden.into_json(),
        Ok(_) => AppError::Forbidden.into_response(),
        Err(rejection) => rejection,
    }
}

/// Refuses unless the unit is visible to `me` (else 404) and then `allowed` (else 403):
/// the order keeps another tenant's unit a 404. Call before reading any request body.
pub(crate) async fn require_unit(
    st: &AppState,
    me: &Actor,
    unit_code: Hcode,
    allowed: bool,
) -> Result<(), AppError> {
    st.store.get_unit(me, unit_code).await?;
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A route's path parameters. One that does not parse (a unit code that is not five digits)
/// names no page: a 404 like any unknown address, not axum's plain-text 400.
pub struct Params<P>(pub P);

impl<S: Send + Sync, P: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Params<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<P>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(p)) => Ok(Params(p)),
            Err(_) => Err(AppError::NotFound),
        }
    }
}
