//! Text safety rules shared by every writer: CSV cells a spreadsheet would run as a formula,
//! and the invisible direction controls that disguise a file name.

use std::borrow::Cow;

/// Neutralises a CSV cell that a spreadsheet would evaluate (OWASP "CSV injection"): a cell
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
/// Excel and LibreOffice show as text. Plain numbers (`-12.50`, `+3`) are left alone so
/// that negative amounts stay numbers.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    match csv_cell_bytes(cell.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(cell),
        Cow::Owned(b) => Cow::Owned(String::from_utf8(b).expect("a prefix keeps UTF-8 valid")),
    }
}

/// [`csv_cell`] on raw bytes (cells of any encoding; the triggers are ASCII).
pub fn csv_cell_bytes(cell: &[u8]) -> Cow<'_, [u8]> {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if !risky || is_plain_number(cell) {
        return Cow::Borrowed(cell);
    }
    let mut out = Vec::with_capacity(cell.len() + 1);
    out.push(b'\'');
    out.extend_from_slice(cell);
    Cow::Owned(out)
}

/// `[+-]digits[.digits]` with at least one digit, and nothing else.
fn is_plain_number(cell: &[u8]) -> bool {
    let body = match cell.first() {
        Some(b'+' | b'-') => &cell[1..],
        _ => cell,
    };
    let mut parts = body.splitn(2, |&b| b == b'.');
    let int = parts.next().unwrap_or_default();
    let frac = parts.next().unwrap_or_default();
    !(int.is_empty() && frac.is_empty())
        && int.iter().all(u8::is_ascii_digit)
        && frac.iter().all(u8::is_ascii_digit)
}

/// Whether `c` is a bidirectional embedding, override or isolate control (U+202A–U+202E,
/// U+2066–U+2069): invisible characters that make `invoice<U+202E>fdp.exe` read as `invoiceexe.pdf`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name as it is stored and shown: bidi controls and other control characters removed.
pub fn clean_file_name(name: &str) -> String {
    name.chars()
        .filter(|&c| !is_bidi_control(c) && !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        for (input, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(1+1)*cmd", "'@SUM(1+1)*cmd"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-.", "'-."),
            ("-12.50", "-12.50"),
            ("+3", "+3"),
            ("-.5", "-.5"),
            ("1.2.3", "1.2.3"),
            ("โรงพยาบาล", "โรงพยาบาล"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(csv_cell(input), want, "{input:?}");
        }
    }

    #[test]
    fn bidi_controls_are_removed_from_file_names() {
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("a\u{2066}b\u{2069}\u{0007}.zip"), "ab.zip");
        assert_eq!(clean_file_name("แฟ้ม OPD.txt"), "แฟ้ม OPD.txt");
    }
}
