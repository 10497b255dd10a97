//! The text printed on stdout: where the reports come from, one block per call, and totals.
//! Every value that comes from outside (the server's answers, the file's cells and column names,
//! the command line) is passed through [`escape`] on its way in.

use std::fmt::Write as _;

use graph_emulator::Emulator;
use reports_sdk::{Client, ReportMeta};

use crate::fetch::{Downloaded, PREVIEW_ROWS, Saved};
use crate::table;
use crate::terminal::escape;

/// The table's width: fits a common terminal with the block's indent.
const TABLE_WIDTH: usize = 116;
const INDENT: &str = "  ";

/// The first lines: which service is queried, and for the emulator how to reach the real one.
pub fn banner(
    client: &Client,
    emulator: Option<&Emulator>,
    asked: bool,
    identity: Option<&str>,
) -> String {
    let mut text = String::new();
    match emulator {
        Some(emulator) => {
            let _ = writeln!(
                text,
                "Running against the LOCAL GRAPH EMULATOR at {} (a synthetic tenant of {} users),",
                escape(client.base_url()),
                emulator.config().rows
            );
            let why = if asked {
                "because --emulator asked for it"
            } else {
                "because no credentials are set"
            };
            let _ = writeln!(
                text,
                "{why}. To query Microsoft Graph, set AZURE_TENANT_ID,"
            );
            let _ = writeln!(
                text,
                "AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or GRAPH_TOKEN (add --cloud for a national cloud; see --help)."
            );
        }
        None => {
            let _ = writeln!(
                text,
                "Querying Microsoft Graph at {} (cloud {}, API {}), {}.",
                escape(client.base_url()),
                client.cloud(),
                client.version(),
                escape(identity.unwrap_or("with the configured credentials"))
            );
        }
    }
    text
}

/// One call's block: what was asked, what came back, and the first rows as a table.
pub fn report_block(downloaded: &Downloaded) -> String {
    let meta = downloaded.meta;
    let info = &downloaded.info;
    let mut text = String::new();
    let _ = writeln!(text, "\n== {} ==", meta.id);
    // Each value is escaped here, so no field can forget it: the etag and refresh date are
    // the server's, the path and arguments the command line's.
    let mut field = |name: &str, value: String| {
        let _ = writeln!(text, "{INDENT}{name:<10} {}", escape(&value));
    };
    field(
        "function",
        format!("{} ({}, {})", meta.function, info.version, info.format),
    );
    field(
        "form",
        form_text(meta, downloaded.form, &downloaded.arguments),
    );
    field(
        "request",
        format!("GET /{}{}", info.version, downloaded.path),
    );
    field("rows", downloaded.rows.to_string());
    field("columns", columns_text(meta, downloaded));
    field(
        "refreshed",
        info.refresh_date
            .map_or_else(|| "unknown".to_owned(), |date| date.to_string()),
    );
    field(
        "etag",
        info.etag.clone().unwrap_or_else(|| "none".to_owned()),
    );
    if let Some(path) = &downloaded.written_to {
        field("written", path.display().to_string());
    }
    if !downloaded.rejected.is_empty() {
        field(
            "rejected",
            format!(
                "{} row(s) did not decode and were skipped (listed on stderr)",
                downloaded.rejected.len()
            ),
        );
    }
    text.push_str(&preview(meta, downloaded));
    text
}

/// One stderr line per rejected row: the report, the line and row, the column and the reason.
/// The column name and the reason can quote the file, so each line is escaped; one that held a
/// line break still takes one line.
pub fn rejected_lines(downloaded: &Downloaded) -> String {
    let mut text = String::new();
    for rejected in &downloaded.rejected {
        let _ = writeln!(
            text,
            "graph-reports: {}: skipped {}",
            downloaded.meta.id,
            escape(&rejected.to_string())
        );
    }
    text
}

/// One `--raw` call's block: what was asked, how many bytes came, and where they went.
pub fn raw_block(saved: &Saved) -> String {
    let meta = saved.meta;
    let mut text = String::new();
    let _ = writeln!(text, "\n== {} ==", meta.id);
    let mut field = |name: &str, value: String| {
        let _ = writeln!(text, "{INDENT}{name:<10} {}", escape(&value));
    };
    field("function", format!("{} ({})", meta.function, saved.version));
    field("form", form_text(meta, saved.form, &saved.arguments));
    field("request", format!("GET /{}{}", saved.version, saved.path));
    field("bytes", format!("{} as Graph served them", saved.bytes));
    field(
        "written",
        saved.written_to.as_ref().map_or_else(
            || "standard output".to_owned(),
            |path| path.display().to_string(),
        ),
    );
    text
}

