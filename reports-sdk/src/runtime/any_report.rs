//! Reports chosen at run time: by id or Graph function name, for tools that work from the
//! catalogue (the command-line tool, the end-to-end tests, a scheduler fed a list of names) and
//! for functions Microsoft added after this release. Same transport, same errors as the typed
//! methods; rows come as [`AnyRow`] maps.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{NaiveDate, TimeDelta};
use tokio::io::AsyncWrite;

use super::cells::{CsvColumns, CsvRecord};
use super::client::Client;
use super::error::{Error, ErrorKind};
use super::meta::{ApiVersion, FormMeta, Format, ParameterKind, Report, ReportMeta};
use super::parameter::Argument;
use super::rejected::BadRows;
use super::request::ReportRequest;
use super::response::{Fetched, RawReport, ReportRows};
use super::row::{AnyRow, Row, text_cell};
use super::stream::RowStream;
use super::visit::{ReportVisitor, check_arguments};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Streams a known report through its typed row, handing rows on as maps; `None` etag: an
/// unconditional request.
type TypedStream = fn(
    ReportRequest<AnyRow>,
    Option<String>,
) -> BoxFuture<Result<Fetched<RowStream<AnyRow>>, Error>>;

/// A report chosen at run time, from [`Client::report`].
///
/// ```no_run
/// # async fn run(client: reports_sdk::Client) -> Result<(), reports_sdk::Error> {
/// // By id or by Graph function name; rows as maps keyed by CSV header, values typed.
/// let report = client.report("getTeamsUserActivityUserDetail")?;
/// let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
/// for request in report.default_requests(today) {
///     let rows = request.send().await?;
///     println!("{}: {} rows", rows.info.meta.id, rows.rows.len());
/// }
/// // A function this release does not know: rows as text, keyed by the file's headers.
/// let newer = client.report("getSomethingMicrosoftAddedYesterday")?;
/// let rows = newer.call("period='D7'")?.send().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AnyReport {
    client: Client,
    meta: &'static ReportMeta,
    typed: Option<TypedStream>,
}

impl std::fmt::Debug for AnyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyReport")
            .field("report", &self.meta.id)
            .field("known", &self.is_known())
            .finish()
    }
}

impl Client {
    /// The report with this id (`teams_user_activity_user_detail`) or Graph function name
    /// (`getTeamsUserActivityUserDetail`, in any case), among those compiled in. A name that is
    /// no report of this build but is spelled like a Graph function (`getX...`) gives a handle
    /// to that function without a spec: its rows keep the cells as served. Each distinct such
    /// name is kept for the life of the process, up to [`MAX_UNKNOWN_FUNCTIONS`] names.
    pub fn report(&self, name: &str) -> Result<AnyReport, Error> {
        let name = name.trim();
        if let Some(entry) = typed_reports()
            .iter()
            .find(|entry| entry.meta.is_named(name))
        {
            return Ok(AnyReport {
                client: self.clone(),
                meta: entry.meta,
                typed: Some(entry.stream),
            });
        }
        if !is_function_name(name) {
            return Err(Error::new(
                ErrorKind::NotAvailable,
                format!(
                    "{name:?} is neither the id nor the Graph function of a report in this build, nor spelled like a Graph function (getX...); `reports_sdk::catalog()` lists the reports (a family not enabled as a Cargo feature is not compiled in)"
                ),
            ));
        }
        Ok(AnyReport {
            client: self.clone(),
            meta: unknown_function(name)?,
            typed: None,
        })
    }
}

impl AnyReport {
    /// The default `date` argument is this many days before today: inside Graph's 30-day
    /// window, and old enough that the day's data is complete.
    pub const DEFAULT_DATE_DAYS_AGO: i64 = 2;

