//! Reading: `READ-FROM-STRING` and reading files for `LOAD`.

use std::borrow::Cow;

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
        (6, Some(6)),
        |vm, thread, a| {
            let start = expect_index(a[3])?;
            let preserve_whitespace = !a[5].is_nil();
            let options = super::super::system::thread_read_options(vm, thread);
            let package = match vm
                .image
                .object(vm.symbol_value(thread, vm.image.sym.package_var)?)
            {
                Some(Object::Package(id)) => *id,
                _ => vm.image.pkg.cl_user,
            };
            // Reads from the string in place: LOAD reads every form of a file this way.
            let (read, end_chars) = {
                let (text, byte_start, byte_end) = bounded_text(&vm.image, a[0], start, a[4])?;
                let text = &text[..byte_end];
                let read = if preserve_whitespace {
                    reader::read_one_preserving(text, byte_start, &options)
                } else {
                    reader::read_one(text, byte_start, &options)
                };
                let end = match &read {
                    Ok(Some((_, end))) => *end,
                    _ => text.len(),
                };
                let end_chars = start + text[byte_start..end.max(byte_start)].chars().count();
                (read, end_chars as i64)
            };
            match read {
                Ok(Some((datum, _))) => {
                    let form = datum_to_value(&mut vm.image, &datum, package)?;
                    let read_eval = vm.image.boolean(datum.has_read_eval());
                    thread.mv = Some(smallvec::smallvec![
                        form,
                        Value::Fixnum(end_chars),
                        read_eval
                    ]);
                    value(form)
                }
                Ok(None) if a[1].is_nil() => {
                    thread.mv = Some(smallvec::smallvec![a[2], Value::Fixnum(end_chars)]);
                    value(a[2])
                }
                Ok(None) => Err(LispError::new(
                    ErrorKind::EndOfFile(Value::Nil),
                    "end of file on a string input stream",
                )),
                // The text ends inside a form: END-OF-FILE whatever EOF-ERROR-P says, as
                // Common Lisp's READ does, so a truncated last form is never silently dropped.
                Err(ReadError::Incomplete { message, .. }) => Err(LispError::new(
                    ErrorKind::EndOfFile(Value::Nil),
                    format!("end of file on a string input stream ({message})"),
                )),
                Err(error) => Err(LispError::new(ErrorKind::ReaderError, error.to_string())),
            }
        },
    )?;
    table.define(image, swankd, "%FORM-START", (2, Some(2)), |vm, _, a| {
        let start = expect_index(a[1])?;
        let (text, from, _) = bounded_text(&vm.image, a[0], start, Value::Nil)?;
        let found = form_start(&text, from, start);
        value(Value::Fixnum(found as i64))
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

/// The text of `string`, and the byte offsets in it of character indices `start` and `end`
/// (NIL: the string's end), checked against its length. A simple string finds the offsets
/// without walking the text: LOAD reads a file's forms one after another this way.
fn bounded_text(
    image: &Image,
    string: Value,
    start: usize,
    end: Value,
) -> LispResult<(Cow<'_, str>, usize, usize)> {
    let end = if end.is_nil() {
        None
    } else {
        Some(expect_index(end)?)
    };
    if let Some(Object::String(s)) = image.object(string) {
        let length = s.char_count();
        let end = end.unwrap_or(length);
        if start > end || end > length {
            return Err(LispError::bounding_indices(start, end, length));
        }
        return Ok((
            Cow::Borrowed(s.as_str()),
            s.byte_offset(start),
            s.byte_offset(end),
        ));
    }
    let text = expect_string(image, string)?;
    let offsets: Vec<usize> = text
        .char_indices()
        .map(|(byte, _)| byte)
        .chain(std::iter::once(text.len()))
        .collect();
    let length = offsets.len() - 1;
    let end = end.unwrap_or(length);
    if start > end || end > length {
        return Err(LispError::bounding_indices(start, end, length));
    }
    Ok((Cow::Owned(text), offsets[start], offsets[end]))
}

/// The character index of the next form in `text` at or after character index `start`,
/// which is at byte `from`: past whitespace, `;` comments and (nested) `#| |#` comments.
fn form_start(text: &str, from: usize, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut index = from;
    loop {
        match bytes.get(index) {
            Some(b';') => {
                while bytes.get(index).is_some_and(|b| *b != b'\n') {
                    index += 1;
                }
            }
            Some(b'#') if bytes.get(index + 1) == Some(&b'|') => {
                let mut depth = 0usize;
                while index < bytes.len() {
                    if bytes[index] == b'#' && bytes.get(index + 1) == Some(&b'|') {
                        depth += 1;
                        index += 2;
                    } else if bytes[index] == b'|' && bytes.get(index + 1) == Some(&b'#') {
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
            Some(_) => match text[index..].chars().next() {
                Some(c) if c.is_whitespace() => index += c.len_utf8(),
                _ => break,
            },
            None => break,
        }
    }
    start + text[from..index.min(text.len())].chars().count()
}

#[cfg(test)]
mod tests {
    use super::form_start;

    #[test]
    fn form_start_skips_blanks_and_comments() {
        assert_eq!(form_start("  ; note\n #| a #| b |# |#(x)", 0, 0), 25);
        assert_eq!(form_start("(a) (b)", 3, 3), 4);
        assert_eq!(form_start("   ", 0, 0), 3);
    }
}
