//! Threads, locks and condition variables for Lisp programs: the Rust half of the
//! bordeaux-threads subset (`threads.lisp` is the Lisp half, with the public names).
//!
//! Threads are green threads in the session's scheduler. A builtin that must wait returns
//! `Park::Wait` with a [`WaitFor`]; the session files the thread under the matching
//! [`WaitKey`], and the Lisp caller re-checks its condition after every wake-up.

use std::time::{Duration, Instant};

use crate::lisp::builtins::{BuiltinTable, Control, expect_string, value};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::number::Number;
use crate::lisp::object::Object;
use crate::lisp::sync::{ConditionVariableObject, LockObject, ThreadObject};
use crate::lisp::thread::{LispThread, ThreadId};
use crate::lisp::value::{ObjRef, Value};
use crate::lisp::vm::{Park, Vm};

use super::host::{SharedHost, host_handle};
use super::scheduler::{GreenThread, Job, State, WaitKey};

/// What a parked thread waits for (the payload of `Park::Wait`).
#[derive(Debug, Clone)]
pub enum WaitFor {
    /// The end of this thread.
    Thread(ThreadId),
    /// This lock to be released.
    Lock(ObjRef),
    /// A notification on this condition variable, or the deadline.
    Condition {
        variable: ObjRef,
        deadline: Option<Instant>,
    },
    /// A request from Emacs for this thread, which is in the debugger.
    Request(ThreadId),
    /// A line from Emacs for this thread, read into this connection input stream.
    Input { thread: ThreadId, stream: ObjRef },
    /// An answer typed in Emacs's minibuffer after this prompt (a string) and initial text.
    Minibuffer {
        thread: ThreadId,
        prompt: ObjRef,
        initial: Option<ObjRef>,
    },
    /// A change on any of these program sockets, or the deadline.
    Sockets {
        thread: ThreadId,
        sockets: Vec<crate::events::SocketId>,
        deadline: Option<Instant>,
    },
}

impl WaitFor {
    pub fn key(&self) -> WaitKey {
        match *self {
            WaitFor::Thread(id) => WaitKey::Thread(id),
            WaitFor::Lock(lock) => WaitKey::Object(lock),
            WaitFor::Condition { variable, .. } => WaitKey::Object(variable),
            WaitFor::Request(thread) => WaitKey::Mailbox(thread),
            WaitFor::Input { thread, .. } | WaitFor::Minibuffer { thread, .. } => {
                WaitKey::Input(thread)
            }
            WaitFor::Sockets { thread, .. } => WaitKey::Sockets(thread),
        }
    }

