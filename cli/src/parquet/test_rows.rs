//! Rows for the sink's tests, made from a report's column metadata: each cell is chosen first
//! as the value the file must hold, then written the two ways rows reach the sink, as the SDK
//! serializes a typed row and as the text of a CSV file. The tests compare the file with the
//! chosen values, never with the sink's own conversion.

use chrono::{NaiveDate, SecondsFormat, TimeDelta};
use reports_sdk::{AnyRow, ColumnMeta, ColumnType, CsvReader, ReportMeta};
use serde_json::json;

/// A cell of the file, or of the generated rows, in one comparable shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Day(NaiveDate),
    /// A timestamp, in microseconds since 1970 (UTC).
    Micros(i64),
    /// An integer, or the seconds of a duration.
    Int(i64),
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

/// Product names for list columns, one with the separator inside, spaced, as real ones have.
const PRODUCTS: &[&str] = &[
    "MICROSOFT 365 E3",
    "ENTERPRISE MOBILITY + SECURITY E5",
    "Teams",
    "Exchange Online (Plan 1)",
];

/// Text with what CSV has to quote, and more than ASCII.
const TEXTS: &[&str] = &[
    "adele.vance@contoso.com",
    "Sales, \"EMEA\"",
    "first line\r\nsecond line",
    "Zoë 日本 🚀",
    "  padded  ",
];

/// SplitMix64 of the cell's place: the same report, row and column always give the same cell.
fn roll(row: usize, column: usize) -> u64 {
    let mut z = ((row as u64) << 20) ^ column as u64;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The value row `row` holds in the column at `index`. Optional columns are blank one row in
/// five, required ones one in seven (Microsoft declares every property nullable, and a blank
/// count does happen): blank is a missing value, except that a required text or list column
/// holds empty text or no items, as its typed row does.
pub fn value(column: &ColumnMeta, index: usize, row: usize) -> Value {
    let roll = roll(row, index);
    let blank = if column.optional {
        roll % 5 == 0
    } else {
        roll % 7 == 0
    };
    if blank {
        return match column.ty {
            ColumnType::String if !column.optional => Value::Text(String::new()),
            ColumnType::List { .. } if !column.optional => Value::List(Vec::new()),
            _ => Value::Null,
        };
    }
    let pick = (roll >> 8) as usize;
    match column.ty {
        ColumnType::Date => {
            let epoch = NaiveDate::default();
            // Around 1970 too, where days since the epoch change sign.
            Value::Day(epoch + TimeDelta::days((pick % 40_000) as i64 - 1_000))
        }
        // Whole seconds, and microseconds on some rows.
        ColumnType::DateTime => Value::Micros(
            1_700_000_000_000_000
                + (pick % 50_000_000) as i64 * 1_000_000
                + if row % 3 == 0 {
                    (pick % 1_000_000) as i64
                } else {
                    0
                },
        ),
        ColumnType::Integer => Value::Int(match row % 6 {
            0 => 0,
            1 => i64::MAX,
            2 => -((pick % 1000) as i64),
            _ => (pick % 100_000) as i64,
        }),
        ColumnType::Boolean => Value::Bool(pick % 2 == 0),
        // Up to about 111 hours: hours past 99 too.
        ColumnType::Duration => Value::Int((pick % 400_000) as i64),
        ColumnType::List { .. } => Value::List(
            (0..pick % 4)
                .map(|offset| PRODUCTS[(row + offset) % PRODUCTS.len()].to_owned())
                .collect(),
        ),
        _ => Value::Text(format!("{} {}", TEXTS[pick % TEXTS.len()], row)),
    }
}

/// `rows` rows of values for `meta`, one per spec column.
pub fn values(meta: &ReportMeta, rows: usize) -> Vec<Vec<Value>> {
    (0..rows)
        .map(|row| {
            meta.columns
                .iter()
                .enumerate()
                .map(|(index, column)| value(column, index, row))
                .collect()
        })
        .collect()
}

/// `hh:mm:ss`, as typed rows write a duration.
fn clock(seconds: i64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn stamp(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap()
}

fn joined(column: &ColumnMeta, items: &[String]) -> String {
    match column.ty {
        ColumnType::List { separator } => items.join(&separator.to_string()),
        _ => unreachable!("only list columns hold lists"),
    }
}

/// The rows as the SDK hands them over for a report it knows: each typed row serialized.
/// Some rows leave a blank optional column out instead of holding `null`, and some hold a list
/// as an array, as a JSON row can.
pub fn typed_rows(meta: &ReportMeta, values: &[Vec<Value>]) -> Vec<AnyRow> {
    values
        .iter()
        .enumerate()
        .map(|(row, cells)| {
            meta.columns
                .iter()
                .zip(cells)
                .filter(|(_, value)| !(row % 2 == 1 && **value == Value::Null))
                .map(|(column, value)| {
                    let json = match (column.ty, value) {
                        (_, Value::Null) => serde_json::Value::Null,
                        (_, Value::Day(day)) => json!(day.format("%Y-%m-%d").to_string()),
                        (_, Value::Micros(micros)) => {
                            json!(stamp(*micros).to_rfc3339_opts(SecondsFormat::AutoSi, true))
                        }
                        (ColumnType::Duration, Value::Int(seconds)) => json!(clock(*seconds)),
                        (_, Value::Int(number)) => json!(number),
                        (_, Value::Bool(flag)) => json!(flag),
                        (_, Value::Text(text)) => json!(text),
                        (_, Value::List(items)) if row % 4 == 3 => json!(items),
                        (_, Value::List(items)) => json!(joined(column, items)),
                    };
                    (column.header.to_owned(), json)
                })
                .collect()
        })
        .collect()
}

/// The rows as the SDK reads a CSV file without the typed row (every cell as text, keyed by
/// header): the file written as Graph writes it, then read with [`CsvReader`].
pub fn text_rows(meta: &'static ReportMeta, values: &[Vec<Value>]) -> Vec<AnyRow> {
    let mut file = csv::Writer::from_writer(Vec::new());
    file.write_record(meta.columns.iter().map(|column| column.header))
        .unwrap();
    for (row, cells) in values.iter().enumerate() {
        let record = meta.columns.iter().zip(cells).map(|(column, value)| {
            match (column.ty, value) {
                (_, Value::Null) => String::new(),
                (_, Value::Day(day)) => day.format("%Y-%m-%d").to_string(),
                // Graph's ISO form, and the space-separated one the decoder accepts too.
                (_, Value::Micros(micros)) if row % 2 == 0 => {
                    stamp(*micros).to_rfc3339_opts(SecondsFormat::AutoSi, true)
                }
                (_, Value::Micros(micros)) => {
                    stamp(*micros).format("%Y-%m-%d %H:%M:%S%.f").to_string()
                }
                (ColumnType::Duration, Value::Int(seconds)) => clock(*seconds),
                (_, Value::Int(number)) => number.to_string(),
                (_, Value::Bool(true)) => ["True", "true", "TRUE"][row % 3].to_owned(),
                (_, Value::Bool(false)) => "False".to_owned(),
                (_, Value::Text(text)) => text.clone(),
                (_, Value::List(items)) => joined(column, items),
            }
        });
        file.write_record(record.collect::<Vec<_>>()).unwrap();
    }
    let bytes = file.into_inner().unwrap();
    CsvReader::<AnyRow, _>::with_meta(meta, bytes.as_slice())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
