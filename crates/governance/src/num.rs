//! Exact decimal helpers: money in satang and two-place decimals as integer hundredths.
//!
//! Money never goes through `f64`: "1234.56" baht parses to `Satang(123456)` exactly. Ratios,
//! points and percentage thresholds that must compare exactly at a boundary use [`Hundredths`].
//! Measures held as `f64` (days, %, AdjRW) meet a limit only through [`at_most`], [`at_least`]
//! and [`grew_at_least`], which compare the decimal the value prints as, in integers.

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Amount of money in satang: the project's one money type, re-exported so engine code can keep
/// saying `num::Satang`. Its operators panic on overflow in every profile (never wrap).
pub use raidai_domain::money::Satang;

/// Why a decimal string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalParseError {
    /// Nothing but whitespace.
    #[error("empty value")]
    Empty,
    /// A character that is not a digit, sign, point or thousands comma.
    #[error("unexpected character {0:?}")]
    InvalidCharacter(char),
    /// Non-zero digits beyond the second decimal place would be lost.
    #[error("more than 2 decimal places")]
    TooManyDecimals,
    /// Thousands separators not in groups of three.
    #[error("misplaced thousands separator")]
    BadGrouping,
    /// Outside the range of a 64-bit integer count of hundredths.
    #[error("number too large")]
    Overflow,
}

/// Parses a decimal string with at most two significant decimal places into hundredths.
///
/// Accepts an optional sign, thousands commas in groups of three ("1,234.50"), and trailing
/// zero decimals ("1.500"); rejects anything that would need rounding.
pub fn parse_hundredths(text: &str) -> Result<i64, DecimalParseError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DecimalParseError::Empty);
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(DecimalParseError::Empty);
    }
    if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(DecimalParseError::BadGrouping);
        }
    }
    let mut value: i128 = 0;
    for c in int_part.chars().filter(|&c| c != ',') {
        let d = c
            .to_digit(10)
            .ok_or(DecimalParseError::InvalidCharacter(c))?;
        value = value * 10 + i128::from(d);
        if value > i128::from(i64::MAX) {
            return Err(DecimalParseError::Overflow);
        }
    }
    let mut frac: i128 = 0;
    for (i, c) in frac_part.chars().enumerate() {
        let d = c
            .to_digit(10)
            .ok_or(DecimalParseError::InvalidCharacter(c))?;
        if i < 2 {
            frac = frac * 10 + i128::from(d);
        } else if d != 0 {
            return Err(DecimalParseError::TooManyDecimals);
        }
    }
    if frac_part.len() == 1 {
        frac *= 10;
    }
    let total = value * 100 + frac;
    let signed = if negative { -total } else { total };
    i64::try_from(signed).map_err(|_| DecimalParseError::Overflow)
}

/// Parses a baht amount such as `"1234.56"` into satang, exactly.
///
/// The one money parser of the governance inputs (CSV batches, uploads, forms). It is
/// [`parse_hundredths`], which accepts a little more than [`Satang::parse`]: `".5"`, `"12."` and
/// zero decimals past the second (`"2.500"`). Kept so files that were accepted still are.
pub fn parse_satang(text: &str) -> Result<Satang, DecimalParseError> {
    parse_hundredths(text).map(Satang)
}

/// Formats satang as plain baht with two decimals and no grouping: `-44515873.00`.
/// This is the number format of the HFO reference CSV (the domain type's `Display`).
pub fn format_baht(satang: Satang) -> String {
    satang.to_string()
}

/// Formats satang as baht with thousands separators, for explanations: `1,234,567.89`
/// ([`Satang::format_thai`]).
pub fn format_baht_grouped(satang: Satang) -> String {
    satang.format_thai()
}

