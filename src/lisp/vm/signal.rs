//! Turning errors raised by instructions and builtins into signalled conditions.
//!
//! An error becomes a condition object and a call to the Lisp function
//! `SWANKD::%SIGNAL-ERROR` at the point of failure: handlers (`HANDLER-BIND`, `HANDLER-CASE`)
//! run there, restarts can exit, and if nothing takes it the debugger is entered. Whatever
//! that call returns stands for the value of the operation that failed.

use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::object::{Condition, Object};
use super::super::report;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::Vm;
use super::call::CallMode;

/// How many signal calls may be active in one thread before an error in the error-handling
/// machinery itself ends the evaluation instead.
const MAX_NESTED_SIGNALS: usize = 16;

impl Vm {
    pub(super) fn signal(&mut self, thread: &mut LispThread, error: LispError) -> LispResult<()> {
        let swankd = self.image.pkg.swankd;
        let Some((handler_sym, _)) = self.image.packages.find_symbol(swankd, "%SIGNAL-ERROR")
        else {
            return Err(error);
        };
        let handler = self.image.heap.symbol(handler_sym).function;
        if matches!(handler, Value::Unbound) {
            return Err(error);
        }
        let active = thread
            .frames
            .iter()
            .filter(|f| f.function.eq(handler))
            .count();
        if active >= MAX_NESTED_SIGNALS {
            return Err(error);
        }
        if matches!(error.kind, ErrorKind::StackExhausted) {
            if thread.overflowing {
                return Err(error);
            }
            thread.overflowing = true;
        }
        let condition = match self.condition_object(&error) {
            Ok(condition) => condition,
            Err(_) => return Err(error),
        };
        let return_to = thread.stack.len();
        thread.stack.push(handler);
        thread.stack.push(condition);
        thread.mv = None;
        match self.invoke(thread, 1, return_to, CallMode::Normal) {
            Ok(_) => Ok(()),
            Err(_) => Err(error),
        }
    }

    /// A builtin's expected type, written as text in the Rust source, as a type specifier
    /// (read in COMMON-LISP); text that does not read as one form stays a string.
    fn type_specifier(&mut self, text: &str) -> LispResult<Value> {
        let cl = self.image.pkg.cl;
        match crate::lisp::system::read_all(self, text, cl).as_deref() {
            Ok([specifier]) => Ok(*specifier),
            _ => Ok(self.image.string(text)?),
        }
    }

    /// The condition object for an error (the one it carries, or a new one).
    pub fn condition_object(&mut self, error: &LispError) -> LispResult<Value> {
        if let ErrorKind::Condition(condition) = error.kind {
            return Ok(condition);
        }
        let type_name = report::type_name(&self.image, error);
        let message = report::report(&self.image, error);
        let cl = self.image.pkg.cl;
        let type_sym = self.image.intern(&type_name, cl)?;
        let mut slots = Vec::new();
        let mut slot = |vm: &mut Vm, name: &str, value: Value| -> LispResult<()> {
            let sym = vm.image.intern(name, cl)?;
            slots.push((sym, value));
            Ok(())
        };
        match &error.kind {
            ErrorKind::TypeError { datum, expected } => {
                slot(self, "DATUM", *datum)?;
                let expected = self.type_specifier(expected)?;
                slot(self, "EXPECTED-TYPE", expected)?;
            }
            ErrorKind::UnboundVariable(sym) => slot(self, "NAME", Value::Symbol(*sym))?,
            ErrorKind::StreamError(stream) | ErrorKind::EndOfFile(stream) => {
                slot(self, "STREAM", *stream)?
            }
            ErrorKind::FileError(pathname) => slot(self, "PATHNAME", *pathname)?,
            ErrorKind::UndefinedFunction(name) => {
                slot(self, "NAME", *name)?;
                if let Some(arguments) = &error.arguments {
                    let list = self.image.list(arguments)?;
                    let swankd = self.image.pkg.swankd;
                    let sym = self.image.intern("ARGUMENTS", swankd)?;
                    slots.push((sym, list));
                }
            }
            _ => {}
        }
        Ok(self
            .image
            .heap
            .alloc(Object::Condition(Box::new(Condition {
                type_name: type_sym,
                message,
                slots,
            })))?)
    }
}
