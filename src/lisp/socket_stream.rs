//! Reading and writing a program's TCP connection as a Lisp stream (`Stream::Socket`).
//!
//! The bytes are buffered in the connection's port, shared with the network side. Nothing
//! here waits: when there is too little input or no room for output, the functions return
//! `ErrorKind::WouldBlock` before changing anything, and the VM waits and calls the builtin
//! again. Input is decoded as UTF-8; malformed bytes read as U+FFFD.

use std::sync::Arc;

use super::error::{ErrorKind, LispError, LispResult};
use super::object::Object;
use super::stream::{SocketStream, Stream, advance_column};
use super::value::Value;
use super::vm::Vm;
use crate::events::{Readiness, SocketError, StreamPort};

/// What a read found.
pub enum Read<T> {
    Got(T),
    /// The peer finished sending and nothing is left.
    End,
}

impl Vm {
    /// The port of a socket stream, or `None` for other values.
    pub fn socket_port(&self, stream: Value) -> LispResult<Option<Arc<dyn StreamPort>>> {
        match self.image.object(stream) {
            Some(Object::Stream(Stream::Socket(SocketStream { port, closed, .. }))) => {
                if *closed {
                    return Err(socket_error(self, stream, SocketError::Closed));
                }
                Ok(Some(port.clone()))
            }
            _ => Ok(None),
        }
    }

    /// Reads one line (without its newline); the flag says the line ended at the end of
    /// input rather than at a newline.
    pub fn socket_read_line(
        &mut self,
        stream: Value,
        port: &dyn StreamPort,
    ) -> LispResult<Read<(String, bool)>> {
        let mut found = None;
        let taken = port.read(&mut |bytes, finished| match memchr(b'\n', bytes) {
            Some(at) => {
                found = Some(Read::Got((lossy(&bytes[..at]), false)));
                Some(at + 1)
            }
            None if finished && bytes.is_empty() => {
                found = Some(Read::End);
                Some(0)
            }
            None if finished => {
                found = Some(Read::Got((lossy(bytes), true)));
                Some(bytes.len())
            }
            None => None,
        });
        self.finish_read(stream, taken, found)
    }

    /// Reads (or with `peek`, looks at) one character.
    pub fn socket_read_char(
        &mut self,
        stream: Value,
        port: &dyn StreamPort,
        peek: bool,
    ) -> LispResult<Read<char>> {
        let mut found = None;
        let taken = port.read(&mut |bytes, finished| {
            let (c, width) = first_char(bytes, finished)?;
            found = Some(match c {
                Some(c) => Read::Got(c),
                None => Read::End,
            });
            Some(if peek { 0 } else { width })
        });
        self.finish_read(stream, taken, found)
    }

    pub fn socket_read_byte(
        &mut self,
        stream: Value,
        port: &dyn StreamPort,
    ) -> LispResult<Read<u8>> {
        let mut found = None;
        let taken = port.read(&mut |bytes, finished| match bytes.first() {
            Some(byte) => {
                found = Some(Read::Got(*byte));
                Some(1)
            }
            None if finished => {
                found = Some(Read::End);
                Some(0)
            }
            None => None,
        });
        self.finish_read(stream, taken, found)
    }

    /// Up to `limit` bytes (or, unless `bytes`, characters), at least one unless the input
    /// has ended.
    pub fn socket_read_some(
        &mut self,
        stream: Value,
        port: &dyn StreamPort,
        limit: usize,
        bytes: bool,
    ) -> LispResult<Vec<Value>> {
        let mut found = Vec::new();
        let taken = port.read(&mut |buffered, finished| {
            if buffered.is_empty() {
                return finished.then_some(0);
            }
            if bytes {
                let count = buffered.len().min(limit);
                found.extend(
                    buffered[..count]
                        .iter()
                        .map(|b| Value::Fixnum(i64::from(*b))),
                );
                return Some(count);
            }
            let mut used = 0;
            while found.len() < limit {
                match first_char(&buffered[used..], finished) {
                    Some((Some(c), width)) => {
                        found.push(Value::Char(c));
                        used += width;
                    }
                    _ => break,
                }
            }
            (used > 0 || finished).then_some(used)
        });
        match taken {
            Ok(true) => Ok(found),
            Ok(false) => Err(LispError::would_block(stream, Readiness::Input)),
            Err(error) => Err(socket_error(self, stream, error)),
        }
    }

