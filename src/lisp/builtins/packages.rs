//! The package system's functions: making, renaming and deleting packages, their use lists,
//! exports, imports and shadowing (`DEFPACKAGE` and `DO-SYMBOLS` are macros in the prelude
//! over these). Name conflicts between inherited symbols are not detected.

use std::rc::Rc;

use super::args::{expect_symbol, keyword_arg, string_designator};
use super::symbols::package_argument;
use super::{BuiltinTable, value};
use crate::lisp::error::{ErrorKind, LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::package::{Accessibility, PackageId};
use crate::lisp::value::{SymRef, Value};
use crate::lisp::vm::Vm;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "MAKE-PACKAGE", (1, None), |vm, thread, a| {
        let name = string_designator(&vm.image, a[0])?;
        if vm.image.packages.find(&name).is_some() {
            return Err(package_error(format!(
                "A package named \"{name}\" already exists."
            )));
        }
        let nicknames = keyword_arg(&mut vm.image, &a[1..], "NICKNAMES")?;
        let nicknames = names(vm, nicknames)?;
        let uses = keyword_arg(&mut vm.image, &a[1..], "USE")?;
        let id = vm.image.packages.create(&name, &[]);
        for nickname in &nicknames {
            vm.image.packages.add_nickname(id, nickname);
        }
        for used in designators(vm, uses) {
            let used = package_argument(vm, thread, Some(used))?;
            vm.image.packages.use_package_first(id, used);
        }
        package_object(vm, id)
    })?;
    table.define(
        image,
        cl,
        "DELETE-PACKAGE",
        (1, Some(1)),
        |vm, thread, a| {
            let Ok(id) = package_argument(vm, thread, Some(a[0])) else {
                return value(Value::Nil);
            };
            if !vm.image.packages.is_live(id) {
                return value(Value::Nil);
            }
            for user in vm.image.packages.used_by(id) {
                vm.image.packages.unuse_package(user, id);
            }
            vm.image.packages.delete(id);
            value(vm.image.t())
        },
    )?;
    table.define(
        image,
        cl,
        "RENAME-PACKAGE",
        (2, Some(3)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let name = string_designator(&vm.image, a[1])?;
            let nicknames = names(vm, a.get(2).copied())?;
            vm.image.packages.rename(id, &name, &nicknames);
            package_object(vm, id)
        },
    )?;
    table.define(image, cl, "LIST-ALL-PACKAGES", (0, Some(0)), |vm, _, _| {
        let ids: Vec<PackageId> = vm
            .image
            .packages
            .ids()
            .filter(|id| vm.image.packages.is_live(*id))
            .collect();
        package_list(vm, &ids)
    })?;
    table.define(
        image,
        cl,
        "PACKAGE-NICKNAMES",
        (1, Some(1)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let nicknames = vm.image.packages.get(id).nicknames.clone();
            string_list(&mut vm.image, nicknames)
        },
    )?;
    table.define(
        image,
        cl,
        "PACKAGE-USE-LIST",
        (1, Some(1)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let uses = vm.image.packages.get(id).uses.clone();
            package_list(vm, &uses)
        },
    )?;
    table.define(
        image,
        cl,
        "PACKAGE-USED-BY-LIST",
        (1, Some(1)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let users = vm.image.packages.used_by(id);
            package_list(vm, &users)
        },
    )?;
    table.define(
        image,
        cl,
        "PACKAGE-SHADOWING-SYMBOLS",
        (1, Some(1)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let package = vm.image.packages.get(id);
            let symbols: Vec<Value> = package
                .shadowing
                .iter()
                .filter_map(|name| package.present.get(name).copied())
                .map(Value::Symbol)
                .collect();
            value(vm.image.list(&symbols)?)
        },
    )?;
    table.define(image, cl, "USE-PACKAGE", (1, Some(2)), |vm, thread, a| {
        let user = package_argument(vm, thread, a.get(1).copied())?;
        for used in designators(vm, Some(a[0])) {
            let used = package_argument(vm, thread, Some(used))?;
            vm.image.packages.use_package_first(user, used);
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "UNUSE-PACKAGE", (1, Some(2)), |vm, thread, a| {
        let user = package_argument(vm, thread, a.get(1).copied())?;
        for used in designators(vm, Some(a[0])) {
            let used = package_argument(vm, thread, Some(used))?;
            vm.image.packages.unuse_package(user, used);
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "EXPORT", (1, Some(2)), |vm, thread, a| {
        let id = package_argument(vm, thread, a.get(1).copied())?;
        for sym in symbols(vm, a[0])? {
            let name = vm.image.symbol_name(sym);
            match vm.image.packages.find_symbol(id, &name) {
                Some((found, _)) if found == sym => {}
                _ => {
                    let shown = vm.image.heap.symbol(sym).name.clone();
                    let package = vm.image.packages.get(id).name.clone();
                    return Err(package_error(format!(
                        "The symbol {shown} is not accessible in package {package}."
                    )));
                }
            }
            vm.image.packages.add_present(id, name.clone(), sym);
            vm.image.packages.export(id, name);
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "UNEXPORT", (1, Some(2)), |vm, thread, a| {
        let id = package_argument(vm, thread, a.get(1).copied())?;
        for sym in symbols(vm, a[0])? {
            let name = vm.image.symbol_name(sym);
            vm.image.packages.unexport(id, &name);
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "IMPORT", (1, Some(2)), |vm, thread, a| {
        let id = package_argument(vm, thread, a.get(1).copied())?;
        for sym in symbols(vm, a[0])? {
            import(vm, id, sym, false)?;
        }
        value(vm.image.t())
    })?;
    table.define(
        image,
        cl,
        "SHADOWING-IMPORT",
        (1, Some(2)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, a.get(1).copied())?;
            for sym in symbols(vm, a[0])? {
                import(vm, id, sym, true)?;
            }
            value(vm.image.t())
        },
    )?;
    table.define(image, cl, "SHADOW", (1, Some(2)), |vm, thread, a| {
        let id = package_argument(vm, thread, a.get(1).copied())?;
        for name in names(vm, Some(a[0]))? {
            let name: Rc<str> = Rc::from(name.as_str());
            if !vm.image.packages.get(id).present.contains_key(&name) {
                let sym = vm.image.make_symbol(&name)?;
                if let Some(symbol) = vm.image.heap.symbol_mut(sym) {
                    symbol.package = Some(id);
                }
                vm.image.packages.add_present(id, name.clone(), sym);
            }
            let package = vm.image.packages.get_mut(id);
            if !package.shadowing.contains(&name) {
                package.shadowing.push(name);
            }
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "UNINTERN", (1, Some(2)), |vm, thread, a| {
        let sym = expect_symbol(&vm.image, a[0])?;
        let id = package_argument(vm, thread, a.get(1).copied())?;
        let name = vm.image.symbol_name(sym);
        if vm.image.packages.get(id).present.get(&name) != Some(&sym) {
            return value(Value::Nil);
        }
        vm.image.packages.remove_present(id, &name);
        if let Some(symbol) = vm.image.heap.symbol_mut(sym)
            && symbol.package == Some(id)
        {
            symbol.package = None;
        }
        value(vm.image.t())
    })?;
    table.define(image, cl, "FIND-ALL-SYMBOLS", (1, Some(1)), |vm, _, a| {
        let name = string_designator(&vm.image, a[0])?;
        let mut found: Vec<Value> = Vec::new();
        for package in vm.image.packages.all() {
            if let Some(sym) = package.present.get(name.as_str()) {
                let sym = Value::Symbol(*sym);
                if !found
                    .iter()
                    .any(|f| matches!((f, sym), (Value::Symbol(a), Value::Symbol(b)) if *a == b))
                {
                    found.push(sym);
                }
            }
        }
        value(vm.image.list(&found)?)
    })?;
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%PACKAGE-SYMBOLS",
        (2, Some(2)),
        |vm, thread, a| {
            let id = package_argument(vm, thread, Some(a[0]))?;
            let symbols = accessible_symbols(&vm.image, id, a[1].truthy());
            let symbols: Vec<Value> = symbols.into_iter().map(Value::Symbol).collect();
            value(vm.image.list(&symbols)?)
        },
    )?;
    Ok(())
}

/// The symbols accessible in `id` (present ones, then inherited externals not shadowed by
/// a present symbol of the same name), or only its external ones.
fn accessible_symbols(image: &Image, id: PackageId, external_only: bool) -> Vec<SymRef> {
    let package = image.packages.get(id);
    let mut names: Vec<&Rc<str>> = package
        .present
        .keys()
        .filter(|name| !external_only || package.external.contains(*name))
        .collect();
    names.sort();
    let mut symbols: Vec<SymRef> = names.iter().map(|name| package.present[*name]).collect();
    if !external_only {
        for used in &package.uses {
            let used = image.packages.get(*used);
            let mut inherited: Vec<&Rc<str>> = used
                .external
                .iter()
                .filter(|name| !package.present.contains_key(*name))
                .collect();
            inherited.sort();
            symbols.extend(inherited.iter().filter_map(|name| used.present.get(*name)));
        }
    }
    symbols
}

/// Makes `sym` present in `id`; a different symbol of that name already present is an
/// error unless `shadowing`, which replaces it.
fn import(vm: &mut Vm, id: PackageId, sym: SymRef, shadowing: bool) -> LispResult<()> {
    let name = vm.image.symbol_name(sym);
    match vm.image.packages.find_symbol(id, &name) {
        Some((existing, _)) if existing == sym => {}
        Some((_, Accessibility::Internal | Accessibility::External)) if !shadowing => {
            let package = vm.image.packages.get(id).name.clone();
            return Err(package_error(format!(
                "Importing {name} into {package} conflicts with the symbol of that name already there."
            )));
        }
        _ => {}
    }
    vm.image.packages.add_present(id, name.clone(), sym);
    if shadowing {
        let package = vm.image.packages.get_mut(id);
        if !package.shadowing.contains(&name) {
            package.shadowing.push(name);
        }
    }
    if let Some(symbol) = vm.image.heap.symbol_mut(sym)
        && symbol.package.is_none()
    {
        symbol.package = Some(id);
    }
    Ok(())
}

fn package_error(message: String) -> LispError {
    LispError::new(ErrorKind::PackageError, message)
}

fn package_object(vm: &mut Vm, id: PackageId) -> LispResult<super::Control> {
    value(vm.image.package_object(id)?)
}

fn package_list(vm: &mut Vm, ids: &[PackageId]) -> LispResult<super::Control> {
    let mut objects = Vec::with_capacity(ids.len());
    for id in ids {
        objects.push(vm.image.package_object(*id)?);
    }
    value(vm.image.list(&objects)?)
}

fn string_list(image: &mut Image, strings: Vec<String>) -> LispResult<super::Control> {
    let mut values = Vec::with_capacity(strings.len());
    for string in strings {
        values.push(image.string(string)?);
    }
    value(image.list(&values)?)
}

/// A designator for a list of designators: a list, or one designator.
fn designators(vm: &Vm, value: Option<Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Nil) => Vec::new(),
        Some(list @ Value::Cons(_)) => vm.image.list_to_vec(list).unwrap_or_default(),
        Some(single) => vec![single],
    }
}

/// Names from a string designator or a list of them.
fn names(vm: &Vm, value: Option<Value>) -> LispResult<Vec<String>> {
    designators(vm, value)
        .into_iter()
        .map(|designator| string_designator(&vm.image, designator))
        .collect()
}

/// Symbols from a symbol or a list of them.
fn symbols(vm: &Vm, value: Value) -> LispResult<Vec<SymRef>> {
    let items = match value {
        Value::Cons(_) => vm.image.list_to_vec(value).unwrap_or_default(),
        single => vec![single],
    };
    items
        .into_iter()
        .map(|item| expect_symbol(&vm.image, item))
        .collect()
}
