//! Running the interpreter in a test as the daemon runs it: on a thread with the
//! interpreter's native stack (`src/runtime.rs`). The compiler recurses on nested forms, and
//! in debug builds booting the image comes close to a test thread's 2 MiB.

/// Runs `body` on a thread with the interpreter's stack; its panics fail the test.
pub fn on_interpreter_stack(body: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(body)
        .expect("spawn a test thread");
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}
