//! The interpreter side of the protocol, driven through the events contract (no Emacs
//! sockets): requests get exactly one reply, output comes before the reply, REPL requests
//! queue, and a thread parked on a program socket behaves as any waiting thread.

use std::time::Duration;

use swankd::events::{EmacsMessage, Outbox, ThreadSelector, ToInterpreter};
use swankd::runtime::{self, RuntimeConfig};

struct Client {
    runtime: Option<runtime::RuntimeHandle>,
    replies: tokio::sync::mpsc::Receiver<lexpr::Value>,
    connection: u64,
}

fn start() -> Client {
    start_for("2.27")
}

/// Starts an interpreter that believes its clients are this SLIME version.
fn start_for(slime_version: &str) -> Client {
    start_with(slime_version, None)
}

/// A session whose programs have sockets, served by `network` (which must outlive it).
fn start_with_sockets(network: &tokio::runtime::Runtime) -> Client {
    start_with("2.27", Some(network.handle().clone()))
}

fn start_with(slime_version: &str, network: Option<tokio::runtime::Handle>) -> Client {
    let (interpreter, receiver) = std::sync::mpsc::channel();
    let sockets = network.map(|network| {
        let sockets = swankd::sockets::ProgramSockets::new(
            network,
            swankd::sockets::SocketSettings::default(),
            interpreter.clone(),
        );
        std::sync::Arc::new(sockets) as std::sync::Arc<dyn swankd::events::SocketControl>
    });
    let config = RuntimeConfig {
        files: Vec::new(),
        evals: Vec::new(),
        slime_version: slime_version.into(),
        unacknowledged_output_limit: 64,
        idle_spin: std::time::Duration::from_micros(100),
        idle_collection_bytes: 4 << 20,
        allow_quit: false,
        orphan_errors: swankd::config::OrphanErrors::Park,
        system: Default::default(),
        listeners: None,
        sockets,
    };
    let handle = runtime::start_on(config, interpreter, receiver).unwrap_or_else(|e| panic!("{e}"));
    let replies = connect(&handle.sender, 1);
    Client {
        runtime: Some(handle),
        replies,
        connection: 1,
    }
}

