//! The SDK's one error type. It keeps what a caller needs to act on a failure (which report, the
//! HTTP status, Graph's error code and request id, the CSV position) and the `source()` chain;
//! it never holds a token or a download URL.

use std::fmt;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The spec says the report, version or format is not served in the configured cloud or
    /// version; nothing was sent.
    NotAvailable,
    /// The client was configured in a way that cannot work (e.g. a supplied `reqwest::Client`
    /// that follows redirects).
    Configuration,
    /// The token provider failed.
    Token,
    /// Graph answered with an error status (see [`Error::status`] and [`Error::service`]).
    Service,
    /// Graph kept answering `429 Too Many Requests` until the retry budget was spent.
    Throttled,
    /// The report call answered `302` without a usable `Location`, or paging pointed elsewhere.
    Redirect,
    /// The preauthenticated download link was refused even after requesting a fresh one.
    DownloadExpired,
    /// Connecting, sending or receiving failed (including a body cut short).
    Transport,
    /// A request timed out.
    Timeout,
    /// A column the spec marks as required is absent from the file.
    MissingColumn,
    /// A record or value could not be decoded (see [`Error::position`]).
    Decode,
    /// A bound the client or reader sets on what it accepts was reached; the message names the
    /// limit, its value and how to raise it.
    Limit,
    /// Reading a report file from the caller's source, or writing the report to the caller's
    /// writer, failed.
    Io,
}

/// Graph's error body: `{"error":{"code","message","innerError":{"request-id",...}}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// Graph's error code, e.g. `UnknownError`, `Authorization_RequestDenied`.
    pub code: Option<String>,
    /// Graph's message, or the start of a body that was not Graph error JSON.
    pub message: Option<String>,
    /// `innerError.request-id` (or the `request-id` header): quote it to Microsoft support.
    pub request_id: Option<String>,
    /// `innerError.client-request-id` (or the header).
    pub client_request_id: Option<String>,
    /// `innerError.date`.
    pub date: Option<String>,
}

/// Where in a CSV file (or JSON page) a decode error happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Position {
    /// 1-based line in the CSV file where the record starts (`None` for JSON).
    pub line: Option<u64>,
    /// 1-based record (row) number, the header not counted.
    pub record: u64,
    /// The column's header, when the error is about one cell.
    pub column: Option<String>,
}

/// An error from the SDK.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    report: Option<&'static str>,
    status: Option<u16>,
    service: Option<ServiceError>,
    position: Option<Position>,
    retry_after: Option<Duration>,
    source: Option<BoxError>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                report: None,
                status: None,
                service: None,
                position: None,
                retry_after: None,
                source: None,
            }),
        }
    }

    /// Replaces the message, keeping everything else.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = message.into();
        self
    }

    pub(crate) fn with_report(mut self, report: &'static str) -> Self {
        self.inner.report.get_or_insert(report);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_service(mut self, service: ServiceError) -> Self {
        self.inner.service = Some(service);
        self
    }

    pub(crate) fn with_position(mut self, position: Position) -> Self {
        self.inner.position = Some(position);
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.inner.retry_after = retry_after;
        self
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// A transport failure from reqwest, with any URL stripped from it: download URLs are
    /// secrets and reqwest's errors quote the URL they were about.
    pub(crate) fn transport(context: &str, error: reqwest::Error) -> Self {
        if error.is_builder() {
            // The request could not even be built: retrying cannot help.
            return Error::new(
                ErrorKind::Configuration,
                format!("{context} could not be built (an invalid URL or header value)"),
            )
            .with_source(error.without_url());
        }
        let kind = if error.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let what = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else if error.is_body() || error.is_decode() {
            "failed while receiving the body (the connection closed early or the body was cut short)"
        } else {
            "failed"
        };
        Error::new(kind, format!("{context} {what}")).with_source(error.without_url())
    }

    /// A failure while reading a report's body, after the answer's head arrived: the
    /// connection closed early or stalled. Rows decoded before it are valid.
    pub(crate) fn body(error: reqwest::Error) -> Self {
        let (kind, message) = if error.is_timeout() {
            (
                ErrorKind::Timeout,
                "the report download stalled for longer than the read timeout",
            )
        } else {
            (
                ErrorKind::Transport,
                "the report body was cut short: the connection ended before the end of the file",
            )
        };
        Error::new(kind, message).with_source(error.without_url())
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// What went wrong and what to do, without the report id, position or Graph details that
    /// `Display` adds around it.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The report id (`office365_services_user_counts`) the failure is about.
    pub fn report(&self) -> Option<&'static str> {
        self.inner.report
    }

    /// The HTTP status Graph answered, for [`ErrorKind::Service`] and [`ErrorKind::Throttled`].
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Graph's error code, message and request ids, when Graph sent them.
    pub fn service(&self) -> Option<&ServiceError> {
        self.inner.service.as_ref()
    }

    /// Graph's `request-id`, for Microsoft support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.service.as_ref()?.request_id.as_deref()
    }

    /// Where a decode error happened.
    pub fn position(&self) -> Option<&Position> {
        self.inner.position.as_ref()
    }

    /// How long Graph asked to wait (`Retry-After`) before the last attempt failed.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether trying again later may succeed: throttling (`429`), `503`/`504`, timeouts and
    /// transport failures — exactly what the client retries by itself. Other answers, decode
    /// errors and configuration errors will fail again.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Throttled | ErrorKind::Timeout | ErrorKind::Transport => true,
            ErrorKind::Service => matches!(self.inner.status, Some(429 | 503 | 504)),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        if let Some(report) = inner.report {
            write!(f, "report `{report}`: ")?;
        }
        f.write_str(&inner.message)?;
        if let Some(position) = &inner.position {
            match position.line {
                Some(line) => write!(f, " (line {line}, record {}", position.record)?,
                None => write!(f, " (record {}", position.record)?,
            }
            if let Some(column) = &position.column {
                write!(f, ", column {column:?}")?;
            }
            f.write_str(")")?;
        }
        if let Some(service) = &inner.service {
            let mut parts = Vec::new();
            if let Some(code) = &service.code {
                parts.push(code.clone());
            }
            if let Some(message) = &service.message {
                parts.push(message.clone());
            }
            if let Some(request_id) = &service.request_id {
                parts.push(format!("request-id {request_id}"));
            }
            if !parts.is_empty() {
                write!(f, " [{}]", parts.join("; "))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &inner.kind);
        debug.field("message", &inner.message);
        if let Some(report) = inner.report {
            debug.field("report", &report);
        }
        if let Some(status) = inner.status {
            debug.field("status", &status);
        }
        if let Some(service) = &inner.service {
            debug.field("service", service);
        }
        if let Some(position) = &inner.position {
            debug.field("position", position);
        }
        if let Some(retry_after) = inner.retry_after {
            debug.field("retry_after", &retry_after);
        }
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}
