//! Where the run's own text goes (the banner, each report's block, the total): stdout, unless
//! report data goes there (`--out -`), then stderr, so a pipe gets the data alone; nowhere with
//! `--quiet`. Errors and skipped rows are not narration: they always go to stderr.

use std::io::Write as _;

use crate::failure::Failure;
use crate::options::Options;

/// Where narration goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narration {
    /// Standard output.
    Stdout,
    /// Standard error: stdout carries the data.
    Stderr,
    /// Nowhere: `--quiet`.
    Silent,
}

impl Narration {
    /// As the options ask.
    pub fn for_options(options: &Options) -> Narration {
        if options.quiet {
            Narration::Silent
        } else if options.data_on_stdout() {
            Narration::Stderr
        } else {
            Narration::Stdout
        }
    }

    /// Whether a progress line may be drawn (on stderr, when it is a terminal).
    pub fn shows_progress(self) -> bool {
        self != Narration::Silent
    }

    /// Writes `text` as soon as it is ready, so a long run shows its progress.
    pub fn say(self, text: &str) -> Result<(), Failure> {
        match self {
            Narration::Stdout => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|err| match err.kind() {
                        std::io::ErrorKind::BrokenPipe => Failure::StdoutClosed,
                        _ => Failure::other("cannot write to stdout", err),
                    })
            }
            Narration::Stderr => {
                warn(text);
                Ok(())
            }
            Narration::Silent => Ok(()),
        }
    }
}

/// Writes to stderr; a failure to do so leaves nothing better to do than going on.
pub fn warn(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}
