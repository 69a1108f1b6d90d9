//! Starting the echo server under swankd or SBCL, waiting for the port it prints, and
//! killing it on drop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a server may take to print its port (SBCL compiles usocket on first use).
const START_TIMEOUT: Duration = Duration::from_secs(120);

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The release swankd running `program`.
pub fn swankd(program: &Path) -> Result<Server, String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .args(["--no-tcp", "--log-level", "error"])
        .arg(program);
    start(command)
}

/// SBCL running `program` with usocket (Debian's cl-usocket); keeps its compiled files in
/// `target/tmp`.
pub fn sbcl(program: &Path) -> Result<Server, String> {
    let mut command = Command::new(std::env::var("SWANK_BENCH_SBCL").unwrap_or("sbcl".into()));
    command
        .args(["--noinform", "--non-interactive", "--no-userinit"])
        .args(["--eval", "(require :asdf)", "--load"])
        .arg(program)
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("sbcl-cache"),
        );
    start(command)
}

fn start(mut command: Command) -> Result<Server, String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("cannot start {command:?}: {error}"))?;
    let Some(stdout) = child.stdout.take() else {
        return Err("no standard output".into());
    };
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line
                .strip_prefix("port ")
                .and_then(|p| p.parse::<u16>().ok())
            {
                let _ = sender.send(port);
            }
        }
    });
    let mut server = Server { child, port: 0 };
    server.port = receiver
        .recv_timeout(START_TIMEOUT)
        .map_err(|_| format!("no port printed within {START_TIMEOUT:?}"))?;
    Ok(server)
}
