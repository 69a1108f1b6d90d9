//! Fuzzes the evaluator on forms generated from the input (`swankd_fuzz::forms`): the form
//! is read, compiled and run in a small image with bounded fuel, call depth, stack and heap
//! (`swankd_fuzz::sandbox`), with the standard streams bound to string streams. Every
//! outcome is values, a typed `LispError`, or fuel running out; none is a panic (a panic
//! anywhere, even one the VM catches in a builtin, aborts the run), and the values and the
//! error's report print. `SWANKD_FUZZ_SHOW=1` prints each generated form first, to turn a
//! crashing input into a regression test.

#![no_main]

use libfuzzer_sys::fuzz_target;
use swankd::lisp::print::{PrintOptions, print_to_string};
use swankd::lisp::report::report;
use swankd::lisp::system;
use swankd_fuzz::forms;
use swankd_fuzz::sandbox::{Ended, with_sandbox};

fuzz_target!(|data: &[u8]| {
    let text = format!(
        "(let ((*standard-output* (make-string-output-stream)) \
               (*error-output* (make-string-output-stream)) \
               (*trace-output* (make-string-output-stream)) \
               (*standard-input* (make-string-input-stream \"\"))) \
           {})",
        forms::generate(data)
    );
    if std::env::var_os("SWANKD_FUZZ_SHOW").is_some() {
        eprintln!("{text}");
    }
    with_sandbox(move |sandbox| {
        let package = sandbox.vm.image.pkg.cl_user;
        let forms = match system::read_all(&mut sandbox.vm, &text, package) {
            Ok(forms) => forms,
            Err(error) => panic!("a generated form does not read: {error:?}\n{text}"),
        };
        for form in forms {
            match sandbox.eval(form) {
                Ended::Values(values) => {
                    // Printing is bounded by size anyway; a small bound keeps a circular
                    // result from spending seconds on megabytes of text.
                    let options = PrintOptions {
                        max_chars: 1 << 16,
                        ..PrintOptions::prin1(Some(package))
                    };
                    for value in values {
                        print_to_string(&sandbox.vm.image, value, &options);
                    }
                }
                Ended::Error(error) => {
                    report(&sandbox.vm.image, &error);
                }
                Ended::OutOfFuel | Ended::Parked => {}
            }
        }
    });
});
