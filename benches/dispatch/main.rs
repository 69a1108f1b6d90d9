//! Generic-function calls beside plain calls, in swankd, SBCL (interpreted and compiled)
//! and CPython (method calls beside function calls).
//!
//! Run with `cargo bench --bench dispatch`. Each runtime times the same loop of `N` calls
//! two ways and prints nanoseconds per call; the table shows those and the ratio of a
//! generic (or method) call to a plain call in the same runtime, which is what the cache
//! in front of dispatch is for. Missing runtimes get dashes. Not a test: nothing is
//! asserted.

use std::env;
use std::fs;
use std::process::{Command, ExitCode};

const LISP_PROGRAM: &str = r#"
(defclass point () ((x :initarg :x :accessor point-x)))
(defgeneric bump (p n))
(defmethod bump ((p point) n) (+ n 1))
(defun plain-bump (p n) (declare (ignore p)) (+ n 1))
(defvar *p* (make-instance 'point :x 1))
(defun run-plain (k) (let ((n 0)) (dotimes (i k) (setq n (plain-bump *p* n))) n))
(defun run-generic (k) (let ((n 0)) (dotimes (i k) (setq n (bump *p* n))) n))
(defun run-accessor (k) (let ((n 0)) (dotimes (i k) (setq n (+ n (point-x *p*)))) n))
(defun ns-per-call (function k)
  (funcall function (floor k 10))
  (let ((start (get-internal-real-time)))
    (funcall function k)
    (floor (* (- (get-internal-real-time) start)
              (/ 1000000000 internal-time-units-per-second))
           k)))
(format t "plain ~d~%" (ns-per-call #'run-plain COUNT))
(format t "generic ~d~%" (ns-per-call #'run-generic COUNT))
(format t "accessor ~d~%" (ns-per-call #'run-accessor COUNT))
"#;

const PYTHON_PROGRAM: &str = r#"
import time
class Point:
    def __init__(self, x): self.x = x
    def bump(self, n): return n + 1
def plain_bump(p, n): return n + 1
p = Point(1)
def run_plain(k):
    n = 0
    for _ in range(k): n = plain_bump(p, n)
def run_generic(k):
    n = 0
    for _ in range(k): n = p.bump(n)
def run_accessor(k):
    n = 0
    for _ in range(k): n = n + p.x
def ns_per_call(f, k):
    f(k // 10)
    start = time.perf_counter_ns()
    f(k)
    return (time.perf_counter_ns() - start) // k
print("plain", ns_per_call(run_plain, COUNT))
print("generic", ns_per_call(run_generic, COUNT))
print("accessor", ns_per_call(run_accessor, COUNT))
"#;

struct Row {
    name: &'static str,
    plain: Option<u64>,
    generic: Option<u64>,
    accessor: Option<u64>,
}

fn main() -> ExitCode {
    // `cargo test --benches` runs this program without `--bench`; it should not benchmark.
    if !env::args().any(|arg| arg == "--bench") {
        println!("dispatch: a benchmark; run it with `cargo bench --bench dispatch`");
        return ExitCode::SUCCESS;
    }
    let count: u64 = env::var("DISPATCH_BENCH_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = env::temp_dir().join(format!("swankd-dispatch-bench-{}", std::process::id()));
    if let Err(error) = fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    let lisp = dir.join("dispatch.lisp");
    let python = dir.join("dispatch.py");
    let interpreted = dir.join("dispatch-interpreted.lisp");
    let program = LISP_PROGRAM.replace("COUNT", &count.to_string());
    let written = fs::write(&lisp, &program)
        .and_then(|()| fs::write(&python, PYTHON_PROGRAM.replace("COUNT", &count.to_string())))
        .and_then(|()| {
            fs::write(
                &interpreted,
                format!("(setf sb-ext:*evaluator-mode* :interpret)\n{program}"),
            )
        });
    if let Err(error) = written {
        eprintln!("cannot write the programs: {error}");
        return ExitCode::FAILURE;
    }
    let mut swankd = Command::new(env!("CARGO_BIN_EXE_swankd"));
    swankd
        .arg("--no-tcp")
        .arg(&lisp)
        .args(["--eval", "(swank:quit-lisp)", "--log-level", "warn"]);
    let mut sbcl_interpreted = Command::new("sbcl");
    sbcl_interpreted.args(["--script"]).arg(&interpreted);
    let mut sbcl_compiled = Command::new("sbcl");
    sbcl_compiled.args(["--script"]).arg(&lisp);
    let mut cpython = Command::new("python3");
    cpython.arg(&python);
    let rows = [
        measure("swankd", swankd),
        measure("SBCL, interpreted", sbcl_interpreted),
        measure("SBCL, compiled", sbcl_compiled),
        measure("CPython", cpython),
    ];
    let _ = fs::remove_dir_all(&dir);
    print_table(count, &rows);
    if rows.iter().any(|row| row.plain.is_some()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn measure(name: &'static str, mut command: Command) -> Row {
    let output = match command.output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
        Ok(output) => {
            eprintln!("{name}: exited with {}", output.status);
            String::new()
        }
        Err(error) => {
            eprintln!("{name}: cannot run: {error}");
            String::new()
        }
    };
    let field = |label: &str| {
        output.lines().find_map(|line| {
            let (key, value) = line.split_once(' ')?;
            (key == label).then(|| value.trim().parse().ok()).flatten()
        })
    };
    Row {
        name,
        plain: field("plain"),
        generic: field("generic"),
        accessor: field("accessor"),
    }
}

fn print_table(count: u64, rows: &[Row]) {
    let show = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    let ratio = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) if b > 0 => format!("{:.1}", a as f64 / b as f64),
        _ => "-".to_string(),
    };
    println!("{count} calls each; ns per call; ratio = generic (or method) call / plain call");
    println!(
        "{:<20} {:>8} {:>8} {:>9} {:>14} {:>15}",
        "runtime", "plain", "generic", "accessor", "generic/plain", "accessor/plain"
    );
    for row in rows {
        println!(
            "{:<20} {:>8} {:>8} {:>9} {:>14} {:>15}",
            row.name,
            show(row.plain),
            show(row.generic),
            show(row.accessor),
            ratio(row.generic, row.plain),
            ratio(row.accessor, row.plain)
        );
    }
}
