//! `raidai serve` and `raidai demo`: the web server's state from the settings, and its start.

use crate::settings::Settings;
use anyhow::{Context, Result};
use raidai_store::Store;

pub async fn serve(
    store: Store,
    bind: &str,
    settings: &Settings,
    demo: bool,
    trusted_proxy: &[String],
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let mut state = raidai_web::AppState::new(store);
    // Secure cookies unless told otherwise, except on loopback (a browser on the same
    // machine, plain http) and for the demo.
    let loopback = listener
        .local_addr()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(true);
    state.secure_cookies = secure_cookies(settings.secure_cookies, demo, loopback);
    let proxies = if trusted_proxy.is_empty() {
        settings.trusted_proxies.clone().unwrap_or_default()
    } else {
        trusted_proxy.to_vec()
    };
    state.trusted_proxies = proxies
        .iter()
        .map(|p| {
            p.trim()
                .parse::<std::net::IpAddr>()
                .with_context(|| format!("trusted proxy {p:?} is not an IP address"))
        })
        .collect::<Result<_>>()?;
    let (authen_cfg, authen_http) = settings.authen()?;
    let connector: Option<std::sync::Arc<dyn raidai_authen::Connector>> = if authen_cfg.enabled {
        Some(std::sync::Arc::new(
            raidai_authen::HttpConnector::new(authen_http)
                .map_err(|e| anyhow::anyhow!("authen connector: {e}"))?,
        ))
    } else {
        None
    };
    state.authen = std::sync::Arc::new(raidai_web::AuthenRuntime {
        cfg: authen_cfg,
        connector,
    });
    let defaults = raidai_formats::ZipLimits::default();
    state.zip_limits = raidai_formats::ZipLimits {
        max_total_bytes: settings
            .zip_max_total_bytes
            .unwrap_or(defaults.max_total_bytes),
        max_ratio: settings.zip_max_ratio.unwrap_or(defaults.max_ratio),
    };
    state.uploads = std::sync::Arc::new(raidai_web::import_jobs::Uploads::new(
        settings
            .upload_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("raidai-uploads")),
        settings
            .max_upload_bytes
            .unwrap_or(raidai_web::import_jobs::DEFAULT_MAX_UPLOAD_BYTES),
    ));
    // Jobs a stopped server left unfinished failed; their imports never committed, and their
    // uploads (folders named by a UUID) are removed.
    let interrupted = state.store.fail_interrupted_import_jobs().await?;
    if let Ok(entries) = std::fs::read_dir(&state.uploads.dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() && uuid_like(&name) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    if interrupted > 0 {
        tracing::warn!(
            jobs = interrupted,
            "import jobs interrupted by a restart marked failed"
        );
    }
    tracing::info!(
        bind = %bind,
        secure_cookies = state.secure_cookies,
        trusted_proxies = state.trusted_proxies.len(),
        "serving"
    );
    raidai_web::serve(listener, state).await?;
    Ok(())
}

/// A folder name as the upload handler makes them (a hyphenated UUID).
fn uuid_like(name: &str) -> bool {
    name.len() == 36
        && name.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// `Secure` cookies: as configured, else on whenever browsers reach the server over the network
/// (they should be using HTTPS), off on loopback and for the demo (plain http on this machine).
fn secure_cookies(configured: Option<bool>, demo: bool, loopback: bool) -> bool {
    configured.unwrap_or(!demo && !loopback)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_upload_folders_are_cleaned() {
        assert!(super::uuid_like("01a237c6-75a3-730f-9c65-c8ca9ac59ff3"));
        assert!(!super::uuid_like("reports"));
        assert!(!super::uuid_like("01a237c6-75a3-730f-9c65-c8ca9ac59ff3x"));
    }

    #[test]
    fn secure_cookies_default_on_off_loopback_off_for_the_demo() {
        use super::secure_cookies;
        assert!(secure_cookies(None, false, false), "serve on 0.0.0.0");
        assert!(!secure_cookies(None, false, true), "serve on 127.0.0.1");
        assert!(!secure_cookies(None, true, false), "demo on 0.0.0.0");
        assert!(!secure_cookies(Some(false), false, false), "configured off");
        assert!(secure_cookies(Some(true), true, true), "configured on");
    }
}
