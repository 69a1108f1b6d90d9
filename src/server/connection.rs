//! One client connection, over any byte stream (TCP and Unix sockets share this code).
//!
//! Life of a connection: refuse a client whose first bytes are an HTTP request
//! ([`super::http_guard`]); check the secret ([`super::secret`]); create the bounded outgoing
//! queue and tell the interpreter [`ToInterpreter::Connected`] with its [`Outbox`]; then run
//! a reader (frames → messages → interpreter) and a writer (outbox → printed frames) until
//! either ends, the peer goes away, or the server shuts down; finally send
//! [`ToInterpreter::Disconnected`], exactly once for every `Connected`.
//!
//! The reader answers two things itself: payloads it cannot read get `(:reader-error PACKET
//! MESSAGE)` and the connection carries on; requests beyond the per-connection pending limit
//! get `(:return (:abort ...) ID)` without reaching the interpreter. Framing errors and
//! messages swank would reject close the connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::io::AsyncRead;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tracing::Instrument;

use super::ServerSettings;
use super::halves::ClientSocket;
use super::http_guard::{HttpGuard, HttpRequestRefused};
use super::inbound::{ForwardingRules, Inbound};
use super::incoming::{Incoming, admit, classify, refuse};
use super::secret::{AuthError, Origin, authenticate};
use super::writer::ConnectionWriter;
use crate::events::{ConnectionId, InterpreterSender, Outbox, ToInterpreter};
use crate::wire::frame::{FrameError, FrameReader};
use crate::wire::message::DecodeError;

static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh connection id, unique for the life of the process.
pub fn next_connection_id() -> ConnectionId {
    NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed)
}

/// What every connection of a server shares.
#[derive(Debug)]
pub(crate) struct ConnectionShared {
    pub settings: ServerSettings,
    pub interpreter: InterpreterSender,
    pub shutdown: watch::Receiver<bool>,
    /// Connections currently being served.
    pub open_connections: AtomicUsize,
}

/// Counts a connection as open for as long as it lives, and holds its slot.
struct OpenConnection<'a> {
    counter: &'a AtomicUsize,
    _slot: OwnedSemaphorePermit,
}

impl<'a> OpenConnection<'a> {
    fn new(counter: &'a AtomicUsize, slot: OwnedSemaphorePermit) -> Self {
        counter.fetch_add(1, Ordering::AcqRel);
        OpenConnection {
            counter,
            _slot: slot,
        }
    }
}

