//! CSV uploads (positions, trial balances, plans, users, units): UTF-8 with or without a BOM,
//! a header line, columns found by name, every error naming its line.

use crate::{FieldError, StoreError};
use csv::StringRecord;

pub(crate) fn utf8(data: &[u8]) -> Result<&str, StoreError> {
    std::str::from_utf8(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)).map_err(|_| {
        StoreError::field(
            "file",
            "the file is not UTF-8 text (save it as CSV UTF-8)",
            "ไฟล์ไม่ใช่ข้อความ UTF-8 (ให้บันทึกเป็น CSV UTF-8)",
        )
    })
}

/// A CSV upload (UTF-8, BOM allowed) with a header line, read by column name.
pub(crate) struct CsvIn<'a> {
    rdr: csv::Reader<&'a [u8]>,
    headers: Vec<String>,
}

impl<'a> CsvIn<'a> {
    pub(crate) fn open(data: &'a [u8]) -> Result<Self, StoreError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(utf8(data)?.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| {
                StoreError::field(
                    "file",
                    format!("cannot read the header: {e}"),
                    "อ่านหัวตารางไม่ได้",
                )
            })?
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        Ok(CsvIn { rdr, headers })
    }

    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Every data row with its 1-based line number (the header is line 1); a row the reader
    /// cannot read becomes an error of its line in `errs` and is skipped.
    pub(crate) fn records(&mut self, errs: &mut Vec<FieldError>) -> Vec<(usize, StringRecord)> {
        let mut out = Vec::new();
        for (n, rec) in self.rdr.records().enumerate() {
            let line = n + 2;
            match rec {
                Ok(r) => out.push((line, r)),
                Err(e) => errs.push(
                    FieldError::new("file", format!("unreadable row: {e}"), "อ่านแถวนี้ไม่ได้")
                        .at_line(line),
                ),
            }
        }
        out
    }

    pub(crate) fn require(&self, names: &[&str]) -> Result<(), StoreError> {
        let missing: Vec<FieldError> = names
            .iter()
            .filter(|c| self.col(c).is_none())
            .map(|c| {
                FieldError::new(
                    c,
                    format!("column {c} is missing from the header"),
                    format!("ไม่พบคอลัมน์ {c} ในหัวตาราง"),
                )
                .at_line(1)
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(missing))
        }
    }
}
