//! Serializers for the cells whose serde default shape is not the report's, paired with their
//! decoders in [`cell`](super::cell) for the generated rows.

// Only generated rows with a duration or list column call these, so some sets of families (none,
// for one) leave them unused. The unit-test build compiles the codegen fixtures, whose rows call
// every one: there, an encoder no generated row reaches is still a dead-code warning.
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "called only by generated rows with a duration or list column; the test build's fixtures call every one"
    )
)]

use std::time::Duration;

use serde::Serializer;

/// Writes a duration as the reports do: `hh:mm:ss`, with fractional seconds only when present.
pub(crate) fn duration<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&Clock(*value))
}

/// Like [`duration`], `None` as a missing value.
pub(crate) fn optional_duration<S: Serializer>(
    value: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(&Clock(*value)),
        None => serializer.serialize_none(),
    }
}

/// Writes a list as its CSV cell: the items joined by `SEPARATOR`, so rows serialize to CSV as
/// well as to JSON. The separator is bare, as Graph writes it: the decoder splits only at a
/// separator with no whitespace next to it, so an item that holds the separator with spaces
/// around it (`ENTERPRISE MOBILITY + SECURITY E5`) reads back as one item.
pub(crate) fn list<const SEPARATOR: char, S: Serializer>(
    items: &[String],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&Joined::<SEPARATOR>(items))
}

/// Like [`list`], `None` as a missing value.
pub(crate) fn optional_list<const SEPARATOR: char, S: Serializer>(
    items: &Option<Vec<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match items {
        Some(items) => serializer.collect_str(&Joined::<SEPARATOR>(items)),
        None => serializer.serialize_none(),
    }
}

struct Joined<'a, const SEPARATOR: char>(&'a [String]);

impl<const SEPARATOR: char> std::fmt::Display for Joined<'_, SEPARATOR> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                write!(f, "{SEPARATOR}")?;
            }
            f.write_str(item)?;
        }
        Ok(())
    }
}

struct Clock(Duration);

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total = self.0.as_secs();
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
        write!(f, "{hours:02}:{minutes:02}:{seconds:02}")?;
        let nanos = self.0.subsec_nanos();
        if nanos != 0 {
            let fraction = format!("{nanos:09}");
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(Clock(Duration::ZERO).to_string(), "00:00:00");
        assert_eq!(Clock(Duration::from_secs(3723)).to_string(), "01:02:03");
        assert_eq!(Clock(Duration::from_secs(442_801)).to_string(), "123:00:01");
        assert_eq!(Clock(Duration::from_millis(1500)).to_string(), "00:00:01.5");
    }

    #[test]
    fn list_format() {
        let items = ["OFFICE E3".to_owned(), "TEAMS".to_owned()];
        assert_eq!(Joined::<'+'>(&items).to_string(), "OFFICE E3+TEAMS");
        assert_eq!(Joined::<'+'>(&[]).to_string(), "");
    }

    #[test]
    fn a_list_reads_back_with_spaced_separators_inside_items() {
        use crate::runtime::decode::{self, Cell, List};

        let items: Vec<String> = [
            "MICROSOFT 365 E5",
            "ENTERPRISE MOBILITY + SECURITY E5",
            "DYNAMICS 365 CUSTOMER SERVICE + FIELD SERVICE",
            "POWER BI PRO",
        ]
        .map(str::to_owned)
        .into();
        let cell = Joined::<'+'>(&items).to_string();
        assert_eq!(
            cell,
            "MICROSOFT 365 E5+ENTERPRISE MOBILITY + SECURITY E5+DYNAMICS 365 CUSTOMER SERVICE + FIELD SERVICE+POWER BI PRO"
        );
        let List(decoded) = List::<'+'>::from_text(&cell).unwrap();
        assert_eq!(decoded, items);

        // Through serde, as a row's list column: encoded to its cell, decoded from it.
        let value = list::<'+', _>(&items, serde_json::value::Serializer).unwrap();
        assert_eq!(value, serde_json::Value::String(cell));
        assert_eq!(decode::list::<'+', _>(value).unwrap(), items);
        let value =
            optional_list::<'+', _>(&Some(items.clone()), serde_json::value::Serializer).unwrap();
        assert_eq!(decode::optional_list::<'+', _>(value).unwrap(), Some(items));
    }
}
