//! Character input: `make-string-input-stream`, `read-line`, `read-char`, `peek-char`,
//! `unread-char`, on string streams and on an Emacs connection's input (concatenated and
//! echo streams read through `composite_input`). When a
//! connection's input has nothing left, the call is replaced by one of
//! `SWANKD::%AWAIT-INPUT`, which asks Emacs for a line (`:read-string`), waits, and calls
//! the function again. Socket streams read from their connection (`socket_stream`).

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::socket_stream::Read;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::composite_input::{self, Line, Taken};
use super::{BuiltinTable, Control, expect_index, expect_string, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(
        image,
        cl,
        "MAKE-STRING-INPUT-STREAM",
        (1, Some(3)),
        |vm, _, a| {
            let text: Vec<char> = expect_string(&vm.image, a[0])?.chars().collect();
            let start = match a.get(1) {
                Some(v) => expect_index(*v)?,
                None => 0,
            };
            let end = match a.get(2) {
                Some(Value::Nil) | None => text.len(),
                Some(v) => expect_index(*v)?,
            };
            if start > end || end > text.len() {
                return Err(LispError::bounding_indices(start, end, text.len()));
            }
            let text: String = text[start..end].iter().collect();
            value(vm.image.heap.alloc(Object::Stream(Stream::StringInput {
                text,
                position: 0,
                from_file: false,
            }))?)
        },
    )?;
    table.define(image, cl, "READ-LINE", (0, Some(4)), |vm, t, a| {
        let stream = vm.input_stream(t, a.first().copied())?;
        if composite_input::is_composite(vm, stream) {
            let (line, missing) = match composite_input::take_line(vm, t, stream)? {
                Line::Text(line, missing) => (line, missing),
                Line::End => return end_of_file(vm, t, stream, a),
                Line::NeedInput(waiting) => return await_input(vm, waiting, "READ-LINE", a),
            };
            let line = vm.image.string(line)?;
            let missing = vm.image.boolean(missing);
            t.mv = Some(smallvec::smallvec![line, missing]);
            return value(line);
        }
        if let Some(port) = vm.socket_port(stream)? {
            let Read::Got((line, missing)) = vm.socket_read_line(stream, &*port)? else {
                return end_of_file(vm, t, stream, a);
            };
            let line = vm.image.string(line)?;
            let missing = vm.image.boolean(missing);
            t.mv = Some(smallvec::smallvec![line, missing]);
            return value(line);
        }
        let next_line = |rest: &str| match rest.find('\n') {
            Some(at) => (rest[..at].to_string(), at + 1, false),
            None => (rest.to_string(), rest.len(), true),
        };
        let (line, consumed, missing) = match remaining(vm, stream, next_line)? {
            Remaining::Text(found) => found,
            Remaining::End => return end_of_file(vm, t, stream, a),
            Remaining::NeedInput => return await_input(vm, stream, "READ-LINE", a),
        };
        advance(vm, stream, consumed);
        let line = vm.image.string(line)?;
        let missing = vm.image.boolean(missing);
        t.mv = Some(smallvec::smallvec![line, missing]);
        value(line)
    })?;
    table.define(image, cl, "READ-CHAR", (0, Some(4)), |vm, t, a| {
        let stream = vm.input_stream(t, a.first().copied())?;
        if composite_input::is_composite(vm, stream) {
            return match composite_input::take_char(vm, t, stream, false)? {
                Taken::Char(c) => value(Value::Char(c)),
                Taken::End => end_of_file(vm, t, stream, a),
                Taken::NeedInput(waiting) => await_input(vm, waiting, "READ-CHAR", a),
            };
        }
        if let Some(port) = vm.socket_port(stream)? {
            return match vm.socket_read_char(stream, &*port, false)? {
                Read::Got(c) => value(Value::Char(c)),
                Read::End => end_of_file(vm, t, stream, a),
            };
        }
        let c = match remaining(vm, stream, |rest| rest.chars().next())? {
            Remaining::Text(c) => c,
            Remaining::End => None,
            Remaining::NeedInput => return await_input(vm, stream, "READ-CHAR", a),
        };
        let Some(c) = c else {
            return end_of_file(vm, t, stream, a);
        };
        advance(vm, stream, c.len_utf8());
        value(Value::Char(c))
    })?;
    // PEEK-CHAR itself (prelude.lisp) skips what a peek type asks to skip, then calls this.
    table.define(
        image,
        image.pkg.swankd,
        "%PEEK-CHAR",
        (0, Some(5)),
        |vm, t, a| {
            if a.first().is_some_and(|v| v.truthy()) {
                return Err(LispError::program("%PEEK-CHAR takes no peek type"));
            }
            let stream = vm.input_stream(t, a.get(1).copied())?;
            if composite_input::is_composite(vm, stream) {
                return match composite_input::take_char(vm, t, stream, true)? {
                    Taken::Char(c) => value(Value::Char(c)),
                    Taken::End => end_of_file(vm, t, stream, a.get(1..).unwrap_or(&[])),
                    Taken::NeedInput(waiting) => await_input(vm, waiting, "PEEK-CHAR", a),
                };
            }
            if let Some(port) = vm.socket_port(stream)? {
                return match vm.socket_read_char(stream, &*port, true)? {
                    Read::Got(c) => value(Value::Char(c)),
                    Read::End => end_of_file(vm, t, stream, a.get(1..).unwrap_or(&[])),
                };
            }
            let c = match remaining(vm, stream, |rest| rest.chars().next())? {
                Remaining::Text(c) => c,
                Remaining::End => None,
                Remaining::NeedInput => return await_input(vm, stream, "PEEK-CHAR", a),
            };
            let Some(c) = c else {
                return end_of_file(vm, t, stream, a.get(1..).unwrap_or(&[]));
            };
            value(Value::Char(c))
        },
    )?;
    table.define(image, cl, "CLEAR-INPUT", (0, Some(1)), |vm, t, a| {
        let stream = vm.input_stream(t, a.first().copied())?;
        if let Some(Object::Stream(Stream::ConnectionInput {
            buffered, position, ..
        })) = vm.image.object_mut(stream)
        {
            *position = buffered.len();
        }
        value(Value::Nil)
    })?;
    table.define(image, cl, "UNREAD-CHAR", (1, Some(2)), |vm, t, a| {
        let stream = vm.input_stream(t, a.get(1).copied())?;
        if composite_input::is_composite(vm, stream) {
            let Value::Char(c) = a[0] else {
                return Err(LispError::type_error(a[0], "CHARACTER"));
            };
            composite_input::give_back(vm, t, stream, c.encode_utf8(&mut [0; 4]))?;
            return value(Value::Nil);
        }
        if vm.socket_port(stream)?.is_some() {
            return Err(LispError::unsupported(
                "UNREAD-CHAR on a socket stream (PEEK-CHAR looks ahead)",
            ));
        }
        step_back(vm, stream, 1);
        value(Value::Nil)
    })?;
    Ok(())
}

