//! The generated positional decoder (`Report::decode_csv`, reading cells through `CsvColumns`)
//! and the serde path (`serde_record`, the way a row type defined outside the SDK decodes) read
//! the same rows from random valid report files, and fail on the same row and column when a
//! cell is bad.
//!
//! Files are drawn over the codegen fixtures' reports, which hold every column type, required
//! and optional, both list separators and ragged rows: cells spelled as Graph writes them (and
//! empty where the column may be), the columns in random order, optional ones absent now and
//! then, unknown columns added, headers padded with spaces, with or without a BOM, CRLF or LF
//! and a last line break, quoted where CSV needs it or everywhere, read in chunks of random
//! size. Each file goes through the same `CsvReader` twice: with the generated rows, and with
//! [`ViaSerde`] rows, whose `from_csv` is `serde_record`. Besides agreeing, the rows must be the
//! values written (durations aside, which go through floating point) and the drift must list
//! the unknown columns.
//!
//! Known disagreements are pinned by `#[ignore]`d `known_disagreement_*` tests at the end; the
//! generators stay clear of them while the switches below are `false`. One known difference is
//! not a bug of the generated path: the CSV crate's serde deserializer reads an integer cell
//! with a leading `+` as a number before the cell parser sees it, so the serde path accepts
//! `+5` where the generated path refuses it
//! ([`known_difference_serde_accepts_integers_with_a_leading_plus`]); valid files never hold
//! one.

use std::io::Read;

use chrono::{Days, FixedOffset, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

use super::cells::{CsvColumns, CsvRecord};
use super::csv_rows::serde_record;
use super::fixtures::columns::{AwkwardHeadersRow, EveryColumnTypeRow};
use super::fixtures::options::{AppUsageRow, NestedActivityRow};
use super::fixtures::parameters::{ActivityDetailRow, ScopedCountsRow};
use super::{
    ColumnMeta, ColumnType, CsvReader, Error, ErrorKind, Report, ReportMeta, Row, SchemaDrift,
};

/// Unknown columns named like a spec column's JSON name (`reportRefreshDate`), which serde
/// takes for the column (its `alias`): the two
/// `known_disagreement_an_unknown_column_named_like_a_json_name_*` tests.
const ALIAS_NAMED_COLUMNS: bool = false;
/// List cells that are, as a whole, a number or `true`/`false` (`007`, `1.0`, `true`), which
/// the CSV deserializer turns into a number or a boolean before the list decoder sees them:
/// [`known_disagreement_a_list_cell_that_looks_like_a_number`].
const NUMBER_LIKE_LIST_CELLS: bool = false;
/// Ragged rows leaving out the trailing cell of an unknown column, which the serde path must
/// still read: [`known_disagreement_a_ragged_row_without_the_cell_of_an_unknown_column`].
const RAGGED_ROWS_WITHOUT_UNKNOWN_CELLS: bool = false;

/// A generated row decoded through the serde path instead of its generated `decode_csv`.
#[derive(Debug, Clone, PartialEq)]
struct ViaSerde<R>(R);

impl<R: Report> Row for ViaSerde<R> {
    fn from_csv(record: &CsvRecord<'_>, columns: &CsvColumns) -> Result<Self, Error> {
        serde_record::<R>(record, columns).map(ViaSerde)
    }

    fn from_json(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value).map(ViaSerde)
    }
}

/// A source handing out at most `chunk` bytes per read, so records straddle reads.
struct Chunked<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = self.chunk.min(buf.len()).min(self.data.len());
        let (head, rest) = self.data.split_at(len);
        buf[..len].copy_from_slice(head);
        self.data = rest;
        Ok(len)
    }
}

/// The rows before the first failure, the failure, and the drift the header showed.
type Decoded<T> = (Vec<T>, Option<Error>, SchemaDrift);

fn decode<T: Row>(
    meta: &'static ReportMeta,
    file: &[u8],
    chunk: usize,
) -> Result<Decoded<T>, Error> {
    let reader = CsvReader::<T, _>::with_meta(meta, Chunked { data: file, chunk })?;
    let drift = reader.drift().clone();
    let mut rows = Vec::new();
    for row in reader {
        match row {
            Ok(row) => rows.push(row),
            Err(error) => return Ok((rows, Some(error), drift)),
        }
    }
    Ok((rows, None, drift))
}

