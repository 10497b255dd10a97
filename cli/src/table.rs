//! An aligned plain-text table that fits a terminal: long cells are cut, and columns that do not
//! fit are left out (and counted).

/// Cells longer than this are cut, so one long value cannot push every other column away.
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

/// Lays out `rows` under `headers` in at most `width` characters (always at least one
/// column). Columns of numbers are aligned right.
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
            .map(|cell| cell.chars().count())
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
        let width = self.width;
        if self.numeric {
            format!("{cell:>width$}")
        } else {
            format!("{cell:<width$}")
        }
    }
}

/// The cell on one line (line breaks and runs of spaces become one space), cut to
/// [`MAX_CELL`] characters with an ellipsis.
pub fn fit(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_CELL {
        return flat;
    }
    let mut cut: String = flat.chars().take(MAX_CELL - 1).collect();
    cut.push('…');
    cut
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
        assert_eq!(cut.chars().count(), MAX_CELL);
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
    fn missing_cells_are_blank() {
        let table = render(&["a", "b"], &[strings(&["x"])], 80);
        assert_eq!(table.lines[2], "x");
    }
}
