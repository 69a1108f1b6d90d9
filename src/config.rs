//! The command line: clap parses raw arguments into [`Cli`], and [`Config::from_cli`]
//! validates them (with the environment's `HOME` and `RUST_LOG`) into a [`Config`] that the
//! rest of the daemon uses. Validation never panics; every problem is a [`ConfigError`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::wire::MAX_FRAME_BYTES;

/// Smallest accepted `--max-frame-bytes`: room for any message swankd itself composes.
pub const MIN_FRAME_BYTES: usize = 256;
const DEFAULT_PORT: u16 = 4005;
const DEFAULT_LOG_FILTER: &str = "info";
const DEFAULT_FRAME_TIMEOUT_SECS: u64 = 60;
const DEFAULT_HEAP_LIMIT_MIB: usize = 2048;
const DEFAULT_COLLECTION_INTERVAL_KIB: usize = crate::lisp::heap::DEFAULT_COLLECTION_INTERVAL >> 10;
const DEFAULT_MAX_CALL_DEPTH: usize = 100_000;

/// A Swank server with an embedded Lisp, for SLIME's `M-x slime-connect`.
#[derive(Debug, Parser)]
#[command(name = "swankd", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Lisp files to load, in order, once the listeners are up.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Address to listen on for TCP (an IP address or `localhost`). Default 127.0.0.1.
    /// A non-loopback address needs --allow-remote and an existing secret file.
    #[arg(long, value_name = "ADDR")]
    pub host: Option<String>,

    /// Allow TCP listeners on non-loopback addresses (--host, `swank:create-server`'s
    /// :interface, and the program's usocket and WebSocket listeners). Refused unless the
    /// secret file (--secret-file, ~/.slime-secret) exists.
    #[arg(long)]
    pub allow_remote: bool,

    /// TCP port; 0 lets the OS choose one (see --port-file). Default 4005.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,

    /// Also listen on a Unix socket at PATH (created with mode 0600). Its directory must not
    /// be writable by group or others unless it is sticky (like /tmp).
    #[arg(long, value_name = "PATH")]
    pub unix: Option<PathBuf>,

    /// Also serve Unix-socket peers with this uid (repeatable). By default only peers with
    /// swankd's own effective uid are served; others are closed and logged.
    #[arg(long = "allow-uid", value_name = "UID")]
    pub allow_uids: Vec<u32>,

    /// Do not listen on TCP: the program listens itself (`swank:create-server`), or --unix.
    #[arg(long)]
    pub no_tcp: bool,

    /// Write the TCP port to PATH as a decimal integer once listening, as `M-x slime` expects.
    #[arg(long, value_name = "PATH")]
    pub port_file: Option<PathBuf>,

    /// Evaluate FORM after loading the files (repeatable, in order).
    #[arg(long = "eval", value_name = "FORM")]
    pub evals: Vec<String>,

    /// Log filter such as `debug` or `swankd=debug,info`; defaults to $RUST_LOG, else `info`.
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,

    /// Log line format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Plain)]
    pub log_format: LogFormat,

    /// SLIME version reported to Emacs in connection-info.
    #[arg(long, value_name = "VERSION", default_value = "2.27")]
    pub slime_version: String,

    /// Refuse swank:quit-lisp.
    #[arg(long)]
    pub no_quit: bool,

    /// What a program thread's unhandled error does while no Emacs is connected: `park`
    /// the thread in the debugger until a client connects (shown to it in SLDB), or
    /// `abort` the thread. Either way it is logged with a backtrace.
    #[arg(long, value_enum, default_value_t = OrphanErrors::Park)]
    pub orphan_errors: OrphanErrors,

    /// Secret file whose first line clients must send first; used only if it exists.
    /// Default: $HOME/.slime-secret.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,

    /// Largest frame payload accepted or sent, in bytes (256 to 16777215).
    #[arg(long, value_name = "BYTES", default_value_t = MAX_FRAME_BYTES)]
    pub max_frame_bytes: usize,

    /// Connections served at once; further clients wait.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: u32,

    /// Messages queued for one client before the interpreter is told the client is not keeping
    /// up.
    #[arg(long, value_name = "N", default_value_t = 4096)]
    pub outbox_capacity: usize,

    /// Requests of one connection awaiting a reply; further requests are aborted at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_pending_requests: usize,

    /// Sockets the Lisp program may hold open at once (usocket listeners, connections and
    /// accepted clients); more fail with an error, and further clients wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub max_program_sockets: usize,

    /// Bytes buffered for each program socket in each direction. A peer that sends more
    /// than the program reads is held back by TCP; a line longer than this is an error.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub socket_buffer_bytes: usize,

    /// Seconds a WebSocket client of the program may take over its opening handshake.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub socket_handshake_seconds: u64,

    /// Seconds a closing program socket may take to send what is queued and to finish the
    /// WebSocket closing handshake.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub socket_close_seconds: u64,
    /// Bytes of output a connection's threads may gather while SLIME 2.28 or later has not
    /// yet answered the output in flight with :write-done; beyond it they wait.
    #[arg(long, value_name = "BYTES", default_value_t = 65536)]
    pub max_unacknowledged_output: usize,

    /// Microseconds the interpreter, with nothing left to run, keeps checking for the next
    /// request before it sleeps; a request arriving meanwhile is answered sooner. 0 sleeps at
    /// once (no busy waiting at all).
    #[arg(long, value_name = "MICROSECONDS", default_value_t = 100)]
    pub idle_spin_micros: u64,

    /// KiB of allocation after which the interpreter, with nothing left to run, collects
    /// garbage before it sleeps, rather than waiting for the heap to double: a service that
    /// allocates a little per request or tick stays small. 0 collects only when the heap
    /// has doubled.
    #[arg(long, value_name = "KIB", default_value_t = 4096)]
    pub idle_collection_kib: usize,

    /// KiB of allocation after which a collection may run at the next switch between
    /// threads: more when the heap is larger (it may double while it grows), never less, so
    /// a small heap's garbage stays about this small under any load.
    #[arg(long, value_name = "KIB", default_value_t = DEFAULT_COLLECTION_INTERVAL_KIB)]
    pub collection_interval_kib: usize,

    /// Seconds a frame may take from its first byte to its last before its connection is
    /// closed (a client that announces a length and stalls). Waiting between frames is
    /// not limited.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_FRAME_TIMEOUT_SECS)]
    pub frame_timeout: u64,

    /// Lisp heap size in MiB; an allocation beyond it signals STORAGE-CONDITION in the
    /// thread that asked.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_HEAP_LIMIT_MIB)]
    pub heap_limit_mib: usize,

    /// Nested calls one Lisp thread may make; deeper recursion signals "Control stack
    /// exhausted" (a STORAGE-CONDITION) in that thread.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CALL_DEPTH)]
    pub max_call_depth: usize,
}

