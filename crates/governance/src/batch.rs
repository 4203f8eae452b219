//! Shared CSV batch plumbing: header lookup, per-row error reports.
//!
//! Batch functions read UTF-8 CSV with a header line (a UTF-8 BOM is ignored; header names match
//! case-insensitively after trimming). Rows with bad values are skipped and reported; the good rows
//! are written. Only a missing/duplicate column or an IO/CSV-structure failure aborts the batch.

use std::io::{Read, Write};

use raidai_domain::text::csv_cell_bytes;
use serde::{Deserialize, Serialize};

/// One problem with one field of one input row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// Physical line number in the input (the header is line 1).
    pub line: u64,
    /// Column name, or `"(row)"` for a problem with the whole row.
    pub field: String,
    /// The offending value as read.
    pub value: String,
    /// What is wrong, in English.
    pub reason: String,
}

/// Outcome of a batch run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReport {
    /// Data rows read (header excluded).
    pub rows_read: usize,
    /// Rows written to the output.
    pub rows_written: usize,
    /// Problems found; each skipped row has at least one.
    pub errors: Vec<RowError>,
}

impl BatchReport {
    /// Rows skipped because of errors.
    pub fn rows_skipped(&self) -> usize {
        self.rows_read - self.rows_written
    }
    /// True when every row was written.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Counts `record` as read and opens its row context. A row whose field count differs from
    /// the header's is reported here and gives `None`: the caller skips it.
    pub(crate) fn start_row<'a>(
        &mut self,
        header: &Header,
        record: &'a csv::ByteRecord,
    ) -> Option<RowCtx<'a>> {
        self.rows_read += 1;
        let line = record.position().map_or(0, |p| p.line());
        let mut ctx = RowCtx::new(line, record);
        if record.len() != header.len() {
            let (want, got) = (header.len(), record.len());
            ctx.error("(row)", "", format!("expected {want} fields, found {got}"));
            self.errors.append(&mut ctx.errors);
            return None;
        }
        Some(ctx)
    }
}

/// A failure that stops a batch.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A required column is not in the header.
    #[error("missing column {column:?} in the input header")]
    MissingColumn {
        /// The column's name.
        column: String,
    },
    /// A column name appears twice in the header.
    #[error("column {column:?} appears more than once in the input header")]
    DuplicateColumn {
        /// The column's name.
        column: String,
    },
    /// The input has no header line.
    #[error("the input is empty (no header line)")]
    EmptyInput,
    /// Reading or writing failed.
    #[error("CSV error: {0}")]
    Csv(#[from] csv::Error),
    /// Flushing the output failed.
    #[error("IO error: {0}")]
    Io(#[from] std::io::Error),
}

pub(crate) fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
}

/// The input header and where each column is.
pub(crate) struct Header {
    pub raw: csv::ByteRecord,
    names: Vec<String>,
}

impl Header {
    pub fn read<R: Read>(reader: &mut csv::Reader<R>) -> Result<Self, BatchError> {
        let raw = reader.byte_headers()?.clone();
        if raw.is_empty() {
            return Err(BatchError::EmptyInput);
        }
        let names: Vec<String> = raw
            .iter()
            .map(|b| normalise(&String::from_utf8_lossy(b)))
            .collect();
        for (i, n) in names.iter().enumerate() {
            if !n.is_empty() && names[..i].contains(n) {
                return Err(BatchError::DuplicateColumn { column: n.clone() });
            }
        }
        Ok(Header { raw, names })
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn find(&self, column: &str) -> Option<usize> {
        let want = normalise(column);
        self.names.iter().position(|n| *n == want)
    }

    pub fn require(&self, column: &str) -> Result<usize, BatchError> {
        self.find(column).ok_or_else(|| BatchError::MissingColumn {
            column: column.to_owned(),
        })
    }

    /// Indexes of the input columns echoed to the output: all but those the batch recomputes.
    pub fn echoed(&self, outputs: &[&str]) -> Vec<usize> {
        let outs: Vec<String> = outputs.iter().map(|o| normalise(o)).collect();
        (0..self.names.len())
            .filter(|&i| !outs.contains(&self.names[i]))
            .collect()
    }
}

pub(crate) fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input)
}

pub(crate) fn writer<W: Write>(output: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .flexible(false)
        .from_writer(output)
}

/// Writes one output record: the `echoed` cells of `input` (the header or a data row), then
/// `computed`; every cell is guarded against spreadsheet formula injection.
pub(crate) fn write_echoed<W: Write>(
    wtr: &mut csv::Writer<W>,
    input: &csv::ByteRecord,
    echoed: &[usize],
    computed: &[impl AsRef<[u8]>],
) -> Result<(), csv::Error> {
    let mut row: Vec<&[u8]> = echoed.iter().map(|&i| &input[i]).collect();
    row.extend(computed.iter().map(AsRef::as_ref));
    wtr.write_record(row.iter().map(|c| csv_cell_bytes(c)))
}

/// Collects the problems of one row while its fields are parsed.
pub(crate) struct RowCtx<'a> {
    pub line: u64,
    pub record: &'a csv::ByteRecord,
    pub errors: Vec<RowError>,
}

impl<'a> RowCtx<'a> {
    pub fn new(line: u64, record: &'a csv::ByteRecord) -> Self {
        RowCtx {
            line,
            record,
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, field: &str, value: &str, reason: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            field: field.to_owned(),
            value: value.to_owned(),
            reason: reason.into(),
        });
    }

    /// The trimmed text of a column; `None` after recording an error for invalid UTF-8.
    pub fn text(&mut self, idx: usize, field: &str) -> Option<String> {
        let bytes = self.record.get(idx).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => Some(s.trim().to_owned()),
            Err(_) => {
                let shown = String::from_utf8_lossy(bytes).into_owned();
                self.error(field, &shown, "not valid UTF-8 (save the file as UTF-8)");
                None
            }
        }
    }

    /// A required value parsed by `parse`; records an error when empty or invalid.
    pub fn required<T, E: std::fmt::Display>(
        &mut self,
        idx: usize,
        field: &str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.text(idx, field)?;
        if text.is_empty() {
            self.error(field, "", format!("{what} is required"));
            return None;
        }
        match parse(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(field, &text, format!("not a valid {what}: {e}"));
                None
            }
        }
    }

    /// An optional value: empty (or absent column) is `Ok(None)`; invalid records an error and
    /// returns `Err(())` so the row is skipped.
    pub fn optional<T, E: std::fmt::Display>(
        &mut self,
        idx: Option<usize>,
        field: &str,
        what: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ()> {
        let Some(idx) = idx else { return Ok(None) };
        let Some(text) = self.text(idx, field) else {
            return Err(());
        };
        if text.is_empty() {
            return Ok(None);
        }
        match parse(&text) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                self.error(field, &text, format!("not a valid {what}: {e}"));
                Err(())
            }
        }
    }
}

/// Parses a finite decimal number (days, percentages, AdjRW).
pub(crate) fn parse_f64(s: &str) -> Result<f64, String> {
    let cleaned = s.replace(',', "");
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("must be a finite number".to_owned()),
        Err(_) => Err("expected a decimal number such as 61.25".to_owned()),
    }
}

/// Parses a yes/no flag: 1/0, true/false, yes/no, y/n, ใช่/ไม่ใช่, ผ่าน/ไม่ผ่าน.
pub(crate) fn parse_flag(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "ใช่" | "ผ่าน" => Ok(true),
        "0" | "false" | "no" | "n" | "ไม่ใช่" | "ไม่ผ่าน" => Ok(false),
        _ => Err("expected 1/0, true/false or yes/no".to_owned()),
    }
}
