//! The interpreter side of the Swank protocol.

use std::sync::mpsc::Receiver;

use crate::events::ToInterpreter;
use crate::runtime::RuntimeConfig;

/// The interpreter thread's main function.
pub fn interpreter_main(
    _config: RuntimeConfig,
    receiver: Receiver<ToInterpreter>,
    _exit: tokio::sync::oneshot::Sender<i32>,
) {
    while let Ok(event) = receiver.recv() {
        if let ToInterpreter::Shutdown = event {
            break;
        }
    }
}
