//! Quick end-to-end checks of the interpreter: boot, evaluate text, print results.

use swankd::lisp::system::{self, SystemConfig, eval_to_completion};
use swankd::lisp::thread::LispThread;

#[path = "support/stack.rs"]
mod stack;
use stack::on_interpreter_stack;

fn eval(vm: &mut swankd::lisp::vm::Vm, text: &str) -> String {
    let mut thread = LispThread::new(1, "test");
    let package = vm.image.pkg.cl_user;
    let forms = match system::read_all(vm, text, package) {
        Ok(forms) => forms,
        Err(e) => {
            return format!(
                "READ ERROR: {}",
                swankd::lisp::report::report(&vm.image, &e)
            );
        }
    };
    let mut last = String::new();
    for form in forms {
        match eval_to_completion(vm, &mut thread, form) {
            Ok(values) => {
                last = values
                    .iter()
                    .map(|v| swankd::lisp::print::prin1_to_string(&vm.image, *v))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            }
            Err(e) => return format!("ERROR: {}", swankd::lisp::report::report(&vm.image, &e)),
        }
    }
    last
}

#[test]
fn smoke() {
    on_interpreter_stack(|| {
        let mut vm = match swankd::swank::boot(&SystemConfig::default()) {
            Ok(vm) => vm,
            Err(e) => panic!("boot failed: {e:?} {}", e.message),
        };
        let cases = [
            ("(+ 1 2)", "3"),
            (
                "(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (fib 20)",
                "6765",
            ),
            ("(let ((x 1) (y 2)) (list x y))", "(1 2)"),
            (
                "(defun helper-returning-one () 1) (list (unwind-protect 44 (helper-returning-one)))",
                "(44)",
            ),
            ("(mapcar (lambda (x) (* x x)) '(1 2 3))", "(1 4 9)"),
            ("(defvar *c* 10) (incf *c*) *c*", "11"),
            (
                "(let ((acc nil)) (dotimes (i 3) (push i acc)) acc)",
                "(2 1 0)",
            ),
            ("(loop for i from 1 to 5 collect (* i i))", "(1 4 9 16 25)"),
            (
                "(swankd::%arglist-string 'atan)",
                "\"(ATAN Y &OPTIONAL (X NIL XP))\"",
            ),
            (
                "(format nil \"hello ~a ~s ~d~%\" \"w\" \"w\" 42)",
                "\"hello w \\\"w\\\" 42\n\"",
            ),
            ("(values 1 2 3)", "1 ; 2 ; 3"),
            (
                "(multiple-value-bind (q r) (floor 7 2) (list q r))",
                "(3 1)",
            ),
            (
                "(frobnicate 2 10)",
                "ERROR: The function COMMON-LISP-USER::FROBNICATE is undefined.",
            ),
            ("(* 99999999999 99999999999)", "9999999999800000000001"),
            ("(/ 1 3)", "1/3"),
            (
                "(block b (mapcar (lambda (x) (when (> x 1) (return-from b x))) '(1 2 3)))",
                "2",
            ),
            (
                "(labels ((f (n) (if (= n 0) 0 (+ 1 (f (- n 1)))))) (f 1000))",
                "1000",
            ),
            (
                "(let ((counter 0)) (flet ((bump () (incf counter))) (bump) (bump) counter))",
                "2",
            ),
            (
                "(defmacro my-when (c &body b) `(if ,c (progn ,@b))) (my-when t 1 2)",
                "2",
            ),
            ("(car 1)", "ERROR: The value\n  1\nis not of type\n  LIST"),
            (
                "(let ((h (make-hash-table :test 'equal))) (setf (gethash \"a\" h) 1) (gethash \"a\" h))",
                "1 ; T",
            ),
            (
                "(defun f (&optional (a 1) &key (b 2)) (list a b)) (f 5 :b 6)",
                "(5 6)",
            ),
            (
                "(destructuring-bind (a (b c) &rest d) '(1 (2 3) 4 5) (list a b c d))",
                "(1 2 3 (4 5))",
            ),
            ("(cond ((= 1 2) 'a) ((= 1 1) 'b))", "B"),
            (
                "(case 3 (1 'one) ((2 3) 'two-or-three) (t 'other))",
                "TWO-OR-THREE",
            ),
            (
                "(let ((s 0)) (dolist (x '(1 2 3) s) (setq s (+ s x))))",
                "6",
            ),
            (
                "(defun g (n) (if (= n 0) 'done (g (- n 1)))) (g 1000000)",
                "DONE",
            ),
            (
                "(handler-case (read-from-string \"(a\" nil :eof) (end-of-file () :cut-short))",
                ":CUT-SHORT",
            ),
            ("(read-from-string \"  \" nil :eof)", ":EOF ; 2"),
            (
                "(defun deep (n) (1+ (deep n))) (deep 1)",
                "ERROR: Control stack exhausted",
            ),
            (
                "(defun deeper (n) (1+ (deeper n))) \
                 (defun bounded (n) (if (= n 0) 0 (1+ (bounded (- n 1))))) \
                 (list (handler-case (deeper 1) (storage-condition () :recovered)) \
                       (bounded 50000))",
                "(:RECOVERED 50000)",
            ),
        ];
        let mut failures = Vec::new();
        for (input, expected) in cases {
            let got = eval(&mut vm, input);
            if !got.starts_with(expected) {
                failures.push(format!(
                    "{input}\n  expected {expected:?}\n  got      {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    });
}

#[test]
#[ignore = "timing probe, run by hand with --release"]
fn fib_timing() {
    let mut vm = swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
    eval(
        &mut vm,
        "(defun fib (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))",
    );
    let start = std::time::Instant::now();
    let result = eval(&mut vm, "(fib 30)");
    eprintln!("fib(30) = {result} in {:?}", start.elapsed());
}

/// Cyclic garbage is reclaimed: after a collection, the heap is back near its starting size.
#[test]
fn collector_reclaims_cycles() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let collect = |vm: &mut swankd::lisp::vm::Vm| {
            let symbols: Vec<_> = vm.image.packages.all_symbols().collect();
            vm.image.heap.collect(|marker| {
                for sym in symbols {
                    marker.value(swankd::lisp::value::Value::Symbol(sym));
                }
            })
        };
        let baseline = collect(&mut vm).live_bytes;
        eval(
            &mut vm,
            "(defvar *keep* nil)
         (dotimes (i 20000)
           (let ((cell (list i i)))
             (setf (cdr (cdr cell)) cell)))
         (setq *keep* (list 1 2 3))",
        );
        let grown = vm.image.heap.bytes();
        let after = collect(&mut vm).live_bytes;
        assert!(
            grown > baseline + 1_000_000,
            "the loop allocated ({baseline} -> {grown})"
        );
        assert!(
            after < baseline + 10_000,
            "cycles were reclaimed ({baseline} -> {after})"
        );
        assert_eq!(eval(&mut vm, "*keep*"), "(1 2 3)");
    });
}

/// Booting collects its garbage as it goes, across all its sources: the arenas it leaves
/// hold about what stays alive, not every form the sources were read into.
#[test]
fn boot_leaves_its_arenas_near_what_stays_alive() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let booted = vm.image.heap.usage();
        let symbols: Vec<_> = vm.image.packages.all_symbols().collect();
        let pinned = vm.image.package_objects();
        vm.image.heap.collect(|marker| {
            for sym in symbols {
                marker.value(swankd::lisp::value::Value::Symbol(sym));
            }
            marker.values(&pinned);
        });
        let collected = vm.image.heap.usage();
        let live_conses = collected.conses.slots - collected.conses.free;
        eprintln!("booted {booted:?}, live conses {live_conses}");
        assert!(
            booted.conses.slots < 2 * live_conses + 4096,
            "boot left {} cons slots for {live_conses} live conses",
            booted.conses.slots
        );
    });
}

