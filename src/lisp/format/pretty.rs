//! FORMAT's pretty-printing directives: `~<...~:>` (a logical block over a list's
//! elements), `~_` (a conditional newline), `~I` (indentation), `~W` (WRITE) and `~T`
//! inside a logical block (a pretty-printing tab), and the layout of output that used them.
//!
//! Output is text until one of them appears; from then on it gathers in a pretty-printing
//! document (the text so far first), which `finish` breaks into lines.

use super::super::print::{print_to_document, print_to_string};
use super::super::printer::pretty::{Document, IndentFrom, NewlineKind, Tab, lay_out};
use super::super::value::Value;
use super::error::{FormatResult, format_error};
use super::{Directive, Formatter, Param, find_close, parse_directive};

/// How a logical block's argument list ends early: the elements its body may take.
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockArguments {
    /// Identifies the block's argument slice.
    start: usize,
    /// Taking the element at this index prints `...` (`*PRINT-LENGTH*`) instead.
    length_limit: Option<usize>,
    /// The element at this index is a dotted tail: taking it prints `. TAIL`.
    dotted_tail_at: Option<usize>,
}

/// Elements a FORMAT logical block takes at most from a list (bounding circular ones).
const MAX_BLOCK_ELEMENTS: usize = 1 << 20;

/// A `~<...~:>` block's prefix and suffix, and whether its list's last element is a dotted
/// tail.
struct BlockFrame<'a> {
    prefix: &'a str,
    per_line: bool,
    suffix: &'a str,
    dotted: bool,
}

/// Why a logical block's body stopped taking elements.
#[derive(Debug, Clone, Copy)]
pub(super) enum BlockEnd {
    Length,
    DottedTail(Value),
}

