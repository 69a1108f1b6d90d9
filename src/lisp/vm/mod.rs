//! The virtual machine: runs a green thread's bytecode for a bounded number of instructions.
//!
//! Lisp calls never recurse on the Rust stack: a call pushes a `Frame` and the loop continues.
//! `run` returns when the thread finishes, parks, fails, or uses up its fuel.

mod call;
mod dynamic;
mod nested;
mod signal;
mod step;

use std::any::Any;
use std::rc::Rc;

use super::builtins::{BuiltinTable, Control};
use super::bytecode::{CaptureFrom, Compare, Op, Proto};
use super::error::{ErrorKind, LispError, LispResult};
use super::image::Image;
use super::number::{self, Arith};
use super::object::{Closure, Object};
use super::symbol::FunctionKind;
use super::thread::{AfterReturn, EntryKind, LispThread, MultipleValues};
use super::transaction::{Cell, Contents};
use super::value::{SymRef, Value};

pub use call::CallMode;
pub use nested::NestedHost;

/// Why a thread stopped running for now.
#[derive(Debug)]
pub enum Park {
    /// `SLEEP`: wake after this many seconds.
    Sleep(std::time::Duration),
    /// Yield the rest of the slice (`THREAD-YIELD`).
    Yield,
    /// Wait for something host-specific (a mailbox, input from Emacs, ...). The top of the
    /// stack receives the value the waker supplies.
    Wait(Box<dyn Any>),
}

/// What a slice of execution ended with.
#[derive(Debug)]
pub enum Outcome {
    /// The thread's outermost function returned these values.
    Finished(Vec<Value>),
    /// Fuel ran out; the thread can continue later.
    Yielded,
    Parked(Park),
    /// An error no handler took. The thread's frames are intact for inspection.
    Failed(LispError),
}

/// Configurable limits of the interpreter.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Maximum call depth of a thread.
    pub max_frames: usize,
    /// Maximum number of values on a thread's stack.
    pub max_stack: usize,
    /// Instructions a nested evaluation (a macro expander) may run before it is stopped.
    pub nested_fuel: u64,
    /// How deeply forms may nest in the compiler.
    pub max_form_nesting: usize,
    /// Extra call depth (and a proportional share of stack) lent to a thread whose stack is
    /// exhausted, so that the error can be handled and shown in the debugger.
    pub overflow_headroom: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frames: 100_000,
            max_stack: 10_000_000,
            nested_fuel: 200_000_000,
            max_form_nesting: 5_000,
            overflow_headroom: 2_000,
        }
    }
}

/// The interpreter: the image, the builtins and the limits.
pub struct Vm {
    pub image: Image,
    pub builtins: BuiltinTable,
    pub limits: Limits,
    next_block_tag: i64,
    /// State of the embedding (the Swank layer), reachable from its builtins.
    pub host: Option<Box<dyn Any>>,
    /// Connection output streams with text waiting to be sent.
    pub dirty_streams: Vec<super::value::ObjRef>,
    /// How many nested evaluations (macro expanders) are running; they cannot park.
    pub nested: usize,
    /// Counts macro definitions, so Emacs's indentation hints are recomputed only after one.
    pub macro_generation: u64,
    /// Per thread running a compilation for Emacs: what the compiler noticed in its code.
    pub compile_notes:
        std::collections::HashMap<super::thread::ThreadId, Vec<super::compiler::CompileNote>>,
    /// Reused to hold a builtin's arguments while it runs.
    argument_buffer: Vec<Value>,
    /// FORMAT's control strings, decoded.
    pub format_controls: super::format::ControlCache,
    /// FORMAT's output buffer, kept between calls (see [`super::format::format`]).
    pub format_output: String,
    /// Streams with a `PPRINT-LOGICAL-BLOCK` open on them.
    pub pretty_streams:
        std::collections::HashMap<super::value::ObjRef, super::pretty_stream::PrettyStream>,
}

impl Vm {
    pub fn new(image: Image, builtins: BuiltinTable, limits: Limits) -> Self {
        Vm {
            image,
            builtins,
            limits,
            next_block_tag: 1,
            host: None,
            dirty_streams: Vec::new(),
            nested: 0,
            compile_notes: Default::default(),
            macro_generation: 0,
            argument_buffer: Vec::new(),
            format_controls: Default::default(),
            format_output: String::new(),
            pretty_streams: Default::default(),
        }
    }

