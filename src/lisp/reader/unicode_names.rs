//! Unicode's names for the characters beyond Latin-1 (from the `unicode_names2` tables),
//! spelled as SBCL's `char-name` spells them: spaces as underscores, and `U` and the code in
//! hexadecimal for a character without a name of its own (unassigned, private use,
//! surrogates, and the CJK unified ideographs, whose Unicode names are only their codes).
//!
//! The tables follow a newer Unicode than SBCL 2.2.9's, so the characters assigned since
//! then have names here where SBCL gives their code.

/// Names that are only `CJK UNIFIED IDEOGRAPH-` and the code: SBCL gives the code alone.
const UNNAMED_PREFIX: &str = "CJK_UNIFIED_IDEOGRAPH-";

/// `c`'s Unicode name with underscores, or `None` when it has none of its own.
pub(super) fn name(c: char) -> Option<String> {
    let name = unicode_names2::name(c)?.to_string().replace(' ', "_");
    (!name.starts_with(UNNAMED_PREFIX)).then_some(name)
}

/// The character whose Unicode name is `name` (with underscores or spaces, in any case).
pub(super) fn named(name: &str) -> Option<char> {
    // Every Unicode name starts with a letter or a digit.
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    unicode_names2::character(name)
}
