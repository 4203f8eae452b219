//! Identifiers: unit code, Thai citizen ID (with checksum), HN/AN/VN kept as strings.
//!
//! Every identifier keeps its leading zeros: they are significant in HIS databases and in the
//! files exchanged with NHSO (DOMAIN §6.2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text is not a valid identifier. Messages never echo a citizen ID, HN, AN or VN
/// (personal data); only the unit code, which is public, is quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("unit code (HCODE) must be 5 digits, got {0:?}")]
    Hcode(String),
    #[error("citizen ID must have 13 digits")]
    CidLength,
    #[error("citizen ID may contain only digits (dashes and spaces are ignored)")]
    CidDigits,
    #[error("citizen ID check digit does not match")]
    CidChecksum,
    #[error("{kind} must be 1–20 characters without '|' or control characters")]
    Key { kind: &'static str },
}

/// MoPH unit code (รหัสสถานพยาบาล 5 หลัก), e.g. `10670`, `03879`. Serialised as the string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hcode([u8; 5]);

impl Hcode {
    /// Exactly 5 ASCII digits after trimming surrounding whitespace.
    pub fn parse(s: &str) -> Result<Hcode, IdError> {
        let t = s.trim();
        match <[u8; 5]>::try_from(t.as_bytes()) {
            Ok(b) if b.iter().all(u8::is_ascii_digit) => Ok(Hcode(b)),
            _ => Err(IdError::Hcode(t.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for Hcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hcode({})", self.as_str())
    }
}

impl fmt::Display for Hcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Hcode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hcode::parse(s)
    }
}

impl TryFrom<String> for Hcode {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Hcode::parse(&s)
    }
}

impl From<Hcode> for String {
    fn from(h: Hcode) -> String {
        h.as_str().to_string()
    }
}

impl AsRef<str> for Hcode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Thai citizen ID (เลขประจำตัวประชาชน, 13 digits, DOMAIN §6.1).
///
/// Personal data: `Debug` prints only [`Cid::masked`], and there is deliberately no `Display`
/// so that `format!("{cid}")` cannot leak it into a log. Use [`Cid::as_str`] where the full
/// number is required (claim files, NHSO APIs). Serialised as the full 13-digit string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cid([u8; 13]);

impl Cid {
    /// Check digit for the first 12 digits: weights 13..2, `(11 − sum mod 11) mod 10`.
    /// `None` unless given exactly 12 ASCII digits.
    pub fn check_digit(first12: &str) -> Option<u8> {
        let b = first12.as_bytes();
        if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(check_digit_of(b))
    }

    /// Accepts 13 digits, optionally grouped with dashes or spaces ("1-2345-67890-12-1").
    pub fn parse(s: &str) -> Result<Cid, IdError> {
        // The usual form, 13 plain digits, without walking characters.
        if let Ok(d) = <[u8; 13]>::try_from(s.as_bytes())
            && d.iter().all(u8::is_ascii_digit)
        {
            if d[12] - b'0' != check_digit_of(&d[..12]) {
                return Err(IdError::CidChecksum);
            }
            return Ok(Cid(d));
        }
        let mut digits = [0u8; 13];
        let mut n = 0usize;
        for c in s.chars().filter(|&c| c != '-' && !c.is_whitespace()) {
            if !c.is_ascii_digit() {
                return Err(IdError::CidDigits);
            }
            if n < 13 {
                digits[n] = c as u8;
            }
            n += 1;
        }
        if n != 13 {
            return Err(IdError::CidLength);
        }
        if digits[12] - b'0' != check_digit_of(&digits[..12]) {
            return Err(IdError::CidChecksum);
        }
        Ok(Cid(digits))
    }

