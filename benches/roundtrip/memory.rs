//! A server's resident memory: `VmRSS` from `/proc/PID/status`, read once or sampled while
//! a measurement runs.
//!
//! Where `/proc` is missing (not Linux) every reading is `None` and the table shows a dash.

use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

/// How often [`peak_while`] reads the server's resident memory.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// The resident memory of process `pid` in bytes, or `None` if it cannot be read.
pub fn resident(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Runs `work` while a second thread samples the resident memory of `pid` every 10 ms;
/// returns what `work` returned and the largest sample (`None` if none could be read).
pub fn peak_while<T>(pid: u32, work: impl FnOnce() -> T) -> (T, Option<u64>) {
    let done = AtomicBool::new(false);
    thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut peak = resident(pid);
            while !done.load(Ordering::Relaxed) {
                thread::sleep(SAMPLE_EVERY);
                peak = peak.max(resident(pid));
            }
            peak
        });
        let value = work();
        done.store(true, Ordering::Relaxed);
        // The sampler only reads files and compares numbers; if it panicked anyway, the
        // measurement has no peak rather than no result.
        let peak = sampler.join().ok().flatten();
        (value, peak)
    })
}
