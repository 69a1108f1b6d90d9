//! The digits of a float for FORMAT's `~F`, `~E`, `~G` and `~$`, generated as SBCL does:
//! the shortest digits that read back as the float (Burger and Dybvig's free-format
//! algorithm), or, with a cutoff place, those digits rounded there (ties away from zero),
//! and SBCL's floating-point scaling of a number into `[0.1, 1)` for exponential notation.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::One;

/// A float of either format, as FORMAT's float directives take it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Flonum {
    Single(f32),
    Double(f64),
}

impl Flonum {
    pub fn to_f64(self) -> f64 {
        match self {
            Flonum::Single(f) => f64::from(f),
            Flonum::Double(f) => f,
        }
    }

    /// `value` in this float's format.
    pub fn like(self, value: f64) -> Flonum {
        match self {
            Flonum::Single(_) => Flonum::Single(value as f32),
            Flonum::Double(_) => Flonum::Double(value),
        }
    }

    pub fn abs(self) -> Flonum {
        match self {
            Flonum::Single(f) => Flonum::Single(f.abs()),
            Flonum::Double(f) => Flonum::Double(f.abs()),
        }
    }

    /// Whether the sign bit is set (so `-0.0` too), as FLOAT-SIGN tells.
    pub fn is_negative(self) -> bool {
        match self {
            Flonum::Single(f) => f.is_sign_negative(),
            Flonum::Double(f) => f.is_sign_negative(),
        }
    }

    pub fn is_finite(self) -> bool {
        self.to_f64().is_finite()
    }

    pub fn is_zero(self) -> bool {
        self.to_f64() == 0.0
    }

    /// The significand, exponent and precision of the (non-negative, finite) float:
    /// `significand * 2^exponent` is its value.
    fn decode(self) -> (u64, i64, u32) {
        match self {
            Flonum::Single(f) => {
                let bits = f.to_bits();
                let field = i64::from((bits >> 23) & 0xff);
                let fraction = u64::from(bits & 0x7f_ffff);
                if field == 0 {
                    (fraction, -149, 24)
                } else {
                    (fraction | 1 << 23, field - 150, 24)
                }
            }
            Flonum::Double(f) => {
                let bits = f.to_bits();
                let field = ((bits >> 52) & 0x7ff) as i64;
                let fraction = bits & 0x000f_ffff_ffff_ffff;
                if field == 0 {
                    (fraction, -1074, 53)
                } else {
                    (fraction | 1 << 52, field - 1075, 53)
                }
            }
        }
    }

    /// The smallest exponent `decode` gives a normal float.
    fn min_exponent(self) -> i64 {
        match self {
            Flonum::Single(_) => -149,
            Flonum::Double(_) => -1074,
        }
    }
}

fn pow10(n: u64) -> BigInt {
    num_traits::pow(BigInt::from(10), usize::try_from(n).unwrap_or(usize::MAX))
}

/// Where digit generation stops: none (the shortest digits), an absolute place
/// (`10^place`), or a number of significant digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cutoff {
    None,
    Place(i64),
    Significant(i64),
}