/// One fixture report: its metadata and the check instantiated for its row type.
struct Fixture {
    meta: &'static ReportMeta,
    check: fn(&FileCase) -> Result<(), TestCaseError>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        meta: EveryColumnTypeRow::META,
        check: agree::<EveryColumnTypeRow>,
    },
    Fixture {
        meta: AwkwardHeadersRow::META,
        check: agree::<AwkwardHeadersRow>,
    },
    Fixture {
        meta: AppUsageRow::META,
        check: agree::<AppUsageRow>,
    },
    Fixture {
        meta: NestedActivityRow::META,
        check: agree::<NestedActivityRow>,
    },
    Fixture {
        meta: ActivityDetailRow::META,
        check: agree::<ActivityDetailRow>,
    },
    Fixture {
        meta: ScopedCountsRow::META,
        check: agree::<ScopedCountsRow>,
    },
];

/// A random report file, as a model: what it holds and how it is written.
#[derive(Debug, Clone)]
struct FileCase {
    /// Index in [`FIXTURES`].
    report: usize,
    /// The file's columns, in file order.
    columns: Vec<FileColumn>,
    /// One cell per column for each row.
    rows: Vec<Vec<CellCase>>,
    /// For each row, how many trailing empty cells to leave out (reports with ragged rows).
    omit: Vec<usize>,
    /// The cell made bad, by row and file column: decoding stops there.
    bad: Option<(usize, usize)>,
    bom: bool,
    crlf: bool,
    quote_all: bool,
    final_line_break: bool,
    /// Bytes per read.
    chunk: usize,
}

#[derive(Debug, Clone)]
struct FileColumn {
    /// The header as written, perhaps with spaces around it (both paths trim them).
    written: String,
    /// The spec column, or `None` for a column the spec does not know.
    spec: Option<usize>,
}

#[derive(Debug, Clone)]
struct CellCase {
    text: String,
    /// The cell as the decoded row serializes it (`null` for `None`); `None` when not checked
    /// (durations, which go through floating point, unknown columns, the bad cell).
    expect: Option<Value>,
}

impl FileCase {
    fn meta(&self) -> &'static ReportMeta {
        FIXTURES[self.report].meta
    }

    /// How many cells of row `index` are written.
    fn written_cells(&self, index: usize) -> usize {
        let row = &self.rows[index];
        let trailing_empty = row
            .iter()
            .zip(&self.columns)
            .rev()
            .take_while(|(cell, column)| {
                cell.text.is_empty() && (column.spec.is_some() || RAGGED_ROWS_WITHOUT_UNKNOWN_CELLS)
            })
            .count();
        row.len() - self.omit[index].min(trailing_empty)
    }

    fn render(&self) -> Vec<u8> {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        let line_break = if self.crlf { "\r\n" } else { "\n" };
        self.write_record(
            &mut out,
            self.columns.iter().map(|column| column.written.as_str()),
        );
        for (index, row) in self.rows.iter().enumerate() {
            out.push_str(line_break);
            let cells = &row[..self.written_cells(index)];
            self.write_record(&mut out, cells.iter().map(|cell| cell.text.as_str()));
        }
        if self.final_line_break {
            out.push_str(line_break);
        }
        out.into_bytes()
    }

    fn write_record<'a>(&self, out: &mut String, fields: impl Iterator<Item = &'a str>) {
        for (index, field) in fields.enumerate() {
            if index > 0 {
                out.push(',');
            }
            if self.quote_all || field.contains([',', '"', '\r', '\n']) {
                out.push('"');
                out.push_str(&field.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(field);
            }
        }
    }
}

/// Runs the fixture's check on `case`.
fn check(case: &FileCase) -> Result<(), TestCaseError> {
    (FIXTURES[case.report].check)(case)
}