/// Tells the interpreter that client `connection` connected; its messages arrive on the
/// receiver returned.
fn connect(
    interpreter: &std::sync::mpsc::Sender<ToInterpreter>,
    connection: u64,
) -> tokio::sync::mpsc::Receiver<lexpr::Value> {
    let (sender, replies) = tokio::sync::mpsc::channel(1024);
    interpreter
        .send(ToInterpreter::Connected {
            connection,
            peer: "test".into(),
            outbox: Outbox::new(sender),
            inbound: None,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    replies
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
fn a_thread_waiting_on_a_socket_can_be_interrupted_and_goes_on_waiting() {
    let network = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut client = start_with_sockets(&network);
    client.rex(
        r#"(swank:interactive-eval "(progn (defparameter *listener* (usocket:socket-listen \"127.0.0.1\" 0)) (usocket:get-local-port *listener*))")"#,
        ThreadSelector::Any,
        1,
    );
    let reply = client.next();
    let port: u16 = reply
        .strip_prefix(r#"(:return (:ok "=> "#)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {reply}"));
    client.rex(
        r#"(swank:interactive-eval "(read-line (usocket:socket-stream (usocket:socket-accept *listener*)))")"#,
        ThreadSelector::Repl,
        2,
    );
    client.rex(
        r#"(swank:interactive-eval "(+ 3 4)")"#,
        ThreadSelector::Any,
        3,
    );
    assert!(client.next().ends_with(" 3)"), "others run while it waits");
    client.interrupt(ThreadSelector::Repl);
    let thread = client.expect_debugger(1, "Interrupt from Emacs");
    client.leave_debugger("(swank:sldb-continue)", thread, 1, 4);
    let mut peer =
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    std::io::Write::write_all(&mut peer, b"hello\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.next(), r#"(:return (:ok "=> \"hello\", NIL") 2)"#);
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
    // Pretty-printed as SBCL's swank prints expansions: IF puts each branch on its own line.
    let mut client = start();
    client.rex(
        r#"(swank:swank-macroexpand-all "(when a (push 1 x) (quote (when c)))")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "(IF A\n    (PROGN (SETQ X (CONS 1 X)) '(WHEN C))\n    NIL)") 1)"#
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

#[test]
fn find_definitions_lists_a_classes_and_a_generic_functions_methods() {
    let mut client = start();
    client.rex(
        r#"(swank:compile-string-for-emacs "(defclass probe-shape () ())
(defgeneric probe-area (s))
(defmethod probe-area ((s probe-shape)) 1)
(defmethod probe-area :before ((s probe-shape)) 2)" "shapes.lisp" '((:position 10)) nil nil)"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:find-definitions-for-emacs "probe-area")"#,
        ThreadSelector::Any,
        2,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok (("(DEFGENERIC PROBE-AREA (S))" (:location (:buffer "shapes.lisp") (:offset 39 0) nil)) ("(DEFMETHOD PROBE-AREA PROBE-SHAPE)" (:location (:buffer "shapes.lisp") (:offset 67 0) nil)) ("(DEFMETHOD PROBE-AREA :BEFORE PROBE-SHAPE)" (:location (:buffer "shapes.lisp") (:offset 110 0) nil)))) 2)"#
    );
    client.rex(
        r#"(swank:find-definitions-for-emacs "probe-shape")"#,
        ThreadSelector::Any,
        3,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok (("(DEFCLASS PROBE-SHAPE)" (:location (:buffer "shapes.lisp") (:offset 10 0) nil)))) 3)"#
    );
}

#[test]
fn the_repl_and_the_echo_area_print_instances_with_their_print_object_methods() {
    let mut client = start();
    client.rex(
        r##"(swank:interactive-eval "(progn (defclass probe-point () ((x :initarg :x))) (defmethod print-object ((p probe-point) s) (format s \"#<P ~a>\" (slot-value p 'x))) (make-instance 'probe-point :x 1))")"##,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> #<P 1>") 1)"#);
    client.rex(
        r#"(swank-repl:create-repl nil :coding-system "utf-8-unix")"#,
        ThreadSelector::Any,
        2,
    );
    assert!(client.next().ends_with(" 2)"));
    client.rex(
        r#"(swank-repl:listener-eval "(list (make-instance 'probe-point :x 2))")"#,
        ThreadSelector::Repl,
        3,
    );
    assert_eq!(
        client.next(),
        "(:write-string \"(#<P 2>)\\n\" :repl-result)"
    );
    assert_eq!(client.next(), "(:return (:ok nil) 3)");
}

#[test]
fn describe_and_apropos_know_classes_and_generic_functions() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defclass probe-class () ((slot :initarg :slot :reader probe-slot))) (defgeneric probe-gf (x)) (defmethod probe-gf ((x probe-class)) 1))")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:describe-symbol "probe-class")"#,
        ThreadSelector::Any,
        2,
    );
    let described = client.next();
    assert!(
        described.contains(r"PROBE-CLASS names the standard-class #<STANDARD-CLASS COMMON-LISP-USER::PROBE-CLASS>:\n  Class precedence-list: PROBE-CLASS, STANDARD-OBJECT, T\n"),
        "{described}"
    );
    assert!(
        described.contains(r"    SLOT\n      Initargs: :SLOT\n      Readers: PROBE-SLOT\n"),
        "{described}"
    );
    client.rex(
        r#"(swank:describe-symbol "probe-gf")"#,
        ThreadSelector::Any,
        3,
    );
    let described = client.next();
    assert!(
        described.contains(
            r"PROBE-GF names a generic function with 1 method:\n    (PROBE-GF (PROBE-CLASS))\n"
        ),
        "{described}"
    );
    client.rex(
        r#"(swank:apropos-list-for-emacs "probe-cl" nil nil 'nil)"#,
        ThreadSelector::Any,
        4,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok ((:designator "PROBE-CLASS" :class :not-documented))) 4)"#
    );
}

