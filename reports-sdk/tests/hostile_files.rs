//! Report files built to hurt the reader: lines of commas, a header with no end, a last record
//! inside an open quote, gzip and other bytes that are not a CSV report, cells of megabytes.
//! Each meets a typed error that says what is wrong and how to fix it, read through the public
//! API (`read_csv`, `CsvReader`, `AsyncCsvReader`), without the reader taking more of the
//! source, or more memory, than its limits allow. (The decoder's own buffers are checked
//! against the limits by its unit tests; here the bytes pulled from a source that would go on
//! for 64 MiB show the reader stops at the limit instead of holding the input.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests panic on an unexpected outcome by design"
)]

use std::error::Error as _;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use reports_sdk::office365::Office365ActivationsUserCountsRow as Activations;
use reports_sdk::{
    AsyncCsvReader, BadRows, ColumnMeta, ColumnType, CsvReader, Error, ErrorKind, Limits, Report,
    ReportMeta, read_csv,
};
use tokio::io::{AsyncRead, ReadBuf};

const HEADER: &str =
    "Report Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation\r\n";
const MIB: usize = 1024 * 1024;

/// A source made up as it is read: `prefix`, then `filler` repeated `count` times, then
/// `suffix`, never held whole; `pulled` counts the bytes handed out.
struct Crafted {
    prefix: Vec<u8>,
    filler: u8,
    count: usize,
    suffix: Vec<u8>,
    at: usize,
    pulled: Arc<AtomicU64>,
}

impl Crafted {
    fn new(prefix: &str, filler: u8, count: usize, suffix: &str) -> Self {
        Crafted {
            prefix: prefix.as_bytes().to_vec(),
            filler,
            count,
            suffix: suffix.as_bytes().to_vec(),
            at: 0,
            pulled: Arc::new(AtomicU64::new(0)),
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let filler_end = self.prefix.len() + self.count;
        let n = if self.at < self.prefix.len() {
            let part = &self.prefix[self.at..];
            let n = part.len().min(buf.len());
            buf[..n].copy_from_slice(&part[..n]);
            n
        } else if self.at < filler_end {
            let n = (filler_end - self.at).min(buf.len());
            buf[..n].fill(self.filler);
            n
        } else {
            let part = &self.suffix[self.at - filler_end..];
            let n = part.len().min(buf.len());
            buf[..n].copy_from_slice(&part[..n]);
            n
        };
        self.at += n;
        self.pulled.fetch_add(n as u64, Ordering::Relaxed);
        n
    }
}

impl Read for Crafted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.fill(buf))
    }
}

