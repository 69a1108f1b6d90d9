//! Internal functions the compiler's lowering of defining forms and destructuring calls,
//! and `PROGV`'s binding and unbinding.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::symbol::{FunctionKind, SourceLocation};
use super::super::thread::LispThread;
use super::super::transaction::{Cell, Contents};
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_symbol, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    install_places(table, image)?;
    table.define(
        image,
        swankd,
        "%PROGV-BIND",
        (2, Some(2)),
        |vm, thread, a| {
            let depth = thread.bindings.len();
            let symbols = vm
                .image
                .list_to_vec(a[0])
                .ok_or_else(|| LispError::type_error(a[0], "LIST"))?;
            let values = vm
                .image
                .list_to_vec(a[1])
                .ok_or_else(|| LispError::type_error(a[1], "LIST"))?;
            let mut pairs = Vec::with_capacity(symbols.len());
            for (index, symbol) in symbols.iter().enumerate() {
                let sym = expect_symbol(&vm.image, *symbol)?;
                if vm.image.heap.symbol(sym).constant {
                    let name = vm.image.symbol_name(sym);
                    return Err(LispError::program(format!(
                        "{name} names a constant and cannot be bound"
                    )));
                }
                pairs.push((sym, values.get(index).copied().unwrap_or(Value::Unbound)));
            }
            for (sym, bound) in pairs {
                vm.bind_special(thread, sym, bound);
            }
            value(Value::Fixnum(depth as i64))
        },
    )?;
    table.define(
        image,
        swankd,
        "%UNBIND-TO",
        (1, Some(1)),
        |vm, thread, a| {
            if let Value::Fixnum(depth) = a[0]
                && depth >= 0
            {
                vm.unbind_to(thread, depth as usize);
            }
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%DEFUN", (4, Some(4)), |vm, t, a| {
        define_function(vm, t, a, FunctionKind::Function)
    })?;
    table.define(image, swankd, "%DEFMACRO", (4, Some(4)), |vm, t, a| {
        vm.macro_generation += 1;
        define_function(vm, t, a, FunctionKind::Macro)
    })?;
    table.define(
        image,
        swankd,
        "%MACRO-GENERATION",
        (0, Some(0)),
        |vm, _, _| value(Value::Fixnum(vm.macro_generation as i64)),
    )?;
    table.define(
        image,
        swankd,
        "%MACRO-ARGLISTS",
        (0, Some(0)),
        |vm, _, _| {
            let mut entries = Vec::new();
            let symbols: Vec<_> = vm.image.packages.all_symbols().collect();
            for sym in symbols {
                let symbol = vm.image.heap.symbol(sym);
                if !symbol.is_macro() {
                    continue;
                }
                let Some(arglist) = symbol
                    .info
                    .as_ref()
                    .and_then(|i| i.arglist.as_deref().map(str::to_string))
                else {
                    continue;
                };
                let arglist = vm.image.string(arglist)?;
                entries.push(vm.image.list(&[Value::Symbol(sym), arglist])?);
            }
            value(vm.image.list(&entries)?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%DECLARE-VARIABLE",
        (3, Some(3)),
        declare_variable,
    )?;
    table.define(
        image,
        swankd,
        "%SET-GLOBAL-VALUE",
        (2, Some(2)),
        |vm, thread, a| {
            let sym = expect_symbol(&vm.image, a[0])?;
            let contents = Contents {
                value: a[1],
                kind: FunctionKind::Function,
            };
            vm.write_global(thread, sym, Cell::Value, contents);
            value(a[0])
        },
    )?;
    table.define(
        image,
        swankd,
        "%SET-FUNCTION",
        (2, Some(2)),
        |vm, thread, a| {
            let sym = expect_symbol(&vm.image, a[0])?;
            let contents = Contents {
                value: a[1],
                kind: FunctionKind::Function,
            };
            vm.write_global(thread, sym, Cell::Function, contents);
            value(a[1])
        },
    )?;
    table.define(
        image,
        swankd,
        "%BEGIN-UNIT",
        (0, Some(0)),
        |vm, thread, _| {
            vm.begin_transaction(thread);
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%END-UNIT", (1, Some(1)), |vm, thread, a| {
        vm.end_transaction(thread, a[0].truthy());
        value(Value::Nil)
    })?;
    table.define(image, swankd, "%DL-CAR", (2, Some(2)), |vm, _, a| {
        match a[0] {
            Value::Cons(r) => value(vm.image.heap.car_cdr(r).0),
            _ => Err(destructuring_error(vm, "too few elements in", a[1])),
        }
    })?;
    table.define(image, swankd, "%DL-END", (2, Some(2)), |vm, _, a| {
        if a[0].is_nil() {
            value(Value::Nil)
        } else {
            Err(destructuring_error(vm, "too many elements in", a[1]))
        }
    })?;
    table.define(image, swankd, "%DL-KEY", (2, Some(2)), |vm, _, a| {
        let items = vm.image.list_to_vec(a[0]).unwrap_or_default();
        let found = items
            .chunks(2)
            .find(|pair| pair[0].eq(a[1]))
            .and_then(|pair| pair.get(1).copied());
        value(found.unwrap_or(Value::Unbound))
    })?;
    table.define(image, swankd, "%DL-CHECK-KEYS", (4, Some(4)), |vm, _, a| {
        let items = vm
            .image
            .list_to_vec(a[0])
            .ok_or_else(|| destructuring_error(vm, "a dotted list in", a[3]))?;
        if items.len() % 2 != 0 {
            return Err(destructuring_error(
                vm,
                "odd number of elements in keyword/value list",
                a[3],
            ));
        }
        let allowed = vm.image.list_to_vec(a[1]).unwrap_or_default();
        let allow_kw = Value::Symbol(vm.image.sym.allow_other_keys_kw);
        let allow_other = a[2].truthy()
            || items
                .chunks(2)
                .any(|pair| pair[0].eq(allow_kw) && pair[1].truthy());
        if !allow_other
            && let Some(pair) = items
                .chunks(2)
                .find(|pair| !allowed.iter().any(|k| k.eq(pair[0])) && !pair[0].eq(allow_kw))
        {
            let key = super::super::print::prin1_to_string(&vm.image, pair[0]);
            return Err(destructuring_error(
                vm,
                &format!("unknown keyword {key} in"),
                a[3],
            ));
        }
        value(Value::Nil)
    })?;
    Ok(())
}

fn destructuring_error(vm: &Vm, what: &str, whole: Value) -> LispError {
    let text = super::super::print::prin1_to_string(&vm.image, whole);
    LispError::program(format!(
        "Error while parsing arguments to DESTRUCTURING-BIND:\n  {what}\n    {text}"
    ))
}

fn define_function(
    vm: &mut Vm,
    thread: &mut LispThread,
    a: &[Value],
    kind: FunctionKind,
) -> LispResult<Control> {
    let sym = expect_symbol(&vm.image, a[0])?;
    let doc = vm.image.as_str(a[2]).map(str::to_string);
    let arglist = super::super::print::prin1_to_string(&vm.image, a[3]);
    let contents = Contents { value: a[1], kind };
    vm.write_global(thread, sym, Cell::Function, contents);
    let source = source_location(vm, thread);
    if let Some(symbol) = vm.image.heap.symbol_mut(sym) {
        let info = symbol.info_mut();
        info.function_source = source.map(Box::new);
        info.function_doc = doc.map(String::into_boxed_str);
        info.arglist = Some(arglist.into_boxed_str());
    }
    value(a[0])
}

fn declare_variable(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let sym = expect_symbol(&vm.image, a[0])?;
    let kind = vm
        .image
        .as_symbol(a[1])
        .map(|k| vm.image.symbol_name(k).to_string())
        .unwrap_or_default();
    let doc = vm.image.as_str(a[2]).map(str::to_string);
    let unbound = vm.symbol_value(thread, sym).is_err();
    let source = source_location(vm, thread);
    if let Some(symbol) = vm.image.heap.symbol_mut(sym) {
        symbol.special = true;
        if source.is_some() {
            symbol.info_mut().variable_source = source.map(Box::new);
        }
        if doc.is_some() {
            symbol.info_mut().variable_doc = doc.map(String::into_boxed_str);
        }
    }
    let set_value = match kind.as_str() {
        "VAR" => unbound,
        _ => true,
    };
    if kind == "CONSTANT"
        && let Some(symbol) = vm.image.heap.symbol_mut(sym)
    {
        symbol.constant = true;
    }
    value(vm.image.boolean(set_value))
}

pub fn install_places(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%SET-CAR", (2, Some(2)), |vm, _, a| {
        set_cons(vm, a, true)
    })?;
    table.define(image, swankd, "%SET-CDR", (2, Some(2)), |vm, _, a| {
        set_cons(vm, a, false)
    })?;
    table.define(
        image,
        swankd,
        "%FIND-PACKAGE-OR-LOSE",
        (1, Some(1)),
        |vm, thread, a| {
            let id = super::symbols::package_argument(vm, thread, Some(a[0]))?;
            value(vm.image.package_object(id)?)
        },
    )?;
    Ok(())
}

