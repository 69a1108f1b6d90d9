//! docs/GETTING-STARTED.md, done as it says: the test reads the document and
//! runs its commands, with real Emacs + SLIME for the Emacs steps, so that a
//! change that makes the document wrong fails here.
//!
//! Nothing is retyped: the shell commands, the expected terminal output, the
//! init file forms, the `M-x` commands as typed, the Lisp forms of step 4,
//! the REPL input of steps 3 and 5 and what SLDB and the REPL are said to
//! show all come from the document's code blocks and inline code
//! ([`Plan::read`]). What changes is only where things run:
//!
//! - `swankd` is this crate's binary (`CARGO_BIN_EXE_swankd`);
//! - `examples/demo.lisp` is a copy in a temporary directory, its port 4006
//!   replaced by a free port and its five-second tick by 0.3 s (as
//!   `tests/emacs_e2e.rs` runs it), and 4006 in the `M-x` commands too;
//! - `/tmp/app.sock` is a socket in that directory;
//! - Emacs finds `swankd` on a `$PATH` that starts with that binary's
//!   directory (step 8 starts it from Emacs).
//!
//! So tests run in parallel. The one command not run is step 1's
//! `cargo install --path .`: it would build a release binary into
//! `~/.cargo/bin`, and the binary Cargo built for this test is the same code.
//! [`every_code_block_is_run`] fails on a code block that [`Plan::read`] does
//! not take.
//!
//! The Emacs side is `tests/getting_started/driver.el`, on the harness of
//! `tests/e2e/harness.el`: one scenario per test (steps 2 to 6 over TCP,
//! step 7 over a Unix socket, step 8). Emacs and SLIME are required
//! (scripts/test installs them).

mod service;

#[path = "getting_started/doc.rs"]
mod doc;
#[path = "getting_started/plan.rs"]
mod plan;

use doc::{Doc, lines};
use plan::{Plan, last_answer};
use service::{PATIENCE, Process, TempDir, free_port, read_lossy, wait_for, write};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The file `C-u M-x swankd-start` is given: what it defines, and how the REPL shows it.
const FIRST_FILE: &str = "(defparameter *first-file* 42)\n";
const FIRST_FILE_INPUT: &str = "*first-file*";
const FIRST_FILE_VALUE: &str = "42\n";
/// How long Emacs may take for one scenario before it is killed.
const EMACS_TIMEOUT: Duration = Duration::from_secs(60);
/// The harness's own limit, below [`EMACS_TIMEOUT`] so that it can report.
const HARNESS_TIMEOUT_SECS: u64 = 50;
/// Where step 1's init file forms expect the source tree.
const DOC_SOURCE_TREE: &str = "/path/to/swankd";
/// What the demo program sleeps between ticks, and what the test makes it sleep.
const DOC_TICK: &str = "(sleep 5)";
const TEST_TICK: &str = "(sleep 0.3)";

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read_doc() -> Doc {
    Doc::parse(&read_lossy(&manifest_path("docs/GETTING-STARTED.md")))
}

/// A Lisp string literal holding `text`.
fn elisp_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn elisp_strings(texts: &[String]) -> String {
    let items: Vec<String> = texts.iter().map(|text| elisp_string(text)).collect();
    format!("'({})", items.join(" "))
}

/// A temporary directory holding `examples/demo.lisp` as the test runs it.
struct Site {
    dir: TempDir,
    port: u16,
}

impl Site {
    fn new(tag: &str, plan: &Plan) -> Site {
        let dir = TempDir::new(tag);
        let port = free_port();
        let source = read_lossy(&manifest_path("examples/demo.lisp"));
        let doc_port = format!(":port {}", plan.doc_port);
        assert!(
            source.contains(&doc_port) && source.contains(DOC_TICK),
            "examples/demo.lisp no longer has `{doc_port}` (the port the document \
             connects to) and `{DOC_TICK}`"
        );
        let program = source
            .replace(&doc_port, &format!(":port {port}"))
            .replace(DOC_TICK, TEST_TICK);
        std::fs::create_dir_all(dir.join("examples")).unwrap();
        std::fs::create_dir_all(dir.join("home")).unwrap();
        write(&dir.join("examples/demo.lisp"), &program);
        write(&dir.join("first.lisp"), FIRST_FILE);
        Site { dir, port }
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("app.sock")
    }

    /// The document's text with its port and socket path replaced by this site's.
    fn localize(&self, plan: &Plan, text: &str) -> String {
        text.replace(&plan.doc_port.to_string(), &self.port.to_string())
            .replace(&plan.doc_socket, &self.socket().display().to_string())
    }

