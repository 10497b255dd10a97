//! `--out`: writing typed rows to a file as CSV, a JSON array or JSON lines, while they stream.
//! Each is written the way Graph itself writes the report, so the file can stand in for one
//! downloaded by hand: CSV with Graph's headers, UTF-8 BOM, CRLF, `True`/`False` and lists
//! joined by their separator; JSON with Graph's property names, lists as arrays, booleans as
//! booleans and durations in ISO 8601.

use std::path::{Path, PathBuf};

use reports_sdk::{AnyRow, ColumnMeta, ColumnType, ReportMeta};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::failure::Failure;

/// Encoded rows are handed to the file in pieces of about this size, so memory stays bounded
/// whatever the report's size.
const FLUSH_AT: usize = 64 * 1024;

/// How rows are written, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// `.csv`: the file Graph serves (its headers, BOM, CRLF, its cell formats).
    Csv,
    /// `.json`: one array of the objects Graph's beta JSON serves.
    JsonArray,
    /// `.jsonl` or `.ndjson`: one such object per line.
    JsonLines,
}

/// Where `--out` writes, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutPath {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: OutFormat,
}

impl OutPath {
    /// Reads `--out`'s value; the extension decides the format.
    pub fn parse(text: &str) -> Result<OutPath, String> {
        let path = PathBuf::from(text);
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        let format = match extension.as_deref() {
            Some("csv") => OutFormat::Csv,
            Some("json") => OutFormat::JsonArray,
            Some("jsonl" | "ndjson") => OutFormat::JsonLines,
            _ => {
                return Err(format!(
                    "--out: cannot tell the format of {text:?}; end it with .csv, .json, .jsonl or .ndjson"
                ));
            }
        };
        Ok(OutPath { path, format })
    }