/// Both paths decode `case` alike, and as the model says.
fn agree<R: Report + PartialEq>(case: &FileCase) -> Result<(), TestCaseError> {
    let meta = R::META;
    let file = case.render();
    let shown = String::from_utf8_lossy(&file).into_owned();
    let generated = decode::<R>(meta, &file, case.chunk);
    let serde = decode::<ViaSerde<R>>(meta, &file, case.chunk);
    let ((rows, failed, drift), (serde_rows, serde_failed, _)) = match (generated, serde) {
        (Ok(generated), Ok(serde)) => (generated, serde),
        (generated, serde) => {
            return Err(TestCaseError::fail(format!(
                "the header of a valid file was refused: generated {:?}, serde {:?}\nfile: {shown:?}",
                generated.err().map(|error| error.to_string()),
                serde.err().map(|error| error.to_string()),
            )));
        }
    };
    let serde_rows: Vec<R> = serde_rows.into_iter().map(|ViaSerde(row)| row).collect();
    prop_assert_eq!(
        &rows,
        &serde_rows,
        "the paths decode different rows\nfile: {:?}",
        shown
    );
    match (&failed, &serde_failed) {
        (None, None) => {}
        (Some(generated), Some(serde)) => {
            prop_assert_eq!(
                generated.kind(),
                serde.kind(),
                "generated: {}\nserde: {}\nfile: {:?}",
                generated,
                serde,
                shown
            );
            prop_assert_eq!(
                generated.position(),
                serde.position(),
                "the paths fail at different places\ngenerated: {}\nserde: {}\nfile: {:?}",
                generated,
                serde,
                shown
            );
        }
        (generated, serde) => {
            return Err(TestCaseError::fail(format!(
                "one path fails, the other does not\ngenerated: {:?}\nserde: {:?}\nfile: {shown:?}",
                generated.as_ref().map(ToString::to_string),
                serde.as_ref().map(ToString::to_string),
            )));
        }
    }

    // The model: every row up to the bad cell decodes, to the values written.
    match case.bad {
        None => prop_assert!(
            failed.is_none(),
            "a valid file fails: {:?}\nfile: {:?}",
            failed.as_ref().map(ToString::to_string),
            shown
        ),
        Some((row, column)) => {
            let error = failed.as_ref().ok_or_else(|| {
                TestCaseError::fail(format!("a bad cell decodes\nfile: {shown:?}"))
            })?;
            prop_assert_eq!(error.kind(), ErrorKind::Decode);
            let position = error.position();
            let header = case.columns[column]
                .spec
                .map(|spec| meta.columns[spec].header);
            prop_assert_eq!(
                position.map(|at| (at.record, at.column.as_deref())),
                Some((row as u64 + 1, header)),
                "{}",
                error
            );
        }
    }
    let decoded = case.bad.map_or(case.rows.len(), |(row, _)| row);
    prop_assert_eq!(rows.len(), decoded, "file: {:?}", shown);
    for (row, cells) in rows.iter().zip(&case.rows) {
        let serialized =
            serde_json::to_value(row).map_err(|err| TestCaseError::fail(err.to_string()))?;
        for (index, column) in meta.columns.iter().enumerate() {
            let in_file = case
                .columns
                .iter()
                .position(|file_column| file_column.spec == Some(index));
            let expected = match in_file {
                Some(position) => cells[position].expect.clone(),
                None => Some(Value::Null),
            };
            if let Some(expected) = expected {
                prop_assert_eq!(
                    &serialized[column.header],
                    &expected,
                    "column {:?}\nfile: {:?}",
                    column.header,
                    shown
                );
            }
        }
    }
    let unknown: Vec<&str> = case
        .columns
        .iter()
        .filter(|column| column.spec.is_none())
        .map(|column| column.written.trim())
        .collect();
    prop_assert_eq!(&drift.unknown_columns, &unknown);
    Ok(())
}

// Cell generators: valid cells as Graph writes them.

fn date() -> impl Strategy<Value = NaiveDate> {
    (0u64..16_000).prop_map(|days| NaiveDate::from_ymd_opt(1995, 1, 1).unwrap() + Days::new(days))
}

fn date_cell() -> BoxedStrategy<CellCase> {
    date()
        .prop_map(|date| CellCase {
            text: date.format("%Y-%m-%d").to_string(),
            expect: Some(json!(date.format("%Y-%m-%d").to_string())),
        })
        .boxed()
}

