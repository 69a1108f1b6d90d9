//! A green thread's state: its value stack, call frames, dynamic bindings and exits.
//!
//! A thread that is not running is plain data: the scheduler can park it, list its frames for
//! a backtrace, or discard it.

use std::rc::Rc;

use super::bytecode::Proto;
use super::heap::Marker;
use super::transaction::Transaction;
use super::value::{SymRef, Value};

pub type ThreadId = u64;

/// The values of a call that returned other than exactly one. Most such calls return two or
/// three (GETHASH, FLOOR, READ-LINE), which are kept inline instead of allocated.
pub type MultipleValues = smallvec::SmallVec<[Value; 3]>;

/// One active function call.
#[derive(Debug, Clone)]
pub struct Frame {
    pub proto: Rc<Proto>,
    /// The closure being run (for captured variables and backtraces).
    pub function: Value,
    pub pc: u32,
    /// Stack index of local slot 0.
    pub base: u32,
    /// Stack length to restore when the call returns (before pushing the result).
    pub return_to: u32,
    /// What happens to the result when this call returns.
    pub after: AfterReturn,
    /// The thread's dynamic-binding depth when the call began (for restarting it).
    pub bindings: u32,
    /// Enter the debugger when this call returns (SLDB's break-on-return and out).
    pub break_on_return: bool,
}

/// Stepping from the debugger: where the thread stops next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// At the next call it makes (`sldb-step`).
    Into,
    /// At the next call made by the frame at this index or a shallower one (`sldb-next`).
    Over { frame: usize },
}

/// Special handling of a call's result, for calls the VM makes on its own behalf.
#[derive(Debug, Clone, Default)]
pub enum AfterReturn {
    /// Push the result for the caller.
    #[default]
    Normal,
    /// An unwind-protect cleanup run during a non-local exit: drop the result and continue
    /// the exit.
    ResumeExit,
    /// A cleanup run on normal exit: drop its result, keep the protected form's value (already
    /// on the stack) and restore its multiple values.
    KeepBelow(Option<Box<Vec<Value>>>),
}

/// A non-local exit suspended while a cleanup runs.
#[derive(Debug, Clone)]
pub struct PendingExit {
    /// Index of the target entry in the dynamic stack.
    pub entry: usize,
    pub value: Value,
    pub mv: Option<MultipleValues>,
}

/// An entry on the dynamic-extent stack: something a non-local exit must respect. It records
/// the frame count, stack height and binding depth to restore when control lands there.
#[derive(Debug, Clone)]
pub struct DynamicEntry {
    pub kind: EntryKind,
    pub frames: usize,
    pub stack: usize,
    pub bindings: usize,
}

#[derive(Debug, Clone)]
pub enum EntryKind {
    /// `BLOCK` (and `TAGBODY`): `RETURN-FROM` lands at `target`.
    Block { tag: i64, target: usize },
    /// `CATCH`: `THROW` with an EQ tag lands at `target`.
    Catch { tag: Value, target: usize },
    /// `UNWIND-PROTECT`: exits through here call `cleanup` first.
    UnwindProtect { cleanup: Value },
    /// Where a restarted call lands: just after the call, in the caller's frame, which
    /// continues at its saved pc. Made only by `Vm::restart_frame`.
    Restart { function: Value, args: Vec<Value> },
}

#[derive(Debug, Default)]
pub struct LispThread {
    pub id: ThreadId,
    pub name: String,
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub dynamic: Vec<DynamicEntry>,
    /// Dynamic (special) bindings, innermost last.
    pub bindings: Vec<(SymRef, Value)>,
    /// All values of the last call, when it returned other than exactly one value.
    pub mv: Option<MultipleValues>,
    /// Non-local exits waiting for cleanups to finish, innermost last.
    pub pending_exits: Vec<PendingExit>,
    /// This thread's Lisp thread object, once Lisp code has asked for one.
    pub handle: Option<Value>,
    /// The unit of change this thread is running, if any.
    pub transaction: Option<Transaction>,
    /// The thread exhausted its stack and is handling that error with borrowed headroom
    /// (see `Limits::overflow_headroom`), until it unwinds below the limit.
    pub overflowing: bool,
    /// Stepping in effect: the next matching call enters the debugger.
    pub step: Option<Step>,
    /// Stepping asked for in the debugger, in effect once it has been left.
    pub pending_step: Option<Step>,
}

impl LispThread {
    pub fn new(id: ThreadId, name: impl Into<String>) -> Self {
        LispThread {
            id,
            name: name.into(),
            ..Default::default()
        }
    }

    /// The innermost dynamic binding of `sym` in this thread.
    pub fn binding(&self, sym: SymRef) -> Option<usize> {
        self.bindings.iter().rposition(|(s, _)| *s == sym)
    }

