//! What happens to a row that does not decode: fail the report, or set the row aside with
//! where and why, and keep going.

use std::sync::{Arc, Mutex, PoisonError};

use super::decode::cut_cell;
use super::error::{Error, ErrorKind};

/// What a report call (or a file reader) does with a row that does not decode: a cell that is
/// not what the spec says (`abc` in a count, an empty required cell), or a record with the
/// wrong number of fields.
///
/// The default is [`Fail`](BadRows::Fail): a caller that never looks at the rejected rows
/// would otherwise get a report with rows silently missing, and sums, licence counts or
/// activity figures quietly too low. Failing names the line, column and cell, and the message
/// says how to keep going. Tools that must deliver what they can (the command-line tool does)
/// choose [`BadRows::reject`] and report each [`RejectedRow`].
///
/// ```
/// use reports_sdk::BadRows;
///
/// assert_eq!(BadRows::default(), BadRows::Fail);
/// assert_eq!(BadRows::reject(), BadRows::Reject { max: BadRows::DEFAULT_MAX_REJECTED });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BadRows {
    /// The first bad row ends the report with an [`ErrorKind::Decode`] error; the rows before
    /// it are still handed out by a stream.
    #[default]
    Fail,
    /// A bad row is skipped and kept as a [`RejectedRow`]; the other rows decode. More than
    /// `max` rejected rows end the report with an [`ErrorKind::Limit`] error: a file where
    /// that many rows fail is almost certainly not this report, and the rejected rows are
    /// held in memory.
    Reject {
        /// The most rows set aside before the report fails.
        max: usize,
    },
}

impl BadRows {
    /// How many rows [`BadRows::reject`] sets aside before failing.
    pub const DEFAULT_MAX_REJECTED: usize = 10_000;

    /// Skip bad rows and keep them as [`RejectedRow`]s, up to
    /// [`DEFAULT_MAX_REJECTED`](Self::DEFAULT_MAX_REJECTED).
    pub const fn reject() -> Self {
        BadRows::Reject {
            max: Self::DEFAULT_MAX_REJECTED,
        }
    }
}

/// A row that did not decode, set aside under [`BadRows::Reject`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectedRow {
    /// The 1-based line of the CSV file where the record starts (`None` for JSON).
    pub line: Option<u64>,
    /// The 1-based row number, the header not counted.
    pub record: u64,
    /// The header of the column whose cell failed, when one cell is the reason.
    pub column: Option<String>,
    /// That cell as it came (JSON values as JSON text), cut to a few hundred characters.
    pub cell: Option<String>,
    /// Why the row was rejected.
    pub reason: String,
}

impl RejectedRow {
    /// The rejected row that `error`, a row's decode error, describes; `cell` is the raw cell
    /// of the column the error names.
    pub(crate) fn from_error(error: &Error, cell: Option<&str>) -> RejectedRow {
        let position = error.position();
        let column = position.and_then(|at| at.column.clone());
        // The row keeps its column apart: the reason need not name it again.
        let reason = column
            .as_ref()
            .and_then(|column| {
                error
                    .message()
                    .strip_prefix(&format!("cannot decode column {column:?}: "))
            })
            .unwrap_or(error.message());
        RejectedRow {
            line: position.and_then(|at| at.line),
            record: position.map_or(0, |at| at.record),
            column,
            cell: cell.map(cut_cell),
            reason: reason.to_owned(),
        }
    }
}

impl std::fmt::Display for RejectedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line} (row {})", self.record)?,
            None => write!(f, "row {}", self.record)?,
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column:?}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Where a decoder sets rejected rows aside, shared with whoever hands the rows out (a stream
/// owns its decoder inside a boxed future).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rejections {
    policy: BadRows,
    rows: Arc<Mutex<Vec<RejectedRow>>>,
}

impl Rejections {
    pub(crate) fn new(policy: BadRows) -> Self {
        Rejections {
            policy,
            rows: Arc::default(),
        }
    }

    /// Sets a row aside, or hands back the error that ends the report: the row's own under
    /// [`BadRows::Fail`], a limit error once more than `max` rows were set aside.
    pub(crate) fn reject(
        &self,
        report: &'static str,
        error: Error,
        cell: Option<&str>,
    ) -> Result<(), Error> {
        let BadRows::Reject { max } = self.policy else {
            let message = format!(
                "{}; to skip bad rows and keep the others, decode with `BadRows::reject()`",
                error.message()
            );
            return Err(error.with_message(message));
        };
        let mut rows = self.lock();
        if rows.len() >= max {
            let position = error.position().cloned();
            let mut limit = Error::new(
                ErrorKind::Limit,
                format!(
                    "more than {max} rows did not decode (the limit `BadRows::Reject {{ max }}`); the file is probably not this report, or the spec no longer matches it. The last one: {}",
                    error.message()
                ),
            )
            .with_report(report);
            if let Some(position) = position {
                limit = limit.with_position(position);
            }
            return Err(limit.with_source(error));
        }
        rows.push(RejectedRow::from_error(&error, cell));
        Ok(())
    }

    /// The rows set aside so far.
    pub(crate) fn snapshot(&self) -> Vec<RejectedRow> {
        self.lock().clone()
    }

    /// Takes the rows set aside so far.
    pub(crate) fn take(&self) -> Vec<RejectedRow> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RejectedRow>> {
        // A panic while pushing leaves the list as it was: still usable.
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
