//! Condition objects and entering the debugger; the condition system itself (signalling,
//! handlers, restarts) is Lisp code in the prelude.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::{Condition, Object};
use super::super::value::Value;
use super::{BuiltinTable, expect_string, expect_symbol, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%MAKE-CONDITION",
        (1, Some(1)),
        |vm, _, a| {
            let type_name = expect_symbol(&vm.image, a[0])?;
            value(vm.image.heap.alloc(Object::Condition(Box::new(Condition {
                type_name,
                message: String::new(),
                slots: Vec::new(),
            })))?)
        },
    )?;
    table.define(image, swankd, "%CONDITIONP", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Condition(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(
        image,
        swankd,
        "%CONDITION-TYPE",
        (1, Some(1)),
        |vm, _, a| match vm.image.object(a[0]) {
            Some(Object::Condition(c)) => value(Value::Symbol(c.type_name)),
            _ => Err(LispError::type_error(a[0], "CONDITION")),
        },
    )?;
    table.define(
        image,
        swankd,
        "%CONDITION-SLOT",
        (2, Some(3)),
        |vm, _, a| {
            let name = expect_symbol(&vm.image, a[1])?;
            let found = match vm.image.object(a[0]) {
                Some(Object::Condition(c)) => {
                    c.slots.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
                }
                _ => return Err(LispError::type_error(a[0], "CONDITION")),
            };
            match (found, a.get(2)) {
                (Some(v), _) => value(v),
                (None, Some(default)) => value(*default),
                (None, None) => {
                    let slot = vm.image.symbol_name(name);
                    Err(LispError::simple(format!(
                        "The slot {slot} is unbound in the condition."
                    )))
                }
            }
        },
    )?;
    table.define(
        image,
        swankd,
        "%SET-CONDITION-SLOT",
        (3, Some(3)),
        |vm, _, a| {
            let name = expect_symbol(&vm.image, a[1])?;
            match vm.image.object_mut(a[0]) {
                Some(Object::Condition(c)) => {
                    match c.slots.iter_mut().find(|(n, _)| *n == name) {
                        Some(slot) => slot.1 = a[2],
                        None => c.slots.push((name, a[2])),
                    }
                    value(a[2])
                }
                _ => Err(LispError::type_error(a[0], "CONDITION")),
            }
        },
    )?;
    table.define(
        image,
        swankd,
        "%CONDITION-MESSAGE",
        (1, Some(1)),
        |vm, _, a| {
            let message = match vm.image.object(a[0]) {
                Some(Object::Condition(c)) => c.message.clone(),
                _ => return Err(LispError::type_error(a[0], "CONDITION")),
            };
            value(vm.image.string(message)?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%SET-CONDITION-MESSAGE",
        (2, Some(2)),
        |vm, _, a| {
            let text = expect_string(&vm.image, a[1])?;
            if let Some(Object::Condition(c)) = vm.image.object_mut(a[0]) {
                c.message = text;
            }
            value(a[1])
        },
    )?;
    table.define(image, swankd, "%ABORT-REQUEST", (0, Some(1)), |vm, _, a| {
        let text = match a.first() {
            Some(text) if text.truthy() => super::expect_string(&vm.image, *text)?,
            _ => "NIL".to_string(),
        };
        let mut error = LispError::new(ErrorKind::Aborted, text);
        error.unhandled = true;
        Err(error)
    })?;
    table.define(
        image,
        swankd,
        "%ENTER-DEBUGGER",
        (1, Some(1)),
        |vm, _, a| {
            let message = match vm.image.object(a[0]) {
                Some(Object::Condition(c)) => c.message.clone(),
                _ => super::super::print::princ_to_string(&vm.image, a[0]),
            };
            let mut error = LispError::new(ErrorKind::Condition(a[0]), message);
            error.unhandled = true;
            Err(error)
        },
    )?;
    Ok(())
}
