//! Decodes a CSV report incrementally, chunk by chunk as the body downloads, so memory stays
//! bounded by the longest record rather than the file. Columns are matched by header (trimmed,
//! UTF-8 BOM removed); the header is checked against the spec before any row is decoded.

use std::collections::VecDeque;

use chrono::NaiveDate;
use csv::{ByteRecord, StringRecord};
use csv_core::ReadRecordResult;

use super::cells::{CsvColumns, CsvRecord};
use super::decode::{check_cell, iso_date};
use super::error::{Error, ErrorKind, Position};
use super::limits::Limits;
use super::meta::{Format, Report, ReportMeta};
use super::rejected::Rejections;
use super::response::SchemaDrift;
use super::row::Row;

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// The longest record held while waiting for its end: far beyond any real report row, it stops
/// a stray quote from turning the rest of a download into one record in memory.
const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// The header Graph puts first in every report; its value is exposed as the refresh date.
pub(crate) const REFRESH_DATE_HEADER: &str = "Report Refresh Date";

#[derive(Debug)]
pub(crate) struct CsvDecoder {
    meta: &'static ReportMeta,
    core: csv_core::Reader,
    output: Vec<u8>,
    ends: Vec<usize>,
    output_len: usize,
    ends_len: usize,
    /// The first bytes, held until it is known whether they are a BOM.
    start: Option<Vec<u8>>,
    record: ByteRecord,
    records: u64,
    header: Option<Header>,
    refresh_date: Option<NaiveDate>,
    finished: bool,
    /// The row failure that ended the decoding: the first bad row under [`BadRows::Fail`](crate::BadRows::Fail), the
    /// limit under [`BadRows::Reject`](crate::BadRows::Reject). Rows before it are still handed out; nothing after it
    /// is decoded.
    row_error: Option<Error>,
    /// Where bad rows go under [`BadRows::Reject`](crate::BadRows::Reject).
    rejections: Rejections,
    /// Whether to stop at the end of the header and hold the rest of the input, so a file
    /// reader can take settings for the rows after reading the header.
    hold_after_header: bool,
    /// Input after the header, not decoded yet.
    held: Option<Vec<u8>>,
    /// Bounds on fields and bytes per record.
    #[allow(dead_code, reason = "being wired in: issue 10")]
    limits: Limits,
    /// Whether the input is a download, whose last record must end with a line break (a body
    /// that stops inside a record was cut short).
    #[allow(dead_code, reason = "being wired in: issue 10")]
    download: bool,
}

#[derive(Debug)]
struct Header {
    /// Where the spec's columns sit, and the trimmed header names.
    columns: CsvColumns,
    names: Vec<String>,
    drift: SchemaDrift,
    refresh_date_index: Option<usize>,
}

impl CsvDecoder {
    /// A decoder of a file that fails on the first bad row.
    pub(crate) fn new(meta: &'static ReportMeta) -> Self {
        Self::rejecting_into(meta, Rejections::default(), Limits::default())
    }

    /// A decoder of a file that treats bad rows as `rejections` says, within `limits`.
    pub(crate) fn rejecting_into(
        meta: &'static ReportMeta,
        rejections: Rejections,
        limits: Limits,
    ) -> Self {
        CsvDecoder {
            meta,
            core: csv_core::Reader::new(),
            output: vec![0; 4096],
            ends: vec![0; 64],
            output_len: 0,
            ends_len: 0,
            start: Some(Vec::new()),
            record: ByteRecord::new(),
            records: 0,
            header: None,
            refresh_date: None,
            finished: false,
            row_error: None,
            rejections,
            hold_after_header: false,
            held: None,
            limits,
            download: false,
        }
    }

    /// The same decoder for a download: a body that stops inside a record was cut short.
    pub(crate) fn for_download(mut self) -> Self {
        self.download = true;
        self
    }

    /// A decoder that stops at the end of the header, holding what follows it until the next
    /// [`feed`](Self::feed), [`release`](Self::release) or [`finish`](Self::finish).
    pub(crate) fn holding_rows(meta: &'static ReportMeta) -> Self {
        CsvDecoder {
            hold_after_header: true,
            ..Self::new(meta)
        }
    }

    /// Treats the rows after the header as `rejections` says: call before any row is decoded.
    pub(crate) fn set_rejections(&mut self, rejections: Rejections) {
        self.rejections = rejections;
    }

    /// Whether input after the header is held, waiting for [`release`](Self::release).
    pub(crate) fn holds_input(&self) -> bool {
        self.held.is_some()
    }

