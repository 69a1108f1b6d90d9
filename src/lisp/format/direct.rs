//! FORMAT's direct run: a control string made only of text, `~%`, `~~`, `~A` and `~D`, none
//! with parameters or modifiers, written straight into the output without a
//! [`Formatter`](super::Formatter). Most FORMAT calls are of this kind (`"item-~D"`,
//! `"~A: ~A~%"`), and building the general formatter cost more than their output.
//!
//! It takes only the arguments whose printing it can tell without the printer: `~D` of a
//! fixnum (decimal whatever the printer settings, as the general run prints it), `~A` of a
//! simple string or a character (their text; one with a newline only while `*PRINT-PRETTY*`
//! is off, since the pretty printer lays such text out), and `~A` of a fixnum while
//! `*PRINT-BASE*` is ten and `*PRINT-RADIX*` is off. For anything else (another argument,
//! too few arguments, a string with its own PRINT-OBJECT text) it gives up, and the caller
//! runs the general formatter, which prints or reports it.

use super::super::object::Object;
use super::super::thread::LispThread;
use super::super::value::Value;
use super::super::vm::Vm;
use super::control::Piece;
use super::push_decimal;

/// A step of a direct run.
#[derive(Debug, PartialEq)]
pub(super) enum Step {
    Text(Box<str>),
    /// `~A`: the next argument as PRINC prints it.
    Aesthetic,
    /// `~D`: the next argument in decimal.
    Decimal,
}

/// The steps that run `plan` directly, if every directive of it is one a direct run does.
pub(super) fn direct_steps(plan: &[Piece]) -> Option<Box<[Step]>> {
    let mut steps = Vec::new();
    let mut text = String::new();
    for piece in plan {
        let directive = match piece {
            Piece::Text(piece_text) => {
                text.push_str(piece_text);
                continue;
            }
            Piece::Directive(directive) => directive,
        };
        if !directive.params.is_empty() || directive.colon || directive.at {
            return None;
        }
        let step = match directive.kind.to_ascii_uppercase() {
            '%' => {
                text.push('\n');
                continue;
            }
            '~' => {
                text.push('~');
                continue;
            }
            'A' => Step::Aesthetic,
            'D' => Step::Decimal,
            _ => return None,
        };
        if !text.is_empty() {
            steps.push(Step::Text(std::mem::take(&mut text).into()));
        }
        steps.push(step);
    }
    if !text.is_empty() {
        steps.push(Step::Text(text.into()));
    }
    Some(steps.into())
}

/// Runs `steps` with `args`, appending to `out`; how many arguments it used, or `None` when
/// an argument needs the general formatter (`out` then holds a part of the output).
pub(super) fn run_direct(
    vm: &Vm,
    thread: &LispThread,
    steps: &[Step],
    args: &[Value],
    out: &mut String,
) -> Option<usize> {
    let mut used = 0;
    for step in steps {
        let arg = match step {
            Step::Text(text) => {
                out.push_str(text);
                continue;
            }
            Step::Aesthetic | Step::Decimal => *args.get(used)?,
        };
        used += 1;
        match (step, arg) {
            (Step::Decimal, Value::Fixnum(n)) => push_decimal(out, n),
            (Step::Aesthetic, _) => push_aesthetic(vm, thread, arg, out)?,
            _ => return None,
        }
    }
    Some(used)
}

/// `~A` of `arg`, if printing it needs no printer; `None` if it does. Kept out of line:
/// what it reads of the VM would otherwise be loaded before every run, `~D` alone or not.
#[inline(never)]
fn push_aesthetic(vm: &Vm, thread: &LispThread, arg: Value, out: &mut String) -> Option<()> {
    match arg {
        Value::Fixnum(n) if prints_fixnums_plainly(vm, thread) => push_decimal(out, n),
        Value::Char(c) if c != '\n' || !pretty(vm, thread) => out.push(c),
        Value::Object(r) => {
            let Some(Object::String(string)) = vm.image.heap.object(r) else {
                return None;
            };
            let printed = &vm.image.printed_instances;
            if !printed.is_empty() && printed.contains_key(&(r, false)) {
                return None;
            }
            let text = string.as_str();
            if text.contains('\n') && pretty(vm, thread) {
                return None;
            }
            out.push_str(text);
        }
        _ => return None,
    }
    Some(())
}

/// Whether PRINC prints a fixnum in plain decimal: `*PRINT-BASE*` ten (or not a radix, which
/// the printer takes as ten) and `*PRINT-RADIX*` off.
fn prints_fixnums_plainly(vm: &Vm, thread: &LispThread) -> bool {
    let s = vm.image.sym;
    let base = vm.symbol_value(thread, s.print_base).unwrap_or(Value::Nil);
    let other_base = matches!(base, Value::Fixnum(b) if (2..=36).contains(&b) && b != 10);
    let radix = vm.symbol_value(thread, s.print_radix).unwrap_or(Value::Nil);
    !other_base && !radix.truthy()
}

fn pretty(vm: &Vm, thread: &LispThread) -> bool {
    vm.symbol_value(thread, vm.image.sym.print_pretty)
        .unwrap_or(Value::Nil)
        .truthy()
}

#[cfg(test)]
mod tests {
    use super::super::super::lisp_string::Text;
    use super::super::super::print_object::PrintedInstance;
    use super::super::super::system::{SystemConfig, boot};
    use super::super::super::thread::LispThread;
    use super::super::super::value::Value;
    use super::super::super::vm::Vm;
    use super::super::{Control, ControlCache, Formatter};
    use super::run_direct;

