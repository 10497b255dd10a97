//! Reading report files obtained some other way (exported from the Microsoft 365 admin center,
//! saved earlier with `write_to`, downloaded by another tool) from any [`std::io::Read`] or
//! [`tokio::io::AsyncRead`], in constant memory: the source is read in fixed-size chunks into
//! the same incremental decoder a download goes through, and rows are handed out as they are
//! decoded.

use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::iter::FusedIterator;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

use super::csv_rows::CsvDecoder;
use super::error::{Error, ErrorKind};
use super::limits::Limits;
use super::meta::{Report, ReportMeta};
use super::rejected::{BadRows, RejectedRow, Rejections};
use super::response::SchemaDrift;
use super::row::Row;

/// How many bytes are read from the source at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// Typed rows of a CSV report file read from any [`std::io::Read`], decoded exactly as a
/// download is (UTF-8 BOM, CRLF, quoted line breaks, headers matched by name, drift reported)
/// while the source is read in 64 KiB chunks: memory stays bounded by one chunk (and the rows
/// decoded from it) and one record, whatever the file's size.
///
/// The constructors read the header, so a file that is empty or lacks a required column fails
/// there, as [`read_csv`](crate::read_csv) does, and [`drift`](Self::drift) is known before the
/// first row. The iterator then yields the rows in file order; a row that does not decode, or a
/// read that fails ([`ErrorKind::Io`](crate::ErrorKind::Io), the [`std::io::Error`] as its
/// `source()`), comes after the rows before it, and ends the iteration. With
/// [`on_bad_row(BadRows::reject())`](Self::on_bad_row), rows that do not decode are skipped
/// instead and listed by [`rejected`](Self::rejected).
///
/// A record is bounded by [`Limits`]: at most [`Limits::max_fields`] fields (4,096 by default)
/// and [`Limits::max_record_bytes`] bytes (16 MiB), so a line of commas or a stray quote costs
/// at most that much memory. A row over a limit is an [`ErrorKind::Limit`](crate::ErrorKind::Limit)
/// error that ends the iteration (it is never skipped as a bad row: the record is not whole);
/// [`limits`](Self::limits) raises them for the rows. The header is read by the constructor,
/// under [`Limits::default()`]. A file whose last line has no line break is read (files edited
/// by hand often lack one), but one that ends inside a quoted field is an error.
///
/// ```
/// use reports_sdk::CsvReader;
/// use reports_sdk::office365::Office365ActivationsUserCountsRow;
///
/// // Any `std::io::Read`: a file, stdin, a decompressor, or bytes in memory.
/// let file: &[u8] = b"\xEF\xBB\xBFReport Refresh Date,Product Type,Assigned,Activated\r\n\
///                     2024-01-31,Visio,4,1\r\n\
///                     2024-01-31,Project,2,2\r\n";
/// let reader = CsvReader::<Office365ActivationsUserCountsRow, _>::new(file)?;
/// assert_eq!(reader.drift().missing_columns, ["Shared Computer Activation"]);
/// let mut assigned = 0;
/// for row in reader {
///     assigned += row?.assigned;
/// }
/// assert_eq!(assigned, 6);
/// # Ok::<(), reports_sdk::Error>(())
/// ```
pub struct CsvReader<R, S> {
    core: Core<R>,
    source: S,
}

impl<R: Report, S: Read> CsvReader<R, S> {
    /// Reads the header of the report file `source` (pass `&mut source` to keep it) for the
    /// report whose row type is `R`. A file that is empty, lacks a required column or cannot be
    /// read up to the end of its header is an error.
    pub fn new(source: S) -> Result<Self, Error> {
        Self::start(R::META, None, source)
    }
}