/// RFC 3339 (`Z` or an offset), `YYYY-MM-DD hh:mm:ss` and `YYYY-MM-DDThh:mm:ss`; whole
/// seconds, milliseconds or .NET's seven fractional digits.
fn datetime_cell() -> BoxedStrategy<CellCase> {
    (
        date(),
        (0u32..24, 0u32..60, 0u32..60),
        (0usize..3, 0u32..10_000_000),
        0usize..4,
        (-12i32..=14, any::<bool>()),
    )
        .prop_map(
            |(date, (hour, minute, second), (fraction, digits), form, (hours, half))| {
                let (fraction, nanos) = match fraction {
                    0 => (String::new(), 0),
                    1 => (format!(".{:03}", digits % 1000), digits % 1000 * 1_000_000),
                    _ => (format!(".{digits:07}"), digits * 100),
                };
                let naive = date.and_hms_nano_opt(hour, minute, second, nanos).unwrap();
                let clock = format!("{hour:02}:{minute:02}:{second:02}{fraction}");
                let (text, stamp) = match form {
                    0 => (format!("{date}T{clock}Z"), naive.and_utc()),
                    1 => {
                        let half = if half { 30 } else { 0 };
                        let minutes = hours * 60 + if hours < 0 { -half } else { half };
                        let offset = FixedOffset::east_opt(minutes * 60).unwrap();
                        let stamp = offset
                            .from_local_datetime(&naive)
                            .unwrap()
                            .with_timezone(&Utc);
                        let sign = if minutes < 0 { '-' } else { '+' };
                        let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
                        (format!("{date}T{clock}{sign}{h:02}:{m:02}"), stamp)
                    }
                    2 => (format!("{date} {clock}"), naive.and_utc()),
                    _ => (format!("{date}T{clock}"), naive.and_utc()),
                };
                CellCase {
                    text,
                    expect: serde_json::to_value(stamp).ok(),
                }
            },
        )
        .boxed()
}

/// Digits with leading zeros now and then, and `-` for a negative number; never `+`, a
/// fraction or an exponent (see [`known_difference_serde_accepts_integers_with_a_leading_plus`]).
fn integer_cell() -> BoxedStrategy<CellCase> {
    (
        prop_oneof![0i64..1000, 0i64..=i64::MAX],
        0usize..=3,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(value, zeros, negative)| CellCase {
            text: format!(
                "{}{}{value}",
                if negative { "-" } else { "" },
                "0".repeat(zeros)
            ),
            expect: Some(json!(if negative { -value } else { value })),
        })
        .boxed()
}

/// `True`/`False` in any case.
fn boolean_cell() -> BoxedStrategy<CellCase> {
    (any::<bool>(), any::<[bool; 5]>())
        .prop_map(|(value, upper)| CellCase {
            text: (if value { "true" } else { "false" })
                .chars()
                .zip(upper)
                .map(|(letter, upper)| {
                    if upper {
                        letter.to_ascii_uppercase()
                    } else {
                        letter
                    }
                })
                .collect(),
            expect: Some(json!(value)),
        })
        .boxed()
}

/// `hh:mm:ss`, hours past 24 and fractional seconds now and then.
fn duration_cell() -> BoxedStrategy<CellCase> {
    (
        prop_oneof![0u64..24, 0u64..1000],
        0u64..60,
        0u64..60,
        select(&["", "", ".5", ".25", ".0", ".1234567"][..]),
    )
        .prop_map(|(hours, minutes, seconds, fraction)| CellCase {
            text: format!("{hours:02}:{minutes:02}:{seconds:02}{fraction}"),
            expect: None,
        })
        .boxed()
}

/// Pieces of text cells: CSV's special characters, line breaks, non-ASCII, spaces (leading and
/// trailing ones too), separators, text that looks like a number or a boolean.
const TEXT_PIECES: &[&str] = &[
    "a",
    "Zed",
    "7",
    "007",
    "true",
    "1e3",
    ",",
    "\"",
    "\r\n",
    "\n",
    "\r",
    "é",
    "日本",
    "😀",
    "Ünïcødé",
    " ",
    "  ",
    "\t",
    "\u{a0}",
    "+",
    ";",
    " + ",
    "O'Brien",
    "a@contoso.com",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(select(TEXT_PIECES), 1..=5).prop_map(|pieces| pieces.concat())
}

fn text_cell(empty: Value) -> BoxedStrategy<CellCase> {
    text()
        .prop_map(move |text| CellCase {
            expect: Some(if text.trim().is_empty() {
                empty.clone()
            } else {
                json!(text)
            }),
            text,
        })
        .boxed()
}

/// List items as reports hold them: product and service names, some with the separator inside
/// between spaces (`ENTERPRISE MOBILITY + SECURITY E5`), commas, quotes, non-ASCII.
const ITEM_WORDS: &[&str] = &[
    "OFFICE 365 E3",
    "MICROSOFT TEAMS",
    "POWER BI PRO",
    "Exchange",
    "Teams",
    "Données",
    "日本語",
    "A, B",
    "say \"hi\"",
    "365",
    "two\nlines",
];

