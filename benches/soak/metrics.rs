//! The daemon under soak and what is measured of it: resident memory and descriptors from
//! `/proc`, green threads from `list-threads`, and their least-squares slopes.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One measurement.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Duration,
    pub resident_kib: f64,
    pub descriptors: f64,
    pub green_threads: f64,
}

/// swankd (the release build) with the program, on a free port; killed on drop.
pub struct Daemon {
    child: Child,
    pub address: String,
    scratch: PathBuf,
}

impl Daemon {
    /// `heap_limit_mib`: a small heap makes the collector cycle within a short run.
    pub fn start(program: &str, heap_limit_mib: Option<u64>) -> Result<Daemon, String> {
        let scratch =
            std::env::temp_dir().join(format!("swankd-bench-soak-{}", std::process::id()));
        std::fs::create_dir_all(scratch.join("home")).map_err(|e| e.to_string())?;
        let source = scratch.join("soak.lisp");
        std::fs::write(&source, program).map_err(|e| e.to_string())?;
        let port_file = scratch.join("port");
        let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
        command
            .args(["--port", "0", "--log-level", "error", "--port-file"])
            .arg(&port_file);
        if let Some(heap) = heap_limit_mib {
            command.arg("--heap-limit-mib").arg(heap.to_string());
        }
        let child = command
            .arg(&source)
            .env("HOME", scratch.join("home"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start swankd: {e}"))?;
        let mut daemon = Daemon {
            child,
            address: String::new(),
            scratch,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(port) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|text| text.trim().parse::<u16>().ok())
                .filter(|&port| port != 0)
            {
                daemon.address = format!("127.0.0.1:{port}");
                return Ok(daemon);
            }
            if Instant::now() > deadline {
                return Err("swankd wrote no port file within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn sample(&self, at: Duration, green_threads: usize) -> Result<Sample, String> {
        let pid = self.child.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .map_err(|e| format!("swankd is gone: {e}"))?;
        let resident_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let descriptors = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map_or(0, |entries| entries.count()) as f64;
        Ok(Sample {
            at,
            resident_kib,
            descriptors,
            green_threads: green_threads as f64,
        })
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// Least-squares slope of `value` over time, per hour.
fn slope_per_hour(samples: &[Sample], value: impl Fn(&Sample) -> f64) -> f64 {
    let n = samples.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let hours = |sample: &Sample| sample.at.as_secs_f64() / 3600.0;
    let mean_t = samples.iter().map(hours).sum::<f64>() / n;
    let mean_v = samples.iter().map(&value).sum::<f64>() / n;
    let covariance: f64 = samples
        .iter()
        .map(|sample| (hours(sample) - mean_t) * (value(sample) - mean_v))
        .sum();
    let variance: f64 = samples
        .iter()
        .map(|sample| (hours(sample) - mean_t).powi(2))
        .sum();
    if variance == 0.0 {
        0.0
    } else {
        covariance / variance
    }
}

/// Reads one metric out of a sample.
type Metric = fn(&Sample) -> f64;

/// Prints the table: first and last value and the slope per hour of each metric.
pub fn report(samples: &[Sample], elapsed: Duration, requests: u64) {
    let settled = samples.get(samples.len() / 10..).unwrap_or_default();
    println!(
        "soak: {:.0} s, {requests} requests answered, {} samples ({} after warm-up)\n",
        elapsed.as_secs_f64(),
        samples.len(),
        settled.len()
    );
    println!("| metric | first | last | slope per hour |");
    println!("|---|---|---|---|");
    let rows: [(&str, Metric); 3] = [
        ("resident memory (KiB)", |s| s.resident_kib),
        ("open descriptors", |s| s.descriptors),
        ("green threads", |s| s.green_threads),
    ];
    for (name, value) in rows {
        let first = settled.first().map_or(0.0, value);
        let last = settled.last().map_or(0.0, value);
        println!(
            "| {name} | {first:.0} | {last:.0} | {:+.1} |",
            slope_per_hour(settled, value)
        );
    }
}
