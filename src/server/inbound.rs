//! A connection's incoming frames, read by its connection task and, while the interpreter
//! waits for work, by the interpreter's thread too ([`DirectRead`]).
//!
//! On a machine whose idle processors sleep, waking a tokio worker to read each request is
//! most of a short request's round trip. After a reply the interpreter stays awake a little
//! (`--idle-spin-micros`); meanwhile it reads the sockets of the connections it last heard
//! from itself, without waiting, and forwards the messages it decodes into its own channel.
//!
//! Both readers take one lock around reading the socket, decoding frames and forwarding
//! messages, so messages keep their order and each is forwarded once. The interpreter
//! forwards only messages that go straight through; anything else (an unreadable payload, a
//! request beyond the pending limit, a framing error, the end of input, a frame begun but not
//! complete) it leaves to the connection task and wakes it, and the task answers, times out
//! or closes exactly as when it reads alone. Until the task has decoded a first frame (the
//! HTTP guard has judged the client's first bytes) the interpreter does not read at all.

use std::collections::VecDeque;
use std::os::fd::RawFd;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::io::AsyncRead;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::incoming::{Incoming, admit, classify, discard_message};
use crate::events::{ConnectionId, DirectRead, InterpreterSender, ToInterpreter};
use crate::wire::frame::{EmptyFrames, FrameDecoder, FrameError, fill};
use crate::wire::read_buffer::with_read_buffer;
use crate::wire::reader::ReaderLimits;

/// What the interpreter needs to decide about a payload and forward it.
pub(crate) struct ForwardingRules {
    pub connection: ConnectionId,
    pub interpreter: InterpreterSender,
    pub pending: Arc<AtomicUsize>,
    pub max_pending_requests: usize,
    pub reader_limits: ReaderLimits,
    pub max_frame_bytes: usize,
    /// How long a frame may take from its first byte to its last.
    pub frame_timeout: Option<Duration>,
}

/// See the module documentation. `R` is the connection's read half.
pub(crate) struct Inbound<R> {
    state: Mutex<InboundState<R>>,
    /// Wakes the connection task when the interpreter left it something.
    task_wanted: Notify,
    rules: ForwardingRules,
}

impl<R> std::fmt::Debug for Inbound<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbound")
            .field("connection", &self.rules.connection)
            .finish_non_exhaustive()
    }
}

struct InboundState<R> {
    /// The read half; `None` once the connection task is done with it.
    source: Option<R>,
    /// The descriptor of the socket `source` reads; open while `source` is `Some`.
    descriptor: RawFd,
    decoder: FrameDecoder,
    /// When the first byte of the frame now buffered arrived.
    frame_started: Option<Instant>,
    /// The connection task has decoded a frame: the HTTP guard has judged the first bytes.
    guard_passed: bool,
    /// The task holds a payload it has not finished with; nothing may overtake it.
    task_busy: bool,
    /// Payloads the interpreter decoded but left to the task, in order.
    for_task: VecDeque<Vec<u8>>,
}

/// What reading the socket without waiting gave.
enum Available {
    Bytes,
    Nothing,
    /// The end of input or a failure: the connection task deals with it.
    EndOrFailure,
}

impl<R: AsyncRead + Unpin + Send> Inbound<R> {
    /// Takes over a connection's read half `source` (reading the socket `descriptor`) and the
    /// decoder holding what was read so far.
    pub fn new(
        source: R,
        descriptor: RawFd,
        decoder: FrameDecoder,
        rules: ForwardingRules,
    ) -> Self {
        let frame_started = (decoder.buffered() > 0).then(Instant::now);
        Inbound {
            state: Mutex::new(InboundState {
                source: Some(source),
                descriptor,
                decoder,
                frame_started,
                guard_passed: false,
                task_busy: false,
                for_task: VecDeque::new(),
            }),
            task_wanted: Notify::new(),
            rules,
        }
    }

