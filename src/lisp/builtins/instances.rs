//! CLOS instances (`Object::Instance`): the storage under `DEFCLASS` objects. Classes,
//! slot lookup by name, redefinition and dispatch live in `clos.lisp`; here are only the
//! leaf operations on an instance's class, layout and slot vector. Each is one builtin
//! call, so a thread never sees an instance half changed: `%INSTANCE-REPLACE` swaps class,
//! layout and slots together, and only if the layout is still the one the caller read.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::{InstanceObject, Object};
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, expect_index, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%MAKE-INSTANCE-OBJECT",
        (3, Some(3)),
        |vm, _, a| {
            let count = expect_index(a[2])?;
            let instance = InstanceObject {
                class: a[0],
                layout: a[1],
                slots: vec![Value::Unbound; count].into_boxed_slice(),
            };
            value(vm.image.heap.alloc(Object::Instance(instance))?)
        },
    )?;
    table.define(image, swankd, "%INSTANCEP", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Instance(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(
        image,
        swankd,
        "%INSTANCE-CLASS",
        (1, Some(1)),
        |vm, _, a| value(instance(vm, a[0])?.class),
    )?;
    table.define(
        image,
        swankd,
        "%INSTANCE-LAYOUT",
        (1, Some(1)),
        |vm, _, a| value(instance(vm, a[0])?.layout),
    )?;
    // (%INSTANCE-REF OBJECT INDEX UNBOUND-MARKER): the marker stands for an unbound slot.
    table.define(image, swankd, "%INSTANCE-REF", (3, Some(3)), |vm, _, a| {
        let index = expect_index(a[1])?;
        let slot = instance(vm, a[0])?.slots.get(index).copied();
        match slot {
            Some(Value::Unbound) => value(a[2]),
            Some(v) => value(v),
            None => Err(out_of_range(index)),
        }
    })?;
    table.define(image, swankd, "%INSTANCE-SET", (3, Some(3)), |vm, _, a| {
        let index = expect_index(a[1])?;
        set_slot(vm, a[0], index, a[2])?;
        value(a[2])
    })?;
    table.define(
        image,
        swankd,
        "%INSTANCE-MAKUNBOUND",
        (2, Some(2)),
        |vm, _, a| {
            let index = expect_index(a[1])?;
            set_slot(vm, a[0], index, Value::Unbound)?;
            value(a[0])
        },
    )?;
    // (%INSTANCE-VALUES OBJECT UNBOUND-MARKER): the slot values as a list.
    table.define(
        image,
        swankd,
        "%INSTANCE-VALUES",
        (2, Some(2)),
        |vm, _, a| {
            let values: Vec<Value> = instance(vm, a[0])?
                .slots
                .iter()
                .map(|v| {
                    if matches!(v, Value::Unbound) {
                        a[1]
                    } else {
                        *v
                    }
                })
                .collect();
            value(vm.image.list(&values)?)
        },
    )?;
    // (%INSTANCE-REPLACE OBJECT EXPECTED-LAYOUT CLASS LAYOUT VALUES UNBOUND-MARKER): gives
    // OBJECT a new class, layout and slot values at once, unless another thread changed its
    // layout since the caller read EXPECTED-LAYOUT (then NIL).
    table.define(
        image,
        swankd,
        "%INSTANCE-REPLACE",
        (6, Some(6)),
        |vm, _, a| {
            let values = vm
                .image
                .list_to_vec(a[4])
                .ok_or_else(|| LispError::type_error(a[4], "LIST"))?;
            let slots: Vec<Value> = values
                .into_iter()
                .map(|v| if v.eq(a[5]) { Value::Unbound } else { v })
                .collect();
            let replaced = match vm.image.object_mut(a[0]) {
                Some(Object::Instance(i)) if i.layout.eq(a[1]) => {
                    i.class = a[2];
                    i.layout = a[3];
                    i.slots = slots.into_boxed_slice();
                    true
                }
                Some(Object::Instance(_)) => false,
                _ => return Err(LispError::type_error(a[0], "STANDARD-OBJECT")),
            };
            value(vm.image.boolean(replaced))
        },
    )?;
    // A number that tells instances apart, for `PRINT-UNREADABLE-OBJECT`'s :IDENTITY.
    table.define(image, swankd, "%OBJECT-ID", (1, Some(1)), |_, _, a| {
        let id = match a[0] {
            Value::Object(r) => r.0 as i64,
            Value::Cons(r) => r.0 as i64,
            Value::Symbol(r) => r.0 as i64,
            _ => 0,
        };
        value(Value::Fixnum(0x1000000000 + id * 16))
    })?;
    Ok(())
}

fn instance(vm: &Vm, object: Value) -> LispResult<&InstanceObject> {
    match vm.image.object(object) {
        Some(Object::Instance(i)) => Ok(i),
        _ => Err(LispError::type_error(object, "STANDARD-OBJECT")),
    }
}

fn set_slot(vm: &mut Vm, object: Value, index: usize, new: Value) -> LispResult<()> {
    match vm.image.object_mut(object) {
        Some(Object::Instance(i)) => match i.slots.get_mut(index) {
            Some(slot) => {
                *slot = new;
                Ok(())
            }
            None => Err(out_of_range(index)),
        },
        _ => Err(LispError::type_error(object, "STANDARD-OBJECT")),
    }
}

fn out_of_range(index: usize) -> LispError {
    LispError::simple(format!("instance slot index {index} out of range"))
}
