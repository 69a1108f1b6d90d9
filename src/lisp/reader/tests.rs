//! Unit tests for the reader (expected results checked against SBCL 2.2.9).

use super::*;

/// A compact rendering of a datum for comparisons (recursive: test data are shallow).
fn show(d: &Datum) -> String {
    match d {
        Datum::Integer(n) => n.to_string(),
        Datum::Ratio(q) => format!("{}/{}", q.numer(), q.denom()),
        Datum::Single(f) => format!("{f:?}f"),
        Datum::Double(f) => format!("{f:?}d"),
        Datum::Char(c) => format!("#\\{}", u32::from(*c)),
        Datum::String(s) => format!("{s:?}"),
        Datum::Symbol(SymbolToken { package, name }) => match package {
            None => name.clone(),
            Some(PackagePrefix::Keyword) => format!(":{name}"),
            Some(PackagePrefix::Uninterned) => format!("#:{name}"),
            Some(PackagePrefix::External(p)) => format!("{p}:{name}"),
            Some(PackagePrefix::Internal(p)) => format!("{p}::{name}"),
        },
        Datum::List { items, tail } => {
            let mut parts: Vec<String> = items.iter().map(show).collect();
            if let Some(tail) = tail {
                parts.push(".".into());
                parts.push(show(tail));
            }
            format!("({})", parts.join(" "))
        }
        Datum::Vector(items) => {
            let parts: Vec<String> = items.iter().map(show).collect();
            format!("#({})", parts.join(" "))
        }
        Datum::Array { rank, contents } => format!("#{rank}A{}", show(contents)),
        Datum::ReadEval(x) => format!("#.{}", show(x)),
        Datum::Pathname(x) => format!("#P{}", show(x)),
        Datum::Backquote(x) => format!("`{}", show(x)),
        Datum::Unquote(x) => format!(",{}", show(x)),
        Datum::UnquoteSplicing(x) => format!(",@{}", show(x)),
    }
}

fn opts() -> ReadOptions {
    ReadOptions::default_with_eval(true)
}

fn read(text: &str) -> String {
    match read_one(text, 0, &opts()) {
        Ok(Some((d, _))) => show(&d),
        other => panic!("{text:?} => {other:?}"),
    }
}

fn read_end(text: &str) -> usize {
    match read_one(text, 0, &opts()) {
        Ok(Some((_, end))) => end,
        other => panic!("{text:?} => {other:?}"),
    }
}

fn malformed(text: &str) -> String {
    match read_one(text, 0, &opts()) {
        Err(ReadError::Malformed { message, .. }) => message,
        other => panic!("{text:?} should be malformed: {other:?}"),
    }
}

fn incomplete(text: &str) -> usize {
    match read_one(text, 0, &opts()) {
        Err(ReadError::Incomplete { position, .. }) => position,
        other => panic!("{text:?} should be incomplete: {other:?}"),
    }
}

#[test]
fn integers_in_any_size_and_radix() {
    assert_eq!(read("42"), "42");
    assert_eq!(read("-17"), "-17");
    assert_eq!(read("+5"), "5");
    assert_eq!(read("10."), "10");
    assert_eq!(read("-10."), "-10");
    assert_eq!(
        read("123456789012345678901234567890"),
        "123456789012345678901234567890"
    );
    assert_eq!(read("#x1F"), "31");
    assert_eq!(read("#X-ff"), "-255");
    assert_eq!(read("#b101"), "5");
    assert_eq!(read("#o17"), "15");
    assert_eq!(read("#36rZ"), "35");
    assert_eq!(read("#3r12"), "5");
    assert_eq!(read("#b101/11"), "5/3");
    assert_eq!(read("#x-1f/2"), "-31/2");
    assert!(malformed("#x1G").contains("radix 16"));
    assert!(malformed("#1r0").contains("radix 1"));
    assert!(malformed("#37r0").contains("radix 37"));
}

#[test]
fn read_base_changes_integers_not_floats() {
    let options = ReadOptions {
        read_base: 16,
        ..ReadOptions::default()
    };
    let read16 = |t: &str| show(&read_one(t, 0, &options).unwrap().unwrap().0);
    assert_eq!(read16("ff"), "255");
    assert_eq!(read16("1e5"), "485");
    assert_eq!(read16("10."), "10");
    assert_eq!(read16("1.5"), "1.5f");
    assert_eq!(read16("g"), "G");
}

#[test]
fn ratios_are_normalized() {
    assert_eq!(read("1/2"), "1/2");
    assert_eq!(read("-3/4"), "-3/4");
    assert_eq!(read("4/2"), "2");
    assert_eq!(read("6/4"), "3/2");
    assert_eq!(read("1/-2"), "1/-2");
    assert!(malformed("1/0").contains("division by zero"));
}

