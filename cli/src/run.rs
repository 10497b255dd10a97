//! A run from checked flags to the last line: choose the target, plan the calls, connect, then
//! fetch and print each call in turn.

use std::io::Write as _;

use reports_sdk::ErrorKind;

use crate::args::Options;
use crate::failure::Failure;
use crate::fetch;
use crate::plan;
use crate::summary;
use crate::target::{Credentials, Target};

/// Runs the command. Bad flags fail before the emulator starts or anything is sent.
pub async fn run(options: Options, credentials: Option<Credentials>) -> Result<(), Failure> {
    let target = Target::choose(&options, credentials)?;
    let plan = plan::plan(&options, target.today())?;
    let connection = target.connect(&options).await?;
    let client = &connection.client;
    print(&summary::banner(
        client,
        connection.emulator.as_ref(),
        options.emulator,
        connection.identity.as_deref(),
    ))?;

    let mut reports: Vec<&'static str> = Vec::new();
    let mut forms = 0;
    let mut rows = 0;
    let mut skipped = plan.skipped.len();
    let mut rejected_rows = 0;
    let mut rejected_reports = 0;
    for (meta, reason) in &plan.skipped {
        print(&summary::skipped_block(meta, reason))?;
    }
    for call in &plan.calls {
        match fetch::fetch(client, call, options.format, options.strict).await {
            Ok(downloaded) => {
                print(&summary::report_block(&downloaded))?;
                if !downloaded.rejected.is_empty() {
                    rejected_rows += downloaded.rejected.len();
                    rejected_reports += 1;
                    print_error(&summary::rejected_lines(&downloaded));
                }
                forms += 1;
                rows += downloaded.rows;
                if !reports.contains(&call.meta.id) {
                    reports.push(call.meta.id);
                }
            }
            // Running every report, one the cloud or version does not serve is a note; a
            // report asked for by name must be served.
            Err(Failure::Sdk(error))
                if error.kind() == ErrorKind::NotAvailable && !call.requested =>
            {
                print(&summary::skipped_block(call.meta, error.message()))?;
                skipped += 1;
            }
            Err(failure) => return Err(failure),
        }
    }
    print(&summary::total(reports.len(), forms, rows, skipped))?;
    if rejected_rows > 0 {
        return Err(Failure::RowsRejected {
            rows: rejected_rows,
            reports: rejected_reports,
        });
    }
    Ok(())
}

/// Writes to stderr; a failure to do so leaves nothing better to do than going on.
fn print_error(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}

/// Writes to stdout as soon as each block is ready, so a long run shows its progress.
fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|err| match err.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::StdoutClosed,
            _ => Failure::other("cannot write to stdout", err),
        })
}
