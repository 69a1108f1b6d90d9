//! The `#` dispatching macro character: `#'`, `#(`, `#\`, `#:`, `#.`, `#+`, `#-`, `#|`,
//! and the radix syntaxes `#x #b #o #NNr`. Anything else (`#*`, `#C`, `#S`, `#P`, `#A`,
//! `#=`/`##` labels...) is reported as unsupported, except while a `#+`/`#-` is skipping a
//! form, when it is read and discarded.

use super::source::{Cursor, ends_token, is_whitespace};
use super::token::{self, Token};
use super::{Datum, PackagePrefix, ReadError, ReadOptions, SymbolToken, chars, number};

/// A prefix that applies to the next datum read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WrapKind {
    Quote,
    Function,
    Backquote,
    Unquote,
    UnquoteSplicing,
    ReadEval,
    /// Reads the next datum and yields `NIL` (unsupported macros while skipping).
    Discard,
    /// `#nA`: the next datum holds the contents of an array of rank n.
    Array(usize),
    /// `#P`: the next datum is a namestring.
    Pathname,
}

/// What a `#` macro produced.
pub(super) enum Dispatched {
    /// A complete datum.
    Datum(Datum),
    /// The next datum is to be wrapped.
    Wrap(WrapKind),
    /// A vector opens, with an optional length (`#3(a b)`).
    Vector(Option<usize>),
    /// A feature expression follows (`true` for `#+`).
    Feature(bool),
    /// Nothing (a comment, or a label while skipping).
    Nothing,
}

/// The largest length accepted in `#N(...)`.
const MAX_VECTOR_LENGTH: usize = 1 << 20;
/// The largest rank `#nA` accepts (SBCL's ARRAY-RANK-LIMIT is 129).
const MAX_ARRAY_RANK: usize = 128;

/// Reads a `#` macro; the cursor is just after the `#` at `start`.
pub(super) fn dispatch(
    cur: &mut Cursor,
    start: usize,
    options: &ReadOptions,
    suppress: bool,
) -> Result<Dispatched, ReadError> {
    let mut argument: Option<usize> = None;
    while let Some(c) = cur.peek() {
        let Some(digit) = c.to_digit(10) else { break };
        cur.bump();
        argument = Some(
            argument
                .unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(digit as usize),
        );
    }
    let Some(sub) = cur.bump() else {
        return Err(ReadError::incomplete(start, "end of input after #"));
    };
    let unsupported = |what: &str| {
        ReadError::malformed(
            start,
            format!("unsupported reader macro #{sub} ({what}) in swankd"),
        )
    };
    match sub {
        '\'' => Ok(Dispatched::Wrap(WrapKind::Function)),
        '(' => match argument {
            Some(n) if n > MAX_VECTOR_LENGTH => Err(ReadError::malformed(
                start,
                format!("vector length {n} in #{n}( is too large"),
            )),
            _ => Ok(Dispatched::Vector(argument)),
        },
        '\\' => character(cur, start, options, suppress).map(Dispatched::Datum),
        ':' => uninterned(cur, start, options, suppress).map(Dispatched::Datum),
        '.' if suppress || options.read_eval => Ok(Dispatched::Wrap(WrapKind::ReadEval)),
        '.' => Err(ReadError::malformed(
            start,
            "#. is disabled because *read-eval* is false",
        )),
        '+' => Ok(Dispatched::Feature(true)),
        '-' => Ok(Dispatched::Feature(false)),
        '|' => {
            cur.skip_block_comment(start)?;
            Ok(Dispatched::Nothing)
        }
        'x' | 'X' => radix(cur, start, 16, options, suppress),
        'b' | 'B' => radix(cur, start, 2, options, suppress),
        'o' | 'O' => radix(cur, start, 8, options, suppress),
        'r' | 'R' => match argument {
            Some(base @ 2..=36) => radix(cur, start, base as u32, options, suppress),
            _ if suppress => radix(cur, start, 10, options, suppress),
            Some(base) => Err(ReadError::malformed(
                start,
                format!("radix {base} in #r is not between 2 and 36"),
            )),
            None => Err(ReadError::malformed(start, "#r needs a radix, as in #16r")),
        },
        '*' if suppress => {
            token::read_token(cur, options)?;
            Ok(Dispatched::Datum(Datum::nil()))
        }
        '*' => Err(unsupported("bit vectors")),
        '#' if suppress => Ok(Dispatched::Datum(Datum::nil())),
        '=' if suppress => Ok(Dispatched::Nothing),
        '#' | '=' => Err(unsupported("labels for shared structure")),
        'c' | 'C' | 's' | 'S' | 'p' | 'P' | 'a' | 'A' if suppress => {
            Ok(Dispatched::Wrap(WrapKind::Discard))
        }
        'c' | 'C' => Err(unsupported("complex numbers")),
        's' | 'S' => Err(unsupported("structures")),
        'p' | 'P' => Ok(Dispatched::Wrap(WrapKind::Pathname)),
        'a' | 'A' => match argument {
            Some(rank) if rank <= MAX_ARRAY_RANK => Ok(Dispatched::Wrap(WrapKind::Array(rank))),
            Some(rank) => Err(ReadError::malformed(
                start,
                format!("array rank {rank} in #{rank}A is too large"),
            )),
            None => Err(ReadError::malformed(start, "#A needs a rank, as in #2A")),
        },
        '<' => Err(ReadError::malformed(start, "unreadable object #<...>")),
        ')' => Err(ReadError::malformed(start, "#) is not valid syntax")),
        c if is_whitespace(c) => Err(ReadError::malformed(
            start,
            "# followed by whitespace is not valid syntax",
        )),
        _ if suppress => Ok(Dispatched::Datum(Datum::nil())),
        _ => Err(ReadError::malformed(
            start,
            format!("unknown reader macro #{sub}"),
        )),
    }
}