    /// What the spec says about the report; for a function the SDK does not know, a stand-in
    /// with no columns, served by both versions in every cloud.
    pub fn meta(&self) -> &'static ReportMeta {
        self.meta
    }

    /// Whether the report is in the spec (typed decoding, availability checks).
    pub fn is_known(&self) -> bool {
        self.typed.is_some()
    }

    /// A request for `form` (one of [`ReportMeta::forms`]), with `arguments` in that form's
    /// order (see [`Argument::parse`]).
    pub fn request(
        &self,
        form: &'static FormMeta,
        arguments: Vec<Argument>,
    ) -> Result<AnyRequest, Error> {
        check_arguments(self.meta, form, &arguments)?;
        Ok(self.wrap(ReportRequest::of(&self.client, self.meta, form, arguments)))
    }

    /// One request per form, with default arguments: each enum parameter's first value, a date
    /// [`DEFAULT_DATE_DAYS_AGO`](Self::DEFAULT_DATE_DAYS_AGO) days before `today`, an empty text; optional parameters unset.
    pub fn default_requests(&self, today: NaiveDate) -> Vec<AnyRequest> {
        self.meta
            .forms
            .iter()
            .map(|form| {
                let arguments = default_arguments(self.meta, form, today);
                self.wrap(ReportRequest::of(&self.client, self.meta, form, arguments))
            })
            .collect()
    }

    /// A call with the text between the parentheses written as given, for a function the SDK
    /// does not know (`period='D7'`, `date=2024-01-31`; empty for none). Known reports take
    /// typed arguments through [`request`](Self::request) instead.
    pub fn call(&self, arguments: &str) -> Result<AnyRequest, Error> {
        let arguments = arguments.trim();
        if self.is_known() {
            return Err(Error::new(
                ErrorKind::Configuration,
                "the report is in the spec: give its arguments to `request` so they are checked and written as Graph expects",
            )
            .with_report(self.meta.id));
        }
        if let Some(bad) = arguments
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "'=,-_.:+ ".contains(*c)))
        {
            return Err(Error::new(
                ErrorKind::Configuration,
                format!("{bad:?} cannot stand in a report call's arguments; write them as in Graph's path, e.g. period='D7'"),
            )
            .with_report(self.meta.id));
        }
        let Some(form) = self.meta.forms.first() else {
            return Err(Error::new(
                ErrorKind::Configuration,
                "the report's metadata declares no parameter form",
            )
            .with_report(self.meta.id));
        };
        let mut request = ReportRequest::of(&self.client, self.meta, form, Vec::new());
        if !arguments.is_empty() {
            request.raw_arguments = Some(arguments.replace(' ', "%20"));
        }
        Ok(self.wrap(request))
    }

    fn wrap(&self, request: ReportRequest<AnyRow>) -> AnyRequest {
        AnyRequest {
            request,
            typed: self.typed,
        }
    }
}

/// A call of an [`AnyReport`], not sent yet: settings, then a terminal call.
#[must_use = "a report request does nothing until it is sent"]
pub struct AnyRequest {
    request: ReportRequest<AnyRow>,
    typed: Option<TypedStream>,
}

impl std::fmt::Debug for AnyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.request.fmt(f)
    }
}

