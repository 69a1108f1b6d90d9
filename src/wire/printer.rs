//! Prints outgoing `lexpr::Value` messages as text Emacs reads (protocol brief, section 8.3),
//! and keeps every payload within the frame limit.
//!
//! The printer is iterative, so no nesting depth can overflow the stack. It prints `nil`, `t`
//! and `:keywords` in lower case as given; strings raw with only `"` and `\` escaped (as swank
//! does; newlines and UTF-8 stay raw); floats always with a dot or an exponent, infinities and
//! NaN as Emacs writes them (`1.0e+INF`, `0.0e+NaN`); characters as their code (Emacs
//! characters are integers); byte vectors as vectors of integers. Symbols are printed exactly
//! as named: the interpreter is responsible for sending names Emacs can read.
//!
//! `lexpr`'s own printer is not used: it recurses on nesting, escapes newlines, and prints
//! NaN and infinities as `NaN`/`inf`, which Emacs reads as symbols.

use lexpr::{Number, Value};

use super::value::list;

/// A message that cannot be sent within the frame limit and was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} message of {bytes} bytes exceeds the frame limit of {limit} bytes; dropped")]
pub struct OversizeError {
    /// The message's event keyword, or `"unknown"`.
    pub event: String,
    pub bytes: usize,
    pub limit: usize,
}

/// Prints one value.
pub fn print(value: &Value) -> String {
    let mut out = String::new();
    print_into(&mut out, value);
    out
}

/// One piece of pending printing work.
enum Step<'a> {
    Value(&'a Value),
    Text(&'static str),
}

/// Appends the printed form of `value` to `out`.
pub fn print_into(out: &mut String, value: &Value) {
    let mut steps = vec![Step::Value(value)];
    while let Some(step) = steps.pop() {
        let value = match step {
            Step::Text(text) => {
                out.push_str(text);
                continue;
            }
            Step::Value(value) => value,
        };
        match value {
            Value::Nil | Value::Null | Value::Bool(false) => out.push_str("nil"),
            Value::Bool(true) => out.push('t'),
            Value::Number(number) => print_number(out, number),
            Value::Char(character) => out.push_str(&u32::from(*character).to_string()),
            Value::String(text) => print_string(out, text),
            Value::Symbol(name) => out.push_str(name),
            Value::Keyword(name) => {
                out.push(':');
                out.push_str(name);
            }
            Value::Bytes(bytes) => {
                out.push('[');
                let codes: Vec<String> = bytes.iter().map(u8::to_string).collect();
                out.push_str(&codes.join(" "));
                out.push(']');
            }
            Value::Vector(items) => {
                out.push('[');
                steps.push(Step::Text("]"));
                push_elements(&mut steps, items.iter());
            }
            Value::Cons(_) => {
                out.push('(');
                steps.push(Step::Text(")"));
                let mut elements = Vec::new();
                let mut rest = value;
                while let Value::Cons(pair) = rest {
                    elements.push(pair.car());
                    rest = pair.cdr();
                }
                if !matches!(rest, Value::Null | Value::Nil) {
                    steps.push(Step::Value(rest));
                    steps.push(Step::Text(" . "));
                }
                push_elements(&mut steps, elements.into_iter());
            }
        }
    }
}

/// Schedules `elements` separated by spaces (pushed in reverse, since `steps` is a stack).
fn push_elements<'a>(
    steps: &mut Vec<Step<'a>>,
    elements: impl DoubleEndedIterator<Item = &'a Value> + ExactSizeIterator,
) {
    let count = elements.len();
    for (index, element) in elements.rev().enumerate() {
        steps.push(Step::Value(element));
        if index + 1 < count {
            steps.push(Step::Text(" "));
        }
    }
}

fn print_number(out: &mut String, number: &Number) {
    if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
        if float.is_nan() {
            out.push_str("0.0e+NaN");
        } else if float.is_infinite() {
            out.push_str(if float > 0.0 { "1.0e+INF" } else { "-1.0e+INF" });
        } else {
            // Debug formatting always keeps a `.` or an exponent: 1.0, 1e20, 1.5e-7.
            out.push_str(&format!("{float:?}"));
        }
    } else {
        out.push_str(&number.to_string());
    }
}

