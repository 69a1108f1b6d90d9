//! Reads the text Emacs prints (protocol brief, section 8.1) into a `lexpr::Value`.
//!
//! The reader is iterative (an explicit stack, never native recursion) and bounded in nesting
//! depth and in the number of data it builds, so no payload can overflow the stack or blow
//! up memory. `lexpr`'s own parser is not used: with `Options::elisp()` it rejects `'x` and
//! `#'x` and escaped symbols such as `has\ space`, and it recurses (see the test
//! `lexpr_defects` in `tests/network`).
//!
//! What comes out:
//! - lists and dotted pairs as conses ending in `Value::Null`; `nil` and `()` as `Value::Nil`;
//! - `'x`, `#'x`, `` `x ``, `,x`, `,@x` as two-element lists headed by the symbols `quote`,
//!   `function`, `quasiquote`, `unquote`, `unquote-splicing`;
//! - strings read with Common Lisp rules (a backslash quotes the next character, newlines are
//!   raw); `#("text" 0 4 (face bold))` as just the string;
//! - `[1 2]` as `Value::Vector`; `:name` as `Value::Keyword` with the raw name;
//! - integers that fit an `i64` and floats (`1.5`, `1e3`, `1.0e+INF`, `0.0e+NaN`) as numbers;
//! - every other token, `t` included, as `Value::Symbol` holding the token exactly as written
//!   (backslash escapes and `|bars|` kept): the interpreter re-reads symbol tokens with Common
//!   Lisp rules, so bignums and exotic numbers reach it intact too.
//!
//! Text after the first complete datum is ignored, as Emacs and swank do.

use lexpr::Value;

use super::value::{dispose, list, list_with_tail};

/// Default for [`ReaderLimits::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 256;
/// Default for [`ReaderLimits::max_nodes`]. Emacs's messages hold a few dozen data; the bound
/// also keeps every datum handed to the interpreter small enough to drop recursively.
pub const DEFAULT_MAX_NODES: usize = 4096;

/// Bounds on one datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderLimits {
    /// Open lists, vectors and quote-like prefixes at any one time.
    pub max_depth: usize,
    /// Atoms and lists in the datum, counted together.
    pub max_nodes: usize,
}

impl Default for ReaderLimits {
    fn default() -> Self {
        ReaderLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_nodes: DEFAULT_MAX_NODES,
        }
    }
}

/// Why a payload could not be read. Offsets are in bytes from the start of the payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("no datum in the input")]
    Empty,
    #[error("end of input inside a datum")]
    Incomplete,
    #[error("unexpected `{found}` at byte {offset}")]
    UnexpectedCloser { found: char, offset: usize },
    #[error("misplaced dot at byte {offset}")]
    MisplacedDot { offset: usize },
    #[error("more than one datum after the dot in the list ending at byte {offset}")]
    ExtraAfterDot { offset: usize },
    #[error("unsupported syntax `{syntax}` at byte {offset}")]
    UnsupportedSyntax { syntax: String, offset: usize },
    #[error("`#(` at byte {offset} does not start with a string")]
    PropertizedNotString { offset: usize },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("more than {limit} data in one message")]
    TooLarge { limit: usize },
}

/// Reads the first datum of `text`.
pub fn read_datum(text: &str, limits: &ReaderLimits) -> Result<Value, ReadError> {
    Reader {
        text,
        position: 0,
        limits: *limits,
        nodes: 0,
        open: OpenData::default(),
    }
    .read()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    /// `( ... )`.
    Parenthesized,
    /// `[ ... ]`.
    Bracketed,
    /// `#( ... )`: a string with text properties.
    Propertized,
}

#[derive(Debug)]
enum AfterDot {
    /// No dot seen.
    NoDot,
    /// A dot was read; the tail datum comes next.
    AwaitingTail,
    /// The tail datum was read; only the closer may follow.
    Tail(Value),
}

