//! What a row is made from: a CSV record with the file's columns resolved, or one beta JSON row
//! object. Typed rows (every [`Report`]) decode CSV by position (generated code) and JSON
//! through serde; [`AnyRow`] keeps the cells as they came, for reports chosen at run time.

use serde::de::Error as _;

use super::cells::{CsvColumns, CsvRecord};
use super::error::{Error, ErrorKind, Position};
use super::meta::Report;

/// A row of a report, as the runtime decodes it. Implemented by every generated row type (every
/// [`Report`]) and by [`AnyRow`].
pub trait Row: Sized + Send + 'static {
    /// Decodes one CSV record; `columns` says where each column sits in the file. The error
    /// names the column; the decoder adds the line and record.
    fn from_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error>;

    /// Decodes one beta JSON row object (nested JSON already merged into one object per row).
    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error>;
}

impl<R: Report> Row for R {
    fn from_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error> {
        R::decode_csv(record, columns)
    }

    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

/// One row of any report, cells by column name in file order: CSV cells as text keyed by the
/// file's headers, JSON values as Graph sent them keyed by its property names. For a report the
/// SDK knows, [`AnyReport`](crate::AnyReport) decodes the typed row first and keys the map by the
/// CSV headers with typed values; the file's columns the spec does not know (see
/// [`SchemaDrift::unknown_columns`](crate::SchemaDrift::unknown_columns)) follow under their own
/// names, CSV cells as text and JSON values as Graph sent them, so a column Microsoft added
/// since the spec is not lost.
pub type AnyRow = serde_json::Map<String, serde_json::Value>;

impl Row for AnyRow {
    fn from_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error> {
        columns
            .headers()
            .iter()
            .zip(record.iter())
            .map(|(header, cell)| Ok((header.to_owned(), text_cell(header, cell)?)))
            .collect()
    }

    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        match value {
            serde_json::Value::Object(row) => Ok(row),
            other => Err(serde_json::Error::custom(format!(
                "a JSON row must be an object, found {}",
                json_kind(&other)
            ))),
        }
    }
}

/// A CSV cell of the column `header` as a JSON string; the error names the column, the decoder
/// adds the line and record.
pub(crate) fn text_cell(header: &str, cell: &[u8]) -> Result<serde_json::Value, Error> {
    match std::str::from_utf8(cell) {
        Ok(text) => Ok(text.into()),
        Err(err) => Err(Error::new(ErrorKind::Decode, "a cell is not valid UTF-8")
            .with_position(Position {
                line: None,
                record: 0,
                column: Some(header.to_owned()),
            })
            .with_source(err)),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
