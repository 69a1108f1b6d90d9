//! Dynamic state of a thread: special bindings, and non-local exits (`RETURN-FROM`, `THROW`)
//! that run `UNWIND-PROTECT` cleanups on their way out.

use super::super::error::{LispError, LispResult};
use super::super::thread::{AfterReturn, DynamicEntry, EntryKind, LispThread, PendingExit};
use super::super::value::{SymRef, Value};
use super::Vm;
use super::call::{CallMode, Invoked};
use crate::lisp::thread::MultipleValues;

impl Vm {
    pub fn bind_special(&mut self, thread: &mut LispThread, sym: SymRef, value: Value) {
        thread.bindings.push((sym, value));
        if let Some(symbol) = self.image.heap.symbol_mut(sym) {
            symbol.dynamic_bindings += 1;
        }
    }

    /// Removes dynamic bindings until `depth` remain.
    pub fn unbind_to(&mut self, thread: &mut LispThread, depth: usize) {
        while thread.bindings.len() > depth {
            if let Some((sym, _)) = thread.bindings.pop()
                && let Some(symbol) = self.image.heap.symbol_mut(sym)
            {
                symbol.dynamic_bindings = symbol.dynamic_bindings.saturating_sub(1);
            }
        }
    }

    /// Pushes a dynamic-extent entry recording the thread's current state.
    pub(super) fn enter(&mut self, thread: &mut LispThread, kind: EntryKind) {
        thread.dynamic.push(DynamicEntry {
            kind,
            frames: thread.frames.len(),
            stack: thread.stack.len(),
            bindings: thread.bindings.len(),
        });
    }

    /// `RETURN-FROM`: exits to the block whose tag is `tag`.
    pub(super) fn return_to_block(
        &mut self,
        thread: &mut LispThread,
        tag: Value,
        value: Value,
        stop_depth: usize,
    ) -> LispResult<()> {
        let index = match tag {
            Value::Fixnum(tag) => thread
                .dynamic
                .iter()
                .rposition(|e| matches!(e.kind, EntryKind::Block { tag: t, .. } if t == tag)),
            _ => None,
        };
        let Some(index) = index else {
            return Err(LispError::control(
                "attempt to RETURN-FROM a block that no longer exists",
            ));
        };
        let mv = thread.mv.take();
        self.exit_to(thread, index, value, mv, stop_depth)
    }

    /// `THROW`: exits to the innermost catch whose tag is EQ to `tag`.
    pub(super) fn throw(
        &mut self,
        thread: &mut LispThread,
        tag: Value,
        value: Value,
        stop_depth: usize,
    ) -> LispResult<()> {
        let index = thread
            .dynamic
            .iter()
            .rposition(|e| matches!(e.kind, EntryKind::Catch { tag: t, .. } if t.eq(tag)));
        let Some(index) = index else {
            let text = super::super::print::prin1_to_string(&self.image, tag);
            return Err(LispError::control(format!(
                "attempt to THROW to a tag that does not exist: {text}"
            )));
        };
        let mv = thread.mv.take();
        self.exit_to(thread, index, value, mv, stop_depth)
    }

