//! The interpreter side of the protocol, driven through the events contract (no sockets):
//! requests get exactly one reply, output comes before the reply, REPL requests queue.

use std::time::Duration;

use swankd::events::{EmacsMessage, Outbox, ThreadSelector, ToInterpreter};
use swankd::runtime::{self, RuntimeConfig};

struct Client {
    runtime: Option<runtime::RuntimeHandle>,
    replies: tokio::sync::mpsc::Receiver<lexpr::Value>,
    connection: u64,
}

fn start() -> Client {
    let config = RuntimeConfig {
        files: Vec::new(),
        evals: Vec::new(),
        slime_version: "2.27".into(),
        allow_quit: false,
        orphan_errors: swankd::config::OrphanErrors::Park,
        system: Default::default(),
        listeners: None,
    };
    let handle = runtime::start(config).unwrap_or_else(|e| panic!("{e}"));
    let (sender, replies) = tokio::sync::mpsc::channel(1024);
    handle
        .sender
        .send(ToInterpreter::Connected {
            connection: 1,
            peer: "test".into(),
            outbox: Outbox::new(sender),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    Client {
        runtime: Some(handle),
        replies,
        connection: 1,
    }
}

impl Client {
    fn rex(&self, form: &str, thread: ThreadSelector, id: i64) {
        let form = lexpr::from_str(form).unwrap_or_else(|e| panic!("{e}"));
        let message = EmacsMessage::Rex {
            form,
            package: Some("COMMON-LISP-USER".into()),
            thread,
            id,
        };
        if let Some(runtime) = &self.runtime {
            runtime
                .sender
                .send(ToInterpreter::Message {
                    connection: self.connection,
                    message,
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    fn next(&mut self) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match self.replies.try_recv() {
                Ok(value) => {
                    return lexpr::to_string_custom(&value, lexpr::print::Options::elisp())
                        .unwrap_or_default();
                }
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                Err(e) => panic!("no reply: {e}"),
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown();
        }
    }
}

#[test]
fn interactive_eval_replies_once() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(+ 1 2)")"#,
        ThreadSelector::Any,
        5,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "=> 3 (2 bits, #x3, #o3, #b11)") 5)"#
    );
}

#[test]
fn repl_output_precedes_results_and_reply() {
    let mut client = start();
    client.rex(
        r#"(swank-repl:create-repl nil :coding-system "utf-8-unix")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok ("COMMON-LISP-USER" "CL-USER")) 1)"#
    );
    client.rex(
        r#"(swank-repl:listener-eval "(progn (princ \"hi\") (values 1 2))")"#,
        ThreadSelector::Repl,
        2,
    );
    assert_eq!(client.next(), r#"(:write-string "hi\n")"#);
    assert_eq!(client.next(), "(:write-string \"1\\n\" :repl-result)");
    assert_eq!(client.next(), "(:write-string \"2\\n\" :repl-result)");
    assert_eq!(client.next(), "(:return (:ok nil) 2)");
}

/// The thread id of a `(:debug THREAD LEVEL ...)` message.
fn debug_thread(message: &str) -> i64 {
    message
        .strip_prefix("(:debug ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a :debug message: {message}"))
}

impl Client {
    /// Sends `(:emacs-interrupt SELECTOR)`.
    fn interrupt(&self, thread: ThreadSelector) {
        if let Some(runtime) = &self.runtime {
            runtime
                .sender
                .send(ToInterpreter::Message {
                    connection: self.connection,
                    message: EmacsMessage::Interrupt { thread },
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// Sends `rpc` to `thread` in the debugger and expects it to unwind level `level`:
    /// its own `(:abort "NIL")`, then `:debug-return`.
    fn leave_debugger(&mut self, rpc: &str, thread: i64, level: i64, id: i64) {
        self.rex(rpc, ThreadSelector::Id(thread), id);
        assert_eq!(self.next(), format!(r#"(:return (:abort "NIL") {id})"#));
        assert_eq!(self.next(), format!("(:debug-return {thread} {level} nil)"));
    }

    /// Expects `:debug` at `level` whose text contains `text`, then `:debug-activate`;
    /// returns the debugged thread's id.
    fn expect_debugger(&mut self, level: i64, text: &str) -> i64 {
        let debug = self.next();
        let thread = debug_thread(&debug);
        assert!(
            debug.starts_with(&format!("(:debug {thread} {level} (")) && debug.contains(text),
            "{debug}"
        );
        assert_eq!(
            self.next(),
            format!("(:debug-activate {thread} {level} nil)")
        );
        thread
    }
}

#[test]
fn errors_enter_the_debugger_and_abort_ends_only_that_request() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(car 1)")"#,
        ThreadSelector::Any,
        3,
    );
    let thread = client.expect_debugger(1, "Condition of type TYPE-ERROR");
    client.leave_debugger("(swank:sldb-abort)", thread, 1, 30);
    let reply = client.next();
    assert!(
        reply.starts_with("(:return (:abort \"#<TYPE-ERROR") && reply.ends_with(" 3)"),
        "{reply}"
    );
    client.rex(
        r#"(swank:interactive-eval "(* 6 7)")"#,
        ThreadSelector::Any,
        4,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "=> 42 (6 bits, #x2A, #o52, #b101010)") 4)"#
    );
}

#[test]
fn unknown_rpc_is_answered() {
    let mut client = start();
    client.rex("(swank:no-such-rpc 1)", ThreadSelector::Any, 9);
    let reply = client.next();
    assert!(
        reply.contains("NO-SUCH-RPC") && reply.ends_with(" 9)"),
        "{reply}"
    );
}

#[test]
fn interrupt_stops_a_runaway_loop_and_the_next_request_runs() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(loop)")"#,
        ThreadSelector::Repl,
        1,
    );
    std::thread::sleep(Duration::from_millis(50));
    client.interrupt(ThreadSelector::Repl);
    let thread = client.expect_debugger(1, r#"(("CONTINUE" "Continue from break.")"#);
    client.leave_debugger("(swank:sldb-continue)", thread, 1, 3);
    std::thread::sleep(Duration::from_millis(50));
    client.interrupt(ThreadSelector::Repl);
    assert_eq!(client.expect_debugger(1, "Interrupt from Emacs"), thread);
    client.leave_debugger("(swank:throw-to-toplevel)", thread, 1, 4);
    assert_eq!(client.next(), r#"(:return (:abort "NIL") 1)"#);
    client.rex(
        r#"(swank:interactive-eval "(+ 1 1)")"#,
        ThreadSelector::Repl,
        2,
    );
    assert!(client.next().ends_with(" 2)"));
}

#[test]
fn sleeping_thread_does_not_block_others() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (sleep 2) 1)")"#,
        ThreadSelector::Any,
        1,
    );
    client.rex(
        r#"(swank:interactive-eval "(+ 2 2)")"#,
        ThreadSelector::Any,
        2,
    );
    let first = client.next();
    assert!(
        first.ends_with(" 2)"),
        "the quick request answers first: {first}"
    );
    assert!(client.next().ends_with(" 1)"));
}

