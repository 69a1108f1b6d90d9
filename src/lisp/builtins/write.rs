//! `WRITE`: prints an object with the printer variables its keyword arguments name bound
//! for the duration, as SBCL does, so that `PRINT-OBJECT` methods and nested printing see
//! them too.

use super::super::error::{LispError, LispResult};
use super::super::image::{Image, WellKnown};
use super::super::thread::LispThread;
use super::super::value::{SymRef, Value};
use super::super::vm::Vm;
use super::{BuiltinTable, Control, value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let cl = image.pkg.cl;
    table.define(image, cl, "WRITE", (1, None), write)?;
    Ok(())
}

/// Each keyword WRITE takes besides `:STREAM`, and the printer variable it binds.
fn printer_keywords(s: &WellKnown) -> [(&'static str, SymRef); 15] {
    [
        ("ESCAPE", s.print_escape),
        ("RADIX", s.print_radix),
        ("BASE", s.print_base),
        ("CIRCLE", s.print_circle),
        ("PRETTY", s.print_pretty),
        ("LEVEL", s.print_level),
        ("LENGTH", s.print_length),
        ("CASE", s.print_case),
        ("ARRAY", s.print_array),
        ("GENSYM", s.print_gensym),
        ("READABLY", s.print_readably),
        ("RIGHT-MARGIN", s.print_right_margin),
        ("MISER-WIDTH", s.print_miser_width),
        ("LINES", s.print_lines),
        ("PPRINT-DISPATCH", s.print_pprint_dispatch),
    ]
}

/// What WRITE's keyword arguments ask for: the stream designator, and the printer
/// variables to bind with their values (the first occurrence of a keyword wins).
struct WriteArguments {
    stream: Value,
    bindings: Vec<(SymRef, Value)>,
}

fn parse_keywords(image: &mut Image, keys: &[Value]) -> LispResult<WriteArguments> {
    if keys.len() % 2 != 0 {
        return Err(LispError::program("odd number of &KEY arguments"));
    }
    let s = image.sym;
    let mut known = Vec::with_capacity(15);
    for (name, variable) in printer_keywords(&s) {
        known.push((image.keyword(name)?, variable));
    }
    let stream_key = image.keyword("STREAM")?;
    // SBCL's extension: accepted, and without effect (swankd has no print errors to hide).
    let suppress_errors = image.keyword("SUPPRESS-ERRORS")?;
    let allow_other_keys = keys
        .chunks(2)
        .find(|pair| pair[0].eq(Value::Symbol(s.allow_other_keys_kw)))
        .is_some_and(|pair| pair[1].truthy());
    let mut stream = None;
    let mut bindings: Vec<(SymRef, Value)> = Vec::new();
    for pair in keys.chunks(2) {
        let (key, argument) = (pair[0], pair[1]);
        let Value::Symbol(key_sym) = key else {
            if allow_other_keys {
                continue;
            }
            return Err(unknown_key(image, key));
        };
        if let Some((_, variable)) = known.iter().find(|(k, _)| *k == key_sym) {
            if !bindings.iter().any(|(bound, _)| bound == variable) {
                bindings.push((*variable, argument));
            }
        } else if key_sym == stream_key {
            stream.get_or_insert(argument);
        } else if !(allow_other_keys
            || key_sym == suppress_errors
            || key_sym == s.allow_other_keys_kw)
        {
            return Err(unknown_key(image, key));
        }
    }
    Ok(WriteArguments {
        stream: stream.unwrap_or(Value::Nil),
        bindings,
    })
}

fn unknown_key(image: &Image, key: Value) -> LispError {
    let shown = super::super::print::prin1_to_string(image, key);
    LispError::program(format!("unknown &KEY argument {shown} to WRITE"))
}

fn write(vm: &mut Vm, thread: &mut LispThread, args: &[Value]) -> LispResult<Control> {
    let object = args[0];
    let arguments = parse_keywords(&mut vm.image, &args[1..])?;
    let stream = vm.output_stream(thread, arguments.stream)?;
    let depth = thread.bindings.len();
    for (variable, argument) in arguments.bindings {
        vm.bind_special(thread, variable, argument);
    }
    let printed = write_bound(vm, thread, stream, object);
    vm.unbind_to(thread, depth);
    printed?;
    value(object)
}

/// Prints `object` to `stream` as the printer variables now say.
fn write_bound(
    vm: &mut Vm,
    thread: &mut LispThread,
    stream: Value,
    object: Value,
) -> LispResult<()> {
    let escape = vm.symbol_value(thread, vm.image.sym.print_escape)?.truthy();
    let preparation = vm.prepare_printing(thread, &[object], &[escape])?;
    let options = vm.print_options_at(thread, escape, vm.stream_column(stream));
    let printed = vm.write_printed(stream, object, &options);
    vm.finish_printing(preparation);
    printed
}
