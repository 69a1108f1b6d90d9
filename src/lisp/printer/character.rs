//! Characters in `#\` syntax as SBCL prints them: ASCII's graphic characters as themselves
//! (Space too: `#\ `), the control characters by their SBCL names (`#\Nul`, `#\Rubout`,
//! `#\Next-Line`...), and everything from Latin-1's no-break space up by its Unicode name
//! (`#\GREEK_SMALL_LETTER_LAMDA`) or code (`#\U4E2D`).

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
