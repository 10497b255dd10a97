//! Rows encoded the way Graph itself writes the report, so an output file can stand in for one
//! downloaded by hand: CSV with Graph's headers, UTF-8 BOM, CRLF, `True`/`False` and lists
//! joined by their separator; JSON with Graph's property names, lists as arrays, booleans as
//! booleans and durations in ISO 8601. Encoded bytes pile up in memory until taken, so the
//! writer decides when they go out.

use std::error::Error;

use reports_sdk::{AnyRow, ColumnMeta, ColumnType, ReportMeta};
use serde_json::Value;

/// What Graph puts before a CSV file's header.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The text formats rows are encoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Graph's CSV.
    Csv,
    /// An array of Graph's beta JSON objects.
    JsonArray,
    /// The same objects, one per line.
    JsonLines,
}

/// Rows of one report on their way to text.
pub struct TextEncoder {
    buffer: Buffer,
    /// The report: its columns' CSV headers and JSON names, in spec order.
    meta: &'static ReportMeta,
    rows: u64,
}

enum Buffer {
    /// Boxed: the writer carries its own buffer, much bigger than the other variant.
    Csv(Box<csv::Writer<Vec<u8>>>),
    Json {
        bytes: Vec<u8>,
        array: bool,
    },
}

/// Why a row could not be encoded.
pub type EncodeError = Box<dyn Error + Send + Sync>;

impl TextEncoder {
    /// An encoder for `meta`'s rows.
    pub fn new(format: TextFormat, meta: &'static ReportMeta) -> TextEncoder {
        let buffer = match format {
            TextFormat::Csv => Buffer::Csv(Box::new(csv_writer(meta, BOM.to_vec()))),
            TextFormat::JsonArray => Buffer::Json {
                bytes: Vec::new(),
                array: true,
            },
            TextFormat::JsonLines => Buffer::Json {
                bytes: Vec::new(),
                array: false,
            },
        };
        TextEncoder {
            buffer,
            meta,
            rows: 0,
        }
    }

    /// Encodes one row (cells keyed by CSV header), its cells in spec order.
    pub fn row(&mut self, row: &AnyRow) -> Result<(), EncodeError> {
        let meta = self.meta;
        match &mut self.buffer {
            Buffer::Csv(writer) => {
                if self.rows == 0 {
                    writer.write_record(headers(meta))?;
                }
                let mut cells: Vec<String> = meta
                    .columns
                    .iter()
                    .map(|column| csv_cell(column, row.get(column.header)))
                    .collect();
                // Reports with ragged rows leave trailing empty cells out, as Graph does.
                if meta.ragged_rows {
                    while cells.last().is_some_and(String::is_empty) {
                        cells.pop();
                    }
                }
                writer.write_record(&cells)?;
            }
            Buffer::Json { bytes, array } => {
                let separator: &[u8] = match (*array, self.rows) {
                    (true, 0) => b"[\n",
                    (true, _) => b",\n",
                    (false, _) => b"",
                };
                bytes.extend_from_slice(separator);
                let object: serde_json::Map<String, Value> = meta
                    .columns
                    .iter()
                    .map(|column| {
                        (
                            column.json.to_owned(),
                            json_cell(column, row.get(column.header)),
                        )
                    })
                    .collect();
                serde_json::to_writer(&mut *bytes, &object)?;
                if !*array {
                    bytes.push(b'\n');
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the text: the CSV header of an empty report, the array's closing bracket.
    pub fn end(&mut self) -> Result<(), EncodeError> {
        match &mut self.buffer {
            Buffer::Csv(writer) if self.rows == 0 => writer.write_record(headers(self.meta))?,
            Buffer::Json { bytes, array: true } => {
                bytes.extend_from_slice(if self.rows == 0 { b"[]\n" } else { b"\n]\n" });
            }
            _ => {}
        }
        Ok(())
    }

    /// Bytes encoded and not yet taken.
    pub fn buffered(&self) -> usize {
        match &self.buffer {
            Buffer::Csv(writer) => writer.get_ref().len(),
            Buffer::Json { bytes, .. } => bytes.len(),
        }
    }

    /// The bytes encoded since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, EncodeError> {
        match &mut self.buffer {
            Buffer::Csv(writer) => {
                // A csv writer only lets go of its `Vec` by being consumed; the header line is
                // out by now (rows were written, or `end` wrote it), so its successor must not
                // write another.
                let successor = csv_writer(self.meta, Vec::new());
                let bytes = std::mem::replace(&mut **writer, successor)
                    .into_inner()
                    .map_err(|err| err.into_error())?;
                Ok(bytes)
            }
            Buffer::Json { bytes, .. } => Ok(std::mem::take(bytes)),
        }
    }
}

/// A CSV writer as Graph writes: CRLF, fields quoted only where needed, rows of varying
/// length for reports with ragged rows.
fn csv_writer(meta: &ReportMeta, buffer: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::CRLF)
        .flexible(meta.ragged_rows)
        .from_writer(buffer)
}

fn headers(meta: &ReportMeta) -> impl Iterator<Item = &'static str> + '_ {
    meta.columns.iter().map(|column| column.header)
}

/// A cell as Graph writes it in CSV: text as it is, `True`/`False`, nothing for a missing
/// value, list items joined by the column's separator (typed rows serialize lists joined
/// already; an array is joined here).
fn csv_cell(column: &ColumnMeta, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(true)) => "True".to_owned(),
        Some(Value::Bool(false)) => "False".to_owned(),
        Some(Value::Array(items)) => {
            let separator = match column.ty {
                ColumnType::List { separator } => separator.to_string(),
                _ => ",".to_owned(),
            };
            items
                .iter()
                .map(|item| csv_cell(column, Some(item)))
                .collect::<Vec<_>>()
                .join(&separator)
        }
        Some(other) => other.to_string(),
    }
}

