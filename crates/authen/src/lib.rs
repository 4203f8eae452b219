//! Client for the NHSO (สปสช.) "Authen code status" web service.
//!
//! Looks up the Authen Code (per-visit authentication code, e.g. `PP0123456789`, or `EP…`
//! issued by the closing endpoint) for visits that lack one:
//! `GET {base}/authencodestatus/api/check-authen-status?personalId=…&serviceDate=YYYY-MM-DD`.
//!
//! Privacy (PDPA): patient names in the response are never parsed into any type here, and no
//! CID, token or name is written to logs or error texts. Logs carry a caller key and the outcome.
//!
//! ```no_run
//! # async fn demo(sealed_token: &str, key_setting: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use raidai_authen::*;
//!
//! let key = key_from_setting(key_setting)?;
//! let cred = Credentials::new(open(&key, sealed_token)?, chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
//! let nhso = HttpConnector::new(Settings { enabled: true, ..Settings::default() })?;
//! let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
//! let status = nhso.check(&cred, Lookup::new("1234567890121", day)).await?;
//! if let Some(code) = code_for(&status, day, Some("10670")) {
//!     println!("authen code {}", code.claim_code);
//! }
//! # Ok(()) }
//! ```

mod batch;
mod config;
mod error;
mod http;
mod model;
mod secret;

pub use batch::{BatchSummary, CONSECUTIVE_FAILURE_LIMIT, Query, batch};
pub use config::{
    Credentials, EXPIRY_WARNING_DAYS, PRODUCTION_BASE_URL, Settings, TEST_BASE_URL, expiry_warning,
    today_th,
};
pub use error::{AuthenError, InvalidField};
pub use http::{BoxFuture, CHECK_PATH, CheckFuture, Connector, HttpConnector, Lookup};
pub use model::{AuthenCode, AuthenStatus, code_for, mask_cid, parse_response, validate_cid};
pub use secret::{SecretError, key_from_setting, open, seal};
