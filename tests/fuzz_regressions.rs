//! Inputs the fuzz targets in `fuzz/` found failing, kept as ordinary tests (the crashing
//! inputs themselves are also in `fuzz/corpus/`). Evaluation runs on a thread with the
//! interpreter thread's stack, as in the daemon.

use swankd::lisp::print::prin1_to_string;
use swankd::lisp::report::report;
use swankd::lisp::system::{self, SystemConfig, eval_to_completion};
use swankd::lisp::thread::LispThread;
use swankd::runtime::INTERPRETER_STACK_BYTES;

/// Boots an image and evaluates `text` on a thread with the interpreter's stack; the printed
/// values, or `ERROR: ` and the report.
fn eval(text: &'static str) -> String {
    let worker = std::thread::Builder::new()
        .stack_size(INTERPRETER_STACK_BYTES)
        .spawn(move || {
            let mut vm = system::boot(&SystemConfig::default())
                .unwrap_or_else(|error| panic!("boot failed: {error:?}"));
            let mut thread = LispThread::new(1, "regression");
            let package = vm.image.pkg.cl_user;
            let forms = system::read_all(&mut vm, text, package)
                .unwrap_or_else(|error| panic!("{text} does not read: {error:?}"));
            let mut printed = Vec::new();
            for form in forms {
                match eval_to_completion(&mut vm, &mut thread, form) {
                    Ok(values) => {
                        printed = values
                            .into_iter()
                            .map(|value| prin1_to_string(&vm.image, value))
                            .collect();
                    }
                    Err(error) => return format!("ERROR: {}", report(&vm.image, &error)),
                }
            }
            printed.join(" ; ")
        })
        .unwrap_or_else(|error| panic!("cannot start the evaluating thread: {error}"));
    worker
        .join()
        .unwrap_or_else(|_| panic!("evaluating {text} panicked"))
}

/// evaluator: printing a vector that contains itself recursed without bound (only lists
/// were depth-limited) and overflowed the native stack, killing the process.
#[test]
fn a_vector_containing_itself_prints_to_a_bounded_depth() {
    let printed = eval("(let ((x (vector 0 1))) (setf (aref x 0) x) (length (prin1-to-string x)))");
    let length: usize = printed
        .parse()
        .unwrap_or_else(|_| panic!("not a length: {printed}"));
    assert!(length < 100_000, "printed {length} characters");
    let printed =
        eval("(let ((x (vector 0 1))) (setf (aref x 0) x) (subseq (prin1-to-string x) 0 8))");
    assert_eq!(printed, "\"#(#(#(#(\"");
}

/// lisp_reader: a symbol whose name starts with `#` (read from `\#aW`) printed without
/// escapes, and `#AW` then read as the dispatching macro `#A`.
#[test]
fn a_symbol_named_with_a_leading_hash_prints_readably() {
    let printed = eval("(list (prin1-to-string '\\#aW) (prin1-to-string 'a#b))");
    assert_eq!(printed, "(\"|#AW|\" \"A#B\")");
}

/// lisp_reader: what PRIN1 prints for such a symbol reads back as the same symbol (the
/// fuzz input was `\#` and a replacement character).
#[test]
fn what_prin1_prints_for_a_hash_symbol_reads_back_as_it() {
    let printed = eval(
        "(let ((s (read-from-string \"\\\\#\u{FFFD}W\"))) \
           (list (symbol-name s) (eq s (read-from-string (prin1-to-string s)))))",
    );
    assert_eq!(printed, "(\"#\u{FFFD}W\" T)");
}

/// lisp_reader: `(unquote @)`, read from `` `, @) ``, printed as `` `,@ ``, which reads as
/// unquote-splicing with nothing after it. A comma before `@` or `.` now gets a space.
#[test]
fn an_unquoted_symbol_starting_with_at_prints_apart_from_its_comma() {
    let printed = eval(
        "(let ((form (read-from-string \"`(a , @b , .c ,d)\"))) \
           (list (prin1-to-string form) \
                 (equal form (read-from-string (prin1-to-string form)))))",
    );
    assert_eq!(printed, "(\"`(A , @B , .C ,D)\" T)");
}

/// lisp_reader: the symbol `|11L419|` printed as `11L419`, which the reader takes for a
/// long float (exponent markers other than `e` were not recognised) and rejects as out of
/// range. Names in any float syntax are now escaped.
#[test]
fn a_symbol_named_like_a_float_with_any_exponent_marker_prints_escaped() {
    let printed =
        eval("(mapcar #'prin1-to-string '(|11L419| |1S2| |1F2| |1D2| |-1.5d0| |1D| |D2| |1.E5|))");
    assert_eq!(
        printed,
        "(\"|11L419|\" \"|1S2|\" \"|1F2|\" \"|1D2|\" \"|-1.5d0|\" \"1D\" \"D2\" \"|1.E5|\")"
    );
}

/// evaluator: `(nconc x x)` on a list already circular calls LAST on it, which collected
/// conses until the process ran out of memory (gigabytes within seconds). LAST and every
/// builtin taking a proper list now find the cycle and signal a type error.
#[test]
fn last_of_a_circular_list_is_a_type_error_not_a_memory_exhaustion() {
    let printed = eval(
        "(let ((x (list 1 2 3))) (nconc x x) \
           (list (handler-case (last x) (type-error () :type-error)) \
                 (handler-case (nconc x x) (type-error () :type-error)) \
                 (handler-case (apply #'+ x) (error () :error)) \
                 (last (list 1 2 3)) (last (list* 1 2 3)) (last (list 1 2 3) 2) (last nil)))",
    );
    assert_eq!(
        printed,
        "(:TYPE-ERROR :TYPE-ERROR :ERROR (3) (2 . 3) (2 3) NIL)"
    );
}