#[test]
fn deeply_nested_forms_fail_cleanly() {
    let mut client = start();
    let depth = 100_000;
    let text = format!("{}1{}", "(list ".repeat(depth), ")".repeat(depth));
    let form = lexpr::Value::list(vec![
        lexpr::Value::symbol("swank:interactive-eval"),
        lexpr::Value::string(text),
    ]);
    if let Some(runtime) = &client.runtime {
        runtime
            .sender
            .send(ToInterpreter::Message {
                connection: 1,
                message: EmacsMessage::Rex {
                    form,
                    package: None,
                    thread: ThreadSelector::Any,
                    id: 11,
                },
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let thread = client.expect_debugger(1, "nesting deeper than");
    client.leave_debugger("(swank:throw-to-toplevel)", thread, 1, 20);
    let reply = client.next();
    assert!(
        reply.starts_with("(:return (:abort") && reply.ends_with(" 11)"),
        "{reply}"
    );
    client.rex(
        r#"(swank:interactive-eval "(+ 1 2)")"#,
        ThreadSelector::Any,
        12,
    );
    assert!(client.next().ends_with(" 12)"));
}

#[test]
fn nested_debugger_levels_unwind_one_at_a_time_and_reannounce() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(defun twice-fails (x) (let ((y (* x 2))) (error \"oops ~a\" y)))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:interactive-eval "(twice-fails 21)")"#,
        ThreadSelector::Any,
        2,
    );
    let thread = client.expect_debugger(
        1,
        r#"("oops 42" "   [Condition of type SIMPLE-ERROR]" nil)"#,
    );

    client.rex("(swank:backtrace 0 1)", ThreadSelector::Id(thread), 3);
    assert_eq!(
        client.next(),
        r#"(:return (:ok ((0 "(TWICE-FAILS 21)"))) 3)"#
    );
    client.rex(
        "(swank:frame-locals-and-catch-tags 0)",
        ThreadSelector::Id(thread),
        4,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok (((:name "X" :id 0 :value "21") (:name "Y" :id 0 :value "42")) nil)) 4)"#
    );
    client.rex(
        r#"(swank:eval-string-in-frame "(+ x y)" 0 "COMMON-LISP-USER")"#,
        ThreadSelector::Id(thread),
        5,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "=> 63 (6 bits, #x3F, #o77, #b111111)") 5)"#
    );

    client.rex(
        r#"(swank:interactive-eval "(car 5)")"#,
        ThreadSelector::Id(thread),
        6,
    );
    client.expect_debugger(2, r#"("ABORT" "Return to sldb level 1.")"#);
    // Restart 0 is the nested request's RETRY; 1 is "Return to sldb level 1."
    client.rex(
        "(swank:invoke-nth-restart-for-emacs 2 1)",
        ThreadSelector::Id(thread),
        7,
    );
    assert_eq!(client.next(), r#"(:return (:abort "NIL") 7)"#);
    assert_eq!(client.next(), format!("(:debug-return {thread} 2 nil)"));
    let nested = client.next();
    assert!(
        nested.starts_with("(:return (:abort \"#<TYPE-ERROR") && nested.ends_with(" 6)"),
        "{nested}"
    );
    let again = client.expect_debugger(1, "oops 42");
    assert_eq!(again, thread);

    client.leave_debugger("(swank:throw-to-toplevel)", thread, 1, 8);
    let original = client.next();
    assert!(
        original.starts_with("(:return (:abort \"#<SIMPLE-ERROR") && original.ends_with(" 2)"),
        "{original}"
    );
}

#[test]
fn restart_frame_retries_a_call_with_its_new_definition() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defun step-fn (x) (error \"broken ~a\" x)) (defun caller () (list (step-fn 4) 'after)))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:interactive-eval "(caller)")"#,
        ThreadSelector::Any,
        2,
    );
    let thread = client.expect_debugger(1, "broken 4");
    client.rex("(swank:backtrace 0 2)", ThreadSelector::Id(thread), 3);
    assert_eq!(
        client.next(),
        r#"(:return (:ok ((0 "(STEP-FN 4)") (1 "(CALLER)"))) 3)"#
    );
    client.rex(
        r#"(swank:interactive-eval "(defun step-fn (x) (* x 10))")"#,
        ThreadSelector::Any,
        4,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> STEP-FN") 4)"#);
    client.leave_debugger("(swank:restart-frame 0)", thread, 1, 5);
    assert_eq!(client.next(), r#"(:return (:ok "=> (40 AFTER)") 2)"#);
}

#[test]
fn unbounded_recursion_opens_the_debugger_and_aborts_cleanly() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defun deep (n) (1+ (deep n))) (deep 1))")"#,
        ThreadSelector::Any,
        1,
    );
    let thread = client.expect_debugger(1, "Control stack exhausted");
    client.rex("(swank:backtrace 0 2)", ThreadSelector::Id(thread), 2);
    assert_eq!(
        client.next(),
        r#"(:return (:ok ((0 "(DEEP 1)") (1 "(DEEP 1)"))) 2)"#
    );
    client.leave_debugger("(swank:throw-to-toplevel)", thread, 1, 3);
    assert_eq!(client.next(), r#"(:return (:abort "NIL") 1)"#);
    client.rex(
        r#"(swank:interactive-eval "(+ 1 2)")"#,
        ThreadSelector::Any,
        4,
    );
    assert!(client.next().ends_with(" 4)"));
}

