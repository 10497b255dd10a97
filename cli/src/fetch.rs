//! Fetching one planned call through the SDK's run-time report handle: streamed, counted, the
//! first rows kept for the summary, every row written to `--out`.

use std::path::PathBuf;

use reports_sdk::{Argument, BadRows, Client, Format, RejectedRow, ReportInfo, ReportMeta};

use crate::failure::Failure;
use crate::output::RowSink;
use crate::plan::Call;
use crate::progress::Progress;
/// Rows kept for the summary's table.
pub const PREVIEW_ROWS: usize = 3;

/// What one call brought back.
#[derive(Debug)]
pub struct Downloaded {
    /// The report.
    pub meta: &'static ReportMeta,
    /// The form called (one of `meta.forms`).
    pub form: &'static reports_sdk::FormMeta,
    /// Its arguments.
    pub arguments: Vec<Argument>,
    /// The request path, e.g. `/reports/getOffice365ServicesUserCounts(period='D7')`.
    pub path: String,
    /// ETag, drift, refresh date, version and format served.
    pub info: ReportInfo,
    /// Rows decoded.
    pub rows: u64,
    /// The first [`PREVIEW_ROWS`] rows, as the row type serializes them (keys: CSV headers).
    pub preview: Vec<serde_json::Value>,
    /// The file the rows were written to.
    pub written_to: Option<PathBuf>,
    /// Rows that did not decode and were skipped (none with `--strict`, where the first one
    /// fails the call).
    pub rejected: Vec<RejectedRow>,
}

/// Makes `call`, asking for `format`. Rows are typed by the SDK (the report is in its catalogue)
/// and handed over as maps keyed by CSV header. Rows that do not decode are skipped and
/// returned in [`Downloaded::rejected`], unless `strict`, where the first one fails the call.
pub async fn fetch(
    client: &Client,
    call: &Call,
    format: Format,
    strict: bool,
) -> Result<Downloaded, Failure> {
    let bad_rows = if strict {
        BadRows::Fail
    } else {
        BadRows::reject()
    };
    let request = client
        .report(call.meta.id)?
        .request(call.form, call.arguments.clone())?
        .format(format)
        .on_bad_row(bad_rows);
    let meta = call.meta;
    let path = request.path();
    let mut progress = Progress::on_stderr(meta.id);
    let mut stream = request.stream().await?;
    let info = stream.info().clone();
    let mut sink = match &call.out {
        Some(out) => Some(RowSink::create(out, meta).await?),
        None => None,
    };
    let mut rows = 0u64;
    let mut preview = Vec::new();
    let read = async {
        while let Some(row) = stream.next_row().await {
            let row = row?;
            rows += 1;
            if let Some(sink) = &mut sink {
                sink.write(&row).await?;
            }
            if preview.len() < PREVIEW_ROWS {
                preview.push(serde_json::Value::Object(row));
            }
            progress.rows(rows);
        }
        Ok::<(), Failure>(())
    }
    .await;
    if let Err(failure) = read {
        progress.finish();
        // A partial file would look like a complete report: remove it.
        if let Some(sink) = sink {
            sink.discard().await;
        }
        return Err(failure);
    }
    progress.finish();
    let written_to = match sink {
        Some(sink) => {
            let path = sink.path().to_owned();
            sink.finish().await?;
            Some(path)
        }
        None => None,
    };
    let rejected = stream.rejected();
    Ok(Downloaded {
        meta,
        form: call.form,
        arguments: call.arguments.clone(),
        path,
        info,
        rows,
        preview,
        written_to,
        rejected,
    })
}
