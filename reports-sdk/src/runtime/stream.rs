//! Reading an opened report: typed rows as a stream (decoded while the body downloads), or the
//! raw bytes.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use reqwest::Response;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::client::Client;
use super::csv_rows::CsvDecoder;
use super::decode::iso_date;
use super::error::{Error, ErrorKind, Position};
use super::json_rows;
use super::meta::{ApiVersion, Format, ReportMeta};
use super::rejected::{BadRows, RejectedRow, Rejections};
use super::response::{ReportInfo, ReportRows, SchemaDrift};
use super::row::Row;
use super::transport::{JsonPage, Opened, Session};

const REFRESH_DATE_PROPERTY: &str = "reportRefreshDate";

/// The rows of a report as an async [`Stream`], decoded while the body downloads: memory stays
/// bounded by one network chunk and one record (CSV) or one page's bytes and rows (JSON),
/// whatever the report's size.
///
/// The call's deadline ([`Limits::deadline`](crate::Limits::deadline)) runs until the stream
/// ends: a stream read more slowly than that fails with [`ErrorKind::Limit`].
///
/// [`info`](Self::info) (ETag, schema drift, refresh date) is known before the first row.
/// After an error the stream ends. Under [`BadRows::Reject`] a row that does not decode is
/// skipped instead, and [`rejected`](Self::rejected) lists it.
pub struct RowStream<R> {
    info: ReportInfo,
    rows: BoxStream<'static, Result<R, Error>>,
    rejections: Rejections,
}

impl<R> std::fmt::Debug for RowStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<R: Row> RowStream<R> {
    pub(crate) async fn open(
        meta: &'static ReportMeta,
        client: Client,
        session: Session,
        opened: Opened,
        version: ApiVersion,
        etag: Option<String>,
        bad_rows: BadRows,
    ) -> Result<Self, Error> {
        let rejections = Rejections::new(bad_rows);
        // The format is what Graph served, which a beta JSON request answered by a CSV
        // download is not.
        let format = match opened {
            Opened::Json { .. } => Format::Json,
            _ => Format::Csv,
        };
        let mut state = match opened {
            Opened::Csv { body, span, .. } => State {
                source: Source::Csv {
                    body,
                    decoder: Box::new(
                        CsvDecoder::rejecting_into(meta, rejections.clone(), client.inner.limits)
                            .for_download(),
                    ),
                    done: false,
                    span,
                    bytes: 0,
                },
                queue: VecDeque::new(),
                meta,
                session,
                pending_error: None,
                failed: false,
                rejections: rejections.clone(),
            },
            Opened::Json { page, .. } => State {
                source: Source::Json {
                    values: page.rows,
                    next_link: page.next_link,
                    record: 0,
                },
                queue: VecDeque::new(),
                meta,
                session,
                pending_error: None,
                failed: false,
                rejections: rejections.clone(),
            },
            Opened::NotModified { .. } => {
                return Err(Error::new(
                    ErrorKind::Service,
                    "Graph answered 304 Not Modified to a request without If-None-Match",
                )
                .with_report(meta.id)
                .with_status(304));
            }
        };
        let (drift, refresh_date) = state.read_header().await?;
        let info = ReportInfo {
            meta,
            version,
            format,
            etag,
            drift,
            refresh_date,
        };
        let rows = Rows {
            state: Some(state),
            pulling: None,
        }
        .boxed();
        Ok(RowStream {
            info,
            rows,
            rejections,
        })
    }

    /// ETag, schema drift, refresh date and the report's metadata.
    pub fn info(&self) -> &ReportInfo {
        &self.info
    }

    /// The next row, or `None` at the end (the same as `StreamExt::next`, without needing a
    /// futures crate).
    pub async fn next_row(&mut self) -> Option<Result<R, Error>> {
        self.rows.next().await
    }

    /// The rows skipped so far under [`BadRows::Reject`], in file order (always empty under
    /// [`BadRows::Fail`]). Once the stream has ended, every one.
    pub fn rejected(&self) -> Vec<RejectedRow> {
        self.rejections.snapshot()
    }

    /// The same stream with each row turned into another type by `convert`.
    pub(crate) fn map_rows<U>(
        self,
        convert: impl FnMut(R) -> Result<U, Error> + Send + 'static,
    ) -> RowStream<U> {
        let mut convert = convert;
        RowStream {
            info: self.info,
            rows: self.rows.map(move |row| row.and_then(&mut convert)).boxed(),
            rejections: self.rejections,
        }
    }

    /// Reads every remaining row, with the rows rejected on the way.
    pub async fn collect_rows(mut self) -> Result<ReportRows<R>, Error> {
        let mut rows = Vec::new();
        while let Some(row) = self.rows.next().await {
            rows.push(row?);
        }
        Ok(ReportRows {
            rows,
            info: self.info,
            rejected: self.rejections.take(),
        })
    }
}

