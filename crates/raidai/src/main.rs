//! `raidai`: the command line — serve the web app, run the demo, migrate, manage users.

mod bench_pages;
mod claims_cmd;
mod cycle_cmd;
mod demo;
mod demo_claims;
mod demo_governance;
mod demo_inspection;
mod governance_cmd;
mod settings;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store, redact_url};
use settings::Settings;
use std::io::BufRead;
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
    /// Data Audit: re-evaluate a unit's visits and print the findings per rule.
    Audit {
        #[arg(long)]
        unit: String,
        /// Print the findings of this fiscal year (BE) only; all are re-evaluated.
        #[arg(long)]
        fy: Option<u16>,
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
enum AuthenCmd {
    /// Save a unit's NHSO token (read from a file, never from the command line) and its expiry.
    Set {
        #[arg(long)]
        unit: String,
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
        unit: String,
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

#[derive(Subcommand)]
enum PeriodCmd {
    /// The closed months of a unit, and its journal totals per month by posting date.
    List {
        #[arg(long)]
        unit: String,
        /// Fiscal year (BE); the current one by default.
        #[arg(long)]
        fy: Option<u16>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Close a month (yyyymm, CE or BE year: 202610 or 256910) for one unit, or for every unit
    /// with --all. Nothing is dated in a closed month afterwards; only an ended month closes.
    Close {
        month: String,
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        unit: Option<String>,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Reopen a closed month of a unit (audit-logged with the reason).
    Reopen {
        month: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        db: DbArgs,
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
enum SetupCmd {
    /// Serve province CODE (2 digits, e.g. 44): the province and all its districts are taken
    /// from the bundled Thai geography. Then: `units import`, `user import` (or `user add`).
    Province {
        #[command(flatten)]
        db: DbArgs,
        code: String,
    },
    /// What the installation has and what is still missing.
    Status {
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

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user. The password comes from --password, RAIDAI_PASSWORD or the first line of stdin.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// admin | province | district | unit_head | unit_revenue
        #[arg(long)]
        role: String,
        /// Province (2 digits), district (4 digits) or unit code (5 digits), as the role needs.
        #[arg(long, default_value = "")]
        scope: String,
        #[arg(long, env = "RAIDAI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long, env = "RAIDAI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create users from CSV (header: username,display_name,role,scope_code[,password]); all or
    /// nothing. An empty password gets a random one, printed once.
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

fn read_password(p: Option<String>) -> Result<String> {
    if let Some(p) = p {
        return Ok(p);
    }
    eprintln!("password (one line on stdin):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password given (use --password, RAIDAI_PASSWORD or stdin)");
    }
    Ok(pw)
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

async fn serve(
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
        Cmd::Audit { unit, fy, db } => {
            let store = open(&db_url(&db)?).await?;
            claims_cmd::audit(&store, &unit, fy).await
        }
        Cmd::Claim { cmd } => {
            cycle_cmd::run(cmd, async |db: &DbArgs| open(&db_url(db)?).await).await
        }
        Cmd::Gen { cmd } => claims_cmd::gen_cmd(cmd),
        Cmd::Bench { cmd } => claims_cmd::bench(cmd).await,
    }
}

async fn authen_cmd(cmd: AuthenCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
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
                &unit,
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
                &unit,
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

/// `yyyymm` with a CE or BE year (`202610`, `256910`, `10/2569`) → CE `yyyymm`.
fn parse_month(s: &str) -> Result<i64> {
    let s = s.trim();
    let (y, m) = match s.split_once('/') {
        Some((m, y)) => (y.parse::<i64>().ok(), m.parse::<i64>().ok()),
        None if s.len() == 6 => (s[..4].parse().ok(), s[4..].parse().ok()),
        None => (None, None),
    };
    let (Some(y), Some(m)) = (y, m) else {
        bail!("{s}: not a month (yyyymm, e.g. 202610 or 256910)");
    };
    let y = if y > 2400 { y - 543 } else { y };
    let month = y * 100 + m;
    if !raidai_domain::periods::is_month(month) {
        bail!("{s}: not a month (yyyymm, e.g. 202610 or 256910)");
    }
    Ok(month)
}

fn bangkok_today() -> chrono::NaiveDate {
    let bangkok = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    chrono::Utc::now().with_timezone(&bangkok).date_naive()
}

async fn period_cmd(cmd: PeriodCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    let label = |m: i64| format!("{:02}/{}", m % 100, m / 100 + 543);
    match cmd {
        PeriodCmd::List { unit, fy, db } => {
            let store = open(&db_url(&db)?).await?;
            let fy = fy
                .map(raidai_domain::calendar::FiscalYear::new)
                .unwrap_or_else(|| raidai_domain::calendar::FiscalYear::of(bangkok_today()));
            let closed: std::collections::HashSet<i64> = store
                .closed_months(&sys, &unit)
                .await?
                .iter()
                .map(|c| c.month)
                .collect();
            let ymd = raidai_domain::periods::ymd;
            let totals = store
                .month_totals(&sys, &unit, ymd(fy.start()), ymd(fy.end()))
                .await?;
            println!("unit {unit}, fiscal year {} (by posting date)", fy.be());
            println!(
                "{:<8} {:<7} {:>8} {:>18}",
                "month", "state", "lines", "receivables net"
            );
            for p in fy.periods() {
                let m = i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month());
                let t = totals.iter().find(|t| t.month == m);
                println!(
                    "{:<8} {:<7} {:>8} {:>18}",
                    label(m),
                    if closed.contains(&m) {
                        "closed"
                    } else {
                        "open"
                    },
                    t.map(|t| t.lines).unwrap_or(0),
                    raidai_domain::money::Satang(t.map(|t| t.receivable_net).unwrap_or(0))
                        .format_thai()
                );
            }
            Ok(())
        }
        PeriodCmd::Close {
            month,
            unit,
            all,
            db,
        } => {
            let month = parse_month(&month)?;
            let store = open(&db_url(&db)?).await?;
            let today = bangkok_today();
            if all {
                let n = store.close_month_all(&sys, month, today).await?;
                println!("closed {} for {n} units", label(month));
            } else {
                let unit = unit.unwrap_or_default();
                let done = store.close_month(&sys, &unit, month, today).await?;
                println!(
                    "unit {unit}: {} {}",
                    label(month),
                    if done { "closed" } else { "was already closed" }
                );
            }
            Ok(())
        }
        PeriodCmd::Reopen {
            month,
            unit,
            reason,
            db,
        } => {
            let month = parse_month(&month)?;
            let store = open(&db_url(&db)?).await?;
            let done = store.reopen_month(&sys, &unit, month, &reason).await?;
            println!(
                "unit {unit}: {} {}",
                label(month),
                if done { "reopened" } else { "was not closed" }
            );
            Ok(())
        }
    }
}

async fn setup_cmd(cmd: SetupCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    match cmd {
        SetupCmd::Province { db, code } => {
            let store = open(&db_url(&db)?).await?;
            let n = store.setup_province(&sys, &code).await?;
            let p = raidai_domain::geography::province(code.trim()).map(|p| p.name_en);
            println!(
                "this installation serves province {} ({}) with {n} districts",
                code.trim(),
                p.unwrap_or("")
            );
        }
        SetupCmd::Status { db } => {
            let store = open(&db_url(&db)?).await?;
            let st = store.setup_status(&sys).await?;
            let names: Vec<String> = st
                .provinces
                .iter()
                .map(|p| format!("{} {}", p.code, p.name_en))
                .collect();
            println!("province      {}", names.join(", "));
            println!("districts     {}", st.districts);
            println!("units         {} (hospitals: {})", st.units, st.hospitals);
            println!(
                "users         {} provincial, {} district, {} unit",
                st.province_users, st.district_users, st.unit_users
            );
            let missing: Vec<&str> = st.missing().iter().map(|m| m.code()).collect();
            if missing.is_empty() {
                println!("setup complete");
            } else {
                println!("still missing: {}", missing.join(", "));
            }
        }
    }
    Ok(())
}

async fn user_cmd(cmd: UserCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    match cmd {
        UserCmd::Add {
            db,
            username,
            display_name,
            role,
            scope,
            password,
        } => {
            let store = open(&db_url(&db)?).await?;
            let input = UserInput {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                scope_code: scope,
                active: true,
                password: read_password(password)?,
            };
            let u = store.create_user(&sys, &input).await?;
            println!("created user {} ({})", u.username, u.role.code());
        }
        UserCmd::Passwd {
            db,
            username,
            password,
        } => {
            let store = open(&db_url(&db)?).await?;
            store
                .set_password(&sys, &username, &read_password(password)?)
                .await?;
            println!("password set for {username}");
        }
        UserCmd::Import { db, file } => {
            let store = open(&db_url(&db)?).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let users = store
                .import_users(&sys, &data)
                .await
                .with_context(|| format!("{}: nothing imported", file.display()))?;
            println!("created {} users from {}", users.len(), file.display());
            for u in &users {
                match &u.generated_password {
                    Some(pw) => println!(
                        "  {:<20} {:<14} {:<8} password {pw} (shown once)",
                        u.username, u.role, u.scope_code
                    ),
                    None => println!("  {:<20} {:<14} {}", u.username, u.role, u.scope_code),
                }
            }
        }
        UserCmd::List { db } => {
            let store = open(&db_url(&db)?).await?;
            println!(
                "{:<20} {:<14} {:<8} {:<6} name",
                "username", "role", "scope", "active"
            );
            for u in store.list_users(&sys).await? {
                let scope = u
                    .hcode
                    .or(u
                        .district_code
                        .filter(|_| u.role == raidai_domain::master::Role::District))
                    .or(u.province_code)
                    .unwrap_or_else(|| "*".into());
                println!(
                    "{:<20} {:<14} {:<8} {:<6} {}",
                    u.username,
                    u.role.code(),
                    scope,
                    if u.active { "yes" } else { "no" },
                    u.display_name
                );
            }
        }
    }
    Ok(())
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
