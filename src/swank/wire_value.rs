//! Converting between wire data (`lexpr::Value`, what Emacs sent or will read) and Lisp values.

use lexpr::Value as Wire;

use crate::lisp::convert::datum_to_value;
use crate::lisp::error::{ErrorKind, LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::number::Number;
use crate::lisp::object::{LispVector, Object};
use crate::lisp::package::PackageId;
use crate::lisp::print::{PrintOptions, print_to_string};
use crate::lisp::reader;
use crate::lisp::value::Value;

/// Converts what Emacs sent into Lisp data, interning unqualified symbols in `package`.
pub fn from_wire(image: &mut Image, wire: &Wire, package: PackageId) -> LispResult<Value> {
    Ok(match wire {
        Wire::Nil | Wire::Null => Value::Nil,
        Wire::Bool(b) => image.boolean(*b),
        Wire::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Fixnum(i)
            } else if let Some(u) = n.as_u64() {
                crate::lisp::number::integer_value(image, u.into())?
            } else {
                Value::Single(n.as_f64().unwrap_or(0.0) as f32)
            }
        }
        Wire::Char(c) => Value::Char(*c),
        Wire::String(s) => image.string(s.to_string())?,
        Wire::Symbol(token) => {
            let datum = reader::parse_symbol_token(token, &reader::ReadOptions::default())
                .map_err(|e| LispError::new(ErrorKind::ReaderError, e.to_string()))?;
            datum_to_value(image, &datum, package)?
        }
        Wire::Keyword(name) => Value::Symbol(image.keyword(&name.to_uppercase())?),
        Wire::Cons(_) => {
            let mut items = Vec::new();
            let mut rest = wire;
            let tail = loop {
                match rest {
                    Wire::Cons(pair) => {
                        items.push(from_wire(image, pair.car(), package)?);
                        rest = pair.cdr();
                    }
                    Wire::Nil | Wire::Null => break Value::Nil,
                    other => break from_wire(image, other, package)?,
                }
            };
            image.list_with_tail(&items, tail)?
        }
        Wire::Vector(items) => {
            let items = items
                .iter()
                .map(|item| from_wire(image, item, package))
                .collect::<LispResult<Vec<_>>>()?;
            image.heap.alloc(Object::Vector(LispVector {
                items,
                ..Default::default()
            }))?
        }
        Wire::Bytes(_) => return Err(LispError::unsupported("byte vectors on the wire")),
    })
}

const MAX_WIRE_NODES: usize = 1_000_000;

/// Converts a Lisp value into data Emacs can read: keywords, `nil`/`t`, strings, integers,
/// floats and lists; anything else travels as its printed representation.
pub fn to_wire(image: &Image, value: Value) -> Wire {
    let mut budget = MAX_WIRE_NODES;
    to_wire_bounded(image, value, &mut budget, 0)
}

fn to_wire_bounded(image: &Image, value: Value, budget: &mut usize, depth: usize) -> Wire {
    if *budget == 0 || depth > 1000 {
        return Wire::string(printed(image, value));
    }
    *budget -= 1;
    match value {
        Value::Nil => Wire::Nil,
        Value::Fixnum(n) => Wire::from(n),
        Value::Single(f) if f.is_finite() => Wire::from(f64::from(f)),
        Value::Double(f) if f.is_finite() => Wire::from(f),
        Value::Symbol(sym) if sym == image.sym.t => Wire::symbol("t"),
        Value::Symbol(sym) if image.is_keyword(sym) => {
            Wire::keyword(image.symbol_name(sym).to_lowercase())
        }
        Value::Symbol(_) => {
            let text = printed_in_keyword_package(image, value);
            if text.contains('|') {
                Wire::string(text)
            } else {
                Wire::symbol(text.to_lowercase())
            }
        }
        Value::Cons(_) => {
            let mut items = Vec::new();
            let mut rest = value;
            while let Value::Cons(r) = rest {
                let (car, cdr) = image.heap.car_cdr(r);
                items.push(to_wire_bounded(image, car, budget, depth + 1));
                rest = cdr;
                if *budget == 0 {
                    break;
                }
            }
            if rest.is_nil() {
                Wire::list(items)
            } else {
                let tail = to_wire_bounded(image, rest, budget, depth + 1);
                items
                    .into_iter()
                    .rev()
                    .fold(tail, |acc, item| Wire::cons(item, acc))
            }
        }
        Value::Object(_) => match image.object(value) {
            Some(Object::String(s)) => Wire::string(s.as_str()),
            Some(Object::Vector(v)) if v.characters => Wire::string(v.text().unwrap_or_default()),
            Some(Object::Bignum(_)) => {
                let digits = printed(image, value);
                Wire::symbol(digits)
            }
            _ => match Number::from_value(image, value) {
                Some(Number::Ratio(_)) | None => Wire::string(printed(image, value)),
                Some(other) => Wire::from(other.to_f64()),
            },
        },
        _ => Wire::string(printed(image, value)),
    }
}

fn printed(image: &Image, value: Value) -> String {
    crate::lisp::print::prin1_to_string(image, value)
}

fn printed_in_keyword_package(image: &Image, value: Value) -> String {
    let options = PrintOptions::prin1(Some(image.pkg.keyword));
    print_to_string(image, value, &options)
}
