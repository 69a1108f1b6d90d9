//! The accept loop shared by TCP and Unix listeners.
//!
//! Each loop first takes a slot from the server-wide connection cap (so at the cap it simply
//! stops accepting and clients wait in the kernel's backlog), then accepts and spawns the
//! connection task (Unix peers first pass the uid check, [`unix::peer_allowed`]). Accept errors (out of file descriptors, aborted handshakes, ...) are
//! logged and retried after a growing pause; a listener never gives up on its own.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};

use super::connection::{self, ConnectionShared};
use super::secret::Origin;
use super::tcp;
use super::unix::{self, UnixSocketListener};

const FIRST_RETRY_DELAY: Duration = Duration::from_millis(10);
const LONGEST_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Where a listener accepts connections.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListenerAddress {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl fmt::Display for ListenerAddress {
    /// `127.0.0.1:4005`, `[::1]:4005` or `unix:/path/to/socket`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenerAddress::Tcp(address) => write!(formatter, "{address}"),
            ListenerAddress::Unix(path) => write!(formatter, "unix:{}", path.display()),
        }
    }
}

/// A bound socket that does not accept yet: bind first, start serving later.
#[derive(Debug)]
pub enum BoundListener {
    Tcp {
        listener: TcpListener,
        address: SocketAddr,
    },
    Unix(UnixSocketListener),
}

impl BoundListener {
    /// The address clients use, with the real port when port 0 was asked for.
    pub fn address(&self) -> ListenerAddress {
        match self {
            BoundListener::Tcp { address, .. } => ListenerAddress::Tcp(*address),
            BoundListener::Unix(listener) => ListenerAddress::Unix(listener.path().to_path_buf()),
        }
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped). Dropping the listener
/// at the end closes the socket and, for Unix sockets, removes the file.
pub(super) async fn accept_loop(
    listener: BoundListener,
    shared: Arc<ConnectionShared>,
    slots: Arc<Semaphore>,
    mut stop: oneshot::Receiver<()>,
) {
    let address = listener.address();
    let mut retry_delay = FIRST_RETRY_DELAY;
    loop {
        let slot = tokio::select! {
            _ = &mut stop => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut stop => break,
            accepted = accept_and_spawn(&listener, &shared, slot) => accepted,
        };
        match accepted {
            Ok(()) => retry_delay = FIRST_RETRY_DELAY,
            Err(error) => {
                tracing::warn!(listener = %address, %error, ?retry_delay, "accept failed; retrying");
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(retry_delay) => {}
                }
                retry_delay = (retry_delay * 2).min(LONGEST_RETRY_DELAY);
            }
        }
    }
    tracing::info!(listener = %address, "stopped listening");
}

async fn accept_and_spawn(
    listener: &BoundListener,
    shared: &Arc<ConnectionShared>,
    slot: tokio::sync::OwnedSemaphorePermit,
) -> std::io::Result<()> {
    match listener {
        BoundListener::Tcp { listener, .. } => {
            let (stream, peer) = tcp::accept(listener).await?;
            let origin = if peer.ip().is_loopback() {
                Origin::Local
            } else {
                Origin::Remote
            };
            let peer = peer.to_string();
            tokio::spawn(connection::serve(
                stream,
                peer,
                origin,
                shared.clone(),
                slot,
            ));
        }
        BoundListener::Unix(listener) => {
            let (stream, peer) = listener.accept().await?;
            if unix::peer_allowed(&stream, &shared.settings.allowed_uids, &peer) {
                let origin = Origin::Local;
                tokio::spawn(connection::serve(
                    stream,
                    peer,
                    origin,
                    shared.clone(),
                    slot,
                ));
            }
        }
    }
    Ok(())
}
