//! Breaking a [`Document`] into lines, with the rules of the Common Lisp pretty printer
//! (Waters' XP, as SBCL implements it).
//!
//! A *section* starts at a logical block or conditional newline and ends at the next
//! conditional newline of the same block or an enclosing one. A block whose section fits on
//! the line prints flat; otherwise its linear newlines break, its fill newlines break when
//! their own section does not fit or the line before them was broken, and its miser
//! newlines break in miser style (when the block starts within `*PRINT-MISER-WIDTH*` of the
//! right margin). Breaking drops the spaces before the break and indents the next line.

use super::document::{Document, IndentFrom, NewlineKind, Tab, Token};

/// The printer variables that shape lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineSettings {
    /// `*PRINT-RIGHT-MARGIN*`: lines end at or before this column.
    pub right_margin: usize,
    /// `*PRINT-MISER-WIDTH*`.
    pub miser_width: Option<usize>,
    /// `*PRINT-LINES*`: past this many lines, output ends with ` ..` and the open suffixes.
    pub max_lines: Option<usize>,
    /// The column the output starts at.
    pub start_column: usize,
}

impl Default for LineSettings {
    fn default() -> Self {
        LineSettings {
            right_margin: 80,
            miser_width: None,
            max_lines: None,
            start_column: 0,
        }
    }
}

/// Where every section ends, and the flat widths to measure sections with.
struct Sections {
    /// Width of the text before each token, as if nothing broke.
    flat_before: Vec<usize>,
    /// Forced newlines before each token.
    forced_before: Vec<usize>,
    /// For block starts and newlines: the token that ends their section.
    section_end: Vec<Option<usize>>,
    /// For block starts: their matching end (or the end of the document).
    block_end: Vec<usize>,
    /// Whether the document has tabs, whose widths depend on where they land.
    has_tabs: bool,
}

impl Sections {
    fn measure(tokens: &[Token]) -> Sections {
        let count = tokens.len();
        let mut flat_before = Vec::with_capacity(count + 1);
        let mut forced_before = Vec::with_capacity(count + 1);
        let mut section_end = vec![None; count];
        let mut block_end = vec![count; count];
        let mut pending: Vec<(usize, usize)> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let (mut width, mut forced) = (0, 0);
        let mut has_tabs = false;
        for (index, token) in tokens.iter().enumerate() {
            flat_before.push(width);
            forced_before.push(forced);
            match token {
                Token::Text(text) => width += text.chars().count(),
                Token::Begin { .. } => {
                    pending.push((index, open.len()));
                    open.push(index);
                }
                Token::End => {
                    if let Some(start) = open.pop() {
                        block_end[start] = index;
                    }
                }
                Token::Newline(kind) => {
                    let depth = open.len();
                    pending.retain(|&(start, start_depth)| {
                        let ends = start_depth >= depth;
                        if ends {
                            section_end[start] = Some(index);
                        }
                        !ends
                    });
                    pending.push((index, depth));
                    if kind.is_forced() {
                        forced += 1;
                    }
                }
                Token::Indent(..) => {}
                Token::Tab(_) => has_tabs = true,
            }
        }
        flat_before.push(width);
        forced_before.push(forced);
        Sections {
            flat_before,
            forced_before,
            section_end,
            block_end,
            has_tabs,
        }
    }

    /// The section's end, or the document's.
    fn end_of_section(&self, index: usize) -> usize {
        self.section_end
            .get(index)
            .copied()
            .flatten()
            .unwrap_or(self.flat_before.len() - 1)
    }

    /// Whether the section starting at `index` fits when it starts at `column`.
    fn fits(&self, index: usize, column: usize, right_margin: usize) -> bool {
        let end = self.end_of_section(index);
        let at = |counts: &[usize], position: usize| counts.get(position).copied().unwrap_or(0);
        let forced_inside =
            at(&self.forced_before, end).saturating_sub(at(&self.forced_before, index + 1));
        let width = at(&self.flat_before, end).saturating_sub(at(&self.flat_before, index));
        forced_inside == 0 && column + width <= right_margin
    }
}

