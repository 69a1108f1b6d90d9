//! What docs/GETTING-STARTED.md says to do, as tests/getting_started.rs reads it:
//! [`Plan::read`] takes every command, form and expected text from the document's
//! code blocks and inline code, and fails when the document no longer says them
//! where it did.

use super::doc::{Doc, lines};

/// What the document says to do, step by step.
pub struct Plan {
    /// Step 1's shell command, not run (see the module documentation).
    pub install: String,
    /// Step 1's init file forms.
    pub init: String,
    /// The commands step 1 says the init file forms provide.
    pub init_commands: Vec<String>,
    /// Step 2's command line.
    pub run: Vec<String>,
    /// What step 2 says the program prints first, and swankd on stderr.
    pub first_output: Vec<String>,
    pub listening: String,
    /// Step 3's `M-x slime-connect RET host RET port RET`.
    pub connect: String,
    /// The port the document connects to (the demo's).
    pub doc_port: u16,
    /// Step 3's REPL buffer name.
    pub repl_buffer: String,
    /// Step 3's REPL input.
    pub counter_input: String,
    /// Step 4's Lisp forms and the two keys to evaluate them with.
    pub patch: String,
    pub patch_keys: Vec<String>,
    /// What step 4 says the program prints next.
    pub patch_output: Vec<String>,
    /// Step 5's REPL input, what SLDB shows, the key that closes it, the REPL's message.
    pub error_input: String,
    pub sldb_shows: Vec<String>,
    pub sldb_key: String,
    pub aborted: String,
    /// Step 6's commands.
    pub disconnect: String,
    pub reconnect: String,
    /// Step 7: the key that stops the program, the socket's mode, the command line,
    /// the socket it names and the command connecting to it.
    pub stop_key: String,
    pub socket_mode: u32,
    pub run_unix: Vec<String>,
    pub doc_socket: String,
    pub connect_unix: String,
    /// Step 8: the commands and forms that start swankd as SLIME's inferior Lisp, the
    /// buffer it runs in, the option that tells it SLIME's version, what `M-- M-x
    /// slime` offers, the Lisp Debian's SLIME finds installed, and the command that
    /// customizes it all.
    pub start: String,
    pub start_with_file: String,
    pub inferior_buffer: String,
    pub version_flag: String,
    pub offer: String,
    pub offered: String,
    pub slime_form: String,
    pub setq_form: String,
    pub plain_slime: String,
    pub installed_lisp: String,
    pub customize: String,
}

/// The text after `prompt` on the one line of `block`.
fn after_prompt<'a>(block: &'a str, prompt: &str) -> &'a str {
    let line = block.lines().next().unwrap_or("");
    line.strip_prefix(prompt)
        .unwrap_or_else(|| panic!("{line:?} does not start with {prompt:?}"))
}

/// The answer typed at the last prompt of `keys` ("M-x cmd RET a RET b RET" gives b).
pub fn last_answer(keys: &str) -> &str {
    keys.trim_end_matches(" RET")
        .rsplit(" RET ")
        .next()
        .unwrap_or("")
}

/// The one inline code of `step` starting with `prefix`.
fn only_code<'a>(doc: &'a Doc, step: u32, prefix: &str) -> &'a str {
    match doc.step(step).inline_code_starting(prefix).as_slice() {
        [code] => code,
        other => panic!("step {step}: expected one `{prefix}...`, found {other:?}"),
    }
}

impl Plan {
    pub fn read(doc: &Doc) -> Plan {
        let install = doc.block(1, 0, "sh");
        let init = doc.block(1, 1, "elisp");
        let connect = only_code(doc, 3, "M-x slime-connect ").to_owned();
        let doc_port = last_answer(&connect)
            .parse()
            .unwrap_or_else(|_| panic!("no port at the end of {connect:?}"));
        let counter = lines(doc.block(3, 0, ""));
        assert!(
            counter.len() == 2 && counter[1].parse::<u64>().is_ok(),
            "step 3's REPL block is not an input and a number: {counter:?}"
        );
        let step4 = doc.step(4);
        let step5 = doc.step(5);
        let step7 = doc.step(7);
        let step8 = doc.step(8);
        let run_unix = words(doc.block(7, 0, "sh"));
        let doc_socket = run_unix
            .iter()
            .skip_while(|word| *word != "--unix")
            .nth(1)
            .unwrap_or_else(|| panic!("no --unix PATH in {run_unix:?}"))
            .clone();
        let mode = step7
            .prose
            .split("with mode ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .unwrap_or_else(|| panic!("step 7 no longer gives the socket's mode"));
        Plan {
            install: install.split('#').next().unwrap_or("").trim().to_owned(),
            init: init.to_owned(),
            init_commands: doc
                .step(1)
                .inline_code_starting("M-x ")
                .iter()
                .map(|code| code["M-x ".len()..].to_owned())
                .collect(),
            run: words(doc.block(2, 0, "sh")),
            first_output: lines(doc.block(2, 1, "")),
            listening: only_code(doc, 2, "swankd: listening on ").to_owned(),
            connect,
            doc_port,
            repl_buffer: only_code(doc, 3, "*slime-repl").to_owned(),
            counter_input: after_prompt(&counter[0], "CL-USER> ").to_owned(),
            patch: doc.block(4, 0, "lisp").to_owned(),
            patch_keys: vec![
                step4.code_after("with ").to_owned(),
                step4.code_after(" or ").to_owned(),
            ],
            patch_output: lines(doc.block(4, 1, "")),
            error_input: after_prompt(doc.block(5, 0, ""), "CL-USER> ").to_owned(),
            sldb_shows: step5
                .codes_between("with the condition", "the restarts")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            sldb_key: step5.code_after("Press ").to_owned(),
            aborted: step5.code_after("the REPL says ").to_owned(),
            disconnect: only_code(doc, 6, "M-x slime-disconnect").to_owned(),
            reconnect: only_code(doc, 6, "M-x slime-connect ").to_owned(),
            stop_key: step7.code_after("Stop the program (").to_owned(),
            socket_mode: u32::from_str_radix(mode, 8)
                .unwrap_or_else(|_| panic!("step 7's socket mode {mode:?} is not octal")),
            doc_socket,
            connect_unix: only_code(doc, 7, "M-x slime-connect-unix ").to_owned(),
            run_unix,
            start: only_code(doc, 8, "M-x swankd-start").to_owned(),
            start_with_file: only_code(doc, 8, "C-u M-x swankd-start").to_owned(),
            inferior_buffer: only_code(doc, 8, "*inferior-lisp*").to_owned(),
            version_flag: only_code(doc, 8, "--slime-version").to_owned(),
            offer: only_code(doc, 8, "M-- M-x slime").to_owned(),
            offered: step8.code_after("also offers ").to_owned(),
            slime_form: only_code(doc, 8, "(slime ").to_owned(),
            setq_form: only_code(doc, 8, "(setq inferior-lisp-program").to_owned(),
            plain_slime: step8.code_after(" with ").to_owned(),
            installed_lisp: step8.code_after("finds installed (").to_owned(),
            customize: only_code(doc, 8, "M-x customize-group").to_owned(),
        }
    }
}

fn words(block: &str) -> Vec<String> {
    let mut lines = block.lines();
    let line = lines.next().unwrap_or("");
    assert!(lines.next().is_none(), "more than one command in {block:?}");
    line.split_whitespace().map(str::to_owned).collect()
}
