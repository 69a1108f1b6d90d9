//! The tokio side of the daemon: listeners and connections.
//!
//! A [`ServerHandle`] owns a set of listeners (TCP or Unix, added and removed at run time)
//! that all feed the same connection code ([`connection`]), capped by one server-wide limit.
//! Connections talk to the interpreter only through the channel given to
//! [`ServerHandle::new`] and the [`crate::events::Outbox`] they hand it, so tests can put any
//! `std::sync::mpsc::Sender<ToInterpreter>` there. Only [`crate::wire`] knows the byte format.

pub mod connection;
mod control;
mod halves;
pub mod http_guard;
mod inbound;
mod incoming;
mod listener;
mod secret;
pub mod tcp;
pub mod unix;
mod writer;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot, watch};
use tokio::task::JoinHandle;

pub use control::RuntimeListeners;
pub use listener::{BoundListener, ListenerAddress};
pub use secret::AuthError;
pub use unix::UnixBindError;

use crate::events::InterpreterSender;
use crate::wire::MAX_FRAME_BYTES;
use crate::wire::reader::ReaderLimits;
use connection::ConnectionShared;

/// Limits and policies every connection of a server follows.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Largest frame payload accepted or sent, in bytes (at most [`MAX_FRAME_BYTES`]).
    pub max_frame_bytes: usize,
    /// Connections served at once, over all listeners.
    pub max_connections: u32,
    /// Messages queued for one client before [`crate::events::Outbox::send`] reports `Full`.
    pub outbox_capacity: usize,
    /// Requests of one connection awaiting their `:return`; more are aborted at once.
    pub max_pending_requests: usize,
    /// How long one frame may take from its first byte to its last; `None` waits for ever.
    pub frame_timeout: Option<Duration>,
    /// The secret file; clients must send its first line when it exists.
    pub secret_file: Option<PathBuf>,
    /// How long a client may take to send the secret.
    pub auth_timeout: Duration,
    /// Bounds on each message read from a client.
    pub reader_limits: ReaderLimits,
    /// Uids of the Unix-socket peers that are served (others are closed unread); by default
    /// swankd's own effective uid.
    pub allowed_uids: Vec<u32>,
    /// Whether TCP listeners may bind a non-loopback address. The daemon sets it only with
    /// `--allow-remote` and an existing secret file; it governs `swank:create-server`.
    pub allow_remote: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            max_frame_bytes: MAX_FRAME_BYTES,
            max_connections: 256,
            outbox_capacity: 4096,
            max_pending_requests: 1024,
            frame_timeout: Some(Duration::from_secs(60)),
            secret_file: None,
            auth_timeout: Duration::from_secs(20),
            reader_limits: ReaderLimits::default(),
            allowed_uids: vec![unix::effective_uid()],
            allow_remote: false,
        }
    }
}

/// How long [`ServerHandle::shutdown`] waits for connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why a listener could not be added.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {address}: {source}")]
    TcpBind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "refusing to listen on the non-loopback address {0}: the daemon was not started with \
         --allow-remote and a secret file"
    )]
    RemoteNotAllowed(SocketAddr),
    #[error(transparent)]
    UnixBind(#[from] UnixBindError),
    #[error("the server is shut down")]
    ShutDown,
}

/// Binds a TCP listener without serving it yet (the daemon binds before the interpreter
/// starts, so files it loads can count on the port).
pub async fn bind_tcp(address: SocketAddr) -> Result<BoundListener, ServerError> {
    let tcp_error = |source| ServerError::TcpBind { address, source };
    let listener = tcp::bind(address).await.map_err(tcp_error)?;
    let address = listener.local_addr().map_err(tcp_error)?;
    Ok(BoundListener::Tcp { listener, address })
}

/// Binds a Unix socket (mode 0600) without serving it yet. Must run inside a tokio runtime.
pub fn bind_unix(path: &Path) -> Result<BoundListener, ServerError> {
    Ok(BoundListener::Unix(unix::bind(path)?))
}

/// A running server. Cheap to clone; every clone controls the same listeners. When the last
/// clone is dropped, listeners stop and connections close.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    connection: Arc<ConnectionShared>,
    slots: Arc<Semaphore>,
    max_connections: u32,
    shutdown: watch::Sender<bool>,
    listeners: Mutex<Vec<RunningListener>>,
}

