//! The fast paths of CLOS (`clos.lisp` has the whole story): calling a generic function
//! whose arguments' classes are in its inline cache, and reading or writing a slot of an
//! up-to-date instance. Anything else goes on in Lisp: these builtins then call the Lisp
//! function that does the general case (`Control::call`), so they never decide more than
//! the Lisp code would.
//!
//! Shapes read here (kept in step with clos.lisp): a class or generic function is an
//! instance whose slot 1 is a symbol holding its definition vector; a class definition's
//! element 4 is its layout; a method table's element 2 is the `*CLASS-EPOCH*` its caches
//! are valid for, element 3 lists EQL specializer values (NIL: none), element 4 is the
//! number of required arguments and element 6 the inline cache, a list of
//! `(KEY . EFFECTIVE-METHOD)` where KEY is the class (one required argument) or the list of
//! classes. A generic function's function is a closure named `SWANKD::%GENERIC-FUNCTION`
//! whose first captured value is its instance.

use super::super::error::LispResult;
use super::super::image::Image;
use super::super::object::Object;
use super::super::value::{SymRef, Value};
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

const TABLE_EPOCH: usize = 2;
const TABLE_EQLS: usize = 3;
const TABLE_REQUIRED: usize = 4;
const TABLE_INLINE_CACHE: usize = 6;
const DEF_LAYOUT: usize = 4;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let (swankd, cl) = (image.pkg.swankd, image.pkg.cl);
    // The generic function (an instance) a function calls, or NIL: generic functions are
    // closures named SWANKD::%GENERIC-FUNCTION over their instance.
    table.define(
        image,
        swankd,
        "%GENERIC-FUNCTION-OF",
        (1, Some(1)),
        |vm, _, a| {
            let code = Value::Symbol(vm.image.sym.generic_function_code);
            match vm.image.object(a[0]) {
                Some(Object::Closure(c)) if c.proto.name.eq(code) => {
                    value(c.captured.first().copied().unwrap_or(Value::Nil))
                }
                _ => value(Value::Nil),
            }
        },
    )?;
    // The symbol whose function cell holds the function named (SETF NAME), as DEFUN and
    // #'(SETF NAME) find it; generic functions named (SETF NAME) live there too.
    table.define(
        image,
        swankd,
        "%SETF-FUNCTION-SYMBOL",
        (1, Some(1)),
        |vm, _, a| {
            let name = super::expect_symbol(&vm.image, a[0])?;
            value(Value::Symbol(vm.image.setf_function_symbol(name)?))
        },
    )?;
    table.define(image, swankd, "%FAST-CLASS-OF", (1, Some(1)), |vm, _, a| {
        value(fast_class_of(vm, a[0]).unwrap_or(Value::Nil))
    })?;
    // (%GF-CALL GF ARGS)
    table.define(image, swankd, "%GF-CALL", (2, Some(2)), |vm, _, a| {
        let args = vm.image.list_to_vec(a[1]).unwrap_or_default();
        match cached_method(vm, a[0], &args) {
            Some(method) => Ok(Control::call(method, args)),
            None => call_lisp(vm.image.sym.gf_call_slow, vec![a[0], a[1]]),
        }
    })?;
    table.define(
        image,
        cl,
        "SLOT-VALUE",
        (2, Some(2)),
        |vm, _, a| match slot_index(vm, a[0], a[1]).and_then(|i| slot(vm, a[0], i)) {
            Some(found) => value(found),
            None => call_lisp(vm.image.sym.slot_value_slow, vec![a[0], a[1]]),
        },
    )?;
    // (%SET-SLOT-VALUE OBJECT NAME VALUE)
    table.define(
        image,
        swankd,
        "%SET-SLOT-VALUE",
        (3, Some(3)),
        |vm, _, a| {
            if let Some(index) = slot_index(vm, a[0], a[1])
                && let Some(Object::Instance(instance)) = vm.image.object_mut(a[0])
                && let Some(place) = instance.slots.get_mut(index)
            {
                *place = a[2];
                return value(a[2]);
            }
            call_lisp(vm.image.sym.set_slot_value_slow, vec![a[0], a[1], a[2]])
        },
    )?;
    Ok(())
}

fn call_lisp(function: SymRef, args: Vec<Value>) -> LispResult<Control> {
    Ok(Control::call(Value::Symbol(function), args))
}

