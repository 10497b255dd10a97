//! Why the command stopped, and how each reason is shown and turned into an exit code.

use std::error::Error;
use std::fmt;
use std::io::Write as _;
use std::process::ExitCode;

use crate::terminal::escape;

/// Exit code for a bad command line, as most Unix tools use it.
const EXIT_USAGE: u8 = 2;
/// Exit code for a failure while running.
const EXIT_FAILED: u8 = 1;
/// Exit code for a run that fetched every report but skipped rows that did not decode.
const EXIT_ROWS_REJECTED: u8 = 3;

/// What stopped the command.
#[derive(Debug)]
pub enum Failure {
    /// The command line cannot work; nothing was sent.
    Usage(String),
    /// clap refused the command line: its whole message, several lines with the usage line
    /// and a pointer to `--help`, as clap rendered it without colours.
    CommandLine(String),
    /// The SDK failed: kept typed, so the caller can tell a report the cloud does not serve from
    /// a real failure.
    Sdk(reports_sdk::Error),
    /// Anything else at run time (starting the emulator, writing a file).
    Other(Box<dyn Error + Send + Sync>),
    /// Stdout was closed (e.g. piped into `head`): whoever reads it has seen enough.
    StdoutClosed,
    /// Every report was fetched and every good row written, but this many rows did not decode
    /// (each was reported on stderr as it was met).
    RowsRejected {
        /// Rows skipped.
        rows: usize,
        /// Reports (forms) with at least one.
        reports: usize,
    },
    #[cfg(feature = "parquet")]
    /// `sync` ended with calls that failed (each was reported on stderr as it failed); the
    /// days written are held, and the next run asks for the others again.
    SyncFailed {
        /// Calls that failed or were not tried.
        calls: usize,
        /// Tenants with at least one.
        tenants: usize,
    },
    #[cfg(feature = "parquet")]
    /// `sync` wrote every day it asked for, but this many rows did not decode and were left
    /// out (each manifest counts its own).
    SyncRowsRejected {
        /// Rows left out.
        rows: usize,
    },
}

impl Failure {
    /// A bad command line.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// A failure outside the SDK: `context` says what was being done, `source` what went wrong.
    pub fn other(
        context: impl Into<String>,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        Failure::Other(Box::new(ContextError {
            context: context.into(),
            source: source.into(),
        }))
    }

    /// Prints the failure on stderr and returns the exit code.
    pub fn report(self) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        // A failure to print the failure leaves nothing better to do than exiting with its code.
        match self {
            Failure::Usage(message) => {
                // The message can quote an argument, and arguments can hold anything.
                let _ = writeln!(stderr, "graph-reports: {}", escape(&message));
                let _ = writeln!(stderr, "try `graph-reports --help`");
                ExitCode::from(EXIT_USAGE)
            }
            Failure::CommandLine(message) => {
                // Escaped line by line: an argument quoted in it can hold anything, and the
                // message's own line breaks are its layout.
                for line in message.trim_end().lines() {
                    let _ = writeln!(stderr, "{}", escape(line));
                }
                ExitCode::from(EXIT_USAGE)
            }
            Failure::Sdk(error) => {
                let _ = write!(stderr, "{}", error_chain(&error));
                ExitCode::from(EXIT_FAILED)
            }
            Failure::Other(error) => {
                let _ = write!(stderr, "{}", error_chain(error.as_ref()));
                ExitCode::from(EXIT_FAILED)
            }
            Failure::StdoutClosed => ExitCode::SUCCESS,
            Failure::RowsRejected { rows, reports } => {
                let _ = writeln!(
                    stderr,
                    "graph-reports: {rows} row(s) of {reports} report(s) did not decode and were skipped (listed above); every other row was fetched and written. --strict makes the first bad row fail its report instead"
                );
                ExitCode::from(EXIT_ROWS_REJECTED)
            }
            #[cfg(feature = "parquet")]
            Failure::SyncFailed { calls, tenants } => {
                let _ = writeln!(
                    stderr,
                    "graph-reports: {calls} report call(s) of {tenants} tenant(s) failed or were not tried (listed above); every day written is kept, and the next run asks for the rest again"
                );
                ExitCode::from(EXIT_FAILED)
            }
            #[cfg(feature = "parquet")]
            Failure::SyncRowsRejected { rows } => {
                let _ = writeln!(
                    stderr,
                    "graph-reports: {rows} row(s) did not decode and were left out of the lake (each manifest's `rejected` names where and why); every day asked for was written"
                );
                ExitCode::from(EXIT_ROWS_REJECTED)
            }
        }
    }
}

impl From<reports_sdk::Error> for Failure {
    fn from(error: reports_sdk::Error) -> Self {
        Failure::Sdk(error)
    }
}

/// The error's message and every `source()` under it, one per line. Messages can quote the
/// server (Graph's error text, a header, a cell), so each is escaped.
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = format!("graph-reports: error: {}\n", escape(&error.to_string()));
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("  caused by: {}\n", escape(&cause.to_string())));
        source = cause.source();
    }
    text
}

/// An error from outside the SDK, with what was being done when it happened.
#[derive(Debug)]
pub struct ContextError {
    /// What was being done, e.g. `cannot write rows.csv`.
    pub context: String,
    /// The underlying error.
    pub source: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.context)
    }
}

impl Error for ContextError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.source.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_lists_every_source() {
        let inner = std::io::Error::other("disk full");
        let error = ContextError {
            context: "cannot write rows.csv".to_owned(),
            source: Box::new(inner),
        };
        assert_eq!(
            error_chain(&error),
            "graph-reports: error: cannot write rows.csv\n  caused by: disk full\n"
        );
    }

    #[test]
    fn server_text_in_the_chain_is_escaped() {
        let inner = std::io::Error::other("Forbidden\u{1b}]52;c;SGVsbG8=\u{7}\nsecond line");
        let error = ContextError {
            context: "report \u{9b}2J\u{202e}".to_owned(),
            source: Box::new(inner),
        };
        assert_eq!(
            error_chain(&error),
            "graph-reports: error: report \\u{9b}2J\\u{202e}\n  caused by: Forbidden\\e]52;c;SGVsbG8=\\u{7}\\nsecond line\n"
        );
    }
}