/// What `swankd` does instead of serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the protocol conformance scenarios against a running Swank server (swankd or any
    /// other, such as SBCL's swank); exit code 1 if any fails.
    Conformance(ConformanceArgs),
}

/// Options of `swankd conformance`.
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// The server: HOST:PORT (e.g. 127.0.0.1:4005) or unix:PATH.
    #[arg(value_name = "ADDR")]
    pub address: String,

    /// Send this file's first line as the secret, as Emacs does with ~/.slime-secret, and
    /// run the secret scenarios.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,

    /// Seconds to wait for any expected message before a scenario fails.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,

    /// Run only the scenarios whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
}

/// What an unhandled error in a program thread does while no Emacs is connected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OrphanErrors {
    /// Wait in the debugger; the next client to open a REPL is shown it in SLDB.
    #[default]
    Park,
    /// Invoke the thread's ABORT restart (the thread ends).
    Abort,
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Plain,
    /// One JSON object per line.
    Json,
}

/// Logging settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// A `tracing_subscriber::filter::Targets` directive (`info`, `swankd=debug,warn`),
    /// already checked to parse.
    pub filter: String,
    pub format: LogFormat,
}

/// Resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub max_connections: u32,
    pub outbox_capacity: usize,
    pub max_pending_requests: usize,
    pub max_program_sockets: usize,
    pub socket_buffer_bytes: usize,
    pub socket_handshake_seconds: u64,
    pub socket_close_seconds: u64,
    pub max_unacknowledged_output: usize,
    pub frame_timeout: std::time::Duration,
    pub idle_spin: std::time::Duration,
    pub idle_collection_bytes: usize,
    pub collection_interval_bytes: usize,
    pub heap_limit_bytes: usize,
    pub max_call_depth: usize,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// TCP address to listen on, unless `--no-tcp`.
    pub tcp: Option<SocketAddr>,
    /// The TCP address is the default one (neither --host nor --port given).
    pub default_tcp: bool,
    /// Unix socket path to listen on.
    pub unix: Option<PathBuf>,
    pub port_file: Option<PathBuf>,
    pub files: Vec<PathBuf>,
    pub evals: Vec<String>,
    pub log: LogConfig,
    pub slime_version: String,
    pub allow_quit: bool,
    pub orphan_errors: OrphanErrors,
    /// Where the secret is looked for; `None` when no path was given and `HOME` is unset.
    pub secret_file: Option<PathBuf>,
    /// Whether TCP may listen on non-loopback addresses (the secret file existed).
    pub allow_remote: bool,
    /// Unix-socket peer uids served besides swankd's own effective uid.
    pub extra_uids: Vec<u32>,
    pub limits: Limits,
}