/// Moves a string or Emacs input stream back over the last `count` characters it gave.
pub(super) fn step_back(vm: &mut Vm, stream: Value, count: usize) {
    if let Some(Object::Stream(
        Stream::StringInput { text, position, .. }
        | Stream::ConnectionInput {
            buffered: text,
            position,
            ..
        },
    )) = vm.image.object_mut(stream)
    {
        let back: usize = text[..*position]
            .chars()
            .rev()
            .take(count)
            .map(char::len_utf8)
            .sum();
        *position -= back;
    }
}

/// What an input stream has to offer now: what `look` took from its unread text.
pub(super) enum Remaining<T> {
    Text(T),
    End,
    /// An Emacs connection's input with nothing buffered: ask Emacs.
    NeedInput,
}

/// Lets `look` see the stream's unread text in place (copying all of it for every
/// character read made reading a long string quadratic).
pub(super) fn remaining<T>(
    vm: &Vm,
    stream: Value,
    look: impl FnOnce(&str) -> T,
) -> LispResult<Remaining<T>> {
    match vm.image.object(stream) {
        Some(Object::Stream(Stream::StringInput { text, position, .. })) => {
            Ok(match text.get(*position..) {
                Some(rest) if !rest.is_empty() => Remaining::Text(look(rest)),
                _ => Remaining::End,
            })
        }
        Some(Object::Stream(Stream::ConnectionInput {
            buffered, position, ..
        })) => Ok(match buffered.get(*position..) {
            Some(rest) if !rest.is_empty() => Remaining::Text(look(rest)),
            _ => Remaining::NeedInput,
        }),
        _ => Err(LispError::type_error(stream, "(SATISFIES INPUT-STREAM-P)")),
    }
}

pub(super) fn advance(vm: &mut Vm, stream: Value, bytes: usize) {
    if let Some(Object::Stream(
        Stream::StringInput { position, .. } | Stream::ConnectionInput { position, .. },
    )) = vm.image.object_mut(stream)
    {
        *position += bytes;
    }
}

/// Calls `(SWANKD::%AWAIT-INPUT STREAM 'FUNCTION ARGUMENTS)` in the builtin's place.
pub(super) fn await_input(
    vm: &mut Vm,
    stream: Value,
    function: &str,
    a: &[Value],
) -> LispResult<Control> {
    let cl = vm.image.pkg.cl;
    let function = Value::Symbol(vm.image.intern(function, cl)?);
    await_input_then(vm, stream, function, a)
}

/// Calls `(SWANKD::%AWAIT-INPUT STREAM FUNCTION ARGUMENTS)` in the builtin's place.
pub(super) fn await_input_then(
    vm: &mut Vm,
    stream: Value,
    function: Value,
    a: &[Value],
) -> LispResult<Control> {
    let swankd = vm.image.pkg.swankd;
    let awaiter = vm.image.intern("%AWAIT-INPUT", swankd)?;
    let arguments = vm.image.list(a)?;
    Ok(Control::call(
        Value::Symbol(awaiter),
        vec![stream, function, arguments],
    ))
}

/// The end of input: an END-OF-FILE error, or the EOF value when `eof-error-p` is false.
pub(super) fn end_of_file(
    vm: &mut Vm,
    _: &mut LispThread,
    stream: Value,
    a: &[Value],
) -> LispResult<Control> {
    if a.get(1).is_some_and(|v| v.is_nil()) {
        return value(a.get(2).copied().unwrap_or(Value::Nil));
    }
    Err(LispError::new(
        ErrorKind::EndOfFile(stream),
        format!(
            "end of file on {}",
            super::super::print::prin1_to_string(&vm.image, stream)
        ),
    ))
}
