//! Accounting periods and the date an entry is posted on.
//!
//! Every journal entry carries two dates: the **service date** (the visit or admission date,
//! for service statistics) and the **posting date** (the accounting date raidai chose when it
//! wrote the entry). A receivable is recognised on the service date of an OP visit and on the
//! discharge date of an admission. A unit closes months; nothing is ever dated inside a closed
//! month: an entry whose recognition date falls in one is posted on the first day of the first
//! open month after it, and so is the reversal of an entry that lies in a closed month. The
//! balances of a closed month therefore never change.
//!
//! Dates are `yyyymmdd` integers (CE) as stored; months are `yyyymm`.

use crate::calendar::FiscalYear;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

/// `yyyymm` of a `yyyymmdd` date.
pub fn month_of(ymd: i64) -> i64 {
    ymd / 100
}

/// The month after `yyyymm`.
pub fn next_month(month: i64) -> i64 {
    let (y, m) = (month / 100, month % 100);
    if m >= 12 {
        (y + 1) * 100 + 1
    } else {
        y * 100 + m + 1
    }
}

/// `yyyymmdd` of a date.
pub fn ymd(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The date of a `yyyymmdd` integer, if it is one.
pub fn date_of(ymd: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(ymd / 10_000).ok()?,
        u32::try_from((ymd / 100) % 100).ok()?,
        u32::try_from(ymd % 100).ok()?,
    )
}

/// `ymd` moved by `days` (negative: back); an invalid date is returned unchanged.
pub fn add_days(ymd_date: i64, days: i64) -> i64 {
    match date_of(ymd_date).and_then(|d| d.checked_add_signed(chrono::Duration::days(days))) {
        Some(d) => ymd(d),
        None => ymd_date,
    }
}

/// Days from `from` to `to` (both `yyyymmdd`); 0 when either is not a date.
pub fn days_between(from: i64, to: i64) -> i64 {
    match (date_of(from), date_of(to)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}

/// Fiscal year (BE) of a `yyyymmdd` date; 0 when it is not a date.
pub fn fiscal_year_of(ymd: i64) -> i64 {
    date_of(ymd).map_or(0, |d| i64::from(FiscalYear::of(d).be()))
}

/// Whether `yyyymm` is a real month.
pub fn is_month(month: i64) -> bool {
    (1..=12).contains(&(month % 100)) && (1..=9999).contains(&(month / 100))
}

/// The date a receivable is recognised on: the discharge date of an admission (0 while the
/// patient is still in hospital), the service date of an OP visit.
pub fn recognition_date(inpatient: bool, date_serv: i64, date_dsc: i64) -> i64 {
    if inpatient { date_dsc } else { date_serv }
}

/// Why a month cannot be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseError {
    /// Not a `yyyymm` month.
    NotAMonth,
    /// The month has not ended yet (today is in it or before it).
    NotEnded,
}

/// Whether `month` may be closed on `today`: only a month that has ended.
pub fn check_closable(month: i64, today: NaiveDate) -> Result<(), CloseError> {
    if !is_month(month) {
        return Err(CloseError::NotAMonth);
    }
    if month >= month_of(ymd(today)) {
        return Err(CloseError::NotEnded);
    }
    Ok(())
}

/// The closed months of a unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosedMonths(BTreeSet<i64>);

impl ClosedMonths {
    pub fn new(months: impl IntoIterator<Item = i64>) -> ClosedMonths {
        ClosedMonths(months.into_iter().collect())
    }

    pub fn is_closed(&self, ymd: i64) -> bool {
        self.0.contains(&month_of(ymd))
    }

    pub fn months(&self) -> impl Iterator<Item = i64> + '_ {
        self.0.iter().copied()
    }

    /// The posting date of an entry dated `ymd`: that day if its month is open, else the
    /// first day of the first open month after it.
    pub fn posting_date(&self, ymd: i64) -> i64 {
        if !self.is_closed(ymd) {
            return ymd;
        }
        let mut m = next_month(month_of(ymd));
        while self.0.contains(&m) {
            m = next_month(m);
        }
        m * 100 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn open_month_keeps_the_date() {
        let c = ClosedMonths::new([202609]);
        assert_eq!(c.posting_date(20260815), 20260815);
        assert_eq!(c.posting_date(20261002), 20261002);
    }

    #[test]
    fn closed_month_moves_to_the_first_open_month() {
        let c = ClosedMonths::new([202609, 202610, 202612]);
        assert_eq!(c.posting_date(20260930), 20261101);
        assert_eq!(c.posting_date(20261215), 20270101);
    }

    #[test]
    fn year_end_rolls_over() {
        assert_eq!(next_month(202612), 202701);
        assert_eq!(next_month(202601), 202602);
    }

    #[test]
    fn recognition_of_admissions_is_at_discharge() {
        assert_eq!(recognition_date(true, 20260930, 20261003), 20261003);
        assert_eq!(recognition_date(true, 20260930, 0), 0);
        assert_eq!(recognition_date(false, 20260930, 20260930), 20260930);
        // An admission of 30 Sep discharged in October belongs to the next fiscal year.
        assert_eq!(fiscal_year_of(20261003), 2570);
    }

    #[test]
    fn only_ended_months_close() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(check_closable(202611, today), Ok(()));
        assert_eq!(check_closable(202612, today), Err(CloseError::NotEnded));
        assert_eq!(check_closable(202701, today), Err(CloseError::NotEnded));
        assert_eq!(check_closable(202613, today), Err(CloseError::NotAMonth));
    }

    proptest! {
        #[test]
        fn never_dated_in_a_closed_month(
            closed in proptest::collection::btree_set(202501i64..202512, 0..10),
            day in 1i64..28,
            month in 202501i64..202512,
        ) {
            let c = ClosedMonths::new(closed);
            let d = month * 100 + day;
            let p = c.posting_date(d);
            prop_assert!(!c.is_closed(p));
            prop_assert!(p >= d);
            prop_assert!(date_of(p).is_some());
        }
    }
}
