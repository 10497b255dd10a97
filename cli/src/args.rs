//! The command line, read by hand: a dozen flags do not need a parser crate. Every value is
//! checked here, so a bad command line fails before anything starts.

use std::ffi::OsString;

use chrono::NaiveDate;
use reports_sdk::{ApiVersion, Cloud, Format, ReportMeta};

use crate::failure::Failure;
use crate::output::OutPath;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print the help text.
    Help,
    /// Fetch reports.
    Run(Options),
}

/// The flags of a run, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// `--cloud`.
    pub cloud: Cloud,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--version`, or beta when only `--format json` was given.
    pub version: ApiVersion,
    /// `--format`.
    pub format: Format,
    /// `--report`, in the order given, each once; empty means every report.
    pub reports: Vec<&'static ReportMeta>,
    /// `--period`, checked against each report's enum parameter later.
    pub period: Option<String>,
    /// `--date`.
    pub date: Option<NaiveDate>,
    /// `--out`.
    pub out: Option<OutPath>,
    /// `--rows`.
    pub rows: Option<usize>,
    /// `--emulator`: the embedded emulator, whatever credentials are set.
    pub emulator: bool,
    /// `--strict`: the first row that does not decode fails its report, instead of being
    /// skipped and reported.
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Report,
    Period,
    Date,
    Format,
    Version,
    Cloud,
    BaseUrl,
    Out,
    Rows,
    Emulator,
    Strict,
}

const FLAGS: &[(&str, Flag)] = &[
    ("--report", Flag::Report),
    ("--period", Flag::Period),
    ("--date", Flag::Date),
    ("--format", Flag::Format),
    ("--version", Flag::Version),
    ("--cloud", Flag::Cloud),
    ("--base-url", Flag::BaseUrl),
    ("--out", Flag::Out),
    ("--rows", Flag::Rows),
    ("--emulator", Flag::Emulator),
    ("--strict", Flag::Strict),
];

/// Flags that take no value.
const SWITCHES: &[Flag] = &[Flag::Emulator, Flag::Strict];

/// Reads the arguments after the program name. `--help` anywhere wins.
pub fn parse(arguments: impl IntoIterator<Item = OsString>) -> Result<Command, Failure> {
    let arguments = arguments
        .into_iter()
        .map(|argument| {
            argument
                .into_string()
                .map_err(|bad| Failure::usage(format!("argument {bad:?} is not valid UTF-8")))
        })
        .collect::<Result<Vec<String>, Failure>>()?;
    if arguments
        .iter()
        .any(|argument| argument == "--help" || argument == "-h")
    {
        return Ok(Command::Help);
    }

    let mut given: Vec<(Flag, &'static str, String)> = Vec::new();
    let mut rest = arguments.into_iter().peekable();
    while let Some(argument) = rest.next() {
        // `cargo reports -- --flag` passes a `--` through the alias, which already ends in one;
        // with no positional arguments to separate, it means nothing.
        if argument == "--" {
            continue;
        }
        let (name, inline_value) = match argument.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (argument, None),
        };
        let Some(&(flag_name, flag)) = FLAGS.iter().find(|(known, _)| *known == name) else {
            return Err(Failure::usage(if name.starts_with('-') {
                format!("unknown flag `{name}`")
            } else {
                format!("unexpected argument `{name}` (flags start with --)")
            }));
        };
        // A flag right after a flag means the first one's value was forgotten.
        let value = match inline_value {
            Some(_) if SWITCHES.contains(&flag) => {
                return Err(Failure::usage(format!("{flag_name} takes no value")));
            }
            Some(value) => value,
            None if SWITCHES.contains(&flag) => String::new(),
            None => rest
                .next_if(|next| !next.starts_with("--"))
                .ok_or_else(|| Failure::usage(format!("{flag_name} needs a value")))?,
        };
        if flag != Flag::Report && given.iter().any(|(seen, ..)| *seen == flag) {
            return Err(Failure::usage(format!("{flag_name} is given twice")));
        }
        given.push((flag, flag_name, value));
    }

    let mut options = Options::default();
    let mut version = None;
    for (flag, flag_name, value) in given {
        match flag {
            Flag::Report => add_reports(&mut options.reports, &value)?,
            Flag::Period => options.period = Some(non_empty(flag_name, value)?),
            Flag::Date => options.date = Some(parse_date(&value)?),
            Flag::Format => options.format = pick(flag_name, &value)?,
            Flag::Version => version = Some(pick(flag_name, &value)?),
            Flag::Cloud => options.cloud = pick(flag_name, &value)?,
            Flag::BaseUrl => options.base_url = Some(parse_base_url(&value)?),
            Flag::Out => options.out = Some(OutPath::parse(&value).map_err(Failure::usage)?),
            Flag::Rows => options.rows = Some(parse_rows(&value)?),
            Flag::Emulator => options.emulator = true,
            Flag::Strict => options.strict = true,
        }
    }
    if options.period.is_some() && options.date.is_some() {
        return Err(Failure::usage(
            "--period and --date choose different forms of a report; give one of them",
        ));
    }
    options.version = match (version, options.format) {
        (Some(ApiVersion::V1), Format::Json) => {
            return Err(Failure::usage(
                "--format json needs --version beta: v1.0 serves reports as CSV only",
            ));
        }
        (Some(version), _) => version,
        // Only beta serves JSON, so asking for JSON asks for beta.
        (None, Format::Json) => ApiVersion::Beta,
        (None, _) => ApiVersion::V1,
    };
    Ok(Command::Run(options))
}

/// Adds the comma-separated report ids of one `--report`, each once.
fn add_reports(reports: &mut Vec<&'static ReportMeta>, value: &str) -> Result<(), Failure> {
    for id in value.split(',').map(str::trim) {
        if id.is_empty() {
            return Err(Failure::usage("--report needs a report id"));
        }
        let Some(meta) = reports_sdk::catalog()
            .iter()
            .copied()
            .find(|meta| meta.id == id)
        else {
            let known: Vec<&str> = reports_sdk::catalog().iter().map(|meta| meta.id).collect();
            return Err(Failure::usage(format!(
                "unknown report `{id}`; the reports are: {}",
                known.join(", ")
            )));
        };
        if !reports.iter().any(|seen| seen.id == meta.id) {
            reports.push(meta);
        }
    }
    Ok(())
}

/// One of `choices`, by its display name (any case).
/// A value of one of the SDK's named types (`Cloud`, `ApiVersion`, `Format`).
fn pick<T>(flag_name: &str, value: &str) -> Result<T, Failure>
where
    T: std::str::FromStr<Err = reports_sdk::UnknownName>,
{
    value
        .parse()
        .map_err(|unknown| Failure::usage(format!("{flag_name}: {unknown}")))
}

fn non_empty(flag_name: &str, value: String) -> Result<String, Failure> {
    if value.trim().is_empty() {
        return Err(Failure::usage(format!("{flag_name} needs a value")));
    }
    Ok(value)
}

fn parse_date(value: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::usage(format!(
            "--date: `{value}` is not a date; write it as YYYY-MM-DD"
        ))
    })
}

fn parse_base_url(value: &str) -> Result<String, Failure> {
    let value = value.trim();
    if !(value.starts_with("https://") || value.starts_with("http://")) || value.len() <= 8 {
        return Err(Failure::usage(format!(
            "--base-url: `{value}` is not an http(s) URL, e.g. https://graph.microsoft.com"
        )));
    }
    Ok(value.to_owned())
}

fn parse_rows(value: &str) -> Result<usize, Failure> {
    value.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "--rows: `{value}` is not a number of rows (a whole number, 0 or more)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Command, Failure> {
        parse(words.iter().map(OsString::from))
    }

    fn options(words: &[&str]) -> Options {
        match parse_words(words) {
            Ok(Command::Run(options)) => options,
            other => panic!("{words:?} gave {other:?}"),
        }
    }

    fn usage_message(words: &[&str]) -> String {
        match parse_words(words) {
            Err(Failure::Usage(message)) => message,
            other => panic!("{words:?} gave {other:?}"),
        }
    }

    #[test]
    fn no_arguments_means_every_report_with_the_defaults() {
        let options = options(&[]);
        assert_eq!(options, Options::default());
        assert_eq!(options.version, ApiVersion::V1);
        assert_eq!(options.format, Format::Csv);
        assert_eq!(options.cloud, Cloud::Global);
    }

    #[test]
    fn reads_every_flag_with_a_separate_or_inline_value() {
        let options = options(&[
            "--report",
            "office365_services_user_counts",
            "--period=d30",
            "--format",
            "json",
            "--version=beta",
            "--cloud",
            "china",
            "--base-url",
            "https://proxy.example",
            "--out",
            "rows.jsonl",
            "--rows",
            "7",
        ]);
        assert_eq!(options.reports.len(), 1);
        assert_eq!(options.reports[0].id, "office365_services_user_counts");
        assert_eq!(options.period.as_deref(), Some("d30"));
        assert_eq!(options.format, Format::Json);
        assert_eq!(options.version, ApiVersion::Beta);
        assert_eq!(options.cloud, Cloud::China);
        assert_eq!(options.base_url.as_deref(), Some("https://proxy.example"));
        assert_eq!(options.out, Some(OutPath::parse("rows.jsonl").unwrap()));
        assert_eq!(options.rows, Some(7));
    }

    #[test]
    fn a_date_is_read_as_a_calendar_day() {
        let options = options(&["--date=2024-01-31"]);
        assert_eq!(options.date, NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!(
            usage_message(&["--date", "2024-01-31", "--period", "D7"]),
            "--period and --date choose different forms of a report; give one of them"
        );
    }

    #[test]
    fn reports_are_repeatable_and_comma_separated_each_once() {
        let options = options(&[
            "--report",
            "office365_services_user_counts,office365_activation_counts",
            "--report",
            "office365_services_user_counts",
        ]);
        let ids: Vec<&str> = options.reports.iter().map(|meta| meta.id).collect();
        assert_eq!(
            ids,
            [
                "office365_services_user_counts",
                "office365_activation_counts"
            ]
        );
    }

    #[test]
    fn json_alone_asks_for_beta_and_json_on_v1_is_refused() {
        assert_eq!(options(&["--format", "json"]).version, ApiVersion::Beta);
        let message = usage_message(&["--format", "json", "--version", "v1.0"]);
        assert!(message.contains("--version beta"), "{message}");
    }

    #[test]
    fn a_lone_double_dash_is_ignored() {
        assert_eq!(options(&["--", "--rows", "3"]).rows, Some(3));
    }

    #[test]
    fn help_wins_anywhere() {
        assert_eq!(parse_words(&["--bogus", "-h"]).unwrap(), Command::Help);
        assert_eq!(parse_words(&["--help"]).unwrap(), Command::Help);
    }

    #[test]
    fn bad_command_lines_name_the_problem() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bogus"], "unknown flag `--bogus`"),
            (&["stray"], "unexpected argument `stray`"),
            (&["--period"], "--period needs a value"),
            (&["--period", "--rows", "3"], "--period needs a value"),
            (&["--rows", "3", "--rows", "4"], "--rows is given twice"),
            (
                &["--report", "nope"],
                "unknown report `nope`; the reports are: api_usage, browser_user_detail",
            ),
            (&["--report", ""], "--report needs a report id"),
            (&["--date", "2024-13-45"], "`2024-13-45` is not a date"),
            (&["--cloud", "mars"], "global, us_gov_l4, us_gov_l5, china"),
            (&["--version", "v2"], "expected one of: v1.0, beta"),
            (&["--format", "xml"], "expected one of: csv, json"),
            (&["--out", "rows.txt"], ".csv, .json, .jsonl or .ndjson"),
            (&["--rows", "many"], "`many` is not a number of rows"),
            (&["--base-url", "graph.example"], "not an http(s) URL"),
        ];
        for (words, expected) in cases {
            let message = usage_message(words);
            assert!(message.contains(expected), "{words:?}: {message}");
        }
    }
}
