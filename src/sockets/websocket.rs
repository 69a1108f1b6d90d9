//! WebSockets for Lisp programs, on tokio-tungstenite: endpoints (a path on a listening
//! port) and clients (`ws://` URLs). Each connection is one task that moves messages
//! between the socket and a bounded inbox and outbox shared with the interpreter, as
//! [`super::stream`] does with bytes: a peer that sends faster than the program reads is
//! held back, and a message larger than the buffer ends its connection (close code 1009).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Handle;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::{WebSocketConfig, frame::coding::CloseCode};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http};

use super::address::io_error;
use super::{Waker, Wakers};
use crate::events::{
    MessageListenPort, MessagePort, Readiness, SocketError, SocketId, WsEvent, WsMessage,
};

/// Clients whose handshake succeeded and that the program has not taken yet, per endpoint.
const ACCEPT_QUEUE: usize = 128;
/// The close code of a connection that ended without a closing handshake.
const ABNORMAL_CLOSE: u16 = 1006;

#[derive(Debug, Default)]
struct State {
    inbox: VecDeque<WsEvent>,
    inbox_bytes: usize,
    outbox: VecDeque<WsMessage>,
    outbox_bytes: usize,
    /// The program asked to close with this code and reason.
    closing: Option<(u16, String)>,
    /// The `Closed` event is queued: nothing more comes or goes.
    ended: bool,
    connecting: bool,
    failure: Option<SocketError>,
    interested: bool,
    peer: Option<SocketAddr>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// The inbox has room again.
    room: Notify,
    /// There is something to send (or to close).
    work: Notify,
    waker: Waker,
    buffer_bytes: usize,
}