/// Items the CSV deserializer reads as a number or a boolean when one is a whole cell: see
/// [`NUMBER_LIKE_LIST_CELLS`].
const NUMBER_LIKE_ITEMS: &[&str] = &["007", "true", "false", "1.0", "1e3", "nan"];

fn list_cell(separator: char, empty: Value) -> BoxedStrategy<CellCase> {
    let numbers: &[&str] = if NUMBER_LIKE_LIST_CELLS {
        NUMBER_LIKE_ITEMS
    } else {
        &[]
    };
    let words: Vec<&'static str> = ITEM_WORDS.iter().chain(numbers).copied().collect();
    let item = prop::collection::vec(select(words), 1..=2)
        .prop_map(move |words| words.join(&format!(" {separator} ")));
    (prop::collection::vec(item, 0..=4), any::<[bool; 4]>())
        .prop_map(move |(items, [pad_start, pad_end, lead, trail])| {
            let joined = items.join(&separator.to_string());
            let mut text = String::new();
            if pad_start {
                text.push(' ');
            }
            if lead && !items.is_empty() {
                text.push(separator);
            }
            text.push_str(&joined);
            if trail && !items.is_empty() {
                text.push(separator);
            }
            if pad_end {
                text.push(' ');
            }
            CellCase {
                text,
                expect: Some(if items.is_empty() {
                    empty.clone()
                } else {
                    json!(joined)
                }),
            }
        })
        .boxed()
}

/// A valid cell of `column`: empty now and then where the column may be empty.
fn cell(column: &ColumnMeta) -> BoxedStrategy<CellCase> {
    let empty = empty_value(column);
    let text_empty = empty.clone().unwrap_or(Value::Null);
    let value = match column.ty {
        ColumnType::Date => date_cell(),
        ColumnType::DateTime => datetime_cell(),
        ColumnType::Integer => integer_cell(),
        ColumnType::Boolean => boolean_cell(),
        ColumnType::Duration => duration_cell(),
        ColumnType::String => text_cell(text_empty),
        ColumnType::List { separator } => list_cell(separator, text_empty),
    };
    let Some(empty) = empty else {
        return value;
    };
    let blank = select(&["", "", " "][..]).prop_map(move |text| CellCase {
        text: text.to_owned(),
        expect: Some(empty.clone()),
    });
    prop_oneof![1 => blank, 4 => value].boxed()
}

/// How an empty cell of `column` serializes: `null` for an optional column, `""` for required
/// text or list; `None` where the column may not be empty.
fn empty_value(column: &ColumnMeta) -> Option<Value> {
    match column.ty {
        _ if column.optional => Some(Value::Null),
        ColumnType::String | ColumnType::List { .. } => Some(json!("")),
        _ => None,
    }
}

fn unknown_cell() -> BoxedStrategy<CellCase> {
    prop_oneof![Just(String::new()), text()]
        .prop_map(|text| CellCase { text, expect: None })
        .boxed()
}

/// Names of columns the spec does not know: new ones, one with a comma (a quoted header), one
/// non-ASCII, the first header in capitals and, with [`ALIAS_NAMED_COLUMNS`], each column's
/// JSON name that is not a header (the field's serde alias).
fn unknown_names(meta: &ReportMeta) -> Vec<String> {
    let mut names: Vec<String> = vec![
        "Zeta".to_owned(),
        "New, Column".to_owned(),
        "Données (octets)".to_owned(),
        meta.columns[0].header.to_uppercase(),
    ];
    if ALIAS_NAMED_COLUMNS {
        names.extend(meta.columns.iter().map(|column| column.json.to_owned()));
    }
    let mut unique: Vec<String> = Vec::new();
    for name in names {
        let known = meta.columns.iter().any(|column| column.header == name);
        if !known && !unique.contains(&name) {
            unique.push(name);
        }
    }
    unique
}

