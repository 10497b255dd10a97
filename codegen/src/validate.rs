//! Spec -> IR. Every check runs on every entry; the problems are collected and returned together.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ident;
use crate::ir::{
    ApiVersion, Catalog, Cloud, Column, ColumnType, CsvDelivery, EnumType, EnumVariant, Family,
    Form, Format, Parameter, ParameterKind, Permissions, Report, Version,
};
use crate::spec::{ColumnSpec, FamilySpec, FormSpec, JsonNestedSpec, ParameterSpec, ReportSpec};

/// A parsed spec file with the text it came from, which is searched for line numbers.
pub struct LoadedSpec<'a> {
    pub file: &'a str,
    pub source: &'a str,
    pub spec: FamilySpec,
}

/// Methods `Client` has by hand (or from derives): a report method may not take their names.
const RESERVED_METHODS: &[&str] = &[
    "base_url",
    "builder",
    "clone",
    "clone_from",
    "cloud",
    "fmt",
    "report",
    "request",
    "version",
];

/// Methods every report request has by hand, crate-private ones included (a same-named method
/// in the generated `impl` would not compile): an optional parameter's setter may not take their
/// names. `xtask`'s tests keep this list in step with `reports-sdk/src/runtime/request.rs`.
pub const RESERVED_REQUEST_METHODS: &[&str] = &[
    "api_version",
    "bytes",
    "check_available",
    "fmt",
    "format",
    "if_none_match",
    "meta",
    "new",
    "of",
    "on_bad_row",
    "open",
    "path",
    "raw",
    "requested_format",
    "send",
    "stream",
    "url",
    "version",
    "with_optional",
    "with_rows",
    "write_to",
];

/// Names the SDK's crate root already exports from its runtime; a generated enum type with one
/// of them would be hidden behind it. `xtask`'s tests keep this list in step with
/// `reports-sdk/src/lib.rs`.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "AnyReport",
    "AnyRequest",
    "AnyRow",
    "ApiVersion",
    "AsyncCsvReader",
    "AzureCredential",
    "Argument",
    "BadRows",
    "Client",
    "ClientBuilder",
    "ClientSecretCredential",
    "ClientSecretCredentialBuilder",
    "Cloud",
    "ColumnMeta",
    "ColumnType",
    "ConditionalRequest",
    "Credentials",
    "CsvColumns",
    "CsvDelivery",
    "CsvRecord",
    "CsvReader",
    "EnumParameter",
    "Error",
    "ErrorKind",
    "Fetched",
    "FormMeta",
    "Format",
    "Limits",
    "NotModified",
    "ParameterKind",
    "ParameterMeta",
    "Permissions",
    "Position",
    "RawReport",
    "RejectedRow",
    "Report",
    "ReportInfo",
    "ReportMeta",
    "ReportRequest",
    "ReportRows",
    "ReportVisitor",
    "RetryPolicy",
    "Row",
    "RowStream",
    "SchemaDrift",
    "Secret",
    "ServiceError",
    "SignInError",
    "StaticToken",
    "TokenError",
    "TokenFuture",
    "TokenProvider",
    "UnknownName",
    "VersionMeta",
];

const COLUMN_TYPES: &str = "date, datetime, string, integer, boolean, duration, list";
const PARAMETER_KINDS: &str = "enum, date, string";

pub fn validate(specs: Vec<LoadedSpec<'_>>) -> Result<Catalog, Diagnostics> {
    let mut validator = Validator::default();
    let mut families = Vec::new();
    for loaded in &specs {
        families.push(validator.family(loaded));
    }
    if validator.problems.is_empty() {
        Ok(Catalog {
            families,
            enums: validator.enums.into_values().map(|(ty, _)| ty).collect(),
        })
    } else {
        Err(Diagnostics(validator.problems))
    }
}

#[derive(Default)]
struct Validator {
    problems: Vec<Diagnostic>,
    /// Enum type name -> (type, where it was first declared).
    enums: BTreeMap<String, (EnumType, String)>,
    families: BTreeMap<String, String>,
    report_ids: BTreeMap<String, String>,
    functions: BTreeMap<String, String>,
    methods: BTreeMap<String, String>,
}

