//! Printing numbers and characters the way SBCL's `PRIN1` does.
//!
//! - [`rational`]: integers and ratios under `*PRINT-BASE*` and `*PRINT-RADIX*`;
//! - [`float`]: single and double floats (shortest round-trip digits, SBCL's layout);
//! - [`character`]: `#\` syntax with SBCL's character names.
//! - [`pretty`]: the pretty printer's line breaking.

mod character;
mod float;
pub mod pretty;
mod rational;

#[cfg(test)]
mod tests;

pub use character::format_char_readably;
pub use float::{format_double, format_single};
pub use rational::{format_fixnum, format_integer, format_ratio};
