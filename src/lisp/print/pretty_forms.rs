//! The layouts of code under `*PRINT-PRETTY*`, as SBCL's standard pprint dispatch table
//! gives them: which operator gets which layout (DEFUN, LET, IF, LOOP...), function and
//! macro calls, and the lambda lists, bindings and clauses inside them.

use super::super::printer::pretty::{IndentFrom, NewlineKind};
use super::super::value::{SymRef, Value};
use super::Printer;
use super::pretty_lists::Elements;

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
    PackageOption,
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
    /// DOLIST's variable list and DO's variable specifications: linear after the first
    /// element.
    DolistSpec,
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
const LOOP_CLAUSE_KEYWORDS: &[&str] = &[
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
const LAMBDA_LIST_KEYWORDS: &[&str] = &[
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
    fn symbol_named(&self, value: Value, names: &[&str]) -> bool {
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
                return layout;
            }
        }
        self.call_layout(head)
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

    pub(super) fn lay_out_elements(
        &mut self,
        layout: Layout,
        elements: &mut Elements,
        depth: usize,
    ) {
        match layout {
            Layout::Fill => self.fill_layout(elements, depth),
            Layout::Linear => self.linear_layout(elements, depth),
            Layout::Call => self.call(elements, depth),
            Layout::BodyCall { before_body } => self.body_call(elements, depth, before_body),
            Layout::Defun => self.defun(elements, depth),
            Layout::Defmethod => self.defmethod(elements, depth),
            Layout::Defpackage => self.defpackage(elements, depth),
            Layout::PackageOption => self.package_option(elements, depth),
            Layout::Lambda => self.lambda(elements, depth),
            Layout::Let => self.let_form(elements, depth, Layout::Bindings),
            Layout::Flet => self.let_form(elements, depth, Layout::FunctionBindings),
            Layout::Block => self.block_form(elements, depth, None),
            Layout::Dolist => self.dolist(elements, depth),
            Layout::Case => self.block_form(elements, depth, Some(Layout::CaseClause)),
            Layout::Typecase => self.block_form(elements, depth, Some(Layout::Linear)),
            Layout::DolistSpec => {
                if self.print_next(elements, depth) && !elements.exhausted() {
                    self.out.push(' ');
                    self.indent(IndentFrom::Current, 0);
                    self.linear_layout(elements, depth);
                }
            }
            Layout::Progn => self.progn(elements, depth),
            Layout::If => self.if_form(elements, depth),
            Layout::Do => self.do_form(elements, depth),
            Layout::Prog2 => self.prog2(elements, depth, NewlineKind::Fill, None),
            Layout::Progv => self.prog2(elements, depth, NewlineKind::Linear, None),
            Layout::DestructuringBind => self.prog2(
                elements,
                depth,
                NewlineKind::Linear,
                Some(Layout::LambdaList),
            ),
            Layout::Declare => self.declare(elements, depth),
            Layout::Prog => self.prog(elements, depth),
            Layout::Tagbody => self.tagbody(elements, depth),
            Layout::Setq => self.setq(elements, depth),
            Layout::Loop => self.loop_form(elements, depth),
            Layout::LambdaList => self.lambda_list(elements, depth),
            Layout::Parameter => self.linear_layout(elements, depth),
            Layout::Data => self.fill_layout(elements, depth),
            Layout::CaseClause => {
                if self.print_next_as(elements, depth, Layout::Data) && !elements.exhausted() {
                    self.space_then(NewlineKind::Linear);
                    self.linear_layout(elements, depth);
                }
            }
            Layout::Bindings => self.each_as(elements, depth, Layout::Linear),
            Layout::FunctionBindings => self.each_as(elements, depth, Layout::FunctionDefinition),
            Layout::FunctionDefinition => self.function_definition(elements, depth),
            Layout::DoVariables => {
                while self.print_next_as(elements, depth, Layout::DolistSpec) {
                    if elements.exhausted() {
                        return;
                    }
                    self.space_then(NewlineKind::Mandatory);
                }
            }
        }
    }

    /// The elements after the distinguished ones: each after a linear newline.
    fn body(&mut self, elements: &mut Elements, depth: usize) {
        while !elements.exhausted() {
            self.space_then(NewlineKind::Linear);
            self.print_next(elements, depth);
        }
    }

    /// Elements each in `layout`, linear.
    fn each_as(&mut self, elements: &mut Elements, depth: usize, layout: Layout) {
        while self.print_next_as(elements, depth, layout) {
            if elements.exhausted() {
                return;
            }
            self.space_then(NewlineKind::Linear);
        }
    }

    fn call(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Fill);
        self.indent(IndentFrom::Current, 0);
        self.fill_layout(elements, depth);
    }

    fn body_call(&mut self, elements: &mut Elements, depth: usize, before_body: usize) {
        if !self.print_next(elements, depth) {
            return;
        }
        let mut position = 1;
        while !elements.exhausted() {
            if position == 1 && before_body >= 1 {
                self.out.push(' ');
            } else {
                let columns = if position <= before_body { 3 } else { 1 };
                self.indent(IndentFrom::Block, columns);
                self.space_then(NewlineKind::Mandatory);
            }
            self.print_next(elements, depth);
            position += 1;
        }
    }

    fn defun(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        self.indent(IndentFrom::Current, 0);
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Fill);
        self.print_next_as(elements, depth, Layout::LambdaList);
        self.indent(IndentFrom::Block, 1);
        self.body(elements, depth);
    }

    fn defmethod(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        self.indent(IndentFrom::Current, 0);
        if !self.print_next(elements, depth) {
            return;
        }
        let mut qualifiers = 0;
        while let Some(next) = self.peek(elements) {
            self.space_then(NewlineKind::Fill);
            // SBCL writes an empty lambda list as NIL unless qualifiers come before it.
            if next.is_nil() && qualifiers == 0 {
                self.print_next(elements, depth);
                break;
            }
            if matches!(next, Value::Cons(_) | Value::Nil) {
                self.print_next_as(elements, depth, Layout::LambdaList);
                break;
            }
            self.print_next(elements, depth);
            qualifiers += 1;
        }
        self.indent(IndentFrom::Block, 1);
        self.body(elements, depth);
    }

    fn defpackage(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(NewlineKind::Fill);
        self.print_next(elements, depth);
        self.indent(IndentFrom::Block, 1);
        while !elements.exhausted() {
            self.newline(NewlineKind::Mandatory);
            self.print_next_as(elements, depth, Layout::PackageOption);
        }
    }

    /// A DEFPACKAGE option: its values filled after the option's name.
    fn package_option(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.out.push(' ');
        self.indent(IndentFrom::Current, 0);
        self.fill_layout(elements, depth);
    }

    fn lambda(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(NewlineKind::Fill);
        self.print_next_as(elements, depth, Layout::LambdaList);
        self.indent(IndentFrom::Block, 1);
        self.body(elements, depth);
    }

    /// LET and FLET: the bindings in `bindings`, then the body on lines of its own.
    fn let_form(&mut self, elements: &mut Elements, depth: usize, bindings: Layout) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        if !self.print_next_as(elements, depth, bindings) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 1);
        self.newline(NewlineKind::Mandatory);
        self.linear_layout(elements, depth);
    }

    /// A definition in FLET: the body on lines of its own (a line is started even for an
    /// empty body, as SBCL does).
    fn function_definition(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(NewlineKind::Fill);
        if !self.print_next_as(elements, depth, Layout::LambdaList) {
            return;
        }
        self.indent(IndentFrom::Block, 1);
        self.newline(NewlineKind::Mandatory);
        self.linear_layout(elements, depth);
    }

    /// One distinguished argument, then the body (each form in `clauses` when the body is
    /// clauses: CASE).
    fn block_form(&mut self, elements: &mut Elements, depth: usize, clauses: Option<Layout>) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(NewlineKind::Fill);
        self.print_next(elements, depth);
        self.indent(IndentFrom::Block, 1);
        while !elements.exhausted() {
            self.space_then(NewlineKind::Linear);
            match clauses {
                Some(layout) => self.print_next_as(elements, depth, layout),
                None => self.print_next(elements, depth),
            };
        }
    }

    /// DOLIST and the like: the variable list (`()` when empty), then a TAGBODY's body.
    fn dolist(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(NewlineKind::Fill);
        if self.print_next_as(elements, depth, Layout::DolistSpec) {
            self.tags_and_statements(elements, depth);
        }
    }

    fn progn(&mut self, elements: &mut Elements, depth: usize) {
        if self.print_next(elements, depth) {
            self.body(elements, depth);
        }
    }

    fn if_form(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.out.push(' ');
        self.indent(IndentFrom::Current, 0);
        self.print_next(elements, depth);
        while !elements.exhausted() {
            self.space_then(NewlineKind::Mandatory);
            self.print_next(elements, depth);
        }
    }

    fn do_form(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.out.push(' ');
        self.indent(IndentFrom::Current, 0);
        if !self.print_next_as(elements, depth, Layout::DoVariables) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Linear);
        if self.print_next_as(elements, depth, Layout::Linear) {
            // The body is a TAGBODY's.
            self.tags_and_statements(elements, depth);
        }
    }

    /// Two distinguished arguments (the first after a `before_first` newline, in `first`
    /// if given), then the body.
    fn prog2(
        &mut self,
        elements: &mut Elements,
        depth: usize,
        before_first: NewlineKind,
        first: Option<Layout>,
    ) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.indent(IndentFrom::Block, 3);
        self.space_then(before_first);
        let printed = match first {
            Some(layout) => self.print_next_as(elements, depth, layout),
            None => self.print_next(elements, depth),
        };
        if !printed || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Linear);
        self.print_next(elements, depth);
        self.indent(IndentFrom::Block, 1);
        self.body(elements, depth);
    }

    /// DECLARE: the first declaration after the operator if it fits, each on its own line;
    /// inside, `(QUOTE X)` and `(FUNCTION F)` are written out, as SBCL writes them.
    fn declare(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Fill);
        self.indent(IndentFrom::Current, 0);
        self.inside_declarations += 1;
        self.separated(elements, depth, NewlineKind::Mandatory);
        self.inside_declarations = self.inside_declarations.saturating_sub(1);
    }

    fn prog(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        if self.print_next_as(elements, depth, Layout::Bindings) {
            self.tags_and_statements(elements, depth);
        }
    }

    /// TAGBODY: tags out at the block's edge, statements indented by one.
    fn tagbody(&mut self, elements: &mut Elements, depth: usize) {
        if self.print_next(elements, depth) {
            self.tags_and_statements(elements, depth);
        }
    }

    fn tags_and_statements(&mut self, elements: &mut Elements, depth: usize) {
        while !elements.exhausted() {
            self.out.push(' ');
            let statement = matches!(self.peek(elements), Some(Value::Cons(_)));
            self.indent(IndentFrom::Block, if statement { 1 } else { 0 });
            self.newline(NewlineKind::Linear);
            self.print_next(elements, depth);
        }
    }

    /// SETQ and SETF: one place and its value to a line.
    fn setq(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        self.indent(IndentFrom::Current, 0);
        loop {
            self.begin_block("", "");
            let printed = self.print_next(elements, depth);
            if printed && !elements.exhausted() {
                self.out.push(' ');
                self.indent(IndentFrom::Block, 2);
                self.newline(NewlineKind::Fill);
                self.print_next(elements, depth);
            }
            self.end_block();
            if !printed || elements.exhausted() {
                return;
            }
            self.space_then(NewlineKind::Mandatory);
        }
    }

    fn loop_form(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        // A LOOP whose first element is a compound form is a simple LOOP.
        if matches!(self.peek(elements), Some(Value::Cons(_))) {
            self.space_then(NewlineKind::Fill);
            self.indent(IndentFrom::Current, 0);
            self.separated(elements, depth, NewlineKind::Mandatory);
            return;
        }
        self.out.push(' ');
        self.indent(IndentFrom::Current, 0);
        self.print_next(elements, depth);
        // A clause's words stay on its line, however long.
        while let Some(next) = self.peek(elements) {
            if self.symbol_named(next, LOOP_CLAUSE_KEYWORDS) {
                self.space_then(NewlineKind::Mandatory);
            } else {
                self.out.push(' ');
            }
            self.print_next(elements, depth);
        }
        if !elements.exhausted() {
            self.out.push(' ');
            self.print_next(elements, depth);
        }
    }

    /// Parameters filled, a new line before each lambda-list keyword if they do not fit.
    fn lambda_list(&mut self, elements: &mut Elements, depth: usize) {
        let mut required = true;
        let mut first = true;
        while !elements.exhausted() {
            let next = self.peek(elements);
            let keyword = next.is_some_and(|n| self.symbol_named(n, LAMBDA_LIST_KEYWORDS));
            // As in SBCL, the first element too may start a line (a keyword if the list does
            // not fit, anything in miser style).
            if !first {
                self.out.push(' ');
            }
            self.newline(if keyword {
                NewlineKind::Linear
            } else {
                NewlineKind::Fill
            });
            first = false;
            if keyword {
                required = next.is_some_and(|n| self.symbol_named(n, &["&REST", "&BODY"]));
                self.print_next(elements, depth);
            } else if required {
                self.print_next_as(elements, depth, Layout::Parameter);
            } else {
                self.print_next_as(elements, depth, Layout::Data);
            }
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
