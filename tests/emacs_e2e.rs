//! End to end: a real Emacs with SLIME (`slime-fancy`) against a real server.
//!
//! Each test starts a server on a free port, in its own temporary directory
//! with its own `$HOME` (so no `~/.slime-secret` or `~/.swank.lisp` of the
//! machine can interfere), runs one scenario of `tests/e2e/scenarios.el`
//! with `emacs --batch`, and kills everything afterwards. Every step is
//! bounded in time: a server that never listens or an Emacs that hangs
//! fails the test instead of blocking `cargo test`.
//!
//! The server is the `swankd` binary of this crate, unless
//! `SWANKD_E2E_SERVER=sbcl`: then it is SBCL's own swank
//! (`tests/e2e/sbcl-swank.lisp`), the oracle every scenario was written
//! against, with `socat` bridging a Unix socket to its TCP port.
//!
//! Other knobs: `SWANKD_E2E_EMACS` (the Emacs binary, default `emacs`),
//! `SWANKD_E2E_KEEP=1` (keep the temporary directories and print where).
//!
//! Emacs and SLIME are required: without them the tests fail with a message
//! saying how to install them (`scripts/test` does it).

use std::env;
use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The scenarios of `tests/e2e/scenarios.el`, each run by one test below.
const SCENARIOS: &[&str] = &[
    "connect",
    "repl",
    "eval-last-expression",
    "two-connections",
    "reconnect",
    "unix-socket",
    "live-program",
    "live-class-change",
    "compile-defun",
    "compiler-notes",
    "trace-dialog",
    "sldb",
    "sldb-use-value",
    "completion",
    "autodoc",
    "macroexpand",
    "describe",
    "sldb-frame",
    "find-definition",
    "who-calls",
    "find-methods",
    "parked-thread",
    "live-server",
];

/// How long Emacs may run one scenario before it is killed.
const EMACS_TIMEOUT: Duration = Duration::from_secs(60);
/// The harness's own overall limit, a little below [`EMACS_TIMEOUT`] so
/// that it can still print its diagnostics.
const HARNESS_TIMEOUT_SECS: u64 = 50;
/// How long swankd may take to write its port file.
const SWANKD_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long SBCL may take to listen; the first start compiles swank.
const SBCL_START_TIMEOUT: Duration = Duration::from_secs(300);
/// How long socat may take to create its Unix socket.
const SOCAT_START_TIMEOUT: Duration = Duration::from_secs(10);

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ServerKind {
    Swankd,
    Sbcl,
}

fn server_kind() -> ServerKind {
    match env::var("SWANKD_E2E_SERVER").as_deref() {
        Err(_) | Ok("") | Ok("swankd") => ServerKind::Swankd,
        Ok("sbcl") => ServerKind::Sbcl,
        Ok(other) => panic!("SWANKD_E2E_SERVER={other:?}: expected \"swankd\" or \"sbcl\""),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    Tcp,
    Unix,
}

/// A directory under the system's temporary directory, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        // Short names: a Unix socket path must fit in 108 bytes.
        let path = env::temp_dir().join(format!(
            "swankd-e2e-{}-{}-{nanos:x}-{label}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
        ));
        fs::create_dir_all(path.join("home"))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir { path }
    }

    fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn home(&self) -> PathBuf {
        self.join("home")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if env::var_os("SWANKD_E2E_KEEP").is_some() {
            eprintln!("kept {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A child process that is killed when dropped.
struct Running {
    what: &'static str,
    child: Child,
    log: PathBuf,
}

impl Running {
    fn spawn(what: &'static str, command: &mut Command, log: PathBuf) -> Running {
        let out = File::create(&log).expect("create log file");
        let err = out.try_clone().expect("clone log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what} ({command:?}): {e}"));
        Running { what, child, log }
    }

    /// Panics if the process has already exited.
    fn check_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited early with {status}\n---- its output:\n{}",
                self.what,
                read_lossy(&self.log)
            );
        }
    }

    /// Waits until the process exits; kills it after `timeout`.
    fn wait_bounded(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return None;
                }
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lossy(path: &Path) -> String {
    fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_else(|e| format!("<cannot read {}: {e}>", path.display()))
}

