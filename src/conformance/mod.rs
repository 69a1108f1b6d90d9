//! `swankd conformance ADDR`: protocol scenarios run against any Swank server, SBCL's swank
//! as much as swankd, each printed as PASS, FAIL (with the reason) or SKIP.
//!
//! A scenario opens its own connections ([`session::Session`]) and checks what comes back
//! against the shapes Emacs accepts ([`shapes`]). The server's kind is read from its
//! `connection-info`; a scenario where SBCL's swank has a bug that swankd deliberately does
//! not copy is marked [`Applies::SwankdOnly`] with the reason, and skipped against other
//! servers. The scenarios themselves live in [`scenarios`].

pub mod client;
mod scenarios;
pub mod session;
pub mod shapes;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use client::Address;
use session::Session;

/// What the subcommand needs.
#[derive(Debug, Clone)]
pub struct Options {
    pub address: Address,
    /// The secret to send first; `None` when the server expects none.
    pub secret: Option<Vec<u8>>,
    /// Bounds every wait for the server.
    pub timeout: Duration,
    /// Run only scenarios whose name contains this.
    pub only: Option<String>,
}

/// Which server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    Swankd,
    /// Any other Swank server (SBCL's swank is the one this kit is proved against).
    Other,
}

/// Which servers a scenario is for.
#[derive(Debug, Clone, Copy)]
pub enum Applies {
    All,
    /// swankd deliberately differs from swank here; the reason says why.
    SwankdOnly(&'static str),
    /// Needs a secret to be configured.
    WithSecret,
    /// Both: swankd only, and only with a secret.
    SwankdOnlyWithSecret(&'static str),
}

/// One protocol scenario.
pub struct Scenario {
    pub name: &'static str,
    pub applies: Applies,
    pub run: fn(&Context) -> Result<(), String>,
}

/// What scenarios may use.
pub struct Context {
    pub options: Options,
    pub kind: ServerKind,
}

impl Context {
    /// A fresh connection, with the secret sent when there is one.
    pub fn session(&self) -> Result<Session, String> {
        Session::open(
            &self.options.address,
            self.options.timeout,
            self.options.secret.as_deref(),
        )
    }
}

/// Why the kit could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("cannot ask the server for connection-info: {0}")]
    NoConnectionInfo(String),
    #[error("cannot read the secret file {path}: {source}")]
    Secret {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// The first line of a secret file, as Emacs sends it.
pub fn read_secret(path: &std::path::Path) -> Result<Vec<u8>, ConformanceError> {
    let bytes = std::fs::read(path).map_err(|source| ConformanceError::Secret {
        path: path.to_path_buf(),
        source,
    })?;
    let line = bytes
        .split(|&byte| byte == b'\n')
        .next()
        .unwrap_or_default();
    Ok(line.strip_suffix(b"\r").unwrap_or(line).to_vec())
}

/// Runs every scenario (or those `options.only` selects), printing one line each to `out`.
pub fn run(options: Options, out: &mut dyn Write) -> Result<Summary, ConformanceError> {
    let kind = detect_kind(&options).map_err(ConformanceError::NoConnectionInfo)?;
    let _ = writeln!(
        out,
        "conformance: {} ({})",
        options.address,
        match kind {
            ServerKind::Swankd => "swankd",
            ServerKind::Other => "another Swank server",
        }
    );
    let context = Context { options, kind };
    let mut summary = Summary::default();
    for scenario in scenarios::all() {
        if let Some(only) = &context.options.only {
            if !scenario.name.contains(only.as_str()) {
                continue;
            }
        }
        let skip = match scenario.applies {
            Applies::All => None,
            Applies::SwankdOnly(reason) => {
                (kind != ServerKind::Swankd).then(|| format!("swankd differs on purpose: {reason}"))
            }
            Applies::WithSecret => no_secret(&context),
            Applies::SwankdOnlyWithSecret(reason) => no_secret(&context).or_else(|| {
                (kind != ServerKind::Swankd).then(|| format!("swankd differs on purpose: {reason}"))
            }),
        };
        if let Some(reason) = skip {
            summary.skipped += 1;
            let _ = writeln!(out, "SKIP {}: {reason}", scenario.name);
            continue;
        }
        match (scenario.run)(&context) {
            Ok(()) => {
                summary.passed += 1;
                let _ = writeln!(out, "PASS {}", scenario.name);
            }
            Err(reason) => {
                summary.failed += 1;
                let _ = writeln!(out, "FAIL {}: {reason}", scenario.name);
            }
        }
        let _ = out.flush();
    }
    let _ = writeln!(
        out,
        "conformance: {} passed, {} failed, {} skipped",
        summary.passed, summary.failed, summary.skipped
    );
    Ok(summary)
}

fn no_secret(context: &Context) -> Option<String> {
    context
        .options
        .secret
        .is_none()
        .then(|| "no secret configured (--secret-file)".to_string())
}

/// Asks `connection-info` which server this is.
fn detect_kind(options: &Options) -> Result<ServerKind, String> {
    let mut session = Session::open(&options.address, options.timeout, options.secret.as_deref())?;
    let reply = session.ok("(swank:connection-info)")?;
    let info = session.value(reply);
    let pairs = shapes::plist("connection-info", info, None, &[])?;
    let kind = shapes::get(&pairs, "lisp-implementation")
        .and_then(|implementation| shapes::plist("", implementation, None, &[]).ok())
        .and_then(|pairs| shapes::get(&pairs, "type").and_then(|kind| kind.as_str()))
        .map(str::to_string);
    Ok(match kind.as_deref() {
        Some("swankd") => ServerKind::Swankd,
        _ => ServerKind::Other,
    })
}
