//! The `swankd` binary: start-up lines, port file, signals, exit codes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::TempDir;

fn swankd(home: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .env("HOME", home.path())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Reads stderr lines until `count` listening lines arrived; returns them. Stderr is drained
/// until the child exits.
fn listening_lines(child: &mut Child, count: usize) -> Vec<String> {
    let stderr = child.stderr.take().unwrap();
    let (lines_sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = lines_sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut listening = Vec::new();
    while listening.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .expect("swankd did not start in time");
        if line.starts_with("swankd: listening on") {
            listening.push(line);
        }
    }
    listening
}

fn wait_with_timeout(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("swankd did not exit in time");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send_signal(child: &Child, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a pid this test spawned and still owns.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

#[test]
fn serves_tcp_and_unix_then_stops_cleanly_on_sigterm() {
    let home = TempDir::new("daemon-run");
    let socket = home.join("swank.sock");
    let port_file = home.join("slime.1234");
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-level", "warn"])
        .arg("--unix")
        .arg(&socket)
        .arg("--port-file")
        .arg(&port_file)
        .spawn()
        .unwrap();
    let lines = listening_lines(&mut child, 2);

    let port = read_port(&port_file);
    assert_ne!(port, 0);
    assert_eq!(lines[0], format!("swankd: listening on 127.0.0.1:{port}"));
    assert_eq!(
        lines[1],
        format!("swankd: listening on unix:{}", socket.display())
    );
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::os::unix::net::UnixStream::connect(&socket).unwrap();

    send_signal(&child, libc::SIGTERM);
    let status = wait_with_timeout(&mut child);
    assert_eq!(status.code(), Some(0));
    assert!(!socket.exists(), "the socket file is removed on shutdown");
}

#[test]
fn stops_cleanly_on_sigint() {
    let home = TempDir::new("daemon-sigint");
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-format", "json"])
        .spawn()
        .unwrap();
    listening_lines(&mut child, 1);
    send_signal(&child, libc::SIGINT);
    assert_eq!(wait_with_timeout(&mut child).code(), Some(0));
}

#[test]
fn survives_a_closed_stderr() {
    let home = TempDir::new("daemon-stderr");
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-level", "debug"])
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut first_line = String::new();
    BufReader::new(stderr).read_line(&mut first_line).unwrap();
    // The pipe is closed now: every later log line fails to write.
    send_signal(&child, libc::SIGTERM);
    assert_eq!(wait_with_timeout(&mut child).code(), Some(0));
}

#[test]
fn a_bad_command_line_exits_with_2() {
    let home = TempDir::new("daemon-usage");
    let output = swankd(&home).arg("--no-tcp").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--no-tcp needs --unix"), "{stderr}");

    let output = swankd(&home).arg("--port").arg("x").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_port_in_use_exits_with_1() {
    let home = TempDir::new("daemon-busy");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = swankd(&home).args(["--port", &port]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen on 127.0.0.1:"), "{stderr}");
}

/// The port swankd wrote to `path` (it writes the file before its listening line).
fn read_port(path: &std::path::Path) -> u16 {
    std::fs::read_to_string(path)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Sends one Emacs-style frame and reads one reply frame, blocking.
fn exchange(stream: &mut std::net::TcpStream, sexp: &str) -> String {
    use std::io::Write;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let payload = format!("{sexp}\n");
    write!(stream, "{:06x}{payload}", payload.len()).unwrap();
    read_frame(stream)
}

#[test]
fn lisp_opens_and_closes_listeners_with_swank_functions() {
    let home = TempDir::new("daemon-create-server");
    let port_file = home.join("port");
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-level", "warn", "--port-file"])
        .arg(&port_file)
        .spawn()
        .unwrap();
    listening_lines(&mut child, 1);
    let port = read_port(&port_file);
    let mut control = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let reply = exchange(
        &mut control,
        r#"(:emacs-rex (swank:create-server :port 0) "COMMON-LISP-USER" t 1)"#,
    );
    let created: u16 = reply
        .strip_prefix("(:return (:ok ")
        .and_then(|rest| rest.strip_suffix(") 1)"))
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("unexpected reply {reply}"));
    assert_ne!(created, port);
    for round in 0..3 {
        let mut client = std::net::TcpStream::connect(("127.0.0.1", created))
            .unwrap_or_else(|e| panic!("connection {round} to the created server: {e}"));
        let info = exchange(
            &mut client,
            r#"(:emacs-rex (swank:connection-info) "COMMON-LISP-USER" t 2)"#,
        );
        assert!(info.starts_with("(:return (:ok (:pid "), "{info}");
    }
    let reply = exchange(
        &mut control,
        &format!(r#"(:emacs-rex (swank:stop-server {created}) "COMMON-LISP-USER" t 3)"#),
    );
    assert_eq!(reply, "(:return (:ok t) 3)");
    assert!(std::net::TcpStream::connect(("127.0.0.1", created)).is_err());
    let reply = exchange(
        &mut control,
        &format!(r#"(:emacs-rex (swank:stop-server {created}) "COMMON-LISP-USER" t 4)"#),
    );
    assert_eq!(reply, "(:return (:ok nil) 4)");
    send_signal(&child, libc::SIGTERM);
    assert_eq!(wait_with_timeout(&mut child).code(), Some(0));
}

fn read_frame(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut header = [0u8; 6];
    stream.read_exact(&mut header).unwrap();
    let length = usize::from_str_radix(std::str::from_utf8(&header).unwrap(), 16).unwrap();
    let mut reply = vec![0u8; length];
    stream.read_exact(&mut reply).unwrap();
    String::from_utf8(reply).unwrap()
}

/// A program thread's error with nobody connected parks the thread; the next client to
/// open a REPL is shown its debugger, redefines the broken function, restarts the frame,
/// and the program's loop goes on.
#[test]
fn a_parked_program_thread_is_fixed_from_a_later_connection() {
    let home = TempDir::new("daemon-orphan");
    let port_file = home.join("port");
    let program = home.join("program.lisp");
    let output = home.join("stdout");
    std::fs::write(
        &program,
        "(defvar *n* 0)\n\
         (defun work () (if (= *n* 3) (error \"tick ~a failed\" *n*) (format t \"tick ~a~%\" *n*)))\n\
         (loop (sleep 0.02) (work) (incf *n*))\n",
    )
    .unwrap();
    let mut child = swankd(&home)
        .args(["--port", "0", "--log-level", "warn", "--port-file"])
        .arg(&port_file)
        .arg(&program)
        .stdout(std::fs::File::create(&output).unwrap())
        .spawn()
        .unwrap();
    listening_lines(&mut child, 1);
    let port = read_port(&port_file);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&output)
        .unwrap_or_default()
        .contains("tick 2")
    {
        assert!(Instant::now() < deadline, "the program did not tick");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));

    let mut emacs = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let reply = exchange(
        &mut emacs,
        r#"(:emacs-rex (swank-repl:create-repl nil :coding-system "utf-8-unix") "COMMON-LISP-USER" t 1)"#,
    );
    assert_eq!(reply, r#"(:return (:ok ("COMMON-LISP-USER" "CL-USER")) 1)"#);
    let debug = read_frame(&mut emacs);
    assert!(
        debug.starts_with("(:debug 1 1 (\"tick 3 failed\"") && debug.contains("(0 \"(WORK)\")"),
        "{debug}"
    );
    assert_eq!(read_frame(&mut emacs), "(:debug-activate 1 1 nil)");
    let reply = exchange(
        &mut emacs,
        r#"(:emacs-rex (swank:interactive-eval "(defun work () (format t \"fixed ~a~%\" *n*))") "COMMON-LISP-USER" t 2)"#,
    );
    assert_eq!(reply, r#"(:return (:ok "=> WORK") 2)"#);
    let reply = exchange(
        &mut emacs,
        r#"(:emacs-rex (swank:restart-frame 0) "COMMON-LISP-USER" 1 3)"#,
    );
    assert_eq!(reply, r#"(:return (:abort "NIL") 3)"#);
    assert_eq!(read_frame(&mut emacs), "(:debug-return 1 1 nil)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&output)
        .unwrap_or_default()
        .contains("fixed 5")
    {
        assert!(Instant::now() < deadline, "the program did not resume");
        std::thread::sleep(Duration::from_millis(20));
    }
    let printed = std::fs::read_to_string(&output).unwrap();
    assert!(
        printed.starts_with("tick 0\ntick 1\ntick 2\nfixed 3\nfixed 4\nfixed 5\n"),
        "{printed}"
    );
    send_signal(&child, libc::SIGTERM);
    assert_eq!(wait_with_timeout(&mut child).code(), Some(0));
}
