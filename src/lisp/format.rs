//! `FORMAT` directives.

mod call;
mod control;
mod direct;
mod error;
mod fields;
mod floats;
mod flonum;
mod justify;
pub mod numerals;
mod pretty;

use std::cell::Cell;

use super::error::{LispError, LispResult};
use super::heap::HeapExhausted;
use super::number::Number;
use super::printer;
use super::printer::pretty::Document;
use super::thread::LispThread;
use super::value::Value;
use super::vm::Vm;
use control::Piece;
pub use control::{Control, ControlCache};
pub use error::FormatError;
use error::{FormatResult, format_error};
use fields::Field;

/// Parsed prefix parameters and modifiers of one directive.
#[derive(Debug, Default, Clone)]
struct Directive {
    params: Vec<Option<Param>>,
    colon: bool,
    at: bool,
    kind: char,
    /// `~/name/`: the function's name, as written.
    function: Option<Box<str>>,
}

impl Directive {
    /// Whether the directive needs nothing of the control string but itself: it opens no
    /// clause, loop or block and moves nowhere in the string.
    fn stands_alone(&self) -> bool {
        matches!(
            self.kind.to_ascii_uppercase(),
            'A' | 'S'
                | 'D'
                | 'B'
                | 'O'
                | 'X'
                | 'R'
                | 'C'
                | 'W'
                | '_'
                | 'I'
                | 'P'
                | '%'
                | '&'
                | '~'
                | '*'
                | 'T'
                | 'F'
                | 'E'
                | 'G'
                | '$'
                | '/'
        )
    }
}

#[derive(Debug, Clone)]
enum Param {
    Number(i64),
    Char(char),
    /// `V`: the next argument gives the parameter.
    FromArgument,
    /// `#`: the number of arguments left.
    Remaining,
}

struct Formatter<'a> {
    vm: &'a mut Vm,
    thread: &'a mut LispThread,
    /// Text printed since the last pretty-printing directive (all of it without one).
    out: String,
    column_base: usize,
    /// Once a pretty-printing directive is used: the output before `out`.
    document: Option<Document>,
    /// The innermost `~<...~:>` block's arguments, and why its body stopped taking them.
    block_arguments: Cell<Option<pretty::BlockArguments>>,
    block_end: Cell<Option<pretty::BlockEnd>>,
}

/// Formats `control` with `args`; `column` is where the destination's output continues.
/// Hands the output to `deliver`, and returns what that made and how many of `args` were
/// used. The output is written in a buffer the VM keeps from call to call: most FORMAT calls
/// make a short text, and allocating and freeing a buffer each time cost more than making it.
/// A control string simple enough runs [directly](direct), without a formatter, when its
/// arguments allow.
pub fn format<T>(
    vm: &mut Vm,
    thread: &mut LispThread,
    control: &Control,
    args: &[Value],
    column: usize,
    deliver: impl FnOnce(&mut Vm, &str) -> LispResult<T>,
) -> LispResult<(T, usize)> {
    let mut buffer = std::mem::take(&mut vm.format_output);
    if let Some(steps) = &control.direct {
        if let Some(used) = direct::run_direct(vm, thread, steps, args, &mut buffer) {
            let delivered = deliver(vm, &buffer);
            keep_output_buffer(vm, buffer);
            return Ok((delivered?, used));
        }
        buffer.clear();
    }
    let (output, used) = {
        let mut formatter = Formatter::new(vm, thread, column, None);
        formatter.out = buffer;
        formatter.out.reserve(control.chars.len() + 16);
        formatter.run_all(control, args, Formatter::finish)?
    };
    let delivered = deliver(vm, &output);
    keep_output_buffer(vm, output);
    Ok((delivered?, used))
}

/// The longest output buffer kept for the next FORMAT (a long text's memory goes back).
const KEPT_OUTPUT_BUFFER: usize = 4096;

fn keep_output_buffer(vm: &mut Vm, mut buffer: String) {
    if buffer.capacity() <= KEPT_OUTPUT_BUFFER {
        buffer.clear();
        vm.format_output = buffer;
    }
}