    fn lock(&self) -> MutexGuard<'_, InboundState<R>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// For the connection task: the next payload to handle; `Ok(None)` when the peer closed
    /// cleanly between frames. Calling it again means the last payload was handled.
    /// Cancel-safe: what was read stays buffered.
    pub async fn next_payload(&self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            let started = {
                let mut state = self.lock();
                state.task_busy = false;
                if let Some(payload) = state.take_payload()? {
                    state.task_busy = true;
                    return Ok(Some(payload));
                }
                state.frame_started
            };
            let wanted = self.task_wanted.notified();
            // The interpreter holds the lock only for a moment of reading: the task polls
            // again rather than sleep on the lock and make the interpreter wake it.
            let read = std::future::poll_fn(|context| match self.state.try_lock() {
                Ok(mut state) => state.poll_fill(context),
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner().poll_fill(context),
                Err(TryLockError::WouldBlock) => {
                    context.waker().wake_by_ref();
                    Poll::Pending
                }
            });
            let count = match (self.rules.frame_timeout, started) {
                (Some(timeout), Some(started)) => tokio::select! {
                    biased;
                    _ = wanted => continue,
                    read = tokio::time::timeout_at(started + timeout, read) => match read {
                        Ok(count) => count?,
                        Err(_) => {
                            let buffered = self.lock().decoder.buffered();
                            return Err(FrameError::Stalled { buffered, timeout });
                        }
                    },
                },
                _ => tokio::select! {
                    biased;
                    _ = wanted => continue,
                    count = read => count?,
                },
            };
            if count == 0 {
                return match self.lock().decoder.buffered() {
                    0 => Ok(None),
                    buffered => Err(FrameError::Truncated { buffered }),
                };
            }
        }
    }

    /// The connection this reads.
    pub fn connection(&self) -> ConnectionId {
        self.rules.connection
    }

    /// Gives up the read half, so the socket can close; the interpreter reads no more.
    pub fn close(&self) {
        self.lock().source = None;
    }
}

impl<R> InboundState<R> {
    /// The next payload for the task: first those the interpreter left, then the decoder's.
    fn take_payload(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(payload) = self.for_task.pop_front() {
            return Ok(Some(payload));
        }
        let Some(payload) = self.decoder.decode(EmptyFrames::Reject)? else {
            return Ok(None);
        };
        self.guard_passed = true;
        self.frame_started = (self.decoder.buffered() > 0).then(Instant::now);
        Ok(Some(payload))
    }

    /// Bytes arrived: the first of a frame starts its clock.
    fn received(&mut self) {
        if self.frame_started.is_none() {
            self.frame_started = Some(Instant::now());
        }
    }

    /// Whether the interpreter may read now.
    fn open_to_interpreter(&self) -> bool {
        self.source.is_some() && self.guard_passed && !self.task_busy && self.for_task.is_empty()
    }

