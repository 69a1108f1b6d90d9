//! Turning what the reader produced into heap values: interning symbols in packages and
//! building lists, strings and numbers.

use super::error::{ErrorKind, LispError, LispResult};
use super::image::Image;
use super::number::{Number, integer_value};
use super::object::{LispVector, Object};
use super::package::PackageId;
use super::reader::{Datum, PackagePrefix, SymbolToken};
use super::value::Value;

/// Converts a datum, interning unqualified symbols in `package`.
pub fn datum_to_value(image: &mut Image, datum: &Datum, package: PackageId) -> LispResult<Value> {
    Ok(match datum {
        Datum::Integer(n) => integer_value(image, n.clone())?,
        Datum::Ratio(q) => Number::Ratio(q.clone()).into_value(image)?,
        Datum::Single(f) => Value::Single(*f),
        Datum::Double(f) => Value::Double(*f),
        Datum::Char(c) => Value::Char(*c),
        Datum::String(s) => image.string(s.clone())?,
        Datum::Symbol(token) => symbol(image, token, package)?,
        Datum::List { items, tail, .. } => {
            let tail = match tail {
                Some(tail) => datum_to_value(image, tail, package)?,
                None => Value::Nil,
            };
            let items = items
                .iter()
                .map(|item| datum_to_value(image, item, package))
                .collect::<LispResult<Vec<_>>>()?;
            image.list_with_tail(&items, tail)?
        }
        Datum::Vector(items) => {
            let items = items
                .iter()
                .map(|item| datum_to_value(image, item, package))
                .collect::<LispResult<Vec<_>>>()?;
            image.heap.alloc(Object::Vector(LispVector {
                items,
                ..Default::default()
            }))?
        }
        Datum::Array { rank, contents } => {
            let contents = datum_to_value(image, contents, package)?;
            super::builtins::array_from_contents(image, *rank, contents)?
        }
        Datum::Backquote(inner) => wrap(image, image.sym.quasiquote, inner, package)?,
        Datum::Unquote(inner) => wrap(image, image.sym.unquote, inner, package)?,
        Datum::UnquoteSplicing(inner) => wrap(image, image.sym.unquote_splicing, inner, package)?,
        Datum::Pathname(inner) => match &**inner {
            Datum::String(text) => image.heap.alloc(super::object::Object::Pathname(Box::new(
                super::pathname::Pathname::parse(text),
            )))?,
            _ => {
                return Err(LispError::new(
                    super::error::ErrorKind::ReaderError,
                    "#P must be followed by a string",
                ));
            }
        },
        // READ-FROM-STRING evaluates these once the whole form is read (#.FORM).
        Datum::ReadEval(inner) => {
            let marker = image.intern("%READ-EVAL", image.pkg.swankd)?;
            wrap(image, marker, inner, package)?
        }
    })
}

fn wrap(
    image: &mut Image,
    head: super::value::SymRef,
    inner: &Datum,
    package: PackageId,
) -> LispResult<Value> {
    let inner = datum_to_value(image, inner, package)?;
    Ok(image.list(&[Value::Symbol(head), inner])?)
}

fn symbol(image: &mut Image, token: &SymbolToken, package: PackageId) -> LispResult<Value> {
    let sym = match &token.package {
        None => image.intern(&token.name, package)?,
        Some(PackagePrefix::Keyword) => image.keyword(&token.name)?,
        Some(PackagePrefix::Uninterned) => image.make_symbol(&token.name)?,
        Some(PackagePrefix::Internal(name)) => {
            let id = find_package(image, name)?;
            image.intern(&token.name, id)?
        }
        Some(PackagePrefix::External(name)) => {
            let id = find_package(image, name)?;
            match image.packages.find_external(id, &token.name) {
                Some(sym) => sym,
                None if id == image.pkg.keyword => image.keyword(&token.name)?,
                None => {
                    let package_name = image.packages.get(id).name.clone();
                    return Err(LispError::new(
                        ErrorKind::ReaderError,
                        format!(
                            "Symbol \"{}\" not found in the {package_name} package.",
                            token.name
                        ),
                    ));
                }
            }
        }
    };
    Ok(image.symbol_value_of(sym))
}

fn find_package(image: &Image, name: &str) -> LispResult<PackageId> {
    image.packages.find(name).ok_or_else(|| {
        LispError::new(
            ErrorKind::ReaderError,
            format!("Package {name} does not exist."),
        )
    })
}