impl<R: Row, S: Read> CsvReader<R, S> {
    /// Like [`new`](Self::new), for any [`Row`], e.g. [`AnyRow`](crate::AnyRow) maps of the
    /// cells as text, checked against the columns of `meta`.
    ///
    /// ```
    /// use reports_sdk::{AnyRow, CsvReader, Report};
    /// use reports_sdk::office365::Office365ActivationsUserCountsRow;
    ///
    /// let file: &[u8] = b"Report Refresh Date,Product Type,Assigned,Activated,Extra\n\
    ///                     2024-01-31,Visio,4,1,x\n";
    /// let meta = Office365ActivationsUserCountsRow::META;
    /// let mut reader = CsvReader::<AnyRow, _>::with_meta(meta, file)?;
    /// assert_eq!(reader.drift().unknown_columns, ["Extra"]);
    /// let row = reader.next().transpose()?.unwrap_or_default();
    /// assert_eq!(row["Extra"], "x");
    /// # Ok::<(), reports_sdk::Error>(())
    /// ```
    pub fn with_meta(meta: &'static ReportMeta, source: S) -> Result<Self, Error> {
        Self::start(meta, None, source)
    }

    fn start(
        meta: &'static ReportMeta,
        path: Option<PathBuf>,
        mut source: S,
    ) -> Result<Self, Error> {
        let mut core = Core::new(meta, path);
        while !core.header_known()? {
            let read = source.read(&mut core.buffer);
            core.accept(read)?;
        }
        Ok(CsvReader { core, source })
    }

    /// How the file's columns differ from the spec's: unknown columns (ignored) and absent
    /// optional ones (their fields are `None`).
    pub fn drift(&self) -> &SchemaDrift {
        &self.core.drift
    }

    /// The report the file is checked against.
    pub fn meta(&self) -> &'static ReportMeta {
        self.core.meta
    }

    /// What to do with a row that does not decode; call it before reading the first row.
    /// Default: [`BadRows::Fail`], the first bad row is the iteration's last item. With
    /// [`BadRows::reject()`] bad rows are skipped and [`rejected`](Self::rejected) lists them.
    pub fn on_bad_row(mut self, bad_rows: BadRows) -> Self {
        self.core.on_bad_row(bad_rows);
        self
    }

    /// The bounds on the fields and bytes of each row; call it before reading the first row.
    /// Default: [`Limits::default()`]. Only [`Limits::max_fields`] and
    /// [`Limits::max_record_bytes`] apply to a file; the header was read by the constructor
    /// under the default limits.
    ///
    /// ```
    /// use reports_sdk::{CsvReader, ErrorKind, Limits};
    /// use reports_sdk::office365::Office365ActivationsUserCountsRow;
    ///
    /// let file: &[u8] = b"Report Refresh Date,Product Type,Assigned,Activated\n\
    ///                     2024-01-31,Visio,4,1\n";
    /// let reader = CsvReader::<Office365ActivationsUserCountsRow, _>::new(file)?
    ///     .limits(Limits::default().max_fields(3));
    /// let error = reader.last().transpose().unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::Limit);
    /// # Ok::<(), reports_sdk::Error>(())
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.core.decoder.set_limits(limits);
        self
    }

    /// The rows skipped so far under [`BadRows::Reject`], in file order.
    pub fn rejected(&self) -> Vec<RejectedRow> {
        self.core.rejections.snapshot()
    }
}

impl<R: Report> CsvReader<R, File> {
    /// Opens the report file at `path` and reads its header, as [`new`](Self::new) does. Every
    /// error, from opening the file to the last row, names the path.
    ///
    /// ```no_run
    /// use reports_sdk::CsvReader;
    /// use reports_sdk::office365::Office365ActiveUserDetailRow;
    ///
    /// let rows = CsvReader::<Office365ActiveUserDetailRow, _>::open("active-users.csv")?;
    /// println!("columns the spec does not know: {:?}", rows.drift().unknown_columns);
    /// for row in rows {
    ///     let row = row?;
    ///     println!("{}: Teams last used {:?}", row.user_principal_name, row.teams_last_activity_date);
    /// }
    /// # Ok::<(), reports_sdk::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|err| {
            Error::new(
                ErrorKind::Io,
                format!("cannot open the report file `{}`", path.display()),
            )
            .with_report(R::META.id)
            .with_source(err)
        })?;
        Self::start(R::META, Some(path.to_owned()), file)
    }
}

