//! Arrays of rank other than one (`(make-array '(2 3))`, `#2A((1 2 3) (4 5 6))`): making
//! them, subscripts and row-major access, their dimensions. Elements are stored in row-major
//! order; every element type is stored as T. One-dimensional arrays are vectors
//! (`arrays.rs`).

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::{LispArray, Object};
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_index, keyword_arg, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    // (SETF (AREF ARRAY . SUBSCRIPTS) NEW) as (%ARRAY-SET ARRAY SUBSCRIPT... NEW).
    table.define(image, swankd, "%ARRAY-SET", (3, None), |vm, t, a| {
        let (new, place) = a
            .split_last()
            .ok_or_else(|| LispError::program("no value"))?;
        match vm.image.object(place[0]) {
            Some(Object::Array(_)) => {
                let index = row_major_index(&vm.image, place[0], &place[1..])?;
                store(vm, place[0], index, *new)
            }
            _ => match place {
                [vector, index] => super::arrays::seq_store(vm, t, &[*vector, *index, *new]),
                _ => Err(wrong_subscripts(place.len() - 1, 1)),
            },
        }
    })?;
    table.define(image, cl, "ROW-MAJOR-AREF", (2, Some(2)), |vm, t, a| {
        let index = expect_index(a[1])?;
        match vm.image.object(a[0]) {
            Some(Object::Array(array)) => element(array, index, a[1]),
            _ => super::sequences::aref(vm, t, a),
        }
    })?;
    table.define(
        image,
        swankd,
        "%ROW-MAJOR-STORE",
        (3, Some(3)),
        |vm, t, a| {
            let index = expect_index(a[1])?;
            match vm.image.object(a[0]) {
                Some(Object::Array(_)) => store(vm, a[0], index, a[2]),
                _ => super::arrays::seq_store(vm, t, a),
            }
        },
    )?;
    table.define(
        image,
        cl,
        "ARRAY-ROW-MAJOR-INDEX",
        (1, None),
        |vm, _, a| match vm.image.object(a[0]) {
            Some(Object::Array(_)) => {
                let index = row_major_index(&vm.image, a[0], &a[1..])?;
                value(Value::Fixnum(index as i64))
            }
            _ => match a.get(1..) {
                Some([one]) => value(Value::Fixnum(expect_index(*one)? as i64)),
                _ => Err(wrong_subscripts(a.len().saturating_sub(1), 1)),
            },
        },
    )?;
    table.define(image, cl, "ARRAY-IN-BOUNDS-P", (1, None), |vm, _, a| {
        let dimensions = dimensions(&vm.image, a[0])?;
        if dimensions.len() != a.len() - 1 {
            return Err(wrong_subscripts(a.len() - 1, dimensions.len()));
        }
        let inside = a[1..].iter().zip(&dimensions).all(|(subscript, size)| {
            matches!(subscript, Value::Fixnum(n) if *n >= 0 && (*n as usize) < *size)
        });
        value(vm.image.boolean(inside))
    })?;
    Ok(())
}

/// `(MAKE-ARRAY DIMENSIONS ...)` for a rank other than one.
pub fn make(vm: &mut Vm, dimensions: Vec<usize>, keys: &[Value]) -> LispResult<Control> {
    let total = dimensions
        .iter()
        .try_fold(1usize, |total, size| total.checked_mul(*size))
        .unwrap_or(usize::MAX);
    if keyword_arg(&mut vm.image, keys, "FILL-POINTER")?.is_some_and(|v| v.truthy()) {
        return Err(LispError::simple(
            "Only vectors can have fill pointers, not arrays of this rank.",
        ));
    }
    vm.image
        .heap
        .room_for(total.saturating_mul(std::mem::size_of::<Value>()))?;
    let items = match keyword_arg(&mut vm.image, keys, "INITIAL-CONTENTS")? {
        Some(contents) => flatten(&vm.image, contents, &dimensions)?,
        None => {
            let initial = keyword_arg(&mut vm.image, keys, "INITIAL-ELEMENT")?;
            vec![initial.unwrap_or(Value::Fixnum(0)); total]
        }
    };
    value(
        vm.image
            .heap
            .alloc(Object::Array(LispArray { dimensions, items }))?,
    )
}

