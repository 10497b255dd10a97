//! The command line, declared once with clap: `--help`, `--version`, shell completions and
//! suggestions for mistyped flags all come from the definitions below. Each value is parsed
//! here; rules between flags are checked in [`crate::options`].

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::{
    NonEmptyStringValueParser, PossibleValue, PossibleValuesParser, TypedValueParser,
};
use clap::{CommandFactory as _, Parser, Subcommand};
use clap_complete::Shell;
use reports_sdk::{ApiVersion, Cloud, Format, ReportMeta, UnknownName};

use crate::failure::Failure;
use crate::options::Options;
use crate::out_format::{OUT_FORMAT_NAMES, OutFormat};
use crate::sync_args::SyncArgs;

/// Shown under the flags by `--help`.
const AFTER_HELP: &str = "\
Credentials: the Azure SDK's variables AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET
(an app registration with the Reports.Read.All application permission; AZURE_AUTHORITY_HOST
optional), or GRAPH_TOKEN (a ready access token). A partial set is an error. With none at all
every report runs against an embedded local emulator of Graph (synthetic data, nothing leaves
the machine), and --out/--out-dir are refused unless --emulator asks for it by name.

Without --period or --date every parameter form of a report is fetched, with the first value
of its enum parameter and, for a date, two days ago. Reports without parameters ignore both.

Files: --out-dir DIR writes DIR/<report id>.<form>.<ext>, <form> being the parameter of the
form called (period, date) or none; --out FILE with several calls writes
<stem>.<report id>.<form>.<ext> beside FILE. A file appears only once complete.

Exit codes: 0 every report was fetched; 1 a report or the sign-in failed; 2 a bad command line
or credentials (nothing was sent); 3 every report was fetched, but some rows did not decode and
were skipped.

Examples:
  cargo reports
  cargo reports --emulator --report getOffice365ServicesUserCounts --period D30 --out -
  cargo reports --emulator --report teams_user_activity_counts --out-dir reports
  AZURE_TENANT_ID=contoso.onmicrosoft.com AZURE_CLIENT_ID=... AZURE_CLIENT_SECRET=... \\
      cargo reports --out-dir reports --out-format jsonl
  GRAPH_TOKEN=eyJ0... cargo reports --api-version beta --format json --raw --out-dir raw
  graph-reports completions bash > /etc/bash_completion.d/graph-reports";

/// Fetch Microsoft Graph usage reports as typed rows.
#[derive(Debug, Parser)]
#[command(
    name = "graph-reports",
    version,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Something other than fetching reports.
    #[command(subcommand)]
    pub command: Option<Extra>,
    /// Fetching reports.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Extra {
    /// Print a completion script for SHELL on stdout.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Keep every report's history in a Parquet lake, for one tenant or many (see `sync
    /// --help`).
    Sync(Box<SyncArgs>),
}

/// The flags of a run, each parsed on its own.
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// A report to fetch, by id (office365_services_user_counts) or Graph function name
    /// (getOffice365ServicesUserCounts, any case); repeatable or comma-separated. Default: every
    /// report.
    #[arg(long = "report", value_name = "ID", value_delimiter = ',', value_parser = report_by_name)]
    pub reports: Vec<&'static ReportMeta>,
    /// The value of the report's enum parameter (D7, D30, D90, D180). Default: its first value.
    #[arg(long, value_name = "VALUE", value_parser = NonEmptyStringValueParser::new())]
    pub period: Option<String>,
    /// Use the report's date form, for this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, conflicts_with = "period")]
    pub date: Option<NaiveDate>,
    /// The format Graph serves; json needs the beta API (and alone selects it). Default: csv.
    #[arg(long, value_name = "FORMAT", ignore_case = true, value_parser = sdk_name(Format::ALL))]
    pub format: Option<Format>,
    /// The Graph API version. Default: v1.0 (beta with --format json).
    #[arg(long, value_name = "VERSION", ignore_case = true, value_parser = sdk_name(ApiVersion::ALL))]
    pub api_version: Option<ApiVersion>,
    /// The national cloud: its Graph endpoint and Entra ID authority. Default: global.
    #[arg(long, value_name = "NAME", ignore_case = true, value_parser = sdk_name(Cloud::ALL))]
    pub cloud: Option<Cloud>,
    /// Send requests to this endpoint (a proxy); needs credentials.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,
    /// Use the embedded emulator even with credentials set; allows --out and --out-dir.
    #[arg(long)]
    pub emulator: bool,
    /// Also write the rows to FILE (format from its extension: .csv, .json, .jsonl, .ndjson,
    /// .parquet), or to stdout with `-` (one report form; then everything else goes to
    /// stderr).
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    pub out: Option<PathBuf>,
    /// `--out-dir`: one file per report and form, named `DIR/<report id>.<form>.<ext>`.
    #[arg(
        long,
        value_name = "DIR",
        help = "Also write one file per report and form into DIR: DIR/<report id>.<form>.<ext>"
    )]
    pub out_dir: Option<PathBuf>,
    /// The format of --out and --out-dir, whatever the extension. Default: from --out's
    /// extension; csv for stdout and --out-dir.
    #[arg(long, value_name = "FORMAT", value_parser = out_format_parser())]
    pub out_format: Option<OutFormat>,
    /// Write the report to --out/--out-dir as Graph serves it, byte for byte, instead of
    /// decoding it (its format is --format's).
    #[arg(long)]
    pub raw: bool,
    /// Users, groups, sites or apps in the emulated tenant, one row each in the reports that
    /// list them (emulator only). Default: 25.
    #[arg(long, value_name = "N", value_parser = parse_rows)]
    pub rows: Option<usize>,
    /// Fail a report on its first row that does not decode. Default: skip such a row, name it
    /// on stderr (line, column, reason), write the others, and exit with 3.
    #[arg(long)]
    pub strict: bool,
    /// Print no banner, report summaries, totals or progress; errors and skipped rows still go
    /// to stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Print help or the version: clap's text, printed by [`clap::Error::print`] on stdout.
    Show(clap::Error),
    /// Print a completion script.
    Completions(Shell),
    /// Fetch reports.
    Run(Box<Options>),
    /// Fill a lake (`graph-reports sync`); its flags are checked against each other when it
    /// starts.
    Sync(Box<SyncArgs>),
}