fn fixed2(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `num / den` rounded to the nearest integer, halves away from zero (Excel `ROUND`).
/// `None` when `den` is zero or the quotient does not fit.
pub(crate) fn div_round_half_away(num: i128, den: i128) -> Option<i128> {
    if den == 0 {
        return None;
    }
    let (n, d) = if den < 0 {
        (num.checked_neg()?, den.checked_neg()?)
    } else {
        (num, den)
    };
    let q = n
        .unsigned_abs()
        .checked_mul(2)?
        .checked_add(d.unsigned_abs())?
        / (2 * d.unsigned_abs());
    let q = i128::try_from(q).ok()?;
    Some(if n < 0 { -q } else { q })
}

/// A decimal with two fractional digits, held as an integer count of hundredths
/// (`Hundredths(868)` is 8.68). Used for financial ratios, TPS points and percentage
/// thresholds so that comparisons at a boundary are exact.
///
/// In criteria files it is written as a number (`1.5`, `12`) or a string (`"0.80"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hundredths(pub i64);

impl Hundredths {
    /// Zero.
    pub const ZERO: Hundredths = Hundredths(0);

    /// The whole number `n`.
    pub const fn from_int(n: i64) -> Self {
        Hundredths(n * 100)
    }

    /// The raw count of hundredths.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// Nearest `f64`, for display and for comparing with measured values given as `f64`.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `num / den` rounded to two places, halves away from zero, computed exactly from the
    /// integers (this reproduces every ratio of the HFO reference file). `None` if `den == 0`.
    pub fn ratio_rounded(num: i64, den: i64) -> Option<Self> {
        let q = div_round_half_away(i128::from(num) * 100, i128::from(den))?;
        i64::try_from(q).ok().map(Hundredths)
    }

    /// Nearest two-place value of a finite `f64` (halves away from zero); `None` for NaN/∞.
    pub fn from_f64_rounded(v: f64) -> Option<Self> {
        if !v.is_finite() {
            return None;
        }
        let scaled = (v * 100.0).round();
        if scaled.abs() > i64::MAX as f64 {
            return None;
        }
        Some(Hundredths(scaled as i64))
    }

    /// Parses `"10.5"`, `"0.80"`, `"12"` exactly.
    pub fn parse(text: &str) -> Result<Self, DecimalParseError> {
        parse_hundredths(text).map(Hundredths)
    }

    /// Always two decimals: `10.50`.
    pub fn to_fixed_string(self) -> String {
        fixed2(self.0)
    }

    /// Shortest form with at least one decimal, the way the HFO reference file (written by
    /// Python) prints a ratio rounded to two places: `8.68`, `14.3`, `4.0`.
    pub fn to_short_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (int, frac) = (abs / 100, abs % 100);
        if frac % 10 == 0 {
            format!("{sign}{int}.{}", frac / 10)
        } else {
            format!("{sign}{int}.{frac:02}")
        }
    }

    /// Shortest form without a trailing `.0`: `1`, `0.5`, `10.25`; used in labels.
    pub fn to_plain_string(self) -> String {
        let s = self.to_short_string();
        s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
    }
}

impl fmt::Display for Hundredths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_fixed_string())
    }
}

impl Add for Hundredths {
    type Output = Hundredths;
    fn add(self, rhs: Self) -> Self {
        Hundredths(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Hundredths {
    type Output = Hundredths;
    fn sub(self, rhs: Self) -> Self {
        Hundredths(self.0.saturating_sub(rhs.0))
    }
}

impl Sum for Hundredths {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Hundredths::ZERO, Add::add)
    }
}

impl std::str::FromStr for Hundredths {
    type Err = DecimalParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Hundredths::parse(s)
    }
}