/// A random valid file of a random fixture report, with `rows` rows.
fn file_case(rows: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = FileCase> {
    (0..FIXTURES.len())
        .prop_flat_map(|report| {
            let meta = FIXTURES[report].meta;
            let present: Vec<BoxedStrategy<bool>> = meta
                .columns
                .iter()
                .map(|column| match column.optional {
                    true => prop::bool::weighted(0.8).boxed(),
                    false => Just(true).boxed(),
                })
                .collect();
            let names = unknown_names(meta);
            let most = names.len().min(2);
            (Just(report), present, subsequence(names, 0..=most))
        })
        .prop_flat_map(|(report, present, unknown)| {
            let meta = FIXTURES[report].meta;
            let mut columns: Vec<(Option<usize>, String)> = present
                .iter()
                .enumerate()
                .filter(|(_, present)| **present)
                .map(|(index, _)| (Some(index), meta.columns[index].header.to_owned()))
                .collect();
            columns.extend(unknown.into_iter().map(|name| (None, name)));
            let padded = prop::collection::vec(prop::bool::weighted(0.2), columns.len());
            (Just(report), Just(columns).prop_shuffle(), padded)
        })
        .prop_flat_map(move |(report, columns, padded)| {
            let meta = FIXTURES[report].meta;
            let columns: Vec<FileColumn> = columns
                .into_iter()
                .zip(padded)
                .map(|((spec, name), padded)| FileColumn {
                    written: if padded { format!(" {name} ") } else { name },
                    spec,
                })
                .collect();
            let row: Vec<BoxedStrategy<CellCase>> = columns
                .iter()
                .map(|column| match column.spec {
                    Some(index) => cell(&meta.columns[index]),
                    None => unknown_cell(),
                })
                .collect();
            let omit = if meta.ragged_rows {
                (0..=columns.len()).boxed()
            } else {
                Just(0).boxed()
            };
            (
                Just(report),
                Just(columns),
                prop::collection::vec((row, omit), rows.clone()),
                any::<[bool; 4]>(),
                prop_oneof![1usize..8, 8usize..4096],
            )
        })
        .prop_map(
            |(report, columns, rows, [bom, crlf, quote_all, final_line_break], chunk)| {
                let (mut rows, omit): (Vec<Vec<CellCase>>, Vec<usize>) = rows.into_iter().unzip();
                // A ragged row leaves out trailing empty cells: empty the cells it leaves out
                // where their columns may be empty, so that ragged rows are common.
                let meta = FIXTURES[report].meta;
                for (row, omit) in rows.iter_mut().zip(&omit) {
                    for (cell, column) in row.iter_mut().zip(&columns).rev().take(*omit) {
                        let expect = match column.spec {
                            Some(spec) => match empty_value(&meta.columns[spec]) {
                                Some(empty) => Some(empty),
                                None => break,
                            },
                            None if RAGGED_ROWS_WITHOUT_UNKNOWN_CELLS => None,
                            None => break,
                        };
                        *cell = CellCase {
                            text: String::new(),
                            expect,
                        };
                    }
                }
                FileCase {
                    report,
                    columns,
                    rows,
                    omit,
                    bad: None,
                    bom,
                    crlf,
                    quote_all,
                    final_line_break,
                    chunk,
                }
            },
        )
}

/// Cells no path may accept, by column type: never `+5`, which the serde path reads (see
/// [`known_difference_serde_accepts_integers_with_a_leading_plus`]).
fn bad_cells(ty: ColumnType) -> &'static [&'static str] {
    match ty {
        ColumnType::Integer => &[
            "many",
            "1.5",
            "1.0",
            "1e3",
            "12a",
            "1 000",
            "0x1F",
            "--5",
            "5-",
            "-",
            "٣",
            "true",
            "99999999999999999999",
        ],
        ColumnType::Date => &[
            "31/01/2024",
            "2024-02-30",
            "2024-1-31",
            "20240131",
            "2024-01-31T00:00:00",
            "yesterday",
            "2024-13-01",
        ],
        ColumnType::Boolean => &["yes", "1", "0", "T", "truee"],
        ColumnType::DateTime => &["yesterday", "2024-01-31", "2024-01-31 25:00:00"],
        ColumnType::Duration => &["1h", "01:60:00", "1:2:3", "-01:00:00"],
        ColumnType::String | ColumnType::List { .. } => &[],
    }
}

/// A valid file with one cell of a typed column made bad.
fn bad_file_case() -> impl Strategy<Value = FileCase> {
    (
        file_case(1..=4),
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
    )
        .prop_map(|(mut case, row, column, spelling)| {
            let meta = case.meta();
            let typed: Vec<usize> = case
                .columns
                .iter()
                .enumerate()
                .filter(|(_, column)| {
                    column
                        .spec
                        .is_some_and(|spec| !bad_cells(meta.columns[spec].ty).is_empty())
                })
                .map(|(index, _)| index)
                .collect();
            if !typed.is_empty() {
                let row = row.index(case.rows.len());
                let column = typed[column.index(typed.len())];
                let spec = case.columns[column].spec.unwrap();
                let spellings = bad_cells(meta.columns[spec].ty);
                case.rows[row][column] = CellCase {
                    text: spellings[spelling.index(spellings.len())].to_owned(),
                    expect: None,
                };
                case.bad = Some((row, column));
            }
            case
        })
}

