//! Strings and characters.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_index, string_designator, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "STRINGP", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(super::is_string(&vm.image, a[0])))
    })?;
    table.define(image, cl, "CHARACTERP", (1, Some(1)), |vm, _, a| {
        value(vm.image.boolean(matches!(a[0], Value::Char(_))))
    })?;
    table.define(image, cl, "STRING", (1, Some(1)), |vm, _, a| {
        if super::is_string(&vm.image, a[0]) {
            return value(a[0]);
        }
        let text = string_designator(&vm.image, a[0])?;
        value(vm.image.string(text)?)
    })?;
    table.define(image, cl, "STRING=", (2, Some(10)), |vm, _, a| {
        super::text::string_equal(vm, a, false)
    })?;
    table.define(image, cl, "STRING-EQUAL", (2, Some(10)), |vm, _, a| {
        super::text::string_equal(vm, a, true)
    })?;
    table.define(image, cl, "STRING-UPCASE", (1, Some(5)), |vm, _, a| {
        change_case(vm, a, upcase)
    })?;
    table.define(image, cl, "STRING-DOWNCASE", (1, Some(5)), |vm, _, a| {
        change_case(vm, a, downcase)
    })?;
    table.define(image, cl, "CHAR", (2, Some(2)), char_at)?;
    table.define(image, cl, "SCHAR", (2, Some(2)), char_at)?;
    table.define(image, cl, "CHAR-CODE", (1, Some(1)), |_, _, a| match a[0] {
        Value::Char(c) => value(Value::Fixnum(i64::from(u32::from(c)))),
        other => Err(LispError::type_error(other, "CHARACTER")),
    })?;
    table.define(image, cl, "CODE-CHAR", (1, Some(1)), |_, _, a| {
        let code = super::expect_fixnum(a[0])?;
        if !(0..0x110000).contains(&code) {
            return Err(LispError::type_error(a[0], "(MOD 1114112)"));
        }
        let c = u32::try_from(code).ok().and_then(char::from_u32);
        value(c.map(Value::Char).unwrap_or(Value::Nil))
    })?;
    table.define(image, cl, "CHAR-NAME", (1, Some(1)), |vm, _, a| {
        match a[0] {
            Value::Char(c) => {
                let name = crate::lisp::reader::chars::lisp_char_name(c);
                value(vm.image.string(name.into_owned())?)
            }
            other => Err(LispError::type_error(other, "CHARACTER")),
        }
    })?;
    table.define(image, cl, "NAME-CHAR", (1, Some(1)), |vm, _, a| {
        let name = match a[0] {
            Value::Char(c) => c.to_string(),
            other => string_designator(&vm.image, other)?,
        };
        let found = crate::lisp::reader::chars::name_char(&name).map(Value::Char);
        value(found.unwrap_or(Value::Nil))
    })?;
    table.define(image, cl, "CHAR-UPCASE", (1, Some(1)), |_, _, a| {
        match a[0] {
            Value::Char(c) => value(Value::Char(upcase(c))),
            other => Err(LispError::type_error(other, "CHARACTER")),
        }
    })?;
    table.define(
        image,
        cl,
        "CHAR-DOWNCASE",
        (1, Some(1)),
        |_, _, a| match a[0] {
            Value::Char(c) => value(Value::Char(downcase(c))),
            other => Err(LispError::type_error(other, "CHARACTER")),
        },
    )?;
    table.define(image, cl, "CHAR=", (1, None), |vm, _, a| {
        // Every argument must be a character, as in SBCL, not only those compared.
        if let Some(other) = a.iter().find(|v| !matches!(v, Value::Char(_))) {
            return Err(LispError::type_error(*other, "CHARACTER"));
        }
        let same = a
            .windows(2)
            .all(|w| matches!((w[0], w[1]), (Value::Char(x), Value::Char(y)) if x == y));
        value(vm.image.boolean(same))
    })?;
    Ok(())
}

/// `CHAR` and `SCHAR`: like `AREF`, they ignore a fill pointer.
fn char_at(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let index = expect_index(a[1])?;
    let (found, length) = match vm.image.object(a[0]) {
        Some(Object::String(s)) => (s.char_at(index), s.char_count()),
        Some(Object::Vector(v)) if v.characters => match v.items.get(index) {
            Some(Value::Char(c)) => (Some(*c), v.items.len()),
            _ => (None, v.items.len()),
        },
        _ => return Err(LispError::type_error(a[0], "STRING")),
    };
    match found {
        Some(c) => value(Value::Char(c)),
        None => Err(LispError::type_error(
            a[1],
            format!("(INTEGER 0 ({length}))"),
        )),
    }
}

/// `CHAR-UPCASE`: a character whose upper case is more than one character (`ß`) stays as it
/// is, as in SBCL.
pub(super) fn upcase(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `CHAR-DOWNCASE`, one character to one character like [`upcase`].
pub(super) fn downcase(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `STRING-UPCASE`/`STRING-DOWNCASE` with `:start` and `:end`: a fresh string.
fn change_case(vm: &mut Vm, a: &[Value], case: fn(char) -> char) -> LispResult<Control> {
    let text: Vec<char> = string_designator(&vm.image, a[0])?.chars().collect();
    let (start, end) = super::text::bounds(&mut vm.image, &a[1..], "START", "END", text.len())?;
    let changed: String = text
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if (start..end).contains(&i) {
                case(*c)
            } else {
                *c
            }
        })
        .collect();
    value(vm.image.string(changed)?)
}