/// Reads a port number from `path` once it is complete (the same digits on
/// two reads in a row, so a half-written file is never taken).
fn read_port_file(path: &Path) -> Option<u16> {
    let first = fs::read_to_string(path).ok()?;
    let port = first.trim().parse::<u16>().ok().filter(|&p| p != 0)?;
    thread::sleep(Duration::from_millis(20));
    let second = fs::read_to_string(path).ok()?;
    (first == second).then_some(port)
}

/// Polls `ready` until it gives a value, checking that `process` is still alive.
fn wait_for<T>(
    what: &str,
    timeout: Duration,
    process: &mut Running,
    mut ready: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = ready() {
            return value;
        }
        process.check_alive();
        if Instant::now() > deadline {
            panic!(
                "timed out after {timeout:?} waiting for {what}\n---- {} output:\n{}",
                process.what,
                read_lossy(&process.log)
            );
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A running server: its processes (killed on drop) and where it listens.
struct Server {
    processes: Vec<Running>,
    port: u16,
    unix_socket: Option<PathBuf>,
}

impl Server {
    fn logs(&self) -> String {
        self.processes
            .iter()
            .map(|p| format!("---- {} output:\n{}", p.what, read_lossy(&p.log)))
            .collect()
    }
}

fn start_server(kind: ServerKind, dir: &TempDir, transport: Transport) -> Server {
    match kind {
        ServerKind::Swankd => start_swankd(dir, transport),
        ServerKind::Sbcl => start_sbcl(dir, transport),
    }
}

fn start_swankd(dir: &TempDir, transport: Transport) -> Server {
    let port_file = dir.join("port");
    let socket = dir.join("s.sock");
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .arg("--port")
        .arg("0")
        .arg("--port-file")
        .arg(&port_file)
        .env("HOME", dir.home())
        .current_dir(dir.home());
    if transport == Transport::Unix {
        command.arg("--unix").arg(&socket);
    }
    let mut swankd = Running::spawn("swankd", &mut command, dir.join("swankd.log"));
    let port = wait_for(
        "swankd to write its port file",
        SWANKD_START_TIMEOUT,
        &mut swankd,
        || read_port_file(&port_file),
    );
    let unix_socket = (transport == Transport::Unix).then(|| {
        wait_for(
            "swankd's Unix socket",
            SWANKD_START_TIMEOUT,
            &mut swankd,
            || socket.exists().then_some(()),
        );
        socket
    });
    Server {
        processes: vec![swankd],
        port,
        unix_socket,
    }
}

/// Serialises SBCL start-ups: the first one compiles swank into a shared
/// fasl directory, and two compilations must not write it at once.
static SBCL_START: Mutex<()> = Mutex::new(());

fn start_sbcl(dir: &TempDir, transport: Transport) -> Server {
    require_tool("sbcl", "--version", "sbcl cl-swank");
    if transport == Transport::Unix {
        require_tool("socat", "-V", "socat");
    }
    let port_file = dir.join("port");
    // Debian's swank-loader compiles through ASDF into $XDG_CACHE_HOME:
    // keep that out of the throw-away $HOME so swank is compiled only once.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbcl-cache");
    let mut command = Command::new("sbcl");
    command
        .args([
            "--noinform",
            "--non-interactive",
            "--no-sysinit",
            "--no-userinit",
            "--load",
        ])
        .arg(manifest_path("tests/e2e/sbcl-swank.lisp"))
        .env("HOME", dir.home())
        .env("SWANKD_E2E_PORT_FILE", &port_file)
        .env("XDG_CACHE_HOME", &cache)
        .current_dir(dir.home());
    let (sbcl, port) = {
        let _guard = SBCL_START.lock().unwrap_or_else(|e| e.into_inner());
        let mut sbcl = Running::spawn("sbcl", &mut command, dir.join("sbcl.log"));
        let port = wait_for(
            "SBCL's swank to write its port file",
            SBCL_START_TIMEOUT,
            &mut sbcl,
            || read_port_file(&port_file),
        );
        (sbcl, port)
    };
    let mut processes = vec![sbcl];
    let unix_socket = (transport == Transport::Unix).then(|| {
        let socket = dir.join("s.sock");
        let mut socat = Running::spawn(
            "socat",
            Command::new("socat")
                .arg(format!("UNIX-LISTEN:{},fork", socket.display()))
                .arg(format!("TCP:127.0.0.1:{port}")),
            dir.join("socat.log"),
        );
        wait_for(
            "socat's Unix socket",
            SOCAT_START_TIMEOUT,
            &mut socat,
            || socket.exists().then_some(()),
        );
        processes.push(socat);
        socket
    });
    Server {
        processes,
        port,
        unix_socket,
    }
}

/// Fails the test with an installation hint if `program` cannot run.
fn require_tool(program: &str, version_flag: &str, debian_packages: &str) {
    match Command::new(program)
        .arg(version_flag)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "`{program}` is not installed, and the Emacs end-to-end tests need it.\n\
             Run scripts/test (it installs what is missing), or:\n    \
             apt-get install -y {debian_packages}"
        ),
        Err(e) => panic!("cannot run `{program} {version_flag}`: {e}"),
    }
}

