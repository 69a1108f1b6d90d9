//! Frames and messages that are wrong: what is answered with `:reader-error` or
//! `:invalid-rpc` on a connection that stays usable, and what closes the connection (brief,
//! 1.5). After every close, a new connection must still be answered. Also frames that are
//! right but arrive in awkward pieces.

use std::thread::sleep;
use std::time::Duration;

use crate::conformance::client::{emacs_frame, frame_bytes, rex};
use crate::conformance::session::Session;
use crate::conformance::shapes::{self, Outcome, event_name};
use crate::conformance::{Applies, Context, Scenario};

/// Pause between the two halves of a split frame, so they arrive as two reads.
const SPLIT_PAUSE: Duration = Duration::from_millis(100);

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "framing/unreadable-payload-is-a-reader-error",
            applies: Applies::All,
            run: reader_error,
        },
        Scenario {
            name: "framing/unknown-thread-is-an-invalid-rpc",
            applies: Applies::All,
            run: invalid_rpc,
        },
        Scenario {
            name: "framing/only-the-first-datum-of-a-frame-counts",
            applies: Applies::All,
            run: first_datum_only,
        },
        Scenario {
            name: "framing/uppercase-header-accepted",
            applies: Applies::All,
            run: uppercase_header,
        },
        Scenario {
            name: "framing/frames-split-inside-a-character-and-joined",
            applies: Applies::All,
            run: split_and_joined,
        },
        Scenario {
            name: "framing/non-hex-header-closes",
            applies: Applies::All,
            run: |context| closes(context, b"zzzzzz(:emacs-rex (cl:+ 1 2) nil t 1)"),
        },
        Scenario {
            name: "framing/zero-length-frame-closes",
            applies: Applies::All,
            run: |context| closes(context, b"000000"),
        },
        Scenario {
            name: "framing/unknown-event-closes",
            applies: Applies::All,
            run: |context| closes(context, &emacs_frame("(:foo-bar 1 2)")),
        },
        Scenario {
            name: "framing/wrong-arity-closes",
            applies: Applies::All,
            run: |context| {
                closes(
                    context,
                    &emacs_frame("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t)"),
                )
            },
        },
        Scenario {
            name: "framing/incomplete-datum-is-a-reader-error",
            applies: Applies::SwankdOnly(
                "SBCL's swank closes the connection on a datum cut short inside its frame, \
                 losing every request in flight; swankd answers :reader-error and carries on, \
                 as it does for any other unreadable payload",
            ),
            run: incomplete_datum,
        },
        Scenario {
            name: "framing/unknown-swank-function-is-answered",
            applies: Applies::SwankdOnly(
                "SBCL's swank answers (swank:no-such-fn) with :reader-error and never sends \
                 the request's :return, so Emacs waits for it forever; swankd answers \
                 (:return (:abort ...) ID)",
            ),
            run: unknown_swank_function,
        },
    ]
}

/// `(cl:+ 1 2)` on `session` is answered 3.
fn still_answers(session: &mut Session) -> Result<(), String> {
    let reply = session.ok("(cl:+ 1 2)")?;
    match session.value(reply).as_i64() {
        Some(3) => Ok(()),
        _ => Err(format!(
            "(cl:+ 1 2) gave {}",
            shapes::show(session.message(reply))
        )),
    }
}

fn reader_error(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    session
        .client
        .send("(:emacs-rex #<foo> \"COMMON-LISP-USER\" t 1)")
        .map_err(|error| error.to_string())?;
    session.receive_until(":reader-error", |message| {
        event_name(message) == Some("reader-error")
    })?;
    still_answers(&mut session)
}

fn invalid_rpc(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let id = session.start("(cl:+ 1 2)", "9999")?;
    let index = session.receive_until(":invalid-rpc", |message| {
        event_name(message) == Some("invalid-rpc")
    })?;
    let items = shapes::elements(session.message(index)).unwrap_or_default();
    if items.get(1).and_then(|got| got.as_i64()) != Some(id) {
        return Err(format!(
            ":invalid-rpc names the wrong id: {}",
            shapes::show(session.message(index))
        ));
    }
    still_answers(&mut session)
}

