//! The byte-level Swank format: the only code in swankd that knows how messages look on the
//! wire.
//!
//! Data flows one way through it: bytes → [`frame`] (length-prefixed payloads) → [`reader`]
//! (the text Emacs prints, read into `lexpr::Value`) → [`message`] (a typed
//! [`crate::events::EmacsMessage`]); and back: `lexpr::Value` → [`printer`] (text Emacs can
//! read, split or replaced when too big) → [`frame`]. Nothing here does I/O on sockets
//! beyond reading frames from an `AsyncRead`, and nothing here talks to the interpreter.

pub mod frame;
pub mod message;
pub mod printer;
pub mod read_buffer;
pub mod reader;
pub mod value;

/// The largest payload a Swank frame can carry: six hex digits (protocol brief, section 1.3).
pub const MAX_FRAME_BYTES: usize = 0xFF_FFFF;
