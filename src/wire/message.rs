//! Turns a datum read from Emacs into an [`EmacsMessage`] (protocol brief, section 3.1), and
//! builds the few messages the network side itself sends back.
//!
//! Like swank (section 1.5), a message that is not a known event with the right arity and
//! integer ids ends the connection: the caller closes it when [`DecodeError::closes_connection`]
//! says so. Decisions where swank gives no rule:
//! - PACKAGE may be a string or `nil`; anything else is treated as `nil` (the interpreter then
//!   uses its default package), because a request must never fail over its package (8.4).
//! - THREAD must be `t`, `:repl-thread` or an integer; anything else closes the connection
//!   (Emacs never sends anything else).
//! - `:emacs-channel-send` is a real swank event (only slime-mrepl uses it) that the contract
//!   cannot carry: it is ignored with a warning and the connection stays up.

use lexpr::Value;

use super::printer::print;
use super::value::{dispose, into_list_elements, list};
use crate::events::{EmacsMessage, ThreadSelector};

/// Events swank knows that swankd deliberately ignores.
const UNSUPPORTED_EVENTS: &[&str] = &["emacs-channel-send"];

/// How much of an offending datum an error message quotes.
const QUOTED_DATUM_CHARS: usize = 120;

/// Why a datum is not a message swankd accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a list headed by a keyword: {datum}")]
    NotAnEvent { datum: String },
    #[error("unknown event :{event}")]
    UnknownEvent { event: String },
    #[error("event :{event} is not supported by swankd")]
    Unsupported { event: String },
    #[error(":{event} takes {expected} arguments, got {found}")]
    WrongArity {
        event: &'static str,
        expected: usize,
        found: usize,
    },
    #[error(":{event}: {field} must be {expected}, got {found}")]
    BadField {
        event: &'static str,
        field: &'static str,
        expected: &'static str,
        found: String,
    },
}

impl DecodeError {
    /// Whether the connection must be closed (everything but an unsupported event).
    pub fn closes_connection(&self) -> bool {
        !matches!(self, DecodeError::Unsupported { .. })
    }
}

/// Decodes one message from Emacs.
pub fn decode(datum: Value) -> Result<EmacsMessage, DecodeError> {
    let elements = match into_list_elements(datum) {
        Ok(elements) => elements,
        Err(datum) => {
            let error = DecodeError::NotAnEvent {
                datum: quote_datum(&datum),
            };
            dispose(datum);
            return Err(error);
        }
    };
    let mut elements = elements.into_iter();
    let event = match elements.next() {
        Some(Value::Keyword(event)) => event,
        Some(other) => {
            let error = DecodeError::NotAnEvent {
                datum: quote_datum(&other),
            };
            dispose(other);
            elements.for_each(dispose);
            return Err(error);
        }
        None => {
            return Err(DecodeError::NotAnEvent {
                datum: "nil".into(),
            });
        }
    };
    let arguments: Vec<Value> = elements.collect();
    decode_event(&event, arguments)
}

fn decode_event(event: &str, arguments: Vec<Value>) -> Result<EmacsMessage, DecodeError> {
    match event {
        "emacs-rex" => {
            let [form, package, thread, id] = take_arguments("emacs-rex", arguments)?;
            let thread = thread_selector("emacs-rex", thread)?;
            let id = integer("emacs-rex", "ID", id)?;
            Ok(EmacsMessage::Rex {
                form,
                package: package_name(package),
                thread,
                id,
            })
        }
        "emacs-interrupt" => {
            let [thread] = take_arguments("emacs-interrupt", arguments)?;
            Ok(EmacsMessage::Interrupt {
                thread: thread_selector("emacs-interrupt", thread)?,
            })
        }
        "emacs-return" => {
            let [thread, tag, value] = take_arguments("emacs-return", arguments)?;
            Ok(EmacsMessage::Return {
                thread: thread_selector("emacs-return", thread)?,
                tag: integer("emacs-return", "TAG", tag)?,
                value,
            })
        }
        "emacs-return-string" => {
            let [thread, tag, string] = take_arguments("emacs-return-string", arguments)?;
            let thread = thread_selector("emacs-return-string", thread)?;
            let tag = integer("emacs-return-string", "TAG", tag)?;
            let string = match string {
                Value::String(string) => string.into_string(),
                other => {
                    return Err(bad_field(
                        "emacs-return-string",
                        "STRING",
                        "a string",
                        other,
                    ));
                }
            };
            Ok(EmacsMessage::ReturnString {
                thread,
                tag,
                string,
            })
        }
        "emacs-pong" => {
            let [thread, tag] = take_arguments("emacs-pong", arguments)?;
            Ok(EmacsMessage::Pong {
                thread: thread_selector("emacs-pong", thread)?,
                tag: integer("emacs-pong", "TAG", tag)?,
            })
        }
        "write-done" => {
            let [thread] = take_arguments("write-done", arguments)?;
            Ok(EmacsMessage::WriteDone {
                thread: thread_selector("write-done", thread)?,
            })
        }
        _ => {
            arguments.into_iter().for_each(dispose);
            if UNSUPPORTED_EVENTS.contains(&event) {
                Err(DecodeError::Unsupported {
                    event: event.into(),
                })
            } else {
                Err(DecodeError::UnknownEvent {
                    event: event.into(),
                })
            }
        }
    }
}

