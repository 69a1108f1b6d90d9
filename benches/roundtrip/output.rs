//! Output throughput: 10 MB written in the REPL, received as `:write-string` events.
//!
//! The connection does what slime-repl does on connecting (`connection-info`, `swank-require`
//! of `swank-repl`, `create-repl`), then sends `listener-eval` of a loop writing a
//! 1000-character string 10 000 times, on `:repl-thread`, as typing it at the REPL prompt
//! would. A run is timed from sending the request until both its `:return` and all
//! 10 000 000 characters of output have arrived (SBCL's swank buffers output and flushes it
//! from a timer as well as before the reply; the bench does not assume which). Like Emacs,
//! the bench answers `(:ping THREAD TAG)` with `(:emacs-pong THREAD TAG)`: SBCL's swank
//! sends one after every 100 messages and sends nothing more until it is answered.
//!
//! Every frame is checked: output must be `(:write-string "xxx…")`, the value
//! `(:write-string "NIL\n" :repl-result)`, the reply `(:return (:ok nil) ID)`; anything
//! else, output after the reply or more output than written is a mismatch.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::client::{Client, Mismatches, Request};
use crate::measure::{Settings, percentile};
use crate::wire::WireError;

/// Characters per `write-string`.
const LINE: usize = 1000;
/// `write-string`s per run: 10 MB in all.
const LINES: usize = 10_000;
/// Characters (and, being ASCII, bytes) of output per run.
pub const OUTPUT_BYTES: usize = LINE * LINES;
/// Untimed runs before the timed ones.
const OUTPUT_WARMUP: u64 = 1;
/// The REPL's echo of the loop's value.
const REPL_RESULT: &str = "(:write-string \"NIL\n\" :repl-result)";

/// Median bytes per second over `settings.output_runs` runs on one REPL connection.
pub fn output(addr: SocketAddr, settings: &Settings) -> Result<(f64, Mismatches), WireError> {
    let mut client = Client::open(addr, settings.timeout)?;
    client.round_trip(Request::ConnectionInfo)?;
    client.round_trip(Request::RequireRepl)?;
    client.round_trip(Request::CreateRepl)?;
    let form = format!(
        "(swank-repl:listener-eval \"(let ((s (make-string {LINE} :initial-element #\\\\x))) \
         (dotimes (i {LINES}) (write-string s)))\")"
    );
    let mut rates = Vec::new();
    for attempt in 0..OUTPUT_WARMUP + settings.output_runs {
        let elapsed = run(&mut client, &form)?;
        if attempt >= OUTPUT_WARMUP {
            rates.push(OUTPUT_BYTES as f64 / elapsed.as_secs_f64());
        }
    }
    rates.sort_by(f64::total_cmp);
    Ok((percentile(&rates, 50), client.mismatches))
}

/// Sends `form` and reads until its `:return` and all of its output have arrived.
fn run(client: &mut Client, form: &str) -> Result<Duration, WireError> {
    let sent = Instant::now();
    let id = client.send(form, ":repl-thread")?;
    let expected_return = format!("(:return (:ok nil) {id})");
    let mut received = 0;
    let mut returned = false;
    let mut valued = false;
    // Every output frame carries at least one character, so more frames than characters
    // (and a few more for the value and the reply) mean a server that never finishes.
    let max_frames = OUTPUT_BYTES + 100;
    let mut frames = 0;
    while !(returned && received >= OUTPUT_BYTES) {
        if frames == max_frames {
            return Err(WireError::NoReturn(max_frames));
        }
        frames += 1;
        let frame = match client.read_frame() {
            Err(WireError::Timeout(_)) if returned => {
                return Err(WireError::MissingOutput {
                    received,
                    expected: OUTPUT_BYTES,
                });
            }
            other => other?,
        };
        if client.answer_ping(&frame)? {
            continue;
        }
        if let Some(characters) = output_characters(&frame) {
            received += characters;
            if returned {
                client
                    .mismatches
                    .record(format!("after the :return: {frame}"));
            }
        } else if frame == expected_return {
            returned = true;
        } else {
            returned |= frame.starts_with("(:return ");
            if frame == REPL_RESULT && !returned && !valued {
                valued = true;
            } else {
                client.mismatches.record(frame);
            }
        }
    }
    let elapsed = sent.elapsed();
    if !valued {
        client
            .mismatches
            .record(format!("no {REPL_RESULT} before the :return"));
    }
    if received > OUTPUT_BYTES {
        client.mismatches.record(format!(
            "{received} characters of output for {OUTPUT_BYTES} written"
        ));
    }
    Ok(elapsed)
}

/// How many `x`s `frame` carries if it is `(:write-string "xxx…")`.
///
/// The text may end with one newline, not counted: swankd starts the REPL's value on a fresh
/// line, so the output before it ends with one.
fn output_characters(frame: &str) -> Option<usize> {
    let text = frame
        .strip_prefix("(:write-string \"")?
        .strip_suffix("\")")?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.bytes().all(|byte| byte == b'x').then_some(text.len())
}
