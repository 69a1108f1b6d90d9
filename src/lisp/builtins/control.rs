//! Calling, evaluation, multiple values, errors, time.

use std::rc::Rc;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;

use super::super::compiler;
use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::number::Number;
use super::super::object::{Closure, Object};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::{NestedHost, Park, Vm};
use super::{BuiltinTable, Control, expect_list, value};

mod time;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "FUNCALL", (1, None), |_, _, a| {
        Ok(Control::call(a[0], a[1..].to_vec()))
    })?;
    table.define(image, cl, "APPLY", (1, None), |vm, _, a| {
        let (last, middle) = a[1..].split_last().unwrap_or((&Value::Nil, &[]));
        let mut args = middle.to_vec();
        args.extend(expect_list(&vm.image, *last)?);
        Ok(Control::call(a[0], args))
    })?;
    table.define(image, cl, "VALUES", (0, None), |_, thread, a| {
        thread.mv = Some(smallvec::SmallVec::from_slice(a));
        value(a.first().copied().unwrap_or(Value::Nil))
    })?;
    table.define(image, cl, "VALUES-LIST", (1, Some(1)), |vm, thread, a| {
        let values = expect_list(&vm.image, a[0])?;
        let first = values.first().copied().unwrap_or(Value::Nil);
        thread.mv = Some(values.into());
        value(first)
    })?;
    table.define(image, cl, "IDENTITY", (1, Some(1)), |_, _, a| value(a[0]))?;
    table.define(image, cl, "FUNCTIONP", (1, Some(1)), |vm, _, a| {
        let is = matches!(
            vm.image.object(a[0]),
            Some(Object::Closure(_) | Object::Builtin(_))
        );
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "EVAL", (1, Some(1)), |vm, thread, a| {
        if let Some(forms) = progn_forms(vm, a[0]) {
            let swankd = vm.image.pkg.swankd;
            let in_order = vm.image.intern("%EVAL-IN-ORDER", swankd)?;
            return Ok(Control::call(Value::Symbol(in_order), vec![forms]));
        }
        // While compiler notes are gathered, every form goes through the compiler that
        // makes them.
        if !vm.compile_notes.contains_key(&thread.id)
            && let Some((operator, arguments)) = compiler::simple_call(&vm.image, a[0])
        {
            return Ok(Control::call(Value::Symbol(operator), arguments));
        }
        let function = compile_to_function(vm, thread, a[0])?;
        Ok(Control::call(function, Vec::new()))
    })?;
    table.define(image, cl, "MACROEXPAND-1", (1, Some(2)), |vm, thread, a| {
        let env = a.get(1).copied().unwrap_or(Value::Nil);
        let (expansion, expanded) = macroexpand_1(vm, thread, a[0], env)?;
        thread.mv = Some(smallvec::smallvec![expansion, vm.image.boolean(expanded)]);
        value(expansion)
    })?;
    table.define(image, cl, "MACROEXPAND", (1, Some(2)), |vm, thread, a| {
        let env = a.get(1).copied().unwrap_or(Value::Nil);
        let mut form = a[0];
        let mut any = false;
        for _ in 0..10_000 {
            let (expansion, expanded) = macroexpand_1(vm, thread, form, env)?;
            if !expanded {
                break;
            }
            any = true;
            form = expansion;
        }
        thread.mv = Some(smallvec::smallvec![form, vm.image.boolean(any)]);
        value(form)
    })?;
    table.define(image, cl, "SLEEP", (1, Some(1)), |vm, _, a| {
        let seconds = Number::expect(&vm.image, a[0])?.to_f64();
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(LispError::type_error(a[0], "(REAL 0)"));
        }
        let duration = std::time::Duration::from_secs_f64(seconds.min(1.0e9));
        Ok(Control::park(Park::Sleep(duration)))
    })?;
    install_time(table, image)?;
    Ok(())
}

/// SBCL's unit: microseconds.
const INTERNAL_TIME_UNITS_PER_SECOND: i64 = 1_000_000;

thread_local! {
    static START: std::time::Instant = std::time::Instant::now();
}

