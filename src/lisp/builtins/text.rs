//! Character predicates and comparisons, string comparisons (`string<` and friends return
//! the mismatch index, as in CL), trimming, capitalizing, and the scanner under
//! `parse-integer` (prelude.lisp signals its errors).

use std::cmp::Ordering;

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::sequences::sequence_items;
use super::{BuiltinTable, Control, expect_index, keyword_arg, string_designator, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    for (name, f) in [
        (
            "CHAR<",
            (|vm, _, a| char_chain(vm, a, false, Ordering::is_lt)) as super::BuiltinFn,
        ),
        ("CHAR>", |vm, _, a| {
            char_chain(vm, a, false, Ordering::is_gt)
        }),
        ("CHAR<=", |vm, _, a| {
            char_chain(vm, a, false, Ordering::is_le)
        }),
        ("CHAR>=", |vm, _, a| {
            char_chain(vm, a, false, Ordering::is_ge)
        }),
        ("CHAR-EQUAL", |vm, _, a| {
            char_chain(vm, a, true, Ordering::is_eq)
        }),
        ("CHAR-LESSP", |vm, _, a| {
            char_chain(vm, a, true, Ordering::is_lt)
        }),
        ("CHAR-GREATERP", |vm, _, a| {
            char_chain(vm, a, true, Ordering::is_gt)
        }),
        ("CHAR-NOT-GREATERP", |vm, _, a| {
            char_chain(vm, a, true, Ordering::is_le)
        }),
        ("CHAR-NOT-LESSP", |vm, _, a| {
            char_chain(vm, a, true, Ordering::is_ge)
        }),
    ] {
        table.define(image, cl, name, (1, None), f)?;
    }
    table.define(image, cl, "CHAR/=", (1, None), |vm, _, a| {
        char_distinct(vm, a, false)
    })?;
    table.define(image, cl, "CHAR-NOT-EQUAL", (1, None), |vm, _, a| {
        char_distinct(vm, a, true)
    })?;
    table.define(image, cl, "ALPHA-CHAR-P", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], char::is_alphabetic)
    })?;
    table.define(image, cl, "ALPHANUMERICP", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], char::is_alphanumeric)
    })?;
    table.define(image, cl, "UPPER-CASE-P", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], char::is_uppercase)
    })?;
    table.define(image, cl, "LOWER-CASE-P", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], char::is_lowercase)
    })?;
    table.define(image, cl, "BOTH-CASE-P", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], |c| c.is_uppercase() || c.is_lowercase())
    })?;
    table.define(image, cl, "GRAPHIC-CHAR-P", (1, Some(1)), |vm, _, a| {
        char_test(vm, a[0], |c| !c.is_control())
    })?;
    table.define(image, cl, "DIGIT-CHAR-P", (1, Some(2)), |_, _, a| {
        let c = expect_char(a[0])?;
        let radix = radix(a.get(1).copied())?;
        value(
            c.to_digit(radix)
                .map_or(Value::Nil, |d| Value::Fixnum(i64::from(d))),
        )
    })?;
    table.define(image, cl, "DIGIT-CHAR", (1, Some(2)), |_, _, a| {
        let weight = expect_index(a[0])?;
        let radix = radix(a.get(1).copied())?;
        let c = u32::try_from(weight)
            .ok()
            .and_then(|w| char::from_digit(w, radix));
        value(c.map_or(Value::Nil, |c| Value::Char(c.to_ascii_uppercase())))
    })?;
    table.define(image, cl, "CHAR-INT", (1, Some(1)), |_, _, a| {
        value(Value::Fixnum(i64::from(u32::from(expect_char(a[0])?))))
    })?;
    for (name, f) in [
        (
            "STRING<",
            (|vm, _, a| string_compare(vm, a, false, Ordering::is_lt)) as super::BuiltinFn,
        ),
        ("STRING>", |vm, _, a| {
            string_compare(vm, a, false, Ordering::is_gt)
        }),
        ("STRING<=", |vm, _, a| {
            string_compare(vm, a, false, Ordering::is_le)
        }),
        ("STRING>=", |vm, _, a| {
            string_compare(vm, a, false, Ordering::is_ge)
        }),
        ("STRING/=", |vm, _, a| {
            string_compare(vm, a, false, Ordering::is_ne)
        }),
        ("STRING-LESSP", |vm, _, a| {
            string_compare(vm, a, true, Ordering::is_lt)
        }),
        ("STRING-GREATERP", |vm, _, a| {
            string_compare(vm, a, true, Ordering::is_gt)
        }),
        ("STRING-NOT-GREATERP", |vm, _, a| {
            string_compare(vm, a, true, Ordering::is_le)
        }),
        ("STRING-NOT-LESSP", |vm, _, a| {
            string_compare(vm, a, true, Ordering::is_ge)
        }),
        ("STRING-NOT-EQUAL", |vm, _, a| {
            string_compare(vm, a, true, Ordering::is_ne)
        }),
    ] {
        table.define(image, cl, name, (2, Some(10)), f)?;
    }
    table.define(image, cl, "STRING-TRIM", (2, Some(2)), |vm, _, a| {
        trim(vm, a, true, true)
    })?;
    table.define(image, cl, "STRING-LEFT-TRIM", (2, Some(2)), |vm, _, a| {
        trim(vm, a, true, false)
    })?;
    table.define(image, cl, "STRING-RIGHT-TRIM", (2, Some(2)), |vm, _, a| {
        trim(vm, a, false, true)
    })?;
    table.define(image, cl, "STRING-CAPITALIZE", (1, Some(1)), |vm, _, a| {
        let text = string_designator(&vm.image, a[0])?;
        let mut out = String::with_capacity(text.len());
        let mut in_word = false;
        for c in text.chars() {
            if c.is_alphanumeric() {
                if in_word {
                    out.extend(c.to_lowercase());
                } else {
                    out.extend(c.to_uppercase());
                }
                in_word = true;
            } else {
                out.push(c);
                in_word = false;
            }
        }
        value(vm.image.string(out)?)
    })?;
    table.define(image, swankd, "%PARSE-INTEGER", (4, Some(4)), parse_integer)?;
    Ok(())
}

