//! `C-c C-d a`, `z` and `p`: `apropos-list-for-emacs`, the symbols whose names contain a
//! string, with what each names and its documentation's first line.

use std::collections::BTreeMap;

use crate::lisp::builtins::{BuiltinTable, expect_string, value};
use crate::lisp::error::LispResult;
use crate::lisp::image::Image;
use crate::lisp::object::Object;
use crate::lisp::package::PackageId;
use crate::lisp::print::{PrintOptions, print_to_string};
use crate::lisp::symbol::FunctionKind;
use crate::lisp::value::{SymRef, Value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    // (%APROPOS NAME EXTERNAL-ONLY CASE-SENSITIVE PACKAGE-OR-NIL CURRENT-PACKAGE)
    table.define(image, swankd, "%APROPOS", (5, Some(5)), |vm, _, a| {
        let name = expect_string(&vm.image, a[0])?;
        let external_only = a[1].truthy();
        let case_sensitive = a[2].truthy();
        let only_package = package_of(&vm.image, a[3]);
        let current = package_of(&vm.image, a[4]).unwrap_or(vm.image.pkg.cl_user);
        let wanted = if case_sensitive {
            name.clone()
        } else {
            name.to_uppercase()
        };
        let mut found: BTreeMap<String, SymRef> = BTreeMap::new();
        let options = PrintOptions::prin1(Some(current));
        for sym in vm.image.packages.all_symbols() {
            let symbol = vm.image.heap.symbol(sym);
            let home = symbol.package;
            if only_package.is_some() && home != only_package {
                continue;
            }
            let symbol_name = if case_sensitive {
                symbol.name.to_string()
            } else {
                symbol.name.to_uppercase()
            };
            if !symbol_name.contains(&wanted) || !names_something(&vm.image, sym) {
                continue;
            }
            if external_only
                && !home.is_some_and(|p| vm.image.packages.get(p).external.contains(&symbol.name))
            {
                continue;
            }
            found.insert(
                print_to_string(&vm.image, Value::Symbol(sym), &options),
                sym,
            );
        }
        let mut entries = Vec::new();
        for (designator, sym) in found {
            entries.push(entry(&mut vm.image, designator, sym)?);
        }
        value(vm.image.list(&entries)?)
    })?;
    Ok(())
}

fn package_of(image: &Image, value: Value) -> Option<PackageId> {
    match image.object(value) {
        Some(Object::Package(id)) => Some(*id),
        _ => None,
    }
}

fn names_something(image: &Image, sym: SymRef) -> bool {
    let symbol = image.heap.symbol(sym);
    symbol.special
        || !matches!(symbol.value, Value::Unbound)
        || !matches!(symbol.function, Value::Unbound)
        || is_special_operator(image, sym)
        || names_a_class(image, sym)
}

fn is_special_operator(image: &Image, sym: SymRef) -> bool {
    let name = &image.heap.symbol(sym).name;
    image.packages.find_external(image.pkg.cl, name) == Some(sym)
        && crate::lisp::builtin_arglists::is_special_operator_name(name)
}

/// Whether `DEFCLASS` (or the boot) made a class named `sym` (clos.lisp keeps it under the
/// property `SWANKD::%CLASS`, an instance whose slot 1 is the symbol holding its
/// definition, unbound if the unit of change that made it failed).
fn names_a_class(image: &Image, sym: SymRef) -> bool {
    let plist = image
        .list_to_vec(image.heap.symbol(sym).plist)
        .unwrap_or_default();
    let class = plist
        .chunks(2)
        .find(|pair| matches!(pair[0], Value::Symbol(k) if k == image.sym.class_property))
        .and_then(|pair| pair.get(1).copied());
    match class.and_then(|c| image.object(c)) {
        Some(Object::Instance(instance)) => match instance.slots.get(1) {
            Some(Value::Symbol(cell)) => !matches!(image.heap.symbol(*cell).value, Value::Unbound),
            _ => false,
        },
        _ => false,
    }
}

/// `(:designator "NAME" :variable DOC :function DOC)` with only the keys that apply
/// (`:macro` for a macro, `:special-operator` for a special operator, as SBCL's swank says).
fn entry(image: &mut Image, designator: String, sym: SymRef) -> LispResult<Value> {
    let symbol = image.heap.symbol(sym);
    let info = symbol.info.clone();
    let mut kinds: Vec<(&str, Option<String>)> = Vec::new();
    if symbol.special || !matches!(symbol.value, Value::Unbound) {
        kinds.push((
            "VARIABLE",
            info.as_ref()
                .and_then(|i| i.variable_doc.as_deref().map(str::to_string)),
        ));
    }
    if !matches!(symbol.function, Value::Unbound) {
        let kind = if symbol.function_kind == FunctionKind::Macro {
            "MACRO"
        } else {
            "FUNCTION"
        };
        kinds.push((
            kind,
            info.as_ref()
                .and_then(|i| i.function_doc.as_deref().map(str::to_string)),
        ));
    } else if is_special_operator(image, sym) {
        let doc = info
            .as_ref()
            .and_then(|i| i.function_doc.as_deref().map(str::to_string));
        kinds.push(("SPECIAL-OPERATOR", doc));
    }
    if names_a_class(image, sym) {
        kinds.push(("CLASS", None));
    }
    let mut items = vec![
        Value::Symbol(image.keyword("DESIGNATOR")?),
        image.string(designator)?,
    ];
    for (kind, doc) in kinds {
        items.push(Value::Symbol(image.keyword(kind)?));
        items.push(match doc {
            Some(doc) => image.string(doc.lines().next().unwrap_or_default().to_string())?,
            None => Value::Symbol(image.keyword("NOT-DOCUMENTED")?),
        });
    }
    Ok(image.list(&items)?)
}
