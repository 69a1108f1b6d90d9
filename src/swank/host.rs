//! What the Swank builtins can reach from inside the VM: the connections' outboxes and
//! settings, kept in `Vm::host`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::config::OrphanErrors;
use crate::events::{ConnectionId, ListenerControl, Outbox, SocketControl, SocketId};
use crate::lisp::thread::ThreadId;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

use super::debugger::Mailboxes;
use super::scheduler::Scheduler;

/// One connected client, as the interpreter sees it.
pub struct ConnectionHost {
    pub outbox: Outbox,
    pub peer: String,
    /// The stream object `*STANDARD-OUTPUT*` is bound to in this connection's requests.
    pub output_stream: Value,
    /// The stream `*STANDARD-INPUT*` is bound to: lines Emacs sends on `:read-string`.
    pub input_stream: Value,
    pub repl_thread: Option<ThreadId>,
    pub repl_created: bool,
    /// `:write-done` flow control with this client.
    pub pacing: super::output::Pacing,
}

/// The Swank layer's state, stored in `Vm::host`.
#[derive(Default)]
pub struct SwankHost {
    pub connections: HashMap<ConnectionId, ConnectionHost>,
    /// The connection each thread works for.
    pub thread_connections: HashMap<ThreadId, ConnectionId>,
    pub slime_version: String,
    /// Bytes of output a connection's threads may gather while Emacs has not answered the
    /// write in flight (SLIME 2.28 and later); beyond it they wait.
    pub unacknowledged_output_limit: usize,
    pub allow_quit: bool,
    pub orphan_errors: OrphanErrors,
    pub exit_code: Option<i32>,
    /// Connections whose outgoing queue overflowed; the session closes them.
    pub overflowed: Vec<ConnectionId>,
    /// Every green thread that is not running at this moment.
    pub scheduler: Scheduler,
    /// Requests for threads that are in the debugger.
    pub mailboxes: Mailboxes,
    /// Threads waiting for a line from Emacs, by connection and `:read-string` tag: the
    /// thread and the input stream the line goes to.
    pub input_waits: HashMap<(ConnectionId, i64), (ThreadId, crate::lisp::value::ObjRef)>,
    pub next_input_tag: i64,
    /// Threads waiting for a `:read-from-minibuffer` answer, by connection and tag.
    pub minibuffer_waits: HashMap<(ConnectionId, i64), ThreadId>,
    /// Adds and removes listeners for `SWANK:CREATE-SERVER` and friends.
    pub listeners: Option<std::sync::Arc<dyn ListenerControl + Sync>>,
    /// TCP for Lisp programs (usocket); `None` where there is no network side.
    pub sockets: Option<std::sync::Arc<dyn SocketControl>>,
    /// Threads waiting for a change on each program socket (`WaitKey::Sockets`).
    pub socket_waiters: HashMap<SocketId, HashSet<ThreadId>>,
    /// The sockets each thread last waited on, so that a wait that ended otherwise (a
    /// timeout, an interrupt, the thread's end) leaves nothing behind in `socket_waiters`.
    pub waits_on_sockets: HashMap<ThreadId, Vec<SocketId>>,
}

impl SwankHost {
    /// Sends a message to a client. A client whose queue is full has stopped reading: it is
    /// marked for disconnection rather than buffered without bound.
    pub fn send(&mut self, connection: ConnectionId, message: lexpr::Value) {
        let Some(host) = self.connections.get(&connection) else {
            return;
        };
        match host.outbox.send(message) {
            Ok(()) => {}
            Err(crate::events::OutboxError::Full) => {
                tracing::warn!(connection, "client is not reading its replies; closing it");
                self.overflowed.push(connection);
            }
            Err(crate::events::OutboxError::Closed) => {}
        }
    }

    /// Files `thread` as waiting on `sockets`, forgetting what it waited on before.
    pub fn wait_on_sockets(&mut self, thread: ThreadId, sockets: &[SocketId]) {
        self.forget_socket_waits(thread);
        for socket in sockets {
            self.socket_waiters
                .entry(*socket)
                .or_default()
                .insert(thread);
        }
        self.waits_on_sockets.insert(thread, sockets.to_vec());
    }

    /// Removes `thread` from every socket it waited on.
    pub fn forget_socket_waits(&mut self, thread: ThreadId) {
        for socket in self.waits_on_sockets.remove(&thread).unwrap_or_default() {
            if let Some(waiters) = self.socket_waiters.get_mut(&socket) {
                waiters.remove(&thread);
                if waiters.is_empty() {
                    self.socket_waiters.remove(&socket);
                }
            }
        }
    }

    pub fn connection_of(&self, thread: ThreadId) -> Option<ConnectionId> {
        self.thread_connections.get(&thread).copied()
    }
}

/// The handle stored in `Vm::host`, shared with the session.
pub type SharedHost = Rc<RefCell<SwankHost>>;

/// The Swank state's shared handle, for builtins that must also use the VM mutably while
/// holding it.
pub fn host_handle(vm: &Vm) -> Option<SharedHost> {
    vm.host.as_ref()?.downcast_ref::<SharedHost>().cloned()
}

/// Runs `f` on the Swank state, if this VM has one and it is not already in use.
pub fn with_host<T>(vm: &Vm, f: impl FnOnce(&mut SwankHost) -> T) -> Option<T> {
    let shared = vm.host.as_ref()?.downcast_ref::<SharedHost>()?;
    let mut host = shared.try_borrow_mut().ok()?;
    Some(f(&mut host))
}

#[cfg(test)]
mod tests {
    use super::SwankHost;

    #[test]
    fn a_new_wait_on_sockets_forgets_the_last_one() {
        let mut host = SwankHost::default();
        host.wait_on_sockets(1, &[10, 11]);
        host.wait_on_sockets(2, &[11]);
        host.wait_on_sockets(1, &[12]);
        assert!(!host.socket_waiters.contains_key(&10));
        assert_eq!(host.socket_waiters[&11].len(), 1);
        assert!(host.socket_waiters[&12].contains(&1));
        host.forget_socket_waits(1);
        host.forget_socket_waits(2);
        assert!(host.socket_waiters.is_empty());
        assert!(host.waits_on_sockets.is_empty());
    }
}
