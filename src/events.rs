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
    /// `(:write-done THREAD)`: SLIME 2.28 and later inserted a `:write-string` that carried
    /// THREAD (output flow control).
    WriteDone { thread: ThreadSelector },
}

/// What the network side tells the interpreter.
#[derive(Debug)]
pub enum ToInterpreter {
    /// A client passed authentication; replies go to `outbox`.
    Connected {
        connection: ConnectionId,
        peer: String,
        outbox: Outbox,
        /// Reads the connection's socket from the interpreter's thread, if it can be.
        inbound: Option<std::sync::Arc<dyn DirectRead>>,
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
    /// Something changed on a program socket a Lisp thread waits for (see [`Readiness`]).
    SocketReady { socket: SocketId },
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
#[derive(Clone)]
pub struct Outbox {
    sender: tokio::sync::mpsc::Sender<lexpr::Value>,
    close: std::sync::Arc<tokio::sync::Notify>,
    /// Messages queued or being written; a direct write goes only when it is zero, so that
    /// messages keep their order.
    unwritten: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    direct: Option<std::sync::Arc<dyn DirectWrite>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("unwritten", &self.unwritten)
            .field("direct", &self.direct.is_some())
            .finish()
    }
}

/// Writing a message to the client at once, from the thread that sends it, when the
/// connection's writer is idle. Saves waking the writer task, which is most of a short
/// request's latency.
pub trait DirectWrite: Send + Sync {
    /// Writes `message` (or hands what the socket did not take to the writer task, which
    /// then counts as unwritten) and returns `Ok`; gives the message back, untouched, when
    /// the writer is busy or the socket takes none of it.
    fn try_write(&self, message: lexpr::Value) -> Result<(), lexpr::Value>;
}

/// Reading a connection's socket from the interpreter's thread while it waits for work, which
/// spares waking the tokio worker that would read the next request.
pub trait DirectRead: Send + Sync + std::fmt::Debug {
    /// Reads what has arrived, without waiting, and sends the complete messages that need
    /// no answer from the network side to the interpreter's channel as
    /// [`ToInterpreter::Message`], in order. Everything else is left to the connection's
    /// task. Returns at once if the task is reading. Whether it forwarded anything.
    fn pump(&self) -> bool;
}

impl Outbox {
    /// Wraps the sending half of a connection's outgoing queue.
    pub fn new(sender: tokio::sync::mpsc::Sender<lexpr::Value>) -> Self {
        Outbox {
            sender,
            close: std::sync::Arc::new(tokio::sync::Notify::new()),
            unwritten: Default::default(),
            direct: None,
        }
    }

    /// Lets [`Outbox::send`] write through `direct` when nothing is waiting in the queue.
    pub fn with_direct_write(mut self, direct: std::sync::Arc<dyn DirectWrite>) -> Self {
        self.direct = Some(direct);
        self
    }

