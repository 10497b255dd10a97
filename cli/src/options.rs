//! The flags of a run, checked against each other: everything a bad command line can get wrong
//! fails here, before anything starts.

use chrono::NaiveDate;
use reports_sdk::{ApiVersion, Cloud, Format, ReportMeta};

use crate::args::RunArgs;
use crate::failure::Failure;
use crate::out_format::OutFormat;
use crate::output::{Content, Output, Place};

/// The flags of a run, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// `--cloud`.
    pub cloud: Cloud,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--api-version`, or beta when only `--format json` was given.
    pub version: ApiVersion,
    /// `--format`.
    pub format: Format,
    /// `--report`, in the order given, each once; empty means every report.
    pub reports: Vec<&'static ReportMeta>,
    /// `--period`, checked against each report's enum parameter later.
    pub period: Option<String>,
    /// `--date`.
    pub date: Option<NaiveDate>,
    /// `--out`, `--out-dir`, `--out-format` and `--raw`.
    pub output: Option<Output>,
    /// `--rows`.
    pub rows: Option<usize>,
    /// `--emulator`: the embedded emulator, whatever credentials are set.
    pub emulator: bool,
    /// `--strict`: the first row that does not decode fails its report, instead of being
    /// skipped and reported.
    pub strict: bool,
    /// `--quiet`: no banner, summaries, totals or progress.
    pub quiet: bool,
}

impl Options {
    /// Checks the flags against each other.
    pub fn from_args(args: RunArgs) -> Result<Options, Failure> {
        let format = args.format.unwrap_or_default();
        let version = match (args.api_version, format) {
            (Some(ApiVersion::V1), Format::Json) => {
                return Err(Failure::usage(
                    "--format json needs --api-version beta: v1.0 serves reports as CSV only",
                ));
            }
            (Some(version), _) => version,
            // Only beta serves JSON, so asking for JSON asks for beta.
            (None, Format::Json) => ApiVersion::Beta,
            (None, _) => ApiVersion::V1,
        };
        let output = output(&args, format)?;
        let mut reports: Vec<&'static ReportMeta> = Vec::new();
        for meta in args.reports {
            if !reports.contains(&meta) {
                reports.push(meta);
            }
        }
        Ok(Options {
            cloud: args.cloud.unwrap_or_default(),
            base_url: args.base_url,
            version,
            format,
            reports,
            period: args.period,
            date: args.date,
            output,
            rows: args.rows,
            emulator: args.emulator,
            strict: args.strict,
            quiet: args.quiet,
        })
    }

    /// Whether report data goes to stdout, so nothing else may.
    pub fn data_on_stdout(&self) -> bool {
        self.output
            .as_ref()
            .is_some_and(|output| output.place == Place::Stdout)
    }
}

/// Where `--out`/`--out-dir` write and what, from those flags, `--out-format`, `--raw` and the
/// format asked of Graph.
fn output(args: &RunArgs, served: Format) -> Result<Option<Output>, Failure> {
    let place = match (&args.out, &args.out_dir) {
        (Some(out), _) if out.as_os_str() == "-" => Place::Stdout,
        (Some(file), _) => Place::File(file.clone()),
        (None, Some(dir)) => Place::Dir(dir.clone()),
        (None, None) => {
            return match (args.raw, args.out_format) {
                (true, _) => Err(Failure::usage(
                    "--raw needs somewhere to write Graph's bytes: --out FILE, --out - or --out-dir DIR",
                )),
                (false, Some(_)) => Err(Failure::usage("--out-format needs --out or --out-dir")),
                (false, None) => Ok(None),
            };
        }
    };
    if args.raw {
        if args.out_format.is_some() {
            return Err(Failure::usage(
                "--raw writes the report as Graph serves it, so --out-format cannot change it; ask Graph for json with --format json",
            ));
        }
        return Ok(Some(Output {
            place,
            content: Content::Raw(served),
        }));
    }
    let format = match (args.out_format, &place) {
        (Some(format), _) => format,
        (None, Place::File(file)) => OutFormat::from_extension(file)
            .map_err(|message| Failure::usage(format!("--out: {message}")))?,
        (None, _) => OutFormat::Csv,
    };
    if place == Place::Stdout && !format.streams() {
        return Err(Failure::usage(
            "Parquet cannot be written to stdout (a Parquet file is finished by an index of all of it); give --out FILE.parquet or --out-dir DIR",
        ));
    }
    Ok(Some(Output {
        place,
        content: Content::Rows(format),
    }))
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::path::PathBuf;

    use super::*;
    use crate::args::{Command, parse};

    fn parse_words(words: &[&str]) -> Result<Command, Failure> {
        parse(words.iter().map(OsString::from))
    }

    fn options(words: &[&str]) -> Options {
        match parse_words(words) {
            Ok(Command::Run(options)) => *options,
            other => panic!("{words:?} gave {other:?}"),
        }
    }

    /// The message of a bad command line, whether clap or a rule between flags refused it.
    fn usage_message(words: &[&str]) -> String {
        match parse_words(words) {
            Err(Failure::Usage(message) | Failure::CommandLine(message)) => message,
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
        assert!(!options.quiet);
    }

    #[test]
    fn reads_every_flag_with_a_separate_or_inline_value() {
        let options = options(&[
            "--report",
            "office365_services_user_counts",
            "--period=d30",
            "--format",
            "JSON",
            "--api-version=beta",
            "--cloud",
            "china",
            "--base-url",
            "https://proxy.example",
            "--out",
            "rows.jsonl",
            "--rows",
            "7",
            "-q",
        ]);
        assert_eq!(options.reports.len(), 1);
        assert_eq!(options.reports[0].id, "office365_services_user_counts");
        assert_eq!(options.period.as_deref(), Some("d30"));
        assert_eq!(options.format, Format::Json);
        assert_eq!(options.version, ApiVersion::Beta);
        assert_eq!(options.cloud, Cloud::China);
        assert_eq!(options.base_url.as_deref(), Some("https://proxy.example"));
        assert_eq!(
            options.output,
            Some(Output {
                place: Place::File(PathBuf::from("rows.jsonl")),
                content: Content::Rows(OutFormat::JsonLines),
            })
        );
        assert_eq!(options.rows, Some(7));
        assert!(options.quiet);
    }

    #[test]
    fn a_date_is_read_as_a_calendar_day_and_excludes_a_period() {
        let options = options(&["--date=2024-01-31"]);
        assert_eq!(options.date, NaiveDate::from_ymd_opt(2024, 1, 31));
        let message = usage_message(&["--date", "2024-01-31", "--period", "D7"]);
        assert!(message.contains("cannot be used with"), "{message}");
    }

    #[test]
    fn reports_are_repeatable_comma_separated_and_named_either_way_each_once() {
        let options = options(&[
            "--report",
            "office365_services_user_counts,getOffice365ActivationCounts",
            "--report",
            "GETOFFICE365SERVICESUSERCOUNTS",
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
        let message = usage_message(&["--format", "json", "--api-version", "v1.0"]);
        assert!(message.contains("--api-version beta"), "{message}");
    }

    #[test]
    fn a_lone_double_dash_is_ignored() {
        assert_eq!(options(&["--", "--rows", "3"]).rows, Some(3));
    }

    #[test]
    fn help_and_version_are_shown_not_run() {
        for words in [&["--help"][..], &["-h"], &["--version"], &["-V"]] {
            assert!(
                matches!(parse_words(words), Ok(Command::Show(_))),
                "{words:?}"
            );
        }
    }

    #[test]
    fn output_follows_out_out_dir_out_format_and_raw() {
        let output = |words: &[&str]| options(words).output.unwrap();
        assert_eq!(
            output(&["--out", "-"]),
            Output {
                place: Place::Stdout,
                content: Content::Rows(OutFormat::Csv)
            }
        );
        assert_eq!(
            output(&["--out", "-", "--out-format", "jsonl"]).content,
            Content::Rows(OutFormat::JsonLines)
        );
        assert_eq!(
            output(&["--out", "rows.csv", "--out-format", "json"]).content,
            Content::Rows(OutFormat::JsonArray),
            "--out-format wins over the extension"
        );
        assert_eq!(
            output(&["--out-dir", "reports"]),
            Output {
                place: Place::Dir(PathBuf::from("reports")),
                content: Content::Rows(OutFormat::Csv)
            }
        );
        assert_eq!(
            output(&["--out", "graph.bin", "--raw", "--format", "json"]).content,
            Content::Raw(Format::Json),
            "raw bytes go to any file name"
        );
        assert!(options(&["--quiet"]).output.is_none());
        assert!(options(&["--out", "-"]).data_on_stdout());
    }

    #[test]
    fn bad_command_lines_name_the_problem() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bogus"], "unexpected argument '--bogus'"),
            (&["--stirct"], "a similar argument exists: '--strict'"),
            (&["stray"], "unrecognized subcommand 'stray'"),
            (&["--period"], "a value is required for '--period <VALUE>'"),
            (
                &["--rows", "3", "--rows", "4"],
                "cannot be used multiple times",
            ),
            (&["--report", "nope"], "unknown report `nope`"),
            (&["--date", "2024-13-45"], "`2024-13-45` is not a date"),
            (&["--cloud", "mars"], "global, us_gov_l4, us_gov_l5, china"),
            (&["--api-version", "v2"], "v1.0, beta"),
            (&["--version", "v1.0"], "--api-version"),
            (&["--version=beta"], "--api-version"),
            (&["--format", "xml"], "csv, json"),
            (
                &["--out", "rows.txt"],
                ".csv, .json, .jsonl, .ndjson or .parquet",
            ),
            (&["--out", "a.csv", "--out-dir", "b"], "cannot be used with"),
            (
                &["--out-format", "csv"],
                "--out-format needs --out or --out-dir",
            ),
            (&["--raw"], "--raw needs somewhere to write"),
            (
                &["--raw", "--out", "-", "--out-format", "csv"],
                "--format json",
            ),
            (&["--rows", "many"], "`many` is not a number of rows"),
            (&["--base-url", "graph.example"], "not an http(s) URL"),
            (&["completions", "tcsh"], "invalid value 'tcsh'"),
        ];
        for (words, expected) in cases {
            let message = usage_message(words);
            assert!(message.contains(expected), "{words:?}: {message}");
        }
    }

    #[cfg(not(feature = "parquet"))]
    #[test]
    fn parquet_needs_the_feature() {
        for words in [
            &["--out", "rows.parquet"][..],
            &["--out-dir", "d", "--out-format", "parquet"],
        ] {
            let message = usage_message(words);
            assert!(
                message.contains("--features parquet"),
                "{words:?}: {message}"
            );
        }
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_goes_to_files_only() {
        assert_eq!(
            options(&["--out", "rows.parquet"]).output.unwrap().content,
            Content::Rows(OutFormat::Parquet)
        );
        let message = usage_message(&["--out", "-", "--out-format", "parquet"]);
        assert!(message.contains("cannot be written to stdout"), "{message}");
    }
}
