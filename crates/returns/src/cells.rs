//! Cell values as NHSO writes them: amounts, dates and codes in numeric or text cells, `-`
//! for nothing, report headers above the column headers. Shared by the REP and STM readers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Cursor;
use std::ops::Range as Span;

use calamine::{Data, Range, Reader, open_workbook_auto_from_rs};
use chrono::Datelike;
use raidai_domain::calendar;
use raidai_domain::money::Satang;

use crate::error::{ReturnReject, ReturnsError};

static EMPTY: Data = Data::Empty;

/// How many rows from the top are searched for the column header row.
pub(crate) const HEADER_SEARCH_ROWS: u32 = 15;

/// Opens a workbook from bytes and returns its sheet names and a reader for one sheet.
/// Panics inside the spreadsheet library on malformed input are turned into errors.
pub(crate) fn open_sheet(
    file_name: &str,
    bytes: &[u8],
    wanted: &[&str],
) -> Result<(String, Range<Data>), ReturnsError> {
    let not_sheet = |detail: String| ReturnsError::NotSpreadsheet {
        file_name: file_name.to_string(),
        detail,
    };
    // A damaged file can make the spreadsheet library panic; that is a whole-file error here
    // (the default panic hook still prints the message on stderr).
    let result = std::panic::catch_unwind(|| -> Result<_, String> {
        let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let names = wb.sheet_names();
        let found = names
            .iter()
            .find(|n| {
                let k = key(n);
                wanted.iter().any(|w| key(w) == k)
            })
            .cloned();
        let Some(name) = found else {
            return Ok(Err(names));
        };
        let range = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
        Ok(Ok((name, range)))
    });
    match result {
        Err(_) => Err(not_sheet("the file is damaged".to_string())),
        Ok(Err(detail)) => Err(not_sheet(detail)),
        Ok(Ok(Err(found))) => Err(ReturnsError::NoSheet {
            file_name: file_name.to_string(),
            wanted: wanted.first().copied().unwrap_or_default().to_string(),
            found,
        }),
        Ok(Ok(Ok(pair))) => Ok(pair),
    }
}

/// A worksheet addressed by absolute 0-based (row, column), whatever the used range.
pub(crate) struct Sheet<'a> {
    pub name: &'a str,
    range: &'a Range<Data>,
}

impl<'a> Sheet<'a> {
    pub fn new(name: &'a str, range: &'a Range<Data>) -> Self {
        Sheet { name, range }
    }

    pub fn cell(&self, row: u32, col: usize) -> &Data {
        let Ok(col) = u32::try_from(col) else {
            return &EMPTY;
        };
        self.range.get_value((row, col)).unwrap_or(&EMPTY)
    }

    pub fn text(&self, row: u32, col: usize) -> Cow<'_, str> {
        cell_text(self.cell(row, col))
    }

    /// One past the last used row.
    pub fn end_row(&self) -> u32 {
        self.range.end().map_or(0, |(r, _)| r + 1)
    }

    /// One past the last used column.
    pub fn end_col(&self) -> usize {
        self.range.end().map_or(0, |(_, c)| c as usize + 1)
    }

    /// All cells of a row joined by single spaces (for report-header lines).
    pub fn row_text(&self, row: u32) -> String {
        let mut out = String::new();
        for c in 0..self.end_col() {
            let t = self.text(row, c);
            let t = t.trim();
            if !t.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
        }
        out
    }

    /// The row holding the column headers: the first of the top rows with a cell that is exactly
    /// one of `markers` (compared with [`key`]). Returns the row and the marker's column.
    pub fn find_header_row(&self, markers: &[&str]) -> Option<(u32, usize)> {
        let keys: Vec<String> = markers.iter().map(|m| key(m)).collect();
        (0..HEADER_SEARCH_ROWS.min(self.end_row())).find_map(|r| {
            (0..self.end_col()).find_map(|c| {
                let k = key(&self.text(r, c));
                keys.contains(&k).then_some((r, c))
            })
        })
    }

    /// A reject for the cell at (row, col).
    pub fn reject(
        &self,
        row: u32,
        col: usize,
        field: &str,
        message: &str,
        th: &str,
    ) -> Box<ReturnReject> {
        Box::new(ReturnReject {
            sheet: self.name.to_string(),
            row: row + 1,
            field: field.to_string(),
            value: self.text(row, col).into_owned(),
            message: format!("column {}: {message}", column_letter(col)),
            message_th: format!("คอลัมน์ {}: {th}", column_letter(col)),
        })
    }
}