    pub fn deadline(&self) -> Option<Instant> {
        match *self {
            WaitFor::Condition { deadline, .. } | WaitFor::Sockets { deadline, .. } => deadline,
            _ => None,
        }
    }
}

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(image, swankd, "%MAKE-THREAD", (2, Some(2)), make_thread)?;
    table.define(
        image,
        swankd,
        "%CURRENT-THREAD",
        (0, Some(0)),
        |vm, thread, _| value(thread_handle(vm, thread)?),
    )?;
    table.define(image, swankd, "%ALL-THREADS", (0, Some(0)), all_threads)?;
    table.define(image, swankd, "%THREAD-NAME", (1, Some(1)), |vm, _, a| {
        let name = thread_object(vm, a[0])?.name.clone();
        value(vm.image.string(name)?)
    })?;
    table.define(
        image,
        swankd,
        "%THREAD-RESULT",
        (1, Some(1)),
        |vm, thread, a| {
            let result = thread_object(vm, a[0])?.result;
            let finished = if result.is_some() {
                Value::Symbol(vm.image.sym.t)
            } else {
                Value::Nil
            };
            thread.mv = Some(smallvec::smallvec![finished, result.unwrap_or(Value::Nil)]);
            value(finished)
        },
    )?;
    table.define(
        image,
        swankd,
        "%THREAD-ABORTED-P",
        (1, Some(1)),
        |vm, _, a| {
            let aborted = thread_object(vm, a[0])?.aborted;
            value(boolean(vm, aborted))
        },
    )?;
    table.define(
        image,
        swankd,
        "%MARK-THREAD-ABORTED",
        (0, Some(0)),
        |vm, thread, _| {
            let handle = thread_handle(vm, thread)?;
            if let Some(Object::Thread(object)) = vm.image.object_mut(handle) {
                object.aborted = true;
            }
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%WAIT-FOR-THREAD",
        (1, Some(1)),
        |vm, thread, a| {
            let target = thread_object(vm, a[0])?.id;
            if target == thread.id {
                return Err(LispError::simple("a thread cannot join itself"));
            }
            Ok(Control::park(Park::Wait(Box::new(WaitFor::Thread(target)))))
        },
    )?;
    table.define(
        image,
        swankd,
        "%INTERRUPT-THREAD",
        (2, Some(2)),
        interrupt_thread,
    )?;
    table.define(image, swankd, "%MAKE-LOCK", (2, Some(2)), |vm, _, a| {
        let name = expect_string(&vm.image, a[0])?;
        let lock = LockObject {
            name,
            recursive: a[1].truthy(),
            owner: None,
            depth: 0,
        };
        value(vm.image.heap.alloc(Object::Lock(lock))?)
    })?;
    table.define(
        image,
        swankd,
        "%TRY-ACQUIRE-LOCK",
        (1, Some(1)),
        try_acquire,
    )?;
    table.define(image, swankd, "%WAIT-FOR-LOCK", (1, Some(1)), |vm, _, a| {
        lock_mut(vm, a[0])?;
        let lock = object_ref(a[0])?;
        Ok(Control::park(Park::Wait(Box::new(WaitFor::Lock(lock)))))
    })?;
    table.define(
        image,
        swankd,
        "%RELEASE-LOCK",
        (1, Some(1)),
        |vm, thread, a| {
            release_lock(vm, thread.id, a[0], false)?;
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%LOCK-OWNED-P",
        (1, Some(1)),
        |vm, thread, a| {
            let owned = lock_mut(vm, a[0])?.owner == Some(thread.id);
            value(boolean(vm, owned))
        },
    )?;
    table.define(
        image,
        swankd,
        "%MAKE-CONDITION-VARIABLE",
        (1, Some(1)),
        |vm, _, a| {
            let name = expect_string(&vm.image, a[0])?;
            let variable = ConditionVariableObject { name };
            value(vm.image.heap.alloc(Object::ConditionVariable(variable))?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%CONDITION-WAIT",
        (3, Some(3)),
        condition_wait,
    )?;
    table.define(
        image,
        swankd,
        "%CONDITION-NOTIFY",
        (2, Some(2)),
        |vm, _, a| {
            condition_variable(vm, a[0])?;
            let key = WaitKey::Object(object_ref(a[0])?);
            let t = Value::Symbol(vm.image.sym.t);
            let host = shared(vm)?;
            let mut host = host.borrow_mut();
            if a[1].truthy() {
                host.scheduler.wake_all(key, t);
            } else {
                host.scheduler.wake_one(key, t);
            }
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%THREAD-ROWS", (0, Some(0)), thread_rows)?;
    table.define(image, swankd, "%THREAD-BY-ID", (1, Some(1)), thread_by_id)?;
    table.define(
        image,
        swankd,
        "%WAIT-FOR-INPUT",
        (1, Some(1)),
        |_, thread, a| {
            let stream = object_ref(a[0])?;
            let wait = WaitFor::Input {
                thread: thread.id,
                stream,
            };
            Ok(Control::park(Park::Wait(Box::new(wait))))
        },
    )?;
    // (%READ-FROM-MINIBUFFER PROMPT INITIAL): what the user types in Emacs's minibuffer
    // (a string), or NIL if nobody can be asked.
    table.define(
        image,
        swankd,
        "%READ-FROM-MINIBUFFER",
        (2, Some(2)),
        |_, thread, a| {
            let wait = WaitFor::Minibuffer {
                thread: thread.id,
                prompt: object_ref(a[0])?,
                initial: match a[1] {
                    Value::Nil => None,
                    other => Some(object_ref(other)?),
                },
            };
            Ok(Control::park(Park::Wait(Box::new(wait))))
        },
    )?;
    table.define(image, swankd, "%THREAD-YIELD", (0, Some(0)), |_, _, _| {
        Ok(Control::park(Park::Yield))
    })?;
    table.define(image, swankd, "GC", (0, Some(0)), |vm, _, _| {
        vm.image.heap.request_collection();
        Ok(Control::park(Park::Yield))
    })?;
    Ok(())
}

/// `(%MAKE-THREAD FUNCTION NAME)`: a new runnable thread calling FUNCTION with no
/// arguments in a fresh dynamic environment (global values only, as in bordeaux-threads).
fn make_thread(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let name = expect_string(&vm.image, a[1])?;
    let host = shared(vm)?;
    let id = host.borrow_mut().scheduler.allocate_id();
    let mut thread = LispThread::new(id, name.clone());
    let handle = vm.image.heap.alloc(Object::Thread(Box::new(ThreadObject {
        id,
        name,
        result: None,
        aborted: false,
    })))?;
    thread.handle = Some(handle);
    let swankd = vm.image.pkg.swankd;
    let toplevel = vm.image.intern("%THREAD-TOPLEVEL", swankd)?;
    vm.start_call(&mut thread, Value::Symbol(toplevel), &[a[0]])?;
    let mut host = host.borrow_mut();
    host.scheduler.insert(GreenThread {
        thread,
        state: State::Idle,
        job: Job::Background,
        connection: None,
    });
    host.scheduler.make_runnable(id);
    value(handle)
}

fn all_threads(vm: &mut Vm, thread: &mut LispThread, _: &[Value]) -> LispResult<Control> {
    let host = shared(vm)?;
    let mut handles = vec![thread_handle(vm, thread)?];
    let ids = host.borrow().scheduler.ids();
    for id in ids {
        let Some(mut green) = host.borrow_mut().scheduler.take(id) else {
            continue;
        };
        let handle = thread_handle(vm, &mut green.thread);
        host.borrow_mut().scheduler.put_back(id, green);
        handles.push(handle?);
    }
    value(vm.image.list(&handles)?)
}

/// `(%THREAD-ROWS)`: `(ID NAME STATUS)` for every live thread, by id, for
/// `SWANK:LIST-THREADS`.
fn thread_rows(vm: &mut Vm, thread: &mut LispThread, _: &[Value]) -> LispResult<Control> {
    let host = shared(vm)?;
    let mut rows = vec![(thread.id, thread.name.clone(), "Running")];
    {
        let host = host.borrow();
        for id in host.scheduler.ids() {
            if let Some(green) = host.scheduler.get(id) {
                let status = match green.state {
                    State::Runnable => "Running",
                    State::Sleeping(_) => "Sleeping",
                    State::Waiting {
                        key: WaitKey::Mailbox(_),
                        ..
                    } => "In debugger",
                    State::Waiting { .. } => "Waiting",
                    State::Idle => "Idle",
                };
                rows.push((id, green.thread.name.clone(), status));
            }
        }
    }
    rows.sort_by_key(|(id, _, _)| *id);
    let mut values = Vec::new();
    for (id, name, status) in rows {
        let name = vm.image.string(name)?;
        let status = vm.image.string(status)?;
        values.push(vm.image.list(&[Value::Fixnum(id as i64), name, status])?);
    }
    value(vm.image.list(&values)?)
}

/// `(%THREAD-BY-ID ID)`: the thread object of a live thread, or NIL.
fn thread_by_id(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let Value::Fixnum(id) = a[0] else {
        return Err(LispError::type_error(a[0], "FIXNUM"));
    };
    let id = id as ThreadId;
    if id == thread.id {
        return value(thread_handle(vm, thread)?);
    }
    let host = shared(vm)?;
    let taken = host.borrow_mut().scheduler.take(id);
    let Some(mut green) = taken else {
        return value(Value::Nil);
    };
    let handle = thread_handle(vm, &mut green.thread);
    host.borrow_mut().scheduler.put_back(id, green);
    value(handle?)
}

/// `(%INTERRUPT-THREAD THREAD CLOSURE)`: the thread calls CLOSURE at its next instruction,
/// ending any sleep or wait early.
fn interrupt_thread(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let target = thread_object(vm, a[0])?.id;
    if target == thread.id {
        return Ok(Control::call(a[1], Vec::new()));
    }
    let host = shared(vm)?;
    let taken = host.borrow_mut().scheduler.take(target);
    let Some(mut green) = taken else {
        return Err(LispError::simple(format!(
            "cannot interrupt thread {target}: it is not alive"
        )));
    };
    let pushed = vm.push_interrupt(&mut green.thread, a[1]);
    let mut host = host.borrow_mut();
    host.scheduler.put_back(target, green);
    pushed?;
    host.scheduler.wake(target);
    value(Value::Symbol(vm.image.sym.t))
}

fn try_acquire(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let me = thread.id;
    let lock = lock_mut(vm, a[0])?;
    let acquired = match lock.owner {
        None => {
            lock.owner = Some(me);
            lock.depth = 1;
            true
        }
        Some(owner) if owner == me => {
            if !lock.recursive {
                let name = lock.name.clone();
                return Err(LispError::simple(format!(
                    "deadlock: this thread already holds the lock {name:?}"
                )));
            }
            lock.depth += 1;
            true
        }
        Some(_) => false,
    };
    value(boolean(vm, acquired))
}

/// Releases one hold of the lock (all of them with `fully`); when it becomes free, the
/// longest waiter is woken to try again.
fn release_lock(vm: &mut Vm, me: ThreadId, lock_value: Value, fully: bool) -> LispResult<()> {
    let lock = lock_mut(vm, lock_value)?;
    if lock.owner != Some(me) {
        let name = lock.name.clone();
        return Err(LispError::simple(format!(
            "cannot release the lock {name:?}: this thread does not hold it"
        )));
    }
    lock.depth = if fully {
        0
    } else {
        lock.depth.saturating_sub(1)
    };
    if lock.depth == 0 {
        lock.owner = None;
        let key = WaitKey::Object(object_ref(lock_value)?);
        let t = Value::Symbol(vm.image.sym.t);
        shared(vm)?.borrow_mut().scheduler.wake_one(key, t);
    }
    Ok(())
}

/// `(%CONDITION-WAIT CV LOCK TIMEOUT)`: releases LOCK and parks until notified (T) or until
/// TIMEOUT seconds pass (NIL). The caller re-acquires the lock.
fn condition_wait(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    condition_variable(vm, a[0])?;
    let deadline = if a[2].is_nil() {
        None
    } else {
        let seconds = Number::expect(&vm.image, a[2])?.to_f64();
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(LispError::type_error(a[2], "(OR NULL (REAL 0))"));
        }
        Some(Instant::now() + Duration::from_secs_f64(seconds.min(1.0e9)))
    };
    release_lock(vm, thread.id, a[1], true)?;
    Ok(Control::park(Park::Wait(Box::new(WaitFor::Condition {
        variable: object_ref(a[0])?,
        deadline,
    }))))
}

/// The thread object of `thread`, made on first use.
pub fn thread_handle(vm: &mut Vm, thread: &mut LispThread) -> LispResult<Value> {
    if let Some(handle) = thread.handle {
        return Ok(handle);
    }
    let handle = vm.image.heap.alloc(Object::Thread(Box::new(ThreadObject {
        id: thread.id,
        name: thread.name.clone(),
        result: None,
        aborted: false,
    })))?;
    thread.handle = Some(handle);
    Ok(handle)
}

/// Records that a thread ended with `result` (`None`: it failed), for `JOIN-THREAD`.
pub fn mark_finished(vm: &mut Vm, thread: &LispThread, result: Option<Value>) {
    if let Some(handle) = thread.handle
        && let Some(Object::Thread(object)) = vm.image.object_mut(handle)
    {
        object.result = Some(result.unwrap_or(Value::Nil));
        object.aborted |= result.is_none();
    }
}

fn thread_object(vm: &Vm, value: Value) -> LispResult<&ThreadObject> {
    match vm.image.object(value) {
        Some(Object::Thread(thread)) => Ok(thread),
        _ => Err(LispError::type_error(value, "THREAD")),
    }
}

fn lock_mut(vm: &mut Vm, value: Value) -> LispResult<&mut LockObject> {
    match vm.image.object_mut(value) {
        Some(Object::Lock(lock)) => Ok(lock),
        _ => Err(LispError::type_error(value, "LOCK")),
    }
}

/// Whether the lock is free right now (a waiter about to park re-checks this).
pub fn lock_is_free(vm: &Vm, lock: ObjRef) -> bool {
    matches!(
        vm.image.heap.object(lock),
        Some(Object::Lock(LockObject { owner: None, .. }))
    )
}

fn condition_variable(vm: &Vm, value: Value) -> LispResult<()> {
    match vm.image.object(value) {
        Some(Object::ConditionVariable(_)) => Ok(()),
        _ => Err(LispError::type_error(value, "CONDITION-VARIABLE")),
    }
}

fn object_ref(value: Value) -> LispResult<ObjRef> {
    match value {
        Value::Object(r) => Ok(r),
        _ => Err(LispError::type_error(value, "LOCK")),
    }
}

fn boolean(vm: &Vm, truth: bool) -> Value {
    if truth {
        Value::Symbol(vm.image.sym.t)
    } else {
        Value::Nil
    }
}

fn shared(vm: &Vm) -> LispResult<SharedHost> {
    host_handle(vm).ok_or_else(|| LispError::simple("threads need the swankd session"))
}