impl<R: Row, S: Read> Iterator for CsvReader<R, S> {
    type Item = Result<R, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.core.step() {
                Step::Ready(item) => return item,
                Step::Read => {
                    let read = self.source.read(&mut self.core.buffer);
                    self.core.take(read);
                }
            }
        }
    }
}

impl<R: Row, S: Read> FusedIterator for CsvReader<R, S> {}

impl<R, S> fmt::Debug for CsvReader<R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.debug(f, "CsvReader")
    }
}

/// Typed rows of a CSV report file read from any [`tokio::io::AsyncRead`], as an async
/// [`Stream`]: the counterpart of [`CsvReader`], with the same decoding, drift report, errors,
/// [`Limits`] (raised with [`limits`](Self::limits)) and bounded memory.
///
/// ```
/// use reports_sdk::AsyncCsvReader;
/// use reports_sdk::office365::Office365ActivationsUserCountsRow;
///
/// async fn total_assigned(file: tokio::fs::File) -> Result<i64, reports_sdk::Error> {
///     let mut rows = AsyncCsvReader::<Office365ActivationsUserCountsRow, _>::new(file).await?;
///     if !rows.drift().unknown_columns.is_empty() {
///         eprintln!("new columns: {:?}", rows.drift().unknown_columns);
///     }
///     let mut assigned = 0;
///     while let Some(row) = rows.next_row().await {
///         assigned += row?.assigned;
///     }
///     Ok(assigned)
/// }
/// ```
pub struct AsyncCsvReader<R, S> {
    core: Core<R>,
    source: S,
}

impl<R: Report, S: AsyncRead + Unpin> AsyncCsvReader<R, S> {
    /// Reads the header of the report file `source` for the report whose row type is `R`. A
    /// file that is empty, lacks a required column or cannot be read up to the end of its
    /// header is an error.
    pub async fn new(source: S) -> Result<Self, Error> {
        Self::with_meta(R::META, source).await
    }
}

impl<R: Row, S: AsyncRead + Unpin> AsyncCsvReader<R, S> {
    /// Like [`new`](Self::new), for any [`Row`], checked against the columns of `meta`.
    pub async fn with_meta(meta: &'static ReportMeta, mut source: S) -> Result<Self, Error> {
        let mut core = Core::new(meta, None);
        while !core.header_known()? {
            let read = source.read(&mut core.buffer).await;
            core.accept(read)?;
        }
        Ok(AsyncCsvReader { core, source })
    }

    /// How the file's columns differ from the spec's: unknown columns (ignored) and absent
    /// optional ones (their fields are `None`).
    pub fn drift(&self) -> &SchemaDrift {
        &self.core.drift
    }

    /// The report the file is checked against.
    pub fn meta(&self) -> &'static ReportMeta {
        self.core.meta
    }

    /// What to do with a row that does not decode; call it before reading the first row.
    /// Default: [`BadRows::Fail`], the first bad row is the iteration's last item. With
    /// [`BadRows::reject()`] bad rows are skipped and [`rejected`](Self::rejected) lists them.
    pub fn on_bad_row(mut self, bad_rows: BadRows) -> Self {
        self.core.on_bad_row(bad_rows);
        self
    }

    /// The bounds on the fields and bytes of each row, as [`CsvReader::limits`] sets them;
    /// call it before reading the first row. The header was read under [`Limits::default()`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.core.decoder.set_limits(limits);
        self
    }

    /// The rows skipped so far under [`BadRows::Reject`], in file order.
    pub fn rejected(&self) -> Vec<RejectedRow> {
        self.core.rejections.snapshot()
    }

    /// The next row, or `None` at the end (the same as `StreamExt::next`, without needing a
    /// futures crate).
    pub async fn next_row(&mut self) -> Option<Result<R, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<R: Row, S: AsyncRead + Unpin> Stream for AsyncCsvReader<R, S> {
    type Item = Result<R, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.core.step() {
                Step::Ready(item) => return Poll::Ready(item),
                Step::Read => {
                    let mut buffer = ReadBuf::new(&mut this.core.buffer);
                    let read = match Pin::new(&mut this.source).poll_read(cx, &mut buffer) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(read) => read.map(|()| buffer.filled().len()),
                    };
                    this.core.take(read);
                }
            }
        }
    }
}

