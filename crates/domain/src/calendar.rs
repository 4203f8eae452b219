//! Buddhist Era dates and the Thai fiscal year (1 Oct – 30 Sep, named by the BE year it ends in).
//!
//! Dates are held as CE `NaiveDate`s; BE only appears when parsing or formatting (DOMAIN §6.3).

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// BE = CE + 543.
pub const BE_OFFSET: i32 = 543;

/// A 4-digit year above this is read as Buddhist Era. BE years in use are ~2500–2600 and CE
/// years ~1900–2100, so the two ranges cannot be confused.
const BE_THRESHOLD: i32 = 2400;

/// Thai month abbreviations in calendar order (January first).
pub const THAI_MONTHS_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// Thai month names in calendar order (January first).
pub const THAI_MONTHS_LONG: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

/// English month abbreviations in calendar order.
pub const EN_MONTHS_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "date {0:?} is not in a known form: expected YYYYMMDD, DD/MM/YYYY or YYYY-MM-DD (CE or BE year)"
    )]
    Format(String),
    #[error("date {0:?} does not exist (no such day in that month, or month out of 1–12)")]
    Invalid(String),
    #[error("time {0:?} is not a valid time: expected HHMM, HH:MM or HH:MM:SS (00:00–23:59)")]
    Time(String),
    #[error("fiscal period {0} is not BE year × 100 + fiscal month 1–12 (e.g. 256909)")]
    Period(u32),
}

/// Converts a 4-digit year to CE: a year above 2400 is Buddhist Era.
pub fn ce_year(y: i32) -> i32 {
    if y > BE_THRESHOLD { y - BE_OFFSET } else { y }
}

/// The BE year of a date.
pub fn be_year(d: NaiveDate) -> i32 {
    d.year() + BE_OFFSET
}

fn digits(x: &str, min: usize, max: usize) -> Option<u32> {
    if x.len() < min || x.len() > max || !x.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    x.parse().ok()
}

/// Splits "date[ time]" at the first space or a `T` after an ISO date; the time must be valid.
fn split_time(t: &str) -> Result<(&str, Option<NaiveTime>), DateError> {
    let cut = t
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| (i, i + c.len_utf8()))
        .or_else(|| (t.len() > 10 && t.as_bytes()[10] == b'T').then_some((10, 11)));
    match cut {
        Some((end, rest)) => {
            let time = parse_time_hhmm(&t[rest..]).map_err(|_| DateError::Format(t.to_string()))?;
            Ok((&t[..end], Some(time)))
        }
        None => Ok((t, None)),
    }
}

/// Parses `YYYYMMDD`, `DD/MM/YYYY` or `YYYY-MM-DD` (day and month may have one digit in the
/// separated forms). A year above 2400 is BE. A trailing time ("20/12/2568 14:05:00", as REP
/// cells carry) is accepted if valid and ignored; use [`parse_datetime`] to keep it.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    parse_datetime(s).map(|dt| dt.date())
}

/// Like [`parse_date`] with an optional time after a space (or `T` in ISO form); a missing time
/// is midnight. E.g. "2026-06-11 08:37", "11/06/2569 08:37:13", "2026-06-11T08:37:13".
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, DateError> {
    let t = s.trim();
    let format_err = || DateError::Format(t.to_string());
    let (date, time) = split_time(t)?;
    let (y, m, d) = if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        (
            digits(&date[0..4], 4, 4),
            digits(&date[4..6], 2, 2),
            digits(&date[6..8], 2, 2),
        )
    } else if date.contains('/') {
        let p: Vec<&str> = date.split('/').collect();
        if p.len() != 3 {
            return Err(format_err());
        }
        (digits(p[2], 4, 4), digits(p[1], 1, 2), digits(p[0], 1, 2))
    } else if date.contains('-') {
        let p: Vec<&str> = date.split('-').collect();
        if p.len() != 3 {
            return Err(format_err());
        }
        (digits(p[0], 4, 4), digits(p[1], 1, 2), digits(p[2], 1, 2))
    } else {
        return Err(format_err());
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(format_err());
    };
    // y has at most 4 digits, so the cast cannot truncate.
    let date = NaiveDate::from_ymd_opt(ce_year(y as i32), m, d)
        .ok_or_else(|| DateError::Invalid(t.to_string()))?;
    Ok(date.and_time(time.unwrap_or(NaiveTime::MIN)))
}