/// Reads the arguments after the program name.
pub fn parse(arguments: impl IntoIterator<Item = OsString>) -> Result<Command, Failure> {
    // `cargo reports -- --flag` passes a `--` through the alias, which already ends in one;
    // with no positional arguments to separate, it means nothing.
    let arguments: Vec<OsString> = arguments
        .into_iter()
        .filter(|argument| argument != "--")
        .collect();
    refuse_old_version_flag(&arguments)?;
    let program = std::iter::once(OsString::from("graph-reports"));
    let cli = match Cli::try_parse_from(program.chain(arguments)) {
        Ok(cli) => cli,
        Err(error) if error.exit_code() == 0 => return Ok(Command::Show(error)),
        Err(error) => return Err(Failure::CommandLine(error.render().to_string())),
    };
    match cli.command {
        Some(Extra::Completions { shell }) => Ok(Command::Completions(shell)),
        Some(Extra::Sync(args)) => Ok(Command::Sync(args)),
        None => Options::from_args(cli.run).map(|options| Command::Run(Box::new(options))),
    }
}

/// `--version` used to name the API version. clap answers `--version` before reading anything
/// else, so a script still passing `--version beta` would print the tool's version and exit 0
/// without fetching anything: refuse it, naming the new flag.
fn refuse_old_version_flag(arguments: &[OsString]) -> Result<(), Failure> {
    let old_use = arguments.iter().enumerate().any(|(index, argument)| {
        let argument = argument.to_string_lossy();
        argument.starts_with("--version=")
            || (argument == "--version"
                && arguments
                    .get(index + 1)
                    .is_some_and(|value| value.to_string_lossy().parse::<ApiVersion>().is_ok()))
    });
    if old_use {
        return Err(Failure::usage(
            "--version prints this tool's version; choose the Graph API version with --api-version (v1.0 or beta)",
        ));
    }
    Ok(())
}

/// The completion script for `shell`. Generated into memory: clap_complete panics when its
/// writer fails, and stdout can be a closed pipe.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "graph-reports", &mut script);
    script
}

/// A value of one of the SDK's named types (`Cloud`, `ApiVersion`, `Format`): its names are
/// listed in help and completions, and read by the SDK's own parser.
pub fn sdk_name<T>(all: &'static [T]) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr<Err = UnknownName> + std::fmt::Display + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(
        all.iter()
            .map(|value| PossibleValue::new(value.to_string())),
    )
    .try_map(|name| name.parse::<T>())
}

/// `--out-format`: its names listed for help and completions, read by [`OutFormat::from_name`]
/// (which says how to get a format this build lacks).
fn out_format_parser() -> impl TypedValueParser<Value = OutFormat> {
    PossibleValuesParser::new(OUT_FORMAT_NAMES.iter().copied())
        .try_map(|name| OutFormat::from_name(&name))
}

/// A report compiled in, by id or Graph function name (any case).
pub fn report_by_name(name: &str) -> Result<&'static ReportMeta, String> {
    if name.trim().is_empty() {
        return Err("--report needs a report id or Graph function name".to_owned());
    }
    reports_sdk::find_report(name).ok_or_else(|| {
        let known: Vec<&str> = reports_sdk::catalog().iter().map(|meta| meta.id).collect();
        format!(
            "unknown report `{name}`; give a report id or its Graph function name (any case). The reports are: {}",
            known.join(", ")
        )
    })
}

pub fn parse_date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{value}` is not a date; write it as YYYY-MM-DD"))
}

pub fn parse_base_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !(value.starts_with("https://") || value.starts_with("http://")) || value.len() <= 8 {
        return Err(format!(
            "`{value}` is not an http(s) URL, e.g. https://graph.microsoft.com"
        ));
    }
    Ok(value.to_owned())
}

pub fn parse_rows(value: &str) -> Result<usize, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a number of rows (a whole number, 0 or more)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definition_is_consistent() {
        // clap's own check: no clashing names, conflicts naming real flags, and so on.
        Cli::command().debug_assert();
    }

    #[test]
    fn a_report_is_found_by_id_or_function_name_in_any_case() {
        for name in [
            "teams_user_activity_user_detail",
            "getTeamsUserActivityUserDetail",
            "GETTEAMSUSERACTIVITYUSERDETAIL",
            " getteamsuseractivityuserdetail ",
        ] {
            assert_eq!(
                report_by_name(name).map(|meta| meta.id),
                Ok("teams_user_activity_user_detail"),
                "{name}"
            );
        }
        assert!(report_by_name("TEAMS_USER_ACTIVITY_USER_DETAIL").is_err());
        assert!(report_by_name("").unwrap_err().contains("needs a report"));
    }

    #[test]
    fn values_are_checked_as_they_are_read() {
        assert!(parse_date("2024-13-45").unwrap_err().contains("YYYY-MM-DD"));
        assert!(
            parse_base_url("graph.example")
                .unwrap_err()
                .contains("http(s)")
        );
        assert!(parse_rows("many").unwrap_err().contains("number of rows"));
        assert_eq!(parse_rows(" 7 "), Ok(7));
    }
}
