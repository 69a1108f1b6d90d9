//! Reading concatenated and echo streams, one character at a time: a concatenated stream
//! reads its streams in turn, dropping each as it ends; an echo stream copies what it
//! reads to its output. Characters given back (`UNREAD-CHAR`, what `READ` read past its
//! form) are read again first and are not echoed twice. `READ` itself takes its lines from
//! an echo stream's input and echoes what the form used (`%READ-SOURCE`, `%FINISH-READ`).

use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::object::Object;
use super::super::socket_stream::Read;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::input::{Remaining, advance, remaining, step_back};
use super::{BuiltinTable, expect_index, expect_string, value};

/// How deep streams may nest in one another (through synonym streams, a stream can
/// contain itself) before reading them is called circular.
const MAX_NESTING: usize = 32;

/// What reading one character found.
pub enum Taken {
    Char(char),
    End,
    /// This Emacs connection input has nothing buffered: ask Emacs for more.
    NeedInput(Value),
}

/// What reading a line found.
pub enum Line {
    /// The line, and whether it ended at the end of input rather than at a newline.
    Text(String, bool),
    End,
    NeedInput(Value),
}

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%READ-SOURCE", (1, Some(1)), |vm, t, a| {
        let stream = vm.input_stream(t, Some(a[0]))?;
        match vm.image.object(stream) {
            Some(Object::Stream(Stream::Echo { input, .. })) => value(*input),
            _ => value(a[0]),
        }
    })?;
    table.define(image, swankd, "%FINISH-READ", (4, Some(4)), finish_read)?;
    Ok(())
}

/// Whether `stream` (already resolved) is a concatenated or echo stream.
pub fn is_composite(vm: &Vm, stream: Value) -> bool {
    matches!(
        vm.image.object(stream),
        Some(Object::Stream(
            Stream::Concatenated { .. } | Stream::Echo { .. }
        ))
    )
}

/// Reads (or, with `peek`, looks at) the next character of input stream `stream`.
pub fn take_char(vm: &mut Vm, thread: &LispThread, stream: Value, peek: bool) -> LispResult<Taken> {
    take_char_nested(vm, thread, stream, peek, 0)
}

fn take_char_nested(
    vm: &mut Vm,
    thread: &LispThread,
    designator: Value,
    peek: bool,
    depth: usize,
) -> LispResult<Taken> {
    let stream = resolve(vm, thread, designator, depth)?;
    if let Some(port) = vm.socket_port(stream)? {
        return Ok(match vm.socket_read_char(stream, &*port, peek)? {
            Read::Got(c) => Taken::Char(c),
            Read::End => Taken::End,
        });
    }
    match vm.image.object_mut(stream) {
        Some(Object::Stream(Stream::Concatenated { streams, unread })) => {
            if let Some(c) = unread.chars().next() {
                if !peek {
                    unread.drain(..c.len_utf8());
                }
                return Ok(Taken::Char(c));
            }
            let Some(first) = streams.first().copied() else {
                return Ok(Taken::End);
            };
            match take_char_nested(vm, thread, first, peek, depth + 1)? {
                Taken::End => {
                    drop_first(vm, stream, first);
                    take_char_nested(vm, thread, stream, peek, depth)
                }
                taken => Ok(taken),
            }
        }
        Some(Object::Stream(Stream::Echo {
            input,
            output,
            echoed_ahead,
        })) => {
            let (input, output, ahead) = (*input, *output, *echoed_ahead);
            let taken = take_char_nested(vm, thread, input, peek, depth + 1)?;
            if let (Taken::Char(c), false) = (&taken, peek) {
                if ahead > 0 {
                    set_echoed_ahead(vm, stream, ahead - 1);
                } else {
                    let output = vm.output_stream(thread, output)?;
                    vm.write_text(output, c.encode_utf8(&mut [0; 4]))?;
                }
            }
            Ok(taken)
        }
        _ => {
            let c = match remaining(vm, stream, |rest| rest.chars().next())? {
                Remaining::Text(Some(c)) => c,
                Remaining::Text(None) | Remaining::End => return Ok(Taken::End),
                Remaining::NeedInput => return Ok(Taken::NeedInput(stream)),
            };
            if !peek {
                advance(vm, stream, c.len_utf8());
            }
            Ok(Taken::Char(c))
        }
    }
}