impl AsyncRead for Crafted {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = this.fill(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// Whether `error` is a limit error naming `setter`, with a message a person can read.
fn assert_limit(error: &Error, setter: &str, what: &str) {
    let message = error.to_string();
    assert_eq!(error.kind(), ErrorKind::Limit, "{message}");
    assert!(message.contains(what), "{message}");
    assert!(
        message.contains(&format!("`Limits::{setter}`")),
        "{message}"
    );
    assert!(
        message.contains(&format!("Limits::default().{setter}(")),
        "says how to raise it: {message}"
    );
    assert!(message.len() < 1000, "{} bytes", message.len());
}

/// Finding 1, the header: 64 MiB of commas after the header names is a limit error at the
/// 4,097th field, from `CsvReader` and `AsyncCsvReader` alike, after reading one chunk.
#[tokio::test]
async fn a_header_line_of_commas_is_a_field_limit_error_read_no_further() {
    let header = HEADER.trim_end();
    let source = Crafted::new(header, b',', 64 * MIB, "\r\n");
    let pulled = Arc::clone(&source.pulled);
    let error = CsvReader::<Activations, _>::new(source).unwrap_err();
    assert_limit(
        &error,
        "max_fields",
        "the header line has more than 4096 fields",
    );
    assert!(pulled.load(Ordering::Relaxed) < MIB as u64);

    let source = Crafted::new(header, b',', 64 * MIB, "\r\n");
    let pulled = Arc::clone(&source.pulled);
    let error = AsyncCsvReader::<Activations, _>::new(source)
        .await
        .unwrap_err();
    assert_limit(
        &error,
        "max_fields",
        "the header line has more than 4096 fields",
    );
    assert!(pulled.load(Ordering::Relaxed) < MIB as u64);
}

/// Finding 1, a row: a row of 64 MiB of commas ends the iteration with a limit error after
/// the rows before it, and the reader stops reading the source there.
#[tokio::test]
async fn a_row_of_commas_is_a_field_limit_error_after_the_rows_before_it() {
    let prefix = format!("{HEADER}2024-01-31,Visio,4,1,0\r\n2024-01-31,Project");
    let source = Crafted::new(&prefix, b',', 64 * MIB, "\r\n");
    let pulled = Arc::clone(&source.pulled);
    // Rejecting bad rows does not skip it: a record over a limit is not a bad row.
    let mut reader = CsvReader::<Activations, _>::new(source)
        .unwrap()
        .on_bad_row(BadRows::reject());
    assert_eq!(reader.next().unwrap().unwrap().product_type, "Visio");
    let error = reader.next().unwrap().unwrap_err();
    assert_limit(&error, "max_fields", "a record has more than 4096 fields");
    let position = error.position().unwrap();
    assert_eq!((position.line, position.record), (Some(3), 2));
    assert!(reader.next().is_none());
    assert!(reader.rejected().is_empty());
    assert!(pulled.load(Ordering::Relaxed) < MIB as u64);

    let source = Crafted::new(&prefix, b',', 64 * MIB, "\r\n");
    let pulled = Arc::clone(&source.pulled);
    let mut reader = AsyncCsvReader::<Activations, _>::new(source).await.unwrap();
    assert!(reader.next_row().await.unwrap().is_ok());
    let error = reader.next_row().await.unwrap().unwrap_err();
    assert_limit(&error, "max_fields", "a record has more than 4096 fields");
    assert!(reader.next_row().await.is_none());
    assert!(pulled.load(Ordering::Relaxed) < MIB as u64);
}

/// Finding 1 through `read_csv`: 32 MiB of commas in memory is a limit error (the decoder's
/// buffers stay within the limits: see its unit tests), in the header or in a row.
#[test]
fn read_csv_of_a_file_of_commas_is_a_field_limit_error() {
    let commas = ",".repeat(32 * MIB);
    let error =
        read_csv::<Activations>(format!("{}{commas}", HEADER.trim_end()).as_bytes()).unwrap_err();
    assert_limit(
        &error,
        "max_fields",
        "the header line has more than 4096 fields",
    );
    let error = read_csv::<Activations>(format!("{HEADER}2024-01-31,Visio{commas}\r\n").as_bytes())
        .unwrap_err();
    assert_limit(&error, "max_fields", "a record has more than 4096 fields");
    assert!(
        error.message().contains("CsvReader::limits"),
        "a file's error names the reader's setting: {error}"
    );
}

/// Finding 7: a header line longer than the record limit (no line break in 17 MiB) says it
/// hit the limit, not that the file is empty, having read no more than the limit.
#[test]
fn an_endless_header_is_a_byte_limit_error_not_an_empty_file() {
    let source = Crafted::new("Report Refresh Date", b'x', 17 * MIB, "\r\n");
    let pulled = Arc::clone(&source.pulled);
    let error = CsvReader::<Activations, _>::new(source).unwrap_err();
    assert_limit(
        &error,
        "max_record_bytes",
        "the header line is longer than 16 MiB",
    );
    assert!(!error.to_string().contains("empty"), "{error}");
    assert!(pulled.load(Ordering::Relaxed) < 17 * MIB as u64);

    let file = format!("Report Refresh Date{}", "x".repeat(17 * MIB));
    let error = read_csv::<Activations>(file.as_bytes()).unwrap_err();
    assert_limit(
        &error,
        "max_record_bytes",
        "the header line is longer than 16 MiB",
    );
}

/// Finding 1, bytes: a row that outgrows `max_record_bytes` (a stray quote, here) is a limit
/// error; `CsvReader::limits` lowers and raises the bound for the rows.
#[tokio::test]
async fn a_record_over_the_byte_limit_is_an_error_and_limits_raise_it() {
    let prefix = format!("{HEADER}2024-01-31,Visio,4,1,0\r\n2024-01-31,\"");
    let open_quote = || Crafted::new(&prefix, b'x', 2 * MIB, "\",4,1,0\r\n");

    let mut reader = CsvReader::<Activations, _>::new(open_quote())
        .unwrap()
        .limits(Limits::default().max_record_bytes(MIB));
    assert!(reader.next().unwrap().is_ok());
    let error = reader.next().unwrap().unwrap_err();
    assert_limit(&error, "max_record_bytes", "a record is longer than 1 MiB");
    assert!(reader.next().is_none());

    let mut reader = AsyncCsvReader::<Activations, _>::new(open_quote())
        .await
        .unwrap()
        .limits(Limits::default().max_record_bytes(MIB));
    assert!(reader.next_row().await.unwrap().is_ok());
    let error = reader.next_row().await.unwrap().unwrap_err();
    assert_limit(&error, "max_record_bytes", "a record is longer than 1 MiB");

    // The same 2 MiB cell passes the default 16 MiB.
    let rows: Vec<_> = CsvReader::<Activations, _>::new(open_quote())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[1].product_type.len(), 2 * MIB);

    // A cell over the default is read once the limit is raised.
    let over = || Crafted::new(&prefix, b'x', 17 * MIB, "\",4,1,0\r\n");
    let error = CsvReader::<Activations, _>::new(over())
        .unwrap()
        .nth(1)
        .unwrap()
        .unwrap_err();
    assert_limit(&error, "max_record_bytes", "a record is longer than 16 MiB");
    let rows: Vec<_> = CsvReader::<Activations, _>::new(over())
        .unwrap()
        .limits(Limits::default().max_record_bytes(32 * MIB))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[1].product_type.len(), 17 * MIB);
}

