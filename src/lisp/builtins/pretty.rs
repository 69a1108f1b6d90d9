//! The pretty printer's stream operations: the logical blocks `PPRINT-LOGICAL-BLOCK` opens
//! on a stream (`SWANKD::%BEGIN-LOGICAL-BLOCK`, `SWANKD::%END-LOGICAL-BLOCK`), and
//! `PPRINT-NEWLINE`, `PPRINT-INDENT` and `PPRINT-TAB` inside them.

use super::super::error::{LispError, LispResult};
use super::super::heap::HeapExhausted;
use super::super::image::Image;
use super::super::pretty_stream::PrettyStream;
use super::super::print_object::PrintedInstance;
use super::super::printer::pretty::{IndentFrom, NewlineKind, Tab};
use super::super::thread::LispThread;
use super::super::value::{ObjRef, Value};
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_string, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%BEGIN-LOGICAL-BLOCK",
        (4, Some(4)),
        begin_logical_block,
    )?;
    table.define(
        image,
        swankd,
        "%END-LOGICAL-BLOCK",
        (1, Some(1)),
        end_logical_block,
    )?;
    table.define(
        image,
        swankd,
        "%HOLD-PRETTY-OUTPUT",
        (1, Some(1)),
        |vm, t, a| {
            let (stream, r) = output_stream_object(vm, t, a[0])?;
            vm.pretty_streams.insert(r, PrettyStream::holding());
            value(stream)
        },
    )?;
    table.define(
        image,
        swankd,
        "%RELEASE-PRETTY-OUTPUT",
        (3, Some(3)),
        release_pretty_output,
    )?;
    let cl = image.pkg.cl;
    table.define(image, cl, "PPRINT-NEWLINE", (1, Some(2)), |vm, t, a| {
        let kind = newline_kind(vm, a[0])?;
        if let Some(pretty) =
            pretty_stream(vm, t, a.get(1).copied())?.and_then(|r| vm.pretty_streams.get_mut(&r))
        {
            pretty.document_mut().newline(kind);
        }
        value(Value::Nil)
    })?;
    table.define(image, cl, "PPRINT-INDENT", (2, Some(3)), |vm, t, a| {
        let from = indent_from(vm, a[0])?;
        let Value::Fixnum(columns) = a[1] else {
            return Err(LispError::type_error(a[1], "INTEGER"));
        };
        within_heap_room(vm, columns.unsigned_abs() as usize)?;
        if let Some(pretty) =
            pretty_stream(vm, t, a.get(2).copied())?.and_then(|r| vm.pretty_streams.get_mut(&r))
        {
            pretty.document_mut().indent(from, columns as isize);
        }
        value(Value::Nil)
    })?;
    table.define(image, cl, "PPRINT-TAB", (3, Some(4)), |vm, t, a| {
        let (section, relative) = tab_kind(vm, a[0])?;
        let count = |value: Value| match value {
            Value::Fixnum(n) if n >= 0 => within_heap_room(vm, n as usize),
            other => Err(LispError::type_error(other, "UNSIGNED-BYTE")),
        };
        let tab = Tab {
            section,
            relative,
            column: count(a[1])?,
            increment: count(a[2])?,
        };
        if let Some(pretty) =
            pretty_stream(vm, t, a.get(3).copied())?.and_then(|r| vm.pretty_streams.get_mut(&r))
        {
            pretty.document_mut().tab(tab);
        }
        value(Value::Nil)
    })?;
    Ok(())
}

/// `(%release-pretty-output stream instance escape)`: ends holding the stream's output;
/// with an instance, keeps the output as what PRINT-OBJECT printed for it.
fn release_pretty_output(
    vm: &mut Vm,
    thread: &mut LispThread,
    args: &[Value],
) -> LispResult<Control> {
    let (_, r) = output_stream_object(vm, thread, args[0])?;
    let held = vm.pretty_streams.remove(&r);
    if let (Some(held), Value::Object(instance)) = (held, args[1]) {
        let printed = PrintedInstance::Pretty(held.into_document());
        vm.image
            .printed_instances
            .insert((instance, args[2].truthy()), printed);
    }
    value(Value::Nil)
}

