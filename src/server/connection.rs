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
use super::secret::{AuthError, Origin, authenticate};
use super::writer::ConnectionWriter;
use crate::events::{ConnectionId, EmacsMessage, InterpreterSender, Outbox, ToInterpreter};
use crate::wire::frame::{FrameError, FrameReader};
use crate::wire::message::{self, DecodeError};
use crate::wire::reader::read_datum;
use crate::wire::value::dispose;

/// How much of an unreadable packet is quoted back in `:reader-error` (at most; see
/// [`quoted_packet`]).
const QUOTED_PACKET_BYTES: usize = 4096;

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
enum ConnectionEnd {
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
        let connected = ToInterpreter::Connected {
            connection: id,
            peer: peer.clone(),
            outbox: outbox.clone(),
        };
        if shared.interpreter.send(connected).is_err() {
            tracing::error!("the interpreter is gone; closing");
            return;
        }

        let end = tokio::select! {
            end = read_messages(id, &mut frames, &shared, &outbox, &pending) => end,
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

/// Reads frames and forwards messages until the connection must end.
async fn read_messages<R: AsyncRead + Unpin>(
    connection: ConnectionId,
    frames: &mut FrameReader<R>,
    shared: &ConnectionShared,
    outbox: &Outbox,
    pending: &AtomicUsize,
) -> ConnectionEnd {
    let settings = &shared.settings;
    loop {
        let payload = match frames.read_frame().await {
            Ok(Some(payload)) => payload,
            Ok(None) => return ConnectionEnd::PeerClosed,
            Err(error) => return ConnectionEnd::Framing(error),
        };
        let text = String::from_utf8_lossy(&payload);
        let datum = match read_datum(&text, &settings.reader_limits) {
            Ok(datum) => datum,
            Err(error) => {
                tracing::warn!(%error, "unreadable message; answering with :reader-error");
                let quoted = quoted_packet(&text, settings.max_frame_bytes);
                let reply = message::reader_error(quoted, &error.to_string());
                if outbox.send_waiting(reply).await.is_err() {
                    return ConnectionEnd::InterpreterGone;
                }
                continue;
            }
        };
        let message = match message::decode(datum) {
            Ok(message) => message,
            Err(error) if !error.closes_connection() => {
                tracing::warn!(%error, "ignoring message");
                continue;
            }
            Err(error) => return ConnectionEnd::Protocol(error),
        };
        if let EmacsMessage::Rex { id, .. } = &message {
            // Every request counts until a `:return` for it is written, including the abort
            // below, so the count stays exact.
            let already_pending = pending.fetch_add(1, Ordering::AcqRel);
            if already_pending >= settings.max_pending_requests {
                tracing::warn!(
                    request = id,
                    limit = settings.max_pending_requests,
                    "too many pending requests; aborting this one"
                );
                let reason = format!(
                    "too many pending requests on this connection (limit {})",
                    settings.max_pending_requests
                );
                let reply = message::abort_reply(&reason, *id);
                discard_message(message);
                if outbox.send_waiting(reply).await.is_err() {
                    return ConnectionEnd::InterpreterGone;
                }
                continue;
            }
        }
        let forwarded = ToInterpreter::Message {
            connection,
            message,
        };
        if shared.interpreter.send(forwarded).is_err() {
            return ConnectionEnd::InterpreterGone;
        }
    }
}

fn discard_message(message: EmacsMessage) {
    match message {
        EmacsMessage::Rex { form, .. } => dispose(form),
        EmacsMessage::Return { value, .. } => dispose(value),
        _ => {}
    }
}

/// The start of `packet`, cut at a character boundary, short enough that the `:reader-error`
/// quoting it fits a frame even when every byte needs an escape.
fn quoted_packet(packet: &str, max_frame_bytes: usize) -> &str {
    let limit = QUOTED_PACKET_BYTES.min(max_frame_bytes / 4);
    if packet.len() <= limit {
        return packet;
    }
    let mut end = limit;
    while !packet.is_char_boundary(end) {
        end -= 1;
    }
    packet.get(..end).unwrap_or_default()
}
