//! Fetching one planned call through the SDK's run-time report handle: streamed, counted, the
//! first rows kept for the summary, every row written to `--out`; or with `--raw`, the bytes
//! Graph serves, saved untouched.

use std::path::PathBuf;

use reports_sdk::{
    AnyRequest, Argument, BadRows, Client, FormMeta, RejectedRow, ReportInfo, ReportMeta,
};

use crate::failure::Failure;
use crate::options::Options;
use crate::output::Content;
use crate::plan::Call;
use crate::progress::Progress;
use crate::sink::{self, RowSink};

/// Rows kept for the summary's table.
pub const PREVIEW_ROWS: usize = 3;

/// What one call brought back.
#[derive(Debug)]
pub struct Downloaded {
    /// The report.
    pub meta: &'static ReportMeta,
    /// The form called (one of `meta.forms`).
    pub form: &'static FormMeta,
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

/// What one `--raw` call saved.
#[derive(Debug)]
pub struct Saved {
    /// The report.
    pub meta: &'static ReportMeta,
    /// The form called (one of `meta.forms`).
    pub form: &'static FormMeta,
    /// Its arguments.
    pub arguments: Vec<Argument>,
    /// The request path.
    pub path: String,
    /// The request's API version, as in its URL.
    pub version: reports_sdk::ApiVersion,
    /// Bytes written.
    pub bytes: u64,
    /// The file written; `None` for stdout.
    pub written_to: Option<PathBuf>,
}

/// The call's request, as the options ask.
fn request(client: &Client, call: &Call, options: &Options) -> Result<AnyRequest, Failure> {
    let bad_rows = if options.strict {
        BadRows::Fail
    } else {
        BadRows::reject()
    };
    Ok(client
        .report(call.meta.id)?
        .request(call.form, call.arguments.clone())?
        .format(options.format)
        .on_bad_row(bad_rows))
}

/// Makes `call`. Rows are typed by the SDK (the report is in its catalogue) and handed over as
/// maps keyed by CSV header. Rows that do not decode are skipped and returned in
/// [`Downloaded::rejected`], unless `--strict`, where the first one fails the call.
pub async fn fetch(
    client: &Client,
    call: &Call,
    options: &Options,
    show_progress: bool,
) -> Result<Downloaded, Failure> {
    let request = request(client, call, options)?;
    let meta = call.meta;
    let path = request.path();
    let mut progress = if show_progress {
        Progress::on_stderr(meta.id)
    } else {
        Progress::new(None, meta.id)
    };
    let mut stream = request.stream().await?;
    let info = stream.info().clone();
    // A sink dropped before `finish` (a failure below) leaves no file, and an earlier one as
    // it was: a partial file would look like a complete report.
    // Graph's own bytes (`--raw`) are saved by `save_raw`, which the run calls instead.
    let mut sink = match call.out.as_ref().map(|out| (&out.to, out.content)) {
        Some((to, Content::Rows(format))) => Some(RowSink::create(to, format, meta).await?),
        Some((_, Content::Raw(_))) | None => None,
    };
    let mut rows = 0u64;
    let mut preview = Vec::new();
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
    progress.finish();
    let written_to = match sink {
        Some(sink) => sink.finish().await?,
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

/// Makes `call` and saves what Graph serves, byte for byte, where `--out`/`--out-dir` say.
pub async fn save_raw(client: &Client, call: &Call, options: &Options) -> Result<Saved, Failure> {
    let Some(out) = &call.out else {
        return Err(Failure::usage(
            "--raw needs somewhere to write Graph's bytes: --out FILE, --out - or --out-dir DIR",
        ));
    };
    let request = request(client, call, options)?;
    let path = request.path();
    let version = request.api_version();
    let (bytes, written_to) = sink::save_raw(request, &out.to).await?;
    Ok(Saved {
        meta: call.meta,
        form: call.form,
        arguments: call.arguments.clone(),
        path,
        version,
        bytes,
        written_to,
    })
}
