//! Generic sequence functions over lists, vectors and strings.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::heap::HeapExhausted;
use super::super::image::Image;
use super::super::lisp_string::Text;
use super::super::object::{LispVector, Object};
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_index, expect_list, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "LENGTH", (1, Some(1)), length)?;
    table.define(image, cl, "REVERSE", (1, Some(1)), reverse)?;
    table.define(image, cl, "NREVERSE", (1, Some(1)), reverse)?;
    table.define(image, cl, "ELT", (2, Some(2)), elt)?;
    table.define(image, cl, "SUBSEQ", (2, Some(3)), subseq)?;
    table.define(image, cl, "CONCATENATE", (1, None), concatenate)?;
    table.define(image, cl, "VECTOR", (0, None), |vm, _, a| {
        value(vm.image.heap.alloc(Object::Vector(LispVector {
            items: a.to_vec(),
            ..Default::default()
        }))?)
    })?;
    table.define(image, cl, "AREF", (1, None), aref)?;
    table.define(image, cl, "SVREF", (2, Some(2)), elt)?;
    Ok(())
}

/// The elements of any sequence.
pub fn sequence_items(image: &Image, seq: Value) -> LispResult<Vec<Value>> {
    if seq.is_list() {
        return expect_list(image, seq);
    }
    match image.object(seq) {
        Some(Object::String(s)) => Ok(s.as_str().chars().map(Value::Char).collect()),
        Some(Object::Vector(v)) => Ok(v.active().to_vec()),
        _ => Err(LispError::type_error(seq, "SEQUENCE")),
    }
}

/// A new sequence of the same kind as `like` holding `items`.
pub fn same_kind(image: &mut Image, like: Value, items: Vec<Value>) -> LispResult<Value> {
    if like.is_list() {
        return Ok(image.list(&items)?);
    }
    let is_string = match image.object(like) {
        Some(Object::String(_)) => true,
        Some(Object::Vector(v)) => v.characters,
        _ => false,
    };
    match is_string {
        true => {
            let text: String = items
                .iter()
                .map(|v| match v {
                    Value::Char(c) => Ok(*c),
                    other => Err(LispError::type_error(*other, "CHARACTER")),
                })
                .collect::<LispResult<_>>()?;
            Ok(image.string(text)?)
        }
        false => Ok(image.heap.alloc(Object::Vector(LispVector {
            items,
            ..Default::default()
        }))?),
    }
}

fn length(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    value(Value::Fixnum(sequence_length(&vm.image, a[0])? as i64))
}

/// `(LENGTH SEQUENCE)`: the builtin's, and the VM's for a call it runs in line.
pub fn sequence_length(image: &Image, sequence: Value) -> LispResult<usize> {
    if sequence.is_list() {
        // Counted in place: copying the elements only to count them cost a vector each time.
        return image
            .walk_proper_list(sequence, |_| {})
            .ok_or_else(|| LispError::type_error(sequence, "LIST"));
    }
    match image.object(sequence) {
        Some(Object::String(s)) => Ok(s.char_count()),
        Some(Object::Vector(v)) => Ok(v.active().len()),
        _ => Err(LispError::type_error(sequence, "SEQUENCE")),
    }
}

fn reverse(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let mut items = sequence_items(&vm.image, a[0])?;
    items.reverse();
    value(same_kind(&mut vm.image, a[0], items)?)
}

/// `(AREF ARRAY . SUBSCRIPTS)`: one subscript for a vector or string, one per dimension for
/// other arrays.
pub fn aref(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    if let Some(Object::Array(_)) = vm.image.object(a[0]) {
        return super::multidim::aref(&vm.image, a[0], &a[1..]);
    }
    match a {
        // AREF ignores a fill pointer, unlike ELT.
        [_, index] => match vm.image.object(a[0]) {
            Some(Object::Vector(v)) => {
                let index = expect_index(*index)?;
                match v.items.get(index) {
                    Some(item) => value(*item),
                    None => Err(LispError::type_error(
                        a[1],
                        format!("(INTEGER 0 ({}))", v.items.len()),
                    )),
                }
            }
            _ => elt(vm, thread, a),
        },
        _ => Err(LispError::program(format!(
            "Wrong number of subscripts, {}, for an array of rank 1.",
            a.len() - 1
        ))),
    }
}

