//! Arithmetic, comparison and numeric predicates.

use std::cmp::Ordering;

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::number::{self, Arith, Number, Rounding};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "+", (0, None), add)?;
    table.define(image, cl, "-", (1, None), subtract)?;
    table.define(image, cl, "*", (0, None), multiply)?;
    table.define(image, cl, "/", (1, None), divide)?;
    table.define(image, cl, "=", (1, None), |vm, _, args| {
        compare_chain(vm, args, |o| o == Ordering::Equal)
    })?;
    table.define(image, cl, "<", (1, None), |vm, _, args| {
        compare_chain(vm, args, |o| o == Ordering::Less)
    })?;
    table.define(image, cl, ">", (1, None), |vm, _, args| {
        compare_chain(vm, args, |o| o == Ordering::Greater)
    })?;
    table.define(image, cl, "<=", (1, None), |vm, _, args| {
        compare_chain(vm, args, |o| o != Ordering::Greater)
    })?;
    table.define(image, cl, ">=", (1, None), |vm, _, args| {
        compare_chain(vm, args, |o| o != Ordering::Less)
    })?;
    table.define(image, cl, "/=", (1, None), not_equal)?;
    table.define(image, cl, "1+", (1, Some(1)), |vm, _, a| {
        value(number::arith_values(
            &mut vm.image,
            Arith::Add,
            a[0],
            Value::Fixnum(1),
        )?)
    })?;
    table.define(image, cl, "1-", (1, Some(1)), |vm, _, a| {
        value(number::arith_values(
            &mut vm.image,
            Arith::Sub,
            a[0],
            Value::Fixnum(1),
        )?)
    })?;
    table.define(image, cl, "MIN", (1, None), |vm, _, a| {
        extremum(vm, a, Ordering::Less)
    })?;
    table.define(image, cl, "MAX", (1, None), |vm, _, a| {
        extremum(vm, a, Ordering::Greater)
    })?;
    table.define(image, cl, "ABS", (1, Some(1)), abs)?;
    table.define(image, cl, "FLOOR", (1, Some(2)), |vm, t, a| {
        rounding(vm, t, a, Rounding::Floor)
    })?;
    table.define(image, cl, "CEILING", (1, Some(2)), |vm, t, a| {
        rounding(vm, t, a, Rounding::Ceiling)
    })?;
    table.define(image, cl, "TRUNCATE", (1, Some(2)), |vm, t, a| {
        rounding(vm, t, a, Rounding::Truncate)
    })?;
    table.define(image, cl, "ROUND", (1, Some(2)), |vm, t, a| {
        rounding(vm, t, a, Rounding::Round)
    })?;
    table.define(image, cl, "MOD", (2, Some(2)), |vm, t, a| {
        remainder(vm, t, a, Rounding::Floor)
    })?;
    table.define(image, cl, "REM", (2, Some(2)), |vm, t, a| {
        remainder(vm, t, a, Rounding::Truncate)
    })?;
    table.define(image, cl, "ZEROP", (1, Some(1)), |vm, _, a| {
        sign_test(vm, a[0], |o| o == Ordering::Equal)
    })?;
    table.define(image, cl, "PLUSP", (1, Some(1)), |vm, _, a| {
        sign_test(vm, a[0], |o| o == Ordering::Greater)
    })?;
    table.define(image, cl, "MINUSP", (1, Some(1)), |vm, _, a| {
        sign_test(vm, a[0], |o| o == Ordering::Less)
    })?;
    table.define(image, cl, "EVENP", (1, Some(1)), |vm, _, a| {
        parity(vm, a[0], true)
    })?;
    table.define(image, cl, "ODDP", (1, Some(1)), |vm, _, a| {
        parity(vm, a[0], false)
    })?;
    table.define(image, cl, "NUMBERP", (1, Some(1)), |vm, _, a| {
        value(
            vm.image
                .boolean(Number::from_value(&vm.image, a[0]).is_some()),
        )
    })?;
    table.define(image, cl, "INTEGERP", (1, Some(1)), |vm, _, a| {
        let is = matches!(
            Number::from_value(&vm.image, a[0]),
            Some(Number::Integer(_))
        );
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "RATIONALP", (1, Some(1)), |vm, _, a| {
        let is = matches!(
            Number::from_value(&vm.image, a[0]),
            Some(Number::Integer(_) | Number::Ratio(_))
        );
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "FLOATP", (1, Some(1)), |vm, _, a| {
        value(
            vm.image
                .boolean(matches!(a[0], Value::Single(_) | Value::Double(_))),
        )
    })?;
    Ok(())
}

fn fold(vm: &mut Vm, op: Arith, start: Value, args: &[Value]) -> LispResult<Value> {
    let mut acc = start;
    for arg in args {
        acc = number::arith_values(&mut vm.image, op, acc, *arg)?;
    }
    Ok(acc)
}

fn check_number(vm: &Vm, value: Value) -> LispResult<Value> {
    Number::expect(&vm.image, value).map(|_| value)
}

fn add(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    match args {
        [] => value(Value::Fixnum(0)),
        [only] => value(check_number(vm, *only)?),
        [first, rest @ ..] => value(fold(vm, Arith::Add, *first, rest)?),
    }
}

fn multiply(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    match args {
        [] => value(Value::Fixnum(1)),
        [only] => value(check_number(vm, *only)?),
        [first, rest @ ..] => value(fold(vm, Arith::Mul, *first, rest)?),
    }
}

fn subtract(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    match args {
        [only] => value(number::arith_values(
            &mut vm.image,
            Arith::Sub,
            Value::Fixnum(0),
            *only,
        )?),
        [first, rest @ ..] => value(fold(vm, Arith::Sub, *first, rest)?),
        [] => Err(LispError::program("invalid number of arguments: 0")),
    }
}

fn divide(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    match args {
        [only] => value(number::arith_values(
            &mut vm.image,
            Arith::Div,
            Value::Fixnum(1),
            *only,
        )?),
        [first, rest @ ..] => value(fold(vm, Arith::Div, *first, rest)?),
        [] => Err(LispError::program("invalid number of arguments: 0")),
    }
}

fn compare_chain(vm: &mut Vm, args: &[Value], test: fn(Ordering) -> bool) -> LispResult<Control> {
    if let [only] = args {
        check_number(vm, *only)?;
        return value(vm.image.t());
    }
    let mut result = true;
    for pair in args.windows(2) {
        let ordering = number::compare_values(&vm.image, pair[0], pair[1])?;
        if !ordering.is_some_and(test) {
            result = false;
        }
    }
    value(vm.image.boolean(result))
}

fn not_equal(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    for (i, a) in args.iter().enumerate() {
        for b in &args[i + 1..] {
            if number::compare_values(&vm.image, *a, *b)? == Some(Ordering::Equal) {
                return value(Value::Nil);
            }
        }
    }
    if let [only] = args {
        check_number(vm, *only)?;
    }
    value(vm.image.t())
}

fn extremum(vm: &mut Vm, args: &[Value], keep: Ordering) -> LispResult<Control> {
    let mut best = check_number(vm, args[0])?;
    for arg in &args[1..] {
        if number::compare_values(&vm.image, *arg, best)? == Some(keep) {
            best = *arg;
        }
    }
    value(best)
}

fn abs(vm: &mut Vm, _: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let negative =
        number::compare_values(&vm.image, args[0], Value::Fixnum(0))? == Some(Ordering::Less);
    if negative {
        value(number::arith_values(
            &mut vm.image,
            Arith::Sub,
            Value::Fixnum(0),
            args[0],
        )?)
    } else {
        value(check_number(vm, args[0])?)
    }
}

fn rounding(
    vm: &mut Vm,
    thread: &mut LispThread,
    args: &[Value],
    mode: Rounding,
) -> LispResult<Control> {
    let a = Number::expect(&vm.image, args[0])?;
    let b = match args.get(1) {
        Some(divisor) => Number::expect(&vm.image, *divisor)?,
        None => Number::Integer(1.into()),
    };
    let (q, r) = number::divide(mode, a, b)?;
    let q = q.into_value(&mut vm.image)?;
    let r = r.into_value(&mut vm.image)?;
    thread.mv = Some(smallvec::smallvec![q, r]);
    value(q)
}

fn remainder(
    vm: &mut Vm,
    _: &mut LispThread,
    args: &[Value],
    mode: Rounding,
) -> LispResult<Control> {
    if let (Value::Fixnum(a), Value::Fixnum(b)) = (args[0], args[1])
        && b != 0
        && b != -1
    {
        return value(Value::Fixnum(match mode {
            Rounding::Floor => a.rem_euclid(b) + if b < 0 && a.rem_euclid(b) != 0 { b } else { 0 },
            _ => a % b,
        }));
    }
    let a = Number::expect(&vm.image, args[0])?;
    let b = Number::expect(&vm.image, args[1])?;
    let (_, r) = number::divide(mode, a, b)?;
    value(r.into_value(&mut vm.image)?)
}

fn sign_test(vm: &mut Vm, arg: Value, test: fn(Ordering) -> bool) -> LispResult<Control> {
    let ordering = number::compare_values(&vm.image, arg, Value::Fixnum(0))?;
    value(vm.image.boolean(ordering.is_some_and(test)))
}

fn parity(vm: &mut Vm, arg: Value, even: bool) -> LispResult<Control> {
    let is_even = match Number::from_value(&vm.image, arg) {
        Some(Number::Integer(n)) => !n.bit(0),
        _ => return Err(LispError::type_error(arg, "INTEGER")),
    };
    value(vm.image.boolean(is_even == even))
}
