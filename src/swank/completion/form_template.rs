//! `complete-form` (C-c C-s): the arguments a form still needs, as a template to insert
//! (`(conc-name names...) obj body...`), as swank's arglists contrib makes it.

use crate::lisp::builtins::{Control, value};
use crate::lisp::error::LispResult;
use crate::lisp::reader::Datum;
use crate::lisp::thread::LispThread;
use crate::lisp::value::Value;
use crate::lisp::vm::Vm;

use super::{LambdaList, Raw, current_argument, current_package, key_name, operator_lambda_list};

/// `(complete-form RAW-FORM)`: the template of the missing arguments of the innermost form
/// around the cursor whose operator has a lambda list, or `:not-available`.
pub(super) fn complete_form(
    vm: &mut Vm,
    thread: &mut LispThread,
    a: &[Value],
) -> LispResult<Control> {
    let raw = Raw::from_value(&vm.image, a[0], 0);
    let current = current_package(vm, thread);
    let template = raw.levels().iter().rev().find_map(|level| {
        let (lambda, _) = operator_lambda_list(&vm.image, level, current)?;
        let (lambda, args) = innermost_pattern(lambda, &level[1..]);
        Some(template(&lambda, &provided(args)))
    });
    match template {
        Some(text) => value(vm.image.string(text)?),
        None => value(Value::Symbol(vm.image.keyword("NOT-AVAILABLE")?)),
    }
}

/// Descends into a destructuring pattern when the cursor is inside the argument it binds.
fn innermost_pattern(lambda: Vec<Datum>, args: &[Raw]) -> (Vec<Datum>, &[Raw]) {
    let list = LambdaList::analyze(&lambda);
    if let Some(current) = current_argument(args)
        && let Some(&target) = list.required.get(current)
        && let (Datum::List { items, tail: None }, Raw::Form(inner)) =
            (&lambda[target], &args[current])
        && inner.iter().any(Raw::holds_cursor)
    {
        return innermost_pattern(items.clone(), inner);
    }
    (lambda, args)
}

/// The arguments already in the buffer: all but the cursor and the empty one it is on.
fn provided(args: &[Raw]) -> Vec<&Raw> {
    let mut given: Vec<&Raw> = args.iter().filter(|arg| **arg != Raw::Cursor).collect();
    if let Some(last) = given
        .iter()
        .rposition(|arg| matches!(arg, Raw::Token(t) if t.is_empty()))
    {
        given.remove(last);
    }
    given
}

/// The parameters not yet given: required ones by name (patterns as nested templates),
/// optional ones in brackets, keys not yet typed as `:key key`, and the rest as `rest...`
/// when there are no keys.
fn template(lambda: &[Datum], given: &[&Raw]) -> String {
    let list = LambdaList::analyze(lambda);
    let mut parts = Vec::new();
    let mut remaining = given.len();
    for &i in &list.required {
        if remaining > 0 {
            remaining -= 1;
        } else {
            parts.push(argument(&lambda[i]));
        }
    }
    for &i in &list.optional {
        if remaining > 0 {
            remaining -= 1;
        } else {
            parts.push(format!("[{}]", parameter_name(&lambda[i])));
        }
    }
    let typed_keys: Vec<String> = given
        .iter()
        .filter_map(|arg| match arg {
            Raw::Token(token) => token.strip_prefix(':').map(str::to_uppercase),
            _ => None,
        })
        .collect();
    for &i in &list.key {
        if let Some(name) = key_name(&lambda[i])
            && !typed_keys.iter().any(|typed| typed == name)
        {
            let name = name.to_lowercase();
            parts.push(format!(":{name} {name}"));
        }
    }
    if let Some(rest) = list.rest.filter(|_| !list.has_key) {
        parts.push(format!("{}...", parameter_name(&lambda[rest])));
    }
    parts.join(" ")
}

/// A required parameter: its name, or a destructuring pattern as a nested template.
fn argument(datum: &Datum) -> String {
    match datum {
        Datum::List { items, tail: None } => format!("({})", template(items, &[])),
        other => parameter_name(other),
    }
}

/// The variable of a parameter (`x`, `(x 1)`, `((:k x) 1)`), in lower case.
fn parameter_name(datum: &Datum) -> String {
    match datum {
        Datum::Symbol(token) => token.name.to_lowercase(),
        Datum::List { items, .. } => match items.first() {
            Some(Datum::Symbol(token)) => token.name.to_lowercase(),
            Some(Datum::List { items, .. }) => items.get(1).map(parameter_name).unwrap_or_default(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}
