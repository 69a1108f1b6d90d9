//! Whole Lisp programs run as a user runs them: `swankd --no-tcp FILE`, from the file's
//! directory. Each `tests/programs/NAME.lisp` with a `NAME.expected` must print exactly that
//! on stdout under swankd, and under SBCL (the oracle, with ASDF for bordeaux-threads and
//! usocket, also from the file's directory) when SBCL is installed. The `corpus-*.lisp`
//! programs are the language corpus: one line per form, see
//! `tests/programs/corpus/check.lisp`. Programs in `tests/programs/units/` test what swankd
//! promises beyond Common Lisp (units of change), so only swankd runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIME_LIMIT: Duration = Duration::from_secs(60);

fn programs() -> Vec<PathBuf> {
    programs_in("tests/programs")
}

fn programs_in(relative: &str) -> Vec<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|e| panic!("{}: {e}", directory.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "lisp"))
        .filter(|path| path.with_extension("expected").exists())
        .collect();
    programs.sort();
    assert!(
        !programs.is_empty(),
        "no programs in {}",
        directory.display()
    );
    programs
}

/// Runs `command` to completion (killing it after [`TIME_LIMIT`]) and returns its stdout.
fn stdout_of(mut command: Command) -> String {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let started = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn expected(program: &Path) -> String {
    std::fs::read_to_string(program.with_extension("expected"))
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
}

fn run_under_swankd(program: &Path) {
    let mut swankd = Command::new(env!("CARGO_BIN_EXE_swankd"));
    swankd.arg("--no-tcp").arg(program).args([
        "--eval",
        "(swank:quit-lisp)",
        "--log-level",
        "warn",
    ]);
    if let Some(directory) = program.parent() {
        swankd.current_dir(directory);
    }
    assert_eq!(
        stdout_of(swankd),
        expected(program),
        "{}",
        program.display()
    );
}

#[test]
fn programs_print_what_they_print_under_sbcl() {
    for program in programs() {
        run_under_swankd(&program);
    }
}

#[test]
fn units_of_change_install_whole_or_not_at_all() {
    for program in programs_in("tests/programs/units") {
        run_under_swankd(&program);
    }
}

#[test]
fn the_expected_output_is_what_sbcl_prints() {
    if Command::new("sbcl").arg("--version").output().is_err() {
        eprintln!("SBCL is not installed; skipping the oracle check (scripts/test installs it)");
        return;
    }
    for program in programs() {
        let expected = expected(&program);
        let mut printed = printed_by_sbcl(&program);
        // A program with threads (clos-threads.lisp) depends on SBCL's scheduling, which a
        // loaded machine can upset; a mismatch gets one more run, and two fail the test.
        if printed != expected {
            eprintln!(
                "{}: SBCL printed otherwise; running it again",
                program.display()
            );
            printed = printed_by_sbcl(&program);
        }
        assert_eq!(printed, expected, "{}", program.display());
    }
}

/// What SBCL prints running `program`, without the lines of compiler notes.
fn printed_by_sbcl(program: &Path) -> String {
    let mut sbcl = Command::new("sbcl");
    sbcl.args([
        "--noinform",
        "--non-interactive",
        "--eval",
        "(require :asdf)",
    ])
    .arg("--load")
    .arg(program);
    if let Some(directory) = program.parent() {
        sbcl.current_dir(directory);
    }
    // ASDF reports compiling a library's files the first time; only the program's own lines
    // count.
    stdout_of(sbcl)
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with(';'))
        .map(|line| format!("{line}\n"))
        .collect()
}
