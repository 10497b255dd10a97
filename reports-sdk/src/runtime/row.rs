//! What a row is made from: a CSV record named by its header, or one beta JSON row object.
//! Typed rows (every [`Report`]) decode through serde; [`AnyRow`] keeps the cells as they came,
//! for reports chosen at run time.

use csv::StringRecord;
use serde::de::Error as _;

use super::meta::Report;

/// A row of a report, as the runtime decodes it. Implemented by every generated row type (every
/// [`Report`]) and by [`AnyRow`].
pub trait Row: Sized + Send + 'static {
    /// Decodes one CSV record; `headers` are the file's trimmed header names, in file order.
    fn from_csv(record: &StringRecord, headers: &StringRecord) -> Result<Self, csv::Error>;

    /// Decodes one beta JSON row object (nested JSON already merged into one object per row).
    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error>;
}

impl<R: Report> Row for R {
    fn from_csv(record: &StringRecord, headers: &StringRecord) -> Result<Self, csv::Error> {
        record.deserialize(Some(headers))
    }

    fn from_json(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

/// One row of any report, cells by column name in file order: CSV cells as text keyed by the
/// file's headers, JSON values as Graph sent them keyed by its property names. For a report the
/// SDK knows, [`AnyReport`](crate::AnyReport) decodes the typed row first and keys the map by the
/// CSV headers with typed values.
pub type AnyRow = serde_json::Map<String, serde_json::Value>;

impl Row for AnyRow {
    fn from_csv(record: &StringRecord, headers: &StringRecord) -> Result<Self, csv::Error> {
        Ok(headers
            .iter()
            .zip(record)
            .map(|(header, cell)| (header.to_owned(), cell.into()))
            .collect())
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