#[test]
fn the_inspector_shows_slots_by_class_and_sets_one_from_the_minibuffer() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defclass probe-base () ((a :initform 1))) (defclass probe-sub (probe-base) ((b :initform 2))) (defvar *probe* (make-instance 'probe-sub)) nil)")"#,
        ThreadSelector::Any,
        1,
    );
    assert!(client.next().ends_with(" 1)"));
    client.rex(
        r#"(swank:init-inspector "*probe*")"#,
        ThreadSelector::Any,
        2,
    );
    let page = client.next();
    assert!(
        page.contains(r#""Slots of PROBE-SUB:" "\n" "  B: " (:value "2" 1) " " (:action "[set value]" 0) " " (:action "[make unbound]" 1) "\n" "Slots of PROBE-BASE:" "\n" "  A: " (:value "1" 2)"#),
        "{page}"
    );
    client.rex(
        r#"(swank:inspector-call-nth-action 0)"#,
        ThreadSelector::Any,
        3,
    );
    let question = client.next();
    let parts: Vec<&str> = question.split(' ').collect();
    assert_eq!(parts[0], "(:read-from-minibuffer", "{question}");
    assert!(
        question.ends_with(r#" "Set slot B to (evaluated) : " nil)"#),
        "{question}"
    );
    let thread: i64 = parts[1]
        .parse()
        .unwrap_or_else(|e| panic!("{question}: {e}"));
    let tag: i64 = parts[2]
        .parse()
        .unwrap_or_else(|e| panic!("{question}: {e}"));
    client.send(EmacsMessage::Return {
        thread: ThreadSelector::Id(thread),
        tag,
        value: lexpr::Value::string("(* 6 7)"),
    });
    let page = client.next();
    assert!(page.contains(r#""  B: " (:value "42" 1)"#), "{page}");
    assert!(page.ends_with(" 3)"), "{page}");
    client.rex(
        r#"(swank:inspector-call-nth-action 1)"#,
        ThreadSelector::Any,
        4,
    );
    let page = client.next();
    assert!(
        page.contains(r##""  B: " "#<unbound>" " " (:action "[set value]" 0)"##),
        "{page}"
    );
}

impl Client {
    /// If `message` is a `(:read-string THREAD TAG)`, answers it with `text` and says so.
    fn answer_read_string(&self, message: &str, text: &str) -> bool {
        let Some(rest) = message.strip_prefix("(:read-string ") else {
            return false;
        };
        let mut numbers = rest.trim_end_matches(')').split(' ');
        let thread: i64 = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(-1);
        let tag: i64 = numbers.next().and_then(|n| n.parse().ok()).unwrap_or(-1);
        self.send(EmacsMessage::ReturnString {
            thread: ThreadSelector::Id(thread),
            tag,
            string: text.into(),
        });
        true
    }

    fn send(&self, message: EmacsMessage) {
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

    /// The next message, if one arrives within `wait`.
    fn next_within(&mut self, wait: Duration) -> Option<String> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            if let Ok(value) = self.replies.try_recv() {
                return Some(
                    lexpr::to_string_custom(&value, lexpr::print::Options::elisp())
                        .unwrap_or_default(),
                );
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn create_repl(&mut self) {
        self.rex(
            r#"(swank-repl:create-repl nil :coding-system "utf-8-unix")"#,
            ThreadSelector::Any,
            1,
        );
        assert_eq!(
            self.next(),
            r#"(:return (:ok ("COMMON-LISP-USER" "CL-USER")) 1)"#
        );
    }
}

/// The text of a `(:write-string TEXT nil THREAD)`, the form SLIME 2.28 and later answer.
fn paced_write_text(message: &str) -> Option<String> {
    let rest = message.strip_prefix("(:write-string \"")?;
    let (text, tail) = rest.rsplit_once("\" nil ")?;
    let thread = tail.strip_suffix(')')?;
    thread.parse::<i64>().ok()?;
    Some(text.replace("\\n", "\n"))
}

#[test]
fn newer_slime_gets_output_paced_by_write_done() {
    let mut client = start_for("2.32.git");
    client.create_repl();
    client.rex(
        r#"(swank-repl:listener-eval "(dotimes (i 20000) (princ \"x\"))")"#,
        ThreadSelector::Repl,
        2,
    );
    let first = client.next();
    let mut text =
        paced_write_text(&first).unwrap_or_else(|| panic!("not a paced :write-string: {first}"));
    assert!(text.len() < 20000, "all output came in one write");
    // Unanswered, the write holds the rest of the output and the evaluation back.
    assert_eq!(client.next_within(Duration::from_millis(300)), None);
    let reply = loop {
        client.send(EmacsMessage::WriteDone {
            thread: ThreadSelector::Id(0),
        });
        let message = client.next();
        match paced_write_text(&message) {
            Some(more) => text.push_str(&more),
            None => break message,
        }
    };
    assert_eq!(text, "x".repeat(20000) + "\n");
    assert_eq!(reply, "(:write-string \"NIL\\n\" :repl-result)");
}

#[test]
fn the_emacs_package_can_switch_a_connection_to_write_done() {
    let mut client = start_for("2.27");
    client.create_repl();
    client.rex(
        r#"(swankd:set-client-slime-version "2.28")"#,
        ThreadSelector::Any,
        2,
    );
    assert_eq!(client.next(), r#"(:return (:ok "2.28") 2)"#);
    client.rex(
        r#"(swank-repl:listener-eval "(princ 1)")"#,
        ThreadSelector::Repl,
        3,
    );
    let output = client.next();
    assert_eq!(
        paced_write_text(&output).as_deref(),
        Some("1\n"),
        "{output}"
    );
}

#[test]
fn complete_form_offers_the_missing_arguments_as_a_template() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(defmacro with-thing ((conc-name &rest names) obj &body body) nil)")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> WITH-THING") 1)"#);
    let cases = [
        (
            r#"("with-thing" "" swank::%cursor-marker%)"#,
            r#""(conc-name names...) obj body...""#,
        ),
        (
            r#"("with-thing" ("" swank::%cursor-marker%))"#,
            r#""conc-name names...""#,
        ),
        (
            r#"("with-thing" ("foo." "bar" "baz" "" swank::%cursor-marker%))"#,
            r#""names...""#,
        ),
        (
            r#"("subseq" "" swank::%cursor-marker%)"#,
            r#""sequence start [end]""#,
        ),
        (r#"("nosuch" "" swank::%cursor-marker%)"#, ":not-available"),
    ];
    for (id, (raw, expected)) in (2..).zip(cases) {
        client.rex(
            &format!("(swank:complete-form (quote {raw}))"),
            ThreadSelector::Any,
            id,
        );
        assert_eq!(client.next(), format!("(:return (:ok {expected}) {id})"));
    }
}

#[test]
fn character_and_keyword_completions_follow_swank() {
    let mut client = start();
    let cases = [
        (
            r#"(swank:completions-for-character "R")"#,
            r#"(("Return" "Rubout") "R")"#,
        ),
        (
            r#"(swank:completions-for-keyword ":S" '("find" "'x" nil "" swank::%cursor-marker%))"#,
            r#"((":START") ":START")"#,
        ),
        (
            r#"(swank:completions-for-keyword ":s" '("find" "'x" nil "" swank::%cursor-marker%))"#,
            r#"((":start") ":start")"#,
        ),
    ];
    for (id, (form, expected)) in (1..).zip(cases) {
        client.rex(form, ThreadSelector::Any, id);
        assert_eq!(client.next(), format!("(:return (:ok {expected}) {id})"));
    }
}

#[test]
fn a_macro_sees_local_macros_through_its_environment() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defmacro expanded (form &environment env) `'(,(macroexpand-1 form env))) (macrolet ((m (x) `(list ,x))) (expanded (m 1))))")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> ((LIST 1))") 1)"#);
}

