//! Sending what Lisp wrote to a connection's `*STANDARD-OUTPUT*` to Emacs as `:write-string`,
//! and the output flow control of SLIME 2.28 and later (protocol brief, section 10).
//!
//! SLIME 2.27 takes `(:write-string TEXT)` and answers nothing. Newer SLIME takes
//! `(:write-string TEXT nil THREAD)` and answers `(:write-done THREAD)` once the text is in
//! its buffer; a server speaking to it keeps one such write in flight and lets the rest of
//! the output gather meanwhile, so that a flood of output can neither outrun Emacs nor queue
//! up ahead of an interrupt. The threads of a connection whose unacknowledged output passed
//! [`SwankHost::unacknowledged_output_limit`] are held back until Emacs catches up.
//!
//! Flushes come in two kinds: [`Flush::Paced`] after every slice honours the flow control;
//! [`Flush::Ordering`] before a `:return`, `:debug` or `finish-output` sends all pending
//! text at once, because output must never arrive after the reply it belongs to.

use crate::events::ConnectionId;
use crate::lisp::object::Object;
use crate::lisp::stream::Stream;
use crate::lisp::vm::Vm;

use super::host::{SwankHost, with_host};

/// The first SLIME release whose Emacs side answers `:write-string` with `:write-done`.
const FIRST_WRITE_DONE_VERSION: (u32, u32) = (2, 28);

/// Whether a SLIME of this version (`"2.27"`, `"2.32.git"`) speaks `:write-done`.
pub fn speaks_write_done(version: &str) -> bool {
    let mut parts = version
        .trim()
        .split('.')
        .map(|part| part.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= FIRST_WRITE_DONE_VERSION,
        _ => false,
    }
}

/// A connection's side of the flow control.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pacing {
    /// The SLIME version swankd's Emacs package reported for this client, if it did.
    pub client_version: Option<String>,
    /// The client answers `:write-string` with `:write-done`.
    pub write_done: bool,
    /// `:write-string`s sent and not yet answered.
    pub unacknowledged: u32,
}

/// Which flush this is: see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    Paced,
    Ordering,
}

/// Sends every connection stream's pending output as `:write-string`. Emacs only understands
/// `:write-string` once slime-repl is loaded, so output to a connection that never created a
/// REPL is dropped (and logged).
pub fn flush_output(vm: &mut Vm, flush: Flush) {
    let dirty = std::mem::take(&mut vm.dirty_streams);
    for stream in dirty {
        let connection = match vm.image.heap.object(stream) {
            Some(Object::Stream(Stream::Connection { connection, .. })) => *connection,
            _ => continue,
        };
        let held = flush == Flush::Paced
            && with_host(vm, |host| {
                host.connections
                    .get(&connection)
                    .is_some_and(|c| c.pacing.write_done && c.pacing.unacknowledged > 0)
            })
            .unwrap_or(false);
        if held {
            // Sent when Emacs answers the write in flight.
            continue;
        }
        if let Some((connection, text)) = vm.take_pending_output(stream) {
            with_host(vm, |host| send_output(host, connection, text));
        }
    }
}

fn send_output(host: &mut SwankHost, connection: ConnectionId, text: String) {
    let Some(client) = host.connections.get_mut(&connection) else {
        return;
    };
    if !client.repl_created {
        tracing::debug!(connection, "output dropped: the client has no REPL");
        return;
    }
    let mut message = vec![
        lexpr::Value::keyword("write-string"),
        lexpr::Value::string(text),
    ];
    if client.pacing.write_done {
        let thread = client.repl_thread.unwrap_or(0);
        message.push(lexpr::Value::Nil);
        message.push(lexpr::Value::from(thread));
        client.pacing.unacknowledged += 1;
    }
    host.send(connection, lexpr::Value::list(message));
}

/// Emacs answered a paced write: the output gathered meanwhile goes out with the next flush.
pub fn write_done(vm: &mut Vm, connection: ConnectionId) {
    let stream = with_host(vm, |host| {
        let client = host.connections.get_mut(&connection)?;
        client.pacing.unacknowledged = client.pacing.unacknowledged.saturating_sub(1);
        Some(client.output_stream)
    })
    .flatten();
    if let Some(crate::lisp::value::Value::Object(stream)) = stream
        && !vm.dirty_streams.contains(&stream)
    {
        vm.dirty_streams.push(stream);
    }
}

/// Whether the threads of `connection` must wait for Emacs to catch up with their output.
pub fn output_backlogged(vm: &Vm, host: &SwankHost, connection: ConnectionId) -> bool {
    let Some(client) = host.connections.get(&connection) else {
        return false;
    };
    if !client.pacing.write_done || client.pacing.unacknowledged == 0 {
        return false;
    }
    match vm.image.object(client.output_stream) {
        Some(Object::Stream(Stream::Connection { pending, .. })) => {
            pending.len() >= host.unacknowledged_output_limit
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::speaks_write_done;

    #[test]
    fn write_done_starts_with_slime_2_28() {
        assert!(!speaks_write_done("2.27"));
        assert!(speaks_write_done("2.28"));
        assert!(speaks_write_done("2.32.git"));
        assert!(speaks_write_done("3.0"));
        assert!(!speaks_write_done("2"));
        assert!(!speaks_write_done("nonsense"));
    }
}
