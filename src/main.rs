//! The `swankd` executable: parse the command line, run the daemon, map the outcome to an exit
//! code (0 on a normal stop or the code Lisp asked for, 1 when the daemon fails, 2 for a bad
//! command line).

use std::process::ExitCode;

use clap::Parser;
use swankd::config::{Cli, Config};

const EXIT_FAILURE: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let config = match Config::from_cli(Cli::parse()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("swankd: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match swankd::daemon::run(config) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(EXIT_FAILURE)),
        Err(error) => {
            eprintln!("swankd: {error}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
