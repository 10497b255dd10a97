//! Deterministic synthetic report data, generated from the catalogue's column metadata: the
//! same report, arguments and options always give the same table, so tests can compare decoded
//! rows with it value by value. This module holds the table and how it is written out (CSV,
//! JSON); what goes in the cells comes from `crate::realistic` or `crate::quirks`.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use reports_sdk::{ColumnMeta, ColumnType, ReportMeta};

use crate::random::Fnv;
use crate::window::Window;
use crate::{quirks, realistic};

/// The column added by [`Drift::extra_column`].
pub const EXTRA_COLUMN: &str = "Emulator Added Column";

/// One cell of a generated table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// An empty cell (`null` in JSON).
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// A calendar day.
    Date(NaiveDate),
    /// A UTC timestamp, whole seconds.
    DateTime(NaiveDateTime),
    /// A duration in whole seconds.
    Duration(u64),
    /// The items of a list column and the separator the CSV joins them with.
    List(Vec<String>, char),
}

impl Cell {
    /// The cell as the service writes it in CSV, before quoting.
    pub fn csv_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Integer(value) => value.to_string(),
            Cell::Boolean(value) => if *value { "True" } else { "False" }.to_owned(),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::DateTime(stamp) => stamp.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Cell::Duration(seconds) => clock(*seconds),
            Cell::List(items, separator) => items.join(&separator.to_string()),
        }
    }

    /// The cell as the beta JSON endpoint writes it.
    pub fn service_json(&self) -> serde_json::Value {
        match self {
            Cell::Empty => serde_json::Value::Null,
            Cell::Text(text) => text.clone().into(),
            Cell::Integer(value) => (*value).into(),
            Cell::Boolean(value) => (*value).into(),
            Cell::Date(_) | Cell::DateTime(_) => self.csv_text().into(),
            Cell::Duration(seconds) => format!("PT{seconds}S").into(),
            Cell::List(items, _) => items.clone().into(),
        }
    }

    /// What a decoded SDK row serializes this cell to (`serde_json::to_value(row)[header]`), so
    /// tests can compare rows with the generated table value by value.
    pub fn sdk_json(&self, column: &ColumnMeta) -> serde_json::Value {
        match self {
            Cell::Empty if column.optional => serde_json::Value::Null,
            Cell::Empty => match column.ty {
                ColumnType::String | ColumnType::List { .. } => "".into(),
                _ => serde_json::Value::Null,
            },
            Cell::Duration(seconds) => clock(*seconds).into(),
            Cell::List(..) => self.csv_text().into(),
            Cell::DateTime(stamp) => stamp
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .into(),
            other => other.service_json(),
        }
    }
}

fn clock(seconds: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// How the served file differs from the spec, to simulate Microsoft changing a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drift {
    /// Add a column the spec does not know ([`EXTRA_COLUMN`]) as the second column.
    pub extra_column: bool,
    /// Leave out every column the spec marks as optional.
    pub drop_optional: bool,
    /// Serve the columns in reverse order.
    pub reverse_columns: bool,
}