#[test]
fn compiler_macros_expand_on_request() {
    let mut client = start();
    let cases = [
        (
            r#"(swank:interactive-eval "(progn (defun twice (x) (* 2 x)) (define-compiler-macro twice (x) `(+ ,x ,x)))")"#,
            r#""=> TWICE""#,
        ),
        (
            r#"(swank:swank-compiler-macroexpand-1 "(twice 1)")"#,
            r#""(+ 1 1)""#,
        ),
        (r#"(swank:swank-expand-1 "(twice 1)")"#, r#""(+ 1 1)""#),
        (
            r#"(swank:swank-compiler-macroexpand "(car x)")"#,
            r#""(CAR X)""#,
        ),
        (
            r#"(swank:interactive-eval "(twice 4)")"#,
            r#""=> 8 (4 bits, #x8, #o10, #b1000)""#,
        ),
    ];
    for (id, (form, expected)) in (1..).zip(cases) {
        client.rex(form, ThreadSelector::Any, id);
        assert_eq!(client.next(), format!("(:return (:ok {expected}) {id})"));
    }
}

#[test]
fn y_or_n_p_at_the_repl_asks_emacs_for_the_answer() {
    let mut client = start();
    client.create_repl();
    client.rex(
        r#"(swank-repl:listener-eval "(y-or-n-p \"Go ~a?\" 1)")"#,
        ThreadSelector::Repl,
        2,
    );
    let mut answers = vec!["maybe\n", "y\n"].into_iter();
    let mut shown = String::new();
    let result = loop {
        let message = client.next();
        if message.starts_with("(:read-string ") {
            let answer = answers
                .next()
                .unwrap_or_else(|| panic!("asked too often: {shown}"));
            client.answer_read_string(&message, answer);
        } else if message.contains(":repl-result") {
            break message;
        } else {
            shown.push_str(&message);
        }
    };
    assert_eq!(result, "(:write-string \"T\\n\" :repl-result)");
    assert!(shown.contains("Go 1? (y or n) "), "{shown}");
    assert!(
        shown.contains("Please type \\\"y\\\" for yes or \\\"n\\\" for no."),
        "{shown}"
    );
}

#[test]
fn the_inspector_removes_hash_table_entries_and_unbinds_functions() {
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(progn (defvar *h* (make-hash-table)) (setf (gethash :a *h*) 1 (gethash :b *h*) 2) (defun gone () 1))")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(client.next(), r#"(:return (:ok "=> GONE") 1)"#);
    client.rex(r#"(swank:init-inspector "*h*")"#, ThreadSelector::Any, 2);
    let page = client.next();
    assert!(page.contains(r#"(:action "[remove entry]" 1)"#), "{page}");
    client.rex(
        "(swank:inspector-call-nth-action 1)",
        ThreadSelector::Any,
        3,
    );
    let page = client.next();
    assert!(
        page.contains(":COUNT 1") && !page.contains(r#"(:value ":A""#),
        "{page}"
    );
    client.rex(r#"(swank:init-inspector "'gone")"#, ThreadSelector::Any, 4);
    let page = client.next();
    assert!(page.contains(r#"(:action "[unbind]" 0)"#), "{page}");
    client.rex(
        "(swank:inspector-call-nth-action 0)",
        ThreadSelector::Any,
        5,
    );
    let page = client.next();
    assert!(page.contains("It names no function."), "{page}");
}

#[test]
fn xref_finds_the_functions_that_expand_a_macro() {
    let mut client = start();
    client.rex(
        r#"(swank:compile-string-for-emacs "(defmacro twice (x) (list 'progn x x)) (defun use-twice () (twice (print 1)))" "m.lisp" '((:position 1)) nil nil)"#,
        ThreadSelector::Any,
        1,
    );
    let compiled = client.next();
    assert!(compiled.contains(":compilation-result nil t"), "{compiled}");
    client.rex(
        r#"(swank:xref ':macroexpands "twice")"#,
        ThreadSelector::Any,
        2,
    );
    let reply = client.next();
    assert!(
        reply.starts_with(r#"(:return (:ok (("USE-TWICE" (:location (:buffer "m.lisp")"#),
        "{reply}"
    );
}

#[test]
fn xref_lists_the_methods_specialized_on_a_class() {
    let mut client = start();
    client.rex(
        r#"(swank:compile-string-for-emacs "(defclass circle () ()) (defgeneric area (s)) (defmethod area ((c circle)) 1) (defmethod size ((c circle) unused) 2)" "s.lisp" '((:position 1)) nil nil)"#,
        ThreadSelector::Any,
        1,
    );
    // Method parameters take part in dispatch: no unused-variable notes, as in SBCL.
    assert_eq!(
        client.next().split(" t ").next().unwrap_or_default(),
        "(:return (:ok (:compilation-result nil"
    );
    client.rex(
        r#"(swank:xref ':specializes "circle")"#,
        ThreadSelector::Any,
        2,
    );
    let reply = client.next();
    assert!(
        reply.starts_with(
            r#"(:return (:ok (("(DEFMETHOD AREA CIRCLE)" (:location (:buffer "s.lisp")"#
        ) && reply.contains(r#"("(DEFMETHOD SIZE CIRCLE T)""#),
        "{reply}"
    );
}

#[test]
fn format_string_expand_gives_a_function_that_formats_alike() {
    let mut client = start();
    client.rex(
        r#"(swank:swank-format-string-expand "\"~a~%\"")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r##"(:return (:ok "#'(LAMBDA (STREAM &REST ARGS) (PRINC (POP ARGS) STREAM) (TERPRI STREAM) ARGS)") 1)"##
    );
    let check = r#"(swank:interactive-eval "(let* ((control \"Total: ~5,2f (~d items)~&~{~a~^, ~}~~\") (expanded (eval (read-from-string (swank:swank-format-string-expand (prin1-to-string control)))))) (equal (with-output-to-string (s) (funcall expanded s 3.14159 2 '(1 2 3))) (format nil control 3.14159 2 '(1 2 3))))")"#;
    client.rex(check, ThreadSelector::Any, 2);
    assert_eq!(client.next(), r#"(:return (:ok "=> T") 2)"#);
}

#[test]
fn use_value_chosen_in_the_debugger_asks_for_a_form_and_uses_its_value() {
    let mut client = start();
    client.create_repl();
    client.rex(
        r#"(swank:interactive-eval "(list *never-bound-here* :after)")"#,
        ThreadSelector::Any,
        1,
    );
    let thread = client.expect_debugger(1, r#"("USE-VALUE" "Use specified value.")"#);
    client.rex(
        "(swank:invoke-nth-restart-for-emacs 1 1)",
        ThreadSelector::Id(thread),
        2,
    );
    let mut shown = Vec::new();
    let mut asked = 0;
    loop {
        let message = client.next();
        if client.answer_read_string(&message, "(+ 40 2)\n") {
            asked += 1;
        } else if message.ends_with(" 1)") && message.starts_with("(:return") {
            assert_eq!(
                message, r#"(:return (:ok "=> (42 :AFTER)") 1)"#,
                "{shown:?}"
            );
            break;
        } else {
            shown.push(message);
        }
    }
    assert_eq!(asked, 1, "{shown:?}");
    assert!(
        shown
            .iter()
            .any(|m| m.contains("Enter a form to be evaluated: ")),
        "{shown:?}"
    );
    assert!(
        shown.contains(&format!("(:debug-return {thread} 1 nil)")),
        "{shown:?}"
    );
}

#[test]
fn pprint_eval_pretty_prints_each_value_on_lines_of_its_own() {
    // As SBCL's swank-pprint: each value after a newline, pretty-printed, then a newline.
    let mut client = start();
    client.rex(
        r#"(swank:pprint-eval "(values '(let ((a 1)) a) 2)")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "\n(LET ((A 1))\n  A)\n\n2\n") 1)"#
    );
}

#[test]
fn query_io_at_the_repl_asks_emacs_and_reads_the_answer() {
    let mut client = start();
    client.create_repl();
    client.rex(
        r#"(swank-repl:listener-eval "(progn (format *query-io* \"Name? \") (finish-output *query-io*) (list (read-line *query-io*) (type-of *terminal-io*)))")"#,
        ThreadSelector::Repl,
        2,
    );
    let mut shown = String::new();
    let result = loop {
        let message = client.next();
        if message.contains(":repl-result") {
            break message;
        }
        if !client.answer_read_string(&message, "bob\n") {
            shown.push_str(&message);
        }
    };
    assert_eq!(
        result,
        r#"(:write-string "(\"bob\" TWO-WAY-STREAM)\n" :repl-result)"#
    );
    assert!(shown.contains("Name? "), "{shown}");
}

#[test]
fn the_repl_keeps_the_forms_and_values_of_its_last_evaluations() {
    let mut client = start();
    client.create_repl();
    let mut eval = |form: &str, id: i64| -> Vec<String> {
        let request = format!(
            "(swank-repl:listener-eval {})",
            lexpr::to_string(&lexpr::Value::string(form)).unwrap_or_default()
        );
        client.rex(&request, ThreadSelector::Repl, id);
        let mut results = Vec::new();
        loop {
            let message = client.next();
            if message == format!("(:return (:ok nil) {id})") {
                return results;
            }
            results.push(message);
        }
    };
    eval("(values 1 2)", 2);
    assert_eq!(
        eval("(list + / * -)", 3),
        [r#"(:write-string "((VALUES 1 2) (1 2) 1 (LIST + / * -))\n" :repl-result)"#]
    );
    assert_eq!(
        eval("(list ++ // **)", 4),
        [r#"(:write-string "((VALUES 1 2) (1 2) 1)\n" :repl-result)"#]
    );
    eval("(swank-repl:clear-repl-variables)", 5);
    assert_eq!(
        eval("(list ++ // ** +++ ///)", 6),
        [r#"(:write-string "(NIL NIL NIL NIL NIL)\n" :repl-result)"#]
    );
}

#[test]
fn pretty_printing_never_reaches_the_replies_encoding() {
    // *PRINT-PRETTY* is on by default and the margin here is tiny; the reply's data still
    // travels as data, every symbol and string on one line.
    let mut client = start();
    client.rex(
        r#"(cl:progn (cl:setf cl:*print-right-margin* 10)
             (cl:list "a b c d e f g h" 'alpha-beta-gamma-delta
                      (cl:list 'epsilon-zeta-eta 'theta-iota-kappa 'lambda-mu-nu)))"#,
        ThreadSelector::Any,
        1,
    );
    let reply = client.next();
    assert!(!reply.contains('\n') && !reply.contains("\\n"), "{reply}");
    assert!(reply.contains("theta-iota-kappa"), "{reply}");
}

#[test]
fn echo_area_values_are_pretty_printed_after_the_arrow() {
    // As SBCL's swank prints them: continuation lines line up under the list's first element.
    let mut client = start();
    client.rex(
        r#"(swank:interactive-eval "(values 1 (loop for i below 40 collect i))")"#,
        ThreadSelector::Any,
        1,
    );
    assert_eq!(
        client.next(),
        r#"(:return (:ok "=> 1, (0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26\n       27 28 29 30 31 32 33 34 35 36 37 38 39)") 1)"#
    );
}

#[test]
fn repl_results_fit_the_window_width_emacs_sends() {
    // As swank: :WINDOW-WIDTH binds *PRINT-RIGHT-MARGIN* while the REPL evaluates.
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
        r#"(swank-repl:listener-eval "(loop for i below 12 collect i)" :window-width 20)"#,
        ThreadSelector::Repl,
        2,
    );
    assert_eq!(
        client.next(),
        "(:write-string \"(0 1 2 3 4 5 6 7 8\\n 9 10 11)\\n\" :repl-result)"
    );
    assert_eq!(client.next(), "(:return (:ok nil) 2)");
}

#[test]
fn a_closed_connections_inspector_presentations_and_indentation_state_are_forgotten() {
    let mut client = start();
    let held_for = |id: u64| {
        format!(
            r#"(swank:interactive-eval "(mapcar (lambda (table) (nth-value 1 (gethash {id} table))) (list swank::*inspectors* swank::*presentations* swank::*indentation-sent*))")"#
        )
    };
    client.rex("(swank:init-presentations)", ThreadSelector::Any, 1);
    assert!(client.next().ends_with(" 1)"));
    client.rex(r#"(swank:init-inspector "42")"#, ThreadSelector::Any, 2);
    assert!(client.next().ends_with(" 2)"));
    client.rex(
        "(swank:update-indentation-information)",
        ThreadSelector::Any,
        3,
    );
    client.next();
    client.rex(&held_for(1), ThreadSelector::Any, 4);
    assert_eq!(client.next(), r#"(:return (:ok "=> (T T T)") 4)"#);

    let sender = match &client.runtime {
        Some(runtime) => runtime.sender.clone(),
        None => panic!("no runtime"),
    };
    sender
        .send(ToInterpreter::Disconnected { connection: 1 })
        .unwrap_or_else(|e| panic!("{e}"));
    client.replies = connect(&sender, 2);
    client.connection = 2;
    client.rex(&held_for(1), ThreadSelector::Any, 5);
    assert_eq!(client.next(), r#"(:return (:ok "=> (NIL NIL NIL)") 5)"#);
}