impl<R> Stream for RowStream<R> {
    type Item = Result<R, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rows.as_mut().poll_next(cx)
    }
}

/// The rows of an open report as a [`Stream`]. A row already decoded is handed out straight
/// from the queue; only when the queue is empty does a future read on (the next network chunk
/// or JSON page), owning the state until it is done. So a row costs a queue pop, not a
/// future.
struct Rows<R> {
    /// The state, while no read is in flight.
    state: Option<State<R>>,
    /// The read in flight, which hands the state back with the next item.
    pulling: Option<Pull<R>>,
}

/// A read on: the state back, and the next item (or the end).
type Pull<R> = BoxFuture<'static, (State<R>, Option<Result<R, Error>>)>;

impl<R: Row> Stream for Rows<R> {
    type Item = Result<R, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(state) = &mut this.state {
            // Rows decoded before a failure come first, as `State::produce` hands them out.
            if !state.failed
                && let Some(row) = state.queue.pop_front()
            {
                return Poll::Ready(Some(Ok(row)));
            }
        }
        if this.pulling.is_none() {
            let Some(mut state) = this.state.take() else {
                return Poll::Ready(None);
            };
            this.pulling = Some(Box::pin(async move {
                let item = state.next_row().await;
                (state, item)
            }));
        }
        let Some(pulling) = &mut this.pulling else {
            return Poll::Ready(None);
        };
        match pulling.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((state, item)) => {
                this.pulling = None;
                this.state = Some(state);
                Poll::Ready(item)
            }
        }
    }
}

// No row is pinned: the state is moved in and out of the read in flight.
impl<R> Unpin for Rows<R> {}

enum Source {
    Csv {
        body: Response,
        decoder: Box<CsvDecoder>,
        done: bool,
        /// The download's span, where the bytes read so far are recorded.
        span: tracing::Span,
        bytes: u64,
    },
    Json {
        /// The rows of the page read last, nested items already split.
        values: VecDeque<serde_json::Value>,
        next_link: Option<String>,
        record: u64,
    },
}

struct State<R> {
    source: Source,
    queue: VecDeque<R>,
    meta: &'static ReportMeta,
    /// The call: its deadline bounds every read, and it fetches the JSON pages.
    session: Session,
    /// A failure met while reading ahead, handed out after the rows before it.
    pending_error: Option<Error>,
    failed: bool,
    /// Where JSON rows that do not decode go (the CSV decoder holds its own handle).
    rejections: Rejections,
}

impl<R: Row> State<R> {
    /// Reads until the columns are known (and the first row, for the refresh date).
    async fn read_header(&mut self) -> Result<(SchemaDrift, Option<chrono::NaiveDate>), Error> {
        match &mut self.source {
            Source::Csv { .. } => loop {
                let (ready, header_known) = match &self.source {
                    Source::Csv { decoder, done, .. } => {
                        let header_known = decoder.drift().is_some();
                        let first_row_read = !self.queue.is_empty() || decoder.has_row_error();
                        (*done || (header_known && first_row_read), header_known)
                    }
                    Source::Json { .. } => (true, true),
                };
                if ready {
                    break;
                }
                if let Err(error) = self.pull_csv().await {
                    // Once the columns are known the stream opens, and the failure is its first
                    // item; before that there is nothing to open.
                    if !header_known {
                        return Err(error);
                    }
                    self.pending_error = Some(error);
                    break;
                }
            },
            Source::Json { .. } => return self.json_header(),
        }
        match &self.source {
            Source::Csv { decoder, .. } => Ok((
                decoder.drift().cloned().unwrap_or_default(),
                decoder.refresh_date(),
            )),
            Source::Json { .. } => Ok((SchemaDrift::default(), None)),
        }
    }

    fn json_header(&self) -> Result<(SchemaDrift, Option<chrono::NaiveDate>), Error> {
        let Source::Json { values, .. } = &self.source else {
            return Ok((SchemaDrift::default(), None));
        };
        let Some(serde_json::Value::Object(first)) = values.front() else {
            return Ok((SchemaDrift::default(), None));
        };
        // Graph's own annotations (`@odata.*`) are skipped by the comparison itself.
        let drift = SchemaDrift::compare(self.meta, first.keys().map(String::as_str), Format::Json);
        if !drift.is_decodable() {
            // Named as the JSON names them: that is what the reader sees in the body.
            let properties: Vec<&str> = drift
                .missing_required
                .iter()
                .map(|header| {
                    self.meta
                        .column(header)
                        .map_or(*header, |column| column.json)
                })
                .collect();
            return Err(Error::new(
                ErrorKind::MissingColumn,
                format!(
                    "the JSON rows lack required propert(ies) {}; mark the column `optional: true` (or fix its `json:` name) in the spec and regenerate; `cargo xtask spec-diff <file.json>` shows the YAML",
                    properties.join(", ")
                ),
            )
            .with_report(self.meta.id));
        }
        let refresh_date = first
            .get(REFRESH_DATE_PROPERTY)
            .and_then(serde_json::Value::as_str)
            .and_then(iso_date);
        Ok((drift, refresh_date))
    }

