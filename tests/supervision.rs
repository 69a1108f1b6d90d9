//! docs/SERVICE.md's s6 set-up, run for real: `s6-svscan` supervises a service
//! directory whose `run` execs swankd. After `kill -9`, s6 starts a new swankd (a new
//! pid) that loads the program again and answers on the same port.
//!
//! Needs Debian's s6 (s6-svscan, s6-svstat, s6-svc, s6-svscanctl); scripts/test
//! installs it.

mod service;

use service::{Process, TempDir, free_port, read_lossy, require_program, wait_for, write};
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The supervised program: says it started, then counts by itself.
const PROGRAM: &str = "(defvar *n* 0)\n\
                       (format t \"started~%\")\n\
                       (finish-output)\n\
                       (loop (sleep 0.05) (incf *n*))\n";

/// s6-svscan on a scan directory, told to stop everything when dropped.
struct Supervisor {
    scan_dir: std::path::PathBuf,
    process: Process,
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        // Bring swankd down and let its s6-supervise exit, then s6-svscan.
        let _ = Command::new("s6-svc")
            .arg("-dx")
            .arg(self.scan_dir.join("swankd"))
            .status();
        let _ = Command::new("s6-svscanctl")
            .arg("-t")
            .arg(&self.scan_dir)
            .status();
        self.process.wait_bounded(Duration::from_secs(5));
    }
}

/// swankd's pid as s6 knows it, if it is up.
fn service_pid(service_dir: &Path) -> Result<u32, String> {
    let output = Command::new("s6-svstat")
        .args(["-o", "pid"])
        .arg(service_dir)
        .output()
        .map_err(|error| format!("s6-svstat: {error}"))?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() {
        return Err(format!(
            "s6-svstat failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    match text.parse::<i64>() {
        Ok(pid) if pid > 0 => Ok(pid as u32),
        _ => Err(format!("s6-svstat says pid {text:?}")),
    }
}

fn send(stream: &mut TcpStream, sexp: &str) -> std::io::Result<()> {
    let payload = format!("{sexp}\n");
    write!(stream, "{:06x}{payload}", payload.len())
}

fn receive(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut header = [0u8; 6];
    stream.read_exact(&mut header)?;
    let length = std::str::from_utf8(&header)
        .ok()
        .and_then(|hex| usize::from_str_radix(hex, 16).ok())
        .ok_or_else(|| std::io::Error::other(format!("bad frame header {header:?}")))?;
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload)?;
    String::from_utf8(payload).map_err(std::io::Error::other)
}

/// Connects to swankd on `port` and asks for `cl-user::*n*` as SLIME would.
fn counter_over_swank(port: u16) -> Result<i64, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|error| format!("connect: {error}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    send(
        &mut stream,
        "(:emacs-rex (cl:symbol-value 'cl-user::*n*) \"COMMON-LISP-USER\" t 1)",
    )
    .map_err(|error| format!("send: {error}"))?;
    loop {
        let reply = receive(&mut stream).map_err(|error| format!("receive: {error}"))?;
        // SLIME ends the payload it sends with a newline; the reply may or may not have one.
        if let Some(rest) = reply.trim_end().strip_prefix("(:return (:ok ") {
            let number = rest
                .strip_suffix(") 1)")
                .ok_or_else(|| format!("unexpected reply {reply:?}"))?;
            return number
                .parse()
                .map_err(|_| format!("*n* is not an integer: {reply:?}"));
        }
        if reply.starts_with("(:return ") {
            return Err(format!("unexpected reply {reply:?}"));
        }
        // Anything else (output, indentation updates) comes before the return.
    }
    // The stream is dropped here: the client closes first, so no TIME_WAIT holds
    // swankd's port across the restart.
}

fn starts(output: &Path) -> usize {
    read_lossy(output)
        .lines()
        .filter(|line| line.trim() == "started")
        .count()
}

#[test]
fn s6_restarts_a_killed_swankd_which_loads_its_program_again() {
    require_program("/usr/bin/s6-svscan", "s6");
    let dir = TempDir::new("supervision");
    let port = free_port();
    let program = dir.join("counter.lisp");
    write(&program, PROGRAM);

    let scan_dir = dir.join("scan");
    let service_dir = scan_dir.join("swankd");
    std::fs::create_dir_all(&service_dir).unwrap();
    let run = service_dir.join("run");
    write(
        &run,
        &format!(
            "#!/bin/sh\nexec {swankd} --port {port} {program} 2>&1\n",
            swankd = env!("CARGO_BIN_EXE_swankd"),
            program = program.display(),
        ),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();

    // swankd's output (the program's "started" lines and its log) reaches s6-svscan's.
    let output = dir.join("output");
    let output_file = File::create(&output).unwrap();
    let _supervisor = Supervisor {
        scan_dir: scan_dir.clone(),
        process: Process::spawn(
            "s6-svscan",
            Command::new("s6-svscan")
                .arg(&scan_dir)
                .env("HOME", dir.path())
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(output_file.try_clone().unwrap())
                .stderr(output_file),
        ),
    };

    let first_pid = wait_for("s6 to start swankd", || service_pid(&service_dir));
    // Let the program count for a while, so that a restarted counter is clearly lower.
    let before_kill = wait_for("swankd's *n* to reach 20", || {
        let n = counter_over_swank(port)?;
        if n >= 20 {
            Ok(n)
        } else {
            Err(format!("*n* is {n}"))
        }
    });
    // The pid s6 reports is still the one that answered.
    assert_eq!(service_pid(&service_dir), Ok(first_pid));
    assert_eq!(starts(&output), 1, "output:\n{}", read_lossy(&output));

    let status = Command::new("kill")
        .args(["-9", &first_pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -9 {first_pid} failed");

    let second_pid = wait_for("s6 to start a new swankd", || {
        let pid = service_pid(&service_dir)?;
        if pid != first_pid {
            Ok(pid)
        } else {
            Err(format!("still pid {pid}"))
        }
    });
    let after_restart = wait_for("the new swankd to answer", || counter_over_swank(port));
    eprintln!(
        "pid {first_pid} counted to {before_kill}; after kill -9, pid {second_pid} is at {after_restart}"
    );
    assert!(
        after_restart < before_kill,
        "*n* after the restart ({after_restart}) is not below *n* before the kill \
         ({before_kill}): the program was not loaded again"
    );
    assert_eq!(
        service_pid(&service_dir),
        Ok(second_pid),
        "the pid changed again"
    );
    wait_for("the program's second start-up", || match starts(&output) {
        2 => Ok(()),
        n => Err(format!(
            "{n} \"started\" lines in:\n{}",
            read_lossy(&output)
        )),
    });
}
