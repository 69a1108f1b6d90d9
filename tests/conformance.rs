//! `swankd conformance` against both servers: SBCL's own swank (the oracle: every scenario
//! that applies to it must pass there, which proves the expectation real) and swankd, over
//! TCP and over a Unix socket, with a secret configured so the secret scenarios run too. A
//! deliberately wrong server proves the kit can fail.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};

use support::{Scratch, start_sbcl, start_swankd};

const SECRET: &str = "conformance-secret";

fn write_secret(scratch: &Scratch) -> std::path::PathBuf {
    let path = scratch.home().join(".slime-secret");
    std::fs::write(&path, format!("{SECRET}\n")).expect("write the secret");
    path
}

fn conformance(address: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_swankd"))
        .args(["conformance", address])
        .args(extra)
        .output()
        .expect("run swankd conformance")
}

/// Every line PASS or SKIP, exit code 0, and at least `min_passed` scenarios passed.
fn assert_passes(output: &Output, min_passed: usize) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "conformance failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let passed = stdout
        .lines()
        .filter(|line| line.starts_with("PASS "))
        .count();
    assert!(passed >= min_passed, "only {passed} passed:\n{stdout}");
    assert!(!stdout.contains("FAIL "), "{stdout}");
    stdout
}

/// Runs the kit (or only the scenarios named `only`) against a newly started SBCL swank.
fn conformance_against_sbcl(scratch_name: &str, only: Option<&str>) -> Output {
    let scratch = Scratch::new(scratch_name);
    let secret = write_secret(&scratch);
    let (mut sbcl, port) = start_sbcl(&scratch);
    let mut extra = vec![
        "--timeout",
        "20",
        "--secret-file",
        secret.to_str().expect("utf-8 path"),
    ];
    if let Some(name) = only {
        extra.extend(["--only", name]);
    }
    let output = conformance(&format!("127.0.0.1:{port}"), &extra);
    sbcl.assert_alive();
    output
}

/// The names of the scenarios a run failed.
fn failed_scenarios(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL "))
        .filter_map(|rest| rest.split(':').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn sbcl_swank_passes_every_scenario_that_applies_to_it() {
    let mut output = conformance_against_sbcl("conformance-sbcl", None);
    // SBCL's swank, the oracle, loses an interrupt now and then on a loaded machine (its
    // REPL thread then never resumes). A scenario it fails is run once more against a new
    // SBCL: an expectation it meets there is real; one it fails twice fails the test.
    for name in failed_scenarios(&output) {
        let retry = conformance_against_sbcl("conformance-sbcl-retry", Some(&name));
        assert_passes(&retry, 1);
        eprintln!("SBCL's swank failed {name} once and passed it on a retry");
        let stdout = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.starts_with(&format!("FAIL {name}:")))
            .map(|line| format!("{line}\n"))
            .collect::<String>();
        output.stdout = stdout.into_bytes();
        if failed_scenarios(&output).is_empty() {
            output.status = retry.status;
        }
    }
    let stdout = assert_passes(&output, 20);
    assert!(stdout.contains("(another Swank server)"), "{stdout}");
    assert!(
        stdout.contains("SKIP framing/unknown-swank-function-is-answered: swankd differs"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS handshake/right-secret-is-answered"),
        "{stdout}"
    );
    assert!(
        stdout.contains("SKIP handshake/wrong-secret-closes: swankd differs"),
        "{stdout}"
    );
}

#[test]
fn swankd_passes_every_scenario_over_tcp_and_unix() {
    let scratch = Scratch::new("conformance-swankd");
    let secret = write_secret(&scratch);
    let socket = scratch.join("s.sock");
    let (mut swankd, port) = start_swankd(
        &scratch,
        &[
            "--unix",
            socket.to_str().expect("utf-8 path"),
            "--secret-file",
            secret.to_str().expect("utf-8 path"),
        ],
    );
    let secret_arg = [
        "--timeout",
        "20",
        "--secret-file",
        secret.to_str().expect("utf-8 path"),
    ];
    for address in [
        format!("127.0.0.1:{port}"),
        format!("unix:{}", socket.display()),
    ] {
        let output = conformance(&address, &secret_arg);
        let stdout = assert_passes(&output, 25);
        assert!(stdout.contains("(swankd)"), "{stdout}");
        assert!(
            !stdout.contains("SKIP "),
            "nothing is skipped for swankd:\n{stdout}"
        );
        swankd.assert_alive();
    }
}

/// A server that frames correctly but answers every request with a `connection-info` whose
/// `:style` Emacs refuses, and uppercase keywords for everything else.
fn serve_wrong_answers(listener: TcpListener) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut writer = stream;
            loop {
                let mut header = [0u8; 6];
                if reader.read_exact(&mut header).is_err() {
                    return;
                }
                let Some(length) = std::str::from_utf8(&header)
                    .ok()
                    .and_then(|digits| usize::from_str_radix(digits, 16).ok())
                else {
                    return;
                };
                let mut payload = vec![0u8; length];
                if reader.read_exact(&mut payload).is_err() {
                    return;
                }
                let text = String::from_utf8_lossy(&payload);
                let id = text
                    .trim_end()
                    .trim_end_matches(')')
                    .rsplit(' ')
                    .next()
                    .unwrap_or("0")
                    .to_string();
                let reply = if text.contains("connection-info") {
                    format!(
                        "(:return (:ok (:pid 1 :style :threads :encoding (:coding-systems \
                         (\"utf-8-unix\")) :lisp-implementation (:type \"fake\" :name \"fake\") \
                         :version \"2.27\")) {id})"
                    )
                } else {
                    format!("(:RETURN (:OK NIL) {id})")
                };
                let frame = format!("{:06X}{reply}", reply.len());
                if writer.write_all(frame.as_bytes()).is_err() {
                    return;
                }
                let _ = reader.fill_buf();
            }
        });
    }
}

#[test]
fn a_server_with_wrong_shapes_fails_the_kit() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || serve_wrong_answers(listener));
    let output = conformance(&format!("127.0.0.1:{port}"), &["--timeout", "2"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL handshake/connection-info: :style :threads"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL evaluation/interactive-eval"),
        "{stdout}"
    );
}

#[test]
fn an_unreachable_server_is_a_usage_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let output = conformance(&format!("127.0.0.1:{port}"), &[]);
    assert_eq!(output.status.code(), Some(2));
    let bad = conformance("nowhere", &[]);
    assert_eq!(bad.status.code(), Some(2));
}