fn expect_char(v: Value) -> LispResult<char> {
    match v {
        Value::Char(c) => Ok(c),
        other => Err(LispError::type_error(other, "CHARACTER")),
    }
}

fn radix(v: Option<Value>) -> LispResult<u32> {
    match v {
        None => Ok(10),
        Some(Value::Fixnum(n)) if (2..=36).contains(&n) => Ok(n as u32),
        Some(other) => Err(LispError::type_error(other, "(INTEGER 2 36)")),
    }
}

fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn char_test(vm: &mut Vm, v: Value, test: fn(char) -> bool) -> LispResult<Control> {
    let c = expect_char(v)?;
    value(vm.image.boolean(test(c)))
}

fn char_chain(
    vm: &mut Vm,
    a: &[Value],
    fold: bool,
    test: fn(Ordering) -> bool,
) -> LispResult<Control> {
    let chars = a
        .iter()
        .map(|v| expect_char(*v))
        .collect::<LispResult<Vec<_>>>()?;
    let key = |c: char| if fold { fold_char(c) } else { c };
    let ok = chars.windows(2).all(|w| test(key(w[0]).cmp(&key(w[1]))));
    value(vm.image.boolean(ok))
}

fn char_distinct(vm: &mut Vm, a: &[Value], fold: bool) -> LispResult<Control> {
    let chars = a
        .iter()
        .map(|v| expect_char(*v))
        .collect::<LispResult<Vec<_>>>()?;
    let key = |c: char| if fold { fold_char(c) } else { c };
    let ok = chars
        .iter()
        .enumerate()
        .all(|(i, x)| chars[i + 1..].iter().all(|y| key(*x) != key(*y)));
    value(vm.image.boolean(ok))
}

/// A `:start`/`:end` pair for a string of `len` characters.
pub(super) fn bounds(
    image: &mut Image,
    keys: &[Value],
    start: &str,
    end: &str,
    len: usize,
) -> LispResult<(usize, usize)> {
    let s = match keyword_arg(image, keys, start)? {
        None => 0,
        Some(v) => expect_index(v)?,
    };
    let e = match keyword_arg(image, keys, end)? {
        None | Some(Value::Nil) => len,
        Some(v) => expect_index(v)?,
    };
    if s > e || e > len {
        return Err(LispError::bounding_indices(s, e, len));
    }
    Ok((s, e))
}

