//! Cell decoders, which the generated rows reach through their `#[serde(with = ...)]` pairs in
//! [`cell`](super::cell). Each works for both CSV cells (text: `True`, `2024-01-31`,
//! `01:02:03`, `a+b`) and beta JSON values (`true`, numbers, ISO 8601 durations, arrays, `null`).
//!
//! What a cell means lives in one place, [`Cell`]: `from_text` for text, `empty` for an empty
//! cell or `null`, the other `from_*` methods for JSON's typed values. The serde visitors here
//! and the CSV decoder that reads cells by position (`cells.rs`) both call them, so a value
//! decodes the same whichever path it takes.
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
/// Error messages say what was expected and what was found; a cell is quoted with [`quoted`],
/// never whole.
pub(crate) trait Cell: Sized {
    /// What the column holds, for error messages: "expected {EXPECTING}, found ...".
    const EXPECTING: &'static str;
    /// Whether to ask the deserializer to infer the type (integers, booleans, lists must accept
    /// both JSON's typed values and CSV text) or to hand over the raw text.
    const INFER: bool;

    /// Reads a cell that is not empty: CSV text, or a JSON string. Callers pass cells that hold
    /// more than whitespace (an empty cell is [`empty`](Cell::empty) or `None`); surrounding
    /// whitespace is the type's to trim or keep.
    fn from_text(text: &str) -> Result<Self, String>;

    /// The value of an empty cell (or JSON `null`) in a column that is not optional; `Err`
    /// means it has none.
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

/// The longest part of a cell an error message quotes, in characters. A cell can be megabytes
/// (a stray quote turns the rest of a file into one cell, up to the CSV decoder's record limit),
/// and an error message that holds it whole is one nobody can read or log.
const QUOTED_CHARS: usize = 200;

/// `text` quoted for an error message, cut to [`QUOTED_CHARS`] characters (the last one `…`)
/// with the cell's full length after it when it is longer.
pub(crate) fn quoted(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => format!("{text:?}"),
        Some(_) => {
            let mut shown: String = text.chars().take(QUOTED_CHARS - 1).collect();
            shown.push('…');
            format!("{shown:?} (a cell of {} bytes)", text.len())
        }
    }
}

/// `text` cut to [`QUOTED_CHARS`] characters (the last one `…`), for keeping a bad cell
/// beside a rejected row without keeping megabytes.
pub(crate) fn cut_cell(text: &str) -> String {
    match text.char_indices().nth(QUOTED_CHARS - 1) {
        Some((end, _)) if text.chars().nth(QUOTED_CHARS).is_some() => {
            let mut shown = text[..end].to_owned();
            shown.push('…');
            shown
        }
        _ => text.to_owned(),
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
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            Err(_) => Err(E::custom(too_large::<T>(value))),
        }
    }

    // The CSV crate's serde deserializer infers 128-bit integers from long digit runs.
    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Self::Value, E> {
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            Err(_) => Err(E::custom(too_large::<T>(value))),
        }
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Self::Value, E> {
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            Err(_) => Err(E::custom(too_large::<T>(value))),
        }
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

fn too_large<T: Cell>(value: impl fmt::Display) -> String {
    format!(
        "expected {}, found {value}, beyond a 64-bit integer",
        T::EXPECTING
    )
}

fn read<'de, D: Deserializer<'de>, T: Cell>(deserializer: D) -> Result<Option<T>, D::Error> {
    let visitor = CellVisitor::<T>(PhantomData);
    if T::INFER {
        deserializer.deserialize_any(visitor)
    } else {
        deserializer.deserialize_str(visitor)
    }
}

/// Asks for an option first, even for a required column: JSON `null` then reaches the visitor
/// as "none" and becomes [`Cell::empty`], as an empty CSV cell does. Asking for text directly
/// (as `read` does for dates or strings) makes serde_json refuse `null` before the visitor
/// sees it.
fn required<'de, D: Deserializer<'de>, T: Cell>(deserializer: D) -> Result<T, D::Error> {
    match optional::<D, T>(deserializer)? {
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
        iso_date(text)
            .ok_or_else(|| format!("expected {}, found {}", Self::EXPECTING, quoted(text)))
    }
}

