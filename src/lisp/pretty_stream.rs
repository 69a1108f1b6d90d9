//! Streams inside `PPRINT-LOGICAL-BLOCK`: while a logical block is open on a stream, what is
//! written to it gathers in a pretty-printing document (with the block's newlines and
//! indentation), and the outermost block's end lays the document out into lines and writes
//! it to the stream.

use super::printer::pretty::{Document, LineSettings, lay_out};
use super::stream::advance_column;

/// The logical blocks open on one stream and the output they hold.
#[derive(Debug, Default)]
pub struct PrettyStream {
    document: Document,
    /// The column the stream was at when the outermost block opened.
    start_column: usize,
    /// The column the gathered output has reached, as if no conditional newline broke.
    column: usize,
    /// The output is held for a caller (see `holding`), never laid out here.
    held: bool,
}

impl PrettyStream {
    pub fn new(start_column: usize) -> PrettyStream {
        PrettyStream {
            document: Document::new(),
            start_column,
            column: start_column,
            held: false,
        }
    }

    /// A stream whose output is held as a document inside the logical blocks of whatever
    /// prints it (a `PRINT-OBJECT` method's output, see `print_object.rs`).
    pub fn holding() -> PrettyStream {
        PrettyStream {
            document: Document::nested(),
            held: true,
            ..PrettyStream::default()
        }
    }

    pub fn into_document(self) -> Document {
        self.document
    }

    pub fn write(&mut self, text: &str) {
        self.document.text(text);
        self.column = advance_column(self.column, text);
    }

    /// Adds what the printer made of a value, blocks and newlines included.
    pub fn append(&mut self, printed: Document) {
        self.column = printed.flat_column(self.column);
        self.document.append(printed);
    }

    /// How much text the stream holds until its outermost block ends.
    pub fn held_bytes(&self) -> usize {
        self.document.text_bytes()
    }

    pub fn column(&self) -> usize {
        self.column
    }

    pub fn depth(&self) -> usize {
        self.document.depth()
    }

    pub fn document_mut(&mut self) -> &mut Document {
        &mut self.document
    }

    /// Ends the innermost block; once none is open, the laid-out output to write.
    pub fn end_block(&mut self, settings: impl FnOnce(usize) -> LineSettings) -> Option<String> {
        if let Some(suffix) = self.document.end_block() {
            self.column = advance_column(self.column, &suffix);
        }
        (self.document.depth() == 0 && !self.held)
            .then(|| lay_out(&self.document, &settings(self.start_column)))
    }
}
