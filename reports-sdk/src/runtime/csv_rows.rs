//! Decodes a CSV report incrementally, chunk by chunk as the body downloads, so memory stays
//! bounded by the longest record rather than the file. Columns are matched by header (trimmed,
//! UTF-8 BOM removed); the header is checked against the spec before any row is decoded.

use std::collections::VecDeque;

use chrono::NaiveDate;
use csv::{ByteRecord, StringRecord};
use csv_core::ReadRecordResult;

use super::cells::{CsvColumns, CsvRecord};
use super::decode::{check_cell, iso_date, quoted};
use super::error::{Error, ErrorKind, Position};
use super::limits::{Limits, limit_error};
use super::meta::{Format, Report, ReportMeta};
use super::rejected::Rejections;
use super::response::SchemaDrift;
use super::row::Row;

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// How many bytes are held before decoding starts: enough to tell a BOM, and the signatures of
/// what people mistake for a CSV report (gzip, a ZIP workbook, UTF-16 text), from a header.
const START_BYTES: usize = 4;
/// How many header names a missing-column error lists: a line of commas has thousands.
const LISTED_NAMES: usize = 32;
/// The longest error reason from a deserializer kept in a message, in characters: serde's own
/// messages quote the value whole (`unknown variant "<the cell>"`), and a cell can be megabytes.
const REASON_CHARS: usize = 600;
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
    /// The first [`START_BYTES`] bytes, held until it is known whether they are a BOM, or
    /// the start of something that is not a CSV report at all.
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
    /// Bounds on fields and bytes per record, enforced while csv-core fills a record: `output`
    /// never grows past one byte more than `limits.record_bytes()` and `ends` past
    /// `limits.fields()`, whatever the input.
    limits: Limits,
    /// Whether the input is a download, whose last record must end with a line break (a body
    /// that stops inside a record was cut short).
    download: bool,
    /// Where the record being read stands with its quotes, as of the input decoded so far.
    quoting: Quoting,
}

/// Where a record being read stands with its quotes: at the end of the input, csv-core hands
/// out an open record as complete even inside a quoted field, and keeps its state to itself
/// (`csv_core::Reader::clone` does not copy its tables, so it cannot be asked by a probe). The
/// decoder follows csv-core's rules (RFC 4180 quotes, doubled quotes, a quote inside an
/// unquoted field taken as text) over the bytes of the record not yet complete, which are
/// only the last bytes of each chunk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field (or of a record).
    #[default]
    FieldStart,
    /// In a field that is not quoted, or after the closing quote of one that is.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// After a quote inside a quoted field: the closing one, or the first of a doubled pair.
    QuoteInQuoted,
}

impl Quoting {
    fn after(self, byte: u8) -> Quoting {
        use Quoting::{FieldStart, QuoteInQuoted, Quoted, Unquoted};
        match (self, byte) {
            (FieldStart, b'"') => Quoted,
            (FieldStart | Unquoted | QuoteInQuoted, b',' | b'\r' | b'\n') => FieldStart,
            (FieldStart | Unquoted, _) => Unquoted,
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (QuoteInQuoted, _) => Unquoted,
        }
    }
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
            output: vec![0; 4096.min(record_capacity(&limits))],
            ends: vec![0; 64.min(limits.fields())],
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
            quoting: Quoting::FieldStart,
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

    /// Bounds the rows after the header by `limits`: call before any row is decoded, while no
    /// record is half read (the header was read under the limits the decoder was made with).
    pub(crate) fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
        // The buffers may have grown for the header beyond the new bounds; the checks in
        // `split` compare the limits with the buffers' sizes, so those must not exceed them.
        self.output.truncate(record_capacity(&limits));
        self.ends.truncate(limits.fields());
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

    /// The room for a record's bytes and for its fields' ends, as allocated: what one record
    /// can cost whatever its content.
    #[cfg(test)]
    pub(crate) fn record_capacity(&self) -> (usize, usize) {
        (self.output.len(), self.ends.len())
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
        let Some(mut start) = self.start.take() else {
            return self.split(input, false, rows);
        };
        // Only the few bytes needed are copied: `read_csv` feeds a whole file at once.
        let needed = START_BYTES.saturating_sub(start.len()).min(input.len());
        start.extend_from_slice(&input[..needed]);
        if start.len() < START_BYTES {
            self.start = Some(start);
            return Ok(());
        }
        self.begin(&start, rows)?;
        self.split(&input[needed..], false, rows)
    }