/// `YYYY-MM-DD`, exactly. Reports hold a date in most columns of every row, and chrono's
/// `parse_from_str` reads its format string again on each call: this is several times faster.
pub(crate) fn iso_date(text: &str) -> Option<NaiveDate> {
    iso_date_bytes(text.as_bytes())
}

/// [`iso_date`] on bytes, for the positional decoder's fast path (no UTF-8 check needed: any
/// byte that is not an ASCII digit or the dashes fails).
pub(crate) fn iso_date_bytes(bytes: &[u8]) -> Option<NaiveDate> {
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
            .ok_or_else(|| format!("expected {}, found {}", Self::EXPECTING, quoted(text)))
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

/// Whole numbers as Graph writes them: ASCII digits, `-` for a negative one. Surrounding
/// whitespace is trimmed and leading zeros are kept as the number they spell (`007` is 7); a
/// leading `+`, a fraction (`1.0`) or an exponent (`1e3`) is an error, in CSV text and in JSON:
/// Graph writes none of them, so one means the column is not the integer the spec says, and
/// rounding it quietly would hide that.
impl Cell for i64 {
    const EXPECTING: &'static str = "a whole number";
    const INFER: bool = true;

    fn from_text(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(format!(
                "expected {}, found {}",
                Self::EXPECTING,
                quoted(text)
            ));
        }
        // Only the range is left to fail.
        text.parse().map_err(|_| {
            format!(
                "expected {}, found {}, beyond a 64-bit integer",
                Self::EXPECTING,
                quoted(text)
            )
        })
    }

    fn from_i64(value: i64) -> Result<Self, String> {
        Ok(value)
    }

    /// Every JSON number with a fraction or an exponent is refused, `1.0` and `1e3` included:
    /// Graph writes counts as integers (or as strings of digits), so a float here is a column
    /// whose type changed, not a count to round.
    fn from_f64(value: f64) -> Result<Self, String> {
        Err(format!(
            "expected {}, found the floating-point number {value:?}",
            Self::EXPECTING
        ))
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
            Err(format!(
                "expected {}, found {}",
                Self::EXPECTING,
                quoted(text)
            ))
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
        parsed.ok_or_else(|| format!("expected {}, found {}", Self::EXPECTING, quoted(text)))
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
    if matches!(column.ty, ColumnType::List { .. }) {
        // Splitting text never fails.
        return Ok(());
    }
    check_value(
        column,
        serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text),
    )
}

/// Decodes one JSON value as `column` says, to find which property of a row failed (serde_json
/// does not name it).
pub(crate) fn check_json(column: &ColumnMeta, value: &serde_json::Value) -> Result<(), String> {
    check_value(column, value)
}

fn check_value<'de, D: Deserializer<'de>>(column: &ColumnMeta, cell: D) -> Result<(), String> {
    fn run<'de, D: Deserializer<'de>, T, U>(
        required: fn(D) -> Result<T, D::Error>,
        optional: fn(D) -> Result<U, D::Error>,
        is_optional: bool,
        cell: D,
    ) -> Result<(), String> {
        let result = if is_optional {
            optional(cell).map(drop)
        } else {
            required(cell).map(drop)
        };
        result.map_err(|err| err.to_string())
    }
    let optional = column.optional;
    match column.ty {
        ColumnType::Date => run(date, optional_date, optional, cell),
        ColumnType::DateTime => run(datetime, optional_datetime, optional, cell),
        ColumnType::String => run(string, optional_string, optional, cell),
        ColumnType::Integer => run(integer, optional_integer, optional, cell),
        ColumnType::Boolean => run(boolean, optional_boolean, optional, cell),
        ColumnType::Duration => run(duration, optional_duration, optional, cell),
        // The separator only matters for splitting text, which never fails.
        ColumnType::List { .. } => run(list::<'+', D>, optional_list::<'+', D>, optional, cell),
    }
}

