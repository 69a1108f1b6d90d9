//! A connected program socket: the buffers the interpreter reads and writes
//! ([`StreamHandle`], its [`StreamPort`]) and the tokio tasks that fill and drain them.
//!
//! The reader task reads while the input buffer has room and then waits, so a client that
//! floods is held back by TCP; the writer task sends what the interpreter queued. Closing
//! sends what is queued (for at most the configured close linger, `--socket-close-seconds`), then shuts the socket down.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::runtime::Handle;
use tokio::sync::{Notify, OwnedSemaphorePermit, watch};

use super::Waker;
use super::address::io_error;
use crate::events::{Readiness, SocketError, SocketId, StreamPort};

/// The most the reader task reads at once.
const READ_CHUNK: usize = 16 * 1024;
/// How long a closed socket may take to send what was queued before it is dropped.

#[derive(Debug, Default)]
struct State {
    /// Received bytes; those before `consumed` were read already.
    input: Vec<u8>,
    consumed: usize,
    /// Unread bytes a read looked at and found too few (`Input` waits for more).
    seen: usize,
    /// The peer finished sending.
    finished: bool,
    failure: Option<SocketError>,
    /// Bytes queued for the writer task.
    output: Vec<u8>,
    /// The writer task is sending a batch.
    sending: bool,
    connecting: bool,
    closed: bool,
    /// The interpreter wants to hear about the next change.
    interested: bool,
    local: Option<SocketAddr>,
    peer: Option<SocketAddr>,
}

impl State {
    fn unread(&self) -> usize {
        self.input.len() - self.consumed
    }
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// The input buffer has room again.
    room: Notify,
    /// The writer has work (or the socket closed).
    work: Notify,
    closed: watch::Sender<bool>,
    waker: Waker,
    buffer_bytes: usize,
}

impl Shared {
    fn new(waker: Waker, buffer_bytes: usize, state: State) -> Arc<Self> {
        Arc::new(Shared {
            state: Mutex::new(state),
            room: Notify::new(),
            work: Notify::new(),
            closed: watch::channel(false).0,
            waker,
            buffer_bytes: buffer_bytes.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Changes the state and tells the interpreter if it is waiting.
    fn change(&self, update: impl FnOnce(&mut State)) {
        let mut state = self.lock();
        update(&mut state);
        if state.interested {
            state.interested = false;
            drop(state);
            self.waker.wake();
        }
    }
}

/// The interpreter's handle on a connected socket; dropping it closes the socket.
#[derive(Debug)]
pub struct StreamHandle {
    shared: Arc<Shared>,
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        self.close();
    }
}

/// Starts connecting in the background; the handle says when it is done.
#[allow(clippy::too_many_arguments)]
pub fn connect(
    runtime: &Handle,
    host: String,
    port: u16,
    timeout: Option<Duration>,
    no_delay: bool,
    buffer_bytes: usize,
    waker: Waker,
    slot: OwnedSemaphorePermit,
) -> Arc<dyn StreamPort> {
    let state = State {
        connecting: true,
        ..State::default()
    };
    let shared = Shared::new(waker, buffer_bytes, state);
    let task_shared = shared.clone();
    runtime.spawn(async move {
        let attempt = open(&host, port);
        let outcome = match timeout {
            Some(limit) => tokio::time::timeout(limit, attempt)
                .await
                .unwrap_or_else(|_| {
                    Err(SocketError::Timeout(format!(
                        "{host}:{port}: no connection after {limit:?}"
                    )))
                }),
            None => attempt.await,
        };
        match outcome {
            Ok(stream) => {
                let _ = stream.set_nodelay(no_delay);
                serve(task_shared, stream, slot).await;
            }
            Err(error) => task_shared.change(|state| {
                state.connecting = false;
                state.failure = Some(error);
            }),
        }
    });
    Arc::new(StreamHandle { shared })
}

async fn open(host: &str, port: u16) -> Result<TcpStream, SocketError> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|error| SocketError::HostNotFound(format!("{host}: {error}")))?
        .collect();
    let mut last = SocketError::HostNotFound(format!("{host} has no address"));
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(error) => last = io_error(&address.to_string(), &error),
        }
    }
    Err(last)
}

/// A handle on a client a listener accepted; its tasks start at once.
pub fn accepted(
    runtime: &Handle,
    stream: TcpStream,
    buffer_bytes: usize,
    waker: Waker,
    slot: OwnedSemaphorePermit,
) -> Arc<dyn StreamPort> {
    let shared = Shared::new(waker, buffer_bytes, State::default());
    shared.lock().local = stream.local_addr().ok();
    shared.lock().peer = stream.peer_addr().ok();
    runtime.spawn(serve(shared.clone(), stream, slot));
    Arc::new(StreamHandle { shared })
}

/// Moves bytes until the socket is closed or fails; the slot is freed at the end.
async fn serve(shared: Arc<Shared>, stream: TcpStream, slot: OwnedSemaphorePermit) {
    let (local, peer) = (stream.local_addr().ok(), stream.peer_addr().ok());
    shared.change(|state| {
        state.connecting = false;
        state.local = local;
        state.peer = peer;
    });
    let (reader, writer) = stream.into_split();
    tokio::join!(
        read_loop(shared.clone(), reader),
        write_loop(shared.clone(), writer)
    );
    drop(slot);
    tracing::debug!(socket = shared.waker.id, "program socket closed");
}

