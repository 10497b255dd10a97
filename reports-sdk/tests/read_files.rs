//! Report files read from a `std::io::Read`, a path or a `tokio::io::AsyncRead`: the same rows,
//! drift and errors as `read_csv` of the same bytes, however the source hands them out.

use std::error::Error as _;
use std::io::{self, Read};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::StreamExt;
use reports_sdk::office365::Office365ActivationsUserCountsRow as Activations;
use reports_sdk::{AnyRow, AsyncCsvReader, CsvReader, Error, ErrorKind, Report, read_csv};
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};

/// A UTF-8 BOM, CRLF line ends, a quoted cell with a comma and doubled quotes, a quoted line
/// break, an empty optional cell and a last record without a line break.
const FILE: &[u8] = b"\xEF\xBB\xBFReport Refresh Date,Product Type,Assigned,Activated,Shared Computer Activation\r\n\
2024-01-31,\"Microsoft 365 Apps, for \"\"enterprise\"\"\",10,7,2\r\n\
2024-01-31,\"Project\r\nOnline\",4,1,\r\n\
2024-01-31,Visio,3,3,0";

/// Hands out at most `limit` bytes per read.
struct Trickle<'a> {
    rest: &'a [u8],
    limit: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.limit).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// Hands out `rest` a few bytes at a time, then fails as a detached disk would.
struct FailsAtEnd<'a> {
    rest: &'a [u8],
}

impl FailsAtEnd<'_> {
    fn read_into(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.rest.is_empty() {
            return Err(io::Error::other("the disk was detached"));
        }
        let n = buf.len().min(7).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

impl Read for FailsAtEnd<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_into(buf)
    }
}

impl AsyncRead for FailsAtEnd<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let read = this.read_into(buf.initialize_unfilled());
        Poll::Ready(read.map(|n| buf.advance(n)))
    }
}

fn expected() -> Vec<Activations> {
    let (rows, drift) = match read_csv::<Activations>(FILE) {
        Ok(decoded) => decoded,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(rows.len(), 3);
    assert!(drift.is_empty());
    rows
}

/// `FILE` cut after its second row and the first bytes of the third.
fn cut_in_third_row() -> &'static [u8] {
    let third = FILE.windows(5).position(|w| w == b"Visio");
    &FILE[..third.map_or(0, |third| third + 2)]
}

fn assert_io_error(error: &Error) {
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    assert_eq!(error.report(), Some(Activations::META.id));
    let source = error
        .source()
        .and_then(|source| source.downcast_ref::<io::Error>());
    assert_eq!(
        source.map(io::Error::to_string).as_deref(),
        Some("the disk was detached")
    );
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "reports-sdk-read-files-{}-{name}",
        std::process::id()
    ))
}

#[test]
fn reads_of_one_byte_give_what_read_csv_gives() {
    let expected = expected();
    assert_eq!(
        expected[0].product_type,
        "Microsoft 365 Apps, for \"enterprise\""
    );
    assert_eq!(expected[1].product_type, "Project\r\nOnline");
    assert_eq!(expected[1].shared_computer_activation, None);
    for limit in [1, 2, 3, 5, FILE.len()] {
        let source = Trickle { rest: FILE, limit };
        let reader = CsvReader::<Activations, _>::new(source).unwrap();
        assert!(reader.drift().is_empty());
        let rows: Vec<Activations> = reader.collect::<Result<_, _>>().unwrap();
        assert_eq!(rows, expected, "reads of {limit} bytes");
    }
    // Borrowed, so the source stays the caller's.
    let mut source: &[u8] = FILE;
    let rows = CsvReader::<Activations, _>::new(&mut source).unwrap();
    assert_eq!(rows.count(), 3);
    assert!(source.is_empty());
}