/// The elements of nested `contents` in row-major order, checked against `dimensions`.
pub fn flatten(image: &Image, contents: Value, dimensions: &[usize]) -> LispResult<Vec<Value>> {
    let Some((size, inner)) = dimensions.split_first() else {
        return Ok(vec![contents]);
    };
    let items = super::sequences::sequence_items(image, contents)?;
    if items.len() != *size {
        return Err(LispError::simple(format!(
            "There are {} elements in the :INITIAL-CONTENTS, but the array dimension is {size}.",
            items.len()
        )));
    }
    let mut flat = Vec::new();
    for item in items {
        flat.extend(flatten(image, item, inner)?);
    }
    Ok(flat)
}

/// The dimensions that nested `contents` of `rank` levels have (for `#2A(...)`).
pub fn dimensions_of(image: &Image, contents: Value, rank: usize) -> LispResult<Vec<usize>> {
    let mut dimensions = Vec::with_capacity(rank);
    let mut level = contents;
    for _ in 0..rank {
        let items = super::sequences::sequence_items(image, level)?;
        dimensions.push(items.len());
        level = items.first().copied().unwrap_or(Value::Nil);
    }
    Ok(dimensions)
}

/// The array `#nA CONTENTS` reads as: a vector for rank one, else an array whose dimensions
/// are those of the nested lists.
pub fn array_from_contents(image: &mut Image, rank: usize, contents: Value) -> LispResult<Value> {
    let dimensions = dimensions_of(image, contents, rank)?;
    let items = flatten(image, contents, &dimensions)?;
    if rank == 1 {
        return Ok(image
            .heap
            .alloc(Object::Vector(super::super::object::LispVector {
                items,
                ..Default::default()
            }))?);
    }
    Ok(image
        .heap
        .alloc(Object::Array(LispArray { dimensions, items }))?)
}

/// An array's dimensions: a vector's is its total size.
pub fn dimensions(image: &Image, array: Value) -> LispResult<Vec<usize>> {
    match image.object(array) {
        Some(Object::Array(array)) => Ok(array.dimensions.clone()),
        Some(Object::Vector(vector)) => Ok(vec![vector.items.len()]),
        Some(Object::String(s)) => Ok(vec![s.char_count()]),
        _ => Err(LispError::type_error(array, "ARRAY")),
    }
}

/// `(AREF ARRAY . SUBSCRIPTS)` of an array of rank other than one.
pub fn aref(image: &Image, array: Value, subscripts: &[Value]) -> LispResult<Control> {
    let index = row_major_index(image, array, subscripts)?;
    match image.object(array) {
        Some(Object::Array(contents)) => element(contents, index, Value::Fixnum(index as i64)),
        _ => Err(LispError::type_error(array, "ARRAY")),
    }
}

fn element(array: &LispArray, index: usize, shown: Value) -> LispResult<Control> {
    array
        .items
        .get(index)
        .copied()
        .map(Control::Value)
        .ok_or_else(|| LispError::type_error(shown, format!("(INTEGER 0 ({}))", array.items.len())))
}

fn store(vm: &mut Vm, array: Value, index: usize, new: Value) -> LispResult<Control> {
    match vm.image.object_mut(array) {
        Some(Object::Array(contents)) => match contents.items.get_mut(index) {
            Some(slot) => {
                *slot = new;
                value(new)
            }
            None => Err(LispError::type_error(
                Value::Fixnum(index as i64),
                format!("(INTEGER 0 ({}))", contents.items.len()),
            )),
        },
        _ => Err(LispError::type_error(array, "ARRAY")),
    }
}

fn row_major_index(image: &Image, array: Value, subscripts: &[Value]) -> LispResult<usize> {
    let dimensions = dimensions(image, array)?;
    if dimensions.len() != subscripts.len() {
        return Err(wrong_subscripts(subscripts.len(), dimensions.len()));
    }
    let mut index = 0usize;
    for (axis, (subscript, size)) in subscripts.iter().zip(&dimensions).enumerate() {
        let n = expect_index(*subscript)?;
        if n >= *size {
            return Err(LispError::new(
                ErrorKind::TypeError {
                    datum: *subscript,
                    expected: format!("(INTEGER 0 ({size}))"),
                },
                format!("Invalid index {n} for axis {axis} of an array, should be below {size}."),
            ));
        }
        index = index * size + n;
    }
    Ok(index)
}

fn wrong_subscripts(given: usize, rank: usize) -> LispError {
    LispError::program(format!(
        "Wrong number of subscripts, {given}, for an array of rank {rank}."
    ))
}
