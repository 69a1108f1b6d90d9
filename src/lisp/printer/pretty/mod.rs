//! The pretty printer's engine: logical blocks, conditional newlines and indentation, and
//! the line breaking that lays them out within `*PRINT-RIGHT-MARGIN*` as SBCL does.
//!
//! - [`document`]: what the printer produces (text, blocks, newlines, indentation);
//! - [`lines`]: where the lines break.
//!
//! Which layout a form gets (DEFUN, LET, a function call...) is the printer's business
//! (`print/pretty_forms.rs`); this engine knows only blocks and newlines.

mod document;
mod lines;

#[cfg(test)]
mod tests;

pub use document::{Document, IndentFrom, NewlineKind, Tab};
pub use lines::{LineSettings, lay_out};
