//! The round-trip measurements (sequential, parallel, fresh connections), and the settings
//! and results of a whole run. Each measurement is meant to run against a newly started
//! server; [`Client`] checks every reply, and a socket error or timeout ends the whole run for
//! that server.

use std::net::SocketAddr;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use crate::client::{Client, Mismatches, Request};
use crate::memory;
use crate::startup::Startup;
use crate::wire::WireError;

/// Requests each throughput connection makes before the clock starts.
const THROUGHPUT_WARMUP: u64 = 10;
/// Fresh connections made before the timed ones.
const FRESH_WARMUP: u64 = 3;
/// Pause between two fresh-connection tries, so the server has torn the last one down.
const FRESH_PAUSE: Duration = Duration::from_millis(20);

/// How much work each measurement does; every amount but `warmup` is at least 1.
#[derive(Debug)]
pub struct Settings {
    /// Sequential round trips before measuring, on the sequential connection.
    pub warmup: u64,
    /// Sequential round trips measured on one connection.
    pub sequential: u64,
    /// The throughput tests, each against its own server.
    pub loads: Vec<Load>,
    /// Fresh connections whose first request is timed.
    pub fresh: u64,
    /// Server starts timed, after one untimed start.
    pub starts: u64,
    /// Timed runs of the output test, after one untimed run.
    pub output_runs: u64,
    /// Limit for every connect, read and write.
    pub timeout: Duration,
}

/// One throughput test: how many connections, and how many requests each makes.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub connections: u64,
    pub per_connection: u64,
}

/// Everything measured on one server.
#[derive(Debug)]
pub struct Results {
    pub sequential: Latencies,
    /// One per [`Settings::loads`], in the same order.
    pub throughput: Vec<Throughput>,
    /// Median time to connect and get the `connection-info` reply.
    pub first_request: Duration,
    pub startup: Startup,
    /// Median bytes per second of output arriving in `:write-string` events.
    pub output: f64,
    pub mismatches: Mismatches,
}

/// What one throughput test found.
#[derive(Debug)]
pub struct Throughput {
    /// Requests per second over all parallel connections.
    pub rate: f64,
    /// The largest resident memory seen while the test ran, in bytes.
    pub peak_resident: Option<u64>,
}

/// Summary of a set of round-trip times.
#[derive(Debug)]
pub struct Latencies {
    pub p50: Duration,
    pub p99: Duration,
    pub mean: Duration,
}

impl Latencies {
    /// Summarises `samples`, which must not be empty.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let total: Duration = samples.iter().sum();
        Self {
            p50: percentile(&samples, 50),
            p99: percentile(&samples, 99),
            mean: total / samples.len() as u32,
        }
    }
}

/// Nearest-rank percentile of sorted, non-empty `samples`.
pub fn percentile<T: Copy>(samples: &[T], percent: usize) -> T {
    let rank = (samples.len() * percent).div_ceil(100).max(1);
    samples[rank - 1]
}

/// (1) Round trips one after another on one connection, after `connection-info` and warm-up.
pub fn sequential(
    addr: SocketAddr,
    settings: &Settings,
) -> Result<(Latencies, Mismatches), WireError> {
    let mut client = Client::open(addr, settings.timeout)?;
    client.round_trip(Request::ConnectionInfo)?;
    client.repeat(Request::Eval, settings.warmup)?;
    let samples = (0..settings.sequential)
        .map(|_| client.round_trip(Request::Eval))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((Latencies::of(samples), client.mismatches))
}

/// (2) Requests per second over parallel connections, each making its requests in sequence,
/// and the peak resident memory of the server (process `pid`) meanwhile.
///
/// Connections are opened one after another (each getting its `connection-info` reply before
/// the next connects: SBCL's swank listens with a backlog of 5, and a burst of connects beyond
/// it waits for SYN retries, seconds each), then warmed up in parallel, then start together;
/// the clock runs from the first connection's start to the last connection's last reply.
/// Memory is sampled from before the first connection opens until the last one is done.
pub fn throughput(
    addr: SocketAddr,
    pid: u32,
    load: Load,
    settings: &Settings,
) -> Result<(Throughput, Mismatches), WireError> {
    let start_line = Barrier::new(load.connections as usize);
    let (runs, peak_resident) = memory::peak_while(pid, || {
        let clients = (0..load.connections)
            .map(|_| {
                let mut client = Client::open(addr, settings.timeout)?;
                client.round_trip(Request::ConnectionInfo)?;
                Ok(client)
            })
            .collect::<Result<Vec<_>, WireError>>()?;
        thread::scope(|scope| {
            let workers: Vec<_> = clients
                .into_iter()
                .map(|client| scope.spawn(|| throughput_worker(client, load, &start_line)))
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().expect("a throughput worker panicked"))
                .collect::<Result<Vec<_>, _>>()
        })
    });
    let runs = runs?;
    let started = runs.iter().map(|run| run.started).min();
    let finished = runs.iter().map(|run| run.finished).max();
    let elapsed = finished
        .zip(started)
        .map_or(Duration::ZERO, |(end, start)| end - start);
    let mut mismatches = Mismatches::default();
    for run in runs {
        mismatches.absorb(run.mismatches);
    }
    let requests = (load.connections * load.per_connection) as f64;
    let throughput = Throughput {
        rate: requests / elapsed.as_secs_f64(),
        peak_resident,
    };
    Ok((throughput, mismatches))
}

/// What one throughput connection did.
struct Run {
    started: Instant,
    finished: Instant,
    mismatches: Mismatches,
}

/// One throughput connection: warm up, wait for the others, then make its requests.
///
/// It reaches the barrier even when the warm-up fails, so the others are never left waiting.
fn throughput_worker(
    mut client: Client,
    load: Load,
    start_line: &Barrier,
) -> Result<Run, WireError> {
    let ready = client.repeat(Request::Eval, THROUGHPUT_WARMUP);
    start_line.wait();
    ready?;
    let started = Instant::now();
    client.repeat(Request::Eval, load.per_connection)?;
    Ok(Run {
        started,
        finished: Instant::now(),
        mismatches: client.mismatches,
    })
}

/// (3) Median time from connecting to the `connection-info` reply on a new connection.
pub fn first_request(
    addr: SocketAddr,
    settings: &Settings,
) -> Result<(Duration, Mismatches), WireError> {
    let mut mismatches = Mismatches::default();
    let mut samples = Vec::new();
    for attempt in 0..FRESH_WARMUP + settings.fresh {
        thread::sleep(FRESH_PAUSE);
        let started = Instant::now();
        let mut client = Client::open(addr, settings.timeout)?;
        client.round_trip(Request::ConnectionInfo)?;
        if attempt >= FRESH_WARMUP {
            samples.push(started.elapsed());
        }
        mismatches.absorb(client.mismatches);
    }
    Ok((Latencies::of(samples).p50, mismatches))
}