    /// Ends the file: decodes a last record without a line break (a download's is an error:
    /// the body was cut short), and fails if there was no header at all.
    pub(crate) fn finish<R: Row>(&mut self, rows: &mut VecDeque<R>) -> Result<(), Error> {
        self.release(rows)?;
        if let Some(start) = self.start.take() {
            self.begin(&start, rows)?;
        }
        self.split(&[], true, rows)?;
        if self.header.is_none() {
            return Err(self.error(
                ErrorKind::Decode,
                format!("the report {} is empty: it has no header line", self.noun()),
            ));
        }
        Ok(())
    }

    /// Decodes the first bytes, once there are [`START_BYTES`] of them or the input ended,
    /// after refusing input that is plainly not a CSV report.
    fn begin<R: Row>(&mut self, start: &[u8], rows: &mut VecDeque<R>) -> Result<(), Error> {
        let what = self.noun();
        let refused = if start.starts_with(b"\x1F\x8B") {
            Some(if self.download {
                format!(
                    "the {what} is gzip-compressed data, not a CSV report: the server sent it compressed without a `Content-Encoding: gzip` header the client decodes, so it reached the decoder still compressed"
                )
            } else {
                format!(
                    "the {what} is gzip-compressed data, not a CSV report: decompress it first (`gunzip`, or read it through a gzip decoder such as `flate2::read::GzDecoder`)"
                )
            })
        } else if start.starts_with(b"PK\x03\x04") {
            Some(format!(
                "the {what} is a ZIP archive (an Excel workbook?), not a CSV report: export or save the report as CSV"
            ))
        } else if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
            Some(format!(
                "the {what} is UTF-16 text, not a UTF-8 CSV report: save it as \"CSV UTF-8\" (or convert it with `iconv -f UTF-16 -t UTF-8`)"
            ))
        } else {
            None
        };
        if let Some(message) = refused {
            return Err(self.error(ErrorKind::Decode, message));
        }
        self.split(start.strip_prefix(BOM).unwrap_or(start), false, rows)
    }

    fn split<R: Row>(
        &mut self,
        mut input: &[u8],
        at_end: bool,
        rows: &mut VecDeque<R>,
    ) -> Result<(), Error> {
        if let Some(held) = &mut self.held {
            // The header ended earlier in the same feed: the rest waits for the rows' settings.
            held.extend_from_slice(input);
            return Ok(());
        }
        let whole = input;
        // Where the record not complete yet starts in `whole` (0: in an earlier input).
        let mut record_from = 0;
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
                ReadRecordResult::InputEmpty if !at_end => {
                    let tail = whole.get(record_from..).unwrap_or_default();
                    self.quoting = tail
                        .iter()
                        .fold(self.quoting, |state, &byte| state.after(byte));
                    return Ok(());
                }
                ReadRecordResult::InputEmpty => {
                    self.finished = true;
                    return Ok(());
                }
                ReadRecordResult::OutputFull => {
                    let limit = self.limits.record_bytes();
                    if self.output.len() > limit {
                        let error =
                            self.limit_hit(self.too_long(), "max_record_bytes", bytes_text(limit));
                        return self.refuse(error);
                    }
                    let grown = (self.output.len() * 2)
                        .max(self.output.len() + 1)
                        .min(record_capacity(&self.limits));
                    self.output.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    // Every slot holds the end of a field and the record goes on: it has more
                    // fields than the limit. Empty fields cost no bytes, so only this count
                    // stops a line of commas from becoming millions of cells.
                    let limit = self.limits.fields();
                    if self.ends.len() >= limit {
                        let what = match self.header {
                            None => format!("the header line has more than {limit} fields"),
                            Some(_) => format!("a record has more than {limit} fields"),
                        };
                        let error = self.limit_hit(what, "max_fields", limit);
                        return self.refuse(error);
                    }
                    let grown = (self.ends.len() * 2).max(self.ends.len() + 1).min(limit);
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record
                    if at_end && (self.quoting == Quoting::Quoted || self.download) =>
                {
                    let error = self.cut_short(self.quoting == Quoting::Quoted);
                    self.finished = true;
                    return self.refuse(error);
                }
                ReadRecordResult::Record => {
                    // csv-core counts every `\n` it has read; the record ends on the line before
                    // a `\n` just consumed. Where it starts is worked out only for an error.
                    let end_line = self.core.line() - u64::from(ended_on_newline);
                    record_from = whole.len() - input.len();
                    self.quoting = Quoting::FieldStart;
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

    /// The error for a last record that the input ended inside of.
    fn cut_short(&self, open_quote: bool) -> Error {
        match (self.download, open_quote) {
            (true, false) => Error::new(
                ErrorKind::Transport,
                "the report body ended inside a record: the download was cut short (Graph ends every record with a line break)",
            ),
            (true, true) => Error::new(
                ErrorKind::Transport,
                "the report body ended inside a quoted field: the download was cut short, or a quote is never closed",
            ),
            (false, _) => Error::new(
                ErrorKind::Decode,
                "the file ended inside a quoted field: a quote in this record is never closed; the file is malformed or was cut short",
            ),
        }
    }

    /// What to say of a record that outgrew the bytes limit.
    fn too_long(&self) -> String {
        let limit = bytes_text(self.limits.record_bytes());
        match self.header {
            None => format!(
                "the header line is longer than {limit} (is the {} a CSV report at all?)",
                self.noun()
            ),
            Some(_) => format!("a record is longer than {limit} (an unclosed quote?)"),
        }
    }

    /// A limit hit: `limit_error` names the client's setting, which a file reader does not
    /// take, so a file's error names the reader's setting as well.
    fn limit_hit(&self, what: String, setter: &str, value: impl std::fmt::Display) -> Error {
        let error = limit_error(what, setter, value);
        if self.download {
            return error;
        }
        let message = format!(
            "{}; for a file, the same `Limits` go to `CsvReader::limits` or `AsyncCsvReader::limits` (which bound the rows; the header is read under `Limits::default()`)",
            error.message()
        );
        error.with_message(message)
    }

    /// Fails on the record being read: a header problem is returned (nothing can be decoded
    /// without it), a row's is kept after the rows before it and ends the decoding. Neither is
    /// a bad row to reject: the record is not whole, and what follows it is not trusted.
    fn refuse(&mut self, error: Error) -> Result<(), Error> {
        let line = Some(self.start_line(self.core.line()));
        let error = error.with_report(self.meta.id);
        if self.header.is_none() {
            return Err(error.with_position(Position {
                line,
                record: 0,
                column: None,
            }));
        }
        self.records += 1;
        self.row_error = Some(error.with_position(Position {
            line,
            record: self.records,
            column: None,
        }));
        Ok(())
    }

    /// What the input is called in messages.
    fn noun(&self) -> &'static str {
        if self.download { "body" } else { "file" }
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
                        format!(
                            "the header is not UTF-8 text (its field {}): the {} is not a CSV report (binary data?), or not saved as UTF-8",
                            index + 1,
                            self.noun()
                        ),
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
                    quote_some(&names),
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
        // Any column can hold the bad cell, one the spec does not know included, whose name
        // is the file's to choose: it is cut like a cell.
        let column = headers
            .get(not_utf8.utf8_error().field())
            .map(|name| cut_text(name, REASON_CHARS));
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
        let reason = cut_text(&reason, REASON_CHARS);
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
            .map(|name| cut_text(name, REASON_CHARS));
        let message = match (&column, culprit) {
            (Some(column), Some((_, reason))) => {
                format!("cannot decode column {column:?}: {reason}")
            }
            _ => format!("cannot decode a row: {reason}"),
        };
        let failed = failed(message).with_position(Position {
            line: None,
            record: 0,
            column,
        });
        // The source's message is the deserializer's, which may hold the cell whole (serde's
        // `unknown variant "<cell>"`): kept only when it is short, as the message says it all.
        if displays_within(&err, 2 * REASON_CHARS) {
            failed.with_source(err)
        } else {
            failed
        }
    })
}

