//! Into the debugger and out: `:debug` and `:debug-activate`, leaving through a restart or
//! `sldb-abort` (`:debug-return`, then the request's `:abort`), nested levels announcing the
//! level below again, and `:emacs-interrupt` with its CONTINUE restart.

use crate::conformance::session::Session;
use crate::conformance::shapes::{self, Debug, Outcome, check_debug, event_name};
use crate::conformance::{Applies, Context, Scenario};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "debugger/error-enters-and-abort-restart-leaves",
            applies: Applies::All,
            run: abort_restart_leaves,
        },
        Scenario {
            name: "debugger/sldb-abort-leaves",
            applies: Applies::All,
            run: sldb_abort_leaves,
        },
        Scenario {
            name: "debugger/nested-level-returns-to-the-outer-one",
            applies: Applies::All,
            run: nested_level,
        },
        Scenario {
            name: "debugger/emacs-interrupt-continue-and-abort",
            applies: Applies::All,
            run: interrupt,
        },
    ]
}

/// Finds, from message `since` on, a `:debug` at `level` and the `:debug-activate` that
/// follows it.
fn expect_debug(session: &mut Session, since: usize, level: i64) -> Result<Debug, String> {
    let index = session.find_from(since, &format!(":debug at level {level}"), |message| {
        event_name(message) == Some("debug")
            && shapes::elements(message)
                .and_then(|items| items.get(2)?.as_i64())
                .is_some_and(|found| found == level)
    })?;
    let debug = check_debug(session.message(index))?;
    if debug.level != level {
        return Err(format!("expected level {level}, got {}", debug.level));
    }
    let activate = session.find_from(index, ":debug-activate", |message| {
        event_name(message) == Some("debug-activate")
    })?;
    let items = shapes::elements(session.message(activate)).unwrap_or_default();
    let thread = items.get(1).and_then(|thread| thread.as_i64());
    let activated = items.get(2).and_then(|level| level.as_i64());
    if thread != Some(debug.thread) || activated != Some(level) {
        return Err(format!(
            ":debug-activate does not match the :debug (thread {}, level {level}): {}",
            debug.thread,
            shapes::show(session.message(activate))
        ));
    }
    Ok(debug)
}

/// Waits for a `:write-string` from message `since` on.
fn wait_for_output(session: &mut Session, since: usize) -> Result<usize, String> {
    session.find_from(since, "output", |message| {
        event_name(message) == Some("write-string")
    })
}

/// Evaluates an error; returns the request id and the debugger it opened.
fn enter(session: &mut Session, text: &str) -> Result<(i64, Debug), String> {
    let since = session.mark();
    let id = session.start(
        &format!("(swank:interactive-eval \"(error \\\"{text}\\\")\")"),
        "t",
    )?;
    let debug = expect_debug(session, since, 1)?;
    if !debug.continuations.contains(&id) {
        return Err(format!(
            "the :debug's continuations {:?} do not hold request {id}",
            debug.continuations
        ));
    }
    if !debug.restarts.iter().any(|(_, text)| !text.is_empty()) {
        return Err("the debugger offers no restart".into());
    }
    Ok((id, debug))
}

/// After a request that leaves the debugger (sent when `since` messages had arrived): its
/// own `:return` is an abort, the level ends with `:debug-return`, and the original request
/// is answered with `:abort` after both.
fn expect_left(
    session: &mut Session,
    since: usize,
    leaving: i64,
    original: i64,
    debug: &Debug,
) -> Result<(), String> {
    let returned = session.find_from(since, ":debug-return", |message| {
        event_name(message) == Some("debug-return")
    })?;
    let items = shapes::elements(session.message(returned)).unwrap_or_default();
    if items.get(1).and_then(|thread| thread.as_i64()) != Some(debug.thread)
        || items.get(2).and_then(|level| level.as_i64()) != Some(debug.level)
    {
        return Err(format!(
            ":debug-return names the wrong thread or level: {}",
            shapes::show(session.message(returned))
        ));
    }
    let leaving_reply = session.find_from(since, &format!(":return for {leaving}"), |message| {
        shapes::check_return(message).is_ok_and(|(id, _)| id == leaving)
    })?;
    let original_reply =
        session.find_from(since, &format!(":return for {original}"), |message| {
            shapes::check_return(message).is_ok_and(|(id, _)| id == original)
        })?;
    if !matches!(session.outcome(original_reply)?, Outcome::Abort(_)) {
        return Err(format!(
            "the failed request was answered {}",
            shapes::show(session.message(original_reply))
        ));
    }
    if original_reply < returned || original_reply < leaving_reply {
        return Err("the failed request was answered before its debugger level ended".into());
    }
    Ok(())
}

