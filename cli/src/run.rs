//! A run from checked flags to the last line: choose the target, plan the calls, connect, then
//! fetch and narrate each call in turn.

use reports_sdk::ErrorKind;

use crate::failure::Failure;
use crate::fetch;
use crate::narration::{Narration, warn};
use crate::options::Options;
use crate::output::Content;
use crate::plan;
use crate::summary::{self, Amount};
use crate::target::{Credentials, Target};

/// Runs the command. Bad flags fail before the emulator starts or anything is sent.
pub async fn run(options: Options, credentials: Option<Credentials>) -> Result<(), Failure> {
    let target = Target::choose(&options, credentials)?;
    let plan = plan::plan(&options, target.today())?;
    let connection = target.connect(&options).await?;
    let client = &connection.client;
    let narration = Narration::for_options(&options);
    let raw = matches!(
        options.output.as_ref().map(|output| output.content),
        Some(Content::Raw(_))
    );
    narration.say(&summary::banner(
        client,
        connection.emulator.as_ref(),
        options.emulator,
        connection.identity.as_deref(),
    ))?;

    let mut reports: Vec<&'static str> = Vec::new();
    let mut forms = 0;
    let mut amount = 0;
    let mut skipped = plan.skipped.len();
    let mut rejected_rows = 0;
    let mut rejected_reports = 0;
    for (meta, reason) in &plan.skipped {
        narration.say(&summary::skipped_block(meta, reason))?;
    }
    for call in &plan.calls {
        let done = if raw {
            fetch::save_raw(client, call, &options)
                .await
                .and_then(|saved| {
                    narration.say(&summary::raw_block(&saved))?;
                    Ok(saved.bytes)
                })
        } else {
            match fetch::fetch(client, call, &options, narration.shows_progress()).await {
                Ok(downloaded) => {
                    narration.say(&summary::report_block(&downloaded))?;
                    if !downloaded.rejected.is_empty() {
                        rejected_rows += downloaded.rejected.len();
                        rejected_reports += 1;
                        warn(&summary::rejected_lines(&downloaded));
                    }
                    Ok(downloaded.rows)
                }
                Err(failure) => Err(failure),
            }
        };
        match done {
            Ok(counted) => {
                forms += 1;
                amount += counted;
                if !reports.contains(&call.meta.id) {
                    reports.push(call.meta.id);
                }
            }
            // Running every report, one the cloud or version does not serve is a note; a
            // report asked for by name must be served.
            Err(Failure::Sdk(error))
                if error.kind() == ErrorKind::NotAvailable && !call.requested =>
            {
                narration.say(&summary::skipped_block(call.meta, error.message()))?;
                skipped += 1;
            }
            Err(failure) => return Err(failure),
        }
    }
    let amount = if raw {
        Amount::Bytes(amount)
    } else {
        Amount::Rows(amount)
    };
    narration.say(&summary::total(reports.len(), forms, amount, skipped))?;
    if rejected_rows > 0 {
        return Err(Failure::RowsRejected {
            rows: rejected_rows,
            reports: rejected_reports,
        });
    }
    Ok(())
}
