//! Starting the two servers under comparison, and making sure they stop.
//!
//! Each server runs with `HOME` set to a fresh scratch folder, so no `~/.slime-secret` (or
//! `~/.sbclrc`) changes what is measured, and announces its port through a port file there.
//! [`Server`] kills its process when dropped, which also happens when the bench panics. On Linux
//! the kernel also kills it when the bench dies of a signal (Ctrl-C, SIGKILL), which skips
//! `Drop`; elsewhere SBCL at least exits when its standard input closes.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where Debian's `slime` package puts the loader.
const DEFAULT_SWANK_LOADER: &str = "/usr/share/common-lisp/source/slime/swank-loader.lisp";

/// How often the port file is looked at while a server starts; also the resolution of the
/// start-up time.
const PORT_POLL: Duration = Duration::from_millis(1);

/// How many lines of a server's output a start-up failure quotes.
const LOG_TAIL_LINES: usize = 15;

/// Why a server could not be started.
#[derive(Debug)]
pub enum StartError {
    /// The program (or, for SBCL, swank's loader) is not on this machine.
    NotInstalled(String),
    /// The process exited before announcing its port.
    Exited { status: ExitStatus, log: String },
    /// The process kept running but wrote no port within the start-up timeout.
    NoPort { waited: Duration, log: String },
    /// Creating the scratch folder or the process failed.
    Io(io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotInstalled(what) => write!(f, "not installed ({what})"),
            Self::Exited { status, log } => {
                write!(f, "exited with {status} before writing its port file")?;
                write_log_tail(f, log)
            }
            Self::NoPort { waited, log } => {
                write!(f, "no port file after {} s", waited.as_secs())?;
                write_log_tail(f, log)
            }
            Self::Io(err) => write!(f, "{err}"),
        }
    }
}

fn write_log_tail(f: &mut fmt::Formatter<'_>, log: &str) -> fmt::Result {
    if log.trim().is_empty() {
        return write!(f, "; it printed nothing");
    }
    write!(f, "; its last output (backtrace frames left out):")?;
    let lines: Vec<&str> = log.lines().filter(|line| !is_frame(line)).collect();
    for line in &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..] {
        write!(f, "\n    {line}")?;
    }
    Ok(())
}

/// Whether `line` is a backtrace frame like SBCL's `12: (EVAL ...)`, which would otherwise push
/// the error message itself out of the quoted tail.
fn is_frame(line: &str) -> bool {
    let line = line.trim_start();
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && line[digits..].starts_with(": ")
}

impl From<io::Error> for StartError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// A running server; dropping it kills the process and removes its scratch folder.
pub struct Server {
    child: Child,
    /// Where the server listens.
    pub addr: SocketAddr,
    /// Just before the process was spawned.
    pub spawned: Instant,
    _scratch: Scratch,
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts SBCL's swank (`:spawn` style, accepting many connections) on a free port.
///
/// `sbcl` and `loader` override where SBCL and `swank-loader.lisp` are looked for.
pub fn start_sbcl(
    sbcl: Option<PathBuf>,
    loader: Option<PathBuf>,
    start_timeout: Duration,
) -> Result<Server, StartError> {
    let loader = loader.unwrap_or_else(|| PathBuf::from(DEFAULT_SWANK_LOADER));
    if !loader.is_file() {
        return Err(StartError::NotInstalled(format!("no {}", loader.display())));
    }
    let scratch = Scratch::create("sbcl")?;
    let port_file = scratch.path("port");
    let mut command = Command::new(sbcl.unwrap_or_else(|| PathBuf::from("sbcl")));
    command
        .args([
            "--noinform",
            "--non-interactive",
            "--no-sysinit",
            "--no-userinit",
        ])
        .args(
            swank_evals(&loader, &port_file)
                .iter()
                .flat_map(|form| ["--eval", form]),
        )
        // swank-loader compiles swank on first use; keep the fasls between runs.
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("swank-fasl"),
        )
        .env_remove("XDG_CONFIG_HOME");
    launch(command, scratch, &port_file, start_timeout)
}

