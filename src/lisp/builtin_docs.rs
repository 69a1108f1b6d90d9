//! Docstrings for the Common Lisp operators and variables that have none of their own
//! (the builtins written in Rust, the special operators, the standard variables): what
//! `documentation`, `describe`, SLIME's describe commands, apropos and the inspector show.
//!
//! `builtin_docs.txt` holds them, written for swankd. An entry is a header line `KIND
//! NAME` (KIND is `function`, `macro`, `special` or `variable`; NAME a symbol of
//! COMMON-LISP) followed by the docstring, each of its lines indented by two spaces;
//! blank lines separate entries and lines starting with `;` are comments.
//! `tests/builtin_docs.rs` checks that every entry names something of its kind that
//! swankd defines, and that everything COMMON-LISP defines has a docstring.
//!
//! A docstring written with a definition wins: `install` only fills empty ones, and a
//! later `defun` replaces (or clears) it as for any function.

use super::boot_text::{BootText, boot_text};
use super::builtin_arglists::is_special_operator_name;
use super::image::Image;
use super::value::Value;

const DOCS: BootText = boot_text!("src/lisp/builtin_docs.txt");

/// What an entry documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Function,
    Macro,
    SpecialOperator,
    Variable,
}

impl Kind {
    fn parse(word: &str) -> Option<Kind> {
        match word {
            "function" => Some(Kind::Function),
            "macro" => Some(Kind::Macro),
            "special" => Some(Kind::SpecialOperator),
            "variable" => Some(Kind::Variable),
            _ => None,
        }
    }
}

/// One docstring of `builtin_docs.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub name: String,
    pub doc: String,
}

/// The entries of `builtin_docs.txt`, and a message for each line that fits no entry.
pub fn entries() -> (Vec<Entry>, Vec<String>) {
    match DOCS.text() {
        Ok(text) => parse(&text),
        Err(damaged) => (Vec::new(), vec![damaged.to_string()]),
    }
}

fn parse(text: &str) -> (Vec<Entry>, Vec<String>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut problems = Vec::new();
    let mut open = false;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            open = false;
        } else if line.starts_with(';') {
            continue;
        } else if let Some(text) = line.strip_prefix("  ") {
            match entries.last_mut() {
                Some(entry) if open => {
                    if !entry.doc.is_empty() {
                        entry.doc.push('\n');
                    }
                    entry.doc.push_str(text.trim_end());
                }
                _ => problems.push(format!("line {}: text outside an entry", number + 1)),
            }
        } else {
            let header = line
                .split_once(' ')
                .and_then(|(kind, name)| Some((Kind::parse(kind)?, name.trim())));
            match header {
                Some((kind, name)) if !name.is_empty() && !name.contains(' ') => {
                    entries.push(Entry {
                        kind,
                        name: name.to_string(),
                        doc: String::new(),
                    });
                    open = true;
                }
                _ => problems.push(format!("line {}: not a `KIND NAME` header", number + 1)),
            }
        }
    }
    for entry in &entries {
        if entry.doc.is_empty() {
            problems.push(format!("{}: no docstring", entry.name));
        }
    }
    (entries, problems)
}

/// Whether `entry` documents something swankd defines: a function, macro or special
/// operator of that name, or a bound or special variable.
pub fn is_defined(image: &Image, entry: &Entry) -> bool {
    let Some(sym) = image.packages.find_external(image.pkg.cl, &entry.name) else {
        return false;
    };
    let symbol = image.heap.symbol(sym);
    let fbound = !matches!(symbol.function, Value::Unbound);
    match entry.kind {
        Kind::Function => fbound && !symbol.is_macro(),
        Kind::Macro => symbol.is_macro(),
        Kind::SpecialOperator => is_special_operator_name(&entry.name),
        Kind::Variable => symbol.special || !matches!(symbol.value, Value::Unbound),
    }
}

/// Gives each defined operator and variable of `builtin_docs.txt` that has no docstring
/// its entry's.
pub fn install(image: &mut Image) {
    let (entries, _) = entries();
    for entry in entries {
        if !is_defined(image, &entry) {
            continue;
        }
        let Some(sym) = image.packages.find_external(image.pkg.cl, &entry.name) else {
            continue;
        };
        let Some(symbol) = image.heap.symbol_mut(sym) else {
            continue;
        };
        let info = symbol.info_mut();
        let slot = match entry.kind {
            Kind::Variable => &mut info.variable_doc,
            _ => &mut info.function_doc,
        };
        if slot.is_none() {
            *slot = Some(entry.doc.into_boxed_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_reports_stray_lines() {
        let text = "; comment\nfunction CAR\n  First line.\n  Second line.\n\n\
                    variable *X*\n  Doc.\nstray\n\n  orphan\n";
        let (entries, problems) = parse(text);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kind, Kind::Function);
        assert_eq!(entries[0].doc, "First line.\nSecond line.");
        assert_eq!(entries[1].kind, Kind::Variable);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
