//! Faults inside the interpreter, against the daemon binary running a ticking program: an
//! allocation bomb hits the heap limit and signals STORAGE-CONDITION, unbounded recursion
//! signals a stack error, and clients vanish in the middle of a request, of the debugger and
//! of output. After each, the thread that failed is the only one affected, its memory is
//! reclaimed, nothing is left running, and the program's loop still ticks. (A panic inside
//! a builtin is covered in `lisp_smoke.rs`.)

mod support;

use std::time::{Duration, Instant};

use support::{Process, Scratch, start_swankd};
use swankd::conformance::client::Address;
use swankd::conformance::session::Session;
use swankd::conformance::shapes::{self, Outcome, check_debug, event_name};

const PATIENCE: Duration = Duration::from_secs(15);

/// A program whose loop counts ticks in `*ticks*`.
const TICKING_PROGRAM: &str = "(defvar *ticks* 0)\n(loop (incf *ticks*) (sleep 0.02))\n";

struct Daemon {
    process: Process,
    address: Address,
    _scratch: Scratch,
}

impl Daemon {
    fn start(tag: &str, extra: &[&str]) -> Daemon {
        let scratch = Scratch::new(tag);
        let program = scratch.join("tick.lisp");
        std::fs::write(&program, TICKING_PROGRAM).expect("write the program");
        let mut arguments = extra.to_vec();
        arguments.push(program.to_str().expect("utf-8 path"));
        let (process, port) = start_swankd(&scratch, &arguments);
        Daemon {
            process,
            address: Address::Tcp(format!("127.0.0.1:{port}")),
            _scratch: scratch,
        }
    }

    fn session(&self) -> Session {
        Session::open(&self.address, PATIENCE, None).expect("connect")
    }