fn install_time(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let units = image.intern("INTERNAL-TIME-UNITS-PER-SECOND", cl)?;
    image
        .packages
        .export(cl, Rc::from("INTERNAL-TIME-UNITS-PER-SECOND"));
    if let Some(symbol) = image.heap.symbol_mut(units) {
        symbol.value = Value::Fixnum(INTERNAL_TIME_UNITS_PER_SECOND);
        symbol.constant = true;
        symbol.special = true;
    }
    table.define(image, cl, "GET-UNIVERSAL-TIME", (0, Some(0)), |_, _, _| {
        value(Value::Fixnum(universal_now()))
    })?;
    table.define(
        image,
        cl,
        "GET-INTERNAL-REAL-TIME",
        (0, Some(0)),
        |_, _, _| {
            let elapsed = START.with(|start| start.elapsed());
            let nanos_per_unit = (1_000_000_000 / INTERNAL_TIME_UNITS_PER_SECOND) as u128;
            value(Value::Fixnum((elapsed.as_nanos() / nanos_per_unit) as i64))
        },
    )?;
    table.define(
        image,
        cl,
        "GET-INTERNAL-RUN-TIME",
        (0, Some(0)),
        |_, _, _| {
            let micros = time::run_time_micros();
            value(Value::Fixnum(
                micros * INTERNAL_TIME_UNITS_PER_SECOND / 1_000_000,
            ))
        },
    )?;
    table.define(
        image,
        cl,
        "DECODE-UNIVERSAL-TIME",
        (1, Some(2)),
        |vm, thread, a| {
            let universal = universal_time_arg(a[0])?;
            let zone = a.get(1).copied().unwrap_or(Value::Nil);
            decoded_values(vm, thread, universal, zone)
        },
    )?;
    table.define(
        image,
        cl,
        "GET-DECODED-TIME",
        (0, Some(0)),
        |vm, thread, _| decoded_values(vm, thread, universal_now(), Value::Nil),
    )?;
    table.define(
        image,
        cl,
        "ENCODE-UNIVERSAL-TIME",
        (6, Some(7)),
        |vm, _, a| {
            let second = ranged_arg(a[0], 0, 59, "(MOD 60)")?;
            let minute = ranged_arg(a[1], 0, 59, "(MOD 60)")?;
            let hour = ranged_arg(a[2], 0, 23, "(MOD 24)")?;
            let date = ranged_arg(a[3], 1, 31, "(INTEGER 1 31)")?;
            let month = ranged_arg(a[4], 1, 12, "(INTEGER 1 12)")?;
            let year = full_year(ranged_arg(a[5], 0, i64::MAX, "UNSIGNED-BYTE")?);
            let zone = a.get(6).copied().unwrap_or(Value::Nil);
            let local = time::encode(second, minute, hour, date, month, year)
                .ok_or_else(|| LispError::type_error(a[5], "(INTEGER 0 999999999)"))?;
            let universal = match zone_seconds_west(&vm.image, zone)? {
                Some(west) => local + west,
                None => time::universal_from_local(local),
            };
            if universal < 0 {
                let datum = Number::Integer(BigInt::from(universal)).into_value(&mut vm.image)?;
                return Err(LispError::type_error(datum, "UNSIGNED-BYTE"));
            }
            value(Value::Fixnum(universal))
        },
    )?;
    Ok(())
}

fn universal_now() -> i64 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    unix + time::UNIVERSAL_TIME_OF_UNIX_EPOCH
}

/// Returns DECODE-UNIVERSAL-TIME's nine values for `universal` in `zone` (NIL: the
/// machine's zone at that time).
fn decoded_values(
    vm: &mut Vm,
    thread: &mut LispThread,
    universal: i64,
    zone: Value,
) -> LispResult<Control> {
    let (local, daylight, zone) = match zone_seconds_west(&vm.image, zone)? {
        Some(west) => (universal - west, false, zone),
        None => {
            let local = time::local_zone(universal);
            let standard_west = i64::from(local.daylight) * 3600 - local.seconds_east;
            let hours_west = BigRational::new(BigInt::from(standard_west), BigInt::from(3600));
            let zone = Number::Ratio(hours_west).into_value(&mut vm.image)?;
            (universal + local.seconds_east, local.daylight, zone)
        }
    };
    let d = time::decode(local);
    let values = vec![
        Value::Fixnum(d.second),
        Value::Fixnum(d.minute),
        Value::Fixnum(d.hour),
        Value::Fixnum(d.date),
        Value::Fixnum(d.month),
        Value::Fixnum(d.year),
        Value::Fixnum(d.day_of_week),
        vm.image.boolean(daylight),
        zone,
    ];
    let first = values[0];
    thread.mv = Some(values.into());
    value(first)
}

/// A universal time: a non-negative fixnum.
fn universal_time_arg(datum: Value) -> LispResult<i64> {
    ranged_arg(datum, 0, i64::MAX, "UNSIGNED-BYTE")
}

fn ranged_arg(datum: Value, low: i64, high: i64, type_name: &str) -> LispResult<i64> {
    match datum {
        Value::Fixnum(n) if (low..=high).contains(&n) => Ok(n),
        _ => Err(LispError::type_error(datum, type_name)),
    }
}

/// A time zone argument in seconds west of Greenwich: `None` for NIL (the machine's zone),
/// else a rational number of hours from -24 to 24 that makes a whole number of seconds.
fn zone_seconds_west(image: &Image, zone: Value) -> LispResult<Option<i64>> {
    if matches!(zone, Value::Nil) {
        return Ok(None);
    }
    let hours = match Number::from_value(image, zone) {
        Some(Number::Integer(n)) => BigRational::from_integer(n),
        Some(Number::Ratio(q)) => q,
        _ => return Err(LispError::type_error(zone, "(OR NULL (RATIONAL -24 24))")),
    };
    let limit = BigRational::from_integer(BigInt::from(24));
    if hours > limit || hours < -limit {
        return Err(LispError::type_error(zone, "(OR NULL (RATIONAL -24 24))"));
    }
    let seconds = hours * BigRational::from_integer(BigInt::from(3600));
    match seconds.is_integer().then(|| seconds.to_integer().to_i64()) {
        Some(Some(seconds)) => Ok(Some(seconds)),
        _ => Err(LispError::type_error(
            zone,
            "(RATIONAL -24 24) of whole seconds",
        )),
    }
}