/// What the environment contributes to the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    pub home: Option<PathBuf>,
    pub rust_log: Option<String>,
    /// Whether the secret file exists; `None` asks the file system (tests say it instead).
    pub secret_exists: Option<bool>,
}

impl Environment {
    /// Reads `HOME` and `RUST_LOG` from the process environment.
    pub fn from_process() -> Self {
        Environment {
            home: std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(PathBuf::from),
            rust_log: std::env::var("RUST_LOG")
                .ok()
                .filter(|filter| !filter.is_empty()),
            secret_exists: None,
        }
    }
}

/// Why the command line was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("--host {0:?} is not an IP address or `localhost`")]
    BadHost(String),
    #[error("--no-tcp needs --unix, a FILE or --eval: there would be nothing to listen on")]
    NoListener,
    #[error("--no-tcp conflicts with {0}")]
    TcpOptionWithoutTcp(&'static str),
    #[error("--max-frame-bytes must be between {MIN_FRAME_BYTES} and {MAX_FRAME_BYTES}, got {0}")]
    FrameLimit(usize),
    #[error("{option} must be at least 1")]
    ZeroLimit { option: &'static str },
    #[error("invalid log filter {filter:?}: {reason}")]
    LogFilter { filter: String, reason: String },
    #[error("--slime-version must not be empty")]
    EmptySlimeVersion,
    #[error("cannot load {0}: no such file")]
    MissingFile(PathBuf),
    #[error(
        "--host {0} is not a loopback address: anyone who can reach it could run code; add \
         --allow-remote (with a secret file) to listen there anyway"
    )]
    RemoteNotAllowed(IpAddr),
    #[error(
        "--allow-remote needs a secret file, and {} does not exist (create it, or name \
         another with --secret-file)", .0.as_ref().map_or_else(|| "~/.slime-secret (HOME is unset)".to_string(), |path| path.display().to_string())
    )]
    RemoteWithoutSecret(Option<PathBuf>),
}

impl Config {
    /// Validates parsed arguments against the process environment.
    pub fn from_cli(cli: Cli) -> Result<Config, ConfigError> {
        Self::from_cli_with(cli, &Environment::from_process())
    }

