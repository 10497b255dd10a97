//! A one-line "rows decoded so far" indicator on stderr during long downloads. It is drawn only
//! when stderr is a terminal, so logs and tests never see it.

use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

use crate::terminal;

/// Redraw at most this often: often enough to look alive, rarely enough to cost nothing.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// The indicator for one download. Dropping it clears the line, so an error printed next
/// starts on a clean line.
pub struct Progress<W: Write> {
    out: Option<W>,
    label: String,
    last_drawn: Instant,
    /// Terminal columns on the line now, to blank them when the line gets shorter or is cleared.
    drawn: usize,
}

impl Progress<std::io::Stderr> {
    /// Draws on stderr if it is a terminal; otherwise does nothing at all.
    pub fn on_stderr(label: &str) -> Self {
        let stderr = std::io::stderr();
        let out = stderr.is_terminal().then_some(stderr);
        Progress::new(out, label)
    }
}

impl<W: Write> Progress<W> {
    /// Draws `label` with no rows yet (the request itself can take a while).
    pub fn new(out: Option<W>, label: &str) -> Self {
        let mut progress = Progress {
            out,
            // Escaped: a control character in it would break the one-line redraw.
            label: terminal::escape(label).into_owned(),
            last_drawn: Instant::now(),
            drawn: 0,
        };
        let text = format!("{}: waiting for the report...", progress.label);
        progress.draw(&text);
        progress
    }

    /// Shows `rows` decoded so far, unless the line was redrawn very recently.
    pub fn rows(&mut self, rows: u64) {
        if self.out.is_some() && self.last_drawn.elapsed() >= REDRAW_EVERY {
            let text = format!("{}: {rows} rows decoded", self.label);
            self.draw(&text);
        }
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if self.drawn > 0 {
            let blank = " ".repeat(self.drawn);
            self.write(&format!("\r{blank}\r"));
            self.drawn = 0;
        }
    }

    fn draw(&mut self, text: &str) {
        if self.out.is_none() {
            return;
        }
        let width = terminal::width(text);
        let padding = " ".repeat(self.drawn.saturating_sub(width));
        self.write(&format!("\r{text}{padding}"));
        self.drawn = width;
        self.last_drawn = Instant::now();
    }

    fn write(&mut self, text: &str) {
        if let Some(out) = &mut self.out {
            // The indicator is decoration: failing to draw it must not fail the download.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

impl<W: Write> Drop for Progress<W> {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_on_one_line_and_clears_it() {
        let mut out = Vec::new();
        {
            let mut progress = Progress::new(Some(&mut out), "report");
            // Within the redraw interval: not drawn.
            progress.rows(1);
            progress.last_drawn = Instant::now().checked_sub(REDRAW_EVERY).unwrap();
            progress.rows(1234);
            progress.finish();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\n'), "{text:?}");
        assert!(
            text.starts_with("\rreport: waiting for the report..."),
            "{text:?}"
        );
        assert!(!text.contains(": 1 rows"), "{text:?}");
        assert!(text.contains("\rreport: 1234 rows decoded"), "{text:?}");
        assert!(text.ends_with(" \r"), "{text:?}");
    }

    #[test]
    fn without_a_terminal_nothing_is_drawn() {
        let mut progress = Progress::<Vec<u8>>::new(None, "report");
        progress.last_drawn = Instant::now().checked_sub(REDRAW_EVERY).unwrap();
        progress.rows(10);
        assert_eq!(progress.drawn, 0);
    }
}