/// EVAL and requests call `(F ARG...)` without compiling it only when F names a global
/// function and every ARG is self-evaluating or quoted; the results are the compiled ones.
#[test]
fn simple_calls_skip_the_compiler_and_mean_the_same() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let package = vm.image.pkg.cl_user;
        let simple = |vm: &mut swankd::lisp::vm::Vm, text: &str| {
            let forms = system::read_all(vm, text, package).unwrap_or_else(|e| panic!("{e:?}"));
            swankd::lisp::compiler::simple_call(&vm.image, forms[0]).is_some()
        };
        for text in [
            "(list 'a :b \"c\" 1.5 #\\d nil t #(1 2) 3/4)",
            "(swank:interactive-eval \"(+ 1 2)\")",
            "(car '(1 2))",
        ] {
            assert!(simple(&mut vm, text), "{text} is simple");
        }
        for text in [
            "(when t 1)",
            "(if t 1 2)",
            "(no-such-function 1)",
            "(list x)",
            "(list (car '(1)))",
            "(list . 1)",
            "(list (quote a b))",
            "((lambda (x) x) 1)",
        ] {
            assert!(!simple(&mut vm, text), "{text} is not simple");
        }
        let cases = [
            (
                "(eval '(list 'a :b \"c\" 1.5 #\\d nil t))",
                "(A :B \"c\" 1.5 #\\d NIL T)",
            ),
            ("(eval '(list . 1))", "ERROR"),
            ("(eval '(list (quote a b)))", "ERROR"),
            (
                "(eval '(car 1))",
                "ERROR: The value\n  1\nis not of type\n  LIST",
            ),
            ("(defun twice (x) (* 2 x)) (eval '(twice 4))", "8"),
            ("(defun twice (x) (* 3 x)) (eval '(twice 4))", "12"),
            (
                "(defmacro twice (x) `(list ,x ,x)) (eval '(twice 4))",
                "(4 4)",
            ),
        ];
        for (text, expected) in cases {
            let result = eval(&mut vm, text);
            assert!(result.starts_with(expected), "{text} gave {result}");
        }
    });
}

