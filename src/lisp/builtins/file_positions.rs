//! Where a stream is and how long its file is (`FILE-POSITION`, `FILE-LENGTH`), and
//! `INTERACTIVE-STREAM-P`, as SBCL answers them: string input streams count characters,
//! files count bytes, composite streams ask the stream they read from (broadcast streams
//! their last stream), and streams with no position answer NIL.

use std::io::{Seek, SeekFrom};

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

/// How many streams a question follows through composite streams before it calls the
/// chain circular.
const MAX_NESTING: usize = 32;

/// A position `FILE-POSITION` is asked to move to.
#[derive(Clone, Copy)]
enum Target {
    Start,
    End,
    At(usize),
}

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "FILE-POSITION", (1, Some(2)), file_position)?;
    table.define(image, cl, "FILE-LENGTH", (1, Some(1)), |vm, t, a| {
        let length = file_length(vm, t, a[0], 0)?;
        value(Value::Fixnum(i64::try_from(length).unwrap_or(i64::MAX)))
    })?;
    table.define(
        image,
        cl,
        "INTERACTIVE-STREAM-P",
        (1, Some(1)),
        |vm, _, a| {
            match vm.image.object(a[0]) {
                Some(Object::Stream(Stream::Closed(_))) => Err(vm.closed_stream_error(a[0])),
                // No swankd stream is a terminal a person types at: Emacs's REPL sends whole
                // lines, as SBCL's string and file streams do.
                Some(Object::Stream(_)) => value(Value::Nil),
                _ => Err(LispError::type_error(a[0], "STREAM")),
            }
        },
    )?;
    Ok(())
}

fn file_position(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let target = match a.get(1) {
        None => None,
        Some(given) => Some(target(vm, *given)?),
    };
    let stream = positioned_stream(vm, thread, a[0], 0)?;
    let Some(stream) = stream else {
        // An empty broadcast stream is at 0 and moves anywhere; the others have no position.
        return match (is_broadcast(vm, a[0]), target) {
            (true, None) => value(Value::Fixnum(0)),
            (true, Some(_)) => value(vm.image.t()),
            (false, _) => value(Value::Nil),
        };
    };
    if matches!(
        vm.image.object(stream),
        Some(Object::Stream(Stream::FileOutput { writer: None, .. }))
    ) {
        return Err(vm.closed_stream_error(stream));
    }
    let t = vm.image.t();
    match (vm.image.object_mut(stream), target) {
        (
            Some(Object::Stream(Stream::StringInput {
                text,
                position,
                from_file,
            })),
            target,
        ) => {
            let index = |bytes: usize, text: &str| {
                if *from_file {
                    bytes
                } else {
                    text[..bytes].chars().count()
                }
            };
            let Some(target) = target else {
                return value(count(index(*position, text)));
            };
            let length = index(text.len(), text);
            let wanted = match target {
                Target::Start => 0,
                Target::End => length,
                Target::At(n) => n,
            };
            *position = byte_offset(text, wanted, *from_file);
            // SBCL's string streams answer the new position, its file streams T.
            if *from_file {
                value(t)
            } else {
                value(count(wanted))
            }
        }
        (Some(Object::Stream(Stream::StringOutput { text, .. })), None) => {
            value(count(text.chars().count()))
        }
        (Some(Object::Stream(Stream::StringOutput { text, .. })), Some(target)) => {
            match target {
                Target::End => {}
                Target::At(n) if n == text.chars().count() => {}
                _ => {
                    return Err(LispError::unsupported(
                        "FILE-POSITION moving a string output stream back (to overwrite)",
                    ));
                }
            }
            value(t)
        }
        (Some(Object::Stream(Stream::FileOutput { writer, .. })), target) => {
            let Some(writer) = writer else {
                return value(Value::Nil);
            };
            let moved = match target {
                None => writer.stream_position().map(|at| Some(at as usize)),
                Some(Target::Start) => writer.seek(SeekFrom::Start(0)).map(|_| None),
                Some(Target::End) => writer.seek(SeekFrom::End(0)).map(|_| None),
                Some(Target::At(n)) => writer.seek(SeekFrom::Start(n as u64)).map(|_| None),
            };
            match moved {
                Ok(Some(at)) => value(count(at)),
                Ok(None) => value(t),
                Err(error) => Err(LispError::new(
                    ErrorKind::StreamError(stream),
                    format!("cannot move in the file: {error}"),
                )),
            }
        }
        _ => value(Value::Nil),
    }
}

