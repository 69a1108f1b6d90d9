//! Helpers shared by the tests that run swankd the way docs/REMOTE.md and
//! docs/SERVICE.md describe: temporary directories, child processes killed when
//! dropped, free ports, bounded waits.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long any single wait may take.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A directory under the system temp dir (mode 0755), removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "swankd-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process, killed (and reaped) when dropped.
pub struct Process {
    pub name: &'static str,
    pub child: Child,
}

impl Process {
    pub fn spawn(name: &'static str, command: &mut Command) -> Self {
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name} ({command:?}): {error}"));
        Process { name, child }
    }

    /// Whether the process is still running (not exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself, at most `limit`; kills it after that.
    /// Returns whether it exited in time.
    pub fn wait_bounded(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if !self.is_running() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        false
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Calls `probe` every 50 ms until it returns `Some`, for at most `PATIENCE`; panics
/// with `what` (and the last probe's complaint) otherwise.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match probe() {
            Ok(value) => return value,
            Err(complaint) => {
                assert!(
                    Instant::now() < deadline,
                    "gave up after {PATIENCE:?} waiting for {what}: {complaint}"
                );
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Fails with a hint to install `package` if `program` is not there.
pub fn require_program(program: &str, package: &str) {
    assert!(
        Path::new(program).exists(),
        "{program} is missing: apt-get install {package} (scripts/test installs it)"
    );
}

/// Writes `text` to `path`.
pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|error| panic!("writing {path:?}: {error}"));
}

/// Contents of a file, or "" if it cannot be read (for diagnostics).
pub fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}
