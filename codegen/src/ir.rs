//! The validated model the emitter works from: names are final Rust identifiers, every value is
//! known good, and order is the spec's.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub families: Vec<Family>,
    /// Enum parameter types, shared by every report that names them, sorted by name.
    pub enums: Vec<EnumType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Module and Cargo feature name.
    pub name: String,
    /// The spec file it came from, as given to the generator (for the generated-file header).
    pub source: String,
    pub summary: String,
    pub reports: Vec<Report>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub row_type: String,
    pub function: String,
    pub summary: String,
    pub docs: String,
    pub versions: Vec<Version>,
    pub permissions: Permissions,
    pub clouds: Vec<Cloud>,
    pub if_none_match: bool,
    pub parameters: Vec<Parameter>,
    pub forms: Vec<Form>,
    pub columns: Vec<Column>,
    /// The property of each beta JSON item that holds its rows, where JSON is nested.
    pub json_nested: Option<String>,
    /// Data rows may omit their trailing empty fields.
    pub ragged_rows: bool,
}

impl Report {
    /// Parameters the service defaults when absent: set on the request, not in a form.
    pub fn optional_parameters(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(|parameter| parameter.optional)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: ApiVersion,
    pub formats: Vec<Format>,
    /// Served when the request names no format.
    pub default_format: Format,
    pub csv_delivery: CsvDelivery,
}

/// How a version serves CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvDelivery {
    /// `302 Found` to a preauthenticated download URL.
    Redirect,
    /// `200 OK` with the file in the body.
    Body,
}

impl CsvDelivery {
    pub const ALL: [(&'static str, CsvDelivery); 2] = [
        ("redirect", CsvDelivery::Redirect),
        ("body", CsvDelivery::Body),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub const ALL: [(&'static str, ApiVersion); 2] =
        [("v1.0", ApiVersion::V1), ("beta", ApiVersion::Beta)];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub const ALL: [(&'static str, Format); 2] = [("csv", Format::Csv), ("json", Format::Json)];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cloud {
    Global,
    UsGovL4,
    UsGovL5,
    China,
}

impl Cloud {
    pub const ALL: [(&'static str, Cloud); 4] = [
        ("global", Cloud::Global),
        ("us_gov_l4", Cloud::UsGovL4),
        ("us_gov_l5", Cloud::UsGovL5),
        ("china", Cloud::China),
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub delegated_work: Vec<String>,
    pub delegated_personal: Vec<String>,
    pub application: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name Graph uses in the path.
    pub name: String,
    /// The Rust argument (or setter) name.
    pub ident: String,
    pub kind: ParameterKind,
    pub quoted: bool,
    /// Left out of the path unless set; the service then applies `default`.
    pub optional: bool,
    pub default: Option<String>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterKind {
    /// Names one of [`Catalog::enums`].
    Enum(String),
    Date,
    String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub method: String,
    /// Indexes into [`Report::parameters`], in path order.
    pub parameters: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub field: String,
    pub json: String,
    pub ty: ColumnType,
    pub optional: bool,
    /// In nested beta JSON, the property sits in the nested element rather than on the item.
    pub json_nested: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Date,
    DateTime,
    String,
    Integer,
    Boolean,
    Duration,
    List { separator: char },
}

impl ColumnType {
    /// The spelling in the spec, for docs and error messages.
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    /// The doc of the parameter that first declared the type.
    pub doc: Option<String>,
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumVariant {
    /// As written in the path, e.g. `D7`.
    pub wire: String,
    pub ident: String,
}
