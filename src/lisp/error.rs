//! Lisp-level errors raised by the compiler, the VM and builtins, before they become condition
//! objects.

use super::heap::HeapExhausted;
use super::value::{SymRef, Value};

/// The standard condition type an error belongs to.
#[derive(Debug, Clone)]
pub enum ErrorKind {
    SimpleError,
    TypeError {
        datum: Value,
        expected: String,
    },
    UnboundVariable(SymRef),
    UndefinedFunction(Value),
    DivisionByZero,
    ProgramError,
    StorageCondition,
    StackExhausted,
    ControlError,
    /// Input ended; the value is the stream (NIL for READ-FROM-STRING's text).
    EndOfFile(Value),
    /// A stream failed (a socket's connection was reset, or it is closed).
    StreamError(Value),
    /// A file could not be opened, written or deleted; the value is its name.
    FileError(Value),
    ReaderError,
    PackageError,
    /// The evaluation was abandoned through the request's ABORT restart.
    Aborted,
    /// A builtin found a socket stream not ready for `readiness`. Never signalled: the VM
    /// makes the thread wait (`SWANKD::%AWAIT-STREAM`) and then calls the builtin again, so
    /// a builtin returns this only before it has changed anything.
    WouldBlock {
        stream: Value,
        readiness: crate::events::Readiness,
    },
    /// A condition object signalled by Lisp code (`(error 'my-error ...)`, `(error c)`).
    Condition(Value),
}

/// An error on its way to being signalled in a Lisp thread. Its details are boxed so that
/// a `LispResult` is hardly larger than its value: every builtin call returns one.
#[derive(Debug, Clone)]
pub struct LispError(Box<ErrorDetails>);

/// What a [`LispError`] holds; its fields are reached through the error.
#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub kind: ErrorKind,
    /// The report text, when it does not depend on printing Lisp data.
    pub message: String,
    /// Already signalled to handlers and declined by all of them: it ends the evaluation.
    pub unhandled: bool,
    /// For a call of an undefined function: the arguments, so that a restart can make the
    /// call again.
    pub arguments: Option<Vec<Value>>,
}

impl std::ops::Deref for LispError {
    type Target = ErrorDetails;

    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for LispError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl LispError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        LispError(Box::new(ErrorDetails {
            kind,
            message: message.into(),
            unhandled: false,
            arguments: None,
        }))
    }

    pub fn simple(message: impl Into<String>) -> Self {
        LispError::new(ErrorKind::SimpleError, message)
    }

    pub fn program(message: impl Into<String>) -> Self {
        LispError::new(ErrorKind::ProgramError, message)
    }

    pub fn control(message: impl Into<String>) -> Self {
        LispError::new(ErrorKind::ControlError, message)
    }

    pub fn type_error(datum: Value, expected: impl Into<String>) -> Self {
        LispError::new(
            ErrorKind::TypeError {
                datum,
                expected: expected.into(),
            },
            "",
        )
    }

    pub fn would_block(stream: Value, readiness: crate::events::Readiness) -> Self {
        LispError::new(
            ErrorKind::WouldBlock { stream, readiness },
            "the stream is not ready",
        )
    }

    /// SBCL's BOUNDING-INDICES-BAD-ERROR, a TYPE-ERROR: `start`..`end` do not fit a sequence
    /// of `length` elements.
    pub fn bounding_indices(start: usize, end: usize, length: usize) -> Self {
        let datum = if start > end || end > length {
            end
        } else {
            start
        };
        LispError::new(
            ErrorKind::TypeError {
                datum: Value::Fixnum(i64::try_from(datum).unwrap_or(i64::MAX)),
                expected: format!("(INTEGER 0 {length})"),
            },
            format!(
                "The bounding indices {start} and {end} are bad for a sequence of length {length}."
            ),
        )
    }

    pub fn unsupported(what: impl Into<String>) -> Self {
        LispError::simple(format!("unsupported in swankd: {}", what.into()))
    }
}

impl From<super::boot_text::DamagedBootText> for LispError {
    fn from(error: super::boot_text::DamagedBootText) -> Self {
        LispError::simple(format!("boot: {error}"))
    }
}

impl From<HeapExhausted> for LispError {
    fn from(error: HeapExhausted) -> Self {
        LispError::new(
            ErrorKind::StorageCondition,
            format!(
                "Heap exhausted: the heap limit of {} bytes was reached.",
                error.limit
            ),
        )
    }
}

pub type LispResult<T> = Result<T, LispError>;
