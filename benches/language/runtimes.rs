//! The runtimes the language benchmark compares, how each runs the workloads, and the
//! timings it prints (`NAME MILLISECONDS` lines).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Swankd,
    SbclInterpreter,
    CPython,
    EmacsByteCode,
}

/// Milliseconds per run of each workload, and the order the workloads ran in.
#[derive(Debug, Default)]
pub struct Timings {
    pub runs: BTreeMap<String, Vec<f64>>,
    pub order: Vec<String>,
}

impl Timings {
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<f64>)> {
        self.runs.iter()
    }

    fn parse(output: &str) -> Timings {
        let mut timings = Timings::default();
        for line in output.lines() {
            let Some((name, millis)) = line.rsplit_once(' ') else {
                continue;
            };
            let Ok(millis) = millis.trim().parse::<f64>() else {
                continue;
            };
            if !timings.runs.contains_key(name) {
                timings.order.push(name.to_string());
            }
            timings
                .runs
                .entry(name.to_string())
                .or_default()
                .push(millis);
        }
        timings
    }
}

impl Runtime {
    pub const ALL: [Runtime; 4] = [
        Runtime::Swankd,
        Runtime::SbclInterpreter,
        Runtime::CPython,
        Runtime::EmacsByteCode,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Runtime::Swankd => "swankd",
            Runtime::SbclInterpreter => "SBCL interpreter",
            Runtime::CPython => "CPython",
            Runtime::EmacsByteCode => "Emacs byte-code",
        }
    }

    fn command(self) -> Command {
        let lisp = workload("workloads.lisp");
        match self {
            Runtime::Swankd => {
                let mut command = Command::new(env!("CARGO_BIN_EXE_swankd"));
                command
                    .args([
                        "--no-tcp",
                        "--log-level",
                        "error",
                        "--eval",
                        "(swank:quit-lisp)",
                    ])
                    .arg(lisp);
                command
            }
            Runtime::SbclInterpreter => {
                let mut command = Command::new("sbcl");
                command
                    .args(["--noinform", "--non-interactive", "--eval"])
                    .arg("(setf sb-ext:*evaluator-mode* :interpret)")
                    .arg("--load")
                    .arg(lisp);
                command
            }
            Runtime::CPython => {
                let mut command = Command::new("python3");
                command.arg(workload("workloads.py"));
                command
            }
            Runtime::EmacsByteCode => {
                let mut command = Command::new("emacs");
                command
                    .args(["-Q", "--batch", "-l"])
                    .arg(workload("workloads.el"));
                command
            }
        }
    }

    /// Runs the workloads; an error when the runtime is missing or fails.
    pub fn run(self) -> Result<Timings, String> {
        let output = self
            .command()
            .output()
            .map_err(|err| format!("cannot start: {err}"))?;
        if !output.status.success() {
            return Err(format!(
                "exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        // Emacs prints with `princ` to standard output in batch mode; both are read.
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        let timings = Timings::parse(&text);
        if timings.runs.is_empty() {
            return Err("printed no timings".into());
        }
        Ok(timings)
    }
}

fn workload(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/language/workloads")
        .join(file)
}
