use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Response, Url};
use rustls_platform_verifier::BuilderVerifierExt;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::{debug, warn};

use crate::config::{Credentials, Settings, today_th};
use crate::error::{AuthenError, InvalidField};
use crate::model::{AuthenStatus, parse_response, validate_cid};

/// Boxed future so that `Connector` stays object-safe (`Arc<dyn Connector>`) and easy to mock.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Path of the status endpoint below the base URL.
pub const CHECK_PATH: &str = "/authencodestatus/api/check-authen-status";

/// Largest body accepted; a real answer is a few KiB.
const MAX_BODY_BYTES: usize = 1 << 20;

/// A source of authen statuses. Implemented by [`HttpConnector`]; tests can implement it with
/// `Box::pin(async move { … })`.
pub trait Connector: Send + Sync {
    /// Looks up the codes of one person on one day.
    fn check<'a>(&'a self, cred: &'a Credentials, lookup: Lookup<'a>) -> CheckFuture<'a>;
}

/// What a connector answers: the person's codes of the day, or why not.
pub type CheckFuture<'a> = BoxFuture<'a, Result<AuthenStatus, AuthenError>>;

/// One lookup: whose codes (`cid`), on which day, optionally for one service code
/// (e.g. `PG0060001`).
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    pub cid: &'a str,
    pub service_date: NaiveDate,
    pub service_code: Option<&'a str>,
}

impl<'a> Lookup<'a> {
    /// Every code of `cid` on `service_date`.
    pub fn new(cid: &'a str, service_date: NaiveDate) -> Self {
        Lookup {
            cid,
            service_date,
            service_code: None,
        }
    }

    /// The same lookup narrowed to one service code.
    pub fn service(self, service_code: Option<&'a str>) -> Self {
        Lookup {
            service_code,
            ..self
        }
    }
}

/// References and owning pointers to a connector delegate to it, so callers can pass whichever
/// they hold (`&C`, `Arc<dyn Connector>`, `Box<dyn Connector>`).
macro_rules! delegate_connector {
    ($($pointer:ty),+) => {$(
        impl<C: Connector + ?Sized> Connector for $pointer {
            fn check<'a>(&'a self, cred: &'a Credentials, lookup: Lookup<'a>) -> CheckFuture<'a> {
                (**self).check(cred, lookup)
            }
        }
    )+};
}

delegate_connector!(&C, Arc<C>, Box<C>);

/// HTTPS client for the NHSO service, with kill switch, local credential checks, rate limiting
/// (`min_interval` across all callers of this instance) and retries with exponential backoff.
#[derive(Debug)]
pub struct HttpConnector {
    settings: Settings,
    enabled: AtomicBool,
    endpoint: Url,
    client: reqwest::Client,
    last_request: Mutex<Option<Instant>>,
}

/// One failed attempt, with the server's `Retry-After` when it sent one.
struct Failure {
    error: AuthenError,
    retry_after: Option<Duration>,
}