/// A logical block being printed across lines.
struct OpenBlock {
    start_column: usize,
    indentation: usize,
    /// The line the block's current section started on.
    section_start_line: usize,
    /// A per-line prefix and the column it starts at.
    per_line_prefix: Option<(usize, String)>,
    /// Lines in the block are indented at least this far (past the per-line prefixes).
    minimum_indentation: usize,
    suffix: String,
}

struct Layout<'a> {
    settings: &'a LineSettings,
    tokens: &'a [Token],
    /// Where the current section (for tabs) started: the last newline or block start.
    section_start: usize,
    sections: Sections,
    out: String,
    column: usize,
    line: usize,
    /// The block around everything, never ended.
    root: OpenBlock,
    blocks: Vec<OpenBlock>,
}

/// The document's text with its lines broken.
pub fn lay_out(document: &Document, settings: &LineSettings) -> String {
    let tokens = &document.tokens;
    let root = OpenBlock {
        start_column: 0,
        indentation: 0,
        section_start_line: 0,
        per_line_prefix: None,
        minimum_indentation: 0,
        suffix: String::new(),
    };
    let mut layout = Layout {
        settings,
        tokens,
        section_start: settings.start_column,
        sections: Sections::measure(tokens),
        out: String::new(),
        column: settings.start_column,
        line: 0,
        root,
        blocks: Vec::new(),
    };
    let mut index = 0;
    while let Some(token) = tokens.get(index) {
        match token {
            Token::Text(text) => layout.write(text),
            Token::Begin {
                per_line_prefix,
                suffix,
            } => {
                if layout.fits(index) {
                    let end = layout
                        .sections
                        .block_end
                        .get(index)
                        .copied()
                        .unwrap_or(index);
                    layout.write_flat(&tokens[index..end.min(tokens.len())]);
                    index = end + 1;
                    continue;
                }
                layout.start_block(per_line_prefix.as_deref(), suffix);
                layout.section_start = layout.column;
            }
            Token::End => {
                layout.blocks.pop();
            }
            Token::Newline(kind) => {
                if layout.breaks(index, *kind) && !layout.break_line(*kind) {
                    break;
                }
                layout.section_start = layout.column;
            }
            Token::Indent(from, columns) => layout.indent(*from, *columns),
            Token::Tab(tab) => layout.tab(tab),
        }
        index += 1;
    }
    layout.out
}