    /// Completes 12 digits with their check digit (for the synthetic data generator).
    pub fn from_first12(first12: &str) -> Result<Cid, IdError> {
        let b = first12.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return Err(IdError::CidDigits);
        }
        let check = Cid::check_digit(first12).ok_or(IdError::CidLength)?;
        let mut digits = [0u8; 13];
        digits[..12].copy_from_slice(b);
        digits[12] = b'0' + check;
        Ok(Cid(digits))
    }

    /// The full 13 digits. Personal data: do not log.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// `1-2345-xxxxx-xx-1`: enough to tell records apart on screen, not enough to identify.
    pub fn masked(&self) -> String {
        let d = self.as_str();
        format!("{}-{}-xxxxx-xx-{}", &d[0..1], &d[1..5], &d[12..13])
    }

    /// The number without leading zeros, as HOSxP "MakeShortCID" sends it to some NHSO APIs.
    pub fn short_form(&self) -> &str {
        let t = self.as_str().trim_start_matches('0');
        if t.is_empty() { "0" } else { t }
    }
}

/// Personal data as a unit's files give it: a citizen ID that may fail its check digit (the
/// visit is kept with a finding), a patient's name. `Debug` prints it masked and there is no
/// `Display`, so a row printed into a log or a panic message does not carry it; `as_str` gives
/// the whole text where it is needed (claim files, matching a return line). Serialised as the
/// plain string.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personal(String);

impl Personal {
    pub fn new(text: impl Into<String>) -> Self {
        Personal(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a list shows it: a citizen ID as [`mask_cid`], words as [`mask_name`].
    pub fn masked(&self) -> String {
        if self.0.chars().any(char::is_whitespace) || !self.0.is_ascii() {
            mask_name(&self.0)
        } else {
            mask_cid(&self.0)
        }
    }
}

impl fmt::Debug for Personal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Personal({:?})", self.masked())
    }
}

impl From<String> for Personal {
    fn from(s: String) -> Self {
        Personal(s)
    }
}

impl From<&str> for Personal {
    fn from(s: &str) -> Self {
        Personal(s.to_string())
    }
}

/// `1-2345-xxxxx-xx-1` for a citizen ID; other IDs keep their first and last two characters.
pub fn mask_cid(raw: &str) -> String {
    if let Ok(c) = Cid::parse(raw) {
        return c.masked();
    }
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() <= 4 {
        return "x".repeat(chars.len());
    }
    let mut s: String = chars[..2].iter().collect();
    s.push_str(&"x".repeat(chars.len() - 4));
    s.extend(&chars[chars.len() - 2..]);
    s
}

/// First character of each word, the rest masked: `สมชาย ใจดี` → `ส**** ใ***`.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => {
                    let mut s = c.to_string();
                    s.push_str(&"*".repeat(cs.count()));
                    s
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_digit_of(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .zip((2..=13u32).rev())
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    ((11 - sum % 11) % 10) as u8
}

impl fmt::Debug for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cid({})", self.masked())
    }
}

impl FromStr for Cid {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cid::parse(s)
    }
}

impl TryFrom<String> for Cid {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Cid::parse(&s)
    }
}

impl From<Cid> for String {
    fn from(c: Cid) -> String {
        c.as_str().to_string()
    }
}

/// Shared rule for hospital-local keys: trimmed, 1–20 characters, no '|' (the 16-file field
/// separator) and no control characters. Nothing else is imposed because formats vary by HIS.
fn parse_key(s: &str, kind: &'static str) -> Result<String, IdError> {
    let t = s.trim();
    let bad = if t.is_ascii() {
        // Keys are nearly always ASCII: one pass over the bytes.
        t.len() > 20 || t.bytes().any(|b| b == b'|' || b.is_ascii_control())
    } else {
        t.chars().count() > 20 || t.chars().any(|c| c == '|' || c.is_control())
    };
    if t.is_empty() || bad {
        return Err(IdError::Key { kind });
    }
    Ok(t.to_string())
}

