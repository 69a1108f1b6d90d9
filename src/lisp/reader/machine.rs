//! The iterative reader: every open list, vector and prefix (`'`, `` ` ``, `,`, `#'`,
//! `#.`, `#+`, `#-`) is a frame on an explicit stack, bounded by
//! [`ReadOptions::max_depth`]. Completed data are handed to the innermost frame until one
//! reaches the top level.

use super::dispatch::{self, Dispatched, WrapKind};
use super::source::Cursor;
use super::token;
use super::{Datum, ReadError, ReadOptions, features};

/// Where a dotted list is in its `. tail` part.
#[derive(Debug, PartialEq, Eq)]
enum Dot {
    None,
    /// After the `.`, waiting for the tail.
    AwaitingTail,
    /// The tail was read; only `)` may follow.
    Done,
}

/// An open construct waiting for data.
enum Frame {
    List {
        start: usize,
        items: Vec<Datum>,
        dot: Dot,
        tail: Option<Datum>,
    },
    Vector {
        start: usize,
        items: Vec<Datum>,
        length: Option<usize>,
    },
    Wrap {
        start: usize,
        kind: WrapKind,
        /// For `,` and `,@`: whether the backquote level was lowered (to restore it).
        lowered: bool,
    },
    /// `#+` (`positive`) or `#-`, waiting for the feature expression, which is read
    /// unsuppressed (`saved_suppress` restores the level after it).
    Feature {
        start: usize,
        positive: bool,
        saved_suppress: usize,
    },
    /// Discards the next datum (a `#+`/`#-` whose test failed).
    Skip { start: usize },
}

impl Frame {
    fn start(&self) -> usize {
        match self {
            Frame::List { start, .. }
            | Frame::Vector { start, .. }
            | Frame::Wrap { start, .. }
            | Frame::Feature { start, .. }
            | Frame::Skip { start } => *start,
        }
    }

    fn eof_message(&self) -> &'static str {
        match self {
            Frame::List { .. } => "end of input inside a list",
            Frame::Vector { .. } => "end of input inside a vector",
            Frame::Wrap { kind, .. } => match kind {
                WrapKind::Quote => "end of input after '",
                WrapKind::Function => "end of input after #'",
                WrapKind::Backquote => "end of input after `",
                WrapKind::Unquote => "end of input after ,",
                WrapKind::UnquoteSplicing => "end of input after ,@",
                WrapKind::ReadEval => "end of input after #.",
                WrapKind::Discard => "end of input inside a skipped form",
                WrapKind::Array(_) => "end of input after #A",
                WrapKind::Pathname => "end of input after #P",
            },
            Frame::Feature { .. } => "end of input in a feature expression",
            Frame::Skip { .. } => "end of input before the form #+ or #- applies to",
        }
    }
}

struct Machine<'a, 'o> {
    cur: Cursor<'a>,
    options: &'o ReadOptions,
    stack: Vec<Frame>,
    /// How many `Skip` frames are open (outside feature expressions): while positive,
    /// data are read but not checked or kept (like `*READ-SUPPRESS*`).
    suppress: usize,
    /// How many backquotes enclose the current position.
    backquote: usize,
}

/// Reads one datum from `text` at byte offset `start`, returning it and the offset just
/// after it; see [`super::read_one`].
pub(super) fn read(
    text: &str,
    start: usize,
    options: &ReadOptions,
) -> Result<Option<(Datum, usize)>, ReadError> {
    if start > text.len() {
        return Ok(None);
    }
    if !text.is_char_boundary(start) {
        return Err(ReadError::malformed(
            start,
            "start position is inside a character",
        ));
    }
    let mut machine = Machine {
        cur: Cursor::new(text, start),
        options,
        stack: Vec::new(),
        suppress: 0,
        backquote: 0,
    };
    machine.run()
}