/// `format`, for a destination with a logical block open on it: the output as a document
/// whose newlines and values join that block's layout.
pub fn format_in_block(
    vm: &mut Vm,
    thread: &mut LispThread,
    control: &Control,
    args: &[Value],
    column: usize,
) -> LispResult<(Document, usize)> {
    Formatter::new(vm, thread, column, Some(Document::nested())).run_all(
        control,
        args,
        Formatter::finish_nested,
    )
}

impl<'a> Formatter<'a> {
    fn new(
        vm: &'a mut Vm,
        thread: &'a mut LispThread,
        column_base: usize,
        document: Option<Document>,
    ) -> Self {
        Formatter {
            vm,
            thread,
            out: String::new(),
            column_base,
            document,
            block_arguments: Cell::new(None),
            block_end: Cell::new(None),
        }
    }

    /// Runs the whole of `control` with `args`, then `finish`es the output. The formatter
    /// is borrowed, not moved: it is large (the pretty-printing state), and moving it in and
    /// out was a copy of it each time.
    fn run_all<T>(
        &mut self,
        control: &Control,
        args: &[Value],
        finish: impl FnOnce(&mut Self) -> T,
    ) -> LispResult<(T, usize)> {
        let mut arg_index = 0;
        let ran = match &control.plan {
            Some(plan) => self.run_plan(plan, args, &mut arg_index),
            None => self.run(&control.chars, args, &mut arg_index).map(drop),
        };
        match ran {
            Ok(()) => Ok((finish(self), arg_index.min(args.len()))),
            Err(failure) => Err(failure.into_lisp(self.vm)),
        }
    }

    /// Runs a control string's plan: its text and directives, parsed before.
    fn run_plan(&mut self, plan: &[Piece], args: &[Value], index: &mut usize) -> FormatResult<()> {
        for piece in plan {
            match piece {
                Piece::Text(text) => self.out.push_str(text),
                Piece::Directive(directive) if directive.params.is_empty() => {
                    self.standalone(directive, args, index)?;
                }
                Piece::Directive(directive) => {
                    let mut directive = directive.clone();
                    self.resolve_params(&mut directive, args, index)?;
                    self.standalone(&directive, args, index)?;
                }
            }
        }
        Ok(())
    }
}