    /// Validates parsed arguments against an explicit environment.
    pub fn from_cli_with(cli: Cli, environment: &Environment) -> Result<Config, ConfigError> {
        let tcp = tcp_address(&cli)?;
        let program_can_listen = !cli.files.is_empty() || !cli.evals.is_empty();
        if tcp.is_none() && cli.unix.is_none() && !program_can_listen {
            return Err(ConfigError::NoListener);
        }
        let limits = limits(&cli)?;
        let filter = cli
            .log_level
            .clone()
            .or_else(|| environment.rust_log.clone())
            .unwrap_or_else(|| DEFAULT_LOG_FILTER.to_string());
        if let Err(error) = filter.parse::<tracing_subscriber::filter::Targets>() {
            return Err(ConfigError::LogFilter {
                filter,
                reason: error.to_string(),
            });
        }
        if cli.slime_version.trim().is_empty() {
            return Err(ConfigError::EmptySlimeVersion);
        }
        if let Some(missing) = cli.files.iter().find(|file| !file.is_file()) {
            return Err(ConfigError::MissingFile(missing.clone()));
        }
        let secret_file = cli.secret_file.clone().or_else(|| {
            environment
                .home
                .as_ref()
                .map(|home| home.join(".slime-secret"))
        });
        let allow_remote = remote_allowed(&cli, tcp, secret_file.as_deref(), environment)?;
        let default_tcp = tcp.is_some() && cli.host.is_none() && cli.port.is_none();
        Ok(Config {
            tcp,
            default_tcp,
            unix: cli.unix,
            port_file: cli.port_file,
            files: cli.files,
            evals: cli.evals,
            log: LogConfig {
                filter,
                format: cli.log_format,
            },
            slime_version: cli.slime_version,
            allow_quit: !cli.no_quit,
            orphan_errors: cli.orphan_errors,
            secret_file,
            allow_remote,
            extra_uids: cli.allow_uids,
            limits,
        })
    }
}