impl Serialize for Hundredths {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            serializer.serialize_i64(self.0 / 100)
        } else {
            serializer.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Hundredths {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Hundredths;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number with at most two decimal places")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Hundredths, E> {
                v.checked_mul(100)
                    .map(Hundredths)
                    .ok_or_else(|| E::custom("number too large"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Hundredths, E> {
                let v = i64::try_from(v).map_err(|_| E::custom("number too large"))?;
                self.visit_i64(v)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Hundredths, E> {
                if !v.is_finite() {
                    return Err(E::custom("number must be finite"));
                }
                // Display gives the shortest text that round-trips, so 0.1 reads as "0.1".
                self.visit_str(&v.to_string())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Hundredths, E> {
                Hundredths::parse(v).map_err(|e| E::custom(format!("{v:?}: {e}")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A measure given as `f64`, read as the decimal it prints as (the shortest digits that read back
/// to it): `60.1` is 601 × 10⁻¹, not the binary fraction nearest to it. Decimals typed or stored
/// with up to 15 significant digits come back as typed, so comparing them with a two-place limit
/// is an exact integer comparison, with no rounding of a product or a quotient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    NegInf,
    /// `coefficient × 10^exponent`.
    Finite(i128, i32),
    PosInf,
}

impl Measure {
    /// `None` for NaN, which has no order.
    fn of(v: f64) -> Option<Measure> {
        if v.is_nan() {
            return None;
        }
        if v.is_infinite() {
            return Some(if v > 0.0 {
                Measure::PosInf
            } else {
                Measure::NegInf
            });
        }
        // `{:e}` writes the shortest round-trip digits: "6.01e1", "-5e-1", "0e0".
        let text = format!("{v:e}");
        let (mantissa, exp) = text.split_once('e')?;
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, mantissa),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let coefficient: i128 = format!("{int}{frac}").parse().ok()?;
        let exp = exp.parse::<i32>().ok()? - i32::try_from(frac.len()).ok()?;
        Some(Measure::Finite(
            if negative { -coefficient } else { coefficient },
            exp,
        ))
    }

    fn hundredths(h: Hundredths) -> Measure {
        Measure::Finite(i128::from(h.raw()), -2)
    }

    /// Multiplied by a whole number; `None` for ∞ × 0 (NaN in `f64`).
    fn times(self, k: i128) -> Option<Measure> {
        match self {
            // Coefficients have at most 17 digits, so this fits for any `k` below 10^21.
            Measure::Finite(c, e) => c.checked_mul(k).map(|c| Measure::Finite(c, e)),
            _ if k == 0 => None,
            _ if (self == Measure::PosInf) == (k > 0) => Some(Measure::PosInf),
            _ => Some(Measure::NegInf),
        }
    }
}

impl Ord for Measure {
    fn cmp(&self, other: &Self) -> Ordering {
        let rank = |m: &Measure| match m {
            Measure::NegInf => 0,
            Measure::Finite(..) => 1,
            Measure::PosInf => 2,
        };
        match (*self, *other) {
            (Measure::Finite(c1, e1), Measure::Finite(c2, e2)) => cmp_decimal(c1, e1, c2, e2),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

impl PartialOrd for Measure {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `c1 × 10^e1` against `c2 × 10^e2`, exactly.
fn cmp_decimal(c1: i128, e1: i32, c2: i128, e2: i32) -> Ordering {
    let (s1, s2) = (c1.signum(), c2.signum());
    if s1 != s2 || s1 == 0 {
        return s1.cmp(&s2);
    }
    let (a, b) = (c1.unsigned_abs(), c2.unsigned_abs());
    let magnitude = if e1 >= e2 {
        cmp_scaled(a, e1.abs_diff(e2), b)
    } else {
        cmp_scaled(b, e2.abs_diff(e1), a).reverse()
    };
    if s1 > 0 {
        magnitude
    } else {
        magnitude.reverse()
    }
}

/// `a × 10^shift` against `b`, for `a ≥ 1`: a product beyond `u128` is the larger.
fn cmp_scaled(a: u128, shift: u32, b: u128) -> Ordering {
    10u128
        .checked_pow(shift)
        .and_then(|p| a.checked_mul(p))
        .map_or(Ordering::Greater, |x| x.cmp(&b))
}

/// `v ≤ limit`, exactly (`v` read as the decimal it prints as); false for NaN.
pub fn at_most(v: f64, limit: Hundredths) -> bool {
    Measure::of(v).is_some_and(|m| m <= Measure::hundredths(limit))
}

/// `v ≥ limit`, exactly (`v` read as the decimal it prints as); false for NaN.
pub fn at_least(v: f64, limit: Hundredths) -> bool {
    Measure::of(v).is_some_and(|m| m >= Measure::hundredths(limit))
}

/// `v` is at least `base` grown by `pct` %: `v × 10000 ≥ base × (10000 + pct in hundredths)`,
/// exactly; false for NaN. (In `f64`, 1050.126 vs 1000.12 grown by 5 % came out short.)
pub fn grew_at_least(v: f64, base: f64, pct: Hundredths) -> bool {
    let (Some(v), Some(base)) = (Measure::of(v), Measure::of(base)) else {
        return false;
    };
    match (v.times(10_000), base.times(10_000 + i128::from(pct.raw()))) {
        (Some(lhs), Some(rhs)) => lhs >= rhs,
        _ => false,
    }
}

/// Formats an `f64` with two decimals for explanations; `"-"` for NaN/∞.
pub(crate) fn fmt2(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "-".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_satang_exactly() {
        assert_eq!(parse_satang("1234.56"), Ok(Satang(123_456)));
        assert_eq!(parse_satang("1234.5"), Ok(Satang(123_450)));
        assert_eq!(parse_satang("1234"), Ok(Satang(123_400)));
        assert_eq!(parse_satang("-0.01"), Ok(Satang(-1)));
        assert_eq!(parse_satang(" +7.10 "), Ok(Satang(710)));
        assert_eq!(parse_satang("1,234,567.89"), Ok(Satang(123_456_789)));
        assert_eq!(parse_satang("0.10"), Ok(Satang(10)));
        assert_eq!(parse_satang(".5"), Ok(Satang(50)));
        assert_eq!(parse_satang("2.500"), Ok(Satang(250)));
        assert_eq!(
            parse_satang("2.505"),
            Err(DecimalParseError::TooManyDecimals)
        );
        assert_eq!(parse_satang(""), Err(DecimalParseError::Empty));
        assert_eq!(parse_satang("-"), Err(DecimalParseError::Empty));
        assert_eq!(
            parse_satang("12a"),
            Err(DecimalParseError::InvalidCharacter('a'))
        );
        assert_eq!(parse_satang("1,23"), Err(DecimalParseError::BadGrouping));
        assert_eq!(
            parse_satang("1e5"),
            Err(DecimalParseError::InvalidCharacter('e'))
        );
        assert_eq!(
            parse_satang("99999999999999999999"),
            Err(DecimalParseError::Overflow)
        );
    }

    #[test]
    fn money_inputs_and_stored_form_are_as_before() {
        // parse_satang stays more lenient than Satang::parse, so files accepted before still are.
        for (text, v) in [(".5", 50), ("12.", 1200), ("2.500", 250), ("+.05", 5)] {
            assert_eq!(parse_satang(text), Ok(Satang(v)), "{text}");
            assert!(Satang::parse(text).is_err(), "{text}");
        }
        // Stored JSON (inputs, plans) holds plain integers of satang, as the i64 alias did.
        assert_eq!(
            serde_json::to_string(&[Satang(-123), Satang::MAX]).unwrap(),
            "[-123,9223372036854775807]"
        );
        assert_eq!(
            serde_json::from_str::<Satang>("4200").unwrap(),
            Satang(4200)
        );
    }

    #[test]
    fn measures_meet_limits_as_decimals() {
        let h = |s: &str| Hundredths::parse(s).unwrap();
        // A limit that is not a binary fraction: 60.1 meets 60.1, 60.11 and 60.100001 do not.
        assert!(at_most(60.1, h("60.1")) && at_least(60.1, h("60.1")));
        assert!(!at_most(60.11, h("60.1")) && !at_most(60.100001, h("60.1")));
        assert!(at_most(60.099999, h("60.1")) && !at_least(60.099999, h("60.1")));
        assert!(at_most(0.29, h("0.29")) && at_least(0.29, h("0.29")));
        assert!(at_most(-0.01, Hundredths::ZERO) && !at_least(-0.01, Hundredths::ZERO));
        assert!(at_most(-0.0, Hundredths::ZERO) && at_least(0.0, Hundredths::ZERO));
        assert!(at_least(1e300, h("92233720368547758.07")) && at_most(1e-300, h("0.01")));
        assert!(!at_most(1e-300, Hundredths::ZERO) && at_least(-1e-300, h("-0.01")));
        // Infinities order as before; NaN meets nothing.
        assert!(at_most(f64::NEG_INFINITY, Hundredths::ZERO) && !at_most(f64::INFINITY, h("1")));
        assert!(!at_most(f64::NAN, h("1")) && !at_least(f64::NAN, h("1")));
    }

    #[test]
    fn growth_is_compared_in_integers() {
        let five = Hundredths::from_int(5);
        assert!(grew_at_least(105.0, 100.0, five) && !grew_at_least(104.99, 100.0, five));
        // 1000.12 × 1.05 = 1050.126 exactly; f64 products put it short.
        let (v, base) = std::hint::black_box((1050.126f64, 1000.12f64));
        assert!(v * 100.0 < base * 105.0);
        assert!(grew_at_least(1050.126, 1000.12, five));
        assert!(!grew_at_least(1050.1259, 1000.12, five));
        assert!(grew_at_least(95.0, 100.0, Hundredths::from_int(-5)));
        assert!(
            grew_at_least(f64::INFINITY, 100.0, five) && !grew_at_least(1e308, f64::INFINITY, five)
        );
        assert!(
            !grew_at_least(f64::NAN, 100.0, five)
                && !grew_at_least(1.0, f64::INFINITY, Hundredths::from_int(-100))
        );
    }

    #[test]
    fn formats_baht() {
        assert_eq!(format_baht(Satang(2_600_031_000)), "26000310.00");
        assert_eq!(format_baht(Satang(-4_451_587_300)), "-44515873.00");
        assert_eq!(format_baht(Satang(-5)), "-0.05");
        assert_eq!(format_baht_grouped(Satang(123_456_789)), "1,234,567.89");
        assert_eq!(format_baht_grouped(Satang(-100_000)), "-1,000.00");
    }

    #[test]
    fn rounds_ratios_half_away_from_zero() {
        assert_eq!(Hundredths::ratio_rounded(1005, 1000), Some(Hundredths(101)));
        assert_eq!(Hundredths::ratio_rounded(1004, 1000), Some(Hundredths(100)));
        assert_eq!(
            Hundredths::ratio_rounded(-1005, 1000),
            Some(Hundredths(-101))
        );
        assert_eq!(
            Hundredths::ratio_rounded(1005, -1000),
            Some(Hundredths(-101))
        );
        assert_eq!(Hundredths::ratio_rounded(1, 0), None);
        assert_eq!(Hundredths::ratio_rounded(0, 7), Some(Hundredths(0)));
    }

    #[test]
    fn short_string_matches_python_float_repr() {
        assert_eq!(Hundredths(868).to_short_string(), "8.68");
        assert_eq!(Hundredths(1430).to_short_string(), "14.3");
        assert_eq!(Hundredths(400).to_short_string(), "4.0");
        assert_eq!(Hundredths(5).to_short_string(), "0.05");
        assert_eq!(Hundredths(-50).to_short_string(), "-0.5");
        assert_eq!(Hundredths(1050).to_plain_string(), "10.5");
        assert_eq!(Hundredths(200).to_plain_string(), "2");
    }

    #[test]
    fn deserializes_numbers_and_strings() {
        #[derive(Deserialize)]
        struct T {
            a: Hundredths,
            b: Hundredths,
            c: Hundredths,
            d: Hundredths,
        }
        let t: T = toml::from_str("a = 1.5\nb = 12\nc = \"0.80\"\nd = 0.1").unwrap();
        assert_eq!(
            (t.a, t.b, t.c, t.d),
            (
                Hundredths(150),
                Hundredths(1200),
                Hundredths(80),
                Hundredths(10)
            )
        );
        assert!(toml::from_str::<T>("a = 1.555\nb = 1\nc = 1\nd = 1").is_err());
    }
}
