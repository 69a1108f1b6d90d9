//! Calling functions: closures get a frame with their arguments placed in slots; builtins run
//! at once. Tail calls reuse the caller's frame.

use super::super::builtins::{Control, Request};
use super::super::error::{ErrorKind, LispError, LispResult};
use super::super::object::Object;
use super::super::symbol::FunctionKind;
use super::super::thread::{AfterReturn, Frame, LispThread};
use super::super::value::{SymRef, Value};
use super::{Park, Vm};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMode {
    Normal,
    Tail,
}

/// What [`Vm::push_global_frame`] did.
pub(super) enum SimpleCall {
    Pushed,
    Builtin(u32),
    General,
}

/// What a call did.
pub(super) enum Invoked {
    /// A new frame was pushed (or the current one replaced); run continues there.
    Frame,
    /// The callee already answered; its value is on the stack.
    Value,
    /// The callee parked the thread; a placeholder value is on the stack.
    Park(Park),
}

/// The largest argument buffer kept for the next builtin call (after an `APPLY` of a long
/// list, the memory goes back).
const KEPT_ARGUMENT_BUFFER: usize = 256;

const STACK_EXHAUSTED: &str = "Control stack exhausted (no more space for function call frames).\nThis is probably due to heavily nested or infinitely recursive function\ncalls, or a tail call that swankd cannot or has not optimized away.\n\nPROCEED WITH CAUTION.";

impl Vm {
    /// Calls the function at `stack[return_to]` with the `argc` values above it.
    pub(super) fn invoke(
        &mut self,
        thread: &mut LispThread,
        argc: usize,
        return_to: usize,
        mode: CallMode,
    ) -> LispResult<Invoked> {
        let callee = thread.stack[return_to];
        self.invoke_function(thread, callee, argc, return_to, mode)
    }

    /// Calls `callee` with the `argc` values on top of the stack; when it returns, the stack
    /// is cut back to `return_to` (at or below the first argument) and its value pushed.
    pub(super) fn invoke_function(
        &mut self,
        thread: &mut LispThread,
        callee: Value,
        argc: usize,
        return_to: usize,
        mode: CallMode,
    ) -> LispResult<Invoked> {
        let result = self.invoke_inner(thread, callee, argc, return_to, mode);
        if result.is_err() {
            thread.stack.truncate(return_to);
        }
        result
    }

    /// The common calls of the global function named `sym`, made without the general
    /// path's checks and reading the symbol's function cell in place (copying its `Value`
    /// out first made the compiler move it through the stack three times). In a normal (not
    /// tail) call, a closure whose lambda list has exactly `argc` required parameters, with
    /// the limits far and no one stepping, gets its frame pushed, after `pc` is saved as the
    /// caller's return point; a builtin is named for the caller to call. Anything else is
    /// left to the general path, with nothing changed.
    #[inline(always)]
    pub(super) fn push_global_frame(
        &self,
        thread: &mut LispThread,
        sym: SymRef,
        argc: usize,
        pc: usize,
        mode: CallMode,
    ) -> SimpleCall {
        let symbol = self.image.heap.symbol(sym);
        let Value::Object(r) = &symbol.function else {
            return SimpleCall::General;
        };
        if symbol.function_kind == FunctionKind::Macro {
            return SimpleCall::General;
        }
        let closure = match self.image.heap.object(*r) {
            Some(Object::Closure(closure)) => closure,
            Some(Object::Builtin(builtin)) => return SimpleCall::Builtin(builtin.index),
            _ => return SimpleCall::General,
        };
        let shape = &closure.proto.shape;
        if mode != CallMode::Normal
            || !shape.is_simple()
            || shape.required as usize != argc
            || thread.step.is_some()
            || thread.frames.len() >= self.limits.max_frames
            || thread.stack.len() >= self.limits.max_stack
        {
            return SimpleCall::General;
        }
        super::save_pc(thread, pc);
        let base = thread.stack.len() - argc;
        let proto = closure.proto.clone();
        // The cell's value, not `Value::Object(*r)` rebuilt: built as tag and index, it
        // would be read back whole into the frame before those two stores were done.
        let function = symbol.function;
        enter_frame(thread, proto, function, base, base, AfterReturn::Normal);
        SimpleCall::Pushed
    }

    /// Calls builtin number `index` (the function `callee`) with the `argc` values on top of
    /// the stack, as [`Vm::invoke_function`] would.
    pub(super) fn invoke_builtin(
        &mut self,
        thread: &mut LispThread,
        index: u32,
        callee: Value,
        argc: usize,
        return_to: usize,
        mode: CallMode,
    ) -> LispResult<Invoked> {
        let result = self.call_builtin(thread, index, callee, argc, return_to, mode);
        if result.is_err() {
            thread.stack.truncate(return_to);
        }
        result
    }

