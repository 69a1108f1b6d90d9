//! The daemon's life: logging, the tokio runtime, listeners, the interpreter, signals and
//! shutdown.
//!
//! Order of events in [`run`]: set up logging; bind every listener (so a port problem is
//! reported before any Lisp code runs); start the interpreter, which then loads the files and
//! evaluates the `--eval` forms; start accepting; print one `swankd: listening on ...` line
//! per listener on stderr and write the port file; wait for SIGINT, SIGTERM or a Lisp exit
//! request; then stop accepting, close every connection (removing the Unix socket file), stop
//! the interpreter, and return the exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{Config, LogConfig, LogFormat};
use crate::events::ToInterpreter;
use crate::runtime::{self, RuntimeConfig, RuntimeHandle};
use crate::server::{
    self, BoundListener, ListenerAddress, RuntimeListeners, ServerHandle, ServerSettings,
};
use crate::sockets::{ProgramSockets, SocketSettings};

/// Worker threads for the network side: connections are I/O-bound, and the interpreter has
/// its own thread.
const NETWORK_WORKER_THREADS: usize = 2;
/// How long the interpreter gets to stop before the process exits without it.
const INTERPRETER_STOP_GRACE: Duration = Duration::from_secs(10);

/// Why the daemon could not run.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot start the network runtime: {0}")]
    NetworkRuntime(std::io::Error),
    #[error(transparent)]
    Listen(#[from] server::ServerError),
    #[error(transparent)]
    Interpreter(#[from] runtime::StartError),
    #[error("cannot write the port file {path}: {source}")]
    PortFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch for signals: {0}")]
    Signals(std::io::Error),
    #[error("the interpreter stopped unexpectedly")]
    InterpreterStopped,
}

/// Runs the daemon until it is told to stop; returns the process exit code.
pub fn run(config: Config) -> Result<i32, DaemonError> {
    init_logging(&config.log);
    let network = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(NETWORK_WORKER_THREADS)
        .max_blocking_threads(4)
        .thread_name("swankd-net")
        .enable_all()
        .build()
        .map_err(DaemonError::NetworkRuntime)?;
    let (interpreter, outcome) = network.block_on(serve(config))?;
    stop_interpreter(interpreter);
    network.shutdown_timeout(Duration::from_secs(1));
    outcome
}

/// Sets up `tracing` to stderr. A second call (tests) keeps the first subscriber.
fn init_logging(log: &LogConfig) {
    let filter = log
        .filter
        .parse::<Targets>()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // Its fallback report uses `eprintln!`, which panics once stderr is closed; a daemon
        // whose stderr went away must keep running.
        .log_internal_errors(false);
    let _ = match log.format {
        LogFormat::Plain => builder.finish().with(filter).try_init(),
        LogFormat::Json => builder.json().finish().with(filter).try_init(),
    };
}

/// Binds, starts the interpreter, serves until told to stop. Errors before the interpreter
/// starts are returned directly; later ones come back with the interpreter so it is always
/// stopped.
async fn serve(config: Config) -> Result<(RuntimeHandle, Result<i32, DaemonError>), DaemonError> {
    if let Some(address) = config.tcp.filter(|address| !address.ip().is_loopback()) {
        tracing::warn!(%address, "listening on a non-loopback address (--allow-remote): anyone who can reach it and knows the secret can run code");
    }
    let mut bound = Vec::new();
    let stdin_is_pipe = stdin_is_pipe();
    if let Some(address) = config.tcp {
        match server::bind_tcp(address).await {
            Ok(listener) => bound.push(listener),
            // Started by M-x slime as the inferior Lisp, swankd listens where SLIME's
            // start-up forms say (swank:start-server), so a busy default port is no reason
            // to fail.
            Err(error) if stdin_is_pipe && config.default_tcp => {
                tracing::warn!(%error, "the default port is not available; going on without it");
            }
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(path) = &config.unix {
        bound.push(server::bind_unix(path)?);
    }

    let (sender, receiver) = mpsc::channel();
    let server = ServerHandle::new(server_settings(&config), sender.clone());
    let listeners = RuntimeListeners::new(server.clone(), tokio::runtime::Handle::current());
    crate::sockets::timeouts::configure(crate::sockets::timeouts::SocketTimeouts {
        handshake: Duration::from_secs(config.limits.socket_handshake_seconds),
        close_linger: Duration::from_secs(config.limits.socket_close_seconds),
    });
    let sockets = ProgramSockets::new(
        tokio::runtime::Handle::current(),
        SocketSettings {
            max_sockets: config.limits.max_program_sockets,
            buffer_bytes: config.limits.socket_buffer_bytes,
            allow_remote: config.allow_remote,
        },
        sender.clone(),
    );
    let runtime_config = RuntimeConfig {
        files: config.files.clone(),
        evals: config.evals.clone(),
        slime_version: config.slime_version.clone(),
        unacknowledged_output_limit: config.limits.max_unacknowledged_output,
        idle_spin: config.limits.idle_spin,
        idle_collection_bytes: config.limits.idle_collection_bytes,
        allow_quit: config.allow_quit,
        orphan_errors: config.orphan_errors,
        system: crate::lisp::system::SystemConfig {
            heap_limit: config.limits.heap_limit_bytes,
            collection_interval: config.limits.collection_interval_bytes,
            limits: crate::lisp::vm::Limits {
                max_frames: config.limits.max_call_depth,
                ..Default::default()
            },
        },
        listeners: Some(Arc::new(listeners)),
        sockets: Some(Arc::new(sockets)),
    };
    let input = stdin_is_pipe.then(|| sender.clone());
    let mut interpreter = runtime::start_on(runtime_config, sender, receiver)?;
    if let Some(sender) = input {
        forward_standard_input(sender);
    }
    let outcome = serve_until_stopped(&config, &server, bound, &mut interpreter).await;
    server.shutdown().await;
    Ok((interpreter, outcome))
}

async fn serve_until_stopped(
    config: &Config,
    server: &ServerHandle,
    bound: Vec<BoundListener>,
    interpreter: &mut RuntimeHandle,
) -> Result<i32, DaemonError> {
    let mut terminate = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    for listener in bound {
        let address = server.start(listener)?;
        if let (ListenerAddress::Tcp(socket), Some(path)) = (&address, &config.port_file) {
            write_port_file(path, socket.port())?;
        }
        announce(&format!("swankd: listening on {address}"));
    }
    tokio::select! {
        _ = terminate.recv() => {
            tracing::info!("SIGTERM received; shutting down");
            Ok(0)
        }
        _ = interrupt.recv() => {
            tracing::info!("SIGINT received; shutting down");
            Ok(0)
        }
        requested = &mut interpreter.exit_requested => match requested {
            Ok(code) => {
                tracing::info!(code, "exit requested by Lisp; shutting down");
                Ok(code)
            }
            Err(_) => {
                tracing::error!("the interpreter stopped without asking to exit; shutting down");
                Err(DaemonError::InterpreterStopped)
            }
        },
    }
}

/// Prints a line on stderr for whoever started the daemon; a closed stderr is not an error.
fn announce(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn server_settings(config: &Config) -> ServerSettings {
    ServerSettings {
        max_frame_bytes: config.limits.max_frame_bytes,
        max_connections: config.limits.max_connections,
        outbox_capacity: config.limits.outbox_capacity,
        max_pending_requests: config.limits.max_pending_requests,
        frame_timeout: Some(config.limits.frame_timeout),
        secret_file: config.secret_file.clone(),
        allowed_uids: std::iter::once(server::unix::effective_uid())
            .chain(config.extra_uids.iter().copied())
            .collect(),
        allow_remote: config.allow_remote,
        ..ServerSettings::default()
    }
}

/// Writes `port` and a newline atomically (a temporary file renamed into place), so a
/// polling Emacs never reads a half-written number.
fn write_port_file(path: &Path, port: u16) -> Result<(), DaemonError> {
    let port_file_error = |source| DaemonError::PortFile {
        path: path.to_path_buf(),
        source,
    };
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".tmp{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, format!("{port}\n")).map_err(port_file_error)?;
    std::fs::rename(&temporary, path).map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        port_file_error(error)
    })
}

/// Stops the interpreter, giving up after a grace period so a wedged interpreter cannot keep
/// the process alive.
fn stop_interpreter(interpreter: RuntimeHandle) {
    let (done, stopped) = mpsc::channel();
    let stopper = std::thread::Builder::new()
        .name("swankd-stop".into())
        .spawn(move || {
            interpreter.shutdown();
            let _ = done.send(());
        });
    match stopper {
        Ok(_) => {
            if stopped.recv_timeout(INTERPRETER_STOP_GRACE).is_err() {
                tracing::error!(
                    grace = ?INTERPRETER_STOP_GRACE,
                    "the interpreter did not stop in time; exiting without it"
                );
            }
        }
        Err(error) => tracing::error!(%error, "cannot start the thread that stops the interpreter"),
    }
}

/// Whether standard input is a pipe or socket: then a program (SLIME's `M-x slime`) is
/// writing Lisp forms there. A terminal, `/dev/null` or a file is not read.
fn stdin_is_pipe() -> bool {
    // SAFETY: fstat(2) on descriptor 0 with a zeroed stat buffer this function owns.
    let mut status: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(0, &mut status) } != 0 {
        return false;
    }
    let kind = status.st_mode & libc::S_IFMT;
    kind == libc::S_IFIFO || kind == libc::S_IFSOCK
}

/// Sends what arrives on standard input to the interpreter, which evaluates each complete
/// form as the program's; stops at end of input.
fn forward_standard_input(sender: crate::events::InterpreterSender) {
    let spawned = std::thread::Builder::new()
        .name("swankd-stdin".into())
        .spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buffer = [0u8; 4096];
            let mut pending: Vec<u8> = Vec::new();
            loop {
                match stdin.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(count) => {
                        pending.extend_from_slice(&buffer[..count]);
                        // Keep only a character cut in half for the next read.
                        let valid = match std::str::from_utf8(&pending) {
                            Err(error) if error.error_len().is_none() => error.valid_up_to(),
                            _ => pending.len(),
                        };
                        let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
                        pending.drain(..valid);
                        if sender.send(ToInterpreter::Input { text }).is_err() {
                            return;
                        }
                    }
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot read standard input");
    }
}