    /// Reads what the socket holds, without waiting and without tokio (whose readiness the
    /// connection task keeps: a socket found empty there is simply read again).
    fn read_available(&mut self) -> Available {
        if self.source.is_none() {
            return Available::Nothing;
        }
        let (descriptor, decoder) = (self.descriptor, &mut self.decoder);
        let count = with_read_buffer(|chunk| {
            // SAFETY: `descriptor` is the socket `source` reads, and `source` keeps it open:
            // it is `Some` here and cannot be dropped while this thread holds the state's
            // lock. `chunk` is valid for writes of its whole length.
            let count = unsafe {
                libc::recv(
                    descriptor,
                    chunk.as_mut_ptr().cast(),
                    chunk.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if let Ok(count) = usize::try_from(count) {
                decoder.push(chunk.get(..count).unwrap_or_default());
            }
            count
        });
        match usize::try_from(count) {
            Ok(0) => Available::EndOrFailure,
            Ok(_) => {
                self.received();
                Available::Bytes
            }
            Err(_) => match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted => {
                    Available::Nothing
                }
                _ => Available::EndOrFailure,
            },
        }
    }
}

impl<R: AsyncRead + Unpin> InboundState<R> {
    /// Reads the socket through tokio into the decoder; the count read, 0 at the end.
    fn poll_fill(&mut self, context: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        let Some(source) = self.source.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        let count = ready!(fill(source, &mut self.decoder, context))?;
        if count > 0 {
            self.received();
        }
        Poll::Ready(Ok(count))
    }
}

impl<R: AsyncRead + Unpin + Send> DirectRead for Inbound<R> {
    fn pump(&self) -> bool {
        let Ok(mut state) = self.state.try_lock() else {
            return false;
        };
        if !state.open_to_interpreter() {
            return false;
        }
        match state.read_available() {
            Available::Bytes => {}
            Available::Nothing => return false,
            Available::EndOrFailure => {
                self.task_wanted.notify_one();
                return false;
            }
        }
        let mut forwarded = false;
        let rules = &self.rules;
        loop {
            let payload = match state.decoder.decode(EmptyFrames::Reject) {
                Ok(Some(payload)) => {
                    state.frame_started = (state.decoder.buffered() > 0).then(Instant::now);
                    payload
                }
                Ok(None) if state.decoder.buffered() == 0 => return forwarded,
                // A frame begun (whose timeout the task keeps) or a framing error.
                Ok(None) | Err(_) => {
                    self.task_wanted.notify_one();
                    return forwarded;
                }
            };
            let incoming = classify(&payload, &rules.reader_limits, rules.max_frame_bytes);
            match incoming {
                Incoming::Message(message)
                    if admit(&message, &rules.pending, rules.max_pending_requests) =>
                {
                    let message = ToInterpreter::Message {
                        connection: rules.connection,
                        message,
                    };
                    if rules.interpreter.send(message).is_err() {
                        return forwarded;
                    }
                    forwarded = true;
                }
                Incoming::Ignored(error) => {
                    tracing::warn!(connection = rules.connection, %error, "ignoring message");
                }
                unhandled => {
                    if let Incoming::Message(message) = unhandled {
                        discard_message(message);
                    }
                    state.for_task.push_back(payload);
                    self.task_wanted.notify_one();
                    return forwarded;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EmacsMessage, Outbox};
    use crate::server::ServerSettings;
    use crate::server::connection::{ConnectionShared, read_messages};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use tokio::io::AsyncWriteExt;
    use tokio::net::UnixStream;
    use tokio::net::unix::OwnedReadHalf;

    fn frame(payload: &str) -> Vec<u8> {
        crate::wire::frame::encode_frame(payload.as_bytes()).unwrap()
    }

    fn request(id: i64) -> Vec<u8> {
        frame(&format!("(:emacs-rex (f {id}) \"CL-USER\" t {id})"))
    }

    /// A request that takes a while to read (a long form), so that a reader overtaking
    /// another one while it reads would show.
    fn long_request(id: i64) -> Vec<u8> {
        let form = format!("(f {id} {})", "(g 1 2 3) ".repeat(200));
        frame(&format!("(:emacs-rex {form} \"CL-USER\" t {id})"))
    }

    /// A connection task's reading half over a socket pair, the way `serve` sets it up.
    struct Harness {
        inbound: Arc<Inbound<OwnedReadHalf>>,
        shared: Arc<ConnectionShared>,
        messages: mpsc::Receiver<ToInterpreter>,
        replies: tokio::sync::mpsc::Receiver<lexpr::Value>,
        outbox: Outbox,
        pending: Arc<AtomicUsize>,
        client: UnixStream,
    }

    fn harness() -> Harness {
        let (client, server) = UnixStream::pair().unwrap();
        let descriptor = std::os::fd::AsRawFd::as_raw_fd(&server);
        let (read_half, write_half) = server.into_split();
        std::mem::forget(write_half);
        let (sender, messages) = mpsc::channel();
        let settings = ServerSettings {
            max_pending_requests: 10_000,
            ..ServerSettings::default()
        };
        let pending = Arc::new(AtomicUsize::new(0));
        let rules = ForwardingRules {
            connection: 7,
            interpreter: sender.clone(),
            pending: pending.clone(),
            max_pending_requests: settings.max_pending_requests,
            reader_limits: settings.reader_limits,
            max_frame_bytes: settings.max_frame_bytes,
            frame_timeout: settings.frame_timeout,
        };
        let decoder = FrameDecoder::new(settings.max_frame_bytes);
        let inbound = Arc::new(Inbound::new(read_half, descriptor, decoder, rules));
        let shared = Arc::new(ConnectionShared {
            settings,
            interpreter: sender,
            shutdown: tokio::sync::watch::channel(false).1,
            open_connections: AtomicUsize::new(0),
        });
        let (reply_sender, replies) = tokio::sync::mpsc::channel(16);
        Harness {
            inbound,
            shared,
            messages,
            replies,
            outbox: Outbox::new(reply_sender),
            pending,
            client,
        }
    }

    impl Harness {
        /// Runs the connection task's reading loop until the client closes.
        fn spawn_task(&self) -> tokio::task::JoinHandle<()> {
            let (inbound, shared, outbox, pending) = (
                self.inbound.clone(),
                self.shared.clone(),
                self.outbox.clone(),
                self.pending.clone(),
            );
            tokio::spawn(async move {
                read_messages(&inbound, &shared, &outbox, &pending).await;
            })
        }

        /// Pumps from a thread of its own, as the idle interpreter does, until stopped.
        fn spawn_pumping(&self, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
            let inbound = self.inbound.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    inbound.pump();
                    std::thread::yield_now();
                }
            })
        }

        fn next_request_id(&self) -> i64 {
            match self.messages.recv_timeout(Duration::from_secs(10)) {
                Ok(ToInterpreter::Message {
                    connection: 7,
                    message: EmacsMessage::Rex { id, .. },
                }) => id,
                other => panic!("expected a request, got {other:?}"),
            }
        }
    }