/// A year below 100 names the year with those last two digits within 50 years of now.
fn full_year(year: i64) -> i64 {
    if year >= 100 {
        return year;
    }
    let current = time::decode(universal_now()).year;
    let guess = year + (current - 50) / 100 * 100;
    if current - guess > 50 {
        guess + 100
    } else {
        guess
    }
}

/// The subforms of `(PROGN form form ...)` with more than one, which EVAL runs one after
/// another.
fn progn_forms(vm: &Vm, form: Value) -> Option<Value> {
    let Value::Cons(r) = form else {
        return None;
    };
    let (head, forms) = vm.image.heap.car_cdr(r);
    let progn = matches!(head, Value::Symbol(s) if s == vm.image.sym.progn);
    let several = vm
        .image
        .list_to_vec(forms)
        .is_some_and(|items| items.len() > 1);
    (progn && several).then_some(forms)
}

/// Compiles `form` into a function of no arguments.
pub fn compile_to_function(vm: &mut Vm, thread: &mut LispThread, form: Value) -> LispResult<Value> {
    let proto = {
        let mut host = NestedHost { vm, thread };
        compiler::compile_toplevel(&mut host, form)?
    };
    Ok(vm.image.heap.alloc(Object::Closure(Closure {
        proto: Rc::clone(&proto),
        captured: Box::new([]),
    }))?)
}

/// One step of macro expansion of `form` in `env` (an `&environment` value from the
/// compiler, or `NIL`): local macros and symbol macros first, then global macros.
fn macroexpand_1(
    vm: &mut Vm,
    thread: &mut LispThread,
    form: Value,
    env: Value,
) -> LispResult<(Value, bool)> {
    let (name, operator) = match form {
        Value::Cons(r) => match vm.image.heap.car_cdr(r).0 {
            Value::Symbol(sym) => (sym, true),
            _ => return Ok((form, false)),
        },
        Value::Symbol(sym) => (sym, false),
        _ => return Ok((form, false)),
    };
    match local_definition(vm, env, name, operator) {
        Some(LocalDefinition::Macro(expander)) => {
            let values = vm.call_nested(thread, expander, &[form, env])?;
            return Ok((values.first().copied().unwrap_or(Value::Nil), true));
        }
        Some(LocalDefinition::SymbolMacro(expansion)) => return Ok((expansion, true)),
        Some(LocalDefinition::Shadowed) => return Ok((form, false)),
        None => {}
    }
    let symbol = vm.image.heap.symbol(name);
    if !operator || !symbol.is_macro() {
        return Ok((form, false));
    }
    let expander = symbol.function;
    let values = vm.call_nested(thread, expander, &[form, env])?;
    Ok((values.first().copied().unwrap_or(Value::Nil), true))
}

enum LocalDefinition {
    Macro(Value),
    SymbolMacro(Value),
    /// A local function or variable of that name hides any macro.
    Shadowed,
}

/// What `name` means in the environment list the compiler builds (innermost first:
/// `(:MACRO name . expander)`, `(:SYMBOL-MACRO name . expansion)`, `(:FUNCTION name)`,
/// `(:VARIABLE name)`), in the function namespace if `operator`, else the variable one.
fn local_definition(
    vm: &Vm,
    env: Value,
    name: super::super::value::SymRef,
    operator: bool,
) -> Option<LocalDefinition> {
    let image = &vm.image;
    let keyword = |text: &str| {
        image
            .packages
            .find_symbol(image.pkg.keyword, text)
            .map(|(sym, _)| sym)
    };
    let (definition, shadow) = if operator {
        (keyword("MACRO"), keyword("FUNCTION"))
    } else {
        (keyword("SYMBOL-MACRO"), keyword("VARIABLE"))
    };
    for entry in image.list_to_vec(env)? {
        let Value::Cons(entry) = entry else { continue };
        let (kind, rest) = image.heap.car_cdr(entry);
        let Value::Cons(rest) = rest else { continue };
        let (entry_name, data) = image.heap.car_cdr(rest);
        if !matches!(entry_name, Value::Symbol(s) if s == name) {
            continue;
        }
        if matches!(kind, Value::Symbol(k) if Some(k) == definition) {
            return Some(if operator {
                LocalDefinition::Macro(data)
            } else {
                LocalDefinition::SymbolMacro(data)
            });
        }
        if matches!(kind, Value::Symbol(k) if Some(k) == shadow) {
            return Some(LocalDefinition::Shadowed);
        }
    }
    None
}