/// The items of a list cell (see [`List`] for the rule).
pub(crate) fn split_list(text: &str, separator: char) -> Vec<String> {
    let text = text.trim();
    let mut items = Vec::new();
    let mut push = |item: &str| {
        let item = item.trim();
        if !item.is_empty() {
            items.push(item.to_owned());
        }
    };
    let mut start = 0;
    let bytes = text.as_bytes();
    // An ASCII separator (every report's) is found byte by byte: a UTF-8 continuation or
    // leading byte is never ASCII, so a match is always the whole character.
    let separator_byte = u8::try_from(separator).ok().filter(u8::is_ascii);
    let found = |from: usize| -> Option<usize> {
        match separator_byte {
            Some(byte) => bytes[from..]
                .iter()
                .position(|candidate| *candidate == byte)
                .map(|offset| from + offset),
            None => text[from..].find(separator).map(|offset| from + offset),
        }
    };
    let mut from = 0;
    while let Some(index) = found(from) {
        let after = index + separator.len_utf8();
        let spaced = text[..index]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
            || text[after..]
                .chars()
                .next()
                .is_some_and(char::is_whitespace);
        if !spaced {
            push(&text[start..index]);
            start = after;
        }
        from = after;
    }
    push(&text[start..]);
    items
}

/// A `list` column's items; `SEPARATOR` comes from the spec.
pub(crate) struct List<const SEPARATOR: char>(pub(crate) Vec<String>);

/// Graph joins a list's items with the bare separator (`OFFICE 365 E3+MICROSOFT TEAMS`), but
/// product names hold the separator too, with a space on each side (`ENTERPRISE MOBILITY +
/// SECURITY E5`). So the text is split only at a separator with no whitespace next to it; one
/// with whitespace on either side belongs to an item. The cell's own padding is not next to any
/// separator (it is trimmed first); items are trimmed and empty ones dropped. The encoder joins
/// with the bare separator, so items holding ` + ` survive a round trip.
impl<const SEPARATOR: char> Cell for List<SEPARATOR> {
    const EXPECTING: &'static str = "a list of items";
    const INFER: bool = false;