/// The forms SBCL evaluates: load swank, start it, then serve until stdin closes.
fn swank_evals(loader: &Path, port_file: &Path) -> [String; 5] {
    [
        format!("(load {})", lisp_string(loader)),
        "(swank-loader:init)".to_owned(),
        // Otherwise swank may push `:indentation-update` events to a new connection.
        "(setf swank:*configure-emacs-indentation* nil)".to_owned(),
        format!(
            "(swank:start-server {} :style :spawn :dont-close t)",
            lisp_string(port_file)
        ),
        "(progn (read-line *standard-input* nil) (sb-ext:exit :abort t))".to_owned(),
    ]
}

/// Starts this crate's `swankd` on a free port.
pub fn start_swankd(start_timeout: Duration) -> Result<Server, StartError> {
    let scratch = Scratch::create("swankd")?;
    let port_file = scratch.path("port");
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command.args(["--port", "0", "--port-file"]).arg(&port_file);
    launch(command, scratch, &port_file, start_timeout)
}

/// Spawns `command` with `HOME` in `scratch` and output in its log, then waits for the port.
fn launch(
    mut command: Command,
    scratch: Scratch,
    port_file: &Path,
    start_timeout: Duration,
) -> Result<Server, StartError> {
    let log_path = scratch.path("output.log");
    let log = File::create(&log_path)?;
    command
        .env("HOME", scratch.path("home"))
        .stdin(Stdio::piped())
        .stdout(log.try_clone()?)
        .stderr(log);
    die_with_parent(&mut command);
    let spawned = Instant::now();
    let child = command.spawn().map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => {
            StartError::NotInstalled(format!("{:?} not found", command.get_program()))
        }
        _ => StartError::Io(err),
    })?;
    let mut server = Server {
        child,
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        spawned,
        _scratch: scratch,
    };
    let port = wait_for_port(&mut server.child, port_file, &log_path, start_timeout)?;
    server.addr.set_port(port);
    Ok(server)
}

/// Has the kernel SIGKILL the child when the bench exits, however it exits.
///
/// Needed beyond `Drop`: on Ctrl-C SBCL gets SIGINT too, and with a client connected swank's
/// debugger hook (not `--non-interactive`'s) parks the main thread in SLDB for that client,
/// where it stays once the client is gone, so SBCL would stay behind.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the child between fork and exec; it only calls `prctl`, which
    // is async-signal-safe, and allocates nothing unless `prctl` fails.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// Polls `port_file` until it holds a port number, the process exits, or time runs out.
fn wait_for_port(
    child: &mut Child,
    port_file: &Path,
    log: &Path,
    start_timeout: Duration,
) -> Result<u16, StartError> {
    let started = Instant::now();
    loop {
        if let Some(port) = read_port(port_file) {
            return Ok(port);
        }
        if let Some(status) = child.try_wait()? {
            let log = fs::read_to_string(log).unwrap_or_default();
            return Err(StartError::Exited { status, log });
        }
        if started.elapsed() > start_timeout {
            let log = fs::read_to_string(log).unwrap_or_default();
            return Err(StartError::NoPort {
                waited: start_timeout,
                log,
            });
        }
        thread::sleep(PORT_POLL);
    }
}

/// The port in a port file; `None` while the file is missing or only partly written (both
/// servers end the number with a newline).
fn read_port(port_file: &Path) -> Option<u16> {
    let text = fs::read_to_string(port_file).ok()?;
    let digits = text.strip_suffix('\n')?;
    digits.trim().parse().ok().filter(|&port| port != 0)
}

/// `path` as a Common Lisp string literal.
fn lisp_string(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A private folder under the system's temp dir, removed on drop.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    /// Creates `<tmp>/swankd-bench-LABEL-PID-NANOS/home`.
    fn create(label: &str) -> io::Result<Self> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!("swankd-bench-{label}-{}-{nanos}", std::process::id());
        let root = std::env::temp_dir().join(name);
        fs::create_dir_all(root.join("home"))?;
        Ok(Self { root })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}
