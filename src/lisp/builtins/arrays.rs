//! Vectors and the primitives the Lisp sequence library (prelude.lisp) is built on:
//! taking a subsequence as a list, rebuilding a sequence of the same kind, storing an element.
//! Arrays of other ranks are in `multidim.rs`.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::{LispVector, Object};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::sequences::{same_kind, sequence_items};
use super::{BuiltinTable, Control, expect_index, keyword_arg, multidim, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%SEQ-LIST", (3, Some(3)), seq_list)?;
    table.define(image, swankd, "%SEQ-LIKE", (2, Some(2)), |vm, _, a| {
        let items = super::expect_list(&vm.image, a[1])?;
        value(same_kind(&mut vm.image, a[0], items)?)
    })?;
    table.define(image, swankd, "%SEQ-STORE", (3, Some(3)), seq_store)?;
    table.define(image, cl, "MAKE-ARRAY", (1, None), make_array)?;
    table.define(image, cl, "ADJUST-ARRAY", (2, None), adjust_array)?;
    table.define(image, cl, "MAKE-STRING", (1, Some(3)), |vm, _, a| {
        let n = expect_index(a[0])?;
        vm.image.heap.room_for(n)?;
        let fill = match keyword_arg(&mut vm.image, &a[1..], "INITIAL-ELEMENT")? {
            Some(Value::Char(c)) => c,
            Some(other) => return Err(LispError::type_error(other, "CHARACTER")),
            None => '\0',
        };
        value(
            vm.image
                .string(std::iter::repeat_n(fill, n).collect::<String>())?,
        )
    })?;
    table.define(image, cl, "VECTORP", (1, Some(1)), |vm, _, a| {
        let is = matches!(
            vm.image.object(a[0]),
            Some(Object::Vector(_) | Object::String(_))
        );
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "ARRAYP", (1, Some(1)), |vm, _, a| {
        let is = matches!(
            vm.image.object(a[0]),
            Some(Object::Vector(_) | Object::String(_) | Object::Array(_))
        );
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "SIMPLE-VECTOR-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Vector(v)) if v.fill_pointer.is_none() && !v.adjustable && !v.characters);
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "SIMPLE-STRING-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::String(_)));
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "ARRAY-ELEMENT-TYPE", (1, Some(1)), |vm, _, a| {
        let characters = match vm.image.object(a[0]) {
            Some(Object::String(_)) => true,
            Some(Object::Vector(v)) => v.characters,
            Some(Object::Array(_)) => false,
            _ => return Err(LispError::type_error(a[0], "ARRAY")),
        };
        if characters {
            let cl = vm.image.pkg.cl;
            value(Value::Symbol(vm.image.intern("CHARACTER", cl)?))
        } else {
            value(vm.image.t())
        }
    })?;
    table.define(image, cl, "ADJUSTABLE-ARRAY-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Vector(v)) if v.adjustable);
        value(vm.image.boolean(is))
    })?;
    table.define(image, cl, "ARRAY-HAS-FILL-POINTER-P", (1, Some(1)), |vm, _, a| {
        let is = matches!(vm.image.object(a[0]), Some(Object::Vector(v)) if v.fill_pointer.is_some());
        value(vm.image.boolean(is))
    })?;
    table.define(
        image,
        cl,
        "FILL-POINTER",
        (1, Some(1)),
        |vm, _, a| match vm.image.object(a[0]) {
            Some(Object::Vector(LispVector {
                fill_pointer: Some(n),
                ..
            })) => value(Value::Fixnum(*n as i64)),
            _ => Err(LispError::type_error(
                a[0],
                "(AND VECTOR (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
            )),
        },
    )?;
    table.define(
        image,
        swankd,
        "%SET-FILL-POINTER",
        (2, Some(2)),
        |vm, _, a| {
            let n = expect_index(a[1])?;
            match vm.image.object_mut(a[0]) {
                Some(Object::Vector(v)) if v.fill_pointer.is_some() && n <= v.items.len() => {
                    v.fill_pointer = Some(n);
                    value(a[1])
                }
                _ => Err(LispError::type_error(
                    a[0],
                    "(AND VECTOR (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
                )),
            }
        },
    )?;
    table.define(image, cl, "ARRAY-DIMENSIONS", (1, Some(1)), |vm, _, a| {
        let dimensions: Vec<Value> = multidim::dimensions(&vm.image, a[0])?
            .into_iter()
            .map(|n| Value::Fixnum(n as i64))
            .collect();
        value(vm.image.list(&dimensions)?)
    })?;
    table.define(image, cl, "ARRAY-DIMENSION", (2, Some(2)), |vm, _, a| {
        let dimensions = multidim::dimensions(&vm.image, a[0])?;
        let axis = expect_index(a[1])?;
        match dimensions.get(axis) {
            Some(n) => value(Value::Fixnum(*n as i64)),
            None => Err(LispError::type_error(
                a[1],
                format!("(INTEGER 0 ({}))", dimensions.len()),
            )),
        }
    })?;
    table.define(image, cl, "ARRAY-TOTAL-SIZE", (1, Some(1)), |vm, _, a| {
        let total: usize = multidim::dimensions(&vm.image, a[0])?.iter().product();
        value(Value::Fixnum(total as i64))
    })?;
    table.define(image, cl, "ARRAY-RANK", (1, Some(1)), |vm, _, a| {
        let rank = multidim::dimensions(&vm.image, a[0])?.len();
        value(Value::Fixnum(rank as i64))
    })?;
    table.define(image, cl, "VECTOR-PUSH", (2, Some(2)), |vm, _, a| {
        vector_push(vm, a, false)
    })?;
    table.define(image, cl, "VECTOR-PUSH-EXTEND", (2, Some(3)), |vm, _, a| {
        vector_push(vm, a, true)
    })?;
    table.define(image, cl, "VECTOR-POP", (1, Some(1)), |vm, _, a| {
        match vm.image.object_mut(a[0]) {
            Some(Object::Vector(v)) if v.fill_pointer.is_some() => {
                let fill = v.fill_pointer.unwrap_or(0);
                if fill == 0 {
                    return Err(LispError::simple("There is nothing left to pop."));
                }
                v.fill_pointer = Some(fill - 1);
                value(v.items.get(fill - 1).copied().unwrap_or(Value::Nil))
            }
            _ => Err(LispError::type_error(
                a[0],
                "(AND VECTOR (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
            )),
        }
    })?;
    Ok(())
}

/// `(%SEQ-LIST SEQ START END)`: the elements from START below END (NIL: the length).
fn seq_list(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let items = sequence_items(&vm.image, a[0])?;
    let start = expect_index(a[1])?;
    let end = match a[2] {
        Value::Nil => items.len(),
        other => expect_index(other)?,
    };
    if start > end || end > items.len() {
        return Err(LispError::bounding_indices(start, end, items.len()));
    }
    value(vm.image.list(&items[start..end])?)
}

/// `(%SEQ-STORE SEQ INDEX VALUE)`: the SETF of ELT, AREF, CHAR and SVREF.
pub(super) fn seq_store(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let index = expect_index(a[1])?;
    if a[0].is_list() {
        let mut rest = a[0];
        for _ in 0..index {
            rest = vm.image.cdr(rest).unwrap_or(Value::Nil);
        }
        let Value::Cons(cell) = rest else {
            let length = vm.image.list_to_vec(a[0]).map_or(0, |v| v.len());
            return Err(LispError::simple(format!(
                "The index {index} is too large for a list of length {length}."
            )));
        };
        vm.image.heap.set_car(cell, a[2]);
        return value(a[2]);
    }
    match vm.image.object_mut(a[0]) {
        Some(Object::Vector(v)) if v.characters && !matches!(a[2], Value::Char(_)) => {
            Err(LispError::type_error(a[2], "CHARACTER"))
        }
        Some(Object::Vector(v)) if index < v.active().len() => {
            v.items[index] = a[2];
            value(a[2])
        }
        Some(Object::Vector(v)) => Err(LispError::type_error(
            a[1],
            format!("(INTEGER 0 ({}))", v.active().len()),
        )),
        Some(Object::String(s)) => {
            let Value::Char(c) = a[2] else {
                return Err(LispError::type_error(a[2], "CHARACTER"));
            };
            if !s.set_char(index, c) {
                return Err(LispError::type_error(
                    a[1],
                    format!("(INTEGER 0 ({}))", s.char_count()),
                ));
            }
            value(a[2])
        }
        _ => Err(LispError::type_error(a[0], "SEQUENCE")),
    }
}

/// `(ADJUST-ARRAY VECTOR SIZE &key INITIAL-ELEMENT INITIAL-CONTENTS FILL-POINTER)`: an
/// adjustable vector changes in place; any other comes back as a new vector of that size.
fn adjust_array(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let size = match a[1] {
        Value::Cons(_) => match vm.image.list_to_vec(a[1]).as_deref() {
            Some([n]) => expect_index(*n)?,
            _ => {
                return Err(LispError::unsupported(
                    "ADJUST-ARRAY of an array of another rank",
                ));
            }
        },
        other => expect_index(other)?,
    };
    let keys = &a[2..];
    if keys.len() % 2 != 0 {
        return Err(LispError::program("odd number of &KEY arguments"));
    }
    if keyword_arg(&mut vm.image, keys, "DISPLACED-TO")?.is_some_and(|v| v.truthy()) {
        return Err(LispError::unsupported("displaced arrays"));
    }
    let (old, characters, adjustable, old_fill) = match vm.image.object(a[0]) {
        Some(Object::Vector(v)) => (v.items.clone(), v.characters, v.adjustable, v.fill_pointer),
        Some(Object::String(s)) => (
            s.as_str().chars().map(Value::Char).collect(),
            true,
            false,
            None,
        ),
        Some(Object::Array(_)) => {
            return Err(LispError::unsupported(
                "ADJUST-ARRAY of an array of another rank",
            ));
        }
        _ => return Err(LispError::type_error(a[0], "ARRAY")),
    };
    let filler = match keyword_arg(&mut vm.image, keys, "INITIAL-ELEMENT")? {
        Some(element) => element,
        None if characters => Value::Char('\0'),
        None => Value::Fixnum(0),
    };
    vm.image
        .heap
        .room_for(size.saturating_mul(std::mem::size_of::<Value>()))?;
    let items = match keyword_arg(&mut vm.image, keys, "INITIAL-CONTENTS")? {
        Some(contents) => {
            let items = sequence_items(&vm.image, contents)?;
            if items.len() != size {
                return Err(LispError::simple(format!(
                    "There are {} elements in the :INITIAL-CONTENTS, but the vector length is {size}.",
                    items.len()
                )));
            }
            items
        }
        None => {
            let mut items = old;
            items.resize(size, filler);
            items
        }
    };
    if characters && let Some(bad) = items.iter().find(|item| !matches!(item, Value::Char(_))) {
        return Err(LispError::type_error(*bad, "CHARACTER"));
    }
    let fill_pointer = match keyword_arg(&mut vm.image, keys, "FILL-POINTER")? {
        None => old_fill.map(|fill| fill.min(size)),
        Some(Value::Nil) => None,
        Some(v) if v.eq(vm.image.t()) => Some(size),
        Some(v) => Some(expect_index(v)?.min(size)),
    };
    if adjustable && let Some(Object::Vector(v)) = vm.image.object_mut(a[0]) {
        v.items = items;
        v.fill_pointer = fill_pointer;
        return value(a[0]);
    }
    if characters && fill_pointer.is_none() {
        let like = vm.image.string("")?;
        return value(same_kind(&mut vm.image, like, items)?);
    }
    value(vm.image.heap.alloc(Object::Vector(LispVector {
        items,
        fill_pointer,
        adjustable: false,
        characters,
    }))?)
}

fn make_array(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let size = match a[0] {
        Value::Cons(_) | Value::Nil => match vm.image.list_to_vec(a[0]).as_deref() {
            Some([n]) => expect_index(*n)?,
            Some(dimensions) => {
                let dimensions = dimensions
                    .iter()
                    .map(|n| expect_index(*n))
                    .collect::<LispResult<Vec<_>>>()?;
                return super::multidim::make(vm, dimensions, &a[1..]);
            }
            None => return Err(LispError::type_error(a[0], "LIST")),
        },
        other => expect_index(other)?,
    };
    let keys = &a[1..];
    if keys.len() % 2 != 0 {
        return Err(LispError::program("odd number of &KEY arguments"));
    }
    for key in keys.chunks(2) {
        let name = vm
            .image
            .as_symbol(key[0])
            .map(|s| vm.image.symbol_name(s).to_string())
            .unwrap_or_default();
        if !matches!(
            name.as_str(),
            "ELEMENT-TYPE" | "INITIAL-ELEMENT" | "INITIAL-CONTENTS" | "ADJUSTABLE" | "FILL-POINTER"
        ) {
            return Err(LispError::unsupported(format!(
                "MAKE-ARRAY argument {}",
                super::super::print::prin1_to_string(&vm.image, key[0])
            )));
        }
    }
    let element_type = keyword_arg(&mut vm.image, keys, "ELEMENT-TYPE")?;
    let initial = keyword_arg(&mut vm.image, keys, "INITIAL-ELEMENT")?;
    let contents = keyword_arg(&mut vm.image, keys, "INITIAL-CONTENTS")?;
    let adjustable = keyword_arg(&mut vm.image, keys, "ADJUSTABLE")?.is_some_and(|v| v.truthy());
    let fill_pointer = match keyword_arg(&mut vm.image, keys, "FILL-POINTER")? {
        None | Some(Value::Nil) => None,
        Some(v) if v.eq(vm.image.t()) => Some(size),
        Some(v) => Some(expect_index(v)?),
    };
    vm.image
        .heap
        .room_for(size.saturating_mul(std::mem::size_of::<Value>()))?;
    let items = match contents {
        Some(seq) => {
            let items = sequence_items(&vm.image, seq)?;
            if items.len() != size {
                return Err(LispError::simple(format!(
                    "There are {} elements in the :INITIAL-CONTENTS, but the vector length is {size}.",
                    items.len()
                )));
            }
            items
        }
        None => vec![initial.unwrap_or(Value::Fixnum(0)); size],
    };
    let is_string = element_type
        .and_then(|t| vm.image.as_symbol(t))
        .is_some_and(|s| {
            matches!(
                &*vm.image.symbol_name(s),
                "CHARACTER" | "BASE-CHAR" | "STANDARD-CHAR"
            )
        });
    let items = match (is_string, contents, initial) {
        (true, None, None) => vec![Value::Char('\0'); size],
        _ => items,
    };
    if is_string {
        if let Some(bad) = items.iter().find(|item| !matches!(item, Value::Char(_))) {
            return Err(LispError::type_error(*bad, "CHARACTER"));
        }
        if fill_pointer.is_none() && !adjustable {
            let like = vm.image.string("")?;
            return value(same_kind(&mut vm.image, like, items)?);
        }
    }
    value(vm.image.heap.alloc(Object::Vector(LispVector {
        items,
        fill_pointer,
        adjustable,
        characters: is_string,
    }))?)
}

fn vector_push(vm: &mut Vm, a: &[Value], extend: bool) -> LispResult<Control> {
    let extension = match a.get(2) {
        Some(v) => Some(expect_index(*v)?.max(1)),
        None => None,
    };
    match vm.image.object_mut(a[1]) {
        Some(Object::Vector(v)) if v.characters && !matches!(a[0], Value::Char(_)) => {
            Err(LispError::type_error(a[0], "CHARACTER"))
        }
        Some(Object::Vector(v)) if v.fill_pointer.is_some() => {
            let fill = v.fill_pointer.unwrap_or(0);
            if fill >= v.items.len() {
                if !extend {
                    return value(Value::Nil);
                }
                if !v.adjustable {
                    return Err(LispError::simple(
                        "The vector is not adjustable and has no room for another element.",
                    ));
                }
                // As SBCL: by the extension asked for, else by the current length (at
                // least one), so the size doubles.
                let grow = extension.unwrap_or(fill.max(1));
                let filler = if v.characters {
                    Value::Char('\0')
                } else {
                    Value::Fixnum(0)
                };
                v.items.resize(fill + grow, filler);
            }
            v.items[fill] = a[0];
            v.fill_pointer = Some(fill + 1);
            value(Value::Fixnum(fill as i64))
        }
        _ => Err(LispError::type_error(
            a[1],
            "(AND VECTOR (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
        )),
    }
}
