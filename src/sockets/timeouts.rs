//! How long program sockets wait on a peer: a WebSocket client's opening handshake and a
//! closing connection's last writes and closing handshake. Set once from the command line
//! (`--socket-handshake-seconds`, `--socket-close-seconds`) when the daemon starts; read by
//! the socket tasks.

use std::sync::OnceLock;
use std::time::Duration;

static TIMEOUTS: OnceLock<SocketTimeouts> = OnceLock::new();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketTimeouts {
    /// How long a WebSocket client may take over its opening handshake.
    pub handshake: Duration,
    /// How long a closing connection may take to send what is queued and, for WebSockets,
    /// to answer the closing handshake.
    pub close_linger: Duration,
}

impl Default for SocketTimeouts {
    fn default() -> Self {
        SocketTimeouts {
            handshake: Duration::from_secs(10),
            close_linger: Duration::from_secs(5),
        }
    }
}

/// Sets the timeouts; only the first call counts (the daemon makes it at start-up).
pub fn configure(timeouts: SocketTimeouts) {
    let _ = TIMEOUTS.set(timeouts);
}

/// The configured timeouts, or the defaults.
pub fn current() -> SocketTimeouts {
    TIMEOUTS.get().copied().unwrap_or_default()
}
