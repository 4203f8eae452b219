//! `raidai`: the command line — serve the web app, run the demo, migrate, manage users.

mod authen_cmd;
mod bench_pages;
mod claims_cmd;
mod cycle_cmd;
mod demo;
mod demo_claims;
mod demo_governance;
mod demo_inspection;
mod governance_cmd;
mod period_cmd;
mod serve;
mod settings;
mod setup_cmd;

use anyhow::{Context, Result};
use authen_cmd::{AuthenCmd, authen_cmd};
use clap::{Args, Parser, Subcommand};
use period_cmd::{PeriodCmd, period_cmd};
use raidai_domain::ids::Hcode;
use raidai_store::{Actor, Store, redact_url};
use serve::serve;
use settings::Settings;
use setup_cmd::{SetupCmd, UserCmd, setup_cmd, user_cmd};
use std::path::PathBuf;

// glibc malloc spends a third of an import in free(): strings are allocated on the reader
// thread and dropped on the database threads. mimalloc frees across threads cheaply.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "raidai",
    version,
    about = "Revenue collection and financial governance for Thai public health units"
)]
struct Cli {
    /// TOML settings file (keys: database, bind, log, secure_cookies, trusted_proxies,
    /// zip_max_total_bytes, zip_max_ratio, max_upload_bytes, upload_dir).
    #[arg(long, global = true, env = "RAIDAI_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone, Default)]
struct DbArgs {
    /// sqlite://PATH or postgres://USER@HOST/DB
    #[arg(long, env = "RAIDAI_DATABASE")]
    database: Option<String>,
}

/// One unit's figures of one fiscal year: `--unit HCODE [--fy BE]` (the current year by default).
#[derive(Args, Clone)]
struct UnitYear {
    #[arg(long)]
    unit: Hcode,
    /// Fiscal year (BE).
    #[arg(long)]
    fy: Option<u16>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web app on an existing database (migrations run first).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "RAIDAI_BIND")]
        bind: Option<String>,
        /// Reverse proxy address whose X-Forwarded-For is believed (repeat or comma-separate).
        #[arg(long, env = "RAIDAI_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<String>,
    },
    /// Seed a synthetic province into an embedded SQLite database and serve it.
    Demo {
        /// Folder for the demo database.
        #[arg(long, env = "RAIDAI_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        #[arg(long, env = "RAIDAI_BIND")]
        bind: Option<String>,
    },
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        cmd: DbCmd,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// First-run setup of an installation.
    Setup {
        #[command(subcommand)]
        cmd: SetupCmd,
    },
    /// Health service units.
    Units {
        #[command(subcommand)]
        cmd: UnitsCmd,
    },
    /// Financial governance: Risk Score and TPS batches, trial-balance import.
    Governance {
        #[command(subcommand)]
        cmd: governance_cmd::Cmd,
    },
    /// Import HIS exports (the NHSO 16 files).
    Import {
        #[command(subcommand)]
        cmd: claims_cmd::ImportCmd,
    },
    /// Data Audit: re-evaluate all of a unit's visits and print the findings per rule (of the
    /// fiscal year given by --fy only, when given).
    Audit {
        #[command(flatten)]
        at: UnitYear,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The NHSO Authen connector: a unit's credentials and the lookup of missing codes (off
    /// unless authen_enabled / RAIDAI_AUTHEN_ENABLED is on).
    Authen {
        #[command(subcommand)]
        cmd: AuthenCmd,
    },
    /// Accounting periods of the receivables journal: list, close, reopen months.
    Period {
        #[command(subcommand)]
        cmd: PeriodCmd,
    },
    /// The claim cycle: batches out, REP and Statement files in.
    Claim {
        #[command(subcommand)]
        cmd: cycle_cmd::ClaimCmd,
    },
    /// Generate synthetic data sets.
    Gen {
        #[command(subcommand)]
        cmd: claims_cmd::GenCmd,
    },
    /// Benchmarks (commands, not timed tests).
    Bench {
        #[command(subcommand)]
        cmd: claims_cmd::BenchCmd,
    },
}