    /// Decodes the input held after the header.
    pub(crate) fn release<R: Row>(&mut self, rows: &mut VecDeque<R>) -> Result<(), Error> {
        match self.held.take() {
            Some(held) => self.split(&held, false, rows),
            None => Ok(()),
        }
    }

    /// The error of the first row that failed, once the rows before it have been taken.
    pub(crate) fn take_row_error(&mut self) -> Option<Error> {
        self.row_error.take()
    }

    /// Whether a row failed (its error not taken yet).
    pub(crate) fn has_row_error(&self) -> bool {
        self.row_error.is_some()
    }

    /// How the file's columns differ from the spec's, once the header has been read.
    pub(crate) fn drift(&self) -> Option<&SchemaDrift> {
        self.header.as_ref().map(|header| &header.drift)
    }

    /// The `Report Refresh Date` of the first row, once it has been read.
    pub(crate) fn refresh_date(&self) -> Option<NaiveDate> {
        self.refresh_date
    }

    /// Bytes held for a record not complete yet.
    #[cfg(test)]
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.output_len + self.start.as_ref().map_or(0, Vec::len)
    }

    /// Decodes every record completed by `input`, appending rows to `rows`. A header problem is
    /// returned at once; a row that fails is kept for [`take_row_error`](Self::take_row_error),
    /// so the rows before it are not lost, and ends the decoding.
    pub(crate) fn feed<R: Row>(
        &mut self,
        input: &[u8],
        rows: &mut VecDeque<R>,
    ) -> Result<(), Error> {
        self.release(rows)?;
        match self.start.take() {
            Some(mut start) => {
                start.extend_from_slice(input);
                if start.len() < BOM.len() && BOM.starts_with(&start) {
                    self.start = Some(start);
                    return Ok(());
                }
                let body = start.strip_prefix(BOM).unwrap_or(&start);
                self.split(body, false, rows)
            }
            None => self.split(input, false, rows),
        }
    }

    /// Ends the file: decodes a last record without a line break, and fails if there was no
    /// header at all.
    pub(crate) fn finish<R: Row>(&mut self, rows: &mut VecDeque<R>) -> Result<(), Error> {
        self.release(rows)?;
        if let Some(start) = self.start.take() {
            self.split(start.strip_prefix(BOM).unwrap_or(&start), false, rows)?;
        }
        self.split(&[], true, rows)?;
        if self.header.is_none() {
            return Err(self.error(
                ErrorKind::Decode,
                "the report file is empty: it has no header line",
            ));
        }
        Ok(())
    }

    fn split<R: Row>(
        &mut self,
        mut input: &[u8],
        at_end: bool,
        rows: &mut VecDeque<R>,
    ) -> Result<(), Error> {
        loop {
            // csv-core takes an empty input as the end of the file: only `finish` may pass one.
            if self.finished || self.row_error.is_some() || (input.is_empty() && !at_end) {
                return Ok(());
            }
            let (result, read, written, ended) = self.core.read_record(
                input,
                &mut self.output[self.output_len..],
                &mut self.ends[self.ends_len..],
            );
            let ended_on_newline = read > 0 && input[read - 1] == b'\n';
            input = &input[read..];
            self.output_len += written;
            self.ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty if !at_end => return Ok(()),
                ReadRecordResult::InputEmpty => {
                    self.finished = true;
                    return Ok(());
                }
                ReadRecordResult::OutputFull if self.output.len() >= MAX_RECORD_BYTES => {
                    self.records += 1;
                    self.row_error = Some(
                        self.error(
                            ErrorKind::Decode,
                            format!(
                                "a record is longer than {} MiB; the file is malformed (an unclosed quote?)",
                                MAX_RECORD_BYTES / (1024 * 1024)
                            ),
                        )
                        .with_position(Position {
                            line: None,
                            record: self.records,
                            column: None,
                        }),
                    );
                    return Ok(());
                }
                ReadRecordResult::OutputFull => {
                    let grown = self.output.len() * 2;
                    self.output.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    // csv-core counts every `\n` it has read; the record ends on the line before
                    // a `\n` just consumed. Where it starts is worked out only for an error.
                    let end_line = self.core.line() - u64::from(ended_on_newline);
                    let header_was_known = self.header.is_some();
                    self.complete_record(end_line, rows)?;
                    if self.hold_after_header && !header_was_known && self.header.is_some() {
                        self.hold_after_header = false;
                        self.held = Some(input.to_vec());
                        return Ok(());
                    }
                }
                ReadRecordResult::End => {
                    self.finished = true;
                    return Ok(());
                }
            }
        }
    }

    /// The line a record ending on `end_line` starts on: as many lines earlier as it holds
    /// quoted line breaks.
    fn start_line(&self, end_line: u64) -> u64 {
        let inner_breaks = self.output[..self.output_len]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count() as u64;
        end_line.saturating_sub(inner_breaks)
    }

    fn complete_record<R: Row>(
        &mut self,
        end_line: u64,
        rows: &mut VecDeque<R>,
    ) -> Result<(), Error> {
        let completed = match &self.header {
            None => {
                // The header is copied once; rows are decoded where csv-core wrote them.
                self.record.clear();
                let mut field_start = 0;
                for &end in &self.ends[..self.ends_len] {
                    self.record.push_field(&self.output[field_start..end]);
                    field_start = end;
                }
                self.read_header(self.start_line(end_line))
            }
            Some(_) => {
                self.records += 1;
                match self.decode_row(end_line) {
                    Ok(row) => rows.push_back(row),
                    Err(error) => {
                        let cell = self.cell_named(&error);
                        if let Err(error) =
                            self.rejections.reject(self.meta.id, error, cell.as_deref())
                        {
                            self.row_error = Some(error);
                        }
                    }
                }
                Ok(())
            }
        };
        self.output_len = 0;
        self.ends_len = 0;
        completed
    }

    fn read_header(&mut self, line: u64) -> Result<(), Error> {
        let mut names = Vec::with_capacity(self.record.len());
        let mut trimmed =
            StringRecord::with_capacity(self.record.as_slice().len(), self.record.len());
        for (index, field) in self.record.iter().enumerate() {
            let name = std::str::from_utf8(field)
                .map_err(|err| {
                    self.error(
                        ErrorKind::Decode,
                        format!("header {} is not UTF-8", index + 1),
                    )
                    .with_position(Position {
                        line: Some(line),
                        record: 0,
                        column: None,
                    })
                    .with_source(err)
                })?
                .trim()
                .to_owned();
            trimmed.push_field(&name);
            names.push(name);
        }
        let drift = SchemaDrift::compare(self.meta, names.iter().map(String::as_str), Format::Csv);
        if !drift.is_decodable() {
            return Err(self.error(
                ErrorKind::MissingColumn,
                format!(
                    "the file lacks required column(s) {}; it has {}. If Microsoft dropped or renamed the column, mark it `optional: true` (or fix its header) in the spec and regenerate; `cargo xtask spec-diff <file>` shows the YAML",
                    quote_all(&drift.missing_required),
                    quote_all(&names),
                ),
            ));
        }
        let refresh_date_index = names.iter().position(|name| name == REFRESH_DATE_HEADER);
        self.header = Some(Header {
            columns: CsvColumns::resolve(self.meta, trimmed),
            names,
            drift,
            refresh_date_index,
        });
        Ok(())
    }

    /// Decodes the record just completed, which ends on `end_line`.
    fn decode_row<R: Row>(&mut self, end_line: u64) -> Result<R, Error> {
        let Some(header) = &self.header else {
            return Err(self.error(ErrorKind::Decode, "a row came before the header"));
        };
        let position = |decoder: &Self| Position {
            line: Some(decoder.start_line(end_line)),
            record: decoder.records,
            column: None,
        };
        let record = CsvRecord::new(&self.output[..self.output_len], &self.ends[..self.ends_len]);
        // Reports with ragged rows leave out trailing empty fields: their cells read as empty.
        let short_allowed = self.meta.ragged_rows && record.len() < header.names.len();
        if record.len() != header.names.len() && !short_allowed {
            return Err(Error::new(
                ErrorKind::Decode,
                format!(
                    "the record has {} field(s) but the header has {}; the file is malformed or was cut short",
                    record.len(),
                    header.names.len()
                ),
            )
            .with_report(self.meta.id)
            .with_position(position(self)));
        }
        if self.refresh_date.is_none() {
            self.refresh_date = header
                .refresh_date_index
                .and_then(|index| record.get(index))
                .and_then(|cell| std::str::from_utf8(cell).ok())
                .and_then(|text| iso_date(text.trim()));
        }
        R::from_csv(&record, &header.columns).map_err(|error| {
            let column = error.position().and_then(|at| at.column.clone());
            error.with_report(self.meta.id).with_position(Position {
                column,
                ..position(self)
            })
        })
    }

    /// The cell of the record just completed in the column `error` names, as text.
    fn cell_named(&self, error: &Error) -> Option<String> {
        let header = self.header.as_ref()?;
        let column = error.position()?.column.as_deref()?;
        let index = header.names.iter().position(|name| name == column)?;
        let record = CsvRecord::new(&self.output[..self.output_len], &self.ends[..self.ends_len]);
        // Enough bytes for the characters a rejected row keeps, whatever their width.
        let cell = record.get(index)?;
        let kept = &cell[..cell.len().min(4 * 256)];
        Some(String::from_utf8_lossy(kept).into_owned())
    }

    fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, message).with_report(self.meta.id)
    }
}

