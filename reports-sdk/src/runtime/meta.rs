//! What the generator knows about each report, as data the runtime works from. The runtime
//! never names a report: it reads these.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cells::{CsvColumns, CsvRecord};
use super::error::Error;
use super::unknown_name::UnknownName;

/// A report's typed row, tied to the report's metadata. Implemented by every generated row type.
///
/// Rows serialize with their exact CSV headers as keys, so they can be written back out as CSV
/// or JSON.
pub trait Report:
    DeserializeOwned + Serialize + Clone + std::fmt::Debug + Send + Sync + 'static
{
    /// Everything the spec says about the report.
    const META: &'static ReportMeta;

    /// Decodes one CSV record, `columns` saying where each column sits in the file. Generated
    /// rows read each cell by position with the SDK's cell parsers; the default, for a row type
    /// defined outside the SDK, deserializes the record through serde, matching fields by the
    /// file's header names (as `#[serde(rename = "<CSV header>")]` names them).
    fn decode_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error> {
        super::csv_rows::serde_record(record, columns)
    }
}

/// Everything the spec says about one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportMeta {
    /// Stable snake_case id, e.g. `office365_services_user_counts`.
    pub id: &'static str,
    /// Report family, which is also the Cargo feature that compiles it in.
    pub family: &'static str,
    /// Graph function name, e.g. `getOffice365ServicesUserCounts`.
    pub function: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Link to the Microsoft Graph API reference page.
    pub docs: &'static str,
    /// API versions serving the report, with their formats.
    pub versions: &'static [VersionMeta],
    /// Permissions needed to call the report.
    pub permissions: Permissions,
    /// National clouds serving the report.
    pub clouds: &'static [Cloud],
    /// Whether `If-None-Match` is honoured (answering `304 Not Modified`).
    pub if_none_match: bool,
    /// Every parameter any form takes.
    pub parameters: &'static [ParameterMeta],
    /// The parameter combinations the report accepts, one client method each.
    pub forms: &'static [FormMeta],
    /// CSV columns, in the order the documentation lists them.
    pub columns: &'static [ColumnMeta],
    /// Where beta JSON is nested (each `value[]` item holds its rows in this array or object
    /// property, see [`ColumnMeta::json_nested`]): one row per element, merged with the item's
    /// own properties. `None`: one flat object per row.
    pub json_nested: Option<&'static str>,
    /// Data rows may omit their trailing empty fields; a short row is read as if they were there.
    pub ragged_rows: bool,
}

/// The versions a report defined outside the SDK is served by unless it says otherwise: `v1.0`
/// as CSV, `beta` as CSV or JSON, both redirecting CSV to a download URL.
const DEFAULT_VERSIONS: &[VersionMeta] = &[
    VersionMeta::new(ApiVersion::V1, &[Format::Csv]),
    VersionMeta::new(ApiVersion::Beta, &[Format::Csv, Format::Json]),
];

/// The one form of a report without parameters.
const NO_PARAMETERS: &[FormMeta] = &[FormMeta::new("", &[], "")];

impl ReportMeta {
    /// Metadata for a report defined outside the SDK (a report Microsoft added after this
    /// release, say), for a row type of your own that implements [`Report`]: served by `v1.0`
    /// (CSV) and `beta` (CSV, JSON) in every cloud, with no parameters, needing
    /// `Reports.Read.All`. The `with_*` methods change the rest.
    ///
    /// ```
    /// use reports_sdk::{ColumnMeta, ColumnType, ReportMeta};
    ///
    /// const META: ReportMeta = ReportMeta::new(
    ///     "new_thing_counts",
    ///     "getNewThingCounts",
    ///     &[
    ///         ColumnMeta::new("Report Refresh Date", "report_refresh_date", "reportRefreshDate", ColumnType::Date),
    ///         ColumnMeta::new("Things", "things", "things", ColumnType::Integer).optional(),
    ///     ],
    /// );
    /// assert_eq!(META.column("Things").map(|c| c.optional), Some(true));
    /// ```
    pub const fn new(
        id: &'static str,
        function: &'static str,
        columns: &'static [ColumnMeta],
    ) -> Self {
        ReportMeta {
            id,
            family: "",
            function,
            summary: "",
            docs: "",
            versions: DEFAULT_VERSIONS,
            permissions: Permissions::REPORTS_READ_ALL,
            clouds: Cloud::ALL,
            if_none_match: false,
            parameters: &[],
            forms: NO_PARAMETERS,
            columns,
            json_nested: None,
            ragged_rows: false,
        }
    }