impl From<AuthenError> for Failure {
    fn from(error: AuthenError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

impl HttpConnector {
    /// Builds the client. Does no network I/O. Fails on a malformed `base_url`, on plain `http`
    /// to a non-loopback host (the bearer token must not travel in clear), or on TLS setup errors.
    pub fn new(settings: Settings) -> Result<Self, AuthenError> {
        let endpoint = endpoint_url(&settings.base_url)?;

        // Own rustls config with the ring provider: avoids depending on (or installing) a
        // process-wide default provider. Certificates are checked against the OS trust store.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| AuthenError::Config(format!("TLS setup failed: {e}")))?
        .with_platform_verifier()
        .map_err(|e| AuthenError::Config(format!("TLS trust store unavailable: {e}")))?
        .with_no_client_auth();

        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(settings.user_agent.as_str())
            // A redirect would resend the query (CID) elsewhere; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            // Retries are ours, so attempts are counted and spaced in one place.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|_| AuthenError::Config("could not build the HTTP client".to_owned()))?;

        Ok(Self {
            enabled: AtomicBool::new(settings.enabled),
            settings,
            endpoint,
            client,
            last_request: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Kill switch state; starts as `settings.enabled`.
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Flips the kill switch at run time (e.g. from an admin screen) without rebuilding.
    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// The lookup itself; [`Connector::check`] boxes this.
    pub async fn check_status(
        &self,
        cred: &Credentials,
        lookup: Lookup<'_>,
    ) -> Result<AuthenStatus, AuthenError> {
        let Lookup {
            cid,
            service_date,
            service_code,
        } = lookup;
        if !self.is_enabled() {
            debug!("nhso authen: refused, kill switch is on");
            return Err(AuthenError::Disabled);
        }
        if cred.is_expired(today_th()) {
            warn!(expires_on = %cred.expires_on, "nhso authen: refused, credentials expired");
            return Err(AuthenError::CredentialsExpired);
        }
        let cid = validate_cid(cid)?;
        if let Some(code) = service_code
            && (code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(AuthenError::InvalidInput(InvalidField::ServiceCode));
        }
        let token = cred.token.trim();
        if token.is_empty() {
            return Err(AuthenError::Unauthorized);
        }
        // A token with control characters cannot be a header; NHSO would reject it anyway.
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| AuthenError::Unauthorized)?;
        auth.set_sensitive(true);

        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("personalId", cid);
            q.append_pair("serviceDate", &service_date.format("%Y-%m-%d").to_string());
            if let Some(code) = service_code {
                q.append_pair("serviceCode", code);
            }
        }

        let attempts = self.settings.max_retries.saturating_add(1);
        let mut attempt = 1;
        loop {
            self.pace().await;
            match self.send_once(&url, &auth).await {
                Ok(status) => {
                    debug!(attempt, codes = status.codes.len(), "nhso authen: ok");
                    return Ok(status);
                }
                Err(Failure { error, retry_after }) => {
                    if !error.is_transient() || attempt >= attempts {
                        warn!(attempt, error = %error, "nhso authen: failed");
                        return Err(error);
                    }
                    let mut delay = self.backoff(attempt);
                    if let Some(server) = retry_after {
                        delay = delay.max(server.min(self.settings.max_retry_after));
                    }
                    warn!(
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "nhso authen: transient failure, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn send_once(&self, url: &Url, auth: &HeaderValue) -> Result<AuthenStatus, Failure> {
        let resp = self
            .client
            .get(url.clone())
            .header(AUTHORIZATION, auth.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            let body = read_limited(resp).await?;
            return Ok(parse_response(&body)?);
        }
        let retry_after = retry_after(resp.headers());
        let error = match status {
            401 | 403 => AuthenError::Unauthorized,
            429 => AuthenError::RateLimited,
            500..=599 => AuthenError::Unavailable { status },
            _ => AuthenError::Rejected { status },
        };
        Err(Failure { error, retry_after })
    }

    /// Waits until `min_interval` has passed since the previous request of this connector.
    /// The lock is held while sleeping so concurrent callers queue up in order.
    async fn pace(&self) {
        let min = self.settings.min_interval;
        if min.is_zero() {
            return;
        }
        let mut last = self.last_request.lock().await;
        if let Some(prev) = *last {
            tokio::time::sleep_until(prev + min).await;
        }
        *last = Some(Instant::now());
    }

    /// `backoff_base * 2^(attempt-1)`, capped at `max_backoff`.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.settings
            .backoff_base
            .saturating_mul(factor)
            .min(self.settings.max_backoff)
    }
}

impl Connector for HttpConnector {
    fn check<'a>(&'a self, cred: &'a Credentials, lookup: Lookup<'a>) -> CheckFuture<'a> {
        Box::pin(self.check_status(cred, lookup))
    }
}

fn endpoint_url(base: &str) -> Result<Url, AuthenError> {
    let bad = |why: &str| AuthenError::Config(format!("base_url {why}"));
    let mut url = Url::parse(base.trim()).map_err(|_| bad("is not a valid URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url.host_str().unwrap_or("")) => {}
        "http" => return Err(bad("must use https (plain http only for loopback tests)")),
        _ => return Err(bad("must be an https URL")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    let path = format!("{}{CHECK_PATH}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Maps a transport error. Its text is never used: reqwest's `Display` includes the URL,
/// whose query holds the CID.
fn classify(e: &reqwest::Error) -> Failure {
    let error = if e.is_timeout() {
        AuthenError::Timeout
    } else if e.is_builder() {
        AuthenError::Config("invalid request".to_owned())
    } else {
        // Connect/TLS/protocol errors; the chain without the URL is safe and useful to operators.
        debug!(cause = %error_chain(e), "nhso authen: transport error");
        AuthenError::Network
    };
    error.into()
}

fn error_chain(e: &reqwest::Error) -> String {
    let mut out = String::from("request failed");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

async fn read_limited(mut resp: Response) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| classify(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(AuthenError::BadResponse("response body too large".to_owned()).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `Retry-After` in delta-seconds; the HTTP-date form is ignored (our backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rules() {
        let u = endpoint_url("https://authenucws.nhso.go.th/").expect("prod");
        assert_eq!(
            u.as_str(),
            "https://authenucws.nhso.go.th/authencodestatus/api/check-authen-status"
        );
        let u = endpoint_url("http://127.0.0.1:8080/base?x=1").expect("loopback");
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:8080/base/authencodestatus/api/check-authen-status"
        );
        assert!(endpoint_url("http://[::1]:1").is_ok());
        assert!(endpoint_url("http://localhost:1").is_ok());
        for bad in ["http://authenucws.nhso.go.th", "ftp://x", "not a url", ""] {
            assert!(
                matches!(endpoint_url(bad), Err(AuthenError::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let c = HttpConnector::new(Settings::default()).expect("builds");
        assert_eq!(c.backoff(1), Duration::from_millis(200));
        assert_eq!(c.backoff(2), Duration::from_millis(400));
        assert_eq!(c.backoff(3), Duration::from_millis(800));
        assert_eq!(c.backoff(30), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }
}
