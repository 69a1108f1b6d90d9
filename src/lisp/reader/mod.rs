//! The Lisp reader: turns source text into [`Datum`] trees with Common Lisp syntax.
//!
//! This module owns the public API (the datum types, options and errors, [`read_one`] and
//! [`parse_symbol_token`]). The work is split over small modules:
//!
//! - [`source`]: the cursor over the text, character syntax classes, whitespace and comments;
//! - [`machine`]: the iterative driver that builds nested forms on an explicit stack;
//! - [`token`]: reading a token (with `\` and `|` escapes) and turning it into a symbol;
//! - [`number`]: numeric token syntax (integers, ratios, floats);
//! - [`dispatch`]: the `#` dispatching macro characters;
//! - [`chars`]: character names for `#\` (and [`unicode_names`], Unicode's beyond Latin-1);
//! - [`features`]: feature expressions for `#+` and `#-`.
//!
//! The reader never recurses per nesting level, so deep input fails with
//! [`ReadError::Malformed`] ("nesting deeper than N") instead of overflowing the stack.

pub(crate) mod chars;
mod dispatch;
mod features;
mod graphic_names;
mod machine;
mod number;
mod source;
mod token;
mod unicode_names;

#[cfg(test)]
mod tests;

use num_bigint::BigInt;
use num_rational::BigRational;

/// The package part of a symbol token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackagePrefix {
    /// `:name` (and `::name`).
    Keyword,
    /// `#:name`.
    Uninterned,
    /// `package:name`.
    External(String),
    /// `package::name`.
    Internal(String),
}

/// A symbol as read: its (case-folded) name and package prefix, not yet interned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolToken {
    pub package: Option<PackagePrefix>,
    pub name: String,
}

/// One object read from text.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Integer(BigInt),
    Ratio(BigRational),
    Single(f32),
    Double(f64),
    Char(char),
    String(String),
    Symbol(SymbolToken),
    /// A proper list when `tail` is `None`, else a dotted list ending in `tail`.
    List {
        items: Vec<Datum>,
        tail: Option<Box<Datum>>,
    },
    Vector(Vec<Datum>),
    /// `#nA contents`: an array of rank n.
    Array {
        rank: usize,
        contents: Box<Datum>,
    },
    /// `#.form`, only produced when [`ReadOptions::read_eval`] is true.
    ReadEval(Box<Datum>),
    /// `#P"namestring"` (a pathname; anything but a string there is an error when the
    /// datum becomes a value).
    Pathname(Box<Datum>),
    Backquote(Box<Datum>),
    Unquote(Box<Datum>),
    UnquoteSplicing(Box<Datum>),
}

impl Datum {
    /// An unqualified symbol.
    pub fn symbol(name: &str) -> Datum {
        Datum::Symbol(SymbolToken {
            package: None,
            name: name.to_string(),
        })
    }

    /// The empty list (`NIL`).
    pub fn nil() -> Datum {
        Datum::List {
            items: Vec::new(),
            tail: None,
        }
    }

    /// True if a `#.` form is anywhere inside.
    pub fn has_read_eval(&self) -> bool {
        let mut pending = vec![self];
        while let Some(datum) = pending.pop() {
            match datum {
                Datum::ReadEval(_) => return true,
                Datum::List { items, tail } => {
                    pending.extend(items);
                    pending.extend(tail.as_deref());
                }
                Datum::Vector(items) => pending.extend(items),
                Datum::Array {
                    contents: inner, ..
                }
                | Datum::Pathname(inner)
                | Datum::Backquote(inner)
                | Datum::Unquote(inner)
                | Datum::UnquoteSplicing(inner) => pending.push(inner),
                _ => {}
            }
        }
        false
    }

    fn has_children(&self) -> bool {
        match self {
            Datum::List { items, tail } => !items.is_empty() || tail.is_some(),
            Datum::Vector(items) => !items.is_empty(),
            Datum::Array { .. }
            | Datum::ReadEval(_)
            | Datum::Pathname(_)
            | Datum::Backquote(_)
            | Datum::Unquote(_)
            | Datum::UnquoteSplicing(_) => true,
            _ => false,
        }
    }

