//! The `swankd` executable: parse the command line, run the daemon (or the `conformance`
//! kit), map the outcome to an exit code (0 on a normal stop or the code Lisp asked for, 1 when
//! the daemon fails or a conformance scenario fails, 2 for a bad command line).

use std::process::ExitCode;

use clap::Parser;
use swankd::config::{Cli, Command, Config, ConformanceArgs};
use swankd::conformance;

const EXIT_FAILURE: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    if let Some(Command::Conformance(args)) = cli.command.take() {
        return run_conformance(args);
    }
    let config = match Config::from_cli(cli) {
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

/// `swankd conformance`: 0 when every scenario that applies passed, 1 when one failed, 2 when
/// the kit could not run.
fn run_conformance(args: ConformanceArgs) -> ExitCode {
    let address = match conformance::client::Address::parse(&args.address) {
        Ok(address) => address,
        Err(error) => {
            eprintln!("swankd conformance: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let secret = match args.secret_file.as_deref().map(conformance::read_secret) {
        None => None,
        Some(Ok(secret)) => Some(secret),
        Some(Err(error)) => {
            eprintln!("swankd conformance: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let options = conformance::Options {
        address,
        secret,
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        only: args.only,
    };
    match conformance::run(options, &mut std::io::stdout()) {
        Ok(summary) if summary.failed == 0 => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(EXIT_FAILURE),
        Err(error) => {
            eprintln!("swankd conformance: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
