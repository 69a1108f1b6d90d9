//! The pretty printer's input: printed text interleaved with the logical-block structure
//! and the conditional newlines and indentation changes that say where lines may break.
//!
//! A [`Document`] is built front to back, as the printer walks a value, and knows nothing of
//! line widths; `lines` decides where it breaks.

/// The kinds of `PPRINT-NEWLINE`, plus the newlines inside printed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewlineKind {
    /// Breaks when the enclosing logical block does not fit on one line.
    Linear,
    /// Breaks when what follows up to the next newline does not fit, or when the line
    /// before was broken.
    Fill,
    /// Breaks like `Linear`, but only in miser style.
    Miser,
    /// Always breaks.
    Mandatory,
    /// A newline character inside printed text: breaks, keeps trailing spaces, and starts
    /// the next line without indentation.
    Literal,
}

impl NewlineKind {
    /// Whether the newline breaks whatever the layout decides.
    pub fn is_forced(self) -> bool {
        matches!(self, NewlineKind::Mandatory | NewlineKind::Literal)
    }
}

/// What `PPRINT-INDENT` measures from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndentFrom {
    /// The column where the innermost logical block's contents start.
    Block,
    /// The column the output has reached.
    Current,
}

/// `PPRINT-TAB`: where a tab moves the output to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tab {
    /// Columns count from the start of the section (the last newline or block start)
    /// instead of the line.
    pub section: bool,
    /// Move by `column` columns instead of to column `column`.
    pub relative: bool,
    pub column: usize,
    pub increment: usize,
}

impl Tab {
    /// How many spaces the tab prints at `column`, its section starting at `section_start`.
    pub fn width(&self, column: usize, section_start: usize) -> usize {
        let origin = if self.section { section_start } else { 0 };
        let position = column.saturating_sub(origin);
        if self.relative {
            let mut width = self.column;
            if self.increment > 1 {
                let past = (position + width) % self.increment;
                if past != 0 {
                    width += self.increment - past;
                }
            }
            width
        } else if position < self.column {
            self.column - position
        } else if self.increment == 0 {
            0
        } else {
            self.increment - (position - self.column) % self.increment
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// Text without newlines.
    Text(String),
    /// The start of a logical block; its prefix is the `Text` before it.
    Begin {
        /// Printed again at the start of every line inside the block.
        per_line_prefix: Option<String>,
        /// Printed after the block's `End` (kept here for `*PRINT-LINES*` abbreviation).
        suffix: String,
    },
    End,
    Newline(NewlineKind),
    Indent(IndentFrom, isize),
    Tab(Tab),
}

/// Printed output waiting to be broken into lines.
#[derive(Debug, Default, Clone)]
pub struct Document {
    pub(super) tokens: Vec<Token>,
    open_blocks: Vec<String>,
    /// Width of the text since the last literal newline (or the start).
    tail_width: usize,
    /// Bytes of text held.
    text_bytes: usize,
    /// Whether the text has a literal newline.
    has_literal_newline: bool,
    /// The document goes inside a logical block open elsewhere: its newlines, indentation
    /// and tabs count outside its own blocks too.
    nested: bool,
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    /// A document to be appended inside a logical block open in another.
    pub fn nested() -> Document {
        Document {
            nested: true,
            ..Document::default()
        }
    }

    /// Whether newlines, indentation and tabs added now take effect (inside a block).
    pub fn in_block(&self) -> bool {
        self.nested || !self.open_blocks.is_empty()
    }

    /// Appends text; its newline characters become literal newlines.
    pub fn text(&mut self, text: &str) {
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.plain_text(first);
        }
        for line in lines {
            self.literal_newline();
            self.plain_text(line);
        }
    }

    fn literal_newline(&mut self) {
        self.tokens.push(Token::Newline(NewlineKind::Literal));
        self.tail_width = 0;
        self.has_literal_newline = true;
    }

    fn plain_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.tail_width += text.chars().count();
        self.text_bytes += text.len();
        if let Some(Token::Text(last)) = self.tokens.last_mut() {
            last.push_str(text);
        } else {
            self.tokens.push(Token::Text(text.to_string()));
        }
    }

    /// Starts a logical block: prints `prefix` and remembers `suffix` for `end_block`.
    /// With `per_line`, the prefix starts every line inside the block too.
    pub fn begin_block(&mut self, prefix: &str, per_line: bool, suffix: &str) {
        self.text(prefix);
        self.tokens.push(Token::Begin {
            per_line_prefix: per_line.then(|| prefix.to_string()),
            suffix: suffix.to_string(),
        });
        self.open_blocks.push(suffix.to_string());
    }

    /// Ends the innermost logical block and prints its suffix, which it returns; does
    /// nothing outside one.
    pub fn end_block(&mut self) -> Option<String> {
        let suffix = self.open_blocks.pop()?;
        self.tokens.push(Token::End);
        self.text(&suffix);
        Some(suffix)
    }

    /// Ends every block still open (the printing stopped early).
    pub fn end_all_blocks(&mut self) {
        while !self.open_blocks.is_empty() {
            self.end_block();
        }
    }

    /// A conditional newline; outside every logical block it is ignored, as in CL.
    pub fn newline(&mut self, kind: NewlineKind) {
        if self.in_block() {
            self.tokens.push(Token::Newline(kind));
        }
    }

    /// Sets the indentation of the innermost logical block's later lines.
    pub fn indent(&mut self, from: IndentFrom, columns: isize) {
        if self.in_block() {
            self.tokens.push(Token::Indent(from, columns));
        }
    }

    /// The document's text when it is nothing but text without newlines, which needs no
    /// laying out (atoms).
    pub fn only_text(&self) -> Option<&str> {
        match self.tokens.as_slice() {
            [] => Some(""),
            [Token::Text(text)] => Some(text),
            _ => None,
        }
    }

    /// A tab; outside every logical block it is ignored.
    pub fn tab(&mut self, tab: Tab) {
        if self.in_block() {
            self.tokens.push(Token::Tab(tab));
        }
    }

    /// The document's text on one line (its literal newlines kept).
    pub fn flat_text(&self) -> String {
        let mut text = String::with_capacity(self.text_bytes);
        for token in &self.tokens {
            match token {
                Token::Text(part) => text.push_str(part),
                Token::Newline(NewlineKind::Literal) => text.push('\n'),
                _ => {}
            }
        }
        text
    }

    /// How many bytes of text the document holds.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// How many logical blocks are open.
    pub fn depth(&self) -> usize {
        self.open_blocks.len()
    }

    /// Adds `other`'s tokens after these (its blocks must be closed).
    pub fn append(&mut self, other: Document) {
        for token in other.tokens {
            match token {
                Token::Text(text) => self.plain_text(&text),
                Token::Newline(NewlineKind::Literal) => self.literal_newline(),
                token => self.tokens.push(token),
            }
        }
    }

    /// The column the text ends at when it starts at `start` and no conditional newline
    /// breaks.
    pub fn flat_column(&self, start: usize) -> usize {
        if self.has_literal_newline {
            self.tail_width
        } else {
            start + self.tail_width
        }
    }
}
