//! Language benchmark: the same workloads in swankd, SBCL's interpreter
//! (`sb-ext:*evaluator-mode* :interpret`), CPython and byte-compiled Emacs Lisp, where
//! installed, side by side in one run, with swankd's speed as a ratio to each.
//!
//! Run with `cargo bench --bench language`. Each runtime runs `workloads/` five times per
//! workload and prints its own timings (start-up is not counted); the table shows medians.
//! See `docs/BENCHMARKS.md`.

mod runtimes;

use std::collections::BTreeMap;
use std::env;
use std::process::ExitCode;

use runtimes::{Runtime, Timings};

fn main() -> ExitCode {
    // `cargo test --benches` runs this program without `--bench`; it should not benchmark.
    if !env::args().any(|arg| arg == "--bench") {
        println!("language: a benchmark; run it with `cargo bench --bench language`");
        return ExitCode::SUCCESS;
    }
    let mut results: Vec<(Runtime, Timings)> = Vec::new();
    for runtime in Runtime::ALL {
        eprintln!("language: {}", runtime.name());
        match runtime.run() {
            Ok(timings) => results.push((runtime, timings)),
            Err(reason) => eprintln!("language: {} skipped: {reason}", runtime.name()),
        }
    }
    let Some((_, swankd)) = results
        .iter()
        .find(|(runtime, _)| *runtime == Runtime::Swankd)
    else {
        eprintln!("language: swankd did not run");
        return ExitCode::FAILURE;
    };
    print_table(swankd, &results);
    ExitCode::SUCCESS
}

/// One row per workload: each runtime's median in milliseconds and, for the others, how
/// many times faster swankd is (below 1: slower).
fn print_table(swankd: &Timings, results: &[(Runtime, Timings)]) {
    let peers: Vec<&(Runtime, Timings)> = results
        .iter()
        .filter(|(runtime, _)| *runtime != Runtime::Swankd)
        .collect();
    let mut header = String::from("| workload | swankd (ms) |");
    let mut rule = String::from("|---|---|");
    for (runtime, _) in &peers {
        header.push_str(&format!(" {} (ms) | swankd speed-up |", runtime.name()));
        rule.push_str("---|---|");
    }
    println!("{header}\n{rule}");
    let medians: BTreeMap<&str, f64> = swankd
        .iter()
        .map(|(name, runs)| (name.as_str(), median(runs)))
        .collect();
    for (name, ours) in swankd
        .order
        .iter()
        .filter_map(|name| Some((name, medians.get(name.as_str())?)))
    {
        let mut row = format!("| {name} | {ours:.1} |");
        for (_, timings) in &peers {
            match timings.runs.get(name) {
                Some(runs) => {
                    let theirs = median(runs);
                    row.push_str(&format!(" {theirs:.1} | {:.2}x |", theirs / ours));
                }
                None => row.push_str(" – | – |"),
            }
        }
        println!("{row}");
    }
}

fn median(runs: &[f64]) -> f64 {
    let mut sorted = runs.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