/// Decodes a record through serde, matching fields by the file's header names: the way a row
/// type defined outside the SDK decodes (generated rows read their cells by position).
pub(crate) fn serde_record<R: Report>(
    record: &CsvRecord<'_>,
    columns: &CsvColumns,
) -> Result<R, Error> {
    let meta = R::META;
    let headers = columns.headers();
    let failed = |message: String| Error::new(ErrorKind::Decode, message);
    // Checking UTF-8 once per record, then deserializing from `&str` fields, is faster than
    // deserializing from bytes.
    let mut bytes = ByteRecord::with_capacity(record.iter().map(<[u8]>::len).sum(), record.len());
    for field in record.iter() {
        bytes.push_field(field);
    }
    let text = StringRecord::from_byte_record(bytes).map_err(|not_utf8| {
        let column = headers
            .get(not_utf8.utf8_error().field())
            .map(str::to_owned);
        failed("a cell is not valid UTF-8".to_owned()).with_position(Position {
            line: None,
            record: 0,
            column,
        })
    })?;
    text.deserialize::<R>(Some(headers)).map_err(|err| {
        let (field, reason) = match err.kind() {
            csv::ErrorKind::Deserialize { err: de, .. } => (
                de.field().map(|index| index as usize),
                de.kind().to_string(),
            ),
            other => (None, format!("{other:?}")),
        };
        // The deserializer names the field only for its own parse errors; for the decoders'
        // errors, find the first cell that does not decode as the spec says.
        let culprit = field.map(|index| (index, reason.clone())).or_else(|| {
            headers.iter().enumerate().find_map(|(index, name)| {
                let column = meta.column(name)?;
                let text = text.get(index)?;
                check_cell(column, text).err().map(|reason| (index, reason))
            })
        });
        let column = culprit
            .as_ref()
            .and_then(|(index, _)| headers.get(*index))
            .map(str::to_owned);
        let message = match (&column, culprit) {
            (Some(column), Some((_, reason))) => {
                format!("cannot decode column {column:?}: {reason}")
            }
            _ => format!("cannot decode a row: {reason}"),
        };
        failed(message)
            .with_position(Position {
                line: None,
                record: 0,
                column,
            })
            .with_source(err)
    })
}

