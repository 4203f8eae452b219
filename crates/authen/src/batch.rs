use std::fmt;

use chrono::NaiveDate;
use tracing::{info, warn};

use crate::config::Credentials;
use crate::error::AuthenError;
use crate::http::{Connector, Lookup};
use crate::model::{AuthenStatus, code_for, mask_cid};

/// A batch stops after this many transient failures (unavailable/timeout/network) in a row.
pub const CONSECUTIVE_FAILURE_LIMIT: usize = 5;

/// One lookup in a batch. `key` is the caller's reference (e.g. visit number) and is what gets
/// logged, so it must not be the CID.
#[derive(Clone, PartialEq, Eq)]
pub struct Query {
    pub key: String,
    pub cid: String,
    pub service_date: NaiveDate,
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Query")
            .field("key", &self.key)
            .field("cid", &mask_cid(&self.cid))
            .field("service_date", &self.service_date)
            .finish()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Lookups that returned a code for the requested day.
    pub found: usize,
    /// Lookups that succeeded but had no code that day.
    pub not_found: usize,
    /// Lookups that failed (including the one that stopped the batch).
    pub failed: usize,
    /// Items never attempted because the batch stopped.
    pub skipped: usize,
    /// Why the batch stopped early, if it did.
    pub stopped: Option<AuthenError>,
}

/// Looks up `items` one after another, reporting each through `on_result(key, result)`.
///
/// Spacing between requests (`min_interval`) is enforced by the connector ([`crate::HttpConnector`]
/// paces every request it sends, retries included). Stops at the first `Unauthorized`,
/// `CredentialsExpired`, `Disabled` or `Config` error, or after [`CONSECUTIVE_FAILURE_LIMIT`]
/// transient failures in a row; the stopping item is still reported.
pub async fn batch<C: Connector + ?Sized>(
    connector: &C,
    cred: &Credentials,
    items: Vec<Query>,
    mut on_result: impl FnMut(&str, Result<AuthenStatus, AuthenError>),
) -> BatchSummary {
    let total = items.len();
    let mut summary = BatchSummary::default();
    let mut consecutive_transient = 0;

    for (index, q) in items.into_iter().enumerate() {
        let result = connector
            .check(cred, Lookup::new(&q.cid, q.service_date))
            .await;
        let key = log_key(&q);
        let mut stop = None;
        match &result {
            Ok(status) => {
                consecutive_transient = 0;
                if code_for(status, q.service_date, None).is_some() {
                    summary.found += 1;
                    info!(key = %key, outcome = "found", "nhso authen lookup");
                } else {
                    summary.not_found += 1;
                    info!(key = %key, outcome = "not_found", "nhso authen lookup");
                }
            }
            Err(e) => {
                summary.failed += 1;
                warn!(key = %key, outcome = "failed", error = %e, "nhso authen lookup");
                if e.is_transient() {
                    consecutive_transient += 1;
                } else {
                    consecutive_transient = 0;
                }
                if e.stops_batch() || consecutive_transient >= CONSECUTIVE_FAILURE_LIMIT {
                    stop = Some(e.clone());
                }
            }
        }
        on_result(&q.key, result);
        if let Some(e) = stop {
            summary.skipped = total - index - 1;
            warn!(error = %e, skipped = summary.skipped, "nhso authen batch stopped");
            summary.stopped = Some(e);
            break;
        }
    }
    info!(
        found = summary.found,
        not_found = summary.not_found,
        failed = summary.failed,
        skipped = summary.skipped,
        "nhso authen batch finished"
    );
    summary
}

/// The key as logged; masks the CID should a caller have used it (or embedded it) as the key.
fn log_key(q: &Query) -> String {
    let cid = q.cid.trim();
    if !cid.is_empty() && q.key.contains(cid) {
        q.key.replace(cid, &mask_cid(cid))
    } else {
        q.key.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::http::CheckFuture;

    /// Replays scripted results; shows that the trait is mockable without HTTP.
    struct Scripted(Mutex<Vec<Result<AuthenStatus, AuthenError>>>);

    impl Connector for Scripted {
        fn check<'a>(&'a self, _cred: &'a Credentials, _lookup: Lookup<'a>) -> CheckFuture<'a> {
            let next = self
                .0
                .lock()
                .map(|mut v| v.remove(0))
                .unwrap_or(Err(AuthenError::Network));
            Box::pin(async move { next })
        }
    }

    fn items(n: usize) -> Vec<Query> {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).expect("date");
        (0..n)
            .map(|i| Query {
                key: format!("VN{i}"),
                cid: "1234567890121".into(),
                service_date: day,
            })
            .collect()
    }

    fn cred() -> Credentials {
        Credentials::new("t", NaiveDate::from_ymd_opt(2099, 1, 1).expect("date"))
    }

    #[tokio::test]
    async fn stops_after_consecutive_transient_failures() {
        let mut script = vec![Ok(AuthenStatus::default())];
        script.extend((0..CONSECUTIVE_FAILURE_LIMIT).map(|_| Err(AuthenError::Timeout)));
        script.push(Ok(AuthenStatus::default()));
        let c = Scripted(Mutex::new(script));
        let mut seen = Vec::new();
        let s = batch(&c, &cred(), items(10), |k, _| seen.push(k.to_owned())).await;
        assert_eq!(s.not_found, 1);
        assert_eq!(s.failed, CONSECUTIVE_FAILURE_LIMIT);
        assert_eq!(s.skipped, 10 - 1 - CONSECUTIVE_FAILURE_LIMIT);
        assert_eq!(s.stopped, Some(AuthenError::Timeout));
        assert_eq!(seen.len(), 1 + CONSECUTIVE_FAILURE_LIMIT);
    }

    #[tokio::test]
    async fn transient_streak_resets_and_disabled_stops() {
        let script = vec![
            Err(AuthenError::Unavailable { status: 503 }),
            Ok(AuthenStatus::default()),
            Err(AuthenError::InvalidInput(crate::InvalidField::Cid)),
            Err(AuthenError::Disabled),
        ];
        let c = Scripted(Mutex::new(script));
        let s = batch(&c, &cred(), items(6), |_, _| {}).await;
        assert_eq!((s.found, s.not_found, s.failed, s.skipped), (0, 1, 3, 2));
        assert_eq!(s.stopped, Some(AuthenError::Disabled));
    }

    #[test]
    fn query_debug_and_log_key_mask_cid() {
        let mut q = items(1).remove(0);
        assert!(!format!("{q:?}").contains("1234567890121"));
        q.key = "visit-1234567890121".into();
        assert_eq!(log_key(&q), "visit-1-2345-xxxxx-xx-1");
    }
}