impl Formatter<'_> {
    /// Whether `*PRINT-PRETTY*` is true.
    fn pretty(&self) -> bool {
        self.vm
            .symbol_value(self.thread, self.vm.image.sym.print_pretty)
            .is_ok_and(|v| v.truthy())
    }

    /// The document, with the text printed so far moved into it.
    fn document(&mut self) -> &mut Document {
        let document = self.document.get_or_insert_with(Document::new);
        if !self.out.is_empty() {
            document.text(&self.out);
            self.out.clear();
        }
        document
    }

    /// Inside `~<...~:>`: whether taking the argument at `index` of `args` ends the block
    /// instead (past `*PRINT-LENGTH*`, or at a dotted tail); records why.
    pub(super) fn block_ends_at(&self, args: &[Value], index: usize) -> bool {
        let Some(block) = self.block_arguments.get() else {
            return false;
        };
        if block.start != args.as_ptr() as usize {
            return false;
        }
        if block.length_limit.is_some_and(|limit| index >= limit) {
            self.block_end.set(Some(BlockEnd::Length));
            return true;
        }
        if block.dotted_tail_at == Some(index)
            && let Some(tail) = args.get(index)
        {
            self.block_end.set(Some(BlockEnd::DottedTail(*tail)));
            return true;
        }
        false
    }

    /// The column printed text has reached, with the document's text counted.
    pub(super) fn document_column(&self, start: usize) -> usize {
        match &self.document {
            Some(document) => document.flat_column(start),
            None => start,
        }
    }

    /// `arg` printed as PRIN1 (with `escape`) or PRINC does: joining the logical block's
    /// layout when one is open and `*PRINT-PRETTY*` is true, as text otherwise.
    pub(super) fn print_argument(&mut self, arg: Value, escape: bool) -> Option<String> {
        let options = self.vm.print_options_at(self.thread, escape, self.column());
        let inside_block = self.document.as_ref().is_some_and(Document::in_block);
        if inside_block && options.pretty.is_some() {
            let printed = print_to_document(&self.vm.image, arg, &options);
            self.document().append(printed);
            return None;
        }
        Some(print_to_string(&self.vm.image, arg, &options))
    }

    /// `~_`: `~_` linear, `~:_` fill, `~@_` miser, `~:@_` mandatory.
    pub(super) fn conditional_newline(&mut self, directive: &Directive) {
        if !self.pretty() {
            return;
        }
        let kind = match (directive.colon, directive.at) {
            (false, false) => NewlineKind::Linear,
            (true, false) => NewlineKind::Fill,
            (false, true) => NewlineKind::Miser,
            (true, true) => NewlineKind::Mandatory,
        };
        self.document().newline(kind);
    }

    /// `~nI` (from the block's start) and `~n:I` (from the current column).
    pub(super) fn indentation(&mut self, directive: &Directive) {
        if !self.pretty() {
            return;
        }
        let columns = match directive.params.first() {
            Some(Some(Param::Number(n))) => *n as isize,
            _ => 0,
        };
        let from = if directive.colon {
            IndentFrom::Current
        } else {
            IndentFrom::Block
        };
        self.document().indent(from, columns);
    }

    /// Whether a logical block is open and `*PRINT-PRETTY*` is true.
    pub(super) fn in_pretty_block(&self) -> bool {
        self.document.as_ref().is_some_and(Document::in_block) && self.pretty()
    }

    /// `~T` inside a logical block: `PPRINT-TAB`, `:SECTION` with `:`, relative with `@`.
    pub(super) fn pretty_tab(&mut self, directive: &Directive) {
        let number = |position: usize, default: usize| match directive.params.get(position) {
            Some(Some(Param::Number(n))) if *n >= 0 => *n as usize,
            _ => default,
        };
        let tab = Tab {
            section: directive.colon,
            relative: directive.at,
            column: number(0, 1),
            increment: number(1, 1),
        };
        self.document().tab(tab);
    }

    /// `~W`: the argument as WRITE prints it; `~:W` pretty.
    pub(super) fn write_argument(&mut self, arg: Value, directive: &Directive) -> FormatResult<()> {
        let escape = self
            .vm
            .symbol_value(self.thread, self.vm.image.sym.print_escape)?
            .truthy();
        let mut options = self.vm.print_options_at(self.thread, escape, self.column());
        if directive.colon && options.pretty.is_none() {
            options.pretty = Some(self.vm.line_settings(self.thread, self.column()));
        }
        if directive.at {
            options.length = None;
            options.level = None;
        }
        match options.pretty {
            Some(_) => {
                let printed = print_to_document(&self.vm.image, arg, &options);
                self.document().append(printed);
            }
            None => {
                let text = print_to_string(&self.vm.image, arg, &options);
                self.out.push_str(&text);
            }
        }
        Ok(())
    }

    /// `~<prefix~;body~;suffix~:>` starting at `chars[start]` (just after the `~<`):
    /// the body run over the next argument's elements (`~@<`: over the arguments left) as a
    /// logical block. Returns where the directive ends.
    pub(super) fn logical_block(
        &mut self,
        chars: &[char],
        start: usize,
        directive: &Directive,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<usize> {
        let (close, next) = find_close(chars, start, '<', '>')?;
        let (closing, _) = parse_directive(chars, close + 1)?;
        if !closing.colon {
            let body = chars.get(start..close).unwrap_or_default();
            self.justify(body, directive, &closing, args, index)?;
            return Ok(next);
        }
        let segments = split_segments(&chars[start..close])?;
        let segments = if closing.at {
            fill_blanks(segments)?
        } else {
            segments
        };
        let (prefix, per_line, body, suffix) = match segments.as_slice() {
            [body] => (None, false, body.0.clone(), None),
            [prefix, body] => (Some(text_of(&prefix.0)), prefix.1, body.0.clone(), None),
            [prefix, body, suffix] => (
                Some(text_of(&prefix.0)),
                prefix.1,
                body.0.clone(),
                Some(text_of(&suffix.0)),
            ),
            _ => return Err(format_error("~<...~:> takes at most three segments")),
        };
        let (default_prefix, default_suffix) = if directive.colon {
            ("(", ")")
        } else {
            ("", "")
        };
        let prefix = prefix.unwrap_or_else(|| default_prefix.to_string());
        let suffix = suffix.unwrap_or_else(|| default_suffix.to_string());
        let (items, dotted) = if directive.at {
            let rest = args.get(*index..).unwrap_or_default().to_vec();
            *index = args.len();
            (rest, false)
        } else {
            let arg = self.next_arg(args, index)?;
            match self.elements_and_tail(arg) {
                Some(elements) => elements,
                None => {
                    if let Some(text) = self.print_argument(arg, true) {
                        self.out.push_str(&text);
                    }
                    return Ok(next);
                }
            }
        };
        let frame = BlockFrame {
            prefix: &prefix,
            per_line,
            suffix: &suffix,
            dotted,
        };
        self.run_block(&body, &items, frame)?;
        Ok(next)
    }

    /// A list's elements, then its dotted tail if it has one (and whether it does); `None`
    /// for a non-list. Takes no more elements than `*PRINT-LENGTH*` lets print, plus one.
    fn elements_and_tail(&self, list: Value) -> Option<(Vec<Value>, bool)> {
        let wanted = self
            .vm
            .print_options(self.thread, true)
            .length
            .unwrap_or(MAX_BLOCK_ELEMENTS)
            .min(MAX_BLOCK_ELEMENTS)
            + 1;
        let mut items = Vec::new();
        let mut rest = list;
        loop {
            match rest {
                Value::Nil => return Some((items, false)),
                Value::Cons(cell) => {
                    if items.len() >= wanted {
                        return Some((items, false));
                    }
                    let (car, cdr) = self.vm.image.heap.car_cdr(cell);
                    items.push(car);
                    rest = cdr;
                }
                _ if items.is_empty() => return None,
                tail => {
                    items.push(tail);
                    return Some((items, true));
                }
            }
        }
    }

    fn run_block(&mut self, body: &[char], items: &[Value], frame: BlockFrame) -> FormatResult<()> {
        let options = self.vm.print_options(self.thread, true);
        let (length, level) = (options.length, options.level);
        let depth = self.document.as_ref().map_or(0, Document::depth);
        if level.is_some_and(|level| depth >= level) {
            self.out.push('#');
            return Ok(());
        }
        self.document()
            .begin_block(frame.prefix, frame.per_line, frame.suffix);
        let outer = self.block_arguments.replace(Some(BlockArguments {
            start: items.as_ptr() as usize,
            length_limit: length,
            dotted_tail_at: frame.dotted.then(|| items.len().saturating_sub(1)),
        }));
        let outer_end = self.block_end.replace(None);
        let mut index = 0;
        let result = self.run(body, items, &mut index);
        let ended = self.block_end.replace(outer_end);
        self.block_arguments.set(outer);
        match (result, ended) {
            (Ok(_), _) => {}
            (Err(_), Some(BlockEnd::Length)) => self.out.push_str("..."),
            (Err(_), Some(BlockEnd::DottedTail(tail))) => {
                self.out.push_str(". ");
                if let Some(text) = self.print_argument(tail, true) {
                    self.out.push_str(&text);
                }
            }
            (Err(error), None) => return Err(error),
        }
        self.document().end_block();
        Ok(())
    }

    /// The output as a document, to join a logical block open on the destination.
    pub(super) fn finish_nested(&mut self) -> Document {
        let mut document = self.document.take().unwrap_or_else(Document::nested);
        document.text(&self.out);
        document.end_all_blocks();
        document
    }

    /// The output, broken into lines if pretty-printing directives were used.
    pub(super) fn finish(&mut self) -> String {
        let Some(mut document) = self.document.take() else {
            return std::mem::take(&mut self.out);
        };
        document.text(&self.out);
        document.end_all_blocks();
        let settings = self.vm.line_settings(self.thread, self.column_base);
        lay_out(&document, &settings)
    }
}