/// `#\x`: the first character is taken literally, then any following token characters
/// make a name.
fn character(
    cur: &mut Cursor,
    start: usize,
    options: &ReadOptions,
    suppress: bool,
) -> Result<Datum, ReadError> {
    let Some(first) = cur.bump() else {
        return Err(ReadError::incomplete(start, "end of input after #\\"));
    };
    let mut name = Token::new(start);
    name.push(first, true);
    if cur.peek().is_some_and(|c| !ends_token(c)) {
        token::read_token_into(cur, &mut name, options)?;
    }
    if name.chars.len() == 1 {
        return Ok(Datum::Char(first));
    }
    let text = name.raw_text();
    match chars::name_char(&text) {
        Some(c) => Ok(Datum::Char(c)),
        None if suppress => Ok(Datum::nil()),
        None => Err(ReadError::malformed(
            start,
            format!("unknown character name #\\{text}"),
        )),
    }
}

/// `#:name`: an uninterned symbol.
fn uninterned(
    cur: &mut Cursor,
    start: usize,
    options: &ReadOptions,
    suppress: bool,
) -> Result<Datum, ReadError> {
    let token = token::read_token(cur, options)?;
    if suppress {
        return Ok(Datum::nil());
    }
    if token.chars.iter().any(|tc| tc.c == ':' && !tc.escaped) {
        return Err(ReadError::malformed(
            start,
            format!(
                "the symbol following #: contains a package marker: \"{}\"",
                token.raw_text()
            ),
        ));
    }
    if !token.has_escape()
        && !token.chars.is_empty()
        && matches!(
            number::parse(&token.raw_text(), options.read_base),
            Ok(Some(_)) | Err(_)
        )
    {
        return Err(ReadError::malformed(
            start,
            format!(
                "the symbol following #: has numeric syntax: \"{}\"",
                token.raw_text()
            ),
        ));
    }
    let name = token::symbol(&token)?.name;
    Ok(Datum::Symbol(SymbolToken {
        package: Some(PackagePrefix::Uninterned),
        name,
    }))
}

/// `#x`, `#b`, `#o`, `#NNr`: a rational in the given base.
fn radix(
    cur: &mut Cursor,
    start: usize,
    base: u32,
    options: &ReadOptions,
    suppress: bool,
) -> Result<Dispatched, ReadError> {
    if cur.peek().is_none() {
        return Err(ReadError::incomplete(
            start,
            "end of input after a radix prefix",
        ));
    }
    let token = token::read_token(cur, options)?;
    if suppress {
        return Ok(Dispatched::Datum(Datum::nil()));
    }
    let text = token.raw_text();
    let parsed = if token.has_escape() {
        Ok(None)
    } else {
        number::parse_rational(&text, base)
    };
    match parsed {
        Ok(Some(datum)) => Ok(Dispatched::Datum(datum)),
        Ok(None) => Err(ReadError::malformed(
            start,
            format!("\"{text}\" is not a rational in radix {base}"),
        )),
        Err(message) => Err(ReadError::malformed(start, message)),
    }
}