    fn from_text(text: &str) -> Result<Self, String> {
        Ok(List(split_list(text, SEPARATOR)))
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

/// Like [`CellVisitor`] for a [`List`], but a lone JSON number or boolean where a list belongs
/// is taken as a one-item list rather than refused.
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
    use serde_json::{Value, json};

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
                "expected a whole number, found the floating-point number 1.5",
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

    /// Real cells of Microsoft 365 reports' `Assigned Products`: Graph joins the products with a
    /// bare `+`, and some product names hold ` + ` themselves.
    const PRODUCT_CELLS: [(&str, &[&str]); 3] = [
        (
            "MICROSOFT 365 E5+ENTERPRISE MOBILITY + SECURITY E5+POWER BI PRO",
            &[
                "MICROSOFT 365 E5",
                "ENTERPRISE MOBILITY + SECURITY E5",
                "POWER BI PRO",
            ],
        ),
        (
            "OFFICE 365 E3+MICROSOFT TEAMS+MICROSOFT 365 AUDIO CONFERENCING",
            &[
                "OFFICE 365 E3",
                "MICROSOFT TEAMS",
                "MICROSOFT 365 AUDIO CONFERENCING",
            ],
        ),
        (
            "VISIO PLAN 2+PROJECT PLAN 3+DYNAMICS 365 CUSTOMER SERVICE + FIELD SERVICE",
            &[
                "VISIO PLAN 2",
                "PROJECT PLAN 3",
                "DYNAMICS 365 CUSTOMER SERVICE + FIELD SERVICE",
            ],
        ),
    ];

    fn items(text: &str) -> Vec<String> {
        let List(items) = List::<'+'>::from_text(text).unwrap();
        items
    }

    #[test]
    fn list_items_split_only_at_a_separator_without_spaces() {
        for (cell, expected) in PRODUCT_CELLS {
            assert_eq!(items(cell), expected, "{cell}");
        }
        assert_eq!(
            items("ENTERPRISE MOBILITY + SECURITY E5"),
            ["ENTERPRISE MOBILITY + SECURITY E5"]
        );
        // Whitespace on one side is enough to make the separator part of an item.
        assert_eq!(items("A +B"), ["A +B"]);
        assert_eq!(items("A+ B"), ["A+ B"]);
        // Items trimmed, empty ones dropped, separators at either end ignored, the cell's
        // padding not counted as spaces around a separator.
        for cell in [
            "+OFFICE 365 E3++ENTERPRISE MOBILITY + SECURITY E5+",
            " +OFFICE 365 E3++ENTERPRISE MOBILITY + SECURITY E5+ ",
        ] {
            assert_eq!(
                items(cell),
                ["OFFICE 365 E3", "ENTERPRISE MOBILITY + SECURITY E5"],
                "{cell:?}"
            );
        }
        assert_eq!(items(" OFFICE 365 E3 "), ["OFFICE 365 E3"]);
        assert_eq!(items("+"), Vec::<String>::new());
        // Another separator, as the spec may name one.
        let List(items) = List::<';'>::from_text("A;B ; C;D").unwrap();
        assert_eq!(items, ["A", "B ; C", "D"]);
    }

    #[test]
    fn list_cells_keep_spaced_separators_in_csv_and_json_text_but_arrays_as_they_are() {
        let [first, _, third] = PRODUCT_CELLS;
        let cells = csv_cells(&format!(
            "True,,1,2024-01-31,,2024-01-31 00:00:00,00:00:00,{},{},,",
            third.0, first.0
        ))
        .unwrap();
        assert_eq!(cells.products, third.1);
        assert_eq!(cells.maybe_products.unwrap(), first.1);

        let json = json!({
            "Flag": true, "Count": 1, "Day": "2024-01-31", "At": "2024-01-31T00:00:00Z",
            "Took": "PT0S", "Code": "", "Products": third.0, "Maybe Products": first.0,
        });
        let cells: Cells = serde_json::from_value(json).unwrap();
        assert_eq!(cells.products, third.1);
        assert_eq!(cells.maybe_products.unwrap(), first.1);

        // An array's items are Graph's own: not split, not trimmed.
        let json = json!({
            "Flag": true, "Count": 1, "Day": "2024-01-31", "At": "2024-01-31T00:00:00Z",
            "Took": "PT0S", "Code": "", "Products": ["A+B", " C + D "],
            "Maybe Products": ["ENTERPRISE MOBILITY + SECURITY E5"],
        });
        let cells: Cells = serde_json::from_value(json).unwrap();
        assert_eq!(cells.products, ["A+B", " C + D "]);
        assert_eq!(
            cells.maybe_products.unwrap(),
            ["ENTERPRISE MOBILITY + SECURITY E5"]
        );
    }

    #[test]
    fn integers_in_text_are_ascii_digits() {
        for (text, value) in [
            ("7", 7),
            (" 7 ", 7),
            ("007", 7),
            ("-3", -3),
            ("0", 0),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(i64::from_text(text), Ok(value), "{text:?}");
        }
        for bad in [
            "1e3", "1.0", "+5", " +5 ", "1 000", "1_000", "0x10", "-", "- 5", "--5", "five", "١٢",
        ] {
            let message = i64::from_text(bad).unwrap_err();
            assert_eq!(
                message,
                format!("expected a whole number, found {:?}", bad.trim())
            );
        }
        assert_eq!(
            i64::from_text("9223372036854775808").unwrap_err(),
            "expected a whole number, found \"9223372036854775808\", beyond a 64-bit integer"
        );
    }

    /// `Count` as it appears in a JSON row, decoded from JSON text and from a `Value` (the way
    /// rows are), which must agree.
    fn json_count(count: &str) -> Result<i64, String> {
        let text = format!(
            r#"{{"Flag": true, "Count": {count}, "Day": "2024-01-31", "At": "2024-01-31T00:00:00Z", "Took": "PT0S", "Products": [], "Code": ""}}"#
        );
        let from_text = serde_json::from_str::<Cells>(&text).map(|cells| cells.count);
        let value: Value = serde_json::from_str(&text).unwrap();
        let from_value = serde_json::from_value::<Cells>(value).map(|cells| cells.count);
        match (from_text, from_value) {
            (Ok(a), Ok(b)) if a == b => Ok(a),
            (Err(a), Err(b)) => {
                let b = b.to_string();
                assert!(a.to_string().starts_with(&b), "{a} / {b}");
                Err(b)
            }
            other => panic!("{count}: the two paths disagree: {other:?}"),
        }
    }

    #[test]
    fn json_integers_are_integers_or_strings_of_digits() {
        for (count, value) in [
            ("7", 7),
            ("-7", -7),
            ("0", 0),
            (r#""7""#, 7),
            (r#"" 7 ""#, 7),
            (r#""007""#, 7),
        ] {
            assert_eq!(json_count(count), Ok(value), "{count}");
        }
        for (count, found) in [
            ("1.0", "found the floating-point number 1.0"),
            ("0.0", "found the floating-point number 0.0"),
            ("1e3", "found the floating-point number 1000.0"),
            ("1.5", "found the floating-point number 1.5"),
            ("-2.0", "found the floating-point number -2.0"),
            (r#""1e3""#, r#"found "1e3""#),
            (r#""1.0""#, r#"found "1.0""#),
            (r#""+5""#, r#"found "+5""#),
            (
                "18446744073709551615",
                "found 18446744073709551615, beyond a 64-bit integer",
            ),
        ] {
            let message = json_count(count).unwrap_err();
            assert!(
                message.starts_with(&format!("expected a whole number, {found}")),
                "{count}: {message}"
            );
        }
    }

    #[test]
    fn json_null_in_a_required_text_or_list_column_is_empty() {
        let text = r#"{"Flag": true, "Count": 1, "Day": "2024-01-31", "At": "2024-01-31T00:00:00Z",
            "Took": "PT0S", "Products": null, "Maybe Products": null, "Code": null, "Maybe Code": null}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        for cells in [
            serde_json::from_str::<Cells>(text).unwrap(),
            serde_json::from_value::<Cells>(value).unwrap(),
        ] {
            assert_eq!(cells.code, "", "like an empty CSV cell");
            assert_eq!(cells.products, Vec::<String>::new());
            assert_eq!(cells.maybe_code, None);
            assert_eq!(cells.maybe_products, None);
        }
        // A type with no empty value refuses `null` as it refuses an empty cell.
        for (header, holds) in [
            ("Day", "a date"),
            ("Count", "a whole number"),
            ("Flag", "a boolean"),
            ("At", "a timestamp"),
            ("Took", "a duration"),
        ] {
            let mut value: Value = serde_json::from_str(text).unwrap();
            value[header] = Value::Null;
            let message = serde_json::from_value::<Cells>(value)
                .unwrap_err()
                .to_string();
            assert!(
                message.starts_with(&format!(
                    "empty cell, but the spec says this column always holds {holds}"
                )),
                "{header}: {message}"
            );
        }
    }

    #[test]
    fn a_bad_cell_is_quoted_cut_to_200_characters() {
        // A stray quote can make one cell of a whole file, up to the CSV decoder's 16 MiB.
        let huge = "x".repeat(15 * 1024 * 1024);
        let shown = format!("\"{}…\" (a cell of 15728640 bytes)", "x".repeat(199));
        let messages = [
            ("date", NaiveDate::from_text(&huge).map(drop).unwrap_err()),
            (
                "datetime",
                DateTime::<Utc>::from_text(&huge).map(drop).unwrap_err(),
            ),
            ("integer", i64::from_text(&huge).map(drop).unwrap_err()),
            ("boolean", bool::from_text(&huge).map(drop).unwrap_err()),
            (
                "duration",
                Duration::from_text(&huge).map(drop).unwrap_err(),
            ),
            (
                "json",
                serde_json::from_value::<Cells>(json!({"Flag": huge}))
                    .unwrap_err()
                    .to_string(),
            ),
        ];
        for (ty, message) in messages {
            assert!(
                message.len() < 400 && message.contains(&shown),
                "{ty}: {}",
                message.chars().take(400).collect::<String>()
            );
        }
        let digits = "9".repeat(300);
        let message = i64::from_text(&digits).unwrap_err();
        assert!(message.len() < 400, "{message}");

        // Characters, not bytes, and cut on a character boundary; 200 are quoted whole.
        assert_eq!(quoted(&"é".repeat(200)), format!("{:?}", "é".repeat(200)));
        assert_eq!(
            quoted(&"é".repeat(201)),
            format!("\"{}…\" (a cell of 402 bytes)", "é".repeat(199))
        );
        assert_eq!(quoted("a\"b"), r#""a\"b""#);
    }
}
