//! The collector keeps up with a program that allocates without end: a loop building
//! cyclic structures (circular lists, hash tables pointing back at themselves, closures
//! over both) runs for a minute (`SWANKD_GARBAGE_SECONDS`), and swankd's resident size,
//! sampled every second once the heap has settled, stays within 10 MB. And a program that
//! sleeps between bursts of garbage has it collected while it sleeps.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Samples before this are the heap growing to its working size.
const SETTLE: Duration = Duration::from_secs(10);
const ALLOWED_GROWTH_KB: u64 = 10 * 1024;

const PROGRAM: &str = r#"
(defun churn ()
  (let* ((cell (list 1 2 3))
         (table (make-hash-table)))
    (setf (cdr (last cell)) cell)
    (setf (gethash :self table) table
          (gethash :cell table) cell)
    (let ((closure (lambda () (list cell table))))
      (setf (gethash :closure table) closure))
    (make-array 100 :initial-element cell)))
(loop (dotimes (i 1000) (churn)) (sleep 0.001))
"#;

fn resident_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

#[test]
fn resident_size_stays_flat_while_a_program_allocates_cycles() {
    let seconds: u64 = std::env::var("SWANKD_GARBAGE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = std::env::temp_dir().join(format!("swankd-garbage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let program = dir.join("churn.lisp");
    std::fs::write(&program, PROGRAM).unwrap_or_else(|e| panic!("{e}"));
    let mut swankd = Command::new(env!("CARGO_BIN_EXE_swankd"))
        .args(["--no-tcp", "--log-level", "error"])
        .arg(&program)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start swankd: {e}"));
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(1));
        if let Ok(Some(status)) = swankd.try_wait() {
            panic!("swankd exited while the program ran: {status}");
        }
        if started.elapsed() >= SETTLE
            && let Some(kb) = resident_kb(swankd.id())
        {
            samples.push(kb);
        }
    }
    let _ = swankd.kill();
    let _ = swankd.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(samples.len() >= 3, "too few samples: {samples:?}");
    let (low, high) = (samples.iter().min(), samples.iter().max());
    let (Some(low), Some(high)) = (low, high) else {
        panic!("no samples");
    };
    assert!(
        high - low <= ALLOWED_GROWTH_KB,
        "resident size grew from {low} kB to {high} kB over {seconds} s: {samples:?}"
    );
}

/// A program that allocates 40 MB in 200 bursts with a sleep after each, then prints the
/// first line of ROOM: the heap's bytes in use.
const BURSTS: &str = r#"
(dotimes (tick 200) (make-list 5000) (sleep 0.002))
(let ((report (with-output-to-string (*standard-output*) (room))))
  (write-line (subseq report 0 (position #\Newline report))))
"#;

/// The same 40 MB of garbage made without a pause: only allocation can make it collect.
const BUSY: &str = r#"
(dotimes (tick 200) (make-list 5000))
(let ((report (with-output-to-string (*standard-output*) (room))))
  (write-line (subseq report 0 (position #\Newline report))))
"#;

/// The bytes in use ROOM reports at the end of `BURSTS`, run with `options`.
fn heap_in_use_after_bursts(options: &[&str]) -> usize {
    heap_in_use_after(BURSTS, options)
}

/// The bytes in use ROOM reports at the end of `program`, run with `options`.
fn heap_in_use_after(program_text: &str, options: &[&str]) -> usize {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("swankd-bursts-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let program = dir.join("bursts.lisp");
    std::fs::write(&program, program_text).unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(env!("CARGO_BIN_EXE_swankd"))
        .args([
            "--no-tcp",
            "--log-level",
            "error",
            "--eval",
            "(swank:quit-lisp)",
        ])
        .args(options)
        .arg(&program)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run swankd: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|line| line.starts_with("Heap usage is "))
        .unwrap_or_else(|| panic!("no ROOM report in {stdout:?}"));
    line["Heap usage is ".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// Options under which nothing is collected before 64 MiB of allocation: no idle
/// collections, and a 64 MiB collection interval.
const ONLY_AFTER_64_MIB: [&str; 4] = [
    "--idle-collection-kib",
    "0",
    "--collection-interval-kib",
    "65536",
];

#[test]
fn garbage_made_between_sleeps_is_collected_while_the_program_sleeps() {
    let collected = heap_in_use_after_bursts(&[]);
    assert!(
        collected < 16 << 20,
        "{collected} bytes in use after 40 MB of garbage made in bursts"
    );
    // Without idle collections, nothing is collected before 64 MiB of allocation here.
    let kept = heap_in_use_after_bursts(&ONLY_AFTER_64_MIB);
    assert!(
        kept > 32 << 20,
        "{kept} bytes in use without idle collections"
    );
}

#[test]
fn a_small_heap_collects_its_garbage_after_the_collection_interval() {
    let collected = heap_in_use_after(BUSY, &["--idle-collection-kib", "0"]);
    assert!(
        collected < 8 << 20,
        "{collected} bytes in use after 40 MB of garbage made without a pause"
    );
    let kept = heap_in_use_after(BUSY, &ONLY_AFTER_64_MIB);
    assert!(
        kept > 32 << 20,
        "{kept} bytes in use with a 64 MiB interval"
    );
}
