//! Stepping and break-on-return for the debugger: when a thread set to step makes a
//! matching call, or a frame marked to break returns, the VM pushes a call of a Lisp
//! function (`SWANKD::%STEP-BREAK`, `SWANKD::%RETURN-BREAK`) that enters the debugger on
//! top of it, as an interrupt does; when that returns, the thread goes on exactly where it
//! was.

use super::super::thread::{LispThread, Step};
use super::super::value::Value;
use super::Vm;

impl Vm {
    /// Called after a call pushed its frame while `thread.step` is set.
    pub(super) fn step_at_call(&mut self, thread: &mut LispThread) {
        let depth = thread.frames.len();
        let stops = match thread.step {
            Some(Step::Into) => true,
            Some(Step::Over { frame }) => depth <= frame + 2,
            None => false,
        };
        if !stops {
            return;
        }
        thread.step = None;
        if let Some(function) = self.swankd_function("%STEP-BREAK")
            && let Err(error) = self.push_interrupt(thread, function)
        {
            tracing::warn!(error = %error.message, "cannot stop for stepping");
        }
    }

    /// Called after a frame marked `break_on_return` returned `value` to its caller.
    pub(super) fn break_at_return(&mut self, thread: &mut LispThread, value: Value) {
        if let Some(function) = self.swankd_function("%RETURN-BREAK")
            && let Err(error) = self.push_interrupt_with(thread, function, &[value])
        {
            tracing::warn!(error = %error.message, "cannot stop at a return");
        }
    }

    fn swankd_function(&self, name: &str) -> Option<Value> {
        let (sym, _) = self
            .image
            .packages
            .find_symbol(self.image.pkg.swankd, name)?;
        match self.image.heap.symbol(sym).function {
            Value::Unbound => None,
            function => Some(function),
        }
    }
}
