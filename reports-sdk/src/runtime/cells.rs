//! Decoding a CSV record by position. Where each spec column sits in the file is resolved once,
//! from the header; then each generated row reads its cells straight from the decoder's buffer.
//! Canonical cells (`2024-01-31`, `42`, `True`) take a fast path on the bytes; anything else goes
//! through the same cell parsers as the serde path, so both agree on every value.

use chrono::NaiveDate;
use csv::StringRecord;

use super::decode::{Cell, List, iso_date_bytes};
use super::error::{Error, ErrorKind, Position};
use super::meta::ReportMeta;

/// One CSV record, its fields borrowed from the decoder's buffer (no copy per row).
#[derive(Debug, Clone, Copy)]
pub struct CsvRecord<'a> {
    data: &'a [u8],
    /// Where each field ends in `data`.
    ends: &'a [usize],
}

impl<'a> CsvRecord<'a> {
    pub(crate) fn new(data: &'a [u8], ends: &'a [usize]) -> Self {
        CsvRecord { data, ends }
    }

    /// How many fields the record has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `index`, unquoted, as bytes.
    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(index)?;
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)?,
        };
        self.data.get(start..end)
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|index| self.get(index))
    }
}

/// Where the spec's columns sit in one CSV file, resolved from its header: what a row needs
/// to decode a record by position. Built by the runtime for each file.
#[derive(Debug, Clone)]
pub struct CsvColumns {
    /// The file's header names, trimmed and without a BOM, in file order.
    headers: StringRecord,
    /// For each spec column (in spec order), its field in the file, if the file has it.
    positions: Vec<Option<usize>>,
    /// The fields of the file's columns the spec does not know (its drift), in file order.
    beyond_spec: Vec<usize>,
    meta: &'static ReportMeta,
}

#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "the readers are called by generated rows, whose column types depend on the families enabled (the test build's fixtures use every one)"
    )
)]
impl CsvColumns {
    /// Resolves `meta`'s columns against the file's header names.
    pub(crate) fn resolve(meta: &'static ReportMeta, headers: StringRecord) -> CsvColumns {
        let positions = meta
            .columns
            .iter()
            .map(|column| headers.iter().position(|name| name == column.header))
            .collect();
        let beyond_spec = headers
            .iter()
            .enumerate()
            .filter(|(_, name)| !meta.columns.iter().any(|column| column.header == *name))
            .map(|(position, _)| position)
            .collect();
        CsvColumns {
            headers,
            positions,
            beyond_spec,
            meta,
        }
    }

    /// The file's columns the spec does not know, with their fields: the
    /// [`SchemaDrift::unknown_columns`](crate::SchemaDrift::unknown_columns) of a CSV file.
    pub(crate) fn beyond_spec(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.beyond_spec
            .iter()
            .filter_map(|position| Some((self.headers.get(*position)?, *position)))
    }

    /// The file's header names, trimmed and without a BOM, in file order: what a row decoded
    /// through serde (a report defined outside the SDK) is matched against.
    pub fn headers(&self) -> &StringRecord {
        &self.headers
    }

    /// The cell of spec column `column`, decoded: `None` when empty or absent from the file.
    fn cell<T: FastCell>(&self, record: &CsvRecord<'_>, column: usize) -> Result<Option<T>, Error> {
        let Some(position) = self.positions.get(column).copied().flatten() else {
            return Ok(None);
        };
        // A record shorter than the header is refused before rows are decoded, except for
        // reports with ragged rows, whose missing trailing cells are empty.
        let bytes = record.get(position).unwrap_or_default();
        // Most reports leave many cells empty (dates of activity that did not happen).
        if bytes.is_empty() {
            return Ok(None);
        }
        if let Some(value) = T::fast(bytes) {
            return Ok(Some(value));
        }
        let text = std::str::from_utf8(bytes).map_err(|err| {
            self.error(column, "the cell is not valid UTF-8".to_owned())
                .with_source(err)
        })?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        T::from_text(text)
            .map(Some)
            .map_err(|reason| self.error(column, reason))
    }

    /// Decodes the cell of a required spec column: an empty cell is the type's empty value
    /// (`""`, `[]`) or an error.
    pub(crate) fn required<T: FastCell>(
        &self,
        record: &CsvRecord<'_>,
        column: usize,
    ) -> Result<T, Error> {
        match self.cell(record, column)? {
            Some(value) => Ok(value),
            None => T::empty().map_err(|reason| self.error(column, reason)),
        }
    }

    /// Decodes the cell of an optional spec column: empty, or absent from the file, is `None`.
    pub(crate) fn optional<T: FastCell>(
        &self,
        record: &CsvRecord<'_>,
        column: usize,
    ) -> Result<Option<T>, Error> {
        self.cell(record, column)
    }

    /// [`required`](Self::required) for a `list` column.
    pub(crate) fn required_list<const SEPARATOR: char>(
        &self,
        record: &CsvRecord<'_>,
        column: usize,
    ) -> Result<Vec<String>, Error> {
        self.required::<List<SEPARATOR>>(record, column)
            .map(|List(items)| items)
    }