#[derive(Debug)]
struct RunningListener {
    address: ListenerAddress,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl ServerHandle {
    /// A server with no listeners yet whose connections report to `interpreter`.
    pub fn new(settings: ServerSettings, interpreter: InterpreterSender) -> Self {
        let max_connections = settings.max_connections.max(1);
        let (shutdown, shutdown_receiver) = watch::channel(false);
        let connection = Arc::new(ConnectionShared {
            settings: ServerSettings {
                max_frame_bytes: settings.max_frame_bytes.min(MAX_FRAME_BYTES),
                ..settings
            },
            interpreter,
            shutdown: shutdown_receiver,
            open_connections: AtomicUsize::new(0),
        });
        ServerHandle {
            inner: Arc::new(Inner {
                connection,
                slots: Arc::new(Semaphore::new(max_connections as usize)),
                max_connections,
                shutdown,
                listeners: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Starts accepting on an already bound listener; returns its address.
    pub fn start(&self, listener: BoundListener) -> Result<ListenerAddress, ServerError> {
        // Checked under the lock that `shutdown` drains, so no listener can slip in after it.
        let mut listeners = self.listeners();
        if *self.inner.shutdown.borrow() {
            return Err(ServerError::ShutDown);
        }
        let address = listener.address();
        let (stop, stop_receiver) = oneshot::channel();
        let task = tokio::spawn(listener::accept_loop(
            listener,
            self.inner.connection.clone(),
            self.inner.slots.clone(),
            stop_receiver,
        ));
        tracing::debug!(listener = %address, "listening");
        listeners.push(RunningListener {
            address: address.clone(),
            stop,
            task,
        });
        Ok(address)
    }

    /// Binds and serves a TCP listener (port 0: the OS chooses; the result has the port).
    /// A non-loopback address needs [`ServerSettings::allow_remote`].
    pub async fn listen_tcp(&self, address: SocketAddr) -> Result<ListenerAddress, ServerError> {
        if !address.ip().is_loopback() && !self.inner.connection.settings.allow_remote {
            return Err(ServerError::RemoteNotAllowed(address));
        }
        let listener = bind_tcp(address).await?;
        self.start(listener)
    }

    /// Binds and serves a Unix socket at `path`.
    pub fn listen_unix(&self, path: &Path) -> Result<ListenerAddress, ServerError> {
        let listener = bind_unix(path)?;
        self.start(listener)
    }

    /// The addresses being served.
    pub fn addresses(&self) -> Vec<ListenerAddress> {
        self.listeners()
            .iter()
            .map(|listener| listener.address.clone())
            .collect()
    }

    /// Stops one listener (established connections stay); false if there was none at
    /// `address`. A Unix listener's socket file is removed.
    pub async fn stop_listener(&self, address: &ListenerAddress) -> bool {
        let running = {
            let mut listeners = self.listeners();
            let index = listeners
                .iter()
                .position(|listener| &listener.address == address);
            index.map(|index| listeners.swap_remove(index))
        };
        match running {
            Some(running) => {
                stop_and_wait(running).await;
                true
            }
            None => false,
        }
    }

    /// Stops the TCP listener on `port`, as `swank:stop-server` would.
    pub async fn stop_tcp_port(&self, port: u16) -> bool {
        let address = self.addresses().into_iter().find(
            |address| matches!(address, ListenerAddress::Tcp(socket) if socket.port() == port),
        );
        match address {
            Some(address) => self.stop_listener(&address).await,
            None => false,
        }
    }

    /// Connections currently open (authenticating ones included).
    pub fn connection_count(&self) -> usize {
        self.inner
            .connection
            .open_connections
            .load(Ordering::Acquire)
    }

    /// Stops every listener, closes every connection (each reports `Disconnected`), and waits
    /// a few seconds at most for them to finish. Later `start` calls fail.
    pub async fn shutdown(&self) {
        let running: Vec<RunningListener> = {
            let mut listeners = self.listeners();
            self.inner.shutdown.send_replace(true);
            listeners.drain(..).collect()
        };
        for listener in running {
            stop_and_wait(listener).await;
        }
        let all_slots = self.inner.slots.acquire_many(self.inner.max_connections);
        match tokio::time::timeout(SHUTDOWN_GRACE, all_slots).await {
            Ok(_) => tracing::debug!("all connections closed"),
            Err(_) => tracing::warn!(
                open = self.connection_count(),
                "connections still open after the shutdown grace period"
            ),
        }
    }

    fn listeners(&self) -> MutexGuard<'_, Vec<RunningListener>> {
        self.inner
            .listeners
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn stop_and_wait(listener: RunningListener) {
    let _ = listener.stop.send(());
    if let Err(error) = listener.task.await {
        tracing::error!(listener = %listener.address, %error, "listener task failed");
    }
}
