//! Reading the TSV tables compiled into the crate (`data/*.tsv`).

/// The data rows of an embedded table, each split at tabs: the header line and blank lines are
/// skipped.
pub(crate) fn tsv_rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// Field `i` of a row, trimmed; empty when the row is shorter.
pub(crate) fn field(row: &[&str], i: usize) -> String {
    row.get(i).map(|s| s.trim().to_string()).unwrap_or_default()
}
