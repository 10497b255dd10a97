//! The end-to-end harness: every report of the generated catalogue, in every parameter form,
//! version and format the spec allows, fetched through the public SDK from the local Graph
//! emulator and compared with the data the emulator generated, value by value.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use chrono::{NaiveDate, TimeDelta};
use graph_emulator::{Emulator, Table};
use reports_sdk::{
    ApiVersion, Argument, Client, Format, ParameterKind, Report, ReportMeta, ReportRows,
    ReportVisitor,
};

/// One call to make: a report, a form with its arguments, a version and a format.
#[derive(Debug, Clone)]
pub struct Case {
    pub meta: &'static ReportMeta,
    pub form: usize,
    pub arguments: Vec<Argument>,
    pub version: ApiVersion,
    pub format: Format,
}

impl Case {
    /// `(name, value)` of each argument, as the emulator reads them from the path.
    pub fn argument_pairs(&self) -> Vec<(String, String)> {
        let form = &self.meta.forms[self.form];
        form.parameters
            .iter()
            .zip(&self.arguments)
            .map(|(index, argument)| {
                (
                    self.meta.parameters[*index].name.to_owned(),
                    argument.as_path_value(),
                )
            })
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
/// before `today`, in each version and format the spec lists.
pub fn cases(meta: &'static ReportMeta, today: NaiveDate) -> Vec<Case> {
    let mut cases = Vec::new();
    for (form_index, form) in meta.forms.iter().enumerate() {
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
        for arguments in argument_sets {
            for version in meta.versions {
                for format in version.formats {
                    cases.push(Case {
                        meta,
                        form: form_index,
                        arguments: arguments.clone(),
                        version: version.version,
                        format: *format,
                    });
                }
            }
        }
    }
    cases
}

/// Decoded rows compared with the emulator's table: the same number of rows, and for every
/// spec column of every row the value the emulator generated (`None` where it left the column
/// out). Returns the number of values compared.
pub fn compare<R: Report>(rows: &[R], expected: &Table) -> Result<usize, String> {
    if rows.len() != expected.rows.len() {
        return Err(format!(
            "{} rows decoded, {} generated",
            rows.len(),
            expected.rows.len()
        ));
    }
    let mut compared = 0;
    for (index, row) in rows.iter().enumerate() {
        let value = serde_json::to_value(row).map_err(|err| err.to_string())?;
        for column in R::META.columns {
            let wanted = expected
                .cell(index, column.header)
                .map_or(serde_json::Value::Null, |cell| cell.sdk_json(column));
            let got = value
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

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A report whose typed row is known, so cases can be fetched and decoded generically.
pub trait TypedReport: Send + Sync {
    /// The report's metadata.
    fn meta(&self) -> &'static ReportMeta;

    /// Fetches `case` through the SDK and compares the rows with what `emulator` generated;
    /// returns the number of values compared and the rows' info.
    fn check<'a>(
        &'a self,
        client: &'a Client,
        emulator: &'a Emulator,
        case: &'a Case,
    ) -> BoxFuture<'a, Result<Checked, String>>;
}

/// What one successful case came to.
#[derive(Debug, Clone)]
pub struct Checked {
    pub rows: usize,
    pub values: usize,
    pub info: reports_sdk::ReportInfo,
}

struct Typed<R>(PhantomData<fn() -> R>);

impl<R: Report> TypedReport for Typed<R> {
    fn meta(&self) -> &'static ReportMeta {
        R::META
    }

    fn check<'a>(
        &'a self,
        client: &'a Client,
        emulator: &'a Emulator,
        case: &'a Case,
    ) -> BoxFuture<'a, Result<Checked, String>> {
        Box::pin(async move {
            let label = case.label();
            let request = client
                .request::<R>(case.form, case.arguments.clone())
                .map_err(|err| format!("{label}: {err}"))?
                .version(case.version)
                .format(case.format);
            let ReportRows { rows, info, .. } = fetch(request)
                .await
                .map_err(|err| format!("{label}: {err}"))?;
            let expected = emulator.expected(R::META, &case.argument_pairs(), case.version);
            let values = compare(&rows, &expected).map_err(|err| format!("{label}: {err}"))?;
            Ok(Checked {
                rows: rows.len(),
                values,
                info,
            })
        })
    }
}

async fn fetch<R: Report>(
    request: reports_sdk::ReportRequest<R>,
) -> Result<ReportRows<R>, reports_sdk::Error> {
    request.send().await
}

/// Every report compiled into the SDK, with its typed row.
pub fn typed_reports() -> Vec<Box<dyn TypedReport>> {
    struct Collect(Vec<Box<dyn TypedReport>>);
    impl ReportVisitor for Collect {
        fn visit<R: Report>(&mut self) {
            self.0.push(Box::new(Typed::<R>(PhantomData)));
        }
    }
    let mut collect = Collect(Vec::new());
    reports_sdk::visit_reports(&mut collect);
    collect.0
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