fn abort_restart_leaves(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let (original, debug) = enter(&mut session, "boom")?;
    let abort = debug
        .restarts
        .iter()
        .position(|(_, text)| text == "Return to SLIME's top level.")
        .ok_or_else(|| {
            format!(
                "no \"Return to SLIME's top level.\" in {:?}",
                debug.restarts
            )
        })?;
    let since = session.mark();
    let leaving = session.start(
        &format!("(swank:invoke-nth-restart-for-emacs 1 {abort})"),
        &debug.thread.to_string(),
    )?;
    expect_left(&mut session, since, leaving, original, &debug)
}

fn sldb_abort_leaves(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let (original, debug) = enter(&mut session, "boom")?;
    let since = session.mark();
    let leaving = session.start("(swank:sldb-abort)", &debug.thread.to_string())?;
    expect_left(&mut session, since, leaving, original, &debug)
}

/// An error inside the debugger opens level 2; aborting it returns to level 1, which is
/// announced again, because Emacs killed the thread's SLDB buffer on `:debug-return`
/// (brief, 0.11).
fn nested_level(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let (original, outer) = enter(&mut session, "outer")?;
    let thread = outer.thread.to_string();
    let since = session.mark();
    let inner_request = session.start(
        "(swank:interactive-eval \"(error \\\"inner\\\")\")",
        &thread,
    )?;
    let inner = expect_debug(&mut session, since, 2)?;
    if inner.thread != outer.thread {
        return Err("the nested level is on another thread".into());
    }
    let since = session.mark();
    let leaving = session.start("(swank:sldb-abort)", &thread)?;
    expect_left(&mut session, since, leaving, inner_request, &inner)?;
    let again = expect_debug(&mut session, since, 1)?;
    if again.thread != outer.thread {
        return Err("level 1 was announced again for another thread".into());
    }
    let since = session.mark();
    let leaving = session.start("(swank:sldb-abort)", &thread)?;
    expect_left(&mut session, since, leaving, original, &outer)
}

/// `:emacs-interrupt` stops a busy REPL evaluation in the debugger with a CONTINUE restart;
/// continuing resumes it (its output starts again, the request stays unanswered), and a
/// second interrupt plus `throw-to-toplevel` ends it with `:abort`.
/// Interrupts the REPL thread of `interrupt`'s busy loop a little after its latest output,
/// so that the interrupt lands in the loop's `sleep`. Sent the moment the output arrived,
/// it could land while the thread was still finishing that output; twice, in full test
/// runs under load, SBCL's swank then never resumed its output after CONTINUE. That is not
/// what this scenario tests. (Not reproduced on demand: eight runs beside two CPU hogs
/// passed with and without the pause.)
fn interrupt_while_it_sleeps(session: &mut Session) -> Result<(), String> {
    std::thread::sleep(std::time::Duration::from_millis(20));
    session
        .client
        .send("(:emacs-interrupt :repl-thread)")
        .map_err(|error| error.to_string())
}

fn interrupt(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    session.open_repl()?;
    // Busy, and saying so every 50 ms: an interrupt is sent only once it is seen running.
    let since = session.mark();
    let busy = session.start(
        "(swank-repl:listener-eval \"(loop (princ \\\".\\\") (finish-output) (sleep 0.05))\")",
        ":repl-thread",
    )?;
    wait_for_output(&mut session, since)?;
    let since = session.mark();
    interrupt_while_it_sleeps(&mut session)?;
    let debug = expect_debug(&mut session, since, 1)?;
    if !debug.continuations.contains(&busy) {
        return Err(format!(
            "the interrupt's :debug does not hold request {busy}: {:?}",
            debug.continuations
        ));
    }
    let continue_index = debug
        .restart_named("CONTINUE")
        .ok_or_else(|| format!("no CONTINUE restart in {:?}", debug.restarts))?;
    let thread = debug.thread.to_string();
    let since = session.mark();
    let continuing = session.start(
        &format!("(swank:invoke-nth-restart-for-emacs 1 {continue_index})"),
        &thread,
    )?;
    session.find_from(since, &format!(":return for {continuing}"), |message| {
        shapes::check_return(message).is_ok_and(|(id, _)| id == continuing)
    })?;
    session.find_from(since, ":debug-return", |message| {
        event_name(message) == Some("debug-return")
    })?;
    // Output after the restart was invoked (before or after its replies) shows it resumed.
    wait_for_output(&mut session, since)
        .map_err(|error| format!("the evaluation did not resume: {error}"))?;
    let ended = (since..session.mark())
        .any(|index| shapes::check_return(session.message(index)).is_ok_and(|(id, _)| id == busy));
    if ended {
        return Err("the interrupted evaluation ended instead of continuing".into());
    }
    let since = session.mark();
    interrupt_while_it_sleeps(&mut session)?;
    let debug = expect_debug(&mut session, since, 1)?;
    let since = session.mark();
    let leaving = session.start("(swank:throw-to-toplevel)", &debug.thread.to_string())?;
    expect_left(&mut session, since, leaving, busy, &debug)
}
