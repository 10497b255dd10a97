//! The serde mirror of one spec file. Nothing here is validated beyond its shape: kinds, types,
//! versions and clouds stay strings so that `validate` can report every bad value at once instead
//! of stopping at the first, as an enum would.

use serde::Deserialize;

use crate::diagnostic::Diagnostic;

/// One `spec/<family>.yaml` file: a report family.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    pub family: String,
    pub summary: String,
    pub reports: Vec<ReportSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    pub id: String,
    pub function: String,
    pub summary: String,
    pub docs: String,
    pub versions: Vec<VersionSpec>,
    pub permissions: PermissionsSpec,
    pub clouds: Vec<String>,
    pub if_none_match: bool,
    #[serde(default)]
    pub parameters: Vec<ParameterSpec>,
    /// Absent: one form taking every parameter.
    #[serde(default)]
    pub forms: Option<Vec<FormSpec>>,
    pub columns: Vec<ColumnSpec>,
    /// How beta JSON nests the rows, where it is not one flat object per row.
    #[serde(default)]
    pub json_nested: Option<JsonNestedSpec>,
    /// Data rows may omit their trailing empty fields.
    #[serde(default)]
    pub ragged_rows: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonNestedSpec {
    /// The array (or object) property of each `value[]` item that holds the row values.
    pub property: String,
    /// The headers whose JSON property sits on the item itself, repeated on every row.
    pub parent_columns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    pub version: String,
    pub formats: Vec<String>,
    /// The format served when the request names none (default `csv`).
    #[serde(default)]
    pub default_format: Option<String>,
    /// How CSV arrives: `redirect` (default, a `302` to a download URL) or `body`.
    #[serde(default)]
    pub csv_delivery: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsSpec {
    pub delegated_work: Vec<String>,
    pub delegated_personal: Vec<String>,
    pub application: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    pub name: String,
    pub kind: String,
    /// The Rust type shared by every parameter with the same values (`kind: enum` only).
    #[serde(default, rename = "enum")]
    pub enum_name: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
    #[serde(default)]
    pub quoted: bool,
    /// The service applies a default when the parameter is absent; set on the request.
    #[serde(default)]
    pub optional: bool,
    /// The service's default, as documentation.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub doc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    pub parameters: Vec<String>,
    /// Overrides the method name derived from the report id and the form's parameters.
    #[serde(default)]
    pub method: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub header: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub optional: bool,
    /// Beta JSON property name, where it is not the camelCase of the header.
    #[serde(default)]
    pub json: Option<String>,
    /// Rust field name, for headers that sanitize badly or collide.
    #[serde(default)]
    pub field: Option<String>,
    /// Separator of a `list` column.
    #[serde(default)]
    pub separator: Option<String>,
    #[serde(default)]
    pub doc: Option<String>,
}

/// Parses one spec file. The only place that knows the spec is YAML.
pub fn load(file: &str, source: &str) -> Result<FamilySpec, Box<Diagnostic>> {
    serde_yaml::from_str(source).map_err(|err| {
        let line = err.location().map(|location| location.line());
        Box::new(
            Diagnostic::new(file, err.to_string())
                .at_line(line)
                .hint("see spec/README.md for every key a spec file may hold"),
        )
    })
}