fn deliberately_panicking_builtin(
    _: &mut swankd::lisp::vm::Vm,
    _: &mut swankd::lisp::thread::LispThread,
    _: &[swankd::lisp::value::Value],
) -> swankd::lisp::error::LispResult<swankd::lisp::builtins::Control> {
    panic!("deliberate panic")
}

/// A panic inside a builtin ends as a Lisp error in the calling evaluation, which handlers
/// can catch like any other, and the image goes on working.
#[test]
fn a_panicking_builtin_becomes_a_lisp_error() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let package = vm
            .image
            .packages
            .find("COMMON-LISP-USER")
            .expect("CL-USER exists");
        vm.builtins
            .define(
                &mut vm.image,
                package,
                "EXPLODE",
                (0, Some(0)),
                deliberately_panicking_builtin,
            )
            .expect("define");
        assert_eq!(
            eval(&mut vm, "(explode)"),
            "ERROR: internal error in COMMON-LISP-USER:EXPLODE: deliberate panic"
        );
        assert_eq!(
            eval(&mut vm, "(handler-case (explode) (error () :caught))"),
            ":CAUGHT"
        );
        assert_eq!(eval(&mut vm, "(+ 1 2)"), "3");
    });
}

/// A request for a huge array, string or padding fails as an allocation beyond the heap
/// limit would (STORAGE-CONDITION), before any memory is taken from the system.
#[test]
fn huge_requests_are_refused_before_they_allocate() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        for form in [
            "(make-array 1000000000000)",
            "(make-array '(1000000 1000000))",
            "(make-string 100000000000)",
            "(adjust-array (vector 1) 1000000000000)",
            "(format nil \"~100000000000a\" 1)",
            "(format nil \"~v%\" 100000000000)",
        ] {
            let outcome = eval(
                &mut vm,
                &format!("(handler-case {form} (storage-condition () :refused))"),
            );
            assert_eq!(outcome, ":REFUSED", "{form}");
        }
        assert_eq!(eval(&mut vm, "(length (make-array 10))"), "10");
    });
}

/// Counting loops and small-integer arithmetic compile to the fused instructions that keep
/// them off the value stack; DISASSEMBLE shows it, and lists builtins as having no bytecode.
#[test]
fn disassembly_shows_fused_loop_instructions() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        eval(
            &mut vm,
            "(defun count-up (n) (let ((i 0)) (loop while (< i n) do (setq i (+ i 1))) i))
             (defun small-p (n) (if (< n 2) (- n 1) n))",
        );
        let listing = eval(
            &mut vm,
            "(with-output-to-string (*standard-output*) (disassemble 'count-up) (disassemble #'small-p) (disassemble 'car))",
        );
        for expected in [
            "; COUNT-UP:",
            "CompareLocalsJump { compare: Lt, when: true",
            "AddToLocal(1, 1)",
            "; SMALL-P:",
            "CompareLocalFixnumJump { compare: Lt, when: false, a: 0, b: 2",
            "AddImmediate(-1)",
            "#<FUNCTION CAR> is built into swankd (Rust): it has no bytecode.",
        ] {
            assert!(
                listing.contains(expected),
                "{expected:?} missing in {listing}"
            );
        }
        assert_eq!(eval(&mut vm, "(count-up 5)"), "5");
        assert_eq!(eval(&mut vm, "(disassemble 'count-up)"), "NIL");
        assert!(eval(&mut vm, "(disassemble 42)").starts_with("ERROR"));
    });
}