/// Column headers found by name, with groups (a header cell spanning sub-columns whose names
/// are in the rows below, e.g. `Deny` over HC, AE, INST…).
pub(crate) struct Header {
    by_key: HashMap<String, usize>,
    groups: HashMap<String, Span<usize>>,
    names: Vec<String>,
}

impl Header {
    /// Reads the header row and the `sub_rows` rows below it.
    pub fn read(sheet: &Sheet<'_>, row: u32, sub_rows: u32) -> Header {
        let width = sheet.end_col();
        let mut by_key = HashMap::new();
        let mut groups: HashMap<String, Span<usize>> = HashMap::new();
        let mut names = Vec::with_capacity(width);
        let mut current: Option<String> = None;
        for c in 0..width {
            let name = collapse_spaces(&sheet.text(row, c));
            let has_sub = (1..=sub_rows).any(|d| !sheet.text(row + d, c).trim().is_empty());
            if !name.is_empty() {
                let k = key(&name);
                by_key.entry(k.clone()).or_insert(c);
                groups.entry(k.clone()).or_insert(c..c + 1);
                current = Some(k);
            } else if let (true, Some(k)) = (has_sub, &current) {
                if let Some(g) = groups.get_mut(k) {
                    g.end = c + 1;
                }
            } else {
                current = None;
            }
            names.push(name);
        }
        Header {
            by_key,
            groups,
            names,
        }
    }

    /// The first column whose header is one of `candidates`.
    pub fn find(&self, candidates: &[&str]) -> Option<usize> {
        candidates
            .iter()
            .find_map(|c| self.by_key.get(&key(c)).copied())
    }

    /// Columns under a group header (or just the column itself).
    pub fn group(&self, name: &str) -> Option<Span<usize>> {
        self.groups.get(&key(name)).cloned()
    }

    /// The header text of a column (for reject messages).
    pub fn name(&self, col: usize, fallback: &str) -> String {
        match self.names.get(col) {
            Some(n) if !n.is_empty() => n.clone(),
            _ => fallback.to_string(),
        }
    }
}

/// Normalised header/sheet key: no whitespace, no dots, ASCII lower case ("REP No." → "repno").
pub(crate) fn key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Collapses runs of whitespace (including line breaks inside header cells) to one space.
pub(crate) fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cell value as text: numbers without a spurious ".0", text trimmed.
pub(crate) fn cell_text(d: &Data) -> Cow<'_, str> {
    match d {
        Data::Empty => Cow::Borrowed(""),
        Data::String(s) => Cow::Borrowed(s.trim()),
        Data::Int(i) => Cow::Owned(i.to_string()),
        Data::Float(f) => Cow::Owned(float_text(*f)),
        Data::Bool(b) => Cow::Owned(b.to_string()),
        Data::DateTime(dt) => Cow::Owned(float_text(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cow::Borrowed(s.trim()),
        Data::Error(e) => Cow::Owned(format!("#{e:?}")),
    }
}

/// Shortest text that reads back as the same f64 ("1234.5", "0.30000000000000004", "12").
fn float_text(f: f64) -> String {
    format!("{f}")
}

/// Empty or `-` (NHSO's "nothing").
pub(crate) fn is_nothing(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "-"
}

/// Identifier text: `-` means none.
pub(crate) fn id_text(d: &Data) -> String {
    let t = cell_text(d);
    if is_nothing(&t) {
        String::new()
    } else {
        t.into_owned()
    }
}

/// An amount cell to exact satang. Empty and `-` are zero. Numbers are read from their shortest
/// decimal form and rounded half away from zero at 2 places (so 1234.5 → 123450 and
/// 0.1+0.2 → 30). Text may carry thousands separators, a sign or accounting parentheses.
pub(crate) fn amount(d: &Data) -> Result<Satang, &'static str> {
    match d {
        Data::Empty => Ok(Satang::ZERO),
        Data::Int(i) => i.checked_mul(100).map(Satang).ok_or("amount is too large"),
        Data::Float(f) => {
            if !f.is_finite() {
                return Err("not a number");
            }
            decimal_text(&float_text(*f))
        }
        Data::String(s) | Data::DateTimeIso(s) => {
            let t = s.trim();
            if t.is_empty() || t == "-" {
                return Ok(Satang::ZERO);
            }
            decimal_text(t)
        }
        Data::Bool(_) => Err("a true/false cell is not an amount"),
        Data::DateTime(_) | Data::DurationIso(_) => Err("a date cell is not an amount"),
        Data::Error(_) => Err("the cell holds an Excel error"),
    }
}