fn print_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        if matches!(character, '"' | '\\') {
            out.push('\\');
        }
        out.push(character);
    }
    out.push('"');
}

/// Bytes `character` takes inside a printed string.
fn printed_len(character: char) -> usize {
    character.len_utf8() + usize::from(matches!(character, '"' | '\\'))
}

/// Prints `message` as one or more payloads, each at most `limit` bytes:
/// - a message that fits is printed as it is;
/// - `(:write-string TEXT ...)` is split into several `:write-string`s;
/// - `(:return VALUE ID)` becomes `(:return (:abort "reply of N bytes exceeds the frame
///   limit") ID)`;
/// - anything else is refused with an [`OversizeError`].
pub fn print_message(message: &Value, limit: usize) -> Result<Vec<String>, OversizeError> {
    let printed = print(message);
    if printed.len() <= limit {
        return Ok(vec![printed]);
    }
    let bytes = printed.len();
    drop(printed);
    let oversize = |event: &str| OversizeError {
        event: event.to_string(),
        bytes,
        limit,
    };
    let Some(elements) = super::value::list_elements(message) else {
        return Err(oversize("unknown"));
    };
    match elements.as_slice() {
        [Value::Keyword(event), Value::String(text), ..] if &**event == "write-string" => {
            let Value::Cons(pair) = message else {
                return Err(oversize(event));
            };
            let rest = match pair.cdr() {
                Value::Cons(text_pair) => text_pair.cdr(),
                _ => return Err(oversize(event)),
            };
            split_write_string(text, rest, limit).ok_or_else(|| oversize(event))
        }
        [Value::Keyword(event), _, id @ Value::Number(_)] if &**event == "return" => {
            let reply = list(vec![
                Value::keyword("return"),
                list(vec![
                    Value::keyword("abort"),
                    Value::string(format!("reply of {bytes} bytes exceeds the frame limit")),
                ]),
                Value::clone(id),
            ]);
            let printed = print(&reply);
            if printed.len() <= limit {
                Ok(vec![printed])
            } else {
                Err(oversize(event))
            }
        }
        [Value::Keyword(event), ..] => Err(oversize(event)),
        _ => Err(oversize("unknown")),
    }
}