#[derive(Debug)]
enum Open {
    List {
        kind: ListKind,
        items: Vec<Value>,
        after_dot: AfterDot,
        opened_at: usize,
    },
    /// `'`, `#'`, `` ` ``, `,` or `,@`: the next datum gets wrapped as `(head datum)`.
    Prefix { head: &'static str },
}

/// The lists and prefixes being read. Dropping it frees partial data without recursion.
#[derive(Debug, Default)]
struct OpenData(Vec<Open>);

impl Drop for OpenData {
    fn drop(&mut self) {
        for open in self.0.drain(..) {
            if let Open::List {
                items, after_dot, ..
            } = open
            {
                items.into_iter().for_each(dispose);
                if let AfterDot::Tail(tail) = after_dot {
                    dispose(tail);
                }
            }
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    position: usize,
    limits: ReaderLimits,
    nodes: usize,
    open: OpenData,
}

impl<'a> Reader<'a> {
    fn read(mut self) -> Result<Value, ReadError> {
        loop {
            self.skip_whitespace_and_comments();
            let start = self.position;
            let Some(byte) = self.byte_at(start) else {
                return Err(if self.open.0.is_empty() {
                    ReadError::Empty
                } else {
                    ReadError::Incomplete
                });
            };
            let datum = match byte {
                b'(' => {
                    self.position += 1;
                    self.open_list(ListKind::Parenthesized, start)?;
                    continue;
                }
                b'[' => {
                    self.position += 1;
                    self.open_list(ListKind::Bracketed, start)?;
                    continue;
                }
                b')' | b']' => {
                    self.position += 1;
                    self.close_list(byte, start)?
                }
                b'\'' => {
                    self.position += 1;
                    self.open_prefix("quote")?;
                    continue;
                }
                b'`' => {
                    self.position += 1;
                    self.open_prefix("quasiquote")?;
                    continue;
                }
                b',' => {
                    if self.byte_at(start + 1) == Some(b'@') {
                        self.position += 2;
                        self.open_prefix("unquote-splicing")?;
                    } else {
                        self.position += 1;
                        self.open_prefix("unquote")?;
                    }
                    continue;
                }
                b'"' => self.read_string()?,
                b'#' => match self.byte_at(start + 1) {
                    Some(b'\'') => {
                        self.position += 2;
                        self.open_prefix("function")?;
                        continue;
                    }
                    Some(b'(') => {
                        self.position += 2;
                        self.open_list(ListKind::Propertized, start)?;
                        continue;
                    }
                    _ => {
                        let syntax = self
                            .text
                            .get(start..)
                            .unwrap_or_default()
                            .chars()
                            .take(2)
                            .collect();
                        return Err(ReadError::UnsupportedSyntax {
                            syntax,
                            offset: start,
                        });
                    }
                },
                _ => {
                    let token = self.read_token()?;
                    if token == "." {
                        self.read_dot(start)?;
                        continue;
                    }
                    atom(token)
                }
            };
            if let Some(complete) = self.add_datum(datum)? {
                return Ok(complete);
            }
        }
    }

    fn byte_at(&self, position: usize) -> Option<u8> {
        self.text.as_bytes().get(position).copied()
    }

    fn skip_whitespace_and_comments(&mut self) {
        while let Some(byte) = self.byte_at(self.position) {
            if is_whitespace(byte) {
                self.position += 1;
            } else if byte == b';' {
                while let Some(byte) = self.byte_at(self.position) {
                    self.position += 1;
                    if byte == b'\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn check_depth(&self) -> Result<(), ReadError> {
        if self.open.0.len() >= self.limits.max_depth {
            return Err(ReadError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        Ok(())
    }

    fn open_list(&mut self, kind: ListKind, opened_at: usize) -> Result<(), ReadError> {
        self.check_depth()?;
        self.open.0.push(Open::List {
            kind,
            items: Vec::new(),
            after_dot: AfterDot::NoDot,
            opened_at,
        });
        Ok(())
    }

    fn open_prefix(&mut self, head: &'static str) -> Result<(), ReadError> {
        self.check_depth()?;
        self.open.0.push(Open::Prefix { head });
        Ok(())
    }

    fn read_dot(&mut self, offset: usize) -> Result<(), ReadError> {
        match self.open.0.last_mut() {
            Some(Open::List {
                kind: ListKind::Parenthesized,
                items,
                after_dot: after_dot @ AfterDot::NoDot,
                ..
            }) if !items.is_empty() => {
                *after_dot = AfterDot::AwaitingTail;
                Ok(())
            }
            _ => Err(ReadError::MisplacedDot { offset }),
        }
    }

    fn close_list(&mut self, closer: u8, offset: usize) -> Result<Value, ReadError> {
        let unexpected = ReadError::UnexpectedCloser {
            found: char::from(closer),
            offset,
        };
        let Some(Open::List { kind, .. }) = self.open.0.last() else {
            return Err(unexpected);
        };
        let matches = match kind {
            ListKind::Parenthesized | ListKind::Propertized => closer == b')',
            ListKind::Bracketed => closer == b']',
        };
        if !matches {
            return Err(unexpected);
        }
        let Some(Open::List {
            kind,
            items,
            after_dot,
            opened_at,
        }) = self.open.0.pop()
        else {
            return Err(unexpected);
        };
        match kind {
            ListKind::Parenthesized => match after_dot {
                AfterDot::NoDot => Ok(list(items)),
                AfterDot::AwaitingTail => {
                    items.into_iter().for_each(dispose);
                    Err(ReadError::MisplacedDot { offset })
                }
                AfterDot::Tail(Value::Nil) => Ok(list(items)),
                AfterDot::Tail(tail) => Ok(list_with_tail(items, tail)),
            },
            ListKind::Bracketed => Ok(Value::Vector(items.into_boxed_slice())),
            ListKind::Propertized => {
                let mut items = items.into_iter();
                let first = items.next();
                items.for_each(dispose);
                match first {
                    Some(text @ Value::String(_)) => Ok(text),
                    other => {
                        if let Some(other) = other {
                            dispose(other);
                        }
                        Err(ReadError::PropertizedNotString { offset: opened_at })
                    }
                }
            }
        }
    }

    /// Hands a finished datum to whatever is open; returns it when it is the whole datum.
    fn add_datum(&mut self, mut datum: Value) -> Result<Option<Value>, ReadError> {
        loop {
            self.count_node()?;
            match self.open.0.last_mut() {
                None => return Ok(Some(datum)),
                Some(Open::Prefix { head }) => {
                    datum = list(vec![Value::symbol(*head), datum]);
                    self.open.0.pop();
                }
                Some(Open::List {
                    items, after_dot, ..
                }) => {
                    match after_dot {
                        AfterDot::NoDot => items.push(datum),
                        AfterDot::AwaitingTail => *after_dot = AfterDot::Tail(datum),
                        AfterDot::Tail(_) => {
                            dispose(datum);
                            return Err(ReadError::ExtraAfterDot {
                                offset: self.position,
                            });
                        }
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn count_node(&mut self) -> Result<(), ReadError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(ReadError::TooLarge {
                limit: self.limits.max_nodes,
            });
        }
        Ok(())
    }

    /// Reads a string starting at the opening quote.
    fn read_string(&mut self) -> Result<Value, ReadError> {
        self.position += 1;
        let mut contents = String::new();
        let mut run_start = self.position;
        loop {
            match self.byte_at(self.position) {
                None => return Err(ReadError::Incomplete),
                Some(b'"') => {
                    contents.push_str(self.slice(run_start, self.position));
                    self.position += 1;
                    return Ok(Value::string(contents));
                }
                Some(b'\\') => {
                    contents.push_str(self.slice(run_start, self.position));
                    self.position += 1;
                    let escaped = self
                        .text
                        .get(self.position..)
                        .and_then(|rest| rest.chars().next())
                        .ok_or(ReadError::Incomplete)?;
                    contents.push(escaped);
                    self.position += escaped.len_utf8();
                    run_start = self.position;
                }
                Some(_) => self.position += 1,
            }
        }
    }

    /// Reads a token: everything up to a terminating character, honouring `\x` and `|...|`.
    fn read_token(&mut self) -> Result<&'a str, ReadError> {
        let start = self.position;
        while let Some(byte) = self.byte_at(self.position) {
            match byte {
                // Skipping the escape and the first byte of the escaped character is enough:
                // UTF-8 continuation bytes are never delimiters.
                b'\\' => self.skip_escape()?,
                b'|' => {
                    self.position += 1;
                    loop {
                        match self.byte_at(self.position) {
                            None => return Err(ReadError::Incomplete),
                            Some(b'|') => {
                                self.position += 1;
                                break;
                            }
                            Some(b'\\') => self.skip_escape()?,
                            Some(_) => self.position += 1,
                        }
                    }
                }
                _ if is_terminating(byte) => break,
                _ => self.position += 1,
            }
        }
        Ok(self.slice(start, self.position))
    }

    fn skip_escape(&mut self) -> Result<(), ReadError> {
        if self.byte_at(self.position + 1).is_none() {
            return Err(ReadError::Incomplete);
        }
        self.position += 2;
        Ok(())
    }

    /// The text between two positions the reader stopped at. Those are always ASCII bytes or
    /// the end of the text, so always character boundaries; an empty string is returned if
    /// that invariant were ever broken.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_terminating(byte: u8) -> bool {
    is_whitespace(byte)
        || matches!(
            byte,
            b'(' | b')' | b'[' | b']' | b'"' | b'\'' | b'`' | b',' | b';'
        )
}

/// Classifies a token that is not a lone dot.
fn atom(token: &str) -> Value {
    if let Some(name) = token.strip_prefix(':') {
        return Value::keyword(name);
    }
    if token == "nil" {
        return Value::Nil;
    }
    if let Some(integer) = parse_integer(token) {
        return Value::from(integer);
    }
    if let Some(float) = parse_float(token) {
        return Value::from(float);
    }
    Value::symbol(token)
}

fn split_sign(token: &str) -> (&str, &str) {
    match token.as_bytes().first() {
        Some(b'+' | b'-') => token.split_at(1),
        _ => ("", token),
    }
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// `[sign] digits [.]`, when it fits an `i64`.
fn parse_integer(token: &str) -> Option<i64> {
    let (sign, rest) = split_sign(token);
    let digits = rest.strip_suffix('.').unwrap_or(rest);
    if !all_digits(digits) {
        return None;
    }
    format!("{sign}{digits}").parse().ok()
}

/// `[sign] digits* . digits+ [exponent]` or `[sign] digits+ [. digits*] exponent`, with
/// exponent `e [sign] digits+`; Emacs's `1.0e+INF` and `0.0e+NaN` give infinities and NaN.
fn parse_float(token: &str) -> Option<f64> {
    let (sign, rest) = split_sign(token);
    let negative = sign == "-";
    for (suffix, special) in [("e+INF", f64::INFINITY), ("e+NaN", f64::NAN)] {
        if let Some(mantissa) = rest.strip_suffix(suffix) {
            if !is_mantissa(mantissa, true) {
                return None;
            }
            return Some(if negative { -special } else { special });
        }
    }
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at)?, Some(rest.get(at + 1..)?)),
        None => (rest, None),
    };
    let valid = match exponent {
        Some(exponent) => {
            let (_, exponent_digits) = split_sign(exponent);
            all_digits(exponent_digits) && is_mantissa(mantissa, true)
        }
        None => is_mantissa(mantissa, false),
    };
    if !valid {
        return None;
    }
    token.parse().ok()
}

/// Digits with one dot: `1.5`, `.5`, and (only before an exponent) `1` or `1.`.
fn is_mantissa(text: &str, before_exponent: bool) -> bool {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            let whole_ok = whole.is_empty() || all_digits(whole);
            let fraction_ok = if before_exponent {
                fraction.is_empty() || all_digits(fraction)
            } else {
                all_digits(fraction)
            };
            whole_ok && fraction_ok && (all_digits(whole) || all_digits(fraction))
        }
        None => before_exponent && all_digits(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Value {
        read_datum(text, &ReaderLimits::default()).unwrap()
    }

    fn read_err(text: &str) -> ReadError {
        read_datum(text, &ReaderLimits::default()).unwrap_err()
    }

    fn sym(name: &str) -> Value {
        Value::symbol(name)
    }

    fn lst(items: Vec<Value>) -> Value {
        list(items)
    }

    #[test]
    fn reads_a_typical_rex() {
        let value = read("(:emacs-rex (swank:connection-info) \"COMMON-LISP-USER\" t 1)\n");
        assert_eq!(
            value,
            lst(vec![
                Value::keyword("emacs-rex"),
                lst(vec![sym("swank:connection-info")]),
                Value::string("COMMON-LISP-USER"),
                sym("t"),
                Value::from(1),
            ])
        );
    }

    #[test]
    fn reads_quote_like_prefixes_as_lists() {
        assert_eq!(read("'x"), lst(vec![sym("quote"), sym("x")]));
        assert_eq!(read("#'car"), lst(vec![sym("function"), sym("car")]));
        assert_eq!(
            read("`(a ,b ,@c)"),
            lst(vec![
                sym("quasiquote"),
                lst(vec![
                    sym("a"),
                    lst(vec![sym("unquote"), sym("b")]),
                    lst(vec![sym("unquote-splicing"), sym("c")]),
                ])
            ])
        );
        assert_eq!(
            read("''nil"),
            lst(vec![sym("quote"), lst(vec![sym("quote"), Value::Nil])])
        );
        assert_eq!(
            read("':calls"),
            lst(vec![sym("quote"), Value::keyword("calls")])
        );
    }

    #[test]
    fn reads_nil_and_empty_list_as_nil() {
        assert_eq!(read("nil"), Value::Nil);
        assert_eq!(read("()"), Value::Nil);
        assert_eq!(read("( )"), Value::Nil);
        assert_eq!(read("(nil)"), lst(vec![Value::Nil]));
    }

    #[test]
    fn reads_dotted_pairs() {
        assert_eq!(
            read("((cl:debug . 3))"),
            lst(vec![Value::cons(sym("cl:debug"), 3)])
        );
        assert_eq!(
            read("(a b . c)"),
            list_with_tail(vec![sym("a"), sym("b")], sym("c"))
        );
        assert_eq!(read("(a . nil)"), lst(vec![sym("a")]));
        assert_eq!(read("(a . (b))"), lst(vec![sym("a"), sym("b")]));
    }

    #[test]
    fn rejects_misplaced_dots() {
        assert!(matches!(read_err("(. a)"), ReadError::MisplacedDot { .. }));
        assert!(matches!(read_err("(a .)"), ReadError::MisplacedDot { .. }));
        assert!(matches!(
            read_err("(a . b c)"),
            ReadError::ExtraAfterDot { .. }
        ));
        assert!(matches!(read_err("."), ReadError::MisplacedDot { .. }));
        assert!(matches!(
            read_err("[a . b]"),
            ReadError::MisplacedDot { .. }
        ));
    }

    #[test]
    fn reads_strings_with_common_lisp_escapes() {
        assert_eq!(read(r#""a\"b\\c""#), Value::string("a\"b\\c"));
        assert_eq!(read(r#""hello\n""#), Value::string("hellon"));
        assert_eq!(read("\"two\nlines\""), Value::string("two\nlines"));
        assert_eq!(read("\"héllo wörld ☃\""), Value::string("héllo wörld ☃"));
        assert_eq!(read("\"\\☃\""), Value::string("☃"));
        assert_eq!(read_err("\"open"), ReadError::Incomplete);
        assert_eq!(read_err("\"open\\"), ReadError::Incomplete);
    }

    #[test]
    fn reads_propertized_strings_as_their_text() {
        assert_eq!(read("#(\"text\" 0 4 (face bold))"), Value::string("text"));
        assert!(matches!(
            read_err("#(a 0 4)"),
            ReadError::PropertizedNotString { offset: 0 }
        ));
    }

    #[test]
    fn reads_vectors() {
        assert_eq!(
            read("[1 2]"),
            Value::Vector(vec![Value::from(1), Value::from(2)].into_boxed_slice())
        );
        assert_eq!(read("[]"), Value::Vector(Vec::new().into_boxed_slice()));
    }

    #[test]
    fn reads_keywords_with_their_raw_name() {
        assert_eq!(read(":repl-thread"), Value::keyword("repl-thread"));
        assert_eq!(read(r":has\ space"), Value::keyword(r"has\ space"));
    }

    #[test]
    fn reads_numbers() {
        assert_eq!(read("42"), Value::from(42));
        assert_eq!(read("-7"), Value::from(-7));
        assert_eq!(read("+7"), Value::from(7));
        assert_eq!(read("7."), Value::from(7));
        assert_eq!(read("1.5"), Value::from(1.5));
        assert_eq!(read("-.5"), Value::from(-0.5));
        assert_eq!(read("1e3"), Value::from(1000.0));
        assert_eq!(read("1.5E-2"), Value::from(0.015));
        assert_eq!(read("1.0e+INF"), Value::from(f64::INFINITY));
        assert_eq!(read("-1.0e+INF"), Value::from(f64::NEG_INFINITY));
        let nan = read("0.0e+NaN");
        assert!(nan.as_f64().unwrap().is_nan());
    }

    #[test]
    fn keeps_other_tokens_as_raw_symbols() {
        for token in [
            "t",
            "T",
            "NIL",
            "123456789012345678901234567890",
            "1/2",
            "1.5d0",
            "1e",
            "+",
            "-",
            "1+",
            "...",
            "swank::%cursor-marker%",
            r"has\ space",
            r"\123",
            r"a\.b",
            r"\,",
            "|foo bar|",
            "a|b c|d",
            r"|a\|b|",
            "nan",
            "inf",
            "?a",
            "a#b",
        ] {
            assert_eq!(read(token), sym(token), "token {token}");
        }
    }

    #[test]
    fn escapes_keep_delimiters_inside_tokens() {
        assert_eq!(read(r"(a\(b c\ d)"), lst(vec![sym(r"a\(b"), sym(r"c\ d")]));
        assert_eq!(read("(|a (b| c)"), lst(vec![sym("|a (b|"), sym("c")]));
        assert_eq!(read_err("|open"), ReadError::Incomplete);
        assert_eq!(read_err(r"trailing\"), ReadError::Incomplete);
    }

    #[test]
    fn ignores_text_after_the_first_datum_and_comments() {
        assert_eq!(read("(a) (b"), lst(vec![sym("a")]));
        assert_eq!(read("a)"), sym("a"));
        assert_eq!(
            read("; comment\n  (a ; inner\n b)"),
            lst(vec![sym("a"), sym("b")])
        );
    }

    #[test]
    fn reports_empty_incomplete_and_stray_closers() {
        assert_eq!(read_err(""), ReadError::Empty);
        assert_eq!(read_err("  \n; only a comment"), ReadError::Empty);
        assert_eq!(
            read_err("(:emacs-rex (cl:+ 1 2) \"CL-USER\" t 1"),
            ReadError::Incomplete
        );
        assert_eq!(read_err("'"), ReadError::Incomplete);
        assert_eq!(
            read_err(")"),
            ReadError::UnexpectedCloser {
                found: ')',
                offset: 0
            }
        );
        assert_eq!(
            read_err("(a]"),
            ReadError::UnexpectedCloser {
                found: ']',
                offset: 2
            }
        );
        assert!(matches!(
            read_err("('a ')"),
            ReadError::UnexpectedCloser { .. }
        ));
    }

    #[test]
    fn rejects_unsupported_sharp_syntax() {
        assert_eq!(
            read_err("(:emacs-rex #<foo> \"CL-USER\" t 1)"),
            ReadError::UnsupportedSyntax {
                syntax: "#<".into(),
                offset: 12
            }
        );
        assert!(matches!(
            read_err("#x1F"),
            ReadError::UnsupportedSyntax { .. }
        ));
        assert!(matches!(read_err("#"), ReadError::UnsupportedSyntax { .. }));
    }

    #[test]
    fn enforces_the_depth_limit_without_recursing() {
        let limits = ReaderLimits {
            max_depth: 10,
            max_nodes: 100,
        };
        let ok = format!("{}x{}", "(".repeat(10), ")".repeat(10));
        assert!(read_datum(&ok, &limits).is_ok());
        let deep = format!("{}x{}", "(".repeat(11), ")".repeat(11));
        assert_eq!(
            read_datum(&deep, &limits),
            Err(ReadError::TooDeep { limit: 10 })
        );
        let quotes = format!("{}x", "'".repeat(11));
        assert_eq!(
            read_datum(&quotes, &limits),
            Err(ReadError::TooDeep { limit: 10 })
        );
        let huge = "(".repeat(1_000_000);
        assert_eq!(
            read_datum(&huge, &ReaderLimits::default()),
            Err(ReadError::TooDeep {
                limit: DEFAULT_MAX_DEPTH
            })
        );
    }

    #[test]
    fn enforces_the_node_limit() {
        let limits = ReaderLimits {
            max_depth: 10,
            max_nodes: 5,
        };
        assert!(read_datum("(1 2 3 4)", &limits).is_ok());
        assert_eq!(
            read_datum("(1 2 3 4 5)", &limits),
            Err(ReadError::TooLarge { limit: 5 })
        );
        let long = format!("({})", "1 ".repeat(1_000_000));
        assert_eq!(
            read_datum(&long, &ReaderLimits::default()),
            Err(ReadError::TooLarge {
                limit: DEFAULT_MAX_NODES
            })
        );
    }
}
