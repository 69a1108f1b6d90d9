//! A connection's writing side, shared by its writer task and the interpreter's thread.
//!
//! Normally the interpreter queues messages in the connection's [`Outbox`] and the writer
//! task prints, frames and writes them. When nothing is queued and the task is not writing,
//! the interpreter writes a message itself ([`DirectWrite`]), which spares waking a tokio
//! worker: most of a short request's round trip. What the socket does not take at once is
//! left to the writer task, which writes it before anything queued after it.
//!
//! [`Outbox`]: crate::events::Outbox

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use lexpr::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{Mutex, Notify, mpsc};

use crate::events::DirectWrite;
use crate::wire::frame::encode_frame;
use crate::wire::message;
use crate::wire::printer::print_message;
use crate::wire::value::dispose;

/// The writing half of one connection and what its two writers share.
pub(crate) struct ConnectionWriter<W> {
    state: Mutex<WriterState<W>>,
    /// Signalled when a direct write left bytes for the writer task.
    leftover_ready: Notify,
    /// Messages queued or being written (see [`crate::events::Outbox::unwritten`]).
    unwritten: Arc<AtomicUsize>,
    /// Requests awaiting their `:return`; a `:return` ends one as it is written.
    pending: Arc<AtomicUsize>,
    max_frame_bytes: usize,
}

struct WriterState<W> {
    /// `None` once the connection has ended.
    writer: Option<W>,
    /// The end of a frame a direct write could not finish.
    leftover: Vec<u8>,
}

impl<W: AsyncWrite + Unpin + Send> ConnectionWriter<W> {
    pub fn new(
        writer: W,
        unwritten: Arc<AtomicUsize>,
        pending: Arc<AtomicUsize>,
        max_frame_bytes: usize,
    ) -> Self {
        ConnectionWriter {
            state: Mutex::new(WriterState {
                writer: Some(writer),
                leftover: Vec::new(),
            }),
            leftover_ready: Notify::new(),
            unwritten,
            pending,
            max_frame_bytes,
        }
    }

