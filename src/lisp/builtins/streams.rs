//! Stream functions beyond characters and strings: `CLOSE`, `OPEN-STREAM-P`, `LISTEN`,
//! `FORCE-OUTPUT`, `FINISH-OUTPUT`, bytes (`READ-BYTE`, `WRITE-BYTE`) and sequences
//! (`WRITE-SEQUENCE`, and `SWANKD::%READ-SEQUENCE-SOME` under prelude.lisp's
//! `READ-SEQUENCE`). Socket streams do the real work (`socket_stream`); file output
//! streams flush and close their file (`files`); string and composite streams are closed
//! by wrapping them (`Stream::Closed`), so that using them signals an error.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::socket_stream::Read;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_index, keyword_arg, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    let swankd = image.pkg.swankd;
    table.define(image, cl, "CLOSE", (1, None), |vm, _, a| {
        expect_stream(vm, a[0])?;
        if let Some(Object::Stream(stream)) = vm.image.object_mut(a[0])
            && stream.closes_by_wrapping()
        {
            let made = std::mem::replace(stream, Stream::Broadcast { streams: vec![] });
            *stream = Stream::Closed(Box::new(made));
            return value(vm.image.t());
        }
        if let Some(Object::Stream(Stream::FileOutput { writer, .. })) = vm.image.object_mut(a[0]) {
            let flushed = match writer.take() {
                Some(mut writer) => std::io::Write::flush(&mut writer),
                None => Ok(()),
            };
            if let Err(error) = flushed {
                return Err(LispError::new(
                    ErrorKind::StreamError(a[0]),
                    format!("cannot write to the file: {error}"),
                ));
            }
            return value(vm.image.t());
        }
        let abort = keyword_arg(&mut vm.image, &a[1..], "ABORT")?.is_some_and(|v| v.truthy());
        vm.socket_close(a[0], abort);
        value(vm.image.t())
    })?;
    table.define(image, cl, "OPEN-STREAM-P", (1, Some(1)), |vm, _, a| {
        expect_stream(vm, a[0])?;
        let open = !matches!(
            vm.image.object(a[0]),
            Some(Object::Stream(
                Stream::FileOutput { writer: None, .. } | Stream::Closed(_)
            ))
        ) && !matches!(
            vm.image.object(a[0]),
            Some(Object::Stream(Stream::Socket(socket))) if socket.closed
        );
        value(vm.image.boolean(open))
    })?;
    table.define(image, cl, "FORCE-OUTPUT", (0, Some(1)), |vm, t, a| {
        flush(vm, t, a, false)
    })?;
    table.define(image, cl, "FINISH-OUTPUT", (0, Some(1)), |vm, t, a| {
        flush(vm, t, a, true)
    })?;
    table.define(image, cl, "LISTEN", (0, Some(1)), |vm, t, a| {
        let stream = vm.input_stream(t, a.first().copied())?;
        if super::composite_input::is_composite(vm, stream) {
            let ready = super::composite_input::ready(vm, t, stream)?;
            return value(vm.image.boolean(ready));
        }
        let ready = match vm.socket_port(stream)? {
            Some(port) => vm.socket_listen(&*port),
            None => match vm.image.object(stream) {
                Some(Object::Stream(
                    Stream::StringInput { text, position, .. }
                    | Stream::ConnectionInput {
                        buffered: text,
                        position,
                        ..
                    },
                )) => *position < text.len(),
                _ => false,
            },
        };
        value(vm.image.boolean(ready))
    })?;
    table.define(image, cl, "READ-BYTE", (1, Some(3)), |vm, _, a| {
        let stream = a[0];
        let Some(port) = vm.socket_port(stream)? else {
            return Err(LispError::type_error(
                stream,
                "(SATISFIES BINARY-INPUT-STREAM-P)",
            ));
        };
        match vm.socket_read_byte(stream, &*port)? {
            Read::Got(byte) => value(Value::Fixnum(i64::from(byte))),
            Read::End if a.get(1).is_some_and(|v| v.is_nil()) => {
                value(a.get(2).copied().unwrap_or(Value::Nil))
            }
            Read::End => Err(LispError::new(
                ErrorKind::EndOfFile(stream),
                format!(
                    "end of file on {}",
                    super::super::print::prin1_to_string(&vm.image, stream)
                ),
            )),
        }
    })?;
    table.define(image, cl, "WRITE-BYTE", (2, Some(2)), |vm, _, a| {
        let byte = as_byte(a[0])?;
        vm.socket_write(a[1], &[byte])?;
        value(a[0])
    })?;
    table.define(image, cl, "WRITE-SEQUENCE", (2, None), write_sequence)?;
    table.define(
        image,
        swankd,
        "%READ-SEQUENCE-SOME",
        (4, Some(4)),
        read_sequence_some,
    )?;
    Ok(())
}

fn expect_stream(vm: &Vm, value: Value) -> LispResult<()> {
    match vm.image.object(value) {
        Some(Object::Stream(_)) => Ok(()),
        _ => Err(LispError::type_error(value, "STREAM")),
    }
}

