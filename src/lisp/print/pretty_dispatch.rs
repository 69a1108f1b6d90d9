//! Which layout a list gets under `*PRINT-PRETTY*`, as SBCL's standard pprint dispatch
//! table decides: by its operator (DEFUN, LET, IF, LOOP...), as a call of a function or
//! macro (by SBCL's lambda lists for Common Lisp's), or as data.

use super::super::value::{SymRef, Value};
use super::Printer;

/// How a list's elements are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// Data: as many elements on a line as fit.
    Fill,
    /// All elements on one line, or each on its own.
    Linear,
    /// A function call: arguments filled, aligned after the operator.
    Call,
    /// A call of a macro with `&BODY`: each argument on its own line, the ones before the
    /// body indented by four, the body by two.
    BodyCall {
        before_body: usize,
    },
    Defun,
    Defmethod,
    /// DEFPACKAGE: the name, then each option on a line of its own.
    Defpackage,
    /// The first element, then the rest filled and aligned after it (DEFPACKAGE's
    /// options, FLET without a body).
    AlignedFill,
    Lambda,
    Let,
    Flet,
    /// WHEN, UNLESS, BLOCK and the like: one distinguished argument, then a body.
    Block,
    /// DOLIST and the like: as `Block`, the variable list a list even when empty and the
    /// body a TAGBODY's.
    Dolist,
    Progn,
    If,
    Case,
    Do,
    /// MULTIPLE-VALUE-BIND, PROG2: two distinguished arguments, then a body.
    Prog2,
    /// Like `Prog2`, but both arguments on lines of their own unless all fits on one.
    Progv,
    /// Like `Progv`, the first argument a lambda list.
    DestructuringBind,
    Declare,
    /// PROG and PROG*: bindings, then tags and statements as in TAGBODY.
    Prog,
    Tagbody,
    Setq,
    Loop,
    LambdaList,
    /// A destructuring parameter: linear, and written as the list it is (no `'X`).
    Parameter,
    /// Data in code, a parameter with a default or CASE's keys: filled, written as the
    /// list it is.
    Data,
    /// A CASE clause: its keys as data, then its forms, linear.
    CaseClause,
    /// TYPECASE: as CASE, its clauses linear.
    Typecase,
    /// DOLIST's variable list: a call's layout, linear.
    DolistSpec,
    /// A DO variable specification: linear, aligned after the variable.
    DoVariable,
    /// LET's bindings: linear, each binding linear.
    Bindings,
    /// FLET's definitions.
    FunctionBindings,
    FunctionDefinition,
    /// DO's variables, one to a line.
    DoVariables,
}

/// The layout SBCL gives a form headed by the COMMON-LISP operator `name`.
fn standard_layout(name: &str) -> Option<Layout> {
    let layout = match name {
        "DEFUN"
        | "DEFMACRO"
        | "DEFTYPE"
        | "DEFSETF"
        | "DEFINE-SETF-EXPANDER"
        | "DEFINE-MODIFY-MACRO" => Layout::Defun,
        "DEFMETHOD" => Layout::Defmethod,
        "DEFPACKAGE" => Layout::Defpackage,
        "LAMBDA" => Layout::Lambda,
        "LET" | "LET*" | "SYMBOL-MACROLET" => Layout::Let,
        "FLET" | "LABELS" | "MACROLET" => Layout::Flet,
        "WHEN"
        | "UNLESS"
        | "BLOCK"
        | "UNWIND-PROTECT"
        | "PROG1"
        | "RETURN-FROM"
        | "CATCH"
        | "THROW"
        | "EVAL-WHEN"
        | "MULTIPLE-VALUE-CALL"
        | "MULTIPLE-VALUE-PROG1"
        | "MULTIPLE-VALUE-SETQ"
        | "DEFVAR"
        | "DEFPARAMETER"
        | "DEFCONSTANT"
        | "DEFSTRUCT"
        | "WITH-OPEN-FILE"
        | "WITH-OPEN-STREAM"
        | "WITH-OUTPUT-TO-STRING"
        | "WITH-INPUT-FROM-STRING"
        | "WITH-SIMPLE-RESTART"
        | "WITH-COMPILATION-UNIT"
        | "WITH-HASH-TABLE-ITERATOR"
        | "WITH-PACKAGE-ITERATOR"
        | "PRINT-UNREADABLE-OBJECT"
        | "PPRINT-LOGICAL-BLOCK" => Layout::Block,
        "DOLIST" | "DOTIMES" | "DO-SYMBOLS" | "DO-EXTERNAL-SYMBOLS" | "DO-ALL-SYMBOLS" => {
            Layout::Dolist
        }
        "PROGN" | "LOCALLY" | "TIME" | "STEP" | "WITH-STANDARD-IO-SYNTAX" => Layout::Progn,
        "IF" => Layout::If,
        "CASE" | "ECASE" | "CCASE" => Layout::Case,
        "TYPECASE" | "ETYPECASE" | "CTYPECASE" => Layout::Typecase,
        "DO" | "DO*" => Layout::Do,
        "MULTIPLE-VALUE-BIND" | "PROG2" => Layout::Prog2,
        "PROGV" => Layout::Progv,
        "DESTRUCTURING-BIND" => Layout::DestructuringBind,
        "DECLARE" | "DECLAIM" => Layout::Declare,
        "PROG" | "PROG*" => Layout::Prog,
        "TAGBODY" => Layout::Tagbody,
        "SETQ" | "SETF" | "PSETQ" | "PSETF" => Layout::Setq,
        "LOOP" => Layout::Loop,
        _ => return None,
    };
    Some(layout)
}

