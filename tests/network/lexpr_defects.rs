//! Why `wire::reader` exists: `lexpr`'s parser, even with `Options::elisp()`, cannot read what
//! Emacs sends, and it recurses on nesting, up to a fixed 128 levels. Each assertion pins one
//! defect; if a future lexpr fixes them, this test fails and the choice can be revisited.

use lexpr::parse::Options;
use swankd::wire::reader::{ReaderLimits, read_datum};

fn lexpr_reads(text: &str) -> bool {
    lexpr::from_str_custom(text, Options::elisp()).is_ok()
}

#[test]
fn lexpr_elisp_parser_rejects_what_emacs_sends() {
    // `#'x` is how Emacs prints (function x) (protocol brief, 8.1).
    assert!(!lexpr_reads("(a 'b #'c)"));
    assert!(!lexpr_reads("#'c"));
    // Emacs backslash-escapes special characters in symbol names: `has\ space`, `\123`.
    assert!(!lexpr_reads(r"has\ space"));
    // Inside a list it is silently misread as two symbols, `has\` and `space`.
    let misread = lexpr::from_str_custom(r"(f has\ space)", Options::elisp()).unwrap();
    assert_eq!(misread.list_iter().map(|items| items.count()), Some(3));
    // Strings follow Elisp escapes, while swank reads them with Common Lisp rules, where a
    // backslash only quotes the next character (brief 3.3: `"hello\n"` arrives as `hellon`).
    assert_eq!(
        lexpr::from_str_custom(r#""a\nb""#, Options::elisp()).unwrap(),
        lexpr::Value::string("a\nb")
    );

    // swankd's reader handles all of them.
    let limits = ReaderLimits::default();
    assert!(read_datum("(a 'b #'c)", &limits).is_ok());
    assert_eq!(
        read_datum(r"has\ space", &limits).unwrap(),
        lexpr::Value::symbol(r"has\ space")
    );
    let read = read_datum(r"(f has\ space)", &limits).unwrap();
    assert_eq!(read.list_iter().map(|items| items.count()), Some(2));
    assert_eq!(
        read_datum(r#""a\nb""#, &limits).unwrap(),
        lexpr::Value::string("anb")
    );
}

#[test]
fn lexpr_parser_recurses_on_nesting_where_swankd_reader_is_bounded() {
    // lexpr's parser is a recursive descent with a fixed limit of 128 levels: deeper lists,
    // which Common Lisp code can hold, cannot be read at all, and with its frames (larger in
    // a debug build) even that depth needs a big stack.
    let nested = |depth: usize| format!("{}{}", "(".repeat(depth), ")".repeat(depth));
    let lexpr_error = lexpr::from_str_custom(&nested(200), Options::elisp())
        .err()
        .map(|error| error.to_string());
    assert!(
        lexpr_error
            .as_deref()
            .is_some_and(|error| error.starts_with("recursion limit exceeded")),
        "lexpr read 200 nested lists ({lexpr_error:?}); its fixed recursion limit is no longer a defect"
    );
    // swankd's reader is iterative: it reads the same on a small stack, and refuses 100 000
    // levels with an error at its configurable depth limit.
    let outcome = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let limits = ReaderLimits::default();
            (
                read_datum(&nested(200), &limits).is_ok(),
                read_datum(&nested(100_000), &limits).is_err(),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(
        outcome,
        (true, true),
        "swankd's reader must read 200 levels and refuse nesting past its limit"
    );
}
