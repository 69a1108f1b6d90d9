//! A running program keeps its rhythm while clients come and go: `examples/ticker.lisp`
//! prints consecutive `tick N` lines while a hundred clients connect, ask for
//! `connection-info` and leave, half of them vanishing in the middle of an endless
//! evaluation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const CLIENTS: usize = 100;
/// How long a vanishing client lets its endless evaluation run before it leaves.
const SPIN_BEFORE_VANISHING: Duration = Duration::from_millis(25);
const PATIENCE: Duration = Duration::from_secs(10);
/// How long the program may take to tick again once the clients are gone.
const STILL_TICKING_WITHIN: Duration = Duration::from_secs(5);

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "swankd-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The daemon running the ticker, killed when dropped; its stdout arrives line by line.
struct Ticker {
    child: Child,
    lines: Receiver<String>,
    port: u16,
}

impl Ticker {
    fn start(home: &TempDir) -> Self {
        let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ticker.lisp");
        let port_file = home.path().join("port");
        let mut child = Command::new(env!("CARGO_BIN_EXE_swankd"))
            .env("HOME", home.path())
            .env_remove("RUST_LOG")
            .args(["--port", "0", "--log-level", "error", "--port-file"])
            .arg(&port_file)
            .arg(&program)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut ticker = Ticker {
            child,
            lines,
            port: 0,
        };
        ticker.port = read_port(&port_file);
        ticker
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_port(port_file: &Path) -> u16 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let port = std::fs::read_to_string(port_file)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        if let Some(port) = port {
            return port;
        }
        assert!(Instant::now() < deadline, "swankd wrote no port file");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn send(stream: &mut TcpStream, sexp: &str) {
    let payload = format!("{sexp}\n");
    write!(stream, "{:06x}{payload}", payload.len()).unwrap();
}

fn receive(stream: &mut TcpStream) -> String {
    let mut header = [0u8; 6];
    stream.read_exact(&mut header).unwrap();
    let length = usize::from_str_radix(std::str::from_utf8(&header).unwrap(), 16).unwrap();
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).unwrap();
    String::from_utf8(payload).unwrap()
}

/// One client: asks for connection-info and reads the reply; when `vanish` is set, it then
/// starts an endless evaluation and leaves, without a reply, while it spins.
fn visit(port: u16, vanish: bool) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    send(
        &mut stream,
        r#"(:emacs-rex (swank:connection-info) "COMMON-LISP-USER" t 1)"#,
    );
    let reply = loop {
        let message = receive(&mut stream);
        if message.starts_with("(:return ") {
            break message;
        }
    };
    assert!(reply.starts_with("(:return (:ok (:pid "), "{reply}");
    assert!(reply.ends_with(" 1)"), "{reply}");
    if vanish {
        send(
            &mut stream,
            r#"(:emacs-rex (swank:interactive-eval "(loop)") "COMMON-LISP-USER" t 2)"#,
        );
        std::thread::sleep(SPIN_BEFORE_VANISHING);
    }
}

fn tick_number(line: &str) -> u64 {
    line.strip_prefix("tick ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a tick line: {line:?}"))
}

/// Moves every line that has arrived into `ticks`.
fn collect(lines: &Receiver<String>, ticks: &mut Vec<u64>) {
    ticks.extend(lines.try_iter().map(|line| tick_number(&line)));
}

/// Waits until a tick numbered above `after` arrives, collecting everything on the way.
fn wait_for_tick_after(
    lines: &Receiver<String>,
    ticks: &mut Vec<u64>,
    after: Option<u64>,
    within: Duration,
) {
    let deadline = Instant::now() + within;
    while ticks.last().copied() <= after {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => ticks.push(tick_number(&line)),
            Err(RecvTimeoutError::Timeout) => {
                panic!("no tick after {after:?} within {within:?}")
            }
            Err(RecvTimeoutError::Disconnected) => panic!("swankd's stdout closed"),
        }
    }
}

#[test]
fn a_program_keeps_ticking_while_a_hundred_clients_come_and_go() {
    let home = TempDir::new("reconnects");
    let ticker = Ticker::start(&home);
    let mut ticks = Vec::new();
    wait_for_tick_after(&ticker.lines, &mut ticks, None, PATIENCE);

    for client in 0..CLIENTS {
        visit(ticker.port, client % 2 == 1);
        collect(&ticker.lines, &mut ticks);
    }
    let after_churn = ticks.last().copied();
    eprintln!(
        "{} ticks while {CLIENTS} clients came and went",
        ticks.len()
    );
    wait_for_tick_after(&ticker.lines, &mut ticks, after_churn, STILL_TICKING_WITHIN);
    collect(&ticker.lines, &mut ticks);

    assert_eq!(ticks.first(), Some(&0), "the first tick is tick 0");
    for pair in ticks.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "ticks are consecutive: {ticks:?}");
    }
}
