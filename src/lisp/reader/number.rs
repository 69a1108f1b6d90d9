//! Numeric token syntax (CLHS 2.3.1): integers in the read base (or decimal with a trailing
//! `.`), ratios, and floats with exponent markers `e s f d l`, parsed correctly rounded.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;

use super::Datum;

/// Float precision selected by an exponent marker (or the default format).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Precision {
    Single,
    Double,
}

/// Interprets `text` (an unescaped token) as a number, `Ok(None)` when it is not one.
/// `Err` holds a message for numbers that cannot be built (`1/0`, float overflow).
pub(super) fn parse(text: &str, base: u32) -> Result<Option<Datum>, String> {
    let base = base.clamp(2, 36);
    let (negative, body) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() {
        return Ok(None);
    }
    // Decimal integer with a trailing decimal point.
    if let Some(digits) = body.strip_suffix('.')
        && all_digits(digits, 10)
    {
        return Ok(integer(negative, digits, 10).map(Datum::Integer));
    }
    if all_digits(body, base) {
        return Ok(integer(negative, body, base).map(Datum::Integer));
    }
    if let Some((numerator, denominator)) = body.split_once('/') {
        if all_digits(numerator, base) && all_digits(denominator, base) {
            return ratio(negative, numerator, denominator, base).map(Some);
        }
        return Ok(None);
    }
    float(negative, body, text)
}

/// Whether `s` is non-empty and every character is a digit in `base`.
pub(super) fn all_digits(s: &str, base: u32) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_digit(base))
}

fn integer(negative: bool, digits: &str, base: u32) -> Option<BigInt> {
    // Most integers read fit a machine word, which parses far faster than a bignum.
    let n = match u64::from_str_radix(digits, base) {
        Ok(n) => BigInt::from(n),
        Err(_) => BigInt::parse_bytes(digits.as_bytes(), base)?,
    };
    Some(if negative { -n } else { n })
}

/// A ratio, normalized; an integer when the denominator divides the numerator.
pub(super) fn ratio(
    negative: bool,
    numerator: &str,
    denominator: &str,
    base: u32,
) -> Result<Datum, String> {
    let (Some(n), Some(d)) = (
        integer(negative, numerator, base),
        integer(false, denominator, base),
    ) else {
        return Err(format!("invalid ratio {numerator}/{denominator}"));
    };
    if d.is_zero() {
        return Err("division by zero in a ratio".to_string());
    }
    let q = BigRational::new(n, d);
    Ok(if q.is_integer() {
        Datum::Integer(q.to_integer())
    } else {
        Datum::Ratio(q)
    })
}

/// Parses a rational in `base` with an optional sign (for `#x`, `#b`, `#o`, `#r`).
pub(super) fn parse_rational(text: &str, base: u32) -> Result<Option<Datum>, String> {
    let base = base.clamp(2, 36);
    let (negative, body) = match text.as_bytes().first() {
        Some(b'+') => (false, &text[1..]),
        Some(b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    if all_digits(body, base) {
        return Ok(integer(negative, body, base).map(Datum::Integer));
    }
    match body.split_once('/') {
        Some((n, d)) if all_digits(n, base) && all_digits(d, base) => {
            ratio(negative, n, d, base).map(Some)
        }
        _ => Ok(None),
    }
}

/// Float syntax: `[sign] digits* . digits+ [exponent]` or
/// `[sign] digits+ [. digits*] exponent`.
fn float(negative: bool, body: &str, text: &str) -> Result<Option<Datum>, String> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let integer_part = &body[..i];
    let mut fraction = "";
    if i < bytes.len() && bytes[i] == b'.' {
        let from = i + 1;
        i = from;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        fraction = &body[from..i];
    }
    let mut precision = Precision::Single;
    let mut exponent_text: Option<&str> = None;
    if i < bytes.len() {
        precision = match bytes[i].to_ascii_lowercase() {
            b'e' | b's' | b'f' => Precision::Single,
            b'd' | b'l' => Precision::Double,
            _ => return Ok(None),
        };
        let rest = &body[i + 1..];
        let unsigned = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        if !all_digits(unsigned, 10) {
            return Ok(None);
        }
        exponent_text = Some(rest);
    }
    let valid = !fraction.is_empty() || (!integer_part.is_empty() && exponent_text.is_some());
    if !valid {
        return Ok(None);
    }
    let exponent = exponent_text.map(parse_exponent).unwrap_or(0);
    // Shift the decimal point to the end of the digits; i64 cannot overflow because the
    // exponent is clamped and the fraction is at most a token long.
    let exponent = exponent - fraction.len() as i64;
    let digits = format!(
        "{}{integer_part}{fraction}e{exponent}",
        if negative { "-" } else { "" }
    );
    let datum = match precision {
        Precision::Single => digits
            .parse::<f32>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Datum::Single),
        Precision::Double => digits
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Datum::Double),
    };
    match datum {
        Some(datum) => Ok(Some(datum)),
        None => Err(format!("floating-point number {text} is out of range")),
    }
}

/// The exponent's value, clamped far beyond any float range.
fn parse_exponent(text: &str) -> i64 {
    const LIMIT: i64 = 1_000_000_000;
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for d in digits.bytes() {
        value = (value * 10 + i64::from(d - b'0')).min(LIMIT);
    }
    if negative { -value } else { value }
}