macro_rules! key_type {
    ($name:ident, $kind:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<$name, IdError> {
                parse_key(s, $kind).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(k: $name) -> String {
                k.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

key_type!(
    Hn,
    "HN",
    "Hospital number, hospital-local; leading zeros are significant."
);
key_type!(
    An,
    "AN",
    "Admission number (BE year prefix + running number, or e.g. `ODS…` for one-day surgery)."
);
key_type!(
    Vn,
    "VN",
    "Visit number (HOSxP: BE yymmddhhmmss), used as SEQ in the 16 files."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_prints_masked() {
        let cid = Personal::from("1234567890121");
        assert_eq!(format!("{cid:?}"), "Personal(\"1-2345-xxxxx-xx-1\")");
        assert_eq!(cid.as_str(), "1234567890121");
        let name = Personal::from("นาย สมชาย ใจดี");
        assert!(!format!("{name:?}").contains("สมชาย"));
        // A CID failing its check digit is still masked.
        assert!(!format!("{:?}", Personal::from("1234567890122")).contains("567890"));
        assert_eq!(serde_json::to_string(&cid).unwrap(), "\"1234567890121\"");
    }
    use proptest::prelude::*;

    const VALID: &str = "1234567890121";

    #[test]
    fn hcode_keeps_leading_zeros() {
        let h = Hcode::parse(" 03879 ").unwrap();
        assert_eq!(h.as_str(), "03879");
        assert_eq!(h.to_string(), "03879");
        assert_eq!(format!("{h:?}"), "Hcode(03879)");
        assert_eq!("10670".parse::<Hcode>().unwrap().as_str(), "10670");
        for bad in ["3879", "1070a", "106700", "", "๑๐๖๗๐", "10 67"] {
            assert!(Hcode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(IdError::Hcode("3879".into()).to_string().contains("3879"));
    }

    #[test]
    fn cid_checksum_known_values() {
        assert_eq!(Cid::check_digit("123456789012"), Some(1));
        assert_eq!(Cid::check_digit("12345678901"), None);
        assert_eq!(Cid::check_digit("12345678901x"), None);
        assert!(Cid::parse(VALID).is_ok());
        assert_eq!(Cid::parse("1-2345-67890-12-1").unwrap().as_str(), VALID);
        assert_eq!(Cid::parse(" 1 2345 67890 12 1 ").unwrap().as_str(), VALID);
        assert_eq!(Cid::parse("1234567890122"), Err(IdError::CidChecksum));
        assert_eq!(Cid::parse("123456789012"), Err(IdError::CidLength));
        assert_eq!(Cid::parse("12345678901211"), Err(IdError::CidLength));
        assert_eq!(Cid::parse(""), Err(IdError::CidLength));
        assert_eq!(Cid::parse("12345678901x1"), Err(IdError::CidDigits));
        // The all-zero dummy used in NHSO test calls is not a valid ID (check digit would be 1).
        assert_eq!(Cid::parse("0000000000000"), Err(IdError::CidChecksum));
        assert_eq!(
            Cid::from_first12("000000000000").unwrap().as_str(),
            "0000000000001"
        );
        assert_eq!(Cid::from_first12("12345678901"), Err(IdError::CidLength));
        assert_eq!(Cid::from_first12("12345678901a"), Err(IdError::CidDigits));
    }

    #[test]
    fn cid_never_leaks_through_debug_errors_or_short_form() {
        let c = Cid::parse(VALID).unwrap();
        assert_eq!(c.masked(), "1-2345-xxxxx-xx-1");
        assert_eq!(format!("{c:?}"), "Cid(1-2345-xxxxx-xx-1)");
        assert_eq!(format!("{:?}", Some(c)), "Some(Cid(1-2345-xxxxx-xx-1))");
        for e in [
            Cid::parse("1234567890122"),
            Cid::parse("123456789012"),
            Cid::parse("12345678901x1"),
        ] {
            assert!(!e.unwrap_err().to_string().contains("6789"));
        }
        assert_eq!(
            Cid::from_first12("001234567890")
                .unwrap()
                .short_form()
                .len(),
            11
        );
    }

    #[test]
    fn cid_serde_is_the_full_string() {
        // serde_json is not a dependency of this crate; check the conversions serde uses.
        let c = Cid::parse(VALID).unwrap();
        assert_eq!(String::from(c), VALID);
        assert_eq!(Cid::try_from(VALID.to_string()), Ok(c));
        assert!(Cid::try_from("1234567890122".to_string()).is_err());
    }

    #[test]
    fn cid_checksum_blind_spots() {
        // Weight 11 (third digit) is 0 mod 11: changing it is never detected.
        assert!(Cid::parse("1234567890121").is_ok());
        assert!(Cid::parse("1294567890121").is_ok());
        // Weighted sums ≡ 0 and ≡ 10 (mod 11) share check digit 1: sum 0 here, and +1 at weight
        // 10 (fourth digit) makes it 10, yet both are valid.
        assert!(Cid::parse("0000000000001").is_ok());
        assert!(Cid::parse("0001000000001").is_ok());
    }

    #[test]
    fn keys_keep_zeros_and_refuse_separators() {
        assert_eq!(Hn::parse("000123456").unwrap().as_str(), "000123456");
        assert_eq!(Hn::parse(" 0258981 ").unwrap().to_string(), "0258981");
        assert_eq!(
            An::parse("ODS6812152123").unwrap().as_str(),
            "ODS6812152123"
        );
        assert!(Vn::parse("690611083713").is_ok());
        assert!(Hn::parse("12|3").is_err());
        assert!(Hn::parse("12\t3").is_err());
        assert!(An::parse("").is_err());
        assert!(An::parse("   ").is_err());
        assert!(Vn::parse(&"1".repeat(21)).is_err());
        assert!(Vn::parse(&"1".repeat(20)).is_ok());
        assert_eq!(
            Hn::parse("").unwrap_err().to_string(),
            "HN must be 1–20 characters without '|' or control characters"
        );
        assert_eq!("0001".parse::<Hn>().unwrap(), Hn::parse("0001").unwrap());
    }

    proptest! {
        #[test]
        fn generated_cids_are_valid(first in "[0-9]{12}") {
            let c = Cid::from_first12(&first).unwrap();
            prop_assert_eq!(&c.as_str()[..12], first.as_str());
            prop_assert_eq!(Cid::parse(c.as_str()), Ok(c));
        }

        /// A single-digit change is caught except in the two blind spots of this checksum:
        /// the third digit (weight 11 ≡ 0 mod 11), and changes that move the weighted sum between
        /// residues 0 and 10, which both give check digit 1.
        #[test]
        fn single_digit_change_breaks_validity(first in "[0-9]{12}", pos in 0usize..13, delta in 1u8..10) {
            let c = Cid::from_first12(&first).unwrap();
            let mut b = c.as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(b).unwrap();
            let residue = |s: &str| -> u32 {
                s.bytes().take(12).zip((2..=13u32).rev()).map(|(d, w)| u32::from(d - b'0') * w).sum::<u32>() % 11
            };
            let blind = pos == 2
                || (pos < 12 && {
                    let (r1, r2) = (residue(c.as_str()), residue(&changed));
                    (r1 == 0 && r2 == 10) || (r1 == 10 && r2 == 0)
                });
            prop_assert_eq!(Cid::parse(&changed).is_ok(), blind);
        }

        #[test]
        fn masked_hides_digits_6_to_12(first in "[0-9]{12}") {
            let c = Cid::from_first12(&first).unwrap();
            let m = c.masked();
            let visible: String = m.chars().filter(char::is_ascii_digit).collect();
            let d = c.as_str();
            prop_assert_eq!(visible, format!("{}{}", &d[..5], &d[12..]));
            let debug = format!("{:?}", c);
            prop_assert!(!debug.contains(&d[5..12]));
        }

        #[test]
        fn keys_round_trip(s in "[0-9A-Za-z]{1,20}") {
            let hn = Hn::parse(&s).unwrap();
            prop_assert_eq!(hn.as_str(), s.as_str());
        }
    }
}
