//! Irrational and integer functions: `expt sqrt exp log` trig and hyperbolic, `gcd lcm isqrt`, bit
//! operations, `float random signum numerator denominator`. Results follow SBCL: a rational
//! argument gives a single float, a double argument a double. Complex results are refused.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::number::{self, Number};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "EXPT", (2, Some(2)), expt)?;
    table.define(image, cl, "SQRT", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "SQRT", |x| (x >= 0.0).then(|| x.sqrt()))
    })?;
    table.define(image, cl, "EXP", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "EXP", |x| Some(x.exp()))
    })?;
    table.define(image, cl, "LOG", (1, Some(2)), log)?;
    table.define(image, cl, "SIN", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "SIN", |x| Some(x.sin()))
    })?;
    table.define(image, cl, "COS", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "COS", |x| Some(x.cos()))
    })?;
    table.define(image, cl, "TAN", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "TAN", |x| Some(x.tan()))
    })?;
    table.define(image, cl, "ASIN", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "ASIN", |x| (x.abs() <= 1.0).then(|| x.asin()))
    })?;
    table.define(image, cl, "ACOS", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "ACOS", |x| (x.abs() <= 1.0).then(|| x.acos()))
    })?;
    table.define(image, cl, "SINH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "SINH", |x| Some(x.sinh()))
    })?;
    table.define(image, cl, "COSH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "COSH", |x| Some(x.cosh()))
    })?;
    table.define(image, cl, "ASINH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "ASINH", |x| Some(x.asinh()))
    })?;
    table.define(image, cl, "ACOSH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "ACOSH", |x| (x >= 1.0).then(|| x.acosh()))
    })?;
    table.define(image, cl, "ATANH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "ATANH", |x| (x.abs() <= 1.0).then(|| x.atanh()))
    })?;
    table.define(image, cl, "TANH", (1, Some(1)), |vm, _, a| {
        float_fn(vm, a[0], "TANH", |x| Some(x.tanh()))
    })?;
    table.define(image, cl, "ATAN", (1, Some(2)), atan)?;
    table.define(image, cl, "FLOAT", (1, Some(2)), float)?;
    table.define(image, cl, "RATIONAL", (1, Some(1)), |vm, _, a| {
        let number = Number::expect(&vm.image, a[0])?;
        if number.to_f64().is_finite() {
            value(Number::Ratio(number.to_ratio()).into_value(&mut vm.image)?)
        } else {
            Err(LispError::type_error(a[0], "REAL"))
        }
    })?;
    table.define(image, cl, "GCD", (0, None), |vm, _, a| {
        let mut acc = BigInt::zero();
        for v in a {
            acc = acc.gcd(&integer(&vm.image, *v)?);
        }
        value(number::integer_value(&mut vm.image, acc)?)
    })?;
    table.define(image, cl, "LCM", (0, None), |vm, _, a| {
        let mut acc = BigInt::one();
        for v in a {
            acc = acc.lcm(&integer(&vm.image, *v)?);
        }
        value(number::integer_value(&mut vm.image, acc)?)
    })?;
    table.define(image, cl, "ISQRT", (1, Some(1)), |vm, _, a| {
        let n = integer(&vm.image, a[0])?;
        if n.is_negative() {
            return Err(LispError::type_error(a[0], "UNSIGNED-BYTE"));
        }
        value(number::integer_value(&mut vm.image, n.sqrt())?)
    })?;
    table.define(
        image,
        cl,
        "NUMERATOR",
        (1, Some(1)),
        |vm, _, a| match Number::from_value(&vm.image, a[0]) {
            Some(Number::Integer(_)) => value(a[0]),
            Some(Number::Ratio(q)) => {
                value(number::integer_value(&mut vm.image, q.numer().clone())?)
            }
            _ => Err(LispError::type_error(a[0], "RATIONAL")),
        },
    )?;
    table.define(
        image,
        cl,
        "DENOMINATOR",
        (1, Some(1)),
        |vm, _, a| match Number::from_value(&vm.image, a[0]) {
            Some(Number::Integer(_)) => value(Value::Fixnum(1)),
            Some(Number::Ratio(q)) => {
                value(number::integer_value(&mut vm.image, q.denom().clone())?)
            }
            _ => Err(LispError::type_error(a[0], "RATIONAL")),
        },
    )?;
    table.define(image, cl, "SIGNUM", (1, Some(1)), |vm, _, a| {
        let n = Number::expect(&vm.image, a[0])?;
        value(match n {
            Number::Integer(i) => Value::Fixnum(i.signum().to_i64().unwrap_or(0)),
            Number::Ratio(q) => Value::Fixnum(q.signum().to_integer().to_i64().unwrap_or(0)),
            Number::Single(f) => Value::Single(if f == 0.0 { f } else { f.signum() }),
            Number::Double(f) => Value::Double(if f == 0.0 { f } else { f.signum() }),
        })
    })?;
    table.define(image, cl, "REALP", (1, Some(1)), |vm, _, a| {
        value(
            vm.image
                .boolean(Number::from_value(&vm.image, a[0]).is_some()),
        )
    })?;
    table.define(image, cl, "COMPLEXP", (1, Some(1)), |_, _, _| {
        value(Value::Nil)
    })?;
    table.define(image, cl, "ASH", (2, Some(2)), |vm, _, a| {
        if let (Value::Fixnum(n), Value::Fixnum(shift)) = (a[0], a[1])
            && let Some(shifted) = fixnum_shift(n, shift)
        {
            return value(Value::Fixnum(shifted));
        }
        let n = integer(&vm.image, a[0])?;
        let shift = super::expect_fixnum(a[1])?;
        let result = if shift >= 0 {
            if shift > 1 << 24 {
                return Err(LispError::unsupported("ASH by more than 2^24 bits"));
            }
            n << shift as usize
        } else {
            n >> shift.unsigned_abs().min(1 << 24) as usize
        };
        value(number::integer_value(&mut vm.image, result)?)
    })?;
    table.define(image, cl, "LOGAND", (0, None), |vm, _, a| {
        bit_fold(vm, a, (-1, |x, y| x & y), (BigInt::from(-1), |x, y| x & y))
    })?;
    table.define(image, cl, "LOGIOR", (0, None), |vm, _, a| {
        bit_fold(vm, a, (0, |x, y| x | y), (BigInt::zero(), |x, y| x | y))
    })?;
    table.define(image, cl, "LOGXOR", (0, None), |vm, _, a| {
        bit_fold(vm, a, (0, |x, y| x ^ y), (BigInt::zero(), |x, y| x ^ y))
    })?;
    table.define(image, cl, "LOGNOT", (1, Some(1)), |vm, _, a| {
        if let Value::Fixnum(n) = a[0] {
            return value(Value::Fixnum(!n));
        }
        let n = integer(&vm.image, a[0])?;
        value(number::integer_value(&mut vm.image, -n - 1)?)
    })?;
    table.define(image, cl, "LOGBITP", (2, Some(2)), |vm, _, a| {
        let bit = super::expect_index(a[0])?;
        let n = integer(&vm.image, a[1])?;
        let set = ((n >> bit.min(1 << 24)) & BigInt::one()).is_one();
        value(vm.image.boolean(set))
    })?;
    table.define(image, cl, "INTEGER-LENGTH", (1, Some(1)), |vm, _, a| {
        let n = integer(&vm.image, a[0])?;
        let n = if n.is_negative() { -n - 1 } else { n };
        value(Value::Fixnum(n.bits() as i64))
    })?;
    table.define(image, cl, "LOGCOUNT", (1, Some(1)), |vm, _, a| {
        let n = integer(&vm.image, a[0])?;
        let n = if n.is_negative() { -n - 1 } else { n };
        let ones: u64 = n
            .to_u64_digits()
            .1
            .iter()
            .map(|d| u64::from(d.count_ones()))
            .sum();
        value(Value::Fixnum(ones as i64))
    })?;
    Ok(())
}