    /// The writer task: writes what direct writes left and the queued messages, in order,
    /// until writing fails (`Err`) or every sender is gone (`Ok`).
    pub async fn run(&self, mut outbox: mpsc::Receiver<Value>) -> std::io::Result<()> {
        loop {
            let message = tokio::select! {
                biased;
                _ = self.leftover_ready.notified() => None,
                message = outbox.recv() => match message {
                    Some(message) => Some(message),
                    None => return Ok(()),
                },
            };
            let mut state = self.state.lock().await;
            let WriterState { writer, leftover } = &mut *state;
            let Some(writer) = writer else {
                return Ok(());
            };
            if !leftover.is_empty() {
                let bytes = std::mem::take(leftover);
                writer.write_all(&bytes).await?;
                self.unwritten.fetch_sub(1, Ordering::AcqRel);
            }
            if let Some(message) = message {
                let (bytes, completes_request) = self.encode(message);
                // A request stops counting before its reply can reach the client, which may
                // send the next one as soon as it has the reply.
                if completes_request {
                    self.request_completed();
                }
                writer.write_all(&bytes).await?;
                self.unwritten.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Drops the writing half, so that the socket closes with the connection task even
    /// while the interpreter still holds the outbox.
    pub async fn close(&self) {
        self.state.lock().await.writer = None;
    }

    /// The message printed and framed, and whether it is a request's `:return`.
    fn encode(&self, message: Value) -> (Vec<u8>, bool) {
        let completes_request = message::completes_request(&message);
        let mut bytes = Vec::new();
        match print_message(&message, self.max_frame_bytes) {
            Ok(payloads) => {
                for payload in payloads {
                    match encode_frame(payload.as_bytes()) {
                        Ok(frame) => bytes.extend_from_slice(&frame),
                        Err(error) => tracing::error!(%error, "outgoing message dropped"),
                    }
                }
            }
            Err(error) => tracing::error!(%error, "outgoing message dropped"),
        }
        dispose(message);
        (bytes, completes_request)
    }

    fn request_completed(&self) {
        let _ = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                Some(count.saturating_sub(1))
            });
    }
}

impl<W: AsyncWrite + Unpin + Send> DirectWrite for ConnectionWriter<W> {
    fn try_write(&self, message: Value) -> Result<(), Value> {
        let Ok(mut state) = self.state.try_lock() else {
            return Err(message);
        };
        let WriterState { writer, leftover } = &mut *state;
        let Some(writer) = writer else {
            return Err(message);
        };
        if !leftover.is_empty() {
            return Err(message);
        }
        let (bytes, completes_request) = self.encode(message);
        if completes_request {
            self.request_completed();
        }
        // Nothing wakes this thread: a socket that is not ready says so at once, and the
        // writer task, which is woken by the runtime, takes over the rest.
        let mut context = Context::from_waker(std::task::Waker::noop());
        let mut written = 0;
        while written < bytes.len() {
            match Pin::new(&mut *writer).poll_write(&mut context, &bytes[written..]) {
                Poll::Ready(Ok(n)) if n > 0 => written += n,
                Poll::Ready(Err(error)) if error.kind() == std::io::ErrorKind::Interrupted => {}
                // Not ready, closed or failed: the writer task meets the same and ends the
                // connection if it must.
                _ => break,
            }
        }
        if written < bytes.len() {
            leftover.extend_from_slice(&bytes[written..]);
            self.unwritten.fetch_add(1, Ordering::AcqRel);
            self.leftover_ready.notify_one();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Outbox;
    use tokio::io::AsyncReadExt;

    type Parts<W> = (
        Arc<ConnectionWriter<W>>,
        Outbox,
        mpsc::Receiver<lexpr::Value>,
    );

    /// A connection's writing side over `half`, as `serve` sets it up: the writer, the
    /// outbox that writes through it directly, and the queue its task drains.
    fn writer_over<W: AsyncWrite + Unpin + Send + 'static>(
        half: W,
        pending: &Arc<AtomicUsize>,
    ) -> Parts<W> {
        let (sender, receiver) = mpsc::channel(16);
        let queue = Outbox::new(sender);
        let writer = Arc::new(ConnectionWriter::new(
            half,
            queue.unwritten().clone(),
            pending.clone(),
            1 << 20,
        ));
        let outbox = queue.with_direct_write(writer.clone());
        (writer, outbox, receiver)
    }

    /// A direct write bigger than the socket's buffer leaves its end to the writer task,
    /// which writes it before a message queued later; both `:return`s end their requests.
    #[tokio::test]
    async fn what_a_direct_write_leaves_goes_before_later_messages() {
        let (mut client, server) = tokio::io::duplex(64);
        let pending = Arc::new(AtomicUsize::new(2));
        let (writer, outbox, receiver) = writer_over(server, &pending);
        let long_text = "x".repeat(1000);
        let first = message::abort_reply(&long_text, 1);
        let second = message::abort_reply("short", 2);
        assert_eq!(outbox.send(first), Ok(()));
        assert_eq!(outbox.unwritten().load(Ordering::Acquire), 1);
        assert_eq!(outbox.send(second), Ok(()));
        assert_eq!(outbox.unwritten().load(Ordering::Acquire), 2);
        let task = tokio::spawn({
            let writer = writer.clone();
            async move { writer.run(receiver).await }
        });
        let expected: Vec<u8> = [
            format!("(:return (:abort \"{long_text}\") 1)"),
            "(:return (:abort \"short\") 2)".to_string(),
        ]
        .iter()
        .flat_map(|payload| encode_frame(payload.as_bytes()).unwrap())
        .collect();
        let mut received = vec![0; expected.len()];
        client.read_exact(&mut received).await.unwrap();
        assert_eq!(
            String::from_utf8_lossy(&received),
            String::from_utf8_lossy(&expected)
        );
        assert_eq!(outbox.unwritten().load(Ordering::Acquire), 0);
        assert_eq!(pending.load(Ordering::Acquire), 0);
        // Idle again: the next message is written directly, with nothing queued.
        assert_eq!(outbox.send(message::abort_reply("third", 3)), Ok(()));
        assert_eq!(outbox.unwritten().load(Ordering::Acquire), 0);
        drop(outbox);
        task.abort();
    }

    /// A writing half that notes how many requests were pending as each write came.
    struct Witness {
        pending: Arc<AtomicUsize>,
        seen: Arc<std::sync::Mutex<Vec<usize>>>,
    }

    impl AsyncWrite for Witness {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bytes: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let pending = self.pending.load(Ordering::Acquire);
            self.seen.lock().unwrap().push(pending);
            Poll::Ready(Ok(bytes.len()))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// A client may send its next request the moment it has a reply, so the request must
    /// stop counting against the pending limit before its reply is written, whether the
    /// interpreter writes it or the writer task does.
    #[tokio::test]
    async fn a_request_stops_counting_before_its_reply_is_written() {
        let pending = Arc::new(AtomicUsize::new(2));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let witness = Witness {
            pending: pending.clone(),
            seen: seen.clone(),
        };
        let (writer, outbox, receiver) = writer_over(witness, &pending);
        assert_eq!(outbox.send(message::abort_reply("direct", 1)), Ok(()));
        let task = tokio::spawn({
            let writer = writer.clone();
            async move { writer.run(receiver).await }
        });
        assert_eq!(
            outbox.send_waiting(message::abort_reply("queued", 2)).await,
            Ok(())
        );
        while seen.lock().unwrap().len() < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(*seen.lock().unwrap(), vec![1, 0]);
        task.abort();
    }
}
