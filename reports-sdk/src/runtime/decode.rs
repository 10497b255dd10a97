//! Cell decoders the generated rows name in `#[serde(deserialize_with = ...)]`. Each works for
//! both CSV cells (text: `True`, `2024-01-31`, `01:02:03`, `a+b`) and beta JSON values
//! (`true`, numbers, ISO 8601 durations, arrays, `null`).
//!
//! Outside tests, the `list` decoders go unused when no enabled family has a list column. The
//! unit tests compile the codegen fixtures, whose rows hold every column type, required and
//! optional, so there generated code calls every decoder.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserializer;

use super::meta::{ColumnMeta, ColumnType};
use serde::de::{self, Error as _, SeqAccess, Visitor};

/// How one column type reads a value. Every method but `from_text` defaults to "wrong type".
trait Cell: Sized {
    const EXPECTING: &'static str;
    /// Whether to ask the deserializer to infer the type (integers, booleans, lists must accept
    /// both JSON's typed values and CSV text) or to hand over the raw text.
    const INFER: bool;

    fn from_text(text: &str) -> Result<Self, String>;

    /// The value of an empty cell in a column that is not optional; `Err` means it has none.
    fn empty() -> Result<Self, String> {
        Err(format!(
            "empty cell, but the spec says this column always holds {}; mark it `optional: true` in the spec if Microsoft leaves it empty",
            Self::EXPECTING
        ))
    }

    fn from_bool(value: bool) -> Result<Self, String> {
        Err(format!(
            "expected {}, found boolean {value}",
            Self::EXPECTING
        ))
    }

    fn from_i64(value: i64) -> Result<Self, String> {
        Err(format!(
            "expected {}, found number {value}",
            Self::EXPECTING
        ))
    }

    fn from_f64(value: f64) -> Result<Self, String> {
        Err(format!(
            "expected {}, found number {value}",
            Self::EXPECTING
        ))
    }

    fn from_items(_items: Vec<String>) -> Result<Self, String> {
        Err(format!("expected {}, found a list", Self::EXPECTING))
    }
}

/// Reads one value as `Some`, or `None` for an empty cell, whitespace or `null`.
struct CellVisitor<T>(PhantomData<T>);

impl<'de, T: Cell> Visitor<'de> for CellVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        T::from_text(text).map(Some).map_err(E::custom)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        T::from_bool(value).map(Some).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        T::from_i64(value).map(Some).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        let value = i64::try_from(value)
            .map_err(|_| E::custom(format!("number {value} is too large for an i64")))?;
        self.visit_i64(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        T::from_f64(value).map(Some).map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        read::<D, T>(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<String>()? {
            items.push(item);
        }
        T::from_items(items).map(Some).map_err(A::Error::custom)
    }
}

fn read<'de, D: Deserializer<'de>, T: Cell>(deserializer: D) -> Result<Option<T>, D::Error> {
    let visitor = CellVisitor::<T>(PhantomData);
    if T::INFER {
        deserializer.deserialize_any(visitor)
    } else {
        deserializer.deserialize_str(visitor)
    }
}

fn required<'de, D: Deserializer<'de>, T: Cell>(deserializer: D) -> Result<T, D::Error> {
    match read::<D, T>(deserializer)? {
        Some(value) => Ok(value),
        None => T::empty().map_err(D::Error::custom),
    }
}

fn optional<'de, D: Deserializer<'de>, T: Cell>(deserializer: D) -> Result<Option<T>, D::Error> {
    deserializer.deserialize_option(CellVisitor::<T>(PhantomData))
}

impl Cell for NaiveDate {
    const EXPECTING: &'static str = "a date (YYYY-MM-DD)";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        iso_date(text).ok_or_else(|| format!("expected {}, found {text:?}", Self::EXPECTING))
    }
}

/// `YYYY-MM-DD`, exactly. Reports hold a date in most columns of every row, and chrono's
/// `parse_from_str` reads its format string again on each call: this is several times faster.
pub(crate) fn iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)
}

