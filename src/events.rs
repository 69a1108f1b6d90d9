//! The contract between the network side and the interpreter thread.
//!
//! The network side (tokio tasks in `server`) decodes frames into [`EmacsMessage`]s and sends
//! [`ToInterpreter`] values over a std channel; the interpreter answers through each
//! connection's [`Outbox`] with complete Swank messages as `lexpr::Value`s, which the network
//! side prints and frames. Nothing here knows the byte-level wire format.

use std::sync::mpsc;

/// A connection's number, unique for the life of the daemon.
pub type ConnectionId = u64;

/// The THREAD field of a message from Emacs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadSelector {
    /// `t`: any thread (swank spawns a worker).
    Any,
    /// `:repl-thread`: the connection's REPL thread.
    Repl,
    /// An integer thread id the server announced earlier.
    Id(i64),
}

/// A decoded Emacs → Lisp message (protocol brief, section 3.1).
#[derive(Debug, Clone, PartialEq)]
pub enum EmacsMessage {
    /// `(:emacs-rex FORM PACKAGE THREAD ID)`.
    Rex {
        form: lexpr::Value,
        package: Option<String>,
        thread: ThreadSelector,
        id: i64,
    },
    /// `(:emacs-interrupt THREAD)`.
    Interrupt { thread: ThreadSelector },
    /// `(:emacs-return THREAD TAG VALUE)`.
    Return {
        thread: ThreadSelector,
        tag: i64,
        value: lexpr::Value,
    },
    /// `(:emacs-return-string THREAD TAG STRING)`.
    ReturnString {
        thread: ThreadSelector,
        tag: i64,
        string: String,
    },
    /// `(:emacs-pong THREAD TAG)`.
    Pong { thread: ThreadSelector, tag: i64 },
}

/// What the network side tells the interpreter.
#[derive(Debug)]
pub enum ToInterpreter {
    /// A client passed authentication; replies go to `outbox`.
    Connected {
        connection: ConnectionId,
        peer: String,
        outbox: Outbox,
    },
    /// A decoded message from a connected client.
    Message {
        connection: ConnectionId,
        message: EmacsMessage,
    },
    /// The client is gone (EOF, error, or the daemon closed it).
    Disconnected { connection: ConnectionId },
    /// Text from the daemon's standard input when it is a pipe: SLIME's `M-x slime`, with
    /// swankd as the inferior Lisp, writes the forms that start the server there.
    Input { text: String },
    /// The daemon is shutting down; the interpreter thread should exit.
    Shutdown,
}

/// The sending half the network side uses to reach the interpreter.
pub type InterpreterSender = mpsc::Sender<ToInterpreter>;

/// Why a message could not be queued for a client.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OutboxError {
    #[error("the client's outgoing queue is full")]
    Full,
    #[error("the connection is closed")]
    Closed,
}

/// The interpreter's handle for sending messages to one client. Bounded: a client that stops
/// reading cannot make the daemon buffer without limit. Clones share the queue and the
/// close signal.
#[derive(Debug, Clone)]
pub struct Outbox {
    sender: tokio::sync::mpsc::Sender<lexpr::Value>,
    close: std::sync::Arc<tokio::sync::Notify>,
}

impl Outbox {
    /// Wraps the sending half of a connection's outgoing queue.
    pub fn new(sender: tokio::sync::mpsc::Sender<lexpr::Value>) -> Self {
        Outbox {
            sender,
            close: std::sync::Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Asks the connection task to close the connection now, dropping what is still queued
    /// (the interpreter has given up on the client, e.g. because it stopped reading).
    pub fn close(&self) {
        self.close.notify_one();
    }

    /// Completes once [`Outbox::close`] was called on any clone, before or after this call.
    pub async fn close_requested(&self) {
        self.close.notified().await;
    }

    /// Queues one complete Swank message without blocking.
    pub fn send(&self, message: lexpr::Value) -> Result<(), OutboxError> {
        self.sender.try_send(message).map_err(|error| match error {
            tokio::sync::mpsc::error::TrySendError::Full(_) => OutboxError::Full,
            tokio::sync::mpsc::error::TrySendError::Closed(_) => OutboxError::Closed,
        })
    }

    /// True once the connection task has dropped its receiving half.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}

/// Listeners Lisp code adds and removes at run time (`SWANK:CREATE-SERVER`,
/// `SWANK:STOP-SERVER`). The interpreter calls these from its own thread; they return once
/// the listener is serving (or stopped). Errors are messages for the Lisp error.
pub trait ListenerControl: Send {
    /// Listens on `host:port` (port 0: the OS chooses); returns the port.
    fn listen_tcp(&self, host: &str, port: u16) -> Result<u16, String>;
    /// Listens on a Unix socket at `path`.
    fn listen_unix(&self, path: &std::path::Path) -> Result<(), String>;
    /// Stops the TCP listener on `port`; false if there was none.
    fn stop_tcp(&self, port: u16) -> bool;
    /// Stops the Unix listener at `path`; false if there was none.
    fn stop_unix(&self, path: &std::path::Path) -> bool;
}