    fn invoke_inner(
        &mut self,
        thread: &mut LispThread,
        callee: Value,
        argc: usize,
        return_to: usize,
        mode: CallMode,
    ) -> LispResult<Invoked> {
        let proto = match callee {
            Value::Object(r) => match self.image.heap.object(r) {
                Some(Object::Closure(closure)) => closure.proto.clone(),
                Some(Object::Builtin(builtin)) => {
                    let index = builtin.index;
                    return self.call_builtin(thread, index, callee, argc, return_to, mode);
                }
                _ => return Err(LispError::type_error(callee, "(OR FUNCTION SYMBOL)")),
            },
            Value::Symbol(sym) => {
                let function = self.global_function(sym)?;
                return self.invoke_inner(thread, function, argc, return_to, mode);
            }
            Value::Nil => {
                return Err(LispError::new(
                    ErrorKind::UndefinedFunction(Value::Nil),
                    "The function NIL is undefined.",
                ));
            }
            _ => return Err(LispError::type_error(callee, "(OR FUNCTION SYMBOL)")),
        };
        let (return_to, after) = match mode {
            CallMode::Tail => self.drop_current_frame(thread, return_to, argc),
            CallMode::Normal => (return_to, Default::default()),
        };
        let headroom = if thread.overflowing {
            self.limits.overflow_headroom
        } else {
            0
        };
        if thread.frames.len() >= self.limits.max_frames + headroom
            || thread.stack.len() >= self.limits.max_stack + headroom * 100
        {
            return Err(LispError::new(ErrorKind::StackExhausted, STACK_EXHAUSTED));
        }
        let base = thread.stack.len() - argc;
        if proto.shape.is_simple() {
            if argc != proto.shape.required as usize {
                return Err(wrong_argument_count(argc));
            }
        } else {
            self.place_arguments(thread, &proto.shape, base, argc)?;
        }
        enter_frame(thread, proto, callee, base, return_to, after);
        if thread.step.is_some() {
            self.step_at_call(thread);
        }
        Ok(Invoked::Frame)
    }

    /// For a tail call: moves the arguments on top of the stack down over the current frame
    /// and pops that frame. Returns the new `return_to` and what must happen when the callee
    /// returns, which is what was to happen when the popped frame returned.
    fn drop_current_frame(
        &mut self,
        thread: &mut LispThread,
        return_to: usize,
        argc: usize,
    ) -> (usize, AfterReturn) {
        let Some(frame) = thread.frames.pop() else {
            return (return_to, AfterReturn::Normal);
        };
        let target = frame.return_to as usize;
        let args_start = thread.stack.len() - argc;
        thread.stack.copy_within(args_start.., target);
        thread.stack.truncate(target + argc);
        (target, frame.after)
    }

    fn call_builtin(
        &mut self,
        thread: &mut LispThread,
        index: u32,
        callee: Value,
        argc: usize,
        return_to: usize,
        mode: CallMode,
    ) -> LispResult<Invoked> {
        // The arguments are copied out because the builtin may use the stack; the buffer is
        // reused from call to call.
        let mut args = std::mem::take(&mut self.argument_buffer);
        args.clear();
        args.extend_from_slice(&thread.stack[thread.stack.len() - argc..]);
        thread.mv = None;
        let control = self.dispatch_builtin(thread, index, &args);
        thread.stack.truncate(return_to);
        let control = match control {
            Err(error) => match error.kind {
                ErrorKind::WouldBlock { stream, readiness } => {
                    self.await_stream(stream, readiness, callee, &args)
                }
                _ => Err(error),
            },
            ok => ok,
        };
        if args.capacity() <= KEPT_ARGUMENT_BUFFER {
            self.argument_buffer = args;
        }
        let request = match control? {
            Control::Value(value) => {
                thread.stack.push(value);
                return Ok(Invoked::Value);
            }
            Control::Other(request) => *request,
        };
        match request {
            Request::Call(function, args) => {
                thread.stack.extend_from_slice(&args);
                self.invoke_function(thread, function, args.len(), return_to, mode)
            }
            Request::Park(park) => {
                thread.stack.push(Value::Nil);
                Ok(Invoked::Park(park))
            }
            Request::RestartFrame {
                frame,
                function,
                args,
            } => {
                self.restart_frame(thread, frame, function, args)?;
                Ok(Invoked::Frame)
            }
        }
    }