/// Finds the line of a report's entries in the spec text, so problems found after parsing can
/// still point at a line.
struct Locator<'a> {
    source: &'a str,
}

impl Locator<'_> {
    /// 1-based line of the first line after `after` (1-based, 0 for the top) containing `needle`
    /// as a whole YAML value, so `id: teams` does not find `id: teams_counts` and `Active` does
    /// not find `OneDrive Active`.
    fn line_of(&self, needle: &str, after: usize) -> Option<usize> {
        self.source
            .lines()
            .enumerate()
            .skip(after)
            .find(|(_, line)| contains_value(line, needle))
            .map(|(index, _)| index + 1)
    }
}

/// Whether `needle` stands in `line` between YAML delimiters (`key: `, `- `, `[`, `,`, quotes)
/// and the end of the value (end of line, `,`, `]`, a comment).
fn contains_value(line: &str, needle: &str) -> bool {
    !needle.trim().is_empty()
        && line.match_indices(needle).any(|(start, _)| {
            let before = line[..start].trim_end_matches(['"', '\'']).trim_end();
            let after = line[start + needle.len()..]
                .trim_start_matches(['"', '\''])
                .trim_start();
            (before.is_empty() || before.ends_with([':', '-', '[', ',']))
                && (after.is_empty() || after.starts_with([',', ']', '#']))
        })
}

/// Where in one spec file the validator is, so each problem is built with its place filled in.
struct Place<'a> {
    file: &'a str,
    report: Option<&'a str>,
    locator: &'a Locator<'a>,
    report_line: usize,
}

impl Place<'_> {
    fn problem(&self, subject: Option<&str>, message: impl Into<String>) -> Diagnostic {
        self.problem_at(subject, 0, message)
    }

    /// A problem about the `repeat`-th repetition of `subject` in the report (0: its first
    /// occurrence), so a duplicate points at the duplicate.
    fn problem_at(
        &self,
        subject: Option<&str>,
        repeat: usize,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(self.file, message);
        if let Some(report) = self.report {
            diagnostic = diagnostic.in_report(report);
        }
        let report_line = Some(self.report_line).filter(|line| *line > 0);
        let line = match subject {
            Some(subject) => {
                let mut found = self
                    .locator
                    .line_of(subject, self.report_line.saturating_sub(1));
                for _ in 0..repeat {
                    found = found.and_then(|line| self.locator.line_of(subject, line));
                }
                found.or(report_line)
            }
            None => report_line,
        };
        if let Some(subject) = subject {
            diagnostic = diagnostic.about(subject);
        }
        diagnostic.at_line(line)
    }
}

