//! One Parquet column on its way into a record batch: the Arrow type a spec column type becomes,
//! and each cell of a row, as the SDK hands it over, checked and appended to the column's
//! builder.
//!
//! Rows of a report the SDK knows arrive typed ([`reports_sdk::AnyReport`] serializes the typed
//! row): dates as `YYYY-MM-DD`, timestamps in RFC 3339, durations as `hh:mm:ss`, lists joined
//! by their separator, integers and booleans as JSON numbers and booleans, `null` for an empty
//! optional cell. Rows read from a CSV file without the typed row hold every cell as text, so
//! text is accepted for every type too, read as the SDK's decoder reads it.

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::types::Date32Type;
use arrow_schema::{DataType, Field, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use reports_sdk::{ColumnMeta, ColumnType};
use serde_json::Value;

/// Timestamps are written in UTC, as Graph serves them: readers (DuckDB's `TIMESTAMPTZ`,
/// Polars' `Datetime(tz="UTC")`) then know the instant, not just a wall-clock time.
pub const UTC: &str = "UTC";

/// A day as a `Date32` value, as the date columns store it.
pub fn days_since_epoch(day: NaiveDate) -> i32 {
    Date32Type::from_naive_date(day)
}

/// The Arrow type of a spec column type.
///
/// Durations become whole seconds in an `Int64`, not Arrow's `Duration`: Parquet has no
/// duration type, so arrow-rs writes one as a bare `INT64` of microseconds that only Arrow-based
/// readers (Polars, pyarrow) turn back into a duration, while DuckDB and Spark show the raw
/// microseconds. Seconds read the same everywhere, and match Graph's own `... In Seconds`
/// integer columns next to the `hh:mm:ss` ones.
pub fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Date => DataType::Date32,
        ColumnType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
        ColumnType::Integer | ColumnType::Duration => DataType::Int64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::List { .. } => DataType::List(Arc::new(list_item())),
        // String, and any type a later SDK adds: kept as the text the row holds.
        _ => DataType::Utf8,
    }
}

/// The items of a list column: text, nullable like everything Microsoft declares.
fn list_item() -> Field {
    Field::new_list_field(DataType::Utf8, true)
}

/// A cell that does not fit its column's type.
#[derive(Debug)]
pub struct BadCell {
    /// The column's CSV header.
    pub column: &'static str,
    /// What the column holds.
    pub expected: &'static str,
    /// The cell as it came, cut to [`SHOWN_CHARS`] characters.
    pub found: String,
}

/// At most this much of a bad cell is quoted: enough to recognise it, not a megabyte of it.
pub const SHOWN_CHARS: usize = 200;

impl std::fmt::Display for BadCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "column {:?}: expected {}, found {}",
            self.column, self.expected, self.found
        )
    }
}

impl std::error::Error for BadCell {}

/// A cell checked against its column's type, ready to append. Rows are checked whole before any
/// cell is appended, so a bad cell leaves every column the same length.
pub enum Cell<'a> {
    Null,
    /// Days since 1970-01-01.
    Day(i32),
    /// A whole number, seconds of a duration, or microseconds since 1970 of a timestamp.
    Int(i64),
    Bool(bool),
    Text(&'a str),
    /// A number or boolean in a text column, as its JSON text.
    OwnedText(String),
    List(Vec<String>),
}

/// A cell of a column the spec does not know, as text: a CSV cell as it came (empty is null,
/// as in every other column), a JSON value by its JSON text.
pub fn as_text(cell: Option<&serde_json::Value>) -> Cell<'_> {
    match cell {
        None | Some(serde_json::Value::Null) => Cell::Null,
        Some(serde_json::Value::String(text)) if text.is_empty() => Cell::Null,
        Some(serde_json::Value::String(text)) => Cell::Text(text),
        Some(other) => Cell::OwnedText(other.to_string()),
    }
}

