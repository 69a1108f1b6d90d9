//! The numeric tower: fixnums, bignums, ratios, single and double floats, with Common Lisp's
//! contagion rules. The VM handles fixnum fast paths itself and falls back here.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use super::error::{ErrorKind, LispError, LispResult};
use super::image::Image;
use super::object::Object;
use super::value::Value;

/// A number taken out of the heap for arithmetic.
#[derive(Debug, Clone)]
pub enum Number {
    Integer(BigInt),
    Ratio(BigRational),
    Single(f32),
    Double(f64),
}

impl Number {
    /// Reads a numeric value; `None` if it is not a number.
    pub fn from_value(image: &Image, value: Value) -> Option<Number> {
        match value {
            Value::Fixnum(n) => Some(Number::Integer(BigInt::from(n))),
            Value::Single(f) => Some(Number::Single(f)),
            Value::Double(f) => Some(Number::Double(f)),
            Value::Object(r) => match image.heap.object(r) {
                Some(Object::Bignum(b)) => Some(Number::Integer(b.clone())),
                Some(Object::Ratio(q)) => Some(Number::Ratio(q.as_ref().clone())),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn expect(image: &Image, value: Value) -> LispResult<Number> {
        Number::from_value(image, value).ok_or_else(|| LispError::type_error(value, "NUMBER"))
    }

    /// Stores the number as a value: fixnums inline, integral ratios as integers.
    pub fn into_value(self, image: &mut Image) -> LispResult<Value> {
        match self {
            Number::Integer(n) => integer_value(image, n),
            Number::Ratio(q) => {
                if q.denom() == &BigInt::from(1) {
                    integer_value(image, q.numer().clone())
                } else {
                    Ok(image.heap.alloc(Object::Ratio(Box::new(q)))?)
                }
            }
            Number::Single(f) => Ok(Value::Single(f)),
            Number::Double(f) => Ok(Value::Double(f)),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Number::Integer(_) => 0,
            Number::Ratio(_) => 1,
            Number::Single(_) => 2,
            Number::Double(_) => 3,
        }
    }

    pub fn to_ratio(&self) -> BigRational {
        match self {
            Number::Integer(n) => BigRational::from_integer(n.clone()),
            Number::Ratio(q) => q.clone(),
            Number::Single(f) => BigRational::from_float(*f).unwrap_or_default(),
            Number::Double(f) => BigRational::from_float(*f).unwrap_or_default(),
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Number::Integer(n) => n.to_f64().unwrap_or(f64::INFINITY),
            Number::Ratio(q) => ratio_to_f64(q),
            Number::Single(f) => f64::from(*f),
            Number::Double(f) => *f,
        }
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Number::Integer(n) => n.is_zero(),
            Number::Ratio(q) => q.is_zero(),
            Number::Single(f) => *f == 0.0,
            Number::Double(f) => *f == 0.0,
        }
    }

    pub fn is_float(&self) -> bool {
        matches!(self, Number::Single(_) | Number::Double(_))
    }
}

fn ratio_to_f64(q: &BigRational) -> f64 {
    match (q.numer().to_f64(), q.denom().to_f64()) {
        (Some(n), Some(d)) if n.is_finite() && d.is_finite() => n / d,
        _ => {
            let shift = q.numer().bits().saturating_sub(q.denom().bits()) as i64 - 60;
            let scaled = if shift > 0 {
                q / BigRational::from_integer(BigInt::from(1) << shift as usize)
            } else {
                q * BigRational::from_integer(BigInt::from(1) << (-shift) as usize)
            };
            scaled.to_integer().to_f64().unwrap_or(f64::INFINITY) * 2f64.powi(shift as i32)
        }
    }
}

pub fn integer_value(image: &mut Image, n: BigInt) -> LispResult<Value> {
    match n.to_i64() {
        Some(small) => Ok(Value::Fixnum(small)),
        None => Ok(image.heap.alloc(Object::Bignum(n))?),
    }
}

/// Brings two numbers to a common representation.
fn coerce_pair(a: Number, b: Number) -> (Number, Number) {
    let rank = a.rank().max(b.rank());
    let lift = |n: Number| -> Number {
        match rank {
            0 => n,
            1 => Number::Ratio(n.to_ratio()),
            2 => match n {
                Number::Single(f) => Number::Single(f),
                other => Number::Single(other.to_f64() as f32),
            },
            _ => Number::Double(n.to_f64()),
        }
    };
    (lift(a), lift(b))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

pub fn arith(op: Arith, a: Number, b: Number) -> LispResult<Number> {
    let (a, b) = coerce_pair(a, b);
    Ok(match (a, b) {
        (Number::Integer(x), Number::Integer(y)) => match op {
            Arith::Add => Number::Integer(x + y),
            Arith::Sub => Number::Integer(x - y),
            Arith::Mul => Number::Integer(x * y),
            Arith::Div => {
                if y.is_zero() {
                    return Err(division_by_zero());
                }
                Number::Ratio(BigRational::new(x, y))
            }
        },
        (Number::Ratio(x), Number::Ratio(y)) => match op {
            Arith::Add => Number::Ratio(x + y),
            Arith::Sub => Number::Ratio(x - y),
            Arith::Mul => Number::Ratio(x * y),
            Arith::Div => {
                if y.is_zero() {
                    return Err(division_by_zero());
                }
                Number::Ratio(x / y)
            }
        },
        (Number::Single(x), Number::Single(y)) => Number::Single(match op {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Div => {
                if y == 0.0 {
                    return Err(division_by_zero());
                }
                x / y
            }
        }),
        (Number::Double(x), Number::Double(y)) => Number::Double(match op {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Div => {
                if y == 0.0 {
                    return Err(division_by_zero());
                }
                x / y
            }
        }),
        _ => {
            return Err(LispError::simple(
                "internal error: mixed number representations",
            ));
        }
    })
}

fn unreachable_round() -> (BigInt, BigInt) {
    (BigInt::zero(), BigInt::zero())
}

pub fn division_by_zero() -> LispError {
    LispError::new(
        ErrorKind::DivisionByZero,
        "arithmetic error DIVISION-BY-ZERO signalled",
    )
}

/// Numeric comparison with exact rational semantics between floats and rationals.
pub fn compare(a: &Number, b: &Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Integer(x), Number::Integer(y)) => Some(x.cmp(y)),
        _ if a.is_float() || b.is_float() => {
            let (x, y) = (a.to_f64(), b.to_f64());
            if x.is_finite() && y.is_finite() {
                Some(a.to_ratio().cmp(&b.to_ratio()))
            } else {
                x.partial_cmp(&y)
            }
        }
        _ => Some(a.to_ratio().cmp(&b.to_ratio())),
    }
}

/// Applies an arithmetic operation to two values (the general path of `+ - * /`).
pub fn arith_values(image: &mut Image, op: Arith, a: Value, b: Value) -> LispResult<Value> {
    if let (Value::Fixnum(x), Value::Fixnum(y)) = (a, b) {
        let result = match op {
            Arith::Add => x.checked_add(y),
            Arith::Sub => x.checked_sub(y),
            Arith::Mul => x.checked_mul(y),
            Arith::Div => None,
        };
        if let Some(n) = result {
            return Ok(Value::Fixnum(n));
        }
    }
    let x = Number::expect(image, a)?;
    let y = Number::expect(image, b)?;
    arith(op, x, y)?.into_value(image)
}

pub fn compare_values(image: &Image, a: Value, b: Value) -> LispResult<Option<Ordering>> {
    if let (Value::Fixnum(x), Value::Fixnum(y)) = (a, b) {
        return Ok(Some(x.cmp(&y)));
    }
    let x = Number::from_value(image, a).ok_or_else(|| LispError::type_error(a, "REAL"))?;
    let y = Number::from_value(image, b).ok_or_else(|| LispError::type_error(b, "REAL"))?;
    Ok(compare(&x, &y))
}

/// Integer division family: returns (quotient, remainder) for FLOOR, CEILING, TRUNCATE, ROUND.
#[derive(Clone, Copy, Debug)]
pub enum Rounding {
    Floor,
    Ceiling,
    Truncate,
    Round,
}

pub fn divide(rounding: Rounding, a: Number, b: Number) -> LispResult<(Number, Number)> {
    if b.is_zero() {
        return Err(division_by_zero());
    }
    if let (Number::Integer(x), Number::Integer(y), false) =
        (&a, &b, matches!(rounding, Rounding::Round))
    {
        let (q, r) = match rounding {
            Rounding::Floor => x.div_mod_floor(y),
            Rounding::Truncate => (x / y, x % y),
            Rounding::Ceiling => {
                let (q, r) = x.div_mod_floor(y);
                if r.is_zero() { (q, r) } else { (q + 1, r - y) }
            }
            Rounding::Round => unreachable_round(),
        };
        return Ok((Number::Integer(q), Number::Integer(r)));
    }
    divide_rational(rounding, a, b)
}

fn divide_rational(rounding: Rounding, a: Number, b: Number) -> LispResult<(Number, Number)> {
    let quotient = arith(Arith::Div, a.clone(), b.clone())?;
    let q = match quotient {
        Number::Integer(n) => BigRational::from_integer(n),
        Number::Ratio(q) => q,
        other => BigRational::from_float(other.to_f64())
            .ok_or_else(|| LispError::simple("cannot round a non-finite float"))?,
    };
    let integer = match rounding {
        Rounding::Floor => q.floor(),
        Rounding::Ceiling => q.ceil(),
        Rounding::Truncate => q.trunc(),
        Rounding::Round => {
            let floor = q.floor();
            let fraction = &q - &floor;
            let half = BigRational::new(BigInt::from(1), BigInt::from(2));
            match fraction.cmp(&half) {
                Ordering::Greater => floor + BigRational::from_integer(1.into()),
                Ordering::Less => floor,
                Ordering::Equal => {
                    if floor.to_integer().is_odd() {
                        floor + BigRational::from_integer(1.into())
                    } else {
                        floor
                    }
                }
            }
        }
    }
    .to_integer();
    let product = arith(Arith::Mul, Number::Integer(integer.clone()), b)?;
    let remainder = arith(Arith::Sub, a, product)?;
    Ok((Number::Integer(integer), remainder))
}