impl AnyRequest {
    /// Asks for this API version (see [`ReportRequest::version`]).
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.request = self.request.version(version);
        self
    }

    /// Asks for this format.
    pub fn format(mut self, format: Format) -> Self {
        self.request = self.request.format(format);
        self
    }

    /// What to do with a row that does not decode (see [`ReportRequest::on_bad_row`]).
    pub fn on_bad_row(mut self, bad_rows: BadRows) -> Self {
        self.request = self.request.on_bad_row(bad_rows);
        self
    }

    /// Sets the optional parameter `name` (as written in the path, e.g. `serviceArea`) from
    /// text, checked like [`Argument::parse`].
    pub fn optional(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let meta = self.request.meta;
        let Some(parameter) = meta
            .parameters
            .iter()
            .find(|parameter| parameter.optional && parameter.name == name)
        else {
            let optional: Vec<&str> = meta
                .parameters
                .iter()
                .filter(|parameter| parameter.optional)
                .map(|parameter| parameter.name)
                .collect();
            return Err(Error::new(
                ErrorKind::Configuration,
                format!(
                    "{name:?} is not an optional parameter of the report; it has {}",
                    if optional.is_empty() {
                        "none".to_owned()
                    } else {
                        optional.join(", ")
                    }
                ),
            )
            .with_report(meta.id));
        };
        let argument = Argument::parse(parameter, value).map_err(|message| {
            Error::new(ErrorKind::Configuration, message).with_report(meta.id)
        })?;
        self.request = self.request.with_optional(parameter.name, argument);
        Ok(self)
    }

    /// What the spec says about the report.
    pub fn meta(&self) -> &'static ReportMeta {
        self.request.meta
    }

    /// The API version the request will use.
    pub fn api_version(&self) -> ApiVersion {
        self.request.api_version()
    }

    /// The path after the version, e.g. `/reports/getOffice365ServicesUserCounts(period='D7')`.
    pub fn path(&self) -> String {
        self.request.path()
    }

    /// The full URL of the report call.
    pub fn url(&self) -> String {
        self.request.url()
    }

    /// Streams the rows, decoded while the body downloads.
    pub async fn stream(self) -> Result<RowStream<AnyRow>, Error> {
        match self.fetch(None).await? {
            Fetched::Modified(rows) => Ok(rows),
            Fetched::NotModified(_) => Err(Error::new(
                ErrorKind::Service,
                "Graph answered 304 Not Modified to a request without If-None-Match",
            )
            .with_status(304)),
        }
    }

    /// Streams the rows unless the report still has the ETag `etag`.
    pub async fn stream_if_none_match(
        self,
        etag: impl Into<String>,
    ) -> Result<Fetched<RowStream<AnyRow>>, Error> {
        self.fetch(Some(etag.into())).await
    }

    /// Downloads and decodes every row.
    pub async fn send(self) -> Result<ReportRows<AnyRow>, Error> {
        self.stream().await?.collect_rows().await
    }

    /// The report as Graph served it.
    pub async fn bytes(self) -> Result<RawReport, Error> {
        self.request.bytes().await
    }

    /// Streams the report as Graph served it into `writer`, returning the bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin>(self, writer: &mut W) -> Result<u64, Error> {
        self.request.write_to(writer).await
    }

    async fn fetch(self, etag: Option<String>) -> Result<Fetched<RowStream<AnyRow>>, Error> {
        match self.typed {
            Some(typed) => typed(self.request, etag).await,
            None => match etag {
                Some(etag) => self.request.if_none_match(etag).stream().await,
                None => self.request.stream().await.map(Fetched::Modified),
            },
        }
    }
}

/// The default arguments of form `form` (see [`AnyReport::default_requests`]).
fn default_arguments(meta: &ReportMeta, form: &FormMeta, today: NaiveDate) -> Vec<Argument> {
    form.parameters
        .iter()
        .filter_map(|index| meta.parameters.get(*index))
        .map(|parameter| match parameter.kind {
            ParameterKind::Enum { values, .. } => {
                Argument::Enum(values.first().copied().unwrap_or_default())
            }
            ParameterKind::Date => {
                Argument::Date(today - TimeDelta::days(AnyReport::DEFAULT_DATE_DAYS_AGO))
            }
            ParameterKind::String => Argument::String(String::new()),
        })
        .collect()
}

struct TypedEntry {
    meta: &'static ReportMeta,
    stream: TypedStream,
}

/// Every report compiled in, with its typed stream, collected once.
fn typed_reports() -> &'static [TypedEntry] {
    static ENTRIES: OnceLock<Vec<TypedEntry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        struct Collect(Vec<TypedEntry>);
        impl ReportVisitor for Collect {
            fn visit<R: Report>(&mut self) {
                self.0.push(TypedEntry {
                    meta: R::META,
                    stream: stream_typed::<R>,
                });
            }
        }
        let mut collect = Collect(Vec::new());
        crate::generated::visit_reports(&mut collect);
        collect.0
    })
}

fn stream_typed<R: Report>(
    request: ReportRequest<AnyRow>,
    etag: Option<String>,
) -> BoxFuture<Result<Fetched<RowStream<AnyRow>>, Error>> {
    Box::pin(async move {
        let request = request.with_rows::<TypedAndBeyond<R>>();
        let fetched = match etag {
            Some(etag) => request.if_none_match(etag).stream().await?,
            None => Fetched::Modified(request.stream().await?),
        };
        Ok(match fetched {
            Fetched::Modified(rows) => Fetched::Modified(rows.map_rows(typed_row::<R>)),
            Fetched::NotModified(not_modified) => Fetched::NotModified(not_modified),
        })
    })
}