/// Finding 5, the file side (a download's rule is the decoder's unit test): a file's last
/// line may lack its line break, but a file that ends inside a quoted field is an error, and
/// the record it was in yields no value.
#[tokio::test]
async fn a_file_ending_inside_a_quoted_field_is_an_error() {
    let unterminated = format!("{HEADER}2024-01-31,Visio,4,1,0\r\n2024-01-31,Project,2,2,35");
    let (rows, _) = read_csv::<Activations>(unterminated.as_bytes()).unwrap();
    assert_eq!(rows[1].shared_computer_activation, Some(35));

    let open = format!("{HEADER}2024-01-31,Visio,4,1,0\r\n2024-01-31,\"Project,2,2,3");
    let check = |error: Error| {
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        let message = error.to_string();
        assert!(
            message.contains("the file ended inside a quoted field"),
            "{message}"
        );
        assert!(message.contains("(line 3, record 2)"), "{message}");
    };
    check(read_csv::<Activations>(open.as_bytes()).unwrap_err());

    let mut reader = CsvReader::<Activations, _>::new(open.as_bytes()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().product_type, "Visio");
    check(reader.next().unwrap().unwrap_err());
    assert!(reader.next().is_none());

    let mut reader = AsyncCsvReader::<Activations, _>::new(open.as_bytes())
        .await
        .unwrap();
    assert!(reader.next_row().await.unwrap().is_ok());
    check(reader.next_row().await.unwrap().unwrap_err());

    // In the header, the constructor fails.
    let error =
        CsvReader::<Activations, _>::new(&b"Report Refresh Date,\"Product"[..]).unwrap_err();
    assert!(
        error.to_string().contains("ended inside a quoted field"),
        "{error}"
    );
}

