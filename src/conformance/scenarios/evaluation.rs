//! Evaluation: reply shapes, output before the reply, one reply per request, threads, the
//! package field, and text with multi-byte characters.

use std::collections::HashMap;

use crate::conformance::shapes::{self, Outcome, elements, event_name};
use crate::conformance::{Applies, Context, Scenario};

/// Text with two-, three- and four-byte characters: a server that counts characters instead
/// of bytes announces a frame too short, and the reply cannot be read.
const MULTI_BYTE: &str = "héllo wörld ☃ 𝄞";

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "evaluation/interactive-eval",
            applies: Applies::All,
            run: interactive_eval,
        },
        Scenario {
            name: "evaluation/output-before-return",
            applies: Applies::All,
            run: output_before_return,
        },
        Scenario {
            name: "evaluation/abort-carries-a-string",
            applies: Applies::All,
            run: abort_carries_a_string,
        },
        Scenario {
            name: "evaluation/every-request-answered-once",
            applies: Applies::All,
            run: every_request_answered_once,
        },
        Scenario {
            name: "evaluation/package-field-variants",
            applies: Applies::All,
            run: package_field_variants,
        },
        Scenario {
            name: "evaluation/list-threads",
            applies: Applies::All,
            run: list_threads,
        },
        Scenario {
            name: "evaluation/utf8-lengths-in-bytes",
            applies: Applies::All,
            run: utf8_lengths_in_bytes,
        },
    ]
}

fn interactive_eval(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.ok("(swank:interactive-eval \"(+ 1 2)\")")?;
    match session.value(reply).as_str() {
        Some(text) if text.starts_with("=> 3") => Ok(()),
        _ => Err(format!(
            "expected \"=> 3 ...\", got {}",
            shapes::show(session.value(reply))
        )),
    }
}

/// Output is flushed as `:write-string` before the `:return`, and the REPL's value comes as
/// `:write-string ... :repl-result` (brief, 0.12).
fn output_before_return(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    session.open_repl()?;
    let before = session.client.received.len();
    let reply = session.ok_on(
        "(swank-repl:listener-eval \"(progn (princ \\\"out\\\") 42)\")",
        ":repl-thread",
    )?;
    let mut output = String::new();
    let mut result = String::new();
    for index in before..reply {
        let message = session.message(index);
        if event_name(message) != Some("write-string") {
            continue;
        }
        let items = elements(message).unwrap_or_default();
        let text = items
            .get(1)
            .and_then(|text| text.as_str())
            .unwrap_or_default();
        match items.get(2) {
            Some(_) => result.push_str(text),
            None => output.push_str(text),
        }
    }
    if !output.contains("out") {
        return Err(format!(
            "the output \"out\" did not arrive before the :return (got {output:?})"
        ));
    }
    if result.trim() != "42" {
        return Err(format!(
            "expected the value 42 as :repl-result before the :return, got {result:?}"
        ));
    }
    Ok(())
}

fn abort_carries_a_string(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.call("(swank:interactive-eval \"(abort)\")", "t")?;
    match session.outcome(reply)? {
        Outcome::Abort(_) => Ok(()),
        Outcome::Ok(value) => Err(format!("(abort) returned {}", shapes::show(value))),
    }
}