async fn read_loop(shared: Arc<Shared>, mut reader: OwnedReadHalf) {
    let mut closed = shared.closed.subscribe();
    let mut buffer = vec![0u8; READ_CHUNK];
    loop {
        let room = {
            let state = shared.lock();
            if state.closed || state.failure.is_some() {
                return;
            }
            shared.buffer_bytes.saturating_sub(state.unread())
        };
        if room == 0 {
            tokio::select! {
                _ = shared.room.notified() => continue,
                _ = closed.wait_for(|closed| *closed) => return,
            }
        }
        let limit = room.min(READ_CHUNK);
        let read = tokio::select! {
            read = reader.read(&mut buffer[..limit]) => read,
            _ = closed.wait_for(|closed| *closed) => return,
        };
        let done = !matches!(read, Ok(count) if count > 0);
        shared.change(|state| match read {
            Ok(0) => state.finished = true,
            Ok(count) => state.input.extend_from_slice(&buffer[..count]),
            Err(error) => state.failure = Some(io_error("read", &error)),
        });
        if done {
            return;
        }
    }
}

async fn write_loop(shared: Arc<Shared>, mut writer: OwnedWriteHalf) {
    loop {
        let (batch, closing) = {
            let mut state = shared.lock();
            if state.failure.is_some() && !state.closed {
                (Vec::new(), false)
            } else {
                state.sending = !state.output.is_empty();
                (std::mem::take(&mut state.output), state.closed)
            }
        };
        if batch.is_empty() {
            if closing {
                let _ = tokio::time::timeout(
                    super::timeouts::current().close_linger,
                    writer.shutdown(),
                )
                .await;
                return;
            }
            shared.work.notified().await;
            continue;
        }
        let written = if closing {
            tokio::time::timeout(
                super::timeouts::current().close_linger,
                writer.write_all(&batch),
            )
            .await
            .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
        } else {
            writer.write_all(&batch).await
        };
        shared.change(|state| {
            state.sending = false;
            if let Err(error) = &written {
                state.failure = Some(io_error("write", error));
                state.output.clear();
            }
        });
        if written.is_err() {
            return;
        }
    }
}

impl StreamPort for StreamHandle {
    fn id(&self) -> SocketId {
        self.shared.waker.id
    }

    fn read(
        &self,
        take: &mut dyn FnMut(&[u8], bool) -> Option<usize>,
    ) -> Result<bool, SocketError> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(SocketError::Closed);
        }
        let unread = state.unread();
        if unread == 0
            && let Some(failure) = &state.failure
        {
            return Err(failure.clone());
        }
        let finished = state.finished || state.failure.is_some();
        let full = unread >= self.shared.buffer_bytes;
        match take(&state.input[state.consumed..], finished) {
            Some(used) => {
                state.consumed += used.min(unread);
                state.seen = 0;
                if state.consumed == state.input.len() {
                    state.input.clear();
                    state.consumed = 0;
                } else if state.consumed > state.input.len() / 2 {
                    let consumed = state.consumed;
                    state.input.drain(..consumed);
                    state.consumed = 0;
                }
                if used > 0 {
                    self.shared.room.notify_one();
                }
                Ok(true)
            }
            None if full => Err(SocketError::LineTooLong(self.shared.buffer_bytes)),
            None => {
                state.seen = unread;
                Ok(false)
            }
        }
    }

    fn write(&self, bytes: &[u8]) -> Result<bool, SocketError> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(SocketError::Closed);
        }
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        if !state.output.is_empty() && state.output.len() + bytes.len() > self.shared.buffer_bytes {
            drop(state);
            self.shared.work.notify_one();
            return Ok(false);
        }
        state.output.extend_from_slice(bytes);
        Ok(true)
    }

    fn flush(&self) -> Result<(), SocketError> {
        let state = self.shared.lock();
        if state.closed {
            return Err(SocketError::Closed);
        }
        if let Some(failure) = &state.failure {
            return Err(failure.clone());
        }
        drop(state);
        self.shared.work.notify_one();
        Ok(())
    }

    fn ready(&self, what: Readiness) -> bool {
        let mut state = self.shared.lock();
        let over = state.closed || state.failure.is_some();
        let ready = over
            || match what {
                Readiness::Input => state.finished || state.unread() > state.seen,
                Readiness::Output => state.output.is_empty(),
                Readiness::Drained => state.output.is_empty() && !state.sending,
                Readiness::Accept => false,
                Readiness::Connected => !state.connecting,
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
            Some(failure) if state.local.is_none() => Err(failure.clone()),
            _ => Ok(true),
        }
    }

    fn local_address(&self) -> Option<SocketAddr> {
        self.shared.lock().local
    }

    fn peer_address(&self) -> Option<SocketAddr> {
        self.shared.lock().peer
    }

    fn close(&self) {
        {
            let mut state = self.shared.lock();
            if state.closed {
                return;
            }
            state.closed = true;
        }
        self.shared.work.notify_one();
        self.shared.room.notify_one();
        self.shared.closed.send_replace(true);
    }
}