/// `(:write-string PIECE . rest)` payloads whose pieces concatenate to `text`, or `None` if
/// even an empty piece does not fit.
fn split_write_string(text: &str, rest: &Value, limit: usize) -> Option<Vec<String>> {
    let with_piece = |piece: &str| {
        print(&Value::cons(
            Value::keyword("write-string"),
            Value::cons(Value::string(piece), rest.clone()),
        ))
    };
    let overhead = with_piece("").len();
    // Room for at least one character of the worst size.
    let budget = limit.checked_sub(overhead).filter(|budget| *budget >= 4)?;
    let mut payloads = Vec::new();
    let mut piece_start = 0;
    let mut piece_bytes = 0;
    for (index, character) in text.char_indices() {
        let size = printed_len(character);
        if piece_bytes + size > budget {
            payloads.push(with_piece(text.get(piece_start..index)?));
            piece_start = index;
            piece_bytes = 0;
        }
        piece_bytes += size;
    }
    if piece_start < text.len() {
        payloads.push(with_piece(text.get(piece_start..)?));
    }
    Some(payloads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::reader::{ReaderLimits, read_datum};
    use crate::wire::value::list_with_tail;

    fn sym(name: &str) -> Value {
        Value::symbol(name)
    }

    #[test]
    fn prints_what_emacs_expects() {
        let reply = list(vec![
            Value::keyword("return"),
            list(vec![
                Value::keyword("ok"),
                list(vec![
                    Value::Nil,
                    Value::Null,
                    Value::Bool(true),
                    Value::Bool(false),
                    sym("swank::present-repl-results"),
                    Value::string("héllo \"wörld\" \\ ☃\nnext"),
                ]),
            ]),
            Value::from(5),
        ]);
        assert_eq!(
            print(&reply),
            "(:return (:ok (nil nil t nil swank::present-repl-results \"héllo \\\"wörld\\\" \\\\ ☃\nnext\")) 5)"
        );
    }

    #[test]
    fn agrees_with_lexpr_elisp_printer_on_ordinary_values() {
        // The values the interpreter sends most; lexpr differs only on newlines, NaN and
        // infinities (and recursion), so the plain cases must match it exactly.
        let value = list(vec![
            Value::keyword("ok"),
            Value::Nil,
            Value::string("a \"b\" \\c ☃"),
            Value::from(-42),
            Value::from(1.5),
            list_with_tail(vec![sym("a")], Value::from(3)),
            Value::Vector(vec![Value::from(1), Value::from(2)].into_boxed_slice()),
        ]);
        let lexpr_text = lexpr::to_string_custom(&value, lexpr::print::Options::elisp()).unwrap();
        assert_eq!(print(&value), lexpr_text);
    }

    #[test]
    fn prints_numbers_emacs_can_read() {
        let cases: [(Value, &str); 8] = [
            (Value::from(1.0), "1.0"),
            (Value::from(0.004000000189989805), "0.004000000189989805"),
            (Value::from(1e20), "1e20"),
            (Value::from(f64::INFINITY), "1.0e+INF"),
            (Value::from(f64::NEG_INFINITY), "-1.0e+INF"),
            (Value::from(f64::NAN), "0.0e+NaN"),
            (Value::from(u64::MAX), "18446744073709551615"),
            (Value::Char('a'), "97"),
        ];
        for (value, expected) in cases {
            assert_eq!(print(&value), expected);
        }
    }

    #[test]
    fn prints_deep_nesting_without_recursing() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut value = Value::Nil;
                for _ in 0..50_000 {
                    value = Value::cons(value, Value::Null);
                }
                let printed = print(&value);
                crate::wire::value::dispose(value);
                printed.len()
            })
            .unwrap();
        assert_eq!(handle.join().unwrap(), 50_000 * 2 + 3);
    }

    #[test]
    fn round_trips_through_the_reader() {
        let text = "(:return (:ok (\"a\\\"b\" 1 -2 1.5 :k sym (a . b) [1 2])) 9)";
        let value = read_datum(text, &ReaderLimits::default()).unwrap();
        assert_eq!(print(&value), text);
    }

    #[test]
    fn fitting_messages_are_printed_once() {
        let message = list(vec![Value::keyword("ping"), Value::from(1), Value::from(2)]);
        assert_eq!(print_message(&message, 100).unwrap(), vec!["(:ping 1 2)"]);
    }

    #[test]
    fn splits_oversized_write_strings() {
        let text = "ab\"☃".repeat(50);
        let message = list(vec![
            Value::keyword("write-string"),
            Value::string(text.as_str()),
            Value::keyword("repl-result"),
        ]);
        let payloads = print_message(&message, 60).unwrap();
        assert!(payloads.len() > 1);
        let mut joined = String::new();
        for payload in &payloads {
            assert!(payload.len() <= 60, "{payload}");
            let value = read_datum(payload, &ReaderLimits::default()).unwrap();
            let elements = crate::wire::value::list_elements(&value).unwrap();
            assert_eq!(elements[0], &Value::keyword("write-string"));
            assert_eq!(elements[2], &Value::keyword("repl-result"));
            joined.push_str(elements[1].as_str().unwrap());
        }
        assert_eq!(joined, text);
    }

    #[test]
    fn replaces_oversized_returns_with_an_abort() {
        let message = list(vec![
            Value::keyword("return"),
            list(vec![Value::keyword("ok"), Value::string("x".repeat(500))]),
            Value::from(12),
        ]);
        let payloads = print_message(&message, 200).unwrap();
        assert_eq!(
            payloads,
            vec!["(:return (:abort \"reply of 521 bytes exceeds the frame limit\") 12)"]
        );
    }

    #[test]
    fn drops_other_oversized_messages() {
        let message = list(vec![
            Value::keyword("debug"),
            Value::string("x".repeat(500)),
        ]);
        let error = print_message(&message, 200).unwrap_err();
        assert_eq!(error.event, "debug");
        assert_eq!(error.bytes, 511);
        let atom = Value::string("x".repeat(500));
        assert_eq!(print_message(&atom, 200).unwrap_err().event, "unknown");
    }
}