impl Drop for OpenConnection<'_> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a connection ended.
#[derive(Debug, thiserror::Error)]
pub(super) enum ConnectionEnd {
    #[error("the client closed the connection")]
    PeerClosed,
    #[error("invalid framing: {0}")]
    Framing(#[from] FrameError),
    #[error("invalid message: {0}")]
    Protocol(#[from] DecodeError),
    #[error("write failed: {0}")]
    Write(std::io::Error),
    #[error("the interpreter is gone")]
    InterpreterGone,
    #[error("the server is shutting down")]
    Shutdown,
    #[error("the interpreter gave up on the client (it did not read its replies)")]
    ClosedByInterpreter,
}

/// Serves one accepted stream until it ends. `peer` describes the client for logs and for the
/// interpreter; `origin` says whether it must send a secret even without a secret file; `slot` is the connection's share of the server's connection cap, released
/// when this returns.
pub(crate) async fn serve<S: ClientSocket>(
    stream: S,
    peer: String,
    origin: Origin,
    shared: Arc<ConnectionShared>,
    slot: OwnedSemaphorePermit,
) {
    let id = next_connection_id();
    let descriptor = stream.as_raw_fd();
    let span = tracing::info_span!("connection", id);
    async move {
        let _open = OpenConnection::new(&shared.open_connections, slot);
        tracing::info!(%peer, "accepted");
        let mut shutdown = shared.shutdown.clone();
        let (read_half, write_half) = stream.into_halves();
        let settings = &shared.settings;
        let mut frames = FrameReader::new(HttpGuard::new(read_half), settings.max_frame_bytes)
            .with_frame_timeout(settings.frame_timeout);
        let authenticated = tokio::select! {
            result = authenticate(&mut frames, settings.secret_file.as_deref(), settings.auth_timeout, origin) => result,
            _ = shutdown.wait_for(|stopping| *stopping) => {
                tracing::info!("closed during authentication: the server is shutting down");
                return;
            }
        };
        match &authenticated {
            Ok(()) => {}
            Err(AuthError::Frame(error)) if HttpRequestRefused::in_frame_error(error).is_some() => {
                log_http_refusal(&peer, error);
                return;
            }
            Err(error) => {
                tracing::warn!(%peer, %error, "authentication failed; closing");
                return;
            }
        }

        let (outgoing, outbox_receiver) = mpsc::channel(settings.outbox_capacity);
        let queue = Outbox::new(outgoing);
        let pending = Arc::new(AtomicUsize::new(0));
        let writer = Arc::new(ConnectionWriter::new(
            write_half,
            queue.unwritten().clone(),
            pending.clone(),
            settings.max_frame_bytes,
        ));
        let outbox = queue.with_direct_write(writer.clone());
        let (read_half, decoder) = frames.into_parts();
        let rules = ForwardingRules {
            connection: id,
            interpreter: shared.interpreter.clone(),
            pending: pending.clone(),
            max_pending_requests: settings.max_pending_requests,
            reader_limits: settings.reader_limits,
            max_frame_bytes: settings.max_frame_bytes,
            frame_timeout: settings.frame_timeout,
        };
        let inbound = Arc::new(Inbound::new(read_half, descriptor, decoder, rules));
        let connected = ToInterpreter::Connected {
            connection: id,
            peer: peer.clone(),
            outbox: outbox.clone(),
            inbound: Some(inbound.clone()),
        };
        if shared.interpreter.send(connected).is_err() {
            tracing::error!("the interpreter is gone; closing");
            return;
        }

        let end = tokio::select! {
            end = read_messages(&inbound, &shared, &outbox, &pending) => end,
            written = writer.run(outbox_receiver) => match written {
                Ok(()) => ConnectionEnd::InterpreterGone,
                Err(error) => ConnectionEnd::Write(error),
            },
            _ = shutdown.wait_for(|stopping| *stopping) => ConnectionEnd::Shutdown,
            _ = outbox.close_requested() => ConnectionEnd::ClosedByInterpreter,
        };
        match &end {
            ConnectionEnd::PeerClosed | ConnectionEnd::Shutdown => {
                tracing::info!(reason = %end, "connection closed")
            }
            ConnectionEnd::Framing(error) if HttpRequestRefused::in_frame_error(error).is_some() => {
                log_http_refusal(&peer, error)
            }
            _ => tracing::warn!(reason = %end, "connection closed"),
        }
        inbound.close();
        writer.close().await;
        let _ = shared
            .interpreter
            .send(ToInterpreter::Disconnected { connection: id });
    }
    .instrument(span)
    .await
}

/// The distinct warning for a client whose first bytes were an HTTP request.
fn log_http_refusal(peer: &str, error: &FrameError) {
    if let Some(refused) = HttpRequestRefused::in_frame_error(error) {
        tracing::warn!(
            %peer,
            method = %refused.method,
            "refused an HTTP request, probably browser-borne (a web page reaching the Swank port); closing"
        );
    }
}

/// Takes payloads and forwards messages until the connection must end.
pub(super) async fn read_messages<R: AsyncRead + Unpin + Send>(
    inbound: &Inbound<R>,
    shared: &ConnectionShared,
    outbox: &Outbox,
    pending: &AtomicUsize,
) -> ConnectionEnd {
    let settings = &shared.settings;
    loop {
        let payload = match inbound.next_payload().await {
            Ok(Some(payload)) => payload,
            Ok(None) => return ConnectionEnd::PeerClosed,
            Err(error) => return ConnectionEnd::Framing(error),
        };
        let message = match classify(&payload, &settings.reader_limits, settings.max_frame_bytes) {
            Incoming::Message(message) => message,
            Incoming::Unreadable(reply) => {
                if outbox.send_waiting(reply).await.is_err() {
                    return ConnectionEnd::InterpreterGone;
                }
                continue;
            }
            Incoming::Ignored(error) => {
                tracing::warn!(%error, "ignoring message");
                continue;
            }
            Incoming::Fatal(error) => return ConnectionEnd::Protocol(error),
        };
        if !admit(&message, pending, settings.max_pending_requests) {
            let reply = refuse(message, pending, settings.max_pending_requests);
            if outbox.send_waiting(reply).await.is_err() {
                return ConnectionEnd::InterpreterGone;
            }
            continue;
        }
        let forwarded = ToInterpreter::Message {
            connection: inbound.connection(),
            message,
        };
        if shared.interpreter.send(forwarded).is_err() {
            return ConnectionEnd::InterpreterGone;
        }
    }
}
