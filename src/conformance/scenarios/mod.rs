//! The scenarios, in the order they run: the handshake first, since everything else depends
//! on it, then evaluation, the debugger and interrupts, and the framing errors last.

mod debugger;
mod editing;
mod evaluation;
mod framing;
mod handshake;

use super::Scenario;

/// Every scenario of the kit.
pub fn all() -> Vec<Scenario> {
    [
        handshake::scenarios(),
        evaluation::scenarios(),
        debugger::scenarios(),
        editing::scenarios(),
        framing::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