    /// Controls a direct run takes, and some it must leave to the formatter.
    const CONTROLS: &[&str] = &[
        "",
        "plain text",
        "item-~d",
        "item-~D-done",
        "~a",
        "~A~A",
        "[~A|~D]~%",
        "~~~a~~",
        "~%~%~d~%",
        "~A, ~A and ~D",
        "x~:a",
        "~@d",
        "~5d",
        "~S",
        "~a~*~a",
        "~a~&",
    ];

    fn values(vm: &mut Vm) -> Vec<Value> {
        let mut values = vec![
            Value::Fixnum(0),
            Value::Fixnum(-7),
            Value::Fixnum(1_234_567),
            Value::Fixnum(i64::from(i32::MIN)),
            Value::Char('x'),
            Value::Char('\n'),
            Value::Char('é'),
            Value::Nil,
            Value::Double(1.5),
        ];
        for text in ["abc", "", "two\nlines", "ünï ~a", "quote\"d"] {
            values.push(vm.image.string(text).unwrap_or(Value::Nil));
        }
        let symbol = vm.image.sym.print_base;
        values.push(Value::Symbol(symbol));
        let list = vm.image.list(&[Value::Fixnum(1), Value::Char('c')]);
        values.push(list.unwrap_or(Value::Nil));
        values
    }

    fn general(
        vm: &mut Vm,
        thread: &mut LispThread,
        control: &Control,
        args: &[Value],
    ) -> Option<(String, usize)> {
        Formatter::new(vm, thread, 0, None)
            .run_all(control, args, Formatter::finish)
            .ok()
    }

    /// Compares the direct run with the formatter over every control and every list of up
    /// to three values; returns how many the direct run took.
    fn compare_all(vm: &mut Vm, thread: &mut LispThread, setting: &str) -> usize {
        let values = values(vm);
        let mut lists: Vec<Vec<Value>> = vec![Vec::new()];
        for length in 1..=3 {
            let shorter: Vec<Vec<Value>> = lists
                .iter()
                .filter(|l| l.len() == length - 1)
                .cloned()
                .collect();
            for list in shorter {
                for value in &values {
                    let mut longer = list.clone();
                    longer.push(*value);
                    lists.push(longer);
                }
            }
        }
        let mut cache = ControlCache::default();
        let mut taken = 0;
        for text in CONTROLS {
            let control = cache.prepared(None, &Text::from(*text));
            let Some(steps) = control.direct.as_deref() else {
                continue;
            };
            for args in &lists {
                let mut out = String::from("before:");
                let Some(used) = run_direct(vm, thread, steps, args, &mut out) else {
                    continue;
                };
                taken += 1;
                let expected = general(vm, thread, &control, args);
                let direct = out
                    .strip_prefix("before:")
                    .map(|out| (out.to_string(), used));
                assert_eq!(direct, expected, "{setting}: {text:?} with {args:?}");
            }
        }
        taken
    }

    fn set(vm: &mut Vm, thread: &mut LispThread, name: &str, value: Value) {
        let symbol = match name {
            "*PRINT-PRETTY*" => vm.image.sym.print_pretty,
            "*PRINT-BASE*" => vm.image.sym.print_base,
            _ => vm.image.sym.print_radix,
        };
        assert!(vm.set_symbol_value(thread, symbol, value).is_ok());
    }

    #[test]
    fn direct_runs_print_what_the_formatter_prints() {
        let Ok(mut vm) = boot(&SystemConfig::default()) else {
            panic!("boot failed");
        };
        let mut thread = LispThread::new(1, "test");
        let vm = &mut vm;
        let t = vm.image.boolean(true);
        assert!(compare_all(vm, &mut thread, "defaults") > 1000);
        set(vm, &mut thread, "*PRINT-PRETTY*", t);
        assert!(compare_all(vm, &mut thread, "pretty") > 1000);
        set(vm, &mut thread, "*PRINT-PRETTY*", Value::Nil);
        set(vm, &mut thread, "*PRINT-BASE*", Value::Fixnum(16));
        assert!(compare_all(vm, &mut thread, "base 16") > 1000);
        set(vm, &mut thread, "*PRINT-BASE*", Value::Fixnum(10));
        set(vm, &mut thread, "*PRINT-RADIX*", t);
        assert!(compare_all(vm, &mut thread, "radix") > 1000);
    }

    #[test]
    fn only_lone_plain_directives_run_directly() {
        let mut cache = ControlCache::default();
        for (text, direct) in [
            ("a~%b~~c", true),
            ("~a~d~A~D", true),
            ("~:a", false),
            ("~@A", false),
            ("~3d", false),
            ("~vD", false),
            ("~s", false),
            ("~&", false),
            ("~2%", false),
            ("~{~a~}", false),
        ] {
            let control = cache.prepared(None, &Text::from(text));
            assert_eq!(control.direct.is_some(), direct, "{text}");
        }
    }

    #[test]
    fn a_string_printed_by_its_own_method_is_left_to_the_formatter() {
        let Ok(mut vm) = boot(&SystemConfig::default()) else {
            panic!("boot failed");
        };
        let thread = LispThread::new(1, "test");
        let Ok(Value::Object(string)) = vm.image.string("abc") else {
            panic!("no string");
        };
        let control = ControlCache::default().prepared(None, &Text::from("~A"));
        let steps = control.direct.as_deref().unwrap_or_default();
        let args = [Value::Object(string)];
        let mut out = String::new();
        assert_eq!(run_direct(&vm, &thread, steps, &args, &mut out), Some(1));
        vm.image
            .printed_instances
            .insert((string, false), PrintedInstance::Text("#<custom>".into()));
        assert_eq!(run_direct(&vm, &thread, steps, &args, &mut out), None);
    }
}