// No row is ever pinned: the rows decoded ahead sit in a queue and are moved out.
impl<R, S: Unpin> Unpin for AsyncCsvReader<R, S> {}

impl<R, S> fmt::Debug for AsyncCsvReader<R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.debug(f, "AsyncCsvReader")
    }
}

/// What to do next: hand out an item (or the end), or read more of the source.
enum Step<R> {
    Ready(Option<Result<R, Error>>),
    Read,
}

/// The state both readers share; they differ only in how they fill [`Core::buffer`].
struct Core<R> {
    meta: &'static ReportMeta,
    /// For errors: the file [`CsvReader::open`] opened.
    path: Option<PathBuf>,
    decoder: Box<CsvDecoder>,
    /// Rows decoded from the last chunk and not handed out yet.
    queue: VecDeque<R>,
    buffer: Box<[u8]>,
    /// Known once the header is read, which the constructors wait for.
    drift: SchemaDrift,
    /// The source said it has no more bytes, or failed.
    at_end: bool,
    /// A read that failed, handed out after the rows decoded before it.
    pending_error: Option<Error>,
    /// An error was handed out: the iteration is over.
    failed: bool,
    /// Where rows that do not decode go under [`BadRows::Reject`].
    rejections: Rejections,
}

impl<R: Row> Core<R> {
    fn new(meta: &'static ReportMeta, path: Option<PathBuf>) -> Self {
        Core {
            meta,
            path,
            decoder: Box::new(CsvDecoder::holding_rows(meta)),
            rejections: Rejections::default(),
            queue: VecDeque::new(),
            buffer: vec![0; CHUNK_BYTES].into_boxed_slice(),
            drift: SchemaDrift::default(),
            at_end: false,
            pending_error: None,
            failed: false,
        }
    }

    /// Whether the header has been read (keeping its drift); an error if the source ended
    /// before it.
    fn header_known(&mut self) -> Result<bool, Error> {
        if let Some(drift) = self.decoder.drift() {
            self.drift = drift.clone();
            return Ok(true);
        }
        if self.at_end {
            // `finish` fails on a file without a header; this is only a backstop.
            return Err(self.locate(Error::new(
                ErrorKind::Decode,
                "the report file is empty: it has no header line",
            )));
        }
        Ok(false)
    }

    /// Decodes what one read of the source returned into the queue.
    fn accept(&mut self, read: std::io::Result<usize>) -> Result<(), Error> {
        let decoded = match read {
            Ok(0) => {
                self.at_end = true;
                self.decoder.finish(&mut self.queue)
            }
            Ok(read) => match self.buffer.get(..read) {
                Some(bytes) => self.decoder.feed(bytes, &mut self.queue),
                None => {
                    self.at_end = true;
                    Err(Error::new(
                        ErrorKind::Io,
                        format!(
                            "the reader claimed {read} bytes read into a buffer of {}",
                            self.buffer.len()
                        ),
                    ))
                }
            },
            // Nothing was read; the next read tries again, as `std::io::Read::read_exact` does.
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => Ok(()),
            Err(err) => {
                self.at_end = true;
                Err(Error::new(ErrorKind::Io, "reading the report file failed").with_source(err))
            }
        };
        decoded.map_err(|error| self.locate(error))
    }

    /// Like [`accept`](Self::accept), once the header is known: a failure waits its turn
    /// after the rows already decoded.
    fn take(&mut self, read: std::io::Result<usize>) {
        if let Err(error) = self.accept(read) {
            self.pending_error = Some(error);
        }
    }

    /// Sets the policy for bad rows; the constructors stop decoding at the end of the header,
    /// so it applies to every row.
    fn on_bad_row(&mut self, bad_rows: BadRows) {
        self.rejections = Rejections::new(bad_rows);
        self.decoder.set_rejections(self.rejections.clone());
    }