impl Cell for DateTime<Utc> {
    const EXPECTING: &'static str = "a timestamp (RFC 3339, or YYYY-MM-DD hh:mm:ss in UTC)";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Ok(stamp) = DateTime::parse_from_rfc3339(text) {
            return Ok(stamp.with_timezone(&Utc));
        }
        ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|pattern| NaiveDateTime::parse_from_str(text, pattern).ok())
            .map(|naive| naive.and_utc())
            .ok_or_else(|| format!("expected {}, found {text:?}", Self::EXPECTING))
    }
}

impl Cell for String {
    const EXPECTING: &'static str = "text";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }

    fn empty() -> Result<Self, String> {
        Ok(String::new())
    }
}

impl Cell for i64 {
    const EXPECTING: &'static str = "a whole number";
    const INFER: bool = true;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        text.parse()
            .map_err(|err| format!("expected {}, found {text:?}: {err}", Self::EXPECTING))
    }

    fn from_i64(value: i64) -> Result<Self, String> {
        Ok(value)
    }

    fn from_f64(value: f64) -> Result<Self, String> {
        // Below 2^53 a whole f64 converts to i64 exactly.
        if value.fract() == 0.0 && value.abs() < 9.0e15 {
            Ok(value as i64)
        } else {
            Err(format!("expected {}, found {value}", Self::EXPECTING))
        }
    }
}

impl Cell for bool {
    const EXPECTING: &'static str = "a boolean (True or False)";
    const INFER: bool = true;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if text.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err(format!("expected {}, found {text:?}", Self::EXPECTING))
        }
    }

    fn from_bool(value: bool) -> Result<Self, String> {
        Ok(value)
    }
}

impl Cell for Duration {
    const EXPECTING: &'static str = "a duration (hh:mm:ss or ISO 8601 like PT1H2M3S)";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let parsed = if text.starts_with('P') || text.starts_with('p') {
            iso8601_duration(text)
        } else {
            clock_duration(text)
        };
        parsed.ok_or_else(|| format!("expected {}, found {text:?}", Self::EXPECTING))
    }
}

/// `hh:mm:ss` with optional fractional seconds; hours may exceed 24 and have any width.
fn clock_duration(text: &str) -> Option<Duration> {
    let mut parts = text.split(':');
    let (hours, minutes, seconds) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || minutes.len() != 2 {
        return None;
    }
    let hours: u64 = digits(hours)?;
    let minutes: u64 = digits(minutes)?;
    let seconds = seconds_value(seconds)?;
    if minutes >= 60 || seconds >= 60.0 {
        return None;
    }
    let whole_minutes = hours.checked_mul(60)?.checked_add(minutes)?;
    Duration::try_from_secs_f64(whole_minutes as f64 * 60.0 + seconds).ok()
}

/// `PnDTnHnMn.nS` (weeks, months and years are not used by Graph's report durations).
fn iso8601_duration(text: &str) -> Option<Duration> {
    let rest = text.get(1..)?;
    let (days, time) = match rest.split_once(['T', 't']) {
        Some((days, time)) => (days, Some(time)),
        None => (rest, None),
    };
    let mut seconds = 0.0;
    if !days.is_empty() {
        seconds += digits::<u64>(days.strip_suffix(['D', 'd'])?)? as f64 * 86_400.0;
    }
    if let Some(mut time) = time {
        if time.is_empty() {
            return None;
        }
        for (unit, scale) in [('H', 3600.0), ('M', 60.0), ('S', 1.0)] {
            if let Some(index) = time.find([unit, unit.to_ascii_lowercase()]) {
                seconds += seconds_value(&time[..index])? * scale;
                time = &time[index + 1..];
            }
        }
        if !time.is_empty() {
            return None;
        }
    } else if days.is_empty() {
        return None;
    }
    Duration::try_from_secs_f64(seconds).ok()
}

fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn seconds_value(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    digits::<u64>(whole)?;
    if !fraction.is_empty() {
        digits::<u64>(fraction)?;
    }
    text.parse().ok()
}

