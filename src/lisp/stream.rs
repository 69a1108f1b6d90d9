//! Lisp streams: where output goes and input comes from.

use std::sync::Arc;

use super::value::{SymRef, Value};
use crate::events::StreamPort;

/// The kinds of stream a Lisp program can hold.
#[derive(Debug)]
pub enum Stream {
    /// The daemon's standard output (the program's own output).
    ProcessOutput { column: usize },
    /// The daemon's standard error (the global `*ERROR-OUTPUT*`).
    ProcessError { column: usize },
    /// Output to one Emacs connection, sent as `:write-string` when flushed.
    Connection {
        connection: u64,
        pending: String,
        column: usize,
    },
    /// `WITH-OUTPUT-TO-STRING` / `MAKE-STRING-OUTPUT-STREAM`.
    StringOutput { text: String, column: usize },
    /// `MAKE-STRING-INPUT-STREAM` / `WITH-INPUT-FROM-STRING`, and a file opened for input
    /// (read whole when opened; `from_file`), whose `position` is then its byte offset.
    StringInput {
        text: String,
        position: usize,
        from_file: bool,
    },
    /// Input read from an Emacs connection (`:read-string`).
    ConnectionInput {
        connection: u64,
        buffered: String,
        position: usize,
    },
    /// A program's TCP connection (`USOCKET:SOCKET-STREAM`); bivalent: characters travel
    /// as UTF-8, and bytes as they are.
    Socket(SocketStream),
    /// A file opened for output (`OPEN`, `WITH-OPEN-FILE`); `None` once closed.
    FileOutput {
        writer: Option<std::io::BufWriter<std::fs::File>>,
        column: usize,
    },
    /// `MAKE-TWO-WAY-STREAM`: reads from one stream, writes to another.
    TwoWay { input: Value, output: Value },
    /// `MAKE-SYNONYM-STREAM`: whatever stream the symbol's value is when it is used.
    Synonym { symbol: SymRef },
    /// `MAKE-BROADCAST-STREAM`: output goes to every one of these output streams (none: it
    /// is discarded).
    Broadcast { streams: Vec<Value> },
    /// `MAKE-CONCATENATED-STREAM`: reads each of these input streams in turn, dropping one
    /// when it ends. `unread` holds characters given back (`UNREAD-CHAR`, what `READ` read
    /// past its form), read before the streams.
    Concatenated { streams: Vec<Value>, unread: String },
    /// `MAKE-ECHO-STREAM`: reads from `input`, copying each character read to `output`,
    /// and writes to `output`. `echoed_ahead` counts the characters at the front of the
    /// input that were given back after being echoed: reading them again echoes nothing.
    Echo {
        input: Value,
        output: Value,
        echoed_ahead: usize,
    },
    /// A string or composite stream after `CLOSE`: reading and writing it signal a
    /// `STREAM-ERROR`, but it keeps its type, its printed form and (a string output
    /// stream) its text. Sockets and files keep their own closed state.
    Closed(Box<Stream>),
}

/// The Lisp side of a connected socket; its bytes are buffered in the port.
#[derive(Debug)]
pub struct SocketStream {
    pub port: Arc<dyn StreamPort>,
    pub column: usize,
    /// `CLOSE` was called on this stream.
    pub closed: bool,
}

impl Stream {
    /// The stream as it was made: the open stream a closed one was.
    pub fn as_made(&self) -> &Stream {
        match self {
            Stream::Closed(stream) => stream.as_made(),
            stream => stream,
        }
    }

    /// Whether `CLOSE` closes this stream by wrapping it in `Closed` (the streams that
    /// hold no outside resource, and are not the daemon's or Emacs's own).
    pub fn closes_by_wrapping(&self) -> bool {
        matches!(
            self,
            Stream::StringInput { .. }
                | Stream::StringOutput { .. }
                | Stream::TwoWay { .. }
                | Stream::Synonym { .. }
                | Stream::Broadcast { .. }
                | Stream::Concatenated { .. }
                | Stream::Echo { .. }
        )
    }

    pub fn for_each_child(&self, mut visit: impl FnMut(Value)) {
        match self {
            Stream::TwoWay { input, output } => {
                visit(*input);
                visit(*output);
            }
            Stream::Synonym { symbol } => visit(Value::Symbol(*symbol)),
            Stream::Broadcast { streams } | Stream::Concatenated { streams, .. } => {
                streams.iter().copied().for_each(visit)
            }
            Stream::Echo { input, output, .. } => {
                visit(*input);
                visit(*output);
            }
            Stream::Closed(stream) => stream.for_each_child(visit),
            _ => {}
        }
    }

    /// The column output would continue at, for `FRESH-LINE` and `~&`.
    pub fn column(&self) -> usize {
        match self {
            Stream::ProcessOutput { column }
            | Stream::ProcessError { column }
            | Stream::Connection { column, .. }
            | Stream::StringOutput { column, .. }
            | Stream::FileOutput { column, .. }
            | Stream::Socket(SocketStream { column, .. }) => *column,
            _ => 0,
        }
    }
}

/// The column after writing `text` starting at `column`.
pub fn advance_column(column: usize, text: &str) -> usize {
    match text.rfind('\n') {
        Some(index) => text[index + 1..].chars().count(),
        None => column + text.chars().count(),
    }
}