/// The decimal digits of the non-negative float `v` and the exponent `k` that places them:
/// `v` is about `0.DIGITS * 10^k`.
pub fn flonum_to_digits(v: Flonum, cutoff: Cutoff) -> (i64, String) {
    let (f, e, precision) = v.decode();
    let f = BigInt::from(f);
    let even = f.is_even();
    let (mut high_ok, mut low_ok) = (even, even);
    let hidden = BigInt::one() << (precision - 1);
    let (mut r, mut s, mut m_plus, mut m_minus) = if e >= 0 {
        let be = BigInt::one() << e;
        if f != hidden {
            (&f * &be * 2, BigInt::from(2), be.clone(), be)
        } else {
            let m_plus = &be * 2;
            (&f * &m_plus * 2, BigInt::from(4), m_plus, be)
        }
    } else if e == v.min_exponent() || f != hidden {
        (
            &f * 2,
            BigInt::one() << (1 - e),
            BigInt::one(),
            BigInt::one(),
        )
    } else {
        (
            &f * 4,
            BigInt::one() << (2 - e),
            BigInt::from(2),
            BigInt::one(),
        )
    };
    let place = match cutoff {
        Cutoff::None => None,
        Cutoff::Place(place) => Some(place),
        Cutoff::Significant(digits) => {
            let digits = digits.max(1);
            let mut k = 0i64;
            let mut l = BigInt::one();
            while &s * &l < &r + &m_plus {
                k += 1;
                l *= 10;
            }
            // Whether r + s * 10^(k - digits) / 2 < s * l, in integers.
            let shift = k - digits;
            let below = if shift >= 0 {
                &r * 2 + &s * pow10(shift.unsigned_abs()) < &s * &l * 2
            } else {
                let scale = pow10(shift.unsigned_abs());
                &r * 2 * &scale + &s < &s * &l * 2 * &scale
            };
            Some(if below { shift } else { shift - 1 })
        }
    };
    if let Some(place) = place {
        // Widen the error bounds to half a unit of the cutoff place: x = s * 10^place / 2,
        // kept whole by scaling every quantity by 2 * 10^-place when the place is negative.
        let x = if place >= 0 {
            &s * pow10(place.unsigned_abs()) / 2
        } else {
            let scale = pow10(place.unsigned_abs()) * 2;
            let x = s.clone();
            r *= &scale;
            s *= &scale;
            m_plus *= &scale;
            m_minus *= &scale;
            x
        };
        if m_minus <= x {
            m_minus = x.clone();
            low_ok = true;
        }
        if m_plus <= x {
            m_plus = x;
            high_ok = true;
        }
    }
    // Scale: find k with the first digit in place.
    let mut k = 0i64;
    let r_plus = &r + &m_plus;
    while r_plus > s || (high_ok && r_plus == s) {
        s *= 10;
        k += 1;
    }
    loop {
        if r <= m_minus {
            break;
        }
        let x = (&r + &m_plus) * 10;
        if !(x < s || (!high_ok && x == s)) {
            break;
        }
        k -= 1;
        r *= 10;
        m_plus *= 10;
        m_minus *= 10;
    }
    // Generate.
    let mut digits = String::new();
    loop {
        let scaled: BigInt = &r * 10;
        let (d, rest) = scaled.div_rem(&s);
        r = rest;
        m_plus *= 10;
        m_minus *= 10;
        let low = r < m_minus || (low_ok && r == m_minus);
        let sum = &r + &m_plus;
        let high = sum > s || (high_ok && sum == s);
        let d = u32::try_from(d).unwrap_or(0);
        if low || high {
            let d = match (low, high) {
                (false, true) => d + 1,
                (true, false) => d,
                _ if &r * 2 < s => d,
                _ => d + 1,
            };
            digits.push(char::from_digit(d, 10).unwrap_or('9'));
            return (k, digits);
        }
        digits.push(char::from_digit(d, 10).unwrap_or('9'));
    }
}

/// A float's digits laid out around a decimal point, as SBCL's FLONUM-TO-STRING gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Laid {
    pub text: String,
    /// The text starts with the point (a leading zero may go before it).
    pub leading_point: bool,
    /// The text ends with the point (a trailing zero may go after it).
    pub trailing_point: bool,
    /// Where the point is in the text.
    pub point: usize,
}

/// The non-negative float `x` as digits and a point: with `fdigits` digits after the point
/// if given, else in `width` columns if given, scaled by `10^scale`, with at least `fmin`
/// digits after the point.
pub fn flonum_to_string(
    x: Flonum,
    width: Option<i64>,
    fdigits: Option<i64>,
    scale: i64,
    fmin: i64,
) -> Laid {
    let (k, digits) = match (fdigits, width) {
        (Some(fdigits), _) => flonum_to_digits(x, Cutoff::Place((-(fdigits + scale)).min(-fmin))),
        (None, Some(width)) if width > 1 => {
            let significant = (width - 1 + scale.min(0)).max(1);
            let by_width = flonum_to_digits(x, Cutoff::Significant(significant));
            let by_fraction = flonum_to_digits(x, Cutoff::Place(-(fmin + scale)));
            if by_width.1.len() >= by_fraction.1.len() {
                by_width
            } else {
                by_fraction
            }
        }
        _ => flonum_to_digits(x, Cutoff::None),
    };
    let e = if x.is_zero() { k } else { k + scale };
    let length = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let zeros = |n: i64| "0".repeat(usize::try_from(n).unwrap_or(0));
    let mut text = String::new();
    if e > 0 {
        let split = usize::try_from(length.min(e)).unwrap_or(0);
        text.push_str(&digits[..split]);
        text.push_str(&zeros(e - length));
        text.push('.');
        text.push_str(&digits[split..]);
        if let Some(fdigits) = fdigits {
            text.push_str(&zeros(fdigits - (length - length.min(e))));
        }
    } else {
        text.push('.');
        text.push_str(&zeros(-e));
        let end = match fdigits {
            Some(fdigits) => length.min(fmin.max(fdigits + e)).max(0),
            None => length,
        };
        text.push_str(&digits[..usize::try_from(end).unwrap_or(0)]);
        if let Some(fdigits) = fdigits {
            text.push_str(&zeros(fdigits + e - length));
        }
    }
    Laid {
        leading_point: text.starts_with('.'),
        trailing_point: text.ends_with('.'),
        point: text.find('.').unwrap_or(0),
        text,
    }
}

