use std::fmt;
use std::time::Duration;

use chrono::{FixedOffset, NaiveDate, Utc};

/// Production host of the NHSO authen service.
pub const PRODUCTION_BASE_URL: &str = "https://authenucws.nhso.go.th";
/// NHSO test host.
pub const TEST_BASE_URL: &str = "https://test.nhso.go.th";
/// Credentials expiring within this many days trigger a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Connector settings. `Default` is production, **disabled**.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Kill switch: when false every call fails with `AuthenError::Disabled` without any I/O.
    pub enabled: bool,
    /// Scheme and host, e.g. [`PRODUCTION_BASE_URL`]. Plain `http` is accepted only for loopback.
    pub base_url: String,
    /// Per-attempt timeout (connect + response + body).
    pub timeout: Duration,
    /// Retries after the first attempt for 429, 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// Minimum spacing between requests sent by one connector (shared by all its callers).
    pub min_interval: Duration,
    pub user_agent: String,
    /// First retry delay; doubles on each retry up to [`Settings::max_backoff`].
    pub backoff_base: Duration,
    pub max_backoff: Duration,
    /// Upper bound on a server-sent `Retry-After`, so a bad header cannot stall a batch.
    pub max_retry_after: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: PRODUCTION_BASE_URL.to_owned(),
            timeout: Duration::from_secs(10),
            max_retries: 3,
            min_interval: Duration::from_millis(200),
            user_agent: concat!("raidai-authen/", env!("CARGO_PKG_VERSION")).to_owned(),
            backoff_base: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// Bearer token issued by NHSO and the last day it is valid for.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub expires_on: NaiveDate,
}

impl Credentials {
    pub fn new(token: impl Into<String>, expires_on: NaiveDate) -> Self {
        Self {
            token: token.into(),
            expires_on,
        }
    }

    /// Days until `expires_on`; 0 or less means expired.
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.expires_on - today).num_days()
    }

    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.days_left(today) <= 0
    }
}

// Hand-written so the token can never reach a log line through `{:?}`.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// Days left when the credentials expire within [`EXPIRY_WARNING_DAYS`] (0 or negative = expired),
/// otherwise `None`.
pub fn expiry_warning(expires_on: NaiveDate, today: NaiveDate) -> Option<i64> {
    let days = (expires_on - today).num_days();
    (days <= EXPIRY_WARNING_DAYS).then_some(days)
}

/// Today's date in Thailand (UTC+7, no DST), independent of the server's time zone.
pub fn today_th() -> NaiveDate {
    // 7 * 3600 is always a valid offset; fall back to UTC rather than panic.
    match FixedOffset::east_opt(7 * 3600) {
        Some(tz) => Utc::now().with_timezone(&tz).date_naive(),
        None => Utc::now().date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn expiry_warning_thresholds() {
        let today = d(2025, 3, 1);
        assert_eq!(expiry_warning(d(2025, 3, 16), today), None); // 15 days
        assert_eq!(expiry_warning(d(2025, 3, 15), today), Some(14));
        assert_eq!(expiry_warning(d(2025, 3, 1), today), Some(0));
        assert_eq!(expiry_warning(d(2025, 2, 28), today), Some(-1));
    }

    #[test]
    fn expired_when_no_days_left() {
        let c = Credentials::new("t", d(2025, 3, 1));
        assert!(c.is_expired(d(2025, 3, 1)));
        assert!(c.is_expired(d(2025, 3, 2)));
        assert!(!c.is_expired(d(2025, 2, 28)));
    }

    #[test]
    fn debug_hides_token() {
        let c = Credentials::new("super-secret-token", d(2025, 3, 1));
        let s = format!("{c:?}");
        assert!(!s.contains("super-secret-token"));
        assert!(s.contains("redacted"));
    }

    #[test]
    fn default_is_disabled() {
        let s = Settings::default();
        assert!(!s.enabled);
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert_eq!(s.max_retries, 3);
        assert_eq!(s.min_interval, Duration::from_millis(200));
    }
}