fn take_arguments<const N: usize>(
    event: &'static str,
    arguments: Vec<Value>,
) -> Result<[Value; N], DecodeError> {
    arguments.try_into().map_err(|arguments: Vec<Value>| {
        let found = arguments.len();
        arguments.into_iter().for_each(dispose);
        DecodeError::WrongArity {
            event,
            expected: N,
            found,
        }
    })
}

fn thread_selector(event: &'static str, value: Value) -> Result<ThreadSelector, DecodeError> {
    match &value {
        Value::Symbol(name) if &**name == "t" => Ok(ThreadSelector::Any),
        Value::Keyword(name) if &**name == "repl-thread" => Ok(ThreadSelector::Repl),
        Value::Number(number) => number
            .as_i64()
            .map(ThreadSelector::Id)
            .ok_or_else(|| bad_field(event, "THREAD", "t, :repl-thread or an integer", value)),
        _ => Err(bad_field(
            event,
            "THREAD",
            "t, :repl-thread or an integer",
            value,
        )),
    }
}

fn integer(event: &'static str, field: &'static str, value: Value) -> Result<i64, DecodeError> {
    value
        .as_i64()
        .ok_or_else(|| bad_field(event, field, "an integer", value))
}

fn package_name(value: Value) -> Option<String> {
    match value {
        Value::String(name) => Some(name.into_string()),
        Value::Nil | Value::Null => None,
        other => {
            tracing::debug!(package = %quote_datum(&other), "package field is neither a string nor nil; using the default package");
            dispose(other);
            None
        }
    }
}

fn bad_field(
    event: &'static str,
    field: &'static str,
    expected: &'static str,
    found: Value,
) -> DecodeError {
    let error = DecodeError::BadField {
        event,
        field,
        expected,
        found: quote_datum(&found),
    };
    dispose(found);
    error
}

fn quote_datum(datum: &Value) -> String {
    let printed = print(datum);
    match printed.char_indices().nth(QUOTED_DATUM_CHARS) {
        Some((cut, _)) => format!("{}...", printed.get(..cut).unwrap_or_default()),
        None => printed,
    }
}

/// `(:reader-error PACKET MESSAGE)`: what swank answers to a payload it cannot read.
pub fn reader_error(packet: &str, message: &str) -> Value {
    list(vec![
        Value::keyword("reader-error"),
        Value::string(packet),
        Value::string(message),
    ])
}

/// `(:return (:abort REASON) ID)`: a request the network side answers itself.
pub fn abort_reply(reason: &str, id: i64) -> Value {
    list(vec![
        Value::keyword("return"),
        list(vec![Value::keyword("abort"), Value::string(reason)]),
        Value::from(id),
    ])
}

/// The keyword heading an outgoing message (`return`, `write-string`, ...), if any.
pub fn event_name(message: &Value) -> Option<&str> {
    match message {
        Value::Cons(pair) => pair.car().as_keyword(),
        _ => None,
    }
}