    /// With these parameters, taken in these forms (each form one parameter combination).
    pub const fn with_parameters(
        mut self,
        parameters: &'static [ParameterMeta],
        forms: &'static [FormMeta],
    ) -> Self {
        self.parameters = parameters;
        self.forms = forms;
        self
    }

    /// Served by these versions only.
    pub const fn with_versions(mut self, versions: &'static [VersionMeta]) -> Self {
        self.versions = versions;
        self
    }

    /// Served in these clouds only.
    pub const fn with_clouds(mut self, clouds: &'static [Cloud]) -> Self {
        self.clouds = clouds;
        self
    }

    /// With a summary and a link to its documentation.
    pub const fn with_docs(mut self, summary: &'static str, docs: &'static str) -> Self {
        self.summary = summary;
        self.docs = docs;
        self
    }

    /// Honouring `If-None-Match`.
    pub const fn with_if_none_match(mut self) -> Self {
        self.if_none_match = true;
        self
    }

    /// With beta JSON nested under this property of each item (see [`ReportMeta::json_nested`]).
    pub const fn with_json_nested(mut self, property: &'static str) -> Self {
        self.json_nested = Some(property);
        self
    }

    /// With data rows that may omit trailing empty fields.
    pub const fn with_ragged_rows(mut self) -> Self {
        self.ragged_rows = true;
        self
    }

    /// The formats `version` serves, or `None` if the report is not in that version.
    pub fn formats(&self, version: ApiVersion) -> Option<&'static [Format]> {
        self.versions
            .iter()
            .find(|meta| meta.version == version)
            .map(|meta| meta.formats)
    }

    /// The column with this exact CSV header.
    pub fn column(&self, header: &str) -> Option<&'static ColumnMeta> {
        self.columns.iter().find(|column| column.header == header)
    }

    /// What `version` serves, or `None` if the report is not in that version.
    pub fn version(&self, version: ApiVersion) -> Option<&'static VersionMeta> {
        self.versions.iter().find(|meta| meta.version == version)
    }

    /// Whether `name` names this report: its id exactly, or its Graph function in any case
    /// (Graph matches function names without regard to case, and people copy them from
    /// Microsoft's docs, from URLs and from logs in every spelling).
    ///
    /// ```
    /// let meta = reports_sdk::catalog()[0];
    /// assert!(meta.is_named(meta.id));
    /// assert!(meta.is_named(&meta.function.to_ascii_uppercase()));
    /// assert!(!meta.is_named(&meta.id.to_ascii_uppercase()));
    /// ```
    pub fn is_named(&self, name: &str) -> bool {
        self.id == name || self.function.eq_ignore_ascii_case(name)
    }
}

/// One API version of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VersionMeta {
    /// The version.
    pub version: ApiVersion,
    /// Formats it serves.
    pub formats: &'static [Format],
    /// The format it serves when the request names none: the runtime sends `$format` whenever
    /// the requested format is not this one.
    pub default_format: Format,
    /// How it serves CSV.
    pub csv_delivery: CsvDelivery,
}

impl VersionMeta {
    /// A version serving `formats`, CSV by default and through a download URL.
    pub const fn new(version: ApiVersion, formats: &'static [Format]) -> Self {
        VersionMeta {
            version,
            formats,
            default_format: Format::Csv,
            csv_delivery: CsvDelivery::Redirect,
        }
    }

    /// Serving `format` when the request names none.
    pub const fn with_default_format(mut self, format: Format) -> Self {
        self.default_format = format;
        self
    }

    /// Serving CSV in the `200` body instead of a redirect.
    pub const fn with_csv_in_body(mut self) -> Self {
        self.csv_delivery = CsvDelivery::Body;
        self
    }
}

/// How a version serves a report's CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CsvDelivery {
    /// `302 Found` to a preauthenticated download URL, fetched without the token (most reports).
    #[default]
    Redirect,
    /// `200 OK` with the file in the body (`getApiUsage`).
    Body,
}

/// Permission scopes, from least to most privileged. Empty means not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Permissions {
    /// Delegated, work or school account.
    pub delegated_work: &'static [&'static str],
    /// Delegated, personal Microsoft account.
    pub delegated_personal: &'static [&'static str],
    /// Application.
    pub application: &'static [&'static str],
}