#[derive(Subcommand)]
enum DbCmd {
    /// Apply pending migrations.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Rewrite the read models (journal, claim-cycle and recognition sums) from the journal,
    /// the visits and their claims, in one transaction.
    RebuildSummaries {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Recompute the read models and compare with what is stored. Exit 0 when they agree,
    /// 1 with the differing rows listed.
    CheckSummaries {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UnitsCmd {
    /// Import units from CSV (header: hcode,name_th,unit_type,district_code,cup_hcode,
    /// peer_group,island,beds[,active]); all or nothing, errors name the line and field.
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

async fn open(url: &str) -> Result<Store> {
    open_with(url, raidai_store::PoolSettings::default()).await
}

async fn open_with(url: &str, pool: raidai_store::PoolSettings) -> Result<Store> {
    let store = Store::connect_with(url, pool)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .migrate()
        .await
        .with_context(|| format!("migrating database {}", redact_url(url)))?;
    Ok(store)
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RAIDAI_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(
                    settings.log.as_deref().unwrap_or("info,sqlx=warn"),
                )
            }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let db_url = |db: &DbArgs| -> Result<String> {
        db.database
            .clone()
            .or_else(|| settings.database.clone())
            .context("no database given: use --database, RAIDAI_DATABASE or `database` in the settings file")
    };
    match cli.cmd {
        Cmd::Serve {
            db,
            bind,
            trusted_proxy,
        } => {
            let url = db_url(&db)?;
            let store = open_with(&url, settings.pool()).await?;
            let bind = bind
                .or(settings.bind.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            serve(store, &bind, &settings, false, &trusted_proxy).await
        }
        Cmd::Demo { data_dir, bind } => {
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("cannot create data folder {}", data_dir.display()))?;
            let url = format!("sqlite://{}", data_dir.join("raidai-demo.db").display());
            let store = open_with(&url, settings.pool()).await?;
            let seeded = demo::seed(&store).await?;
            let bind = bind
                .or(settings.bind.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            println!(
                "raidai demo: {} ({})",
                url,
                if seeded {
                    "seeded a synthetic province"
                } else {
                    "already seeded"
                }
            );
            println!("open http://{bind}/ and sign in as:");
            for l in demo::LOGINS {
                println!("  {:<16} {:<14} {}", l.username, l.password, l.what);
            }
            serve(store, &bind, &settings, true, &[]).await
        }
        Cmd::Db {
            cmd: DbCmd::Migrate { db },
        } => {
            let url = db_url(&db)?;
            let store = Store::connect(&url)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let applied = store.migrate().await?;
            if applied.is_empty() {
                println!("database {} is up to date", redact_url(&url));
            } else {
                println!("applied to {}: {}", redact_url(&url), applied.join(", "));
            }
            Ok(())
        }
        Cmd::Db {
            cmd: DbCmd::RebuildSummaries { db },
        } => {
            let store = open(&db_url(&db)?).await?;
            let t = std::time::Instant::now();
            store.rebuild_summaries().await?;
            println!("read models rebuilt in {:.1} s", t.elapsed().as_secs_f64());
            Ok(())
        }
        Cmd::Db {
            cmd: DbCmd::CheckSummaries { db },
        } => {
            let store = open(&db_url(&db)?).await?;
            let diffs = store.check_summaries().await?;
            if diffs.is_empty() {
                println!("read models agree with the journal and the claims");
                return Ok(());
            }
            for (table, key, have, want) in diffs.iter().take(50) {
                println!("{table} {key}: stored {have:?}, recomputed {want:?}");
            }
            anyhow::bail!(
                "{} read-model rows differ (rebuild with `raidai db rebuild-summaries`)",
                diffs.len()
            )
        }
        Cmd::User { cmd } => user_cmd(cmd, db_url).await,
        Cmd::Setup { cmd } => setup_cmd(cmd, db_url).await,
        Cmd::Units {
            cmd: UnitsCmd::Import { db, file },
        } => {
            let store = open(&db_url(&db)?).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = raidai_store::master::parse_units_csv(&data)
                .with_context(|| format!("{} is not a valid units file", file.display()))?;
            let n = store
                .import_units(&Actor::system(), &rows, 2)
                .await
                .with_context(|| format!("{}: nothing imported", file.display()))?;
            println!("imported {n} units from {}", file.display());
            Ok(())
        }
        Cmd::Governance { cmd } => governance_cmd::run(cmd, db_url).await,
        Cmd::Import { cmd } => claims_cmd::import(cmd, db_url).await,
        Cmd::Period { cmd } => period_cmd(cmd, db_url).await,
        Cmd::Authen { cmd } => authen_cmd(cmd, db_url).await,
        Cmd::Audit { at, db } => {
            let store = open(&db_url(&db)?).await?;
            claims_cmd::audit(&store, at.unit, at.fy).await
        }
        Cmd::Claim { cmd } => {
            cycle_cmd::run(cmd, async |db: &DbArgs| open(&db_url(db)?).await).await
        }
        Cmd::Gen { cmd } => claims_cmd::gen_cmd(cmd),
        Cmd::Bench { cmd } => claims_cmd::bench(cmd).await,
    }
}
