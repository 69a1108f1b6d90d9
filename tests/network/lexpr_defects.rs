//! Why `wire::reader` exists: `lexpr`'s parser, even with `Options::elisp()`, cannot read what
//! Emacs sends, and it recurses on nesting. Each assertion pins one defect; if a future lexpr
//! fixes them, this test fails and the choice can be revisited.

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
    // 100 000 open parentheses fit easily in one frame. On a small stack lexpr's recursive
    // descent overflows (which aborts the whole process, so it is run in a child process);
    // swankd's reader stops at its depth limit with an error.
    let nested = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
    let outcome = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn({
            let nested = nested.clone();
            move || read_datum(&nested, &ReaderLimits::default()).is_err()
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(
        outcome,
        "swankd's reader must refuse nesting past its limit"
    );

    if std::env::var_os("SWANKD_LEXPR_RECURSION_CHILD").is_some() {
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || lexpr_reads(&nested))
            .unwrap();
        let _ = handle.join();
        return;
    }
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lexpr_defects::lexpr_parser_recurses_on_nesting_where_swankd_reader_is_bounded",
            "--nocapture",
        ])
        .env("SWANKD_LEXPR_RECURSION_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(
        !child.status.success() && stderr.contains("overflowed its stack"),
        "lexpr parsed 100 000 nested lists on a 256 KiB stack; its recursion is no longer a defect"
    );
}
