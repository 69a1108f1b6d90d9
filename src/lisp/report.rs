//! The report text and type name of an error, as a condition would print with `PRINC`.

use super::error::{ErrorKind, LispError};
use super::image::Image;
use super::object::Object;
use super::print::prin1_to_string;

/// The condition's report (what `(princ condition)` prints), worded like SBCL.
pub fn report(image: &Image, error: &LispError) -> String {
    match &error.kind {
        ErrorKind::TypeError { datum, expected } if error.message.is_empty() => {
            format!(
                "The value\n  {}\nis not of type\n  {expected}",
                prin1_to_string(image, *datum)
            )
        }
        ErrorKind::Condition(condition) if error.message.is_empty() => {
            match image.object(*condition) {
                Some(Object::Condition(c)) => c.message.clone(),
                _ => String::new(),
            }
        }
        _ => error.message.clone(),
    }
}

/// The name of the condition type, e.g. `SIMPLE-ERROR`.
pub fn type_name(image: &Image, error: &LispError) -> String {
    match &error.kind {
        ErrorKind::SimpleError => "SIMPLE-ERROR".into(),
        ErrorKind::TypeError { .. } => "TYPE-ERROR".into(),
        ErrorKind::UnboundVariable(_) => "UNBOUND-VARIABLE".into(),
        ErrorKind::UndefinedFunction(_) => "UNDEFINED-FUNCTION".into(),
        ErrorKind::DivisionByZero => "DIVISION-BY-ZERO".into(),
        ErrorKind::ProgramError => "PROGRAM-ERROR".into(),
        ErrorKind::StorageCondition => "STORAGE-CONDITION".into(),
        ErrorKind::StackExhausted => "STORAGE-CONDITION".into(),
        ErrorKind::ControlError => "CONTROL-ERROR".into(),
        ErrorKind::EndOfFile(_) => "END-OF-FILE".into(),
        ErrorKind::StreamError(_) => "STREAM-ERROR".into(),
        ErrorKind::FileError(_) => "FILE-ERROR".into(),
        ErrorKind::WouldBlock { .. } => "SIMPLE-ERROR".into(),
        ErrorKind::ReaderError => "READER-ERROR".into(),
        ErrorKind::PackageError => "PACKAGE-ERROR".into(),
        ErrorKind::Aborted => "ABORT".into(),
        ErrorKind::Condition(condition) => match image.object(*condition) {
            Some(Object::Condition(c)) => image.symbol_name(c.type_name).to_string(),
            _ => "CONDITION".into(),
        },
    }
}
