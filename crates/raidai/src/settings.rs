//! Settings from a TOML file; flags and RAIDAI_* variables (handled by clap) take precedence.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub database: Option<String>,
    pub bind: Option<String>,
    pub log: Option<String>,
    /// Default: on when `serve` listens on a non-loopback address, off on loopback and for the demo.
    pub secure_cookies: Option<bool>,
    /// Reverse proxies (IP addresses) whose X-Forwarded-For / X-Forwarded-Proto are believed.
    pub trusted_proxies: Option<Vec<String>>,
    /// Largest total uncompressed size of an uploaded zip's files (default 16 GiB).
    pub zip_max_total_bytes: Option<u64>,
    /// Largest expansion ratio of one zip entry over 1 MiB (default 200).
    pub zip_max_ratio: Option<u64>,
    /// Largest 16-file upload through the web page, in bytes (default 2 GiB).
    pub max_upload_bytes: Option<u64>,
    /// Folder where uploads wait for their import job (default: the system's temporary folder).
    pub upload_dir: Option<std::path::PathBuf>,
    /// The NHSO Authen connector's kill switch (default off; also RAIDAI_AUTHEN_ENABLED).
    pub authen_enabled: Option<bool>,
    /// Base URL of the NHSO Authen status service (default production; also RAIDAI_AUTHEN_URL).
    pub authen_url: Option<String>,
    /// Key sealing the units' NHSO tokens at rest: 64 hex characters or base64 of 32 bytes
    /// (also RAIDAI_AUTHEN_KEY). Without it no token can be saved.
    pub authen_key: Option<String>,
    /// Database connections the pages share (default 4 on SQLite, 8 on PostgreSQL).
    pub db_pool_size: Option<u32>,
    /// Milliseconds a request waits for a free connection before it gets a 503 "busy" page
    /// (default 3000).
    pub db_pool_wait_ms: Option<u64>,
}

impl Settings {
    pub fn pool(&self) -> raidai_store::PoolSettings {
        raidai_store::PoolSettings {
            size: self.db_pool_size,
            wait: self.db_pool_wait_ms.map(std::time::Duration::from_millis),
        }
    }

    /// The Authen connector from the settings and RAIDAI_AUTHEN_* (the variables win).
    pub fn authen(&self) -> Result<(raidai_claims::authen::AuthenConfig, raidai_authen::Settings)> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let enabled = match env("RAIDAI_AUTHEN_ENABLED") {
            Some(v) => matches!(v.trim(), "1" | "true" | "yes" | "on"),
            None => self.authen_enabled.unwrap_or(false),
        };
        let key = match env("RAIDAI_AUTHEN_KEY").or_else(|| self.authen_key.clone()) {
            Some(k) => Some(
                raidai_authen::key_from_setting(&k)
                    .map_err(|e| anyhow::anyhow!("authen_key: {e}"))?,
            ),
            None => None,
        };
        let mut http = raidai_authen::Settings {
            enabled,
            ..raidai_authen::Settings::default()
        };
        if let Some(url) = env("RAIDAI_AUTHEN_URL").or_else(|| self.authen_url.clone()) {
            http.base_url = url;
        }
        Ok((raidai_claims::authen::AuthenConfig { enabled, key }, http))
    }

    pub fn load(path: Option<&Path>) -> Result<Settings> {
        let Some(path) = path else {
            return Ok(Settings::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read settings file {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("settings file {} is not valid", path.display()))
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field(
                "database",
                &self.database.as_deref().map(raidai_store::redact_url),
            )
            .field("bind", &self.bind)
            .field("authen_enabled", &self.authen_enabled)
            .field("authen_key", &self.authen_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}
