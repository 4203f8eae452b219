//! `raidai bench pages`: a province at real volume (generated), every GET page of the route table
//! timed for each demo role, then many clients at once on the pages people open most. Figures
//! go to docs/PERFORMANCE.md; nothing here is asserted.

use crate::{DbArgs, demo, demo_claims, open_with};
use anyhow::{Context, Result, bail};
use raidai_claims::ImportOptions;
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::Source;
use raidai_formats::generate::{GenConfig, generate};
use raidai_store::master::{UnitInput, UnitQuery};
use raidai_store::{Actor, Store};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct PagesArgs {
    /// Visits of the whole province (split over its units, hospitals by beds).
    #[arg(long, default_value_t = 5_000_000)]
    visits: usize,
    /// Units with visits (the demo province's hospitals and รพ.สต., plus more รพ.สต. if needed).
    #[arg(long, default_value_t = 200)]
    units: usize,
    /// Quarters of the claim cycle each unit runs (batch, REP; Statement for all but the last).
    #[arg(long, default_value_t = 2)]
    cycle_quarters: usize,
    /// Timed requests per page and role (after one warm-up request).
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// A page whose warm-up request took longer than this (ms) is timed once more only.
    #[arg(long, default_value_t = 1000)]
    slow_ms: u64,
    /// Concurrent clients of the load phase.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Seconds of load on each busy page.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Time only the pages whose route contains this text (the load phase runs regardless).
    #[arg(long)]
    only: Option<String>,
    /// Connections of the page pool (default: the engine's).
    #[arg(long)]
    pool_size: Option<u32>,
    /// Database to build (or reuse, when it already holds the province); a temporary SQLite
    /// file by default.
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: PagesArgs) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let url = match &args.db.database {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", tmp.path().join("bench.db").display()),
    };
    let store = open_with(
        &url,
        raidai_store::PoolSettings {
            size: args.pool_size,
            wait: None,
        },
    )
    .await?;
    let sys = Actor::system();
    if store.list_provinces(&sys).await?.is_empty() {
        build(&store, &args).await?;
    } else {
        println!("reusing the province in {}", crate::redact_url(&url));
    }
    let units = store.list_units(&sys, &UnitQuery::default()).await?;
    println!(
        "engine {}  units {}  cpus {}",
        store.engine().name(),
        units.len(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    // Peak memory from here on: the serving, not the building.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = raidai_web::AppState::new(store.clone());
    tokio::spawn(async move {
        let _ = raidai_web::serve(listener, state).await;
    });
    let base = format!("http://{addr}");
    // reqwest (built without a TLS provider for the Authen connector) wants one installed even
    // for plain http.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(256)
        .build()?;
    let mut cookies = BTreeMap::new();
    for l in demo::LOGINS {
        cookies.insert(
            l.username,
            login(&client, &base, l.username, l.password).await?,
        );
    }
    let params = Params::find(&store).await?;
    println!();
    println!("| role | page | status | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|---|");
    let mut slow = Vec::new();
    let mut pages = 0;
    let mut peak_seen = peak_rss_kb();
    for d in raidai_web::route_defs() {
        if d.method.as_str() != "GET"
            || skip(d.path)
            || args.only.as_deref().is_some_and(|o| !d.path.contains(o))
        {
            continue;
        }
        let Some(path) = params.fill(d.path) else {
            continue;
        };
        for l in demo::LOGINS {
            let cookie = &cookies[l.username];
            let (status, mut times) =
                timed(&client, &base, &path, cookie, args.samples, args.slow_ms).await?;
            times.sort_unstable_by(f64::total_cmp);
            let (p50, p95, p99) = (pct(&times, 50), pct(&times, 95), pct(&times, 99));
            println!(
                "| {} | `{}` | {} | {:.1} | {:.1} | {:.1} |",
                l.username, path, status, p50, p95, p99
            );
            pages += 1;
            let peak = peak_rss_kb();
            if peak > peak_seen + 50 * 1024 {
                println!("  (peak RSS now {:.0} MB)", peak as f64 / 1024.0);
            }
            peak_seen = peak_seen.max(peak);
            if p95 > 100.0 {
                slow.push(format!("{} {} p95 {:.0} ms", l.username, path, p95));
            }
        }
    }
    println!();
    println!(
        "{pages} page/role pairs; p95 over 100 ms: {}",
        if slow.is_empty() {
            "none".to_string()
        } else {
            format!("{} — {}", slow.len(), slow.join("; "))
        }
    );
    println!();
    println!(
        "| load ({} clients, {} s) | role | req/s | p50 ms | p99 ms | errors |",
        args.clients, args.seconds
    );
    println!("|---|---|---|---|---|---|");
    for (who, path) in [
        ("pho", "/claims/rollup".to_string()),
        ("rev.11001", "/units/11001/receivables".to_string()),
        ("rev.11001", "/units/11001/visits".to_string()),
        ("pho", "/claims/cycle".to_string()),
    ] {
        let r = load(
            &client,
            &base,
            &path,
            &cookies[who],
            args.clients,
            Duration::from_secs(args.seconds),
        )
        .await;
        println!(
            "| `{path}` | {who} | {:.0} | {:.1} | {:.1} | {} |",
            r.rate, r.p50, r.p99, r.errors
        );
    }
    println!();
    println!(
        "peak RSS while serving {:.0} MB",
        peak_rss_kb() as f64 / 1024.0
    );
    Ok(())
}

/// Routes that are not pages to time: sign-in forms and files of one job or upload.
fn skip(path: &str) -> bool {
    path.contains("{job_id}")
        || path.contains("{evidence_id}")
        || path == "/healthz"
        || path == "/login"
        || path.starts_with("/lang/")
        || path == "/api/v1/openapi.json"
}

/// Values for the route parameters, taken from the built province.
struct Params {
    fy: i64,
    import_id: String,
    visit: String,
    user_id: String,
}

impl Params {
    async fn find(store: &Store) -> Result<Params> {
        let sys = Actor::system();
        let import_id = store
            .list_imports(&sys, Hcode::parse("11001")?, 1)
            .await?
            .first()
            .map(|i| i.id.clone())
            .context("unit 11001 has no import")?;
        let (visits, _) = store
            .page_visits(
                &sys,
                &raidai_store::claims::VisitQuery {
                    hcode: "11001".into(),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await?;
        let visit = visits.first().context("unit 11001 has no visit")?;
        let user_id = store
            .list_users(&sys)
            .await?
            .iter()
            .find(|u| u.who.username == "rev.11001")
            .map(|u| u.id.clone())
            .context("no user rev.11001")?;
        let fy = FiscalYear::of(chrono::Local::now().date_naive()).prev();
        Ok(Params {
            fy: i64::from(fy.be()),
            import_id,
            visit: visit.visit.vkey.clone(),
            user_id,
        })
    }

    fn fill(&self, path: &str) -> Option<String> {
        let p = path
            .replace("{hcode}", "11001")
            .replace("{fy}", &self.fy.to_string())
            .replace("{quarter}", "1")
            .replace("{round}", "1")
            .replace("{form}", "4s4c")
            .replace("{no}", "1")
            .replace("{import_id}", &self.import_id)
            .replace("{visit}", &self.visit)
            .replace("{id}", &self.user_id)
            .replace("{file}", "app.css");
        let p = if p.starts_with("/districts/") || p.starts_with("/api/v1/districts/") {
            p.replace("{code}", "4403")
        } else {
            p
        };
        (!p.contains('{')).then_some(p)
    }
}

async fn login(client: &reqwest::Client, base: &str, user: &str, pw: &str) -> Result<String> {
    let r = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={pw}"))
        .send()
        .await?;
    let c = r
        .headers()
        .get("set-cookie")
        .with_context(|| format!("{user}: no session cookie ({})", r.status()))?
        .to_str()?;
    Ok(c.split(';').next().unwrap_or_default().to_string())
}

/// The first answer's status and the times (ms) of `n` requests after a warm-up.
async fn timed(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    cookie: &str,
    n: usize,
    slow_ms: u64,
) -> Result<(u16, Vec<f64>)> {
    let get = || async {
        let t = Instant::now();
        let r = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await?;
        let status = r.status().as_u16();
        r.bytes().await?;
        Ok::<_, anyhow::Error>((status, t.elapsed().as_secs_f64() * 1000.0))
    };
    let (status, first) = get().await?;
    let n = if first > slow_ms as f64 { n.min(1) } else { n };
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        times.push(get().await?.1);
    }
    Ok((status, times))
}

struct LoadResult {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

async fn load(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    cookie: &str,
    clients: usize,
    dur: Duration,
) -> LoadResult {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, cookie) = (client.clone(), format!("{base}{path}"), cookie.to_string());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            while start.elapsed() < dur {
                let t = Instant::now();
                match client.get(&url).header("cookie", &cookie).send().await {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        let body = r.bytes().await;
                        if !ok || body.is_err() {
                            errors += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((times, e)) = t.await {
            all.extend(times);
            errors += e;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable_by(f64::total_cmp);
    LoadResult {
        rate: all.len() as f64 / secs,
        p50: pct(&all, 50),
        p99: pct(&all, 99),
        errors,
    }
}

fn pct(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Peak resident set size in kB; 0 where the kernel does not report it.
fn peak_rss_kb() -> u64 {
    crate::claims_cmd::peak_rss_kb().unwrap_or(0)
}

/// The demo province (units, users, governance), more รพ.สต. up to `args.units` units with
/// visits, each unit's visits generated and imported (hospitals by beds), and the first
/// quarters of the claim cycle.
async fn build(store: &Store, args: &PagesArgs) -> Result<()> {
    let sys = Actor::system();
    let started = Instant::now();
    store.setup_province(&sys, demo::PROVINCE_CODE).await?;
    let mut units = demo::units();
    let with_visits = units.iter().filter(|u| u.unit_type != "sso").count();
    let template = units
        .iter()
        .find(|u| u.unit_type == "rpst")
        .cloned()
        .context("the demo province has no รพ.สต.")?;
    for i in 0..args.units.saturating_sub(with_visits) {
        units.push(UnitInput {
            hcode: format!("{:05}", 4900 + i),
            name_th: format!("รพ.สต.ทดสอบ {}", i + 1),
            ..template.clone()
        });
    }
    store.import_units(&sys, &units, 1).await?;
    demo::create_logins(store, &sys).await?;
    crate::demo_governance::seed(store).await?;
    let units: Vec<_> = store
        .list_units(&sys, &UnitQuery::default())
        .await?
        .into_iter()
        .filter(|u| u.unit_type.is_hospital() || u.unit_type.code() == "rpst")
        .collect();
    if units.is_empty() {
        bail!("no units to fill");
    }
    // รพ.สต. make about a third of a province's visits; hospitals share the rest by beds.
    let rpst = units.iter().filter(|u| !u.unit_type.is_hospital()).count();
    let beds: i64 = units
        .iter()
        .filter(|u| u.unit_type.is_hospital())
        .map(|u| u.beds.max(10))
        .sum();
    let rpst_share = if rpst > 0 { args.visits / 3 } else { 0 };
    let fy = FiscalYear::of(chrono::Local::now().date_naive()).prev();
    let work = tempfile::tempdir()?;
    let plan: Vec<(String, usize, usize)> = units
        .iter()
        .map(|u| {
            let n = if u.unit_type.is_hospital() {
                ((args.visits - rpst_share) as i64 * u.beds.max(10) / beds.max(1)) as usize
            } else {
                rpst_share / rpst.max(1)
            };
            let adm = if u.unit_type.is_hospital() { n / 20 } else { 0 };
            (u.hcode.clone(), n, adm)
        })
        .collect();
    // Generation of the next unit's files overlaps the import of the current one.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<(String, std::path::PathBuf)>>(1);
    let gen_dir = work.path().to_path_buf();
    let gen_plan = plan.clone();
    std::thread::spawn(move || {
        for (i, (hcode, n, adm)) in gen_plan.into_iter().enumerate() {
            let dir = gen_dir.join(&hcode);
            let r = (|| {
                let mut cfg = GenConfig::new(Hcode::parse(&hcode)?, fy, 9000 + i as u64);
                cfg.visits = n;
                cfg.admissions = adm;
                cfg.in_hospital = adm / 60;
                cfg.changwat = demo::PROVINCE_CODE.into();
                cfg.hospmain = [hcode.as_str(), "11001", "10670"]
                    .iter()
                    .filter_map(|h| Hcode::parse(h).ok())
                    .collect();
                generate(&cfg, &dir)?;
                Ok((hcode, dir))
            })();
            if tx.blocking_send(r).is_err() {
                return;
            }
        }
    });
    let mut done_visits = 0usize;
    let mut i = 0;
    while let Some(r) = rx.recv().await {
        let (hcode, dir) = r?;
        let mut opts = ImportOptions::new(Hcode::parse(&hcode)?);
        opts.source_name = format!("bench-{hcode}.zip");
        let out = raidai_claims::import(store, &sys, Source::Dir(dir.clone()), opts).await?;
        let _ = std::fs::remove_dir_all(&dir);
        demo_claims::claim_cycle(store, Hcode::parse(&hcode)?, fy, i, args.cycle_quarters).await?;
        done_visits += (out.record.totals.visits_read + out.record.totals.admissions_read) as usize;
        i += 1;
        if i % 10 == 0 || i == plan.len() {
            println!(
                "built {i}/{} units, {done_visits} visits, {:.0} s",
                plan.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let today = chrono::Local::now().date_naive();
    for p in fy.periods().take(10) {
        let month = i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month());
        store.close_month_all(&sys, month, today).await?;
    }
    println!(
        "province built: {} units, {done_visits} visits in {:.0} s",
        plan.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
