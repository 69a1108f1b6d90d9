//! What the compiler noticed in code Emacs had compiled (C-c C-c, C-c C-k), turned into
//! the data of compiler notes once the whole unit has run: calls of functions and uses of
//! variables still undefined, calls with the wrong number of arguments, variables bound and
//! never used. `SWANKD::%COMPILE-NOTES-FOR-EMACS` (swank/prelude.lisp) words and places them.

use crate::lisp::builtins::{BuiltinTable, value};
use crate::lisp::compiler::CompileNote;
use crate::lisp::error::LispResult;
use crate::lisp::image::Image;
use crate::lisp::reader::{self, Datum, ReadOptions};
use crate::lisp::symbol::FunctionKind;
use crate::lisp::value::{SymRef, Value};

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swankd,
        "%COLLECT-COMPILE-NOTES",
        (0, Some(0)),
        |vm, thread, _| {
            vm.compile_notes.insert(thread.id, Vec::new());
            value(Value::Nil)
        },
    )?;
    table.define(
        image,
        swankd,
        "%COMPILE-NOTES",
        (0, Some(0)),
        |vm, thread, _| {
            let notes = vm.compile_notes.remove(&thread.id).unwrap_or_default();
            let mut entries = Vec::new();
            for note in notes {
                if let Some(entry) = still_true(&mut vm.image, note)? {
                    entries.push(entry);
                }
            }
            value(vm.image.list(&entries)?)
        },
    )?;
    Ok(())
}

/// The note's entry if what it says is still so after the unit ran:
/// `(:UNDEFINED-FUNCTION sym)`, `(:UNDEFINED-VARIABLE sym)`,
/// `(:WRONG-ARGUMENT-COUNT sym "called with two arguments, but wants exactly one")` or
/// `(:UNUSED-VARIABLE sym)`.
fn still_true(image: &mut Image, note: CompileNote) -> LispResult<Option<Value>> {
    let (kind, sym, text) = match note {
        CompileNote::UndefinedFunction(sym) => {
            if !matches!(image.heap.symbol(sym).function, Value::Unbound) {
                return Ok(None);
            }
            ("UNDEFINED-FUNCTION", sym, None)
        }
        CompileNote::UndefinedVariable(sym) => {
            let symbol = image.heap.symbol(sym);
            if symbol.special || !matches!(symbol.value, Value::Unbound) {
                return Ok(None);
            }
            ("UNDEFINED-VARIABLE", sym, None)
        }
        CompileNote::Call(sym, given) => match arity_problem(image, sym, given) {
            Some(text) => ("WRONG-ARGUMENT-COUNT", sym, Some(text)),
            None => return Ok(None),
        },
        CompileNote::UnusedVariable(sym) => ("UNUSED-VARIABLE", sym, None),
    };
    let kind = Value::Symbol(image.keyword(kind)?);
    let mut items = vec![kind, Value::Symbol(sym)];
    if let Some(text) = text {
        items.push(image.string(text)?);
    }
    Ok(Some(image.list(&items)?))
}

/// How a call with `given` arguments disagrees with the function's lambda list, in SBCL's
/// words, if it does.
fn arity_problem(image: &Image, sym: SymRef, given: usize) -> Option<String> {
    let symbol = image.heap.symbol(sym);
    if matches!(symbol.function, Value::Unbound) || symbol.function_kind != FunctionKind::Function {
        return None;
    }
    let text = symbol.info.as_ref()?.arglist.as_deref()?;
    let (min, max) = arity(text)?;
    let wants = match max {
        Some(max) if max == min => format!("exactly {}", cardinal(min)),
        _ if given < min => format!("at least {}", cardinal(min)),
        Some(max) => format!("at most {}", cardinal(max)),
        None => return None,
    };
    if given >= min && max.is_none_or(|max| given <= max) {
        return None;
    }
    let plural = if given == 1 { "" } else { "s" };
    Some(format!(
        "called with {} argument{plural}, but wants {wants}",
        cardinal(given)
    ))
}

/// The fewest and most arguments a lambda list (as printed) accepts.
fn arity(text: &str) -> Option<(usize, Option<usize>)> {
    let (datum, _) = reader::read_one(text, 0, &ReadOptions::default()).ok()??;
    let empty = Vec::new();
    let items = match &datum {
        Datum::List { items, tail: None } => items,
        Datum::Symbol(token) if token.name == "NIL" => &empty,
        _ => return None,
    };
    let (mut min, mut optional, mut unbounded) = (0, 0, false);
    let mut section = "";
    for item in items {
        match item {
            Datum::Symbol(token) if token.package.is_none() && token.name.starts_with('&') => {
                section = match token.name.as_str() {
                    "&OPTIONAL" => "optional",
                    "&REST" | "&BODY" | "&KEY" => {
                        unbounded = true;
                        "rest"
                    }
                    "&AUX" => break,
                    _ => section,
                };
            }
            _ => match section {
                "" => min += 1,
                "optional" => optional += 1,
                _ => {}
            },
        }
    }
    Some((min, (!unbounded).then_some(min + optional)))
}

/// A count in English words, as FORMAT's `~R` writes it.
fn cardinal(n: usize) -> String {
    i128::try_from(n)
        .ok()
        .and_then(crate::lisp::format::numerals::cardinal)
        .unwrap_or_else(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::{arity, cardinal};

    #[test]
    fn lambda_lists_give_their_arity() {
        assert_eq!(arity("(A B)"), Some((2, Some(2))));
        assert_eq!(arity("(A &OPTIONAL B (C 1))"), Some((1, Some(3))));
        assert_eq!(arity("(A &REST R)"), Some((1, None)));
        assert_eq!(arity("(&KEY X)"), Some((0, None)));
        assert_eq!(arity("NIL"), Some((0, Some(0))));
        assert_eq!(arity("(A &AUX (B 2))"), Some((1, Some(1))));
        assert_eq!(cardinal(2), "two");
        assert_eq!(cardinal(42), "forty-two");
    }
}