    /// Runs the document's command line `run` (`swankd ...`) here; waits for the
    /// program's first lines and checks they are the document's.
    fn start(&self, plan: &Plan, run: &[String], log: &str) -> Process {
        let (program, arguments) = run.split_first().expect("an empty command line");
        assert_eq!(program, "swankd", "the document runs {run:?}");
        let stdout = self.dir.join(&format!("{log}.out"));
        let stderr = self.dir.join(&format!("{log}.err"));
        let mut process = Process::spawn(
            "swankd",
            Command::new(env!("CARGO_BIN_EXE_swankd"))
                .args(
                    arguments
                        .iter()
                        .map(|argument| self.localize(plan, argument)),
                )
                .current_dir(self.dir.path())
                .env("HOME", self.dir.join("home"))
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(File::create(&stdout).unwrap())
                .stderr(File::create(&stderr).unwrap()),
        );
        let printed = wait_for("the program's first lines", || {
            if !process.is_running() {
                panic!("{run:?} exited:\n{}", read_lossy(&stderr));
            }
            let printed = lines(&read_lossy(&stdout));
            if printed.len() >= plan.first_output.len() {
                Ok(printed)
            } else {
                Err(format!("it printed {printed:?}"))
            }
        });
        assert_eq!(
            printed[..plan.first_output.len()],
            plan.first_output,
            "{run:?} does not print what step 2 says"
        );
        let listening = self.localize(plan, &plan.listening);
        wait_for("the program's Swank listener", || {
            if read_lossy(&stderr).contains(&listening) {
                Ok(())
            } else {
                Err(format!("no {listening:?} on stderr"))
            }
        });
        process
    }

    /// What `plan` read, as the plist `swankd-gs-doc` of tests/getting_started/driver.el.
    fn doc_data(&self, plan: &Plan, refused: &[String]) -> String {
        let local = |text: &str| elisp_string(&self.localize(plan, text));
        let plist = [
            (
                "init",
                elisp_string(
                    &plan
                        .init
                        .replace(DOC_SOURCE_TREE, env!("CARGO_MANIFEST_DIR")),
                ),
            ),
            ("init-commands", elisp_strings(&plan.init_commands)),
            ("connect", local(&plan.connect)),
            ("repl-buffer", elisp_string(&plan.repl_buffer)),
            ("counter-input", elisp_string(&plan.counter_input)),
            ("patch", elisp_string(&plan.patch)),
            ("patch-keys", elisp_strings(&plan.patch_keys)),
            ("patch-output", elisp_strings(&plan.patch_output)),
            ("error-input", elisp_string(&plan.error_input)),
            ("sldb-shows", elisp_strings(&plan.sldb_shows)),
            ("sldb-key", elisp_string(&plan.sldb_key)),
            ("aborted", elisp_string(&plan.aborted)),
            ("disconnect", elisp_string(&plan.disconnect)),
            ("reconnect", local(&plan.reconnect)),
            ("connect-unix", local(&plan.connect_unix)),
            ("refused", elisp_strings(refused)),
            ("start", elisp_string(&plan.start)),
            ("start-with-file", elisp_string(&plan.start_with_file)),
            (
                "first-file",
                elisp_string(&self.first_file().display().to_string()),
            ),
            ("first-file-input", elisp_string(FIRST_FILE_INPUT)),
            ("first-file-value", elisp_string(FIRST_FILE_VALUE)),
            ("inferior-buffer", elisp_string(&plan.inferior_buffer)),
            ("version-flag", elisp_string(&plan.version_flag)),
            ("offer", elisp_string(&plan.offer)),
            ("offered", elisp_string(&plan.offered)),
            ("slime-form", elisp_string(&plan.slime_form)),
            ("setq-form", elisp_string(&plan.setq_form)),
            ("plain-slime", elisp_string(&plan.plain_slime)),
            ("installed-lisp", elisp_string(&plan.installed_lisp)),
            ("customize", elisp_string(&plan.customize)),
        ];
        let items: Vec<String> = plist
            .iter()
            .map(|(key, value)| format!(" :{key} {value}\n"))
            .collect();
        format!(
            ";;; -*- lexical-binding: t -*-\n(setq swankd-gs-doc (list\n{}))\n",
            items.concat()
        )
    }

    /// The Lisp file given to `C-u M-x swankd-start`.
    fn first_file(&self) -> PathBuf {
        self.dir.join("first.lisp")
    }

