//! Text encodings of the 16 files: windows-874 (⊇ TIS-620) for classic e-Claim, UTF-8 for some
//! FDH exporters (DOMAIN §1.1). Both are ASCII-compatible, so `|`, CR, LF and every key, code,
//! date and amount can be read from the raw bytes; only free text needs decoding.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TextEncoding {
    Utf8,
    /// Windows code page 874, a superset of TIS-620.
    Windows874,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows874 => "windows-874",
        }
    }

    /// Accepts the labels callers and FDH forms use (`utf-8`, `windows-874`, `tis-620`, `cp874`).
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        match label.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "windows-874" | "cp874" | "tis-620" | "tis620" | "iso-8859-11" => {
                Some(TextEncoding::Windows874)
            }
            _ => None,
        }
    }

    /// Decodes one line. Returns the text and how many characters in it show a decoding
    /// problem (see [`is_bad_char`]).
    pub fn decode(self, bytes: &[u8]) -> (Cow<'_, str>, u32) {
        if self == TextEncoding::Windows874 {
            // One byte is one character: count the bad ones on the bytes, without walking
            // the decoded text again.
            let bad = if bytes.is_ascii() {
                0
            } else {
                let table = &*WINDOWS_874_BAD;
                bytes.iter().filter(|b| table[usize::from(**b)]).count() as u32
            };
            let text = encoding_rs::WINDOWS_874
                .decode_without_bom_handling(bytes)
                .0;
            return (text, bad);
        }
        let text = match self {
            TextEncoding::Utf8 => String::from_utf8_lossy(bytes),
            TextEncoding::Windows874 => {
                encoding_rs::WINDOWS_874
                    .decode_without_bom_handling(bytes)
                    .0
            }
        };
        let bad = if text.is_ascii() {
            0
        } else {
            text.chars().filter(|c| is_bad_char(*c)).count() as u32
        };
        (text, bad)
    }

    /// Appends `text` in this encoding. Characters windows-874 cannot hold become `?`;
    /// returns how many did.
    pub fn encode_into(self, text: &str, out: &mut Vec<u8>) -> usize {
        match self {
            TextEncoding::Utf8 => {
                out.extend_from_slice(text.as_bytes());
                0
            }
            TextEncoding::Windows874 if text.is_ascii() => {
                out.extend_from_slice(text.as_bytes());
                0
            }
            TextEncoding::Windows874 => {
                let mut unmappable = 0;
                let mut encoder = encoding_rs::WINDOWS_874.new_encoder();
                let mut rest = text;
                loop {
                    out.reserve(rest.len() + 4);
                    let (result, read) =
                        encoder.encode_from_utf8_to_vec_without_replacement(rest, out, true);
                    rest = &rest[read..];
                    match result {
                        encoding_rs::EncoderResult::InputEmpty => break,
                        encoding_rs::EncoderResult::OutputFull => {}
                        encoding_rs::EncoderResult::Unmappable(_) => {
                            unmappable += 1;
                            out.push(b'?');
                        }
                    }
                }
                unmappable
            }
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// U+FFFD, or a C1 control (U+0080–U+009F): windows-874 maps the bytes it does not define in
/// 0x80–0x9F to C1 controls, which is what UTF-8 Thai read as windows-874 mostly produces. No
/// 16-file text legitimately contains either.
/// Bytes that windows-874 decodes to a bad character (see [`is_bad_char`]).
static WINDOWS_874_BAD: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
    let mut t = [false; 256];
    for (b, bad) in t.iter_mut().enumerate() {
        let byte = [b as u8];
        let (text, _) = encoding_rs::WINDOWS_874.decode_without_bom_handling(&byte);
        *bad = text.chars().any(is_bad_char);
    }
    t
});

pub fn is_bad_char(c: char) -> bool {
    c == char::REPLACEMENT_CHARACTER || ('\u{80}'..='\u{9f}').contains(&c)
}

/// How the reader chooses the encoding of each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Sniff each file: strict UTF-8 over the whole file, otherwise windows-874.
    #[default]
    Auto,
    /// The caller says what the files are; lines that contradict it are rejected.
    Declared(TextEncoding),
}

/// What the bytes of a file look like, whatever encoding was used to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Detected {
    /// Only ASCII: both encodings read it the same.
    Ascii,
    Utf8,
    Windows874,
    /// Some lines are UTF-8 and some are not: the minority lines are rejected.
    Mixed,
}

