//! The anatomy of floats: `decode-float integer-decode-float scale-float float-sign
//! float-digits float-precision float-radix`, and `rationalize`. Single floats are IEEE
//! binary32 and doubles binary64, as in SBCL, so the values match SBCL's bit for bit.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::number::{self, Number};
use super::super::value::Value;
use super::{BuiltinTable, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "DECODE-FLOAT", (1, Some(1)), |_, t, a| {
        let float = Float::expect(a[0])?;
        let (significand, exponent) = float.decode();
        let sign = float.with_magnitude(if float.is_negative() { -1.0 } else { 1.0 });
        t.mv = Some(smallvec::smallvec![
            significand,
            Value::Fixnum(exponent),
            sign
        ]);
        value(significand)
    })?;
    table.define(
        image,
        cl,
        "INTEGER-DECODE-FLOAT",
        (1, Some(1)),
        |vm, t, a| {
            let float = Float::expect(a[0])?;
            let (mantissa, exponent) = float.integer_decode();
            let mantissa = number::integer_value(&mut vm.image, BigInt::from(mantissa))?;
            let sign = Value::Fixnum(if float.is_negative() { -1 } else { 1 });
            t.mv = Some(smallvec::smallvec![mantissa, Value::Fixnum(exponent), sign]);
            value(mantissa)
        },
    )?;
    table.define(image, cl, "SCALE-FLOAT", (2, Some(2)), |vm, _, a| {
        let float = Float::expect(a[0])?;
        let power = match Number::from_value(&vm.image, a[1]) {
            Some(Number::Integer(n)) => n,
            _ => return Err(LispError::type_error(a[1], "INTEGER")),
        };
        value(float.scale(&power))
    })?;
    table.define(image, cl, "FLOAT-SIGN", (1, Some(2)), |_, _, a| {
        let float = Float::expect(a[0])?;
        let magnitude = match a.get(1) {
            Some(other) => Float::expect(*other)?,
            None => float.of_same_kind(1.0),
        };
        let sign = if float.is_negative() { -1.0 } else { 1.0 };
        value(magnitude.with_magnitude(sign * magnitude.magnitude()))
    })?;
    table.define(image, cl, "FLOAT-DIGITS", (1, Some(1)), |_, _, a| {
        value(Value::Fixnum(Float::expect(a[0])?.digits()))
    })?;
    table.define(image, cl, "FLOAT-PRECISION", (1, Some(1)), |_, _, a| {
        value(Value::Fixnum(Float::expect(a[0])?.precision()))
    })?;
    table.define(image, cl, "FLOAT-RADIX", (1, Some(1)), |_, _, a| {
        Float::expect(a[0])?;
        value(Value::Fixnum(2))
    })?;
    table.define(image, cl, "RATIONALIZE", (1, Some(1)), |vm, _, a| {
        let result = match Number::from_value(&vm.image, a[0]) {
            Some(Number::Integer(n)) => Number::Integer(n),
            Some(Number::Ratio(q)) => Number::Ratio(q),
            _ => Number::Ratio(Float::expect(a[0])?.rationalize()?),
        };
        value(result.into_value(&mut vm.image)?)
    })?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Float {
    Single(f32),
    Double(f64),
}

impl Float {
    fn expect(value: Value) -> LispResult<Float> {
        match value {
            Value::Single(f) => Ok(Float::Single(f)),
            Value::Double(f) => Ok(Float::Double(f)),
            other => Err(LispError::type_error(other, "FLOAT")),
        }
    }

    fn of_same_kind(self, x: f64) -> Float {
        match self {
            Float::Single(_) => Float::Single(x as f32),
            Float::Double(_) => Float::Double(x),
        }
    }

    /// A value of this float's kind holding `x`.
    fn with_magnitude(self, x: f64) -> Value {
        match self {
            Float::Single(_) => Value::Single(x as f32),
            Float::Double(_) => Value::Double(x),
        }
    }

    fn magnitude(self) -> f64 {
        match self {
            Float::Single(f) => f64::from(f).abs(),
            Float::Double(f) => f.abs(),
        }
    }

    fn is_negative(self) -> bool {
        match self {
            Float::Single(f) => f.is_sign_negative(),
            Float::Double(f) => f.is_sign_negative(),
        }
    }

    fn digits(self) -> i64 {
        match self {
            Float::Single(_) => 24,
            Float::Double(_) => 53,
        }
    }

