//! Shared by the tests that run servers as processes (`conformance.rs`, `hostile.rs`): a
//! scratch directory, a child process killed on drop with its output in a log file, and
//! starting swankd or SBCL's swank on a free port announced through a port file.

#![allow(dead_code)]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long swankd may take to write its port file.
pub const SWANKD_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long SBCL may take; its first start compiles swank.
pub const SBCL_START_TIMEOUT: Duration = Duration::from_secs(300);

/// A directory under the system temp dir with a `home` inside, removed when dropped.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "swankd-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(path.join("home")).expect("create scratch directory");
        Scratch { path }
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    pub fn home(&self) -> PathBuf {
        self.path.join("home")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A child process, killed when dropped.
pub struct Process {
    pub what: &'static str,
    pub child: Child,
    pub log: PathBuf,
}

impl Process {
    pub fn spawn(what: &'static str, command: &mut Command, log: PathBuf) -> Process {
        let out = File::create(&log).expect("create log file");
        let err = out.try_clone().expect("clone log file");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {what} ({command:?}): {error}"));
        Process { what, child, log }
    }

    /// Panics with the process's output if it has exited.
    pub fn assert_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited with {status}\n---- its output:\n{}",
                self.what,
                self.output()
            );
        }
    }

    pub fn output(&self) -> String {
        fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// Waits for the port file at `path`, failing if the process exits or time runs out.
    pub fn wait_for_port(&mut self, path: &Path, timeout: Duration) -> u16 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(port) = fs::read_to_string(path)
                .ok()
                .and_then(|text| text.trim().parse::<u16>().ok())
                .filter(|&port| port != 0)
            {
                return port;
            }
            self.assert_alive();
            assert!(
                Instant::now() < deadline,
                "{} wrote no port file within {timeout:?}\n---- its output:\n{}",
                self.what,
                self.output()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon binary with a private HOME, on a free port; `extra` adds arguments.
pub fn start_swankd(scratch: &Scratch, extra: &[&str]) -> (Process, u16) {
    let port_file = scratch.join("swankd.port");
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .args(extra)
        .env("HOME", scratch.home())
        .env_remove("RUST_LOG");
    let mut process = Process::spawn("swankd", &mut command, scratch.join("swankd.log"));
    let port = process.wait_for_port(&port_file, SWANKD_START_TIMEOUT);
    (process, port)
}

/// SBCL's own swank (`tests/e2e/sbcl-swank.lisp`), with HOME in `scratch` (so a
/// `.slime-secret` there applies). Fails with an installation hint if SBCL is missing.
pub fn start_sbcl(scratch: &Scratch) -> (Process, u16) {
    static SBCL_START: Mutex<()> = Mutex::new(());
    let installed = Command::new("sbcl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        installed,
        "SBCL is not installed: apt-get install sbcl cl-swank (scripts/test does it)"
    );
    let port_file = scratch.join("sbcl.port");
    // Debian's swank-loader compiles into $XDG_CACHE_HOME: keep it between runs.
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
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/sbcl-swank.lisp"))
        .env("HOME", scratch.home())
        .env("SWANKD_E2E_PORT_FILE", &port_file)
        .env("XDG_CACHE_HOME", &cache)
        .current_dir(scratch.home());
    // Two first starts at once would compile swank into the same cache together.
    let _guard = SBCL_START.lock().unwrap_or_else(|error| error.into_inner());
    let mut process = Process::spawn("sbcl", &mut command, scratch.join("sbcl.log"));
    let port = process.wait_for_port(&port_file, SBCL_START_TIMEOUT);
    (process, port)
}
