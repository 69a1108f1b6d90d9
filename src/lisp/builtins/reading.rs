//! Reading: `READ-FROM-STRING` and reading files for `LOAD`.

use super::super::convert::datum_to_value;
use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::reader::{self, ReadError};
use super::super::value::Value;
use super::{BuiltinTable, expect_index, expect_string, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%READ-FROM-STRING",
        (4, Some(4)),
        |vm, thread, a| {
            let text = expect_string(&vm.image, a[0])?;
            let start = expect_index(a[3])?;
            let byte_start = text
                .char_indices()
                .nth(start)
                .map(|(i, _)| i)
                .unwrap_or(text.len());
            let options = super::super::system::thread_read_options(vm, thread);
            let package = match vm
                .image
                .object(vm.symbol_value(thread, vm.image.sym.package_var)?)
            {
                Some(Object::Package(id)) => *id,
                _ => vm.image.pkg.cl_user,
            };
            match reader::read_one(&text, byte_start, &options) {
                Ok(Some((datum, end))) => {
                    let form = datum_to_value(&mut vm.image, &datum, package)?;
                    let end_chars = text[..end].chars().count() as i64;
                    let read_eval = vm.image.boolean(datum.has_read_eval());
                    thread.mv = Some(vec![form, Value::Fixnum(end_chars), read_eval]);
                    value(form)
                }
                Ok(None) if a[1].is_nil() => {
                    let end_chars = text.chars().count() as i64;
                    thread.mv = Some(vec![a[2], Value::Fixnum(end_chars)]);
                    value(a[2])
                }
                Ok(None) => Err(LispError::new(
                    ErrorKind::EndOfFile,
                    "end of file on a string input stream",
                )),
                // The text ends inside a form: END-OF-FILE whatever EOF-ERROR-P says, as
                // Common Lisp's READ does, so a truncated last form is never silently dropped.
                Err(ReadError::Incomplete { message, .. }) => Err(LispError::new(
                    ErrorKind::EndOfFile,
                    format!("end of file on a string input stream ({message})"),
                )),
                Err(error) => Err(LispError::new(ErrorKind::ReaderError, error.to_string())),
            }
        },
    )?;
    table.define(image, swankd, "%FORM-START", (2, Some(2)), |vm, _, a| {
        let text = expect_string(&vm.image, a[0])?;
        let start = expect_index(a[1])?;
        value(Value::Fixnum(form_start(&text, start) as i64))
    })?;
    table.define(image, swankd, "%ABSOLUTE-PATH", (1, Some(1)), |vm, _, a| {
        let path = std::path::PathBuf::from(expect_string(&vm.image, a[0])?);
        let absolute = std::path::absolute(&path).unwrap_or(path);
        value(vm.image.string(absolute.display().to_string())?)
    })?;
    table.define(image, swankd, "%FILE-STRING", (1, Some(1)), |vm, _, a| {
        let path = expect_string(&vm.image, a[0])?;
        let text = std::fs::read_to_string(&path)
            .map_err(|error| LispError::simple(format!("cannot read file {path}: {error}")))?;
        value(vm.image.string(text)?)
    })?;
    Ok(())
}

/// The character index of the next form in `text` at or after character index `start`:
/// past whitespace, `;` comments and (nested) `#| |#` comments.
fn form_start(text: &str, start: usize) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut index = start.min(chars.len());
    loop {
        match chars.get(index) {
            Some(c) if c.is_whitespace() => index += 1,
            Some(';') => {
                while chars.get(index).is_some_and(|c| *c != '\n') {
                    index += 1;
                }
            }
            Some('#') if chars.get(index + 1) == Some(&'|') => {
                let mut depth = 0usize;
                while index < chars.len() {
                    if chars[index] == '#' && chars.get(index + 1) == Some(&'|') {
                        depth += 1;
                        index += 2;
                    } else if chars[index] == '|' && chars.get(index + 1) == Some(&'#') {
                        depth -= 1;
                        index += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        index += 1;
                    }
                }
            }
            _ => return index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::form_start;

    #[test]
    fn form_start_skips_blanks_and_comments() {
        assert_eq!(form_start("  ; note\n #| a #| b |# |#(x)", 0), 25);
        assert_eq!(form_start("(a) (b)", 3), 4);
        assert_eq!(form_start("   ", 0), 3);
    }
}
