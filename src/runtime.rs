//! Starting and stopping the interpreter thread.
//!
//! The daemon calls [`start`] once; the returned handle carries the channel the network side
//! feeds and a receiver that fires when Lisp code asks the process to exit.

use std::path::PathBuf;
use std::thread::JoinHandle;

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use crate::config::OrphanErrors;
use crate::events::{InterpreterSender, ListenerControl, SocketControl, ToInterpreter};

/// Everything the interpreter needs to know at start-up.
#[derive(Clone)]
pub struct RuntimeConfig {
    /// Lisp files the program's main thread loads, in order, once listeners are up.
    pub files: Vec<PathBuf>,
    /// Forms evaluated (after the files) by the main thread, in order.
    pub evals: Vec<String>,
    /// The SLIME version reported in `connection-info`.
    pub slime_version: String,
    /// Bytes of output a connection's threads may gather while a SLIME 2.28 or later has
    /// not answered the `:write-string` in flight; beyond it they wait.
    pub unacknowledged_output_limit: usize,
    /// How long the interpreter, with nothing to run, keeps checking for a new event before
    /// it sleeps (zero: sleep at once). A request that arrives meanwhile starts without a
    /// thread wake-up.
    pub idle_spin: std::time::Duration,
    /// Bytes allocated since the last collection after which the interpreter, with nothing
    /// to run, collects before it sleeps (zero: never early).
    pub idle_collection_bytes: usize,
    /// Whether `swank:quit-lisp` may stop the daemon.
    pub allow_quit: bool,
    /// What a program thread's error does while no Emacs is connected.
    pub orphan_errors: OrphanErrors,
    /// Heap size and interpreter limits.
    pub system: crate::lisp::system::SystemConfig,
    /// How Lisp code adds listeners (`SWANK:CREATE-SERVER`); `None` where there is no
    /// network side (then those functions signal an error).
    pub listeners: Option<Arc<dyn ListenerControl + Sync>>,
    /// TCP for Lisp programs (usocket); `None` where there is no network side (then those
    /// functions signal an error).
    pub sockets: Option<Arc<dyn SocketControl>>,
}

/// The running interpreter.
pub struct RuntimeHandle {
    /// Where the network side sends connection events and messages.
    pub sender: InterpreterSender,
    /// Fires with an exit code when Lisp asks the process to exit.
    pub exit_requested: tokio::sync::oneshot::Receiver<i32>,
    thread: JoinHandle<()>,
}

/// Why the interpreter could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot start the interpreter thread: {0}")]
    Spawn(#[from] std::io::Error),
}

impl RuntimeHandle {
    /// Asks the interpreter to stop and waits for its thread to end.
    pub fn shutdown(self) {
        let _ = self.sender.send(ToInterpreter::Shutdown);
        let _ = self.thread.join();
    }
}

/// The interpreter thread's native stack. Lisp calls never use it, but the compiler, the
/// printer and data conversion recurse on nested data up to their configured depth limits;
/// this leaves them ample room (the memory is only committed when touched). Public so that
/// tests and fuzz targets evaluate on the same stack as the daemon.
pub const INTERPRETER_STACK_BYTES: usize = 256 << 20;

/// Starts the interpreter thread with a channel of its own.
pub fn start(config: RuntimeConfig) -> Result<RuntimeHandle, StartError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    start_on(config, sender, receiver)
}

/// Starts the interpreter thread on a channel made earlier (the daemon hands the sending
/// half to the server before the interpreter starts).
pub fn start_on(
    config: RuntimeConfig,
    sender: InterpreterSender,
    receiver: Receiver<ToInterpreter>,
) -> Result<RuntimeHandle, StartError> {
    let (exit_sender, exit_requested) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("swankd-lisp".into())
        .stack_size(INTERPRETER_STACK_BYTES)
        .spawn(move || crate::swank::interpreter_main(config, receiver, exit_sender))?;
    Ok(RuntimeHandle {
        sender,
        exit_requested,
        thread,
    })
}
