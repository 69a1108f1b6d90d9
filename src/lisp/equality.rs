//! `EQL`, `EQUAL`, `EQUALP`, and hashing consistent with each (for hash tables).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::hash_table::HashTest;
use super::image::Image;
use super::number::{self, Number};
use super::object::Object;
use super::value::Value;

pub fn eql(image: &Image, a: Value, b: Value) -> bool {
    if a.eq(b) {
        return true;
    }
    match (image.object(a), image.object(b)) {
        (Some(Object::Bignum(x)), Some(Object::Bignum(y))) => x == y,
        (Some(Object::Ratio(x)), Some(Object::Ratio(y))) => x == y,
        _ => false,
    }
}

/// The bytes of a simple string (all EQUAL compares).
fn simple_string(image: &Image, value: Value) -> Option<&[u8]> {
    match image.object(value)? {
        Object::String(s) => Some(s.text().as_bytes()),
        _ => None,
    }
}

pub fn equal(image: &Image, a: Value, b: Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        if eql(image, a, b) {
            continue;
        }
        match (a, b) {
            (Value::Cons(x), Value::Cons(y)) => {
                let (xa, xd) = image.heap.car_cdr(x);
                let (ya, yd) = image.heap.car_cdr(y);
                pending.push((xd, yd));
                pending.push((xa, ya));
            }
            _ if pathnames_equal(image, a, b) => {}
            _ => match (simple_string(image, a), simple_string(image, b)) {
                (Some(x), Some(y)) if x == y => {}
                (Some(_), Some(_)) => return false,
                // Strings with fill pointers are EQUAL to strings of the same characters.
                _ => match (image.string_text(a), image.string_text(b)) {
                    (Some(x), Some(y)) if x == y => {}
                    _ => return false,
                },
            },
        }
    }
    true
}

/// Pathnames are EQUAL when their components are.
fn pathnames_equal(image: &Image, a: Value, b: Value) -> bool {
    matches!(
        (image.object(a), image.object(b)),
        (Some(Object::Pathname(x)), Some(Object::Pathname(y))) if x == y
    )
}

pub fn equalp(image: &Image, a: Value, b: Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        if eql(image, a, b) {
            continue;
        }
        match (a, b) {
            (Value::Cons(x), Value::Cons(y)) => {
                let (xa, xd) = image.heap.car_cdr(x);
                let (ya, yd) = image.heap.car_cdr(y);
                pending.push((xd, yd));
                pending.push((xa, ya));
            }
            (Value::Char(x), Value::Char(y)) => {
                if !x.to_lowercase().eq(y.to_lowercase()) {
                    return false;
                }
            }
            _ => {
                if let (Some(x), Some(y)) =
                    (Number::from_value(image, a), Number::from_value(image, b))
                {
                    if number::compare(&x, &y) != Some(std::cmp::Ordering::Equal) {
                        return false;
                    }
                    continue;
                }
                match (image.object(a), image.object(b)) {
                    (Some(Object::Pathname(_)), Some(Object::Pathname(_))) => {
                        if !pathnames_equal(image, a, b) {
                            return false;
                        }
                    }
                    (Some(Object::String(x)), Some(Object::String(y))) => {
                        if x.as_str().to_lowercase() != y.as_str().to_lowercase() {
                            return false;
                        }
                    }
                    (Some(Object::Vector(x)), Some(Object::Vector(y))) => {
                        if x.active().len() != y.active().len() {
                            return false;
                        }
                        pending.extend(x.active().iter().copied().zip(y.active().iter().copied()));
                    }
                    // A string and a vector are EQUALP when their elements are.
                    (Some(Object::String(x)), Some(Object::Vector(y)))
                    | (Some(Object::Vector(y)), Some(Object::String(x))) => {
                        if x.char_count() != y.active().len() {
                            return false;
                        }
                        pending.extend(
                            x.as_str()
                                .chars()
                                .map(Value::Char)
                                .zip(y.active().iter().copied()),
                        );
                    }
                    (Some(Object::Array(x)), Some(Object::Array(y))) => {
                        if x.dimensions != y.dimensions {
                            return false;
                        }
                        pending.extend(x.items.iter().copied().zip(y.items.iter().copied()));
                    }
                    // Tables of the same test and size whose keys map to EQUALP values.
                    (Some(Object::HashTable(x)), Some(Object::HashTable(y))) => {
                        if x.test != y.test || x.len() != y.len() {
                            return false;
                        }
                        for (key, x_value) in x.entries() {
                            let hash = hash_key(image, y.test, key);
                            let slot = y.find(hash, |other| same_key(image, y.test, other, key));
                            match slot.and_then(|slot| y.value_at(slot)) {
                                Some(y_value) => pending.push((x_value, y_value)),
                                None => return false,
                            }
                        }
                    }
                    // Structures of the same type with EQUALP slots, as CL defines.
                    (Some(Object::Struct(x)), Some(Object::Struct(y))) => {
                        if !eql(image, x.layout, y.layout) || x.slots.len() != y.slots.len() {
                            return false;
                        }
                        pending.extend(x.slots.iter().copied().zip(y.slots.iter().copied()));
                    }
                    _ => return false,
                }
            }
        }
    }
    true
}