    fn step(&mut self) -> Step<R> {
        if self.failed {
            return Step::Ready(None);
        }
        if self.queue.is_empty() && self.decoder.holds_input() {
            if let Err(error) = self.decoder.release(&mut self.queue) {
                self.pending_error = Some(self.locate(error));
            }
        }
        if let Some(row) = self.queue.pop_front() {
            return Step::Ready(Some(Ok(row)));
        }
        let error = match self.pending_error.take() {
            Some(error) => Some(error),
            None => self
                .decoder
                .take_row_error()
                .map(|error| self.locate(error)),
        };
        if let Some(error) = error {
            self.failed = true;
            return Step::Ready(Some(Err(error)));
        }
        if self.at_end {
            Step::Ready(None)
        } else {
            Step::Read
        }
    }

    /// Names the report, and the file when there is one, in `error`.
    fn locate(&self, error: Error) -> Error {
        let error = error.with_report(self.meta.id);
        match &self.path {
            Some(path) => {
                let message = format!("`{}`: {}", path.display(), error.message());
                error.with_message(message)
            }
            None => error,
        }
    }
}

impl<R> Core<R> {
    fn debug(&self, f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
        f.debug_struct(name)
            .field("report", &self.meta.id)
            .field("path", &self.path)
            .field("drift", &self.drift)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::runtime::fixtures::parameters::ScopedCountsRow;

    const HEADER: &[u8] = b"\xEF\xBB\xBFReport Refresh Date,Scope,Active Users,Inactive Users\r\n";
    const ROWS: u64 = 100_000;
    /// The reader's chunk, restated: the bounds below must not grow with the constant.
    const CHUNK: usize = 64 * 1024;
    /// The longest and shortest generated records (see [`record`]).
    const MAX_RECORD_BYTES: usize = 720;
    const MIN_RECORD_BYTES: usize = 300;

    /// The scope of row `index`: a quoted cell with a comma, doubled quotes, a line break and
    /// padding: records of 304 to 711 bytes.
    fn scope(index: u64) -> String {
        let padding = "x".repeat(260 + (index * 7919 % 400) as usize);
        format!("Scope {index}, \"quoted\"\r\n{padding}")
    }

    fn record(index: u64, into: &mut Vec<u8>) {
        let quoted = scope(index).replace('"', "\"\"");
        let inactive = if index % 3 == 0 {
            String::new()
        } else {
            (index / 2).to_string()
        };
        into.extend_from_slice(
            format!("2024-01-31,\"{quoted}\",{index},{inactive}\r\n").as_bytes(),
        );
    }

    /// A report file of [`ROWS`] rows made up as it is read, never held whole: each `read`
    /// fills the caller's buffer, and `produced` counts the bytes handed out.
    struct Synthetic {
        next: u64,
        pending: Vec<u8>,
        offset: usize,
        produced: Arc<AtomicU64>,
    }

    impl Read for Synthetic {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut written = 0;
            while written < buf.len() {
                if self.offset == self.pending.len() {
                    self.pending.clear();
                    self.offset = 0;
                    match self.next {
                        0 => self.pending.extend_from_slice(HEADER),
                        index if index <= ROWS => record(index, &mut self.pending),
                        _ => break,
                    }
                    self.next += 1;
                }
                let n = (buf.len() - written).min(self.pending.len() - self.offset);
                buf[written..written + n]
                    .copy_from_slice(&self.pending[self.offset..self.offset + n]);
                written += n;
                self.offset += n;
            }
            self.produced.fetch_add(written as u64, Ordering::Relaxed);
            Ok(written)
        }
    }