#[test]
fn drift_is_known_before_the_first_row() {
    let file = b"Activated,Mystery,Report Refresh Date,Product Type,Assigned\n\
                 1,?,2024-01-31,Visio,4\n";
    let mut reader = CsvReader::<Activations, _>::new(Trickle {
        rest: file,
        limit: 1,
    })
    .unwrap();
    let drift = reader.drift().clone();
    assert_eq!(drift.unknown_columns, ["Mystery"]);
    assert_eq!(drift.missing_columns, ["Shared Computer Activation"]);
    assert!(drift.missing_required.is_empty());
    assert_eq!(drift, read_csv::<Activations>(file).unwrap().1);
    let row = reader.next().unwrap().unwrap();
    assert_eq!((row.assigned, row.activated), (4, 1));
    assert_eq!(row.shared_computer_activation, None);
    assert!(reader.next().is_none());
    assert_eq!(reader.drift(), &drift);

    // Rows as maps, checked against a report's columns.
    let mut cells = CsvReader::<AnyRow, _>::with_meta(Activations::META, &file[..]).unwrap();
    assert_eq!(cells.drift(), &drift);
    assert_eq!(cells.meta().id, Activations::META.id);
    let row = cells.next().unwrap().unwrap();
    assert_eq!(row["Mystery"], "?");
}

#[test]
fn a_missing_required_column_or_an_empty_file_fails_in_the_constructor() {
    let file = b"Report Refresh Date,Product Type,Activated\r\n2024-01-31,Visio,1\r\n";
    let error = CsvReader::<Activations, _>::new(Trickle {
        rest: file,
        limit: 1,
    })
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingColumn);
    assert!(
        error
            .to_string()
            .contains("the file lacks required column(s) \"Assigned\""),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        read_csv::<Activations>(file).unwrap_err().to_string()
    );

    for empty in [&b""[..], b"\xEF\xBB\xBF", b"\r\n"] {
        let error = CsvReader::<Activations, _>::new(empty).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(error.to_string().contains("no header line"), "{error}");
    }
    let header_only = b"Report Refresh Date,Product Type,Assigned,Activated\r\n";
    let reader = CsvReader::<Activations, _>::new(&header_only[..]).unwrap();
    assert_eq!(reader.count(), 0);
}

#[test]
fn an_io_error_mid_file_comes_after_the_rows_before_it() {
    let source = FailsAtEnd {
        rest: cut_in_third_row(),
    };
    let mut reader = CsvReader::<Activations, _>::new(source).unwrap();
    let expected = expected();
    assert_eq!(reader.next().unwrap().unwrap(), expected[0]);
    assert_eq!(reader.next().unwrap().unwrap(), expected[1]);
    assert_io_error(&reader.next().unwrap().unwrap_err());
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());

    // Before the end of the header, it is the constructor's error.
    let error = CsvReader::<Activations, _>::new(FailsAtEnd { rest: &FILE[..20] }).unwrap_err();
    assert_io_error(&error);
}

#[test]
fn a_row_that_does_not_decode_ends_the_rows() {
    let file = b"Report Refresh Date,Product Type,Assigned,Activated\n\
                 2024-01-31,Visio,4,1\n2024-01-31,Project,many,1\n2024-01-31,Teams,1,1\n";
    let mut reader = CsvReader::<Activations, _>::new(Trickle {
        rest: file,
        limit: 4,
    })
    .unwrap();
    assert_eq!(reader.next().unwrap().unwrap().product_type, "Visio");
    let error = reader.next().unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode);
    let position = error.position().unwrap();
    assert_eq!((position.line, position.record), (Some(3), 2));
    assert_eq!(position.column.as_deref(), Some("Assigned"));
    let whole = read_csv::<Activations>(file).unwrap_err();
    assert_eq!(error.message(), whole.message());
    assert_eq!(error.position(), whole.position());
    assert_eq!(error.report(), Some(Activations::META.id));
    assert!(reader.next().is_none());
}

