//! swankd: a Swank server with an embedded, live-redefinable Lisp.
//!
//! # Layout
//!
//! - `config`: the command line (clap) validated into a [`config::Config`].
//! - `daemon`: wires everything together: starts the interpreter, the listeners, handles signals.
//! - `server`: tokio listeners (TCP and Unix) and one task per connection.
//! - `sockets`: TCP sockets for Lisp programs (usocket), on tokio.
//! - `wire`: the byte-level Swank format: frames, the reader for what Emacs prints, the printer.
//! - `events`: the only types the network side and the interpreter share.
//! - `runtime`: starts and stops the interpreter thread.
//! - `swank`: the interpreter side of the protocol: connections, requests, RPCs.
//! - `lisp`: the interpreter: values, heap and collector, reader, printer, compiler, VM,
//!   green threads and their scheduler, builtins.

pub mod config;
pub mod conformance;
pub mod daemon;
pub mod events;
pub mod lisp;
pub mod runtime;
pub mod server;
pub mod sockets;
pub mod swank;
pub mod wire;