/// Decodes one CSV cell as `column` says, to find which cell of a record failed when the CSV
/// deserializer does not say (it gives no field index for a decoder's own errors).
pub(crate) fn check_cell(column: &ColumnMeta, text: &str) -> Result<(), String> {
    type Text<'a> = serde::de::value::StrDeserializer<'a, serde::de::value::Error>;
    fn run<'a, T, U>(
        required: impl FnOnce(Text<'a>) -> Result<T, serde::de::value::Error>,
        optional: impl FnOnce(Text<'a>) -> Result<U, serde::de::value::Error>,
        is_optional: bool,
        text: &'a str,
    ) -> Result<(), String> {
        let cell = Text::new(text);
        let result = if is_optional {
            optional(cell).map(drop)
        } else {
            required(cell).map(drop)
        };
        result.map_err(|err| err.to_string())
    }
    let optional = column.optional;
    match column.ty {
        ColumnType::Date => run(date, optional_date, optional, text),
        ColumnType::DateTime => run(datetime, optional_datetime, optional, text),
        ColumnType::String => run(string, optional_string, optional, text),
        ColumnType::Integer => run(integer, optional_integer, optional, text),
        ColumnType::Boolean => run(boolean, optional_boolean, optional, text),
        ColumnType::Duration => run(duration, optional_duration, optional, text),
        // Splitting text never fails.
        ColumnType::List { .. } => Ok(()),
    }
}

/// A `list` column's items; `SEPARATOR` comes from the spec.
struct List<const SEPARATOR: char>(Vec<String>);

impl<const SEPARATOR: char> Cell for List<SEPARATOR> {
    const EXPECTING: &'static str = "a list of items";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        Ok(List(
            text.split(SEPARATOR)
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect(),
        ))
    }

    fn empty() -> Result<Self, String> {
        Ok(List(Vec::new()))
    }

    fn from_items(items: Vec<String>) -> Result<Self, String> {
        Ok(List(items))
    }
}

macro_rules! decoders {
    ($($required:ident, $optional:ident: $ty:ty;)*) => {$(
        #[doc = concat!("Decodes a required `", stringify!($ty), "` cell.")]
        pub(crate) fn $required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
            required(deserializer)
        }

        #[doc = concat!("Decodes an optional `", stringify!($ty), "` cell: empty, `null` or absent is `None`.")]
        pub(crate) fn $optional<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<$ty>, D::Error> {
            optional(deserializer)
        }
    )*};
}

decoders! {
    date, optional_date: NaiveDate;
    datetime, optional_datetime: DateTime<Utc>;
    string, optional_string: String;
    integer, optional_integer: i64;
    boolean, optional_boolean: bool;
    duration, optional_duration: Duration;
}

/// Decodes a `list` column: CSV text split at `SEPARATOR`, or a JSON array.
#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "called only by generated rows with a list column, which the enabled families may not have (the test build's fixtures do)"
    )
)]
pub(crate) fn list<'de, const SEPARATOR: char, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    // Lists must take JSON arrays as well as text, so they ask the deserializer to infer.
    read_list::<SEPARATOR, D>(deserializer).map(|list| list.unwrap_or_default())
}

/// Decodes an optional `list` column: empty, `null` or absent is `None`.
#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "called only by generated rows with a list column, which the enabled families may not have (the test build's fixtures do)"
    )
)]
pub(crate) fn optional_list<'de, const SEPARATOR: char, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    deserializer.deserialize_option(ListVisitor::<SEPARATOR>)
}

fn read_list<'de, const SEPARATOR: char, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    deserializer.deserialize_any(ListVisitor::<SEPARATOR>)
}

/// Like [`CellVisitor`], but inferring the type without turning a numeric-looking CSV item
/// into a number: a list cell is always read as text or as an array.
struct ListVisitor<const SEPARATOR: char>;

