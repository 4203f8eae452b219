//! NHSO e-Claim error codes (DOMAIN §2.1) as data: type C (Corrective: fix and resend),
//! D (Deny: not paid) or V (Verify: paid subject to an audit that asks for documents).
//!
//! The built-in table (`data/nhso_error_codes.tsv`) holds the codes DOMAIN names and a few more
//! common ones whose meaning is confirmed; a province loads the full NHSO list with
//! [`ErrorCodes::parse_tsv_or_csv`] and combines it with [`ErrorCodes::merged`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The type of an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CodeType {
    /// แก้ไขแล้วส่งใหม่ได้ (ติด C).
    Corrective,
    /// ปฏิเสธการจ่าย (ติด Deny).
    Deny,
    /// จ่ายแต่ต้องส่งเอกสารให้ตรวจสอบ.
    Verify,
}

impl CodeType {
    /// One-letter form used in the table: C, D, V.
    pub fn letter(self) -> &'static str {
        match self {
            CodeType::Corrective => "C",
            CodeType::Deny => "D",
            CodeType::Verify => "V",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CodeType::Corrective => "corrective",
            CodeType::Deny => "deny",
            CodeType::Verify => "verify",
        }
    }

    /// Reads C/D/V or the words used by NHSO's own list (Corrective, Deny, Verify).
    /// An empty type is Corrective: like an unknown code, it still needs looking at.
    fn parse(s: &str) -> Option<CodeType> {
        match s.trim().to_ascii_lowercase().as_str() {
            "c" | "corrective" | "" => Some(CodeType::Corrective),
            "d" | "deny" => Some(CodeType::Deny),
            "v" | "verify" => Some(CodeType::Verify),
            _ => None,
        }
    }
}

/// One error code with its meaning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ErrorCode {
    pub code: String,
    pub kind: CodeType,
    /// Meaning in Thai.
    pub th: String,
    /// Meaning in English.
    pub en: String,
    /// How to fix, in Thai.
    pub fix_th: String,
}

/// A problem in an error-code table, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error-code table line {line}: {message}")]
pub struct CodesError {
    pub line: usize,
    pub message: String,
    pub message_th: String,
}

/// A table of error codes, keyed by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorCodes {
    codes: BTreeMap<String, ErrorCode>,
}

const BUILTIN_TSV: &str = include_str!("../data/nhso_error_codes.tsv");

impl ErrorCodes {
    /// The table shipped with raidai.
    pub fn builtin() -> &'static ErrorCodes {
        static TABLE: OnceLock<ErrorCodes> = OnceLock::new();
        TABLE.get_or_init(|| {
            // The shipped file is checked by a test; a broken build must not start.
            ErrorCodes::parse_tsv_or_csv(BUILTIN_TSV)
                .unwrap_or_else(|e| panic!("built-in nhso_error_codes.tsv is invalid: {e}"))
        })
    }

    /// Reads a table with the header `code,type,th,en,fix_th` (tab- or comma-separated; CSV
    /// fields may be quoted with `"`). `en` and `fix_th` may be missing or empty. Type is C, D,
    /// V or Corrective/Deny/Verify. A later row for the same code replaces an earlier one.
    pub fn parse_tsv_or_csv(text: &str) -> Result<ErrorCodes, CodesError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err = |line: usize, message: String, message_th: String| CodesError {
            line,
            message,
            message_th,
        };
        let mut rows = records(text);
        let Some((hline, header)) = rows.next() else {
            return Err(err(
                1,
                "empty table: expected the header code,type,th,en,fix_th".into(),
                "ตารางว่าง: ต้องมีหัวตาราง code,type,th,en,fix_th".into(),
            ));
        };
        let header = header.map_err(|m| err(hline, m.to_string(), m.to_string()))?;
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(c_code), Some(c_type), Some(c_th)) = (col("code"), col("type"), col("th")) else {
            return Err(err(
                hline,
                "header must name the columns code, type and th (and optionally en, fix_th)".into(),
                "หัวตารางต้องมีคอลัมน์ code, type และ th (en, fix_th ไม่บังคับ)".into(),
            ));
        };
        let (c_en, c_fix) = (col("en"), col("fix_th"));
        let mut codes = BTreeMap::new();
        for (line, rec) in rows {
            let rec = rec.map_err(|m| err(line, m.to_string(), "เครื่องหมายคำพูดไม่ครบคู่".into()))?;
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map_or("", |s| s.trim());
            let code = get(Some(c_code));
            if code.is_empty() {
                return Err(err(line, "code is empty".into(), "ไม่มีรหัส (code)".into()));
            }
            let ty = get(Some(c_type));
            let kind = CodeType::parse(ty).ok_or_else(|| {
                err(
                    line,
                    format!("code {code}: type \"{ty}\" is not C, D or V"),
                    format!("รหัส {code}: ประเภท \"{ty}\" ไม่ใช่ C, D หรือ V"),
                )
            })?;
            codes.insert(
                code.to_string(),
                ErrorCode {
                    code: code.to_string(),
                    kind,
                    th: get(Some(c_th)).to_string(),
                    en: get(c_en).to_string(),
                    fix_th: get(c_fix).to_string(),
                },
            );
        }
        Ok(ErrorCodes { codes })
    }

    pub fn get(&self, code: &str) -> Option<&ErrorCode> {
        self.codes.get(code.trim())
    }

    pub fn kind_of(&self, code: &str) -> Option<CodeType> {
        self.get(code).map(|c| c.kind)
    }

    /// This table with `other`'s rows added; `other` wins where both have a code.
    pub fn merged(&self, other: &ErrorCodes) -> ErrorCodes {
        let mut codes = self.codes.clone();
        codes.extend(other.codes.iter().map(|(k, v)| (k.clone(), v.clone())));
        ErrorCodes { codes }
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ErrorCode> {
        self.codes.values()
    }
}

/// Splits text into records: tab-separated when the first line has a tab, else CSV with `"`
/// quoting (quoted fields may span lines). Yields the 1-based line where each record starts.
fn records(text: &str) -> impl Iterator<Item = (usize, Result<Vec<String>, &'static str>)> + '_ {
    let tab = text.lines().next().is_some_and(|l| l.contains('\t'));
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    std::iter::from_fn(move || {
        chars.peek()?;
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut at_field_start = true;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Some((start, Err("a quoted field is not closed")));
                }
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if !tab && at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                '\t' if tab => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                ',' if !tab => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\r' => {}
                '\n' => {
                    line += 1;
                    break;
                }
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        fields.push(field);
        Some((start, Ok(fields)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_lines() {
        let t = "code,type,th,en,fix_th\n\"300\",C,\"a, b\",x,\"multi\nline\"\n301,Deny,c,,\n";
        let c = ErrorCodes::parse_tsv_or_csv(t).unwrap();
        assert_eq!(c.get("300").unwrap().th, "a, b");
        assert_eq!(c.get("300").unwrap().fix_th, "multi\nline");
        assert_eq!(c.kind_of("301"), Some(CodeType::Deny));
        let bad = "code,type,th\n1,C,x\n\n2,Q,y\n";
        assert_eq!(ErrorCodes::parse_tsv_or_csv(bad).unwrap_err().line, 4);
    }
}