/// The segments of `~<...~>` separated by `~;`, each with whether its `~;` had `@`.
fn split_segments(chars: &[char]) -> FormatResult<Vec<(Vec<char>, bool)>> {
    Ok(super::justify::split_segments(chars)?
        .into_iter()
        .map(|segment| {
            let at = segment.separator.is_some_and(|separator| separator.at);
            (segment.chars, at)
        })
        .collect())
}

/// `~<...~:@>`: the body (the middle or only segment) with a fill newline after each
/// group of blanks in its text.
fn fill_blanks(mut segments: Vec<(Vec<char>, bool)>) -> FormatResult<Vec<(Vec<char>, bool)>> {
    let body_index = usize::from(segments.len() > 1);
    let Some((body, _)) = segments.get_mut(body_index) else {
        return Ok(segments);
    };
    let mut filled = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        if c == '~' {
            let (_, next) = parse_directive(body, i + 1)?;
            filled.extend_from_slice(body.get(i..next).unwrap_or_default());
            i = next;
            continue;
        }
        filled.push(c);
        i += 1;
        if c == ' ' && body.get(i) != Some(&' ') {
            filled.extend(['~', ':', '_']);
        }
    }
    *body = filled;
    Ok(segments)
}

fn text_of(chars: &[char]) -> String {
    chars.iter().collect()
}