    /// Pushes a call's frame. The frame is written straight into the frame vector:
    /// `Vec::push` is not inlined into the VM loop, so its argument was built in a
    /// temporary and copied, and the copy's loads stalled on the stores that had just
    /// written it (store forwarding), a sixth of a call's time.
    /// `make` builds the frame once there is room for it, so that it is built in its slot.
    #[inline(always)]
    pub fn push_frame(&mut self, make: impl FnOnce() -> Frame) {
        if self.frames.len() == self.frames.capacity() {
            grow_frames(&mut self.frames);
        }
        let len = self.frames.len();
        if let Some(slot) = self.frames.spare_capacity_mut().first_mut() {
            slot.write(make());
            // SAFETY: the slot at `len` (the first spare one) has just been initialized,
            // so the first `len + 1` elements are.
            unsafe { self.frames.set_len(len + 1) };
        }
    }

    /// True when the thread has nothing left to run.
    pub fn is_idle(&self) -> bool {
        self.frames.is_empty()
    }

    pub fn mark_roots(&self, marker: &mut Marker) {
        marker.values(&self.stack);
        if let Some(handle) = self.handle {
            marker.value(handle);
        }
        if let Some(transaction) = &self.transaction {
            transaction.mark_roots(marker);
        }
        for frame in &self.frames {
            marker.value(frame.function);
            marker.proto(&frame.proto);
        }
        for (sym, value) in &self.bindings {
            marker.value(Value::Symbol(*sym));
            marker.value(*value);
        }
        if let Some(values) = &self.mv {
            marker.values(values);
        }
        for entry in &self.dynamic {
            match entry.kind {
                EntryKind::Catch { tag, .. } => marker.value(tag),
                EntryKind::UnwindProtect { cleanup } => marker.value(cleanup),
                EntryKind::Restart { function, ref args } => {
                    marker.value(function);
                    marker.values(args);
                }
                EntryKind::Block { .. } => {}
            }
        }
        for exit in &self.pending_exits {
            marker.value(exit.value);
            if let Some(values) = &exit.mv {
                marker.values(values);
            }
        }
        for frame in &self.frames {
            if let AfterReturn::KeepBelow(Some(values)) = &frame.after {
                marker.values(values);
            }
        }
    }
}

/// Makes room for more frames (out of line: a call rarely needs it).
#[cold]
#[inline(never)]
fn grow_frames(frames: &mut Vec<Frame>) {
    frames.reserve(frames.len().max(16));
}

#[cfg(test)]
mod tests {
    use super::{AfterReturn, Frame, LispThread, Proto};
    use crate::lisp::value::Value;

    fn frame(pc: u32) -> Frame {
        Frame {
            proto: std::rc::Rc::new(Proto {
                name: Value::Nil,
                code: Vec::new(),
                constants: Vec::new(),
                children: Vec::new(),
                captures: Vec::new(),
                shape: Default::default(),
                local_count: 0,
                local_names: Vec::new(),
                macros: Vec::new(),
            }),
            function: Value::Fixnum(i64::from(pc)),
            pc,
            base: pc,
            return_to: pc,
            after: AfterReturn::KeepBelow(Some(Box::new(vec![Value::Fixnum(7)]))),
            bindings: pc,
            break_on_return: pc % 2 == 0,
        }
    }

    /// Frames pushed in place, through the vector's growth, are the frames pushed, and
    /// are dropped (with what they own) like any others.
    #[test]
    fn pushed_frames_are_kept_in_order() {
        let mut thread = LispThread::new(1, "test");
        for pc in 0..1000 {
            thread.push_frame(|| frame(pc));
        }
        assert_eq!(thread.frames.len(), 1000);
        for (pc, frame) in thread.frames.iter().enumerate() {
            assert_eq!(frame.pc as usize, pc);
            assert!(matches!(frame.function, Value::Fixnum(n) if n as usize == pc));
            assert!(matches!(&frame.after, AfterReturn::KeepBelow(Some(v)) if v.len() == 1));
        }
        let proto = thread.frames[10].proto.clone();
        assert_eq!(std::rc::Rc::strong_count(&proto), 2);
        thread.frames.truncate(5);
        assert_eq!(std::rc::Rc::strong_count(&proto), 1);
        thread.push_frame(|| frame(99));
        assert_eq!(thread.frames.len(), 6);
        assert_eq!(thread.frames[5].pc, 99);
    }

    /// Every call writes a frame: positions are 32-bit and the rare saved
    /// values are boxed, so that it is a cache line, not the 88 bytes it was.
    #[test]
    fn a_frame_is_one_cache_line() {
        assert!(std::mem::size_of::<super::Frame>() <= 64);
    }
}