    /// A 50 MB file is read with at most one chunk and one record held: at every row, the
    /// bytes taken from the source exceed those of the rows handed out by less than a chunk
    /// and a record (a reader that read ahead, or kept what it read, could not pass), the
    /// decoder holds less than a record and the queue less than a chunk's worth of rows.
    #[test]
    fn a_50_mb_file_is_read_in_constant_memory() {
        let produced = Arc::new(AtomicU64::new(0));
        let source = Synthetic {
            next: 0,
            pending: Vec::new(),
            offset: 0,
            produced: Arc::clone(&produced),
        };
        let mut reader = CsvReader::<ScopedCountsRow, _>::new(source).unwrap();
        assert!(reader.drift().is_empty());
        let mut consumed = HEADER.len() as u64;
        let mut rows = 0;
        let mut text = Vec::new();
        let mut peak_ahead = 0;
        let mut peak_buffered = 0;
        let mut peak_queued = 0;
        while let Some(row) = reader.next() {
            let row = row.unwrap();
            rows += 1;
            assert_eq!(row.active_users, rows as i64, "rows in file order");
            assert_eq!(row.scope, scope(rows));
            assert_eq!(
                row.inactive_users,
                (rows % 3 != 0).then_some(rows as i64 / 2)
            );
            text.clear();
            record(rows, &mut text);
            assert!((MIN_RECORD_BYTES..MAX_RECORD_BYTES).contains(&text.len()));
            consumed += text.len() as u64;
            // A record ends at its `\r`: the `\n` after it may not have been read yet.
            let read = produced.load(Ordering::Relaxed);
            assert!(
                read + 1 >= consumed,
                "row {rows} handed out before it was read"
            );
            let ahead = read.saturating_sub(consumed);
            peak_ahead = peak_ahead.max(ahead);
            peak_buffered = peak_buffered.max(reader.core.decoder.buffered_bytes());
            peak_queued = peak_queued.max(reader.core.queue.len());
        }
        let total = produced.load(Ordering::Relaxed);
        assert!(total > 50_000_000, "the file is {total} bytes");
        assert_eq!(rows, ROWS);
        assert_eq!(consumed, total, "every byte decoded");
        assert!(
            peak_ahead < (CHUNK + MAX_RECORD_BYTES) as u64,
            "read {peak_ahead} bytes ahead of the rows handed out"
        );
        assert!(
            peak_ahead > (CHUNK / 2) as u64,
            "{peak_ahead}: the source is read in chunks, not a record at a time"
        );
        assert!(
            peak_buffered < MAX_RECORD_BYTES,
            "the decoder held {peak_buffered} bytes"
        );
        assert!(
            peak_queued <= CHUNK / MIN_RECORD_BYTES + 1,
            "{peak_queued} rows queued"
        );
        assert!(reader.next().is_none());
    }

    #[test]
    fn interrupted_reads_are_retried() {
        struct Interrupting<'a>(bool, &'a [u8]);
        impl Read for Interrupting<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.0 = !self.0;
                if self.0 {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                let five = buf.len().min(5);
                Read::read(&mut self.1, &mut buf[..five])
            }
        }
        let file = b"Report Refresh Date,Scope,Active Users\n2024-01-31,A,1\n2024-01-31,B,2\n";
        let reader = CsvReader::<ScopedCountsRow, _>::new(Interrupting(false, file)).unwrap();
        let scopes: Vec<String> = reader.map(|row| row.unwrap().scope).collect();
        assert_eq!(scopes, ["A", "B"]);
    }

    /// A row of 64 MiB of commas: the reader fails at the field limit with the decoder's
    /// buffers within the limits, having read about one chunk of the source.
    #[test]
    fn a_row_of_commas_costs_no_more_than_the_limits() {
        struct Commas(usize);
        impl Read for Commas {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0);
                buf[..n].fill(b',');
                self.0 -= n;
                Ok(n)
            }
        }
        let source = Read::chain(&HEADER[3..], Commas(64 * 1024 * 1024));
        let mut reader = CsvReader::<ScopedCountsRow, _>::new(source).unwrap();
        let error = reader.next().unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Limit, "{error}");
        let limits = Limits::default();
        let (bytes, fields) = reader.core.decoder.record_capacity();
        assert!(bytes <= limits.record_bytes() + 1 && fields <= limits.fields());
        assert!(fields * std::mem::size_of::<usize>() + bytes < 64 * 1024);
        assert!(reader.next().is_none());
    }
}
