//! Calling, evaluation, multiple values, errors, time.

use std::rc::Rc;

use super::super::compiler;
use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::{Closure, Object};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::{NestedHost, Park, Vm};
use super::{BuiltinTable, Control, expect_list, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "FUNCALL", (1, None), |_, _, a| {
        Ok(Control::Call(a[0], a[1..].to_vec()))
    })?;
    table.define(image, cl, "APPLY", (1, None), |vm, _, a| {
        let (last, middle) = a[1..].split_last().unwrap_or((&Value::Nil, &[]));
        let mut args = middle.to_vec();
        args.extend(expect_list(&vm.image, *last)?);
        Ok(Control::Call(a[0], args))
    })?;
    table.define(image, cl, "VALUES", (0, None), |_, thread, a| {
        thread.mv = Some(a.to_vec());
        value(a.first().copied().unwrap_or(Value::Nil))
    })?;
    table.define(image, cl, "VALUES-LIST", (1, Some(1)), |vm, thread, a| {
        let values = expect_list(&vm.image, a[0])?;
        let first = values.first().copied().unwrap_or(Value::Nil);
        thread.mv = Some(values);
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
        let function = compile_to_function(vm, thread, a[0])?;
        Ok(Control::Call(function, Vec::new()))
    })?;
    table.define(image, cl, "MACROEXPAND-1", (1, Some(2)), |vm, thread, a| {
        let (expansion, expanded) = macroexpand_1(vm, thread, a[0])?;
        thread.mv = Some(vec![expansion, vm.image.boolean(expanded)]);
        value(expansion)
    })?;
    table.define(image, cl, "MACROEXPAND", (1, Some(2)), |vm, thread, a| {
        let mut form = a[0];
        let mut any = false;
        for _ in 0..10_000 {
            let (expansion, expanded) = macroexpand_1(vm, thread, form)?;
            if !expanded {
                break;
            }
            any = true;
            form = expansion;
        }
        thread.mv = Some(vec![form, vm.image.boolean(any)]);
        value(form)
    })?;
    table.define(image, cl, "SLEEP", (1, Some(1)), |vm, _, a| {
        let seconds = super::super::number::Number::expect(&vm.image, a[0])?.to_f64();
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(LispError::type_error(a[0], "(REAL 0)"));
        }
        let duration = std::time::Duration::from_secs_f64(seconds.min(1.0e9));
        Ok(Control::Park(Park::Sleep(duration)))
    })?;
    table.define(image, cl, "GET-UNIVERSAL-TIME", (0, Some(0)), |_, _, _| {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        value(Value::Fixnum(unix + UNIVERSAL_TIME_OF_UNIX_EPOCH))
    })?;
    table.define(
        image,
        cl,
        "GET-INTERNAL-REAL-TIME",
        (0, Some(0)),
        |_, _, _| {
            let micros = START.with(|start| start.elapsed().as_micros() as i64);
            value(Value::Fixnum(micros))
        },
    )?;
    Ok(())
}

const UNIVERSAL_TIME_OF_UNIX_EPOCH: i64 = 2_208_988_800;

thread_local! {
    static START: std::time::Instant = std::time::Instant::now();
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

fn macroexpand_1(vm: &mut Vm, thread: &mut LispThread, form: Value) -> LispResult<(Value, bool)> {
    let Value::Cons(r) = form else {
        return Ok((form, false));
    };
    let (head, _) = vm.image.heap.car_cdr(r);
    let Value::Symbol(sym) = head else {
        return Ok((form, false));
    };
    let symbol = vm.image.heap.symbol(sym);
    if !symbol.is_macro() {
        return Ok((form, false));
    }
    let expander = symbol.function;
    let values = vm.call_nested(thread, expander, &[form, Value::Nil])?;
    Ok((values.first().copied().unwrap_or(Value::Nil), true))
}