/// Whether an outgoing message finishes a request: `(:return ...)` or `(:invalid-rpc ...)`.
pub fn completes_request(message: &Value) -> bool {
    matches!(event_name(message), Some("return" | "invalid-rpc"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::reader::{ReaderLimits, read_datum};

    fn decode_text(text: &str) -> Result<EmacsMessage, DecodeError> {
        decode(read_datum(text, &ReaderLimits::default()).unwrap())
    }

    #[test]
    fn decodes_emacs_rex() {
        let message =
            decode_text("(:emacs-rex (swank:connection-info) \"COMMON-LISP-USER\" t 1)\n").unwrap();
        assert_eq!(
            message,
            EmacsMessage::Rex {
                form: list(vec![Value::symbol("swank:connection-info")]),
                package: Some("COMMON-LISP-USER".into()),
                thread: ThreadSelector::Any,
                id: 1,
            }
        );
    }

    #[test]
    fn decodes_thread_selectors_and_nil_package() {
        let EmacsMessage::Rex {
            package, thread, ..
        } = decode_text("(:emacs-rex (f) nil :repl-thread 2)").unwrap()
        else {
            panic!("not a rex");
        };
        assert_eq!(package, None);
        assert_eq!(thread, ThreadSelector::Repl);
        assert_eq!(
            decode_text("(:emacs-interrupt 62)").unwrap(),
            EmacsMessage::Interrupt {
                thread: ThreadSelector::Id(62)
            }
        );
    }

    #[test]
    fn treats_an_odd_package_as_nil() {
        let EmacsMessage::Rex { package, .. } =
            decode_text("(:emacs-rex (f) :cl-user t 3)").unwrap()
        else {
            panic!("not a rex");
        };
        assert_eq!(package, None);
    }

    #[test]
    fn decodes_the_answers_to_server_requests() {
        assert_eq!(
            decode_text("(:emacs-return 37 35 t)").unwrap(),
            EmacsMessage::Return {
                thread: ThreadSelector::Id(37),
                tag: 35,
                value: Value::symbol("t"),
            }
        );
        assert_eq!(
            decode_text("(:emacs-return-string 46 43 \"hello\n\")").unwrap(),
            EmacsMessage::ReturnString {
                thread: ThreadSelector::Id(46),
                tag: 43,
                string: "hello\n".into(),
            }
        );
        assert_eq!(
            decode_text("(:emacs-pong 12 1)").unwrap(),
            EmacsMessage::Pong {
                thread: ThreadSelector::Id(12),
                tag: 1
            }
        );
        assert_eq!(
            decode_text("(:write-done 7)").unwrap(),
            EmacsMessage::WriteDone {
                thread: ThreadSelector::Id(7)
            }
        );
    }

    #[test]
    fn rejects_what_swank_closes_the_connection_for() {
        let cases = [
            "(:foo-bar 1 2)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" t)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 1 2)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 1.5)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" t x)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" nil 1)",
            "(:emacs-rex (cl:+ 1 2) \"CL-USER\" t . 1)",
            "(:emacs-return-string 1 2 sym)",
            "(:write-done)",
            "s3cr3t",
            "(emacs-rex 1)",
            "()",
            "42",
        ];
        for case in cases {
            let error = decode_text(case).unwrap_err();
            assert!(error.closes_connection(), "{case}: {error}");
        }
        assert_eq!(
            decode_text("(:emacs-rex (f) \"P\" t)").unwrap_err(),
            DecodeError::WrongArity {
                event: "emacs-rex",
                expected: 4,
                found: 3
            }
        );
    }

    #[test]
    fn ignores_channel_sends_without_closing() {
        let error = decode_text("(:emacs-channel-send 1 (:foo))").unwrap_err();
        assert!(!error.closes_connection());
    }

    #[test]
    fn builds_replies_and_classifies_outgoing_messages() {
        assert_eq!(
            print(&reader_error("(a", "end of input")),
            "(:reader-error \"(a\" \"end of input\")"
        );
        let abort = abort_reply("too many", 7);
        assert_eq!(print(&abort), "(:return (:abort \"too many\") 7)");
        assert!(completes_request(&abort));
        assert!(!completes_request(&list(vec![
            Value::keyword("write-string"),
            Value::string("x")
        ])));
        assert_eq!(event_name(&Value::from(1)), None);
    }
}
