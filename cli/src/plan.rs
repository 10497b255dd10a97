//! Which calls a run makes: the reports, the parameter form of each, its arguments and where its
//! rows go. Worked out from the catalogue before anything starts, so a `--period` no report
//! takes fails as a bad command line.

use chrono::{NaiveDate, TimeDelta};
use reports_sdk::{Argument, FormMeta, ParameterKind, ReportMeta};

use crate::failure::Failure;
use crate::options::Options;
use crate::output::{CallOutput, Output, Place};

/// The default `date` argument is this many days before today: recent enough for Graph's
/// 30-day window, old enough that the day's data is complete.
const DATE_DAYS_AGO: i64 = reports_sdk::AnyReport::DEFAULT_DATE_DAYS_AGO;
/// The default argument of a free-text parameter.
const DEFAULT_TEXT: &str = "all";

/// Everything a run will do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The calls, in catalogue order (or `--report` order).
    pub calls: Vec<Call>,
    /// Reports left out, with why.
    pub skipped: Vec<(&'static ReportMeta, String)>,
}

/// One report call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The report.
    pub meta: &'static ReportMeta,
    /// One of `meta.forms`.
    pub form: &'static FormMeta,
    /// In the form's order.
    pub arguments: Vec<Argument>,
    /// Whether `--report` named the report (then a cloud or version that does not serve it is
    /// a failure, not a note).
    pub requested: bool,
    /// Where `--out` or `--out-dir` writes this call's output.
    pub out: Option<CallOutput>,
}

/// Which forms the flags ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// No `--period` or `--date`: every form.
    Every,
    /// `--date`: the form taking a date.
    Date,
    /// `--period`: the form taking an enum value.
    Period,
}

/// The calls `options` ask for. `today` is the service's today, for the default date.
pub fn plan(options: &Options, today: NaiveDate) -> Result<Plan, Failure> {
    let requested = !options.reports.is_empty();
    let reports = if requested {
        options.reports.as_slice()
    } else {
        reports_sdk::catalog()
    };
    let wanted = if options.date.is_some() {
        Wanted::Date
    } else if options.period.is_some() {
        Wanted::Period
    } else {
        Wanted::Every
    };

    let mut plan = Plan::default();
    for &meta in reports {
        let shapes: Vec<Vec<ParameterKind>> = meta
            .forms
            .iter()
            .map(|form| {
                form.parameters
                    .iter()
                    .filter_map(|index| meta.parameters.get(*index))
                    .map(|parameter| parameter.kind)
                    .collect()
            })
            .collect();
        let forms = choose_forms(&shapes, wanted);
        if forms.is_empty() {
            let takes = if wanted == Wanted::Date {
                "a date"
            } else {
                "a period"
            };
            let reason = format!("no form of the report takes {takes}");
            if requested {
                return Err(Failure::usage(format!(
                    "report `{}`: {reason}; its forms are {}",
                    meta.id,
                    forms_list(meta)
                )));
            }
            plan.skipped.push((meta, reason));
            continue;
        }
        for form in forms.into_iter().filter_map(|index| meta.forms.get(index)) {
            plan.calls.push(Call {
                meta,
                form,
                arguments: arguments(meta, form, options, today)?,
                requested,
                out: None,
            });
        }
    }
    // A cloud that serves none of the reports asked for would make a run that fetches
    // nothing and succeeds: say so before anything is sent.
    if !plan.calls.is_empty()
        && plan
            .calls
            .iter()
            .all(|call| !call.meta.clouds.contains(&options.cloud))
    {
        return Err(Failure::usage(format!(
            "{} served in the `{}` cloud, as the spec lists clouds; leave out --cloud, or choose a report served there",
            if requested {
                "none of the reports asked for is"
            } else {
                "no report is"
            },
            options.cloud
        )));
    }
    assign_outputs(&mut plan.calls, options.output.as_ref())?;
    Ok(plan)
}