    /// Reads one more network chunk of a CSV body into the queue.
    async fn pull_csv(&mut self) -> Result<(), Error> {
        let Source::Csv {
            body,
            decoder,
            done,
            span,
            bytes,
        } = &mut self.source
        else {
            return Ok(());
        };
        match self.session.chunk(body).await {
            Ok(Some(chunk)) => {
                *bytes += chunk.len() as u64;
                span.record("bytes", *bytes);
                decoder.feed(&chunk, &mut self.queue)
            }
            Ok(None) => {
                *done = true;
                decoder.finish(&mut self.queue)
            }
            Err(error) => {
                *done = true;
                Err(error)
            }
        }
    }

    async fn next_row(&mut self) -> Option<Result<R, Error>> {
        if self.failed {
            return None;
        }
        let row = self.produce().await;
        if matches!(row, Some(Err(_))) {
            self.failed = true;
        }
        row
    }

    async fn produce(&mut self) -> Option<Result<R, Error>> {
        loop {
            // Rows decoded before a failure come first, then the failure.
            if let Some(row) = self.queue.pop_front() {
                return Some(Ok(row));
            }
            if let Some(error) = self.pending_error.take() {
                return Some(Err(error));
            }
            match &mut self.source {
                Source::Csv { decoder, done, .. } => {
                    if let Some(error) = decoder.take_row_error() {
                        return Some(Err(error));
                    }
                    if *done {
                        return None;
                    }
                    if let Err(error) = self.pull_csv().await {
                        return Some(Err(error));
                    }
                }
                Source::Json {
                    values,
                    next_link,
                    record,
                } => {
                    if let Some(value) = values.pop_front() {
                        *record += 1;
                        let culprit = json_rows::culprit(self.meta, &value);
                        let err = match R::from_json(value) {
                            Ok(row) => return Some(Ok(row)),
                            Err(err) => err,
                        };
                        let (column, cell) = culprit.unzip();
                        let error = Error::new(
                            ErrorKind::Decode,
                            match &column {
                                Some(column) => format!("cannot decode column {column:?}: {err}"),
                                None => format!("cannot decode a JSON row: {err}"),
                            },
                        )
                        .with_report(self.meta.id)
                        .with_position(Position {
                            line: None,
                            record: *record,
                            column,
                        })
                        .with_source(err);
                        match self.rejections.reject(self.meta.id, error, cell.as_deref()) {
                            Ok(()) => continue,
                            Err(error) => return Some(Err(error)),
                        }
                    }
                    let link = next_link.take()?;
                    match self.session.next_page(&link).await {
                        Ok(JsonPage {
                            rows,
                            next_link: next,
                        }) => {
                            *values = rows;
                            *next_link = next;
                        }
                        Err(error) => return Some(Err(error)),
                    }
                }
            }
        }
    }
}

/// Writes an opened report to `writer` as Graph served it (JSON pages merged into one
/// `{"value":[...]}` document), returning the number of bytes written.
pub(crate) async fn write_raw<W: AsyncWrite + Unpin>(
    mut session: Session,
    meta: &'static ReportMeta,
    opened: Opened,
    writer: &mut W,
) -> Result<u64, Error> {
    let io_error = |err: std::io::Error| {
        Error::new(ErrorKind::Io, "writing the report failed")
            .with_report(meta.id)
            .with_source(err)
    };
    let mut written = 0u64;
    match opened {
        Opened::Csv { mut body, span, .. } => {
            while let Some(chunk) = session.chunk(&mut body).await? {
                writer.write_all(&chunk).await.map_err(io_error)?;
                written += chunk.len() as u64;
                span.record("bytes", written);
            }
        }
        Opened::Json { mut page, .. } => {
            let mut first = true;
            writer.write_all(b"{\"value\":[").await.map_err(io_error)?;
            written += 10;
            loop {
                for value in page.rows.drain(..) {
                    let mut bytes = if first { Vec::new() } else { vec![b','] };
                    first = false;
                    serde_json::to_writer(&mut bytes, &value).map_err(|err| {
                        Error::new(ErrorKind::Io, "re-encoding a JSON row failed")
                            .with_report(meta.id)
                            .with_source(err)
                    })?;
                    writer.write_all(&bytes).await.map_err(io_error)?;
                    written += bytes.len() as u64;
                }
                match page.next_link.take() {
                    Some(link) => page = session.next_page(&link).await?,
                    None => break,
                }
            }
            writer.write_all(b"]}").await.map_err(io_error)?;
            written += 2;
        }
        Opened::NotModified { .. } => {}
    }
    writer.flush().await.map_err(io_error)?;
    Ok(written)
}
