//! Floats as SBCL's `PRIN1` prints them with `*READ-DEFAULT-FLOAT-FORMAT*` single-float.
//!
//! Digits come from the Burger & Dybvig free-format algorithm exactly as SBCL's
//! `FLONUM-TO-DIGITS` runs it (shortest digits that read back to the same float; for
//! subnormals SBCL normalizes the significand first, which gives more digits, and so do
//! we). Numbers with `1e-3 <= |x| < 1e7` are printed positionally (`1234567.0`, `0.001`),
//! others with an exponent (`1.0e7`, `1.0e-4`); doubles carry a `d` exponent marker
//! (`1.0d0`, `1.0d10`).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed};
use std::cmp::Ordering;

/// The layout of one float format.
struct Format {
    /// Significand bits including the hidden bit (`FLOAT-DIGITS`).
    digits: u32,
    /// SBCL's `*-FLOAT-MIN-E`: `-(bias + digits)`.
    min_e: i64,
    /// Exponent marker when printed.
    marker: char,
    /// Type name for infinities and NaNs.
    name: &'static str,
}

const SINGLE: Format = Format {
    digits: 24,
    min_e: -150,
    marker: 'e',
    name: "SINGLE-FLOAT",
};

const DOUBLE: Format = Format {
    digits: 53,
    min_e: -1075,
    marker: 'd',
    name: "DOUBLE-FLOAT",
};

/// `INTEGER-DECODE-FLOAT` as SBCL computes it: `(f, e)` with `|x| = f * 2^e`; subnormal
/// significands are shifted up until the hidden bit is set.
fn integer_decode(mantissa: u64, biased_exponent: i64, format: &Format) -> (u64, i64) {
    let fraction_bits = format.digits - 1;
    let hidden = 1u64 << fraction_bits;
    if biased_exponent == 0 {
        let mut sig = mantissa << 1;
        let mut extra = 0i64;
        while sig & hidden == 0 && sig != 0 {
            sig <<= 1;
            extra += 1;
        }
        (sig, format.min_e - extra)
    } else {
        (mantissa | hidden, biased_exponent + format.min_e)
    }
}

fn pow(base: u32, exponent: u64) -> BigInt {
    num_traits::pow(BigInt::from(base), exponent as usize)
}

/// Shortest digits: `(k, digits)` with the value `0.digits * 10^k`.
fn flonum_to_digits(f: u64, e: i64, format: &Format) -> (i64, String) {
    let high_ok = f % 2 == 0;
    let low_ok = high_ok;
    let f_big = BigInt::from(f);
    let min_f = 1u64 << (format.digits - 1);
    let two = BigInt::from(2);
    let (mut r, mut s, mut m_plus, mut m_minus): (BigInt, BigInt, BigInt, BigInt);
    if e >= 0 {
        let be = pow(2, e.unsigned_abs());
        if f != min_f {
            r = &f_big * &be * 2;
            s = two.clone();
            m_plus = be.clone();
            m_minus = be;
        } else {
            m_minus = be.clone();
            m_plus = be * 2;
            r = &f_big * &m_plus * 2;
            s = BigInt::from(4);
        }
    } else if e == format.min_e || f != min_f {
        r = &f_big * 2;
        s = pow(2, e.unsigned_abs()) * 2;
        m_plus = BigInt::one();
        m_minus = BigInt::one();
    } else {
        m_minus = BigInt::one();
        m_plus = two.clone();
        r = &f_big * 4;
        s = pow(2, (1 - e).unsigned_abs()) * 2;
    }
    // Scale: find k with the digits starting right after the point.
    let mut k: i64 = 0;
    let ten = BigInt::from(10);
    loop {
        let r_m_plus = &r + &m_plus;
        match r_m_plus.cmp(&s) {
            Ordering::Greater => {}
            Ordering::Equal if high_ok => {}
            _ => break,
        }
        s *= &ten;
        k += 1;
    }
    loop {
        if !(&r - &m_minus).is_positive() {
            break;
        }
        let x = (&r + &m_plus) * &ten;
        let smaller = match x.cmp(&s) {
            Ordering::Less => true,
            Ordering::Equal => !high_ok,
            Ordering::Greater => false,
        };
        if !smaller {
            break;
        }
        k -= 1;
        r *= &ten;
        m_plus *= &ten;
        m_minus *= &ten;
    }
    // Generate.
    let mut digits = String::new();
    loop {
        let (d, rem) = (&r * &ten).div_rem(&s);
        r = rem;
        m_plus *= &ten;
        m_minus *= &ten;
        let tc1 = match r.cmp(&m_minus) {
            Ordering::Less => true,
            Ordering::Equal => low_ok,
            Ordering::Greater => false,
        };
        let tc2 = match (&r + &m_plus).cmp(&s) {
            Ordering::Greater => true,
            Ordering::Equal => high_ok,
            Ordering::Less => false,
        };
        let d = digit_value(&d);
        if !(tc1 || tc2) {
            digits.push(digit_char(d));
            continue;
        }
        let last = match (tc1, tc2) {
            (false, true) => d + 1,
            (true, false) => d,
            _ => {
                if &r * 2 < s {
                    d
                } else {
                    d + 1
                }
            }
        };
        digits.push(digit_char(last));
        return (k, digits);
    }
}

fn digit_value(d: &BigInt) -> u32 {
    u32::try_from(d).unwrap_or(0)
}

fn digit_char(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('0')
}

/// Lays out `0.digits * 10^k` as SBCL does.
fn layout(negative: bool, k: i64, digits: &str, format: &Format) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if -3 < k && k < 8 {
        if k <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', k.unsigned_abs() as usize));
            out.push_str(digits);
        } else {
            let k = k as usize;
            if k >= digits.len() {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', k - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..k]);
                out.push('.');
                out.push_str(&digits[k..]);
            }
        }
        if format.marker == 'd' {
            out.push_str("d0");
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push(format.marker);
        out.push_str(&(k - 1).to_string());
    }
    out
}

fn format_float(
    negative: bool,
    mantissa: u64,
    biased_exponent: i64,
    all_ones_exponent: bool,
    format: &Format,
) -> String {
    if all_ones_exponent {
        return if mantissa != 0 {
            format!("#<{} quiet NaN>", format.name)
        } else {
            let sign = if negative { "NEGATIVE" } else { "POSITIVE" };
            format!("#.SB-EXT:{}-{sign}-INFINITY", format.name)
        };
    }
    if mantissa == 0 && biased_exponent == 0 {
        let zero = if negative { "-0.0" } else { "0.0" };
        return if format.marker == 'd' {
            format!("{zero}d0")
        } else {
            zero.to_string()
        };
    }
    let (f, e) = integer_decode(mantissa, biased_exponent, format);
    let (k, digits) = flonum_to_digits(f, e, format);
    layout(negative, k, &digits, format)
}

/// A single float as `PRIN1` prints it (`1.0`, `1.0e7`, `-0.001`).
pub fn format_single(f: f32) -> String {
    let bits = f.to_bits();
    let exponent = i64::from((bits >> 23) & 0xff);
    format_float(
        bits >> 31 == 1,
        u64::from(bits & 0x7f_ffff),
        exponent,
        exponent == 0xff,
        &SINGLE,
    )
}

/// A double float as `PRIN1` prints it (`1.0d0`, `1.0d10`, `0.1d0`).
pub fn format_double(f: f64) -> String {
    let bits = f.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64;
    format_float(
        bits >> 63 == 1,
        bits & 0x000f_ffff_ffff_ffff,
        exponent,
        exponent == 0x7ff,
        &DOUBLE,
    )
}