    /// Unwinds to dynamic entry `index`, running cleanups in between, and resumes there with
    /// `value`. When a cleanup is a Lisp function the exit is suspended until it returns.
    pub(super) fn exit_to(
        &mut self,
        thread: &mut LispThread,
        index: usize,
        value: Value,
        mv: Option<MultipleValues>,
        stop_depth: usize,
    ) -> LispResult<()> {
        if let Some(target) = thread.dynamic.get(index)
            && stop_depth > 0
            && target.frames <= stop_depth
        {
            return Err(LispError::control(
                "attempt to exit across a nested evaluation (e.g. out of a macro expander)",
            ));
        }
        while thread.dynamic.len() > index + 1 {
            let Some(entry) = thread.dynamic.pop() else {
                break;
            };
            if let EntryKind::UnwindProtect { cleanup } = entry.kind {
                self.restore(thread, &entry);
                let return_to = thread.stack.len();
                thread.stack.push(cleanup);
                match self.invoke(thread, 0, return_to, CallMode::Normal)? {
                    Invoked::Frame => {
                        if let Some(frame) = thread.frames.last_mut() {
                            frame.after = AfterReturn::ResumeExit;
                        }
                        thread.pending_exits.push(PendingExit {
                            entry: index,
                            value,
                            mv,
                        });
                        return Ok(());
                    }
                    Invoked::Value | Invoked::Park(_) => thread.stack.truncate(return_to),
                }
            }
        }
        let Some(entry) = thread.dynamic.pop() else {
            return Err(LispError::control("internal error: exit target vanished"));
        };
        self.restore(thread, &entry);
        let target = match entry.kind {
            EntryKind::Block { target, .. } | EntryKind::Catch { target, .. } => target,
            EntryKind::UnwindProtect { .. } => {
                return Err(LispError::control("internal error: exit to a cleanup"));
            }
            EntryKind::Restart { function, args } => {
                thread.mv = None;
                let return_to = thread.stack.len();
                thread.stack.push(function);
                thread.stack.extend_from_slice(&args);
                return match self.invoke(thread, args.len(), return_to, CallMode::Normal)? {
                    Invoked::Frame | Invoked::Value => Ok(()),
                    Invoked::Park(_) => Err(LispError::control(
                        "cannot restart a call that waits at once",
                    )),
                };
            }
        };
        thread.stack.push(value);
        thread.mv = mv;
        if let Some(frame) = thread.frames.last_mut() {
            frame.pc = super::stack_index(target);
        }
        Ok(())
    }

    /// Unwinds `thread` to just before call frame `frame` was entered (running cleanups on
    /// the way), then calls `function` with `args` in its place: the debugger's
    /// `restart-frame`. The caller of the frame then continues as if the first call had
    /// returned what the new one returns.
    pub fn restart_frame(
        &mut self,
        thread: &mut LispThread,
        frame: usize,
        function: Value,
        args: Vec<Value>,
    ) -> LispResult<()> {
        let Some(target) = thread.frames.get(frame) else {
            return Err(LispError::control("no such frame to restart"));
        };
        if frame == 0 {
            return Err(LispError::control(
                "the outermost frame cannot be restarted",
            ));
        }
        let entry = DynamicEntry {
            kind: EntryKind::Restart { function, args },
            frames: frame,
            stack: target.return_to as usize,
            bindings: target.bindings as usize,
        };
        let position = thread
            .dynamic
            .iter()
            .position(|e| e.frames > frame)
            .unwrap_or(thread.dynamic.len());
        if thread
            .pending_exits
            .iter()
            .any(|exit| exit.entry >= position)
        {
            return Err(LispError::control(
                "cannot restart a frame while an exit out of it is unwinding",
            ));
        }
        thread.dynamic.insert(position, entry);
        let mv = thread.mv.take();
        self.exit_to(thread, position, Value::Nil, mv, 0)
    }

    /// Continues the exit a finished cleanup suspended.
    pub(super) fn resume_exit(
        &mut self,
        thread: &mut LispThread,
        stop_depth: usize,
    ) -> LispResult<()> {
        match thread.pending_exits.pop() {
            Some(exit) => self.exit_to(thread, exit.entry, exit.value, exit.mv, stop_depth),
            None => Err(LispError::control("internal error: no exit to resume")),
        }
    }

    fn restore(&mut self, thread: &mut LispThread, entry: &DynamicEntry) {
        self.unbind_to(thread, entry.bindings);
        thread.frames.truncate(entry.frames);
        thread.stack.truncate(entry.stack);
        if thread.frames.len() < self.limits.max_frames / 2 {
            thread.overflowing = false;
        }
    }

    /// Abandons everything the thread was doing (used when an evaluation is aborted).
    pub fn reset_thread(&mut self, thread: &mut LispThread) {
        self.abandon_transaction(thread);
        thread.overflowing = false;
        self.unbind_to(thread, 0);
        thread.frames.clear();
        thread.stack.clear();
        thread.dynamic.clear();
        thread.pending_exits.clear();
        thread.mv = None;
    }

    /// Unwinds a thread to an earlier state (used after a failed nested evaluation).
    pub fn unwind_to(
        &mut self,
        thread: &mut LispThread,
        frames: usize,
        stack: usize,
        bindings: usize,
        dynamic: usize,
    ) {
        thread.dynamic.truncate(dynamic);
        self.unbind_to(thread, bindings);
        thread.frames.truncate(frames);
        thread.stack.truncate(stack);
    }
}