/// Parses a time of day: `HHMM` (16-file form), `HH:MM`, `H:MM`, `HH:MM:SS` or `HHMMSS`.
pub fn parse_time_hhmm(s: &str) -> Result<NaiveTime, DateError> {
    let t = s.trim();
    let err = || DateError::Time(t.to_string());
    let parts: Vec<&str> = if t.contains(':') {
        t.split(':').collect()
    } else if t.len() == 4 || t.len() == 6 {
        (0..t.len())
            .step_by(2)
            .map(|i| t.get(i..i + 2).unwrap_or(""))
            .collect()
    } else {
        return Err(err());
    };
    if parts.len() < 2 || parts.len() > 3 {
        return Err(err());
    }
    let h = digits(parts[0], 1, 2).ok_or_else(err)?;
    let m = digits(parts[1], 2, 2).ok_or_else(err)?;
    let sec = match parts.get(2) {
        Some(x) => digits(x, 2, 2).ok_or_else(err)?,
        None => 0,
    };
    NaiveTime::from_hms_opt(h, m, sec).ok_or_else(err)
}

/// `22 พ.ย. 2569`
pub fn format_be_short(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        THAI_MONTHS_SHORT[d.month0() as usize],
        be_year(d)
    )
}

/// `22 พฤศจิกายน 2569`
pub fn format_be_long(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        THAI_MONTHS_LONG[d.month0() as usize],
        be_year(d)
    )
}

/// `22/11/2569` (day and month zero-padded)
pub fn format_be_numeric(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), be_year(d))
}

/// `25691122`: BE `YYYYMMDD`, as in NHSO file names and STM/REP headers.
pub fn format_be_yyyymmdd(d: NaiveDate) -> String {
    format!("{}{:02}{:02}", be_year(d), d.month(), d.day())
}

/// `22 Nov 2026`
pub fn format_en_short(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        d.day(),
        EN_MONTHS_SHORT[d.month0() as usize],
        d.year()
    )
}

/// `22 พ.ย. 2569 14:05`
pub fn format_be_datetime(dt: NaiveDateTime) -> String {
    format!("{} {}", format_be_short(dt.date()), dt.format("%H:%M"))
}

/// Fiscal year (ปีงบประมาณ) by its BE number: FY2569 = 1 Oct 2025 – 30 Sep 2026.
/// Serialised as the bare BE number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FiscalYear(u16);

impl FiscalYear {
    pub const fn new(be: u16) -> FiscalYear {
        FiscalYear(be)
    }

    /// `FY_BE = CE_year + 543 + (month ≥ 10 ? 1 : 0)`.
    pub fn of(d: NaiveDate) -> FiscalYear {
        let be = be_year(d) + i32::from(d.month() >= 10);
        // Only dates thousands of years away fall outside u16; clamp rather than wrap.
        FiscalYear(be.clamp(0, i32::from(u16::MAX)) as u16)
    }

    pub const fn be(self) -> u16 {
        self.0
    }

    /// The CE year in which this fiscal year ends (FY2569 → 2026).
    pub const fn ce_end_year(self) -> i32 {
        self.0 as i32 - BE_OFFSET
    }

    /// 1 October of the previous CE year.
    pub fn start(self) -> NaiveDate {
        // Any u16 BE year maps to a CE year well inside chrono's range.
        NaiveDate::from_ymd_opt(self.ce_end_year() - 1, 10, 1).expect("year within chrono range")
    }

    /// 30 September.
    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.ce_end_year(), 9, 30).expect("year within chrono range")
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        self.start() <= d && d <= self.end()
    }

    pub fn next(self) -> FiscalYear {
        FiscalYear(self.0.saturating_add(1))
    }

    pub fn prev(self) -> FiscalYear {
        FiscalYear(self.0.saturating_sub(1))
    }

    /// Fiscal month 1 (October) … 12 (September) of this year.
    pub fn period(self, month: u8) -> Option<FiscalPeriod> {
        FiscalPeriod::new(self, month).ok()
    }

    /// The twelve periods, October first.
    pub fn periods(self) -> impl Iterator<Item = FiscalPeriod> {
        (1..=12).map(move |month| FiscalPeriod { fy: self, month })
    }

    /// `ปีงบประมาณ 2569`
    pub fn label_th(self) -> String {
        format!("ปีงบประมาณ {}", self.0)
    }

    /// `FY2569 (Oct 2025 – Sep 2026)`
    pub fn label_en(self) -> String {
        let ce = self.ce_end_year();
        format!("FY{} (Oct {} – Sep {})", self.0, ce - 1, ce)
    }
}

