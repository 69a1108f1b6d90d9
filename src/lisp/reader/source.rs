//! The cursor over the input text: character syntax classes (standard readtable), and
//! skipping whitespace, `;` comments and nested `#| |#` comments.

use super::ReadError;

/// Whitespace[2] in the standard syntax: Space, Tab, Newline (Linefeed), Return, Page.
pub(super) fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Terminating macro characters: they end a token.
pub(super) fn is_terminating_macro(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | ')' | ',' | ';' | '`')
}

/// Whether `c` ends a token (whitespace or a terminating macro character).
pub(super) fn ends_token(c: char) -> bool {
    is_whitespace(c) || is_terminating_macro(c)
}

/// A position in the text, moving forward one character at a time.
pub(super) struct Cursor<'a> {
    pub text: &'a str,
    pub pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str, pos: usize) -> Self {
        Cursor { text, pos }
    }

    /// The next character, without consuming it.
    pub fn peek(&self) -> Option<char> {
        self.text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    /// The character after the next one.
    pub fn peek_second(&self) -> Option<char> {
        let mut chars = self.text.get(self.pos..)?.chars();
        chars.next();
        chars.next()
    }

    /// Consumes and returns the next character.
    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips whitespace and comments. An unterminated `#|` comment is incomplete input.
    pub fn skip_trivia(&mut self) -> Result<(), ReadError> {
        while let Some(c) = self.peek() {
            if is_whitespace(c) {
                self.bump();
            } else if c == ';' {
                while let Some(c) = self.bump() {
                    if c == '\n' {
                        break;
                    }
                }
            } else if c == '#' && self.peek_second() == Some('|') {
                let start = self.pos;
                self.pos += 2;
                self.skip_block_comment(start)?;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Skips the rest of a `#|` comment whose opening (at `start`) was consumed; these
    /// comments nest.
    pub fn skip_block_comment(&mut self, start: usize) -> Result<(), ReadError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.bump() {
                None => {
                    return Err(ReadError::incomplete(
                        start,
                        "end of input inside a #| comment",
                    ));
                }
                Some('|') if self.peek() == Some('#') => {
                    self.bump();
                    depth -= 1;
                }
                Some('#') if self.peek() == Some('|') => {
                    self.bump();
                    depth += 1;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
