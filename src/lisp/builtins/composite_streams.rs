//! Streams made of streams (`MAKE-TWO-WAY-STREAM`, `MAKE-SYNONYM-STREAM`,
//! `MAKE-BROADCAST-STREAM`, `MAKE-CONCATENATED-STREAM`, `MAKE-ECHO-STREAM` and their
//! readers) and the direction predicates `INPUT-STREAM-P` and `OUTPUT-STREAM-P`. Writing
//! goes through them in `stream_designator`; reading concatenated and echo streams is
//! `composite_input`'s.

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(
        image,
        cl,
        "MAKE-TWO-WAY-STREAM",
        (2, Some(2)),
        |vm, t, a| {
            if !directions(vm, t, a[0])?.0 {
                return Err(LispError::type_error(a[0], "(SATISFIES INPUT-STREAM-P)"));
            }
            if !directions(vm, t, a[1])?.1 {
                return Err(LispError::type_error(a[1], "(SATISFIES OUTPUT-STREAM-P)"));
            }
            let stream = Stream::TwoWay {
                input: a[0],
                output: a[1],
            };
            value(vm.image.heap.alloc(Object::Stream(stream))?)
        },
    )?;
    table.define(
        image,
        cl,
        "TWO-WAY-STREAM-INPUT-STREAM",
        (1, Some(1)),
        |vm, _, a| value(two_way(vm, a[0])?.0),
    )?;
    table.define(
        image,
        cl,
        "TWO-WAY-STREAM-OUTPUT-STREAM",
        (1, Some(1)),
        |vm, _, a| value(two_way(vm, a[0])?.1),
    )?;
    table.define(
        image,
        cl,
        "MAKE-SYNONYM-STREAM",
        (1, Some(1)),
        |vm, _, a| {
            let Value::Symbol(symbol) = a[0] else {
                return Err(LispError::type_error(a[0], "SYMBOL"));
            };
            value(vm.make_synonym_stream(symbol)?)
        },
    )?;
    table.define(
        image,
        cl,
        "SYNONYM-STREAM-SYMBOL",
        (1, Some(1)),
        |vm, _, a| match as_made(vm, a[0]) {
            Some(Stream::Synonym { symbol }) => value(Value::Symbol(*symbol)),
            _ => Err(LispError::type_error(a[0], "SYNONYM-STREAM")),
        },
    )?;
    table.define(image, cl, "MAKE-BROADCAST-STREAM", (0, None), |vm, t, a| {
        // Synonym and two-way streams are followed now, so that writing needs no thread.
        let mut streams = Vec::with_capacity(a.len());
        for stream in a {
            if !directions(vm, t, *stream)?.1 {
                return Err(LispError::type_error(
                    *stream,
                    "(SATISFIES OUTPUT-STREAM-P)",
                ));
            }
            streams.push(vm.output_stream(t, *stream)?);
        }
        let broadcast = Stream::Broadcast { streams };
        value(vm.image.heap.alloc(Object::Stream(broadcast))?)
    })?;
    table.define(
        image,
        cl,
        "BROADCAST-STREAM-STREAMS",
        (1, Some(1)),
        |vm, _, a| {
            let streams = match as_made(vm, a[0]) {
                Some(Stream::Broadcast { streams }) => streams.clone(),
                _ => return Err(LispError::type_error(a[0], "BROADCAST-STREAM")),
            };
            value(vm.image.list(&streams)?)
        },
    )?;
    table.define(
        image,
        cl,
        "MAKE-CONCATENATED-STREAM",
        (0, None),
        |vm, t, a| {
            for stream in a {
                if !directions(vm, t, *stream)?.0 {
                    return Err(LispError::type_error(*stream, "(SATISFIES INPUT-STREAM-P)"));
                }
            }
            let concatenated = Stream::Concatenated {
                streams: a.to_vec(),
                unread: String::new(),
            };
            value(vm.image.heap.alloc(Object::Stream(concatenated))?)
        },
    )?;
    table.define(
        image,
        cl,
        "CONCATENATED-STREAM-STREAMS",
        (1, Some(1)),
        |vm, _, a| {
            let streams = match as_made(vm, a[0]) {
                Some(Stream::Concatenated { streams, .. }) => streams.clone(),
                _ => return Err(LispError::type_error(a[0], "CONCATENATED-STREAM")),
            };
            value(vm.image.list(&streams)?)
        },
    )?;
    table.define(image, cl, "MAKE-ECHO-STREAM", (2, Some(2)), |vm, t, a| {
        if !directions(vm, t, a[0])?.0 {
            return Err(LispError::type_error(a[0], "(SATISFIES INPUT-STREAM-P)"));
        }
        if !directions(vm, t, a[1])?.1 {
            return Err(LispError::type_error(a[1], "(SATISFIES OUTPUT-STREAM-P)"));
        }
        let echo = Stream::Echo {
            input: a[0],
            output: a[1],
            echoed_ahead: 0,
        };
        value(vm.image.heap.alloc(Object::Stream(echo))?)
    })?;
    table.define(
        image,
        cl,
        "ECHO-STREAM-INPUT-STREAM",
        (1, Some(1)),
        |vm, _, a| value(echo(vm, a[0])?.0),
    )?;
    table.define(
        image,
        cl,
        "ECHO-STREAM-OUTPUT-STREAM",
        (1, Some(1)),
        |vm, _, a| value(echo(vm, a[0])?.1),
    )?;
    table.define(
        image,
        cl,
        "STREAM-ELEMENT-TYPE",
        (1, Some(1)),
        |vm, t, a| {
            directions(vm, t, a[0])?;
            // SBCL's element type of a concatenated stream is its first stream's: NIL when
            // it has none left.
            if let Some(Object::Stream(Stream::Concatenated { streams, .. })) =
                vm.image.object(a[0])
                && streams.is_empty()
            {
                return value(Value::Nil);
            }
            let resolved = vm
                .output_stream(t, a[0])
                .or_else(|_| vm.input_stream(t, Some(a[0])))?;
            // A program's sockets carry bytes and characters alike (SBCL's bivalent :DEFAULT).
            let name = match vm.image.object(resolved) {
                Some(Object::Stream(Stream::Socket(_))) => "DEFAULT",
                _ => "CHARACTER",
            };
            let symbol = if name == "DEFAULT" {
                vm.image.keyword(name)?
            } else {
                let cl = vm.image.pkg.cl;
                vm.image.intern(name, cl)?
            };
            value(Value::Symbol(symbol))
        },
    )?;
    table.define(
        image,
        image.pkg.swankd,
        "%STREAM-MAY-WAIT-P",
        (1, Some(1)),
        |vm, t, a| {
            let may_wait = super::composite_input::may_wait(vm, t, a[0])?;
            value(vm.image.boolean(may_wait))
        },
    )?;
    table.define(
        image,
        image.pkg.swankd,
        "%INPUT-AT-END-P",
        (1, Some(1)),
        |vm, t, a| {
            let ended = super::composite_input::at_end_of_input(vm, t, a[0])?;
            value(vm.image.boolean(ended))
        },
    )?;
    table.define(image, cl, "INPUT-STREAM-P", (1, Some(1)), |vm, t, a| {
        let input = directions(vm, t, a[0])?.0;
        value(vm.image.boolean(input))
    })?;
    table.define(image, cl, "OUTPUT-STREAM-P", (1, Some(1)), |vm, t, a| {
        let output = directions(vm, t, a[0])?.1;
        value(vm.image.boolean(output))
    })?;
    Ok(())
}