    /// The significand's bits as an integer and the exponent, such that the float's
    /// magnitude is `mantissa * 2^exponent`; denormals have fewer significant bits.
    fn integer_decode(self) -> (u64, i64) {
        let (bits, fraction_bits, bias, exponent_mask) = match self {
            Float::Single(f) => (u64::from(f.to_bits()), 23, 150, 0xff),
            Float::Double(f) => (f.to_bits(), 52, 1075, 0x7ff),
        };
        let fraction = bits & ((1 << fraction_bits) - 1);
        let biased = ((bits >> fraction_bits) & exponent_mask) as i64;
        match (biased, fraction) {
            (0, 0) => (0, 0),
            (0, _) => (fraction, 1 - bias),
            _ => (fraction | (1 << fraction_bits), biased - bias),
        }
    }

    fn precision(self) -> i64 {
        let (mantissa, _) = self.integer_decode();
        64 - i64::from(mantissa.leading_zeros())
    }

    /// The significand in [1/2, 1) and the exponent, the significand of this kind.
    fn decode(self) -> (Value, i64) {
        let (mantissa, exponent) = self.integer_decode();
        if mantissa == 0 {
            return (self.with_magnitude(0.0), 0);
        }
        let width = self.precision();
        let significand = mantissa as f64 / 2f64.powi(width as i32);
        (self.with_magnitude(significand), exponent + width)
    }

    fn scale(self, power: &BigInt) -> Value {
        // Beyond these powers every float overflows or underflows anyway.
        let mut power = i64::try_from(power)
            .unwrap_or(if power.sign() == num_bigint::Sign::Minus {
                -2200
            } else {
                2200
            })
            .clamp(-2200, 2200);
        let mut x = match self {
            Float::Single(f) => f64::from(f),
            Float::Double(f) => f,
        };
        while power != 0 {
            let step = power.clamp(-1000, 1000);
            x *= 2f64.powi(step as i32);
            power -= step;
        }
        self.with_magnitude(x)
    }

    /// The simplest rational that reads back as this float: the one with the smallest
    /// denominator among those within half a unit in the last place.
    fn rationalize(self) -> LispResult<BigRational> {
        if !self.magnitude().is_finite() {
            return Err(LispError::type_error(self.with_magnitude(0.0), "FLOAT"));
        }
        let (mantissa, exponent) = self.integer_decode();
        if mantissa == 0 {
            return Ok(BigRational::zero());
        }
        let scale = |n: BigInt, e: i64| {
            let two = BigRational::from_integer(BigInt::from(2));
            let power = if e >= 0 {
                num_traits::pow(two, e as usize)
            } else {
                num_traits::pow(two, (-e) as usize).recip()
            };
            BigRational::from_integer(n) * power
        };
        let m = BigInt::from(mantissa);
        if exponent >= 0 {
            let whole = scale(m, exponent);
            return Ok(if self.is_negative() { -whole } else { whole });
        }
        let high = scale(BigInt::from(2) * &m + 1, exponent - 1);
        // Just above a power of two the float below is half as far away.
        let low = if mantissa.is_power_of_two() && self.precision() == self.digits() {
            scale(BigInt::from(4) * &m - 1, exponent - 2)
        } else {
            scale(BigInt::from(2) * &m - 1, exponent - 1)
        };
        let simplest = simplest_between(&low, &high);
        Ok(if self.is_negative() {
            -simplest
        } else {
            simplest
        })
    }
}

/// The rational with the smallest denominator in `[low, high]`, for `0 < low < high`.
fn simplest_between(low: &BigRational, high: &BigRational) -> BigRational {
    let floor = low.floor();
    if &floor == low {
        return floor;
    }
    let next = &floor + BigRational::one();
    if &next <= high {
        return next;
    }
    let rest = simplest_between(&(high - &floor).recip(), &(low - &floor).recip());
    floor + rest.recip()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(n: i64, d: i64) -> BigRational {
        BigRational::new(BigInt::from(n), BigInt::from(d))
    }

    #[test]
    fn simplest_rationals() {
        assert_eq!(simplest_between(&ratio(3, 10), &ratio(4, 10)), ratio(1, 3));
        assert_eq!(simplest_between(&ratio(1, 2), &ratio(3, 2)), ratio(1, 1));
        assert_eq!(Float::Single(0.1).rationalize().ok(), Some(ratio(1, 10)));
        assert_eq!(Float::Double(-0.25).rationalize().ok(), Some(ratio(-1, 4)));
    }

    #[test]
    fn decoding_matches_ieee() {
        assert_eq!(Float::Single(1.5).integer_decode(), (12_582_912, -23));
        assert_eq!(
            Float::Double(0.1).integer_decode(),
            (7_205_759_403_792_794, -56)
        );
        assert_eq!(Float::Single(f32::from_bits(1)).integer_decode(), (1, -149));
        assert_eq!(Float::Single(f32::from_bits(1)).precision(), 1);
    }
}