fn string_compare(
    vm: &mut Vm,
    a: &[Value],
    fold: bool,
    test: fn(Ordering) -> bool,
) -> LispResult<Control> {
    let x: Vec<char> = string_designator(&vm.image, a[0])?.chars().collect();
    let y: Vec<char> = string_designator(&vm.image, a[1])?.chars().collect();
    let keys = &a[2..];
    let (s1, e1) = bounds(&mut vm.image, keys, "START1", "END1", x.len())?;
    let (s2, e2) = bounds(&mut vm.image, keys, "START2", "END2", y.len())?;
    let key = |c: char| if fold { fold_char(c) } else { c };
    let (x, y) = (&x[s1..e1], &y[s2..e2]);
    let common = x
        .iter()
        .zip(y)
        .take_while(|(p, q)| key(**p) == key(**q))
        .count();
    let order = match (x.get(common), y.get(common)) {
        (Some(p), Some(q)) => key(*p).cmp(&key(*q)),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    };
    if test(order) {
        value(Value::Fixnum((s1 + common) as i64))
    } else {
        value(Value::Nil)
    }
}

/// `STRING=` (`fold`: `STRING-EQUAL`) with `:start1 :end1 :start2 :end2`.
pub fn string_equal(vm: &mut Vm, a: &[Value], fold: bool) -> LispResult<Control> {
    let x: Vec<char> = string_designator(&vm.image, a[0])?.chars().collect();
    let y: Vec<char> = string_designator(&vm.image, a[1])?.chars().collect();
    let keys = &a[2..];
    let (s1, e1) = bounds(&mut vm.image, keys, "START1", "END1", x.len())?;
    let (s2, e2) = bounds(&mut vm.image, keys, "START2", "END2", y.len())?;
    let key = |c: char| if fold { fold_char(c) } else { c };
    let same = e1 - s1 == e2 - s2
        && x[s1..e1]
            .iter()
            .zip(&y[s2..e2])
            .all(|(p, q)| key(*p) == key(*q));
    value(vm.image.boolean(same))
}

fn trim(vm: &mut Vm, a: &[Value], left: bool, right: bool) -> LispResult<Control> {
    let bag: Vec<char> = sequence_items(&vm.image, a[0])?
        .into_iter()
        .filter_map(|v| {
            if let Value::Char(c) = v {
                Some(c)
            } else {
                None
            }
        })
        .collect();
    let text = string_designator(&vm.image, a[1])?;
    let mut trimmed = text.as_str();
    if left {
        trimmed = trimmed.trim_start_matches(|c| bag.contains(&c));
    }
    if right {
        trimmed = trimmed.trim_end_matches(|c| bag.contains(&c));
    }
    let trimmed = trimmed.to_string();
    value(vm.image.string(trimmed)?)
}

/// `(%PARSE-INTEGER STRING START END RADIX)`: `(INTEGER INDEX NIL)`; `(INTEGER INDEX T)` with
/// INDEX where junk starts; `(NIL INDEX :EMPTY)` when there are no digits at all.
fn parse_integer(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let text: Vec<char> = super::expect_string(&vm.image, a[0])?.chars().collect();
    let start = expect_index(a[1])?;
    let end = match a[2] {
        Value::Nil => text.len(),
        v => expect_index(v)?,
    };
    if start > end || end > text.len() {
        return Err(LispError::bounding_indices(start, end, text.len()));
    }
    let radix = radix(Some(a[3]))?;
    let mut i = start;
    while i < end && text[i].is_whitespace() {
        i += 1;
    }
    let mut negative = false;
    if i < end && (text[i] == '+' || text[i] == '-') {
        negative = text[i] == '-';
        i += 1;
    }
    let digits_start = i;
    let mut n = num_bigint::BigInt::from(0);
    while i < end {
        match text[i].to_digit(radix) {
            Some(d) => n = n * radix + d,
            None => break,
        }
        i += 1;
    }
    let had_digits = i > digits_start;
    let mut j = i;
    while j < end && text[j].is_whitespace() {
        j += 1;
    }
    let n = if negative { -n } else { n };
    let n = super::super::number::integer_value(&mut vm.image, n)?;
    let result = if !had_digits {
        let empty = Value::Symbol(vm.image.keyword("EMPTY")?);
        vm.image
            .list(&[Value::Nil, Value::Fixnum(i as i64), empty])?
    } else if j < end {
        let t = vm.image.t();
        vm.image.list(&[n, Value::Fixnum(i as i64), t])?
    } else {
        vm.image.list(&[n, Value::Fixnum(j as i64), Value::Nil])?
    };
    value(result)
}