/// The stream whose position `FILE-POSITION` of `designator` is: through two-way, echo
/// and synonym streams to the stream read from, and to a broadcast stream's last stream;
/// `None` for an empty broadcast stream.
fn positioned_stream(
    vm: &Vm,
    thread: &LispThread,
    designator: Value,
    depth: usize,
) -> LispResult<Option<Value>> {
    if depth > MAX_NESTING {
        return Err(LispError::simple("The stream contains itself."));
    }
    match vm.image.object(designator) {
        Some(Object::Stream(Stream::Closed(_))) => Err(vm.closed_stream_error(designator)),
        Some(Object::Stream(Stream::TwoWay { input, .. } | Stream::Echo { input, .. })) => {
            positioned_stream(vm, thread, *input, depth + 1)
        }
        Some(Object::Stream(Stream::Synonym { .. })) => {
            let target = vm.input_stream(thread, Some(designator))?;
            positioned_stream(vm, thread, target, depth + 1)
        }
        Some(Object::Stream(Stream::Broadcast { streams })) => match streams.last() {
            Some(last) => positioned_stream(vm, thread, *last, depth + 1),
            None => Ok(None),
        },
        Some(Object::Stream(_)) => Ok(Some(designator)),
        _ => Err(LispError::type_error(designator, "STREAM")),
    }
}

fn is_broadcast(vm: &Vm, stream: Value) -> bool {
    matches!(
        vm.image.object(stream),
        Some(Object::Stream(Stream::Broadcast { .. }))
    )
}

/// `FILE-LENGTH`: a file's length in bytes (what is still buffered for an output file not
/// counted, as in SBCL); a broadcast stream's last stream's, or 0.
fn file_length(vm: &Vm, thread: &LispThread, designator: Value, depth: usize) -> LispResult<u64> {
    let wrong = || {
        LispError::type_error(
            designator,
            "(OR FILE-STREAM SYNONYM-STREAM BROADCAST-STREAM)",
        )
    };
    if depth > MAX_NESTING {
        return Err(LispError::simple("The stream contains itself."));
    }
    match vm.image.object(designator) {
        Some(Object::Stream(Stream::Closed(_))) => Err(vm.closed_stream_error(designator)),
        Some(Object::Stream(Stream::StringInput {
            text,
            from_file: true,
            ..
        })) => Ok(text.len() as u64),
        Some(Object::Stream(Stream::FileOutput { writer, .. })) => {
            let Some(writer) = writer else {
                return Err(vm.closed_stream_error(designator));
            };
            writer
                .get_ref()
                .metadata()
                .map(|m| m.len())
                .map_err(|error| {
                    LispError::new(
                        ErrorKind::StreamError(designator),
                        format!("cannot read the file's length: {error}"),
                    )
                })
        }
        Some(Object::Stream(Stream::Synonym { .. })) => {
            let target = vm.output_stream(thread, designator)?;
            file_length(vm, thread, target, depth + 1)
        }
        Some(Object::Stream(Stream::Broadcast { streams })) => match streams.last() {
            Some(last) => file_length(vm, thread, *last, depth + 1),
            None => Ok(0),
        },
        Some(Object::Stream(_)) => Err(wrong()),
        _ => Err(LispError::type_error(designator, "STREAM")),
    }
}

fn target(vm: &Vm, given: Value) -> LispResult<Target> {
    let wrong = || LispError::type_error(given, "(OR UNSIGNED-BYTE (MEMBER :START :END))");
    match given {
        Value::Fixnum(n) => usize::try_from(n).map(Target::At).map_err(|_| wrong()),
        Value::Symbol(symbol) => match &*vm.image.symbol_name(symbol) {
            "START" if vm.image.is_keyword(symbol) => Ok(Target::Start),
            "END" if vm.image.is_keyword(symbol) => Ok(Target::End),
            _ => Err(wrong()),
        },
        _ => Err(wrong()),
    }
}

/// The byte offset of position `wanted` (characters, or bytes for a file) in `text`,
/// at most its end and always on a character boundary.
fn byte_offset(text: &str, wanted: usize, from_file: bool) -> usize {
    if from_file {
        let mut offset = wanted.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        return offset;
    }
    text.char_indices()
        .nth(wanted)
        .map_or(text.len(), |(byte, _)| byte)
}

fn count(n: usize) -> Value {
    Value::Fixnum(i64::try_from(n).unwrap_or(i64::MAX))
}