    /// Runs `scenario` of tests/getting_started/driver.el against the program whose
    /// stdout is `log`.out, with what `plan` read from the document.
    fn emacs(&self, plan: &Plan, scenario: &str, log: &str, refused: &[String]) {
        let data = self.doc_data(plan, refused);
        let data_file = self.dir.join("doc.el");
        write(&data_file, &data);
        let output = self.dir.join(&format!("{scenario}.log"));
        let log_file = File::create(&output).unwrap();
        let mut emacs = Process::spawn(
            "emacs",
            Command::new(emacs_program())
                .args(["-Q", "--batch", "-l"])
                .arg(&data_file)
                .arg("-l")
                .arg(manifest_path("tests/getting_started/driver.el"))
                .args(["-f", "swankd-e2e-batch-main", "--program-output"])
                .arg(self.dir.join(&format!("{log}.out")))
                .arg("--timeout")
                .arg(HARNESS_TIMEOUT_SECS.to_string())
                .arg(scenario)
                .current_dir(self.dir.join("home"))
                .env("HOME", self.dir.join("home"))
                .env("PATH", path_with_swankd())
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file),
        );
        let finished = emacs.wait_bounded(EMACS_TIMEOUT);
        let status = emacs.child.wait().unwrap();
        // Shown with --nocapture: what was checked.
        eprintln!("{}", read_lossy(&output));
        assert!(
            finished && status.success(),
            "scenario {scenario} failed ({status}):\n{}\n---- the program's output:\n{}{}",
            read_lossy(&output),
            read_lossy(&self.dir.join(&format!("{log}.out"))),
            read_lossy(&self.dir.join(&format!("{log}.err"))),
        );
    }
}

/// $PATH with the directory of this crate's swankd first, so that Emacs finds
/// `swankd` as step 8 has it on the user's PATH.
fn path_with_swankd() -> std::ffi::OsString {
    let binary = Path::new(env!("CARGO_BIN_EXE_swankd"));
    let mut directories = vec![binary.parent().unwrap().to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        directories.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(directories).unwrap()
}

fn emacs_program() -> String {
    std::env::var("SWANKD_E2E_EMACS")
        .ok()
        .filter(|program| !program.is_empty())
        .unwrap_or_else(|| "emacs".to_owned())
}

/// Step 7's first instruction: `C-c` in the program's terminal, which stops it.
fn stop(plan: &Plan, mut program: Process) {
    assert_eq!(plan.stop_key, "C-c", "step 7 stops the program otherwise");
    let pid = libc::pid_t::try_from(program.child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    assert!(
        program.wait_bounded(PATIENCE),
        "the program did not stop on C-c (SIGINT)"
    );
    let status = program.child.wait().unwrap();
    assert!(
        status.success(),
        "after C-c the program exited with {status}"
    );
}

#[test]
fn every_code_block_is_run() {
    let doc = read_doc();
    let plan = Plan::read(&doc);
    assert_eq!(
        doc.untaken_blocks(),
        Vec::<String>::new(),
        "code blocks of docs/GETTING-STARTED.md that tests/getting_started.rs does not run"
    );
    // The one command not run (see the module documentation).
    assert_eq!(plan.install, "cargo install --path .");
}

#[test]
fn steps_2_to_6_over_tcp() {
    let doc = read_doc();
    let plan = Plan::read(&doc);
    let site = Site::new("getting-started", &plan);
    let program = site.start(&plan, &plan.run, "program");
    site.emacs(&plan, "getting-started", "program", &[]);
    stop(&plan, program);
}

#[test]
fn step_7_over_a_unix_socket() {
    let doc = read_doc();
    let plan = Plan::read(&doc);
    let site = Site::new("getting-started-unix", &plan);
    // Step 7 starts from step 2's program, stopped with C-c.
    stop(&plan, site.start(&plan, &plan.run, "first"));
    let program = site.start(&plan, &plan.run_unix, "program");
    let socket = site.socket();
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, plan.socket_mode,
        "{socket:?} has mode {mode:o}, not {:o}",
        plan.socket_mode
    );
    // What step 7 says is reported instead of a connection: a path that does not
    // exist, a file that is not a socket, a socket nobody listens on any more.
    let stale = site.dir.join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let refused: Vec<String> = [
        site.dir.join("missing.sock"),
        site.dir.join("examples/demo.lisp"),
        stale,
    ]
    .iter()
    .map(|path| {
        plan.connect_unix
            .replace(&plan.doc_socket, &path.display().to_string())
    })
    .collect();
    site.emacs(&plan, "getting-started-unix", "program", &refused);
    stop(&plan, program);
}

#[test]
fn step_8_swankd_as_emacss_own_lisp() {
    let doc = read_doc();
    let plan = Plan::read(&doc);
    let site = Site::new("getting-started-inferior", &plan);
    // No program: Emacs starts swankd itself. The driver reads no program output.
    write(&site.dir.join("none.out"), "");
    site.emacs(&plan, "getting-started-inferior", "none", &[]);
}

#[test]
fn the_document_connects_where_the_program_listens() {
    let doc = read_doc();
    let plan = Plan::read(&doc);
    assert_eq!(last_answer(&plan.reconnect), plan.doc_port.to_string());
    assert_eq!(last_answer(&plan.connect_unix), plan.doc_socket);
    assert_eq!(
        plan.run_unix.last(),
        plan.run.last(),
        "steps 2 and 7 run different programs"
    );
}
