//! `--out`: writing typed rows to a file as CSV, a JSON array or JSON lines, while they stream.

use std::path::{Path, PathBuf};

use reports_sdk::AnyRow;
use tokio::io::AsyncWriteExt;

use crate::failure::Failure;

/// Encoded rows are handed to the file in pieces of about this size, so memory stays bounded
/// whatever the report's size.
const FLUSH_AT: usize = 64 * 1024;

/// How rows are written, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// `.csv`: a header line with the CSV headers, then one record per row.
    Csv,
    /// `.json`: one array of objects keyed by the CSV headers.
    JsonArray,
    /// `.jsonl` or `.ndjson`: one object per line.
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

/// A cell as CSV text: text as it is, numbers and booleans as JSON writes them, nothing for
/// `null` or a column the row lacks.
fn csv_cell(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Rows on their way into a file.
pub struct RowSink {
    file: tokio::fs::File,
    path: PathBuf,
    encoder: Encoder,
    /// The CSV headers, for a header line even when the report has no rows.
    headers: Vec<&'static str>,
    rows: u64,
}

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
    pub async fn create(out: &OutPath, headers: Vec<&'static str>) -> Result<RowSink, Failure> {
        let file = tokio::fs::File::create(&out.path)
            .await
            .map_err(|err| Failure::other(format!("cannot create {}", show(&out.path)), err))?;
        let encoder = match out.format {
            OutFormat::Csv => Encoder::Csv(Box::new(csv::Writer::from_writer(Vec::new()))),
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
            headers,
            rows: 0,
        })
    }

    /// The file written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Encodes one row (cells keyed by CSV header), writing to the file when enough has piled
    /// up. CSV takes the cells of the sink's headers, in their order.
    pub async fn write(&mut self, row: &AnyRow) -> Result<(), Failure> {
        let encoded = match &mut self.encoder {
            Encoder::Csv(writer) => {
                let header = if self.rows == 0 {
                    writer.write_record(&self.headers)
                } else {
                    Ok(())
                };
                header
                    .and_then(|()| {
                        writer.write_record(
                            self.headers.iter().map(|header| csv_cell(row.get(*header))),
                        )
                    })
                    .map_err(Into::into)
            }
            Encoder::Json { buffer, array } => {
                let separator: &[u8] = match (*array, self.rows) {
                    (true, 0) => b"[\n",
                    (true, _) => b",\n",
                    (false, _) => b"",
                };
                buffer.extend_from_slice(separator);
                let encoded = serde_json::to_writer(&mut *buffer, row);
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
                writer.write_record(&self.headers).map_err(Into::into)
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
                let successor = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
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
