//! Money as integer satang (1 baht = 100 satang).
//!
//! Amounts are never held as floating point: claims, statements and ledgers must balance
//! to the satang, and the files exchanged with NHSO/FDH carry exactly two decimals.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// An amount of money in satang. Serialises as the plain integer number of satang.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Satang(pub i64);

/// Why a text could not be read as an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty amount: expected a number of baht such as \"1,234.50\"")]
    Empty,
    #[error("invalid amount \"{value}\": {reason}")]
    Invalid { value: String, reason: &'static str },
    #[error("invalid amount \"{0}\": more than 2 decimal places (satang)")]
    TooManyDecimals(String),
    #[error("amount \"{0}\" is too large")]
    Overflow(String),
}

impl Satang {
    pub const ZERO: Satang = Satang(0);
    pub const MAX: Satang = Satang(i64::MAX);
    pub const MIN: Satang = Satang(i64::MIN);

    /// Whole baht. Panics on overflow (beyond ±92 quadrillion baht), which no real amount reaches.
    pub const fn from_baht(baht: i64) -> Satang {
        match baht.checked_mul(100) {
            Some(s) => Satang(s),
            None => panic!("Satang::from_baht overflow"),
        }
    }

    /// Baht and satang parts of the same sign, e.g. `from_parts(12, 50)` = 12.50 baht.
    pub fn checked_from_parts(baht: i64, satang: i64) -> Option<Satang> {
        baht.checked_mul(100)?.checked_add(satang).map(Satang)
    }

    /// Rounds a floating-point number of baht (e.g. an Excel cell) to the nearest satang,
    /// halves away from zero. `None` for NaN, infinities and out-of-range values.
    pub fn from_baht_f64(baht: f64) -> Option<Satang> {
        let s = (baht * 100.0).round();
        // 2^63 is exact in f64; i64 covers [-2^63, 2^63). NaN and infinities fall outside.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if (-LIMIT..LIMIT).contains(&s) {
            Some(Satang(s as i64))
        } else {
            None
        }
    }

    /// Parses a baht amount: optional sign, digits with optional thousands commas, up to two
    /// decimals. Accepts "1,234.50", "1234.5", "1234", "-12.00", " 12.00 ", "0.00".
    pub fn parse(s: &str) -> Result<Satang, MoneyError> {
        let value = s.trim();
        if value.is_empty() {
            return Err(MoneyError::Empty);
        }
        let invalid = |reason| MoneyError::Invalid {
            value: value.to_string(),
            reason,
        };
        let (negative, unsigned) = match value.as_bytes()[0] {
            b'-' => (true, &value[1..]),
            b'+' => (false, &value[1..]),
            _ => (false, value),
        };
        let (int_part, frac_part) = match unsigned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (unsigned, None),
        };
        if int_part.is_empty() {
            return Err(invalid("missing digits before the decimal point"));
        }
        if int_part.contains(',') {
            let mut groups = int_part.split(',');
            let first = groups.next().unwrap_or_default();
            if first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3) {
                return Err(invalid("misplaced thousands separator"));
            }
        }
        let mut magnitude: i128 = 0;
        for b in int_part.bytes().filter(|&b| b != b',') {
            if !b.is_ascii_digit() {
                return Err(invalid("not a number"));
            }
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or_else(|| MoneyError::Overflow(value.to_string()))?;
        }
        let mut cents: i128 = 0;
        if let Some(frac) = frac_part {
            if frac.is_empty() {
                return Err(invalid("missing digits after the decimal point"));
            }
            if !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("not a number"));
            }
            if frac.len() > 2 {
                return Err(MoneyError::TooManyDecimals(value.to_string()));
            }
            for (i, b) in frac.bytes().enumerate() {
                cents += i128::from(b - b'0') * if i == 0 { 10 } else { 1 };
            }
        }
        let total = magnitude
            .checked_mul(100)
            .and_then(|m| m.checked_add(cents))
            .map(|t| if negative { -t } else { t })
            .ok_or_else(|| MoneyError::Overflow(value.to_string()))?;
        i64::try_from(total)
            .map(Satang)
            .map_err(|_| MoneyError::Overflow(value.to_string()))
    }

    pub fn checked_add(self, other: Satang) -> Option<Satang> {
        self.0.checked_add(other.0).map(Satang)
    }

    pub fn checked_sub(self, other: Satang) -> Option<Satang> {
        self.0.checked_sub(other.0).map(Satang)
    }

    /// Multiplies by an integer quantity (e.g. units of a charge item).
    pub fn checked_mul(self, qty: i64) -> Option<Satang> {
        self.0.checked_mul(qty).map(Satang)
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Absolute value. Panics only for `Satang::MIN`.
    pub const fn abs(self) -> Satang {
        Satang(self.0.abs())
    }

    /// Whole-baht part, truncated toward zero (sign kept).
    pub const fn baht_part(self) -> i64 {
        self.0 / 100
    }

    /// Satang part 0..=99 of the absolute value.
    pub const fn satang_part(self) -> u8 {
        (self.0.unsigned_abs() % 100) as u8
    }

    /// Amount in baht as floating point, for ratios and charts only (never for sums).
    pub fn to_baht_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Grouped form used on screens and Thai reports: "1,234.50", "-0.50".
    pub fn format_thai(&self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", group_digits(abs / 100), abs % 100)
    }

    /// Grouped whole baht, satang dropped (truncated): "1,234".
    pub fn format_thai_baht_only(&self) -> String {
        let sign = if self.0 <= -100 { "-" } else { "" };
        format!("{sign}{}", group_digits(self.0.unsigned_abs() / 100))
    }

    /// Thai reading of the amount as on cheques and receipts (Excel `BAHTTEXT` rules):
    /// 1234.50 → "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์", 100 → "หนึ่งร้อยบาทถ้วน".
    pub fn baht_text(&self) -> String {
        let abs = self.0.unsigned_abs();
        let (baht, satang) = (abs / 100, abs % 100);
        let mut out = String::new();
        if self.0 < 0 {
            out.push_str("ลบ");
        }
        if baht == 0 && satang == 0 {
            out.push_str("ศูนย์บาทถ้วน");
            return out;
        }
        if baht > 0 {
            out.push_str(&thai_number_text(baht));
            out.push_str("บาท");
        }
        if satang == 0 {
            out.push_str("ถ้วน");
        } else {
            out.push_str(&thai_number_text(satang));
            out.push_str("สตางค์");
        }
        out
    }
}