fn emacs_program() -> String {
    env::var("SWANKD_E2E_EMACS")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "emacs".to_owned())
}

/// The `emacs --batch` command running the harness with `args`.
fn harness_command(home: &Path, args: &[String]) -> Command {
    let mut command = Command::new(emacs_program());
    command
        .args(["-Q", "--batch", "-l"])
        .arg(manifest_path("tests/e2e/harness.el"))
        .args(["-f", "swankd-e2e-batch-main"])
        .args(args)
        .env("HOME", home)
        .current_dir(home);
    command
}

/// Runs `scenario` against a fresh server; panics with all logs on failure.
fn run_scenario(scenario: &str, transport: Transport) {
    require_tool(&emacs_program(), "--version", "emacs-nox slime");
    let kind = server_kind();
    let dir = TempDir::new(scenario);
    let server = start_server(kind, &dir, transport);
    run_emacs(scenario, kind, &dir, &server, &[]);
}

/// A free TCP port on the loopback interface (free when asked; good enough for tests).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|e| panic!("cannot find a free port: {e}"))
}

/// Runs the example program `example` as a user would (`swankd --no-tcp FILE`, or
/// `sbcl --load FILE`), with its Swank port and tick interval replaced so that tests can
/// run in parallel and quickly, then runs `scenario` against the port it opens.
/// Runs `example` as a program and then the scenario; the program is ready once it listens
/// and has printed `first_tick`.
fn run_program_scenario(scenario: &str, example: &str, first_tick: &str) {
    require_tool(&emacs_program(), "--version", "emacs-nox slime");
    let kind = server_kind();
    let dir = TempDir::new(scenario);
    let port = free_port();
    let source = read_lossy(&manifest_path(example));
    let program_text = source
        .replace(":port 4006", &format!(":port {port}"))
        .replace("(sleep 5)", "(sleep 0.3)");
    assert_ne!(
        program_text, source,
        "{example} no longer has a port or interval to replace"
    );
    let program = dir.join("program.lisp");
    fs::write(&program, program_text).expect("write the program");
    let log = dir.join("program.log");
    let mut command = program_command(kind, &program);
    command.env("HOME", dir.home()).current_dir(dir.home());
    let mut process = {
        let _guard = SBCL_START.lock().unwrap_or_else(|e| e.into_inner());
        let mut process = Running::spawn("program", &mut command, log.clone());
        let listening = [
            format!("listening on 127.0.0.1:{port}"),
            format!("Swank started at port: {port}"),
        ];
        wait_for(
            "the program to listen and tick",
            SBCL_START_TIMEOUT,
            &mut process,
            || {
                let output = read_lossy(&log);
                (listening.iter().any(|line| output.contains(line.as_str()))
                    && output.contains(first_tick))
                .then_some(())
            },
        );
        process
    };
    process.check_alive();
    let server = Server {
        processes: vec![process],
        port,
        unix_socket: None,
    };
    let program_output = vec!["--program-output".to_owned(), log.display().to_string()];
    run_emacs(scenario, kind, &dir, &server, &program_output);
}