/// The forms to call, as indexes into `shapes` (each form's parameter kinds). Empty when the
/// report has parameters but no form fits the flags.
fn choose_forms(shapes: &[Vec<ParameterKind>], wanted: Wanted) -> Vec<usize> {
    let has_date = |shape: &[ParameterKind]| shape.contains(&ParameterKind::Date);
    let has_enum = |shape: &[ParameterKind]| {
        shape
            .iter()
            .any(|kind| matches!(kind, ParameterKind::Enum { .. }))
    };
    // A report without parameters has nothing to choose: it ignores --period and --date.
    if wanted == Wanted::Every || shapes.iter().all(Vec::is_empty) {
        return (0..shapes.len()).collect();
    }
    let fits = |shape: &Vec<ParameterKind>| match wanted {
        Wanted::Date => has_date(shape) && !has_enum(shape),
        _ => has_enum(shape) && !has_date(shape),
    };
    shapes.iter().position(fits).into_iter().collect()
}

/// The arguments of one form: the flags' values, else a default (the enum's first value, two
/// days ago, some text), each read by the SDK's own parser.
fn arguments(
    meta: &'static ReportMeta,
    form: &'static FormMeta,
    options: &Options,
    today: NaiveDate,
) -> Result<Vec<Argument>, Failure> {
    form.parameters
        .iter()
        .filter_map(|index| meta.parameters.get(*index))
        .map(|parameter| {
            let text = match parameter.kind {
                ParameterKind::Enum { values, .. } => options
                    .period
                    .clone()
                    .or_else(|| values.first().map(|value| (*value).to_owned())),
                ParameterKind::Date => {
                    let date = options
                        .date
                        .unwrap_or(today - TimeDelta::days(DATE_DAYS_AGO));
                    Some(date.format("%Y-%m-%d").to_string())
                }
                _ => Some(DEFAULT_TEXT.to_owned()),
            };
            Argument::parse(parameter, text.as_deref().unwrap_or_default()).map_err(|message| {
                let flag = if options.period.is_some() {
                    "--period: "
                } else {
                    ""
                };
                Failure::usage(format!("{flag}report `{}`: {message}", meta.id))
            })
        })
        .collect()
}

/// Each call's output: stdout for the only call, `--out FILE` itself for the only call, else
/// one file per call named after its report and form (see [`crate::output`]).
fn assign_outputs(calls: &mut [Call], output: Option<&Output>) -> Result<(), Failure> {
    let Some(output) = output else {
        return Ok(());
    };
    // Several reports one after another on stdout would read as one malformed file.
    if output.place == Place::Stdout && calls.len() > 1 {
        return Err(Failure::usage(format!(
            "--out - writes one report form, but this run makes {} calls; choose one with --report (and --period or --date for a report with several forms), or write files with --out-dir",
            calls.len()
        )));
    }
    let only_call = calls.len() == 1;
    for call in calls.iter_mut() {
        call.out = Some(output.for_call(call.meta, call.form, only_call));
    }
    Ok(())
}

