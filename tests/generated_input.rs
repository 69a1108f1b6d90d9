//! Seeded, deterministic generated input (a stable-Rust stand-in for fuzzing): the frame
//! decoder, the wire reader, the Lisp reader and the evaluator are fed thousands of
//! generated inputs; none may panic, and what is valid must come out right. A failure names
//! the seed and the input, and the same seed reproduces it. `SWANKD_GENERATED_ROUNDS`
//! multiplies the rounds for a longer run by hand.

use swankd::lisp::reader::{ReadOptions, read_one};
use swankd::lisp::system::{self, SystemConfig, eval_to_completion};
use swankd::lisp::thread::LispThread;
use swankd::wire::frame::{EmptyFrames, FrameDecoder};
use swankd::wire::reader::{ReaderLimits, read_datum};
use swankd::wire::value::dispose;

#[path = "support/stack.rs"]
mod stack;
use stack::on_interpreter_stack;

/// xorshift64*: small, deterministic, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, length: usize) -> Vec<u8> {
        (0..length).map(|_| (self.next() >> 56) as u8).collect()
    }
}

fn rounds(base: usize) -> usize {
    base * std::env::var("SWANKD_GENERATED_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1)
}

#[test]
fn the_frame_decoder_reassembles_random_frames_cut_anywhere() {
    for seed in 1..=rounds(300) as u64 {
        let mut rng = Rng(seed);
        let payloads: Vec<Vec<u8>> = (0..1 + rng.below(8))
            .map(|_| {
                let length = 1 + rng.below(300);
                rng.bytes(length)
            })
            .collect();
        let mut stream = Vec::new();
        for payload in &payloads {
            let header = if rng.below(2) == 0 {
                format!("{:06x}", payload.len())
            } else {
                format!("{:06X}", payload.len())
            };
            stream.extend_from_slice(header.as_bytes());
            stream.extend_from_slice(payload);
        }
        let mut decoder = FrameDecoder::new(1 << 20);
        let mut decoded = Vec::new();
        let mut rest = stream.as_slice();
        while !rest.is_empty() {
            let (piece, tail) = rest.split_at(1 + rng.below(rest.len().min(64)));
            rest = tail;
            decoder.push(piece);
            while let Some(payload) = decoder
                .decode(EmptyFrames::Reject)
                .unwrap_or_else(|error| panic!("seed {seed}: {error}"))
            {
                decoded.push(payload);
            }
        }
        assert_eq!(decoded, payloads, "seed {seed}");
        assert_eq!(decoder.buffered(), 0, "seed {seed}");
    }
}

#[test]
fn the_frame_decoder_survives_random_bytes() {
    for seed in 1..=rounds(300) as u64 {
        let mut rng = Rng(seed);
        let mut decoder = FrameDecoder::new(4096);
        // Mostly hex digits, so that headers parse often enough to reach the payload paths.
        let bytes: Vec<u8> = (0..2000)
            .map(|_| match rng.below(4) {
                0 => (rng.next() >> 56) as u8,
                _ => b"0123456789abcdefABCDEF"[rng.below(22)],
            })
            .collect();
        let mut rest = bytes.as_slice();
        'feed: while !rest.is_empty() {
            let (piece, tail) = rest.split_at(1 + rng.below(rest.len().min(100)));
            rest = tail;
            decoder.push(piece);
            loop {
                match decoder.decode(EmptyFrames::Reject) {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(_) => break 'feed,
                }
            }
        }
    }
}

/// Fragments of Lisp and Emacs Lisp syntax, valid and broken, to build soups from.
const SOUP: &[&str] = &[
    "(",
    "(",
    "(",
    ")",
    ")",
    ")",
    "'",
    "`",
    ",",
    ",@",
    "#'",
    "#(",
    "#\\a",
    "#\\",
    "#\\Space",
    "\"str\"",
    "\"",
    "\\",
    "|a b|",
    "|",
    ";c\n",
    "#|x|#",
    "#|",
    "#x1F",
    "#b102",
    "#.",
    "#+sbcl",
    "#-sbcl",
    "1/0",
    "1/2",
    "1.5e309",
    "-0",
    "123456789012345678901234567890",
    "1.0e+INF",
    "foo",
    "pkg::bar",
    "cl:car",
    ":kw",
    "nil",
    "t",
    ".",
    "..",
    " ",
    "\n",
    "é",
    "☃",
    "\u{0}",
    "[",
    "]",
    "#1=",
    "#1#",
    "#:g",
    "#p\"x\"",
    "#*101",
    "#c(1 2)",
    "#2A((1))",
    "#<",
    "#",
    ":emacs-rex",
    "(swank:connection-info)",
    "\"COMMON-LISP-USER\"",
    "42",
    "3.14",
    "-7",
];

fn soup(rng: &mut Rng) -> String {
    (0..1 + rng.below(40)).map(|_| rng.pick(SOUP)).collect()
}