/// Checks one cell (`None`: the row has no such column) against `column`'s type.
pub fn check<'a>(
    column: &'static ColumnMeta,
    value: Option<&'a Value>,
) -> Result<Cell<'a>, BadCell> {
    let Some(value) = value else {
        return Ok(Cell::Null);
    };
    let bad = |expected: &'static str| BadCell {
        column: column.header,
        expected,
        found: shown(value),
    };
    // Text of a typed column: an empty CSV cell is a missing value, as the decoder reads it.
    let text = match value {
        Value::Null => return Ok(Cell::Null),
        Value::String(text) => Some(text.as_str()),
        _ => None,
    };
    let non_empty = text.map(str::trim).filter(|text| !text.is_empty());
    // The decoder reads an empty cell of an optional column as a missing value, whatever its
    // type; rows read as text still hold it as `""`. A required text or list column keeps it
    // as empty text or no items, as its typed row does.
    if column.optional && text.is_some_and(str::is_empty) {
        return Ok(Cell::Null);
    }
    match column.ty {
        ColumnType::Date => {
            const EXPECTED: &str = "a date (YYYY-MM-DD)";
            let text = match (text, non_empty) {
                (Some(_), None) => return Ok(Cell::Null),
                (_, Some(text)) => text,
                (None, _) => return Err(bad(EXPECTED)),
            };
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|date| Cell::Day(days_since_epoch(date)))
                .map_err(|_| bad(EXPECTED))
        }
        ColumnType::DateTime => {
            const EXPECTED: &str = "a timestamp (RFC 3339, or YYYY-MM-DD hh:mm:ss in UTC)";
            match (text, non_empty) {
                (Some(_), None) => Ok(Cell::Null),
                (_, Some(text)) => timestamp(text)
                    .map(|stamp| Cell::Int(stamp.timestamp_micros()))
                    .ok_or_else(|| bad(EXPECTED)),
                (None, _) => Err(bad(EXPECTED)),
            }
        }
        ColumnType::Integer => {
            const EXPECTED: &str = "a whole number";
            match (value, non_empty) {
                (Value::Number(number), _) => {
                    number.as_i64().map(Cell::Int).ok_or_else(|| bad(EXPECTED))
                }
                (_, Some(text)) => integer(text).map(Cell::Int).ok_or_else(|| bad(EXPECTED)),
                (Value::String(_), None) => Ok(Cell::Null),
                _ => Err(bad(EXPECTED)),
            }
        }
        ColumnType::Boolean => {
            const EXPECTED: &str = "True or False";
            match (value, non_empty) {
                (Value::Bool(flag), _) => Ok(Cell::Bool(*flag)),
                (_, Some(text)) if text.eq_ignore_ascii_case("true") => Ok(Cell::Bool(true)),
                (_, Some(text)) if text.eq_ignore_ascii_case("false") => Ok(Cell::Bool(false)),
                (Value::String(_), None) => Ok(Cell::Null),
                _ => Err(bad(EXPECTED)),
            }
        }
        ColumnType::Duration => {
            const EXPECTED: &str = "a duration in whole seconds (hh:mm:ss)";
            match (value, non_empty) {
                (Value::Number(number), _) => {
                    number.as_i64().map(Cell::Int).ok_or_else(|| bad(EXPECTED))
                }
                (_, Some(text)) => clock_seconds(text)
                    .map(Cell::Int)
                    .ok_or_else(|| bad(EXPECTED)),
                (Value::String(_), None) => Ok(Cell::Null),
                _ => Err(bad(EXPECTED)),
            }
        }
        ColumnType::List { .. } => {
            const EXPECTED: &str = "a list of text";
            match value {
                // Typed rows join the items as Graph does; split them as the decoder does, so an
                // item with a spaced separator inside (`ENTERPRISE MOBILITY + SECURITY E5`)
                // stays one item.
                Value::String(text) => {
                    Ok(Cell::List(column.ty.split_list(text).unwrap_or_default()))
                }
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
                    .map(Cell::List)
                    .ok_or_else(|| bad(EXPECTED)),
                _ => Err(bad(EXPECTED)),
            }
        }
        _ => match value {
            Value::String(text) => Ok(Cell::Text(text)),
            Value::Number(_) | Value::Bool(_) => Ok(Cell::OwnedText(value.to_string())),
            _ => Err(bad("text")),
        },
    }
}

/// A timestamp as the SDK's decoder reads one: RFC 3339, or without an offset in UTC.
fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(stamp) = DateTime::parse_from_rfc3339(text) {
        return Some(stamp.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|pattern| NaiveDateTime::parse_from_str(text, pattern).ok())
        .map(|naive| naive.and_utc())
}