pub fn same_key(image: &Image, test: HashTest, a: Value, b: Value) -> bool {
    match test {
        HashTest::Eq => a.eq(b),
        HashTest::Eql => eql(image, a, b),
        HashTest::Equal => equal(image, a, b),
        HashTest::Equalp => equalp(image, a, b),
    }
}

/// A hash consistent with `test`: equal keys hash alike.
pub fn hash_key(image: &Image, test: HashTest, key: Value) -> u64 {
    if let Some(word) = immediate_word(test, key) {
        return word;
    }
    let mut hasher = DefaultHasher::new();
    hash_into(image, test, key, &mut hasher, 4);
    hasher.finish()
}

/// Keys that hash by one machine word under `test`, whatever the table holds: the word, with
/// the kind of value in its top bits. The word is the hash as it is: the table's probing
/// mixes in its high bits (see `hash_table`).
fn immediate_word(test: HashTest, key: Value) -> Option<u64> {
    const KIND: u32 = 61;
    match key {
        Value::Nil => Some(1 << KIND),
        Value::Symbol(s) => Some((2 << KIND) | u64::from(s.0)),
        Value::Fixnum(n) if test != HashTest::Equalp => Some(n as u64),
        Value::Char(c) if test != HashTest::Equalp => Some((3 << KIND) | u64::from(c)),
        _ => None,
    }
}

fn hash_into(image: &Image, test: HashTest, key: Value, hasher: &mut DefaultHasher, depth: usize) {
    // EQUALP compares numbers with `=`, so 1, 1.0 and 1.0d0 must hash alike: hash the
    // value as a double (exact for every float, and for the integers and ratios `=` to one).
    if test == HashTest::Equalp
        && !matches!(
            key,
            Value::Nil | Value::Symbol(_) | Value::Cons(_) | Value::Char(_)
        )
        && let Some(number) = Number::from_value(image, key)
    {
        let x = number.to_f64();
        (if x == 0.0 { 0.0f64 } else { x }).to_bits().hash(hasher);
        return;
    }
    match key {
        Value::Nil => 0u8.hash(hasher),
        Value::Fixnum(n) => n.hash(hasher),
        Value::Char(c) => {
            if test == HashTest::Equalp {
                c.to_lowercase().for_each(|c| c.hash(hasher));
            } else {
                c.hash(hasher);
            }
        }
        Value::Single(f) => f.to_bits().hash(hasher),
        Value::Double(f) => f.to_bits().hash(hasher),
        Value::Symbol(s) => s.hash(hasher),
        Value::Unbound => 1u8.hash(hasher),
        Value::Cons(r) => {
            if matches!(test, HashTest::Equal | HashTest::Equalp) && depth > 0 {
                let (car, cdr) = image.heap.car_cdr(r);
                hash_into(image, test, car, hasher, depth - 1);
                hash_into(image, test, cdr, hasher, depth - 1);
            } else if !matches!(test, HashTest::Equal | HashTest::Equalp) {
                r.hash(hasher);
            }
        }
        Value::Object(r) => match image.heap.object(r) {
            Some(Object::Bignum(n)) => n.hash(hasher),
            Some(Object::Ratio(q)) => q.hash(hasher),
            Some(Object::String(s)) if test == HashTest::Equal => s.as_str().hash(hasher),
            Some(Object::String(s)) if test == HashTest::Equalp => {
                s.as_str().to_lowercase().hash(hasher)
            }
            Some(Object::Vector(v)) if test == HashTest::Equal && v.characters => {
                v.text().unwrap_or_default().hash(hasher)
            }
            // A vector of characters is EQUALP to the string of them: hash it the same way.
            Some(Object::Vector(v)) if test == HashTest::Equalp => {
                let text: Option<String> = v
                    .active()
                    .iter()
                    .map(|item| match item {
                        Value::Char(c) => Some(*c),
                        _ => None,
                    })
                    .collect();
                match text {
                    Some(text) => text.to_lowercase().hash(hasher),
                    None => 2u8.hash(hasher),
                }
            }
            Some(Object::Struct(_)) if test == HashTest::Equalp => 4u8.hash(hasher),
            Some(Object::Pathname(pathname))
                if matches!(test, HashTest::Equal | HashTest::Equalp) =>
            {
                pathname.hash(hasher)
            }
            Some(Object::HashTable(_)) if test == HashTest::Equalp => 5u8.hash(hasher),
            _ => r.hash(hasher),
        },
    }
}
