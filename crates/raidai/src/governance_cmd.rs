//! `raidai governance …`: the governance engine's batch scorers and the trial-balance import.

use crate::DbArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use raidai_domain::ids::Hcode;
use raidai_governance::{BatchReport, CriteriaSet};
use raidai_store::governance::{parse_positions_csv, parse_trial_balance_csv};
use raidai_store::{Actor, StoreError};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum Cmd {
    /// Score a CSV of ratio items: hcode, period, current_assets, current_liabilities,
    /// quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd (baht). OUT adds cr, qr,
    /// cash_ratio, nwc, ni, the points and risk_score.
    RiskScore {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// Score a CSV of TPS inputs (FY2565, 15 points); OUT adds every item's points, the group
    /// totals (raw and capped), the total and the grade.
    Tps {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        /// Fiscal year (BE) whose criteria apply.
        #[arg(long, default_value_t = 2565)]
        fiscal_year: u16,
    },
    /// Import one unit's trial balance for a period (CSV: account_code with debit and credit, or
    /// balance; fiscal-YTD, baht) and store the Risk Score inputs summed from it.
    ImportTb {
        #[command(flatten)]
        db: DbArgs,
        /// Unit code (5 digits).
        #[arg(long)]
        unit: Hcode,
        /// Period: BE year × 100 + fiscal month, e.g. 256909 (June 2569).
        #[arg(long)]
        period: u32,
        file: PathBuf,
    },
    /// Import ratio items for many units (the risk-score input format) into the database.
    ImportPositions {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
    /// Criteria sets (thresholds per fiscal year) loaded over the built-in FY2565 set.
    Criteria {
        #[command(subcommand)]
        cmd: CriteriaCmd,
    },
}

#[derive(Subcommand)]
pub enum CriteriaCmd {
    /// Validate a criteria set (TOML, the layout of the built-in fy2565.toml) and put it in
    /// force from fiscal year FY on; every problem of the file is listed.
    Load {
        #[command(flatten)]
        db: DbArgs,
        /// Fiscal year (BE) the set applies from.
        #[arg(long)]
        fy: u16,
        file: PathBuf,
    },
    /// The loaded sets, newest first.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print the built-in set (a starting point for a province's own file).
    Builtin,
}

fn open_in(p: &Path) -> Result<BufReader<File>> {
    Ok(BufReader::new(
        File::open(p).with_context(|| format!("cannot read {}", p.display()))?,
    ))
}

fn create_out(p: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::new(File::create(p).with_context(|| {
        format!("cannot write {}", p.display())
    })?))
}

/// Prints one line per bad row (English, with its line number) and fails when there was any.
fn finish(report: &BatchReport, output: &Path) -> Result<()> {
    for e in &report.errors {
        eprintln!("line {}: {}: {:?}: {}", e.line, e.field, e.value, e.reason);
    }
    println!(
        "{} rows read, {} written to {}, {} skipped",
        report.rows_read,
        report.rows_written,
        output.display(),
        report.rows_skipped()
    );
    if !report.is_clean() {
        bail!("{} row(s) had errors", report.rows_skipped());
    }
    Ok(())
}

/// Field errors, one per line, then a one-line failure.
fn invalid(e: StoreError) -> anyhow::Error {
    if let StoreError::Invalid(errs) = &e {
        for f in errs {
            eprintln!("{f}");
        }
        return anyhow::anyhow!("{} problem(s); nothing was imported", errs.len());
    }
    anyhow::anyhow!("{e}")
}

pub async fn run(cmd: Cmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    match cmd {
        Cmd::RiskScore { input, output } => {
            let report = raidai_governance::risk_score_csv(open_in(&input)?, create_out(&output)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
            finish(&report, &output)
        }
        Cmd::Tps {
            input,
            output,
            fiscal_year,
        } => {
            let criteria = CriteriaSet::default_for(fiscal_year)
                .with_context(|| format!("no criteria for fiscal year {fiscal_year}"))?;
            let report =
                raidai_governance::tps_csv(open_in(&input)?, create_out(&output)?, &criteria.tps)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
            finish(&report, &output)
        }
        Cmd::ImportTb {
            db,
            unit,
            period,
            file,
        } => {
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let lines = parse_trial_balance_csv(&data).map_err(invalid)?;
            let store = crate::open(&db_url(&db)?).await?;
            let imp = store
                .import_trial_balance(&Actor::system(), unit, period, &lines)
                .await
                .map_err(invalid)?;
            println!(
                "imported {} accounts for unit {unit} period {period}",
                imp.lines
            );
            if !imp.unmapped.is_empty() {
                println!(
                    "accounts matched by no ratio item: {}",
                    imp.unmapped.join(", ")
                );
            }
            if let Some(p) = imp.position {
                let r = p.score().map_err(|e| anyhow::anyhow!("{e}"))?;
                let ratio = |v: Option<raidai_governance::Hundredths>| {
                    v.map(|h| h.to_fixed_string()).unwrap_or_else(|| "-".into())
                };
                println!(
                    "cr {} qr {} cash {} nwc {} ni {} risk score {}{}",
                    ratio(r.cr),
                    ratio(r.qr),
                    ratio(r.cash_ratio),
                    raidai_governance::format_baht(r.nwc),
                    raidai_governance::format_baht(r.ni),
                    r.risk_score,
                    if r.ratios_undefined {
                        " (current liabilities are zero: ratios undefined)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        Cmd::ImportPositions { db, file } => {
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let rows = parse_positions_csv(&data).map_err(invalid)?;
            let store = crate::open(&db_url(&db)?).await?;
            let n = store
                .import_positions(&Actor::system(), &rows, 2)
                .await
                .map_err(invalid)?;
            println!("imported {n} positions");
            Ok(())
        }
        Cmd::Criteria { cmd } => match cmd {
            CriteriaCmd::Load { db, fy, file } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {} as UTF-8 text", file.display()))?;
                let store = crate::open(&db_url(&db)?).await?;
                let m = store
                    .load_criteria(&Actor::system(), fy, &text)
                    .await
                    .map_err(invalid)?;
                let set = CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin);
                println!(
                    "loaded criteria {} for FY{} (version {} of the year), {} value(s) differ from the built-in set",
                    m.version,
                    m.fiscal_year,
                    m.seq,
                    set.differences(CriteriaSet::builtin()).len()
                );
                Ok(())
            }
            CriteriaCmd::List { db } => {
                let store = crate::open(&db_url(&db)?).await?;
                for m in store.list_criteria().await? {
                    println!(
                        "FY{}\t#{}\t{}\t{}\t{}",
                        m.fiscal_year, m.seq, m.version, m.loaded_by, m.title
                    );
                }
                Ok(())
            }
            CriteriaCmd::Builtin => {
                print!("{}", raidai_governance::criteria::FY2565_TOML);
                Ok(())
            }
        },
    }
}
