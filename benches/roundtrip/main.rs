//! Round-trip benchmark: swankd side by side with SBCL's own swank.
//!
//! Run with `cargo bench --bench roundtrip`. Both servers are started here, one after the
//! other, each on a free port with a scratch `HOME`, and get the same requests:
//!
//! 1. sequential `(swank:interactive-eval "(+ 1 2)")` round trips on one connection;
//! 2. throughput of many connections in parallel (20, then 200), each making requests in
//!    sequence, with the server's peak resident memory meanwhile;
//! 3. the time to connect and get the `connection-info` reply on a fresh connection;
//! 4. output throughput: 10 MB written at the REPL, arriving as `:write-string` events;
//! 5. start-up to listening, and resident memory when idle, over several starts.
//!
//! See `docs/BENCHMARKS.md` for the environment variables that change the amounts.
//!
//! # Layout
//!
//! - `wire`: Swank framing over TCP, with a timeout on every socket operation.
//! - `client`: a connection that numbers its requests and checks every reply.
//! - `servers`: starting SBCL's swank and swankd, and killing them when done.
//! - `measure`: the round-trip measurements (1 to 3), settings and results.
//! - `output`: the output measurement (4).
//! - `startup`: start-up and idle memory (5).
//! - `memory`: reading a process's resident memory.
//! - `report`: the side-by-side table.

mod client;
mod measure;
mod memory;
mod output;
mod report;
mod servers;
mod startup;
mod wire;

use std::env;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use client::Mismatches;
use measure::{Load, Results, Settings};
use report::{Column, Outcome};
use servers::{Server, StartError};
use wire::WireError;

const SBCL: &str = "swank (SBCL)";
const SWANKD: &str = "swankd";

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; `cargo test --benches` (or `--all-targets`) runs this
    // program too, without it, and should not spend a minute benchmarking.
    if !env::args().any(|arg| arg == "--bench") {
        println!("roundtrip: a benchmark; run it with `cargo bench --bench roundtrip`");
        return ExitCode::SUCCESS;
    }
    let (settings, start_timeout) = match settings_from_env() {
        Ok(found) => found,
        Err(message) => {
            eprintln!("roundtrip: {message}");
            return ExitCode::FAILURE;
        }
    };
    let sbcl = bench_sbcl(&settings, start_timeout);
    let swankd = Contender {
        name: SWANKD,
        start: &|| servers::start_swankd(start_timeout),
    }
    .bench(&settings)
    .map_err(|failure| failure.to_string());
    report::print(
        &settings,
        sbcl.as_ref().map(|outcome| Column {
            name: SBCL,
            outcome,
        }),
        Column {
            name: SWANKD,
            outcome: &swankd,
        },
    );
    if sbcl.is_some_and(|outcome| outcome.is_ok()) || swankd.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// SBCL's swank, or `None` when SBCL or swank is not installed.
fn bench_sbcl(settings: &Settings, start_timeout: Duration) -> Option<Outcome> {
    let sbcl = env::var_os("SWANK_BENCH_SBCL").map(PathBuf::from);
    let loader = env::var_os("SWANK_BENCH_LOADER").map(PathBuf::from);
    let contender = Contender {
        name: SBCL,
        start: &|| servers::start_sbcl(sbcl.clone(), loader.clone(), start_timeout),
    };
    match contender.bench(settings) {
        Err(Failure::Start(StartError::NotInstalled(what))) => {
            eprintln!("{SBCL}: not installed ({what}); measuring {SWANKD} only");
            None
        }
        outcome => Some(outcome.map_err(|failure| failure.to_string())),
    }
}

/// Why a server has no numbers.
pub enum Failure {
    Start(StartError),
    Wire(WireError),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason: &dyn fmt::Display = match self {
            Self::Start(err) => err,
            Self::Wire(err) => err,
        };
        write!(f, "no answer ({reason})")
    }
}

/// A server under test: its name, and how to start a new instance of it.
struct Contender<'a> {
    name: &'static str,
    start: &'a dyn Fn() -> Result<Server, StartError>,
}

impl Contender<'_> {
    /// Runs each measurement against its own newly started server.
    ///
    /// SBCL's swank gets slower with every request it has served (see `docs/BENCHMARKS.md`),
    /// so sharing one server would make each figure depend on those measured before it.
    fn bench(&self, settings: &Settings) -> Result<Results, Failure> {
        let mut mismatches = Mismatches::default();
        let sequential = self.measure("sequential round trips", &mut mismatches, |server| {
            measure::sequential(server.addr, settings)
        })?;
        let mut throughput = Vec::new();
        for &load in &settings.loads {
            let what = format!("throughput, {} connections", load.connections);
            throughput.push(self.measure(&what, &mut mismatches, |server| {
                measure::throughput(server.addr, server.pid(), load, settings)
            })?);
        }
        let first_request = self.measure("fresh connections", &mut mismatches, |server| {
            measure::first_request(server.addr, settings)
        })?;
        let output = self.measure("output", &mut mismatches, |server| {
            output::output(server.addr, settings)
        })?;
        eprintln!("{}: {} starts", self.name, settings.starts);
        let (startup, seen) = startup::startup(self.start, settings)?;
        mismatches.absorb(seen);
        Ok(Results {
            sequential,
            throughput,
            first_request,
            startup,
            output,
            mismatches,
        })
    }

    /// Starts a server, runs `measurement` against it, and stops it again.
    fn measure<T>(
        &self,
        what: &str,
        mismatches: &mut Mismatches,
        measurement: impl FnOnce(&Server) -> Result<(T, Mismatches), WireError>,
    ) -> Result<T, Failure> {
        let server = (self.start)().map_err(Failure::Start)?;
        eprintln!("{}: {what} on {}", self.name, server.addr);
        let (value, seen) = measurement(&server).map_err(Failure::Wire)?;
        mismatches.absorb(seen);
        Ok(value)
    }
}

/// Reads the amounts of work from `SWANK_BENCH_*` variables, with defaults.
fn settings_from_env() -> Result<(Settings, Duration), String> {
    let settings = Settings {
        warmup: var("SWANK_BENCH_WARMUP", 500)?,
        sequential: positive("SWANK_BENCH_N", 2000)?,
        loads: vec![
            Load {
                connections: positive("SWANK_BENCH_CONNECTIONS", 20)?,
                per_connection: positive("SWANK_BENCH_M", 200)?,
            },
            Load {
                connections: positive("SWANK_BENCH_CONNECTIONS_MANY", 200)?,
                per_connection: positive("SWANK_BENCH_M_MANY", 20)?,
            },
        ],
        fresh: positive("SWANK_BENCH_K", 50)?,
        starts: positive("SWANK_BENCH_STARTS", 10)?,
        output_runs: positive("SWANK_BENCH_OUTPUT_RUNS", 3)?,
        timeout: Duration::from_millis(positive("SWANK_BENCH_TIMEOUT_MS", 5000)?),
    };
    let start_timeout = Duration::from_secs(positive("SWANK_BENCH_START_SECS", 120)?);
    Ok((settings, start_timeout))
}

fn positive(name: &str, default: u64) -> Result<u64, String> {
    match var(name, default)? {
        0 => Err(format!("{name} must be at least 1")),
        value => Ok(value),
    }
}

fn var(name: &str, default: u64) -> Result<u64, String> {
    match env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name}={text:?} is not a whole number")),
        Err(_) => Ok(default),
    }
}
