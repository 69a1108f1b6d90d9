//! TCP sockets and WebSockets for Lisp programs (usocket, and `websocket`), on the
//! daemon's tokio runtime.
//!
//! [`ProgramSockets`] implements [`SocketControl`]: it binds listeners and starts
//! connections, each served by tokio tasks that move bytes between the socket and buffers
//! shared with the interpreter ([`stream`], [`listener`]). The interpreter only ever takes
//! from and adds to those buffers, so it never blocks; when a Lisp thread must wait, the
//! port records its interest and the tasks send [`ToInterpreter::SocketReady`] at the next
//! change. Every socket holds one of `max_sockets` slots, and each direction of a connection
//! buffers at most `buffer_bytes`: a client that floods or stalls fills only its own buffers
//! and then waits in TCP's flow control.

mod address;
mod listener;
mod stream;
pub mod timeouts;
mod websocket;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::Semaphore;

use crate::events::{
    InterpreterSender, ListenPort, MessageListenPort, MessagePort, SocketControl, SocketError,
    SocketId, StreamPort, ToInterpreter,
};

/// Limits and policy for the sockets of Lisp programs.
#[derive(Debug, Clone, Copy)]
pub struct SocketSettings {
    /// Sockets open at once (listeners, connections, accepted clients not yet taken).
    pub max_sockets: usize,
    /// Bytes buffered per connection and direction.
    pub buffer_bytes: usize,
    /// Whether programs may listen on non-loopback addresses (`--allow-remote`).
    pub allow_remote: bool,
}

impl Default for SocketSettings {
    fn default() -> Self {
        SocketSettings {
            max_sockets: 1024,
            buffer_bytes: 1 << 20,
            allow_remote: false,
        }
    }
}

/// The program sockets of one daemon.
pub struct ProgramSockets {
    runtime: Handle,
    settings: SocketSettings,
    slots: Arc<Semaphore>,
    wakers: Wakers,
}

impl ProgramSockets {
    pub fn new(runtime: Handle, settings: SocketSettings, interpreter: InterpreterSender) -> Self {
        ProgramSockets {
            runtime,
            slots: Arc::new(Semaphore::new(settings.max_sockets.max(1))),
            settings,
            wakers: Wakers {
                next_id: Arc::new(AtomicU64::new(1)),
                interpreter,
            },
        }
    }

    fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, SocketError> {
        self.slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| SocketError::TooManySockets(self.settings.max_sockets))
    }
}

impl SocketControl for ProgramSockets {
    fn listen(
        &self,
        host: &str,
        port: u16,
        backlog: u32,
        reuse_address: bool,
    ) -> Result<Arc<dyn ListenPort>, SocketError> {
        let ip = address::listen_ip(host)?;
        if !ip.is_loopback() && !self.settings.allow_remote {
            return Err(SocketError::RemoteNotAllowed(ip.to_string()));
        }
        let slot = self.slot()?;
        let _runtime = self.runtime.enter();
        let address = std::net::SocketAddr::new(ip, port);
        let socket = address::bind(address, backlog, reuse_address)?;
        let context = listener::Context {
            runtime: self.runtime.clone(),
            slots: self.slots.clone(),
            buffer_bytes: self.settings.buffer_bytes,
            wakers: self.wakers.clone(),
        };
        Ok(listener::start(
            socket,
            backlog.max(1) as usize,
            self.wakers.next(),
            context,
            slot,
        ))
    }

    fn connect(
        &self,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
        no_delay: bool,
    ) -> Result<Arc<dyn StreamPort>, SocketError> {
        let slot = self.slot()?;
        Ok(stream::connect(
            &self.runtime,
            host.to_string(),
            port,
            timeout,
            no_delay,
            self.settings.buffer_bytes,
            self.wakers.next(),
            slot,
        ))
    }

    fn websocket_listen(
        &self,
        host: &str,
        port: u16,
        path: &str,
    ) -> Result<Arc<dyn MessageListenPort>, SocketError> {
        let ip = address::listen_ip(host)?;
        if !ip.is_loopback() && !self.settings.allow_remote {
            return Err(SocketError::RemoteNotAllowed(ip.to_string()));
        }
        let slot = self.slot()?;
        let _runtime = self.runtime.enter();
        let listener = address::bind(std::net::SocketAddr::new(ip, port), 128, true)?;
        let context = websocket::EndpointContext {
            runtime: self.runtime.clone(),
            slots: self.slots.clone(),
            wakers: self.wakers.clone(),
            buffer_bytes: self.settings.buffer_bytes,
        };
        Ok(websocket::listen(listener, path, context, slot))
    }

    fn websocket_connect(&self, url: &str) -> Result<Arc<dyn MessagePort>, SocketError> {
        let slot = self.slot()?;
        websocket::connect(
            &self.runtime,
            url,
            self.settings.buffer_bytes,
            self.wakers.next(),
            slot,
        )
    }
}

/// Numbers sockets and makes their [`Waker`]s.
#[derive(Debug, Clone)]
struct Wakers {
    next_id: Arc<AtomicU64>,
    interpreter: InterpreterSender,
}

impl Wakers {
    fn next(&self) -> Waker {
        Waker {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            interpreter: self.interpreter.clone(),
        }
    }
}

/// Tells the interpreter that something changed on one socket.
#[derive(Debug, Clone)]
struct Waker {
    id: SocketId,
    interpreter: InterpreterSender,
}

impl Waker {
    fn wake(&self) {
        let _ = self
            .interpreter
            .send(ToInterpreter::SocketReady { socket: self.id });
    }
}