#[test]
fn floats() {
    assert_eq!(read("1.0"), "1.0f");
    assert_eq!(read(".5"), "0.5f");
    assert_eq!(read("+.5"), "0.5f");
    assert_eq!(read("-.5e2"), "-50.0f");
    assert_eq!(read("-1.5e3"), "-1500.0f");
    assert_eq!(read("1e10"), "10000000000.0f");
    assert_eq!(read("1.e5"), "100000.0f");
    assert_eq!(read("1E0"), "1.0f");
    assert_eq!(read("1.5s0"), "1.5f");
    assert_eq!(read("1.5f0"), "1.5f");
    assert_eq!(read("1.0d0"), "1.0d");
    assert_eq!(read("1.0l0"), "1.0d");
    assert_eq!(read("0.1d0"), "0.1d");
    assert_eq!(read("-0.0"), "-0.0f");
    assert_eq!(read("1e-50"), "0.0f");
    assert_eq!(read("1d-400"), "0.0d");
    assert_eq!(read("3.4028235e38"), "3.4028235e38f");
    assert_eq!(read("1.7976931348623157d308"), "1.7976931348623157e308d");
    assert_eq!(read("0.30000000000000004d0"), "0.30000000000000004d");
}

#[test]
fn float_overflow_is_an_error() {
    assert!(malformed("1e39").contains("out of range"));
    assert!(malformed("1d309").contains("out of range"));
    assert!(malformed("1e99999999999999999999").contains("out of range"));
}

#[test]
fn symbols_and_packages() {
    assert_eq!(read("foo"), "FOO");
    assert_eq!(read("Foo-Bar"), "FOO-BAR");
    assert_eq!(read("|Foo bar|"), "Foo bar");
    assert_eq!(read("x\\y"), "Xy");
    assert_eq!(read("a|b c|d"), "Ab cD");
    assert_eq!(read("\\1"), "1");
    assert_eq!(read("1\\2"), "12");
    assert_eq!(read("|12|"), "12");
    assert_eq!(read("1+"), "1+");
    assert_eq!(read("+"), "+");
    assert_eq!(read("-"), "-");
    assert_eq!(read("1ee"), "1EE");
    assert_eq!(read("λx"), "ΛX");
    assert_eq!(read(":key"), ":KEY");
    assert_eq!(read("::key"), ":KEY");
    assert_eq!(read("cl:car"), "CL:CAR");
    assert_eq!(read("swank::foo"), "SWANK::FOO");
    assert_eq!(read("|a|:b"), "a:B");
    assert_eq!(read("a\\:b"), "A:B");
    assert_eq!(read("#:g1"), "#:G1");
    assert_eq!(read("#:|x|"), "#:x");
    assert_eq!(read(":||"), ":");
    assert!(malformed("a:b:c").contains("too many colons"));
    assert!(malformed("a:::b").contains("too many colons"));
    assert!(malformed(":a:b").contains("too many colons"));
    assert!(malformed("foo: ").contains("package marker"));
    assert!(malformed("#:a:b").contains("package marker"));
    assert!(malformed("#:123").contains("numeric syntax"));
    assert_eq!(malformed("."), "dot context error");
    assert_eq!(malformed(".."), "too many dots");
    assert_eq!(read("|..|"), "..");
    assert_eq!(read("..a"), "..A");
    // Tokens that look almost numeric are symbols (checked against SBCL).
    for (text, symbol) in [
        (".5.", ".5."),
        ("1.5.", "1.5."),
        ("1e", "1E"),
        ("e5", "E5"),
        (".e5", ".E5"),
        ("-.", "-."),
        ("1.2.3", "1.2.3"),
        ("1/2/3", "1/2/3"),
        ("+.e5", "+.E5"),
        ("1.e", "1.E"),
        ("123d", "123D"),
        ("\\.", "."),
    ] {
        assert_eq!(read(text), symbol, "{text}");
    }
    assert_eq!(read("1.5e+3"), "1500.0f");
    assert_eq!(read("0.5E-2"), "0.005f");
    assert_eq!(read("+1/2"), "1/2");
    assert_eq!(read("#x+1f"), "31");
    assert_eq!(read("#:"), "#:");
    assert_eq!(read("#:|a|b"), "#:aB");
    assert!(malformed("#x1.5").contains("not a rational"));
    assert!(malformed("#xf/0").contains("division by zero"));
    assert!(malformed("(a . b . c)").contains("too many dots"));
    assert!(malformed("#\\Newlinex").contains("unknown character name"));
}