/// The command that runs a program file as a user would: `swankd --no-tcp FILE`, or
/// `sbcl --load FILE`.
fn program_command(kind: ServerKind, program: &Path) -> Command {
    match kind {
        ServerKind::Swankd => {
            let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
            command.arg("--no-tcp").arg(program);
            command
        }
        ServerKind::Sbcl => {
            require_tool(
                "sbcl",
                "--version",
                "sbcl cl-swank cl-bordeaux-threads cl-usocket",
            );
            let mut command = Command::new("sbcl");
            command
                .args(["--noinform", "--non-interactive", "--no-userinit"])
                .args(["--eval", "(require :asdf)", "--load"])
                .arg(program)
                .env(
                    "XDG_CACHE_HOME",
                    Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbcl-cache"),
                );
            command
        }
    }
}

/// A client of the echo server: one line out, one line back.
struct EchoClient {
    reader: std::io::BufReader<std::net::TcpStream>,
    writer: std::net::TcpStream,
}

impl EchoClient {
    fn connect(port: u16) -> EchoClient {
        let writer = std::net::TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("cannot connect to the echo server: {e}"));
        writer
            .set_read_timeout(Some(EMACS_TIMEOUT))
            .expect("set a read timeout");
        let reader = std::io::BufReader::new(writer.try_clone().expect("clone the stream"));
        EchoClient { reader, writer }
    }

    /// The reply to `line`, or why there was none.
    fn ask(&mut self, line: &str) -> Result<String, String> {
        use std::io::{BufRead, Write};
        writeln!(self.writer, "{line}").map_err(|e| format!("sending {line:?}: {e}"))?;
        let mut reply = String::new();
        match self.reader.read_line(&mut reply) {
            Ok(0) => Err(format!(
                "the server closed the connection before answering {line:?}"
            )),
            Ok(_) => Ok(reply.trim_end().to_owned()),
            Err(e) => Err(format!("no reply to {line:?}: {e}")),
        }
    }
}

