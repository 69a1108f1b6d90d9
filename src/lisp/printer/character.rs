//! Characters in `#\` syntax as SBCL prints them: graphic characters as themselves (Space
//! too: `#\ `), the control characters by their SBCL names (`#\Nul`, `#\Rubout`,
//! `#\Next-Line`...). SBCL prints non-ASCII characters by their Unicode names when its
//! output cannot encode them; swankd always prints them as themselves, which both readers
//! accept.

use super::super::reader::chars::char_name;

/// `c` as `PRIN1` prints it.
pub fn format_char_readably(c: char) -> String {
    if c == ' ' {
        return "#\\ ".to_string();
    }
    match char_name(c) {
        Some(name) => format!("#\\{name}"),
        None => format!("#\\{c}"),
    }
}