    /// The call that replaces a builtin which found `stream` not ready:
    /// `(SWANKD::%AWAIT-STREAM STREAM READINESS BUILTIN ARGUMENTS)` waits, then calls the
    /// builtin again.
    fn await_stream(
        &mut self,
        stream: Value,
        readiness: crate::events::Readiness,
        builtin: Value,
        args: &[Value],
    ) -> LispResult<Control> {
        let swankd = self.image.pkg.swankd;
        let awaiter = self.image.intern("%AWAIT-STREAM", swankd)?;
        let readiness = self.image.keyword(readiness_name(readiness))?;
        let arguments = self.image.list(args)?;
        Ok(Control::call(
            Value::Symbol(awaiter),
            vec![stream, Value::Symbol(readiness), builtin, arguments],
        ))
    }

    /// Places arguments for a lambda list with optional, rest or key parameters: required,
    /// then optional (or `Unbound`), then the rest list, then one slot per key.
    fn place_arguments(
        &mut self,
        thread: &mut LispThread,
        shape: &super::super::bytecode::LambdaShape,
        base: usize,
        argc: usize,
    ) -> LispResult<()> {
        let args: Vec<Value> = thread.stack[base..base + argc].to_vec();
        thread.stack.truncate(base);
        let required = shape.required as usize;
        let optional = shape.optional as usize;
        if argc < required || (!shape.rest && !shape.has_keys && argc > required + optional) {
            return Err(wrong_argument_count(argc));
        }
        thread.stack.extend_from_slice(&args[..required]);
        for i in 0..optional {
            thread
                .stack
                .push(args.get(required + i).copied().unwrap_or(Value::Unbound));
        }
        let rest = args.get(required + optional..).unwrap_or(&[]);
        if shape.rest {
            let list = self.image.list(rest)?;
            thread.stack.push(list);
        }
        if shape.has_keys {
            if rest.len() % 2 != 0 {
                return Err(LispError::program("odd number of &KEY arguments"));
            }
            let mut allow_other = shape.allow_other_keys;
            for pair in rest.chunks(2) {
                if let Value::Symbol(k) = pair[0]
                    && k == self.image.sym.allow_other_keys_kw
                    && pair[1].truthy()
                {
                    allow_other = true;
                    break;
                }
            }
            for key in &shape.keys {
                let found = rest
                    .chunks(2)
                    .find(|pair| matches!(pair[0], Value::Symbol(k) if k == *key))
                    .map(|pair| pair[1]);
                thread.stack.push(found.unwrap_or(Value::Unbound));
            }
            if !allow_other {
                for pair in rest.chunks(2) {
                    let known = matches!(pair[0], Value::Symbol(k)
                        if shape.keys.contains(&k) || k == self.image.sym.allow_other_keys_kw);
                    if !known {
                        let keys: Vec<String> = shape
                            .keys
                            .iter()
                            .map(|k| {
                                super::super::print::prin1_to_string(&self.image, Value::Symbol(*k))
                            })
                            .collect();
                        let key = super::super::print::prin1_to_string(&self.image, pair[0]);
                        return Err(LispError::program(format!(
                            "Unknown &KEY argument: {key}\n(expected one of: {})",
                            keys.join(" ")
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The keyword naming a readiness in Lisp (`%WAIT-FOR-STREAMS` takes the same).
pub fn readiness_name(readiness: crate::events::Readiness) -> &'static str {
    use crate::events::Readiness;
    match readiness {
        Readiness::Input => "INPUT",
        Readiness::Output => "OUTPUT",
        Readiness::Drained => "DRAINED",
        Readiness::Accept => "ACCEPT",
        Readiness::Connected => "CONNECTED",
    }
}

fn wrong_argument_count(argc: usize) -> LispError {
    LispError::program(format!("invalid number of arguments: {argc}"))
}

/// Pushes the frame of a call of `proto` whose arguments are in place from `base`: its other
/// local slots start as NIL.
#[inline(always)]
fn enter_frame(
    thread: &mut LispThread,
    proto: std::rc::Rc<super::super::bytecode::Proto>,
    callee: Value,
    base: usize,
    return_to: usize,
    after: AfterReturn,
) {
    let top = base + proto.local_count as usize;
    if top != thread.stack.len() {
        thread.stack.resize(top, Value::Nil);
    }
    let bindings = super::stack_index(thread.bindings.len());
    thread.push_frame(|| Frame {
        proto,
        function: callee,
        pc: 0,
        base: super::stack_index(base),
        return_to: super::stack_index(return_to),
        after,
        bindings,
        break_on_return: false,
    });
}
