//! The hand-written runtime: it knows no specific report and works from the metadata the
//! generated code declares.

mod auth;
mod client;
mod csv_rows;
pub(crate) mod decode;
pub(crate) mod encode;
mod error;
mod meta;
mod offline;
mod parameter;
mod request;
mod response;
mod retry;
mod stream;
mod transport;
mod visit;

pub use auth::{Secret, StaticToken, TokenError, TokenFuture, TokenProvider};
pub use client::{Client, ClientBuilder};
pub use error::{Error, ErrorKind, Position, ServiceError};
pub use meta::{
    ApiVersion, Cloud, ColumnMeta, ColumnType, FormMeta, Format, ParameterKind, ParameterMeta,
    Permissions, Report, ReportMeta, UnknownName, VersionMeta,
};
pub use offline::read_csv;
pub use parameter::{Argument, EnumParameter, ParseEnumError, parse_enum};
pub use request::{ConditionalRequest, ReportRequest};
pub use response::{Fetched, NotModified, RawReport, ReportInfo, ReportRows, SchemaDrift};
pub use retry::RetryPolicy;
pub use stream::RowStream;
pub use visit::ReportVisitor;
