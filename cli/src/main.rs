//! `graph-reports`: fetches Microsoft Graph usage reports through the typed SDK and prints a
//! summary of each. Without credentials (`AZURE_*` or `GRAPH_TOKEN`) it runs against the embedded
//! emulator, so it works on a fresh clone with no account. `--help` lists the flags.

mod args;
mod failure;
mod fetch;
mod help;
mod output;
mod plan;
mod progress;
mod run;
mod summary;
mod table;
mod target;
mod terminal;

use std::io::Write as _;
use std::process::ExitCode;

use args::Command;
use failure::Failure;

fn main() -> ExitCode {
    match main_result() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

fn main_result() -> Result<(), Failure> {
    let options = match args::parse(std::env::args_os().skip(1))? {
        Command::Help => {
            let mut stdout = std::io::stdout().lock();
            // Help piped into a closed reader has nowhere to go; that is not a failure.
            let _ = stdout.write_all(help::USAGE.as_bytes());
            return Ok(());
        }
        Command::Run(options) => options,
    };
    let credentials = target::credentials_from_env()?;
    // Built by hand rather than with `#[tokio::main]`, so a runtime that cannot start is a
    // reported failure rather than a panic.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Failure::other("cannot start the async runtime", err))?;
    runtime.block_on(run::run(options, credentials))
}