#[test]
fn the_wire_reader_survives_syntax_soup() {
    let limits = ReaderLimits::default();
    for seed in 1..=rounds(5000) as u64 {
        let mut rng = Rng(seed);
        let text = soup(&mut rng);
        if let Ok(datum) = read_datum(&text, &limits) {
            dispose(datum);
        }
    }
}

#[test]
fn the_lisp_reader_survives_syntax_soup_and_always_advances() {
    let options = ReadOptions::default();
    for seed in 1..=rounds(5000) as u64 {
        let mut rng = Rng(seed);
        let text = soup(&mut rng);
        let mut position = 0;
        while let Ok(Some((_, end))) = read_one(&text, position, &options) {
            assert!(end > position, "seed {seed}: no progress in {text:?}");
            position = end;
        }
    }
}

/// Operators the generated forms call, with any number and type of arguments: most calls are
/// type or arity errors, which must stay errors.
const OPERATORS: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "mod",
    "rem",
    "floor",
    "truncate",
    "max",
    "min",
    "abs",
    "1+",
    "1-",
    "sqrt",
    "list",
    "cons",
    "car",
    "cdr",
    "length",
    "reverse",
    "append",
    "nth",
    "subseq",
    "string-upcase",
    "vector",
    "equal",
    "eql",
    "=",
    "<",
    "string",
    "char",
    "elt",
    "coerce",
    "parse-integer",
    "first",
    "last",
    "list*",
    "assoc",
    "member",
    "numberp",
    "symbol-name",
    "princ-to-string",
    "prin1-to-string",
    "write-to-string",
    "intern",
    "gethash",
    "aref",
    "evenp",
    "zerop",
    "not",
    "identity",
    "values",
    "float",
    "round",
    "gcd",
    "lcm",
];

const ATOMS: &[&str] = &[
    "0",
    "1",
    "-1",
    "7",
    "1000",
    "123456789012345678901234567890",
    "1/3",
    "-2/5",
    "1.5",
    "-0.0",
    "\"\"",
    "\"abc\"",
    "\"☃é\"",
    "#\\a",
    "#\\Space",
    "nil",
    "t",
    ":key",
    "'sym",
    "'(1 2 3)",
    "'(a . b)",
    "'#(1 2)",
    "(make-hash-table)",
    "#'car",
    "(lambda (x) x)",
];

fn form(rng: &mut Rng, depth: usize) -> String {
    if depth == 0 || rng.below(3) == 0 {
        return rng.pick(ATOMS).to_string();
    }
    match rng.below(8) {
        0 => format!(
            "(if {} {} {})",
            form(rng, depth - 1),
            form(rng, depth - 1),
            form(rng, depth - 1)
        ),
        1 => format!(
            "(let ((x {})) {})",
            form(rng, depth - 1),
            form(rng, depth - 1).replace("nil", "x")
        ),
        2 => format!(
            "(format nil \"~a ~s\" {} {})",
            form(rng, depth - 1),
            form(rng, depth - 1)
        ),
        3 => format!(
            "(funcall #'{} {})",
            rng.pick(OPERATORS),
            form(rng, depth - 1)
        ),
        4 => format!("(mapcar #'{} '(1 \"a\" nil 2.5))", rng.pick(OPERATORS)),
        _ => {
            let arguments: Vec<String> = (0..rng.below(4)).map(|_| form(rng, depth - 1)).collect();
            format!("({} {})", rng.pick(OPERATORS), arguments.join(" "))
        }
    }
}

#[test]
fn the_evaluator_survives_generated_forms() {
    on_interpreter_stack(|| {
        let mut vm = system::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let mut thread = LispThread::new(1, "generated");
        let package = vm.image.pkg.cl_user;
        for seed in 1..=rounds(1500) as u64 {
            let mut rng = Rng(seed);
            let text = format!(
                "(handler-case {} (error (c) (princ-to-string c)))",
                form(&mut rng, 4)
            );
            let forms = system::read_all(&mut vm, &text, package)
                .unwrap_or_else(|e| panic!("seed {seed}: generated {text} does not read: {e:?}"));
            for form in forms {
                match eval_to_completion(&mut vm, &mut thread, form) {
                    Ok(values) => {
                        for value in values {
                            let printed = swankd::lisp::print::prin1_to_string(&vm.image, value);
                            assert!(
                                !printed.contains("internal error in"),
                                "seed {seed}: a builtin panicked on {text}: {printed}"
                            );
                        }
                    }
                    Err(error) => {
                        let report = swankd::lisp::report::report(&vm.image, &error);
                        assert!(
                            !report.contains("internal error in"),
                            "seed {seed}: a builtin panicked on {text}: {report}"
                        );
                    }
                }
            }
        }
        let forms = system::read_all(&mut vm, "(+ 1 2)", package).unwrap_or_default();
        let values = forms
            .into_iter()
            .map(|form| eval_to_completion(&mut vm, &mut thread, form))
            .collect::<Vec<_>>();
        assert!(matches!(values.as_slice(), [Ok(v)] if v.len() == 1));
    });
}
