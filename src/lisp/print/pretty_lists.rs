//! Pretty printing's building blocks: logical blocks and newlines in the printer's output,
//! walking a list's elements as `PPRINT-POP` does, and the layouts of data: lists filled
//! or linear, vectors and structures.

use super::super::object::StructObject;
use super::super::printer::pretty::{Document, IndentFrom, NewlineKind};
use super::super::value::Value;
use super::Printer;
use super::pretty_dispatch::Layout;

/// A list being printed element by element.
pub(super) struct Elements {
    rest: Value,
    count: usize,
}

impl Elements {
    pub(super) fn of(list: Value) -> Elements {
        Elements {
            rest: list,
            count: 0,
        }
    }

    /// Takes what is left (elements and tail), leaving nothing.
    pub(super) fn take_rest(&mut self) -> Value {
        std::mem::replace(&mut self.rest, Value::Nil)
    }

    /// Whether no element and no dotted tail is left.
    pub(super) fn exhausted(&self) -> bool {
        self.rest.is_nil()
    }
}

impl Printer<'_> {
    /// Whether a logical block at `depth` is past `*PRINT-LEVEL*` (and prints `#`). The
    /// quote shorthands open around it do not count: as in SBCL, `'X` is no block.
    pub(super) fn beyond_level(&self, depth: usize) -> bool {
        let level_depth = depth.saturating_sub(self.quotes_open);
        self.options.level.is_some_and(|level| level_depth >= level)
    }

    /// Moves the text printed so far into the document, before a block or newline.
    fn flush_text(&mut self) {
        if let Some(document) = self.document.as_mut()
            && !self.out.is_empty()
        {
            document.text(&self.out);
            self.flushed += self.out.len();
            self.out.clear();
        }
    }

    /// What a `PRINT-OBJECT` method printed with `*PRINT-PRETTY*`: its blocks join the
    /// layout, or its text goes in as it is when printing without line breaks.
    pub(super) fn append_printed(&mut self, printed: &Document) {
        self.flush_text();
        match self.document.as_mut() {
            Some(document) => {
                self.flushed += printed.text_bytes();
                document.append(printed.clone());
            }
            None => self.out.push_str(&printed.flat_text()),
        }
    }

    pub(super) fn begin_block(&mut self, prefix: &str, suffix: &str) {
        self.flush_text();
        match self.document.as_mut() {
            Some(document) => document.begin_block(prefix, false, suffix),
            None => self.out.push_str(prefix),
        }
    }

    pub(super) fn end_block(&mut self) {
        self.flush_text();
        if let Some(document) = self.document.as_mut() {
            document.end_block();
        }
    }

    pub(super) fn newline(&mut self, kind: NewlineKind) {
        self.flush_text();
        if let Some(document) = self.document.as_mut() {
            document.newline(kind);
        }
    }

    pub(super) fn indent(&mut self, from: IndentFrom, columns: isize) {
        self.flush_text();
        if let Some(document) = self.document.as_mut() {
            document.indent(from, columns);
        }
    }

    /// A space and then a conditional newline, the separator of most layouts.
    pub(super) fn space_then(&mut self, kind: NewlineKind) {
        self.out.push(' ');
        self.newline(kind);
    }

    /// The next element of `elements`, or `None` when the list is done, having printed
    /// what ends it early: `...` past `*PRINT-LENGTH*`, or `. TAIL` for a dotted tail or a
    /// tail printed elsewhere (with `*PRINT-CIRCLE*`).
    pub(super) fn pop(&mut self, elements: &mut Elements, depth: usize) -> Option<Value> {
        if self.full() {
            elements.rest = Value::Nil;
            return None;
        }
        let rest = elements.rest;
        let Value::Cons(cell) = rest else {
            if !rest.is_nil() {
                self.out.push_str(". ");
                self.value(rest, depth + 1);
                elements.rest = Value::Nil;
            }
            return None;
        };
        if self
            .options
            .length
            .is_some_and(|length| elements.count >= length)
        {
            self.out.push_str("...");
            elements.rest = Value::Nil;
            return None;
        }
        let shared = self.labels.as_ref().is_some_and(|l| l.is_shared(rest));
        if elements.count > 0 && (shared || self.is_unquote(rest)) {
            self.out.push_str(". ");
            self.value(rest, depth + 1);
            elements.rest = Value::Nil;
            return None;
        }
        let (car, cdr) = self.image.heap.car_cdr(cell);
        elements.rest = cdr;
        elements.count += 1;
        Some(car)
    }

    /// The element `pop` would return next, without taking it.
    pub(super) fn peek(&self, elements: &Elements) -> Option<Value> {
        match elements.rest {
            Value::Cons(cell) => Some(self.image.heap.car_cdr(cell).0),
            _ => None,
        }
    }

    /// Prints the next element; false when there was none.
    pub(super) fn print_next(&mut self, elements: &mut Elements, depth: usize) -> bool {
        match self.pop(elements, depth) {
            Some(item) => {
                self.value(item, depth + 1);
                true
            }
            None => false,
        }
    }

    /// Prints the next element in `layout` if it is a list, and as `()` if it is the empty
    /// list (it stands where a list belongs); false when there was none.
    pub(super) fn print_next_as(
        &mut self,
        elements: &mut Elements,
        depth: usize,
        layout: Layout,
    ) -> bool {
        match self.pop(elements, depth) {
            Some(Value::Nil) => {
                self.out.push_str("()");
                true
            }
            Some(item) => {
                self.value_as(item, depth + 1, layout);
                true
            }
            None => false,
        }
    }

    /// `value` printed in `layout` when it is a list (never as `'X`), as usual otherwise.
    pub(super) fn value_as(&mut self, value: Value, depth: usize, layout: Layout) {
        if !matches!(value, Value::Cons(_)) {
            self.value(value, depth);
            return;
        }
        if !self.start_value(value, depth) {
            return;
        }
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        // A list in a layout's own place is written as the list it is, `(QUOTE X)` too,
        // as SBCL writes it; backquote syntax stays.
        if !self.backquote_shorthand(value, depth) {
            self.logical_list(value, depth, layout);
        }
    }

    /// `( ... )` as a logical block, its elements printed by `layout`.
    pub(super) fn logical_list(&mut self, list: Value, depth: usize, layout: Layout) {
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        self.begin_block("(", ")");
        let mut elements = Elements::of(list);
        self.lay_out_elements(layout, &mut elements, depth);
        self.end_block();
    }

    /// Every element, separated by `kind` newlines.
    pub(super) fn separated(&mut self, elements: &mut Elements, depth: usize, kind: NewlineKind) {
        while self.print_next(elements, depth) {
            if elements.exhausted() {
                return;
            }
            self.space_then(kind);
        }
    }

    /// `PPRINT-FILL`: as many elements on each line as fit.
    pub(super) fn fill_layout(&mut self, elements: &mut Elements, depth: usize) {
        self.separated(elements, depth, NewlineKind::Fill);
    }

    /// `PPRINT-LINEAR`: all elements on one line, or each on its own.
    pub(super) fn linear_layout(&mut self, elements: &mut Elements, depth: usize) {
        self.separated(elements, depth, NewlineKind::Linear);
    }

    /// A list with `*PRINT-PRETTY*`: quote syntax, or the layout its head calls for.
    pub(super) fn pretty_list(&mut self, list: Value, depth: usize) {
        // As in SBCL, 'X is no logical block: *PRINT-LEVEL* cuts only what X holds.
        if self.quote_shorthand(list, depth) {
            return;
        }
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        let layout = self.form_layout(list);
        self.logical_list(list, depth, layout);
    }

    /// `#(...)`, filled.
    pub(super) fn pretty_vector(&mut self, items: &[Value], depth: usize) {
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        self.begin_block("#(", ")");
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.space_then(NewlineKind::Fill);
            }
            if self.options.length.is_some_and(|length| index >= length) {
                self.out.push_str("...");
                break;
            }
            self.value(*item, depth + 1);
            if self.full() {
                break;
            }
        }
        self.end_block();
    }

    /// `#nA(...)`: each dimension's lists filled.
    pub(super) fn pretty_array(&mut self, dimensions: &[usize], items: &[Value], depth: usize) {
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        self.out.push_str(&format!("#{}A", dimensions.len()));
        self.pretty_array_contents(dimensions, items, depth);
    }

    fn pretty_array_contents(&mut self, dimensions: &[usize], items: &[Value], depth: usize) {
        let Some((size, inner)) = dimensions.split_first() else {
            if let Some(item) = items.first() {
                self.value(*item, depth + 1);
            }
            return;
        };
        let stride: usize = inner.iter().product();
        self.begin_block("(", ")");
        for index in 0..*size {
            if index > 0 {
                self.space_then(NewlineKind::Fill);
            }
            if self.options.length.is_some_and(|length| index >= length) {
                self.out.push_str("...");
                break;
            }
            let part = items
                .get(index * stride..(index + 1) * stride)
                .unwrap_or_default();
            self.pretty_array_contents(inner, part, depth + 1);
            if self.full() {
                break;
            }
        }
        self.end_block();
    }

    /// `#S(NAME :SLOT VALUE ...)`: all on one line, or each slot on its own.
    pub(super) fn pretty_structure(&mut self, instance: &StructObject, depth: usize) {
        if self.beyond_level(depth) {
            self.out.push('#');
            return;
        }
        let layout = self.image.list_to_vec(instance.layout).unwrap_or_default();
        self.begin_block("#S(", ")");
        if let Some(name) = layout.first() {
            self.value(*name, depth + 1);
        }
        for (index, (slot, value)) in layout.iter().skip(2).zip(&instance.slots).enumerate() {
            self.space_then(NewlineKind::Linear);
            if self.options.length.is_some_and(|length| index >= length) {
                self.out.push_str("...");
                break;
            }
            if let Value::Symbol(name) = slot {
                let name = self.image.symbol_name(*name);
                self.out.push(':');
                self.symbol_name_only(&name, true);
            }
            self.space_then(NewlineKind::Miser);
            self.value(*value, depth + 1);
            if self.full() {
                break;
            }
        }
        self.end_block();
    }
}
