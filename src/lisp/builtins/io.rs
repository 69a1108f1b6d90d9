//! Output: printing, `FORMAT`, string streams.

use std::rc::Rc;

use super::super::error::{LispError, LispResult};
use super::super::format::Control as FormatControl;
use super::super::image::Image;
use super::super::object::Object;
use super::super::stream::Stream;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::{BuiltinTable, Control, expect_string, is_string, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    table.define(
        image,
        image.pkg.swankd,
        "%APPEND-TO-STRING",
        (2, Some(2)),
        |vm, _, a| {
            let text = expect_string(&vm.image, a[1])?;
            append_to_string(vm, a[0], &text)?;
            value(a[0])
        },
    )?;
    let cl = image.pkg.cl;
    table.define(image, cl, "PRIN1", (1, Some(2)), |vm, t, a| {
        print_with(vm, t, a, true, "", "")
    })?;
    table.define(image, cl, "PRINC", (1, Some(2)), |vm, t, a| {
        print_with(vm, t, a, false, "", "")
    })?;
    table.define(image, cl, "PRINT", (1, Some(2)), |vm, t, a| {
        print_with(vm, t, a, true, "\n", " ")
    })?;
    table.define(image, cl, "TERPRI", (0, Some(1)), |vm, t, a| {
        let stream = vm.output_stream(t, a.first().copied().unwrap_or(Value::Nil))?;
        vm.write_text(stream, "\n")?;
        value(Value::Nil)
    })?;
    table.define(image, cl, "FRESH-LINE", (0, Some(1)), |vm, t, a| {
        let stream = vm.output_stream(t, a.first().copied().unwrap_or(Value::Nil))?;
        let needed = vm.stream_column(stream) != 0;
        if needed {
            vm.write_text(stream, "\n")?;
        }
        value(vm.image.boolean(needed))
    })?;
    table.define(image, cl, "WRITE-STRING", (1, None), |vm, t, a| {
        write_string(vm, t, a, "")
    })?;
    table.define(image, cl, "WRITE-LINE", (1, None), |vm, t, a| {
        write_string(vm, t, a, "\n")
    })?;
    table.define(image, cl, "WRITE-CHAR", (1, Some(2)), |vm, t, a| {
        let Value::Char(c) = a[0] else {
            return Err(LispError::type_error(a[0], "CHARACTER"));
        };
        let stream = vm.output_stream(t, a.get(1).copied().unwrap_or(Value::Nil))?;
        vm.write_text(stream, &c.to_string())?;
        value(a[0])
    })?;
    table.define(image, cl, "PRIN1-TO-STRING", (1, Some(1)), |vm, t, a| {
        let preparation = vm.prepare_printing(t, &a[..1], &[true])?;
        let text = vm.prin1_string(t, a[0]);
        vm.finish_printing(preparation);
        value(vm.image.string(text)?)
    })?;
    table.define(image, cl, "PRINC-TO-STRING", (1, Some(1)), |vm, t, a| {
        let preparation = vm.prepare_printing(t, &a[..1], &[false])?;
        let text = vm.princ_string(t, a[0]);
        vm.finish_printing(preparation);
        value(vm.image.string(text)?)
    })?;
    table.define(image, cl, "FORMAT", (2, None), format)?;
    table.define(
        image,
        image.pkg.swankd,
        "%FORMATTER-APPLY",
        (3, Some(3)),
        formatter_apply,
    )?;
    table.define(
        image,
        cl,
        "MAKE-STRING-OUTPUT-STREAM",
        (0, None),
        |vm, _, _| {
            let stream = Stream::StringOutput {
                text: String::new(),
                column: 0,
            };
            value(vm.image.heap.alloc(Object::Stream(stream))?)
        },
    )?;
    table.define(
        image,
        cl,
        "GET-OUTPUT-STREAM-STRING",
        (1, Some(1)),
        |vm, _, a| {
            // A closed string output stream still gives its text, as in SBCL.
            let stream = match vm.image.object_mut(a[0]) {
                Some(Object::Stream(Stream::Closed(made))) => Some(&mut **made),
                Some(Object::Stream(stream)) => Some(stream),
                _ => None,
            };
            let text = match stream {
                Some(Stream::StringOutput { text, column }) => {
                    *column = 0;
                    std::mem::take(text)
                }
                _ => return Err(LispError::type_error(a[0], "STRING-STREAM")),
            };
            value(vm.image.string(text)?)
        },
    )?;
    Ok(())
}

fn print_with(
    vm: &mut Vm,
    thread: &mut LispThread,
    args: &[Value],
    escape: bool,
    before: &str,
    after: &str,
) -> LispResult<Control> {
    let stream = vm.output_stream(thread, args.get(1).copied().unwrap_or(Value::Nil))?;
    let preparation = vm.prepare_printing(thread, &args[..1], &[escape])?;
    let printed = print_between(vm, thread, stream, args[0], escape, before, after);
    vm.finish_printing(preparation);
    printed?;
    value(args[0])
}

/// Writes `before`, `value` printed (starting at the column `before` leaves), then `after`.
fn print_between(
    vm: &mut Vm,
    thread: &mut LispThread,
    stream: Value,
    value: Value,
    escape: bool,
    before: &str,
    after: &str,
) -> LispResult<()> {
    if !before.is_empty() {
        vm.write_text(stream, before)?;
    }
    let options = vm.print_options_at(thread, escape, vm.stream_column(stream));
    vm.write_printed(stream, value, &options)?;
    if !after.is_empty() {
        vm.write_text(stream, after)?;
    }
    Ok(())
}

