//! What the generator knows about each report, as data the runtime works from. The runtime
//! never names a report: it reads these.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A report's typed row, tied to the report's metadata. Implemented by every generated row type.
///
/// Rows serialize with their exact CSV headers as keys, so they can be written back out as CSV
/// or JSON.
pub trait Report:
    DeserializeOwned + Serialize + Clone + std::fmt::Debug + Send + Sync + 'static
{
    /// Everything the spec says about the report.
    const META: &'static ReportMeta;
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
}

impl ReportMeta {
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
}

/// One API version of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VersionMeta {
    /// The version.
    pub version: ApiVersion,
    /// Formats it serves.
    pub formats: &'static [Format],
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

/// A name that is none of a type's values, from the `FromStr` of [`ApiVersion`], [`Format`] and
/// [`Cloud`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: String,
    expected: Vec<String>,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} is not a {}; expected one of: {}",
            self.name,
            self.what,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

/// Parses the `Display` spelling of any value in `all`, ignoring ASCII case.
fn parse_named<T: Copy + std::fmt::Display>(
    what: &'static str,
    all: &[T],
    text: &str,
) -> Result<T, UnknownName> {
    all.iter()
        .copied()
        .find(|value| value.to_string().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| UnknownName {
            what,
            name: text.to_owned(),
            expected: all.iter().map(ToString::to_string).collect(),
        })
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
