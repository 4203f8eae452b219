//! `raidai authen …`: a unit's NHSO credentials and the lookup of missing Authen codes.

use crate::settings::Settings;
use crate::{DbArgs, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use raidai_domain::ids::Hcode;
use raidai_store::Actor;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum AuthenCmd {
    /// Save a unit's NHSO token (read from a file, never from the command line) and its expiry.
    Set {
        #[arg(long)]
        unit: Hcode,
        /// A file holding the token (one line).
        #[arg(long)]
        token_file: PathBuf,
        /// Expiry date (dd/mm/yyyy BE or CE, or yyyy-mm-dd).
        #[arg(long)]
        expires: String,
        /// Keep the unit's own switch off.
        #[arg(long)]
        disabled: bool,
        #[arg(long)]
        settings: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Look up the Authen codes the unit's UC/WEL visits of a period lack (refused when off).
    Check {
        #[arg(long)]
        unit: Hcode,
        /// First service date (dd/mm/yyyy BE or CE, or yyyy-mm-dd).
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// At most this many visits.
        #[arg(long, default_value_t = 1000)]
        limit: i64,
        #[arg(long)]
        settings: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn authen_cmd(cmd: AuthenCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    let date = |s: &str, what: &str| {
        raidai_domain::calendar::parse_date(s.trim())
            .map_err(|_| anyhow::anyhow!("--{what}: {s} is not a date (dd/mm/yyyy)"))
    };
    match cmd {
        AuthenCmd::Set {
            unit,
            token_file,
            expires,
            disabled,
            settings,
            db,
        } => {
            let (cfg, _) = Settings::load(settings.as_deref())?.authen()?;
            let token = std::fs::read_to_string(&token_file)
                .with_context(|| format!("cannot read {}", token_file.display()))?;
            let store = open(&db_url(&db)?).await?;
            raidai_claims::authen::set_credentials(
                &store,
                &sys,
                unit,
                &cfg,
                token.trim(),
                date(&expires, "expires")?,
                !disabled,
            )
            .await?;
            println!("unit {unit}: NHSO credentials saved (expire {expires})");
            Ok(())
        }
        AuthenCmd::Check {
            unit,
            from,
            to,
            limit,
            settings,
            db,
        } => {
            let (cfg, http) = Settings::load(settings.as_deref())?.authen()?;
            if !cfg.enabled {
                bail!(
                    "the NHSO connector is off: set authen_enabled = true in the settings (or RAIDAI_AUTHEN_ENABLED=1) to use it"
                );
            }
            let connector = raidai_authen::HttpConnector::new(http)
                .map_err(|e| anyhow::anyhow!("authen connector: {e}"))?;
            let store = open(&db_url(&db)?).await?;
            let ymd = raidai_domain::periods::ymd;
            let s = raidai_claims::authen::check_unit(
                &store,
                &sys,
                unit,
                &connector,
                &cfg,
                ymd(date(&from, "from")?),
                ymd(date(&to, "to")?),
                limit,
                raidai_authen::today_th(),
            )
            .await?;
            println!(
                "unit {unit}: {} found, {} without a code that day, {} failed, {} not tried",
                s.found, s.not_found, s.failed, s.skipped
            );
            if let Some(e) = s.stopped {
                bail!("stopped: {e}");
            }
            Ok(())
        }
    }
}