impl Machine<'_, '_> {
    fn run(&mut self) -> Result<Option<(Datum, usize)>, ReadError> {
        loop {
            self.cur.skip_trivia()?;
            let start = self.cur.pos;
            let Some(c) = self.cur.peek() else {
                return match self.stack.last() {
                    None => Ok(None),
                    Some(frame) => Err(ReadError::incomplete(frame.start(), frame.eof_message())),
                };
            };
            let produced = match c {
                '(' => {
                    self.cur.bump();
                    self.open(Frame::List {
                        start,
                        items: Vec::new(),
                        dot: Dot::None,
                        tail: None,
                    })?;
                    None
                }
                ')' => {
                    self.cur.bump();
                    Some(self.close(start)?)
                }
                '\'' => {
                    self.cur.bump();
                    self.open_wrap(start, WrapKind::Quote)?;
                    None
                }
                '`' => {
                    self.cur.bump();
                    self.open_wrap(start, WrapKind::Backquote)?;
                    None
                }
                ',' => {
                    self.cur.bump();
                    let kind = if self.cur.peek() == Some('@') {
                        self.cur.bump();
                        WrapKind::UnquoteSplicing
                    } else {
                        WrapKind::Unquote
                    };
                    self.open_wrap(start, kind)?;
                    None
                }
                '"' => {
                    self.cur.bump();
                    Some(Datum::String(self.string(start)?))
                }
                '#' => {
                    self.cur.bump();
                    let suppress = self.suppress > 0;
                    match dispatch::dispatch(&mut self.cur, start, self.options, suppress)? {
                        Dispatched::Datum(datum) => Some(datum),
                        Dispatched::Wrap(kind) => {
                            self.open_wrap(start, kind)?;
                            None
                        }
                        Dispatched::Vector(length) => {
                            self.open(Frame::Vector {
                                start,
                                items: Vec::new(),
                                length,
                            })?;
                            None
                        }
                        Dispatched::Feature(positive) => {
                            self.open(Frame::Feature {
                                start,
                                positive,
                                saved_suppress: self.suppress,
                            })?;
                            self.suppress = 0;
                            None
                        }
                        Dispatched::Nothing => None,
                    }
                }
                _ => self.token(start)?,
            };
            if let Some(datum) = produced
                && let Some(done) = self.deliver(datum)?
            {
                return Ok(Some((done, self.cur.pos)));
            }
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), ReadError> {
        if self.stack.len() >= self.options.max_depth {
            return Err(ReadError::malformed(
                frame.start(),
                format!("nesting deeper than {}", self.options.max_depth),
            ));
        }
        if matches!(frame, Frame::Skip { .. }) {
            self.suppress += 1;
        }
        self.stack.push(frame);
        Ok(())
    }

    fn open_wrap(&mut self, start: usize, kind: WrapKind) -> Result<(), ReadError> {
        let mut lowered = false;
        match kind {
            WrapKind::Backquote => self.backquote += 1,
            WrapKind::Unquote | WrapKind::UnquoteSplicing => {
                if self.backquote > 0 {
                    self.backquote -= 1;
                    lowered = true;
                } else if self.suppress == 0 {
                    return Err(ReadError::malformed(start, "comma not inside a backquote"));
                }
            }
            _ => {}
        }
        self.open(Frame::Wrap {
            start,
            kind,
            lowered,
        })
    }

    /// Reads a token: the consing dot, a number or a symbol.
    fn token(&mut self, start: usize) -> Result<Option<Datum>, ReadError> {
        let token = token::read_token(&mut self.cur, self.options)?;
        if token.is_consing_dot() {
            return match self.stack.last_mut() {
                Some(Frame::List { items, dot, .. }) => match dot {
                    Dot::None if items.is_empty() && self.suppress == 0 => Err(
                        ReadError::malformed(start, "nothing appears before . in list"),
                    ),
                    Dot::None => {
                        *dot = Dot::AwaitingTail;
                        Ok(None)
                    }
                    _ => Err(ReadError::malformed(start, "too many dots in list")),
                },
                _ => Err(ReadError::malformed(start, "dot context error")),
            };
        }
        if self.suppress > 0 {
            return Ok(Some(Datum::nil()));
        }
        token::interpret(&token, self.options).map(Some)
    }

    /// Reads the rest of a string whose `"` (at `start`) was consumed.
    fn string(&mut self, start: usize) -> Result<String, ReadError> {
        let mut out = String::new();
        loop {
            match self.cur.bump() {
                None => {
                    return Err(ReadError::incomplete(start, "end of input inside a string"));
                }
                Some('"') => return Ok(out),
                Some('\\') => match self.cur.bump() {
                    Some(c) => out.push(c),
                    None => {
                        return Err(ReadError::incomplete(start, "end of input inside a string"));
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// Handles `)` at `position`: closes the innermost list or vector.
    fn close(&mut self, position: usize) -> Result<Datum, ReadError> {
        match self.stack.pop() {
            Some(Frame::List {
                items, dot, tail, ..
            }) => {
                if dot == Dot::AwaitingTail {
                    return Err(ReadError::malformed(
                        position,
                        "nothing appears after . in list",
                    ));
                }
                Ok(Datum::List {
                    items,
                    tail: tail.map(Box::new),
                })
            }
            Some(Frame::Vector {
                start,
                mut items,
                length,
            }) => {
                if let Some(length) = length {
                    if items.len() > length {
                        return Err(ReadError::malformed(
                            start,
                            format!("more than {length} items in #{length}(...)"),
                        ));
                    }
                    if let Some(last) = items.last().cloned() {
                        items.resize(length, last);
                    } else if length > 0 {
                        return Err(ReadError::malformed(
                            start,
                            format!("no items to fill #{length}()"),
                        ));
                    }
                }
                Ok(Datum::Vector(items))
            }
            Some(frame) => Err(ReadError::malformed(
                position,
                format!(
                    "unexpected ) where a form was expected ({})",
                    frame.eof_message().trim_start_matches("end of input ")
                ),
            )),
            None => Err(ReadError::malformed(
                position,
                "unmatched close parenthesis",
            )),
        }
    }

    /// Gives a completed datum to the innermost frame, completing frames as needed.
    /// Returns the datum when it completes a top-level form.
    fn deliver(&mut self, datum: Datum) -> Result<Option<Datum>, ReadError> {
        let mut datum = datum;
        loop {
            let Some(frame) = self.stack.last_mut() else {
                return Ok(Some(datum));
            };
            match frame {
                Frame::List {
                    start,
                    items,
                    dot,
                    tail,
                } => {
                    match dot {
                        Dot::None => items.push(datum),
                        Dot::AwaitingTail => {
                            *tail = Some(datum);
                            *dot = Dot::Done;
                        }
                        Dot::Done if self.suppress > 0 => {}
                        Dot::Done => {
                            return Err(ReadError::malformed(
                                *start,
                                "more than one object follows . in list",
                            ));
                        }
                    }
                    return Ok(None);
                }
                Frame::Vector { items, .. } => {
                    items.push(datum);
                    return Ok(None);
                }
                Frame::Wrap { kind, lowered, .. } => {
                    let (kind, lowered) = (*kind, *lowered);
                    self.stack.pop();
                    datum = match kind {
                        WrapKind::Quote => quoted("QUOTE", datum),
                        WrapKind::Function => quoted("FUNCTION", datum),
                        WrapKind::Backquote => {
                            self.backquote = self.backquote.saturating_sub(1);
                            Datum::Backquote(Box::new(datum))
                        }
                        WrapKind::Unquote | WrapKind::UnquoteSplicing => {
                            if lowered {
                                self.backquote += 1;
                            }
                            if kind == WrapKind::Unquote {
                                Datum::Unquote(Box::new(datum))
                            } else {
                                Datum::UnquoteSplicing(Box::new(datum))
                            }
                        }
                        WrapKind::ReadEval => Datum::ReadEval(Box::new(datum)),
                        WrapKind::Pathname => Datum::Pathname(Box::new(datum)),
                        WrapKind::Discard => Datum::nil(),
                        WrapKind::Array(rank) => Datum::Array {
                            rank,
                            contents: Box::new(datum),
                        },
                    };
                }
                Frame::Feature {
                    start,
                    positive,
                    saved_suppress,
                } => {
                    let (start, positive) = (*start, *positive);
                    self.suppress = *saved_suppress;
                    self.stack.pop();
                    let keep = features::evaluate(&datum, &self.options.features)
                        .map_err(|message| ReadError::malformed(start, message))?
                        == positive;
                    if !keep {
                        self.open(Frame::Skip { start })?;
                    }
                    return Ok(None);
                }
                Frame::Skip { .. } => {
                    self.stack.pop();
                    self.suppress = self.suppress.saturating_sub(1);
                    return Ok(None);
                }
            }
        }
    }
}

fn quoted(head: &str, datum: Datum) -> Datum {
    Datum::List {
        items: vec![Datum::symbol(head), datum],
        tail: None,
    }
}
