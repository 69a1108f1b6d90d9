//! Tokens: reading the characters of a token (with `\` single escapes and `|...|` multiple
//! escapes) and interpreting a token as a number or a symbol with an optional package prefix.

use super::number;
use super::source::{Cursor, ends_token};
use super::{Datum, PackagePrefix, ReadError, ReadOptions, SymbolToken};

/// One character of a token and whether it was escaped.
#[derive(Debug, Clone, Copy)]
pub(super) struct TokenChar {
    pub c: char,
    pub escaped: bool,
}

/// The raw characters of a token, not yet case-folded.
#[derive(Debug, Clone, Default)]
pub(super) struct Token {
    pub chars: Vec<TokenChar>,
    /// Byte offset of the token's first character.
    pub start: usize,
    bytes: usize,
    /// `chars.len()` when the last `|...|` closed (it may have added no characters).
    last_bars: Option<usize>,
}

impl Token {
    pub fn new(start: usize) -> Self {
        Token {
            chars: Vec::new(),
            start,
            bytes: 0,
            last_bars: None,
        }
    }

    /// A token from a whole string, honouring escapes but not stopping at terminators.
    pub fn from_raw(raw: &str) -> Self {
        let mut token = Token::new(0);
        let mut chars = raw.chars();
        let mut in_bars = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(next) = chars.next() {
                        token.push(next, true);
                    }
                }
                '|' => {
                    in_bars = !in_bars;
                    token.last_bars = Some(token.chars.len());
                }
                c => token.push(c, in_bars),
            }
        }
        token
    }

    pub fn push(&mut self, c: char, escaped: bool) {
        self.bytes += c.len_utf8();
        self.chars.push(TokenChar { c, escaped });
    }

    pub fn has_escape(&self) -> bool {
        self.last_bars.is_some() || self.chars.iter().any(|tc| tc.escaped)
    }

    /// The characters as written, without case folding.
    pub fn raw_text(&self) -> String {
        self.chars.iter().map(|tc| tc.c).collect()
    }

    /// Whether the token is only unescaped dots.
    pub fn is_all_dots(&self) -> bool {
        self.last_bars.is_none()
            && !self.chars.is_empty()
            && self.chars.iter().all(|tc| tc.c == '.' && !tc.escaped)
    }

    /// Whether the token is exactly one unescaped dot (the consing dot).
    pub fn is_consing_dot(&self) -> bool {
        self.chars.len() == 1 && self.is_all_dots()
    }
}

/// Reads token characters from the cursor into `token` until whitespace, a terminating
/// macro character or the end of text.
pub(super) fn read_token_into(
    cur: &mut Cursor,
    token: &mut Token,
    options: &ReadOptions,
) -> Result<(), ReadError> {
    while let Some(c) = cur.peek() {
        if token.bytes > options.max_token_bytes {
            return Err(ReadError::malformed(
                token.start,
                format!("token longer than {} bytes", options.max_token_bytes),
            ));
        }
        match c {
            '\\' => {
                let at = cur.pos;
                cur.bump();
                match cur.bump() {
                    Some(escaped) => token.push(escaped, true),
                    None => {
                        return Err(ReadError::incomplete(
                            at,
                            "end of input after \\ in a token",
                        ));
                    }
                }
            }
            '|' => {
                let at = cur.pos;
                cur.bump();
                loop {
                    match cur.bump() {
                        None => {
                            return Err(ReadError::incomplete(
                                at,
                                "end of input inside |...| in a token",
                            ));
                        }
                        Some('|') => {
                            token.last_bars = Some(token.chars.len());
                            break;
                        }
                        Some('\\') => match cur.bump() {
                            Some(escaped) => token.push(escaped, true),
                            None => {
                                return Err(ReadError::incomplete(
                                    at,
                                    "end of input inside |...| in a token",
                                ));
                            }
                        },
                        Some(other) => token.push(other, true),
                    }
                }
            }
            c if ends_token(c) => break,
            c => {
                cur.bump();
                token.push(c, false);
            }
        }
    }
    Ok(())
}

/// Reads a whole token starting at the cursor.
pub(super) fn read_token(cur: &mut Cursor, options: &ReadOptions) -> Result<Token, ReadError> {
    let mut token = Token::new(cur.pos);
    read_token_into(cur, &mut token, options)?;
    Ok(token)
}

/// Upcases one character the way `CHAR-UPCASE` does (one character to one character).
pub(super) fn upcase(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn fold(chars: &[TokenChar]) -> String {
    chars
        .iter()
        .map(|tc| if tc.escaped { tc.c } else { upcase(tc.c) })
        .collect()
}

/// Interprets a token as a number (when it has no escapes and numeric syntax) or a symbol.
pub(super) fn interpret(token: &Token, options: &ReadOptions) -> Result<Datum, ReadError> {
    if !token.has_escape() {
        let text = token.raw_text();
        match number::parse(&text, options.read_base) {
            Ok(Some(datum)) => return Ok(datum),
            Ok(None) => {}
            Err(message) => return Err(ReadError::malformed(token.start, message)),
        }
    }
    if token.is_all_dots() {
        let message = if token.chars.len() == 1 {
            "dot context error"
        } else {
            "too many dots"
        };
        return Err(ReadError::malformed(token.start, message));
    }
    symbol(token).map(Datum::Symbol)
}

/// Splits a symbol token at its unescaped package markers.
pub(super) fn symbol(token: &Token) -> Result<SymbolToken, ReadError> {
    let chars = &token.chars;
    let colons: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, tc)| tc.c == ':' && !tc.escaped)
        .map(|(i, _)| i)
        .collect();
    let too_many = || {
        ReadError::malformed(
            token.start,
            format!("too many colons in \"{}\"", token.raw_text()),
        )
    };
    let (package, name_from) = match colons.as_slice() {
        [] => (None, 0),
        [0] => (Some(PackagePrefix::Keyword), 1),
        [0, 1] => (Some(PackagePrefix::Keyword), 2),
        [i] => (Some(PackagePrefix::External(fold(&chars[..*i]))), i + 1),
        [i, j] if *j == i + 1 => (Some(PackagePrefix::Internal(fold(&chars[..*i]))), j + 1),
        _ => return Err(too_many()),
    };
    let escaped_name = token.last_bars.is_some_and(|at| at >= name_from);
    if package.is_some() && name_from >= chars.len() && !escaped_name {
        return Err(ReadError::malformed(
            token.start,
            format!(
                "nothing after the package marker in \"{}\"",
                token.raw_text()
            ),
        ));
    }
    Ok(SymbolToken {
        package,
        name: fold(&chars[name_from..]),
    })
}