    /// `*ticks*` grows: the program's loop is alive.
    fn assert_ticking(&mut self) {
        self.process.assert_alive();
        let mut session = self.session();
        let mut ticks = || {
            let reply = session
                .ok("(cl:symbol-value 'cl-user::*ticks*)")
                .expect("read *ticks*");
            session.value(reply).as_i64().expect("an integer")
        };
        let first = ticks();
        let deadline = Instant::now() + PATIENCE;
        while ticks() <= first {
            assert!(Instant::now() < deadline, "the program stopped ticking");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Names of the threads `list-threads` shows.
    fn thread_names(&self) -> Vec<String> {
        let mut session = self.session();
        let reply = session.ok("(swank:list-threads)").expect("list-threads");
        shapes::elements(session.value(reply))
            .unwrap_or_default()
            .iter()
            .skip(1)
            .filter_map(|row| shapes::elements(row)?.get(1)?.as_str().map(str::to_string))
            .collect()
    }
}

/// Evaluates `text` with `interactive-eval`, expects the debugger with a condition whose
/// report contains `wanted`, leaves it with `sldb-abort` and checks the request is aborted.
fn fails_into_the_debugger(session: &mut Session, text: &str, wanted: &str) {
    let since = session.mark();
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    let id = session
        .start(&format!("(swank:interactive-eval \"{escaped}\")"), "t")
        .expect("send");
    let index = session
        .find_from(since, ":debug", |message| {
            event_name(message) == Some("debug")
        })
        .expect(":debug");
    let debug = check_debug(session.message(index)).expect("a well-formed :debug");
    let condition = shapes::show(session.message(index));
    assert!(condition.contains(wanted), "{condition}");
    let since = session.mark();
    session
        .start("(swank:sldb-abort)", &debug.thread.to_string())
        .expect("send");
    let reply = session
        .find_from(since, "the aborted request", |message| {
            shapes::check_return(message).is_ok_and(|(got, _)| got == id)
        })
        .expect(":return");
    assert!(matches!(session.outcome(reply), Ok(Outcome::Abort(_))));
}

#[test]
fn an_allocation_bomb_signals_storage_condition_and_its_memory_comes_back() {
    let mut daemon = Daemon::start("faults-heap", &["--heap-limit-mib", "64"]);
    let mut session = daemon.session();
    for _ in 0..2 {
        fails_into_the_debugger(
            &mut session,
            "(let ((l nil)) (loop (push (make-array 100000) l)))",
            "STORAGE-CONDITION",
        );
        // The bomb's garbage is reclaimed: a fair allocation succeeds afterwards.
        let reply = session
            .ok("(swank:interactive-eval \"(length (make-array 1000000))\")")
            .expect("allocation after the bomb");
        assert_eq!(
            session
                .value(reply)
                .as_str()
                .map(|text| text.starts_with("=> 1000000")),
            Some(true)
        );
        daemon.assert_ticking();
    }
}

#[test]
fn unbounded_recursion_signals_a_stack_error_in_that_thread_only() {
    let mut daemon = Daemon::start("faults-stack", &["--max-call-depth", "20000"]);
    let mut session = daemon.session();
    session
        .ok("(swank:interactive-eval \"(defun deep (n) (1+ (deep n)))\")")
        .expect("defun");
    fails_into_the_debugger(&mut session, "(deep 1)", "Control stack exhausted");
    // Deep but bounded recursion still works in the next request.
    session
        .ok("(swank:interactive-eval \"(defun down (n) (if (= n 0) 0 (1+ (down (1- n)))))\")")
        .expect("defun");
    let reply = session
        .ok("(swank:interactive-eval \"(down 10000)\")")
        .expect("bounded recursion");
    assert_eq!(
        session
            .value(reply)
            .as_str()
            .map(|text| text.starts_with("=> 10000")),
        Some(true)
    );
    daemon.assert_ticking();
}

#[test]
fn clients_vanishing_mid_request_debugger_and_output_leave_nothing_running() {
    let mut daemon = Daemon::start("faults-vanish", &[]);
    let baseline = daemon.thread_names().len();
    {
        // Mid-request: a busy loop.
        let mut busy = daemon.session();
        busy.start("(swank:interactive-eval \"(loop)\")", "t")
            .expect("send");
        // Mid-debugger.
        let mut debugging = daemon.session();
        let since = debugging.mark();
        debugging
            .start(
                "(swank:interactive-eval \"(error \\\"left behind\\\")\")",
                "t",
            )
            .expect("send");
        debugging
            .find_from(since, ":debug", |message| {
                event_name(message) == Some("debug")
            })
            .expect(":debug");
        // Mid-output: a REPL flooding output.
        let mut printing = daemon.session();
        printing.open_repl().expect("REPL");
        let since = printing.mark();
        printing
            .start(
                "(swank-repl:listener-eval \"(loop (princ \\\"output \\\"))\")",
                ":repl-thread",
            )
            .expect("send");
        printing
            .find_from(since, "output", |message| {
                event_name(message) == Some("write-string")
            })
            .expect("output arrives");
        let during = daemon.thread_names().len();
        assert!(
            during >= baseline + 3,
            "{during} threads, baseline {baseline}"
        );
    }
    // All three are gone: their threads end, and nothing else does.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let names = daemon.thread_names();
        if names.len() <= baseline {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "threads left behind: {names:?} (baseline {baseline})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    daemon.assert_ticking();
}

/// The daemon limited to `limit` open descriptors, on a free port, with a ticking program.
fn start_with_descriptor_limit(scratch: &Scratch, limit: u64) -> (Process, u16) {
    use std::os::unix::process::CommandExt;
    let program = scratch.join("tick.lisp");
    std::fs::write(&program, TICKING_PROGRAM).expect("write the program");
    let port_file = scratch.join("swankd.port");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_swankd"));
    command
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .arg(&program)
        .env("HOME", scratch.home())
        .env_remove("RUST_LOG");
    // SAFETY: runs in the child between fork and exec and only calls setrlimit, which is
    // async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut process = Process::spawn("swankd", &mut command, scratch.join("swankd.log"));
    let port = process.wait_for_port(&port_file, support::SWANKD_START_TIMEOUT);
    (process, port)
}

#[test]
fn descriptor_exhaustion_backs_off_and_recovers() {
    let scratch = Scratch::new("faults-descriptors");
    let (mut process, port) = start_with_descriptor_limit(&scratch, 64);
    let address = Address::Tcp(format!("127.0.0.1:{port}"));
    // More connections than descriptors: the kernel completes them all, the daemon cannot
    // accept them all.
    let held: Vec<std::net::TcpStream> = (0..100)
        .filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    let deadline = Instant::now() + PATIENCE;
    while !process.output().contains("accept failed; retrying") {
        assert!(
            Instant::now() < deadline,
            "descriptors never ran out:\n{}",
            process.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    process.assert_alive();
    drop(held);
    // Once the clients are gone, accepting resumes (after the back-off).
    let mut session = Session::open(&address, PATIENCE, None).expect("connect");
    let reply = session
        .ok("(cl:+ 1 2)")
        .expect("answered after the exhaustion");
    assert_eq!(session.value(reply).as_i64(), Some(3));
    let mut daemon = Daemon {
        process,
        address,
        _scratch: scratch,
    };
    daemon.assert_ticking();
}