/// How many files each property decodes; `PROPTEST_CASES` sets another number for a longer run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(128);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every fixture report is drawn: a report added to the codegen fixtures must be added to
/// [`FIXTURES`] too.
#[test]
fn decoder_agreement_covers_every_fixture_report() {
    let drawn: Vec<&str> = FIXTURES.iter().map(|fixture| fixture.meta.id).collect();
    let catalogue: Vec<&str> = super::fixtures::CATALOG
        .iter()
        .map(|meta| meta.id)
        .collect();
    assert_eq!(drawn, catalogue);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decoder_agreement_on_valid_files(case in file_case(0..=4)) {
        check(&case)?;
    }

    #[test]
    fn decoder_agreement_on_a_bad_cell(case in bad_file_case()) {
        check(&case)?;
    }
}

/// How the two paths' outcomes on `file` differ, if they do: the rows, or the kind and place
/// of the failure (not its message).
fn disagreement<R: Report + PartialEq>(file: &str) -> Option<String> {
    let (generated, generated_failure, _) =
        decode::<R>(R::META, file.as_bytes(), usize::MAX).unwrap();
    let (serde, serde_failure, _) =
        decode::<ViaSerde<R>>(R::META, file.as_bytes(), usize::MAX).unwrap();
    let serde: Vec<R> = serde.into_iter().map(|ViaSerde(row)| row).collect();
    let place = |failure: &Option<Error>| {
        failure
            .as_ref()
            .map(|error| (error.kind(), error.position().cloned()))
    };
    let message = |failure: Option<Error>| failure.map(|error| error.to_string());
    (generated != serde || place(&generated_failure) != place(&serde_failure)).then(|| {
        format!(
            "the paths disagree on {file:?}\n  generated: {generated:?}, {:?}\n  serde: {serde:?}, {:?}",
            message(generated_failure),
            message(serde_failure),
        )
    })
}

fn assert_agree<R: Report + PartialEq>(file: &str) {
    if let Some(disagreement) = disagreement::<R>(file) {
        panic!("{disagreement}");
    }
}

/// Serde fails the row with "duplicate field `Report Refresh Date`" (no column named); the
/// generated path ignores the unknown column. The same when the alias comes first with an empty
/// cell: serde fails with "empty cell, but the spec says this column always holds a date".
#[test]
#[ignore = "known disagreement: serde takes an unknown column named like a column's JSON name for the column (its alias) and fails on the duplicate"]
fn known_disagreement_an_unknown_column_named_like_a_json_name_next_to_the_column() {
    assert_agree::<ActivityDetailRow>(
        "Report Refresh Date,User Principal Name,Report Period,reportRefreshDate\n2024-01-31,a,7,\n",
    );
}

/// Serde reads `inactiveUsers` as `Inactive Users` (`Some(3)`; a bad cell there fails the row);
/// the generated path leaves the absent optional column `None`.
#[test]
#[ignore = "known disagreement: serde reads an unknown column named like an absent optional column's JSON name as the column"]
fn known_disagreement_an_unknown_column_named_like_a_json_name_instead_of_the_column() {
    assert_agree::<ScopedCountsRow>(
        "Report Refresh Date,Scope,Active Users,inactiveUsers\n2024-01-31,All,4,3\n",
    );
}