/// A generated report: its columns in file order and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The report.
    pub meta: &'static ReportMeta,
    /// Columns in file order, with the spec's column (`None` for one the spec does not know).
    pub columns: Vec<(String, Option<&'static ColumnMeta>)>,
    /// Rows of cells, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The cell of row `row` (0-based) in the column with this header.
    pub fn cell(&self, row: usize, header: &str) -> Option<&Cell> {
        let index = self.columns.iter().position(|(name, _)| name == header)?;
        self.rows.get(row)?.get(index)
    }

    /// The CSV file the service serves: UTF-8 BOM, CRLF, fields quoted where needed.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        let headers: Vec<String> = self.columns.iter().map(|(name, _)| quote(name)).collect();
        out.extend_from_slice(headers.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
        for row in &self.rows {
            let mut cells: Vec<String> = row.iter().map(|cell| quote(&cell.csv_text())).collect();
            // Reports with ragged rows leave trailing empty fields out.
            if self.meta.ragged_rows {
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
            }
            out.extend_from_slice(cells.join(",").as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// The `value` items of beta JSON, keyed by the columns' JSON names: one flat object per
    /// row, or for a report with nested JSON one item per run of rows that share the item's
    /// own (parent) values, holding one element per row in its nested array.
    pub fn json_items(&self) -> Vec<serde_json::Value> {
        let objects = self.rows.iter().map(|row| {
            let mut parent = serde_json::Map::new();
            let mut nested = serde_json::Map::new();
            for (cell, (name, column)) in row.iter().zip(&self.columns) {
                let key = column.map_or_else(|| camel(name), |column| column.json.to_owned());
                let is_nested =
                    self.meta.json_nested.is_some() && column.is_some_and(|c| c.json_nested);
                if is_nested {
                    nested.insert(key, cell.service_json());
                } else {
                    parent.insert(key, cell.service_json());
                }
            }
            (parent, nested)
        });
        let Some(property) = self.meta.json_nested else {
            return objects
                .map(|(parent, _)| serde_json::Value::Object(parent))
                .collect();
        };
        let mut items: Vec<(
            serde_json::Map<String, serde_json::Value>,
            Vec<serde_json::Value>,
        )> = Vec::new();
        for (parent, nested) in objects {
            match items.last_mut() {
                Some((previous, elements)) if *previous == parent => {
                    elements.push(nested.into());
                }
                _ => items.push((parent, vec![nested.into()])),
            }
        }
        items
            .into_iter()
            .map(|(mut parent, elements)| {
                parent.insert(property.to_owned(), elements.into());
                serde_json::Value::Object(parent)
            })
            .collect()
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DataOptions {
    /// Rows of a report listing users, groups, sites or apps; every report with
    /// [`DataOptions::quirks`].
    pub rows: usize,
    /// The service's "today": the refresh date is the day before.
    pub today: NaiveDate,
    /// Columns added, dropped or reordered.
    pub drift: Drift,
    /// Every Nth row (0: none) leaves its first required count empty.
    pub blank_counts_every: usize,
    /// The stress mix instead of realistic data (see [`crate::Config::quirks`]).
    pub quirks: bool,
}

/// The table for one report call. `arguments` are the call's `(name, value)` pairs as written
/// in the path (quotes removed); `version` is `v1.0` or `beta`.
///
/// By default the data reads like a real tenant's (`crate::realistic`): its users, licence
/// flags that agree with dates, one row per day for per-day reports. With
/// [`DataOptions::quirks`] it is the stress mix (`crate::quirks`).
///
/// This is the configured tenant's table; [`crate::Emulator::expected_for`] gives another
/// tenant's.
pub fn generate(
    meta: &'static ReportMeta,
    arguments: &[(String, String)],
    version: &str,
    options: &DataOptions,
) -> Table {
    generate_for_tenant(meta, arguments, version, options, None)
}

/// [`generate`] for a tenant whose data seeds mix in `salt` (its tenant id); `None` is the
/// configured tenant, whose data mixes in nothing.
pub(crate) fn generate_for_tenant(
    meta: &'static ReportMeta,
    arguments: &[(String, String)],
    version: &str,
    options: &DataOptions,
    salt: Option<&str>,
) -> Table {
    let refresh_date = options.today - TimeDelta::days(1);
    let window = Window::of(meta, arguments, refresh_date);
    // One cell per spec column, in the spec's order; drift is applied to these below.
    let full = if options.quirks {
        quirks::rows(meta, arguments, version, options.rows, &window, salt)
    } else {
        realistic::rows(meta, arguments, options.rows, &window, salt)
    };

    let mut columns: Vec<(String, Option<&'static ColumnMeta>)> = meta
        .columns
        .iter()
        .filter(|column| !(options.drift.drop_optional && column.optional))
        .map(|column| (column.header.to_owned(), Some(column)))
        .collect();
    if options.drift.extra_column {
        columns.insert(1.min(columns.len()), (EXTRA_COLUMN.to_owned(), None));
    }
    if options.drift.reverse_columns {
        columns.reverse();
    }
    let sources: Vec<Option<usize>> = columns
        .iter()
        .map(|(header, column)| {
            column.and_then(|_| meta.columns.iter().position(|c| c.header == *header))
        })
        .collect();
    let mut rows: Vec<Vec<Cell>> = full
        .iter()
        .enumerate()
        .map(|(row, cells)| {
            columns
                .iter()
                .zip(&sources)
                .map(|((header, _), source)| match source {
                    Some(index) => cells.get(*index).cloned().unwrap_or(Cell::Empty),
                    None => Cell::Text(format!("{header} {row}")),
                })
                .collect()
        })
        .collect();
    if options.blank_counts_every > 0 {
        let first_count = columns.iter().position(|(_, column)| {
            column.is_some_and(|column| column.ty == ColumnType::Integer && !column.optional)
        });
        if let Some(index) = first_count {
            let every = options.blank_counts_every;
            for row in rows.iter_mut().skip(every - 1).step_by(every) {
                row[index] = Cell::Empty;
            }
        }
    }
    // Where beta JSON nests rows under an item (a user, a team), the stress mix makes every odd
    // row repeat the item's own values of the row before, so the JSON item holds two nested
    // elements. Realistic rows group on their own: per-day rows share their item's values.
    if options.quirks && meta.json_nested.is_some() {
        for row in (1..rows.len()).step_by(2) {
            for (index, (_, column)) in columns.iter().enumerate() {
                if column.is_none_or(|column| !column.json_nested) {
                    rows[row][index] = rows[row - 1][index].clone();
                }
            }
        }
    }
    Table {
        meta,
        columns,
        rows,
    }
}

fn camel(header: &str) -> String {
    let mut out = String::new();
    for (index, word) in header.split_whitespace().enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if index == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

fn quote(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A stable tag for a report file: the same bytes, the same tag.
pub fn etag(file: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.write_bytes(file);
    format!("\"{:016x}\"", hash.0)
}
