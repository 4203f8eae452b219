//! Cell values as NHSO writes them: amounts, dates and codes in numeric or text cells, `-`
//! for nothing, report headers above the column headers. Shared by the REP and STM readers.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range as Span;

use calamine::DataRef;
use chrono::Datelike;
use raidai_domain::calendar;
use raidai_domain::money::Satang;

use crate::error::ReturnsError;
use crate::sheet::{Row, SheetRows, Top};

/// How many rows from the top are searched for the column header row.
pub(crate) const HEADER_SEARCH_ROWS: u32 = 15;

/// Column headers found by name, with groups (a header cell spanning sub-columns whose names
/// are in the rows below, e.g. `Deny` over HC, AE, INST…).
pub(crate) struct Header {
    by_key: HashMap<String, usize>,
    groups: HashMap<String, Span<usize>>,
    names: Vec<String>,
}

impl Header {
    /// Reads the header row and the `sub_rows` rows below it.
    pub fn read(top: &Top<'_>, row: u32, sub_rows: u32) -> Header {
        let rows: Vec<Row<'_>> = (row..=row + sub_rows).map(|r| top.row(r)).collect();
        let width = rows.iter().map(Row::end_col).max().unwrap_or(0);
        let mut by_key = HashMap::new();
        let mut groups: HashMap<String, Span<usize>> = HashMap::new();
        let mut names = Vec::with_capacity(width);
        let mut current: Option<String> = None;
        for c in 0..width {
            let name = collapse_spaces(&rows[0].text(c));
            let has_sub = rows[1..].iter().any(|r| !r.text(c).trim().is_empty());
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
pub(crate) fn cell_text<'a>(d: &'a DataRef<'_>) -> Cow<'a, str> {
    match d {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) => Cow::Borrowed(s.trim()),
        DataRef::SharedString(s) => Cow::Borrowed(s.trim()),
        DataRef::Int(i) => Cow::Owned(i.to_string()),
        DataRef::Float(f) => Cow::Owned(float_text(*f)),
        DataRef::Bool(b) => Cow::Owned(b.to_string()),
        DataRef::DateTime(dt) => Cow::Owned(float_text(dt.as_f64())),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cow::Borrowed(s.trim()),
        DataRef::Error(e) => Cow::Owned(format!("#{e:?}")),
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
pub(crate) fn id_text(d: &DataRef<'_>) -> String {
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
pub(crate) fn amount(d: &DataRef<'_>) -> Result<Satang, &'static str> {
    match d {
        DataRef::Empty => Ok(Satang::ZERO),
        DataRef::Int(i) => i.checked_mul(100).map(Satang).ok_or("amount is too large"),
        DataRef::Float(f) => {
            if !f.is_finite() {
                return Err("not a number");
            }
            decimal_text(&float_text(*f))
        }
        DataRef::String(_) | DataRef::SharedString(_) | DataRef::DateTimeIso(_) => {
            let t = text_of(d).trim();
            if t.is_empty() || t == "-" {
                return Ok(Satang::ZERO);
            }
            decimal_text(t)
        }
        DataRef::Bool(_) => Err("a true/false cell is not an amount"),
        DataRef::DateTime(_) | DataRef::DurationIso(_) => Err("a date cell is not an amount"),
        DataRef::Error(_) => Err("the cell holds an Excel error"),
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
pub(crate) fn date(d: &DataRef<'_>) -> Result<Option<i64>, &'static str> {
    const BAD: &str = "not a date (expected dd/mm/yyyy)";
    match d {
        DataRef::Empty => Ok(None),
        DataRef::DateTime(dt) => serial_date(dt.as_f64()).map(Some).ok_or(BAD),
        DataRef::Float(f) => {
            if f.fract() == 0.0 && (1.0..=99_999_999.0).contains(f) {
                number_date(*f as i64).map(Some).ok_or(BAD)
            } else {
                serial_date(*f).map(Some).ok_or(BAD)
            }
        }
        DataRef::Int(i) => number_date(*i).map(Some).ok_or(BAD),
        DataRef::String(_) | DataRef::SharedString(_) | DataRef::DateTimeIso(_) => {
            let t = text_of(d).trim();
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
pub(crate) fn find_hcode(top: &Top<'_>, header_row: u32) -> Option<String> {
    (0..header_row).find_map(|r| {
        let text = top.row(r).row_text();
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
pub(crate) fn find_issued(top: &Top<'_>, header_row: u32) -> Option<i64> {
    (0..header_row).find_map(|r| {
        let text = top.row(r).row_text();
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
pub(crate) fn find_doc_no(top: &Top<'_>, header_row: u32) -> Option<String> {
    (0..header_row).find_map(|r| {
        let text = top.row(r).row_text();
        let pos = text.find("เลขที่เอกสาร")?;
        text[pos + "เลขที่เอกสาร".len()..]
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| c == ':' || c == '[' || c == ']'))
            .find(|w| !w.is_empty())
            .map(|w| strip_extension(w).to_string())
    })
}

/// A non-empty run of ASCII digits (a code or date part of a file name).
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
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
pub(crate) fn late_flag(d: &DataRef<'_>) -> bool {
    if let Some(n) = number(d) {
        return n > 0.0 && n < 100.0;
    }
    let t = cell_text(d).trim().to_lowercase();
    ["y", "yes", "t", "true", "late", "ล่าช้า", "*"].contains(&t.as_str())
}

/// A PS cell (percent paid for timeliness): late when below 100 percent. Values up to 1 are
/// read as fractions (0.95 = 95%); 0 or empty means not stated.
pub(crate) fn ps_late(d: &DataRef<'_>) -> bool {
    match number(d) {
        Some(p) if p > 0.0 && p <= 1.0 => p < 1.0,
        Some(p) => p > 1.0 && p < 100.0,
        None => false,
    }
}

/// A numeric cell, or text that is a plain number (a trailing % allowed).
fn number(d: &DataRef<'_>) -> Option<f64> {
    match d {
        DataRef::Int(i) => Some(*i as f64),
        DataRef::Float(f) if f.is_finite() => Some(*f),
        DataRef::String(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok(),
        DataRef::SharedString(s) => s.trim().trim_end_matches('%').trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// The text of a text cell (inline, shared or ISO date/duration text); "" for other cells.
pub(crate) fn text_of<'a>(d: &'a DataRef<'_>) -> &'a str {
    match d {
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s,
        DataRef::SharedString(s) => s,
        _ => "",
    }
}

/// Rows that carry no line: blank, a section title (a single filled cell), a total
/// ("รวม…"), or a repeat of the column headers. `id_cols` are TRAN_ID, HN and PID: a digit
/// in one of them makes the row a line.
pub(crate) fn is_noise_row(row: &Row<'_>, id_cols: &[usize]) -> bool {
    // Fast path: a TRAN_ID/HN/PID with a digit is a line.
    if id_cols
        .iter()
        .any(|&c| row.text(c).bytes().any(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let mut filled = 0;
    let mut first: Option<String> = None;
    for c in 0..row.end_col() {
        let t = row.text(c);
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
pub(crate) fn is_subheader_row(row: &Row<'_>, id_cols: &[usize]) -> bool {
    id_cols
        .iter()
        .all(|&c| !row.text(c).bytes().any(|b| b.is_ascii_digit()))
}

/// The column-header row (and its first column) of a REP or STM line sheet.
pub(crate) fn line_header_row(
    top: &Top<'_>,
    file_name: &str,
    sheet_name: &str,
) -> Result<(u32, usize), ReturnsError> {
    top.find_header_row(&["TRAN_ID", "REP No.", "REP"])
        .ok_or_else(|| ReturnsError::NoHeaderRow {
            file_name: file_name.to_string(),
            sheet: sheet_name.to_string(),
            searched: HEADER_SEARCH_ROWS,
        })
}

/// The hospital code of the report header, which must be the one the file name gives.
pub(crate) fn header_hcode(
    top: &Top<'_>,
    header_row: u32,
    file_name: &str,
    name_hcode: &str,
) -> Result<String, ReturnsError> {
    let hcode = find_hcode(top, header_row).ok_or_else(|| ReturnsError::MissingHospitalCode {
        file_name: file_name.to_string(),
    })?;
    if hcode != name_hcode {
        return Err(ReturnsError::HospitalMismatch {
            file_name: file_name.to_string(),
            name_hcode: name_hcode.to_string(),
            header_hcode: hcode,
        });
    }
    Ok(hcode)
}

/// Feeds `take` every line row below `header_row`: the rows already in `top`, then the rest of
/// the sheet. Sub-header rows right below the header and noise rows are skipped.
pub(crate) fn for_each_line_row(
    top: &Top<'_>,
    rows: &mut SheetRows<'_>,
    header_row: u32,
    id_cols: &[usize],
    mut take: impl FnMut(Row<'_>),
) {
    let mut in_subheader = true;
    let mut filter = |row: Row<'_>| {
        if in_subheader && row.index <= header_row + 3 && is_subheader_row(&row, id_cols) {
            return;
        }
        in_subheader = false;
        if is_noise_row(&row, id_cols) {
            return;
        }
        take(row);
    };
    top.rows_after(header_row).for_each(&mut filter);
    while let Some(row) = rows.next_row() {
        filter(row);
    }
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
        assert_eq!(amount(&DataRef::Float(1234.5)), Ok(Satang(123_450)));
        assert_eq!(amount(&DataRef::Float(0.1 + 0.2)), Ok(Satang(30)));
        assert_eq!(amount(&DataRef::Float(1e-7)), Ok(Satang(0)));
        assert_eq!(amount(&DataRef::Float(-2.675)), Ok(Satang(-268)));
        assert!(amount(&DataRef::Float(f64::NAN)).is_err());
        assert!(amount(&DataRef::Float(1e30)).is_err());
    }

    #[test]
    fn dates_and_letters() {
        assert_eq!(text_date("20/12/2568"), Some(20_251_220));
        assert_eq!(text_date("11/06/2026 08:37:00"), Some(20_260_611));
        assert_eq!(text_date("11/06/2026 08.37 น."), Some(20_260_611));
        assert_eq!(date(&DataRef::Float(45_000.0)), Ok(Some(20_230_315)));
        assert_eq!(date(&DataRef::Int(25_680_122)), Ok(Some(20_250_122)));
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