impl fmt::Display for Satang {
    /// Plain file form: "1234.50", "-0.50" (no grouping), as written into claim files.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::str::FromStr for Satang {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Satang::parse(s)
    }
}

// Operators panic on overflow in every build profile: a wrapped amount is worse than a crash.
impl Add for Satang {
    type Output = Satang;
    fn add(self, rhs: Satang) -> Satang {
        self.checked_add(rhs).expect("Satang addition overflow")
    }
}

impl Sub for Satang {
    type Output = Satang;
    fn sub(self, rhs: Satang) -> Satang {
        self.checked_sub(rhs).expect("Satang subtraction overflow")
    }
}

impl Neg for Satang {
    type Output = Satang;
    fn neg(self) -> Satang {
        Satang(self.0.checked_neg().expect("Satang negation overflow"))
    }
}

impl AddAssign for Satang {
    fn add_assign(&mut self, rhs: Satang) {
        *self = *self + rhs;
    }
}

impl SubAssign for Satang {
    fn sub_assign(&mut self, rhs: Satang) {
        *self = *self - rhs;
    }
}

impl Sum for Satang {
    fn sum<I: Iterator<Item = Satang>>(iter: I) -> Satang {
        iter.fold(Satang::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Satang> for Satang {
    fn sum<I: Iterator<Item = &'a Satang>>(iter: I) -> Satang {
        iter.copied().sum()
    }
}

/// Groups an unsigned integer with commas every three digits.
fn group_digits(n: u64) -> String {
    group_digit_str(&n.to_string())
}

fn group_digit_str(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Integer with thousands separators: 12345 → "12,345", -1000 → "-1,000".
pub fn format_int_thai(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_digits(n.unsigned_abs()))
}

/// Decimal with thousands separators and a fixed number of places: 1234.567 → "1,234.57".
/// Non-finite values are written as Rust prints them ("NaN", "inf"); a value that rounds to
/// zero never carries a minus sign.
pub fn format_decimal_thai(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let plain = format!("{:.*}", places, x.abs());
    let (int_part, frac_part) = match plain.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (plain.as_str(), None),
    };
    let is_zero = plain.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if x < 0.0 && !is_zero { "-" } else { "" };
    match frac_part {
        Some(f) => format!("{sign}{}.{f}", group_digit_str(int_part)),
        None => format!("{sign}{}", group_digit_str(int_part)),
    }
}

const THAI_DIGITS: [&str; 10] = [
    "ศูนย์",
    "หนึ่ง",
    "สอง",
    "สาม",
    "สี่",
    "ห้า",
    "หก",
    "เจ็ด",
    "แปด",
    "เก้า",
];
/// Place names within one group of six digits, units first.
const THAI_PLACES: [&str; 6] = ["", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"];

/// Thai reading of a positive integer. Numbers are read in groups of six digits joined by
/// "ล้าน"; a final 1 is read "เอ็ด" whenever anything precedes it (11, 101, 1,000,001),
/// 2 in the tens place is "ยี่", and 1 in the tens place is silent ("สิบ").
fn thai_number_text(n: u64) -> String {
    if n == 0 {
        return THAI_DIGITS[0].to_string();
    }
    let mut out = String::new();
    if n >= 1_000_000 {
        out.push_str(&thai_number_text(n / 1_000_000));
        out.push_str("ล้าน");
    }
    let group = n % 1_000_000;
    let has_higher = n >= 1_000_000;
    let digits: Vec<u8> = (0..6)
        .rev()
        .map(|p| ((group / 10u64.pow(p)) % 10) as u8)
        .collect();
    for (i, &d) in digits.iter().enumerate() {
        let place = 5 - i;
        if d == 0 {
            continue;
        }
        let anything_before = has_higher || digits[..i].iter().any(|&x| x != 0);
        match (place, d) {
            (0, 1) if anything_before => out.push_str("เอ็ด"),
            (1, 1) => {}
            (1, 2) => out.push_str("ยี่"),
            _ => out.push_str(THAI_DIGITS[usize::from(d)]),
        }
        out.push_str(THAI_PLACES[place]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b(s: &str) -> Satang {
        Satang::parse(s).unwrap()
    }

    #[test]
    fn parse_accepts_common_forms() {
        assert_eq!(b("1,234.50"), Satang(123_450));
        assert_eq!(b("1234.5"), Satang(123_450));
        assert_eq!(b("1234"), Satang(123_400));
        assert_eq!(b("-12.00"), Satang(-1200));
        assert_eq!(b(" 12.00 "), Satang(1200));
        assert_eq!(b("0.00"), Satang::ZERO);
        assert_eq!(b("-0.50"), Satang(-50));
        assert_eq!(b("+7.05"), Satang(705));
        assert_eq!(b("1,234,567.89"), Satang(123_456_789));
        assert_eq!(b("007"), Satang(700));
        assert_eq!(b("-92233720368547758.08"), Satang::MIN);
        assert_eq!(b("92233720368547758.07"), Satang::MAX);
    }

    #[test]
    fn parse_rejects_bad_input() {
        for bad in [
            "", "   ", "abc", "12a", "1.2.3", "1.234", "12.", ".5", "-", "1,23", "12,34.00",
            ",123", "1,,234", "1234,567", "1 234", "--1", "1e3", "๑๒",
        ] {
            assert!(Satang::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            Satang::parse("1.234"),
            Err(MoneyError::TooManyDecimals("1.234".into()))
        );
        assert!(matches!(
            Satang::parse("92233720368547758.08"),
            Err(MoneyError::Overflow(_))
        ));
        assert!(matches!(
            Satang::parse("99999999999999999999999999999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
        let msg = Satang::parse("12x").unwrap_err().to_string();
        assert!(msg.contains("12x"), "{msg}");
    }

    #[test]
    fn display_and_grouping() {
        assert_eq!(Satang(123_450).to_string(), "1234.50");
        assert_eq!(Satang(-50).to_string(), "-0.50");
        assert_eq!(Satang(5).to_string(), "0.05");
        assert_eq!(Satang(123_450).format_thai(), "1,234.50");
        assert_eq!(Satang(-100_000_000).format_thai(), "-1,000,000.00");
        assert_eq!(Satang(99_999).format_thai(), "999.99");
        assert_eq!(Satang(123_456).format_thai_baht_only(), "1,234");
        assert_eq!(Satang(-50).format_thai_baht_only(), "0");
        assert_eq!(Satang::MIN.to_string(), "-92233720368547758.08");
        assert_eq!(format_int_thai(12_345), "12,345");
        assert_eq!(format_int_thai(-1_000), "-1,000");
        assert_eq!(format_int_thai(999), "999");
        assert_eq!(format_int_thai(0), "0");
        assert_eq!(format_int_thai(i64::MIN), "-9,223,372,036,854,775,808");
        assert_eq!(format_decimal_thai(1234.567, 2), "1,234.57");
        assert_eq!(format_decimal_thai(-1234567.0, 0), "-1,234,567");
        assert_eq!(format_decimal_thai(-0.001, 2), "0.00");
        assert_eq!(format_decimal_thai(0.5, 1), "0.5");
        assert_eq!(format_decimal_thai(f64::NAN, 2), "NaN");
    }

    #[test]
    fn operators() {
        let mut x = Satang::from_baht(10);
        x += Satang(50);
        x -= Satang(25);
        assert_eq!(x, Satang(1025));
        assert_eq!(-x, Satang(-1025));
        assert_eq!(x - Satang(2000), Satang(-975));
        let v = [Satang(1), Satang(2), Satang(3)];
        assert_eq!(v.iter().sum::<Satang>(), Satang(6));
        assert_eq!(v.into_iter().sum::<Satang>(), Satang(6));
        assert_eq!(Satang::MAX.checked_add(Satang(1)), None);
        assert_eq!(Satang::MIN.checked_sub(Satang(1)), None);
        assert_eq!(Satang(-1250).baht_part(), -12);
        assert_eq!(Satang(-1250).satang_part(), 50);
        assert_eq!(Satang::from_baht_f64(12.345), Some(Satang(1235)));
        assert_eq!(Satang::from_baht_f64(-0.005), Some(Satang(-1)));
        assert_eq!(Satang::from_baht_f64(f64::NAN), None);
        assert_eq!(Satang::from_baht_f64(1e30), None);
        assert_eq!(Satang::from_baht_f64(1234.56), Some(Satang(123_456)));
        assert_eq!(
            Satang::from_baht_f64(-92233720368547758.08),
            Some(Satang::MIN)
        );
        assert_eq!(Satang::checked_from_parts(12, 50), Some(Satang(1250)));
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn add_overflow_panics() {
        let _ = Satang::MAX + Satang(1);
    }

    #[test]
    fn baht_text_known_values() {
        let cases: &[(i64, &str)] = &[
            (123_450, "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
            (10_000, "หนึ่งร้อยบาทถ้วน"),
            (2_100, "ยี่สิบเอ็ดบาทถ้วน"),
            (1_100, "สิบเอ็ดบาทถ้วน"),
            (1_000, "สิบบาทถ้วน"),
            (100, "หนึ่งบาทถ้วน"),
            (10_100, "หนึ่งร้อยเอ็ดบาทถ้วน"),
            (100_000_100, "หนึ่งล้านเอ็ดบาทถ้วน"),
            (100_000_000, "หนึ่งล้านบาทถ้วน"),
            (25, "ยี่สิบห้าสตางค์"),
            (1, "หนึ่งสตางค์"),
            (11, "สิบเอ็ดสตางค์"),
            (0, "ศูนย์บาทถ้วน"),
            (1_100_000_000, "สิบเอ็ดล้านบาทถ้วน"),
            (10_100_000_000, "หนึ่งร้อยเอ็ดล้านบาทถ้วน"),
            (100_000_000_000_000, "หนึ่งล้านล้านบาทถ้วน"),
            (2_000, "ยี่สิบบาทถ้วน"),
            (
                12_345_678_901,
                "หนึ่งร้อยยี่สิบสามล้านสี่แสนห้าหมื่นหกพันเจ็ดร้อยแปดสิบเก้าบาทหนึ่งสตางค์",
            ),
            (-150, "ลบหนึ่งบาทห้าสิบสตางค์"),
            (5_000_002_100, "ห้าสิบล้านยี่สิบเอ็ดบาทถ้วน"),
        ];
        for &(s, want) in cases {
            assert_eq!(Satang(s).baht_text(), want, "{s}");
        }
    }

    proptest! {
        #[test]
        fn parse_display_round_trip(s in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let x = Satang(s);
            prop_assert_eq!(Satang::parse(&x.to_string()), Ok(x));
            prop_assert_eq!(Satang::parse(&x.format_thai()), Ok(x));
        }

        #[test]
        fn round_trip_extremes(s in any::<i64>()) {
            prop_assert_eq!(Satang::parse(&Satang(s).to_string()), Ok(Satang(s)));
        }

        #[test]
        fn add_sub_associative(
            a in -1_000_000_000_000i64..1_000_000_000_000,
            b in -1_000_000_000_000i64..1_000_000_000_000,
            c in -1_000_000_000_000i64..1_000_000_000_000,
        ) {
            let (a, b, c) = (Satang(a), Satang(b), Satang(c));
            prop_assert_eq!((a + b) + c, a + (b + c));
            prop_assert_eq!((a + b) - b, a);
            prop_assert_eq!(a - b - c, a - (b + c));
            prop_assert_eq!([a, b, c].iter().sum::<Satang>().0, a.0 + b.0 + c.0);
        }

        #[test]
        fn baht_text_total(s in any::<i64>()) {
            let t = Satang(s).baht_text();
            prop_assert_eq!(t.ends_with("ถ้วน"), s % 100 == 0);
            prop_assert_eq!(t.starts_with("ลบ"), s < 0);
            prop_assert!(t.ends_with("ถ้วน") || t.ends_with("สตางค์"));
        }

        #[test]
        fn format_int_matches_parse(n in any::<i64>()) {
            let plain: String = format_int_thai(n).chars().filter(|&c| c != ',').collect();
            prop_assert_eq!(plain.parse::<i64>(), Ok(n));
        }
    }
}