impl Formatter<'_> {
    fn column(&self) -> usize {
        match self.out.rfind('\n') {
            Some(i) => self.out[i + 1..].chars().count(),
            None => self.document_column(self.column_base) + self.out.chars().count(),
        }
    }

    /// `arg` as PRIN1 (with `escape`) or PRINC prints it where the output has reached.
    fn printed(&self, arg: Value, escape: bool) -> String {
        let options = self.vm.print_options_at(self.thread, escape, self.column());
        super::print::print_to_string(&self.vm.image, arg, &options)
    }

    fn next_arg(&self, args: &[Value], index: &mut usize) -> FormatResult<Value> {
        if self.block_ends_at(args, *index) {
            return Err(format_error("the logical block's list ended"));
        }
        let value = args
            .get(*index)
            .copied()
            .ok_or_else(|| format_error("no more arguments"))?;
        *index += 1;
        Ok(value)
    }

    /// Runs directives; returns `true` when `~^` ended the iteration.
    fn run(&mut self, chars: &[char], args: &[Value], index: &mut usize) -> FormatResult<bool> {
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c != '~' {
                self.out.push(c);
                i += 1;
                continue;
            }
            let (mut directive, next) = parse_directive(chars, i + 1)?;
            i = next;
            self.resolve_params(&mut directive, args, index)?;
            if directive.stands_alone() {
                self.standalone(&directive, args, index)?;
                continue;
            }
            match directive.kind.to_ascii_uppercase() {
                '<' => {
                    i = self.logical_block(chars, i, &directive, args, index)?;
                }
                '\n' => {
                    while i < chars.len() && chars[i].is_whitespace() && chars[i] != '\n' {
                        i += 1;
                    }
                }
                '^' => {
                    if *index >= args.len() {
                        return Ok(true);
                    }
                }
                '{' => {
                    let end = find_close(chars, i, '{', '}')?;
                    let written_body = &chars[i..end.0];
                    i = end.1;
                    // An empty body takes the control string from the arguments.
                    let argument_body: Vec<char> = if written_body.is_empty() {
                        let control = self.next_arg(args, index)?;
                        super::builtins::expect_string(&self.vm.image, control)?
                            .chars()
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let body = if written_body.is_empty() {
                        &argument_body[..]
                    } else {
                        written_body
                    };
                    let limit = match directive.params.first() {
                        Some(Some(Param::Number(n))) => usize::try_from(*n).unwrap_or(0),
                        _ => usize::MAX,
                    };
                    if directive.at {
                        self.iterate(body, args, index, directive.colon, limit)?;
                    } else {
                        let arg = self.next_arg(args, index)?;
                        let items = self
                            .vm
                            .image
                            .list_to_vec(arg)
                            .ok_or_else(|| LispError::type_error(arg, "LIST"))?;
                        self.iterate(body, &items, &mut 0, directive.colon, limit)?;
                    }
                }
                '[' => {
                    let (clauses, next) = split_clauses(chars, i)?;
                    i = next;
                    let chosen = if directive.colon {
                        let arg = self.next_arg(args, index)?;
                        usize::from(arg.truthy())
                    } else if directive.at {
                        let arg = args.get(*index).copied().unwrap_or(Value::Nil);
                        if arg.truthy() {
                            0
                        } else {
                            *index += 1;
                            usize::MAX
                        }
                    } else if let Some(Some(Param::Number(n))) = directive.params.first() {
                        usize::try_from(*n).unwrap_or(usize::MAX)
                    } else {
                        let arg = self.next_arg(args, index)?;
                        match arg {
                            Value::Fixnum(n) => usize::try_from(n).unwrap_or(usize::MAX),
                            other => {
                                let shown = self.vm.princ_string(self.thread, other);
                                return Err(format_error(format!(
                                    "The argument to ~~[ is not an integer: {shown}"
                                )));
                            }
                        }
                    };
                    let clause = clauses.get(chosen).or_else(|| {
                        if chosen != usize::MAX && clauses.last().is_some_and(|c| c.1) {
                            clauses.last()
                        } else {
                            None
                        }
                    });
                    if let Some((body, _)) = clause {
                        let body = body.clone();
                        if self.run(&body, args, index)? {
                            return Ok(true);
                        }
                    }
                }
                '(' => {
                    let end = find_close(chars, i, '(', ')')?;
                    let body = chars[i..end.0].to_vec();
                    i = end.1;
                    let start = self.out.len();
                    self.run(&body, args, index)?;
                    // Text that moved into a pretty-printing document keeps its case.
                    let inner = if start <= self.out.len() {
                        self.out.split_off(start)
                    } else {
                        String::new()
                    };
                    let converted = match (directive.colon, directive.at) {
                        (false, false) => inner.to_lowercase(),
                        (true, true) => inner.to_uppercase(),
                        (true, false) => capitalize_words(&inner),
                        (false, true) => {
                            let lower = inner.to_lowercase();
                            let mut chars = lower.chars();
                            match chars.next() {
                                Some(first) => first.to_uppercase().chain(chars).collect(),
                                None => String::new(),
                            }
                        }
                    };
                    self.out.push_str(&converted);
                }
                '?' => {
                    let control = self.next_arg(args, index)?;
                    if self.is_function(control) {
                        self.call_control(control, directive.at, args, index)?;
                        continue;
                    }
                    let control: Vec<char> =
                        super::builtins::expect_string(&self.vm.image, control)?
                            .chars()
                            .collect();
                    if directive.at {
                        if self.run(&control, args, index)? {
                            return Ok(true);
                        }
                    } else {
                        let list = self.next_arg(args, index)?;
                        let sub = self
                            .vm
                            .image
                            .list_to_vec(list)
                            .ok_or_else(|| LispError::type_error(list, "LIST"))?;
                        let mut sub_index = 0;
                        self.run(&control, &sub, &mut sub_index)?;
                    }
                }
                other => {
                    return Err(format_error(format!("Unknown format directive ~{other}")));
                }
            }
        }
        Ok(false)
    }

    /// Runs a directive that [stands alone](Directive::stands_alone), its parameters
    /// resolved.
    fn standalone(
        &mut self,
        directive: &Directive,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<()> {
        match directive.kind.to_ascii_uppercase() {
            'A' | 'S' => {
                let arg = self.next_arg(args, index)?;
                let escape = !directive.kind.eq_ignore_ascii_case(&'A');
                if directive.params.is_empty() && !(arg.is_nil() && directive.colon) {
                    if let Some(text) = self.print_argument(arg, escape) {
                        self.out.push_str(&text);
                    }
                } else {
                    let text = if arg.is_nil() && directive.colon {
                        "()".to_string()
                    } else {
                        self.printed(arg, escape)
                    };
                    let padded = Field::of_directive(directive)?.apply(&text)?;
                    self.out.push_str(&padded);
                }
            }
            'D' | 'B' | 'O' | 'X' => {
                let base = match directive.kind.to_ascii_uppercase() {
                    'D' => 10,
                    'B' => 2,
                    'O' => 8,
                    _ => 16,
                };
                let arg = self.next_arg(args, index)?;
                if let Value::Fixnum(n) = arg
                    && base == 10
                    && directive.params.is_empty()
                    && !directive.colon
                    && !directive.at
                {
                    push_decimal(&mut self.out, n);
                    return Ok(());
                }
                let text = self.integer(arg, base, directive, 0)?;
                self.out.push_str(&text);
            }
            'R' => {
                let arg = self.next_arg(args, index)?;
                let base = match directive.params.first() {
                    Some(Some(Param::Number(b))) if (2..=36).contains(b) => *b as u32,
                    Some(Some(_)) => return Err(format_error("~R radix out of range")),
                    _ => {
                        let text = self.numeral(arg, directive)?;
                        self.out.push_str(&text);
                        return Ok(());
                    }
                };
                let text = self.integer(arg, base, directive, 1)?;
                self.out.push_str(&text);
            }
            'C' => {
                let arg = self.next_arg(args, index)?;
                let Value::Char(c) = arg else {
                    let shown = self.vm.prin1_string(self.thread, arg);
                    return Err(format_error(format!("{shown} is not of type CHARACTER.")));
                };
                if directive.colon {
                    self.out.push_str(&fields::named_character(c));
                } else if directive.at {
                    self.out.push_str(&printer::format_char_readably(c));
                } else {
                    self.out.push(c);
                }
            }
            'W' => {
                let arg = self.next_arg(args, index)?;
                self.write_argument(arg, directive)?;
            }
            '_' => self.conditional_newline(directive),
            'I' => self.indentation(directive),
            'P' => {
                if directive.colon {
                    *index = index.saturating_sub(1);
                }
                let arg = self.next_arg(args, index)?;
                let one = matches!(arg, Value::Fixnum(1));
                if directive.at {
                    self.out.push_str(if one { "y" } else { "ies" });
                } else if !one {
                    self.out.push('s');
                }
            }
            '%' => {
                let count = self.count_param(directive, 1);
                self.out.extend(std::iter::repeat_n('\n', count));
            }
            '&' => {
                let count = self.count_param(directive, 1);
                if count > 0 {
                    if self.column() != 0 {
                        self.out.push('\n');
                    }
                    self.out.extend(std::iter::repeat_n('\n', count - 1));
                }
            }
            '~' => {
                let count = self.count_param(directive, 1);
                self.out.extend(std::iter::repeat_n('~', count));
            }
            '*' => {
                let count = self.count_param(directive, 1);
                if directive.colon {
                    *index = index.saturating_sub(count);
                } else {
                    *index += count;
                }
            }
            'T' if self.in_pretty_block() => self.pretty_tab(directive),
            'T' => {
                let colnum = self.count_param(directive, 1);
                let column = self.column();
                if column < colnum {
                    self.out.extend(std::iter::repeat_n(' ', colnum - column));
                } else if !directive.at {
                    self.out.push(' ');
                }
            }
            'F' | 'E' | 'G' | '$' => {
                let arg = self.next_arg(args, index)?;
                let text = self.float_directive(arg, directive)?;
                self.out.push_str(&text);
            }
            '/' => self.call_named(directive, args, index)?,
            _ => {}
        }
        Ok(())
    }

    /// `~{`: runs `body` over `items` from `index` at most `limit` times, each item a list of
    /// arguments when `sublists`. Without a limit, a body that takes no argument runs once.
    fn iterate(
        &mut self,
        body: &[char],
        items: &[Value],
        index: &mut usize,
        sublists: bool,
        limit: usize,
    ) -> FormatResult<()> {
        let mut rounds = 0;
        while *index < items.len() && rounds < limit {
            rounds += 1;
            if sublists {
                let item = items[*index];
                let sub = self
                    .vm
                    .image
                    .list_to_vec(item)
                    .ok_or_else(|| LispError::type_error(item, "LIST"))?;
                *index += 1;
                self.run(body, &sub, &mut 0)?;
            } else {
                let before = *index;
                if self.run(body, items, index)? {
                    break;
                }
                if *index == before && limit == usize::MAX {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Replaces `V` and `#` parameters by what they stand for; a `V` whose argument is NIL
    /// leaves the parameter out.
    fn resolve_params(
        &self,
        directive: &mut Directive,
        args: &[Value],
        index: &mut usize,
    ) -> FormatResult<()> {
        // A count or a width asks for that much text: no more than the heap has room for.
        let room = self
            .vm
            .image
            .heap
            .limit()
            .saturating_sub(self.vm.image.heap.bytes());
        let too_big = |n: i64| usize::try_from(n).is_ok_and(|n| n > room);
        for param in directive.params.iter_mut() {
            match param {
                Some(Param::FromArgument) => {
                    let arg = self.next_arg(args, index)?;
                    *param = match arg {
                        Value::Nil => None,
                        Value::Fixnum(n) => Some(Param::Number(n)),
                        Value::Char(c) => Some(Param::Char(c)),
                        other => {
                            return Err(
                                LispError::type_error(other, "(OR INTEGER CHARACTER)").into()
                            );
                        }
                    };
                }
                Some(Param::Remaining) => {
                    let left = args.len().saturating_sub(*index);
                    *param = Some(Param::Number(i64::try_from(left).unwrap_or(i64::MAX)));
                }
                _ => {}
            }
            if let Some(Param::Number(n)) = param
                && too_big(*n)
            {
                return Err(HeapExhausted {
                    limit: self.vm.image.heap.limit(),
                }
                .into());
            }
        }
        Ok(())
    }

    fn count_param(&self, directive: &Directive, default: usize) -> usize {
        match directive.params.first() {
            Some(Some(Param::Number(n))) if *n >= 0 => *n as usize,
            _ => default,
        }
    }

    /// `~R`, `~:R`, `~@R`, `~:@R` without a radix: the integer in words or Roman numerals.
    fn numeral(&self, arg: Value, directive: &Directive) -> FormatResult<String> {
        let n = match Number::from_value(&self.vm.image, arg) {
            Some(Number::Integer(n)) => i128::try_from(&n).ok(),
            _ => {
                let shown = self.vm.prin1_string(self.thread, arg);
                return Err(format_error(format!("{shown} is not of type INTEGER.")));
            }
        };
        let text = n.and_then(|n| match (directive.colon, directive.at) {
            (false, false) => numerals::cardinal(n),
            (true, false) => numerals::ordinal(n),
            (false, true) => numerals::roman(n, false),
            (true, true) => numerals::roman(n, true),
        });
        text.ok_or_else(|| {
            let shown = self.vm.princ_string(self.thread, arg);
            format_error(format!("~R cannot write {shown} that way"))
        })
    }

    /// `~D`, `~B`, `~O`, `~X` and `~R` with a radix: the integer with its sign (`@`) and digit
    /// groups (`:`), right-aligned in `mincol,padchar,commachar,comma-interval` (the
    /// parameters from `first`); anything else as PRINC prints it.
    fn integer(
        &self,
        arg: Value,
        base: u32,
        directive: &Directive,
        first: usize,
    ) -> FormatResult<String> {
        let digits = match arg {
            Value::Fixnum(n) if base == 10 => Some(n.to_string()),
            Value::Fixnum(n) => Some(printer::format_fixnum(n, base, false)),
            _ => match Number::from_value(&self.vm.image, arg) {
                Some(Number::Integer(n)) => Some(printer::format_integer(&n, base, false)),
                _ => None,
            },
        };
        let Some(mut text) = digits else {
            let mut options = self.vm.print_options(self.thread, false);
            options.base = base;
            options.radix = false;
            return Ok(super::print::print_to_string(&self.vm.image, arg, &options));
        };
        let mincol = fields::integer_param(directive, first, 0)?;
        let padchar = fields::char_param(directive, first + 1, ' ')?;
        let comma = fields::char_param(directive, first + 2, ',')?;
        let interval = fields::integer_param(directive, first + 3, 3)?;
        if directive.colon {
            text = fields::group_digits(&text, comma, interval)?;
        }
        if directive.at && !text.starts_with('-') {
            text.insert(0, '+');
        }
        Field::right_aligned(mincol, padchar).apply(&text)
    }
}

fn parse_directive(chars: &[char], mut i: usize) -> FormatResult<(Directive, usize)> {
    let mut directive = Directive::default();
    let mut after_comma = false;
    loop {
        let param = match chars.get(i) {
            Some('\'') => {
                let c = chars
                    .get(i + 1)
                    .copied()
                    .ok_or_else(|| format_error("incomplete directive"))?;
                i += 2;
                Some(Param::Char(c))
            }
            Some(c) if c.is_ascii_digit() || *c == '-' || *c == '+' => {
                let start = i;
                i += 1;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                Some(Param::Number(
                    text.parse()
                        .map_err(|_| format_error("bad numeric parameter"))?,
                ))
            }
            Some('v') | Some('V') => {
                i += 1;
                Some(Param::FromArgument)
            }
            Some('#') => {
                i += 1;
                Some(Param::Remaining)
            }
            _ => None,
        };
        let had_param = param.is_some();
        if chars.get(i) == Some(&',') {
            directive.params.push(param);
            i += 1;
            after_comma = true;
            continue;
        }
        // A comma always has a parameter after it, if only an omitted one.
        if had_param || after_comma {
            directive.params.push(param);
        }
        break;
    }
    loop {
        match chars.get(i) {
            Some(':') => directive.colon = true,
            Some('@') => directive.at = true,
            _ => break,
        }
        i += 1;
    }
    directive.kind = chars
        .get(i)
        .copied()
        .ok_or_else(|| format_error("string ended inside a directive"))?;
    if directive.kind == '/' {
        let name_start = i + 1;
        let name_end = chars[name_start..]
            .iter()
            .position(|c| *c == '/')
            .map(|length| name_start + length)
            .ok_or_else(|| format_error("No matching closing slash"))?;
        directive.function = Some(chars[name_start..name_end].iter().collect());
        return Ok((directive, name_end + 1));
    }
    Ok((directive, i + 1))
}

/// Finds the directive closing a `~{` or `~(` that opened just before `start`: returns the
/// index where the body ends and the index after the closing directive.
fn find_close(
    chars: &[char],
    start: usize,
    open: char,
    close: char,
) -> FormatResult<(usize, usize)> {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '~' {
            let (directive, next) = parse_directive(chars, i + 1)?;
            if directive.kind == open {
                depth += 1;
            } else if directive.kind == close {
                if depth == 0 {
                    return Ok((i, next));
                }
                depth -= 1;
            }
            i = next;
        } else {
            i += 1;
        }
    }
    Err(format_error(format!("no matching ~{close}")))
}

/// Splits the clauses of `~[...~]`; each clause says whether `~:;` (default) introduced it.
type Clauses = Vec<(Vec<char>, bool)>;

fn split_clauses(chars: &[char], start: usize) -> FormatResult<(Clauses, usize)> {
    let mut clauses = Vec::new();
    let mut depth = 0;
    let mut clause_start = start;
    let mut default_next = false;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '~' {
            let (directive, next) = parse_directive(chars, i + 1)?;
            match directive.kind {
                '[' | '{' | '(' => depth += 1,
                '}' | ')' => depth -= 1,
                ']' if depth == 0 => {
                    clauses.push((chars[clause_start..i].to_vec(), default_next));
                    return Ok((clauses, next));
                }
                ']' => depth -= 1,
                ';' if depth == 0 => {
                    clauses.push((chars[clause_start..i].to_vec(), default_next));
                    default_next = directive.colon;
                    clause_start = next;
                }
                _ => {}
            }
            i = next;
        } else {
            i += 1;
        }
    }
    Err(format_error("no matching ~]"))
}

/// Appends `n` in decimal (what `write!` does, without its formatting machinery): the
/// digits are written as ASCII into a small array, two at a time from a table of the pairs
/// `00` to `99` (half the divisions), then appended to `out` at once.
fn push_decimal(out: &mut String, n: i64) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    // A u64 has at most 20 digits, so `start` never goes below zero.
    while rest >= 100 {
        start = start.saturating_sub(2);
        write_pair(&mut digits, start, rest % 100);
        rest /= 100;
    }
    if rest >= 10 {
        start = start.saturating_sub(2);
        write_pair(&mut digits, start, rest);
    } else {
        start = start.saturating_sub(1);
        if let Some(slot) = digits.get_mut(start) {
            *slot = b'0' + rest as u8;
        }
    }
    if n < 0 {
        out.push('-');
    }
    let digits = digits.get(start..).unwrap_or_default();
    // SAFETY: every byte of `digits` is an ASCII digit (the array starts filled with '0' and
    // is written only with bytes of `DIGIT_PAIRS`, all ASCII digits, and `b'0' + d` with
    // `d < 10`), and ASCII is valid UTF-8. Checking it (`str::from_utf8`) cost as much as
    // finding the digits. `tests::decimals_of_every_width_and_sign` covers the extremes.
    let text = unsafe { std::str::from_utf8_unchecked(digits) };
    out.push_str(text);
}

/// Writes the two digits of `pair` (under a hundred) at `at` in `digits`.
fn write_pair(digits: &mut [u8; 20], at: usize, pair: u64) {
    let pair = usize::try_from(pair).unwrap_or_default() * 2;
    if let (Some(slots), Some(pair)) = (digits.get_mut(at..at + 2), DIGIT_PAIRS.get(pair..pair + 2))
    {
        slots.copy_from_slice(pair);
    }
}

/// `00`, `01`, ... `99`: the decimal digits of every number under a hundred, in pairs.
const DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0; 200];
    let mut i = 0;
    while i < 100 {
        pairs[2 * i] = b'0' + (i / 10) as u8;
        pairs[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    pairs
};

fn capitalize_words(text: &str) -> String {
    let mut out = String::new();
    let mut start = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::push_decimal;

    #[test]
    fn decimals_of_every_width_and_sign() {
        let mut numbers = vec![0, 7, -7, 10, 99_999, -100_000, i64::MAX, i64::MIN];
        numbers.extend((-1_100..1_100).chain((0..19).flat_map(|k| {
            let power = 10_i64.pow(k);
            [power - 1, power, power + 1, -power, 1 - power]
        })));
        for n in numbers {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
