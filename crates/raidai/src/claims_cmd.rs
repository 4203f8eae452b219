//! `raidai import 16f`, `raidai gen 16f` and `raidai bench import`.

use crate::DbArgs;
use crate::cycle_cmd::ReturnFileArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use raidai_claims::{ImportOptions, ProgressEvent};
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_domain::money::{Satang, format_int_thai};
use raidai_formats::generate::{GenConfig, generate};
use raidai_formats::{EncodingChoice, HeaderSet, Source, TextEncoding};
use raidai_store::{Actor, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand)]
pub enum ImportCmd {
    /// Import an NHSO REP file (eclaim_…xls/xlsx): each line sets its visit's claim status
    /// (same as `raidai claim rep`).
    Rep(ReturnFileArgs),
    /// Import a Statement (STM_…xls/xlsx or CHI XML): settles the matched receivables (same
    /// as `raidai claim stm`).
    Stm(ReturnFileArgs),
    /// Import a folder or zip of the NHSO 16 files for one unit (one transaction).
    ///
    /// Exit status: 0 imported with no reject; 3 imported, with rejects (the rejected visits
    /// are listed: `--rejects FILE`); 1 failed, nothing imported (unreadable input, or
    /// `--strict` with rejects).
    #[command(name = "16f")]
    F16 {
        /// Folder or .zip holding INS, PAT, OPD, … (names case-insensitive, period suffix allowed).
        path: PathBuf,
        /// The unit the files come from (5-digit HCODE).
        #[arg(long)]
        unit: Hcode,
        /// Land nothing if anything is rejected.
        #[arg(long)]
        strict: bool,
        /// Declare the encoding instead of sniffing it per file: windows-874 | utf-8.
        #[arg(long)]
        encoding: Option<String>,
        /// Write the rejects to this CSV file.
        #[arg(long)]
        rejects: Option<PathBuf>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The map coverage check: a unit's unposted visits by (fiscal year, fund, setting, place,
    /// case) with amounts, and whether the posting map in force now has a line for them.
    Coverage {
        #[arg(long)]
        unit: Hcode,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Post the visits that waited for a posting-map line, with the map now in force (run it
    /// after fixing the map; the coverage check lists what still has no line).
    Repost {
        #[arg(long)]
        unit: Hcode,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replace a province's posting map (the `posting_map.tsv` layout) for a fiscal year.
    #[command(name = "posting-map")]
    PostingMap {
        /// Tab-separated: fund setting place case receivable revenue source.
        file: PathBuf,
        /// Province code (2 digits).
        #[arg(long)]
        province: String,
        /// Fiscal year (BE) the map applies to; 0 = every year without its own version.
        #[arg(long, default_value_t = 0)]
        fy: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum GenCmd {
    /// Write a synthetic 16-file set (deterministic for a seed).
    #[command(name = "16f")]
    F16 {
        #[arg(long)]
        unit: Hcode,
        #[arg(long, default_value_t = 1000)]
        visits: usize,
        #[arg(long, default_value_t = 50)]
        admissions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// windows-874 | utf-8
        #[arg(long, default_value = "windows-874")]
        encoding: String,
        /// classic | fdh
        #[arg(long, default_value = "classic")]
        headers: String,
        /// Fiscal year (BE) of the dates; the current one by default.
        #[arg(long)]
        fiscal_year: Option<u16>,
        /// HOSPMAIN choices for UC patients, comma-separated (first = most common).
        #[arg(long, value_delimiter = ',')]
        hospmain: Vec<String>,
        /// The last this many admissions are still in hospital (no DATEDSC).
        #[arg(long, default_value_t = 0)]
        in_hospital: usize,
        /// Share of UC encounters with an Authen code (0–1; the rest lack one: AUTH01).
        #[arg(long, default_value_t = 0.9)]
        authen_share: f64,
        /// Share of OP visits with a clinic outside the standard departments (0–1: CLN01).
        #[arg(long, default_value_t = 0.0)]
        unknown_clinic_share: f64,
    },
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Generate, import and post a synthetic set; print visits/s and peak RSS.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        visits: usize,
        #[arg(long, default_value_t = 50_000)]
        admissions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder for the generated files (a temporary folder by default; kept when given and
        /// reused when it already holds a set).
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Database to import into; a temporary SQLite file by default.
        #[command(flatten)]
        db: DbArgs,
    },
    /// Build a province (5,000,000 visits over 200 units by default, or reuse the one in
    /// --database), time every page of the route table for each demo role (p50/p95/p99), then
    /// 50 clients at once on the roll-ups, a unit's receivables and its visit list.
    Pages(crate::bench_pages::PagesArgs),
}

fn parse_encoding(s: &str) -> Result<TextEncoding> {
    match s.to_ascii_lowercase().as_str() {
        "windows-874" | "cp874" | "tis-620" | "tis620" => Ok(TextEncoding::Windows874),
        "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
        _ => bail!("unknown encoding {s:?} (use windows-874 or utf-8)"),
    }
}

fn progress_bar() -> (ProgressBar, raidai_claims::ProgressFn) {
    let bar = ProgressBar::new_spinner();
    bar.set_message("validating (pass 1)…");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let b = bar.clone();
    let started = Instant::now();
    let state = std::sync::Mutex::new((0u64, 0usize));
    let f: raidai_claims::ProgressFn = Arc::new(move |e| match e {
        ProgressEvent::Scanning => {}
        ProgressEvent::Scanned {
            bytes,
            encounters,
            batches,
        } => {
            if let Ok(mut s) = state.lock() {
                *s = (bytes, batches);
            }
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.set_length(bytes);
            b.set_message(format!("{encounters} visits+admissions validated"));
        }
        ProgressEvent::Written {
            batches,
            encounters,
        } => {
            let (bytes, total) = state.lock().map(|s| *s).unwrap_or((0, 1));
            b.set_position(bytes * batches as u64 / total.max(1) as u64);
            let secs = started.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!(
                "{encounters} rows, {:.0} rows/s",
                encounters as f64 / secs
            ));
        }
    });
    (bar, f)
}

async fn open(url: &str) -> Result<Store> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

pub async fn import(cmd: ImportCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let (path, unit, strict, encoding, rejects, db) = match cmd {
        ImportCmd::F16 {
            path,
            unit,
            strict,
            encoding,
            rejects,
            db,
        } => (path, unit, strict, encoding, rejects, db),
        ImportCmd::Rep(args) => {
            let store = open(&db_url(&args.db)?).await?;
            return crate::cycle_cmd::import_return(&store, args.unit, &args.path, false).await;
        }
        ImportCmd::Stm(args) => {
            let store = open(&db_url(&args.db)?).await?;
            return crate::cycle_cmd::import_return(&store, args.unit, &args.path, true).await;
        }
        ImportCmd::PostingMap {
            file,
            province,
            fy,
            db,
        } => {
            let store = open(&db_url(&db)?).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let n = store
                .save_posting_map(&Actor::system(), &province, fy, &text)
                .await?;
            println!("posting map of province {province} for fiscal year {fy}: {n} rules");
            return Ok(());
        }
        ImportCmd::Repost { unit, db } => {
            let store = open(&db_url(&db)?).await?;
            let started = Instant::now();
            match raidai_claims::repost(&store, &Actor::system(), unit).await? {
                Some(r) => print_summary(&r, started.elapsed().as_secs_f64()),
                None => println!(
                    "unit {unit}: no waiting visit has a posting-map line yet (see `raidai import coverage`)"
                ),
            }
            store.close().await;
            return Ok(());
        }
        ImportCmd::Coverage { unit, db } => {
            let store = open(&db_url(&db)?).await?;
            let rows = raidai_claims::coverage(&store, &Actor::system(), unit).await?;
            if rows.is_empty() {
                println!("unit {unit}: every visit is posted");
                return Ok(());
            }
            println!(
                "{:<6} {:<6} {:<3} {:<14} {:<8} {:>8} {:>16}  map line now",
                "FY", "fund", "set", "place", "case", "visits", "fund amount"
            );
            for r in &rows {
                let g = &r.group;
                println!(
                    "{:<6} {:<6} {:<3} {:<14} {:<8} {:>8} {:>16}  {}",
                    g.fy,
                    g.fund,
                    g.setting,
                    g.place,
                    g.case,
                    format_int_thai(g.visits),
                    Satang(g.fund_amount).format_thai(),
                    r.receivable_now
                        .as_deref()
                        .unwrap_or("none: add a line to the posting map")
                );
            }
            return Ok(());
        }
    };
    let store = open(&db_url(&db)?).await?;
    let source = Source::from_path(&path)?;
    let mut opts = ImportOptions::new(unit);
    opts.strict = strict;
    if let Some(e) = encoding {
        opts.encoding = EncodingChoice::Declared(parse_encoding(&e)?);
    }
    opts.source_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (bar, f) = progress_bar();
    opts.progress = Some(f);
    let started = Instant::now();
    let out = raidai_claims::import(&store, &Actor::system(), source, opts).await;
    bar.finish_and_clear();
    let out = out?;
    print_summary(&out.record, started.elapsed().as_secs_f64());
    if let Some(p) = rejects {
        let rows = store
            .list_rejects(&Actor::system(), unit, &out.record.id)
            .await?;
        let mut w =
            csv::Writer::from_path(&p).with_context(|| format!("cannot write {}", p.display()))?;
        w.write_record(raidai_store::claims::RejectRow::HEADER)?;
        for r in &rows {
            let cells = r.fields();
            w.write_record(
                cells
                    .iter()
                    .map(|c| raidai_domain::text::csv_cell_bytes(c.as_bytes())),
            )?;
        }
        w.flush()?;
        println!("rejects written to {}", p.display());
    }
    // Leave no WAL behind: copy it into the database and truncate it before exiting.
    store.checkpoint_truncate().await?;
    store.close().await;
    if out.record.status != "imported" {
        bail!("strict import: nothing landed because of rejects");
    }
    if out.record.totals.rejects > 0 {
        eprintln!(
            "imported with {} rejects (exit status 3)",
            out.record.totals.rejects
        );
        std::process::exit(3);
    }
    Ok(())
}

fn print_summary(r: &raidai_store::claims::ImportRecord, secs: f64) {
    let read = r.totals.visits_read + r.totals.admissions_read;
    println!("import {} for unit {} ({})", r.id, r.hcode, r.status);
    println!(
        "  read        {} OP visits, {} admissions",
        format_int_thai(r.totals.visits_read),
        format_int_thai(r.totals.admissions_read)
    );
    println!(
        "  stored      {} new, {} updated, {} unchanged",
        format_int_thai(r.counts.inserted),
        format_int_thai(r.counts.updated),
        format_int_thai(r.counts.unchanged)
    );
    println!(
        "  rejected    {} visits/admissions, {} reject lines",
        format_int_thai(r.totals.rejected_encounters),
        format_int_thai(r.totals.rejects)
    );
    println!(
        "  posted      {} baht ({} visits not posted: no posting-map line, still in hospital, or a charge, accident, refer or diagnosis line refused)",
        Satang(r.counts.posted_amount).format_thai(),
        format_int_thai(r.counts.unposted)
    );
    if r.counts.reversed_amount != 0 {
        println!(
            "  reversed    {} baht (earlier postings of corrected visits)",
            Satang(r.counts.reversed_amount).format_thai()
        );
    }
    let net = r.counts.posted_amount - r.counts.reversed_amount;
    println!(
        "  receivables {}{} baht net change",
        if net > 0 { "+" } else { "" },
        Satang(net).format_thai()
    );
    let c = &r.recon;
    let b = |x: i64| Satang(x).format_thai();
    println!(
        "  reconciled  CHT total {} = fund receivable {} + patient receivable {} + paid {} + unposted {} + in hospital {}{}{}",
        b(c.cht_total),
        b(c.fund_posted),
        b(c.patient_posted),
        b(c.paid),
        b(c.unposted),
        b(c.in_hospital),
        if c.overpaid != 0 {
            format!(" - paid above the bill {}", b(c.overpaid))
        } else {
            String::new()
        },
        if c.parts() == c.cht_total {
            String::new()
        } else {
            format!("  (DIFFERENCE {})", b(c.cht_total - c.parts()))
        }
    );
    println!(
        "  time        {secs:.1} s, {:.0} visits/s",
        read as f64 / secs.max(0.001)
    );
}

/// `raidai audit --unit`: re-evaluates the unit's findings and prints them per rule.
pub async fn audit(store: &Store, unit: Hcode, fy: Option<u16>) -> Result<()> {
    let sys = Actor::system();
    let started = Instant::now();
    let s = raidai_claims::audit_unit(store, &sys, unit).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "unit {unit}: {} visits audited in {secs:.1} s ({:.0} visits/s), {} findings",
        format_int_thai(s.visits),
        s.visits as f64 / secs.max(0.001),
        format_int_thai(s.findings)
    );
    let catalogue = raidai_domain::audit::default_catalogue();
    let counts = match fy {
        None => store.rule_counts(&sys, Some(unit.as_str())).await?,
        Some(fy) => {
            let fy = FiscalYear::new(fy);
            let ymd = raidai_domain::periods::ymd;
            store
                .rule_counts_between(&sys, unit, ymd(fy.start()), ymd(fy.end()))
                .await?
        }
    };
    println!(
        "{:<8} {:<6} {:<10} {:>9} {:>18}  rule",
        "code", "sev", "NHSO", "visits", "at stake (baht)"
    );
    for c in &counts {
        let r = catalogue.get(&c.rule);
        println!(
            "{:<8} {:<6} {:<10} {:>9} {:>18}  {}",
            c.rule,
            r.map(|r| r.severity.code()).unwrap_or(""),
            r.map(|r| format!("{} {}", r.nhso_class, r.nhso_code))
                .unwrap_or_default()
                .trim(),
            format_int_thai(c.visits),
            Satang(c.amount).format_thai(),
            r.map(|r| r.text_en.as_str()).unwrap_or("")
        );
    }
    if counts.is_empty() {
        println!("no findings: every visit is ready to claim");
    }
    store.close().await;
    Ok(())
}

pub fn gen_cmd(cmd: GenCmd) -> Result<()> {
    let GenCmd::F16 {
        unit,
        visits,
        admissions,
        seed,
        out,
        encoding,
        headers,
        fiscal_year,
        hospmain,
        in_hospital,
        authen_share,
        unknown_clinic_share,
    } = cmd;
    let fy = fiscal_year
        .map(FiscalYear::new)
        .unwrap_or_else(|| FiscalYear::of(chrono::Local::now().date_naive()));
    let mut cfg = GenConfig::new(unit, fy, seed);
    cfg.in_hospital = in_hospital;
    cfg.authen_share = authen_share;
    cfg.unknown_clinic_share = unknown_clinic_share;
    cfg.visits = visits;
    cfg.admissions = admissions;
    cfg.encoding = parse_encoding(&encoding)?;
    cfg.headers = match headers.to_ascii_lowercase().as_str() {
        "classic" => HeaderSet::Classic,
        "fdh" => HeaderSet::Fdh,
        _ => bail!("unknown header set {headers:?} (use classic or fdh)"),
    };
    cfg.hospmain = hospmain
        .iter()
        .map(|h| Hcode::parse(h).map_err(|e| anyhow::anyhow!("--hospmain {h}: {e}")))
        .collect::<Result<_>>()?;
    let started = Instant::now();
    let sum = generate(&cfg, &out)?;
    println!(
        "wrote {} files to {}: {} patients, {} OP visits, {} admissions, Σ CHT.TOTAL {} baht ({:.1} s)",
        sum.files.len(),
        out.display(),
        sum.patients,
        sum.visits,
        sum.admissions,
        sum.total.format_thai(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Peak resident set size of this process in kB (VmHWM), if the kernel reports it.
pub fn peak_rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A province with one hospital (99001) and its รพ.สต. for benchmarks.
async fn seed_bench_unit(store: &Store) -> Result<()> {
    use raidai_store::testkit::unit;
    let units = [
        unit("99001", "โรงพยาบาลทดสอบ", "rpch", ("9901", ""), 90, "F1"),
        unit("99011", "รพ.สต.ทดสอบ", "rpst", ("9901", "99001"), 0, "F1"),
    ];
    raidai_store::testkit::seed_province(
        store,
        "จังหวัดทดสอบสมรรถนะ",
        &[("9901", "อำเภอทดสอบ")],
        &units,
    )
    .await?;
    Ok(())
}

pub async fn bench(cmd: BenchCmd) -> Result<()> {
    let (visits, admissions, seed, work_dir, db) = match cmd {
        BenchCmd::Pages(args) => return crate::bench_pages::run(args).await,
        BenchCmd::Import {
            visits,
            admissions,
            seed,
            work_dir,
            db,
        } => (visits, admissions, seed, work_dir, db),
    };
    let tmp = tempfile::tempdir()?;
    let dir = work_dir.unwrap_or_else(|| tmp.path().join("16f"));
    let url = db
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", tmp.path().join("bench.db").display()));
    let unit = "99001";
    let fy = FiscalYear::new(2569);
    let have_set = dir.join("OPD.txt").exists() || has_files(&dir);
    if !have_set {
        let mut cfg = GenConfig::new(Hcode::parse(unit)?, fy, seed);
        cfg.visits = visits;
        cfg.admissions = admissions;
        cfg.changwat = "99".into();
        cfg.hospmain = ["99001", "99011", "10670"]
            .iter()
            .map(|h| Hcode::parse(h).expect("literal"))
            .collect();
        let t = Instant::now();
        let sum = generate(&cfg, &dir)?;
        let bytes: u64 = sum
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        println!(
            "generated {} OP visits + {} admissions ({} patients, {:.0} MB) in {:.1} s",
            sum.visits,
            sum.admissions,
            sum.patients,
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("reusing the set in {}", dir.display());
    }
    let store = open(&url).await?;
    seed_bench_unit(&store).await?;
    let mut opts = ImportOptions::new(Hcode::parse(unit)?);
    opts.source_name = "bench".into();
    let (bar, f) = progress_bar();
    opts.progress = Some(f);
    let started = Instant::now();
    let out = raidai_claims::import(&store, &Actor::system(), Source::Dir(dir.clone()), opts).await;
    bar.finish_and_clear();
    let out = out?;
    let secs = started.elapsed().as_secs_f64();
    let read = out.record.totals.visits_read + out.record.totals.admissions_read;
    println!(
        "engine {}  cpus {}",
        store.engine().name(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    print_summary(&out.record, secs);
    println!(
        "  phases      pass 1 (validation) {:.1} s, database writes {:.1} s",
        out.scan_secs, out.write_secs
    );
    println!(
        "RESULT visits/s {:.0}  ({} visits+admissions in {:.1} s)  peak RSS {} MB",
        read as f64 / secs,
        read,
        secs,
        peak_rss_kb().map(|k| k / 1024).unwrap_or(0)
    );
    // Not part of the import: SQLite copies the committed WAL into the database file in the
    // background afterwards. Timed here so the figure is on record too.
    let t = Instant::now();
    store.checkpoint().await?;
    if store.engine() == raidai_store::Engine::Sqlite {
        println!(
            "  after       WAL checkpoint (background, after commit) {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    store.close().await;
    Ok(())
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut r| r.next().is_some())
        .unwrap_or(false)
}