fn set_cons(vm: &mut Vm, a: &[Value], car: bool) -> LispResult<Control> {
    let Value::Cons(r) = a[0] else {
        return Err(LispError::type_error(a[0], "CONS"));
    };
    if car {
        vm.image.heap.set_car(r, a[1]);
    } else {
        vm.image.heap.set_cdr(r, a[1]);
    }
    value(a[1])
}

/// Where the definition being evaluated comes from: `SWANKD::*SOURCE-ORIGIN*` says which
/// file or Emacs buffer the text was read from, `SWANKD::*FORM-START*` where the top-level
/// form starts in it (a character index). `None` for definitions typed at the REPL.
fn source_location(vm: &Vm, thread: &LispThread) -> Option<SourceLocation> {
    let s = vm.image.sym;
    let origin = vm.symbol_value(thread, s.source_origin).ok()?;
    let start = match vm.symbol_value(thread, s.form_start).ok()? {
        Value::Fixnum(start) => usize::try_from(start).ok()?,
        _ => return None,
    };
    let parts = vm.image.list_to_vec(origin)?;
    let kind = vm.image.as_symbol(*parts.first()?)?;
    let text = |index: usize| {
        parts
            .get(index)
            .and_then(|v| vm.image.as_str(*v))
            .map(str::to_string)
    };
    match &*vm.image.symbol_name(kind) {
        "FILE" => Some(SourceLocation::File {
            path: text(1)?,
            position: start + 1,
        }),
        "BUFFER" => {
            let buffer_start = match parts.get(2) {
                Some(Value::Fixnum(n)) => usize::try_from(*n).ok()?,
                _ => 1,
            };
            Some(SourceLocation::Buffer {
                name: text(1)?,
                offset: buffer_start + start,
                file: text(3),
            })
        }
        _ => None,
    }
}