    /// The file for one of several reports: `key` goes before the extension
    /// (`out.csv` -> `out.office365_activation_counts.csv`).
    pub fn for_part(&self, key: &str) -> OutPath {
        let stem = self
            .path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let extension = self
            .path
            .extension()
            .map(|extension| extension.to_string_lossy().into_owned())
            .unwrap_or_default();
        OutPath {
            path: self
                .path
                .with_file_name(format!("{stem}.{key}.{extension}")),
            format: self.format,
        }
    }
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

/// Rows on their way into a file.
pub struct RowSink {
    file: tokio::fs::File,
    path: PathBuf,
    encoder: Encoder,
    /// The report: its columns' CSV headers and JSON names, in spec order.
    meta: &'static ReportMeta,
    rows: u64,
}

/// What Graph puts before a CSV file's header.
const BOM: &[u8] = "\u{feff}".as_bytes();

enum Encoder {
    /// Boxed: the writer carries its own buffer, much bigger than the other variant.
    Csv(Box<csv::Writer<Vec<u8>>>),
    Json {
        buffer: Vec<u8>,
        array: bool,
    },
}

impl RowSink {
    /// Creates (or truncates) the file.
    pub async fn create(out: &OutPath, meta: &'static ReportMeta) -> Result<RowSink, Failure> {
        let file = tokio::fs::File::create(&out.path)
            .await
            .map_err(|err| Failure::other(format!("cannot create {}", show(&out.path)), err))?;
        let encoder = match out.format {
            OutFormat::Csv => Encoder::Csv(Box::new(csv_writer(meta, BOM.to_vec()))),
            OutFormat::JsonArray => Encoder::Json {
                buffer: Vec::new(),
                array: true,
            },
            OutFormat::JsonLines => Encoder::Json {
                buffer: Vec::new(),
                array: false,
            },
        };
        Ok(RowSink {
            file,
            path: out.path.clone(),
            encoder,
            meta,
            rows: 0,
        })
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Encodes one row (cells keyed by CSV header), writing to the file when enough has piled
    /// up. Cells are written in spec order.
    pub async fn write(&mut self, row: &AnyRow) -> Result<(), Failure> {
        let meta = self.meta;
        let encoded = match &mut self.encoder {
            Encoder::Csv(writer) => {
                let header = if self.rows == 0 {
                    writer.write_record(headers(meta))
                } else {
                    Ok(())
                };
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
                header
                    .and_then(|()| writer.write_record(&cells))
                    .map_err(Into::into)
            }
            Encoder::Json { buffer, array } => {
                let separator: &[u8] = match (*array, self.rows) {
                    (true, 0) => b"[\n",
                    (true, _) => b",\n",
                    (false, _) => b"",
                };
                buffer.extend_from_slice(separator);
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
                let encoded = serde_json::to_writer(&mut *buffer, &object);
                if !*array {
                    buffer.push(b'\n');
                }
                encoded.map_err(Into::into)
            }
        };
        encoded.map_err(|err: Box<dyn std::error::Error + Send + Sync>| {
            Failure::other(format!("cannot encode a row for {}", show(&self.path)), err)
        })?;
        self.rows += 1;
        if self.buffered() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// Closes and deletes the file, for a report that failed part way. A file that cannot be
    /// deleted is left; the failure being reported matters more.
    pub async fn discard(self) {
        let path = self.path.clone();
        drop(self);
        let _ = tokio::fs::remove_file(&path).await;
    }

    /// Ends the file (CSV header of an empty report, the array's closing bracket) and flushes it.
    pub async fn finish(mut self) -> Result<(), Failure> {
        let path = self.path.clone();
        let ending = match &mut self.encoder {
            Encoder::Csv(writer) if self.rows == 0 => {
                writer.write_record(headers(self.meta)).map_err(Into::into)
            }
            Encoder::Json {
                buffer,
                array: true,
            } => {
                buffer.extend_from_slice(if self.rows == 0 { b"[]\n" } else { b"\n]\n" });
                Ok(())
            }
            _ => Ok(()),
        };
        ending.map_err(|err: Box<dyn std::error::Error + Send + Sync>| {
            Failure::other(format!("cannot write {}", show(&path)), err)
        })?;
        self.flush().await?;
        self.file
            .flush()
            .await
            .map_err(|err| Failure::other(format!("cannot write {}", show(&path)), err))
    }

    fn buffered(&self) -> usize {
        match &self.encoder {
            Encoder::Csv(writer) => writer.get_ref().len(),
            Encoder::Json { buffer, .. } => buffer.len(),
        }
    }

    /// Hands what is encoded so far to the file.
    async fn flush(&mut self) -> Result<(), Failure> {
        let write_error = |err: std::io::Error, path: &Path| {
            Failure::other(format!("cannot write {}", show(path)), err)
        };
        let bytes = match &mut self.encoder {
            Encoder::Csv(writer) => {
                // A csv writer only lets go of its `Vec` by being consumed; the header line is
                // out by now (rows were written, or `finish` wrote it), so its successor must
                // not write another.
                let successor = csv_writer(self.meta, Vec::new());
                std::mem::replace(&mut **writer, successor)
                    .into_inner()
                    .map_err(|err| write_error(err.into_error(), &self.path))?
            }
            Encoder::Json { buffer, .. } => std::mem::take(buffer),
        };
        self.file
            .write_all(&bytes)
            .await
            .map_err(|err| write_error(err, &self.path))
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

fn show(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_decides_the_format() {
        assert_eq!(OutPath::parse("a.csv").unwrap().format, OutFormat::Csv);
        assert_eq!(OutPath::parse("a.CSV").unwrap().format, OutFormat::Csv);
        assert_eq!(
            OutPath::parse("a.json").unwrap().format,
            OutFormat::JsonArray
        );
        assert_eq!(
            OutPath::parse("a.jsonl").unwrap().format,
            OutFormat::JsonLines
        );
        assert_eq!(
            OutPath::parse("a.ndjson").unwrap().format,
            OutFormat::JsonLines
        );
        assert!(OutPath::parse("a.txt").unwrap_err().contains(".csv"));
        assert!(OutPath::parse("rows").is_err());
    }

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
    fn each_report_gets_its_own_file() {
        let out = OutPath::parse("dir/out.csv").unwrap();
        assert_eq!(
            out.for_part("office365_activation_counts").path,
            PathBuf::from("dir/out.office365_activation_counts.csv")
        );
        let out = OutPath::parse("rows.v2.jsonl").unwrap();
        assert_eq!(out.for_part("x").path, PathBuf::from("rows.v2.x.jsonl"));
    }
}