#[test]
fn break_and_return_from_frame() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defun pause (x) (break \"pausing at ~a\" x) (* x 2)) (defun outer () (list (pause 5) 'done)))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:interactive-eval "(outer)")"#,
        ThreadSelector::Any,
        2,
    );
    let thread = client.expect_debugger(
        1,
        r#"("pausing at 5" "   [Condition of type SIMPLE-CONDITION]" nil) (("CONTINUE" "Return from BREAK.")"#,
    );
    client.rex("(swank:sldb-disassemble 0)", ThreadSelector::Id(thread), 3);
    let listing = client.next();
    assert!(
        listing.starts_with(r#"(:return (:ok "Bytecode of (PAUSE 5):"#) && listing.contains("=>"),
        "{listing}"
    );
    client.rex(
        r#"(swank:sldb-return-from-frame 0 "(+ x 100)")"#,
        ThreadSelector::Id(thread),
        4,
    );
    assert_eq!(client.next(), r#"(:return (:abort "NIL") 4)"#);
    assert_eq!(client.next(), format!("(:debug-return {thread} 1 nil)"));
    assert_eq!(client.next(), r#"(:return (:ok "=> (105 DONE)") 2)"#);
}

#[test]
fn break_on_signals_enters_the_debugger_before_handlers() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(let ((*break-on-signals* 'division-by-zero)) (handler-case (/ 1 0) (error () :handled)))")"#,
        ThreadSelector::Any,
        1,
    );
    let thread = client.expect_debugger(1, "BREAK was entered because of *BREAK-ON-SIGNALS*.");
    client.leave_debugger("(swank:sldb-continue)", thread, 1, 2);
    assert_eq!(client.next(), r#"(:return (:ok "=> :HANDLED") 1)"#);
}

#[test]
fn stepping_stops_at_the_next_call_and_at_a_return() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defun inner (x) (* x 2)) (defun outer () (break) (inner 5) (inner 6) :done))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:interactive-eval "(outer)")"#,
        ThreadSelector::Any,
        2,
    );
    let thread = client.expect_debugger(1, "Break");
    client.leave_debugger("(swank:sldb-step 0)", thread, 1, 3);
    assert_eq!(
        client.expect_debugger(1, "Stepping: about to run (INNER 5)"),
        thread
    );
    client.leave_debugger("(swank:sldb-out 0)", thread, 1, 4);
    assert_eq!(client.expect_debugger(1, "Returning 10"), thread);
    client.leave_debugger("(swank:sldb-next 0)", thread, 1, 5);
    assert_eq!(
        client.expect_debugger(1, "Stepping: about to run (INNER 6)"),
        thread
    );
    client.leave_debugger("(swank:sldb-continue)", thread, 1, 6);
    assert_eq!(client.next(), r#"(:return (:ok "=> :DONE") 2)"#);
}