#[test]
fn open_reads_a_file_and_names_it_in_errors() {
    let path = temp_path("activations.csv");
    std::fs::write(&path, FILE).unwrap();
    let reader = CsvReader::<Activations, _>::open(&path).unwrap();
    assert!(reader.drift().is_empty());
    assert!(format!("{reader:?}").contains("activations.csv"));
    let rows: Vec<Activations> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(rows, expected());

    let bad = temp_path("bad.csv");
    std::fs::write(
        &bad,
        b"Report Refresh Date,Product Type,Assigned,Activated\n2024-01-31,Visio,x,1\n",
    )
    .unwrap();
    let error = CsvReader::<Activations, _>::open(&bad)
        .unwrap()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(
        error
            .message()
            .starts_with(&format!("`{}`: ", bad.display())),
        "{error}"
    );

    let missing = temp_path("missing.csv");
    std::fs::write(&missing, b"Report Refresh Date,Product Type\n").unwrap();
    let error = CsvReader::<Activations, _>::open(&missing).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingColumn);
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );

    for file in [&path, &bad, &missing] {
        std::fs::remove_file(file).unwrap();
    }

    let absent = temp_path("does-not-exist.csv");
    let error = CsvReader::<Activations, _>::open(&absent).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io);
    assert!(
        error
            .to_string()
            .contains(&format!("`{}`", absent.display())),
        "{error}"
    );
    let source = error.source().unwrap().downcast_ref::<io::Error>().unwrap();
    assert_eq!(source.kind(), io::ErrorKind::NotFound);
}

#[tokio::test]
async fn the_async_reader_gives_the_same_rows_and_errors() {
    let expected = expected();

    // Over a buffered reader, as a `Stream`.
    let reader = tokio::io::BufReader::with_capacity(3, FILE);
    let rows = AsyncCsvReader::<Activations, _>::new(reader).await.unwrap();
    assert!(rows.drift().is_empty());
    let rows: Vec<Activations> = rows.map(Result::unwrap).collect().await;
    assert_eq!(rows, expected);

    // Over a duplex pipe fed a few bytes at a time by another task, with `next_row`.
    let (mut writer, reader) = tokio::io::duplex(5);
    let feeder = tokio::spawn(async move {
        writer.write_all(FILE).await.unwrap();
        writer.shutdown().await.unwrap();
    });
    let mut rows = AsyncCsvReader::<Activations, _>::new(reader).await.unwrap();
    let mut streamed = Vec::new();
    while let Some(row) = rows.next_row().await {
        streamed.push(row.unwrap());
    }
    assert_eq!(streamed, expected);
    assert!(rows.next_row().await.is_none());
    feeder.await.unwrap();

    // Drift, and the constructor's errors.
    let file =
        b"Mystery,Report Refresh Date,Product Type,Assigned,Activated\n?,2024-01-31,Visio,4,1\n";
    let rows = AsyncCsvReader::<Activations, _>::new(&file[..])
        .await
        .unwrap();
    assert_eq!(rows.drift().unknown_columns, ["Mystery"]);
    assert_eq!(rows.drift().missing_columns, ["Shared Computer Activation"]);
    let file = b"Report Refresh Date,Product Type,Activated\n2024-01-31,Visio,1\n";
    let error = AsyncCsvReader::<Activations, _>::new(&file[..])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingColumn);
    assert!(error.to_string().contains("\"Assigned\""), "{error}");
    let error = AsyncCsvReader::<Activations, _>::new(&b""[..])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("no header line"), "{error}");

    // An I/O error after the rows before it.
    let source = FailsAtEnd {
        rest: cut_in_third_row(),
    };
    let mut rows = AsyncCsvReader::<Activations, _>::new(source).await.unwrap();
    assert_eq!(rows.next_row().await.unwrap().unwrap(), expected[0]);
    assert_eq!(rows.next_row().await.unwrap().unwrap(), expected[1]);
    assert_io_error(&rows.next_row().await.unwrap().unwrap_err());
    assert!(rows.next().await.is_none());
}