fn write_string(
    vm: &mut Vm,
    thread: &mut LispThread,
    args: &[Value],
    suffix: &str,
) -> LispResult<Control> {
    let text = expect_string(&vm.image, args[0])?;
    let stream = vm.output_stream(thread, args.get(1).copied().unwrap_or(Value::Nil))?;
    let chars: Vec<char> = text.chars().collect();
    let keys = args.get(2..).unwrap_or(&[]);
    let (start, end) = super::text::bounds(&mut vm.image, keys, "START", "END", chars.len())?;
    let text: String = chars[start..end].iter().collect();
    vm.write_text(stream, &format!("{text}{suffix}"))?;
    value(args[0])
}

fn format(vm: &mut Vm, thread: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    if is_function(&vm.image, args[1]) {
        // A function as the control: applied to the destination's stream and the
        // arguments, in Lisp, where it can write to the stream itself.
        let swankd = vm.image.pkg.swankd;
        let helper = vm.image.intern("%FORMAT-WITH-FUNCTION", swankd)?;
        let arguments = vm.image.list(&args[2..])?;
        return Ok(Control::call(
            Value::Symbol(helper),
            vec![args[0], args[1], arguments],
        ));
    }
    let (result, _) = format_with_string(vm, thread, args[0], args[1], &args[2..])?;
    value(result)
}

/// `(SWANKD::%FORMATTER-APPLY STREAM CONTROL-STRING ARGUMENTS)`, what a function made by
/// FORMATTER does: formats to STREAM and returns the tail of ARGUMENTS left unused.
fn formatter_apply(vm: &mut Vm, thread: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let arguments = vm
        .image
        .list_to_vec(args[2])
        .ok_or_else(|| LispError::type_error(args[2], "LIST"))?;
    let (_, used) = format_with_string(vm, thread, args[0], args[1], &arguments)?;
    let mut unused = args[2];
    for _ in 0..used {
        unused = vm.image.cdr(unused).unwrap_or(Value::Nil);
    }
    value(unused)
}

fn is_function(image: &Image, value: Value) -> bool {
    matches!(
        image.object(value),
        Some(Object::Closure(_) | Object::Builtin(_))
    )
}

/// FORMAT to `destination` with the control string `control`: FORMAT's value, and how many
/// of `arguments` the control string used.
fn format_with_string(
    vm: &mut Vm,
    thread: &mut LispThread,
    destination: Value,
    control: Value,
    arguments: &[Value],
) -> LispResult<(Value, usize)> {
    let control = prepared_control(vm, control)?;
    let preparation = vm.prepare_printing_unless_immediate(thread, arguments, &[true, false])?;
    let result = format_prepared(vm, thread, destination, arguments, &control);
    vm.finish_printing(preparation);
    result
}

/// FORMAT's control string, prepared (once per distinct simple string).
fn prepared_control(vm: &mut Vm, control: Value) -> LispResult<Rc<FormatControl>> {
    if let Value::Object(object) = control
        && let Some(Object::String(text)) = vm.image.heap.object(object)
    {
        return Ok(vm.format_controls.prepared(Some(object), text.text()));
    }
    let text = expect_string(&vm.image, control)?;
    Ok(vm.format_controls.prepared(None, &text.into()))
}

fn format_prepared(
    vm: &mut Vm,
    thread: &mut LispThread,
    destination: Value,
    arguments: &[Value],
    control: &FormatControl,
) -> LispResult<(Value, usize)> {
    if destination.is_nil() {
        return super::super::format::format(vm, thread, control, arguments, 0, |vm, text| {
            Ok(vm.image.string(text)?)
        });
    }
    if is_string(&vm.image, destination) {
        let deliver = |vm: &mut Vm, text: &str| append_to_string(vm, destination, text);
        let ((), used) = super::super::format::format(vm, thread, control, arguments, 0, deliver)?;
        return Ok((Value::Nil, used));
    }
    let stream = vm.output_stream(thread, destination)?;
    let column = vm.stream_column(stream);
    if let Value::Object(r) = stream
        && vm.pretty_streams.contains_key(&r)
    {
        let (printed, used) =
            super::super::format::format_in_block(vm, thread, control, arguments, column)?;
        vm.append_to_pretty_stream(r, printed)?;
        return Ok((Value::Nil, used));
    }
    let deliver = |vm: &mut Vm, text: &str| vm.write_text(stream, text);
    let ((), used) = super::super::format::format(vm, thread, control, arguments, column, deliver)?;
    Ok((Value::Nil, used))
}

/// Appends `text` to `string`, which must have a fill pointer (FORMAT and
/// WITH-OUTPUT-TO-STRING into an existing string).
pub(super) fn append_to_string(vm: &mut Vm, string: Value, text: &str) -> LispResult<()> {
    match vm.image.object_mut(string) {
        Some(Object::Vector(v)) if v.characters => {
            if v.push_chars(text) {
                Ok(())
            } else if v.fill_pointer.is_none() {
                Err(LispError::type_error(
                    string,
                    "(AND STRING (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
                ))
            } else {
                Err(LispError::simple(
                    "The string is not adjustable and has no room for the output.",
                ))
            }
        }
        _ => Err(LispError::type_error(
            string,
            "(AND STRING (SATISFIES ARRAY-HAS-FILL-POINTER-P))",
        )),
    }
}