impl fmt::Display for FiscalYear {
    /// The bare BE number, e.g. `2569`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Calendar month 1–12 of fiscal month 1–12 (1 → 10, 4 → 1).
pub fn calendar_month_of_fiscal(month: u8) -> u32 {
    (u32::from(month) + 8) % 12 + 1
}

/// A month of a fiscal year: month 1 = October … 12 = September. Its id is BE × 100 + month
/// (256909 = June 2026), the form HFO and the Risk Score files use; serialised as that id.
///
/// The fields are public for pattern matching; build values with [`FiscalPeriod::new`],
/// [`FiscalPeriod::from_id`] or [`FiscalPeriod::of`] so that `month` stays within 1–12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct FiscalPeriod {
    pub fy: FiscalYear,
    pub month: u8,
}

impl FiscalPeriod {
    pub fn new(fy: FiscalYear, month: u8) -> Result<FiscalPeriod, DateError> {
        let p = FiscalPeriod { fy, month };
        if (1..=12).contains(&month) {
            Ok(p)
        } else {
            Err(DateError::Period(p.id()))
        }
    }

    pub fn of(d: NaiveDate) -> FiscalPeriod {
        FiscalPeriod {
            fy: FiscalYear::of(d),
            // Oct (10) → 1 … Sep (9) → 12
            month: ((d.month() + 2) % 12 + 1) as u8,
        }
    }

    /// Parses `BE × 100 + month`. BE years outside 2400–2700 are refused so that a CE id such
    /// as 202606 is caught instead of being read as the year 2026 BE.
    pub fn from_id(id: u32) -> Result<FiscalPeriod, DateError> {
        let month = (id % 100) as u8;
        let be = id / 100;
        if !(1..=12).contains(&month) || !(2400..=2700).contains(&be) {
            return Err(DateError::Period(id));
        }
        Ok(FiscalPeriod {
            fy: FiscalYear(be as u16),
            month,
        })
    }

    pub fn id(self) -> u32 {
        u32::from(self.fy.0) * 100 + u32::from(self.month)
    }

    /// Calendar month 1–12 of this fiscal month (1 → 10, 4 → 1).
    pub fn calendar_month(self) -> u32 {
        calendar_month_of_fiscal(self.month)
    }

    /// CE calendar year of this month: Oct–Dec belong to the year before the fiscal year ends.
    pub fn calendar_year(self) -> i32 {
        let ce_end = self.fy.ce_end_year();
        if self.calendar_month() >= 10 {
            ce_end - 1
        } else {
            ce_end
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.calendar_year(), self.calendar_month(), 1)
            .expect("year within chrono range")
    }

