//! A listening program socket: an accept task that queues clients (at most the backlog,
//! each holding a socket slot) for the interpreter to take with [`ListenPort::accept`].
//! When every slot is taken, the task holds the one client it accepted until a slot frees,
//! and further clients wait in the system's queue.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Handle;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};

use super::{Waker, Wakers, stream};
use crate::events::{ListenPort, SocketError, SocketId, StreamPort};

/// How long the accept task pauses after the system refused to accept (out of descriptors).
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// What a listener needs to make connections of the clients it accepts.
pub struct Context {
    pub runtime: Handle,
    pub slots: Arc<Semaphore>,
    pub buffer_bytes: usize,
    pub wakers: Wakers,
}

#[derive(Debug, Default)]
struct State {
    waiting: VecDeque<(TcpStream, OwnedSemaphorePermit)>,
    closed: bool,
    interested: bool,
    /// The listening socket's descriptor while the accept task still holds it.
    descriptor: Option<RawFd>,
}

struct Shared {
    state: Mutex<State>,
    /// The queue of waiting clients has room again.
    room: Notify,
    closed: watch::Sender<bool>,
    waker: Waker,
    backlog: usize,
    local: Option<SocketAddr>,
    context: Context,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("id", &self.waker.id)
            .field("local", &self.local)
            .finish()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The interpreter's handle on a listener; dropping it closes the listener.
#[derive(Debug)]
pub struct ListenerHandle {
    shared: Arc<Shared>,
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.close();
    }
}

/// Starts accepting on `listener` (bound inside the runtime).
pub fn start(
    listener: TcpListener,
    backlog: usize,
    waker: Waker,
    context: Context,
    slot: OwnedSemaphorePermit,
) -> Arc<dyn ListenPort> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            descriptor: Some(listener.as_raw_fd()),
            ..State::default()
        }),
        room: Notify::new(),
        closed: watch::channel(false).0,
        waker,
        backlog,
        local: listener.local_addr().ok(),
        context,
    });
    shared
        .context
        .runtime
        .spawn(accept_loop(shared.clone(), listener, slot));
    Arc::new(ListenerHandle { shared })
}

async fn accept_loop(shared: Arc<Shared>, listener: TcpListener, slot: OwnedSemaphorePermit) {
    let mut closed = shared.closed.subscribe();
    loop {
        let full = shared.lock().waiting.len() >= shared.backlog;
        if full {
            tokio::select! {
                _ = shared.room.notified() => continue,
                _ = closed.wait_for(|closed| *closed) => break,
            }
        }
        let accepted = tokio::select! {
            biased;
            _ = closed.wait_for(|closed| *closed) => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                // The client is taken from the system's queue first, so that a listener
                // waiting for clients holds no slot; at the limit, it waits here.
                let permit = tokio::select! {
                    permit = shared.context.slots.clone().acquire_owned() => permit,
                    _ = closed.wait_for(|closed| *closed) => break,
                };
                let Ok(permit) = permit else { break };
                tracing::debug!(listener = shared.waker.id, %peer, "program listener accepted a client");
                let mut state = shared.lock();
                state.waiting.push_back((stream, permit));
                if state.interested {
                    state.interested = false;
                    drop(state);
                    shared.waker.wake();
                }
            }
            Err(_) if shared.lock().closed => break,
            Err(error) => {
                tracing::warn!(listener = shared.waker.id, %error, "accept failed");
                tokio::time::sleep(ACCEPT_RETRY).await;
            }
        }
    }
    {
        let mut state = shared.lock();
        state.waiting.clear();
        state.descriptor = None;
    }
    drop(listener);
    drop(slot);
    tracing::debug!(listener = shared.waker.id, "program listener closed");
}

impl ListenPort for ListenerHandle {
    fn id(&self) -> SocketId {
        self.shared.waker.id
    }

    fn accept(&self) -> Result<Option<Arc<dyn StreamPort>>, SocketError> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(SocketError::Closed);
        }
        let Some((stream, permit)) = state.waiting.pop_front() else {
            return Ok(None);
        };
        drop(state);
        self.shared.room.notify_one();
        let context = &self.shared.context;
        Ok(Some(stream::accepted(
            &context.runtime,
            stream,
            context.buffer_bytes,
            context.wakers.next(),
            permit,
        )))
    }

    fn ready(&self) -> bool {
        let mut state = self.shared.lock();
        let ready = state.closed || !state.waiting.is_empty();
        if !ready {
            state.interested = true;
        }
        ready
    }

    fn local_address(&self) -> Option<SocketAddr> {
        self.shared.local
    }

    /// Stops listening before returning (a client connecting afterwards is refused); the
    /// accept task then ends and releases the descriptor.
    fn close(&self) {
        {
            let mut state = self.shared.lock();
            if state.closed {
                return;
            }
            state.closed = true;
            self.shared.closed.send_replace(true);
            if let Some(descriptor) = state.descriptor {
                // SAFETY: the accept task owns this descriptor and clears `descriptor` under
                // this lock before closing it, so it is still the listening socket here.
                // On a listening socket, shutdown(2) stops it listening at once.
                unsafe {
                    libc::shutdown(descriptor, libc::SHUT_RDWR);
                }
            }
        }
    }
}