/// A cell as Graph's beta JSON writes it: lists as arrays, durations in ISO 8601, everything
/// else as the typed row serializes it.
fn json_cell(column: &ColumnMeta, value: Option<&Value>) -> Value {
    match (column.ty, value) {
        (_, None) => Value::Null,
        (ColumnType::List { .. }, Some(Value::String(text))) => column
            .ty
            .split_list(text)
            .unwrap_or_default()
            .into_iter()
            .map(Value::String)
            .collect(),
        (ColumnType::Duration, Some(Value::String(text))) => {
            iso_duration(text).map_or_else(|| Value::String(text.clone()), Value::String)
        }
        (_, Some(value)) => value.clone(),
    }
}

/// `hh:mm:ss[.fff]` (how the typed rows write a duration) as ISO 8601 seconds: `PT3723S`.
fn iso_duration(clock: &str) -> Option<String> {
    let mut parts = clock.split(':');
    let (hours, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let whole = hours.parse::<u64>().ok()? * 3600 + minutes.parse::<u64>().ok()? * 60;
    let (seconds, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    let total = whole + seconds.parse::<u64>().ok()?;
    if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(match fraction {
        "" => format!("PT{total}S"),
        fraction => format!("PT{total}.{fraction}S"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations_become_iso_8601_seconds() {
        assert_eq!(iso_duration("00:00:00").as_deref(), Some("PT0S"));
        assert_eq!(iso_duration("01:02:03").as_deref(), Some("PT3723S"));
        assert_eq!(iso_duration("100:00:01.5").as_deref(), Some("PT360001.5S"));
        assert_eq!(iso_duration("1:2"), None);
        assert_eq!(iso_duration("a:00:00"), None);
        assert_eq!(iso_duration("00:00:01.x"), None);
    }

    #[test]
    fn csv_cells_are_written_as_graph_writes_them() {
        let text = ColumnMeta::new("Name", "name", "name", ColumnType::String);
        let list = ColumnMeta::new(
            "Items",
            "items",
            "items",
            ColumnType::List { separator: '+' },
        );
        assert_eq!(csv_cell(&text, Some(&Value::Bool(true))), "True");
        assert_eq!(csv_cell(&text, Some(&Value::Bool(false))), "False");
        assert_eq!(csv_cell(&text, Some(&Value::Null)), "");
        assert_eq!(csv_cell(&text, None), "");
        assert_eq!(csv_cell(&text, Some(&serde_json::json!(42))), "42");
        assert_eq!(csv_cell(&text, Some(&serde_json::json!("a, b"))), "a, b");
        assert_eq!(
            csv_cell(&list, Some(&serde_json::json!(["A", "B + C"]))),
            "A+B + C"
        );
    }

    #[test]
    fn an_empty_report_is_still_a_whole_file() {
        let meta = reports_sdk::find_report("office365_activation_counts").unwrap();
        let mut csv = TextEncoder::new(TextFormat::Csv, meta);
        csv.end().unwrap();
        let text = String::from_utf8(csv.take().unwrap()).unwrap();
        assert!(text.starts_with("\u{feff}Report Refresh Date,"), "{text}");
        assert!(text.ends_with("\r\n"), "{text}");

        let mut json = TextEncoder::new(TextFormat::JsonArray, meta);
        json.end().unwrap();
        assert_eq!(json.take().unwrap(), b"[]\n");
    }
}
