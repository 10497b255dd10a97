//! A typed client for the Microsoft Graph usage reports API.
//!
//! Every report of `spec/` is a method on [`Client`] that takes the report's parameters as typed
//! values (a [`Period`], a [`chrono::NaiveDate`]) and returns a [`ReportRequest`] whose rows are
//! a typed struct, e.g. [`office365::Office365ServicesUserCountsRow`].
//!
//! ```no_run
//! use reports_sdk::{Client, Period};
//!
//! # async fn run() -> Result<(), reports_sdk::Error> {
//! let client = Client::builder().token("eyJ0eXAi...").build()?;
//! let report = client.office365_services_user_counts(Period::D7).send().await?;
//! for row in &report.rows {
//!     println!("{}: {} active in Teams", row.report_refresh_date, row.teams_active);
//! }
//! println!("ETag for next time: {:?}", report.info.etag);
//! # Ok(())
//! # }
//! ```
//!
//! The runtime follows Graph's `302` to the preauthenticated download URL without the token,
//! retries throttling (`429`, honouring `Retry-After`) and `503`/`504`, decodes CSV by header
//! (UTF-8 BOM, `True`/`False`, empty cells, reordered and new columns) or beta JSON pages, and
//! reports columns that differ from the spec in [`ReportInfo::drift`].
//!
//! Report families are Cargo features (all on by default), so a crate that needs only some
//! reports compiles only those.
#![deny(missing_docs)]

mod runtime;

/// This SDK's version, for files and logs that should say which SDK wrote them.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[rustfmt::skip]
mod generated;

pub use generated::*;
#[cfg(feature = "azure-identity")]
pub use runtime::AzureCredential;
pub use runtime::{
    AnyReport, AnyRequest, AnyRow, ApiVersion, Argument, AsyncCsvReader, BadRows, Client,
    ClientBuilder, ClientSecretCredential, ClientSecretCredentialBuilder, Cloud, ColumnMeta,
    ColumnType, ConditionalRequest, Credentials, CsvColumns, CsvDelivery, CsvReader, CsvRecord,
    EnumParameter, Error, ErrorKind, Fetched, FormMeta, Format, Limits, MAX_UNKNOWN_FUNCTIONS,
    NotModified, ParameterKind, ParameterMeta, Permissions, Position, RawReport, RejectedRow,
    Report, ReportInfo, ReportMeta, ReportRequest, ReportRows, ReportVisitor, RetryPolicy, Row,
    RowStream, SchemaDrift, Secret, ServiceError, SignInError, StaticToken, TokenError,
    TokenFuture, TokenProvider, UnknownName, VersionMeta, read_csv,
};

/// Every report compiled in (by the enabled family features), in spec order.
pub fn catalog() -> &'static [&'static ReportMeta] {
    generated::CATALOG
}

/// The report compiled in with this id (`teams_user_activity_user_detail`) or Graph function
/// name (`getTeamsUserActivityUserDetail`, in any case), the names [`Client::report`] takes;
/// `None` for any other name. Surrounding whitespace is ignored.
///
/// ```
/// let by_id = reports_sdk::find_report("office365_activation_counts");
/// let by_function = reports_sdk::find_report("getoffice365activationcounts");
/// assert!(by_id.is_some());
/// assert_eq!(by_id, by_function);
/// assert_eq!(reports_sdk::find_report("getSomethingNew"), None);
/// ```
pub fn find_report(name: &str) -> Option<&'static ReportMeta> {
    let name = name.trim();
    catalog().iter().copied().find(|meta| meta.is_named(name))
}

/// Compiles the README's examples as doctests, so the front door cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
