//! Symbols, their cells, and packages.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::package::{Accessibility, PackageId};
use super::super::symbol::FunctionKind;
use super::super::transaction::{Cell, Contents};
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, expect_symbol, string_designator, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "SYMBOLP", (1, Some(1)), |vm, _, a| {
        value(
            vm.image
                .boolean(matches!(a[0], Value::Symbol(_) | Value::Nil)),
        )
    })?;
    table.define(image, cl, "KEYWORDP", (1, Some(1)), |vm, _, a| {
        let is = matches!(a[0], Value::Symbol(s) if vm.image.is_keyword(s));
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "SYMBOL-NAME", (1, Some(1)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let name = vm.image.symbol_name(sym).to_string();
        value(vm.image.string(name)?)
    })?;
    table.define(image, cl, "SYMBOL-PACKAGE", (1, Some(1)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        match vm.image.heap.symbol(sym).package {
            Some(id) => value(vm.image.package_object(id)?),
            None => value(Value::Nil),
        }
    })?;
    table.define(image, cl, "SYMBOL-VALUE", (1, Some(1)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        value(vm.symbol_value(thread, sym)?)
    })?;
    table.define(image, cl, "SET", (2, Some(2)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        vm.set_symbol_value(thread, sym, a[1])?;
        value(a[1])
    })?;
    table.define(image, cl, "BOUNDP", (1, Some(1)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        value(vm.image.boolean(vm.symbol_value(thread, sym).is_ok()))
    })?;
    table.define(image, cl, "MAKUNBOUND", (1, Some(1)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        if !vm.image.heap.symbol(sym).constant {
            let unbound = Contents {
                value: Value::Unbound,
                kind: FunctionKind::Function,
            };
            vm.write_global(thread, sym, Cell::Value, unbound);
        }
        value(a[0])
    })?;
    table.define(image, cl, "FBOUNDP", (1, Some(1)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let bound = !matches!(vm.image.heap.symbol(sym).function, Value::Unbound);
        value(vm.image.boolean(bound))
    })?;
    table.define(image, cl, "DOCUMENTATION", (2, Some(2)), |vm, _, a| {
        let Some(sym) = vm.image.as_symbol(a[0]) else {
            return value(Value::Nil);
        };
        let info = vm.image.heap.symbol(sym).info.as_deref();
        let variable = vm
            .image
            .as_symbol(a[1])
            .is_some_and(|kind| &*vm.image.symbol_name(kind) == "VARIABLE");
        let doc = info.and_then(|i| {
            if variable {
                i.variable_doc.as_deref().map(str::to_string)
            } else {
                i.function_doc.as_deref().map(str::to_string)
            }
        });
        match doc {
            Some(doc) => value(vm.image.string(doc)?),
            None => value(Value::Nil),
        }
    })?;
    table.define(image, cl, "SPECIAL-OPERATOR-P", (1, Some(1)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let name = &vm.image.heap.symbol(sym).name;
        let special = vm.image.packages.find_external(vm.image.pkg.cl, name) == Some(sym)
            && crate::lisp::builtin_arglists::is_special_operator_name(name);
        value(vm.image.boolean(special))
    })?;
    table.define(image, cl, "FMAKUNBOUND", (1, Some(1)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let unbound = Contents {
            value: Value::Unbound,
            kind: FunctionKind::Function,
        };
        vm.write_global(thread, sym, Cell::Function, unbound);
        value(a[0])
    })?;
    table.define(image, cl, "SYMBOL-FUNCTION", (1, Some(1)), symbol_function)?;
    table.define(image, cl, "FDEFINITION", (1, Some(1)), symbol_function)?;
    table.define(image, cl, "MACRO-FUNCTION", (1, Some(2)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let symbol = vm.image.heap.symbol(sym);
        value(if symbol.is_macro() {
            symbol.function
        } else {
            Value::Nil
        })
    })?;
    table.define(image, cl, "SYMBOL-PLIST", (1, Some(1)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        value(vm.image.heap.symbol(sym).plist)
    })?;
    table.define(image, cl, "GET", (2, Some(3)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let plist = vm
            .image
            .list_to_vec(vm.image.heap.symbol(sym).plist)
            .unwrap_or_default();
        let found = plist
            .chunks(2)
            .find(|pair| pair[0].eq(a[1]))
            .and_then(|pair| pair.get(1).copied());
        value(found.unwrap_or(a.get(2).copied().unwrap_or(Value::Nil)))
    })?;
    table.define(image, image.pkg.swankd, "%PUT", (3, Some(3)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let mut plist = vm
            .image
            .list_to_vec(vm.image.heap.symbol(sym).plist)
            .unwrap_or_default();
        match plist.chunks_mut(2).find(|pair| pair[0].eq(a[1])) {
            Some(pair) if pair.len() == 2 => pair[1] = a[2],
            _ => {
                plist.insert(0, a[2]);
                plist.insert(0, a[1]);
            }
        }
        let list = vm.image.list(&plist)?;
        if let Some(symbol) = vm.image.heap.symbol_mut(sym) {
            symbol.plist = list;
        }
        value(a[2])
    })?;
    table.define(
        image,
        image.pkg.swankd,
        "%CONSTANT-SYMBOL-P",
        (1, Some(1)),
        |vm, _, a| {
            let sym = expect_symbol(&vm.image, a[0])?;
            value(vm.image.boolean(vm.image.heap.symbol(sym).constant))
        },
    )?;
    table.define(image, cl, "REMPROP", (2, Some(2)), |vm, _, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let mut plist = vm
            .image
            .list_to_vec(vm.image.heap.symbol(sym).plist)
            .unwrap_or_default();
        let Some(index) = plist.chunks(2).position(|pair| pair[0].eq(a[1])) else {
            return value(Value::Nil);
        };
        // Like SBCL, answers the part of the list that began with the property.
        let removed = vm.image.list(&plist[2 * index..])?;
        let end = (2 * index + 2).min(plist.len());
        plist.drain(2 * index..end);
        let list = vm.image.list(&plist)?;
        if let Some(symbol) = vm.image.heap.symbol_mut(sym) {
            symbol.plist = list;
        }
        value(removed)
    })?;
    table.define(image, cl, "MAKE-SYMBOL", (1, Some(1)), |vm, _, a| {
        let name = string_designator(&vm.image, a[0])?;
        value(Value::Symbol(vm.image.make_symbol(&name)?))
    })?;
    table.define(image, cl, "GENSYM", (0, Some(1)), |vm, _, a| {
        let prefix = match a.first() {
            Some(v) => string_designator(&vm.image, *v)?,
            None => "G".to_string(),
        };
        value(Value::Symbol(vm.image.gensym(&prefix)?))
    })?;
    table.define(image, cl, "INTERN", (1, Some(2)), |vm, thread, a| {
        let name = string_designator(&vm.image, a[0])?;
        let package = package_argument(vm, thread, a.get(1).copied())?;
        let existing = vm.image.packages.find_symbol(package, &name);
        let sym = vm.image.intern(&name, package)?;
        let status = status_keyword(vm, existing.map(|(_, access)| access))?;
        thread.mv = Some(smallvec::smallvec![vm.image.symbol_value_of(sym), status]);
        value(vm.image.symbol_value_of(sym))
    })?;
    table.define(image, cl, "FIND-SYMBOL", (1, Some(2)), |vm, thread, a| {
        let name = string_designator(&vm.image, a[0])?;
        let package = package_argument(vm, thread, a.get(1).copied())?;
        match vm.image.packages.find_symbol(package, &name) {
            Some((sym, access)) => {
                let status = status_keyword(vm, Some(access))?;
                let sym = vm.image.symbol_value_of(sym);
                thread.mv = Some(smallvec::smallvec![sym, status]);
                value(sym)
            }
            None => {
                thread.mv = Some(smallvec::smallvec![Value::Nil, Value::Nil]);
                value(Value::Nil)
            }
        }
    })?;
    table.define(image, cl, "FIND-PACKAGE", (1, Some(1)), |vm, _, a| {
        if let Some(Object::Package(_)) = vm.image.object(a[0]) {
            return value(a[0]);
        }
        let name = string_designator(&vm.image, a[0])?;
        match vm.image.packages.find(&name) {
            Some(id) => value(vm.image.package_object(id)?),
            None => value(Value::Nil),
        }
    })?;
    table.define(image, cl, "PACKAGE-NAME", (1, Some(1)), |vm, thread, a| {
        let id = package_argument(vm, thread, Some(a[0]))?;
        let name = vm.image.packages.get(id).name.clone();
        value(vm.image.string(name)?)
    })?;
    table.define(image, cl, "PACKAGEP", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Package(_)));
        value(vm.image.boolean(is))
    })?;
    Ok(())
}

