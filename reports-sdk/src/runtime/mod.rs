//! The hand-written runtime: it knows no specific report and works from the metadata the
//! generated code declares.

mod client;
pub(crate) mod decode;
pub(crate) mod encode;
mod meta;
mod parameter;
mod request;

pub use client::{Client, ClientBuilder};
pub use meta::{
    ApiVersion, Cloud, ColumnMeta, ColumnType, FormMeta, Format, ParameterKind, ParameterMeta,
    Permissions, Report, ReportMeta, VersionMeta,
};
pub(crate) use parameter::Argument;
pub use parameter::{EnumParameter, ParseEnumError, parse_enum};
pub use request::ReportRequest;