fn flush(vm: &mut Vm, thread: &mut LispThread, a: &[Value], wait: bool) -> LispResult<Control> {
    let stream = vm.output_stream(thread, a.first().copied().unwrap_or(Value::Nil))?;
    if let Some(Object::Stream(Stream::FileOutput {
        writer: Some(writer),
        ..
    })) = vm.image.object_mut(stream)
        && let Err(error) = std::io::Write::flush(writer)
    {
        return Err(LispError::new(
            ErrorKind::StreamError(stream),
            format!("cannot write to the file: {error}"),
        ));
    }
    if let Some(port) = vm.socket_port(stream)? {
        vm.socket_flush(stream, &*port, wait)?;
    }
    value(Value::Nil)
}

fn as_byte(value: Value) -> LispResult<u8> {
    match value {
        Value::Fixnum(n) => {
            u8::try_from(n).map_err(|_| LispError::type_error(value, "(UNSIGNED-BYTE 8)"))
        }
        _ => Err(LispError::type_error(value, "(UNSIGNED-BYTE 8)")),
    }
}

/// The elements of a sequence from `start` to `end`.
fn elements(vm: &Vm, sequence: Value) -> LispResult<Vec<Value>> {
    match vm.image.object(sequence) {
        Some(Object::String(text)) => Ok(text.as_str().chars().map(Value::Char).collect()),
        Some(Object::Vector(vector)) => Ok(vector.active().to_vec()),
        _ => vm
            .image
            .list_to_vec(sequence)
            .ok_or_else(|| LispError::type_error(sequence, "SEQUENCE")),
    }
}

fn bounds(a: &[Value], vm: &mut Vm, length: usize) -> LispResult<(usize, usize)> {
    let start = match keyword_arg(&mut vm.image, a, "START")? {
        Some(v) => expect_index(v)?,
        None => 0,
    };
    let end = match keyword_arg(&mut vm.image, a, "END")? {
        Some(Value::Nil) | None => length,
        Some(v) => expect_index(v)?,
    };
    if start > end || end > length {
        return Err(LispError::simple(format!(
            "The bounding indices {start} and {end} are bad for a sequence of length {length}."
        )));
    }
    Ok((start, end))
}

/// `(WRITE-SEQUENCE SEQUENCE STREAM &KEY START END)`: characters as text, integers as bytes.
fn write_sequence(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let items = elements(vm, a[0])?;
    let (start, end) = bounds(&a[2..], vm, items.len())?;
    let stream = vm.output_stream(thread, a[1])?;
    let items = &items[start..end];
    if items.iter().all(|v| matches!(v, Value::Char(_))) {
        let text: String = items
            .iter()
            .filter_map(|v| match v {
                Value::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        vm.write_text(stream, &text)?;
    } else {
        let bytes = items
            .iter()
            .map(|v| as_byte(*v))
            .collect::<LispResult<Vec<u8>>>()?;
        vm.socket_write(stream, &bytes)?;
    }
    value(a[0])
}

/// `(%READ-SEQUENCE-SOME SEQUENCE STREAM START END)`: stores what can be read now (at least
/// one element unless the input ended) from START, and returns the index after the last
/// one stored. Strings take characters; other sequences take bytes.
fn read_sequence_some(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let (sequence, stream) = (a[0], a[1]);
    let (start, end) = (expect_index(a[2])?, expect_index(a[3])?);
    if start >= end {
        return value(Value::Fixnum(start as i64));
    }
    let is_string = matches!(vm.image.object(sequence), Some(Object::String(_)));
    let resolved = vm.input_stream(thread, Some(stream))?;
    let read = if super::composite_input::is_composite(vm, resolved) {
        let mut read = Vec::new();
        while read.len() < end - start {
            match super::composite_input::take_char(vm, thread, resolved, false)? {
                super::composite_input::Taken::Char(c) => read.push(Value::Char(c)),
                super::composite_input::Taken::End => break,
                super::composite_input::Taken::NeedInput(waiting) if read.is_empty() => {
                    let swankd = vm.image.pkg.swankd;
                    let function = Value::Symbol(vm.image.intern("%READ-SEQUENCE-SOME", swankd)?);
                    return super::input::await_input_then(vm, waiting, function, a);
                }
                super::composite_input::Taken::NeedInput(_) => break,
            }
        }
        read
    } else {
        match vm.socket_port(stream)? {
            Some(port) => vm.socket_read_some(stream, &*port, end - start, !is_string)?,
            None => read_string_input(vm, stream, end - start)?,
        }
    };
    let count = read.len();
    match vm.image.object_mut(sequence) {
        Some(Object::String(text)) => {
            for (index, item) in (start..).zip(&read) {
                if let Value::Char(c) = item {
                    text.set_char(index, *c);
                }
            }
        }
        Some(Object::Vector(vector)) => {
            for (slot, item) in vector.items.iter_mut().skip(start).zip(&read) {
                *slot = *item;
            }
        }
        _ => return Err(LispError::type_error(sequence, "VECTOR")),
    }
    value(Value::Fixnum((start + count) as i64))
}

fn read_string_input(vm: &mut Vm, stream: Value, limit: usize) -> LispResult<Vec<Value>> {
    match vm.image.object_mut(stream) {
        Some(Object::Stream(Stream::StringInput { text, position, .. })) => {
            let rest = &text[*position..];
            let chars: Vec<char> = rest.chars().take(limit).collect();
            *position += chars.iter().map(|c| c.len_utf8()).sum::<usize>();
            Ok(chars.into_iter().map(Value::Char).collect())
        }
        _ => Err(LispError::type_error(stream, "(SATISFIES INPUT-STREAM-P)")),
    }
}
