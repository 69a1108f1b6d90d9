//! Feature expressions for `#+` and `#-`: a symbol names a feature (compared by name with
//! the upper-case names in [`ReadOptions::features`](super::ReadOptions::features)), and
//! `(:and ...)`, `(:or ...)`, `(:not x)` combine them. Evaluation uses an explicit stack.

use super::{Datum, PackagePrefix, SymbolToken};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Not,
}

/// An operator whose arguments are being evaluated.
struct Pending<'a> {
    op: Op,
    rest: std::slice::Iter<'a, Datum>,
    value: bool,
}

/// What evaluating one expression gives: a value now, or an operator to descend into.
enum Step<'a> {
    Value(bool),
    Descend(Pending<'a>),
}

/// Whether the symbol is a plain or keyword symbol (feature expressions are read in the
/// keyword package).
fn keyword_name(token: &SymbolToken) -> Option<&str> {
    match token.package {
        None | Some(PackagePrefix::Keyword) => Some(&token.name),
        _ => None,
    }
}

fn step<'a>(expr: &'a Datum, features: &[std::rc::Rc<str>]) -> Result<Step<'a>, String> {
    match expr {
        Datum::Symbol(token) => Ok(Step::Value(
            keyword_name(token).is_some_and(|name| features.iter().any(|f| **f == *name)),
        )),
        Datum::List { items, tail: None } => {
            let op = match items.first() {
                Some(Datum::Symbol(token)) => match keyword_name(token) {
                    Some("AND") => Op::And,
                    Some("OR") => Op::Or,
                    Some("NOT") => Op::Not,
                    _ => return Err(invalid(expr)),
                },
                _ => return Err(invalid(expr)),
            };
            if op == Op::Not && items.len() != 2 {
                return Err("(:not ...) takes exactly one feature expression".to_string());
            }
            Ok(Step::Descend(Pending {
                op,
                rest: items[1..].iter(),
                value: op == Op::And,
            }))
        }
        _ => Err(invalid(expr)),
    }
}

fn invalid(expr: &Datum) -> String {
    let what = match expr {
        Datum::List { .. } => "a list not starting with :and, :or or :not",
        Datum::Symbol(_) => "a symbol",
        _ => "not a symbol or list",
    };
    format!("invalid feature expression ({what})")
}

/// Evaluates a feature expression against `features`.
pub(super) fn evaluate(expr: &Datum, features: &[std::rc::Rc<str>]) -> Result<bool, String> {
    let mut stack: Vec<Pending> = Vec::new();
    let mut next = Some(expr);
    loop {
        let mut value = match next.take() {
            Some(expr) => match step(expr, features)? {
                Step::Value(value) => value,
                Step::Descend(pending) => {
                    stack.push(pending);
                    continue;
                }
            },
            // Resuming an operator: take its next argument or finish it.
            None => match stack.last_mut() {
                None => return Ok(false),
                Some(pending) => match pending.rest.next() {
                    Some(arg) => {
                        next = Some(arg);
                        continue;
                    }
                    None => {
                        let value = pending.value;
                        stack.pop();
                        value
                    }
                },
            },
        };
        // Give `value` to the enclosing operators.
        loop {
            match stack.last_mut() {
                None => return Ok(value),
                Some(pending) => {
                    match pending.op {
                        Op::And => pending.value &= value,
                        Op::Or => pending.value |= value,
                        Op::Not => pending.value = !value,
                    }
                    match pending.rest.next() {
                        Some(arg) => {
                            next = Some(arg);
                            break;
                        }
                        None => {
                            value = pending.value;
                            stack.pop();
                        }
                    }
                }
            }
        }
    }
}
