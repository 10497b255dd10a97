//! What the terminal calls of a request return.

use chrono::NaiveDate;

use super::meta::{ApiVersion, ColumnMeta, Format, ReportMeta};
use super::rejected::RejectedRow;

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
///
/// [`SchemaDrift::compare`] is the one comparison behind both the runtime (a decoded report's
/// [`ReportInfo::drift`], and the [`MissingColumn`](crate::ErrorKind::MissingColumn) error) and
/// `cargo xtask spec-diff`, so the tool reports exactly what decoding would see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaDrift {
    /// Columns in the file that the spec does not know (ignored when decoding), in file order,
    /// as the file names them.
    pub unknown_columns: Vec<String>,
    /// Optional spec columns absent from the file (their fields are `None`), by CSV header, in
    /// spec order.
    pub missing_columns: Vec<&'static str>,
    /// Required spec columns absent from the file, by CSV header, in spec order. Such a file
    /// cannot be decoded: decoding fails with
    /// [`MissingColumn`](crate::ErrorKind::MissingColumn) before any row, so the drift of a
    /// decoded report always has this empty.
    pub missing_required: Vec<&'static str>,
}

impl SchemaDrift {
    /// Compares the column names a file has with the spec's columns of `meta`. `format` says
    /// how the file names a column: [`Format::Csv`] by its exact [`ColumnMeta::header`] (pass
    /// headers trimmed and without a UTF-8 BOM, as the decoder does), [`Format::Json`] by its
    /// [`ColumnMeta::json`] property. In JSON, OData annotations (`@odata.nextLink`,
    /// `name@odata.type`) are not columns and are skipped.
    ///
    /// ```
    /// use reports_sdk::{ColumnMeta, ColumnType, Format, ReportMeta, SchemaDrift};
    ///
    /// static META: ReportMeta = ReportMeta::new(
    ///     "thing_counts",
    ///     "getThingCounts",
    ///     &[
    ///         ColumnMeta::new("Report Refresh Date", "report_refresh_date", "reportRefreshDate", ColumnType::Date),
    ///         ColumnMeta::new("Activated", "activated", "activated", ColumnType::Integer),
    ///         ColumnMeta::new("Shared", "shared", "shared", ColumnType::Integer).optional(),
    ///     ],
    /// );
    /// let drift = SchemaDrift::compare(&META, ["Report Refresh Date", "Zeta"], Format::Csv);
    /// assert_eq!(drift.unknown_columns, ["Zeta"]);
    /// assert_eq!(drift.missing_columns, ["Shared"]);
    /// assert_eq!(drift.missing_required, ["Activated"]);
    /// assert!(!drift.is_decodable());
    ///
    /// let drift = SchemaDrift::compare(&META, ["@odata.type", "reportRefreshDate", "activated"], Format::Json);
    /// assert!(drift.is_decodable());
    /// assert_eq!(drift.missing_columns, ["Shared"]);
    /// ```
    pub fn compare<'a>(
        meta: &'static ReportMeta,
        names: impl IntoIterator<Item = &'a str>,
        format: Format,
    ) -> SchemaDrift {
        let name_of = |column: &ColumnMeta| match format {
            Format::Csv => column.header,
            Format::Json => column.json,
        };
        let names: Vec<&str> = names
            .into_iter()
            // A JSON property holding '@' is an annotation on the object or on another property,
            // never a report column.
            .filter(|name| format != Format::Json || !name.contains('@'))
            .collect();
        let has = |column: &ColumnMeta| names.contains(&name_of(column));
        let missing = |optional: bool| {
            meta.columns
                .iter()
                .filter(|column| column.optional == optional && !has(column))
                .map(|column| column.header)
                .collect()
        };
        SchemaDrift {
            unknown_columns: names
                .iter()
                .filter(|name| !meta.columns.iter().any(|column| name_of(column) == **name))
                .map(|name| (*name).to_owned())
                .collect(),
            missing_columns: missing(true),
            missing_required: missing(false),
        }
    }

    /// Whether the file has exactly the spec's columns.
    pub fn is_empty(&self) -> bool {
        self.unknown_columns.is_empty()
            && self.missing_columns.is_empty()
            && self.missing_required.is_empty()
    }

    /// Whether rows can be decoded from the file: it lacks no required column.
    pub fn is_decodable(&self) -> bool {
        self.missing_required.is_empty()
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
    /// The rows that did not decode, in file order, when the request was sent with
    /// [`BadRows::Reject`](crate::BadRows::Reject) (always empty otherwise: the first bad row
    /// fails the request).
    pub rejected: Vec<RejectedRow>,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::meta::ColumnType;

    static META: ReportMeta = ReportMeta::new(
        "things",
        "getThings",
        &[
            ColumnMeta::new(
                "Report Refresh Date",
                "report_refresh_date",
                "reportRefreshDate",
                ColumnType::Date,
            ),
            ColumnMeta::new("iOS", "ios", "ios", ColumnType::Integer),
            ColumnMeta::new("Shared", "shared", "shared", ColumnType::Integer).optional(),
        ],
    );

    #[test]
    fn csv_is_compared_by_header_and_splits_required_from_optional() {
        let drift =
            SchemaDrift::compare(&META, ["Zeta", "Report Refresh Date", "Alpha"], Format::Csv);
        assert_eq!(drift.unknown_columns, ["Zeta", "Alpha"]);
        assert_eq!(drift.missing_columns, ["Shared"]);
        assert_eq!(drift.missing_required, ["iOS"]);
        assert!(!drift.is_decodable());
        assert!(!drift.is_empty());
    }

    #[test]
    fn json_is_compared_by_property_and_skips_annotations() {
        let names = [
            "@odata.type",
            "ios",
            "reportRefreshDate@odata.type",
            "reportRefreshDate",
            "shared",
        ];
        let drift = SchemaDrift::compare(&META, names, Format::Json);
        assert!(drift.is_empty(), "{drift:?}");
        // CSV compares headers, which these JSON names are not.
        let drift = SchemaDrift::compare(&META, ["reportRefreshDate", "ios"], Format::Csv);
        assert_eq!(drift.missing_required, ["Report Refresh Date", "iOS"]);
        assert_eq!(drift.unknown_columns, ["reportRefreshDate", "ios"]);
    }
}