/// Finding 7: a gzip-compressed file, a ZIP workbook, UTF-16 text and binary data say what
/// they are, from every reader, instead of "header 1 is not UTF-8".
#[tokio::test]
async fn a_file_that_is_not_csv_text_says_what_it_is() {
    let gzip: &[u8] = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x0b\x4a\x2d\xc8\x2f\x2a\x51\x08\x4a\x4d\x2b\x4a\x2d\xce\x50\x70\x49\x2c\x49\xe5\x02\x00";
    let cases: [(&[u8], &str); 4] = [
        (
            gzip,
            "the file is gzip-compressed data, not a CSV report: decompress it first",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00",
            "a ZIP archive (an Excel workbook?)",
        ),
        (
            b"\xff\xfeR\x00e\x00p\x00o\x00r\x00t\x00\r\x00\n\x00",
            "UTF-16 text",
        ),
        (
            b"\x89\xc3\x28\x00\x00\x01,\x02\n\x03\x04",
            "the header is not UTF-8 text (its field 1): the file is not a CSV report (binary data?)",
        ),
    ];
    for (file, expected) in cases {
        let errors = [
            read_csv::<Activations>(file).unwrap_err(),
            CsvReader::<Activations, _>::new(file).unwrap_err(),
            AsyncCsvReader::<Activations, _>::new(file)
                .await
                .unwrap_err(),
        ];
        for error in errors {
            assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
            assert!(
                error.to_string().contains(expected),
                "{expected:?}: {error}"
            );
        }
    }
}

/// A cell of megabytes that does not decode is quoted cut, through the generated rows' path.
#[test]
fn a_huge_bad_cell_is_quoted_cut() {
    let huge = "7x".repeat(5 * MIB);
    let file = format!("{HEADER}2024-01-31,Visio,{huge},1,0\r\n");
    let error = read_csv::<Activations>(file.as_bytes()).unwrap_err();
    let message = error.to_string();
    assert!(message.len() < 1000, "{} bytes", message.len());
    assert!(
        message.contains("(a cell of 10485760 bytes)"),
        "{}",
        &message[..message.len().min(1000)]
    );
}

/// A report defined outside the SDK, decoded through serde, with a column serde reads as an
/// enum: serde's own message quotes the cell whole (`unknown variant "..."`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
enum Shape {
    Round,
    Square,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
struct ShapeRow {
    #[serde(rename = "Report Refresh Date")]
    report_refresh_date: chrono::NaiveDate,
    #[serde(rename = "Shape")]
    shape: Shape,
}

impl Report for ShapeRow {
    const META: &'static ReportMeta = &ReportMeta::new(
        "shapes",
        "getShapes",
        &[
            ColumnMeta::new(
                "Report Refresh Date",
                "report_refresh_date",
                "reportRefreshDate",
                ColumnType::Date,
            ),
            ColumnMeta::new("Shape", "shape", "shape", ColumnType::String),
        ],
    );
}

#[test]
fn a_huge_cell_in_a_serde_error_is_cut_in_the_message_and_its_sources() {
    let (rows, _) = read_csv::<ShapeRow>(b"Report Refresh Date,Shape\n2024-01-31,Round\n").unwrap();
    assert_eq!(rows[0].shape, Shape::Round);

    let file = format!(
        "Report Refresh Date,Shape\n2024-01-31,{}\n",
        "z".repeat(4 * MIB)
    );
    let error = read_csv::<ShapeRow>(file.as_bytes()).unwrap_err();
    let message = error.to_string();
    assert!(message.len() < 1500, "{} bytes", message.len());
    assert!(message.contains("unknown variant"), "{message}");
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        assert!(text.len() < 1500, "a source of {} bytes", text.len());
        source = inner.source();
    }
    assert!(format!("{error:?}").len() < 3000);
}
