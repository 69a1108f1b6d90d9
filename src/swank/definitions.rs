//! Where definitions are, for M-. (`find-definitions-for-emacs`) and SLDB's
//! `frame-source-location`: the source locations `DEFUN`, `DEFMACRO` and `DEFVAR` record in
//! each symbol while a file or an Emacs buffer is evaluated (see
//! `SWANKD::*SOURCE-ORIGIN*`).

use crate::lisp::builtins::{BuiltinTable, expect_string, expect_symbol, value};
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
    table.define(image, swankd, "%CALL-OFFSET", (2, Some(2)), |vm, _, a| {
        let text = expect_string(&vm.image, a[0])?;
        let name = expect_string(&vm.image, a[1])?;
        value(call_offset(&text, &name).map_or(Value::Nil, |i| Value::Fixnum(i as i64)))
    })?;
    table.define(image, swankd, "%SYMBOL-OFFSET", (2, Some(2)), |vm, _, a| {
        let text = expect_string(&vm.image, a[0])?;
        let name = expect_string(&vm.image, a[1])?;
        value(symbol_offset(&text, &name).map_or(Value::Nil, |i| Value::Fixnum(i as i64)))
    })?;
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

/// The character index of the first `(NAME` or `(PKG::NAME` in `text`, NAME compared
/// without regard to case: where a compiler note about a call of NAME points.
fn call_offset(text: &str, name: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    let delimiter = |c: char| c.is_whitespace() || "()\"';`".contains(c);
    (0..chars.len()).find(|&open| {
        if chars[open] != '(' {
            return false;
        }
        let token: String = chars[open + 1..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| !delimiter(**c))
            .collect();
        let bare = token.rsplit(':').next().unwrap_or(&token);
        bare.eq_ignore_ascii_case(name)
    })
}

/// The character index of the first token `NAME` or `PKG::NAME` in `text` (any case):
/// where a compiler note about a variable points.
fn symbol_offset(text: &str, name: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    let delimiter = |c: char| c.is_whitespace() || "()\"';`,".contains(c);
    let mut at = 0;
    while at < chars.len() {
        if delimiter(chars[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < chars.len() && !delimiter(chars[at]) {
            at += 1;
        }
        let token: String = chars[start..at].iter().collect();
        let bare = token.rsplit(':').next().unwrap_or(&token);
        if bare.eq_ignore_ascii_case(name) {
            return Some(start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{call_offset, symbol_offset};

    #[test]
    fn a_variable_is_found_as_a_whole_token() {
        assert_eq!(symbol_offset("(let ((xy 1) (x 2)) y)", "X"), Some(14));
        assert_eq!(symbol_offset("(print cl-user::*v*)", "*V*"), Some(7));
        assert_eq!(symbol_offset("(print xx)", "X"), None);
    }

    #[test]
    fn a_call_is_found_with_or_without_its_package() {
        assert_eq!(
            call_offset("(defun foo () (cl-user::bar))", "BAR"),
            Some(14)
        );
        assert_eq!(call_offset("(defun foo () (bar 1))", "BAR"), Some(14));
        assert_eq!(call_offset("(defun foo () (barn))", "BAR"), None);
    }
}