fn integer(image: &Image, v: Value) -> LispResult<BigInt> {
    match Number::from_value(image, v) {
        Some(Number::Integer(n)) => Ok(n),
        _ => Err(LispError::type_error(v, "INTEGER")),
    }
}

/// `n` shifted left by `shift` bits (right when negative), when the result is a fixnum.
fn fixnum_shift(n: i64, shift: i64) -> Option<i64> {
    if shift >= 0 {
        let shift = u32::try_from(shift).ok().filter(|s| *s < 63)?;
        let shifted = n << shift;
        (shifted >> shift == n).then_some(shifted)
    } else {
        Some(n >> shift.unsigned_abs().min(63))
    }
}

/// Folds a bitwise operation over integer arguments from its identity: on machine words
/// while every argument is a fixnum (the result of AND, OR and XOR of fixnums is one), else
/// on bignums.
fn bit_fold(
    vm: &mut Vm,
    a: &[Value],
    (word_start, word_op): (i64, fn(i64, i64) -> i64),
    (start, op): (BigInt, fn(BigInt, BigInt) -> BigInt),
) -> LispResult<Control> {
    let mut word = word_start;
    for (i, v) in a.iter().enumerate() {
        let Value::Fixnum(n) = *v else {
            let mut acc = a[..i].iter().fold(start, |acc, v| match v {
                Value::Fixnum(n) => op(acc, BigInt::from(*n)),
                _ => acc,
            });
            for v in &a[i..] {
                acc = op(acc, integer(&vm.image, *v)?);
            }
            return value(number::integer_value(&mut vm.image, acc)?);
        };
        word = word_op(word, n);
    }
    value(Value::Fixnum(word))
}