    /// Requests arriving in pieces of every size, read by the task and the pumping thread
    /// at once, reach the interpreter exactly once each and in order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_readers_forward_every_message_once_in_order() {
        let mut harness = harness();
        let task = harness.spawn_task();
        harness.client.write_all(&request(0)).await.unwrap();
        assert_eq!(harness.next_request_id(), 0);
        let stop = Arc::new(AtomicBool::new(false));
        let pumping = harness.spawn_pumping(stop.clone());
        let count = 3000;
        let bytes: Vec<u8> = (1..=count).flat_map(long_request).collect();
        let mut offset = 0;
        let mut piece = 1;
        while offset < bytes.len() {
            let end = (offset + piece).min(bytes.len());
            harness.client.write_all(&bytes[offset..end]).await.unwrap();
            offset = end;
            piece = piece * 7 % 4001 + 1;
            if piece % 5 == 0 {
                tokio::time::sleep(Duration::from_micros(50)).await;
            }
        }
        for expected in 1..=count {
            assert_eq!(harness.next_request_id(), expected);
        }
        stop.store(true, Ordering::Release);
        pumping.join().unwrap();
        drop(harness.client);
        task.await.unwrap();
        assert!(
            harness.messages.try_recv().is_err(),
            "a message was forwarded twice"
        );
        assert_eq!(harness.pending.load(Ordering::Acquire), count as usize + 1);
    }

    /// The interpreter reads nothing before the task has read a first frame through the
    /// HTTP guard; then it forwards requests itself, and leaves an unreadable payload, and
    /// everything behind it, to the task, which answers it before forwarding the rest.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_interpreter_forwards_requests_and_leaves_the_rest_to_the_task() {
        let mut harness = harness();
        harness.client.write_all(&request(1)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        harness.inbound.pump();
        assert!(
            harness.messages.try_recv().is_err(),
            "read before the guard judged"
        );
        // What the task does for its first frame, without running it further.
        let first = harness.inbound.next_payload().await.unwrap().unwrap();
        assert_eq!(first, request(1)[6..]);
        harness.inbound.lock().task_busy = false;

        let mut pipelined = request(2);
        pipelined.extend(frame("(:emacs-rex (f \"unterminated) \"CL-USER\" t 3)"));
        pipelined.extend(request(4));
        harness.client.write_all(&pipelined).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        harness.inbound.pump();
        assert_eq!(harness.next_request_id(), 2);
        assert!(
            harness.messages.try_recv().is_err(),
            "forwarded past the unreadable payload"
        );
        harness.inbound.pump();
        assert!(
            harness.messages.try_recv().is_err(),
            "read while the task had work left"
        );
        assert!(harness.replies.try_recv().is_err());

        let task = harness.spawn_task();
        assert_eq!(harness.next_request_id(), 4);
        let reply = harness
            .replies
            .try_recv()
            .expect("the :reader-error came first");
        assert_eq!(
            reply.as_cons().map(|cons| cons.car().clone()),
            Some(lexpr::Value::keyword("reader-error"))
        );
        assert_eq!(harness.pending.load(Ordering::Acquire), 2);
        drop(harness.client);
        task.await.unwrap();
    }
}