/// Reads a line; when more input must be waited for (or reading fails) partway, what was
/// read of the line is given back first, so that reading it again starts over.
pub fn take_line(vm: &mut Vm, thread: &LispThread, stream: Value) -> LispResult<Line> {
    let mut line = String::new();
    loop {
        let taken = match take_char(vm, thread, stream, false) {
            Ok(taken) => taken,
            Err(error) => {
                give_back(vm, thread, stream, &line)?;
                return Err(error);
            }
        };
        match taken {
            Taken::Char('\n') => return Ok(Line::Text(line, false)),
            Taken::Char(c) => line.push(c),
            Taken::End if line.is_empty() => return Ok(Line::End),
            Taken::End => return Ok(Line::Text(line, true)),
            Taken::NeedInput(waiting) => {
                give_back(vm, thread, stream, &line)?;
                return Ok(Line::NeedInput(waiting));
            }
        }
    }
}

/// Gives `text`, the characters last read from `stream`, back to it to be read again.
pub fn give_back(vm: &mut Vm, thread: &LispThread, stream: Value, text: &str) -> LispResult<()> {
    give_back_nested(vm, thread, stream, text, 0)
}

fn give_back_nested(
    vm: &mut Vm,
    thread: &LispThread,
    designator: Value,
    text: &str,
    depth: usize,
) -> LispResult<()> {
    if text.is_empty() {
        return Ok(());
    }
    let stream = resolve(vm, thread, designator, depth)?;
    match vm.image.object_mut(stream) {
        Some(Object::Stream(Stream::Concatenated { unread, .. })) => {
            unread.insert_str(0, text);
            Ok(())
        }
        Some(Object::Stream(Stream::Echo {
            input,
            echoed_ahead,
            ..
        })) => {
            *echoed_ahead += text.chars().count();
            let input = *input;
            give_back_nested(vm, thread, input, text, depth + 1)
        }
        // What a socket stream gave cannot be given back (READ drops the rest of its line).
        Some(Object::Stream(Stream::Socket(_))) => Ok(()),
        _ => {
            step_back(vm, stream, text.chars().count());
            Ok(())
        }
    }
}

/// `LISTEN`: whether a character can be read from `stream` now.
pub fn ready(vm: &mut Vm, thread: &LispThread, stream: Value) -> LispResult<bool> {
    ready_nested(vm, thread, stream, 0)
}

fn ready_nested(
    vm: &mut Vm,
    thread: &LispThread,
    designator: Value,
    depth: usize,
) -> LispResult<bool> {
    let stream = resolve(vm, thread, designator, depth)?;
    if let Some(port) = vm.socket_port(stream)? {
        return Ok(vm.socket_listen(&*port));
    }
    match vm.image.object(stream) {
        Some(Object::Stream(Stream::Concatenated { streams, unread })) => {
            if !unread.is_empty() {
                return Ok(true);
            }
            let Some(first) = streams.first().copied() else {
                return Ok(false);
            };
            if ready_nested(vm, thread, first, depth + 1)? {
                return Ok(true);
            }
            // As in SBCL, a stream found at its end is dropped and the next one asked.
            if at_end(vm, thread, first, depth + 1)? {
                drop_first(vm, stream, first);
                return ready_nested(vm, thread, stream, depth);
            }
            Ok(false)
        }
        Some(Object::Stream(Stream::Echo { input, .. })) => {
            let input = *input;
            ready_nested(vm, thread, input, depth + 1)
        }
        Some(Object::Stream(
            Stream::StringInput { text, position, .. }
            | Stream::ConnectionInput {
                buffered: text,
                position,
                ..
            },
        )) => Ok(*position < text.len()),
        _ => Ok(false),
    }
}

/// Whether `stream` has nothing more to give, ever (an Emacs connection never ends).
/// Whether `stream` is known to be at its end: reading it would give end of file at once.
pub fn at_end_of_input(vm: &Vm, thread: &LispThread, stream: Value) -> LispResult<bool> {
    at_end(vm, thread, stream, 0)
}