/// ROOM reports what the heap holds: allocating a list shows as more conses and more bytes.
#[test]
fn room_reports_the_heaps_growth() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        let report = |vm: &mut swankd::lisp::vm::Vm| {
            eval(vm, "(with-output-to-string (*standard-output*) (room t))")
        };
        let before = report(&mut vm);
        eval(&mut vm, "(defvar *kept* (make-list 100000))");
        let after = report(&mut vm);
        for line in [
            "Heap usage is ",
            "Conses: ",
            "Symbols: ",
            "Objects: ",
            "The next collection comes",
        ] {
            assert!(after.contains(line), "{line:?} missing in {after}");
        }
        // "Conses: 5,847 slots, 1,003 of them free." -> the slots in use.
        let conses_in_use = |text: &str| -> usize {
            let line = text
                .lines()
                .find(|l| l.starts_with("Conses: "))
                .unwrap_or_default();
            let numbers: Vec<usize> = line
                .split(|c: char| !(c.is_ascii_digit() || c == ','))
                .filter_map(|word| word.replace(',', "").parse().ok())
                .collect();
            match numbers[..] {
                [slots, free] => slots - free,
                _ => 0,
            }
        };
        assert!(
            conses_in_use(&after) >= conses_in_use(&before) + 100_000,
            "{before}\n{after}"
        );
        assert_eq!(eval(&mut vm, "(room)"), "NIL");
        assert!(eval(&mut vm, "(room 7)").starts_with("ERROR"));
    });
}

/// `LENGTH` compiled in line answers as the builtin does, for every kind of sequence and for
/// what is not one, and a local function named `LENGTH` still wins.
#[test]
fn length_in_line_means_the_builtins_length() {
    on_interpreter_stack(|| {
        let mut vm =
            swankd::swank::boot(&SystemConfig::default()).unwrap_or_else(|e| panic!("{e:?}"));
        eval(&mut vm, "(defun len (x) (length x))");
        let listing = eval(
            &mut vm,
            "(with-output-to-string (*standard-output*) (disassemble 'len))",
        );
        assert!(listing.contains("Length"), "no Length in {listing}");
        let cases = [
            ("(len \"abc\")", "3"),
            ("(len \"λμ\")", "2"),
            ("(len \"\")", "0"),
            ("(len nil)", "0"),
            ("(len '(1 2 3))", "3"),
            ("(len #(1 2))", "2"),
            (
                "(len (make-array 5 :fill-pointer 2 :element-type 'character))",
                "2",
            ),
            ("(len (make-array 4 :fill-pointer 1))", "1"),
            (
                "(len 5)",
                "ERROR: The value\n  5\nis not of type\n  SEQUENCE",
            ),
            ("(len '(1 . 2))", "ERROR"),
            ("(len (let ((l (list 1 2))) (setf (cddr l) l) l))", "ERROR"),
            ("(len (let ((l (list 1))) (setf (cdr l) l) l))", "ERROR"),
            (
                "(len '(1 2 3 . 4))",
                "ERROR: The value\n  (1 2 3 . 4)\nis not of type\n  LIST",
            ),
            ("(len (make-list 1001))", "1001"),
            ("(flet ((length (x) (list x))) (length 7))", "(7)"),
            (
                "(length 5)",
                "ERROR: The value\n  5\nis not of type\n  SEQUENCE",
            ),
            ("(funcall #'length \"ab\")", "2"),
        ];
        for (text, expected) in cases {
            let result = eval(&mut vm, text);
            assert!(result.starts_with(expected), "{text} gave {result}");
        }
    });
}