#[test]
fn an_undefined_function_can_be_defined_and_the_call_retried() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(list (not-yet-defined 20 1) :after)")"#,
        ThreadSelector::Any,
        1,
    );
    let thread = client.expect_debugger(
        1,
        r#"(("CONTINUE" "Retry calling NOT-YET-DEFINED.") ("USE-VALUE" "Call specified function.") ("RETURN-VALUE" "Return specified values.") ("RETURN-NOTHING" "Return zero values.")"#,
    );
    client.rex(
        r#"(swank:interactive-eval "(defun not-yet-defined (a b) (+ a b))")"#,
        ThreadSelector::Any,
        2,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> NOT-YET-DEFINED") 2)"#);
    client.leave_debugger("(swank:invoke-nth-restart-for-emacs 1 0)", thread, 1, 3);
    assert_eq!(client.next(), r#"(:return (:ok "=> (21 :AFTER)") 1)"#);
}

#[test]
fn macroexpand_all_expands_inside_forms_but_not_quoted_data() {
    let mut client = start();
    client.rex(
        r#"(swank:swank-macroexpand-all "(when a (push 1 x) (quote (when c)))")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "(IF A (PROGN (SETQ X (CONS 1 X)) '(WHEN C)) NIL)") 1)"#
    );
}

#[test]
fn apropos_lists_what_names_contain_with_their_documentation() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defvar *apropos-probe-var* 1 \"A probe variable.\") (defun apropos-probe-fn () \"Probes.\" 1) (defmacro apropos-probe-macro () 1))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:apropos-list-for-emacs "apropos-probe" nil nil 'nil)"#,
        ThreadSelector::Any,
        2,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok ((:designator "*APROPOS-PROBE-VAR*" :variable "A probe variable.") (:designator "APROPOS-PROBE-FN" :function "Probes.") (:designator "APROPOS-PROBE-MACRO" :macro :not-documented))) 2)"#
    );
}