/// `office365_services_user_counts(period: D7)`: the SDK method and its arguments.
fn form_text(
    meta: &ReportMeta,
    form: &reports_sdk::FormMeta,
    arguments: &[reports_sdk::Argument],
) -> String {
    let arguments: Vec<String> = form
        .parameters
        .iter()
        .zip(arguments)
        .filter_map(|(index, argument)| {
            let parameter = meta.parameters.get(*index)?;
            Some(format!("{}: {}", parameter.name, argument.as_path_value()))
        })
        .collect();
    if arguments.is_empty() {
        format!("{}() (no parameters)", form.method)
    } else {
        format!("{}({})", form.method, arguments.join(", "))
    }
}

/// The file's column count, and how it differs from the spec.
fn columns_text(meta: &ReportMeta, downloaded: &Downloaded) -> String {
    let drift = &downloaded.info.drift;
    let in_file = meta
        .columns
        .len()
        .saturating_sub(drift.missing_columns.len())
        + drift.unknown_columns.len();
    if drift.is_empty() {
        return format!("{in_file}, as in the spec");
    }
    let mut parts = vec![format!("{in_file} (the spec has {})", meta.columns.len())];
    if !drift.unknown_columns.is_empty() {
        parts.push(format!(
            "not in the spec: {}",
            drift.unknown_columns.join(", ")
        ));
    }
    if !drift.missing_columns.is_empty() {
        parts.push(format!(
            "absent optional: {}",
            drift.missing_columns.join(", ")
        ));
    }
    parts.join("; ")
}

/// The first rows under the spec's CSV headers.
fn preview(meta: &ReportMeta, downloaded: &Downloaded) -> String {
    if downloaded.preview.is_empty() {
        return format!("{INDENT}(no rows)\n");
    }
    let headers: Vec<&str> = meta.columns.iter().map(|column| column.header).collect();
    let rows: Vec<Vec<String>> = downloaded
        .preview
        .iter()
        .map(|row| {
            headers
                .iter()
                .map(|header| cell_text(row.get(*header)))
                .collect()
        })
        .collect();
    let rendered = table::render(&headers, &rows, TABLE_WIDTH);
    let mut text = String::new();
    for line in &rendered.lines {
        let _ = writeln!(text, "{INDENT}{line}");
    }
    let mut notes = Vec::new();
    if downloaded.rows > PREVIEW_ROWS as u64 {
        notes.push(format!("first {} of {} rows", rows.len(), downloaded.rows));
    }
    if rendered.omitted_columns > 0 {
        notes.push(format!(
            "{} more column(s) not shown; use --out or --out-dir for every column",
            rendered.omitted_columns
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(text, "{INDENT}({})", notes.join("; "));
    }
    text
}

fn cell_text(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A report left out, and why (the reason can be the server's message).
pub fn skipped_block(meta: &ReportMeta, reason: &str) -> String {
    format!("\n== {} ==\n{INDENT}skipped: {}\n", meta.id, escape(reason))
}

/// What a run brought: rows decoded, or with `--raw` bytes saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Rows decoded.
    Rows(u64),
    /// Bytes saved as Graph served them.
    Bytes(u64),
}

/// The last line.
pub fn total(reports: usize, forms: usize, amount: Amount, skipped: usize) -> String {
    let amount = match amount {
        Amount::Rows(rows) => format!("{rows} rows"),
        Amount::Bytes(bytes) => format!("{bytes} bytes"),
    };
    let mut text = format!("\nTotal: {reports} reports, {forms} forms, {amount}");
    if skipped > 0 {
        let _ = write!(text, " ({skipped} skipped)");
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_json_values_plainly() {
        assert_eq!(cell_text(None), "");
        assert_eq!(cell_text(Some(&serde_json::Value::Null)), "");
        assert_eq!(cell_text(Some(&"Teams".into())), "Teams");
        assert_eq!(cell_text(Some(&42.into())), "42");
        assert_eq!(cell_text(Some(&true.into())), "true");
    }

    #[test]
    fn a_skip_reason_from_the_server_is_escaped() {
        let meta = reports_sdk::catalog()[0];
        let block = skipped_block(meta, "not here\u{1b}[2J\u{202e}");
        assert!(!block.contains(['\u{1b}', '\u{202e}']), "{block:?}");
        assert!(block.contains("not here\\e[2J\\u{202e}"), "{block:?}");
    }

    #[test]
    fn the_total_counts_skips_only_when_there_are_some() {
        assert_eq!(
            total(3, 4, Amount::Rows(100), 0),
            "\nTotal: 3 reports, 4 forms, 100 rows\n"
        );
        assert_eq!(
            total(2, 2, Amount::Rows(10), 1),
            "\nTotal: 2 reports, 2 forms, 10 rows (1 skipped)\n"
        );
        assert_eq!(
            total(1, 1, Amount::Bytes(512), 0),
            "\nTotal: 1 reports, 1 forms, 512 bytes\n"
        );
    }
}