impl Validator {
    fn family(&mut self, loaded: &LoadedSpec<'_>) -> Family {
        let locator = Locator {
            source: loaded.source,
        };
        let spec = &loaded.spec;
        let place = Place {
            file: loaded.file,
            report: None,
            locator: &locator,
            report_line: 0,
        };
        if !ident::is_snake_ident(&spec.family) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.family),
                        "family name is not a snake_case identifier",
                    )
                    .hint("it names the module and the Cargo feature: use e.g. `office365`"),
            );
        }
        if let Some(first) = self
            .families
            .insert(spec.family.clone(), loaded.file.to_owned())
        {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.family),
                        format!("family already declared in {first}"),
                    )
                    .hint("each family has exactly one spec file"),
            );
        }
        if spec.reports.is_empty() {
            self.problems.push(
                place
                    .problem(None, "the family has no reports")
                    .hint("add at least one entry under `reports:` or delete the file"),
            );
        }
        // Reports stand in file order, so each one's `id:` line is searched after the previous
        // one's: two reports with the same id each get their own line.
        let mut previous_line = 0;
        let reports = spec
            .reports
            .iter()
            .map(|report| {
                let report_line = locator
                    .line_of(&format!("id: {}", report.id), previous_line)
                    .unwrap_or(0);
                previous_line = report_line.max(previous_line);
                let place = Place {
                    file: loaded.file,
                    report: Some(&report.id),
                    locator: &locator,
                    report_line,
                };
                self.report(&place, report)
            })
            .collect();
        Family {
            name: spec.family.clone(),
            source: loaded.file.to_owned(),
            summary: spec.summary.trim().to_owned(),
            reports,
        }
    }

    fn report(&mut self, place: &Place<'_>, spec: &ReportSpec) -> Report {
        let where_ = format!("{} ({})", place.file, spec.id);
        if !ident::is_snake_ident(&spec.id) {
            self.problems.push(
                place
                    .problem(Some(&spec.id), "report id is not a snake_case identifier")
                    .hint("ids name the client method and the row type: use e.g. `teams_user_activity_counts`"),
            );
        }
        let duplicate_id = self.report_ids.contains_key(&spec.id);
        if let Some(first) = self.report_ids.insert(spec.id.clone(), where_.clone()) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.id),
                        format!("duplicate report id, first declared in {first}"),
                    )
                    .hint("report ids are unique across every spec file"),
            );
        }
        let function_ok = spec.function.starts_with(|c: char| c.is_ascii_lowercase())
            && spec.function.chars().all(|c| c.is_ascii_alphanumeric());
        if !function_ok {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.function),
                        "function is not a Graph function name",
                    )
                    .hint(
                        "write the bare name as in the path, e.g. `getOffice365ActivationCounts`",
                    ),
            );
        }
        if let Some(first) = self.functions.insert(spec.function.clone(), where_.clone()) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.function),
                        format!("duplicate function, first declared in {first}"),
                    )
                    .hint("one report entry per Graph function: put column editions in one entry with `optional: true`"),
            );
        }
        if spec.summary.trim().is_empty() {
            self.problems.push(place.problem(None, "summary is empty"));
        }
        if !spec.docs.starts_with("https://") {
            self.problems.push(
                place
                    .problem(Some(&spec.docs), "docs is not an https:// link")
                    .hint("link the report's Microsoft Graph API reference page"),
            );
        }
        let versions = self.versions(place, spec);
        let clouds = self.clouds(place, &spec.clouds);
        let parameters: Vec<Parameter> = spec
            .parameters
            .iter()
            .map(|parameter| self.parameter(place, parameter))
            .collect();
        self.check_unique(
            place,
            spec.parameters.iter().map(|p| p.name.as_str()),
            "parameter",
        );
        self.check_unique(
            place,
            parameters.iter().map(|p| p.ident.as_str()),
            "parameter name in Rust (two path names derive the same argument name)",
        );
        let forms = self.forms(place, spec, &where_, duplicate_id);
        let mut columns = self.columns(place, &spec.columns);
        let json_nested = spec
            .json_nested
            .as_ref()
            .map(|nested| self.json_nested(place, nested, &mut columns));
        Report {
            id: spec.id.clone(),
            row_type: format!("{}Row", ident::pascal_case(&spec.id)),
            function: spec.function.clone(),
            summary: spec
                .summary
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            docs: spec.docs.clone(),
            versions,
            permissions: Permissions {
                delegated_work: spec.permissions.delegated_work.clone(),
                delegated_personal: spec.permissions.delegated_personal.clone(),
                application: spec.permissions.application.clone(),
            },
            clouds,
            if_none_match: spec.if_none_match,
            parameters,
            forms,
            columns,
            json_nested,
            ragged_rows: spec.ragged_rows,
        }
    }

    /// Marks the columns whose JSON property sits in the nested element (all but the parent
    /// columns) and returns the nesting property.
    fn json_nested(
        &mut self,
        place: &Place<'_>,
        spec: &JsonNestedSpec,
        columns: &mut [Column],
    ) -> String {
        if !is_camel_ident(&spec.property) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.property),
                        "json_nested property is not a JSON property name",
                    )
                    .hint("write the property as Graph's JSON has it, e.g. `details`"),
            );
        }
        self.check_unique(
            place,
            spec.parent_columns.iter().map(String::as_str),
            "parent column",
        );
        for header in &spec.parent_columns {
            if !columns.iter().any(|column| &column.header == header) {
                self.problems.push(
                    place
                        .problem(Some(header), "parent column is not a column of the report")
                        .hint("list headers from `columns:`, exactly as written there"),
                );
            }
        }
        for column in columns.iter_mut() {
            column.json_nested = !spec.parent_columns.contains(&column.header);
        }
        if columns.iter().all(|column| !column.json_nested) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.property),
                        "every column is a parent column: nothing is nested",
                    )
                    .hint("remove `json_nested`, or list only the columns on the item itself"),
            );
        }
        spec.property.clone()
    }

    fn check_unique<'s>(
        &mut self,
        place: &Place<'_>,
        names: impl Iterator<Item = &'s str>,
        what: &str,
    ) {
        let mut seen = BTreeSet::new();
        for name in names {
            if !seen.insert(name) {
                self.problems
                    .push(place.problem(Some(name), format!("duplicate {what}")));
            }
        }
    }

    fn versions(&mut self, place: &Place<'_>, spec: &ReportSpec) -> Vec<Version> {
        if spec.versions.is_empty() {
            self.problems.push(
                place
                    .problem(None, "no API version listed")
                    .hint("list `v1.0` and/or `beta` under `versions:`"),
            );
        }
        self.check_unique(
            place,
            spec.versions.iter().map(|v| v.version.as_str()),
            "version",
        );
        let mut versions = Vec::new();
        for version in &spec.versions {
            let known = lookup(&ApiVersion::ALL, &version.version);
            if known.is_none() {
                self.problems.push(
                    place
                        .problem(Some(&version.version), "unknown API version")
                        .hint("use `v1.0` or `beta`"),
                );
            }
            if version.formats.is_empty() {
                self.problems.push(
                    place
                        .problem(Some(&version.version), "version lists no format")
                        .hint("list `csv` and/or `json` under `formats:`"),
                );
            }
            self.check_unique(place, version.formats.iter().map(String::as_str), "format");
            let mut formats = Vec::new();
            for format in &version.formats {
                match lookup(&Format::ALL, format) {
                    Some(format) => formats.push(format),
                    None => self.problems.push(
                        place
                            .problem(Some(format), "unknown format")
                            .hint("use `csv` or `json`"),
                    ),
                }
            }
            let default_format = match version.default_format.as_deref() {
                None => Format::Csv,
                Some(name) => match lookup(&Format::ALL, name) {
                    Some(format) => format,
                    None => {
                        self.problems.push(
                            place
                                .problem(Some(name), "unknown default format")
                                .hint("use `csv` or `json`"),
                        );
                        Format::Csv
                    }
                },
            };
            if !formats.is_empty() && !formats.contains(&default_format) {
                self.problems.push(
                    place
                        .problem(
                            Some(&version.version),
                            "the default format is not one of the version's formats",
                        )
                        .hint("list it under `formats:` too"),
                );
            }
            let csv_delivery = match version.csv_delivery.as_deref() {
                None => CsvDelivery::Redirect,
                Some(name) => lookup(&CsvDelivery::ALL, name).unwrap_or_else(|| {
                    self.problems.push(
                        place
                            .problem(Some(name), "unknown csv_delivery")
                            .hint("use `redirect` (a 302 to a download URL) or `body`"),
                    );
                    CsvDelivery::Redirect
                }),
            };
            if version.csv_delivery.is_some() && !formats.contains(&Format::Csv) {
                self.problems.push(
                    place
                        .problem(
                            Some(&version.version),
                            "csv_delivery on a version that serves no CSV",
                        )
                        .hint("remove `csv_delivery`, or list `csv` under `formats:`"),
                );
            }
            if let Some(version) = known {
                versions.push(Version {
                    version,
                    formats,
                    default_format,
                    csv_delivery,
                });
            }
        }
        versions
    }

    fn clouds(&mut self, place: &Place<'_>, names: &[String]) -> Vec<Cloud> {
        if names.is_empty() {
            self.problems.push(
                place
                    .problem(None, "no cloud listed")
                    .hint("list where the report is served, e.g. `clouds: [global]`"),
            );
        }
        self.check_unique(place, names.iter().map(String::as_str), "cloud");
        names
            .iter()
            .filter_map(|name| {
                let cloud = lookup(&Cloud::ALL, name);
                if cloud.is_none() {
                    self.problems.push(
                        place
                            .problem(Some(name), "unknown cloud")
                            .hint("use `global`, `us_gov_l4`, `us_gov_l5` or `china`"),
                    );
                }
                cloud
            })
            .collect()
    }

    fn parameter(&mut self, place: &Place<'_>, spec: &ParameterSpec) -> Parameter {
        if !is_camel_ident(&spec.name) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.name),
                        "parameter name is not a path parameter name",
                    )
                    .hint(
                        "write it as Graph spells it in the path, e.g. `period` or `serviceArea`",
                    ),
            );
        }
        let rust_name = ident::snake_case(&spec.name);
        if spec.optional && RESERVED_REQUEST_METHODS.contains(&rust_name.as_str()) {
            self.problems.push(
                place
                    .problem(
                        Some(&spec.name),
                        format!("optional parameter's setter `{rust_name}` is taken by a method every report request has"),
                    )
                    .hint("the setter is named after the parameter: this parameter cannot be optional under that name"),
            );
        }
        if spec.default.is_some() && !spec.optional {
            self.problems.push(
                place
                    .problem(Some(&spec.name), "only optional parameters have a default")
                    .hint("add `optional: true`, or remove `default`"),
            );
        }
        let kind = match spec.kind.as_str() {
            "enum" => self.enum_parameter(place, spec),
            "date" | "string" => {
                if spec.enum_name.is_some() || spec.values.is_some() {
                    self.problems.push(
                        place
                            .problem(
                                Some(&spec.name),
                                format!("a `{}` parameter takes no `enum` or `values`", spec.kind),
                            )
                            .hint("only `kind: enum` parameters list values"),
                    );
                }
                if spec.kind == "date" {
                    ParameterKind::Date
                } else {
                    ParameterKind::String
                }
            }
            other => {
                self.problems.push(
                    place
                        .problem(
                            Some(other),
                            format!("unknown parameter kind of `{}`", spec.name),
                        )
                        .hint(format!("use one of: {PARAMETER_KINDS}")),
                );
                ParameterKind::String
            }
        };
        Parameter {
            name: spec.name.clone(),
            ident: rust_name,
            kind,
            quoted: spec.quoted,
            optional: spec.optional,
            default: spec.default.clone(),
            doc: spec.doc.as_ref().map(|doc| doc.trim().to_owned()),
        }
    }

    fn enum_parameter(&mut self, place: &Place<'_>, spec: &ParameterSpec) -> ParameterKind {
        let values = spec.values.clone().unwrap_or_default();
        if values.is_empty() {
            self.problems.push(
                place
                    .problem(Some(&spec.name), "enum parameter has no values")
                    .hint("list them, e.g. `values: [D7, D30, D90, D180]`"),
            );
        }
        let Some(name) = &spec.enum_name else {
            self.problems.push(
                place
                    .problem(Some(&spec.name), "enum parameter has no type name")
                    .hint("name the Rust type it shares with other reports, e.g. `enum: Period`"),
            );
            return ParameterKind::String;
        };
        if !ident::is_pascal_ident(name) {
            self.problems.push(
                place
                    .problem(Some(name), "enum type name is not a PascalCase identifier")
                    .hint("e.g. `enum: Period`"),
            );
        } else if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
            self.problems.push(
                place
                    .problem(
                        Some(name),
                        "enum type name is taken by a type the SDK exports",
                    )
                    .hint("choose another name, e.g. `ReportFormat` rather than `Format`"),
            );
        }
        let mut variants = Vec::new();
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for value in &values {
            let variant = ident::pascal_case(value);
            if variant.is_empty() {
                self.problems.push(place.problem(
                    Some(value),
                    format!("value of `{name}` has no letter or digit"),
                ));
            } else if let Some(first) = seen.insert(variant.clone(), value) {
                self.problems.push(place.problem(
                    Some(value),
                    format!("value of `{name}` collides with {first:?}: both become `{variant}`"),
                ));
            }
            variants.push(EnumVariant {
                wire: value.clone(),
                ident: variant,
            });
        }
        let declared = EnumType {
            name: name.clone(),
            doc: spec.doc.as_ref().map(|doc| doc.trim().to_owned()),
            variants,
        };
        match self.enums.get(name) {
            // Already reported as having no values: there is nothing to compare or declare.
            _ if values.is_empty() => {}
            Some((existing, first)) if existing.variants != declared.variants => {
                self.problems.push(
                    place
                        .problem(
                            Some(name),
                            format!("enum `{name}` is declared with other values in {first}"),
                        )
                        .hint("reports that share an enum type share its values; give different values another type name"),
                );
            }
            Some(_) => {}
            None => {
                let first = place.report.unwrap_or_default();
                self.enums.insert(
                    name.clone(),
                    (declared, format!("{} ({first})", place.file)),
                );
            }
        }
        ParameterKind::Enum(name.clone())
    }

    /// `duplicate_id`: the id is already reported as a duplicate, so the methods derived from it
    /// are not reported again as colliding.
    fn forms(
        &mut self,
        place: &Place<'_>,
        spec: &ReportSpec,
        where_: &str,
        duplicate_id: bool,
    ) -> Vec<Form> {
        let default_form;
        let forms: &[FormSpec] = match &spec.forms {
            Some(forms) => {
                if forms.is_empty() {
                    self.problems.push(
                        place
                            .problem(None, "`forms` is empty")
                            .hint("remove `forms` for one form taking every parameter"),
                    );
                }
                forms
            }
            None => {
                default_form = [FormSpec {
                    parameters: spec
                        .parameters
                        .iter()
                        .filter(|p| !p.optional)
                        .map(|p| p.name.clone())
                        .collect(),
                    method: None,
                }];
                &default_form
            }
        };
        let mut used = BTreeSet::new();
        let mut result = Vec::new();
        for (position, form) in forms.iter().enumerate() {
            let mut indexes = Vec::new();
            for name in &form.parameters {
                match spec.parameters.iter().position(|p| &p.name == name) {
                    Some(index) if indexes.contains(&index) => self
                        .problems
                        .push(place.problem(Some(name), "parameter appears twice in one form")),
                    Some(index) if spec.parameters[index].optional => self.problems.push(
                        place
                            .problem(Some(name), "an optional parameter is listed in a form")
                            .hint("optional parameters are set on the request; list only required ones in `forms:`"),
                    ),
                    Some(index) => {
                        indexes.push(index);
                        used.insert(index);
                    }
                    None => self.problems.push(
                        place
                            .problem(Some(name), "form uses a parameter that is not declared")
                            .hint("declare it under `parameters:`"),
                    ),
                }
            }
            let method =
                match &form.method {
                    Some(method) => {
                        if !ident::is_snake_ident(method) {
                            self.problems.push(place.problem(
                                Some(method),
                                "method name is not a snake_case identifier",
                            ));
                        }
                        method.clone()
                    }
                    None if position == 0 => spec.id.clone(),
                    None => format!(
                        "{}_by_{}",
                        spec.id,
                        form.parameters
                            .iter()
                            .map(|name| ident::snake_case(name))
                            .collect::<Vec<_>>()
                            .join("_and_")
                    ),
                };
            if RESERVED_METHODS.contains(&method.as_str()) {
                self.problems.push(
                    place
                        .problem(
                            Some(&method),
                            "method name is taken by a hand-written `Client` method",
                        )
                        .hint("set `method:` on the form (or choose another report id)"),
                );
            }
            let derived_from_duplicate_id = duplicate_id && form.method.is_none();
            let first = self.methods.insert(method.clone(), where_.to_owned());
            if let Some(first) = first.filter(|_| !derived_from_duplicate_id) {
                self.problems.push(
                    place
                        .problem(
                            Some(&method),
                            format!("method name already used by {first}"),
                        )
                        .hint("set `method:` on one of the forms"),
                );
            }
            result.push(Form {
                method,
                parameters: indexes,
            });
        }
        for (index, parameter) in spec.parameters.iter().enumerate() {
            if !used.contains(&index) && !parameter.optional {
                self.problems.push(
                    place
                        .problem(
                            Some(&parameter.name),
                            "parameter is declared but the path never uses it",
                        )
                        .hint("list it in one of `forms:`, or remove it"),
                );
            }
        }
        result
    }

    fn columns(&mut self, place: &Place<'_>, specs: &[ColumnSpec]) -> Vec<Column> {
        if specs.is_empty() {
            self.problems.push(
                place
                    .problem(None, "the report has no columns")
                    .hint("list every CSV header under `columns:`, in file order"),
            );
        }
        let mut headers: BTreeMap<&str, usize> = BTreeMap::new();
        let mut fields: BTreeMap<String, &str> = BTreeMap::new();
        let mut json_names: BTreeMap<String, &str> = BTreeMap::new();
        let mut columns = Vec::new();
        for spec in specs {
            let header = spec.header.as_str();
            if header.trim().is_empty() || header.trim() != header {
                self.problems.push(
                    place
                        .problem(
                            Some(header),
                            "header is empty or has leading/trailing spaces",
                        )
                        .hint("write the header exactly as the CSV file has it, trimmed"),
                );
            }
            // A repeated header is reported once, at the repetition, and not again as a field
            // and a JSON collision.
            let seen = headers.entry(header).or_default();
            let duplicate = *seen > 0;
            if duplicate {
                self.problems
                    .push(place.problem_at(Some(header), *seen, "duplicate header"));
            }
            *seen += 1;
            let ty = self.column_type(place, spec);
            let field = match &spec.field {
                Some(field) => {
                    if !ident::is_snake_ident(field) {
                        self.problems.push(place.problem(
                            Some(header),
                            format!("field override `{field}` is not a snake_case identifier"),
                        ));
                    }
                    field.clone()
                }
                None => ident::snake_case(header),
            };
            if field.is_empty() {
                self.problems.push(
                    place
                        .problem(
                            Some(header),
                            "header has no letter or digit to name a field after",
                        )
                        .hint("set `field:` to the Rust field name"),
                );
            } else if let Some(first) = fields.insert(field.clone(), header).filter(|_| !duplicate)
            {
                self.problems.push(
                    place
                        .problem(
                            Some(header),
                            format!("header and {first:?} both become the field `{field}`"),
                        )
                        .hint("set `field:` on one of them"),
                );
            }
            let json = spec
                .json
                .clone()
                .unwrap_or_else(|| ident::camel_case(header));
            if let Some(first) = json_names
                .insert(json.clone(), header)
                .filter(|_| !duplicate)
            {
                self.problems.push(
                    place
                        .problem(
                            Some(header),
                            format!("header and {first:?} both have the JSON name `{json}`"),
                        )
                        .hint("set `json:` to the property name Graph uses"),
                );
            }
            columns.push(Column {
                header: header.to_owned(),
                field,
                json,
                ty,
                optional: spec.optional,
                json_nested: false,
                doc: spec.doc.as_ref().map(|doc| doc.trim().to_owned()),
            });
        }
        columns
    }

    fn column_type(&mut self, place: &Place<'_>, spec: &ColumnSpec) -> ColumnType {
        let header = spec.header.as_str();
        let ty = match spec.ty.as_str() {
            "date" => ColumnType::Date,
            "datetime" => ColumnType::DateTime,
            "string" => ColumnType::String,
            "integer" => ColumnType::Integer,
            "boolean" => ColumnType::Boolean,
            "duration" => ColumnType::Duration,
            "list" => {
                let mut chars = spec.separator.as_deref().unwrap_or_default().chars();
                match (chars.next(), chars.next()) {
                    (Some(separator), None) => ColumnType::List { separator },
                    (None, _) => {
                        self.problems.push(
                            place
                                .problem(Some(header), "list column has no separator")
                                .hint("set `separator:` to the character between items, e.g. `+`"),
                        );
                        ColumnType::List { separator: ',' }
                    }
                    (Some(_), Some(_)) => {
                        self.problems.push(
                            place
                                .problem(Some(header), "list separator is more than one character"),
                        );
                        ColumnType::List { separator: ',' }
                    }
                }
            }
            other => {
                self.problems.push(
                    place
                        .problem(Some(header), format!("unknown column type `{other}`"))
                        .hint(format!("use one of: {COLUMN_TYPES}")),
                );
                ColumnType::String
            }
        };
        if spec.separator.is_some() && !matches!(ty, ColumnType::List { .. }) {
            self.problems
                .push(place.problem(Some(header), "only `list` columns take a separator"));
        }
        ty
    }
}

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table
        .iter()
        .find(|(spelling, _)| *spelling == name)
        .map(|(_, value)| *value)
}

/// A path parameter or JSON property name: an ASCII letter, then letters and digits
/// (`period`, `serviceArea`, `details`).
fn is_camel_ident(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}