impl Permissions {
    /// `Reports.Read.All`, delegated (work or school) and application: what every usage report
    /// documents.
    pub const REPORTS_READ_ALL: Permissions = Permissions {
        delegated_work: &["Reports.Read.All"],
        delegated_personal: &[],
        application: &["Reports.Read.All"],
    };
}

/// One function parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParameterMeta {
    /// Name as written in the path, e.g. `period`.
    pub name: &'static str,
    /// What values it takes.
    pub kind: ParameterKind,
    /// Whether the value is written in single quotes (`period='D7'`) or bare (`date=2024-01-31`).
    pub quoted: bool,
    /// Set on the request rather than taken by a form; left out of the path unless set.
    pub optional: bool,
    /// The value the service applies when an optional parameter is left out, as documented.
    pub default: Option<&'static str>,
}

impl ParameterMeta {
    /// A required parameter.
    pub const fn new(name: &'static str, kind: ParameterKind, quoted: bool) -> Self {
        ParameterMeta {
            name,
            kind,
            quoted,
            optional: false,
            default: None,
        }
    }

    /// Optional, with the service's default (`None` where it is not a single value).
    pub const fn optional(mut self, default: Option<&'static str>) -> Self {
        self.optional = true;
        self.default = default;
        self
    }
}

/// The values a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterKind {
    /// One of a fixed list, typed as a generated enum.
    Enum {
        /// The generated Rust type, e.g. `Period`.
        type_name: &'static str,
        /// Values as written in the path.
        values: &'static [&'static str],
    },
    /// A calendar day, `YYYY-MM-DD`.
    Date,
    /// Free text.
    String,
}

/// One accepted parameter combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormMeta {
    /// The client method for this form.
    pub method: &'static str,
    /// Indexes into [`ReportMeta::parameters`], in path order.
    pub parameters: &'static [usize],
    /// The documented path, e.g. `/reports/getX(period='{period}')`.
    pub path_template: &'static str,
}

impl FormMeta {
    /// A form taking the parameters at these indexes of [`ReportMeta::parameters`].
    pub const fn new(
        method: &'static str,
        parameters: &'static [usize],
        path_template: &'static str,
    ) -> Self {
        FormMeta {
            method,
            parameters,
            path_template,
        }
    }
}

/// One CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnMeta {
    /// Exact CSV header.
    pub header: &'static str,
    /// Rust field name in the row type.
    pub field: &'static str,
    /// Beta JSON property name.
    pub json: &'static str,
    /// Value type.
    pub ty: ColumnType,
    /// May be empty or absent (the field is an `Option`).
    pub optional: bool,
    /// In nested beta JSON ([`ReportMeta::json_nested`]), the property sits in the nested
    /// element rather than on the item.
    pub json_nested: bool,
}

impl ColumnMeta {
    /// A required column: its exact CSV header, the row's field, the beta JSON property.
    pub const fn new(
        header: &'static str,
        field: &'static str,
        json: &'static str,
        ty: ColumnType,
    ) -> Self {
        ColumnMeta {
            header,
            field,
            json,
            ty,
            optional: false,
            json_nested: false,
        }
    }

    /// May be empty or absent.
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Sits in the nested element of nested beta JSON.
    pub const fn json_nested(mut self) -> Self {
        self.json_nested = true;
        self
    }
}

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnType {
    /// `YYYY-MM-DD`, as [`chrono::NaiveDate`].
    Date,
    /// A timestamp, as [`chrono::DateTime<chrono::Utc>`].
    DateTime,
    /// Text.
    String,
    /// A whole number, as `i64`.
    Integer,
    /// `True`/`False` in any case, as `bool`.
    Boolean,
    /// `hh:mm:ss` (or ISO 8601 in JSON), as [`std::time::Duration`].
    Duration,
    /// Items joined by a separator in CSV (an array in JSON), as `Vec<String>`.
    List {
        /// The character between items.
        separator: char,
    },
}