fn tcp_address(cli: &Cli) -> Result<Option<SocketAddr>, ConfigError> {
    if cli.no_tcp {
        let conflicting = [
            (cli.host.is_some(), "--host"),
            (cli.port.is_some(), "--port"),
            (cli.port_file.is_some(), "--port-file"),
        ];
        if let Some((_, option)) = conflicting.iter().find(|(given, _)| *given) {
            return Err(ConfigError::TcpOptionWithoutTcp(option));
        }
        return Ok(None);
    }
    let ip = match cli.host.as_deref() {
        None | Some("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(host) => host
            .parse()
            .map_err(|_| ConfigError::BadHost(host.to_string()))?,
    };
    Ok(Some(SocketAddr::new(ip, cli.port.unwrap_or(DEFAULT_PORT))))
}

/// Non-loopback TCP needs both --allow-remote and an existing secret file; --allow-remote
/// itself is refused without the secret, since it also opens `swank:create-server`.
fn remote_allowed(
    cli: &Cli,
    tcp: Option<SocketAddr>,
    secret_file: Option<&Path>,
    environment: &Environment,
) -> Result<bool, ConfigError> {
    if let Some(address) = tcp.filter(|address| !address.ip().is_loopback()) {
        if !cli.allow_remote {
            return Err(ConfigError::RemoteNotAllowed(address.ip()));
        }
    }
    if !cli.allow_remote {
        return Ok(false);
    }
    let exists = match (environment.secret_exists, secret_file) {
        (Some(exists), Some(_)) => exists,
        (None, Some(path)) => path.is_file(),
        (_, None) => false,
    };
    if exists {
        Ok(true)
    } else {
        Err(ConfigError::RemoteWithoutSecret(
            secret_file.map(Path::to_path_buf),
        ))
    }
}

fn limits(cli: &Cli) -> Result<Limits, ConfigError> {
    if !(MIN_FRAME_BYTES..=MAX_FRAME_BYTES).contains(&cli.max_frame_bytes) {
        return Err(ConfigError::FrameLimit(cli.max_frame_bytes));
    }
    let positive = [
        (cli.max_connections as usize, "--max-connections"),
        (cli.outbox_capacity, "--outbox-capacity"),
        (cli.max_pending_requests, "--max-pending-requests"),
        (cli.max_program_sockets, "--max-program-sockets"),
        (cli.socket_buffer_bytes, "--socket-buffer-bytes"),
        (
            cli.socket_handshake_seconds as usize,
            "--socket-handshake-seconds",
        ),
        (cli.socket_close_seconds as usize, "--socket-close-seconds"),
        (cli.max_unacknowledged_output, "--max-unacknowledged-output"),
        (
            usize::try_from(cli.frame_timeout).unwrap_or(usize::MAX),
            "--frame-timeout",
        ),
        (cli.heap_limit_mib, "--heap-limit-mib"),
        (cli.max_call_depth, "--max-call-depth"),
    ];
    if let Some((_, option)) = positive.iter().find(|(value, _)| *value == 0) {
        return Err(ConfigError::ZeroLimit { option });
    }
    Ok(Limits {
        max_frame_bytes: cli.max_frame_bytes,
        max_connections: cli.max_connections,
        outbox_capacity: cli.outbox_capacity,
        max_pending_requests: cli.max_pending_requests,
        max_program_sockets: cli.max_program_sockets,
        socket_buffer_bytes: cli.socket_buffer_bytes,
        socket_handshake_seconds: cli.socket_handshake_seconds,
        socket_close_seconds: cli.socket_close_seconds,
        max_unacknowledged_output: cli.max_unacknowledged_output,
        frame_timeout: std::time::Duration::from_secs(cli.frame_timeout),
        idle_spin: std::time::Duration::from_micros(cli.idle_spin_micros),
        idle_collection_bytes: cli.idle_collection_kib.saturating_mul(1 << 10),
        collection_interval_bytes: cli.collection_interval_kib.saturating_mul(1 << 10),
        heap_limit_bytes: cli.heap_limit_mib.saturating_mul(1 << 20),
        max_call_depth: cli.max_call_depth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(arguments: &[&str]) -> Result<Config, ConfigError> {
        config_with_secret(arguments, false)
    }

    /// `secret_exists`: whether the environment says the secret file exists.
    fn config_with_secret(arguments: &[&str], secret_exists: bool) -> Result<Config, ConfigError> {
        let cli = Cli::try_parse_from(std::iter::once("swankd").chain(arguments.iter().copied()))
            .unwrap();
        Config::from_cli_with(
            cli,
            &Environment {
                home: Some(PathBuf::from("/home/user")),
                rust_log: None,
                secret_exists: Some(secret_exists),
            },
        )
    }

    #[test]
    fn defaults_match_slime() {
        let config = config(&[]).unwrap();
        assert_eq!(config.tcp, Some("127.0.0.1:4005".parse().unwrap()));
        assert_eq!(config.unix, None);
        assert_eq!(config.slime_version, "2.27");
        assert!(config.allow_quit);
        assert_eq!(
            config.secret_file,
            Some(PathBuf::from("/home/user/.slime-secret"))
        );
        assert_eq!(config.log.filter, "info");
        assert_eq!(config.log.format, LogFormat::Plain);
        assert!(!config.allow_remote);
        assert!(config.extra_uids.is_empty());
        assert_eq!(
            config.limits,
            Limits {
                max_frame_bytes: 16_777_215,
                max_connections: 256,
                outbox_capacity: 4096,
                max_pending_requests: 1024,
                max_program_sockets: 1024,
                socket_buffer_bytes: 1 << 20,
                socket_handshake_seconds: 10,
                socket_close_seconds: 5,
                max_unacknowledged_output: 65536,
                frame_timeout: std::time::Duration::from_secs(60),
                idle_spin: std::time::Duration::from_micros(100),
                idle_collection_bytes: 4 << 20,
                collection_interval_bytes: 1 << 20,
                heap_limit_bytes: 2 << 30,
                max_call_depth: 100_000,
            }
        );
    }

    #[test]
    fn reads_every_option() {
        let config = config(&[
            "--host",
            "::1",
            "--port",
            "0",
            "--unix",
            "/tmp/s",
            "--port-file",
            "/tmp/p",
            "--eval",
            "(a)",
            "--eval",
            "(b)",
            "--log-level",
            "debug",
            "--log-format",
            "json",
            "--slime-version",
            "2.32.git",
            "--no-quit",
            "--secret-file",
            "/etc/secret",
            "--max-frame-bytes",
            "1000",
            "--max-connections",
            "3",
            "--outbox-capacity",
            "5",
            "--max-pending-requests",
            "7",
            "--max-program-sockets",
            "9",
            "--socket-buffer-bytes",
            "4096",
            "--frame-timeout",
            "9",
            "--heap-limit-mib",
            "64",
            "--max-call-depth",
            "500",
        ])
        .unwrap();
        assert_eq!(config.tcp, Some("[::1]:0".parse().unwrap()));
        assert_eq!(config.unix, Some(PathBuf::from("/tmp/s")));
        assert_eq!(config.port_file, Some(PathBuf::from("/tmp/p")));
        assert_eq!(config.evals, vec!["(a)", "(b)"]);
        assert_eq!(config.log.filter, "debug");
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.slime_version, "2.32.git");
        assert!(!config.allow_quit);
        assert_eq!(config.secret_file, Some(PathBuf::from("/etc/secret")));
        assert_eq!(config.limits.max_frame_bytes, 1000);
        assert_eq!(config.limits.max_connections, 3);
        assert_eq!(config.limits.outbox_capacity, 5);
        assert_eq!(config.limits.max_pending_requests, 7);
        assert_eq!(config.limits.max_program_sockets, 9);
        assert_eq!(config.limits.socket_buffer_bytes, 4096);
        assert_eq!(
            config.limits.frame_timeout,
            std::time::Duration::from_secs(9)
        );
    }

    #[test]
    fn localhost_means_the_ipv4_loopback() {
        let config = config(&["--host", "localhost"]).unwrap();
        assert_eq!(config.tcp, Some("127.0.0.1:4005".parse().unwrap()));
    }

    #[test]
    fn unix_only_is_allowed_but_nothing_at_all_is_not() {
        let unix_only = config(&["--no-tcp", "--unix", "/tmp/s"]).unwrap();
        assert_eq!(unix_only.tcp, None);
        assert_eq!(config(&["--no-tcp"]), Err(ConfigError::NoListener));
        let program_listens = config(&["--no-tcp", "--eval", "(swank:create-server)"]).unwrap();
        assert_eq!(program_listens.tcp, None);
        assert_eq!(
            config(&["--no-tcp", "--unix", "/tmp/s", "--port-file", "/tmp/p"]),
            Err(ConfigError::TcpOptionWithoutTcp("--port-file"))
        );
        assert_eq!(
            config(&["--no-tcp", "--unix", "/tmp/s", "--port", "4"]),
            Err(ConfigError::TcpOptionWithoutTcp("--port"))
        );
    }

    #[test]
    fn refuses_bad_values() {
        assert_eq!(
            config(&["--host", "example.org"]),
            Err(ConfigError::BadHost("example.org".into()))
        );
        assert_eq!(
            config(&["--max-frame-bytes", "16777216"]),
            Err(ConfigError::FrameLimit(16_777_216))
        );
        assert_eq!(
            config(&["--max-frame-bytes", "10"]),
            Err(ConfigError::FrameLimit(10))
        );
        assert_eq!(
            config(&["--max-connections", "0"]),
            Err(ConfigError::ZeroLimit {
                option: "--max-connections"
            })
        );
        assert!(matches!(
            config(&["--log-level", "swankd=loud"]),
            Err(ConfigError::LogFilter { .. })
        ));
        assert_eq!(
            config(&["--slime-version", " "]),
            Err(ConfigError::EmptySlimeVersion)
        );
        assert_eq!(
            config(&["/no/such/file.lisp"]),
            Err(ConfigError::MissingFile("/no/such/file.lisp".into()))
        );
    }

    #[test]
    fn remote_tcp_needs_allow_remote_and_an_existing_secret() {
        assert_eq!(
            config_with_secret(&["--host", "0.0.0.0"], true),
            Err(ConfigError::RemoteNotAllowed("0.0.0.0".parse().unwrap()))
        );
        assert_eq!(
            config_with_secret(&["--host", "192.0.2.7", "--allow-remote"], false),
            Err(ConfigError::RemoteWithoutSecret(Some(
                "/home/user/.slime-secret".into()
            )))
        );
        let error = config_with_secret(
            &["--host", "::", "--allow-remote", "--secret-file", "/etc/s"],
            false,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("/etc/s does not exist"),
            "{error}"
        );
        let remote = config_with_secret(&["--host", "0.0.0.0", "--allow-remote"], true).unwrap();
        assert_eq!(remote.tcp, Some("0.0.0.0:4005".parse().unwrap()));
        assert!(remote.allow_remote);
        // Loopback needs neither; --allow-remote alone still needs the secret.
        assert!(config_with_secret(&["--host", "::1"], false).is_ok());
        assert!(config_with_secret(&["--host", "127.0.0.2"], false).is_ok());
        assert_eq!(
            config_with_secret(&["--allow-remote"], false),
            Err(ConfigError::RemoteWithoutSecret(Some(
                "/home/user/.slime-secret".into()
            )))
        );
    }

    #[test]
    fn remote_without_home_names_the_missing_secret() {
        let cli = Cli::try_parse_from(["swankd", "--host", "0.0.0.0", "--allow-remote"]).unwrap();
        let error = Config::from_cli_with(cli, &Environment::default()).unwrap_err();
        assert_eq!(error, ConfigError::RemoteWithoutSecret(None));
        assert!(error.to_string().contains("HOME is unset"), "{error}");
    }

    #[test]
    fn allow_uid_is_repeatable() {
        let config = config(&["--allow-uid", "1001", "--allow-uid", "0"]).unwrap();
        assert_eq!(config.extra_uids, vec![1001, 0]);
        assert!(Cli::try_parse_from(["swankd", "--allow-uid", "-1"]).is_err());
    }

    #[test]
    fn log_filter_falls_back_to_rust_log_then_info() {
        let cli = Cli::try_parse_from(["swankd"]).unwrap();
        let environment = Environment {
            home: None,
            rust_log: Some("warn".into()),
            secret_exists: None,
        };
        let config = Config::from_cli_with(cli, &environment).unwrap();
        assert_eq!(config.log.filter, "warn");
        assert_eq!(config.secret_file, None);
    }

    #[test]
    fn conformance_is_a_subcommand_and_files_still_load() {
        let cli = Cli::try_parse_from(["swankd", "conformance", "unix:/tmp/s", "--timeout", "3"])
            .unwrap();
        match cli.command {
            Some(Command::Conformance(args)) => {
                assert_eq!(args.address, "unix:/tmp/s");
                assert_eq!(args.timeout, 3);
            }
            None => panic!("no subcommand"),
        }
        let cli = Cli::try_parse_from(["swankd", "a.lisp", "b.lisp"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.files.len(), 2);
    }

    #[test]
    fn clap_rejects_malformed_arguments() {
        assert!(Cli::try_parse_from(["swankd", "--port", "70000"]).is_err());
        assert!(Cli::try_parse_from(["swankd", "--log-format", "xml"]).is_err());
        assert!(Cli::try_parse_from(["swankd", "--bogus"]).is_err());
    }
}