/// `(%begin-logical-block stream prefix per-line-p suffix)`: opens a logical block on the
/// stream and prints its prefix; past `*PRINT-LEVEL*` prints `#` instead and returns NIL.
fn begin_logical_block(
    vm: &mut Vm,
    thread: &mut LispThread,
    args: &[Value],
) -> LispResult<Control> {
    let (stream, r) = output_stream_object(vm, thread, args[0])?;
    let prefix = expect_string(&vm.image, args[1])?;
    let per_line = args[2].truthy();
    let suffix = expect_string(&vm.image, args[3])?;
    let depth = vm.pretty_streams.get(&r).map_or(0, PrettyStream::depth);
    let level = match vm.symbol_value(thread, vm.image.sym.print_level)? {
        Value::Fixnum(level) if level >= 0 => Some(level as usize),
        _ => None,
    };
    if level.is_some_and(|level| depth >= level) {
        vm.write_text(stream, "#")?;
        return value(Value::Nil);
    }
    let column = vm.stream_column(stream);
    vm.pretty_streams
        .entry(r)
        .or_insert_with(|| PrettyStream::new(column))
        .document_mut()
        .begin_block(&prefix, per_line, &suffix);
    value(vm.image.t())
}

/// `(%end-logical-block stream)`: ends the innermost block; when it was the outermost,
/// writes the output laid out into lines.
fn end_logical_block(vm: &mut Vm, thread: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let (stream, r) = output_stream_object(vm, thread, args[0])?;
    let Some(mut pretty) = vm.pretty_streams.remove(&r) else {
        return value(Value::Nil);
    };
    match pretty.end_block(|column| vm.line_settings(thread, column)) {
        Some(text) => vm.write_text(stream, &text)?,
        None => {
            vm.pretty_streams.insert(r, pretty);
        }
    }
    value(Value::Nil)
}

/// The stream designated, when a logical block is open on it and `*PRINT-PRETTY*` is true.
fn pretty_stream(
    vm: &Vm,
    thread: &LispThread,
    designator: Option<Value>,
) -> LispResult<Option<ObjRef>> {
    let stream = vm.output_stream(thread, designator.unwrap_or(Value::Nil))?;
    let pretty = vm.symbol_value(thread, vm.image.sym.print_pretty)?.truthy();
    Ok(match stream {
        Value::Object(r) if pretty && vm.pretty_streams.contains_key(&r) => Some(r),
        _ => None,
    })
}

fn keyword_name(vm: &Vm, value: Value) -> Option<String> {
    match value {
        Value::Symbol(sym) if vm.image.heap.symbol(sym).package == Some(vm.image.pkg.keyword) => {
            Some(vm.image.symbol_name(sym).to_string())
        }
        _ => None,
    }
}

fn newline_kind(vm: &Vm, kind: Value) -> LispResult<NewlineKind> {
    match keyword_name(vm, kind).as_deref() {
        Some("LINEAR") => Ok(NewlineKind::Linear),
        Some("FILL") => Ok(NewlineKind::Fill),
        Some("MISER") => Ok(NewlineKind::Miser),
        Some("MANDATORY") => Ok(NewlineKind::Mandatory),
        _ => Err(LispError::type_error(
            kind,
            "(MEMBER :LINEAR :FILL :MISER :MANDATORY)",
        )),
    }
}

fn indent_from(vm: &Vm, from: Value) -> LispResult<IndentFrom> {
    match keyword_name(vm, from).as_deref() {
        Some("BLOCK") => Ok(IndentFrom::Block),
        Some("CURRENT") => Ok(IndentFrom::Current),
        _ => Err(LispError::type_error(from, "(MEMBER :BLOCK :CURRENT)")),
    }
}

/// Whether a `PPRINT-TAB` kind counts from the section, and whether it is relative.
fn tab_kind(vm: &Vm, kind: Value) -> LispResult<(bool, bool)> {
    match keyword_name(vm, kind).as_deref() {
        Some("LINE") => Ok((false, false)),
        Some("SECTION") => Ok((true, false)),
        Some("LINE-RELATIVE") => Ok((false, true)),
        Some("SECTION-RELATIVE") => Ok((true, true)),
        _ => Err(LispError::type_error(
            kind,
            "(MEMBER :LINE :SECTION :LINE-RELATIVE :SECTION-RELATIVE)",
        )),
    }
}

/// `columns`, if the heap has room for a line that long (indentation and tabs print that
/// many spaces).
fn within_heap_room(vm: &Vm, columns: usize) -> LispResult<usize> {
    let heap = &vm.image.heap;
    if columns > heap.limit().saturating_sub(heap.bytes()) {
        return Err(HeapExhausted {
            limit: heap.limit(),
        }
        .into());
    }
    Ok(columns)
}

/// The output stream `designator` stands for, and its heap handle (the key of its held
/// pretty output).
fn output_stream_object(
    vm: &Vm,
    thread: &LispThread,
    designator: Value,
) -> LispResult<(Value, ObjRef)> {
    let stream = vm.output_stream(thread, designator)?;
    match stream {
        Value::Object(r) => Ok((stream, r)),
        _ => Err(LispError::type_error(stream, "STREAM")),
    }
}