    pub fn last_day(self) -> NaiveDate {
        let (y, m) = (self.calendar_year(), self.calendar_month());
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)
        };
        next.and_then(|n| n.pred_opt())
            .expect("year within chrono range")
    }

    pub fn contains(self, d: NaiveDate) -> bool {
        self.first_day() <= d && d <= self.last_day()
    }

    /// Fiscal quarter 1–4: Q1 = Oct–Dec … Q4 = Jul–Sep.
    pub fn quarter(self) -> u8 {
        (self.month.clamp(1, 12) - 1) / 3 + 1
    }

    /// TPS-style quarter id, e.g. `2569Q2`.
    pub fn quarter_id(self) -> String {
        format!("{}Q{}", self.fy.0, self.quarter())
    }

    /// The following month (September rolls over to October of the next fiscal year).
    pub fn next(self) -> FiscalPeriod {
        if self.month >= 12 {
            FiscalPeriod {
                fy: self.fy.next(),
                month: 1,
            }
        } else {
            FiscalPeriod {
                fy: self.fy,
                month: self.month + 1,
            }
        }
    }

    /// The preceding month (October rolls back to September of the previous fiscal year).
    pub fn prev(self) -> FiscalPeriod {
        if self.month <= 1 {
            FiscalPeriod {
                fy: self.fy.prev(),
                month: 12,
            }
        } else {
            FiscalPeriod {
                fy: self.fy,
                month: self.month - 1,
            }
        }
    }

    /// `มิ.ย. 2569` (the calendar BE year of that month: FY2569 month 1 is `ต.ค. 2568`).
    pub fn label_th(self) -> String {
        format!(
            "{} {}",
            THAI_MONTHS_SHORT[self.calendar_month() as usize - 1],
            self.calendar_year() + BE_OFFSET
        )
    }

    /// `มิถุนายน 2569`
    pub fn label_th_long(self) -> String {
        format!(
            "{} {}",
            THAI_MONTHS_LONG[self.calendar_month() as usize - 1],
            self.calendar_year() + BE_OFFSET
        )
    }

    /// `Jun 2026`
    pub fn label_en(self) -> String {
        format!(
            "{} {}",
            EN_MONTHS_SHORT[self.calendar_month() as usize - 1],
            self.calendar_year()
        )
    }

    /// Days from the fiscal-year start to the last day of this month, inclusive
    /// (October = 31; a full year = 365 or 366).
    pub fn days_elapsed_ytd(self) -> i64 {
        (self.last_day() - self.fy.start()).num_days() + 1
    }
}

impl fmt::Display for FiscalPeriod {
    /// The id, e.g. `256909`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.id())
    }
}

impl TryFrom<u32> for FiscalPeriod {
    type Error = DateError;
    fn try_from(id: u32) -> Result<Self, Self::Error> {
        FiscalPeriod::from_id(id)
    }
}