/// A decimal text to satang, rounding half away from zero beyond 2 places.
pub(crate) fn decimal_text(s: &str) -> Result<Satang, &'static str> {
    let mut t = s.trim();
    let mut negate = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        t = inner.trim();
        negate = true;
    }
    let (int_part, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let (kept, round_up) = if frac.len() > 2 {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err("not a number");
        }
        (&frac[..2], frac.as_bytes()[2] >= b'5')
    } else {
        (frac, false)
    };
    let base = if t.contains('.') {
        Satang::parse(&format!("{int_part}.{kept}"))
    } else {
        Satang::parse(int_part)
    }
    .map_err(|e| match e {
        raidai_domain::money::MoneyError::Overflow(_) => "amount is too large",
        _ => "not an amount (expected e.g. 1,234.50)",
    })?;
    let negative = int_part.trim_start().starts_with('-');
    let mut v = if round_up {
        let step = if negative { Satang(-1) } else { Satang(1) };
        base.checked_add(step).ok_or("amount is too large")?
    } else {
        base
    };
    if negate {
        v = Satang(v.0.checked_neg().ok_or("amount is too large")?);
    }
    Ok(v)
}

/// A date cell to `YYYYMMDD` (CE). Empty and `-` are `None`. Text `dd/mm/yyyy` (BE when the
/// year is above 2400), `yyyy-mm-dd` or `yyyymmdd`, any time part ignored; Excel date cells and
/// serial numbers are converted.
pub(crate) fn date(d: &Data) -> Result<Option<i64>, &'static str> {
    const BAD: &str = "not a date (expected dd/mm/yyyy)";
    match d {
        Data::Empty => Ok(None),
        Data::DateTime(dt) => serial_date(dt.as_f64()).map(Some).ok_or(BAD),
        Data::Float(f) => {
            if f.fract() == 0.0 && (1.0..=99_999_999.0).contains(f) {
                number_date(*f as i64).map(Some).ok_or(BAD)
            } else {
                serial_date(*f).map(Some).ok_or(BAD)
            }
        }
        Data::Int(i) => number_date(*i).map(Some).ok_or(BAD),
        Data::String(s) | Data::DateTimeIso(s) => {
            let t = s.trim();
            if t.is_empty() || t == "-" {
                return Ok(None);
            }
            text_date(t).map(Some).ok_or(BAD)
        }
        _ => Err(BAD),
    }
}

/// Text date; if the whole text does not parse, the part before the first space is tried
/// (REP cells carry times such as "08:37:00" or "08.37 น.").
pub(crate) fn text_date(t: &str) -> Option<i64> {
    let d = calendar::parse_date(t).ok().or_else(|| {
        let head = t.split_whitespace().next()?;
        let head = head.split('T').next()?;
        calendar::parse_date(head).ok()
    })?;
    Some(ymd(d))
}

fn number_date(n: i64) -> Option<i64> {
    if (10_000_000..=99_999_999).contains(&n) {
        text_date(&n.to_string())
    } else {
        serial_date(n as f64)
    }
}

/// Excel serial day (1900 date system) to YYYYMMDD.
fn serial_date(f: f64) -> Option<i64> {
    if !(1.0..2_958_466.0).contains(&f) {
        return None;
    }
    let days = f.floor() as i64;
    // Serials before 1 Mar 1900 count Excel's non-existent 29 Feb 1900.
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, if days < 61 { 31 } else { 30 })?;
    let d = base.checked_add_signed(chrono::Duration::days(days))?;
    Some(ymd(d))
}