impl Shared {
    fn new(waker: Waker, buffer_bytes: usize, state: State) -> Arc<Shared> {
        Arc::new(Shared {
            state: Mutex::new(state),
            room: Notify::new(),
            work: Notify::new(),
            waker,
            buffer_bytes: buffer_bytes.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn change(&self, update: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        update(&mut state);
        if state.interested {
            state.interested = false;
            drop(state);
            self.waker.wake();
        }
    }

    fn end(&self, code: u16, reason: String) {
        self.change(|state| {
            if !state.ended {
                state.ended = true;
                state.connecting = false;
                state.inbox.push_back(WsEvent::Closed { code, reason });
            }
        });
    }

    fn config(&self) -> WebSocketConfig {
        WebSocketConfig::default()
            .max_message_size(Some(self.buffer_bytes))
            .max_frame_size(Some(self.buffer_bytes))
    }
}

/// The interpreter's handle on a WebSocket connection; dropping it closes the connection.
#[derive(Debug)]
pub struct WebSocketHandle {
    shared: Arc<Shared>,
}

impl Drop for WebSocketHandle {
    fn drop(&mut self) {
        MessagePort::close(self, 1001, "");
    }
}

/// Moves messages until the connection ends.
async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    mut socket: WebSocketStream<S>,
    slot: OwnedSemaphorePermit,
) {
    shared.change(|state| state.connecting = false);
    let mut closing_since = None;
    loop {
        let next = {
            let mut state = shared.lock();
            if let Some((code, reason)) = state.closing.take() {
                closing_since = Some(tokio::time::Instant::now());
                Some(Message::Close(Some(CloseFrame {
                    code: CloseCode::from(code),
                    reason: reason.into(),
                })))
            } else if let Some(message) = state.outbox.pop_front() {
                state.outbox_bytes -= message.len();
                Some(match message {
                    WsMessage::Text(text) => Message::text(text),
                    WsMessage::Binary(bytes) => Message::binary(bytes),
                })
            } else {
                None
            }
        };
        if let Some(message) = next {
            let sent = socket.send(message).await;
            shared.change(|_| {});
            if let Err(error) = sent {
                shared.end(ABNORMAL_CLOSE, error.to_string());
                break;
            }
            continue;
        }
        let can_read = shared.lock().inbox_bytes < shared.buffer_bytes;
        let linger = async {
            match closing_since {
                Some(since) => {
                    tokio::time::sleep_until(since + super::timeouts::current().close_linger).await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shared.work.notified() => {}
            _ = shared.room.notified(), if !can_read => {}
            _ = linger => {
                shared.end(ABNORMAL_CLOSE, "the peer did not answer the close".into());
                break;
            }
            received = socket.next(), if can_read => match received {
                Some(Ok(Message::Text(text))) => push(&shared, WsMessage::Text(text.to_string())),
                Some(Ok(Message::Binary(bytes))) => push(&shared, WsMessage::Binary(bytes.to_vec())),
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame.map_or((1005, String::new()), |frame| {
                        (u16::from(frame.code), frame.reason.to_string())
                    });
                    shared.end(code, reason);
                    // tungstenite has queued the answering close; reading on sends it and
                    // ends once the connection is closed.
                    let _ = tokio::time::timeout(super::timeouts::current().close_linger, async {
                        let _ = socket.flush().await;
                        while let Some(Ok(_)) = socket.next().await {}
                    })
                    .await;
                    break;
                }
                Some(Ok(_)) => {
                    // A ping: tungstenite has queued the pong; send it.
                    let _ = socket.flush().await;
                }
                Some(Err(error)) => {
                    let code = if matches!(
                        error,
                        tokio_tungstenite::tungstenite::Error::Capacity(_)
                    ) {
                        1009
                    } else {
                        ABNORMAL_CLOSE
                    };
                    shared.end(code, error.to_string());
                    let frame = CloseFrame {
                        code: CloseCode::from(code),
                        reason: "".into(),
                    };
                    let _ = tokio::time::timeout(super::timeouts::current().close_linger, socket.close(Some(frame))).await;
                    break;
                }
                None => {
                    shared.end(ABNORMAL_CLOSE, String::new());
                    break;
                }
            },
        }
    }
    drop(slot);
    tracing::debug!(socket = shared.waker.id, "program websocket closed");
}

fn push(shared: &Shared, message: WsMessage) {
    shared.change(|state| {
        state.inbox_bytes += message.len();
        state.inbox.push_back(WsEvent::Message(message));
    });
}

impl MessagePort for WebSocketHandle {
    fn id(&self) -> SocketId {
        self.shared.waker.id
    }

    fn receive(&self) -> Option<WsEvent> {
        let event = {
            let mut state = self.shared.lock();
            let event = state.inbox.pop_front()?;
            if let WsEvent::Message(message) = &event {
                state.inbox_bytes -= message.len();
            }
            event
        };
        self.shared.room.notify_one();
        Some(event)
    }

    fn send(&self, message: WsMessage) -> Result<bool, SocketError> {
        let mut state = self.shared.lock();
        if state.ended || state.closing.is_some() {
            return Err(SocketError::Closed);
        }
        if !state.outbox.is_empty() && state.outbox_bytes + message.len() > self.shared.buffer_bytes
        {
            return Ok(false);
        }
        state.outbox_bytes += message.len();
        state.outbox.push_back(message);
        drop(state);
        self.shared.work.notify_one();
        Ok(true)
    }

    fn close(&self, code: u16, reason: &str) {
        {
            let mut state = self.shared.lock();
            if state.ended || state.closing.is_some() {
                return;
            }
            state.closing = Some((code, reason.to_string()));
        }
        self.shared.work.notify_one();
    }

    fn ready(&self, what: Readiness) -> bool {
        let mut state = self.shared.lock();
        let ready = match what {
            Readiness::Input => !state.inbox.is_empty(),
            Readiness::Output | Readiness::Drained => {
                state.ended || state.outbox_bytes < self.shared.buffer_bytes
            }
            Readiness::Connected => !state.connecting,
            Readiness::Accept => false,
        };
        if !ready {
            state.interested = true;
        }
        ready
    }

    fn connected(&self) -> Result<bool, SocketError> {
        let state = self.shared.lock();
        if state.connecting {
            return Ok(false);
        }
        match &state.failure {
            Some(failure) => Err(failure.clone()),
            None => Ok(true),
        }
    }

    fn peer_address(&self) -> Option<SocketAddr> {
        self.shared.lock().peer
    }
}

/// Starts opening `url` (`ws://HOST:PORT/PATH`).
pub fn connect(
    runtime: &Handle,
    url: &str,
    buffer_bytes: usize,
    waker: Waker,
    slot: OwnedSemaphorePermit,
) -> Result<Arc<dyn MessagePort>, SocketError> {
    let request = url
        .into_client_request()
        .map_err(|error| SocketError::Other(format!("{url}: {error}")))?;
    let uri: &http::Uri = request.uri();
    if uri.scheme_str() != Some("ws") {
        return Err(SocketError::Other(format!(
            "{url}: only ws:// URLs are supported"
        )));
    }
    let host = uri
        .host()
        .ok_or_else(|| SocketError::HostNotFound(format!("{url} names no host")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = uri.port_u16().unwrap_or(80);
    let state = State {
        connecting: true,
        ..State::default()
    };
    let shared = Shared::new(waker, buffer_bytes, state);
    let task_shared = shared.clone();
    runtime.spawn(async move {
        let opened = tokio::time::timeout(super::timeouts::current().handshake, async {
            let stream = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(|error| io_error(&format!("{host}:{port}"), &error))?;
            let peer = stream.peer_addr().ok();
            let config = task_shared.config();
            let (socket, _) =
                tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                    .await
                    .map_err(|error| SocketError::Other(error.to_string()))?;
            Ok::<_, SocketError>((socket, peer))
        })
        .await
        .unwrap_or_else(|_| Err(SocketError::Timeout(format!("{host}:{port}: no handshake"))));
        match opened {
            Ok((socket, peer)) => {
                task_shared.lock().peer = peer;
                run(task_shared, socket, slot).await;
            }
            Err(error) => task_shared.change(|state| {
                state.connecting = false;
                state.ended = true;
                state.failure = Some(error);
            }),
        }
    });
    Ok(Arc::new(WebSocketHandle { shared }))
}

#[derive(Debug, Default)]
struct EndpointState {
    waiting: VecDeque<Arc<Shared>>,
    closed: bool,
    interested: bool,
    descriptor: Option<RawFd>,
}

#[derive(Debug)]
struct Endpoint {
    state: Mutex<EndpointState>,
    closed: watch::Sender<bool>,
    waker: Waker,
    local: Option<SocketAddr>,
    path: String,
    runtime: Handle,
    slots: Arc<Semaphore>,
    wakers: Wakers,
    buffer_bytes: usize,
}

impl Endpoint {
    fn lock(&self) -> MutexGuard<'_, EndpointState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The interpreter's handle on an endpoint; dropping it stops the endpoint.
#[derive(Debug)]
pub struct EndpointHandle {
    endpoint: Arc<Endpoint>,
}

impl Drop for EndpointHandle {
    fn drop(&mut self) {
        self.close();
    }
}

/// What an endpoint needs besides its listener.
pub struct EndpointContext {
    pub runtime: Handle,
    pub slots: Arc<Semaphore>,
    pub wakers: Wakers,
    pub buffer_bytes: usize,
}

/// Serves WebSocket clients of `path` on `listener`.
pub fn listen(
    listener: TcpListener,
    path: &str,
    context: EndpointContext,
    slot: OwnedSemaphorePermit,
) -> Arc<dyn MessageListenPort> {
    let endpoint = Arc::new(Endpoint {
        state: Mutex::new(EndpointState {
            descriptor: Some(listener.as_raw_fd()),
            ..EndpointState::default()
        }),
        closed: watch::channel(false).0,
        waker: context.wakers.next(),
        local: listener.local_addr().ok(),
        path: path.to_string(),
        runtime: context.runtime.clone(),
        slots: context.slots,
        wakers: context.wakers,
        buffer_bytes: context.buffer_bytes,
    });
    context
        .runtime
        .spawn(accept_loop(endpoint.clone(), listener, slot));
    Arc::new(EndpointHandle { endpoint })
}

async fn accept_loop(endpoint: Arc<Endpoint>, listener: TcpListener, slot: OwnedSemaphorePermit) {
    let mut closed = endpoint.closed.subscribe();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = closed.wait_for(|closed| *closed) => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) if endpoint.lock().closed => break,
            Err(error) => {
                tracing::warn!(endpoint = endpoint.waker.id, %error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let permit = tokio::select! {
            permit = endpoint.slots.clone().acquire_owned() => permit,
            _ = closed.wait_for(|closed| *closed) => break,
        };
        let Ok(permit) = permit else { break };
        endpoint
            .runtime
            .spawn(handshake(endpoint.clone(), stream, permit));
    }
    let unaccepted: Vec<Arc<Shared>> = {
        let mut state = endpoint.lock();
        state.descriptor = None;
        state.waiting.drain(..).collect()
    };
    drop(listener);
    for shared in unaccepted {
        shared.lock().closing = Some((1001, String::new()));
        shared.work.notify_one();
    }
    drop(slot);
}

/// Answers one client's opening handshake (404 for another path) and queues it.
// The path check's result type is tungstenite's handshake callback signature.
#[allow(clippy::result_large_err)]
async fn handshake(endpoint: Arc<Endpoint>, stream: TcpStream, slot: OwnedSemaphorePermit) {
    if endpoint.lock().waiting.len() >= ACCEPT_QUEUE {
        return;
    }
    let peer = stream.peer_addr().ok();
    let shared = Shared::new(
        endpoint.wakers.next(),
        endpoint.buffer_bytes,
        State {
            peer,
            ..State::default()
        },
    );
    let path = endpoint.path.clone();
    let check_path = move |request: &Request, response: Response| {
        if request.uri().path() == path {
            Ok(response)
        } else {
            let mut refusal =
                ErrorResponse::new(Some(format!("no WebSocket at {}", request.uri())));
            *refusal.status_mut() = http::StatusCode::NOT_FOUND;
            Err(refusal)
        }
    };
    let accepted = tokio::time::timeout(
        super::timeouts::current().handshake,
        tokio_tungstenite::accept_hdr_async_with_config(stream, check_path, Some(shared.config())),
    )
    .await;
    let Ok(Ok(socket)) = accepted else {
        tracing::debug!(
            endpoint = endpoint.waker.id,
            ?peer,
            "a WebSocket handshake failed"
        );
        return;
    };
    {
        let mut state = endpoint.lock();
        if state.closed {
            return;
        }
        state.waiting.push_back(shared.clone());
        if state.interested {
            state.interested = false;
            drop(state);
            endpoint.waker.wake();
        }
    }
    run(shared, socket, slot).await;
}

impl MessageListenPort for EndpointHandle {
    fn id(&self) -> SocketId {
        self.endpoint.waker.id
    }

    fn accept(&self) -> Result<Option<Arc<dyn MessagePort>>, SocketError> {
        let mut state = self.endpoint.lock();
        if state.closed {
            return Err(SocketError::Closed);
        }
        Ok(state
            .waiting
            .pop_front()
            .map(|shared| Arc::new(WebSocketHandle { shared }) as Arc<dyn MessagePort>))
    }

    fn ready(&self) -> bool {
        let mut state = self.endpoint.lock();
        let ready = state.closed || !state.waiting.is_empty();
        if !ready {
            state.interested = true;
        }
        ready
    }

    fn local_address(&self) -> Option<SocketAddr> {
        self.endpoint.local
    }

    fn close(&self) {
        let mut state = self.endpoint.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        self.endpoint.closed.send_replace(true);
        if let Some(descriptor) = state.descriptor {
            // SAFETY: as in `listener::ListenerHandle::close`: the accept task clears
            // `descriptor` under this lock before it closes the socket.
            unsafe {
                libc::shutdown(descriptor, libc::SHUT_RDWR);
            }
        }
    }
}