    /// Whether a character can be read at once.
    pub fn socket_listen(&mut self, port: &dyn StreamPort) -> bool {
        let mut available = false;
        let _ = port.read(&mut |bytes, _| {
            available = !bytes.is_empty();
            Some(0)
        });
        available
    }

    /// Queues bytes for sending (all or, when the buffer is full, none: then the builtin is
    /// called again once there is room).
    pub fn socket_write(&mut self, stream: Value, bytes: &[u8]) -> LispResult<()> {
        let Some(port) = self.socket_port(stream)? else {
            return Err(LispError::type_error(stream, "SOCKET-STREAM"));
        };
        match port.write(bytes) {
            Ok(true) => Ok(()),
            Ok(false) => Err(LispError::would_block(stream, Readiness::Output)),
            Err(error) => Err(socket_error(self, stream, error)),
        }
    }

    /// Queues text (UTF-8) and keeps the column for `FRESH-LINE`.
    pub fn socket_write_text(&mut self, stream: Value, text: &str) -> LispResult<()> {
        self.socket_write(stream, text.as_bytes())?;
        if let Some(Object::Stream(Stream::Socket(socket))) = self.image.object_mut(stream) {
            socket.column = advance_column(socket.column, text);
        }
        Ok(())
    }

    /// `FORCE-OUTPUT`, and with `wait` `FINISH-OUTPUT` (which waits until all is sent).
    pub fn socket_flush(
        &mut self,
        stream: Value,
        port: &dyn StreamPort,
        wait: bool,
    ) -> LispResult<()> {
        port.flush()
            .map_err(|error| socket_error(self, stream, error))?;
        if wait && !port.ready(Readiness::Drained) {
            return Err(LispError::would_block(stream, Readiness::Drained));
        }
        Ok(())
    }

    /// `CLOSE`: sends what is queued (unless `abort`) and closes.
    pub fn socket_close(&mut self, stream: Value, abort: bool) {
        if let Some(Object::Stream(Stream::Socket(socket))) = self.image.object_mut(stream) {
            if !socket.closed {
                if !abort {
                    let _ = socket.port.flush();
                }
                socket.port.close();
                socket.closed = true;
            }
        }
    }

    fn finish_read<T>(
        &self,
        stream: Value,
        taken: Result<bool, SocketError>,
        found: Option<Read<T>>,
    ) -> LispResult<Read<T>> {
        match (taken, found) {
            (Ok(true), Some(found)) => Ok(found),
            (Ok(_), _) => Err(LispError::would_block(stream, Readiness::Input)),
            (Err(error), _) => Err(socket_error(self, stream, error)),
        }
    }
}

/// A `STREAM-ERROR` for a failed socket operation.
pub fn socket_error(vm: &Vm, stream: Value, error: SocketError) -> LispError {
    let shown = super::print::prin1_to_string(&vm.image, stream);
    LispError::new(ErrorKind::StreamError(stream), format!("{shown}: {error}"))
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|b| *b == needle)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The first character of UTF-8 `bytes` and its width; `Some((None, 0))` at the end of
/// input, `None` when more bytes are needed to tell.
fn first_char(bytes: &[u8], finished: bool) -> Option<(Option<char>, usize)> {
    let Some(lead) = bytes.first() else {
        return finished.then_some((None, 0));
    };
    let width = match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return Some((Some(char::REPLACEMENT_CHARACTER), 1)),
    };
    if bytes.len() < width {
        return finished.then_some((Some(char::REPLACEMENT_CHARACTER), bytes.len()));
    }
    match std::str::from_utf8(&bytes[..width]) {
        Ok(text) => text.chars().next().map(|c| (Some(c), width)),
        Err(_) => Some((Some(char::REPLACEMENT_CHARACTER), 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::first_char;

    #[test]
    fn decodes_utf8_one_character_at_a_time() {
        assert_eq!(first_char(b"a", false), Some((Some('a'), 1)));
        assert_eq!(first_char("é!".as_bytes(), false), Some((Some('é'), 2)));
        assert_eq!(first_char(&"€".as_bytes()[..2], false), None);
        assert_eq!(
            first_char(&"€".as_bytes()[..2], true),
            Some((Some(char::REPLACEMENT_CHARACTER), 2))
        );
        assert_eq!(first_char(b"", true), Some((None, 0)));
        assert_eq!(first_char(b"", false), None);
        assert_eq!(
            first_char(&[0xFF, b'a'], false),
            Some((Some(char::REPLACEMENT_CHARACTER), 1))
        );
    }
}
