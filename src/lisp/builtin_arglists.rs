//! The lambda lists of Common Lisp's functions, macros and special operators, for the
//! builtins written in Rust (which have none of their own): what SLIME's arglist display,
//! `describe` and keyword completion show for them.
//!
//! `builtin_arglists.txt` is generated from SBCL, the oracle, by
//! `scripts/builtin-arglists.lisp` (one `NAME (LAMBDA-LIST)` per line); `tests/sbcl_tables.rs`
//! checks it is what SBCL says. Definitions written in Lisp keep the lambda lists they
//! were written with.

use super::image::Image;
use super::value::Value;

const ARGLISTS: &str = include_str!("builtin_arglists.txt");

/// Common Lisp's special operators that swankd's compiler implements.
pub const SPECIAL_OPERATORS: &[&str] = &[
    "BLOCK",
    "CATCH",
    "EVAL-WHEN",
    "FLET",
    "FUNCTION",
    "GO",
    "IF",
    "LABELS",
    "LET",
    "LET*",
    "LOCALLY",
    "MACROLET",
    "MULTIPLE-VALUE-PROG1",
    "PROGN",
    "QUOTE",
    "RETURN-FROM",
    "SETQ",
    "SYMBOL-MACROLET",
    "TAGBODY",
    "THE",
    "THROW",
    "UNWIND-PROTECT",
];

/// SBCL's lambda list for the Common Lisp operator `name`, as printed text.
pub fn standard_arglist(name: &str) -> Option<&'static str> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static str>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            ARGLISTS
                .lines()
                .filter_map(|line| line.split_once(' '))
                .collect()
        })
        .get(name)
        .copied()
}

/// Macros of SBCL that swankd's compiler handles itself, so that they are neither
/// functions nor macros here; editors still get their lambda lists.
const COMPILED_MACROS: &[&str] = &[
    "DEFCONSTANT",
    "DEFMACRO",
    "DEFPARAMETER",
    "DEFUN",
    "DEFVAR",
    "DESTRUCTURING-BIND",
    "LAMBDA",
    "MULTIPLE-VALUE-LIST",
];

/// Whether `name` (a symbol of COMMON-LISP) is one of SBCL's macros that swankd's compiler
/// handles as a form of its own.
pub fn is_compiled_macro_name(name: &str) -> bool {
    COMPILED_MACROS.contains(&name)
}

/// Whether `name` (a symbol of COMMON-LISP) is a special operator here.
pub fn is_special_operator_name(name: &str) -> bool {
    SPECIAL_OPERATORS.contains(&name)
}

/// Gives every defined Common Lisp operator without a lambda list SBCL's.
pub fn install(image: &mut Image) {
    let cl = image.pkg.cl;
    for line in ARGLISTS.lines() {
        let Some((name, arglist)) = line.split_once(' ') else {
            continue;
        };
        let Some(sym) = image.packages.find_external(cl, name) else {
            continue;
        };
        let defined = !matches!(image.heap.symbol(sym).function, Value::Unbound)
            || is_special_operator_name(name)
            || is_compiled_macro_name(name);
        let Some(symbol) = image.heap.symbol_mut(sym) else {
            continue;
        };
        if defined
            && symbol
                .info
                .as_ref()
                .and_then(|i| i.arglist.as_ref())
                .is_none()
        {
            symbol.info_mut().arglist = Some(Box::from(arglist));
        }
    }
}
