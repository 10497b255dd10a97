//! Cells of a Parquet file and of Graph's CSV written one way, so the tests that read Parquet
//! back (`--out-format parquet`, the `sync` lake) compare values, not encodings.
#![allow(
    clippy::unwrap_used,
    dead_code,
    reason = "test helpers; each test crate uses some"
)]

pub mod sync;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use chrono::{DateTime, NaiveDate};
use reports_sdk::{ColumnMeta, ColumnType};

/// A CSV cell as the value the spec's type makes of it, written one way for both sides.
pub fn from_csv(column: &ColumnMeta, cell: Option<&serde_json::Value>) -> Option<String> {
    let text = match cell {
        None | Some(serde_json::Value::Null) => return None,
        Some(serde_json::Value::String(text)) => text.trim(),
        Some(other) => panic!("{}: a CSV cell read as {other}", column.header),
    };
    // An empty cell is a missing value, except in a required text or list column, where the
    // typed row holds an empty string or an empty list.
    if text.is_empty() {
        let empty_value = matches!(column.ty, ColumnType::String | ColumnType::List { .. });
        return (empty_value && !column.optional).then(String::new);
    }
    Some(match column.ty {
        ColumnType::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .unwrap()
            .to_string(),
        ColumnType::DateTime => DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_micros()
            .to_string(),
        ColumnType::Integer => text.parse::<i64>().unwrap().to_string(),
        ColumnType::Boolean => text.eq_ignore_ascii_case("true").to_string(),
        ColumnType::Duration => {
            let parts: Vec<u64> = text.split(':').map(|part| part.parse().unwrap()).collect();
            (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_string()
        }
        ColumnType::List { .. } => column.ty.split_list(text).unwrap().join("\n"),
        ColumnType::String => text.to_owned(),
        other => panic!(
            "{}: a column type this test does not know: {other:?}",
            column.header
        ),
    })
}

/// A Parquet cell written the way `from_csv` writes the CSV's.
pub fn from_parquet(array: &ArrayRef, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Date32 => array
            .as_primitive::<Date32Type>()
            .value_as_date(row)
            .unwrap()
            .to_string(),
        DataType::Timestamp(..) => array
            .as_primitive::<TimestampMicrosecondType>()
            .value(row)
            .to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_owned(),
        DataType::List(_) => {
            let items = array.as_list::<i32>().value(row);
            let items = items.as_string::<i32>();
            (0..items.len())
                .map(|item| items.value(item).to_owned())
                .collect::<Vec<_>>()
                .join("\n")
        }
        other => panic!("a column of type {other} is not one the spec makes"),
    })
}
