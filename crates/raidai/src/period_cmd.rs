//! `raidai period …`: the closed months of the receivables journal (list, close, reopen).

use crate::{DbArgs, UnitYear, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use raidai_domain::ids::Hcode;
use raidai_store::Actor;

#[derive(Subcommand)]
pub enum PeriodCmd {
    /// The closed months of a unit, and its journal totals per month by posting date.
    List {
        #[command(flatten)]
        at: UnitYear,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Close a month (yyyymm, CE or BE year: 202610 or 256910) for one unit, or for every unit
    /// with --all. Nothing is dated in a closed month afterwards; only an ended month closes.
    Close {
        month: String,
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        unit: Option<Hcode>,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Reopen a closed month of a unit (audit-logged with the reason).
    Reopen {
        month: String,
        #[arg(long)]
        unit: Hcode,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        db: DbArgs,
    },
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

pub async fn period_cmd(cmd: PeriodCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    let label = |m: i64| format!("{:02}/{}", m % 100, m / 100 + 543);
    match cmd {
        PeriodCmd::List {
            at: UnitYear { unit, fy },
            db,
        } => {
            let store = open(&db_url(&db)?).await?;
            let fy = fy
                .map(raidai_domain::calendar::FiscalYear::new)
                .unwrap_or_else(|| raidai_domain::calendar::FiscalYear::of(bangkok_today()));
            let closed: std::collections::HashSet<i64> = store
                .closed_months(&sys, unit)
                .await?
                .iter()
                .map(|c| c.month)
                .collect();
            let ymd = raidai_domain::periods::ymd;
            let totals = store
                .month_totals(&sys, unit, ymd(fy.start()), ymd(fy.end()))
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
                let unit = unit.context("--unit or --all is required")?;
                let done = store.close_month(&sys, unit, month, today).await?;
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
            let done = store.reopen_month(&sys, unit, month, &reason).await?;
            println!(
                "unit {unit}: {} {}",
                label(month),
                if done { "reopened" } else { "was not closed" }
            );
            Ok(())
        }
    }
}