/// Whether `value` displays in at most `bytes` bytes, found without formatting it whole.
fn displays_within(value: &impl std::fmt::Display, bytes: usize) -> bool {
    struct Counter {
        left: usize,
    }
    impl std::fmt::Write for Counter {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            // Failing stops the formatting as soon as the budget is spent.
            self.left = self.left.checked_sub(text.len()).ok_or(std::fmt::Error)?;
            Ok(())
        }
    }
    std::fmt::write(&mut Counter { left: bytes }, format_args!("{value}")).is_ok()
}

/// The bytes a record may take, plus the one byte that tells a record of exactly the limit
/// from a longer one: csv-core reports a full buffer before it looks at the next byte.
fn record_capacity(limits: &Limits) -> usize {
    limits.record_bytes().saturating_add(1)
}

/// `bytes` as a reader would write it: whole mebibytes as such.
fn bytes_text(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// `text` cut to `chars` characters (the last one `…`), for text that may quote a cell.
fn cut_text(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        None => text.to_owned(),
        Some(_) => {
            let mut shown: String = text.chars().take(chars.saturating_sub(1)).collect();
            shown.push('…');
            shown
        }
    }
}

/// The file's header names for a message: each cut like a cell, the first [`LISTED_NAMES`]
/// of them and how many more there are.
fn quote_some(names: &[String]) -> String {
    let mut listed: Vec<String> = names
        .iter()
        .take(LISTED_NAMES)
        .map(|name| quoted(name))
        .collect();
    if names.len() > LISTED_NAMES {
        listed.push(format!("and {} more", names.len() - LISTED_NAMES));
    }
    listed.join(", ")
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
        assert_eq!(error.kind(), ErrorKind::Limit);
        assert!(error.to_string().contains("longer than 16 MiB"), "{error}");
        assert!(error.to_string().contains("max_record_bytes"), "{error}");
        let limit = Limits::default().record_bytes();
        assert!(decoder.buffered_bytes() <= limit + 1);
        assert!(decoder.record_capacity().0 <= limit + 1);
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

    /// Feeds `body` in chunks of `chunk` bytes to `decoder`, then ends it: the rows, and the
    /// error (returned for the header, kept for a row).
    fn run<R: Report>(
        mut decoder: CsvDecoder,
        body: &[u8],
        chunk: usize,
    ) -> (Vec<R>, Option<Error>, CsvDecoder) {
        let mut rows = VecDeque::new();
        for piece in body.chunks(chunk.max(1)) {
            if let Err(error) = decoder.feed(piece, &mut rows) {
                return (rows.into(), Some(error), decoder);
            }
        }
        let ended = decoder.finish(&mut rows).err();
        let error = ended.or_else(|| decoder.take_row_error());
        (rows.into(), error, decoder)
    }

    fn download(limits: Limits) -> CsvDecoder {
        CsvDecoder::rejecting_into(Counts::META, Rejections::default(), limits).for_download()
    }

    fn file(limits: Limits) -> CsvDecoder {
        CsvDecoder::rejecting_into(Counts::META, Rejections::default(), limits)
    }

    const HEADER: &str = "Report Refresh Date,Scope,Active Users,Inactive Users\r\n";

    /// Finding 5: a download cut inside its last record (`35` cut after `3`) never yields the
    /// record's first bytes as a value: it is a transport error, after the rows before it.
    #[test]
    fn a_download_cut_inside_its_last_record_is_a_transport_error_not_a_row() {
        let whole = format!("{HEADER}2024-01-31,A,1,2\r\n2024-01-31,B,4,35\r\n");
        for cut in [whole.len() - 3, whole.len() - 4, whole.len() - 6] {
            let body = &whole.as_bytes()[..cut];
            for chunk in [1, 5, body.len()] {
                let (rows, error, _) = run::<Counts>(download(Limits::default()), body, chunk);
                let scopes: Vec<&str> = rows.iter().map(|row| row.scope.as_str()).collect();
                assert_eq!(
                    scopes,
                    ["A"],
                    "cut at {cut}, chunks of {chunk}: no row from B"
                );
                let error = error.unwrap();
                assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
                assert!(error.is_retryable());
                let message = error.to_string();
                assert!(
                    message.contains("ended inside a record: the download was cut short"),
                    "{message}"
                );
                assert_eq!(error.position().unwrap().line, Some(3), "{message}");
                assert_eq!(error.position().unwrap().record, 2, "{message}");
            }
        }
        // Whole, or missing only the `\n` of its last `\r\n`, every record is there.
        for body in [whole.as_str(), &whole[..whole.len() - 1]] {
            let (rows, error, _) = run::<Counts>(download(Limits::default()), body.as_bytes(), 3);
            assert!(error.is_none(), "{error:?}");
            assert_eq!(rows[1].inactive_users, Some(35));
        }
        // The same cut file is read whole: files edited by hand often lack the last line break.
        let cut = &whole.as_bytes()[..whole.len() - 3];
        let (rows, error, _) = run::<Counts>(file(Limits::default()), cut, 5);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(rows[1].inactive_users, Some(3));
    }

    #[test]
    fn a_download_cut_inside_its_header_is_a_transport_error() {
        for body in [&HEADER[..20], "\"Report Refresh", "R"] {
            let (rows, error, _) = run::<Counts>(download(Limits::default()), body.as_bytes(), 2);
            assert!(rows.is_empty());
            let error = error.unwrap();
            assert_eq!(error.kind(), ErrorKind::Transport, "{body:?}: {error}");
        }
    }

    /// A record left inside a quoted field at the end of the input is an error for a file as
    /// for a download, whatever the chunking; a quote that is closed is not.
    #[test]
    fn an_input_ending_inside_a_quoted_field_is_an_error() {
        let open = [
            "2024-01-31,\"A,1,2",
            "2024-01-31,\"A\"\",1",
            "2024-01-31,\"",
            "2024-01-31,A,1,\"3\r\n",
        ];
        for last in open {
            let body = format!("{HEADER}2024-01-31,Z,1,2\r\n{last}");
            for chunk in [1, 4, body.len()] {
                let (rows, error, _) =
                    run::<Counts>(file(Limits::default()), body.as_bytes(), chunk);
                assert_eq!(rows.len(), 1, "{last:?}");
                let error = error.unwrap_or_else(|| panic!("{last:?}: no error"));
                assert_eq!(error.kind(), ErrorKind::Decode, "{last:?}");
                assert!(
                    error.to_string().contains("ended inside a quoted field"),
                    "{last:?}: {error}"
                );
                assert_eq!(error.position().unwrap().record, 2);
                let (_, error, _) =
                    run::<Counts>(download(Limits::default()), body.as_bytes(), chunk);
                let error = error.unwrap();
                assert_eq!(error.kind(), ErrorKind::Transport, "{last:?}");
                assert!(
                    error.to_string().contains("inside a quoted field"),
                    "{error}"
                );
            }
        }
        let closed = [
            "2024-01-31,\"A\",1,\"2\"",
            "2024-01-31,\"A\"\"\",1,2",
            "2024-01-31,A,1,\"\"",
        ];
        for last in closed {
            let body = format!("{HEADER}{last}");
            for chunk in [1, 4, body.len()] {
                let (rows, error, _) =
                    run::<Counts>(file(Limits::default()), body.as_bytes(), chunk);
                assert!(error.is_none(), "{last:?}: {error:?}");
                assert_eq!(rows.len(), 1, "{last:?}");
            }
        }
        let (_, error, _) =
            run::<Counts>(file(Limits::default()), b"Report Refresh Date,\"Scope", 3);
        let error = error.unwrap();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.position().unwrap().record, 0, "the header: {error}");
    }

    /// Finding 1: a line of commas is bounded by the field limit while csv-core fills the
    /// record, in the header (a returned error) and in a row (the row error); a record of
    /// exactly the limit is read.
    #[test]
    fn fields_are_bounded_while_the_record_is_read() {
        let limits = Limits::default().max_fields(4);
        let exact = format!("{HEADER}2024-01-31,A,1,2\r\n");
        let (rows, error, decoder) = run::<Counts>(file(limits), exact.as_bytes(), 3);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(rows.len(), 1);
        assert!(decoder.record_capacity().1 <= 4);

        let header = format!(
            "Report Refresh Date,Scope,Active Users,Inactive Users{}",
            ",".repeat(100_000)
        );
        for decoder in [file(limits), download(limits), file(Limits::default())] {
            let (_, error, decoder) = run::<Counts>(decoder, header.as_bytes(), 4096);
            let error = error.unwrap();
            assert_eq!(error.kind(), ErrorKind::Limit, "{error}");
            let message = error.to_string();
            assert!(
                message.contains("the header line has more than"),
                "{message}"
            );
            assert!(message.contains("`Limits::max_fields`"), "{message}");
            assert!(decoder.record_capacity().1 <= 4096);
        }

        let row = format!(
            "{HEADER}2024-01-31,A,1,2\r\n2024-01-31,B,1,2{}\r\n2024-01-31,C,1,2\r\n",
            ",".repeat(100_000)
        );
        for (decoder, fields) in [(file(limits), 4), (download(Limits::default()), 4096)] {
            let (rows, error, decoder) = run::<Counts>(decoder, row.as_bytes(), 1000);
            assert_eq!(rows.len(), 1, "the rows before it, none after");
            let error = error.unwrap();
            assert_eq!(error.kind(), ErrorKind::Limit, "{error}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("a record has more than {fields} fields")),
                "{message}"
            );
            assert!(message.contains("`Limits::max_fields`"), "{message}");
            assert_eq!(error.position().unwrap().record, 2);
            assert_eq!(error.position().unwrap().line, Some(3));
            assert!(decoder.record_capacity().1 <= fields);
        }
    }

    /// A record of exactly `max_record_bytes` is read; one byte more is a limit error, the
    /// buffer never past the limit.
    #[test]
    fn bytes_are_bounded_while_the_record_is_read() {
        // `2024-01-31`, 10 bytes of scope, `1`: 21 bytes of fields.
        let body = |scope: &str| format!("{HEADER}2024-01-31,{scope},1,\r\n2024-01-31,A,2,\r\n");
        let limits = Limits::default().max_record_bytes(60);
        let (rows, error, decoder) =
            run::<Counts>(file(limits), body(&"x".repeat(49)).as_bytes(), 7);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(rows.len(), 2);
        assert!(decoder.record_capacity().0 <= 61);
        let (rows, error, decoder) =
            run::<Counts>(file(limits), body(&"x".repeat(50)).as_bytes(), 7);
        assert!(rows.is_empty());
        let error = error.unwrap();
        assert_eq!(error.kind(), ErrorKind::Limit);
        let message = error.to_string();
        assert!(
            message.contains("a record is longer than 60 bytes"),
            "{message}"
        );
        assert!(message.contains("`Limits::max_record_bytes`"), "{message}");
        assert!(
            message.contains("CsvReader::limits"),
            "a file's error names the reader: {message}"
        );
        assert!(decoder.record_capacity().0 <= 61);

        // The header (50 bytes of names) too, as a header error rather than "the file is empty".
        let limits = Limits::default().max_record_bytes(49);
        let (_, error, _) = run::<Counts>(download(limits), HEADER.as_bytes(), 1);
        let error = error.unwrap();
        assert_eq!(error.kind(), ErrorKind::Limit, "{error}");
        let message = error.to_string();
        assert!(
            message.contains("the header line is longer than 49 bytes"),
            "{message}"
        );
        assert!(
            !message.contains("CsvReader"),
            "a download's error names the client: {message}"
        );
    }

    /// `read_csv`'s way, the whole file in one feed: 32 MiB of commas in the header or a row
    /// cost the limits, not millions of fields.
    #[test]
    fn a_whole_file_of_commas_in_one_feed_costs_the_limits() {
        let commas = ",".repeat(32 * 1024 * 1024);
        let limits = Limits::default();
        for body in [
            format!("Report Refresh Date{commas}"),
            format!("{HEADER}2024-01-31{commas}\r\n"),
        ] {
            let (rows, error, decoder) = run::<Counts>(file(limits), body.as_bytes(), body.len());
            assert!(rows.is_empty());
            assert_eq!(error.unwrap().kind(), ErrorKind::Limit);
            let (bytes, fields) = decoder.record_capacity();
            assert!(bytes <= limits.record_bytes() + 1 && fields <= limits.fields());
            assert!(fields * std::mem::size_of::<usize>() + bytes < 64 * 1024);
        }
    }

    #[test]
    fn lower_limits_set_after_the_header_bound_the_rows() {
        let body = format!("{HEADER}2024-01-31,A,1,2\r\n");
        let mut decoder = CsvDecoder::holding_rows(Counts::META);
        let mut rows: VecDeque<Counts> = VecDeque::new();
        decoder.feed(body.as_bytes(), &mut rows).unwrap();
        assert!(decoder.drift().is_some() && decoder.holds_input());
        decoder.set_limits(Limits::default().max_fields(3));
        decoder.finish(&mut rows).unwrap();
        assert!(rows.is_empty());
        let error = decoder.take_row_error().unwrap();
        assert!(error.to_string().contains("more than 3 fields"), "{error}");
    }

    /// Finding 7: a body that is not a CSV report says what it is.
    #[test]
    fn a_body_that_is_not_text_says_so() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03\xED\n",
                "gzip-compressed data, not a CSV report",
            ),
            (b"\x1F\x8B", "gzip-compressed data, not a CSV report"),
            (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
            (b"\xFF\xFER\x00e\x00p\x00\n\x00", "UTF-16 text"),
            (
                b"Report\xC3\x28,Scope\n",
                "the header is not UTF-8 text (its field 1)",
            ),
        ];
        for (body, expected) in cases {
            for decoder in [file(Limits::default()), download(Limits::default())] {
                let (_, error, _) = run::<Counts>(decoder, body, 1);
                let error = error.unwrap();
                assert_eq!(error.kind(), ErrorKind::Decode);
                assert!(error.to_string().contains(expected), "{error}");
            }
        }
    }

    /// A missing-column error lists the file's header names cut, and only the first ones.
    #[test]
    fn a_missing_column_error_quotes_the_header_names_cut() {
        let long = "x".repeat(1024 * 1024);
        let header = format!("{long},{}\n", vec!["y"; 1000].join(","));
        let (_, error, _) = run::<Counts>(file(Limits::default()), header.as_bytes(), 65536);
        let error = error.unwrap();
        assert_eq!(error.kind(), ErrorKind::MissingColumn);
        let message = error.to_string();
        assert!(message.len() < 2000, "{} bytes", message.len());
        assert!(message.contains("(a cell of 1048576 bytes)"), "{message}");
        assert!(message.contains("and 969 more"), "{message}");
    }

    /// Every record csv-core reads from `input`, as fields.
    fn core_records(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv_core::Reader::new();
        let (mut output, mut ends) = (vec![0; input.len() + 1], vec![0; input.len() + 1]);
        let (mut records, mut input) = (Vec::new(), input);
        let (mut written, mut ended) = (0, 0);
        loop {
            let (result, read, wrote, end) =
                reader.read_record(input, &mut output[written..], &mut ends[ended..]);
            input = &input[read..];
            (written, ended) = (written + wrote, ended + end);
            match result {
                ReadRecordResult::Record => {
                    let record = CsvRecord::new(&output, &ends[..ended]);
                    records.push(record.iter().map(<[u8]>::to_vec).collect());
                    (written, ended) = (0, 0);
                }
                ReadRecordResult::End => return records,
                _ => {}
            }
        }
    }

    proptest::proptest! {
        /// The decoder's idea of "the input ended inside a quoted field" is csv-core's: one line
        /// break more changes the records read exactly when it would be quoted text.
        #[test]
        fn an_open_quote_at_the_end_is_found_as_csv_core_reads_it(
            body in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b',', b'"', b'\r', b'\n']),
                0..40,
            ),
            chunk in 1usize..8,
        ) {
            let open = core_records(&body) != core_records(&[&body[..], b"\n"].concat());
            let decoder = CsvDecoder::rejecting_into(
                Counts::META,
                Rejections::new(crate::BadRows::Reject { max: usize::MAX }),
                Limits::default(),
            );
            let input = [HEADER.as_bytes(), &body].concat();
            let (_, error, _) = run::<Counts>(decoder, &input, chunk);
            let found = error.is_some_and(|error| error.to_string().contains("inside a quoted field"));
            proptest::prop_assert_eq!(found, open, "{:?}", String::from_utf8_lossy(&body));
        }
    }
}