/// A typed row and the cells of the file's columns the spec does not know, as the file had
/// them: what a known report's [`AnyRow`] is made of, so a column Microsoft added since the
/// spec reaches the caller instead of only its name in the drift report.
struct TypedAndBeyond<R> {
    typed: R,
    /// Usually empty: a file has no column the spec does not know until Microsoft adds one.
    beyond_spec: Vec<(String, serde_json::Value)>,
}

impl<R: Report> Row for TypedAndBeyond<R> {
    fn from_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error> {
        let typed = R::decode_csv(record, columns)?;
        let beyond_spec = columns
            .beyond_spec()
            .map(|(header, position)| {
                let cell = record.get(position).unwrap_or_default();
                Ok((header.to_owned(), text_cell(header, cell)?))
            })
            .collect::<Result<_, _>>()?;
        Ok(TypedAndBeyond { typed, beyond_spec })
    }

    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        let beyond_spec = match &value {
            serde_json::Value::Object(properties) => properties
                .iter()
                // As in `SchemaDrift::compare`: a property holding '@' is an annotation.
                .filter(|(name, _)| {
                    !name.contains('@') && !R::META.columns.iter().any(|c| c.json == *name)
                })
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect(),
            _ => Vec::new(),
        };
        Ok(TypedAndBeyond {
            typed: serde_json::from_value(value)?,
            beyond_spec,
        })
    }
}

/// A typed row as a map keyed by CSV header, values as the row serializes them, then the cells
/// of the columns the spec does not know under their own names.
fn typed_row<R: Report>(row: TypedAndBeyond<R>) -> Result<AnyRow, Error> {
    match serde_json::to_value(&row.typed) {
        Ok(serde_json::Value::Object(mut map)) => {
            for (name, value) in row.beyond_spec {
                map.entry(name).or_insert(value);
            }
            Ok(map)
        }
        Ok(_) => Err(
            Error::new(ErrorKind::Decode, "a typed row did not serialize to a map")
                .with_report(R::META.id),
        ),
        Err(err) => Err(
            Error::new(ErrorKind::Decode, "a typed row could not be serialized")
                .with_report(R::META.id)
                .with_source(err),
        ),
    }
}

/// A Graph function name: a lower-case letter, then letters and digits (`getApiUsage`).
fn is_function_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && name.len() <= 128
}

/// How many distinct functions the spec does not know a process may call: far more than Graph
/// has, and a bound on what their stand-ins keep.
pub const MAX_UNKNOWN_FUNCTIONS: usize = 256;

/// The stand-in metadata of a function the spec does not know, made once per name: errors and
/// spans name the report by a `&'static str`, so the name lives as long as the process, and
/// the number of names is bounded by [`MAX_UNKNOWN_FUNCTIONS`].
fn unknown_function(function: &str) -> Result<&'static ReportMeta, Error> {
    static UNKNOWN: OnceLock<Mutex<BTreeMap<String, &'static ReportMeta>>> = OnceLock::new();
    let mut known = UNKNOWN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(meta) = known.get(function) {
        return Ok(meta);
    }
    if known.len() >= MAX_UNKNOWN_FUNCTIONS {
        return Err(Error::new(
            ErrorKind::Configuration,
            format!(
                "this process already called {MAX_UNKNOWN_FUNCTIONS} distinct functions the spec does not know (the limit `MAX_UNKNOWN_FUNCTIONS`); {function:?} is refused. Graph has fewer report functions than that: check where the names come from, or add the reports to the spec"
            ),
        ));
    }
    let name: &'static str = Box::leak(function.to_owned().into_boxed_str());
    let meta: &'static ReportMeta = Box::leak(Box::new(ReportMeta::new(name, name, &[])));
    known.insert(function.to_owned(), meta);
    Ok(meta)
}