fn symbol_function(
    vm: &mut Vm,
    _: &mut super::super::thread::LispThread,
    a: &[Value],
) -> LispResult<super::Control> {
    let sym = expect_symbol(&vm.image, a[0])?;
    let function = vm.image.heap.symbol(sym).function;
    if matches!(function, Value::Unbound) {
        let name = super::super::print::prin1_to_string(&vm.image, a[0]);
        return Err(LispError::new(
            ErrorKind::UndefinedFunction(a[0]),
            format!("The function {name} is undefined."),
        ));
    }
    value(function)
}

fn status_keyword(vm: &mut Vm, access: Option<Accessibility>) -> LispResult<Value> {
    let name = match access {
        None => return Ok(Value::Nil),
        Some(Accessibility::Internal) => "INTERNAL",
        Some(Accessibility::External) => "EXTERNAL",
        Some(Accessibility::Inherited) => "INHERITED",
    };
    Ok(Value::Symbol(vm.image.keyword(name)?))
}

/// A package designator argument, defaulting to `*PACKAGE*`.
pub fn package_argument(
    vm: &mut Vm,
    thread: &mut super::super::thread::LispThread,
    designator: Option<Value>,
) -> LispResult<PackageId> {
    let designator = match designator {
        Some(v) => v,
        None => vm.symbol_value(thread, vm.image.sym.package_var)?,
    };
    if let Some(Object::Package(id)) = vm.image.object(designator) {
        return Ok(*id);
    }
    let name = string_designator(&vm.image, designator)?;
    vm.image.packages.find(&name).ok_or_else(|| {
        LispError::new(
            ErrorKind::PackageError,
            format!("The name \"{name}\" does not designate any package."),
        )
    })
}