/// `base^power` in floating point, correctly rounded as SBCL's EXPT of a double float to an
/// integer power is (through the C library's `pow`).
fn power(base: f64, power: i64) -> f64 {
    base.powf(power as f64)
}

/// `log10(2)` as SBCL writes it (the double with bits `0x3FD34413509F79FF`).
const LOG10_2: f64 = f64::from_bits(0x3FD3_4413_509F_79FF);

/// The non-negative `x` as `z * 10^e` with `z` in `[0.1, 1)` (in `x`'s format), scaled in
/// double-float arithmetic as SBCL's SCALE-EXPONENT does, so with its rounding.
pub fn scale_exponent(x: Flonum) -> (Flonum, i64) {
    let value = x.to_f64();
    if value == 0.0 {
        return (x.like(0.0), 1);
    }
    // DECODE-FLOAT's exponent: value = m * 2^exponent with m in [0.5, 1).
    let exponent = {
        let bits = value.to_bits();
        let field = ((bits >> 52) & 0x7ff) as i64;
        if field == 0 {
            let fraction = bits & 0x000f_ffff_ffff_ffff;
            -1010 - i64::from(fraction.leading_zeros())
        } else {
            field - 1022
        }
    };
    let ex = (exponent as f64 * LOG10_2).round_ties_even() as i64;
    let denormal = value < f64::MIN_POSITIVE;
    let mut scaled = if ex < 0 {
        if denormal {
            value * 1.0e16 * power(10.0, -ex - 16)
        } else {
            value * 10.0 * power(10.0, -ex - 1)
        }
    } else {
        value / 10.0 / power(10.0, ex - 1)
    };
    let mut ex = ex;
    let original = scaled;
    let mut d = 10.0;
    while scaled >= 1.0 {
        scaled = original / d;
        d *= 10.0;
        ex += 1;
    }
    let y = scaled;
    let mut m = 10.0;
    let mut z = y;
    while z < 0.1 {
        z = y * m;
        m *= 10.0;
        ex -= 1;
    }
    (x.like(z), ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_digits() {
        assert_eq!(
            flonum_to_digits(Flonum::Single(0.1), Cutoff::None),
            (0, "1".into())
        );
        assert_eq!(
            flonum_to_digits(Flonum::Double(123.456), Cutoff::None),
            (3, "123456".into())
        );
    }

    #[test]
    fn digits_rounded_at_a_place() {
        // 2.5 rounds away from zero; 1.005f0 is below the tie.
        assert_eq!(
            flonum_to_string(Flonum::Single(2.5), None, Some(0), 0, 0).text,
            "3."
        );
        assert_eq!(
            flonum_to_string(Flonum::Single(1.005), None, Some(2), 0, 0).text,
            "1.00"
        );
        assert_eq!(
            flonum_to_string(Flonum::Single(0.1), None, Some(5), 0, 0).text,
            ".10000"
        );
    }

    #[test]
    fn scaled_like_sbcl() {
        assert_eq!(
            scale_exponent(Flonum::Single(12345.678)),
            (Flonum::Single(0.123_456_776), 5)
        );
        assert_eq!(
            scale_exponent(Flonum::Single(1.0)),
            (Flonum::Single(0.1), 1)
        );
    }
}
