//! Character names, as SBCL spells them: the names `#\` accepts and the names the printer
//! uses for characters that are not printed as themselves.

use std::borrow::Cow;

use super::graphic_names::GRAPHIC_NAMES;
use super::unicode_names;

/// SBCL's names for the control characters, Space and the C1 controls (`CHAR-NAME`).
const NAMES: &[(u32, &str)] = &[
    (0, "Nul"),
    (1, "Soh"),
    (2, "Stx"),
    (3, "Etx"),
    (4, "Eot"),
    (5, "Enq"),
    (6, "Ack"),
    (7, "Bel"),
    (8, "Backspace"),
    (9, "Tab"),
    (10, "Newline"),
    (11, "Vt"),
    (12, "Page"),
    (13, "Return"),
    (14, "So"),
    (15, "Si"),
    (16, "Dle"),
    (17, "Dc1"),
    (18, "Dc2"),
    (19, "Dc3"),
    (20, "Dc4"),
    (21, "Nak"),
    (22, "Syn"),
    (23, "Etb"),
    (24, "Can"),
    (25, "Em"),
    (26, "Sub"),
    (27, "Esc"),
    (28, "Fs"),
    (29, "Gs"),
    (30, "Rs"),
    (31, "Us"),
    (32, "Space"),
    (127, "Rubout"),
    (128, "C80"),
    (129, "C81"),
    (130, "Break-Permitted"),
    (131, "No-Break-Permitted"),
    (132, "C84"),
    (133, "Next-Line"),
    (134, "Start-Selected-Area"),
    (135, "End-Selected-Area"),
    (136, "Character-Tabulation-Set"),
    (137, "Character-Tabulation-With-Justification"),
    (138, "Line-Tabulation-Set"),
    (139, "Partial-Line-Forward"),
    (140, "Partial-Line-Backward"),
    (141, "Reverse-Linefeed"),
    (142, "Single-Shift-Two"),
    (143, "Single-Shift-Three"),
    (144, "Device-Control-String"),
    (145, "Private-Use-One"),
    (146, "Private-Use-Two"),
    (147, "Set-Transmit-State"),
    (148, "Cancel-Character"),
    (149, "Message-Waiting"),
    (150, "Start-Guarded-Area"),
    (151, "End-Guarded-Area"),
    (152, "Start-String"),
    (153, "C99"),
    (154, "Single-Character-Introducer"),
    (155, "Control-Sequence-Introducer"),
    (156, "String-Terminator"),
    (157, "Operating-System-Command"),
    (158, "Privacy-Message"),
    (159, "Application-Program-Command"),
];

/// Other names `#\` accepts (SBCL's and the semi-standard ones).
const ALIASES: &[(u32, &str)] = &[
    (0, "Null"),
    (8, "Bs"),
    (9, "Ht"),
    (10, "Linefeed"),
    (10, "Lf"),
    (10, "Nl"),
    (12, "Ff"),
    (12, "Form-Feed"),
    (13, "Cr"),
    (27, "Escape"),
    (27, "Altmode"),
    (32, "Sp"),
    (127, "Del"),
    (127, "Delete"),
    (160, "No-break_space"),
    (160, "Nbsp"),
];

/// The name the printer uses for `c`, or `None` when `c` prints as itself: SBCL names the
/// control characters, Space, and everything from Latin-1's no-break space up.
pub(crate) fn char_name(c: char) -> Option<Cow<'static, str>> {
    let code = u32::from(c);
    match find_name(NAMES, code) {
        Some(name) => Some(Cow::Borrowed(name)),
        None if code < 160 => None,
        None => Some(graphic_name(c)),
    }
}

/// `CHAR-NAME`: the printer's names, and Unicode's for ASCII's graphic characters.
pub(crate) fn lisp_char_name(c: char) -> Cow<'static, str> {
    match find_name(NAMES, u32::from(c)) {
        Some(name) => Cow::Borrowed(name),
        None => graphic_name(c),
    }
}

/// The name of a graphic character: Unicode's (prefixed by `UNICODE_` where it is one of
/// the control characters' names, as U+1F5CF's `PAGE` is), else `U` and its code.
fn graphic_name(c: char) -> Cow<'static, str> {
    let code = u32::from(c);
    if let Some(name) = find_name(GRAPHIC_NAMES, code) {
        return Cow::Borrowed(name);
    }
    match unicode_names::name(c) {
        Some(name) if NAMES.iter().any(|(_, n)| n.eq_ignore_ascii_case(&name)) => {
            Cow::Owned(format!("{UNICODE_PREFIX}{name}"))
        }
        Some(name) => Cow::Owned(name),
        None => Cow::Owned(format!("U{code:X}")),
    }
}

/// What [`graphic_name`] puts before a Unicode name that is a control character's too.
const UNICODE_PREFIX: &str = "UNICODE_";

fn find_name(table: &[(u32, &'static str)], code: u32) -> Option<&'static str> {
    table
        .iter()
        .find(|(named, _)| *named == code)
        .map(|(_, name)| *name)
}

/// The character named `name` (case-insensitive): by one of SBCL's names or aliases, as
/// `U+XXXX` or `UXXXX`, or by its Unicode name spelled as [`char_name`] spells it.
pub(crate) fn name_char(name: &str) -> Option<char> {
    NAMES
        .iter()
        .chain(ALIASES)
        .chain(GRAPHIC_NAMES)
        .find(|(_, known)| known.eq_ignore_ascii_case(name))
        .and_then(|(code, _)| char::from_u32(*code))
        .or_else(|| code_named(name))
        .or_else(|| unicode_named(name))
}

/// The character `U+XXXX` or `UXXXX` names.
fn code_named(name: &str) -> Option<char> {
    let hex = name
        .strip_prefix(['U', 'u'])
        .map(|rest| rest.strip_prefix('+').unwrap_or(rest))?;
    if hex.is_empty() || hex.len() > 8 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// The character whose printed name is `name`: Unicode's lookup is looser than SBCL's
/// (it ignores spaces, underscores and hyphens), so what it finds must print that way.
fn unicode_named(name: &str) -> Option<char> {
    let bare = match name.get(..UNICODE_PREFIX.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(UNICODE_PREFIX) => {
            &name[UNICODE_PREFIX.len()..]
        }
        _ => name,
    };
    unicode_names::named(bare).filter(|c| lisp_char_name(*c).eq_ignore_ascii_case(name))
}