    pub fn host_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.host.as_mut().and_then(|h| h.downcast_mut::<T>())
    }

    /// Prepares `thread` to call `function` with `args` when it next runs.
    /// Makes a thread that is stopped between instructions (parked or out of fuel) call
    /// `function` with no arguments as soon as it runs again, then carry on exactly where it
    /// was, as `BT:INTERRUPT-THREAD` does. `function` must be a closure.
    pub fn push_interrupt(&mut self, thread: &mut LispThread, function: Value) -> LispResult<()> {
        self.push_interrupt_with(thread, function, &[])
    }

    /// [`Vm::push_interrupt`] with arguments for the function.
    pub fn push_interrupt_with(
        &mut self,
        thread: &mut LispThread,
        function: Value,
        args: &[Value],
    ) -> LispResult<()> {
        if thread.frames.is_empty() {
            return Err(LispError::control("the thread is not running anything"));
        }
        let return_to = thread.stack.len();
        let saved = thread.mv.take();
        thread.stack.push(function);
        thread.stack.extend_from_slice(args);
        match self.invoke(thread, args.len(), return_to, CallMode::Normal) {
            Ok(call::Invoked::Frame) => {
                if let Some(frame) = thread.frames.last_mut() {
                    frame.after =
                        AfterReturn::KeepBelow(saved.map(|values| Box::new(values.to_vec())));
                }
                Ok(())
            }
            Ok(_) => {
                thread.stack.truncate(return_to);
                thread.mv = saved;
                Err(LispError::control(
                    "an interrupt function must be a closure",
                ))
            }
            Err(error) => {
                thread.stack.truncate(return_to);
                thread.mv = saved;
                Err(error)
            }
        }
    }

    pub fn start_call(
        &mut self,
        thread: &mut LispThread,
        function: Value,
        args: &[Value],
    ) -> LispResult<()> {
        let return_to = thread.stack.len();
        thread.stack.push(function);
        thread.stack.extend_from_slice(args);
        match self.invoke(thread, args.len(), return_to, CallMode::Normal)? {
            call::Invoked::Frame => Ok(()),
            call::Invoked::Value => {
                // A builtin answered at once; wrap the value in a trivial frame so that `run`
                // reports it as the result.
                let value = thread.stack.pop().unwrap_or(Value::Nil);
                thread.stack.truncate(return_to);
                let proto = Rc::new(constant_proto(value));
                thread.frames.push(super::thread::Frame {
                    proto,
                    function: Value::Nil,
                    pc: 0,
                    base: stack_index(thread.stack.len()),
                    return_to: stack_index(thread.stack.len()),
                    after: AfterReturn::Normal,
                    bindings: stack_index(thread.bindings.len()),
                    break_on_return: false,
                });
                Ok(())
            }
            call::Invoked::Park(_) => {
                Err(LispError::control("cannot park a thread before it runs"))
            }
        }
    }

    /// Runs `thread` for at most `fuel` instructions, returning when frames drop to
    /// `stop_depth`.
    pub fn run(&mut self, thread: &mut LispThread, fuel: u64, stop_depth: usize) -> Outcome {
        let mut fuel = fuel;
        loop {
            match self.execute(thread, &mut fuel, stop_depth) {
                Ok(outcome) => return outcome,
                Err(error) => {
                    // Nested evaluations report errors to their caller, which signals them.
                    if error.unhandled || stop_depth > 0 {
                        return Outcome::Failed(error);
                    }
                    if let Err(error) = self.signal(thread, error) {
                        return Outcome::Failed(error);
                    }
                }
            }
        }
    }

    /// Runs instructions; on an error the current frame's pc is saved first, so that a value
    /// returned by the signal machinery resumes after the failing instruction.
    fn execute(
        &mut self,
        thread: &mut LispThread,
        fuel: &mut u64,
        stop_depth: usize,
    ) -> LispResult<Outcome> {
        // Local copies, so that once `execute_frames` is inlined the loop keeps them in
        // registers instead of loading and storing them through pointers at every instruction.
        let mut pc_on_error = 0usize;
        let mut remaining = *fuel;
        let result = self.execute_frames(thread, &mut remaining, stop_depth, &mut pc_on_error);
        *fuel = remaining;
        if result.is_err() {
            save_pc(thread, pc_on_error);
        }
        result
    }

    #[inline(always)]
    fn execute_frames(
        &mut self,
        thread: &mut LispThread,
        fuel: &mut u64,
        stop_depth: usize,
        pc_on_error: &mut usize,
    ) -> LispResult<Outcome> {
        'frames: loop {
            let Some(frame) = thread.frames.last() else {
                return Ok(Outcome::Finished(vec![
                    thread.stack.pop().unwrap_or(Value::Nil),
                ]));
            };
            // SAFETY: the top frame holds an `Rc` of this `Proto`, which keeps it alive while
            // the frame is on the stack. Within the instruction loop below, only the VM's
            // own code touches the frames, and every instruction that may pop or replace the
            // top frame (a call, which may run a builtin; a return; an exit) leaves the loop
            // through `continue 'frames` or `return` before `proto` is used again. Borrowing
            // instead of cloning saves two reference-count updates per frame entered.
            let proto: &Proto = unsafe { &*Rc::as_ptr(&frame.proto) };
            let function = frame.function;
            let base = frame.base as usize;
            let mut pc = frame.pc as usize;
            // Fuel approximates instructions run without a check at every instruction: a
            // frame entry costs one, a backward jump the length of the code it repeats, and a
            // frame leaving (by return or tail call) the length of the code before its pc.
            if *fuel == 0 {
                return Ok(Outcome::Yielded);
            }
            *fuel -= 1;
            macro_rules! jump {
                ($target:expr) => {{
                    let target = $target as usize;
                    if target < pc {
                        let repeated = (pc - target) as u64;
                        if *fuel < repeated {
                            *fuel = 0;
                            save_pc(thread, target);
                            return Ok(Outcome::Yielded);
                        }
                        *fuel -= repeated;
                    }
                    pc = target;
                }};
            }
            loop {
                let Some(op) = proto.code.get(pc).copied() else {
                    // Only a tail call to a builtin that parked leaves a frame here: its
                    // result (the park value, or what the waker put there) is on top.
                    if let Some(outcome) = self.return_from_frame(thread, stop_depth)? {
                        return Ok(outcome);
                    }
                    continue 'frames;
                };
                pc += 1;
                *pc_on_error = pc;
                match op {
                    Op::Const(i) => thread.stack.push(proto.constants[i as usize]),
                    Op::Nil => thread.stack.push(Value::Nil),
                    Op::T => thread.stack.push(Value::Symbol(self.image.sym.t)),
                    Op::Fixnum(n) => thread.stack.push(Value::Fixnum(i64::from(n))),
                    Op::Local(slot) => thread.stack.push(thread.stack[base + slot as usize]),
                    Op::SetLocal(slot) => {
                        let value = pop(thread);
                        thread.stack[base + slot as usize] = value;
                    }
                    Op::LocalCell(slot) => {
                        let cell = thread.stack[base + slot as usize];
                        thread.stack.push(self.cell_value(cell));
                    }
                    Op::SetLocalCell(slot) => {
                        let value = pop(thread);
                        let cell = thread.stack[base + slot as usize];
                        self.set_cell(cell, value);
                    }
                    Op::MakeCell(slot) => {
                        let value = thread.stack[base + slot as usize];
                        let cell = self.image.heap.alloc(Object::Cell(value))?;
                        thread.stack[base + slot as usize] = cell;
                    }
                    Op::Captured(index) => thread.stack.push(self.captured(function, index)),
                    Op::CapturedCell(index) => {
                        let cell = self.captured(function, index);
                        thread.stack.push(self.cell_value(cell));
                    }
                    Op::SetCapturedCell(index) => {
                        let value = pop(thread);
                        let cell = self.captured(function, index);
                        self.set_cell(cell, value);
                    }
                    Op::Global(i) => {
                        let sym = symbol_constant(proto, i);
                        let value = self.symbol_value(thread, sym)?;
                        thread.stack.push(value);
                    }
                    Op::SetGlobal(i) => {
                        let sym = symbol_constant(proto, i);
                        let value = pop(thread);
                        self.set_symbol_value(thread, sym, value)?;
                    }
                    Op::FunctionOf(i) => {
                        let sym = symbol_constant(proto, i);
                        let function = self.global_function(sym)?;
                        thread.stack.push(function);
                    }
                    Op::MakeClosure(index) => {
                        let child = proto.children[index as usize].clone();
                        let captured = child
                            .captures
                            .iter()
                            .map(|from| match from {
                                CaptureFrom::Local(slot) => thread
                                    .stack
                                    .get(base + *slot as usize)
                                    .copied()
                                    .unwrap_or(Value::Nil),
                                CaptureFrom::Captured(i) => self.captured(function, *i),
                            })
                            .collect();
                        let closure = self.image.heap.alloc(Object::Closure(Closure {
                            proto: child,
                            captured,
                        }))?;
                        thread.stack.push(closure);
                    }
                    Op::Pop => {
                        thread.stack.pop();
                    }
                    Op::Dup => {
                        let top = thread.stack.last().copied().unwrap_or(Value::Nil);
                        thread.stack.push(top);
                    }
                    Op::Jump(target) => jump!(target),
                    Op::JumpIfNil(target) => {
                        if pop(thread).is_nil() {
                            jump!(target);
                        }
                    }
                    Op::JumpIfTrue(target) => {
                        if pop(thread).truthy() {
                            jump!(target);
                        }
                    }
                    Op::JumpIfSupplied(slot, target) => {
                        if !matches!(thread.stack[base + slot as usize], Value::Unbound) {
                            jump!(target);
                        }
                    }
                    Op::Supplied(slot) => {
                        let supplied =
                            !matches!(thread.stack[base + slot as usize], Value::Unbound);
                        thread.stack.push(self.image.boolean(supplied));
                    }
                    Op::Call(argc) | Op::TailCall(argc) => {
                        let argc = argc as usize;
                        let mode = if matches!(op, Op::TailCall(_)) {
                            *fuel = fuel.saturating_sub(pc as u64);
                            CallMode::Tail
                        } else {
                            CallMode::Normal
                        };
                        let return_to = thread.stack.len() - argc - 1;
                        save_pc(thread, pc);
                        match self.invoke(thread, argc, return_to, mode)? {
                            call::Invoked::Frame => continue 'frames,
                            call::Invoked::Value => {
                                if mode == CallMode::Tail
                                    && let Some(outcome) =
                                        self.return_from_frame(thread, stop_depth)?
                                {
                                    return Ok(outcome);
                                }
                                // A builtin answered. It had the thread to change, so `proto`
                                // is taken afresh from the top frame.
                                continue 'frames;
                            }
                            call::Invoked::Park(park) => return Ok(Outcome::Parked(park)),
                        }
                    }
                    Op::CallGlobal(i, argc) | Op::TailCallGlobal(i, argc) => {
                        let sym = symbol_constant(proto, i);
                        let argc = argc as usize;
                        let return_to = thread.stack.len() - argc;
                        let mode = if matches!(op, Op::TailCallGlobal(..)) {
                            *fuel = fuel.saturating_sub(pc as u64);
                            CallMode::Tail
                        } else {
                            CallMode::Normal
                        };
                        let invoked = match self.push_global_frame(thread, sym, argc, pc, mode) {
                            call::SimpleCall::Pushed => continue 'frames,
                            call::SimpleCall::Builtin(index) => {
                                save_pc(thread, pc);
                                let function = self.image.heap.symbol(sym).function;
                                self.invoke_builtin(thread, index, function, argc, return_to, mode)
                            }
                            call::SimpleCall::General => {
                                let function = match self.global_function(sym) {
                                    Ok(function) => function,
                                    Err(mut error) => {
                                        let keep = thread.stack.len() - argc;
                                        error.arguments = Some(thread.stack[keep..].to_vec());
                                        thread.stack.truncate(keep);
                                        save_pc(thread, pc);
                                        return Err(error);
                                    }
                                };
                                save_pc(thread, pc);
                                self.invoke_function(thread, function, argc, return_to, mode)
                            }
                        };
                        match invoked? {
                            call::Invoked::Frame => continue 'frames,
                            call::Invoked::Value => {
                                if mode == CallMode::Tail
                                    && let Some(outcome) =
                                        self.return_from_frame(thread, stop_depth)?
                                {
                                    return Ok(outcome);
                                }
                                // A builtin answered. It had the thread to change, so `proto`
                                // is taken afresh from the top frame.
                                continue 'frames;
                            }
                            call::Invoked::Park(park) => return Ok(Outcome::Parked(park)),
                        }
                    }
                    Op::Return | Op::ReturnMv => {
                        *fuel = fuel.saturating_sub(pc as u64);
                        if matches!(op, Op::Return) {
                            thread.mv = None;
                        }
                        // The common case, returning a value to a caller this run continues:
                        // nothing to do but pop the frame.
                        let depth = thread.frames.len();
                        if let Some(frame) = thread.frames.last()
                            && depth > stop_depth + 1
                            && !frame.break_on_return
                            && matches!(frame.after, AfterReturn::Normal)
                        {
                            let return_to = frame.return_to as usize;
                            // Dropped here rather than as an `Option<Frame>`, whose drop is
                            // not inlined: the frame owns nothing but its `proto`, since
                            // `after` is `Normal`.
                            if let Some(frame) = thread.frames.pop() {
                                let super::thread::Frame { proto, after, .. } = frame;
                                drop(proto);
                                std::mem::forget(after);
                            }
                            move_result(&mut thread.stack, return_to);
                            continue 'frames;
                        }
                        if let Some(outcome) = self.return_from_frame(thread, stop_depth)? {
                            return Ok(outcome);
                        }
                        continue 'frames;
                    }
                    Op::ClearMv => thread.mv = None,
                    Op::MvList => {
                        let top = pop(thread);
                        let values = thread.mv.take().unwrap_or_else(|| smallvec::smallvec![top]);
                        let list = self.image.list(&values)?;
                        thread.stack.push(list);
                    }
                    Op::BindSpecial(i) => {
                        let sym = symbol_constant(proto, i);
                        let value = pop(thread);
                        self.bind_special(thread, sym, value);
                    }
                    Op::Unbind(count) => {
                        self.unbind_to(thread, thread.bindings.len().saturating_sub(count as usize))
                    }
                    Op::BlockEnter(slot, target) => {
                        let tag = self.next_block_tag;
                        self.next_block_tag += 1;
                        thread.stack[base + slot as usize] = Value::Fixnum(tag);
                        self.enter(
                            thread,
                            EntryKind::Block {
                                tag,
                                target: target as usize,
                            },
                        );
                    }
                    Op::BlockExit | Op::CatchExit => {
                        thread.dynamic.pop();
                    }
                    Op::ReturnFrom => {
                        let value = pop(thread);
                        let tag = pop(thread);
                        save_pc(thread, pc);
                        self.return_to_block(thread, tag, value, stop_depth)?;
                        continue 'frames;
                    }
                    Op::CatchEnter(target) => {
                        let tag = pop(thread);
                        self.enter(
                            thread,
                            EntryKind::Catch {
                                tag,
                                target: target as usize,
                            },
                        );
                    }
                    Op::Throw => {
                        let value = pop(thread);
                        let tag = pop(thread);
                        save_pc(thread, pc);
                        self.throw(thread, tag, value, stop_depth)?;
                        continue 'frames;
                    }
                    Op::UnwindProtectEnter => {
                        let cleanup = pop(thread);
                        self.enter(thread, EntryKind::UnwindProtect { cleanup });
                    }
                    Op::UnwindProtectExit => {
                        let cleanup = match thread.dynamic.pop().map(|e| e.kind) {
                            Some(EntryKind::UnwindProtect { cleanup }) => cleanup,
                            _ => {
                                return Err(LispError::control(
                                    "internal error: unbalanced UNWIND-PROTECT",
                                ));
                            }
                        };
                        let saved = thread.mv.take();
                        let return_to = thread.stack.len();
                        thread.stack.push(cleanup);
                        save_pc(thread, pc);
                        match self.invoke(thread, 0, return_to, CallMode::Normal)? {
                            call::Invoked::Frame => {
                                if let Some(frame) = thread.frames.last_mut() {
                                    frame.after = AfterReturn::KeepBelow(
                                        saved.map(|values| Box::new(values.to_vec())),
                                    );
                                }
                                continue 'frames;
                            }
                            call::Invoked::Value | call::Invoked::Park(_) => {
                                thread.stack.truncate(return_to);
                                thread.mv = saved;
                                continue 'frames;
                            }
                        }
                    }
                    Op::MvFromList => {
                        let list = pop(thread);
                        let values = self.image.list_to_vec(list).unwrap_or_default();
                        thread
                            .stack
                            .push(values.first().copied().unwrap_or(Value::Nil));
                        thread.mv = Some(values.into());
                    }
                    Op::Add => self.arith_op(thread, Arith::Add)?,
                    Op::Sub => self.arith_op(thread, Arith::Sub)?,
                    Op::Mul => self.arith_op(thread, Arith::Mul)?,
                    Op::Lt => self.compare_op(thread, |o| o == std::cmp::Ordering::Less)?,
                    Op::Gt => self.compare_op(thread, |o| o == std::cmp::Ordering::Greater)?,
                    Op::Le => self.compare_op(thread, |o| o != std::cmp::Ordering::Greater)?,
                    Op::Ge => self.compare_op(thread, |o| o != std::cmp::Ordering::Less)?,
                    Op::NumEq => self.compare_op(thread, |o| o == std::cmp::Ordering::Equal)?,
                    Op::AddImmediate(amount) => {
                        if let Some(Value::Fixnum(n)) = thread.stack.last_mut()
                            && let Some(sum) = n.checked_add(i64::from(amount))
                        {
                            *n = sum;
                            continue;
                        }
                        let value = pop(thread);
                        let sum = self.add_fixnum(value, amount)?;
                        thread.stack.push(sum);
                    }
                    Op::AddToLocal(slot, amount) => {
                        let index = base + slot as usize;
                        // Updating the fixnum in place writes only its payload; storing a new
                        // `Value` would write tag and payload separately, and the next 16-byte
                        // read of the slot would stall waiting for both stores.
                        if let Some(Value::Fixnum(n)) = thread.stack.get_mut(index)
                            && let Some(sum) = n.checked_add(i64::from(amount))
                        {
                            *n = sum;
                        } else {
                            let sum = self.add_fixnum(thread.stack[index], amount)?;
                            thread.stack[index] = sum;
                        }
                    }
                    Op::CompareLocalsJump {
                        compare,
                        when,
                        a,
                        b,
                        target,
                    } => {
                        let (a, b) = (
                            &thread.stack[base + a as usize],
                            &thread.stack[base + b as usize],
                        );
                        let result = match (a, b) {
                            (Value::Fixnum(x), Value::Fixnum(y)) => {
                                compare_fixnums(compare, *x, *y)
                            }
                            _ => self.compare(compare, *a, *b)?,
                        };
                        if result == when {
                            jump!(target);
                        }
                    }
                    Op::CompareLocalFixnumJump {
                        compare,
                        when,
                        a,
                        b,
                        target,
                    } => {
                        let result = match &thread.stack[base + a as usize] {
                            Value::Fixnum(x) => compare_fixnums(compare, *x, i64::from(b)),
                            a => self.compare(compare, *a, Value::Fixnum(i64::from(b)))?,
                        };
                        if result == when {
                            jump!(target);
                        }
                    }
                    Op::CompareJump(compare, when, target) => {
                        let b = pop(thread);
                        let a = pop(thread);
                        if self.compare(compare, a, b)? == when {
                            jump!(target);
                        }
                    }
                    Op::Car => {
                        let value = pop(thread);
                        let car = self
                            .image
                            .car(value)
                            .ok_or_else(|| LispError::type_error(value, "LIST"))?;
                        thread.stack.push(car);
                    }
                    Op::Cdr => {
                        let value = pop(thread);
                        let cdr = self
                            .image
                            .cdr(value)
                            .ok_or_else(|| LispError::type_error(value, "LIST"))?;
                        thread.stack.push(cdr);
                    }
                    Op::Cons => {
                        let cdr = pop(thread);
                        let car = pop(thread);
                        let cell = self.image.heap.cons(car, cdr)?;
                        thread.stack.push(cell);
                    }
                    Op::Eq => {
                        let b = pop(thread);
                        let a = pop(thread);
                        thread.stack.push(self.image.boolean(a.eq(b)));
                    }
                    Op::Not => {
                        let value = pop(thread);
                        thread.stack.push(self.image.boolean(value.is_nil()));
                    }
                    Op::Length => {
                        let sequence = pop(thread);
                        let length = match self.image.object(sequence) {
                            Some(Object::String(s)) => s.char_count(),
                            _ => super::builtins::sequence_length(&self.image, sequence)?,
                        };
                        thread.stack.push(Value::Fixnum(length as i64));
                    }
                }
            }
        }
    }

    /// Pops the current frame, leaving its result on the caller's stack. Returns an outcome
    /// when the frame was the last one this `run` owns.
    fn return_from_frame(
        &mut self,
        thread: &mut LispThread,
        stop_depth: usize,
    ) -> LispResult<Option<Outcome>> {
        let value = thread.stack.pop().unwrap_or(Value::Nil);
        let Some(frame) = thread.frames.pop() else {
            return Ok(Some(Outcome::Finished(vec![value])));
        };
        thread.stack.truncate(frame.return_to as usize);
        if frame.break_on_return && thread.frames.len() > stop_depth {
            let outcome = self.finish_return(thread, frame, value, stop_depth);
            if matches!(outcome, Ok(None)) {
                self.break_at_return(thread, value);
            }
            return outcome;
        }
        self.finish_return(thread, frame, value, stop_depth)
    }

    /// The rest of [`Vm::return_from_frame`] once `frame` is popped.
    fn finish_return(
        &mut self,
        thread: &mut LispThread,
        frame: super::thread::Frame,
        value: Value,
        stop_depth: usize,
    ) -> LispResult<Option<Outcome>> {
        match frame.after {
            AfterReturn::Normal => {}
            AfterReturn::ResumeExit => {
                self.resume_exit(thread, stop_depth)?;
                return Ok(None);
            }
            AfterReturn::KeepBelow(saved) => {
                thread.mv = saved.map(|values| MultipleValues::from_vec(*values));
                return Ok(None);
            }
        }
        if thread.frames.len() <= stop_depth {
            let values = thread
                .mv
                .as_ref()
                .map_or_else(|| vec![value], |values| values.to_vec());
            thread.stack.push(value);
            return Ok(Some(Outcome::Finished(values)));
        }
        thread.stack.push(value);
        Ok(None)
    }

    #[inline(always)]
    fn arith_op(&mut self, thread: &mut LispThread, op: Arith) -> LispResult<()> {
        // Two fixnums: the result replaces the first operand's payload in place (see
        // `Op::AddToLocal` for why writing a whole `Value` is slower).
        if let [.., Value::Fixnum(x), Value::Fixnum(y)] = thread.stack.as_mut_slice() {
            let result = match op {
                Arith::Add => x.checked_add(*y),
                Arith::Sub => x.checked_sub(*y),
                Arith::Mul => x.checked_mul(*y),
                _ => None,
            };
            if let Some(result) = result {
                *x = result;
                let len = thread.stack.len();
                thread.stack.truncate(len - 1);
                return Ok(());
            }
        }
        let b = pop(thread);
        let a = pop(thread);
        let result = match (a, b, op) {
            (Value::Fixnum(x), Value::Fixnum(y), Arith::Add) => x.checked_add(y).map(Value::Fixnum),
            (Value::Fixnum(x), Value::Fixnum(y), Arith::Sub) => x.checked_sub(y).map(Value::Fixnum),
            (Value::Fixnum(x), Value::Fixnum(y), Arith::Mul) => x.checked_mul(y).map(Value::Fixnum),
            _ => None,
        };
        let result = match result {
            Some(v) => v,
            None => number::arith_values(&mut self.image, op, a, b)?,
        };
        thread.stack.push(result);
        Ok(())
    }

    #[inline(always)]
    fn compare_op(
        &mut self,
        thread: &mut LispThread,
        test: fn(std::cmp::Ordering) -> bool,
    ) -> LispResult<()> {
        let b = pop(thread);
        let a = pop(thread);
        let ordering = match (a, b) {
            (Value::Fixnum(x), Value::Fixnum(y)) => Some(x.cmp(&y)),
            _ => number::compare_values(&self.image, a, b)?,
        };
        let result = ordering.is_some_and(test);
        thread.stack.push(self.image.boolean(result));
        Ok(())
    }

    #[inline(always)]
    fn add_fixnum(&mut self, value: Value, amount: i32) -> LispResult<Value> {
        if let Value::Fixnum(n) = value
            && let Some(sum) = n.checked_add(i64::from(amount))
        {
            return Ok(Value::Fixnum(sum));
        }
        number::arith_values(
            &mut self.image,
            Arith::Add,
            value,
            Value::Fixnum(i64::from(amount)),
        )
    }

    #[inline(always)]
    fn compare(&self, compare: Compare, a: Value, b: Value) -> LispResult<bool> {
        if compare == Compare::Eq {
            return Ok(a.eq(b));
        }
        let ordering = match (a, b) {
            (Value::Fixnum(x), Value::Fixnum(y)) => Some(x.cmp(&y)),
            _ => number::compare_values(&self.image, a, b)?,
        };
        Ok(ordering.is_some_and(|ordering| match compare {
            Compare::Lt => ordering.is_lt(),
            Compare::Gt => ordering.is_gt(),
            Compare::Le => ordering.is_le(),
            Compare::Ge => ordering.is_ge(),
            Compare::NumEq | Compare::Eq => ordering.is_eq(),
        }))
    }

    fn captured(&self, function: Value, index: u32) -> Value {
        match self.image.object(function) {
            Some(Object::Closure(closure)) => closure
                .captured
                .get(index as usize)
                .copied()
                .unwrap_or(Value::Nil),
            _ => Value::Nil,
        }
    }

    fn cell_value(&self, cell: Value) -> Value {
        match self.image.object(cell) {
            Some(Object::Cell(value)) => *value,
            _ => cell,
        }
    }

    fn set_cell(&mut self, cell: Value, value: Value) {
        if let Some(Object::Cell(slot)) = self.image.object_mut(cell) {
            *slot = value;
        }
    }

    /// The current value of a special variable in `thread`.
    pub fn symbol_value(&self, thread: &LispThread, sym: SymRef) -> LispResult<Value> {
        let symbol = self.image.heap.symbol(sym);
        let value = if symbol.dynamic_bindings > 0 {
            match thread.binding(sym) {
                Some(index) => thread.bindings[index].1,
                None => symbol.value,
            }
        } else {
            symbol.value
        };
        if matches!(value, Value::Unbound) {
            let name = symbol.name.clone();
            return Err(LispError::new(
                ErrorKind::UnboundVariable(sym),
                format!("The variable {name} is unbound."),
            ));
        }
        Ok(value)
    }

    pub fn set_symbol_value(
        &mut self,
        thread: &mut LispThread,
        sym: SymRef,
        value: Value,
    ) -> LispResult<()> {
        let symbol = self.image.heap.symbol(sym);
        if symbol.constant {
            let name = symbol.name.clone();
            return Err(LispError::program(format!(
                "{name} is a constant and thus can't be set."
            )));
        }
        if symbol.dynamic_bindings > 0
            && let Some(index) = thread.binding(sym)
        {
            thread.bindings[index].1 = value;
            return Ok(());
        }
        let kind = FunctionKind::Function;
        self.write_global(thread, sym, Cell::Value, Contents { value, kind });
        Ok(())
    }

    /// The function named by `sym`, or an UNDEFINED-FUNCTION error.
    #[inline(always)]
    pub fn global_function(&self, sym: SymRef) -> LispResult<Value> {
        let symbol = self.image.heap.symbol(sym);
        if symbol.function_kind != FunctionKind::Macro && !matches!(symbol.function, Value::Unbound)
        {
            return Ok(symbol.function);
        }
        self.global_function_slow(sym)
    }

    #[cold]
    fn global_function_slow(&self, sym: SymRef) -> LispResult<Value> {
        let symbol = self.image.heap.symbol(sym);
        if symbol.is_macro() {
            let name = symbol.name.clone();
            return Err(LispError::program(format!(
                "{name} is a macro, not a function."
            )));
        }
        match symbol.function {
            Value::Unbound => {
                let name = self.qualified_name(sym);
                Err(LispError::new(
                    ErrorKind::UndefinedFunction(Value::Symbol(sym)),
                    format!("The function {name} is undefined."),
                ))
            }
            function => Ok(function),
        }
    }

    pub(super) fn dispatch_builtin(
        &mut self,
        thread: &mut LispThread,
        index: u32,
        args: &[Value],
    ) -> LispResult<Control> {
        let Some(entry) = self.builtins.get(index) else {
            return Err(LispError::simple("internal error: unknown builtin"));
        };
        let arity = entry.arity;
        let run = entry.function;
        let builtin_name = entry.name;
        if args.len() < arity.0 || arity.1.is_some_and(|max| args.len() > max) {
            let name = super::print::prin1_to_string(&self.image, Value::Symbol(entry.name));
            return Err(LispError::program(format!(
                "invalid number of arguments: {} (calling {name})",
                args.len()
            )));
        }
        // A bug in a builtin must not take the daemon down: the panic ends as a Lisp error in
        // the calling thread only, which its handlers and debugger see like any other.
        //
        // A fixnum result comes out of the closure as a bare `i64`, in a register: the whole
        // result, which the builtin wrote to memory as tag and payload, would be copied out
        // at once and wait for both stores.
        let mut other = None;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let result = run(self, thread, args);
            if let Ok(Control::Value(Value::Fixnum(n))) = &result {
                return Some(*n);
            }
            other = Some(result);
            None
        }));
        match outcome {
            Ok(Some(n)) => Ok(Control::Value(Value::Fixnum(n))),
            Ok(None) => {
                other.unwrap_or_else(|| Err(LispError::simple("internal error: no result")))
            }
            Err(payload) => {
                let detail = payload
                    .downcast_ref::<&str>()
                    .map(|text| text.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "no message".to_string());
                let name = self.qualified_name(builtin_name);
                tracing::error!(builtin = %name, %detail, "a builtin panicked; signalling an error in its thread");
                Err(LispError::simple(format!(
                    "internal error in {name}: {detail}"
                )))
            }
        }
    }
}

