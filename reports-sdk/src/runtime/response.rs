//! What the terminal calls of a request return.

use chrono::NaiveDate;

use super::meta::{ApiVersion, ColumnMeta, Format, ReportMeta};

/// The outcome of a request sent with `If-None-Match`: the report, or `304 Not Modified`.
#[derive(Debug)]
pub enum Fetched<T> {
    /// The report changed (or had no matching tag): here it is.
    Modified(T),
    /// The report still has the tag that was sent; nothing was downloaded.
    NotModified(NotModified),
}

impl<T> Fetched<T> {
    /// The report, or `None` if it was not modified.
    pub fn modified(self) -> Option<T> {
        match self {
            Fetched::Modified(report) => Some(report),
            Fetched::NotModified(_) => None,
        }
    }

    /// Whether Graph answered `304 Not Modified`.
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Fetched::NotModified(_))
    }
}

/// A `304 Not Modified` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotModified {
    /// The tag Graph answered with, if any.
    pub etag: Option<String>,
}

/// How the file Graph served differs from the spec: Microsoft adds columns over time, and older
/// editions of a report lack newer ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaDrift {
    /// Columns in the file that the spec does not know (ignored when decoding), in file order.
    pub unknown_columns: Vec<String>,
    /// Optional spec columns absent from the file (their fields are `None`), in spec order.
    pub missing_columns: Vec<&'static str>,
}

impl SchemaDrift {
    /// Compares a file's column names with the spec's. `name_of` says how the file names a spec
    /// column (its CSV header, or its JSON property); names no spec column has are unknown, in
    /// file order. `Err` lists the required columns the file lacks, by that name.
    pub(crate) fn of<'a>(
        meta: &'static ReportMeta,
        names: impl Iterator<Item = &'a str> + Clone,
        name_of: impl Fn(&ColumnMeta) -> &'static str,
    ) -> Result<SchemaDrift, Vec<&'static str>> {
        let has = |column: &ColumnMeta| names.clone().any(|name| name == name_of(column));
        let missing_required: Vec<&'static str> = meta
            .columns
            .iter()
            .filter(|column| !column.optional && !has(column))
            .map(&name_of)
            .collect();
        if !missing_required.is_empty() {
            return Err(missing_required);
        }
        Ok(SchemaDrift {
            unknown_columns: names
                .clone()
                .filter(|name| !meta.columns.iter().any(|column| name_of(column) == *name))
                .map(str::to_owned)
                .collect(),
            missing_columns: meta
                .columns
                .iter()
                .filter(|column| !has(column))
                .map(|column| column.header)
                .collect(),
        })
    }

    /// Whether the file has exactly the spec's columns.
    pub fn is_empty(&self) -> bool {
        self.unknown_columns.is_empty() && self.missing_columns.is_empty()
    }
}

/// Facts about a downloaded report, shared by every way of consuming it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportInfo {
    /// The report's metadata.
    pub meta: &'static ReportMeta,
    /// The API version that served it.
    pub version: ApiVersion,
    /// The format it came in.
    pub format: Format,
    /// The `ETag` Graph sent: pass it to `if_none_match` next time.
    pub etag: Option<String>,
    /// How the columns differ from the spec's.
    pub drift: SchemaDrift,
    /// The `Report Refresh Date` of the first row: the day Microsoft last refreshed the data.
    pub refresh_date: Option<NaiveDate>,
}

/// Every row of a report, decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReportRows<R> {
    /// The rows, in file order.
    pub rows: Vec<R>,
    /// ETag, schema drift, refresh date and the report's metadata.
    pub info: ReportInfo,
}

/// A report as Graph served it: the CSV file, or for JSON one `{"value":[...]}` document holding
/// the rows of every page.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawReport {
    /// The bytes.
    pub bytes: bytes::Bytes,
    /// The format of `bytes`.
    pub format: Format,
    /// The `ETag` Graph sent.
    pub etag: Option<String>,
}
