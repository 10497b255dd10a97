//! Decoding report files obtained some other way: exported from the Microsoft 365 admin
//! center, saved earlier with `write_to`, or downloaded by another tool.

use std::collections::VecDeque;

use super::csv_rows::CsvDecoder;
use super::error::Error;
use super::meta::Report;
use super::response::SchemaDrift;

/// Decodes a whole CSV report file into typed rows, exactly as a download is decoded (BOM,
/// headers matched by name, drift reported); for `R`, name the report's row type.
///
/// For a file read from a [`std::io::Read`] or a path, one row at a time in constant memory,
/// see [`CsvReader`](crate::CsvReader) (and [`AsyncCsvReader`](crate::AsyncCsvReader) for a
/// `tokio::io::AsyncRead`): same decoding, drift report and errors.
///
/// Records are bounded by [`Limits::default()`](crate::Limits): 4,096 fields and 16 MiB a
/// record, so a line of commas or a stray quote costs at most that much memory besides the
/// file; a record over a limit is an [`ErrorKind::Limit`](crate::ErrorKind::Limit) error. To
/// read a file with other limits, pass its bytes to
/// [`CsvReader::new`](crate::CsvReader::new) and set [`CsvReader::limits`](crate::CsvReader::limits).
/// A last line without a line break is read as a row; a file that ends inside a quoted field
/// is an error.
///
/// ```
/// use reports_sdk::office365::Office365ActivationsUserCountsRow;
///
/// let file = b"\xEF\xBB\xBFReport Refresh Date,Product Type,Assigned,Activated\r\n\
///              2024-01-31,Visio,4,1\r\n";
/// let (rows, drift) = reports_sdk::read_csv::<Office365ActivationsUserCountsRow>(file)?;
/// assert_eq!(rows[0].assigned, 4);
/// assert_eq!(drift.missing_columns, ["Shared Computer Activation"]);
/// # Ok::<(), reports_sdk::Error>(())
/// ```
pub fn read_csv<R: Report>(file: &[u8]) -> Result<(Vec<R>, SchemaDrift), Error> {
    let mut decoder = CsvDecoder::new(R::META);
    let mut rows = VecDeque::new();
    decoder.feed(file, &mut rows)?;
    decoder.finish(&mut rows)?;
    if let Some(error) = decoder.take_row_error() {
        return Err(error);
    }
    let drift = decoder.drift().cloned().unwrap_or_default();
    Ok((rows.into(), drift))
}