/// Whether `stream` can be read from and written to; a type error for a non-stream.
fn directions(vm: &Vm, thread: &LispThread, stream: Value) -> LispResult<(bool, bool)> {
    let Some(Object::Stream(kind)) = vm.image.object(stream) else {
        return Err(LispError::type_error(stream, "STREAM"));
    };
    Ok(match kind {
        Stream::StringInput { .. }
        | Stream::ConnectionInput { .. }
        | Stream::Concatenated { .. } => (true, false),
        Stream::ProcessOutput { .. }
        | Stream::ProcessError { .. }
        | Stream::Connection { .. }
        | Stream::StringOutput { .. }
        | Stream::FileOutput { .. }
        | Stream::Broadcast { .. } => (false, true),
        Stream::Socket(_) | Stream::TwoWay { .. } | Stream::Echo { .. } => (true, true),
        // As in SBCL, a closed stream is neither.
        Stream::Closed(_) => (false, false),
        Stream::Synonym { .. } => {
            let input = vm.input_stream(thread, Some(stream))?;
            let output = vm.output_stream(thread, stream)?;
            (
                directions(vm, thread, input)?.0,
                directions(vm, thread, output)?.1,
            )
        }
    })
}

fn echo(vm: &Vm, stream: Value) -> LispResult<(Value, Value)> {
    match as_made(vm, stream) {
        Some(Stream::Echo { input, output, .. }) => Ok((*input, *output)),
        _ => Err(LispError::type_error(stream, "ECHO-STREAM")),
    }
}

fn two_way(vm: &Vm, stream: Value) -> LispResult<(Value, Value)> {
    match as_made(vm, stream) {
        Some(Stream::TwoWay { input, output }) => Ok((*input, *output)),
        _ => Err(LispError::type_error(stream, "TWO-WAY-STREAM")),
    }
}

/// The stream `value` is, as it was made (a closed stream still answers its readers).
fn as_made(vm: &Vm, value: Value) -> Option<&Stream> {
    match vm.image.object(value) {
        Some(Object::Stream(stream)) => Some(stream.as_made()),
        _ => None,
    }
}