#[test]
fn parse_symbol_token_handles_bare_tokens() {
    let o = ReadOptions::default();
    let p = |t: &str| show(&parse_symbol_token(t, &o).unwrap());
    assert_eq!(p("swank:connection-info"), "SWANK:CONNECTION-INFO");
    assert_eq!(p("swank::%foo"), "SWANK::%FOO");
    assert_eq!(p("12"), "12");
    assert_eq!(p("nil"), "NIL");
    assert_eq!(p("|a b|"), "a b");
    assert_eq!(p("x(y"), "X(Y");
}

#[test]
fn strings_and_characters() {
    assert_eq!(read(r#""a\"b\\c\d""#), r#""a\"b\\cd""#);
    assert_eq!(read("\"λ\""), "\"λ\"");
    for (text, code) in [
        ("#\\a", 97),
        ("#\\A", 65),
        ("#\\(", 40),
        ("#\\)", 41),
        ("#\\ ", 32),
        ("#\\;", 59),
        ("#\\\\", 92),
        ("#\\|", 124),
        ("#\\Space", 32),
        ("#\\space", 32),
        ("#\\SPACE", 32),
        ("#\\Newline", 10),
        ("#\\Linefeed", 10),
        ("#\\Tab", 9),
        ("#\\Return", 13),
        ("#\\Page", 12),
        ("#\\Backspace", 8),
        ("#\\Rubout", 127),
        ("#\\Del", 127),
        ("#\\Nul", 0),
        ("#\\Null", 0),
        ("#\\Escape", 27),
        ("#\\Esc", 27),
        ("#\\Bell", 0x1f514),
        ("#\\greek_small_letter_lamda", 0x3bb),
        ("#\\Unicode_Page", 0x1f5cf),
        ("#\\U4E2D", 0x4e2d),
        ("#\\Bel", 7),
        ("#\\U+41", 65),
        ("#\\u41", 65),
        ("#\\U+3BB", 0x3bb),
        ("#\\λ", 0x3bb),
        ("#\\Next-Line", 133),
    ] {
        assert_eq!(read(text), format!("#\\{code}"), "{text}");
    }
    assert_eq!(read("(#\\a)"), "(#\\97)");
    assert_eq!(read("(#\\))"), "(#\\41)");
    assert!(malformed("#\\abc").contains("unknown character name"));
    assert!(malformed("#\\U+110000").contains("unknown character name"));
    incomplete("#\\");
}

#[test]
fn lists_dots_and_vectors() {
    assert_eq!(read("(a b c)"), "(A B C)");
    assert_eq!(read("()"), "()");
    assert_eq!(read("(a . b)"), "(A . B)");
    assert_eq!(read("(a b . c)"), "(A B . C)");
    assert_eq!(read("(a . (b c))"), "(A . (B C))");
    assert_eq!(read("(a .b)"), "(A .B)");
    assert_eq!(read("(a . b #+nil c)"), "(A . B)");
    assert_eq!(read("(a . #+nil b c)"), "(A . C)");
    assert_eq!(read("#(1 2 (3))"), "#(1 2 (3))");
    assert_eq!(read("#3(a b)"), "#(A B B)");
    assert_eq!(read("#()"), "#()");
    assert!(malformed("( . a)").contains("nothing appears before"));
    assert!(malformed("(a . b c)").contains("more than one object"));
    assert!(malformed("(a .)").contains("nothing appears after"));
    assert!(malformed("(a . . b)").contains("too many dots"));
    assert!(malformed("(a .. b)").contains("too many dots"));
    assert!(malformed("#(a . b)").contains("dot context"));
    assert!(malformed("#1(a b)").contains("more than 1"));
    assert!(malformed(")").contains("unmatched close parenthesis"));
    assert!(malformed("(a ')").contains("unexpected )"));
}

#[test]
fn quote_function_and_backquote() {
    assert_eq!(read("'x"), "(QUOTE X)");
    assert_eq!(read("''x"), "(QUOTE (QUOTE X))");
    assert_eq!(read("#'car"), "(FUNCTION CAR)");
    assert_eq!(read("#'(lambda (x) x)"), "(FUNCTION (LAMBDA (X) X))");
    assert_eq!(read("`(a ,b ,@c)"), "`(A ,B ,@C)");
    assert_eq!(read("`(a `(b ,,c))"), "`(A `(B ,,C))");
    assert_eq!(read("`(a . ,b)"), "`(A . ,B)");
    assert!(malformed(",x").contains("comma not inside a backquote"));
    assert!(malformed("`(,a ,,b)").contains("comma not inside a backquote"));
    assert!(malformed("(,@x)").contains("comma"));
}

#[test]
fn comments() {
    assert_eq!(read("; hello\n  x"), "X");
    assert_eq!(read("#| a #| nested |# b |# y"), "Y");
    assert_eq!(read("(a #| c |# b ; d\n)"), "(A B)");
    assert_eq!(read("(a#|c|#b)"), "(A#c#B)");
    assert_eq!(read_one("  ; only a comment", 0, &opts()).unwrap(), None);
    assert_eq!(read_one("#| x |#  ", 0, &opts()).unwrap(), None);
    assert_eq!(read_one("", 0, &opts()).unwrap(), None);
    assert_eq!(incomplete("  #| open"), 2);
}

#[test]
fn feature_expressions() {
    assert_eq!(read("#+swankd 1"), "1");
    assert_eq!(read("#+SWANKD 1"), "1");
    assert_eq!(read("#+:swankd 1"), "1");
    assert_eq!(read("#-swankd 1 2"), "2");
    assert_eq!(read("#+sbcl (sb-ext:quit) 3"), "3");
    assert_eq!(read("#-(or) x 2"), "X");
    assert_eq!(read("#+(and) 3"), "3");
    assert_eq!(read("#+(or) 3 4"), "4");
    assert_eq!(read("#+(not swankd) 4 5"), "5");
    assert_eq!(read("#+(and swankd (or sbcl common-lisp)) 6"), "6");
    assert_eq!(read("#+(and swankd (not (or sbcl ansi-cl))) 6 7"), "7");
    assert_eq!(read("#+|SWANKD| 8"), "8");
    assert_eq!(read("#+|swankd| 8 9"), "9");
    assert_eq!(read("(a #+nil b c)"), "(A C)");
    assert_eq!(read("(#+nil b)"), "()");
    // As in SBCL, a #+ inside a skipped form still tests its feature.
    assert_eq!(read("#+nil #+swankd a b c"), "B");
    assert_eq!(read("#-swankd #+swankd a b c"), "B");
    assert_eq!(read("#+nil #-swankd a b c"), "C");
    // Skipped forms are read but not checked.
    assert_eq!(read("#+nil #.(foo) 1"), "1");
    assert_eq!(
        read("#+nil (1/0 foo:bar:baz #\\nosuch #c(1 2) #S(x) #*101 #1=a #1#) 2"),
        "2"
    );
    assert_eq!(read("#+nil ,x 3"), "3");
    assert_eq!(read("#+nil (a . b) 4"), "4");
    assert!(malformed("#+1 a").contains("invalid feature expression"));
    assert!(malformed("#+(foo) a").contains("invalid feature expression"));
    assert!(malformed("#+(not a b) c").contains(":not"));
    assert_eq!(incomplete("#+nil"), 0);
    assert_eq!(incomplete("#-swankd"), 0);
    assert_eq!(read_one("#+nil a", 0, &opts()).unwrap(), None);
    assert!(malformed("(a #+nil)").contains("unexpected )"));
}

#[test]
fn features_come_from_options() {
    let options = ReadOptions {
        features: vec!["SBCL".into()],
        ..ReadOptions::default()
    };
    let r = |t: &str| show(&read_one(t, 0, &options).unwrap().unwrap().0);
    assert_eq!(r("#+sbcl 1 2"), "1");
    assert_eq!(r("#+swankd 1 2"), "2");
}

#[test]
fn read_eval_only_when_enabled() {
    assert_eq!(read("#.(+ 1 2)"), "#.(+ 1 2)");
    let err = read_one("#.(+ 1 2)", 0, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed input: #. is disabled because *read-eval* is false at position 0"
    );
}

#[test]
fn unsupported_macros_say_so() {
    assert!(malformed("#c(1 2)").contains("complex numbers"));
    assert!(malformed("#*101").contains("bit vectors"));
    assert!(malformed("#S(point)").contains("structures"));
    assert!(malformed("#A((1))").contains("needs a rank"));
    assert!(malformed("#999A()").contains("too large"));
    assert!(malformed("#1=(a . #1#)").contains("labels"));
    assert!(malformed("#<foo>").contains("unreadable"));
    assert!(malformed("#) ").contains("not valid"));
    assert!(malformed("#%").contains("unknown reader macro"));
}

#[test]
fn pathnames_read_as_their_namestring() {
    assert_eq!(read("#p\"/tmp/x.lisp\""), "#P\"/tmp/x.lisp\"");
    assert_eq!(read("#P\"\""), "#P\"\"");
    assert_eq!(incomplete("#p"), 0);
}

#[test]
fn arrays_read_with_their_rank() {
    assert_eq!(read("#2A((1 2) (3 4))"), "#2A((1 2) (3 4))");
    assert_eq!(read("#0A5"), "#0A5");
}

#[test]
fn incomplete_input_reports_where_the_form_started() {
    assert_eq!(incomplete("(a b"), 0);
    assert_eq!(incomplete("(a (b"), 3);
    assert_eq!(incomplete("  \"abc"), 2);
    assert_eq!(incomplete("'"), 0);
    assert_eq!(incomplete("(a '"), 3);
    assert_eq!(incomplete("#'"), 0);
    assert_eq!(incomplete("`(a ,"), 4);
    assert_eq!(incomplete("#("), 0);
    assert_eq!(incomplete("|abc"), 0);
    assert_eq!(incomplete("ab\\"), 2);
    assert_eq!(incomplete("#"), 0);
    assert_eq!(incomplete("#x"), 0);
    assert_eq!(incomplete("(a . "), 0);
    let err = read_one("(a", 0, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "incomplete input: end of input inside a list at position 0"
    );
}

#[test]
fn positions_and_successive_reads() {
    let text = "(a) b \"c\" 'd ; e\n";
    let o = opts();
    let mut position = 0;
    let mut forms = Vec::new();
    while let Some((d, end)) = read_one(text, position, &o).unwrap() {
        forms.push(show(&d));
        position = end;
    }
    assert_eq!(forms, ["(A)", "B", "\"c\"", "(QUOTE D)"]);
    assert_eq!(read_end("1 2"), 2);
    assert_eq!(read_end("(a) b"), 4);
    assert_eq!(read_end("(a)b"), 3);
    assert_eq!(read_end("\"s\"  b"), 4);
    assert_eq!(read_end("abc)"), 3);
    assert_eq!(read_end("'a b"), 3);
    assert_eq!(read_one("xλy z", 0, &o).unwrap().unwrap().1, 5);
    assert_eq!(read_one("a b", 2, &o).unwrap().unwrap().1, 3);
    assert_eq!(read_one_preserving("(a) b", 0, &o).unwrap().unwrap().1, 3);
    assert_eq!(read_one_preserving("ab c", 0, &o).unwrap().unwrap().1, 2);
    assert_eq!(read_one("a", 5, &o).unwrap(), None);
    assert!(read_one("λ", 1, &o).is_err());
}

#[test]
fn deep_nesting_fails_cleanly_and_quickly() {
    let depth = 100_000;
    let text = format!("{}1{}", "(list ".repeat(depth), ")".repeat(depth));
    let started = std::time::Instant::now();
    let err = read_one(&text, 0, &opts()).unwrap_err();
    assert!(
        err.to_string().contains("nesting deeper than 10000"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 5);
    let quotes = format!("{}x", "'".repeat(depth));
    assert!(read_one(&quotes, 0, &opts()).is_err());
}

#[test]
fn deep_data_within_the_limit_read_and_drop_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let depth = DEFAULT_MAX_DEPTH - 1;
            let text = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
            let (datum, end) = read_one(&text, 0, &opts()).unwrap().unwrap();
            assert_eq!(end, text.len());
            drop(datum);
            let text = format!("{}1", "'".repeat(depth / 2));
            read_one(&text, 0, &opts()).unwrap().unwrap();
            let text = format!(
                "#+{}swankd{} 1",
                "(:and ".repeat(depth / 2),
                ")".repeat(depth / 2)
            );
            assert_eq!(
                read_one(&text, 0, &opts()).unwrap().unwrap().0,
                Datum::Integer(1.into())
            );
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn long_tokens_are_refused() {
    let options = ReadOptions {
        max_token_bytes: 10,
        ..ReadOptions::default()
    };
    let err = read_one("abcdefghijklmnop", 0, &options).unwrap_err();
    assert!(err.to_string().contains("token longer than 10 bytes"));
}

#[test]
fn garbage_never_panics() {
    let pieces = [
        "(", ")", "#", "\\", "|", "\"", "'", "`", ",", ",@", ".", "#+", "#-", "#.", "#\\", "#:",
        "#x", "#3r", "#|", "|#", ";", "\n", " ", "a", "1", "/", "e", ":", "λ", "#(", "#'", "1.5",
    ];
    let mut seed: u64 = 12345;
    for _ in 0..5000 {
        let mut text = String::new();
        for _ in 0..(seed % 12) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let _ = read_one(&text, 0, &opts());
        let _ = parse_symbol_token(&text, &opts());
    }
}
