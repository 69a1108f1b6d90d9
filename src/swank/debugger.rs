//! The Rust half of SLDB (`debugger.lisp` is the Lisp half): the thread's frames as the
//! debugger shows them, its mailbox for the requests Emacs sends to a thread sitting in the
//! debugger, and the `:return` of such a request.
//!
//! Frame numbers are SLDB's: 0 is the innermost frame of the program below the debugger's
//! entry. `BASE` arguments are the thread's frame count when `INVOKE-DEBUGGER` was entered
//! (`%FRAME-COUNT` there), so frames of the debugger itself are never shown.

use std::collections::VecDeque;

use lexpr::Value as Wire;

use crate::lisp::builtins::{BuiltinTable, Control, expect_index, expect_string, value};
use crate::lisp::error::{LispError, LispResult};
use crate::lisp::image::Image;
use crate::lisp::object::Object;
use crate::lisp::print::{PrintOptions, print_to_string};
use crate::lisp::thread::{Frame, LispThread, Step, ThreadId};
use crate::lisp::value::{SymRef, Value};
use crate::lisp::vm::{Park, Vm};

use super::host::{SwankHost, with_host};
use super::package_name::guess_package;
use super::scheduler::WaitKey;
use super::threads::WaitFor;
use super::wire_value::{from_wire, to_wire};
use crate::config::OrphanErrors;

/// A request Emacs sent to a thread that is in the debugger.
#[derive(Debug, Clone)]
pub struct MailboxRequest {
    pub id: i64,
    pub form: Wire,
    pub package: Option<String>,
}

/// What a thread in the debugger receives.
#[derive(Debug, Clone)]
pub enum Mail {
    Request(MailboxRequest),
    /// A client took over showing this thread's debugger: announce the level to it.
    Reannounce,
}

/// Mail waiting for each thread that is in the debugger. A thread has a mailbox from its
/// first debugger level until it leaves the last.
pub type Mailboxes = std::collections::HashMap<ThreadId, VecDeque<Mail>>;

/// Gives the program's threads that sit in the debugger with no client showing it to
/// `connection`, which has just opened a REPL, and makes them announce themselves.
pub fn adopt_orphans(host: &mut SwankHost, connection: u64) {
    let orphans: Vec<ThreadId> = host
        .mailboxes
        .keys()
        .copied()
        .filter(|thread| host.connection_of(*thread).is_none())
        .collect();
    for thread in orphans {
        tracing::info!(
            thread,
            connection,
            "showing a parked thread's debugger to a new client"
        );
        host.thread_connections.insert(thread, connection);
        if let Some(mailbox) = host.mailboxes.get_mut(&thread) {
            mailbox.push_back(Mail::Reannounce);
        }
        host.scheduler
            .wake_one(WaitKey::Mailbox(thread), Value::Nil);
    }
}

/// Functions whose frames are the condition system's and the debugger's own plumbing,
/// hidden from backtraces (looked up in SWANKD, then CL, then SWANK).
const HIDDEN_FRAMES: &[&str] = &[
    "%SIGNAL-ERROR",
    "%RUN-HANDLERS",
    "%SWANK-DEBUGGER",
    "INVOKE-DEBUGGER",
    "ERROR",
    "CERROR",
    "BREAK",
    "SLDB-LOOP",
    "SLDB-SERVE-REQUESTS",
    "SLDB-SERVE-REQUEST",
    "%STEP-BREAK",
    "%RETURN-BREAK",
];

