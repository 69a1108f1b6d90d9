//! What one incoming frame payload means to a connection: a message for the interpreter, an
//! unreadable packet to answer with `:reader-error`, something to ignore, or a reason to close.
//! Pure decisions, so that whichever thread read the payload (the connection task, or the
//! interpreter's thread through [`super::inbound`]) decides the same way.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::events::EmacsMessage;
use crate::wire::message::{self, DecodeError};
use crate::wire::reader::{ReaderLimits, read_datum};
use crate::wire::value::dispose;

/// How much of an unreadable packet is quoted back in `:reader-error` (at most; see
/// [`quoted_packet`]).
const QUOTED_PACKET_BYTES: usize = 4096;

/// What a payload is.
pub(crate) enum Incoming {
    /// A message for the interpreter.
    Message(EmacsMessage),
    /// The payload cannot be read: this `(:reader-error PACKET MESSAGE)` answers it and the
    /// connection carries on.
    Unreadable(lexpr::Value),
    /// A message swank would ignore (an unknown event).
    Ignored(DecodeError),
    /// A message swank would reject by closing the connection.
    Fatal(DecodeError),
}

/// Reads and decodes one payload.
pub(crate) fn classify(payload: &[u8], limits: &ReaderLimits, max_frame_bytes: usize) -> Incoming {
    let text = String::from_utf8_lossy(payload);
    let datum = match read_datum(&text, limits) {
        Ok(datum) => datum,
        Err(error) => {
            tracing::warn!(%error, "unreadable message; answering with :reader-error");
            let quoted = quoted_packet(&text, max_frame_bytes);
            return Incoming::Unreadable(message::reader_error(quoted, &error.to_string()));
        }
    };
    match message::decode(datum) {
        Ok(message) => Incoming::Message(message),
        Err(error) if !error.closes_connection() => Incoming::Ignored(error),
        Err(error) => Incoming::Fatal(error),
    }
}

/// Counts `message` as pending until its `:return` is written, if it is a request and the
/// connection has fewer than `limit` pending; false (and nothing counted) when it is a request
/// beyond the limit.
pub(crate) fn admit(message: &EmacsMessage, pending: &AtomicUsize, limit: usize) -> bool {
    if !matches!(message, EmacsMessage::Rex { .. }) {
        return true;
    }
    pending
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
            (count < limit).then_some(count + 1)
        })
        .is_ok()
}

/// The `:return (:abort ...)` refusing a request [`admit`] did not let through. The refusal
/// counts as pending until written, like any `:return`, so the count stays exact.
pub(crate) fn refuse(message: EmacsMessage, pending: &AtomicUsize, limit: usize) -> lexpr::Value {
    let id = match &message {
        EmacsMessage::Rex { id, .. } => *id,
        _ => 0,
    };
    pending.fetch_add(1, Ordering::AcqRel);
    tracing::warn!(
        request = id,
        limit,
        "too many pending requests; aborting this one"
    );
    discard_message(message);
    let reason = format!("too many pending requests on this connection (limit {limit})");
    message::abort_reply(&reason, id)
}

/// Drops a message's data without deep recursion (see [`dispose`]).
pub(crate) fn discard_message(message: EmacsMessage) {
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
