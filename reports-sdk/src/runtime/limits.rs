//! The bounds the client and the readers set on what they accept from outside: everything a
//! server or a file sends is hostile until bounded. Each bound is far above any real report;
//! hitting one is an [`ErrorKind::Limit`](crate::ErrorKind::Limit) error that names the bound,
//! its value and the method that raises it.

use std::time::Duration;

use super::error::{Error, ErrorKind};

/// Bounds on what one report call (or one file read) may take: fields, bytes, pages and time.
/// Set on the client with [`ClientBuilder::limits`](crate::ClientBuilder::limits) (and on a
/// file reader with its `limits` method); [`Limits::default`] suits every real report.
///
/// ```
/// use std::time::Duration;
/// use reports_sdk::Limits;
///
/// let limits = Limits::default()
///     .max_fields(8_192)
///     .deadline(Some(Duration::from_secs(30 * 60)));
/// assert_eq!(limits.fields(), 8_192);
/// assert_eq!(Limits::default().record_bytes(), 16 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_fields: usize,
    max_record_bytes: usize,
    max_page_bytes: usize,
    max_pages: u64,
    deadline: Option<Duration>,
}

impl Default for Limits {
    /// 4,096 fields a record (header included), 16 MiB a record, 64 MiB a JSON page, 10,000
    /// pages a report, and a 30-minute deadline for a whole call, retries and waits included.
    fn default() -> Self {
        Limits {
            max_fields: 4_096,
            max_record_bytes: 16 * 1024 * 1024,
            max_page_bytes: 64 * 1024 * 1024,
            max_pages: 10_000,
            deadline: Some(Duration::from_secs(30 * 60)),
        }
    }
}

impl Limits {
    /// The most fields a CSV record (the header included) may have. Real reports have at most a
    /// few dozen columns; a line of commas must not become millions of empty cells.
    pub fn max_fields(mut self, fields: usize) -> Self {
        self.max_fields = fields;
        self
    }

    /// The most bytes one CSV record may take while the decoder waits for its end: a stray
    /// quote must not turn the rest of a download into one record in memory.
    pub fn max_record_bytes(mut self, bytes: usize) -> Self {
        self.max_record_bytes = bytes;
        self
    }

    /// The most bytes one beta JSON page may have.
    pub fn max_page_bytes(mut self, bytes: usize) -> Self {
        self.max_page_bytes = bytes;
        self
    }

    /// The most beta JSON pages one report may have (`@odata.nextLink`s followed, plus one).
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = pages;
        self
    }

    /// The longest a whole call may take, from the first request to the last byte of the last
    /// page, retries and `Retry-After` waits included; `None` for no deadline (then only
    /// silence is bounded, by the read timeout).
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// See [`max_fields`](Self::max_fields).
    pub fn fields(&self) -> usize {
        self.max_fields
    }

    /// See [`max_record_bytes`](Self::max_record_bytes).
    pub fn record_bytes(&self) -> usize {
        self.max_record_bytes
    }

    /// See [`max_page_bytes`](Self::max_page_bytes).
    pub fn page_bytes(&self) -> usize {
        self.max_page_bytes
    }

    /// See [`max_pages`](Self::max_pages).
    pub fn pages(&self) -> u64 {
        self.max_pages
    }

    /// See [`deadline`](Self::deadline).
    pub fn call_deadline(&self) -> Option<Duration> {
        self.deadline
    }
}

/// The error for a bound hit: `what` happened, the bound's `setter` on [`Limits`] and its
/// `value`, so the message says how to raise it.
pub(crate) fn limit_error(
    what: impl std::fmt::Display,
    setter: &str,
    value: impl std::fmt::Display,
) -> Error {
    Error::new(
        ErrorKind::Limit,
        format!(
            "{what}: the limit is {value} (`Limits::{setter}`); if the report is genuine, raise it with `ClientBuilder::limits(Limits::default().{setter}(...))`"
        ),
    )
}