/// The longest frame line; longer ones end in "..".
const FRAME_TEXT_LIMIT: usize = 200;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%FRAME-COUNT",
        (0, Some(0)),
        |_, thread, _| value(Value::Fixnum(thread.frames.len() as i64)),
    )?;
    table.define(image, swankd, "%BACKTRACE", (3, Some(3)), backtrace)?;
    table.define(image, swankd, "%FRAME-LOCALS", (2, Some(2)), frame_locals)?;
    table.define(
        image,
        swankd,
        "%FRAME-FUNCTION-NAME",
        (2, Some(2)),
        |vm, thread, a| {
            let frame = visible_frame(vm, thread, a[0], a[1])?;
            value(frame.proto.name)
        },
    )?;
    table.define(image, swankd, "%RESTART-FRAME", (2, Some(2)), restart_frame)?;
    table.define(
        image,
        swankd,
        "%SET-PENDING-STEP",
        (3, Some(3)),
        |vm, thread, a| {
            let mode = vm
                .image
                .as_symbol(a[0])
                .map(|s| vm.image.symbol_name(s).to_string());
            thread.pending_step = match mode.as_deref() {
                Some("INTO") => Some(Step::Into),
                Some("OVER") => {
                    let index = expect_index(a[1])?;
                    let frame = visible_frames(vm, thread, a[2])?
                        .get(index)
                        .copied()
                        .ok_or_else(|| LispError::simple(format!("no frame {index}")))?;
                    Some(Step::Over { frame })
                }
                _ => None,
            };
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%ARM-STEP", (0, Some(0)), |_, thread, _| {
        thread.step = thread.pending_step.take();
        value(Value::Nil)
    })?;
    table.define(
        image,
        swankd,
        "%BREAK-ON-RETURN",
        (2, Some(2)),
        |vm, thread, a| {
            let index = expect_index(a[0])?;
            let frame = visible_frames(vm, thread, a[1])?
                .get(index)
                .copied()
                .ok_or_else(|| LispError::simple(format!("no frame {index}")))?;
            if let Some(frame) = thread.frames.get_mut(frame) {
                frame.break_on_return = true;
            }
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%NESTED-EVALUATION-P",
        (0, Some(0)),
        |vm, _, _| {
            value(if vm.nested > 0 {
                Value::Symbol(vm.image.sym.t)
            } else {
                Value::Nil
            })
        },
    )?;
    table.define(
        image,
        swankd,
        "%RETURN-FROM-FRAME",
        (3, Some(3)),
        return_from_frame,
    )?;
    table.define(
        image,
        swankd,
        "%DISASSEMBLE-FRAME",
        (2, Some(2)),
        |vm, thread, a| {
            let frame = visible_frame(vm, thread, a[0], a[1])?;
            let name = frame_text(vm, thread, &frame);
            let mut text = format!("Bytecode of {name}:\n");
            for (pc, op) in frame.proto.code.iter().enumerate() {
                let marker = if pc + 1 == frame.pc as usize {
                    "=>"
                } else {
                    "  "
                };
                text.push_str(&format!("{marker} {pc:4}: {op:?}\n"));
            }
            value(vm.image.string(text)?)
        },
    )?;
    table.define(
        image,
        swankd,
        "%CONNECTION-ID",
        (0, Some(0)),
        |vm, thread, _| {
            let connection = with_host(vm, |host| host.connection_of(thread.id)).flatten();
            value(connection.map_or(Value::Nil, |id| Value::Fixnum(id as i64)))
        },
    )?;
    table.define(image, swankd, "%THREAD-ID", (0, Some(0)), |_, thread, _| {
        value(Value::Fixnum(thread.id as i64))
    })?;
    table.define(
        image,
        swankd,
        "%DEBUGGER-DISPOSITION",
        (0, Some(0)),
        |vm, thread, _| {
            let disposition = with_host(vm, |host| {
                match (debugger_connection(host, thread.id), host.orphan_errors) {
                    (Some(_), _) => "SHOW",
                    (None, OrphanErrors::Park) => "PARK",
                    (None, OrphanErrors::Abort) => "ABORT",
                }
            })
            .unwrap_or("NONE");
            value(Value::Symbol(vm.image.keyword(disposition)?))
        },
    )?;
    table.define(
        image,
        swankd,
        "%LOG-UNSHOWN-ERROR",
        (1, Some(1)),
        |vm, thread, a| {
            let text = expect_string(&vm.image, a[0])?;
            tracing::error!(thread = thread.id, name = %thread.name, "{text}");
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%OPEN-MAILBOX",
        (0, Some(0)),
        |vm, thread, _| {
            with_host(vm, |host| {
                host.mailboxes.entry(thread.id).or_default();
            });
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%CLOSE-MAILBOX",
        (0, Some(0)),
        |vm, thread, _| {
            with_host(vm, |host| host.mailboxes.remove(&thread.id));
            value(Value::Nil)
        },
    )?;
    table.define(image, swankd, "%NEXT-REQUEST", (0, Some(0)), next_request)?;
    table.define(image, swankd, "%SEND-RETURN", (3, Some(3)), send_return)?;
    Ok(())
}

/// The connection that shows `thread`'s debugger: the one it works for, or for the
/// program's own threads the most recent connection with a REPL, which it adopts.
fn debugger_connection(host: &mut SwankHost, thread: ThreadId) -> Option<u64> {
    if let Some(connection) = host.connection_of(thread) {
        return Some(connection);
    }
    let newest = host
        .connections
        .iter()
        .filter(|(_, c)| c.repl_created)
        .map(|(id, _)| *id)
        .max()?;
    host.thread_connections.insert(thread, newest);
    Some(newest)
}

/// `(%BACKTRACE START END BASE)`: `(INDEX TEXT)` for frames START (inclusive) to END
/// (exclusive; NIL for all).
fn backtrace(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let start = expect_index(a[0])?;
    let frames = visible_frames(vm, thread, a[2])?;
    let end = if a[1].is_nil() {
        frames.len()
    } else {
        expect_index(a[1])?.min(frames.len())
    };
    let mut lines = Vec::new();
    for (index, frame_index) in frames.iter().enumerate().take(end).skip(start) {
        let Some(frame) = thread.frames.get(*frame_index) else {
            continue;
        };
        let text = frame_text(vm, thread, frame);
        let text = vm.image.string(text)?;
        lines.push(vm.image.list(&[Value::Fixnum(index as i64), text])?);
    }
    value(vm.image.list(&lines)?)
}

/// `(%FRAME-LOCALS INDEX BASE)`: `(SYMBOL VALUE)` for each named local of the frame.
fn frame_locals(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let frame = visible_frame(vm, thread, a[0], a[1])?;
    let mut pairs = Vec::new();
    for (slot, name) in frame.proto.local_names.iter().enumerate() {
        let Some((sym, boxed)) = name else { continue };
        let Some(mut local) = thread.stack.get(frame.base as usize + slot).copied() else {
            continue;
        };
        if *boxed && let Some(Object::Cell(inner)) = vm.image.object(local) {
            local = *inner;
        }
        if matches!(local, Value::Unbound) {
            continue;
        }
        pairs.push(vm.image.list(&[Value::Symbol(*sym), local])?);
    }
    value(vm.image.list(&pairs)?)
}

/// `(%RESTART-FRAME INDEX BASE)`: calls frame INDEX's function again with the frame's
/// arguments, in its place. A function named by a symbol is called through the symbol, so
/// the call runs its current definition: redefine, then restart.
fn restart_frame(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let index = expect_index(a[0])?;
    let frame_index = visible_frames(vm, thread, a[1])?
        .get(index)
        .copied()
        .ok_or_else(|| LispError::simple(format!("no frame {index}")))?;
    let Some(frame) = thread.frames.get(frame_index).cloned() else {
        return Err(LispError::simple(format!("no frame {index}")));
    };
    let function = match frame.proto.name {
        Value::Symbol(sym) if !matches!(vm.image.heap.symbol(sym).function, Value::Unbound) => {
            Value::Symbol(sym)
        }
        _ => frame.function,
    };
    let shape = &frame.proto.shape;
    let positional = shape.required as usize + shape.optional as usize;
    let mut args: Vec<Value> = (0..positional)
        .filter_map(|slot| argument(vm, thread, &frame, slot))
        .filter(|arg| !matches!(arg, Value::Unbound))
        .collect();
    let mut slot = positional;
    if shape.rest {
        if let Some(rest) = argument(vm, thread, &frame, slot) {
            args.extend(vm.image.list_to_vec(rest).unwrap_or_default());
        }
        slot += 1;
    }
    if !shape.rest {
        for (offset, key) in shape.keys.iter().enumerate() {
            if let Some(arg) = argument(vm, thread, &frame, slot + offset)
                && !matches!(arg, Value::Unbound)
            {
                args.push(Value::Symbol(*key));
                args.push(arg);
            }
        }
    }
    Ok(Control::restart_frame(frame_index, function, args))
}

/// `(%RETURN-FROM-FRAME INDEX BASE VALUES)`: unwinds to frame INDEX and makes its call
/// return VALUES (a list) to its caller.
fn return_from_frame(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let index = expect_index(a[0])?;
    let frame = visible_frames(vm, thread, a[1])?
        .get(index)
        .copied()
        .ok_or_else(|| LispError::simple(format!("no frame {index}")))?;
    let values = vm
        .image
        .list_to_vec(a[2])
        .ok_or_else(|| LispError::type_error(a[2], "LIST"))?;
    let cl = vm.image.pkg.cl;
    let values_function = vm.image.intern("VALUES", cl)?;
    Ok(Control::restart_frame(
        frame,
        Value::Symbol(values_function),
        values,
    ))
}

fn next_request(vm: &mut Vm, thread: &mut LispThread, _: &[Value]) -> LispResult<Control> {
    let mail = with_host(vm, |host: &mut SwankHost| {
        host.mailboxes
            .get_mut(&thread.id)
            .and_then(VecDeque::pop_front)
    })
    .flatten();
    let request = match mail {
        None => {
            let wait = WaitFor::Request(thread.id);
            return Ok(Control::park(Park::Wait(Box::new(wait))));
        }
        Some(Mail::Reannounce) => return value(Value::Symbol(vm.image.keyword("REANNOUNCE")?)),
        Some(Mail::Request(request)) => request,
    };
    let package = guess_package(&vm.image, request.package.as_deref());
    let form = from_wire(&mut vm.image, &request.form, package)?;
    let package = vm.image.package_object(package)?;
    value(vm.image.list(&[Value::Fixnum(request.id), form, package])?)
}

/// `(%SEND-RETURN ID OKP VALUE)`: `(:return (:ok VALUE) ID)`, or when OKP is NIL
/// `(:return (:abort VALUE) ID)` with VALUE a string.
fn send_return(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let id = match a[0] {
        Value::Fixnum(id) => id,
        other => return Err(LispError::type_error(other, "FIXNUM")),
    };
    let result = if a[1].truthy() {
        Wire::list(vec![Wire::keyword("ok"), to_wire(&vm.image, a[2])])
    } else {
        let text = expect_string(&vm.image, a[2])?;
        Wire::list(vec![Wire::keyword("abort"), Wire::string(text)])
    };
    let reply = Wire::list(vec![Wire::keyword("return"), result, Wire::from(id)]);
    super::output::flush_output(vm, super::output::Flush::Ordering);
    with_host(vm, |host| {
        if let Some(connection) = host.connection_of(thread.id) {
            host.send(connection, reply);
        }
    });
    value(Value::Nil)
}

/// Indexes into `thread.frames` of the frames SLDB shows, innermost first.
fn visible_frames(vm: &Vm, thread: &LispThread, base: Value) -> LispResult<Vec<usize>> {
    let base = expect_index(base)?.min(thread.frames.len());
    let packages = &vm.image.packages;
    let hidden: Vec<SymRef> = HIDDEN_FRAMES
        .iter()
        .filter_map(|name| {
            [vm.image.pkg.swankd, vm.image.pkg.cl, vm.image.pkg.swank]
                .iter()
                .find_map(|package| packages.find_symbol(*package, name))
                .map(|(sym, _)| sym)
        })
        .collect();
    Ok((0..base)
        .rev()
        .filter(|index| {
            let name = thread.frames[*index].proto.name;
            !matches!(name, Value::Symbol(sym) if hidden.contains(&sym))
        })
        .collect())
}

fn visible_frame(vm: &Vm, thread: &LispThread, index: Value, base: Value) -> LispResult<Frame> {
    let index = expect_index(index)?;
    visible_frames(vm, thread, base)?
        .get(index)
        .and_then(|i| thread.frames.get(*i))
        .cloned()
        .ok_or_else(|| LispError::simple(format!("no frame {index}")))
}

/// `(NAME ARG ...)` as SLDB shows a frame.
fn frame_text(vm: &Vm, thread: &LispThread, frame: &Frame) -> String {
    let shape = &frame.proto.shape;
    let options = PrintOptions {
        circle: true,
        length: Some(10),
        level: Some(4),
        max_chars: FRAME_TEXT_LIMIT * 4,
        ..PrintOptions::prin1(Some(vm.image.pkg.cl_user))
    };
    let prin1 = |value| print_to_string(&vm.image, value, &options);
    let mut parts = vec![match frame.proto.name {
        Value::Nil => "(LAMBDA ())".to_string(),
        name => prin1(name),
    }];
    let positional = shape.required as usize + shape.optional as usize;
    for slot in 0..positional {
        match argument(vm, thread, frame, slot) {
            Some(Value::Unbound) | None => {}
            Some(arg) => parts.push(prin1(arg)),
        }
    }
    if shape.rest
        && let Some(rest) = argument(vm, thread, frame, positional)
    {
        for arg in vm.image.list_to_vec(rest).unwrap_or_default() {
            parts.push(prin1(arg));
        }
    }
    let mut text = format!("({})", parts.join(" "));
    if text.chars().count() > FRAME_TEXT_LIMIT {
        text = text.chars().take(FRAME_TEXT_LIMIT).collect::<String>() + "..)";
    }
    text
}

fn argument(vm: &Vm, thread: &LispThread, frame: &Frame, slot: usize) -> Option<Value> {
    let local = thread.stack.get(frame.base as usize + slot).copied()?;
    let boxed = matches!(frame.proto.local_names.get(slot), Some(Some((_, true))));
    match vm.image.object(local) {
        Some(Object::Cell(inner)) if boxed => Some(*inner),
        _ => Some(local),
    }
}
