//! `raidai claim …`: claim batches, REP and Statement imports, and synthetic returns.

use crate::DbArgs;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use raidai_claims::cycle::{self, CycleError};
use raidai_domain::ids::Hcode;
use raidai_domain::money::{Satang, format_int_thai};
use raidai_store::claims::BatchSpec;
use raidai_store::{Actor, Store};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ClaimCmd {
    /// Build a claim batch: the unit's posted visits of the funds and dates never sent (or sent
    /// back as C), as the 16 files in a zip written to --out.
    Batch {
        #[arg(long)]
        unit: Hcode,
        /// Posting-map funds, comma-separated: UC, OFC, LGO, BKK, SSS, STP.
        #[arg(long, value_delimiter = ',', required = true)]
        fund: Vec<String>,
        /// First recognition date (dd/mm/yyyy BE or CE, or yyyymmdd).
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// Also send visits with a blocking Data Audit finding.
        #[arg(long)]
        include_blocked: bool,
        /// Classic e-Claim headers instead of FDH.
        #[arg(long)]
        classic: bool,
        /// Where to write the zip.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import several return files at once (files or folders): every REP first, then the
    /// statements (told apart by name: STM… or .xml), each file on its own; the next file is read
    /// while the database takes this one. Exits non-zero if any file was refused.
    Returns {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long)]
        unit: Hcode,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import a REP file (eclaim_…xls/xlsx): claim statuses of the matched visits.
    Rep(ReturnFileArgs),
    /// Import a Statement (STM_…xls/xlsx, or a CHI XML): settles the matched receivables.
    Stm(ReturnFileArgs),
    /// Benchmark set-up: a claim batch per month of fiscal year 2569 for the unit (as `bench
    /// import` left it), and synthetic REP and STM files for each, written to --out.
    BenchSetup {
        #[arg(long, default_value = "99001")]
        unit: Hcode,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Benchmark: import every REP file in --dir, then every STM file (match, statuses,
    /// settlement); prints the time, the part spent reading the workbooks, and peak RSS.
    Bench {
        #[arg(long, default_value = "99001")]
        unit: Hcode,
        #[arg(long)]
        dir: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write synthetic REP and STM files for a batch (the funds' real layouts).
    GenReturns {
        #[arg(long)]
        unit: Hcode,
        #[arg(long)]
        batch: i64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Percent of lines sent back as C.
        #[arg(long, default_value_t = 8)]
        corrective: u32,
        /// Percent of lines denied.
        #[arg(long, default_value_t = 3)]
        deny: u32,
        /// Percent of accepted lines paid other than claimed.
        #[arg(long, default_value_t = 20)]
        paid_diff: u32,
        /// REP issue date (yyyymmdd); today by default.
        #[arg(long)]
        issued: Option<i64>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// One return file for one unit: the arguments of `claim rep|stm` and `import rep|stm`.
#[derive(Args)]
pub struct ReturnFileArgs {
    pub path: PathBuf,
    #[arg(long)]
    pub unit: Hcode,
    #[command(flatten)]
    pub db: DbArgs,
}

fn date(s: &str, what: &str) -> Result<i64> {
    raidai_domain::calendar::parse_date(s.trim())
        .map(raidai_domain::periods::ymd)
        .map_err(|_| anyhow::anyhow!("--{what}: {s} is not a date (dd/mm/yyyy, BE or CE)"))
}

fn baht(n: i64) -> String {
    Satang(n).format_thai()
}

/// Imports one return file and prints what it did.
pub async fn import_return(store: &Store, unit: Hcode, path: &PathBuf, stm: bool) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sys = Actor::system();
    let res = if stm {
        cycle::import_stm_on(
            store,
            &sys,
            unit,
            &name,
            &bytes,
            raidai_claims::audit::today_ymd(),
        )
        .await
    } else {
        cycle::import_rep(store, &sys, unit, &name, &bytes).await
    };
    let out = res.map_err(|e| refusal(&path.display().to_string(), e))?;
    print_outcome(&name, &out, stm);
    Ok(())
}

/// Why a return file was refused, in English, naming the file.
fn refusal(file: &str, e: CycleError) -> anyhow::Error {
    match e {
        CycleError::Claims(raidai_claims::ClaimsError::Store(
            raidai_store::StoreError::Invalid(errs),
        )) => anyhow::anyhow!(
            "{file}: {}",
            errs.iter()
                .map(|e| e.message_en.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        e => anyhow::anyhow!("{file}: {e}"),
    }
}

/// Imports return files and folders of return files as one upload would (`import_returns`).
async fn import_many(store: &Store, unit: Hcode, paths: &[PathBuf]) -> Result<()> {
    let mut files = Vec::new();
    for p in paths {
        let mut found = vec![p.clone()];
        if p.is_dir() {
            found = std::fs::read_dir(p)
                .with_context(|| format!("cannot read {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .collect();
        }
        for f in found {
            let bytes =
                std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
            let name = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            files.push((name, bytes));
        }
    }
    let today = raidai_claims::audit::today_ymd();
    let mut refused = 0;
    for (name, res) in cycle::import_returns(store, &Actor::system(), unit, files, today).await? {
        match res {
            Ok(out) => print_outcome(&name, &out, out.record.kind == "stm"),
            Err(e) => {
                refused += 1;
                eprintln!("refused {}", refusal(&name, e));
            }
        }
    }
    if refused > 0 {
        bail!("{refused} file(s) refused; the others were imported");
    }
    Ok(())
}

fn print_outcome(name: &str, out: &cycle::ReturnOutcome, stm: bool) {
    let r = &out.record;
    println!(
        "{} {name}: return no. {}, {} lines, {} matched, {} unmatched, {} unreadable",
        r.kind.to_uppercase(),
        r.no,
        format_int_thai(r.lines),
        format_int_thai(r.matched),
        format_int_thai(r.unmatched),
        format_int_thai(r.rejects)
    );
    if stm {
        println!(
            "  paid {} baht, settled {} baht; {} paid other than the REP, {} without a REP",
            baht(r.amount),
            baht(r.settled),
            format_int_thai(out.amount_diff),
            format_int_thai(out.missing_rep)
        );
    } else {
        println!(
            "  accepted {}, C {}, Deny {}; expected {} baht",
            format_int_thai(out.accepted),
            format_int_thai(out.corrective),
            format_int_thai(out.denied),
            baht(r.amount)
        );
    }
    for j in out.rejects.iter().take(20) {
        println!(
            "  reject {} row {} {}: {} ({:?})",
            j.sheet, j.row, j.field, j.message, j.value
        );
    }
}

pub async fn run(cmd: ClaimCmd, open: impl AsyncFnOnce(&DbArgs) -> Result<Store>) -> Result<()> {
    let sys = Actor::system();
    match cmd {
        ClaimCmd::Batch {
            unit,
            fund,
            from,
            to,
            include_blocked,
            classic,
            out,
            db,
        } => {
            let spec = BatchSpec {
                funds: fund.iter().map(|f| f.trim().to_uppercase()).collect(),
                date_from: date(&from, "from")?,
                date_to: date(&to, "to")?,
                include_blocked,
                headers: if classic { "classic" } else { "fdh" }.into(),
            };
            let store = open(&db).await?;
            let b = cycle::create_batch(&store, &sys, unit, &spec)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let zip = store.batch_zip(&sys, unit, b.no).await?;
            std::fs::write(&out, &zip)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "batch {} of unit {unit}: {} visits ({} with blocking findings), {} baht claimed; zip {} ({} bytes, sha256 {})",
                b.no,
                format_int_thai(b.visits),
                format_int_thai(b.blocked),
                baht(b.amount),
                out.display(),
                zip.len(),
                b.zip_sha256
            );
            Ok(())
        }
        ClaimCmd::Returns { paths, unit, db } => {
            let store = open(&db).await?;
            import_many(&store, unit, &paths).await
        }
        ClaimCmd::Rep(args) => {
            let store = open(&args.db).await?;
            import_return(&store, args.unit, &args.path, false).await
        }
        ClaimCmd::Stm(args) => {
            let store = open(&args.db).await?;
            import_return(&store, args.unit, &args.path, true).await
        }
        ClaimCmd::BenchSetup { unit, out, db } => {
            let store = open(&db).await?;
            std::fs::create_dir_all(&out)?;
            let fy = raidai_domain::calendar::FiscalYear::new(2569);
            for (m, p) in fy.periods().enumerate() {
                let from =
                    i64::from(p.calendar_year()) * 10_000 + i64::from(p.calendar_month()) * 100 + 1;
                let nx = p.next();
                let to = raidai_domain::periods::add_days(
                    i64::from(nx.calendar_year()) * 10_000
                        + i64::from(nx.calendar_month()) * 100
                        + 1,
                    -1,
                );
                let spec = BatchSpec {
                    funds: ["UC", "OFC", "LGO", "BKK", "SSS"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                    date_from: from,
                    date_to: to,
                    include_blocked: true,
                    headers: "fdh".into(),
                };
                let b = match cycle::create_batch(&store, &sys, unit, &spec).await {
                    Ok(b) => b,
                    Err(CycleError::NothingToClaim) => continue,
                    Err(e) => bail!("{e}"),
                };
                let shares = raidai_returns::RepShares {
                    corrective_pct: 8,
                    deny_pct: 3,
                    paid_diff_pct: 20,
                };
                let files = cycle::synth_returns(
                    &store,
                    &sys,
                    unit,
                    b.no,
                    &shares,
                    m as u64,
                    raidai_domain::periods::add_days(to, 30),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                for (name, bytes) in &files {
                    std::fs::write(out.join(name), bytes)?;
                }
                println!(
                    "batch {}: {} visits, {} files",
                    b.no,
                    format_int_thai(b.visits),
                    files.len()
                );
            }
            Ok(())
        }
        ClaimCmd::Bench { unit, dir, db } => {
            let store = open(&db).await?;
            let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            names.sort();
            let (reps, stms): (Vec<_>, Vec<_>) = names.into_iter().partition(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("eclaim_"))
            });
            // Reading alone, for the split of the time (the import reads again).
            let t0 = std::time::Instant::now();
            let mut lines = 0usize;
            for p in &reps {
                let b = std::fs::read(p)?;
                lines += raidai_returns::read_rep(
                    &p.file_name().unwrap_or_default().to_string_lossy(),
                    &b,
                )?
                .lines
                .len();
            }
            let read_rep = t0.elapsed().as_secs_f64();
            let t0 = std::time::Instant::now();
            let mut stm_lines = 0usize;
            for p in &stms {
                let b = std::fs::read(p)?;
                stm_lines += raidai_returns::read_stm(
                    &p.file_name().unwrap_or_default().to_string_lossy(),
                    &b,
                )?
                .lines
                .len();
            }
            let read_stm = t0.elapsed().as_secs_f64();
            // As a user uploads a month's files: the next file is read while the database
            // takes this one (`import_returns`).
            let load = |paths: &[PathBuf]| -> Result<Vec<(String, Vec<u8>)>> {
                paths
                    .iter()
                    .map(|p| {
                        let n = p
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .into_owned();
                        Ok((n, std::fs::read(p)?))
                    })
                    .collect()
            };
            let today = raidai_claims::audit::today_ymd();
            let started = std::time::Instant::now();
            let (mut matched, mut settled) = (0i64, 0i64);
            for (n, o) in cycle::import_returns(&store, &sys, unit, load(&reps)?, today).await? {
                matched += o.map_err(|e| anyhow::anyhow!("{n}: {e}"))?.record.matched;
            }
            let rep_secs = started.elapsed().as_secs_f64();
            let t1 = std::time::Instant::now();
            for (n, o) in cycle::import_returns(&store, &sys, unit, load(&stms)?, today).await? {
                settled += o.map_err(|e| anyhow::anyhow!("{n}: {e}"))?.record.matched;
            }
            let stm_secs = t1.elapsed().as_secs_f64();
            let total = started.elapsed().as_secs_f64();
            println!(
                "REP: {} files, {} lines, {} matched in {rep_secs:.1} s (reading the workbooks alone {read_rep:.1} s)",
                reps.len(),
                format_int_thai(lines as i64),
                format_int_thai(matched)
            );
            println!(
                "STM: {} files, {} lines, {} settled in {stm_secs:.1} s (reading alone {read_stm:.1} s)",
                stms.len(),
                format_int_thai(stm_lines as i64),
                format_int_thai(settled)
            );
            println!(
                "RESULT claim cycle {total:.1} s for {} REP + {} STM lines (the workbooks read alone take {:.1} s, on another core while the database works)  peak RSS {} MB",
                format_int_thai(lines as i64),
                format_int_thai(stm_lines as i64),
                read_rep + read_stm,
                crate::claims_cmd::peak_rss_kb()
                    .map(|k| k / 1024)
                    .unwrap_or(0)
            );
            Ok(())
        }
        ClaimCmd::GenReturns {
            unit,
            batch,
            seed,
            corrective,
            deny,
            paid_diff,
            issued,
            out,
            db,
        } => {
            let store = open(&db).await?;
            let shares = raidai_returns::RepShares {
                corrective_pct: corrective,
                deny_pct: deny,
                paid_diff_pct: paid_diff,
            };
            let files = cycle::synth_returns(
                &store,
                &sys,
                unit,
                batch,
                &shares,
                seed,
                issued.unwrap_or_else(raidai_claims::audit::today_ymd),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::create_dir_all(&out)?;
            for (name, bytes) in &files {
                let p = out.join(name);
                std::fs::write(&p, bytes)
                    .with_context(|| format!("cannot write {}", p.display()))?;
                println!("{}", p.display());
            }
            Ok(())
        }
    }
}
