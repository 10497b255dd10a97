//! A typed client for the Microsoft Graph usage reports API.
//!
//! Every report of `spec/` is a method on [`Client`] that takes the report's parameters as typed
//! values (a [`Period`], a [`chrono::NaiveDate`]) and returns a [`ReportRequest`] whose rows are
//! a typed struct, e.g. [`office365::Office365ServicesUserCountsRow`].
//!
//! Report families are Cargo features (all on by default), so a crate that needs only some
//! reports compiles only those.
#![deny(missing_docs)]

mod runtime;

#[rustfmt::skip]
mod generated;

pub use generated::*;
pub use runtime::{
    ApiVersion, Client, ClientBuilder, Cloud, ColumnMeta, ColumnType, EnumParameter, FormMeta,
    Format, ParameterKind, ParameterMeta, ParseEnumError, Permissions, Report, ReportMeta,
    ReportRequest, VersionMeta,
};

/// Every report compiled in (by the enabled family features), in spec order.
pub fn catalog() -> &'static [&'static ReportMeta] {
    generated::CATALOG
}
