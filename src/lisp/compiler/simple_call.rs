//! Calls that need no compiling: `(F ARG...)` where F names a global function (not a macro
//! or special operator) and every ARG evaluates to itself or is quoted. Running one means
//! calling F's global definition with the ARGs' values, which is all the compiled form
//! would do. EVAL and each Swank request (a call such as `(swank:interactive-eval "...")`)
//! take this path; compiling such a form cost more than the call it makes.

use crate::lisp::builtin_arglists::is_special_operator_name;
use crate::lisp::image::Image;
use crate::lisp::value::{SymRef, Value};

/// More arguments than this are left to the compiler, which checks their count.
const MAX_ARGUMENTS: usize = 64;

/// `form` as an operator and its arguments' values, when it is a simple call.
pub fn simple_call(image: &Image, form: Value) -> Option<(SymRef, Vec<Value>)> {
    let Value::Cons(cell) = form else {
        return None;
    };
    let (head, mut rest) = image.heap.car_cdr(cell);
    let Value::Symbol(operator) = head else {
        return None;
    };
    if !names_a_plain_function(image, operator) {
        return None;
    }
    let mut arguments = Vec::new();
    while let Value::Cons(cell) = rest {
        let (argument, next) = image.heap.car_cdr(cell);
        if arguments.len() == MAX_ARGUMENTS {
            return None;
        }
        arguments.push(constant_value(image, argument)?);
        rest = next;
    }
    // A dotted form is malformed: the compiler says so.
    rest.is_nil().then_some((operator, arguments))
}

fn names_a_plain_function(image: &Image, sym: SymRef) -> bool {
    let symbol = image.heap.symbol(sym);
    if symbol.is_macro() || matches!(symbol.function, Value::Unbound) {
        return false;
    }
    !(symbol.package == Some(image.pkg.cl) && is_special_operator_name(&symbol.name))
}

/// What `form` evaluates to when that needs no environment: a self-evaluating object or a
/// quoted one.
fn constant_value(image: &Image, form: Value) -> Option<Value> {
    match form {
        Value::Nil
        | Value::Fixnum(_)
        | Value::Char(_)
        | Value::Single(_)
        | Value::Double(_)
        | Value::Object(_) => Some(form),
        Value::Symbol(sym) if sym == image.sym.t || image.is_keyword(sym) => Some(form),
        Value::Symbol(_) | Value::Unbound => None,
        Value::Cons(cell) => {
            let (head, rest) = image.heap.car_cdr(cell);
            let Value::Cons(rest) = rest else {
                return None;
            };
            let (quoted, end) = image.heap.car_cdr(rest);
            (matches!(head, Value::Symbol(sym) if sym == image.sym.quote) && end.is_nil())
                .then_some(quoted)
        }
    }
}
