//! Columns holding one value in every row of a file: what the lake adds to a report's own
//! columns (the tenant, Graph's Report Refresh Date, when it was fetched), so a file read without its folder
//! names (no Hive partitioning, a file copied elsewhere) still says what it holds.

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, TimeUnit};
use chrono::{DateTime, NaiveDate, Utc};

use super::column::UTC;

/// One constant column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constant {
    /// The column's name.
    pub name: &'static str,
    /// Its value in every row.
    pub value: ConstantValue,
}

/// The value of a [`Constant`], typed as the spec's columns of that kind are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstantValue {
    /// `Utf8`.
    Text(String),
    /// `Date32`, null when unknown (a file of no row has no Report Refresh Date).
    Date(Option<NaiveDate>),
    /// `Timestamp(µs, UTC)`: sub-microsecond digits are dropped.
    Timestamp(DateTime<Utc>),
}

impl Constant {
    /// The column's field: nullable like every other column, so schemas union cleanly.
    pub fn field(&self) -> Field {
        let ty = match self.value {
            ConstantValue::Text(_) => DataType::Utf8,
            ConstantValue::Date(_) => DataType::Date32,
            ConstantValue::Timestamp(_) => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into()))
            }
        };
        Field::new(self.name, ty, true)
    }

    /// The value repeated `rows` times.
    pub fn array(&self, rows: usize) -> ArrayRef {
        match &self.value {
            ConstantValue::Text(text) => Arc::new(StringArray::from_iter_values(
                std::iter::repeat_n(text.as_str(), rows),
            )),
            ConstantValue::Date(day) => {
                let days = day.map(super::column::days_since_epoch);
                Arc::new(Date32Array::from(vec![days; rows]))
            }
            ConstantValue::Timestamp(stamp) => Arc::new(
                TimestampMicrosecondArray::from(vec![stamp.timestamp_micros(); rows])
                    .with_timezone(UTC),
            ),
        }
    }
}