/// A float of the precision SBCL gives a result computed from `n`.
fn as_float(n: &Number, x: f64) -> Value {
    match n {
        Number::Double(_) => Value::Double(x),
        _ => Value::Single(x as f32),
    }
}

fn float_fn(
    vm: &mut Vm,
    arg: Value,
    name: &str,
    f: impl Fn(f64) -> Option<f64>,
) -> LispResult<Control> {
    let n = Number::expect(&vm.image, arg)?;
    let x = match n {
        Number::Single(s) => f64::from(s),
        _ => n.to_f64(),
    };
    match f(x) {
        Some(y) => value(as_float(&n, y)),
        None => Err(LispError::unsupported(format!(
            "complex numbers ({name} of {})",
            super::super::print::prin1_to_string(&vm.image, arg)
        ))),
    }
}

fn log(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let n = Number::expect(&vm.image, a[0])?;
    if n.to_f64() < 0.0 {
        return Err(LispError::unsupported(
            "complex numbers (LOG of a negative number)",
        ));
    }
    if n.is_zero() {
        return Err(number::division_by_zero());
    }
    let Some(base) = a.get(1) else {
        return value(as_float(&n, n.to_f64().ln()));
    };
    let b = Number::expect(&vm.image, *base)?;
    if b.to_f64() <= 0.0 {
        return Err(LispError::unsupported(
            "LOG with a base that is not positive",
        ));
    }
    if matches!(n, Number::Double(_)) || matches!(b, Number::Double(_)) {
        return value(Value::Double(n.to_f64().ln() / b.to_f64().ln()));
    }
    value(Value::Single(
        (n.to_f64().ln() as f32) / (b.to_f64().ln() as f32),
    ))
}

fn atan(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let y = Number::expect(&vm.image, a[0])?;
    let Some(x) = a.get(1) else {
        return value(as_float(&y, y.to_f64().atan()));
    };
    let x = Number::expect(&vm.image, *x)?;
    let r = y.to_f64().atan2(x.to_f64());
    if matches!(y, Number::Double(_)) || matches!(x, Number::Double(_)) {
        value(Value::Double(r))
    } else {
        value(Value::Single(r as f32))
    }
}

fn float(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let n = Number::expect(&vm.image, a[0])?;
    let double = match a.get(1) {
        Some(proto) => match Number::expect(&vm.image, *proto)? {
            Number::Double(_) => true,
            Number::Single(_) => false,
            _ => return Err(LispError::type_error(*proto, "FLOAT")),
        },
        None => matches!(n, Number::Double(_)),
    };
    value(match n {
        Number::Single(f) if double => Value::Double(f64::from(f)),
        Number::Single(f) => Value::Single(f),
        _ if double => Value::Double(n.to_f64()),
        _ => Value::Single(n.to_f64() as f32),
    })
}

fn expt(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let base = Number::expect(&vm.image, a[0])?;
    let power = Number::expect(&vm.image, a[1])?;
    if let Number::Integer(e) = &power {
        let Some(e) = e.to_i64().filter(|e| e.unsigned_abs() <= 1 << 24) else {
            return Err(LispError::unsupported("EXPT with an exponent this large"));
        };
        let result = match base {
            Number::Integer(b) => {
                if e >= 0 {
                    Number::Integer(num_traits::pow(b, e as usize))
                } else if b.is_zero() {
                    return Err(number::division_by_zero());
                } else {
                    Number::Ratio(BigRational::new(
                        BigInt::one(),
                        num_traits::pow(b, e.unsigned_abs() as usize),
                    ))
                }
            }
            Number::Ratio(q) => {
                let p = BigRational::new(
                    num_traits::pow(q.numer().clone(), e.unsigned_abs() as usize),
                    num_traits::pow(q.denom().clone(), e.unsigned_abs() as usize),
                );
                Number::Ratio(if e >= 0 { p } else { p.recip() })
            }
            Number::Single(f) => Number::Single(f.powi(e as i32)),
            Number::Double(f) => Number::Double(f.powi(e as i32)),
        };
        return value(result.into_value(&mut vm.image)?);
    }
    let b = base.to_f64();
    if b < 0.0 {
        return Err(LispError::unsupported(
            "complex numbers (EXPT of a negative number to a non-integer power)",
        ));
    }
    let r = b.powf(power.to_f64());
    if matches!(base, Number::Double(_)) || matches!(power, Number::Double(_)) {
        value(Value::Double(r))
    } else {
        value(Value::Single(r as f32))
    }
}
