//! `graph-reports`: fetches Microsoft Graph usage reports through the typed SDK and prints a
//! summary of each. Without credentials (`AZURE_*` or `GRAPH_TOKEN`) it runs against the embedded
//! emulator, so it works on a fresh clone with no account. `--help` lists the flags.

mod args;
mod atomic_file;
mod encode;
mod failure;
mod fetch;
mod narration;
mod options;
mod out_format;
mod output;
#[cfg(feature = "parquet")]
mod parquet;
mod plan;
mod progress;
mod run;
mod sink;
mod summary;
#[cfg(feature = "parquet")]
mod sync;
mod sync_args;
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
        Command::Show(text) => {
            // Help or version piped into a closed reader has nowhere to go; not a failure.
            let _ = text.print();
            return Ok(());
        }
        Command::Completions(shell) => {
            // A script piped into a closed reader has nowhere to go; not a failure.
            let _ = std::io::stdout()
                .lock()
                .write_all(&args::completions(shell));
            return Ok(());
        }
        Command::Run(options) => *options,
        Command::Sync(args) => return sync(*args),
    };
    let credentials = target::credentials_from_env()?;
    runtime()?.block_on(run::run(options, credentials))
}

/// `graph-reports sync`: the lake is Parquet, so it needs the `parquet` feature.
#[cfg(feature = "parquet")]
fn sync(args: sync_args::SyncArgs) -> Result<(), Failure> {
    let options = sync::options::SyncOptions::from_args(args)?;
    // The AZURE_* variables may be there for someone else: with --tenants or --emulator they
    // are not the sync's, e.g. an AKS workload identity (tenant and client id, no secret) that
    // signs in to the object-store lake. Read as the sync's own they would be refused.
    let credentials = if options.tenants.is_none() && !options.emulator {
        target::credentials_from_env()?
    } else {
        None
    };
    runtime()?.block_on(sync::run(options, credentials))
}

#[cfg(not(feature = "parquet"))]
fn sync(_args: sync_args::SyncArgs) -> Result<(), Failure> {
    Err(Failure::usage(
        "sync writes a Parquet lake, which this build leaves out; build the tool with `cargo build -p graph-reports --features parquet`",
    ))
}

/// Built by hand rather than with `#[tokio::main]`, so a runtime that cannot start is a
/// reported failure rather than a panic.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Failure::other("cannot start the async runtime", err))
}
