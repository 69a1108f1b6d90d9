//! What Emacs asks about symbols while the user types: completions (`simple-completions`,
//! compound-prefix `completions`, `fuzzy-completions`, `completions-for-keyword`), arglists
//! (`autodoc`, `operator-arglist`) and documentation (`documentation-symbol`,
//! `describe-symbol`, `describe-function`). Builtins and user definitions are treated alike:
//! everything comes from the package tables and the symbols' cells and `SymbolInfo`.

use std::collections::HashSet;

use crate::lisp::builtins::{BuiltinTable, Control, expect_string, keyword_arg, value};
use crate::lisp::error::LispResult;
use crate::lisp::image::Image;
use crate::lisp::object::Object;
use crate::lisp::package::PackageId;
use crate::lisp::printer;
use crate::lisp::reader::{self, Datum, PackagePrefix, ReadOptions};
use crate::lisp::thread::LispThread;
use crate::lisp::value::{SymRef, Value};
use crate::lisp::vm::Vm;

use super::package_name::guess_package;

mod form_template;

pub fn install(table: &mut BuiltinTable, image: &mut Image) -> LispResult<()> {
    let swank = image.pkg.swank;
    let swankd = image.pkg.swankd;
    table.define(
        image,
        swank,
        "SIMPLE-COMPLETIONS",
        (2, Some(2)),
        simple_completions,
    )?;
    table.define(
        image,
        swank,
        "COMPLETIONS",
        (2, Some(2)),
        compound_completions,
    )?;
    table.define(
        image,
        swank,
        "FUZZY-COMPLETIONS",
        (2, None),
        fuzzy_completions,
    )?;
    table.define(
        image,
        swank,
        "FUZZY-COMPLETION-SELECTED",
        (2, Some(2)),
        |_, _, _| value(Value::Nil),
    )?;
    table.define(
        image,
        swank,
        "COMPLETIONS-FOR-KEYWORD",
        (2, Some(2)),
        completions_for_keyword,
    )?;
    table.define(
        image,
        swank,
        "COMPLETE-FORM",
        (1, Some(1)),
        form_template::complete_form,
    )?;
    table.define(
        image,
        swank,
        "COMPLETIONS-FOR-CHARACTER",
        (1, Some(1)),
        completions_for_character,
    )?;
    table.define(
        image,
        swank,
        "DOCUMENTATION-SYMBOL",
        (1, Some(2)),
        documentation_symbol,
    )?;
    // SWANK:DESCRIBE-SYMBOL (prelude.lisp) adds what clos.lisp knows to this.
    table.define(
        image,
        swankd,
        "%DESCRIBE-SYMBOL",
        (1, Some(1)),
        describe_symbol,
    )?;
    table.define(
        image,
        swank,
        "DESCRIBE-FUNCTION",
        (1, Some(1)),
        describe_function,
    )?;
    table.define(image, swankd, "%AUTODOC", (1, Some(1)), autodoc)?;
    table.define(
        image,
        swankd,
        "%OPERATOR-ARGLIST",
        (2, Some(2)),
        operator_arglist,
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Packages and names

/// The request's `*package*`.
fn current_package(vm: &Vm, thread: &LispThread) -> PackageId {
    vm.symbol_value(thread, vm.image.sym.package_var)
        .ok()
        .and_then(|p| match vm.image.object(p) {
            Some(Object::Package(id)) => Some(*id),
            _ => None,
        })
        .unwrap_or(vm.image.pkg.cl_user)
}

/// A PACKAGE argument: a name as Emacs sends it, or NIL for the request's package.
fn package_arg(vm: &Vm, thread: &LispThread, arg: Value) -> PackageId {
    match vm.image.as_str(arg) {
        Some(name) => guess_package(&vm.image, Some(name)),
        None => current_package(vm, thread),
    }
}

fn find_package(image: &Image, name: &str) -> Option<PackageId> {
    let id = image
        .packages
        .find(name)
        .or_else(|| image.packages.find(&name.to_uppercase()))?;
    let package = image.packages.get(id);
    let live = image.packages.find(&package.name) == Some(id);
    live.then_some(id)
}

/// Every symbol accessible in a package: its own, then the external symbols of the packages
/// it uses that none of its own shadow.
fn accessible_symbols(image: &Image, id: PackageId) -> Vec<SymRef> {
    let package = image.packages.get(id);
    let mut seen: HashSet<&str> = HashSet::new();
    let mut symbols = Vec::new();
    for (name, sym) in &package.present {
        seen.insert(name);
        symbols.push(*sym);
    }
    for used in &package.uses {
        let used = image.packages.get(*used);
        for name in &used.external {
            if seen.insert(name)
                && let Some(sym) = used.present.get(name)
            {
                symbols.push(*sym);
            }
        }
    }
    symbols
}

fn external_symbols(image: &Image, id: PackageId) -> Vec<SymRef> {
    let package = image.packages.get(id);
    package
        .external
        .iter()
        .filter_map(|name| package.present.get(name).copied())
        .collect()
}

/// The symbol a name typed in Emacs denotes (`foo`, `pkg:foo`, `pkg::foo`, `:foo`, `|Foo|`),
/// looked up without interning anything.
fn find_named_symbol(image: &Image, text: &str, current: PackageId) -> Option<SymRef> {
    let datum = reader::parse_symbol_token(text.trim(), &ReadOptions::default()).ok()?;
    let Datum::Symbol(token) = &datum else {
        return None;
    };
    let found = |id| {
        image
            .packages
            .find_symbol(id, &token.name)
            .map(|(sym, _)| sym)
    };
    match &token.package {
        None => found(current),
        Some(PackagePrefix::Keyword) => found(image.pkg.keyword),
        Some(PackagePrefix::Uninterned) => None,
        Some(PackagePrefix::External(name)) => image
            .packages
            .find_external(find_package(image, name)?, &token.name),
        Some(PackagePrefix::Internal(name)) => found(find_package(image, name)?),
    }
}

/// A symbol name as SLIME shows it: in lower case when the reader would fold it back to the
/// name, otherwise between bars.
fn shown_name(name: &str) -> String {
    let plain = !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_lowercase() || c.is_whitespace() || "()'\"`;|\\,:".contains(c));
    if plain {
        name.to_lowercase()
    } else {
        format!("|{}|", name.replace('\\', "\\\\").replace('|', "\\|"))
    }
}

/// `shown` in the case the user typed: upper case when what was typed has no lower-case
/// letters (`:S` and `:` complete to `:START`), as swank does.
fn in_typed_case(typed: &str, shown: String) -> String {
    let upper = !typed.chars().any(char::is_lowercase);
    if upper && !shown.starts_with('|') {
        shown.to_uppercase()
    } else {
        shown
    }
}

fn same_letter(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// Whether `prefix` starts `text`, ignoring case.
fn prefix_match(prefix: &str, text: &str) -> bool {
    let mut text = text.chars();
    prefix
        .chars()
        .all(|p| text.next().is_some_and(|t| same_letter(p, t)))
}

/// Swank's compound-prefix match: each `-`-separated part of `prefix` starts the
/// corresponding part of `target` (`m-v-l` matches `multiple-value-list`).
fn compound_prefix_match(prefix: &str, target: &str) -> bool {
    let target: Vec<char> = target.chars().collect();
    let mut at = 0;
    for p in prefix.chars() {
        if at == target.len() {
            return false;
        }
        if p == '-' {
            match target[at..].iter().position(|&c| c == '-') {
                Some(offset) => at += offset + 1,
                None => return false,
            }
        } else if same_letter(p, target[at]) {
            at += 1;
        } else {
            return false;
        }
    }
    true
}

fn longest_common_prefix<S: AsRef<str>>(strings: &[S]) -> String {
    let Some(first) = strings.first() else {
        return String::new();
    };
    let mut end = first.as_ref().len();
    for other in &strings[1..] {
        let common = first
            .as_ref()
            .char_indices()
            .zip(other.as_ref().chars())
            .find(|((_, a), b)| a != b)
            .map(|((i, _), _)| i)
            .unwrap_or_else(|| first.as_ref().len().min(other.as_ref().len()));
        end = end.min(common);
    }
    first.as_ref()[..end].to_string()
}

/// The longest prefix shared part by `-`-separated part, the last part being the common
/// prefix of the first parts that differ (`multiple-value-list`, `multiple-values-limit`
/// → `multiple-value`).
fn longest_compound_prefix(strings: &[String]) -> String {
    let parts: Vec<Vec<&str>> = strings.iter().map(|s| s.split('-').collect()).collect();
    let columns = parts.iter().map(Vec::len).min().unwrap_or(0);
    let mut prefix = Vec::new();
    for column in 0..columns {
        let words: Vec<&str> = parts.iter().map(|p| p[column]).collect();
        if words.iter().all(|w| *w == words[0]) {
            prefix.push(words[0].to_string());
        } else {
            prefix.push(longest_common_prefix(&words));
            break;
        }
    }
    prefix.join("-")
}

// ---------------------------------------------------------------------------------------
// Completions

/// A prefix as typed: `name`, `pkg:name`, `pkg::name` or `:name`.
#[derive(Debug, PartialEq)]
struct Typed<'a> {
    package: Option<&'a str>,
    internal: bool,
    name: &'a str,
}

impl<'a> Typed<'a> {
    fn parse(text: &'a str) -> Typed<'a> {
        match text.split_once(':') {
            None => Typed {
                package: None,
                internal: false,
                name: text,
            },
            Some((package, rest)) => match rest.strip_prefix(':') {
                Some(name) => Typed {
                    package: Some(package),
                    internal: true,
                    name,
                },
                None => Typed {
                    package: Some(package),
                    internal: false,
                    name: rest,
                },
            },
        }
    }

    /// `shown` with the package prefix the user typed.
    fn qualify(&self, shown: &str) -> String {
        match self.package {
            None => shown.to_string(),
            Some(package) => {
                let colons = if self.internal { "::" } else { ":" };
                format!("{package}{colons}{shown}")
            }
        }
    }

    /// The symbols this prefix can complete to: a package-qualified prefix looks at that
    /// package's external symbols (all accessible ones after `::`), `:` at keywords.
    fn candidates(&self, image: &Image, default: PackageId) -> Vec<SymRef> {
        match self.package {
            None => accessible_symbols(image, default),
            Some("") => external_symbols(image, image.pkg.keyword),
            Some(name) => match find_package(image, name) {
                None => Vec::new(),
                Some(id) if self.internal => accessible_symbols(image, id),
                Some(id) => external_symbols(image, id),
            },
        }
    }
}

fn matching_strings(
    image: &Image,
    typed: &Typed,
    default: PackageId,
    matches: fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut strings: Vec<String> = typed
        .candidates(image, default)
        .into_iter()
        .map(|sym| image.symbol_name(sym))
        .filter(|name| matches(typed.name, name))
        .map(|name| {
            let shown = shown_name(&name);
            if typed.name.is_empty() {
                shown
            } else {
                in_typed_case(typed.name, shown)
            }
        })
        .filter(|shown| matches(typed.name, shown))
        .map(|shown| typed.qualify(&shown))
        .collect();
    strings.sort();
    strings.dedup();
    strings
}

fn string_list(image: &mut Image, strings: &[String]) -> LispResult<Value> {
    let mut items = Vec::with_capacity(strings.len());
    for s in strings {
        items.push(image.string(s.as_str())?);
    }
    Ok(image.list(&items)?)
}

/// `(simple-completions PREFIX PACKAGE)` → `(COMPLETIONS LONGEST-COMMON-PREFIX)`.
fn simple_completions(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let prefix = expect_string(&vm.image, a[0])?;
    let package = package_arg(vm, thread, a[1]);
    let typed = Typed::parse(&prefix);
    let strings = matching_strings(&vm.image, &typed, package, prefix_match);
    let common = longest_common_prefix(&strings);
    let list = string_list(&mut vm.image, &strings)?;
    let common = vm.image.string(common)?;
    value(vm.image.list(&[list, common])?)
}

/// `(completions PREFIX PACKAGE)`, swank-c-p-c's compound prefixes: symbols, and package
/// names (`swank:`) when no package was typed. NIL when nothing matches.
fn compound_completions(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let prefix = expect_string(&vm.image, a[0])?;
    let package = package_arg(vm, thread, a[1]);
    let typed = Typed::parse(&prefix);
    let mut strings = matching_strings(&vm.image, &typed, package, compound_prefix_match);
    if typed.package.is_none() {
        let image = &vm.image;
        for id in image.packages.ids() {
            let package = image.packages.get(id);
            if image.packages.find(&package.name) != Some(id) {
                continue;
            }
            for name in std::iter::once(&package.name).chain(&package.nicknames) {
                if compound_prefix_match(typed.name, name) {
                    strings.push(format!("{}:", name.to_lowercase()));
                }
            }
        }
        strings.sort();
        strings.dedup();
    }
    if strings.is_empty() {
        return value(Value::Nil);
    }
    let common = longest_compound_prefix(&strings);
    let list = string_list(&mut vm.image, &strings)?;
    let common = vm.image.string(common)?;
    value(vm.image.list(&[list, common])?)
}

/// How well a name matches what the user typed, and which parts matched.
#[derive(Debug, PartialEq)]
struct FuzzyMatch {
    score: f64,
    /// Runs of matched characters: (character offset, text).
    chunks: Vec<(usize, String)>,
}

/// Scores `name` against `pattern`, ignoring case; `None` unless the pattern's characters
/// all occur in `name` in order.
///
/// A prefix match scores `50 + 50 * |pattern| / |name|` (100 for the whole name). Any other
/// match takes each pattern character at its first occurrence after the previous one and
/// scores `40 * (|pattern| / |name|) / runs`, `runs` being the number of runs of adjacent
/// matched characters: always below every prefix match, and higher the fewer gaps it has.
fn fuzzy_match(pattern: &str, name: &str) -> Option<FuzzyMatch> {
    let name_chars: Vec<char> = name.chars().collect();
    let pattern_len = pattern.chars().count();
    let ratio = if name_chars.is_empty() {
        1.0
    } else {
        pattern_len as f64 / name_chars.len() as f64
    };
    if prefix_match(pattern, name) {
        let chunks = if pattern_len == 0 {
            Vec::new()
        } else {
            vec![(0, name_chars[..pattern_len].iter().collect())]
        };
        return Some(FuzzyMatch {
            score: 50.0 + 50.0 * ratio,
            chunks,
        });
    }
    let mut chunks: Vec<(usize, String)> = Vec::new();
    let mut at = 0;
    for p in pattern.chars() {
        let offset = name_chars[at..].iter().position(|&c| same_letter(p, c))?;
        let index = at + offset;
        match chunks.last_mut() {
            Some((start, text)) if *start + text.chars().count() == index => {
                text.push(name_chars[index])
            }
            _ => chunks.push((index, name_chars[index].to_string())),
        }
        at = index + 1;
    }
    Some(FuzzyMatch {
        score: 40.0 * ratio / chunks.len().max(1) as f64,
        chunks,
    })
}

/// Swank's 8-letter classification, one position per letter of `bfgctmsp`: bound,
/// fbound, generic function, class, type specifier, macro, special operator, package name.
/// swankd has no generic functions, classes, type specifiers of symbols of their own, or
/// special operators with a function cell, so those positions stay `-`.
fn classification(image: &Image, sym: SymRef) -> String {
    let symbol = image.heap.symbol(sym);
    let flag = |on: bool, letter: char| if on { letter } else { '-' };
    [
        flag(!matches!(symbol.value, Value::Unbound), 'b'),
        flag(!matches!(symbol.function, Value::Unbound), 'f'),
        '-',
        '-',
        '-',
        flag(symbol.is_macro(), 'm'),
        '-',
        flag(find_package(image, &symbol.name).is_some(), 'p'),
    ]
    .iter()
    .collect()
}

/// `(fuzzy-completions STRING PACKAGE &key limit time-limit-in-msec)` →
/// `(((COMPLETION SCORE CHUNKS FLAGS) ...) NIL)`, best first (see [`fuzzy_match`]).
fn fuzzy_completions(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let text = expect_string(&vm.image, a[0])?;
    let package = package_arg(vm, thread, a[1]);
    let limit = match keyword_arg(&mut vm.image, &a[2..], "LIMIT")? {
        Some(Value::Fixnum(n)) if n > 0 => n as usize,
        _ => usize::MAX,
    };
    let typed = Typed::parse(&text);
    let image = &vm.image;
    let mut found: Vec<(String, FuzzyMatch, SymRef)> = Vec::new();
    let mut seen = HashSet::new();
    for sym in typed.candidates(image, package) {
        let shown = shown_name(&image.symbol_name(sym));
        if let Some(mut m) = fuzzy_match(typed.name, &shown) {
            let completion = typed.qualify(&shown);
            let offset = completion.chars().count() - shown.chars().count();
            for chunk in &mut m.chunks {
                chunk.0 += offset;
            }
            if seen.insert(completion.clone()) {
                found.push((completion, m, sym));
            }
        }
    }
    found.sort_by(|x, y| y.1.score.total_cmp(&x.1.score).then_with(|| x.0.cmp(&y.0)));
    found.truncate(limit);
    let mut entries = Vec::with_capacity(found.len());
    for (completion, m, sym) in found {
        let flags = classification(&vm.image, sym);
        let mut chunks = Vec::with_capacity(m.chunks.len());
        for (offset, text) in m.chunks {
            let text = vm.image.string(text)?;
            chunks.push(vm.image.list(&[Value::Fixnum(offset as i64), text])?);
        }
        let completion = vm.image.string(completion)?;
        let score = vm.image.string(format!("{:.2}", m.score))?;
        let chunks = vm.image.list(&chunks)?;
        let flags = vm.image.string(flags)?;
        entries.push(vm.image.list(&[completion, score, chunks, flags])?);
    }
    let entries = vm.image.list(&entries)?;
    value(vm.image.list(&[entries, Value::Nil])?)
}

/// `(completions-for-keyword ":te" RAW-FORM)`: the keyword arguments the operator around
/// the cursor accepts that start with what was typed, or NIL without an arglist.
/// The character names Common Lisp defines (CLHS 13.1.7), which completion after `#\\`
/// offers, as swank does.
const CHARACTER_NAMES: &[&str] = &[
    "Newline",
    "Space",
    "Tab",
    "Page",
    "Rubout",
    "Linefeed",
    "Return",
    "Backspace",
];

/// `(completions-for-character "R")`: `(("Return" "Rubout") "R")`.
fn completions_for_character(vm: &mut Vm, _: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let typed = expect_string(&vm.image, a[0])?;
    let mut names: Vec<String> = CHARACTER_NAMES
        .iter()
        .filter(|name| prefix_match(&typed, name))
        .map(|name| name.to_string())
        .collect();
    names.sort();
    let common = longest_common_prefix(&names);
    let list = string_list(&mut vm.image, &names)?;
    let common = vm.image.string(common)?;
    value(vm.image.list(&[list, common])?)
}

fn completions_for_keyword(
    vm: &mut Vm,
    thread: &mut LispThread,
    a: &[Value],
) -> LispResult<Control> {
    let typed = expect_string(&vm.image, a[0])?;
    let raw = Raw::from_value(&vm.image, a[1], 0);
    let current = current_package(vm, thread);
    let Some((lambda, _)) = raw
        .levels()
        .iter()
        .rev()
        .find_map(|level| operator_lambda_list(&vm.image, level, current))
    else {
        return value(Value::Nil);
    };
    let list = LambdaList::analyze(&lambda);
    let mut strings: Vec<String> = list
        .key
        .iter()
        .filter_map(|&i| key_name(&lambda[i]))
        .map(|name| in_typed_case(&typed, format!(":{}", shown_name(name))))
        .filter(|s| prefix_match(&typed, s))
        .collect();
    strings.sort();
    strings.dedup();
    let common = longest_common_prefix(&strings);
    let list = string_list(&mut vm.image, &strings)?;
    let common = vm.image.string(common)?;
    value(vm.image.list(&[list, common])?)
}

// ---------------------------------------------------------------------------------------
// Arglists

/// The lambda list `sym`'s function or macro was defined with, if it has one.
fn lambda_list(image: &Image, sym: SymRef) -> Option<Vec<Datum>> {
    let symbol = image.heap.symbol(sym);
    if matches!(symbol.function, Value::Unbound)
        && !is_special_operator(image, sym)
        && !is_compiled_macro(image, sym)
    {
        return None;
    }
    let text = symbol.info.as_ref()?.arglist.as_deref()?;
    let (datum, _) = reader::read_one(text, 0, &ReadOptions::default()).ok()??;
    match &datum {
        Datum::Symbol(token) if token.name == "NIL" && token.package.is_none() => Some(Vec::new()),
        Datum::List { items, tail } => {
            let mut items = items.clone();
            if let Some(tail) = tail {
                items.push(Datum::symbol("&REST"));
                items.push((**tail).clone());
            }
            Some(items)
        }
        _ => None,
    }
}

/// DEFUN and the other macros of SBCL the compiler handles itself (they have lambda lists
/// for the editor, though they are not fbound).
fn is_compiled_macro(image: &Image, sym: SymRef) -> bool {
    let name = &image.heap.symbol(sym).name;
    image.packages.find_external(image.pkg.cl, name) == Some(sym)
        && crate::lisp::builtin_arglists::is_compiled_macro_name(name)
}

fn is_special_operator(image: &Image, sym: SymRef) -> bool {
    image
        .packages
        .find_external(image.pkg.cl, &image.heap.symbol(sym).name)
        == Some(sym)
        && crate::lisp::builtin_arglists::is_special_operator_name(&image.heap.symbol(sym).name)
}

fn lambda_keyword(datum: &Datum) -> Option<&str> {
    match datum {
        Datum::Symbol(token) if token.package.is_none() && token.name.starts_with('&') => {
            Some(&token.name)
        }
        _ => None,
    }
}

/// The name of the keyword a `&key` parameter takes: `x`, `(x 1)`, `((:k x) 1)`.
fn key_name(datum: &Datum) -> Option<&str> {
    match datum {
        Datum::Symbol(token) => Some(&token.name),
        Datum::List { items, .. } => match items.first()? {
            Datum::Symbol(token) => Some(&token.name),
            Datum::List { items, .. } => match items.first()? {
                Datum::Symbol(token) => Some(&token.name),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The parameters of a lambda list by kind, as indexes into it.
#[derive(Debug, Default)]
struct LambdaList {
    required: Vec<usize>,
    optional: Vec<usize>,
    rest: Option<usize>,
    has_key: bool,
    key: Vec<usize>,
}

impl LambdaList {
    fn analyze(items: &[Datum]) -> LambdaList {
        #[derive(PartialEq)]
        enum Section {
            Required,
            Optional,
            Rest,
            Key,
            Aux,
        }
        let mut list = LambdaList::default();
        let mut section = Section::Required;
        let mut i = 0;
        while i < items.len() {
            match lambda_keyword(&items[i]) {
                Some("&OPTIONAL") => section = Section::Optional,
                Some("&REST" | "&BODY") => section = Section::Rest,
                Some("&KEY") => {
                    section = Section::Key;
                    list.has_key = true;
                }
                Some("&AUX") => section = Section::Aux,
                Some("&WHOLE" | "&ENVIRONMENT") => i += 1,
                Some(_) => {}
                None => match section {
                    Section::Required => list.required.push(i),
                    Section::Optional => list.optional.push(i),
                    Section::Rest => {
                        list.rest.get_or_insert(i);
                    }
                    Section::Key => list.key.push(i),
                    Section::Aux => {}
                },
            }
            i += 1;
        }
        list
    }
}

/// What Emacs sends as the form around point: tokens as strings, nested forms as lists,
/// and `swank::%cursor-marker%` where the cursor is.
#[derive(Debug, Clone, PartialEq)]
enum Raw {
    Token(String),
    Form(Vec<Raw>),
    Cursor,
}

/// Emacs parses at most 10 levels; deeper input is cut off here.
const MAX_RAW_DEPTH: usize = 64;

impl Raw {
    fn from_value(image: &Image, v: Value, depth: usize) -> Raw {
        if let Some(text) = image.as_str(v) {
            return Raw::Token(text.to_string());
        }
        match v {
            Value::Nil => Raw::Form(Vec::new()),
            Value::Cons(_) if depth < MAX_RAW_DEPTH => Raw::Form(
                image
                    .list_to_vec(v)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|item| Raw::from_value(image, item, depth + 1))
                    .collect(),
            ),
            Value::Symbol(sym) if &*image.symbol_name(sym) == "%CURSOR-MARKER%" => Raw::Cursor,
            Value::Symbol(sym) => Raw::Token(image.symbol_name(sym).to_string()),
            _ => Raw::Token(String::new()),
        }
    }

    fn holds_cursor(&self) -> bool {
        match self {
            Raw::Cursor => true,
            Raw::Form(items) => items.iter().any(Raw::holds_cursor),
            Raw::Token(_) => false,
        }
    }

    /// The forms from this one down to the innermost that holds the cursor.
    fn levels(&self) -> Vec<&[Raw]> {
        let mut levels = Vec::new();
        let mut form = self;
        while let Raw::Form(items) = form {
            levels.push(items.as_slice());
            match items.iter().find(|item| item.holds_cursor()) {
                Some(inner @ Raw::Form(_)) => form = inner,
                _ => break,
            }
        }
        levels
    }
}

/// The argument the cursor is on: the one holding it, or the one just before it (`""` is
/// the new argument after a space). `None` right after the operator.
fn current_argument(args: &[Raw]) -> Option<usize> {
    let at = args.iter().position(Raw::holds_cursor)?;
    match args[at] {
        Raw::Cursor => at.checked_sub(1),
        _ => Some(at),
    }
}

/// The path (indexes into nested lambda lists) of the parameter the cursor's argument
/// binds, if any: positional parameters by position, `&key` parameters by the keyword typed
/// before the value (or typed at the cursor), otherwise `&rest`/`&body`.
fn highlight_path(lambda: &[Datum], args: &[Raw]) -> Option<Vec<usize>> {
    let current = current_argument(args)?;
    let list = LambdaList::analyze(lambda);
    let positional = list.required.len() + list.optional.len();
    let target = if current < list.required.len() {
        list.required[current]
    } else if current < positional {
        list.optional[current - list.required.len()]
    } else if list.has_key {
        let keyword_at = if (current - positional) % 2 == 0 {
            current
        } else {
            current - 1
        };
        let typed = match &args[keyword_at] {
            Raw::Token(token) => token.strip_prefix(':'),
            _ => None,
        };
        let named = typed.and_then(|typed| {
            list.key.iter().copied().find(|&i| {
                key_name(&lambda[i]).is_some_and(|name| name.eq_ignore_ascii_case(typed))
            })
        });
        named.or(list.rest)?
    } else {
        list.rest?
    };
    let mut path = vec![target];
    if let (Datum::List { items, tail: None }, Raw::Form(inner)) = (&lambda[target], &args[current])
        && list.required.contains(&target)
        && let Some(inner_path) = highlight_path(items, inner)
    {
        path.extend(inner_path);
    }
    Some(path)
}

/// How lambda lists are printed.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Autodoc: lower case, keywords with their colon, strings quoted, no package prefixes.
    Autodoc,
    /// `PRINC`: names as they are, no prefixes or colons, strings unquoted.
    Princ,
    /// DESCRIBE's `Lambda-list:`: names as they are, keywords with their colon, strings
    /// quoted, no package prefixes.
    Describe,
}

fn render(datum: &Datum, style: Style, out: &mut String) {
    match datum {
        Datum::Symbol(token) => {
            if style != Style::Princ && token.package == Some(PackagePrefix::Keyword) {
                out.push(':');
            }
            if style == Style::Autodoc {
                out.push_str(&token.name.to_lowercase());
            } else {
                out.push_str(&token.name);
            }
        }
        Datum::String(text) if style != Style::Princ => {
            out.push('"');
            out.push_str(&text.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
        Datum::String(text) => out.push_str(text),
        Datum::Integer(n) => out.push_str(&n.to_string()),
        Datum::Ratio(r) => out.push_str(&r.to_string()),
        Datum::Single(f) => out.push_str(&printer::format_single(*f)),
        Datum::Double(f) => out.push_str(&printer::format_double(*f)),
        Datum::Char(c) => out.push_str(&printer::format_char_readably(*c)),
        Datum::List { items, tail } => match (items.as_slice(), tail) {
            ([Datum::Symbol(quote), quoted], None)
                if quote.name == "QUOTE" && quote.package.is_none() =>
            {
                out.push('\'');
                render(quoted, style, out);
            }
            _ => {
                out.push_str(&render_list(items, &[], style));
                if let Some(tail) = tail {
                    out.pop();
                    out.push_str(" . ");
                    render(tail, style, out);
                    out.push(')');
                }
            }
        },
        Datum::Vector(items) => {
            out.push('#');
            out.push_str(&render_list(items, &[], style));
        }
        Datum::Array { rank, contents } => prefixed(&format!("#{rank}A"), contents, style, out),
        Datum::ReadEval(inner) => prefixed("#.", inner, style, out),
        Datum::Pathname(inner) => prefixed("#P", inner, style, out),
        Datum::Backquote(inner) => prefixed("`", inner, style, out),
        Datum::Unquote(inner) => prefixed(",", inner, style, out),
        Datum::UnquoteSplicing(inner) => prefixed(",@", inner, style, out),
    }
}

fn prefixed(prefix: &str, inner: &Datum, style: Style, out: &mut String) {
    out.push_str(prefix);
    render(inner, style, out);
}

/// `(item ...)` with the item at `path` (through nested lists) between `===> ` and ` <===`.
fn render_list(items: &[Datum], path: &[usize], style: Style) -> String {
    let parts: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, item)| match path {
            [target] if *target == i => {
                let mut text = String::new();
                render(item, style, &mut text);
                format!("===> {text} <===")
            }
            [target, rest @ ..] if *target == i => match item {
                Datum::List { items, tail: None } => render_list(items, rest, style),
                _ => {
                    let mut text = String::new();
                    render(item, style, &mut text);
                    text
                }
            },
            _ => {
                let mut text = String::new();
                render(item, style, &mut text);
                text
            }
        })
        .collect();
    format!("({})", parts.join(" "))
}

/// The operator of a form and its lambda list, when the operator is a symbol with one.
fn operator_lambda_list(
    image: &Image,
    level: &[Raw],
    current: PackageId,
) -> Option<(Vec<Datum>, SymRef)> {
    let Raw::Token(name) = level.first()? else {
        return None;
    };
    let sym = find_named_symbol(image, name, current)?;
    Some((lambda_list(image, sym)?, sym))
}

/// The autodoc text for a raw form and whether Emacs may cache it, or `None` when nothing
/// is known (`:not-available`).
fn autodoc_text(vm: &Vm, thread: &LispThread, raw: &Raw) -> Option<(String, bool)> {
    let image = &vm.image;
    let current = current_package(vm, thread);
    let levels = raw.levels();
    if let Some(innermost) = levels.last()
        && let Some(at) = innermost.iter().position(|r| *r == Raw::Cursor)
        && at >= 2
        && let Raw::Token(token) = &innermost[at - 1]
        && let Some(sym) = find_named_symbol(image, token, current)
        && sym != image.sym.t
        && sym != image.sym.nil
        && !image.is_keyword(sym)
        && let Ok(bound) = vm.symbol_value(thread, sym)
    {
        return Some((variable_text(vm, thread, sym, bound), false));
    }
    for level in levels.iter().rev() {
        if let Some((lambda, sym)) = operator_lambda_list(image, level, current) {
            let path = highlight_path(&lambda, &level[1..]).unwrap_or_default();
            let mut items = vec![Datum::symbol(&image.symbol_name(sym))];
            items.extend(lambda);
            let shifted: Vec<usize> = match path.split_first() {
                Some((first, rest)) => std::iter::once(first + 1).chain(rest.iter().copied()),
                None => return Some((render_list(&items, &[], Style::Autodoc), true)),
            }
            .collect();
            return Some((render_list(&items, &shifted, Style::Autodoc), true));
        }
    }
    None
}

/// `NAME => VALUE`, as swank shows a global variable at the cursor (at most 75 characters).
fn variable_text(vm: &Vm, thread: &LispThread, sym: SymRef, bound: Value) -> String {
    let text = format!(
        "{} => {}",
        vm.image.symbol_name(sym),
        vm.prin1_string(thread, bound)
    );
    match text.char_indices().nth(75) {
        Some((end, _)) => text[..end].to_string(),
        None => text,
    }
}

/// `(swankd::%autodoc RAW-FORM)` → `(DOC CACHE-P)`, DOC `:not-available` when unknown.
fn autodoc(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let raw = Raw::from_value(&vm.image, a[0], 0);
    match autodoc_text(vm, thread, &raw) {
        Some((text, cache)) => {
            let text = vm.image.string(text)?;
            let cache = vm.image.boolean(cache);
            value(vm.image.list(&[text, cache])?)
        }
        None => {
            let not_available = Value::Symbol(vm.image.keyword("NOT-AVAILABLE")?);
            let t = vm.image.t();
            value(vm.image.list(&[not_available, t])?)
        }
    }
}

/// `PRINC` of the lambda list: `(A &OPTIONAL (B 2))`.
fn princ_lambda_list(lambda: &[Datum]) -> String {
    render_list(lambda, &[], Style::Princ)
}

/// `(swankd::%operator-arglist NAME PACKAGE)` → `"(name ARGS...)"` (NAME as given, the
/// arguments as `PRINC` shows them), or NIL.
fn operator_arglist(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let name = expect_string(&vm.image, a[0])?;
    let package = package_arg(vm, thread, a[1]);
    let Some(lambda) =
        find_named_symbol(&vm.image, &name, package).and_then(|sym| lambda_list(&vm.image, sym))
    else {
        return value(Value::Nil);
    };
    let args = princ_lambda_list(&lambda);
    let inner = args.trim_start_matches('(').trim_end_matches(')');
    let text = if inner.is_empty() {
        format!("({name})")
    } else {
        format!("({name} {inner})")
    };
    value(vm.image.string(text)?)
}

// ---------------------------------------------------------------------------------------
// Documentation

fn string_reply(vm: &mut Vm, text: String) -> LispResult<Control> {
    value(vm.image.string(text)?)
}

fn no_such_symbol(name: &str) -> String {
    format!("No such symbol, {name}.")
}

/// `(documentation-symbol NAME)`: swank's summary of the symbol's documentation strings.
fn documentation_symbol(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let name = expect_string(&vm.image, a[0])?;
    let current = current_package(vm, thread);
    let Some(sym) = find_named_symbol(&vm.image, &name, current) else {
        return string_reply(vm, no_such_symbol(&name));
    };
    let image = &vm.image;
    let info = image.heap.symbol(sym).info.as_deref();
    let variable_doc = info.and_then(|i| i.variable_doc.clone());
    let function_doc = info.and_then(|i| i.function_doc.clone());
    let mut text = format!(
        "Documentation for the symbol {}:\n\n",
        image.symbol_name(sym)
    );
    if variable_doc.is_none() && function_doc.is_none() {
        text.push_str("Not documented.");
    }
    if let Some(doc) = variable_doc {
        text.push_str(&format!("Variable:\n {doc}\n\n"));
    }
    if let Some(doc) = function_doc {
        let arglist = lambda_list(image, sym)
            .map(|l| princ_lambda_list(&l))
            .unwrap_or_else(|| ":NOT-AVAILABLE".to_string());
        text.push_str(&format!("Function:\n Arglist: {arglist}\n\n {doc}"));
    }
    string_reply(vm, text)
}

/// The symbol printed with its package, as DESCRIBE starts: `COMMON-LISP-USER::FOO`.
fn qualified_name(image: &Image, sym: SymRef) -> String {
    let symbol = image.heap.symbol(sym);
    match symbol.package {
        None => format!("#:{}", symbol.name),
        Some(id) if id == image.pkg.keyword => format!(":{}", symbol.name),
        Some(id) => {
            let package = &image.packages.get(id).name;
            let colons = if image.packages.find_external(id, &symbol.name) == Some(sym) {
                ":"
            } else {
                "::"
            };
            format!("{package}{colons}{}", symbol.name)
        }
    }
}

fn indented(text: &str, indent: &str) -> String {
    text.lines()
        .map(|line| format!("{indent}{line}\n"))
        .collect()
}

/// The function part of a description: lambda list and documentation, each line indented.
fn describe_function_body(image: &Image, sym: SymRef, indent: &str) -> String {
    let symbol = image.heap.symbol(sym);
    let info = symbol.info.as_deref();
    let mut text = String::new();
    if let Some(lambda) = lambda_list(image, sym) {
        let arglist = render_list(&lambda, &[], Style::Describe);
        text.push_str(&format!("{indent}Lambda-list: {arglist}\n"));
    }
    if let Some(doc) = info.and_then(|i| i.function_doc.as_deref()) {
        text.push_str(&format!("{indent}Documentation:\n"));
        text.push_str(&indented(doc, &format!("{indent}  ")));
    }
    text
}

/// `(describe-symbol NAME)`: what DESCRIBE says about the symbol NAME (or the symbol
/// itself, for DESCRIBE).
fn describe_symbol(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let sym = match vm.image.as_symbol(a[0]) {
        Some(sym) => sym,
        None => {
            let name = expect_string(&vm.image, a[0])?;
            let current = current_package(vm, thread);
            match find_named_symbol(&vm.image, &name, current) {
                Some(sym) => sym,
                None => return string_reply(vm, no_such_symbol(&name)),
            }
        }
    };
    let image = &vm.image;
    let symbol = image.heap.symbol(sym);
    let short = symbol.name.to_string();
    let mut text = format!("{}\n  [symbol]\n", qualified_name(image, sym));
    if let Ok(bound) = vm.symbol_value(thread, sym) {
        let kind = if symbol.constant {
            "constant"
        } else if symbol.special {
            "special variable"
        } else {
            "undefined variable"
        };
        text.push_str(&format!(
            "\n{short} names a {kind}:\n  Value: {}\n",
            vm.prin1_string(thread, bound)
        ));
        if let Some(doc) = symbol.info.as_ref().and_then(|i| i.variable_doc.as_deref()) {
            text.push_str("  Documentation:\n");
            text.push_str(&indented(doc, "    "));
        }
    }
    if !matches!(symbol.function, Value::Unbound) {
        let kind = if symbol.is_macro() {
            "macro"
        } else {
            "compiled function"
        };
        text.push_str(&format!("\n{short} names a {kind}:\n"));
        text.push_str(&describe_function_body(image, sym, "  "));
    } else if is_special_operator(image, sym) {
        text.push_str(&format!("\n{short} names a special operator:\n"));
        text.push_str(&describe_function_body(image, sym, "  "));
    }
    string_reply(vm, text)
}

/// `(describe-function NAME)`: what DESCRIBE says about the function (or macro) object.
fn describe_function(vm: &mut Vm, thread: &mut LispThread, a: &[Value]) -> LispResult<Control> {
    let name = expect_string(&vm.image, a[0])?;
    let current = current_package(vm, thread);
    let Some(sym) = find_named_symbol(&vm.image, &name, current) else {
        return string_reply(vm, no_such_symbol(&name));
    };
    let function = vm.image.heap.symbol(sym).function;
    if matches!(function, Value::Unbound) {
        let text = format!("{} is not fbound.", qualified_name(&vm.image, sym));
        return string_reply(vm, text);
    }
    let kind = if vm.image.heap.symbol(sym).is_macro() {
        "macro function"
    } else {
        "compiled function"
    };
    let mut text = format!("{}\n  [{kind}]\n\n\n", vm.prin1_string(thread, function));
    text.push_str(&describe_function_body(&vm.image, sym, ""));
    string_reply(vm, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str) -> Raw {
        Raw::Token(text.to_string())
    }

    fn lambda(text: &str) -> Vec<Datum> {
        match reader::read_one(text, 0, &ReadOptions::default()) {
            Ok(Some((Datum::List { ref items, .. }, _))) => items.clone(),
            other => panic!("not a lambda list: {other:?}"),
        }
    }

    fn doc(operator: &str, lambda_text: &str, args: &[Raw]) -> String {
        let mut items = vec![Datum::symbol(operator)];
        items.extend(lambda(lambda_text));
        let path: Vec<usize> = match highlight_path(&items[1..], args) {
            Some(path) => std::iter::once(path[0] + 1)
                .chain(path[1..].iter().copied())
                .collect(),
            None => Vec::new(),
        };
        render_list(&items, &path, Style::Autodoc)
    }

    #[test]
    fn prefixes_split_like_swank() {
        let t = Typed::parse("cl:comp");
        assert_eq!((t.package, t.internal, t.name), (Some("cl"), false, "comp"));
        let t = Typed::parse("swank::cr");
        assert_eq!((t.package, t.internal, t.name), (Some("swank"), true, "cr"));
        assert_eq!(Typed::parse(":te").package, Some(""));
        assert_eq!(Typed::parse("cl:comp").qualify("compile"), "cl:compile");
        assert_eq!(Typed::parse("dost").qualify("dostuff"), "dostuff");
    }

    #[test]
    fn names_show_in_lower_case_unless_they_need_bars() {
        assert_eq!(shown_name("DOSTUFF"), "dostuff");
        assert_eq!(shown_name("Foo"), "|Foo|");
        assert_eq!(in_typed_case(":S", ":start".into()), ":START");
        assert_eq!(in_typed_case(":s", ":start".into()), ":start");
        assert_eq!(in_typed_case(":", ":start".into()), ":START");
        assert_eq!(in_typed_case("CL:COMP", "compile".into()), "COMPILE");
        assert!(prefix_match("DoS", "dostuff"));
        assert!(!prefix_match("dostuffs", "dostuff"));
    }

    #[test]
    fn compound_prefixes() {
        assert!(compound_prefix_match("m-v-l", "multiple-value-list"));
        assert!(compound_prefix_match("m-v-l", "multiple-values-limit"));
        assert!(compound_prefix_match("m--b", "mule-foo-bar"));
        assert!(!compound_prefix_match("m-v-l", "make-vector"));
        let strings = vec![
            "cl:multiple-value-list".to_string(),
            "cl:multiple-values-limit".to_string(),
        ];
        assert_eq!(longest_compound_prefix(&strings), "cl:multiple-value");
        assert_eq!(longest_common_prefix(&strings), "cl:multiple-value");
        assert_eq!(longest_common_prefix::<String>(&[]), "");
    }

    #[test]
    fn fuzzy_prefix_matches_beat_scattered_ones() {
        let prefix = fuzzy_match("dost", "dostuff").expect("prefix");
        assert_eq!(prefix.chunks, vec![(0, "dost".to_string())]);
        assert!((prefix.score - (50.0 + 50.0 * 4.0 / 7.0)).abs() < 1e-9);
        let scattered = fuzzy_match("dst", "do-stuff").expect("subsequence");
        assert_eq!(
            scattered.chunks,
            vec![(0, "d".to_string()), (3, "st".to_string())]
        );
        assert!(scattered.score < 50.0);
        assert_eq!(fuzzy_match("xyz", "dostuff"), None);
        assert_eq!(
            fuzzy_match("DOSTUFF", "dostuff").map(|m| m.score),
            Some(100.0)
        );
    }

    #[test]
    fn autodoc_highlights_positional_arguments() {
        let lambda_text = "(HOST PORT &KEY BACKLOG)";
        assert_eq!(
            doc("CREATE-SOCKET", lambda_text, &[Raw::Cursor]),
            "(create-socket host port &key backlog)"
        );
        assert_eq!(
            doc("CREATE-SOCKET", lambda_text, &[token(""), Raw::Cursor]),
            "(create-socket ===> host <=== port &key backlog)"
        );
        assert_eq!(
            doc("CREATE-SOCKET", lambda_text, &[token("t"), Raw::Cursor]),
            "(create-socket ===> host <=== port &key backlog)"
        );
        assert_eq!(
            doc(
                "CREATE-SOCKET",
                lambda_text,
                &[token("foo"), token("bar"), token(""), Raw::Cursor]
            ),
            "(create-socket host port &key backlog)"
        );
        assert_eq!(
            doc(
                "SYMBOL-STATUS",
                "(SYMBOL &OPTIONAL (PACKAGE (SYMBOL-PACKAGE SYMBOL)))",
                &[token("foo"), token(""), Raw::Cursor]
            ),
            "(symbol-status symbol &optional ===> (package (symbol-package symbol)) <===)"
        );
        assert_eq!(
            doc(
                "TWICE",
                "(&BODY BODY)",
                &[token("1"), token(""), Raw::Cursor]
            ),
            "(twice &body ===> body <===)"
        );
    }

    #[test]
    fn autodoc_highlights_keys_and_nested_lambda_lists() {
        assert_eq!(
            doc(
                "START-SERVER",
                "(PORT-FILE &KEY (STYLE *STYLE*) (DONT-CLOSE *DONT-CLOSE*))",
                &[
                    token("\"/tmp/foo\""),
                    token(":dont-close"),
                    token(""),
                    Raw::Cursor
                ]
            ),
            "(start-server port-file &key (style *style*) ===> (dont-close *dont-close*) <===)"
        );
        assert_eq!(
            doc(
                "WITH-RETRY-RESTART",
                "((&KEY (MSG \"Retry.\")) &BODY BODY)",
                &[Raw::Form(vec![token(":msg"), token(""), Raw::Cursor])]
            ),
            "(with-retry-restart (&key ===> (msg \"Retry.\") <===) &body body)"
        );
    }

    #[test]
    fn raw_levels_go_down_to_the_cursor() {
        let raw = Raw::Form(vec![
            token("remove-if"),
            Raw::Form(vec![
                token("lambda"),
                Raw::Form(vec![]),
                Raw::Form(vec![token("create-socket"), Raw::Cursor]),
            ]),
        ]);
        let levels = raw.levels();
        assert_eq!(levels.len(), 3);
        assert_eq!(levels[2], &[token("create-socket"), Raw::Cursor][..]);
        assert_eq!(
            current_argument(levels[2].get(1..).unwrap_or_default()),
            None
        );
    }

    #[test]
    fn princ_lambda_lists_keep_names_as_they_are() {
        assert_eq!(
            princ_lambda_list(&lambda("(A &OPTIONAL (B \"x\") &KEY :C)")),
            "(A &OPTIONAL (B x) &KEY C)"
        );
    }
}
