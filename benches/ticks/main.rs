//! Tick benchmark: how steadily a program keeps its rhythm while clients load the daemon.
//!
//! Run with `cargo bench --bench ticks`. It starts the release `swankd` with a program that
//! ticks every 10 ms and reports how late each tick woke, then loads the daemon in phases:
//! idle, one request spinning `(loop)`, a client redefining the tick's function 100 times a
//! second, and 20 connections evaluating `(+ 1 2)` flat out. See `docs/BENCHMARKS.md`.
//!
//! # Layout
//!
//! - `program`: the ticking Lisp program and the lines it prints.
//! - `daemon`: starting swankd with it and reading its ticks.
//! - `wire`: a Swank client with timeouts.
//! - `load`: what each phase does to the daemon.
//! - `report`: percentiles and the markdown table.

mod daemon;
mod load;
mod program;
mod report;
mod wire;

use std::env;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use daemon::Daemon;
use load::Load;
use program::Tick;
use report::Phase;

/// Time between phases, whose ticks count for no phase.
const SETTLE: Duration = Duration::from_millis(500);

fn main() -> ExitCode {
    // `cargo test --benches` runs this program without `--bench`; it should not benchmark.
    if !env::args().any(|arg| arg == "--bench") {
        println!("ticks: a benchmark; run it with `cargo bench --bench ticks`");
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(phases) => {
            report::print(&phases);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ticks: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Vec<Phase>, String> {
    let daemon = Daemon::start().map_err(|err| format!("swankd did not start: {err}"))?;
    eprintln!("ticks: swankd on {}", daemon.addr);
    let mut windows = Vec::new();
    for load in Load::ALL {
        thread::sleep(SETTLE);
        eprintln!("ticks: {}", load.name());
        let start = Instant::now();
        let until = start + load.duration();
        let done = load
            .run(daemon.addr, until)
            .map_err(|err| format!("{}: {err}", load.name()))?;
        windows.push((load, start, Instant::now(), done));
    }
    thread::sleep(SETTLE);
    let ticks: Vec<Tick> = daemon.ticks.try_iter().collect();
    Ok(windows
        .into_iter()
        .map(|(load, start, end, done)| Phase {
            name: load.name(),
            load: done,
            ticks: ticks
                .iter()
                .filter(|tick| (start..end).contains(&tick.read_at))
                .copied()
                .collect(),
        })
        .collect())
}
