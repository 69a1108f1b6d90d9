//! The layouts of code under `*PRINT-PRETTY*`, as SBCL prints them: function and macro
//! calls, DEFUN, LET, IF, LOOP and the other standard forms, and the lambda lists,
//! bindings and clauses inside them (`pretty_dispatch` decides which a list gets).

use super::super::printer::pretty::{IndentFrom, NewlineKind};
use super::super::value::Value;
use super::Printer;
use super::pretty_dispatch::{LAMBDA_LIST_KEYWORDS, LOOP_CLAUSE_KEYWORDS, Layout};
use super::pretty_lists::Elements;

impl Printer<'_> {
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
            Layout::AlignedFill => self.aligned_fill(elements, depth),
            Layout::Lambda => self.lambda(elements, depth),
            Layout::Let => self.let_form(elements, depth, Layout::Bindings),
            Layout::Flet => self.let_form(elements, depth, Layout::FunctionBindings),
            Layout::Block => self.block_form(elements, depth, None),
            Layout::Dolist => self.dolist(elements, depth),
            Layout::Case => self.block_form(elements, depth, Some(Layout::CaseClause)),
            Layout::Typecase => self.block_form(elements, depth, Some(Layout::Linear)),
            Layout::DoVariable => {
                if self.print_next(elements, depth) && !elements.exhausted() {
                    self.out.push(' ');
                    self.indent(IndentFrom::Current, 0);
                    self.linear_layout(elements, depth);
                }
            }
            Layout::DolistSpec => {
                if self.print_next(elements, depth) && !elements.exhausted() {
                    self.space_then(NewlineKind::Fill);
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
                while self.print_next_as(elements, depth, Layout::DoVariable) {
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
            self.print_next_as(elements, depth, Layout::AlignedFill);
        }
    }

    /// The first element, then the rest filled and aligned after it.
    fn aligned_fill(&mut self, elements: &mut Elements, depth: usize) {
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

    /// SETQ and SETF: one place and its value to a line. As in SBCL, the places and
    /// values are a logical block of their own: one more level for `*PRINT-LEVEL*`, and
    /// their own count for `*PRINT-LENGTH*`.
    fn setq(&mut self, elements: &mut Elements, depth: usize) {
        if !self.print_next(elements, depth) || elements.exhausted() {
            return;
        }
        self.space_then(NewlineKind::Miser);
        self.indent(IndentFrom::Current, 0);
        let pairs_depth = depth + 1;
        if self.beyond_level(pairs_depth) {
            self.out.push('#');
            return;
        }
        let mut pairs = Elements::of(elements.take_rest());
        self.begin_block("", "");
        loop {
            if !self.print_next(&mut pairs, pairs_depth) || pairs.exhausted() {
                break;
            }
            self.out.push(' ');
            self.indent(IndentFrom::Block, 2);
            self.newline(NewlineKind::Fill);
            if !self.print_next(&mut pairs, pairs_depth) || pairs.exhausted() {
                break;
            }
            self.indent(IndentFrom::Block, 0);
            self.space_then(NewlineKind::Mandatory);
        }
        self.end_block();
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