    /// The count of messages queued or being written, shared with the connection's writer.
    pub fn unwritten(&self) -> &std::sync::Arc<std::sync::atomic::AtomicUsize> {
        &self.unwritten
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

    /// Sends one complete Swank message without blocking: written at once when the writer
    /// is idle and nothing is queued, else queued.
    pub fn send(&self, message: lexpr::Value) -> Result<(), OutboxError> {
        use std::sync::atomic::Ordering;
        let message = match &self.direct {
            Some(direct) if self.unwritten.load(Ordering::Acquire) == 0 => {
                match direct.try_write(message) {
                    Ok(()) => return Ok(()),
                    Err(message) => message,
                }
            }
            _ => message,
        };
        self.unwritten.fetch_add(1, Ordering::AcqRel);
        self.sender.try_send(message).map_err(|error| {
            self.unwritten.fetch_sub(1, Ordering::AcqRel);
            match error {
                tokio::sync::mpsc::error::TrySendError::Full(_) => OutboxError::Full,
                tokio::sync::mpsc::error::TrySendError::Closed(_) => OutboxError::Closed,
            }
        })
    }

    /// Queues one message, waiting for room (for the network side's own replies).
    pub async fn send_waiting(&self, message: lexpr::Value) -> Result<(), OutboxError> {
        use std::sync::atomic::Ordering;
        self.unwritten.fetch_add(1, Ordering::AcqRel);
        self.sender.send(message).await.map_err(|_| {
            self.unwritten.fetch_sub(1, Ordering::AcqRel);
            OutboxError::Closed
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

/// A program socket's number (listening or connected), unique for the life of the daemon.
pub type SocketId = u64;

/// What a Lisp thread waits for on a program socket. Asking [`StreamPort::ready`] or
/// [`ListenPort::ready`] and getting `false` registers interest: the network side then sends
/// [`ToInterpreter::SocketReady`] once, at the next change of the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// More input than the last read looked at, the end of input, or a failure.
    Input,
    /// Room for more output.
    Output,
    /// Every byte written so far has been handed to the operating system.
    Drained,
    /// A client waiting to be accepted (listeners).
    Accept,
    /// The connection attempt is over, made or failed.
    Connected,
}

/// Why a program socket operation failed; each maps to a usocket condition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SocketError {
    #[error("address in use: {0}")]
    AddressInUse(String),
    #[error("connection refused: {0}")]
    ConnectionRefused(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("host not found: {0}")]
    HostNotFound(String),
    #[error(
        "refusing to listen on the non-loopback address {0}: swankd was not started with \
         --allow-remote and a secret file"
    )]
    RemoteNotAllowed(String),
    #[error("too many open sockets: the limit is {0} (--max-program-sockets)")]
    TooManySockets(usize),
    #[error("the line is longer than the socket buffer of {0} bytes (--socket-buffer-bytes)")]
    LineTooLong(usize),
    #[error("the socket is closed")]
    Closed,
    #[error("{0}")]
    Other(String),
}

/// The interpreter's end of a connected TCP socket. Reads and writes never block: they
/// take or leave what is buffered, and the caller waits with [`StreamPort::ready`].
/// Dropping the last handle closes the socket.
pub trait StreamPort: Send + Sync + std::fmt::Debug {
    fn id(&self) -> SocketId;
    /// Calls `take(buffered, finished)` with the bytes received and not yet read, and
    /// whether the peer has finished sending; `take` returns how many bytes it used, or
    /// `None` when it needs more than there is (then `Input` readiness waits for more).
    /// Returns false when `take` needed more.
    fn read(&self, take: &mut dyn FnMut(&[u8], bool) -> Option<usize>)
    -> Result<bool, SocketError>;
    /// Queues all of `bytes` for sending, or none of them (false) when the output buffer
    /// has no room; then it starts sending what it holds.
    fn write(&self, bytes: &[u8]) -> Result<bool, SocketError>;
    /// Starts sending what is queued.
    fn flush(&self) -> Result<(), SocketError>;
    /// Whether the socket is ready for `what`; when not, the interpreter is told when that
    /// may have changed.
    fn ready(&self, what: Readiness) -> bool;
    /// Whether the connection attempt is over: `Ok(true)` connected, `Ok(false)` still
    /// connecting, or why it failed.
    fn connected(&self) -> Result<bool, SocketError>;
    fn local_address(&self) -> Option<std::net::SocketAddr>;
    fn peer_address(&self) -> Option<std::net::SocketAddr>;
    /// Sends what is queued, then closes. Later reads and writes fail with `Closed`.
    fn close(&self);
}

/// The interpreter's end of a listening program socket. Dropping the last handle closes it.
pub trait ListenPort: Send + Sync + std::fmt::Debug {
    fn id(&self) -> SocketId;
    /// The next client that connected, if one is waiting.
    fn accept(&self) -> Result<Option<std::sync::Arc<dyn StreamPort>>, SocketError>;
    /// Whether a client is waiting (or the listener failed); see [`StreamPort::ready`].
    fn ready(&self) -> bool;
    fn local_address(&self) -> Option<std::net::SocketAddr>;
    fn close(&self);
}

/// TCP and WebSockets for Lisp programs (the usocket functions and `websocket.lisp`),
/// implemented on the daemon's tokio runtime.
/// Calls return at once; connecting goes on in the background ([`StreamPort::connected`]).
pub trait SocketControl: Send + Sync {
    /// Listens on `host:port` (port 0: the OS chooses). `host` is an IP address or
    /// `localhost`; a non-loopback one needs the daemon's `--allow-remote`.
    fn listen(
        &self,
        host: &str,
        port: u16,
        backlog: u32,
        reuse_address: bool,
    ) -> Result<std::sync::Arc<dyn ListenPort>, SocketError>;
    /// Starts connecting to `host:port`, giving up after `timeout` if one is given.
    fn connect(
        &self,
        host: &str,
        port: u16,
        timeout: Option<std::time::Duration>,
        no_delay: bool,
    ) -> Result<std::sync::Arc<dyn StreamPort>, SocketError>;
    /// Serves WebSocket clients asking for `path` on `host:port`; others get 404.
    fn websocket_listen(
        &self,
        host: &str,
        port: u16,
        path: &str,
    ) -> Result<std::sync::Arc<dyn MessageListenPort>, SocketError>;
    /// Starts opening a `ws://` URL.
    fn websocket_connect(&self, url: &str) -> Result<std::sync::Arc<dyn MessagePort>, SocketError>;
}

/// A WebSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsMessage {
    Text(String),
    Binary(Vec<u8>),
}

impl WsMessage {
    pub fn len(&self) -> usize {
        match self {
            WsMessage::Text(text) => text.len(),
            WsMessage::Binary(bytes) => bytes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a WebSocket connection received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsEvent {
    Message(WsMessage),
    /// The connection ended, with the close code and reason (1006 when it ended without
    /// a closing handshake). Nothing follows.
    Closed {
        code: u16,
        reason: String,
    },
}

/// The interpreter's end of a WebSocket connection (accepted by an endpoint or opened as a
/// client). Never blocks; waiting is as for [`StreamPort`]. Dropping the last handle closes
/// the connection.
pub trait MessagePort: Send + Sync + std::fmt::Debug {
    fn id(&self) -> SocketId;
    /// The next event received, if any.
    fn receive(&self) -> Option<WsEvent>;
    /// Queues a message; false (nothing queued) when the output buffer has no room.
    fn send(&self, message: WsMessage) -> Result<bool, SocketError>;
    /// Starts the closing handshake with `code` and `reason`.
    fn close(&self, code: u16, reason: &str);
    /// `Input`: an event waits; `Output`: room to send; `Connected`: the opening
    /// handshake is over.
    fn ready(&self, what: Readiness) -> bool;
    /// Whether the opening handshake is over: `Ok(true)` open, `Ok(false)` still opening.
    fn connected(&self) -> Result<bool, SocketError>;
    fn peer_address(&self) -> Option<std::net::SocketAddr>;
}

/// The interpreter's end of a WebSocket endpoint (a path on a listening port).
pub trait MessageListenPort: Send + Sync + std::fmt::Debug {
    fn id(&self) -> SocketId;
    /// The next client whose opening handshake succeeded, if one is waiting.
    fn accept(&self) -> Result<Option<std::sync::Arc<dyn MessagePort>>, SocketError>;
    fn ready(&self) -> bool;
    fn local_address(&self) -> Option<std::net::SocketAddr>;
    fn close(&self);
}
