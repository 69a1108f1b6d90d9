//! Nested evaluation: running Lisp code to completion from inside a builtin or the compiler
//! (macro expanders, `EVAL` at compile time). Such code cannot park and has a fuel budget.

use super::super::compiler::CompileHost;
use super::super::error::{LispError, LispResult};
use super::super::image::Image;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::{Outcome, Vm};

impl Vm {
    /// Calls `function` with `args` on `thread` and runs it to completion.
    pub fn call_nested(
        &mut self,
        thread: &mut LispThread,
        function: Value,
        args: &[Value],
    ) -> LispResult<Vec<Value>> {
        let frames = thread.frames.len();
        let stack = thread.stack.len();
        let bindings = thread.bindings.len();
        let dynamic = thread.dynamic.len();
        let saved_mv = thread.mv.take();
        self.nested += 1;
        let result = self.start_call(thread, function, args).and_then(|()| {
            match self.run(thread, self.limits.nested_fuel, frames) {
                Outcome::Finished(values) => Ok(values),
                // An error nobody handled inside is signalled again where the nested
                // evaluation was asked for, whose handlers and debugger can act on it.
                Outcome::Failed(mut error) => {
                    if matches!(error.kind, super::super::error::ErrorKind::Condition(_)) {
                        error.unhandled = false;
                    }
                    Err(error)
                }
                Outcome::Yielded => Err(LispError::control(
                    "a nested evaluation (such as a macro expander) ran too long and was stopped",
                )),
                Outcome::Parked(_) => Err(LispError::control(
                    "a nested evaluation (such as a macro expander) tried to wait or sleep",
                )),
            }
        });
        self.nested -= 1;
        self.unwind_to(thread, frames, stack, bindings, dynamic);
        thread.mv = saved_mv;
        result
    }
}

/// The compiler's view of a running VM and thread.
pub struct NestedHost<'a> {
    pub vm: &'a mut Vm,
    pub thread: &'a mut LispThread,
}

impl CompileHost for NestedHost<'_> {
    fn image(&mut self) -> &mut Image {
        &mut self.vm.image
    }

    fn expand_macro(&mut self, expander: Value, form: Value, env: Value) -> LispResult<Value> {
        let values = self.vm.call_nested(self.thread, expander, &[form, env])?;
        Ok(values.first().copied().unwrap_or(Value::Nil))
    }

    fn max_nesting(&self) -> usize {
        self.vm.limits.max_form_nesting
    }

    fn note(&mut self, note: super::super::compiler::CompileNote) {
        if let Some(notes) = self.vm.compile_notes.get_mut(&self.thread.id)
            && !notes.contains(&note)
        {
            notes.push(note);
        }
    }
}
