//! One error type for handlers: HTML pages get a Thai page, `/api` gets JSON.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use raidai_store::{FieldError, StoreError};
use std::error::Error;

#[derive(Debug)]
pub enum AppError {
    NotFound,
    Forbidden,
    Unauthorized,
    TooMany,
    BadRequest(Vec<FieldError>),
    /// An upload over the configured size (the message states the limit).
    TooLarge(Vec<FieldError>),
    /// No database connection came free in time: 503, try again.
    Busy,
    /// A failure the user cannot fix (500). Keeps the error that caused it, whose chain is
    /// logged once, where the 500 is rendered. Build with [`AppError::unexpected`] or
    /// [`AppError::unexpected_in`].
    Unexpected(Box<dyn Error + Send + Sync>),
}

/// What was being done, failed because of `source`.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
struct Failed {
    what: String,
    #[source]
    source: Box<dyn Error + Send + Sync>,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(errs) => AppError::BadRequest(errs),
            StoreError::Busy => AppError::Busy,
            other => AppError::unexpected(other),
        }
    }
}

impl AppError {
    /// A 500 caused by `e`.
    pub fn unexpected(e: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        AppError::Unexpected(e.into())
    }

    /// A 500 caused by `e` while doing `what` (e.g. "xlsx"), which leads the logged chain.
    pub fn unexpected_in(
        what: impl Into<String>,
        e: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        AppError::Unexpected(Box::new(Failed {
            what: what.into(),
            source: e.into(),
        }))
    }

    /// Logs a 500's cause; the other answers are the user's to act on and are not errors.
    fn log(&self) {
        if let AppError::Unexpected(e) = self {
            tracing::error!(error = %chain(e.as_ref()), "internal error")
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn texts(&self) -> (&'static str, &'static str) {
        match self {
            AppError::NotFound => ("ไม่พบหน้าที่ต้องการ", "Page not found"),
            AppError::Forbidden => ("ไม่มีสิทธิ์เข้าถึงหน้านี้", "You may not open this page"),
            AppError::Unauthorized => ("กรุณาเข้าสู่ระบบ", "Please sign in"),
            AppError::TooMany => (
                "พยายามเข้าสู่ระบบหลายครั้งเกินไป กรุณารอ 15 นาที",
                "Too many attempts; wait 15 minutes",
            ),
            AppError::BadRequest(_) => ("ข้อมูลไม่ถูกต้อง", "Invalid input"),
            AppError::TooLarge(_) => ("ไฟล์ใหญ่เกินกำหนด", "The upload is too large"),
            AppError::Busy => (
                "ขณะนี้มีผู้ใช้งานระบบจำนวนมาก กรุณาลองใหม่อีกครั้งในอีกสักครู่",
                "The system is busy; please try again in a moment",
            ),
            AppError::Unexpected(_) => ("ระบบขัดข้อง กรุณาลองใหม่หรือติดต่อผู้ดูแลระบบ", "Internal error"),
        }
    }

    /// JSON body for the API: `{"error": …, "fields": [...]}`.
    pub fn into_json(self) -> Response {
        self.log();
        let status = self.status();
        let (_, en) = self.texts();
        let fields = match &self {
            AppError::BadRequest(f) | AppError::TooLarge(f) => f.clone(),
            _ => Vec::new(),
        };
        let body = serde_json::json!({ "error": en, "fields": fields });
        let mut r = (status, axum::Json(body)).into_response();
        retry_after(&mut r, status);
        r
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let (th, en) = self.texts();
        let details: String = match &self {
            AppError::BadRequest(f) | AppError::TooLarge(f) => f
                .iter()
                .map(|e| {
                    let line = e.line.map(|l| format!("บรรทัด {l}: ")).unwrap_or_default();
                    format!(
                        "<li>{line}{}: {}</li>",
                        escape(&e.field),
                        escape(&e.message_th)
                    )
                })
                .collect(),
            _ => String::new(),
        };
        let body = format!(
            r#"<!doctype html><html lang="th"><head><meta charset="utf-8"><title>{th}</title><link rel="stylesheet" href="/assets/app.css?v={v}"></head><body class="error-page"><main class="card narrow"><h1>{code} · {th}</h1><p class="muted">{en}</p><ul>{details}</ul><p><a class="btn" href="/">กลับหน้าหลัก (Back to the start page)</a></p></main></body></html>"#,
            code = status.as_u16(),
            v = crate::assets::version()
        );
        let mut r = (status, Html(body)).into_response();
        retry_after(&mut r, status);
        r
    }
}

/// A busy answer tells the client when to try again.
fn retry_after(r: &mut Response, status: StatusCode) {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("2"),
        );
    }
}

/// `e` and its sources on one line, "outer: inner: …". A source whose text the line already
/// ends with is left out: many errors print their source as well as returning it.
fn chain(e: &(dyn Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        next = s.source();
    }
    line
}

pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A unit code read from a stored row or a form: one that is not five digits names no unit
/// (NotFound, as for a unit outside the caller's tenancy).
pub(crate) fn hcode_of(code: &str) -> Result<raidai_domain::ids::Hcode, AppError> {
    raidai_domain::ids::Hcode::parse(code).map_err(|_| AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_each_cause_once() {
        let io = std::io::Error::other("disk full");
        let e = AppError::unexpected_in("xlsx", io);
        let AppError::Unexpected(e) = &e else {
            panic!("not a 500")
        };
        assert_eq!(chain(e.as_ref()), "xlsx: disk full");
        // An error that prints its source as well as returning it is not repeated.
        let db = StoreError::Config("no url".into());
        let e = AppError::unexpected_in(
            "setup",
            Failed {
                what: format!("store: {db}"),
                source: Box::new(db),
            },
        );
        let AppError::Unexpected(e) = &e else {
            panic!("not a 500")
        };
        assert_eq!(chain(e.as_ref()), "setup: store: configuration: no url");
        assert_eq!(
            AppError::unexpected(std::io::Error::other("x")).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