fn quote_all<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|name| format!("{:?}", name.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::fixtures::options::AppUsageRow;
    use crate::runtime::fixtures::parameters::ScopedCountsRow;
    use crate::runtime::meta::Report;

    /// A string column, a required integer and an optional one (`Inactive Users`).
    type Counts = ScopedCountsRow;

    fn decode_in_chunks<R: Report>(
        body: &[u8],
        chunk: usize,
    ) -> Result<(Vec<R>, CsvDecoder), Error> {
        let mut decoder = CsvDecoder::new(R::META);
        let mut rows = VecDeque::new();
        for piece in body.chunks(chunk.max(1)) {
            decoder.feed(piece, &mut rows)?;
        }
        decoder.finish(&mut rows)?;
        if let Some(error) = decoder.take_row_error() {
            return Err(error);
        }
        Ok((rows.into(), decoder))
    }

    const SERVED: &[u8] = b"\xEF\xBB\xBFReport Refresh Date,Scope,Active Users,Inactive Users\r\n\
2024-01-31,\"Licensed, for \"\"enterprise\"\"\",10,3\r\n\
2024-01-31,\"Two\r\nlines\",4,\r\n";

    #[test]
    fn every_chunking_decodes_the_same_rows() {
        let (whole, _) = decode_in_chunks::<Counts>(SERVED, SERVED.len()).unwrap();
        assert_eq!(whole.len(), 2);
        assert_eq!(whole[0].scope, "Licensed, for \"enterprise\"");
        assert_eq!(whole[0].active_users, 10);
        assert_eq!(whole[0].inactive_users, Some(3));
        assert_eq!(whole[1].scope, "Two\r\nlines", "quoted newline kept");
        assert_eq!(whole[1].inactive_users, None);
        for chunk in 1..SERVED.len() {
            let (rows, decoder) = decode_in_chunks::<Counts>(SERVED, chunk).unwrap();
            assert_eq!(rows, whole, "chunks of {chunk} bytes");
            assert!(decoder.drift().unwrap().is_empty());
        }
    }

    #[test]
    fn bom_is_optional_and_headers_are_trimmed() {
        let body = b" Report Refresh Date , Scope,Active Users \n2024-01-31,All,4";
        let (rows, decoder) = decode_in_chunks::<Counts>(body, 7).unwrap();
        assert_eq!(rows.len(), 1, "a last record without a line break");
        assert_eq!(rows[0].active_users, 4);
        assert_eq!(decoder.drift().unwrap().missing_columns, ["Inactive Users"]);
        assert_eq!(decoder.refresh_date(), NaiveDate::from_ymd_opt(2024, 1, 31));
    }

    #[test]
    fn drift_lists_unknown_columns_in_file_order() {
        let body = b"Zeta,Report Refresh Date,Scope,Active Users,Alpha\n1,2024-01-31,All,4,2\n";
        let (rows, decoder) = decode_in_chunks::<Counts>(body, 5).unwrap();
        assert_eq!(rows[0].active_users, 4);
        let drift = decoder.drift().unwrap();
        assert_eq!(drift.unknown_columns, ["Zeta", "Alpha"]);
        assert_eq!(drift.missing_columns, ["Inactive Users"]);
    }

    #[test]
    fn missing_required_column_fails_before_any_row() {
        let body = b"Report Refresh Date,Scope,Inactive Users\n2024-01-31,All,1\n";
        let error = decode_in_chunks::<Counts>(body, 1000).unwrap_err();
        assert_eq!(error.kind(), crate::runtime::ErrorKind::MissingColumn);
        let message = error.to_string();
        assert!(
            message.starts_with(
                "report `scoped_counts`: the file lacks required column(s) \"Active Users\""
            ),
            "{message}"
        );
        assert!(message.contains("optional: true"), "{message}");
    }

    #[test]
    fn decode_errors_name_line_record_and_column() {
        let body = b"\xEF\xBB\xBFReport Refresh Date,Scope,Active Users\r\n\
2024-01-31,\"two\r\nlines\",1\r\n\
2024-01-31,All,many\r\n";
        let error = decode_in_chunks::<Counts>(body, 3).unwrap_err();
        assert_eq!(error.kind(), crate::runtime::ErrorKind::Decode);
        let position = error.position().unwrap();
        assert_eq!(position.line, Some(4), "the second record starts on line 4");
        assert_eq!(position.record, 2);
        assert_eq!(position.column.as_deref(), Some("Active Users"));
        let message = error.to_string();
        assert!(
            message.contains(
                "cannot decode column \"Active Users\": expected a whole number, found \"many\""
            ),
            "{message}"
        );
        assert!(
            message.ends_with("(line 4, record 2, column \"Active Users\")"),
            "{message}"
        );
    }

    #[test]
    fn a_record_cut_short_is_an_error() {
        let body = b"Report Refresh Date,Scope,Active Users,Inactive Users\n\
2024-01-31,X,1,2\n2024-01-31,Y,1";
        assert!(!Counts::META.ragged_rows);
        let error = decode_in_chunks::<Counts>(body, 8).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("the record has 3 field(s) but the header has 4"),
            "{message}"
        );
        assert_eq!(error.position().unwrap().line, Some(3));
    }

    #[test]
    fn ragged_rows_leave_out_trailing_empty_cells() {
        assert!(AppUsageRow::META.ragged_rows);
        let body = b"Date,App ID,Usage,Active Apps,Services\r\n\
2024-01-31T00:00:00Z,,12,2,Exchange;Teams\r\n\
2024-01-31T00:00:00Z,app-1,5\r\n\
2024-02-01T00:00:00Z,app-1,6,\r\n";
        for chunk in [1, 9, body.len()] {
            let (rows, decoder) = decode_in_chunks::<AppUsageRow>(body, chunk).unwrap();
            assert_eq!(rows.len(), 3, "chunks of {chunk}");
            assert_eq!(rows[0].active_apps, Some(2));
            assert_eq!(
                rows[0].services.as_deref(),
                Some(&["Exchange".to_owned(), "Teams".to_owned()][..])
            );
            assert_eq!(
                (&*rows[1].app_id, rows[1].usage, rows[1].active_apps),
                ("app-1", 5, None)
            );
            assert_eq!(rows[1].services, None);
            assert_eq!((rows[2].usage, rows[2].active_apps), (6, None));
            assert!(decoder.drift().unwrap().is_empty());
        }
    }

    #[test]
    fn a_ragged_row_still_needs_its_required_cells_and_no_extra_ones() {
        let short = b"Date,App ID,Usage,Active Apps\n2024-01-31T00:00:00Z,app-1\n";
        let error = decode_in_chunks::<AppUsageRow>(short, 4).unwrap_err();
        assert_eq!(error.position().unwrap().column.as_deref(), Some("Usage"));
        assert!(
            error.to_string().contains("empty cell, but the spec says"),
            "{error}"
        );
        let long = b"Date,App ID,Usage\n2024-01-31T00:00:00Z,app-1,1,2\n";
        let error = decode_in_chunks::<AppUsageRow>(long, 4).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the record has 4 field(s) but the header has 3"),
            "{error}"
        );
    }

    #[test]
    fn rows_before_a_bad_row_are_kept_and_nothing_after_it_is_decoded() {
        let body = b"Report Refresh Date,Scope,Active Users\n\
2024-01-31,A,1\n2024-01-31,B,2\n2024-01-31,C,bad\n2024-01-31,D,4\n";
        for chunk in [1, 7, body.len()] {
            let mut decoder = CsvDecoder::new(Counts::META);
            let mut rows: VecDeque<Counts> = VecDeque::new();
            for piece in body.chunks(chunk) {
                decoder.feed(piece, &mut rows).unwrap();
            }
            decoder.finish(&mut rows).unwrap();
            let names: Vec<&str> = rows.iter().map(|row| row.scope.as_str()).collect();
            assert_eq!(names, ["A", "B"], "chunks of {chunk}");
            let error = decoder.take_row_error().unwrap();
            assert_eq!(error.position().unwrap().record, 3);
            assert!(decoder.take_row_error().is_none());
        }
    }

    #[test]
    fn an_unclosed_quote_does_not_hold_the_rest_of_the_file() {
        let mut decoder = CsvDecoder::new(Counts::META);
        let mut rows: VecDeque<Counts> = VecDeque::new();
        decoder
            .feed(
                b"Report Refresh Date,Scope,Active Users\n2024-01-31,\"open",
                &mut rows,
            )
            .unwrap();
        let filler = vec![b'x'; 1024 * 1024];
        for _ in 0..20 {
            decoder.feed(&filler, &mut rows).unwrap();
            if decoder.has_row_error() {
                break;
            }
        }
        let error = decoder.take_row_error().unwrap();
        assert!(error.to_string().contains("longer than 16 MiB"), "{error}");
        assert!(decoder.buffered_bytes() <= 2 * MAX_RECORD_BYTES);
    }

    #[test]
    fn an_empty_file_is_an_error_but_a_header_alone_is_an_empty_report() {
        let error = decode_in_chunks::<Counts>(b"\xEF\xBB\xBF", 1).unwrap_err();
        assert!(error.to_string().contains("no header line"), "{error}");
        let (rows, _) =
            decode_in_chunks::<Counts>(b"Report Refresh Date,Scope,Active Users\r\n", 4).unwrap();
        assert!(rows.is_empty());
    }

    #[test]
    fn memory_is_bounded_by_a_record_not_the_file() {
        let mut body = b"Report Refresh Date,Scope,Active Users\r\n".to_vec();
        for index in 0..20_000 {
            body.extend_from_slice(format!("2024-01-31,Scope {index},{index}\r\n").as_bytes());
        }
        let mut decoder = CsvDecoder::new(Counts::META);
        let mut rows: VecDeque<Counts> = VecDeque::new();
        let mut peak = 0;
        let mut decoded = 0;
        for piece in body.chunks(1024) {
            decoder.feed(piece, &mut rows).unwrap();
            peak = peak.max(decoder.buffered_bytes());
            decoded += rows.drain(..).count();
        }
        decoder.finish(&mut rows).unwrap();
        decoded += rows.len();
        assert_eq!(decoded, 20_000);
        assert!(
            peak < 64,
            "peak buffered {peak} bytes for a {} byte file",
            body.len()
        );
    }
}
