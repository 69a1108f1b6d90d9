//! The three measurements; each is meant to run against a newly started server.
//!
//! Every request is answered by a frame that is compared with the exact reply SBCL's swank
//! gives; anything else (a wrong reply, an event before the reply) is recorded as a mismatch.
//! A socket error or timeout ends the whole run for that server.

use std::net::SocketAddr;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use crate::wire::{Connection, WireError};

/// The request being timed.
const EVAL_FORM: &str = "(swank:interactive-eval \"(+ 1 2)\")";
/// Its answer, as swank formats it for the echo area.
const EVAL_VALUE: &str = "(:ok \"=> 3 (2 bits, #x3, #o3, #b11)\")";
/// What Emacs sends first on every new connection.
const CONNECTION_INFO_FORM: &str = "(swank:connection-info)";
/// Requests each throughput connection makes before the clock starts.
const THROUGHPUT_WARMUP: u64 = 10;
/// Fresh connections made before the timed ones.
const FRESH_WARMUP: u64 = 3;
/// Pause between two fresh-connection tries, so the server has torn the last one down.
const FRESH_PAUSE: Duration = Duration::from_millis(20);
/// Frames tolerated before a `:return`; a server that only sends events is broken.
const MAX_FRAMES_PER_REPLY: usize = 100;
/// How many mismatching frames are kept to be printed.
const MAX_SAMPLES: usize = 5;

/// How much work each measurement does; every amount but `warmup` is at least 1.
#[derive(Debug)]
pub struct Settings {
    /// Sequential round trips before measuring, on the sequential connection.
    pub warmup: u64,
    /// Sequential round trips measured on one connection.
    pub sequential: u64,
    /// Parallel connections in the throughput test.
    pub connections: u64,
    /// Sequential requests each of those connections makes.
    pub per_connection: u64,
    /// Fresh connections whose first request is timed.
    pub fresh: u64,
    /// Limit for every connect, read and write.
    pub timeout: Duration,
}

/// Everything measured on one server.
#[derive(Debug)]
pub struct Results {
    pub sequential: Latencies,
    /// Requests per second over all parallel connections.
    pub throughput: f64,
    /// Median time to connect and get the `connection-info` reply.
    pub first_request: Duration,
    pub mismatches: Mismatches,
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
    fn of(mut samples: Vec<Duration>) -> Self {
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
fn percentile(samples: &[Duration], percent: usize) -> Duration {
    let rank = (samples.len() * percent).div_ceil(100).max(1);
    samples[rank - 1]
}

/// Frames that were not the expected reply: how many, and the first few.
#[derive(Debug, Default)]
pub struct Mismatches {
    pub count: u64,
    pub samples: Vec<String>,
}

impl Mismatches {
    fn record(&mut self, frame: String) {
        self.count += 1;
        self.keep(frame);
    }

    /// Adds `other`'s count and as many of its samples as there is room for.
    pub fn absorb(&mut self, other: Mismatches) {
        self.count += other.count;
        other.samples.into_iter().for_each(|frame| self.keep(frame));
    }

    fn keep(&mut self, frame: String) {
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(frame);
        }
    }
}

/// Which reply a request expects.
#[derive(Clone, Copy)]
enum Request {
    Eval,
    ConnectionInfo,
}

impl Request {
    fn form(self) -> &'static str {
        match self {
            Self::Eval => EVAL_FORM,
            Self::ConnectionInfo => CONNECTION_INFO_FORM,
        }
    }

    /// Whether `frame` is the right `:return` for this request sent with `id`.
    fn accepts(self, frame: &str, id: u64) -> bool {
        match self {
            Self::Eval => frame == format!("(:return {EVAL_VALUE} {id})"),
            Self::ConnectionInfo => {
                frame.starts_with("(:return (:ok (") && frame.ends_with(&format!(") {id})"))
            }
        }
    }
}

/// A connection that numbers its requests and checks every reply.
struct Client {
    connection: Connection,
    next_id: u64,
    mismatches: Mismatches,
}

impl Client {
    fn open(addr: SocketAddr, timeout: Duration) -> Result<Self, WireError> {
        Ok(Self {
            connection: Connection::open(addr, timeout)?,
            next_id: 1,
            mismatches: Mismatches::default(),
        })
    }

    /// Sends `request` and reads up to its `:return`; returns the time that took.
    fn round_trip(&mut self, request: Request) -> Result<Duration, WireError> {
        let id = self.next_id;
        self.next_id += 1;
        let sent = Instant::now();
        self.connection.send_rex(request.form(), id)?;
        for _ in 0..MAX_FRAMES_PER_REPLY {
            let frame = self.connection.read_frame()?;
            let elapsed = sent.elapsed();
            let is_return = frame.starts_with("(:return ");
            if !request.accepts(&frame, id) {
                self.mismatches.record(frame);
            }
            if is_return {
                return Ok(elapsed);
            }
        }
        Err(WireError::NoReturn(MAX_FRAMES_PER_REPLY))
    }

    /// Makes `count` round trips of `request`, discarding the times.
    fn repeat(&mut self, request: Request, count: u64) -> Result<(), WireError> {
        for _ in 0..count {
            self.round_trip(request)?;
        }
        Ok(())
    }
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

/// (2) Requests per second over parallel connections, each making its requests in sequence.
///
/// Connections are opened and warmed up first, then start together; the clock runs from the
/// first connection's start to the last connection's last reply.
pub fn throughput(addr: SocketAddr, settings: &Settings) -> Result<(f64, Mismatches), WireError> {
    let start_line = Barrier::new(settings.connections as usize);
    let runs = thread::scope(|scope| {
        let workers: Vec<_> = (0..settings.connections)
            .map(|_| scope.spawn(|| throughput_worker(addr, settings, &start_line)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a throughput worker panicked"))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let started = runs.iter().map(|run| run.started).min();
    let finished = runs.iter().map(|run| run.finished).max();
    let elapsed = finished
        .zip(started)
        .map_or(Duration::ZERO, |(end, start)| end - start);
    let mut mismatches = Mismatches::default();
    for run in runs {
        mismatches.absorb(run.mismatches);
    }
    let requests = (settings.connections * settings.per_connection) as f64;
    Ok((requests / elapsed.as_secs_f64(), mismatches))
}

/// What one throughput connection did.
struct Run {
    started: Instant,
    finished: Instant,
    mismatches: Mismatches,
}

/// One throughput connection: set up, wait for the others, then make its requests.
///
/// It reaches the barrier even when set-up fails, so the others are never left waiting.
fn throughput_worker(
    addr: SocketAddr,
    settings: &Settings,
    start_line: &Barrier,
) -> Result<Run, WireError> {
    let ready = Client::open(addr, settings.timeout).and_then(|mut client| {
        client.round_trip(Request::ConnectionInfo)?;
        client.repeat(Request::Eval, THROUGHPUT_WARMUP)?;
        Ok(client)
    });
    start_line.wait();
    let mut client = ready?;
    let started = Instant::now();
    client.repeat(Request::Eval, settings.per_connection)?;
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