pub(crate) fn ymd(d: chrono::NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// YYYYMMDD → date, if valid.
pub(crate) fn naive(yyyymmdd: i64) -> Option<chrono::NaiveDate> {
    let y = i32::try_from(yyyymmdd / 10_000).ok()?;
    let m = u32::try_from(yyyymmdd / 100 % 100).ok()?;
    let d = u32::try_from(yyyymmdd % 100).ok()?;
    chrono::NaiveDate::from_ymd_opt(y, m, d)
}

/// Excel column letters: 0 → A, 27 → AB.
pub(crate) fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Splits an error-code cell on `,` `;` and whitespace; `-` is no code.
pub(crate) fn split_codes(s: &str, out: &mut Vec<String>) {
    for tok in s.split([',', ';', ' ', '\t', '\n', '\r', '/']) {
        let tok = tok.trim();
        if tok.is_empty() || tok == "-" {
            continue;
        }
        if !out.iter().any(|c| c == tok) {
            out.push(tok.to_string());
        }
    }
}

/// Words that announce the hospital code in a report-header line.
const HOSPITAL_WORDS: &[&str] = &[
    "หน่วยบริการ",
    "โรงพยาบาล",
    "สถานพยาบาล",
    "รพ.",
    "hcode",
    "hospital",
];

/// The hospital code (the first stand-alone 5-digit number) of the first report-header line
/// before `header_row` that mentions a hospital.
pub(crate) fn find_hcode(sheet: &Sheet<'_>, header_row: u32) -> Option<String> {
    (0..header_row).find_map(|r| {
        let text = sheet.row_text(r);
        let lower = text.to_lowercase();
        if !HOSPITAL_WORDS.iter().any(|w| lower.contains(w)) {
            return None;
        }
        five_digit_token(&text)
    })
}

/// First run of exactly 5 ASCII digits not glued to a date, time or file-name separator.
fn five_digit_token(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let glued = |x: Option<&u8>| matches!(x, Some(b'/' | b':' | b'_' | b'.' | b'-'));
            let before = start.checked_sub(1).and_then(|p| b.get(p));
            if i - start == 5 && !glued(before) && !glued(b.get(i)) {
                return Some(text[start..i].to_string());
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The issue date from "ออกรายงานวันที่ dd/mm/yyyy เวลา hh:mm" in the report header.
pub(crate) fn find_issued(sheet: &Sheet<'_>, header_row: u32) -> Option<i64> {
    (0..header_row).find_map(|r| {
        let text = sheet.row_text(r);
        let pos = text.find("ออกรายงาน")?;
        text[pos..]
            .split_whitespace()
            .find(|w| w.contains('/') && w.bytes().any(|b| b.is_ascii_digit()))
            .and_then(|w| {
                let w = w.trim_matches(|c: char| !c.is_ascii_digit() && c != '/');
                text_date(w)
            })
    })
}

/// The document number from "เลขที่เอกสาร …" in the report header (first word after it that is
/// not a colon).
pub(crate) fn find_doc_no(sheet: &Sheet<'_>, header_row: u32) -> Option<String> {
    (0..header_row).find_map(|r| {
        let text = sheet.row_text(r);
        let pos = text.find("เลขที่เอกสาร")?;
        text[pos + "เลขที่เอกสาร".len()..]
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| c == ':' || c == '[' || c == ']'))
            .find(|w| !w.is_empty())
            .map(|w| strip_extension(w).to_string())
    })
}

/// File name without directories and without a spreadsheet/XML extension.
pub(crate) fn strip_extension(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    for ext in [".xlsx", ".xls", ".xml", ".ecd"] {
        if base.len() > ext.len() && base[base.len() - ext.len()..].eq_ignore_ascii_case(ext) {
            return &base[..base.len() - ext.len()];
        }
    }
    base
}

/// A late flag cell (ล่าช้า): Y/yes/true/ล่าช้า, or a number strictly between 0 and 100 (a
/// percent paid, or 1 as a flag). Empty, `-`, N/no/false, 0 and 100 or more are on time;
/// other text is not taken as late.
pub(crate) fn late_flag(d: &Data) -> bool {
    if let Some(n) = number(d) {
        return n > 0.0 && n < 100.0;
    }
    let t = cell_text(d).trim().to_lowercase();
    ["y", "yes", "t", "true", "late", "ล่าช้า", "*"].contains(&t.as_str())
}

/// A PS cell (percent paid for timeliness): late when below 100 percent. Values up to 1 are
/// read as fractions (0.95 = 95%); 0 or empty means not stated.
pub(crate) fn ps_late(d: &Data) -> bool {
    match number(d) {
        Some(p) if p > 0.0 && p <= 1.0 => p < 1.0,
        Some(p) => p > 1.0 && p < 100.0,
        None => false,
    }
}

/// A numeric cell, or text that is a plain number (a trailing % allowed).
fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Int(i) => Some(*i as f64),
        Data::Float(f) if f.is_finite() => Some(*f),
        Data::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// Rows that carry no line: blank, a section title (a single filled cell), a total
/// ("รวม…"), or a repeat of the column headers. `id_cols` are TRAN_ID, HN and PID: a digit
/// in one of them makes the row a line.
pub(crate) fn is_noise_row(sheet: &Sheet<'_>, row: u32, id_cols: &[usize]) -> bool {
    // Fast path: a TRAN_ID/HN/PID with a digit is a line.
    if id_cols
        .iter()
        .any(|&c| sheet.text(row, c).bytes().any(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let mut filled = 0;
    let mut first: Option<String> = None;
    for c in 0..sheet.end_col() {
        let t = sheet.text(row, c);
        if is_nothing(&t) {
            continue;
        }
        filled += 1;
        if first.is_none() {
            first = Some(t.into_owned());
        }
    }
    match first {
        None => true,
        Some(f) => {
            filled == 1
                || f.starts_with("รวม")
                || f.to_lowercase().starts_with("total")
                || ["tranid", "tran_id", "repno", "rep"].contains(&key(&f).as_str())
        }
    }
}

/// A sub-header row right below the header: none of the identity cells holds a digit.
pub(crate) fn is_subheader_row(sheet: &Sheet<'_>, row: u32, id_cols: &[usize]) -> bool {
    id_cols
        .iter()
        .all(|&c| !sheet.text(row, c).bytes().any(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_half_away() {
        assert_eq!(decimal_text("1,234.50"), Ok(Satang(123_450)));
        assert_eq!(decimal_text("0.30000000000000004"), Ok(Satang(30)));
        assert_eq!(decimal_text("1.005"), Ok(Satang(101)));
        assert_eq!(decimal_text("-1.005"), Ok(Satang(-101)));
        assert_eq!(decimal_text("-0.995"), Ok(Satang(-100)));
        assert_eq!(decimal_text("535192.8600"), Ok(Satang(53_519_286)));
        assert_eq!(decimal_text("(1,000.00)"), Ok(Satang(-100_000)));
        assert!(decimal_text("12a").is_err());
        assert!(decimal_text("1.2x5").is_err());
    }

    #[test]
    fn float_cells() {
        assert_eq!(amount(&Data::Float(1234.5)), Ok(Satang(123_450)));
        assert_eq!(amount(&Data::Float(0.1 + 0.2)), Ok(Satang(30)));
        assert_eq!(amount(&Data::Float(1e-7)), Ok(Satang(0)));
        assert_eq!(amount(&Data::Float(-2.675)), Ok(Satang(-268)));
        assert!(amount(&Data::Float(f64::NAN)).is_err());
        assert!(amount(&Data::Float(1e30)).is_err());
    }

    #[test]
    fn dates_and_letters() {
        assert_eq!(text_date("20/12/2568"), Some(20_251_220));
        assert_eq!(text_date("11/06/2026 08:37:00"), Some(20_260_611));
        assert_eq!(text_date("11/06/2026 08.37 น."), Some(20_260_611));
        assert_eq!(date(&Data::Float(45_000.0)), Ok(Some(20_230_315)));
        assert_eq!(date(&Data::Int(25_680_122)), Ok(Some(20_250_122)));
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(119), "DP");
        assert_eq!(
            five_digit_token("หน่วยบริการ 10670 รพ.ทดสอบ"),
            Some("10670".into())
        );
        assert_eq!(five_digit_token("วันที่ 22/01/2568 12345/6"), None);
    }
}