/// `live-server`: examples/echo-server.lisp serves clients of this test, which keep
/// sending lines while Emacs redefines the server's `reply`. Every line gets exactly one
/// reply on the same connection, old replies turn into new ones once and for all, and
/// after Emacs is done every client gets the new reply.
fn run_live_server_scenario() {
    require_tool(&emacs_program(), "--version", "emacs-nox slime");
    let kind = server_kind();
    let dir = TempDir::new("live-server");
    let (swank_port, echo_port) = (free_port(), free_port());
    let source = read_lossy(&manifest_path("examples/echo-server.lisp"));
    assert!(
        source.contains(":port 4006") && source.contains("(serve 7007)"),
        "examples/echo-server.lisp no longer has the ports to replace"
    );
    let program_text = source
        .replace(":port 4006", &format!(":port {swank_port}"))
        .replace("(serve 7007)", &format!("(serve {echo_port})"));
    let program = dir.join("program.lisp");
    fs::write(&program, program_text).expect("write the program");
    let log = dir.join("program.log");
    let mut command = program_command(kind, &program);
    command.env("HOME", dir.home()).current_dir(dir.home());
    let mut process = {
        let _guard = SBCL_START.lock().unwrap_or_else(|e| e.into_inner());
        let mut process = Running::spawn("program", &mut command, log.clone());
        let swank_listening = [
            format!("listening on 127.0.0.1:{swank_port}"),
            format!("Swank started at port: {swank_port}"),
        ];
        let echo_listening = format!("echo server listening on port {echo_port}");
        wait_for(
            "the program to listen for Emacs and for echo clients",
            SBCL_START_TIMEOUT,
            &mut process,
            || {
                let output = read_lossy(&log);
                (swank_listening
                    .iter()
                    .any(|line| output.contains(line.as_str()))
                    && output.contains(&echo_listening))
                .then_some(())
            },
        );
        process
    };
    process.check_alive();

    let mut clients: Vec<EchoClient> = (0..3).map(|_| EchoClient::connect(echo_port)).collect();
    for (n, client) in clients.iter_mut().enumerate() {
        assert_eq!(
            client.ask(&format!("hello {n}")),
            Ok(format!("echo: hello {n}"))
        );
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let talkers: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, mut client)| {
            let stop = stop.clone();
            thread::spawn(move || {
                let mut replies = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let line = format!("client {n} line {i}");
                    let reply = client.ask(&line);
                    let failed = reply.is_err();
                    replies.push((line, reply));
                    if failed {
                        break;
                    }
                    i += 1;
                    thread::sleep(Duration::from_millis(10));
                }
                (client, replies)
            })
        })
        .collect();
    let server = Server {
        processes: vec![process],
        port: swank_port,
        unix_socket: None,
    };
    run_emacs("live-server", kind, &dir, &server, &[]);
    stop.store(true, Ordering::Relaxed);
    for talker in talkers {
        let (mut client, replies) = talker.join().expect("a client thread panicked");
        let mut patched = false;
        for (line, reply) in &replies {
            let reply = reply
                .as_ref()
                .unwrap_or_else(|e| panic!("{e}\n{}", server.logs()));
            let old = format!("echo: {line}");
            let new = format!("{}!", line.to_uppercase());
            if *reply == new {
                patched = true;
            } else if *reply != old || patched {
                panic!("{line:?} got {reply:?} (patched before: {patched})");
            }
        }
        assert_eq!(
            client.ask("after the patch"),
            Ok("AFTER THE PATCH!".to_owned())
        );
    }
}