/// Text after the first datum in a frame is ignored, as `read` ignores it.
fn first_datum_only(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let first = session.next_id();
    let second = session.next_id();
    let payload = format!(
        "{}{}",
        rex("(cl:+ 1 2)", "t", first),
        rex("(cl:+ 3 4)", "t", second)
    );
    session
        .client
        .send(&payload)
        .map_err(|error| error.to_string())?;
    session.wait_return(first)?;
    still_answers(&mut session)?;
    let answered_second = (0..session.mark()).any(|index| {
        shapes::check_return(session.message(index)).is_ok_and(|(id, _)| id == second)
    });
    if answered_second {
        Err("the second datum in the frame was evaluated too".into())
    } else {
        Ok(())
    }
}

fn uppercase_header(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let id = session.next_id();
    // A string long enough that the header has hex letters in it.
    let form = format!("(cl:length \"{}\")", "x".repeat(200));
    let payload = format!("{}\n", rex(&form, "t", id));
    let mut frame = format!("{:06X}", payload.len()).into_bytes();
    frame.extend_from_slice(payload.as_bytes());
    if !frame.iter().take(6).any(u8::is_ascii_uppercase) {
        return Err("the test frame's header has no hex letter".into());
    }
    session
        .client
        .send_raw(&frame)
        .map_err(|error| error.to_string())?;
    let reply = session.wait_return(id)?;
    match session.value(reply).as_i64() {
        Some(200) => Ok(()),
        _ => Err(format!("got {}", shapes::show(session.message(reply)))),
    }
}

/// One frame written in two pieces cut inside a multi-byte character, then two frames in
/// one write: the server reassembles by bytes, whatever the pieces.
fn split_and_joined(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let id = session.next_id();
    let frame = emacs_frame(&rex("(cl:length \"a☃b\")", "t", id));
    let snowman = frame
        .windows(3)
        .position(|window| window == "☃".as_bytes())
        .ok_or("no snowman in the frame")?;
    let (head, tail) = frame.split_at(snowman + 1);
    session
        .client
        .send_raw(head)
        .map_err(|error| error.to_string())?;
    sleep(SPLIT_PAUSE);
    session
        .client
        .send_raw(tail)
        .map_err(|error| error.to_string())?;
    let reply = session.wait_return(id)?;
    if session.value(reply).as_i64() != Some(3) {
        return Err(format!(
            "(length \"a☃b\") gave {}",
            shapes::show(session.message(reply))
        ));
    }
    let first = session.next_id();
    let second = session.next_id();
    let mut joined = emacs_frame(&rex("(cl:identity \"é\")", "t", first));
    joined.extend(emacs_frame(&rex("(cl:identity \"☃\")", "t", second)));
    session
        .client
        .send_raw(&joined)
        .map_err(|error| error.to_string())?;
    for (id, want) in [(first, "é"), (second, "☃")] {
        let reply = session.wait_return(id)?;
        if session.value(reply).as_str() != Some(want) {
            return Err(format!(
                "expected {want:?}, got {}",
                shapes::show(session.message(reply))
            ));
        }
    }
    Ok(())
}

/// Sends `bytes` on a fresh connection; the server must close it, and then answer a new one.
fn closes(context: &Context, bytes: &[u8]) -> Result<(), String> {
    let mut session = context.session()?;
    still_answers(&mut session)?;
    session
        .client
        .send_raw(bytes)
        .map_err(|error| error.to_string())?;
    session.client.expect_closed()?;
    let mut next = context.session()?;
    still_answers(&mut next).map_err(|error| format!("after the close: {error}"))
}

fn incomplete_datum(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    session
        .client
        .send_raw(&frame_bytes(b"(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 1"))
        .map_err(|error| error.to_string())?;
    session.receive_until(":reader-error", |message| {
        event_name(message) == Some("reader-error")
    })?;
    still_answers(&mut session)
}

fn unknown_swank_function(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.call("(swank:no-such-function-xyz 1)", "t")?;
    match session.outcome(reply)? {
        Outcome::Abort(_) => still_answers(&mut session),
        Outcome::Ok(value) => Err(format!("answered (:ok {})", shapes::show(value))),
    }
}
