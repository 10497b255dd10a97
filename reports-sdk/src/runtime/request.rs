//! One report call, as returned by a generated client method: settings first, then a terminal
//! call (`send`, `stream`, `bytes`, `write_to`).

use std::marker::PhantomData;

use tokio::io::AsyncWrite;

use super::client::Client;
use super::error::{Error, ErrorKind};
use super::meta::{ApiVersion, FormMeta, Format, Report, ReportMeta};
use super::parameter::{Argument, report_path};
use super::rejected::BadRows;
use super::response::{Fetched, NotModified, RawReport, ReportRows};
use super::row::Row;
use super::stream::{RowStream, write_raw};
use super::transport::{Opened, PageShape, Session};

/// A report call with its arguments, not sent yet. Returned by every generated method.
///
/// Terminal calls: [`send`](Self::send) (every row, typed), [`stream`](Self::stream) (rows as
/// they download), [`bytes`](Self::bytes) and [`write_to`](Self::write_to) (the file as served).
/// [`if_none_match`](Self::if_none_match) turns it into a [`ConditionalRequest`], whose terminal
/// calls can answer [`Fetched::NotModified`].
#[must_use = "a report request does nothing until it is sent"]
pub struct ReportRequest<R> {
    pub(crate) client: Client,
    pub(crate) meta: &'static ReportMeta,
    pub(crate) form: &'static FormMeta,
    pub(crate) arguments: Vec<Argument>,
    /// Optional parameters set so far, by path name.
    pub(crate) optional: Vec<(&'static str, Argument)>,
    /// The text between the parentheses of a call to a function the SDK does not know.
    pub(crate) raw_arguments: Option<String>,
    pub(crate) version: Option<ApiVersion>,
    pub(crate) format: Format,
    pub(crate) bad_rows: BadRows,
    row: PhantomData<fn() -> R>,
}

impl<R: Row> std::fmt::Debug for ReportRequest<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportRequest")
            .field("report", &self.meta.id)
            .field("path", &self.path())
            .field("version", &self.api_version())
            .field("format", &self.format)
            .finish()
    }
}

impl<R: Report> ReportRequest<R> {
    /// What a generated method returns: a request for `form`, one of `R::META.forms`.
    pub(crate) fn new(
        client: &Client,
        form: &'static FormMeta,
        arguments: impl Into<Vec<Argument>>,
    ) -> Self {
        Self::of(client, R::META, form, arguments)
    }
}

impl<R: Row> ReportRequest<R> {
    /// A request for `form`, one of `meta.forms`, decoded into rows of type `R`.
    pub(crate) fn of(
        client: &Client,
        meta: &'static ReportMeta,
        form: &'static FormMeta,
        arguments: impl Into<Vec<Argument>>,
    ) -> Self {
        ReportRequest {
            client: client.clone(),
            meta,
            form,
            arguments: arguments.into(),
            optional: Vec::new(),
            raw_arguments: None,
            version: None,
            format: Format::Csv,
            bad_rows: BadRows::Fail,
            row: PhantomData,
        }
    }

    /// The same request, decoding rows of another type.
    pub(crate) fn with_rows<U>(self) -> ReportRequest<U> {
        ReportRequest {
            client: self.client,
            meta: self.meta,
            form: self.form,
            arguments: self.arguments,
            optional: self.optional,
            raw_arguments: self.raw_arguments,
            version: self.version,
            format: self.format,
            bad_rows: self.bad_rows,
            row: PhantomData,
        }
    }

