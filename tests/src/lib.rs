//! The end-to-end harness: every report of the generated catalogue, in every parameter form,
//! version and format the spec allows, fetched through the public SDK from the local Graph
//! emulator and compared with the data the emulator generated, value by value.

use chrono::{NaiveDate, TimeDelta};
use graph_emulator::{Emulator, Table};
use reports_sdk::{
    AnyRow, ApiVersion, Argument, Client, Format, ParameterKind, ReportMeta, ReportRows,
};

/// One call to make: a report, a form with its arguments, a version and a format.
#[derive(Debug, Clone)]
pub struct Case {
    pub meta: &'static ReportMeta,
    pub form: &'static reports_sdk::FormMeta,
    pub arguments: Vec<Argument>,
    /// Optional parameters set, `(path name, value)`, in the report's declaration order.
    pub optional: Vec<(&'static str, String)>,
    pub version: ApiVersion,
    pub format: Format,
}

impl Case {
    /// `(name, value)` of each argument, as the emulator reads them from the path: the form's,
    /// then the optional ones set.
    pub fn argument_pairs(&self) -> Vec<(String, String)> {
        let form = self.form;
        form.parameters
            .iter()
            .zip(&self.arguments)
            .map(|(index, argument)| {
                (
                    self.meta.parameters[*index].name.to_owned(),
                    argument.as_path_value(),
                )
            })
            .chain(
                self.optional
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.clone())),
            )
            .collect()
    }

    /// A readable name for failure messages.
    pub fn label(&self) -> String {
        let arguments: Vec<String> = self
            .argument_pairs()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!(
            "{}({}) {} {}",
            self.meta.id,
            arguments.join(","),
            self.version,
            self.format
        )
    }
}

/// Every case of a report: each form, with every value of an enum parameter and a date two days
/// before `today`, in each version and format the spec lists; with optional parameters, each
/// form once more with all of them set (an enum's last value, a text with a quote and a comma).
pub fn cases(meta: &'static ReportMeta, today: NaiveDate) -> Vec<Case> {
    let mut cases = Vec::new();
    for form in meta.forms {
        let mut argument_sets: Vec<Vec<Argument>> = vec![Vec::new()];
        for index in form.parameters {
            let parameter = &meta.parameters[*index];
            let choices: Vec<Argument> = match parameter.kind {
                ParameterKind::Enum { values, .. } => {
                    values.iter().map(|value| Argument::Enum(value)).collect()
                }
                ParameterKind::Date => vec![Argument::Date(today - TimeDelta::days(2))],
                _ => vec![Argument::String("it's, here".to_owned())],
            };
            argument_sets = argument_sets
                .into_iter()
                .flat_map(|set| {
                    choices.iter().map(move |choice| {
                        let mut set = set.clone();
                        set.push(choice.clone());
                        set
                    })
                })
                .collect();
        }
        let all_optional: Vec<(&'static str, String)> = meta
            .parameters
            .iter()
            .filter(|parameter| parameter.optional)
            .map(|parameter| {
                let value = match parameter.kind {
                    ParameterKind::Enum { values, .. } => {
                        values.last().copied().unwrap_or_default().to_owned()
                    }
                    ParameterKind::Date => (today - TimeDelta::days(3)).to_string(),
                    _ => "it's, here".to_owned(),
                };
                (parameter.name, value)
            })
            .collect();
        let optional_sets = if all_optional.is_empty() {
            vec![Vec::new()]
        } else {
            vec![Vec::new(), all_optional]
        };
        for arguments in argument_sets {
            for optional in &optional_sets {
                for version in meta.versions {
                    for format in version.formats {
                        cases.push(Case {
                            meta,
                            form,
                            arguments: arguments.clone(),
                            optional: optional.clone(),
                            version: version.version,
                            format: *format,
                        });
                    }
                }
            }
        }
    }
    cases
}

/// Decoded rows compared with the emulator's table: the same number of rows, and for every
/// spec column of every row the value the emulator generated (`None` where it left the column
/// out). Rows are the SDK's typed rows as maps keyed by CSV header. Returns the number of values
/// compared.
pub fn compare(meta: &ReportMeta, rows: &[AnyRow], expected: &Table) -> Result<usize, String> {
    if rows.len() != expected.rows.len() {
        return Err(format!(
            "{} rows decoded, {} generated",
            rows.len(),
            expected.rows.len()
        ));
    }
    let mut compared = 0;
    for (index, row) in rows.iter().enumerate() {
        for column in meta.columns {
            let wanted = expected
                .cell(index, column.header)
                .map_or(serde_json::Value::Null, |cell| cell.sdk_json(column));
            let got = row
                .get(column.header)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if got != wanted {
                return Err(format!(
                    "row {index}, column {:?}: decoded {got}, generated {wanted}",
                    column.header
                ));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

/// [`compare`] for typed rows, as the typed client methods return them.
pub fn compare_typed<R: reports_sdk::Report>(
    rows: &[R],
    expected: &Table,
) -> Result<usize, String> {
    let maps = rows
        .iter()
        .map(|row| match serde_json::to_value(row) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            other => Err(format!("a row did not serialize to a map: {other:?}")),
        })
        .collect::<Result<Vec<AnyRow>, String>>()?;
    compare(R::META, &maps, expected)
}

/// What one successful case came to.
#[derive(Debug, Clone)]
pub struct Checked {
    pub rows: usize,
    pub values: usize,
    pub info: reports_sdk::ReportInfo,
}

/// Fetches `case` through the SDK's run-time handle (typed decoding, rows as maps) and compares
/// the rows with what `emulator` generated.
pub async fn check(client: &Client, emulator: &Emulator, case: &Case) -> Result<Checked, String> {
    let label = case.label();
    let rows = fetch(client, case).await?;
    let expected = emulator.expected(case.meta, &case.argument_pairs(), case.version);
    let values =
        compare(case.meta, &rows.rows, &expected).map_err(|err| format!("{label}: {err}"))?;
    Ok(Checked {
        rows: rows.rows.len(),
        values,
        info: rows.info,
    })
}

/// Fetches `case` through the SDK's run-time handle: typed decoding, rows as maps keyed by CSV
/// header.
pub async fn fetch(client: &Client, case: &Case) -> Result<ReportRows<AnyRow>, String> {
    let label = case.label();
    let fail = |err: reports_sdk::Error| format!("{label}: {err}");
    let report = client.report(case.meta.function).map_err(fail)?;
    if !report.is_known() {
        return Err(format!(
            "{label}: the SDK does not know its own catalogue report"
        ));
    }
    let mut request = report
        .request(case.form, case.arguments.clone())
        .map_err(fail)?
        .version(case.version)
        .format(case.format);
    for (name, value) in &case.optional {
        request = request.optional(name, value).map_err(fail)?;
    }
    request.send().await.map_err(fail)
}
/// A client for the emulator, with quick retries so fault tests stay fast.
pub fn client_for(emulator: &Emulator) -> reports_sdk::ClientBuilder {
    Client::builder()
        .base_url(emulator.base_url())
        .token(emulator.token())
        .retry_policy(
            reports_sdk::RetryPolicy::default()
                .initial_backoff(std::time::Duration::from_millis(5))
                .max_backoff(std::time::Duration::from_millis(20)),
        )
}