fn forms_list(meta: &ReportMeta) -> String {
    meta.forms
        .iter()
        .map(|form| form.path_template)
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    const PERIOD: ParameterKind = ParameterKind::Enum {
        type_name: "Period",
        values: &["D7", "D30"],
    };

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 10).unwrap()
    }

    fn meta(id: &str) -> &'static ReportMeta {
        reports_sdk::catalog()
            .iter()
            .copied()
            .find(|meta| meta.id == id)
            .unwrap()
    }

    #[test]
    fn forms_follow_the_flags() {
        let either = vec![vec![PERIOD], vec![ParameterKind::Date]];
        assert_eq!(choose_forms(&either, Wanted::Every), vec![0, 1]);
        assert_eq!(choose_forms(&either, Wanted::Period), vec![0]);
        assert_eq!(choose_forms(&either, Wanted::Date), vec![1]);
        let period_only = vec![vec![PERIOD]];
        assert!(choose_forms(&period_only, Wanted::Date).is_empty());
        let no_parameters = vec![vec![]];
        assert_eq!(choose_forms(&no_parameters, Wanted::Date), vec![0]);
        assert_eq!(choose_forms(&no_parameters, Wanted::Period), vec![0]);
    }

    #[test]
    fn by_default_every_report_is_called_with_the_first_enum_value() {
        let plan = plan(&Options::default(), today()).unwrap();
        let forms: usize = reports_sdk::catalog()
            .iter()
            .map(|meta| meta.forms.len())
            .sum();
        assert_eq!(plan.calls.len(), forms, "one call per parameter form");
        let detail_forms: Vec<&[Argument]> = plan
            .calls
            .iter()
            .filter(|call| call.meta.id == "office365_active_user_detail")
            .map(|call| call.arguments.as_slice())
            .collect();
        assert_eq!(detail_forms.len(), 2, "a period form and a date form");
        assert_eq!(detail_forms[0], [Argument::Enum("D7")]);
        assert!(matches!(detail_forms[1], [Argument::Date(_)]));
        assert!(plan.skipped.is_empty());
        let services = plan
            .calls
            .iter()
            .find(|call| call.meta.id == "office365_services_user_counts")
            .unwrap();
        assert_eq!(services.arguments, vec![Argument::Enum("D7")]);
        assert!(!services.requested);
    }

    #[test]
    fn the_period_is_read_by_the_report_parameter() {
        let options = Options {
            reports: vec![meta("office365_services_user_counts")],
            period: Some("d90".to_owned()),
            ..Options::default()
        };
        let plan = plan(&options, today()).unwrap();
        assert_eq!(plan.calls[0].arguments, vec![Argument::Enum("D90")]);
        assert!(plan.calls[0].requested);

        let options = Options {
            period: Some("D31".to_owned()),
            ..Options::default()
        };
        let Err(Failure::Usage(message)) = super::plan(&options, today()) else {
            panic!("D31 accepted");
        };
        assert!(message.contains("D7, D30, D90, D180"), "{message}");
    }

    #[test]
    fn a_date_skips_reports_without_a_date_form_unless_they_are_named() {
        let options = Options {
            date: NaiveDate::from_ymd_opt(2024, 3, 1),
            ..Options::default()
        };
        let plan = plan(&options, today()).unwrap();
        assert!(plan.skipped.iter().any(|(meta, reason)| {
            meta.id == "office365_services_user_counts" && reason.contains("date")
        }));
        let options = Options {
            reports: vec![meta("office365_services_user_counts")],
            ..options
        };
        assert!(matches!(
            super::plan(&options, today()),
            Err(Failure::Usage(_))
        ));
    }

    #[test]
    fn several_calls_write_one_file_each() {
        use crate::out_format::OutFormat;
        use crate::output::{Content, Destination};

        let output = Output {
            place: Place::File(PathBuf::from("out.csv")),
            content: Content::Rows(OutFormat::Csv),
        };
        let options = Options {
            output: Some(output.clone()),
            ..Options::default()
        };
        let plan = plan(&options, today()).unwrap();
        let files: Vec<Destination> = plan
            .calls
            .iter()
            .map(|call| call.out.clone().unwrap().to)
            .collect();
        for name in [
            "out.office365_activation_counts.none.csv",
            "out.office365_active_user_detail.period.csv",
            "out.office365_active_user_detail.date.csv",
        ] {
            assert!(
                files.contains(&Destination::File(PathBuf::from(name))),
                "{name}"
            );
        }

        let options = Options {
            reports: vec![meta("office365_activation_counts")],
            ..options
        };
        let plan = super::plan(&options, today()).unwrap();
        assert_eq!(
            plan.calls[0].out.clone().unwrap().to,
            Destination::File(PathBuf::from("out.csv"))
        );
    }

    #[test]
    fn stdout_takes_one_call() {
        use crate::out_format::OutFormat;
        use crate::output::Content;

        let options = Options {
            reports: vec![meta("office365_active_user_detail")],
            output: Some(Output {
                place: Place::Stdout,
                content: Content::Rows(OutFormat::Csv),
            }),
            ..Options::default()
        };
        let Err(Failure::Usage(message)) = plan(&options, today()) else {
            panic!("two forms on stdout");
        };
        assert!(message.contains("makes 2 calls"), "{message}");
        let options = Options {
            period: Some("D7".to_owned()),
            ..options
        };
        assert_eq!(plan(&options, today()).unwrap().calls.len(), 1);
    }
}