/// Requests sent back to back, without waiting, each get exactly one `:return` with their id.
fn every_request_answered_once(context: &Context) -> Result<(), String> {
    const REQUESTS: i64 = 20;
    let mut session = context.session()?;
    let mut expected = HashMap::new();
    for number in 0..REQUESTS {
        let id = session.start(&format!("(cl:+ {number} 1000)"), "t")?;
        expected.insert(id, number + 1000);
    }
    // One more, sent after the others: once it is answered, a duplicate of an earlier reply
    // would have had every chance to arrive.
    let mut answered: HashMap<i64, usize> = HashMap::new();
    while answered.len() < expected.len() {
        let index = session.receive_until("the :return of every request", |message| {
            shapes::check_return(message).is_ok()
        })?;
        let (id, outcome) = shapes::check_return(session.message(index))?;
        let Some(want) = expected.get(&id) else {
            return Err(format!("a :return for an id never sent: {id}"));
        };
        match outcome {
            Outcome::Ok(value) if value.as_i64() == Some(*want) => {}
            _ => {
                return Err(format!(
                    "request {id} got {}",
                    shapes::show(session.message(index))
                ));
            }
        }
        if answered.insert(id, index).is_some() {
            return Err(format!("request {id} was answered twice"));
        }
    }
    let last = session.start("(cl:+ 1 1)", "t")?;
    let end = session.wait_return(last)?;
    let start = answered.values().copied().max().unwrap_or_default();
    for index in start + 1..end {
        if let Ok((id, _)) = shapes::check_return(session.message(index)) {
            return Err(format!("request {id} was answered again"));
        }
    }
    Ok(())
}

/// Emacs sends whatever package text it found, or `nil`; swank never fails a request for it
/// (brief, 8.4).
fn package_field_variants(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    for package in [
        "nil",
        "\":cl-user\"",
        "\"CL-USER\"",
        "\"NO-SUCH-PACKAGE-XYZ\"",
    ] {
        let id = session.next_id();
        session
            .client
            .send(&format!("(:emacs-rex (cl:+ 1 2) {package} t {id})"))
            .map_err(|error| error.to_string())?;
        let reply = session.wait_return(id)?;
        if session.value(reply).as_i64() != Some(3) {
            return Err(format!(
                "with package {package}: {}",
                shapes::show(session.message(reply))
            ));
        }
    }
    Ok(())
}

/// `((:id :name :status ...) (ID NAME STATUS ...) ...)`: the thread browser takes its
/// column labels from the first row.
fn list_threads(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.ok("(swank:list-threads)")?;
    let rows = elements(session.value(reply)).ok_or("list-threads did not return a list")?;
    let (labels, threads) = rows.split_first().ok_or("list-threads returned nothing")?;
    let labels = elements(labels).unwrap_or_default();
    let names: Vec<&str> = labels
        .iter()
        .filter_map(|label| label.as_keyword())
        .collect();
    if names.len() != labels.len() || names.get(..3) != Some(&["id", "name", "status"][..]) {
        return Err(format!(
            "the first row must be keywords starting :id :name :status, got {}",
            shapes::show(session.value(reply))
        ));
    }
    if threads.is_empty() {
        return Err("no thread listed, not even the one answering".into());
    }
    for thread in threads {
        let cells = elements(thread).unwrap_or_default();
        if cells.len() != labels.len() || cells.first().and_then(|id| id.as_i64()).is_none() {
            return Err(format!(
                "a thread row must be (ID ...) with one cell per label: {}",
                shapes::show(thread)
            ));
        }
    }
    let _ = session.ok("(swank:quit-thread-browser)")?;
    Ok(())
}

/// Frame lengths count bytes of UTF-8 both ways (brief, 1.2): the request carries multi-byte
/// text, the reply and the output carry it back, and the client reads exactly the announced
/// bytes and decodes them as UTF-8.
fn utf8_lengths_in_bytes(context: &Context) -> Result<(), String> {
    let mut session = context.session()?;
    let reply = session.ok(&format!("(cl:identity \"{MULTI_BYTE}\")"))?;
    if session.value(reply).as_str() != Some(MULTI_BYTE) {
        return Err(format!(
            "the string came back as {}",
            shapes::show(session.value(reply))
        ));
    }
    session.open_repl()?;
    let before = session.client.received.len();
    let reply = session.ok_on(
        &format!("(swank-repl:listener-eval \"(princ \\\"{MULTI_BYTE}\\\")\")"),
        ":repl-thread",
    )?;
    let output: String = (before..reply)
        .map(|index| session.message(index))
        .filter(|message| event_name(message) == Some("write-string"))
        .filter_map(|message| elements(message)?.get(1)?.as_str().map(str::to_string))
        .collect();
    if !output.contains(MULTI_BYTE) {
        return Err(format!("the output came back as {output:?}"));
    }
    Ok(())
}