/// ASCII digits with an optional leading `-`, as Graph writes whole numbers: a `+`, a fraction
/// or an exponent means the column is not the integer the spec says.
fn integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `hh:mm:ss` as whole seconds. Graph writes whole seconds; a fraction other than zeros is
/// refused rather than rounded, since the column could then not say what Graph served.
fn clock_seconds(text: &str) -> Option<i64> {
    let mut parts = text.split(':');
    let (hours, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (seconds, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
    if !fraction.bytes().all(|byte| byte == b'0') {
        return None;
    }
    let number = |text: &str| {
        (!text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| text.parse::<i64>().ok())
            .flatten()
    };
    let (minutes, seconds) = (number(minutes)?, number(seconds)?);
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    number(hours)?
        .checked_mul(3600)?
        .checked_add(minutes * 60 + seconds)
}

/// The cell as the message quotes it: text in quotes, anything else as JSON, cut on a
/// character boundary.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{:?}... (cut; {} bytes in all)", &text[..cut], text.len()),
        None => format!("{text:?}"),
    }
}

/// The rows of one column buffered for the next record batch.
pub enum Builder {
    Date(Date32Builder),
    DateTime(TimestampMicrosecondBuilder),
    Int(Int64Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    /// An empty builder for a column of type `ty`.
    pub fn new(ty: ColumnType) -> Builder {
        match data_type(ty) {
            DataType::Date32 => Builder::Date(Date32Builder::new()),
            DataType::Timestamp(..) => {
                Builder::DateTime(TimestampMicrosecondBuilder::new().with_timezone(UTC))
            }
            DataType::Int64 => Builder::Int(Int64Builder::new()),
            DataType::Boolean => Builder::Bool(BooleanBuilder::new()),
            DataType::List(_) => {
                Builder::List(ListBuilder::new(StringBuilder::new()).with_field(list_item()))
            }
            _ => Builder::Text(StringBuilder::new()),
        }
    }

    /// Appends a cell [`check`]ed against this column, returning the bytes of text it holds
    /// (what the batch's size is counted by).
    pub fn append(&mut self, cell: Cell<'_>) -> usize {
        match (self, cell) {
            (Builder::Date(builder), Cell::Day(days)) => {
                builder.append_value(days);
                0
            }
            (Builder::DateTime(builder), Cell::Int(micros)) => {
                builder.append_value(micros);
                0
            }
            (Builder::Int(builder), Cell::Int(value)) => {
                builder.append_value(value);
                0
            }
            (Builder::Bool(builder), Cell::Bool(value)) => {
                builder.append_value(value);
                0
            }
            (Builder::Text(builder), Cell::Text(text)) => {
                builder.append_value(text);
                text.len()
            }
            (Builder::Text(builder), Cell::OwnedText(text)) => {
                builder.append_value(&text);
                text.len()
            }
            (Builder::List(builder), Cell::List(items)) => {
                let bytes = items.iter().map(String::len).sum();
                for item in &items {
                    builder.values().append_value(item);
                }
                builder.append(true);
                bytes
            }
            // Null, and (never, as `check` made the cell for this column's type) a cell of
            // another type: a missing value rather than a panic.
            (builder, _) => {
                builder.append_null();
                0
            }
        }
    }

    fn append_null(&mut self) {
        match self {
            Builder::Date(builder) => builder.append_null(),
            Builder::DateTime(builder) => builder.append_null(),
            Builder::Int(builder) => builder.append_null(),
            Builder::Bool(builder) => builder.append_null(),
            Builder::Text(builder) => builder.append_null(),
            Builder::List(builder) => builder.append_null(),
        }
    }

    /// The buffered rows as an array, leaving the builder empty for the next batch.
    pub fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Date(builder) => Arc::new(builder.finish()),
            Builder::DateTime(builder) => Arc::new(builder.finish()),
            Builder::Int(builder) => Arc::new(builder.finish()),
            Builder::Bool(builder) => Arc::new(builder.finish()),
            Builder::Text(builder) => Arc::new(builder.finish()),
            Builder::List(builder) => Arc::new(builder.finish()),
        }
    }
}