impl Layout<'_> {
    fn innermost(&self) -> &OpenBlock {
        self.blocks.last().unwrap_or(&self.root)
    }

    fn innermost_mut(&mut self) -> &mut OpenBlock {
        self.blocks.last_mut().unwrap_or(&mut self.root)
    }

    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.chars().count();
    }

    /// The texts (and tabs) of `tokens`, all on this line.
    fn write_flat(&mut self, tokens: &[Token]) {
        for token in tokens {
            match token {
                Token::Text(text) => self.write(text),
                Token::Tab(tab) => self.tab(tab),
                Token::Begin { .. } | Token::Newline(_) => self.section_start = self.column,
                _ => {}
            }
        }
    }

    fn tab(&mut self, tab: &Tab) {
        let width = tab.width(self.column, self.section_start);
        self.write(&" ".repeat(width));
    }

    fn fits(&self, index: usize) -> bool {
        if self.sections.has_tabs {
            return self.fits_with_tabs(index);
        }
        self.sections
            .fits(index, self.column, self.settings.right_margin)
    }

    /// `fits`, walking the section to place its tabs. As in SBCL, a tab counts only when
    /// text follows it within the section.
    fn fits_with_tabs(&self, index: usize) -> bool {
        let end = self.sections.end_of_section(index);
        let mut column = self.column;
        let mut section_start = self.column;
        let mut pending_tabs = 0;
        for token in self.tokens.get(index + 1..end).unwrap_or_default() {
            match token {
                Token::Text(text) => {
                    column += std::mem::take(&mut pending_tabs) + text.chars().count()
                }
                Token::Tab(tab) => pending_tabs += tab.width(column + pending_tabs, section_start),
                Token::Newline(kind) if kind.is_forced() => return false,
                Token::Newline(_) | Token::Begin { .. } => section_start = column,
                _ => {}
            }
            if column > self.settings.right_margin {
                return false;
            }
        }
        column <= self.settings.right_margin
    }

    fn misering(&self) -> bool {
        let start = self.innermost().start_column;
        self.settings
            .miser_width
            .is_some_and(|width| self.settings.right_margin.saturating_sub(start) <= width)
    }

    fn start_block(&mut self, per_line_prefix: Option<&str>, suffix: &str) {
        let column = self.column;
        let inherited = self.innermost().minimum_indentation;
        let per_line_prefix = per_line_prefix.map(|prefix| {
            let width = prefix.chars().count();
            (column.saturating_sub(width), prefix.to_string())
        });
        self.blocks.push(OpenBlock {
            start_column: column,
            indentation: column,
            section_start_line: self.line,
            minimum_indentation: if per_line_prefix.is_some() {
                column
            } else {
                inherited
            },
            per_line_prefix,
            suffix: suffix.to_string(),
        });
    }

    fn breaks(&self, index: usize, kind: NewlineKind) -> bool {
        match kind {
            NewlineKind::Linear | NewlineKind::Mandatory | NewlineKind::Literal => true,
            NewlineKind::Miser => self.misering(),
            NewlineKind::Fill => {
                self.misering()
                    || self.line > self.innermost().section_start_line
                    || !self.fits(index)
            }
        }
    }

    /// Ends the line and indents the next; false once `*PRINT-LINES*` lines are printed.
    fn break_line(&mut self, kind: NewlineKind) -> bool {
        if kind != NewlineKind::Literal {
            let line_start = self.out.rfind('\n').map_or(0, |at| at + 1);
            let kept = self.out[line_start..].trim_end_matches(' ').len();
            self.out.truncate(line_start + kept);
        }
        self.line += 1;
        if self
            .settings
            .max_lines
            .is_some_and(|lines| self.line >= lines)
        {
            self.out.push_str(" ..");
            for block in self.blocks.iter().rev() {
                self.out.push_str(&block.suffix);
            }
            return false;
        }
        self.out.push('\n');
        let block = self.innermost();
        let indentation = if kind == NewlineKind::Literal {
            block.minimum_indentation
        } else {
            block.indentation
        };
        let prefix = self.line_prefix(indentation);
        self.out.push_str(&prefix);
        self.column = indentation;
        // A newline inside printed text does not start a section: the fill newline after
        // it sees a section that spans lines.
        if kind != NewlineKind::Literal {
            let line = self.line;
            self.innermost_mut().section_start_line = line;
        }
        true
    }

    /// Spaces up to `indentation`, with the per-line prefixes of the open blocks in place.
    fn line_prefix(&self, indentation: usize) -> String {
        let mut prefix: Vec<char> = vec![' '; indentation];
        for block in &self.blocks {
            if let Some((column, text)) = &block.per_line_prefix {
                for (offset, c) in text.chars().enumerate() {
                    if let Some(slot) = prefix.get_mut(column + offset) {
                        *slot = c;
                    }
                }
            }
        }
        prefix.into_iter().collect()
    }

    fn indent(&mut self, from: IndentFrom, columns: isize) {
        if self.misering() {
            return;
        }
        let column = self.column;
        let block = self.innermost_mut();
        let base = match from {
            IndentFrom::Block => block.start_column,
            IndentFrom::Current => column,
        };
        let wanted = base.saturating_add_signed(columns);
        block.indentation = wanted.max(block.minimum_indentation);
    }
}