fn at_end(vm: &Vm, thread: &LispThread, designator: Value, depth: usize) -> LispResult<bool> {
    let stream = resolve(vm, thread, designator, depth)?;
    if let Some(port) = vm.socket_port(stream)? {
        let mut ended = false;
        // Only looks: taking nothing leaves the bytes for the next read.
        let _ = port.read(&mut |bytes, finished| {
            ended = bytes.is_empty() && finished;
            Some(0)
        });
        return Ok(ended);
    }
    match vm.image.object(stream) {
        Some(Object::Stream(Stream::StringInput { text, position, .. })) => {
            Ok(*position >= text.len())
        }
        Some(Object::Stream(Stream::Concatenated { streams, unread })) => {
            if !unread.is_empty() {
                return Ok(false);
            }
            for inner in streams {
                if !at_end(vm, thread, *inner, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Some(Object::Stream(Stream::Echo { input, .. })) => at_end(vm, thread, *input, depth + 1),
        _ => Ok(false),
    }
}

/// Whether reading `stream` may have to wait for input (Emacs's REPL, a socket).
pub fn may_wait(vm: &Vm, thread: &LispThread, stream: Value) -> LispResult<bool> {
    may_wait_nested(vm, thread, stream, 0)
}

fn may_wait_nested(
    vm: &Vm,
    thread: &LispThread,
    designator: Value,
    depth: usize,
) -> LispResult<bool> {
    let stream = resolve(vm, thread, designator, depth)?;
    match vm.image.object(stream) {
        Some(Object::Stream(Stream::ConnectionInput { .. } | Stream::Socket(_))) => Ok(true),
        Some(Object::Stream(Stream::Concatenated { streams, .. })) => {
            for inner in streams {
                if may_wait_nested(vm, thread, *inner, depth + 1)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Some(Object::Stream(Stream::Echo { input, .. })) => {
            may_wait_nested(vm, thread, *input, depth + 1)
        }
        _ => Ok(false),
    }
}

/// `(%FINISH-READ STREAM SOURCE TEXT END)`: `READ` took TEXT from SOURCE (STREAM, or an
/// echo stream's input) and its form used the first END characters: the rest goes back
/// to SOURCE, and an echo stream echoes what SBCL's reader would have read: the form, and
/// the character after it when the form did not end at whitespace (the reader looks at
/// it, then gives it back).
fn finish_read(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<super::Control> {
    let (designator, source) = (a[0], a[1]);
    let text: Vec<char> = expect_string(&vm.image, a[2])?.chars().collect();
    let end = expect_index(a[3])?.min(text.len());
    let rest: String = text[end..].iter().collect();
    give_back(vm, thread, source, &rest)?;
    let stream = vm.input_stream(thread, Some(designator))?;
    let Some(Object::Stream(Stream::Echo {
        output,
        echoed_ahead,
        ..
    })) = vm.image.object(stream)
    else {
        return value(Value::Nil);
    };
    let (output, already) = (*output, *echoed_ahead);
    let looked_at = end < text.len() && (end == 0 || !is_whitespace(text[end - 1]));
    let echo_end = end + usize::from(looked_at);
    let echoed: String = text[already.min(echo_end)..echo_end].iter().collect();
    // Characters echoed before READ began count against what READ read.
    let ahead = already.max(echo_end) - end;
    set_echoed_ahead(vm, stream, ahead);
    if !echoed.is_empty() {
        let output = vm.output_stream(thread, output)?;
        vm.write_text(output, &echoed)?;
    }
    value(Value::Nil)
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

fn resolve(vm: &Vm, thread: &LispThread, designator: Value, depth: usize) -> LispResult<Value> {
    if depth > MAX_NESTING {
        return Err(LispError::simple(format!(
            "The stream {} contains itself.",
            super::super::print::prin1_to_string(&vm.image, designator)
        )));
    }
    vm.input_stream(thread, Some(designator))
}

/// Drops `first` from the front of concatenated stream `stream`, if it is still there.
fn drop_first(vm: &mut Vm, stream: Value, first: Value) {
    if let Some(Object::Stream(Stream::Concatenated { streams, .. })) = vm.image.object_mut(stream)
        && streams.first().is_some_and(|s| s.eq(first))
    {
        streams.remove(0);
    }
}

fn set_echoed_ahead(vm: &mut Vm, stream: Value, count: usize) {
    if let Some(Object::Stream(Stream::Echo { echoed_ahead, .. })) = vm.image.object_mut(stream) {
        *echoed_ahead = count;
    }
}
