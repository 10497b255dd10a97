//! Fetching one planned call with its typed row: streamed, counted, the first rows kept for the
//! summary, every row written to `--out`.
//!
//! The catalogue is data (`ReportMeta`), but decoding needs each report's row type. The SDK's
//! `visit_reports` hands each row type to a visitor once; [`Fetchers`] keeps, per report id, a
//! plain function pointer to [`fetch`] for that type, so the async work can run afterwards in
//! plan order.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use reports_sdk::{Argument, Client, Format, Report, ReportInfo, ReportMeta, ReportVisitor};

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
    /// The form called (index into `meta.forms`).
    pub form: usize,
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
}

type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<Downloaded, Failure>> + 'a>>;
type FetchFn = for<'a> fn(&'a Client, &'a Call, Format) -> FetchFuture<'a>;

/// A fetch function for every report compiled into the SDK, by report id.
pub struct Fetchers(Vec<(&'static str, FetchFn)>);

impl Fetchers {
    /// One per report in the catalogue.
    pub fn for_catalog() -> Fetchers {
        let mut fetchers = Fetchers(Vec::new());
        reports_sdk::visit_reports(&mut fetchers);
        fetchers
    }

    /// Makes `call`, asking for `format`.
    pub async fn fetch(
        &self,
        client: &Client,
        call: &Call,
        format: Format,
    ) -> Result<Downloaded, Failure> {
        let Some((_, fetch)) = self.0.iter().find(|(id, _)| *id == call.meta.id) else {
            // The plan only holds catalogue reports, and `visit_reports` visits them all.
            return Err(Failure::other(
                format!("report `{}` has no row type in this build", call.meta.id),
                "the catalogue and visit_reports disagree",
            ));
        };
        fetch(client, call, format).await
    }
}

impl ReportVisitor for Fetchers {
    fn visit<R: Report>(&mut self) {
        self.0.push((R::META.id, boxed_fetch::<R>));
    }
}

fn boxed_fetch<'a, R: Report>(
    client: &'a Client,
    call: &'a Call,
    format: Format,
) -> FetchFuture<'a> {
    Box::pin(fetch::<R>(client, call, format))
}

async fn fetch<R: Report>(
    client: &Client,
    call: &Call,
    format: Format,
) -> Result<Downloaded, Failure> {
    let request = client
        .request::<R>(call.form, call.arguments.clone())?
        .format(format);
    let path = request.path();
    let mut progress = Progress::on_stderr(R::META.id);
    let mut stream = request.stream().await?;
    let info = stream.info().clone();
    let mut sink = match &call.out {
        Some(out) => {
            let headers = R::META.columns.iter().map(|column| column.header).collect();
            Some(RowSink::create(out, headers).await?)
        }
        None => None,
    };
    let mut rows = 0u64;
    let mut preview = Vec::new();
    let read = async {
        while let Some(row) = stream.next_row().await {
            let row = row?;
            rows += 1;
            if preview.len() < PREVIEW_ROWS {
                let value = serde_json::to_value(&row).map_err(|err| {
                    Failure::other(format!("cannot show a row of `{}`", R::META.id), err)
                })?;
                preview.push(value);
            }
            if let Some(sink) = &mut sink {
                sink.write(&row).await?;
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
    Ok(Downloaded {
        meta: R::META,
        form: call.form,
        arguments: call.arguments.clone(),
        path,
        info,
        rows,
        preview,
        written_to,
    })
}