impl From<FiscalPeriod> for u32 {
    fn from(p: FiscalPeriod) -> u32 {
        p.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_be_and_ce_in_every_shape() {
        assert_eq!(parse_date("20260719"), Ok(d(2026, 7, 19)));
        assert_eq!(parse_date("25690131"), Ok(d(2026, 1, 31)));
        assert_eq!(parse_date("25680122"), Ok(d(2025, 1, 22)));
        assert_eq!(parse_date("31/01/2569"), Ok(d(2026, 1, 31)));
        assert_eq!(parse_date("20/12/2568"), Ok(d(2025, 12, 20)));
        assert_eq!(parse_date("1/2/2026"), Ok(d(2026, 2, 1)));
        assert_eq!(parse_date(" 2026-07-19 "), Ok(d(2026, 7, 19)));
        assert_eq!(parse_date("2569-07-19"), Ok(d(2026, 7, 19)));
        assert_eq!(parse_date("11/06/2026 08:37:00"), Ok(d(2026, 6, 11)));
        assert_eq!(parse_date("2026-06-11T08:37:13"), Ok(d(2026, 6, 11)));
        // Feb 29 exists in 2567 BE = 2024 CE, not in 2568 BE = 2025 CE.
        assert_eq!(parse_date("29/02/2567"), Ok(d(2024, 2, 29)));
        assert!(matches!(
            parse_date("29/02/2568"),
            Err(DateError::Invalid(_))
        ));
        assert!(matches!(parse_date("20260230"), Err(DateError::Invalid(_))));
        assert!(matches!(
            parse_date("2026-13-01"),
            Err(DateError::Invalid(_))
        ));
        assert!(matches!(
            parse_date("00/01/2026"),
            Err(DateError::Invalid(_))
        ));
        for bad in [
            "",
            "2026071",
            "abc",
            "2026/07/19",
            "19/07/26",
            "19-07",
            "2026-07-19-1",
            "11/06/2026 25:00",
            "11/06/2026 junk",
            "202607191",
            "+2026-07-19",
            "19/07/ 2026",
        ] {
            assert!(
                matches!(parse_date(bad), Err(DateError::Format(_))),
                "{bad:?}"
            );
        }
        let msg = parse_date("31/02/2569").unwrap_err().to_string();
        assert!(
            msg.contains("31/02/2569") && msg.contains("does not exist"),
            "{msg}"
        );
    }

    #[test]
    fn parses_datetimes_and_times() {
        let t = |h, m, s| NaiveTime::from_hms_opt(h, m, s).unwrap();
        assert_eq!(
            parse_datetime("11/06/2569 08:37:13"),
            Ok(d(2026, 6, 11).and_time(t(8, 37, 13)))
        );
        assert_eq!(
            parse_datetime("2026-06-11"),
            Ok(d(2026, 6, 11).and_time(t(0, 0, 0)))
        );
        assert_eq!(parse_time_hhmm("1705"), Ok(t(17, 5, 0)));
        assert_eq!(parse_time_hhmm("17:05"), Ok(t(17, 5, 0)));
        assert_eq!(parse_time_hhmm("7:05"), Ok(t(7, 5, 0)));
        assert_eq!(parse_time_hhmm("08:37:13"), Ok(t(8, 37, 13)));
        assert_eq!(parse_time_hhmm("083713"), Ok(t(8, 37, 13)));
        assert_eq!(parse_time_hhmm(" 0000 "), Ok(t(0, 0, 0)));
        for bad in [
            "2460",
            "2400",
            "1260",
            "17:5",
            "175",
            "",
            "ab:cd",
            "1:2:3:4",
            "12:00:60",
            "๑๒๐๐",
        ] {
            assert!(
                matches!(parse_time_hhmm(bad), Err(DateError::Time(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn formats_in_buddhist_era() {
        assert_eq!(format_be_short(d(2026, 11, 22)), "22 พ.ย. 2569");
        assert_eq!(format_be_long(d(2026, 11, 22)), "22 พฤศจิกายน 2569");
        assert_eq!(format_be_numeric(d(2026, 11, 22)), "22/11/2569");
        assert_eq!(format_be_numeric(d(2026, 1, 5)), "05/01/2569");
        assert_eq!(format_be_yyyymmdd(d(2026, 1, 5)), "25690105");
        assert_eq!(format_en_short(d(2026, 11, 22)), "22 Nov 2026");
        assert_eq!(format_be_short(d(2025, 10, 1)), "1 ต.ค. 2568");
        let dt = d(2026, 11, 22).and_hms_opt(14, 5, 59).unwrap();
        assert_eq!(format_be_datetime(dt), "22 พ.ย. 2569 14:05");
        assert_eq!(THAI_MONTHS_SHORT[0], "ม.ค.");
        assert_eq!(THAI_MONTHS_LONG[11], "ธันวาคม");
    }

    #[test]
    fn fiscal_year_boundaries() {
        assert_eq!(FiscalYear::of(d(2025, 9, 30)).be(), 2568);
        assert_eq!(FiscalYear::of(d(2025, 10, 1)).be(), 2569);
        assert_eq!(FiscalYear::of(d(2026, 9, 30)).be(), 2569);
        assert_eq!(FiscalYear::of(d(2025, 12, 31)).be(), 2569);
        assert_eq!(FiscalYear::of(d(2026, 1, 1)).be(), 2569);
        let fy = FiscalYear::new(2569);
        assert_eq!(fy.start(), d(2025, 10, 1));
        assert_eq!(fy.end(), d(2026, 9, 30));
        assert!(fy.contains(d(2025, 10, 1)) && fy.contains(d(2026, 9, 30)));
        assert!(!fy.contains(d(2025, 9, 30)) && !fy.contains(d(2026, 10, 1)));
        assert_eq!(fy.label_th(), "ปีงบประมาณ 2569");
        assert_eq!(fy.label_en(), "FY2569 (Oct 2025 – Sep 2026)");
        assert_eq!(fy.to_string(), "2569");
        assert_eq!(fy.next().be(), 2570);
        assert_eq!(fy.periods().count(), 12);
        assert_eq!(FiscalYear::new(0).prev().be(), 0);
    }

    #[test]
    fn fiscal_periods() {
        let p = FiscalPeriod::from_id(256909).unwrap();
        assert_eq!(
            p,
            FiscalPeriod {
                fy: FiscalYear::new(2569),
                month: 9
            }
        );
        assert_eq!(p.label_th(), "มิ.ย. 2569");
        assert_eq!(p.label_th_long(), "มิถุนายน 2569");
        assert_eq!(p.label_en(), "Jun 2026");
        assert_eq!(p.first_day(), d(2026, 6, 1));
        assert_eq!(p.last_day(), d(2026, 6, 30));
        assert_eq!(p.quarter(), 3);
        assert_eq!(p.quarter_id(), "2569Q3");
        assert_eq!(p.to_string(), "256909");
        let oct = FiscalPeriod::from_id(256901).unwrap();
        assert_eq!(oct.label_th(), "ต.ค. 2568");
        assert_eq!(oct.first_day(), d(2025, 10, 1));
        assert_eq!(oct.days_elapsed_ytd(), 31);
        assert_eq!(
            FiscalPeriod::from_id(256903).unwrap().label_th(),
            "ธ.ค. 2568"
        );
        assert_eq!(
            FiscalPeriod::from_id(256904).unwrap().label_th(),
            "ม.ค. 2569"
        );
        // FY2567 = Oct 2023 – Sep 2024; its February is in leap year 2024.
        let feb_leap = FiscalPeriod::from_id(256705).unwrap();
        assert_eq!(feb_leap.last_day(), d(2024, 2, 29));
        assert_eq!(feb_leap.days_elapsed_ytd(), 31 + 30 + 31 + 31 + 29);
        assert_eq!(
            FiscalPeriod::from_id(256805).unwrap().days_elapsed_ytd(),
            151
        );
        assert_eq!(
            FiscalPeriod::from_id(256712).unwrap().days_elapsed_ytd(),
            366
        );
        assert_eq!(
            FiscalPeriod::from_id(256912).unwrap().days_elapsed_ytd(),
            365
        );
        for bad in [256913, 256900, 202606, 99, 0] {
            assert_eq!(FiscalPeriod::from_id(bad), Err(DateError::Period(bad)));
        }
        assert!(FiscalPeriod::new(FiscalYear::new(2569), 0).is_err());
        assert_eq!(oct.prev().id(), 256812);
        assert_eq!(FiscalPeriod::from_id(256812).unwrap().next(), oct);
        // An out-of-range month built by hand must not panic.
        let odd = FiscalPeriod {
            fy: FiscalYear::new(2569),
            month: 0,
        };
        assert_eq!(odd.quarter(), 1);
        let _ = (odd.first_day(), odd.last_day(), odd.label_th());
    }

    #[test]
    fn quarter_mapping() {
        let q: Vec<u8> = FiscalYear::new(2569)
            .periods()
            .map(|p| p.quarter())
            .collect();
        assert_eq!(q, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
        let months: Vec<u32> = FiscalYear::new(2569)
            .periods()
            .map(|p| p.calendar_month())
            .collect();
        assert_eq!(months, [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    proptest! {
        #[test]
        fn period_of_a_date_contains_it(days in 0i64..80_000) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            let p = FiscalPeriod::of(date);
            prop_assert!(p.contains(date));
            prop_assert!(p.first_day() <= date && date <= p.last_day());
            prop_assert!(p.fy.contains(date));
            prop_assert_eq!(FiscalPeriod::from_id(p.id()), Ok(p));
            prop_assert_eq!(u32::from(p), p.id());
            prop_assert_eq!(p.quarter(), (p.month - 1) / 3 + 1);
            prop_assert_eq!(p.first_day().day(), 1);
            prop_assert_eq!(p.last_day().succ_opt().unwrap().day(), 1);
            prop_assert_eq!(p.next().prev(), p);
            prop_assert_eq!(FiscalPeriod::of(p.last_day().succ_opt().unwrap()), p.next());
            let ytd = (date - p.fy.start()).num_days() + 1;
            prop_assert!(ytd <= p.days_elapsed_ytd());
        }

        #[test]
        fn be_and_ce_inputs_agree(days in 0i64..80_000) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            let (y, m, dd) = (date.year(), date.month(), date.day());
            let be = y + BE_OFFSET;
            prop_assert_eq!(parse_date(&format!("{y:04}{m:02}{dd:02}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{be}{m:02}{dd:02}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{dd:02}/{m:02}/{y}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{dd}/{m}/{be}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-{dd:02}")), Ok(date));
            prop_assert_eq!(parse_date(&format!("{be}-{m:02}-{dd:02}")), Ok(date));
            prop_assert_eq!(parse_date(&format_be_numeric(date)), Ok(date));
            prop_assert_eq!(parse_date(&format_be_yyyymmdd(date)), Ok(date));
        }

        #[test]
        fn parse_date_never_panics(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
            let _ = parse_time_hhmm(&s);
        }
    }
}