/// A program that ticks and fails on its fourth tick, before any client connects.
const PARKED_PROGRAM: &str = "(defvar *n* 0)
(defun work () (if (= *n* 3) (error \"tick ~a failed\" *n*) (format t \"tick ~a~%\" *n*)))
(loop (sleep 0.05) (work) (incf *n*))
";

/// `parked-thread` needs what only swankd does: a program thread that failed with nobody
/// connected waits in the debugger for the next client. SBCL's swank cannot do that (its
/// main thread would enter SBCL's own debugger, or exit under --non-interactive).
fn run_parked_thread_scenario() {
    require_tool(&emacs_program(), "--version", "emacs-nox slime");
    if server_kind() == ServerKind::Sbcl {
        eprintln!("parked-thread: swankd only (SBCL's swank cannot park a thread)");
        return;
    }
    let dir = TempDir::new("parked-thread");
    let program = dir.join("program.lisp");
    fs::write(&program, PARKED_PROGRAM).expect("write the program");
    let port_file = dir.join("port");
    let log = dir.join("program.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .arg(&program)
        .env("HOME", dir.home())
        .current_dir(dir.home());
    let mut process = Running::spawn("swankd", &mut command, log.clone());
    let port = wait_for(
        "swankd to write its port file",
        SWANKD_START_TIMEOUT,
        &mut process,
        || read_port_file(&port_file),
    );
    wait_for(
        "the program to fail",
        SWANKD_START_TIMEOUT,
        &mut process,
        || read_lossy(&log).contains("tick 3 failed").then_some(()),
    );
    let server = Server {
        processes: vec![process],
        port,
        unix_socket: None,
    };
    let output = vec!["--program-output".to_owned(), log.display().to_string()];
    run_emacs("parked-thread", ServerKind::Swankd, &dir, &server, &output);
}

fn run_emacs(scenario: &str, kind: ServerKind, dir: &TempDir, server: &Server, extra: &[String]) {
    let mut args = vec![
        "--port".to_owned(),
        server.port.to_string(),
        "--timeout".to_owned(),
        HARNESS_TIMEOUT_SECS.to_string(),
    ];
    if let Some(socket) = &server.unix_socket {
        args.push("--unix".to_owned());
        args.push(socket.display().to_string());
    }
    args.extend_from_slice(extra);
    args.push(scenario.to_owned());
    let mut emacs = Running::spawn(
        "emacs",
        &mut harness_command(&dir.home(), &args),
        dir.join("emacs.log"),
    );
    let status = emacs.wait_bounded(EMACS_TIMEOUT);
    let verdict = match status {
        Some(status) if status.success() => return,
        Some(status) => format!("Emacs exited with {status}"),
        None => format!("Emacs was killed after {EMACS_TIMEOUT:?}"),
    };
    panic!(
        "scenario `{scenario}` failed against {kind:?} on port {} ({verdict})\n\
         ---- emacs output:\n{}{}",
        server.port,
        read_lossy(&emacs.log),
        server.logs()
    );
}

#[test]
fn every_scenario_has_a_test() {
    require_tool(&emacs_program(), "--version", "emacs-nox slime");
    let dir = TempDir::new("list");
    let mut emacs = Running::spawn(
        "emacs",
        &mut harness_command(&dir.home(), &["list".to_owned()]),
        dir.join("emacs.log"),
    );
    let status = emacs.wait_bounded(EMACS_TIMEOUT);
    let output = read_lossy(&emacs.log);
    assert!(
        status.is_some_and(|s| s.success()),
        "listing the scenarios failed ({status:?}):\n{output}"
    );
    let listed: Vec<&str> = output
        .lines()
        .filter_map(|line| line.strip_prefix("scenario "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    assert_eq!(
        listed, SCENARIOS,
        "tests/e2e/scenarios.el and tests/emacs_e2e.rs disagree on the scenarios"
    );
}

#[test]
fn connect() {
    run_scenario("connect", Transport::Tcp);
}

#[test]
fn repl() {
    run_scenario("repl", Transport::Tcp);
}

#[test]
fn eval_last_expression() {
    run_scenario("eval-last-expression", Transport::Tcp);
}

#[test]
fn two_connections() {
    run_scenario("two-connections", Transport::Tcp);
}

#[test]
fn reconnect() {
    run_scenario("reconnect", Transport::Tcp);
}

#[test]
fn unix_socket() {
    run_scenario("unix-socket", Transport::Unix);
}

#[test]
fn live_program() {
    run_program_scenario("live-program", "examples/demo.lisp", "hello world");
}

#[test]
fn live_class_change() {
    run_program_scenario(
        "live-class-change",
        "examples/accounts.lisp",
        "accounts: ann=",
    );
}

#[test]
fn compile_defun() {
    run_scenario("compile-defun", Transport::Tcp);
}

#[test]
fn compiler_notes() {
    run_scenario("compiler-notes", Transport::Tcp);
}

#[test]
fn trace_dialog() {
    run_scenario("trace-dialog", Transport::Tcp);
}

#[test]
fn sldb() {
    run_scenario("sldb", Transport::Tcp);
}

#[test]
fn sldb_use_value() {
    run_scenario("sldb-use-value", Transport::Tcp);
}

#[test]
fn completion() {
    run_scenario("completion", Transport::Tcp);
}

#[test]
fn autodoc() {
    run_scenario("autodoc", Transport::Tcp);
}

#[test]
fn macroexpand() {
    run_scenario("macroexpand", Transport::Tcp);
}

#[test]
fn describe() {
    run_scenario("describe", Transport::Tcp);
}

#[test]
fn find_definition() {
    run_scenario("find-definition", Transport::Tcp);
}

#[test]
fn parked_thread() {
    run_parked_thread_scenario();
}

#[test]
fn live_server() {
    run_live_server_scenario();
}

#[test]
fn sldb_frame() {
    run_scenario("sldb-frame", Transport::Tcp);
}

#[test]
fn find_methods() {
    run_scenario("find-methods", Transport::Tcp);
}

#[test]
fn who_calls() {
    run_scenario("who-calls", Transport::Tcp);
}
