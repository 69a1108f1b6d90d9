//! Connecting: `connection-info`, the contribs and the REPL, and the secret.

use crate::conformance::client::{Client, frame_bytes};
use crate::conformance::shapes::{self, get, plist};
use crate::conformance::{Applies, Context, Scenario};

/// Why the refusal scenarios are not run against SBCL's swank.
const SECRET_REFUSAL: &str = "SBCL's swank 2.27 signals \"Incoming connection doesn't know the \
     password\" in its listener thread, which then sits in the debugger and accepts no \
     connection ever again; swankd closes only the refused connection";

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "handshake/connection-info",
            applies: Applies::All,
            run: connection_info,
        },
        Scenario {
            name: "handshake/swank-require-and-create-repl",
            applies: Applies::All,
            run: swank_require_and_create_repl,
        },
        Scenario {
            name: "handshake/right-secret-is-answered",
            applies: Applies::WithSecret,
            run: right_secret,
        },
        Scenario {
            name: "handshake/wrong-secret-closes",
            applies: Applies::SwankdOnlyWithSecret(SECRET_REFUSAL),
            run: wrong_secret,
        },
        Scenario {
            name: "handshake/missing-secret-closes",
            applies: Applies::SwankdOnlyWithSecret(SECRET_REFUSAL),
            run: missing_secret,
        },
    ]
}

/// The plist `slime-set-connection-info` destructures (brief, 0.4).
fn connection_info(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.ok("(swank:connection-info)")?;
    let info = session.value(reply);
    let pairs = plist(
        "connection-info",
        info,
        None,
        &["pid", "style", "lisp-implementation", "encoding", "version"],
    )?;
    if get(&pairs, "pid").and_then(|pid| pid.as_i64()).is_none() {
        return Err(":pid must be an integer".into());
    }
    let style = get(&pairs, "style").ok_or(":style is missing")?;
    if !shapes::is_nil(style)
        && !matches!(style.as_keyword(), Some("spawn" | "sigio" | "fd-handler"))
    {
        return Err(format!(
            ":style {} is none of nil, :fd-handler, :sigio, :spawn: every later request \
             would fail in Emacs",
            shapes::show(style)
        ));
    }
    if get(&pairs, "version")
        .and_then(|version| version.as_str())
        .is_none()
    {
        return Err(":version must be a string (Emacs compares it with its own)".into());
    }
    let implementation = get(&pairs, "lisp-implementation").ok_or(":lisp-implementation")?;
    let implementation = plist(
        ":lisp-implementation",
        implementation,
        Some(&["type", "name", "version", "program"]),
        &["type", "name"],
    )?;
    for key in ["type", "name", "version"] {
        if let Some(value) = get(&implementation, key) {
            if !value.is_string() {
                return Err(format!(":lisp-implementation :{key} must be a string"));
            }
        }
    }
    if let Some(machine) = get(&pairs, "machine") {
        plist(
            ":machine",
            machine,
            Some(&["instance", "type", "version"]),
            &[],
        )?;
    }
    let encoding = get(&pairs, "encoding").ok_or(":encoding")?;
    let encoding = plist(
        ":encoding",
        encoding,
        Some(&["coding-systems"]),
        &["coding-systems"],
    )?;
    let systems = shapes::strings(
        ":coding-systems",
        get(&encoding, "coding-systems").unwrap_or(&lexpr::Value::Nil),
    )?;
    if !systems.iter().any(|system| system == "utf-8-unix") {
        return Err(format!(
            ":coding-systems {systems:?} lacks \"utf-8-unix\": slime-repl finds no coding \
             system and there is no REPL"
        ));
    }
    if let Some(modules) = get(&pairs, "modules") {
        shapes::strings(":modules (Emacs downcases them)", modules)?;
    }
    if let Some(package) = get(&pairs, "package") {
        let package = plist(
            ":package",
            package,
            Some(&["name", "prompt"]),
            &["name", "prompt"],
        )?;
        for key in ["name", "prompt"] {
            if get(&package, key).is_none_or(|value| !value.is_string()) {
                return Err(format!(":package :{key} must be a string"));
            }
        }
    }
    Ok(())
}

fn swank_require_and_create_repl(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    session.open_repl()?;
    // A second create-repl on the same connection must still answer the same shape.
    let again = session.ok("(swank-repl:create-repl nil :coding-system \"utf-8-unix\")")?;
    crate::conformance::session::check_create_repl(session.value(again))
}

fn right_secret(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.ok("(cl:+ 1 2)")?;
    match session.value(reply).as_i64() {
        Some(3) => Ok(()),
        _ => Err(format!(
            "(cl:+ 1 2) gave {}",
            shapes::show(session.value(reply))
        )),
    }
}

fn refused(context: &Context, first_frame: Option<&[u8]>) -> Result<(), String> {
    let mut client = Client::connect(&context.options.address, context.options.timeout, None)
        .map_err(|error| error.to_string())?;
    if let Some(payload) = first_frame {
        client
            .send_raw(&frame_bytes(payload))
            .map_err(|error| error.to_string())?;
    }
    // Sending a request next: a server that let the client in would answer it.
    let _ = client.send_rex("(cl:+ 1 2)", "t", 1);
    client.expect_closed()?;
    match client.received.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "the server answered before closing: {}",
            shapes::show(&first.value)
        )),
    }
}

fn wrong_secret(context: &Context) -> Result<(), String> {
    let mut wrong = context.options.secret.clone().unwrap_or_default();
    wrong.extend_from_slice(b"-wrong");
    refused(context, Some(&wrong))
}

fn missing_secret(context: &Context) -> Result<(), String> {
    refused(context, None)
}
