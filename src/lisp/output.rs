//! Writing to Lisp streams, and the printer settings a thread's dynamic bindings select.

use std::io::Write;

use super::error::{LispError, LispResult};
use super::object::Object;
use super::print::{PrintCase, PrintOptions};
use super::printer::pretty::LineSettings;
use super::stream::{Stream, advance_column};
use super::thread::LispThread;
use super::value::Value;
use super::vm::Vm;

impl Vm {
    /// Appends text to a stream.
    pub fn write_text(&mut self, stream: Value, text: &str) -> LispResult<()> {
        let Value::Object(r) = stream else {
            return Err(LispError::type_error(stream, "STREAM"));
        };
        if let Some(pretty) = self.pretty_streams.get_mut(&r) {
            // The held output is not in the heap, but no more of it than the heap has room
            // for (a circular list printed without *PRINT-CIRCLE* would grow it forever).
            self.image
                .heap
                .room_for(pretty.held_bytes().saturating_add(text.len()))?;
            pretty.write(text);
            return Ok(());
        }
        let grew = text.len();
        match self.image.heap.object_mut(r) {
            Some(Object::Stream(Stream::ProcessOutput { column })) => {
                *column = advance_column(*column, text);
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
                if text.contains('\n') {
                    let _ = out.flush();
                }
            }
            Some(Object::Stream(Stream::ProcessError { column })) => {
                *column = advance_column(*column, text);
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
            Some(Object::Stream(Stream::Connection {
                pending, column, ..
            })) => {
                if pending.is_empty() {
                    self.dirty_streams.push(r);
                }
                pending.push_str(text);
                *column = advance_column(*column, text);
            }
            Some(Object::Stream(Stream::StringOutput {
                text: buffer,
                column,
            })) => {
                buffer.push_str(text);
                *column = advance_column(*column, text);
                self.image.heap.grew(grew)?;
            }
            Some(Object::Stream(Stream::Socket(_))) => return self.socket_write_text(stream, text),
            Some(Object::Stream(Stream::Closed(_))) => {
                return Err(self.closed_stream_error(stream));
            }
            Some(Object::Stream(Stream::Broadcast { streams })) => {
                let streams = streams.clone();
                for target in streams {
                    self.write_text(target, text)?;
                }
            }
            Some(Object::Stream(Stream::FileOutput { writer, column })) => {
                let Some(writer) = writer else {
                    return Err(LispError::new(
                        super::error::ErrorKind::StreamError(stream),
                        "The file stream is closed.",
                    ));
                };
                if let Err(error) = writer.write_all(text.as_bytes()) {
                    return Err(LispError::new(
                        super::error::ErrorKind::StreamError(stream),
                        format!("cannot write to the file: {error}"),
                    ));
                }
                *column = advance_column(*column, text);
            }
            _ => return Err(LispError::type_error(stream, "STREAM")),
        }
        Ok(())
    }

    /// Prints `value` to `stream` with `options`; inside a logical block opened on the
    /// stream, pretty output joins the block's layout.
    pub fn write_printed(
        &mut self,
        stream: Value,
        value: Value,
        options: &PrintOptions,
    ) -> LispResult<()> {
        if options.pretty.is_some()
            && let Value::Object(r) = stream
            && self.pretty_streams.contains_key(&r)
        {
            let document = super::print::print_to_document(&self.image, value, options);
            return self.append_to_pretty_stream(r, document);
        }
        let text = super::print::print_to_string(&self.image, value, options);
        self.write_text(stream, &text)
    }

    /// Adds `document` to the output held by the logical blocks open on `stream`, if the
    /// heap has room for it (see `write_text`).
    pub fn append_to_pretty_stream(
        &mut self,
        stream: super::value::ObjRef,
        document: super::printer::pretty::Document,
    ) -> LispResult<()> {
        if let Some(pretty) = self.pretty_streams.get_mut(&stream) {
            let held = pretty.held_bytes().saturating_add(document.text_bytes());
            self.image.heap.room_for(held)?;
            pretty.append(document);
        }
        Ok(())
    }

    /// The column the stream's output continues at.
    pub fn stream_column(&self, stream: Value) -> usize {
        if let Value::Object(r) = stream
            && let Some(pretty) = self.pretty_streams.get(&r)
        {
            return pretty.column();
        }
        match self.image.object(stream) {
            Some(Object::Stream(Stream::Broadcast { streams })) => {
                streams.last().map_or(0, |last| self.stream_column(*last))
            }
            Some(Object::Stream(s)) => s.column(),
            _ => 0,
        }
    }

    /// The printer settings currently in effect in `thread`.
    pub fn print_options(&self, thread: &LispThread, escape: bool) -> PrintOptions {
        let s = self.image.sym;
        let get = |sym| self.symbol_value(thread, sym).unwrap_or(Value::Nil);
        let number = |v: Value| match v {
            Value::Fixnum(n) if n >= 0 => Some(n as usize),
            _ => None,
        };
        let package = match self.image.object(get(s.package_var)) {
            Some(Object::Package(id)) => Some(*id),
            _ => Some(self.image.pkg.cl_user),
        };
        let case = match get(s.print_case) {
            Value::Symbol(c) if c == s.downcase => PrintCase::Downcase,
            Value::Symbol(c) if c == s.capitalize => PrintCase::Capitalize,
            _ => PrintCase::Upcase,
        };
        PrintOptions {
            escape,
            readably: get(s.print_readably).truthy(),
            base: match get(s.print_base) {
                Value::Fixnum(b) if (2..=36).contains(&b) => b as u32,
                _ => 10,
            },
            radix: get(s.print_radix).truthy(),
            case,
            length: number(get(s.print_length)),
            level: number(get(s.print_level)),
            package,
            max_chars: 16 << 20,
            circle: get(s.print_circle).truthy(),
            pretty: get(s.print_pretty)
                .truthy()
                .then(|| self.line_settings(thread, 0)),
            array: get(s.print_array).truthy(),
            gensym: get(s.print_gensym).truthy(),
        }
    }

    /// What `*PRINT-RIGHT-MARGIN*` (NIL means 80, as in SBCL), `*PRINT-MISER-WIDTH*` and
    /// `*PRINT-LINES*` ask of pretty output starting at `column`.
    pub fn line_settings(&self, thread: &LispThread, column: usize) -> LineSettings {
        let s = self.image.sym;
        let number = |sym| match self.symbol_value(thread, sym) {
            Ok(Value::Fixnum(n)) if n >= 0 => Some(n as usize),
            _ => None,
        };
        LineSettings {
            right_margin: number(s.print_right_margin).unwrap_or(80),
            miser_width: number(s.print_miser_width),
            max_lines: number(s.print_lines),
            start_column: column,
        }
    }

    /// The printer settings in effect, for output that starts at `column`.
    pub fn print_options_at(
        &self,
        thread: &LispThread,
        escape: bool,
        column: usize,
    ) -> PrintOptions {
        let mut options = self.print_options(thread, escape);
        if let Some(settings) = options.pretty.as_mut() {
            settings.start_column = column;
        }
        options
    }

    pub fn prin1_string(&self, thread: &LispThread, value: Value) -> String {
        super::print::print_to_string(&self.image, value, &self.print_options(thread, true))
    }

    pub fn princ_string(&self, thread: &LispThread, value: Value) -> String {
        super::print::print_to_string(&self.image, value, &self.print_options(thread, false))
    }

    /// Takes the text waiting in a connection stream.
    pub fn take_pending_output(&mut self, stream: super::value::ObjRef) -> Option<(u64, String)> {
        match self.image.heap.object_mut(stream) {
            Some(Object::Stream(Stream::Connection {
                connection,
                pending,
                ..
            })) if !pending.is_empty() => Some((*connection, std::mem::take(pending))),
            _ => None,
        }
    }
}