impl ColumnType {
    /// The items of a CSV cell of a `list` column, split as the decoder splits them: at a
    /// separator with no whitespace next to it (`ENTERPRISE MOBILITY + SECURITY E5` is one
    /// item), items trimmed and empty ones dropped. `None` for a column of another type.
    ///
    /// ```
    /// use reports_sdk::ColumnType;
    ///
    /// let list = ColumnType::List { separator: '+' };
    /// assert_eq!(
    ///     list.split_list("OFFICE 365 E3+ENTERPRISE MOBILITY + SECURITY E5"),
    ///     Some(vec!["OFFICE 365 E3".to_owned(), "ENTERPRISE MOBILITY + SECURITY E5".to_owned()])
    /// );
    /// assert_eq!(ColumnType::String.split_list("a+b"), None);
    /// ```
    pub fn split_list(self, text: &str) -> Option<Vec<String>> {
        match self {
            ColumnType::List { separator } => Some(super::decode::split_list(text, separator)),
            _ => None,
        }
    }

    /// The type's name in the spec's `type:` key (`date`, `datetime`, `string`, `integer`,
    /// `boolean`, `duration`, `list`).
    pub fn spec_name(self) -> &'static str {
        match self {
            ColumnType::Date => "date",
            ColumnType::DateTime => "datetime",
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Boolean => "boolean",
            ColumnType::Duration => "duration",
            ColumnType::List { .. } => "list",
        }
    }
}

/// A Microsoft Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `v1.0`: CSV through a redirect to a download URL.
    #[default]
    V1,
    /// `beta`: CSV, or JSON with `$format=application/json`.
    Beta,
}

impl ApiVersion {
    /// Every version, oldest first.
    pub const ALL: &'static [ApiVersion] = &[ApiVersion::V1, ApiVersion::Beta];

    /// As written in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The format a report is delivered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Format {
    /// `text/csv`, the default.
    #[default]
    Csv,
    /// `application/json` (beta only), paged through `@odata.nextLink`.
    Json,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[Format::Csv, Format::Json];

    /// The `$format` value.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Json => "application/json",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Csv => "csv",
            Format::Json => "json",
        })
    }
}

/// A Microsoft Graph national cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// The global service, `https://graph.microsoft.com`.
    #[default]
    Global,
    /// US Government L4, `https://graph.microsoft.us`.
    UsGovL4,
    /// US Government L5 (DoD), `https://dod-graph.microsoft.us`.
    UsGovL5,
    /// China, operated by 21Vianet, `https://microsoftgraph.chinacloudapi.cn`.
    China,
}

impl Cloud {
    /// Every cloud.
    pub const ALL: &'static [Cloud] =
        &[Cloud::Global, Cloud::UsGovL4, Cloud::UsGovL5, Cloud::China];

    /// The Graph endpoint of the cloud.
    pub fn base_url(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGovL4 => "https://graph.microsoft.us",
            Cloud::UsGovL5 => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cloud::Global => "global",
            Cloud::UsGovL4 => "us_gov_l4",
            Cloud::UsGovL5 => "us_gov_l5",
            Cloud::China => "china",
        })
    }
}

/// Parses the `Display` spelling of any value in `all`, ignoring ASCII case.
fn parse_named<T: Copy + std::fmt::Display>(
    what: &'static str,
    all: &[T],
    text: &str,
) -> Result<T, UnknownName> {
    all.iter()
        .copied()
        .find(|value| value.to_string().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| UnknownName::new(what, text, all))
}

impl std::str::FromStr for ApiVersion {
    type Err = UnknownName;

    /// `v1.0` or `beta`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_named("API version", ApiVersion::ALL, text)
    }
}

impl std::str::FromStr for Format {
    type Err = UnknownName;

    /// `csv` or `json`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_named("format", Format::ALL, text)
    }
}

impl std::str::FromStr for Cloud {
    type Err = UnknownName;

    /// `global`, `us_gov_l4`, `us_gov_l5` or `china`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_named("cloud", Cloud::ALL, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_from_their_display() {
        for cloud in Cloud::ALL {
            assert_eq!(cloud.to_string().parse::<Cloud>(), Ok(*cloud));
        }
        for version in ApiVersion::ALL {
            assert_eq!(version.to_string().parse::<ApiVersion>(), Ok(*version));
        }
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(*format));
        }
        assert_eq!("BETA".parse::<ApiVersion>(), Ok(ApiVersion::Beta));
        assert_eq!(
            "mars".parse::<Cloud>().unwrap_err().to_string(),
            "\"mars\" is not a cloud; expected one of: global, us_gov_l4, us_gov_l5, china"
        );
    }
}