    /// Moves this datum's children into `out`, leaving it childless.
    fn take_children(&mut self, out: &mut Vec<Datum>) {
        match self {
            Datum::List { items, tail } => {
                out.append(items);
                if let Some(tail) = tail.take() {
                    out.push(*tail);
                }
            }
            Datum::Vector(items) => out.append(items),
            Datum::ReadEval(inner)
            | Datum::Pathname(inner)
            | Datum::Backquote(inner)
            | Datum::Unquote(inner)
            | Datum::UnquoteSplicing(inner)
            | Datum::Array {
                contents: inner, ..
            } if inner.has_children() => {
                out.push(std::mem::replace(&mut **inner, Datum::Char('\0')));
            }
            _ => {}
        }
    }
}

impl Drop for Datum {
    /// Drops nested data iteratively, so a deeply nested datum cannot overflow the stack.
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let mut pending = Vec::new();
        self.take_children(&mut pending);
        while let Some(mut datum) = pending.pop() {
            datum.take_children(&mut pending);
        }
    }
}

/// Default for [`ReadOptions::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 10_000;
/// Default for [`ReadOptions::max_token_bytes`].
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 100_000;

/// Settings that change how text is read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Whether `#.` is allowed (`*READ-EVAL*`).
    pub read_eval: bool,
    /// Upper-case names of the keywords in `*FEATURES*`, for `#+` and `#-`.
    pub features: Vec<std::rc::Rc<str>>,
    /// The radix of integer and ratio tokens (`*READ-BASE*`, 2 to 36).
    pub read_base: u32,
    /// How many lists, vectors and prefixes (`'`, `` ` ``, `#+`...) may be open at once.
    pub max_depth: usize,
    /// The longest token (symbol or number) accepted, in bytes.
    pub max_token_bytes: usize,
}

/// The features assumed when no image supplies `*FEATURES*`.
pub const DEFAULT_FEATURES: [&str; 3] = ["SWANKD", "COMMON-LISP", "ANSI-CL"];

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            read_eval: false,
            features: DEFAULT_FEATURES
                .iter()
                .map(|f| std::rc::Rc::from(*f))
                .collect(),
            read_base: 10,
            max_depth: DEFAULT_MAX_DEPTH,
            max_token_bytes: DEFAULT_MAX_TOKEN_BYTES,
        }
    }
}

impl ReadOptions {
    /// The defaults, with `#.` allowed or not.
    pub fn default_with_eval(read_eval: bool) -> Self {
        ReadOptions {
            read_eval,
            ..ReadOptions::default()
        }
    }
}

/// Why text could not be read. Positions are byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The text ends inside a form; more input could complete it.
    #[error("incomplete input: {message} at position {position}")]
    Incomplete { position: usize, message: String },
    /// The text is not valid syntax, whatever follows.
    #[error("malformed input: {message} at position {position}")]
    Malformed { position: usize, message: String },
}

impl ReadError {
    pub(crate) fn incomplete(position: usize, message: impl Into<String>) -> Self {
        ReadError::Incomplete {
            position,
            message: message.into(),
        }
    }

    pub(crate) fn malformed(position: usize, message: impl Into<String>) -> Self {
        ReadError::Malformed {
            position,
            message: message.into(),
        }
    }

    /// The byte offset the error refers to.
    pub fn position(&self) -> usize {
        match self {
            ReadError::Incomplete { position, .. } | ReadError::Malformed { position, .. } => {
                *position
            }
        }
    }
}

/// Reads one form from `text` starting at byte `byte_start`, as `READ` does.
///
/// Returns the datum and the byte offset after it and after one whitespace character
/// following it (whatever the datum: a token, a list, a string...), or `None` when only
/// whitespace and comments remain.
pub fn read_one(
    text: &str,
    byte_start: usize,
    options: &ReadOptions,
) -> Result<Option<(Datum, usize)>, ReadError> {
    let read = machine::read(text, byte_start, options)?;
    Ok(read.map(
        |(datum, end)| match text.get(end..).and_then(|rest| rest.chars().next()) {
            Some(c) if source::is_whitespace(c) => (datum, end + c.len_utf8()),
            _ => (datum, end),
        },
    ))
}

/// Reads one form as [`read_one`] does, but the offset returned is just after the datum,
/// as `READ-PRESERVING-WHITESPACE` leaves it.
pub fn read_one_preserving(
    text: &str,
    byte_start: usize,
    options: &ReadOptions,
) -> Result<Option<(Datum, usize)>, ReadError> {
    machine::read(text, byte_start, options)
}

/// Interprets `raw` as one token: a number or a symbol (with `\` and `|` escapes honoured
/// and unescaped letters upcased).
pub fn parse_symbol_token(raw: &str, options: &ReadOptions) -> Result<Datum, ReadError> {
    let token = token::Token::from_raw(raw);
    token::interpret(&token, options)
}