/// The elements of the vector held by the symbol in slot 1 of the instance `object`.
fn definition(vm: &Vm, object: Value) -> Option<&[Value]> {
    let Some(Object::Instance(instance)) = vm.image.object(object) else {
        return None;
    };
    let Some(Value::Symbol(cell)) = instance.slots.get(1) else {
        return None;
    };
    match vm.image.object(vm.image.heap.symbol(*cell).value) {
        Some(Object::Vector(v)) => Some(&v.items),
        _ => None,
    }
}

/// The class of `object` if it is an instance or one of the common built-in kinds whose
/// classes `SWANKD::*BUILT-IN-CLASSES*` lists (in the order of `BuiltInKind`); otherwise
/// `None`, and Lisp's `CLASS-OF` decides.
pub fn fast_class_of(vm: &Vm, object: Value) -> Option<Value> {
    let kind = match object {
        Value::Object(r) => match vm.image.heap.object(r) {
            Some(Object::Instance(instance)) => return Some(instance.class),
            Some(Object::String(_)) => BuiltInKind::String,
            _ => return None,
        },
        Value::Fixnum(n) if (-(1i64 << 62)..(1i64 << 62)).contains(&n) => BuiltInKind::Fixnum,
        Value::Nil => BuiltInKind::Null,
        Value::Symbol(_) => BuiltInKind::Symbol,
        Value::Cons(_) => BuiltInKind::Cons,
        Value::Char(_) => BuiltInKind::Character,
        Value::Single(_) => BuiltInKind::SingleFloat,
        Value::Double(_) => BuiltInKind::DoubleFloat,
        _ => return None,
    };
    let classes = vm.image.heap.symbol(vm.image.sym.built_in_classes).value;
    match vm.image.object(classes) {
        Some(Object::Vector(v)) => v.items.get(kind as usize).copied(),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum BuiltInKind {
    Fixnum,
    Null,
    Symbol,
    Cons,
    Character,
    SingleFloat,
    DoubleFloat,
    String,
}

fn cached_method(vm: &Vm, gf: Value, args: &[Value]) -> Option<Value> {
    let table = definition(vm, gf)?;
    if !table.get(TABLE_EQLS)?.is_nil() {
        return None;
    }
    let epoch = vm.image.heap.symbol(vm.image.sym.class_epoch).value;
    if !table.get(TABLE_EPOCH)?.eq(epoch) {
        return None;
    }
    let Value::Fixnum(required) = *table.get(TABLE_REQUIRED)? else {
        return None;
    };
    let required = usize::try_from(required).ok()?;
    if required == 0 || args.len() < required {
        return None;
    }
    let classes: Vec<Value> = args[..required]
        .iter()
        .map(|arg| fast_class_of(vm, *arg))
        .collect::<Option<_>>()?;
    let mut entries = *table.get(TABLE_INLINE_CACHE)?;
    while let Value::Cons(r) = entries {
        let (entry, rest) = vm.image.heap.car_cdr(r);
        if let Value::Cons(e) = entry {
            let (key, method) = vm.image.heap.car_cdr(e);
            let hit = if required == 1 {
                key.eq(classes[0])
            } else {
                vm.image.list_to_vec(key).is_some_and(|k| {
                    k.len() == required && k.iter().zip(&classes).all(|(a, b)| a.eq(*b))
                })
            };
            if hit {
                return Some(method);
            }
        }
        entries = rest;
    }
    None
}

/// The index of slot `name` in the instance `object`, if `object` is an instance that is
/// up to date with its class and `name` is one of its instance slots.
fn slot_index(vm: &Vm, object: Value, name: Value) -> Option<usize> {
    let Some(Object::Instance(instance)) = vm.image.object(object) else {
        return None;
    };
    let layout = *definition(vm, instance.class)?.get(DEF_LAYOUT)?;
    if !layout.eq(instance.layout) {
        return None;
    }
    match vm.image.object(layout) {
        Some(Object::Vector(names)) => names.items.iter().position(|n| n.eq(name)),
        _ => None,
    }
}

/// The value of a bound slot.
fn slot(vm: &Vm, object: Value, index: usize) -> Option<Value> {
    match vm.image.object(object) {
        Some(Object::Instance(instance)) => match instance.slots.get(index) {
            Some(Value::Unbound) | None => None,
            Some(v) => Some(*v),
        },
        _ => None,
    }
}
