//! Structure instances for `DEFSTRUCT` (the macro is in prelude.lisp). An instance holds
//! its layout, the list `(NAME INCLUDED-NAMES SLOT-NAME ...)` its DEFSTRUCT made, and one
//! value per slot; accessors check the type by name, so an instance of an included
//! structure is accepted where its parent is wanted.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::{Object, StructObject};
use super::super::value::{SymRef, Value};
use super::super::vm::Vm;
use super::{BuiltinTable, expect_index, expect_symbol, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%MAKE-STRUCT", (2, Some(2)), |vm, _, a| {
        let slots = vm
            .image
            .list_to_vec(a[1])
            .ok_or_else(|| LispError::type_error(a[1], "LIST"))?;
        let instance = StructObject {
            layout: a[0],
            slots,
        };
        value(vm.image.heap.alloc(Object::Struct(instance))?)
    })?;
    table.define(image, swankd, "%STRUCT-TYPE-P", (2, Some(2)), |vm, _, a| {
        let name = expect_symbol(&vm.image, a[1])?;
        value(vm.image.boolean(is_of_type(vm, a[0], name)))
    })?;
    table.define(image, swankd, "%STRUCT-REF", (3, Some(3)), |vm, _, a| {
        let (name, index) = (expect_symbol(&vm.image, a[1])?, expect_index(a[2])?);
        checked(vm, a[0], name)?;
        match vm.image.object(a[0]) {
            Some(Object::Struct(s)) => value(s.slots.get(index).copied().unwrap_or(Value::Nil)),
            _ => Err(LispError::type_error(
                a[0],
                vm.image.symbol_name(name).to_string(),
            )),
        }
    })?;
    table.define(image, swankd, "%STRUCT-SET", (4, Some(4)), |vm, _, a| {
        let (name, index) = (expect_symbol(&vm.image, a[1])?, expect_index(a[2])?);
        checked(vm, a[0], name)?;
        if let Some(Object::Struct(s)) = vm.image.object_mut(a[0])
            && let Some(slot) = s.slots.get_mut(index)
        {
            *slot = a[3];
        }
        value(a[3])
    })?;
    table.define(image, swankd, "%COPY-STRUCT", (1, Some(1)), |vm, _, a| {
        let copy = match vm.image.object(a[0]) {
            Some(Object::Struct(s)) => StructObject {
                layout: s.layout,
                slots: s.slots.clone(),
            },
            _ => return Err(LispError::type_error(a[0], "STRUCTURE-OBJECT")),
        };
        value(vm.image.heap.alloc(Object::Struct(copy))?)
    })?;
    Ok(())
}

/// Whether `object` is an instance of the structure `name` or of one that includes it.
fn is_of_type(vm: &Vm, object: Value, name: SymRef) -> bool {
    let Some(Object::Struct(instance)) = vm.image.object(object) else {
        return false;
    };
    let layout = vm.image.list_to_vec(instance.layout).unwrap_or_default();
    let own = layout.first().copied();
    let included = layout
        .get(1)
        .and_then(|list| vm.image.list_to_vec(*list))
        .unwrap_or_default();
    own.into_iter()
        .chain(included)
        .any(|n| matches!(n, Value::Symbol(s) if s == name))
}

fn checked(vm: &Vm, object: Value, name: SymRef) -> LispResult<()> {
    if is_of_type(vm, object, name) {
        Ok(())
    } else {
        Err(LispError::type_error(
            object,
            vm.image.symbol_name(name).to_string(),
        ))
    }
}