/// The extended LOOP keywords SBCL starts a new line for.
pub(super) const LOOP_CLAUSE_KEYWORDS: &[&str] = &[
    "FOR",
    "WITH",
    "COLLECT",
    "COLLECTING",
    "APPEND",
    "APPENDING",
    "NCONC",
    "NCONCING",
    "SUM",
    "SUMMING",
    "COUNT",
    "COUNTING",
    "MAXIMIZE",
    "MAXIMIZING",
    "MINIMIZE",
    "MINIMIZING",
    "DO",
    "DOING",
    "WHEN",
    "IF",
    "UNLESS",
    "AND",
    "END",
    "INITIALLY",
    "FINALLY",
    "WHILE",
    "UNTIL",
    "REPEAT",
    "ALWAYS",
    "NEVER",
    "THEREIS",
];

/// The lambda-list keywords SBCL may start a new line for (`&WHOLE` and `&ENVIRONMENT` it
/// fills like parameters).
pub(super) const LAMBDA_LIST_KEYWORDS: &[&str] = &[
    "&OPTIONAL",
    "&REST",
    "&BODY",
    "&KEY",
    "&AUX",
    "&ALLOW-OTHER-KEYS",
];

/// How many parameters a printed lambda list has before `&BODY`, if it has `&BODY`.
fn parameters_before_body(arglist: &str) -> Option<usize> {
    let inner = arglist.trim().strip_prefix('(')?.strip_suffix(')')?;
    let mut depth = 0usize;
    let mut parameters = 0;
    let mut in_token = false;
    let mut token = String::new();
    for c in inner.chars().chain(std::iter::once(' ')) {
        match c {
            '(' => {
                if depth == 0 {
                    parameters += 1;
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() => {
                if in_token && depth == 0 {
                    if token.eq_ignore_ascii_case("&BODY") {
                        return Some(parameters);
                    }
                    if !token.starts_with('&') {
                        parameters += 1;
                    }
                }
                in_token = false;
                token.clear();
            }
            c => {
                if depth == 0 {
                    in_token = true;
                    token.push(c);
                }
            }
        }
    }
    None
}

impl Printer<'_> {
    pub(super) fn symbol_named(&self, value: Value, names: &[&str]) -> bool {
        match value {
            Value::Symbol(sym) => {
                let name = self.image.symbol_name(sym);
                names.contains(&name.as_ref())
            }
            _ => false,
        }
    }

    /// The layout for a list: by its operator, as SBCL's standard dispatch table decides.
    pub(super) fn form_layout(&self, list: Value) -> Layout {
        let Value::Cons(cell) = list else {
            return Layout::Fill;
        };
        let Value::Symbol(head) = self.image.heap.car_cdr(cell).0 else {
            return Layout::Fill;
        };
        let symbol = self.image.heap.symbol(head);
        if symbol.package == Some(self.image.pkg.cl) {
            // QUOTE and FUNCTION forms that are not 'X or #'X are written as data.
            if matches!(symbol.name.as_ref(), "QUOTE" | "FUNCTION") {
                return Layout::Fill;
            }
            if let Some(layout) = standard_layout(&symbol.name) {
                // FLET and the like without a body are written as data after the operator.
                if layout == Layout::Flet && self.list_length_below(list, 3) {
                    return Layout::AlignedFill;
                }
                return layout;
            }
        }
        self.call_layout(head)
    }

    /// Whether `list` has fewer than `count` elements.
    fn list_length_below(&self, list: Value, count: usize) -> bool {
        let mut rest = list;
        for _ in 0..count {
            let Value::Cons(cell) = rest else {
                return true;
            };
            rest = self.image.heap.car_cdr(cell).1;
        }
        false
    }

    /// Calls of functions and macros; other lists are data.
    fn call_layout(&self, head: SymRef) -> Layout {
        let symbol = self.image.heap.symbol(head);
        let common_lisp = symbol.package == Some(self.image.pkg.cl);
        // Common Lisp's operators are laid out by SBCL's lambda lists (a &BODY in one marks
        // a macro), whatever swankd's own definitions take or whether swankd has them.
        let standard = common_lisp
            .then(|| super::super::builtin_arglists::standard_arglist(&symbol.name))
            .flatten();
        let special_operator =
            common_lisp && super::super::builtin_arglists::is_special_operator_name(&symbol.name);
        let defined =
            !matches!(symbol.function, Value::Unbound) || special_operator || standard.is_some();
        if !defined {
            return Layout::Fill;
        }
        let arglist = if common_lisp {
            standard
        } else if symbol.is_macro() {
            symbol
                .info
                .as_ref()
                .and_then(|info| info.arglist.as_deref())
        } else {
            None
        };
        match arglist.and_then(parameters_before_body) {
            Some(before_body) => Layout::BodyCall { before_body },
            None => Layout::Call,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parameters_before_body;

    #[test]
    fn parameters_before_body_are_counted_at_the_top_level() {
        assert_eq!(parameters_before_body("(A B C &BODY BODY)"), Some(3));
        assert_eq!(parameters_before_body("((VAR LIST) &BODY BODY)"), Some(1));
        assert_eq!(parameters_before_body("(&BODY FORMS)"), Some(0));
        assert_eq!(parameters_before_body("(&REST CLAUSES)"), None);
        assert_eq!(
            parameters_before_body("(A &OPTIONAL (B 1) &body BODY)"),
            Some(2)
        );
    }
}