fn elt(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let index = expect_index(a[1])?;
    let (found, length) = match vm.image.object(a[0]) {
        Some(Object::Vector(v)) => (v.active().get(index).copied(), v.active().len()),
        Some(Object::String(s)) => (s.char_at(index).map(Value::Char), s.char_count()),
        _ => {
            let items = sequence_items(&vm.image, a[0])?;
            if index >= items.len() {
                // A TYPE-ERROR in SBCL too (INDEX-TOO-LARGE-ERROR).
                return Err(LispError::new(
                    ErrorKind::TypeError {
                        datum: a[1],
                        expected: format!("(INTEGER 0 ({}))", items.len()),
                    },
                    format!(
                        "The index {index} is too large for a list of length {}.",
                        items.len()
                    ),
                ));
            }
            (items.get(index).copied(), items.len())
        }
    };
    found
        .map(Control::Value)
        .ok_or_else(|| LispError::type_error(a[1], format!("(INTEGER 0 ({}))", length)))
}

fn subseq(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let start = expect_index(a[1])?;
    let end = match a.get(2) {
        Some(Value::Nil) | None => None,
        Some(v) => Some(expect_index(*v)?),
    };
    if let Some(Object::String(s)) = vm.image.object(a[0]) {
        let length = s.char_count();
        let end = end.unwrap_or(length);
        if start > end || end > length {
            return Err(LispError::bounding_indices(start, end, length));
        }
        let text = s.as_str();
        let part = text
            .get(s.byte_offset(start)..s.byte_offset(end))
            .unwrap_or_default()
            .to_string();
        return value(vm.image.string(part)?);
    }
    let items = sequence_items(&vm.image, a[0])?;
    let end = end.unwrap_or(items.len());
    if start > end || end > items.len() {
        return Err(LispError::bounding_indices(start, end, items.len()));
    }
    value(same_kind(&mut vm.image, a[0], items[start..end].to_vec())?)
}

fn concatenate(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    // The standard string types are known by identity; any other symbol's name is read in
    // place: the common string result needs no copy of it.
    let known = &vm.image.sym;
    let to_string = vm.image.as_symbol(a[0]).is_some_and(|sym| {
        sym == known.string
            || sym == known.simple_string
            || sym == known.base_string
            || matches!(
                &*vm.image.heap.symbol(sym).name,
                "STRING" | "SIMPLE-STRING" | "BASE-STRING"
            )
    });
    if to_string && let Some(joined) = joined_inline(&mut vm.image, &a[1..])? {
        return value(joined);
    }
    if to_string && let Some(text) = joined_strings(&vm.image, &a[1..]) {
        return value(vm.image.string(text)?);
    }
    let kind = match vm.image.as_symbol(a[0]) {
        Some(sym) => vm.image.symbol_name(sym),
        None => std::rc::Rc::from(""),
    };
    let mut items = Vec::new();
    for seq in &a[1..] {
        items.extend(sequence_items(&vm.image, *seq)?);
    }
    match &*kind {
        _ if to_string => {
            let like = vm.image.string("")?;
            value(same_kind(&mut vm.image, like, items)?)
        }
        "LIST" => value(vm.image.list(&items)?),
        "VECTOR" | "SIMPLE-VECTOR" => value(same_kind(&mut vm.image, Value::Fixnum(0), items)?),
        _ => Err(LispError::unsupported(format!(
            "CONCATENATE to result type {kind}"
        ))),
    }
}

/// A new string of `parts` joined, when every one is a simple string and the result is
/// short enough to be held inline: made empty, then each part's bytes written into it in
/// place.
fn joined_inline(image: &mut Image, parts: &[Value]) -> Result<Option<Value>, HeapExhausted> {
    let mut bytes = 0;
    for part in parts {
        match image.object(*part) {
            Some(Object::String(s)) => bytes += s.text().len(),
            _ => return Ok(None),
        }
    }
    if bytes > Text::INLINE {
        return Ok(None);
    }
    let joined = image.string("")?;
    let Value::Object(target) = joined else {
        return Ok(None);
    };
    for part in parts {
        let Value::Object(part) = *part else {
            return Ok(None);
        };
        let appended = match image.heap.object_beside(target, part) {
            Some((Object::String(s), Object::String(part))) => s.append_inline(part),
            _ => false,
        };
        if !appended {
            return Ok(None);
        }
    }
    image.heap.grew(bytes)?;
    Ok(Some(joined))
}

/// The text of `parts` joined, when every one is a simple string (the common case, without
/// going through characters one by one).
fn joined_strings(image: &Image, parts: &[Value]) -> Option<Text> {
    let texts: smallvec::SmallVec<[&Text; 4]> = parts
        .iter()
        .map(|part| match image.object(*part) {
            Some(Object::String(s)) => Some(s.text()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Text::joined(&texts))
}
