//! Soak benchmark: swankd running a ticking program for a long time while clients come and
//! go, a function is redefined every second and output flows to a REPL. Every ten seconds it
//! samples resident memory, open descriptors and green threads, and at the end prints each
//! one's slope per hour (least squares over the samples after the first tenth), which should
//! be about zero: nothing grows without bound.
//!
//! `cargo bench --bench soak` runs 30 minutes; `SWANKD_SOAK_SECONDS=120 cargo bench --bench
//! soak` a shorter run. The collector first runs after 64 MiB of allocation, so a short run
//! mostly shows the heap filling up to it; `SWANKD_SOAK_HEAP_MIB=32` (a 32 MiB heap, collected
//! from 16 MiB) makes it cycle within minutes. Every request must be answered: a lost reply stops the run with an
//! error. See `docs/BENCHMARKS.md`.

mod metrics;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use swankd::conformance::client::Address;
use swankd::conformance::session::Session;

/// How long one request may take before the run fails.
const PATIENCE: Duration = Duration::from_secs(30);
const SAMPLE_EVERY: Duration = Duration::from_secs(10);
const STEP: Duration = Duration::from_secs(1);

/// The program: ticks every 10 ms, calling a function the soak redefines.
const PROGRAM: &str = "(defvar *ticks* 0)\n\
(defun tick-work (n) (list n (* n n)))\n\
(loop (incf *ticks*) (tick-work *ticks*) (sleep 0.01))\n";

fn main() -> ExitCode {
    if !std::env::args().any(|argument| argument == "--bench") {
        println!("soak: a benchmark; run it with `cargo bench --bench soak`");
        return ExitCode::SUCCESS;
    }
    let seconds = std::env::var("SWANKD_SOAK_SECONDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(30 * 60);
    match run(Duration::from_secs(seconds)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("soak: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(length: Duration) -> Result<(), String> {
    let heap_limit_mib = std::env::var("SWANKD_SOAK_HEAP_MIB")
        .ok()
        .and_then(|text| text.parse().ok());
    let daemon = metrics::Daemon::start(PROGRAM, heap_limit_mib)?;
    let address = Address::Tcp(daemon.address.clone());
    let open = || Session::open(&address, PATIENCE, None);
    let mut observer = open()?;
    let mut repl = open()?;
    repl.open_repl()?;
    let mut samples: Vec<metrics::Sample> = Vec::new();
    let started = Instant::now();
    let mut next_sample = started;
    let mut step = 0u64;
    let mut requests = 0u64;
    while started.elapsed() < length {
        step += 1;
        // A client comes, asks, and goes.
        let mut visitor = open()?;
        visitor.ok("(swank:connection-info)")?;
        drop(visitor);
        // A redefinition, as C-c C-c sends it.
        observer.ok(&format!(
            "(swank:compile-string-for-emacs \"(defun tick-work (n) (list n {step}))\" \
             \"soak.lisp\" '((:position 1) (:line 1 1)) nil nil)"
        ))?;
        // Output to the REPL.
        repl.ok_on(
            "(swank-repl:listener-eval \"(dotimes (i 20) (format t \\\"line ~d of soak output~%\\\" i))\")",
            ":repl-thread",
        )?;
        requests += 3;
        // The sessions keep what they received; start afresh now and then.
        if step % 600 == 0 {
            repl = open()?;
            repl.open_repl()?;
            observer = open()?;
        }
        if Instant::now() >= next_sample {
            let threads = observer.ok("(swank:list-threads)")?;
            let green_threads = swankd::conformance::shapes::elements(observer.value(threads))
                .map_or(0, |rows| rows.len().saturating_sub(1));
            samples.push(daemon.sample(started.elapsed(), green_threads)?);
            next_sample += SAMPLE_EVERY;
        }
        std::thread::sleep(STEP);
    }
    metrics::report(&samples, started.elapsed(), requests);
    Ok(())
}
