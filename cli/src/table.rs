//! An aligned plain-text table that fits a terminal: long cells are cut, and columns that do not
//! fit are left out (and counted). Cells and headers are outside data: they are escaped (see
//! [`terminal`]) before they are measured, and measured in terminal columns.

use crate::terminal;

/// Cells wider than this (in terminal columns) are cut, so one long value cannot push every
/// other column away.
pub const MAX_CELL: usize = 18;
/// Columns between two columns.
const GAP: &str = "  ";

/// A rendered table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTable {
    /// The header line, a rule, then one line per row; no trailing spaces.
    pub lines: Vec<String>,
    /// Columns left out because they did not fit.
    pub omitted_columns: usize,
}

/// Lays out `rows` under `headers` in at most `width` terminal columns (always at least one
/// table column). Columns of numbers are aligned right.
pub fn render(headers: &[&str], rows: &[Vec<String>], width: usize) -> TextTable {
    let header: Vec<String> = headers.iter().map(|title| fit(title)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            (0..headers.len())
                .map(|index| row.get(index).map_or_else(String::new, |cell| fit(cell)))
                .collect()
        })
        .collect();

    let mut shown: Vec<Column> = Vec::new();
    let mut used = 0;
    for (index, title) in header.iter().enumerate() {
        let cells = || {
            body.iter()
                .filter_map(|row| row.get(index))
                .map(String::as_str)
        };
        let column_width = cells()
            .chain([title.as_str()])
            .map(terminal::width)
            .max()
            .unwrap_or(0);
        let needed = if shown.is_empty() {
            column_width
        } else {
            GAP.len() + column_width
        };
        if !shown.is_empty() && used + needed > width {
            break;
        }
        used += needed;
        shown.push(Column {
            width: column_width,
            numeric: !body.is_empty() && cells().all(|cell| cell.is_empty() || is_number(cell)),
        });
    }

    let rule: Vec<String> = shown
        .iter()
        .map(|column| "-".repeat(column.width))
        .collect();
    let lines = [header, rule]
        .into_iter()
        .chain(body)
        .map(|cells| {
            let padded: Vec<String> = shown
                .iter()
                .zip(&cells)
                .map(|(column, cell)| column.pad(cell))
                .collect();
            padded.join(GAP).trim_end().to_owned()
        })
        .collect();
    TextTable {
        lines,
        omitted_columns: headers.len() - shown.len(),
    }
}

/// A shown column's layout.
struct Column {
    width: usize,
    numeric: bool,
}

impl Column {
    fn pad(&self, cell: &str) -> String {
        // Not `format!`'s width: it counts `char`s, and a CJK name is two columns per `char`.
        let padding = " ".repeat(self.width.saturating_sub(terminal::width(cell)));
        if self.numeric {
            padding + cell
        } else {
            format!("{cell}{padding}")
        }
    }
}

/// The cell on one line (line breaks, tabs and runs of spaces become one space), every other
/// control character escaped, cut to [`MAX_CELL`] columns with an ellipsis. The cut comes after
/// the escaping, so it cannot leave half an escape sequence behind.
pub fn fit(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    terminal::fit(&flat, MAX_CELL)
}

fn is_number(text: &str) -> bool {
    text.parse::<f64>().is_ok() && text.bytes().any(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|cell| (*cell).to_owned()).collect()
    }

    #[test]
    fn aligns_text_left_and_numbers_right() {
        let table = render(
            &["Name", "Count"],
            &[strings(&["a", "5"]), strings(&["longer", "1234"])],
            80,
        );
        assert_eq!(
            table.lines,
            vec![
                "Name    Count",
                "------  -----",
                "a           5",
                "longer   1234",
            ]
        );
        assert_eq!(table.omitted_columns, 0);
    }

    #[test]
    fn cuts_long_cells_and_flattens_line_breaks() {
        assert_eq!(fit("two\r\nlines"), "two lines");
        let cut = fit("Exchange Online (Plan 1) and more");
        assert_eq!(terminal::width(&cut), MAX_CELL);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn leaves_out_columns_that_do_not_fit() {
        let table = render(&["aaaa", "bbbb", "cccc"], &[strings(&["1", "2", "3"])], 10);
        assert_eq!(table.lines[0], "aaaa  bbbb");
        assert_eq!(table.omitted_columns, 1);
        let narrow = render(&["a very wide header"], &[], 3);
        assert_eq!(
            narrow.omitted_columns, 0,
            "the first column is always shown"
        );
    }

    #[test]
    fn control_characters_in_cells_and_headers_are_shown_escaped() {
        let table = render(
            &["Product\u{1b}[2J"],
            &[
                strings(&["\u{1b}]52;c;SGVsbG8=\u{7}\u{1b}[2J"]),
                strings(&["\u{202e}abc"]),
            ],
            80,
        );
        for line in &table.lines {
            assert!(!line.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{line:?}");
        }
        assert!(
            table.lines[0].starts_with("Product\\e[2J"),
            "{:?}",
            table.lines
        );
        assert!(table.lines[2].starts_with("\\e]52;c;"), "{:?}", table.lines);
        assert!(
            table.lines[3].starts_with("\\u{202e}abc"),
            "{:?}",
            table.lines
        );
        for line in &table.lines {
            assert!(terminal::width(line) <= MAX_CELL, "{line:?}");
        }
    }

    #[test]
    fn wide_and_combining_characters_line_up_by_columns() {
        let table = render(
            &["Name", "Count"],
            &[
                strings(&["東京", "5"]),
                strings(&["Ame\u{301}lie", "12"]),
                strings(&["abcd", "7"]),
            ],
            80,
        );
        // Each name column is 6 columns wide, whatever its `char` count.
        assert_eq!(
            table.lines,
            vec![
                "Name    Count",
                "------  -----",
                "東京        5",
                "Ame\u{301}lie     12",
                "abcd        7",
            ]
        );
        let cut = fit("東京都港区六本木ヒルズ森タワー");
        assert!(cut.ends_with('…'));
        assert_eq!(terminal::width(&cut), MAX_CELL - 1);
    }

    #[test]
    fn missing_cells_are_blank() {
        let table = render(&["a", "b"], &[strings(&["x"])], 80);
        assert_eq!(table.lines[2], "x");
    }
}