    /// Sets an optional parameter (the generated setters call this); setting it again replaces
    /// the value.
    #[allow(
        dead_code,
        reason = "called by the generated setters of the families enabled, if any"
    )]
    pub(crate) fn with_optional(mut self, name: &'static str, argument: Argument) -> Self {
        self.optional.retain(|(set, _)| *set != name);
        self.optional.push((name, argument));
        self
    }

    /// Asks for this API version. Default: the client's, or, for a report that version does not
    /// serve (a beta-only report on a `v1.0` client), the version the report is served by.
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// Asks for this format (JSON is served by `beta` only). Default: CSV.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// What to do with a row that does not decode. Default: [`BadRows::Fail`], the first bad
    /// row fails the call (see [`BadRows`] for why). With [`BadRows::reject()`], bad rows are
    /// skipped and listed in [`ReportRows::rejected`] (or [`RowStream::rejected`]), each with
    /// its line, column, cell and reason.
    ///
    /// ```no_run
    /// # async fn run(client: reports_sdk::Client) -> Result<(), reports_sdk::Error> {
    /// use reports_sdk::{BadRows, Period};
    ///
    /// let report = client
    ///     .office365_active_user_detail(Period::D7)
    ///     .on_bad_row(BadRows::reject())
    ///     .send()
    ///     .await?;
    /// for rejected in &report.rejected {
    ///     eprintln!("skipped {rejected}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn on_bad_row(mut self, bad_rows: BadRows) -> Self {
        self.bad_rows = bad_rows;
        self
    }

    /// Sends `If-None-Match`: if the report still has this ETag, Graph answers
    /// `304 Not Modified` and the terminal calls return [`Fetched::NotModified`].
    pub fn if_none_match(self, etag: impl Into<String>) -> ConditionalRequest<R> {
        ConditionalRequest {
            request: self,
            etag: etag.into(),
        }
    }

    /// What the spec says about the report.
    pub fn meta(&self) -> &'static ReportMeta {
        self.meta
    }

    /// The API version the request will use.
    pub fn api_version(&self) -> ApiVersion {
        self.version
            .unwrap_or_else(|| default_version(self.meta, self.client.inner.version))
    }

    /// The requested format.
    pub fn requested_format(&self) -> Format {
        self.format
    }

    /// The path after the version, e.g. `/reports/getOffice365ServicesUserCounts(period='D7')`.
    pub fn path(&self) -> String {
        match &self.raw_arguments {
            Some(raw) => format!("/reports/{}({raw})", self.meta.function),
            None => report_path(self.meta, self.form, &self.arguments, &self.optional),
        }
    }

    /// The full URL of the report call, e.g.
    /// `https://graph.microsoft.com/v1.0/reports/getOffice365ActivationCounts`.
    pub fn url(&self) -> String {
        let mut url = format!(
            "{}/{}{}",
            self.client.inner.base_url,
            self.api_version(),
            self.path()
        );
        // `$format` only where the version would otherwise serve another format, so calls look
        // like the ones Graph documents.
        let default_format = self
            .meta
            .version(self.api_version())
            .map_or(Format::Csv, |version| version.default_format);
        if self.format != default_format {
            url.push_str("?$format=");
            url.push_str(self.format.media_type());
        }
        url
    }

    /// Downloads the report and decodes every row.
    pub async fn send(self) -> Result<ReportRows<R>, Error> {
        self.stream().await?.collect_rows().await
    }

    /// Starts the download and returns the rows as a stream, decoded as the body arrives.
    pub async fn stream(self) -> Result<RowStream<R>, Error> {
        let (session, opened) = self.open(None, PageShape::Rows).await?;
        let etag = etag_of(&opened);
        let version = self.api_version();
        RowStream::open(
            self.meta,
            self.client,
            session,
            opened,
            version,
            etag,
            self.bad_rows,
        )
        .await
    }

    /// Downloads the report as Graph served it: the CSV file, or for JSON one
    /// `{"value":[...]}` document with the rows of every page.
    pub async fn bytes(self) -> Result<RawReport, Error> {
        match self.raw(None).await? {
            Fetched::Modified(raw) => Ok(raw),
            Fetched::NotModified(_) => Err(unexpected_not_modified(self.meta)),
        }
    }

    /// Streams the report as Graph served it into `writer`, returning the bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin>(self, writer: &mut W) -> Result<u64, Error> {
        let (session, opened) = self.open(None, PageShape::Items).await?;
        if let Opened::NotModified { .. } = opened {
            return Err(unexpected_not_modified(self.meta));
        }
        write_raw(session, self.meta, opened, writer).await
    }

    async fn raw(&self, etag: Option<&str>) -> Result<Fetched<RawReport>, Error> {
        let (session, opened) = self.open(etag, PageShape::Items).await?;
        let tag = etag_of(&opened);
        if let Opened::NotModified { etag } = opened {
            return Ok(Fetched::NotModified(NotModified { etag }));
        }
        // What Graph served, which is not always what was asked: a `302` to a JSON request
        // still downloads a CSV file.
        let format = match opened {
            Opened::Json { .. } => Format::Json,
            _ => Format::Csv,
        };
        let mut bytes = Vec::new();
        write_raw(session, self.meta, opened, &mut bytes).await?;
        Ok(Fetched::Modified(RawReport {
            bytes: bytes.into(),
            format,
            etag: tag,
        }))
    }

    /// Checks the spec allows the call here, then sends it: the call's session (its deadline
    /// starts here) and the opened body. `shape` says what JSON items become.
    async fn open(
        &self,
        if_none_match: Option<&str>,
        shape: PageShape,
    ) -> Result<(Session, Opened), Error> {
        self.check_available()?;
        let mut session = Session::new(&self.client, self.meta, shape);
        let opened = session
            .open(&self.url(), self.format, if_none_match)
            .await?;
        Ok((session, opened))
    }

    fn check_available(&self) -> Result<(), Error> {
        let meta = self.meta;
        let cloud = self.client.inner.cloud;
        let version = self.api_version();
        let not_available = |message: String| {
            Err(Error::new(ErrorKind::NotAvailable, message).with_report(meta.id))
        };
        if !meta.clouds.contains(&cloud) {
            return not_available(format!(
                "the spec lists this report for the {} cloud(s) only, not for `{cloud}`",
                meta.clouds
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let Some(formats) = meta.formats(version) else {
            return not_available(format!(
                "the report is not served by API version `{version}`; use {}",
                meta.versions
                    .iter()
                    .map(|v| format!("`{}`", v.version))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
        };
        if !formats.contains(&self.format) {
            return not_available(format!(
                "API version `{version}` serves this report as {} only, not as {}",
                formats
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                self.format
            ));
        }
        Ok(())
    }
}

/// A [`ReportRequest`] sent with `If-None-Match`: each terminal call answers
/// [`Fetched::NotModified`] when the report still has the given ETag.
#[must_use = "a report request does nothing until it is sent"]
pub struct ConditionalRequest<R> {
    request: ReportRequest<R>,
    etag: String,
}

impl<R: Row> std::fmt::Debug for ConditionalRequest<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConditionalRequest")
            .field("request", &self.request)
            .field("if_none_match", &self.etag)
            .finish()
    }
}

impl<R: Row> ConditionalRequest<R> {
    /// Downloads and decodes every row, unless the report is unchanged.
    pub async fn send(self) -> Result<Fetched<ReportRows<R>>, Error> {
        Ok(match self.stream().await? {
            Fetched::Modified(stream) => Fetched::Modified(stream.collect_rows().await?),
            Fetched::NotModified(not_modified) => Fetched::NotModified(not_modified),
        })
    }

    /// Streams the rows, unless the report is unchanged.
    pub async fn stream(self) -> Result<Fetched<RowStream<R>>, Error> {
        let request = self.request;
        let (session, opened) = request.open(Some(&self.etag), PageShape::Rows).await?;
        if let Opened::NotModified { etag } = opened {
            return Ok(Fetched::NotModified(NotModified { etag }));
        }
        let etag = etag_of(&opened);
        let version = request.api_version();
        RowStream::open(
            request.meta,
            request.client,
            session,
            opened,
            version,
            etag,
            request.bad_rows,
        )
        .await
        .map(Fetched::Modified)
    }

    /// The report as served, unless it is unchanged.
    pub async fn bytes(self) -> Result<Fetched<RawReport>, Error> {
        self.request.raw(Some(&self.etag)).await
    }

    /// Streams the report as served into `writer`, unless it is unchanged.
    pub async fn write_to<W: AsyncWrite + Unpin>(
        self,
        writer: &mut W,
    ) -> Result<Fetched<u64>, Error> {
        let (session, opened) = self
            .request
            .open(Some(&self.etag), PageShape::Items)
            .await?;
        if let Opened::NotModified { etag } = opened {
            return Ok(Fetched::NotModified(NotModified { etag }));
        }
        write_raw(session, self.request.meta, opened, writer)
            .await
            .map(Fetched::Modified)
    }
}

/// The client's version when it serves the report, else the first version the report lists.
pub(crate) fn default_version(meta: &ReportMeta, client_version: ApiVersion) -> ApiVersion {
    if meta.version(client_version).is_some() {
        return client_version;
    }
    meta.versions
        .first()
        .map_or(client_version, |version| version.version)
}

/// A `304` to a request that sent no `If-None-Match` (a misbehaving proxy or cache): an empty
/// body is not the report.
fn unexpected_not_modified(meta: &'static ReportMeta) -> Error {
    Error::new(
        ErrorKind::Service,
        "Graph answered 304 Not Modified to a request without If-None-Match",
    )
    .with_report(meta.id)
    .with_status(304)
}

fn etag_of(opened: &Opened) -> Option<String> {
    match opened {
        Opened::NotModified { etag } | Opened::Csv { etag, .. } | Opened::Json { etag, .. } => {
            etag.clone()
        }
    }
}