/// Byte class of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineClass {
    Ascii,
    /// Valid UTF-8 with at least one non-ASCII character.
    Utf8,
    /// Not valid UTF-8 (windows-874 Thai text, or garbage).
    NotUtf8,
}

pub(crate) fn classify(bytes: &[u8]) -> LineClass {
    if bytes.is_ascii() {
        LineClass::Ascii
    } else if std::str::from_utf8(bytes).is_ok() {
        LineClass::Utf8
    } else {
        LineClass::NotUtf8
    }
}

/// Counts of line classes over a whole file; decides the file's encoding.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sniff {
    pub utf8_lines: u64,
    pub not_utf8_lines: u64,
}

impl Sniff {
    pub fn add(&mut self, class: LineClass) {
        match class {
            LineClass::Ascii => {}
            LineClass::Utf8 => self.utf8_lines += 1,
            LineClass::NotUtf8 => self.not_utf8_lines += 1,
        }
    }

    pub fn detected(&self) -> Detected {
        match (self.utf8_lines, self.not_utf8_lines) {
            (0, 0) => Detected::Ascii,
            (_, 0) => Detected::Utf8,
            (0, _) => Detected::Windows874,
            _ => Detected::Mixed,
        }
    }

    /// Strict UTF-8 wins when nothing contradicts it; a mixed file is read in the encoding of
    /// the majority of its non-ASCII lines (ties go to windows-874, the e-Claim default).
    pub fn choose(&self) -> TextEncoding {
        if self.not_utf8_lines == 0 || self.utf8_lines > self.not_utf8_lines {
            TextEncoding::Utf8
        } else {
            TextEncoding::Windows874
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_874_bad_bytes_counted_as_decoded_text_shows_them() {
        let all: Vec<u8> = (0..=255u8).collect();
        let (text, bad) = TextEncoding::Windows874.decode(&all);
        assert_eq!(
            bad as usize,
            text.chars().filter(|c| is_bad_char(*c)).count()
        );
        assert!(bad > 0);
        assert_eq!(TextEncoding::Windows874.decode("ยา".as_bytes()).1, 0);
    }

    #[test]
    fn thai_round_trips_through_windows_874() {
        let text = "นาย สมชาย ใจดี|ค่ายา 1,234฿";
        let mut bytes = Vec::new();
        assert_eq!(TextEncoding::Windows874.encode_into(text, &mut bytes), 0);
        assert_eq!(bytes.len(), text.chars().count());
        assert_eq!(classify(&bytes), LineClass::NotUtf8);
        let (back, bad) = TextEncoding::Windows874.decode(&bytes);
        assert_eq!((back.as_ref(), bad), (text, 0));
    }

    #[test]
    fn unmappable_characters_become_question_marks() {
        let mut bytes = Vec::new();
        assert_eq!(TextEncoding::Windows874.encode_into("a漢b", &mut bytes), 1);
        assert_eq!(bytes, b"a?b");
    }

    #[test]
    fn wrong_declared_encoding_is_counted() {
        let mut cp = Vec::new();
        TextEncoding::Windows874.encode_into("สมชาย", &mut cp);
        let (_, bad) = TextEncoding::Utf8.decode(&cp);
        assert!(bad > 0);
        // UTF-8 Thai read as windows-874 hits the unmapped C1 bytes for most letters.
        let (_, bad) = TextEncoding::Windows874.decode("กขค".as_bytes());
        assert!(bad > 0);
    }

    #[test]
    fn sniff_decisions() {
        let mut s = Sniff::default();
        assert_eq!(s.detected(), Detected::Ascii);
        assert_eq!(s.choose(), TextEncoding::Utf8);
        s.add(LineClass::NotUtf8);
        assert_eq!(
            (s.detected(), s.choose()),
            (Detected::Windows874, TextEncoding::Windows874)
        );
        s.add(LineClass::Utf8);
        s.add(LineClass::Utf8);
        assert_eq!(
            (s.detected(), s.choose()),
            (Detected::Mixed, TextEncoding::Utf8)
        );
    }

    #[test]
    fn labels() {
        assert_eq!(
            TextEncoding::from_label("TIS-620"),
            Some(TextEncoding::Windows874)
        );
        assert_eq!(TextEncoding::from_label("utf-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("latin1"), None);
    }
}