/// The list decoders ask the CSV deserializer to infer the type (to take JSON arrays too), and
/// it turns a whole cell that parses as a number or is `true`/`false` into one: the serde path
/// reads `007` as `["7"]`, `true` as `["True"]`, `false` as `["False"]`, `1.0` as `["1"]`,
/// `1e3` as `["1000"]`, `nan` as `["NaN"]` (and, with `;` as the separator, `+5` as `["5"]`);
/// the generated path keeps the text (`FALSE` or ` 007 ` is kept by both).
#[test]
#[ignore = "known disagreement: the serde path rewrites list cells that look like a number or a boolean"]
fn known_disagreement_a_list_cell_that_looks_like_a_number() {
    let disagreements: Vec<String> = NUMBER_LIKE_ITEMS
        .iter()
        .chain(&["+5"])
        .filter_map(|cell| {
            disagreement::<AppUsageRow>(&format!(
                "Date,App ID,Usage,Services\n2024-01-31T00:00:00Z,a,1,{cell}\n"
            ))
        })
        .collect();
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// Serde fails the row with "expected field, but got end of row" (no column named): it reads a
/// field for every header, the unknown ones too; the generated path reads the row.
#[test]
#[ignore = "known disagreement: serde fails a ragged row that leaves out the trailing cell of an unknown column"]
fn known_disagreement_a_ragged_row_without_the_cell_of_an_unknown_column() {
    assert_agree::<AppUsageRow>("Date,App ID,Usage,Zeta\n2024-01-31T00:00:00Z,a,1\n");
}

/// Both fail the row, but the generated path names the first bad cell in spec order (`Active
/// Users`), the serde path the first in file order (`Inactive Users`).
#[test]
#[ignore = "known disagreement: with two bad cells in a row the paths name different columns"]
fn known_disagreement_two_bad_cells_in_a_row() {
    assert_agree::<ScopedCountsRow>(
        "Inactive Users,Report Refresh Date,Scope,Active Users\nmany,2024-01-31,All,few\n",
    );
}

/// The CSV crate's serde deserializer infers a number from an integer cell before the cell
/// parser sees it, and Rust's integer parsing takes a leading `+`: the serde path reads `+5` as
/// 5 where the generated path refuses it (Graph never writes one, so one means the column is not
/// what the spec says). No other spelling the generated path refuses gets through: `1e3` and
/// `1.0` are inferred as floats and refused as such, and a `+` with spaces around the cell is
/// left to the cell parser.
#[test]
fn known_difference_serde_accepts_integers_with_a_leading_plus() {
    let header = "Report Refresh Date,Scope,Active Users,Inactive Users";
    let file = |column: &str, cell: &str| match column {
        "Active Users" => format!("{header}\n2024-01-31,All,{cell},\n"),
        _ => format!("{header}\n2024-01-31,All,4,{cell}\n"),
    };
    let read = |file: &str| {
        let (rows, failure, _) =
            decode::<ScopedCountsRow>(ScopedCountsRow::META, file.as_bytes(), 64).unwrap();
        let (serde, serde_failure, _) =
            decode::<ViaSerde<ScopedCountsRow>>(ScopedCountsRow::META, file.as_bytes(), 64)
                .unwrap();
        let column =
            |failure: Option<Error>| failure.and_then(|error| error.position()?.column.clone());
        (
            rows.first()
                .map(|row| (row.active_users, row.inactive_users)),
            column(failure),
            serde
                .first()
                .map(|ViaSerde(row)| (row.active_users, row.inactive_users)),
            column(serde_failure),
        )
    };
    for (cell, value) in [
        ("+5", 5),
        ("+007", 7),
        ("+0", 0),
        ("+9223372036854775807", i64::MAX),
    ] {
        let (generated, failed_at, serde, serde_failed_at) = read(&file("Active Users", cell));
        assert_eq!(
            (generated, failed_at.as_deref()),
            (None, Some("Active Users")),
            "{cell}"
        );
        assert_eq!(
            (serde, serde_failed_at),
            (Some((value, None)), None),
            "{cell}"
        );
        let (generated, failed_at, serde, serde_failed_at) = read(&file("Inactive Users", cell));
        assert_eq!(
            (generated, failed_at.as_deref()),
            (None, Some("Inactive Users")),
            "{cell}"
        );
        assert_eq!(
            (serde, serde_failed_at),
            (Some((4, Some(value))), None),
            "{cell}"
        );
    }
    for cell in [
        "1e3",
        "1.0",
        " +5 ",
        "++5",
        "+-5",
        "+",
        "+ 5",
        "+99999999999999999999",
    ] {
        for column in ["Active Users", "Inactive Users"] {
            let (generated, failed_at, serde, serde_failed_at) = read(&file(column, cell));
            assert_eq!((generated, serde), (None, None), "{cell:?} in {column}");
            assert_eq!(failed_at.as_deref(), Some(column), "{cell:?}");
            assert_eq!(serde_failed_at.as_deref(), Some(column), "{cell:?}");
        }
    }
}
