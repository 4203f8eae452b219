//! `raidai claim …`: claim batches, REP and Statement imports, and synthetic returns.

use crate::DbArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use raidai_claims::cycle::{self, CycleError};
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
        unit: String,
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
    /// Import a REP file (eclaim_…xls/xlsx): claim statuses of the matched visits.
    Rep {
        path: PathBuf,
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import a Statement (STM_…xls/xlsx, or a CHI XML): settles the matched receivables.
    Stm {
        path: PathBuf,
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write synthetic REP and STM files for a batch (the funds' real layouts).
    GenReturns {
        #[arg(long)]
        unit: String,
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

fn date(s: &str, what: &str) -> Result<i64> {
    raidai_domain::calendar::parse_date(s.trim())
        .map(raidai_domain::periods::ymd)
        .map_err(|_| anyhow::anyhow!("--{what}: {s} is not a date (dd/mm/yyyy, BE or CE)"))
}

fn baht(n: i64) -> String {
    Satang(n).format_thai()
}

/// Imports one return file and prints what it did.
pub async fn import_return(store: &Store, unit: &str, path: &PathBuf, stm: bool) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sys = Actor::system();
    let res = if stm {
        cycle::import_stm(store, &sys, unit, &name, &bytes).await
    } else {
        cycle::import_rep(store, &sys, unit, &name, &bytes).await
    };
    let out = match res {
        Ok(o) => o,
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(
            raidai_store::StoreError::Invalid(errs),
        ))) => bail!(
            "{}: {}",
            path.display(),
            errs.iter()
                .map(|e| e.message_en.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Err(e) => bail!("{}: {e}", path.display()),
    };
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
    Ok(())
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
            let b = cycle::create_batch(&store, &sys, &unit, &spec)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let zip = store.batch_zip(&sys, &unit, b.no).await?;
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
        ClaimCmd::Rep { path, unit, db } => {
            let store = open(&db).await?;
            import_return(&store, &unit, &path, false).await
        }
        ClaimCmd::Stm { path, unit, db } => {
            let store = open(&db).await?;
            import_return(&store, &unit, &path, true).await
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
                &unit,
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
