//! The NHSO Authen connector as a unit uses it: credentials sealed with the key from the
//! settings, and the batch lookup of the Authen codes its UCS/WEL visits lack. Off unless both
//! the installation's switch and the unit's own are on; expired credentials are refused before
//! any call. The HTTP client, retries and rate limit are `raidai_authen`.

use crate::ClaimsError;
use chrono::NaiveDate;
use raidai_authen::{AuthenError, BatchSummary, Connector, Credentials, Query, batch, code_for};
use raidai_domain::ids::Hcode;
use raidai_domain::periods::{date_of, ymd};
use raidai_store::{Actor, Store};

/// The installation's connector settings.
#[derive(Clone, Default)]
pub struct AuthenConfig {
    /// The kill switch: nothing is called while off (the default).
    pub enabled: bool,
    /// Key sealing the unit tokens at rest (32 bytes, from the settings).
    pub key: Option<[u8; 32]>,
}

impl std::fmt::Debug for AuthenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenConfig")
            .field("enabled", &self.enabled)
            .field("key", &self.key.map(|_| "<set>"))
            .finish()
    }
}

fn no_key() -> ClaimsError {
    ClaimsError::AuthenSetup {
        en: "no key for the Authen credentials: set authen_key in the settings (RAIDAI_AUTHEN_KEY)"
            .into(),
        th: "ยังไม่ได้ตั้งค่ากุญแจเข้ารหัสรหัสผ่าน สปสช. (authen_key) กรุณาติดต่อผู้ดูแลระบบ".into(),
    }
}

/// Sets a unit's credentials: `token` (sealed here; empty keeps the stored one), its expiry,
/// and the unit's own switch.
pub async fn set_credentials(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    cfg: &AuthenConfig,
    token: &str,
    expires_on: NaiveDate,
    enabled: bool,
) -> Result<(), ClaimsError> {
    let sealed = if token.trim().is_empty() {
        String::new()
    } else {
        let key = cfg.key.ok_or_else(no_key)?;
        raidai_authen::seal(&key, token.trim())
    };
    store
        .save_unit_authen(actor, unit, &sealed, ymd(expires_on), enabled)
        .await?;
    Ok(())
}

/// Looks up, for up to `limit` visits served between `from` and `to` (`yyyymmdd`) that lack an
/// Authen code, the code of their day; codes found fill the visits. Refused when the
/// connector is off (installation or unit), without credentials, or when they have expired.
#[allow(clippy::too_many_arguments)]
pub async fn check_unit(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    connector: &dyn Connector,
    cfg: &AuthenConfig,
    from: i64,
    to: i64,
    limit: i64,
    today: NaiveDate,
) -> Result<BatchSummary, ClaimsError> {
    let hcode = unit.as_str();
    if !cfg.enabled {
        return Err(ClaimsError::Authen(AuthenError::Disabled));
    }
    let stored = store
        .unit_authen(actor, unit)
        .await?
        .ok_or_else(|| ClaimsError::AuthenSetup {
            en: "this unit has no NHSO credentials".into(),
            th: "หน่วยบริการนี้ยังไม่ได้บันทึกรหัสเข้าระบบ สปสช.".into(),
        })?;
    if !stored.enabled {
        return Err(ClaimsError::Authen(AuthenError::Disabled));
    }
    let key = cfg.key.ok_or_else(no_key)?;
    let token =
        raidai_authen::open(&key, &stored.sealed_token).map_err(|_| ClaimsError::AuthenSetup {
            en: "the stored NHSO token cannot be opened with the configured key".into(),
            th: "เปิดรหัสเข้าระบบ สปสช. ที่บันทึกไว้ไม่ได้ (กุญแจเข้ารหัสไม่ตรง) กรุณาบันทึกรหัสใหม่".into(),
        })?;
    let expires = date_of(stored.expires_on).unwrap_or(today);
    let cred = Credentials::new(token, expires);
    if cred.is_expired(today) {
        return Err(ClaimsError::Authen(AuthenError::CredentialsExpired));
    }
    // A visit looked up without success is tried again after a day.
    let retry_after = raidai_store::now_ms() - 86_400_000;
    let items = store
        .visits_lacking_authen(actor, unit, from, to, retry_after, limit)
        .await?;
    let queries: Vec<Query> = items
        .iter()
        .filter_map(|i| {
            Some(Query {
                key: i.vkey.clone(),
                cid: i.cid.as_str().to_string(),
                service_date: date_of(i.date_serv)?,
            })
        })
        .collect();
    let dates: std::collections::HashMap<&str, NaiveDate> = queries
        .iter()
        .map(|q| (q.key.as_str(), q.service_date))
        .collect();
    let mut results: Vec<(String, &'static str, String)> = Vec::new();
    let summary = batch(connector, &cred, queries.clone(), |key, r| {
        let day = dates.get(key).copied();
        let (status, code) = match r {
            Ok(s) => match day.and_then(|d| code_for(&s, d, Some(hcode))) {
                Some(c) => ("found", c.claim_code.clone()),
                None => ("not_found", String::new()),
            },
            Err(_) => ("failed", String::new()),
        };
        results.push((key.to_string(), status, code));
    })
    .await;
    for (vkey, status, code) in results {
        store
            .record_authen_lookup(actor, unit, &vkey, status, &code)
            .await?;
    }
    Ok(summary)
}
