//! Argument helpers shared by builtins, so every builtin reports type errors in the same words.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::value::{SymRef, Value};

pub fn expect_symbol(image: &Image, value: Value) -> LispResult<SymRef> {
    image
        .as_symbol(value)
        .ok_or_else(|| LispError::type_error(value, "SYMBOL"))
}

pub fn expect_string(image: &Image, value: Value) -> LispResult<String> {
    image
        .string_text(value)
        .ok_or_else(|| LispError::type_error(value, "STRING"))
}

/// A string designator: a string, a symbol (its name) or a character.
pub fn string_designator(image: &Image, value: Value) -> LispResult<String> {
    match value {
        Value::Char(c) => Ok(c.to_string()),
        Value::Nil => Ok("NIL".to_string()),
        Value::Symbol(sym) => Ok(image.symbol_name(sym).to_string()),
        other => image
            .string_text(other)
            .ok_or_else(|| LispError::type_error(other, "(OR STRING SYMBOL CHARACTER)")),
    }
}

pub fn expect_fixnum(value: Value) -> LispResult<i64> {
    match value {
        Value::Fixnum(n) => Ok(n),
        other => Err(LispError::type_error(other, "INTEGER")),
    }
}

pub fn expect_index(value: Value) -> LispResult<usize> {
    match value {
        Value::Fixnum(n) if n >= 0 => Ok(n as usize),
        other => Err(LispError::type_error(other, "(MOD 4611686018427387901)")),
    }
}

pub fn expect_list(image: &Image, value: Value) -> LispResult<Vec<Value>> {
    image
        .list_to_vec(value)
        .ok_or_else(|| LispError::type_error(value, "LIST"))
}

pub fn is_string(image: &Image, value: Value) -> bool {
    match image.object(value) {
        Some(Object::String(_)) => true,
        Some(Object::Vector(vector)) => vector.characters,
        _ => false,
    }
}

/// Looks up `key` in a property list of keyword arguments.
pub fn keyword_arg(image: &mut Image, args: &[Value], key: &str) -> LispResult<Option<Value>> {
    let key = image.keyword(key)?;
    Ok(args
        .chunks(2)
        .find(|pair| matches!(pair[0], Value::Symbol(k) if k == key))
        .and_then(|pair| pair.get(1).copied()))
}