impl<'de, const SEPARATOR: char> Visitor<'de> for ListVisitor<SEPARATOR> {
    type Value = Option<Vec<String>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(<List<SEPARATOR> as Cell>::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        CellVisitor::<List<SEPARATOR>>(PhantomData)
            .visit_str(text)
            .map(|list| list.map(|List(items)| items))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Some(vec![value.to_string()]))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Some(vec![value.to_string()]))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Some(vec![value.to_string()]))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Some(vec![if value { "True" } else { "False" }.to_owned()]))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        CellVisitor::<List<SEPARATOR>>(PhantomData)
            .visit_seq(seq)
            .map(|list| list.map(|List(items)| items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations() {
        assert_eq!(clock_duration("00:00:00"), Some(Duration::ZERO));
        assert_eq!(clock_duration("01:02:03"), Some(Duration::from_secs(3723)));
        assert_eq!(
            clock_duration("123:00:01"),
            Some(Duration::from_secs(442_801))
        );
        assert_eq!(
            clock_duration("00:00:01.5"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(clock_duration("00:60:00"), None);
        assert_eq!(clock_duration("1:2:3"), None);
        assert_eq!(clock_duration("ab:00:00"), None);
        assert_eq!(clock_duration("00:00"), None);
        assert_eq!(
            clock_duration("999999999999999999:00:00"),
            None,
            "no overflow panic"
        );
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date("2024-01-31"), NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!(iso_date("2024-02-29"), NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-31",
            "2024/01/31",
            "20240131",
            "2024-01-3x",
            "+024-01-31",
            "2024-01-31T00:00:00",
            "",
        ] {
            assert_eq!(iso_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn iso8601_durations() {
        assert_eq!(iso8601_duration("PT0S"), Some(Duration::ZERO));
        assert_eq!(
            iso8601_duration("PT1H2M3S"),
            Some(Duration::from_secs(3723))
        );
        assert_eq!(
            iso8601_duration("P1DT1S"),
            Some(Duration::from_secs(86_401))
        );
        assert_eq!(iso8601_duration("P2D"), Some(Duration::from_secs(172_800)));
        assert_eq!(
            iso8601_duration("PT1.25S"),
            Some(Duration::from_millis(1250))
        );
        assert_eq!(iso8601_duration("P"), None);
        assert_eq!(iso8601_duration("PT"), None);
        assert_eq!(iso8601_duration("PT1X"), None);
    }

    /// One field per decoder, the way generated rows use them.
    #[derive(Debug, serde::Deserialize)]
    struct Cells {
        #[serde(rename = "Flag", deserialize_with = "boolean")]
        flag: bool,
        #[serde(rename = "Maybe Flag", default, deserialize_with = "optional_boolean")]
        maybe_flag: Option<bool>,
        #[serde(rename = "Count", deserialize_with = "integer")]
        count: i64,
        #[serde(rename = "Day", deserialize_with = "date")]
        day: NaiveDate,
        #[serde(rename = "Maybe Day", default, deserialize_with = "optional_date")]
        maybe_day: Option<NaiveDate>,
        #[serde(rename = "At", deserialize_with = "datetime")]
        at: DateTime<Utc>,
        #[serde(rename = "Took", deserialize_with = "duration")]
        took: Duration,
        #[serde(rename = "Products", deserialize_with = "list::<'+', _>")]
        products: Vec<String>,
        #[serde(
            rename = "Maybe Products",
            default,
            deserialize_with = "optional_list::<'+', _>"
        )]
        maybe_products: Option<Vec<String>>,
        #[serde(rename = "Code", deserialize_with = "string")]
        code: String,
        #[serde(rename = "Maybe Code", default, deserialize_with = "optional_string")]
        maybe_code: Option<String>,
    }

    const HEADER: &str =
        "Flag,Maybe Flag,Count,Day,Maybe Day,At,Took,Products,Maybe Products,Code,Maybe Code\n";

    fn csv_cells(line: &str) -> Result<Cells, csv::Error> {
        let text = format!("{HEADER}{line}\n");
        csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .next()
            .unwrap_or_else(|| panic!("no record in {text:?}"))
    }

    #[test]
    fn csv_cells_of_every_type() {
        let cells = csv_cells(
            "True,false,42,2024-01-31,,2024-01-31 10:20:30,01:02:03,OFFICE E3+TEAMS ,,00123,",
        )
        .unwrap();
        assert!(cells.flag);
        assert_eq!(cells.maybe_flag, Some(false));
        assert_eq!(cells.count, 42);
        assert_eq!(cells.day, NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
        assert_eq!(cells.maybe_day, None);
        assert_eq!(cells.at.to_rfc3339(), "2024-01-31T10:20:30+00:00");
        assert_eq!(cells.took, Duration::from_secs(3723));
        assert_eq!(cells.products, ["OFFICE E3", "TEAMS"]);
        assert_eq!(cells.maybe_products, None);
        assert_eq!(
            cells.code, "00123",
            "text that looks like a number stays text"
        );
        assert_eq!(cells.maybe_code, None);
    }

    #[test]
    fn csv_booleans_in_any_case_and_blank_optionals() {
        let cells = csv_cells("TRUE, ,0,2024-01-31, ,2024-01-31T00:00:00Z,00:00:00,,A,,x").unwrap();
        assert!(cells.flag);
        assert_eq!(cells.maybe_flag, None, "whitespace is empty");
        assert_eq!(cells.products, Vec::<String>::new());
        assert_eq!(cells.maybe_products, Some(vec!["A".to_owned()]));
        assert_eq!(cells.code, "");
        assert_eq!(cells.maybe_code, Some("x".to_owned()));
    }

    #[test]
    fn csv_bad_cells_say_what_was_expected() {
        let cases = [
            (
                "yes,,1,2024-01-31,,2024-01-31 00:00:00,00:00:00,,,,",
                "expected a boolean (True or False), found \"yes\"",
            ),
            (
                "True,,1.5,2024-01-31,,2024-01-31 00:00:00,00:00:00,,,,",
                "expected a whole number, found 1.5",
            ),
            (
                "True,,x,2024-01-31,,2024-01-31 00:00:00,00:00:00,,,,",
                "expected a whole number, found \"x\"",
            ),
            (
                "True,,1,31/01/2024,,2024-01-31 00:00:00,00:00:00,,,,",
                "expected a date (YYYY-MM-DD), found \"31/01/2024\"",
            ),
            (
                "True,,1,2024-01-31,,2024-01-31 00:00:00,1h,,,,",
                "expected a duration",
            ),
            (
                "True,,1,,,2024-01-31 00:00:00,00:00:00,,,,",
                "empty cell, but the spec says this column always holds a date",
            ),
        ];
        for (line, expected) in cases {
            let message = csv_cells(line).unwrap_err().to_string();
            assert!(message.contains(expected), "{line}: {message}");
        }
    }

    #[test]
    fn json_values_of_every_type() {
        let cells: Cells = serde_json::from_str(
            r#"{"Flag": true, "Maybe Flag": null, "Count": "7", "Day": "2024-01-31",
                "At": "2024-01-31T10:20:30+01:00", "Took": "PT1M", "Products": ["A", "B"],
                "Maybe Products": null, "Code": "c"}"#,
        )
        .unwrap();
        assert!(cells.flag);
        assert_eq!(cells.maybe_flag, None);
        assert_eq!(cells.count, 7, "Graph types some counts as text in JSON");
        assert_eq!(cells.maybe_day, None, "absent");
        assert_eq!(cells.at.to_rfc3339(), "2024-01-31T09:20:30+00:00");
        assert_eq!(cells.took, Duration::from_secs(60));
        assert_eq!(cells.products, ["A", "B"]);
        assert_eq!(cells.maybe_products, None);
        assert_eq!(cells.maybe_code, None);
    }

    #[test]
    fn json_integer_too_large_or_fractional_is_an_error() {
        for count in ["1.5", "18446744073709551615"] {
            let text = format!(
                r#"{{"Flag": true, "Count": {count}, "Day": "2024-01-31", "At": "2024-01-31T00:00:00Z", "Took": "PT0S", "Products": [], "Code": ""}}"#
            );
            assert!(serde_json::from_str::<Cells>(&text).is_err(), "{count}");
        }
    }
}
