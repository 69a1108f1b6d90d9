//! Starting `swankd` with the ticking program, reading its stdout, and killing it on drop.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::program::{self, Tick};

const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub enum StartError {
    Io(io::Error),
    /// No port file, or no first tick, within the start-up timeout.
    NotReady(&'static str),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "{err}"),
            Self::NotReady(what) => write!(f, "{what} within {} s", START_TIMEOUT.as_secs()),
        }
    }
}

impl From<io::Error> for StartError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// The running daemon; its ticks arrive on `ticks`.
pub struct Daemon {
    child: Child,
    pub addr: SocketAddr,
    pub ticks: Receiver<Tick>,
    scratch: PathBuf,
}

impl Daemon {
    /// Starts `target/release/swankd PROGRAM` on a free port and waits for its first tick.
    pub fn start() -> Result<Daemon, StartError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let scratch =
            std::env::temp_dir().join(format!("swankd-bench-ticks-{}-{nanos}", std::process::id()));
        fs::create_dir_all(scratch.join("home"))?;
        let source = scratch.join("ticker.lisp");
        fs::write(&source, program::SOURCE)?;
        let port_file = scratch.join("port");
        let mut child = Command::new(env!("CARGO_BIN_EXE_swankd"))
            .args(["--port", "0", "--log-level", "error", "--port-file"])
            .arg(&port_file)
            .arg(&source)
            .env("HOME", scratch.join("home"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(scratch.join("stderr.log"))?)
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or(StartError::NotReady("no stdout"))?;
        let (sender, ticks) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Some(tick) = Tick::parse(&line, Instant::now()) else {
                    continue;
                };
                if sender.send(tick).is_err() {
                    break;
                }
            }
        });
        let mut daemon = Daemon {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ticks,
            scratch,
        };
        daemon.addr.set_port(wait_for_port(&port_file)?);
        daemon
            .ticks
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| StartError::NotReady("no tick"))?;
        Ok(daemon)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.scratch);
    }
}

fn wait_for_port(port_file: &Path) -> Result<u16, StartError> {
    let started = Instant::now();
    loop {
        let port = fs::read_to_string(port_file)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .filter(|&port: &u16| port != 0);
        if let Some(port) = port {
            return Ok(port);
        }
        if started.elapsed() > START_TIMEOUT {
            return Err(StartError::NotReady("no port file"));
        }
        thread::sleep(Duration::from_millis(20));
    }
}
