//! FORMAT's own errors: a control string it cannot follow, a directive given parameters or
//! arguments it cannot use. They are signalled as conditions of type `SWANKD:FORMAT-ERROR`,
//! a subtype of ERROR and nothing more specific, like SBCL's `SB-FORMAT:FORMAT-ERROR`.

use super::super::error::{ErrorKind, LispError};
use super::super::object::{Condition, Object};
use super::super::vm::Vm;

/// What went wrong, worded for the condition's report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error in FORMAT: {message}")]
pub struct FormatError {
    pub message: String,
}

impl FormatError {
    pub fn new(message: impl Into<String>) -> Self {
        FormatError {
            message: message.into(),
        }
    }

    /// The error as a `FORMAT-ERROR` condition to signal (or the heap's exhaustion, if
    /// there is no room for one).
    pub fn into_lisp(self, vm: &mut Vm) -> LispError {
        let message = self.to_string();
        let condition = Object::Condition(Box::new(Condition {
            type_name: vm.image.sym.format_error,
            message: message.clone(),
            slots: Vec::new(),
        }));
        match vm.image.heap.alloc(condition) {
            Ok(condition) => LispError::new(ErrorKind::Condition(condition), message),
            Err(exhausted) => exhausted.into(),
        }
    }
}

/// Why formatting stopped: a FORMAT error, or an error from what it called (printing,
/// a `~/` function, a heap with no room left).
#[derive(Debug, Clone)]
pub enum Failure {
    Format(FormatError),
    Lisp(LispError),
}

impl From<LispError> for Failure {
    fn from(error: LispError) -> Self {
        Failure::Lisp(error)
    }
}

impl From<FormatError> for Failure {
    fn from(error: FormatError) -> Self {
        Failure::Format(error)
    }
}

impl From<super::super::heap::HeapExhausted> for Failure {
    fn from(error: super::super::heap::HeapExhausted) -> Self {
        Failure::Lisp(error.into())
    }
}

impl Failure {
    /// The error to signal.
    pub fn into_lisp(self, vm: &mut Vm) -> LispError {
        match self {
            Failure::Format(error) => error.into_lisp(vm),
            Failure::Lisp(error) => error,
        }
    }
}

pub type FormatResult<T> = Result<T, Failure>;

/// A FORMAT error with `message`.
pub fn format_error(message: impl Into<String>) -> Failure {
    Failure::Format(FormatError::new(message))
}
