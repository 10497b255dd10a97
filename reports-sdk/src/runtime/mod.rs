//! The hand-written runtime: it knows no specific report and works from the metadata the
//! generated code declares.

mod any_report;
mod auth;
mod client;
mod csv_rows;
pub(crate) mod decode;
pub(crate) mod encode;
mod error;
mod json_rows;
mod meta;
mod offline;
mod parameter;
mod request;
mod response;
mod retry;
mod row;
mod stream;
mod transport;
mod visit;

pub use any_report::{AnyReport, AnyRequest};
pub use auth::{Secret, StaticToken, TokenError, TokenFuture, TokenProvider};
pub use client::{Client, ClientBuilder};
pub use error::{Error, ErrorKind, Position, ServiceError};
pub use meta::{
    ApiVersion, Cloud, ColumnMeta, ColumnType, CsvDelivery, FormMeta, Format, ParameterKind,
    ParameterMeta, Permissions, Report, ReportMeta, UnknownName, VersionMeta,
};
pub use offline::read_csv;
pub use parameter::{Argument, EnumParameter, ParseEnumError, parse_enum};
pub use request::{ConditionalRequest, ReportRequest};
pub use response::{Fetched, NotModified, RawReport, ReportInfo, ReportRows, SchemaDrift};
pub use retry::RetryPolicy;
pub use row::{AnyRow, Row};
pub use stream::RowStream;
pub use visit::ReportVisitor;