impl Vm {
    /// A symbol printed with its package prefix, as SBCL names functions in error reports.
    pub fn qualified_name(&self, sym: SymRef) -> String {
        let options = super::print::PrintOptions::prin1(Some(self.image.pkg.keyword));
        super::print::print_to_string(&self.image, Value::Symbol(sym), &options)
    }
}

#[inline(always)]
fn compare_fixnums(compare: Compare, a: i64, b: i64) -> bool {
    match compare {
        Compare::Lt => a < b,
        Compare::Gt => a > b,
        Compare::Le => a <= b,
        Compare::Ge => a >= b,
        Compare::NumEq | Compare::Eq => a == b,
    }
}

fn save_pc(thread: &mut LispThread, pc: usize) {
    if let Some(frame) = thread.frames.last_mut() {
        frame.pc = stack_index(pc);
    }
}

/// A stack index, binding depth or pc as a frame keeps it. None comes near `u32::MAX`: the
/// stack and the frames are bounded far below it (`Limits`), and so is the code.
pub(crate) fn stack_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Cuts the stack back to `return_to` and leaves the value that was on top there: a
/// returning call's result. A fixnum result over a fixnum (in the common case, the
/// caller's argument) replaces just the payload, read and written by itself: copying the
/// 16-byte `Value` whole would wait for the separate stores of tag and payload that made
/// it (see `Op::AddToLocal`).
#[inline(always)]
fn move_result(stack: &mut Vec<Value>, return_to: usize) {
    let len = stack.len();
    if len > return_to + 1 {
        let (below, top) = stack.split_at_mut(len - 1);
        match (&top[0], &mut below[return_to]) {
            (Value::Fixnum(n), Value::Fixnum(slot)) => *slot = *n,
            (value, slot) => *slot = *value,
        }
        stack.truncate(return_to + 1);
    } else if len <= return_to {
        // Below where the call began (only if the stack was disturbed): keep it as it is.
        let value = stack.pop().unwrap_or(Value::Nil);
        stack.push(value);
    }
}

#[inline(always)]
fn pop(thread: &mut LispThread) -> Value {
    thread.stack.pop().unwrap_or(Value::Nil)
}

fn symbol_constant(proto: &Proto, index: u32) -> SymRef {
    match proto.constants.get(index as usize) {
        Some(Value::Symbol(sym)) => *sym,
        _ => SymRef(0),
    }
}

/// A function body that just returns `value`.
fn constant_proto(value: Value) -> Proto {
    Proto {
        name: Value::Nil,
        code: vec![Op::Const(0), Op::ReturnMv],
        constants: vec![value],
        children: Vec::new(),
        captures: Vec::new(),
        shape: Default::default(),
        local_count: 0,
        local_names: Vec::new(),
        macros: Vec::new(),
    }
}
