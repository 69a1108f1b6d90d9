//! Echo benchmark: the same usocket echo server (`server.lisp`, a thread per client) under
//! swankd and under SBCL, driven by the same clients; one table, ratios above 1 meaning
//! swankd is faster. Run with `cargo bench --bench echo`; see `docs/BENCHMARKS.md`.

mod servers;

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(10);

fn setting(name: &str, default: usize) -> usize {
    env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// What one server did.
struct Figures {
    /// Sequential round trips on one connection, sorted, in microseconds.
    round_trips: Vec<f64>,
    /// Round trips per second with many clients at once.
    throughput: f64,
}

fn main() -> ExitCode {
    if !env::args().any(|arg| arg == "--bench") {
        println!("echo: a benchmark; run it with `cargo bench --bench echo`");
        return ExitCode::SUCCESS;
    }
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/echo/server.lisp");
    let swankd = servers::swankd(&program).and_then(|server| measure(server.port));
    let sbcl = servers::sbcl(&program).and_then(|server| measure(server.port));
    if let Err(error) = &swankd {
        eprintln!("swankd: no answer ({error})");
    }
    if let Err(error) = &sbcl {
        eprintln!("SBCL: no answer ({error})");
    }
    report(swankd.as_ref().ok(), sbcl.as_ref().ok());
    if swankd.is_err() && sbcl.is_err() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    line: String,
}

impl Client {
    fn connect(port: u16) -> Result<Client, String> {
        let writer = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        writer
            .set_read_timeout(Some(TIMEOUT))
            .map_err(|e| e.to_string())?;
        writer.set_nodelay(true).map_err(|e| e.to_string())?;
        let reader = BufReader::new(writer.try_clone().map_err(|e| e.to_string())?);
        Ok(Client {
            reader,
            writer,
            line: String::new(),
        })
    }

    fn round_trip(&mut self, message: &str) -> Result<(), String> {
        self.writer
            .write_all(message.as_bytes())
            .map_err(|e| e.to_string())?;
        self.line.clear();
        self.reader
            .read_line(&mut self.line)
            .map_err(|e| e.to_string())?;
        if self.line != message {
            return Err(format!("sent {message:?}, got {:?}", self.line));
        }
        Ok(())
    }
}

fn measure(port: u16) -> Result<Figures, String> {
    let (n, warmup) = (
        setting("ECHO_BENCH_N", 5000),
        setting("ECHO_BENCH_WARMUP", 500),
    );
    let (clients, m) = (
        setting("ECHO_BENCH_CLIENTS", 50),
        setting("ECHO_BENCH_M", 200),
    );
    let message = "the quick brown fox jumps over the lazy dog\n";
    let mut client = Client::connect(port)?;
    for _ in 0..warmup {
        client.round_trip(message)?;
    }
    let mut round_trips = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        client.round_trip(message)?;
        round_trips.push(started.elapsed().as_secs_f64() * 1e6);
    }
    round_trips.sort_by(f64::total_cmp);
    let mut connected = Vec::new();
    for _ in 0..clients {
        let mut client = Client::connect(port)?;
        client.round_trip(message)?;
        connected.push(client);
    }
    let started = Instant::now();
    let workers: Vec<_> = connected
        .into_iter()
        .map(|mut client| {
            std::thread::spawn(move || (0..m).try_for_each(|_| client.round_trip(message)))
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| "a client panicked".to_string())??;
    }
    let throughput = (clients * m) as f64 / started.elapsed().as_secs_f64();
    Ok(Figures {
        round_trips,
        throughput,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn report(swankd: Option<&Figures>, sbcl: Option<&Figures>) {
    type Metric = fn(&Figures) -> f64;
    let rows: [(&str, Metric, bool); 4] = [
        (
            "round trip p50 (µs)",
            |f| percentile(&f.round_trips, 0.5),
            true,
        ),
        (
            "round trip p99 (µs)",
            |f| percentile(&f.round_trips, 0.99),
            true,
        ),
        ("round trip mean (µs)", |f| mean(&f.round_trips), true),
        ("concurrent round trips/s", |f| f.throughput, false),
    ];
    println!("| metric | swankd | SBCL + usocket | ratio |");
    println!("|---|---|---|---|");
    for (name, metric, lower_is_better) in rows {
        let ours = swankd.map(metric);
        let theirs = sbcl.map(metric);
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
        let ratio = match (ours, theirs) {
            (Some(ours), Some(theirs)) if lower_is_better => format!("{:.2}", theirs / ours),
            (Some(ours), Some(theirs)) => format!("{:.2}", ours / theirs),
            _ => "-".into(),
        };
        println!("| {name} | {} | {} | {ratio} |", show(ours), show(theirs));
    }
}
