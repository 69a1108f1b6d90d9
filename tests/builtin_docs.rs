//! Docstrings of the standard operators and variables (`src/lisp/builtin_docs.txt`): every
//! one COMMON-LISP defines has one, the file documents only what is defined, and a user's
//! own docstring is what the describe commands show.

use std::collections::HashSet;

use swankd::lisp::builtin_docs::{self, Kind};
use swankd::lisp::system::{self, SystemConfig, eval_to_completion};
use swankd::lisp::thread::LispThread;
use swankd::lisp::vm::Vm;

#[path = "support/stack.rs"]
mod stack;
use stack::on_interpreter_stack;

fn boot() -> Vm {
    match swankd::swank::boot(&SystemConfig::default()) {
        Ok(vm) => vm,
        Err(e) => panic!("boot failed: {e:?} {}", e.message),
    }
}

/// The value of the last form of `text`, printed with PRINC.
fn eval(vm: &mut Vm, text: &str) -> String {
    let mut thread = LispThread::new(1, "test");
    let forms = match system::read_all(vm, text, vm.image.pkg.cl_user) {
        Ok(forms) => forms,
        Err(e) => panic!("{text}: {}", swankd::lisp::report::report(&vm.image, &e)),
    };
    let mut last = String::new();
    for form in forms {
        match eval_to_completion(vm, &mut thread, form) {
            Ok(values) => {
                last = values
                    .iter()
                    .map(|v| swankd::lisp::print::princ_to_string(&vm.image, *v))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            }
            Err(e) => panic!("{text}: {}", swankd::lisp::report::report(&vm.image, &e)),
        }
    }
    last
}

#[test]
fn every_defined_common_lisp_operator_and_variable_is_documented() {
    on_interpreter_stack(|| {
        let mut vm = boot();
        let missing = eval(
            &mut vm,
            "(let ((missing nil))
           (do-external-symbols (s \"COMMON-LISP\")
             (when (and (or (fboundp s) (special-operator-p s))
                        (not (documentation s 'function)))
               (push (list s 'function) missing))
             (when (and (boundp s) (not (documentation s 'variable)))
               (push (list s 'variable) missing)))
           (prin1-to-string missing))",
        );
        assert_eq!(missing, "NIL", "undocumented");
    });
}

#[test]
fn the_docs_file_documents_only_what_is_defined_once() {
    on_interpreter_stack(|| {
        let vm = boot();
        let (entries, problems) = builtin_docs::entries();
        assert!(problems.is_empty(), "{problems:#?}");
        let mut seen = HashSet::new();
        let mut wrong = Vec::new();
        for entry in &entries {
            let namespace = if entry.kind == Kind::Variable {
                "variable"
            } else {
                "function"
            };
            if !seen.insert((namespace, entry.name.clone())) {
                wrong.push(format!("{} twice", entry.name));
            }
            if !builtin_docs::is_defined(&vm.image, entry) {
                wrong.push(format!("{} is no {:?} of swankd", entry.name, entry.kind));
            }
            if entry.doc.lines().next().is_none_or(|l| !l.ends_with('.')) {
                wrong.push(format!("{}: first line is not a sentence", entry.name));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    });
}

#[test]
fn describe_commands_show_the_builtin_docstrings() {
    on_interpreter_stack(|| {
        let mut vm = boot();
        let doc = eval(&mut vm, "(documentation 'car 'function)");
        assert!(!doc.is_empty() && doc != "NIL");
        let first = doc.lines().next().unwrap_or_default().to_string();
        let described = eval(&mut vm, "(swank:describe-function \"car\")");
        assert!(described.contains(&first), "{described}");
        let described = eval(&mut vm, "(swank:describe-symbol \"*print-base*\")");
        let variable_doc = eval(&mut vm, "(documentation '*print-base* 'variable)");
        assert!(described.contains(variable_doc.lines().next().unwrap_or("?")));
        let apropos = eval(
            &mut vm,
            "(prin1-to-string (swank:apropos-list-for-emacs \"car\" t nil \"COMMON-LISP\"))",
        );
        assert!(apropos.contains(&format!("{first:?}")), "{apropos}");
        let summary = eval(&mut vm, "(swank:documentation-symbol \"car\")");
        assert!(summary.contains(&first), "{summary}");
        let described = eval(&mut vm, "(with-output-to-string (s) (describe 'car s))");
        assert!(described.contains(&first), "{described}");
    });
}

#[test]
fn special_operators_are_described_and_listed_by_apropos() {
    on_interpreter_stack(|| {
        let mut vm = boot();
        let doc = eval(&mut vm, "(documentation 'unwind-protect 'function)");
        let first = doc.lines().next().unwrap_or_default().to_string();
        let described = eval(&mut vm, "(swank:describe-symbol \"unwind-protect\")");
        assert!(
            described.contains("UNWIND-PROTECT names a special operator:\n  Lambda-list: "),
            "{described}"
        );
        assert!(described.contains(&first), "{described}");
        let apropos = eval(
            &mut vm,
            "(let ((*print-pretty* nil))
               (prin1-to-string (swank:apropos-list-for-emacs \"unwind-prot\" t nil \"COMMON-LISP\")))",
        );
        assert_eq!(
            apropos,
            format!("((:DESIGNATOR \"UNWIND-PROTECT\" :SPECIAL-OPERATOR {first:?}))")
        );
    });
}

#[test]
fn a_user_functions_own_docstring_is_what_describe_shows() {
    on_interpreter_stack(|| {
        let mut vm = boot();
        eval(
            &mut vm,
            "(defun doc-probe (x) \"Doubles X, for the test.\" (* 2 x))",
        );
        let described = eval(&mut vm, "(swank:describe-function \"doc-probe\")");
        assert!(
            described.contains("Documentation:\n  Doubles X, for the test.\n"),
            "{described}"
        );
        let summary = eval(&mut vm, "(swank:documentation-symbol \"doc-probe\")");
        assert!(summary.ends_with("Doubles X, for the test."), "{summary}");
        eval(&mut vm, "(defun doc-probe (x) (* 3 x))");
        assert_eq!(eval(&mut vm, "(documentation 'doc-probe 'function)"), "NIL");
        let described = eval(&mut vm, "(swank:describe-function \"doc-probe\")");
        assert!(!described.contains("Documentation:"), "{described}");
    });
}
