//! Where definitions are, for M-. (`find-definitions-for-emacs`) and SLDB's
//! `frame-source-location`: the source locations `DEFUN`, `DEFMACRO` and `DEFVAR` record in
//! each symbol while a file or an Emacs buffer is evaluated (see
//! `SWANKD::*SOURCE-ORIGIN*`).

use crate::lisp::builtins::{BuiltinTable, expect_symbol, value};
use crate::lisp::error::LispResult;
use crate::lisp::image::Image;
use crate::lisp::symbol::{FunctionKind, SourceLocation};
use crate::lisp::value::Value;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%DEFINITION-SOURCES",
        (1, Some(1)),
        |vm, _, a| {
            let sym = expect_symbol(&vm.image, a[0])?;
            let symbol = vm.image.heap.symbol(sym);
            let function = match symbol.function {
                Value::Unbound => None,
                _ => Some((
                    if symbol.function_kind == FunctionKind::Macro {
                        "DEFMACRO"
                    } else {
                        "DEFUN"
                    },
                    symbol.info.as_ref().and_then(|i| i.function_source.clone()),
                )),
            };
            let variable = symbol.special.then(|| {
                (
                    "DEFVAR",
                    symbol.info.as_ref().and_then(|i| i.variable_source.clone()),
                )
            });
            let mut entries = Vec::new();
            for (kind, source) in function.into_iter().chain(variable) {
                let kind = Value::Symbol(vm.image.intern(kind, vm.image.pkg.cl)?);
                let location = match source {
                    Some(location) => location_form(&mut vm.image, &location)?,
                    None => Value::Nil,
                };
                entries.push(vm.image.list(&[kind, location])?);
            }
            value(vm.image.list(&entries)?)
        },
    )?;
    Ok(())
}

/// `(:location (:file PATH) (:position N) nil)` or
/// `(:location (:buffer NAME) (:offset START 0) nil)`, as swank describes a place.
fn location_form(image: &mut Image, location: &SourceLocation) -> LispResult<Value> {
    let keyword = |image: &mut Image, name: &str| -> LispResult<Value> {
        Ok(Value::Symbol(image.keyword(name)?))
    };
    let (place, position) = match location {
        SourceLocation::File { path, position } => {
            let file = keyword(image, "FILE")?;
            let path = image.string(path.clone())?;
            let place = image.list(&[file, path])?;
            let key = keyword(image, "POSITION")?;
            let position = image.list(&[key, Value::Fixnum(*position as i64)])?;
            (place, position)
        }
        SourceLocation::Buffer { name, offset, .. } => {
            let buffer = keyword(image, "BUFFER")?;
            let name = image.string(name.clone())?;
            let place = image.list(&[buffer, name])?;
            let key = keyword(image, "OFFSET")?;
            let position = image.list(&[key, Value::Fixnum(*offset as i64), Value::Fixnum(0)])?;
            (place, position)
        }
    };
    let head = keyword(image, "LOCATION")?;
    Ok(image.list(&[head, place, position, Value::Nil])?)
}