    /// [`optional`](Self::optional) for a `list` column.
    pub(crate) fn optional_list<const SEPARATOR: char>(
        &self,
        record: &CsvRecord<'_>,
        column: usize,
    ) -> Result<Option<Vec<String>>, Error> {
        self.optional::<List<SEPARATOR>>(record, column)
            .map(|list| list.map(|List(items)| items))
    }

    /// A cell of spec column `column` that does not decode, named by the file's header; the
    /// CSV decoder adds the line and record.
    fn error(&self, column: usize, reason: String) -> Error {
        let header = self
            .meta
            .columns
            .get(column)
            .map_or("?", |column| column.header);
        Error::new(
            ErrorKind::Decode,
            format!("cannot decode column {header:?}: {reason}"),
        )
        .with_position(Position {
            line: None,
            record: 0,
            column: Some(header.to_owned()),
        })
    }
}

/// A cell type with a fast path for its canonical spelling, straight from the bytes. `None`
/// sends the cell through [`Cell::from_text`] (and the empty-cell rule), which decides every
/// other spelling exactly as the serde path does; so a fast path may only accept what
/// `from_text` would read the same way.
pub(crate) trait FastCell: Cell {
    fn fast(bytes: &[u8]) -> Option<Self> {
        let _ = bytes;
        None
    }
}

impl FastCell for i64 {
    /// Up to 18 ASCII digits: no sign, no spaces, cannot overflow.
    fn fast(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() || bytes.len() > 18 {
            return None;
        }
        bytes.iter().try_fold(0i64, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + i64::from(byte - b'0'))
        })
    }
}

impl FastCell for NaiveDate {
    /// Reports repeat a few dozen days in most of their cells (the refresh date in every row,
    /// activity dates inside the period), and building a `NaiveDate` is the costly part of
    /// reading one: the last dates read are kept by month and day, and reused when the
    /// cell's ten bytes match exactly.
    fn fast(bytes: &[u8]) -> Option<Self> {
        const SLOTS: usize = 64;
        /// A date read, by its ten bytes.
        type Seen = std::cell::Cell<Option<([u8; 10], NaiveDate)>>;
        thread_local! {
            static RECENT: [Seen; SLOTS] =
                const { [const { std::cell::Cell::new(None) }; SLOTS] };
        }
        let key: [u8; 10] = bytes.try_into().ok()?;
        let slot =
            (usize::from(key[6]) * 31 + usize::from(key[8]) * 10 + usize::from(key[9])) % SLOTS;
        RECENT.with(|recent| {
            if let Some((seen, date)) = recent[slot].get()
                && seen == key
            {
                return Some(date);
            }
            let date = iso_date_bytes(&key)?;
            recent[slot].set(Some((key, date)));
            Some(date)
        })
    }
}

impl FastCell for bool {
    fn fast(bytes: &[u8]) -> Option<Self> {
        match bytes {
            b"True" | b"true" | b"TRUE" => Some(true),
            b"False" | b"false" | b"FALSE" => Some(false),
            _ => None,
        }
    }
}

impl FastCell for String {
    /// Text without surrounding spaces, which `from_text` keeps as it is.
    fn fast(bytes: &[u8]) -> Option<Self> {
        let first = *bytes.first()?;
        let last = *bytes.last()?;
        if first.is_ascii_whitespace() || last.is_ascii_whitespace() || first >= 0x80 {
            return None;
        }
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    }
}

impl FastCell for chrono::DateTime<chrono::Utc> {}
impl FastCell for std::time::Duration {}
impl<const SEPARATOR: char> FastCell for List<SEPARATOR> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fast path agrees with `from_text` wherever it answers.
    #[test]
    fn fast_paths_agree_with_the_cell_parsers() {
        let samples: &[&str] = &[
            "0",
            "7",
            "007",
            "123456789012345678",
            "1234567890123456789",
            "-1",
            "+1",
            " 7",
            "7 ",
            "1e3",
            "1.0",
            "2024-01-31",
            "2024-02-30",
            "2024-1-31",
            " 2024-01-31",
            "True",
            "false",
            "TRUE",
            "tRuE",
            "yes",
            "text",
            " text",
            "text ",
            "é",
            "",
            " ",
        ];
        fn check<T: FastCell + PartialEq + std::fmt::Debug>(sample: &str) {
            if let Some(fast) = T::fast(sample.as_bytes()) {
                assert_eq!(Ok(fast), T::from_text(sample), "{sample:?}");
            }
        }
        for sample in samples {
            check::<i64>(sample);
            check::<NaiveDate>(sample);
            check::<bool>(sample);
            check::<String>(sample);
        }
        assert_eq!(
            i64::fast(b"123456789012345678"),
            Some(123_456_789_012_345_678)
        );
        assert_eq!(
            i64::fast(b"1234567890123456789"),
            None,
            "left to the parser"
        );
    }

    #[test]
    fn a_record_view_reads_its_fields() {
        let data = b"ab\"c\"";
        let record = CsvRecord::new(data, &[2, 2, 5]);
        assert_eq!(record.len(), 3);
        assert_eq!(record.get(0), Some(&b"ab"[..]));
        assert_eq!(record.get(1), Some(&b""[..]));
        assert_eq!(record.get(2), Some(&b"\"c\""[..]));
        assert_eq!(record.get(3), None);
        assert_eq!(record.iter().count(), 3);
    }
}
