//! # raidai-governance
//!
//! Pure financial-governance engine for Thai public health units: no IO except through the
//! `Read`/`Write` parameters of the CSV batch functions, no async, no database.
//!
//! | module | what |
//! |---|---|
//! | [`criteria`] | versioned criteria per fiscal year (BE) as data; FY2565 embedded |
//! | [`risk_score`] | MoPH Risk Score 0–7 (reproduces the 1,057 HFO reference rows), province summary, CSV batch |
//! | [`seven_plus`] | 7 Plus efficiency indicators, collection-period and fiscal-day helpers |
//! | [`tps`] | Total Performance Score (FY2565, 15 points), peer medians, CSV batch |
//! | [`assessment`] | 4S4C + CSMBS survey (100 points) and the 4P working paper |
//! | [`planfin`] | Planfin plan lines, plan type check, plan vs actual, ±5 %, Q2 rule, reviews |
//! | [`num`] | exact money (satang) and two-place decimals ([`Hundredths`]) |
//!
//! Money is the domain's [`Satang`] everywhere (integer satang, 1 baht = 100 satang; its operators
//! panic rather than wrap on overflow) and is parsed from decimal text exactly ([`parse_satang`]).
//! Values that are compared with a boundary — ratios, points, percentage thresholds — are
//! [`Hundredths`] or exact integer comparisons; `f64` is used only for derived measures that are
//! never money (days, %, AdjRW) and for display, and such a measure meets a limit only through an
//! exact comparison ([`num::at_most`], [`num::at_least`], [`num::grew_at_least`],
//! [`seven_plus::days_at_most`]).
//!
//! ```
//! use raidai_governance::{CriteriaSet, Satang, risk_score::RiskInput};
//!
//! let fy = CriteriaSet::default_for(2569).unwrap(); // FY2565 data until a later set is loaded
//! let r = RiskInput {
//!     hcode: "10670".into(),
//!     period: 256909,
//!     current_assets: Satang(50_000_000),
//!     current_liabilities: Satang(100_000_000),
//!     quick_assets: Satang(40_000_000),
//!     cash_and_equivalents: Satang(10_000_000),
//!     revenue_ytd: Satang(900_000_000),
//!     expense_ytd: Satang(950_000_000),
//! };
//! let res = raidai_governance::risk_score::risk_score(&r, &fy.risk_score).unwrap();
//! assert_eq!(res.risk_score, 7);
//! ```
//!
//! ## Interpretations
//! Where the source documents are silent or contradict themselves the choice made is documented
//! at the item concerned; the main ones:
//! * Risk Score ratios round half away from zero on the exact quotient (HFO/Excel `ROUND`);
//!   zero current liabilities give undefined ratios that earn no liquidity point
//!   ([`risk_score::RiskResult::ratios_undefined`]); NWC < 0 with NI = 0 scores 2 survival points.
//! * Province summary counts levels 6 and 7 exactly (a level-7 unit is not also a level-6 one).
//! * TPS: items scored as printed, groups capped, missing data = not met.
//! * 4P: 23 numbered items with item 4 marked as 4.1 and 4.2 (24 marks); unmarked = 0.
//! * Q2 suggestion for 4P 4.1/4.2: reached → 2, plan exists but not reached → 1, no plan → 0.

#![warn(missing_docs)]

pub mod assessment;
pub mod batch;
pub mod criteria;
pub mod num;
pub mod planfin;
pub mod risk_score;
pub mod seven_plus;
pub mod tps;

pub use batch::{BatchError, BatchReport, RowError};
pub use criteria::{CriteriaError, CriteriaLibrary, CriteriaSet, Grade, GradeResult};
pub use num::{Hundredths, Satang, format_baht, parse_satang};
pub use risk_score::{RiskInput, RiskResult, province_levels, risk_score_csv};
pub use tps::{TpsInput, TpsResult, tps_csv};
